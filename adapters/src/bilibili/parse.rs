//! Wire format → records: one reply object (the same shape in every comment
//! endpoint) becomes a [`Comment`]; the three listings are read into
//! [`MainPage`], [`LegacyPage`] and [`ReplyPage`]. Never panics: a missing
//! `rpid` or a listing of the wrong type is [`Error::Parse`]; every other
//! field is optional.

use chrono::{TimeZone, Utc};
use engine::{Comment, Error, Kind, Precision, Target};
use serde_json::{Map, Value};

use super::PLATFORM;

/// What the records of a page are about: the target and its BV id (for permalinks).
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The export target (its id and canonical URL go into every record).
    pub target: &'a Target,
    /// The video's BV id.
    pub bvid: &'a str,
    /// The request URL, for error messages.
    pub url: &'a str,
}

/// One page of `/x/v2/reply/wbi/main`.
#[derive(Debug, Clone, Default)]
pub struct MainPage {
    /// Top-level comments in listing order.
    pub replies: Vec<Comment>,
    /// Pinned comments (`top_replies`, `top.upper`, `top.admin`), which duplicate listed ones.
    pub pinned: Vec<Comment>,
    /// `cursor.pagination_reply.next_offset`: the offset of the next page.
    pub next_offset: Option<String>,
    /// `cursor.is_end`.
    pub is_end: bool,
    /// `cursor.all_count`: comments and replies in all.
    pub all_count: Option<u64>,
    /// True when the body is a `v_voucher` risk-control answer (signature refused).
    pub voucher: bool,
}

/// One page of the unsigned `/x/v2/reply` listing.
#[derive(Debug, Clone, Default)]
pub struct LegacyPage {
    /// Top-level comments in listing order.
    pub replies: Vec<Comment>,
    /// Pinned comments (`upper.top`, `top`).
    pub pinned: Vec<Comment>,
    /// `page.count`: top-level comments in all.
    pub count: Option<u64>,
    /// `page.acount`: comments and replies in all.
    pub acount: Option<u64>,
    /// `page.size`: comments per page.
    pub size: Option<u64>,
}

/// One page of `/x/v2/reply/reply` (the replies under one root comment).
#[derive(Debug, Clone, Default)]
pub struct ReplyPage {
    /// Replies in listing order (oldest first on Bilibili).
    pub replies: Vec<Comment>,
    /// `page.count`: replies under the root in all.
    pub count: Option<u64>,
    /// `page.size`: replies per page.
    pub size: Option<u64>,
}

/// Reads the `data` of a wbi/main answer.
pub fn main_page(data: &Value, src: &Source) -> Result<MainPage, Error> {
    let cursor = data.get("cursor");
    let mut pinned = list(data.get("top_replies"), src, "top_replies")?;
    pinned.extend(top_objects(data.get("top"), src)?);
    Ok(MainPage {
        replies: list(data.get("replies"), src, "replies")?,
        pinned,
        next_offset: cursor
            .and_then(|c| c.get("pagination_reply"))
            .and_then(|p| p.get("next_offset"))
            .and_then(Value::as_str)
            .map(str::to_string),
        is_end: cursor
            .and_then(|c| c.get("is_end"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        all_count: cursor.and_then(|c| c.get("all_count")).and_then(uint),
        voucher: data.get("v_voucher").is_some() && data.get("replies").is_none(),
    })
}

/// Reads the `data` of a `/x/v2/reply` answer.
pub fn legacy_page(data: &Value, src: &Source) -> Result<LegacyPage, Error> {
    let mut pinned = Vec::new();
    if let Some(top) = data
        .get("upper")
        .and_then(|u| u.get("top"))
        .filter(|t| t.is_object())
    {
        pinned.push(reply(top, src)?);
    }
    pinned.extend(top_objects(data.get("top"), src)?);
    let page = data.get("page");
    Ok(LegacyPage {
        replies: list(data.get("replies"), src, "replies")?,
        pinned,
        count: page.and_then(|p| p.get("count")).and_then(uint),
        acount: page.and_then(|p| p.get("acount")).and_then(uint),
        size: page.and_then(|p| p.get("size")).and_then(uint),
    })
}

/// Reads the `data` of a `/x/v2/reply/reply` answer.
pub fn reply_page(data: &Value, src: &Source) -> Result<ReplyPage, Error> {
    let page = data.get("page");
    Ok(ReplyPage {
        replies: list(data.get("replies"), src, "replies")?,
        count: page.and_then(|p| p.get("count")).and_then(uint),
        size: page.and_then(|p| p.get("size")).and_then(uint),
    })
}

/// The pinned comments of a `top` field: a reply object itself, or
/// `{"admin":…,"upper":…,"vote":…}` holding up to two (`null` when none).
fn top_objects(top: Option<&Value>, src: &Source) -> Result<Vec<Comment>, Error> {
    let Some(top) = top.filter(|t| t.is_object()) else {
        return Ok(Vec::new());
    };
    if top.get("rpid").is_some() {
        return Ok(vec![reply(top, src)?]);
    }
    ["admin", "upper"]
        .iter()
        .filter_map(|k| top.get(*k).filter(|v| v.is_object()))
        .map(|v| reply(v, src))
        .collect()
}

/// A list of reply objects; `null` or absent is empty.
fn list(v: Option<&Value>, src: &Source, field: &str) -> Result<Vec<Comment>, Error> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|r| reply(r, src)).collect(),
        Some(other) => Err(shape(src, format!("`{field}` is not a list"), other)),
    }
}

