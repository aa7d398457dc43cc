//! `runner batch` end to end on X against the synthetic X server, with the
//! session layer: cookies from a Netscape cookies.txt plus named config
//! fields, requests through a proxy pool with credentials whose first proxy
//! dies mid-run, `--vpn` picking a pool by country, expired cookies failing
//! precisely, and no secret (cookie values, proxy password) in any artifact.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use calamine::Reader;
use common::*;
use fixtures::{FixtureServer, ForwardProxy, ServerConfig, TwConversation, TwitterSynth};
use serde_json::Value;

const AUTH_TOKEN: &str = "e2eAuthTok7f3a9b21";
const CT0: &str = "e2eCsrf19c4d8e7f";
const PROXY_PASSWORD: &str = "e2eProxyPw0rd5511";
const ROOTS: [u64; 2] = [1_910_000_000_000_000_000, 1_920_000_000_000_000_000];

fn conversations() -> Vec<TwConversation> {
    vec![
        TwConversation::generated(ROOTS[0], 140, 31),
        TwConversation::generated(ROOTS[1], 45, 32),
    ]
}

fn server(convs: Vec<TwConversation>) -> FixtureServer {
    FixtureServer::start_blocking(
        ServerConfig::new().synthetic(TwitterSynth::new(convs).cookies(AUTH_TOKEN, CT0)),
    )
    .expect("server starts")
}

fn proxy(die_after: Option<usize>) -> ForwardProxy {
    ForwardProxy::start(Some(("e2e", PROXY_PASSWORD)), die_after).unwrap()
}

/// Inputs (cookies.txt, config, URL list) in `dir/in`; the config names the pools.
fn inputs(dir: &Path, pools: &str, auth_token: &str) -> (PathBuf, PathBuf, PathBuf) {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let cookies = input.join("cookies.txt");
    std::fs::write(
        &cookies,
        format!(
            "# Netscape HTTP Cookie File\n#HttpOnly_.x.com\tTRUE\t/\tTRUE\t0\tauth_token\t{auth_token}\n\
             .x.com\tTRUE\t/\tFALSE\t0\tguest_id\tv1%3A1700\n"
        ),
    )
    .unwrap();
    let config = input.join("runner.toml");
    std::fs::write(
        &config,
        format!("{pools}\n[platforms.twitter]\nct0 = \"{CT0}\"\ncookies = \"lang=en\"\n"),
    )
    .unwrap();
    let urls = input.join("urls.txt");
    std::fs::write(
        &urls,
        format!(
            "https://twitter.com/someone/status/{}\nhttps://x.com/other/status/{}?s=20\n",
            ROOTS[0], ROOTS[1]
        ),
    )
    .unwrap();
    (cookies, config, urls)
}

fn pool_toml(name: &str, country: &str, urls: &[String]) -> String {
    let list: Vec<String> = urls.iter().map(|u| format!("\"{u}\"")).collect();
    format!(
        "[proxy_pools.{name}]\nurls = [{}]\nrotation = \"per_session\"\ncountry = \"{country}\"\n",
        list.join(", ")
    )
}

fn args(
    urls: &Path,
    out: &Path,
    config: &Path,
    cookies: &Path,
    server: &FixtureServer,
    extra: &[&str],
) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--config".into(),
        config.display().to_string(),
        "--cookies".into(),
        cookies.display().to_string(),
        "--base-url".into(),
        format!("twitter={}", server.base_url()),
        "--rate".into(),
        "twitter=0".into(),
        "--format".into(),
        "ndjson,csv,json,xlsx".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn run_logged(args: &[String]) -> std::process::Output {
    // Debug logs on: they must not leak secrets either.
    runner()
        .args(args)
        .env("RUNNER_LOG", "debug")
        .output()
        .expect("runner runs")
}

/// Files under `dir` (and cells of its XLSX files) containing `needle`.
fn leaks(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            hits.extend(leaks(&p, needle));
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        if String::from_utf8_lossy(&bytes).contains(needle) {
            hits.push(p.display().to_string());
        }
        if p.extension().is_some_and(|e| e == "xlsx") {
            let mut book = calamine::open_workbook_auto(&p).unwrap();
            for name in book.sheet_names() {
                let range = book.worksheet_range(&name).unwrap();
                if range
                    .cells()
                    .any(|(_, _, c)| c.to_string().contains(needle))
                {
                    hits.push(format!("{}:{name}", p.display()));
                }
            }
        }
    }
    hits
}

fn assert_no_secret(out: &Path, o: &std::process::Output, secrets: &[&str]) {
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    for s in secrets {
        assert!(
            leaks(out, s).is_empty(),
            "{s} leaked into {:?}",
            leaks(out, s)
        );
        assert!(
            !stdout.contains(s) && !stderr.contains(s),
            "{s} leaked into the output"
        );
    }
}

