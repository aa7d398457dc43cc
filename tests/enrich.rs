//! The enrich stage through `runner batch`: `--lang` keeps only records in the
//! languages asked for (detected offline when the platform gives none),
//! `--sentiment` adds language and sentiment to every record, and
//! `--sentiment-provider openai` classifies through a local server speaking
//! OpenAI Chat Completions (429 honoured, the key never written anywhere).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use common::*;
use fixtures::{FixtureServer, GooglePlaySynth, GpApp, ServerConfig};
use serde_json::{json, Value};

const PACKAGE: &str = "com.synth.lang";
const REVIEWS: usize = 90;
const KEY: &str = "sk-e2e-7f3a9c1d2b4e6f8a0c2e4a6b";

fn google_play() -> (FixtureServer, GpApp) {
    let app = GpApp::new(PACKAGE, REVIEWS).reply_every(5);
    let server = FixtureServer::start_blocking(
        ServerConfig::new().synthetic(GooglePlaySynth::new(vec![app.clone()])),
    )
    .unwrap();
    (server, app)
}

fn batch(dir: &Path, server: &FixtureServer, extra: &[&str]) -> (Vec<Value>, std::process::Output) {
    let list = dir.join("urls.txt");
    std::fs::write(
        &list,
        format!("https://play.google.com/store/apps/details?id={PACKAGE}\n"),
    )
    .unwrap();
    let out = dir.join("out");
    let mut args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("googleplay={}", server.base_url()),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = runner()
        .args(&args)
        .env("OPENAI_API_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (
        read_ndjson(&out.join(format!("googleplay_{PACKAGE}.ndjson"))),
        o,
    )
}

/// Every text of the app (reviews with text, developer replies), by record id.
fn ground_truth(app: &GpApp) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for i in 0..REVIEWS {
        let r = app.review(i);
        m.insert(r.id.clone(), r.text.unwrap_or_default());
        if let Some(reply) = r.reply {
            m.insert(format!("{}-dev", r.id), reply.text);
        }
    }
    m
}

#[test]
fn lang_keeps_only_the_languages_asked_for() {
    let (server, app) = google_play();
    let truth = ground_truth(&app);
    let detector = engine::LanguageDetector::default();
    let wanted = |t: &str| matches!(detector.detect(t), Some(("fr", _)) | None);
    let expected: Vec<&String> = truth
        .iter()
        .filter(|(_, t)| wanted(t))
        .map(|(id, _)| id)
        .collect();
    let french = truth
        .values()
        .filter(|t| matches!(detector.detect(t), Some(("fr", _))))
        .count();
    let langs: Vec<_> = truth
        .values()
        .map(|t| (t.clone(), detector.detect(t)))
        .collect();
    assert!(
        french > 0 && expected.len() < truth.len(),
        "the fixture mixes languages: {langs:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let (records, _) = batch(dir.path(), &server, &["--lang", "FR,und", "--quiet"]);
    let mut got: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(records
        .iter()
        .all(|r| r["language"] == "fr" || r["language"].is_null()));
    assert_eq!(
        records.iter().filter(|r| r["language"] == "fr").count(),
        french
    );
    let s = summary(&dir.path().join("out"));
    let job = &s["jobs"][0];
    assert_eq!(
        job["counts"]["filtered"].as_u64(),
        Some((truth.len() - want.len()) as u64),
        "{job}"
    );

    let bad = runner()
        .args([
            "batch",
            "/nonexistent/urls.txt",
            "--lang",
            "english!",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "bad --lang is a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an ISO 639 language code"));
}

#[test]
fn sentiment_adds_language_and_sentiment_to_every_record() {
    let (server, app) = google_play();
    let truth = ground_truth(&app);
    let dir = tempfile::tempdir().unwrap();
    let (records, _) = batch(dir.path(), &server, &["--sentiment", "--quiet"]);
    assert_eq!(records.len(), truth.len());
    let detector = engine::LanguageDetector::default();
    for r in &records {
        let text = r["text"].as_str().unwrap();
        assert_eq!(
            r["language"].as_str(),
            detector.detect(text).map(|(c, _)| c),
            "{text:?}"
        );
        let s = &r["sentiment"];
        // Null where the text has no signal the method can read.
        if !s.is_null() {
            if r["language"].is_null() || r["language"] == "en" {
                assert_eq!(s["method"], "lexicon-en", "{r}");
            }
            assert!(["positive", "negative", "neutral"].contains(&s["label"].as_str().unwrap()));
        }
    }
    assert!(
        records.iter().any(|r| r["language"] == "de"),
        "--sentiment turned on language detection"
    );
    let great = records
        .iter()
        .find(|r| r["text"].as_str().unwrap().starts_with("Great app"))
        .expect("a 'Great app' review");
    assert_eq!(great["sentiment"]["label"], "positive");
}

/// What the local OpenAI server saw.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    limited: AtomicUsize,
    bad_auth: AtomicUsize,
    comments: AtomicUsize,
}

