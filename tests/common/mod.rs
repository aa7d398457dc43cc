//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fixtures::{FixtureServer, ServerConfig, SteamSynth, SynthApp};
use serde_json::Value;

/// The runner binary under test.
pub fn runner() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_runner-e2e"));
    c.env_remove("RUNNER_PROXY");
    c
}

/// Starts a synthetic Steam server.
pub fn steam_server(apps: Vec<SynthApp>, page_delay_ms: u64) -> FixtureServer {
    FixtureServer::start_blocking(ServerConfig::new().steam_synth(SteamSynth {
        apps,
        page_delay: std::time::Duration::from_millis(page_delay_ms),
    }))
    .expect("fixture server starts")
}

/// Writes a URL list with one store URL per app id (plus `extra` lines).
pub fn url_list(dir: &Path, appids: &[u64], extra: &[&str]) -> PathBuf {
    let mut s = String::from("# test batch\n\n");
    for id in appids {
        s.push_str(&format!(
            "https://store.steampowered.com/app/{id}/Some_Game/\n"
        ));
    }
    for e in extra {
        s.push_str(e);
        s.push('\n');
    }
    let p = dir.join("urls.txt");
    std::fs::write(&p, s).unwrap();
    p
}

/// Standard arguments pointing the runner at `server` with no rate limit and fast retries.
pub fn batch_args(urls: &Path, out: &Path, server: &FixtureServer) -> Vec<String> {
    vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("steam={}", server.base_url()),
        "--rate".into(),
        "steam=0".into(),
        "--quiet".into(),
    ]
}

/// Runs the runner to completion.
pub fn run(args: &[String]) -> Output {
    let out = runner().args(args).output().expect("runner runs");
    if std::env::var_os("E2E_VERBOSE").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&out.stdout));
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    out
}

/// Runs the runner and asserts it exited 0, showing its stderr otherwise.
pub fn run_ok(args: &[String]) -> Output {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Reads an NDJSON file into values (panics on a malformed line: outputs must be valid).
pub fn read_ndjson(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("bad line in {}: {e}: {l}", path.display()))
        })
        .collect()
}

/// Reads summary.json.
pub fn summary(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

/// Asserts that `records` hold exactly the reviews (and developer replies) the
/// synth served for `appid`, each once, with the same text and timestamps.
pub fn assert_ground_truth(records: &[Value], appid: u64, reviews: usize, dev_every: usize) {
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for r in records {
        let id = r["id"].as_str().unwrap();
        assert!(
            by_id.insert(id, r).is_none(),
            "duplicate record {id} for app {appid}"
        );
    }
    let mut expected = 0;
    for i in 0..reviews {
        let truth = fixtures::steam_review(appid, i, dev_every);
        let id = truth["recommendationid"].as_str().unwrap();
        let got = by_id
            .get(id)
            .unwrap_or_else(|| panic!("app {appid}: review {id} (#{i}) missing"));
        assert_eq!(got["text"], truth["review"], "text of {id}");
        assert_eq!(got["kind"], "review");
        let created =
            chrono::DateTime::parse_from_rfc3339(got["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            created.timestamp(),
            truth["timestamp_created"].as_i64().unwrap(),
            "timestamp of {id}"
        );
        assert_eq!(got["likes"], truth["votes_up"]);
        expected += 1;
        if let Some(resp) = truth.get("developer_response").and_then(Value::as_str) {
            let reply = by_id
                .get(format!("{id}-dev").as_str())
                .unwrap_or_else(|| panic!("dev reply of {id} missing"));
            assert_eq!(reply["text"], resp);
            assert_eq!(reply["parent_id"], id);
            assert_eq!(reply["depth"], 1);
            expected += 1;
        }
    }
    assert_eq!(
        records.len(),
        expected,
        "app {appid}: unexpected extra records"
    );
}
