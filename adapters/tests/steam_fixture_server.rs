//! The Steam adapter against the synthetic Steam API of the offline fixture
//! server (127.0.0.1 only): ground truth, resume, injected faults, requests.

mod steam_support;

use std::time::{Duration, Instant};

use engine::{Error, JobOptions, Kind, Sort};
use fixtures::{steam_cursor, steam_review, Fault, SynthApp};
use serde_json::Value;
use steam_support::{assert_ground_truth, context, records, run, synth_server, time, DEV_EVERY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_review_exactly_once_with_developer_replies() {
    let apps = [1_000_010, 1_000_020, 1_000_030];
    let server = synth_server(
        apps.iter()
            .map(|&a| SynthApp::new(a, 250).dev_response_every(DEV_EVERY))
            .collect(),
    )
    .await;
    let runs = apps.map(|appid| {
        let ctx = context(&server, JobOptions::new());
        async move { (appid, run(ctx, appid, None).await) }
    });
    for (appid, (pages, error)) in futures::future::join_all(runs).await {
        assert!(error.is_none(), "{error:?}");
        // 100 + 100 + 50 reviews, then the end page (no reviews, same cursor).
        let sizes: Vec<usize> = pages
            .iter()
            .map(|p| p.records.iter().filter(|r| r.is_top_level()).count())
            .collect();
        assert_eq!(sizes, [100, 100, 50, 0], "app {appid}");
        assert_eq!(pages[0].total_hint, Some(250));
        assert!(pages[..3].iter().all(|p| p.next.is_some()));
        assert!(pages[3].is_last());
        assert_eq!(pages[1].next, Some(Value::from(steam_cursor(appid, 200))));
        assert_ground_truth(&records(&pages), appid, 0..250, true);
    }
    assert_eq!(server.hits("/appreviews/"), 12);
}

#[tokio::test]
async fn replies_off_gives_reviews_only() {
    let server = synth_server(vec![SynthApp::new(1_000_010, 30).dev_response_every(3)]).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().replies(false)),
        1_000_010,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.len(), 30);
    assert!(all.iter().all(|r| r.kind == Kind::Review));
}

#[tokio::test]
async fn resume_from_a_middle_cursor_gives_exactly_the_rest() {
    let server = synth_server(vec![
        SynthApp::new(1_000_010, 250).dev_response_every(DEV_EVERY)
    ])
    .await;
    let (pages, _) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    let middle = pages[0].next.clone().expect("cursor after the first page");
    assert_eq!(middle, Value::from(steam_cursor(1_000_010, 100)));
    let (rest, error) = run(context(&server, JobOptions::new()), 1_000_010, Some(middle)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[0].total_hint, None, "Steam only totals the first page");
    assert_ground_truth(&records(&rest), 1_000_010, 100..250, true);

    let (_, error) = run(
        context(&server, JobOptions::new()),
        1_000_010,
        Some(Value::from(7)),
    )
    .await;
    assert_eq!(error.map(|e| e.kind()), Some("checkpoint"));
}

#[tokio::test]
async fn retry_after_429_is_waited_out() {
    let fault = Fault::TooManyRequests {
        page: 1,
        times: 1,
        retry_after_secs: 1,
    };
    let server = synth_server(vec![SynthApp::new(1_000_010, 150)
        .dev_response_every(DEV_EVERY)
        .fault(fault)])
    .await;
    let started = Instant::now();
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_ground_truth(&records(&pages), 1_000_010, 0..150, true);
    assert_eq!(
        server.hits("/appreviews/1000010"),
        4,
        "3 pages + 1 refused request"
    );
}

#[tokio::test]
async fn reset_mid_body_and_server_errors_are_retried() {
    let app = SynthApp::new(1_000_010, 120)
        .dev_response_every(DEV_EVERY)
        .fault(Fault::ResetMidBody { page: 0, times: 2 })
        .fault(Fault::ServerError { page: 1, times: 1 });
    let server = synth_server(vec![app]).await;
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_ground_truth(&records(&pages), 1_000_010, 0..120, true);
    assert_eq!(server.hits("/appreviews/1000010"), 3 + 3);
}

#[tokio::test]
async fn persistent_malformed_page_is_a_parse_error() {
    let fault = Fault::Malformed {
        page: 1,
        times: usize::MAX,
    };
    let server = synth_server(vec![SynthApp::new(1_000_010, 250).fault(fault)]).await;
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert_eq!(pages.len(), 1, "the first page is fine");
    match error {
        Some(Error::Parse {
            platform,
            url,
            excerpt,
            ..
        }) => {
            assert_eq!(platform, "steam");
            assert!(url.contains("/appreviews/1000010"), "{url}");
            assert!(!excerpt.is_empty());
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_app_is_not_found() {
    let server = synth_server(vec![SynthApp::new(1_000_040, 10).fault(Fault::NotFound)]).await;
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_040, None).await;
    assert!(pages.is_empty());
    match error {
        Some(Error::NotFound {
            platform, detail, ..
        }) => {
            assert_eq!(platform, "steam");
            assert_eq!(detail, "Steam answered success=2 (unknown or removed app)");
        }
        other => panic!("expected not found, got {other:?}"),
    }
    // An app the server has no route for answers HTTP 404: not found as well.
    let (_, error) = run(context(&server, JobOptions::new()), 1_000_099, None).await;
    assert_eq!(error.map(|e| e.kind()), Some("not_found"));
}

#[tokio::test]
async fn requests_carry_the_cursor_percent_encoded() {
    let server = synth_server(vec![SynthApp::new(1_000_010, 150)]).await;
    let (_, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("GET", "/appreviews/1000010")
        );
        for (name, value) in [
            ("json", "1"),
            ("num_per_page", "100"),
            ("filter", "recent"),
            ("language", "all"),
            ("review_type", "all"),
            ("purchase_type", "all"),
        ] {
            assert_eq!(
                r.query_param(name).as_deref(),
                Some(value),
                "{name} in {}",
                r.query
            );
        }
    }
    assert_eq!(requests[0].query_param("cursor").as_deref(), Some("*"));
    let second = steam_cursor(1_000_010, 100);
    assert_eq!(requests[1].query_param("cursor"), Some(second.clone()));
    let encoded = second
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert!(
        requests[1].query.contains(&format!("cursor={encoded}&")),
        "{}",
        requests[1].query
    );
    assert!(
        !requests[1].query.contains('+'),
        "a raw + would decode to a space"
    );
}

#[tokio::test]
async fn sort_and_language_reach_the_request() {
    let server = synth_server(vec![SynthApp::new(1_000_010, 5)]).await;
    let mut options = JobOptions::new().sort(Sort::Top);
    options.language = Some("ru".into());
    let (_, error) = run(context(&server, options), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    let first = &server.requests()[0];
    assert_eq!(first.query_param("filter").as_deref(), Some("all"));
    assert_eq!(
        first.query_param("day_range").as_deref(),
        Some("9223372036854775807")
    );
    assert_eq!(first.query_param("language").as_deref(), Some("russian"));
}

#[tokio::test]
async fn since_stops_the_newest_listing_early() {
    let server = synth_server(vec![SynthApp::new(1_000_010, 400)]).await;
    let since = time(&steam_review(1_000_010, 150, 0)["timestamp_created"]).expect("timestamp");
    let (pages, error) = run(
        context(&server, JobOptions::new().since(since)),
        1_000_010,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 2, "page 2 reaches reviews older than since");
    assert!(pages[1].is_last());
    assert_eq!(server.hits("/appreviews/"), 2);
}
