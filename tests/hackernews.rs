//! `runner batch` end to end on Hacker News against the embedded fixtures:
//! the Algolia tree, the fallback to the official API, a missing item.

mod common;

use common::*;
use fixtures::{FixtureServer, ServerConfig};
use serde_json::Value;

#[test]
fn exports_trees_from_algolia_and_firebase_and_reports_missing_items() {
    let server =
        FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "https://news.ycombinator.com/item?id=8001\n\
         https://news.ycombinator.com/item?id=8002\n\
         https://news.ycombinator.com/item?id=8004\n",
    )
    .unwrap();
    let args: Vec<String> = vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("hackernews={}", server.base_url()),
        "--rate".into(),
        "hackernews=0".into(),
        "--format".into(),
        "ndjson,csv".into(),
        "--quiet".into(),
    ];
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "one URL fails: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let a = read_ndjson(&out.join("hackernews_8001.ndjson"));
    assert_eq!(a.len(), 1 + 4 + 2 + 1 + 14);
    assert_eq!(a[0]["kind"], "post");
    assert_eq!(a[0]["likes"], 321);
    let by = |id: &str| a.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        by("8102")["text"],
        "Reply with a link: https://example.com/a/b?x=1&y=2"
    );
    assert_eq!(by("8105")["extra"]["deleted"], true);
    assert_eq!(by("8134")["depth"], 14);
    assert_eq!(by("8134")["root_id"], "8110");
    assert!(a.iter().all(|r| r["id"] != "8107"), "deleted leaf dropped");

    let b = read_ndjson(&out.join("hackernews_8002.ndjson"));
    let shape: Vec<(String, Value, u64)> = b
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent_id"].clone(),
                r["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shape[0], ("8002".into(), Value::Null, 0));
    assert_eq!(shape.len(), 8);
    assert!(shape.contains(&("800208".into(), Value::from("800205"), 2)));

    let s = summary(&out);
    let jobs = s["jobs"].as_array().unwrap();
    let status = |id: &str| {
        jobs.iter()
            .find(|j| j["url"].as_str().unwrap().ends_with(&format!("id={id}")))
            .unwrap()
            .clone()
    };
    assert_eq!(status("8001")["status"], "done");
    assert_eq!(status("8002")["status"], "done");
    assert_eq!(status("8004")["status"], "error");
    assert_eq!(
        status("8004")["error"]["kind"],
        "not_found",
        "{}",
        status("8004")
    );
}
