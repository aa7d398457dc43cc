//! Real-time clients for the tests: a WebSocket speaking the Centrifugo JSON
//! commands the docs' SDK examples send, and a Server-Sent Events reader.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::Harness;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket client keeping the pushes it read while waiting for replies.
pub struct Ws {
    pub socket: Socket,
    pub pushes: Vec<Value>,
}

impl Ws {
    pub async fn open(h: &Harness, auth_header: Option<&str>) -> Ws {
        let mut req = format!(
            "{}/connection/websocket",
            h.base.replace("http://", "ws://")
        )
        .into_client_request()
        .unwrap();
        if let Some(t) = auth_header {
            req.headers_mut().insert("X-AUTH-TOKEN", t.parse().unwrap());
        }
        let (socket, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        Ws {
            socket,
            pushes: Vec::new(),
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.socket
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    /// The next JSON message (pings `{}` skipped), or `None` after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??
                .expect("a WebSocket frame");
            let Message::Text(t) = msg else { continue };
            let v: Value = serde_json::from_str(&t).expect("JSON frames");
            if v.as_object().is_some_and(|o| o.is_empty()) {
                continue;
            }
            return Some(v);
        }
    }

    /// Sends a command and returns its reply (pushes read meanwhile are kept).
    pub async fn command(&mut self, cmd: Value) -> Value {
        let id = cmd["id"].clone();
        self.send(cmd).await;
        loop {
            let v = self
                .next(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("no reply to command {id}"));
            if v.get("push").is_some() {
                self.pushes.push(v);
            } else {
                assert_eq!(v["id"], id, "replies carry the command id: {v}");
                return v;
            }
        }
    }

    /// Reads pushes until one satisfies `pred` (panics after `secs`).
    pub async fn push_until(&mut self, secs: u64, pred: impl Fn(&Value) -> bool) {
        if self.pushes.iter().any(&pred) {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self
                .next(left)
                .await
                .unwrap_or_else(|| panic!("no such push within {secs} s; got {:#?}", self.pushes));
            assert!(v.get("push").is_some(), "unexpected message {v}");
            let hit = pred(&v);
            self.pushes.push(v);
            if hit {
                return;
            }
        }
    }

    /// Envelopes pushed on `channel`.
    pub fn on(&self, channel: &str) -> Vec<Value> {
        self.pushes
            .iter()
            .filter(|p| p["push"]["channel"] == channel)
            .map(|p| p["push"]["pub"]["data"].clone())
            .collect()
    }
}

pub fn is_event(p: &Value, event: &str, guid: &str) -> bool {
    let d = &p["push"]["pub"]["data"];
    d["event"] == event && d["guid"] == guid
}

pub async fn socket_jwt(h: &Harness, token: &str) -> String {
    let (code, b) = h
        .call_as(token, "POST", "/api/public/auth/socket", None)
        .await;
    assert_eq!(code, 200, "{b}");
    b["token"].as_str().expect("token").to_string()
}

/// The JWT's claims, read without the server's key.
pub fn claims(jwt: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(
        header.alg,
        jsonwebtoken::Algorithm::HS256,
        "documented: HS256"
    );
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.insecure_disable_signature_validation();
    v.validate_exp = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jwt, &jsonwebtoken::DecodingKey::from_secret(b""), &v)
        .unwrap()
        .claims
}

/// Checks the documented envelope fields common to every job event.
pub fn assert_envelope(e: &Value, event: &str, guid: &str, url: &str) {
    assert_eq!(e["version"], "v3-beta", "{e}");
    assert_eq!(e["event"], event, "{e}");
    assert_eq!(e["guid"], guid, "{e}");
    assert!(e.get("url").is_some(), "url always present: {e}");
    assert!(e["status"].is_string(), "{e}");
    assert_eq!(e["details"]["guid"], guid, "{e}");
    assert_eq!(e["details"]["status"], e["status"], "{e}");
    assert_eq!(
        e["details"]["url"], url,
        "details.url is the exported URL: {e}"
    );
}

/// `(event, data)` pairs read from an SSE stream so far.
pub type SseLog = Arc<Mutex<Vec<(String, Value)>>>;

/// Reads an SSE response in the background into `(event, data)` pairs.
pub fn sse_reader(mut resp: reqwest::Response) -> (SseLog, tokio::task::JoinHandle<()>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let task = tokio::spawn(async move {
        let mut buf = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event:") {
                        event = e.trim().to_string();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                if !event.is_empty() {
                    let v = serde_json::from_str(&data).expect("SSE data is JSON");
                    sink.lock().unwrap().push((event, v));
                }
            }
        }
    });
    (got, task)
}

pub async fn sse(h: &Harness, token: &str, query: &str) -> reqwest::Response {
    let r = h
        .client
        .get(h.url(&format!("/api/v3/events{query}")))
        .header("X-AUTH-TOKEN", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"),
        "{:?}",
        r.headers()
    );
    r
}

pub async fn wait_sse(got: &Mutex<Vec<(String, Value)>>, secs: u64, event: &str, guid: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if got
            .lock()
            .unwrap()
            .iter()
            .any(|(e, v)| e == event && v["guid"] == guid)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no {event} for {guid}: {:?}",
            got.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
