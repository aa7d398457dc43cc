//! `runner batch` end to end against the synthetic YouTube server: every
//! comment and reply exactly once with the right parents, texts and likes,
//! in both sorts, and a comments-off video done with its reason.

mod common;

use std::collections::HashMap;

use common::*;
use fixtures::{FixtureServer, ServerConfig, YouTubeSynth, YtVideo};
use serde_json::Value;

const VIDEO: &str = "ySynthE2e01";

fn youtube_server(threads: usize) -> (FixtureServer, YtVideo) {
    let video = YtVideo::new(VIDEO, threads);
    let server =
        FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures().synthetic(
            YouTubeSynth {
                videos: vec![video.clone()],
                latency: std::time::Duration::from_millis(2),
            },
        ))
        .expect("fixture server starts");
    (server, video)
}

fn export(
    server: &FixtureServer,
    sort: &str,
    dir: &std::path::Path,
    extra_urls: &[&str],
) -> (std::path::PathBuf, std::process::Output) {
    let out = dir.join(format!("out-{sort}"));
    let mut list = format!("https://www.youtube.com/watch?v={VIDEO}&feature=share\n");
    for u in extra_urls {
        list.push_str(u);
        list.push('\n');
    }
    let urls = dir.join(format!("urls-{sort}.txt"));
    std::fs::write(&urls, list).unwrap();
    let args: Vec<String> = [
        "batch",
        &urls.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--base-url",
        &format!("youtube={}", server.base_url()),
        "--rate",
        "youtube=0",
        "--sort",
        sort,
        "--parallel-requests",
        "6",
        "--quiet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = run(&args);
    (out, o)
}

/// Every record once, threads in listing order each followed by its replies.
fn assert_truth(records: &[Value], video: &YtVideo, newest: bool) {
    let mut seen = HashMap::new();
    for r in records {
        assert!(
            seen.insert(r["id"].as_str().unwrap().to_string(), ())
                .is_none(),
            "duplicate {}",
            r["id"]
        );
    }
    let mut order = video.order(newest);
    if newest {
        let p = video.pinned();
        let second = order.iter().skip(1).position(|&i| i == p).unwrap() + 1;
        order.remove(second);
    }
    let mut expected = Vec::new();
    for &i in &order {
        expected.push(video.thread(i));
        expected.extend((0..video.replies_of(i)).map(|j| video.reply(i, j)));
    }
    assert_eq!(records.len(), expected.len());
    for (g, e) in records.iter().zip(&expected) {
        assert_eq!(g["id"], e.id.as_str());
        assert_eq!(g["platform"], "youtube");
        assert_eq!(g["source_id"], VIDEO);
        assert_eq!(
            g["kind"],
            if e.parent.is_some() {
                "reply"
            } else {
                "comment"
            }
        );
        assert_eq!(g["parent_id"].as_str(), e.parent.as_deref(), "{}", e.id);
        assert_eq!(
            g["root_id"].as_str(),
            Some(e.parent.as_deref().unwrap_or(&e.id)),
            "{}",
            e.id
        );
        assert_eq!(g["text"], e.text.as_str(), "{}", e.id);
        assert_eq!(g["author"], e.author.as_str(), "{}", e.id);
        assert_eq!(g["likes"], e.likes, "{}", e.id);
        assert_eq!(g["likes_approx"], e.likes_approx, "{}", e.id);
        assert_eq!(g["created_at_raw"], e.published.as_str(), "{}", e.id);
    }
}

#[test]
fn exports_exact_ground_truth_in_both_sorts() {
    let (server, video) = youtube_server(150);
    let dir = tempfile::tempdir().unwrap();
    for (sort, newest) in [("new", true), ("top", false)] {
        let (out, o) = export(&server, sort, dir.path(), &["https://youtu.be/yCommentOff"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let records = read_ndjson(&out.join(format!("youtube_{VIDEO}.ndjson")));
        assert_truth(&records, &video, newest);
        let s = summary(&out);
        let text = s.to_string();
        assert!(text.contains("Comments are turned off"), "{text}");
    }
}
