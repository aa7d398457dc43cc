//! `/api/v1/schedules…`: scheduled exports (create, retrieve, list, update,
//! delete, pause, resume, run-now), and the fields, responses and actions
//! they share with workflows.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{db, json_object as object, path_uuid, PageQuery};
use crate::auth::Caller;
use crate::scheduler::{self, show_anchor, timing_of, Timing};
use crate::store::{RunRow, ScheduleFields, ScheduleRow};
use crate::{ApiError, AppState};

/// Most schedules per account (the documented Business limit).
pub const MAX_SCHEDULES: i64 = 20;

/// Fields schedules and workflows share.
const COMMON: &[&str] = &[
    "url",
    "name",
    "frequency",
    "customCron",
    "preferredTime",
    "timezone",
    "deliveryMethod",
    "webhook",
    "sendNotification",
];

/// The documented domain of a platform for a URL (`youtube.com`).
pub(crate) fn platform_domain(url: &str, key: &str) -> String {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    let Some(known) = engine::known::KNOWN_PLATFORMS.iter().find(|p| p.key == key) else {
        return key.to_string();
    };
    host.and_then(|h| {
        known
            .hosts
            .iter()
            .find(|d| h == **d || h.ends_with(&format!(".{d}")))
    })
    .or(known.hosts.first())
    .map(|d| d.to_string())
    .unwrap_or_else(|| key.to_string())
}

fn string_or_null(obj: &Map<String, Value>, k: &str) -> Result<Option<Option<String>>, ApiError> {
    match obj.get(k) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(ApiError::validation(format!("{k} must be a string"))),
    }
}

