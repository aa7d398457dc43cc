//! Helpers shared by the YouTube tests against the fixture server.

#![allow(dead_code)] // each test crate uses a subset

use std::time::Duration;

use adapters::youtube::YouTube;
use engine::{Comment, Cursor, Error, FetchContext, JobOptions, Page};
use fixtures::{FixtureServer, ServerConfig, YouTubeSynth, YtVideo};

/// A fetch context whose client talks to `server`, without rate limit, fast retries.
pub fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    engine::testing::local_context("youtube", &server.base_url(), options)
}

/// A server of synthetic `videos` (and the embedded static fixtures).
pub async fn server(videos: Vec<YtVideo>, latency_ms: u64) -> FixtureServer {
    FixtureServer::start(
        ServerConfig::new()
            .with_embedded_fixtures()
            .synthetic(YouTubeSynth {
                videos,
                latency: Duration::from_millis(latency_ms),
            }),
    )
    .await
    .expect("fixture server starts")
}

/// Runs a fetch of `url` to its end: the pages, and the error that ended it if any.
pub async fn run(
    ctx: FetchContext,
    url: &str,
    resume: Option<Cursor>,
) -> (Vec<Page>, Option<Error>) {
    engine::testing::fetch_to_end(&YouTube, ctx, url, resume).await
}

/// Every record of `pages`, in order.
pub fn records(pages: &[Page]) -> Vec<Comment> {
    engine::testing::records(pages)
}

/// Asserts `got` is exactly the synthetic video's comments in `newest`/top
/// order: each thread once (pinned first), followed by all its replies.
pub fn assert_ground_truth(got: &[Comment], video: &YtVideo, newest: bool) {
    let mut order = video.order(newest);
    if newest {
        // The pinned thread's second listing is dropped.
        let p = video.pinned();
        let second = order
            .iter()
            .skip(1)
            .position(|&i| i == p)
            .expect("pinned again")
            + 1;
        order.remove(second);
    }
    let mut expected = Vec::new();
    for &i in &order {
        expected.push(video.thread(i));
        expected.extend((0..video.replies_of(i)).map(|j| video.reply(i, j)));
    }
    assert_eq!(got.len(), expected.len(), "record count");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.id, e.id);
        assert_eq!(g.parent_id, e.parent, "{}", e.id);
        assert_eq!(
            g.root_id,
            e.parent.clone().unwrap_or_else(|| e.id.clone()),
            "{}",
            e.id
        );
        assert_eq!(g.depth, u32::from(e.parent.is_some()), "{}", e.id);
        assert_eq!(g.text, e.text, "{}", e.id);
        assert_eq!(g.author.as_deref(), Some(e.author.as_str()), "{}", e.id);
        assert_eq!(
            g.author_id.as_deref(),
            Some(e.channel_id.as_str()),
            "{}",
            e.id
        );
        assert_eq!(
            (g.likes, g.likes_approx),
            (Some(e.likes), e.likes_approx),
            "{} {:?}",
            e.id,
            e.likes_shown
        );
        assert_eq!(
            g.created_at_raw.as_deref(),
            Some(e.published.as_str()),
            "{}",
            e.id
        );
        assert_eq!(g.extra["hearted_by_creator"], e.hearted, "{}", e.id);
        if e.parent.is_none() {
            assert_eq!(g.reply_count, Some(e.reply_count), "{}", e.id);
        }
    }
}
