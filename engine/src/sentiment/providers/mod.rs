//! Optional sentiment providers: OpenAI Chat Completions, Anthropic Messages
//! and Google Cloud Natural Language, with the offline analyzer as fallback.
//!
//! A [`ProviderEnricher`] sends the records of a page that have no sentiment
//! yet to the configured provider and fills `sentiment` with its answer
//! (`method` names it: `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`,
//! `google-nl`); whatever the provider could not classify (budget spent,
//! malformed answers after the retries, rate limited past the retry policy,
//! a rejected key) is scored by the offline [`SentimentAnalyzer`](crate::SentimentAnalyzer)
//! (`lexicon-en` / `lexicon-emoji`), so every record is treated either way.
//!
//! - LLMs get up to [`ProviderConfig::batch_size`] comments per request and
//!   must answer `{"results":[{"i":0,"label":"positive","score":0.7},…]}`;
//!   every item is validated (known index, label, score in −1…1 agreeing with
//!   the label) and the items missing from an answer are asked again, up to
//!   [`ProviderConfig::max_attempts`] requests per batch.
//! - Google scores one document per request (`documentSentiment.score`);
//!   labels use ±0.25, the band Google's documentation calls neutral/mixed.
//! - Requests go through [`HttpClient`](crate::HttpClient): 429 with
//!   `Retry-After`, 5xx and network errors are retried by its policy; at most
//!   [`ProviderConfig::concurrency`] requests are in flight per page.
//! - [`ProviderConfig::max_comments`] caps the comments sent in a whole run
//!   (shared by every job using the same enricher).
//! - The API key is a secret: sent only in the header (or, for Google, the
//!   `key` query parameter) the API names, scrubbed from every error and
//!   never logged; `Debug` prints `***`.
//!
//! # Sync enrich stage, async HTTP
//! [`Enricher::enrich`](crate::Enricher::enrich) is synchronous and runs
//! inside the async job tasks. On a multi-thread Tokio runtime (the runner's)
//! the provider calls run with `block_in_place` + `Handle::block_on`: the
//! worker hands its other tasks to the rest of the pool while this page
//! waits, which needs no change to the pipeline. Outside a runtime, or on a
//! current-thread runtime (where blocking would deadlock), the calls run on
//! a private current-thread runtime (on a scoped thread in the latter case)
//! with an HTTP client built for that call.
//!
//! ```
//! use engine::sentiment::providers::{ProviderConfig, ProviderEnricher, ProviderKind};
//! let cfg = ProviderConfig::new(ProviderKind::OpenAi, "sk-example-key")
//!     .max_comments(Some(500));
//! assert!(!format!("{cfg:?}").contains("sk-example-key"));
//! let p = ProviderEnricher::new(cfg).unwrap();
//! assert_eq!(p.method(), "openai:gpt-4o-mini");
//! ```

mod anthropic;
mod bridge;
mod config;
mod enricher;
mod error;
mod google;
mod llm;
mod openai;
mod transport;

pub use config::{ProviderConfig, ProviderKind};
pub use enricher::{ProviderEnricher, ProviderStats};
pub use error::ProviderError;
