//! HN items from both APIs in one shape: Algolia's nested `items/<id>` tree
//! and Firebase's one-item-per-request `item/<id>.json`. Parsing never panics;
//! an envelope of the wrong shape is [`Error::Parse`], odd fields are `None`.

use engine::Error;
use serde_json::Value;

/// One item (story, comment, poll, job), its children not included.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// The item id.
    pub id: u64,
    /// `story`, `comment`, `poll`, `pollopt`, `job`.
    pub kind: String,
    /// Username.
    pub author: Option<String>,
    /// HTML text.
    pub text: Option<String>,
    /// Title (stories, polls, jobs).
    pub title: Option<String>,
    /// Link of a link story.
    pub url: Option<String>,
    /// Points (stories; Algolia gives none for comments).
    pub points: Option<i64>,
    /// Unix time.
    pub time: Option<i64>,
    /// Parent item id.
    pub parent: Option<u64>,
    /// The story a comment belongs to (Algolia's `story_id`).
    pub story: Option<u64>,
    /// Deleted by its author or HN.
    pub deleted: bool,
    /// Killed by flags or moderators.
    pub dead: bool,
    /// Children ids (Firebase `kids`; for Algolia, the nested children's ids).
    pub kids: Vec<u64>,
    /// Firebase `descendants` (a story's comment count).
    pub descendants: Option<u64>,
}

impl Item {
    /// True for records that have nothing to show (kept only to connect the tree).
    pub fn is_placeholder(&self) -> bool {
        self.deleted || self.dead
    }
}

fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn err(url: &str, message: &str, body: &[u8]) -> Error {
    Error::parse(
        "hackernews",
        url,
        message,
        &String::from_utf8_lossy(body),
        0,
    )
}

/// Parses a Firebase `item/<id>.json` answer; `Ok(None)` for `null` (no such item).
///
/// ```
/// let b = br#"{"by":"a","id":5,"kids":[6,7],"parent":1,"text":"hi","time":1700000000,"type":"comment"}"#;
/// let item = adapters::hackernews::item::parse_firebase(b, "u").unwrap().unwrap();
/// assert_eq!((item.id, item.kids.clone(), item.parent), (5, vec![6, 7], Some(1)));
/// assert!(adapters::hackernews::item::parse_firebase(b"null", "u").unwrap().is_none());
/// ```
pub fn parse_firebase(body: &[u8], url: &str) -> Result<Option<Item>, Error> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| err(url, &format!("not JSON: {e}"), body))?;
    match v {
        Value::Null => Ok(None),
        Value::Object(_) => {
            let item =
                firebase_item(&v).ok_or_else(|| err(url, "item without a numeric id", body))?;
            Ok(Some(item))
        }
        _ => Err(err(url, "expected an item object or null", body)),
    }
}

fn firebase_item(v: &Value) -> Option<Item> {
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    Some(Item {
        id: id_of(v.get("id")?)?,
        kind: v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("comment")
            .to_string(),
        author: text_of(v.get("by")),
        text: text_of(v.get("text")),
        title: text_of(v.get("title")),
        url: text_of(v.get("url")),
        points: v.get("score").and_then(Value::as_i64),
        time: v.get("time").and_then(Value::as_i64),
        parent: v.get("parent").and_then(id_of),
        story: None,
        deleted: flag("deleted"),
        dead: flag("dead"),
        kids: match v.get("kids") {
            Some(Value::Array(k)) => k.iter().filter_map(id_of).collect(),
            _ => Vec::new(),
        },
        descendants: v.get("descendants").and_then(Value::as_u64),
    })
}

/// Parses an Algolia `items/<id>` answer into items in pre-order with the
/// index of each one's parent (`None` for the root).
///
/// ```
/// let b = br#"{"id":1,"type":"story","title":"T","points":5,"children":[
///   {"id":2,"type":"comment","author":"a","text":"x","parent_id":1,"children":[]}]}"#;
/// let items = adapters::hackernews::item::parse_algolia(b, "u").unwrap();
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[1].1, Some(0));
/// ```
pub fn parse_algolia(body: &[u8], url: &str) -> Result<Vec<(Item, Option<usize>)>, Error> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| err(url, &format!("not JSON: {e}"), body))?;
    if !root.is_object() || root.get("id").and_then(id_of).is_none() {
        return Err(err(url, "expected an item object with an id", body));
    }
    let mut out: Vec<(Item, Option<usize>)> = Vec::new();
    // Explicit stack: no recursion whatever the depth.
    let mut stack: Vec<(Value, Option<usize>)> = vec![(root, None)];
    while let Some((mut v, parent)) = stack.pop() {
        let Some(id) = v.get("id").and_then(id_of) else {
            continue;
        };
        let children = match v.get_mut("children").map(Value::take) {
            Some(Value::Array(c)) => c,
            _ => Vec::new(),
        };
        // Algolia marks nothing as deleted: a comment without author and text is one.
        let author = text_of(v.get("author"));
        let text = text_of(v.get("text"));
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("comment")
            .to_string();
        let deleted = kind == "comment" && author.is_none() && text.is_none();
        let item = Item {
            id,
            kind,
            author,
            text,
            title: text_of(v.get("title")),
            url: text_of(v.get("url")),
            points: v.get("points").and_then(Value::as_i64),
            time: v.get("created_at_i").and_then(Value::as_i64),
            parent: v.get("parent_id").and_then(id_of),
            story: v.get("story_id").and_then(id_of),
            deleted,
            dead: false,
            kids: children
                .iter()
                .filter_map(|c| c.get("id").and_then(id_of))
                .collect(),
            descendants: None,
        };
        let index = out.len();
        out.push((item, parent));
        for child in children.into_iter().rev() {
            if child.is_object() {
                stack.push((child, Some(index)));
            }
        }
    }
    Ok(out)
}
