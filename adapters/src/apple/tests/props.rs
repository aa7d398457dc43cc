//! Property tests: the feed parser and URL detection never panic, whatever
//! the input, and valid feeds survive unknown extra fields.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{entry, feed, target, REQ};
use crate::apple::parse::parse_feed;
use crate::apple::url::detect;

/// Field names of the wire format, to bias generated JSON towards it.
const JSON_KEYS: &[&str] = &[
    "feed",
    "entry",
    "author",
    "name",
    "uri",
    "label",
    "im:version",
    "im:rating",
    "id",
    "title",
    "content",
    "attributes",
    "type",
    "im:voteSum",
    "im:voteCount",
    "updated",
    "im:name",
    "link",
];
/// Values the platform really sends.
const JSON_WORDS: &[&str] = &["4", "text", "3.4.3", "2020-08-07T20:17:03-07:00", "0"];

fn any_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_feed(&bytes, &target(), "jp", REQ);
    }

    #[test]
    fn never_panics_on_json(v in any_json()) {
        let _ = parse_feed(v.to_string().as_bytes(), &target(), "jp", REQ);
        let wrapped = json!({"feed": {"entry": v}});
        let _ = parse_feed(wrapped.to_string().as_bytes(), &target(), "jp", REQ);
        let in_entry = json!({"feed": {"entry": [{"im:rating": {"label": "3"}, "id": {"label": "1"}, "author": v}]}});
        let _ = parse_feed(in_entry.to_string().as_bytes(), &target(), "jp", REQ);
    }

    #[test]
    fn extra_fields_change_nothing(key in "[a-z:]{1,10}", extra in any_json(), n in 1usize..5) {
        let entries: Vec<Value> = (0..n).map(|i| {
            let mut e = entry(&format!("{}", 100 + i), "4", Some("2024-01-01T00:00:00Z"));
            if !e.as_object().unwrap().contains_key(&key) {
                e[&key] = extra.clone();
            }
            e
        }).collect();
        let p = parse_feed(feed(Some(Value::Array(entries))).to_string().as_bytes(), &target(), "jp", REQ).unwrap();
        prop_assert_eq!(p.records.len(), n);
    }

    #[test]
    fn detect_never_panics(path in "[a-zA-Z0-9/=._-]{0,60}", host in prop::sample::select(vec!["apps.apple.com", "itunes.apple.com", "example.com"])) {
        if let Ok(url) = url::Url::parse(&format!("https://{host}/{path}")) {
            if let Some(t) = detect(&url) {
                prop_assert!(t.id.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
