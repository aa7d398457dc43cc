//! Tweets → records: text (long posts from `note_tweet`, HTML entities
//! decoded), `created_at` (`Wed Oct 10 20:19:24 +0000 2018`), counts,
//! author, language, permalink; unavailable posts as flagged placeholders.

use chrono::{DateTime, Utc};
use engine::{Comment, Kind, Precision, Target};
use serde_json::Value;

use super::wire::Tweet;
use super::PLATFORM;

/// Where a record sits in the exported tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// What it is.
    pub kind: Kind,
    /// The record it answers (`None` for the post and top-level replies).
    pub parent: Option<String>,
    /// Its top-level record.
    pub root: String,
    /// 0 for the post and top-level replies.
    pub depth: u32,
}

/// Parses X's `created_at`.
///
/// ```
/// let t = adapters::twitter::record::parse_time("Wed Oct 10 20:19:24 +0000 2018").unwrap();
/// assert_eq!(t.timestamp(), 1_539_202_764);
/// assert!(adapters::twitter::record::parse_time("yesterday").is_none());
/// ```
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s.trim(), "%a %b %d %H:%M:%S %z %Y")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// X escapes `&`, `<` and `>` in `full_text`.
///
/// ```
/// assert_eq!(adapters::twitter::record::unescape("a &amp;&lt;b&gt; &amp;amp;"), "a &<b> &amp;");
/// ```
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// ISO 639-1 from X's `lang`; `None` for "undetermined" and X's own codes
/// (`qme` media only, `qht` hashtags only, `zxx` no text…).
fn language(lang: &str) -> Option<String> {
    let l = lang.trim().to_ascii_lowercase();
    match l.as_str() {
        "" | "und" | "zxx" | "art" => None,
        "in" => Some("id".into()),
        "iw" => Some("he".into()),
        _ if l.starts_with('q') && l.len() == 3 => None,
        _ => Some(l),
    }
}

/// The record of a visible tweet.
pub fn tweet_record(t: &Tweet, place: &Place, target: &Target) -> Comment {
    let mut c = Comment::new(
        PLATFORM,
        place.kind,
        t.id.clone(),
        target.id.clone(),
        target.url.clone(),
    );
    set_place(&mut c, place, target);
    c.text = unescape(&t.text);
    c.author = t.name.clone();
    c.author_id = t.screen_name.clone();
    c.author_url = t.screen_name.as_ref().map(|s| format!("https://x.com/{s}"));
    if let Some(raw) = &t.created_at {
        c.created_at = parse_time(raw);
        if c.created_at.is_some() {
            c.created_at_precision = Some(Precision::Second);
        } else {
            c.created_at_raw = Some(raw.clone());
        }
    }
    c.edited = t.edited;
    c.likes = t.likes;
    c.reply_count = t.replies;
    c.language = t.lang.as_deref().and_then(language);
    c.url = Some(super::url::canonical_url(
        t.screen_name.as_deref().unwrap_or("i"),
        &t.id,
    ));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            c.extra.insert(k.to_string(), v);
        }
    };
    put("retweets", t.retweets.map(Value::from));
    put("quotes", t.quotes.map(Value::from));
    put("bookmarks", t.bookmarks.map(Value::from));
    put("views", t.views.map(Value::from));
    put("user_id", t.user_id.clone().map(Value::from));
    put("conversation_id", t.conversation.clone().map(Value::from));
    c
}

/// The placeholder of a post X no longer shows, kept because replies hang below it.
pub fn unavailable_record(id: &str, reason: &str, place: &Place, target: &Target) -> Comment {
    let mut c = Comment::new(
        PLATFORM,
        place.kind,
        id,
        target.id.clone(),
        target.url.clone(),
    );
    set_place(&mut c, place, target);
    c.url = Some(super::url::canonical_url("i", id));
    c.extra.insert("unavailable".into(), Value::Bool(true));
    c.extra
        .insert("unavailable_reason".into(), Value::from(reason));
    c
}

fn set_place(c: &mut Comment, place: &Place, target: &Target) {
    c.parent_id = place.parent.clone();
    c.root_id = place.root.clone();
    c.depth = place.depth;
    if place.kind == Kind::Comment {
        c.extra
            .insert("post_id".into(), Value::from(target.id.clone()));
    }
}
