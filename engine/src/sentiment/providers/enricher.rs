//! The provider as an enrich step: budget, batches, bounded concurrency,
//! retries of malformed answers, and the offline analyzer for the rest.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use futures::stream::{self, StreamExt};

use super::{anthropic, bridge, google, llm, openai};
use super::{ProviderConfig, ProviderError, ProviderKind};
use crate::sentiment::SentimentLabel;
use crate::{
    Comment, Enricher, Error, HttpClient, HttpClientBuilder, Sentiment, SentimentAnalyzer,
};

/// Counters of a run.
///
/// ```
/// let s = engine::sentiment::providers::ProviderStats::default();
/// assert_eq!(s.sent, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProviderStats {
    /// Comments sent to the provider (counted against the budget).
    pub sent: u64,
    /// Comments the provider classified.
    pub classified: u64,
    /// HTTP requests made (retries of malformed answers included).
    pub requests: u64,
}

/// Sentiment from a provider, with the offline analyzer as fallback (see
/// the [module docs](super)).
///
/// ```
/// use engine::sentiment::providers::{ProviderConfig, ProviderEnricher, ProviderKind};
/// use engine::{Comment, Enricher, Kind};
/// // Budget 0: nothing is sent, the offline analyzer scores everything.
/// let p = ProviderEnricher::new(
///     ProviderConfig::new(ProviderKind::Anthropic, "k-123456").max_comments(Some(0)),
/// ).unwrap();
/// let mut v = vec![Comment::new("steam", Kind::Review, "1", "440", "u")];
/// v[0].text = "I love this game".into();
/// p.enrich(&mut v);
/// assert_eq!(v[0].sentiment.as_ref().unwrap().method, "lexicon-en");
/// assert_eq!(p.stats().sent, 0);
/// ```
pub struct ProviderEnricher {
    cfg: ProviderConfig,
    builder: HttpClientBuilder,
    client: HttpClient,
    fallback: SentimentAnalyzer,
    method: String,
    sent: AtomicU64,
    classified: AtomicU64,
    requests: AtomicU64,
    stopped: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl std::fmt::Debug for ProviderEnricher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderEnricher")
            .field("cfg", &self.cfg)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ProviderEnricher {
    /// Builds the provider's HTTP client (no request is made yet).
    ///
    /// ```
    /// use engine::sentiment::providers::{ProviderConfig, ProviderEnricher, ProviderKind};
    /// assert!(ProviderEnricher::new(ProviderConfig::new(ProviderKind::Google, " ")).is_err());
    /// ```
    pub fn new(cfg: ProviderConfig) -> Result<ProviderEnricher, Error> {
        if cfg.api_key().trim().is_empty() {
            return Err(Error::Config(format!(
                "sentiment provider {} needs an API key ({})",
                cfg.kind.as_str(),
                cfg.kind.env_key()
            )));
        }
        let builder = HttpClient::builder(cfg.kind.as_str())
            .base_url(cfg.base_url.clone())
            // Providers meter by tokens and answer 429 with Retry-After;
            // concurrency is bounded per page instead of a fixed rate.
            .requests_per_second(None)
            .retry(cfg.retry)
            .timeout(cfg.timeout)
            .user_agent(concat!("comment-export/", env!("CARGO_PKG_VERSION")))
            .credential(cfg.api_key().to_string())
            .max_body(8 << 20);
        let client = builder.clone().build()?;
        Ok(ProviderEnricher {
            method: cfg.method(),
            cfg,
            builder,
            client,
            fallback: SentimentAnalyzer::new(),
            sent: AtomicU64::new(0),
            classified: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            last_error: Mutex::new(None),
        })
    }

    /// The `method` written on records the provider classified.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Counters so far.
    pub fn stats(&self) -> ProviderStats {
        ProviderStats {
            sent: self.sent.load(Ordering::Relaxed),
            classified: self.classified.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
        }
    }

    /// The last error a provider request ended with (key scrubbed), if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether a fatal error (rejected key, unknown model) stopped the
    /// provider for the rest of the run.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Classifies `texts` with the provider (no budget, no fallback): one
    /// result per text, `None` where it gave no valid answer.
    pub async fn classify(&self, texts: &[String]) -> Vec<Option<Sentiment>> {
        self.classify_with(&self.client, texts).await
    }

    /// Takes up to `want` comments from the run's budget.
    fn reserve(&self, want: u64) -> u64 {
        let Some(max) = self.cfg.max_comments else {
            self.sent.fetch_add(want, Ordering::Relaxed);
            return want;
        };
        let mut got = 0;
        let _ = self
            .sent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                got = want.min(max.saturating_sub(used));
                Some(used + got)
            });
        got
    }

    async fn classify_with(&self, client: &HttpClient, texts: &[String]) -> Vec<Option<Sentiment>> {
        let mut out = vec![None; texts.len()];
        match self.cfg.kind {
            ProviderKind::Google => {
                let mut done = stream::iter(0..texts.len())
                    .map(|i| async move { (i, self.google_one(client, &texts[i]).await) })
                    .buffer_unordered(self.cfg.concurrency);
                while let Some((i, s)) = done.next().await {
                    out[i] = s;
                }
            }
            _ => {
                let size = self.cfg.batch_size.max(1);
                let mut done = stream::iter(0..texts.len().div_ceil(size))
                    .map(|c| {
                        // Indices, not borrowed items: a closure over
                        // borrowed items is not `Send` for every lifetime.
                        let chunk = &texts[c * size..((c + 1) * size).min(texts.len())];
                        async move { (c, self.llm_batch(client, chunk).await) }
                    })
                    .buffer_unordered(self.cfg.concurrency);
                while let Some((c, results)) = done.next().await {
                    for (k, s) in results.into_iter().enumerate() {
                        out[c * size + k] = s;
                    }
                }
            }
        }
        let n = out.iter().filter(|s| s.is_some()).count() as u64;
        self.classified.fetch_add(n, Ordering::Relaxed);
        out
    }

    async fn google_one(&self, client: &HttpClient, text: &str) -> Option<Sentiment> {
        for _ in 0..self.cfg.max_attempts {
            if self.stopped() {
                return None;
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            match google::score(client, &self.cfg, text).await {
                Ok(score) => {
                    let label = if score >= google::THRESHOLD {
                        SentimentLabel::Positive
                    } else if score <= -google::THRESHOLD {
                        SentimentLabel::Negative
                    } else {
                        SentimentLabel::Neutral
                    };
                    return Some(self.sentiment(label, score));
                }
                Err(e @ ProviderError::Malformed { .. }) => self.note(&e),
                // Anything else (e.g. 400 for a language it does not
                // support) will not change on a second try.
                Err(e) => {
                    self.note(&e);
                    return None;
                }
            }
        }
        None
    }

    /// One batch of an LLM provider: asks, keeps the valid items, asks again
    /// for the missing ones (bounded).
    async fn llm_batch(&self, client: &HttpClient, chunk: &[String]) -> Vec<Option<Sentiment>> {
        let mut out: Vec<Option<Sentiment>> = vec![None; chunk.len()];
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        for attempt in 0..self.cfg.max_attempts {
            if self.stopped() {
                break;
            }
            let items: Vec<(usize, &str)> =
                pending.iter().map(|&i| (i, chunk[i].as_str())).collect();
            let user = llm::user_message(&items);
            self.requests.fetch_add(1, Ordering::Relaxed);
            let answer = match self.cfg.kind {
                ProviderKind::OpenAi => openai::ask(client, &self.cfg, &user).await,
                _ => anthropic::ask(client, &self.cfg, &user, items.len()).await,
            };
            let text = match answer {
                Ok(t) => t,
                Err(e @ ProviderError::Malformed { .. }) => {
                    self.note(&e);
                    continue;
                }
                Err(e) => {
                    self.note(&e);
                    break;
                }
            };
            match llm::parse_answer(&text, &pending) {
                Ok(judgements) => {
                    for j in judgements {
                        out[j.i] = Some(self.sentiment(j.label, j.score));
                    }
                }
                Err(reason) => self.note(&ProviderError::Malformed {
                    provider: self.cfg.kind.as_str(),
                    reason,
                }),
            }
            pending.retain(|&i| out[i].is_none());
            if pending.is_empty() {
                break;
            }
            tracing::debug!(
                provider = self.cfg.kind.as_str(),
                attempt,
                missing = pending.len(),
                "incomplete answer; asking again"
            );
        }
        out
    }

    fn sentiment(&self, label: SentimentLabel, score: f64) -> Sentiment {
        Sentiment {
            label: Cow::Borrowed(label.as_str()),
            score: (score * 10_000.0).round() / 10_000.0,
            method: Cow::Owned(self.method.clone()),
        }
    }

    /// Records an error (scrubbed again, to be sure) and stops the provider
    /// on a fatal one; warns once per distinct message.
    fn note(&self, e: &ProviderError) {
        let msg = self.client.scrub(&e.to_string());
        let msg = msg.replace(self.cfg.api_key(), "***");
        if e.is_fatal() && !self.stopped.swap(true, Ordering::Relaxed) {
            tracing::warn!(provider = self.cfg.kind.as_str(), error = %msg, "sentiment provider stopped; the offline analyzer scores the rest");
        }
        let mut last = self.last_error.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_deref() != Some(msg.as_str()) {
            if !e.is_fatal() {
                tracing::warn!(provider = self.cfg.kind.as_str(), error = %msg, "sentiment provider request failed; falling back to the offline analyzer");
            }
            *last = Some(msg);
        }
    }
}

