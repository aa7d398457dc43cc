//! Unit and property tests of the YouTube parsers: shapes near the real
//! ones (keys drawn from InnerTube's vocabulary) never panic, and every
//! failure is a parse error.

use chrono::Utc;
use engine::Target;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::parse::{parse_reply_page, parse_top_page, SortTokens};
use super::watch::{parse_watch_page, Entry};

fn target() -> Target {
    Target::new(
        "youtube",
        "abcdefghijk",
        "https://www.youtube.com/watch?v=abcdefghijk",
    )
}

const KEYS: &[&str] = &[
    "onResponseReceivedEndpoints",
    "reloadContinuationItemsCommand",
    "appendContinuationItemsAction",
    "continuationItems",
    "commentThreadRenderer",
    "commentViewModel",
    "commentKey",
    "commentId",
    "toolbarStateKey",
    "frameworkUpdates",
    "entityBatchUpdate",
    "mutations",
    "entityKey",
    "payload",
    "commentEntityPayload",
    "properties",
    "content",
    "publishedTime",
    "replyLevel",
    "author",
    "toolbar",
    "likeCountNotliked",
    "likeCountA11y",
    "replyCount",
    "continuationItemRenderer",
    "continuationEndpoint",
    "continuationCommand",
    "token",
    "button",
    "buttonRenderer",
    "command",
    "replies",
    "commentRepliesRenderer",
    "contents",
    "commentRenderer",
    "contentText",
    "runs",
    "text",
    "simpleText",
    "voteCount",
    "accessibility",
    "accessibilityData",
    "label",
    "commentsHeaderRenderer",
    "sortMenu",
    "sortFilterSubMenuRenderer",
    "subMenuItems",
    "serviceEndpoint",
    "title",
    "countText",
    "messageRenderer",
    "key",
    "heartState",
    "continuationContents",
    "itemSectionContinuation",
    "continuations",
    "nextContinuationData",
    "continuation",
];

fn arb_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(
        KEYS,
        &[
            "1.2K",
            "3 days ago (edited)",
            "RELOAD_CONTINUATION_SLOT_BODY",
            " ",
        ],
    )
}

proptest! {
    #[test]
    fn pages_never_panic(v in arb_json()) {
        let body = v.to_string();
        for r in [parse_top_page(body.as_bytes(), &target(), "u", Utc::now()).err(),
                  parse_reply_page(body.as_bytes(), &target(), "u", Utc::now()).err()].into_iter().flatten() {
            prop_assert_eq!(r.kind(), "parse");
        }
    }

    #[test]
    fn watch_pages_never_panic(v in arb_json(), prefix in "\\PC{0,20}") {
        let html = format!("{prefix}<script>ytcfg.set({v});var ytInitialData = {v};var ytInitialPlayerResponse = {v};</script>");
        let _ = parse_watch_page(&html, &target(), "u");
        let _ = SortTokens::from_menu(&v);
    }

    #[test]
    fn bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        for r in [parse_top_page(&b, &target(), "u", Utc::now()).err(),
                  parse_reply_page(&b, &target(), "u", Utc::now()).err()].into_iter().flatten() {
            prop_assert_eq!(r.kind(), "parse");
        }
    }
}

#[test]
fn missing_entity_names_the_path() {
    let body = json!({"onResponseReceivedEndpoints": [{"appendContinuationItemsAction": {"continuationItems": [
        {"commentThreadRenderer": {"commentViewModel": {"commentViewModel": {"commentKey": "nope", "commentId": "x"}}}}]}}]});
    let e = parse_top_page(body.to_string().as_bytes(), &target(), "u", Utc::now()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("onResponseReceivedEndpoints[0].appendContinuationItemsAction.continuationItems[0].commentThreadRenderer"), "{msg}");
    assert!(msg.contains("commentEntityPayload"), "{msg}");
    let e = parse_top_page(b"{\"responseContext\":{}}", &target(), "u", Utc::now()).unwrap_err();
    assert_eq!(e.kind(), "parse");
}

#[test]
fn sort_menu_by_title_or_position() {
    let tok = |t: &str| json!({"continuationCommand": {"token": t}});
    let en = json!({"subMenuItems": [{"title": "Top", "serviceEndpoint": tok("T")}, {"title": "Newest", "serviceEndpoint": tok("N")}]});
    assert_eq!(
        SortTokens::from_menu(&en),
        SortTokens {
            top: Some("T".into()),
            newest: Some("N".into())
        }
    );
    let other = json!({"subMenuItems": [{"title": "Meilleurs", "serviceEndpoint": tok("T")}, {"title": "Plus récents", "serviceEndpoint": tok("N")}]});
    assert_eq!(
        SortTokens::from_menu(&other),
        SortTokens {
            top: Some("T".into()),
            newest: Some("N".into())
        }
    );
}

fn page(player: Value, data: Value, cfg: Value) -> String {
    format!("<script>ytcfg.set({cfg});</script><script>var ytInitialPlayerResponse = {player};</script><script>var ytInitialData = {data};</script>")
}

