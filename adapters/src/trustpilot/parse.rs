//! Parser of one Trustpilot business page: the `__NEXT_DATA__` JSON of
//! `/review/<domain>` → review records (and their company replies), the
//! pagination totals and the languages the listing can be filtered by.
//!
//! Pure: HTML in, records out. It never panics; a page without the shape
//! Trustpilot sends becomes [`engine::Error::Parse`] naming the JSON path
//! that was wrong (`props.pageProps.reviews[3].rating: expected a number 1–5`).

use chrono::{DateTime, Utc};
use engine::{Comment, Error, Kind, Precision, Target};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::next_data::next_data;

/// What `extra.rating_scale` says about Trustpilot's `rating`.
pub const RATING_SCALE: &str = "1-5 stars";

/// One page of a business's reviews, parsed.
#[derive(Debug, Clone, Default)]
pub struct ParsedPage {
    /// Reviews in page order, each followed by the company's reply (a
    /// `reply` record at depth 1) when it has one.
    pub records: Vec<Comment>,
    /// Reviews on this page (replies not counted).
    pub reviews: usize,
    /// `filters.pagination`, when the page has it.
    pub pagination: Option<Pagination>,
    /// Language codes the listing can be filtered by (`filters.reviewStatistics.reviewLanguages`
    /// with a positive count, `all` left out), in the page's order.
    pub languages: Vec<String>,
    /// Where Next.js was told to redirect instead of rendering the page
    /// (`pageProps.__N_REDIRECT`): Trustpilot sends pages past its limit to its login.
    pub redirect: Option<String>,
}

/// `props.pageProps.filters.pagination`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pagination {
    /// The page this is (1-based).
    pub current_page: u64,
    /// Pages of the listing with its filters.
    pub total_pages: u64,
    /// Reviews of the listing with its filters.
    pub total_count: u64,
}

#[derive(Deserialize)]
struct NextData {
    props: Option<Props>,
}

#[derive(Deserialize)]
struct Props {
    #[serde(rename = "pageProps")]
    page_props: Option<PageProps>,
}

/// The part of `pageProps` read; everything else (business unit details,
/// translations, similar businesses…) is skipped without being built.
#[derive(Deserialize)]
struct PageProps {
    reviews: Option<Value>,
    filters: Option<Value>,
    #[serde(rename = "businessUnit")]
    business_unit: Option<Value>,
    #[serde(rename = "__N_REDIRECT")]
    redirect: Option<Value>,
}

