//! The Trustpilot adapter against the synthetic Trustpilot of the fixture
//! server (127.0.0.1 only): ground truth, the login wall and the narrowing
//! past it, filters, resume, 429 and unknown businesses.

use std::collections::{HashMap, HashSet};

use adapters::trustpilot::Trustpilot;
use engine::{Comment, Cursor, Error, FetchContext, JobOptions, Kind, Page};
use fixtures::{
    trustpilot_synth_id, trustpilot_synth_rating, trustpilot_synth_review, FixtureServer,
    ServerConfig, TpBusiness, TrustpilotSynth, TRUSTPILOT_SYNTH_REPLY_EVERY,
};
use serde_json::Value;

async fn server(synth: TrustpilotSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .expect("fixture server starts")
}

fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    engine::testing::local_context("trustpilot", &server.base_url(), options)
}

async fn run(ctx: FetchContext, url: &str, resume: Option<Cursor>) -> (Vec<Page>, Option<Error>) {
    engine::testing::fetch_to_end(&Trustpilot, ctx, url, resume).await
}

/// Asserts that `records` hold exactly reviews `expected` of `b` (and their
/// replies), once each, with the served ids, ratings, texts, dates and replies.
fn assert_truth(records: &[Comment], b: &TpBusiness, expected: &[usize]) {
    let mut by_id: HashMap<&str, &Comment> = HashMap::new();
    for r in records {
        assert!(by_id.insert(&r.id, r).is_none(), "{} twice", r.id);
    }
    let mut count = 0;
    for &i in expected {
        let truth = trustpilot_synth_review(&b.domain, i, &b.languages);
        let id = truth["id"].as_str().unwrap();
        let got = by_id
            .get(id)
            .unwrap_or_else(|| panic!("review #{i} ({id}) missing"));
        assert_eq!(got.kind, Kind::Review);
        assert_eq!(got.rating, truth["rating"].as_f64(), "rating of #{i}");
        assert_eq!(got.text, truth["text"].as_str().unwrap(), "text of #{i}");
        assert_eq!(got.title.as_deref(), truth["title"].as_str());
        assert_eq!(got.likes, truth["likes"].as_u64());
        assert_eq!(got.language.as_deref(), truth["language"].as_str());
        assert_eq!(
            got.author.as_deref(),
            truth["consumer"]["displayName"].as_str()
        );
        let published = truth["dates"]["publishedDate"].as_str().unwrap();
        assert_eq!(
            got.created_at.unwrap(),
            chrono::DateTime::parse_from_rfc3339(published).unwrap()
        );
        count += 1;
        if let Some(reply) = truth["reply"].as_object() {
            let r = by_id.get(format!("{id}-reply").as_str()).expect("reply");
            assert_eq!(r.text, reply["message"].as_str().unwrap());
            assert_eq!((r.parent_id.as_deref(), r.depth), (Some(id), 1));
            assert_eq!(
                r.author.as_deref(),
                Some(format!("{} Ltd", b.domain).as_str())
            );
            count += 1;
        }
    }
    assert_eq!(records.len(), count, "unexpected extra records");
}

fn notes(pages: &[Page]) -> Vec<String> {
    pages.iter().flat_map(|p| p.notes.clone()).collect()
}

#[tokio::test]
async fn a_small_business_page_by_page_with_replies() {
    let b = TpBusiness::new("small-shop.synth", 45);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/small-shop.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].total_hint, Some(45));
    assert!(pages[2].is_last());
    assert!(notes(&pages).is_empty(), "{:?}", notes(&pages));
    let all = engine::testing::records(&pages);
    assert_truth(&all, &b, &(0..45).collect::<Vec<_>>());
    assert_eq!(
        all.iter().filter(|r| r.kind == Kind::Reply).count(),
        45usize.div_ceil(TRUSTPILOT_SYNTH_REPLY_EVERY)
    );
    let queries: Vec<String> = s.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(
        queries,
        [
            "page=1&sort=recency&languages=all",
            "page=2&sort=recency&languages=all",
            "page=3&sort=recency&languages=all"
        ]
    );
}

#[tokio::test]
async fn a_big_business_is_read_past_the_login_wall_by_stars_and_languages() {
    // 900 reviews in 3 languages: 45 pages, far past the 10 served; five stars
    // has 360 reviews, more than one listing holds, so it is split by language.
    let b = TpBusiness::new("big-shop.synth", 900).languages(&["en", "da", "de"]);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://uk.trustpilot.com/review/big-shop.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &b,
        &(0..900).collect::<Vec<_>>(),
    );
    assert_eq!(pages[0].total_hint, Some(900));
    let notes = notes(&pages);
    assert!(
        notes.iter().any(|n| n.contains("at most 10 pages")
            && n.contains("900 reviews of all ratings")
            && n.contains("5 narrower")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("stars=5, languages=all") && n.contains("3 narrower")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("not reachable")),
        "{notes:?}"
    );
    // Never a page past the wall.
    assert!(s
        .requests()
        .iter()
        .all(|r| r.query_param("page").unwrap().parse::<u32>().unwrap() <= 10));
}

