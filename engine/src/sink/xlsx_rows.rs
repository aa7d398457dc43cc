//! One record → one `<row>` of SpreadsheetML, written straight into a byte
//! buffer. Rows and cells carry no `r` reference (the schema makes it
//! optional; readers place them one after another), so the same bytes are
//! valid at any row of any sheet: the per-URL workbook and `all.xlsx` share
//! one encoding and one compression of each page.

use std::borrow::Cow;

use super::columns::{cell, col, neutralize, Cell};
use super::fields::Fields;
use super::xlsx_styles::Styles;
use crate::Comment;

/// Excel's limit on a cell's text, in UTF-16 code units.
pub(crate) const MAX_CELL_UNITS: usize = 32_767;
/// HYPERLINK()'s argument is limited to 255 characters.
const MAX_FORMULA_URL: usize = 255;
/// Excel's largest indent level.
pub(crate) const MAX_INDENT: u32 = 15;
/// Seconds from 1970-01-01 to 1900-03-01 (the first date Excel's serials
/// count without its 1900 leap-year bug) and to the end of 9999.
const EXCEL_FIRST: i64 = -2_203_891_200;
const EXCEL_LAST: i64 = 253_402_300_799;

/// Encodes records as rows of the selected columns.
pub(crate) struct RowEncoder {
    fields: Fields,
    styles: Styles,
    itoa: itoa::Buffer,
    /// Text cells cut to Excel's limit so far.
    pub(crate) truncated: u64,
}

impl RowEncoder {
    pub(crate) fn new(fields: Fields) -> RowEncoder {
        RowEncoder {
            fields,
            styles: Styles::expected(),
            itoa: itoa::Buffer::new(),
            truncated: 0,
        }
    }

    /// Appends `<row>…</row>` for `c`.
    pub(crate) fn row(&mut self, c: &Comment, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<row>");
        // Empty cells are written only when a later cell needs the position.
        let mut empty = 0usize;
        let fill = c
            .sentiment
            .as_ref()
            .and_then(|s| self.styles.sentiment(&s.label));
        for i in 0..self.fields.len() {
            let x = self.fields.indices()[i];
            let before = out.len();
            self.cell(c, x, fill, out, empty);
            if out.len() == before {
                empty += 1;
            } else {
                empty = 0;
            }
        }
        out.extend_from_slice(b"</row>");
    }

    /// Writes one cell (nothing for an empty one), preceded by `empty`
    /// placeholder cells when it is not empty.
    fn cell(&mut self, c: &Comment, x: usize, fill: Option<u32>, out: &mut Vec<u8>, empty: usize) {
        let pad = |out: &mut Vec<u8>| {
            for _ in 0..empty {
                // Not `<c/>`: some readers only count cells that have an end tag.
                out.extend_from_slice(b"<c></c>");
            }
        };
        match x {
            col::CREATED_AT | col::FETCHED_AT => {
                let t = if x == col::CREATED_AT {
                    c.created_at
                } else {
                    Some(c.fetched_at)
                };
                let Some(t) = t else { return };
                pad(out);
                let ts = t.timestamp();
                if (EXCEL_FIRST..=EXCEL_LAST).contains(&ts) {
                    let serial = ts as f64 / 86_400.0 + 25_569.0;
                    open(out, Some(self.styles.date), None);
                    out.extend_from_slice(b"<v>");
                    out.extend_from_slice(ryu::Buffer::new().format_finite(serial).as_bytes());
                    out.extend_from_slice(b"</v></c>");
                } else {
                    let text = t.to_rfc3339();
                    self.text(out, &text, None);
                }
                return;
            }
            _ => {}
        }
        let style = match x {
            col::SENTIMENT_LABEL | col::SENTIMENT_SCORE => fill,
            _ => None,
        };
        match cell(c, x) {
            Cell::Null => {}
            Cell::Int(n) => {
                pad(out);
                open(out, style, None);
                out.extend_from_slice(b"<v>");
                out.extend_from_slice(self.itoa.format(n).as_bytes());
                out.extend_from_slice(b"</v></c>");
            }
            Cell::Float(f) if f.is_finite() => {
                pad(out);
                open(out, style, None);
                out.extend_from_slice(b"<v>");
                out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
                out.extend_from_slice(b"</v></c>");
            }
            Cell::Float(f) => {
                pad(out);
                self.text(out, &f.to_string(), style);
            }
            Cell::Bool(b) => {
                pad(out);
                open(out, style, Some("b"));
                out.extend_from_slice(if b { b"<v>1</v></c>" } else { b"<v>0</v></c>" });
            }
            Cell::Text(t) => {
                pad(out);
                let is_link = matches!(x, col::URL | col::AUTHOR_URL | col::SOURCE_URL);
                // A linkable URL has no character `clean` would change.
                if is_link && linkable(&t) {
                    link(out, &t, self.styles.link);
                    return;
                }
                let style = if x == col::TEXT && c.depth > 0 {
                    Some(self.styles.indent(c.depth.min(MAX_INDENT)))
                } else {
                    style
                };
                self.text(out, &t, style);
            }
        }
    }

