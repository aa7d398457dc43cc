//! Finding the `<script id="__NEXT_DATA__" type="application/json">` element
//! of a Next.js page and returning its text.
//!
//! A Trustpilot page is several hundred kilobytes of HTML; building a DOM of
//! all of it would cost more than the rest of the parse. So the page is
//! scanned for `<script` tags that mention `__NEXT_DATA__`, and only such a
//! tag (up to its `</script>`) is parsed as HTML with `scraper`, which then
//! decides by its real attributes (any quoting, order or case). When no
//! candidate is found cheaply, the whole page is parsed as the fallback.

use scraper::{Html, Selector};

/// The text of the page's `script#__NEXT_DATA__` element, if it has one.
///
/// ```
/// use adapters::trustpilot::next_data::next_data;
/// let html = r#"<html><head><script src="a.js"></script>
///   <script type="application/json" id=__NEXT_DATA__>{"props":{}}</script></head></html>"#;
/// assert_eq!(next_data(html).as_deref(), Some(r#"{"props":{}}"#));
/// assert_eq!(next_data("<html><body>Log in</body></html>"), None);
/// ```
pub fn next_data(html: &str) -> Option<String> {
    const ID: &str = "__NEXT_DATA__";
    let bytes = html.as_bytes();
    let mut from = 0;
    // `id` values are case-sensitive, so an exact search finds every candidate.
    while let Some(pos) = html[from..].find(ID) {
        let at = from + pos;
        from = at + ID.len();
        // The `<script` start tag this mention is in, if it is in one: start
        // tags are short, so only a little text before the mention is searched.
        let window = at.saturating_sub(MAX_TAG);
        let Some(open) = rfind_ci(&bytes[window..at], b"<script").map(|p| window + p) else {
            continue;
        };
        if bytes[open..at].contains(&b'>') {
            continue; // the mention is in some element's content, not a tag
        }
        // Where the element ends (scraper finds the real end, whatever the
        // case of `</script`; this only bounds what it is given).
        let end = html[at..].find("</script").map_or(html.len(), |p| at + p);
        let tag_end = html[end..].find('>').map_or(html.len(), |p| end + p + 1);
        if let Some(text) = select(&html[open..tag_end]) {
            return Some(text);
        }
    }
    // Markup the scan did not understand: let the HTML parser read all of it.
    select(html)
}

/// Longest start tag looked back over from an `__NEXT_DATA__` mention.
const MAX_TAG: usize = 2048;

/// The text of `script#__NEXT_DATA__` in `html`, parsed with `scraper`.
fn select(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("script#__NEXT_DATA__").ok()?;
    let element = doc.select(&selector).next()?;
    Some(element.text().collect())
}

/// Position of the last `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).rev().find(|&i| {
        hay[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

#[cfg(test)]
mod tests {
    use super::next_data;

    #[test]
    fn finds_the_element_whatever_the_attribute_form() {
        for tag in [
            r#"<script id="__NEXT_DATA__" type="application/json">"#,
            r#"<SCRIPT TYPE='application/json' ID='__NEXT_DATA__'>"#,
            r#"<script type="application/json" crossorigin id=__NEXT_DATA__ nonce="x">"#,
        ] {
            let html =
                format!("<html><head>{tag}{{\"a\":\"</b>\"}}</script></head><body>x</body></html>");
            assert_eq!(
                next_data(&html).as_deref(),
                Some(r#"{"a":"</b>"}"#),
                "{tag}"
            );
        }
    }

    #[test]
    fn ignores_mentions_outside_a_script_tag_and_other_ids() {
        let html = r#"<p>__NEXT_DATA__</p><script id="__NEXT_DATA__x">1</script>
            <script>var s = "__NEXT_DATA__";</script>"#;
        assert_eq!(next_data(html), None);
        let html = r#"<p>__NEXT_DATA__</p><script id="__NEXT_DATA__">{"ok":1}</script>"#;
        assert_eq!(next_data(html).as_deref(), Some(r#"{"ok":1}"#));
    }

    #[test]
    fn unterminated_script_still_gives_its_text() {
        let html = r#"<script id="__NEXT_DATA__">{"cut":"#;
        assert_eq!(next_data(html).as_deref(), Some(r#"{"cut":"#));
    }
}
