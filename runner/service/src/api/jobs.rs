//! `/api/v3/job…`: create, retrieve, list, retry, stop.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{db, json_object, only_fields, path_uuid, PageQuery};
use crate::auth::Caller;
use crate::events::emit;
use crate::server::links;
use crate::store::{JobRow, NewJob};
use crate::{ApiError, AppState};

/// A job in the documented shape (plus progress and error fields).
///
/// ```
/// # let job = service::store::JobRow { id: 1, guid: "g".into(), user_id: 1, url: "u".into(),
/// #   platform: Some("steam".into()), options: serde_json::json!({}), secrets: None,
/// #   status: "queueing".into(), sandbox: false, total_exported: 0, total: None, error: None,
/// #   error_kind: None, attempts: 0, json_file: None, xlsx_file: None, created_at: String::new(),
/// #   updated_at: String::new(), started_at: None, finished_at: None };
/// let v = service::api::job_json(&job, "http://127.0.0.1:1");
/// assert_eq!(v["locked"], false);
/// assert!(v["json_url"].is_null());
/// ```
pub fn job_json(job: &JobRow, base: &str) -> Value {
    let l = links(base, job);
    let mut v = json!({
        "id": job.id,
        "guid": job.guid,
        "status": job.status,
        "url": job.url,
        "options": job.options,
        "locked": false,
        "json_url": l.json_url,
        "download_link": l.download_link,
        "rawFile": if job.status == "done" { job.json_file.as_ref().and_then(|f| f.rsplit('/').next()) } else { None },
        "platform": job.platform,
        "totalExported": job.total_exported,
        "total": job.total,
        "error": job.error,
        "errorCode": job.error_kind,
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
        "startedAt": job.started_at,
        "finishedAt": job.finished_at,
    });
    if job.sandbox {
        v["sandbox"] = json!(true);
    }
    super::stats::add_progress(&mut v, job);
    v
}

