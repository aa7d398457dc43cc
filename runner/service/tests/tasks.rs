//! The task API (`/api/tasks`) on the job queue: Bearer tokens, the
//! documented bodies and errors, priority first, updates while pending only,
//! reset and result.

mod support;

use std::time::{Duration, Instant};

use fixtures::SynthApp;
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

async fn bearer(
    h: &Harness,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut r = h.client.request(m, h.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    let code = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        code,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn wait_task(h: &Harness, id: i64, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (c, t) = bearer(h, &h.token, "GET", &format!("/api/tasks/{id}"), None).await;
        assert_eq!(c, 200, "{t}");
        if pred(&t["data"]) {
            return t["data"].clone();
        }
        assert!(Instant::now() < deadline, "task never got there: {t}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

async fn create(h: &Harness, body: Value) -> Value {
    let (c, t) = bearer(h, &h.token, "POST", "/api/tasks", Some(body)).await;
    assert_eq!(c, 201, "{t}");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lifecycle_result_reset_and_delete() {
    let h = Harness::start(vec![SynthApp::new(440, 40)], 0, |_| {}).await;
    let t = create(
        &h,
        json!({"group_id": steam_url(440), "group_name": "Steam 440", "max_posts": 25, "priority": 5}),
    )
    .await;
    assert_eq!(t["status"], "success");
    assert_eq!(t["message"], "Task created successfully");
    let d = &t["data"];
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["group_id"], steam_url(440));
    assert_eq!(d["group_name"], "Steam 440");
    assert_eq!(
        (d["max_posts"].as_i64(), d["priority"].as_i64()),
        (Some(25), Some(5))
    );
    assert!(d["created_at"].as_str().unwrap().ends_with('Z'), "{d}");

    let done = wait_task(&h, id, 30, |t| t["status"] == "completed").await;
    assert_eq!(done["has_result"], true);
    assert_eq!(done["posts_count"], 25);
    assert_eq!(done["result"]["posts_count"], 25);
    assert!(
        done["result"]["duration_seconds"].as_i64().is_some(),
        "{done}"
    );
    assert!(done["completed_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        done["worker_id"].as_str().is_some_and(|w| !w.is_empty()),
        "{done}"
    );

    let (c, r) = bearer(
        &h,
        &h.token,
        "GET",
        &format!("/api/tasks/{id}/result"),
        None,
    )
    .await;
    assert_eq!(c, 200, "{r}");
    assert_eq!(
        r["task"],
        json!({"id": id, "group_id": steam_url(440), "status": "completed"})
    );
    assert_eq!(r["result"]["posts_count"], 25);
    let posts = r["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 25);
    for p in posts {
        assert!(
            p["id"].is_string() && p["message"].is_string() && p["created_time"].is_string(),
            "{p}"
        );
        assert!(
            p.get("likes").is_some() && p.get("comments").is_some() && p.get("shares").is_some()
        );
    }

    // Completed: no update; reset puts it back to pending with a fresh job.
    let (c, e) = bearer(
        &h,
        &h.token,
        "PUT",
        &format!("/api/tasks/{id}"),
        Some(json!({"max_posts": 10})),
    )
    .await;
    assert_eq!(c, 403);
    assert_eq!(e["status"], "error");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Only pending tasks"),
        "{e}"
    );
    let (c, r) = bearer(
        &h,
        &h.token,
        "POST",
        &format!("/api/tasks/{id}/reset"),
        None,
    )
    .await;
    assert_eq!(c, 200, "{r}");
    assert_eq!(r["message"], "Task reset successfully");
    assert_eq!(r["task"]["id"], id);
    assert_eq!(r["task"]["worker_id"], Value::Null);
    assert_eq!(r["task"]["completed_at"], Value::Null);
    assert!(
        matches!(
            r["task"]["status"].as_str(),
            Some("pending" | "assigned" | "processing")
        ),
        "{r}"
    );
    let again = wait_task(&h, id, 30, |t| t["status"] == "completed").await;
    assert_ne!(again["job_guid"], done["job_guid"]);
    assert_eq!(again["posts_count"], 25);

    // The list: documented envelope, meta and links.
    let (c, l) = bearer(
        &h,
        &h.token,
        "GET",
        "/api/tasks?per_page=1&status=completed",
        None,
    )
    .await;
    assert_eq!(c, 200, "{l}");
    assert_eq!(l["status"], "success");
    assert_eq!(
        l["meta"],
        json!({"total": 1, "per_page": 1, "current_page": 1, "last_page": 1})
    );
    assert_eq!(l["links"]["prev"], Value::Null);
    assert_eq!(l["links"]["next"], Value::Null);
    assert!(l["links"]["first"]
        .as_str()
        .unwrap()
        .contains("/api/tasks?page=1"));
    assert_eq!(l["data"][0]["id"], id);

    let (c, m) = bearer(&h, &h.token, "DELETE", &format!("/api/tasks/{id}"), None).await;
    assert_eq!(
        (c, m),
        (200, json!({"message": "Task deleted successfully"}))
    );
    let (c, m) = bearer(&h, &h.token, "GET", &format!("/api/tasks/{id}"), None).await;
    assert_eq!((c, m), (404, json!({"message": "Task not found"})));
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn higher_priority_first_and_updates_while_pending_only() {
    // No workers in the API process: tasks wait until a worker process starts.
    let h = Harness::start(
        vec![
            SynthApp::new(1, 60),
            SynthApp::new(2, 60),
            SynthApp::new(3, 60),
        ],
        400,
        |c| c.workers = 0,
    )
    .await;
    let low = create(
        &h,
        json!({"group_id": steam_url(1), "max_posts": 60, "priority": 1}),
    )
    .await["data"]["id"]
        .as_i64()
        .unwrap();
    let none = create(&h, json!({"group_id": steam_url(2), "max_posts": 60})).await["data"]["id"]
        .as_i64()
        .unwrap();
    let high = create(
        &h,
        json!({"group_id": steam_url(3), "max_posts": 60, "priority": 9}),
    )
    .await["data"]["id"]
        .as_i64()
        .unwrap();
    // Pending: updates are taken, including priority.
    let (c, u) = bearer(
        &h,
        &h.token,
        "PUT",
        &format!("/api/tasks/{none}"),
        Some(json!({"group_name": "renamed", "max_posts": 40, "priority": 0})),
    )
    .await;
    assert_eq!(c, 200, "{u}");
    assert_eq!(
        (
            u["data"]["group_name"].as_str(),
            u["data"]["max_posts"].as_i64()
        ),
        (Some("renamed"), Some(40))
    );
    let (_, l) = bearer(
        &h,
        &h.token,
        "GET",
        "/api/tasks?sort_by=priority&sort_order=desc",
        None,
    )
    .await;
    let order: Vec<i64> = l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![high, low, none]);
    assert!(l["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "pending"));

    let mut wc = support::config(h.dir.path(), &h.fixture);
    wc.api = false;
    wc.workers = 1;
    let worker = service::Server::start(wc, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    // The first task a worker takes is the high one; the others wait.
    let first = loop {
        let (_, l) = bearer(&h, &h.token, "GET", "/api/tasks", None).await;
        let moved: Vec<&Value> = l["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] != "pending")
            .collect();
        if !moved.is_empty() {
            assert_eq!(moved.len(), 1, "{l}");
            break moved[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(first["id"], high, "{first}");
    assert!(
        matches!(first["status"].as_str(), Some("assigned" | "processing")),
        "{first}"
    );
    assert!(first["worker_id"].is_string(), "{first}");
    // Taken by a worker: no more updates.
    let (c, e) = bearer(
        &h,
        &h.token,
        "PUT",
        &format!("/api/tasks/{high}"),
        Some(json!({"priority": 1})),
    )
    .await;
    assert_eq!(c, 403, "{e}");
    assert_eq!(e["status"], "error");
    // Then the low (priority 1) before the one set to 0.
    wait_task(&h, high, 30, |t| t["status"] == "completed").await;
    let next = wait_task(&h, low, 30, |t| t["status"] != "pending").await;
    let (_, n) = bearer(&h, &h.token, "GET", &format!("/api/tasks/{none}"), None).await;
    assert_eq!(n["data"]["status"], "pending", "low {next}, none {n}");
    let done = wait_task(&h, none, 30, |t| t["status"] == "completed").await;
    assert_eq!(done["posts_count"], 40, "the updated budget");
    worker.shutdown().await;
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn facebook_group_ids_are_stored_then_failed_precisely() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    let t = create(&h, json!({"group_id": "123456789", "group_name": "Laravel Developers Vietnam", "max_posts": 100})).await;
    let id = t["data"]["id"].as_i64().unwrap();
    assert_eq!(t["data"]["priority"], 0);
    let failed = wait_task(&h, id, 30, |t| t["status"] == "failed").await;
    let err = failed["error"].as_str().unwrap();
    assert!(
        err.contains("Facebook") && err.contains("not supported yet"),
        "{err}"
    );
    assert_eq!(failed["has_result"], false);
    assert_eq!(failed["result"], Value::Null);
    let (c, m) = bearer(
        &h,
        &h.token,
        "GET",
        &format!("/api/tasks/{id}/result"),
        None,
    )
    .await;
    assert_eq!(
        (c, m),
        (404, json!({"message": "No result available for this task"}))
    );
    // Failed tasks may be reset.
    let (c, r) = bearer(
        &h,
        &h.token,
        "POST",
        &format!("/api/tasks/{id}/reset"),
        None,
    )
    .await;
    assert_eq!(c, 200, "{r}");
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documented_errors_bad_input_and_other_tokens() {
    let h = Harness::start(vec![SynthApp::new(5, 3)], 0, |c| c.workers = 0).await;
    // 401 in the documented body, with no token, a wrong one, or a wrong scheme.
    for auth in [None, Some("Bearer nope"), Some("Basic abc")] {
        let mut r = h.client.get(h.url("/api/tasks"));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        let resp = r.send().await.unwrap();
        assert_eq!(resp.status(), 401);
        assert_eq!(
            resp.json::<Value>().await.unwrap(),
            json!({"message": "Unauthenticated"})
        );
    }
    // X-AUTH-TOKEN works as well as Bearer.
    let (c, _) = h.call("GET", "/api/tasks", None).await;
    assert_eq!(c, 200);

    for (body, fields) in [
        (json!({}), vec!["group_id", "max_posts"]),
        (json!({"group_id": "1", "max_posts": 0}), vec!["max_posts"]),
        (
            json!({"group_id": "1", "max_posts": 501}),
            vec!["max_posts"],
        ),
        (
            json!({"group_id": "1", "max_posts": "100"}),
            vec!["max_posts"],
        ),
        (
            json!({"group_id": "1", "max_posts": 1.5}),
            vec!["max_posts"],
        ),
        (
            json!({"group_id": "1", "max_posts": 1, "priority": "high"}),
            vec!["priority"],
        ),
        (
            json!({"group_id": "1", "max_posts": 1, "group_name": 5}),
            vec!["group_name"],
        ),
        (json!({"group_id": true, "max_posts": 1}), vec!["group_id"]),
        (
            json!({"group_id": "a b/c", "max_posts": 1}),
            vec!["group_id"],
        ),
        (
            json!({"group_id": "https://example.org/group/1", "max_posts": 1}),
            vec!["group_id"],
        ),
        (
            json!({"group_id": "1", "max_posts": 1, "status": "completed"}),
            vec!["status"],
        ),
        (json!([1]), vec!["body"]),
    ] {
        let (c, e) = bearer(&h, &h.token, "POST", "/api/tasks", Some(body.clone())).await;
        assert_eq!(c, 422, "{body} → {e}");
        assert_eq!(
            (e["status"].as_str(), e["message"].as_str()),
            (Some("error"), Some("Validation failed"))
        );
        let got: Vec<&str> = e["errors"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(got, fields, "{body} → {e}");
        assert!(e["errors"][fields[0]][0].is_string());
    }
    for q in [
        "status=done",
        "sort_by=name",
        "sort_order=up",
        "per_page=0",
        "per_page=x",
        "page=0",
    ] {
        let (c, e) = bearer(&h, &h.token, "GET", &format!("/api/tasks?{q}"), None).await;
        assert_eq!(c, 422, "{q} → {e}");
    }
    let t = create(&h, json!({"group_id": steam_url(5), "max_posts": 3})).await;
    let id = t["data"]["id"].as_i64().unwrap();
    let (c, e) = bearer(
        &h,
        &h.token,
        "PUT",
        &format!("/api/tasks/{id}"),
        Some(json!({"max_posts": 900})),
    )
    .await;
    assert_eq!((c, e["errors"]["max_posts"].is_array()), (422, true), "{e}");
    let (c, e) = bearer(
        &h,
        &h.token,
        "PUT",
        &format!("/api/tasks/{id}"),
        Some(json!({"group_id": "2"})),
    )
    .await;
    assert_eq!((c, e["errors"]["group_id"].is_array()), (422, true), "{e}");
    let (c, e) = bearer(
        &h,
        &h.token,
        "POST",
        &format!("/api/tasks/{id}/reset"),
        None,
    )
    .await;
    assert_eq!(
        (c, e["status"].as_str()),
        (403, Some("error")),
        "pending: no reset"
    );

    // Unknown, malformed, and another token's ids: 404 with the documented body.
    let bob = token_for(h.dir.path(), "bob");
    for (method, suffix) in [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/reset"),
        ("GET", "/result"),
    ] {
        for path in [
            format!("/api/tasks/999999{suffix}"),
            format!("/api/tasks/abc{suffix}"),
        ] {
            let (c, e) = bearer(&h, &h.token, method, &path, Some(json!({}))).await;
            assert_eq!(c, 404, "{method} {path} → {e}");
            assert!(e["message"].is_string());
        }
        let (c, _) = bearer(
            &h,
            &bob,
            method,
            &format!("/api/tasks/{id}{suffix}"),
            Some(json!({})),
        )
        .await;
        assert_eq!(c, 404, "bob {method} {suffix}");
    }
    let (_, l) = bearer(&h, &bob, "GET", "/api/tasks", None).await;
    assert_eq!(l["meta"]["total"], 0);
    let (c, _) = bearer(&h, &h.token, "GET", &format!("/api/tasks/{id}"), None).await;
    assert_eq!(c, 200, "bob deleted nothing");
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_on_postgres() {
    let Some(db) = support::fresh_database().await else {
        return;
    };
    let d = db.clone();
    let h = Harness::start_with_token(
        vec![SynthApp::new(7, 12)],
        0,
        |c| c.database = Some(db.clone()),
        move |_| support::token_in(&d, "alice"),
    )
    .await;
    let a = create(
        &h,
        json!({"group_id": steam_url(7), "max_posts": 5, "priority": 2}),
    )
    .await["data"]["id"]
        .as_i64()
        .unwrap();
    let b = create(&h, json!({"group_id": "42", "max_posts": 5})).await["data"]["id"]
        .as_i64()
        .unwrap();
    wait_task(&h, a, 30, |t| t["status"] == "completed").await;
    wait_task(&h, b, 30, |t| t["status"] == "failed").await;
    let (c, l) = bearer(
        &h,
        &h.token,
        "GET",
        "/api/tasks?sort_by=status&sort_order=asc",
        None,
    )
    .await;
    assert_eq!(c, 200, "{l}");
    let order: Vec<i64> = l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![a, b], "completed < failed");
    let (_, l) = bearer(&h, &h.token, "GET", "/api/tasks?status=failed", None).await;
    assert_eq!(l["meta"]["total"], 1);
    let (c, r) = bearer(&h, &h.token, "GET", &format!("/api/tasks/{a}/result"), None).await;
    assert_eq!((c, r["posts"].as_array().map(Vec::len)), (200, Some(5)));
    let (c, _) = bearer(&h, &h.token, "POST", &format!("/api/tasks/{b}/reset"), None).await;
    assert_eq!(c, 200);
    let (c, _) = bearer(&h, &h.token, "DELETE", &format!("/api/tasks/{b}"), None).await;
    assert_eq!(c, 200);
    h.server.unwrap().shutdown().await;
}
