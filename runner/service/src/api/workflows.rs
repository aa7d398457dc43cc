//! `/api/v1/workflows…`: scheduled multi-step pipelines (create, retrieve,
//! list, update, delete, pause, resume, run-now, pipeline-info).
//!
//! A workflow is a schedule with ordered steps; its runs use the schedules'
//! slots, claims and counters. Step 1 (`inputMode: url`) exports the
//! workflow's URL; each later step (`previous_results`) exports the URLs of
//! the previous step's results that pass its `conditions` (`max_age_hours`,
//! `keyword`), at most 100. Each step has its own cross-run dedup file, so a
//! step's results are new items only.
//!
//! What this server's adapters can do decides each platform's actions:
//! `export_comments` and `export_reviews` export a URL's records;
//! `export_posts` is offered where an export carries the post itself
//! (Reddit, Hacker News, X): its results are those post records, and
//! `export_comments` then exports each post's thread. No adapter lists a
//! page's or profile's posts, likes, shares or followers yet, so
//! `export_likes`, `export_shares` and `export_followers` are offered nowhere.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::schedules::{self as sched, object};
use super::PageQuery;
use crate::auth::Caller;
use crate::store::{JobRow, NewJob, ScheduleRow};
use crate::{ApiError, AppState};

/// Most workflows per account (the documented Business limit).
pub const MAX_WORKFLOWS: i64 = 10;
/// Most steps in a workflow (Business).
pub const MAX_STEPS: usize = 5;
/// Most results of a step passed to the next one (Business).
pub const MAX_RESULTS_PER_STEP: usize = 100;

/// The documented actions.
pub const ACTIONS: &[&str] = &[
    "export_posts",
    "export_comments",
    "export_likes",
    "export_shares",
    "export_followers",
    "export_reviews",
];

/// The documented pipeline transitions (action → actions it may chain to).
pub const TRANSITIONS: &[(&str, &[&str])] = &[
    (
        "export_posts",
        &["export_comments", "export_likes", "export_shares"],
    ),
    ("export_comments", &[]),
    ("export_likes", &[]),
    ("export_shares", &["export_comments", "export_likes"]),
    ("export_followers", &[]),
    ("export_reviews", &[]),
];

fn next_actions(action: &str) -> &'static [&'static str] {
    TRANSITIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(&[], |(_, n)| n)
}

/// The actions this server can run for a platform key.
pub fn platform_actions(key: &str) -> Vec<&'static str> {
    let f = super::stats::features(key);
    let mut out = Vec::new();
    if f.contains(&"posts") {
        out.push("export_posts");
    }
    if f.contains(&"comments") {
        out.push("export_comments");
    }
    if f.contains(&"reviews") {
        out.push("export_reviews");
    }
    out
}

fn step_err(i: usize, msg: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("steps[{i}]: {msg}"))
}

