//! TikTok's web comment API answers: `GET /api/comment/list/` and
//! `GET /api/comment/list/reply/` (`comments`, `cursor`, `has_more`, `total`,
//! `status_code`). Pure; never panics: a wrong envelope is [`Error::Parse`].

use engine::Error;
use serde_json::Value;

use super::PLATFORM;

/// A comment or reply as the API gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TtComment {
    /// `cid`.
    pub cid: String,
    /// `text`.
    pub text: String,
    /// `create_time` (Unix seconds).
    pub create_time: Option<i64>,
    /// `digg_count`.
    pub likes: Option<u64>,
    /// `reply_comment_total`.
    pub replies: Option<u64>,
    /// `reply_id` (the top-level comment a reply belongs to; `"0"` at top level).
    pub reply_id: Option<String>,
    /// `reply_to_reply_id` (the reply a reply answers, when not the top-level one).
    pub reply_to_reply_id: Option<String>,
    /// `comment_language`.
    pub language: Option<String>,
    /// `user.uid`.
    pub uid: Option<String>,
    /// `user.unique_id` (the @handle).
    pub unique_id: Option<String>,
    /// `user.nickname`.
    pub nickname: Option<String>,
    /// `reply_comment` (a preview of the replies).
    pub previews: Vec<TtComment>,
}

/// A page of comments or replies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TtPage {
    /// `comments` (`null` when there are none).
    pub comments: Vec<TtComment>,
    /// `cursor`: where the next page starts.
    pub cursor: u64,
    /// `has_more`.
    pub has_more: bool,
    /// `total`.
    pub total: Option<u64>,
}

fn id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() && s != "0" && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.clone())
        }
        Value::Number(n) => n.as_u64().filter(|&n| n > 0).map(|n| n.to_string()),
        _ => None,
    }
}

fn num(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(u64::from(*b)),
        _ => None,
    }
}

fn comment(v: &Value) -> Option<TtComment> {
    let user = v.get("user");
    let ustr = |k: &str| {
        user.and_then(|u| u.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(TtComment {
        cid: id(v.get("cid"))?,
        text: v
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        create_time: v.get("create_time").and_then(Value::as_i64),
        likes: num(v.get("digg_count")),
        replies: num(v.get("reply_comment_total")),
        reply_id: id(v.get("reply_id")),
        reply_to_reply_id: id(v.get("reply_to_reply_id")),
        language: v
            .get("comment_language")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty() && *l != "un")
            .map(str::to_string),
        uid: id(user.and_then(|u| u.get("uid"))),
        unique_id: ustr("unique_id"),
        nickname: ustr("nickname"),
        previews: v
            .get("reply_comment")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(comment)
            .collect(),
    })
}

/// Parses a page of `/api/comment/list/` or `/api/comment/list/reply/`.
///
/// An empty body, which TikTok sends when it wants a signed request, is an
/// [`Error::Forbidden`] saying so; a non-zero `status_code` an [`Error::Http`].
///
/// ```
/// let p = adapters::tiktok::wire::parse_page(br#"{"comments":[{"cid":"71","text":"hi","create_time":1700000000,
///   "digg_count":3,"reply_comment_total":2,"user":{"uid":"9","unique_id":"ann","nickname":"Ann"}}],
///   "cursor":20,"has_more":1,"total":41,"status_code":0}"#, "u").unwrap();
/// assert_eq!((p.comments[0].cid.as_str(), p.cursor, p.has_more), ("71", 20, true));
/// ```
pub fn parse_page(body: &[u8], url: &str) -> Result<TtPage, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Forbidden {
            platform: PLATFORM.into(),
            url: url.to_string(),
            detail: "TikTok answered with an empty body: it wants this request signed \
                     (X-Bogus/msToken), which only a browser session makes"
                .into(),
        });
    }
    let text = String::from_utf8_lossy(body);
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Error::parse(PLATFORM, url, format!("not JSON: {e}"), &text, e.column()))?;
    let status = v.get("status_code").and_then(Value::as_i64);
    match status {
        Some(0) => {}
        Some(code) => {
            let msg = v.get("status_msg").and_then(Value::as_str).unwrap_or("");
            return Err(Error::Http {
                status: 200,
                url: url.to_string(),
                excerpt: format!("TikTok status_code {code}: {msg}"),
            });
        }
        None => return Err(Error::parse(PLATFORM, url, "no status_code", &text, 0)),
    }
    let comments = match v.get("comments") {
        Some(Value::Array(a)) => a.iter().filter_map(comment).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => {
            return Err(Error::parse(
                PLATFORM,
                url,
                "`comments` is not a list",
                &text,
                0,
            ))
        }
    };
    Ok(TtPage {
        comments,
        cursor: num(v.get("cursor")).unwrap_or(0),
        has_more: num(v.get("has_more")).unwrap_or(0) > 0,
        total: num(v.get("total")),
    })
}
