//! The Reddit adapter against the synthetic Reddit server: whole trees behind
//! `more` placeholders and "continue this thread", resume from any page,
//! replies off, rate-limit pauses.

mod reddit_support;

use std::time::{Duration, Instant};

use engine::{Comment, JobOptions};
use fixtures::{FixtureServer, RedditSynth, ServerConfig};
use reddit_support::{assert_synth_truth, context, run};

async fn server(synth: RedditSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .expect("server starts")
}

fn records(pages: &[engine::Page]) -> Vec<Comment> {
    pages.iter().flat_map(|p| p.records.clone()).collect()
}

#[tokio::test]
async fn exports_a_3000_comment_tree_exactly() {
    let s = server(RedditSynth::new(vec![("t3k".into(), 3000)])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new()),
        "https://www.reddit.com/r/synthetic/comments/t3k/x/",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert!(
        pages.len() > 1,
        "hidden parts were fetched ({} pages)",
        pages.len()
    );
    assert_eq!(pages[0].total_hint, Some(3001));
    let recs = records(&pages);
    assert_synth_truth(&recs, "t3k", 3000);
    assert!(
        recs.iter().any(|r| r.depth > 10),
        "continue-this-thread reached"
    );
    let reqs = s.requests();
    let first = &reqs[0];
    assert_eq!(first.path, "/comments/t3k.json");
    for (k, v) in [("limit", "500"), ("sort", "new"), ("raw_json", "1")] {
        assert_eq!(first.query_param(k).as_deref(), Some(v), "{k}");
    }
    let mc = reqs
        .iter()
        .find(|r| r.path == "/api/morechildren.json")
        .unwrap();
    assert_eq!(mc.query_param("link_id").as_deref(), Some("t3_t3k"));
    assert_eq!(mc.query_param("api_type").as_deref(), Some("json"));
    assert!(mc.query_param("children").unwrap().split(',').count() <= 100);
    let batches = reqs
        .iter()
        .filter(|r| r.path.contains("/api/morechildren"))
        .count();
    assert!(batches > 5, "{batches} morechildren requests");
    assert!(reqs.iter().any(|r| r.path.contains("/_/")));
    assert!(reqs.iter().all(|r| r
        .headers
        .iter()
        .any(|(k, v)| k == "user-agent" && v.contains("(by /u/"))));
}

#[tokio::test]
async fn resumes_from_every_cursor_without_loss_or_duplicates() {
    let s = server(RedditSynth::new(vec![("r9".into(), 4000)])).await;
    let url = "https://redd.it/r9";
    let (pages, err) = run(
        context(&s, JobOptions::new().parallel_requests(3)),
        url,
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert!(pages.len() >= 4, "{} pages", pages.len());
    for cut in 0..pages.len() {
        let Some(cursor) = pages.get(cut).and_then(|p| p.next.clone()) else {
            continue;
        };
        let mut head = records(&pages[..=cut]);
        let cursor = serde_json::from_str(&serde_json::to_string(&cursor).unwrap()).unwrap();
        let (rest, err) = run(context(&s, JobOptions::new()), url, Some(cursor)).await;
        assert!(err.is_none(), "{err:?}");
        head.extend(records(&rest));
        assert_synth_truth(&head, "r9", 4000);
    }
}

#[tokio::test]
async fn replies_off_fetches_only_top_level_work() {
    let s = server(RedditSynth::new(vec![("q1".into(), 900)])).await;
    let (pages, err) = run(
        context(&s, JobOptions::new().replies(false)),
        "https://redd.it/q1",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    let truth = fixtures::reddit_synth_thread("q1", 900);
    let top: Vec<&str> = truth
        .iter()
        .filter(|c| c.depth == 0)
        .map(|c| c.id.as_str())
        .collect();
    let got = records(&pages);
    for id in top {
        assert!(got.iter().any(|r| r.id == id), "top-level {id} exported");
    }
    assert!(
        s.requests().iter().all(|r| !r.path.contains("/_/")),
        "no continue-thread pages"
    );
}

#[tokio::test]
async fn waits_when_the_rate_limit_window_is_used_up() {
    let s = server(RedditSynth::new(vec![("w1".into(), 1200)]).ratelimit_window(4)).await;
    let start = Instant::now();
    let (pages, err) = run(
        context(&s, JobOptions::new().parallel_requests(1)),
        "https://redd.it/w1",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_synth_truth(&records(&pages), "w1", 1200);
    let n = s.requests().len() as u64;
    assert!(n >= 9, "{n} requests");
    // Every 4th answer says "0 remaining, reset in 1 s": the job pauses each time.
    assert!(
        start.elapsed() >= Duration::from_secs((n - 1) / 4),
        "{n} requests in {:?}",
        start.elapsed()
    );
}
