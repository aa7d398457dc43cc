//! Helpers shared by the Reddit tests against fixture servers.

#![allow(dead_code)] // each test crate uses a subset

use std::collections::{HashMap, HashSet};

use adapters::reddit::Reddit;
use engine::{Comment, Cursor, Error, FetchContext, JobOptions, Kind, Page};
use fixtures::FixtureServer;

/// A fetch context whose client talks to `server`, without rate limit, retrying fast.
pub fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    engine::testing::local_context("reddit", &server.base_url(), options)
}

/// Runs a fetch of `url` to its end: the pages, and the error that ended it if any.
pub async fn run(
    ctx: FetchContext,
    url: &str,
    resume: Option<Cursor>,
) -> (Vec<Page>, Option<Error>) {
    engine::testing::fetch_to_end(&Reddit, ctx, url, resume).await
}

/// Checks that `records` (post first) hold exactly the synthetic thread `post`
/// of `n` comments: same ids, parents, roots, depths, authors, texts, scores.
pub fn assert_synth_truth(records: &[Comment], post: &str, n: usize) {
    let truth = fixtures::reddit_synth_thread(post, n);
    assert_eq!(records[0].kind, Kind::Post, "the post comes first");
    assert_eq!(records[0].id, post);
    let mut by_id: HashMap<&str, &Comment> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for r in &records[1..] {
        assert!(by_id.insert(&r.id, r).is_none(), "duplicate {}", r.id);
        if let Some(p) = &r.parent_id {
            assert!(
                seen.contains(p.as_str()),
                "parent {p} exported before {}",
                r.id
            );
        }
        seen.insert(&r.id);
    }
    assert_eq!(by_id.len(), n, "every comment exported once");
    for c in &truth {
        let r = by_id
            .get(c.id.as_str())
            .unwrap_or_else(|| panic!("{} missing", c.id));
        assert_eq!(
            r.parent_id,
            c.parent.map(|p| truth[p].id.clone()),
            "parent of {}",
            c.id
        );
        assert_eq!(r.root_id, truth[c.root].id, "root of {}", c.id);
        assert_eq!(r.depth, c.depth, "depth of {}", c.id);
        assert_eq!(
            r.kind,
            if c.depth == 0 {
                Kind::Comment
            } else {
                Kind::Reply
            }
        );
        assert_eq!(r.text, c.body, "text of {}", c.id);
        let author = (c.author != "[deleted]").then(|| c.author.clone());
        assert_eq!(r.author, author, "author of {}", c.id);
        assert_eq!(r.extra["score"], c.score, "score of {}", c.id);
        assert_eq!(r.created_at.map(|t| t.timestamp()), Some(c.created_utc));
        assert_eq!(r.edited, Some(c.edited.is_some()));
        assert_eq!(r.source_id, post);
    }
}
