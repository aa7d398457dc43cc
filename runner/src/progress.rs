//! Progress: indicatif bars on a terminal, plain log lines otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use engine::checkpoint::JobStatus;
use engine::events::{Event, EventSink};

/// How progress is shown.
pub enum Progress {
    Quiet,
    Lines(Mutex<HashMap<usize, (String, Instant)>>),
    Bars(Bars),
}

pub struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    jobs: Mutex<HashMap<usize, ProgressBar>>,
    labels: Mutex<HashMap<usize, String>>,
    records: Mutex<HashMap<usize, u64>>,
}

impl Progress {
    /// Bars when stderr is a terminal, lines otherwise, nothing when quiet.
    pub fn new(quiet: bool, jobs: usize) -> Arc<Progress> {
        Arc::new(if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(8));
            let overall = multi.add(ProgressBar::new(jobs as u64));
            overall.set_style(
                ProgressStyle::with_template(
                    "{prefix:>10.bold} [{bar:30.cyan/blue}] {pos}/{len} jobs · {msg} · {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            overall.set_prefix("batch");
            overall.enable_steady_tick(Duration::from_millis(250));
            Progress::Bars(Bars {
                multi,
                overall,
                jobs: Mutex::default(),
                labels: Mutex::default(),
                records: Mutex::default(),
            })
        } else {
            Progress::Lines(Mutex::default())
        })
    }

    /// The event receiver to hand to the batch.
    pub fn sink(self: &Arc<Self>) -> EventSink {
        let me = self.clone();
        Arc::new(move |e| me.on(e))
    }

    fn on(&self, e: Event) {
        match self {
            Progress::Quiet => {}
            Progress::Lines(state) => lines(state, e),
            Progress::Bars(b) => b.on(e),
        }
    }

    /// Clears bars before the summary table is printed.
    pub fn finish(&self) {
        if let Progress::Bars(b) = self {
            b.overall.finish_and_clear();
            let _ = b.multi.clear();
        }
    }
}

fn lines(state: &Mutex<HashMap<usize, (String, Instant)>>, e: Event) {
    let Ok(mut s) = state.lock() else { return };
    match e {
        Event::Started { job, label } => {
            eprintln!("[{label}] started");
            s.insert(job, (label, Instant::now()));
        }
        Event::Total { job, total } => {
            if let Some((label, _)) = s.get(&job) {
                eprintln!("[{label}] {total} records announced");
            }
        }
        Event::Progress { job, written, .. } => {
            if let Some((label, last)) = s.get_mut(&job) {
                if last.elapsed() >= Duration::from_secs(2) {
                    eprintln!("[{label}] {written} written");
                    *last = Instant::now();
                }
            }
        }
        Event::Finished {
            job,
            status,
            written,
            error,
        } => {
            let label = s
                .remove(&job)
                .map(|(l, _)| l)
                .unwrap_or_else(|| format!("job {job}"));
            match error {
                Some(err) => eprintln!(
                    "[{label}] {} after {written} records: {err}",
                    status_word(status)
                ),
                None => eprintln!("[{label}] {}: {written} records", status_word(status)),
            }
        }
    }
}

fn status_word(s: JobStatus) -> &'static str {
    match s {
        JobStatus::Done => "done",
        JobStatus::Error => "failed",
        JobStatus::Skipped => "skipped",
        JobStatus::Stopped => "stopped",
    }
}

impl Bars {
    fn total_records(&self) -> u64 {
        self.records.lock().map(|r| r.values().sum()).unwrap_or(0)
    }

    fn on(&self, e: Event) {
        match e {
            Event::Started { job, label } => {
                let bar = self
                    .multi
                    .insert_before(&self.overall, ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:>24} {spinner} {pos} records · {per_sec} · {elapsed}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(label.clone());
                bar.enable_steady_tick(Duration::from_millis(200));
                if let Ok(mut j) = self.jobs.lock() {
                    j.insert(job, bar);
                }
                if let Ok(mut l) = self.labels.lock() {
                    l.insert(job, label);
                }
            }
            Event::Total { job, total } => {
                if let Some(bar) = self.jobs.lock().ok().and_then(|j| j.get(&job).cloned()) {
                    bar.set_length(total);
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:>24} [{bar:30.green/white}] {pos}/{len} · {per_sec} · ETA {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                }
            }
            Event::Progress { job, written, .. } => {
                if let Some(bar) = self.jobs.lock().ok().and_then(|j| j.get(&job).cloned()) {
                    bar.set_position(written);
                }
                if let Ok(mut r) = self.records.lock() {
                    r.insert(job, written);
                }
                self.overall
                    .set_message(format!("{} records", self.total_records()));
            }
            Event::Finished {
                job,
                status,
                written,
                error,
            } => {
                if let Some(bar) = self.jobs.lock().ok().and_then(|mut j| j.remove(&job)) {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
                let label = self
                    .labels
                    .lock()
                    .ok()
                    .and_then(|l| l.get(&job).cloned())
                    .unwrap_or_default();
                if let Some(err) = error {
                    let _ = self.multi.println(format!(
                        "[{label}] {} after {written} records: {err}",
                        status_word(status)
                    ));
                }
                if let Ok(mut r) = self.records.lock() {
                    r.insert(job, written);
                }
                self.overall.inc(1);
                self.overall
                    .set_message(format!("{} records", self.total_records()));
            }
        }
    }
}
