//! Property tests: no input from the network or the user makes the parsers
//! or URL detection panic, and detected targets are always well-formed.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::super::bvid::{av_to_bv, bv_to_av};
use super::super::envelope;
use super::super::parse::{legacy_page, main_page, reply, reply_page, Source};
use super::super::url::detect;
use super::target;

/// Arbitrary JSON, biased towards the field names the parsers read.
fn arb_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

/// Field names of the wire format, to bias generated JSON towards it.
const JSON_KEYS: &[&str] = &[
    "rpid",
    "rpid_str",
    "root",
    "parent",
    "member",
    "mid",
    "uname",
    "content",
    "message",
    "ctime",
    "like",
    "replies",
    "top_replies",
    "cursor",
    "page",
    "count",
    "code",
    "data",
    "upper",
    "top",
    "pagination_reply",
    "next_offset",
    "is_end",
];
/// Values the platform really sends.
const JSON_WORDS: &[&str] = &["0", "{\"offset\":\"\"}"];

proptest! {
    #[test]
    fn parsers_never_panic(v in arb_json()) {
        let t = target();
        let src = Source { target: &t, bvid: "BV1xx411c7mD", url: "u" };
        let _ = reply(&v, &src);
        let _ = main_page(&v, &src);
        let _ = legacy_page(&v, &src);
        let _ = reply_page(&v, &src);
        let wrapped = json!({"code": 0, "data": v}).to_string();
        let _ = envelope::read(wrapped.as_bytes(), "u");
    }

    #[test]
    fn envelope_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = envelope::read(&body, "u");
    }

    #[test]
    fn detection_never_panics_and_targets_are_bv_ids(
        host in prop_oneof![Just("www.bilibili.com".to_string()), Just("m.bilibili.com".to_string()), Just("b23.tv".to_string()), Just("bilibili.com".to_string()), "[a-z.]{1,12}"],
        path in "(/[A-Za-z0-9%._~-]{0,14}){0,3}",
    ) {
        if let Ok(url) = format!("https://{host}{path}").parse() {
            if let Some(t) = detect(&url) {
                prop_assert_eq!(t.platform.as_str(), "bilibili");
                if t.params.is_empty() {
                    prop_assert!(bv_to_av(&t.id).is_some(), "{}", t.id);
                    prop_assert_eq!(t.url, format!("https://www.bilibili.com/video/{}/", t.id));
                } else {
                    prop_assert!(t.id.starts_with("b23-"));
                }
            }
        }
    }

    #[test]
    fn av_bv_round_trip(aid in 1u64..(1u64 << 51)) {
        let bv = av_to_bv(aid).unwrap();
        prop_assert_eq!(bv_to_av(&bv), Some(aid));
        let url = format!("https://www.bilibili.com/video/av{aid}").parse().unwrap();
        prop_assert_eq!(detect(&url).map(|t| t.id), Some(bv));
    }

    #[test]
    fn bv_decoding_never_panics(s in ".{0,16}") {
        let _ = bv_to_av(&s);
    }
}

proptest! {
    /// Whatever the parent links (chains, forward references, cycles,
    /// missing parents, duplicates), every reply comes out once, after its
    /// parent when that parent is in the thread, with a consistent depth.
    #[test]
    fn thread_linking_invariants(links in prop::collection::vec((0u64..30, 0u64..32), 0..40)) {
        use engine::{Comment, Kind};
        let root = Comment::new("bilibili", Kind::Comment, "1000", "BV", "u");
        let replies: Vec<Comment> = links
            .iter()
            .map(|(id, parent)| {
                let mut c = Comment::new("bilibili", Kind::Reply, (id + 1).to_string(), "BV", "u");
                // Parent 0 means the root; ids above 30 are never listed.
                let parent = if *parent == 0 { 1000 } else { *parent };
                c.parent_id = Some(parent.to_string());
                c
            })
            .collect();
        let unique: std::collections::HashSet<&str> = replies.iter().map(|c| c.id.as_str()).collect();
        let linked = super::super::thread::link(&root, replies.clone());
        prop_assert_eq!(linked.len(), unique.len());
        let mut depth = std::collections::HashMap::from([("1000".to_string(), 0u32)]);
        for c in &linked {
            prop_assert_eq!(c.root_id.as_str(), "1000");
            let parent = c.parent_id.clone().unwrap();
            match depth.get(&parent) {
                Some(d) if !c.extra.contains_key("parent_unresolved") => prop_assert_eq!(c.depth, d + 1),
                _ => {
                    prop_assert!(c.extra.contains_key("parent_unresolved"));
                    prop_assert_eq!(c.depth, 1);
                }
            }
            prop_assert!(depth.insert(c.id.clone(), c.depth).is_none(), "{} twice", c.id);
        }
    }
}
