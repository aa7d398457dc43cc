//! `runner batch` end to end on the App Store: the static `fixtures/apple`
//! feeds in three storefronts (a review listed in two of them exported
//! once), the typed failures (unknown app, changed shape) and the retried
//! 429, then a synthetic app past Apple's 10-page cap with the cap stated in
//! summary.json.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::*;
use fixtures::{
    apple_synth_review, apple_synth_updated, AppleSynth, AppleSynthApp, FixtureServer, ServerConfig,
};
use serde_json::Value;

fn batch(
    dir: &Path,
    server: &FixtureServer,
    urls: &str,
    extra: &[&str],
) -> (std::process::Output, std::path::PathBuf) {
    let list = dir.join("urls.txt");
    std::fs::write(&list, urls).unwrap();
    let out = dir.join("out");
    let mut args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("apple={}", server.base_url()),
        "--retries".into(),
        "2".into(),
        "--format".into(),
        "ndjson,csv".into(),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    (run(&args), out)
}

fn job<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["source_id"] == id || j["url"].as_str().unwrap().contains(id))
        .unwrap_or_else(|| panic!("no job for {id}"))
}

#[test]
fn static_feeds_three_storefronts_once_each_and_typed_failures() {
    let server =
        FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (o, out) = batch(
        dir.path(),
        &server,
        "https://apps.apple.com/jp/app/fixture-notes/id1000000001\n\
         https://apps.apple.com/us/app/gone/id1000000002\n\
         https://itunes.apple.com/us/app/empty/id1000000003?mt=8\n\
         https://apps.apple.com/us/app/changed/id1000000004\n\
         https://apps.apple.com/us/app/busy/id1000000005\n",
        &["--param", "country=jp,us,gb"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "two URLs fail: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let records = read_ndjson(&out.join("apple_1000000001.ndjson"));
    let got: Vec<(&str, f64, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["rating"].as_f64().unwrap(),
                r["extra"]["storefront"].as_str().unwrap(),
                r["created_at"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("9100000103", 5.0, "jp", "-"),
            ("9100000102", 2.0, "jp", "-"),
            ("9100000101", 4.0, "jp", "-"),
            ("9100000202", 3.0, "us", "2024-05-31T01:04:11Z"),
            ("9100000301", 1.0, "gb", "2024-05-31T22:59:59Z"),
        ],
        "9100000101, listed by jp and us, is exported once"
    );
    assert_eq!(records[0]["text"], "メモが速い！\n同期も問題なし👍");
    assert_eq!(records[0]["title"], "毎日使っています");
    assert_eq!(records[0]["created_at_precision"], Value::Null);
    assert_eq!(
        records[3]["text"],
        "Good app; the widget crashes on iOS 17.5 though."
    );
    assert_eq!(records[3]["created_at_precision"], "second");
    assert_eq!(
        (
            records[3]["likes"].as_u64(),
            records[3]["dislikes"].as_u64()
        ),
        (Some(2), Some(5))
    );
    assert_eq!(records[4]["author"], "Ann O'Nym");
    assert!(records.iter().all(|r| r["kind"] == "review"
        && r["source_url"] == "https://apps.apple.com/jp/app/id1000000001"));
    let csv = std::fs::read_to_string(out.join("apple_1000000001.csv")).unwrap();
    assert!(!csv.contains(",=SUM("), "formula neutralized in CSV");

    let s = summary(&out);
    let a = job(&s, "1000000001");
    assert_eq!(a["status"], "done");
    assert_eq!(
        (
            a["counts"]["written"].as_u64(),
            a["counts"]["duplicates"].as_u64()
        ),
        (Some(5), Some(1))
    );
    assert_eq!(job(&s, "1000000002")["error"]["kind"], "not_found");
    let empty = job(&s, "1000000003");
    assert_eq!(
        (
            empty["status"].as_str(),
            empty["counts"]["written"].as_u64()
        ),
        (Some("done"), Some(0))
    );
    let notes = empty["counts"]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with("no reviews in the App Store feed of jp, us, gb")),
        "{notes:?}"
    );
    let changed = job(&s, "1000000004");
    assert_eq!(changed["error"]["kind"], "parse");
    assert!(changed["error"]["message"]
        .as_str()
        .unwrap()
        .contains("feed.entry[1].im:rating.label"));
    let busy = job(&s, "1000000005");
    assert_eq!(
        (busy["status"].as_str(), busy["counts"]["written"].as_u64()),
        (Some("done"), Some(2))
    );
}

#[test]
fn capped_storefront_is_stated_and_every_served_review_is_exact() {
    let app = 1_000_000_700u64;
    let server = FixtureServer::start_blocking(ServerConfig::new().synthetic(AppleSynth {
        apps: vec![AppleSynthApp::new(app, &[("jp", 730), ("us", 64)])],
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (o, out) = batch(
        dir.path(),
        &server,
        &format!("https://apps.apple.com/jp/app/synth/id{app}\n"),
        &["--param", "country=jp,us,de"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let records = read_ndjson(&out.join(format!("apple_{app}.ndjson")));
    assert_eq!(records.len(), 500 + 64);
    let mut ids = HashSet::new();
    for (k, r) in records.iter().enumerate() {
        let (cc, i) = if k < 500 { ("jp", k) } else { ("us", k - 500) };
        let truth = apple_synth_review(app, cc, i);
        assert!(
            ids.insert(r["id"].as_str().unwrap().to_string()),
            "{} twice",
            r["id"]
        );
        assert_eq!(r["id"], truth["id"]["label"]);
        assert_eq!(
            r["rating"].as_f64(),
            truth["im:rating"]["label"].as_str().unwrap().parse().ok()
        );
        assert_eq!(r["text"], truth["content"]["label"]);
        assert_eq!(r["title"], truth["title"]["label"]);
        let t = chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(t.timestamp(), apple_synth_updated(app, cc, i));
    }
    let s = summary(&out);
    let notes: Vec<&str> = s["jobs"][0]["counts"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes, [
        "storefront jp capped at 10 pages × 50 reviews by Apple's feed; older reviews are not served",
        "no reviews in 1 of 3 storefronts: de",
    ]);
}
