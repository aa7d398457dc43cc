//! The flat column view of a record, shared by every tabular sink (CSV now,
//! XLSX and Parquet later) so they agree on names and order.

use std::borrow::Cow;

use crate::Comment;

/// Column names of the flat view, in output order.
pub const COLUMNS: &[&str] = &[
    "platform",
    "kind",
    "id",
    "source_id",
    "source_url",
    "parent_id",
    "root_id",
    "depth",
    "author",
    "author_id",
    "author_url",
    "text",
    "title",
    "created_at",
    "created_at_precision",
    "created_at_raw",
    "edited",
    "likes",
    "likes_approx",
    "dislikes",
    "reply_count",
    "rating",
    "language",
    "sentiment_label",
    "sentiment_score",
    "sentiment_method",
    "url",
    "extra",
    "fetched_at",
];

/// Numbers of the columns some sinks treat specially (indices into [`COLUMNS`]).
pub(crate) mod col {
    pub const SOURCE_URL: usize = 4;
    pub const AUTHOR_URL: usize = 10;
    pub const TEXT: usize = 11;
    pub const CREATED_AT: usize = 13;
    pub const SENTIMENT_LABEL: usize = 23;
    pub const SENTIMENT_SCORE: usize = 24;
    pub const URL: usize = 26;
    pub const FETCHED_AT: usize = 28;
}

/// One cell of the flat view, typed so that spreadsheet sinks can write numbers as numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Null,
    /// Text (from the platform or our own).
    Text(Cow<'a, str>),
    /// Whole number.
    Int(i64),
    /// Real number.
    Float(f64),
    /// Boolean.
    Bool(bool),
}

impl Cell<'_> {
    /// The cell as CSV text (empty for null, RFC 3339 for dates, `true`/`false`).
    ///
    /// ```
    /// assert_eq!(engine::sink::Cell::Int(3).to_text(), "3");
    /// ```
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Null => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(t.as_ref()),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Float(f) => Cow::Owned(f.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }
}

fn text(s: &str) -> Cell<'_> {
    Cell::Text(Cow::Borrowed(s))
}

fn opt_text(s: &Option<String>) -> Cell<'_> {
    s.as_deref().map_or(Cell::Null, text)
}

fn opt_u64(n: Option<u64>) -> Cell<'static> {
    n.map_or(Cell::Null, |n| {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    })
}

/// The value of column number `col` (an index into [`COLUMNS`]) for `c`.
///
/// ```
/// use engine::sink::{cell, Cell, COLUMNS};
/// let c = engine::Comment::new("steam", engine::Kind::Review, "1", "440", "u");
/// let i = COLUMNS.iter().position(|n| *n == "id").unwrap();
/// assert_eq!(cell(&c, i), Cell::Text("1".into()));
/// ```
pub fn cell(c: &Comment, col: usize) -> Cell<'_> {
    match col {
        0 => text(&c.platform),
        1 => text(c.kind.as_str()),
        2 => text(&c.id),
        3 => text(&c.source_id),
        4 => text(&c.source_url),
        5 => opt_text(&c.parent_id),
        6 => text(&c.root_id),
        7 => Cell::Int(i64::from(c.depth)),
        8 => opt_text(&c.author),
        9 => opt_text(&c.author_id),
        10 => opt_text(&c.author_url),
        11 => text(&c.text),
        12 => opt_text(&c.title),
        13 => c.created_at.map_or(Cell::Null, |t| {
            Cell::Text(Cow::Owned(
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ))
        }),
        14 => c
            .created_at_precision
            .map_or(Cell::Null, |p| text(p.as_str())),
        15 => opt_text(&c.created_at_raw),
        16 => c.edited.map_or(Cell::Null, Cell::Bool),
        17 => opt_u64(c.likes),
        18 => Cell::Bool(c.likes_approx),
        19 => opt_u64(c.dislikes),
        20 => opt_u64(c.reply_count),
        21 => c.rating.map_or(Cell::Null, Cell::Float),
        22 => opt_text(&c.language),
        23 => c.sentiment.as_ref().map_or(Cell::Null, |s| text(&s.label)),
        24 => c
            .sentiment
            .as_ref()
            .map_or(Cell::Null, |s| Cell::Float(s.score)),
        25 => c.sentiment.as_ref().map_or(Cell::Null, |s| text(&s.method)),
        26 => opt_text(&c.url),
        27 => {
            if c.extra.is_empty() {
                Cell::Null
            } else {
                Cell::Text(Cow::Owned(
                    serde_json::to_string(&c.extra).unwrap_or_default(),
                ))
            }
        }
        28 => Cell::Text(Cow::Owned(
            c.fetched_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )),
        _ => Cell::Null,
    }
}

/// Makes text safe for spreadsheets: a cell starting with `=`, `+`, `-`, `@`,
/// tab or carriage return would be run as a formula by Excel and friends, so
/// it gets a leading apostrophe (OWASP's advice for CSV injection).
///
/// ```
/// assert_eq!(engine::sink::neutralize("=1+1"), "'=1+1");
/// assert_eq!(engine::sink::neutralize("fine"), "fine");
/// ```
pub fn neutralize(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_numbers_match_names() {
        let at = |n: &str| COLUMNS.iter().position(|c| *c == n).unwrap();
        assert_eq!(col::SOURCE_URL, at("source_url"));
        assert_eq!(col::AUTHOR_URL, at("author_url"));
        assert_eq!(col::TEXT, at("text"));
        assert_eq!(col::CREATED_AT, at("created_at"));
        assert_eq!(col::SENTIMENT_LABEL, at("sentiment_label"));
        assert_eq!(col::SENTIMENT_SCORE, at("sentiment_score"));
        assert_eq!(col::URL, at("url"));
        assert_eq!(col::FETCHED_AT, at("fetched_at"));
    }
}
