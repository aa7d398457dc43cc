//! Scheduled exports and workflows (one table: a workflow is a schedule with
//! steps), their runs, and the slot claim that keeps two servers sharing a
//! store from running one slot twice. Also the tables of the other
//! automation features (proxy pools, tasks) and the columns they add to jobs.

use serde_json::Value;

use super::db::{vals, Db, Row};
use super::jobs::{insert_job_in, JobRow, NewJob};
use super::{now_text, Store};
use crate::ServiceError;

/// Tables of schedules, workflows, runs, proxy pools and tasks, in SQLite's
/// dialect; [`pg_schema`] derives PostgreSQL's.
const SQLITE_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    platform TEXT,
    name TEXT,
    frequency TEXT NOT NULL,
    custom_cron TEXT,
    preferred_time TEXT,
    timezone TEXT NOT NULL,
    anchor TEXT NOT NULL,
    options TEXT NOT NULL,
    secrets TEXT,
    steps TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    delivery_method TEXT NOT NULL,
    webhook_uuid TEXT,
    send_notification INTEGER NOT NULL DEFAULT 1,
    last_run_at INTEGER,
    next_run_at INTEGER,
    run_count INTEGER NOT NULL DEFAULT 0,
    fail_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules(enabled, next_run_at);
CREATE INDEX IF NOT EXISTS schedules_user ON schedules(user_id, kind, id);
CREATE TABLE IF NOT EXISTS schedule_runs (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    slot INTEGER,
    status TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 1,
    steps_completed INTEGER NOT NULL DEFAULT 0,
    total_results INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS schedule_runs_slot ON schedule_runs(schedule_id, slot);
CREATE INDEX IF NOT EXISTS schedule_runs_open ON schedule_runs(status);
CREATE TABLE IF NOT EXISTS run_jobs (
    job_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES schedule_runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS run_jobs_run ON run_jobs(run_id, step);
CREATE TABLE IF NOT EXISTS proxy_pools (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    location TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS proxies (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES proxy_pools(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    address TEXT NOT NULL,
    has_auth INTEGER NOT NULL,
    successes INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_used_at INTEGER
);
CREATE TABLE IF NOT EXISTS job_proxies (
    job_id INTEGER PRIMARY KEY,
    proxy_id INTEGER NOT NULL REFERENCES proxies(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    group_id TEXT NOT NULL,
    group_name TEXT,
    max_posts INTEGER NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    job_id INTEGER NOT NULL,
    worker_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_user ON tasks(user_id, id);
"#;

/// Columns the automation features add to `jobs` (name, SQLite type).
const JOB_COLUMNS: &[(&str, &str)] = &[
    ("priority", "INTEGER NOT NULL DEFAULT 0"),
    ("dedup_key", "TEXT"),
];

fn pg_text(sqlite: &str) -> String {
    sqlite
        .replace(
            "\n    id INTEGER PRIMARY KEY",
            "\n    id BIGSERIAL PRIMARY KEY",
        )
        .replace(" INTEGER", " BIGINT")
}

/// The automation tables and `jobs` columns for PostgreSQL (idempotent).
pub(crate) fn pg_schema() -> String {
    let mut s = pg_text(SQLITE_SCHEMA);
    for (name, ty) in JOB_COLUMNS {
        s.push_str(&format!(
            "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS {name} {};\n",
            pg_text(&format!(" {ty}")).trim()
        ));
    }
    s.push_str("CREATE INDEX IF NOT EXISTS jobs_priority ON jobs(status, priority, id);\n");
    s
}

/// Creates the automation tables and adds the `jobs` columns a store made by
/// an older build lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
pub(crate) fn create_sqlite(conn: &rusqlite::Connection) -> Result<(), ServiceError> {
    conn.execute_batch(SQLITE_SCHEMA)?;
    let have: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('jobs')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (name, ty) in JOB_COLUMNS {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE jobs ADD COLUMN {name} {ty}"))?;
        }
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS jobs_priority ON jobs(status, priority, id)")?;
    Ok(())
}

/// A stored schedule or workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    /// Row id.
    pub id: i64,
    /// Public identifier.
    pub uuid: String,
    /// Owner.
    pub user_id: i64,
    /// `schedule` or `workflow`.
    pub kind: String,
    /// Source URL.
    pub url: String,
    /// Detected platform key.
    pub platform: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// `hourly`, `daily`, `weekly`, `monthly` or `custom`.
    pub frequency: String,
    /// Cron expression (`custom` only).
    pub custom_cron: Option<String>,
    /// `HH:MM:SS`, when given.
    pub preferred_time: Option<String>,
    /// IANA time zone.
    pub timezone: String,
    /// Local date-time the fixed frequencies count their slots from.
    pub anchor: String,
    /// Export options as shown (no secrets).
    pub options: Value,
    /// Secrets of the options (cookies), JSON.
    pub secrets: Option<String>,
    /// Workflow steps (JSON array), `None` for schedules.
    pub steps: Option<Value>,
    /// Whether it runs.
    pub enabled: bool,
    /// `storage` or `webhook`.
    pub delivery_method: String,
    /// Webhook for `webhook` delivery.
    pub webhook_uuid: Option<String>,
    /// Notification flag (stored and shown).
    pub send_notification: bool,
    /// Start of the last run (ms since the epoch).
    pub last_run_at: Option<i64>,
    /// Next slot (ms since the epoch); `None` while paused.
    pub next_run_at: Option<i64>,
    /// Successful runs.
    pub run_count: i64,
    /// Failed runs.
    pub fail_count: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

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

const SCOLS: &str = "id, uuid, user_id, kind, url, platform, name, frequency, custom_cron,
    preferred_time, timezone, anchor, options, secrets, steps, enabled, delivery_method,
    webhook_uuid, send_notification, last_run_at, next_run_at, run_count, fail_count,
    created_at, updated_at";

fn json_col(r: &Row, name: &str) -> Result<Option<Value>, ServiceError> {
    Ok(r.opt_text(name)?
        .map(|t| serde_json::from_str(&t).unwrap_or(Value::Null)))
}

fn schedule_row(r: &Row) -> Result<ScheduleRow, ServiceError> {
    Ok(ScheduleRow {
        id: r.i64("id")?,
        uuid: r.text("uuid")?,
        user_id: r.i64("user_id")?,
        kind: r.text("kind")?,
        url: r.text("url")?,
        platform: r.opt_text("platform")?,
        name: r.opt_text("name")?,
        frequency: r.text("frequency")?,
        custom_cron: r.opt_text("custom_cron")?,
        preferred_time: r.opt_text("preferred_time")?,
        timezone: r.text("timezone")?,
        anchor: r.text("anchor")?,
        options: json_col(r, "options")?.unwrap_or(Value::Null),
        secrets: r.opt_text("secrets")?,
        steps: json_col(r, "steps")?,
        enabled: r.flag("enabled")?,
        delivery_method: r.text("delivery_method")?,
        webhook_uuid: r.opt_text("webhook_uuid")?,
        send_notification: r.flag("send_notification")?,
        last_run_at: r.opt_i64("last_run_at")?,
        next_run_at: r.opt_i64("next_run_at")?,
        run_count: r.i64("run_count")?,
        fail_count: r.i64("fail_count")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
    })
}

fn one(r: Option<Row>) -> Result<Option<ScheduleRow>, ServiceError> {
    r.map(|r| schedule_row(&r)).transpose()
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

/// The fields of a schedule the API sets (create and update).
#[derive(Debug, Clone)]
pub struct ScheduleFields {
    /// Source URL.
    pub url: String,
    /// Platform key.
    pub platform: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Frequency.
    pub frequency: String,
    /// Cron expression.
    pub custom_cron: Option<String>,
    /// `HH:MM:SS`.
    pub preferred_time: Option<String>,
    /// Time zone.
    pub timezone: String,
    /// Slot anchor (local date-time).
    pub anchor: String,
    /// Options as shown.
    pub options: Value,
    /// Option secrets.
    pub secrets: Option<String>,
    /// Workflow steps.
    pub steps: Option<Value>,
    /// Delivery method.
    pub delivery_method: String,
    /// Webhook uuid.
    pub webhook_uuid: Option<String>,
    /// Notification flag.
    pub send_notification: bool,
}

impl ScheduleRow {
    /// The API-settable fields of this row (to merge an update into).
    pub fn fields(&self) -> ScheduleFields {
        ScheduleFields {
            url: self.url.clone(),
            platform: self.platform.clone(),
            name: self.name.clone(),
            frequency: self.frequency.clone(),
            custom_cron: self.custom_cron.clone(),
            preferred_time: self.preferred_time.clone(),
            timezone: self.timezone.clone(),
            anchor: self.anchor.clone(),
            options: self.options.clone(),
            secrets: self.secrets.clone(),
            steps: self.steps.clone(),
            delivery_method: self.delivery_method.clone(),
            webhook_uuid: self.webhook_uuid.clone(),
            send_notification: self.send_notification,
        }
    }
}

impl Store {
    /// Inserts a schedule (`kind` `schedule` or `workflow`) due at `next_run_at`.
    pub fn insert_schedule(
        &self,
        user_id: i64,
        kind: &str,
        f: &ScheduleFields,
        next_run_at: i64,
    ) -> Result<ScheduleRow, ServiceError> {
        self.with(|c| {
            let now = now_text();
            one(c.row(
                &format!(
                    "INSERT INTO schedules(uuid, user_id, kind, url, platform, name, frequency,
                        custom_cron, preferred_time, timezone, anchor, options, secrets, steps,
                        enabled, delivery_method, webhook_uuid, send_notification, next_run_at,
                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?15,
                        ?16, ?17, ?18, ?19, ?19) RETURNING {SCOLS}"
                ),
                vals![
                    uuid::Uuid::new_v4().to_string(),
                    user_id,
                    kind,
                    f.url.clone(),
                    f.platform.clone(),
                    f.name.clone(),
                    f.frequency.clone(),
                    f.custom_cron.clone(),
                    f.preferred_time.clone(),
                    f.timezone.clone(),
                    f.anchor.clone(),
                    f.options.to_string(),
                    f.secrets.clone(),
                    f.steps.as_ref().map(|s| s.to_string()),
                    f.delivery_method.clone(),
                    f.webhook_uuid.clone(),
                    f.send_notification,
                    next_run_at,
                    now
                ],
            )?)?
            .ok_or_else(|| ServiceError::Store("schedule insert returned nothing".into()))
        })
    }

    /// How many schedules of `kind` a user has.
    pub fn count_schedules(&self, user_id: i64, kind: &str) -> Result<i64, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT COUNT(*) AS n FROM schedules WHERE user_id = ?1 AND kind = ?2",
                vals![user_id, kind],
            )?
            .map(|r| r.i64("n"))
            .transpose()
            .map(|n| n.unwrap_or(0))
        })
    }

    /// A user's schedule of `kind` (`None` when unknown or another user's).
    pub fn schedule_for(
        &self,
        user_id: i64,
        kind: &str,
        uuid: &str,
    ) -> Result<Option<ScheduleRow>, ServiceError> {
        self.with(|c| {
            one(c.row(
                &format!(
                    "SELECT {SCOLS} FROM schedules WHERE uuid = ?1 AND user_id = ?2 AND kind = ?3"
                ),
                vals![uuid, user_id, kind],
            )?)
        })
    }

    /// A user's schedules of `kind`, oldest first.
    pub fn list_schedules(
        &self,
        user_id: i64,
        kind: &str,
        page: u32,
        limit: u32,
    ) -> Result<Vec<ScheduleRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        self.with(|c| {
            c.rows(
                &format!(
                    "SELECT {SCOLS} FROM schedules WHERE user_id = ?1 AND kind = ?2
                     ORDER BY id LIMIT ?3 OFFSET ?4"
                ),
                vals![user_id, kind, limit, offset],
            )?
            .iter()
            .map(schedule_row)
            .collect()
        })
    }

    /// Writes the API-settable fields; `next_run_at` too when given (timing
    /// changed), unless paused. Run counters and times are the scheduler's.
    pub fn update_schedule(
        &self,
        id: i64,
        f: &ScheduleFields,
        next_run_at: Option<i64>,
    ) -> Result<Option<ScheduleRow>, ServiceError> {
        self.with(|c| {
            one(c.row(
                &format!(
                    "UPDATE schedules SET url = ?1, platform = ?2, name = ?3, frequency = ?4,
                        custom_cron = ?5, preferred_time = ?6, timezone = ?7, anchor = ?8,
                        options = ?9, secrets = ?10, steps = ?11, delivery_method = ?12,
                        webhook_uuid = ?13, send_notification = ?14, updated_at = ?15,
                        next_run_at = CASE WHEN ?16 = 1 AND enabled = 1 THEN ?17 ELSE next_run_at END
                     WHERE id = ?18 RETURNING {SCOLS}"
                ),
                vals![
                    f.url.clone(),
                    f.platform.clone(),
                    f.name.clone(),
                    f.frequency.clone(),
                    f.custom_cron.clone(),
                    f.preferred_time.clone(),
                    f.timezone.clone(),
                    f.anchor.clone(),
                    f.options.to_string(),
                    f.secrets.clone(),
                    f.steps.as_ref().map(|s| s.to_string()),
                    f.delivery_method.clone(),
                    f.webhook_uuid.clone(),
                    f.send_notification,
                    now_text(),
                    next_run_at.is_some(),
                    next_run_at,
                    id
                ],
            )?)
        })
    }

    /// Deletes a user's schedule of `kind` (its runs go with it; its jobs stay).
    pub fn delete_schedule(
        &self,
        user_id: i64,
        kind: &str,
        uuid: &str,
    ) -> Result<bool, ServiceError> {
        self.tx(|c| {
            let Some(id) = c
                .row(
                    "SELECT id FROM schedules WHERE uuid = ?1 AND user_id = ?2 AND kind = ?3",
                    vals![uuid, user_id, kind],
                )?
                .map(|r| r.i64("id"))
                .transpose()?
            else {
                return Ok(false);
            };
            c.exec(
                "DELETE FROM run_jobs WHERE run_id IN
                    (SELECT id FROM schedule_runs WHERE schedule_id = ?1)",
                vals![id],
            )?;
            c.exec(
                "DELETE FROM schedule_runs WHERE schedule_id = ?1",
                vals![id],
            )?;
            c.exec("DELETE FROM schedules WHERE id = ?1", vals![id])?;
            Ok(true)
        })
    }

    /// Pauses (`next_run_at` = `None`) or resumes (due at `next_run_at` from
    /// `anchor`) a schedule.
    pub fn set_schedule_enabled(
        &self,
        id: i64,
        next_run_at: Option<i64>,
        anchor: &str,
    ) -> Result<Option<ScheduleRow>, ServiceError> {
        self.with(|c| {
            one(c.row(
                &format!(
                    "UPDATE schedules SET enabled = ?1, next_run_at = ?2, anchor = ?3,
                        updated_at = ?4 WHERE id = ?5 RETURNING {SCOLS}"
                ),
                vals![next_run_at.is_some(), next_run_at, anchor, now_text(), id],
            )?)
        })
    }

    /// Moves a schedule's next slot (e.g. to simulate a slot missed while the
    /// server was down, or for an administrator's correction).
    pub fn set_next_run(&self, uuid: &str, next_run_at: i64) -> Result<bool, ServiceError> {
        self.with(|c| {
            Ok(c.exec(
                "UPDATE schedules SET next_run_at = ?1 WHERE uuid = ?2 AND enabled = 1",
                vals![next_run_at, uuid],
            )? > 0)
        })
    }

    /// Enabled schedules whose slot has come (`next_run_at <= now_ms`).
    pub fn due_schedules(&self, now_ms: i64, limit: u32) -> Result<Vec<ScheduleRow>, ServiceError> {
        self.with(|c| {
            c.rows(
                &format!(
                    "SELECT {SCOLS} FROM schedules WHERE enabled = 1 AND next_run_at <= ?1
                     ORDER BY next_run_at LIMIT ?2"
                ),
                vals![now_ms, limit],
            )?
            .iter()
            .map(schedule_row)
            .collect()
        })
    }

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
                    Ok(Some(Vec::new()))
                }
            }
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

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_schema_is_derived() {
        let pg = super::pg_schema();
        assert!(pg.contains("id BIGSERIAL PRIMARY KEY"));
        assert!(pg.contains("job_id BIGINT PRIMARY KEY"));
        assert!(!pg.contains("INTEGER"));
        assert!(pg.contains("ADD COLUMN IF NOT EXISTS priority BIGINT NOT NULL DEFAULT 0"));
    }

    #[test]
    fn sqlite_migration_adds_job_columns_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        drop(store);
        // Opening again runs the migration on a store that already has the columns.
        let store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(store.job_dedup_key(1).unwrap(), None);
    }
}
