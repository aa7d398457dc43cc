//! NDJSON → XLSX conversion. XLSX cannot be appended to or cut back to a
//! committed size the way text formats can, so the writer spools a job's
//! records as NDJSON (resumable) and converts the spool once the job ends.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatUnderline, Formula, Workbook, Worksheet, XlsxError,
};

use super::columns::{cell, neutralize, Cell, COLUMNS};
use crate::{Comment, Error};

/// Data rows per worksheet: Excel has 1,048,576 rows and the header takes one.
const MAX_DATA_ROWS: u32 = 1_048_575;
/// Excel's limit on a cell's text, in UTF-16 code units.
const MAX_CELL_UNITS: usize = 32_767;
/// Excel refuses longer hyperlinks (UTF-16 code units).
const MAX_URL_UNITS: usize = 2_079;
/// Excel's limit on hyperlinks in one worksheet.
const MAX_LINKS_PER_SHEET: u32 = 65_530;
/// HYPERLINK()'s argument is limited to 255 characters.
const MAX_FORMULA_URL: usize = 255;
/// Excel's largest indent level.
const MAX_INDENT: u32 = 15;
const SHEET_NAME: &str = "Comments";
const DATE_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// What [`ndjson_to_xlsx`] wrote.
///
/// ```
/// let s = engine::sink::XlsxStats::default();
/// assert_eq!((s.rows, s.sheets, s.truncated_cells), (0, 0, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XlsxStats {
    /// Data rows written (one per record), over all sheets.
    pub rows: u64,
    /// Worksheets in the workbook (a new one every 1,048,575 rows).
    pub sheets: u32,
    /// Text cells cut to Excel's 32,767-character limit.
    pub truncated_cells: u64,
}

/// Converts an NDJSON file of records into an Excel workbook, streaming (constant memory).
///
/// One sheet "Comments" with the columns of [`COLUMNS`](super::COLUMNS), continued
/// on "Comments (2)" and so on past Excel's row limit. Dates are Excel datetimes
/// (UTC), numbers and booleans keep their types, links are hyperlinks, reply
/// texts are indented by depth, and text is neutralized against formula
/// injection. `dst` appears only when complete (written beside it, then renamed).
///
/// ```
/// use engine::sink::{ndjson_to_xlsx, open_file, Format};
/// let dir = tempfile::tempdir().unwrap();
/// let src = dir.path().join("spool.ndjson");
/// let mut sink = open_file(Format::Ndjson, &src, None).unwrap();
/// sink.write(&engine::Comment::new("steam", engine::Kind::Review, "1", "440", "u")).unwrap();
/// sink.finish().unwrap();
/// let stats = ndjson_to_xlsx(&src, &dir.path().join("out.xlsx")).unwrap();
/// assert_eq!((stats.rows, stats.sheets), (1, 1));
/// ```
pub fn ndjson_to_xlsx(src: &Path, dst: &Path) -> Result<XlsxStats, Error> {
    convert(src, dst, MAX_DATA_ROWS)
}

