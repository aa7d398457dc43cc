//! The Bilibili adapter against the synthetic Bilibili server (large,
//! deterministic comment areas behind the real endpoints, 127.0.0.1 only):
//! exact ground truth, order independent of parallelism, resume at every
//! page, the unsigned fallback at scale, and login cookies left alone.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use adapters::bilibili::bvid::av_to_bv;
use adapters::bilibili::Bilibili;
use engine::{
    Adapter, Comment, Cursor, Error, FetchContext, HttpClient, JobOptions, Page, RetryPolicy,
};
use fixtures::{
    bilibili_synth_comment, bilibili_synth_rcount, bilibili_synth_reply,
    bilibili_synth_reply_parent, bilibili_synth_rpid, BilibiliSynth, FixtureServer, ServerConfig,
    SynthVideo,
};
use futures::StreamExt;

const AID: u64 = 4_200_001;
const COMMENTS: usize = 137;

fn video() -> SynthVideo {
    SynthVideo::new(AID, &av_to_bv(AID).unwrap(), COMMENTS)
}

async fn server(synth: BilibiliSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .expect("server starts")
}

fn context(server: &FixtureServer, options: JobOptions, cookie: Option<&str>) -> FetchContext {
    let mut b = HttpClient::builder("bilibili")
        .base_url(Some(server.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        });
    if let Some(c) = cookie {
        b = b.header("cookie", c, true);
    }
    FetchContext {
        http: b.build().unwrap(),
        options: Arc::new(options),
    }
}

async fn run(ctx: FetchContext, aid: u64, resume: Option<Cursor>) -> (Vec<Page>, Option<Error>) {
    let url = format!("https://www.bilibili.com/video/av{aid}")
        .parse()
        .unwrap();
    let target = Bilibili.detect(&url).unwrap();
    let mut stream = Bilibili.fetch(target, ctx, resume);
    let mut pages = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(p) => pages.push(p),
            Err(e) => return (pages, Some(e)),
        }
    }
    (pages, None)
}

fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| &p.records)
        .map(|c| c.id.clone())
        .collect()
}

