//! The fetch loop: pages of a business's listing, narrowed into per-star and
//! per-language listings when Trustpilot's page limit would hide reviews.

use std::collections::HashSet;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::StreamExt;
use url::Url;

use super::parse::{parse_page, ParsedPage};
use super::url::{is_language, parse_stars};
use super::views::{Position, View, PAGE_CAP};

/// Where the loop stands between two pages.
struct State {
    target: Target,
    ctx: FetchContext,
    pos: Position,
    /// `recency` or `relevance`.
    sort: &'static str,
    /// Review ids already exported by this fetch (narrower listings overlap
    /// the pages already read of the listing they replace).
    seen: HashSet<String>,
    /// Language codes offered by the current listing's first page.
    languages: Vec<String>,
    /// True until the first page of a fresh fetch is read (it gives the total).
    fresh: bool,
}

/// The first listing of `target`: its URL's filters, else the job's
/// `--param stars=…`/`--param languages=…`, else `--language`, else all.
fn first_view(target: &Target, ctx: &FetchContext) -> Result<View, Error> {
    let options = &ctx.options;
    let stars_text = target
        .params
        .get("stars")
        .map(String::as_str)
        .or_else(|| options.param("stars"));
    let mut stars = stars_text.map(parse_stars).unwrap_or_default();
    stars.sort_unstable();
    stars.dedup();
    if let Some(text) = stars_text {
        if stars.is_empty() {
            return Err(Error::Config(format!(
                "trustpilot: stars={text:?} names no rating from 1 to 5"
            )));
        }
    }
    let languages = target
        .params
        .get("languages")
        .map(String::as_str)
        .or_else(|| options.param("languages"))
        .or(options.language.as_deref())
        .unwrap_or("all")
        .trim()
        .to_ascii_lowercase();
    if !is_language(&languages) {
        return Err(Error::Config(format!(
            "trustpilot: languages={languages:?} is neither `all` nor a language code"
        )));
    }
    Ok(View { stars, languages })
}

/// The URL of page `page` of `view` on the target's host (the HTTP client
/// applies any `--base-url`).
pub(crate) fn page_url(
    target: &Target,
    view: &View,
    page: u64,
    sort: &str,
) -> Result<String, Error> {
    let mut url = Url::parse(&target.url).map_err(|e| Error::InvalidUrl {
        input: target.url.clone(),
        reason: e.to_string(),
    })?;
    url.query_pairs_mut().extend_pairs(view.query(page, sort));
    Ok(url.into())
}