/// Parses one business page.
///
/// `target` is the business (its domain and listing URL go into every record),
/// `req_url` the URL requested (for error messages).
///
/// ```
/// use adapters::trustpilot::parse_page;
/// let target = engine::Target::new("trustpilot", "example.com", "https://www.trustpilot.com/review/example.com");
/// let html = r#"<html><script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{
///   "businessUnit":{"displayName":"Example"},
///   "filters":{"pagination":{"currentPage":1,"perPage":20,"totalCount":1,"totalPages":1}},
///   "reviews":[{"id":"65a1","rating":4,"title":"Good","text":"Fine shop","language":"en","likes":2,
///     "dates":{"publishedDate":"2024-01-12T10:00:00.000Z"},"consumer":{"id":"c1","displayName":"Ann"},
///     "reply":{"message":"Thanks Ann","publishedDate":"2024-01-13T08:00:00.000Z"}}]}}}</script></html>"#;
/// let page = parse_page(html, &target, "https://www.trustpilot.com/review/example.com?page=1").unwrap();
/// assert_eq!((page.reviews, page.records.len()), (1, 2));
/// assert_eq!(page.records[0].rating, Some(4.0));
/// assert_eq!(page.records[1].parent_id.as_deref(), Some("65a1"));
/// assert_eq!(page.pagination.unwrap().total_count, 1);
/// ```
pub fn parse_page(html: &str, target: &Target, req_url: &str) -> Result<ParsedPage, Error> {
    let Some(json) = next_data(html) else {
        return Err(Error::parse(
            "trustpilot",
            req_url,
            "no <script id=\"__NEXT_DATA__\"> in the page (not a Trustpilot business page, or a changed page)",
            html,
            0,
        ));
    };
    let data: NextData = serde_json::from_str(&json).map_err(|e| {
        let at = offset(&json, &e);
        Error::parse(
            "trustpilot",
            req_url,
            format!("__NEXT_DATA__ is not the JSON expected: {e}"),
            &json,
            at,
        )
    })?;
    let props = data
        .props
        .and_then(|p| p.page_props)
        .ok_or_else(|| shape(req_url, "props.pageProps is missing", &json))?;
    let redirect = props.redirect.as_ref().map(|r| match r {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    if redirect.is_some() {
        return Ok(ParsedPage {
            redirect,
            ..ParsedPage::default()
        });
    }
    let filters = props.filters.as_ref();
    let pagination = filters
        .and_then(|f| f.get("pagination"))
        .map(|p| pagination(p, req_url, &json))
        .transpose()?;
    let languages = filters
        .and_then(|f| f.pointer("/reviewStatistics/reviewLanguages"))
        .map(languages)
        .unwrap_or_default();
    let reviews = match props.reviews {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => {
            return Err(shape(req_url, "props.pageProps.reviews is missing", &json))
        }
        Some(_) => {
            return Err(shape(
                req_url,
                "props.pageProps.reviews is not a list",
                &json,
            ))
        }
    };
    let company = props
        .business_unit
        .as_ref()
        .and_then(|b| b.get("displayName"))
        .and_then(Value::as_str);
    let mut records = Vec::with_capacity(reviews.len() * 3 / 2);
    for (i, raw) in reviews.iter().enumerate() {
        let review = review_record(raw, i, target, req_url, &json)?;
        let reply = company_reply(raw, &review, company);
        records.push(review);
        records.extend(reply);
    }
    Ok(ParsedPage {
        records,
        reviews: reviews.len(),
        pagination,
        languages,
        redirect: None,
    })
}

/// A parse error about the JSON's shape, with the start of the JSON as excerpt.
fn shape(req_url: &str, message: &str, json: &str) -> Error {
    Error::parse("trustpilot", req_url, message, json, 0)
}

/// Byte offset of serde_json's error position (1-based line and column).
fn offset(text: &str, e: &serde_json::Error) -> usize {
    let mut at = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n + 1 == e.line() {
            return (at + e.column().saturating_sub(1)).min(text.len());
        }
        at += line.len();
    }
    0
}

/// `filters.pagination`: every field a non-negative integer.
fn pagination(p: &Value, req_url: &str, json: &str) -> Result<Pagination, Error> {
    let field = |name: &str| -> Result<u64, Error> {
        p.get(name).and_then(as_count).ok_or_else(|| {
            shape(
                req_url,
                &format!("props.pageProps.filters.pagination.{name} is not a count"),
                json,
            )
        })
    };
    Ok(Pagination {
        current_page: field("currentPage")?,
        total_pages: field("totalPages")?,
        total_count: field("totalCount")?,
    })
}

/// A JSON count: a non-negative integer, or a string of one.
fn as_count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Language codes with reviews, `all` left out.
fn languages(list: &Value) -> Vec<String> {
    let Some(list) = list.as_array() else {
        return Vec::new();
    };
    list.iter()
        .filter(|l| l.get("reviewCount").and_then(as_count).unwrap_or(0) > 0)
        .filter_map(|l| l.get("isoCode").and_then(Value::as_str))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| c != "all" && super::url::is_language(c))
        .collect()
}