/// [`ndjson_to_xlsx`] with the rows per sheet as a parameter, so tests can
/// exercise the rollover without writing a million rows.
fn convert(src: &Path, dst: &Path, rows_per_sheet: u32) -> Result<XlsxStats, Error> {
    let part = part_path(dst);
    let res = write_workbook(src, dst, &part, rows_per_sheet.max(1));
    match res {
        Ok(stats) => {
            std::fs::rename(&part, dst).map_err(|e| Error::io(dst, e))?;
            Ok(stats)
        }
        Err(e) => {
            // A half-written workbook is never left behind under either name.
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

fn part_path(dst: &Path) -> PathBuf {
    let mut name = dst.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dst.with_file_name(name)
}

fn write_workbook(
    src: &Path,
    dst: &Path,
    part: &Path,
    rows_per_sheet: u32,
) -> Result<XlsxStats, Error> {
    let xerr = |e: XlsxError| Error::io(dst, std::io::Error::other(e.to_string()));
    let file = File::open(src).map_err(|e| Error::io(src, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut book = Book::new(dst, rows_per_sheet).map_err(xerr)?;
    let src_name = src.display().to_string();
    let mut line = Vec::with_capacity(8192);
    let mut line_no = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(src, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t,
            Err(e) => {
                let lossy = String::from_utf8_lossy(&line);
                let msg = format!("line {line_no}: not UTF-8: {e}");
                return Err(Error::parse(
                    "xlsx",
                    &src_name,
                    msg,
                    &lossy,
                    e.valid_up_to(),
                ));
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let record: Comment = serde_json::from_str(text).map_err(|e| {
            let at = line_offset(text, e.column());
            Error::parse("xlsx", &src_name, format!("line {line_no}: {e}"), text, at)
        })?;
        book.write(&record).map_err(xerr)?;
    }
    book.finish(part).map_err(xerr)
}

/// Byte offset of serde_json's 1-based column (which counts bytes) on a one-line input.
fn line_offset(text: &str, column: usize) -> usize {
    column.saturating_sub(1).min(text.len())
}

/// How a column is written, decided once from its name.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Plain,
    CreatedAt,
    FetchedAt,
    Link,
    Text,
}

fn kind_of(name: &str) -> Kind {
    match name {
        "created_at" => Kind::CreatedAt,
        "fetched_at" => Kind::FetchedAt,
        "url" | "author_url" | "source_url" => Kind::Link,
        "text" => Kind::Text,
        _ => Kind::Plain,
    }
}

fn width_of(name: &str) -> f64 {
    match name {
        "text" => 60.0,
        "title" | "extra" | "url" | "author_url" | "source_url" => 40.0,
        "created_at" | "fetched_at" | "created_at_raw" | "author" => 20.0,
        "id" | "source_id" | "parent_id" | "root_id" | "author_id" => 22.0,
        _ => 10.0,
    }
}

/// The workbook being written: the current sheet, its next row and its link count.
struct Book {
    workbook: Workbook,
    kinds: Vec<Kind>,
    header: Format,
    date: Format,
    /// Blue, underlined: what a link looks like.
    link: Format,
    /// Text formats by reply depth (index 0 is unindented).
    indents: Vec<Format>,
    rows_per_sheet: u32,
    sheet: usize,
    row: u32,
    links: u32,
    stats: XlsxStats,
}

impl Book {
    fn new(dst: &Path, rows_per_sheet: u32) -> Result<Book, XlsxError> {
        let mut workbook = Workbook::new();
        // Constant-memory sheets stream rows to temp files; keep those next to
        // the output rather than in a temp dir that may be RAM-backed.
        let dir = dst.parent().filter(|p| !p.as_os_str().is_empty());
        workbook.set_tempdir(dir.unwrap_or(Path::new(".")))?;
        // Level 3 instead of the default 6: measured ~25% faster on 200k rows
        // for a file ~20% larger (most of the time is deflate).
        workbook.set_zip_compression_level(3);
        let mut book = Book {
            workbook,
            kinds: COLUMNS.iter().map(|n| kind_of(n)).collect(),
            header: Format::new().set_bold(),
            date: Format::new().set_num_format(DATE_FORMAT),
            link: Format::new()
                .set_font_color(Color::Blue)
                .set_underline(FormatUnderline::Single),
            indents: (0..=MAX_INDENT as u8)
                .map(|i| Format::new().set_indent(i))
                .collect(),
            rows_per_sheet,
            sheet: 0,
            row: 0,
            links: 0,
            stats: XlsxStats::default(),
        };
        book.add_sheet()?;
        Ok(book)
    }

    fn add_sheet(&mut self) -> Result<(), XlsxError> {
        let n = self.stats.sheets + 1;
        let name = if n == 1 {
            SHEET_NAME.to_string()
        } else {
            format!("{SHEET_NAME} ({n})")
        };
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        for (col, name) in COLUMNS.iter().enumerate() {
            ws.set_column_width(col as u16, width_of(name))?;
            ws.write_string_with_format(0, col as u16, *name, &self.header)?;
        }
        ws.set_freeze_panes(1, 0)?;
        // Sheets are only ever added here, so the new one's index is the old count.
        self.sheet = self.stats.sheets as usize;
        self.stats.sheets = n;
        self.row = 1;
        self.links = 0;
        Ok(())
    }

    /// The filter covers the header and every data row of the sheet, so it
    /// is set when the sheet is complete.
    fn close_sheet(&mut self) -> Result<(), XlsxError> {
        let last_row = self.row.saturating_sub(1);
        let last_col = (COLUMNS.len() - 1) as u16;
        self.workbook
            .worksheet_from_index(self.sheet)?
            .autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }

    fn write(&mut self, c: &Comment) -> Result<(), XlsxError> {
        if self.row > self.rows_per_sheet {
            self.close_sheet()?;
            self.add_sheet()?;
        }
        let row = self.row;
        let ws = self.workbook.worksheet_from_index(self.sheet)?;
        for (col, &kind) in self.kinds.iter().enumerate() {
            let x = col as u16;
            match kind {
                Kind::CreatedAt => {
                    if let Some(t) = c.created_at {
                        write_date(ws, row, x, t, &self.date)?;
                    }
                }
                Kind::FetchedAt => write_date(ws, row, x, c.fetched_at, &self.date)?,
                _ => match cell(c, col) {
                    Cell::Null => {}
                    Cell::Int(n) => drop(ws.write_number(row, x, n as f64)?),
                    Cell::Float(f) if f.is_finite() => drop(ws.write_number(row, x, f)?),
                    Cell::Float(f) => drop(ws.write_string(row, x, f.to_string())?),
                    Cell::Bool(b) => drop(ws.write_boolean(row, x, b)?),
                    Cell::Text(t) => {
                        let (s, cut) = clean(&t);
                        self.stats.truncated_cells += u64::from(cut);
                        // Links are HYPERLINK() formulas with the URL as cached
                        // result: a worksheet hyperlink would sit in the crate's
                        // in-memory table until save (~1.4 KB each: 95 MB at 30k
                        // rows), a formula streams out with its row. Anything the
                        // formula cannot hold is written as text below.
                        let linked = kind == Kind::Link
                            && self.links < MAX_LINKS_PER_SHEET
                            && linkable(&s)
                            && s.chars().count() <= MAX_FORMULA_URL
                            && ws
                                .write_formula_with_format(row, x, link_formula(&s), &self.link)
                                .is_ok();
                        if linked {
                            self.links += 1;
                        } else if kind == Kind::Text && c.depth > 0 {
                            let depth = c.depth.min(MAX_INDENT) as usize;
                            ws.write_string_with_format(row, x, s.as_ref(), &self.indents[depth])?;
                        } else {
                            ws.write_string(row, x, s.as_ref())?;
                        }
                    }
                },
            }
        }
        self.row += 1;
        self.stats.rows += 1;
        Ok(())
    }

    fn finish(mut self, part: &Path) -> Result<XlsxStats, XlsxError> {
        self.close_sheet()?;
        self.workbook.save(part)?;
        Ok(self.stats)
    }
}

/// A real Excel datetime when it is in Excel's range (1900–9999), RFC 3339 text otherwise.
fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    t: chrono::DateTime<chrono::Utc>,
    format: &Format,
) -> Result<(), XlsxError> {
    match ExcelDateTime::from_timestamp(t.timestamp()) {
        Ok(dt) => ws.write_datetime_with_format(row, col, dt, format)?,
        Err(_) => ws.write_string(row, col, t.to_rfc3339())?,
    };
    Ok(())
}

/// Only plain web links become hyperlinks: anything else (javascript:, file:,
/// over-long or malformed) stays text so Excel neither refuses nor runs it.
/// `=HYPERLINK("url")`, quotes doubled as Excel wants, cached result = the URL
/// (readers that do not compute formulas show the URL itself).
fn link_formula(url: &str) -> Formula {
    Formula::new(format!("=HYPERLINK(\"{}\")", url.replace('"', "\"\""))).set_result(url)
}

fn linkable(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.encode_utf16().count() <= MAX_URL_UNITS
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Text as it may go in a cell: characters XML 1.0 forbids removed, formula
/// starts neutralized (after removal, which may expose one), cut to Excel's
/// limit. Returns whether it was cut.
fn clean(t: &str) -> (Cow<'_, str>, bool) {
    let stripped: Cow<'_, str> = if t.chars().any(forbidden) {
        Cow::Owned(t.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(t)
    };
    let safe = match neutralize(&stripped) {
        Cow::Borrowed(_) => stripped,
        Cow::Owned(s) => Cow::Owned(s),
    };
    // Cheap check first: a string of at most MAX_CELL_UNITS bytes has at most
    // that many UTF-16 units.
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

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook, Reader, Xlsx};

    #[test]
    fn rows_roll_over_to_new_sheets_with_headers() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("s.ndjson");
        let mut sink = super::super::open_file(super::super::Format::Ndjson, &src, None).unwrap();
        for i in 0..7 {
            let c = Comment::new("steam", crate::Kind::Review, i.to_string(), "440", "u");
            sink.write(&c).unwrap();
        }
        sink.finish().unwrap();
        let dst = dir.path().join("o.xlsx");
        let stats = convert(&src, &dst, 3).unwrap();
        assert_eq!((stats.rows, stats.sheets), (7, 3));
        let mut wb: Xlsx<_> = open_workbook(&dst).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names, ["Comments", "Comments (2)", "Comments (3)"]);
        let mut ids = Vec::new();
        for name in names {
            let range = wb.worksheet_range(&name).unwrap();
            let rows: Vec<_> = range.rows().collect();
            let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
            assert_eq!(header, COLUMNS);
            assert!(rows.len() <= 4);
            ids.extend(rows[1..].iter().map(|r| r[2].to_string()));
        }
        assert_eq!(ids, ["0", "1", "2", "3", "4", "5", "6"]);
        assert!(!part_path(&dst).exists());
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
}
