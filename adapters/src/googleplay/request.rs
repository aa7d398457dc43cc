//! The reviews request: `POST /_/PlayStoreUi/data/batchexecute` with the
//! form field `f.req`, JSON inside JSON.
//!
//! `f.req` is `[[[<rpc id>, <arguments as a JSON string>, null, "generic"]]]`.
//! The current web client's reviews RPC is `oCPfdb`, whose arguments are
//!
//! ```text
//! [null, [2, <sort>, [<count>] | [<count>, null, "<token>"], null,
//!         [null, <star 1-5 | null>, null, null, null, null, null, null, <device | null>]],
//!  ["<package>", 7]]
//! ```
//!
//! and the older `UsvDTd` took
//! `[null, null, [2, <sort>, [<count>, null, <"token" | null>], null, [null, <star | null>]], ["<package>", 7]]`.
//! Sort codes: 1 most relevant, 2 newest, 3 rating.

use serde_json::{json, Value};

/// The reviews RPC spoken.
///
/// ```
/// use adapters::googleplay::request::Rpc;
/// assert_eq!((Rpc::Current.id(), Rpc::Legacy.id()), ("oCPfdb", "UsvDTd"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rpc {
    /// `oCPfdb`, what current web clients send.
    Current,
    /// `UsvDTd`, what older web clients sent (a fallback).
    Legacy,
}

impl Rpc {
    /// The RPC id, as named in `f.req` and `rpcids=`.
    pub fn id(self) -> &'static str {
        match self {
            Rpc::Current => "oCPfdb",
            Rpc::Legacy => "UsvDTd",
        }
    }

    /// The RPC of an id, if it is one of the two.
    ///
    /// ```
    /// use adapters::googleplay::request::Rpc;
    /// assert_eq!(Rpc::from_id("UsvDTd"), Some(Rpc::Legacy));
    /// assert_eq!(Rpc::from_id("qnKhOb"), None);
    /// ```
    pub fn from_id(id: &str) -> Option<Rpc> {
        match id {
            "oCPfdb" => Some(Rpc::Current),
            "UsvDTd" => Some(Rpc::Legacy),
            _ => None,
        }
    }
}

/// Google Play's listing orders.
///
/// ```
/// assert_eq!(adapters::googleplay::request::PlaySort::Newest.code(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaySort {
    /// "Most relevant" (code 1).
    Relevant,
    /// "Newest" (code 2).
    Newest,
    /// "Rating" (code 3).
    Rating,
}

impl PlaySort {
    /// The code sent in `f.req`.
    pub fn code(self) -> u8 {
        match self {
            PlaySort::Relevant => 1,
            PlaySort::Newest => 2,
            PlaySort::Rating => 3,
        }
    }
}

/// What one reviews request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewsQuery<'a> {
    /// The app's package name.
    pub package: &'a str,
    /// Listing order.
    pub sort: PlaySort,
    /// Reviews asked for.
    pub count: u32,
    /// Only reviews with this many stars.
    pub star: Option<u8>,
    /// The continuation token of the previous page (none for the first).
    pub token: Option<&'a str>,
}

/// The `f.req` JSON text of `q` for `rpc`.
///
/// ```
/// use adapters::googleplay::request::{f_req, PlaySort, ReviewsQuery, Rpc};
/// let q = ReviewsQuery { package: "com.example", sort: PlaySort::Newest, count: 100, star: None, token: Some("tok") };
/// assert_eq!(f_req(Rpc::Current, &q),
///     r#"[[["oCPfdb","[null,[2,2,[100,null,\"tok\"],null,[null,null,null,null,null,null,null,null,null]],[\"com.example\",7]]",null,"generic"]]]"#);
/// ```
pub fn f_req(rpc: Rpc, q: &ReviewsQuery<'_>) -> String {
    let star = q.star.map_or(Value::Null, Value::from);
    let args = match rpc {
        Rpc::Current => {
            let page = match q.token {
                Some(t) => json!([q.count, null, t]),
                None => json!([q.count]),
            };
            json!([
                null,
                [
                    2,
                    q.sort.code(),
                    page,
                    null,
                    [null, star, null, null, null, null, null, null, null]
                ],
                [q.package, 7]
            ])
        }
        Rpc::Legacy => json!([
            null,
            null,
            [
                2,
                q.sort.code(),
                [q.count, null, q.token],
                null,
                [null, star]
            ],
            [q.package, 7]
        ]),
    };
    json!([[[rpc.id(), args.to_string(), null, "generic"]]]).to_string()
}

