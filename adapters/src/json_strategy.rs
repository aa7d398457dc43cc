//! The proptest strategy every adapter's parser tests share: arbitrary JSON
//! whose object keys are often the platform's real field names and whose
//! strings are often values the platform really sends, so generated inputs get
//! past a parser's first checks and reach its deeper paths.

use proptest::prelude::*;
use serde_json::Value;

/// Arbitrary JSON a few levels deep; `keys` and `words` bias keys and strings
/// towards a platform's wire format (both may be empty).
pub(crate) fn json_like(
    keys: &'static [&'static str],
    words: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    let words: Vec<&'static str> = if words.is_empty() {
        vec![""]
    } else {
        words.to_vec()
    };
    let keys: Vec<&'static str> = if keys.is_empty() {
        vec!["id"]
    } else {
        keys.to_vec()
    };
    let string = prop_oneof![
        "\\PC{0,12}",
        "[0-9]{1,25}",
        prop::sample::select(words).prop_map(String::from),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        string.prop_map(Value::from),
    ];
    let key = prop_oneof![
        3 => prop::sample::select(keys).prop_map(String::from),
        1 => "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}
