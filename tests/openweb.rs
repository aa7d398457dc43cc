//! `runner batch` end to end on OpenWeb's export API (synthetic server):
//! `openweb://` URLs in the list, the token from the environment, every
//! message once, the token nowhere in the outputs; a missing token; Ctrl-C
//! while an export is prepared aborts it.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use fixtures::{FixtureServer, OpenWebSynth, OwFault, ServerConfig, OPENWEB_SYNTH_KEY};

/// 2024-05-01T00:00:00Z.
const MAY1: i64 = 1_714_521_600;

fn start(synth: &OpenWebSynth) -> FixtureServer {
    FixtureServer::start_blocking(ServerConfig::new().synthetic(synth.clone())).unwrap()
}

fn args(urls: &Path, out: &Path, server: &FixtureServer) -> Vec<String> {
    vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("openweb={}", server.base_url()),
        "--format".into(),
        "ndjson,csv".into(),
        "--quiet".into(),
    ]
}

/// Every file under `dir`, recursively, as bytes.
fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(all_bytes(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

#[test]
fn exports_every_window_once_and_the_token_stays_secret() {
    let synth = OpenWebSynth::new(MAY1, 3 * 144, 600)
        .rows_per_csv(40)
        .fault(OwFault::ExpireLink {
            since: "2024-05-02T00:00:00".into(),
            link: 1,
            times: 1,
        })
        .fault(OwFault::FailWindow {
            since: "2024-05-03T00:00:00".into(),
            times: 1,
        });
    let server = start(&synth);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "# OpenWeb export\nopenweb://sp_Synth01?since=2024-05-01&until=2024-05-03\n",
    )
    .unwrap();
    let o = runner()
        .args(args(&urls, &out, &server))
        .env("RUNNER_API_KEY_OPENWEB", OPENWEB_SYNTH_KEY)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let file = out.join("openweb_sp_Synth01_20240501T000000-20240504T000000.ndjson");
    let records = read_ndjson(&file);
    let truth = synth.messages_between(MAY1, MAY1 + 3 * 86_400);
    assert_eq!(records.len(), truth.len());
    let ids: HashSet<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), records.len(), "nothing twice");
    for m in &truth {
        let r = records
            .iter()
            .find(|r| r["id"] == m.id.as_str())
            .unwrap_or_else(|| panic!("{} missing", m.id));
        assert_eq!(r["text"], m.content.as_str());
        assert_eq!(r["source_id"], m.post_id.as_str());
        assert_eq!(
            r["kind"],
            if m.kind == "reply" {
                "reply"
            } else {
                "comment"
            }
        );
        let created =
            chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(created.timestamp(), m.written_at);
        assert_eq!(r["likes"], m.likes);
        assert_eq!(r["extra"]["message_status"], m.status);
    }
    let s = summary(&out);
    let job = &s["jobs"][0];
    assert_eq!(job["status"], "done");
    let notes = job["counts"]["notes"].to_string();
    assert!(notes.contains("3 window(s)"), "{notes}");
    assert!(notes.contains("had expired"), "{notes}");
    assert!(notes.contains("requested again"), "{notes}");
    for (path, bytes) in all_bytes(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(OPENWEB_SYNTH_KEY), "the token is in {path}");
    }
    assert!(!String::from_utf8_lossy(&o.stderr).contains(OPENWEB_SYNTH_KEY));
}

#[test]
fn a_missing_token_is_a_config_error_naming_where_to_set_it() {
    let synth = OpenWebSynth::new(MAY1, 10, 600);
    let server = start(&synth);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "openweb://sp_Synth01?since=2024-05-01&until=2024-05-01\n",
    )
    .unwrap();
    let o = runner()
        .args(args(&urls, &out, &server))
        .env_remove("RUNNER_API_KEY_OPENWEB")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let s = summary(&out);
    assert_eq!(s["jobs"][0]["error"]["kind"], "config");
    assert!(s["jobs"][0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("RUNNER_API_KEY_OPENWEB"));
    assert!(synth.log().is_empty(), "nothing was asked of the API");
}

#[test]
fn ctrl_c_while_an_export_is_prepared_aborts_it() {
    let synth = OpenWebSynth::new(MAY1, 300, 600).fault(OwFault::NeverDone {
        since: "2024-05-02T00:00:00".into(),
    });
    let server = start(&synth);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        "openweb://sp_Synth01?since=2024-05-01&until=2024-05-02\n",
    )
    .unwrap();
    let mut child = runner()
        .args(args(&urls, &out, &server))
        .env("RUNNER_API_KEY_OPENWEB", OPENWEB_SYNTH_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while synth.calls("status req-0002").len() < 2 {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the second window was never polled"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let st = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(synth.calls("abort"), ["abort req-0002"]);
    let s = summary(&out);
    assert_eq!(s["jobs"][0]["status"], "stopped");
    assert_eq!(
        s["jobs"][0]["counts"]["written"], 144,
        "the first window is kept"
    );
}
