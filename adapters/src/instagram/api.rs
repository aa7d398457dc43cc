//! Requests as Instagram's web client sends them (`x-ig-app-id`, the
//! `csrftoken` echoed in `x-csrftoken`, the logged-in `sessionid` cookie sent
//! by the engine), and Instagram's refusals as precise errors.

use engine::{Error, FetchContext, HttpClient, Response};

use super::wire::failure;
use super::PLATFORM;

/// The application id of Instagram's web client.
pub const WEB_APP_ID: &str = "936619743392459";

/// Top-level comments after `cursor` (`max_id` or `min_id`).
///
/// ```
/// use adapters::instagram::api::{comments_url, TopCursor};
/// assert_eq!(comments_url("9", None),
///     "https://www.instagram.com/api/v1/media/9/comments/?can_support_threading=true&permalink_enabled=false");
/// assert!(comments_url("9", Some(&TopCursor::Min("{\"a\": 1}".into()))).ends_with("&min_id=%7B%22a%22%3A+1%7D"));
/// ```
pub fn comments_url(media: &str, cursor: Option<&TopCursor>) -> String {
    let mut u = format!(
        "https://www.instagram.com/api/v1/media/{media}/comments/?can_support_threading=true&permalink_enabled=false"
    );
    match cursor {
        Some(TopCursor::Max(c)) => u.push_str(&format!("&max_id={}", enc(c))),
        Some(TopCursor::Min(c)) => u.push_str(&format!("&min_id={}", enc(c))),
        None => {}
    }
    u
}

/// Replies to `comment` after `cursor`.
///
/// ```
/// use adapters::instagram::api::{child_comments_url, TopCursor};
/// assert_eq!(child_comments_url("9", "17", Some(&TopCursor::Max("Q".into()))),
///     "https://www.instagram.com/api/v1/media/9/comments/17/child_comments/?max_id=Q");
/// ```
pub fn child_comments_url(media: &str, comment: &str, cursor: Option<&TopCursor>) -> String {
    let base = format!(
        "https://www.instagram.com/api/v1/media/{media}/comments/{comment}/child_comments/"
    );
    match cursor {
        Some(TopCursor::Max(c)) => format!("{base}?max_id={}", enc(c)),
        Some(TopCursor::Min(c)) => format!("{base}?min_id={}", enc(c)),
        None => base,
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A page cursor: older comments (`max_id`) or more of the head (`min_id`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TopCursor {
    /// `max_id=`.
    Max(String),
    /// `min_id=`.
    Min(String),
}

/// The precise error when no `sessionid` cookie is configured.
pub fn login_required(url: &str) -> Error {
    Error::Forbidden {
        platform: PLATFORM.into(),
        url: url.to_string(),
        detail:
            "login required: Instagram shows comments only to logged-in sessions; set the \
                 sessionid cookie (--cookies cookies.txt, or sessionid under [platforms.instagram])"
                .into(),
    }
}

/// Checks that the job can log in: a `sessionid` cookie is configured.
pub fn check_session(ctx: &FetchContext, url: &str) -> Result<(), Error> {
    match ctx.http.cookie("sessionid") {
        Some(s) if !s.is_empty() => Ok(()),
        _ => Err(login_required(url)),
    }
}

/// GET an API URL with the web client's headers; Instagram's refusals mapped.
pub async fn get(http: &HttpClient, real_url: &str, referer: &str) -> Result<Response, Error> {
    let url = http.resolve(real_url)?;
    let csrf = http.cookie("csrftoken").map(str::to_string);
    let resp = http
        .execute(|c| {
            let mut r = c
                .get(url.clone())
                .header("x-ig-app-id", WEB_APP_ID)
                .header("x-requested-with", "XMLHttpRequest")
                .header("x-ig-www-claim", "0")
                .header("accept", "*/*")
                .header("referer", referer);
            if let Some(t) = &csrf {
                r = r.header("x-csrftoken", t.as_str());
            }
            r
        })
        .await?;
    check(http, resp)
}

fn check(http: &HttpClient, resp: Response) -> Result<Response, Error> {
    let forbidden = |detail: String| Error::Forbidden {
        platform: PLATFORM.into(),
        url: resp.url.clone(),
        detail,
    };
    let fail = failure(&resp.body);
    let message = fail
        .as_ref()
        .map(|(m, _)| http.scrub(m))
        .unwrap_or_default();
    let to_login = resp
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.contains("/accounts/login"));
    if to_login || fail.as_ref().is_some_and(|(_, login)| *login) {
        return Err(forbidden(
            "Instagram refused the sessionid cookie (login_required): it expired or the session \
             was logged out; export fresh cookies from a logged-in browser"
                .into(),
        ));
    }
    if message.contains("checkpoint_required") || message.contains("challenge_required") {
        return Err(forbidden(format!(
            "Instagram asks this account to pass a security check in a browser first ({message})"
        )));
    }
    if resp.status == 429 || message.contains("wait a few minutes") {
        return Err(Error::RateLimited {
            platform: PLATFORM.into(),
            url: resp.url.clone(),
            retry_after: engine::http::retry_after(&resp.headers),
        });
    }
    if resp.status == 404 || message.contains("not found") || message.contains("Invalid media_id") {
        return Err(Error::NotFound {
            platform: PLATFORM.into(),
            url: resp.url.clone(),
            detail: message,
        });
    }
    if (200..300).contains(&resp.status) && fail.is_some() {
        return Err(Error::Http {
            status: resp.status,
            url: resp.url.clone(),
            excerpt: message,
        });
    }
    http.check_status(resp)
}
