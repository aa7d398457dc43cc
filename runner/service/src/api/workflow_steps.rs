//! Workflow steps: the actions each platform offers, the documented
//! transitions between them, validation of a workflow's steps and
//! conditions, and the jobs a step hands to the next one.

use serde_json::{json, Map, Value};

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
pub(super) async fn parse_steps(
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
