//! What the journal of an earlier run says, for `--resume`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::checkpoint::{Entry, FileSizes, JobStats, JobStatus, Journal, JOURNAL_VERSION};
use crate::sink::Format;
use crate::writer::JobEnd;
use crate::Error;

pub(super) struct PageState {
    pub(super) next: Option<crate::Cursor>,
    pub(super) filter: crate::filter::FilterState,
    pub(super) stats: JobStats,
    pub(super) files: FileSizes,
}

/// What the journal says about an earlier run.
#[derive(Default)]
pub(super) struct Restored {
    pub(super) pages: HashMap<usize, PageState>,
    pub(super) finished: HashMap<usize, JobEnd>,
    pub(super) combined: FileSizes,
    pub(super) seen: u64,
}

impl Restored {
    /// True when a journal with at least its header line exists.
    pub(super) fn exists(dir: &Path) -> bool {
        Journal::read(dir).is_ok_and(|e| !e.is_empty())
    }

    pub(super) fn load(
        dir: &Path,
        fingerprint: &str,
        combined: bool,
        formats: &[Format],
    ) -> Result<Restored, Error> {
        let entries = Journal::read(dir).map_err(|_| {
            Error::Checkpoint(format!(
                "nothing to resume: no journal in {}",
                dir.display()
            ))
        })?;
        match entries.first() {
            Some(Entry::Header { version, fingerprint: fp }) if *version == JOURNAL_VERSION && fp == fingerprint => {}
            Some(Entry::Header { .. }) => {
                return Err(Error::Checkpoint(
                    "the journal belongs to a different batch (URL list, options or formats changed); run without --resume to start over".into(),
                ))
            }
            _ => return Err(Error::Checkpoint(format!("unreadable journal in {}", dir.display()))),
        }
        let combined_names: HashSet<String> = if combined {
            formats
                .iter()
                .map(|f| format!("all.{}", f.extension()))
                .collect()
        } else {
            HashSet::new()
        };
        let mut r = Restored::default();
        for e in entries {
            match e {
                Entry::Page {
                    job,
                    next,
                    filter,
                    stats,
                    files,
                    seen,
                } => {
                    r.seen = r.seen.max(seen);
                    for (n, s) in &files {
                        if combined_names.contains(n) {
                            r.combined.insert(n.clone(), *s);
                        }
                    }
                    r.pages.insert(
                        job,
                        PageState {
                            next,
                            filter,
                            stats,
                            files,
                        },
                    );
                }
                Entry::Finished {
                    job,
                    status,
                    error,
                    stats,
                    files,
                } => {
                    r.finished.insert(
                        job,
                        JobEnd {
                            status,
                            error,
                            stats,
                            outputs: files.into_keys().collect(),
                        },
                    );
                }
                Entry::Header { .. } | Entry::BatchEnd { .. } => {}
            }
        }
        Ok(r)
    }

    /// Done (or skipped) in the earlier run: not run again, its outputs kept as they are.
    pub(super) fn is_final(&self, job: usize) -> bool {
        self.finished
            .get(&job)
            .is_some_and(|e| matches!(e.status, JobStatus::Done | JobStatus::Skipped))
    }
}
