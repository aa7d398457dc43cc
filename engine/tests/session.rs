//! Sessions and proxy pools against local servers: the user's cookies merged
//! with an adapter's, rotation over real forward proxies with credentials, a
//! proxy that dies mid-run, captcha pages, login walls, repeated 429s, and no
//! secret in any error.

use std::time::Duration;

use engine::session::{ProxyPool, Rotation};
use engine::{HttpClient, RetryPolicy};
use fixtures::{FixtureServer, ForwardProxy, ServerConfig};

const PROXY_PASSWORD: &str = "pr0xy-Pa55word";
const USER_COOKIE: &str = "auth_token=UserAuthSecret0001; ct0=UserCsrfSecret0002";

fn server(routes: &str) -> (FixtureServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("routes.json"), routes).unwrap();
    let s = FixtureServer::start_blocking(ServerConfig::new().routes_from_dir("test", dir.path()))
        .unwrap();
    (s, dir)
}

fn proxy() -> ForwardProxy {
    ForwardProxy::start(Some(("user", PROXY_PASSWORD)), None).unwrap()
}

fn client(base: &str, pool: Option<ProxyPool>) -> HttpClient {
    HttpClient::builder("test")
        .base_url(Some(base.parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        })
        .timeout(Duration::from_secs(10))
        .cookies(USER_COOKIE)
        .proxy_pool(pool)
        .build()
        .unwrap()
}

fn pool(proxies: &[&ForwardProxy], rotation: Rotation) -> ProxyPool {
    ProxyPool::new("test", proxies.iter().map(|p| p.url()))
        .unwrap()
        .rotation(rotation)
}

fn cookie_of(s: &FixtureServer, i: usize) -> String {
    s.requests()[i]
        .header("cookie")
        .unwrap_or_default()
        .to_string()
}

fn assert_no_secret(text: &str) {
    for secret in [PROXY_PASSWORD, "UserAuthSecret0001", "UserCsrfSecret0002"] {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn an_adapter_cookie_is_added_to_the_users_not_in_place_of_them() {
    let (s, _d) = server(r#"{"routes":[{"path":"/a","body_text":"{}"}]}"#);
    let c = client(&s.base_url(), None);
    c.get_with_headers(
        "https://real.example/a",
        &[("cookie", "buvid3=adapter; ct0=fresh")],
    )
    .await
    .unwrap();
    c.get("https://real.example/a").await.unwrap();
    assert_eq!(
        cookie_of(&s, 0),
        "auth_token=UserAuthSecret0001; ct0=fresh; buvid3=adapter"
    );
    assert_eq!(cookie_of(&s, 1), USER_COOKIE);
    assert_eq!(c.cookie("ct0"), Some("UserCsrfSecret0002"));
}

#[tokio::test]
async fn per_request_rotation_uses_every_proxy_with_its_credentials() {
    let (s, _d) = server(r#"{"routes":[{"path":"/r","body_text":"{\"ok\":1}"}]}"#);
    let (a, b) = (proxy(), proxy());
    let c = client(&s.base_url(), Some(pool(&[&a, &b], Rotation::PerRequest)));
    for _ in 0..6 {
        c.get("https://real.example/r").await.unwrap();
    }
    assert_eq!(
        (a.served(), b.served(), a.refused(), b.refused()),
        (3, 3, 0, 0)
    );
    assert_eq!(s.hits("/r"), 6);
    // Cookies go through the proxy; the proxy's credentials do not reach the origin.
    for r in s.requests() {
        assert_eq!(r.header("cookie"), Some(USER_COOKIE));
        assert!(r.header("proxy-authorization").is_none());
    }
}

#[tokio::test]
async fn a_proxy_that_dies_mid_run_is_retired_and_the_job_goes_on() {
    let (s, _d) = server(r#"{"routes":[{"path":"/d","body_text":"{}"}]}"#);
    let dying = ForwardProxy::start(Some(("user", PROXY_PASSWORD)), Some(3)).unwrap();
    let alive = proxy();
    let c = client(
        &s.base_url(),
        Some(pool(&[&dying, &alive], Rotation::PerSession)),
    );
    for i in 0..10 {
        c.get(&format!("https://real.example/d?i={i}"))
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
    }
    assert_eq!(s.hits("/d"), 10, "every request answered once");
    assert_eq!(dying.served(), 3);
    assert_eq!(alive.served(), 7);
    let sessions = c.sessions().unwrap();
    assert_eq!(sessions.live(), 1);
    let why = sessions.sessions()[0].retired().unwrap().to_string();
    assert_no_secret(&why);
    assert_no_secret(&format!("{c:?} {sessions:?} {:?}", sessions.sessions()));
}

#[tokio::test]
async fn when_every_proxy_is_dead_the_error_says_so_without_secrets() {
    let (s, _d) = server(r#"{"routes":[{"path":"/x","body_text":"{}"}]}"#);
    let (mut a, mut b) = (proxy(), proxy());
    let c = client(&s.base_url(), Some(pool(&[&a, &b], Rotation::PerRequest)));
    a.kill();
    b.kill();
    let e = c.get("https://real.example/x").await.unwrap_err();
    assert_eq!(e.kind(), "network", "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("every session of proxy pool \"test\""),
        "{msg}"
    );
    assert_no_secret(&msg);
    assert_eq!(s.hits("/x"), 0);
}

#[tokio::test]
async fn a_captcha_page_retires_the_session_and_the_request_is_sent_again() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/c","status":200,"headers":{"content-type":"text/html"},
         "body_text":"<html><script src=\"https://www.google.com/recaptcha/api.js\"></script><div class=\"g-recaptcha\"></div></html>","times":1},
        {"path":"/c","body_text":"{\"ok\":true}"}]}"#,
    );
    let (a, b) = (proxy(), proxy());
    let c = client(&s.base_url(), Some(pool(&[&a, &b], Rotation::PerSession)));
    let r = c.get("https://real.example/c").await.unwrap();
    assert_eq!(r.text(), "{\"ok\":true}");
    assert_eq!((a.served(), b.served()), (1, 1));
    let pool = c.sessions().unwrap();
    assert_eq!(pool.live(), 1);
    assert_eq!(
        pool.sessions()[0].retired().unwrap().to_string(),
        "blocked (captcha page)"
    );
    // Later requests stay on the working session.
    c.get("https://real.example/c").await.unwrap();
    assert_eq!((a.served(), b.served()), (1, 2));
}

