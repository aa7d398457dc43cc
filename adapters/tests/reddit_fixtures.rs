//! The Reddit adapter against the static fixtures (`fixtures/reddit/`): field
//! mapping, `more` + continue-this-thread, rate-limit pause, share links,
//! comment permalinks, error responses.

mod reddit_support;

use std::time::{Duration, Instant};

use engine::{Comment, JobOptions, Kind};
use fixtures::{FixtureServer, ServerConfig};
use reddit_support::{context, run};

async fn server() -> FixtureServer {
    FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .expect("server starts")
}

async fn export(s: &FixtureServer, url: &str) -> Result<Vec<Comment>, engine::Error> {
    let (pages, err) = run(context(s, JobOptions::new()), url, None).await;
    match err {
        Some(e) => Err(e),
        None => Ok(pages.into_iter().flat_map(|p| p.records).collect()),
    }
}

fn shape(r: &[Comment]) -> Vec<(&str, Kind, Option<&str>, &str, u32)> {
    r.iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.kind,
                c.parent_id.as_deref(),
                c.root_id.as_str(),
                c.depth,
            )
        })
        .collect()
}

#[tokio::test]
async fn whole_tree_with_more_and_continue_this_thread() {
    let s = server().await;
    let start = Instant::now();
    let recs = export(
        &s,
        "https://www.reddit.com/r/fixtures/comments/fx1/fixture_post/",
    )
    .await
    .unwrap();
    assert_eq!(
        shape(&recs),
        vec![
            ("fx1", Kind::Post, None, "fx1", 0),
            ("fxc1", Kind::Comment, None, "fxc1", 0),
            ("fxc2", Kind::Reply, Some("fxc1"), "fxc1", 1),
            ("fxc3", Kind::Comment, None, "fxc3", 0),
            ("fxc4", Kind::Reply, Some("fxc1"), "fxc1", 1),
            ("fxc5", Kind::Reply, Some("fxc1"), "fxc1", 1),
            ("fxc6", Kind::Reply, Some("fxc4"), "fxc1", 2),
            ("fxc7", Kind::Reply, Some("fxc3"), "fxc3", 1),
            ("fxc8", Kind::Reply, Some("fxc7"), "fxc3", 2),
        ]
    );
    // The first answer said "0 requests left, reset in 1 s".
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
    let post = &recs[0];
    assert_eq!(
        post.title.as_deref(),
        Some("Fixture post: what is your favourite tree?")
    );
    assert_eq!(post.text, "Self text with **markdown** & an ampersand.");
    assert_eq!((post.likes, post.reply_count), (Some(1234), Some(8)));
    let c1 = &recs[1];
    assert_eq!(c1.text, "Oaks, obviously. Quote: \"acorns\" & <not html>.");
    assert_eq!(c1.author.as_deref(), Some("oak_fan"));
    assert_eq!(c1.author_id.as_deref(), Some("t2_oak_fan"));
    assert_eq!(c1.edited, Some(true));
    assert_eq!(c1.extra["stickied"], true);
    assert_eq!(c1.extra["distinguished"], "moderator");
    assert_eq!(c1.extra["awards"][0]["name"], "Helpful");
    assert_eq!(c1.extra["post_id"], "fx1");
    assert_eq!(
        c1.url.as_deref(),
        Some("https://www.reddit.com/r/fixtures/comments/fx1/fixture_post/fxc1/")
    );
    assert_eq!(
        (recs[2].author.as_deref(), recs[2].extra["deleted"].clone()),
        (None, true.into())
    );
    assert_eq!(recs[3].likes, None, "negative score");
    assert_eq!(recs[3].extra["score"], -3);
    assert_eq!(recs[6].extra["removed"], true);
    let paths: Vec<String> = s.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.contains(&"/api/morechildren.json".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/comments/fx1/_/fxc3.json".to_string()),
        "{paths:?}"
    );
}

#[tokio::test]
async fn share_link_is_followed_to_the_post() {
    let s = server().await;
    let recs = export(&s, "https://www.reddit.com/r/fixtures/s/AbCdEf12")
        .await
        .unwrap();
    assert_eq!(recs[0].id, "fx1");
    assert_eq!(recs.len(), 9);
    assert!(recs.iter().all(|r| r.source_id == "fx1"));
}

#[tokio::test]
async fn comment_permalink_exports_that_subtree() {
    let s = server().await;
    let recs = export(
        &s,
        "https://old.reddit.com/r/fixtures/comments/fx1/fixture_post/fxc3/",
    )
    .await
    .unwrap();
    assert_eq!(
        shape(&recs),
        vec![
            ("fx1", Kind::Post, None, "fx1", 0),
            ("fxc3", Kind::Comment, None, "fxc3", 0),
            ("fxc7", Kind::Reply, Some("fxc3"), "fxc3", 1),
            ("fxc8", Kind::Reply, Some("fxc7"), "fxc3", 2),
        ]
    );
}

#[tokio::test]
async fn error_responses_are_typed() {
    let s = server().await;
    let kind = |r: Result<Vec<Comment>, engine::Error>| r.unwrap_err().kind();
    assert_eq!(kind(export(&s, "https://redd.it/gone1").await), "not_found");
    assert_eq!(kind(export(&s, "https://redd.it/priv1").await), "forbidden");
    assert_eq!(kind(export(&s, "https://redd.it/bad1").await), "parse");
    // 429 with Retry-After: waited out by the client, then the thread comes.
    let recs = export(&s, "https://redd.it/busy1").await.unwrap();
    assert_eq!(
        recs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["busy1", "bzc1"]
    );
}
