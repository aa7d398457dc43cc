//! Retry policy, backoff and `Retry-After`.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How transient failures (network errors, 5xx, 429) are retried.
///
/// ```
/// let r = engine::RetryPolicy { max_retries: 2, ..Default::default() };
/// assert_eq!(r.max_retries, 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// First backoff; doubled after each failure, with ±25 % jitter.
    pub base_delay: Duration,
    /// Longest backoff between two attempts.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the request fails as rate limited.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

pub(crate) fn backoff(retry: &RetryPolicy, attempt: u32) -> Duration {
    let exp = retry.base_delay.saturating_mul(1u32 << attempt.min(16));
    let capped = exp.min(retry.max_delay);
    let jitter = 0.75 + fastrand::f64() * 0.5;
    capped.mul_f64(jitter)
}

/// `Retry-After` as seconds or an HTTP date.
///
/// ```
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert("retry-after", "7".parse().unwrap());
/// assert_eq!(engine::http::retry_after(&h), Some(std::time::Duration::from_secs(7)));
/// ```
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(delta.max(0) as u64))
}
