//! The job service end to end in one process: a client written against the
//! ExportComments v3 docs creates, polls, stops, retries and downloads jobs.

mod support;

use std::time::Duration;

use fixtures::SynthApp;
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_poll_download_as_documented() {
    let h = Harness::start(vec![SynthApp::new(440, 250)], 0, |_| {}).await;
    let guid = h
        .create(&steam_url(440), json!({"limit": 200, "replies": false}))
        .await;
    // Fresh jobs answer the documented object with null links.
    let (code, job) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
    assert_eq!(code, 200);
    assert_eq!(job["guid"], guid);
    assert_eq!(job["options"], json!({"limit": 200, "replies": false}));
    assert_eq!(job["locked"], false);
    let job = h.wait_job(&guid, 30, |j| j["status"] == "done").await;
    assert_eq!(job["totalExported"], 200);
    let json_url = job["json_url"].as_str().unwrap();
    let xlsx_url = job["download_link"].as_str().unwrap();
    assert!(
        json_url.starts_with(&h.base) && json_url.ends_with(".json"),
        "{json_url}"
    );
    let (code, bytes) = h.download(json_url).await;
    assert_eq!(code, 200);
    let records: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(records.len(), 200);
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 200, "no duplicates");
    let (code, bytes) = h.download(xlsx_url).await;
    assert_eq!(code, 200);
    assert_eq!(&bytes[..2], b"PK", "an XLSX (zip) file");
    // Without the token the file is refused.
    let r = h.client.get(json_url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // The list shows it, newest first.
    let second = h.create(&steam_url(440), json!({})).await;
    let (code, list) = h.call("GET", "/api/v3/jobs?page=1&limit=10", None).await;
    assert_eq!(code, 200);
    let guids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["guid"].as_str().unwrap())
        .collect();
    assert_eq!(guids, vec![second.as_str(), guid.as_str()]);
    // Retry and stop of a done job are refused with the documented envelope.
    let (code, e) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/retry"), None)
        .await;
    assert_eq!(
        (code, e["error_code"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{e}"
    );
    let (code, _) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/stop"), None)
        .await;
    assert_eq!(code, 400);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batch_creation_and_bad_input() {
    let h = Harness::start(
        vec![SynthApp::new(10, 20), SynthApp::new(20, 30)],
        0,
        |_| {},
    )
    .await;
    let (code, body) = h
        .call(
            "POST",
            "/api/v3/job",
            Some(json!({"urls": [steam_url(10), steam_url(20)], "options": {"replies": true}})),
        )
        .await;
    assert_eq!(code, 201, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["item"], json!({}));
    for d in data {
        h.wait_job(d["guid"].as_str().unwrap(), 30, |j| j["status"] == "done")
            .await;
    }
    for (body, code, err) in [
        (
            json!({"url": "https://example.org/nothing"}),
            400,
            "INVALID_URL",
        ),
        (
            json!({"url": "https://www.linkedin.com/posts/x"}),
            400,
            "INVALID_URL",
        ),
        (json!({"url": 5}), 422, "VALIDATION_ERROR"),
        (json!({}), 422, "VALIDATION_ERROR"),
        (
            json!({"url": steam_url(10), "options": {"limit": "many"}}),
            422,
            "VALIDATION_ERROR",
        ),
        (
            json!({"url": steam_url(10), "options": {"vpn": "Atlantis"}}),
            422,
            "VALIDATION_ERROR",
        ),
        (
            json!({"url": steam_url(10), "extra": 1}),
            422,
            "VALIDATION_ERROR",
        ),
        (json!({"urls": []}), 422, "VALIDATION_ERROR"),
    ] {
        let (c, e) = h.call("POST", "/api/v3/job", Some(body.clone())).await;
        assert_eq!(
            (c, e["error_code"].as_str()),
            (code, Some(err)),
            "{body} → {e}"
        );
        assert_eq!(e["status_code"], code);
        assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Not JSON at all.
    let r = h
        .client
        .post(h.url("/api/v3/job"))
        .header("X-AUTH-TOKEN", &h.token)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Unknown guid, malformed guid, bad pagination.
    let (c, _) = h
        .call(
            "GET",
            &format!("/api/v3/job/{}", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(c, 404);
    let (c, _) = h.call("GET", "/api/v3/job/not-a-guid", None).await;
    assert_eq!(c, 404);
    let (c, e) = h.call("GET", "/api/v3/jobs?limit=31", None).await;
    assert_eq!(
        (c, e["error_code"].as_str()),
        (422, Some("VALIDATION_ERROR"))
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_authenticate_and_isolate_users() {
    let h = Harness::start(vec![SynthApp::new(7, 5)], 0, |_| {}).await;
    let guid = h.create(&steam_url(7), json!({})).await;
    // No token, a wrong token.
    let r = h.client.get(h.url("/api/v1/ping")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error_code"], "AUTH_HEADER_TOKEN");
    let (c, _) = h
        .call_as("ec_live_wrong", "GET", "/api/v1/ping", None)
        .await;
    assert_eq!(c, 401);
    // Another user's token sees none of alice's jobs.
    let bob = token_for(h.dir.path(), "bob");
    let (c, _) = h
        .call_as(&bob, "GET", &format!("/api/v3/job/{guid}"), None)
        .await;
    assert_eq!(c, 404);
    let (c, list) = h.call_as(&bob, "GET", "/api/v3/jobs", None).await;
    assert_eq!((c, list), (200, json!([])));
    let (c, _) = h
        .call_as(&bob, "PATCH", &format!("/api/v3/job/{guid}/stop"), None)
        .await;
    assert_eq!(c, 404);
    // Generate: shown once, then listed as metadata only; it works; revoke it.
    let (c, g) = h
        .call(
            "POST",
            "/api/v1/api_tokens/generate",
            Some(json!({"name": "ci"})),
        )
        .await;
    assert_eq!(c, 200);
    assert_eq!(g["message"], "user.api.token_generated");
    let new = g["token"].as_str().unwrap().to_string();
    assert_eq!(new.len(), 120);
    let (c, list) = h.call("GET", "/api/v1/api_tokens", None).await;
    assert_eq!(c, 200);
    assert!(!list.to_string().contains(&new), "token value never listed");
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (c, j) = h
        .call_as(&new, "GET", &format!("/api/v3/job/{guid}"), None)
        .await;
    assert_eq!(
        (c, j["guid"].as_str()),
        (200, Some(guid.as_str())),
        "same user, same jobs"
    );
    let uuid = g["uuid"].as_str().unwrap();
    let (c, t) = h
        .call("GET", &format!("/api/v1/api_tokens/{uuid}"), None)
        .await;
    assert_eq!((c, t["isExpired"].as_bool()), (200, Some(false)));
    let (c, _) = h
        .call_as(&bob, "DELETE", &format!("/api/v1/api_tokens/{uuid}"), None)
        .await;
    assert_eq!(c, 404, "bob cannot revoke alice's token");
    let (c, _) = h
        .call("DELETE", &format!("/api/v1/api_tokens/{uuid}"), None)
        .await;
    assert_eq!(c, 204);
    let (c, _) = h.call_as(&new, "GET", "/api/v1/ping", None).await;
    assert_eq!(c, 401);
    // Health needs no token; usage counts the exports.
    let r = h.client.get(h.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (c, u) = h.call("GET", "/api/v1/api-usage", None).await;
    assert_eq!(c, 200);
    assert_eq!(u["api_version"], "v3");
    assert!(
        u["daily"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["platform"] == "steam" && d["exports"] == 1),
        "{u}"
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_answers_429_with_seconds_to_wait() {
    let h = Harness::start(vec![], 0, |c| c.limits.rate_per_minute = 3).await;
    for _ in 0..3 {
        let (c, _) = h.call("GET", "/api/v1/ping", None).await;
        assert_eq!(c, 200);
    }
    let (c, e) = h.call("GET", "/api/v1/ping", None).await;
    assert_eq!(c, 429);
    assert_eq!(e["error_code"], "RATE_LIMIT_EXCEEDED");
    assert!(e["seconds_to_wait"].as_u64().unwrap() >= 1);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queue_limit_and_sandbox() {
    let h = Harness::start(vec![SynthApp::new(5, 3000)], 200, |c| {
        c.limits.queued_exports = 2;
        c.limits.concurrent_exports = 1;
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (c, _) = h
            .call("POST", "/api/v3/job", Some(json!({"url": steam_url(5)})))
            .await;
        codes.push(c);
    }
    assert!(codes.contains(&429), "{codes:?}");
    // Sandbox: done at once, sample data marked as such, not queued.
    let r = h
        .client
        .post(h.url("/api/v3/job"))
        .header("X-AUTH-TOKEN", &h.token)
        .header("X-Sandbox", "true")
        .json(&json!({"url": steam_url(999), "options": {"limit": 500}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["sandbox"], true);
    let (_, job) = h
        .call(
            "GET",
            &format!("/api/v3/job/{}", b["guid"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (job["status"].as_str(), job["sandbox"].as_bool()),
        (Some("done"), Some(true))
    );
    let (_, bytes) = h.download(job["json_url"].as_str().unwrap()).await;
    let recs: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(recs.len(), 100, "documented maximum of sample comments");
    assert!(recs.iter().all(|r| r["extra"]["_sandbox"] == true));
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stop_then_error_retry_resumes() {
    // 3000 reviews at 100 a page, 150 ms a page: ~4.5 s of work.
    let h = Harness::start(vec![SynthApp::new(77, 3000)], 150, |_| {}).await;
    let guid = h.create(&steam_url(77), json!({})).await;
    h.wait_job(&guid, 30, |j| {
        j["totalExported"].as_i64().unwrap_or(0) >= 200
    })
    .await;
    let (c, j) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/stop"), None)
        .await;
    assert_eq!((c, j["status"].as_str()), (200, Some("stopped")), "{j}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, j) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
    assert_eq!(j["status"], "stopped");
    let hits = h.fixture.hits("/appreviews/77");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        h.fixture.hits("/appreviews/77"),
        hits,
        "the worker stopped fetching"
    );
    // A stopped job cannot be retried (documented: error only).
    let (c, _) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/retry"), None)
        .await;
    assert_eq!(c, 400);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restart_mid_job_resumes_from_the_checkpoint_without_duplicates() {
    let fixture = support::steam(vec![SynthApp::new(31, 2500)], 120);
    let dir = tempfile::tempdir().unwrap();
    let token = token_for(dir.path(), "alice");
    let first = service::Server::start(
        support::config(dir.path(), &fixture),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", first.addr());
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{base}/api/v3/job"))
        .header("X-AUTH-TOKEN", &token)
        .json(&json!({"url": steam_url(31)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let guid = created["guid"].as_str().unwrap().to_string();
    loop {
        let j: Value = client
            .get(format!("{base}/api/v3/job/{guid}"))
            .header("X-AUTH-TOKEN", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if j["totalExported"].as_i64().unwrap_or(0) >= 500 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // The process goes away mid-job (its lease is left behind, as after a crash).
    first.shutdown().await;
    let second = service::Server::start(
        support::config(dir.path(), &fixture),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", second.addr());
    let job = loop {
        let j: Value = client
            .get(format!("{base}/api/v3/job/{guid}"))
            .header("X-AUTH-TOKEN", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if j["status"] == "done" {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(job["totalExported"], 2500);
    let bytes = client
        .get(job["json_url"].as_str().unwrap())
        .header("X-AUTH-TOKEN", &token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let recs: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    let ids: std::collections::HashSet<&str> =
        recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!((recs.len(), ids.len()), (2500, 2500), "every review once");
    // The first page was not fetched twice from the start: the job resumed.
    assert!(
        fixture.hits("/appreviews/31") < 25 + 10,
        "{} page requests",
        fixture.hits("/appreviews/31")
    );
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_download_zips_done_jobs() {
    let h = Harness::start(vec![SynthApp::new(1, 10), SynthApp::new(2, 12)], 0, |_| {}).await;
    let a = h.create(&steam_url(1), json!({})).await;
    let b = h.create(&steam_url(2), json!({})).await;
    for g in [&a, &b] {
        h.wait_job(g, 30, |j| j["status"] == "done").await;
    }
    let (c, bulk) = h
        .call(
            "POST",
            "/api/v1/bulk-download",
            Some(json!({"guids": [a, b, uuid::Uuid::new_v4().to_string()]})),
        )
        .await;
    assert_eq!(c, 201, "{bulk}");
    assert_eq!(bulk["status"], "processing");
    assert_eq!(bulk["fileCount"], 4);
    let uuid = bulk["uuid"].as_str().unwrap();
    let st = loop {
        let (_, st) = h
            .call("GET", &format!("/api/v1/bulk-download/{uuid}"), None)
            .await;
        if st["status"] != "processing" {
            break st;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(st["status"], "ready", "{st}");
    let (c, bytes) = h
        .download(&h.url(st["downloadUrl"].as_str().unwrap()))
        .await;
    assert_eq!(c, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(zip.len(), 4);
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    names.sort();
    let mut want = vec![
        format!("{a}.json"),
        format!("{a}.xlsx"),
        format!("{b}.json"),
        format!("{b}.xlsx"),
    ];
    want.sort();
    assert_eq!(names, want);
    let (c, _) = h
        .call(
            "POST",
            "/api/v1/bulk-download",
            Some(json!({"guids": ["x"]})),
        )
        .await;
    assert_eq!(c, 422);
    h.server.unwrap().shutdown().await;
}

#[test]
fn openapi_document_lists_every_route() {
    let doc: Value = serde_json::from_str(service::api::OPENAPI_JSON).unwrap();
    for (method, path) in service::api::ROUTES {
        assert!(
            doc["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} missing from openapi.json"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|m| m.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, service::api::ROUTES.len(), "no stale entries");
}
