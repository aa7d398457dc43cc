//! Criterion benches of the App Store and Google Play parsers (see
//! `BENCHMARKS.md`): CPU per review of one page, bytes as the fixture
//! servers send them.
//!
//! * `apple_feed_50`: `adapters::apple::parse_feed` on a full 50-entry feed
//!   page (newer format, with `updated`), and a plain `serde_json::Value`
//!   parse of the same bytes as a yardstick.
//! * `googleplay_page_100`: the batchexecute envelope (`rpc_answer`) plus
//!   `parse_payload` of a 100-review `oCPfdb` answer with a developer reply
//!   on every fourth review, and the envelope alone.
//!
//! Quick run: `cargo bench -p benches --bench apple_googleplay -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use adapters::apple::parse_feed;
use adapters::googleplay::envelope::{rpc_answer, Answer};
use adapters::googleplay::parse::{parse_payload, Listed};
use adapters::googleplay::request::Rpc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use engine::Target;
use fixtures::{apple_synth_review, GpApp};
use serde_json::{json, Value};

const APP: u64 = 1_000_000_900;
const PACKAGE: &str = "com.synth.bench";
const FEED_URL: &str =
    "https://itunes.apple.com/jp/rss/customerreviews/page=1/id=1000000900/sortby=mostrecent/json";
const PLAY_URL: &str = "https://play.google.com/_/PlayStoreUi/data/batchexecute?rpcids=oCPfdb";

/// A full feed page (50 entries) as the synthetic App Store sends it.
fn apple_page() -> Vec<u8> {
    let entries: Vec<Value> = (0..50).map(|i| apple_synth_review(APP, "jp", i)).collect();
    json!({"feed": {"author": {"name": {"label": "iTunes Store"}}, "entry": entries,
        "title": {"label": "iTunes Store: Customer Reviews"}}})
    .to_string()
    .into_bytes()
}

/// A 100-review `oCPfdb` answer (envelope and payload) with a reply on every fourth review.
fn play_answer() -> Vec<u8> {
    let app = GpApp::new(PACKAGE, 100).reply_every(4);
    let items: Vec<Value> = (0..100).map(|i| app.review(i).wire()).collect();
    let payload = json!([items, [null, "CsYBCo8BCgcI"], null]).to_string();
    let frames = json!([
        ["wrb.fr", "oCPfdb", payload, null, null, null, "generic"],
        ["di", 48],
        ["af.httprm", 47, "-3962981244632587011", 18]
    ]);
    format!(")]}}'\n\n{frames}\n").into_bytes()
}

fn benches(c: &mut Criterion) {
    let apple = apple_page();
    let target = Target::new(
        "apple",
        APP.to_string(),
        format!("https://apps.apple.com/jp/app/id{APP}"),
    );
    let mut g = c.benchmark_group("apple_feed_50");
    g.throughput(Throughput::Elements(50));
    g.bench_function("parse_feed", |b| {
        b.iter(|| parse_feed(black_box(&apple), &target, "jp", FEED_URL).unwrap())
    });
    g.bench_function("serde_value_yardstick", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&apple)).unwrap())
    });
    g.finish();

    let play = play_answer();
    let target = Target::new(
        "googleplay",
        PACKAGE,
        format!("https://play.google.com/store/apps/details?id={PACKAGE}"),
    );
    let listed = Listed {
        hl: "en",
        gl: "US",
        replies: true,
    };
    let mut g = c.benchmark_group("googleplay_page_100");
    g.throughput(Throughput::Elements(100));
    g.bench_function("envelope_and_payload", |b| {
        b.iter(|| {
            let Answer::Payload(p) = rpc_answer(black_box(&play), "oCPfdb", PLAY_URL).unwrap()
            else {
                unreachable!("the bench answer has a payload")
            };
            parse_payload(&p, Rpc::Current, &target, PLAY_URL, listed).unwrap()
        })
    });
    g.bench_function("envelope_only", |b| {
        b.iter(|| rpc_answer(black_box(&play), "oCPfdb", PLAY_URL).unwrap())
    });
    g.finish();
}

criterion_group!(parsers, benches);
criterion_main!(parsers);
