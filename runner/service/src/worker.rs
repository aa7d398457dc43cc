//! Workers: lease a job, run it through the engine into `jobs/<guid>/`
//! (JSON + XLSX, with the engine's checkpoint), renew the lease while it runs,
//! publish progress, and record how it ended.
//!
//! A worker that dies stops renewing its lease; after `lease` another worker
//! (in this or another process) takes the job and resumes it from its
//! checkpoint, so its output holds every record once.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::batch::parse_url_list;
use engine::checkpoint::JobStatus;
use engine::events::Event;
use engine::sink::Format;
use engine::{Batch, CancellationToken};

use crate::events::emit;
use crate::server::links;
use crate::store::{Heartbeat, JobRow, Lease};
use crate::AppState;

/// Runs worker number `n` until the service shuts down.
pub async fn run(state: AppState, n: usize) {
    let id = format!("{}-{}-{}", hostname(), std::process::id(), n);
    loop {
        if state.shutdown.is_cancelled() {
            return;
        }
        let store = state.store.clone();
        let worker = id.clone();
        let lease_ms = state.config.lease.as_millis() as i64;
        let per_user = state.config.limits.concurrent_exports as i64;
        let leased =
            tokio::task::spawn_blocking(move || store.lease_next(&worker, lease_ms, per_user))
                .await;
        match leased {
            Ok(Ok(Some(lease))) => {
                // A panic inside one job must not take the worker down.
                let job_state = state.clone();
                let worker = id.clone();
                let guid = lease.job.guid.clone();
                let handle = tokio::spawn(async move { run_job(job_state, &worker, lease).await });
                if let Err(e) = handle.await {
                    tracing::error!("job {guid} crashed: {e}");
                    let store = state.store.clone();
                    let worker = id.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        let job = store.job(&guid)?;
                        if let Some(job) = job {
                            store.finish(
                                &worker,
                                job.id,
                                "error",
                                job.total_exported,
                                Some((
                                    "internal",
                                    "the worker crashed on this job; retry resumes it",
                                )),
                                None,
                                None,
                            )?;
                            if let Some(j) = store.job(&guid)? {
                                emit(&store, "job.failed", &j, &Default::default())?;
                            }
                        }
                        Ok::<_, crate::ServiceError>(())
                    })
                    .await;
                }
            }
            Ok(Ok(None)) => {
                tokio::select! {
                    _ = state.shutdown.cancelled() => return,
                    _ = tokio::time::sleep(state.config.poll_interval) => {}
                }
            }
            Ok(Err(e)) => {
                tracing::warn!("worker {id}: cannot lease: {e}");
                tokio::time::sleep(state.config.poll_interval * 4).await;
            }
            Err(_) => return,
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "host".into())
}

/// The engine settings of one job: the service's, plus the job's cookies and exit location.
fn job_settings(
    state: &AppState,
    job: &JobRow,
) -> Result<(engine::JobOptions, engine::HttpSettings), String> {
    let parsed = crate::options::parse(
        Some(&job.options_with_secrets()),
        &state.config.job_defaults,
    )
    .map_err(|e| e.detail)?;
    let mut http = state.config.http.clone();
    if let (Some(cookie), Some(platform)) = (&parsed.cookie_header, &job.platform) {
        http.cookies.insert(platform.clone(), cookie.clone());
    }
    // A location without a configured proxy may be served by a pool (job_setup::prepare_job).
    if let Some(vpn) = &parsed.vpn {
        let loc = state
            .config
            .vpn_locations
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(vpn) || l.code.eq_ignore_ascii_case(vpn));
        if let Some(p) = loc.and_then(|l| l.proxy.as_ref()) {
            http.proxy = Some(p.clone());
        }
    }
    Ok((parsed.engine, http))
}

