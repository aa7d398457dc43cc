//! Sessions, cookies and proxy pools.
//!
//! * **Cookies** ([`CookieJar`]): the user's cookies for a platform come from a
//!   Netscape `cookies.txt` ([`parse_netscape`]), the config file, and the
//!   named fields hosted exporters accept ([`NAMED_COOKIE_FIELDS`]); they are
//!   merged ([`merge_cookie_headers`]), never replaced. The HTTP client merges
//!   them into every request, so an adapter that adds its own cookie
//!   (Bilibili's `buvid3`, Google Play's `NID`) keeps the user's login.
//! * **Proxy pools** ([`ProxyPool`]): named lists of `http`/`https`/`socks5`
//!   proxies with credentials, rotated per request or per session
//!   ([`Rotation`]), optionally tagged with an exit country (`--vpn us`).
//! * **Sessions** ([`SessionPool`], the Crawlee model): one session per proxy,
//!   with its own cookie jar (seeded with the user's cookies, learning the
//!   platform's `Set-Cookie`s), user agent and error score. Every response is
//!   [`classify`]-ed: captcha or challenge pages, redirects to a login page and
//!   HTML 403s retire the session at once; 429s and broken transfers raise its
//!   score until it is retired; an unreachable proxy retires it at once. The
//!   request then goes on through the next live session; when none is left
//!   the request fails with an error saying why.
//!
//! Every cookie value and proxy URL is a secret: `Debug` shows names and
//! counts only, and the HTTP client scrubs them from every error.

mod cookies;
mod pool;
mod proxy;
mod signal;

pub use cookies::{
    merge_cookie_headers, parse_netscape, CookieJar, NetscapeCookie, NAMED_COOKIE_FIELDS,
};
pub(crate) use pool::apply_cookies;
pub use pool::{Retired, Session, SessionPool, MAX_ERROR_SCORE};
pub(crate) use proxy::proxy_secrets;
pub use proxy::{ProxyPool, Rotation};
pub use signal::{classify, Signal};
