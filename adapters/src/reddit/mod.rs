//! Reddit: a post and its whole comment tree, from Reddit's JSON API.
//!
//! * **URLs** ([`url::detect`]): `reddit.com/r/<sub>/comments/<id>/<slug>/` on
//!   every Reddit host (`www`, `old`, `new`, `np`, `m`), `redd.it/<id>`, a
//!   comment permalink (exports that comment's subtree) and share links
//!   `/r/<sub>/s/<code>` (followed with a redirect when fetching).
//! * **Requests**: `GET https://www.reddit.com/comments/<id>.json?limit=500&sort=<sort>&raw_json=1`
//!   (`/comments/<id>/_/<comment>.json` for a subtree), then every hidden part:
//!   `GET /api/morechildren.json?api_type=json&link_id=t3_<id>&children=<≤100 ids>&sort=…&raw_json=1`
//!   for `more` placeholders, and the parent's page `/comments/<id>/_/<parent>.json`
//!   for "continue this thread" (`more` with `count: 0` / id `_`). Up to
//!   `parallel_requests` of them are in flight. The sort is the URL's `?sort=`
//!   or the job's (`newest` → `new`, `top` → `top`, `updated` → `confidence`).
//! * **OAuth**: when the environment variables `REDDIT_CLIENT_ID` and
//!   `REDDIT_CLIENT_SECRET` are both set, an application-only token is fetched
//!   (`POST /api/v1/access_token`, `grant_type=client_credentials`) and the same
//!   paths go to `oauth.reddit.com`. The credentials and the token are never logged.
//! * **Politeness**: a User-Agent of the form Reddit asks for ([`api::USER_AGENT`])
//!   on every request; when `X-Ratelimit-Remaining` reaches 0 the job waits
//!   `X-Ratelimit-Reset` seconds before its next request; 429/5xx are retried
//!   by the engine's client.
//! * **Tree** ([`tree`]): the post is a record of kind `post` (depth 0, no parent,
//!   its own root), emitted first. Top-level comments are `comment` records at
//!   depth 0 with no `parent_id`, their own `root_id` and `extra.post_id`; replies
//!   are `reply` records at depth ≥ 1 whose `parent_id` names the comment they
//!   answer and whose `root_id` names their top-level comment. For a comment
//!   permalink, that comment is the depth-0 root (its real parent in
//!   `extra.reply_to`). Depths are computed from the rebuilt tree, never taken
//!   from Reddit's `depth` field (relative on "continue this thread" pages).
//! * **Records** ([`record`]): `score` → `likes` (when ≥ 0) and `extra.score`;
//!   `edited` false or an epoch (`extra.edited_at`); an author `[deleted]` gives no
//!   author and `extra.author_deleted`; bodies `[removed]`/`[deleted]` are kept
//!   and flagged `extra.removed`/`extra.deleted`; `stickied`, `distinguished`,
//!   `is_submitter`, `score_hidden`, `controversiality`, `gilded`,
//!   `total_awards_received`, `collapsed`, `locked`, flair text and awards go to
//!   `extra` only when set (true, non-zero, non-empty).
//! * **Pages and resume**: one page per response. Replies of an early thread can
//!   arrive in a later page (`replies_in_same_page: false`). The cursor is
//!   `{"post": id, "pending": [...]}`: every hidden part not yet fetched, with
//!   the depth and root its comments will have, so a resumed job continues
//!   exactly where it stopped.

pub mod api;
mod client;
pub mod parse;
pub mod record;
pub mod tree;
pub mod url;
pub mod wire;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Static facts about Reddit.
static INFO: PlatformInfo = PlatformInfo {
    key: "reddit",
    name: "Reddit",
    hosts: &[
        "www.reddit.com",
        "oauth.reddit.com",
        "reddit.com",
        "redd.it",
    ],
    // Reddit allows 100 requests a minute per OAuth client, 10 unauthenticated.
    requests_per_second: 1.0,
    concurrency: 2,
    replies_in_same_page: false,
};

/// The Reddit adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::reddit::Reddit
///     .detect(&"https://redd.it/3hahrw".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "reddit_3hahrw");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Reddit;

impl Adapter for Reddit {
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
