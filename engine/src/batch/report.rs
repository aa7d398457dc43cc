//! What a batch reads (the URL list) and what it reports (`summary.json`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{JobError, JobStats, JobStatus};
use crate::Error;

/// One line of a URL list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchInput {
    /// 1-based line number in the list.
    pub line: usize,
    /// The text of the line, trimmed.
    pub text: String,
}

/// Reads a URL list: one URL a line; blank lines and `#` comments are skipped.
///
/// ```
/// let v = engine::batch::parse_url_list("# demo\nhttps://a.example/x\n\n  b.example/y  \n");
/// assert_eq!(v.len(), 2);
/// assert_eq!((v[1].line, v[1].text.as_str()), (4, "b.example/y"));
/// ```
pub fn parse_url_list(text: &str) -> Vec<BatchInput> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim().trim_start_matches('\u{feff}');
            (!t.is_empty() && !t.starts_with('#')).then(|| BatchInput {
                line: i + 1,
                text: t.to_string(),
            })
        })
        .collect()
}

/// The outcome of one line of the batch, as written in `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobReport {
    /// Line in the URL list.
    pub line: usize,
    /// The URL as given (secrets masked).
    pub url: String,
    /// Platform key, when one claimed the URL.
    pub platform: Option<String>,
    /// Id of the exported thing, when known.
    pub source_id: Option<String>,
    /// How it ended.
    pub status: JobStatus,
    /// Why it failed or was skipped.
    pub error: Option<JobError>,
    /// Counts.
    pub counts: JobStats,
    /// Time spent in this run, in milliseconds.
    pub duration_ms: u64,
    /// Output files (relative to the output folder).
    pub outputs: Vec<String>,
}

/// Totals over a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Jobs (lines).
    pub jobs: usize,
    /// Jobs done.
    pub done: usize,
    /// Jobs failed.
    pub error: usize,
    /// Jobs skipped.
    pub skipped: usize,
    /// Jobs stopped before completion.
    pub stopped: usize,
    /// Records written over all jobs.
    pub records: u64,
}

/// What a batch did: `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    /// When this run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Wall time of this run in milliseconds.
    pub duration_ms: u64,
    /// True when this run resumed an earlier one.
    pub resumed: bool,
    /// The output folder.
    pub out_dir: String,
    /// Totals.
    pub totals: Totals,
    /// Combined output files.
    pub combined_outputs: Vec<String>,
    /// One entry per line of the URL list.
    pub jobs: Vec<JobReport>,
}

impl BatchReport {
    /// Writes `summary.json` into `dir` (atomically: temp file, then rename).
    pub fn write_summary(&self, dir: &Path) -> Result<PathBuf, Error> {
        let path = dir.join("summary.json");
        let tmp = dir.join(".summary.json.tmp");
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Config(e.to_string()))?;
        std::fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// True when every job is done or skipped.
    pub fn all_ok(&self) -> bool {
        self.totals.error == 0 && self.totals.stopped == 0
    }
}
