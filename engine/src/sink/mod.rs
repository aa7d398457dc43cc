//! Sinks: where records go. One trait for every format; file sinks can be
//! reopened at a committed size, which is what makes `--resume` exact.

mod columns;
mod text;
mod xlsx;
mod xlsx_sink;

use std::path::Path;

pub use columns::{cell, neutralize, Cell, COLUMNS};
pub use text::{CsvEncoder, Encoder, JsonArrayEncoder, NdjsonEncoder, TextSink};
pub use xlsx::{ndjson_to_xlsx, XlsxStats};
pub use xlsx_sink::{xlsx_spool_path, XlsxSink};

use crate::{Comment, Error};

/// A destination for records.
///
/// `commit` marks a point a resumed run can return to; `finish` completes the
/// output (closing bracket, flush, fsync).
pub trait Sink: Send {
    /// Writes one record.
    fn write(&mut self, record: &Comment) -> Result<(), Error>;
    /// Hands everything written so far to the OS and returns the output's size
    /// at this point (what a resume truncates to).
    fn commit(&mut self) -> Result<u64, Error>;
    /// Completes the output and returns its final size.
    fn finish(&mut self) -> Result<u64, Error>;
    /// The text format this sink takes already-encoded records in, if any
    /// (see [`write_encoded`](Self::write_encoded)).
    fn text_format(&self) -> Option<Format> {
        None
    }
    /// Writes one record already encoded by [`encoder_for`]`(text_format)`
    /// with `first = true`; the sink adds any separator itself. Lets one
    /// encoding serve the per-URL file and the combined file.
    fn write_encoded(&mut self, _bytes: &[u8]) -> Result<(), Error> {
        Err(Error::Config(
            "this sink takes records, not encoded bytes".into(),
        ))
    }
}

/// The encoder of a text format, for [`Sink::write_encoded`].
///
/// ```
/// use engine::sink::{encoder_for, Format};
/// let mut e = encoder_for(Format::Ndjson);
/// let mut out = Vec::new();
/// e.record(&engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u"), true, &mut out).unwrap();
/// assert!(out.ends_with(b"\n"));
/// ```
pub fn encoder_for(format: Format) -> Box<dyn Encoder> {
    match format {
        Format::Json => Box::new(JsonArrayEncoder),
        Format::Ndjson => Box::new(NdjsonEncoder),
        Format::Csv => Box::new(CsvEncoder::default()),
        // An XLSX sink spools NDJSON (see `XlsxSink`).
        Format::Xlsx => Box::new(NdjsonEncoder),
    }
}

/// Output formats of file sinks.
///
/// ```
/// let f: engine::sink::Format = "ndjson".parse().unwrap();
/// assert_eq!(f.extension(), "ndjson");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON array of records.
    Json,
    /// One JSON record per line.
    Ndjson,
    /// RFC 4180 CSV with a header, flat columns, spreadsheet-safe cells.
    Csv,
    /// An Excel workbook (the flat columns, real dates and numbers, links),
    /// written from an NDJSON spool when the output is complete.
    Xlsx,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// Every format.
    pub const ALL: [Format; 4] = [Format::Json, Format::Ndjson, Format::Csv, Format::Xlsx];
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            "csv" => Ok(Format::Csv),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            other => Err(format!(
                "unknown format {other:?} (json, ndjson, csv, xlsx; parquet is not built yet)"
            )),
        }
    }
}

/// Opens a file sink. With `resume_at = Some(n)` the file is truncated to `n`
/// bytes (a committed size) and writing continues there; otherwise it is created anew.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.ndjson");
/// let mut sink = engine::sink::open_file(engine::sink::Format::Ndjson, &path, None).unwrap();
/// sink.write(&engine::Comment::new("steam", engine::Kind::Review, "1", "440", "u")).unwrap();
/// let size = sink.finish().unwrap();
/// assert_eq!(size, std::fs::metadata(&path).unwrap().len());
/// ```
pub fn open_file(
    format: Format,
    path: &Path,
    resume_at: Option<u64>,
) -> Result<Box<dyn Sink>, Error> {
    Ok(match format {
        Format::Json => {
            Box::new(TextSink::open(path, JsonArrayEncoder, resume_at)?.with_format(format))
        }
        Format::Ndjson => {
            Box::new(TextSink::open(path, NdjsonEncoder, resume_at)?.with_format(format))
        }
        Format::Csv => {
            Box::new(TextSink::open(path, CsvEncoder::default(), resume_at)?.with_format(format))
        }
        Format::Xlsx => Box::new(XlsxSink::open(path, resume_at)?),
    })
}
