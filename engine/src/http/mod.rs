//! The HTTP client every adapter uses: base-URL override, per-platform rate
//! limit, retries with backoff that honor 429/`Retry-After`, redirects kept on
//! the override, proxy or session pool ([`crate::session`]), the user's
//! cookies merged into every request, secrets scrubbed.

mod builder;
mod retry;

use std::sync::Arc;

use bytes::Bytes;
use governor::DefaultDirectRateLimiter;
use reqwest::header::HeaderMap;
use url::Url;

pub use builder::{HttpClientBuilder, DEFAULT_USER_AGENT};
use retry::backoff;
pub use retry::{retry_after, RetryPolicy};

use crate::session::{apply_cookies, classify, CookieJar, Session, SessionPool};
use crate::{redact_url, Error};

/// An HTTP response with its body read in full.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The URL actually requested, redacted (for error messages).
    pub url: String,
}

impl Response {
    /// The body as text (lossy UTF-8).
    ///
    /// ```
    /// let r = engine::Response { status: 200, headers: Default::default(), body: "hi".into(), url: "u".into() };
    /// assert_eq!(r.text(), "hi");
    /// ```
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// HTTP client bound to one platform. Cheap to clone; clones share the
/// connection pool and the rate limiter.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    platform: String,
    base: Option<Url>,
    limiter: Option<DefaultDirectRateLimiter>,
    retry: RetryPolicy,
    secrets: Vec<String>,
    credential: Option<String>,
    max_body: usize,
    /// The user's cookies (pinned: a session never lets the platform overwrite them).
    cookies: CookieJar,
    /// Sessions over a proxy pool, when one is configured.
    sessions: Option<SessionPool>,
}

/// A failed transfer, and whether it failed to connect (a dead proxy).
struct Failure {
    error: Error,
    connect: bool,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print headers or proxy: they may hold secrets.
        f.debug_struct("HttpClient")
            .field("platform", &self.inner.platform)
            .field(
                "base",
                &self.inner.base.as_ref().map(|u| redact_url(u.as_str())),
            )
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Starts a builder for `platform` with polite defaults (1 request/s, 5 retries, 30 s timeout).
    ///
    /// ```
    /// let c = engine::HttpClient::builder("steam").build().unwrap();
    /// assert_eq!(c.platform(), "steam");
    /// ```
    pub fn builder(platform: &str) -> HttpClientBuilder {
        HttpClientBuilder::new(platform)
    }

    /// The platform key this client is bound to.
    pub fn platform(&self) -> &str {
        &self.inner.platform
    }

    /// The platform's API key or token, when one is configured (a secret: send
    /// it only in the header the protocol names, never in a URL or an error).
    ///
    /// ```
    /// assert_eq!(engine::HttpClient::builder("steam").build().unwrap().credential(), None);
    /// ```
    pub fn credential(&self) -> Option<&str> {
        self.inner.credential.as_deref()
    }

