//! What the workbook's Summary and Sentiment Legend sheets show, accumulated
//! row by row in bounded memory.
//!
//! Each row contributes a few keys (platform, sentiment, language, author,
//! day). They travel beside the row in the XLSX spool (see `xlsx_frame`), so
//! a resumed run rebuilds the same summary from the committed rows.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::topk::TopK;
use crate::Comment;

/// Distinct values kept per category; the rest are counted as "(other)".
const MAX_DISTINCT: usize = 1_000;
/// Authors tracked by the top-authors counter (see [`TopK`]): exact while the
/// export has at most this many distinct authors.
pub(crate) const AUTHOR_SLOTS: usize = 10_000;
/// Distinct days kept before the timeline falls back to months only.
const MAX_DAYS: usize = 4_000;
/// Longest string kept in a key (bytes, cut on a character boundary).
const MAX_KEY: usize = 255;
const NO_DAY: i32 = i32::MIN;

/// The name under which values past [`MAX_DISTINCT`] are counted.
pub(crate) const OTHER: &str = "(other)";

/// Counts per value of one category, bounded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counter(BTreeMap<String, u64>);

impl Counter {
    fn add(&mut self, key: &str) {
        if let Some(n) = self.0.get_mut(key) {
            *n += 1;
        } else if self.0.len() < MAX_DISTINCT {
            self.0.insert(key.to_string(), 1);
        } else {
            *self.0.entry(OTHER.to_string()).or_default() += 1;
        }
    }

    /// Values with their counts, most first.
    pub(crate) fn ranked(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.0.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }

    pub(crate) fn get(&self, key: &str) -> u64 {
        self.0.get(key).copied().unwrap_or(0)
    }
}

/// Everything the Summary and Legend sheets are made from.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    pub(crate) rows: u64,
    pub(crate) platforms: Counter,
    pub(crate) sentiments: Counter,
    pub(crate) methods: Counter,
    pub(crate) languages: Counter,
    /// Sum of scores per sentiment class (for the mean in the legend).
    pub(crate) score_sums: BTreeMap<String, f64>,
    pub(crate) authors: TopK,
    days: BTreeMap<i32, u64>,
    days_overflow: bool,
    months: BTreeMap<i32, u64>,
    pub(crate) undated: u64,
    /// Rows with a sentiment.
    pub(crate) with_sentiment: u64,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary {
            rows: 0,
            platforms: Counter::default(),
            sentiments: Counter::default(),
            methods: Counter::default(),
            languages: Counter::default(),
            score_sums: BTreeMap::new(),
            authors: TopK::new(AUTHOR_SLOTS),
            days: BTreeMap::new(),
            days_overflow: false,
            months: BTreeMap::new(),
            undated: 0,
            with_sentiment: 0,
        }
    }
}

/// One period of the timeline: its first day and its count.
pub(crate) type Period = (NaiveDate, u64);

/// How long a timeline period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Granularity {
    Day,
    Month,
    Year,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn date_of(day: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::days(i64::from(day)))
}

fn month_key(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

fn month_start(key: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(key.div_euclid(12), key.rem_euclid(12) as u32 + 1, 1)
}

/// Appends `s` cut to [`MAX_KEY`] bytes, length first.
fn put_str(out: &mut Vec<u8>, s: &str) {
    let mut end = s.len().min(MAX_KEY);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push(end as u8);
    out.extend_from_slice(&s.as_bytes()[..end]);
}

fn take_str<'a>(buf: &mut &'a [u8]) -> Option<&'a str> {
    let (&n, rest) = buf.split_first()?;
    let (s, rest) = rest.split_at_checked(n as usize)?;
    *buf = rest;
    std::str::from_utf8(s).ok()
}

fn take_array<const N: usize>(buf: &mut &[u8]) -> Option<[u8; N]> {
    let (s, rest) = buf.split_at_checked(N)?;
    *buf = rest;
    s.try_into().ok()
}

/// Appends the summary keys of `c` (what [`Summary::add_keys`] reads back).
pub(crate) fn put_keys(out: &mut Vec<u8>, c: &Comment) {
    put_str(out, &c.platform);
    match &c.sentiment {
        Some(s) => {
            put_str(out, &s.label);
            put_str(out, &s.method);
            out.extend_from_slice(&s.score.to_le_bytes());
        }
        None => {
            put_str(out, "");
            put_str(out, "");
            out.extend_from_slice(&f64::NAN.to_le_bytes());
        }
    }
    put_str(out, c.language.as_deref().unwrap_or(""));
    // Authors are told apart by id when the platform gives one.
    put_str(
        out,
        c.author_id.as_deref().or(c.author.as_deref()).unwrap_or(""),
    );
    put_str(
        out,
        c.author.as_deref().or(c.author_id.as_deref()).unwrap_or(""),
    );
    let day = c.created_at.map_or(NO_DAY, |t| {
        i32::try_from(t.timestamp().div_euclid(86_400)).unwrap_or(NO_DAY)
    });
    out.extend_from_slice(&day.to_le_bytes());
}