/// Validates `steps` for a platform; returns them normalized and in order.
async fn parse_steps(
    state: &AppState,
    caller: &Caller,
    v: &Value,
    platform: &str,
) -> Result<Value, ApiError> {
    let list = v
        .as_array()
        .filter(|l| !l.is_empty() && l.len() <= MAX_STEPS)
        .ok_or_else(|| {
            ApiError::validation(format!("steps must be an array of 1 to {MAX_STEPS} steps"))
        })?;
    let available = platform_actions(platform);
    let mut steps = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let o = s
            .as_object()
            .ok_or_else(|| step_err(i, "a step must be an object"))?;
        for k in o.keys() {
            if !matches!(
                k.as_str(),
                "position" | "action" | "inputMode" | "options" | "conditions"
            ) {
                return Err(step_err(i, format!("unknown field {k:?}")));
            }
        }
        let position = o
            .get("position")
            .and_then(Value::as_i64)
            .ok_or_else(|| step_err(i, "position must be an integer"))?;
        let action = o
            .get("action")
            .and_then(Value::as_str)
            .filter(|a| ACTIONS.contains(a))
            .ok_or_else(|| step_err(i, format!("action must be one of {}", ACTIONS.join(", "))))?;
        if !available.contains(&action) {
            return Err(step_err(
                i,
                format!(
                    "{action} is not available for {platform} on this server (available: {})",
                    available.join(", ")
                ),
            ));
        }
        let mode = o
            .get("inputMode")
            .and_then(Value::as_str)
            .filter(|m| matches!(*m, "url" | "previous_results"))
            .ok_or_else(|| step_err(i, "inputMode must be url or previous_results"))?;
        let options = match o.get("options") {
            None | Some(Value::Null) => json!({}),
            Some(opts) => {
                if opts.get("cookies").is_some() {
                    return Err(step_err(
                        i,
                        "options.cookies are not taken in workflow steps",
                    ));
                }
                super::jobs::check_options(state, caller.user.id, Some(opts))
                    .await
                    .map_err(|e| step_err(i, e.detail))?
                    .shown
            }
        };
        let conditions = parse_conditions(o.get("conditions")).map_err(|m| step_err(i, m))?;
        steps.push(json!({
            "position": position,
            "action": action,
            "inputMode": mode,
            "options": options,
            "conditions": conditions,
        }));
    }
    steps.sort_by_key(|s| s["position"].as_i64());
    for (i, s) in steps.iter().enumerate() {
        if s["position"].as_i64() != Some(i as i64 + 1) {
            return Err(ApiError::validation(
                "steps: positions must be 1, 2, … without gaps or repeats",
            ));
        }
        let mode = s["inputMode"].as_str().unwrap_or_default();
        match (i, mode) {
            (0, "url") | (1.., "previous_results") => {}
            (0, _) => {
                return Err(ApiError::validation(
                    "steps: the first step must use inputMode url",
                ))
            }
            _ => {
                return Err(ApiError::validation(format!(
                    "steps: step {} must use inputMode previous_results",
                    i + 1
                )))
            }
        }
        if i > 0 {
            let from = steps[i - 1]["action"].as_str().unwrap_or_default();
            let to = s["action"].as_str().unwrap_or_default();
            if !next_actions(from).contains(&to) {
                return Err(ApiError::validation(format!(
                    "steps: {from} cannot chain to {to} (allowed: {})",
                    if next_actions(from).is_empty() {
                        "none, it is terminal".to_string()
                    } else {
                        next_actions(from).join(", ")
                    }
                )));
            }
        }
    }
    Ok(Value::Array(steps))
}

fn parse_conditions(v: Option<&Value>) -> Result<Value, String> {
    let o = match v {
        None | Some(Value::Null) => return Ok(Value::Null),
        Some(Value::Array(a)) if a.is_empty() => return Ok(Value::Null),
        Some(Value::Object(o)) => o,
        Some(_) => return Err("conditions must be an object".into()),
    };
    let mut out = Map::new();
    for (k, v) in o {
        match k.as_str() {
            "max_age_hours" => {
                let h = v
                    .as_u64()
                    .filter(|h| (1..=24 * 366).contains(h))
                    .ok_or("conditions.max_age_hours must be an integer of hours from 1 to 8784")?;
                out.insert(k.clone(), json!(h));
            }
            "keyword" => {
                let w = v
                    .as_str()
                    .map(str::trim)
                    .filter(|w| !w.is_empty() && w.len() <= 200)
                    .ok_or("conditions.keyword must be a non-empty string")?;
                out.insert(k.clone(), json!(w));
            }
            other => {
                return Err(format!(
                    "unknown condition {other:?} (max_age_hours, keyword)"
                ))
            }
        }
    }
    Ok(Value::Object(out))
}

fn step(s: &ScheduleRow, position: i64) -> Option<&Value> {
    s.steps
        .as_ref()?
        .as_array()?
        .iter()
        .find(|x| x["position"].as_i64() == Some(position))
}

/// The job options of a step at run time (`max_age_hours` of a URL step
/// becomes the export's `minTimestamp`).
pub(crate) fn step_options(s: &ScheduleRow, position: i64) -> Value {
    let Some(st) = step(s, position) else {
        return s.options.clone();
    };
    let mut o = st["options"].clone();
    if let (Some(h), true) = (
        st["conditions"]["max_age_hours"].as_i64(),
        st["inputMode"] == "url",
    ) {
        let since = chrono::Utc::now().timestamp() - h * 3600;
        if let Some(m) = o.as_object_mut() {
            m.entry("minTimestamp").or_insert(json!(since));
        }
    }
    o
}

/// Whether a result passes a step's conditions.
fn passes(record: &Value, conditions: &Value) -> bool {
    if let Some(h) = conditions["max_age_hours"].as_i64() {
        let fresh = record["created_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| {
                chrono::Utc::now() - t.with_timezone(&chrono::Utc) <= chrono::Duration::hours(h)
            });
        if !fresh {
            return false;
        }
    }
    if let Some(k) = conditions["keyword"].as_str() {
        let k = k.to_lowercase();
        let hay = format!(
            "{} {}",
            record["title"].as_str().unwrap_or_default(),
            record["text"].as_str().unwrap_or_default()
        )
        .to_lowercase();
        if !hay.contains(&k) {
            return false;
        }
    }
    true
}

