//! Proxy pools (`/api/v1/proxies`): the documented object and CSV format,
//! credentials never shown, jobs exiting through a pool (`options.pool`) or
//! a pool tagged with their `options.vpn` location, and each proxy's health.

mod support;

use fixtures::{ForwardProxy, SynthApp};
use serde_json::{json, Value};
use support::{steam_url, token_for, Harness};

async fn pool(h: &Harness, name: &str, proxies: &str, location: Option<&str>) -> Value {
    let mut body = json!({"name": name, "proxies": proxies});
    if let Some(l) = location {
        body["location"] = json!(l);
    }
    let (c, p) = h.call("POST", "/api/v1/proxies", Some(body)).await;
    assert_eq!(c, 201, "{p}");
    p
}

async fn get_pool(h: &Harness, uuid: &Value) -> Value {
    let (c, p) = h
        .call(
            "GET",
            &format!("/api/v1/proxies/{}", uuid.as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(c, 200, "{p}");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documented_object_and_secrets_never_shown() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    let p = pool(
        &h,
        "My Residential Proxies",
        "http://192.168.1.1:8080;user;pass\nhttps://proxy2.com:3128;;\n\nsocks5://10.0.0.1:1080;admin;s3cret",
        None,
    )
    .await;
    assert_eq!(p["name"], "My Residential Proxies");
    assert_eq!(p["proxyCount"], 3);
    assert!(p["createdAt"].as_str().unwrap().ends_with("+00:00"));
    uuid::Uuid::parse_str(p["uuid"].as_str().unwrap()).unwrap();
    let addresses: Vec<&str> = p["proxies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        [
            "http://192.168.1.1:8080",
            "https://proxy2.com:3128",
            "socks5://10.0.0.1:1080"
        ]
    );
    assert_eq!(p["proxies"][0]["auth"], true);
    assert_eq!(p["proxies"][1]["auth"], false);
    assert_eq!(p["proxies"][0]["failures"], 0);
    let got = get_pool(&h, &p["uuid"]).await;
    assert_eq!(got, p);
    let (_, list) = h.call("GET", "/api/v1/proxies", None).await;
    assert_eq!(list, json!([p]));
    for shown in [got.to_string(), list.to_string()] {
        assert!(
            !shown.contains("s3cret") && !shown.contains("pass"),
            "{shown}"
        );
    }
    // PATCH: only what is given changes.
    let uuid = p["uuid"].as_str().unwrap();
    let (c, u) = h
        .call(
            "PATCH",
            &format!("/api/v1/proxies/{uuid}"),
            Some(json!({"name": "Updated Pool Name"})),
        )
        .await;
    assert_eq!(c, 200, "{u}");
    assert_eq!(
        (u["name"].as_str(), u["proxyCount"].as_i64()),
        (Some("Updated Pool Name"), Some(3))
    );
    let (c, u) = h
        .call(
            "PATCH",
            &format!("/api/v1/proxies/{uuid}"),
            Some(json!({"proxies": ["http://10.1.1.1:3128;;"], "location": "Norway"})),
        )
        .await;
    assert_eq!(c, 200, "{u}");
    assert_eq!(
        (u["proxyCount"].as_i64(), u["location"].as_str()),
        (Some(1), Some("Norway"))
    );
    assert_eq!(u["name"], "Updated Pool Name");
    let (c, _) = h
        .call("DELETE", &format!("/api/v1/proxies/{uuid}"), None)
        .await;
    assert_eq!(c, 204);
    let (c, _) = h
        .call("GET", &format!("/api/v1/proxies/{uuid}"), None)
        .await;
    assert_eq!(c, 404);
    // A job naming a deleted pool is refused.
    let (c, e) = h
        .call(
            "POST",
            "/api/v3/job",
            Some(json!({"url": steam_url(1), "options": {"pool": uuid}})),
        )
        .await;
    assert_eq!(
        (c, e["error_code"].as_str()),
        (422, Some("VALIDATION_ERROR")),
        "{e}"
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_unknown_ids_and_other_tokens() {
    let h = Harness::start(vec![], 0, |_| {}).await;
    for body in [
        json!({"proxies": "http://h:1;;"}),
        json!({"name": "x"}),
        json!({"name": 5, "proxies": "http://h:1;;"}),
        json!({"name": "", "proxies": "http://h:1;;"}),
        json!({"name": "x", "proxies": 5}),
        json!({"name": "x", "proxies": [5]}),
        json!({"name": "x", "proxies": ""}),
        json!({"name": "x", "proxies": "ftp://h:21;;"}),
        json!({"name": "x", "proxies": "http://h;;"}),
        json!({"name": "x", "proxies": "h:8080"}),
        json!({"name": "x", "proxies": "http://h:1;;", "location": 3}),
        json!({"name": "x", "proxies": "http://h:1;;", "extra": 1}),
        json!("x"),
    ] {
        let (c, e) = h.call("POST", "/api/v1/proxies", Some(body.clone())).await;
        assert_eq!(
            (c, e["error_code"].as_str()),
            (422, Some("VALIDATION_ERROR")),
            "{body} → {e}"
        );
    }
    let p = pool(&h, "mine", "http://h:1;u;topsecret", None).await;
    let uuid = p["uuid"].as_str().unwrap().to_string();
    let (c, e) = h
        .call(
            "PATCH",
            &format!("/api/v1/proxies/{uuid}"),
            Some(json!({"proxies": "http://h:1;u;topsecret\nnope;u;topsecret"})),
        )
        .await;
    assert_eq!(c, 422);
    assert!(!e.to_string().contains("topsecret"), "{e}");
    let bob = token_for(h.dir.path(), "bob");
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"name": "b"}))),
        ("DELETE", None),
    ] {
        for id in [uuid::Uuid::new_v4().to_string(), "nope".to_string()] {
            let (c, _) = h
                .call(method, &format!("/api/v1/proxies/{id}"), body.clone())
                .await;
            assert_eq!(c, 404, "{method} {id}");
        }
        let (c, _) = h
            .call_as(
                &bob,
                method,
                &format!("/api/v1/proxies/{uuid}"),
                body.clone(),
            )
            .await;
        assert_eq!(c, 404, "bob {method}");
    }
    let (c, list) = h.call_as(&bob, "GET", "/api/v1/proxies", None).await;
    assert_eq!((c, list), (200, json!([])));
    // Bob cannot run a job through Alice's pool.
    let (c, e) = h
        .call_as(
            &bob,
            "POST",
            "/api/v3/job",
            Some(json!({"url": steam_url(1), "options": {"pool": uuid}})),
        )
        .await;
    assert_eq!(c, 422, "{e}");
    assert_eq!(get_pool(&h, &p["uuid"]).await["name"], "mine");
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_exit_through_their_pool_and_health_is_counted() {
    let h = Harness::start(
        vec![SynthApp::new(440, 30), SynthApp::new(441, 30)],
        0,
        |c| c.workers = 1,
    )
    .await;
    let good = ForwardProxy::start(Some(("alice", "s3cret")), None).unwrap();
    let mut dead = ForwardProxy::start(None, None).unwrap();
    dead.kill();
    let good_line = format!("http://{};alice;s3cret", good.addr());
    let dead_line = format!("http://{};;", dead.addr());

    let p = pool(&h, "good", &good_line, None).await;
    let guid = h.create(&steam_url(440), json!({"pool": p["uuid"]})).await;
    let job = h.wait_job(&guid, 30, |j| j["status"] == "done").await;
    assert_eq!(job["totalExported"], 30);
    assert_eq!(job["options"]["pool"], p["uuid"]);
    assert!(good.served() > 0, "the export went through the proxy");
    assert!(
        good.targets().iter().all(|t| t.contains("127.0.0.1")),
        "{:?}",
        good.targets()
    );
    let health = &get_pool(&h, &p["uuid"]).await["proxies"][0];
    assert_eq!(
        (health["successes"].as_i64(), health["failures"].as_i64()),
        (Some(1), Some(0)),
        "{health}"
    );
    assert!(health["lastUsedAt"].is_string());

    // A pool whose first proxy is dead: the first job fails through it, the
    // next one is given the healthy proxy.
    let mixed = pool(&h, "mixed", &format!("{dead_line}\n{good_line}"), None).await;
    let served = good.served();
    let g1 = h
        .create(&steam_url(441), json!({"pool": mixed["uuid"]}))
        .await;
    let j1 = h.wait_job(&g1, 30, |j| j["status"] == "error").await;
    assert_eq!(j1["errorCode"], "network", "{j1}");
    assert!(!j1.to_string().contains("s3cret"));
    let g2 = h
        .create(&steam_url(441), json!({"pool": mixed["uuid"]}))
        .await;
    h.wait_job(&g2, 30, |j| j["status"] == "done").await;
    assert!(good.served() > served);
    let m = get_pool(&h, &mixed["uuid"]).await;
    let (d, g) = (&m["proxies"][0], &m["proxies"][1]);
    assert_eq!(
        (d["failures"].as_i64(), d["consecutiveFailures"].as_i64()),
        (Some(1), Some(1)),
        "{m}"
    );
    assert_eq!(d["lastError"], "network");
    assert_eq!(
        (g["successes"].as_i64(), g["failures"].as_i64()),
        (Some(1), Some(0)),
        "{m}"
    );
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vpn_locations_pick_a_pool_tagged_with_them() {
    let h = Harness::start(vec![SynthApp::new(440, 10)], 0, |c| {
        c.vpn_locations = vec![service::VpnLocation {
            name: "Norway".into(),
            code: "NO".into(),
            proxy: None,
        }]
    })
    .await;
    let norway = ForwardProxy::start(None, None).unwrap();
    let atlantis = ForwardProxy::start(None, None).unwrap();
    // No pool for Atlantis yet, and it is not a configured location.
    let (c, _) = h
        .call(
            "POST",
            "/api/v3/job",
            Some(json!({"url": steam_url(440), "options": {"vpn": "Atlantis"}})),
        )
        .await;
    assert_eq!(c, 422);
    pool(
        &h,
        "oslo",
        &format!("http://{};;", norway.addr()),
        Some("Norway"),
    )
    .await;
    pool(
        &h,
        "atl",
        &format!("http://{};;", atlantis.addr()),
        Some("atlantis"),
    )
    .await;
    // By code: the configured location's pool.
    let g = h.create(&steam_url(440), json!({"vpn": "NO"})).await;
    h.wait_job(&g, 30, |j| j["status"] == "done").await;
    assert!(norway.served() > 0);
    assert_eq!(atlantis.served(), 0);
    // A location only a pool names.
    let g = h.create(&steam_url(440), json!({"vpn": "Atlantis"})).await;
    h.wait_job(&g, 30, |j| j["status"] == "done").await;
    assert!(atlantis.served() > 0);
    // Bob has no such pool.
    let bob = token_for(h.dir.path(), "bob");
    let (c, _) = h
        .call_as(
            &bob,
            "POST",
            "/api/v3/job",
            Some(json!({"url": steam_url(440), "options": {"vpn": "Atlantis"}})),
        )
        .await;
    assert_eq!(c, 422);
    h.server.unwrap().shutdown().await;
}

/// The SQL of schedules, pools and tasks on PostgreSQL: updates, pool
/// picks with their conflict clause, pending-only task updates.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn automation_on_postgres() {
    let Some(db) = support::fresh_database().await else {
        return;
    };
    let d = db.clone();
    let h = Harness::start_with_token(
        vec![SynthApp::new(440, 10)],
        0,
        |c| c.database = Some(db.clone()),
        move |_| support::token_in(&d, "alice"),
    )
    .await;
    let proxy = ForwardProxy::start(Some(("u", "p")), None).unwrap();
    let p = pool(&h, "pg", &format!("http://{};u;p", proxy.addr()), None).await;
    let uuid = p["uuid"].as_str().unwrap();
    let (c, u) = h
        .call(
            "PATCH",
            &format!("/api/v1/proxies/{uuid}"),
            Some(json!({"name": "pg2", "location": "Oslo"})),
        )
        .await;
    assert_eq!(
        (c, u["name"].as_str(), u["location"].as_str()),
        (200, Some("pg2"), Some("Oslo")),
        "{u}"
    );
    let g = h.create(&steam_url(440), json!({"pool": uuid})).await;
    h.wait_job(&g, 30, |j| j["status"] == "done").await;
    let g = h.create(&steam_url(440), json!({"vpn": "oslo"})).await;
    h.wait_job(&g, 30, |j| j["status"] == "done").await;
    assert_eq!(get_pool(&h, &p["uuid"]).await["proxies"][0]["successes"], 2);
    assert!(proxy.served() > 0);

    let (c, s) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(
                json!({"url": steam_url(440), "frequency": "daily", "exportOptions": {"limit": 3}}),
            ),
        )
        .await;
    assert_eq!(c, 201, "{s}");
    let su = s["uuid"].as_str().unwrap();
    let (c, u) = h
        .call(
            "PUT",
            &format!("/api/v1/schedules/{su}"),
            Some(json!({"frequency": "monthly", "name": "m"})),
        )
        .await;
    assert_eq!((c, u["frequency"].as_str()), (200, Some("monthly")), "{u}");
    assert_ne!(u["nextRunAt"], s["nextRunAt"]);
    let (c, n) = h
        .call("POST", &format!("/api/v1/schedules/{su}/run-now"), None)
        .await;
    assert_eq!(c, 200);
    h.wait_job(n["jobs"][0].as_str().unwrap(), 30, |j| {
        j["status"] == "done"
    })
    .await;

    let (c, t) = h
        .call(
            "POST",
            "/api/tasks",
            Some(json!({"group_id": "77", "max_posts": 5, "priority": 3})),
        )
        .await;
    assert_eq!(c, 201, "{t}");
    let id = t["data"]["id"].as_i64().unwrap();
    // Pending or already taken: either the update lands or it is refused, never a store error.
    let (c, _) = h
        .call(
            "PUT",
            &format!("/api/tasks/{id}"),
            Some(json!({"group_name": "g", "max_posts": 9})),
        )
        .await;
    assert!(c == 200 || c == 403, "{c}");
    h.server.unwrap().shutdown().await;
}
