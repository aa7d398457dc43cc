//! The X adapter against the synthetic X: whole conversations (threads
//! behind `Bottom`, `ShowMoreThreads` and `ShowMore` cursors, replies opened
//! with their own `TweetDetail`, deleted posts kept only where replies hang),
//! resume from any page, cookie and guest access with precise errors, 429s
//! and rate-limit windows.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use adapters::twitter::Twitter;
use engine::testing::{fetch_to_end, records};
use engine::{Comment, FetchContext, HttpClient, JobOptions, Kind, RetryPolicy};
use fixtures::{FixtureServer, ServerConfig, TwConversation, TwitterSynth, TWITTER_SYNTH_FIRST_ID};

const AUTH: &str = "a7f3c9e1d2b4auth";
const CT0: &str = "c5e8f1a2b3d4csrf";

fn url(id: u64) -> String {
    format!("https://x.com/someone/status/{id}")
}

async fn server(synth: TwitterSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .expect("server starts")
}

fn context(s: &FixtureServer, cookies: Option<&str>, options: JobOptions) -> FetchContext {
    let mut b = HttpClient::builder("twitter")
        .base_url(Some(s.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        });
    if let Some(c) = cookies {
        b = b.cookies(c);
    }
    FetchContext {
        http: b.build().unwrap(),
        options: Arc::new(options),
    }
}

fn logged_in(s: &FixtureServer, options: JobOptions) -> FetchContext {
    context(
        s,
        Some(&format!("auth_token={AUTH}; ct0={CT0}; lang=en")),
        options,
    )
}

/// Asserts the exported records are exactly the conversation's ground truth.
fn assert_truth(recs: &[Comment], conv: &TwConversation) {
    let mut seen: HashMap<String, &Comment> = HashMap::new();
    for r in recs {
        // Replies opened with their own TweetDetail repeat some posts; the
        // engine drops repeats by id, so repeats must be identical in place.
        if let Some(prev) = seen.get(&r.id) {
            assert_eq!(
                (&prev.parent_id, prev.depth),
                (&r.parent_id, r.depth),
                "{}",
                r.id
            );
            continue;
        }
        if let Some(p) = &r.parent_id {
            assert!(seen.contains_key(p), "{} comes after its parent {p}", r.id);
        }
        seen.insert(r.id.clone(), r);
    }
    let got: HashSet<(String, Option<String>, u32, bool)> = seen
        .values()
        .map(|r| {
            let unavailable = r.extra.get("unavailable").is_some_and(|v| v == true);
            (r.id.clone(), r.parent_id.clone(), r.depth, unavailable)
        })
        .collect();
    let want: HashSet<(String, Option<String>, u32, bool)> = conv.expected().into_iter().collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    // Content of every visible post.
    for (i, p) in conv.posts.iter().enumerate() {
        let Some(r) = seen.get(&p.id.to_string()) else {
            continue;
        };
        if r.extra.contains_key("unavailable") {
            assert_eq!((r.text.as_str(), r.author.as_deref()), ("", None));
            continue;
        }
        assert_eq!(r.text, conv.shown_text(i), "{}", p.id);
        assert_eq!(r.author_id.as_deref(), Some(p.handle.as_str()));
        assert_eq!(r.likes, Some(p.likes));
        assert_eq!(r.created_at.unwrap().timestamp(), p.created);
        let kind = match (i, r.depth) {
            (0, _) => Kind::Post,
            (_, 0) => Kind::Comment,
            _ => Kind::Reply,
        };
        assert_eq!(r.kind, kind, "{}", p.id);
    }
}

