//! Hacker News HTML → plain text: entities decoded (`html-escape`), `<p>`
//! → blank line, links → their full URL (HN shows a shortened link text),
//! `<pre><code>` blocks kept verbatim, every other tag dropped.

/// Converts an HN `text` field to plain text.
///
/// ```
/// use adapters::hackernews::html::to_text;
/// assert_eq!(to_text("It&#x27;s <i>fine</i>.<p>See <a href=\"https:&#x2F;&#x2F;x.org&#x2F;a?b=1&amp;c=2\" rel=\"nofollow\">https:&#x2F;&#x2F;x.org&#x2F;a?b=1...</a>"),
///            "It's fine.\n\nSee https://x.org/a?b=1&c=2");
/// assert_eq!(to_text("<pre><code>  if a &lt; b {\n    x()\n  }\n</code></pre>"), "  if a < b {\n    x()\n  }");
/// ```
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Inside <a>: the link text is replaced by the href (when there is one).
    let mut in_link_with_href = false;
    while let Some(lt) = rest.find('<') {
        if !in_link_with_href {
            push_text(&mut out, &rest[..lt]);
        }
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            // A lone `<` is text (HN escapes it, but be tolerant).
            if !in_link_with_href {
                push_text(&mut out, &rest[lt..]);
            }
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("p", false) => paragraph(&mut out),
            ("br", _) => out.push('\n'),
            ("pre", false) => paragraph(&mut out),
            // A code block ends its paragraph (HN often omits the next `<p>`).
            ("pre", true) => paragraph(&mut out),
            ("a", false) => {
                if let Some(href) = attribute(tag, "href") {
                    out.push_str(&html_escape::decode_html_entities(href));
                    in_link_with_href = true;
                }
            }
            ("a", true) => in_link_with_href = false,
            _ => {}
        }
    }
    if !in_link_with_href {
        push_text(&mut out, rest);
    }
    // Leading spaces may be a code block's indentation: only newlines are trimmed there.
    out.trim_start_matches('\n').trim_end().to_string()
}

fn push_text(out: &mut String, raw: &str) {
    if !raw.is_empty() {
        out.push_str(&html_escape::decode_html_entities(raw));
    }
}

/// Ends the current paragraph with one blank line (none at the very start).
fn paragraph(out: &mut String) {
    if out.is_empty() {
        return;
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out.push_str("\n\n");
}

/// The value of `name="…"` (or `'…'`) inside a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let start = from + pos;
        from = start + name.len();
        let before_ok = start == 0 || lower.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let rest = rest.trim_start();
        let quote = rest.chars().next()?;
        if quote == '"' || quote == '\'' {
            let body = &rest[1..];
            return Some(&body[..body.find(quote).unwrap_or(body.len())]);
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        return Some(&rest[..end]);
    }
    None
}