#[test]
fn watch_page_context_and_outcomes() {
    let section = json!({"contents": {"twoColumnWatchNextResults": {"results": {"results": {"contents": [{"itemSectionRenderer": {
        "sectionIdentifier": "comment-item-section", "contents": [{"continuationItemRenderer": {"continuationEndpoint": {"continuationCommand": {"token": "SEC"}}}}]}}]}}}}});
    let ok = json!({"playabilityStatus": {"status": "OK"}});
    // No INNERTUBE_CONTEXT: a WEB context from the client name/version; hl forced to en.
    let w = parse_watch_page(
        &page(
            ok.clone(),
            section.clone(),
            json!({"INNERTUBE_CLIENT_VERSION": "2.1"}),
        ),
        &target(),
        "u",
    )
    .unwrap();
    assert_eq!(w.context["client"]["clientName"], "WEB");
    assert_eq!(w.context["client"]["clientVersion"], "2.1");
    assert_eq!(w.context["client"]["hl"], "en");
    assert_eq!(
        w.entry,
        Entry::Comments {
            section: "SEC".into(),
            sort: SortTokens::default()
        }
    );
    let cfg = json!({"INNERTUBE_CONTEXT": {"client": {"hl": "de", "clientName": "WEB", "clientVersion": "2.9"}}, "INNERTUBE_API_KEY": "K"});
    let w = parse_watch_page(&page(ok.clone(), section, cfg), &target(), "u").unwrap();
    assert_eq!(
        (w.context["client"]["hl"].as_str(), w.api_key.as_deref()),
        (Some("en"), Some("K"))
    );

    let unplayable = json!({"playabilityStatus": {"status": "UNPLAYABLE", "reason": "Video unavailable",
        "errorScreen": {"playerErrorMessageRenderer": {"subreason": {"simpleText": "Not in your country"}}}}});
    let e = parse_watch_page(&page(unplayable, json!({}), json!({})), &target(), "u").unwrap_err();
    assert_eq!(e.kind(), "forbidden");
    assert!(e.to_string().contains("Not in your country"), "{e}");

    let no_section = json!({"contents": {"twoColumnWatchNextResults": {"results": {}}}});
    let w = parse_watch_page(&page(ok.clone(), no_section, json!({})), &target(), "u").unwrap();
    assert!(matches!(w.entry, Entry::Disabled(_)));
    let e = parse_watch_page(
        &page(ok.clone(), json!({"something": "else"}), json!({})),
        &target(),
        "u",
    )
    .unwrap_err();
    assert!(e.to_string().contains("twoColumnWatchNextResults"), "{e}");
    let e = parse_watch_page("<html><p>not a watch page</p></html>", &target(), "u").unwrap_err();
    assert!(e.to_string().contains("ytInitialData"), "{e}");
    let consent = r#"<form action="https://consent.youtube.com/save" method="POST"></form>"#;
    let e = parse_watch_page(consent, &target(), "u").unwrap_err();
    assert_eq!(e.kind(), "forbidden");
    assert!(e.to_string().contains("consent"), "{e}");
}

#[test]
fn old_continuation_contents_shape() {
    let body = json!({"continuationContents": {"itemSectionContinuation": {"contents": [
        {"commentThreadRenderer": {"comment": {"commentRenderer": {"commentId": "Ugx1", "contentText": {"simpleText": "hi"},
            "authorText": {"simpleText": "@a"}, "publishedTimeText": {"runs": [{"text": "2 hours ago"}]}, "voteCount": {"simpleText": "12"}}}}}],
        "continuations": [{"nextContinuationData": {"continuation": "NEXT"}}]}}});
    let p = parse_top_page(body.to_string().as_bytes(), &target(), "u", Utc::now()).unwrap();
    assert_eq!(p.next.as_deref(), Some("NEXT"));
    assert_eq!(p.threads[0].comment.text, "hi");
    assert_eq!(
        (p.threads[0].comment.likes, p.threads[0].comment.reply_count),
        (Some(12), Some(0))
    );
    assert_eq!(
        p.threads[0].comment.created_at_precision,
        Some(engine::Precision::Hour)
    );
}

#[test]
fn threaded_layout_sub_threads_with_inline_replies() {
    let mutation = |id: &str, level: u32| {
        json!({"entityKey": format!("k{id}"), "payload": {"commentEntityPayload": {"key": format!("k{id}"),
            "properties": {"commentId": id, "content": {"content": format!("text {id}")}, "publishedTime": "1 day ago", "replyLevel": level},
            "author": {"channelId": "UC1", "displayName": "@a"}, "toolbar": {"likeCountNotliked": "", "replyCount": "2"}}}})
    };
    let body = json!({
        "onResponseReceivedEndpoints": [{"appendContinuationItemsAction": {"continuationItems": [{"commentThreadRenderer": {
            "commentViewModel": {"commentViewModel": {"commentKey": "kT", "commentId": "T"}},
            "replies": {"commentRepliesRenderer": {"subThreads": [
                {"commentViewModel": {"commentKey": "kT.r1", "commentId": "T.r1"}},
                {"continuationItemRenderer": {"continuationEndpoint": {"continuationCommand": {"token": "MORE"}}}}]}}}}]}}],
        "frameworkUpdates": {"entityBatchUpdate": {"mutations": [mutation("T", 0), mutation("T.r1", 1)]}}});
    let p = parse_top_page(body.to_string().as_bytes(), &target(), "u", Utc::now()).unwrap();
    let t = &p.threads[0];
    assert_eq!((t.comment.id.as_str(), t.comment.depth), ("T", 0));
    assert_eq!(t.replies.as_deref(), Some("MORE"));
    assert_eq!(t.inline.len(), 1);
    assert_eq!(
        (
            t.inline[0].0.id.as_str(),
            t.inline[0].0.depth,
            t.inline[0].0.kind
        ),
        ("T.r1", 1, engine::Kind::Reply)
    );
    assert_eq!(t.inline[0].0.text, "text T.r1");
}
