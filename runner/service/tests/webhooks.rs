//! Webhooks as the ExportComments docs describe them ("Webhooks", "Webhook
//! Security"): a local receiver records every delivery and checks each
//! `X-Signature` with its own HMAC-SHA256, independently of the service.

mod receiver;
mod support;

use std::collections::HashSet;
use std::time::Duration;

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

/// `deliveryMethod: webhook` on a schedule: its webhook gets the run's
/// results whether or not it subscribes to `export.finished`, exactly once
/// when it does, and other webhooks only what they subscribe to.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_schedule_delivers_its_results_to_its_own_webhook() {
    let h = Harness::start(vec![SynthApp::new(730, 25)], 0, |_| {}).await;
    let rx = Receiver::start().await;
    // Subscribed to nothing the run finishing sends.
    let target = create_hook(
        &h,
        &rx.url("target"),
        &["export.requeued"],
        "whsec_target_1",
    )
    .await;
    // Subscribed to finished as well as named by the second schedule.
    let both = create_hook(&h, &rx.url("both"), &["export.finished"], "whsec_both_2").await;
    // Named by nobody, subscribed to created only.
    create_hook(
        &h,
        &rx.url("created"),
        &["export.created"],
        "whsec_created_3",
    )
    .await;

    let mut guids = Vec::new();
    for hook in [&target, &both] {
        let (c, s) = h
            .call(
                "POST",
                "/api/v1/schedules",
                Some(json!({
                    "url": steam_url(730),
                    "frequency": "daily",
                    "deliveryMethod": "webhook",
                    "webhook": hook["uuid"],
                })),
            )
            .await;
        assert_eq!(c, 201, "{s}");
        assert_eq!(s["webhook"]["uuid"], hook["uuid"], "{s}");
        let uuid = s["uuid"].as_str().unwrap();
        let (c, run) = h
            .call("POST", &format!("/api/v1/schedules/{uuid}/run-now"), None)
            .await;
        assert_eq!(c, 200, "{run}");
        let guid = run["jobs"][0].as_str().unwrap().to_string();
        h.wait_job(&guid, 30, |j| j["status"] == "done").await;
        guids.push(guid);
    }

    let got = rx.wait_for("target", 1, 10).await;
    let b = got[0].json();
    assert_eq!(
        (b["event"].as_str(), b["guid"].as_str()),
        (Some("export.finished"), Some(guids[0].as_str()))
    );
    assert_eq!(b["comments_count"], 25);
    assert_signed(&got[0], "whsec_target_1");
    // `both` subscribes to finished: both jobs, each once.
    let got = rx.wait_for("both", 2, 10).await;
    let created = rx.wait_for("created", 2, 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.at("target").len(), 1, "the first schedule's job only");
    let mut seen: Vec<String> = rx
        .at("both")
        .iter()
        .map(|d| d.json()["guid"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    let mut want = guids.clone();
    want.sort();
    assert_eq!(seen, want, "once per job, named or subscribed: {got:?}");
    assert!(rx
        .at("created")
        .iter()
        .all(|d| d.json()["event"] == "export.created"));
    assert_eq!(created.len(), 2);
}
