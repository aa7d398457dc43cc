//! Apple App Store: customer reviews of an app, from the iTunes
//! customer-reviews RSS feed in its JSON form.
//!
//! * **URLs** ([`url::detect`]): `apps.apple.com/<cc>/app/<slug>/id<N>`,
//!   `itunes.apple.com/<cc>/app/<slug>/id<N>` (with or without `<cc>`) and the
//!   feed URL itself; the target is the app id `N`.
//! * **Storefronts** ([`storefronts::resolve`]): `--param country=jp`,
//!   `country=jp,us` or `country=all` (every storefront in
//!   [`storefronts::ALL`]); otherwise the URL's storefront, otherwise `us`.
//!   Reviews belong to one storefront each, so a job reads them one after the
//!   other; the run-wide dedup by `(platform, id)` exports a review that two
//!   storefronts list only once.
//! * **Requests**: `GET https://itunes.apple.com/<cc>/rss/customerreviews/page=<1..10>/id=<N>/sortby=mostrecent/json`
//!   (`sortby=mosthelpful` for `--sort top`). A storefront ends at a page
//!   without reviews or at page 10: Apple serves no more than 10 pages × 50
//!   reviews per storefront and sort, and when page 10 is full the summary
//!   says that storefront was capped. With `--sort newest` and `--since`, a
//!   storefront ends at the first page reaching older reviews.
//! * **Unknown app**: when no storefront has a review, `GET
//!   https://itunes.apple.com/lookup?id=<N>&country=<cc>` tells an app
//!   without reviews (done, with a note) from an unknown one (`not_found`).
//! * **Resume**: the cursor is `{storefront, page, reviews, empty}` of the
//!   next request.
//! * **Records** ([`parse::parse_feed`]): one `review` per entry (`id.label`;
//!   `rating` 1–5 from `im:rating`; `title`; `text` from `content`; `author`
//!   and `author_url` from `author`, `author_id` the reviewer id in that URL;
//!   `likes` = `im:voteSum` (helpful votes), `dislikes` = `im:voteCount` −
//!   `im:voteSum`; `created_at` from `updated`, or `null` with no precision
//!   when the feed has none). `extra`: `storefront`, `app_version`
//!   (`im:version`), `vote_sum`, `vote_count`, `rating_scale`. The feed has
//!   no developer responses, so there are no replies.

mod client;
pub mod parse;
mod raw;
pub mod storefronts;
pub mod url;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

pub use client::feed_url;
pub use parse::{parse_feed, ParsedFeed};

/// Static facts about the App Store.
static INFO: PlatformInfo = PlatformInfo {
    key: "apple",
    name: "Apple App Store",
    hosts: &["itunes.apple.com", "apps.apple.com"],
    requests_per_second: 2.0,
    concurrency: 2,
    replies_in_same_page: true,
};

/// The App Store adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::apple::Apple
///     .detect(&"https://apps.apple.com/us/app/some-app/id284882215".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "apple_284882215");
/// assert_eq!(adapters::apple::Apple.info().name, "Apple App Store");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Apple;

impl Adapter for Apple {
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
