//! Real-time events as the ExportComments docs describe them ("Real-Time
//! Updates", "Event Reference"): a Centrifugo-style WebSocket authenticated by
//! the JWT of `POST /api/public/auth/socket` (or `X-AUTH-TOKEN` on the
//! upgrade), and the same envelopes over Server-Sent Events.

mod live;
mod support;

use std::collections::HashSet;
use std::time::Duration;

use fixtures::SynthApp;
use live::*;
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn websocket_pushes_job_events_in_the_documented_envelope() {
    // 3,000 reviews at 100 a page, 40 ms a page: long enough for several progress events.
    let h = Harness::start(
        vec![SynthApp::new(440, 3000), SynthApp::new(441, 50)],
        40,
        |_| {},
    )
    .await;
    let bob = token_for(h.dir.path(), "bob");

    // The JWT names the caller (sub) and its personal channels; it lasts 24 h.
    let jwt = socket_jwt(&h, &h.token).await;
    let c = claims(&jwt);
    let me = c["sub"].as_str().expect("sub").to_string();
    let exports = format!("exports:{me}");
    assert!(
        c["channels"].as_array().unwrap().contains(&json!(exports)),
        "{c}"
    );
    let ttl = c["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!((86_000..=86_400).contains(&ttl), "24 h: {ttl}");

    let mut alice = Ws::open(&h, None).await;
    let r = alice
        .command(json!({"id": 1, "connect": {"token": jwt}}))
        .await;
    assert!(
        r["connect"]["client"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{r}"
    );
    assert!(
        r["connect"]["subs"].get(&exports).is_some(),
        "auto-subscribed to {exports}: {r}"
    );

    // Bob authenticates with X-AUTH-TOKEN on the upgrade instead.
    let mut bobs = Ws::open(&h, Some(&bob)).await;
    let r = bobs.command(json!({"id": 1, "connect": {}})).await;
    let bob_exports = r["connect"]["subs"]
        .as_object()
        .unwrap_or_else(|| panic!("{r}"))
        .keys()
        .find(|k| k.starts_with("exports:"))
        .expect("bob's exports channel")
        .clone();
    assert_ne!(bob_exports, exports);

    let (code, b) = h
        .call_as(
            &bob,
            "POST",
            "/api/v3/job",
            Some(json!({"url": steam_url(441)})),
        )
        .await;
    assert_eq!(code, 201);
    let bob_guid = b["guid"].as_str().unwrap().to_string();
    let url = steam_url(440);
    let guid = h.create(&url, json!({})).await;

    // Job channel of one's own job: allowed; another user's: 103; another user's
    // personal channel: 103.
    let r = alice
        .command(json!({"id": 2, "subscribe": {"channel": format!("export.{guid}.job")}}))
        .await;
    assert!(
        r.get("error").is_none() && r.get("subscribe").is_some(),
        "{r}"
    );
    let r = alice
        .command(json!({"id": 3, "subscribe": {"channel": format!("export.{bob_guid}.job")}}))
        .await;
    assert_eq!(r["error"]["code"], 103, "{r}");
    let r = alice
        .command(json!({"id": 4, "subscribe": {"channel": bob_exports}}))
        .await;
    assert_eq!(r["error"]["code"], 103, "{r}");

    alice
        .push_until(30, |p| {
            p["push"]["channel"] == exports && is_event(p, "job.finished", &guid)
        })
        .await;
    alice
        .push_until(10, |p| {
            p["push"]["channel"] == format!("export.{guid}.job")
                && is_event(p, "job.finished", &guid)
        })
        .await;
    bobs.push_until(30, |p| is_event(p, "job.finished", &bob_guid))
        .await;

    // Alice's channel: created, progress (growing, with current/total), finished.
    let mine: Vec<Value> = alice
        .on(&exports)
        .into_iter()
        .filter(|e| e["guid"] == guid)
        .collect();
    let names: Vec<&str> = mine.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"job.created"), "{names:?}");
    assert_eq!(names.last(), Some(&"job.finished"), "{names:?}");
    assert!(
        names[1..names.len() - 1]
            .iter()
            .all(|n| *n == "job.progress"),
        "{names:?}"
    );
    for e in &mine {
        assert_envelope(e, e["event"].as_str().unwrap(), &guid, &url);
    }
    let created = &mine[0];
    assert_eq!(
        (&created["status"], &created["url"]),
        (&json!("queueing"), &Value::Null)
    );
    let progress: Vec<&Value> = mine
        .iter()
        .filter(|e| e["event"] == "job.progress")
        .collect();
    let counted: Vec<&&Value> = progress
        .iter()
        .filter(|e| e["current"].as_i64().unwrap_or(0) > 0)
        .collect();
    assert!(
        !counted.is_empty(),
        "progress events with a count: {progress:#?}"
    );
    let mut last = 0;
    for e in &progress {
        assert_eq!(e["status"], "progress");
        assert_eq!(e["url"], Value::Null);
        let cur = e["current"].as_i64().expect("current");
        assert!(cur >= last, "progress never goes back: {progress:#?}");
        last = cur;
        assert_eq!(e["details"]["totalExported"], e["current"]);
        assert_eq!(e["details"]["total"], e["total"]);
    }
    for e in &counted {
        assert_eq!(e["total"], 3000, "Steam's total_reviews: {e}");
        assert!(e["current"].as_i64().unwrap() < 3000 || e["current"] == 3000);
    }
    let finished = mine.last().unwrap();
    let (_, job) = h.call("GET", &format!("/api/v3/job/{guid}"), None).await;
    assert_eq!(finished["status"], "done");
    assert_eq!(
        finished["url"], job["download_link"],
        "url is the download link"
    );
    assert_eq!(finished["details"]["download_link"], job["download_link"]);
    assert_eq!(finished["details"]["json_url"], job["json_url"]);
    assert_eq!(finished["details"]["totalExported"], 3000);
    assert_eq!(finished["details"]["total"], 3000);
    let (code, bytes) = h.download(finished["url"].as_str().unwrap()).await;
    assert_eq!((code, &bytes[..2]), (200, &b"PK"[..]));
    // The job channel carries the same envelopes.
    let on_job = alice.on(&format!("export.{guid}.job"));
    assert!(on_job.iter().all(|e| e["guid"] == guid));
    assert_eq!(on_job.last(), Some(finished));

    // Nobody sees anyone else's events.
    let seen_by_alice: HashSet<&str> = alice
        .pushes
        .iter()
        .map(|p| p["push"]["pub"]["data"]["guid"].as_str().unwrap())
        .collect();
    assert!(
        !seen_by_alice.contains(bob_guid.as_str()),
        "bob's job leaked to alice"
    );
    assert!(
        alice.pushes.iter().all(|p| p["push"]["channel"] == exports
            || p["push"]["channel"] == format!("export.{guid}.job")),
        "only subscribed channels"
    );
    // Bob's stream: his own job, on his channel, never alice's (read what is there).
    while let Some(v) = bobs.next(Duration::from_millis(300)).await {
        bobs.pushes.push(v);
    }
    assert!(bobs
        .pushes
        .iter()
        .all(|p| p["push"]["pub"]["data"]["guid"] == bob_guid.as_str()
            && p["push"]["channel"] == bob_exports));
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_tokens_are_refused_and_get_no_events() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    let jwt = socket_jwt(&h, &h.token).await;
    // A JWT with the right claims signed with another key.
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims(&jwt),
        &jsonwebtoken::EncodingKey::from_secret(b"not the server's key"),
    )
    .unwrap();
    let mut tampered = jwt.clone();
    tampered.pop();
    tampered.push(if jwt.ends_with('A') { 'B' } else { 'A' });
    for bad in [
        "",
        "abc",
        "a.b.c",
        forged.as_str(),
        tampered.as_str(),
        "ec_live_nope",
    ] {
        let mut ws = Ws::open(&h, None).await;
        let r = ws
            .command(json!({"id": 7, "connect": {"token": bad}}))
            .await;
        assert!(r.get("connect").is_none(), "{bad:?} accepted: {r}");
        assert!(r["error"]["code"].is_u64(), "{bad:?}: {r}");
        let r = ws
            .command(json!({"id": 8, "subscribe": {"channel": format!("exports:{}", claims(&jwt)["sub"].as_str().unwrap())}}))
            .await;
        assert!(
            r.get("error").is_some(),
            "subscribe without a connection: {r}"
        );
    }
    // An unauthenticated socket gets nothing, even when the user's jobs move.
    let mut ws = Ws::open(&h, None).await;
    let r = ws
        .command(json!({"id": 1, "connect": {"token": forged}}))
        .await;
    assert!(r.get("error").is_some());
    let mut good = Ws::open(&h, None).await;
    good.command(json!({"id": 1, "connect": {"token": jwt}}))
        .await;
    let r = h
        .client
        .post(h.url("/api/v3/job"))
        .header("X-AUTH-TOKEN", &h.token)
        .header("X-Sandbox", "true")
        .json(&json!({"url": steam_url(440)}))
        .send()
        .await
        .unwrap();
    let guid = r.json::<Value>().await.unwrap()["guid"]
        .as_str()
        .unwrap()
        .to_string();
    good.push_until(10, |p| is_event(p, "job.finished", &guid))
        .await;
    assert_eq!(
        ws.next(Duration::from_millis(300)).await,
        None,
        "no events for a refused connection"
    );
    // A wrong X-AUTH-TOKEN on the upgrade is refused before the upgrade.
    let mut req = format!(
        "{}/connection/websocket",
        h.base.replace("http://", "ws://")
    )
    .into_client_request()
    .unwrap();
    req.headers_mut()
        .insert("X-AUTH-TOKEN", "ec_live_wrong".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 401)
        }
        other => panic!("upgrade with a wrong token: {:?}", other.map(|_| ())),
    }
    // The socket token itself needs the API token.
    let r = h
        .client
        .post(h.url("/api/public/auth/socket"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn server_sent_events_stream_the_envelopes_filtered_by_guid() {
    let h = Harness::start(
        vec![SynthApp::new(440, 600), SynthApp::new(441, 200)],
        40,
        |_| {},
    )
    .await;
    let bob = token_for(h.dir.path(), "bob");
    let (all, t1) = sse_reader(sse(&h, &h.token, "").await);
    let (bobs, t2) = sse_reader(sse(&h, &bob, "").await);
    let a = h.create(&steam_url(440), json!({})).await;
    let (only_a, t3) = sse_reader(sse(&h, &h.token, &format!("?guid={a}")).await);
    let b = h.create(&steam_url(441), json!({})).await;
    let r = h
        .client
        .post(h.url("/api/v3/job"))
        .header("X-AUTH-TOKEN", &bob)
        .header("X-Sandbox", "true")
        .json(&json!({"url": steam_url(440)}))
        .send()
        .await
        .unwrap();
    let bob_job = r.json::<Value>().await.unwrap()["guid"]
        .as_str()
        .unwrap()
        .to_string();
    for g in [&a, &b] {
        wait_sse(&all, 30, "job.finished", g).await;
    }
    wait_sse(&only_a, 10, "job.finished", &a).await;
    wait_sse(&bobs, 10, "job.finished", &bob_job).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let all = all.lock().unwrap().clone();
    for (event, v) in &all {
        assert_eq!(&v["event"], event, "event: names the envelope's event");
        assert_eq!(v["version"], "v3-beta");
    }
    for g in [&a, &b] {
        let names: Vec<&str> = all
            .iter()
            .filter(|(_, v)| v["guid"] == g.as_str())
            .map(|(e, _)| e.as_str())
            .collect();
        assert_eq!(names.first(), Some(&"job.created"), "{names:?}");
        assert!(names.contains(&"job.progress"), "{names:?}");
        assert_eq!(names.last(), Some(&"job.finished"), "{names:?}");
        let (_, job) = h.call("GET", &format!("/api/v3/job/{g}"), None).await;
        let (_, fin) = all
            .iter()
            .find(|(e, v)| e == "job.finished" && v["guid"] == g.as_str())
            .unwrap();
        assert_eq!(fin["url"], job["download_link"]);
        assert_eq!(fin["details"]["download_link"], job["download_link"]);
        assert_eq!(fin["details"]["totalExported"], job["totalExported"]);
    }
    assert!(
        all.iter().all(|(_, v)| v["guid"] != bob_job.as_str()),
        "bob's job leaked"
    );
    let only_a = only_a.lock().unwrap().clone();
    assert!(!only_a.is_empty());
    assert!(
        only_a.iter().all(|(_, v)| v["guid"] == a.as_str()),
        "?guid= filters: {only_a:?}"
    );
    let bobs = bobs.lock().unwrap().clone();
    assert!(
        bobs.iter().all(|(_, v)| v["guid"] == bob_job.as_str()),
        "bob sees only his job: {bobs:?}"
    );
    let r = h.client.get(h.url("/api/v3/events")).send().await.unwrap();
    assert_eq!(r.status(), 401, "the stream needs a token");
    for t in [t1, t2, t3] {
        t.abort();
    }
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_and_requeued_jobs_are_pushed() {
    let h = Harness::start(
        vec![SynthApp::new(404, 10).fault(fixtures::Fault::NotFound)],
        0,
        |_| {},
    )
    .await;
    let jwt = socket_jwt(&h, &h.token).await;
    let exports = format!("exports:{}", claims(&jwt)["sub"].as_str().unwrap());
    let mut ws = Ws::open(&h, None).await;
    ws.command(json!({"id": 1, "connect": {"token": jwt}}))
        .await;
    let url = steam_url(404);
    let guid = h.create(&url, json!({})).await;
    ws.push_until(30, |p| is_event(p, "job.failed", &guid))
        .await;
    let (code, _) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/retry"), None)
        .await;
    assert_eq!(code, 200);
    ws.push_until(30, |p| is_event(p, "job.requeued", &guid))
        .await;
    let evs = ws.on(&exports);
    let failed = evs.iter().find(|e| e["event"] == "job.failed").unwrap();
    assert_envelope(failed, "job.failed", &guid, &url);
    assert_eq!(
        (&failed["status"], &failed["url"]),
        (&json!("error"), &Value::Null)
    );
    assert!(
        failed["details"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "details.error: {failed}"
    );
    let requeued = evs.iter().find(|e| e["event"] == "job.requeued").unwrap();
    assert_envelope(requeued, "job.requeued", &guid, &url);
    assert_eq!(requeued["status"], "queueing");
    h.server.unwrap().shutdown().await;
}
