//! Which URLs are Steam apps: store pages, community review pages and the
//! `appreviews` API itself.

use engine::Target;
use url::Url;

/// The canonical URL of app `appid`: its store page.
///
/// ```
/// assert_eq!(adapters::steam::url::canonical_url(440), "https://store.steampowered.com/app/440/");
/// ```
pub fn canonical_url(appid: u32) -> String {
    format!("https://store.steampowered.com/app/{appid}/")
}

/// Claims a Steam app URL, with or without `www.`, over http or https, with
/// any query or fragment:
///
/// * `store.steampowered.com/app/<id>[/<slug>/…]`
/// * `store.steampowered.com/appreviews/<id>`
/// * `steamcommunity.com/app/<id>[/reviews/…]`
///
/// The target id is the app id (digits only, fitting a `u32`, above 0) and
/// its URL is [`canonical_url`]. Everything else (profiles, workshop, news…)
/// gives `None`.
///
/// ```
/// use adapters::steam::url::detect;
/// let url = "https://steamcommunity.com/app/440/reviews/?browsefilter=toprated".parse().unwrap();
/// let target = detect(&url).unwrap();
/// assert_eq!((target.id.as_str(), target.url.as_str()), ("440", "https://store.steampowered.com/app/440/"));
/// assert!(detect(&"https://steamcommunity.com/id/someone".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let mut segments = url.path_segments()?;
    let section = segments.next()?;
    let id = segments.next()?;
    let rest: Vec<&str> = segments.filter(|s| !s.is_empty()).collect();
    let claimed = match host {
        "store.steampowered.com" => {
            section.eq_ignore_ascii_case("app")
                || (section.eq_ignore_ascii_case("appreviews") && rest.is_empty())
        }
        "steamcommunity.com" => {
            section.eq_ignore_ascii_case("app")
                && rest
                    .first()
                    .is_none_or(|s| s.eq_ignore_ascii_case("reviews"))
        }
        _ => false,
    };
    if !claimed {
        return None;
    }
    let appid = parse_appid(id)?;
    Some(Target::new(
        "steam",
        appid.to_string(),
        canonical_url(appid),
    ))
}

/// An app id: ASCII digits only, fitting a `u32`, above 0.
///
/// ```
/// use adapters::steam::url::parse_appid;
/// assert_eq!(parse_appid("440"), Some(440));
/// assert_eq!(parse_appid("0"), None);
/// assert_eq!(parse_appid("+440"), None);
/// assert_eq!(parse_appid("4294967296"), None);
/// ```
pub fn parse_appid(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|&id| id > 0)
}
