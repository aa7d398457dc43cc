//! The Hacker News adapter against the embedded fixtures (`fixtures/hackernews/`):
//! Algolia tree, fallbacks to the official API (Algolia 404, lag, bad body),
//! 429 + Retry-After, not found, bounded concurrency.

use std::sync::Arc;
use std::time::Duration;

use adapters::hackernews::HackerNews;
use engine::{Adapter, Comment, Error, FetchContext, HttpClient, JobOptions, Kind, RetryPolicy};
use fixtures::{FixtureServer, ServerConfig};
use futures::StreamExt;

async fn server() -> FixtureServer {
    FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .expect("server starts")
}

fn context(server: &FixtureServer, parallel: usize) -> FetchContext {
    let http = HttpClient::builder("hackernews")
        .base_url(Some(server.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        })
        .build()
        .unwrap();
    FetchContext {
        http,
        options: Arc::new(JobOptions::new().parallel_requests(parallel)),
    }
}

async fn export(
    server: &FixtureServer,
    id: u64,
    parallel: usize,
) -> Result<(Vec<Comment>, Vec<String>), Error> {
    let target = HackerNews
        .detect(
            &format!("https://news.ycombinator.com/item?id={id}")
                .parse()
                .unwrap(),
        )
        .unwrap();
    let mut stream = HackerNews.fetch(target, context(server, parallel), None);
    let mut records = Vec::new();
    let mut notes = Vec::new();
    while let Some(page) = stream.next().await {
        let page = page?;
        assert!(page.next.is_none(), "one page holds the whole tree");
        records.extend(page.records);
        notes.extend(page.notes);
    }
    Ok((records, notes))
}

fn shape(r: &[Comment]) -> Vec<(String, Option<String>, u32)> {
    r.iter()
        .map(|c| (c.id.clone(), c.parent_id.clone(), c.depth))
        .collect()
}

#[tokio::test]
async fn algolia_tree_is_exported_whole() {
    let s = server().await;
    let (recs, notes) = export(&s, 8001, 4).await.unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(recs[0].kind, Kind::Post);
    assert_eq!(
        recs[0].title.as_deref(),
        Some("Show HN: A synthetic fixture story")
    );
    assert_eq!(recs[0].extra["link_url"], "https://example.org/fixture");
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    assert!(!ids.contains(&"8107"), "deleted leaf dropped");
    assert_eq!(
        recs.len(),
        1 + 4 + 2 + 1 + 14,
        "post, 4 in thread 8101, placeholder + reply, chain"
    );
    let by = |id: &str| recs.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        by("8101").text,
        "First top-level comment.\n\nIt has two paragraphs & an entity: 'quoted'."
    );
    assert_eq!(
        by("8102").text,
        "Reply with a link: https://example.com/a/b?x=1&y=2"
    );
    assert_eq!(
        by("8103").text,
        "Code:\n\n  let x = a < b;\n  println!(\"{x}\");\n\nDone."
    );
    assert_eq!((by("8103").depth, by("8103").root_id.as_str()), (2, "8101"));
    assert_eq!(by("8105").extra["deleted"], true);
    assert_eq!(by("8106").parent_id.as_deref(), Some("8105"));
    assert_eq!(
        (by("8134").depth, by("8134").root_id.as_str()),
        (14, "8110")
    );
    assert!(
        s.requests()
            .iter()
            .all(|r| !r.path.starts_with("/v0/item/81")),
        "no fallback needed"
    );
}

#[tokio::test]
async fn falls_back_to_firebase_when_algolia_has_not_indexed_it() {
    let s = server().await;
    let (recs, notes) = export(&s, 8002, 3).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        shape(&recs),
        vec![
            ("8002".into(), None, 0),
            ("800201".into(), None, 0),
            ("800205".into(), Some("800201".into()), 1),
            ("800208".into(), Some("800205".into()), 2),
            ("800206".into(), Some("800201".into()), 1),
            ("800202".into(), None, 0),
            ("800207".into(), Some("800202".into()), 1),
            ("800204".into(), None, 0),
        ],
        "pre-order, HN's sibling order, dead leaf 800203 dropped, deleted 800202 kept"
    );
    assert_eq!(recs[0].title.as_deref(), Some("Story 8002 & friends"));
    assert_eq!(recs[0].text, "Ask HN: self text\n\nsecond paragraph");
    assert_eq!(recs[5].extra["deleted"], true);
    assert_eq!(recs[4].text, "reply 6 > 5");
    let hits_800205 = s
        .requests()
        .iter()
        .filter(|r| r.path == "/v0/item/800205.json")
        .count();
    assert_eq!(hits_800205, 2, "429 then retried after Retry-After");
}

#[tokio::test]
async fn falls_back_when_algolia_lags() {
    let s = server().await;
    let (recs, notes) = export(&s, 8003, 1).await.unwrap();
    assert!(notes[0].contains("1 of 6"), "{notes:?}");
    assert_eq!(recs.len(), 8);
    assert!(recs.iter().any(|r| r.id == "800308" && r.depth == 2));
}

#[tokio::test]
async fn unknown_item_is_not_found_and_broken_apis_are_errors() {
    let s = server().await;
    assert_eq!(export(&s, 8004, 2).await.unwrap_err().kind(), "not_found");
    let e = export(&s, 8005, 2).await.unwrap_err();
    assert_eq!(e.kind(), "http_status", "{e}");
}
