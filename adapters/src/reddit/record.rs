//! Field mapping: a `t1` comment or `t3` post `data` object → [`Comment`].
//! Tree position (parent, root, depth) is set by the tree builder.

use chrono::{DateTime, Utc};
use engine::{Comment, Kind, Precision, Target};
use serde_json::Value;

use super::wire::Fields;

/// Reddit's site root, for permalinks (never the `--base-url` override:
/// outputs name the real platform).
pub const SITE: &str = "https://www.reddit.com";

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// Copies `value` into `extra[key]` unless it is absent or null.
fn keep(c: &mut Comment, key: &str, value: &Value) {
    if !value.is_null() {
        c.extra.insert(key.into(), value.clone());
    }
}

/// Copies a flag or counter into `extra[key]` only when it is set (true, a
/// non-zero number, a non-empty string): most comments have none, and every
/// key costs space in every output.
fn keep_set(c: &mut Comment, key: &str, value: &Value) {
    let set = match value {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Null => false,
        _ => true,
    };
    if set {
        c.extra.insert(key.into(), value.clone());
    }
}

/// An epoch given as integer, float or numeric string.
fn epoch(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let secs = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !secs.is_finite() || secs.abs() > 1e13 {
        return None;
    }
    DateTime::from_timestamp(secs.floor() as i64, 0)
}

/// Fields shared by posts and comments: author, dates, score, flags.
fn common(c: &mut Comment, d: &Fields) {
    match text(&d.author) {
        // A deleted account: Reddit keeps the record but hides who wrote it.
        Some(a) if a == "[deleted]" => {
            c.extra.insert("author_deleted".into(), Value::Bool(true));
        }
        Some(a) => {
            c.author_url = Some(format!("{SITE}/user/{a}/"));
            c.author = Some(a);
        }
        None => {}
    }
    c.author_id = text(&d.author_fullname);
    c.created_at = epoch(Some(&d.created_utc));
    if c.created_at.is_some() {
        c.created_at_precision = Some(Precision::Second);
    }
    match &d.edited {
        Value::Bool(b) => c.edited = Some(*b),
        v @ (Value::Number(_) | Value::String(_)) => {
            c.edited = Some(true);
            if let Some(t) = epoch(Some(v)) {
                c.extra
                    .insert("edited_at".into(), Value::String(t.to_rfc3339()));
            }
        }
        _ => {}
    }
    if let Some(score) = d.score.as_i64() {
        // Scores go negative; `likes` is a count, so only non-negative scores fit it.
        c.likes = u64::try_from(score).ok();
        c.extra.insert("score".into(), Value::from(score));
    }
    if let Some(p) = text(&d.permalink) {
        c.url = Some(if p.starts_with('/') {
            format!("{SITE}{p}")
        } else {
            p
        });
    }
    keep_set(c, "stickied", &d.stickied);
    keep_set(c, "distinguished", &d.distinguished);
    keep_set(c, "is_submitter", &d.is_submitter);
    keep_set(c, "score_hidden", &d.score_hidden);
    keep_set(c, "controversiality", &d.controversiality);
    keep_set(c, "gilded", &d.gilded);
    keep_set(c, "total_awards_received", &d.total_awards_received);
    keep_set(c, "author_flair_text", &d.author_flair_text);
    keep_set(c, "locked", &d.locked);
    keep_set(c, "collapsed", &d.collapsed);
    if let Value::Array(awards) = &d.all_awardings {
        let list: Vec<Value> = awards
            .iter()
            .filter_map(|a| {
                let name = a.get("name")?.as_str()?;
                let count = a.get("count").and_then(Value::as_u64).unwrap_or(1);
                Some(serde_json::json!({"name": name, "count": count}))
            })
            .collect();
        if !list.is_empty() {
            c.extra.insert("awards".into(), Value::Array(list));
        }
    }
}

/// A `t1` comment as a record at top level of `post_id`; the caller places it in the tree.
/// Bodies `[removed]` (by moderators) and `[deleted]` (by the author) are kept
/// as Reddit shows them, flagged in `extra.removed` / `extra.deleted`.
pub fn comment_record(id: &str, d: &Fields, target: &Target, post_id: &str) -> Comment {
    let mut c = Comment::new("reddit", Kind::Comment, id, post_id, target.url.clone());
    common(&mut c, d);
    c.text = text(&d.body).unwrap_or_default();
    match c.text.as_str() {
        "[removed]" => {
            c.extra.insert("removed".into(), Value::Bool(true));
        }
        "[deleted]" => {
            c.extra.insert("deleted".into(), Value::Bool(true));
        }
        _ => {}
    }
    if c.url.is_none() {
        c.url = Some(format!("{SITE}/comments/{post_id}/_/{id}/"));
    }
    c.extra
        .insert("post_id".into(), Value::String(post_id.to_string()));
    c
}

/// The `t3` post as a record of kind `post` (depth 0, its own root).
pub fn post_record(id: &str, d: &Fields, target: &Target) -> Comment {
    let mut c = Comment::new("reddit", Kind::Post, id, id, target.url.clone());
    common(&mut c, d);
    c.title = text(&d.title);
    c.text = text(&d.selftext).unwrap_or_default();
    c.reply_count = d.num_comments.as_u64();
    if c.url.is_none() {
        c.url = Some(format!("{SITE}/comments/{id}/"));
    }
    keep(&mut c, "subreddit", &d.subreddit);
    keep(&mut c, "num_comments", &d.num_comments);
    keep(&mut c, "upvote_ratio", &d.upvote_ratio);
    keep(&mut c, "over_18", &d.over_18);
    keep(&mut c, "spoiler", &d.spoiler);
    keep(&mut c, "link_flair_text", &d.link_flair_text);
    keep(&mut c, "is_self", &d.is_self);
    // The link a link post points to (self posts point at themselves).
    if let Some(u) = text(&d.url) {
        c.extra.insert("link_url".into(), Value::String(u));
    }
    c
}
