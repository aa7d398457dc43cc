//! Finding the `<script id="__NEXT_DATA__" type="application/json">` element
//! of a Next.js page and returning its text.
//!
//! A Trustpilot page is several hundred kilobytes of HTML; building a DOM of
//! all of it, or even tokenizing the data script's 50–150 KB of JSON, would
//! cost more than the rest of the parse. So the page is scanned for the
//! `__NEXT_DATA__` mention inside a `<script` start tag; only that start tag
//! is parsed as HTML with `scraper`, which decides by its real attributes (any
//! quoting, order or case) whether it is `script#__NEXT_DATA__`; the text is
//! then the script's raw text up to its end tag, exactly as the HTML rules
//! for script content define it (no entity decoding). When no candidate is
//! found cheaply, the whole page is parsed as the fallback.

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
        // The start tag ends at the first `>` after the mention (attribute
        // values of a start tag this short hold no `>` in practice; scraper
        // rejects a cut tag anyway).
        let Some(gt) = html[at..].find('>').map(|p| at + p + 1) else {
            break;
        };
        if !is_next_data_tag(&html[open..gt]) {
            continue;
        }
        let end = script_end(&html[gt..]).map_or(html.len(), |p| gt + p);
        return Some(html[gt..end].to_string());
    }
    // Markup the scan did not understand: let the HTML parser read all of it.
    select(html)
}

/// Longest start tag looked back over from an `__NEXT_DATA__` mention.
const MAX_TAG: usize = 2048;

/// True when `tag` (a start tag) is `<script id="__NEXT_DATA__" …>`, as an
/// HTML parser reads it.
fn is_next_data_tag(tag: &str) -> bool {
    let doc = Html::parse_fragment(&format!("{tag}</script>"));
    Selector::parse("script#__NEXT_DATA__")
        .ok()
        .is_some_and(|s| doc.select(&s).next().is_some())
}

/// Where script raw text ends: the first `</script` (any case) followed by
/// white space, `/` or `>` (or the end of the input).
fn script_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(p) = text[from..].find("</") {
        let at = from + p;
        let name = bytes.get(at + 2..at + 8)?;
        if name.eq_ignore_ascii_case(b"script")
            && bytes
                .get(at + 8)
                .is_none_or(|b| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
        {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

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
