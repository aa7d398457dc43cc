//! What a job sets up once before listing comments, like a browser opening
//! the video page: the short link resolved, the video looked up (its `aid`
//! is the comment area's `oid`), a `buvid3` cookie, and the day's WBI keys.

use engine::{Error, FetchContext, Response, Target};
use serde_json::Value;

use super::envelope;
use super::url::{detect, SHORT_LINK_PARAM};
use super::wbi::WbiKeys;
use super::PLATFORM;

/// The video whose comments are exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Video {
    /// The comment area id (`oid`).
    pub aid: u64,
    /// The BV id (for permalinks and the referer).
    pub bvid: String,
}

/// A job's session: the HTTP client plus what every request carries.
pub(crate) struct Session {
    pub ctx: FetchContext,
    pub video: Video,
    /// `buvid3=…`, when one was obtained.
    cookie: Option<String>,
    referer: String,
    /// Signing keys; `None` when nav did not give them (unsigned fallback).
    pub keys: Option<WbiKeys>,
    /// Facts for the summary found while setting up.
    pub notes: Vec<String>,
}

impl Session {
    /// Sets up the session of `target`.
    pub(crate) async fn open(target: &Target, ctx: FetchContext) -> Result<Session, Error> {
        let bvid = resolve_bvid(target, &ctx).await?;
        let mut session = Session {
            ctx,
            video: Video {
                aid: 0,
                bvid: bvid.clone(),
            },
            cookie: None,
            referer: format!("https://www.bilibili.com/video/{bvid}/"),
            keys: None,
            notes: Vec::new(),
        };
        session.video = session.view(&bvid).await?;
        let logged_in = session.nav().await;
        if logged_in {
            // A per-request Cookie header replaces the configured one (the
            // client only fills in default headers that are absent), so the
            // user's login cookies are left alone.
            session
                .notes
                .push("signed in with the configured cookies; no buvid3 added".to_string());
        } else {
            session.cookie = buvid3(&session.ctx).await.map(|v| format!("buvid3={v}"));
            if session.cookie.is_none() {
                session
                    .notes
                    .push("no buvid3 cookie could be obtained; continued without it".to_string());
            }
        }
        Ok(session)
    }

    /// GET with the session's cookie and referer; HTTP 412 is rate limited.
    pub(crate) async fn get(&self, url: &str) -> Result<Response, Error> {
        let mut headers: Vec<(&str, &str)> = vec![("referer", &self.referer)];
        if let Some(c) = &self.cookie {
            headers.push(("cookie", c));
        }
        self.ctx
            .http
            .get_with_headers(url, &headers)
            .await
            .map_err(envelope::map_http_error)
    }

    /// `GET /x/web-interface/view?bvid=…`: the aid, and whether the video exists.
    /// When the endpoint itself is missing (HTTP 404; Bilibili answers an
    /// unknown video with HTTP 200 and code -404), the aid is computed from
    /// the BV id and the comment listing says whether the video exists.
    async fn view(&mut self, bvid: &str) -> Result<Video, Error> {
        let url = format!("https://api.bilibili.com/x/web-interface/view?bvid={bvid}");
        let computed = super::bvid::bv_to_av(bvid);
        let resp = match (self.get(&url).await, computed) {
            (Ok(resp), _) => resp,
            (Err(Error::NotFound { .. }), Some(aid)) => {
                self.notes.push(
                    "the view endpoint answered HTTP 404; aid computed from the BV id".into(),
                );
                return Ok(Video {
                    aid,
                    bvid: bvid.to_string(),
                });
            }
            (Err(e), _) => return Err(e),
        };
        let data = envelope::data(&resp.body, &resp.url)?;
        let aid = data
            .get("aid")
            .and_then(super::parse::uint)
            .or(computed)
            .ok_or_else(|| {
                Error::parse(PLATFORM, &resp.url, "view without `aid`", &resp.text(), 0)
            })?;
        let bvid = data
            .get("bvid")
            .and_then(Value::as_str)
            .and_then(super::bvid::normalize_bv)
            .unwrap_or_else(|| bvid.to_string());
        Ok(Video { aid, bvid })
    }

    /// `GET /x/web-interface/nav` (answered with code -101 to visitors,
    /// `wbi_img` included): sets the WBI keys when present; returns whether
    /// the configured cookies are a signed-in session (`data.isLogin`).
    async fn nav(&mut self) -> bool {
        let resp = match self
            .get("https://api.bilibili.com/x/web-interface/nav")
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.notes.push(format!(
                    "nav failed ({}); using the unsigned listing",
                    e.kind()
                ));
                return false;
            }
        };
        let Ok(body) = serde_json::from_slice::<Value>(&resp.body) else {
            return false;
        };
        let url = |name: &str| {
            body.pointer(&format!("/data/wbi_img/{name}"))
                .and_then(Value::as_str)
        };
        self.keys = url("img_url")
            .zip(url("sub_url"))
            .and_then(|(img, sub)| WbiKeys::from_urls(img, sub));
        body.pointer("/data/isLogin") == Some(&Value::Bool(true))
    }
}

/// The BV id of `target`, following a `b23.tv` short link when there is one.
async fn resolve_bvid(target: &Target, ctx: &FetchContext) -> Result<String, Error> {
    let Some(short) = target.params.get(SHORT_LINK_PARAM) else {
        return Ok(target.id.clone());
    };
    let landed = ctx.http.final_url(short).await?;
    let video = url::Url::parse(&landed)
        .ok()
        .and_then(|u| detect(&u))
        .filter(|t| !t.params.contains_key(SHORT_LINK_PARAM));
    video.map(|t| t.id).ok_or_else(|| Error::NotFound {
        platform: PLATFORM.to_string(),
        url: engine::redact_url(short),
        detail: format!(
            "the short link leads to {}, not a video",
            engine::redact_url(&landed)
        ),
    })
}

/// A `buvid3` like a browser gets one: `/x/frontend/finger/spi` (`data.b_3`),
/// else the `set-cookie` of the home page. `None` when neither gives one.
async fn buvid3(ctx: &FetchContext) -> Option<String> {
    if let Ok(resp) = ctx
        .http
        .get("https://api.bilibili.com/x/frontend/finger/spi")
        .await
    {
        let b3 = serde_json::from_slice::<Value>(&resp.body)
            .ok()
            .and_then(|v| {
                v.pointer("/data/b_3")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .filter(|s| valid_cookie_value(s));
        if b3.is_some() {
            return b3;
        }
    }
    let resp = ctx.http.get("https://www.bilibili.com/").await.ok()?;
    buvid3_from_set_cookies(
        resp.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The `buvid3` value among `set-cookie` header values.
pub(crate) fn buvid3_from_set_cookies<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    values
        .into_iter()
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "buvid3")
        .map(|(_, value)| value.to_string())
        .filter(|v| valid_cookie_value(v))
}

/// A value safe to put in a `Cookie` header.
fn valid_cookie_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 256
        && v.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
}
