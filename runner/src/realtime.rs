//! `--realtime` waiting: instead of polling, the client takes a socket token
//! (`POST /api/public/auth/socket`), connects to `/connection/websocket` with
//! it (the Centrifugo JSON protocol the hosted clients speak), subscribes to
//! `export.<guid>.job` and answers as soon as a push says the job ended.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{terminal, Client, ClientError};

fn failed(what: &str, detail: impl ToString) -> ClientError {
    ClientError::new("REALTIME_ERROR", what, detail.to_string())
}

/// The WebSocket address of a server's HTTP base (`http` → `ws`, `https` → `wss`).
fn socket_url(base: &str) -> String {
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_string()
    };
    format!("{}/connection/websocket", ws.trim_end_matches('/'))
}

impl Client {
    /// Waits for a job over the WebSocket; on `Ok`, the job as
    /// [`Client::job`] shows it. `on_progress` sees each progress push
    /// (records exported so far, total when known).
    pub async fn wait_realtime(
        &self,
        guid: &str,
        timeout: Duration,
        mut on_progress: impl FnMut(u64, Option<u64>),
    ) -> Result<Value, ClientError> {
        let start = Instant::now();
        // A bad GUID or another user's job fails here, as polling would.
        let job = self.job(guid).await?;
        if terminal(job["status"].as_str()) {
            return Ok(job);
        }
        let token = self
            .send(reqwest::Method::POST, "/api/public/auth/socket", None)
            .await?;
        let jwt = token["token"]
            .as_str()
            .ok_or_else(|| failed("no socket token in the answer", ""))?
            .to_string();
        let (mut ws, _) = tokio_tungstenite::connect_async(socket_url(self.base()))
            .await
            .map_err(|e| failed("cannot open the WebSocket", e))?;
        let channel = format!("export.{guid}.job");
        for cmd in [
            json!({"id": 1, "connect": {"token": jwt}}),
            json!({"id": 2, "subscribe": {"channel": channel}}),
        ] {
            ws.send(Message::Text(cmd.to_string().into()))
                .await
                .map_err(|e| failed("the WebSocket closed", e))?;
        }
        let mut subscribed = false;
        loop {
            let left = timeout.saturating_sub(start.elapsed());
            let msg = match tokio::time::timeout(left, ws.next()).await {
                Err(_) => {
                    let _ = ws.close(None).await;
                    return Err(ClientError::new(
                        "WAIT_TIMEOUT",
                        "the job did not finish in time",
                        "no end event on the WebSocket",
                    ));
                }
                Ok(None) => return Err(failed("the WebSocket closed", "end of stream")),
                Ok(Some(Err(e))) => return Err(failed("the WebSocket broke", e)),
                Ok(Some(Ok(m))) => m,
            };
            let text = match msg {
                Message::Text(t) => t.to_string(),
                Message::Close(_) => return Err(failed("the server closed the WebSocket", "")),
                _ => continue,
            };
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    return Err(failed("not JSON on the WebSocket", line));
                };
                if v.as_object().is_some_and(|o| o.is_empty()) {
                    // Centrifugo's ping: answered by a pong, `{}`.
                    let _ = ws.send(Message::Text("{}".into())).await;
                    continue;
                }
                if let Some(e) = v.get("error") {
                    return Err(ClientError::new(
                        "REALTIME_REFUSED",
                        e["message"].as_str().unwrap_or("refused").to_string(),
                        format!("code {}", e["code"]),
                    ));
                }
                if v["id"] == 2 && v.get("subscribe").is_some() {
                    subscribed = true;
                    // The job may have ended before the subscription.
                    let job = self.job(guid).await?;
                    if terminal(job["status"].as_str()) {
                        let _ = ws.close(None).await;
                        return Ok(job);
                    }
                    continue;
                }
                let push = &v["push"];
                if !subscribed || push["channel"] != channel.as_str() {
                    continue;
                }
                let data = &push["pub"]["data"];
                let details = &data["details"];
                if data["event"] == "job.progress" {
                    if let Some(n) = data["current"].as_u64() {
                        on_progress(n, data["total"].as_u64());
                    }
                }
                if terminal(data["status"].as_str()) || terminal(details["status"].as_str()) {
                    let _ = ws.close(None).await;
                    return self.job(guid).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls() {
        assert_eq!(
            socket_url("http://127.0.0.1:8787"),
            "ws://127.0.0.1:8787/connection/websocket"
        );
        assert_eq!(
            socket_url("https://exports.example/"),
            "wss://exports.example/connection/websocket"
        );
    }

    #[test]
    fn terminal_statuses() {
        assert!(terminal(Some("done")) && terminal(Some("error")) && terminal(Some("stopped")));
        assert!(!terminal(Some("progress")) && !terminal(None));
    }
}
