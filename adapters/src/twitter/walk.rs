//! The walk over a conversation: which `TweetDetail` to request next, and
//! where each answered post sits in the tree. Pure (no I/O) and serializable:
//! the state after a page is the job's resume cursor.
//!
//! A conversation is read as a stack of *frames*. A frame is one focal post
//! and its `TweetDetail` pages: the first page (ancestors, the focal post, the
//! first reply threads), then its cursors: `ShowMore` (more of one thread)
//! first, then `ShowMoreThreads` and `Bottom`. X shows each reply thread as a
//! module holding a chain of replies; a reply that has more replies than its
//! module showed is *expanded*: its own `TweetDetail` becomes a frame on top of
//! the stack (depth first, so the state stays small). Only a post none of
//! whose ancestors in the module is expanded too is expanded, so each post is
//! opened at most once and the walk ends.

use std::collections::{HashMap, VecDeque};

use engine::{Comment, Error, Kind, Target};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{tweet_record, unavailable_record, Place};
use super::wire::{CursorKind, Detail, Node};
use super::PLATFORM;

/// A post placed in the tree, as kept between pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// Post id.
    pub id: String,
    /// Its depth (0 for top-level replies).
    pub depth: u32,
    /// Its top-level record.
    pub root: String,
    /// Replies X says it has.
    #[serde(default)]
    pub replies: u64,
    /// Replies to it seen in this frame.
    #[serde(default)]
    pub seen: u64,
    /// The post it answers, when that is in the same module.
    #[serde(default)]
    pub parent: Option<String>,
    /// For an unavailable post not yet written: X's reason (written as a
    /// placeholder when a reply to it turns up).
    #[serde(default)]
    pub pending: Option<String>,
    /// A deleted or withheld post (its reply count is unknown).
    #[serde(default)]
    pub unavailable: bool,
}

/// A cursor still to request in a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCursor {
    /// What it continues.
    pub kind: CursorKind,
    /// `variables.cursor`.
    pub value: String,
    /// For `ShowMore`: the module it extends and the posts it holds so far.
    #[serde(default)]
    pub module: Option<String>,
    /// For `ShowMore`: the posts of that module placed so far.
    #[serde(default)]
    pub known: Vec<Known>,
}

/// One focal post and its pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The focal post.
    pub focal: String,
    /// Where the focal post sits; `None` for the job's own post.
    pub at: Option<Known>,
    /// Whether its first page was read.
    pub started: bool,
    /// Its cursors still to request.
    pub cursors: VecDeque<PendingCursor>,
    /// Replies to open as frames of their own.
    pub expand: Vec<Known>,
}

impl Frame {
    fn new(focal: &str, at: Option<Known>) -> Frame {
        Frame {
            focal: focal.to_string(),
            at,
            started: false,
            cursors: VecDeque::new(),
            expand: Vec::new(),
        }
    }
}

/// The next request: `TweetDetail` of `focal`, after `cursor` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `variables.focalTweetId`.
    pub focal: String,
    /// `variables.cursor`.
    pub cursor: Option<String>,
}

/// What the walk may fetch.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Replies below top level are wanted.
    pub replies: bool,
    /// Deepest depth wanted.
    pub max_depth: Option<u32>,
    /// Open replies that have more replies than their thread showed.
    pub expand: bool,
}

impl Scope {
    fn wants_children_of(&self, depth_of_parent: Option<u32>) -> bool {
        let child = depth_of_parent.map_or(0, |d| d + 1);
        (self.replies || child == 0) && self.max_depth.is_none_or(|m| child <= m)
    }
}

/// The whole walk; serialized as the resume cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    /// The job's post.
    pub post: String,
    /// Frames, the one being read last.
    pub stack: Vec<Frame>,
}

impl Walk {
    /// A walk of the conversation below `post`.
    pub fn new(post: &str) -> Walk {
        Walk {
            post: post.to_string(),
            stack: vec![Frame::new(post, None)],
        }
    }

