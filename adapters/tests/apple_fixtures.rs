//! The App Store adapter against the offline fixture server (127.0.0.1
//! only): the static `fixtures/apple` routes (older and newer feed formats,
//! one-object `entry`, unknown and empty apps, a changed shape, a 429) and the
//! synthetic App Store (10-page cap, several storefronts, ground truth).

use std::collections::HashSet;

use engine::testing::{fetch_to_end, local_context, records};
use engine::{Comment, Error, JobOptions, Page, Sort};
use fixtures::{
    apple_synth_review, apple_synth_updated, AppleSynth, AppleSynthApp, FixtureServer, ServerConfig,
};
use serde_json::json;

async fn static_server() -> FixtureServer {
    FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .expect("fixture server starts")
}

async fn synth_server(apps: Vec<AppleSynthApp>) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(AppleSynth { apps }))
        .await
        .expect("fixture server starts")
}

async fn export(
    server: &FixtureServer,
    url: &str,
    options: JobOptions,
) -> (Vec<Page>, Option<Error>) {
    let ctx = local_context("apple", &server.base_url(), options);
    fetch_to_end(&adapters::apple::Apple, ctx, url, None).await
}

fn ids(records: &[Comment]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

fn notes(pages: &[Page]) -> Vec<String> {
    pages.iter().flat_map(|p| p.notes.clone()).collect()
}

#[tokio::test]
async fn static_app_in_its_url_storefront() {
    let server = static_server().await;
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/jp/app/fixture-notes/id1000000001",
        JobOptions::new(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(
        ids(&all),
        ["9100000103", "9100000102", "9100000101"],
        "the app entry is skipped"
    );
    let ratings: Vec<_> = all.iter().map(|r| r.rating).collect();
    assert_eq!(ratings, [Some(5.0), Some(2.0), Some(4.0)]);
    assert_eq!(all[0].text, "メモが速い！\n同期も問題なし👍");
    assert_eq!(all[1].text, "iPadとの同期に\"5分\"かかる時があります。");
    assert_eq!(all[2].title.as_deref(), Some("=SUM(A1:A2)"));
    assert!(
        all.iter()
            .all(|r| r.created_at.is_none() && r.created_at_precision.is_none()),
        "this feed has no `updated`"
    );
    assert!(all.iter().all(|r| r.extra["storefront"] == "jp"));
    assert_eq!((all[0].likes, all[0].dislikes), (Some(3), Some(1)));
    assert_eq!(
        pages.len(),
        2,
        "page 1, then the empty page 2 ends the storefront"
    );
    assert!(pages[1].is_last());
    assert!(notes(&pages).is_empty(), "{:?}", notes(&pages));
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/jp/rss/customerreviews/page=1/id=1000000001/sortby=mostrecent/json",
            "/jp/rss/customerreviews/page=2/id=1000000001/sortby=mostrecent/json",
        ]
    );
}

#[tokio::test]
async fn several_storefronts_in_order_with_the_shared_review_listed_twice() {
    let server = static_server().await;
    let options = JobOptions::new().with_param("country", "jp,us,gb");
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/jp/app/x/id1000000001",
        options,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    // The adapter reports what each feed lists; the engine's run-wide dedup
    // exports 9100000101 once (tests/apple.rs checks the files).
    assert_eq!(
        ids(&all),
        [
            "9100000103",
            "9100000102",
            "9100000101",
            "9100000202",
            "9100000101",
            "9100000301"
        ]
    );
    let us = &all[3];
    assert_eq!(
        us.created_at.unwrap().to_rfc3339(),
        "2024-05-31T01:04:11+00:00"
    );
    assert_eq!(us.extra["storefront"], "us");
    let gb = &all[5];
    assert_eq!(
        (gb.rating, gb.author.as_deref()),
        (Some(1.0), Some("Ann O'Nym"))
    );
    assert_eq!(
        gb.created_at.unwrap().to_rfc3339(),
        "2024-05-31T22:59:59+00:00"
    );
    assert_eq!(pages.len(), 6);
    let cursor = pages[2].next.clone().expect("a cursor after us page 1");
    assert_eq!(
        cursor,
        json!({"storefront": "us", "page": 2, "reviews": 5, "empty": []})
    );
}

#[tokio::test]
async fn resume_continues_in_the_next_storefront() {
    let server = static_server().await;
    let options = JobOptions::new().with_param("country", "jp,us,gb");
    let ctx = local_context("apple", &server.base_url(), options);
    let cursor = json!({"storefront": "gb", "page": 1, "reviews": 5, "empty": []});
    let (pages, error) = fetch_to_end(
        &adapters::apple::Apple,
        ctx,
        "https://apps.apple.com/app/id1000000001",
        Some(cursor),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&records(&pages)), ["9100000301"]);
    let bad = json!({"storefront": "fr", "page": 1, "reviews": 0});
    let ctx = local_context("apple", &server.base_url(), JobOptions::new());
    let (_, error) = fetch_to_end(
        &adapters::apple::Apple,
        ctx,
        "https://apps.apple.com/app/id1000000001",
        Some(bad),
    )
    .await;
    assert_eq!(error.unwrap().kind(), "checkpoint");
}

#[tokio::test]
async fn unknown_app_is_not_found_and_an_app_without_reviews_is_done() {
    let server = static_server().await;
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/us/app/x/id1000000002",
        JobOptions::new(),
    )
    .await;
    assert_eq!(error.expect("an error").kind(), "not_found");
    assert!(records(&pages).is_empty());
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/us/app/x/id1000000003",
        JobOptions::new(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert!(records(&pages).is_empty());
    assert!(pages.last().unwrap().is_last());
    assert_eq!(
        notes(&pages),
        ["no reviews in the App Store feed of us (the app exists in storefront us)"]
    );
}

