//! Workflows (`/api/v1/workflows`): the documented object and actions, step
//! and transition rules, pipeline-info, and a two-step pipeline (posts, then
//! comments of each post) run on time with only new items on the next run.

mod support;

use std::time::{Duration, Instant};

use fixtures::{FixtureServer, ServerConfig, SynthApp};
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

const HN: &str = "https://news.ycombinator.com/item?id=8001";

async fn workflow(h: &Harness, uuid: &str) -> Value {
    let (c, w) = h
        .call("GET", &format!("/api/v1/workflows/{uuid}"), None)
        .await;
    assert_eq!(c, 200, "{w}");
    w
}

async fn wait_runs(h: &Harness, uuid: &str, secs: u64, pred: impl Fn(&[Value]) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let w = workflow(h, uuid).await;
        if pred(w["recent_runs"].as_array().unwrap()) {
            return w;
        }
        assert!(Instant::now() < deadline, "runs never got there: {w}");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

fn review_monitor(url: &str) -> Value {
    json!({
        "url": url,
        "name": "Steam reviews",
        "frequency": "daily",
        "preferredTime": "09:00",
        "timezone": "America/New_York",
        "steps": [{"position": 1, "action": "export_reviews", "inputMode": "url", "options": {"limit": 10}}],
        "deliveryMethod": "storage"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documented_object_and_actions() {
    let h = Harness::start(vec![SynthApp::new(440, 30)], 0, |_| {}).await;
    let (c, w) = h
        .call(
            "POST",
            "/api/v1/workflows",
            Some(review_monitor(&steam_url(440))),
        )
        .await;
    assert_eq!(c, 201, "{w}");
    let uuid = w["uuid"].as_str().unwrap().to_string();
    assert_eq!(w["platform"], "steampowered.com");
    assert_eq!(
        (w["frequency"].as_str(), w["preferredTime"].as_str()),
        (Some("daily"), Some("09:00:00"))
    );
    assert_eq!(w["customCron"], Value::Null);
    assert_eq!(
        w["steps"],
        json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "options": {"limit": 10}, "conditions": null}])
    );
    assert_eq!(
        (w["enabled"].as_bool(), w["status"].as_str()),
        (Some(true), Some("active"))
    );
    assert_eq!(
        (
            w["deliveryMethod"].as_str(),
            w["sendNotification"].as_bool()
        ),
        (Some("storage"), Some(true))
    );
    assert_eq!(
        (w["runCount"].as_i64(), w["failCount"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(w["lastRunAt"], Value::Null);
    assert!(
        w["nextRunAt"].as_str().unwrap().contains("T09:00:00-0"),
        "{w}"
    );
    assert_eq!(workflow(&h, &uuid).await["recent_runs"], json!([]));
    let (_, list) = h.call("GET", "/api/v1/workflows", None).await;
    assert_eq!(
        list[0]["steps"],
        json!([{"position": 1, "action": "export_reviews"}])
    );

    let (c, u) = h
        .call(
            "PUT",
            &format!("/api/v1/workflows/{uuid}"),
            Some(json!({"frequency": "weekly", "preferredTime": "10:00"})),
        )
        .await;
    assert_eq!(c, 200, "{u}");
    assert_eq!(
        (u["frequency"].as_str(), u["preferredTime"].as_str()),
        (Some("weekly"), Some("10:00:00"))
    );
    assert_eq!(u["steps"], w["steps"], "steps stay unless given");
    let (c, p) = h
        .call("POST", &format!("/api/v1/workflows/{uuid}/pause"), None)
        .await;
    assert_eq!(
        (c, p),
        (
            200,
            json!({"uuid": uuid, "status": "paused", "enabled": false})
        )
    );
    let (c, r) = h
        .call("POST", &format!("/api/v1/workflows/{uuid}/resume"), None)
        .await;
    assert_eq!(
        (c, r["status"].as_str(), r["enabled"].as_bool()),
        (200, Some("active"), Some(true))
    );
    let (c, n) = h
        .call("POST", &format!("/api/v1/workflows/{uuid}/run-now"), None)
        .await;
    assert_eq!(c, 200, "{n}");
    assert_eq!(
        (n["message"].as_str(), n["status"].as_str()),
        (Some("Workflow triggered successfully"), Some("active"))
    );
    let w = wait_runs(&h, &uuid, 30, |r| {
        r.first().is_some_and(|r| r["status"] == "completed")
    })
    .await;
    // The counters and the run list are read apart: let the counter catch up.
    let w = if w["runCount"] == 1 {
        w
    } else {
        workflow(&h, &uuid).await
    };
    let run = &w["recent_runs"][0];
    assert_eq!(
        (run["stepsCompleted"].as_i64(), run["totalResults"].as_i64()),
        (Some(1), Some(10)),
        "{w}"
    );
    assert!(run["startedAt"].is_string() && run["completedAt"].is_string());
    assert_eq!(w["runCount"], 1);
    let (c, _) = h
        .call("DELETE", &format!("/api/v1/workflows/{uuid}"), None)
        .await;
    assert_eq!(c, 204);
    let (c, _) = h
        .call("GET", &format!("/api/v1/workflows/{uuid}"), None)
        .await;
    assert_eq!(c, 404);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn step_rules_bad_input_and_other_tokens() {
    let h = Harness::start(vec![SynthApp::new(440, 5)], 0, |_| {}).await;
    let steam = steam_url(440);
    let with_steps =
        |url: &str, steps: Value| json!({"url": url, "frequency": "daily", "steps": steps});
    let s = |p: i64, a: &str, m: &str| json!({"position": p, "action": a, "inputMode": m});
    for (body, code) in [
        (json!({"url": steam, "frequency": "daily"}), 422),
        (with_steps(&steam, json!([])), 422),
        (with_steps(&steam, json!("export_reviews")), 422),
        (
            with_steps(&steam, json!([s(1, "export_everything", "url")])),
            422,
        ),
        (
            with_steps(&steam, json!([s(1, "export_comments", "url")])),
            422,
        ),
        (
            with_steps(&steam, json!([s(1, "export_followers", "url")])),
            422,
        ),
        (
            with_steps(&steam, json!([s(1, "export_reviews", "previous_results")])),
            422,
        ),
        (
            with_steps(&steam, json!([s(2, "export_reviews", "url")])),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": "1", "action": "export_reviews", "inputMode": "url"}]),
            ),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "options": {"limit": "x"}}]),
            ),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "options": {"cookies": {"sessionid": "s"}}}]),
            ),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "conditions": {"max_age_hours": -1}}]),
            ),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "conditions": {"mood": "happy"}}]),
            ),
            422,
        ),
        (
            with_steps(
                &steam,
                json!([{"position": 1, "action": "export_reviews", "inputMode": "url", "extra": 1}]),
            ),
            422,
        ),
        // Terminal actions do not chain; posts chain to comments, not to posts.
        (
            with_steps(
                HN,
                json!([
                    s(1, "export_comments", "url"),
                    s(2, "export_comments", "previous_results")
                ]),
            ),
            422,
        ),
        (
            with_steps(
                HN,
                json!([
                    s(1, "export_posts", "url"),
                    s(2, "export_posts", "previous_results")
                ]),
            ),
            422,
        ),
        (
            with_steps(
                HN,
                json!([s(1, "export_posts", "url"), s(2, "export_comments", "url")]),
            ),
            422,
        ),
        (
            with_steps(
                HN,
                json!([
                    s(1, "export_posts", "url"),
                    s(3, "export_comments", "previous_results")
                ]),
            ),
            422,
        ),
        (
            with_steps(
                HN,
                json!([
                    s(1, "export_posts", "url"),
                    s(2, "export_likes", "previous_results")
                ]),
            ),
            422,
        ),
        (
            with_steps(
                "https://example.org/x",
                json!([s(1, "export_comments", "url")]),
            ),
            400,
        ),
        (
            json!({"url": steam, "frequency": "hourly", "steps": [s(1, "export_reviews", "url")], "timezone": "Nowhere/City"}),
            422,
        ),
    ] {
        let (c, e) = h
            .call("POST", "/api/v1/workflows", Some(body.clone()))
            .await;
        assert_eq!(c, code, "{body} → {e}");
        assert!(e["detail"].is_string(), "{e}");
    }
    let (c, w) = h
        .call("POST", "/api/v1/workflows", Some(review_monitor(&steam)))
        .await;
    assert_eq!(c, 201, "{w}");
    let uuid = w["uuid"].as_str().unwrap().to_string();
    // A new URL must suit the steps (Hacker News has no reviews).
    let (c, e) = h
        .call(
            "PUT",
            &format!("/api/v1/workflows/{uuid}"),
            Some(json!({"url": HN})),
        )
        .await;
    assert_eq!(c, 422, "{e}");
    let bob = token_for(h.dir.path(), "bob");
    for (method, suffix) in [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/pause"),
        ("POST", "/resume"),
        ("POST", "/run-now"),
    ] {
        for id in [uuid::Uuid::new_v4().to_string(), "nope".into()] {
            let (c, _) = h
                .call(
                    method,
                    &format!("/api/v1/workflows/{id}{suffix}"),
                    Some(json!({})),
                )
                .await;
            assert_eq!(c, 404, "{method} {id}{suffix}");
        }
        let (c, _) = h
            .call_as(
                &bob,
                method,
                &format!("/api/v1/workflows/{uuid}{suffix}"),
                Some(json!({})),
            )
            .await;
        assert_eq!(c, 404, "bob {method}{suffix}");
    }
    let (_, list) = h.call_as(&bob, "GET", "/api/v1/workflows", None).await;
    assert_eq!(list, json!([]));
    // A schedule's uuid is not a workflow's.
    let (c, s) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(json!({"url": steam, "frequency": "daily"})),
        )
        .await;
    assert_eq!(c, 201);
    let (c, _) = h
        .call(
            "GET",
            &format!("/api/v1/workflows/{}", s["uuid"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(c, 404);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipeline_info_says_what_this_server_can_chain() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    let (c, all) = h.call("GET", "/api/v1/workflows/pipeline-info", None).await;
    assert_eq!(c, 200, "{all}");
    assert_eq!(all["platform"], Value::Null);
    assert_eq!(all["available_actions"].as_array().unwrap().len(), 6);
    assert_eq!(
        all["transitions"]["export_posts"],
        json!(["export_comments", "export_likes", "export_shares"])
    );
    assert_eq!(all["transitions"]["export_reviews"], json!([]));
    assert_eq!(all["templates"].as_array().unwrap().len(), 4);
    assert_eq!(all["platform_actions"]["steam"], json!(["export_reviews"]));
    assert_eq!(
        all["platform_actions"]["hackernews"],
        json!(["export_posts", "export_comments"])
    );
    assert!(all["platform_categories"]["reviews"]
        .as_array()
        .unwrap()
        .contains(&json!("steam")));
    let (c, hn) = h
        .call(
            "GET",
            &format!(
                "/api/v1/workflows/pipeline-info?url={}",
                url::form_urlencoded::byte_serialize(HN.as_bytes()).collect::<String>()
            ),
            None,
        )
        .await;
    assert_eq!(c, 200, "{hn}");
    assert_eq!(hn["platform"], "hackernews");
    assert_eq!(
        hn["available_actions"],
        json!(["export_posts", "export_comments"])
    );
    let ids: Vec<&str> = hn["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["comments_monitor"]);
    assert_eq!(
        hn["templates"][0]["steps"][1]["inputMode"],
        "previous_results"
    );
    let (c, _) = h
        .call(
            "GET",
            "/api/v1/workflows/pipeline-info?url=https://example.org/",
            None,
        )
        .await;
    assert_eq!(c, 400);
    let (c, _) = h
        .call_as("nope", "GET", "/api/v1/workflows/pipeline-info", None)
        .await;
    assert_eq!(c, 401);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_step_pipeline_runs_on_time_with_only_new_items() {
    let hn = FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures()).unwrap();
    let hn_base = hn.base_url();
    let h = Harness::start(vec![], 0, move |c| {
        c.http.set_base_url("hackernews", &hn_base).unwrap();
    })
    .await;
    let (c, w) = h
        .call(
            "POST",
            "/api/v1/workflows",
            Some(json!({
                "url": HN,
                "name": "HN posts + comments",
                "frequency": "custom",
                "customCron": "* * * * * *",
                "steps": [
                    {"position": 1, "action": "export_posts", "inputMode": "url"},
                    {"position": 2, "action": "export_comments", "inputMode": "previous_results", "conditions": {"keyword": ""}}
                ]
            })),
        )
        .await;
    assert_eq!(c, 422, "an empty keyword is refused: {w}");
    let (c, w) = h
        .call(
            "POST",
            "/api/v1/workflows",
            Some(json!({
                "url": HN,
                "frequency": "custom",
                "customCron": "* * * * * *",
                "steps": [
                    {"position": 1, "action": "export_posts", "inputMode": "url"},
                    {"position": 2, "action": "export_comments", "inputMode": "previous_results", "options": {"replies": true}}
                ]
            })),
        )
        .await;
    assert_eq!(c, 201, "{w}");
    let uuid = w["uuid"].as_str().unwrap().to_string();
    let w = wait_runs(&h, &uuid, 30, |runs| {
        runs.len() >= 2 && runs.iter().all(|r| r["status"] == "completed")
    })
    .await;
    h.call("POST", &format!("/api/v1/workflows/{uuid}/pause"), None)
        .await;
    let runs = w["recent_runs"].as_array().unwrap();
    let first = runs.last().unwrap();
    assert_eq!(first["stepsCompleted"], 2, "{w}");
    let jobs = first["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 2, "one job per step: {first}");
    // Step 2 exported the thread of the post step 1 found, after step 1 ended.
    let (_, j1) = h
        .call(
            "GET",
            &format!("/api/v3/job/{}", jobs[0].as_str().unwrap()),
            None,
        )
        .await;
    let (_, j2) = h
        .call(
            "GET",
            &format!("/api/v3/job/{}", jobs[1].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (j1["status"].as_str(), j2["status"].as_str()),
        (Some("done"), Some("done"))
    );
    assert_eq!(j2["url"], HN);
    assert_eq!(j2["options"], json!({"replies": true}));
    assert!(
        j2["createdAt"].as_str() >= j1["finishedAt"].as_str(),
        "{j1} {j2}"
    );
    let step1 = j1["totalExported"].as_i64().unwrap();
    assert!(step1 > 1);
    assert_eq!(
        first["totalResults"].as_i64(),
        Some(step1 + j2["totalExported"].as_i64().unwrap())
    );
    // Later runs: nothing new in step 1, so nothing to chain.
    for r in &runs[..runs.len() - 1] {
        assert_eq!(
            (
                r["totalResults"].as_i64(),
                r["jobs"].as_array().map(Vec::len)
            ),
            (Some(0), Some(1)),
            "{r}"
        );
        assert_eq!(r["stepsCompleted"], 2);
    }
    assert!(workflow(&h, &uuid).await["runCount"].as_i64().unwrap() >= 2);
    h.server.unwrap().shutdown().await;
}