/// The jobs of the step after `position`, from the results of its jobs
/// (`None`: `position` was the last step).
pub(crate) fn next_step_jobs(
    state: &AppState,
    s: &ScheduleRow,
    position: i64,
    jobs: &[JobRow],
) -> Option<Vec<NewJob>> {
    let prev = step(s, position)?;
    let next = step(s, position + 1)?;
    let wanted_kind = match prev["action"].as_str() {
        Some("export_posts") => Some("post"),
        _ => None,
    };
    let mut urls: Vec<String> = Vec::new();
    for j in jobs {
        let Some(file) = &j.json_file else { continue };
        let Ok(bytes) = std::fs::read(state.config.data_dir.join(file)) else {
            continue;
        };
        let records: Vec<Value> = serde_json::from_slice(&bytes).unwrap_or_default();
        for r in records {
            if wanted_kind.is_some_and(|k| r["kind"] != k) || !passes(&r, &next["conditions"]) {
                continue;
            }
            // The record's own link when it is a page we can export, else its thread.
            let own = r["url"]
                .as_str()
                .filter(|u| state.registry.detect(u).is_ok());
            let Some(u) = own.or(r["source_url"].as_str()) else {
                continue;
            };
            if !urls.iter().any(|x| x == u) {
                urls.push(u.to_string());
            }
            if urls.len() >= MAX_RESULTS_PER_STEP {
                break;
            }
        }
    }
    let options = step_options(s, position + 1);
    Some(
        urls.into_iter()
            .filter_map(|u| {
                let key = state.registry.detect(&u).ok()?.0.info().key.to_string();
                Some(NewJob {
                    user_id: s.user_id,
                    url: u,
                    platform: Some(key),
                    options: options.clone(),
                    secrets: None,
                    sandbox: false,
                })
            })
            .collect(),
    )
}

fn workflow_json(s: &ScheduleRow) -> Value {
    let mut v = sched::common_json(s);
    v["steps"] = s.steps.clone().unwrap_or(json!([]));
    v
}

fn platform_key(state: &AppState, url: &str) -> Option<String> {
    state
        .registry
        .detect(url)
        .ok()
        .map(|(a, _)| a.info().key.to_string())
}

async fn draft_workflow(
    state: &AppState,
    caller: &Caller,
    obj: &Map<String, Value>,
    existing: Option<&ScheduleRow>,
) -> Result<(crate::store::ScheduleFields, bool), ApiError> {
    let (mut f, timing) = sched::draft(state, caller, obj, existing, &["steps"]).await?;
    let key = platform_key(state, &f.url).unwrap_or_default();
    match (obj.get("steps"), existing) {
        (Some(v), _) => f.steps = Some(parse_steps(state, caller, v, &key).await?),
        (None, None) => return Err(ApiError::validation("steps is required")),
        // A new URL must still suit the steps.
        (None, Some(e)) if obj.contains_key("url") => {
            let steps = e.steps.clone().unwrap_or(json!([]));
            f.steps = Some(parse_steps(state, caller, &steps, &key).await?);
        }
        (None, Some(_)) => {}
    }
    Ok((f, timing))
}

/// `POST /api/v1/workflows`: 201.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let obj = object(&body)?;
    let (f, _) = draft_workflow(&state, &caller, &obj, None).await?;
    let row = sched::insert(&state, &caller, "workflow", f, MAX_WORKFLOWS).await?;
    Ok((StatusCode::CREATED, Json(workflow_json(&row))).into_response())
}

/// `GET /api/v1/workflows/{uuid}`: with `recent_runs`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (row, runs) = sched::with_runs(&state, &caller, "workflow", &uuid).await?;
    let mut v = workflow_json(&row);
    v["recent_runs"] = runs
        .iter()
        .map(|r| sched::run_json(&row, r, true))
        .collect();
    Ok(Json(v))
}

/// `GET /api/v1/workflows?page=&limit=` (steps as position and action).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let rows = sched::page_of(&state, &caller, "workflow", &q).await?;
    Ok(Json(
        rows.iter()
            .map(|r| {
                let mut v = workflow_json(r);
                v["steps"] = r
                    .steps
                    .as_ref()
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .map(|s| json!({"position": s["position"], "action": s["action"]}))
                            .collect()
                    })
                    .unwrap_or(json!([]));
                v
            })
            .collect(),
    ))
}

