//! The export's date range and its windows of at most 24 hours, in the
//! `YYYY-MM-DDTHH:MM:SS` form (UTC) the export API takes.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// Longest window one export request may cover (the API refuses more).
pub const MAX_WINDOW_HOURS: i64 = 24;

/// One export request's `[since, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start (`since`).
    pub since: DateTime<Utc>,
    /// End (`to`).
    pub to: DateTime<Utc>,
}

impl Window {
    /// `2024-05-01T00:00:00..2024-05-02T00:00:00`, for notes and errors.
    ///
    /// ```
    /// let w = adapters::openweb::range::windows(
    ///     "2024-05-01T00:00:00Z".parse().unwrap(), "2024-05-01T06:00:00Z".parse().unwrap())[0];
    /// assert_eq!(w.label(), "2024-05-01T00:00:00..2024-05-01T06:00:00");
    /// ```
    pub fn label(&self) -> String {
        format!("{}..{}", api_time(self.since), api_time(self.to))
    }
}

/// `[since, until]` cut into consecutive windows of at most 24 hours (the
/// last one shorter); empty when `until` is not after `since`.
///
/// ```
/// use adapters::openweb::range::windows;
/// let w = windows("2024-05-01T00:00:00Z".parse().unwrap(), "2024-05-03T12:00:00Z".parse().unwrap());
/// assert_eq!(w.len(), 3);
/// assert_eq!(w[1].since, w[0].to);
/// assert_eq!(w[2].to.to_rfc3339(), "2024-05-03T12:00:00+00:00");
/// ```
pub fn windows(since: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Window> {
    let step = Duration::hours(MAX_WINDOW_HOURS);
    let mut out = Vec::new();
    let mut start = since;
    while start < until {
        let to = (start + step).min(until);
        out.push(Window { since: start, to });
        start = to;
    }
    out
}

/// The `i`-th window of `[since, until]` without building the others (a
/// long range has thousands of windows; a resumed job starts at one).
///
/// ```
/// use adapters::openweb::range::{window, windows};
/// let (s, u) = ("2024-05-01T00:00:00Z".parse().unwrap(), "2024-05-03T12:00:00Z".parse().unwrap());
/// assert_eq!(window(s, u, 2), windows(s, u).get(2).copied());
/// assert_eq!(window(s, u, 3), None);
/// ```
pub fn window(since: DateTime<Utc>, until: DateTime<Utc>, i: u64) -> Option<Window> {
    let hours = i64::try_from(i).ok()?.checked_mul(MAX_WINDOW_HOURS)?;
    let start = since.checked_add_signed(Duration::try_hours(hours)?)?;
    if start >= until {
        return None;
    }
    let to = start
        .checked_add_signed(Duration::hours(MAX_WINDOW_HOURS))
        .map_or(until, |t| t.min(until));
    Some(Window { since: start, to })
}

/// How many windows `[since, until]` has.
///
/// ```
/// let (s, u) = ("2024-05-01T00:00:00Z".parse().unwrap(), "2024-05-03T00:00:00Z".parse().unwrap());
/// assert_eq!(adapters::openweb::range::window_count(s, u), 2);
/// ```
pub fn window_count(since: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let secs = (until - since).num_seconds();
    if secs <= 0 {
        return 0;
    }
    let per = MAX_WINDOW_HOURS * 3600;
    ((secs + per - 1) / per) as u64
}

/// The API's time form: `YYYY-MM-DDTHH:MM:SS`, UTC, no zone.
///
/// ```
/// let t = "2022-07-30T23:59:00Z".parse().unwrap();
/// assert_eq!(adapters::openweb::range::api_time(t), "2022-07-30T23:59:00");
/// ```
pub fn api_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A range bound as a user writes it: `2024-05-01` (midnight UTC; as an
/// end, `end_of_day` moves it to the next midnight so the day is included),
/// `2024-05-01T12:00:00` (UTC) or RFC 3339 with any offset.
///
/// ```
/// use adapters::openweb::range::parse_bound;
/// assert_eq!(parse_bound("2024-05-01", true).unwrap().to_rfc3339(), "2024-05-02T00:00:00+00:00");
/// assert_eq!(parse_bound("2024-05-01T10:00:00+02:00", false).unwrap().to_rfc3339(), "2024-05-01T08:00:00+00:00");
/// assert!(parse_bound("yesterday", false).is_none());
/// ```
pub fn parse_bound(s: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}