/// The caller's fields of a schedule or workflow, merged over `existing`
/// (update) and validated; the bool says whether the timing changed.
pub(super) async fn draft(
    state: &AppState,
    caller: &Caller,
    obj: &Map<String, Value>,
    existing: Option<&ScheduleRow>,
    extra: &[&str],
) -> Result<(ScheduleFields, bool), ApiError> {
    for k in obj.keys() {
        if !COMMON.contains(&k.as_str()) && !extra.contains(&k.as_str()) {
            return Err(ApiError::validation(format!("unknown field {k:?}")));
        }
    }
    let uid = caller.user.id;
    let mut f = match existing {
        Some(e) => e.fields(),
        None => ScheduleFields {
            url: String::new(),
            platform: None,
            name: None,
            frequency: String::new(),
            custom_cron: None,
            preferred_time: None,
            timezone: "UTC".into(),
            anchor: String::new(),
            options: json!({}),
            secrets: None,
            steps: None,
            delivery_method: "storage".into(),
            webhook_uuid: None,
            send_notification: true,
        },
    };
    match string_or_null(obj, "url")? {
        Some(Some(u)) => {
            let (adapter, _) = state
                .registry
                .detect(&u)
                .map_err(|e| ApiError::new(400, "INVALID_URL", e.to_string()))?;
            f.platform = Some(platform_domain(&u, adapter.info().key));
            f.url = u;
        }
        Some(None) => return Err(ApiError::validation("url must be a string")),
        None if existing.is_none() => return Err(ApiError::validation("url is required")),
        None => {}
    }
    if let Some(n) = string_or_null(obj, "name")? {
        if n.as_ref().is_some_and(|n| n.chars().count() > 255) {
            return Err(ApiError::validation("name must be at most 255 characters"));
        }
        f.name = n;
    }
    let mut timing_changed = existing.is_none();
    match string_or_null(obj, "frequency")? {
        Some(Some(fr)) => {
            timing_changed |= fr != f.frequency;
            if fr != "custom" && !obj.contains_key("customCron") {
                f.custom_cron = None;
            }
            f.frequency = fr;
        }
        Some(None) => return Err(ApiError::validation("frequency must be a string")),
        None if existing.is_none() => return Err(ApiError::validation("frequency is required")),
        None => {}
    }
    if let Some(c) = string_or_null(obj, "customCron")? {
        timing_changed |= c != f.custom_cron;
        f.custom_cron = c;
    }
    if let Some(t) = string_or_null(obj, "preferredTime")? {
        let t = t
            .map(|t| scheduler::parse_time(&t).map(|t| t.format("%H:%M:%S").to_string()))
            .transpose()
            .map_err(ApiError::validation)?;
        timing_changed |= t != f.preferred_time;
        f.preferred_time = t;
    }
    if let Some(tz) = string_or_null(obj, "timezone")? {
        let tz = tz.unwrap_or_else(|| "UTC".into());
        timing_changed |= tz != f.timezone;
        f.timezone = tz;
    }
    Timing::parse(
        &f.frequency,
        f.custom_cron.as_deref(),
        f.preferred_time.as_deref(),
        &f.timezone,
    )
    .map_err(ApiError::validation)?;
    if let Some(d) = string_or_null(obj, "deliveryMethod")? {
        match d.as_deref() {
            Some("storage") | None => f.delivery_method = "storage".into(),
            Some("webhook") => f.delivery_method = "webhook".into(),
            Some("email") => {
                if state.config.smtp.is_none() {
                    return Err(ApiError::validation(
                        "deliveryMethod email needs a mail server: this service was started without --smtp; use storage or webhook",
                    ));
                }
                if db(state, move |s| s.user_email(uid)).await?.is_none() {
                    return Err(ApiError::validation(
                        "deliveryMethod email needs your account's email address (runner token create --email ADDRESS)",
                    ));
                }
                f.delivery_method = "email".into();
            }
            Some(other) => {
                return Err(ApiError::validation(format!(
                    "deliveryMethod must be storage, email or webhook, not {other:?}"
                )))
            }
        }
    }
    if let Some(w) = string_or_null(obj, "webhook")? {
        f.webhook_uuid = match w {
            None => None,
            Some(w) => {
                let w = uuid::Uuid::parse_str(&w)
                    .map_err(|_| ApiError::validation("webhook must be a webhook uuid"))?
                    .to_string();
                let id = w.clone();
                if db(state, move |s| s.webhook_for(uid, &id)).await?.is_none() {
                    return Err(ApiError::validation(format!(
                        "webhook: unknown webhook {w} (create one with POST /api/v1/webhooks)"
                    )));
                }
                Some(w)
            }
        };
    }
    if f.delivery_method == "webhook" && f.webhook_uuid.is_none() {
        return Err(ApiError::validation(
            "deliveryMethod webhook needs the uuid of one of your webhooks in webhook",
        ));
    }
    if let Some(v) = obj.get("sendNotification") {
        f.send_notification = v
            .as_bool()
            .ok_or_else(|| ApiError::validation("sendNotification must be a boolean"))?;
    }
    if let Some(o) = obj
        .get("exportOptions")
        .filter(|_| extra.contains(&"exportOptions"))
    {
        let parsed = super::jobs::check_options(state, uid, Some(o)).await?;
        f.options = parsed.shown;
        f.secrets = o.get("cookies").map(|c| c.to_string());
    }
    Ok((f, timing_changed))
}

/// The first slot of a timing anchored now, as (anchor, next run in ms).
pub(super) fn first_slot(
    f: &ScheduleFields,
    now: DateTime<Utc>,
) -> Result<(String, i64), ApiError> {
    let t = Timing::parse(
        &f.frequency,
        f.custom_cron.as_deref(),
        f.preferred_time.as_deref(),
        &f.timezone,
    )
    .map_err(ApiError::validation)?;
    let anchor = t.anchor_at(now);
    let next = t
        .next_after(anchor, now)
        .ok_or_else(|| ApiError::validation("customCron never runs again"))?;
    Ok((show_anchor(anchor), next.timestamp_millis()))
}

fn show_ms(t: &Option<Timing>, ms: Option<i64>) -> Value {
    match (t, ms.and_then(DateTime::from_timestamp_millis)) {
        (Some(t), Some(at)) => json!(t.show(at)),
        (None, Some(at)) => json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        _ => Value::Null,
    }
}

/// The documented fields both objects share.
pub(super) fn common_json(s: &ScheduleRow) -> Value {
    let t = timing_of(s).ok();
    json!({
        "uuid": s.uuid,
        "url": s.url,
        "platform": s.platform,
        "name": s.name,
        "frequency": s.frequency,
        "customCron": s.custom_cron,
        "preferredTime": s.preferred_time,
        "timezone": s.timezone,
        "enabled": s.enabled,
        "status": if s.enabled { "active" } else { "paused" },
        "deliveryMethod": s.delivery_method,
        "webhook": s.webhook_uuid.as_ref().map(|w| json!({"uuid": w})),
        "sendNotification": s.send_notification,
        "lastRunAt": show_ms(&t, s.last_run_at),
        "nextRunAt": show_ms(&t, s.next_run_at),
        "runCount": s.run_count,
        "failCount": s.fail_count,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
    })
}