    /// A cookie the user configured for this platform (a secret: send it only
    /// where the protocol wants it, e.g. X's `ct0` as `x-csrf-token`).
    ///
    /// ```
    /// let c = engine::HttpClient::builder("instagram").build().unwrap();
    /// assert_eq!(c.cookie("sessionid"), None);
    /// ```
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.inner.cookies.get(name)
    }

    /// The session pool, when requests go through one.
    pub fn sessions(&self) -> Option<&SessionPool> {
        self.inner.sessions.as_ref()
    }

    /// Rewrites a real platform URL to the override base, if one is set.
    ///
    /// ```
    /// let c = engine::HttpClient::builder("steam")
    ///     .base_url(Some("http://127.0.0.1:8080/mirror/".parse().unwrap())).build().unwrap();
    /// let u = c.resolve("https://steamcommunity.com/app/440/reviews").unwrap();
    /// assert_eq!(u.as_str(), "http://127.0.0.1:8080/mirror/app/440/reviews");
    /// ```
    pub fn resolve(&self, real: &str) -> Result<Url, Error> {
        let url = Url::parse(real).map_err(|e| Error::InvalidUrl {
            input: redact_url(real),
            reason: e.to_string(),
        })?;
        let Some(base) = &self.inner.base else {
            return Ok(url);
        };
        let mut out = base.clone();
        let prefix = base.path().trim_end_matches('/');
        out.set_path(&format!("{prefix}{}", url.path()));
        out.set_query(url.query());
        Ok(out)
    }

    /// GET `real_url` (after [`resolve`](Self::resolve)), following redirects;
    /// 2xx or a typed error.
    pub async fn get(&self, real_url: &str) -> Result<Response, Error> {
        self.get_with_headers(real_url, &[]).await
    }

    /// GET with extra headers (e.g. a consent cookie), following redirects.
    pub async fn get_with_headers(
        &self,
        real_url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, Error> {
        let mut url = self.resolve(real_url)?;
        for _ in 0..MAX_REDIRECTS {
            let resp = self
                .execute(|c| {
                    let mut r = c.get(url.clone());
                    for (k, v) in headers {
                        r = r.header(*k, *v);
                    }
                    r
                })
                .await?;
            match redirect_target(&resp, &url) {
                Some(next) => url = self.resolve(next.as_str())?,
                None => return self.check_status(resp),
            }
        }
        Err(Error::Http {
            status: 310,
            url: redact_url(url.as_str()),
            excerpt: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// POST a JSON body to `real_url` (after [`resolve`](Self::resolve)) with
    /// extra headers; 2xx or a typed error. Redirects are not followed.
    pub async fn post_json(
        &self,
        real_url: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Result<Response, Error> {
        let url = self.resolve(real_url)?;
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot encode body: {e}")))?;
        let resp = self
            .execute(|c| {
                let mut r = c
                    .post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r
            })
            .await?;
        self.check_status(resp)
    }

    /// The final URL a redirect chain starting at `real_url` lands on (no body
    /// is kept), for short links such as `redd.it/<id>` or `b23.tv/<code>`.
    /// The answer is in real-host form when the platform redirected to one.
    pub async fn final_url(&self, real_url: &str) -> Result<String, Error> {
        let mut current = real_url.to_string();
        for _ in 0..MAX_REDIRECTS {
            let url = self.resolve(&current)?;
            let resp = self.execute(|c| c.get(url.clone())).await?;
            match redirect_target(&resp, &url) {
                Some(next) => current = next.to_string(),
                None => {
                    self.check_status(resp)?;
                    return Ok(current);
                }
            }
        }
        Err(Error::Http {
            status: 310,
            url: redact_url(&current),
            excerpt: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// Sends the request built by `make` with rate limiting and retries of
    /// transient failures; returns whatever final status the platform gave.
    /// `make` is called once per attempt. The user's cookies are merged into
    /// the request's own. With a session pool, each attempt goes through a
    /// session; a session retired by this attempt's answer (blocked, dead
    /// proxy) is replaced by the next one for the same request, without
    /// counting as a retry.
    pub async fn execute<F>(&self, make: F) -> Result<Response, Error>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let retry = self.inner.retry;
        let mut attempt: u32 = 0;
        loop {
            if let Some(l) = &self.inner.limiter {
                l.until_ready().await;
            }
            let session = self.session_for_attempt(&make)?;
            let client = session
                .as_deref()
                .map_or(&self.inner.client, Session::client);
            let mut request = make(client).build().map_err(|e| {
                Error::Config(format!(
                    "cannot build request: {}",
                    self.scrub(&e.to_string())
                ))
            })?;
            match &session {
                Some(s) => s.apply_cookies(request.headers_mut()),
                None => apply_cookies(&self.inner.cookies, request.headers_mut()),
            }
            let url = redact_url(request.url().as_str());
            let outcome = self.attempt(client, request, &url).await;
            if let Some(s) = &session {
                if self.judge(s, &outcome, &url).is_some() {
                    continue;
                }
            }
            let outcome = outcome.map_err(|f| f.error);
            let wait = match &outcome {
                Ok(r) if r.status == 429 => {
                    let asked = retry_after(&r.headers);
                    if attempt >= retry.max_retries
                        || asked.is_some_and(|w| w > retry.max_retry_after)
                    {
                        return Err(Error::RateLimited {
                            platform: self.inner.platform.clone(),
                            url,
                            retry_after: asked,
                        });
                    }
                    asked.unwrap_or_else(|| backoff(&retry, attempt))
                }
                Ok(r) if r.status >= 500 || r.status == 408 => {
                    if attempt >= retry.max_retries {
                        return outcome;
                    }
                    backoff(&retry, attempt)
                }
                Ok(_) => return outcome,
                Err(e) if e.is_transient() && attempt < retry.max_retries => {
                    backoff(&retry, attempt)
                }
                Err(_) => return outcome,
            };
            tracing::debug!(platform = %self.inner.platform, %url, attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The session the next attempt goes through (`None` without a pool);
    /// an error when every session is retired.
    fn session_for_attempt<F>(&self, make: &F) -> Result<Option<std::sync::Arc<Session>>, Error>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let Some(pool) = &self.inner.sessions else {
            return Ok(None);
        };
        match pool.acquire() {
            Some(s) => Ok(Some(s)),
            None => {
                let url = make(&self.inner.client)
                    .build()
                    .map(|r| redact_url(r.url().as_str()))
                    .unwrap_or_default();
                Err(pool.exhausted(&self.inner.platform, &url))
            }
        }
    }

    /// Reports an attempt's outcome to the session pool and keeps the
    /// platform's cookies in the session's jar; `Some` when the session was
    /// retired (the caller then tries the next one).
    fn judge(
        &self,
        session: &Session,
        outcome: &Result<Response, Failure>,
        url: &str,
    ) -> Option<crate::session::Retired> {
        let pool = self.inner.sessions.as_ref()?;
        let retired = match outcome {
            Ok(r) => {
                let pinned: Vec<&str> = self.inner.cookies.iter().map(|(n, _)| n).collect();
                session.absorb(&r.headers, &pinned);
                pool.report(session, classify(r.status, &r.headers, &r.body))
            }
            Err(f) => pool.report_failure(session, f.connect, &f.error.to_string()),
        }?;
        // Never the proxy URL: only the session's number and why.
        tracing::warn!(
            platform = %self.inner.platform,
            pool = pool.name(),
            session = session.id(),
            live = pool.live(),
            %url,
            reason = %self.scrub(&retired.to_string()),
            "session retired"
        );
        Some(retired)
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        url: &str,
    ) -> Result<Response, Failure> {
        let net = |e: reqwest::Error| Failure {
            connect: e.is_connect(),
            error: Error::Network {
                url: url.to_string(),
                message: self.scrub(&error_chain(&e)),
            },
        };
        let mut resp = client.execute(request).await.map_err(net)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let expected = resp.content_length().unwrap_or(0) as usize;
        let mut body = Vec::with_capacity(expected.min(self.inner.max_body));
        while let Some(chunk) = resp.chunk().await.map_err(net)? {
            if body.len() + chunk.len() > self.inner.max_body {
                return Err(Failure {
                    connect: false,
                    error: Error::Network {
                        url: url.to_string(),
                        message: format!("response larger than {} bytes", self.inner.max_body),
                    },
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: body.into(),
            url: url.to_string(),
        })
    }

    /// Maps a final non-2xx status to a typed error; 2xx passes through.
    pub fn check_status(&self, resp: Response) -> Result<Response, Error> {
        let platform = self.inner.platform.clone();
        let detail = || self.scrub(&crate::error::excerpt(&resp.text(), 0, 120));
        match resp.status {
            200..=299 => Ok(resp),
            404 | 410 => Err(Error::NotFound {
                platform,
                url: resp.url.clone(),
                detail: detail(),
            }),
            401 | 403 => Err(Error::Forbidden {
                platform,
                url: resp.url.clone(),
                detail: detail(),
            }),
            429 => Err(Error::RateLimited {
                platform,
                url: resp.url.clone(),
                retry_after: retry_after(&resp.headers),
            }),
            status => Err(Error::Http {
                status,
                url: resp.url.clone(),
                excerpt: detail(),
            }),
        }
    }

    /// Removes every configured secret from `text`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.inner.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }
}

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;

/// The absolute target of a 3xx response with a Location header.
fn redirect_target(resp: &Response, base: &Url) -> Option<Url> {
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let loc = resp.headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    base.join(loc).ok()
}

/// The whole source chain of a reqwest error ("error sending request: connection reset").
fn error_chain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts = vec![e.without_url_ref().to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    parts.dedup();
    parts.join(": ")
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        // reqwest prints the URL in its message; ours carries the redacted one already.
        let s = self.to_string();
        match s.find(" for url (") {
            Some(i) => s[..i].to_string(),
            None => s,
        }
    }
}
