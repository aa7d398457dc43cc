//! TikTok: a video's comments and their replies, from the web comment API,
//! over HTTP.
//!
//! * **URLs** ([`url::detect`]): `tiktok.com/@<user>/video/<id>` (and
//!   `/photo/<id>`), `m.tiktok.com/v/<id>.html`, `/embed/v2/<id>`; short links
//!   `vm.tiktok.com/<code>/` and `vt.tiktok.com/<code>/` are followed when the
//!   job starts.
//! * **Requests**: `GET https://www.tiktok.com/api/comment/list/?aid=1988&…&aweme_id=<id>&cursor=<n>&count=20`
//!   while `has_more`, the next `cursor` from each answer; replies:
//!   `GET /api/comment/list/reply/?…&item_id=<id>&comment_id=<cid>&cursor=<n>&count=20`.
//!   Cookies configured for TikTok (`--cookies`) are sent. TikTok may want
//!   these requests signed (`X-Bogus`, `msToken`), which only a browser makes;
//!   it then answers with an empty body and the job fails saying so (the
//!   browser layer is not built).
//! * **Tree**: comments are `comment` records (depth 0, `extra.post_id` = the
//!   video id); replies are `reply` records at depth 1 under their top-level
//!   comment (`reply_id`), the reply they answer in `extra.reply_to`
//!   (`reply_to_reply_id`). `reply_comment` previews are written with their
//!   comment; threads with more replies are read in full.
//! * **Records** ([`record`]): `cid`, `text`, `create_time`, `digg_count` →
//!   `likes`, `reply_comment_total` → `reply_count`, `comment_language`,
//!   `user.nickname` (author), `user.unique_id` (author_id), `extra.user_id`.
//! * **Pages and resume**: one page per response; the cursor holds the next
//!   offset and the reply threads still to read.

pub mod client;
pub mod record;
pub mod url;
pub mod wire;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Platform key.
pub const PLATFORM: &str = "tiktok";

static INFO: PlatformInfo = PlatformInfo {
    key: PLATFORM,
    name: "TikTok",
    hosts: &[
        "www.tiktok.com",
        "tiktok.com",
        "m.tiktok.com",
        "vm.tiktok.com",
        "vt.tiktok.com",
    ],
    requests_per_second: 1.0,
    concurrency: 2,
    replies_in_same_page: false,
};

/// The TikTok adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::tiktok::TikTok
///     .detect(&"https://www.tiktok.com/@someone/video/7300000000000000000".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "tiktok_7300000000000000000");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TikTok;

impl Adapter for TikTok {
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
