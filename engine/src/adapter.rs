//! The adapter trait: how a platform claims URLs and fetches pages of records.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Comment, Error, HttpClient, JobOptions};

/// An opaque, serializable position in a platform's listing, from which a
/// fetch can resume (Steam's cursor string, a YouTube continuation token...).
pub type Cursor = serde_json::Value;

/// A stream of pages, as an adapter produces them.
pub type PageStream = BoxStream<'static, Result<Page, Error>>;

/// What an adapter found a URL to point at.
///
/// ```
/// let t = engine::Target::new("steam", "440", "https://store.steampowered.com/app/440/");
/// assert_eq!(t.key(), "steam_440");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Platform key (`steam`).
    pub platform: String,
    /// The platform's id of the thing to export (app id, video id).
    pub id: String,
    /// Canonical URL of that thing.
    pub url: String,
    /// Adapter-specific parameters taken from the URL (e.g. `hl`, `gl`, a comment to focus on).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Target {
    /// A target with no extra parameters.
    ///
    /// ```
    /// let t = engine::Target::new("steam", "10", "https://store.steampowered.com/app/10/");
    /// assert!(t.params.is_empty());
    /// ```
    pub fn new(platform: &str, id: impl Into<String>, url: impl Into<String>) -> Target {
        Target {
            platform: platform.to_string(),
            id: id.into(),
            url: url.into(),
            params: BTreeMap::new(),
        }
    }

    /// `<platform>_<id>` with anything unsafe in a file name replaced by `_`;
    /// the stem of this target's output files.
    ///
    /// ```
    /// let t = engine::Target::new("reddit", "a/b", "u");
    /// assert_eq!(t.key(), "reddit_a_b");
    /// ```
    pub fn key(&self) -> String {
        let id: String = self
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}_{}", self.platform, id)
    }
}

/// One page of records, as the platform returned it, plus where to resume.
///
/// ```
/// let p = engine::Page::new(vec![], None);
/// assert!(p.is_last());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Records of this page, parents before their replies.
    pub records: Vec<Comment>,
    /// Cursor to resume *after* this page; `None` when this was the last page.
    pub next: Option<Cursor>,
    /// Expected total of records (for progress), when the platform says.
    pub total_hint: Option<u64>,
    /// Facts the user should see in the summary (e.g. "feed capped at 10 pages").
    pub notes: Vec<String>,
}

impl Page {
    /// A page with records and the cursor that follows it.
    ///
    /// ```
    /// let p = engine::Page::new(vec![], Some(serde_json::json!("abc")));
    /// assert!(!p.is_last());
    /// ```
    pub fn new(records: Vec<Comment>, next: Option<Cursor>) -> Page {
        Page {
            records,
            next,
            total_hint: None,
            notes: Vec::new(),
        }
    }

    /// True when no page follows.
    ///
    /// ```
    /// assert!(engine::Page::default().is_last());
    /// ```
    pub fn is_last(&self) -> bool {
        self.next.is_none()
    }
}

/// Static facts about a platform, used by the registry, the rate limiter and `runner platforms`.
///
/// ```
/// let p = engine::PlatformInfo { key: "steam", name: "Steam", hosts: &["store.steampowered.com"],
///     requests_per_second: 2.0, concurrency: 4, replies_in_same_page: true };
/// assert_eq!(p.key, "steam");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PlatformInfo {
    /// Short key used in file names, config and `--base-url` (`steam`).
    pub key: &'static str,
    /// Display name (`Steam`).
    pub name: &'static str,
    /// Every host the adapter talks to; `--base-url` replaces all of them.
    pub hosts: &'static [&'static str],
    /// Polite default request rate towards this platform.
    pub requests_per_second: f64,
    /// Default number of jobs of this platform run at once.
    pub concurrency: usize,
    /// True when a record's replies always arrive in the same page as the record,
    /// so a top-level limit can stop fetching as soon as it is reached.
    pub replies_in_same_page: bool,
}

/// What an adapter gets to do its work: an HTTP client bound to its platform
/// (base-URL override, rate limit, retries, proxy) and the job's options.
#[derive(Clone)]
pub struct FetchContext {
    /// HTTP client for this platform.
    pub http: HttpClient,
    /// The job's options (adapters use sort, replies, since/until to fetch less).
    pub options: Arc<JobOptions>,
}

/// A platform adapter. One per platform, in its own folder under `adapters/`.
///
/// Implementations must not panic on any input from the network: every
/// unexpected shape becomes [`Error::Parse`].
pub trait Adapter: Send + Sync + 'static {
    /// Facts about the platform.
    fn info(&self) -> &PlatformInfo;

    /// Claims a URL: `Some(target)` when this adapter exports it.
    fn detect(&self, url: &Url) -> Option<Target>;

    /// Fetches `target` page by page, starting after `resume` when given.
    /// The stream ends after the last page, or at the first error.
    fn fetch(&self, target: Target, ctx: FetchContext, resume: Option<Cursor>) -> PageStream;
}
