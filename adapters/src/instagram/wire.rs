//! Instagram's web API answers: `GET /api/v1/media/<id>/comments/` (a page of
//! top-level comments, the caption, `next_max_id`/`next_min_id`) and
//! `GET /api/v1/media/<id>/comments/<comment>/child_comments/` (a page of
//! replies, `next_max_child_cursor`/`next_min_child_cursor`). Pure; never
//! panics: a wrong envelope is [`Error::Parse`].

use engine::Error;
use serde_json::Value;

use super::PLATFORM;

/// A comment (or the caption) as the API gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IgComment {
    /// `pk`.
    pub pk: String,
    /// `text`.
    pub text: String,
    /// `created_at` (Unix seconds).
    pub created_at: Option<i64>,
    /// `comment_like_count`.
    pub likes: Option<u64>,
    /// `child_comment_count`.
    pub child_count: Option<u64>,
    /// `parent_comment_id` (replies).
    pub parent: Option<String>,
    /// `user.pk`.
    pub user_id: Option<String>,
    /// `user.username`.
    pub username: Option<String>,
    /// `user.full_name`.
    pub full_name: Option<String>,
    /// `user.is_verified`.
    pub verified: bool,
    /// `preview_child_comments`.
    pub previews: Vec<IgComment>,
}

/// A page of top-level comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopPage {
    /// `comments`.
    pub comments: Vec<IgComment>,
    /// `caption`.
    pub caption: Option<IgComment>,
    /// `comment_count`.
    pub comment_count: Option<u64>,
    /// `next_max_id` when `has_more_comments`.
    pub next_max_id: Option<String>,
    /// `next_min_id` when `has_more_headload_comments`.
    pub next_min_id: Option<String>,
}

/// A page of replies to one comment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildPage {
    /// `child_comments`.
    pub children: Vec<IgComment>,
    /// `next_max_child_cursor` when `has_more_tail_child_comments`.
    pub next_max: Option<String>,
    /// `next_min_child_cursor` when `has_more_head_child_comments`.
    pub next_min: Option<String>,
}

fn root(body: &[u8], url: &str) -> Result<Value, Error> {
    let text = String::from_utf8_lossy(body);
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Error::parse(PLATFORM, url, format!("not JSON: {e}"), &text, e.column()))?;
    if !v.is_object() {
        return Err(Error::parse(PLATFORM, url, "not a JSON object", &text, 0));
    }
    Ok(v)
}

/// An id sent as a string or a number.
fn id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.clone())
        }
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A cursor (`next_max_id` and friends): a string, or a number sent as one.
fn cursor(v: &Value, flag: &str, key: &str) -> Option<String> {
    if !v.get(flag).and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One comment; `None` when it has no usable `pk`.
pub fn comment(v: &Value) -> Option<IgComment> {
    let user = v.get("user");
    let ustr = |k: &str| {
        user.and_then(|u| u.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Some(IgComment {
        pk: id(v.get("pk")).or_else(|| id(v.get("id")))?,
        text: v
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        created_at: v
            .get("created_at")
            .or_else(|| v.get("created_at_utc"))
            .and_then(|t| {
                t.as_i64()
                    .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            }),
        likes: count(v.get("comment_like_count")).or_else(|| count(v.get("like_count"))),
        child_count: count(v.get("child_comment_count")),
        parent: id(v.get("parent_comment_id")),
        user_id: id(user.and_then(|u| u.get("pk"))).or_else(|| id(v.get("user_id"))),
        username: ustr("username"),
        full_name: ustr("full_name").filter(|n| !n.is_empty()),
        verified: user
            .and_then(|u| u.get("is_verified"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        previews: v
            .get("preview_child_comments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(comment)
            .collect(),
    })
}

/// Parses a page of top-level comments.
///
/// ```
/// let p = adapters::instagram::wire::parse_comments(br#"{"comments":[{"pk":"17","text":"hi","created_at":1700000000,
///   "user":{"pk":"5","username":"ann"},"child_comment_count":2}],"has_more_headload_comments":true,
///   "next_min_id":"{\"server_cursor\": \"x\"}","status":"ok"}"#, "u").unwrap();
/// assert_eq!((p.comments[0].pk.as_str(), p.next_min_id.as_deref()), ("17", Some("{\"server_cursor\": \"x\"}")));
/// ```
pub fn parse_comments(body: &[u8], url: &str) -> Result<TopPage, Error> {
    let v = root(body, url)?;
    let Some(list) = v.get("comments").and_then(Value::as_array) else {
        return Err(Error::parse(
            PLATFORM,
            url,
            "no `comments` list",
            &String::from_utf8_lossy(body),
            0,
        ));
    };
    Ok(TopPage {
        comments: list.iter().filter_map(comment).collect(),
        caption: v.get("caption").filter(|c| c.is_object()).and_then(comment),
        comment_count: count(v.get("comment_count")),
        next_max_id: cursor(&v, "has_more_comments", "next_max_id"),
        next_min_id: cursor(&v, "has_more_headload_comments", "next_min_id"),
    })
}

/// Parses a page of replies.
///
/// ```
/// let p = adapters::instagram::wire::parse_child_comments(br#"{"child_comments":[{"pk":18,"text":"re",
///   "parent_comment_id":"17"}],"has_more_tail_child_comments":true,"next_max_child_cursor":"Q","status":"ok"}"#, "u").unwrap();
/// assert_eq!((p.children[0].parent.as_deref(), p.next_max.as_deref(), p.next_min), (Some("17"), Some("Q"), None));
/// ```
pub fn parse_child_comments(body: &[u8], url: &str) -> Result<ChildPage, Error> {
    let v = root(body, url)?;
    let Some(list) = v.get("child_comments").and_then(Value::as_array) else {
        return Err(Error::parse(
            PLATFORM,
            url,
            "no `child_comments` list",
            &String::from_utf8_lossy(body),
            0,
        ));
    };
    Ok(ChildPage {
        children: list.iter().filter_map(comment).collect(),
        next_max: cursor(&v, "has_more_tail_child_comments", "next_max_child_cursor"),
        next_min: cursor(&v, "has_more_head_child_comments", "next_min_child_cursor"),
    })
}

/// `message` of a `{"status":"fail"}` answer, and whether it asks for a login.
pub fn failure(body: &[u8]) -> Option<(String, bool)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let fail = v.get("status").and_then(Value::as_str) == Some("fail");
    let login = v
        .get("require_login")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || message == "login_required";
    (fail || login).then_some((message, login))
}
