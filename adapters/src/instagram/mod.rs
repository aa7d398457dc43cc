//! Instagram: a post's or reel's comments and their replies, from the web
//! client's JSON API, for a logged-in session.
//!
//! * **URLs** ([`url::detect`]): `instagram.com/p/<shortcode>/`, `/reel/`,
//!   `/reels/`, `/tv/`, also after a user name; the media id is the shortcode
//!   read in base 64 ([`url::media_id`]).
//! * **Access**: a `sessionid` cookie is required (`--cookies cookies.txt`, or
//!   `sessionid` under `[platforms.instagram]`); without one the job fails at
//!   once with "login required". Requests carry the web client's
//!   `x-ig-app-id`, and the `csrftoken` cookie as `x-csrftoken` when set. A
//!   refused session (`login_required`, a redirect to `/accounts/login/`) or a
//!   `checkpoint_required` fails with an error saying so.
//! * **Requests**: `GET https://www.instagram.com/api/v1/media/<id>/comments/?can_support_threading=true&permalink_enabled=false`
//!   then `&max_id=<next_max_id>` while `has_more_comments`, else
//!   `&min_id=<next_min_id>` while `has_more_headload_comments`; replies:
//!   `GET /api/v1/media/<id>/comments/<comment>/child_comments/` then
//!   `?max_id=<next_max_child_cursor>` (tail) and `?min_id=<next_min_child_cursor>` (head).
//! * **Tree**: the caption is a `post` record (id = media id); comments are
//!   `comment` records (depth 0, `extra.post_id` = shortcode); replies are
//!   `reply` records at depth 1 under their top-level comment (Instagram
//!   threads are one level deep). `preview_child_comments` are written with
//!   their comment; a thread with more replies than its preview is read in full.
//! * **Records** ([`record`]): `pk`, `text`, `created_at`, `comment_like_count`
//!   → `likes`, `child_comment_count` → `reply_count`, `user.full_name`
//!   (author), `user.username` (author_id), `extra.user_id`, `extra.verified`.
//! * **Pages and resume**: one page per response; the cursor holds the next
//!   top-level cursor and the reply threads still to read.

pub mod api;
mod client;
pub mod record;
pub mod url;
pub mod wire;

#[cfg(test)]
mod tests;

use engine::{Adapter, Cursor, FetchContext, PageStream, PlatformInfo, Target};

/// Platform key.
pub const PLATFORM: &str = "instagram";

static INFO: PlatformInfo = PlatformInfo {
    key: PLATFORM,
    name: "Instagram",
    hosts: &["www.instagram.com", "instagram.com", "i.instagram.com"],
    // Instagram blocks sessions that read fast.
    requests_per_second: 0.5,
    concurrency: 1,
    replies_in_same_page: false,
};

/// The Instagram adapter (see the [module docs](self)).
///
/// ```
/// use engine::Adapter;
/// let t = adapters::instagram::Instagram
///     .detect(&"https://www.instagram.com/p/CSTg-0FH89e/".parse().unwrap())
///     .unwrap();
/// assert_eq!(t.key(), "instagram_CSTg-0FH89e");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Instagram;

impl Adapter for Instagram {
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
