//! Parser of one customer-reviews feed page (`…/customerreviews/…/json`).
//!
//! Pure: bytes in, records out, never a panic. Apple's feed varies: `entry`
//! is a list, one object when there is a single entry, or absent when there
//! is none; older feeds put the app itself first (an entry with `im:name`
//! and no `im:rating`); numbers come as strings (`"4"`); `updated` is absent
//! in some feeds. A body that is not such a feed is [`engine::Error::Parse`]
//! naming the position (`feed.entry[3].im:rating.label`).

use chrono::DateTime;
use engine::{Comment, Error, Kind, Precision, Target};

use super::raw::{Entries, Label, RawEntry, RawRoot, Tolerant};

/// What `extra.rating_scale` says about the App Store's `rating`.
pub const RATING_SCALE: &str = "1-5 stars";

/// One feed page, parsed.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    /// The reviews, in feed order.
    pub records: Vec<Comment>,
    /// Entries that were not reviews (the app itself, in older feeds).
    pub skipped: usize,
}

/// Parses one feed page of storefront `storefront` (it goes to
/// `extra.storefront`); `req_url` is only used in error messages.
///
/// ```
/// use adapters::apple::parse::parse_feed;
/// let t = engine::Target::new("apple", "1", "https://apps.apple.com/jp/app/id1");
/// let body = br#"{"feed":{"entry":{"id":{"label":"77"},"im:rating":{"label":"4"},
///   "title":{"label":"Nice"},"content":{"label":"Works","attributes":{"type":"text"}},
///   "im:version":{"label":"1.2"},"im:voteSum":{"label":"1"},"im:voteCount":{"label":"3"},
///   "author":{"name":{"label":"Kai"},"uri":{"label":"https://itunes.apple.com/jp/reviews/id9"}}}}}"#;
/// let page = parse_feed(body, &t, "jp", "https://itunes.apple.com/jp/rss/customerreviews/page=1/id=1/sortby=mostrecent/json").unwrap();
/// let r = &page.records[0];
/// assert_eq!((r.id.as_str(), r.rating, r.likes, r.dislikes), ("77", Some(4.0), Some(1), Some(2)));
/// assert_eq!(r.created_at, None);
/// assert_eq!(r.extra["app_version"], "1.2");
/// ```
pub fn parse_feed(
    body: &[u8],
    target: &Target,
    storefront: &str,
    req_url: &str,
) -> Result<ParsedFeed, Error> {
    let fail = |message: String| {
        let text = String::from_utf8_lossy(&body[..body.len().min(400)]);
        Error::parse("apple", req_url, message, &text, 0)
    };
    let root: RawRoot<'_> = serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        let at = offset(&text, &e);
        Error::parse("apple", req_url, format!("not a feed: {e}"), &text, at)
    })?;
    let feed = match root.feed {
        Tolerant::Value(feed) => feed,
        Tolerant::Absent => return Err(fail("no `feed` object".into())),
        Tolerant::Invalid(kind) => {
            return Err(fail(format!("no `feed` object (`feed` is {kind})")))
        }
    };
    let entries: Vec<Tolerant<RawEntry<'_>>> = match feed.entry {
        Entries::None => Vec::new(),
        Entries::List(list) => list,
        Entries::One(one) => vec![Tolerant::Value(*one)],
        Entries::Other(kind) => {
            return Err(fail(format!(
                "feed.entry: expected an object or a list, got {kind}"
            )))
        }
    };
    let mut out = ParsedFeed {
        records: Vec::with_capacity(entries.len()),
        skipped: 0,
    };
    let fetched_at = chrono::Utc::now();
    for (i, entry) in entries.into_iter().enumerate() {
        let entry = match entry {
            Tolerant::Value(e) => e,
            Tolerant::Absent => continue,
            Tolerant::Invalid(kind) => {
                return Err(fail(format!(
                    "feed.entry[{i}]: expected an object, got {kind}"
                )))
            }
        };
        if !is_review(&entry) {
            out.skipped += 1;
            continue;
        }
        let mut record =
            review(entry, target, storefront).map_err(|m| fail(format!("feed.entry[{i}].{m}")))?;
        record.fetched_at = fetched_at;
        out.records.push(record);
    }
    Ok(out)
}

/// A review has a rating or an author; the app entry of older feeds has
/// neither (it has `im:name`, `im:artist`, `im:price`…).
fn is_review(entry: &RawEntry<'_>) -> bool {
    entry.rating.present() || !matches!(entry.author, Tolerant::Absent)
}

/// The review record of one entry; the error names the field (the caller
/// prefixes the entry's position).
fn review(e: RawEntry<'_>, target: &Target, storefront: &str) -> Result<Comment, String> {
    let id =
        e.id.text()
            .filter(|s| !s.trim().is_empty())
            .ok_or("id.label: missing review id")?;
    let mut c = Comment::new(
        "apple",
        Kind::Review,
        id,
        target.id.clone(),
        target.url.clone(),
    );
    c.rating = match &e.rating {
        Label::Absent | Label::Null => None,
        other => Some(
            other
                .number()
                .filter(|r| (1.0..=5.0).contains(r))
                .ok_or_else(|| {
                    format!("im:rating.label: expected 1-5, got {}", other.describe())
                })?,
        ),
    };
    if let Tolerant::Value(author) = &e.author {
        c.author = author.name.text().filter(|s| !s.is_empty());
        c.author_url = author.uri.text().filter(|s| !s.is_empty());
        c.author_id = c.author_url.as_deref().and_then(reviewer_id);
    }
    c.title = e.title.text();
    c.text = e.content.0.text().unwrap_or_default();
    if let Some(raw) = e.updated.text() {
        match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(t) => {
                c.created_at = Some(t.to_utc());
                c.created_at_precision = Some(Precision::Second);
            }
            Err(_) => c.created_at_raw = Some(raw),
        }
    }
    let votes_up = e.vote_sum.count();
    let votes = e.vote_count.count();
    c.likes = votes_up;
    // voteCount counts every "was this helpful?" answer, voteSum the yes.
    c.dislikes = match (votes, votes_up) {
        (Some(all), Some(up)) if all >= up => Some(all - up),
        _ => None,
    };
    let extra = &mut c.extra;
    extra.insert("rating_scale".into(), RATING_SCALE.into());
    extra.insert("storefront".into(), storefront.into());
    if let Some(v) = e.version.text() {
        extra.insert("app_version".into(), v.into());
    }
    if let Some(v) = votes_up {
        extra.insert("vote_sum".into(), v.into());
    }
    if let Some(v) = votes {
        extra.insert("vote_count".into(), v.into());
    }
    Ok(c)
}

/// The reviewer id at the end of `https://itunes.apple.com/jp/reviews/id638572168`.
fn reviewer_id(uri: &str) -> Option<String> {
    let last = uri.trim_end_matches('/').rsplit('/').next()?;
    let digits = last.strip_prefix("id")?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
}

/// Byte offset of a serde_json error (1-based line and column) in `text`.
fn offset(text: &str, e: &serde_json::Error) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + e.column().saturating_sub(1)).min(text.len())
}
