//! The fetch loop: a short link followed first, then pages of top-level
//! comments (`cursor` offsets while `has_more`), and after each page the
//! reply threads of its comments that have more replies than the preview.

use std::collections::VecDeque;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Target};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::record::{comment_record, reply_record};
use super::url::{detect, PARAM_SHORT};
use super::wire::{parse_page, TtPage};
use super::PLATFORM;

/// Comments asked per page (the web client asks 20; TikTok caps at 50).
pub const PAGE_SIZE: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Thread {
    cid: String,
    cursor: u64,
}

/// The resume cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Resume {
    video: String,
    referer: String,
    top_cursor: u64,
    top_done: bool,
    threads: VecDeque<Thread>,
}

struct State {
    target: Target,
    ctx: FetchContext,
    r: Option<Resume>,
}

/// The comment list URL of `video` from offset `cursor`.
///
/// ```
/// let u = adapters::tiktok::client::comments_url("73", 40);
/// assert!(u.starts_with("https://www.tiktok.com/api/comment/list/?aid=1988&"));
/// assert!(u.contains("&aweme_id=73&cursor=40&count=20"));
/// ```
pub fn comments_url(video: &str, cursor: u64) -> String {
    format!(
        "https://www.tiktok.com/api/comment/list/?aid=1988&app_name=tiktok_web&device_platform=web_pc\
         &aweme_id={video}&cursor={cursor}&count={PAGE_SIZE}"
    )
}

/// The reply list URL of comment `cid` of `video` from offset `cursor`.
///
/// ```
/// let u = adapters::tiktok::client::replies_url("73", "71", 0);
/// assert!(u.starts_with("https://www.tiktok.com/api/comment/list/reply/?aid=1988&"));
/// assert!(u.contains("&item_id=73&comment_id=71&cursor=0&count=20"));
/// ```
pub fn replies_url(video: &str, cid: &str, cursor: u64) -> String {
    format!(
        "https://www.tiktok.com/api/comment/list/reply/?aid=1988&app_name=tiktok_web&device_platform=web_pc\
         &item_id={video}&comment_id={cid}&cursor={cursor}&count={PAGE_SIZE}"
    )
}

/// Fetches `target` page by page, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let r = match resume {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => match serde_json::from_value::<Resume>(v) {
            Ok(r) => Some(r),
            Err(e) => {
                let e = Error::Checkpoint(format!("tiktok: unusable resume cursor: {e}"));
                return futures::stream::once(async move { Err(e) }).boxed();
            }
        },
    };
    futures::stream::unfold(Some(State { target, ctx, r }), |state| async move {
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

impl State {
    /// The video id and its page URL, following a short link when there is one.
    async fn start(&self) -> Result<Resume, Error> {
        let target = match self.target.params.get(PARAM_SHORT) {
            None => self.target.clone(),
            Some(short) => {
                let landed = self.ctx.http.final_url(short).await?;
                url::Url::parse(&landed)
                    .ok()
                    .and_then(|u| detect(&u))
                    .filter(|t| !t.params.contains_key(PARAM_SHORT))
                    .ok_or_else(|| Error::NotFound {
                        platform: PLATFORM.into(),
                        url: engine::redact_url(short),
                        detail: format!(
                            "the short link leads to {}, not a video",
                            engine::redact_url(&landed)
                        ),
                    })?
            }
        };
        Ok(Resume {
            video: target.id,
            referer: target.url,
            top_cursor: 0,
            top_done: false,
            threads: VecDeque::new(),
        })
    }

    async fn get(&self, url: &str, referer: &str) -> Result<TtPage, Error> {
        let resp = self
            .ctx
            .http
            .get_with_headers(
                url,
                &[
                    ("referer", referer),
                    ("accept", "application/json, text/plain, */*"),
                ],
            )
            .await?;
        parse_page(&resp.body, &resp.url)
    }

    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        let mut r = match self.r.take() {
            Some(r) => r,
            None => self.start().await?,
        };
        let o = &self.ctx.options;
        let replies = o.replies && o.limits.depth.is_none_or(|d| d >= 1);
        let mut out = Vec::new();
        if let Some(t) = r.threads.front().cloned() {
            let page = self
                .get(&replies_url(&r.video, &t.cid, t.cursor), &r.referer)
                .await?;
            for c in &page.comments {
                out.push(reply_record(c, &t.cid, &r.video, &self.target));
            }
            let advances = page.has_more && page.cursor > t.cursor && !page.comments.is_empty();
            match r.threads.front_mut() {
                Some(front) if advances => front.cursor = page.cursor,
                _ => {
                    r.threads.pop_front();
                }
            }
        } else if !r.top_done {
            let used = r.top_cursor;
            let page = self.get(&comments_url(&r.video, used), &r.referer).await?;
            for c in &page.comments {
                out.push(comment_record(c, &r.video, &self.target));
                if !replies {
                    continue;
                }
                for p in &c.previews {
                    out.push(reply_record(p, &c.cid, &r.video, &self.target));
                }
                if c.replies.unwrap_or(0) > c.previews.len() as u64 {
                    r.threads.push_back(Thread {
                        cid: c.cid.clone(),
                        cursor: 0,
                    });
                }
            }
            r.top_cursor = page.cursor;
            r.top_done = !(page.has_more && page.cursor > used && !page.comments.is_empty());
        } else {
            return Ok(None);
        }
        let done = r.top_done && r.threads.is_empty();
        let next = if done {
            None
        } else {
            Some(serde_json::to_value(&r).map_err(|e| Error::Checkpoint(e.to_string()))?)
        };
        self.r = Some(r);
        Ok(Some(Page::new(out, next)))
    }
}
