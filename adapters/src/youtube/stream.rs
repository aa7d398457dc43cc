//! The job's page stream. Top-level pages are a serial chain; each thread's
//! replies are an independent chain. Threads become futures run by
//! `buffered(window)`, which keeps their order, so reply chains of several
//! threads (and the next top-level pages, pulled as the buffer drains) are in
//! progress at once while the output stays in listing order; requests in
//! flight are bounded by `parallel_requests` (see [`reply_chains`]). One
//! [`Page`] is emitted per top-level page once all its threads are complete.

use std::collections::HashSet;
use std::sync::Arc;

use engine::{Comment, Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::future::{ready, BoxFuture};
use futures::{stream, FutureExt, StreamExt};
use serde_json::{json, Value};

use super::parse::{Thread, TopPage};
use super::replies::{complete_thread, Keep};
use super::session::Session;
use super::watch::Entry;

/// One unit of work, in output order.
enum Unit {
    /// A thread whose replies are to be fetched.
    Thread(Arc<Session>, Box<Thread>),
    /// The end of a top-level page: emit a [`Page`] with this cursor.
    End {
        next: Option<Cursor>,
        total: Option<u64>,
        notes: Vec<String>,
    },
    /// The top-level chain failed.
    Fail(Error),
}

/// A finished unit.
enum Done {
    Records(Vec<Comment>),
    End {
        next: Option<Cursor>,
        total: Option<u64>,
        notes: Vec<String>,
    },
}

/// Threads that may wait for output at once (the reorder window). It is
/// wider than the number of active reply chains so that a thread with
/// hundreds of replies (a long serial chain) does not stall the threads
/// behind it; it bounds memory, whatever the number of comments.
fn reorder_window(parallel_requests: usize) -> usize {
    (parallel_requests.max(1) * 64).clamp(64, 1024)
}

/// Reply chains fetching at once: the top-level chain takes one of the
/// job's `parallel_requests` (when there are two or more), the rest go to
/// threads. Each chain has one request in flight at a time, and a chain
/// keeps its slot until it is exhausted, so a long chain is never queued
/// behind others between two of its pages.
fn reply_chains(parallel_requests: usize) -> usize {
    parallel_requests.saturating_sub(1).max(1)
}

/// The resume cursor after a page: the sort and the next top-level token.
fn cursor(sort: Sort, token: &str) -> Cursor {
    let s = if sort == Sort::Top { "top" } else { "new" };
    json!({"sort": s, "token": token})
}

/// Where the top-level chain stands.
struct Top {
    target: Target,
    ctx: FetchContext,
    /// Token from a resume cursor, used instead of the sort's first token.
    resume: Option<String>,
    session: Option<Arc<Session>>,
    token: Option<String>,
    /// Tokens already sent (a repeated token would loop).
    sent: HashSet<String>,
    /// Ids of pinned threads: Newest lists a pinned thread again at its
    /// place in time, and only the first (pinned) occurrence is exported.
    pinned: HashSet<String>,
    finished: bool,
}

/// Starts the stream for `target`, after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let resume = match resume {
        None | Some(Value::Null) => None,
        Some(c) => match c.get("token").and_then(Value::as_str) {
            Some(t) if !t.is_empty() => Some(t.to_string()),
            _ => {
                let e = Error::Checkpoint(format!(
                    "youtube: resume cursor must be {{\"sort\":…,\"token\":…}}, got {c}"
                ));
                return stream::once(ready(Err(e))).boxed();
            }
        },
    };
    let keep = Keep::of(&ctx.options);
    let window = reorder_window(ctx.options.parallel_requests);
    let slots = Arc::new(tokio::sync::Semaphore::new(reply_chains(
        ctx.options.parallel_requests,
    )));
    let top = Top {
        target,
        ctx,
        resume,
        session: None,
        token: None,
        sent: HashSet::new(),
        pinned: HashSet::new(),
        finished: false,
    };
    let units = stream::unfold(top, |mut top| async move {
        if top.finished {
            return None;
        }
        let units = match top.step().await {
            Ok(units) => units,
            Err(e) => {
                top.finished = true;
                vec![Unit::Fail(e)]
            }
        };
        Some((stream::iter(units), top))
    })
    .flatten();
    let done = units
        .map(move |unit| -> BoxFuture<'static, Result<Done, Error>> {
            match unit {
                Unit::Thread(session, thread) => {
                    let slots = slots.clone();
                    async move {
                        // A thread without replies to fetch needs no slot
                        // (and does not queue behind chains that do).
                        let fetches = keep.replies && thread.replies.is_some();
                        // The semaphore is never closed, so this only waits.
                        let _slot = match fetches {
                            true => slots.acquire().await.ok(),
                            false => None,
                        };
                        complete_thread(session, *thread, keep)
                            .await
                            .map(Done::Records)
                    }
                    .boxed()
                }
                Unit::End { next, total, notes } => {
                    ready(Ok(Done::End { next, total, notes })).boxed()
                }
                Unit::Fail(e) => ready(Err(e)).boxed(),
            }
        })
        .buffered(window);
    regroup(done.boxed())
}

