//! What a job asks for: limits, dates, replies, sort.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Order in which the platform is asked to list records.
///
/// ```
/// assert_eq!("newest".parse::<engine::Sort>().unwrap(), engine::Sort::Newest);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Newest first (the default: it is the order in which exports stay complete).
    #[default]
    Newest,
    /// The platform's "top" / "most helpful" order.
    Top,
    /// Recently updated first, where the platform has it.
    Updated,
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Sort, String> {
        match s.to_ascii_lowercase().as_str() {
            "newest" | "new" | "recent" => Ok(Sort::Newest),
            "top" | "helpful" | "relevant" | "best" => Ok(Sort::Top),
            "updated" => Ok(Sort::Updated),
            other => Err(format!("unknown sort {other:?} (newest, top, updated)")),
        }
    }
}

/// Limits on several axes; `None` means unlimited.
///
/// ```
/// let l = engine::Limits { total: Some(100), ..Default::default() };
/// assert!(l.is_limited());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// At most this many records in all.
    pub total: Option<u64>,
    /// At most this many top-level records (replies of dropped ones are dropped too).
    pub top_level: Option<u64>,
    /// At most this many replies in all.
    pub replies: Option<u64>,
    /// At most this many replies under any one top-level record.
    pub replies_per_thread: Option<u64>,
    /// Deepest reply level kept (0 = top level only).
    pub depth: Option<u32>,
}

impl Limits {
    /// True when any limit is set.
    ///
    /// ```
    /// assert!(!engine::Limits::default().is_limited());
    /// ```
    pub fn is_limited(&self) -> bool {
        self.total.is_some()
            || self.top_level.is_some()
            || self.replies.is_some()
            || self.replies_per_thread.is_some()
            || self.depth.is_some()
    }
}

/// Options of one export job, built builder-style.
///
/// ```
/// use engine::{JobOptions, Sort};
/// let o = JobOptions::new().limit(500).replies(false).sort(Sort::Top);
/// assert_eq!(o.limits.total, Some(500));
/// assert!(!o.replies);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobOptions {
    /// Limits on counts and depth.
    pub limits: Limits,
    /// Export replies (developer responses, reply threads) as well as top-level records.
    pub replies: bool,
    /// Keep only records certainly written at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Keep only records certainly written at or before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Listing order asked of the platform.
    pub sort: Sort,
    /// Language filter passed to platforms that take one (e.g. Steam's `language`), `None` = all.
    pub language: Option<String>,
    /// Keep only records in these languages (`--lang en,de`): ISO 639 codes as
    /// the platform gives them or whatlang detects them (`en` also keeps
    /// `en-GB`); `und` keeps records whose language is unknown (too short or
    /// emoji only). Empty = all. Records without a language are detected first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Requests one job may have in flight at once, for adapters that fetch
    /// independent parts concurrently (reply threads, child items). At least 1.
    #[serde(default = "default_parallel_requests")]
    pub parallel_requests: usize,
    /// Platform parameters (`--param KEY=VALUE`): options only some adapters read,
    /// such as App Store storefronts (`country`) or a star filter (`stars`). Each
    /// adapter documents the keys it reads; others ignore them. Never secrets.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

fn default_parallel_requests() -> usize {
    // Independent requests of one job (reply threads, child items); the
    // per-platform rate limit still caps what reaches a real platform.
    16
}

impl Default for JobOptions {
    fn default() -> JobOptions {
        JobOptions {
            limits: Limits::default(),
            replies: true,
            since: None,
            until: None,
            sort: Sort::Newest,
            language: None,
            languages: Vec::new(),
            parallel_requests: default_parallel_requests(),
            params: BTreeMap::new(),
        }
    }
}

impl JobOptions {
    /// Defaults: everything, replies included, newest first.
    ///
    /// ```
    /// assert!(engine::JobOptions::new().replies);
    /// ```
    pub fn new() -> JobOptions {
        JobOptions::default()
    }

    /// Sets the total limit.
    ///
    /// ```
    /// assert_eq!(engine::JobOptions::new().limit(3).limits.total, Some(3));
    /// ```
    pub fn limit(mut self, n: u64) -> JobOptions {
        self.limits.total = Some(n);
        self
    }

    /// Replaces all limits.
    ///
    /// ```
    /// let l = engine::Limits { depth: Some(0), ..Default::default() };
    /// assert_eq!(engine::JobOptions::new().limits(l).limits.depth, Some(0));
    /// ```
    pub fn limits(mut self, limits: Limits) -> JobOptions {
        self.limits = limits;
        self
    }

    /// Turns replies on or off.
    ///
    /// ```
    /// assert!(!engine::JobOptions::new().replies(false).replies);
    /// ```
    pub fn replies(mut self, on: bool) -> JobOptions {
        self.replies = on;
        self
    }

    /// Keeps only records written at or after `t`.
    ///
    /// ```
    /// let t = chrono::Utc::now();
    /// assert_eq!(engine::JobOptions::new().since(t).since, Some(t));
    /// ```
    pub fn since(mut self, t: DateTime<Utc>) -> JobOptions {
        self.since = Some(t);
        self
    }

    /// Keeps only records written at or before `t`.
    ///
    /// ```
    /// let t = chrono::Utc::now();
    /// assert_eq!(engine::JobOptions::new().until(t).until, Some(t));
    /// ```
    pub fn until(mut self, t: DateTime<Utc>) -> JobOptions {
        self.until = Some(t);
        self
    }

    /// Sets how many requests one job may have in flight (at least 1).
    ///
    /// ```
    /// assert_eq!(engine::JobOptions::new().parallel_requests(0).parallel_requests, 1);
    /// ```
    pub fn parallel_requests(mut self, n: usize) -> JobOptions {
        self.parallel_requests = n.max(1);
        self
    }

    /// Sets a platform parameter (see [`JobOptions::params`]).
    ///
    /// ```
    /// let o = engine::JobOptions::new().with_param("country", "jp,us");
    /// assert_eq!(o.param("country"), Some("jp,us"));
    /// ```
    pub fn with_param(mut self, key: impl Into<String>, value: impl Into<String>) -> JobOptions {
        self.params.insert(key.into(), value.into());
        self
    }

    /// A platform parameter, trimmed; `None` when unset or blank.
    ///
    /// ```
    /// assert_eq!(engine::JobOptions::new().param("stars"), None);
    /// ```
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Keeps only records in these languages (see [`JobOptions::languages`]);
    /// codes are lowercased.
    ///
    /// ```
    /// let o = engine::JobOptions::new().languages(["EN", "de"]);
    /// assert_eq!(o.languages, ["en", "de"]);
    /// ```
    pub fn languages<I, S>(mut self, codes: I) -> JobOptions
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.languages = codes
            .into_iter()
            .map(|c| c.as_ref().trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        self
    }

    /// Sets the listing order.
    ///
    /// ```
    /// assert_eq!(engine::JobOptions::new().sort(engine::Sort::Top).sort, engine::Sort::Top);
    /// ```
    pub fn sort(mut self, sort: Sort) -> JobOptions {
        self.sort = sort;
        self
    }
}
