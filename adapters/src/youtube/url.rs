//! Which URLs are YouTube videos: `watch?v=`, `youtu.be/`, `shorts/`,
//! `embed/`, `live/`, `v/`, on the `www.`, `m.` and `music.` hosts.

use engine::Target;
use url::Url;

/// The canonical URL of video `id`.
///
/// ```
/// assert_eq!(adapters::youtube::url::canonical_url("dQw4w9WgXcQ"), "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
/// ```
pub fn canonical_url(id: &str) -> String {
    format!("https://www.youtube.com/watch?v={id}")
}

/// True for an 11-character video id (`A–Z a–z 0–9 - _`).
///
/// ```
/// use adapters::youtube::url::is_video_id;
/// assert!(is_video_id("dQw4w9WgXcQ"));
/// assert!(!is_video_id("dQw4w9WgXc"));
/// assert!(!is_video_id("dQw4w9WgXc!"));
/// ```
pub fn is_video_id(s: &str) -> bool {
    s.len() == 11
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Claims a YouTube video URL; the target id is the 11-character video id
/// and its URL is [`canonical_url`]. Channels, playlists without `v=`,
/// search pages and other hosts give `None`.
///
/// ```
/// use adapters::youtube::url::detect;
/// for u in ["https://youtu.be/dQw4w9WgXcQ?t=42", "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
///           "https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RD"] {
///     assert_eq!(detect(&u.parse().unwrap()).unwrap().id, "dQw4w9WgXcQ", "{u}");
/// }
/// assert!(detect(&"https://www.youtube.com/@somechannel".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
    let id = match host.as_str() {
        "youtu.be" | "www.youtu.be" => segments.next()?.to_string(),
        "youtube.com"
        | "www.youtube.com"
        | "m.youtube.com"
        | "music.youtube.com"
        | "youtube-nocookie.com"
        | "www.youtube-nocookie.com" => {
            let first = segments.next()?;
            match first {
                "watch" => url
                    .query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.into_owned())?,
                "shorts" | "embed" | "live" | "v" | "e" => segments.next()?.to_string(),
                _ => return None,
            }
        }
        _ => return None,
    };
    if !is_video_id(&id) {
        return None;
    }
    Some(Target::new("youtube", id.clone(), canonical_url(&id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let id = "AbC-_123xyZ";
        for u in [
            format!("https://www.youtube.com/watch?v={id}"),
            format!("http://youtube.com/watch?v={id}&t=10s&list=PL1"),
            format!("https://www.youtube.com/watch?feature=youtu.be&v={id}"),
            format!("https://youtu.be/{id}"),
            format!("https://youtu.be/{id}?si=abc"),
            format!("https://www.youtube.com/shorts/{id}"),
            format!("https://www.youtube.com/embed/{id}?start=3"),
            format!("https://www.youtube.com/live/{id}?feature=share"),
            format!("https://m.youtube.com/watch?v={id}"),
            format!("https://music.youtube.com/watch?v={id}"),
            format!("https://www.youtube-nocookie.com/embed/{id}"),
        ] {
            let t = detect(&u.parse().unwrap()).unwrap_or_else(|| panic!("{u}"));
            assert_eq!(t.id, id, "{u}");
            assert_eq!(t.url, canonical_url(id));
            assert_eq!(t.key(), format!("youtube_{id}"));
        }
        for u in [
            "https://www.youtube.com/@chan",
            "https://www.youtube.com/playlist?list=PL1",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch",
            "https://example.com/watch?v=AbC-_123xyZ",
            "ftp://youtu.be/AbC-_123xyZ",
            "https://youtu.be/",
        ] {
            assert!(detect(&u.parse().unwrap()).is_none(), "{u}");
        }
    }
}
