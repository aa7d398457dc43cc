//! Reddit wire format → flat lists of "things" (`t1` comments, `more`
//! placeholders) and the `t3` post. Pure functions, never panic: anything
//! unexpected in the envelope is [`Error::Parse`]; odd field types inside a
//! comment degrade to `None`.

use serde_json::Value;

use super::wire::{Fields, Listing, MoreChildrenAnswer, OnlyMap, WireThing};

use engine::Error;

/// What a `parent_id` fullname points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentRef {
    /// `t3_<id>`: the post itself (a top-level comment).
    Post(String),
    /// `t1_<id>`: another comment.
    Comment(String),
}

impl ParentRef {
    /// Parses a fullname (`t1_abc`, `t3_xyz`); a bare id is taken as a comment.
    ///
    /// ```
    /// use adapters::reddit::parse::ParentRef;
    /// assert_eq!(ParentRef::from_fullname("t3_abc"), Some(ParentRef::Post("abc".into())));
    /// assert_eq!(ParentRef::from_fullname("t1_x"), Some(ParentRef::Comment("x".into())));
    /// assert_eq!(ParentRef::from_fullname(""), None);
    /// ```
    pub fn from_fullname(s: &str) -> Option<ParentRef> {
        let (prefix, id) = match s.split_once('_') {
            Some((p, id)) if p.len() == 2 && p.starts_with('t') => (p, id),
            _ => ("t1", s),
        };
        if id.is_empty() {
            return None;
        }
        Some(match prefix {
            "t3" => ParentRef::Post(id.to_string()),
            _ => ParentRef::Comment(id.to_string()),
        })
    }
}

/// A `t1` comment as sent, with its parent resolved to a [`ParentRef`].
#[derive(Debug)]
pub struct RawComment {
    /// Base-36 id without the `t1_` prefix.
    pub id: String,
    /// Its parent (from `parent_id`, or from the listing it was nested in).
    pub parent: Option<ParentRef>,
    /// The fields read from its `data` object.
    pub data: Box<Fields>,
}

/// A `more` placeholder: hidden children, or "continue this thread".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMore {
    /// Its id (`_` for "continue this thread").
    pub id: String,
    /// The record whose hidden children it stands for.
    pub parent: Option<ParentRef>,
    /// How many comments hide behind it (0 for "continue this thread").
    pub count: u64,
    /// Ids of hidden direct children, to ask of `morechildren`.
    pub children: Vec<String>,
}

impl RawMore {
    /// True for the "continue this thread" kind: nothing to ask of
    /// `morechildren`, the parent's page `/comments/<post>/_/<parent>` holds the rest.
    ///
    /// ```
    /// use adapters::reddit::parse::RawMore;
    /// let m = RawMore { id: "_".into(), parent: None, count: 0, children: vec![] };
    /// assert!(m.is_continue_thread());
    /// ```
    pub fn is_continue_thread(&self) -> bool {
        self.id == "_" || self.children.is_empty()
    }
}

/// One element of a listing, in pre-order (a comment before its replies).
#[derive(Debug)]
pub enum Thing {
    /// A comment.
    Comment(RawComment),
    /// Hidden children.
    More(RawMore),
}

/// A `/comments/<id>` response: the post and its comments, flattened.
#[derive(Debug)]
pub struct Thread {
    /// The `t3` post's fields, when the first listing holds one.
    pub post: Option<Box<Fields>>,
    /// Comments and `more` placeholders in pre-order.
    pub things: Vec<Thing>,
}

fn err(url: &str, message: &str, body: &[u8]) -> Error {
    Error::parse("reddit", url, message, &String::from_utf8_lossy(body), 0)
}

