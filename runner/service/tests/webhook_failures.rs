//! Webhook deliveries that fail: retries with exponential backoff, giving
//! up, and suspension after 30 consecutive failures (ExportComments docs,
//! "Webhooks").

mod receiver;
mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fixtures::SynthApp;
use receiver::*;
use serde_json::{json, Value};
use support::{steam_url, Harness};

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
