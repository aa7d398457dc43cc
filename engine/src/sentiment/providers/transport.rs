//! One POST to a provider, with its status mapped to a [`ProviderError`].

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};

use super::{ProviderError, ProviderKind};
use crate::HttpClient;

/// A header whose value may be a secret (marked sensitive so that reqwest
/// never prints it).
pub(super) struct Header {
    pub name: HeaderName,
    pub value: HeaderValue,
}

impl Header {
    pub fn new(name: &'static str, value: &str, secret: bool) -> Result<Header, ProviderError> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            ProviderError::Transport(crate::Error::Config(format!(
                "the value of header {name} is not a valid header value"
            )))
        })?;
        value.set_sensitive(secret);
        Ok(Header {
            name: HeaderName::from_static(name),
            value,
        })
    }
}

/// POSTs `body` as JSON to `real_url` (rewritten to the base URL override)
/// and returns the 2xx body. 429/5xx are retried by the client's policy.
pub(super) async fn post(
    client: &HttpClient,
    kind: ProviderKind,
    real_url: &str,
    body: &serde_json::Value,
    headers: &[Header],
) -> Result<Bytes, ProviderError> {
    let url = client.resolve(real_url)?;
    let bytes = serde_json::to_vec(body)
        .map_err(|e| crate::Error::Config(format!("cannot encode request: {e}")))?;
    let resp = client
        .execute(|c| {
            let mut r = c
                .post(url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone());
            for h in headers {
                r = r.header(h.name.clone(), h.value.clone());
            }
            r
        })
        .await?;
    let provider = kind.as_str();
    let detail = || client.scrub(&message_of(&resp.body));
    match resp.status {
        200..=299 => Ok(resp.body),
        401 | 403 => Err(ProviderError::Unauthorized {
            provider,
            status: resp.status,
            detail: detail(),
        }),
        404 => Err(ProviderError::NotFound {
            provider,
            url: resp.url.clone(),
            detail: detail(),
        }),
        429 => Err(crate::Error::RateLimited {
            platform: provider.to_string(),
            url: resp.url.clone(),
            retry_after: crate::http::retry_after(&resp.headers),
        }
        .into()),
        status => Err(ProviderError::Http {
            provider,
            status,
            url: resp.url.clone(),
            detail: detail(),
        }),
    }
}

/// The provider's error message: `error.message` (all three APIs use it),
/// else the start of the body.
fn message_of(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let from_json = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string));
    let msg = from_json.unwrap_or_else(|| text.trim().to_string());
    msg.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_is_read_from_each_api_shape() {
        let openai =
            br#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#;
        assert_eq!(message_of(openai), "Incorrect API key provided");
        let anthropic =
            br#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        assert_eq!(message_of(anthropic), "invalid x-api-key");
        assert_eq!(message_of(b"  plain text  "), "plain text");
        assert_eq!(message_of(&[b'x'; 500]).len(), 200);
    }
}
