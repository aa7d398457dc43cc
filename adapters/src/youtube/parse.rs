//! `youtubei/v1/next` continuation responses → threads, replies and the
//! next token. Pure functions: no I/O, never panic; every unexpected shape
//! is an [`engine::Error::Parse`] naming the JSON path.

use chrono::{DateTime, Utc};
use engine::{Comment, Error, Target};
use serde_json::Value;

use super::comment::{from_renderer, from_view_model, Ctx, Entities, Parsed};
use super::json::{at, continuation_token, shape_error, str_at, text};

/// Sort tokens offered by a `sortFilterSubMenuRenderer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortTokens {
    /// The "Top" entry's continuation token.
    pub top: Option<String>,
    /// The "Newest" entry's continuation token.
    pub newest: Option<String>,
}

impl SortTokens {
    /// Reads the menu's `subMenuItems`: by title ("Top", "Newest") and,
    /// when titles are not English, by position (Top first, as YouTube lists them).
    pub fn from_menu(menu: &Value) -> SortTokens {
        let mut s = SortTokens::default();
        let Some(items) = menu.get("subMenuItems").and_then(Value::as_array) else {
            return s;
        };
        for (i, item) in items.iter().enumerate() {
            let token = str_at(item, &["serviceEndpoint", "continuationCommand", "token"])
                .or_else(|| {
                    str_at(
                        item,
                        &["continuation", "reloadContinuationData", "continuation"],
                    )
                })
                .map(str::to_string);
            let title = str_at(item, &["title"]).unwrap_or("").to_ascii_lowercase();
            if title.starts_with("top") || (i == 0 && !title.starts_with("new")) {
                s.top = s.top.or(token);
            } else if title.starts_with("new") || i == 1 {
                s.newest = s.newest.or(token);
            }
        }
        s
    }
}

/// One top-level thread of a page.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The top-level comment.
    pub comment: Comment,
    /// Token of its first replies page, when it has replies.
    pub replies: Option<String>,
    /// Replies shipped inline in the thread's `commentRepliesRenderer`
    /// (`contents` or `subThreads`), before the token's pages.
    pub inline: Vec<(Comment, Option<String>)>,
    /// True when YouTube shows it pinned.
    pub pinned: bool,
}

/// A page of top-level threads.
#[derive(Debug, Clone, Default)]
pub struct TopPage {
    /// Threads in the listing's order.
    pub threads: Vec<Thread>,
    /// Token of the next page, `None` at the end.
    pub next: Option<String>,
    /// The header's sort menu (first page only).
    pub sort: SortTokens,
    /// The header's comment count ("21,051 Comments"), when shown.
    pub total: Option<u64>,
    /// A `messageRenderer` text (e.g. "Comments are turned off.").
    pub message: Option<String>,
}

/// A page of replies (one `appendContinuationItemsAction`).
#[derive(Debug, Clone, Default)]
pub struct ReplyPage {
    /// Replies with their stated level (depth is set from it; parents are
    /// linked by the caller) and, for a nested thread, its own replies token.
    pub items: Vec<(Comment, Option<String>)>,
    /// "Show more replies" token, `None` when the thread is exhausted.
    pub next: Option<String>,
}

/// The continuation items of a response, with the JSON path of each list.
/// [`item_lists`], where a page without any is a shape error.
fn nonempty_item_lists<'v>(
    v: &'v Value,
    url: &str,
    body: &[u8],
) -> Result<Vec<(String, &'v Vec<Value>)>, Error> {
    let lists = item_lists(v);
    if lists.is_empty() {
        return Err(shape_error(
            url,
            "onResponseReceivedEndpoints[*].appendContinuationItemsAction",
            "no continuation items",
            &String::from_utf8_lossy(body),
        ));
    }
    Ok(lists)
}

