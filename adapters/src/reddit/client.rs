//! The fetch loop: the post's comment page, then every hidden part of the
//! tree (`morechildren` batches, "continue this thread" pages) with up to
//! `parallel_requests` requests in flight, one [`Page`] per response, in queue order.

use std::collections::VecDeque;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};

use super::api::Api;
use super::parse::{parse_morechildren, parse_thread};
use super::record::{post_record, SITE};
use super::tree::{Pending, Tree, MORECHILDREN_BATCH};
use super::url::{detect, PARAM_COMMENT, PARAM_POST, PARAM_SHARE, PARAM_SORT};

/// The resume cursor: the post and every piece of hidden tree not yet fetched.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Resume {
    post: String,
    pending: Vec<Pending>,
}

/// Records gathered into one page of hidden parts before it is emitted.
const PAGE_RECORDS: usize = 1000;

type InFlight = BoxFuture<'static, Result<engine::Response, Error>>;

/// Where the loop stands between two pages.
struct State {
    target: Target,
    ctx: FetchContext,
    api: Option<Api>,
    post: String,
    sort: String,
    tree: Option<Tree>,
    /// Work not yet emitted, oldest first; the first `launched` are in flight.
    queue: VecDeque<Pending>,
    inflight: FuturesOrdered<InFlight>,
    /// Queue items each in-flight request covers, in request order.
    units: VecDeque<usize>,
    launched: usize,
    resume: Option<Resume>,
    started: bool,
}