#[tokio::test]
async fn exports_whole_conversations_exactly() {
    for (n, seed) in [(0usize, 1u64), (12, 2), (180, 3), (400, 9)] {
        let root = TWITTER_SYNTH_FIRST_ID + seed * 1_000_000;
        let conv = TwConversation::generated(root, n, seed);
        let s = server(TwitterSynth::new(vec![conv.clone()]).cookies(AUTH, CT0)).await;
        let (pages, err) =
            fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(root), None).await;
        assert!(err.is_none(), "{n} replies: {err:?}");
        let recs = records(&pages);
        assert_truth(&recs, &conv);
        if n >= 180 {
            let reqs = s.requests();
            let cursors: Vec<String> = reqs
                .iter()
                .filter_map(|r| r.query_param("variables"))
                .filter_map(|v| serde_json::from_str::<serde_json::Value>(&v).ok())
                .filter_map(|v| v["cursor"].as_str().map(str::to_string))
                .collect();
            assert!(cursors.len() > 3, "cursors were followed");
            assert!(recs.iter().any(|r| r.depth >= 3), "deep replies reached");
            assert!(
                recs.iter().any(|r| r.extra.contains_key("unavailable")),
                "placeholders kept"
            );
        }
    }
}

#[tokio::test]
async fn requests_carry_the_session_as_the_web_client_does() {
    let root = TWITTER_SYNTH_FIRST_ID;
    let conv = TwConversation::generated(root, 5, 4);
    let s = server(TwitterSynth::new(vec![conv]).cookies(AUTH, CT0)).await;
    let mut options = JobOptions::new();
    options.params.insert("query_id".into(), "Abc_123-x".into());
    let (_, err) = fetch_to_end(&Twitter, logged_in(&s, options), &url(root), None).await;
    assert!(err.is_none(), "{err:?}");
    let r = &s.requests()[0];
    assert_eq!(r.path, "/i/api/graphql/Abc_123-x/TweetDetail");
    assert_eq!(r.header("x-csrf-token"), Some(CT0));
    assert_eq!(r.header("x-twitter-auth-type"), Some("OAuth2Session"));
    assert!(r
        .header("authorization")
        .unwrap()
        .starts_with("Bearer AAAA"));
    let cookie = r.header("cookie").unwrap();
    assert!(cookie.contains(&format!("auth_token={AUTH}")) && cookie.contains("lang=en"));
    let vars: serde_json::Value =
        serde_json::from_str(&r.query_param("variables").unwrap()).unwrap();
    assert_eq!(vars["focalTweetId"], root.to_string());
    assert_eq!(vars["rankingMode"], "Recency");
    let features: serde_json::Value =
        serde_json::from_str(&r.query_param("features").unwrap()).unwrap();
    assert!(features.as_object().unwrap().len() > 20);
}

#[tokio::test]
async fn resuming_from_any_page_gives_the_same_records() {
    let root = TWITTER_SYNTH_FIRST_ID + 77;
    let conv = TwConversation::generated(root, 90, 5);
    let s = server(TwitterSynth::new(vec![conv.clone()])).await;
    let (pages, err) =
        fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(root), None).await;
    assert!(err.is_none());
    let full: HashSet<String> = records(&pages).into_iter().map(|r| r.id).collect();
    for cut in [1, pages.len() / 2, pages.len() - 1] {
        let cursor = pages[cut - 1]
            .next
            .clone()
            .expect("a cursor after every page but the last");
        // The cursor survives a checkpoint (JSON text) round trip.
        let cursor: serde_json::Value = serde_json::from_str(&cursor.to_string()).unwrap();
        let (rest, err) = fetch_to_end(
            &Twitter,
            logged_in(&s, JobOptions::new()),
            &url(root),
            Some(cursor),
        )
        .await;
        assert!(err.is_none(), "{err:?}");
        let mut ids: HashSet<String> = records(&pages[..cut]).into_iter().map(|r| r.id).collect();
        ids.extend(records(&rest).into_iter().map(|r| r.id));
        assert_eq!(ids, full, "resumed after page {cut}");
    }
    let other = adapters::twitter::walk::Walk::new("1");
    let (_, err) = fetch_to_end(
        &Twitter,
        logged_in(&s, JobOptions::new()),
        &url(root),
        Some(serde_json::to_value(other).unwrap()),
    )
    .await;
    assert_eq!(err.map(|e| e.kind()), Some("checkpoint"));
}

