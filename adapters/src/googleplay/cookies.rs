//! The session cookies of one job (`NID`, `__Secure-…`): taken from every
//! `Set-Cookie` and sent back on the next request, since Google binds a
//! continuation token to the session that received it. One jar per job; the
//! values are never logged nor stored in a checkpoint.

use chrono::{DateTime, Utc};

/// Cookies by name, in the order they were first set.
#[derive(Debug, Clone, Default)]
pub(crate) struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// Applies `Set-Cookie` header values: new cookies are added, known ones
    /// replaced, expired ones (`Max-Age<=0` or `Expires` in the past) removed.
    pub(crate) fn absorb<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>) {
        let now = Utc::now();
        for line in set_cookies {
            let Some((name, value, expired)) = parse_set_cookie(line, now) else {
                continue;
            };
            let at = self.cookies.iter().position(|(n, _)| *n == name);
            match (at, expired) {
                (Some(i), true) => {
                    self.cookies.remove(i);
                }
                (Some(i), false) => self.cookies[i].1 = value,
                (None, false) => self.cookies.push((name, value)),
                (None, true) => {}
            }
        }
    }

    /// The `Cookie` header to send, `None` when the jar is empty.
    pub(crate) fn header(&self) -> Option<String> {
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

/// `name=value; attr; attr=…` → `(name, value, expired)`; `None` when the
/// line has no `name=`.
fn parse_set_cookie(line: &str, now: DateTime<Utc>) -> Option<(String, String, bool)> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    let valid = |b: u8| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b);
    if name.is_empty() || !name.bytes().all(valid) {
        return None;
    }
    let value = value.trim().trim_matches('"');
    if !value
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b';' && b != b',')
    {
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
            expires = cookie_date(v.trim());
        }
    }
    let expired = match (max_age, expires) {
        (Some(age), _) => age <= 0,
        (None, Some(at)) => at <= now,
        (None, None) => false,
    };
    Some((name.to_string(), value.to_string(), expired))
}

/// `Thu, 01-Jan-1970 00:00:01 GMT` or `Thu, 01 Jan 1970 00:00:01 GMT`.
fn cookie_date(s: &str) -> Option<DateTime<Utc>> {
    let spaced = s.replace('-', " ");
    DateTime::parse_from_rfc2822(&spaced)
        .ok()
        .map(|t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_replaces_and_expires_cookies() {
        let mut jar = CookieJar::default();
        assert_eq!(jar.header(), None);
        jar.absorb([
            "NID=511=first; expires=Sat, 01-Nov-2099 10:00:00 GMT; path=/; domain=.google.com; HttpOnly",
            "AEC=AVYB7c; Secure; HttpOnly; SameSite=lax",
        ]);
        assert_eq!(jar.header().as_deref(), Some("NID=511=first; AEC=AVYB7c"));
        jar.absorb(["NID=511=second; Max-Age=3600"]);
        assert_eq!(jar.header().as_deref(), Some("NID=511=second; AEC=AVYB7c"));
        jar.absorb(["AEC=; expires=Thu, 01-Jan-1970 00:00:01 GMT"]);
        assert_eq!(jar.header().as_deref(), Some("NID=511=second"));
        jar.absorb([
            "NID=gone; Max-Age=0",
            "junk",
            "=nameless",
            "bad name=1",
            "X=\"quoted\"",
        ]);
        assert_eq!(jar.header().as_deref(), Some("X=quoted"));
    }
}
