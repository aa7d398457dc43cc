//! Property tests: parsers, HTML conversion and URL detection never panic.

use proptest::prelude::*;
use serde_json::Value;

use crate::hackernews::forest::records;
use crate::hackernews::html::to_text;
use crate::hackernews::item::{parse_algolia, parse_firebase};
use crate::hackernews::url::detect;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..20).prop_map(Value::from),
        prop_oneof![Just("comment"), Just("story"), Just("<p>x&amp;")].prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("children".to_string()),
                    Just("kids".to_string()),
                    Just("parent_id".to_string()),
                    Just("author".to_string()),
                    Just("text".to_string()),
                    Just("deleted".to_string()),
                    Just("type".to_string()),
                    "[a-z_]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

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
