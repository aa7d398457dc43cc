//! What can go wrong talking to a provider (never with the key in it).

/// A provider request that gave no usable answer.
///
/// ```
/// let e = engine::sentiment::providers::ProviderError::Unauthorized {
///     provider: "openai", status: 401, detail: "Incorrect API key provided".into(),
/// };
/// assert_eq!(e.to_string(), "openai rejected the API key (HTTP 401): Incorrect API key provided");
/// assert!(e.is_fatal());
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// 401/403: the key is wrong, revoked or lacks the permission.
    #[error("{provider} rejected the API key (HTTP {status}): {detail}")]
    Unauthorized {
        /// `openai`, `anthropic` or `google`.
        provider: &'static str,
        /// 401 or 403.
        status: u16,
        /// The provider's message (scrubbed of the key).
        detail: String,
    },
    /// 404: unknown model or endpoint (wrong `model` or base URL).
    #[error("{provider} has no such model or endpoint (HTTP 404 on {url}): {detail}")]
    NotFound {
        /// The provider.
        provider: &'static str,
        /// The URL, redacted.
        url: String,
        /// The provider's message.
        detail: String,
    },
    /// Another non-2xx status (after the client's retries of 5xx).
    #[error("{provider} answered HTTP {status} on {url}: {detail}")]
    Http {
        /// The provider.
        provider: &'static str,
        /// The status.
        status: u16,
        /// The URL, redacted.
        url: String,
        /// The provider's message.
        detail: String,
    },
    /// Network failure or rate limited beyond the retry policy.
    #[error(transparent)]
    Transport(#[from] crate::Error),
    /// A 2xx answer without the expected shape.
    #[error("{provider} answered without a usable result: {reason}")]
    Malformed {
        /// The provider.
        provider: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl ProviderError {
    /// Whether no later request can succeed either (bad key, unknown model):
    /// the enricher stops calling the provider for the rest of the run.
    ///
    /// ```
    /// let e = engine::sentiment::providers::ProviderError::Malformed { provider: "google", reason: "x".into() };
    /// assert!(!e.is_fatal());
    /// ```
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ProviderError::Unauthorized { .. } | ProviderError::NotFound { .. }
        )
    }
}
