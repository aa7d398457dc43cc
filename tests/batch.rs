//! `runner batch` end to end against a synthetic Steam server: exact ground
//! truth in every format, combined output, summary, limits, demo.

mod common;

use std::collections::HashSet;

use common::*;
use fixtures::SynthApp;
use serde_json::Value;

#[test]
fn exports_exact_ground_truth_in_every_format() {
    let apps: Vec<(u64, usize)> = vec![
        (2_000_001, 730),
        (2_000_002, 1),
        (2_000_003, 0),
        (2_000_004, 1_205),
    ];
    let server = steam_server(
        apps.iter()
            .map(|&(id, n)| SynthApp::new(id, n).dev_response_every(9))
            .collect(),
        0,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ids: Vec<u64> = apps.iter().map(|a| a.0).collect();
    let urls = url_list(dir.path(), &ids, &[]);
    let mut args = batch_args(&urls, &out, &server);
    args.extend(["--format".into(), "ndjson,csv,json".into()]);
    run_ok(&args);

    let mut all_expected = 0;
    for &(id, n) in &apps {
        let nd = read_ndjson(&out.join(format!("steam_{id}.ndjson")));
        assert_ground_truth(&nd, id, n, 9);
        all_expected += nd.len();
        let json: Vec<Value> =
            serde_json::from_slice(&std::fs::read(out.join(format!("steam_{id}.json"))).unwrap())
                .unwrap();
        assert_eq!(json, nd, "json and ndjson agree for {id}");
        let mut csv = csv::Reader::from_path(out.join(format!("steam_{id}.csv"))).unwrap();
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), nd.len(), "csv rows for {id}");
        let text_col = csv
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "text")
            .unwrap();
        for (row, rec) in rows.iter().zip(&nd) {
            let text = rec["text"].as_str().unwrap();
            let cell = &row[text_col];
            if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert_eq!(cell, format!("'{text}"), "formula neutralized");
            } else {
                assert_eq!(cell, text);
            }
        }
    }
    let all = read_ndjson(&out.join("all.ndjson"));
    assert_eq!(all.len(), all_expected);
    let unique: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), all.len(), "combined output has no duplicates");

    let s = summary(&out);
    assert_eq!(s["totals"]["done"], 4);
    assert_eq!(s["totals"]["records"], all_expected as u64);
    let first = &s["jobs"][0];
    assert_eq!(first["status"], "done");
    assert_eq!(first["platform"], "steam");
    assert_eq!(first["counts"]["total_hint"], 730);
    assert!(first["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "steam_2000001.csv"));
    // The cursor went out percent-encoded on every request after the first.
    let reqs = server.requests();
    assert!(reqs
        .iter()
        .all(|r| !r.query.contains("cursor=") || !r.query.contains('+')));
    assert!(reqs
        .iter()
        .any(|r| r.query.contains("%2B") || r.query.contains("%2F")));
}

#[test]
fn limits_and_reply_switches() {
    let server = steam_server(vec![SynthApp::new(2_100_001, 600).dev_response_every(3)], 0);
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &[2_100_001], &[]);

    let out = dir.path().join("limit");
    let mut args = batch_args(&urls, &out, &server);
    args.extend(["--limit".into(), "250".into()]);
    assert_eq!(run(&args).status.code(), Some(0));
    let recs = read_ndjson(&out.join("steam_2100001.ndjson"));
    assert_eq!(recs.len(), 250);
    // 250 records need at most 2 pages of 100 reviews (each page carries its replies): no extra fetches.
    assert!(
        server.hits("/appreviews/2100001") <= 2,
        "fetched {} pages",
        server.hits("/appreviews/2100001")
    );

    let out = dir.path().join("noreplies");
    let mut args = batch_args(&urls, &out, &server);
    args.extend([
        "--no-replies".into(),
        "--max-top-level".into(),
        "120".into(),
    ]);
    assert_eq!(run(&args).status.code(), Some(0));
    let recs = read_ndjson(&out.join("steam_2100001.ndjson"));
    assert_eq!(recs.len(), 120);
    assert!(recs.iter().all(|r| r["depth"] == 0));

    // Since: the synth's newest review is at 1_700_000_000 and they step back ~600 s.
    let out = dir.path().join("since");
    let mut args = batch_args(&urls, &out, &server);
    args.extend([
        "--since".into(),
        "2023-11-14T12:00:00Z".into(),
        "--no-replies".into(),
    ]);
    assert_eq!(run(&args).status.code(), Some(0));
    let recs = read_ndjson(&out.join("steam_2100001.ndjson"));
    let since = chrono::DateTime::parse_from_rfc3339("2023-11-14T12:00:00Z").unwrap();
    let expected = (0..600)
        .filter(|&i| {
            fixtures::steam_review(2_100_001, i, 3)["timestamp_created"]
                .as_i64()
                .unwrap()
                >= since.timestamp()
        })
        .count();
    assert!(expected > 0 && expected < 600);
    assert_eq!(recs.len(), expected);
}

