//! Webhooks and their deliveries (the delivery queue with retries).

use serde::Serialize;

use super::db::{vals, Db, Row};
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

fn webhook_row(r: &Row) -> Result<WebhookRow, ServiceError> {
    let events = r.text("events")?;
    let enabled = r.flag("enabled")?;
    let suspended = r.flag("suspended")?;
    Ok(WebhookRow {
        id: r.i64("id")?,
        uuid: r.text("uuid")?,
        url: r.text("url")?,
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
        last_event_at: r.opt_text("last_event_at")?,
        events_count: r.i64("events_count")?,
        created_at: r.text("created_at")?,
        secret: r.text("secret")?,
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

fn delivery_row(r: &Row) -> Result<DeliveryRow, ServiceError> {
    Ok(DeliveryRow {
        id: r.i64("id")?,
        uuid: r.text("uuid")?,
        event: r.text("event")?,
        message_id: r.text("message_id")?,
        response_code: r.opt_i64("response_code")?,
        number_of_calls: r.i64("number_of_calls")?,
        state: r.text("state")?,
        created_at: r.text("created_at")?,
        webhook_id: r.i64("webhook_id")?,
        payload: r.text("payload")?,
    })
}

fn one_hook(r: Option<Row>) -> Result<Option<WebhookRow>, ServiceError> {
    r.map(|r| webhook_row(&r)).transpose()
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
            one_hook(c.row(
                &format!(
                    "INSERT INTO webhooks(uuid, user_id, url, events, secret, enabled, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {WCOLS}"
                ),
                vals![uuid, user_id, url, events, secret, enabled, now_text()],
            )?)?
            .ok_or_else(|| ServiceError::Store("webhook insert returned nothing".into()))
        })
    }

    /// Number of a user's webhooks.
    pub fn count_webhooks(&self, user_id: i64) -> Result<i64, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT COUNT(*) AS n FROM webhooks WHERE user_id = ?1",
                vals![user_id],
            )?
            .map(|r| r.i64("n"))
            .transpose()
            .map(|n| n.unwrap_or(0))
        })
    }

    /// A user's webhook.
    pub fn webhook_for(
        &self,
        user_id: i64,
        uuid: &str,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.with(|c| {
            one_hook(c.row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE uuid = ?1 AND user_id = ?2"),
                vals![uuid, user_id],
            )?)
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
            c.rows(
                &format!(
                    "SELECT {WCOLS} FROM webhooks WHERE user_id = ?1 AND url LIKE ?2
                     ORDER BY id DESC LIMIT ?3 OFFSET ?4"
                ),
                vals![user_id, pattern, limit, offset],
            )?
            .iter()
            .map(webhook_row)
            .collect()
        })
    }

    /// Applies a patch; `None` when not the user's.
    pub fn update_webhook(
        &self,
        user_id: i64,
        uuid: &str,
        patch: WebhookPatch,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.tx(|c| {
            let Some(id) = c
                .row(
                    "SELECT id FROM webhooks WHERE uuid = ?1 AND user_id = ?2",
                    vals![uuid, user_id],
                )?
                .map(|r| r.i64("id"))
                .transpose()?
            else {
                return Ok(None);
            };
            if let Some(u) = &patch.url {
                c.exec("UPDATE webhooks SET url = ?1 WHERE id = ?2", vals![u, id])?;
            }
            if let Some(e) = &patch.events {
                let e = serde_json::to_string(e).unwrap_or_else(|_| "[]".into());
                c.exec(
                    "UPDATE webhooks SET events = ?1 WHERE id = ?2",
                    vals![e, id],
                )?;
            }
            if let Some(s) = &patch.secret {
                c.exec(
                    "UPDATE webhooks SET secret = ?1 WHERE id = ?2",
                    vals![s, id],
                )?;
            }
            if let Some(on) = patch.enabled {
                set_enabled(c, id, on)?;
            }
            one_hook(c.row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                vals![id],
            )?)
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
            one_hook(c.row(
                &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                vals![w.id],
            )?)
        })
    }

    /// Deletes a webhook and its deliveries.
    pub fn delete_webhook(&self, user_id: i64, uuid: &str) -> Result<bool, ServiceError> {
        self.tx(|c| {
            let Some(id) = c
                .row(
                    "SELECT id FROM webhooks WHERE uuid = ?1 AND user_id = ?2",
                    vals![uuid, user_id],
                )?
                .map(|r| r.i64("id"))
                .transpose()?
            else {
                return Ok(false);
            };
            c.exec("DELETE FROM deliveries WHERE webhook_id = ?1", vals![id])?;
            c.exec("DELETE FROM webhooks WHERE id = ?1", vals![id])?;
            Ok(true)
        })
    }

    /// Queues one delivery per enabled webhook of `user_id` subscribed to
    /// `event`, plus one to `named` (a schedule's or workflow's delivery
    /// webhook, a uuid of the same user) whatever its subscriptions; never two
    /// to one webhook.
    pub fn queue_deliveries(
        &self,
        user_id: i64,
        event: &str,
        named: Option<&str>,
        body_for: impl Fn(&str) -> String,
    ) -> Result<usize, ServiceError> {
        self.with(|c| {
            let hooks: Vec<WebhookRow> = c
                .rows(
                    &format!("SELECT {WCOLS} FROM webhooks WHERE user_id = ?1 AND enabled = 1 AND suspended = 0"),
                    vals![user_id],
                )?
                .iter()
                .map(webhook_row)
                .collect::<Result<_, _>>()?;
            let mut n = 0;
            let wanted = |h: &&WebhookRow| {
                h.events.iter().any(|e| e == event) || named.is_some_and(|u| u == h.uuid)
            };
            for h in hooks.iter().filter(wanted) {
                let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
                let body = body_for(&message_id);
                c.exec(
                    "INSERT INTO deliveries(uuid, webhook_id, event, message_id, payload, state,
                        next_attempt_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
                    vals![uuid::Uuid::new_v4().to_string(), h.id, event, message_id, body, now_ms(), now_text()],
                )?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Claims up to `limit` due deliveries (pending, time reached, webhook live)
    /// for `hold_ms`, so another process does not send them too, and returns
    /// them with their webhook.
    pub fn claim_due_deliveries(
        &self,
        limit: u32,
        hold_ms: i64,
    ) -> Result<Vec<(DeliveryRow, WebhookRow)>, ServiceError> {
        self.tx(|c| {
            let now = now_ms();
            let lock = if c.is_pg() {
                " FOR UPDATE OF d SKIP LOCKED"
            } else {
                ""
            };
            let ds: Vec<DeliveryRow> = c
                .rows(
                    &format!(
                        "SELECT {DCOLS} FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                         WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                           AND w.enabled = 1 AND w.suspended = 0
                         ORDER BY d.next_attempt_at LIMIT ?2{lock}"
                    ),
                    vals![now, limit],
                )?
                .iter()
                .map(delivery_row)
                .collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(ds.len());
            for d in ds {
                c.exec(
                    "UPDATE deliveries SET next_attempt_at = ?1 WHERE id = ?2",
                    vals![now + hold_ms, d.id],
                )?;
                let w = one_hook(c.row(
                    &format!("SELECT {WCOLS} FROM webhooks WHERE id = ?1"),
                    vals![d.webhook_id],
                )?)?
                .ok_or_else(|| ServiceError::Store("delivery without webhook".into()))?;
                out.push((d, w));
            }
            Ok(out)
        })
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
        self.tx(|c| {
            let state = if ok {
                "delivered"
            } else if retry_at_ms.is_some() {
                "pending"
            } else {
                "failed"
            };
            c.exec(
                "UPDATE deliveries SET state = ?1, response_code = ?2,
                    number_of_calls = number_of_calls + 1, next_attempt_at = ?3
                 WHERE id = ?4",
                vals![state, code, retry_at_ms.unwrap_or(0), delivery.id],
            )?;
            if ok {
                c.exec(
                    "UPDATE webhooks SET consecutive_failures = 0, last_event_at = ?1,
                        events_count = events_count + 1 WHERE id = ?2",
                    vals![now_text(), delivery.webhook_id],
                )?;
            } else {
                c.exec(
                    "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                        suspended = CASE WHEN consecutive_failures + 1 >= ?1 THEN 1 ELSE suspended END
                     WHERE id = ?2",
                    vals![SUSPEND_AFTER, delivery.webhook_id],
                )?;
            }
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
        let mut sql = format!(
            "SELECT {DCOLS} FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = ?1"
        );
        let mut params = vec![super::db::Val::from(user_id)];
        for (col, v) in [
            ("w.uuid", webhook_uuid),
            ("d.event", event),
            ("d.message_id", message_id),
        ] {
            if let Some(v) = v {
                params.push(v.into());
                sql.push_str(&format!(" AND {col} = ?{}", params.len()));
            }
        }
        params.push(limit.into());
        params.push(offset.into());
        sql.push_str(&format!(
            " ORDER BY d.id DESC LIMIT ?{} OFFSET ?{}",
            params.len() - 1,
            params.len()
        ));
        self.with(|c| c.rows(&sql, &params)?.iter().map(delivery_row).collect())
    }

    /// Queues a user's delivery for another attempt now; `None` when not theirs.
    pub fn resend_delivery(
        &self,
        user_id: i64,
        uuid: &str,
    ) -> Result<Option<WebhookRow>, ServiceError> {
        self.with(|c| {
            let hook = one_hook(c.row(
                "SELECT w.id, w.uuid, w.url, w.events, w.enabled, w.suspended, w.last_event_at,
                    w.events_count, w.created_at, w.secret
                 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.uuid = ?1 AND w.user_id = ?2",
                vals![uuid, user_id],
            )?)?;
            // A disabled or suspended webhook's delivery is left as it is: the
            // API refuses the resend, and enabling the webhook must not send it.
            if hook.as_ref().is_some_and(|h| h.enabled) {
                c.exec(
                    "UPDATE deliveries SET state = 'pending', next_attempt_at = ?1 WHERE uuid = ?2",
                    vals![now_ms(), uuid],
                )?;
            }
            Ok(hook)
        })
    }

    /// Totals for the delivery summary: (webhooks, active, events, delivered, failed).
    pub fn webhook_summary(&self, user_id: i64) -> Result<(i64, i64, i64, i64, i64), ServiceError> {
        self.with(|c| {
            let a = c
                .row(
                    "SELECT COUNT(*) AS total,
                        CAST(COALESCE(SUM(CASE WHEN enabled = 1 AND suspended = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS active
                     FROM webhooks WHERE user_id = ?1",
                    vals![user_id],
                )?
                .ok_or_else(|| ServiceError::Store("count returned nothing".into()))?;
            let b = c
                .row(
                    "SELECT COUNT(*) AS events,
                        CAST(COALESCE(SUM(CASE WHEN d.state = 'delivered' THEN 1 ELSE 0 END), 0) AS BIGINT) AS ok,
                        CAST(COALESCE(SUM(CASE WHEN d.state = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed
                     FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = ?1",
                    vals![user_id],
                )?
                .ok_or_else(|| ServiceError::Store("count returned nothing".into()))?;
            Ok((a.i64("total")?, a.i64("active")?, b.i64("events")?, b.i64("ok")?, b.i64("failed")?))
        })
    }
}

fn set_enabled(c: &mut dyn Db, id: i64, on: bool) -> Result<u64, ServiceError> {
    if on {
        c.exec(
            "UPDATE webhooks SET enabled = 1, suspended = 0, consecutive_failures = 0 WHERE id = ?1",
            vals![id],
        )
    } else {
        c.exec("UPDATE webhooks SET enabled = 0 WHERE id = ?1", vals![id])
    }
}
