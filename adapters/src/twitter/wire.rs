//! The `TweetDetail` answer: `data.threaded_conversation_with_injections_v2.instructions`
//! (`TimelineAddEntries`, `TimelineAddToModule`, `TimelineReplaceEntry`) →
//! tweets, unavailable placeholders and cursors, in timeline order. Pure;
//! never panics: a wrong envelope is [`Error::Parse`], an entry of an unknown
//! kind is skipped (X adds new ones often).

use engine::Error;
use serde_json::Value;

use super::PLATFORM;

/// One tweet as the wire gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tweet {
    /// `rest_id`.
    pub id: String,
    /// `legacy.in_reply_to_status_id_str`.
    pub parent: Option<String>,
    /// `legacy.conversation_id_str`.
    pub conversation: Option<String>,
    /// `note_tweet` text for long posts, else `legacy.full_text` (as sent: HTML-escaped).
    pub text: String,
    /// `legacy.created_at` (`Wed Oct 10 20:19:24 +0000 2018`).
    pub created_at: Option<String>,
    /// `legacy.favorite_count`.
    pub likes: Option<u64>,
    /// `legacy.reply_count`.
    pub replies: Option<u64>,
    /// `legacy.retweet_count`.
    pub retweets: Option<u64>,
    /// `legacy.quote_count`.
    pub quotes: Option<u64>,
    /// `legacy.bookmark_count`.
    pub bookmarks: Option<u64>,
    /// `views.count`.
    pub views: Option<u64>,
    /// `legacy.lang`.
    pub lang: Option<String>,
    /// The author's `rest_id`.
    pub user_id: Option<String>,
    /// The author's handle (`core.screen_name`, or `legacy.screen_name` in older answers).
    pub screen_name: Option<String>,
    /// The author's display name.
    pub name: Option<String>,
    /// Whether the post was edited (more than one id in `edit_tweet_ids`).
    pub edited: Option<bool>,
}

/// A tweet, or a post X no longer shows (deleted, withheld, protected).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A visible tweet.
    Tweet(Box<Tweet>),
    /// A tombstone or unavailable post: its id (from the entry id) and X's reason.
    Unavailable {
        /// The post id.
        id: String,
        /// What X says instead of the post.
        reason: String,
    },
}

impl Node {
    /// The post id.
    pub fn id(&self) -> &str {
        match self {
            Node::Tweet(t) => &t.id,
            Node::Unavailable { id, .. } => id,
        }
    }
}

/// A timeline entry holding a post: the entry or module it belongs to, and the post.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `tweet-<id>` or `conversationthread-<id>` (the module id for module items).
    pub module: String,
    /// The post.
    pub node: Node,
}

/// What a cursor continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CursorKind {
    /// More conversation threads below (`Bottom`).
    Bottom,
    /// "Show additional replies" (`ShowMoreThreads`, `ShowMoreThreadsPrompt`).
    MoreThreads,
    /// More items of one conversation module (`ShowMore`, "Show replies").
    ShowMore,
}

/// A cursor to request with the same focal post.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineCursor {
    /// What it continues.
    pub kind: CursorKind,
    /// The opaque value to send as `variables.cursor`.
    pub value: String,
    /// The module it extends (for `ShowMore`).
    pub module: Option<String>,
}

/// An error X put in the answer's `errors` array.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// `code` (32: could not authenticate, 88: rate limit, 144: no status, 353: CSRF…).
    pub code: Option<i64>,
    /// `message`.
    pub message: String,
}

/// A parsed `TweetDetail` answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    /// `false` when the answer had no conversation at all (only errors).
    pub has_timeline: bool,
    /// Posts in timeline order.
    pub entries: Vec<Entry>,
    /// Cursors found, in order.
    pub cursors: Vec<TimelineCursor>,
    /// The `errors` array.
    pub errors: Vec<ApiError>,
}

