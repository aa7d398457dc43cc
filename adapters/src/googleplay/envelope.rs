//! The batchexecute answer envelope.
//!
//! The body starts with the anti-JSON-hijacking line `)]}'`, then either one
//! JSON array of frames, or (with `rt=c`) chunks: a length line followed by a
//! JSON array, repeated. The frame of our call is
//! `["wrb.fr", "<rpc id>", "<payload as a JSON string>", null, null, null, "generic"]`;
//! a refused call has `null` as payload and its status at index 5
//! (`["wrb.fr","oCPfdb",null,null,null,[5],"generic"]`, a gRPC code: 3 invalid
//! argument, 5 not found, 7 permission denied, 8 resource exhausted…). Other
//! frames (`di`, `af.httprm`, `e`) are bookkeeping.

use engine::Error;
use serde_json::Value;

/// What the envelope holds for one RPC.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The payload, itself JSON text.
    Payload(String),
    /// The call was refused with this status code.
    Status(i64),
    /// No `wrb.fr` frame names the RPC (an unknown RPC, or an `er` answer).
    Missing,
}

/// Reads the envelope of `body` and returns what it holds for `rpc`.
/// A body that is no batchexecute answer is [`Error::Parse`].
///
/// ```
/// use adapters::googleplay::envelope::{rpc_answer, Answer};
/// let body = br#")]}'
///
/// [["wrb.fr","oCPfdb","[[],null]",null,null,null,"generic"],["di",31],["af.httprm",30,"-1",5]]"#;
/// assert_eq!(rpc_answer(body, "oCPfdb", "u").unwrap(), Answer::Payload("[[],null]".into()));
/// let refused = br#")]}'
///
/// 57
/// [["wrb.fr","oCPfdb",null,null,null,[5],"generic"],["di",9]]
/// 25
/// [["e",4,null,null,94]]
/// "#;
/// assert_eq!(rpc_answer(refused, "oCPfdb", "u").unwrap(), Answer::Status(5));
/// assert_eq!(rpc_answer(b"<html>", "oCPfdb", "u").unwrap_err().kind(), "parse");
/// ```
pub fn rpc_answer(body: &[u8], rpc: &str, req_url: &str) -> Result<Answer, Error> {
    let text = String::from_utf8_lossy(body);
    let start = text.len() - text.trim_start().len();
    let Some(rest) = text[start..].strip_prefix(")]}'") else {
        return Err(Error::parse(
            "googleplay",
            req_url,
            "not a batchexecute answer (no `)]}'` line)",
            &text,
            start,
        ));
    };
    let offset = text.len() - rest.len();
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    let mut found = None;
    loop {
        let at = offset + stream.byte_offset();
        let chunk = match stream.next() {
            None => break,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                return Err(Error::parse(
                    "googleplay",
                    req_url,
                    format!("batchexecute envelope: {e}"),
                    &text,
                    at,
                ))
            }
        };
        match chunk {
            // The length lines of the chunked form.
            Value::Number(_) => continue,
            Value::Array(frames) => {
                for frame in frames {
                    if found.is_none() {
                        found = ours(frame, rpc);
                    }
                }
            }
            other => {
                return Err(Error::parse(
                    "googleplay",
                    req_url,
                    format!(
                        "batchexecute envelope: expected a list of frames, got {}",
                        kind(&other)
                    ),
                    &text,
                    at,
                ))
            }
        }
    }
    Ok(found.unwrap_or(Answer::Missing))
}

/// The answer in `frame` when it is the `wrb.fr` frame of `rpc`.
fn ours(frame: Value, rpc: &str) -> Option<Answer> {
    let Value::Array(mut f) = frame else {
        return None;
    };
    if f.first()?.as_str()? != "wrb.fr" || f.get(1)?.as_str()? != rpc {
        return None;
    }
    if let Some(Value::String(payload)) = f.get_mut(2).map(Value::take) {
        return Some(Answer::Payload(payload));
    }
    let code = f
        .get(5)
        .and_then(|s| s.get(0).or(Some(s)))
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    Some(Answer::Status(code))
}

/// A short name of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