#[tokio::test]
async fn without_replies_or_beyond_the_depth_limit_less_is_fetched() {
    let root = TWITTER_SYNTH_FIRST_ID + 500;
    let conv = TwConversation::generated(root, 150, 6);
    let s = server(TwitterSynth::new(vec![conv.clone()])).await;
    let (all, _) = fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(root), None).await;
    let all_requests = s.requests().len();
    let mut top = JobOptions::new();
    top.replies = false;
    let (pages, err) = fetch_to_end(&Twitter, logged_in(&s, top), &url(root), None).await;
    assert!(err.is_none());
    let recs = records(&pages);
    // Deleted top-level posts stay out: no exported reply hangs below them.
    let want = conv
        .expected()
        .into_iter()
        .filter(|e| e.2 == 0 && !e.3)
        .count();
    assert_eq!(recs.iter().filter(|r| r.depth == 0).count(), want);
    assert!(recs.iter().all(|r| r.depth == 0));
    let top_requests = s.requests().len() - all_requests;
    assert!(
        top_requests * 2 < all_requests,
        "{top_requests} vs {all_requests}"
    );
    assert!(records(&all).len() > recs.len());
    let mut shallow = JobOptions::new();
    shallow.limits.depth = Some(1);
    let (pages, _) = fetch_to_end(&Twitter, logged_in(&s, shallow), &url(root), None).await;
    assert!(records(&pages).iter().all(|r| r.depth <= 1));
    assert!(records(&pages).iter().any(|r| r.depth == 1));
}