/// One run as `recent_history` / `recent_runs` show it (plus its job guids).
pub(super) fn run_json(s: &ScheduleRow, r: &RunRow, workflow: bool) -> Value {
    let t = timing_of(s).ok();
    let mut v = json!({
        "startedAt": show_ms(&t, Some(r.started_at)),
        "completedAt": show_ms(&t, r.completed_at),
        "status": r.status,
        "jobs": r.jobs,
    });
    if workflow {
        v["stepsCompleted"] = json!(r.steps_completed);
        v["totalResults"] = json!(r.total_results);
    } else {
        v["commentsExported"] = json!(r.total_results);
    }
    v
}

fn schedule_json(s: &ScheduleRow) -> Value {
    let mut v = common_json(s);
    v["exportOptions"] = s.options.clone();
    v
}

async fn owned(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<ScheduleRow, ApiError> {
    let uuid = path_uuid(uuid, kind)?;
    let uid = caller.user.id;
    db(state, move |s| s.schedule_for(uid, kind, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found(kind))
}

/// Creates a schedule or workflow from its drafted fields: 201.
pub(super) async fn insert(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    f: ScheduleFields,
    max: i64,
) -> Result<ScheduleRow, ApiError> {
    let mut f = f;
    let (anchor, next) = first_slot(&f, Utc::now())?;
    f.anchor = anchor;
    let uid = caller.user.id;
    db(state, move |s| {
        if s.count_schedules(uid, kind)? >= max {
            return Ok(None);
        }
        s.insert_schedule(uid, kind, &f, next).map(Some)
    })
    .await?
    .ok_or_else(|| {
        ApiError::new(
            403,
            if kind == "workflow" {
                "WORKFLOW_LIMIT"
            } else {
                "SCHEDULE_LIMIT"
            },
            format!("at most {max} {kind}s per account"),
        )
    })
}

/// Writes an update; a timing change re-anchors the slots at now.
pub(super) async fn store_update(
    state: &AppState,
    row: &ScheduleRow,
    f: ScheduleFields,
    timing_changed: bool,
) -> Result<ScheduleRow, ApiError> {
    let mut f = f;
    let mut next = None;
    if timing_changed {
        let (anchor, n) = first_slot(&f, Utc::now())?;
        f.anchor = anchor;
        next = Some(n);
    }
    let id = row.id;
    db(state, move |s| s.update_schedule(id, &f, next))
        .await?
        .ok_or_else(|| ApiError::not_found("schedule"))
}

/// Deletes a schedule or workflow (and its dedup files): 204.
pub(super) async fn remove(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<Response, ApiError> {
    let row = owned(state, caller, kind, uuid).await?;
    let uid = caller.user.id;
    let u = row.uuid.clone();
    if !db(state, move |s| s.delete_schedule(uid, kind, &u)).await? {
        return Err(ApiError::not_found(kind));
    }
    // The "seen" sets of its runs go with it (workflows: one per step).
    let dir = state.config.data_dir.join("dedup");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().contains(&row.uuid) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Pauses: `{"uuid", "status": "paused", "enabled": false}`.
pub(super) async fn pause_kind(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<Json<Value>, ApiError> {
    let row = owned(state, caller, kind, uuid).await?;
    let anchor = row.anchor.clone();
    let row = db(state, move |s| {
        s.set_schedule_enabled(row.id, None, &anchor)
    })
    .await?
    .ok_or_else(|| ApiError::not_found(kind))?;
    Ok(Json(
        json!({"uuid": row.uuid, "status": "paused", "enabled": row.enabled}),
    ))
}

/// Resumes (slots re-anchored at now): `{"uuid", "status", "enabled", "nextRunAt"}`.
pub(super) async fn resume_kind(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<Json<Value>, ApiError> {
    let mut row = owned(state, caller, kind, uuid).await?;
    if !row.enabled {
        let (anchor, next) = first_slot(&row.fields(), Utc::now())?;
        let id = row.id;
        row = db(state, move |s| {
            s.set_schedule_enabled(id, Some(next), &anchor)
        })
        .await?
        .ok_or_else(|| ApiError::not_found(kind))?;
    }
    let v = common_json(&row);
    Ok(Json(json!({
        "uuid": row.uuid,
        "status": v["status"],
        "enabled": row.enabled,
        "nextRunAt": v["nextRunAt"],
    })))
}

/// Runs now, outside the schedule (the next slot stays).
pub(super) async fn run_now_kind(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<Json<Value>, ApiError> {
    let row = owned(state, caller, kind, uuid).await?;
    let start = scheduler::run_start(&row);
    let id = row.id;
    let jobs = db(state, move |s| {
        let jobs = s.run_now(id, Utc::now().timestamp_millis(), &start)?;
        scheduler::announce(s, &jobs)?;
        Ok(jobs)
    })
    .await?;
    let what = if kind == "workflow" {
        "Workflow"
    } else {
        "Export"
    };
    Ok(Json(json!({
        "message": format!("{what} triggered successfully"),
        "uuid": row.uuid,
        "status": if row.enabled { "active" } else { "paused" },
        "jobs": jobs.iter().map(|j| j.guid.clone()).collect::<Vec<_>>(),
    })))
}

/// A schedule or workflow with its latest runs.
pub(super) async fn with_runs(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    uuid: &str,
) -> Result<(ScheduleRow, Vec<RunRow>), ApiError> {
    let row = owned(state, caller, kind, uuid).await?;
    let id = row.id;
    let runs = db(state, move |s| s.recent_runs(id, 10)).await?;
    Ok((row, runs))
}

/// A page of a user's schedules or workflows.
pub(super) async fn page_of(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    q: &PageQuery,
) -> Result<Vec<ScheduleRow>, ApiError> {
    let (page, limit) = q.resolve(10)?;
    let uid = caller.user.id;
    db(state, move |s| s.list_schedules(uid, kind, page, limit)).await
}

/// `POST /api/v1/schedules`: 201.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let obj = object(&body)?;
    let (f, _) = draft(&state, &caller, &obj, None, &["exportOptions"]).await?;
    let row = insert(&state, &caller, "schedule", f, MAX_SCHEDULES).await?;
    Ok((StatusCode::CREATED, Json(schedule_json(&row))).into_response())
}

/// `GET /api/v1/schedules/{uuid}`: with `recent_history`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (row, runs) = with_runs(&state, &caller, "schedule", &uuid).await?;
    let mut v = schedule_json(&row);
    v["recent_history"] = runs.iter().map(|r| run_json(&row, r, false)).collect();
    Ok(Json(v))
}

/// `GET /api/v1/schedules?page=&limit=`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = page_of(&state, &caller, "schedule", &q).await?;
    Ok(Json(rows.iter().map(schedule_json).collect()))
}

/// `PUT /api/v1/schedules/{uuid}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let row = owned(&state, &caller, "schedule", &uuid).await?;
    let obj = object(&body)?;
    let (f, timing) = draft(&state, &caller, &obj, Some(&row), &["exportOptions"]).await?;
    let row = store_update(&state, &row, f, timing).await?;
    Ok(Json(schedule_json(&row)))
}

/// `DELETE /api/v1/schedules/{uuid}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    remove(&state, &caller, "schedule", &uuid).await
}

/// `POST /api/v1/schedules/{uuid}/pause`.
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    pause_kind(&state, &caller, "schedule", &uuid).await
}

/// `POST /api/v1/schedules/{uuid}/resume`.
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    resume_kind(&state, &caller, "schedule", &uuid).await
}

/// `POST /api/v1/schedules/{uuid}/run-now`.
pub async fn run_now(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    run_now_kind(&state, &caller, "schedule", &uuid).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn documented_platform_domains() {
        assert_eq!(
            super::platform_domain("https://www.youtube.com/watch?v=x", "youtube"),
            "youtube.com"
        );
        assert_eq!(
            super::platform_domain("https://store.steampowered.com/app/1/", "steam"),
            "steampowered.com"
        );
        assert_eq!(super::platform_domain("https://x.test/", "nope"), "nope");
    }
}
