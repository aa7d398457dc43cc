//! Which URLs are Google Play apps: `play.google.com/store/apps/details?id=<package>`.

use engine::Target;
use url::Url;

/// The canonical URL of `package`.
///
/// ```
/// assert_eq!(adapters::googleplay::url::canonical_url("com.example.app"),
///            "https://play.google.com/store/apps/details?id=com.example.app");
/// ```
pub fn canonical_url(package: &str) -> String {
    format!("https://play.google.com/store/apps/details?id={package}")
}

/// Claims `play.google.com/store/apps/details?id=<package>` (http or https,
/// with or without a trailing slash). The target id is the package name; the `hl`
/// (language) and `gl` (country) parameters of the URL, when present, go to
/// `params`. Other Play pages (developer, search, books) are `None`.
///
/// ```
/// use adapters::googleplay::url::detect;
/// let t = detect(&"https://play.google.com/store/apps/details?id=com.whatsapp&hl=de&gl=AT".parse().unwrap()).unwrap();
/// assert_eq!((t.id.as_str(), t.params["hl"].as_str(), t.params["gl"].as_str()), ("com.whatsapp", "de", "AT"));
/// assert!(detect(&"https://play.google.com/store/apps/developer?id=Google+LLC".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if !url.host_str()?.eq_ignore_ascii_case("play.google.com") {
        return None;
    }
    let path = url.path().trim_end_matches('/');
    if !path.eq_ignore_ascii_case("/store/apps/details") {
        return None;
    }
    let mut package = None;
    let mut params = std::collections::BTreeMap::new();
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "id" if package.is_none() => package = Some(v.into_owned()),
            "hl" | "gl" if is_locale_part(&v) => {
                params.insert(k.into_owned(), v.into_owned());
            }
            _ => {}
        }
    }
    let package = package.filter(|p| is_package(p))?;
    let mut target = Target::new("googleplay", package.clone(), canonical_url(&package));
    target.params = params;
    Some(target)
}

/// A Java package name as Google Play uses it: dot-separated segments of
/// letters, digits and `_`, each starting with a letter, at least two.
///
/// ```
/// use adapters::googleplay::url::is_package;
/// assert!(is_package("com.example.app_2"));
/// assert!(!is_package("example") && !is_package("com..x") && !is_package("1com.x"));
/// ```
pub fn is_package(s: &str) -> bool {
    s.len() <= 255
        && s.split('.').count() >= 2
        && s.split('.').all(|seg| {
            seg.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// `en`, `pt-BR`, `pt_BR`, `US`: letters, digits, `-` and `_`, short.
fn is_locale_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 16
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
