//! X ships a new web client every few weeks and retires the GraphQL query ids
//! of the old one (`TweetDetail` then answers 404). The current id is in the
//! client's own bundle: `https://x.com/` links
//! `https://abs.twimg.com/responsive-web/client-web/main.<hash>.js`, which
//! holds `{queryId:"…",operationName:"TweetDetail",…}`.

use engine::{Error, HttpClient};

use super::PLATFORM;

/// X's home page, which links the web client's bundle.
pub const HOME_URL: &str = "https://x.com/";

/// The operation whose id is looked for.
const OPERATION: &str = "TweetDetail";

/// The URL of the web client's main bundle named in the home page's HTML.
///
/// ```
/// let html = r#"<link rel="preload" href="https://abs.twimg.com/responsive-web/client-web/main.3f2a9c1e.js" as="script">"#;
/// assert_eq!(
///     adapters::twitter::discover::main_script(html).as_deref(),
///     Some("https://abs.twimg.com/responsive-web/client-web/main.3f2a9c1e.js")
/// );
/// assert_eq!(adapters::twitter::discover::main_script("<html></html>"), None);
/// ```
pub fn main_script(html: &str) -> Option<String> {
    const HOST: &str = "https://abs.twimg.com/responsive-web/client-web";
    let mut rest = html;
    while let Some(i) = rest.find(HOST) {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| c == '"' || c == '\'' || c.is_whitespace() || c == '>')
            .unwrap_or(tail.len());
        let url = &tail[..end];
        let file = url.rsplit('/').next().unwrap_or("");
        if file.starts_with("main.") && file.ends_with(".js") {
            return Some(url.to_string());
        }
        rest = &tail[HOST.len()..];
    }
    None
}

/// The `TweetDetail` query id in a bundle's text.
///
/// ```
/// let js = r#"e.exports={queryId:"aB3-x_9",operationName:"TweetDetail",operationType:"query"}"#;
/// assert_eq!(adapters::twitter::discover::query_id(js).as_deref(), Some("aB3-x_9"));
/// let other = r#"{queryId:"zz",operationName:"TweetDetailOther"}"#;
/// assert_eq!(adapters::twitter::discover::query_id(other), None);
/// ```
pub fn query_id(js: &str) -> Option<String> {
    const KEY: &str = "queryId:\"";
    let mut rest = js;
    while let Some(i) = rest.find(KEY) {
        let tail = &rest[i + KEY.len()..];
        let end = tail.find('"')?;
        let id = &tail[..end];
        let after = &tail[end + 1..];
        let valid = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid
            && after
                .strip_prefix(",operationName:\"")
                .and_then(|a| a.strip_prefix(OPERATION))
                .is_some_and(|a| a.starts_with('"'))
        {
            return Some(id.to_string());
        }
        rest = tail;
    }
    None
}

fn unreadable(url: &str, detail: String) -> Error {
    Error::Parse {
        platform: PLATFORM.into(),
        url: engine::redact_url(url),
        message: format!(
            "X does not know the TweetDetail query id and its current one could not be read \
             from X's web client ({detail}); pass it with --param {}=…",
            super::api::PARAM_QUERY_ID
        ),
        excerpt: String::new(),
    }
}

/// Reads the current `TweetDetail` query id from X's web client.
pub async fn current_query_id(http: &HttpClient) -> Result<String, Error> {
    let home = http.get(HOME_URL).await?;
    let html = String::from_utf8_lossy(&home.body);
    let script = main_script(&html).ok_or_else(|| {
        unreadable(
            HOME_URL,
            "the home page links no main.<hash>.js bundle".into(),
        )
    })?;
    let bundle = http.get(&script).await?;
    query_id(&String::from_utf8_lossy(&bundle.body))
        .ok_or_else(|| unreadable(&script, format!("{OPERATION} is not in the bundle")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_the_id_among_many_operations() {
        let js = r#"a={queryId:"q1",operationName:"TweetResultByRestId"},b={queryId:"Ab_9-z",operationName:"TweetDetail",operationType:"query",metadata:{featureSwitches:[]}}"#;
        assert_eq!(query_id(js).as_deref(), Some("Ab_9-z"));
        assert_eq!(
            query_id(r#"{queryId:"bad id!",operationName:"TweetDetail"}"#),
            None
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = query_id(&s);
            let _ = main_script(&s);
        }
    }
}
