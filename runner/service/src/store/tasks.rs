//! Tasks (the task API): a group to export, a post budget and a priority,
//! each backed by a job of the same queue. A task's status is its job's:
//! `queueing` → `pending`; leased with nothing written yet → `assigned`;
//! running → `processing`; `done` → `completed`; `error`/`stopped` → `failed`.

use super::db::{vals, Db, Row};
use super::jobs::{insert_job_in, JobRow, NewJob};
use super::{now_text, Store};
use crate::ServiceError;

/// The task status of a job row `j` (SQL), per the module's mapping.
const STATUS_SQL: &str = "CASE WHEN j.status = 'queueing' THEN 'pending'
    WHEN j.status = 'progress' AND j.total_exported = 0 AND j.total IS NULL THEN 'assigned'
    WHEN j.status = 'progress' THEN 'processing'
    WHEN j.status = 'done' THEN 'completed'
    ELSE 'failed' END";

/// Task statuses, in the documented order.
pub const TASK_STATUSES: &[&str] = &["pending", "assigned", "processing", "completed", "failed"];

/// A task with what its job says.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    /// Task id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Group id (or URL) as given.
    pub group_id: String,
    /// Group name.
    pub group_name: Option<String>,
    /// Post budget (1–500).
    pub max_posts: i64,
    /// Priority (higher first).
    pub priority: i64,
    /// Derived status.
    pub status: String,
    /// Worker running it, or that ran it last.
    pub worker_id: Option<String>,
    /// Records exported.
    pub posts_count: i64,
    /// Job error (failed tasks).
    pub error: Option<String>,
    /// The job's guid.
    pub job_guid: String,
    /// The job's JSON output (relative to the data directory), once done.
    pub json_file: Option<String>,
    /// When the job started.
    pub started_at: Option<String>,
    /// When it ended.
    pub completed_at: Option<String>,
    /// Creation time.
    pub created_at: String,
}

/// What to list.
#[derive(Debug, Clone)]
pub struct TaskQuery {
    /// Only this status.
    pub status: Option<String>,
    /// `created_at`, `status` or `priority`.
    pub sort_by: String,
    /// Ascending.
    pub asc: bool,
    /// Page size.
    pub per_page: u32,
    /// Page (1-based).
    pub page: u32,
}

fn select(filter: &str) -> String {
    format!(
        "SELECT t.id, t.user_id, t.group_id, t.group_name, t.max_posts, t.priority,
            t.created_at, COALESCE(j.lease_owner, t.worker_id) AS worker_id,
            j.total_exported, j.error, j.guid, j.json_file, j.started_at, j.finished_at,
            {STATUS_SQL} AS task_status
         FROM tasks t JOIN jobs j ON j.id = t.job_id WHERE {filter}"
    )
}

fn task_row(r: &Row) -> Result<TaskRow, ServiceError> {
    let status = r.text("task_status")?;
    Ok(TaskRow {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        group_id: r.text("group_id")?,
        group_name: r.opt_text("group_name")?,
        max_posts: r.i64("max_posts")?,
        priority: r.i64("priority")?,
        worker_id: r.opt_text("worker_id")?,
        posts_count: r.i64("total_exported")?,
        error: r.opt_text("error")?,
        job_guid: r.text("guid")?,
        json_file: r.opt_text("json_file")?,
        started_at: r.opt_text("started_at")?,
        completed_at: if matches!(status.as_str(), "completed" | "failed") {
            r.opt_text("finished_at")?
        } else {
            None
        },
        created_at: r.text("created_at")?,
        status,
    })
}

fn task_in(c: &mut dyn Db, user_id: i64, id: i64) -> Result<Option<TaskRow>, ServiceError> {
    c.row(&select("t.id = ?1 AND t.user_id = ?2"), vals![id, user_id])?
        .map(|r| task_row(&r))
        .transpose()
}

/// What a task creates or changes.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    /// Group id (or URL) as given.
    pub group_id: String,
    /// Group name.
    pub group_name: Option<String>,
    /// Post budget.
    pub max_posts: i64,
    /// Priority.
    pub priority: i64,
}

