//! Unit tests: parser shapes, tree rebuilding, URL detection, proptests.

mod props;

use engine::{Kind, Target};
use serde_json::{json, Value};

use super::parse::{parse_morechildren, parse_thread, Thing};
use super::tree::{Pending, Tree};
use super::url::detect;

fn target() -> Target {
    detect(&"https://www.reddit.com/r/x/comments/p1/t/".parse().unwrap()).unwrap()
}

fn t1(id: &str, parent: &str, replies: Value) -> Value {
    json!({"kind":"t1","data":{"id":id,"name":format!("t1_{id}"),"parent_id":parent,
        "author":"u","body":format!("body {id}"),"score":3,"created_utc":1.7e9,
        "edited":false,"replies":replies}})
}

fn listing(children: Vec<Value>) -> Value {
    json!({"kind":"Listing","data":{"children":children,"after":null,"before":null}})
}

fn thread(comments: Vec<Value>) -> Vec<u8> {
    let post = json!({"kind":"t3","data":{"id":"p1","title":"T","selftext":"S","score":9,
        "author":"op","created_utc":1.6e9,"num_comments":7}});
    serde_json::to_vec(&json!([listing(vec![post]), listing(comments)])).unwrap()
}

#[test]
fn nested_listing_becomes_a_tree_with_pending_work() {
    let body = thread(vec![
        t1(
            "a",
            "t3_p1",
            listing(vec![
                t1("b", "t1_a", json!("")),
                json!({"kind":"more","data":{"id":"c","parent_id":"t1_a","count":4,"children":["c","d"]}}),
            ]),
        ),
        json!({"kind":"more","data":{"id":"_","name":"t1__","parent_id":"t1_b","count":0,"children":[]}}),
        json!({"kind":"more","data":{"id":"e","parent_id":"t3_p1","count":2,"children":["e","f"]}}),
    ]);
    let t = parse_thread(&body, "u").unwrap();
    assert_eq!(t.post.as_ref().unwrap().title, "T");
    let mut tree = Tree::new(target(), "p1".into(), None);
    let built = tree.build(t.things, None);
    let shape: Vec<_> = built
        .records
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.parent_id.as_deref(),
                r.root_id.as_str(),
                r.depth,
                r.kind,
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("a", None, "a", 0, Kind::Comment),
            ("b", Some("a"), "a", 1, Kind::Reply)
        ]
    );
    assert_eq!(built.records[0].extra["post_id"], "p1");
    assert_eq!(built.pending.len(), 3);
    assert_eq!(built.pending[0].children, vec!["c", "d"]);
    assert_eq!(
        (built.pending[0].depth, built.pending[0].root.as_deref()),
        (1, Some("a"))
    );
    assert!(built.pending[1].children.is_empty(), "continue this thread");
    assert_eq!(built.pending[1].parent.as_deref(), Some("b"));
    assert_eq!(
        (built.pending[2].depth, built.pending[2].root.as_deref()),
        (0, None)
    );
}

#[test]
fn morechildren_flat_list_out_of_order_and_repeats() {
    let body = json!({"json":{"errors":[],"data":{"things":[
        t1("y", "t1_x", json!("")), // child before its parent
        t1("x", "t1_a", json!("")),
        t1("x", "t1_a", json!("")), // repeated
        {"kind":"more","data":{"id":"z","parent_id":"t1_y","count":1,"children":["z"]}}
    ]}}});
    let things = parse_morechildren(&serde_json::to_vec(&body).unwrap(), "u").unwrap();
    assert_eq!(things.len(), 4);
    let ctx = Pending {
        parent: Some("a".into()),
        depth: 1,
        root: Some("a".into()),
        children: vec!["x".into()],
        retry: false,
    };
    let mut tree = Tree::new(target(), "p1".into(), None);
    tree.seed(&ctx);
    let built = tree.build(things, Some(&ctx));
    let got: Vec<_> = built
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.depth, r.root_id.as_str()))
        .collect();
    assert_eq!(got, vec![("x", 1, "a"), ("y", 2, "a")]);
    assert_eq!(
        built.pending,
        vec![Pending {
            parent: Some("y".into()),
            depth: 3,
            root: Some("a".into()),
            children: vec!["z".into()],
            retry: false
        }]
    );
    assert!(built.notes.is_empty());
}

