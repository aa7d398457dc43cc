//! Parser of the reviews payload (the JSON text inside the `wrb.fr` frame).
//!
//! The payload is positional: `[[<review>, …], [null, "<next token>"], …]`
//! (`oCPfdb`; the last page has no token), and each review
//!
//! ```text
//! [0] review id   [1] [user name, [null, 2, null, [null, null, avatar URL]]]
//! [2] score 1-5   [4] text   [5] [seconds, nanos]   [6] thumbs-up count
//! [7] developer reply [developer name, text, [seconds, nanos]] or null
//! [10] app version the review was written with
//! ```
//!
//! Every position is checked; a value of the wrong type is
//! [`engine::Error::Parse`] naming it (`payload[0][3][2] (score)`), so a
//! layout change is noticed instead of exporting shifted fields. Missing
//! optional positions (a shorter array) are `null`.

use chrono::DateTime;
use engine::{Comment, Error, Kind, Precision, Target};
use serde_json::Value;

use super::envelope::kind;
use super::request::Rpc;

/// What `extra.rating_scale` says about Google Play's `rating`.
pub const RATING_SCALE: &str = "1-5 stars";

/// One reviews page, parsed.
#[derive(Debug, Clone, Default)]
pub struct ReviewsPage {
    /// Reviews in page order, each followed by its developer reply (when
    /// replies were asked for).
    pub records: Vec<Comment>,
    /// Reviews in the page (replies not counted).
    pub reviews: usize,
    /// The continuation token of the next page; `None` on the last.
    pub token: Option<String>,
}

/// What the records say about where they were listed.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    /// Language the listing was asked in (`hl`).
    pub hl: &'a str,
    /// Country (`gl`).
    pub gl: &'a str,
    /// Make developer replies reply records.
    pub replies: bool,
}

/// Parses the payload text of `rpc`'s answer.
///
/// ```
/// use adapters::googleplay::parse::{parse_payload, Listed};
/// use adapters::googleplay::request::Rpc;
/// let t = engine::Target::new("googleplay", "com.example", "https://play.google.com/store/apps/details?id=com.example");
/// let payload = r#"[[["gp:1",["Ann",[null,2,null,[null,null,"https://play-lh.googleusercontent.com/a/x"]]],4,null,
///   "Good app",[1700000000,500000000],3,["Example Inc.","Thanks!",[1700003600,0]],null,null,"2.0.1"]],
///   [null,"NEXT"],null]"#;
/// let listed = Listed { hl: "en", gl: "US", replies: true };
/// let page = parse_payload(payload, Rpc::Current, &t, "u", listed).unwrap();
/// assert_eq!((page.reviews, page.records.len(), page.token.as_deref()), (1, 2, Some("NEXT")));
/// assert_eq!((page.records[0].rating, page.records[0].likes), (Some(4.0), Some(3)));
/// assert_eq!(page.records[1].parent_id.as_deref(), Some("gp:1"));
/// ```
pub fn parse_payload(
    payload: &str,
    rpc: Rpc,
    target: &Target,
    req_url: &str,
    listed: Listed<'_>,
) -> Result<ReviewsPage, Error> {
    let root: Value = serde_json::from_str(payload).map_err(|e| {
        Error::parse(
            "googleplay",
            req_url,
            format!("payload is not JSON: {e}"),
            payload,
            0,
        )
    })?;
    let fail = |message: String, around: &Value| {
        Error::parse("googleplay", req_url, message, &around.to_string(), 0)
    };
    let top: &[Value] = match &root {
        Value::Null => &[],
        Value::Array(a) => a,
        other => {
            return Err(fail(
                format!("payload: expected a list, got {}", kind(other)),
                other,
            ))
        }
    };
    let items: &[Value] = match top.first() {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(fail(
                format!("payload[0] (reviews): expected a list, got {}", kind(other)),
                other,
            ))
        }
    };
    let token = token(top, rpc).map_err(|(pos, v)| {
        fail(
            format!(
                "{pos} (continuation token): expected a string, got {}",
                kind(v)
            ),
            v,
        )
    })?;
    let fetched_at = chrono::Utc::now();
    let mut records = Vec::with_capacity(items.len() + items.len() / 2);
    for (i, item) in items.iter().enumerate() {
        let (review, reply) = review(item, target, listed)
            .map_err(|(pos, what)| fail(format!("payload[0][{i}]{pos}: {what}"), item))?;
        let mut review = review;
        review.fetched_at = fetched_at;
        let reply = reply.filter(|_| listed.replies).map(|mut r| {
            r.fetched_at = fetched_at;
            r
        });
        records.push(review);
        records.extend(reply);
    }
    Ok(ReviewsPage {
        records,
        reviews: items.len(),
        token,
    })
}

/// The next-page token: `payload[1][1]` for `oCPfdb`, the last element of
/// the last list for `UsvDTd`. `Err((position, value))` when the value is
/// there but not a string.
fn token(top: &[Value], rpc: Rpc) -> Result<Option<String>, (&'static str, &Value)> {
    let (slot, pos) = match rpc {
        Rpc::Current => (top.get(1), "payload[1][1]"),
        Rpc::Legacy => (top.get(1..).and_then(<[Value]>::last), "payload[-1][-1]"),
    };
    let Some(Value::Array(pair)) = slot else {
        return Ok(None);
    };
    let value = match rpc {
        Rpc::Current => pair.get(1),
        Rpc::Legacy => pair.last(),
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err((pos, other)),
    }
}

