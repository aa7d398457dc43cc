//! The fetch loop: top-level pages one after the other, each emitted with the
//! complete reply threads of its comments (fetched concurrently, kept in order).

use std::collections::HashSet;
use std::sync::Arc;

use engine::{Comment, Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::StreamExt;
use serde_json::Value;

use super::envelope::{self, Outcome};
use super::listing::{legacy_url, wbi_url, Position, LEGACY_PAGE_SIZE};
use super::parse::{legacy_page, main_page, Source};
use super::session::Session;
use super::thread;

/// Where the loop stands between two pages.
struct State {
    target: Target,
    ctx: FetchContext,
    session: Option<Arc<Session>>,
    position: Position,
    /// True while the position is the one the job started from (a fallback
    /// to the unsigned listing is only possible before the first page).
    fresh: bool,
    /// Top-level ids already emitted (pinned comments are listed twice).
    seen: HashSet<String>,
    /// Ids of the pinned comments exported, carried in every cursor.
    pinned: Vec<String>,
    /// Offsets already requested (an offset seen again would loop forever).
    offsets: HashSet<String>,
}

/// A top-level page, read from either listing.
struct Listed {
    tops: Vec<Comment>,
    next: Option<Position>,
    total: Option<u64>,
    notes: Vec<String>,
}

/// Fetches every page of `target`, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let (position, pinned, fresh) = match resume {
        None | Some(Value::Null) => (
            Position::Wbi {
                offset: String::new(),
            },
            Vec::new(),
            true,
        ),
        Some(c) => match Position::from_cursor(&c) {
            Ok((p, pinned)) => (p, pinned, false),
            Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
        },
    };
    let state = State {
        target,
        ctx,
        session: None,
        position,
        fresh,
        seen: pinned.iter().cloned().collect(),
        pinned,
        offsets: HashSet::new(),
    };
    futures::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next_page().await {
            Ok(page) => {
                let more = page.next.is_some();
                Some((Ok(page), more.then_some(state)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

impl State {
    async fn next_page(&mut self) -> Result<Page, Error> {
        let mut notes = Vec::new();
        let session = match &self.session {
            Some(s) => s.clone(),
            None => {
                let opened = Arc::new(Session::open(&self.target, self.ctx.clone()).await?);
                notes.extend(opened.notes.iter().cloned());
                self.session = Some(opened.clone());
                opened
            }
        };
        let listed = self.list(&session).await?;
        notes.extend(listed.notes);
        self.fresh = false;
        let mut tops: Vec<Comment> = listed
            .tops
            .into_iter()
            .filter(|c| self.seen.insert(c.id.clone()))
            .collect();
        for c in &tops {
            if c.extra.get("pinned") == Some(&Value::Bool(true)) {
                self.pinned.push(c.id.clone());
            }
        }
        let mut next = listed.next;
        if let (Sort::Newest, Some(since)) = (self.ctx.options.sort, self.ctx.options.since) {
            let oldest = tops
                .iter()
                .filter(|c| c.extra.get("pinned") != Some(&Value::Bool(true)))
                .filter_map(|c| c.created_at)
                .min();
            if oldest.is_some_and(|t| t < since) {
                next = None; // newest first: every later page is older still
            }
        }
        let options = &self.ctx.options;
        let want_replies = options.replies && options.limits.depth != Some(0);
        let mut records = Vec::with_capacity(tops.len());
        if want_replies {
            // Owned futures: a borrowed closure here is not `Send` for every lifetime.
            let jobs: Vec<_> = tops
                .iter()
                .map(|top| {
                    let (session, target, top) =
                        (session.clone(), self.target.clone(), top.clone());
                    async move {
                        // No `rcount` at all (a variant server): ask rather than lose replies.
                        if top.reply_count == Some(0) {
                            return Ok((Vec::new(), Vec::new()));
                        }
                        thread::fetch(&session, &target, &top).await
                    }
                })
                .collect();
            let threads: Vec<_> = futures::stream::iter(jobs)
                .buffered(options.parallel_requests.max(1))
                .collect()
                .await;
            for (top, thread) in tops.drain(..).zip(threads) {
                let (replies, thread_notes) = thread?;
                records.push(top);
                records.extend(replies);
                notes.extend(thread_notes);
            }
        } else {
            records = tops;
        }
        let mut page = Page::new(records, next.as_ref().map(|p| p.to_cursor(&self.pinned)));
        page.total_hint = listed.total;
        page.notes = notes;
        if let Some(p) = next {
            self.position = p;
        }
        Ok(page)
    }

    /// The top-level page at `self.position` (pinned first on the first page).
    async fn list(&mut self, session: &Session) -> Result<Listed, Error> {
        let offset = match self.position.clone() {
            Position::Legacy { pn } => return self.list_legacy(session, pn).await,
            Position::Wbi { offset } => offset,
        };
        let Some(keys) = session.keys.clone() else {
            if self.fresh {
                self.position = Position::Legacy { pn: 1 };
                let mut listed = self.list_legacy(session, 1).await?;
                listed
                    .notes
                    .push("no WBI keys from nav; used the unsigned /x/v2/reply listing".into());
                return Ok(listed);
            }
            return Err(Error::Forbidden {
                platform: super::PLATFORM.to_string(),
                url: "https://api.bilibili.com/x/web-interface/nav".to_string(),
                detail: "no WBI keys to continue the signed listing".to_string(),
            });
        };
        match self.list_wbi(session, &offset, &keys).await {
            Err(e) if self.fresh && falls_back(&e) => {
                tracing::debug!(error = %e, "wbi listing refused; using /x/v2/reply");
                self.position = Position::Legacy { pn: 1 };
                let mut listed = self.list_legacy(session, 1).await?;
                listed.notes.push(format!(
                    "signed listing refused ({}); used the unsigned /x/v2/reply listing",
                    e.kind()
                ));
                Ok(listed)
            }
            other => other,
        }
    }

    async fn list_wbi(
        &mut self,
        session: &Session,
        offset: &str,
        keys: &super::wbi::WbiKeys,
    ) -> Result<Listed, Error> {
        let wts = chrono::Utc::now().timestamp();
        let url = wbi_url(session.video.aid, self.ctx.options.sort, offset, keys, wts)
            .ok_or_else(|| Error::Config("bilibili: unusable WBI keys".to_string()))?;
        self.offsets.insert(offset.to_string());
        let resp = session.get(&url).await?;
        let data = match envelope::read(&resp.body, &resp.url)? {
            Outcome::Data(d) => d,
            Outcome::CommentsClosed(m) => return Ok(closed(m)),
            Outcome::Failed(e) => return Err(e),
        };
        let src = Source {
            target: &self.target,
            bvid: &session.video.bvid,
            url: &resp.url,
        };
        let page = main_page(&data, &src)?;
        if page.voucher {
            return Err(Error::Forbidden {
                platform: super::PLATFORM.to_string(),
                url: resp.url.clone(),
                detail: "v_voucher: signature refused".to_string(),
            });
        }
        let mut notes = Vec::new();
        let next = match page.next_offset.filter(|o| !o.is_empty()) {
            _ if page.is_end || page.replies.is_empty() => None,
            Some(o) if self.offsets.contains(&o) => {
                notes.push("Bilibili repeated a listing offset; stopped there".to_string());
                None
            }
            Some(o) => Some(Position::Wbi { offset: o }),
            None => {
                notes
                    .push("Bilibili sent no next offset before the end; stopped there".to_string());
                None
            }
        };
        Ok(Listed {
            tops: with_pinned(offset.is_empty(), page.pinned, page.replies),
            next,
            total: offset.is_empty().then_some(page.all_count).flatten(),
            notes,
        })
    }

    async fn list_legacy(&mut self, session: &Session, pn: u64) -> Result<Listed, Error> {
        let url = legacy_url(session.video.aid, self.ctx.options.sort, pn);
        let resp = session.get(&url).await?;
        let data = match envelope::read(&resp.body, &resp.url)? {
            Outcome::Data(d) => d,
            Outcome::CommentsClosed(m) => return Ok(closed(m)),
            Outcome::Failed(e) => return Err(e),
        };
        let src = Source {
            target: &self.target,
            bvid: &session.video.bvid,
            url: &resp.url,
        };
        let page = legacy_page(&data, &src)?;
        let size = page.size.filter(|s| *s > 0).unwrap_or(LEGACY_PAGE_SIZE);
        let got = page.replies.len() as u64;
        let done = got == 0
            || match page.count {
                Some(count) => pn.saturating_mul(size) >= count,
                None => got < size,
            };
        Ok(Listed {
            tops: with_pinned(pn <= 1, page.pinned, page.replies),
            next: (!done).then_some(Position::Legacy { pn: pn + 1 }),
            total: (pn <= 1).then_some(page.acount.or(page.count)).flatten(),
            notes: Vec::new(),
        })
    }
}

/// Pinned comments (first page only, marked) before the listed ones.
fn with_pinned(first: bool, pinned: Vec<Comment>, listed: Vec<Comment>) -> Vec<Comment> {
    let mut out = Vec::with_capacity(pinned.len() + listed.len());
    if first {
        for mut p in pinned {
            p.extra.insert("pinned".to_string(), Value::Bool(true));
            out.push(p);
        }
    }
    out.extend(listed);
    out
}

/// The page of a closed comment area: nothing, and a note saying why.
fn closed(message: String) -> Listed {
    Listed {
        tops: Vec::new(),
        next: None,
        total: Some(0),
        notes: vec![format!("comments are closed on this video ({message})")],
    }
}

/// Errors of the signed listing after which the unsigned one is worth trying:
/// refusals and a missing endpoint, never rate limiting.
fn falls_back(e: &Error) -> bool {
    matches!(e, Error::Forbidden { .. } | Error::NotFound { .. })
        || matches!(e, Error::Http { status, .. } if *status == 200 || *status == 400 || *status == 405)
}
