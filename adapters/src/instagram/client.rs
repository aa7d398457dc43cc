//! The fetch loop: the post's pages of top-level comments, and after each page
//! the replies of its comments that have more than the preview shows (one
//! thread at a time: tail pages by `max_id`, then head pages by `min_id`).

use std::collections::VecDeque;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Target};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::api::{check_session, child_comments_url, comments_url, get, TopCursor};
use super::record::{comment_record, post_record, reply_record};
use super::url::media_id;
use super::wire::{parse_child_comments, parse_comments};

/// Where a reply thread stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Thread {
    comment: String,
    started: bool,
    next: Option<TopCursor>,
    /// The head cursor of the first page, read after the tail.
    head: Option<String>,
}

/// The resume cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Resume {
    media: String,
    top_started: bool,
    top_next: Option<TopCursor>,
    top_done: bool,
    threads: VecDeque<Thread>,
}

struct State {
    target: Target,
    ctx: FetchContext,
    r: Resume,
    checked: bool,
}

/// Fetches `target` page by page, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let Some(media) = media_id(&target.id) else {
        let e = Error::InvalidUrl {
            input: target.url.clone(),
            reason: "the shortcode is not a media id".into(),
        };
        return futures::stream::once(async move { Err(e) }).boxed();
    };
    let r = match resume {
        None | Some(serde_json::Value::Null) => Resume {
            media: media.to_string(),
            top_started: false,
            top_next: None,
            top_done: false,
            threads: VecDeque::new(),
        },
        Some(v) => match serde_json::from_value::<Resume>(v) {
            Ok(r) if r.media == media.to_string() => r,
            _ => {
                let e = Error::Checkpoint("instagram: unusable resume cursor".into());
                return futures::stream::once(async move { Err(e) }).boxed();
            }
        },
    };
    let state = State {
        target,
        ctx,
        r,
        checked: false,
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

impl State {
    fn wants_replies(&self) -> bool {
        let o = &self.ctx.options;
        o.replies && o.limits.depth.is_none_or(|d| d >= 1)
    }

    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        if !self.checked {
            check_session(&self.ctx, &self.target.url)?;
            self.checked = true;
        }
        let records = if !self.r.threads.is_empty() {
            self.thread_page().await?
        } else if !self.r.top_done {
            self.top_page().await?
        } else {
            return Ok(None);
        };
        let done = self.r.top_done && self.r.threads.is_empty();
        let next = if done {
            None
        } else {
            Some(serde_json::to_value(&self.r).map_err(|e| Error::Checkpoint(e.to_string()))?)
        };
        Ok(Some(Page::new(records, next)))
    }

    async fn top_page(&mut self) -> Result<Vec<engine::Comment>, Error> {
        let used = self.r.top_next.clone();
        let url = comments_url(&self.r.media, used.as_ref());
        let resp = get(&self.ctx.http, &url, &self.target.url).await?;
        let page = parse_comments(&resp.body, &resp.url)?;
        let first = !self.r.top_started;
        self.r.top_started = true;
        let mut out = Vec::new();
        if first {
            out.push(post_record(
                page.caption.as_ref(),
                &self.r.media,
                page.comment_count,
                &self.target,
            ));
        }
        let replies = self.wants_replies();
        for c in &page.comments {
            out.push(comment_record(c, &self.target));
            if !replies {
                continue;
            }
            for p in &c.previews {
                out.push(reply_record(p, &c.pk, &self.target));
            }
            if c.child_count.unwrap_or(0) > c.previews.len() as u64 {
                self.r.threads.push_back(Thread {
                    comment: c.pk.clone(),
                    started: false,
                    next: None,
                    head: None,
                });
            }
        }
        self.r.top_next = match (&page.next_max_id, &page.next_min_id) {
            _ if page.comments.is_empty() && !first => None,
            (Some(m), _) => Some(TopCursor::Max(m.clone())),
            (None, Some(m)) => Some(TopCursor::Min(m.clone())),
            (None, None) => None,
        };
        // The same cursor twice would loop forever.
        if self.r.top_next.is_some() && self.r.top_next == used {
            self.r.top_next = None;
        }
        self.r.top_done = self.r.top_next.is_none();
        Ok(out)
    }

    async fn thread_page(&mut self) -> Result<Vec<engine::Comment>, Error> {
        let Some(t) = self.r.threads.front().cloned() else {
            return Ok(Vec::new());
        };
        let url = child_comments_url(&self.r.media, &t.comment, t.next.as_ref());
        let resp = get(&self.ctx.http, &url, &self.target.url).await?;
        let page = parse_child_comments(&resp.body, &resp.url)?;
        let out: Vec<engine::Comment> = page
            .children
            .iter()
            .map(|c| reply_record(c, &t.comment, &self.target))
            .collect();
        let next = if page.children.is_empty() {
            None
        } else {
            match (&t.next, page.next_max, page.next_min) {
                // First page: the tail first, the head remembered.
                (None, Some(max), min) => Some((Some(TopCursor::Max(max)), min)),
                (None, None, Some(min)) => Some((Some(TopCursor::Min(min)), None)),
                (Some(TopCursor::Max(_)), Some(max), _) => {
                    Some((Some(TopCursor::Max(max)), t.head.clone()))
                }
                (Some(TopCursor::Max(_)), None, _) => {
                    t.head.clone().map(|h| (Some(TopCursor::Min(h)), None))
                }
                (Some(TopCursor::Min(_)), _, Some(min)) => Some((Some(TopCursor::Min(min)), None)),
                _ => None,
            }
        };
        match next.filter(|(c, _)| c.is_some() && *c != t.next) {
            Some((cursor, head)) => {
                if let Some(front) = self.r.threads.front_mut() {
                    front.started = true;
                    front.next = cursor;
                    front.head = head;
                }
            }
            None => {
                self.r.threads.pop_front();
            }
        }
        Ok(out)
    }
}
