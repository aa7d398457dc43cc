use proptest::prelude::*;
use serde_json::json;

use super::api::{comments_url, TopCursor};
use super::record::{comment_record, reply_record};
use super::url::{detect, media_id};
use super::wire::{failure, parse_child_comments, parse_comments};

fn target() -> engine::Target {
    detect(&"https://www.instagram.com/p/CSTg-0FH89e/".parse().unwrap()).unwrap()
}

#[test]
fn urls_and_media_ids() {
    for u in [
        "https://www.instagram.com/p/CSTg-0FH89e/",
        "https://instagram.com/reel/CSTg-0FH89e",
        "https://www.instagram.com/tv/CSTg-0FH89e/?utm_source=ig",
        "https://m.instagram.com/someone/reel/CSTg-0FH89e/",
    ] {
        let t = detect(&u.parse().unwrap()).unwrap_or_else(|| panic!("{u}"));
        assert_eq!(t.id, "CSTg-0FH89e");
    }
    for u in [
        "https://www.instagram.com/explore/",
        "https://www.instagram.com/p/",
        "https://www.instagram.com/p/ab/",
        "https://www.instagram.com/p/has%20space/",
        "https://example.com/p/CSTg-0FH89e/",
    ] {
        assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
    }
    assert_eq!(media_id("_____________"), None, "past 64 bits");
}

#[test]
fn comments_replies_and_previews() {
    let body = json!({"comments": [{"pk": "17", "text": "nice", "created_at": 1_700_000_000,
        "comment_like_count": 4, "child_comment_count": 3,
        "user": {"pk": 5, "username": "ann.b", "full_name": "Ann B", "is_verified": true},
        "preview_child_comments": [{"pk": "18", "text": "@ann.b yes", "parent_comment_id": "17", "user": {"username": "cy"}}]},
        {"text": "no pk: skipped"}],
        "caption": {"pk": "1", "text": "cap", "user": {"username": "studio"}},
        "comment_count": 9, "has_more_comments": true, "next_max_id": 123, "status": "ok"});
    let p = parse_comments(&serde_json::to_vec(&body).unwrap(), "u").unwrap();
    assert_eq!(p.comments.len(), 1);
    assert_eq!(
        (p.next_max_id.as_deref(), p.next_min_id),
        (Some("123"), None)
    );
    let c = comment_record(&p.comments[0], &target());
    assert_eq!(
        (
            c.author.as_deref(),
            c.author_id.as_deref(),
            c.likes,
            c.reply_count
        ),
        (Some("Ann B"), Some("ann.b"), Some(4), Some(3))
    );
    assert_eq!(c.created_at.unwrap().timestamp(), 1_700_000_000);
    assert_eq!(c.extra["verified"], true);
    let r = reply_record(&p.comments[0].previews[0], "17", &target());
    assert_eq!(
        (r.parent_id.as_deref(), r.root_id.as_str(), r.depth),
        (Some("17"), "17", 1)
    );
    assert_eq!(
        r.url.as_deref(),
        Some("https://www.instagram.com/p/CSTg-0FH89e/c/17/r/18/")
    );
    let cp = parse_child_comments(br#"{"child_comments":[],"has_more_head_child_comments":true,"next_min_child_cursor":"H","status":"ok"}"#, "u").unwrap();
    assert_eq!((cp.next_max, cp.next_min.as_deref()), (None, Some("H")));
    assert_eq!(
        parse_comments(b"{\"status\":\"ok\"}", "u")
            .unwrap_err()
            .kind(),
        "parse"
    );
    assert_eq!(
        parse_comments(b"<html>login</html>", "u")
            .unwrap_err()
            .kind(),
        "parse"
    );
    assert_eq!(
        failure(br#"{"message":"login_required","status":"fail"}"#),
        Some(("login_required".into(), true))
    );
    assert_eq!(failure(br#"{"comments":[],"status":"ok"}"#), None);
    assert!(comments_url("1", Some(&TopCursor::Max("a b".into()))).ends_with("&max_id=a+b"));
}

proptest! {
    #[test]
    fn parsers_never_panic(v in crate::json_strategy::json_like(
        &["comments", "child_comments", "pk", "text", "user", "username", "created_at", "caption",
          "preview_child_comments", "next_min_id", "next_max_id", "has_more_comments",
          "has_more_headload_comments", "parent_comment_id", "child_comment_count", "message", "status"],
        &["ok", "fail", "login_required", "17", "18"])) {
        let b = serde_json::to_vec(&v).unwrap();
        if let Ok(p) = parse_comments(&b, "u") {
            for c in &p.comments { let _ = comment_record(c, &target()); }
        }
        let _ = parse_child_comments(&b, "u");
        let _ = failure(&b);
        let wrapped = serde_json::to_vec(&json!({"comments": [v.clone()], "child_comments": [v]})).unwrap();
        let _ = parse_comments(&wrapped, "u").unwrap();
        let _ = parse_child_comments(&wrapped, "u").unwrap();
    }
}
