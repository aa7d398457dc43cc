//! Ping, health, usage, VPN locations, the OpenAPI document.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::{db, PageQuery};
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// The OpenAPI document of this API (kept in the repository beside the crate).
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /api/v1/ping`.
pub async fn ping(caller: Caller) -> Json<Value> {
    Json(json!({"status": "ok", "message": "pong", "user": caller.user.name}))
}

/// `GET /api/v1/health` (no token): store reachable, version, workers of this process.
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let store = db(&state, |s| s.schema_version()).await;
    let ok = store.is_ok();
    let body = json!({
        "status": if ok { "healthy" } else { "unhealthy" },
        "version": env!("CARGO_PKG_VERSION"),
        "store": {"kind": if state.store.is_postgres() { "postgres" } else { "sqlite" }, "ok": ok},
        "workers": state.config.workers,
    });
    let code = if ok {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}

/// `GET /api/v1/api-usage`: the documented shape for a self-hosted server
/// (every platform allowed), plus `daily`: counts per day and platform.
pub async fn usage(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let uid = caller.user.id;
    let (days, (queued, running)) = db(&state, move |s| {
        Ok((s.usage(uid, 30)?, s.active_counts(uid)?))
    })
    .await?;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let requests_today: i64 = days
        .iter()
        .filter(|d| d.day == today)
        .map(|d| d.requests)
        .sum();
    let allowed: Vec<&str> = state
        .registry
        .adapters()
        .iter()
        .map(|a| a.info().name)
        .collect();
    let l = state.limits.settings();
    Ok(Json(json!({
        "has_access": true,
        "has_token": true,
        "tier": "self-hosted",
        "api_version": "v3",
        "limits": {
            "daily_requests": "Unlimited",
            "concurrent_requests": l.concurrent_exports,
            "rate_per_minute": l.rate_per_minute,
            "max_comments_per_export": l.max_comments_per_export,
            "webhooks": l.webhooks,
            "queued_exports": l.queued_exports,
        },
        "usage": {
            "daily_requests_used": requests_today,
            "active_exports": running,
            "queued_exports": queued,
        },
        "platforms": {"allowed": allowed, "restricted": [], "all_platforms": true},
        "upgrade_benefits": null,
        "daily": days,
    })))
}

/// `GET /api/public/vpn/locations`: the exit locations configured (names and codes only).
pub async fn vpn_locations(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.resolve(10)?;
    let start = ((page - 1) * limit) as usize;
    let list: Vec<Value> = state
        .config
        .vpn_locations
        .iter()
        .skip(start)
        .take(limit as usize)
        .map(|l| json!({"name": l.name, "code": l.code}))
        .collect();
    Ok(Json(Value::Array(list)))
}

/// `GET /api/openapi.json`.
pub async fn openapi(_caller: Caller) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
