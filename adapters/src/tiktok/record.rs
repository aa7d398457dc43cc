//! Comments → records: `cid`, `text`, `create_time`, `digg_count` → likes,
//! `reply_comment_total` → reply_count, `comment_language`, the author's
//! nickname and `@unique_id`.

use chrono::{DateTime, Utc};
use engine::{Comment, Kind, Precision, Target};
use serde_json::Value;

use super::wire::TtComment;
use super::PLATFORM;

fn base(c: &TtComment, kind: Kind, video: &str, target: &Target) -> Comment {
    let mut r = Comment::new(PLATFORM, kind, c.cid.clone(), video, target.url.clone());
    r.text = c.text.clone();
    r.author = c.nickname.clone().or_else(|| c.unique_id.clone());
    r.author_id = c.unique_id.clone();
    r.author_url = c
        .unique_id
        .as_ref()
        .map(|u| format!("https://www.tiktok.com/@{u}"));
    if let Some(t) = c
        .create_time
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
    {
        r.created_at = Some(t);
        r.created_at_precision = Some(Precision::Second);
    }
    r.likes = c.likes;
    r.language = c.language.clone();
    if let Some(u) = &c.uid {
        r.extra.insert("user_id".into(), Value::from(u.clone()));
    }
    r
}

/// A top-level comment on video `video`.
pub fn comment_record(c: &TtComment, video: &str, target: &Target) -> Comment {
    let mut r = base(c, Kind::Comment, video, target);
    r.reply_count = c.replies;
    r.extra.insert("post_id".into(), Value::from(video));
    r
}

/// A reply in the thread of top-level comment `top` (TikTok threads are one
/// level deep; the reply it answers, if another reply, is `extra.reply_to`).
pub fn reply_record(c: &TtComment, top: &str, video: &str, target: &Target) -> Comment {
    let mut r = base(c, Kind::Reply, video, target);
    r.parent_id = Some(top.to_string());
    r.root_id = top.to_string();
    r.depth = 1;
    if let Some(to) = c.reply_to_reply_id.as_ref().filter(|to| *to != top) {
        r.extra.insert("reply_to".into(), Value::from(to.clone()));
    }
    r
}