#[test]
fn demo_runs_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = run_ok(&[
        "demo".into(),
        "--out".into(),
        out.display().to_string(),
        "--quiet".into(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("demo OK"), "{stdout}");
    let s = summary(&out);
    assert!(s["totals"]["records"].as_u64().unwrap() > 100);
    assert!(out.join("all.csv").exists() && out.join("all.json").exists());
    assert!(out.join("all.xlsx").exists() && out.join("steam_1000010.xlsx").exists());
    // A done job's XLSX spool is removed; the combined one stays for a later --resume.
    assert!(!out.join(".runner/spool/steam_1000010.xlsx.spool").exists());
    assert!(out.join(".runner/spool/all.xlsx.spool").exists());
}

#[test]
fn platforms_lists_and_detects() {
    let o = run(&["platforms".into()]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("steam") && s.contains("supported") && s.contains("youtube"));
    let o = run(&[
        "platforms".into(),
        "--detect".into(),
        "https://steamcommunity.com/app/440/reviews/".into(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("id 440"));
    let o = run(&[
        "platforms".into(),
        "--detect".into(),
        "https://vimeo.com/123".into(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("not supported yet"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&[
        "batch".into(),
        dir.path().join("missing.txt").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read URL list"));
    let urls = url_list(dir.path(), &[1], &[]);
    let o = run(&[
        "batch".into(),
        urls.display().to_string(),
        "--format".into(),
        "docx".into(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "batch".into(),
        urls.display().to_string(),
        "--base-url".into(),
        "nosuch=http://x".into(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn dedup_store_exports_only_new_records_across_runs() {
    let server = steam_server(vec![SynthApp::new(2_200_001, 420).dev_response_every(4)], 0);
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &[2_200_001], &[]);
    let store = dir.path().join("seen.store");
    let mut first_args = batch_args(&urls, &dir.path().join("run1"), &server);
    first_args.extend([
        "--dedup-store".into(),
        store.display().to_string(),
        "--limit".into(),
        "130".into(),
    ]);
    assert_eq!(run(&first_args).status.code(), Some(0));
    let mut second_args = batch_args(&urls, &dir.path().join("run2"), &server);
    second_args.extend(["--dedup-store".into(), store.display().to_string()]);
    assert_eq!(run(&second_args).status.code(), Some(0));

    let first = read_ndjson(&dir.path().join("run1/steam_2200001.ndjson"));
    let second = read_ndjson(&dir.path().join("run2/steam_2200001.ndjson"));
    assert_eq!(first.len(), 130);
    let ids1: HashSet<&str> = first.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        second
            .iter()
            .all(|r| !ids1.contains(r["id"].as_str().unwrap())),
        "a record came twice"
    );
    let mut union = first.clone();
    union.extend(second);
    assert_ground_truth(&union, 2_200_001, 420, 4);
    let s = summary(&dir.path().join("run2"));
    assert_eq!(s["jobs"][0]["counts"]["duplicates"], 130);
}

#[test]
fn a_loopback_base_url_is_not_throttled_by_default() {
    // 30 pages: at Steam's polite default of 2 requests/s this would take 15 s.
    let server = steam_server(vec![SynthApp::new(2_300_001, 2_900)], 0);
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &[2_300_001], &[]);
    let out = dir.path().join("out");
    let args: Vec<String> = batch_args(&urls, &out, &server)
        .into_iter()
        .filter(|a| a != "--rate" && a != "steam=0")
        .collect();
    assert!(!args.iter().any(|a| a.contains("rate")));
    let t = std::time::Instant::now();
    assert_eq!(run(&args).status.code(), Some(0));
    assert_eq!(read_ndjson(&out.join("steam_2300001.ndjson")).len(), 2_900);
    assert!(
        t.elapsed() < std::time::Duration::from_secs(10),
        "throttled: {:?}",
        t.elapsed()
    );
}

#[test]
fn detect_language_fills_what_the_platform_does_not_give() {
    let server = fixtures::FixtureServer::start_blocking(
        fixtures::ServerConfig::new().with_embedded_fixtures(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let urls = dir.path().join("urls.txt");
    // Bilibili gives no language; its fixture texts are Chinese.
    std::fs::write(&urls, "https://www.bilibili.com/video/BV1rs411o73q\n").unwrap();
    let out = dir.path().join("out");
    run_ok(&[
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("bilibili={}", server.base_url()),
        "--detect-language".into(),
        "-q".into(),
    ]);
    let recs = read_ndjson(&out.join("bilibili_BV1rs411o73q.ndjson"));
    let detected: Vec<&Value> = recs
        .iter()
        .filter(|r| r["extra"]["language_method"] == "whatlang")
        .collect();
    assert!(
        !detected.is_empty(),
        "no language detected in {} records",
        recs.len()
    );
    assert!(detected.iter().all(|r| r["language"] == "zh"));
}