fn ids(path: &Path) -> HashSet<String> {
    read_ndjson(path)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn exports_through_a_proxy_pool_whose_first_proxy_dies_with_no_secret_anywhere() {
    let convs = conversations();
    let server = server(convs.clone());
    let dying = proxy(Some(6));
    let alive = proxy(None);
    let dir = tempfile::tempdir().unwrap();
    let (cookies, config, urls) = inputs(
        dir.path(),
        &pool_toml("residential", "us", &[dying.url(), alive.url()]),
        AUTH_TOKEN,
    );
    let out = dir.path().join("out");
    let o = run_logged(&args(
        &urls,
        &out,
        &config,
        &cookies,
        &server,
        &["--proxy-pool", "residential"],
    ));
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );

    for (conv, root) in convs.iter().zip(ROOTS) {
        let want: HashSet<String> = conv.expected().into_iter().map(|e| e.0).collect();
        let file = out.join(format!("twitter_{root}.ndjson"));
        assert_eq!(ids(&file), want, "{root}");
        let recs = read_ndjson(&file);
        assert_eq!(
            (recs[0]["kind"].as_str(), recs[0]["id"].as_str()),
            (Some("post"), Some(root.to_string().as_str()))
        );
        for r in &recs {
            if let Some(p) = r["parent_id"].as_str() {
                assert!(want.contains(p));
            }
        }
    }
    // The dead proxy served its six requests; the job went on through the other.
    assert_eq!(dying.served(), 6);
    assert!(alive.served() > 10, "{}", alive.served());
    assert_eq!(
        dying.served() + alive.served(),
        server.hits("/i/api/graphql/")
    );
    // Every request carried the merged cookies (cookies.txt + named field + config).
    for r in server.requests() {
        let c = r.header("cookie").unwrap_or_default();
        for part in [
            format!("auth_token={AUTH_TOKEN}"),
            format!("ct0={CT0}"),
            "lang=en".into(),
            "guest_id=v1%3A1700".into(),
        ] {
            assert!(c.contains(&part), "{part} missing from a request");
        }
        assert!(r.header("proxy-authorization").is_none());
    }
    let s = summary(&out);
    assert!(
        s["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["status"] == "done"),
        "{s}"
    );
    assert_no_secret(&out, &o, &[AUTH_TOKEN, CT0, PROXY_PASSWORD]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("session retired"),
        "the retirement is logged"
    );
}

#[test]
fn vpn_picks_the_pool_of_that_country() {
    let convs = conversations();
    let server = server(convs.clone());
    let us = proxy(None);
    let de = proxy(None);
    let dir = tempfile::tempdir().unwrap();
    let pools = format!(
        "{}{}",
        pool_toml("frankfurt", "de", &[de.url()]),
        pool_toml("virginia", "us", &[us.url()])
    );
    let (cookies, config, urls) = inputs(dir.path(), &pools, AUTH_TOKEN);
    let out = dir.path().join("out");
    let o = run_logged(&args(
        &urls,
        &out,
        &config,
        &cookies,
        &server,
        &["--vpn", "US"],
    ));
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(us.served() > 0);
    assert_eq!(de.served(), 0);
    // A country no pool has is a usage error naming the tagged pools, no URL.
    let o = run_logged(&args(
        &urls,
        &dir.path().join("out2"),
        &config,
        &cookies,
        &server,
        &["--vpn", "fr"],
    ));
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("frankfurt (de)") && stderr.contains("virginia (us)"),
        "{stderr}"
    );
    assert!(!stderr.contains(PROXY_PASSWORD));
}

#[test]
fn expired_cookies_fail_each_job_precisely_without_leaking_them() {
    let server = server(conversations());
    let p = proxy(None);
    let dir = tempfile::tempdir().unwrap();
    let old = "e2eOldExpiredTok42";
    let (cookies, config, urls) = inputs(dir.path(), &pool_toml("one", "us", &[p.url()]), old);
    let out = dir.path().join("out");
    let o = run_logged(&args(
        &urls,
        &out,
        &config,
        &cookies,
        &server,
        &["--proxy-pool", "one"],
    ));
    assert_eq!(o.status.code(), Some(1), "jobs failed, the batch did not");
    let s = summary(&out);
    for j in s["jobs"].as_array().unwrap() {
        let e: &Value = &j["error"];
        assert_eq!(e["kind"], "forbidden", "{j}");
        let msg = e["message"].as_str().unwrap_or_default();
        assert!(msg.contains("expired") && msg.contains("code 32"), "{msg}");
    }
    // A refused cookie says nothing about the proxy: the session stays.
    assert!(!String::from_utf8_lossy(&o.stderr).contains("session retired"));
    assert_no_secret(&out, &o, &[old, CT0, PROXY_PASSWORD]);
}
