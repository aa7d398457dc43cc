//! Unit tests: HTML to text, both API shapes, placeholders, tree placement.

mod props;

use engine::{Kind, Target};

use super::forest::records;
use super::html::to_text;
use super::item::{parse_algolia, parse_firebase, Item};
use super::url::detect;

fn target(id: u64) -> Target {
    detect(
        &format!("https://news.ycombinator.com/item?id={id}")
            .parse()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn html_to_text_covers_hn_markup() {
    let cases = [
        ("a &amp; b &lt;c&gt; &quot;d&quot; &#x27;e&#x27; &#x2F;", "a & b <c> \"d\" 'e' /"),
        ("one<p>two<p>three", "one\n\ntwo\n\nthree"),
        ("<p>leading", "leading"),
        ("<i>it</i> and <b>b</b>", "it and b"),
        (
            "see <a href=\"https:&#x2F;&#x2F;example.com&#x2F;very&#x2F;long&#x2F;path?q=1&amp;r=2\" rel=\"nofollow\">https:&#x2F;&#x2F;example.com&#x2F;very&#x2F;lo...</a> now",
            "see https://example.com/very/long/path?q=1&r=2 now",
        ),
        ("<a>no href</a>", "no href"),
        ("code:<p><pre><code>  fn main() {\n      x &lt; 1;\n  }\n</code></pre>after", "code:\n\n  fn main() {\n      x < 1;\n  }\n\nafter"),
        ("broken <tag", "broken <tag"),
        ("", ""),
        ("line<br>break", "line\nbreak"),
    ];
    for (html, want) in cases {
        assert_eq!(to_text(html), want, "{html:?}");
    }
}

fn algolia_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": 100, "created_at": "2024-01-01T00:00:00.000Z", "created_at_i": 1_704_067_200, "type": "story",
        "author": "op", "title": "Show HN: a thing", "url": "https://example.org/", "text": null, "points": 42,
        "parent_id": null, "story_id": 100, "options": [],
        "children": [
            {"id": 101, "created_at_i": 1_704_067_300, "type": "comment", "author": "a", "text": "top <i>one</i>",
             "points": null, "parent_id": 100, "story_id": 100, "options": [], "children": [
                {"id": 102, "created_at_i": 1_704_067_400, "type": "comment", "author": "b", "text": "reply",
                 "parent_id": 101, "story_id": 100, "children": []}]},
            {"id": 103, "created_at_i": 1_704_067_500, "type": "comment", "author": null, "text": null,
             "parent_id": 100, "story_id": 100, "children": [
                {"id": 104, "created_at_i": 1_704_067_600, "type": "comment", "author": "c", "text": "under a deleted one",
                 "parent_id": 103, "story_id": 100, "children": []}]},
            {"id": 105, "created_at_i": 1_704_067_700, "type": "comment", "author": null, "text": null,
             "parent_id": 100, "story_id": 100, "children": []}
        ]
    }))
    .unwrap()
}

#[test]
fn algolia_tree_becomes_records_with_placeholders_only_where_needed() {
    let items = parse_algolia(&algolia_body(), "u").unwrap();
    assert_eq!(items.len(), 6);
    let recs = records(&items, &target(100));
    let shape: Vec<_> = recs
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.kind,
                r.parent_id.as_deref(),
                r.root_id.as_str(),
                r.depth,
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("100", Kind::Post, None, "100", 0),
            ("101", Kind::Comment, None, "101", 0),
            ("102", Kind::Reply, Some("101"), "101", 1),
            ("103", Kind::Comment, None, "103", 0),
            ("104", Kind::Reply, Some("103"), "103", 1),
        ],
        "105 (deleted, no children) is dropped"
    );
    assert_eq!(recs[0].title.as_deref(), Some("Show HN: a thing"));
    assert_eq!(recs[0].likes, Some(42));
    assert_eq!(recs[1].text, "top one");
    assert_eq!(recs[1].extra["post_id"], "100");
    assert_eq!(recs[3].extra["deleted"], true);
    assert_eq!(
        (recs[3].author.as_deref(), recs[3].text.as_str()),
        (None, "")
    );
    assert_eq!(recs[2].created_at.unwrap().timestamp(), 1_704_067_400);
}

