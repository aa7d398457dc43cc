//! StarExport-style endpoints: export statistics (`GET /api/export/stats/summary`),
//! the platforms with their features and formats (`GET /api/platforms`) and
//! health with uptime (`GET /api/health`), in StarExport's `{"success", "data"}`
//! envelope; and the progress fields (`progress`, `processedItems`,
//! `totalItems`, `estimatedCompletion`) added to job responses.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::db;
use crate::auth::Caller;
use crate::store::db::Val;
use crate::store::JobRow;
use crate::{ApiError, AppState};

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes when this process started serving (for `uptime`).
pub(crate) fn mark_started() {
    STARTED.get_or_init(Instant::now);
}

/// Formats the engine's files the service writes for every job.
const FORMATS: &[&str] = &["json", "xlsx"];

/// What each platform's adapter exports (a new adapter without a line here
/// shows comments only).
const FEATURES: &[(&str, &[&str])] = &[
    ("steam", &["reviews", "replies"]),
    ("trustpilot", &["reviews", "replies"]),
    ("apple", &["reviews"]),
    ("googleplay", &["reviews", "replies"]),
    ("youtube", &["comments", "replies"]),
    ("reddit", &["posts", "comments", "replies"]),
    ("hackernews", &["posts", "comments", "replies"]),
    ("bilibili", &["comments", "replies"]),
    ("openweb", &["comments", "replies"]),
    ("twitter", &["posts", "comments", "replies"]),
];

/// Platforms that need a credential of the user's (`authType`).
const AUTH: &[(&str, &str)] = &[("openweb", "api_key"), ("twitter", "cookies")];

/// The features of a platform key.
pub(crate) fn features(key: &str) -> &'static [&'static str] {
    FEATURES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(&["comments"], |(_, f)| f)
}

/// Adds StarExport's progress fields to a job object, where the platform
/// announced a total (capped by the job's `limit`).
///
/// ```
/// # let mut job = service::store::JobRow { id: 1, guid: "g".into(), user_id: 1, url: "u".into(),
/// #   platform: None, options: serde_json::json!({"limit": 50}), secrets: None, status: "progress".into(),
/// #   sandbox: false, total_exported: 10, total: Some(200), error: None, error_kind: None, attempts: 1,
/// #   json_file: None, xlsx_file: None, created_at: String::new(), updated_at: String::new(),
/// #   started_at: None, finished_at: None };
/// let mut v = serde_json::json!({});
/// service::api::add_progress(&mut v, &job);
/// assert_eq!((v["progress"].as_i64(), v["totalItems"].as_i64()), (Some(20), Some(50)));
/// ```
pub fn add_progress(v: &mut Value, job: &JobRow) {
    let limit = job.options.get("limit").and_then(Value::as_i64);
    let total = match (job.total, limit) {
        (Some(t), Some(l)) => Some(t.min(l)),
        (t, _) => t,
    };
    let done = job.status == "done";
    let processed = job.total_exported;
    v["processedItems"] = json!(processed);
    v["totalItems"] = json!(if done { Some(processed) } else { total });
    v["progress"] = match (done, total) {
        (true, _) => json!(100),
        (false, Some(t)) if t > 0 => json!((processed * 100 / t).clamp(0, 99)),
        (false, Some(_)) => json!(0),
        (false, None) => Value::Null,
    };
    v["estimatedCompletion"] = match (done, &job.finished_at) {
        (true, f) => json!(f),
        (false, _) if job.status == "progress" => json!(estimate(job, total)),
        _ => Value::Null,
    };
}

fn estimate(job: &JobRow, total: Option<i64>) -> Option<String> {
    let total = total.filter(|t| *t > 0)?;
    let processed = job.total_exported;
    if processed <= 0 {
        return None;
    }
    let started = chrono::DateTime::parse_from_rfc3339(job.started_at.as_deref()?).ok()?;
    let now = chrono::Utc::now();
    let elapsed = (now - started.with_timezone(&chrono::Utc)).num_milliseconds() as f64;
    // The rate so far, applied to what is left (bounded: a year at most).
    let left = elapsed * (total - processed).max(0) as f64 / processed as f64;
    let left = chrono::Duration::milliseconds(left.clamp(0.0, 3.2e10) as i64);
    Some((now + left).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// A StarExport error: `{"success": false, "error", "code"}`.
#[derive(Debug)]
pub struct StarError {
    status: u16,
    code: &'static str,
    error: String,
}

impl StarError {
    fn new(status: u16, code: &'static str, error: impl Into<String>) -> StarError {
        StarError {
            status,
            code,
            error: error.into(),
        }
    }
}

impl IntoResponse for StarError {
    fn into_response(self) -> Response {
        (
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Json(json!({"success": false, "error": self.error, "code": self.code})),
        )
            .into_response()
    }
}

fn star_auth(who: Result<Caller, ApiError>) -> Result<Caller, StarError> {
    who.map_err(|e| match e.code {
        "AUTH_HEADER_TOKEN" if e.detail.starts_with("missing") => {
            StarError::new(401, "AUTH_REQUIRED", "Authentication required")
        }
        "AUTH_HEADER_TOKEN" | "TOKEN_EXPIRED" => {
            StarError::new(401, "INVALID_TOKEN", "Invalid or expired token")
        }
        "RATE_LIMIT_EXCEEDED" => StarError::new(429, "RATE_LIMIT_EXCEEDED", e.detail),
        _ => StarError::new(e.status, "INTERNAL_ERROR", e.detail),
    })
}

/// `1234567` → `1.2MB`.
fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n}B")
    } else {
        format!("{v:.1}{}", UNITS[u])
    }
}

