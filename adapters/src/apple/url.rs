//! Which URLs are App Store apps: `apps.apple.com` store pages, the older
//! `itunes.apple.com` links, and the customer-reviews feed itself.

use engine::Target;
use url::Url;

/// The canonical URL of app `id` in storefront `cc`: its App Store page.
///
/// ```
/// assert_eq!(adapters::apple::url::canonical_url("jp", "1404176564"),
///            "https://apps.apple.com/jp/app/id1404176564");
/// ```
pub fn canonical_url(cc: &str, id: &str) -> String {
    format!("https://apps.apple.com/{cc}/app/id{id}")
}

/// Claims an App Store app URL over http or https:
///
/// * `apps.apple.com/<cc>/app/<slug>/id<N>`, `apps.apple.com/app/id<N>`
/// * `itunes.apple.com/<cc>/app/<slug>/id<N>?mt=8`, `itunes.apple.com/app/id<N>`
/// * `itunes.apple.com/<cc>/rss/customerreviews/…/id=<N>/…` (the feed)
///
/// The target id is the app id `N` (digits); the storefront `<cc>` of the
/// URL, when it has one, goes to `params["country"]` and into the canonical
/// URL (`us` otherwise). Anything else (developer pages, other media) is
/// `None`.
///
/// ```
/// use adapters::apple::url::detect;
/// let t = detect(&"https://apps.apple.com/jp/app/reality/id1404176564?l=en".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.params["country"].as_str()), ("1404176564", "jp"));
/// assert_eq!(t.url, "https://apps.apple.com/jp/app/id1404176564");
/// assert!(detect(&"https://apps.apple.com/us/developer/x/id284882218".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if !matches!(host.as_str(), "apps.apple.com" | "itunes.apple.com") {
        return None;
    }
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let (cc, rest) = match segments.split_first() {
        Some((first, rest)) if is_country(first) => (Some(first.to_ascii_lowercase()), rest),
        _ => (None, segments.as_slice()),
    };
    let id = match rest.first().map(|s| s.to_ascii_lowercase()) {
        Some(s) if s == "app" => rest.get(1..)?.iter().rev().find_map(|s| app_id(s))?,
        Some(s) if s == "rss" && host == "itunes.apple.com" => {
            if !rest.get(1)?.eq_ignore_ascii_case("customerreviews") {
                return None;
            }
            rest[2..]
                .iter()
                .find_map(|s| s.strip_prefix("id=").and_then(digits))?
        }
        _ => return None,
    };
    let mut target = Target::new(
        "apple",
        id.clone(),
        canonical_url(cc.as_deref().unwrap_or("us"), &id),
    );
    if let Some(cc) = cc {
        target.params.insert("country".into(), cc);
    }
    Some(target)
}

/// A two-letter storefront code.
fn is_country(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic())
}

/// `id<digits>` (any case) → the digits.
fn app_id(segment: &str) -> Option<String> {
    let rest = segment
        .strip_prefix("id")
        .or_else(|| segment.strip_prefix("ID"))?;
    digits(rest)
}

/// A non-empty run of ASCII digits, at most 20 long, not all zeros.
fn digits(s: &str) -> Option<String> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.trim_start_matches('0'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
