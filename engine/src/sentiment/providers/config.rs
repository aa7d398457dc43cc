//! Which provider, which model, which key, and the limits of a run.

use std::time::Duration;

use url::Url;

use crate::{Error, RetryPolicy};

/// A sentiment provider.
///
/// ```
/// use engine::sentiment::providers::ProviderKind;
/// let k: ProviderKind = "anthropic".parse().unwrap();
/// assert_eq!((k.as_str(), k.env_key()), ("anthropic", "ANTHROPIC_API_KEY"));
/// assert!("bard".parse::<ProviderKind>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// OpenAI Chat Completions (`POST /v1/chat/completions`).
    OpenAi,
    /// Anthropic Messages (`POST /v1/messages`).
    Anthropic,
    /// Google Cloud Natural Language (`POST /v1/documents:analyzeSentiment`).
    Google,
}

impl ProviderKind {
    /// The name used on the command line, in configs and in `method`.
    ///
    /// ```
    /// assert_eq!(engine::sentiment::providers::ProviderKind::Google.as_str(), "google");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Google => "google",
        }
    }

    /// The environment variable holding the API key.
    ///
    /// ```
    /// assert_eq!(engine::sentiment::providers::ProviderKind::OpenAi.env_key(), "OPENAI_API_KEY");
    /// ```
    pub fn env_key(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OPENAI_API_KEY",
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
            ProviderKind::Google => "GOOGLE_API_KEY",
        }
    }

    /// The model used when none is configured (Google has a single one).
    ///
    /// ```
    /// assert_eq!(engine::sentiment::providers::ProviderKind::OpenAi.default_model(), "gpt-4o-mini");
    /// ```
    pub fn default_model(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "gpt-4o-mini",
            ProviderKind::Anthropic => "claude-haiku-4-5",
            ProviderKind::Google => "analyzeSentiment",
        }
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<ProviderKind, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(ProviderKind::OpenAi),
            "anthropic" => Ok(ProviderKind::Anthropic),
            "google" => Ok(ProviderKind::Google),
            _ => Err(Error::Config(format!(
                "unknown sentiment provider {s:?} (openai, anthropic, google)"
            ))),
        }
    }
}

/// Everything a [`ProviderEnricher`](super::ProviderEnricher) needs.
///
/// ```
/// use engine::sentiment::providers::{ProviderConfig, ProviderKind};
/// let c = ProviderConfig::new(ProviderKind::Anthropic, "k-123456")
///     .model(Some("claude-sonnet-4-5".into()))
///     .batch_size(10)
///     .concurrency(2);
/// assert_eq!(c.model, "claude-sonnet-4-5");
/// ```
#[derive(Clone)]
pub struct ProviderConfig {
    /// The provider.
    pub kind: ProviderKind,
    /// Model name (LLMs); [`ProviderKind::default_model`] unless set.
    pub model: String,
    /// Replaces scheme, host and port of the provider's API (tests, proxies,
    /// compatible servers); the path `/v1/…` is appended to its path.
    pub base_url: Option<Url>,
    /// Comments per LLM request (1…100, default 25).
    pub batch_size: usize,
    /// Requests in flight per page (default 4).
    pub concurrency: usize,
    /// Comments sent to the provider in the whole run; `None` = no cap.
    pub max_comments: Option<u64>,
    /// Requests per LLM batch when answers are malformed or incomplete (default 3).
    pub max_attempts: u32,
    /// Retries of 429 (honouring `Retry-After`), 5xx and network errors.
    pub retry: RetryPolicy,
    /// Timeout of one request.
    pub timeout: Duration,
    api_key: String,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("kind", &self.kind)
            .field("model", &self.model)
            .field(
                "base_url",
                &self
                    .base_url
                    .as_ref()
                    .map(|u| crate::redact_url(u.as_str())),
            )
            .field("api_key", &"***")
            .field("max_comments", &self.max_comments)
            .finish_non_exhaustive()
    }
}

impl ProviderConfig {
    /// A config with the default model and limits.
    ///
    /// ```
    /// use engine::sentiment::providers::{ProviderConfig, ProviderKind};
    /// let c = ProviderConfig::new(ProviderKind::Google, "AIza-example");
    /// assert_eq!((c.batch_size, c.concurrency, c.max_attempts), (25, 4, 3));
    /// ```
    pub fn new(kind: ProviderKind, api_key: impl Into<String>) -> ProviderConfig {
        ProviderConfig {
            kind,
            model: kind.default_model().to_string(),
            base_url: None,
            batch_size: 25,
            concurrency: 4,
            max_comments: None,
            max_attempts: 3,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(120),
            api_key: api_key.into(),
        }
    }

    /// The key from `api_key` when given, else from the provider's
    /// environment variable; an error naming the variable (never a value)
    /// when neither is set.
    ///
    /// ```
    /// use engine::sentiment::providers::{ProviderConfig, ProviderKind};
    /// let c = ProviderConfig::with_key_or_env(ProviderKind::OpenAi, Some("sk-1234".into())).unwrap();
    /// # let _ = c;
    /// ```
    pub fn with_key_or_env(
        kind: ProviderKind,
        api_key: Option<String>,
    ) -> Result<ProviderConfig, Error> {
        let key = api_key
            .filter(|k| !k.trim().is_empty())
            .or_else(|| std::env::var(kind.env_key()).ok())
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                Error::Config(format!(
                    "sentiment provider {} needs an API key: set {} or api_key in the config's [sentiment] section",
                    kind.as_str(),
                    kind.env_key()
                ))
            })?;
        Ok(ProviderConfig::new(kind, key.trim()))
    }

    /// Sets the model (`None` keeps the current one).
    pub fn model(mut self, model: Option<String>) -> ProviderConfig {
        if let Some(m) = model.filter(|m| !m.trim().is_empty()) {
            self.model = m;
        }
        self
    }

    /// Points the provider's API elsewhere.
    pub fn base_url(mut self, base: Option<Url>) -> ProviderConfig {
        self.base_url = base;
        self
    }

    /// Caps the comments sent in the run.
    pub fn max_comments(mut self, n: Option<u64>) -> ProviderConfig {
        self.max_comments = n;
        self
    }

    /// Comments per LLM request (clamped to 1…100).
    pub fn batch_size(mut self, n: usize) -> ProviderConfig {
        self.batch_size = n.clamp(1, 100);
        self
    }

    /// Requests in flight per page (at least 1).
    pub fn concurrency(mut self, n: usize) -> ProviderConfig {
        self.concurrency = n.max(1);
        self
    }

    /// Requests per LLM batch (at least 1).
    pub fn max_attempts(mut self, n: u32) -> ProviderConfig {
        self.max_attempts = n.max(1);
        self
    }

    /// Retry policy of the HTTP client.
    pub fn retry(mut self, retry: RetryPolicy) -> ProviderConfig {
        self.retry = retry;
        self
    }

    pub(super) fn api_key(&self) -> &str {
        &self.api_key
    }

    /// `method` written on the records this provider classified.
    pub(super) fn method(&self) -> String {
        match self.kind {
            ProviderKind::Google => "google-nl".to_string(),
            k => format!("{}:{}", k.as_str(), self.model),
        }
    }
}