impl Summary {
    /// Adds every row whose keys `buf` holds; `None` when `buf` is not a
    /// sequence of whole key records (a damaged spool).
    pub(crate) fn add_keys(&mut self, mut buf: &[u8]) -> Option<u64> {
        let mut n = 0;
        let mut key = String::new();
        while !buf.is_empty() {
            let platform = take_str(&mut buf)?;
            let label = take_str(&mut buf)?;
            let method = take_str(&mut buf)?;
            let score = f64::from_le_bytes(take_array(&mut buf)?);
            let language = take_str(&mut buf)?;
            let author_key = take_str(&mut buf)?;
            let author = take_str(&mut buf)?;
            let day = i32::from_le_bytes(take_array(&mut buf)?);
            self.rows += 1;
            n += 1;
            self.platforms.add(platform);
            if !label.is_empty() {
                self.with_sentiment += 1;
                self.sentiments.add(label);
                self.methods.add(method);
                if score.is_finite() && self.score_sums.len() < MAX_DISTINCT {
                    *self.score_sums.entry(label.to_string()).or_default() += score;
                }
            }
            if !language.is_empty() {
                self.languages.add(language);
            }
            if !author_key.is_empty() {
                key.clear();
                key.push_str(platform);
                key.push('\u{1f}');
                key.push_str(author_key);
                self.authors.add(&key, author);
            }
            self.add_day(day);
        }
        Some(n)
    }

    fn add_day(&mut self, day: i32) {
        let Some(date) = (day != NO_DAY).then(|| date_of(day)).flatten() else {
            self.undated += 1;
            return;
        };
        *self.months.entry(month_key(date)).or_default() += 1;
        if self.days_overflow {
            return;
        }
        if let Some(n) = self.days.get_mut(&day) {
            *n += 1;
        } else if self.days.len() < MAX_DAYS {
            self.days.insert(day, 1);
        } else {
            self.days_overflow = true;
            self.days.clear();
        }
    }

    /// The timeline with empty periods filled in: days when the dates span
    /// at most two years, months up to a century, years beyond.
    pub(crate) fn timeline(&self) -> (Granularity, Vec<Period>) {
        if !self.days_overflow {
            if let (Some((&a, _)), Some((&b, _))) =
                (self.days.first_key_value(), self.days.last_key_value())
            {
                if b - a <= 731 {
                    let v = (a..=b)
                        .filter_map(|d| {
                            Some((date_of(d)?, self.days.get(&d).copied().unwrap_or(0)))
                        })
                        .collect();
                    return (Granularity::Day, v);
                }
            }
        }
        let (Some((&a, _)), Some((&b, _))) =
            (self.months.first_key_value(), self.months.last_key_value())
        else {
            return (Granularity::Month, Vec::new());
        };
        if b - a <= 1_200 {
            let v = (a..=b)
                .filter_map(|m| Some((month_start(m)?, self.months.get(&m).copied().unwrap_or(0))))
                .collect();
            return (Granularity::Month, v);
        }
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        for (m, n) in &self.months {
            *years.entry(m.div_euclid(12)).or_default() += n;
        }
        let v = years
            .into_iter()
            .filter_map(|(y, n)| Some((NaiveDate::from_ymd_opt(y, 1, 1)?, n)))
            .collect();
        (Granularity::Year, v)
    }

    /// Mean score of a sentiment class, when it has rows.
    pub(crate) fn mean_score(&self, label: &str) -> Option<f64> {
        let n = self.sentiments.get(label);
        let sum = self.score_sums.get(label)?;
        (n > 0).then(|| sum / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rec(platform: &str, author: &str, label: Option<&str>, day: i64) -> Comment {
        let mut c = Comment::new(platform, crate::Kind::Comment, "1", "s", "u");
        c.author = Some(author.into());
        c.created_at = Some(chrono::Utc.timestamp_opt(day * 86_400 + 5, 0).unwrap());
        c.sentiment = label.map(|l| crate::Sentiment {
            label: l.to_string().into(),
            score: 0.5,
            method: "m".into(),
        });
        c
    }

    #[test]
    fn keys_round_trip_into_counts() {
        let mut buf = Vec::new();
        put_keys(&mut buf, &rec("steam", "ann", Some("positive"), 19_000));
        put_keys(&mut buf, &rec("steam", "ann", None, 19_002));
        put_keys(&mut buf, &rec("reddit", "bob", Some("negative"), 19_002));
        let mut s = Summary::default();
        assert_eq!(s.add_keys(&buf), Some(3));
        assert_eq!(s.platforms.ranked(), [("steam", 2), ("reddit", 1)]);
        assert_eq!(s.sentiments.get("positive"), 1);
        assert_eq!(s.with_sentiment, 2);
        assert_eq!(s.mean_score("positive"), Some(0.5));
        let top = s.authors.top(1);
        assert_eq!((top[0].name.as_str(), top[0].count), ("ann", 2));
        let (g, t) = s.timeline();
        assert_eq!(g, Granularity::Day);
        assert_eq!(t.iter().map(|p| p.1).collect::<Vec<_>>(), [1, 0, 2]);
        assert_eq!(s.add_keys(&buf[..buf.len() - 1]), None);
    }

    #[test]
    fn long_spans_become_months_then_years() {
        let mut buf = Vec::new();
        put_keys(&mut buf, &rec("x", "a", None, 0));
        put_keys(&mut buf, &rec("x", "a", None, 1_000));
        let mut s = Summary::default();
        s.add_keys(&buf);
        let (g, t) = s.timeline();
        assert_eq!(g, Granularity::Month);
        assert_eq!(
            t.first().unwrap().0,
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
        );
        assert_eq!(t.iter().map(|p| p.1).sum::<u64>(), 2);
        put_keys(&mut buf, &rec("x", "a", None, 200 * 366));
        let mut s = Summary::default();
        s.add_keys(&buf);
        assert_eq!(s.timeline().0, Granularity::Year);
    }
}
