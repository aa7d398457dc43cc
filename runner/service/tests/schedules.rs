//! Scheduled exports (`/api/v1/schedules`): the documented object and
//! actions, runs on time (a cron with seconds makes slots come fast), only
//! new items on later runs, one run for slots missed while down, and no slot
//! run twice by two servers sharing a store.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use fixtures::SynthApp;
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

async fn schedule(h: &Harness, uuid: &str) -> Value {
    let (c, s) = h
        .call("GET", &format!("/api/v1/schedules/{uuid}"), None)
        .await;
    assert_eq!(c, 200, "{s}");
    s
}

/// Waits until the schedule's history satisfies `pred`.
async fn wait_history(
    h: &Harness,
    uuid: &str,
    secs: u64,
    pred: impl Fn(&[Value]) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = schedule(h, uuid).await;
        if pred(s["recent_history"].as_array().unwrap()) {
            return s;
        }
        assert!(Instant::now() < deadline, "history never got there: {s}");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

async fn records(h: &Harness, guid: &str) -> Vec<Value> {
    let job = h.wait_job(guid, 30, |j| j["status"] == "done").await;
    let (c, bytes) = h.download(job["json_url"].as_str().unwrap()).await;
    assert_eq!(c, 200);
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documented_object_and_actions() {
    let h = Harness::start(vec![SynthApp::new(440, 10)], 0, |_| {}).await;
    let (c, s) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(json!({
                "url": steam_url(440),
                "name": "Daily Steam Export",
                "frequency": "daily",
                "preferredTime": "09:00",
                "timezone": "America/New_York",
                "exportOptions": {"limit": 1000, "replies": true},
                "deliveryMethod": "storage"
            })),
        )
        .await;
    assert_eq!(c, 201, "{s}");
    let uuid = s["uuid"].as_str().unwrap().to_string();
    assert_eq!(s["platform"], "steampowered.com");
    assert_eq!(s["name"], "Daily Steam Export");
    assert_eq!(s["frequency"], "daily");
    assert_eq!(s["customCron"], Value::Null);
    assert_eq!(s["preferredTime"], "09:00:00");
    assert_eq!(s["timezone"], "America/New_York");
    assert_eq!(s["exportOptions"], json!({"limit": 1000, "replies": true}));
    assert_eq!(
        (s["enabled"].as_bool(), s["status"].as_str()),
        (Some(true), Some("active"))
    );
    assert_eq!(s["deliveryMethod"], "storage");
    assert_eq!(s["sendNotification"], true);
    assert_eq!(s["lastRunAt"], Value::Null);
    assert_eq!(
        (s["runCount"].as_i64(), s["failCount"].as_i64()),
        (Some(0), Some(0))
    );
    // Next run: tomorrow (New York) at 09:00, with the zone's offset.
    let next = chrono::DateTime::parse_from_rfc3339(s["nextRunAt"].as_str().unwrap()).unwrap();
    assert_eq!(next.format("%H:%M:%S").to_string(), "09:00:00");
    assert!(
        matches!(next.offset().local_minus_utc(), -18000 | -14400),
        "{next}"
    );
    let ahead = next.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        ahead > chrono::Duration::hours(1) && ahead < chrono::Duration::hours(49),
        "{ahead}"
    );
    assert!(s["createdAt"].as_str().unwrap().ends_with("+00:00"));

    let got = schedule(&h, &uuid).await;
    assert_eq!(got["recent_history"], json!([]));
    let (c, list) = h
        .call("GET", "/api/v1/schedules?page=1&limit=10", None)
        .await;
    assert_eq!(c, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["uuid"], uuid);

    // Update: weekly at 10:00 moves the next run; other fields stay.
    let (c, u) = h
        .call(
            "PUT",
            &format!("/api/v1/schedules/{uuid}"),
            Some(json!({"frequency": "weekly", "preferredTime": "10:00"})),
        )
        .await;
    assert_eq!(c, 200, "{u}");
    assert_eq!(
        (u["frequency"].as_str(), u["preferredTime"].as_str()),
        (Some("weekly"), Some("10:00:00"))
    );
    assert_eq!(u["status"], "active");
    assert_eq!(u["name"], "Daily Steam Export");
    let next = chrono::DateTime::parse_from_rfc3339(u["nextRunAt"].as_str().unwrap()).unwrap();
    let ahead = next.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        ahead > chrono::Duration::days(6) && ahead < chrono::Duration::days(8),
        "{ahead}"
    );

    // Pause, resume.
    let (c, p) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/pause"), None)
        .await;
    assert_eq!(c, 200);
    assert_eq!(
        p,
        json!({"uuid": uuid, "status": "paused", "enabled": false})
    );
    assert_eq!(schedule(&h, &uuid).await["nextRunAt"], Value::Null);
    let (c, r) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/resume"), None)
        .await;
    assert_eq!(c, 200);
    assert_eq!(
        (r["status"].as_str(), r["enabled"].as_bool()),
        (Some("active"), Some(true))
    );
    assert!(r["nextRunAt"].is_string());

    // Run now: a job at once; the next slot stays.
    let (c, n) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/run-now"), None)
        .await;
    assert_eq!(c, 200, "{n}");
    assert_eq!(n["message"], "Export triggered successfully");
    assert_eq!(n["status"], "active");
    let guid = n["jobs"][0].as_str().unwrap().to_string();
    assert_eq!(records(&h, &guid).await.len(), 10);
    let s = wait_history(&h, &uuid, 20, |runs| {
        runs.first().is_some_and(|r| r["status"] == "completed")
    })
    .await;
    // The counters and the run list are read apart: let the counter catch up.
    let s = if s["runCount"] == 1 {
        s
    } else {
        schedule(&h, &uuid).await
    };
    assert_eq!(s["runCount"], 1);
    assert_eq!(s["nextRunAt"], r["nextRunAt"]);
    assert!(s["lastRunAt"].is_string());
    let run = &s["recent_history"][0];
    assert_eq!(run["commentsExported"], 10);
    assert_eq!(run["jobs"], json!([guid]));
    assert!(run["completedAt"].is_string());

    // Delete: 204, then 404.
    let (c, _) = h
        .call("DELETE", &format!("/api/v1/schedules/{uuid}"), None)
        .await;
    assert_eq!(c, 204);
    let (c, e) = h
        .call("GET", &format!("/api/v1/schedules/{uuid}"), None)
        .await;
    assert_eq!((c, e["error_code"].as_str()), (404, Some("NOT_FOUND")));
    // The job it ran stays.
    let (c, _) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
    assert_eq!(c, 200);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_unknown_ids_and_other_tokens() {
    let h = Harness::start(vec![SynthApp::new(440, 10)], 0, |_| {}).await;
    let ok = json!({"url": steam_url(440), "frequency": "daily"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    for (body, code) in [
        (json!({"frequency": "daily"}), 422),
        (json!({"url": steam_url(440)}), 422),
        (with("url", json!(5)), 422),
        (with("frequency", json!(5)), 422),
        (with("frequency", json!("yearly")), 422),
        (with("preferredTime", json!("25:00")), 422),
        (with("preferredTime", json!(900)), 422),
        (with("timezone", json!("Mars/Olympus")), 422),
        (with("customCron", json!("0 9 * * *")), 422),
        (with("frequency", json!("custom")), 422),
        (
            json!({"url": steam_url(440), "frequency": "custom", "customCron": "61 * * * *"}),
            422,
        ),
        (with("exportOptions", json!({"limit": "many"})), 422),
        (with("exportOptions", json!([1])), 422),
        (
            with(
                "exportOptions",
                json!({"pool": uuid::Uuid::new_v4().to_string()}),
            ),
            422,
        ),
        (with("deliveryMethod", json!("email")), 422),
        (with("deliveryMethod", json!("webhook")), 422),
        (
            with("webhook", json!(uuid::Uuid::new_v4().to_string())),
            422,
        ),
        (with("webhook", json!("not-a-uuid")), 422),
        (with("sendNotification", json!("yes")), 422),
        (with("name", json!(["x"])), 422),
        (with("extra", json!(1)), 422),
        (json!([1, 2]), 422),
        (with("url", json!("https://example.org/nothing")), 400),
    ] {
        let (c, e) = h
            .call("POST", "/api/v1/schedules", Some(body.clone()))
            .await;
        assert_eq!(c, code, "{body} → {e}");
        assert_eq!(e["status_code"], code, "{e}");
    }
    let (c, s) = h.call("POST", "/api/v1/schedules", Some(ok.clone())).await;
    assert_eq!(c, 201, "{s}");
    let uuid = s["uuid"].as_str().unwrap().to_string();
    let (c, _) = h
        .call(
            "PUT",
            &format!("/api/v1/schedules/{uuid}"),
            Some(json!({"timezone": 3})),
        )
        .await;
    assert_eq!(c, 422);
    let (c, _) = h
        .call(
            "PUT",
            &format!("/api/v1/schedules/{uuid}"),
            Some(json!({"customCron": "* * * * *"})),
        )
        .await;
    assert_eq!(c, 422, "a cron needs frequency custom");
    let (c, u) = h
        .call(
            "PUT",
            &format!("/api/v1/schedules/{uuid}"),
            Some(json!({"frequency": "custom", "customCron": "30 8 * * 1-5"})),
        )
        .await;
    assert_eq!(
        (c, u["customCron"].as_str()),
        (200, Some("30 8 * * 1-5")),
        "{u}"
    );
    let (c, e) = h.call("GET", "/api/v1/schedules?limit=31", None).await;
    assert_eq!(
        (c, e["error_code"].as_str()),
        (422, Some("VALIDATION_ERROR"))
    );

    // Unknown and malformed ids, and another token's schedule: 404 everywhere.
    let bob = token_for(h.dir.path(), "bob");
    let unknown = uuid::Uuid::new_v4().to_string();
    for (method, suffix) in [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/pause"),
        ("POST", "/resume"),
        ("POST", "/run-now"),
    ] {
        for id in [unknown.as_str(), "nope"] {
            let (c, _) = h
                .call(
                    method,
                    &format!("/api/v1/schedules/{id}{suffix}"),
                    Some(json!({})),
                )
                .await;
            assert_eq!(c, 404, "{method} {id}{suffix}");
        }
        let (c, _) = h
            .call_as(
                &bob,
                method,
                &format!("/api/v1/schedules/{uuid}{suffix}"),
                Some(json!({})),
            )
            .await;
        assert_eq!(c, 404, "bob {method} {suffix}");
    }
    let (c, list) = h.call_as(&bob, "GET", "/api/v1/schedules", None).await;
    assert_eq!((c, list), (200, json!([])));
    assert_eq!(
        schedule(&h, &uuid).await["enabled"],
        true,
        "bob changed nothing"
    );
    let (c, e) = h
        .call_as("ec_live_wrong", "GET", "/api/v1/schedules", None)
        .await;
    assert_eq!(
        (c, e["error_code"].as_str()),
        (401, Some("AUTH_HEADER_TOKEN"))
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn runs_on_time_and_later_runs_export_only_new_items() {
    let mut h = Harness::start(vec![SynthApp::new(730, 30)], 0, |_| {}).await;
    let (c, s) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(
                json!({"url": steam_url(730), "frequency": "custom", "customCron": "* * * * * *"}),
            ),
        )
        .await;
    assert_eq!(c, 201, "{s}");
    let uuid = s["uuid"].as_str().unwrap().to_string();
    // The slots come each second: the first run exports everything, the next ones nothing new.
    let s = wait_history(&h, &uuid, 30, |runs| {
        runs.len() >= 2 && runs.iter().all(|r| r["status"] == "completed")
    })
    .await;
    let (c, _) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/pause"), None)
        .await;
    assert_eq!(c, 200);
    let runs = s["recent_history"].as_array().unwrap();
    let oldest = runs.last().unwrap();
    assert_eq!(oldest["commentsExported"], 30, "{s}");
    assert!(
        runs[..runs.len() - 1]
            .iter()
            .all(|r| r["commentsExported"] == 0),
        "{s}"
    );
    let first: Vec<Value> = records(&h, oldest["jobs"][0].as_str().unwrap()).await;
    assert_eq!(first.len(), 30);
    // Slots are seconds apart, one run each.
    let starts: Vec<chrono::DateTime<chrono::FixedOffset>> = runs
        .iter()
        .map(|r| chrono::DateTime::parse_from_rfc3339(r["startedAt"].as_str().unwrap()).unwrap())
        .collect();
    for w in starts.windows(2) {
        assert!(w[0] > w[1], "one run per slot: {starts:?}");
    }

    // The app gains 15 reviews; the next run exports those only.
    let server = h.server.take().unwrap();
    server.shutdown().await;
    let grown = support::steam(vec![SynthApp::new(730, 45)], 0);
    let server = service::Server::start(
        support::config(h.dir.path(), &grown),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    h.base = format!("http://{}", server.addr());
    h.server = Some(server);
    let (c, n) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/run-now"), None)
        .await;
    assert_eq!(c, 200, "{n}");
    let new = records(&h, n["jobs"][0].as_str().unwrap()).await;
    assert_eq!(new.len(), 15);
    let seen: HashSet<&str> = first.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        new.iter()
            .all(|r| !seen.contains(r["id"].as_str().unwrap())),
        "only new items"
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slots_missed_while_down_run_once_at_start() {
    let mut h = Harness::start(vec![SynthApp::new(10, 5)], 0, |_| {}).await;
    let (c, s) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(json!({"url": steam_url(10), "frequency": "hourly"})),
        )
        .await;
    assert_eq!(c, 201, "{s}");
    let uuid = s["uuid"].as_str().unwrap().to_string();
    h.server.take().unwrap().shutdown().await;
    // While down, 72 hourly slots go by.
    let store = service::store::Store::open(&h.dir.path().join("service.db")).unwrap();
    let three_days_ago = chrono::Utc::now().timestamp_millis() - 72 * 3600 * 1000;
    assert!(store.set_next_run(&uuid, three_days_ago).unwrap());
    drop(store);
    let server = service::Server::start(
        support::config(h.dir.path(), &h.fixture),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    h.base = format!("http://{}", server.addr());
    h.server = Some(server);
    let s = wait_history(&h, &uuid, 20, |runs| {
        runs.iter().any(|r| r["status"] == "completed")
    })
    .await;
    // Many scheduler ticks later, still one run, and the next slot is ahead.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let s2 = schedule(&h, &uuid).await;
    assert_eq!(s2["recent_history"].as_array().unwrap().len(), 1, "{s2}");
    assert_eq!(s2["runCount"], 1);
    let next = chrono::DateTime::parse_from_rfc3339(s["nextRunAt"].as_str().unwrap()).unwrap();
    assert!(next > chrono::Utc::now(), "{next}");
    let (_, jobs) = h.call("GET", "/api/v3/jobs", None).await;
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    h.server.unwrap().shutdown().await;
}

/// Runs two servers on one store with a schedule due every second, and
/// checks that every slot ran once.
async fn two_servers_one_slot_each(
    database: Option<String>,
    token_maker: impl FnOnce(&std::path::Path) -> String + Send + 'static,
) {
    let fixture = support::steam(vec![SynthApp::new(20, 3)], 0);
    let dir = tempfile::tempdir().unwrap();
    let mk = || {
        let mut c = support::config(dir.path(), &fixture);
        c.database = database.clone();
        c.limits.concurrent_exports = 100;
        c.limits.queued_exports = 1000;
        c
    };
    let p = dir.path().to_path_buf();
    let token = tokio::task::spawn_blocking(move || token_maker(&p))
        .await
        .unwrap();
    let a = service::Server::start(mk(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let b = service::Server::start(mk(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://{}", a.addr());
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut r = client
            .request(method, format!("{base}{path}"))
            .header("X-AUTH-TOKEN", &token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move { r.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let s = call(
        reqwest::Method::POST,
        "/api/v1/schedules".into(),
        Some(json!({"url": steam_url(20), "frequency": "custom", "customCron": "* * * * * *"})),
    )
    .await;
    let uuid = s["uuid"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(4200)).await;
    call(
        reqwest::Method::POST,
        format!("/api/v1/schedules/{uuid}/pause"),
        None,
    )
    .await;
    let store_spec = database
        .clone()
        .unwrap_or_else(|| dir.path().join("service.db").to_string_lossy().into_owned());
    let (slots, jobs) = tokio::task::spawn_blocking(move || {
        let store = service::store::Store::open_spec(&store_spec).unwrap();
        let user = store.user_named("alice").unwrap();
        let row = store
            .schedule_for(user.id, "schedule", &uuid)
            .unwrap()
            .unwrap();
        let runs = store.recent_runs(row.id, 1000).unwrap();
        let jobs: usize = runs.iter().map(|r| r.jobs.len()).sum();
        (
            runs.iter().map(|r| r.slot.unwrap()).collect::<Vec<_>>(),
            jobs,
        )
    })
    .await
    .unwrap();
    let distinct: HashSet<i64> = slots.iter().copied().collect();
    assert!(slots.len() >= 3, "the slots ran: {slots:?}");
    assert_eq!(distinct.len(), slots.len(), "no slot ran twice: {slots:?}");
    assert_eq!(jobs, slots.len(), "one job per run");
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_sqlite_file_run_each_slot_once() {
    two_servers_one_slot_each(None, |dir| token_for(dir, "alice")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_run_each_slot_once() {
    let Some(db) = support::fresh_database().await else {
        return;
    };
    let d = db.clone();
    two_servers_one_slot_each(Some(db), move |_| support::token_in(&d, "alice")).await;
}
