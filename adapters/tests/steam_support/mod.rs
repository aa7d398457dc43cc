//! Helpers shared by the Steam tests against the fixture server.

#![allow(dead_code)] // each test crate uses a subset

use std::collections::HashSet;
use std::time::Duration;

use adapters::steam::Steam;
use chrono::{DateTime, Utc};
use engine::{Comment, Cursor, Error, FetchContext, JobOptions, Kind, Page, RetryPolicy};
use fixtures::{steam_review, FixtureServer, ServerConfig, SteamSynth, SynthApp};
use serde_json::Value;

/// `dev_response_every` of the synthetic apps.
pub const DEV_EVERY: usize = 7;

/// Retries quickly, and waits out a short `Retry-After`.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A fetch context whose client talks to `server`, without rate limit.
pub fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    engine::testing::local_context("steam", &server.base_url(), options)
}

/// A server of the synthetic Steam `apps`.
pub async fn synth_server(apps: Vec<SynthApp>) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().steam_synth(SteamSynth {
        apps,
        ..Default::default()
    }))
    .await
    .expect("fixture server starts")
}

/// Runs a fetch to its end: the pages, and the error that ended it if any.
pub async fn run(
    ctx: FetchContext,
    appid: u64,
    resume: Option<Cursor>,
) -> (Vec<Page>, Option<Error>) {
    let url = format!("https://store.steampowered.com/app/{appid}/");
    engine::testing::fetch_to_end(&Steam, ctx, &url, resume).await
}

/// Every record of `pages`, in order.
pub fn records(pages: &[Page]) -> Vec<Comment> {
    engine::testing::records(pages)
}

/// A Unix time (JSON number) as a UTC instant.
pub fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(v.as_i64()?, 0)
}

/// Checks that `records` are exactly reviews `indices` of `appid` (each
/// followed by its developer reply when it has one), as the synth served them.
pub fn assert_ground_truth(
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
