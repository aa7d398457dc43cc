//! The fetch loop: one session, then reviews pages followed token by token,
//! listing after listing (one per star filter).

use engine::{Cursor, Error, FetchContext, Page, PageStream, Target};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::envelope::Answer;
use super::parse::{parse_payload, Listed, ReviewsPage};
use super::plan::{plan, Plan};
use super::request::{PlaySort, ReviewsQuery, Rpc};
use super::session::Session;

/// Reviews asked per call.
pub(crate) const PAGE_SIZE: u32 = 100;

/// The resume cursor: the call to make next.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Position {
    rpc: String,
    listing: usize,
    token: Option<String>,
    reviews: u64,
}

/// Why a call gave no page.
enum Failure {
    /// The RPC answered with a status code.
    Status(i64, String),
    /// No frame for the RPC in the answer.
    Missing(String),
    /// Transport, HTTP status or parse error.
    Error(Error),
}

struct State {
    target: Target,
    ctx: FetchContext,
    plan: Plan,
    session: Option<Session>,
    rpc: Rpc,
    listing: usize,
    token: Option<String>,
    reviews: u64,
    /// No call made yet in this job (the RPC fallback is decided on the first).
    fresh: bool,
    /// `token` came from a checkpoint (a new session may not accept it).
    resumed: bool,
    notes: Vec<String>,
}

/// Fetches every review of `target`, starting after `resume` when given.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    match State::new(target, ctx, resume) {
        Ok(state) => futures::stream::unfold(Some(state), |state| async move {
            let mut state = state?;
            match state.next_page().await {
                Ok(page) => {
                    let more = !page.is_last();
                    Some((Ok(page), more.then_some(state)))
                }
                Err(e) => Some((Err(e), None)),
            }
        })
        .boxed(),
        Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
    }
}

