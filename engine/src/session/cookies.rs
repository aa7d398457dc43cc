//! Cookie jars: the user's cookies (from a Netscape `cookies.txt`, the config
//! file, or named fields such as `auth_token`) merged with those an adapter or
//! the platform adds, so that adding one never drops another.

use std::fmt;

/// Cookie names hosted exporters accept as separate fields (Instagram's
/// `sessionid`, X's `auth_token` + `ct0`, Facebook's `c_user` + `xs`).
///
/// ```
/// assert!(engine::session::NAMED_COOKIE_FIELDS.contains(&"ct0"));
/// ```
pub const NAMED_COOKIE_FIELDS: &[&str] = &["sessionid", "auth_token", "ct0", "c_user", "xs"];

/// Cookies by name, in the order they were first set. Values are secrets:
/// `Debug` shows names only.
///
/// ```
/// let mut jar = engine::session::CookieJar::parse_header("a=1; b=2");
/// jar.set("b", "3");
/// jar.set("c", "4");
/// assert_eq!(jar.header().as_deref(), Some("a=1; b=3; c=4"));
/// assert_eq!(jar.get("a"), Some("1"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.cookies.iter().map(|(n, _)| n))
            .finish()
    }
}

impl CookieJar {
    /// Parses a `Cookie` header value (`a=1; b=2`); pieces without `=` or
    /// with an invalid name are skipped.
    ///
    /// ```
    /// let jar = engine::session::CookieJar::parse_header(" a=1 ;junk; =x; b=\"q\"");
    /// assert_eq!(jar.header().as_deref(), Some("a=1; b=q"));
    /// ```
    pub fn parse_header(header: &str) -> CookieJar {
        let mut jar = CookieJar::default();
        for piece in header.split(';') {
            if let Some((name, value)) = piece.split_once('=') {
                jar.set(name.trim(), value.trim().trim_matches('"'));
            }
        }
        jar
    }

    /// Sets a cookie (replacing one of the same name). Invalid names or
    /// values (control characters, `;`, `,`) are ignored: they could not be sent.
    ///
    /// ```
    /// let mut jar = engine::session::CookieJar::default();
    /// jar.set("ok", "1");
    /// jar.set("bad", "a;b");
    /// assert_eq!(jar.len(), 1);
    /// ```
    pub fn set(&mut self, name: &str, value: &str) {
        if !valid_name(name) || !valid_value(value) {
            return;
        }
        match self.cookies.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.cookies.push((name.to_string(), value.to_string())),
        }
    }

    /// Removes a cookie.
    ///
    /// ```
    /// let mut jar = engine::session::CookieJar::parse_header("a=1; b=2");
    /// jar.remove("a");
    /// assert_eq!(jar.header().as_deref(), Some("b=2"));
    /// ```
    pub fn remove(&mut self, name: &str) {
        self.cookies.retain(|(n, _)| n != name);
    }

    /// The value of a cookie.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a cookie of that name is set.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Number of cookies.
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// True when no cookie is set.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.cookies.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Adds every cookie of `other`; on a name present in both, `other` wins.
    ///
    /// ```
    /// let mut jar = engine::session::CookieJar::parse_header("a=1; b=2");
    /// jar.merge(&engine::session::CookieJar::parse_header("b=9; c=3"));
    /// assert_eq!(jar.header().as_deref(), Some("a=1; b=9; c=3"));
    /// ```
    pub fn merge(&mut self, other: &CookieJar) {
        for (n, v) in other.iter() {
            self.set(n, v);
        }
    }

    /// Applies `Set-Cookie` header values: new cookies are added, known ones
    /// replaced, expired ones (`Max-Age<=0`, or `Expires` in the past) removed.
    /// Names in `pinned` are left alone (the user's own cookies stay as given).
    ///
    /// ```
    /// let mut jar = engine::session::CookieJar::parse_header("auth=mine");
    /// jar.absorb(["sid=s1; Path=/; HttpOnly", "auth=theirs", "gone=x; Max-Age=0"], &["auth"]);
    /// assert_eq!(jar.header().as_deref(), Some("auth=mine; sid=s1"));
    /// ```
    pub fn absorb<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>, pinned: &[&str]) {
        let now = chrono::Utc::now();
        for line in set_cookies {
            let Some((name, value, expired)) = parse_set_cookie(line, now) else {
                continue;
            };
            if pinned.contains(&name) {
                continue;
            }
            if expired {
                self.remove(name);
            } else {
                self.set(name, value);
            }
        }
    }

    /// The `Cookie` header to send, `None` when the jar is empty.
    pub fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        Some(parts.join("; "))
    }
}