/// An RFC 3339 timestamp (Trustpilot's `2024-01-12T10:00:00.000Z`).
fn instant(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let s = v?.as_str()?;
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A string field, `None` when absent, null or not a string.
fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The review record of `props.pageProps.reviews[i]`.
fn review_record(
    raw: &Value,
    i: usize,
    target: &Target,
    req_url: &str,
    json: &str,
) -> Result<Comment, Error> {
    let path = |field: &str, what: &str| {
        shape(
            req_url,
            &format!("props.pageProps.reviews[{i}].{field}: {what}"),
            json,
        )
    };
    if !raw.is_object() {
        return Err(shape(
            req_url,
            &format!("props.pageProps.reviews[{i}] is not an object"),
            json,
        ));
    }
    let id = text(raw, "id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| path("id", "expected a non-empty string"))?;
    let rating = raw
        .get("rating")
        .and_then(Value::as_f64)
        .filter(|r| (1.0..=5.0).contains(r))
        .ok_or_else(|| path("rating", "expected a number 1-5"))?;
    let mut c = Comment::new(
        "trustpilot",
        Kind::Review,
        id,
        target.id.clone(),
        target.url.clone(),
    );
    c.rating = Some(rating);
    c.title = text(raw, "title").map(str::to_string);
    c.text = text(raw, "text").unwrap_or_default().to_string();
    c.language = text(raw, "language")
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    c.likes = raw.get("likes").and_then(as_count);
    c.url = Some(format!("https://www.trustpilot.com/reviews/{id}"));
    let dates = raw.get("dates");
    c.created_at = instant(dates.and_then(|d| d.get("publishedDate")));
    c.created_at_precision = c.created_at.map(|_| Precision::Second);
    let updated = dates.and_then(|d| d.get("updatedDate"));
    c.edited = updated.map(|u| !u.is_null());
    let consumer = raw.get("consumer");
    if let Some(consumer) = consumer {
        c.author = text(consumer, "displayName").map(str::to_string);
        c.author_id = text(consumer, "id").map(str::to_string);
        c.author_url = c
            .author_id
            .as_deref()
            .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map(|id| format!("https://www.trustpilot.com/users/{id}"));
    }
    let has_reply = raw.get("reply").is_some_and(|r| {
        r.get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.trim().is_empty())
    });
    c.reply_count = Some(u64::from(has_reply));
    c.extra = review_extra(raw, dates, updated, consumer);
    Ok(c)
}

/// `extra` of a review: only what Trustpilot sent.
fn review_extra(
    raw: &Value,
    dates: Option<&Value>,
    updated: Option<&Value>,
    consumer: Option<&Value>,
) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("rating_scale".into(), RATING_SCALE.into());
    let mut put = |key: &str, value: Option<&Value>| {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            extra.insert(key.to_string(), v.clone());
        }
    };
    put(
        "experienced_date",
        dates.and_then(|d| d.get("experiencedDate")),
    );
    put("updated_date", updated);
    put("verification", raw.pointer("/labels/verification"));
    put("location", raw.get("location"));
    put("source", raw.get("source"));
    if let Some(consumer) = consumer {
        put("consumer_country", consumer.get("countryCode"));
        put("consumer_reviews", consumer.get("numberOfReviews"));
        put("consumer_verified", consumer.get("isVerified"));
    }
    extra
}

/// The company's reply to a review, as a reply record (id `<review id>-reply`);
/// `None` when there is none (absent, null or blank).
fn company_reply(raw: &Value, parent: &Comment, company: Option<&str>) -> Option<Comment> {
    let reply = raw.get("reply")?;
    let message = text(reply, "message").filter(|m| !m.trim().is_empty())?;
    let mut c = Comment::new(
        "trustpilot",
        Kind::Reply,
        format!("{}-reply", parent.id),
        parent.source_id.clone(),
        parent.source_url.clone(),
    );
    c.reply_to(parent);
    c.text = message.to_string();
    c.author = company.map(str::to_string);
    c.created_at = instant(reply.get("publishedDate"));
    c.created_at_precision = c.created_at.map(|_| Precision::Second);
    let updated = reply.get("updatedDate");
    c.edited = updated.map(|u| !u.is_null());
    if let Some(u) = updated.filter(|u| !u.is_null()) {
        c.extra.insert("updated_date".into(), u.clone());
    }
    c.extra.insert("company_reply".into(), Value::Bool(true));
    c.url = parent.url.clone();
    c.fetched_at = parent.fetched_at;
    Some(c)
}
