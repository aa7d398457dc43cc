//! Property tests: the page parser and URL detection never panic, whatever
//! the input, and valid pages survive unknown extra fields.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{html_of, page, review, target, REQ};
use crate::trustpilot::next_data::next_data;
use crate::trustpilot::parse::parse_page;
use crate::trustpilot::url::detect;

/// Field names of the wire format, to bias generated JSON towards it.
const KEYS: &[&str] = &[
    "props",
    "pageProps",
    "reviews",
    "filters",
    "pagination",
    "currentPage",
    "totalPages",
    "totalCount",
    "reviewStatistics",
    "reviewLanguages",
    "isoCode",
    "reviewCount",
    "id",
    "rating",
    "title",
    "text",
    "language",
    "likes",
    "dates",
    "publishedDate",
    "updatedDate",
    "experiencedDate",
    "consumer",
    "displayName",
    "countryCode",
    "numberOfReviews",
    "reply",
    "message",
    "labels",
    "verification",
    "businessUnit",
    "__N_REDIRECT",
];
/// Values the site really sends.
const WORDS: &[&str] = &[
    "2024-03-01T09:30:00.000Z",
    "en",
    "all",
    "GB",
    "/users/connect",
    "5",
];

/// Any JSON, wrapped as a page's `__NEXT_DATA__` at various depths.
fn any_page() -> impl Strategy<Value = String> {
    let json = crate::json_strategy::json_like(KEYS, WORDS);
    (json, 0..4u8).prop_map(|(v, depth)| {
        let wrapped = match depth {
            0 => v,
            1 => json!({"props": v}),
            2 => json!({"props": {"pageProps": v}}),
            _ => json!({"props": {"pageProps": {"reviews": [v], "filters": {"pagination": v}}}}),
        };
        html_of(&wrapped)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics_on_any_json(html in any_page()) {
        let _ = parse_page(&html, &target(), REQ);
    }

    #[test]
    fn parser_never_panics_on_any_text(text in "\\PC{0,400}") {
        let _ = parse_page(&text, &target(), REQ);
        let _ = next_data(&text);
    }

    #[test]
    fn next_data_survives_markup_fragments(parts in prop::collection::vec(prop_oneof![
        Just("<script".to_string()), Just(" id=\"__NEXT_DATA__\"".to_string()), Just(">".to_string()),
        Just("</script>".to_string()), Just("__NEXT_DATA__".to_string()), Just("<p>".to_string()),
        "\\PC{0,8}",
    ], 0..24)) {
        let _ = next_data(&parts.concat());
    }

    #[test]
    fn valid_pages_survive_unknown_fields(extra in crate::json_strategy::json_like(KEYS, WORDS), key in "[a-z]{1,8}") {
        let mut p = page(vec![review("a1", json!(4)), review("b2", json!(1))]);
        p["props"]["pageProps"]["reviews"][0][format!("x_{key}")] = extra.clone();
        p["props"]["pageProps"][format!("x_{key}")] = extra;
        let parsed = parse_page(&html_of(&p), &target(), REQ).unwrap();
        prop_assert_eq!(parsed.reviews, 2);
    }

    #[test]
    fn detect_never_panics(path in "\\PC{0,40}", host in prop_oneof![
        Just("www.trustpilot.com"), Just("uk.trustpilot.com"), Just("trustpilot.com"), Just("x.example")]) {
        if let Ok(url) = format!("https://{host}/review/{path}").parse::<url::Url>() {
            if let Some(t) = detect(&url) {
                prop_assert!(t.url.starts_with("https://"));
                prop_assert!(!t.id.is_empty());
            }
        }
    }
}

#[test]
fn a_value_not_an_object_is_no_panic() {
    for v in [Value::Null, json!(1), json!("s"), json!([])] {
        let _ = parse_page(&html_of(&v), &target(), REQ);
    }
}