    /// An inline-string cell of `raw` cleaned for a spreadsheet.
    fn text(&mut self, out: &mut Vec<u8>, raw: &str, style: Option<u32>) {
        open(out, style, Some("inlineStr"));
        // Fast path, one pass: no character to remove and short enough, so
        // the text only needs escaping (and an apostrophe before a formula start).
        if raw.len() <= MAX_CELL_UNITS {
            let start = out.len();
            let quote = starts_formula(raw);
            let edge =
                (!quote && raw.starts_with([' ', '\t', '\n'])) || raw.ends_with([' ', '\t', '\n']);
            out.extend_from_slice(if edge { PRESERVE } else { PLAIN });
            if quote {
                out.push(b'\'');
            }
            if escape_checked(out, raw) {
                out.extend_from_slice(b"</t></is></c>");
                return;
            }
            out.truncate(start);
        }
        let (s, cut) = clean(raw);
        self.truncated += u64::from(cut);
        let edge = s.starts_with([' ', '\t', '\n']) || s.ends_with([' ', '\t', '\n']);
        out.extend_from_slice(if edge { PRESERVE } else { PLAIN });
        escape(out, &s);
        out.extend_from_slice(b"</t></is></c>");
    }
}

const PLAIN: &[u8] = b"<is><t>";
const PRESERVE: &[u8] = b"<is><t xml:space=\"preserve\">";

/// What [`neutralize`] puts an apostrophe before.
fn starts_formula(s: &str) -> bool {
    matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Byte classes for escaping: 0 plain, 1 `&`, 2 `<`, 3 `>`, 4 CR, 5 `_`,
/// 6 a control character XML forbids, 7 0xEF (may start U+FFFE or U+FFFF).
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = 6;
        i += 1;
    }
    t[b'\t' as usize] = 0;
    t[b'\n' as usize] = 0;
    t[b'\r' as usize] = 4;
    t[b'&' as usize] = 1;
    t[b'<' as usize] = 2;
    t[b'>' as usize] = 3;
    t[b'_' as usize] = 5;
    t[0xEF] = 7;
    t
};

/// [`escape`] of text that may hold characters XML forbids: returns false
/// (with `out` partly written) as soon as it meets one.
fn escape_checked(out: &mut Vec<u8>, s: &str) -> bool {
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        // Eight plain bytes at a time: most text has nothing to escape.
        if let Some(word) = b.get(i..i + 8) {
            let word = u64::from_le_bytes([
                word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
            ]);
            if !may_need_escape(word) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(b.len());
        while i < end {
            let ch = b[i];
            let rep: &[u8] = match CLASS[ch as usize] {
                0 => {
                    i += 1;
                    continue;
                }
                1 => b"&amp;",
                2 => b"&lt;",
                3 => b"&gt;",
                4 => b"_x000D_",
                5 if is_escape_like(&b[i..]) => b"_x005F_",
                7 if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) => {
                    return false
                }
                5 | 7 => {
                    i += 1;
                    continue;
                }
                _ => return false,
            };
            out.extend_from_slice(&b[run..i]);
            out.extend_from_slice(rep);
            i += 1;
            run = i;
        }
    }
    out.extend_from_slice(&b[run..]);
    true
}

/// True when some byte of `w` is below 0x20 or one of `& < > _` or 0xEF
/// (the bytes [`CLASS`] does not call plain, plus tab and LF).
fn may_need_escape(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    (below_space
        | zero(w ^ (LO * u64::from(b'&')))
        | zero(w ^ (LO * u64::from(b'<')))
        | zero(w ^ (LO * u64::from(b'>')))
        | zero(w ^ (LO * u64::from(b'_')))
        | zero(w ^ (LO * 0xEF)))
        != 0
}