/// Error of one position: `("[2] (score)", "expected …")`.
type Bad = (String, String);

fn bad(pos: &str, what: &str, got: &Value) -> Bad {
    (
        pos.to_string(),
        format!("expected {what}, got {}", kind(got)),
    )
}

/// The review record of one item, and its developer reply if it has one.
fn review(
    item: &Value,
    target: &Target,
    listed: Listed<'_>,
) -> Result<(Comment, Option<Comment>), Bad> {
    let Value::Array(a) = item else {
        return Err(bad("", "a review list", item));
    };
    let at = |i: usize| a.get(i).unwrap_or(&Value::Null);
    let id = match at(0) {
        Value::String(s) if !s.is_empty() => s.clone(),
        other => return Err(bad("[0] (review id)", "a non-empty string", other)),
    };
    let mut c = Comment::new(
        "googleplay",
        Kind::Review,
        id,
        target.id.clone(),
        target.url.clone(),
    );
    match at(1) {
        Value::Null => {}
        Value::Array(user) => {
            c.author = match user.first() {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => return Err(bad("[1][0] (user name)", "a string", other)),
            };
            let avatar = user
                .get(1)
                .and_then(|u| u.pointer("/3/2"))
                .and_then(Value::as_str);
            if let Some(url) = avatar {
                c.extra.insert("avatar_url".into(), url.into());
            }
        }
        other => return Err(bad("[1] (user)", "a list", other)),
    }
    c.rating = match at(2) {
        Value::Number(n) if n.as_u64().is_some_and(|s| (1..=5).contains(&s)) => n.as_f64(),
        other => return Err(bad("[2] (score)", "an integer 1-5", other)),
    };
    c.text = match at(4) {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => return Err(bad("[4] (text)", "a string", other)),
    };
    c.created_at = instant(at(5)).map_err(|v| bad("[5] (timestamp)", "[seconds, nanos]", v))?;
    c.created_at_precision = c.created_at.map(|_| Precision::Second);
    c.likes = match at(6) {
        Value::Null => None,
        Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
        other => return Err(bad("[6] (thumbs-up count)", "a count", other)),
    };
    let version = match at(10) {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => return Err(bad("[10] (app version)", "a string", other)),
    };
    c.url = Some(format!(
        "https://play.google.com/store/apps/details?id={}&reviewId={}",
        target.id,
        url::form_urlencoded::byte_serialize(c.id.as_bytes()).collect::<String>()
    ));
    let extra = &mut c.extra;
    extra.insert("rating_scale".into(), RATING_SCALE.into());
    if let Some(v) = version {
        extra.insert("app_version".into(), v.into());
    }
    extra.insert("hl".into(), listed.hl.into());
    extra.insert("gl".into(), listed.gl.into());
    let reply = developer_reply(at(7), &c)?;
    Ok((c, reply))
}

/// `[seconds, nanos]` as an instant; `null` is `None`, anything else `Err`.
fn instant(v: &Value) -> Result<Option<DateTime<chrono::Utc>>, &Value> {
    let Value::Array(pair) = v else {
        return if v.is_null() { Ok(None) } else { Err(v) };
    };
    let secs = match pair.first() {
        Some(Value::Number(n)) => n.as_i64().ok_or(v)?,
        _ => return Err(v),
    };
    let nanos = pair
        .get(1)
        .and_then(Value::as_u64)
        .filter(|&n| n < 1_000_000_000)
        .unwrap_or(0) as u32;
    Ok(DateTime::from_timestamp(secs, nanos).filter(|_| secs > 0))
}

/// The developer's reply (`[7]`) as a reply record.
fn developer_reply(v: &Value, parent: &Comment) -> Result<Option<Comment>, Bad> {
    let pair = match v {
        Value::Null => return Ok(None),
        Value::Array(a) => a,
        other => return Err(bad("[7] (developer reply)", "a list", other)),
    };
    let null = Value::Null;
    let text = match pair.get(1).unwrap_or(&null) {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.clone(),
        other => return Err(bad("[7][1] (reply text)", "a string", other)),
    };
    let mut r = Comment::new(
        "googleplay",
        Kind::Reply,
        format!("{}-dev", parent.id),
        parent.source_id.clone(),
        parent.source_url.clone(),
    );
    r.reply_to(parent);
    r.author = match pair.first() {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => Some("developer".into()),
    };
    r.text = text;
    r.created_at = instant(pair.get(2).unwrap_or(&null))
        .map_err(|v| bad("[7][2] (reply time)", "[seconds, nanos]", v))?;
    r.created_at_precision = r.created_at.map(|_| Precision::Second);
    r.url = parent.url.clone();
    r.extra
        .insert("developer_response".into(), Value::Bool(true));
    Ok(Some(r))
}
