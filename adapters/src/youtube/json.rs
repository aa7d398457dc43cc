//! Small helpers to walk InnerTube JSON by path, and to name the path that
//! failed in a parse error.

use engine::Error;
use serde_json::Value;

/// Follows `path` (object keys; numeric segments index arrays) from `v`.
pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = match cur {
            Value::Object(map) => map.get(*seg)?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The string at `path`, if it is one.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path)?.as_str()
}

/// The text of an InnerTube text object: `{"simpleText": …}`, `{"runs": [{"text": …}…]}`
/// or `{"content": …}`, or a plain string.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => {
            if let Some(s) = map.get("simpleText").and_then(Value::as_str) {
                return Some(s.to_string());
            }
            if let Some(s) = map.get("content").and_then(Value::as_str) {
                return Some(s.to_string());
            }
            let runs = map.get("runs")?.as_array()?;
            Some(
                runs.iter()
                    .filter_map(|r| r.get("text").and_then(Value::as_str))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A parse error naming the JSON path that failed.
pub(crate) fn shape_error(url: &str, path: &str, what: &str, input: &str) -> Error {
    Error::parse(
        "youtube",
        url,
        format!("unexpected response shape at {path}: {what}"),
        input,
        0,
    )
}

/// The continuation token of a `continuationItemRenderer` (either its
/// `continuationEndpoint` or its "Show more replies" `button`).
pub(crate) fn continuation_token(item: &Value) -> Option<&str> {
    let r = item.get("continuationItemRenderer")?;
    str_at(r, &["continuationEndpoint", "continuationCommand", "token"])
        .or_else(|| {
            str_at(
                r,
                &[
                    "button",
                    "buttonRenderer",
                    "command",
                    "continuationCommand",
                    "token",
                ],
            )
        })
        .or_else(|| {
            // Newer pages wrap the continuation in a command executor list.
            at(
                r,
                &["continuationEndpoint", "commandExecutorCommand", "commands"],
            )?
            .as_array()?
            .iter()
            .find_map(|c| str_at(c, &["continuationCommand", "token"]))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_text() {
        let v = json!({"a": [{"b": "x"}], "t": {"runs": [{"text": "a"}, {"text": "b"}]}});
        assert_eq!(str_at(&v, &["a", "0", "b"]), Some("x"));
        assert_eq!(at(&v, &["a", "1"]), None);
        assert_eq!(at(&v, &["a", "x"]), None);
        assert_eq!(text(&v["t"]).as_deref(), Some("ab"));
        assert_eq!(text(&json!({"simpleText": "s"})).as_deref(), Some("s"));
        assert_eq!(text(&json!(3)), None);
    }
}