#[test]
fn firebase_items_and_dead_placeholders() {
    let story = parse_firebase(br#"{"by":"op","descendants":3,"id":7,"kids":[8,9],"score":5,"time":1700000000,"title":"T","type":"story"}"#, "u").unwrap().unwrap();
    let dead = parse_firebase(br#"{"by":"x","dead":true,"id":8,"kids":[10],"parent":7,"text":"flagged","time":1700000001,"type":"comment"}"#, "u").unwrap().unwrap();
    let gone = parse_firebase(
        br#"{"deleted":true,"id":9,"parent":7,"time":1700000002,"type":"comment"}"#,
        "u",
    )
    .unwrap()
    .unwrap();
    let reply = parse_firebase(
        br#"{"by":"y","id":10,"parent":8,"text":"still here","time":1700000003,"type":"comment"}"#,
        "u",
    )
    .unwrap()
    .unwrap();
    assert_eq!(story.descendants, Some(3));
    let items = vec![
        (story, None),
        (dead, Some(0)),
        (gone, Some(0)),
        (reply, Some(1)),
    ];
    let recs = records(&items, &target(7));
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["7", "8", "10"]);
    assert_eq!(recs[1].extra["dead"], true);
    assert_eq!(recs[1].text, "", "a placeholder shows nothing");
    assert_eq!(
        (recs[2].parent_id.as_deref(), recs[2].depth),
        (Some("8"), 1)
    );
}

#[test]
fn a_comment_target_is_the_root_of_its_subtree() {
    let items = vec![
        (
            Item {
                id: 50,
                kind: "comment".into(),
                author: Some("a".into()),
                text: Some("x".into()),
                parent: Some(49),
                story: Some(1),
                ..Default::default()
            },
            None,
        ),
        (
            Item {
                id: 51,
                kind: "comment".into(),
                author: Some("b".into()),
                text: Some("y".into()),
                parent: Some(50),
                ..Default::default()
            },
            Some(0),
        ),
    ];
    let recs = records(&items, &target(50));
    assert_eq!(
        (recs[0].depth, recs[0].parent_id.as_deref(), recs[0].kind),
        (0, None, Kind::Comment)
    );
    assert_eq!(recs[0].extra["reply_to"], 49);
    assert_eq!(recs[0].extra["post_id"], "1");
    assert_eq!(
        (
            recs[1].depth,
            recs[1].parent_id.as_deref(),
            recs[1].root_id.as_str()
        ),
        (1, Some("50"), "50")
    );
}

#[test]
fn envelope_problems_are_parse_errors() {
    for bad in [&b"<html>"[..], b"[]", b"{}", b"3", b"{\"id\":\"x\"}"] {
        assert_eq!(
            parse_algolia(bad, "u").unwrap_err().kind(),
            "parse",
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    for bad in [&b"<html>"[..], b"[]", b"{}", b"\"x\""] {
        assert_eq!(
            parse_firebase(bad, "u").unwrap_err().kind(),
            "parse",
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn detects_item_urls_only() {
    for (u, id) in [
        ("https://news.ycombinator.com/item?id=1", "1"),
        (
            "http://news.ycombinator.com/item?id=42424242#c1",
            "42424242",
        ),
        ("https://NEWS.ycombinator.com/item/?p=2&id=7", "7"),
    ] {
        assert_eq!(detect(&u.parse().unwrap()).unwrap().id, id, "{u}");
    }
    for u in [
        "https://news.ycombinator.com/",
        "https://news.ycombinator.com/item?id=0",
        "https://news.ycombinator.com/item?id=-1",
        "https://news.ycombinator.com/item?id=99999999999999999999999",
        "https://news.ycombinator.com/user?id=pg",
        "https://ycombinator.com/item?id=1",
    ] {
        assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
    }
}
