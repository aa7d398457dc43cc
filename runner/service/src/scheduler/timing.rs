//! When a schedule runs: frequencies, preferred times in a time zone, cron
//! expressions, anchors (see the module above for the rules).

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;

/// How often a schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every hour, at `preferredTime`'s minute.
    Hourly,
    /// Every day.
    Daily,
    /// Every week, on the anchor's weekday.
    Weekly,
    /// Every month, on the anchor's day (the last day in shorter months).
    Monthly,
    /// A cron expression.
    Custom,
}

impl FromStr for Frequency {
    type Err = String;
    fn from_str(s: &str) -> Result<Frequency, String> {
        Ok(match s {
            "hourly" => Frequency::Hourly,
            "daily" => Frequency::Daily,
            "weekly" => Frequency::Weekly,
            "monthly" => Frequency::Monthly,
            "custom" => Frequency::Custom,
            _ => {
                return Err(format!(
                    "frequency must be hourly, daily, weekly, monthly or custom, not {s:?}"
                ))
            }
        })
    }
}

/// A schedule's timing, validated.
///
/// ```
/// use chrono::TimeZone;
/// let t = service::scheduler::Timing::parse("daily", None, Some("09:00"), "America/New_York").unwrap();
/// let now = chrono::Utc.with_ymd_and_hms(2026, 2, 23, 12, 0, 0).unwrap();
/// let next = t.next_after(t.anchor_at(now), now).unwrap();
/// assert_eq!(t.show(next), "2026-02-24T09:00:00-05:00");
/// assert!(service::scheduler::Timing::parse("daily", None, Some("25:00"), "UTC").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Timing {
    /// Frequency.
    pub frequency: Frequency,
    /// Parsed cron expression (`custom`).
    cron: Option<cron::Schedule>,
    /// Preferred local time.
    pub preferred: Option<NaiveTime>,
    /// Time zone.
    pub tz: Tz,
}

/// Parses `HH:MM` or `HH:MM:SS`.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map_err(|_| format!("preferredTime must be HH:MM (00:00 to 23:59), not {s:?}"))
}

/// Parses a cron expression (5 fields as in crontab, or 6/7 with seconds).
///
/// ```
/// assert!(service::scheduler::parse_cron("0 9 * * 1-5").is_ok());
/// assert!(service::scheduler::parse_cron("*/2 * * * * *").is_ok());
/// assert!(service::scheduler::parse_cron("every day").is_err());
/// ```
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let text = match fields.len() {
        5 => format!(
            "0 {} {} {} {} {}",
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            crontab_weekdays(fields[4])?
        ),
        6 | 7 => fields.join(" "),
        _ => {
            return Err(format!(
                "customCron must have 5 fields (minute hour day month weekday) or 6-7 with seconds, not {}",
                fields.len()
            ))
        }
    };
    cron::Schedule::from_str(&text).map_err(|e| format!("customCron: {e}"))
}

/// crontab's weekdays (0-7, 0 and 7 = Sunday) in the `cron` crate's (1-7, 1 = Sunday).
fn crontab_weekdays(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok(field.to_string());
    }
    let bad = || format!("customCron: bad day-of-week field {field:?}");
    let mut days = BTreeSet::new();
    let mut named = Vec::new();
    for part in field.split(',') {
        if part.chars().any(|c| c.is_ascii_alphabetic()) {
            named.push(part.to_string());
            continue;
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                Some(s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(bad)?),
            ),
            None => (part, None),
        };
        let num = |s: &str| s.parse::<u32>().ok().filter(|d| *d <= 7).ok_or_else(bad);
        let (lo, hi) = match range.split_once('-') {
            _ if range == "*" => (0, 6),
            Some((a, b)) => (num(a)?, num(b)?),
            None if step.is_some() => (num(range)?, 6),
            None => (num(range)?, num(range)?),
        };
        if lo > hi {
            return Err(bad());
        }
        for d in (lo..=hi).step_by(step.unwrap_or(1) as usize) {
            days.insert(d % 7 + 1);
        }
    }
    named.extend(days.iter().map(u32::to_string));
    Ok(named.join(","))
}

fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    // A local time inside a DST gap runs at the first valid hour after it.
    for _ in 0..4 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.with_timezone(&Utc),
            LocalResult::Ambiguous(a, _) => return a.with_timezone(&Utc),
            LocalResult::None => t += chrono::Duration::hours(1),
        }
    }
    Utc.from_utc_datetime(&local)
}

