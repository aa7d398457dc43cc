//! Counts as platforms abbreviate them ("9.8K", "1.2M", "1,2 万") → integers,
//! marked approximate when the platform rounded.

/// A parsed count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The value (rounded as the platform rounded it).
    pub value: u64,
    /// True when the text was abbreviated, so `value` is approximate.
    pub approx: bool,
}

/// Parses a displayed count. Blank text means zero (YouTube shows `""` or
/// `" "` for no likes). Suffixes: K/k, M/m, B/b, 万 (10⁴), 亿/億 (10⁸), 千 (10³);
/// both `.` and `,` work as the decimal mark before a suffix, and as
/// thousands separators without one. `None` for anything else.
///
/// ```
/// use engine::counts::{parse_count, Count};
/// assert_eq!(parse_count("1.2K"), Some(Count { value: 1_200, approx: true }));
/// assert_eq!(parse_count("1,2 万"), Some(Count { value: 12_000, approx: true }));
/// assert_eq!(parse_count("1,234"), Some(Count { value: 1_234, approx: false }));
/// assert_eq!(parse_count(" "), Some(Count { value: 0, approx: false }));
/// assert_eq!(parse_count("lots"), None);
/// ```
pub fn parse_count(text: &str) -> Option<Count> {
    let t = text.trim();
    if t.is_empty() {
        return Some(Count {
            value: 0,
            approx: false,
        });
    }
    let (number, multiplier) = split_suffix(t)?;
    let number = number.trim();
    if multiplier == 1 {
        let digits: String = number
            .chars()
            .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}'))
            .collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(Count {
            value: digits.parse().ok()?,
            approx: false,
        });
    }
    let normalized = number.replace(',', ".");
    if normalized.is_empty()
        || !normalized.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || normalized.matches('.').count() > 1
    {
        return None;
    }
    let (int, frac) = normalized.split_once('.').unwrap_or((&normalized, ""));
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int.checked_mul(multiplier)?;
    let mut scale = multiplier;
    for d in frac.bytes().take(12) {
        scale /= 10;
        value = value.checked_add(u64::from(d - b'0').checked_mul(scale)?)?;
    }
    Some(Count {
        value,
        approx: true,
    })
}

fn split_suffix(t: &str) -> Option<(&str, u64)> {
    let last = t.chars().last()?;
    let m = match last {
        'K' | 'k' | '千' => 1_000,
        'M' | 'm' => 1_000_000,
        'B' | 'b' => 1_000_000_000,
        '万' | '萬' => 10_000,
        '亿' | '億' => 100_000_000,
        _ => return Some((t, 1)),
    };
    Some((&t[..t.len() - last.len_utf8()], m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        for (t, v, a) in [
            ("999", 999, false),
            ("12K", 12_000, true),
            ("1.2k", 1_200, true),
            ("1.2M", 1_200_000, true),
            ("3.45億", 345_000_000, true),
            ("", 0, false),
            ("1 234", 1_234, false),
        ] {
            assert_eq!(
                parse_count(t),
                Some(Count {
                    value: v,
                    approx: a
                }),
                "{t}"
            );
        }
        for bad in ["K", "1.2.3K", "-5", "abc", "1e5"] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = parse_count(&s);
        }

        #[test]
        fn plain_integers_round_trip(n in 0u64..u64::MAX / 10) {
            prop_assert_eq!(parse_count(&n.to_string()), Some(Count { value: n, approx: false }));
        }
    }
}
