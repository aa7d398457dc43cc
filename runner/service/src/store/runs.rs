//! Runs of schedules and workflows: the slot claim that keeps two servers
//! sharing a store from running one slot twice, run-now, step chaining and
//! settling a run when its jobs end.

use super::db::{vals, Db};
use super::jobs::{insert_job_in, JobRow, NewJob};
use super::schedules::{schedule_row, SCOLS};
use super::{ScheduleRow, Store};
use crate::ServiceError;

/// One run of a schedule or workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Row id.
    pub id: i64,
    /// The slot it ran for (ms); `None` for run-now.
    pub slot: Option<i64>,
    /// `running`, `completed` or `failed`.
    pub status: String,
    /// Step now running (workflows).
    pub step: i64,
    /// Steps finished.
    pub steps_completed: i64,
    /// Records exported by all its jobs.
    pub total_results: i64,
    /// Start (ms).
    pub started_at: i64,
    /// End (ms).
    pub completed_at: Option<i64>,
    /// Guids of its jobs, in creation order.
    pub jobs: Vec<String>,
}

/// What a new run starts with: the jobs of its first step.
#[derive(Debug, Clone)]
pub struct RunStart {
    /// The jobs to create (all of step 1).
    pub jobs: Vec<NewJob>,
    /// Their cross-run dedup key.
    pub dedup_key: String,
}

/// Inserts a run and the jobs of its first step (inside a transaction).
pub(crate) fn start_run_in(
    c: &mut dyn Db,
    schedule_id: i64,
    slot: Option<i64>,
    now_ms: i64,
    start: &RunStart,
) -> Result<Vec<JobRow>, ServiceError> {
    let run_id = c
        .row(
            "INSERT INTO schedule_runs(schedule_id, slot, status, step, started_at)
             VALUES (?1, ?2, 'running', 1, ?3) RETURNING id",
            vals![schedule_id, slot, now_ms],
        )?
        .ok_or_else(|| ServiceError::Store("run insert returned nothing".into()))?
        .i64("id")?;
    add_jobs_in(c, run_id, 1, &start.jobs, &start.dedup_key)
}

/// Inserts the jobs of one step of a run.
pub(crate) fn add_jobs_in(
    c: &mut dyn Db,
    run_id: i64,
    step: i64,
    jobs: &[NewJob],
    dedup_key: &str,
) -> Result<Vec<JobRow>, ServiceError> {
    let mut out = Vec::with_capacity(jobs.len());
    for j in jobs {
        let row = insert_job_in(c, j, 0, Some(dedup_key))?;
        c.exec(
            "INSERT INTO run_jobs(job_id, run_id, step) VALUES (?1, ?2, ?3)",
            vals![row.id, run_id, step],
        )?;
        out.push(row);
    }
    Ok(out)
}

impl Store {
    /// Claims the slot `slot` of schedule `id` and starts its run, in one
    /// transaction: only the process whose conditional update still finds
    /// `next_run_at = slot` moves it to `next` and creates the jobs, so two
    /// servers sharing the store never run one slot twice. `None` when
    /// another process claimed it first (or the schedule changed meanwhile).
    pub fn claim_slot(
        &self,
        id: i64,
        slot: i64,
        next: i64,
        now_ms: i64,
        start: &RunStart,
    ) -> Result<Option<Vec<JobRow>>, ServiceError> {
        self.tx(|c| {
            let n = c.exec(
                "UPDATE schedules SET next_run_at = ?1, last_run_at = ?2
                 WHERE id = ?3 AND enabled = 1 AND next_run_at = ?4",
                vals![next, now_ms, id, slot],
            )?;
            if n == 0 {
                return Ok(None);
            }
            start_run_in(c, id, Some(slot), now_ms, start).map(Some)
        })
    }

    /// Starts a run now, outside the schedule (`run-now`): the next slot stays.
    pub fn run_now(
        &self,
        id: i64,
        now_ms: i64,
        start: &RunStart,
    ) -> Result<Vec<JobRow>, ServiceError> {
        self.tx(|c| {
            c.exec(
                "UPDATE schedules SET last_run_at = ?1 WHERE id = ?2",
                vals![now_ms, id],
            )?;
            start_run_in(c, id, None, now_ms, start)
        })
    }

    /// The latest `limit` runs of a schedule, newest first, with their jobs.
    pub fn recent_runs(&self, schedule_id: i64, limit: u32) -> Result<Vec<RunRow>, ServiceError> {
        self.with(|c| {
            let runs = c.rows(
                "SELECT id, slot, status, step, steps_completed, total_results, started_at,
                    completed_at
                 FROM schedule_runs WHERE schedule_id = ?1 ORDER BY id DESC LIMIT ?2",
                vals![schedule_id, limit],
            )?;
            let mut out = Vec::with_capacity(runs.len());
            for r in runs {
                let id = r.i64("id")?;
                let jobs = c
                    .rows(
                        "SELECT j.guid FROM run_jobs rj JOIN jobs j ON j.id = rj.job_id
                         WHERE rj.run_id = ?1 ORDER BY rj.step, j.id",
                        vals![id],
                    )?
                    .iter()
                    .map(|r| r.text("guid"))
                    .collect::<Result<_, _>>()?;
                out.push(RunRow {
                    id,
                    slot: r.opt_i64("slot")?,
                    status: r.text("status")?,
                    step: r.i64("step")?,
                    steps_completed: r.i64("steps_completed")?,
                    total_results: r.i64("total_results")?,
                    started_at: r.i64("started_at")?,
                    completed_at: r.opt_i64("completed_at")?,
                    jobs,
                });
            }
            Ok(out)
        })
    }

