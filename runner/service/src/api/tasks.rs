//! `/api/tasks…`: the task API (list with filters, sort and pagination,
//! create, show, update while pending, delete, reset, result), with its own
//! response and error bodies, on the job queue (priority first).
//!
//! A task names a group by `group_id`. A bare id (`123456789`) means a
//! Facebook group, as in the documented API; this server has no Facebook
//! adapter yet, so such a task is stored, queued and then failed by its
//! worker with "platform Facebook is not supported yet". A `group_id` that is
//! the URL of a page, post or channel of any supported platform runs as an
//! export of that URL, `max_posts` records at most.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::task_input::*;
use crate::auth::Caller;
use crate::store::{NewJob, TaskChange, TaskQuery, TaskRow, TaskSpec, TASK_STATUSES};
use crate::{ApiError, AppState};

fn stamp(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| {
            d.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

fn duration_seconds(t: &TaskRow) -> Option<i64> {
    let s = chrono::DateTime::parse_from_rfc3339(t.started_at.as_deref()?).ok()?;
    let e = chrono::DateTime::parse_from_rfc3339(t.completed_at.as_deref()?).ok()?;
    Some((e - s).num_seconds().max(0))
}

fn result_json(t: &TaskRow) -> Value {
    if t.status == "completed" {
        json!({"posts_count": t.posts_count, "duration_seconds": duration_seconds(t)})
    } else {
        Value::Null
    }
}

/// A task as the list shows it.
fn task_json(t: &TaskRow) -> Value {
    json!({
        "id": t.id,
        "group_id": t.group_id,
        "group_name": t.group_name,
        "max_posts": t.max_posts,
        "priority": t.priority,
        "status": t.status,
        "worker_id": t.worker_id,
        "created_at": stamp(&t.created_at),
        "has_result": t.status == "completed",
        "posts_count": t.posts_count,
        "job_guid": t.job_guid,
        "error": t.error,
    })
}

/// A task as `show` returns it.
fn detail_json(t: &TaskRow) -> Value {
    let mut v = task_json(t);
    v["completed_at"] = json!(t.completed_at.as_deref().map(stamp));
    v["result"] = result_json(t);
    v
}

/// Query of the task list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    per_page: Option<String>,
    page: Option<String>,
}

/// `GET /api/tasks?status=&sort_by=&sort_order=&per_page=&page=`.
pub async fn list(
    State(state): State<AppState>,
    who: Caught,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let mut e = Errors::default();
    if let Some(s) = &q.status {
        if !TASK_STATUSES.contains(&s.as_str()) {
            e.add(
                "status",
                format!(
                    "The selected status is invalid ({}).",
                    TASK_STATUSES.join(", ")
                ),
            );
        }
    }
    let sort_by = q.sort_by.clone().unwrap_or_else(|| "created_at".into());
    if !matches!(sort_by.as_str(), "created_at" | "status" | "priority") {
        e.add(
            "sort_by",
            "The selected sort by is invalid (created_at, status, priority).".into(),
        );
    }
    let order = q.sort_order.clone().unwrap_or_else(|| "desc".into());
    if !matches!(order.as_str(), "asc" | "desc") {
        e.add(
            "sort_order",
            "The selected sort order is invalid (asc, desc).".into(),
        );
    }
    let mut number = |field: &str, v: &Option<String>, default: u32, max: u32| match v {
        None => default,
        Some(s) => match s.parse::<u32>().ok().filter(|n| (1..=max).contains(n)) {
            Some(n) => n,
            None => {
                e.add(
                    field,
                    format!(
                        "The {} field must be an integer from 1 to {max}.",
                        field.replace('_', " ")
                    ),
                );
                default
            }
        },
    };
    let per_page = number("per_page", &q.per_page, 15, 100);
    let page = number("page", &q.page, 1, u32::MAX);
    e.done()?;
    let query = TaskQuery {
        status: q.status.clone(),
        sort_by: sort_by.clone(),
        asc: order == "asc",
        per_page,
        page,
    };
    let uid = caller.user.id;
    let (rows, total) = store(&state, move |s| s.list_tasks(uid, &query)).await?;
    let last_page = ((total as u64).div_ceil(per_page as u64)).max(1);
    let link = |p: u64| {
        let mut u = format!("{}/api/tasks?page={p}", state.public_url);
        for (k, v) in [
            ("status", &q.status),
            ("sort_by", &q.sort_by),
            ("sort_order", &q.sort_order),
            ("per_page", &q.per_page),
        ] {
            if let Some(v) = v {
                u.push_str(&format!(
                    "&{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                ));
            }
        }
        u
    };
    let page = page as u64;
    Ok(Json(json!({
        "status": "success",
        "data": rows.iter().map(task_json).collect::<Vec<_>>(),
        "meta": {"total": total, "per_page": per_page, "current_page": page, "last_page": last_page},
        "links": {
            "first": link(1),
            "last": link(last_page),
            "prev": (page > 1).then(|| link(page - 1)),
            "next": (page < last_page).then(|| link(page + 1)),
        },
    })))
}

/// `POST /api/tasks`: 201 `{"status": "success", "message", "data"}`.
pub async fn create(
    State(state): State<AppState>,
    who: Caught,
    body: Bytes,
) -> Result<Response, TaskError> {
    let caller = caller(who)?;
    let obj = body_object(&body)?;
    let mut e = Errors::default();
    for k in obj.keys() {
        if !matches!(
            k.as_str(),
            "group_id" | "group_name" | "max_posts" | "priority"
        ) {
            e.add(k, format!("The {k} field is not a task field."));
        }
    }
    let group = match obj.get("group_id") {
        None | Some(Value::Null) => {
            e.add("group_id", "The group id field is required.".into());
            None
        }
        Some(Value::String(s)) => match group_url(&state, s.trim()) {
            Ok(u) => Some((s.trim().to_string(), u)),
            Err(m) => {
                e.add("group_id", m);
                None
            }
        },
        // Numeric ids are ids too.
        Some(Value::Number(n)) if n.is_u64() => match group_url(&state, &n.to_string()) {
            Ok(u) => Some((n.to_string(), u)),
            Err(m) => {
                e.add("group_id", m);
                None
            }
        },
        Some(_) => {
            e.add("group_id", "The group id field must be a string.".into());
            None
        }
    };
    let name = obj
        .get("group_name")
        .map_or(Some(None), |v| group_name(v, &mut e));
    let posts = match obj.get("max_posts") {
        None | Some(Value::Null) => {
            e.add("max_posts", "The max posts field is required.".into());
            None
        }
        Some(v) => max_posts(v, &mut e),
    };
    let prio = obj.get("priority").map_or(Some(0), |v| priority(v, &mut e));
    e.done()?;
    let (Some((group_id, (url, platform))), Some(group_name), Some(max_posts), Some(priority)) =
        (group, name, posts, prio)
    else {
        return Err(TaskError::Invalid(BTreeMap::new()));
    };
    let uid = caller.user.id;
    let (queued, _) = store(&state, move |s| s.active_counts(uid)).await?;
    let max = state.config.limits.queued_exports as i64;
    if queued >= max {
        return Err(TaskError::Other(ApiError::too_many(
            "QUEUE_LIMIT_EXCEEDED",
            30,
            format!(
                "Too many queued tasks and exports ({queued} of {max}); wait for some to finish."
            ),
        )));
    }
    let spec = TaskSpec {
        group_id,
        group_name,
        max_posts,
        priority,
    };
    let job = NewJob {
        user_id: uid,
        url,
        platform,
        options: json!({"limit": max_posts}),
        secrets: None,
        sandbox: false,
    };
    let task = store(&state, move |s| {
        let (t, j) = s.insert_task(&spec, &job)?;
        crate::scheduler::announce(s, std::slice::from_ref(&j))?;
        Ok(t)
    })
    .await?;
    let mut data = task_json(&task);
    data["created_at"] = json!(stamp(&task.created_at));
    Ok((
        StatusCode::CREATED,
        Json(json!({"status": "success", "message": "Task created successfully", "data": data})),
    )
        .into_response())
}

async fn owned(state: &AppState, caller: &Caller, id: &str) -> Result<TaskRow, TaskError> {
    let id = task_id(id)?;
    let uid = caller.user.id;
    store(state, move |s| s.task_for(uid, id))
        .await?
        .ok_or_else(missing)
}

/// `GET /api/tasks/{id}`.
pub async fn show(
    State(state): State<AppState>,
    who: Caught,
    Path(id): Path<String>,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let t = owned(&state, &caller, &id).await?;
    Ok(Json(json!({"status": "success", "data": detail_json(&t)})))
}

/// `PUT /api/tasks/{id}`: only while pending (403 otherwise).
pub async fn update(
    State(state): State<AppState>,
    who: Caught,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let id = task_id(&id)?;
    let obj = body_object(&body)?;
    let mut e = Errors::default();
    for k in obj.keys() {
        if !matches!(k.as_str(), "group_name" | "max_posts" | "priority") {
            e.add(k, format!("The {k} field cannot be updated."));
        }
    }
    let name = obj.get("group_name").map(|v| group_name(v, &mut e));
    let posts = obj.get("max_posts").map(|v| max_posts(v, &mut e));
    let prio = obj.get("priority").map(|v| priority(v, &mut e));
    e.done()?;
    let uid = caller.user.id;
    let change = store(&state, move |s| {
        s.update_task(uid, id, name.flatten(), posts.flatten(), prio.flatten())
    })
    .await?;
    match change {
        TaskChange::Done(t) => Ok(Json(json!({
            "status": "success",
            "message": "Task updated successfully",
            "data": detail_json(&t),
        }))),
        TaskChange::Refused(status) => Err(TaskError::Forbidden(format!(
            "Only pending tasks can be updated (this task is {status})"
        ))),
        TaskChange::Missing => Err(missing()),
    }
}

/// `DELETE /api/tasks/{id}`: its job stops if it was queued or running.
pub async fn delete(
    State(state): State<AppState>,
    who: Caught,
    Path(id): Path<String>,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let id = task_id(&id)?;
    let uid = caller.user.id;
    if store(&state, move |s| s.delete_task(uid, id)).await? {
        Ok(Json(json!({"message": "Task deleted successfully"})))
    } else {
        Err(missing())
    }
}

/// `POST /api/tasks/{id}/reset`: a completed or failed task back to pending.
pub async fn reset(
    State(state): State<AppState>,
    who: Caught,
    Path(id): Path<String>,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let id = task_id(&id)?;
    let uid = caller.user.id;
    let change = store(&state, move |s| {
        let (change, job) = s.reset_task(uid, id)?;
        if let Some(j) = job {
            crate::scheduler::announce(s, std::slice::from_ref(&j))?;
        }
        Ok(change)
    })
    .await?;
    match change {
        TaskChange::Done(t) => Ok(Json(json!({
            "message": "Task reset successfully",
            "task": {"id": t.id, "status": t.status, "worker_id": t.worker_id, "completed_at": null},
        }))),
        TaskChange::Refused(status) => Err(TaskError::Forbidden(format!(
            "Only completed or failed tasks can be reset (this task is {status})"
        ))),
        TaskChange::Missing => Err(missing()),
    }
}

/// A record of the job's JSON output as the documented post.
fn post(r: &Value) -> Value {
    json!({
        "id": r["id"],
        "message": r.get("text").or_else(|| r.get("message")).cloned().unwrap_or(Value::Null),
        "author": r["author"],
        "created_time": r["created_at"],
        "likes": r["likes"],
        "comments": r["reply_count"],
        "shares": r.get("shares").cloned().unwrap_or(Value::Null),
        "url": r["url"],
    })
}

/// `GET /api/tasks/{id}/result`: 404 until completed.
pub async fn result(
    State(state): State<AppState>,
    who: Caught,
    Path(id): Path<String>,
) -> Result<Json<Value>, TaskError> {
    let caller = caller(who)?;
    let t = owned(&state, &caller, &id).await?;
    let no_result = || TaskError::NotFound("No result available for this task".into());
    if t.status != "completed" {
        return Err(no_result());
    }
    let file = t.json_file.as_ref().ok_or_else(no_result)?;
    let path = state.config.data_dir.join(file);
    let bytes = tokio::fs::read(&path).await.map_err(|_| no_result())?;
    let records: Vec<Value> = serde_json::from_slice(&bytes).map_err(|e| {
        TaskError::Other(ApiError::new(
            500,
            "INTERNAL_ERROR",
            format!("the task's output is unreadable: {e}"),
        ))
    })?;
    Ok(Json(json!({
        "task": {"id": t.id, "group_id": t.group_id, "status": t.status},
        "result": result_json(&t),
        "posts": records.iter().map(post).collect::<Vec<_>>(),
    })))
}
