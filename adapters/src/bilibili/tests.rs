//! Unit tests of the Bilibili parsers and URL detection (fixtures tests are in
//! `adapters/tests/bilibili_*.rs`).

mod props;

use engine::{Comment, Kind, Target};
use serde_json::json;

use super::parse::{main_page, reply, Source};
use super::session::buvid3_from_set_cookies;
use super::thread::link;
use super::url::detect;

fn target() -> Target {
    Target::new(
        "bilibili",
        "BV1xx411c7mD",
        "https://www.bilibili.com/video/BV1xx411c7mD/",
    )
}

fn src(t: &Target) -> Source<'_> {
    Source {
        target: t,
        bvid: "BV1xx411c7mD",
        url: "https://api.bilibili.com/x/v2/reply/wbi/main",
    }
}

#[test]
fn detects_every_url_form() {
    let bv = "BV1xx411c7mD";
    for u in [
        "https://www.bilibili.com/video/BV1xx411c7mD",
        "http://bilibili.com/video/BV1xx411c7mD/?p=1#reply5",
        "https://m.bilibili.com/video/av2",
        "https://www.bilibili.com/video/AV2/",
        "https://b23.tv/BV1xx411c7mD",
    ] {
        let t = detect(&u.parse().unwrap()).unwrap_or_else(|| panic!("{u}"));
        assert_eq!(t.id, bv, "{u}");
        assert!(t.params.is_empty());
    }
    for u in [
        "https://www.bilibili.com/",
        "https://www.bilibili.com/video/",
        "https://www.bilibili.com/video/av",
        "https://www.bilibili.com/video/av0",
        "https://www.bilibili.com/video/BV1xx411c7m0",
        "https://www.bilibili.com/bangumi/play/ep1",
        "https://space.bilibili.com/2/video",
        "https://b23.tv/",
        "https://b23.tv/a/b",
        "ftp://www.bilibili.com/video/BV1xx411c7mD",
        "https://www.bilibili.com/video/av日本",
    ] {
        assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
    }
    let short = detect(&"https://b23.tv/aBc_9-x?share=1".parse().unwrap()).unwrap();
    assert_eq!(short.id, "b23-aBc_9-x");
    assert_eq!(short.params["short_link"], "https://b23.tv/aBc_9-x");
}

#[test]
fn reply_fields_and_missing_ones() {
    let t = target();
    let full = json!({
        "rpid": 104192624480u64, "rpid_str": "104192624480", "root": 0, "parent": 0,
        "mid": 621197713, "like": 12, "rcount": 3, "ctime": 1646205507,
        "member": {"mid": "621197713", "uname": "小鹿", "level_info": {"current_level": 4},
                   "vip": {"vipStatus": 1}},
        "content": {"message": "第一 [doge]"},
        "up_action": {"like": true, "reply": false},
        "reply_control": {"location": "IP属地：河北", "time_desc": "6小时前发布"},
        "replies": null
    });
    let c = reply(&full, &src(&t)).unwrap();
    assert_eq!(c.kind, Kind::Comment);
    assert_eq!(
        (c.id.as_str(), c.root_id.as_str(), c.depth),
        ("104192624480", "104192624480", 0)
    );
    assert_eq!(c.parent_id, None);
    assert_eq!(c.author.as_deref(), Some("小鹿"));
    assert_eq!(
        c.author_url.as_deref(),
        Some("https://space.bilibili.com/621197713")
    );
    assert_eq!(c.text, "第一 [doge]");
    assert_eq!(c.created_at.map(|t| t.timestamp()), Some(1646205507));
    assert_eq!((c.likes, c.reply_count), (Some(12), Some(3)));
    assert_eq!(c.extra["level"], 4);
    assert_eq!(c.extra["vip"], true);
    assert_eq!(c.extra["up_liked"], true);
    assert_eq!(c.extra["location"], "IP属地：河北");

    let bare = reply(&json!({"rpid": 5}), &src(&t)).unwrap();
    assert_eq!(
        (bare.text.as_str(), bare.author.as_deref(), bare.likes),
        ("", None, None)
    );
    assert!(bare.created_at.is_none());

    for bad in [
        json!({"rpid": 0}),
        json!({"root": 1}),
        json!([1]),
        json!({"rpid": "x1"}),
    ] {
        assert_eq!(reply(&bad, &src(&t)).unwrap_err().kind(), "parse", "{bad}");
    }
}

#[test]
fn main_page_tolerates_nulls_and_rejects_wrong_types() {
    let t = target();
    let empty = main_page(
        &json!({"replies": null, "top_replies": null, "top": {"upper": null}}),
        &src(&t),
    )
    .unwrap();
    assert!(empty.replies.is_empty() && empty.pinned.is_empty() && !empty.is_end);
    assert!(main_page(&json!({"replies": {"a": 1}}), &src(&t)).is_err());
    let pinned = main_page(
        &json!({"replies": [], "top_replies": [{"rpid": 9}], "top": {"admin": {"rpid": 8}, "upper": {"rpid": 9}}}),
        &src(&t),
    )
    .unwrap();
    let ids: Vec<&str> = pinned.pinned.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["9", "8", "9"], "duplicates are dropped later, by id");
    let voucher = main_page(&json!({"v_voucher": "voucher_x"}), &src(&t)).unwrap();
    assert!(voucher.voucher);
}

fn r(id: &str, parent: &str) -> Comment {
    let mut c = Comment::new("bilibili", Kind::Reply, id, "BV", "u");
    c.parent_id = Some(parent.to_string());
    c.depth = 1;
    c
}

#[test]
fn thread_depths_order_duplicates_and_unresolved_parents() {
    let root = Comment::new("bilibili", Kind::Comment, "1", "BV", "u");
    let linked = link(
        &root,
        vec![
            r("4", "3"), // its parent comes later
            r("2", "1"),
            r("3", "2"),
            r("2", "1"),  // duplicate
            r("5", "99"), // parent deleted
            r("6", "7"),  // cycle
            r("7", "6"),
        ],
    );
    let got: Vec<(&str, u32, &str)> = linked
        .iter()
        .map(|c| (c.id.as_str(), c.depth, c.parent_id.as_deref().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("2", 1, "1"),
            ("3", 2, "2"),
            ("5", 1, "99"),
            ("4", 3, "3"),
            ("6", 1, "7"),
            ("7", 1, "6")
        ]
    );
    assert!(linked.iter().all(|c| c.root_id == "1"));
    let unresolved: Vec<&str> = linked
        .iter()
        .filter(|c| c.extra.get("parent_unresolved").is_some())
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(unresolved, ["5", "6", "7"]);
}

#[test]
fn buvid3_from_set_cookie_values() {
    let values = [
        "b_nut=1700000000; path=/; domain=.bilibili.com",
        "buvid3=0A1B2C3D-1111-2222-3333-444455556666infoc; path=/; expires=Mon, 1 Jan 2030",
    ];
    assert_eq!(
        buvid3_from_set_cookies(values).as_deref(),
        Some("0A1B2C3D-1111-2222-3333-444455556666infoc")
    );
    assert_eq!(
        buvid3_from_set_cookies(["buvid3=a;b"]).as_deref(),
        Some("a")
    );
    assert_eq!(buvid3_from_set_cookies(["buvid3=; path=/"]), None);
    assert_eq!(buvid3_from_set_cookies(["buvid4=x"]), None);
}