/// Gathers finished threads into one [`Page`] per top-level page.
fn regroup(done: stream::BoxStream<'static, Result<Done, Error>>) -> PageStream {
    stream::unfold((done, false), |(mut done, failed)| async move {
        if failed {
            return None;
        }
        let mut records = Vec::new();
        loop {
            match done.next().await? {
                Ok(Done::Records(r)) => records.extend(r),
                Ok(Done::End { next, total, notes }) => {
                    let mut page = Page::new(records, next);
                    page.total_hint = total;
                    page.notes = notes;
                    return Some((Ok(page), (done, false)));
                }
                Err(e) => return Some((Err(e), (done, true))),
            }
        }
    })
    .boxed()
}

impl Top {
    /// The units of the next top-level page (the first call reads the watch page).
    async fn step(&mut self) -> Result<Vec<Unit>, Error> {
        let session = match &self.session {
            Some(s) => s.clone(),
            None => return self.start().await,
        };
        let Some(token) = self.token.take() else {
            self.finished = true;
            return Ok(Vec::new());
        };
        let page = session.top_page(&token).await?;
        Ok(self.units(&session, page, Vec::new()))
    }

    /// Reads the watch page and the first page in the job's sort.
    async fn start(&mut self) -> Result<Vec<Unit>, Error> {
        let session = Arc::new(Session::open(self.target.clone(), self.ctx.clone()).await?);
        self.session = Some(session.clone());
        let (section, sort) = match &session.watch.entry {
            Entry::Disabled(reason) => {
                self.finished = true;
                return Ok(vec![end(None, None, vec![reason.clone()])]);
            }
            Entry::Comments { section, sort } => (section.clone(), sort.clone()),
        };
        if let Some(token) = self.resume.take() {
            self.sent.insert(token.clone());
            let page = session.top_page(&token).await?;
            return Ok(self.units(&session, page, Vec::new()));
        }
        let newest = self.ctx.options.sort == Sort::Newest;
        let first = if newest { sort.newest } else { sort.top };
        if let Some(token) = first {
            self.sent.insert(token.clone());
            let page = session.top_page(&token).await?;
            return Ok(self.units(&session, page, Vec::new()));
        }
        // No menu on the watch page: the section's first page (Top) carries
        // the menu in its header.
        self.sent.insert(section.clone());
        let page = session.top_page(&section).await?;
        if !newest {
            return Ok(self.units(&session, page, Vec::new()));
        }
        match page.sort.newest.clone() {
            Some(token) if !self.sent.contains(&token) => {
                self.sent.insert(token.clone());
                let page = session.top_page(&token).await?;
                Ok(self.units(&session, page, Vec::new()))
            }
            _ => {
                let note = "YouTube offered no Newest sort for this video; exported in its default (Top) order".to_string();
                Ok(self.units(&session, page, vec![note]))
            }
        }
    }

    /// Threads of `page` (pinned repeats dropped) and its end marker.
    fn units(
        &mut self,
        session: &Arc<Session>,
        page: TopPage,
        mut notes: Vec<String>,
    ) -> Vec<Unit> {
        let mut units = Vec::with_capacity(page.threads.len() + 1);
        if page.threads.is_empty() {
            if let Some(m) = page.message.filter(|m| !m.trim().is_empty()) {
                notes.push(m.trim().to_string());
            }
        }
        let mut oldest = None;
        for thread in page.threads {
            let id = thread.comment.id.clone();
            if thread.pinned {
                self.pinned.insert(id);
            } else if self.pinned.contains(&id) {
                continue;
            } else {
                oldest = match (oldest, thread.comment.created_at) {
                    (Some(o), Some(t)) => Some(std::cmp::min(o, t)),
                    (o, t) => o.or(t),
                };
            }
            units.push(Unit::Thread(session.clone(), Box::new(thread)));
        }
        let mut next = page
            .next
            .filter(|t| !t.is_empty() && !self.sent.contains(t));
        let options = &self.ctx.options;
        if let (Sort::Newest, Some(since), Some(oldest)) = (options.sort, options.since, oldest) {
            if oldest < since {
                next = None; // everything after is older still
            }
        }
        match &next {
            Some(t) => {
                self.sent.insert(t.clone());
                self.token = Some(t.clone());
            }
            None => self.finished = true,
        }
        let cursor = next.map(|t| cursor(options.sort, &t));
        units.push(end(cursor, page.total, notes));
        units
    }
}

fn end(next: Option<Cursor>, total: Option<u64>, notes: Vec<String>) -> Unit {
    Unit::End { next, total, notes }
}
