//! The URL form of an OpenWeb export: `openweb://<spot-id>?since=…&until=…`.

use engine::Target;
use url::Url;

use super::range::{api_time, parse_bound};

/// Claims `openweb://<spot-id>[?since=<when>][&until=<when>]`.
///
/// The spot id (`sp_…`, letters, digits, `_` and `-`) names the export and
/// its output files; which spot is exported is decided by the export token.
/// `since`/`until` take `2024-05-01` (an `until` date includes that day),
/// `2024-05-01T12:00:00` (UTC) or RFC 3339; when absent the job's
/// `--since`/`--until` apply. They are kept, normalized, in the target's
/// parameters, and the id carries them so that two ranges of one spot are
/// two jobs. A URL with an unreadable date is not claimed (the registry then
/// reports it as invalid).
///
/// ```
/// use adapters::openweb::url::detect;
/// let t = detect(&"openweb://sp_AbC123?since=2024-05-01&until=2024-05-02".parse().unwrap()).unwrap();
/// assert_eq!(t.id, "sp_AbC123_20240501T000000-20240503T000000");
/// assert_eq!(t.params["since"], "2024-05-01T00:00:00");
/// assert_eq!(t.params["until"], "2024-05-03T00:00:00");
/// assert_eq!(t.url, "openweb://sp_AbC123?since=2024-05-01T00:00:00&until=2024-05-03T00:00:00");
/// assert!(detect(&"openweb://sp_x?since=someday".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !url.scheme().eq_ignore_ascii_case("openweb") {
        return None;
    }
    let spot = url.host_str()?;
    if !is_spot(spot) || !matches!(url.path(), "" | "/") {
        return None;
    }
    let mut since = None;
    let mut until = None;
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "since" | "from" => since = Some(api_time(parse_bound(&v, false)?)),
            "until" | "to" => until = Some(api_time(parse_bound(&v, true)?)),
            _ => {}
        }
    }
    let compact = |s: &str| s.replace(['-', ':'], "");
    let mut id = spot.to_string();
    let mut query = Vec::new();
    if let Some(s) = &since {
        id.push('_');
        id.push_str(&compact(s));
        query.push(format!("since={s}"));
    }
    if let Some(u) = &until {
        id.push(if since.is_some() { '-' } else { '_' });
        id.push_str(&compact(u));
        query.push(format!("until={u}"));
    }
    let canonical = if query.is_empty() {
        format!("openweb://{spot}")
    } else {
        format!("openweb://{spot}?{}", query.join("&"))
    };
    let mut target = Target::new("openweb", id, canonical);
    target.params.insert("spot".into(), spot.to_string());
    if let Some(s) = since {
        target.params.insert("since".into(), s);
    }
    if let Some(u) = until {
        target.params.insert("until".into(), u);
    }
    Some(target)
}

/// A spot id: 1–64 letters, digits, `_` or `-`.
fn is_spot(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
