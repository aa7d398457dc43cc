//! The record model: one [`Comment`] per comment, reply, review or post.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a record is on its platform.
///
/// ```
/// use engine::Kind;
/// assert_eq!(serde_json::to_string(&Kind::Review).unwrap(), "\"review\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A top-level comment under a video, post or page.
    Comment,
    /// An answer to another record (`parent_id` names it).
    Reply,
    /// A review of an app, game, product or business.
    Review,
    /// The post itself (a Reddit submission, a tweet), exported above its comments.
    Post,
}

impl Kind {
    /// The lowercase name used in every output format.
    ///
    /// ```
    /// assert_eq!(engine::Kind::Reply.as_str(), "reply");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Comment => "comment",
            Kind::Reply => "reply",
            Kind::Review => "review",
            Kind::Post => "post",
        }
    }
}

/// How exact a resolved timestamp is.
///
/// A platform that shows "3 days ago" gives a timestamp good to a day at best;
/// date filters treat a record as lying anywhere within one unit of this
/// precision around `created_at`, so they never claim more than the platform said.
///
/// ```
/// use engine::Precision;
/// assert!(Precision::Second < Precision::Year);
/// assert_eq!(Precision::Day.seconds(), 86_400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Exact to the second (platform gave a Unix time or full timestamp).
    Second,
    /// Good to a minute ("5 minutes ago").
    Minute,
    /// Good to an hour.
    Hour,
    /// Good to a day (a date, or "3 days ago").
    Day,
    /// Good to a week.
    Week,
    /// Good to a month.
    Month,
    /// Good to a year ("2 years ago").
    Year,
}

impl Precision {
    /// Length of one unit of this precision, in seconds (a month is 31 days
    /// and a year 366 so the window is never too narrow).
    ///
    /// ```
    /// assert_eq!(engine::Precision::Hour.seconds(), 3_600);
    /// ```
    pub fn seconds(self) -> i64 {
        match self {
            Precision::Second => 1,
            Precision::Minute => 60,
            Precision::Hour => 3_600,
            Precision::Day => 86_400,
            Precision::Week => 7 * 86_400,
            Precision::Month => 31 * 86_400,
            Precision::Year => 366 * 86_400,
        }
    }

    /// The lowercase name used in outputs.
    ///
    /// ```
    /// assert_eq!(engine::Precision::Month.as_str(), "month");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Second => "second",
            Precision::Minute => "minute",
            Precision::Hour => "hour",
            Precision::Day => "day",
            Precision::Week => "week",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }
}

/// A sentiment judgement attached by the enrich stage.
///
/// ```
/// let s = engine::Sentiment { label: "positive".into(), score: 0.8, method: "lexicon-en".into() };
/// assert_eq!(s.label, "positive");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// `positive`, `negative` or `neutral` (borrowed: the enrich stage
    /// allocates nothing per record).
    pub label: Cow<'static, str>,
    /// Score in −1…1 (compound valence) as the method defines it.
    pub score: f64,
    /// Which method produced it, e.g. `lexicon-en`.
    pub method: Cow<'static, str>,
}