/// `GET /api/export/stats/summary`: the caller's exports (sandbox jobs aside).
pub async fn summary(
    State(state): State<AppState>,
    who: Result<Caller, ApiError>,
) -> Result<Json<Value>, StarError> {
    let caller = star_auth(who)?;
    let uid = caller.user.id;
    let rows = db(&state, move |s| {
        s.with(|c| {
            c.rows(
                "SELECT platform, status, started_at, finished_at, json_file, xlsx_file,
                    total_exported FROM jobs WHERE user_id = ?1 AND sandbox = 0",
                &[Val::Int(uid)],
            )
        })
    })
    .await
    .map_err(|e| StarError::new(500, "INTERNAL_ERROR", e.detail))?;
    let (mut completed, mut failed, mut stopped, mut active, mut records) = (0, 0, 0, 0, 0i64);
    let (mut durations, mut bytes) = (Vec::new(), 0u64);
    let mut by_platform: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let status = r.text("status").unwrap_or_default();
        *by_platform
            .entry(
                r.opt_text("platform")
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "unknown".into()),
            )
            .or_default() += 1;
        records += r.i64("total_exported").unwrap_or(0);
        match status.as_str() {
            "done" => {
                completed += 1;
                let span = (
                    r.opt_text("started_at").ok().flatten(),
                    r.opt_text("finished_at").ok().flatten(),
                );
                if let (Some(s), Some(f)) = span {
                    if let (Ok(s), Ok(f)) = (
                        chrono::DateTime::parse_from_rfc3339(&s),
                        chrono::DateTime::parse_from_rfc3339(&f),
                    ) {
                        durations.push((f - s).num_seconds().max(0));
                    }
                }
                for col in ["json_file", "xlsx_file"] {
                    if let Some(f) = r.opt_text(col).ok().flatten() {
                        bytes += std::fs::metadata(state.config.data_dir.join(f))
                            .map(|m| m.len())
                            .unwrap_or(0);
                    }
                }
            }
            "error" => failed += 1,
            "stopped" => stopped += 1,
            _ => active += 1,
        }
    }
    let average = if durations.is_empty() {
        0
    } else {
        durations.iter().sum::<i64>() / durations.len() as i64
    };
    Ok(Json(json!({
        "success": true,
        "data": {
            "totalExports": rows.len(),
            "completedExports": completed,
            "failedExports": failed,
            "stoppedExports": stopped,
            "activeExports": active,
            "averageDuration": average,
            "totalDataExported": human_bytes(bytes),
            "totalBytesExported": bytes,
            "totalRecordsExported": records,
            "exportsByPlatform": by_platform,
        }
    })))
}

/// `GET /api/platforms`: each platform's features and export formats.
pub async fn platforms(
    State(state): State<AppState>,
    who: Result<Caller, ApiError>,
) -> Result<Json<Value>, StarError> {
    star_auth(who)?;
    let list: Vec<Value> = state
        .registry
        .adapters()
        .iter()
        .map(|a| {
            let info = a.info();
            let f = features(info.key);
            let flags: BTreeMap<&str, bool> = ["posts", "comments", "replies", "reviews"]
                .iter()
                .map(|k| (*k, f.contains(k)))
                .collect();
            json!({
                "name": info.key,
                "displayName": info.name,
                "authType": AUTH.iter().find(|(k, _)| *k == info.key).map_or("none", |(_, t)| t),
                "exportFormats": FORMATS,
                "features": flags,
                "hosts": info.hosts,
            })
        })
        .collect();
    Ok(Json(json!({"success": true, "data": list})))
}

/// `GET /api/health` (no token): status, version, uptime, store and storage.
pub async fn health(State(state): State<AppState>) -> Response {
    let store_ok = db(&state, |s| s.schema_version()).await.is_ok();
    let dir = state.config.data_dir.join("jobs");
    let storage_ok = tokio::fs::metadata(&dir).await.is_ok_and(|m| m.is_dir());
    let healthy = store_ok && storage_ok;
    let body = json!({
        "success": healthy,
        "data": {
            "status": if healthy { "healthy" } else { "unhealthy" },
            "version": env!("CARGO_PKG_VERSION"),
            "uptime": STARTED.get().map_or(0, |s| s.elapsed().as_secs()),
            "services": {
                "database": if store_ok { "connected" } else { "disconnected" },
                "storage": if storage_ok { "available" } else { "unavailable" },
            },
            "store": if state.store.is_postgres() { "postgres" } else { "sqlite" },
            "workers": state.config.workers,
        }
    });
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_like_the_docs() {
        assert_eq!(super::human_bytes(512), "512B");
        assert_eq!(super::human_bytes(1536), "1.5KB");
        assert_eq!(super::human_bytes(16_750_000_000), "15.6GB");
    }
}
