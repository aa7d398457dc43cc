//! `runner batch` end to end on Bilibili URLs against the embedded
//! `fixtures/bilibili` routes: every Bilibili host (www, api, m, b23.tv) goes
//! to one fixture server through `--base-url bilibili=…`; the exported tree
//! must be exact and hold nothing twice.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::{read_ndjson, run, run_ok, summary};
use fixtures::{FixtureServer, ServerConfig};
use serde_json::Value;

const VIDEO_A: &str = "BV1rs411o73q";

fn server() -> FixtureServer {
    assert!(
        fixtures::embedded_platforms().contains(&"bilibili".to_string()),
        "fixtures/bilibili is not embedded: {:?}",
        fixtures::embedded_platforms()
    );
    FixtureServer::start_blocking(ServerConfig::new().with_embedded_fixtures())
        .expect("fixture server starts")
}

fn batch(
    urls: &[&str],
    dir: &Path,
    server: &FixtureServer,
) -> (std::process::Output, std::path::PathBuf) {
    let list = dir.join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    let out = dir.join("out");
    let args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("bilibili={}", server.base_url()),
        "--rate".into(),
        "bilibili=0".into(),
        "--retries".into(),
        "1".into(),
        "--quiet".into(),
    ];
    (run(&args), out)
}

/// `id → (parent, depth)` of video A, written out by hand from the fixture design.
fn expected_tree() -> HashMap<String, (Option<String>, u64)> {
    let mut t = HashMap::new();
    let mut add = |id: u64, parent: Option<u64>, depth: u64| {
        assert!(t
            .insert(id.to_string(), (parent.map(|p| p.to_string()), depth))
            .is_none());
    };
    for top in [5001, 5010, 5009, 5008, 5007, 5000] {
        add(top, None, 0);
    }
    add(6101, Some(5001), 1);
    add(6102, Some(5001), 1);
    for k in 0..22u64 {
        if k % 5 == 3 {
            add(7000 + k, Some(7000 + k - 1), 2);
        } else {
            add(7000 + k, Some(5010), 1);
        }
    }
    add(6001, Some(5009), 1);
    add(6002, Some(6001), 2);
    add(6003, Some(6002), 3);
    add(6004, Some(6999), 1);
    t
}

/// The reply objects of video A's fixture files, by rpid.
fn wire() -> HashMap<String, Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/bilibili/video_a");
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let v: Value =
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        for list in ["replies", "top_replies"] {
            for r in v["data"][list].as_array().into_iter().flatten() {
                out.insert(r["rpid_str"].as_str().unwrap().to_string(), r.clone());
            }
        }
    }
    out
}

fn assert_tree_of_a(records: &[Value]) {
    let expected = expected_tree();
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "nothing twice");
    assert_eq!(
        unique,
        expected.keys().map(String::as_str).collect::<HashSet<_>>()
    );
    let wire = wire();
    for r in records {
        let id = r["id"].as_str().unwrap();
        let (parent, depth) = &expected[id];
        assert_eq!(r["parent_id"].as_str(), parent.as_deref(), "{id}");
        assert_eq!(r["depth"].as_u64(), Some(*depth), "{id}");
        assert_eq!(r["platform"], "bilibili");
        let w = &wire[id];
        assert_eq!(r["author"], w["member"]["uname"], "{id}");
        assert_eq!(r["text"], w["content"]["message"], "{id}");
        assert_eq!(r["likes"], w["like"], "{id}");
        assert_eq!(r["kind"], if *depth == 0 { "comment" } else { "reply" });
    }
    // Parents come before their replies.
    let pos: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for r in records {
        if let Some(p) = r["parent_id"].as_str().and_then(|p| pos.get(p)) {
            assert!(*p < pos[r["id"].as_str().unwrap()]);
        }
    }
}

