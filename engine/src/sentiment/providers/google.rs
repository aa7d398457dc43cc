//! Google Cloud Natural Language: `POST /v1/documents:analyzeSentiment?key=…`
//! with one plain-text document; the answer is `documentSentiment.score`
//! in −1…1.

use serde_json::{json, Value};

use super::llm::MAX_CHARS;
use super::transport::post;
use super::{ProviderConfig, ProviderError, ProviderKind};
use crate::HttpClient;

/// The real endpoint without its key (rewritten by the base URL override).
pub(super) const URL: &str = "https://language.googleapis.com/v1/documents:analyzeSentiment";

/// Scores above this are positive, below its negative negative: Google's
/// documentation calls the band around 0 neutral or mixed.
pub(super) const THRESHOLD: f64 = 0.25;

/// Scores one text.
pub(super) async fn score(
    client: &HttpClient,
    cfg: &ProviderConfig,
    text: &str,
) -> Result<f64, ProviderError> {
    let content: String = text.chars().take(MAX_CHARS).collect();
    let body = json!({
        "document": { "type": "PLAIN_TEXT", "content": content },
        "encodingType": "UTF8",
    });
    let key: String = url::form_urlencoded::byte_serialize(cfg.api_key().as_bytes()).collect();
    let url = format!("{URL}?key={key}");
    let bytes = post(client, ProviderKind::Google, &url, &body, &[]).await?;
    document_score(&bytes).map_err(|reason| ProviderError::Malformed {
        provider: "google",
        reason,
    })
}

/// `documentSentiment.score`, which must be a number in −1…1.
fn document_score(body: &[u8]) -> Result<f64, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let doc = v["documentSentiment"]
        .as_object()
        .ok_or_else(|| "no documentSentiment".to_string())?;
    // proto3 JSON leaves out fields at their default: no score means 0.
    let score = match doc.get("score") {
        None => 0.0,
        Some(s) => s
            .as_f64()
            .ok_or_else(|| "score is not a number".to_string())?,
    };
    if !(-1.0..=1.0).contains(&score) {
        return Err(format!("score {score} outside -1..1"));
    }
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_read_and_checked() {
        let body = br#"{"documentSentiment":{"magnitude":0.8,"score":0.8},"language":"en",
            "sentences":[{"text":{"content":"Great.","beginOffset":0},"sentiment":{"magnitude":0.8,"score":0.8}}]}"#;
        assert_eq!(document_score(body).unwrap(), 0.8);
        assert!(document_score(br#"{"documentSentiment":{"score":3}}"#).is_err());
        assert!(document_score(br#"{"language":"en"}"#).is_err());
        assert_eq!(document_score(br#"{"documentSentiment":{}}"#).unwrap(), 0.0);
    }
}