async fn chat_completions(
    State(seen): State<Arc<Seen>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let n = seen.requests.fetch_add(1, Ordering::SeqCst);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {KEY}"))
    {
        seen.bad_auth.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"error":{"message":"Incorrect API key"}}"#,
        )
            .into_response();
    }
    if n == 0 {
        seen.limited.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#,
        )
            .into_response();
    }
    let req: Value = serde_json::from_str(&body).unwrap_or_default();
    let user: Value = req["messages"][1]["content"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let comments = user["comments"].as_array().cloned().unwrap_or_default();
    seen.comments.fetch_add(comments.len(), Ordering::SeqCst);
    let results: Vec<Value> = comments
        .iter()
        .map(|c| {
            let t = c["text"].as_str().unwrap_or("");
            let (label, score) = if t.contains("Great") {
                ("positive", 0.9)
            } else if t.contains("Crashes") {
                ("negative", -0.8)
            } else {
                ("neutral", 0.0)
            };
            json!({"i": c["i"], "label": label, "score": score})
        })
        .collect();
    let content = json!({ "results": results }).to_string();
    axum::Json(json!({
        "id": "chatcmpl-e2e",
        "object": "chat.completion",
        "model": req["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "finish_reason": "stop"}],
    }))
    .into_response()
}

/// Serves OpenAI Chat Completions on 127.0.0.1 from a background thread.
fn openai_server() -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .with_state(seen.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    (format!("http://{}", rx.recv().unwrap()), seen)
}

#[test]
fn provider_classifies_through_the_runner_and_keeps_the_key_secret() {
    let (server, app) = google_play();
    let truth = ground_truth(&app);
    let (base, seen) = openai_server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("runner.toml");
    std::fs::write(
        &config,
        format!("[sentiment]\nprovider = \"openai\"\nmodel = \"gpt-e2e\"\nbase_url = \"{base}\"\nbatch_size = 20\n"),
    )
    .unwrap();
    let (records, o) = batch(
        dir.path(),
        &server,
        &[
            "--config",
            &config.display().to_string(),
            "--max-provider-comments",
            "60",
        ],
    );
    assert_eq!(records.len(), truth.len());
    assert_eq!(seen.bad_auth.load(Ordering::SeqCst), 0);
    assert_eq!(
        seen.limited.load(Ordering::SeqCst),
        1,
        "one 429, then retried"
    );
    assert_eq!(
        seen.comments.load(Ordering::SeqCst),
        60,
        "the budget caps what is sent"
    );
    let by_provider: Vec<&Value> = records
        .iter()
        .filter(|r| r["sentiment"]["method"] == "openai:gpt-e2e")
        .collect();
    assert_eq!(by_provider.len(), 60);
    for r in &by_provider {
        let t = r["text"].as_str().unwrap();
        let want = if t.contains("Great") {
            "positive"
        } else if t.contains("Crashes") {
            "negative"
        } else {
            "neutral"
        };
        assert_eq!(r["sentiment"]["label"], want, "{t:?}");
    }
    // The rest fell back to the offline analyzer, every record has a language decision.
    assert!(records
        .iter()
        .filter(|r| r["sentiment"]["method"] != "openai:gpt-e2e")
        .all(|r| r["sentiment"].is_null()
            || r["sentiment"]["method"]
                .as_str()
                .unwrap()
                .starts_with("lexicon")));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("60 of 60 comments sent classified by openai:gpt-e2e"));

    // The key is nowhere: not in stdout/stderr, not in any file of the run.
    for stream in [&o.stdout, &o.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(KEY));
    }
    let mut stack = vec![dir.path().join("out")];
    let mut files = 0;
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
                    "key in {}",
                    path.display()
                );
            }
        }
    }
    assert!(files >= 3, "ndjson, summary and journal at least");
}
