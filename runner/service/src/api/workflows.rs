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

use super::schedules as sched;
use super::workflow_steps::*;
use super::{json_object as object, PageQuery};
use crate::auth::Caller;
use crate::store::ScheduleRow;
use crate::{ApiError, AppState};

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