fn is_sandbox(headers: &HeaderMap) -> bool {
    headers
        .get("x-sandbox")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `POST /api/v3/job`: `{"url": …}` or `{"urls": […]}` with `options`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let obj = &json_object(&body)?;
    only_fields(obj, &["url", "urls", "options"])?;
    let (urls, batch) = match (obj.get("url"), obj.get("urls")) {
        (Some(_), Some(_)) => return Err(ApiError::validation("send url or urls, not both")),
        (Some(Value::String(u)), None) => (vec![u.clone()], false),
        (Some(_), None) => return Err(ApiError::validation("url must be a string")),
        (None, Some(Value::Array(list))) if !list.is_empty() && list.len() <= 1000 => {
            let mut v = Vec::with_capacity(list.len());
            for (i, u) in list.iter().enumerate() {
                v.push(
                    u.as_str()
                        .ok_or_else(|| ApiError::validation(format!("urls[{i}] must be a string")))?
                        .to_string(),
                );
            }
            (v, true)
        }
        (None, Some(_)) => {
            return Err(ApiError::validation(
                "urls must be an array of 1 to 1000 URLs",
            ))
        }
        (None, None) => return Err(ApiError::validation("url is required")),
    };
    let parsed = check_options(&state, caller.user.id, obj.get("options")).await?;
    let secrets = obj
        .get("options")
        .and_then(|o| o.get("cookies"))
        .map(|c| c.to_string());
    // Every URL must name a supported platform before any job is created.
    let mut detected = Vec::with_capacity(urls.len());
    for u in &urls {
        match state.registry.detect(u) {
            Ok((adapter, target)) => {
                detected.push((u.clone(), adapter.info().key.to_string(), target.id))
            }
            Err(e) => {
                return Err(ApiError::new(
                    400,
                    "INVALID_URL",
                    if batch {
                        format!("{}: {e}", engine::redact_url(u))
                    } else {
                        e.to_string()
                    },
                ))
            }
        }
    }
    let sandbox = is_sandbox(&headers);
    let user_id = caller.user.id;
    if !sandbox {
        let (queued, _) = db(&state, move |s| s.active_counts(user_id)).await?;
        let max = state.config.limits.queued_exports as i64;
        if queued + detected.len() as i64 > max {
            return Err(ApiError::too_many(
                "QUEUE_LIMIT_EXCEEDED",
                30,
                format!("Too many queued exports ({queued} of {max}); wait for some to finish."),
            ));
        }
    }
    let new_jobs: Vec<NewJob> = detected
        .iter()
        .map(|(u, platform, _)| NewJob {
            user_id,
            url: u.clone(),
            platform: Some(platform.clone()),
            options: parsed.shown.clone(),
            secrets: secrets.clone(),
            sandbox,
        })
        .collect();
    let base = state.public_url.clone();
    let data_dir = state.config.data_dir.clone();
    let limit = parsed.engine.limits.total.unwrap_or(25);
    let rows = db(&state, move |s| {
        let rows = s.insert_jobs(new_jobs)?;
        for (row, (_, platform, source_id)) in rows.iter().zip(&detected) {
            emit(s, "job.created", row, &Default::default())?;
            if row.sandbox {
                let dir = data_dir.join("jobs").join(&row.guid);
                let (j, x) =
                    crate::sandbox::write_samples(&dir, platform, source_id, &row.url, limit)?;
                s.finish_sandbox(
                    row.id,
                    limit.min(crate::sandbox::MAX_SANDBOX_RECORDS) as i64,
                    &format!("jobs/{}/{j}", row.guid),
                    &format!("jobs/{}/{x}", row.guid),
                )?;
                if let Some(done) = s.job(&row.guid)? {
                    emit(s, "job.finished", &done, &links(&base, &done))?;
                }
            } else {
                s.add_usage(row.user_id, platform, 0, 1, 0)?;
            }
        }
        Ok(rows)
    })
    .await?;
    let body = if batch {
        json!({"data": rows.iter().map(|r| json!({"guid": r.guid, "item": {}})).collect::<Vec<_>>()})
    } else {
        let mut b = json!({"guid": rows[0].guid});
        if sandbox {
            b["sandbox"] = json!(true);
        }
        b
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Validates a job's `options` for `user_id` (the engine options, the
/// server's limit, the VPN location, the proxy pool being the user's).
pub(crate) async fn check_options(
    state: &AppState,
    user_id: i64,
    options: Option<&Value>,
) -> Result<crate::options::ParsedOptions, ApiError> {
    let parsed = crate::options::parse(options, &state.config.job_defaults)?;
    if let Some(n) = parsed.engine.limits.total {
        if n > state.config.limits.max_comments_per_export {
            return Err(ApiError::validation(format!(
                "options.limit is above this server's maximum of {}",
                state.config.limits.max_comments_per_export
            )));
        }
    }
    if let Some(vpn) = &parsed.vpn {
        let labels = crate::job_setup::vpn_labels(state, Some(vpn));
        let configured = labels.len() > 1;
        if !configured && !db(state, move |s| s.has_pool_at(user_id, &labels)).await? {
            return Err(ApiError::validation(format!(
                "options.vpn: unknown location {vpn:?} (see GET /api/public/vpn/locations)"
            )));
        }
    }
    if let Some(pool) = parsed.pool.clone() {
        if db(state, move |s| s.pool_for(user_id, &pool))
            .await?
            .is_none()
        {
            return Err(ApiError::validation(format!(
                "options.pool: unknown proxy pool {}",
                parsed.pool.as_deref().unwrap_or_default()
            )));
        }
    }
    Ok(parsed)
}

/// `GET /api/v3/job/{guid}`.
pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    Path(guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let guid = path_uuid(&guid, "job")?;
    let uid = caller.user.id;
    let job = db(&state, move |s| s.job_for(uid, &guid))
        .await?
        .ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(job_json(&job, &state.public_url)))
}

/// `GET /api/v3/jobs?page=&limit=`: newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let (page, limit) = q.resolve(30)?;
    let uid = caller.user.id;
    let jobs = db(&state, move |s| s.list_jobs(uid, page, limit)).await?;
    Ok(Json(Value::Array(
        jobs.iter()
            .map(|j| job_json(j, &state.public_url))
            .collect(),
    )))
}

/// `PATCH /api/v3/job/{guid}/retry`: only from `error`; the job resumes from its checkpoint.
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let guid = path_uuid(&guid, "job")?;
    let uid = caller.user.id;
    let g = guid.clone();
    let job = db(&state, move |s| {
        let job = s.transition(uid, &g, &["error"], "queueing")?;
        if let Some(j) = &job {
            emit(s, "job.requeued", j, &Default::default())?;
        }
        Ok(job)
    })
    .await?;
    match job {
        Some(j) => Ok(Json(job_json(&j, &state.public_url))),
        None => Err(not_in_state(
            &state,
            uid,
            guid,
            "only jobs in error status can be retried",
        )
        .await),
    }
}

/// `PATCH /api/v3/job/{guid}/stop`: from `queueing` or `progress`.
pub async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    Path(guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let guid = path_uuid(&guid, "job")?;
    let uid = caller.user.id;
    let g = guid.clone();
    let job = db(&state, move |s| {
        s.transition(uid, &g, &["queueing", "progress"], "stopped")
    })
    .await?;
    match job {
        Some(j) => Ok(Json(job_json(&j, &state.public_url))),
        None => Err(not_in_state(
            &state,
            uid,
            guid,
            "only queued or running jobs can be stopped",
        )
        .await),
    }
}

async fn not_in_state(state: &AppState, uid: i64, guid: String, msg: &str) -> ApiError {
    match db(state, move |s| s.job_for(uid, &guid)).await {
        Ok(Some(j)) => ApiError::invalid(format!("{msg} (this job is {})", j.status)),
        Ok(None) => ApiError::not_found("job"),
        Err(e) => e,
    }
}
