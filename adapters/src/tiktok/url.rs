//! Which URLs are TikTok videos: `tiktok.com/@<user>/video/<id>` (and
//! `/photo/<id>`), `m.tiktok.com/v/<id>.html`, `/embed/v2/<id>`, and the
//! `vm.`/`vt.` short links (followed when fetching: detection does no I/O).

use engine::Target;
use url::Url;

use super::PLATFORM;

/// Target parameter holding a short link to follow.
pub const PARAM_SHORT: &str = "short";

/// A video id: 1 to 20 digits.
fn video_id(s: &str) -> Option<&str> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// The canonical URL of a video.
///
/// ```
/// assert_eq!(adapters::tiktok::url::canonical_url(Some("ann"), "72"), "https://www.tiktok.com/@ann/video/72");
/// assert_eq!(adapters::tiktok::url::canonical_url(None, "72"), "https://www.tiktok.com/video/72");
/// ```
pub fn canonical_url(user: Option<&str>, id: &str) -> String {
    match user {
        Some(u) => format!("https://www.tiktok.com/@{u}/video/{id}"),
        None => format!("https://www.tiktok.com/video/{id}"),
    }
}

/// Claims a video URL or a short link.
///
/// ```
/// use adapters::tiktok::url::detect;
/// let t = detect(&"https://www.tiktok.com/@ann.b/video/7300000000000000001?lang=en".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.url.as_str()), ("7300000000000000001", "https://www.tiktok.com/@ann.b/video/7300000000000000001"));
/// let s = detect(&"https://vm.tiktok.com/ZMabc123/".parse().unwrap()).unwrap();
/// assert_eq!(s.id, "s-ZMabc123");
/// assert!(detect(&"https://www.tiktok.com/@ann.b".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    let host = url.host_str()?.to_ascii_lowercase();
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    if matches!(host.as_str(), "vm.tiktok.com" | "vt.tiktok.com") {
        let [code] = segs.as_slice() else { return None };
        let ok = (4..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return None;
        }
        let mut t = Target::new(
            PLATFORM,
            format!("s-{code}"),
            format!("https://{host}/{code}/"),
        );
        t.params
            .insert(PARAM_SHORT.into(), format!("https://{host}/{code}/"));
        return Some(t);
    }
    if !matches!(
        host.as_str(),
        "tiktok.com" | "www.tiktok.com" | "m.tiktok.com"
    ) {
        return None;
    }
    let (user, id) = match segs.as_slice() {
        [u, "video" | "photo", id, ..] if u.starts_with('@') && u.len() > 1 => (Some(&u[1..]), *id),
        ["v", file] => (None, file.strip_suffix(".html").unwrap_or(file)),
        ["embed", "v2", id] | ["embed", id] => (None, *id),
        _ => return None,
    };
    let id = video_id(id)?;
    let user = user.filter(|u| {
        u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    });
    Some(Target::new(PLATFORM, id, canonical_url(user, id)))
}