impl Enricher for ProviderEnricher {
    fn name(&self) -> &'static str {
        "sentiment-provider"
    }

    /// Records that already have a sentiment are kept; those with text are
    /// sent while the budget lasts; the rest go to the offline analyzer.
    fn enrich(&self, records: &mut [Comment]) {
        if !self.stopped() {
            let todo: Vec<usize> = records
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.sentiment.is_none()
                        && !(r.text.trim().is_empty()
                            && r.title.as_deref().is_none_or(|t| t.trim().is_empty()))
                })
                .map(|(i, _)| i)
                .collect();
            let n = self.reserve(todo.len() as u64) as usize;
            let todo = &todo[..n];
            if !todo.is_empty() {
                let texts: Vec<String> = todo.iter().map(|&i| text_of(&records[i])).collect();
                let results =
                    if bridge::on_multi_thread_runtime() {
                        bridge::block_on(self.classify_with(&self.client, &texts))
                    } else {
                        // A private runtime per call: a client of its own, so no
                        // pooled connection outlives the runtime that made it.
                        match self.builder.clone().build() {
                            Ok(client) => bridge::block_on(async move {
                                self.classify_with(&client, &texts).await
                            }),
                            Err(e) => {
                                self.note(&ProviderError::Transport(e));
                                None
                            }
                        }
                    };
                for (&i, s) in todo.iter().zip(results.unwrap_or_default()) {
                    records[i].sentiment = s;
                }
            }
        }
        self.fallback.enrich(records);
    }
}

/// Title and text, as the offline analyzer reads them.
fn text_of(c: &Comment) -> String {
    match c.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => format!("{t}\n{}", c.text),
        None => c.text.clone(),
    }
}
