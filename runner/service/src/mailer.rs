//! Email delivery (`deliveryMethod: email`, `sendNotification`): the mail a
//! finished scheduled run or workflow sends its owner, and the sender that
//! takes queued mails to the SMTP server (lettre), retried with backoff.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::{JobRow, MailDraft, MailRow, ScheduleRow};
use crate::AppState;

/// Where mail goes out.
///
/// ```
/// let s = service::mailer::SmtpSettings::new("smtp://u:p4ss@127.0.0.1:2525", "exports@example.org").unwrap();
/// assert!(!format!("{s:?}").contains("p4ss"));
/// assert!(service::mailer::SmtpSettings::new("smtp://127.0.0.1", "not an address").is_err());
/// ```
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://[user:pass@]host[:port]` (plain; `?tls=required` for STARTTLS)
    /// or `smtps://…` (implicit TLS). Holds a password: never printed.
    url: String,
    /// Sender address.
    from: lettre::message::Mailbox,
}

impl SmtpSettings {
    /// Checks the URL and the sender address.
    pub fn new(url: &str, from: &str) -> Result<SmtpSettings, String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|_| {
            format!(
                "--smtp {} is not an SMTP URL (smtp://host:port or smtps://…)",
                engine::redact_url(url)
            )
        })?;
        let from = from
            .parse()
            .map_err(|e| format!("--mail-from {from:?} is not an email address: {e}"))?;
        Ok(SmtpSettings {
            url: url.to_string(),
            from,
        })
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &engine::redact_url(&self.url))
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// True when `s` looks like an email address the sender can use.
///
/// ```
/// assert!(service::mailer::valid_address("ops@example.org"));
/// assert!(!service::mailer::valid_address("ops at example"));
/// ```
pub fn valid_address(s: &str) -> bool {
    s.parse::<lettre::Address>().is_ok()
}

/// The mail ending a run of schedule `s`: what ran, how it ended, each job's
/// counts and file links.
pub fn run_mail(
    state: &AppState,
    s: &ScheduleRow,
    ok: bool,
    jobs: &[JobRow],
    recipient: String,
) -> MailDraft {
    let what = if s.kind == "workflow" {
        "Workflow"
    } else {
        "Scheduled export"
    };
    let title = s.name.clone().unwrap_or_else(|| s.url.clone());
    let exported: i64 = jobs.iter().map(|j| j.total_exported).sum();
    let subject = if ok {
        format!("{what} \"{title}\" finished: {exported} new items")
    } else {
        format!("{what} \"{title}\" failed")
    };
    let mut body = format!(
        "{what} {}\nURL: {}\nStatus: {}\nNew items exported: {exported}\n",
        s.uuid,
        s.url,
        if ok { "completed" } else { "failed" }
    );
    for j in jobs {
        body.push_str(&format!(
            "\nJob {} ({}): {} items\n",
            j.guid, j.status, j.total_exported
        ));
        let links = state.links(j);
        if let Some(u) = links.download_link {
            body.push_str(&format!("  XLSX: {u}\n"));
        }
        if let Some(u) = links.json_url {
            body.push_str(&format!("  JSON: {u}\n"));
        }
        if let Some(e) = &j.error {
            body.push_str(&format!("  Error: {e}\n"));
        }
    }
    body.push_str("\nThe file links need your API token (X-AUTH-TOKEN).\n");
    MailDraft {
        user_id: s.user_id,
        recipient,
        subject,
        body,
    }
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &lettre::message::Mailbox,
    m: &MailRow,
) -> Result<(), String> {
    let to = m
        .recipient
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| format!("cannot build the mail: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        // lettre's errors name the server's answer, not the credentials.
        .map_err(|e| e.to_string())
}

/// Sends queued mails until the service shuts down.
pub async fn run_sender(state: AppState) {
    let Some(smtp) = state.config.smtp.clone() else {
        return;
    };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url) {
        Ok(b) => b.timeout(Some(Duration::from_secs(20))).build(),
        Err(_) => {
            tracing::error!(
                "mail sender disabled: bad SMTP URL {}",
                engine::redact_url(&smtp.url)
            );
            return;
        }
    };
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tokio::time::sleep(state.config.poll_interval) => {}
        }
        let store = state.store.clone();
        let due = match tokio::task::spawn_blocking(move || store.claim_due_mails(16, 60_000)).await
        {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                tracing::warn!("mail queue: {e}");
                continue;
            }
            Err(_) => return,
        };
        for m in due {
            let result = send(&transport, &smtp.from, &m).await;
            let retry_at = match &result {
                Ok(()) => None,
                Err(e) => {
                    tracing::info!("mail {} to the SMTP server failed: {e}", m.uuid);
                    crate::webhooks::retry_at(&state.config, m.attempts + 1)
                }
            };
            let store = state.store.clone();
            let error = result.err();
            let _ = tokio::task::spawn_blocking(move || {
                store.record_mail_attempt(&m, error.as_deref(), retry_at)
            })
            .await;
        }
    }
}
