//! `runner batch` end to end on Google Play against the synthetic server:
//! every review and developer reply of a three-page app exactly once (the
//! session cookie carried across pages), a star-filtered listing, the older
//! RPC fallback, and the typed failures, with the facts in summary.json.

mod common;

use std::collections::HashMap;

use common::*;
use fixtures::{FixtureServer, GooglePlaySynth, GpApp, GpFault, ServerConfig};
use serde_json::Value;

fn url(package: &str) -> String {
    format!("https://play.google.com/store/apps/details?id={package}")
}

/// Asserts the exported `records` are exactly reviews `order` of `app` with
/// their replies (each right after its review), nothing twice.
fn assert_exact(records: &[Value], app: &GpApp, order: &[usize]) {
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for r in records {
        assert!(
            by_id.insert(r["id"].as_str().unwrap(), r).is_none(),
            "{} twice",
            r["id"]
        );
    }
    let mut expected = 0;
    for &i in order {
        let truth = app.review(i);
        let r = by_id
            .get(truth.id.as_str())
            .unwrap_or_else(|| panic!("review #{i} missing"));
        assert_eq!(r["kind"], "review");
        assert_eq!(r["rating"].as_f64(), Some(f64::from(truth.score)));
        assert_eq!(r["text"], truth.text.clone().unwrap_or_default());
        assert_eq!(r["author"], truth.user.as_str());
        assert_eq!(r["likes"].as_u64(), Some(truth.thumbs));
        let t = chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            (t.timestamp(), t.timestamp_subsec_nanos()),
            (truth.seconds, truth.nanos)
        );
        assert_eq!(r["extra"]["app_version"].as_str(), truth.version.as_deref());
        expected += 1;
        if let Some(reply) = &truth.reply {
            let d = by_id
                .get(format!("{}-dev", truth.id).as_str())
                .unwrap_or_else(|| panic!("reply of #{i} missing"));
            assert_eq!(
                (
                    d["kind"].as_str(),
                    d["parent_id"].as_str(),
                    d["depth"].as_u64()
                ),
                (Some("reply"), Some(truth.id.as_str()), Some(1))
            );
            assert_eq!(d["text"], reply.text.as_str());
            assert_eq!(d["author"], reply.developer.as_str());
            let t =
                chrono::DateTime::parse_from_rfc3339(d["created_at"].as_str().unwrap()).unwrap();
            assert_eq!(t.timestamp(), reply.seconds);
            expected += 1;
        }
    }
    assert_eq!(records.len(), expected, "unexpected extra records");
}

#[test]
fn exports_every_review_and_reply_once_with_typed_failures() {
    let notes = GpApp::new("com.synth.notes", 265).reply_every(4);
    let legacy = GpApp::new("com.synth.legacy", 120)
        .reply_every(3)
        .fault(GpFault::LegacyOnly);
    let server =
        FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures().synthetic(
            GooglePlaySynth::new(vec![
                notes.clone(),
                legacy.clone(),
                GpApp::new("com.synth.empty", 0),
                GpApp::new("com.synth.shape", 20).fault(GpFault::ChangedShape),
            ]),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(
        &list,
        [
            format!("{}&hl=en&gl=GB", url("com.synth.notes")),
            url("com.synth.legacy"),
            url("com.synth.empty"),
            url("com.synth.missing"),
            url("com.synth.shape"),
        ]
        .join("\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("googleplay={}", server.base_url()),
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
        "two URLs fail: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    let records = read_ndjson(&out.join("googleplay_com.synth.notes.ndjson"));
    assert_exact(&records, &notes, &notes.listing(2, None));
    assert_eq!(
        (
            records[0]["extra"]["hl"].as_str(),
            records[0]["extra"]["gl"].as_str()
        ),
        (Some("en"), Some("GB"))
    );
    assert_exact(
        &read_ndjson(&out.join("googleplay_com.synth.legacy.ndjson")),
        &legacy,
        &legacy.listing(2, None),
    );

    let s = summary(&out);
    let jobs = s["jobs"].as_array().unwrap();
    let notes_of = |j: &Value| -> Vec<String> {
        j["counts"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(jobs[0]["status"], "done");
    assert_eq!(jobs[0]["counts"]["pages"], 3);
    assert_eq!(notes_of(&jobs[0]), ["reviews listed for hl=en, gl=GB (Google Play lists one language and country at a time)"]);
    assert!(notes_of(&jobs[1])
        .contains(&"the oCPfdb reviews RPC was refused; used the older UsvDTd".to_string()));
    assert_eq!(
        (
            jobs[2]["status"].as_str(),
            jobs[2]["counts"]["written"].as_u64()
        ),
        (Some("done"), Some(0))
    );
    assert!(notes_of(&jobs[2]).contains(&"no reviews listed for hl=en, gl=US".to_string()));
    assert_eq!(jobs[3]["error"]["kind"], "not_found");
    assert_eq!(jobs[4]["error"]["kind"], "parse");
    assert!(jobs[4]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("payload[0][2][2] (score)"));
    // The session cookie never reaches an output.
    for f in [
        "summary.json",
        "googleplay_com.synth.notes.csv",
        "all.ndjson",
    ] {
        assert!(
            !std::fs::read_to_string(out.join(f))
                .unwrap()
                .contains("515=synth"),
            "{f}"
        );
    }
}

#[test]
fn star_filter_and_rating_sort_from_params() {
    let app = GpApp::new("com.synth.stars", 400).reply_every(6);
    let server = FixtureServer::start_blocking(
        ServerConfig::new().synthetic(GooglePlaySynth::new(vec![app.clone()])),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, url("com.synth.stars")).unwrap();
    let out = dir.path().join("out");
    let args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("googleplay={}", server.base_url()),
        "--param".into(),
        "stars=2-3".into(),
        "--param".into(),
        "sort=rating".into(),
        "--quiet".into(),
    ];
    run_ok(&args);
    let records = read_ndjson(&out.join("googleplay_com.synth.stars.ndjson"));
    let order: Vec<usize> = app
        .listing(3, Some(2))
        .into_iter()
        .chain(app.listing(3, Some(3)))
        .collect();
    assert_exact(&records, &app, &order);
    let ratings: Vec<f64> = records
        .iter()
        .filter(|r| r["kind"] == "review")
        .map(|r| r["rating"].as_f64().unwrap())
        .collect();
    assert!(ratings.iter().all(|&r| r == 2.0 || r == 3.0));
}