/// `PUT /api/v1/workflows/{uuid}` (`steps` replaces every step).
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (row, _) = sched::with_runs(&state, &caller, "workflow", &uuid).await?;
    let obj = object(&body)?;
    let (f, timing) = draft_workflow(&state, &caller, &obj, Some(&row)).await?;
    let row = sched::store_update(&state, &row, f, timing).await?;
    Ok(Json(workflow_json(&row)))
}

/// `DELETE /api/v1/workflows/{uuid}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    sched::remove(&state, &caller, "workflow", &uuid).await
}

/// `POST /api/v1/workflows/{uuid}/pause`.
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    sched::pause_kind(&state, &caller, "workflow", &uuid).await
}

/// `POST /api/v1/workflows/{uuid}/resume`.
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    sched::resume_kind(&state, &caller, "workflow", &uuid).await
}

/// `POST /api/v1/workflows/{uuid}/run-now`: every step, one after the other.
pub async fn run_now(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    sched::run_now_kind(&state, &caller, "workflow", &uuid).await
}

/// Query of pipeline-info.
#[derive(Debug, Deserialize)]
pub struct InfoQuery {
    url: Option<String>,
}

/// A documented template: id, name, description, (action, limit) per step.
type Template = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, i64)],
);

const TEMPLATES: &[Template] = &[
    (
        "comments_monitor",
        "Comments Monitor",
        "Export new posts, then export comments on each",
        &[("export_posts", 50), ("export_comments", 5000)],
    ),
    (
        "engagement_tracker",
        "Engagement Tracker",
        "Export new posts, then export likes/reactions",
        &[("export_posts", 50), ("export_likes", 5000)],
    ),
    (
        "viral_tracker",
        "Viral Content Tracker",
        "Export shares, then track comments on shared posts",
        &[("export_posts", 50), ("export_shares", 1000)],
    ),
    (
        "review_monitor",
        "Review Monitor",
        "Automatically export new reviews on a schedule",
        &[("export_reviews", 5000)],
    ),
];

fn category(key: &str) -> &'static str {
    let f = super::stats::features(key);
    if f.contains(&"reviews") {
        "reviews"
    } else if f.contains(&"posts") {
        "social"
    } else if matches!(key, "youtube" | "bilibili" | "twitch" | "vimeo" | "tiktok") {
        "video"
    } else {
        "community"
    }
}

/// `GET /api/v1/workflows/pipeline-info?url=`: what this server can chain.
pub async fn pipeline_info(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<InfoQuery>,
) -> Result<Json<Value>, ApiError> {
    let platform = match &q.url {
        None => None,
        Some(u) => Some(platform_key(&state, u).ok_or_else(|| {
            ApiError::new(
                400,
                "INVALID_URL",
                "the URL is not one of a supported platform",
            )
        })?),
    };
    let available: Vec<&str> = match &platform {
        Some(p) => platform_actions(p),
        None => ACTIONS.to_vec(),
    };
    let templates: Vec<Value> = TEMPLATES
        .iter()
        .filter(|(_, _, _, steps)| {
            platform.is_none() || steps.iter().all(|(a, _)| available.contains(a))
        })
        .map(|(id, name, desc, steps)| {
            json!({
                "id": id,
                "name": name,
                "description": desc,
                "steps": steps.iter().enumerate().map(|(i, (a, limit))| json!({
                    "position": i + 1,
                    "action": a,
                    "inputMode": if i == 0 { "url" } else { "previous_results" },
                    "options": {"limit": limit},
                    "conditions": [],
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut platform_actions_map = Map::new();
    let mut categories: Map<String, Value> = ["social", "video", "reviews", "community"]
        .iter()
        .map(|c| (c.to_string(), json!([])))
        .collect();
    for a in state.registry.adapters() {
        let key = a.info().key;
        platform_actions_map.insert(key.into(), json!(platform_actions(key)));
        if let Some(Value::Array(l)) = categories.get_mut(category(key)) {
            l.push(json!(key));
        }
    }
    Ok(Json(json!({
        "platform": platform,
        "available_actions": available,
        "transitions": TRANSITIONS.iter().map(|(a, n)| (a.to_string(), json!(n))).collect::<Map<_, _>>(),
        "templates": templates,
        "platform_actions": platform_actions_map,
        "platform_categories": categories,
    })))
}
