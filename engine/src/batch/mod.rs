//! Batches: many URLs exported concurrently under per-platform limits, one
//! output per URL plus combined files, a summary, and exact `--resume`.

mod report;
mod restore;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::checkpoint::{Entry, JobError, JobStats, JobStatus, Journal, SeenLog, JOURNAL_VERSION};
use crate::events::{Event, EventSink};
use crate::job::{JobRun, JobStart};
use crate::sink::{Format, SinkOptions};
use crate::writer::{JobEnd, Writer};
use crate::{
    redact_url, Adapter, Dedup, Enricher, Error, FetchContext, HttpSettings, JobOptions, Registry,
    Target,
};
pub use report::{parse_url_list, BatchInput, BatchReport, JobReport, Totals};
use restore::Restored;

enum Plan {
    Run {
        adapter: Arc<dyn Adapter>,
        target: Target,
    },
    Failed(Error),
    Duplicate {
        of_line: usize,
    },
}

/// A batch export, configured builder-style and run once.
///
/// ```no_run
/// # async fn f(registry: engine::Registry) -> Result<(), engine::Error> {
/// let inputs = engine::batch::parse_url_list("https://store.steampowered.com/app/440/\n");
/// let report = engine::Batch::new(registry, inputs)
///     .out_dir("export")
///     .formats(vec![engine::sink::Format::Ndjson])
///     .run()
///     .await?;
/// println!("{} records", report.totals.records);
/// # Ok(()) }
/// ```
pub struct Batch {
    registry: Registry,
    inputs: Vec<BatchInput>,
    options: JobOptions,
    http: HttpSettings,
    out_dir: PathBuf,
    formats: Vec<Format>,
    sink_options: SinkOptions,
    combined: bool,
    resume: bool,
    concurrency: usize,
    events: Option<EventSink>,
    cancel: CancellationToken,
    enrichers: Vec<Arc<dyn Enricher>>,
    dedup_store: Option<PathBuf>,
}

impl Batch {
    /// A batch over `inputs` with defaults: `./export`, NDJSON, combined file on, 8 jobs at once.
    pub fn new(registry: Registry, inputs: Vec<BatchInput>) -> Batch {
        Batch {
            registry,
            inputs,
            options: JobOptions::default(),
            http: HttpSettings::default(),
            out_dir: PathBuf::from("export"),
            formats: vec![Format::Ndjson],
            sink_options: SinkOptions::default(),
            combined: true,
            resume: false,
            concurrency: 8,
            events: None,
            cancel: CancellationToken::new(),
            enrichers: Vec::new(),
            dedup_store: None,
        }
    }

    /// Options applied to every job.
    pub fn options(mut self, options: JobOptions) -> Batch {
        self.options = options;
        self
    }

    /// Network settings.
    pub fn http(mut self, http: HttpSettings) -> Batch {
        self.http = http;
        self
    }