/// Fetches `target` page by page, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let resume = match resume {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => match serde_json::from_value::<Resume>(v) {
            Ok(r) => Some(r),
            Err(e) => {
                let err = Error::Checkpoint(format!("reddit: unusable resume cursor: {e}"));
                return futures::stream::once(async move { Err(err) }).boxed();
            }
        },
    };
    let sort = target
        .params
        .get(PARAM_SORT)
        .cloned()
        .unwrap_or_else(|| match ctx.options.sort {
            Sort::Newest => "new".to_string(),
            Sort::Top => "top".to_string(),
            Sort::Updated => "confidence".to_string(),
        });
    let state = State {
        post: target.params.get(PARAM_POST).cloned().unwrap_or_default(),
        target,
        ctx,
        api: None,
        sort,
        tree: None,
        queue: VecDeque::new(),
        inflight: FuturesOrdered::new(),
        units: VecDeque::new(),
        launched: 0,
        resume,
        started: false,
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
    fn wanted(&self, p: &Pending) -> bool {
        let o = &self.ctx.options;
        (o.replies || p.depth == 0) && o.limits.depth.is_none_or(|max| p.depth <= max)
    }

    fn cursor(&self) -> Option<Cursor> {
        if self.queue.is_empty() {
            return None;
        }
        let r = Resume {
            post: self.post.clone(),
            pending: self.queue.iter().cloned().collect(),
        };
        serde_json::to_value(r).ok()
    }

    /// Queues new work; ids Reddit left out of a truncated answer go right
    /// after the requests in flight, so they lead the next batch.
    fn enqueue(&mut self, pending: Vec<Pending>) {
        let mut front = self.launched.min(self.queue.len());
        for p in pending {
            if !self.wanted(&p) {
                continue;
            }
            if p.retry {
                self.queue.insert(front, p);
                front += 1;
            } else {
                self.queue.push_back(p);
            }
        }
    }

    async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        if !self.started {
            self.started = true;
            self.api = Some(Api::connect(self.ctx.clone()).await?);
            match self.resume.take() {
                Some(r) => {
                    self.post = r.post;
                    let focus = self.target.params.get(PARAM_COMMENT).cloned();
                    let mut tree = Tree::new(self.target.clone(), self.post.clone(), focus);
                    for p in &r.pending {
                        tree.seed(p);
                    }
                    self.tree = Some(tree);
                    self.queue = r.pending.into();
                }
                None => return self.first_page().await.map(Some),
            }
        }
        self.next_hidden().await
    }

    /// The post's page: the post record and the comments Reddit shows at once.
    async fn first_page(&mut self) -> Result<Page, Error> {
        let api = self.api.clone().ok_or(Error::Stopped)?;
        if let Some(share) = self.target.params.get(PARAM_SHARE).cloned() {
            self.post = resolve_share(&self.ctx, &share).await?;
        }
        let focus = self.target.params.get(PARAM_COMMENT).cloned();
        let url = api.thread_url(&self.post, focus.as_deref(), &self.sort);
        let resp = api.get(&url).await?;
        let thread = parse_thread(&resp.body, &resp.url)?;
        let mut tree = Tree::new(self.target.clone(), self.post.clone(), focus.clone());
        let mut records = Vec::new();
        let mut total = None;
        if let Some(post) = &thread.post {
            let mut r = post_record(&self.post, post, &self.target);
            if focus.is_none() {
                total = r.reply_count.map(|n| n + 1);
            }
            r.source_url = self.target.url.clone();
            records.push(r);
        }
        let built = tree.build(thread.things, None);
        records.extend(built.records);
        self.tree = Some(tree);
        self.enqueue(built.pending);
        let mut page = Page::new(records, self.cursor());
        page.total_hint = total;
        page.notes = built.notes;
        Ok(page)
    }

    /// The next page of hidden parts, keeping up to `parallel_requests`
    /// requests in flight; a page gathers responses until it holds
    /// [`PAGE_RECORDS`] records (the resume cursor, which lists every pending
    /// id, is then written once per page rather than once per response).
    async fn next_hidden(&mut self) -> Result<Option<Page>, Error> {
        let mut page = Page::new(Vec::new(), None);
        let mut any = false;
        while page.records.len() < PAGE_RECORDS {
            self.launch()?;
            let Some(resp) = self.inflight.next().await else {
                break;
            };
            let resp = resp?;
            let n = self.units.pop_front().unwrap_or(1);
            self.launched = self.launched.saturating_sub(n);
            let items: Vec<Pending> = self.queue.drain(..n.min(self.queue.len())).collect();
            let Some(first) = items.first() else { break };
            let things = if first.children.is_empty() {
                parse_thread(&resp.body, &resp.url)?.things
            } else {
                parse_morechildren(&resp.body, &resp.url)?
            };
            let tree = self.tree.as_mut().ok_or(Error::Stopped)?;
            for item in &items {
                tree.seed(item);
            }
            let built = tree.build(things, Some(first));
            self.enqueue(built.pending);
            page.records.extend(built.records);
            page.notes.extend(built.notes);
            any = true;
            if self.queue.is_empty() {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        page.next = self.cursor();
        Ok(Some(page))
    }

    /// Starts requests for queued work until `parallel_requests` are in flight.
    /// Consecutive `morechildren` items share a request (up to 100 ids:
    /// Reddit places every answer by its `parent_id`, whatever `more` it came from).
    fn launch(&mut self) -> Result<(), Error> {
        let api = self.api.clone().ok_or(Error::Stopped)?;
        let window = self.ctx.options.parallel_requests.max(1);
        while self.units.len() < window && self.launched < self.queue.len() {
            let first = &self.queue[self.launched];
            let (url, n) = if first.children.is_empty() {
                let parent = first.parent.as_deref().unwrap_or_default();
                (api.thread_url(&self.post, Some(parent), &self.sort), 1)
            } else {
                let mut ids: Vec<&str> = Vec::new();
                let mut n = 0;
                for p in self.queue.range(self.launched..) {
                    if p.children.is_empty() || ids.len() + p.children.len() > MORECHILDREN_BATCH {
                        break;
                    }
                    ids.extend(p.children.iter().map(String::as_str));
                    n += 1;
                }
                (api.morechildren_url(&self.post, &ids, &self.sort), n.max(1))
            };
            let api = api.clone();
            self.inflight
                .push_back(async move { api.get(&url).await }.boxed());
            self.units.push_back(n);
            self.launched += n;
        }
        Ok(())
    }
}

/// The post id a share link `/r/<sub>/s/<code>` redirects to.
async fn resolve_share(ctx: &FetchContext, share: &str) -> Result<String, Error> {
    let landed = ctx.http.final_url(share).await?;
    let bad = |reason: &str| Error::InvalidUrl {
        input: engine::redact_url(share),
        reason: reason.to_string(),
    };
    let mut url = url::Url::parse(&landed).map_err(|_| bad("share link led nowhere usable"))?;
    // Behind a --base-url override the landing URL names the override host: read its path.
    if url.host_str().is_some_and(|h| !h.ends_with("reddit.com")) {
        url = url::Url::parse(&format!("{SITE}{}", url.path()))
            .map_err(|_| bad("share link led nowhere usable"))?;
    }
    let target = detect(&url).ok_or_else(|| bad("share link does not lead to a post"))?;
    target
        .params
        .get(PARAM_POST)
        .cloned()
        .ok_or_else(|| bad("share link does not lead to a post"))
}
