//! The fetch loop: pages of `appreviews` followed cursor by cursor.

use std::collections::HashSet;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Sort, Target};
use futures::StreamExt;
use url::Url;

use super::language::steam_name;
use super::parse::parse_page;

/// Cursor of the first page.
pub(crate) const FIRST_CURSOR: &str = "*";

/// Reviews asked per page (Steam's maximum).
pub(crate) const PER_PAGE: u32 = 100;

/// `day_range` that lifts the one-year window Steam applies to `filter=all`.
const ALL_DAYS: &str = "9223372036854775807";

/// Where the loop stands between two pages.
struct State {
    target: Target,
    ctx: FetchContext,
    /// The cursor to send next.
    cursor: String,
    /// Every cursor sent so far (a cursor seen again would loop forever).
    sent: HashSet<String>,
}

/// The `appreviews` URL of one page (real Steam host; the HTTP client applies
/// any `--base-url`). The cursor is form-encoded, so `+`, `/` and `=` survive
/// as `%2B`, `%2F` and `%3D`.
pub(crate) fn request_url(
    appid: &str,
    cursor: &str,
    sort: Sort,
    language: Option<&str>,
) -> Result<String, Error> {
    let filter = match sort {
        Sort::Newest => "recent",
        Sort::Updated => "updated",
        Sort::Top => "all",
    };
    let language = language.map_or_else(|| "all".to_string(), steam_name);
    let base = format!("https://store.steampowered.com/appreviews/{appid}");
    let mut url = Url::parse(&base).map_err(|e| Error::InvalidUrl {
        input: base.clone(),
        reason: e.to_string(),
    })?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("json", "1")
            .append_pair("cursor", cursor)
            .append_pair("num_per_page", &PER_PAGE.to_string())
            .append_pair("filter", filter)
            .append_pair("language", &language)
            .append_pair("review_type", "all")
            .append_pair("purchase_type", "all");
        if filter == "all" {
            q.append_pair("day_range", ALL_DAYS);
        }
    }
    Ok(url.into())
}

/// Fetches every page of `target`, starting after `resume` (a cursor string)
/// when given. See the module docs of [`crate::steam`] for the end conditions.
pub(crate) fn fetch(target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
    let cursor = match resume {
        None | Some(serde_json::Value::Null) => FIRST_CURSOR.to_string(),
        Some(serde_json::Value::String(s)) if !s.is_empty() => s,
        Some(other) => {
            let err = Error::Checkpoint(format!(
                "steam: resume cursor must be a non-empty string, got {other}"
            ));
            return futures::stream::once(async move { Err(err) }).boxed();
        }
    };
    let state = State {
        target,
        ctx,
        cursor,
        sent: HashSet::new(),
    };
    futures::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next_page().await {
            Ok((page, more)) => Some((Ok(page), more.then_some(state))),
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

impl State {
    /// Fetches the page at `self.cursor`; returns it and whether another follows.
    async fn next_page(&mut self) -> Result<(Page, bool), Error> {
        let options = self.ctx.options.clone();
        let cursor = std::mem::take(&mut self.cursor);
        let url = request_url(
            &self.target.id,
            &cursor,
            options.sort,
            options.language.as_deref(),
        )?;
        self.sent.insert(cursor);
        let response = self.ctx.http.get(&url).await?;
        let parsed = parse_page(&response.body, &self.target, &response.url, options.replies)?;
        let mut page = Page::new(parsed.records, None);
        page.total_hint = parsed.total_reviews;
        if parsed.num_reviews == 0 {
            return Ok((page, false));
        }
        let Some(next) = parsed.cursor.filter(|c| !c.is_empty()) else {
            page.notes
                .push("Steam sent no cursor after a page of reviews; stopped there".to_string());
            return Ok((page, false));
        };
        if self.sent.contains(&next) {
            // Steam's end of listing: the cursor comes back unchanged.
            return Ok((page, false));
        }
        page.next = Some(serde_json::Value::String(next.clone()));
        if let (Sort::Newest, Some(since)) = (options.sort, options.since) {
            let oldest = page
                .records
                .iter()
                .filter(|r| r.is_top_level())
                .filter_map(|r| r.created_at)
                .min();
            if oldest.is_some_and(|t| t < since) {
                tracing::debug!(app = %self.target.id, "reviews older than --since reached; stopping");
                page.next = None;
                return Ok((page, false));
            }
        }
        self.cursor = next;
        Ok((page, true))
    }
}