/// One exported record: a comment, reply, review or post, normalized across platforms.
///
/// Every adapter produces these; every sink writes them. Fields a platform does
/// not provide are `None` (written as `null` / empty cell), never invented.
///
/// ```
/// use engine::{Comment, Kind};
/// let c = Comment::new("steam", Kind::Review, "123", "440", "https://store.steampowered.com/app/440/");
/// assert_eq!(c.depth, 0);
/// assert_eq!(c.root_id, "123");
/// assert!(c.parent_id.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Platform key, e.g. `steam`, `youtube` (see `runner platforms`).
    pub platform: String,
    /// What the record is.
    pub kind: Kind,
    /// The platform's own id for this record (always a string).
    pub id: String,
    /// Id of the thing commented on: video id, post id, app id.
    pub source_id: String,
    /// The URL the export was asked for (canonical form).
    pub source_url: String,
    /// Id of the record this one answers; `None` for top-level records.
    pub parent_id: Option<String>,
    /// Id of the top-level record of this thread (its own id at top level).
    pub root_id: String,
    /// 0 for top level, 1 for a reply to it, and so on.
    pub depth: u32,
    /// Display name of the author, when the platform shows one.
    pub author: Option<String>,
    /// Stable author id (channel id, steamid, username).
    pub author_id: Option<String>,
    /// Link to the author's profile.
    pub author_url: Option<String>,
    /// The text, as the platform gave it (entities decoded, no HTML).
    pub text: String,
    /// Title (reviews that have one).
    pub title: Option<String>,
    /// When it was written, in UTC, as exact as `created_at_precision` says.
    pub created_at: Option<DateTime<Utc>>,
    /// How exact `created_at` is.
    pub created_at_precision: Option<Precision>,
    /// What the platform showed, when it was not a plain timestamp ("3 days ago").
    pub created_at_raw: Option<String>,
    /// Whether it was edited after posting, when the platform tells.
    pub edited: Option<bool>,
    /// Likes, upvotes, "helpful" votes.
    pub likes: Option<u64>,
    /// True when `likes` was abbreviated by the platform ("1.2K") and so is approximate.
    pub likes_approx: bool,
    /// Dislikes or downvotes, when public.
    pub dislikes: Option<u64>,
    /// Number of replies the platform reports (not necessarily all exported).
    pub reply_count: Option<u64>,
    /// Rating on the platform's scale (the scale is described in `extra.rating_scale`).
    pub rating: Option<f64>,
    /// Language code (ISO 639-1 where known), from the platform or the enrich stage.
    pub language: Option<String>,
    /// Sentiment, when the enrich stage computed it.
    pub sentiment: Option<Sentiment>,
    /// Permalink to this record, when the platform has one.
    pub url: Option<String>,
    /// Platform-specific fields, kept as they came (documented per adapter).
    pub extra: Map<String, Value>,
    /// When this record was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Comment {
    /// A top-level record with the identifying fields set and everything else empty.
    ///
    /// ```
    /// let c = engine::Comment::new("steam", engine::Kind::Review, "1", "440", "https://store.steampowered.com/app/440/");
    /// assert_eq!(c.text, "");
    /// ```
    pub fn new(
        platform: &str,
        kind: Kind,
        id: impl Into<String>,
        source_id: impl Into<String>,
        source_url: impl Into<String>,
    ) -> Comment {
        let id = id.into();
        Comment {
            platform: platform.to_string(),
            kind,
            root_id: id.clone(),
            id,
            source_id: source_id.into(),
            source_url: source_url.into(),
            parent_id: None,
            depth: 0,
            author: None,
            author_id: None,
            author_url: None,
            text: String::new(),
            title: None,
            created_at: None,
            created_at_precision: None,
            created_at_raw: None,
            edited: None,
            likes: None,
            likes_approx: false,
            dislikes: None,
            reply_count: None,
            rating: None,
            language: None,
            sentiment: None,
            url: None,
            extra: Map::new(),
            fetched_at: Utc::now(),
        }
    }

    /// Makes this record a reply to `parent` (sets `parent_id`, `root_id`, `depth`).
    ///
    /// ```
    /// use engine::{Comment, Kind};
    /// let top = Comment::new("steam", Kind::Review, "1", "440", "u");
    /// let mut r = Comment::new("steam", Kind::Reply, "1-dev", "440", "u");
    /// r.reply_to(&top);
    /// assert_eq!((r.parent_id.as_deref(), r.root_id.as_str(), r.depth), (Some("1"), "1", 1));
    /// ```
    pub fn reply_to(&mut self, parent: &Comment) {
        self.parent_id = Some(parent.id.clone());
        self.root_id = parent.root_id.clone();
        self.depth = parent.depth + 1;
    }

    /// True for records at depth 0.
    ///
    /// ```
    /// assert!(engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u").is_top_level());
    /// ```
    pub fn is_top_level(&self) -> bool {
        self.depth == 0
    }
}
