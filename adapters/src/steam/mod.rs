//! Steam: user reviews of an app, from the public `appreviews` JSON API.
//!
//! * **URLs** ([`url::detect`]): `store.steampowered.com/app/<id>/…`,
//!   `steamcommunity.com/app/<id>[/reviews/…]` and
//!   `store.steampowered.com/appreviews/<id>`; the target is the app id.
//! * **Requests**: `GET https://store.steampowered.com/appreviews/<id>?json=1&cursor=…&num_per_page=100`
//!   with `filter=recent` (sort newest), `updated` or `all` (top, with
//!   `day_range` at its maximum so older reviews are included), `language`
//!   from the job's language filter (Steam names or ISO codes) or `all`, and
//!   `review_type=all&purchase_type=all`. The first cursor is `*`; every
//!   response carries the next one (base64 with `+`, `/`, `=`, sent
//!   percent-encoded).
//! * **End**: a page without reviews, a cursor Steam already got (Steam repeats
//!   the last cursor at the end), or no cursor. With sort newest and a
//!   `since` date, fetching stops after the first page reaching older reviews.
//! * **Resume**: the cursor (a JSON string) after the last committed page.
//! * **Records** ([`parse_page`]): one `review` per review (id
//!   `recommendationid`, `rating` 1 = recommended / 0 = not, `likes` =
//!   helpful votes, `reply_count` = comment count, `language` as ISO 639-1,
//!   author = steamid only since the API gives no persona name), and, when
//!   replies are on, the developer's response as a `reply` with id
//!   `<recommendationid>-dev` right after its review. Steam-specific fields
//!   (playtimes, purchase flags, `weighted_vote_score`…) go to `extra`.
//! * **Errors**: `{"success":2}` (unknown app) is `not_found`; any body of
//!   another shape is `parse`.

mod client;
mod flex;
pub mod language;
pub mod parse;
pub mod url;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

pub use parse::{parse_page, ParsedPage};

/// Static facts about Steam.
static INFO: PlatformInfo = PlatformInfo {
    key: "steam",
    name: "Steam",
    hosts: &["store.steampowered.com", "steamcommunity.com"],
    requests_per_second: 2.0,
    concurrency: 4,
    replies_in_same_page: true,
};

/// The Steam adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let target = adapters::steam::Steam
///     .detect(&"https://store.steampowered.com/app/440/Team_Fortress_2/".parse().unwrap())
///     .unwrap();
/// assert_eq!(target.key(), "steam_440");
/// assert_eq!(adapters::steam::Steam.info().name, "Steam");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Steam;

impl Adapter for Steam {
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
