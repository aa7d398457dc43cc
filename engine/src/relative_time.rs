//! Relative times as platforms show them ("3 days ago", "1 year ago (edited)",
//! "Streamed 2 weeks ago") → a timestamp, how exact it is, and the edit mark.

use chrono::{DateTime, Duration, Utc};

use crate::Precision;

/// A relative time resolved against the moment it was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeTime {
    /// `fetched_at` minus the amount shown.
    pub at: DateTime<Utc>,
    /// The unit shown: "3 days ago" is good to a day.
    pub precision: Precision,
    /// The text carried "(edited)".
    pub edited: bool,
}

fn unit(word: &str) -> Option<(Precision, i64)> {
    let w = word.trim_end_matches('s');
    Some(match w {
        "second" | "sec" => (Precision::Second, 1),
        "minute" | "min" => (Precision::Minute, 60),
        "hour" | "hr" => (Precision::Hour, 3_600),
        "day" => (Precision::Day, 86_400),
        "week" | "wk" => (Precision::Week, 7 * 86_400),
        "month" | "mo" => (Precision::Month, 30 * 86_400),
        "year" | "yr" => (Precision::Year, 365 * 86_400),
        _ => return None,
    })
}

/// Parses an English relative time. Prefixes such as "Streamed", "Premiered"
/// and a trailing "(edited)" are understood; anything else gives `None`
/// (the caller keeps the raw text and leaves the date empty).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use engine::relative_time::parse_relative;
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
/// let t = parse_relative("1 year ago (edited)", now).unwrap();
/// assert_eq!(t.precision, engine::Precision::Year);
/// assert!(t.edited);
/// assert_eq!(parse_relative("Streamed 2 weeks ago", now).unwrap().at, now - chrono::Duration::days(14));
/// assert_eq!(parse_relative("just now", now).unwrap().at, now);
/// assert!(parse_relative("next Tuesday", now).is_none());
/// ```
pub fn parse_relative(text: &str, fetched_at: DateTime<Utc>) -> Option<RelativeTime> {
    let lower = text.trim().to_lowercase();
    let (body, edited) = match lower.strip_suffix("(edited)") {
        Some(rest) => (rest.trim_end().to_string(), true),
        None => (lower.clone(), false),
    };
    if body == "just now" || body == "now" || body == "moments ago" {
        return Some(RelativeTime {
            at: fetched_at,
            precision: Precision::Second,
            edited,
        });
    }
    let words: Vec<&str> = body.split_whitespace().collect();
    let ago = words.iter().position(|w| *w == "ago")?;
    if ago < 2 {
        return None;
    }
    let n: i64 = match words[ago - 2] {
        "a" | "an" | "one" => 1,
        w => w.replace(',', "").parse().ok()?,
    };
    let (precision, secs) = unit(words[ago - 1])?;
    let at = fetched_at.checked_sub_signed(Duration::seconds(n.checked_mul(secs)?))?;
    Some(RelativeTime {
        at,
        precision,
        edited,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn forms() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let cases = [
            ("3 days ago", Precision::Day, 3 * 86_400, false),
            ("21 hours ago", Precision::Hour, 21 * 3_600, false),
            ("5 minutes ago", Precision::Minute, 300, false),
            ("1 month ago", Precision::Month, 30 * 86_400, false),
            (
                "2 years ago (edited)",
                Precision::Year,
                2 * 365 * 86_400,
                true,
            ),
            (
                "Premiered 10 months ago",
                Precision::Month,
                300 * 86_400,
                false,
            ),
            ("an hour ago", Precision::Hour, 3_600, false),
            ("30 seconds ago", Precision::Second, 30, false),
        ];
        for (text, p, secs, edited) in cases {
            let r = parse_relative(text, now).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (r.precision, now - r.at, r.edited),
                (p, Duration::seconds(secs), edited),
                "{text}"
            );
        }
        for bad in [
            "",
            "ago",
            "x days ago",
            "99999999999999999 years ago",
            "3 fortnights ago",
        ] {
            assert!(parse_relative(bad, now).is_none(), "{bad}");
        }
    }
}