/// Fetches every reachable review of `target`, starting at `resume` (a
/// [`Position`]) when given. See the [module docs](crate::trustpilot).
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let start = match resume {
        None | Some(serde_json::Value::Null) => first_view(&target, &ctx).map(|v| Position {
            views: vec![v],
            page: 1,
        }),
        Some(c) => serde_json::from_value::<Position>(c.clone())
            .ok()
            .filter(|p| !p.views.is_empty() && p.page >= 1)
            .ok_or_else(|| {
                Error::Checkpoint(format!(
                    "trustpilot: resume cursor must be {{\"views\":[…],\"page\":n}}, got {c}"
                ))
            }),
    };
    let fresh = !matches!(start, Ok(ref p) if p.page > 1 || p.views.len() > 1);
    let pos = match start {
        Ok(pos) => pos,
        Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
    };
    let sort = match ctx.options.sort {
        Sort::Top => "relevance",
        Sort::Newest | Sort::Updated => "recency",
    };
    let state = State {
        target,
        ctx,
        pos,
        sort,
        seen: HashSet::new(),
        languages: Vec::new(),
        fresh,
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

/// Why a page did not give reviews although the listing has more.
fn login_wall(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.contains("/users/connect") || lower.contains("/login")
}

impl State {
    /// The listing being read.
    fn view(&self) -> &View {
        &self.pos.views[0]
    }

    /// Fetches the page at `self.pos`; the returned page's `next` is the
    /// position after it (`None` at the end).
    async fn next_page(&mut self) -> Result<Page, Error> {
        let view = self.view().clone();
        let page_no = self.pos.page;
        let url = page_url(&self.target, &view, page_no, self.sort)?;
        let mut page = Page::new(Vec::new(), None);
        let fetched = match self.ctx.http.get(&url).await {
            Ok(r) if login_wall(&r.url) => None,
            Ok(r) => {
                let parsed = parse_page(&r.text(), &self.target, &r.url)?;
                match &parsed.redirect {
                    Some(to) if page_no == 1 => {
                        return Err(Error::Forbidden {
                            platform: "trustpilot".into(),
                            url: engine::redact_url(&url),
                            detail: format!("the page redirects to {to}"),
                        })
                    }
                    Some(_) => None,
                    None => Some(parsed),
                }
            }
            // Past its limit Trustpilot may refuse instead of redirecting.
            Err(Error::Forbidden { .. }) if page_no > 1 => None,
            Err(e) => return Err(e),
        };
        match fetched {
            None => self.wall(&mut page, page_no),
            Some(parsed) => self.take(parsed, &mut page, page_no),
        }
        if !self.pos.views.is_empty() {
            page.next = Some(serde_json::to_value(&self.pos).map_err(|e| {
                Error::Checkpoint(format!("trustpilot: cannot encode the cursor: {e}"))
            })?);
        }
        Ok(page)
    }

    /// A page the site would not serve (login redirect or refusal) at
    /// `page_no` of the current listing: narrow the listing if it can be,
    /// else say what was left behind, and go on with the next listing.
    fn wall(&mut self, page: &mut Page, page_no: u64) {
        let view = self.pos.views.remove(0);
        match view.split(&self.languages) {
            Some(children) => {
                page.notes.push(format!(
                    "Trustpilot stops serving pages past {} of a listing without a login; \
                     {} was read as {} narrower listings",
                    page_no - 1,
                    view.label(),
                    children.len()
                ));
                self.push_front(children);
            }
            None => page.notes.push(format!(
                "Trustpilot stops serving pages past {} of a listing without a login; \
                 reviews of {} beyond page {} were not reachable",
                page_no - 1,
                view.label(),
                page_no - 1
            )),
        }
        self.pos.page = 1;
    }

    /// Records of a served page, and where to go next.
    fn take(&mut self, parsed: ParsedPage, page: &mut Page, page_no: u64) {
        let pagination = parsed.pagination.unwrap_or_default();
        if page_no == 1 {
            self.languages = parsed.languages.clone();
            if self.fresh {
                page.total_hint = Some(pagination.total_count);
                self.fresh = false;
            }
        }
        let oldest = parsed
            .records
            .iter()
            .filter(|r| r.is_top_level())
            .filter_map(|r| r.created_at)
            .min();
        let mut keep = false;
        for r in parsed.records {
            // A reply follows its review: keep it exactly when the review is kept.
            if r.is_top_level() {
                keep = self.seen.insert(r.id.clone());
            }
            if keep {
                page.records.push(r);
            }
        }
        let view = self.view().clone();
        if page_no == 1 && pagination.total_pages > PAGE_CAP {
            if let Some(children) = view.split(&self.languages) {
                page.notes.push(format!(
                    "Trustpilot serves at most {PAGE_CAP} pages of a listing without a login; \
                     the {} reviews of {} were read as {} narrower listings",
                    pagination.total_count,
                    view.label(),
                    children.len()
                ));
                self.pos.views.remove(0);
                self.push_front(children);
                self.pos.page = 1;
                return;
            }
        }
        let past_since = self.sort == "recency"
            && matches!((oldest, self.ctx.options.since), (Some(o), Some(s)) if o < s);
        if parsed.reviews == 0 && page_no == 1 && pagination.total_count > 0 {
            page.notes.push(format!(
                "Trustpilot counted {} reviews for {} but served none on its first page",
                pagination.total_count,
                view.label()
            ));
            self.pos.views.remove(0);
        } else if parsed.reviews == 0 && page_no <= pagination.total_pages {
            // Trustpilot says the listing goes on but served nothing: a wall.
            self.wall(page, page_no);
        } else if parsed.reviews == 0 || page_no >= pagination.total_pages || past_since {
            self.pos.views.remove(0);
            self.pos.page = 1;
        } else {
            self.pos.page = page_no + 1;
        }
    }

    /// Puts `views` before the remaining listings, in order.
    fn push_front(&mut self, views: Vec<View>) {
        let rest = std::mem::take(&mut self.pos.views);
        self.pos.views = views;
        self.pos.views.extend(rest);
    }
}
