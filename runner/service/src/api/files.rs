//! `GET /exports/{guid}.json|.xlsx`: a done job's files (the links the job shows).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{db, path_uuid};
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// Streams a file from disk with a content type and a download name.
pub(crate) async fn stream_file(
    path: std::path::PathBuf,
    content_type: &'static str,
    name: &str,
) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| ApiError::not_found("file"))?;
    let len = file.metadata().await.map(|m| m.len()).ok();
    // Streamed: a client that disconnects mid-download just ends the stream.
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut resp = (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response();
    if let Some(len) = len {
        if let Ok(v) = len.to_string().parse() {
            resp.headers_mut().insert(header::CONTENT_LENGTH, v);
        }
    }
    Ok(resp)
}

/// `GET /exports/{file}`.
pub async fn export_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (guid, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| ApiError::not_found("file"))?;
    let content_type = match ext {
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => return Err(ApiError::not_found("file")),
    };
    let guid = path_uuid(guid, "file")?;
    let uid = caller.user.id;
    let job = db(&state, move |s| s.job_for(uid, &guid))
        .await?
        .ok_or_else(|| ApiError::not_found("file"))?;
    let rel = match (job.status.as_str(), ext) {
        ("done", "json") => job.json_file.clone(),
        ("done", "xlsx") => job.xlsx_file.clone(),
        _ => None,
    }
    .ok_or_else(|| ApiError::not_found("file"))?;
    stream_file(
        state.config.data_dir.join(rel),
        content_type,
        &format!("{}.{ext}", job.guid),
    )
    .await
}