#[test]
fn orphans_are_kept_under_the_request_context_with_a_note() {
    let things = vec![t1("q", "t1_nowhere", json!(""))];
    let body = serde_json::to_vec(&json!({"json":{"errors":[],"data":{"things":things}}})).unwrap();
    let ctx = Pending {
        parent: Some("a".into()),
        depth: 1,
        root: Some("a".into()),
        children: vec!["q".into()],
        retry: false,
    };
    let mut tree = Tree::new(target(), "p1".into(), None);
    tree.seed(&ctx);
    let built = tree.build(parse_morechildren(&body, "u").unwrap(), Some(&ctx));
    assert_eq!(built.records.len(), 1);
    assert_eq!(built.records[0].parent_id.as_deref(), Some("nowhere"));
    assert_eq!(built.notes.len(), 1);
}

#[test]
fn batches_hold_at_most_100_ids_and_relisted_ids_are_asked_again_a_bounded_number_of_times() {
    let ids: Vec<String> = (0..250).map(|i| format!("m{i}")).collect();
    let more =
        json!({"kind":"more","data":{"id":"m0","parent_id":"t3_p1","count":250,"children":ids}});
    let body = thread(vec![more.clone()]);
    let mut tree = Tree::new(target(), "p1".into(), None);
    let built = tree.build(parse_thread(&body, "u").unwrap().things, None);
    let sizes: Vec<usize> = built.pending.iter().map(|p| p.children.len()).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    // Reddit re-lists what a truncated answer left out: asked again, but not forever.
    for round in 2..=super::tree::MAX_ASKS + 1 {
        let answer = json!({"json":{"errors":[],"data":{"things":[more.clone()]}}});
        let things = parse_morechildren(&serde_json::to_vec(&answer).unwrap(), "u").unwrap();
        let built = tree.build(things, None);
        if round <= super::tree::MAX_ASKS {
            assert_eq!(built.pending.len(), 3, "round {round}");
            assert!(built.pending.iter().all(|p| p.retry), "re-asked first");
            assert!(built.notes.is_empty());
        } else {
            assert!(built.pending.is_empty());
            assert_eq!(built.notes.len(), 1, "{:?}", built.notes);
        }
    }
    // Ids already exported are never asked again.
    let mut tree = Tree::new(target(), "p1".into(), None);
    let body = thread(vec![
        t1("m1", "t3_p1", json!("")),
        json!({"kind":"more","data":{"id":"m1","parent_id":"t3_p1","count":2,"children":["m1","m2"]}}),
    ]);
    let built = tree.build(parse_thread(&body, "u").unwrap().things, None);
    assert_eq!(built.pending[0].children, vec!["m2"]);
}

#[test]
fn fields_deleted_removed_edited_negative_score() {
    let mut c = t1("a", "t3_p1", json!(""));
    c["data"]["author"] = json!("[deleted]");
    c["data"]["body"] = json!("[removed]");
    c["data"]["edited"] = json!(1_700_000_100.0);
    c["data"]["score"] = json!(-4);
    c["data"]["stickied"] = json!(true);
    c["data"]["distinguished"] = json!("moderator");
    let mut tree = Tree::new(target(), "p1".into(), None);
    let built = tree.build(parse_thread(&thread(vec![c]), "u").unwrap().things, None);
    let r = &built.records[0];
    assert_eq!(r.author, None);
    assert_eq!(r.extra["author_deleted"], true);
    assert_eq!(
        (r.text.as_str(), &r.extra["removed"]),
        ("[removed]", &json!(true))
    );
    assert_eq!(r.edited, Some(true));
    assert_eq!(r.likes, None);
    assert_eq!(r.extra["score"], -4);
    assert_eq!(r.extra["distinguished"], "moderator");
    assert_eq!(r.created_at.unwrap().timestamp(), 1_700_000_000);
}

