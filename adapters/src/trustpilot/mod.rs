//! Trustpilot: the reviews of a business, from its public review pages.
//!
//! * **URLs** ([`url::detect`]): `trustpilot.com/review/<domain>` on
//!   `www.` or a country host (`uk.`, `de.`…, kept for the requests); the
//!   target is the business domain. `stars=` and `languages=` in the URL are
//!   kept as the listing's filters.
//! * **Requests**: `GET https://<host>/review/<domain>?page=<n>&sort=recency&languages=all`
//!   (`sort=relevance` with `--sort top`), plus one `stars=<k>` per star
//!   filter. Each answer is HTML whose `<script id="__NEXT_DATA__">` holds
//!   the page's data ([`next_data`], then [`parse_page`]):
//!   `props.pageProps.reviews[]` and `props.pageProps.filters.pagination`
//!   (`currentPage`, `totalPages`, `totalCount`).
//! * **Filters** (`--param KEY=VALUE`, the URL's own filters win):
//!   `stars=1,5` (ratings 1–5) and `languages=all|en|…` (`--language` also
//!   sets it; default `all`).
//! * **The login wall**: without a login Trustpilot serves the first
//!   [`views::PAGE_CAP`] pages (20 reviews each) of a listing; page 11
//!   redirects to its login page. A longer listing is read as narrower ones
//!   that together hold the same reviews (one per star rating, then one per
//!   review language the page offers), each within the limit; reviews seen
//!   twice are exported once. What still lies past the wall (a single
//!   rating in a single language with more than 200 reviews) is named in
//!   the summary's notes, and so is every narrowing. A redirect to the login
//!   (`/users/connect`, `__N_REDIRECT`), a 401/403 past page 1, or an empty page
//!   where `totalPages` promised more all count as the wall.
//! * **End**: the last page of the last listing; with `--since` and
//!   sort by recency, a listing stops at the first page reaching older reviews.
//! * **Resume**: the cursor is a [`views::Position`] (`{"views":[…],"page":n}`):
//!   the listings left and the next page of the first.
//! * **Records**: one `review` per review (`id`, `rating` 1–5, `title`,
//!   `text`, `language`, `likes`, `created_at` = `dates.publishedDate`,
//!   `edited` from `dates.updatedDate`, author = `consumer.displayName` /
//!   `consumer.id`, permalink `https://www.trustpilot.com/reviews/<id>`;
//!   `extra`: `experienced_date`, `updated_date`, `verification`
//!   (`labels.verification` as sent), `location`, `source`,
//!   `consumer_country`, `consumer_reviews`, `consumer_verified`), followed
//!   by the company's `reply` (`<id>-reply`, depth 1, author the business
//!   name, `reply.message` / `reply.publishedDate`).
//! * **Errors**: an unknown business is Trustpilot's 404 (`not_found`); a
//!   page without `__NEXT_DATA__` or with another shape is `parse`, naming the
//!   JSON path; 429 is retried then `rate_limited`.

mod client;
pub mod next_data;
pub mod parse;
pub mod url;
pub mod views;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

pub use next_data::next_data;
pub use parse::{parse_page, ParsedPage};

/// Static facts about Trustpilot.
static INFO: PlatformInfo = PlatformInfo {
    key: "trustpilot",
    name: "Trustpilot",
    hosts: &[
        "www.trustpilot.com",
        "trustpilot.com",
        "uk.trustpilot.com",
        "de.trustpilot.com",
    ],
    requests_per_second: 1.0,
    concurrency: 2,
    replies_in_same_page: true,
};

/// The Trustpilot adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::trustpilot::Trustpilot
///     .detect(&"https://www.trustpilot.com/review/example.com".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "trustpilot_example.com");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Trustpilot;

impl Adapter for Trustpilot {
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
