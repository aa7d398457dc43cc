//! Webhooks as the ExportComments docs describe them ("Webhooks", "Webhook
//! Security"): a local receiver records every delivery and checks each
//! `X-Signature` with its own HMAC-SHA256, independently of the service.

mod receiver;
mod support;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fixtures::{Fault, SynthApp};
use receiver::*;
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_are_signed_and_carry_the_documented_fields() {
    let h = Harness::start(
        vec![
            SynthApp::new(440, 120),
            SynthApp::new(404, 10).fault(Fault::NotFound),
        ],
        0,
        |_| {},
    )
    .await;
    let rx = Receiver::start().await;
    let secret = "whsec_alice_secret_1";
    let hook = create_hook(
        &h,
        &rx.url("all"),
        &["export.created", "export.finished", "export.failed"],
        secret,
    )
    .await;
    assert_eq!(hook["url"], rx.url("all"));
    assert_eq!(
        hook["events"],
        json!(["export.created", "export.finished", "export.failed"])
    );
    assert_eq!(
        (
            &hook["status"],
            &hook["enabled"],
            &hook["isSuspended"],
            &hook["webhookEventsCount"],
            &hook["lastEventAt"]
        ),
        (
            &json!(1),
            &json!(true),
            &json!(false),
            &json!(0),
            &Value::Null
        )
    );
    // A second webhook, finished only, with its own secret.
    let other_secret = "whsec_other_secret_2";
    let other = create_hook(&h, &rx.url("done"), &["export.finished"], other_secret).await;

    let ok = h.create(&steam_url(440), json!({})).await;
    let done = h.wait_job(&ok, 30, |j| j["status"] == "done").await;
    let bad = h.create(&steam_url(404), json!({})).await;
    let failed = h.wait_job(&bad, 30, |j| j["status"] == "error").await;

    let all = rx.wait_for("all", 4, 15).await;
    for d in &all {
        assert_signed(d, secret);
    }
    let bodies: Vec<Value> = all.iter().map(Delivery::json).collect();
    let ids: HashSet<&str> = bodies
        .iter()
        .map(|b| b["message_id"].as_str().expect("message_id"))
        .collect();
    assert_eq!(ids.len(), 4, "message_id unique per delivery: {bodies:?}");
    let of = |event: &str, guid: &str| -> Value {
        let found: Vec<&Value> = bodies
            .iter()
            .filter(|b| b["event"] == event && b["guid"] == guid)
            .collect();
        assert_eq!(found.len(), 1, "{event} of {guid}: {bodies:?}");
        found[0].clone()
    };
    let created = of("export.created", &ok);
    assert_eq!(created["status"], "processing");
    assert_eq!(created["platform"], "steam");
    of("export.created", &bad);
    let finished = of("export.finished", &ok);
    assert_eq!(finished["status"], "done");
    assert_eq!(finished["comments_count"], 120);
    assert_eq!(finished["download_url"], done["download_link"]);
    let (code, xlsx) = h.download(finished["download_url"].as_str().unwrap()).await;
    assert_eq!((code, &xlsx[..2]), (200, &b"PK"[..]), "download_url works");
    let fail = of("export.failed", &bad);
    assert_eq!(fail["status"], "failed");
    let msg = fail["error_message"].as_str().expect("error_message");
    assert!(!msg.is_empty());
    assert_eq!(failed["status"], "error");
    assert!(
        bodies.iter().all(|b| b["event"] != "export.requeued"),
        "not subscribed"
    );

    // The finished-only webhook got exactly its one event, signed with its own secret.
    let done_hook = rx.wait_for("done", 1, 10).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let done_hook_now = rx.at("done");
    assert_eq!(done_hook_now.len(), 1, "one event for the second webhook");
    assert_signed(&done_hook[0], other_secret);
    assert_eq!(done_hook[0].json()["event"], "export.finished");
    assert_eq!(done_hook[0].json()["guid"], ok.as_str());
    assert_ne!(done_hook[0].json()["message_id"], finished["message_id"]);

    // The events list, its filters and the summary.
    let uuid = hook["uuid"].as_str().unwrap();
    let list = wait_events(&h, "", 10, |l| {
        l.len() == 5 && l.iter().all(|e| e["responseCode"] == 200)
    })
    .await;
    for e in &list {
        assert_eq!(e["numberOfCalls"], 1, "{e}");
    }
    let mine = events_where(&h, &format!("?webhook.uuid={uuid}")).await;
    let listed: HashSet<&str> = mine
        .iter()
        .map(|e| e["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed, ids,
        "the events list names the delivered message ids"
    );
    let other_list = events_where(
        &h,
        &format!("?webhook.uuid={}", other["uuid"].as_str().unwrap()),
    )
    .await;
    assert_eq!(other_list.len(), 1);
    assert_eq!(
        other_list[0]["messageId"],
        done_hook[0].json()["message_id"]
    );
    let finished_list = events_where(&h, "?event=export.finished").await;
    assert_eq!(finished_list.len(), 2, "{finished_list:?}");
    let failed_list = events_where(&h, &format!("?webhook.uuid={uuid}&event=export.failed")).await;
    assert_eq!(failed_list.len(), 1);
    assert_eq!(failed_list[0]["messageId"], fail["message_id"]);
    let by_id = events_where(
        &h,
        &format!("?message_id={}", finished["message_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0]["event"], "export.finished");
    assert!(events_where(&h, "?message_id=msg_nothing").await.is_empty());
    let page2 = events_where(&h, "?limit=2&page=3").await;
    assert_eq!(page2.len(), 1, "5 events, 2 a page: page 3 holds one");

    let (code, s) = h.call("GET", "/api/v1/webhooks/summary", None).await;
    assert_eq!(code, 200);
    assert_eq!(
        s,
        json!({"total_webhooks": 2, "active_webhooks": 2, "total_events": 5,
               "successful_deliveries": 5, "failed_deliveries": 0})
    );
    let (_, w) = h
        .call("GET", &format!("/api/v1/webhooks/{uuid}"), None)
        .await;
    assert_eq!(w["webhookEventsCount"], 4, "{w}");
    assert!(w["lastEventAt"].is_string(), "{w}");

    // Resend: the same body (same message_id, for idempotency) arrives again, signed.
    let event_uuid = by_id[0]["uuid"].as_str().unwrap();
    let (code, r) = h
        .call(
            "POST",
            &format!("/api/v1/webhooks/events/{event_uuid}/resend"),
            None,
        )
        .await;
    assert_eq!(
        (code, r),
        (
            200,
            json!({"message": "Webhook event queued for redelivery"})
        )
    );
    let again = rx.wait_for("all", 5, 10).await;
    assert_signed(&again[4], secret);
    assert_eq!(
        again[4].body,
        all.iter()
            .find(|d| d.json()["message_id"] == finished["message_id"])
            .unwrap()
            .body
    );
    wait_events(
        &h,
        &format!("?message_id={}", finished["message_id"].as_str().unwrap()),
        10,
        |l| l.len() == 1 && l[0]["numberOfCalls"] == 2,
    )
    .await;

    // Another user sees none of it and can touch none of it.
    let bob = token_for(h.dir.path(), "bob");
    for (method, path) in [
        ("GET", format!("/api/v1/webhooks/{uuid}")),
        ("PATCH", format!("/api/v1/webhooks/{uuid}/toggle")),
        ("DELETE", format!("/api/v1/webhooks/{uuid}")),
        (
            "POST",
            format!("/api/v1/webhooks/events/{event_uuid}/resend"),
        ),
    ] {
        let (code, e) = h.call_as(&bob, method, &path, None).await;
        assert_eq!(code, 404, "{method} {path} as bob: {e}");
        assert_eq!(e["status_code"], 404);
    }
    let (code, e) = h
        .call_as(
            &bob,
            "PATCH",
            &format!("/api/v1/webhooks/{uuid}"),
            Some(json!({"url": "https://evil.example/x"})),
        )
        .await;
    assert_eq!(code, 404, "{e}");
    let (_, l) = h.call_as(&bob, "GET", "/api/v1/webhooks", None).await;
    assert_eq!(l, json!([]));
    let (_, l) = h
        .call_as(
            &bob,
            "GET",
            &format!("/api/v1/webhooks/events?webhook.uuid={uuid}"),
            None,
        )
        .await;
    assert_eq!(l, json!([]));
    let (_, s) = h
        .call_as(&bob, "GET", "/api/v1/webhooks/summary", None)
        .await;
    assert_eq!(s["total_events"], 0);
    // Alice's hook is unchanged.
    let (_, w) = h
        .call("GET", &format!("/api/v1/webhooks/{uuid}"), None)
        .await;
    assert_eq!(
        (&w["url"], &w["enabled"]),
        (&json!(rx.url("all")), &json!(true))
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_deliveries_are_retried_with_backoff_then_given_up() {
    let h = Harness::start(vec![SynthApp::new(440, 30)], 0, |c| {
        c.webhook_backoff = Duration::from_millis(150);
        c.webhook_attempts = 3;
    })
    .await;
    let rx = Receiver::start().await;
    rx.state.flaky_fail_first.store(2, Ordering::SeqCst);
    let secret = "whsec_flaky_secret";
    let flaky = create_hook(&h, &rx.url("flaky"), &["export.finished"], secret).await;
    let down = create_hook(&h, &rx.url("down"), &["export.finished"], secret).await;
    let guid = h.create(&steam_url(440), json!({})).await;
    h.wait_job(&guid, 30, |j| j["status"] == "done").await;

    // Watch the flaky webhook's delivery: calls grow while it answers 500, then it lands.
    let q = format!("?webhook.uuid={}", flaky["uuid"].as_str().unwrap());
    let mut seen: Vec<(i64, Value)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let l = events_where(&h, &q).await;
        assert_eq!(l.len(), 1, "one delivery, retried in place: {l:?}");
        let now = (
            l[0]["numberOfCalls"].as_i64().unwrap(),
            l[0]["responseCode"].clone(),
        );
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now.0 >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "{seen:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        seen.last().unwrap(),
        &(3, json!(200)),
        "third call succeeds: {seen:?}"
    );
    assert!(
        seen.contains(&(1, json!(500))) || seen.contains(&(2, json!(500))),
        "failures are listed with their code while retrying: {seen:?}"
    );
    let calls = rx.at("flaky");
    assert_eq!(calls.len(), 3);
    for c in &calls {
        assert_signed(c, secret);
        assert_eq!(c.body, calls[0].body, "a retry resends the same body");
    }
    // Exponential backoff: 150 ms, then 300 ms.
    let gap1 = calls[1].at - calls[0].at;
    let gap2 = calls[2].at - calls[1].at;
    assert!(gap1 >= Duration::from_millis(140), "{gap1:?}");
    assert!(gap2 >= Duration::from_millis(290), "{gap2:?}");

    // The endpoint that stays down gets exactly `webhook_attempts` calls, then the
    // delivery is marked failed.
    rx.wait_for("down", 3, 15).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(rx.at("down").len(), 3, "no call past the last attempt");
    let q = format!("?webhook.uuid={}", down["uuid"].as_str().unwrap());
    let l = events_where(&h, &q).await;
    assert_eq!(
        (&l[0]["numberOfCalls"], &l[0]["responseCode"]),
        (&json!(3), &json!(500))
    );
    let (_, s) = h.call("GET", "/api/v1/webhooks/summary", None).await;
    assert_eq!(
        s,
        json!({"total_webhooks": 2, "active_webhooks": 2, "total_events": 2,
               "successful_deliveries": 1, "failed_deliveries": 1})
    );
    // Resending the failed one after the endpoint recovers delivers it.
    rx.state.down_ok.store(true, Ordering::SeqCst);
    let (code, _) = h
        .call(
            "POST",
            &format!(
                "/api/v1/webhooks/events/{}/resend",
                l[0]["uuid"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(code, 200);
    rx.wait_for("down", 4, 10).await;
    wait_events(&h, &q, 10, |l| l[0]["responseCode"] == 200).await;
    let (_, s) = h.call("GET", "/api/v1/webhooks/summary", None).await;
    assert_eq!(
        (&s["successful_deliveries"], &s["failed_deliveries"]),
        (&json!(2), &json!(0))
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_consecutive_failures_suspend_and_toggle_reenables() {
    // No backoff: every poll retries, so 30 failures take well under a second.
    let h = Harness::start(vec![], 0, |c| {
        c.webhook_backoff = Duration::ZERO;
        c.webhook_attempts = 20;
    })
    .await;
    let rx = Receiver::start().await;
    let secret = "whsec_suspend_secret";
    let hook = create_hook(&h, &rx.url("down"), &["export.finished"], secret).await;
    let uuid = hook["uuid"].as_str().unwrap();
    let path = format!("/api/v1/webhooks/{uuid}");

    // First event: 20 failed attempts, given up; 20 failures in a row, not suspended yet.
    let first = sandbox_job(&h).await;
    rx.wait_for("down", 20, 15).await;
    wait_events(&h, "", 10, |l| l.len() == 1 && l[0]["numberOfCalls"] == 20).await;
    let (_, w) = h.call("GET", &path, None).await;
    assert_eq!(
        (&w["status"], &w["isSuspended"]),
        (&json!(1), &json!(false)),
        "20 failures: {w}"
    );
    // Second event: 10 more failures make 30 → suspended; its delivery waits.
    let second = sandbox_job(&h).await;
    rx.wait_for("down", 30, 15).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let w = loop {
        let (_, w) = h.call("GET", &path, None).await;
        if w["status"] == 2 || Instant::now() > deadline {
            break w;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(
        (&w["status"], &w["enabled"], &w["isSuspended"]),
        (&json!(2), &json!(false), &json!(true)),
        "suspended after 30 consecutive failures: {w}"
    );
    // No further deliveries while suspended: not the pending one, not new events.
    let third = sandbox_job(&h).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let calls = rx.at("down");
    assert_eq!(calls.len(), 30, "nothing delivered while suspended");
    let guids: Vec<Value> = calls.iter().map(|c| c.json()["guid"].clone()).collect();
    assert!(guids[..20].iter().all(|g| g == first.as_str()));
    assert!(guids[20..].iter().all(|g| g == second.as_str()));
    let (_, s) = h.call("GET", "/api/v1/webhooks/summary", None).await;
    assert_eq!(s["active_webhooks"], 0, "{s}");
    assert_eq!(s["failed_deliveries"], 1, "{s}");

    // Fixed endpoint + toggle → enabled, counter reset; deliveries flow again.
    rx.state.down_ok.store(true, Ordering::SeqCst);
    let (code, t) = h.call("PATCH", &format!("{path}/toggle"), None).await;
    assert_eq!(code, 200);
    assert_eq!(t, json!({"uuid": uuid, "enabled": true, "status": 1}));
    let (_, w) = h.call("GET", &path, None).await;
    assert_eq!(w["isSuspended"], false);
    let fourth = sandbox_job(&h).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got: Vec<Value> = rx.at("down").iter().map(|c| c.json()).collect();
        if got.iter().any(|b| b["guid"] == fourth.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "no delivery after re-enabling");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for c in &rx.at("down")[30..] {
        assert_signed(c, secret);
        assert_ne!(
            c.json()["guid"],
            third.as_str(),
            "events of the suspension are not queued"
        );
    }
    // Toggle again: disabled, and events are not delivered.
    let (_, t) = h.call("PATCH", &format!("{path}/toggle"), None).await;
    assert_eq!(t, json!({"uuid": uuid, "enabled": false, "status": 0}));
    let before = rx.at("down").len();
    sandbox_job(&h).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        rx.at("down").len(),
        before,
        "a disabled webhook gets nothing"
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_is_rejected_with_precise_errors() {
    let h = Harness::start(vec![], 0, |c| c.limits.webhooks = 3).await;
    let ok = |over: Value| {
        let mut b = json!({"url": "https://hooks.example.com/in", "events": ["export.finished"],
                           "signingSecret": "whsec_long_enough"});
        for (k, v) in over.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    for (body, why) in [
        (
            ok(json!({"url": "http://hooks.example.com/in"})),
            "http:// to another host",
        ),
        (ok(json!({"url": "ftp://127.0.0.1/in"})), "not http(s)"),
        (ok(json!({"url": "not a url"})), "not a URL"),
        (ok(json!({"url": 5})), "url not a string"),
        (ok(json!({"url": null})), "url missing"),
        (ok(json!({"events": ["export.deleted"]})), "unknown event"),
        (ok(json!({"events": []})), "no events"),
        (
            ok(json!({"events": "export.finished"})),
            "events not an array",
        ),
        (ok(json!({"events": [1]})), "event not a string"),
        (ok(json!({"events": null})), "events missing"),
        (ok(json!({"signingSecret": "short"})), "short secret"),
        (
            ok(json!({"signingSecret": 12345678})),
            "secret not a string",
        ),
        (ok(json!({"signingSecret": null})), "secret missing"),
        (ok(json!({"enabled": "yes"})), "enabled not a boolean"),
        (ok(json!({"color": "red"})), "unknown field"),
        (json!(["export.finished"]), "body not an object"),
    ] {
        let (code, e) = h.call("POST", "/api/v1/webhooks", Some(body.clone())).await;
        assert_eq!(
            (code, e["error_code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{why}: {body} → {e}"
        );
        assert_eq!(e["status_code"], 422, "{why}");
        assert!(
            e["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{why}: {e}"
        );
    }
    let (_, l) = h.call("GET", "/api/v1/webhooks", None).await;
    assert_eq!(l, json!([]), "nothing was created");

    // Local plain-HTTP receivers and HTTPS URLs are accepted; a disabled one too.
    let (code, local) = h
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(ok(json!({"url": "http://127.0.0.1:9/in"}))),
        )
        .await;
    assert_eq!(code, 201, "{local}");
    let (code, off) = h
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(ok(json!({"enabled": false}))),
        )
        .await;
    assert_eq!(code, 201);
    assert_eq!(
        (&off["enabled"], &off["status"]),
        (&json!(false), &json!(0))
    );
    let (code, third) = h
        .call("POST", "/api/v1/webhooks", Some(ok(json!({}))))
        .await;
    assert_eq!(code, 201);
    let (code, e) = h
        .call("POST", "/api/v1/webhooks", Some(ok(json!({}))))
        .await;
    assert_eq!(code, 403, "over the configured limit: {e}");

    // Updates are validated the same way and change only what they name.
    let path = format!("/api/v1/webhooks/{}", local["uuid"].as_str().unwrap());
    for body in [
        json!({"events": ["export.nope"]}),
        json!({"url": "http://example.org/x"}),
        json!({"signingSecret": "tiny"}),
        json!({"enabled": 1}),
        json!({"uuid": "x"}),
    ] {
        let (code, e) = h.call("PATCH", &path, Some(body.clone())).await;
        assert_eq!(code, 422, "{body} → {e}");
    }
    let (code, w) = h
        .call(
            "PATCH",
            &path,
            Some(json!({"events": ["export.created", "export.requeued"], "signingSecret": "whsec_rotated_1"})),
        )
        .await;
    assert_eq!(code, 200, "{w}");
    assert_eq!(w["events"], json!(["export.created", "export.requeued"]));
    assert_eq!(w["url"], "http://127.0.0.1:9/in");
    assert!(!w.to_string().contains("whsec_"), "secret never shown: {w}");
    let (_, list) = h
        .call("GET", "/api/v1/webhooks?query=127.0.0.1", None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert!(!list.to_string().contains("whsec_"));
    let (code, _) = h.call("GET", "/api/v1/webhooks?limit=31", None).await;
    assert_eq!(code, 422);
    let (code, _) = h.call("GET", "/api/v1/webhooks/events?page=0", None).await;
    assert_eq!(code, 422);
    // Unknown and malformed ids answer 404; delete cascades.
    let (code, _) = h
        .call(
            "GET",
            &format!("/api/v1/webhooks/{}", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(code, 404);
    let (code, _) = h.call("GET", "/api/v1/webhooks/nope", None).await;
    assert_eq!(code, 404);
    let (code, _) = h
        .call(
            "POST",
            &format!("/api/v1/webhooks/events/{}/resend", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(code, 404);
    let tpath = format!("/api/v1/webhooks/{}", third["uuid"].as_str().unwrap());
    let (code, _) = h.call("DELETE", &tpath, None).await;
    assert_eq!(code, 204);
    let (code, _) = h.call("GET", &tpath, None).await;
    assert_eq!(code, 404);
    let (code, _) = h.call("DELETE", &tpath, None).await;
    assert_eq!(code, 404);
    // Without a token nothing is reachable.
    let r = h
        .client
        .get(h.url("/api/v1/webhooks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retry_of_a_failed_job_sends_export_requeued() {
    let h = Harness::start(
        vec![SynthApp::new(404, 10).fault(Fault::NotFound)],
        0,
        |_| {},
    )
    .await;
    let rx = Receiver::start().await;
    let secret = "whsec_requeue_secret";
    create_hook(
        &h,
        &rx.url("all"),
        &["export.failed", "export.requeued"],
        secret,
    )
    .await;
    let guid = h.create(&steam_url(404), json!({})).await;
    h.wait_job(&guid, 30, |j| j["status"] == "error").await;
    let (code, j) = h
        .call("PATCH", &format!("/api/v3/job/{guid}/retry"), None)
        .await;
    assert_eq!(code, 200, "{j}");
    // failed, requeued, failed again (deliveries due together are sent
    // concurrently: the docs promise no order, so compare as a multiset).
    let got = rx.wait_for("all", 3, 20).await;
    let mut events: Vec<String> = got
        .iter()
        .map(|d| d.json()["event"].as_str().unwrap().to_string())
        .collect();
    events.sort();
    assert_eq!(
        events,
        ["export.failed", "export.failed", "export.requeued"]
    );
    for d in &got {
        assert_signed(d, secret);
        assert_eq!(d.json()["guid"], guid.as_str());
    }
    let requeued = got
        .iter()
        .map(|d| d.json())
        .find(|b| b["event"] == "export.requeued")
        .unwrap();
    assert_eq!(requeued["status"], "queueing");
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_resend_changes_nothing() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    let rx = Receiver::start().await;
    let hook = create_hook(
        &h,
        &rx.url("all"),
        &["export.finished"],
        "whsec_resend_secret",
    )
    .await;
    let path = format!("/api/v1/webhooks/{}", hook["uuid"].as_str().unwrap());
    sandbox_job(&h).await;
    rx.wait_for("all", 1, 10).await;
    let l = wait_events(&h, "", 10, |l| l.len() == 1 && l[0]["responseCode"] == 200).await;
    let (_, t) = h.call("PATCH", &format!("{path}/toggle"), None).await;
    assert_eq!(t["enabled"], false);
    let (code, e) = h
        .call(
            "POST",
            &format!(
                "/api/v1/webhooks/events/{}/resend",
                l[0]["uuid"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(code, 400, "refused while disabled: {e}");
    let (_, t) = h.call("PATCH", &format!("{path}/toggle"), None).await;
    assert_eq!(t["enabled"], true);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rx.at("all").len(),
        1,
        "the refused resend was delivered after re-enabling"
    );
    h.server.unwrap().shutdown().await;
}