/// Checks `records` against the generator: every comment and reply once, in
/// listing order (pinned first), with tree fields, authors, texts and likes.
fn assert_ground_truth(records: &[&Comment], pinned_first: bool) {
    let mut expected: Vec<(u64, Option<u64>, u32, serde_json::Value)> = Vec::new();
    let mut order: Vec<usize> = (0..COMMENTS).collect();
    if pinned_first {
        order.retain(|i| *i != 3);
        order.insert(0, 3);
    }
    for i in order {
        let root = bilibili_synth_rpid(AID, i);
        expected.push((root, None, 0, bilibili_synth_comment(AID, i)));
        let mut depth: HashMap<u64, u32> = HashMap::from([(root, 0)]);
        for j in 0..bilibili_synth_rcount(i) {
            let (rpid, parent) = bilibili_synth_reply_parent(root, j);
            let d = depth.get(&parent).map_or(1, |d| d + 1);
            depth.insert(rpid, d);
            expected.push((rpid, Some(parent), d, bilibili_synth_reply(AID, i, j)));
        }
    }
    assert_eq!(records.len(), expected.len());
    for (c, (id, parent, depth, wire)) in records.iter().zip(&expected) {
        assert_eq!(c.id, id.to_string());
        assert_eq!(c.parent_id, parent.map(|p| p.to_string()), "{id}");
        assert_eq!(c.depth, *depth, "{id}");
        assert_eq!(Some(c.text.as_str()), wire["content"]["message"].as_str());
        assert_eq!(c.author.as_deref(), wire["member"]["uname"].as_str());
        assert_eq!(c.likes, wire["like"].as_u64());
        assert_eq!(c.created_at.map(|t| t.timestamp()), wire["ctime"].as_i64());
        let unresolved = parent.is_some_and(|p| p % 1000 == 999);
        assert_eq!(
            c.extra.contains_key("parent_unresolved"),
            unresolved,
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_ground_truth_whatever_the_parallelism() {
    let server = server(BilibiliSynth::new(vec![video()]).latency(Duration::from_millis(2))).await;
    let (serial, error) = run(
        context(&server, JobOptions::new().parallel_requests(1), None),
        AID,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(serial.len(), 7, "137 comments, 20 a page");
    assert_ground_truth(
        &serial.iter().flat_map(|p| &p.records).collect::<Vec<_>>(),
        true,
    );
    let (parallel, error) = run(
        context(&server, JobOptions::new().parallel_requests(8), None),
        AID,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&parallel), ids(&serial));
    // Every page is whole threads: each reply's root is on the same page.
    for p in &parallel {
        let tops: Vec<&str> = p
            .records
            .iter()
            .filter(|c| c.depth == 0)
            .map(|c| c.id.as_str())
            .collect();
        assert!(p.records.iter().all(|c| tops.contains(&c.root_id.as_str())));
    }
}

#[tokio::test]
async fn resume_at_every_page_gives_exactly_the_rest() {
    let server = server(BilibiliSynth::new(vec![video()])).await;
    let (pages, error) = run(context(&server, JobOptions::new(), None), AID, None).await;
    assert!(error.is_none(), "{error:?}");
    let all = ids(&pages);
    let mut done = 0;
    for page in &pages[..pages.len() - 1] {
        done += page.records.len();
        let (rest, error) = run(
            context(&server, JobOptions::new(), None),
            AID,
            page.next.clone(),
        )
        .await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(ids(&rest), all[done..], "resumed after {done} records");
    }
}

#[tokio::test]
async fn refused_signature_falls_back_to_the_unsigned_listing_at_scale() {
    let mut v = video();
    v.refuse_signed = true;
    let server = server(BilibiliSynth::new(vec![v])).await;
    let (pages, error) = run(context(&server, JobOptions::new(), None), AID, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_ground_truth(
        &pages.iter().flat_map(|p| &p.records).collect::<Vec<_>>(),
        true,
    );
    assert!(pages[0].notes.iter().any(|n| n.contains("unsigned")));
    let (rest, error) = run(
        context(&server, JobOptions::new(), None),
        AID,
        pages[2].next.clone(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&rest), ids(&pages[3..]));
}

#[tokio::test]
async fn configured_login_cookies_are_sent_alone() {
    let login = "SESSDATA=synthetic-session; bili_jct=x";
    let server = server(BilibiliSynth::new(vec![video()]).login_cookie(login)).await;
    let options = JobOptions::new().replies(false);
    let (pages, error) = run(context(&server, options, Some(login)), AID, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&pages).len(), COMMENTS);
    assert_eq!(server.hits("/x/frontend/finger/spi"), 0, "no buvid3 needed");
    for r in server.requests() {
        assert_eq!(r.header("cookie"), Some(login), "{}", r.path);
    }
    // Without the login cookie, a visitor gets buvid3 from spi.
    let (pages, error) = run(
        context(&server, JobOptions::new().replies(false), None),
        AID,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&pages).len(), COMMENTS);
    assert_eq!(server.hits("/x/frontend/finger/spi"), 1);
}

#[tokio::test]
async fn partial_mirror_without_keys_or_view_still_exports_everything() {
    let server = server(BilibiliSynth::new(vec![video()]).bare()).await;
    let (pages, error) = run(context(&server, JobOptions::new(), None), AID, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_ground_truth(
        &pages.iter().flat_map(|p| &p.records).collect::<Vec<_>>(),
        true,
    );
    let notes = pages[0].notes.join("; ");
    assert!(notes.contains("aid computed from the BV id"), "{notes}");
    assert!(notes.contains("no WBI keys"), "{notes}");
    assert_eq!(server.hits("/x/v2/reply/wbi/main"), 0);
}

#[tokio::test]
async fn newest_first_with_since_stops_after_the_first_older_page() {
    let server = server(BilibiliSynth::new(vec![video()])).await;
    // Comments are a minute apart: page 2 (comments 20..39) reaches 30 minutes back.
    let since =
        chrono::DateTime::from_timestamp(fixtures::BILIBILI_SYNTH_NEWEST - 30 * 60, 0).unwrap();
    let options = JobOptions::new().replies(false).since(since);
    let (pages, error) = run(context(&server, options, None), AID, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 2);
    assert!(pages[1].is_last());
}
