//! The filter stage: replies on/off, depth, dates (honest about precision) and
//! count limits on several axes. Its state is small and serializable so a
//! resumed job keeps counting where it stopped.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{Comment, JobOptions};

/// Why a record was dropped, counted in the job summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drop {
    /// Replies are off.
    Replies,
    /// Deeper than the depth limit.
    Depth,
    /// Written outside `since`/`until`, or not certainly inside given its date precision.
    Date,
    /// Has no date while a date filter is set.
    Undated,
    /// A count limit was reached.
    Limit,
    /// Its thread's top-level record was dropped.
    Orphan,
    /// Not in one of the languages asked for (`--lang`).
    Language,
}

/// Counters a filter keeps; serialized into checkpoints.
///
/// ```
/// let s = engine::filter::FilterState::default();
/// assert_eq!(s.kept, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterState {
    /// Records kept so far.
    pub kept: u64,
    /// Top-level records kept.
    pub top_level: u64,
    /// Replies kept.
    pub replies: u64,
    /// Records dropped by any rule.
    pub dropped: u64,
    /// Replies kept per thread; only tracked when a per-thread limit is set.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub per_thread: HashMap<String, u64>,
    /// Top-level ids kept; only tracked when a top-level limit is set (so it
    /// is bounded by that limit), to drop the replies of the ones not kept.
    #[serde(default, skip_serializing_if = "HashSet::is_empty")]
    pub kept_roots: HashSet<String>,
}

/// Decides, record by record, what a job keeps.
///
/// ```
/// use engine::{filter::Filter, Comment, JobOptions, Kind};
/// let mut f = Filter::new(&JobOptions::new().limit(1));
/// let c = Comment::new("steam", Kind::Review, "1", "440", "u");
/// assert!(f.check(&c).is_ok());
/// assert!(f.is_full());
/// ```
#[derive(Debug, Clone)]
pub struct Filter {
    options: JobOptions,
    state: FilterState,
}

impl Filter {
    /// A filter for these options, from zero.
    pub fn new(options: &JobOptions) -> Filter {
        Filter::resume(options, FilterState::default())
    }

    /// A filter continuing from a checkpointed state.
    pub fn resume(options: &JobOptions, state: FilterState) -> Filter {
        Filter {
            options: options.clone(),
            state,
        }
    }

    /// The counters, for checkpoints and summaries.
    pub fn state(&self) -> &FilterState {
        &self.state
    }

    /// Keeps (`Ok`) or drops (`Err(reason)`) one record, updating counters.
    pub fn check(&mut self, c: &Comment) -> Result<(), Drop> {
        let verdict = self.verdict(c);
        match verdict {
            Ok(()) => {
                self.state.kept += 1;
                if c.is_top_level() {
                    self.state.top_level += 1;
                    if self.options.limits.top_level.is_some() {
                        self.state.kept_roots.insert(c.id.clone());
                    }
                } else {
                    self.state.replies += 1;
                    if self.options.limits.replies_per_thread.is_some() {
                        *self.state.per_thread.entry(c.root_id.clone()).or_default() += 1;
                    }
                }
            }
            Err(_) => self.state.dropped += 1,
        }
        verdict
    }

    fn verdict(&self, c: &Comment) -> Result<(), Drop> {
        if !language_wanted(&self.options.languages, c.language.as_deref()) {
            return Err(Drop::Language);
        }
        let limits = &self.options.limits;
        let s = &self.state;
        if limits.total.is_some_and(|n| s.kept >= n) {
            return Err(Drop::Limit);
        }
        if !c.is_top_level() {
            if !self.options.replies {
                return Err(Drop::Replies);
            }
            if limits.depth.is_some_and(|d| c.depth > d) {
                return Err(Drop::Depth);
            }
            if limits.top_level.is_some() && !s.kept_roots.contains(&c.root_id) {
                return Err(Drop::Orphan);
            }
            if limits.replies.is_some_and(|n| s.replies >= n) {
                return Err(Drop::Limit);
            }
            if let Some(n) = limits.replies_per_thread {
                if s.per_thread.get(&c.root_id).copied().unwrap_or(0) >= n {
                    return Err(Drop::Limit);
                }
            }
        } else if limits.top_level.is_some_and(|n| s.top_level >= n) {
            return Err(Drop::Limit);
        }
        self.date_verdict(c)
    }

    fn date_verdict(&self, c: &Comment) -> Result<(), Drop> {
        let (since, until) = (self.options.since, self.options.until);
        if since.is_none() && until.is_none() {
            return Ok(());
        }
        let Some(at) = c.created_at else {
            return Err(Drop::Undated);
        };
        let (earliest, latest) = window(at, c.created_at_precision);
        if since.is_some_and(|s| earliest < s) || until.is_some_and(|u| latest > u) {
            return Err(Drop::Date);
        }
        Ok(())
    }

    /// True when no further record can be kept (the total limit is reached),
    /// so fetching can stop.
    pub fn is_full(&self) -> bool {
        let limits = &self.options.limits;
        let s = &self.state;
        if limits.total.is_some_and(|n| s.kept >= n) {
            return true;
        }
        let top_full = limits.top_level.is_some_and(|n| s.top_level >= n);
        let replies_full = !self.options.replies || limits.replies.is_some_and(|n| s.replies >= n);
        top_full && replies_full
    }

