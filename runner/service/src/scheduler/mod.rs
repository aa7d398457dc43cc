//! When schedules and workflows run, and the loop that runs them.
//!
//! Fixed frequencies count slots from an anchor (the local date-time of
//! creation, of the last timing change or of resuming): slot *k* (k ≥ 1) is
//! the anchor's hour (`hourly`), day (`daily`), week (`weekly`) or day of month
//! (`monthly`) plus *k* periods, at `preferredTime` in the schedule's time
//! zone (as the documented examples show, the first run falls in the next
//! period). `custom` takes a cron expression: five fields (minute hour
//! day-of-month month day-of-week, day 0 or 7 = Sunday) as in crontab, or
//! six/seven fields with seconds first (and a year last) in the `cron`
//! crate's convention (day 1 = Sunday).
//!
//! Every service process runs one loop. It claims a due slot with a
//! conditional update (`next_run_at` still equal to the slot it read), in the
//! transaction that creates the run's jobs, so two servers sharing a store
//! never run a slot twice; the new `next_run_at` is the first slot after now,
//! so slots missed while every server was down give one run, not one per slot.
//! The loop also ends runs whose jobs have ended and counts them.

mod timing;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use timing::{parse_anchor, parse_cron, parse_time, show_anchor, Frequency, Timing};

use crate::events::emit;
use crate::store::{JobRow, MailDraft, NewJob, RunOutcome, RunStart, ScheduleRow, Store};
use crate::{AppState, ServiceError};

/// The timing of a stored schedule.
pub fn timing_of(s: &ScheduleRow) -> Result<Timing, String> {
    Timing::parse(
        &s.frequency,
        s.custom_cron.as_deref(),
        s.preferred_time.as_deref(),
        &s.timezone,
    )
}

/// The key of a schedule's or workflow step's cross-run dedup file.
pub fn dedup_key(s: &ScheduleRow, step: i64) -> String {
    if s.kind == "workflow" {
        format!("workflow-{}-step{step}", s.uuid)
    } else {
        format!("schedule-{}", s.uuid)
    }
}

/// The dedup file of a key under the data directory.
pub fn dedup_path(data_dir: &std::path::Path, key: &str) -> PathBuf {
    data_dir.join("dedup").join(format!("{key}.seen"))
}

/// What a run of `s` starts with (for workflows: step 1 on the source URL).
pub fn run_start(s: &ScheduleRow) -> RunStart {
    let options = if s.kind == "workflow" {
        crate::api::workflow_step_options(s, 1)
    } else {
        s.options.clone()
    };
    RunStart {
        jobs: vec![NewJob {
            user_id: s.user_id,
            url: s.url.clone(),
            platform: engine_key(s),
            options,
            secrets: s.secrets.clone(),
            sandbox: false,
        }],
        dedup_key: dedup_key(s, 1),
    }
}

fn engine_key(s: &ScheduleRow) -> Option<String> {
    // The stored platform is the documented domain; jobs keep the adapter key.
    adapters::registry()
        .detect(&s.url)
        .ok()
        .map(|(a, _)| a.info().key.to_string())
}

/// Records `job.created` (outbox, webhooks) and usage for jobs a run created.
pub fn announce(store: &Store, jobs: &[JobRow]) -> Result<(), ServiceError> {
    for j in jobs {
        emit(store, "job.created", j, &Default::default())?;
        store.add_usage(
            j.user_id,
            j.platform.as_deref().unwrap_or("unknown"),
            0,
            1,
            0,
        )?;
    }
    Ok(())
}

/// Runs due schedules and ends finished runs until the service shuts down.
pub async fn run(state: AppState) {
    let every = state
        .config
        .poll_interval
        .clamp(Duration::from_millis(20), Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let st = state.clone();
        match tokio::task::spawn_blocking(move || tick(&st, Utc::now())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("scheduler: {e}"),
            Err(_) => return,
        }
    }
}

/// One pass: start due slots, then settle runs whose step has ended.
pub fn tick(state: &AppState, now: DateTime<Utc>) -> Result<(), ServiceError> {
    let store = &state.store;
    let now_ms = now.timestamp_millis();
    for s in store.due_schedules(now_ms, 50)? {
        let Some(slot) = s.next_run_at else { continue };
        let next = timing_of(&s)
            .ok()
            .and_then(|t| t.next_after(parse_anchor(&s.anchor), now));
        let Some(next) = next else {
            // A cron expression with no future slot (or a broken row): stop it.
            tracing::warn!("schedule {} has no next slot; paused", s.uuid);
            store.set_schedule_enabled(s.id, None, &s.anchor)?;
            continue;
        };
        let start = run_start(&s);
        if let Some(jobs) = store.claim_slot(s.id, slot, next.timestamp_millis(), now_ms, &start)? {
            announce(store, &jobs)?;
        }
    }
    settle(state)
}

/// The mail that ends a run, when the server can send mail, the schedule asks
/// for it (`deliveryMethod: email` or `sendNotification`) and its user has an
/// address.
fn notification(
    state: &AppState,
    s: &ScheduleRow,
    ok: bool,
    jobs: &[JobRow],
) -> Result<Option<MailDraft>, ServiceError> {
    if state.config.smtp.is_none() || !(s.delivery_method == "email" || s.send_notification) {
        return Ok(None);
    }
    let Some(recipient) = state.store.user_email(s.user_id)? else {
        return Ok(None);
    };
    Ok(Some(crate::mailer::run_mail(state, s, ok, jobs, recipient)))
}

fn settle(state: &AppState) -> Result<(), ServiceError> {
    let store = &state.store;
    for (run_id, step, s) in store.open_runs(200)? {
        let jobs = store.step_jobs(run_id, step)?;
        if jobs
            .iter()
            .any(|j| matches!(j.status.as_str(), "queueing" | "progress"))
        {
            continue;
        }
        let ok = !jobs.is_empty() && jobs.iter().all(|j| j.status == "done");
        let results: i64 = jobs.iter().map(|j| j.total_exported).sum();
        let next = if ok && s.kind == "workflow" {
            crate::api::workflow_next_step(state, &s, step, &jobs)
        } else {
            None
        };
        let steps = s.step_count();
        let created = match next {
            Some(next_jobs) if !next_jobs.is_empty() => store.settle_run(
                run_id,
                step,
                RunOutcome::Next {
                    results,
                    jobs: &next_jobs,
                    dedup_key: &dedup_key(&s, step + 1),
                },
            )?,
            // Nothing passed on: the later steps have nothing to do.
            Some(_) => {
                let mail = notification(state, &s, true, &jobs)?;
                store.settle_run(
                    run_id,
                    step,
                    RunOutcome::End {
                        ok: true,
                        results,
                        steps_completed: steps,
                        mail: mail.as_ref(),
                    },
                )?
            }
            None => {
                let mail = notification(state, &s, ok, &jobs)?;
                store.settle_run(
                    run_id,
                    step,
                    RunOutcome::End {
                        ok,
                        results,
                        steps_completed: if ok { step } else { step - 1 },
                        mail: mail.as_ref(),
                    },
                )?
            }
        };
        if let Some(jobs) = created {
            announce(store, &jobs)?;
        }
    }
    Ok(())
}
