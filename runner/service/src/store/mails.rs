//! Email notifications: users' addresses and the outbox of mails the mailer
//! sends (queued in the transaction that ends a scheduled run, so exactly one
//! process queues each; claimed before sending, so exactly one sends it).

use super::db::{vals, Db, Row};
use super::{now_ms, now_text, Store};
use crate::ServiceError;

/// A mail to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct MailDraft {
    /// Owner (the schedule's user).
    pub user_id: i64,
    /// Address it goes to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// A queued mail.
#[derive(Debug, Clone, PartialEq)]
pub struct MailRow {
    /// Row id.
    pub id: i64,
    /// Public id.
    pub uuid: String,
    /// Address it goes to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
}

fn mail_row(r: &Row) -> Result<MailRow, ServiceError> {
    Ok(MailRow {
        id: r.i64("id")?,
        uuid: r.text("uuid")?,
        recipient: r.text("recipient")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        attempts: r.i64("attempts")?,
    })
}

/// Queues `draft` inside the caller's transaction.
pub(crate) fn queue_mail_in(c: &mut dyn Db, draft: &MailDraft) -> Result<(), ServiceError> {
    c.exec(
        "INSERT INTO mails(uuid, user_id, recipient, subject, body, state, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
        vals![
            uuid::Uuid::new_v4().to_string(),
            draft.user_id,
            draft.recipient.clone(),
            draft.subject.clone(),
            draft.body.clone(),
            now_ms(),
            now_text()
        ],
    )?;
    Ok(())
}

impl Store {
    /// Sets (or clears) the address a user's notifications go to.
    pub fn set_user_email(&self, user_id: i64, email: Option<&str>) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "UPDATE users SET email = ?1 WHERE id = ?2",
                vals![email.map(str::to_string), user_id],
            )?;
            Ok(())
        })
    }

    /// The address a user's notifications go to, if set.
    pub fn user_email(&self, user_id: i64) -> Result<Option<String>, ServiceError> {
        self.with(|c| {
            Ok(
                c.row("SELECT email FROM users WHERE id = ?1", vals![user_id])?
                    .map(|r| r.opt_text("email"))
                    .transpose()?
                    .flatten(),
            )
        })
    }

    /// Claims up to `limit` due mails for `hold_ms` (another process skips
    /// them meanwhile).
    pub fn claim_due_mails(&self, limit: u32, hold_ms: i64) -> Result<Vec<MailRow>, ServiceError> {
        self.tx(|c| {
            let now = now_ms();
            let lock = if c.is_pg() {
                " FOR UPDATE SKIP LOCKED"
            } else {
                ""
            };
            let rows: Vec<MailRow> = c
                .rows(
                    &format!(
                        "SELECT id, uuid, recipient, subject, body, attempts FROM mails
                         WHERE state = 'pending' AND next_attempt_at <= ?1
                         ORDER BY next_attempt_at LIMIT ?2{lock}"
                    ),
                    vals![now, limit],
                )?
                .iter()
                .map(mail_row)
                .collect::<Result<_, _>>()?;
            for m in &rows {
                c.exec(
                    "UPDATE mails SET next_attempt_at = ?1 WHERE id = ?2",
                    vals![now + hold_ms, m.id],
                )?;
            }
            Ok(rows)
        })
    }

    /// Records a send attempt: sent, retried at `retry_at_ms`, or failed for
    /// good (`None`), with the error kept for operators.
    pub fn record_mail_attempt(
        &self,
        mail: &MailRow,
        error: Option<&str>,
        retry_at_ms: Option<i64>,
    ) -> Result<(), ServiceError> {
        let state = match (error, retry_at_ms) {
            (None, _) => "sent",
            (Some(_), Some(_)) => "pending",
            (Some(_), None) => "failed",
        };
        self.with(|c| {
            c.exec(
                "UPDATE mails SET state = ?1, attempts = attempts + 1, next_attempt_at = ?2,
                    last_error = ?3 WHERE id = ?4",
                vals![
                    state,
                    retry_at_ms.unwrap_or(0),
                    error.map(str::to_string),
                    mail.id
                ],
            )?;
            Ok(())
        })
    }

    /// Mails of a user by state (`pending`, `sent`, `failed`), oldest first.
    pub fn mails_of(&self, user_id: i64, state: &str) -> Result<Vec<MailRow>, ServiceError> {
        self.with(|c| {
            c.rows(
                "SELECT id, uuid, recipient, subject, body, attempts FROM mails
                 WHERE user_id = ?1 AND state = ?2 ORDER BY id",
                vals![user_id, state],
            )?
            .iter()
            .map(mail_row)
            .collect()
        })
    }
}
