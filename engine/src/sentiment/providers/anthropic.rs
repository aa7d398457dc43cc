//! Anthropic Messages: `POST /v1/messages` with `x-api-key` and
//! `anthropic-version: 2023-06-01`; the answer is the concatenated `text`
//! blocks of `content`.

use serde_json::{json, Value};

use super::llm::INSTRUCTIONS;
use super::transport::{post, Header};
use super::{ProviderConfig, ProviderError, ProviderKind};
use crate::HttpClient;

/// The real endpoint (rewritten by the base URL override).
pub(super) const URL: &str = "https://api.anthropic.com/v1/messages";
/// The API version this format is written against.
pub(super) const VERSION: &str = "2023-06-01";

/// Sends one batch of `n` comments; returns the model's text.
pub(super) async fn ask(
    client: &HttpClient,
    cfg: &ProviderConfig,
    user: &str,
    n: usize,
) -> Result<String, ProviderError> {
    // ~20 tokens per result item plus slack; a cut answer is incomplete JSON
    // and is asked again.
    let max_tokens = (40 * n + 256).min(8_192);
    let body = json!({
        "model": cfg.model,
        "max_tokens": max_tokens,
        "temperature": 0,
        "system": INSTRUCTIONS,
        "messages": [ { "role": "user", "content": user } ],
    });
    let headers = [
        Header::new("x-api-key", cfg.api_key(), true)?,
        Header::new("anthropic-version", VERSION, false)?,
    ];
    let bytes = post(client, ProviderKind::Anthropic, URL, &body, &headers).await?;
    text(&bytes).map_err(|reason| ProviderError::Malformed {
        provider: "anthropic",
        reason,
    })
}

/// The `text` blocks of `content`, joined.
fn text(body: &[u8]) -> Result<String, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let blocks = v["content"]
        .as_array()
        .ok_or_else(|| "no content array".to_string())?;
    let out: String = blocks
        .iter()
        .filter(|b| b["type"] == "text")
        .filter_map(|b| b["text"].as_str())
        .collect();
    if out.is_empty() {
        return Err("no text block".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_from_a_message() {
        let body =
            br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5",
            "content":[{"type":"text","text":"{\"results\":"},{"type":"text","text":"[]}"}],
            "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5}}"#;
        assert_eq!(text(body).unwrap(), r#"{"results":[]}"#);
        assert!(text(br#"{"content":[]}"#).is_err());
        assert!(text(br#"{"type":"error"}"#).is_err());
    }
}
