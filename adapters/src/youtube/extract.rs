//! Embedded JSON in the watch page: `ytcfg.set({...})`, `ytInitialData` and
//! `ytInitialPlayerResponse`, read with a JSON stream deserializer that takes
//! exactly one value after the marker (so escapes such as `\u003d`, braces
//! inside strings and trailing script code are all handled correctly).

use serde_json::Value;

/// The first JSON object that starts after any of `markers` in `html`
/// (skipping spaces, `=` and `(`), parsed as one value. Markers are tried
/// in order and every occurrence of each is tried, so a marker that appears
/// in script code before the real assignment does not hide it.
///
/// ```
/// use adapters::youtube::extract::json_after;
/// let html = r#"<script>var ytInitialData = {"a":"}\u003d","b":[1]};var x = 1;</script>"#;
/// let v = json_after(html, &["var ytInitialData"]).unwrap();
/// assert_eq!(v["a"], "}=");
/// assert!(json_after("no json here", &["ytInitialData"]).is_none());
/// ```
pub fn json_after(html: &str, markers: &[&str]) -> Option<Value> {
    for marker in markers {
        let mut from = 0;
        while let Some(pos) = html[from..].find(marker) {
            let start = from + pos + marker.len();
            if let Some(v) = object_at(&html[start..]) {
                return Some(v);
            }
            from = start;
        }
    }
    None
}

/// One JSON object at the start of `s` (after `=`, `(`, `:` and whitespace).
fn object_at(s: &str) -> Option<Value> {
    let trimmed = s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '=' | '(' | ':'));
    if !trimmed.starts_with('{') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
    match stream.next() {
        Some(Ok(v @ Value::Object(_))) => Some(v),
        _ => None,
    }
}

/// Every `ytcfg.set({...})` object of the page merged into one (the page
/// calls it several times with different keys).
///
/// ```
/// let html = r#"ytcfg.set({"A":1}); ytcfg.set({"INNERTUBE_API_KEY":"k"});"#;
/// let cfg = adapters::youtube::extract::ytcfg(html);
/// assert_eq!(cfg["INNERTUBE_API_KEY"], "k");
/// assert_eq!(cfg["A"], 1);
/// ```
pub fn ytcfg(html: &str) -> Value {
    let mut merged = serde_json::Map::new();
    let marker = "ytcfg.set(";
    let mut from = 0;
    while let Some(pos) = html[from..].find(marker) {
        let start = from + pos + marker.len();
        if let Some(Value::Object(map)) = object_at(&html[start..]) {
            merged.extend(map);
        }
        from = start;
    }
    Value::Object(merged)
}

/// `ytInitialData` of a watch page.
pub fn initial_data(html: &str) -> Option<Value> {
    json_after(
        html,
        &[
            "var ytInitialData",
            "window[\"ytInitialData\"]",
            "window['ytInitialData']",
            "ytInitialData",
        ],
    )
}

/// `ytInitialPlayerResponse` of a watch page (its `playabilityStatus` says
/// whether the video can be seen).
pub fn initial_player_response(html: &str) -> Option<Value> {
    json_after(
        html,
        &[
            "var ytInitialPlayerResponse",
            "window[\"ytInitialPlayerResponse\"]",
            "ytInitialPlayerResponse",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn skips_false_markers() {
        let html = r#"if (ytInitialData) {}; var ytInitialData = {"ok":true};"#;
        assert_eq!(initial_data(html).unwrap()["ok"], true);
        let html = r#"window["ytInitialData"] = {"x":"a\"b{"};</script>"#;
        assert_eq!(initial_data(html).unwrap()["x"], "a\"b{");
        assert!(initial_data(r#"var ytInitialData = {"unterminated": "#).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = ytcfg(&s);
            let _ = initial_data(&s);
            let _ = initial_player_response(&format!("var ytInitialPlayerResponse = {s}"));
        }
    }
}