async fn run_job(state: AppState, worker: &str, lease: Lease) {
    let job = lease.job;
    let store = state.store.clone();
    let lease_ms = state.config.lease.as_millis() as i64;
    let dir = state.config.job_dir(&job.guid);
    let (options, mut http) = match job_settings(&state, &job) {
        Ok(s) => s,
        Err(msg) => {
            finish(
                &state,
                worker,
                &job,
                "error",
                0,
                Some(("config", &msg)),
                None,
                None,
            )
            .await;
            return;
        }
    };
    let dedup_store = match crate::job_setup::prepare_job(&state, &job, &mut http).await {
        Ok(d) => d,
        Err(msg) => {
            finish(
                &state,
                worker,
                &job,
                "error",
                0,
                Some(("config", &msg)),
                None,
                None,
            )
            .await;
            return;
        }
    };
    let written = Arc::new(AtomicI64::new(job.total_exported));
    let total = Arc::new(AtomicI64::new(job.total.unwrap_or(-1)));
    let (w, t) = (written.clone(), total.clone());
    let sink: engine::events::EventSink = Arc::new(move |e| match e {
        Event::Progress { written, .. } => w.store(written as i64, Ordering::Relaxed),
        Event::Total { total, .. } => t.store(total as i64, Ordering::Relaxed),
        _ => {}
    });
    let cancel = CancellationToken::new();
    let resume = dir.join(".runner").join("journal.ndjson").exists();
    let batch = Batch::new(state.registry.clone(), parse_url_list(&job.url))
        .options(options)
        .http(http)
        .out_dir(&dir)
        .formats(vec![Format::Json, Format::Xlsx])
        .combined(false)
        .concurrency(1)
        .resume(resume)
        .dedup_store(dedup_store)
        .events(sink)
        .cancel_token(cancel.clone());
    let run = tokio::spawn(batch.run());
    tokio::pin!(run);

    // Renew the lease and publish progress while the engine runs.
    let beat = state.config.lease / 3;
    let mut last_event = Instant::now();
    let mut last_sent = -1i64;
    let mut why_cancelled = None;
    let report = loop {
        tokio::select! {
            r = &mut run => break r,
            _ = tokio::time::sleep(beat.min(Duration::from_millis(500))) => {}
            _ = state.shutdown.cancelled(), if why_cancelled.is_none() => {
                why_cancelled = Some(Heartbeat::Lost);
                cancel.cancel();
                continue;
            }
        }
        let exported = written.load(Ordering::Relaxed);
        let t = total.load(Ordering::Relaxed);
        let s = store.clone();
        let w = worker.to_string();
        let id = job.id;
        let hb = tokio::task::spawn_blocking(move || {
            s.heartbeat(&w, id, lease_ms, exported, (t >= 0).then_some(t))
        })
        .await;
        match hb {
            Ok(Ok(Heartbeat::Held))
                if exported != last_sent
                    && last_event.elapsed() >= state.config.progress_interval =>
            {
                last_sent = exported;
                last_event = Instant::now();
                let _ = emit_blocking(&state, "job.progress", &job.guid).await;
            }
            Ok(Ok(Heartbeat::Held)) => {}
            Ok(Ok(h)) if why_cancelled.is_none() => {
                why_cancelled = Some(h);
                cancel.cancel();
            }
            _ => {}
        }
    };
    let exported = written.load(Ordering::Relaxed);
    // A job shorter than one progress interval still reports its progress once
    // before it ends (clients draw bars from job.progress).
    if why_cancelled.is_none() && exported > 0 && exported != last_sent {
        let t = total.load(Ordering::Relaxed);
        let s = store.clone();
        let w = worker.to_string();
        let id = job.id;
        let held = tokio::task::spawn_blocking(move || {
            s.heartbeat(&w, id, lease_ms, exported, (t >= 0).then_some(t))
        })
        .await;
        if matches!(held, Ok(Ok(Heartbeat::Held))) {
            let _ = emit_blocking(&state, "job.progress", &job.guid).await;
        }
    }
    match why_cancelled {
        Some(Heartbeat::Stopped) => {
            let s = store.clone();
            let id = job.id;
            let _ = tokio::task::spawn_blocking(move || s.record_stopped(id, exported)).await;
            return;
        }
        // Lease lost or shutting down: the job stays leased/queued; whoever
        // takes it next resumes from the checkpoint. Record nothing.
        Some(_) => return,
        None => {}
    }
    let report = match report {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            let kind = e.kind().to_string();
            finish(
                &state,
                worker,
                &job,
                "error",
                exported,
                Some((&kind, &e.to_string())),
                None,
                None,
            )
            .await;
            return;
        }
        Err(e) => {
            finish(
                &state,
                worker,
                &job,
                "error",
                exported,
                Some(("internal", &format!("export task failed: {e}"))),
                None,
                None,
            )
            .await;
            return;
        }
    };
    let Some(jr) = report.jobs.first() else {
        finish(
            &state,
            worker,
            &job,
            "error",
            exported,
            Some(("invalid_url", "no URL in the job")),
            None,
            None,
        )
        .await;
        return;
    };
    let rel = |ext: &str| {
        jr.outputs
            .iter()
            .find(|o| o.ends_with(ext))
            .map(|o| format!("jobs/{}/{o}", job.guid))
    };
    let count = jr.counts.written as i64;
    match jr.status {
        JobStatus::Done | JobStatus::Skipped => {
            finish(
                &state,
                worker,
                &job,
                "done",
                count,
                None,
                rel(".json").as_deref(),
                rel(".xlsx").as_deref(),
            )
            .await;
        }
        JobStatus::Error => {
            let (kind, msg) = jr
                .error
                .as_ref()
                .map(|e| (e.kind.clone(), e.message.clone()))
                .unwrap_or_else(|| ("internal".into(), "failed".into()));
            finish(
                &state,
                worker,
                &job,
                "error",
                count,
                Some((&kind, &msg)),
                None,
                None,
            )
            .await;
        }
        // Stopped without our asking: the process is shutting down; leave it leased.
        JobStatus::Stopped => {}
    }
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    state: &AppState,
    worker: &str,
    job: &JobRow,
    status: &str,
    exported: i64,
    error: Option<(&str, &str)>,
    json_file: Option<&str>,
    xlsx_file: Option<&str>,
) {
    let store = state.store.clone();
    let (worker, status) = (worker.to_string(), status.to_string());
    let error = error.map(|(k, m)| (k.to_string(), m.to_string()));
    let (json_file, xlsx_file) = (json_file.map(str::to_string), xlsx_file.map(str::to_string));
    let (id, guid, user_id) = (job.id, job.guid.clone(), job.user_id);
    let platform = job.platform.clone().unwrap_or_else(|| "unknown".into());
    let base = state.public_url.clone();
    let r = tokio::task::spawn_blocking(move || {
        let ours = store.finish(
            &worker,
            id,
            &status,
            exported,
            error.as_ref().map(|(k, m)| (k.as_str(), m.as_str())),
            json_file.as_deref(),
            xlsx_file.as_deref(),
        )?;
        if !ours {
            return Ok(());
        }
        let kind = error.as_ref().map(|(k, _)| k.as_str());
        store.job_ended(id, &worker, status == "done", kind)?;
        store.add_usage(user_id, &platform, 0, 0, exported)?;
        if let Some(j) = store.job(&guid)? {
            let event = if status == "done" {
                "job.finished"
            } else {
                "job.failed"
            };
            emit(&store, event, &j, &links(&base, &j))?;
        }
        Ok::<_, crate::ServiceError>(())
    })
    .await;
    if let Ok(Err(e)) = r {
        tracing::warn!("cannot record the end of job {}: {e}", job.guid);
    }
}

async fn emit_blocking(
    state: &AppState,
    event: &'static str,
    guid: &str,
) -> Result<(), crate::ServiceError> {
    let store = state.store.clone();
    let guid = guid.to_string();
    let base = state.public_url.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(j) = store.job(&guid)? {
            emit(&store, event, &j, &links(&base, &j))?;
        }
        Ok(())
    })
    .await
    .map_err(|e| crate::ServiceError::Store(e.to_string()))?
}
