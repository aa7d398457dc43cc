//! Shared setup: a fixture Steam server, a service on 127.0.0.1:0, tokens.

#![allow(dead_code)]

use std::time::Duration;

use fixtures::{FixtureServer, ServerConfig, SteamSynth, SynthApp};
use serde_json::Value;

pub struct Harness {
    pub fixture: FixtureServer,
    pub server: Option<service::Server>,
    pub base: String,
    pub token: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub fn steam(apps: Vec<SynthApp>, page_delay_ms: u64) -> FixtureServer {
    FixtureServer::start_blocking(ServerConfig::new().steam_synth(SteamSynth {
        apps,
        page_delay: Duration::from_millis(page_delay_ms),
    }))
    .expect("fixture server starts")
}

pub fn config(dir: &std::path::Path, fixture: &FixtureServer) -> service::ServiceConfig {
    let mut c = service::ServiceConfig::new(dir).workers(2);
    c.poll_interval = Duration::from_millis(20);
    c.progress_interval = Duration::from_millis(50);
    c.lease = Duration::from_secs(2);
    c.webhook_backoff = Duration::from_millis(20);
    c.http.set_base_url("steam", &fixture.base_url()).unwrap();
    c.http.retry = Some(engine::RetryPolicy {
        max_retries: 1,
        ..Default::default()
    });
    c
}

pub fn token_for(dir: &std::path::Path, user: &str) -> String {
    let store = service::store::Store::open(&dir.join("service.db")).unwrap();
    let u = store.user_named(user).unwrap();
    let t = service::auth::new_token();
    store
        .insert_token(&u, None, &service::auth::hash_token(&t), 365)
        .unwrap();
    t
}

impl Harness {
    pub async fn start(
        apps: Vec<SynthApp>,
        page_delay_ms: u64,
        tweak: impl FnOnce(&mut service::ServiceConfig),
    ) -> Harness {
        let fixture = steam(apps, page_delay_ms);
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path(), &fixture);
        tweak(&mut c);
        let token = token_for(dir.path(), "alice");
        let server = service::Server::start(c, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", server.addr());
        Harness {
            fixture,
            server: Some(server),
            base,
            token,
            client: reqwest::Client::new(),
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.token.clone(), method, path, body).await
    }

    pub async fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut r = self
            .client
            .request(m, self.url(path))
            .header("X-AUTH-TOKEN", token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Polls a job until `pred` holds (or panics after `secs`).
    pub async fn wait_job(&self, guid: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let (code, job) = self.call("GET", &format!("/api/v3/job/{guid}"), None).await;
            assert_eq!(code, 200, "{job}");
            if pred(&job) {
                return job;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "job never reached the state: {job}"
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn create(&self, url: &str, options: Value) -> String {
        let (code, body) = self
            .call(
                "POST",
                "/api/v3/job",
                Some(serde_json::json!({"url": url, "options": options})),
            )
            .await;
        assert_eq!(code, 201, "{body}");
        body["guid"].as_str().unwrap().to_string()
    }

    pub async fn download(&self, link: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .get(link)
            .header("X-AUTH-TOKEN", &self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }
}

pub fn steam_url(appid: u64) -> String {
    format!("https://store.steampowered.com/app/{appid}/Game/")
}

impl Harness {
    /// Like [`Harness::start`], with the token made by `make_token(data_dir)`
    /// (for stores that are not the default SQLite file).
    pub async fn start_with_token(
        apps: Vec<SynthApp>,
        page_delay_ms: u64,
        tweak: impl FnOnce(&mut service::ServiceConfig),
        make_token: impl FnOnce(&std::path::Path) -> String + Send + 'static,
    ) -> Harness {
        let fixture = steam(apps, page_delay_ms);
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path(), &fixture);
        tweak(&mut c);
        let p = dir.path().to_path_buf();
        let token = tokio::task::spawn_blocking(move || make_token(&p))
            .await
            .unwrap();
        let server = service::Server::start(c, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", server.addr());
        Harness {
            fixture,
            server: Some(server),
            base,
            token,
            client: reqwest::Client::new(),
            dir,
        }
    }
}

/// A fresh database on the PostgreSQL test server (`TEST_DATABASE_URL`), as
/// a URL; `None` (the test says it is skipped) when unset, unless
/// `REQUIRE_POSTGRES_TESTS=1`.
pub async fn fresh_database() -> Option<String> {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES_TESTS").as_deref() != Ok("1"),
            "REQUIRE_POSTGRES_TESTS=1 but TEST_DATABASE_URL is not set"
        );
        eprintln!("skipped: set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1/db to run the PostgreSQL tests");
        return None;
    };
    let name = format!("svc_{}", uuid::Uuid::new_v4().simple());
    let n = name.clone();
    let admin = base.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .expect("TEST_DATABASE_URL reachable");
        c.batch_execute(&format!("CREATE DATABASE {n}"))
            .expect("CREATE DATABASE allowed");
    })
    .await
    .unwrap();
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// A token for `user` in the PostgreSQL store at `db` (blocking).
pub fn token_in(db: &str, user: &str) -> String {
    let store = service::store::Store::connect_postgres(db).unwrap();
    let u = store.user_named(user).unwrap();
    let t = service::auth::new_token();
    store
        .insert_token(&u, None, &service::auth::hash_token(&t), 365)
        .unwrap();
    t
}
