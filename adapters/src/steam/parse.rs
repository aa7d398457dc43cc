//! Parser of one `appreviews` JSON page into records.
//!
//! Pure: bytes in, records out. It never panics; a body without the shape
//! Steam promises becomes [`engine::Error::Parse`] with an excerpt of the
//! body around the problem, and `success` other than 1 becomes
//! [`engine::Error::NotFound`] (Steam answers `{"success":2}` for unknown apps).

use chrono::{DateTime, Utc};
use engine::{Comment, Error, Kind, Precision, Target};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::flex::{FlexBool, FlexF64, FlexI64, FlexString, FlexU64};
use super::language::iso_code;

/// What `extra.rating_scale` says about Steam's `rating`.
pub const RATING_SCALE: &str = "voted_up: 1 = recommended, 0 = not recommended";

/// One `appreviews` page, parsed.
#[derive(Debug, Clone, Default)]
pub struct ParsedPage {
    /// The reviews in page order, each followed by its developer response
    /// (as a reply record) when replies were asked for.
    pub records: Vec<Comment>,
    /// The cursor of the next page, when Steam sent one (the last page repeats
    /// the cursor it was asked with).
    pub cursor: Option<String>,
    /// `query_summary.total_reviews`: Steam only sends it on the first page.
    pub total_reviews: Option<u64>,
    /// Number of reviews in this page (developer responses not counted).
    pub num_reviews: usize,
}

/// The page as Steam sends it. Unknown fields are ignored.
#[derive(Deserialize)]
struct RawPage {
    success: Option<Value>,
    query_summary: Option<RawSummary>,
    reviews: Option<Vec<RawReview>>,
    cursor: Option<FlexString>,
}

/// Only the status of a page, read when the full page does not parse.
#[derive(Deserialize)]
struct Probe {
    success: Option<Value>,
}

#[derive(Deserialize)]
struct RawSummary {
    total_reviews: Option<FlexU64>,
}

#[derive(Deserialize)]
struct RawReview {
    recommendationid: FlexString,
    author: Option<RawAuthor>,
    language: Option<String>,
    review: Option<String>,
    timestamp_created: Option<FlexI64>,
    timestamp_updated: Option<FlexI64>,
    voted_up: Option<FlexBool>,
    votes_up: Option<FlexU64>,
    votes_funny: Option<FlexU64>,
    weighted_vote_score: Option<FlexF64>,
    comment_count: Option<FlexU64>,
    steam_purchase: Option<FlexBool>,
    received_for_free: Option<FlexBool>,
    written_during_early_access: Option<FlexBool>,
    primarily_steam_deck: Option<FlexBool>,
    hidden_in_steam_china: Option<FlexBool>,
    steam_china_location: Option<String>,
    developer_response: Option<String>,
    timestamp_dev_responded: Option<FlexI64>,
}

#[derive(Deserialize)]
struct RawAuthor {
    steamid: Option<FlexString>,
    num_games_owned: Option<FlexU64>,
    num_reviews: Option<FlexU64>,
    playtime_forever: Option<FlexU64>,
    playtime_last_two_weeks: Option<FlexU64>,
    playtime_at_review: Option<FlexU64>,
    deck_playtime_at_review: Option<FlexU64>,
    last_played: Option<FlexI64>,
}