#[tokio::test]
async fn without_expansion_only_what_the_conversation_shows_is_read() {
    let root = TWITTER_SYNTH_FIRST_ID + 900;
    let conv = TwConversation::generated(root, 120, 11);
    let s = server(TwitterSynth::new(vec![conv.clone()])).await;
    let mut options = JobOptions::new();
    options.params.insert("expand".into(), "false".into());
    let (pages, err) = fetch_to_end(&Twitter, logged_in(&s, options), &url(root), None).await;
    assert!(err.is_none(), "{err:?}");
    let focals: HashSet<String> = s
        .requests()
        .iter()
        .filter_map(|r| r.query_param("variables"))
        .filter_map(|v| serde_json::from_str::<serde_json::Value>(&v).ok())
        .filter_map(|v| v["focalTweetId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(focals, HashSet::from([root.to_string()]));
    let got: HashSet<String> = records(&pages).into_iter().map(|r| r.id).collect();
    let all: HashSet<String> = conv.expected().into_iter().map(|e| e.0).collect();
    assert!(
        got.is_subset(&all) && got.len() < all.len(),
        "{} of {}",
        got.len(),
        all.len()
    );
}

#[tokio::test]
async fn expired_cookies_and_a_csrf_mismatch_are_precise_auth_errors() {
    let root = TWITTER_SYNTH_FIRST_ID;
    let s =
        server(TwitterSynth::new(vec![TwConversation::generated(root, 3, 1)]).cookies(AUTH, CT0))
            .await;
    let old = context(
        &s,
        Some("auth_token=0ldExpiredT0ken; ct0=c5e8f1a2b3d4csrf"),
        JobOptions::new(),
    );
    let (_, err) = fetch_to_end(&Twitter, old, &url(root), None).await;
    let e = err.expect("refused");
    let msg = e.to_string();
    assert_eq!(e.kind(), "forbidden");
    assert!(msg.contains("expired") && msg.contains("code 32"), "{msg}");
    assert!(
        !msg.contains("0ldExpiredT0ken") && !msg.contains(CT0),
        "{msg}"
    );
    let no_ct0 = context(&s, Some(&format!("auth_token={AUTH}")), JobOptions::new());
    let (_, err) = fetch_to_end(&Twitter, no_ct0, &url(root), None).await;
    assert!(err.unwrap().to_string().contains("ct0 is missing"));
}

#[tokio::test]
async fn without_cookies_the_guest_token_path_is_tried_then_explained() {
    let root = TWITTER_SYNTH_FIRST_ID;
    let conv = TwConversation::generated(root, 20, 8);
    let refused = server(TwitterSynth::new(vec![conv.clone()])).await;
    let (_, err) = fetch_to_end(
        &Twitter,
        context(&refused, None, JobOptions::new()),
        &url(root),
        None,
    )
    .await;
    let e = err.expect("guests are refused");
    assert_eq!(e.kind(), "forbidden");
    let msg = e.to_string();
    assert!(
        msg.contains("logged-in") && msg.contains("auth_token and ct0"),
        "{msg}"
    );
    let reqs = refused.requests();
    assert_eq!(reqs[0].path, "/1.1/guest/activate.json");
    assert_eq!(
        reqs[1].header("x-guest-token"),
        Some(fixtures::TWITTER_SYNTH_GUEST_TOKEN)
    );
    // Where guests are still let in, the guest path exports everything.
    let open = server(TwitterSynth::new(vec![conv.clone()]).guests(true)).await;
    let (pages, err) = fetch_to_end(
        &Twitter,
        context(&open, None, JobOptions::new()),
        &url(root),
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(&records(&pages), &conv);
}

#[tokio::test]
async fn unknown_posts_are_not_found() {
    let s = server(TwitterSynth::new(vec![TwConversation::generated(
        TWITTER_SYNTH_FIRST_ID,
        2,
        1,
    )]))
    .await;
    let (_, err) = fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(42), None).await;
    let e = err.unwrap();
    assert_eq!(e.kind(), "not_found", "{e}");
}

#[tokio::test]
async fn rate_limits_are_waited_out() {
    let root = TWITTER_SYNTH_FIRST_ID + 3;
    let conv = TwConversation::generated(root, 40, 3);
    let s = server(
        TwitterSynth::new(vec![conv.clone()])
            .rate_limit_every(10)
            .window_every(13),
    )
    .await;
    let t = Instant::now();
    let (pages, err) =
        fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(root), None).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(&records(&pages), &conv);
    // 429s carry x-rate-limit-reset one second ahead, and so do used-up windows.
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert!(pages
        .iter()
        .any(|p| p.notes.iter().any(|n| n.contains("rate-limit window"))));
}

/// X retired our `TweetDetail` query id: the adapter reads the current one
/// from X's web client (home page → `main.<hash>.js`) once, says so in the
/// job's notes, and exports the whole conversation; a query id the user gave
/// is never replaced.
#[tokio::test]
async fn a_retired_query_id_is_replaced_by_the_web_clients() {
    let root = TWITTER_SYNTH_FIRST_ID + 77_000_000;
    let conv = TwConversation::generated(root, 40, 4);
    let synth = TwitterSynth::new(vec![conv.clone()])
        .cookies(AUTH, CT0)
        .current_query_id("Nw7-q_Detail2026");
    let s = server(synth).await;
    let (pages, err) =
        fetch_to_end(&Twitter, logged_in(&s, JobOptions::new()), &url(root), None).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(&records(&pages), &conv);
    let notes: Vec<&String> = pages.iter().flat_map(|p| p.notes.iter()).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("using Nw7-q_Detail2026"), "{notes:?}");
    let paths: Vec<String> = s.requests().iter().map(|r| r.path.clone()).collect();
    let retired = paths
        .iter()
        .filter(|p| p.contains(adapters::twitter::api::TWEET_DETAIL_QUERY_ID))
        .count();
    assert_eq!(retired, 1, "one request with the retired id: {paths:?}");
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/main.7c2e91ab.js"))
            .count(),
        1
    );

    // The user's own query id: a precise error, no discovery.
    let given = JobOptions::new().with_param("query_id", "MyOwnId");
    let (_, err) = fetch_to_end(&Twitter, logged_in(&s, given), &url(root), None).await;
    let e = err.expect("a 404 for an unknown query id").to_string();
    assert!(e.contains("query_id"), "{e}");
}
