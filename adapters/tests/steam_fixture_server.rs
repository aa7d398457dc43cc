//! The Steam adapter against the offline fixture server (127.0.0.1 only):
//! the synthetic Steam API with its ground truth, injected faults, and the
//! static demo fixtures of `fixtures/steam/`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use adapters::steam::Steam;
use chrono::{DateTime, Utc};
use engine::{
    Adapter, Comment, Cursor, Error, FetchContext, HttpClient, JobOptions, Kind, Page, RetryPolicy,
    Sort,
};
use fixtures::{
    steam_cursor, steam_review, Fault, FixtureServer, ServerConfig, SteamSynth, SynthApp,
};
use futures::StreamExt;
use serde_json::Value;

const DEV_EVERY: usize = 7;

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    let http = HttpClient::builder("steam")
        .base_url(Some(server.base_url().parse().expect("base url")))
        .requests_per_second(None)
        .retry(fast_retry())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    FetchContext {
        http,
        options: Arc::new(options),
    }
}

async fn synth_server(apps: Vec<SynthApp>) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().steam_synth(SteamSynth {
        apps,
        ..Default::default()
    }))
    .await
    .expect("fixture server starts")
}

/// Runs a fetch to its end: the pages, and the error that ended it if any.
async fn run(ctx: FetchContext, appid: u64, resume: Option<Cursor>) -> (Vec<Page>, Option<Error>) {
    let url = format!("https://store.steampowered.com/app/{appid}/")
        .parse()
        .expect("url");
    let target = Steam.detect(&url).expect("claimed");
    let mut stream = Steam.fetch(target, ctx, resume);
    let mut pages = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(page) => pages.push(page),
            Err(e) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after an error"
                );
                return (pages, Some(e));
            }
        }
    }
    (pages, None)
}

fn records(pages: &[Page]) -> Vec<Comment> {
    pages
        .iter()
        .flat_map(|p| p.records.iter().cloned())
        .collect()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(v.as_i64()?, 0)
}

/// Checks that `records` are exactly reviews `indices` of `appid` (each
/// followed by its developer reply when it has one), as the synth served them.
fn assert_ground_truth(
    records: &[Comment],
    appid: u64,
    indices: std::ops::Range<usize>,
    replies: bool,
) {
    let mut it = records.iter();
    let mut seen = HashSet::new();
    for index in indices {
        let truth = steam_review(appid, index, DEV_EVERY);
        let review = it
            .next()
            .unwrap_or_else(|| panic!("app {appid}: review {index} missing"));
        assert!(seen.insert(review.id.clone()), "duplicate {}", review.id);
        assert_eq!(review.kind, Kind::Review);
        assert_eq!(Some(review.id.as_str()), truth["recommendationid"].as_str());
        assert_eq!(
            Some(review.text.as_str()),
            truth["review"].as_str(),
            "text of {}",
            review.id
        );
        assert_eq!(review.created_at, time(&truth["timestamp_created"]));
        assert_eq!(
            review.edited,
            Some(truth["timestamp_updated"] != truth["timestamp_created"])
        );
        assert_eq!(
            review.extra["timestamp_updated"],
            truth["timestamp_updated"]
        );
        assert_eq!(review.likes, truth["votes_up"].as_u64());
        assert_eq!(
            review.rating,
            Some(if truth["voted_up"] == true { 1.0 } else { 0.0 })
        );
        assert_eq!(
            review.author_id.as_deref(),
            truth["author"]["steamid"].as_str()
        );
        assert_eq!(review.source_id, appid.to_string());
        assert_eq!((review.depth, review.parent_id.as_deref()), (0, None));
        let score = &truth["weighted_vote_score"];
        let score = score
            .as_f64()
            .or_else(|| score.as_str().and_then(|s| s.parse().ok()));
        assert_eq!(review.extra["weighted_vote_score"].as_f64(), score);
        if let (true, Some(text)) = (replies, truth["developer_response"].as_str()) {
            let reply = it
                .next()
                .unwrap_or_else(|| panic!("developer reply of {} missing", review.id));
            assert_eq!(reply.kind, Kind::Reply);
            assert_eq!(reply.id, format!("{}-dev", review.id));
            assert_eq!(reply.parent_id.as_deref(), Some(review.id.as_str()));
            assert_eq!(
                (reply.root_id.as_str(), reply.depth),
                (review.id.as_str(), 1)
            );
            assert_eq!(reply.text, text);
            assert_eq!(reply.created_at, time(&truth["timestamp_dev_responded"]));
            assert_eq!(reply.author.as_deref(), Some("developer"));
        }
    }
    assert!(
        it.next().is_none(),
        "app {appid}: records beyond the expected ones"
    );
}

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

/// The static demo data in `fixtures/steam/`, served from disk.
#[tokio::test]
async fn static_demo_fixtures_export_as_documented() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/steam");
    let server = FixtureServer::start(ServerConfig::new().routes_from_dir("steam", dir))
        .await
        .expect("fixture routes load");
    assert_eq!(
        fixtures::embedded_fixture("steam/routes.json"),
        Some(&std::fs::read(format!("{dir}/routes.json")).expect("routes.json")[..]),
        "the fixtures crate embeds these files too"
    );
    let load = |file: &str| -> Value {
        let bytes = std::fs::read(format!("{dir}/{file}")).expect("fixture file");
        serde_json::from_slice(&bytes).expect("fixture JSON")
    };

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 4);
    assert_eq!(pages[0].total_hint, Some(103));
    let all = records(&pages);
    let reviews: Vec<&Comment> = all.iter().filter(|r| r.kind == Kind::Review).collect();
    assert_eq!(reviews.len(), 103);
    assert_eq!(
        reviews.iter().map(|r| &r.id).collect::<HashSet<_>>().len(),
        103
    );
    assert!(all.iter().any(|r| r.kind == Kind::Reply));
    let expected: Vec<Value> = (1..=3)
        .flat_map(|n| {
            load(&format!("app_1000010/page{n}.json"))["reviews"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for (record, raw) in reviews.iter().zip(&expected) {
        assert_eq!(Some(record.id.as_str()), raw["recommendationid"].as_str());
        assert_eq!(Some(record.text.as_str()), raw["review"].as_str());
    }
    for prefix in ["=HYPERLINK(", "+", "-", "@"] {
        assert!(
            reviews.iter().any(|r| r.text.starts_with(prefix)),
            "a review starting with {prefix}"
        );
    }

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_020, None).await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.iter().filter(|r| r.kind == Kind::Review).count(), 15);
    assert!(all.iter().filter(|r| r.kind == Kind::Reply).count() >= 3);
    let languages: HashSet<_> = all.iter().filter_map(|r| r.language.as_deref()).collect();
    for code in ["zh", "ru", "ja", "de", "pt", "en"] {
        assert!(languages.contains(code), "{code}");
    }

    let started = Instant::now();
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_030, None).await;
    assert!(error.is_none(), "{error:?}");
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(
        records(&pages)
            .iter()
            .filter(|r| r.kind == Kind::Review)
            .count(),
        8
    );

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_040, None).await;
    assert!(pages.is_empty());
    assert_eq!(error.map(|e| e.kind()), Some("not_found"));
}
