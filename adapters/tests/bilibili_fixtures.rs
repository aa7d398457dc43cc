//! The Bilibili adapter against the embedded `fixtures/bilibili` routes on
//! the offline fixture server (127.0.0.1 only): the exact tree, resume, the
//! WBI signature as received, short links, the unsigned fallback and the
//! error envelopes.

use adapters::bilibili::wbi::WbiKeys;
use adapters::bilibili::Bilibili;
use engine::{Comment, Cursor, Error, FetchContext, JobOptions, Page};
use fixtures::{FixtureServer, ServerConfig};
use serde_json::{json, Value};

const VIDEO_A: &str = "https://www.bilibili.com/video/BV1rs411o73q";

async fn server() -> FixtureServer {
    FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .expect("fixture server starts")
}

fn context(server: &FixtureServer, options: JobOptions) -> FetchContext {
    engine::testing::local_context("bilibili", &server.base_url(), options)
}

async fn run(ctx: FetchContext, url: &str, resume: Option<Cursor>) -> (Vec<Page>, Option<Error>) {
    engine::testing::fetch_to_end(&Bilibili, ctx, url, resume).await
}

fn records(pages: &[Page]) -> Vec<&Comment> {
    pages.iter().flat_map(|p| &p.records).collect()
}

/// `(id, parent, depth)` of video A in export order: each thread complete
/// after its comment, the pinned comment first and once.
fn expected_tree_a() -> Vec<(String, Option<String>, u32)> {
    let mut t: Vec<(String, Option<String>, u32)> = Vec::new();
    let mut add = |id: u64, parent: Option<u64>, depth: u32| {
        t.push((id.to_string(), parent.map(|p| p.to_string()), depth))
    };
    add(5001, None, 0);
    add(6101, Some(5001), 1);
    add(6102, Some(5001), 1);
    add(5010, None, 0);
    for k in 0..22u64 {
        if k % 5 == 3 {
            add(7000 + k, Some(7000 + k - 1), 2);
        } else {
            add(7000 + k, Some(5010), 1);
        }
    }
    add(5009, None, 0);
    add(6001, Some(5009), 1);
    add(6002, Some(6001), 2);
    add(6003, Some(6002), 3);
    add(6004, Some(6999), 1); // its parent was deleted
    add(5008, None, 0);
    add(5007, None, 0);
    add(5000, None, 0);
    t
}

/// Every reply object of the fixture files of video A, by rpid (the wire truth).
fn wire_objects() -> std::collections::HashMap<String, Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/bilibili/video_a");
    let mut out = std::collections::HashMap::new();
    for entry in std::fs::read_dir(dir).expect("fixture dir") {
        let v: Value =
            serde_json::from_slice(&std::fs::read(entry.expect("entry").path()).expect("read"))
                .expect("json");
        for list in ["replies", "top_replies"] {
            for r in v["data"][list].as_array().into_iter().flatten() {
                out.insert(
                    r["rpid_str"].as_str().expect("rpid_str").to_string(),
                    r.clone(),
                );
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_listing_exports_the_exact_tree_once() {
    let server = server().await;
    let (pages, error) = run(
        context(&server, JobOptions::new().parallel_requests(4)),
        VIDEO_A,
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].total_hint, Some(37));
    assert_eq!(
        pages[0].next,
        Some(
            json!({"api": "wbi", "offset": "{\"type\":3,\"direction\":1,\"Data\":{\"cursor\":5008}}", "pinned": ["5001"]})
        )
    );
    assert!(pages[2].is_last());
    let all = records(&pages);
    let got: Vec<(String, Option<String>, u32)> = all
        .iter()
        .map(|c| (c.id.clone(), c.parent_id.clone(), c.depth))
        .collect();
    assert_eq!(got, expected_tree_a());
    let wire = wire_objects();
    for c in &all {
        let w = &wire[&c.id];
        assert_eq!(
            Some(c.text.as_str()),
            w["content"]["message"].as_str(),
            "{}",
            c.id
        );
        assert_eq!(c.author.as_deref(), w["member"]["uname"].as_str());
        assert_eq!(c.author_id.as_deref(), w["member"]["mid"].as_str());
        assert_eq!(c.likes, w["like"].as_u64());
        assert_eq!(c.created_at.map(|t| t.timestamp()), w["ctime"].as_i64());
        let root = if c.depth == 0 {
            c.id.clone()
        } else {
            w["root_str"].as_str().unwrap().to_string()
        };
        assert_eq!(c.root_id, root);
        assert_eq!(
            c.url,
            Some(format!(
                "https://www.bilibili.com/video/BV1rs411o73q#reply{}",
                c.id
            ))
        );
    }
    assert_eq!(all[0].extra["pinned"], true);
    assert_eq!(all.iter().filter(|c| c.extra["pinned"] == true).count(), 1);
    let unresolved: Vec<&str> = all
        .iter()
        .filter(|c| c.extra.get("parent_unresolved").is_some())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(unresolved, ["6004"]);

    // What the server received: valid signatures, the cookie and the referer.
    let keys = WbiKeys {
        img_key: "7cd084941338484aae1ad9425b84077c".into(),
        sub_key: "4932caff0ff746eab6f01bf08b70ac45".into(),
    };
    let requests = server.requests();
    let signed: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/x/v2/reply/wbi/main")
        .collect();
    assert_eq!(signed.len(), 3);
    for r in &signed {
        let pairs: Vec<(String, String)> = fixtures::parse_query(&r.query);
        let wts: i64 = r.query_param("wts").expect("wts").parse().expect("number");
        let params: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(k, _)| k != "w_rid" && k != "wts")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(keys.sign(&params, wts).as_deref(), Some(r.query.as_str()));
        assert_eq!(r.query_param("mode").as_deref(), Some("2"));
        assert_eq!(r.query_param("type").as_deref(), Some("1"));
    }
    let thread_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/x/v2/reply/reply")
        .collect();
    assert_eq!(thread_requests.len(), 4, "5010 twice, 5009 and 5001 once");
    for r in signed.iter().chain(&thread_requests) {
        assert_eq!(
            r.header("cookie"),
            Some("buvid3=F1XTURE00-0000-4000-8000-000000000001infoc")
        );
        assert_eq!(
            r.header("referer"),
            Some("https://www.bilibili.com/video/BV1rs411o73q/")
        );
    }
}

#[tokio::test]
async fn resume_after_the_first_page_gives_exactly_the_rest() {
    let server = server().await;
    let (pages, _) = run(context(&server, JobOptions::new()), VIDEO_A, None).await;
    let (rest, error) = run(
        context(&server, JobOptions::new()),
        VIDEO_A,
        pages[0].next.clone(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let ids: Vec<&str> = records(&rest).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["5007", "5000"],
        "the pinned 5001, listed again on page 2, was exported already"
    );
    let (_, error) = run(
        context(&server, JobOptions::new()),
        VIDEO_A,
        Some(json!("x")),
    )
    .await;
    assert_eq!(error.map(|e| e.kind()), Some("checkpoint"));
}

#[tokio::test]
async fn replies_off_and_top_sort() {
    let server = server().await;
    let options = JobOptions::new().replies(false).sort(engine::Sort::Top);
    let (pages, error) = run(context(&server, options), VIDEO_A, None).await;
    assert!(error.is_none(), "{error:?}");
    let ids: Vec<&str> = records(&pages).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["5001", "5010", "5009", "5008", "5007", "5000"]);
    assert_eq!(server.hits("/x/v2/reply/reply"), 0);
    let modes: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| {
            (r.path == "/x/v2/reply/wbi/main")
                .then(|| r.query_param("mode"))
                .flatten()
        })
        .collect();
    assert_eq!(modes, ["3", "3", "3"]);
}

