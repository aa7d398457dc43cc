//! Export jobs: creation, lookup per user, the queue with leases, status changes.

use super::db::{vals, Row};
use super::{now_ms, now_text, Store};
use crate::ServiceError;

/// A job to insert.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Owner.
    pub user_id: i64,
    /// Source URL (as given).
    pub url: String,
    /// Platform key, when detected.
    pub platform: Option<String>,
    /// The API options as given, without secrets (JSON object).
    pub options: serde_json::Value,
    /// Secrets of the job (cookies), JSON; never returned by the API.
    pub secrets: Option<String>,
    /// Sandbox job: done at once with sample data.
    pub sandbox: bool,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Numeric id.
    pub id: i64,
    /// Public identifier.
    pub guid: String,
    /// Owner.
    pub user_id: i64,
    /// Source URL.
    pub url: String,
    /// Platform key.
    pub platform: Option<String>,
    /// API options (JSON object, no secrets).
    pub options: serde_json::Value,
    /// Secrets (JSON), for the worker only.
    pub secrets: Option<String>,
    /// `queueing`, `progress`, `done`, `error`, `stopped`.
    pub status: String,
    /// Sandbox job.
    pub sandbox: bool,
    /// Records written so far.
    pub total_exported: i64,
    /// Total announced by the platform.
    pub total: Option<i64>,
    /// Error message (secrets removed).
    pub error: Option<String>,
    /// Stable error kind.
    pub error_kind: Option<String>,
    /// How many times a worker started it.
    pub attempts: i64,
    /// JSON output file, relative to the data directory.
    pub json_file: Option<String>,
    /// XLSX output file, relative to the data directory.
    pub xlsx_file: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// When a worker first started it.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
}

/// A job leased by a worker.
#[derive(Debug, Clone)]
pub struct Lease {
    /// The job.
    pub job: JobRow,
    /// True when an earlier attempt started it (resume from its checkpoint).
    pub resumed: bool,
}

impl JobRow {
    /// The options with the real cookies put back (for the worker only).
    pub fn options_with_secrets(&self) -> serde_json::Value {
        let mut o = self.options.clone();
        if let (Some(secret), Some(map)) = (&self.secrets, o.as_object_mut()) {
            match serde_json::from_str::<serde_json::Value>(secret) {
                Ok(cookies) => {
                    map.insert("cookies".into(), cookies);
                }
                Err(_) => {
                    map.remove("cookies");
                }
            }
        } else if let Some(map) = o.as_object_mut() {
            map.remove("cookies");
        }
        o
    }
}

const COLS: &str = "id, guid, user_id, url, platform, options, secrets, status, sandbox,
    total_exported, total, error, error_kind, attempts, json_file, xlsx_file, created_at,
    updated_at, started_at, finished_at";

fn job_row(r: &Row) -> Result<JobRow, ServiceError> {
    let options = r.text("options")?;
    Ok(JobRow {
        id: r.i64("id")?,
        guid: r.text("guid")?,
        user_id: r.i64("user_id")?,
        url: r.text("url")?,
        platform: r.opt_text("platform")?,
        options: serde_json::from_str(&options).unwrap_or(serde_json::Value::Null),
        secrets: r.opt_text("secrets")?,
        status: r.text("status")?,
        sandbox: r.flag("sandbox")?,
        total_exported: r.i64("total_exported")?,
        total: r.opt_i64("total")?,
        error: r.opt_text("error")?,
        error_kind: r.opt_text("error_kind")?,
        attempts: r.i64("attempts")?,
        json_file: r.opt_text("json_file")?,
        xlsx_file: r.opt_text("xlsx_file")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
        started_at: r.opt_text("started_at")?,
        finished_at: r.opt_text("finished_at")?,
    })
}

fn one_job(r: Option<Row>) -> Result<Option<JobRow>, ServiceError> {
    r.map(|r| job_row(&r)).transpose()
}

/// How a worker's heartbeat found its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// Still ours: go on.
    Held,
    /// Stopped through the API: cancel.
    Stopped,
    /// The lease was lost (expired and taken by another worker): cancel, write nothing.
    Lost,
}

