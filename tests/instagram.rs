//! `runner batch` end to end on Instagram against the synthetic Instagram:
//! the `sessionid` named field and a proxy pool with credentials, the exact
//! comment tree, no secret in any artifact; without a session, "login required".

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::*;
use fixtures::{FixtureServer, ForwardProxy, IgSynthPost, InstagramSynth, ServerConfig};

const SESSION: &str = "e2eIgSess1onValue8c1";
const PROXY_PASSWORD: &str = "e2eIgProxyPw4417";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

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
fn exports_posts_through_a_proxy_pool_with_a_session_cookie() {
    let posts = vec![
        IgSynthPost::generated(3_400_000_000_000_000_000, 30),
        IgSynthPost::generated(3_400_000_000_000_000_501, 12),
    ];
    let server = FixtureServer::start_blocking(
        ServerConfig::new().synthetic(InstagramSynth::new(posts.clone(), SESSION)),
    )
    .unwrap();
    let proxy = ForwardProxy::start(Some(("ig", PROXY_PASSWORD)), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let config = write(
        &input,
        "runner.toml",
        &format!(
            "proxy_pool = \"eu\"\n[proxy_pools.eu]\nurls = [\"{}\"]\nrotation = \"per_request\"\n\
             [platforms.instagram]\nsessionid = \"{SESSION}\"\n",
            proxy.url()
        ),
    );
    let lines: Vec<String> = posts
        .iter()
        .map(|p| format!("https://www.instagram.com/p/{}/", p.shortcode()))
        .collect();
    let urls = write(&input, "urls.txt", &(lines.join("\n") + "\n"));
    let out = dir.path().join("out");
    let args: Vec<String> = vec![
        "batch".into(),
        urls,
        "--out".into(),
        out.display().to_string(),
        "--config".into(),
        config.clone(),
        "--base-url".into(),
        format!("instagram={}", server.base_url()),
        "--format".into(),
        "ndjson,csv,json".into(),
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
    for p in &posts {
        let recs = read_ndjson(&out.join(format!("instagram_{}.ndjson", p.shortcode())));
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
        assert_eq!(got, p.expected().into_iter().collect(), "{}", p.pk);
        assert_eq!(recs.len(), got.len(), "each record once");
    }
    assert_eq!(proxy.served(), server.hits("/api/v1/media/"));
    for secret in [SESSION, PROXY_PASSWORD] {
        assert!(
            grep(&out, secret).is_empty(),
            "{secret} in {:?}",
            grep(&out, secret)
        );
        assert!(!String::from_utf8_lossy(&o.stderr).contains(secret));
        assert!(!String::from_utf8_lossy(&o.stdout).contains(secret));
    }

    // Without the session: each job fails, saying a login is required.
    let bare = write(&input, "bare.toml", "");
    let out2 = dir.path().join("out2");
    let mut args2 = args.clone();
    args2[3] = out2.display().to_string();
    args2[5] = bare;
    let o = runner().args(&args2).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    for j in summary(&out2)["jobs"].as_array().unwrap() {
        assert_eq!(j["error"]["kind"], "forbidden");
        assert!(j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("login required"));
    }
}
