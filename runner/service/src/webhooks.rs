//! Webhook delivery: signed POSTs (`X-Signature`: hex HMAC-SHA256 of the raw
//! body with the webhook's signing secret), retried with exponential backoff,
//! the webhook suspended after 30 consecutive failures.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::now_ms_pub;
use crate::AppState;

/// Hex HMAC-SHA256 of `body` with `secret`, as sent in `X-Signature`.
///
/// ```
/// // The documented check: `echo -n BODY | openssl dgst -sha256 -hmac SECRET`.
/// let sig = service::webhooks::sign(b"{\"event\":\"export.finished\",\"status\":\"done\"}", "whsec_your_secret");
/// assert_eq!(sig.len(), 64);
/// ```
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| Hmac::<Sha256>::new_from_slice(b"").expect("HMAC takes any key"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// When the next attempt of a delivery (webhook or mail) that has failed
/// `calls` times is due: the backoff doubling from `webhook_backoff`, or
/// `None` once `webhook_attempts` are used up.
pub fn retry_at(config: &crate::ServiceConfig, calls: i64) -> Option<i64> {
    (calls < i64::from(config.webhook_attempts)).then(|| {
        let backoff = config.webhook_backoff.as_millis() as i64;
        now_ms_pub() + backoff.saturating_mul(1 << (calls - 1).clamp(0, 16))
    })
}

/// Sends due deliveries until the service shuts down.
pub async fn run_sender(state: AppState) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhook sender disabled: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tokio::time::sleep(state.config.poll_interval) => {}
        }
        let store = state.store.clone();
        let due = match tokio::task::spawn_blocking(move || store.claim_due_deliveries(32, 30_000))
            .await
        {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                tracing::warn!("webhook queue: {e}");
                continue;
            }
            Err(_) => return,
        };
        let sends = due.into_iter().map(|(d, w)| {
            let client = client.clone();
            let state = state.clone();
            async move {
                let sig = sign(d.payload.as_bytes(), &w.secret);
                let result = client
                    .post(&w.url)
                    .header("content-type", "application/json")
                    .header("x-signature", sig)
                    .header("x-message-id", &d.message_id)
                    .header("user-agent", "comment-export-webhooks/1")
                    .body(d.payload.clone())
                    .send()
                    .await;
                let (code, ok) = match result {
                    Ok(r) => (Some(r.status().as_u16() as i64), r.status().is_success()),
                    // The URL may carry credentials: log the kind of failure only.
                    Err(e) => {
                        tracing::info!(
                            "webhook {} delivery {} failed: {}",
                            w.uuid,
                            d.uuid,
                            if e.is_timeout() {
                                "timeout"
                            } else if e.is_connect() {
                                "connection refused"
                            } else {
                                "request error"
                            }
                        );
                        (None, false)
                    }
                };
                let retry_at = if ok {
                    None
                } else {
                    retry_at(&state.config, d.number_of_calls + 1)
                };
                let store = state.store.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    store.record_attempt(&d, code, ok, retry_at)
                })
                .await;
            }
        });
        futures::future::join_all(sends).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_openssl() {
        // echo -n '{"event":"export.finished","status":"done"}' | openssl dgst -sha256 -hmac "whsec_your_secret"
        let sig = super::sign(
            br#"{"event":"export.finished","status":"done"}"#,
            "whsec_your_secret",
        );
        let expected = std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-hmac", "whsec_your_secret"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin
                    .take()
                    .unwrap()
                    .write_all(br#"{"event":"export.finished","status":"done"}"#)?;
                c.wait_with_output()
            });
        match expected {
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(text.trim().ends_with(&sig), "{text} vs {sig}");
            }
            Err(_) => eprintln!("openssl not installed; signature checked by the e2e test only"),
        }
    }
}
