//! Which URLs are Bilibili videos: `www.`/`m.`/bare `bilibili.com/video/<BV…|av…>`
//! and `b23.tv/<code>` short links.

use engine::Target;
use url::Url;

use super::bvid::{av_to_bv, normalize_bv};

/// Target parameter holding a short link to resolve in `fetch` (detection
/// cannot do network I/O).
pub const SHORT_LINK_PARAM: &str = "short_link";

/// The canonical URL of video `bvid`.
///
/// ```
/// assert_eq!(adapters::bilibili::url::canonical_url("BV1xx411c7mD"), "https://www.bilibili.com/video/BV1xx411c7mD/");
/// ```
pub fn canonical_url(bvid: &str) -> String {
    format!("https://www.bilibili.com/video/{bvid}/")
}

/// Claims a Bilibili video URL, over http or https, with any query or fragment:
///
/// * `[www.|m.]bilibili.com/video/BV…` and `…/video/av<digits>` (the av id is
///   converted to its BV id, so both spellings give the same target);
/// * `b23.tv/<code>`: a short link; the target id is the code and the link is
///   kept in the [`SHORT_LINK_PARAM`] parameter, resolved when fetching (a
///   `b23.tv/BV…` link is taken directly).
///
/// ```
/// use adapters::bilibili::url::detect;
/// let t = detect(&"https://m.bilibili.com/video/av170001?p=2".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("BV17x411w7KC", "https://www.bilibili.com/video/BV17x411w7KC/"));
/// let s = detect(&"https://b23.tv/xYz12Ab".parse().unwrap()).unwrap();
/// assert_eq!(s.params["short_link"], "https://b23.tv/xYz12Ab");
/// assert!(detect(&"https://space.bilibili.com/2".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match host.as_str() {
        "bilibili.com" | "www.bilibili.com" | "m.bilibili.com" => match segments.as_slice() {
            [section, id] if section.eq_ignore_ascii_case("video") => video_target(id),
            _ => None,
        },
        "b23.tv" => match segments.as_slice() {
            [code] => short_target(code),
            _ => None,
        },
        _ => None,
    }
}

/// A target for a `/video/<id>` path segment (BV or av id), `None` otherwise.
fn video_target(id: &str) -> Option<Target> {
    let bvid = if let Some(digits) = id
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("av"))
        .and_then(|_| id.get(2..))
    {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        av_to_bv(digits.parse().ok()?)?
    } else {
        normalize_bv(id)?
    };
    let url = canonical_url(&bvid);
    Some(Target::new("bilibili", bvid, url))
}

/// A target for a `b23.tv/<code>` short link.
fn short_target(code: &str) -> Option<Target> {
    if let Some(direct) = video_target(code) {
        return Some(direct);
    }
    let valid = !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return None;
    }
    let short = format!("https://b23.tv/{code}");
    let mut target = Target::new("bilibili", format!("b23-{code}"), short.clone());
    target.params.insert(SHORT_LINK_PARAM.to_string(), short);
    Some(target)
}