#[test]
fn focus_comment_is_the_subtree_root() {
    let t = detect(
        &"https://www.reddit.com/r/x/comments/p1/t/f1/"
            .parse()
            .unwrap(),
    )
    .unwrap();
    let body = thread(vec![t1(
        "f1",
        "t1_up",
        listing(vec![t1("g", "t1_f1", json!(""))]),
    )]);
    let mut tree = Tree::new(t, "p1".into(), Some("f1".into()));
    let built = tree.build(parse_thread(&body, "u").unwrap().things, None);
    let got: Vec<_> = built
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.parent_id.as_deref(), r.depth))
        .collect();
    assert_eq!(got, vec![("f1", None, 0), ("g", Some("f1"), 1)]);
    assert_eq!(built.records[0].extra["reply_to"], "up");
}

#[test]
fn envelope_problems_are_parse_errors() {
    assert_eq!(
        parse_morechildren(
            br#"{"json":{"errors":[["RATELIMIT","try later","ratelimit"]]}}"#,
            "u"
        )
        .unwrap_err()
        .kind(),
        "rate_limited"
    );
    for bad in [
        &b"<html>"[..],
        b"{}",
        b"[]",
        b"[1,2]",
        b"{\"json\":{\"errors\":[[\"BAD_ID\",\"x\"]]}}",
    ] {
        let e1 = parse_thread(bad, "u").err();
        let e2 = parse_morechildren(bad, "u").err();
        assert!(
            e1.is_some_and(|e| e.kind() == "parse"),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert!(
            e2.is_some_and(|e| e.kind() == "parse"),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // Unknown kinds and shapeless children are skipped, not fatal.
    let body = thread(vec![
        json!({"kind":"t9","data":{"id":"q"}}),
        json!(3),
        json!({"kind":"t1"}),
    ]);
    assert!(parse_thread(&body, "u").unwrap().things.is_empty());
    assert!(matches!(
        parse_morechildren(br#"{"json":{"errors":[]}}"#, "u").unwrap()[..],
        []
    ));
    let _ = Thing::More; // the enum is public API
}

#[test]
fn detects_reddit_urls() {
    let ok = [
        (
            "https://www.reddit.com/r/rust/comments/abc123/title/",
            "abc123",
        ),
        ("https://reddit.com/r/rust/comments/abc123", "abc123"),
        (
            "http://old.reddit.com/r/rust/comments/ABC123/title/?sort=old",
            "abc123",
        ),
        (
            "https://new.reddit.com/r/rust/comments/abc123/title/",
            "abc123",
        ),
        (
            "https://np.reddit.com/r/rust/comments/abc123/title/",
            "abc123",
        ),
        ("https://www.reddit.com/comments/abc123/", "abc123"),
        ("https://redd.it/abc123", "abc123"),
        (
            "https://www.reddit.com/r/rust/comments/abc123/title/def456/",
            "abc123-def456",
        ),
        ("https://www.reddit.com/r/rust/s/Xy12Zw", "s-Xy12Zw"),
    ];
    for (u, id) in ok {
        let t = detect(&u.parse().unwrap()).unwrap_or_else(|| panic!("{u}"));
        assert_eq!(t.id, id, "{u}");
        assert_eq!(t.platform, "reddit");
    }
    let sorted = detect(
        &"https://old.reddit.com/r/a/comments/b1/t/?sort=old"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sorted.params["sort"], "old");
    for u in [
        "https://www.reddit.com/r/rust/",
        "https://www.reddit.com/user/someone/",
        "https://www.reddit.com/r/rust/comments/",
        "https://redd.it/",
        "https://example.com/r/rust/comments/abc123/",
        "https://www.reddit.com/r/rust/comments/a-b/",
        "ftp://reddit.com/comments/abc/",
    ] {
        assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
    }
}
