//! Building an [`HttpClient`]: base URL, rate, retries, proxy, headers, secrets.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{Quota, RateLimiter};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::{HttpClient, Inner, RetryPolicy};
use crate::session::{proxy_secrets, CookieJar, ProxyPool, SessionPool};
use crate::{redact_url, Error};

/// Builder of an [`HttpClient`].
///
/// ```
/// let client = engine::HttpClient::builder("steam")
///     .base_url(Some("http://127.0.0.1:9".parse().unwrap()))
///     .requests_per_second(None)
///     .build()
///     .unwrap();
/// let u = client.resolve("https://store.steampowered.com/appreviews/440?json=1").unwrap();
/// assert_eq!(u.as_str(), "http://127.0.0.1:9/appreviews/440?json=1");
/// ```
#[derive(Debug, Clone)]
pub struct HttpClientBuilder {
    platform: String,
    base_url: Option<Url>,
    requests_per_second: Option<f64>,
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: String,
    proxy: Option<String>,
    headers: Vec<(String, String)>,
    secrets: Vec<String>,
    credential: Option<String>,
    max_body: usize,
    cookies: CookieJar,
    proxy_pool: Option<ProxyPool>,
}

/// Default user agent: a current desktop browser, since several platforms
/// serve reduced pages to unknown clients.
pub const DEFAULT_USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

impl HttpClientBuilder {
    pub(super) fn new(platform: &str) -> HttpClientBuilder {
        HttpClientBuilder {
            platform: platform.to_string(),
            base_url: None,
            requests_per_second: Some(1.0),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            proxy: None,
            headers: Vec::new(),
            secrets: Vec::new(),
            credential: None,
            max_body: 64 * 1024 * 1024,
            cookies: CookieJar::default(),
            proxy_pool: None,
        }
    }

    /// Replaces scheme, host and port of every request (and prefixes its path
    /// with the base path); this is how fixtures, mirrors and test servers are reached.
    pub fn base_url(mut self, base: Option<Url>) -> Self {
        self.base_url = base;
        self
    }

    /// Requests per second towards this platform, shared by every clone of the
    /// client; `None` or a value ≤ 0 means unlimited.
    pub fn requests_per_second(mut self, rps: Option<f64>) -> Self {
        self.requests_per_second = rps;
        self
    }

    /// Retry policy for transient failures.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout of one request, body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// User-Agent header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Proxy URL (`http://`, `https://`, `socks5://`, with credentials if needed).
    /// The URL is a secret: it never appears in errors or logs.
    pub fn proxy(mut self, proxy: Option<String>) -> Self {
        if let Some(p) = &proxy {
            self.secrets.push(p.clone());
            if let Ok(u) = Url::parse(p) {
                if let Some(pw) = u.password() {
                    self.secrets.push(pw.to_string());
                }
            }
        }
        self.proxy = proxy;
        self
    }

    /// The platform's API key or token (a secret: scrubbed from every error
    /// message, readable by the adapter through [`HttpClient::credential`]).
    ///
    /// ```
    /// let c = engine::HttpClient::builder("openweb").credential("k-123456").build().unwrap();
    /// assert_eq!(c.credential(), Some("k-123456"));
    /// ```
    pub fn credential(mut self, value: impl Into<String>) -> HttpClientBuilder {
        let value = value.into();
        self.secrets.push(value.clone());
        self.credential = Some(value);
        self
    }

    /// The user's cookies for this platform (a `Cookie` header value; secrets).
    /// They are merged into every request: cookies a request sets itself are
    /// added to them, and win on a shared name. Repeated calls merge.
    ///
    /// ```
    /// let c = engine::HttpClient::builder("twitter").cookies("auth_token=a1b2c3; ct0=d4e5f6").build().unwrap();
    /// assert_eq!(c.cookie("ct0"), Some("d4e5f6"));
    /// ```
    pub fn cookies(mut self, header: &str) -> Self {
        let jar = CookieJar::parse_header(header);
        self.secrets.extend(jar.iter().map(|(_, v)| v.to_string()));
        self.cookies.merge(&jar);
        self
    }

    /// Sends requests through a pool of sessions, one per proxy of `pool`
    /// (see [`crate::session`]); it replaces [`proxy`](Self::proxy).
    pub fn proxy_pool(mut self, pool: Option<ProxyPool>) -> Self {
        if let Some(p) = &pool {
            for u in &p.urls {
                self.secrets.extend(proxy_secrets(u));
            }
        }
        self.proxy_pool = pool;
        self
    }

    /// A header sent with every request. With `secret = true` its value is
    /// scrubbed from every error message (cookies, tokens). A `cookie` header
    /// is merged into the cookie jar (see [`cookies`](Self::cookies)).
    pub fn header(mut self, name: &str, value: &str, secret: bool) -> Self {
        if secret {
            self.secrets.push(value.to_string());
        }
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Largest body accepted (protects memory against a hostile server).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Builds the client.
    pub fn build(mut self) -> Result<HttpClient, Error> {
        let mut headers = HeaderMap::new();
        for (k, v) in std::mem::take(&mut self.headers) {
            if k.eq_ignore_ascii_case("cookie") {
                self = self.cookies(&v);
                continue;
            }
            let (k, v) = (&k, &v);
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {k:?}")))?;
            let mut value = HeaderValue::from_str(v)
                .map_err(|_| Error::Config(format!("invalid value for header {k}")))?;
            value.set_sensitive(self.secrets.contains(v));
            headers.insert(name, value);
        }
        let make = |proxy: Option<&str>, ua: &str| -> Result<reqwest::Client, Error> {
            let mut builder = reqwest::Client::builder()
                .user_agent(ua)
                .default_headers(headers.clone())
                .timeout(self.timeout)
                .connect_timeout(Duration::from_secs(15))
                // Redirects are followed by `send`, through `resolve`, so a Location
                // naming the real host still goes to the --base-url override.
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(16);
            builder =
                match proxy {
                    Some(p) => builder.proxy(reqwest::Proxy::all(p).map_err(|_| {
                        Error::Config(format!("invalid proxy URL {}", redact_url(p)))
                    })?),
                    None => builder.no_proxy(),
                };
            builder
                .build()
                .map_err(|e| Error::Config(format!("cannot build HTTP client: {e}")))
        };
        let client = make(self.proxy.as_deref(), &self.user_agent)?;
        let sessions = match &self.proxy_pool {
            Some(pool) => Some(SessionPool::new(
                pool,
                &self.cookies,
                std::slice::from_ref(&self.user_agent),
                |proxy, ua| make(Some(proxy), ua),
            )?),
            None => None,
        };
        let limiter = match self.requests_per_second {
            Some(rps) if rps > 0.0 => Some(RateLimiter::direct(quota(rps))),
            _ => None,
        };
        Ok(HttpClient {
            inner: Arc::new(Inner {
                client,
                platform: self.platform,
                base: self.base_url,
                limiter,
                retry: self.retry,
                secrets: self.secrets.into_iter().filter(|s| s.len() >= 4).collect(),
                credential: self.credential,
                max_body: self.max_body,
                cookies: self.cookies,
                sessions,
            }),
        })
    }
}

fn quota(rps: f64) -> Quota {
    if rps >= 1.0 {
        let n = NonZeroU32::new(rps.round().min(u32::MAX as f64) as u32).unwrap_or(NonZeroU32::MIN);
        Quota::per_second(n)
    } else {
        Quota::with_period(Duration::from_secs_f64(1.0 / rps))
            .unwrap_or(Quota::per_second(NonZeroU32::MIN))
    }
}