impl Timing {
    /// Validates the documented fields (`customCron` only with `custom`).
    pub fn parse(
        frequency: &str,
        custom_cron: Option<&str>,
        preferred_time: Option<&str>,
        timezone: &str,
    ) -> Result<Timing, String> {
        let frequency: Frequency = frequency.parse()?;
        let tz: Tz = timezone.parse().map_err(|_| {
            format!("timezone must be an IANA zone such as Europe/Paris, not {timezone:?}")
        })?;
        let preferred = preferred_time.map(parse_time).transpose()?;
        let cron = match (frequency, custom_cron) {
            (Frequency::Custom, Some(c)) => Some(parse_cron(c)?),
            (Frequency::Custom, None) => {
                return Err("customCron is required when frequency is custom".into())
            }
            (_, Some(_)) => return Err("customCron is only used with frequency custom".into()),
            (_, None) => None,
        };
        Ok(Timing {
            frequency,
            cron,
            preferred,
            tz,
        })
    }

    /// The anchor for slots counted from `now` (its local date-time, to the minute).
    pub fn anchor_at(&self, now: DateTime<Utc>) -> NaiveDateTime {
        let l = now.with_timezone(&self.tz).naive_local();
        l.with_second(0)
            .and_then(|l| l.with_nanosecond(0))
            .unwrap_or(l)
    }

    fn slot(&self, anchor: NaiveDateTime, k: u32) -> Option<DateTime<Utc>> {
        let at = self.preferred.unwrap_or(anchor.time());
        let local = match self.frequency {
            Frequency::Hourly => {
                let hour = anchor.date().and_hms_opt(anchor.hour(), at.minute(), 0)?;
                hour + chrono::Duration::hours(k as i64)
            }
            Frequency::Daily => (anchor.date() + chrono::Duration::days(k as i64)).and_time(at),
            Frequency::Weekly => {
                (anchor.date() + chrono::Duration::days(7 * k as i64)).and_time(at)
            }
            Frequency::Monthly => anchor
                .date()
                .checked_add_months(Months::new(k))?
                .and_time(at),
            Frequency::Custom => return None,
        };
        Some(resolve(self.tz, local))
    }

    /// The first slot strictly after `now` (`None` when a cron expression has no more).
    pub fn next_after(&self, anchor: NaiveDateTime, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if let Some(c) = &self.cron {
            return c
                .after(&now.with_timezone(&self.tz))
                .next()
                .map(|t| t.with_timezone(&Utc));
        }
        let local_now = now.with_timezone(&self.tz).naive_local();
        let elapsed = local_now - anchor;
        // Start a little before the estimate, then step to the first slot after now.
        let estimate = match self.frequency {
            Frequency::Hourly => elapsed.num_hours(),
            Frequency::Daily => elapsed.num_days(),
            Frequency::Weekly => elapsed.num_days() / 7,
            Frequency::Monthly => {
                (local_now.year() - anchor.year()) as i64 * 12 + local_now.month() as i64
                    - anchor.month() as i64
            }
            Frequency::Custom => 0,
        };
        let first = (estimate - 2).max(1) as u32;
        (first..first + 10_000)
            .map_while(|k| self.slot(anchor, k))
            .find(|s| *s > now)
    }

    /// A time as shown in the schedule's zone (`2026-02-24T09:00:00-05:00`).
    pub fn show(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }
}

/// Parses a stored anchor.
pub fn parse_anchor(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap_or_else(|_| {
        NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
    })
}

