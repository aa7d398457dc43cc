//! `runner batch` end to end on Trustpilot: a big business read past the
//! 10-page login wall (synthetic server), the demo business, and the typed
//! failures (unknown business, changed page, 429), with notes in summary.json.

mod common;

use std::collections::HashSet;

use common::*;
use fixtures::{trustpilot_synth_review, FixtureServer, ServerConfig, TpBusiness, TrustpilotSynth};
use serde_json::Value;

#[test]
fn exports_every_review_past_the_login_wall_once_with_notes() {
    let big = TpBusiness::new("big-shop.synth", 900).languages(&["en", "da", "de"]);
    let server = FixtureServer::start_blocking(
        ServerConfig::new()
            .with_embedded_fixtures()
            .synthetic(TrustpilotSynth::new(vec![big.clone()])),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "https://uk.trustpilot.com/review/big-shop.synth\n\
         https://www.trustpilot.com/review/lumen-drift.example\n\
         https://www.trustpilot.com/review/gone-shop.example\n\
         https://www.trustpilot.com/review/changed-shape.example\n\
         https://www.trustpilot.com/review/busy-shop.example\n",
    )
    .unwrap();
    let args: Vec<String> = vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("trustpilot={}", server.base_url()),
        "--retries".into(),
        "1".into(),
        "--format".into(),
        "ndjson,csv".into(),
        "--quiet".into(),
    ];
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "three URLs fail: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let records = read_ndjson(&out.join("trustpilot_big-shop.synth.ndjson"));
    let mut ids = HashSet::new();
    for r in &records {
        assert!(
            ids.insert(r["id"].as_str().unwrap().to_string()),
            "{} twice",
            r["id"]
        );
    }
    let mut expected = 0;
    for i in 0..900 {
        let truth = trustpilot_synth_review("big-shop.synth", i, &big.languages);
        let id = truth["id"].as_str().unwrap();
        let got = records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("#{i} missing"));
        assert_eq!(got["rating"].as_f64(), truth["rating"].as_f64());
        assert_eq!(got["text"], truth["text"]);
        assert_eq!(got["title"], truth["title"]);
        let created =
            chrono::DateTime::parse_from_rfc3339(got["created_at"].as_str().unwrap()).unwrap();
        let published =
            chrono::DateTime::parse_from_rfc3339(truth["dates"]["publishedDate"].as_str().unwrap())
                .unwrap();
        assert_eq!(created, published);
        expected += 1;
        if let Some(reply) = truth["reply"].as_object() {
            let r = records
                .iter()
                .find(|r| r["id"] == format!("{id}-reply"))
                .expect("reply");
            assert_eq!(r["text"], reply["message"]);
            assert_eq!(r["parent_id"], id);
            assert_eq!(r["depth"], 1);
            expected += 1;
        }
    }
    assert_eq!(records.len(), expected);

    let demo = read_ndjson(&out.join("trustpilot_lumen-drift.example.ndjson"));
    assert_eq!(demo.len(), 27 + 8);

    let s = summary(&out);
    let jobs = s["jobs"].as_array().unwrap();
    let job = |needle: &str| -> Value {
        jobs.iter()
            .find(|j| j["url"].as_str().unwrap().contains(needle))
            .unwrap()
            .clone()
    };
    let big_job = job("big-shop");
    assert_eq!(big_job["status"], "done");
    assert_eq!(big_job["counts"]["written"], expected as u64);
    let notes: Vec<&str> = big_job["counts"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Trustpilot serves at most 10 pages")),
        "{notes:?}"
    );
    assert_eq!(job("lumen-drift")["status"], "done");
    assert_eq!(job("gone-shop")["error"]["kind"], "not_found");
    assert_eq!(job("changed-shape")["error"]["kind"], "parse");
    assert!(job("changed-shape")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("props.pageProps.reviews"));
    assert_eq!(job("busy-shop")["error"]["kind"], "rate_limited");
}
