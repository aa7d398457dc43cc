//! Which URLs are X/Twitter posts: `x.com/<user>/status/<id>` and the same on
//! `twitter.com`, with `www.` or `mobile.`, plus `/i/web/status/<id>` and the
//! old `/statuses/` form. Mirrors such as fxtwitter are not claimed.

use engine::Target;
use url::Url;

use super::PLATFORM;

/// Target parameter holding the author's handle from the URL (for the permalink).
pub const PARAM_USER: &str = "user";

/// A post id: 1 to 20 digits.
///
/// ```
/// use adapters::twitter::url::parse_id;
/// assert_eq!(parse_id("1649191520250245121"), Some("1649191520250245121"));
/// assert_eq!(parse_id("12a"), None);
/// assert_eq!(parse_id(""), None);
/// ```
pub fn parse_id(s: &str) -> Option<&str> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

fn is_x_host(host: &str) -> bool {
    matches!(
        host,
        "x.com"
            | "www.x.com"
            | "mobile.x.com"
            | "twitter.com"
            | "www.twitter.com"
            | "mobile.twitter.com"
            | "m.twitter.com"
    )
}

/// The canonical URL of post `id` by `user` (`i` when unknown).
///
/// ```
/// assert_eq!(adapters::twitter::url::canonical_url("jack", "20"), "https://x.com/jack/status/20");
/// ```
pub fn canonical_url(user: &str, id: &str) -> String {
    format!("https://x.com/{user}/status/{id}")
}

/// Claims a post URL.
///
/// ```
/// use adapters::twitter::url::detect;
/// let t = detect(&"https://mobile.twitter.com/XDevelopers/status/1649191520250245121/photo/1?s=20".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("1649191520250245121", "https://x.com/XDevelopers/status/1649191520250245121"));
/// assert!(detect(&"https://x.com/i/web/status/20".parse().unwrap()).is_some());
/// assert!(detect(&"https://x.com/jack".parse().unwrap()).is_none());
/// assert!(detect(&"https://fxtwitter.com/jack/status/20".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    let host = url.host_str()?.to_ascii_lowercase();
    if !is_x_host(&host) {
        return None;
    }
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let (user, id) = match segs.as_slice() {
        ["i", "web", "status", id, ..] | ["i", "status", id, ..] => ("i", *id),
        [user, "status" | "statuses", id, ..] => (*user, *id),
        _ => return None,
    };
    let id = parse_id(id)?;
    let user_ok = !user.is_empty()
        && user.len() <= 50
        && user.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !user_ok {
        return None;
    }
    let mut t = Target::new(PLATFORM, id, canonical_url(user, id));
    if user != "i" {
        t.params.insert(PARAM_USER.to_string(), user.to_string());
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_forms() {
        for u in [
            "https://x.com/a/status/1",
            "https://twitter.com/a_b/status/123/",
            "https://www.twitter.com/a/statuses/123",
            "https://x.com/a/status/123/analytics",
            "http://mobile.x.com/a/status/123?ref_src=twsrc",
        ] {
            assert!(detect(&u.parse().unwrap()).is_some(), "{u}");
        }
        for u in [
            "https://x.com/home",
            "https://x.com/a/status/notanid",
            "https://x.com/a/status/123456789012345678901",
            "https://vxtwitter.com/a/status/1",
            "https://example.com/a/status/1",
            "https://x.com/a-b/status/1",
        ] {
            assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
        }
    }
}
