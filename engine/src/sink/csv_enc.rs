//! CSV encoding of the flat columns: RFC 4180 (CRLF, quoted only when
//! needed), formula starts neutralized, written straight into the output
//! buffer (no per-cell allocation for the common cells).

use super::columns::{cell, col as c, neutralize, Cell};
use super::fields::Fields;
use super::text::Encoder;
use crate::{Comment, Error};

/// RFC 4180 CSV (CRLF, quoted as needed) over the selected [`Fields`], with
/// text cells neutralized against formula injection.
///
/// ```
/// use engine::sink::{CsvEncoder, Encoder};
/// let mut c = engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u");
/// c.text = "=HYPERLINK(\"x\")".into();
/// let mut out = Vec::new();
/// CsvEncoder::default().record(&c, true, &mut out).unwrap();
/// assert!(String::from_utf8(out).unwrap().contains("'=HYPERLINK"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CsvEncoder {
    fields: Fields,
}

impl CsvEncoder {
    /// An encoder writing these columns in this order.
    ///
    /// ```
    /// use engine::sink::{CsvEncoder, Encoder, Fields};
    /// let mut out = Vec::new();
    /// CsvEncoder::with_fields(Fields::parse("id,text").unwrap()).header(&mut out);
    /// assert_eq!(out, b"id,text\r\n");
    /// ```
    pub fn with_fields(fields: Fields) -> CsvEncoder {
        CsvEncoder { fields }
    }
}

/// Appends one field, quoted when it holds a comma, quote, CR or LF.
fn put_field(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if b.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for &c in b {
            if c == b'"' {
                out.push(b'"');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(b);
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, what `to_rfc3339_opts(Secs, true)` gives, without
/// going through `core::fmt` (chrono's formatting is the slow part of a row).
pub(crate) fn put_rfc3339(out: &mut Vec<u8>, t: chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.extend_from_slice(
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .as_bytes(),
        );
        return;
    }
    let two = |out: &mut Vec<u8>, n: u32| {
        out.push(b'0' + (n / 10) as u8);
        out.push(b'0' + (n % 10) as u8);
    };
    let y = year as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, t.month());
    out.push(b'-');
    two(out, t.day());
    out.push(b'T');
    two(out, t.hour());
    out.push(b':');
    two(out, t.minute());
    out.push(b':');
    two(out, t.second());
    out.push(b'Z');
}

impl Encoder for CsvEncoder {
    fn header(&mut self, out: &mut Vec<u8>) {
        for (i, name) in self.fields.names().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            put_field(out, name);
        }
        out.extend_from_slice(b"\r\n");
    }

    fn record(&mut self, record: &Comment, _: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        let mut itoa = itoa::Buffer::new();
        for (i, &col) in self.fields.indices().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match col {
                // The two dates, written without an intermediate String.
                c::CREATED_AT | c::FETCHED_AT => {
                    let t = if col == c::CREATED_AT {
                        record.created_at
                    } else {
                        Some(record.fetched_at)
                    };
                    if let Some(t) = t {
                        put_rfc3339(out, t);
                    }
                    continue;
                }
                _ => {}
            }
            match cell(record, col) {
                Cell::Null => {}
                Cell::Text(t) => put_field(out, &neutralize(&t)),
                Cell::Int(n) => out.extend_from_slice(itoa.format(n).as_bytes()),
                Cell::Float(f) => put_field(out, &f.to_string()),
                Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            }
        }
        // A record of one empty field would be a blank line, which readers skip.
        if out.len() == start {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    fn footer(&mut self, _: &mut Vec<u8>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rfc3339_matches_chrono() {
        for ts in [0i64, 1_700_000_000, 253_402_300_799, -62_167_219_200] {
            let t = chrono::Utc.timestamp_opt(ts, 0).unwrap();
            let mut out = Vec::new();
            put_rfc3339(&mut out, t);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
    }

    #[test]
    fn quoting_follows_rfc4180() {
        let mut out = Vec::new();
        put_field(&mut out, "a,\"b\"\r\n");
        assert_eq!(out, b"\"a,\"\"b\"\"\r\n\"");
    }

    #[test]
    fn one_empty_field_is_quoted() {
        let mut out = Vec::new();
        let c = Comment::new("steam", crate::Kind::Review, "1", "2", "u");
        CsvEncoder::with_fields(Fields::parse("title").unwrap())
            .record(&c, true, &mut out)
            .unwrap();
        assert_eq!(out, b"\"\"\r\n");
    }
}
