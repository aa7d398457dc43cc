//! NDJSON → XLSX conversion, for records already in an NDJSON file (an
//! earlier export): the records go through the same [`XlsxSink`] a batch uses.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::fields::Fields;
use super::xlsx_assemble::part_path;
use super::xlsx_sink::{XlsxSink, MAX_DATA_ROWS};
use super::Sink;
use crate::{Comment, Error};

/// What an XLSX output holds.
///
/// ```
/// let s = engine::sink::XlsxStats::default();
/// assert_eq!((s.rows, s.sheets, s.truncated_cells), (0, 0, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XlsxStats {
    /// Data rows written (one per record), over all sheets.
    pub rows: u64,
    /// Comments worksheets (a new one before Excel's 1,048,576-row limit).
    pub sheets: u32,
    /// Text cells cut to Excel's 32,767-character limit.
    pub truncated_cells: u64,
}

/// Converts an NDJSON file of records into an Excel workbook, streaming (constant memory).
///
/// One sheet "Comments" with the columns of [`COLUMNS`](super::COLUMNS), continued
/// on "Comments (2)" and so on past Excel's row limit. Dates are Excel datetimes
/// (UTC), numbers and booleans keep their types, links are hyperlinks, reply
/// texts are indented by depth, sentiment cells are coloured, and text is
/// neutralized against formula injection. `dst` appears only when complete.
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
pub(crate) fn convert(src: &Path, dst: &Path, rows_per_sheet: u32) -> Result<XlsxStats, Error> {
    let mut spool = part_path(dst).into_os_string();
    spool.push(".spool");
    let spool = std::path::PathBuf::from(spool);
    let res = convert_via(src, dst, &spool, rows_per_sheet);
    let _ = std::fs::remove_file(&spool);
    res
}

fn convert_via(
    src: &Path,
    dst: &Path,
    spool: &Path,
    rows_per_sheet: u32,
) -> Result<XlsxStats, Error> {
    let file = File::open(src).map_err(|e| Error::io(src, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut sink = XlsxSink::with_spool(dst, spool, None, Fields::all(), rows_per_sheet)?;
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
            let at = e.column().saturating_sub(1).min(text.len());
            Error::parse("xlsx", &src_name, format!("line {line_no}: {e}"), text, at)
        })?;
        sink.write(&record)?;
    }
    sink.finish()?;
    Ok(sink.stats())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::COLUMNS;
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
        // Only the workbook and its source are left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
