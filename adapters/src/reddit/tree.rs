//! Rebuilding the tree: every comment gets its parent, root and depth from
//! the comments already placed (never from Reddit's `depth` field, which is
//! relative in "continue this thread" pages), and every `more` becomes
//! [`Pending`] work. O(n): one hash lookup per thing, orphans parked by parent id.

use std::collections::{HashMap, HashSet};

use engine::{Comment, Kind, Target};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::parse::{ParentRef, RawComment, RawMore, Thing};
use super::record::comment_record;

/// Largest `children` list one `morechildren` request may carry.
pub const MORECHILDREN_BATCH: usize = 100;

/// Times one id may be asked of `morechildren` before it is given up.
pub const MAX_ASKS: u8 = 5;

/// Hidden comments still to fetch: a batch of `morechildren` ids, or (no
/// ids) a "continue this thread" page of `parent`. Serialized in the resume cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The comment whose hidden replies these are; `None` for top-level comments.
    pub parent: Option<String>,
    /// Depth the hidden comments directly under `parent` will have.
    pub depth: u32,
    /// Root of their thread (`None` when they are top level themselves).
    pub root: Option<String>,
    /// Ids for `morechildren` (≤ 100); empty = "continue this thread".
    #[serde(default)]
    pub children: Vec<String>,
    /// Ids asked before that Reddit left out of a truncated answer: fetched
    /// first so that they lead the next batch.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retry: bool,
}

/// Where the hidden comment with a given id goes: (parent, depth, root).
type Slot = (Option<String>, u32, Option<String>);

/// Where a comment sits.
#[derive(Debug, Clone)]
struct Node {
    depth: u32,
    root: String,
}

/// What one response added.
#[derive(Debug, Default)]
pub struct Built {
    /// New records, parents before replies.
    pub records: Vec<Comment>,
    /// New work found in `more` placeholders.
    pub pending: Vec<Pending>,
    /// Things to tell the user (orphans, unreachable placeholders).
    pub notes: Vec<String>,
}

/// The placed part of one post's comment tree.
#[derive(Debug)]
pub struct Tree {
    target: Target,
    post_id: String,
    /// A comment exported as the root of a subtree (comment permalinks).
    focus: Option<String>,
    nodes: HashMap<String, Node>,
    /// How often each id was asked of `morechildren`. Reddit re-lists ids it
    /// did not return (a truncated answer) in a new `more`: those are asked
    /// again, up to [`MAX_ASKS`] times, so a server that never returns one cannot loop us.
    asked: HashMap<String, u8>,
    /// Comments whose "continue this thread" page was already queued.
    threads: HashSet<String>,
    /// Where each asked id goes, from the `more` that first listed it. A
    /// truncated answer re-lists left-out ids under one `parent_id` even when
    /// they came from several `more`s; this keeps every pending batch under its
    /// true parent, which a resumed job relies on.
    slots: HashMap<String, Slot>,
}

impl Tree {
    /// An empty tree of `post_id`; `focus` names the subtree root for a comment permalink.
    pub fn new(target: Target, post_id: String, focus: Option<String>) -> Tree {
        Tree {
            target,
            post_id,
            focus,
            nodes: HashMap::new(),
            asked: HashMap::new(),
            threads: HashSet::new(),
            slots: HashMap::new(),
        }
    }

    /// Number of comments placed so far.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when no comment was placed.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Makes `p.parent` known (as placed earlier) so that a resumed job can
    /// place what its response holds.
    pub fn seed(&mut self, p: &Pending) {
        if let Some(parent) = &p.parent {
            if !self.nodes.contains_key(parent) {
                let root = p.root.clone().unwrap_or_else(|| parent.clone());
                let depth = p.depth.saturating_sub(1);
                self.nodes.insert(parent.clone(), Node { depth, root });
            }
            if p.children.is_empty() {
                self.threads.insert(parent.clone());
            }
        }
        for id in &p.children {
            self.asked.entry(id.clone()).or_insert(1);
            self.slots
                .entry(id.clone())
                .or_insert_with(|| (p.parent.clone(), p.depth, p.root.clone()));
        }
    }

    /// Places `things` (one response, pre-order or not). Things whose parent
    /// is nowhere are placed under `fallback` (the request's own context) and counted in a note.
    pub fn build(&mut self, things: Vec<Thing>, fallback: Option<&Pending>) -> Built {
        let mut out = Built::default();
        let mut waiting: HashMap<String, Vec<Thing>> = HashMap::new();
        let mut wait_order: Vec<String> = Vec::new();
        for thing in things {
            self.place(thing, None, &mut waiting, &mut wait_order, &mut out);
        }
        if waiting.is_empty() {
            return out;
        }
        // Parents never seen: start from those that are not themselves waiting.
        let waiting_ids: HashSet<String> = waiting
            .values()
            .flatten()
            .map(|t| thing_id(t).to_string())
            .collect();
        wait_order.sort_by_key(|k| waiting_ids.contains(k));
        let (depth, root) = match fallback {
            Some(p) => (p.depth, p.root.clone()),
            None => (0, None),
        };
        let mut orphans = 0;
        for key in wait_order {
            let Some(list) = waiting.remove(&key) else {
                continue;
            };
            for thing in list {
                if !matches!(&thing, Thing::Comment(c) if self.nodes.contains_key(&c.id)) {
                    orphans += 1;
                }
                let forced = (key.clone(), depth, root.clone());
                self.place(thing, Some(forced), &mut waiting, &mut Vec::new(), &mut out);
            }
        }
        if orphans > 0 {
            out.notes.push(format!(
            "{orphans} Reddit comment(s) named a parent absent from the thread; exported under that parent id at depth {depth}"
            ));
        }
        out
    }

