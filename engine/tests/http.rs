//! The HTTP client against a local server: retries, Retry-After, status
//! mapping, base-URL prefix, and secrets kept out of errors.

use std::time::Duration;

use engine::{Error, HttpClient, RetryPolicy};
use fixtures::{FixtureServer, ServerConfig};

fn server(routes: &str) -> (FixtureServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("routes.json"), routes).unwrap();
    let s = FixtureServer::start_blocking(ServerConfig::new().routes_from_dir("test", dir.path()))
        .unwrap();
    (s, dir)
}

fn client(base: &str) -> HttpClient {
    HttpClient::builder("test")
        .base_url(Some(base.parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        })
        .header("cookie", "session=SuperSecretCookie", true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn transient_errors_are_retried_then_succeed() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/flaky","status":503,"body_text":"busy","times":2},
        {"path":"/flaky","status":429,"headers":{"retry-after":"0"},"body_text":"slow down","times":1},
        {"path":"/flaky","body_text":"{\"ok\":true}"}]}"#,
    );
    let r = client(&s.base_url())
        .get("https://real.example/flaky")
        .await
        .unwrap();
    assert_eq!(r.text(), "{\"ok\":true}");
    assert_eq!(s.hits("/flaky"), 4);
}

#[tokio::test]
async fn a_long_retry_after_fails_at_once_with_the_wait() {
    let (s, _d) =
        server(r#"{"routes":[{"path":"/limited","status":429,"headers":{"retry-after":"3600"}}]}"#);
    let t = std::time::Instant::now();
    let e = client(&s.base_url())
        .get("https://real.example/limited")
        .await
        .unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2));
    match e {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("expected rate limited, got {other}"),
    }
    assert_eq!(s.hits("/limited"), 1);
}

#[tokio::test]
async fn statuses_map_to_typed_errors_without_secrets() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/gone","status":404,"body_text":"no such video"},
        {"path":"/private","status":403,"body_text":"login required"},
        {"path":"/teapot","status":418,"body_text":"short and stout"}]}"#,
    );
    let c = client(&s.base_url());
    let nf = c
        .get("https://real.example/gone?key=ApiKeySecret")
        .await
        .unwrap_err();
    assert_eq!(nf.kind(), "not_found");
    assert!(nf.to_string().contains("no such video"));
    assert!(!nf.to_string().contains("ApiKeySecret"), "{nf}");
    assert_eq!(
        c.get("https://real.example/private")
            .await
            .unwrap_err()
            .kind(),
        "forbidden"
    );
    let t = c.get("https://real.example/teapot").await.unwrap_err();
    assert_eq!(t.kind(), "http_status");
    assert!(!t.to_string().contains("SuperSecretCookie"));
    assert_eq!(s.hits("/teapot"), 1, "4xx is not retried");
}

#[tokio::test]
async fn base_url_prefix_is_kept() {
    let (s, _d) = server(r#"{"routes":[{"path":"/mirror/steam/appreviews/1","body_text":"{}"}]}"#);
    let c = client(&format!("{}/mirror/steam/", s.base_url()));
    c.get("https://store.steampowered.com/appreviews/1?json=1")
        .await
        .unwrap();
    let req = &s.requests()[0];
    assert_eq!(req.path, "/mirror/steam/appreviews/1");
    assert_eq!(req.query, "json=1");
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let c = client("http://127.0.0.1:9");
    let e = c.get("https://real.example/x").await.unwrap_err();
    assert_eq!(e.kind(), "network");
}

#[tokio::test]
async fn redirects_to_the_real_host_stay_on_the_override() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/short/abc","status":301,"headers":{"location":"https://www.platform.example/long/path?x=1"}},
        {"path":"/long/path","query":{"x":"1"},"body_text":"landed"}]}"#,
    );
    let c = client(&s.base_url());
    let r = c.get("https://short.example/short/abc").await.unwrap();
    assert_eq!(r.text(), "landed");
    assert_eq!(
        c.final_url("https://short.example/short/abc")
            .await
            .unwrap(),
        "https://www.platform.example/long/path?x=1"
    );
}

#[tokio::test]
async fn post_json_sends_the_body() {
    let (s, _d) =
        server(r#"{"routes":[{"method":"POST","path":"/api","body_text":"{\"ok\":1}"}]}"#);
    let c = client(&s.base_url());
    let r = c
        .post_json(
            "https://real.example/api",
            &serde_json::json!({"a": 1}),
            &[("x-test", "1")],
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(s.requests()[0].header("x-test"), Some("1"));
}