#[tokio::test]
async fn a_changed_shape_is_a_parse_error_and_429_is_retried() {
    let server = static_server().await;
    let (_, error) = export(
        &server,
        "https://apps.apple.com/us/app/x/id1000000004",
        JobOptions::new(),
    )
    .await;
    let error = error.expect("an error");
    assert_eq!(error.kind(), "parse");
    assert!(
        error.to_string().contains("feed.entry[1].im:rating.label"),
        "{error}"
    );
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/us/app/x/id1000000005",
        JobOptions::new(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&records(&pages)), ["9500000002", "9500000001"]);
    assert_eq!(
        server.hits("/us/rss/customerreviews/page=1/id=1000000005"),
        2,
        "429 then the page"
    );
}

#[tokio::test]
async fn persistent_429_ends_as_rate_limited() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.join("routes.json"),
        r#"{"routes":[{"path":"/us/rss/customerreviews/page=1/id=42/sortby=mostrecent/json","status":429,"headers":{"retry-after":"0"},"body_text":"slow down"}]}"#,
    )
    .unwrap();
    let server = FixtureServer::start(ServerConfig::new().routes_from_dir("apple", &dir))
        .await
        .unwrap();
    let (pages, error) = export(
        &server,
        "https://apps.apple.com/us/app/x/id42",
        JobOptions::new(),
    )
    .await;
    assert!(pages.is_empty());
    assert_eq!(error.expect("an error").kind(), "rate_limited");
    assert_eq!(server.hits("/us/rss/"), 4, "the first try and 3 retries");
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("apple-429-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn ten_pages_cap_is_stated_and_everything_served_is_exact() {
    let app = 1_000_000_100;
    let server = synth_server(vec![AppleSynthApp::new(app, &[("jp", 620), ("us", 120)])]).await;
    let options = JobOptions::new().with_param("country", "jp,us,fr");
    let (pages, error) = export(
        &server,
        &format!("https://apps.apple.com/jp/app/x/id{app}"),
        options,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.len(), 500 + 120);
    let mut seen = HashSet::new();
    for (k, r) in all.iter().enumerate() {
        let (cc, i) = if k < 500 { ("jp", k) } else { ("us", k - 500) };
        let truth = apple_synth_review(app, cc, i);
        assert!(seen.insert(r.id.clone()), "{} twice", r.id);
        assert_eq!(r.id, truth["id"]["label"].as_str().unwrap());
        assert_eq!(
            r.rating,
            truth["im:rating"]["label"].as_str().unwrap().parse().ok()
        );
        assert_eq!(r.text, truth["content"]["label"].as_str().unwrap());
        assert_eq!(r.title.as_deref(), truth["title"]["label"].as_str());
        assert_eq!(
            r.created_at.unwrap().timestamp(),
            apple_synth_updated(app, cc, i)
        );
        assert_eq!(r.extra["app_version"], truth["im:version"]["label"]);
        assert_eq!(r.extra["storefront"], cc);
    }
    assert_eq!(notes(&pages), [
        "storefront jp capped at 10 pages × 50 reviews by Apple's feed; older reviews are not served",
        "no reviews in 1 of 3 storefronts: fr",
    ]);
    // jp: 10 pages (no 11th asked); us: 3 pages of 50/50/20 and an empty 4th; fr: 1.
    assert_eq!(server.hits("/jp/rss/"), 10);
    assert_eq!(server.hits("/us/rss/"), 4);
    assert_eq!(server.hits("/fr/rss/"), 1);
    assert_eq!(server.hits("/lookup"), 0, "the app has reviews: no lookup");
}

#[tokio::test]
async fn single_entry_pages_app_entries_top_sort_and_all_storefronts() {
    let app = 1_000_000_200;
    let mut a = AppleSynthApp::new(app, &[("de", 51), ("br", 1)]);
    a.app_entry_first = true;
    let server = synth_server(vec![a]).await;
    let options = JobOptions::new()
        .with_param("country", "all")
        .sort(Sort::Top);
    let (pages, error) = export(
        &server,
        &format!("https://apps.apple.com/app/id{app}"),
        options,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.len(), 52);
    assert_eq!(
        all[0].extra["storefront"], "br",
        "storefronts in alphabetical order"
    );
    let n = adapters::apple::storefronts::ALL.len();
    assert_eq!(notes(&pages), [format!("no reviews in {} of {n} storefronts: ae, af, ag, ai, al, am, ao, ar, at, au, az, ba, … ({} more)", n - 2, n - 14)]);
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        n + 2 + 1,
        "one page per empty storefront, br 1+1, de 2+1"
    );
    assert!(requests
        .iter()
        .all(|r| r.path.ends_with("/sortby=mosthelpful/json")));
}

#[tokio::test]
async fn since_stops_a_newest_storefront_early() {
    let app = 1_000_000_300;
    let server = synth_server(vec![AppleSynthApp::new(app, &[("us", 400)])]).await;
    let since = chrono::DateTime::from_timestamp(apple_synth_updated(app, "us", 120), 0).unwrap();
    let (pages, error) = export(
        &server,
        &format!("https://apps.apple.com/us/app/x/id{app}"),
        JobOptions::new().since(since),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        pages.len(),
        3,
        "pages 1-3 (the third reaches older reviews), no more"
    );
    assert_eq!(server.hits("/us/rss/"), 3);
}
