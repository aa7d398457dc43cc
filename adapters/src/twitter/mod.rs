//! X/Twitter: a post and the conversation below it, from X's web GraphQL API.
//!
//! * **URLs** ([`url::detect`]): `x.com/<user>/status/<id>` and the same on
//!   `twitter.com`, `www.`/`mobile.` hosts, `/i/web/status/<id>`; mirrors
//!   such as fxtwitter are not claimed.
//! * **Access** ([`api::authenticate`]): with the `auth_token` and `ct0`
//!   cookies of a logged-in session (from `--cookies cookies.txt`, or the named
//!   fields `auth_token`/`ct0` under `[platforms.twitter]`), requests carry the
//!   public web bearer token, `x-csrf-token: <ct0>` and
//!   `x-twitter-auth-type: OAuth2Session`. Without cookies a guest token is
//!   asked for (`POST https://api.x.com/1.1/guest/activate.json`) and sent as
//!   `x-guest-token`; X now refuses conversations to guests, and the job then
//!   fails with a precise error naming the cookies to set. Refused cookies
//!   (code 32, 353, a 401/403) fail with an error saying they expired.
//! * **Requests** ([`api::tweet_detail_url`]): `GET
//!   https://x.com/i/api/graphql/<queryId>/TweetDetail?variables=…&features=…&fieldToggles=…`
//!   with `focalTweetId`, `rankingMode` (newest → `Recency`, top → `Likes`,
//!   updated → `Relevance`) and the page's `cursor`. `--param query_id=…`
//!   replaces the query id when X ships a new web client.
//! * **Answers** ([`wire`]): `threaded_conversation_with_injections_v2.instructions`:
//!   `TimelineAddEntries` (the focal post as `tweet-<id>`, reply threads as
//!   `conversationthread-<id>` modules, cursors), `TimelineAddToModule` (more
//!   of one thread); cursors `Bottom`, `ShowMoreThreads`/`ShowMoreThreadsPrompt`
//!   (more threads) and `ShowMore` (more of a thread) are followed until none
//!   is left. Tweets wrapped in `TweetWithVisibilityResults` are unwrapped;
//!   related-post and promoted entries are skipped.
//! * **Tree** ([`walk`]): the post is a `post` record (depth 0); direct replies
//!   are `comment` records at depth 0 with `extra.post_id`; deeper replies are
//!   `reply` records whose `parent_id` is `in_reply_to_status_id_str` and whose
//!   depth follows the parent chain. A reply that has more replies
//!   (`reply_count`) than its thread showed is opened with its own
//!   `TweetDetail` (`--param expand=false` turns that off). Deleted or
//!   withheld posts (`TweetTombstone`, `TweetUnavailable`) are kept only where
//!   a reply hangs below them, as placeholders flagged `extra.unavailable`
//!   with X's text in `extra.unavailable_reason`. A reply whose parent X did
//!   not show is kept at depth 0 with `extra.reply_to`.
//! * **Records** ([`record`]): `rest_id`; `note_tweet` text for long posts,
//!   else `full_text` (HTML entities decoded); `created_at`; `favorite_count`
//!   → `likes`; `reply_count`; the author's name, handle (`author_id`) and
//!   profile URL; `lang`; whether it was edited; `extra`: `retweets`,
//!   `quotes`, `bookmarks`, `views`, `user_id`, `conversation_id`.
//! * **Limits**: 429s are retried by the engine until `x-rate-limit-reset`;
//!   when `x-rate-limit-remaining` reaches 0 the job waits for the reset
//!   before its next request (at most 16 minutes; longer fails as rate limited).
//! * **Pages and resume**: one page per response; the cursor is the [`walk::Walk`].
//! * **Not done**: X's `x-client-transaction-id` header (which X requires of
//!   some clients) is not computed.

pub mod api;
mod client;
pub mod discover;
pub mod record;
pub mod url;
pub mod walk;
pub mod wire;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Platform key.
pub const PLATFORM: &str = "twitter";

static INFO: PlatformInfo = PlatformInfo {
    key: PLATFORM,
    name: "X (Twitter)",
    hosts: &[
        "x.com",
        "api.x.com",
        "twitter.com",
        "api.twitter.com",
        "mobile.x.com",
        "mobile.twitter.com",
    ],
    // TweetDetail allows 150 requests per 15 minutes per session.
    requests_per_second: 0.5,
    concurrency: 1,
    replies_in_same_page: false,
};

/// The X/Twitter adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::twitter::Twitter
///     .detect(&"https://twitter.com/XDevelopers/status/1649191520250245121".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "twitter_1649191520250245121");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Twitter;

impl Adapter for Twitter {
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
