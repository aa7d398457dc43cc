//! Per-token limits: requests per minute (in memory, per server process),
//! concurrent and queued exports (from the store, so shared by all processes).

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::ApiError;

/// Limits applied to every token; configurable, defaults as the hosted Business tier
/// except a deeper queue (a self-hosted server is usually fed whole URL lists).
///
/// ```
/// let l = service::LimitSettings::default();
/// assert_eq!(l.rate_per_minute, 200);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitSettings {
    /// API requests per minute per token.
    pub rate_per_minute: u32,
    /// Exports of one user running at once (more wait in the queue).
    pub concurrent_exports: u32,
    /// Exports of one user waiting in the queue; creating more answers 429.
    pub queued_exports: u32,
    /// Webhooks per user.
    pub webhooks: u32,
    /// Largest `options.limit` accepted (records per export).
    pub max_comments_per_export: u64,
}

impl Default for LimitSettings {
    fn default() -> LimitSettings {
        LimitSettings {
            rate_per_minute: 200,
            concurrent_exports: 5,
            queued_exports: 1000,
            webhooks: 10,
            max_comments_per_export: 10_000_000,
        }
    }
}

/// The in-memory part of the limits.
pub struct Limiter {
    settings: LimitSettings,
    per_minute: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    /// A limiter for these settings.
    pub fn new(settings: LimitSettings) -> Limiter {
        let n = NonZeroU32::new(settings.rate_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Limiter {
            per_minute: RateLimiter::keyed(Quota::per_minute(n)),
            settings,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// Counts one request of `token`; 429 `RATE_LIMIT_EXCEEDED` when over the minute's quota.
    pub fn check_minute(&self, token: &str) -> Result<(), ApiError> {
        match self.per_minute.check_key(&token.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(ApiError::too_many(
                    "RATE_LIMIT_EXCEEDED",
                    secs.max(1),
                    format!("Rate limit exceeded. Please wait {} seconds.", secs.max(1)),
                ))
            }
        }
    }
}
