//! `runner batch` end to end on Reddit against the synthetic Reddit server:
//! exact ground truth (ids, parents, roots, depths, authors, texts, scores),
//! and `kill -9` + `--resume` in the middle of the `morechildren` phase.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use fixtures::{FixtureServer, RedditSynth, ServerConfig};
use serde_json::Value;

fn reddit_server(posts: Vec<(&str, usize)>, latency_ms: u64) -> FixtureServer {
    let synth = RedditSynth::new(posts.into_iter().map(|(p, n)| (p.to_string(), n)).collect())
        .latency(Duration::from_millis(latency_ms));
    FixtureServer::start_blocking(ServerConfig::new().synthetic(synth)).expect("server starts")
}

fn args(urls: &Path, out: &Path, server: &FixtureServer, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("reddit={}", server.base_url()),
        "--rate".into(),
        "reddit=0".into(),
        "--quiet".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// `records` hold exactly the post and the `n` comments of synthetic post `post`.
fn assert_truth(records: &[Value], post: &str, n: usize) {
    let truth = fixtures::reddit_synth_thread(post, n);
    assert_eq!(records[0]["kind"], "post");
    assert_eq!(records[0]["id"], post);
    assert_eq!(records[0]["depth"], 0);
    assert!(records[0]["parent_id"].is_null());
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    let mut seen = HashSet::new();
    for r in &records[1..] {
        let id = r["id"].as_str().unwrap();
        assert!(by_id.insert(id, r).is_none(), "duplicate {id}");
        if let Some(p) = r["parent_id"].as_str() {
            assert!(seen.contains(p), "parent {p} written before {id}");
        }
        seen.insert(id);
    }
    assert_eq!(by_id.len(), n, "comment count");
    for c in &truth {
        let r = by_id
            .get(c.id.as_str())
            .unwrap_or_else(|| panic!("{} missing", c.id));
        let parent = c
            .parent
            .map(|p| Value::from(truth[p].id.as_str()))
            .unwrap_or(Value::Null);
        assert_eq!(r["parent_id"], parent, "parent of {}", c.id);
        assert_eq!(r["root_id"], truth[c.root].id.as_str(), "root of {}", c.id);
        assert_eq!(r["depth"], c.depth, "depth of {}", c.id);
        assert_eq!(r["kind"], if c.depth == 0 { "comment" } else { "reply" });
        assert_eq!(r["text"], c.body.as_str(), "text of {}", c.id);
        let author = if c.author == "[deleted]" {
            Value::Null
        } else {
            Value::from(c.author.as_str())
        };
        assert_eq!(r["author"], author, "author of {}", c.id);
        assert_eq!(r["extra"]["score"], c.score, "score of {}", c.id);
        assert_eq!(r["extra"]["post_id"], post);
    }
}

#[test]
fn exports_a_4000_comment_thread_exactly() {
    let server = reddit_server(vec![("e2e4k", 4000), ("small1", 30)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "https://old.reddit.com/r/synthetic/comments/e2e4k/synthetic_post/\nhttps://redd.it/small1\n",
    )
    .unwrap();
    run_ok(&args(&urls, &out, &server, &["--format", "ndjson,csv"]));
    assert_truth(
        &read_ndjson(&out.join("reddit_e2e4k.ndjson")),
        "e2e4k",
        4000,
    );
    assert_truth(
        &read_ndjson(&out.join("reddit_small1.ndjson")),
        "small1",
        30,
    );
    let s = summary(&out);
    assert_eq!(s["totals"]["done"], 2);
    assert_eq!(s["totals"]["records"], 4000 + 1 + 30 + 1);
}

fn committed_pages(out: &Path) -> usize {
    std::fs::read_to_string(out.join(".runner/journal.ndjson"))
        .map(|s| s.lines().filter(|l| l.contains("\"t\":\"page\"")).count())
        .unwrap_or(0)
}

#[test]
fn kill_9_during_morechildren_then_resume_is_exact() {
    let server = reddit_server(vec![("kill9", 15000)], 20);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(&urls, "https://www.reddit.com/comments/kill9/\n").unwrap();
    let a = args(&urls, &out, &server, &["--parallel-requests", "2"]);
    let mut child = runner().args(&a).spawn().unwrap();
    let t = Instant::now();
    while committed_pages(&out) < 4 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        assert!(t.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(3));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut resumed = a.clone();
    resumed.push("--resume".into());
    run_ok(&resumed);
    assert_truth(
        &read_ndjson(&out.join("reddit_kill9.ndjson")),
        "kill9",
        15000,
    );
    assert_eq!(summary(&out)["resumed"], true);
}
