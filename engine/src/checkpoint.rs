//! Crash-safe checkpoints: an append-only journal (one JSON line per committed
//! page) and a log of the dedup keys written. After `kill -9`, `--resume`
//! truncates every output to its last committed size and continues from the
//! cursor recorded with it, so nothing is lost and nothing is written twice.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::filter::FilterState;
use crate::{Cursor, Error};

/// Output file name (relative to the output folder) → committed size in bytes.
pub type FileSizes = BTreeMap<String, u64>;

/// Counts of one job, kept in checkpoints and reported in `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobStats {
    /// Pages fetched.
    pub pages: u64,
    /// Records the platform returned.
    pub fetched: u64,
    /// Records written to the outputs.
    pub written: u64,
    /// Records dropped as already written in this run.
    pub duplicates: u64,
    /// Records dropped by filters and limits.
    pub filtered: u64,
    /// Total the platform announced, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_hint: Option<u64>,
    /// Facts worth telling the user (caps, early stops).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Final state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Everything asked for was exported.
    Done,
    /// Failed; what was fetched before the failure is kept.
    Error,
    /// Not run (duplicate of another line).
    Skipped,
    /// Interrupted (Ctrl-C); `--resume` continues it.
    Stopped,
}

/// Kind and message of a job's error (secrets already removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobError {
    /// Stable kind (see [`Error::kind`]).
    pub kind: String,
    /// Human-readable message.
    pub message: String,
}

impl From<&Error> for JobError {
    fn from(e: &Error) -> JobError {
        JobError {
            kind: e.kind().to_string(),
            message: e.to_string(),
        }
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Entry {
    /// First line: which batch this journal belongs to.
    Header {
        /// Format version.
        version: u32,
        /// Hash of the inputs, options and formats; `--resume` refuses a different batch.
        fingerprint: String,
    },
    /// A page of job `job` was written and flushed.
    Page {
        /// Job index (position in the batch).
        job: usize,
        /// Where to resume after this page (`None`: the job has no more pages).
        next: Option<Cursor>,
        /// Filter counters after this page.
        filter: FilterState,
        /// Job counts after this page.
        stats: JobStats,
        /// Committed sizes of the job's files and of the combined files.
        files: FileSizes,
        /// Dedup keys logged so far.
        seen: u64,
    },
    /// Job `job` ended.
    Finished {
        /// Job index.
        job: usize,
        /// How it ended.
        status: JobStatus,
        /// Why, when it failed.
        error: Option<JobError>,
        /// Final counts.
        stats: JobStats,
        /// Final sizes of the job's files.
        files: FileSizes,
    },
    /// The combined outputs were completed.
    BatchEnd {
        /// Final sizes of the combined files.
        files: FileSizes,
    },
}

/// Journal format version.
pub const JOURNAL_VERSION: u32 = 1;

/// The append-only journal file.
pub struct Journal {
    file: BufWriter<File>,
    path: PathBuf,
    last_sync: Instant,
}

impl Journal {
    /// Path of the journal inside a checkpoint folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("journal.ndjson")
    }

    /// Opens the journal for appending (creating it when `fresh`, truncating any old one).
    pub fn open(dir: &Path, fresh: bool) -> Result<Journal, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = Journal::path(dir);
        let file = OpenOptions::new()
            .create(true)
            .append(!fresh)
            .write(true)
            .truncate(fresh)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(Journal {
            file: BufWriter::new(file),
            path,
            last_sync: Instant::now(),
        })
    }

