//! Network settings of a run: per-platform base URLs, rates, cookies, proxy.

use std::collections::HashMap;
use std::time::Duration;

use url::Url;

use crate::{Error, HttpClient, PlatformInfo, RetryPolicy};

/// How to reach platforms. One value serves a whole batch; [`client_for`](Self::client_for)
/// makes the HTTP client of one platform from it.
///
/// ```
/// let mut s = engine::HttpSettings::default();
/// s.set_base_url("steam", "http://127.0.0.1:8080").unwrap();
/// assert!(s.base_urls.contains_key("steam"));
/// ```
#[derive(Clone, Default)]
pub struct HttpSettings {
    /// Platform key → base URL replacing scheme and host of all its hosts.
    pub base_urls: HashMap<String, Url>,
    /// Platform key → requests per second (0 = unlimited); default from the adapter.
    pub rates: HashMap<String, f64>,
    /// Platform key → jobs at once; default from the adapter.
    pub concurrency: HashMap<String, usize>,
    /// Platform key → `Cookie` header value (a secret).
    pub cookies: HashMap<String, String>,
    /// Platform key → API key or token the platform's protocol needs (a secret;
    /// e.g. OpenWeb's export `apikey`). Adapters read it with [`HttpClient::credential`].
    pub credentials: HashMap<String, String>,
    /// Proxy for every request (a secret).
    pub proxy: Option<String>,
    /// Proxy pool every request goes through, one session per proxy (secrets;
    /// see [`crate::session`]). Takes the place of `proxy`.
    pub proxy_pool: Option<crate::session::ProxyPool>,
    /// Retry policy (default: 5 retries, backoff from 0.5 s).
    pub retry: Option<RetryPolicy>,
    /// Timeout of one request (default 30 s).
    pub timeout: Option<Duration>,
    /// User agent (default: a desktop browser's).
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cookies and proxy are secrets: show only that they are set.
        f.debug_struct("HttpSettings")
            .field("base_urls", &self.base_urls)
            .field("rates", &self.rates)
            .field("concurrency", &self.concurrency)
            .field("cookies", &self.cookies.keys().collect::<Vec<_>>())
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("proxy_pool", &self.proxy_pool)
            .finish_non_exhaustive()
    }
}

impl HttpSettings {
    /// Parses and sets a base-URL override (`http://127.0.0.1:PORT[/prefix]`).
    pub fn set_base_url(&mut self, platform: &str, url: &str) -> Result<(), Error> {
        let parsed =
            Url::parse(url).map_err(|e| Error::Config(format!("base URL for {platform}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL for {platform} must be http(s)"
            )));
        }
        self.base_urls.insert(platform.to_string(), parsed);
        Ok(())
    }

    /// Requests per second for a platform: the configured value, else the
    /// adapter's default, except that a platform redirected to a loopback host
    /// (a fixture server or local mirror) is not throttled unless asked: the
    /// default rate exists to be polite to the real platform.
    ///
    /// ```
    /// let mut s = engine::HttpSettings::default();
    /// let info = engine::PlatformInfo { key: "steam", name: "Steam", hosts: &[], requests_per_second: 2.0,
    ///     concurrency: 4, replies_in_same_page: true };
    /// assert_eq!(s.rate_for(&info), 2.0);
    /// s.set_base_url("steam", "http://127.0.0.1:8080").unwrap();
    /// assert_eq!(s.rate_for(&info), 0.0);
    /// s.rates.insert("steam".into(), 5.0);
    /// assert_eq!(s.rate_for(&info), 5.0);
    /// ```
    pub fn rate_for(&self, info: &PlatformInfo) -> f64 {
        if let Some(r) = self.rates.get(info.key) {
            return *r;
        }
        let local = self
            .base_urls
            .get(info.key)
            .is_some_and(|u| match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            });
        if local {
            0.0
        } else {
            info.requests_per_second
        }
    }

    /// Jobs at once for a platform: the configured value, else the adapter's default.
    pub fn concurrency_for(&self, info: &PlatformInfo) -> usize {
        self.concurrency
            .get(info.key)
            .copied()
            .unwrap_or(info.concurrency)
            .max(1)
    }

    /// The HTTP client of one platform.
    pub fn client_for(&self, info: &PlatformInfo) -> Result<HttpClient, Error> {
        let mut b = HttpClient::builder(info.key)
            .base_url(self.base_urls.get(info.key).cloned())
            .requests_per_second(Some(self.rate_for(info)))
            .retry(self.retry.unwrap_or_default())
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .proxy(self.proxy.clone())
            .proxy_pool(self.proxy_pool.clone());
        if let Some(ua) = &self.user_agent {
            b = b.user_agent(ua.clone());
        }
        if let Some(c) = self.cookies.get(info.key) {
            b = b.cookies(c);
        }
        if let Some(c) = self.credentials.get(info.key) {
            b = b.credential(c.clone());
        }
        b.build()
    }
}
