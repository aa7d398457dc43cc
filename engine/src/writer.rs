//! The writer: the single owner of every output file, the journal and the
//! dedup log. Jobs send it pages; it writes, flushes, then journals, so the
//! journal never names bytes that are not in the files.

use std::collections::HashMap;
use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::checkpoint::{Entry, FileSizes, JobError, JobStats, JobStatus, Journal, SeenLog};
use crate::events::{Event, EventSink};
use crate::job::JobMsg;
use crate::sink::{encoder_with, open_file_with, Encoder, Format, Sink, SinkOptions};
use crate::Comment;
use crate::Error;

/// How a job ended, as the writer saw it.
#[derive(Debug, Clone)]
pub struct JobEnd {
    /// Status.
    pub status: JobStatus,
    /// Error, when it failed.
    pub error: Option<JobError>,
    /// Final counts.
    pub stats: JobStats,
    /// Output files written (relative names).
    pub outputs: Vec<String>,
}

pub(crate) struct Writer {
    pub dir: PathBuf,
    pub formats: Vec<Format>,
    /// Columns and chunking, the same for every output.
    pub options: SinkOptions,
    /// File stem of each job's outputs (`steam_440`).
    pub stems: HashMap<usize, String>,
    /// Committed sizes to reopen files at (resume); absent = create anew.
    pub resume_sizes: FileSizes,
    pub combined: bool,
    pub journal: Journal,
    pub seen: SeenLog,
    /// Cross-run dedup store, appended once a page is committed (never before:
    /// a key stored for a page a crash then cut would drop that record forever).
    pub store: Option<SeenLog>,
    pub events: Option<EventSink>,
}

struct OpenFile {
    name: String,
    sink: Box<dyn Sink>,
}

impl Writer {
    fn open(&self, name: &str, format: Format) -> Result<OpenFile, Error> {
        let path = self.dir.join(name);
        Ok(OpenFile {
            name: name.to_string(),
            sink: open_file_with(
                format,
                &path,
                self.resume_sizes.get(name).copied(),
                &self.options,
            )?,
        })
    }

    fn emit(&self, e: Event) {
        if let Some(f) = &self.events {
            f(e);
        }
    }

    fn job_files(&self, job: usize) -> Result<Vec<OpenFile>, Error> {
        let stem = self
            .stems
            .get(&job)
            .cloned()
            .unwrap_or_else(|| format!("job_{job}"));
        self.formats
            .iter()
            .map(|f| self.open(&format!("{stem}.{}", f.extension()), *f))
            .collect()
    }

    /// Runs until every sender is gone; returns how each job ended and the combined outputs.
    pub fn run(
        mut self,
        mut rx: mpsc::Receiver<JobMsg>,
    ) -> Result<(HashMap<usize, JobEnd>, Vec<String>), Error> {
        let mut combined: Vec<OpenFile> = Vec::new();
        if self.combined {
            for f in self.formats.clone() {
                combined.push(self.open(&format!("all.{}", f.extension()), f)?);
            }
        }
        let mut open: HashMap<usize, Vec<OpenFile>> = HashMap::new();
        let mut encoders: HashMap<Format, Box<dyn Encoder>> = HashMap::new();
        let mut buf = Vec::with_capacity(16 * 1024);
        let mut ends = HashMap::new();
        while let Some(msg) = rx.blocking_recv() {
            match msg {
                JobMsg::Total { job, total } => self.emit(Event::Total { job, total }),
                JobMsg::Page {
                    job,
                    records,
                    keys,
                    next,
                    filter,
                    stats,
                } => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = open.entry(job) {
                        slot.insert(self.job_files(job)?);
                    }
                    let files = open
                        .get_mut(&job)
                        .map(|v| v.as_mut_slice())
                        .unwrap_or_default();
                    let mut sizes = FileSizes::new();
                    let mut targets: Vec<&mut OpenFile> =
                        files.iter_mut().chain(combined.iter_mut()).collect();
                    let fields = &self.options.fields;
                    write_records(&mut targets, &records, fields, &mut encoders, &mut buf)?;
                    for f in targets {
                        sizes.insert(f.name.clone(), f.sink.commit()?);
                    }
                    let seen = self.seen.append(&keys)?;
                    self.journal.append(&Entry::Page {
                        job,
                        next,
                        filter,
                        stats: stats.clone(),
                        files: sizes,
                        seen,
                    })?;
                    if let Some(store) = &mut self.store {
                        store.append(&keys)?;
                    }
                    self.emit(Event::Progress {
                        job,
                        written: stats.written,
                        fetched: stats.fetched,
                    });
                }
                JobMsg::Finished {
                    job,
                    status,
                    error,
                    stats,
                } => {
                    let mut files = open.remove(&job).unwrap_or_default();
                    if files.is_empty() && status == JobStatus::Done {
                        // A job with nothing to export still gets its (empty, valid) files.
                        files = self.job_files(job)?;
                    }
                    let mut sizes = FileSizes::new();
                    let mut outputs = Vec::new();
                    for f in &mut files {
                        sizes.insert(f.name.clone(), f.sink.finish()?);
                        outputs.extend(f.sink.outputs(&f.name));
                    }
                    let names: Vec<String> = sizes.keys().cloned().collect();
                    self.journal.append(&Entry::Finished {
                        job,
                        status,
                        error: error.clone(),
                        stats: stats.clone(),
                        files: sizes,
                    })?;
                    self.emit(Event::Finished {
                        job,
                        status,
                        written: stats.written,
                        error: error.as_ref().map(|e| e.message.clone()),
                    });
                    if status == JobStatus::Done {
                        // A done job is never resumed: its spools have served.
                        for n in &names {
                            crate::sink::remove_spools(&self.dir, n);
                        }
                    }
                    ends.insert(
                        job,
                        JobEnd {
                            status,
                            error,
                            stats,
                            outputs,
                        },
                    );
                }
            }
        }
        let mut sizes = FileSizes::new();
        let mut combined_outputs = Vec::new();
        for f in &mut combined {
            sizes.insert(f.name.clone(), f.sink.finish()?);
            combined_outputs.extend(f.sink.outputs(&f.name));
        }
        if self.combined {
            self.journal.append(&Entry::BatchEnd { files: sizes })?;
        }
        self.journal.sync()?;
        // The combined XLSX spool stays: a later `--resume` reopens the
        // combined outputs at their committed sizes.
        Ok((ends, combined_outputs))
    }
}

/// Writes `records` to every file, encoding the page once per format and
/// handing the same bytes to all files of that format (the per-URL file and
/// the combined one); sinks without a shared encoding get records.
fn write_records(
    files: &mut [&mut OpenFile],
    records: &[Comment],
    fields: &crate::sink::Fields,
    encoders: &mut HashMap<Format, Box<dyn Encoder>>,
    buf: &mut Vec<u8>,
) -> Result<(), Error> {
    if records.is_empty() {
        return Ok(());
    }
    let mut formats: Vec<Format> = files.iter().filter_map(|f| f.sink.text_format()).collect();
    formats.sort_by_key(|f| f.extension());
    formats.dedup();
    for format in formats {
        let encoder = encoders
            .entry(format)
            .or_insert_with(|| encoder_with(format, fields));
        buf.clear();
        encoder.page(records, buf)?;
        for f in files
            .iter_mut()
            .filter(|f| f.sink.text_format() == Some(format))
        {
            f.sink.write_encoded(buf)?;
        }
    }
    for f in files.iter_mut().filter(|f| f.sink.text_format().is_none()) {
        for r in records {
            f.sink.write(r)?;
        }
    }
    Ok(())
}
