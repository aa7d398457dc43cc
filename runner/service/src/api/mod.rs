//! The HTTP API: routes, request parsing helpers, and the JSON shapes.

mod bulk;
mod files;
mod jobs;
mod misc;
mod proxies;
mod realtime;
mod schedules;
mod stats;
mod task_input;
mod tasks;
mod tokens;
mod webhooks;
mod workflow_steps;
mod workflows;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use axum::Router;
use serde_json::Value;

use crate::{ApiError, AppState};

pub use jobs::job_json;
pub use misc::OPENAPI as OPENAPI_JSON;
pub use proxies::parse_proxy_line;
pub use stats::add_progress;
pub(crate) use stats::mark_started;
pub(crate) use workflow_steps::{
    next_step_jobs as workflow_next_step, step_options as workflow_step_options,
};

/// Every route of the API (kept in step with `openapi.json`, which a test checks).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v3/job"),
    ("GET", "/api/v3/job/{guid}"),
    ("GET", "/api/v3/jobs"),
    ("PATCH", "/api/v3/job/{guid}/retry"),
    ("PATCH", "/api/v3/job/{guid}/stop"),
    ("GET", "/exports/{file}"),
    ("GET", "/api/v1/ping"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/api-usage"),
    ("GET", "/api/public/vpn/locations"),
    ("POST", "/api/v1/api_tokens/generate"),
    ("GET", "/api/v1/api_tokens"),
    ("GET", "/api/v1/api_tokens/{uuid}"),
    ("DELETE", "/api/v1/api_tokens/{uuid}"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks/summary"),
    ("GET", "/api/v1/webhooks/events"),
    ("POST", "/api/v1/webhooks/events/{uuid}/resend"),
    ("GET", "/api/v1/webhooks/{uuid}"),
    ("PATCH", "/api/v1/webhooks/{uuid}"),
    ("DELETE", "/api/v1/webhooks/{uuid}"),
    ("PATCH", "/api/v1/webhooks/{uuid}/toggle"),
    ("POST", "/api/v1/bulk-download"),
    ("GET", "/api/v1/bulk-download/{uuid}"),
    ("GET", "/api/v1/bulk-download/{uuid}/download"),
    ("POST", "/api/public/auth/socket"),
    ("GET", "/connection/websocket"),
    ("GET", "/api/v3/events"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/v1/schedules"),
    ("GET", "/api/v1/schedules"),
    ("GET", "/api/v1/schedules/{uuid}"),
    ("PUT", "/api/v1/schedules/{uuid}"),
    ("DELETE", "/api/v1/schedules/{uuid}"),
    ("POST", "/api/v1/schedules/{uuid}/pause"),
    ("POST", "/api/v1/schedules/{uuid}/resume"),
    ("POST", "/api/v1/schedules/{uuid}/run-now"),
    ("GET", "/api/tasks"),
    ("POST", "/api/tasks"),
    ("GET", "/api/tasks/{id}"),
    ("PUT", "/api/tasks/{id}"),
    ("DELETE", "/api/tasks/{id}"),
    ("POST", "/api/tasks/{id}/reset"),
    ("GET", "/api/tasks/{id}/result"),
    ("POST", "/api/v1/proxies"),
    ("GET", "/api/v1/proxies"),
    ("GET", "/api/v1/proxies/{uuid}"),
    ("PATCH", "/api/v1/proxies/{uuid}"),
    ("DELETE", "/api/v1/proxies/{uuid}"),
    ("GET", "/api/export/stats/summary"),
    ("GET", "/api/platforms"),
    ("GET", "/api/health"),
    ("POST", "/api/v1/workflows"),
    ("GET", "/api/v1/workflows"),
    ("GET", "/api/v1/workflows/pipeline-info"),
    ("GET", "/api/v1/workflows/{uuid}"),
    ("PUT", "/api/v1/workflows/{uuid}"),
    ("DELETE", "/api/v1/workflows/{uuid}"),
    ("POST", "/api/v1/workflows/{uuid}/pause"),
    ("POST", "/api/v1/workflows/{uuid}/resume"),
    ("POST", "/api/v1/workflows/{uuid}/run-now"),
];

/// The API's router over `state`.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/api/v3/job", post(jobs::create))
        .route("/api/v3/job/{guid}", get(jobs::retrieve))
        .route("/api/v3/jobs", get(jobs::list))
        .route("/api/v3/job/{guid}/retry", patch(jobs::retry))
        .route("/api/v3/job/{guid}/stop", patch(jobs::stop))
        .route("/exports/{file}", get(files::export_file))
        .route("/api/v1/ping", get(misc::ping))
        .route("/api/v1/health", get(misc::health))
        .route("/api/v1/api-usage", get(misc::usage))
        .route("/api/public/vpn/locations", get(misc::vpn_locations))
        .route("/api/openapi.json", get(misc::openapi))
        .route("/api/v1/api_tokens/generate", post(tokens::generate))
        .route("/api/v1/api_tokens", get(tokens::list))
        .route(
            "/api/v1/api_tokens/{uuid}",
            get(tokens::retrieve).delete(tokens::revoke),
        )
        .route(
            "/api/v1/webhooks",
            post(webhooks::create).get(webhooks::list),
        )
        .route("/api/v1/webhooks/summary", get(webhooks::summary))
        .route("/api/v1/webhooks/events", get(webhooks::events))
        .route(
            "/api/v1/webhooks/events/{uuid}/resend",
            post(webhooks::resend),
        )
        .route(
            "/api/v1/webhooks/{uuid}",
            get(webhooks::retrieve)
                .patch(webhooks::update)
                .delete(webhooks::delete),
        )
        .route("/api/v1/webhooks/{uuid}/toggle", patch(webhooks::toggle))
        .route("/api/v1/bulk-download", post(bulk::create))
        .route("/api/v1/bulk-download/{uuid}", get(bulk::status))
        .route("/api/v1/bulk-download/{uuid}/download", get(bulk::download))
        .route("/api/public/auth/socket", post(realtime::socket_token))
        .route("/connection/websocket", get(realtime::websocket))
        .route("/api/v3/events", get(realtime::sse))
        .route(
            "/api/v1/schedules",
            post(schedules::create).get(schedules::list),
        )
        .route(
            "/api/v1/schedules/{uuid}",
            get(schedules::retrieve)
                .put(schedules::update)
                .delete(schedules::delete),
        )
        .route("/api/v1/schedules/{uuid}/pause", post(schedules::pause))
        .route("/api/v1/schedules/{uuid}/resume", post(schedules::resume))
        .route("/api/v1/schedules/{uuid}/run-now", post(schedules::run_now))
        .route("/api/tasks", get(tasks::list).post(tasks::create))
        .route(
            "/api/tasks/{id}",
            get(tasks::show).put(tasks::update).delete(tasks::delete),
        )
        .route("/api/tasks/{id}/reset", post(tasks::reset))
        .route("/api/tasks/{id}/result", get(tasks::result))
        .route(
            "/api/v1/workflows",
            post(workflows::create).get(workflows::list),
        )
        .route(
            "/api/v1/workflows/pipeline-info",
            get(workflows::pipeline_info),
        )
        .route(
            "/api/v1/workflows/{uuid}",
            get(workflows::retrieve)
                .put(workflows::update)
                .delete(workflows::delete),
        )
        .route("/api/v1/workflows/{uuid}/pause", post(workflows::pause))
        .route("/api/v1/workflows/{uuid}/resume", post(workflows::resume))
        .route("/api/v1/workflows/{uuid}/run-now", post(workflows::run_now))
        .route("/api/export/stats/summary", get(stats::summary))
        .route("/api/platforms", get(stats::platforms))
        .route("/api/health", get(stats::health))
        .route("/api/v1/proxies", post(proxies::create).get(proxies::list))
        .route(
            "/api/v1/proxies/{uuid}",
            get(proxies::retrieve)
                .patch(proxies::update)
                .delete(proxies::delete),
        )
        .fallback(|| async { ApiError::new(404, "NOT_FOUND", "no such endpoint") })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Parses a JSON request body into a value, with the documented error envelope.
pub(crate) fn json_body(bytes: &Bytes) -> Result<Value, ApiError> {
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid(format!("the body is not valid JSON: {e}")))
}

/// Parses a JSON request body that must be an object (422 otherwise).
pub(crate) fn json_object(bytes: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    match json_body(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::validation("the body must be a JSON object")),
    }
}

