//! Property tests: parsers, HTML conversion and URL detection never panic.

use proptest::prelude::*;
use serde_json::Value;

use crate::hackernews::forest::records;
use crate::hackernews::html::to_text;
use crate::hackernews::item::{parse_algolia, parse_firebase};
use crate::hackernews::url::detect;

fn any_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

/// Field names of the wire format, to bias generated JSON towards it.
const JSON_KEYS: &[&str] = &[
    "id",
    "children",
    "kids",
    "parent_id",
    "author",
    "text",
    "deleted",
    "dead",
    "type",
    "created_at_i",
    "time",
    "story_id",
    "points",
    "title",
];
/// Values the platform really sends.
const JSON_WORDS: &[&str] = &["comment", "story", "<p>x&amp;", "pollopt"];

proptest! {
    #[test]
    fn parsers_never_panic(v in any_json(), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let t = detect(&"https://news.ycombinator.com/item?id=1".parse().unwrap()).unwrap();
        for b in [&bytes, &raw] {
            if let Ok(items) = parse_algolia(b, "u") {
                let _ = records(&items, &t);
            }
            let _ = parse_firebase(b, "u");
        }
    }

    #[test]
    fn html_never_panics(s in "(<|>|&|p|a|href=|\"|pre|code|/|#x27;|;|é|\\n| ){0,40}") {
        let _ = to_text(&s);
    }

    #[test]
    fn url_detection_never_panics(path in "[a-z/]{0,10}", q in "[a-z0-9=&%-]{0,16}") {
        if let Ok(u) = format!("https://news.ycombinator.com/{path}?{q}").parse() {
            if let Some(t) = detect(&u) {
                prop_assert!(t.id.parse::<u64>().is_ok_and(|n| n > 0));
            }
        }
    }
}
