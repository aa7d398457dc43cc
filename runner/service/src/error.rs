//! Errors of the service library, and the API's documented error envelope.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What can go wrong inside the service (store, files, configuration).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
    /// A file could not be read or written.
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// Bad configuration.
    #[error("config: {0}")]
    Config(String),
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> ServiceError {
        ServiceError::Store(e.to_string())
    }
}

/// An API error in the documented envelope: `status_code`, `error_code`,
/// `detail` (and `seconds_to_wait` on 429).
///
/// ```
/// let e = service::ApiError::new(404, "NOT_FOUND", "no such job");
/// assert_eq!(e.status, 404);
/// ```
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Documented error code (`INVALID_URL`, `AUTH_HEADER_TOKEN`, ...).
    pub code: &'static str,
    /// Human-readable detail.
    pub detail: String,
    /// Seconds to wait (429 only).
    pub seconds_to_wait: Option<u64>,
}

impl ApiError {
    /// An error with status, code and detail.
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            seconds_to_wait: None,
        }
    }

    /// 400 `INVALID_REQUEST`.
    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(400, "INVALID_REQUEST", detail)
    }

    /// 422 `VALIDATION_ERROR`: a field has the wrong type or value.
    pub fn validation(detail: impl Into<String>) -> ApiError {
        ApiError::new(422, "VALIDATION_ERROR", detail)
    }

    /// 404 `NOT_FOUND`.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(404, "NOT_FOUND", format!("{what} not found"))
    }

    /// 429 with `seconds_to_wait`.
    pub fn too_many(code: &'static str, seconds: u64, detail: impl Into<String>) -> ApiError {
        ApiError {
            status: 429,
            code,
            detail: detail.into(),
            seconds_to_wait: Some(seconds),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        tracing::error!("internal error: {e}");
        ApiError::new(500, "INTERNAL_ERROR", "internal error; see the server log")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "status_code": self.status,
            "error_code": self.code,
            "detail": self.detail,
        });
        if let Some(s) = self.seconds_to_wait {
            body["seconds_to_wait"] = json!(s);
        }
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(s) = self.seconds_to_wait {
            if let Ok(v) = s.to_string().parse() {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}
