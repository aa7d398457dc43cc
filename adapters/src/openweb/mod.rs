//! OpenWeb: every comment of a spot over a date range, from OpenWeb's
//! comment export API (an export service, not a page).
//!
//! * **URLs** ([`url::detect`]): `openweb://<spot-id>?since=2024-05-01&until=2024-05-07`
//!   in a URL list; without `since`/`until` the job's `--since`/`--until`
//!   apply (no end = now). An `until` date includes that day.
//! * **Token**: the spot's export token (OpenWeb Admin Dashboard → Settings →
//!   Authentication Tokens → Export), from `api_key` under
//!   `[platforms.openweb]` in the config file or `RUNNER_API_KEY_OPENWEB`.
//!   It is sent only in the `apikey` header of the API's requests (never to
//!   the download links) and never written anywhere. Without it the job
//!   fails with a `config` error saying where to set it.
//! * **Requests** ([`api`]): the range is cut into windows of at most 24 hours
//!   ([`range::windows`]); for each, `POST https://api-exporter.openweb.com/v2/export/comments`
//!   with `{"since":"YYYY-MM-DDTHH:MM:SS","to":…}` (UTC) → `request_id`;
//!   `GET /v2/export/comments/status?id=<request_id>` until `done` (with
//!   backoff: 5 s growing to 60 s, at most 2 hours, then the export is
//!   aborted; `--param openweb_poll_ms=…` and `openweb_wait_minutes=…` change
//!   them; against a loopback `--base-url` 20 ms to 200 ms, 1 minute); then
//!   every link of `links` is downloaded (through the same HTTP client, so
//!   `--base-url` applies to the storage host too) and read as one page.
//! * **Failures**: a link that has expired (403, 404, 410, or 400 saying
//!   "expired") gets the window exported again (up to 3 times; messages
//!   already given are not repeated); an export that ends `failed` or
//!   `aborted` is requested again, and after 3 tries the job ends with an
//!   error naming the window, keeping every earlier window (`--resume`
//!   retries from it); 429 is retried honouring `Retry-After`.
//! * **Stopping**: when the job is stopped (Ctrl-C) while an export is being
//!   prepared, `GET /v2/export/comments/abort?id=<request_id>` is sent in the
//!   background as the stream is dropped (best effort: the engine has no
//!   cancel hook for adapters, and a process that exits at once may not
//!   wait for it).
//! * **Resume**: the cursor is a [`client::Position`]: window, next link and
//!   the ready export's `request_id`. A resumed job asks that export's status;
//!   when it still lists the links it continues at the same link, else the
//!   window is exported anew and the run's dedup drops what was written.
//! * **Records** ([`export_csv::parse_export`]): one per CSV row. `kind` is
//!   `comment`, or `reply` for `type=reply`; the export names no parent, so a
//!   reply has depth 1 and `parent_id` null (filled only if a file has a
//!   `parent_id` column). `id`, `source_id` = `post_id`, `text` = `content`,
//!   `created_at` = `written_at`, `likes`/`dislikes` = `likes_count` /
//!   `dislikes_count`, `author` = `user_display_name`, `author_id` = `user_id`;
//!   `extra`: `message_status`, `label_id` (null when none), `reports_count`,
//!   `updated_at`, `user_name`, `user_primarykey`.

pub mod api;
pub mod client;
pub mod export_csv;
pub mod range;
pub mod url;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Static facts about OpenWeb.
static INFO: PlatformInfo = PlatformInfo {
    key: "openweb",
    name: "OpenWeb",
    hosts: &["api-exporter.openweb.com", "api.openweb.com"],
    requests_per_second: 2.0,
    concurrency: 1,
    replies_in_same_page: false,
};

/// The OpenWeb export adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::openweb::OpenWeb
///     .detect(&"openweb://sp_demo01?since=2024-05-01&until=2024-05-01".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "openweb_sp_demo01_20240501T000000-20240502T000000");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenWeb;

impl Adapter for OpenWeb {
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
