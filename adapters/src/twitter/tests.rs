use engine::Kind;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::api::{headers, read_detail, tweet_detail_url, Auth};
use super::walk::{Scope, Walk};
use super::wire::{parse_detail, CursorKind, Node};

const SCOPE: Scope = Scope {
    replies: true,
    max_depth: None,
    expand: true,
};

fn tweet(id: &str, parent: Option<&str>, replies: u64) -> Value {
    let mut legacy = json!({"full_text": format!("text of {id} &amp; more"), "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "favorite_count": 3, "reply_count": replies, "lang": "en", "conversation_id_str": "1"});
    if let Some(p) = parent {
        legacy["in_reply_to_status_id_str"] = json!(p);
    }
    json!({"__typename": "Tweet", "rest_id": id, "legacy": legacy,
        "core": {"user_results": {"result": {"__typename": "User", "rest_id": "9", "core": {"screen_name": "h", "name": "H"}}}}})
}

fn item(module: &str, id: &str, result: Value) -> Value {
    json!({"entryId": format!("{module}-tweet-{id}"), "item": {"itemContent": {"itemType": "TimelineTweet",
        "__typename": "TimelineTweet", "tweet_results": {"result": result}}}})
}

fn module(id: &str, items: Vec<Value>) -> Value {
    json!({"entryId": format!("conversationthread-{id}"), "sortIndex": "1",
        "content": {"entryType": "TimelineTimelineModule", "__typename": "TimelineTimelineModule", "items": items}})
}

fn focal(id: &str) -> Value {
    json!({"entryId": format!("tweet-{id}"), "sortIndex": "9", "content": {"entryType": "TimelineTimelineItem",
        "itemContent": {"itemType": "TimelineTweet", "tweet_results": {"result": tweet(id, None, 0)}}}})
}

fn page(instructions: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"data": {"threaded_conversation_with_injections_v2": {"instructions": instructions}}}))
        .unwrap()
}

fn target() -> engine::Target {
    super::url::detect(&"https://x.com/h/status/1".parse().unwrap()).unwrap()
}

fn shape(recs: &[engine::Comment]) -> Vec<(&str, Kind, Option<&str>, u32, bool)> {
    recs.iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.kind,
                r.parent_id.as_deref(),
                r.depth,
                r.extra.contains_key("unavailable"),
            )
        })
        .collect()
}

#[test]
fn threads_tombstones_orphans_and_related_posts() {
    let tomb = json!({"__typename": "TweetTombstone", "tombstone": {"text": {"text": "This Post was deleted by the Post author."}}});
    let limited =
        json!({"__typename": "TweetWithVisibilityResults", "tweet": tweet("6", Some("1"), 0)});
    let body = page(json!([
        {"type": "TimelineAddEntries", "entries": [
            focal("0"), // an ancestor: not below the post
            focal("1"),
            module("2", vec![item("conversationthread-2", "2", tweet("2", Some("1"), 1)),
                             item("conversationthread-2", "3", tomb.clone()),
                             item("conversationthread-2", "4", tweet("4", Some("3"), 0))]),
            module("5", vec![item("conversationthread-5", "5", tomb)]),
            module("6", vec![item("conversationthread-6", "6", limited)]),
            module("7", vec![item("conversationthread-7", "7", tweet("7", Some("99"), 0))]),
            {"entryId": "tweetdetailrelatedtweets-1", "content": {"items": [item("tweetdetailrelatedtweets-1", "8", tweet("8", None, 0))]}},
            {"entryId": "cursor-bottom-1", "content": {"entryType": "TimelineTimelineCursor", "cursorType": "Bottom", "value": "B1"}},
        ]},
    ]));
    let detail = parse_detail(&body, "u").unwrap();
    assert!(matches!(&detail.entries[3].node, Node::Unavailable { id, .. } if id == "3"));
    let mut walk = Walk::new("1");
    let recs = walk.absorb(&detail, &target(), SCOPE, "u").unwrap();
    assert_eq!(
        shape(&recs),
        vec![
            ("1", Kind::Post, None, 0, false),
            ("2", Kind::Comment, None, 0, false),
            ("3", Kind::Reply, Some("2"), 1, true),
            ("4", Kind::Reply, Some("3"), 2, false),
            ("6", Kind::Comment, None, 0, false),
            ("7", Kind::Comment, None, 0, false),
        ],
        "5 (deleted, nothing below) is left out; 8 is not a reply"
    );
    assert_eq!(recs[1].text, "text of 2 & more");
    assert_eq!(
        recs[2].extra["unavailable_reason"],
        "This Post was deleted by the Post author."
    );
    assert_eq!(recs[5].extra["reply_to"], "99");
    assert_eq!(recs[1].created_at.unwrap().timestamp(), 1_539_202_764);
    // The deleted post that has replies is opened first, then the Bottom cursor.
    let next = walk.next_request().unwrap();
    assert_eq!((next.focal.as_str(), next.cursor), ("3", None));
    walk.absorb(
        &parse_detail(&page(json!([])), "u").unwrap(),
        &target(),
        SCOPE,
        "u",
    )
    .unwrap();
    assert_eq!(walk.next_request().unwrap().cursor.as_deref(), Some("B1"));
}

