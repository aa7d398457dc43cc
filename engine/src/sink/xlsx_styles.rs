//! The cell formats of the comments sheets and the style numbers rows refer to.
//!
//! Rows are encoded (and compressed) long before the workbook's style table
//! is written, so they refer to fixed style numbers. The workbook skeleton
//! registers the formats in this order first, and [`Styles::verify`] checks
//! the numbers rust_xlsxwriter gave them against the probe row before the
//! rows are put in (a mismatch is an error, never a wrongly styled file).

use rust_xlsxwriter::{Color, Format, FormatUnderline};

use super::xlsx_rows::MAX_INDENT;

const DATE_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// Excel's own "Good", "Bad" and "Neutral" cell styles: fill and font colour.
const POSITIVE: (u32, u32) = (0xC6EFCE, 0x006100);
const NEGATIVE: (u32, u32) = (0xFFC7CE, 0x9C0006);
const NEUTRAL: (u32, u32) = (0xFFEB9C, 0x9C5700);

/// The sentiment classes, their colours and what they mean (for the legend).
pub(crate) const CLASSES: [(&str, &str, u32); 3] = [
    ("positive", "green", POSITIVE.0),
    ("neutral", "yellow", NEUTRAL.0),
    ("negative", "red", NEGATIVE.0),
];

/// Style numbers of the formats rows use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Styles {
    pub(crate) date: u32,
    pub(crate) link: u32,
    indent1: u32,
    positive: u32,
    negative: u32,
    neutral: u32,
}

/// The bold header.
pub(crate) fn header() -> Format {
    Format::new().set_bold()
}

fn fill((bg, fg): (u32, u32)) -> Format {
    Format::new()
        .set_background_color(Color::RGB(bg))
        .set_font_color(Color::RGB(fg))
        .set_num_format("0.000")
}

/// A sentiment class's format (also used for the legend's swatches).
pub(crate) fn class_format(label: &str) -> Option<Format> {
    match label {
        "positive" => Some(fill(POSITIVE)),
        "negative" => Some(fill(NEGATIVE)),
        "neutral" => Some(fill(NEUTRAL)),
        _ => None,
    }
}

/// The formats rows use, in the order of the probe row: date, link,
/// indents 1–15, positive, negative, neutral.
pub(crate) fn probe_formats() -> Vec<Format> {
    let mut v = vec![
        Format::new().set_num_format(DATE_FORMAT),
        Format::new()
            .set_font_color(Color::Blue)
            .set_underline(FormatUnderline::Single),
    ];
    v.extend((1..=MAX_INDENT as u8).map(|i| Format::new().set_indent(i)));
    v.extend([fill(POSITIVE), fill(NEGATIVE), fill(NEUTRAL)]);
    v
}

impl Styles {
    /// The numbers the formats get when the skeleton writes the header (1)
    /// and then the probe row (2, 3, …) first: 0 is Excel's default format.
    pub(crate) fn expected() -> Styles {
        let base = 2;
        let indent1 = base + 2;
        let positive = indent1 + MAX_INDENT;
        Styles {
            date: base,
            link: base + 1,
            indent1,
            positive,
            negative: positive + 1,
            neutral: positive + 2,
        }
    }

    /// Style of reply text at `depth` (1 ..= 15).
    pub(crate) fn indent(&self, depth: u32) -> u32 {
        self.indent1 + depth.clamp(1, MAX_INDENT) - 1
    }

    /// Style of a sentiment cell of class `label`.
    pub(crate) fn sentiment(&self, label: &str) -> Option<u32> {
        match label {
            "positive" => Some(self.positive),
            "negative" => Some(self.negative),
            "neutral" => Some(self.neutral),
            _ => None,
        }
    }

    /// Every number in probe order.
    fn in_probe_order(&self) -> Vec<u32> {
        let mut v = vec![self.date, self.link];
        v.extend((1..=MAX_INDENT).map(|d| self.indent(d)));
        v.extend([self.positive, self.negative, self.neutral]);
        v
    }

    /// Checks the style numbers found on the probe row of a skeleton.
    pub(crate) fn verify(&self, found: &[u32]) -> Result<(), String> {
        let want = self.in_probe_order();
        if found == want.as_slice() {
            Ok(())
        } else {
            Err(format!(
                "workbook style table differs from the one rows were encoded with: {found:?} instead of {want:?}"
            ))
        }
    }
}
