//! The job service on PostgreSQL: the same API, and several servers sharing
//! one queue (`FOR UPDATE SKIP LOCKED` leases) without double-processing.
//!
//! Needs `TEST_DATABASE_URL` (a role allowed to create databases); `.ci/run`
//! starts Debian's PostgreSQL and sets it. Without it these tests say so and
//! pass, unless `REQUIRE_POSTGRES_TESTS=1` (set in CI), where they fail.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use fixtures::SynthApp;
use serde_json::{json, Value};
use support::steam_url;

/// A fresh database on the test server, as a URL.
async fn fresh_database() -> Option<String> {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES_TESTS").as_deref() != Ok("1"),
            "REQUIRE_POSTGRES_TESTS=1 but TEST_DATABASE_URL is not set"
        );
        eprintln!("skipped: set TEST_DATABASE_URL=postgres://user:pass@127.0.0.1/db to run the PostgreSQL tests");
        return None;
    };
    let name = format!("svc_{}", uuid::Uuid::new_v4().simple());
    let admin = base.clone();
    let n = name.clone();
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

fn token_in(db: &str, user: &str) -> String {
    let store = service::store::Store::connect_postgres(db).unwrap();
    let u = store.user_named(user).unwrap();
    let t = service::auth::new_token();
    store
        .insert_token(&u, None, &service::auth::hash_token(&t), 365)
        .unwrap();
    t
}

async fn get(client: &reqwest::Client, token: &str, url: &str) -> Value {
    client
        .get(url)
        .header("X-AUTH-TOKEN", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_on_postgres() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let h = support::Harness::start_with_token(
        vec![SynthApp::new(440, 120)],
        0,
        |c| c.database = Some(db.clone()),
        {
            let db = db.clone();
            move |_| token_in(&db, "alice")
        },
    )
    .await;
    let guid = h.create(&steam_url(440), json!({"limit": 100})).await;
    let job = h.wait_job(&guid, 30, |j| j["status"] == "done").await;
    assert_eq!(job["totalExported"], 100);
    let (_, bytes) = h.download(job["json_url"].as_str().unwrap()).await;
    let recs: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(recs.len(), 100);
    let (c, health) = h.call("GET", "/api/v1/health", None).await;
    assert_eq!(
        (c, health["store"]["kind"].as_str()),
        (200, Some("postgres"))
    );
    let (c, list) = h.call("GET", "/api/v3/jobs", None).await;
    assert_eq!((c, list.as_array().map(Vec::len)), (200, Some(1)));
    let (c, _) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/retry"), None)
        .await;
    assert_eq!(c, 400);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_share_one_queue_and_survive_losing_one() {
    let Some(db) = fresh_database().await else {
        return;
    };
    // 12 apps of 600 reviews (6 pages each, 60 ms a page).
    let apps: Vec<SynthApp> = (1..=12).map(|i| SynthApp::new(1000 + i, 600)).collect();
    let fixture = support::steam(apps, 60);
    let dir = tempfile::tempdir().unwrap();
    let mk = |workers: usize| {
        let mut c = support::config(dir.path(), &fixture);
        c.database = Some(db.clone());
        c.workers = workers;
        c.limits.concurrent_exports = 100;
        c
    };
    let token = tokio::task::spawn_blocking({
        let db = db.clone();
        move || token_in(&db, "alice")
    })
    .await
    .unwrap();
    let a = service::Server::start(mk(3), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let b = service::Server::start(mk(3), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", a.addr());
    let client = reqwest::Client::new();
    let urls: Vec<String> = (1..=12).map(|i| steam_url(1000 + i)).collect();
    let created: Value = client
        .post(format!("{base}/api/v3/job"))
        .header("X-AUTH-TOKEN", &token)
        .json(&json!({"urls": urls}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let guids: Vec<String> = created["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["guid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(guids.len(), 12);
    // Once both servers are busy, server B goes away mid-job (leases left behind).
    tokio::time::sleep(Duration::from_millis(250)).await;
    b.shutdown().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut jobs = Vec::new();
    for g in &guids {
        loop {
            let j = get(&client, &token, &format!("{base}/api/v3/job/{g}")).await;
            if j["status"] == "done" {
                jobs.push(j);
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "job never finished: {j}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for (i, j) in jobs.iter().enumerate() {
        assert_eq!(j["totalExported"], 600, "{j}");
        let bytes = client
            .get(j["json_url"].as_str().unwrap())
            .header("X-AUTH-TOKEN", &token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let recs: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
        let ids: HashSet<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            (recs.len(), ids.len()),
            (600, 600),
            "job {i}: every review once"
        );
    }
    // No job was run twice from the start: 6 pages each, plus at most one
    // page refetched per job whose worker went away mid-page.
    for i in 1..=12u64 {
        let hits = fixture.hits(&format!("/appreviews/{}", 1000 + i));
        assert!(
            (6..=8).contains(&hits),
            "app {}: {hits} page requests",
            1000 + i
        );
    }
    a.shutdown().await;
}
