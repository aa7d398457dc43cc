//! Bilibili: the comments (and their reply threads) under a video.
//!
//! * **URLs** ([`url::detect`]): `[www.|m.]bilibili.com/video/<BV…|av…>` (av
//!   ids are converted to BV ids, [`bvid`]) and `b23.tv/<code>` short links,
//!   which are claimed with a parameter and followed when fetching.
//! * **Setup** (once per job): the short link's landing URL; `GET
//!   /x/web-interface/view?bvid=` (the `aid` is the comment area's `oid`; an
//!   unknown video is `not_found`); the day's WBI keys from
//!   `/x/web-interface/nav` ([`wbi`]); unless nav says the configured cookies
//!   are signed in, a `buvid3` cookie from `/x/frontend/finger/spi` or the
//!   home page's `set-cookie`. Every request carries the video page as `referer`.
//! * **Top level**: `GET /x/v2/reply/wbi/main?oid=&type=1&mode=<2 newest|3 hot>&pagination_str={"offset":…}`,
//!   WBI-signed, following `cursor.pagination_reply.next_offset` until
//!   `cursor.is_end`. When the keys are missing or the signed listing is
//!   refused on the first page, the unsigned `GET /x/v2/reply?oid=&type=1&pn=&ps=20&sort=<0|1>`
//!   is used instead (until `pn × size ≥ page.count`).
//! * **Replies**: `GET /x/v2/reply/reply?oid=&type=1&root=<rpid>&pn=&ps=20`
//!   for every comment with `rcount > 0`, all pages, threads fetched
//!   `parallel_requests` at a time; depths follow the `parent` chain
//!   ([`thread::link`]).
//! * **Pages and resume**: each page holds complete threads (a comment, then
//!   all its replies). The cursor is `{"api":"wbi","offset":…}` or
//!   `{"api":"legacy","pn":…}`, plus the ids of pinned comments already
//!   exported. Pinned comments (`top_replies`, `top.upper`, `upper.top`)
//!   come first, marked `extra.pinned`, and are exported once.
//! * **Errors** ([`envelope`]): `code` -404/62002/62004 → `not_found`,
//!   -412 (or HTTP 412) → `rate_limited`, -403/-352/-101/62012 → `forbidden`,
//!   12002 (comments closed) → the job ends with no comments and a note.
//! * **Records** ([`parse::reply`]): id = `rpid`, author = `member.uname`,
//!   `author_id` = mid, text = `content.message`, `created_at` = `ctime`
//!   (second), likes = `like`, `reply_count` = `rcount`; `extra`: `level`,
//!   `vip`, `location`, `time_desc`, `up_liked`, `up_replied`, `count`,
//!   `pinned`, and `parent_unresolved` when a reply's parent is not in its thread.

pub mod bvid;
mod client;
pub mod envelope;
mod listing;
pub mod parse;
mod session;
pub mod thread;
pub mod url;
pub mod wbi;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Platform key.
pub(crate) const PLATFORM: &str = "bilibili";

/// Static facts about Bilibili.
static INFO: PlatformInfo = PlatformInfo {
    key: PLATFORM,
    name: "Bilibili",
    hosts: &[
        "www.bilibili.com",
        "api.bilibili.com",
        "m.bilibili.com",
        "b23.tv",
    ],
    requests_per_second: 3.0,
    concurrency: 2,
    replies_in_same_page: true,
};

/// The Bilibili adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::bilibili::Bilibili
///     .detect(&"https://www.bilibili.com/video/BV1xx411c7mD/?spm_id_from=333".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "bilibili_BV1xx411c7mD");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Bilibili;

impl Adapter for Bilibili {
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
