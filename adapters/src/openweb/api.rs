//! The export API's three calls and the parsing of their answers: request
//! an export (`POST /v2/export/comments`), its status
//! (`GET /v2/export/comments/status?id=`), and abort
//! (`GET /v2/export/comments/abort`).

use engine::{Error, HttpClient};
use serde_json::{json, Value};

use super::range::{api_time, Window};

/// The export API's host (the HTTP client applies any `--base-url`).
pub const API: &str = "https://api-exporter.openweb.com";

/// `POST` here to request an export.
pub fn export_url() -> String {
    format!("{API}/v2/export/comments")
}

/// `GET` here for the status of export `id`.
///
/// ```
/// assert_eq!(adapters::openweb::api::status_url("a b"),
///            "https://api-exporter.openweb.com/v2/export/comments/status?id=a+b");
/// ```
pub fn status_url(id: &str) -> String {
    format!("{API}/v2/export/comments/status?id={}", encode(id))
}

/// `GET` here to abort export `id`. The documented call names no export
/// (one runs at a time per token); the id is sent as well so that the
/// right one is aborted where several run.
pub fn abort_url(id: &str) -> String {
    format!("{API}/v2/export/comments/abort?id={}", encode(id))
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The JSON body of an export request for `w`.
///
/// ```
/// let w = adapters::openweb::range::windows("2022-07-30T00:00:00Z".parse().unwrap(),
///     "2022-07-30T23:59:00Z".parse().unwrap())[0];
/// assert_eq!(adapters::openweb::api::request_body(&w).to_string(),
///            r#"{"since":"2022-07-30T00:00:00","to":"2022-07-30T23:59:00"}"#);
/// ```
pub fn request_body(w: &Window) -> Value {
    json!({"since": api_time(w.since), "to": api_time(w.to)})
}

/// Where an export stands, from a status answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// `pending`, `in_progress` (or `Processing`): ask again later.
    Waiting(String),
    /// `done`, with the download links (none when the window had no comments).
    Done(Vec<String>),
    /// `failed` or `aborted`: this export will give nothing.
    Ended(String),
}

fn parse_error(url: &str, message: &str, body: &[u8]) -> Error {
    Error::parse("openweb", url, message, &String::from_utf8_lossy(body), 0)
}

fn object(url: &str, body: &[u8]) -> Result<serde_json::Map<String, Value>, Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(parse_error(url, "the answer is not a JSON object", body)),
        Err(e) => Err(parse_error(
            url,
            &format!("the answer is not JSON: {e}"),
            body,
        )),
    }
}

/// The `request_id` of an answer to an export request
/// (`{"status-link": …, "status": "pending", "request_id": …}`); the id may
/// be a string or a number.
///
/// ```
/// use adapters::openweb::api::parse_requested;
/// let body = br#"{"status-link":"https://api.openweb.com/v2/export/comments/status?id=r1","status":"pending","request_id":"r1"}"#;
/// assert_eq!(parse_requested(body, "u").unwrap(), "r1");
/// assert_eq!(parse_requested(br#"{"status":"pending"}"#, "u").unwrap_err().kind(), "parse");
/// ```
pub fn parse_requested(body: &[u8], url: &str) -> Result<String, Error> {
    let o = object(url, body)?;
    let id = match o.get("request_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(parse_error(
                url,
                "no `request_id` (a non-empty string or number) in the export request's answer",
                body,
            ))
        }
    };
    Ok(id)
}

/// A status answer (`{"links": […], "status": "done", "status-link": …}`).
///
/// ```
/// use adapters::openweb::api::{parse_status, Status};
/// assert_eq!(parse_status(br#"{"status":"in_progress"}"#, "u").unwrap(), Status::Waiting("in_progress".into()));
/// assert_eq!(parse_status(br#"{"status":"done","links":["https://x/1.csv.zip"]}"#, "u").unwrap(),
///            Status::Done(vec!["https://x/1.csv.zip".into()]));
/// assert_eq!(parse_status(br#"{"status":"failed"}"#, "u").unwrap(), Status::Ended("failed".into()));
/// assert_eq!(parse_status(br#"{"status":"exploded"}"#, "u").unwrap_err().kind(), "parse");
/// ```
pub fn parse_status(body: &[u8], url: &str) -> Result<Status, Error> {
    let o = object(url, body)?;
    let Some(status) = o.get("status").and_then(Value::as_str) else {
        return Err(parse_error(
            url,
            "no `status` string in the status answer",
            body,
        ));
    };
    let lower = status.trim().to_ascii_lowercase();
    match lower.as_str() {
        "pending" | "in_progress" | "in progress" | "processing" | "queued" => {
            Ok(Status::Waiting(lower))
        }
        "failed" | "aborted" | "error" => Ok(Status::Ended(lower)),
        "done" => {
            let links = match o.get("links") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|l| match l {
                        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                        _ => Err(parse_error(
                            url,
                            "`links` holds something that is not a URL string",
                            body,
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(parse_error(url, "`links` is not a list", body)),
            };
            Ok(Status::Done(links))
        }
        _ => Err(parse_error(
            url,
            &format!("unknown export status {status:?} (expected pending, in_progress, done, failed or aborted)"),
            body,
        )),
    }
}

/// Asks for an export of `w`; returns its request id.
pub async fn request(http: &HttpClient, key: &str, w: &Window) -> Result<String, Error> {
    let url = export_url();
    let r = http
        .post_json(&url, &request_body(w), &[("apikey", key)])
        .await
        .map_err(refused)?;
    parse_requested(&r.body, &r.url)
}

/// The status of export `id`.
pub async fn status(http: &HttpClient, key: &str, id: &str) -> Result<Status, Error> {
    let url = status_url(id);
    let r = http
        .get_with_headers(
            &url,
            &[("apikey", key), ("Content-Type", "application/json")],
        )
        .await
        .map_err(refused)?;
    parse_status(&r.body, &r.url)
}

/// Aborts export `id` (best effort: the answer is not needed).
pub async fn abort(http: &HttpClient, key: &str, id: &str) -> Result<(), Error> {
    http.get_with_headers(
        &abort_url(id),
        &[("apikey", key), ("Content-Type", "application/json")],
    )
    .await
    .map(|_| ())
}

/// A 401/403 from the API means the token: say so (without the token).
fn refused(e: Error) -> Error {
    match e {
        Error::Forbidden {
            platform,
            url,
            detail,
        } => Error::Forbidden {
            platform,
            url,
            detail: format!(
                "the export token was refused ({detail}); check [platforms.openweb] api_key or \
                 RUNNER_API_KEY_OPENWEB, and that the export API is enabled for the spot"
            ),
        },
        other => other,
    }
}