#[tokio::test]
async fn b23_short_link_resolves_to_the_video() {
    let server = server().await;
    let (pages, error) = run(
        context(&server, JobOptions::new()),
        "https://b23.tv/xYz12Ab",
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let got: Vec<(String, Option<String>, u32)> = records(&pages)
        .iter()
        .map(|c| (c.id.clone(), c.parent_id.clone(), c.depth))
        .collect();
    assert_eq!(got, expected_tree_a());
    assert!(records(&pages).iter().all(|c| c.source_id == "b23-xYz12Ab"));
}

#[tokio::test]
async fn refused_signature_falls_back_to_the_unsigned_listing() {
    let server = server().await;
    let (pages, error) = run(
        context(&server, JobOptions::new()),
        "https://www.bilibili.com/video/av880005",
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].next,
        Some(json!({"api": "legacy", "pn": 2, "pinned": ["8004"]}))
    );
    assert!(
        pages[0].notes.iter().any(|n| n.contains("unsigned")),
        "{:?}",
        pages[0].notes
    );
    let all = records(&pages);
    let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    let mut expected: Vec<String> = vec!["8004".into(), "8100".into()];
    expected.extend((0..23).filter(|k| *k != 4).map(|k| (8000 + k).to_string()));
    assert_eq!(ids, expected);
    assert_eq!(all[1].parent_id.as_deref(), Some("8004"));
    assert_eq!(all[0].extra["pinned"], true);
    assert_eq!(pages[0].total_hint, Some(24));
}

#[tokio::test]
async fn error_envelopes_become_precise_outcomes() {
    let server = server().await;
    let (pages, error) = run(
        context(&server, JobOptions::new()),
        "https://www.bilibili.com/video/BV1rs411o73i",
        None,
    )
    .await;
    assert!(
        error.is_none(),
        "comments closed is not an error: {error:?}"
    );
    assert_eq!(records(&pages).len(), 0);
    assert!(pages.last().unwrap().is_last());
    assert!(pages[0].notes.iter().any(|n| n.contains("closed")));
    for (url, kind) in [
        ("https://www.bilibili.com/video/BV1rs411o73v", "not_found"),
        (
            "https://www.bilibili.com/video/BV1rs411o73k",
            "rate_limited",
        ),
        ("https://b23.tv/nowhere1", "not_found"),
    ] {
        let (pages, error) = run(context(&server, JobOptions::new()), url, None).await;
        assert!(pages.is_empty());
        assert_eq!(error.map(|e| e.kind()), Some(kind), "{url}");
    }
}