    /// True when nothing is left to fetch.
    pub fn is_done(&self) -> bool {
        self.stack.is_empty()
    }

    /// The next request, opening frames for expanded replies and closing
    /// finished ones as needed; `None` when the walk is over.
    pub fn next_request(&mut self) -> Option<Request> {
        loop {
            let top = self.stack.last_mut()?;
            if !top.started {
                return Some(Request {
                    focal: top.focal.clone(),
                    cursor: None,
                });
            }
            if let Some(k) = top.expand.pop() {
                let id = k.id.clone();
                self.stack.push(Frame::new(&id, Some(k)));
                continue;
            }
            if let Some(c) = top.cursors.front() {
                return Some(Request {
                    focal: top.focal.clone(),
                    cursor: Some(c.value.clone()),
                });
            }
            self.stack.pop();
        }
    }

    /// Takes the answer to the request [`next_request`](Self::next_request)
    /// returned; gives the records it holds, parents before replies.
    pub fn absorb(
        &mut self,
        detail: &Detail,
        target: &Target,
        scope: Scope,
        url: &str,
    ) -> Result<Vec<Comment>, Error> {
        let is_root = self.stack.len() == 1;
        let Some(frame) = self.stack.last_mut() else {
            return Ok(Vec::new());
        };
        let answered = if frame.started {
            frame.cursors.pop_front()
        } else {
            None
        };
        let first = !frame.started;
        frame.started = true;
        let mut page = PageWalk {
            frame_focal: frame.focal.clone(),
            focal_at: frame.at.clone(),
            known: HashMap::new(),
            order: Vec::new(),
            module_of: HashMap::new(),
            records: Vec::new(),
            target,
            scope,
        };
        let mut last_in_module: HashMap<String, String> = HashMap::new();
        if let Some(c) = &answered {
            if let Some(m) = &c.module {
                for k in &c.known {
                    page.order.push(k.id.clone());
                    page.known.insert(k.id.clone(), k.clone());
                    page.module_of.insert(k.id.clone(), m.clone());
                    last_in_module.insert(m.clone(), k.id.clone());
                }
            }
        }
        let mut entries = detail.entries.iter().peekable();
        if first {
            // Ancestors come before the focal post; they are not below it.
            let focal = entries.by_ref().find(|e| e.node.id() == frame.focal);
            match (focal.map(|e| &e.node), is_root) {
                (Some(Node::Tweet(t)), true) => {
                    let place = Place {
                        kind: Kind::Post,
                        parent: None,
                        root: t.id.clone(),
                        depth: 0,
                    };
                    page.records.push(tweet_record(t, &place, target));
                }
                (Some(Node::Unavailable { reason, .. }), true) => {
                    return Err(Error::NotFound {
                        platform: PLATFORM.into(),
                        url: target.url.clone(),
                        detail: format!("X shows no post here: {reason}"),
                    });
                }
                (None, true) => {
                    return Err(Error::NotFound {
                        platform: PLATFORM.into(),
                        url: url.to_string(),
                        detail: "the answer does not hold the post".into(),
                    });
                }
                // A reply opened as a frame that is gone now: nothing below it to read.
                (_, false) => {}
            }
        }
        let mut modules_seen: Vec<String> = Vec::new();
        let mut fresh = 0usize;
        for e in entries {
            let id = e.node.id();
            if id == frame.focal || page.known.contains_key(id) {
                continue;
            }
            if !modules_seen.contains(&e.module) {
                modules_seen.push(e.module.clone());
            }
            let parent = match &e.node {
                Node::Tweet(t) => t.parent.clone(),
                // A tombstone says nothing of its parent: in a thread module
                // it follows the post it answers.
                Node::Unavailable { .. } => last_in_module
                    .get(&e.module)
                    .cloned()
                    .or_else(|| Some(frame.focal.clone())),
            };
            last_in_module.insert(e.module.clone(), id.to_string());
            page.module_of.insert(id.to_string(), e.module.clone());
            page.place(&e.node, parent);
            fresh += 1;
        }
        // Cursors: a page that brought nothing new is not followed further
        // (X may hand back a cursor at the end of a conversation).
        let mut show_more: Vec<PendingCursor> = Vec::new();
        for c in &detail.cursors {
            if fresh == 0 && !first {
                break;
            }
            match (c.kind, &c.module) {
                (CursorKind::ShowMore, Some(m)) if scope.replies => {
                    let known: Vec<Known> = page
                        .order
                        .iter()
                        .filter(|id| page.module_of.get(*id) == Some(m))
                        .filter_map(|id| page.known.get(id).cloned())
                        .collect();
                    show_more.push(PendingCursor {
                        kind: c.kind,
                        value: c.value.clone(),
                        module: Some(m.clone()),
                        known,
                    });
                }
                (CursorKind::Bottom | CursorKind::MoreThreads, _) => {
                    let dup = frame.cursors.iter().any(|p| p.value == c.value)
                        || answered.as_ref().is_some_and(|a| a.value == c.value);
                    if !dup {
                        frame.cursors.push_back(PendingCursor {
                            kind: c.kind,
                            value: c.value.clone(),
                            module: None,
                            known: Vec::new(),
                        });
                    }
                }
                _ => {}
            }
        }
        // Modules still continued by a ShowMore cursor are judged when complete.
        let continued: Vec<&String> = show_more.iter().filter_map(|c| c.module.as_ref()).collect();
        let mut modules: Vec<String> = modules_seen;
        if let Some(m) = answered.as_ref().and_then(|c| c.module.clone()) {
            if !modules.contains(&m) {
                modules.push(m);
            }
        }
        let mut expand = Vec::new();
        if scope.expand {
            // Posts by module, in one pass over the page.
            let mut by_module: HashMap<&str, Vec<&Known>> = HashMap::new();
            for id in &page.order {
                if let (Some(m), Some(k)) = (page.module_of.get(id), page.known.get(id)) {
                    by_module.entry(m.as_str()).or_default().push(k);
                }
            }
            for m in modules.iter().filter(|m| !continued.contains(m)) {
                let members = by_module.get(m.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                expand.extend(page.candidates(members));
            }
        }
        for c in show_more.into_iter().rev() {
            frame.cursors.push_front(c);
        }
        // Popped last-first: keep the page order.
        expand.reverse();
        frame.expand.extend(expand);
        Ok(page.records)
    }
}

/// One page being placed.
struct PageWalk<'a> {
    frame_focal: String,
    focal_at: Option<Known>,
    known: HashMap<String, Known>,
    /// Ids of `known` in the order they came.
    order: Vec<String>,
    module_of: HashMap<String, String>,
    records: Vec<Comment>,
    target: &'a Target,
    scope: Scope,
}