    /// Appends one entry and hands it to the OS (safe against the process dying);
    /// it is synced to disk at most a second later.
    pub fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        let io = |e| Error::io(&self.path, e);
        let mut line = serde_json::to_vec(entry).map_err(|e| Error::Checkpoint(e.to_string()))?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(io)?;
        self.file.flush().map_err(io)?;
        if self.last_sync.elapsed() > Duration::from_secs(1) {
            self.sync()?;
        }
        Ok(())
    }

    /// Syncs the journal to disk.
    pub fn sync(&mut self) -> Result<(), Error> {
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        self.file
            .get_ref()
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))?;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Reads every complete entry; a torn last line (the process died while
    /// writing it) is ignored, as are lines after it.
    pub fn read(dir: &Path) -> Result<Vec<Entry>, Error> {
        let path = Journal::path(dir);
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut out = Vec::new();
        for line in BufReader::new(file).split(b'\n') {
            let line = line.map_err(|e| Error::io(&path, e))?;
            match serde_json::from_slice::<Entry>(&line) {
                Ok(e) => out.push(e),
                Err(_) => break,
            }
        }
        Ok(out)
    }
}

/// The log of dedup keys (8 bytes each) of every record written, so a resumed
/// run still drops records it already wrote.
pub struct SeenLog {
    file: BufWriter<File>,
    path: PathBuf,
    count: u64,
}

impl SeenLog {
    fn path(dir: &Path) -> PathBuf {
        dir.join("seen.bin")
    }

    /// Opens the log keeping its first `keep` keys (0 for a fresh run).
    pub fn open(dir: &Path, keep: u64) -> Result<SeenLog, Error> {
        SeenLog::open_at(&SeenLog::path(dir), Some(keep))
    }

    /// Opens a key log at any path; `keep = None` keeps every whole key in it
    /// (a persistent cross-run store), `Some(n)` cuts it to its first `n` keys.
    pub fn open_at(path: &Path, keep: Option<u64>) -> Result<SeenLog, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        // A torn last key (the process died mid-write) is dropped.
        let keep = keep.unwrap_or(len / 8);
        file.set_len(keep * 8).map_err(|e| Error::io(path, e))?;
        Ok(SeenLog {
            file: BufWriter::new(file),
            path: path.to_path_buf(),
            count: keep,
        })
    }

    /// Every whole key of a key log at `path` (none when the file does not exist).
    pub fn read_all(path: &Path) -> Result<Vec<u64>, Error> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Reads the first `count` keys.
    pub fn read(dir: &Path, count: u64) -> Result<Vec<u64>, Error> {
        let path = SeenLog::path(dir);
        let mut bytes = Vec::new();
        File::open(&path)
            .and_then(|f| f.take(count * 8).read_to_end(&mut bytes))
            .map_err(|e| Error::io(&path, e))?;
        if (bytes.len() as u64) < count * 8 {
            return Err(Error::Checkpoint(format!(
                "{} holds fewer keys than the journal committed",
                path.display()
            )));
        }
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect())
    }

    /// Appends keys and hands them to the OS.
    pub fn append(&mut self, keys: &[u64]) -> Result<u64, Error> {
        for k in keys {
            self.file
                .write_all(&k.to_le_bytes())
                .map_err(|e| Error::io(&self.path, e))?;
        }
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        self.count += keys.len() as u64;
        Ok(self.count)
    }

    /// Keys logged so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), true).unwrap();
        j.append(&Entry::Header {
            version: 1,
            fingerprint: "x".into(),
        })
        .unwrap();
        j.append(&Entry::BatchEnd {
            files: FileSizes::new(),
        })
        .unwrap();
        drop(j);
        let mut f = OpenOptions::new()
            .append(true)
            .open(Journal::path(dir.path()))
            .unwrap();
        f.write_all(b"{\"t\":\"page\",\"job\":1,\"ne").unwrap();
        assert_eq!(Journal::read(dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn seen_log_keeps_committed_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SeenLog::open(dir.path(), 0).unwrap();
        s.append(&[1, 2, 3]).unwrap();
        drop(s);
        let mut s = SeenLog::open(dir.path(), 2).unwrap();
        s.append(&[9]).unwrap();
        drop(s);
        assert_eq!(SeenLog::read(dir.path(), 3).unwrap(), vec![1, 2, 9]);
    }
}
