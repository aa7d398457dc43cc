//! `/api/v1/api_tokens…`: generate (the value shown once), list, retrieve, revoke.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

use super::{db, deleted, json_body, path_uuid, PageQuery};
use crate::auth::{hash_token, new_token, Caller};
use crate::{ApiError, AppState};

/// Days a token lives (documented: one year).
pub const TOKEN_DAYS: i64 = 365;

/// `POST /api/v1/api_tokens/generate` with optional `name`. Answers the documented
/// message plus the token itself, its uuid and expiry: the only time the value is shown.
pub async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(&body)?;
    let name = match body.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.len() <= 100 => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::validation(
                "name must be a string of at most 100 characters",
            ))
        }
    };
    let token = new_token();
    let hash = hash_token(&token);
    let user = caller.user.clone();
    let row = db(&state, move |s| {
        s.insert_token(&user, name.as_deref(), &hash, TOKEN_DAYS)
    })
    .await?;
    Ok(Json(json!({
        "message": "user.api.token_generated",
        "token": token,
        "uuid": row.uuid,
        "expiresAt": row.expires_at,
        "createdAt": row.created_at,
    })))
}

/// `GET /api/v1/api_tokens`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.resolve(10)?;
    let user = caller.user.clone();
    let rows = db(&state, move |s| s.list_tokens(&user, page, limit)).await?;
    Ok(Json(serde_json::to_value(rows).unwrap_or_default()))
}

/// `GET /api/v1/api_tokens/{uuid}`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "token")?;
    let user = caller.user.clone();
    let row = db(&state, move |s| s.get_token(&user, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("token"))?;
    Ok(Json(serde_json::to_value(row).unwrap_or_default()))
}

/// `DELETE /api/v1/api_tokens/{uuid}`: 204.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    let uuid = path_uuid(&uuid, "token")?;
    let user = caller.user.clone();
    deleted(
        db(&state, move |s| s.revoke_token(&user, &uuid)).await?,
        "token",
    )
}
