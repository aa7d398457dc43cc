//! Which URLs are Hacker News items: `news.ycombinator.com/item?id=N`.

use engine::Target;
use url::Url;

/// The canonical URL of item `id`.
///
/// ```
/// assert_eq!(adapters::hackernews::url::item_url(8863), "https://news.ycombinator.com/item?id=8863");
/// ```
pub fn item_url(id: u64) -> String {
    format!("https://news.ycombinator.com/item?id={id}")
}

/// Claims `news.ycombinator.com/item?id=N` (http or https, any other query
/// parameter or fragment); the target id is `N` (digits, above 0, fitting a `u64`).
///
/// ```
/// use adapters::hackernews::url::detect;
/// let t = detect(&"https://news.ycombinator.com/item?id=8863&p=2".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("8863", "https://news.ycombinator.com/item?id=8863"));
/// assert!(detect(&"https://news.ycombinator.com/news".parse().unwrap()).is_none());
/// assert!(detect(&"https://news.ycombinator.com/item?id=abc".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if host != "news.ycombinator.com" {
        return None;
    }
    if url.path().trim_end_matches('/') != "/item" {
        return None;
    }
    let raw = url.query_pairs().find(|(k, _)| k == "id")?.1;
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: u64 = raw.parse().ok().filter(|&n| n > 0)?;
    Some(Target::new("hackernews", id.to_string(), item_url(id)))
}
