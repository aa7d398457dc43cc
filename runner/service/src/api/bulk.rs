//! `/api/v1/bulk-download…`: several done jobs' files in one ZIP, built in the background.

use std::io::Write;
use std::path::PathBuf;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{db, json_body, path_uuid};
use crate::auth::Caller;
use crate::store::JobRow;
use crate::{ApiError, AppState, ServiceError};

fn zip_path(state: &AppState, uuid: &str) -> PathBuf {
    state
        .config
        .data_dir
        .join("bulk")
        .join(format!("{uuid}.zip"))
}

/// `POST /api/v1/bulk-download` with `guids`: 201 `{uuid, status: processing, fileCount}`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_body(&body)?;
    let list = body
        .get("guids")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty() && l.len() <= 500)
        .ok_or_else(|| ApiError::validation("guids must be an array of 1 to 500 job guids"))?;
    let mut guids = Vec::new();
    for (i, g) in list.iter().enumerate() {
        let s = g
            .as_str()
            .ok_or_else(|| ApiError::validation(format!("guids[{i}] must be a string")))?;
        let u = uuid::Uuid::parse_str(s)
            .map_err(|_| ApiError::validation(format!("guids[{i}] is not a guid")))?;
        if !guids.contains(&u.to_string()) {
            guids.push(u.to_string());
        }
    }
    let uid = caller.user.id;
    let gs = guids.clone();
    let jobs: Vec<JobRow> = db(&state, move |s| {
        let mut out = Vec::new();
        for g in &gs {
            if let Some(j) = s.job_for(uid, g)? {
                if j.status == "done" {
                    out.push(j);
                }
            }
        }
        Ok(out)
    })
    .await?;
    if jobs.is_empty() {
        return Err(ApiError::validation(
            "none of these guids is a done job of yours",
        ));
    }
    let files: i64 = jobs
        .iter()
        .map(|j| j.json_file.is_some() as i64 + j.xlsx_file.is_some() as i64)
        .sum();
    let included: Vec<String> = jobs.iter().map(|j| j.guid.clone()).collect();
    let row = db(&state, move |s| s.insert_bulk(uid, &included, files)).await?;
    let skipped: Vec<&String> = guids.iter().filter(|g| !row.guids.contains(g)).collect();
    let resp =
        json!({"uuid": row.uuid, "status": "processing", "fileCount": files, "skipped": skipped});
    let st = state.clone();
    let out = zip_path(&state, &row.uuid);
    tokio::task::spawn_blocking(move || {
        let result = build_zip(&st, &jobs, &out);
        let (status, event, err) = match &result {
            Ok(_) => ("ready", "bulk_download.ready", None),
            Err(e) => ("error", "bulk_download.failed", Some(e.to_string())),
        };
        let _ = st
            .store
            .set_bulk_status(row.id, status, files, err.as_deref());
        let url = (status == "ready").then(|| {
            format!(
                "{}/api/v1/bulk-download/{}/download",
                st.public_url, row.uuid
            )
        });
        let _ = st.store.append_event(
            uid,
            event,
            &row.uuid,
            &json!({"version": crate::events::ENVELOPE_VERSION, "event": event, "guid": row.uuid, "status": status, "url": url}),
        );
    });
    Ok((StatusCode::CREATED, Json(resp)).into_response())
}

fn build_zip(state: &AppState, jobs: &[JobRow], out: &std::path::Path) -> Result<(), ServiceError> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = out.with_extension("zip.part");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&tmp)?);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for j in jobs {
        for (rel, ext) in [(&j.json_file, "json"), (&j.xlsx_file, "xlsx")] {
            let Some(rel) = rel else { continue };
            let mut src = std::fs::File::open(state.config.data_dir.join(rel))?;
            zip.start_file(format!("{}.{ext}", j.guid), opts)
                .map_err(|e| ServiceError::Store(format!("zip: {e}")))?;
            std::io::copy(&mut src, &mut zip)?;
        }
    }
    let mut f = zip
        .finish()
        .map_err(|e| ServiceError::Store(format!("zip: {e}")))?;
    f.flush()?;
    std::fs::rename(&tmp, out)?;
    Ok(())
}

/// `GET /api/v1/bulk-download/{uuid}`.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let uuid = path_uuid(&uuid, "bulk download")?;
    let uid = caller.user.id;
    let row = db(&state, move |s| s.bulk_for(uid, &uuid))
        .await?
        .ok_or_else(|| ApiError::not_found("bulk download"))?;
    let mut v = json!({"uuid": row.uuid, "status": row.status, "fileCount": row.file_count});
    if row.status == "ready" {
        v["downloadUrl"] = json!(format!("/api/v1/bulk-download/{}/download", row.uuid));
    }
    if let Some(e) = row.error {
        v["error"] = json!(e);
    }
    Ok(Json(v))
}

/// `GET /api/v1/bulk-download/{uuid}/download`: the ZIP.
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Response, ApiError> {
    let uuid = path_uuid(&uuid, "bulk download")?;
    let uid = caller.user.id;
    let u = uuid.clone();
    let row = db(&state, move |s| s.bulk_for(uid, &u))
        .await?
        .ok_or_else(|| ApiError::not_found("bulk download"))?;
    if row.status != "ready" {
        return Err(ApiError::invalid(format!(
            "the bulk download is {}, not ready",
            row.status
        )));
    }
    super::files::stream_file(
        zip_path(&state, &uuid),
        "application/zip",
        &format!("exports-{uuid}.zip"),
    )
    .await
}
