//! `/api/v1/webhooks…`: CRUD, toggle, delivery summary, events list, resend.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{db, deleted, json_object, only_fields, path_uuid, PageQuery};
use crate::auth::Caller;
use crate::store::WebhookPatch;
use crate::{ApiError, AppState};

/// Event types a webhook may subscribe to (documented).
pub const EVENTS: &[&str] = &[
    "export.created",
    "export.finished",
    "export.failed",
    "export.requeued",
];

fn check_url(v: &Value) -> Result<String, ApiError> {
    let s = v
        .as_str()
        .ok_or_else(|| ApiError::validation("url must be a string"))?;
    let u = url::Url::parse(s).map_err(|e| ApiError::validation(format!("url: {e}")))?;
    // HTTPS as documented; plain HTTP only to this machine (local receivers, tests).
    let local = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if !(u.scheme() == "https" || (u.scheme() == "http" && local)) {
        return Err(ApiError::validation(
            "url must be an https:// URL (http:// only for localhost)",
        ));
    }
    Ok(s.to_string())
}

fn check_events(v: &Value) -> Result<Vec<String>, ApiError> {
    let list = v
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| ApiError::validation("events must be a non-empty array"))?;
    let mut out = Vec::new();
    for e in list {
        let s = e
            .as_str()
            .ok_or_else(|| ApiError::validation("events must hold strings"))?;
        if !EVENTS.contains(&s) {
            return Err(ApiError::validation(format!(
                "unknown event {s:?} (known: {})",
                EVENTS.join(", ")
            )));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

fn check_secret(v: &Value) -> Result<String, ApiError> {
    v.as_str()
        .filter(|s| s.len() >= 8 && s.len() <= 256)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::validation("signingSecret must be a string of 8 to 256 characters")
        })
}

fn check_fields(obj: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    only_fields(obj, &["url", "events", "signingSecret", "enabled"])
}

/// `POST /api/v1/webhooks`: 201.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let obj = &json_object(&body)?;
    check_fields(obj)?;
    let url = check_url(
        obj.get("url")
            .ok_or_else(|| ApiError::validation("url is required"))?,
    )?;
    let events = check_events(
        obj.get("events")
            .ok_or_else(|| ApiError::validation("events is required"))?,
    )?;
    let secret = check_secret(
        obj.get("signingSecret")
            .ok_or_else(|| ApiError::validation("signingSecret is required"))?,
    )?;
    let enabled = match obj.get("enabled") {
        None => true,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| ApiError::validation("enabled must be a boolean"))?,
    };
    let uid = caller.user.id;
    let max = state.config.limits.webhooks as i64;
    let row = db(&state, move |s| {
        if s.count_webhooks(uid)? >= max {
            return Ok(None);
        }
        s.insert_webhook(uid, &url, &events, &secret, enabled)
            .map(Some)
    })
    .await?
    .ok_or_else(|| {
        ApiError::new(
            403,
            "WEBHOOK_LIMIT",
            format!("at most {max} webhooks per account"),
        )
    })?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(row).unwrap_or_default()),
    )
        .into_response())
}

/// `GET /api/v1/webhooks/{uuid}`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "webhook")?;
    let uid = caller.user.id;
    let row = db(&state, move |s| s.webhook_for(uid, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(Json(serde_json::to_value(row).unwrap_or_default()))
}

/// Query of the webhook list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageQuery,
    query: Option<String>,
}

/// `GET /api/v1/webhooks?query=`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.page.resolve(10)?;
    let uid = caller.user.id;
    let query = q.query.clone();
    let rows = db(&state, move |s| {
        s.list_webhooks(uid, query.as_deref(), page, limit)
    })
    .await?;
    Ok(Json(serde_json::to_value(rows).unwrap_or_default()))
}

/// `PATCH /api/v1/webhooks/{uuid}`.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "webhook")?;
    let obj = &json_object(&body)?;
    check_fields(obj)?;
    let patch = WebhookPatch {
        url: obj.get("url").map(check_url).transpose()?,
        events: obj.get("events").map(check_events).transpose()?,
        secret: obj.get("signingSecret").map(check_secret).transpose()?,
        enabled: obj
            .get("enabled")
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| ApiError::validation("enabled must be a boolean"))
            })
            .transpose()?,
    };
    let uid = caller.user.id;
    let row = db(&state, move |s| s.update_webhook(uid, &uuid, patch))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(Json(serde_json::to_value(row).unwrap_or_default()))
}

/// `DELETE /api/v1/webhooks/{uuid}`: 204, deliveries deleted too.
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    let uuid = path_uuid(&uuid, "webhook")?;
    let uid = caller.user.id;
    deleted(
        db(&state, move |s| s.delete_webhook(uid, &uuid)).await?,
        "webhook",
    )
}

/// `PATCH /api/v1/webhooks/{uuid}/toggle`.
pub async fn toggle(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "webhook")?;
    let uid = caller.user.id;
    let row = db(&state, move |s| s.toggle_webhook(uid, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(Json(
        json!({"uuid": row.uuid, "enabled": row.enabled, "status": row.status}),
    ))
}

/// `GET /api/v1/webhooks/summary`.
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let uid = caller.user.id;
    let (total, active, events, ok, failed) = db(&state, move |s| s.webhook_summary(uid)).await?;
    Ok(Json(json!({
        "total_webhooks": total,
        "active_webhooks": active,
        "total_events": events,
        "successful_deliveries": ok,
        "failed_deliveries": failed,
    })))
}

/// Query of the events list.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(flatten)]
    page: PageQuery,
    #[serde(rename = "webhook.uuid")]
    webhook: Option<String>,
    event: Option<String>,
    message_id: Option<String>,
}

/// `GET /api/v1/webhooks/events`.
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.page.resolve(10)?;
    let uid = caller.user.id;
    let rows = db(&state, move |s| {
        s.list_deliveries(
            uid,
            q.webhook.as_deref(),
            q.event.as_deref(),
            q.message_id.as_deref(),
            page,
            limit,
        )
    })
    .await?;
    Ok(Json(serde_json::to_value(rows).unwrap_or_default()))
}

/// `POST /api/v1/webhooks/events/{uuid}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "webhook event")?;
    let uid = caller.user.id;
    let hook = db(&state, move |s| s.resend_delivery(uid, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook event"))?;
    if !hook.enabled {
        return Err(ApiError::invalid(
            "the webhook is disabled or suspended; enable it first",
        ));
    }
    Ok(Json(
        json!({"message": "Webhook event queued for redelivery"}),
    ))
}
