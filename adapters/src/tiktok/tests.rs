use proptest::prelude::*;
use serde_json::json;

use super::record::{comment_record, reply_record};
use super::url::detect;
use super::wire::parse_page;

fn target() -> engine::Target {
    detect(&"https://www.tiktok.com/@a/video/73".parse().unwrap()).unwrap()
}

#[test]
fn urls() {
    for (u, id) in [
        (
            "https://www.tiktok.com/@kai.moves/video/7300000000000000001",
            "7300000000000000001",
        ),
        (
            "https://tiktok.com/@kai_moves/photo/7300000000000000002?is_from_webapp=1",
            "7300000000000000002",
        ),
        (
            "https://m.tiktok.com/v/7300000000000000003.html",
            "7300000000000000003",
        ),
        (
            "https://www.tiktok.com/embed/v2/7300000000000000004",
            "7300000000000000004",
        ),
        ("https://vt.tiktok.com/ZSabc12/", "s-ZSabc12"),
    ] {
        assert_eq!(
            detect(&u.parse().unwrap()).map(|t| t.id).as_deref(),
            Some(id),
            "{u}"
        );
    }
    for u in [
        "https://www.tiktok.com/@kai",
        "https://www.tiktok.com/@kai/video/notanid",
        "https://www.tiktok.com/tag/dance",
        "https://vm.tiktok.com/",
        "https://example.com/@kai/video/1",
    ] {
        assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
    }
}

#[test]
fn comments_replies_and_refusals() {
    let body = json!({"comments": [{"cid": "71", "text": "hi", "create_time": 1_700_000_000, "digg_count": 3,
        "reply_comment_total": 4, "comment_language": "en",
        "user": {"uid": "9", "unique_id": "ann", "nickname": "Ann"},
        "reply_comment": [{"cid": "72", "text": "yo", "reply_id": "71", "reply_to_reply_id": "0", "user": {"unique_id": "bo"}}]},
        {"text": "no cid"}], "cursor": 20, "has_more": 1, "total": 40, "status_code": 0});
    let p = parse_page(&serde_json::to_vec(&body).unwrap(), "u").unwrap();
    assert_eq!(
        (p.comments.len(), p.cursor, p.has_more, p.total),
        (1, 20, true, Some(40))
    );
    let c = comment_record(&p.comments[0], "73", &target());
    assert_eq!(
        (
            c.author.as_deref(),
            c.author_id.as_deref(),
            c.likes,
            c.reply_count
        ),
        (Some("Ann"), Some("ann"), Some(3), Some(4))
    );
    assert_eq!(
        (c.language.as_deref(), c.created_at.unwrap().timestamp()),
        (Some("en"), 1_700_000_000)
    );
    let mut reply = p.comments[0].previews[0].clone();
    let r = reply_record(&reply, "71", "73", &target());
    assert_eq!(
        (r.parent_id.as_deref(), r.depth, r.extra.get("reply_to")),
        (Some("71"), 1, None)
    );
    reply.reply_to_reply_id = Some("75".into());
    assert_eq!(
        reply_record(&reply, "71", "73", &target()).extra["reply_to"],
        "75"
    );
    let empty = parse_page(b"", "u").unwrap_err();
    assert!(empty.to_string().contains("signed"), "{empty}");
    assert!(parse_page(
        br#"{"status_code":5,"status_msg":"invalid parameters"}"#,
        "u"
    )
    .unwrap_err()
    .to_string()
    .contains("status_code 5"));
    assert_eq!(
        parse_page(
            br#"{"comments":null,"cursor":0,"has_more":0,"status_code":0}"#,
            "u"
        )
        .unwrap()
        .comments
        .len(),
        0
    );
    assert_eq!(
        parse_page(b"{\"comments\":[]}", "u").unwrap_err().kind(),
        "parse"
    );
}

proptest! {
    #[test]
    fn parser_never_panics(v in crate::json_strategy::json_like(
        &["comments", "cid", "text", "create_time", "digg_count", "reply_comment_total", "reply_comment",
          "reply_id", "reply_to_reply_id", "user", "unique_id", "nickname", "cursor", "has_more", "status_code"],
        &["0", "71", "en"])) {
        let b = serde_json::to_vec(&v).unwrap();
        if let Ok(p) = parse_page(&b, "u") {
            for c in &p.comments { let _ = comment_record(c, "73", &target()); }
        }
        let wrapped = serde_json::to_vec(&json!({"status_code": 0, "comments": [v]})).unwrap();
        let _ = parse_page(&wrapped, "u").unwrap();
    }
}
