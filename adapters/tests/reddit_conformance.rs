//! Conformance: the PRAW cassette (initial listing, dozens of `morechildren`
//! answers, "continue this thread" pages) rebuilds into one consistent tree.
//!
//! The recording lives outside the repository (`/work/shared/recordings`);
//! when it is absent the test says so and passes.

use std::collections::{HashMap, HashSet};

use adapters::reddit::parse::{parse_morechildren, parse_thread};
use adapters::reddit::record::post_record;
use adapters::reddit::tree::Tree;
use adapters::reddit::url::detect;
use engine::Kind;
use serde_json::Value;

const RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/reddit/praw_TestCommentForest.test_replace__all_with_comment_limit.json"
);

/// Every `t1` id and its Reddit `depth` field in a decoded response, walked independently of the parser.
fn t1_depths(v: &Value, out: &mut Vec<(String, i64)>) {
    match v {
        Value::Object(o) => {
            if o.get("kind").and_then(Value::as_str) == Some("t1") {
                let d = &o["data"];
                out.push((
                    d["id"].as_str().unwrap().to_string(),
                    d["depth"].as_i64().unwrap_or(-1),
                ));
            }
            o.values().for_each(|x| t1_depths(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| t1_depths(x, out)),
        _ => {}
    }
}

#[test]
fn praw_cassette_rebuilds_into_one_consistent_tree() {
    let Ok(raw) = std::fs::read(RECORDING) else {
        eprintln!("skipping: recording {RECORDING} not found");
        return;
    };
    let cassette: Value = serde_json::from_slice(&raw).expect("the cassette is JSON");
    let target = detect(
        &"https://www.reddit.com/r/funny/comments/3hahrw/"
            .parse()
            .unwrap(),
    )
    .unwrap();
    let mut tree = Tree::new(target.clone(), "3hahrw".into(), None);
    let mut records = Vec::new();
    let mut expected: HashMap<String, (i64, bool)> = HashMap::new();
    let mut responses = 0;
    let mut pending = 0;
    for interaction in cassette["interactions"].as_array().unwrap() {
        let uri = interaction["request"]["uri"].as_str().unwrap();
        let body = interaction["response"]["body"]["string"]
            .as_str()
            .unwrap()
            .as_bytes();
        let decoded: Value = serde_json::from_slice(body).unwrap();
        let continue_page = uri.contains("/_/");
        let mut ids = Vec::new();
        t1_depths(&decoded, &mut ids);
        for (id, depth) in ids {
            expected.entry(id).or_insert((depth, continue_page));
        }
        let things = if uri.contains("/api/morechildren") {
            parse_morechildren(body, uri).expect("morechildren parses")
        } else if uri.contains("/comments/") {
            let thread = parse_thread(body, uri).expect("thread parses");
            let fields = thread.post.as_ref().expect("the page holds the post");
            let post = post_record("3hahrw", fields, &target);
            let raw = &decoded[0]["data"]["children"][0]["data"];
            assert_eq!(post.kind, Kind::Post);
            assert_eq!(post.title.as_deref(), raw["title"].as_str());
            assert_eq!(post.author.as_deref(), raw["author"].as_str());
            assert_eq!(post.likes, raw["score"].as_u64());
            assert_eq!(post.reply_count, raw["num_comments"].as_u64());
            assert_eq!(
                post.created_at.map(|t| t.timestamp()),
                raw["created_utc"].as_f64().map(|t| t as i64)
            );
            thread.things
        } else {
            continue; // the token request
        };
        responses += 1;
        let built = tree.build(things, None);
        assert!(built.notes.is_empty(), "{uri}: {:?}", built.notes);
        pending += built.pending.len();
        records.extend(built.records);
    }
    assert!(responses > 40, "all recorded responses were used");
    assert!(pending > 0, "the cassette holds hidden parts");

    let mut by_id: HashMap<&str, &engine::Comment> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for r in &records {
        assert!(
            by_id.insert(&r.id, r).is_none(),
            "comment {} exported twice",
            r.id
        );
        match &r.parent_id {
            None => {
                assert_eq!(
                    (r.depth, r.kind, r.root_id.as_str()),
                    (0, Kind::Comment, r.id.as_str())
                );
            }
            Some(p) => {
                assert!(
                    seen.contains(p.as_str()),
                    "parent {p} of {} present and first",
                    r.id
                );
                let parent = by_id[p.as_str()];
                assert_eq!(r.depth, parent.depth + 1, "depth of {}", r.id);
                assert_eq!(r.root_id, parent.root_id, "root of {}", r.id);
                assert_eq!(r.kind, Kind::Reply);
            }
        }
        // Field mapping on real data: author or the deleted flag, a date, a score.
        assert!(r.author.is_some() || r.extra.get("author_deleted") == Some(&Value::Bool(true)));
        assert!(r.created_at.is_some(), "created_utc of {}", r.id);
        assert!(
            r.edited.is_some() && r.extra.contains_key("score"),
            "{}",
            r.id
        );
        seen.insert(&r.id);
    }
    assert_eq!(
        records.len(),
        expected.len(),
        "every recorded comment exported once"
    );
    for (id, (depth, continue_page)) in &expected {
        let r = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} missing"));
        if !continue_page {
            // Outside "continue this thread" pages Reddit's depth is absolute.
            assert_eq!(i64::from(r.depth), *depth, "depth of {id}");
        }
    }
    let deepest = records.iter().map(|r| r.depth).max().unwrap();
    assert!(
        deepest > 10,
        "continue-this-thread pages go below depth 10 (got {deepest})"
    );
}
