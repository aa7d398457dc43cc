//! Criterion benches of the X conversation parser and the session layer's
//! cookie merge (results in `BENCHMARKS.md`).
//!
//! * `twitter/parse_page`: `adapters::twitter::wire::parse_detail` on a
//!   `TweetDetail` page of 80 thread modules of 1–3 tweets (the shape of X's
//!   answers: full user objects, counts, edit control, views).
//! * `twitter/walk_page`: the same page parsed and placed in the tree by
//!   `Walk::absorb` (records built, expansion candidates chosen).
//! * `session/merge_cookies`: `merge_cookie_headers` of a 20-cookie browser
//!   export with an adapter's 2 cookies (done once per request).
//!
//! Run: `cargo bench -p benches --bench social -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

use adapters::twitter::walk::{Scope, Walk};
use adapters::twitter::wire::parse_detail;
use engine::session::merge_cookie_headers;
use fixtures::{TwConversation, TWITTER_SYNTH_FIRST_ID};

/// A first `TweetDetail` page: the post, then `threads` modules of up to 3 tweets.
fn page(conv: &TwConversation, threads: usize) -> Vec<u8> {
    let item = |i: usize, module: &str| {
        json!({"entryId": format!("{module}-tweet-{}", conv.posts[i].id),
            "item": {"itemContent": {"itemType": "TimelineTweet", "__typename": "TimelineTweet",
                "tweet_results": {"result": conv.result_json(i)}, "tweetDisplayType": "Tweet"}}})
    };
    let mut entries = vec![
        json!({"entryId": format!("tweet-{}", conv.posts[0].id), "sortIndex": "9",
        "content": {"entryType": "TimelineTimelineItem", "__typename": "TimelineTimelineItem",
            "itemContent": {"itemType": "TimelineTweet", "__typename": "TimelineTweet",
                "tweet_results": {"result": conv.result_json(0)}}}}),
    ];
    for t in conv.children(0).into_iter().take(threads) {
        let module = format!("conversationthread-{}", conv.posts[t].id);
        let mut chain = vec![t];
        while chain.len() < 3 {
            match conv.children(*chain.last().unwrap()).first() {
                Some(&c) => chain.push(c),
                None => break,
            }
        }
        let items: Vec<Value> = chain.iter().map(|&i| item(i, &module)).collect();
        entries.push(json!({"entryId": module, "sortIndex": "5", "content": {
            "entryType": "TimelineTimelineModule", "__typename": "TimelineTimelineModule",
            "items": items, "displayType": "VerticalConversation"}}));
    }
    serde_json::to_vec(
        &json!({"data": {"threaded_conversation_with_injections_v2": {
        "instructions": [{"type": "TimelineAddEntries", "entries": entries}]}}}),
    )
    .unwrap()
}

fn twitter(c: &mut Criterion) {
    // Deep enough that most of the 40 threads hold three tweets.
    let conv = TwConversation::generated(TWITTER_SYNTH_FIRST_ID, 600, 5);
    let body = page(&conv, 80);
    let detail = parse_detail(&body, "bench").unwrap();
    let tweets = detail.entries.len() as u64;
    assert!(tweets > 150, "{tweets} tweets");
    eprintln!("TweetDetail page: {tweets} tweets, {} bytes", body.len());
    let target = adapters::twitter::url::detect(
        &format!("https://x.com/a/status/{}", conv.posts[0].id)
            .parse()
            .unwrap(),
    )
    .unwrap();
    let scope = Scope {
        replies: true,
        max_depth: None,
        expand: true,
    };
    let mut g = c.benchmark_group("twitter");
    g.throughput(Throughput::Elements(tweets));
    g.bench_function("parse_page", |b| {
        b.iter(|| parse_detail(black_box(&body), "bench").unwrap())
    });
    g.bench_function("walk_page", |b| {
        b.iter(|| {
            let d = parse_detail(black_box(&body), "bench").unwrap();
            let mut walk = Walk::new(&target.id);
            walk.absorb(&d, &target, scope, "bench").unwrap()
        })
    });
    g.finish();
}

fn session(c: &mut Criterion) {
    let user: Vec<String> = (0..20)
        .map(|i| format!("cookie_{i}=v{i}x0123456789abcdef0123456789"))
        .collect();
    let user = user.join("; ");
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));
    g.bench_function("merge_cookies", |b| {
        b.iter(|| merge_cookie_headers(black_box(&user), black_box("buvid3=abc; NID=511=xyz")))
    });
    g.finish();
}

criterion_group!(benches, twitter, session);
criterion_main!(benches);