    /// True when fetching can stop: nothing more can be kept, or no more
    /// top-level records can and their replies cannot come later (replies are
    /// off, or the platform sends a record's replies in its own page).
    ///
    /// ```
    /// use engine::{filter::Filter, Comment, JobOptions, Kind, Limits};
    /// let mut f = Filter::new(&JobOptions::new().limits(Limits { top_level: Some(1), ..Default::default() }));
    /// f.check(&Comment::new("steam", Kind::Review, "1", "440", "u")).unwrap();
    /// assert!(f.is_done(true));
    /// assert!(!f.is_done(false));
    /// ```
    pub fn is_done(&self, replies_in_same_page: bool) -> bool {
        self.is_full() || (self.top_level_full() && (replies_in_same_page || !self.options.replies))
    }

    /// True when no further top-level record can be kept.
    pub fn top_level_full(&self) -> bool {
        self.options
            .limits
            .top_level
            .is_some_and(|n| self.state.top_level >= n)
    }
}

/// True when a record in `language` passes the `--lang` list: no list, the
/// same code, the code's primary subtag (`en` keeps `en-GB`), or `und` for
/// records whose language is unknown.
///
/// ```
/// let want = vec!["en".to_string(), "und".to_string()];
/// assert!(engine::filter::language_wanted(&want, Some("en-GB")));
/// assert!(engine::filter::language_wanted(&want, None));
/// assert!(!engine::filter::language_wanted(&want, Some("de")));
/// assert!(engine::filter::language_wanted(&[], Some("de")));
/// ```
pub fn language_wanted(wanted: &[String], language: Option<&str>) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let Some(lang) = language else {
        return wanted.iter().any(|w| w == "und");
    };
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    wanted
        .iter()
        .any(|w| w.eq_ignore_ascii_case(lang) || w.eq_ignore_ascii_case(primary))
}

/// The interval a record's true creation time lies in, given its precision:
/// one unit either side of the resolved instant (unknown precision counts as a second).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.timestamp_opt(1_000_000, 0).unwrap();
/// let (a, b) = engine::filter::window(t, Some(engine::Precision::Minute));
/// assert_eq!((b - a).num_seconds(), 120);
/// ```
pub fn window(
    at: DateTime<Utc>,
    precision: Option<crate::Precision>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let unit = precision.map_or(0, |p| {
        if p == crate::Precision::Second {
            0
        } else {
            p.seconds()
        }
    });
    let d = Duration::seconds(unit);
    (at - d, at + d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Limits, Precision};
    use chrono::TimeZone;

    fn rec(id: &str, parent: Option<&Comment>) -> Comment {
        let mut c = Comment::new(
            "t",
            if parent.is_some() {
                Kind::Reply
            } else {
                Kind::Comment
            },
            id,
            "s",
            "u",
        );
        if let Some(p) = parent {
            c.reply_to(p);
        }
        c
    }

    #[test]
    fn limits_on_every_axis() {
        let opts = JobOptions::new().limits(Limits {
            top_level: Some(2),
            replies_per_thread: Some(1),
            depth: Some(1),
            ..Default::default()
        });
        let mut f = Filter::new(&opts);
        let a = rec("a", None);
        let a1 = rec("a1", Some(&a));
        let a2 = rec("a2", Some(&a));
        let a11 = rec("a11", Some(&a1));
        let b = rec("b", None);
        let c = rec("c", None);
        let c1 = rec("c1", Some(&c));
        assert_eq!(f.check(&a), Ok(()));
        assert_eq!(f.check(&a1), Ok(()));
        assert_eq!(f.check(&a2), Err(Drop::Limit));
        assert_eq!(f.check(&a11), Err(Drop::Depth));
        assert_eq!(f.check(&b), Ok(()));
        assert_eq!(f.check(&c), Err(Drop::Limit));
        assert_eq!(f.check(&c1), Err(Drop::Orphan));
        assert_eq!(f.state().kept, 3);
        assert!(f.top_level_full());
    }

    #[test]
    fn languages_filter_before_limits_count() {
        let mut f = Filter::new(&JobOptions::new().languages(["de"]).limit(1));
        let mut en = rec("a", None);
        en.language = Some("en".into());
        let mut unknown = rec("b", None);
        unknown.language = None;
        let mut de = rec("c", None);
        de.language = Some("de-AT".into());
        assert_eq!(f.check(&en), Err(Drop::Language));
        assert_eq!(f.check(&unknown), Err(Drop::Language));
        assert_eq!(f.state().kept, 0, "dropped records use no limit");
        assert_eq!(f.check(&de), Ok(()));
        assert!(f.is_full());
    }

    #[test]
    fn replies_off() {
        let mut f = Filter::new(&JobOptions::new().replies(false));
        let a = rec("a", None);
        assert_eq!(f.check(&rec("r", Some(&a))), Err(Drop::Replies));
    }

    #[test]
    fn coarse_dates_are_not_claimed_inside_a_narrow_window() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let opts = JobOptions::new().since(now - Duration::days(7)).until(now);
        let mut f = Filter::new(&opts);
        let mut exact = rec("exact", None);
        exact.created_at = Some(now - Duration::days(3));
        exact.created_at_precision = Some(Precision::Second);
        let mut days = rec("days", None);
        days.created_at = Some(now - Duration::days(3));
        days.created_at_precision = Some(Precision::Day);
        let mut years = rec("years", None);
        years.created_at = Some(now - Duration::days(3));
        years.created_at_precision = Some(Precision::Year);
        let undated = rec("undated", None);
        assert_eq!(f.check(&exact), Ok(()));
        assert_eq!(f.check(&days), Ok(()));
        assert_eq!(f.check(&years), Err(Drop::Date));
        assert_eq!(f.check(&undated), Err(Drop::Undated));
    }
}
