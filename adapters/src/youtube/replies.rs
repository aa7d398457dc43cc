//! One thread's replies: the `commentRepliesRenderer` token, then "Show more
//! replies" tokens until exhausted; nested threads (a reply with replies of
//! its own) are followed depth-first so each reply is followed by its answers.

use std::collections::HashSet;
use std::sync::Arc;

use engine::{Comment, Error};
use futures::future::BoxFuture;
use futures::FutureExt;

use super::parse::Thread;
use super::session::Session;

/// Identity of a record that others reply to.
#[derive(Clone)]
struct Node {
    id: String,
    root: String,
    depth: u32,
}

impl Node {
    fn of(c: &Comment) -> Node {
        Node {
            id: c.id.clone(),
            root: c.root_id.clone(),
            depth: c.depth,
        }
    }
}

/// How much of a thread's replies the job can keep, so that no page is
/// fetched whose records would all be dropped by the job's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keep {
    /// Replies at all (`--replies` and a depth limit above 0).
    pub replies: bool,
    /// Replies kept under one top-level comment (`--max-replies-per-thread`).
    pub per_thread: Option<u64>,
    /// Deepest level kept (`--max-depth`).
    pub depth: Option<u32>,
}

impl Keep {
    /// From the job's options.
    pub(crate) fn of(options: &engine::JobOptions) -> Keep {
        Keep {
            replies: options.replies && options.limits.depth != Some(0),
            per_thread: options.limits.replies_per_thread,
            depth: options.limits.depth,
        }
    }

    fn full(&self, out: &[Comment]) -> bool {
        self.per_thread.is_some_and(|n| out.len() as u64 > n)
    }
}

/// The thread's comment followed by its replies (as far as `keep` allows):
/// the inline ones first, then the token's pages.
pub(crate) async fn complete_thread(
    session: Arc<Session>,
    thread: Thread,
    keep: Keep,
) -> Result<Vec<Comment>, Error> {
    let mut out = vec![thread.comment];
    if keep.replies {
        let top = Node::of(&out[0]);
        let mut seen = HashSet::new();
        let walk = Walk {
            session: &session,
            keep,
        };
        walk.chain(thread.inline, thread.replies, top, &mut seen, &mut out)
            .await?;
    }
    Ok(out)
}

/// One thread's walk: the session and what to keep.
struct Walk<'s> {
    session: &'s Session,
    keep: Keep,
}

impl Walk<'_> {
    /// Follows one replies chain under `parent`, starting with `items` already
    /// in hand and then the pages from `first`. A reply's parent is the closest
    /// earlier record one level up (`replyLevel` 2 answers the level-1 reply
    /// before it); level 1 answers `parent`. A nested thread's own chain is
    /// followed right after it (depth first), so output order is reading order.
    fn chain<'a>(
        &'a self,
        items: Vec<(Comment, Option<String>)>,
        first: Option<String>,
        parent: Node,
        seen: &'a mut HashSet<String>,
        out: &'a mut Vec<Comment>,
    ) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            // levels[k] = the latest record at depth parent.depth + k.
            let mut levels = vec![parent.clone()];
            let mut items = items;
            let mut token = first;
            loop {
                for (mut c, nested) in items {
                    // Stated levels are absolute (1 = reply to a top-level comment).
                    let rel = c.depth.saturating_sub(parent.depth).max(1) as usize;
                    let up = levels
                        .get(rel - 1)
                        .unwrap_or(&levels[levels.len() - 1])
                        .clone();
                    c.parent_id = Some(up.id.clone());
                    c.root_id = up.root.clone();
                    c.depth = up.depth + 1;
                    let node = Node::of(&c);
                    levels.truncate((node.depth - parent.depth) as usize);
                    levels.push(node.clone());
                    out.push(c);
                    let deeper = self.keep.depth.is_none_or(|d| node.depth < d);
                    if let (Some(n), true) = (nested, deeper) {
                        self.chain(Vec::new(), Some(n), node, seen, out).await?;
                    }
                }
                if self.keep.full(out) {
                    break; // the job keeps no more replies of this thread
                }
                let Some(t) = token.take() else { break };
                if !seen.insert(t.clone()) {
                    break; // a token seen again would loop forever
                }
                let page = self.session.reply_page(&t).await?;
                items = page.items;
                token = page.next;
            }
            Ok(())
        }
        .boxed()
    }
}
