//! Which URLs are Trustpilot business pages: `trustpilot.com/review/<domain>`
//! on the main host or a country host (`uk.`, `de.`…), with the star and
//! language filters of the URL kept.

use engine::Target;
use url::Url;

/// Claims a Trustpilot business review page:
///
/// * `https://www.trustpilot.com/review/<domain>` (also without `www.`),
/// * country hosts such as `uk.trustpilot.com` or `de.trustpilot.com` (kept:
///   requests go to the host given),
/// * with any query: `stars=1&stars=5` (or `stars=1,5`) and `languages=<code>`
///   become target parameters (filters of the listing); `page`, `sort` and
///   the rest are ignored.
///
/// The target id is the business domain, lowercase (`example.com`,
/// `www.example.com` as Trustpilot names it); its URL is the listing on the
/// given host. Single reviews (`/reviews/<id>`), user pages and categories
/// give `None`.
///
/// ```
/// use adapters::trustpilot::url::detect;
/// let t = detect(&"https://uk.trustpilot.com/review/www.Example.co.uk?stars=1&stars=2&page=3".parse().unwrap()).unwrap();
/// assert_eq!(t.id, "www.example.co.uk");
/// assert_eq!(t.url, "https://uk.trustpilot.com/review/www.example.co.uk");
/// assert_eq!(t.params.get("stars").map(String::as_str), Some("1,2"));
/// assert!(detect(&"https://www.trustpilot.com/reviews/64f0c0ffee".parse().unwrap()).is_none());
/// ```
pub fn detect(url: &Url) -> Option<Target> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = host_of(url)?;
    let mut segments = url.path_segments()?;
    if !segments.next()?.eq_ignore_ascii_case("review") {
        return None;
    }
    let domain = segments.next()?.to_ascii_lowercase();
    if !is_domain(&domain) || segments.any(|s| !s.is_empty()) {
        return None;
    }
    let mut target = Target::new(
        "trustpilot",
        domain.clone(),
        format!("https://{host}/review/{domain}"),
    );
    let stars = stars_of(url);
    if !stars.is_empty() {
        let list: Vec<String> = stars.iter().map(u8::to_string).collect();
        target.params.insert("stars".into(), list.join(","));
    }
    if let Some((_, lang)) = url.query_pairs().find(|(k, _)| k == "languages") {
        let lang = lang.trim().to_ascii_lowercase();
        if is_language(&lang) {
            target.params.insert("languages".into(), lang);
        }
    }
    Some(target)
}

/// The Trustpilot host of `url` in canonical form (`trustpilot.com` becomes
/// `www.trustpilot.com`; country hosts are kept), or `None` for other hosts.
fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    if host == "trustpilot.com" || host == "www.trustpilot.com" {
        return Some("www.trustpilot.com".into());
    }
    let sub = host.strip_suffix(".trustpilot.com")?;
    // Country hosts are two letters (`uk`, `de`, `fr`…); `business.`, `support.`
    // and other subdomains are not review listings.
    (sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_lowercase())).then_some(host)
}

/// A business domain as Trustpilot names it: labels of letters, digits and
/// hyphens separated by dots, at least two labels.
fn is_domain(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A language filter value: `all` or a code such as `en`, `pt-BR`.
pub(crate) fn is_language(s: &str) -> bool {
    !s.is_empty() && s.len() <= 8 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Star filters of the URL: every `stars` value (repeated or comma-separated)
/// from 1 to 5, sorted, without repeats.
fn stars_of(url: &Url) -> Vec<u8> {
    let mut stars: Vec<u8> = url
        .query_pairs()
        .filter(|(k, _)| k == "stars")
        .flat_map(|(_, v)| parse_stars(&v))
        .collect();
    stars.sort_unstable();
    stars.dedup();
    stars
}

/// Star values of a `stars` parameter (`5`, `1,2`, `1-3`, as `--param stars=…`
/// takes them for every review platform); anything but 1–5 is skipped.
///
/// ```
/// use adapters::trustpilot::url::parse_stars;
/// assert_eq!(parse_stars("5, 1,x,9,1"), vec![5, 1, 1]);
/// assert_eq!(parse_stars("1-3,5"), vec![1, 2, 3, 5]);
/// assert_eq!(parse_stars("4-9"), vec![4, 5]);
/// ```
pub fn parse_stars(s: &str) -> Vec<u8> {
    let star = |p: &str| p.trim().parse::<u8>().ok();
    s.split(',')
        .flat_map(|p| match p.split_once('-') {
            Some((a, b)) => match (star(a), star(b)) {
                (Some(a), Some(b)) if a <= b => (a..=b).collect(),
                _ => Vec::new(),
            },
            None => star(p).into_iter().collect(),
        })
        .filter(|n| (1..=5).contains(n))
        .collect()
}
