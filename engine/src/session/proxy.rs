//! Proxy pools as configured: a name, proxy URLs (secrets), how requests
//! rotate over them, and the exit country they give.

use std::fmt;
use std::str::FromStr;

use url::Url;

use crate::{redact_url, Error};

/// When a pool moves to another proxy.
///
/// ```
/// use engine::session::Rotation;
/// assert_eq!("per_request".parse::<Rotation>().unwrap(), Rotation::PerRequest);
/// assert_eq!("per-session".parse::<Rotation>().unwrap(), Rotation::PerSession);
/// assert!("sometimes".parse::<Rotation>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rotation {
    /// Every request goes out through the next live proxy (round robin).
    PerRequest,
    /// One session (proxy, cookies, user agent) is used until it is retired,
    /// then the next one: the platform sees one visitor at a time.
    #[default]
    PerSession,
}

impl FromStr for Rotation {
    type Err = Error;

    fn from_str(s: &str) -> Result<Rotation, Error> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "per_request" | "request" => Ok(Rotation::PerRequest),
            "per_session" | "session" => Ok(Rotation::PerSession),
            other => Err(Error::Config(format!(
                "proxy rotation must be per_request or per_session, not {other:?}"
            ))),
        }
    }
}

/// A named pool of proxies (`[proxy_pools.NAME]` in the config file).
/// The URLs are secrets: `Debug` and errors show only how many there are.
///
/// ```
/// use engine::session::{ProxyPool, Rotation};
/// let pool = ProxyPool::new("res", ["http://u:pw@10.0.0.1:8080", "socks5://10.0.0.2:1080"]).unwrap()
///     .rotation(Rotation::PerRequest)
///     .country(Some("US"));
/// assert_eq!((pool.len(), pool.country.as_deref()), (2, Some("us")));
/// assert!(!format!("{pool:?}").contains("pw"));
/// assert!(ProxyPool::new("bad", ["ftp://x"]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyPool {
    /// The pool's name (`--proxy-pool NAME`).
    pub name: String,
    /// Proxy URLs: `http://`, `https://`, `socks5://`, `socks5h://`, with
    /// `user:password@` when needed.
    pub urls: Vec<String>,
    /// When to move to another proxy.
    pub rotation: Rotation,
    /// Exit country (ISO 3166 alpha-2, lowercase) for `--vpn`.
    pub country: Option<String>,
}

impl fmt::Debug for ProxyPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyPool")
            .field("name", &self.name)
            .field("proxies", &self.urls.len())
            .field("rotation", &self.rotation)
            .field("country", &self.country)
            .finish()
    }
}

impl ProxyPool {
    /// A pool with per-session rotation and no country; every URL is checked
    /// (scheme, host), and the error never repeats a URL's credentials.
    pub fn new<S: AsRef<str>>(
        name: &str,
        urls: impl IntoIterator<Item = S>,
    ) -> Result<ProxyPool, Error> {
        let urls: Vec<String> = urls
            .into_iter()
            .map(|u| u.as_ref().trim().to_string())
            .collect();
        if urls.is_empty() {
            return Err(Error::Config(format!("proxy pool {name:?} has no urls")));
        }
        for (i, u) in urls.iter().enumerate() {
            check_proxy_url(u).map_err(|why| {
                Error::Config(format!("proxy pool {name:?}, url {}: {why}", i + 1))
            })?;
        }
        Ok(ProxyPool {
            name: name.to_string(),
            urls,
            rotation: Rotation::default(),
            country: None,
        })
    }

    /// Sets the rotation.
    pub fn rotation(mut self, rotation: Rotation) -> ProxyPool {
        self.rotation = rotation;
        self
    }

    /// Sets the exit country (stored lowercase).
    pub fn country(mut self, country: Option<&str>) -> ProxyPool {
        self.country = country.map(|c| c.trim().to_ascii_lowercase());
        self
    }

    /// Number of proxies.
    pub fn len(&self) -> usize {
        self.urls.len()
    }

    /// True when the pool has no proxy (never, for a pool made by [`new`](Self::new)).
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// The pool for an exit location: every pool whose country is `country`,
    /// merged into one (URLs in pool order, the first pool's rotation).
    ///
    /// ```
    /// use engine::session::ProxyPool;
    /// let us = ProxyPool::new("us1", ["http://10.0.0.1:1"]).unwrap().country(Some("us"));
    /// let de = ProxyPool::new("de1", ["http://10.0.0.2:1"]).unwrap().country(Some("de"));
    /// let picked = ProxyPool::for_country(&[us, de], "US").unwrap();
    /// assert_eq!((picked.name.as_str(), picked.len()), ("vpn-us", 1));
    /// assert!(ProxyPool::for_country(&[], "fr").is_err());
    /// ```
    pub fn for_country(pools: &[ProxyPool], country: &str) -> Result<ProxyPool, Error> {
        let want = country.trim().to_ascii_lowercase();
        let matching: Vec<&ProxyPool> = pools
            .iter()
            .filter(|p| p.country.as_deref() == Some(want.as_str()))
            .collect();
        let Some(first) = matching.first() else {
            let mut tagged: Vec<String> = pools
                .iter()
                .filter_map(|p| p.country.as_ref().map(|c| format!("{} ({c})", p.name)))
                .collect();
            tagged.sort();
            return Err(Error::Config(format!(
                "no proxy pool has country = {want:?} (tagged pools: {})",
                if tagged.is_empty() {
                    "none".to_string()
                } else {
                    tagged.join(", ")
                }
            )));
        };
        Ok(ProxyPool {
            name: format!("vpn-{want}"),
            urls: matching.iter().flat_map(|p| p.urls.clone()).collect(),
            rotation: first.rotation,
            country: Some(want),
        })
    }
}

/// Why a proxy URL cannot be used (never quoting its credentials).
fn check_proxy_url(u: &str) -> Result<(), String> {
    let parsed = Url::parse(u).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(format!(
            "scheme {:?} is not http, https, socks5 or socks5h",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("no host in {}", redact_url(u)));
    }
    reqwest::Proxy::all(u)
        .map_err(|_| format!("rejected by the HTTP client: {}", redact_url(u)))?;
    Ok(())
}

/// The secrets a proxy URL holds: the URL itself and its password.
pub(crate) fn proxy_secrets(u: &str) -> Vec<String> {
    let mut out = vec![u.to_string()];
    if let Ok(parsed) = Url::parse(u) {
        if let Some(pw) = parsed.password() {
            out.push(pw.to_string());
            // Percent-decoded too: that form is what goes on the wire.
            if let Ok(dec) = urlencoding_decode(pw) {
                if dec != pw {
                    out.push(dec);
                }
            }
        }
    }
    out
}

fn urlencoding_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_default();
    String::from_utf8(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_quote_credentials() {
        let e = ProxyPool::new("p", ["gopher://alice:hunter22@h:1"]).unwrap_err();
        assert!(!e.to_string().contains("hunter22"), "{e}");
        let e = ProxyPool::new("p", Vec::<String>::new()).unwrap_err();
        assert!(e.to_string().contains("no urls"));
    }

    #[test]
    fn secrets_include_decoded_password() {
        let s = proxy_secrets("http://u:p%40ss@h:1");
        assert!(s.contains(&"p%40ss".to_string()) && s.contains(&"p@ss".to_string()));
    }
}
