//! Property tests: the envelope and payload parsers and URL detection never
//! panic, whatever the input, and valid payloads survive extra positions.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{item, target, LISTED, REQ};
use crate::googleplay::envelope::rpc_answer;
use crate::googleplay::parse::parse_payload;
use crate::googleplay::request::Rpc;
use crate::googleplay::url::detect;

const JSON_KEYS: &[&str] = &["wrb.fr", "oCPfdb", "generic", "di", "af.httprm"];
const JSON_WORDS: &[&str] = &[
    "wrb.fr",
    "oCPfdb",
    "generic",
    "gp:AOqpTO",
    "1.2.3",
    "CsYBCo8B",
];

fn any_json() -> impl Strategy<Value = Value> {
    crate::json_strategy::json_like(JSON_KEYS, JSON_WORDS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn envelope_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256), v in any_json()) {
        let _ = rpc_answer(&bytes, "oCPfdb", REQ);
        let mut prefixed = b")]}'\n\n".to_vec();
        prefixed.extend_from_slice(&bytes);
        let _ = rpc_answer(&prefixed, "oCPfdb", REQ);
        let framed = format!(")]}}'\n\n[[\"wrb.fr\",\"oCPfdb\",{},null,null,{v},\"generic\"]]", json!(v.to_string()));
        let _ = rpc_answer(framed.as_bytes(), "oCPfdb", REQ);
    }

    #[test]
    fn payload_never_panics(v in any_json(), i in 0usize..12) {
        for rpc in [Rpc::Current, Rpc::Legacy] {
            let _ = parse_payload(&v.to_string(), rpc, &target(), REQ, LISTED);
            let mut it = item("x", json!(3), json!(["d", "r", [1, 2]]));
            it[i] = v.clone();
            let _ = parse_payload(&json!([[it], v]).to_string(), rpc, &target(), REQ, LISTED);
        }
    }

    #[test]
    fn extra_positions_change_nothing(extra in any_json(), n in 1usize..5) {
        let items: Vec<Value> = (0..n).map(|k| {
            let mut it = item(&format!("r{k}"), json!(1 + k % 5), Value::Null);
            it.as_array_mut().unwrap().push(extra.clone());
            it
        }).collect();
        let body = json!([items, [null, "T"], extra]).to_string();
        let p = parse_payload(&body, Rpc::Current, &target(), REQ, LISTED).unwrap();
        prop_assert_eq!((p.reviews, p.token.as_deref()), (n, Some("T")));
    }

    #[test]
    fn set_cookie_and_page_ids_never_panic(lines in proptest::collection::vec("\\PC{0,60}", 0..6), html in "\\PC{0,120}") {
        let mut jar = crate::googleplay::cookies::CookieJar::default();
        jar.absorb(lines.iter().map(String::as_str));
        if let Some(h) = jar.header() {
            prop_assert!(!h.contains(['\r', '\n']));
        }
        let framed = format!("{html}\"FdrFJe\":\"{html}\"cfb2h\":\"{html}");
        let _ = crate::googleplay::request::page_ids(&html);
        let _ = crate::googleplay::request::page_ids(&framed);
    }

    #[test]
    fn detect_never_panics(q in "[a-zA-Z0-9=&._%-]{0,60}") {
        if let Ok(url) = url::Url::parse(&format!("https://play.google.com/store/apps/details?{q}")) {
            if let Some(t) = detect(&url) {
                prop_assert!(crate::googleplay::url::is_package(&t.id));
            }
        }
    }
}