/// Formats an anchor for the store.
pub fn show_anchor(a: NaiveDateTime) -> String {
    a.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn next(freq: &str, time: Option<&str>, tz: &str, created: &str, now: &str) -> String {
        let t = Timing::parse(freq, None, time, tz).unwrap();
        let anchor = t.anchor_at(at(created));
        t.show(t.next_after(anchor, at(now)).unwrap())
    }

    #[test]
    fn documented_examples() {
        // Created 2026-02-23 12:00 UTC, daily at 09:00 New York → the next day.
        let c = "2026-02-23T12:00:00+00:00";
        assert_eq!(
            next("daily", Some("09:00"), "America/New_York", c, c),
            "2026-02-24T09:00:00-05:00"
        );
        // Weekly at 10:00 → the same weekday a week later.
        assert_eq!(
            next("weekly", Some("10:00"), "America/New_York", c, c),
            "2026-03-02T10:00:00-05:00"
        );
        // The workflow example: 2026-03-17, after the DST change (-04:00).
        let w = "2026-03-17T12:00:00+00:00";
        assert_eq!(
            next("daily", Some("09:00"), "America/New_York", w, w),
            "2026-03-18T09:00:00-04:00"
        );
    }

    #[test]
    fn missed_slots_give_the_first_slot_after_now() {
        // Anchored long ago, asked now: one next slot, after now.
        assert_eq!(
            next(
                "daily",
                Some("06:30"),
                "UTC",
                "2026-01-01T00:00:00+00:00",
                "2026-05-10T07:00:00+00:00"
            ),
            "2026-05-11T06:30:00+00:00"
        );
        assert_eq!(
            next(
                "hourly",
                Some("00:15"),
                "Asia/Kolkata",
                "2026-01-01T00:00:00+00:00",
                "2026-01-03T10:20:00+00:00"
            ),
            "2026-01-03T16:15:00+05:30"
        );
    }

    #[test]
    fn monthly_keeps_the_day_and_clamps_short_months() {
        let c = "2026-01-31T08:00:00+00:00";
        assert_eq!(
            next("monthly", Some("08:00"), "UTC", c, c),
            "2026-02-28T08:00:00+00:00"
        );
        assert_eq!(
            next(
                "monthly",
                Some("08:00"),
                "UTC",
                c,
                "2026-03-01T00:00:00+00:00"
            ),
            "2026-03-31T08:00:00+00:00"
        );
    }

    #[test]
    fn without_preferred_time_the_anchor_time_is_used() {
        let c = "2026-06-01T13:47:30+00:00";
        assert_eq!(
            next("daily", None, "Europe/Paris", c, c),
            "2026-06-02T15:47:00+02:00"
        );
    }

    #[test]
    fn dst_gap_runs_at_the_next_valid_hour() {
        // 02:30 does not exist in Paris on 2026-03-29.
        assert_eq!(
            next(
                "daily",
                Some("02:30"),
                "Europe/Paris",
                "2026-03-28T12:00:00+00:00",
                "2026-03-28T12:00:00+00:00"
            ),
            "2026-03-29T03:30:00+02:00"
        );
    }

    #[test]
    fn crontab_weekdays_are_translated() {
        assert_eq!(crontab_weekdays("1-5").unwrap(), "2,3,4,5,6");
        assert_eq!(crontab_weekdays("0,7").unwrap(), "1");
        assert_eq!(crontab_weekdays("*/2").unwrap(), "1,3,5,7");
        assert_eq!(crontab_weekdays("MON-FRI").unwrap(), "MON-FRI");
        assert!(crontab_weekdays("8").is_err());
        assert!(crontab_weekdays("5-1").is_err());
        // Monday 09:00 in New York, asked on Sunday 2026-03-01.
        let t = Timing::parse("custom", Some("0 9 * * 1"), None, "America/New_York").unwrap();
        let n = t
            .next_after(
                t.anchor_at(at("2026-03-01T12:00:00+00:00")),
                at("2026-03-01T12:00:00+00:00"),
            )
            .unwrap();
        assert_eq!(t.show(n), "2026-03-02T09:00:00-05:00");
    }

    #[test]
    fn bad_timings_are_refused() {
        assert!(Timing::parse("yearly", None, None, "UTC").is_err());
        assert!(Timing::parse("daily", None, Some("9am"), "UTC").is_err());
        assert!(Timing::parse("daily", None, None, "Mars/Olympus").is_err());
        assert!(Timing::parse("custom", None, None, "UTC").is_err());
        assert!(Timing::parse("daily", Some("* * * * *"), None, "UTC").is_err());
        assert!(Timing::parse("custom", Some("61 * * * *"), None, "UTC").is_err());
    }

    #[test]
    fn seconds_crons_serve_fast_tests() {
        let t = Timing::parse("custom", Some("*/2 * * * * *"), None, "UTC").unwrap();
        let now = at("2026-01-01T00:00:01+00:00");
        assert_eq!(
            t.next_after(t.anchor_at(now), now).unwrap(),
            at("2026-01-01T00:00:02+00:00")
        );
    }
}
