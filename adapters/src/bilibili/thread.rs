//! One root comment's reply thread: every page of `/x/v2/reply/reply`, then
//! the records linked into a tree (depths from the `parent` chain, parents
//! before their replies, each reply once).

use std::collections::{HashMap, HashSet};

use engine::{Comment, Error};
use serde_json::Value;

use super::envelope::{self, Outcome};
use super::parse::{reply_page, Source};
use super::session::Session;

/// Replies asked per page (the web client's page size).
pub(crate) const REPLY_PAGE_SIZE: u64 = 20;

/// Upper bound on reply pages of one thread, whatever the counts say, so a
/// server that never ends its listing cannot keep a job busy forever.
const MAX_REPLY_PAGES: u64 = 50_000;

/// The replies of `root` (all pages), linked; plus notes for the summary.
pub(crate) async fn fetch(
    session: &Session,
    src_target: &engine::Target,
    root: &Comment,
) -> Result<(Vec<Comment>, Vec<String>), Error> {
    let mut collected = Vec::new();
    let mut notes = Vec::new();
    let mut pn: u64 = 1;
    loop {
        let url = format!(
            "https://api.bilibili.com/x/v2/reply/reply?oid={}&type=1&root={}&pn={pn}&ps={REPLY_PAGE_SIZE}",
            session.video.aid, root.id
        );
        let resp = session.get(&url).await?;
        let data = match envelope::read(&resp.body, &resp.url)? {
            Outcome::Data(d) => d,
            Outcome::CommentsClosed(m) => {
                notes.push(format!("replies of comment {} are closed ({m})", root.id));
                break;
            }
            Outcome::Failed(Error::NotFound { detail, .. }) => {
                // The root was deleted between the listing and now.
                notes.push(format!(
                    "replies of comment {} not found ({detail})",
                    root.id
                ));
                break;
            }
            Outcome::Failed(e) => return Err(e),
        };
        let src = Source {
            target: src_target,
            bvid: &session.video.bvid,
            url: &resp.url,
        };
        let page = reply_page(&data, &src)?;
        let got = page.replies.len() as u64;
        collected.extend(page.replies);
        let size = page.size.filter(|s| *s > 0).unwrap_or(REPLY_PAGE_SIZE);
        let done = got == 0
            || match page.count {
                Some(count) => pn.saturating_mul(size) >= count,
                None => got < size,
            };
        if done {
            break;
        }
        if pn >= MAX_REPLY_PAGES {
            notes.push(format!(
                "replies of comment {} stopped after {MAX_REPLY_PAGES} pages",
                root.id
            ));
            break;
        }
        pn += 1;
    }
    Ok((link(root, collected), notes))
}

/// Links `replies` under `root`: drops duplicates (and the root itself),
/// sets `root_id` to the root, orders each reply after its parent (otherwise
/// keeping the listing order) and computes depths from the parent chain. A
/// reply whose parent is not in the thread (deleted, never listed, or a
/// cycle) gets depth 1 and `extra.parent_unresolved = true`, keeping the
/// `parent_id` Bilibili gave.
///
/// ```
/// use engine::{Comment, Kind};
/// let root = Comment::new("bilibili", Kind::Comment, "1", "BV", "u");
/// let mut a = Comment::new("bilibili", Kind::Reply, "3", "BV", "u");
/// a.parent_id = Some("2".into());
/// let mut b = Comment::new("bilibili", Kind::Reply, "2", "BV", "u");
/// b.parent_id = Some("1".into());
/// let linked = adapters::bilibili::thread::link(&root, vec![a, b]);
/// let got: Vec<(&str, u32)> = linked.iter().map(|c| (c.id.as_str(), c.depth)).collect();
/// assert_eq!(got, [("2", 1), ("3", 2)]);
/// ```
pub fn link(root: &Comment, replies: Vec<Comment>) -> Vec<Comment> {
    let mut seen = HashSet::from([root.id.clone()]);
    let mut pending: Vec<Comment> = replies
        .into_iter()
        .filter(|r| seen.insert(r.id.clone()))
        .collect();
    let present: HashSet<String> = pending.iter().map(|r| r.id.clone()).collect();
    let mut depth: HashMap<String, u32> = HashMap::from([(root.id.clone(), 0)]);
    let mut out = Vec::with_capacity(pending.len());
    loop {
        let before = pending.len();
        let mut rest = Vec::new();
        for mut r in pending {
            let parent = r.parent_id.clone().unwrap_or_else(|| root.id.clone());
            let resolved = depth.get(&parent).copied();
            if resolved.is_none() && present.contains(&parent) {
                rest.push(r); // its parent comes later in the listing
                continue;
            }
            place(&mut r, root, &parent, resolved);
            depth.insert(r.id.clone(), r.depth);
            out.push(r);
        }
        pending = rest;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    // Whatever is left waits on itself: a parent cycle.
    for mut r in pending {
        let parent = r.parent_id.clone().unwrap_or_else(|| root.id.clone());
        place(&mut r, root, &parent, None);
        out.push(r);
    }
    out
}

/// Sets the tree fields of reply `r` whose parent has depth `parent_depth`
/// (`None`: unresolved).
fn place(r: &mut Comment, root: &Comment, parent: &str, parent_depth: Option<u32>) {
    r.kind = engine::Kind::Reply;
    r.root_id = root.id.clone();
    r.parent_id = Some(parent.to_string());
    match parent_depth {
        Some(d) => r.depth = d + 1,
        None => {
            r.depth = 1;
            r.extra
                .insert("parent_unresolved".to_string(), Value::Bool(true));
        }
    }
}
