//! Bilibili's JSON envelope `{"code":…,"message":…,"data":…}` and what its
//! error codes mean: every API answers HTTP 200 and says what went wrong in `code`.

use engine::Error;
use serde_json::Value;

use super::PLATFORM;

/// What an envelope said.
#[derive(Debug)]
pub enum Outcome {
    /// `code` 0: the `data` object (`Null` when absent).
    Data(Value),
    /// 12002 (or 12061): the comment area is closed; the job ends with no
    /// comments and a note.
    CommentsClosed(String),
    /// Any other code, already mapped to a typed error.
    Failed(Error),
}

/// Parses an envelope. Bodies that are not a JSON object with an integer
/// `code` are [`Error::Parse`].
///
/// ```
/// use adapters::bilibili::envelope::{read, Outcome};
/// let ok = read(br#"{"code":0,"message":"0","data":{"x":1}}"#, "u").unwrap();
/// assert!(matches!(ok, Outcome::Data(d) if d["x"] == 1));
/// let gone = read(r#"{"code":-404,"message":"啥都木有"}"#.as_bytes(), "u").unwrap();
/// assert!(matches!(gone, Outcome::Failed(e) if e.kind() == "not_found"));
/// assert!(read(b"<html>", "u").is_err());
/// ```
pub fn read(body: &[u8], url: &str) -> Result<Outcome, Error> {
    let text = String::from_utf8_lossy(body);
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error::parse(PLATFORM, url, format!("not JSON: {e}"), &text, e.column()))?;
    let code = value.get("code").and_then(Value::as_i64).ok_or_else(|| {
        Error::parse(PLATFORM, url, "no integer `code` in the envelope", &text, 0)
    })?;
    let message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(match code {
        0 => Outcome::Data(value.get("data").cloned().unwrap_or(Value::Null)),
        12002 | 12061 => Outcome::CommentsClosed(message),
        _ => Outcome::Failed(code_error(code, &message, url)),
    })
}

/// Like [`read`] but a closed comment area is an error too (for requests
/// where it cannot occur or cannot be handled, e.g. the video view).
pub fn data(body: &[u8], url: &str) -> Result<Value, Error> {
    match read(body, url)? {
        Outcome::Data(d) => Ok(d),
        Outcome::CommentsClosed(m) => Err(code_error(12002, &m, url)),
        Outcome::Failed(e) => Err(e),
    }
}

/// The typed error of a non-zero `code`.
///
/// ```
/// let e = adapters::bilibili::envelope::code_error(-412, "请求被拦截", "u");
/// assert_eq!(e.kind(), "rate_limited");
/// ```
pub fn code_error(code: i64, message: &str, url: &str) -> Error {
    let detail = format!("code {code}: {message}");
    let url = engine::redact_url(url);
    let platform = PLATFORM.to_string();
    match code {
        // Nothing there: unknown or deleted video, comment or thread.
        -404 | 62002 | 62004 | 12022 | 12006 => Error::NotFound {
            platform,
            url,
            detail,
        },
        // Blocked by risk control / too frequent.
        -412 | -509 | -799 => Error::RateLimited {
            platform,
            url,
            retry_after: None,
        },
        // Login required, access denied, signature/risk check failed, visible
        // to the uploader only, comment area closed where it cannot be handled.
        -101 | -403 | -352 | 62012 | 12002 | 12061 => Error::Forbidden {
            platform,
            url,
            detail,
        },
        _ => Error::Http {
            status: 200,
            url,
            excerpt: detail,
        },
    }
}

/// Maps HTTP 412 (Bilibili's risk-control block, sent as a status as well as
/// a code) to rate limited; other errors pass through.
pub fn map_http_error(e: Error) -> Error {
    match e {
        Error::Http {
            status: 412, url, ..
        } => Error::RateLimited {
            platform: PLATFORM.to_string(),
            url,
            retry_after: None,
        },
        other => other,
    }
}