    /// Places one thing (and then everything that was waiting for it).
    /// `forced` = (parent id, depth, root) for orphans.
    fn place(
        &mut self,
        thing: Thing,
        forced: Option<(String, u32, Option<String>)>,
        waiting: &mut HashMap<String, Vec<Thing>>,
        wait_order: &mut Vec<String>,
        out: &mut Built,
    ) {
        let mut stack = vec![(thing, forced)];
        while let Some((thing, forced)) = stack.pop() {
            if let Thing::Comment(c) = &thing {
                if self.nodes.contains_key(&c.id) {
                    continue; // already exported (repeated by Reddit, or a page's own parent)
                }
            }
            let position = match forced {
                Some((parent, depth, root)) => Some((Some(parent), depth, root)),
                None => self.position(&thing),
            };
            let Some((parent, depth, root)) = position else {
                let key = match parent_of(&thing) {
                    Some(ParentRef::Comment(p)) => p.clone(),
                    _ => continue,
                };
                if !waiting.contains_key(&key) {
                    wait_order.push(key.clone());
                }
                waiting.entry(key).or_default().push(thing);
                continue;
            };
            match thing {
                Thing::Comment(c) => {
                    let id = c.id.clone();
                    let record = self.record(c, parent, depth, root);
                    self.nodes.insert(
                        id.clone(),
                        Node {
                            depth,
                            root: record.root_id.clone(),
                        },
                    );
                    out.records.push(record);
                    if let Some(children) = waiting.remove(&id) {
                        // Reverse so that the stack keeps their original order.
                        stack.extend(children.into_iter().rev().map(|t| (t, None)));
                    }
                }
                Thing::More(m) => self.queue_more(m, parent, depth, root, out),
            }
        }
    }

    /// (parent id, depth, root) of a thing whose parent is placed; `None` when it must wait.
    fn position(&self, thing: &Thing) -> Option<(Option<String>, u32, Option<String>)> {
        if let Thing::Comment(c) = thing {
            if self.focus.as_deref() == Some(c.id.as_str()) {
                return Some((None, 0, None));
            }
        }
        match parent_of(thing) {
            None | Some(ParentRef::Post(_)) => Some((None, 0, None)),
            Some(ParentRef::Comment(p)) => {
                let node = self.nodes.get(p)?;
                Some((Some(p.clone()), node.depth + 1, Some(node.root.clone())))
            }
        }
    }

    fn record(
        &self,
        c: RawComment,
        parent: Option<String>,
        depth: u32,
        root: Option<String>,
    ) -> Comment {
        let mut r = comment_record(&c.id, &c.data, &self.target, &self.post_id);
        if parent.is_none() {
            if let Some(ParentRef::Comment(real)) = &c.parent {
                // The root of an exported subtree: say what it answers on Reddit.
                r.extra
                    .insert("reply_to".into(), Value::String(real.clone()));
            }
        }
        r.root_id = root.unwrap_or_else(|| c.id.clone());
        r.parent_id = parent;
        r.depth = depth;
        r.kind = if depth == 0 {
            Kind::Comment
        } else {
            Kind::Reply
        };
        r
    }

    fn queue_more(
        &mut self,
        m: RawMore,
        parent: Option<String>,
        depth: u32,
        root: Option<String>,
        out: &mut Built,
    ) {
        if m.is_continue_thread() {
            match &parent {
                Some(p) if self.threads.insert(p.clone()) => out.pending.push(Pending {
                    parent: parent.clone(),
                    depth,
                    root,
                    children: Vec::new(),
                    retry: false,
                }),
                Some(_) => {}
                None if m.count > 0 => out.notes.push(format!(
                    "a top-level Reddit `more` of {} comment(s) listed no ids; they could not be fetched",
                    m.count
                )),
                None => {}
            }
            return;
        }
        let mut given_up = 0;
        // Consecutive ids with the same slot share a batch.
        let mut batches: Vec<(Slot, bool, Vec<String>)> = Vec::new();
        for id in m.children {
            if self.nodes.contains_key(&id) {
                continue; // already exported
            }
            let n = self.asked.entry(id.clone()).or_insert(0);
            *n = n.saturating_add(1);
            if *n > MAX_ASKS {
                given_up += 1;
                continue;
            }
            let retry = *n > 1;
            let slot = self
                .slots
                .entry(id.clone())
                .or_insert_with(|| (parent.clone(), depth, root.clone()))
                .clone();
            match batches.last_mut() {
                Some((s, r, ids))
                    if *s == slot && *r == retry && ids.len() < MORECHILDREN_BATCH =>
                {
                    ids.push(id)
                }
                _ => batches.push((slot, retry, vec![id])),
            }
        }
        if given_up > 0 {
            out.notes.push(format!(
                "Reddit kept listing {given_up} hidden comment(s) without returning them; gave up after {MAX_ASKS} tries"
            ));
        }
        for ((parent, depth, root), retry, children) in batches {
            out.pending.push(Pending {
                parent,
                depth,
                root,
                children,
                retry,
            });
        }
    }
}

fn parent_of(thing: &Thing) -> Option<&ParentRef> {
    match thing {
        Thing::Comment(c) => c.parent.as_ref(),
        Thing::More(m) => m.parent.as_ref(),
    }
}

fn thing_id(thing: &Thing) -> &str {
    match thing {
        Thing::Comment(c) => &c.id,
        Thing::More(m) => &m.id,
    }
}
