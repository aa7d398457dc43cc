//! `runner batch` end to end on TikTok against the synthetic TikTok: a video
//! URL and a `vm.tiktok.com` short link, requests rotated over two proxies
//! with credentials, the user's TikTok cookies sent, the exact comment trees,
//! no secret in any artifact.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::*;
use fixtures::{FixtureServer, ForwardProxy, ServerConfig, TikTokSynth, TtSynthVideo};

const COOKIE: &str = "e2eTtMsTok3n55a1";
const PROXY_PASSWORD: &str = "e2eTtProxyPw8812";

fn grep(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            hits.extend(grep(&p, needle));
        } else if String::from_utf8_lossy(&std::fs::read(&p).unwrap()).contains(needle) {
            hits.push(p.display().to_string());
        }
    }
    hits
}

#[test]
fn exports_videos_and_short_links_through_rotating_proxies() {
    let videos = vec![
        TtSynthVideo::generated(7_310_000_000_000_000_001, 44),
        TtSynthVideo::generated(7_310_000_000_000_000_002, 9),
    ];
    let server = FixtureServer::start_blocking(
        ServerConfig::new()
            .synthetic(TikTokSynth::new(videos.clone()).short_link("ZMe2e0001", videos[1].id)),
    )
    .unwrap();
    let proxies = [
        ForwardProxy::start(Some(("tt", PROXY_PASSWORD)), None).unwrap(),
        ForwardProxy::start(Some(("tt", PROXY_PASSWORD)), None).unwrap(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let config = input.join("runner.toml");
    std::fs::write(
        &config,
        format!(
            "[proxy_pools.rotating]\nurls = [\"{}\", \"{}\"]\nrotation = \"per_request\"\n",
            proxies[0].url(),
            proxies[1].url()
        ),
    )
    .unwrap();
    let cookies = input.join("cookies.txt");
    std::fs::write(
        &cookies,
        format!("# Netscape HTTP Cookie File\n.tiktok.com\tTRUE\t/\tTRUE\t0\tmsToken\t{COOKIE}\n"),
    )
    .unwrap();
    let urls = input.join("urls.txt");
    std::fs::write(
        &urls,
        format!(
            "https://www.tiktok.com/@kai.moves/video/{}\nhttps://vm.tiktok.com/ZMe2e0001/\n",
            videos[0].id
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let args: Vec<String> = vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--config".into(),
        config.display().to_string(),
        "--cookies".into(),
        cookies.display().to_string(),
        "--proxy-pool".into(),
        "rotating".into(),
        "--base-url".into(),
        format!("tiktok={}", server.base_url()),
        "--format".into(),
        "ndjson,csv".into(),
    ];
    let o = runner()
        .args(&args)
        .env("RUNNER_LOG", "debug")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for (file, v) in [
        (format!("tiktok_{}.ndjson", videos[0].id), &videos[0]),
        ("tiktok_s-ZMe2e0001.ndjson".to_string(), &videos[1]),
    ] {
        let recs = read_ndjson(&out.join(&file));
        let got: HashSet<(String, Option<String>, u32)> = recs
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["parent_id"].as_str().map(str::to_string),
                    r["depth"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        assert_eq!(got, v.expected().into_iter().collect(), "{file}");
        assert_eq!(recs.len(), got.len(), "{file}: each record once");
    }
    // Per-request rotation: both proxies carried a share of the requests.
    let (a, b) = (proxies[0].served(), proxies[1].served());
    assert!(a > 2 && b > 2 && a.abs_diff(b) <= 1, "{a} / {b}");
    assert!(server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .all(|r| r.header("cookie") == Some(&format!("msToken={COOKIE}"))));
    for secret in [COOKIE, PROXY_PASSWORD] {
        assert!(
            grep(&out, secret).is_empty(),
            "{secret} in {:?}",
            grep(&out, secret)
        );
        assert!(!String::from_utf8_lossy(&o.stderr).contains(secret));
    }
}
