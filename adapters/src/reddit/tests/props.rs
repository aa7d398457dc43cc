//! Property tests: parsers, tree building and URL detection never panic,
//! and a random valid tree is rebuilt exactly.

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::reddit::parse::{parse_morechildren, parse_thread};
use crate::reddit::tree::Tree;
use crate::reddit::url::detect;

fn any_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

/// Field names of the wire format, to bias generated JSON towards it.
const JSON_KEYS: &[&str] = &[
    "kind",
    "data",
    "id",
    "name",
    "parent_id",
    "link_id",
    "children",
    "replies",
    "json",
    "things",
    "errors",
    "body",
    "author",
    "score",
    "created_utc",
    "edited",
    "count",
    "depth",
];
/// Values the platform really sends.
const JSON_WORDS: &[&str] = &["t1", "more", "t3", "t1_a", "t3_a", "_", "Listing", ""];

fn target() -> engine::Target {
    detect(&"https://redd.it/p1".parse().unwrap()).unwrap()
}

proptest! {
    #[test]
    fn parsers_and_tree_never_panic(v in any_json(), raw in prop::collection::vec(any::<u8>(), 0..64)) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let wrapped = serde_json::to_vec(&json!([v.clone(), v.clone()])).unwrap();
        let mc = serde_json::to_vec(&json!({"json":{"errors":[],"data":{"things":[v.clone()]}}})).unwrap();
        for b in [&bytes, &wrapped, &mc, &raw] {
            if let Ok(t) = parse_thread(b, "u") {
                Tree::new(target(), "p1".into(), None).build(t.things, None);
            }
            if let Ok(things) = parse_morechildren(b, "u") {
                Tree::new(target(), "p1".into(), Some("a".into())).build(things, None);
            }
        }
    }

    /// A random forest sent flat in shuffled order is rebuilt exactly.
    #[test]
    fn shuffled_flat_forest_is_rebuilt(parents in prop::collection::vec(any::<prop::sample::Index>(), 1..60),
                                       top in prop::collection::vec(any::<bool>(), 60),
                                       seed in any::<u64>()) {
        // Node i's parent is some j < i (or the post).
        let n = parents.len();
        let parent: Vec<Option<usize>> = (0..n).map(|i| {
            if i == 0 || top[i] { None } else { Some(parents[i].index(i)) }
        }).collect();
        let mut depth = vec![0u32; n];
        let mut root = vec![0usize; n];
        for i in 0..n {
            match parent[i] { None => root[i] = i, Some(j) => { depth[i] = depth[j] + 1; root[i] = root[j]; } }
        }
        let mut order: Vec<usize> = (0..n).collect();
        let mut s = seed;
        for i in (1..n).rev() { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); order.swap(i, (s >> 33) as usize % (i + 1)); }
        let things: Vec<Value> = order.iter().map(|&i| json!({"kind":"t1","data":{"id":format!("c{i}"),
            "parent_id": parent[i].map_or("t3_p1".to_string(), |j| format!("t1_c{j}")), "body":"x","replies":""}})).collect();
        let body = serde_json::to_vec(&json!({"json":{"errors":[],"data":{"things":things}}})).unwrap();
        let built = Tree::new(target(), "p1".into(), None).build(parse_morechildren(&body, "u").unwrap(), None);
        prop_assert_eq!(built.records.len(), n);
        let mut seen = std::collections::HashSet::new();
        for r in &built.records {
            let i: usize = r.id[1..].parse().unwrap();
            prop_assert_eq!(r.depth, depth[i]);
            prop_assert_eq!(r.root_id.clone(), format!("c{}", root[i]));
            prop_assert_eq!(r.parent_id.clone(), parent[i].map(|j| format!("c{j}")));
            if let Some(p) = &r.parent_id { prop_assert!(seen.contains(p), "parent before child"); }
            seen.insert(r.id.clone());
        }
    }

    #[test]
    fn url_detection_never_panics(host in prop_oneof![Just("reddit.com"), Just("old.reddit.com"), Just("redd.it"), Just("x.org")],
                                  segs in prop::collection::vec("[A-Za-z0-9_%.-]{0,8}", 0..7),
                                  q in "[a-z=&]{0,12}") {
        let s = format!("https://{host}/{}?{q}", segs.join("/"));
        if let Ok(u) = s.parse() {
            if let Some(t) = detect(&u) {
                prop_assert_eq!(t.platform.as_str(), "reddit");
                prop_assert!(!t.id.is_empty());
            }
        }
    }
}
