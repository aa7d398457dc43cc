//! Conformance: twscrape's recorded `TweetDetail` answer (a post, its
//! author's self-thread and 33 more reply threads, a `Bottom` cursor) parses into
//! exactly the replies it holds, each under its `in_reply_to_status_id_str`.
//!
//! The recording lives outside the repository (`/work/shared/recordings`);
//! when it is absent the test says so and passes.

use std::collections::HashMap;

use adapters::twitter::walk::{Scope, Walk};
use adapters::twitter::wire::{parse_detail, CursorKind};
use engine::Kind;
use serde_json::Value;

const RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/twitter/twscrape_raw_tweet_replies.json"
);

/// Every `Tweet` result in the answer: id → (in_reply_to, favorite_count,
/// full_text), walked independently of the parser.
fn tweets(v: &Value, out: &mut HashMap<String, (Option<String>, u64, String)>) {
    match v {
        Value::Object(o) => {
            if o.get("__typename").and_then(Value::as_str) == Some("Tweet") {
                let l = &o["legacy"];
                out.insert(
                    o["rest_id"].as_str().unwrap().to_string(),
                    (
                        l["in_reply_to_status_id_str"].as_str().map(str::to_string),
                        l["favorite_count"].as_u64().unwrap(),
                        l["full_text"].as_str().unwrap().to_string(),
                    ),
                );
            }
            o.values().for_each(|x| tweets(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| tweets(x, out)),
        _ => {}
    }
}

#[test]
fn twscrape_recording_parses_into_the_exact_reply_set() {
    let Ok(raw) = std::fs::read(RECORDING) else {
        eprintln!("skipping: recording {RECORDING} not found");
        return;
    };
    let focal = "1649191520250245121";
    let target = adapters::twitter::url::detect(
        &format!("https://x.com/XDevelopers/status/{focal}")
            .parse()
            .unwrap(),
    )
    .unwrap();
    let detail = parse_detail(&raw, "recording").expect("the recording parses");
    let mut walk = Walk::new(focal);
    assert!(walk.next_request().is_some_and(|r| r.cursor.is_none()));
    let scope = Scope {
        replies: true,
        max_depth: None,
        expand: true,
    };
    let records = walk
        .absorb(&detail, &target, scope, "recording")
        .expect("the page is placed");

    let root: Value = serde_json::from_slice(&raw).unwrap();
    let mut truth = HashMap::new();
    tweets(&root, &mut truth);
    assert_eq!(
        truth.len(),
        37,
        "the recording holds the post and 36 replies"
    );

    // The post first, then every other tweet once.
    assert_eq!(
        (records[0].id.as_str(), records[0].kind),
        (focal, Kind::Post)
    );
    assert_eq!(records.len(), truth.len());
    let by_id: HashMap<&str, &engine::Comment> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    assert_eq!(by_id.len(), records.len(), "no tweet twice");

    // twscrape's own reply set: tweets whose in_reply_to is the post.
    let direct: Vec<&String> = truth
        .iter()
        .filter(|(_, (p, _, _))| p.as_deref() == Some(focal))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(direct.len(), 34);
    for id in &direct {
        let r = by_id[id.as_str()];
        assert_eq!(
            (r.kind, r.depth, r.parent_id.as_deref()),
            (Kind::Comment, 0, None),
            "{id}"
        );
        assert_eq!(r.root_id, **id);
        assert_eq!(r.extra["post_id"], focal);
    }
    // Deeper replies hang below their in_reply_to, one level deeper each.
    for (id, (parent, likes, text)) in &truth {
        let r = by_id[id.as_str()];
        assert_eq!(r.likes, Some(*likes), "{id}");
        assert_eq!(
            r.text,
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        );
        assert!(
            r.created_at.is_some() && r.author_id.is_some() && r.author.is_some(),
            "{id}"
        );
        match parent.as_deref() {
            None => assert_eq!(id, focal),
            Some(p) if p == focal => {}
            Some(p) => {
                let parent = by_id[p];
                assert_eq!(r.parent_id.as_deref(), Some(p), "{id}");
                assert_eq!(r.depth, parent.depth + 1, "{id}");
                assert_eq!(r.root_id, parent.root_id, "{id}");
                assert!(
                    records.iter().position(|x| x.id == p)
                        < records.iter().position(|x| x.id == *id),
                    "parents come first"
                );
            }
        }
    }
    // The author's self-thread is a chain three deep.
    assert_eq!(by_id["1649191523697979392"].depth, 2);
    assert_eq!(
        by_id["1649191523697979392"].author_id.as_deref(),
        Some("XDevelopers")
    );
    assert_eq!(
        by_id["1649191520250245121"]
            .created_at
            .unwrap()
            .to_rfc3339(),
        "2023-04-20T23:21:13+00:00"
    );

    // The Bottom cursor is what comes next.
    let bottom = detail
        .cursors
        .iter()
        .find(|c| c.kind == CursorKind::Bottom)
        .expect("a Bottom cursor");
    let next = walk.next_request();
    // Replies whose reply_count exceeds what the page showed are opened first.
    let expanded: Vec<&engine::Comment> = records
        .iter()
        .filter(|r| r.kind != Kind::Post && r.reply_count.unwrap_or(0) > 0)
        .collect();
    assert!(!expanded.is_empty());
    let mut focals = Vec::new();
    let mut next = next;
    while let Some(req) = next {
        if req.cursor.is_some() {
            assert_eq!(req.focal, focal);
            assert_eq!(req.cursor.as_deref(), Some(bottom.value.as_str()));
            break;
        }
        focals.push(req.focal.clone());
        // An empty answer for each opened reply: the walk moves on.
        let empty = parse_detail(
            br#"{"data":{"threaded_conversation_with_injections_v2":{"instructions":[]}}}"#,
            "u",
        )
        .unwrap();
        walk.absorb(&empty, &target, scope, "u").unwrap();
        next = walk.next_request();
    }
    assert!(!focals.is_empty() && focals.iter().all(|f| by_id.contains_key(f.as_str())));
}