#[tokio::test]
async fn login_walls_everywhere_end_in_a_forbidden_error() {
    let (s, _d) = server(
        r#"{"routes":[{"path":"/p/abc/","status":302,"headers":{"location":"https://www.instagram.com/accounts/login/?next=%2Fp%2Fabc%2F"}}]}"#,
    );
    let (a, b) = (proxy(), proxy());
    let c = client(&s.base_url(), Some(pool(&[&a, &b], Rotation::PerRequest)));
    let e = c.get("https://real.example/p/abc/").await.unwrap_err();
    assert_eq!(e.kind(), "forbidden", "{e}");
    assert!(e.to_string().contains("login wall"), "{e}");
    assert_eq!(s.hits("/p/abc/"), 2, "one try per session");
    // The pool stays exhausted: the next request fails at once.
    assert!(c.get("https://real.example/p/abc/").await.is_err());
    assert_eq!(s.hits("/p/abc/"), 2);
}

#[tokio::test]
async fn repeated_429s_retire_a_session_a_single_one_does_not() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/l","status":429,"headers":{"retry-after":"0"},"times":4},
        {"path":"/l","body_text":"{}"}]}"#,
    );
    let (a, b) = (proxy(), proxy());
    let c = client(&s.base_url(), Some(pool(&[&a, &b], Rotation::PerSession)));
    c.get("https://real.example/l").await.unwrap();
    let pool = c.sessions().unwrap();
    // Session 1: three 429s → retired; session 2: one 429, then the answer.
    assert_eq!((a.served(), b.served()), (3, 2));
    assert_eq!(
        pool.sessions()[0]
            .retired()
            .map(|r| r.to_string())
            .as_deref(),
        Some("rate limited repeatedly")
    );
    assert!(pool.sessions()[1].retired().is_none());
}

#[tokio::test]
async fn a_wrong_proxy_password_is_a_retired_session_not_a_leak() {
    let (s, _d) = server(r#"{"routes":[{"path":"/w","body_text":"{}"}]}"#);
    let good = proxy();
    let bad_url = good.url().replace(PROXY_PASSWORD, "WrongPassw0rd!");
    let pool = ProxyPool::new("test", [bad_url, good.url()]).unwrap();
    let c = client(&s.base_url(), Some(pool));
    c.get("https://real.example/w").await.unwrap();
    assert_eq!((good.refused(), good.served()), (1, 1));
    let why = c.sessions().unwrap().sessions()[0]
        .retired()
        .unwrap()
        .to_string();
    assert!(why.contains("proxy refused"), "{why}");
    assert_no_secret(&why);
    assert!(!why.contains("WrongPassw0rd"));
}

#[tokio::test]
async fn sessions_keep_the_cookies_the_platform_sets_but_never_overwrite_the_users() {
    let (s, _d) = server(
        r#"{"routes":[
        {"path":"/first","headers":{"set-cookie":"guest_id=g-123; Path=/"},"body_text":"{}","times":1},
        {"path":"/first","body_text":"{}"}]}"#,
    );
    let a = proxy();
    let c = client(&s.base_url(), Some(pool(&[&a], Rotation::PerSession)));
    c.get("https://real.example/first").await.unwrap();
    c.get("https://real.example/first").await.unwrap();
    assert_eq!(cookie_of(&s, 1), format!("{USER_COOKIE}; guest_id=g-123"));
}
