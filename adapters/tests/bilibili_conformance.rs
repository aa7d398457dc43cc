//! Conformance: the Bilibili parsers on real recorded responses of
//! `/x/v2/reply`, `/x/v2/reply/reply` and `/x/v2/reply/wbi/main`.
//!
//! The recordings live outside the repository (`/work/shared/recordings`);
//! when they are absent the test says so and passes.

use adapters::bilibili::envelope::{read, Outcome};
use adapters::bilibili::parse::{legacy_page, main_page, reply_page, Source};
use adapters::bilibili::thread::link;
use engine::{Comment, Kind, Target};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/bilibili"
);

fn load(name: &str) -> Option<(Vec<u8>, Value)> {
    let path = format!("{DIR}/{name}");
    let Ok(body) = std::fs::read(&path) else {
        eprintln!("skipping: recording {path} not found");
        return None;
    };
    let raw: Value = serde_json::from_slice(&body).expect("the recording is JSON");
    Some((body, raw))
}

fn data(body: &[u8]) -> Value {
    match read(body, "https://api.bilibili.com/").expect("an envelope") {
        Outcome::Data(d) => d,
        other => panic!("code 0 expected, got {other:?}"),
    }
}

fn target() -> Target {
    Target::new(
        "bilibili",
        "BV1xx411c7mD",
        "https://www.bilibili.com/video/BV1xx411c7mD/",
    )
}

/// Every record equals its wire object on ids, tree fields, author, text, likes.
fn assert_matches(records: &[Comment], raw: &[Value]) {
    assert_eq!(records.len(), raw.len());
    for (c, w) in records.iter().zip(raw) {
        assert_eq!(Some(c.id.as_str()), w["rpid_str"].as_str());
        assert_eq!(c.id, w["rpid"].as_u64().unwrap().to_string());
        assert_eq!(Some(c.text.as_str()), w["content"]["message"].as_str());
        assert_eq!(c.author.as_deref(), w["member"]["uname"].as_str());
        assert_eq!(c.author_id.as_deref(), w["member"]["mid"].as_str());
        assert_eq!(c.likes, w["like"].as_u64());
        assert_eq!(c.reply_count, w["rcount"].as_u64());
        assert_eq!(c.created_at.map(|t| t.timestamp()), w["ctime"].as_i64());
        if w["root"] == 0 {
            assert_eq!(
                (c.kind, c.depth, c.parent_id.as_deref()),
                (Kind::Comment, 0, None)
            );
            assert_eq!(c.root_id, c.id);
        } else {
            assert_eq!(c.kind, Kind::Reply);
            assert_eq!(Some(c.root_id.as_str()), w["root_str"].as_str());
            assert_eq!(c.parent_id.as_deref(), w["parent_str"].as_str());
        }
    }
}

#[test]
fn recorded_legacy_listing_parses_exactly() {
    let Some((body, raw)) = load("bilibili-API-collect_x_v2_reply_0.json") else {
        return;
    };
    let t = target();
    let src = Source {
        target: &t,
        bvid: "BV1xx411c7mD",
        url: "u",
    };
    let page = legacy_page(&data(&body), &src).expect("parses");
    assert_matches(&page.replies, raw["data"]["replies"].as_array().unwrap());
    assert!(page.pinned.is_empty(), "upper.top is null");
    assert_eq!(
        (page.count, page.acount, page.size),
        (Some(60971), Some(76792), Some(5))
    );
    let ids: Vec<&str> = page.replies.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "104192624480",
            "104184937184",
            "104179775904",
            "104163851152",
            "104163545120"
        ]
    );
}

#[test]
fn recorded_reply_page_parses_exactly_with_reply_to_reply() {
    let Some((body, raw)) = load("bilibili-API-collect_x_v2_reply_reply_0.json") else {
        return;
    };
    let t = target();
    let src = Source {
        target: &t,
        bvid: "BV1xx411c7mD",
        url: "u",
    };
    let page = reply_page(&data(&body), &src).expect("parses");
    assert_matches(&page.replies, raw["data"]["replies"].as_array().unwrap());
    assert_eq!((page.count, page.size), (Some(230), Some(5)));
    let root = Comment::new("bilibili", Kind::Comment, "3030790837", "BV1xx411c7mD", "u");
    let linked = link(&root, page.replies);
    let tree: Vec<(&str, Option<&str>, u32)> = linked
        .iter()
        .map(|c| (c.id.as_str(), c.parent_id.as_deref(), c.depth))
        .collect();
    assert_eq!(
        tree,
        [
            ("3030802207", Some("3030790837"), 1),
            ("3030810089", Some("3030802207"), 2),
            ("3030843245", Some("3030790837"), 1),
            ("3030881609", Some("3030802207"), 2),
            ("3030978856", Some("3030790837"), 1),
        ]
    );
    assert_eq!(linked[1].author.as_deref(), Some("VAN样斯基"));
    assert_eq!(linked[1].likes, Some(7));
}

#[test]
fn recorded_wbi_main_page_parses_exactly() {
    let Some((body, raw)) = load("bilibili-API-collect_x_v2_reply_wbi_main_0.json") else {
        return;
    };
    let t = target();
    let src = Source {
        target: &t,
        bvid: "BV1xx411c7mD",
        url: "u",
    };
    let page = main_page(&data(&body), &src).expect("parses");
    assert_matches(&page.replies, raw["data"]["replies"].as_array().unwrap());
    assert!(page.pinned.is_empty());
    assert!(!page.is_end);
    assert_eq!(page.all_count, Some(86234));
    assert_eq!(
        page.next_offset.as_deref(),
        Some("{\"type\":3,\"direction\":1,\"Data\":{\"cursor\":71859}}")
    );
    assert_eq!(page.replies[0].extra["location"], "IP属地：河北");
    assert_eq!(page.replies[1].author.as_deref(), Some("小烟同学424"));
}