#[test]
fn show_more_continues_a_thread_across_pages() {
    let first = page(json!([{"type": "TimelineAddEntries", "entries": [
        focal("1"),
        module("2", vec![
            item("conversationthread-2", "2", tweet("2", Some("1"), 1)),
            item("conversationthread-2", "3", tweet("3", Some("2"), 1)),
            json!({"entryId": "conversationthread-2-cursor-showmore-1", "item": {"itemContent": {
                "itemType": "TimelineTimelineCursor", "cursorType": "ShowMore", "value": "SM"}}}),
        ]),
        {"entryId": "cursor-showmorethreads-1", "content": {"entryType": "TimelineTimelineItem", "itemContent": {
            "itemType": "TimelineTimelineCursor", "cursorType": "ShowMoreThreads", "value": "MT"}}},
    ]}]));
    let mut walk = Walk::new("1");
    let d = parse_detail(&first, "u").unwrap();
    assert_eq!(
        d.cursors.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec![CursorKind::ShowMore, CursorKind::MoreThreads]
    );
    walk.absorb(&d, &target(), SCOPE, "u").unwrap();
    // Nothing is opened while the thread goes on; ShowMore comes before more threads.
    assert_eq!(walk.next_request().unwrap().cursor.as_deref(), Some("SM"));
    // The walk survives a checkpoint.
    let mut walk: Walk = serde_json::from_value(serde_json::to_value(&walk).unwrap()).unwrap();
    let more = page(
        json!([{"type": "TimelineAddToModule", "moduleEntryId": "conversationthread-2",
        "moduleItems": [item("conversationthread-2", "4", tweet("4", Some("3"), 0))]}]),
    );
    let recs = walk
        .absorb(&parse_detail(&more, "u").unwrap(), &target(), SCOPE, "u")
        .unwrap();
    assert_eq!(shape(&recs), vec![("4", Kind::Reply, Some("3"), 2, false)]);
    assert_eq!(recs[0].root_id, "2");
    assert_eq!(walk.next_request().unwrap().cursor.as_deref(), Some("MT"));
    // An answer with nothing new ends the walk even when it has a cursor.
    let empty = page(json!([{"type": "TimelineAddEntries", "entries": [
        {"entryId": "cursor-bottom-2", "content": {"cursorType": "Bottom", "value": "B9"}}]}]));
    walk.absorb(&parse_detail(&empty, "u").unwrap(), &target(), SCOPE, "u")
        .unwrap();
    assert_eq!(walk.next_request(), None);
}

#[test]
fn long_posts_legacy_users_and_edits() {
    let mut t = tweet("2", Some("1"), 0);
    t["note_tweet"] = json!({"note_tweet_results": {"result": {"text": "the whole long text"}}});
    t["core"]["user_results"]["result"] =
        json!({"rest_id": "5", "legacy": {"screen_name": "old", "name": "Old"}});
    t["edit_control"] = json!({"edit_tweet_ids": ["1", "2"]});
    t["views"] = json!({"count": "1234"});
    t["legacy"]["lang"] = json!("qme");
    let body = page(
        json!([{"type": "TimelineAddEntries", "entries": [focal("1"), module("2", vec![item("conversationthread-2", "2", t)])]}]),
    );
    let recs = Walk::new("1")
        .absorb(&parse_detail(&body, "u").unwrap(), &target(), SCOPE, "u")
        .unwrap();
    let r = &recs[1];
    assert_eq!(r.text, "the whole long text");
    assert_eq!(
        (r.author.as_deref(), r.author_id.as_deref()),
        (Some("Old"), Some("old"))
    );
    assert_eq!(r.url.as_deref(), Some("https://x.com/old/status/2"));
    assert_eq!((r.edited, r.language.as_deref()), (Some(true), None));
    assert_eq!(r.extra["views"], 1234);
}