/// One reply object → a record. A top-level one (`root` 0) is a `comment` at
/// depth 0; any other is a `reply` with `root_id` = `root`, `parent_id` =
/// `parent` and a provisional depth of 1 (the thread fixes depths, see
/// [`super::thread::link`]).
///
/// ```
/// use adapters::bilibili::parse::{reply, Source};
/// let t = engine::Target::new("bilibili", "BV1xx411c7mD", "https://www.bilibili.com/video/BV1xx411c7mD/");
/// let src = Source { target: &t, bvid: "BV1xx411c7mD", url: "u" };
/// let v = serde_json::json!({"rpid": 7, "root": 5, "parent": 6, "like": 3,
///     "member": {"mid": "9", "uname": "a"}, "content": {"message": "hi"}, "ctime": 1600000000});
/// let c = reply(&v, &src).unwrap();
/// assert_eq!((c.id.as_str(), c.parent_id.as_deref(), c.root_id.as_str()), ("7", Some("6"), "5"));
/// assert_eq!(c.url.as_deref(), Some("https://www.bilibili.com/video/BV1xx411c7mD#reply7"));
/// ```
pub fn reply(v: &Value, src: &Source) -> Result<Comment, Error> {
    if !v.is_object() {
        return Err(shape(src, "a reply is not an object".into(), v));
    }
    let id = id_field(v, "rpid").ok_or_else(|| shape(src, "reply without `rpid`".into(), v))?;
    let root = id_field(v, "root");
    let parent = id_field(v, "parent");
    let kind = if root.is_some() {
        Kind::Reply
    } else {
        Kind::Comment
    };
    let mut c = Comment::new(PLATFORM, kind, id.clone(), &src.target.id, &src.target.url);
    if let Some(root) = root {
        c.root_id = root.clone();
        c.parent_id = Some(parent.unwrap_or(root));
        c.depth = 1;
    }
    let member = v.get("member");
    c.author = member
        .and_then(|m| m.get("uname"))
        .and_then(Value::as_str)
        .map(str::to_string);
    c.author_id = member
        .and_then(|m| id_field(m, "mid"))
        .or_else(|| id_field(v, "mid"));
    c.author_url = c
        .author_id
        .as_ref()
        .map(|mid| format!("https://space.bilibili.com/{mid}"));
    c.text = v
        .get("content")
        .and_then(|m| m.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(t) = v.get("ctime").and_then(int).filter(|t| *t > 0) {
        c.created_at = Utc.timestamp_opt(t, 0).single();
        c.created_at_precision = c.created_at.map(|_| Precision::Second);
    }
    c.likes = v.get("like").and_then(uint);
    c.reply_count = v.get("rcount").and_then(uint);
    c.url = Some(format!(
        "https://www.bilibili.com/video/{}#reply{id}",
        src.bvid
    ));
    c.extra = extra(v, member);
    Ok(c)
}

/// Bilibili-specific fields worth keeping.
fn extra(v: &Value, member: Option<&Value>) -> Map<String, Value> {
    let mut x = Map::new();
    let mut put = |k: &str, val: Option<Value>| {
        if let Some(val) = val.filter(|v| !v.is_null()) {
            x.insert(k.to_string(), val);
        }
    };
    put(
        "level",
        member
            .and_then(|m| m.pointer("/level_info/current_level"))
            .cloned(),
    );
    put(
        "vip",
        member
            .and_then(|m| m.pointer("/vip/vipStatus"))
            .and_then(int)
            .map(|s| Value::Bool(s == 1)),
    );
    put("location", v.pointer("/reply_control/location").cloned());
    put("time_desc", v.pointer("/reply_control/time_desc").cloned());
    put("up_liked", v.pointer("/up_action/like").cloned());
    put("up_replied", v.pointer("/up_action/reply").cloned());
    put("count", v.get("count").cloned());
    put("pinned", Some(Value::Bool(false)));
    x
}

/// A non-zero id, from `<name>_str` or `<name>` (number or digit string);
/// 0 (Bilibili's "none") is `None`.
fn id_field(v: &Value, name: &str) -> Option<String> {
    let from = |x: &Value| match x {
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(s.trim_start_matches('0').to_string())
        }
        Value::Number(n) => n.as_u64().filter(|n| *n > 0).map(|n| n.to_string()),
        _ => None,
    };
    v.get(format!("{name}_str"))
        .and_then(from)
        .or_else(|| v.get(name).and_then(from))
        .filter(|s| !s.is_empty())
}

/// An unsigned integer given as a number or a digit string.
pub(crate) fn uint(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn shape(src: &Source, message: String, near: &Value) -> Error {
    let text = near.to_string();
    Error::parse(PLATFORM, src.url, message, &text, 0)
}
