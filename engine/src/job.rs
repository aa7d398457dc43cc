//! One job's pipeline: adapter pages → dedup → filter → enrich → the writer.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::checkpoint::{JobError, JobStats, JobStatus};
use crate::dedup::record_key;
use crate::filter::{Filter, FilterState};
use crate::{Adapter, Comment, Cursor, Dedup, Enricher, Error, FetchContext, Target};

/// Where a job starts: from scratch, or from its last committed page.
#[derive(Debug, Clone, Default)]
pub struct JobStart {
    /// Cursor after the last committed page (`None` = from the first page).
    pub cursor: Option<Cursor>,
    /// True when the last committed page was the job's last: nothing left to fetch.
    pub complete: bool,
    /// Filter counters at that point.
    pub filter: FilterState,
    /// Counts at that point.
    pub stats: JobStats,
}

/// What a job hands to the writer.
#[derive(Debug)]
pub enum JobMsg {
    /// A page of kept records.
    Page {
        /// Job index.
        job: usize,
        /// Kept records, in platform order.
        records: Vec<Comment>,
        /// Dedup keys of `records`.
        keys: Vec<u64>,
        /// Where to resume after this page.
        next: Option<Cursor>,
        /// Filter counters after this page.
        filter: FilterState,
        /// Counts after this page.
        stats: JobStats,
    },
    /// The platform announced how many records to expect.
    Total {
        /// Job index.
        job: usize,
        /// The total.
        total: u64,
    },
    /// The job ended.
    Finished {
        /// Job index.
        job: usize,
        /// How.
        status: JobStatus,
        /// Why, when it failed.
        error: Option<JobError>,
        /// Final counts.
        stats: JobStats,
    },
}

/// Everything a job needs to run.
pub struct JobRun {
    /// Job index.
    pub job: usize,
    /// The adapter.
    pub adapter: Arc<dyn Adapter>,
    /// What to export.
    pub target: Target,
    /// HTTP client and options.
    pub ctx: FetchContext,
    /// Where to start.
    pub start: JobStart,
    /// The run-wide dedup set.
    pub dedup: Arc<Mutex<Dedup>>,
    /// The enrich stage.
    pub enrichers: Arc<Vec<Arc<dyn Enricher>>>,
    /// Stops the job after its current page.
    pub cancel: CancellationToken,
}

impl JobRun {
    /// Runs the job to its end, sending pages to `tx`; the last message is always `Finished`.
    pub async fn run(self, tx: mpsc::Sender<JobMsg>) {
        let job = self.job;
        let mut stats = self.start.stats.clone();
        let (status, error) = self.pump(&tx, &mut stats).await;
        let _ = tx
            .send(JobMsg::Finished {
                job,
                status,
                error: error.as_ref().map(JobError::from),
                stats,
            })
            .await;
    }

    async fn pump(
        &self,
        tx: &mpsc::Sender<JobMsg>,
        stats: &mut JobStats,
    ) -> (JobStatus, Option<Error>) {
        let options = self.ctx.options.clone();
        let mut filter = Filter::resume(&options, self.start.filter.clone());
        if self.start.complete || filter.is_full() {
            return (JobStatus::Done, None);
        }
        let replies_in_same_page = self.adapter.info().replies_in_same_page;
        let mut pages = self.adapter.fetch(
            self.target.clone(),
            self.ctx.clone(),
            self.start.cursor.clone(),
        );
        loop {
            let item = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return (JobStatus::Stopped, None),
                item = pages.next() => item,
            };
            let page = match item {
                None => return (JobStatus::Done, None),
                Some(Err(e)) => return (JobStatus::Error, Some(e)),
                Some(Ok(page)) => page,
            };
            stats.pages += 1;
            stats.fetched += page.records.len() as u64;
            for n in page.notes {
                if !stats.notes.contains(&n) {
                    stats.notes.push(n);
                }
            }
            if let Some(total) = page.total_hint {
                stats.total_hint = Some(total);
                let _ = tx
                    .send(JobMsg::Total {
                        job: self.job,
                        total,
                    })
                    .await;
            }
            let mut page_records = page.records;
            crate::language::detect_for_filter(&options, &mut page_records);
            let (mut records, keys) = self.select(page_records, &mut filter, stats);
            for e in self.enrichers.iter() {
                e.enrich(&mut records);
            }
            stats.written += records.len() as u64;
            let last = page.next.is_none();
            let full = filter.is_done(replies_in_same_page);
            if full && !last {
                stats
                    .notes
                    .push("stopped at the requested limit".to_string());
            }
            let msg = JobMsg::Page {
                job: self.job,
                records,
                keys,
                next: page.next,
                filter: filter.state().clone(),
                stats: stats.clone(),
            };
            if tx.send(msg).await.is_err() {
                return (JobStatus::Stopped, None);
            }
            if last || full {
                return (JobStatus::Done, None);
            }
        }
    }

    /// Dedup, then filter: a record dropped by the filter is not marked as
    /// seen, so another job may still export it.
    fn select(
        &self,
        records: Vec<Comment>,
        filter: &mut Filter,
        stats: &mut JobStats,
    ) -> (Vec<Comment>, Vec<u64>) {
        let mut kept = Vec::with_capacity(records.len());
        let mut keys = Vec::with_capacity(records.len());
        let mut dedup = self.dedup.lock().unwrap_or_else(|p| p.into_inner());
        for r in records {
            match admit(&mut dedup, filter, &r) {
                Admission::Kept(key) => {
                    keys.push(key);
                    kept.push(r);
                }
                Admission::Duplicate => stats.duplicates += 1,
                Admission::Filtered => stats.filtered += 1,
            }
        }
        (kept, keys)
    }
}

/// What the dedup and filter stages decided for one record.
pub(crate) enum Admission {
    /// Kept; its dedup key is now recorded.
    Kept(u64),
    /// Already written in this run.
    Duplicate,
    /// Dropped by a filter or limit.
    Filtered,
}

/// Dedup, then filter: a record dropped by the filter is not marked as seen,
/// so another job may still export it.
pub(crate) fn admit(dedup: &mut Dedup, filter: &mut Filter, r: &Comment) -> Admission {
    let key = record_key(&r.platform, &r.id);
    if dedup.contains_key(key) {
        Admission::Duplicate
    } else if filter.check(r).is_err() {
        Admission::Filtered
    } else {
        dedup.insert_key(key);
        Admission::Kept(key)
    }
}