fn item_lists(v: &Value) -> Vec<(String, &Vec<Value>)> {
    let mut out = Vec::new();
    if let Some(eps) = v
        .get("onResponseReceivedEndpoints")
        .and_then(Value::as_array)
    {
        for (i, ep) in eps.iter().enumerate() {
            for action in [
                "reloadContinuationItemsCommand",
                "appendContinuationItemsAction",
            ] {
                if let Some(items) =
                    at(ep, &[action, "continuationItems"]).and_then(Value::as_array)
                {
                    out.push((format!("onResponseReceivedEndpoints[{i}].{action}"), items));
                }
            }
        }
    }
    // The 2020-era shape.
    for section in ["itemSectionContinuation", "commentRepliesContinuation"] {
        if let Some(items) =
            at(v, &["continuationContents", section, "contents"]).and_then(Value::as_array)
        {
            out.push((format!("continuationContents.{section}"), items));
        }
    }
    out
}

fn old_next(v: &Value) -> Option<String> {
    ["itemSectionContinuation", "commentRepliesContinuation"]
        .iter()
        .find_map(|s| {
            str_at(
                v,
                &[
                    "continuationContents",
                    s,
                    "continuations",
                    "0",
                    "nextContinuationData",
                    "continuation",
                ],
            )
            .map(str::to_string)
        })
}

fn parse_json(body: &[u8], url: &str) -> Result<Value, Error> {
    serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        Error::parse(
            "youtube",
            url,
            format!("response is not JSON: {e}"),
            &text,
            0,
        )
    })
}

/// Parses a top-level comments page (first page after a sort choice, or a later page).
pub fn parse_top_page(
    body: &[u8],
    target: &Target,
    url: &str,
    fetched_at: DateTime<Utc>,
) -> Result<TopPage, Error> {
    let v = parse_json(body, url)?;
    let lists = nonempty_item_lists(&v, url, body)?;
    let entities = Entities::index(&v);
    let ctx = Ctx { target, fetched_at };
    let mut page = TopPage {
        next: old_next(&v),
        ..Default::default()
    };
    for (path, items) in lists {
        for (i, item) in items.iter().enumerate() {
            let here = format!("{path}.continuationItems[{i}]");
            if let Some(t) = item.get("commentThreadRenderer") {
                let thread = parse_thread(t, &entities, &ctx).map_err(|m| {
                    shape_error(url, &format!("{here}.commentThreadRenderer"), &m, "")
                })?;
                page.threads.push(thread);
            } else if let Some(h) = item.get("commentsHeaderRenderer") {
                if let Some(menu) = at(h, &["sortMenu", "sortFilterSubMenuRenderer"]) {
                    page.sort = SortTokens::from_menu(menu);
                }
                page.total = h
                    .get("countText")
                    .or_else(|| h.get("commentsCount"))
                    .and_then(text)
                    .and_then(|t| {
                        t.split_whitespace()
                            .next()
                            .and_then(engine::counts::parse_count)
                            .map(|n| n.value)
                    });
            } else if let Some(token) = continuation_token(item) {
                page.next = Some(token.to_string());
            } else if let Some(m) = item.get("messageRenderer") {
                page.message = m.get("text").and_then(text);
            }
        }
    }
    Ok(page)
}

fn parse_thread(t: &Value, entities: &Entities, ctx: &Ctx) -> Result<Thread, String> {
    let (
        Parsed {
            mut comment,
            level: _,
        },
        replies,
        pinned,
    ) = thread_parts(t, entities, ctx)?;
    // A top-level thread is depth 0 whatever the id looks like.
    comment.depth = 0;
    comment.kind = engine::Kind::Comment;
    let mut inline = Vec::new();
    for (i, item) in reply_list(t).into_iter().flatten().enumerate() {
        let reply = reply_item(item, entities, ctx)
            .map_err(|m| format!("replies.commentRepliesRenderer[{i}]: {m}"))?;
        inline.extend(reply);
    }
    Ok(Thread {
        comment,
        replies,
        inline,
        pinned,
    })
}