/// How an update or reset went.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskChange {
    /// Done; the task now.
    Done(Box<TaskRow>),
    /// The task is not in a status that allows it (its status now).
    Refused(String),
    /// No such task for this user.
    Missing,
}

impl Store {
    /// Creates a task and its job (`job` carries the URL, platform and options).
    pub fn insert_task(
        &self,
        spec: &TaskSpec,
        job: &NewJob,
    ) -> Result<(TaskRow, JobRow), ServiceError> {
        self.tx(|c| {
            let j = insert_job_in(c, job, spec.priority, None)?;
            let now = now_text();
            let id = c
                .row(
                    "INSERT INTO tasks(user_id, group_id, group_name, max_posts, priority, job_id,
                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
                    vals![
                        job.user_id,
                        spec.group_id.clone(),
                        spec.group_name.clone(),
                        spec.max_posts,
                        spec.priority,
                        j.id,
                        now
                    ],
                )?
                .ok_or_else(|| ServiceError::Store("task insert returned nothing".into()))?
                .i64("id")?;
            let t = task_in(c, job.user_id, id)?
                .ok_or_else(|| ServiceError::Store("task vanished".into()))?;
            Ok((t, j))
        })
    }

    /// A user's task.
    pub fn task_for(&self, user_id: i64, id: i64) -> Result<Option<TaskRow>, ServiceError> {
        self.with(|c| task_in(c, user_id, id))
    }

    /// A page of a user's tasks and the total that match.
    pub fn list_tasks(
        &self,
        user_id: i64,
        q: &TaskQuery,
    ) -> Result<(Vec<TaskRow>, i64), ServiceError> {
        // Sort keys and directions come from fixed lists, never from the request text.
        let key = match q.sort_by.as_str() {
            "status" => "task_status",
            "priority" => "t.priority",
            _ => "t.id",
        };
        let dir = if q.asc { "ASC" } else { "DESC" };
        let offset = (q.page.saturating_sub(1) as i64) * q.per_page as i64;
        // Two statements rather than `?2 IS NULL`: PostgreSQL cannot type a bare NULL.
        let (filter, mut params) = match &q.status {
            Some(st) => (
                format!("t.user_id = ?1 AND ({STATUS_SQL}) = ?2"),
                vals![user_id, st.clone()].to_vec(),
            ),
            None => ("t.user_id = ?1".to_string(), vals![user_id].to_vec()),
        };
        let n = params.len();
        self.with(|c| {
            let total = c
                .row(
                    &format!(
                        "SELECT COUNT(*) AS n FROM tasks t JOIN jobs j ON j.id = t.job_id
                         WHERE {filter}"
                    ),
                    &params,
                )?
                .map(|r| r.i64("n"))
                .transpose()?
                .unwrap_or(0);
            params.extend(vals![q.per_page, offset].iter().cloned());
            let rows = c
                .rows(
                    &format!(
                        "{} ORDER BY {key} {dir}, t.id {dir} LIMIT ?{} OFFSET ?{}",
                        select(&filter),
                        n + 1,
                        n + 2
                    ),
                    &params,
                )?
                .iter()
                .map(task_row)
                .collect::<Result<_, _>>()?;
            Ok((rows, total))
        })
    }

