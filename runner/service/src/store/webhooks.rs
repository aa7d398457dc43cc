//! Webhooks and their deliveries (the delivery queue with retries).

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{now_ms, now_text, Store};
use crate::ServiceError;

/// Consecutive failed deliveries after which a webhook is suspended (documented: 30).
pub const SUSPEND_AFTER: i64 = 30;

/// A webhook as the API shows it (the signing secret is never shown).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WebhookRow {
    /// Row id (not shown).
    #[serde(skip)]
    pub id: i64,
    /// Identifier.
    pub uuid: String,
    /// Delivery URL.
    pub url: String,
    /// Subscribed event types.
    pub events: Vec<String>,
    /// `0` disabled, `1` enabled, `2` suspended.
    pub status: i64,
    /// Whether deliveries are on.
    pub enabled: bool,
    /// Suspended after 30 consecutive failures.
    #[serde(rename = "isSuspended")]
    pub is_suspended: bool,
    /// Last delivery time.
    #[serde(rename = "lastEventAt")]
    pub last_event_at: Option<String>,
    /// Deliveries made.
    #[serde(rename = "webhookEventsCount")]
    pub events_count: i64,
    /// Creation time.
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// Signing secret (not shown).
    #[serde(skip)]
    pub secret: String,
}

fn webhook_row(r: &Row) -> rusqlite::Result<WebhookRow> {
    let events: String = r.get("events")?;
    let enabled = r.get::<_, i64>("enabled")? != 0;
    let suspended = r.get::<_, i64>("suspended")? != 0;
    Ok(WebhookRow {
        id: r.get("id")?,
        uuid: r.get("uuid")?,
        url: r.get("url")?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        status: if suspended {
            2
        } else if enabled {
            1
        } else {
            0
        },
        enabled: enabled && !suspended,
        is_suspended: suspended,
        last_event_at: r.get("last_event_at")?,
        events_count: r.get("events_count")?,
        created_at: r.get("created_at")?,
        secret: r.get("secret")?,
    })
}

/// A delivery (one event to one webhook), as the events list shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeliveryRow {
    /// Row id (not shown).
    #[serde(skip)]
    pub id: i64,
    /// Identifier.
    pub uuid: String,
    /// Event type.
    pub event: String,
    /// Idempotency key sent in the body.
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// Last HTTP status from the endpoint (null before the first call or on network errors).
    #[serde(rename = "responseCode")]
    pub response_code: Option<i64>,
    /// Calls made.
    #[serde(rename = "numberOfCalls")]
    pub number_of_calls: i64,
    /// `pending`, `delivered`, `failed`.
    pub state: String,
    /// Creation time.
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// Webhook row id (not shown).
    #[serde(skip)]
    pub webhook_id: i64,
    /// Body to send (not shown).
    #[serde(skip)]
    pub payload: String,
}

fn delivery_row(r: &Row) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get("id")?,
        uuid: r.get("uuid")?,
        event: r.get("event")?,
        message_id: r.get("message_id")?,
        response_code: r.get("response_code")?,
        number_of_calls: r.get("number_of_calls")?,
        state: r.get("state")?,
        created_at: r.get("created_at")?,
        webhook_id: r.get("webhook_id")?,
        payload: r.get("payload")?,
    })
}

const WCOLS: &str =
    "id, uuid, url, events, enabled, suspended, last_event_at, events_count, created_at, secret";
const DCOLS: &str = "d.id, d.uuid, d.event, d.message_id, d.response_code, d.number_of_calls, d.state, d.created_at, d.webhook_id, d.payload";

/// Changes to a webhook (all optional).
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    /// New URL.
    pub url: Option<String>,
    /// New event list.
    pub events: Option<Vec<String>>,
    /// New secret.
    pub secret: Option<String>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

