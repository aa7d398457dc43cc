//! The event outbox: workers (in any process) append job events; each server
//! tails the table to push them to WebSocket/SSE clients and to webhooks.

use rusqlite::params;

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
            c.execute(
                "INSERT INTO events(user_id, event, guid, payload, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user_id, event, guid, payload.to_string(), now_text()],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Events after `after_id`, oldest first, at most `limit`.
    pub fn events_after(&self, after_id: i64, limit: u32) -> Result<Vec<EventRow>, ServiceError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, user_id, event, guid, payload FROM events
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = st
                .query_map(params![after_id, limit], |r| {
                    let payload: String = r.get(4)?;
                    Ok(EventRow {
                        id: r.get(0)?,
                        user_id: r.get(1)?,
                        event: r.get(2)?,
                        guid: r.get(3)?,
                        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Id of the newest event (0 when none): where a fresh tail starts.
    pub fn last_event_id(&self) -> Result<i64, ServiceError> {
        self.with(|c| Ok(c.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?))
    }
}
