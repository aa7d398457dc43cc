//! Usage counters per user, day and platform.

use serde::Serialize;

use super::db::vals;
use super::Store;
use crate::ServiceError;

/// One day of one platform's usage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UsageDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Platform key (`api` for requests not tied to a platform).
    pub platform: String,
    /// API requests.
    pub requests: i64,
    /// Export jobs created.
    pub exports: i64,
    /// Records exported.
    pub records: i64,
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

impl Store {
    /// Adds to today's counters of `user_id` for `platform`.
    pub fn add_usage(
        &self,
        user_id: i64,
        platform: &str,
        requests: i64,
        exports: i64,
        records: i64,
    ) -> Result<(), ServiceError> {
        self.with(|c| {
            c.exec(
                "INSERT INTO usage(user_id, day, platform, requests, exports, records)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(user_id, day, platform) DO UPDATE SET
                    requests = usage.requests + excluded.requests,
                    exports = usage.exports + excluded.exports,
                    records = usage.records + excluded.records",
                vals![user_id, today(), platform, requests, exports, records],
            )?;
            Ok(())
        })
    }

    /// A user's usage for the last `days` days, newest first.
    pub fn usage(&self, user_id: i64, days: i64) -> Result<Vec<UsageDay>, ServiceError> {
        let since = (chrono::Utc::now() - chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string();
        self.with(|c| {
            c.rows(
                "SELECT day, platform, requests, exports, records FROM usage
                 WHERE user_id = ?1 AND day > ?2 ORDER BY day DESC, platform",
                vals![user_id, since],
            )?
            .iter()
            .map(|r| {
                Ok(UsageDay {
                    day: r.text("day")?,
                    platform: r.text("platform")?,
                    requests: r.i64("requests")?,
                    exports: r.i64("exports")?,
                    records: r.i64("records")?,
                })
            })
            .collect()
        })
    }
}