/// Parses one `appreviews?json=1` response body.
///
/// `target` is the app (its id and canonical URL go into every record),
/// `req_url` the URL that was requested (for error messages), and `replies`
/// whether developer responses become reply records.
///
/// ```
/// use adapters::steam::parse_page;
/// let target = engine::Target::new("steam", "440", "https://store.steampowered.com/app/440/");
/// let body = br#"{"success":1,"query_summary":{"num_reviews":1,"total_reviews":7},"cursor":"AoJ4+/==",
///   "reviews":[{"recommendationid":"9","author":{"steamid":"765"},"language":"english",
///   "review":"Fun","timestamp_created":1700000000,"timestamp_updated":1700000000,"voted_up":true,
///   "votes_up":3,"weighted_vote_score":"0.5","developer_response":"Thanks!"}]}"#;
/// let page = parse_page(body, &target, "https://store.steampowered.com/appreviews/440", true).unwrap();
/// assert_eq!((page.num_reviews, page.records.len(), page.total_reviews), (1, 2, Some(7)));
/// assert_eq!(page.cursor.as_deref(), Some("AoJ4+/=="));
/// assert_eq!(page.records[1].parent_id.as_deref(), Some("9"));
///
/// let gone = parse_page(br#"{"success":2}"#, &target, "https://x/", true).unwrap_err();
/// assert_eq!(gone.kind(), "not_found");
/// ```
pub fn parse_page(
    body: &[u8],
    target: &Target,
    req_url: &str,
    replies: bool,
) -> Result<ParsedPage, Error> {
    let page: RawPage = match serde_json::from_slice(body) {
        Ok(page) => page,
        Err(e) => {
            // A failed app may come with a body of another shape: its status wins.
            if let Ok(Probe { success: Some(s) }) = serde_json::from_slice::<Probe>(body) {
                check_success(&s, req_url)?;
            }
            return Err(parse_error(
                req_url,
                &e.to_string(),
                body,
                serde_offset(body, &e),
            ));
        }
    };
    match &page.success {
        Some(s) => check_success(s, req_url)?,
        None => return Err(parse_error(req_url, "no `success` field", body, 0)),
    }
    let raw_reviews = page.reviews.unwrap_or_default();
    let mut records = Vec::with_capacity(raw_reviews.len() + raw_reviews.len() / 4);
    for raw in raw_reviews.iter() {
        let review = review_record(raw, target);
        let reply = if replies {
            developer_reply(raw, &review)
        } else {
            None
        };
        records.push(review);
        records.extend(reply);
    }
    Ok(ParsedPage {
        records,
        cursor: page.cursor.map(|c| c.0),
        total_reviews: page
            .query_summary
            .and_then(|s| s.total_reviews)
            .map(|t| t.0),
        num_reviews: raw_reviews.len(),
    })
}

