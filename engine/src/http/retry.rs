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

/// `Retry-After` as seconds or an HTTP date; without it, the rate-limit reset
/// headers (`x-rate-limit-reset` as X sends it, `x-ratelimit-reset` as Reddit
/// does), read as seconds to wait when small and as a Unix time otherwise.
///
/// ```
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert("retry-after", "7".parse().unwrap());
/// assert_eq!(engine::http::retry_after(&h), Some(std::time::Duration::from_secs(7)));
/// let mut x = reqwest::header::HeaderMap::new();
/// let reset = chrono::Utc::now().timestamp() + 60;
/// x.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
/// let wait = engine::http::retry_after(&x).unwrap().as_secs();
/// assert!((58..=60).contains(&wait), "{wait}");
/// ```
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let Some(v) = headers.get(RETRY_AFTER) else {
        return reset_header(headers);
    };
    let v = v.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(delta.max(0) as u64))
}

/// `x-rate-limit-reset` / `x-ratelimit-reset`: seconds to wait, or a Unix time.
fn reset_header(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get("x-rate-limit-reset")
        .or_else(|| headers.get("x-ratelimit-reset"))?
        .to_str()
        .ok()?
        .trim();
    let n: f64 = v
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    // Anything before 2001-09-09 (1e9) is a number of seconds, not a date.
    if n < 1e9 {
        return Some(Duration::from_secs_f64(n.min(1e7)));
    }
    let delta = n as i64 - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(delta.max(0) as u64))
}