impl Store {
    /// Creates a webhook.
    pub fn insert_webhook(
        &self,
        user_id: i64,
        url: &str,
        events: &[String],
        secret: &str,
        enabled: bool,
    ) -> Result<WebhookRow, ServiceError> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let events = serde_json::to_string(events).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            c.execute(
                "INSERT INTO webhooks(uuid, user_id, url, events, secret, enabled, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    uuid,
                    user_id,
                    url,
                    events,
                    secret,
                    enabled as i64,
                    now_text()
                ],
            )?;
            Ok(c.query_row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE uuid = ?1"),
                [&uuid],
                webhook_row,
            )?)
        })
    }

    /// Number of a user's webhooks.
    pub fn count_webhooks(&self, user_id: i64) -> Result<i64, ServiceError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM webhooks WHERE user_id = ?1",
                [user_id],
                |r| r.get(0),
            )?)
        })
    }

    /// A user's webhook.
    pub fn webhook_for(
        &self,
        user_id: i64,
        uuid: &str,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE uuid = ?1 AND user_id = ?2"),
                params![uuid, user_id],
                webhook_row,
            )
            .optional()?)
        })
    }

    /// A user's webhooks, optionally those whose URL contains `query`.
    pub fn list_webhooks(
        &self,
        user_id: i64,
        query: Option<&str>,
        page: u32,
        limit: u32,
    ) -> Result<Vec<WebhookRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        let pattern = format!("%{}%", query.unwrap_or(""));
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {WCOLS} FROM webhooks WHERE user_id = ?1 AND url LIKE ?2
                 ORDER BY id DESC LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = st
                .query_map(params![user_id, pattern, limit, offset], webhook_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Applies a patch; `None` when not the user's.
    pub fn update_webhook(
        &self,
        user_id: i64,
        uuid: &str,
        patch: WebhookPatch,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT id FROM webhooks WHERE uuid = ?1 AND user_id = ?2",
                    params![uuid, user_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = exists else {
                return Ok(None);
            };
            if let Some(u) = &patch.url {
                tx.execute("UPDATE webhooks SET url = ?1 WHERE id = ?2", params![u, id])?;
            }
            if let Some(e) = &patch.events {
                let e = serde_json::to_string(e).unwrap_or_else(|_| "[]".into());
                tx.execute(
                    "UPDATE webhooks SET events = ?1 WHERE id = ?2",
                    params![e, id],
                )?;
            }
            if let Some(s) = &patch.secret {
                tx.execute(
                    "UPDATE webhooks SET secret = ?1 WHERE id = ?2",
                    params![s, id],
                )?;
            }
            if let Some(on) = patch.enabled {
                set_enabled(&tx, id, on)?;
            }
            let row = tx.query_row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                [id],
                webhook_row,
            )?;
            tx.commit()?;
            Ok(Some(row))
        })
    }

    /// Flips enabled/disabled (a suspended webhook becomes enabled, its failure count reset).
    pub fn toggle_webhook(
        &self,
        user_id: i64,
        uuid: &str,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        let Some(w) = self.webhook_for(user_id, uuid)? else {
            return Ok(None);
        };
        let on = !w.enabled;
        self.with(|c| {
            set_enabled(c, w.id, on)?;
            Ok(c.query_row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                [w.id],
                webhook_row,
            )
            .optional()?)
        })
    }

    /// Deletes a webhook and its deliveries.
    pub fn delete_webhook(&self, user_id: i64, uuid: &str) -> Result<bool, ServiceError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM webhooks WHERE uuid = ?1 AND user_id = ?2",
                    params![uuid, user_id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(id) = id else { return Ok(false) };
            tx.execute("DELETE FROM deliveries WHERE webhook_id = ?1", [id])?;
            tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])?;
            tx.commit()?;
            Ok(true)
        })
    }

    /// Queues one delivery per enabled webhook of `user_id` subscribed to `event`.
    pub fn queue_deliveries(
        &self,
        user_id: i64,
        event: &str,
        body_for: impl Fn(&str) -> String,
    ) -> Result<usize, ServiceError> {
        let hooks: Vec<WebhookRow> = self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {WCOLS} FROM webhooks WHERE user_id = ?1 AND enabled = 1 AND suspended = 0"
            ))?;
            let rows = st
                .query_map([user_id], webhook_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        let mut n = 0;
        for h in hooks.iter().filter(|h| h.events.iter().any(|e| e == event)) {
            let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
            let body = body_for(&message_id);
            self.with(|c| {
                c.execute(
                    "INSERT INTO deliveries(uuid, webhook_id, event, message_id, payload, state,
                        next_attempt_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
                    params![
                        uuid::Uuid::new_v4().to_string(),
                        h.id,
                        event,
                        message_id,
                        body,
                        now_ms(),
                        now_text()
                    ],
                )?;
                Ok(())
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// Deliveries due now (pending, time reached, webhook live), with their webhook.
    pub fn due_deliveries(
        &self,
        limit: u32,
    ) -> Result<Vec<(DeliveryRow, WebhookRow)>, ServiceError> {
        let ds: Vec<DeliveryRow> = self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {DCOLS} FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                   AND w.enabled = 1 AND w.suspended = 0
                 ORDER BY d.next_attempt_at LIMIT ?2"
            ))?;
            let rows = st
                .query_map(params![now_ms(), limit], delivery_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        let mut out = Vec::with_capacity(ds.len());
        for d in ds {
            let w = self.with(|c| {
                Ok(c.query_row(
                    &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                    [d.webhook_id],
                    webhook_row,
                )?)
            })?;
            out.push((d, w));
        }
        Ok(out)
    }

    /// Claims up to `limit` due deliveries for `hold_ms` (so another process
    /// does not send them too) and returns them with their webhook.
    pub fn claim_due_deliveries(
        &self,
        limit: u32,
        hold_ms: i64,
    ) -> Result<Vec<(DeliveryRow, WebhookRow)>, ServiceError> {
        let due = self.due_deliveries(limit)?;
        let mut claimed = Vec::with_capacity(due.len());
        for (d, w) in due {
            let got = self.with(|c| {
                Ok(c.execute(
                    "UPDATE deliveries SET next_attempt_at = ?1
                     WHERE id = ?2 AND state = 'pending' AND next_attempt_at <= ?3",
                    params![now_ms() + hold_ms, d.id, now_ms()],
                )? > 0)
            })?;
            if got {
                claimed.push((d, w));
            }
        }
        Ok(claimed)
    }

    /// Records a delivery attempt. On failure the delivery is retried at
    /// `retry_at_ms` (or marked failed when `None`) and the webhook's failure
    /// run grows, suspending it at [`SUSPEND_AFTER`].
    pub fn record_attempt(
        &self,
        delivery: &DeliveryRow,
        code: Option<i64>,
        ok: bool,
        retry_at_ms: Option<i64>,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let state = if ok {
                "delivered"
            } else if retry_at_ms.is_some() {
                "pending"
            } else {
                "failed"
            };
            tx.execute(
                "UPDATE deliveries SET state = ?1, response_code = ?2,
                    number_of_calls = number_of_calls + 1, next_attempt_at = ?3
                 WHERE id = ?4",
                params![state, code, retry_at_ms.unwrap_or(0), delivery.id],
            )?;
            if ok {
                tx.execute(
                    "UPDATE webhooks SET consecutive_failures = 0, last_event_at = ?1,
                        events_count = events_count + 1 WHERE id = ?2",
                    params![now_text(), delivery.webhook_id],
                )?;
            } else {
                tx.execute(
                    "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                        suspended = CASE WHEN consecutive_failures + 1 >= ?1 THEN 1 ELSE suspended END
                     WHERE id = ?2",
                    params![SUSPEND_AFTER, delivery.webhook_id],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// A user's deliveries, newest first, with the documented filters.
    pub fn list_deliveries(
        &self,
        user_id: i64,
        webhook_uuid: Option<&str>,
        event: Option<&str>,
        message_id: Option<&str>,
        page: u32,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {DCOLS} FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE w.user_id = ?1 AND (?2 IS NULL OR w.uuid = ?2)
                   AND (?3 IS NULL OR d.event = ?3) AND (?4 IS NULL OR d.message_id = ?4)
                 ORDER BY d.id DESC LIMIT ?5 OFFSET ?6"
            ))?;
            let rows = st
                .query_map(
                    params![user_id, webhook_uuid, event, message_id, limit, offset],
                    delivery_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Queues a user's delivery for another attempt now; `None` when not theirs.
    pub fn resend_delivery(
        &self,
        user_id: i64,
        uuid: &str,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.with(|c| {
            let hook = c
                .query_row(
                    "SELECT w.id, w.uuid, w.url, w.events, w.enabled, w.suspended, w.last_event_at,
                            w.events_count, w.created_at, w.secret
                         FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                         WHERE d.uuid = ?1 AND w.user_id = ?2",
                    params![uuid, user_id],
                    webhook_row,
                )
                .optional()?;
            if hook.is_some() {
                c.execute(
                    "UPDATE deliveries SET state = 'pending', next_attempt_at = ?1 WHERE uuid = ?2",
                    params![now_ms(), uuid],
                )?;
            }
            Ok(hook)
        })
    }

    /// Totals for the delivery summary: (webhooks, active, events, delivered, failed).
    pub fn webhook_summary(&self, user_id: i64) -> Result<(i64, i64, i64, i64, i64), ServiceError> {
        self.with(|c| {
            let (total, active): (i64, i64) = c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(enabled = 1 AND suspended = 0), 0)
                 FROM webhooks WHERE user_id = ?1",
                [user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let (events, ok, failed): (i64, i64, i64) = c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(d.state = 'delivered'), 0),
                    COALESCE(SUM(d.state = 'failed'), 0)
                 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = ?1",
                [user_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok((total, active, events, ok, failed))
        })
    }
}

fn set_enabled(c: &rusqlite::Connection, id: i64, on: bool) -> rusqlite::Result<usize> {
    if on {
        c.execute(
            "UPDATE webhooks SET enabled = 1, suspended = 0, consecutive_failures = 0 WHERE id = ?1",
            [id],
        )
    } else {
        c.execute("UPDATE webhooks SET enabled = 0 WHERE id = ?1", [id])
    }
}
