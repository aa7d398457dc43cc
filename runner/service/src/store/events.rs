//! The event outbox: workers (in any process) append job events; each server
//! tails the table to push them to WebSocket/SSE clients and to webhooks.

use super::db::{vals, Row};
use super::{now_text, Store};
use crate::ServiceError;

/// One stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Position in the outbox (increasing).
    pub id: i64,
    /// Owner of the job.
    pub user_id: i64,
    /// `job.created`, `job.progress`, `job.finished`, `job.failed`, `job.requeued`, ...
    pub event: String,
    /// Job (or bulk download) identifier.
    pub guid: String,
    /// The documented envelope, as JSON.
    pub payload: serde_json::Value,
}

fn event_row(r: &Row) -> Result<EventRow, ServiceError> {
    let payload = r.text("payload")?;
    Ok(EventRow {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        event: r.text("event")?,
        guid: r.text("guid")?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
    })
}

impl Store {
    /// Appends an event.
    pub fn append_event(
        &self,
        user_id: i64,
        event: &str,
        guid: &str,
        payload: &serde_json::Value,
    ) -> Result<i64, ServiceError> {
        self.with(|c| {
            c.row(
                "INSERT INTO events(user_id, event, guid, payload, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                vals![user_id, event, guid, payload.to_string(), now_text()],
            )?
            .ok_or_else(|| ServiceError::Store("event insert returned nothing".into()))?
            .i64("id")
        })
    }

    /// Events after `after_id`, oldest first, at most `limit`.
    pub fn events_after(&self, after_id: i64, limit: u32) -> Result<Vec<EventRow>, ServiceError> {
        self.with(|c| {
            c.rows(
                "SELECT id, user_id, event, guid, payload FROM events
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
                vals![after_id, limit],
            )?
            .iter()
            .map(event_row)
            .collect()
        })
    }

    /// Id of the newest event (0 when none): where a fresh tail starts.
    pub fn last_event_id(&self) -> Result<i64, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS last FROM events",
                &[],
            )?
            .map(|r| r.i64("last"))
            .transpose()
            .map(|v| v.unwrap_or(0))
        })
    }
}