/// The form body: `f.req=<f_req, form-encoded>`.
///
/// ```
/// use adapters::googleplay::request::{form_body, PlaySort, ReviewsQuery, Rpc};
/// let q = ReviewsQuery { package: "a.b", sort: PlaySort::Rating, count: 20, star: Some(5), token: None };
/// let body = form_body(Rpc::Legacy, &q);
/// assert!(body.starts_with("f.req=%5B%5B%5B%22UsvDTd%22"));
/// ```
pub fn form_body(rpc: Rpc, q: &ReviewsQuery<'_>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("f.req", &f_req(rpc, q))
        .finish()
}

/// Session values a browser sends in the query, read from the details page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageIds {
    /// `f.sid` (the page's `FdrFJe`).
    pub sid: Option<String>,
    /// `bl`, the server build (the page's `cfb2h`).
    pub bl: Option<String>,
}

/// The batchexecute URL (real host; the HTTP client applies `--base-url`),
/// with the query a browser sends: `rpcids`, `source-path`, `f.sid` and `bl`
/// when known, `hl`, `gl`, `authuser`, `soc-*`, `_reqid`.
///
/// ```
/// use adapters::googleplay::request::{batchexecute_url, PageIds, Rpc};
/// let u = batchexecute_url(Rpc::Current, "en", "US", &PageIds::default(), 100123);
/// assert!(u.starts_with("https://play.google.com/_/PlayStoreUi/data/batchexecute?rpcids=oCPfdb&source-path=%2Fstore%2Fapps%2Fdetails&hl=en&gl=US"));
/// assert!(u.ends_with("&_reqid=100123"));
/// ```
pub fn batchexecute_url(rpc: Rpc, hl: &str, gl: &str, ids: &PageIds, reqid: u64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("rpcids", rpc.id())
        .append_pair("source-path", "/store/apps/details");
    if let Some(sid) = &ids.sid {
        q.append_pair("f.sid", sid);
    }
    if let Some(bl) = &ids.bl {
        q.append_pair("bl", bl);
    }
    q.append_pair("hl", hl)
        .append_pair("gl", gl)
        .append_key_only("authuser")
        .append_pair("soc-app", "121")
        .append_pair("soc-platform", "1")
        .append_pair("soc-device", "1")
        .append_pair("_reqid", &reqid.to_string());
    format!(
        "https://play.google.com/_/PlayStoreUi/data/batchexecute?{}",
        q.finish()
    )
}

/// The details page URL of `package` for `hl`/`gl`.
///
/// ```
/// assert_eq!(adapters::googleplay::request::details_url("a.b", "en", "US"),
///     "https://play.google.com/store/apps/details?id=a.b&hl=en&gl=US");
/// ```
pub fn details_url(package: &str, hl: &str, gl: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id", package)
        .append_pair("hl", hl)
        .append_pair("gl", gl)
        .finish();
    format!("https://play.google.com/store/apps/details?{q}")
}

/// `f.sid` and `bl` from a details page (`"FdrFJe":"…"`, `"cfb2h":"…"` in
/// its `WIZ_global_data`); each `None` when absent.
///
/// ```
/// use adapters::googleplay::request::page_ids;
/// let ids = page_ids(r#"<script>window.WIZ_global_data = {"FdrFJe":"-4242","cfb2h":"boq_playuiserver_20240101.01_p0"};</script>"#);
/// assert_eq!((ids.sid.as_deref(), ids.bl.as_deref()), (Some("-4242"), Some("boq_playuiserver_20240101.01_p0")));
/// ```
pub fn page_ids(html: &str) -> PageIds {
    let value = |key: &str| {
        let needle = format!("\"{key}\":\"");
        let start = html.find(&needle)? + needle.len();
        let len = html[start..].find('"')?;
        let v = &html[start..start + len];
        (!v.is_empty()
            && v.len() <= 200
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        .then(|| v.to_string())
    };
    PageIds {
        sid: value("FdrFJe"),
        bl: value("cfb2h"),
    }
}
