//! The official-API fallback on a generated tree: exact shape, sibling order,
//! and at most `parallel_requests` item requests in flight (checked by a
//! test-local server that delays every answer and counts what overlaps).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use adapters::hackernews::HackerNews;
use engine::{Adapter, FetchContext, HttpClient, JobOptions};
use fixtures::{FixtureServer, ServerConfig, SynthRequest, Synthetic};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde_json::json;

/// Item `i` (1..=N) of a story: parent `i / 3` (0 = the story, id 1000).
const N: u64 = 120;
const STORY: u64 = 1000;

fn parent(i: u64) -> u64 {
    if i / 3 == 0 {
        STORY
    } else {
        i / 3
    }
}

#[derive(Clone, Default)]
struct Firebase {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
}

impl Synthetic for Firebase {
    fn respond<'a>(
        &'a self,
        req: &'a SynthRequest,
    ) -> BoxFuture<'a, Option<axum::response::Response>> {
        Box::pin(async move {
            if req.path.starts_with("/api/v1/items/") {
                let body = axum::body::Body::from("{\"status\":500}");
                let mut r = axum::response::Response::new(body);
                *r.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                return Some(r);
            }
            let id: u64 = req
                .path
                .strip_prefix("/v0/item/")?
                .strip_suffix(".json")?
                .parse()
                .ok()?;
            let inflight = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.max.fetch_max(inflight, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(15)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            let kids: Vec<u64> = (1..=N).filter(|&k| parent(k) == id).collect();
            let item = if id == STORY {
                json!({"by":"op","descendants":N,"id":id,"kids":kids,"score":1,"time":1_700_000_000,"title":"T","type":"story"})
            } else {
                json!({"by":format!("u{id}"),"id":id,"kids":kids,"parent":parent(id),"text":format!("c{id}"),"time":1_700_000_000 + id,"type":"comment"})
            };
            Some(axum::response::IntoResponse::into_response(
                item.to_string(),
            ))
        })
    }
}

#[tokio::test]
async fn firebase_tree_is_exact_and_concurrency_is_bounded() {
    let fb = Firebase::default();
    let server = FixtureServer::start(ServerConfig::new().synthetic(fb.clone()))
        .await
        .unwrap();
    let http = HttpClient::builder("hackernews")
        .base_url(Some(server.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(engine::RetryPolicy {
            max_retries: 0,
            ..Default::default()
        })
        .build()
        .unwrap();
    let ctx = FetchContext {
        http,
        options: Arc::new(JobOptions::new().parallel_requests(3)),
    };
    let target = HackerNews
        .detect(
            &format!("https://news.ycombinator.com/item?id={STORY}")
                .parse()
                .unwrap(),
        )
        .unwrap();
    let pages: Vec<_> = HackerNews.fetch(target, ctx, None).collect().await;
    let page = pages.into_iter().next().unwrap().unwrap();
    assert_eq!(page.records.len() as u64, N + 1);
    let mut seen = std::collections::HashSet::new();
    for r in &page.records[1..] {
        let i: u64 = r.id.parse().unwrap();
        let want_parent = (parent(i) != STORY).then(|| parent(i).to_string());
        assert_eq!(r.parent_id, want_parent, "parent of {i}");
        let mut depth = 0;
        let mut top = i;
        while parent(top) != STORY {
            top = parent(top);
            depth += 1;
        }
        assert_eq!(
            (r.depth, r.root_id.clone()),
            (depth, top.to_string()),
            "{i}"
        );
        assert_eq!(r.text, format!("c{i}"));
        if let Some(p) = &r.parent_id {
            assert!(seen.contains(p), "parent {p} before {i}");
        }
        seen.insert(r.id.clone());
    }
    // Siblings keep HN's order: top-level comments 1 then 2.
    let top: Vec<&str> = page
        .records
        .iter()
        .filter(|r| r.depth == 0 && r.id != "1000")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(top, vec!["1", "2"]);
    let max = fb.max.load(Ordering::SeqCst);
    assert!(max <= 3, "at most 3 in flight, saw {max}");
    assert!(max >= 2, "requests overlap, saw {max}");
}