#[test]
fn envelopes_and_errors() {
    assert_eq!(parse_detail(b"<html>", "u").unwrap_err().kind(), "parse");
    assert_eq!(
        parse_detail(b"{\"foo\":1}", "u").unwrap_err().kind(),
        "parse"
    );
    let d = parse_detail(br#"{"errors":[{"code":144,"message":"_Missing: No status found with that ID."}],"data":{}}"#, "u").unwrap();
    assert!(!d.has_timeline && d.errors[0].code == Some(144));
    let http = engine::HttpClient::builder("twitter").build().unwrap();
    let resp = |status: u16, body: &str| engine::Response {
        status,
        headers: Default::default(),
        body: body.to_string().into(),
        url: "https://x.com/i/api/graphql/q/TweetDetail".into(),
    };
    let session = Auth::Session { csrf: "c".into() };
    let guest = Auth::Guest { token: "1".into() };
    let kind = |auth: &Auth, status: u16, body: &str| {
        read_detail(&http, auth, resp(status, body))
            .unwrap_err()
            .to_string()
    };
    assert!(kind(
        &session,
        200,
        r#"{"errors":[{"code":144,"message":"_Missing"}],"data":{}}"#
    )
    .contains("not found"));
    assert!(kind(
        &session,
        401,
        r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#
    )
    .contains("expired"));
    assert!(kind(
        &session,
        403,
        r#"{"errors":[{"code":353,"message":"csrf"}]}"#
    )
    .contains("ct0 cookie does not match"));
    assert!(kind(&session, 404, "").contains("query_id"));
    assert!(kind(&guest, 404, "").contains("logged-in"));
    assert!(kind(&session, 200, r#"{"data":{}}"#).contains("no conversation"));
    assert!(kind(
        &session,
        200,
        r#"{"errors":[{"code":88,"message":"Rate limit exceeded."}]}"#
    )
    .contains("rate limited"));
}

#[test]
fn request_headers_per_access() {
    let s = headers(&Auth::Session { csrf: "ct".into() }, "r");
    assert!(s.contains(&("x-csrf-token", "ct".to_string())));
    assert!(s.contains(&("x-twitter-auth-type", "OAuth2Session".to_string())));
    let g = headers(&Auth::Guest { token: "77".into() }, "r");
    assert!(
        g.contains(&("x-guest-token", "77".to_string()))
            && g.contains(&("cookie", "gt=77".to_string()))
    );
    assert!(format!(
        "{:?}",
        Auth::Session {
            csrf: "SECRET".into()
        }
    )
    .find("SECRET")
    .is_none());
    let u = tweet_detail_url("Q", "5", None, "Likes");
    assert!(
        u.starts_with("https://x.com/i/api/graphql/Q/TweetDetail?variables=")
            && !u.contains("cursor")
    );
}

const KEYS: &[&str] = &[
    "data",
    "threaded_conversation_with_injections_v2",
    "instructions",
    "type",
    "entries",
    "entryId",
    "content",
    "itemContent",
    "items",
    "item",
    "tweet_results",
    "result",
    "__typename",
    "rest_id",
    "legacy",
    "full_text",
    "in_reply_to_status_id_str",
    "cursorType",
    "value",
    "moduleItems",
    "moduleEntryId",
    "itemType",
    "tombstone",
    "tweet",
    "core",
    "user_results",
    "reply_count",
];
const WORDS: &[&str] = &[
    "TimelineAddEntries",
    "TimelineAddToModule",
    "TimelineTweet",
    "Tweet",
    "TweetTombstone",
    "TweetWithVisibilityResults",
    "Bottom",
    "ShowMore",
    "ShowMoreThreads",
    "tweet-1",
    "conversationthread-2",
    "conversationthread-2-tweet-3",
    "1",
    "2",
    "3",
    "TimelineTimelineCursor",
];

proptest! {
    #[test]
    fn parser_and_walk_never_panic(v in crate::json_strategy::json_like(KEYS, WORDS)) {
        let body = serde_json::to_vec(&v).unwrap();
        if let Ok(d) = parse_detail(&body, "u") {
            let mut walk = Walk::new("1");
            for _ in 0..3 {
                if walk.next_request().is_none() { break; }
                let _ = walk.absorb(&d, &target(), SCOPE, "u");
            }
        }
        let wrapped = page(json!([{"type": "TimelineAddEntries", "entries": [focal("1"), v.clone()]},
            {"type": "TimelineAddToModule", "moduleEntryId": "conversationthread-2", "moduleItems": [v]}]));
        let d = parse_detail(&wrapped, "u").unwrap();
        let mut walk = Walk::new("1");
        walk.absorb(&d, &target(), SCOPE, "u").unwrap();
        let _ = walk.next_request();
    }
}
