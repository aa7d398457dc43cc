//! The fetch loop: authenticate once (cookies or guest token), then one
//! `TweetDetail` request per page as the [`Walk`] asks, waiting out X's
//! rate-limit window when `x-rate-limit-remaining` reaches 0.

use std::time::Duration;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Target};
use futures::StreamExt;

use super::api::{
    authenticate, headers, ranking_mode, read_detail, tweet_detail_url, Auth, PARAM_QUERY_ID,
    TWEET_DETAIL_QUERY_ID,
};
use super::walk::{Request as WalkRequest, Scope, Walk};
use super::wire::Detail;
use super::PLATFORM;

/// Job parameter: `expand=false` reads only what the post's own conversation
/// shows (no `TweetDetail` of replies that have hidden replies).
pub const PARAM_EXPAND: &str = "expand";

/// Longest wait for X's rate-limit window; a later reset fails the job as
/// rate limited (with the wait), so `--resume` can continue it.
const MAX_WINDOW_WAIT: Duration = Duration::from_secs(16 * 60);

struct State {
    target: Target,
    ctx: FetchContext,
    walk: Walk,
    auth: Option<Auth>,
    query_id: String,
    /// The query id may be read from X's web client once when X no longer
    /// knows ours (never when the user gave one).
    may_discover: bool,
    ranking: &'static str,
    scope: Scope,
    wait: Option<Duration>,
}

/// Fetches `target` page by page, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let walk = match resume {
        None | Some(serde_json::Value::Null) => Walk::new(&target.id),
        Some(v) => match serde_json::from_value::<Walk>(v) {
            Ok(w) if w.post == target.id => w,
            Ok(_) => {
                return failed(Error::Checkpoint(
                    "twitter: the resume cursor is another post's".into(),
                ))
            }
            Err(e) => {
                return failed(Error::Checkpoint(format!(
                    "twitter: unusable resume cursor: {e}"
                )))
            }
        },
    };
    let params = &ctx.options.params;
    let expand = !matches!(
        params
            .get(PARAM_EXPAND)
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref(),
        Some("false" | "0" | "no" | "off")
    );
    let given_id = params
        .get(PARAM_QUERY_ID)
        .is_some_and(|q| !q.trim().is_empty());
    let state = State {
        may_discover: !given_id,
        query_id: params
            .get(PARAM_QUERY_ID)
            .filter(|q| {
                !q.is_empty()
                    && q.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            })
            .cloned()
            .unwrap_or_else(|| TWEET_DETAIL_QUERY_ID.to_string()),
        ranking: ranking_mode(ctx.options.sort),
        scope: Scope {
            replies: ctx.options.replies,
            max_depth: ctx.options.limits.depth,
            expand,
        },
        target,
        ctx,
        walk,
        auth: None,
        wait: None,
    };
    futures::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next_page().await {
            Ok(Some(page)) => {
                let more = page.next.is_some();
                Some((Ok(page), more.then_some(state)))
            }
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

fn failed(e: Error) -> PageStream {
    futures::stream::once(async move { Err(e) }).boxed()
}

impl State {
    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        let Some(req) = self.walk.next_request() else {
            return Ok(None);
        };
        let auth = match &self.auth {
            Some(a) => a.clone(),
            None => {
                let a = authenticate(&self.ctx).await?;
                self.auth = Some(a.clone());
                a
            }
        };
        let mut notes = Vec::new();
        if let Some(w) = self.wait.take() {
            notes.push(format!(
                "X's rate-limit window was used up; waited {} s for x-rate-limit-reset",
                w.as_secs()
            ));
            tokio::time::sleep(w).await;
        }
        let (window, shown_url, detail) = match self.ask(&auth, &req).await {
            Err(Error::Http { status: 404, .. }) if self.may_discover => {
                self.may_discover = false;
                let id = super::discover::current_query_id(&self.ctx.http).await?;
                notes.push(format!(
                    "X no longer knows TweetDetail query id {}; using {id}, read from X's web client",
                    self.query_id
                ));
                self.query_id = id;
                self.ask(&auth, &req).await?
            }
            r => r?,
        };
        let records = self
            .walk
            .absorb(&detail, &self.target, self.scope, &shown_url)?;
        let next =
            if self.walk.next_request().is_some() {
                Some(serde_json::to_value(&self.walk).map_err(|e| {
                    Error::Checkpoint(format!("{PLATFORM}: cannot save the walk: {e}"))
                })?)
            } else {
                None
            };
        if next.is_some() {
            match window {
                Some(w) if w > MAX_WINDOW_WAIT => {
                    return Err(Error::RateLimited {
                        platform: PLATFORM.into(),
                        url: shown_url,
                        retry_after: Some(w),
                    })
                }
                w => self.wait = w,
            }
        }
        let mut page = Page::new(records, next);
        page.notes = notes;
        Ok(Some(page))
    }

    /// One `TweetDetail` request for `req` with the current query id: the
    /// rate-limit wait it announces, the URL answered, and the conversation.
    async fn ask(
        &self,
        auth: &Auth,
        req: &WalkRequest,
    ) -> Result<(Option<Duration>, String, Detail), Error> {
        let url = tweet_detail_url(
            &self.query_id,
            &req.focal,
            req.cursor.as_deref(),
            self.ranking,
        );
        let referer = super::url::canonical_url(
            self.target
                .params
                .get(super::url::PARAM_USER)
                .map(String::as_str)
                .unwrap_or("i"),
            &self.target.id,
        );
        let hdrs = headers(auth, &referer);
        let http = &self.ctx.http;
        let resolved = http.resolve(&url)?;
        let resp = http
            .execute(|c| {
                let mut r = c.get(resolved.clone());
                for (k, v) in &hdrs {
                    r = r.header(*k, v.as_str());
                }
                r
            })
            .await?;
        let window = window_wait(&resp);
        let shown_url = resp.url.clone();
        let detail = read_detail(http, auth, resp)?;
        Ok((window, shown_url, detail))
    }
}

/// How long to wait before the next request: until `x-rate-limit-reset`
/// when `x-rate-limit-remaining` is 0.
fn window_wait(resp: &engine::Response) -> Option<Duration> {
    let num = |name: &str| {
        resp.headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<i64>()
            .ok()
    };
    if num("x-rate-limit-remaining")? > 0 {
        return None;
    }
    let delta = num("x-rate-limit-reset")? - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(delta.max(0) as u64))
}