/// Parses a `/comments/<id>[/_/<comment>].json` response: `[post listing, comment listing]`.
///
/// ```
/// let body = br#"[{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"p1","title":"T"}}]}},
///   {"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"c1","parent_id":"t3_p1","body":"hi","replies":""}}]}}]"#;
/// let t = adapters::reddit::parse::parse_thread(body, "https://www.reddit.com/comments/p1.json").unwrap();
/// assert_eq!(t.things.len(), 1);
/// assert!(t.post.is_some());
/// ```
pub fn parse_thread(body: &[u8], url: &str) -> Result<Thread, Error> {
    let parts: Vec<OnlyMap<Listing>> = serde_json::from_slice(body).map_err(|e| {
        err(
            url,
            &format!("expected [post listing, comment listing]: {e}"),
            body,
        )
    })?;
    let mut parts = parts.into_iter();
    let (Some(OnlyMap(Some(first))), Some(OnlyMap(Some(second)))) = (parts.next(), parts.next())
    else {
        return Err(err(url, "expected two listings", body));
    };
    let post = first
        .data
        .0
        .map(|d| d.children)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.0)
        .find(|t| t.kind.as_str() == Some("t3"))
        .and_then(|t| t.data.0)
        .map(Box::new);
    let children = second.data.0.map(|d| d.children).unwrap_or_default();
    let mut things = Vec::with_capacity(children.len());
    for child in children {
        flatten(child, None, &mut things, 0);
    }
    Ok(Thread { post, things })
}

/// Parses a `/api/morechildren` response (`{"json":{"errors":[],"data":{"things":[…]}}}`):
/// a flat list to rebuild by `parent_id`. Replies nested in a thing (should
/// Reddit ever send them) are flattened too.
///
/// ```
/// let body = br#"{"json":{"errors":[],"data":{"things":[
///   {"kind":"t1","data":{"id":"c2","parent_id":"t1_c1","body":"x","replies":""}},
///   {"kind":"more","data":{"id":"c9","parent_id":"t1_c2","count":3,"children":["c9"]}}]}}}"#;
/// let things = adapters::reddit::parse::parse_morechildren(body, "u").unwrap();
/// assert_eq!(things.len(), 2);
/// ```
pub fn parse_morechildren(body: &[u8], url: &str) -> Result<Vec<Thing>, Error> {
    let answer: MoreChildrenAnswer = serde_json::from_slice(body)
        .map_err(|e| err(url, &format!("not a morechildren answer: {e}"), body))?;
    let Some(json) = answer.json.0 else {
        return Err(err(url, "no \"json\" object", body));
    };
    if let Value::Array(errors) = &json.errors {
        if !errors.is_empty() {
            let text = json.errors.to_string();
            // `[["RATELIMIT", "…", "ratelimit"]]` is Reddit's in-band 429.
            if text.contains("RATELIMIT") {
                return Err(Error::RateLimited {
                    platform: "reddit".into(),
                    url: engine::redact_url(url),
                    retry_after: None,
                });
            }
            return Err(err(url, &format!("Reddit reported errors: {text}"), body));
        }
    }
    // An empty answer (every child deleted) may come without `data` or `things`.
    let things = json.data.0.and_then(|d| d.things).unwrap_or_default();
    let mut out = Vec::with_capacity(things.len());
    for thing in things {
        flatten(thing, None, &mut out, 0);
    }
    Ok(out)
}

/// serde_json refuses nesting deeper than 128, so this bound is never the
/// limiting one; it only documents that recursion is finite.
const MAX_NESTING: usize = 256;

/// Appends `thing` and, for a comment, its nested replies in pre-order.
/// Unknown kinds and shapeless entries are skipped.
fn flatten(thing: OnlyMap<WireThing>, nested_in: Option<&str>, out: &mut Vec<Thing>, level: usize) {
    if level > MAX_NESTING {
        return;
    }
    let Some(WireThing { kind, data }) = thing.0 else {
        return;
    };
    let Some(mut data) = data.0 else { return };
    let Some(id) = data
        .id
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
    else {
        return;
    };
    // `parent_id` is authoritative; nesting is the fallback for trimmed payloads.
    let parent = data
        .parent_id
        .as_str()
        .and_then(ParentRef::from_fullname)
        .or_else(|| nested_in.map(|p| ParentRef::Comment(p.to_string())));
    match kind.as_str() {
        Some("t1") => {
            let replies = std::mem::take(&mut data.replies);
            out.push(Thing::Comment(RawComment {
                id: id.clone(),
                parent,
                data: Box::new(data),
            }));
            let children = replies.0.and_then(|l| l.data.0).map(|d| d.children);
            for child in children.unwrap_or_default() {
                flatten(child, Some(&id), out, level + 1);
            }
        }
        Some("more") => {
            let children = match &data.children {
                Value::Array(c) => c
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            let count = data.count.as_u64().unwrap_or(0);
            out.push(Thing::More(RawMore {
                id,
                parent,
                count,
                children,
            }));
        }
        _ => {}
    }
}