impl PageWalk<'_> {
    /// Places one post; true when it is new and wanted.
    fn place(&mut self, node: &Node, parent: Option<String>) -> bool {
        let Some(parent) = parent else {
            // A post in the conversation that answers nothing: keep it as top level.
            return self.place_orphan(node, None);
        };
        let (depth, root, parent_id) = if parent == self.frame_focal {
            match &self.focal_at {
                None => (0, node.id().to_string(), None),
                Some(f) => (f.depth + 1, f.root.clone(), Some(parent.clone())),
            }
        } else if let Some(p) = self.known.get(&parent).cloned() {
            (p.depth + 1, p.root.clone(), Some(parent.clone()))
        } else {
            return self.place_orphan(node, Some(parent));
        };
        if let Some(p) = self.known.get_mut(&parent) {
            p.seen += 1;
        }
        let kind = if parent_id.is_none() {
            Kind::Comment
        } else {
            Kind::Reply
        };
        let place = Place {
            kind,
            parent: parent_id.clone(),
            root,
            depth,
        };
        // Unwanted posts (too deep) are still placed, so that their replies
        // are known to be too deep as well rather than taken for orphans.
        let parent_depth = parent_id.as_ref().map(|_| depth.saturating_sub(1));
        let wanted = self.scope.wants_children_of(parent_depth);
        self.write(node, &place, parent_id, wanted)
    }

    fn place_orphan(&mut self, node: &Node, reply_to: Option<String>) -> bool {
        if matches!(node, Node::Unavailable { .. }) {
            return false;
        }
        let place = Place {
            kind: Kind::Comment,
            parent: None,
            root: node.id().to_string(),
            depth: 0,
        };
        let n = self.records.len();
        let wrote = self.write(node, &place, None, true);
        if let (true, Some(to)) = (wrote, reply_to) {
            self.records[n]
                .extra
                .insert("reply_to".into(), Value::from(to));
        }
        wrote
    }

    /// Records `node` as known and, when `wanted`, writes it; true when written.
    fn write(&mut self, node: &Node, place: &Place, parent: Option<String>, wanted: bool) -> bool {
        let mut k = Known {
            id: node.id().to_string(),
            depth: place.depth,
            root: place.root.clone(),
            replies: 0,
            seen: 0,
            parent: parent.clone(),
            pending: None,
            unavailable: matches!(node, Node::Unavailable { .. }),
        };
        match node {
            Node::Tweet(t) => {
                k.replies = t.replies.unwrap_or(0);
                if wanted {
                    if let Some(p) = &parent {
                        self.flush_placeholders(p);
                    }
                    self.records.push(tweet_record(t, place, self.target));
                }
            }
            Node::Unavailable { reason, .. } => k.pending = Some(reason.clone()),
        }
        self.order.push(k.id.clone());
        self.known.insert(k.id.clone(), k);
        wanted
    }

    /// Writes the unavailable posts above `id` that were held back, top first.
    fn flush_placeholders(&mut self, id: &str) {
        let mut chain = Vec::new();
        let mut at = Some(id.to_string());
        while let Some(cur) = at {
            match self.known.get(&cur) {
                Some(k) if k.pending.is_some() => {
                    chain.push(cur.clone());
                    at = k.parent.clone();
                }
                _ => break,
            }
        }
        for cur in chain.into_iter().rev() {
            let Some(k) = self.known.get_mut(&cur) else {
                continue;
            };
            let Some(reason) = k.pending.take() else {
                continue;
            };
            let place = Place {
                kind: if k.depth == 0 && k.parent.is_none() {
                    Kind::Comment
                } else {
                    Kind::Reply
                },
                parent: k.parent.clone(),
                root: k.root.clone(),
                depth: k.depth,
            };
            let rec = unavailable_record(&cur, &reason, &place, self.target);
            self.records.push(rec);
        }
    }

    /// The posts of one module (`members`) with more replies than seen, none
    /// of whose ancestors in the module is a candidate too, shallowest first.
    fn candidates(&self, members: &[&Known]) -> Vec<Known> {
        let mut in_module: Vec<&Known> = members
            .iter()
            .copied()
            // An unavailable post hides its reply count: one that turned out
            // to have replies is opened in case it has more.
            .filter(|k| {
                k.pending.is_none()
                    && if k.unavailable {
                        k.seen > 0
                    } else {
                        k.replies > k.seen
                    }
            })
            .filter(|k| self.scope.wants_children_of(Some(k.depth)))
            .collect();
        in_module.sort_by(|a, b| a.depth.cmp(&b.depth).then(a.id.cmp(&b.id)));
        let mut out: Vec<Known> = Vec::new();
        for k in in_module {
            let mut up = k.parent.clone();
            let mut covered = false;
            while let Some(p) = up {
                if out.iter().any(|o| o.id == p) {
                    covered = true;
                    break;
                }
                up = self.known.get(&p).and_then(|pk| pk.parent.clone());
            }
            if !covered {
                out.push(k.clone());
            }
        }
        out
    }
}
