//! A local webhook receiver (axum on 127.0.0.1:0) that records every
//! request and answers 500 on demand, the documented signature check done
//! independently (HMAC-SHA256 here, not the service's), and webhook API helpers.
// Shared by several test binaries; each uses part of it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::support::{steam_url, Harness};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub path: String,
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a webhook body is JSON")
    }

    pub fn signature(&self) -> &str {
        self.headers
            .get("x-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// How the receiver answers: the first `fail_first` calls to `/flaky` and
/// every call to `/down` get 500 (while `down_ok` is false); everything else 200.
#[derive(Default)]
pub struct Behaviour {
    pub log: Mutex<Vec<Delivery>>,
    pub flaky_fail_first: AtomicUsize,
    pub flaky_calls: AtomicUsize,
    pub down_ok: AtomicBool,
}

pub struct Receiver {
    pub base: String,
    pub state: Arc<Behaviour>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let state = Arc::new(Behaviour::default());
        let app = axum::Router::new()
            .route("/{name}", axum::routing::any(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { base, state }
    }

    pub fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    pub fn at(&self, name: &str) -> Vec<Delivery> {
        let want = format!("/{name}");
        self.state
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.path == want)
            .cloned()
            .collect()
    }

    /// Waits until `/name` got at least `n` requests (panics after `secs`).
    pub async fn wait_for(&self, name: &str, n: usize, secs: u64) -> Vec<Delivery> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.at(name);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "/{name} got {} deliveries, expected {n}: {:?}",
                got.len(),
                got.iter().map(Delivery::json).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn receive(
    State(b): State<Arc<Behaviour>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    b.log.lock().unwrap().push(Delivery {
        path: format!("/{name}"),
        method,
        headers,
        body,
        at: Instant::now(),
    });
    let fail = match name.as_str() {
        "flaky" => {
            let n = b.flaky_calls.fetch_add(1, Ordering::SeqCst);
            n < b.flaky_fail_first.load(Ordering::SeqCst)
        }
        "down" => !b.down_ok.load(Ordering::SeqCst),
        _ => false,
    };
    if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// The documented check, computed here: hex HMAC-SHA256 of the raw body.
pub fn expected_signature(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

pub fn assert_signed(d: &Delivery, secret: &str) {
    assert_eq!(d.method, Method::POST);
    assert_eq!(
        d.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(
        d.signature(),
        expected_signature(&d.body, secret),
        "X-Signature of {}",
        String::from_utf8_lossy(&d.body)
    );
    assert_ne!(
        d.signature(),
        expected_signature(&d.body, "whsec_some_other_secret"),
        "the signature depends on the secret"
    );
}

pub async fn create_hook(h: &Harness, url: &str, events: &[&str], secret: &str) -> Value {
    let (code, w) = h
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(json!({"url": url, "events": events, "signingSecret": secret})),
        )
        .await;
    assert_eq!(code, 201, "{w}");
    assert!(!w.to_string().contains(secret), "secret never shown: {w}");
    w
}

pub async fn events_where(h: &Harness, query: &str) -> Vec<Value> {
    let (code, list) = h
        .call("GET", &format!("/api/v1/webhooks/events{query}"), None)
        .await;
    assert_eq!(code, 200, "{list}");
    list.as_array().expect("a JSON array").clone()
}

/// Polls the events list until `pred` holds on it.
pub async fn wait_events(
    h: &Harness,
    query: &str,
    secs: u64,
    pred: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let list = events_where(h, query).await;
        if pred(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "events never matched: {list:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn sandbox_job(h: &Harness) -> String {
    let r = h
        .client
        .post(h.url("/api/v3/job"))
        .header("X-AUTH-TOKEN", &h.token)
        .header("X-Sandbox", "true")
        .json(&json!({"url": steam_url(440)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let b: Value = r.json().await.unwrap();
    b["guid"].as_str().unwrap().to_string()
}
