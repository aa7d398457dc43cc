//! Bad input gets a precise error and loses nothing: garbage lines,
//! unsupported URLs, unknown apps, malformed JSON, 429, resets, 5xx, a dead
//! proxy; the batch goes on, exit code 1, fetched data kept, secrets never leak.

mod common;

use std::path::Path;

use common::*;
use fixtures::{Fault, SynthApp};
use serde_json::Value;

fn job<'a>(s: &'a Value, line_contains: &str) -> &'a Value {
    s["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["url"].as_str().unwrap().contains(line_contains))
        .unwrap_or_else(|| panic!("no job for {line_contains}"))
}

#[test]
fn every_failure_is_recorded_precisely_and_the_batch_goes_on() {
    let apps = vec![
        SynthApp::new(4_000_001, 350).dev_response_every(5),
        SynthApp::new(4_000_002, 10).fault(Fault::NotFound),
        SynthApp::new(4_000_003, 500).fault(Fault::Malformed {
            page: 2,
            times: usize::MAX,
        }),
        SynthApp::new(4_000_004, 300).fault(Fault::TooManyRequests {
            page: 1,
            times: 1,
            retry_after_secs: 1,
        }),
        SynthApp::new(4_000_005, 300).fault(Fault::ResetMidBody { page: 1, times: 2 }),
        SynthApp::new(4_000_006, 300).fault(Fault::ServerError {
            page: 1,
            times: usize::MAX,
        }),
    ];
    let server = steam_server(apps, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(
        dir.path(),
        &[
            4_000_001, 4_000_002, 4_000_003, 4_000_004, 4_000_005, 4_000_006,
        ],
        &[
            "!!garbage line with spaces",
            "https://www.linkedin.com/posts/someone_launch-activity-7000000000000000000-AbCd",
            "https://example.org/nothing",
        ],
    );
    let mut args = batch_args(&urls, &out, &server);
    args.extend([
        "--retries".into(),
        "2".into(),
        "--format".into(),
        "ndjson,json".into(),
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "some jobs failed → exit 1");
    let s = summary(&out);

    assert_eq!(job(&s, "4000001")["status"], "done");
    let nf = job(&s, "4000002");
    assert_eq!(
        (nf["status"].as_str(), nf["error"]["kind"].as_str()),
        (Some("error"), Some("not_found"))
    );

    let bad = job(&s, "4000003");
    assert_eq!(bad["error"]["kind"], "parse");
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("steam"),
        "{bad}"
    );
    // Pages 0 and 1 (200 reviews) arrived before the malformed page: kept, valid, exact.
    let kept = read_ndjson(&out.join("steam_4000003.ndjson"));
    assert_ground_truth(&kept, 4_000_003, 200, 0);
    let _: Vec<Value> =
        serde_json::from_slice(&std::fs::read(out.join("steam_4000003.json")).unwrap()).unwrap();

    assert_eq!(
        job(&s, "4000004")["status"],
        "done",
        "429 with Retry-After was waited out"
    );
    assert_ground_truth(
        &read_ndjson(&out.join("steam_4000004.ndjson")),
        4_000_004,
        300,
        0,
    );
    assert_eq!(
        job(&s, "4000005")["status"],
        "done",
        "a reset mid-body was retried"
    );
    assert_ground_truth(
        &read_ndjson(&out.join("steam_4000005.ndjson")),
        4_000_005,
        300,
        0,
    );

    let e5 = job(&s, "4000006");
    assert_eq!(e5["error"]["kind"], "http_status");
    assert!(e5["error"]["message"].as_str().unwrap().contains("500"));
    assert_eq!(
        read_ndjson(&out.join("steam_4000006.ndjson")).len(),
        100,
        "first page kept"
    );

    assert_eq!(job(&s, "garbage")["error"]["kind"], "invalid_url");
    let li = job(&s, "linkedin");
    assert_eq!(li["error"]["kind"], "unsupported_platform");
    assert!(li["error"]["message"]
        .as_str()
        .unwrap()
        .contains("LinkedIn"));
    assert_eq!(job(&s, "example.org")["error"]["kind"], "unsupported_url");
    assert_eq!(s["totals"]["error"], 6);
    assert_eq!(s["totals"]["done"], 3);

    // The combined file holds exactly what the per-URL files hold.
    let all = read_ndjson(&out.join("all.ndjson"));
    let per: usize = ["4000001", "4000003", "4000004", "4000005", "4000006"]
        .iter()
        .map(|id| read_ndjson(&out.join(format!("steam_{id}.ndjson"))).len())
        .sum();
    assert_eq!(all.len(), per);
}

fn grep_tree(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            hits.extend(grep_tree(&p, needle));
        } else if String::from_utf8_lossy(&std::fs::read(&p).unwrap()).contains(needle) {
            hits.push(p.display().to_string());
        }
    }
    hits
}

#[test]
fn a_dead_proxy_fails_precisely_without_leaking_its_password() {
    let server = steam_server(vec![SynthApp::new(4_100_001, 30)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[4_100_001], &[]);
    let mut args = batch_args(&urls, &out, &server);
    args.extend([
        "--proxy".into(),
        "http://alice:pr0xyS3cret@127.0.0.1:9".into(),
        "--retries".into(),
        "1".into(),
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let s = summary(&out);
    assert_eq!(s["jobs"][0]["error"]["kind"], "network");
    for needle in ["pr0xyS3cret", "alice:"] {
        assert!(
            grep_tree(&out, needle).is_empty(),
            "{needle} leaked into {:?}",
            grep_tree(&out, needle)
        );
        assert!(!String::from_utf8_lossy(&o.stdout).contains(needle));
        assert!(!String::from_utf8_lossy(&o.stderr).contains(needle));
    }
    assert_eq!(server.hits("/appreviews"), 0, "nothing bypassed the proxy");
}

#[test]
fn cookies_are_sent_but_never_written() {
    let server = steam_server(vec![SynthApp::new(4_200_001, 120)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[4_200_001], &[]);
    let config = dir.path().join("runner.toml");
    std::fs::write(
        &config,
        "[platforms.steam]\ncookies = \"sessionid=C00kieS3cret; steamLoginSecure=T0kenS3cret\"\n",
    )
    .unwrap();
    let mut args = batch_args(&urls, &out, &server);
    args.extend([
        "--config".into(),
        config.display().to_string(),
        "--format".into(),
        "ndjson,csv,json".into(),
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0));
    let sent = server.requests();
    assert!(sent.iter().all(|r| r
        .header("cookie")
        .is_some_and(|c| c.contains("C00kieS3cret"))));
    for needle in ["C00kieS3cret", "T0kenS3cret"] {
        assert!(grep_tree(&out, needle).is_empty(), "{needle} leaked");
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains(needle)
                && !String::from_utf8_lossy(&o.stderr).contains(needle)
        );
    }
}