/// Inserts one job inside a transaction, with its queue priority (higher
/// first) and cross-run dedup key (schedules and workflows: only new items).
pub(crate) fn insert_job_in(
    c: &mut dyn super::db::Db,
    j: &NewJob,
    priority: i64,
    dedup_key: Option<&str>,
) -> Result<JobRow, ServiceError> {
    let guid = uuid::Uuid::new_v4().to_string();
    let now = now_text();
    let row = c.row(
        &format!(
            "INSERT INTO jobs(guid, user_id, url, platform, options, secrets, status,
                sandbox, created_at, updated_at, priority, dedup_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queueing', ?7, ?8, ?8, ?9, ?10) RETURNING {COLS}"
        ),
        vals![
            guid,
            j.user_id,
            j.url.clone(),
            j.platform.clone(),
            j.options.to_string(),
            j.secrets.clone(),
            j.sandbox,
            now,
            priority,
            dedup_key
        ],
    )?;
    one_job(row)?.ok_or_else(|| ServiceError::Store("job insert returned nothing".into()))
}

impl Store {
    /// Inserts jobs (one transaction); returns their rows.
    pub fn insert_jobs(&self, jobs: Vec<NewJob>) -> Result<Vec<JobRow>, ServiceError> {
        self.tx(|c| jobs.iter().map(|j| insert_job_in(c, j, 0, None)).collect())
    }

    /// A user's job by guid (`None` when unknown or another user's).
    pub fn job_for(&self, user_id: i64, guid: &str) -> Result<Option<JobRow>, ServiceError> {
        self.with(|c| {
            one_job(c.row(
                &format!("SELECT {COLS} FROM jobs WHERE guid = ?1 AND user_id = ?2"),
                vals![guid, user_id],
            )?)
        })
    }

    /// A job by guid, whoever owns it (workers).
    pub fn job(&self, guid: &str) -> Result<Option<JobRow>, ServiceError> {
        self.with(|c| {
            one_job(c.row(
                &format!("SELECT {COLS} FROM jobs WHERE guid = ?1"),
                vals![guid],
            )?)
        })
    }