/// `Ok` when Steam says `success: 1` (or `true`); `NotFound` otherwise.
fn check_success(success: &Value, req_url: &str) -> Result<(), Error> {
    let ok = match success {
        Value::Number(n) => n.as_f64() == Some(1.0),
        Value::Bool(b) => *b,
        Value::String(s) => s.trim() == "1",
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(Error::NotFound {
        platform: "steam".into(),
        url: engine::redact_url(req_url),
        detail: format!("Steam answered success={success} (unknown or removed app)"),
    })
}

fn parse_error(req_url: &str, message: &str, body: &[u8], at: usize) -> Error {
    let text = String::from_utf8_lossy(body);
    Error::parse("steam", req_url, message, &text, at.min(text.len()))
}

/// Byte offset of serde_json's error position (1-based line and byte column).
fn serde_offset(body: &[u8], e: &serde_json::Error) -> usize {
    if e.line() == 0 {
        return 0;
    }
    let mut line_start = 0;
    for _ in 1..e.line() {
        match body[line_start..].iter().position(|&b| b == b'\n') {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    line_start
        .saturating_add(e.column().saturating_sub(1))
        .min(body.len())
}

/// A Unix time as a UTC instant; 0, negative and out-of-range times are `None`
/// (Steam sends 0 for "never").
fn instant(ts: Option<FlexI64>) -> Option<DateTime<Utc>> {
    ts.map(|t| t.0)
        .filter(|&t| t > 0)
        .and_then(|t| DateTime::from_timestamp(t, 0))
}

/// A steamid usable in a profile URL (a SteamID64 is all digits).
fn profile_id(steamid: &str) -> Option<&str> {
    (!steamid.is_empty() && steamid.bytes().all(|b| b.is_ascii_digit())).then_some(steamid)
}

/// The review record of one raw review.
fn review_record(raw: &RawReview, target: &Target) -> Comment {
    let id = raw.recommendationid.0.clone();
    let mut c = Comment::new(
        "steam",
        Kind::Review,
        id,
        target.id.clone(),
        target.url.clone(),
    );
    let author = raw.author.as_ref();
    let steamid = author.and_then(|a| a.steamid.as_ref()).map(|s| s.0.clone());
    if let Some(profile) = steamid.as_deref().and_then(profile_id) {
        c.author_url = Some(format!("https://steamcommunity.com/profiles/{profile}/"));
        c.url = Some(format!(
            "https://steamcommunity.com/profiles/{profile}/recommended/{}/",
            target.id
        ));
    }
    c.author_id = steamid;
    c.text = raw.review.clone().unwrap_or_default();
    c.created_at = instant(raw.timestamp_created);
    c.created_at_precision = c.created_at.map(|_| Precision::Second);
    c.edited = match (raw.timestamp_created, raw.timestamp_updated) {
        (Some(created), Some(updated)) => Some(updated.0 > created.0),
        _ => None,
    };
    c.likes = raw.votes_up.map(|v| v.0);
    c.reply_count = raw.comment_count.map(|v| v.0);
    c.rating = raw.voted_up.map(|v| if v.0 { 1.0 } else { 0.0 });
    c.language = raw
        .language
        .as_deref()
        .and_then(iso_code)
        .map(str::to_string);
    c.extra = review_extra(raw);
    c
}

/// `extra` of a review: only the keys Steam sent.
fn review_extra(raw: &RawReview) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("rating_scale".into(), RATING_SCALE.into());
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            extra.insert(key.to_string(), v);
        }
    };
    let u = |v: Option<FlexU64>| v.map(|v| Value::from(v.0));
    let i = |v: Option<FlexI64>| v.map(|v| Value::from(v.0));
    let b = |v: Option<FlexBool>| v.map(|v| Value::from(v.0));
    put("steam_language", raw.language.clone().map(Value::from));
    put("votes_funny", u(raw.votes_funny));
    put(
        "weighted_vote_score",
        raw.weighted_vote_score.map(|v| Value::from(v.0)),
    );
    put("timestamp_updated", i(raw.timestamp_updated));
    if let Some(a) = &raw.author {
        put("playtime_forever", u(a.playtime_forever));
        put("playtime_last_two_weeks", u(a.playtime_last_two_weeks));
        put("playtime_at_review", u(a.playtime_at_review));
        put("deck_playtime_at_review", u(a.deck_playtime_at_review));
        put("last_played", i(a.last_played));
        put("num_games_owned", u(a.num_games_owned));
        put("num_reviews", u(a.num_reviews));
    }
    put("steam_purchase", b(raw.steam_purchase));
    put("received_for_free", b(raw.received_for_free));
    put(
        "written_during_early_access",
        b(raw.written_during_early_access),
    );
    put("primarily_steam_deck", b(raw.primarily_steam_deck));
    put("hidden_in_steam_china", b(raw.hidden_in_steam_china));
    put(
        "steam_china_location",
        raw.steam_china_location.clone().map(Value::from),
    );
    extra
}

/// The developer's response to a review, as a reply record; `None` when
/// there is none (absent or blank).
fn developer_reply(raw: &RawReview, parent: &Comment) -> Option<Comment> {
    let text = raw
        .developer_response
        .as_deref()
        .filter(|t| !t.trim().is_empty())?;
    let id = format!("{}-dev", parent.id);
    let mut reply = Comment::new(
        "steam",
        Kind::Reply,
        id,
        parent.source_id.clone(),
        parent.source_url.clone(),
    );
    reply.reply_to(parent);
    reply.author = Some("developer".into());
    reply.text = text.to_string();
    reply.created_at = instant(raw.timestamp_dev_responded);
    reply.created_at_precision = reply.created_at.map(|_| Precision::Second);
    reply.url = parent.url.clone();
    reply.fetched_at = parent.fetched_at;
    reply
        .extra
        .insert("developer_response".into(), Value::Bool(true));
    Some(reply)
}
