//! Property tests: the parser and URL detection never panic, whatever the
//! input, and valid pages survive unknown extra fields.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{page, review, target, REQ};
use crate::steam::parse::parse_page;
use crate::steam::url::{detect, parse_appid};

/// A JSON value of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

/// Field names of the wire format, to bias generated JSON towards it.
const JSON_KEYS: &[&str] = &[
    "success",
    "query_summary",
    "total_reviews",
    "reviews",
    "cursor",
    "recommendationid",
    "author",
    "steamid",
    "language",
    "review",
    "timestamp_created",
    "timestamp_updated",
    "voted_up",
    "votes_up",
    "votes_funny",
    "weighted_vote_score",
    "comment_count",
    "developer_response",
    "timestamp_dev_responded",
];
/// Values the platform really sends.
const JSON_WORDS: &[&str] = &["*", "AoJ4+/==", "english", "schinese", "0.5"];

/// Applies `f` to the `n`-th node of `v` (pre-order, modulo the node count).
fn mutate_nth(v: &mut Value, n: usize, f: &mut dyn FnMut(&mut Value)) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, n: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
        if *n == 0 {
            f(v);
            return true;
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().any(|c| walk(c, n, f)),
            Value::Object(o) => o.values_mut().any(|c| walk(c, n, f)),
            _ => false,
        }
    }
    let mut n = n % count(v);
    walk(v, &mut n, f);
}

/// A realistic valid page: reviews with and without developer responses.
fn valid_page() -> Value {
    let mut with_dev = review(json!("2"), "=HYPERLINK(\"x\")");
    with_dev["developer_response"] = json!("Thanks!");
    with_dev["timestamp_dev_responded"] = json!(1_700_200_000);
    page(vec![
        review(json!("1"), "ok 👍"),
        with_dev,
        review(json!(3), ""),
    ])
}

/// One structural mutation of a JSON page.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, Value),
    RemoveKey(usize, usize),
    Truncate(usize),
    FlipByte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any_json()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(n, k)| Mutation::RemoveKey(n, k)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
    ]
}

fn apply(mutations: &[Mutation]) -> Vec<u8> {
    let mut v = valid_page();
    let mut bytes_ops = Vec::new();
    for m in mutations {
        match m {
            Mutation::Replace(n, new) => mutate_nth(&mut v, *n, &mut |node| *node = new.clone()),
            Mutation::RemoveKey(n, k) => mutate_nth(&mut v, *n, &mut |node| {
                if let Value::Object(o) = node {
                    if let Some(key) = o.keys().nth(k % o.len().max(1)).cloned() {
                        o.remove(&key);
                    }
                }
            }),
            other => bytes_ops.push(other.clone()),
        }
    }
    let mut bytes = v.to_string().into_bytes();
    for op in bytes_ops {
        match op {
            Mutation::Truncate(at) => bytes.truncate(at % (bytes.len() + 1)),
            Mutation::FlipByte(at, b) if !bytes.is_empty() => {
                let i = at % bytes.len();
                bytes[i] ^= b;
            }
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_page_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_page(&body, &target(), REQ, true);
    }

    #[test]
    fn parse_page_never_panics_on_mutated_pages(mutations in prop::collection::vec(mutation(), 1..4)) {
        let body = apply(&mutations);
        match parse_page(&body, &target(), REQ, true) {
            Ok(p) => {
                prop_assert!(p.records.len() >= p.num_reviews);
                for r in &p.records {
                    prop_assert!(r.depth <= 1);
                    prop_assert_eq!(r.source_id.as_str(), "440");
                }
            }
            Err(e) => prop_assert!(matches!(e.kind(), "parse" | "not_found"), "{e}"),
        }
    }

    #[test]
    fn valid_pages_with_any_extra_fields_parse(extra in any_json(), n in any::<usize>()) {
        let mut v = valid_page();
        mutate_nth(&mut v, n, &mut |node| {
            if let Value::Object(o) = node {
                o.insert("zz_unknown_field".into(), extra.clone());
            }
        });
        let p = parse_page(v.to_string().as_bytes(), &target(), REQ, true).unwrap();
        prop_assert_eq!(p.num_reviews, 3);
        prop_assert_eq!(p.records.len(), 4);
    }

    #[test]
    fn detect_never_panics(s in ".{0,80}", path in "[a-zA-Z0-9/%._~-]{0,40}") {
        if let Ok(u) = url::Url::parse(&s) {
            let _ = detect(&u);
        }
        for host in ["store.steampowered.com", "steamcommunity.com", "www.steamcommunity.com"] {
            if let Ok(u) = url::Url::parse(&format!("https://{host}/{path}")) {
                if let Some(t) = detect(&u) {
                    prop_assert!(parse_appid(&t.id).is_some());
                    prop_assert_eq!(t.url, format!("https://store.steampowered.com/app/{}/", t.id));
                }
            }
        }
    }

    #[test]
    fn store_app_urls_round_trip(id in 1..=u32::MAX, www in any::<bool>(), tail in "(/[A-Za-z0-9_]{0,10}){0,2}/?") {
        let host = if www { "www.store.steampowered.com" } else { "store.steampowered.com" };
        let u: url::Url = format!("https://{host}/app/{id}{tail}").parse().unwrap();
        let t = detect(&u).unwrap();
        prop_assert_eq!(t.id, id.to_string());
        let canonical: url::Url = t.url.parse().unwrap();
        prop_assert_eq!(detect(&canonical).map(|t| t.url), Some(t.url.clone()));
    }
}
