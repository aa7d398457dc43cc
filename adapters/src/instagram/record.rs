//! Comments → records: `pk`, text, `created_at` (Unix seconds),
//! `comment_like_count`, `child_comment_count`, the author's username and
//! full name; the caption as the post record.

use chrono::{DateTime, Utc};
use engine::{Comment, Kind, Precision, Target};
use serde_json::Value;

use super::wire::IgComment;
use super::PLATFORM;

fn base(c: &IgComment, kind: Kind, id: &str, target: &Target) -> Comment {
    let mut r = Comment::new(PLATFORM, kind, id, target.id.clone(), target.url.clone());
    r.text = c.text.clone();
    r.author = c.full_name.clone().or_else(|| c.username.clone());
    r.author_id = c.username.clone();
    r.author_url = c
        .username
        .as_ref()
        .map(|u| format!("https://www.instagram.com/{u}/"));
    if let Some(t) = c
        .created_at
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
    {
        r.created_at = Some(t);
        r.created_at_precision = Some(Precision::Second);
    }
    if let Some(u) = &c.user_id {
        r.extra.insert("user_id".into(), Value::from(u.clone()));
    }
    if c.verified {
        r.extra.insert("verified".into(), Value::Bool(true));
    }
    r
}

/// The post record from the caption (`id` is the media id).
pub fn post_record(
    caption: Option<&IgComment>,
    media: &str,
    comments: Option<u64>,
    target: &Target,
) -> Comment {
    let empty = IgComment::default();
    let mut r = base(caption.unwrap_or(&empty), Kind::Post, media, target);
    r.reply_count = comments;
    r.url = Some(target.url.clone());
    r.extra
        .insert("shortcode".into(), Value::from(target.id.clone()));
    r
}

/// A top-level comment.
pub fn comment_record(c: &IgComment, target: &Target) -> Comment {
    let mut r = base(c, Kind::Comment, &c.pk, target);
    r.likes = c.likes;
    r.reply_count = c.child_count;
    r.url = Some(format!("{}c/{}/", target.url, c.pk));
    r.extra
        .insert("post_id".into(), Value::from(target.id.clone()));
    r
}

/// A reply to top-level comment `parent` (Instagram threads are one level deep).
pub fn reply_record(c: &IgComment, parent: &str, target: &Target) -> Comment {
    let mut r = base(c, Kind::Reply, &c.pk, target);
    r.likes = c.likes;
    r.parent_id = Some(parent.to_string());
    r.root_id = parent.to_string();
    r.depth = 1;
    r.url = Some(format!("{}c/{parent}/r/{}/", target.url, c.pk));
    r
}
