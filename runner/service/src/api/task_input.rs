//! What the task API reads and how it answers errors: its own bodies
//! (`{"message": …}`, Laravel-style 422 with `errors` per field), the
//! caller and task id extractors, and the validation of task fields.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::db;
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// An error in the task API's documented bodies.
#[derive(Debug)]
pub enum TaskError {
    /// 401 `{"message": "Unauthenticated"}`.
    Unauthenticated,
    /// 403 `{"status": "error", "message": …}`.
    Forbidden(String),
    /// 404 `{"message": …}`.
    NotFound(String),
    /// 422 `{"status": "error", "message": "Validation failed", "errors": {field: [..]}}`.
    Invalid(BTreeMap<String, Vec<String>>),
    /// Anything else (429, 500): `{"message": …}` with its status.
    Other(ApiError),
}

impl From<ApiError> for TaskError {
    fn from(e: ApiError) -> TaskError {
        match e.status {
            401 | 403 if matches!(e.code, "AUTH_HEADER_TOKEN" | "TOKEN_EXPIRED") => {
                TaskError::Unauthenticated
            }
            _ => TaskError::Other(e),
        }
    }
}

impl IntoResponse for TaskError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            TaskError::Unauthenticated => (401, json!({"message": "Unauthenticated"})),
            TaskError::Forbidden(m) => (403, json!({"status": "error", "message": m})),
            TaskError::NotFound(m) => (404, json!({"message": m})),
            TaskError::Invalid(errors) => (
                422,
                json!({"status": "error", "message": "Validation failed", "errors": errors}),
            ),
            TaskError::Other(e) => {
                let mut r = (
                    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    Json(json!({"message": e.detail})),
                )
                    .into_response();
                if let Some(s) = e.seconds_to_wait {
                    if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                        r.headers_mut().insert("retry-after", v);
                    }
                }
                return r;
            }
        };
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, Json(body)).into_response()
    }
}

pub(super) type Caught = Result<Caller, ApiError>;

pub(super) fn caller(c: Caught) -> Result<Caller, TaskError> {
    c.map_err(TaskError::from)
}

pub(super) fn missing() -> TaskError {
    TaskError::NotFound("Task not found".into())
}

pub(super) fn task_id(s: &str) -> Result<i64, TaskError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(missing)
}

pub(super) async fn store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&crate::store::Store) -> Result<T, crate::ServiceError> + Send + 'static,
) -> Result<T, TaskError> {
    db(state, f).await.map_err(TaskError::Other)
}

/// Laravel-style messages, collected for every field.
#[derive(Default)]
pub(super) struct Errors(pub(super) BTreeMap<String, Vec<String>>);

impl Errors {
    pub(super) fn add(&mut self, field: &str, msg: String) {
        self.0.entry(field.into()).or_default().push(msg);
    }
    pub(super) fn done(self) -> Result<(), TaskError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(TaskError::Invalid(self.0))
        }
    }
}

pub(super) fn body_object(bytes: &Bytes) -> Result<Map<String, Value>, TaskError> {
    if bytes.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => {
            let mut e = Errors::default();
            e.add("body", "The body must be a JSON object.".into());
            Err(TaskError::Invalid(e.0))
        }
    }
}

/// `max_posts`: an integer from 1 to 500.
pub(super) fn max_posts(v: &Value, e: &mut Errors) -> Option<i64> {
    match v.as_i64() {
        None => e.add(
            "max_posts",
            "The max posts field must be an integer.".into(),
        ),
        Some(n) if n < 1 => e.add(
            "max_posts",
            "The max posts field must be at least 1.".into(),
        ),
        Some(n) if n > 500 => e.add(
            "max_posts",
            "The max posts field must not be greater than 500.".into(),
        ),
        Some(n) => return Some(n),
    }
    None
}

/// `priority`: an integer, or null (0).
pub(super) fn priority(v: &Value, e: &mut Errors) -> Option<i64> {
    match v {
        Value::Null => Some(0),
        v => match v.as_i64().filter(|p| p.abs() <= 1_000_000) {
            Some(p) => Some(p),
            None => {
                e.add(
                    "priority",
                    "The priority field must be an integer (from -1000000 to 1000000).".into(),
                );
                None
            }
        },
    }
}

/// `group_name`: a string of at most 255 characters, or null.
pub(super) fn group_name(v: &Value, e: &mut Errors) -> Option<Option<String>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) if s.chars().count() <= 255 => Some(Some(s.clone())),
        Value::String(_) => {
            e.add(
                "group_name",
                "The group name field must not be greater than 255 characters.".into(),
            );
            None
        }
        _ => {
            e.add(
                "group_name",
                "The group name field must be a string.".into(),
            );
            None
        }
    }
}

/// The URL a `group_id` stands for, and the platform key to record.
pub(super) fn group_url(
    state: &AppState,
    group_id: &str,
) -> Result<(String, Option<String>), String> {
    let url = if group_id.starts_with("http://") || group_id.starts_with("https://") {
        group_id.to_string()
    } else if !group_id.is_empty()
        && group_id.len() <= 100
        && group_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        format!("https://www.facebook.com/groups/{group_id}/")
    } else {
        return Err(
            "The group id field must be a group id or the URL of a supported platform's page."
                .into(),
        );
    };
    match state.registry.detect(&url) {
        Ok((adapter, _)) => Ok((url, Some(adapter.info().key.to_string()))),
        // A known platform without an adapter: stored, and failed by its worker.
        Err(engine::Error::Unsupported { .. }) => Ok((url, None)),
        Err(e) => Err(format!("The group id field is not a supported URL: {e}")),
    }
}
