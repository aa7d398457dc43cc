//! What a response says about the session that got it: fine, rate limited,
//! or blocked (a captcha page, a login wall, an HTML 403).

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION};

/// How a response reflects on the session (proxy + cookies) that fetched it.
///
/// ```
/// use engine::session::{classify, Signal};
/// let h = reqwest::header::HeaderMap::new();
/// assert_eq!(classify(200, &h, b"{}"), Signal::Good);
/// assert_eq!(classify(429, &h, b""), Signal::RateLimited);
/// assert_eq!(classify(403, &h, b"<html>Access denied</html>"), Signal::Blocked("HTTP 403 page"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The session works.
    Good,
    /// Says nothing about the session (a 404, a 5xx, an API-level refusal).
    Neutral,
    /// HTTP 429: the session's error score rises; repeated, it is retired.
    RateLimited,
    /// The platform blocks this session: it is retired at once.
    Blocked(&'static str),
}

/// Markers of captcha and bot-challenge pages (lowercase), searched in the
/// first bytes of HTML bodies.
const CAPTCHA_MARKERS: &[&str] = &[
    "g-recaptcha",
    "recaptcha/api.js",
    "h-captcha",
    "hcaptcha.com",
    "challenges.cloudflare.com",
    "cf-chl-",
    "captcha-delivery.com",
    "px-captcha",
    "arkoselabs.com",
    "funcaptcha",
];

/// Paths of login walls a platform redirects blocked visitors to.
const LOGIN_PATHS: &[&str] = &[
    "/login",
    "/accounts/login",
    "/i/flow/login",
    "/checkpoint",
    "/challenge",
];

/// How much of an HTML body is searched for captcha markers.
const SNIFF: usize = 64 * 1024;

/// Classifies a response. A 403 with a JSON body is an API-level answer
/// (private content, expired cookies) and says nothing about the proxy; a
/// 403 page, a captcha or challenge page (any status), or a redirect to a
/// login page is a block.
pub fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> Signal {
    if headers
        .get("cf-mitigated")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
    {
        return Signal::Blocked("bot challenge");
    }
    if looks_html(headers, body) && has_captcha(body) {
        return Signal::Blocked("captcha page");
    }
    match status {
        200..=299 => Signal::Good,
        301 | 302 | 303 | 307 | 308 => {
            let to_login = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|loc| location_path(loc).to_ascii_lowercase())
                .is_some_and(|path| LOGIN_PATHS.iter().any(|p| under(&path, p)));
            if to_login {
                Signal::Blocked("login wall")
            } else {
                Signal::Good
            }
        }
        403 if !looks_json(headers, body) => Signal::Blocked("HTTP 403 page"),
        // The proxy itself refused us: the session cannot be used.
        407 => Signal::Blocked("proxy refused the credentials"),
        429 => Signal::RateLimited,
        _ => Signal::Neutral,
    }
}

/// Whether `path` is `prefix` or below it (`/login`, `/login/x`, not `/loginhelp`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn location_path(loc: &str) -> &str {
    let no_query = loc.split(['?', '#']).next().unwrap_or("");
    match no_query.find("://") {
        Some(i) => {
            let rest = &no_query[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("/")
        }
        None => no_query,
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn looks_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let ct = content_type(headers);
    if ct.contains("html") {
        return true;
    }
    if !ct.is_empty() {
        return false;
    }
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    body[start..].first() == Some(&b'<')
}

fn looks_json(headers: &HeaderMap, body: &[u8]) -> bool {
    if content_type(headers).contains("json") {
        return true;
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'{') | Some(b'['))
}

fn has_captcha(body: &[u8]) -> bool {
    let head = &body[..body.len().min(SNIFF)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    CAPTCHA_MARKERS.iter().any(|m| text.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn captcha_pages_are_blocks_whatever_the_status() {
        let page = b"<html><div class=\"g-recaptcha\" data-sitekey=\"x\"></div></html>";
        let h = headers(&[("content-type", "text/html; charset=utf-8")]);
        assert_eq!(classify(200, &h, page), Signal::Blocked("captcha page"));
        assert_eq!(classify(403, &h, page), Signal::Blocked("captcha page"));
        // The same words inside JSON data are not a page.
        let j = headers(&[("content-type", "application/json")]);
        assert_eq!(
            classify(200, &j, b"{\"text\":\"g-recaptcha\"}"),
            Signal::Good
        );
    }

    #[test]
    fn login_walls_and_json_refusals() {
        let wall = headers(&[(
            "location",
            "https://www.instagram.com/accounts/login/?next=/p/x/",
        )]);
        assert_eq!(classify(302, &wall, b""), Signal::Blocked("login wall"));
        let other = headers(&[("location", "/p/x/")]);
        assert_eq!(classify(302, &other, b""), Signal::Good);
        let not_login = headers(&[("location", "/loginhelp")]);
        assert_eq!(classify(302, &not_login, b""), Signal::Good);
        let json = headers(&[("content-type", "application/json")]);
        assert_eq!(classify(403, &json, b"{\"errors\":[]}"), Signal::Neutral);
        assert_eq!(classify(404, &HeaderMap::new(), b""), Signal::Neutral);
        let cf = headers(&[("cf-mitigated", "challenge")]);
        assert_eq!(classify(403, &cf, b""), Signal::Blocked("bot challenge"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(status in 100u16..600, body in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
                        loc in "\\PC{0,40}") {
            let mut h = HeaderMap::new();
            if let Ok(v) = loc.parse() { h.insert(LOCATION, v); }
            let _ = classify(status, &h, &body);
        }
    }
}