#[test]
fn exports_exact_trees_and_precise_errors() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let (o, out) = batch(
        &[
            "https://www.bilibili.com/video/BV1rs411o73q/?spm_id_from=333.1007",
            "https://m.bilibili.com/video/av880001", // the same video: skipped
            "https://www.bilibili.com/video/BV1rs411o73i", // comments closed
            "https://www.bilibili.com/video/BV1rs411o73v", // no such video
            "https://www.bilibili.com/video/av880005", // signed listing refused
        ],
        dir.path(),
        &server,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = read_ndjson(&out.join(format!("bilibili_{VIDEO_A}.ndjson")));
    assert_tree_of_a(&a);
    let e = read_ndjson(&out.join("bilibili_BV1rs411o73r.ndjson"));
    assert_eq!(e.len(), 24);
    assert_eq!(e[0]["id"], "8004");
    assert_eq!(e[0]["extra"]["pinned"], true);

    let s = summary(&out);
    let status: HashMap<&str, (&str, &str)> = s["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["url"].as_str().unwrap(),
                (
                    j["status"].as_str().unwrap(),
                    j["error"]["kind"].as_str().unwrap_or(""),
                ),
            )
        })
        .collect();
    let of = |u: &str| {
        status
            .iter()
            .find(|(k, _)| k.contains(u))
            .map(|(_, v)| *v)
            .unwrap()
    };
    assert_eq!(of("BV1rs411o73q").0, "done");
    assert_eq!(of("av880001").0, "skipped");
    assert_eq!(of("BV1rs411o73i").0, "done");
    let closed = s["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["url"].as_str().unwrap().contains("BV1rs411o73i"))
        .unwrap();
    assert_eq!(closed["counts"]["written"], 0, "{closed}");
    assert!(
        closed["counts"]["notes"].to_string().contains("closed"),
        "{closed}"
    );
    assert_eq!(of("BV1rs411o73v"), ("error", "not_found"));
    assert_eq!(of("av880005").0, "done");
    let all = read_ndjson(&out.join("all.ndjson"));
    assert_eq!(all.len(), a.len() + e.len());
}

#[test]
fn b23_short_link_exports_the_same_tree() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let (o, out) = batch(&["https://b23.tv/xYz12Ab"], dir.path(), &server);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_tree_of_a(&read_ndjson(&out.join("bilibili_b23-xYz12Ab.ndjson")));
    assert_eq!(server.hits("/xYz12Ab"), 1);
}

/// `(id, parent, depth)` of every record of synthetic video `aid` with
/// `comments` comments (pinned comment 3 first, then listing order).
fn synth_truth(aid: u64, comments: usize) -> Vec<(String, Option<String>, u64)> {
    let mut order: Vec<usize> = (0..comments).filter(|i| *i != 3).collect();
    order.insert(0, 3);
    let mut out = Vec::new();
    for i in order {
        let root = fixtures::bilibili_synth_rpid(aid, i);
        out.push((root.to_string(), None, 0));
        let mut depth: HashMap<u64, u64> = HashMap::from([(root, 0)]);
        for j in 0..fixtures::bilibili_synth_rcount(i) {
            let (rpid, parent) = fixtures::bilibili_synth_reply_parent(root, j);
            let d = depth.get(&parent).map_or(1, |d| d + 1);
            depth.insert(rpid, d);
            out.push((rpid.to_string(), Some(parent.to_string()), d));
        }
    }
    out
}

#[test]
fn kill_9_then_resume_gives_every_record_once() {
    let videos = [(4_300_001u64, 230usize), (4_300_002, 170)];
    let synth = fixtures::BilibiliSynth::new(
        videos
            .iter()
            .map(|&(aid, n)| {
                let bvid = adapters::bilibili::bvid::av_to_bv(aid).unwrap();
                fixtures::SynthVideo::new(aid, &bvid, n)
            })
            .collect(),
    )
    .latency(std::time::Duration::from_millis(15));
    let server = FixtureServer::start_blocking(ServerConfig::new().synthetic(synth)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    let urls: Vec<String> = videos
        .iter()
        .map(|(aid, _)| format!("https://www.bilibili.com/video/av{aid}"))
        .collect();
    std::fs::write(&list, urls.join("\n")).unwrap();
    let out = dir.path().join("out");
    let mut args: Vec<String> = vec![
        "batch".into(),
        list.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--base-url".into(),
        format!("bilibili={}", server.base_url()),
        "--rate".into(),
        "bilibili=0".into(),
        "--quiet".into(),
    ];
    let mut child = common::runner().args(&args).spawn().unwrap();
    let started = std::time::Instant::now();
    let journal = out.join(".runner/journal.ndjson");
    loop {
        let pages = std::fs::read_to_string(&journal)
            .map(|s| s.lines().filter(|l| l.contains("\"t\":\"page\"")).count())
            .unwrap_or(0);
        if pages >= 3 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    args.push("--resume".into());
    run_ok(&args);
    let mut total = 0;
    for &(aid, n) in &videos {
        let bvid = adapters::bilibili::bvid::av_to_bv(aid).unwrap();
        let records = read_ndjson(&out.join(format!("bilibili_{bvid}.ndjson")));
        let got: Vec<(String, Option<String>, u64)> = records
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["parent_id"].as_str().map(str::to_string),
                    r["depth"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, synth_truth(aid, n), "video av{aid}");
        total += records.len();
    }
    let all = read_ndjson(&out.join("all.ndjson"));
    let unique: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        (all.len(), unique.len()),
        (total, total),
        "nothing lost, nothing twice"
    );
}
