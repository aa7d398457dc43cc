//! The fetch loop: storefront after storefront, feed pages 1 to 10 each.

use engine::{Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::parse::parse_feed;
use super::storefronts;

/// Apple serves at most this many pages of a storefront's feed.
pub(crate) const MAX_PAGES: u32 = 10;

/// Reviews in a full feed page.
pub(crate) const PER_PAGE: usize = 50;

/// Storefronts listed by name in the "no reviews" note before it abbreviates.
const NAMED_EMPTY: usize = 12;

/// The feed URL of one page (real host; the HTTP client applies `--base-url`).
///
/// ```
/// assert_eq!(adapters::apple::feed_url("jp", 2, "1404176564", engine::Sort::Newest),
///     "https://itunes.apple.com/jp/rss/customerreviews/page=2/id=1404176564/sortby=mostrecent/json");
/// ```
pub fn feed_url(cc: &str, page: u32, id: &str, sort: Sort) -> String {
    let order = match sort {
        Sort::Top => "mosthelpful",
        Sort::Newest | Sort::Updated => "mostrecent",
    };
    format!(
        "https://itunes.apple.com/{cc}/rss/customerreviews/page={page}/id={id}/sortby={order}/json"
    )
}

/// The iTunes lookup URL that says whether app `id` exists in storefront `cc`.
fn lookup_url(cc: &str, id: &str) -> String {
    format!("https://itunes.apple.com/lookup?id={id}&country={cc}")
}

/// Where the loop stands; this is also the resume cursor.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Position {
    /// Storefront of the next request.
    storefront: String,
    /// Its page (1-based).
    page: u32,
    /// Reviews seen so far (to tell an empty app from an unknown one).
    reviews: u64,
    /// Storefronts whose feed had no review.
    #[serde(default)]
    empty: Vec<String>,
}

struct State {
    target: Target,
    ctx: FetchContext,
    storefronts: Vec<String>,
    index: usize,
    pos: Position,
    notes: Vec<String>,
}

/// Fetches every feed page of `target` in every storefront the job asks for,
/// starting after `resume` when given.
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
        let storefronts = storefronts::resolve(
            ctx.options.param("country"),
            target.params.get("country").map(String::as_str),
        )?;
        let mut notes = Vec::new();
        let (index, pos) = match resume {
            None | Some(Value::Null) => {
                if ctx.options.sort == Sort::Updated {
                    notes.push(
                        "Apple's feed has no 'updated' order; listed most recent first".into(),
                    );
                }
                let pos = Position {
                    storefront: storefronts[0].clone(),
                    page: 1,
                    reviews: 0,
                    empty: Vec::new(),
                };
                (0, pos)
            }
            Some(v) => {
                let pos: Position = serde_json::from_value(v.clone())
                    .map_err(|e| Error::Checkpoint(format!("apple: resume cursor {v}: {e}")))?;
                let index = storefronts
                    .iter()
                    .position(|s| *s == pos.storefront)
                    .filter(|_| (1..=MAX_PAGES).contains(&pos.page))
                    .ok_or_else(|| {
                        Error::Checkpoint(format!(
                            "apple: resume cursor {v} does not fit the storefronts {storefronts:?}"
                        ))
                    })?;
                (index, pos)
            }
        };
        Ok(State {
            target,
            ctx,
            storefronts,
            index,
            pos,
            notes,
        })
    }

    /// Fetches the page at `self.pos`; its `next` is `None` after the last one.
    async fn next_page(&mut self) -> Result<Page, Error> {
        let options = self.ctx.options.clone();
        let cc = self.pos.storefront.clone();
        let url = feed_url(&cc, self.pos.page, &self.target.id, options.sort);
        let parsed = match self.ctx.http.get(&url).await {
            Ok(resp) => parse_feed(&resp.body, &self.target, &cc, &resp.url)?,
            // A storefront where the app is not sold may answer 404: no reviews there.
            Err(Error::NotFound { .. }) => Default::default(),
            Err(e) => return Err(e),
        };
        let n = parsed.records.len();
        let mut done = n == 0 || self.pos.page >= MAX_PAGES;
        if n == 0 && self.pos.page == 1 {
            self.pos.empty.push(cc.clone());
        }
        if self.pos.page >= MAX_PAGES && n >= PER_PAGE {
            self.notes.push(format!(
                "storefront {cc} capped at {MAX_PAGES} pages × {PER_PAGE} reviews by Apple's feed; older reviews are not served"
            ));
        }
        if let (Sort::Newest, Some(since)) = (options.sort, options.since) {
            let oldest = parsed.records.iter().filter_map(|r| r.created_at).min();
            done |= oldest.is_some_and(|t| t < since);
        }
        self.pos.reviews += n as u64;
        if done {
            self.index += 1;
            self.pos.page = 1;
            if let Some(next) = self.storefronts.get(self.index) {
                self.pos.storefront = next.clone();
            }
        } else {
            self.pos.page += 1;
        }
        let mut page = Page::new(parsed.records, None);
        if self.index < self.storefronts.len() {
            page.next = Some(serde_json::to_value(&self.pos).unwrap_or(Value::Null));
        } else {
            self.finish().await?;
        }
        page.notes = std::mem::take(&mut self.notes);
        Ok(page)
    }

    /// After the last page: an app without any review anywhere is looked up
    /// (unknown → `NotFound`); storefronts without reviews are noted.
    async fn finish(&mut self) -> Result<(), Error> {
        let empty = &self.pos.empty;
        if self.pos.reviews == 0 {
            let mut found = None;
            for cc in &self.storefronts {
                if self.exists_in(cc).await? {
                    found = Some(cc.clone());
                    break;
                }
            }
            let Some(cc) = found else {
                return Err(Error::NotFound {
                    platform: "apple".into(),
                    url: self.target.url.clone(),
                    detail: format!(
                        "the iTunes lookup knows no app {} in {}",
                        self.target.id,
                        listed(&self.storefronts)
                    ),
                });
            };
            self.notes.push(format!(
                "no reviews in the App Store feed of {} (the app exists in storefront {cc})",
                listed(&self.storefronts)
            ));
        } else if !empty.is_empty() {
            self.notes.push(format!(
                "no reviews in {} of {} storefronts: {}",
                empty.len(),
                self.storefronts.len(),
                listed(empty)
            ));
        }
        Ok(())
    }

    /// `GET /lookup?id=…&country=…`: whether the app is sold in `cc`.
    async fn exists_in(&self, cc: &str) -> Result<bool, Error> {
        let url = lookup_url(cc, &self.target.id);
        let resp = match self.ctx.http.get(&url).await {
            Ok(r) => r,
            Err(Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let body: Value = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::parse("apple", &resp.url, format!("lookup: {e}"), &resp.text(), 0)
        })?;
        match body.get("resultCount").and_then(Value::as_u64) {
            Some(n) => Ok(n > 0),
            None => Err(Error::parse(
                "apple",
                &resp.url,
                "lookup: no numeric `resultCount`",
                &resp.text(),
                0,
            )),
        }
    }
}

/// `jp, us` or, for many, the first few and a count.
fn listed(codes: &[String]) -> String {
    if codes.len() <= NAMED_EMPTY {
        codes.join(", ")
    } else {
        format!(
            "{}, … ({} more)",
            codes[..NAMED_EMPTY].join(", "),
            codes.len() - NAMED_EMPTY
        )
    }
}