/// 422 for a body field outside `allowed`, naming the allowed ones.
pub(crate) fn only_fields(
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::validation(format!(
            "unknown field {k:?} ({})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// The answer of a DELETE: 204 when something of the caller's was deleted, else 404.
pub(crate) fn deleted(done: bool, what: &str) -> Result<axum::response::Response, ApiError> {
    if done {
        Ok(axum::response::IntoResponse::into_response(
            axum::http::StatusCode::NO_CONTENT,
        ))
    } else {
        Err(ApiError::not_found(what))
    }
}

/// `page` and `limit` of list endpoints (1-indexed; limit 1..=30).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
    limit: Option<String>,
}

impl PageQuery {
    pub(crate) fn resolve(&self, default_limit: u32) -> Result<(u32, u32), ApiError> {
        let page = match &self.page {
            None => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| ApiError::validation("page must be an integer ≥ 1"))?,
        };
        let limit = match &self.limit {
            None => default_limit,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=30).contains(l))
                .ok_or_else(|| ApiError::validation("limit must be an integer from 1 to 30"))?,
        };
        Ok((page, limit))
    }
}

/// Runs a store call on the blocking pool, mapping failures to 500.
pub(crate) async fn db<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&crate::store::Store) -> Result<T, crate::ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| ApiError::new(500, "INTERNAL_ERROR", e.to_string()))?
        .map_err(ApiError::from)
}

/// Validates a path uuid (unknown or malformed both answer 404).
pub(crate) fn path_uuid(s: &str, what: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::not_found(what))
}
