//! Talking to Reddit: User-Agent, optional OAuth (application-only token),
//! `X-Ratelimit-*` pacing, and the request URLs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::{Error, FetchContext, Response};
use serde_json::Value;
use tokio::time::Instant;

/// User-Agent in the form Reddit's API rules ask for, sent on every request.
pub const USER_AGENT: &str = concat!(
    "linux:comment-export:",
    env!("CARGO_PKG_VERSION"),
    " (by /u/comment-export)"
);

/// Environment variables holding OAuth application credentials (never logged).
pub const ENV_CLIENT_ID: &str = "REDDIT_CLIENT_ID";
/// See [`ENV_CLIENT_ID`].
pub const ENV_CLIENT_SECRET: &str = "REDDIT_CLIENT_SECRET";

/// Longest wait for `X-Ratelimit-Reset` (Reddit's window is 10 minutes).
const MAX_RESET_WAIT: Duration = Duration::from_secs(600);

/// One job's connection to Reddit.
#[derive(Clone)]
pub struct Api {
    ctx: FetchContext,
    /// `Authorization: bearer …` when OAuth is configured.
    bearer: Option<Arc<str>>,
    /// No request before this instant (the rate-limit window is used up).
    not_before: Arc<Mutex<Option<Instant>>>,
}

impl Api {
    /// Connects: fetches an application-only token when both credentials are set.
    pub async fn connect(ctx: FetchContext) -> Result<Api, Error> {
        let id = std::env::var(ENV_CLIENT_ID).ok().filter(|s| !s.is_empty());
        let secret = std::env::var(ENV_CLIENT_SECRET)
            .ok()
            .filter(|s| !s.is_empty());
        let bearer = match (id, secret) {
            (Some(id), Some(secret)) => Some(token(&ctx, &id, &secret).await?.into()),
            _ => None,
        };
        Ok(Api {
            ctx,
            bearer,
            not_before: Arc::new(Mutex::new(None)),
        })
    }

    /// `https://oauth.reddit.com` with a token, `https://www.reddit.com` without.
    fn host(&self) -> &'static str {
        if self.bearer.is_some() {
            "https://oauth.reddit.com"
        } else {
            "https://www.reddit.com"
        }
    }

    /// The path suffix: the public host needs `.json`, the OAuth host always answers JSON.
    fn json(&self) -> &'static str {
        if self.bearer.is_some() {
            ""
        } else {
            ".json"
        }
    }

    /// URL of a post's comment page, or of the subtree under `comment`.
    pub fn thread_url(&self, post: &str, comment: Option<&str>, sort: &str) -> String {
        let (host, json) = (self.host(), self.json());
        let path = match comment {
            Some(c) => format!("/comments/{post}/_/{c}{json}"),
            None => format!("/comments/{post}{json}"),
        };
        format!("{host}{path}?limit=500&sort={sort}&raw_json=1")
    }

    /// URL of a `morechildren` batch.
    pub fn morechildren_url(&self, post: &str, ids: &[&str], sort: &str) -> String {
        format!(
            "{}/api/morechildren{}?api_type=json&link_id=t3_{post}&children={}&sort={sort}&raw_json=1",
            self.host(),
            self.json(),
            ids.join(",")
        )
    }

    /// GET with the User-Agent and token, after waiting out a used-up rate-limit window.
    pub async fn get(&self, url: &str) -> Result<Response, Error> {
        let wait = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = wait {
            tokio::time::sleep_until(at).await;
        }
        let auth = self.bearer.as_ref().map(|t| format!("bearer {t}"));
        let mut headers = vec![("User-Agent", USER_AGENT)];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let resp = self.ctx.http.get_with_headers(url, &headers).await?;
        if let Some(wait) = exhausted_wait(&resp) {
            tracing::debug!(
                wait_s = wait.as_secs(),
                "reddit rate-limit window used up; pausing"
            );
            *self.not_before.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(Instant::now() + wait);
        }
        Ok(resp)
    }
}

/// How long to pause when `X-Ratelimit-Remaining` says the window is used up
/// (`X-Ratelimit-Reset` seconds, capped); `None` while requests remain.
///
/// ```
/// let mut r = engine::Response { status: 200, headers: Default::default(), body: "".into(), url: "u".into() };
/// r.headers.insert("x-ratelimit-remaining", "0.0".parse().unwrap());
/// r.headers.insert("x-ratelimit-reset", "7".parse().unwrap());
/// assert_eq!(adapters::reddit::api::exhausted_wait(&r), Some(std::time::Duration::from_secs(7)));
/// r.headers.insert("x-ratelimit-remaining", "12".parse().unwrap());
/// assert_eq!(adapters::reddit::api::exhausted_wait(&r), None);
/// ```
pub fn exhausted_wait(resp: &Response) -> Option<Duration> {
    let num = |name: &str| -> Option<f64> {
        let v = resp
            .headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()?;
        v.is_finite().then_some(v)
    };
    let remaining = num("x-ratelimit-remaining")?;
    if remaining >= 1.0 {
        return None;
    }
    let reset = num("x-ratelimit-reset").unwrap_or(1.0).clamp(0.0, 1e6);
    Some(Duration::from_secs_f64(reset).min(MAX_RESET_WAIT))
}

/// The application-only OAuth flow: `POST /api/v1/access_token` with basic auth.
async fn token(ctx: &FetchContext, id: &str, secret: &str) -> Result<String, Error> {
    let url = ctx
        .http
        .resolve("https://www.reddit.com/api/v1/access_token")?;
    let resp = ctx
        .http
        .execute(|c| {
            c.post(url.clone())
                .basic_auth(id, Some(secret))
                .header("User-Agent", USER_AGENT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
        })
        .await?;
    let resp = ctx.http.check_status(resp)?;
    let value: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    match value.get("access_token").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => Ok(t.to_string()),
        // Never echo the body: it may hold a token or the credentials' echo.
        _ => Err(Error::Forbidden {
            platform: "reddit".into(),
            url: resp.url.clone(),
            detail: "no access_token in the OAuth answer (check REDDIT_CLIENT_ID/SECRET)".into(),
        }),
    }
}
