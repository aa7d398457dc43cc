//! Job events in the documented envelope, the outbox writes, and the in-process hub
//! that WebSocket and SSE clients listen to.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::store::{EventRow, JobRow, Store};
use crate::ServiceError;

/// Version string of the envelope (documented).
pub const ENVELOPE_VERSION: &str = "v3-beta";

/// Where a server process republishes the outbox's events.
pub type Hub = broadcast::Sender<Arc<EventRow>>;

/// A new hub.
///
/// ```
/// let hub = service::events::hub();
/// assert_eq!(hub.receiver_count(), 0);
/// ```
pub fn hub() -> Hub {
    broadcast::channel(4096).0
}

/// Links of a done job's files.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// JSON file URL.
    pub json_url: Option<String>,
    /// XLSX file URL.
    pub download_link: Option<String>,
}

/// Builds the envelope of `event` for `job`.
///
/// ```
/// # let job = service::store::JobRow { id: 1, guid: "g".into(), user_id: 1, url: "u".into(),
/// #   platform: None, options: serde_json::json!({}), secrets: None, status: "queueing".into(),
/// #   sandbox: false, total_exported: 0, total: None, error: None, error_kind: None, attempts: 0,
/// #   json_file: None, xlsx_file: None, created_at: String::new(), updated_at: String::new(),
/// #   started_at: None, finished_at: None };
/// let e = service::events::envelope("job.created", &job, &Default::default());
/// assert_eq!(e["version"], "v3-beta");
/// assert_eq!(e["details"]["status"], "queueing");
/// ```
pub fn envelope(event: &str, job: &JobRow, links: &Links) -> Value {
    let mut details = json!({
        "id": job.id,
        "guid": job.guid,
        "status": job.status,
        "url": job.url,
    });
    let mut top_url = Value::Null;
    match event {
        "job.progress" => {
            details["totalExported"] = json!(job.total_exported);
            details["total"] = json!(job.total);
        }
        "job.finished" => {
            details["totalExported"] = json!(job.total_exported);
            details["total"] = json!(job.total.unwrap_or(job.total_exported));
            details["download_link"] = json!(links.download_link);
            details["json_url"] = json!(links.json_url);
            top_url = json!(links.download_link.clone().or(links.json_url.clone()));
        }
        "job.failed" => {
            details["error"] = json!(job.error);
            details["totalExported"] = json!(job.total_exported);
        }
        _ => {}
    }
    let mut e = json!({
        "version": ENVELOPE_VERSION,
        "event": event,
        "guid": job.guid,
        "status": job.status,
        "url": top_url,
        "details": details,
    });
    if event == "job.progress" {
        e["current"] = json!(job.total_exported);
        e["total"] = json!(job.total);
    }
    e
}

/// The webhook event a job event maps to, if any.
pub fn webhook_event(job_event: &str) -> Option<&'static str> {
    match job_event {
        "job.created" => Some("export.created"),
        "job.finished" => Some("export.finished"),
        "job.failed" => Some("export.failed"),
        "job.requeued" => Some("export.requeued"),
        _ => None,
    }
}

/// The webhook body for a job event (documented payload fields, plus the job's ids).
pub fn webhook_body(event: &str, job: &JobRow, links: &Links, message_id: &str) -> Value {
    let mut b = json!({
        "event": event,
        "message_id": message_id,
        "guid": job.guid,
        "url": job.url,
        "platform": job.platform,
        "timestamp": chrono::Utc::now().timestamp(),
    });
    match event {
        "export.created" => b["status"] = json!("processing"),
        "export.requeued" => b["status"] = json!("queueing"),
        "export.finished" => {
            b["status"] = json!("done");
            b["comments_count"] = json!(job.total_exported);
            b["download_url"] = json!(links.download_link);
            b["json_url"] = json!(links.json_url);
        }
        "export.failed" => {
            b["status"] = json!("failed");
            b["error_message"] = json!(job.error);
        }
        _ => {}
    }
    b
}

/// Records a job event: the outbox row (for real-time clients of every server)
/// and one delivery per subscribed webhook, in that order.
pub fn emit(store: &Store, event: &str, job: &JobRow, links: &Links) -> Result<(), ServiceError> {
    let env = envelope(event, job, links);
    store.append_event(job.user_id, event, &job.guid, &env)?;
    if let Some(hook_event) = webhook_event(event) {
        // A schedule's or workflow's own webhook gets its results (finished
        // or failed), subscribed or not.
        let named = match hook_event {
            "export.finished" | "export.failed" => store.delivery_webhook(job.id)?,
            _ => None,
        };
        store.queue_deliveries(job.user_id, hook_event, named.as_deref(), |message_id| {
            webhook_body(hook_event, job, links, message_id).to_string()
        })?;
    }
    Ok(())
}
