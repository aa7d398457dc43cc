//! StarExport-style additions: progress in job responses, the statistics
//! summary, the platforms list and health with uptime.

mod support;

use std::time::{Duration, Instant};

use fixtures::{Fault, SynthApp};
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

async fn star(h: &Harness, auth: Option<&str>, path: &str) -> (u16, Value) {
    let mut r = h.client.get(h.url(path));
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let resp = r.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_show_progress_where_the_platform_gives_a_total() {
    // 10 pages of 100, 150 ms each: progress is sampled while it runs.
    let h = Harness::start(vec![SynthApp::new(440, 2000)], 150, |_| {}).await;
    let guid = h.create(&steam_url(440), json!({"limit": 1000})).await;
    let (_, fresh) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
    assert_eq!(fresh["processedItems"], 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let running = loop {
        let (_, j) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
        if j["status"] == "progress"
            && j["processedItems"].as_i64().unwrap_or(0) > 0
            && j["totalItems"].is_i64()
        {
            break j;
        }
        assert!(
            j["status"] != "done",
            "finished before a progress sample: {j}"
        );
        assert!(Instant::now() < deadline, "{j}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        running["totalItems"], 1000,
        "the platform's total capped by the limit: {running}"
    );
    let p = running["progress"].as_i64().unwrap();
    assert!((0..100).contains(&p), "{running}");
    let eta =
        chrono::DateTime::parse_from_rfc3339(running["estimatedCompletion"].as_str().unwrap())
            .unwrap();
    assert!(
        eta > chrono::Utc::now() - chrono::Duration::seconds(5),
        "{eta}"
    );
    // The v3 fields are still there.
    assert_eq!(running["guid"], guid);
    assert!(running["totalExported"].is_i64() && running.get("total").is_some());
    let done = h.wait_job(&guid, 30, |j| j["status"] == "done").await;
    assert_eq!(
        (
            done["progress"].as_i64(),
            done["processedItems"].as_i64(),
            done["totalItems"].as_i64()
        ),
        (Some(100), Some(1000), Some(1000))
    );
    assert_eq!(done["estimatedCompletion"], done["finishedAt"]);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn summary_platforms_and_health() {
    let h = Harness::start(
        vec![
            SynthApp::new(1, 30),
            SynthApp::new(2, 40),
            SynthApp::new(3, 10).fault(Fault::NotFound),
        ],
        0,
        |_| {},
    )
    .await;
    for (app, end) in [(1, "done"), (2, "done"), (3, "error")] {
        let g = h.create(&steam_url(app), json!({})).await;
        h.wait_job(&g, 30, |j| j["status"] == end).await;
    }
    let bearer = format!("Bearer {}", h.token);
    let (c, s) = star(&h, Some(&bearer), "/api/export/stats/summary").await;
    assert_eq!(c, 200, "{s}");
    assert_eq!(s["success"], true);
    let d = &s["data"];
    assert_eq!(
        (
            d["totalExports"].as_i64(),
            d["completedExports"].as_i64(),
            d["failedExports"].as_i64()
        ),
        (Some(3), Some(2), Some(1)),
        "{d}"
    );
    assert_eq!(d["exportsByPlatform"], json!({"steam": 3}));
    assert_eq!(d["totalRecordsExported"], 70);
    assert!(d["averageDuration"].as_i64().is_some_and(|a| a >= 0));
    assert!(d["totalBytesExported"].as_u64().unwrap() > 1000, "{d}");
    let human = d["totalDataExported"].as_str().unwrap();
    assert!(human.ends_with("KB") || human.ends_with("MB"), "{human}");
    // X-AUTH-TOKEN works too; another token sees its own (nothing).
    let (c, _) = h.call("GET", "/api/export/stats/summary", None).await;
    assert_eq!(c, 200);
    let bob = token_for(h.dir.path(), "bob");
    let (_, b) = star(
        &h,
        Some(&format!("Bearer {bob}")),
        "/api/export/stats/summary",
    )
    .await;
    assert_eq!(
        (
            b["data"]["totalExports"].as_i64(),
            b["data"]["exportsByPlatform"].clone()
        ),
        (Some(0), json!({}))
    );
    // StarExport's error bodies.
    for (auth, code) in [
        (None, "AUTH_REQUIRED"),
        (Some("Bearer nope"), "INVALID_TOKEN"),
    ] {
        for path in ["/api/export/stats/summary", "/api/platforms"] {
            let (c, e) = star(&h, auth, path).await;
            assert_eq!(c, 401);
            assert_eq!(
                (e["success"].as_bool(), e["code"].as_str()),
                (Some(false), Some(code)),
                "{e}"
            );
            assert!(e["error"].is_string());
        }
    }

    let (c, p) = star(&h, Some(&bearer), "/api/platforms").await;
    assert_eq!((c, p["success"].as_bool()), (200, Some(true)));
    let steam = p["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "steam")
        .unwrap();
    assert_eq!(steam["displayName"], "Steam");
    assert_eq!(steam["exportFormats"], json!(["json", "xlsx"]));
    assert_eq!(steam["features"]["reviews"], true);
    assert_eq!(steam["authType"], "none");
    assert!(p["data"].as_array().unwrap().len() >= 5);

    let (c, hl) = star(&h, None, "/api/health").await;
    assert_eq!(c, 200, "{hl}");
    assert_eq!(hl["success"], true);
    assert_eq!(hl["data"]["status"], "healthy");
    assert!(hl["data"]["uptime"].as_u64().is_some());
    assert_eq!(
        hl["data"]["services"],
        json!({"database": "connected", "storage": "available"})
    );
    assert_eq!(hl["data"]["store"], "sqlite");
    h.server.unwrap().shutdown().await;
}