impl State {
    fn new(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> Result<State, Error> {
        let mut plan = plan(&target, &ctx.options)?;
        let mut state = State {
            notes: std::mem::take(&mut plan.notes),
            target,
            ctx,
            plan,
            session: None,
            rpc: Rpc::Current,
            listing: 0,
            token: None,
            reviews: 0,
            fresh: true,
            resumed: false,
        };
        match resume {
            None | Some(Value::Null) => state.notes.push(format!(
                "reviews listed for hl={}, gl={} (Google Play lists one language and country at a time)",
                state.plan.hl, state.plan.gl
            )),
            Some(v) => {
                let pos: Position = serde_json::from_value(v.clone())
                    .map_err(|e| Error::Checkpoint(format!("googleplay: resume cursor {v}: {e}")))?;
                let rpc = Rpc::from_id(&pos.rpc).filter(|_| pos.listing < state.plan.stars.len());
                let Some(rpc) = rpc else {
                    return Err(Error::Checkpoint(format!(
                        "googleplay: resume cursor {v} does not fit this job"
                    )));
                };
                state.rpc = rpc;
                state.listing = pos.listing;
                state.resumed = pos.token.is_some();
                state.token = pos.token;
                state.reviews = pos.reviews;
                state.fresh = false;
            }
        }
        Ok(state)
    }

    /// The next page; its `next` is `None` after the last one.
    async fn next_page(&mut self) -> Result<Page, Error> {
        if self.session.is_none() {
            let s = Session::open(
                &self.target,
                self.ctx.clone(),
                self.plan.hl.clone(),
                self.plan.gl.clone(),
            )
            .await?;
            self.session = Some(s);
        }
        let page = self.call_with_recovery().await?;
        let n = page.reviews;
        self.reviews += n as u64;
        let options = self.ctx.options.clone();
        let repeated = page.token.is_some() && page.token == self.token;
        let mut listing_done = page.token.is_none() || n == 0 || repeated;
        if n == 0 && page.token.is_some() {
            self.notes.push("Google Play sent a page without reviews but with a token; stopped that listing there".into());
        }
        if let (PlaySort::Newest, Some(since)) = (self.plan.sort, options.since) {
            let oldest = page
                .records
                .iter()
                .filter(|r| r.is_top_level())
                .filter_map(|r| r.created_at)
                .min();
            listing_done |= oldest.is_some_and(|t| t < since);
        }
        if listing_done {
            self.listing += 1;
            self.token = None;
        } else {
            self.token = page.token;
        }
        let mut out = Page::new(page.records, None);
        if self.listing < self.plan.stars.len() {
            let pos = Position {
                rpc: self.rpc.id().to_string(),
                listing: self.listing,
                token: self.token.clone(),
                reviews: self.reviews,
            };
            out.next = Some(serde_json::to_value(pos).unwrap_or(Value::Null));
        } else if self.reviews == 0 {
            let missing = self.session.as_ref().is_some_and(|s| s.details_missing);
            if missing {
                return Err(Error::NotFound {
                    platform: "googleplay".into(),
                    url: self.target.url.clone(),
                    detail: "no details page and no reviews for this package".into(),
                });
            }
            self.notes.push(format!(
                "no reviews listed for hl={}, gl={}",
                self.plan.hl, self.plan.gl
            ));
        }
        if let Some(s) = self.session.as_mut() {
            self.notes.append(&mut s.notes);
        }
        out.notes = std::mem::take(&mut self.notes);
        Ok(out)
    }

    /// One call, with the two recoveries the protocol needs: a token from a
    /// checkpoint refused by the new session restarts its listing (dedup
    /// skips what was already exported), and a first call refused as an
    /// unknown RPC retries with the older `UsvDTd`.
    async fn call_with_recovery(&mut self) -> Result<ReviewsPage, Error> {
        let first = self.call(self.rpc).await;
        let failure = match first {
            Ok(page) => {
                self.fresh = false;
                self.resumed = false;
                return Ok(page);
            }
            Err(f) => f,
        };
        if self.resumed && token_refused(&failure) {
            self.resumed = false;
            self.token = None;
            self.notes.push("the checkpoint's continuation token was refused by the new session; that listing restarted from its first page (reviews already exported are skipped)".into());
            return self.call(self.rpc).await.map_err(|f| self.error(f));
        }
        if self.fresh && self.rpc == Rpc::Current && rpc_unknown(&failure) {
            self.fresh = false;
            if let Ok(page) = self.call(Rpc::Legacy).await {
                self.rpc = Rpc::Legacy;
                self.notes
                    .push("the oCPfdb reviews RPC was refused; used the older UsvDTd".into());
                return Ok(page);
            }
        }
        Err(self.error(failure))
    }

    async fn call(&mut self, rpc: Rpc) -> Result<ReviewsPage, Failure> {
        let q = ReviewsQuery {
            package: &self.target.id,
            sort: self.plan.sort,
            count: PAGE_SIZE,
            star: self.plan.stars[self.listing],
            token: self.token.as_deref(),
        };
        let session = self.session.as_mut().expect("the session is open");
        let (answer, resp) = session.call(rpc, &q).await.map_err(Failure::Error)?;
        let listed = Listed {
            hl: &self.plan.hl,
            gl: &self.plan.gl,
            replies: self.ctx.options.replies,
        };
        match answer {
            Answer::Payload(p) => {
                parse_payload(&p, rpc, &self.target, &resp.url, listed).map_err(Failure::Error)
            }
            Answer::Status(code) => Err(Failure::Status(code, resp.url)),
            Answer::Missing => Err(Failure::Missing(resp.url)),
        }
    }

    /// The typed error of a failure of `self.rpc`.
    fn error(&self, f: Failure) -> Error {
        let rpc = self.rpc.id();
        let platform = "googleplay".to_string();
        match f {
            Failure::Error(e) => e,
            Failure::Missing(url) => Error::parse(
                "googleplay",
                &url,
                format!("the answer has no wrb.fr frame for {rpc}"),
                "",
                0,
            ),
            Failure::Status(5, url) => Error::NotFound {
                platform,
                url,
                detail: format!("{rpc} answered status 5 (not found)"),
            },
            Failure::Status(7 | 16, url) => Error::Forbidden {
                platform,
                url,
                detail: format!("{rpc} answered status 7/16 (permission denied)"),
            },
            Failure::Status(8, url) => Error::RateLimited {
                platform,
                url,
                retry_after: None,
            },
            Failure::Status(code, url) => Error::Http {
                status: 200,
                url,
                excerpt: format!("{rpc} refused with status {code}"),
            },
        }
    }
}

/// A refused token: status 3 (invalid argument) or HTTP 400.
fn token_refused(f: &Failure) -> bool {
    matches!(
        f,
        Failure::Status(3, _) | Failure::Error(Error::Http { status: 400, .. })
    )
}

/// What an unknown RPC looks like: no frame, HTTP 400, or a status that is
/// not about the app (not found, permission, quota).
fn rpc_unknown(f: &Failure) -> bool {
    match f {
        Failure::Missing(_) => true,
        Failure::Status(code, _) => !matches!(code, 5 | 7 | 8 | 16),
        Failure::Error(Error::Http { status: 400, .. }) => true,
        Failure::Error(_) => false,
    }
}
