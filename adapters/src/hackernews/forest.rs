//! Items (in an order where every parent comes before its children) → records:
//! the tree placed (parent, root, depth), deleted and dead items kept as
//! flagged placeholders only when something below them is kept.

use chrono::DateTime;
use engine::{Comment, Kind, Precision, Target};
use serde_json::Value;

use super::html::to_text;
use super::item::Item;
use super::url::item_url;

/// Kinds exported as the post itself.
fn is_post(kind: &str) -> bool {
    matches!(kind, "story" | "poll" | "job")
}

/// The records of a tree given as `(item, index of its parent)`, parents first;
/// item 0 is the target. Output is pre-order (a record before its replies,
/// siblings in HN's order).
pub fn records(items: &[(Item, Option<usize>)], target: &Target) -> Vec<Comment> {
    let n = items.len();
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, (_, parent)) in items.iter().enumerate() {
        if let Some(p) = *parent {
            if p < i {
                kids[p].push(i);
            }
        }
    }
    // A placeholder is kept only when a kept record hangs below it.
    let mut keep = vec![false; n];
    for i in (0..n).rev() {
        keep[i] = i == 0 || !items[i].0.is_placeholder() || kids[i].iter().any(|&c| keep[c]);
    }
    let Some((root, _)) = items.first() else {
        return Vec::new();
    };
    let post_id = root.story.unwrap_or(root.id).to_string();
    let mut out = Vec::with_capacity(n);
    // (index, parent record id, depth, root id)
    let mut stack: Vec<(usize, Option<String>, u32, Option<String>)> = Vec::new();
    if is_post(&root.kind) {
        out.push(post_record(root, target));
        for &c in kids[0].iter().rev() {
            stack.push((c, None, 0, None));
        }
    } else {
        stack.push((0, None, 0, None));
    }
    while let Some((i, parent, depth, root_id)) = stack.pop() {
        if !keep[i] {
            continue;
        }
        let item = &items[i].0;
        let mut r = comment_record(item, target, &post_id);
        if i == 0 {
            if let Some(p) = item.parent {
                // The root of an exported subtree: say what it answers on HN.
                r.extra.insert("reply_to".into(), Value::from(p));
            }
        }
        r.root_id = root_id.unwrap_or_else(|| r.id.clone());
        r.parent_id = parent;
        r.depth = depth;
        r.kind = if depth == 0 {
            Kind::Comment
        } else {
            Kind::Reply
        };
        for &c in kids[i].iter().rev() {
            stack.push((c, Some(r.id.clone()), depth + 1, Some(r.root_id.clone())));
        }
        out.push(r);
    }
    out
}

fn base(item: &Item, kind: Kind, target: &Target, source: &str) -> Comment {
    let mut c = Comment::new(
        "hackernews",
        kind,
        item.id.to_string(),
        source,
        target.url.clone(),
    );
    if !item.is_placeholder() {
        if let Some(a) = &item.author {
            c.author_url = Some(format!("https://news.ycombinator.com/user?id={a}"));
            c.author_id = Some(a.clone());
            c.author = Some(a.clone());
        }
        c.text = item.text.as_deref().map(to_text).unwrap_or_default();
    }
    c.created_at = item.time.and_then(|t| DateTime::from_timestamp(t, 0));
    if c.created_at.is_some() {
        c.created_at_precision = Some(Precision::Second);
    }
    c.likes = item.points.and_then(|p| u64::try_from(p).ok());
    c.url = Some(item_url(item.id));
    c.extra
        .insert("type".into(), Value::from(item.kind.clone()));
    if item.deleted {
        c.extra.insert("deleted".into(), Value::Bool(true));
    }
    if item.dead {
        c.extra.insert("dead".into(), Value::Bool(true));
    }
    c
}

fn post_record(item: &Item, target: &Target) -> Comment {
    let mut c = base(item, Kind::Post, target, &item.id.to_string());
    c.title = item.title.clone();
    c.reply_count = item.descendants;
    if let Some(u) = &item.url {
        c.extra.insert("link_url".into(), Value::from(u.clone()));
    }
    if let Some(p) = item.points {
        c.extra.insert("points".into(), Value::from(p));
    }
    c
}

fn comment_record(item: &Item, target: &Target, post_id: &str) -> Comment {
    let mut c = base(item, Kind::Comment, target, post_id);
    c.extra
        .insert("post_id".into(), Value::from(post_id.to_string()));
    c
}
