//! Scheduled exports and workflows (one table: a workflow is a schedule with
//! steps): their rows and CRUD. Runs are in `runs.rs`, tables in `schema.rs`.

use serde_json::Value;

use super::db::{vals, Row};
use super::{now_text, Store};
use crate::ServiceError;

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

pub(super) const SCOLS: &str =
    "id, uuid, user_id, kind, url, platform, name, frequency, custom_cron,
    preferred_time, timezone, anchor, options, secrets, steps, enabled, delivery_method,
    webhook_uuid, send_notification, last_run_at, next_run_at, run_count, fail_count,
    created_at, updated_at";

fn json_col(r: &Row, name: &str) -> Result<Option<Value>, ServiceError> {
    Ok(r.opt_text(name)?
        .map(|t| serde_json::from_str(&t).unwrap_or(Value::Null)))
}

pub(super) fn schedule_row(r: &Row) -> Result<ScheduleRow, ServiceError> {
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
    /// Steps a run goes through: a workflow's, or 1 for a schedule.
    pub fn step_count(&self) -> i64 {
        self.steps
            .as_ref()
            .and_then(Value::as_array)
            .map_or(1, |s| s.len().max(1)) as i64
    }

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
}