/// Merges two `Cookie` header values: every cookie of `base` (the user's) is
/// kept, every cookie of `added` (an adapter's own, e.g. Bilibili's `buvid3`)
/// is added, and on a name present in both `added` wins (it is what the
/// platform most recently set).
///
/// ```
/// let h = engine::session::merge_cookie_headers("SESSDATA=user; lang=en", "buvid3=abc; lang=ja");
/// assert_eq!(h, "SESSDATA=user; lang=ja; buvid3=abc");
/// ```
pub fn merge_cookie_headers(base: &str, added: &str) -> String {
    let mut jar = CookieJar::parse_header(base);
    jar.merge(&CookieJar::parse_header(added));
    jar.header().unwrap_or_default()
}

/// One line of a Netscape `cookies.txt`.
#[derive(Clone, PartialEq, Eq)]
pub struct NetscapeCookie {
    /// The domain, without its leading dot (`youtube.com`).
    pub domain: String,
    /// Cookie name.
    pub name: String,
    /// Cookie value (a secret).
    pub value: String,
}

impl fmt::Debug for NetscapeCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetscapeCookie")
            .field("domain", &self.domain)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Parses a Netscape `cookies.txt` (the format yt-dlp and browser extensions
/// write): seven tab-separated fields per line, `#HttpOnly_` prefixes kept,
/// comments and malformed lines skipped.
///
/// ```
/// let text = "# Netscape HTTP Cookie File\n#HttpOnly_.x.com\tTRUE\t/\tTRUE\t0\tauth_token\tabc\nbad line\n";
/// let c = engine::session::parse_netscape(text);
/// assert_eq!((c.len(), c[0].domain.as_str(), c[0].name.as_str()), (1, "x.com", "auth_token"));
/// ```
pub fn parse_netscape(text: &str) -> Vec<NetscapeCookie> {
    let mut out = Vec::new();
    for line in text.lines() {
        // `#HttpOnly_` prefixes a real cookie line; other `#` lines are comments.
        let line = line.strip_prefix("#HttpOnly_").unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.trim_end_matches(['\r', '\n']).split('\t').collect();
        if fields.len() < 7 || !valid_name(fields[5]) || !valid_value(fields[6]) {
            continue;
        }
        out.push(NetscapeCookie {
            domain: fields[0].trim_start_matches('.').to_ascii_lowercase(),
            name: fields[5].to_string(),
            value: fields[6].to_string(),
        });
    }
    out
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

fn valid_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
}

/// `name=value; attr; attr=…` → `(name, value, expired)`.
fn parse_set_cookie(line: &str, now: chrono::DateTime<chrono::Utc>) -> Option<(&str, &str, bool)> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim().trim_matches('"'));
    if !valid_name(name) || !valid_value(value) {
        return None;
    }
    let mut max_age = None;
    let mut expires = None;
    for attr in parts {
        let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
        let k = k.trim();
        if k.eq_ignore_ascii_case("max-age") {
            max_age = v.trim().parse::<i64>().ok();
        } else if k.eq_ignore_ascii_case("expires") {
            expires = chrono::DateTime::parse_from_rfc2822(&v.trim().replace('-', " ")).ok();
        }
    }
    let expired = match (max_age, expires) {
        (Some(age), _) => age <= 0,
        (None, Some(at)) => at <= now,
        (None, None) => false,
    };
    Some((name, value, expired))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_values() {
        let jar = CookieJar::parse_header("auth_token=SECRETVALUE; ct0=OTHERSECRET");
        let d = format!("{jar:?}");
        assert!(d.contains("auth_token") && !d.contains("SECRETVALUE") && !d.contains("OTHER"));
        let c = &parse_netscape(".x.com\tTRUE\t/\tTRUE\t0\tct0\tHIDDENVAL\n")[0];
        assert!(!format!("{c:?}").contains("HIDDENVAL"));
    }

    #[test]
    fn user_cookies_survive_an_adapter_cookie() {
        // The bug this fixes: a per-request Cookie header used to replace the
        // configured one, dropping the user's login.
        let merged = merge_cookie_headers("SESSDATA=u1; bili_jct=u2", "buvid3=b3");
        let jar = CookieJar::parse_header(&merged);
        assert_eq!(
            (jar.get("SESSDATA"), jar.get("bili_jct"), jar.get("buvid3")),
            (Some("u1"), Some("u2"), Some("b3"))
        );
        assert_eq!(merge_cookie_headers("", "NID=1"), "NID=1");
        assert_eq!(merge_cookie_headers("a=1", ""), "a=1");
    }

    #[test]
    fn expired_set_cookie_removes() {
        let mut jar = CookieJar::parse_header("a=1; b=2");
        jar.absorb(["a=x; Expires=Thu, 01-Jan-1970 00:00:01 GMT"], &[]);
        assert_eq!(jar.header().as_deref(), Some("b=2"));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_round_trips(s in "\\PC{0,80}") {
            let jar = CookieJar::parse_header(&s);
            let again = CookieJar::parse_header(&jar.header().unwrap_or_default());
            proptest::prop_assert_eq!(jar, again);
            let _ = parse_netscape(&s);
            let mut j = CookieJar::default();
            j.absorb([s.as_str()], &[]);
        }
    }
}