#[tokio::test]
async fn what_stays_behind_the_wall_is_named() {
    // One language: five stars (240 reviews) cannot be narrowed below 200.
    let b = TpBusiness::new("one-lang.synth", 600);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/one-lang.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    let fives: Vec<usize> = (0..600)
        .filter(|&i| trustpilot_synth_rating(i) == 5)
        .collect();
    assert_eq!(fives.len(), 240);
    let expected: Vec<usize> = (0..600)
        .filter(|&i| trustpilot_synth_rating(i) != 5)
        .chain(fives.iter().copied().take(200))
        .collect();
    assert_truth(&engine::testing::records(&pages), &b, &expected);
    let notes = notes(&pages);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("stops serving pages past 10")
                && n.contains("stars=5, languages=all")
                && n.contains("not reachable")),
        "{notes:?}"
    );
    assert_eq!(s.hits("/users/connect"), 1, "the wall was met once");
}

#[tokio::test]
async fn star_and_language_filters_from_the_url_and_params() {
    let b = TpBusiness::new("filters.synth", 120).languages(&["en", "da"]);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/filters.synth?stars=1&stars=2&languages=da",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    let expected: Vec<usize> = (0..120)
        .filter(|&i| matches!(trustpilot_synth_rating(i), 1 | 2) && i % 2 == 1)
        .collect();
    assert_truth(&engine::testing::records(&pages), &b, &expected);
    assert_eq!(
        s.requests()[0].query,
        "page=1&sort=recency&languages=da&stars=1&stars=2"
    );

    let options = JobOptions::new()
        .with_param("stars", "4")
        .with_param("languages", "en");
    let (pages, err) = run(
        context(&s, options),
        "https://www.trustpilot.com/review/filters.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    let expected: Vec<usize> = (0..120)
        .filter(|&i| trustpilot_synth_rating(i) == 4 && i % 2 == 0)
        .collect();
    assert_truth(&engine::testing::records(&pages), &b, &expected);

    let bad = JobOptions::new().with_param("stars", "7");
    let (_, err) = run(
        context(&s, bad),
        "https://www.trustpilot.com/review/filters.synth",
        None,
    )
    .await;
    assert_eq!(err.unwrap().kind(), "config");
}

#[tokio::test]
async fn resume_from_a_cursor_gives_exactly_the_rest() {
    let b = TpBusiness::new("resume.synth", 700).languages(&["en", "fr"]);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    let url = "https://www.trustpilot.com/review/resume.synth";
    let (full, err) = run(context(&s, JobOptions::new()), url, None).await;
    assert!(err.is_none(), "{err:?}");
    let all = engine::testing::records(&full);
    for cut in [1, 4, full.len() / 2, full.len() - 2] {
        let cursor = full[cut - 1].next.clone();
        let (rest, err) = run(context(&s, JobOptions::new()), url, cursor).await;
        assert!(err.is_none(), "{err:?}");
        let before: HashSet<String> = full[..cut]
            .iter()
            .flat_map(|p| p.records.iter().map(|r| r.id.clone()))
            .collect();
        let after: Vec<String> = engine::testing::records(&rest)
            .into_iter()
            .map(|r| r.id)
            .collect();
        // The rest holds every record not yet given; repeats of earlier ones
        // are left to the run's dedup (a resumed fetch has no memory).
        let union: HashSet<String> = before
            .iter()
            .cloned()
            .chain(after.iter().cloned())
            .collect();
        assert_eq!(union.len(), all.len(), "cut {cut}");
        assert_eq!(rest.last().unwrap().next, None);
    }
    let bad = run(
        context(&s, JobOptions::new()),
        url,
        Some(Value::from("page 3")),
    )
    .await;
    assert_eq!(bad.1.unwrap().kind(), "checkpoint");
}

#[tokio::test]
async fn rate_limits_are_waited_out_and_unknown_businesses_are_not_found() {
    let b = TpBusiness::new("busy.synth", 30);
    let s = server(TrustpilotSynth::new(vec![b.clone()]).rate_limited(2)).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/busy.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &b,
        &(0..30).collect::<Vec<_>>(),
    );

    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/nobody-here.synth",
        None,
    )
    .await;
    assert!(pages.is_empty());
    assert_eq!(err.unwrap().kind(), "not_found");

    let s = server(TrustpilotSynth::new(vec![b]).rate_limited(100)).await;
    let (_, err) = run(
        context(&s, JobOptions::new()),
        "https://www.trustpilot.com/review/busy.synth",
        None,
    )
    .await;
    assert_eq!(err.unwrap().kind(), "rate_limited");
}

#[tokio::test]
async fn since_stops_a_recency_listing_early() {
    let b = TpBusiness::new("since.synth", 200);
    let s = server(TrustpilotSynth::new(vec![b.clone()])).await;
    // Review 30 is 90 hours older than review 0.
    let since = chrono::DateTime::from_timestamp(
        fixtures::TRUSTPILOT_SYNTH_NEWEST - 30 * fixtures::TRUSTPILOT_SYNTH_SPACING,
        0,
    )
    .unwrap();
    let (pages, err) = run(
        context(&s, JobOptions::new().since(since)),
        "https://www.trustpilot.com/review/since.synth",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.len(), 2, "page 2 reaches older reviews: no page 3");
    assert_eq!(
        trustpilot_synth_id("since.synth", 0),
        pages[0].records[0].id
    );
}
