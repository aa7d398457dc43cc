//! OpenAI Chat Completions: `POST /v1/chat/completions` with a Bearer key
//! and `response_format: {"type":"json_object"}`; the answer is
//! `choices[0].message.content`.

use serde_json::{json, Value};

use super::llm::INSTRUCTIONS;
use super::transport::{post, Header};
use super::{ProviderConfig, ProviderError, ProviderKind};
use crate::HttpClient;

/// The real endpoint (rewritten by the base URL override).
pub(super) const URL: &str = "https://api.openai.com/v1/chat/completions";

/// Sends one batch; returns the model's text.
pub(super) async fn ask(
    client: &HttpClient,
    cfg: &ProviderConfig,
    user: &str,
) -> Result<String, ProviderError> {
    let body = json!({
        "model": cfg.model,
        "temperature": 0,
        "response_format": { "type": "json_object" },
        "messages": [
            { "role": "system", "content": INSTRUCTIONS },
            { "role": "user", "content": user },
        ],
    });
    let auth = Header::new("authorization", &format!("Bearer {}", cfg.api_key()), true)?;
    let bytes = post(client, ProviderKind::OpenAi, URL, &body, &[auth]).await?;
    content(&bytes).map_err(|reason| ProviderError::Malformed {
        provider: "openai",
        reason,
    })
}

/// `choices[0].message.content`; a refusal is an error.
fn content(body: &[u8]) -> Result<String, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let message = &v["choices"][0]["message"];
    if let Some(r) = message["refusal"].as_str() {
        return Err(format!(
            "refused: {}",
            r.chars().take(120).collect::<String>()
        ));
    }
    message["content"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "no choices[0].message.content".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_read_from_a_chat_completion() {
        let body = br#"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,
            "message":{"role":"assistant","content":"{\"results\":[]}","refusal":null},
            "finish_reason":"stop"}]}"#;
        assert_eq!(content(body).unwrap(), r#"{"results":[]}"#);
        let refused =
            br#"{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't"}}]}"#;
        assert!(content(refused).unwrap_err().contains("refused"));
        assert!(content(b"{}").is_err());
        assert!(content(b"<html>").is_err());
    }
}
