//! Google Play: user reviews of an app, through the Play Store web client's
//! `batchexecute` RPC endpoint.
//!
//! * **URLs** ([`url::detect`]): `play.google.com/store/apps/details?id=<package>`;
//!   the URL's `hl` and `gl` are kept.
//! * **Session** : `GET https://play.google.com/store/apps/details?id=<package>&hl=…&gl=…`
//!   first, like a browser: it sets the session cookies (`NID`…) and holds
//!   `f.sid` and `bl` for the query. Every `Set-Cookie` of every answer is
//!   kept in the job's own jar and sent back, since Google binds a
//!   continuation token to the session that received it. A cookie
//!   configured for `googleplay` is replaced by the session's once the
//!   session has one.
//! * **Requests** ([`request`]): `POST https://play.google.com/_/PlayStoreUi/data/batchexecute?rpcids=oCPfdb&…`
//!   with the form field `f.req` (JSON inside JSON: package, sort, page size
//!   100, continuation token, star filter). If the first call shows that
//!   `oCPfdb` is unknown (no frame for it, HTTP 400, or a status other than
//!   not found / permission / quota), the job switches to the older `UsvDTd`
//!   and says so in the summary.
//! * **Answers** ([`envelope`], [`parse`]): `)]}'` then `wrb.fr` frames whose
//!   payload is a JSON string, read by position with checks: a changed
//!   layout is a `parse` error naming the position. A refused call's status
//!   maps to `not_found` (5), `forbidden` (7, 16), `rate_limited` (8) or an
//!   `http_status` error.
//! * **Parameters** ([`plan::plan`]): `--sort newest|top` (or `--param
//!   sort=newest|relevant|rating`), `--param stars=5|4,5|1-3` (one listing per
//!   star count), `--param hl=…`, `--param gl=…` (else the URL's, else
//!   `--language`, `en`, `US`). Google Play lists the reviews of one language
//!   and country at a time; the summary says which.
//! * **End and errors**: a listing ends when an answer has no token. A
//!   package without details page and without reviews is `not_found`; an app
//!   without reviews is done with a note.
//! * **Resume**: the cursor holds the RPC, the listing and its token; a new
//!   session that refuses the token restarts that listing (dedup skips the
//!   reviews already exported). Cookies are never written to the checkpoint.
//! * **Records**: one `review` per review (id, `author` = user name, `rating`
//!   1–5, `text`, `created_at` from seconds + nanos, `likes` = thumbs-up,
//!   `url` the review's link; `extra`: `avatar_url`, `app_version`, `hl`,
//!   `gl`, `rating_scale`), and the developer's reply as a `reply` with id
//!   `<review id>-dev` (depth 1, author the developer name) right after it.

mod client;
mod cookies;
pub mod envelope;
pub mod parse;
pub mod plan;
pub mod request;
mod session;
pub mod url;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

pub use parse::{parse_payload, ReviewsPage};

/// Static facts about Google Play.
static INFO: PlatformInfo = PlatformInfo {
    key: "googleplay",
    name: "Google Play",
    hosts: &["play.google.com"],
    requests_per_second: 1.0,
    concurrency: 2,
    replies_in_same_page: true,
};

/// The Google Play adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::googleplay::GooglePlay
///     .detect(&"https://play.google.com/store/apps/details?id=com.example.app&hl=ja".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "googleplay_com.example.app");
/// assert_eq!(adapters::googleplay::GooglePlay.info().name, "Google Play");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GooglePlay;

impl Adapter for GooglePlay {
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
