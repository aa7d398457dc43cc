//! Which URLs are Instagram posts: `instagram.com/p/<shortcode>/`,
//! `/reel/<shortcode>/`, `/reels/`, `/tv/`, also after a user name
//! (`/<user>/p/<shortcode>/`); and the shortcode's media id.

use engine::Target;
use url::Url;

use super::PLATFORM;

/// The alphabet of shortcodes: a media id written in base 64.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The media id a shortcode encodes (its first 11 characters; longer codes
/// of private posts carry a suffix after them). `None` for a character
/// outside the alphabet or an id past 64 bits.
///
/// ```
/// use adapters::instagram::url::media_id;
/// assert_eq!(media_id("B"), Some(1));
/// assert_eq!(media_id("BA"), Some(64));
/// assert_eq!(media_id("CSTg-0FH89e"), Some(2_635_595_260_958_330_718));
/// assert_eq!(media_id("bad!"), None);
/// ```
pub fn media_id(shortcode: &str) -> Option<u64> {
    let mut id: u128 = 0;
    for b in shortcode.bytes().take(11) {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u128;
        id = id * 64 + digit;
    }
    u64::try_from(id).ok().filter(|&n| n > 0)
}

/// The canonical URL of a post (`kind` is `p` or `reel`).
///
/// ```
/// assert_eq!(adapters::instagram::url::canonical_url("reel", "Cx1"), "https://www.instagram.com/reel/Cx1/");
/// ```
pub fn canonical_url(kind: &str, shortcode: &str) -> String {
    format!("https://www.instagram.com/{kind}/{shortcode}/")
}

/// Claims a post or reel URL; the target id is the shortcode.
///
/// ```
/// use adapters::instagram::url::detect;
/// let t = detect(&"https://instagram.com/natgeo/p/CSTg-0FH89e/?igsh=x".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("CSTg-0FH89e", "https://www.instagram.com/p/CSTg-0FH89e/"));
/// assert_eq!(detect(&"https://www.instagram.com/reels/Cx1abc/".parse().unwrap()).unwrap().url,
///     "https://www.instagram.com/reel/Cx1abc/");
/// assert!(detect(&"https://www.instagram.com/natgeo/".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    let host = url.host_str()?.to_ascii_lowercase();
    if !matches!(
        host.as_str(),
        "instagram.com" | "www.instagram.com" | "m.instagram.com"
    ) {
        return None;
    }
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let (kind, code) = match segs.as_slice() {
        [k @ ("p" | "reel" | "reels" | "tv"), code, ..] => (*k, *code),
        [_user, k @ ("p" | "reel" | "reels" | "tv"), code, ..] => (*k, *code),
        _ => return None,
    };
    let ok = (5..=60).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok || media_id(code).is_none() {
        return None;
    }
    let kind = if matches!(kind, "reel" | "reels") {
        "reel"
    } else {
        "p"
    };
    Some(Target::new(PLATFORM, code, canonical_url(kind, code)))
}
