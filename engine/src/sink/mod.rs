//! Sinks: where records go. One trait for every format; file sinks can be
//! reopened at a committed size, which is what makes `--resume` exact.

mod columns;
mod csv_chunks;
mod csv_enc;
mod fields;
mod json_fields;
#[cfg(feature = "parquet")]
mod parquet;
mod summary;
mod text;
mod topk;
mod xlsx;
mod xlsx_assemble;
mod xlsx_book;
mod xlsx_frame;
mod xlsx_rows;
mod xlsx_sink;
mod xlsx_styles;
mod zip_out;

use std::path::Path;

pub use columns::{cell, neutralize, Cell, COLUMNS};
pub use csv_chunks::{csv_parts_dir, ChunkedCsvSink, DEFAULT_CHUNK_ROWS};
pub use csv_enc::CsvEncoder;
pub use fields::Fields;
pub use json_fields::JsonFieldsEncoder;
#[cfg(feature = "parquet")]
pub use parquet::{ParquetSink, ROW_GROUP};
pub use text::{Encoder, JsonArrayEncoder, NdjsonEncoder, TextSink};
pub use topk::{Ranked, TopK};
pub use xlsx::{ndjson_to_xlsx, XlsxStats};
pub use xlsx_frame::XlsxFrameEncoder;
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
    /// The files this output consists of once finished, relative to its
    /// folder (`name` itself unless it is chunked or zipped).
    fn outputs(&self, name: &str) -> Vec<String> {
        vec![name.to_string()]
    }
}

/// Deletes what an output kept in `.runner/spool/` for a later `--resume`
/// (the XLSX spool, the chunks of a zipped CSV); called once the output's
/// job is recorded as done.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// engine::sink::remove_spools(dir.path(), "steam_440.xlsx"); // nothing there: fine
/// ```
pub fn remove_spools(dir: &Path, name: &str) {
    let path = dir.join(name);
    if name.ends_with(".xlsx") || name.ends_with(".parquet") {
        let _ = std::fs::remove_file(xlsx_spool_path(&path));
    }
    if name.ends_with(".csv") {
        let _ = std::fs::remove_dir_all(csv_parts_dir(&path));
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
    encoder_with(format, &Fields::all())
}

/// The encoder of a format for a selection of columns (see [`Fields`]).
///
/// ```
/// use engine::sink::{encoder_with, Fields, Format};
/// let mut e = encoder_with(Format::Csv, &Fields::parse("id").unwrap());
/// let mut out = Vec::new();
/// e.header(&mut out);
/// assert_eq!(out, b"id\r\n");
/// ```
pub fn encoder_with(format: Format, fields: &Fields) -> Box<dyn Encoder> {
    let all = fields.is_all();
    match format {
        Format::Json if all => Box::new(JsonArrayEncoder),
        Format::Json => Box::new(JsonFieldsEncoder::array(fields.clone())),
        // A Parquet sink spools NDJSON (see `ParquetSink`).
        Format::Ndjson | Format::Parquet if all => Box::new(NdjsonEncoder),
        Format::Ndjson | Format::Parquet => Box::new(JsonFieldsEncoder::ndjson(fields.clone())),
        Format::Csv => Box::new(CsvEncoder::with_fields(fields.clone())),
        // An XLSX sink spools frames of compressed rows (see `XlsxSink`).
        Format::Xlsx => Box::new(XlsxFrameEncoder::new(fields.clone())),
    }
}

/// How file sinks write, beyond their format: the same for every sink of a batch.
///
/// ```
/// let o = engine::sink::SinkOptions::default();
/// assert!(o.fields.is_all());
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SinkOptions {
    /// Columns and their order (`--fields`).
    pub fields: Fields,
    /// CSV in chunks of at most this many data rows (`--chunk-rows`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_rows: Option<u64>,
    /// CSV chunks in one `name.csv.zip` (`--zip`; chunks of
    /// [`DEFAULT_CHUNK_ROWS`] unless `chunk_rows` says otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub zip: bool,
}

impl SinkOptions {
    /// Rows per CSV chunk, when CSV is chunked.
    ///
    /// ```
    /// let o = engine::sink::SinkOptions { zip: true, ..Default::default() };
    /// assert_eq!(o.csv_chunk_rows(), Some(10_000));
    /// ```
    pub fn csv_chunk_rows(&self) -> Option<u64> {
        match (self.chunk_rows, self.zip) {
            (Some(n), _) => Some(n.max(1)),
            (None, true) => Some(DEFAULT_CHUNK_ROWS),
            (None, false) => None,
        }
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
    /// An Excel workbook (the flat columns, real dates and numbers, links,
    /// sentiment colours, summary and legend sheets), assembled from a spool
    /// of compressed rows when the output is complete.
    Xlsx,
    /// Apache Parquet (zstd) of the flat columns, written from an NDJSON
    /// spool when the output is complete; only in builds with the `parquet`
    /// feature (see [`PARQUET`]).
    Parquet,
}

/// Whether this build writes Parquet (the `parquet` feature).
pub const PARQUET: bool = cfg!(feature = "parquet");

/// The error for `--format parquet` in a build without the feature.
///
/// ```
/// assert!(engine::sink::parquet_unavailable().to_string().contains("--features parquet"));
/// ```
pub fn parquet_unavailable() -> Error {
    Error::Config(
        "this runner was built without Parquet support: rebuild with \
         `cargo build --release -p runner --features parquet`"
            .into(),
    )
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Parquet => "parquet",
        }
    }

    /// Every format every build has (Parquet needs the `parquet` feature).
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
            "parquet" | "pq" => Ok(Format::Parquet),
            other => Err(format!(
                "unknown format {other:?} (json, ndjson, csv, xlsx, parquet)"
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
    open_file_with(format, path, resume_at, &SinkOptions::default())
}

/// [`open_file`] with [`SinkOptions`].
///
/// ```
/// use engine::sink::{open_file_with, Fields, Format, SinkOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.csv");
/// let opts = SinkOptions { fields: Fields::parse("id,kind").unwrap(), ..Default::default() };
/// let mut sink = open_file_with(Format::Csv, &path, None, &opts).unwrap();
/// sink.write(&engine::Comment::new("steam", engine::Kind::Review, "1", "440", "u")).unwrap();
/// sink.finish().unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,kind\r\n1,review\r\n");
/// ```
pub fn open_file_with(
    format: Format,
    path: &Path,
    resume_at: Option<u64>,
    options: &SinkOptions,
) -> Result<Box<dyn Sink>, Error> {
    let fields = &options.fields;
    Ok(match format {
        Format::Csv if options.csv_chunk_rows().is_some() => Box::new(ChunkedCsvSink::open(
            path,
            resume_at,
            fields.clone(),
            options.csv_chunk_rows().unwrap_or(DEFAULT_CHUNK_ROWS),
            options.zip,
        )?),
        Format::Json | Format::Ndjson | Format::Csv => Box::new(
            TextSink::open(path, encoder_with(format, fields), resume_at)?.with_format(format),
        ),
        Format::Xlsx => Box::new(XlsxSink::open(path, resume_at, fields.clone())?),
        #[cfg(feature = "parquet")]
        Format::Parquet => Box::new(ParquetSink::open(path, resume_at, fields.clone())?),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => return Err(parquet_unavailable()),
    })
}