/// The comment of a `commentThreadRenderer` (either format), its replies
/// token and whether it is pinned.
fn thread_parts(
    t: &Value,
    entities: &Entities,
    ctx: &Ctx,
) -> Result<(Parsed, Option<String>, bool), String> {
    let mut parsed = if let Some(vm) = t.get("commentViewModel") {
        from_view_model(vm, entities, ctx)?
    } else if let Some(r) = at(t, &["comment", "commentRenderer"]) {
        from_renderer(r, ctx)?
    } else {
        return Err("neither commentViewModel nor comment.commentRenderer".into());
    };
    let pinned = str_at(t, &["renderingPriority"]) == Some("RENDERING_PRIORITY_PINNED_COMMENT")
        || parsed.comment.extra.get("pinned") == Some(&Value::Bool(true));
    parsed
        .comment
        .extra
        .insert("pinned".into(), Value::Bool(pinned));
    Ok((parsed, replies_token(t), pinned))
}

/// The item list of a thread's `commentRepliesRenderer`: `contents`, or
/// `subThreads` in the 2024+ threaded layout.
fn reply_list(t: &Value) -> Option<&Vec<Value>> {
    let r = at(t, &["replies", "commentRepliesRenderer"])?;
    r.get("contents")
        .or_else(|| r.get("subThreads"))
        .and_then(Value::as_array)
}

/// The first replies token of a thread's `commentRepliesRenderer`.
fn replies_token(t: &Value) -> Option<String> {
    reply_list(t)
        .and_then(|items| items.iter().find_map(continuation_token))
        .or_else(|| {
            str_at(
                t,
                &[
                    "replies",
                    "commentRepliesRenderer",
                    "continuations",
                    "0",
                    "nextContinuationData",
                    "continuation",
                ],
            )
        })
        .map(str::to_string)
}

/// One reply item: a `commentViewModel`, a legacy `commentRenderer`, or a
/// nested `commentThreadRenderer` (with its own replies token). `None` for
/// items that are not comments (continuations, buttons).
fn reply_item(
    item: &Value,
    entities: &Entities,
    ctx: &Ctx,
) -> Result<Option<(Comment, Option<String>)>, String> {
    let (parsed, nested) = if let Some(vm) = item.get("commentViewModel") {
        (from_view_model(vm, entities, ctx)?, None)
    } else if let Some(r) = item.get("commentRenderer") {
        (from_renderer(r, ctx)?, None)
    } else if let Some(t) = item.get("commentThreadRenderer") {
        let (parsed, replies, _) = thread_parts(t, entities, ctx)?;
        (parsed, replies)
    } else {
        return Ok(None);
    };
    let mut c = parsed.comment;
    c.depth = parsed.level.max(1);
    c.kind = engine::Kind::Reply;
    Ok(Some((c, nested)))
}

/// Parses one replies page. Items may be `commentViewModel`, legacy
/// `commentRenderer`, or a nested `commentThreadRenderer` (a reply with
/// replies of its own); the level of each is its `replyLevel` (or 1).
pub fn parse_reply_page(
    body: &[u8],
    target: &Target,
    url: &str,
    fetched_at: DateTime<Utc>,
) -> Result<ReplyPage, Error> {
    let v = parse_json(body, url)?;
    let lists = nonempty_item_lists(&v, url, body)?;
    let entities = Entities::index(&v);
    let ctx = Ctx { target, fetched_at };
    let mut page = ReplyPage {
        next: old_next(&v),
        ..Default::default()
    };
    for (path, items) in lists {
        for (i, item) in items.iter().enumerate() {
            let here = format!("{path}.continuationItems[{i}]");
            if let Some(reply) =
                reply_item(item, &entities, &ctx).map_err(|m| shape_error(url, &here, &m, ""))?
            {
                page.items.push(reply);
            } else if let Some(token) = continuation_token(item) {
                page.next = Some(token.to_string());
            }
        }
    }
    Ok(page)
}