    /// Runs still going, with the schedule each belongs to.
    pub fn open_runs(&self, limit: u32) -> Result<Vec<(i64, i64, ScheduleRow)>, ServiceError> {
        self.with(|c| {
            let cols: Vec<String> = SCOLS
                .split(',')
                .map(|s| format!("s.{}", s.trim()))
                .collect();
            c.rows(
                &format!(
                    "SELECT r.id AS run_id, r.step AS run_step, {} FROM schedule_runs r
                     JOIN schedules s ON s.id = r.schedule_id
                     WHERE r.status = 'running' ORDER BY r.id LIMIT ?1",
                    cols.join(", ")
                ),
                vals![limit],
            )?
            .iter()
            .map(|r| Ok((r.i64("run_id")?, r.i64("run_step")?, schedule_row(r)?)))
            .collect()
        })
    }

    /// The jobs of one step of a run: the rows, for the scheduler to judge.
    pub fn step_jobs(&self, run_id: i64, step: i64) -> Result<Vec<JobRow>, ServiceError> {
        let guids: Vec<String> = self.with(|c| {
            c.rows(
                "SELECT j.guid FROM run_jobs rj JOIN jobs j ON j.id = rj.job_id
                 WHERE rj.run_id = ?1 AND rj.step = ?2 ORDER BY j.id",
                vals![run_id, step],
            )?
            .iter()
            .map(|r| r.text("guid"))
            .collect()
        })?;
        let mut out = Vec::with_capacity(guids.len());
        for g in guids {
            if let Some(j) = self.job(&g)? {
                out.push(j);
            }
        }
        Ok(out)
    }

    /// Ends a run (once: only while it is `running`) and counts it on its
    /// schedule; with `next`, instead moves it to the next step and creates
    /// that step's jobs. Returns the jobs created, or `None` when another
    /// process settled it first.
    pub fn settle_run(
        &self,
        run_id: i64,
        step: i64,
        outcome: RunOutcome<'_>,
    ) -> Result<Option<Vec<JobRow>>, ServiceError> {
        self.tx(|c| {
            let now = super::now_ms();
            match outcome {
                RunOutcome::Next {
                    results,
                    jobs,
                    dedup_key,
                } => {
                    let n = c.exec(
                        "UPDATE schedule_runs SET step = step + 1, steps_completed = ?1,
                            total_results = total_results + ?2
                         WHERE id = ?3 AND status = 'running' AND step = ?4",
                        vals![step, results, run_id, step],
                    )?;
                    if n == 0 {
                        return Ok(None);
                    }
                    add_jobs_in(c, run_id, step + 1, jobs, dedup_key).map(Some)
                }
                RunOutcome::End {
                    ok,
                    results,
                    steps_completed,
                    mail,
                } => {
                    let row = c.row(
                        "UPDATE schedule_runs SET status = ?1, steps_completed = ?2,
                            total_results = total_results + ?3, completed_at = ?4
                         WHERE id = ?5 AND status = 'running' AND step = ?6
                         RETURNING schedule_id",
                        vals![
                            if ok { "completed" } else { "failed" },
                            steps_completed,
                            results,
                            now,
                            run_id,
                            step
                        ],
                    )?;
                    let Some(row) = row else {
                        return Ok(None);
                    };
                    let sql = if ok {
                        "UPDATE schedules SET run_count = run_count + 1 WHERE id = ?1"
                    } else {
                        "UPDATE schedules SET fail_count = fail_count + 1 WHERE id = ?1"
                    };
                    c.exec(sql, vals![row.i64("schedule_id")?])?;
                    if let Some(m) = mail {
                        super::mails::queue_mail_in(c, m)?;
                    }
                    Ok(Some(Vec::new()))
                }
            }
        })
    }

    /// The webhook a job's results go to when it belongs to the last step of a
    /// run whose schedule or workflow has `deliveryMethod: webhook`.
    pub fn delivery_webhook(&self, job_id: i64) -> Result<Option<String>, ServiceError> {
        self.with(|c| {
            let Some(r) = c.row(
                "SELECT sr.schedule_id, rj.step FROM run_jobs rj
                 JOIN schedule_runs sr ON sr.id = rj.run_id WHERE rj.job_id = ?1",
                vals![job_id],
            )?
            else {
                return Ok(None);
            };
            let step = r.i64("step")?;
            let Some(s) = c.row(
                &format!("SELECT {SCOLS} FROM schedules WHERE id = ?1"),
                vals![r.i64("schedule_id")?],
            )?
            else {
                return Ok(None);
            };
            let s = schedule_row(&s)?;
            // Earlier steps of a workflow only feed the next step.
            Ok((s.delivery_method == "webhook" && step >= s.step_count())
                .then_some(s.webhook_uuid)
                .flatten())
        })
    }

    /// The dedup key of a job (schedules and workflows: "only new items").
    pub fn job_dedup_key(&self, job_id: i64) -> Result<Option<String>, ServiceError> {
        self.with(|c| {
            c.row("SELECT dedup_key FROM jobs WHERE id = ?1", vals![job_id])?
                .map(|r| r.opt_text("dedup_key"))
                .transpose()
                .map(Option::flatten)
        })
    }
}

/// How the current step of a run ended.
#[derive(Debug, Clone, Copy)]
pub enum RunOutcome<'a> {
    /// The run is over.
    End {
        /// Every job of every step done.
        ok: bool,
        /// Records exported by this step.
        results: i64,
        /// Steps finished.
        steps_completed: i64,
        /// The notification to queue with the run's end (email delivery).
        mail: Option<&'a super::MailDraft>,
    },
    /// The step succeeded and the next one starts with these jobs.
    Next {
        /// Records exported by this step.
        results: i64,
        /// Jobs of the next step.
        jobs: &'a [NewJob],
        /// Their dedup key.
        dedup_key: &'a str,
    },
}