fn open(out: &mut Vec<u8>, style: Option<u32>, t: Option<&str>) {
    out.extend_from_slice(b"<c");
    if let Some(s) = style {
        out.extend_from_slice(b" s=\"");
        out.extend_from_slice(itoa::Buffer::new().format(s).as_bytes());
        out.push(b'"');
    }
    if let Some(t) = t {
        out.extend_from_slice(b" t=\"");
        out.extend_from_slice(t.as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
}

/// `=HYPERLINK("url")` with the URL as cached result (readers that do not
/// compute formulas show the URL itself). A formula rather than a worksheet
/// hyperlink: it streams out with its row, while the crate keeps worksheet
/// hyperlinks in memory and Excel caps them at 65,530 a sheet.
fn link(out: &mut Vec<u8>, url: &str, style: u32) {
    open(out, Some(style), Some("str"));
    out.extend_from_slice(b"<f>HYPERLINK(\"");
    escape(out, &url.replace('"', "\"\""));
    out.extend_from_slice(b"\")</f><v>");
    escape(out, url);
    out.extend_from_slice(b"</v></c>");
}

/// Only plain web links become hyperlinks: anything else (javascript:, file:,
/// over-long or malformed) stays text so Excel neither refuses nor runs it.
fn linkable(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    if s.is_ascii() {
        return s.len() <= MAX_FORMULA_URL && s.bytes().all(|b| b > b' ' && b != 0x7F);
    }
    s.chars().count() <= MAX_FORMULA_URL && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Characters XML 1.0 forbids (tab, LF and CR are allowed).
pub(crate) fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Text as it may go in a cell: characters XML 1.0 forbids removed, formula
/// starts neutralized (after removal, which may expose one), cut to Excel's
/// limit. Returns whether it was cut.
pub(crate) fn clean(t: &str) -> (Cow<'_, str>, bool) {
    let stripped: Cow<'_, str> = if t.chars().any(forbidden) {
        Cow::Owned(t.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(t)
    };
    let safe = match neutralize(&stripped) {
        Cow::Borrowed(_) => stripped,
        Cow::Owned(s) => Cow::Owned(s),
    };
    // A string of at most MAX_CELL_UNITS bytes has at most that many UTF-16 units.
    if safe.len() <= MAX_CELL_UNITS {
        return (safe, false);
    }
    let mut units = 0;
    for (i, ch) in safe.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_UNITS {
            return (Cow::Owned(safe[..i].to_string()), true);
        }
    }
    (safe, false)
}

/// XML text escaping as Excel does it: `& < >` as entities, CR as
/// `_x000D_` (an XML parser would turn a raw CR into LF), and a literal
/// `_xHHHH_` protected as `_x005F_xHHHH_` so it is not read as an escape.
pub(crate) fn escape(out: &mut Vec<u8>, s: &str) {
    let start = out.len();
    if !escape_checked(out, s) {
        // Only reached with text `clean` has not seen: strip, then escape.
        out.truncate(start);
        let stripped: String = s.chars().filter(|&c| !forbidden(c)).collect();
        escape_checked(out, &stripped);
    }
}

/// True when `b` starts with `_xHHHH_`.
fn is_escape_like(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[6] == b'_' && b[2..6].iter().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = Vec::new();
        escape(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn word_check_finds_every_special_byte() {
        for special in [0u8, 9, 10, 13, 0x1F, b'&', b'<', b'>', b'_', 0xEF] {
            for pos in 0..8 {
                let mut w = *b"abcdefgh";
                w[pos] = special;
                assert!(may_need_escape(u64::from_le_bytes(w)), "{special} at {pos}");
            }
        }
        let plain: [[u8; 8]; 3] = [
            *b"abcdefgh",
            *b"  ~~~~ZZ",
            [0x20, 0x7F, 0x80, 0xEE, 0xF0, 0xFF, b'=', b'"'],
        ];
        for w in plain {
            assert!(!may_need_escape(u64::from_le_bytes(w)));
        }
    }

    #[test]
    fn escaping_matches_excel() {
        assert_eq!(esc("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(esc("x\r\ny"), "x_x000D_\ny");
        assert_eq!(esc("_x0041_ _xZZ_ _"), "_x005F_x0041_ _xZZ_ _");
        assert_eq!(esc("日本 🎮"), "日本 🎮");
    }

    #[test]
    fn clean_cuts_on_char_boundaries_and_strips_controls() {
        let long = "é".repeat(MAX_CELL_UNITS + 5);
        let (s, cut) = clean(&long);
        assert!(cut);
        assert_eq!(s.encode_utf16().count(), MAX_CELL_UNITS);
        let (s, cut) = clean("\u{1}=1+1\u{FFFF}");
        assert_eq!((s.as_ref(), cut), ("'=1+1", false));
        let emoji = "🎮".repeat(MAX_CELL_UNITS);
        assert_eq!(clean(&emoji).0.encode_utf16().count(), MAX_CELL_UNITS - 1);
    }

    #[test]
    fn empty_cells_hold_positions_only_before_a_value() {
        let mut e = RowEncoder::new(Fields::parse("title,id,created_at_raw").unwrap());
        let c = Comment::new("steam", crate::Kind::Review, "7", "1", "u");
        let mut out = Vec::new();
        e.row(&c, &mut out);
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(
            xml,
            "<row><c></c><c t=\"inlineStr\"><is><t>7</t></is></c></row>"
        );
    }
}