    /// A user's jobs, newest first.
    pub fn list_jobs(
        &self,
        user_id: i64,
        page: u32,
        limit: u32,
    ) -> Result<Vec<JobRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        self.with(|c| {
            c.rows(
                &format!("SELECT {COLS} FROM jobs WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"),
                vals![user_id, limit, offset],
            )?
            .iter()
            .map(job_row)
            .collect()
        })
    }

    /// Counts of a user's jobs in `queueing` and in `progress`.
    pub fn active_counts(&self, user_id: i64) -> Result<(i64, i64), ServiceError> {
        self.with(|c| {
            let r = c
                .row(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'queueing' THEN 1 ELSE 0 END), 0) AS BIGINT) AS queued,
                        CAST(COALESCE(SUM(CASE WHEN status = 'progress' THEN 1 ELSE 0 END), 0) AS BIGINT) AS running
                     FROM jobs WHERE user_id = ?1 AND sandbox = 0",
                    vals![user_id],
                )?
                .ok_or_else(|| ServiceError::Store("count returned nothing".into()))?;
            Ok((r.i64("queued")?, r.i64("running")?))
        })
    }

    /// Sets the status of a job whose current status is one of `from`; returns
    /// the updated row, or `None` when the job was not in one of them.
    pub fn transition(
        &self,
        user_id: i64,
        guid: &str,
        from: &[&str],
        to: &str,
    ) -> Result<Option<JobRow>, ServiceError> {
        // `from` and `to` are status names from this crate, never user input.
        let from: Vec<String> = from.iter().map(|s| format!("'{s}'")).collect();
        let clear_error = to == "queueing";
        let ended = matches!(to, "stopped" | "done" | "error");
        self.with(|c| {
            one_job(c.row(
                &format!(
                    "UPDATE jobs SET status = ?1, updated_at = ?2,
                        error = CASE WHEN ?3 = 1 THEN NULL ELSE error END,
                        error_kind = CASE WHEN ?3 = 1 THEN NULL ELSE error_kind END,
                        lease_owner = NULL,
                        finished_at = CASE WHEN ?4 = 1 THEN ?2 ELSE NULL END
                     WHERE guid = ?5 AND user_id = ?6 AND status IN ({}) RETURNING {COLS}",
                    from.join(",")
                ),
                vals![to, now_text(), clear_error, ended, guid, user_id],
            )?)
        })
    }

    /// Leases the next job for `worker`: a `progress` job whose lease expired
    /// (its worker died: the new one resumes from the checkpoint) first, else the
    /// `queueing` job of highest priority, oldest first, whose owner is under `per_user_concurrency` running
    /// jobs. PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`);
    /// SQLite serializes leases with an `IMMEDIATE` transaction.
    pub fn lease_next(
        &self,
        worker: &str,
        lease_ms: i64,
        per_user_concurrency: i64,
    ) -> Result<Option<Lease>, ServiceError> {
        self.tx(|c| {
            let now = now_ms();
            let lock = if c.is_pg() {
                " FOR UPDATE SKIP LOCKED"
            } else {
                ""
            };
            let picked = c.row(
                &format!(
                    "SELECT j.id, j.attempts, j.started_at FROM jobs j
                     WHERE j.sandbox = 0 AND (
                        (j.status = 'progress' AND j.lease_until < ?1)
                        OR (j.status = 'queueing' AND (
                            SELECT COUNT(*) FROM jobs r WHERE r.user_id = j.user_id
                              AND r.status = 'progress' AND r.lease_until >= ?1) < ?2))
                     ORDER BY CASE WHEN j.status = 'progress' THEN 0 ELSE 1 END, j.priority DESC, j.id
                     LIMIT 1{lock}"
                ),
                vals![now, per_user_concurrency],
            )?;
            let Some(p) = picked else {
                return Ok(None);
            };
            let (id, attempts, started_at) =
                (p.i64("id")?, p.i64("attempts")?, p.opt_text("started_at")?);
            let now_t = now_text();
            let job = one_job(c.row(
                &format!(
                    "UPDATE jobs SET status = 'progress', lease_owner = ?1, lease_until = ?2,
                        attempts = attempts + 1, updated_at = ?3,
                        started_at = COALESCE(started_at, ?3)
                     WHERE id = ?4 RETURNING {COLS}"
                ),
                vals![worker, now + lease_ms, now_t, id],
            )?)?
            .ok_or_else(|| ServiceError::Store("leased job vanished".into()))?;
            Ok(Some(Lease {
                job,
                resumed: attempts > 0 || started_at.is_some(),
            }))
        })
    }

    /// Extends a lease and records progress; says whether to go on.
    pub fn heartbeat(
        &self,
        worker: &str,
        job_id: i64,
        lease_ms: i64,
        exported: i64,
        total: Option<i64>,
    ) -> Result<Heartbeat, ServiceError> {
        self.with(|c| {
            let n = c.exec(
                "UPDATE jobs SET lease_until = ?1, total_exported = ?2,
                    total = COALESCE(?3, total), updated_at = ?4
                 WHERE id = ?5 AND lease_owner = ?6 AND status = 'progress'",
                vals![
                    now_ms() + lease_ms,
                    exported,
                    total,
                    now_text(),
                    job_id,
                    worker
                ],
            )?;
            if n > 0 {
                return Ok(Heartbeat::Held);
            }
            let status = c
                .row("SELECT status FROM jobs WHERE id = ?1", vals![job_id])?
                .map(|r| r.text("status"))
                .transpose()?;
            Ok(match status.as_deref() {
                Some("stopped") => Heartbeat::Stopped,
                _ => Heartbeat::Lost,
            })
        })
    }

    /// Records how a leased job ended (only while the lease is still ours).
    #[allow(clippy::too_many_arguments)]
    pub fn finish(
        &self,
        worker: &str,
        job_id: i64,
        status: &str,
        exported: i64,
        error: Option<(&str, &str)>,
        json_file: Option<&str>,
        xlsx_file: Option<&str>,
    ) -> Result<bool, ServiceError> {
        self.with(|c| {
            let now = now_text();
            let n = c.exec(
                "UPDATE jobs SET status = ?1, total_exported = ?2, error_kind = ?3, error = ?4,
                    json_file = ?5, xlsx_file = ?6, lease_owner = NULL, lease_until = NULL,
                    updated_at = ?7, finished_at = ?7
                 WHERE id = ?8 AND lease_owner = ?9 AND status = 'progress'",
                vals![
                    status,
                    exported,
                    error.map(|e| e.0),
                    error.map(|e| e.1),
                    json_file,
                    xlsx_file,
                    now,
                    job_id,
                    worker
                ],
            )?;
            Ok(n > 0)
        })
    }

    /// A stopped job's final count (the API set `stopped`; the worker reports what it wrote).
    pub fn record_stopped(&self, job_id: i64, exported: i64) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "UPDATE jobs SET total_exported = ?1, lease_owner = NULL, lease_until = NULL
                 WHERE id = ?2 AND status = 'stopped'",
                vals![exported, job_id],
            )?;
            Ok(())
        })
    }

    /// Marks a sandbox job done with its sample files.
    pub fn finish_sandbox(
        &self,
        job_id: i64,
        exported: i64,
        json_file: &str,
        xlsx_file: &str,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            let now = now_text();
            c.exec(
                "UPDATE jobs SET status = 'done', total_exported = ?1, total = ?1, json_file = ?2,
                    xlsx_file = ?3, updated_at = ?4, started_at = ?4, finished_at = ?4
                 WHERE id = ?5",
                vals![exported, json_file, xlsx_file, now, job_id],
            )?;
            Ok(())
        })
    }
}