/// Parses a `TweetDetail` body.
///
/// ```
/// let body = br#"{"data":{"threaded_conversation_with_injections_v2":{"instructions":[
///   {"type":"TimelineAddEntries","entries":[{"entryId":"cursor-bottom-1","sortIndex":"1",
///     "content":{"entryType":"TimelineTimelineCursor","__typename":"TimelineTimelineCursor","value":"C1","cursorType":"Bottom"}}]}]}}}"#;
/// let d = adapters::twitter::wire::parse_detail(body, "u").unwrap();
/// assert_eq!((d.entries.len(), d.cursors[0].value.as_str()), (0, "C1"));
/// ```
pub fn parse_detail(body: &[u8], url: &str) -> Result<Detail, Error> {
    let text = String::from_utf8_lossy(body);
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| Error::parse(PLATFORM, url, format!("not JSON: {e}"), &text, e.column()))?;
    let mut out = Detail {
        errors: api_errors(&root),
        ..Detail::default()
    };
    let Some(conv) = root.pointer("/data/threaded_conversation_with_injections_v2") else {
        if out.errors.is_empty() && !root.get("data").is_some_and(Value::is_object) {
            return Err(Error::parse(
                PLATFORM,
                url,
                "neither data.threaded_conversation_with_injections_v2 nor errors",
                &text,
                0,
            ));
        }
        return Ok(out);
    };
    let instructions = conv
        .get("instructions")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::parse(PLATFORM, url, "conversation without instructions", &text, 0)
        })?;
    out.has_timeline = true;
    for ins in instructions {
        match ins.get("type").and_then(Value::as_str) {
            Some("TimelineAddEntries") => {
                for e in ins
                    .get("entries")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    entry(e, &mut out);
                }
            }
            Some("TimelineReplaceEntry") => {
                if let Some(e) = ins.get("entry") {
                    entry(e, &mut out);
                }
            }
            Some("TimelineAddToModule") => {
                let module = ins
                    .get("moduleEntryId")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                for item in ins
                    .get("moduleItems")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    module_item(module, item, &mut out);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The `errors` array (`[{"code":32,"message":"Could not authenticate you."}]`).
pub fn api_errors(root: &Value) -> Vec<ApiError> {
    root.get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| ApiError {
            code: e.get("code").and_then(Value::as_i64),
            message: e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
        .collect()
}

fn entry(e: &Value, out: &mut Detail) {
    let id = e.get("entryId").and_then(Value::as_str).unwrap_or("");
    let Some(content) = e.get("content") else {
        return;
    };
    if let Some(c) = cursor(content).or_else(|| content.get("itemContent").and_then(cursor)) {
        out.cursors.push(TimelineCursor { module: None, ..c });
        return;
    }
    if id.starts_with("tweet-") {
        if let Some(node) = content.get("itemContent").and_then(|ic| node(ic, id)) {
            out.entries.push(Entry {
                module: id.to_string(),
                node,
            });
        }
    } else if id.starts_with("conversationthread-") {
        for item in content
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            module_item(id, item, out);
        }
    }
    // Other entries (related posts, prompts, promoted posts) are not replies.
}

fn module_item(module: &str, item: &Value, out: &mut Detail) {
    let id = item.get("entryId").and_then(Value::as_str).unwrap_or("");
    let Some(ic) = item.pointer("/item/itemContent") else {
        return;
    };
    if let Some(c) = cursor(ic) {
        out.cursors.push(TimelineCursor {
            module: Some(module.to_string()),
            ..c
        });
        return;
    }
    if id.contains("promoted") {
        return;
    }
    if let Some(node) = node(ic, id) {
        out.entries.push(Entry {
            module: module.to_string(),
            node,
        });
    }
}

fn cursor(v: &Value) -> Option<TimelineCursor> {
    let kind = match v.get("cursorType").and_then(Value::as_str)? {
        "Bottom" => CursorKind::Bottom,
        "ShowMoreThreads" | "ShowMoreThreadsPrompt" => CursorKind::MoreThreads,
        "ShowMore" => CursorKind::ShowMore,
        _ => return None,
    };
    let value = v.get("value").and_then(Value::as_str)?;
    (!value.is_empty()).then(|| TimelineCursor {
        kind,
        value: value.to_string(),
        module: None,
    })
}

/// The post id at the end of an entry id (`…-tweet-<id>`, `tweet-<id>`).
fn id_from_entry(entry_id: &str) -> Option<String> {
    let tail = entry_id.rsplit("tweet-").next()?;
    super::url::parse_id(tail).map(str::to_string)
}

fn node(ic: &Value, entry_id: &str) -> Option<Node> {
    match ic.get("itemType").and_then(Value::as_str) {
        Some("TimelineTweet") => {}
        Some("TimelineTombstone") => {
            let reason = ic
                .pointer("/tombstoneInfo/richText/text")
                .or_else(|| ic.pointer("/tombstoneInfo/text"))
                .and_then(Value::as_str)
                .unwrap_or("This post is unavailable.");
            return Some(Node::Unavailable {
                id: id_from_entry(entry_id)?,
                reason: reason.to_string(),
            });
        }
        _ => return None,
    }
    let unavailable = |reason: &str| {
        id_from_entry(entry_id).map(|id| Node::Unavailable {
            id,
            reason: reason.to_string(),
        })
    };
    let Some(mut result) = ic.pointer("/tweet_results/result") else {
        return unavailable("This post is unavailable.");
    };
    if result.get("__typename").and_then(Value::as_str) == Some("TweetWithVisibilityResults") {
        result = result.get("tweet")?;
    }
    match result.get("__typename").and_then(Value::as_str) {
        Some("TweetTombstone") => unavailable(
            result
                .pointer("/tombstone/text/text")
                .and_then(Value::as_str)
                .unwrap_or("This post is unavailable."),
        ),
        Some("TweetUnavailable") => unavailable(
            result
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("Unavailable"),
        ),
        // Answers without `__typename` are tweets too.
        Some("Tweet") | None => tweet(result)
            .map(|t| Node::Tweet(Box::new(t)))
            .or_else(|| unavailable("This post is unavailable.")),
        Some(_) => None,
    }
}

fn tweet(r: &Value) -> Option<Tweet> {
    let legacy = r.get("legacy");
    let lstr = |k: &str| {
        legacy
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let id = r
        .get("rest_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| lstr("id_str"))
        .filter(|id| super::url::parse_id(id).is_some())?;
    let text = r
        .pointer("/note_tweet/note_tweet_results/result/text")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| lstr("full_text"))
        .unwrap_or_default();
    let user = r.pointer("/core/user_results/result");
    let ustr = |paths: &[&str]| {
        paths.iter().find_map(|p| {
            user.and_then(|u| u.pointer(p))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    };
    let edits = r
        .pointer("/edit_control/edit_tweet_ids")
        .or_else(|| r.pointer("/edit_control/edit_control_initial/edit_tweet_ids"))
        .and_then(Value::as_array);
    Some(Tweet {
        parent: lstr("in_reply_to_status_id_str").filter(|p| super::url::parse_id(p).is_some()),
        conversation: lstr("conversation_id_str"),
        text,
        created_at: lstr("created_at"),
        likes: count(legacy.and_then(|l| l.get("favorite_count"))),
        replies: count(legacy.and_then(|l| l.get("reply_count"))),
        retweets: count(legacy.and_then(|l| l.get("retweet_count"))),
        quotes: count(legacy.and_then(|l| l.get("quote_count"))),
        bookmarks: count(legacy.and_then(|l| l.get("bookmark_count"))),
        views: count(r.pointer("/views/count")),
        lang: lstr("lang"),
        user_id: ustr(&["/rest_id"]).or_else(|| lstr("user_id_str")),
        screen_name: ustr(&["/core/screen_name", "/legacy/screen_name"]),
        name: ustr(&["/core/name", "/legacy/name"]),
        edited: edits.map(|ids| ids.len() > 1),
        id,
    })
}

/// A count sent as a number or a numeric string.
fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
