//! Webhook endpoints given bad input: every case answers a precise error
//! and changes nothing.

mod support;

use serde_json::{json, Value};
use support::Harness;

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
