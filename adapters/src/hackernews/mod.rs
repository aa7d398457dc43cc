//! Hacker News: a story (or a comment's subtree) and every comment below it.
//!
//! * **URLs** ([`url::detect`]): `news.ycombinator.com/item?id=N`.
//! * **Requests**: `GET https://hn.algolia.com/api/v1/items/<id>` (the whole tree
//!   in one answer), plus `GET https://hacker-news.firebaseio.com/v0/item/<id>.json`
//!   of the root to compare its `descendants` with what Algolia returned. When
//!   Algolia fails (any error) or lags (fewer live comments than `descendants`),
//!   the tree is fetched from that official API instead: item by item, breadth
//!   first over `kids`, at most `parallel_requests` requests in flight. Both
//!   hosts belong to the platform, so `--base-url hackernews=…` replaces both
//!   (their paths differ, one server can answer both).
//! * **Tree** ([`forest`]): a story, poll or job is a `post` record (depth 0);
//!   top-level comments are `comment` records at depth 0 with no `parent_id`,
//!   their own `root_id` and `extra.post_id`; replies are `reply` records at
//!   depth ≥ 1. For a comment URL that comment is the depth-0 root (its parent in
//!   `extra.reply_to`). Deleted and dead items are kept only when a kept record
//!   hangs below them, as placeholders (no author, empty text) flagged
//!   `extra.deleted` / `extra.dead`.
//! * **Records**: text converted from HN's HTML ([`html::to_text`]); `likes` =
//!   points where HN gives them (stories); `extra.type`, `extra.link_url`.
//! * **Pages**: one page holding the whole tree (`replies_in_same_page`); a
//!   resumed job fetches the tree again and the engine drops what was written.

pub mod client;
pub mod forest;
pub mod html;
pub mod item;
pub mod url;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

static INFO: PlatformInfo = PlatformInfo {
    key: "hackernews",
    name: "Hacker News",
    hosts: &[
        "hn.algolia.com",
        "hacker-news.firebaseio.com",
        "news.ycombinator.com",
    ],
    requests_per_second: 10.0,
    concurrency: 4,
    replies_in_same_page: true,
};

/// The Hacker News adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::hackernews::HackerNews
///     .detect(&"https://news.ycombinator.com/item?id=8863".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "hackernews_8863");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HackerNews;

impl Adapter for HackerNews {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    fn detect(&self, url: &::url::Url) -> Option<Target> {
        url::detect(url)
    }

    fn fetch(&self, target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
        client::fetch(target, ctx, resume)
    }
}
