//! YouTube: comments and replies of a video, through YouTube's own web
//! protocol (InnerTube), with no API key of ours.
//!
//! * **URLs** ([`url::detect`]): `watch?v=`, `youtu.be/`, `shorts/`, `embed/`,
//!   `live/` on `www.`, `m.` and `music.` hosts, any extra parameters; the
//!   target is the 11-character video id.
//! * **Watch page**: `GET https://www.youtube.com/watch?v=ID&hl=en` with the
//!   consent cookie `SOCS=CAI`; [`watch::parse_watch_page`] reads `ytcfg.set`
//!   (API key, `INNERTUBE_CONTEXT` with `hl` forced to `en`),
//!   `ytInitialPlayerResponse.playabilityStatus` (private / age check →
//!   `forbidden`, removed → `not_found`, with YouTube's reason) and in
//!   `ytInitialData` the `comment-item-section` token and the
//!   `sortFilterSubMenuRenderer` ("Top" / "Newest").
//! * **Pages**: `POST https://www.youtube.com/youtubei/v1/next?prettyPrint=false`
//!   (`&key=` when the page has one) with `{"context", "continuation"}`.
//!   [`parse::parse_top_page`] reads `reloadContinuationItemsCommand` /
//!   `appendContinuationItemsAction` (and the 2020 `continuationContents`)
//!   in both comment formats: `commentThreadRenderer.commentViewModel` with
//!   its data in `frameworkUpdates.entityBatchUpdate.mutations`, and the
//!   legacy inline `commentRenderer`. With sort Newest and no menu on the
//!   watch page, the first page's `commentsHeaderRenderer.sortMenu` gives
//!   the Newest token.
//! * **Replies** ([`parse::parse_reply_page`]): the thread's
//!   `commentRepliesRenderer` token, then "Show more replies" tokens until
//!   none is left. Nested threads and `replyLevel` > 1 are linked to the
//!   reply they answer (`parent_id`, `root_id`, `depth`). Reply chains of
//!   different threads run concurrently (`parallel_requests − 1` chains plus
//!   the top-level chain), within a reorder window of threads so that output
//!   order stays the listing's (each thread followed by its replies); each
//!   emitted page holds complete threads. No replies page is fetched beyond
//!   what `--max-replies-per-thread` / `--max-depth` can keep. Inline replies
//!   (`commentRepliesRenderer.contents` / `subThreads`) are read too.
//! * **Records**: ids are YouTube's comment ids (replies `<thread>.<suffix>`);
//!   `created_at` from the relative time at fetch time with its unit as
//!   precision, `created_at_raw`, `edited`; `likes` from the display count
//!   (`likes_approx` when abbreviated, an exact accessibility label wins);
//!   `reply_count`; `extra`: `pinned`, `hearted_by_creator`,
//!   `author_is_creator`, `author_verified`, `author_is_artist`,
//!   `author_is_member`, `super_thanks` (the amount as shown).
//! * **Sort Newest**: the pinned thread comes first and again at its place in
//!   time; only the first (pinned) occurrence is exported.
//! * **Outcomes**: comments turned off → no records and the page's reason as
//!   a note; the EU consent page → `forbidden`; unexpected shapes → `parse`
//!   naming the JSON path.
//! * **Resume**: `{"sort":"new"|"top","token":"<next top-level token>"}`;
//!   the watch page is read again for a fresh context.

mod comment;
pub mod extract;
mod json;
pub mod parse;
mod replies;
mod session;
mod stream;
pub mod url;
pub mod watch;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Static facts about YouTube.
static INFO: PlatformInfo = PlatformInfo {
    key: "youtube",
    name: "YouTube",
    hosts: &[
        "www.youtube.com",
        "youtube.com",
        "m.youtube.com",
        "music.youtube.com",
        "youtu.be",
    ],
    requests_per_second: 5.0,
    concurrency: 2,
    replies_in_same_page: true,
};

/// The YouTube adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::youtube::YouTube.detect(&"https://youtu.be/dQw4w9WgXcQ".parse().unwrap()).unwrap();
/// assert_eq!(t.key(), "youtube_dQw4w9WgXcQ");
/// assert_eq!(adapters::youtube::YouTube.info().name, "YouTube");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct YouTube;

impl Adapter for YouTube {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    fn detect(&self, url: &::url::Url) -> Option<Target> {
        url::detect(url)
    }

    fn fetch(&self, target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream {
        stream::fetch(target, ctx, resume)
    }
}