    /// Output folder.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Batch {
        self.out_dir = dir.into();
        self
    }

    /// Output formats (several at once).
    pub fn formats(mut self, formats: Vec<Format>) -> Batch {
        self.formats = formats;
        self
    }

    /// Columns and chunking of every output (`--fields`, `--chunk-rows`, `--zip`).
    pub fn sink_options(mut self, options: SinkOptions) -> Batch {
        self.sink_options = options;
        self
    }

    /// Whether to write the combined `all.<ext>` files.
    pub fn combined(mut self, on: bool) -> Batch {
        self.combined = on;
        self
    }

    /// Resume the batch recorded in the output folder's journal.
    pub fn resume(mut self, on: bool) -> Batch {
        self.resume = on;
        self
    }

    /// Jobs at once over all platforms (each platform also has its own limit).
    pub fn concurrency(mut self, n: usize) -> Batch {
        self.concurrency = n.max(1);
        self
    }

    /// Receiver of progress events.
    pub fn events(mut self, sink: EventSink) -> Batch {
        self.events = Some(sink);
        self
    }

    /// Token that stops the batch (jobs end after their current page, outputs stay resumable).
    pub fn cancel_token(mut self, token: CancellationToken) -> Batch {
        self.cancel = token;
        self
    }

    /// Adds a stage to the enrich step.
    pub fn enricher(mut self, e: Arc<dyn Enricher>) -> Batch {
        self.enrichers.push(e);
        self
    }

    /// A file of dedup keys shared across runs: records written by any earlier
    /// run that used the same store are not written again ("only new items").
    pub fn dedup_store(mut self, path: Option<PathBuf>) -> Batch {
        self.dedup_store = path;
        self
    }

    fn fingerprint(&self) -> String {
        let basis = serde_json::json!({
            "inputs": self.inputs,
            "options": self.options,
            "formats": self.formats,
            "sink_options": self.sink_options,
            "combined": self.combined,
        });
        format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(basis.to_string().as_bytes())
        )
    }

    fn plan(&self) -> Vec<Plan> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        self.inputs
            .iter()
            .map(|input| match self.registry.detect(&input.text) {
                Err(e) => Plan::Failed(e),
                Ok((adapter, target)) => match seen.get(&target.key()) {
                    Some(&of_line) => Plan::Duplicate { of_line },
                    None => {
                        seen.insert(target.key(), input.line);
                        Plan::Run { adapter, target }
                    }
                },
            })
            .collect()
    }

    /// Runs the batch to its end (or until cancelled) and writes `summary.json`.
    pub async fn run(self) -> Result<BatchReport, Error> {
        let started_at = Utc::now();
        let t0 = Instant::now();
        std::fs::create_dir_all(&self.out_dir).map_err(|e| Error::io(&self.out_dir, e))?;
        if self.formats.is_empty() {
            return Err(Error::Config("no output format".into()));
        }
        let ckpt_dir = self.out_dir.join(".runner");
        let plans = self.plan();
        let fingerprint = self.fingerprint();
        // A run killed before its journal had a complete first line left
        // nothing to resume: start it afresh rather than refuse.
        let resume = self.resume && Restored::exists(&ckpt_dir);
        if self.resume && !resume {
            tracing::warn!(
                "no checkpoint in {}: starting from the beginning",
                ckpt_dir.display()
            );
        }
        let restored = if resume {
            Restored::load(&ckpt_dir, &fingerprint, self.combined, &self.formats)?
        } else {
            Restored::default()
        };
        let mut journal = Journal::open(&ckpt_dir, !resume)?;
        if !resume {
            journal.append(&Entry::Header {
                version: JOURNAL_VERSION,
                fingerprint,
            })?;
        }
        let mut dedup = Dedup::new();
        let committed = SeenLog::read(&ckpt_dir, restored.seen).unwrap_or_default();
        for &k in &committed {
            dedup.insert_key(k);
        }
        let seen = SeenLog::open(&ckpt_dir, restored.seen)?;
        let store = match &self.dedup_store {
            Some(path) => {
                let stored = SeenLog::read_all(path)?;
                let mut log = SeenLog::open_at(path, None)?;
                if resume && !committed.is_empty() {
                    // The store is appended after the journal line: a crash in
                    // between left committed keys out of it, and the next run
                    // would export those records again.
                    let have: HashSet<u64> = stored.iter().copied().collect();
                    let missing: Vec<u64> = committed
                        .iter()
                        .copied()
                        .filter(|k| !have.contains(k))
                        .collect();
                    log.append(&missing)?;
                }
                for k in stored {
                    dedup.insert_key(k);
                }
                Some(log)
            }
            None => None,
        };
        let dedup = Arc::new(Mutex::new(dedup));

        // Which jobs run now, from where, and which files reopen at which size.
        let mut resume_sizes = restored.combined.clone();
        let mut stems = HashMap::new();
        let mut starts: HashMap<usize, JobStart> = HashMap::new();
        for (i, plan) in plans.iter().enumerate() {
            if let Plan::Run { target, .. } = plan {
                stems.insert(i, target.key());
                if restored.is_final(i) {
                    continue;
                }
                let start = match restored.pages.get(&i) {
                    Some(p) => {
                        resume_sizes.extend(
                            p.files
                                .iter()
                                .filter(|(n, _)| !restored.combined.contains_key(*n))
                                .map(|(n, s)| (n.clone(), *s)),
                        );
                        JobStart {
                            cursor: p.next.clone(),
                            complete: p.next.is_none(),
                            filter: p.filter.clone(),
                            stats: p.stats.clone(),
                        }
                    }
                    None => JobStart::default(),
                };
                starts.insert(i, start);
            }
        }

        let writer = Writer {
            dir: self.out_dir.clone(),
            formats: self.formats.clone(),
            options: self.sink_options.clone(),
            stems,
            resume_sizes,
            combined: self.combined,
            journal,
            seen,
            store,
            events: self.events.clone(),
        };
        // Pages waiting for the writer are the largest thing in memory: about
        // two per running job keeps the writer busy without hoarding records.
        let (tx, rx) = mpsc::channel((2 * self.concurrency).clamp(4, 32));
        let writer_task = tokio::task::spawn_blocking(move || writer.run(rx));

        let global = Arc::new(Semaphore::new(self.concurrency));
        let mut per_platform: HashMap<&str, Arc<Semaphore>> = HashMap::new();
        let mut clients = HashMap::new();
        let options = Arc::new(self.options.clone());
        let enrichers = Arc::new(self.enrichers.clone());
        let durations: Arc<Mutex<HashMap<usize, u64>>> = Arc::default();
        let mut tasks = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            let (Plan::Run { adapter, target }, Some(start)) = (plan, starts.remove(&i)) else {
                continue;
            };
            let info = adapter.info();
            let http = match clients.get(info.key) {
                Some(c) => Clone::clone(c),
                None => {
                    let c = self.http.client_for(info)?;
                    clients.insert(info.key, c.clone());
                    c
                }
            };
            let sem = per_platform
                .entry(info.key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.http.concurrency_for(info))))
                .clone();
            let run = JobRun {
                job: i,
                adapter: adapter.clone(),
                target: target.clone(),
                ctx: FetchContext {
                    http,
                    options: options.clone(),
                },
                start,
                dedup: dedup.clone(),
                enrichers: enrichers.clone(),
                cancel: self.cancel.clone(),
            };
            let (tx, global, events, durations) = (
                tx.clone(),
                global.clone(),
                self.events.clone(),
                durations.clone(),
            );
            let label = format!("{} {}", info.key, target.id);
            tasks.push(tokio::spawn(async move {
                let _g = global.acquire_owned().await;
                let _p = sem.acquire_owned().await;
                if let Some(ev) = &events {
                    ev(Event::Started { job: i, label });
                }
                let t = Instant::now();
                run.run(tx).await;
                if let Ok(mut d) = durations.lock() {
                    d.insert(i, t.elapsed().as_millis() as u64);
                }
            }));
        }
        drop(tx);
        for t in tasks {
            let _ = t.await;
        }
        let (ends, combined_outputs) = writer_task
            .await
            .map_err(|e| Error::Config(format!("writer thread failed: {e}")))??;

        let durations = durations.lock().map(|d| d.clone()).unwrap_or_default();
        let jobs: Vec<JobReport> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| self.report(i, plan, &ends, &restored, durations.get(&i).copied()))
            .collect();
        let mut totals = Totals {
            jobs: jobs.len(),
            ..Default::default()
        };
        for j in &jobs {
            totals.records += j.counts.written;
            match j.status {
                JobStatus::Done => totals.done += 1,
                JobStatus::Error => totals.error += 1,
                JobStatus::Skipped => totals.skipped += 1,
                JobStatus::Stopped => totals.stopped += 1,
            }
        }
        let report = BatchReport {
            started_at,
            finished_at: Utc::now(),
            duration_ms: t0.elapsed().as_millis() as u64,
            resumed: resume,
            out_dir: self.out_dir.display().to_string(),
            totals,
            combined_outputs,
            jobs,
        };
        report.write_summary(&self.out_dir)?;
        Ok(report)
    }

    fn report(
        &self,
        i: usize,
        plan: &Plan,
        ends: &HashMap<usize, JobEnd>,
        restored: &Restored,
        ms: Option<u64>,
    ) -> JobReport {
        let input = &self.inputs[i];
        let mut r = JobReport {
            line: input.line,
            url: redact_url(&input.text),
            platform: None,
            source_id: None,
            status: JobStatus::Error,
            error: None,
            counts: JobStats::default(),
            duration_ms: ms.unwrap_or(0),
            outputs: Vec::new(),
        };
        match plan {
            Plan::Failed(e) => r.error = Some(JobError::from(e)),
            Plan::Duplicate { of_line } => {
                r.status = JobStatus::Skipped;
                r.error = Some(JobError {
                    kind: "duplicate".into(),
                    message: format!("same target as line {of_line}"),
                });
            }
            Plan::Run { target, .. } => {
                r.platform = Some(target.platform.clone());
                r.source_id = Some(target.id.clone());
                let end = ends
                    .get(&i)
                    .cloned()
                    .or_else(|| restored.finished.get(&i).cloned());
                if let Some(end) = end {
                    r.status = end.status;
                    r.error = end.error;
                    r.counts = end.stats;
                    r.outputs = end.outputs;
                } else {
                    r.error = Some(JobError {
                        kind: "internal".into(),
                        message: "job ended without a result".into(),
                    });
                }
            }
        }
        r
    }
}
