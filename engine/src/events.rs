//! Progress events a batch emits, for progress bars, logs or a job service.

use std::sync::Arc;

use crate::checkpoint::JobStatus;

/// Something that happened in a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A job started fetching.
    Started {
        /// Job index.
        job: usize,
        /// What it exports (`steam 440`).
        label: String,
    },
    /// The platform announced a total for the job.
    Total {
        /// Job index.
        job: usize,
        /// Expected records.
        total: u64,
    },
    /// A page was written.
    Progress {
        /// Job index.
        job: usize,
        /// Records written so far by this job.
        written: u64,
        /// Records fetched so far by this job.
        fetched: u64,
    },
    /// A job ended.
    Finished {
        /// Job index.
        job: usize,
        /// How.
        status: JobStatus,
        /// Records written.
        written: u64,
        /// Error message, when it failed.
        error: Option<String>,
    },
}

/// A receiver of events; called from the batch's threads, so keep it quick.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;