    /// Changes a pending task (and its job's budget and priority); refused
    /// once a worker has it.
    pub fn update_task(
        &self,
        user_id: i64,
        id: i64,
        group_name: Option<Option<String>>,
        max_posts: Option<i64>,
        priority: Option<i64>,
    ) -> Result<TaskChange, ServiceError> {
        self.tx(|c| {
            let Some(t) = task_in(c, user_id, id)? else {
                return Ok(TaskChange::Missing);
            };
            let job = c
                .row(
                    "SELECT j.id, j.options FROM tasks t JOIN jobs j ON j.id = t.job_id
                     WHERE t.id = ?1",
                    vals![id],
                )?
                .ok_or_else(|| ServiceError::Store("task without job".into()))?;
            let mut options: serde_json::Value =
                serde_json::from_str(&job.text("options")?).unwrap_or_default();
            let max_posts = max_posts.unwrap_or(t.max_posts);
            let priority = priority.unwrap_or(t.priority);
            if let Some(m) = options.as_object_mut() {
                m.insert("limit".into(), max_posts.into());
            }
            // Only while the job waits in the queue: a worker's lease wins.
            let n = c.exec(
                "UPDATE jobs SET priority = ?1, options = ?2, updated_at = ?3
                 WHERE id = ?4 AND status = 'queueing'",
                vals![priority, options.to_string(), now_text(), job.i64("id")?],
            )?;
            if n == 0 {
                return Ok(TaskChange::Refused(t.status));
            }
            c.exec(
                "UPDATE tasks SET group_name = CASE WHEN ?1 = 1 THEN ?2 ELSE group_name END,
                    max_posts = ?3, priority = ?4, updated_at = ?5 WHERE id = ?6",
                vals![
                    group_name.is_some(),
                    group_name.flatten(),
                    max_posts,
                    priority,
                    now_text(),
                    id
                ],
            )?;
            Ok(task_in(c, user_id, id)?
                .map_or(TaskChange::Missing, |t| TaskChange::Done(Box::new(t))))
        })
    }

    /// Deletes a task; its job stops if it was queued or running.
    pub fn delete_task(&self, user_id: i64, id: i64) -> Result<bool, ServiceError> {
        self.tx(|c| {
            let Some(job_id) = c
                .row(
                    "SELECT job_id FROM tasks WHERE id = ?1 AND user_id = ?2",
                    vals![id, user_id],
                )?
                .map(|r| r.i64("job_id"))
                .transpose()?
            else {
                return Ok(false);
            };
            let now = now_text();
            c.exec(
                "UPDATE jobs SET status = 'stopped', lease_owner = NULL, updated_at = ?1,
                    finished_at = ?1
                 WHERE id = ?2 AND status IN ('queueing', 'progress')",
                vals![now, job_id],
            )?;
            c.exec("DELETE FROM tasks WHERE id = ?1", vals![id])?;
            Ok(true)
        })
    }

    /// Puts a completed or failed task back to pending with a fresh job
    /// (the old one stays in the job list).
    pub fn reset_task(
        &self,
        user_id: i64,
        id: i64,
    ) -> Result<(TaskChange, Option<JobRow>), ServiceError> {
        self.tx(|c| {
            let Some(t) = task_in(c, user_id, id)? else {
                return Ok((TaskChange::Missing, None));
            };
            if !matches!(t.status.as_str(), "completed" | "failed") {
                return Ok((TaskChange::Refused(t.status), None));
            }
            let old = c
                .row(
                    "SELECT j.url, j.platform, j.options, j.secrets FROM tasks t
                     JOIN jobs j ON j.id = t.job_id WHERE t.id = ?1",
                    vals![id],
                )?
                .ok_or_else(|| ServiceError::Store("task without job".into()))?;
            let job = NewJob {
                user_id,
                url: old.text("url")?,
                platform: old.opt_text("platform")?,
                options: serde_json::from_str(&old.text("options")?).unwrap_or_default(),
                secrets: old.opt_text("secrets")?,
                sandbox: false,
            };
            let j = insert_job_in(c, &job, t.priority, None)?;
            c.exec(
                "UPDATE tasks SET job_id = ?1, worker_id = NULL, updated_at = ?2 WHERE id = ?3",
                vals![j.id, now_text(), id],
            )?;
            let t = task_in(c, user_id, id)?
                .map_or(TaskChange::Missing, |t| TaskChange::Done(Box::new(t)));
            Ok((t, Some(j)))
        })
    }

    /// Records how a job ended for what hangs on it: the worker of its task,
    /// and the health of the proxy it ran through.
    pub fn job_ended(
        &self,
        job_id: i64,
        worker: &str,
        ok: bool,
        error_kind: Option<&str>,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "UPDATE tasks SET worker_id = ?1 WHERE job_id = ?2",
                vals![worker, job_id],
            )?;
            Ok(())
        })?;
        self.proxy_outcome(job_id, ok, error_kind)
    }
}
