//! Real-time events: a WebSocket speaking the subset of Centrifugo's JSON
//! protocol the hosted service's clients use (connect, subscribe, push, ping),
//! and a Server-Sent Events stream for clients without WebSocket.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::Response;
use axum::Json;
use futures::{SinkExt, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::db;
use crate::auth::{lookup, Caller};
use crate::store::{EventRow, User};
use crate::{ApiError, AppState};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    channels: Vec<String>,
}

fn socket_secret(state: &AppState) -> Result<String, ApiError> {
    // One secret per store, so every API process verifies every other's tokens.
    Ok(state
        .store
        .meta_or_insert("socket_secret", &crate::auth::new_token())?)
}

/// `POST /api/public/auth/socket`: an HS256 JWT (24 h) naming the caller's channels.
pub async fn socket_token(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let st = state.clone();
    let secret = tokio::task::spawn_blocking(move || socket_secret(&st))
        .await
        .map_err(|e| ApiError::new(500, "INTERNAL_ERROR", e.to_string()))??;
    let u = &caller.user.uuid;
    let claims = Claims {
        sub: u.clone(),
        exp: chrono::Utc::now().timestamp() + 24 * 3600,
        channels: [
            "user",
            "exports",
            "webhooks",
            "user_notifications_channel",
            "user_dashboard_channel",
        ]
        .iter()
        .map(|c| format!("{c}:{u}"))
        .collect(),
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| ApiError::new(500, "INTERNAL_ERROR", e.to_string()))?;
    Ok(Json(json!({"token": token})))
}

async fn user_from_jwt(state: &AppState, token: &str) -> Option<User> {
    let st = state.clone();
    let secret = tokio::task::spawn_blocking(move || socket_secret(&st))
        .await
        .ok()?
        .ok()?;
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &jsonwebtoken::Validation::default(),
    )
    .ok()?;
    let uuid = data.claims.sub;
    db(state, move |s| s.user_by_uuid(&uuid))
        .await
        .ok()
        .flatten()
}

/// `GET /connection/websocket`: authenticate with the `X-AUTH-TOKEN` header on the
/// upgrade, or with a `connect` command carrying the JWT from `/api/public/auth/socket`.
pub async fn websocket(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let header_user = match headers.get("x-auth-token").and_then(|v| v.to_str().ok()) {
        Some(t) => match lookup(&state, t).await {
            Ok(c) => Some(c.user),
            Err(e) => return axum::response::IntoResponse::into_response(e),
        },
        None => None,
    };
    ws.on_upgrade(move |socket| session(state, socket, header_user))
}

fn push(channel: &str, data: &Value) -> Message {
    Message::Text(
        json!({"push": {"channel": channel, "pub": {"data": data}}})
            .to_string()
            .into(),
    )
}

async fn session(state: AppState, socket: WebSocket, mut user: Option<User>) {
    let (mut tx, mut rx) = socket.split();
    let mut events = state.hub.subscribe();
    let mut jobs: Vec<String> = Vec::new();
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    ping.tick().await;
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => break,
            _ = ping.tick() => {
                if user.is_some() && tx.send(Message::Text("{}".into())).await.is_err() { break; }
            }
            msg = rx.next() => {
                let Some(Ok(msg)) = msg else { break };
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let Ok(cmd) = serde_json::from_str::<Value>(line) else {
                        let _ = tx.send(Message::Close(None)).await;
                        return;
                    };
                    let id = cmd.get("id").cloned().unwrap_or(Value::Null);
                    let reply = if let Some(c) = cmd.get("connect") {
                        if user.is_none() {
                            if let Some(t) = c.get("token").and_then(Value::as_str) {
                                user = user_from_jwt(&state, t).await;
                                if user.is_none() {
                                    if let Ok(caller) = lookup(&state, t).await { user = Some(caller.user); }
                                }
                            }
                        }
                        match &user {
                            Some(u) => json!({"id": id, "connect": {
                                "client": uuid::Uuid::new_v4().to_string(),
                                "version": env!("CARGO_PKG_VERSION"),
                                "subs": {format!("exports:{}", u.uuid): {}, format!("webhooks:{}", u.uuid): {}, format!("user:{}", u.uuid): {}},
                                "ping": 25, "pong": true}}),
                            None => json!({"id": id, "error": {"code": 109, "message": "token expired or invalid"}}),
                        }
                    } else if let Some(s) = cmd.get("subscribe") {
                        let channel = s.get("channel").and_then(Value::as_str).unwrap_or("");
                        match (&user, channel.strip_prefix("export.").and_then(|c| c.strip_suffix(".job"))) {
                            (Some(u), Some(guid)) => {
                                let (uid, g) = (u.id, guid.to_string());
                                let mine = db(&state, move |st| st.job_for(uid, &g)).await.ok().flatten().is_some();
                                if mine { jobs.push(guid.to_string()); json!({"id": id, "subscribe": {}}) }
                                else { json!({"id": id, "error": {"code": 103, "message": "permission denied"}}) }
                            }
                            (Some(u), None) if channel.ends_with(&format!(":{}", u.uuid)) => json!({"id": id, "subscribe": {}}),
                            (Some(_), None) => json!({"id": id, "error": {"code": 103, "message": "permission denied"}}),
                            (None, _) => json!({"id": id, "error": {"code": 101, "message": "unauthorized"}}),
                        }
                    } else if cmd.as_object().is_some_and(|o| o.is_empty()) {
                        continue; // pong
                    } else {
                        json!({"id": id, "error": {"code": 102, "message": "unknown command"}})
                    };
                    if tx.send(Message::Text(reply.to_string().into())).await.is_err() { return; }
                }
            }
            ev = events.recv() => {
                let ev: Arc<EventRow> = match ev {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                };
                let Some(u) = &user else { continue };
                if ev.user_id != u.id { continue; }
                let channel = format!("exports:{}", u.uuid);
                if tx.send(push(&channel, &ev.payload)).await.is_err() { break; }
                if jobs.contains(&ev.guid) {
                    let ch = format!("export.{}.job", ev.guid);
                    if tx.send(push(&ch, &ev.payload)).await.is_err() { break; }
                }
            }
        }
    }
}

/// Query of the SSE stream.
#[derive(Debug, Deserialize)]
pub struct SseQuery {
    guid: Option<String>,
}

/// `GET /api/v3/events[?guid=]`: the same envelopes as Server-Sent Events
/// (`event:` is the event type, `data:` the envelope).
pub async fn sse(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SseQuery>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let uid = caller.user.id;
    let rx = tokio_stream::wrappers::BroadcastStream::new(state.hub.subscribe());
    let stream = rx.filter_map(move |ev| {
        let guid = q.guid.clone();
        async move {
            let ev = ev.ok()?;
            if ev.user_id != uid || guid.as_ref().is_some_and(|g| g != &ev.guid) {
                return None;
            }
            Some(Ok(SseEvent::default()
                .event(ev.event.clone())
                .data(ev.payload.to_string())))
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
