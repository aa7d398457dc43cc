//! The Parquet file sink (feature `parquet`, through polars).
//!
//! Like a workbook, a Parquet file is only valid once its footer is written,
//! so it cannot be cut back to a committed size. Records are spooled as
//! NDJSON of the selected columns (committed and resumed like any text
//! output, and the same bytes as an `.ndjson` output of the batch) and the
//! Parquet file is written from the spool, in row groups of
//! [`ROW_GROUP`] rows, when the sink finishes.
//!
//! Schema: one column per selected field, named as in the CSV header:
//! strings (`Utf8`) for text and ids, `UInt32` `depth`, `UInt64` counts,
//! `Float64` `rating` and `sentiment_score`, `Boolean` `edited` and
//! `likes_approx`, `Datetime(µs, UTC)` `created_at` and `fetched_at`, and
//! `extra` as a JSON string (its keys differ per platform, so a struct
//! column would not have one schema). Missing values are nulls.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;

use super::fields::Fields;
use super::text::{Encoder, TextSink};
use super::{encoder_with, xlsx_spool_path, Format as SinkFormat, Sink};
use crate::{Comment, Error};

/// Rows per row group (and per batch held in memory while converting).
pub const ROW_GROUP: usize = 16_384;

/// How a column is typed in the Parquet schema.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    U32,
    U64,
    F64,
    Bool,
    Time,
}

fn kind_of(name: &str) -> Kind {
    match name {
        "depth" => Kind::U32,
        "likes" | "dislikes" | "reply_count" => Kind::U64,
        "rating" | "sentiment_score" => Kind::F64,
        "edited" | "likes_approx" => Kind::Bool,
        "created_at" | "fetched_at" => Kind::Time,
        _ => Kind::Str,
    }
}

/// One column being filled.
enum Column {
    Str(Vec<Option<String>>),
    U32(Vec<Option<u32>>),
    U64(Vec<Option<u64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Time(Vec<Option<i64>>),
}

impl Column {
    fn new(kind: Kind) -> Column {
        match kind {
            Kind::Str => Column::Str(Vec::new()),
            Kind::U32 => Column::U32(Vec::new()),
            Kind::U64 => Column::U64(Vec::new()),
            Kind::F64 => Column::F64(Vec::new()),
            Kind::Bool => Column::Bool(Vec::new()),
            Kind::Time => Column::Time(Vec::new()),
        }
    }

    fn push(&mut self, v: &Value) {
        match self {
            Column::Str(c) => c.push(match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }),
            Column::U32(c) => c.push(v.as_u64().and_then(|n| u32::try_from(n).ok())),
            Column::U64(c) => c.push(v.as_u64()),
            Column::F64(c) => c.push(v.as_f64()),
            Column::Bool(c) => c.push(v.as_bool()),
            Column::Time(c) => c.push(
                v.as_str()
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.timestamp_micros()),
            ),
        }
    }

    fn take(&mut self, name: &str) -> PolarsResult<Series> {
        let name = PlSmallStr::from(name);
        Ok(match self {
            Column::Str(c) => Series::new(name, std::mem::take(c)),
            Column::U32(c) => Series::new(name, std::mem::take(c)),
            Column::U64(c) => Series::new(name, std::mem::take(c)),
            Column::F64(c) => Series::new(name, std::mem::take(c)),
            Column::Bool(c) => Series::new(name, std::mem::take(c)),
            Column::Time(c) => Series::new(name, std::mem::take(c)).cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))?,
        })
    }
}

/// The value of column `name` in a spooled record: a flat object of the
/// selected fields, or (every field selected) the whole record, whose
/// sentiment is nested.
fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    match record.get(name) {
        Some(v) => v,
        None => name
            .strip_prefix("sentiment_")
            .and_then(|k| record.get("sentiment")?.get(k))
            .unwrap_or(&Value::Null),
    }
}

/// A `.parquet` output: an NDJSON spool while records arrive, Parquet at the end.
pub struct ParquetSink {
    spool: TextSink<Box<dyn Encoder>>,
    spool_path: PathBuf,
    path: PathBuf,
    fields: Fields,
}

impl ParquetSink {
    /// Opens the sink for `path`; `resume_at` is the spool's committed size.
    pub fn open(path: &Path, resume_at: Option<u64>, fields: Fields) -> Result<ParquetSink, Error> {
        let spool_path = xlsx_spool_path(path);
        if let Some(dir) = spool_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let encoder = encoder_with(SinkFormat::Ndjson, &fields);
        Ok(ParquetSink {
            spool: TextSink::open(&spool_path, encoder, resume_at)?.with_format(SinkFormat::Ndjson),
            spool_path,
            path: path.to_path_buf(),
            fields,
        })
    }
}

/// Writes `dst` from an NDJSON spool of records (beside it, then renamed).
fn convert(src: &Path, dst: &Path, fields: &Fields) -> Result<u64, Error> {
    let mut part = dst.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let res = write(src, &part, fields);
    match res {
        Ok(rows) => {
            std::fs::rename(&part, dst).map_err(|e| Error::io(dst, e))?;
            Ok(rows)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

fn write(src: &Path, part: &Path, fields: &Fields) -> Result<u64, Error> {
    let perr = |e: PolarsError| Error::io(part, std::io::Error::other(e.to_string()));
    let names: Vec<&str> = fields.names().collect();
    let mut cols: Vec<Column> = names.iter().map(|n| Column::new(kind_of(n))).collect();
    let frame = |cols: &mut Vec<Column>| -> PolarsResult<DataFrame> {
        let series = cols
            .iter_mut()
            .zip(&names)
            .map(|(c, n)| c.take(n).map(polars::prelude::Column::from))
            .collect::<PolarsResult<Vec<_>>>()?;
        DataFrame::new_infer_height(series)
    };
    let reader =
        BufReader::with_capacity(256 * 1024, File::open(src).map_err(|e| Error::io(src, e))?);
    let out = File::create(part).map_err(|e| Error::io(part, e))?;
    let schema = frame(&mut cols).map_err(perr)?.schema().as_ref().clone();
    let mut writer = ParquetWriter::new(out)
        .with_compression(ParquetCompression::Zstd(None))
        .batched(&schema)
        .map_err(perr)?;
    let (mut rows, mut in_batch) = (0u64, 0usize);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(src, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Value = serde_json::from_str(&line).map_err(|e| {
            let src_name = src.display().to_string();
            Error::parse(
                "parquet",
                &src_name,
                format!("line {}: {e}", i + 1),
                &line,
                0,
            )
        })?;
        for (c, n) in cols.iter_mut().zip(&names) {
            c.push(field(&record, n));
        }
        rows += 1;
        in_batch += 1;
        if in_batch == ROW_GROUP {
            writer
                .write_batch(&frame(&mut cols).map_err(perr)?)
                .map_err(perr)?;
            in_batch = 0;
        }
    }
    if in_batch > 0 || rows == 0 {
        writer
            .write_batch(&frame(&mut cols).map_err(perr)?)
            .map_err(perr)?;
    }
    writer.finish().map_err(perr)?;
    Ok(rows)
}

impl Sink for ParquetSink {
    fn write(&mut self, record: &Comment) -> Result<(), Error> {
        self.spool.write(record)
    }

    fn commit(&mut self) -> Result<u64, Error> {
        self.spool.commit()
    }

    /// Completes the spool, then writes the Parquet file from it; returns
    /// the spool's size (what a resume would reopen it at).
    fn finish(&mut self) -> Result<u64, Error> {
        let size = self.spool.finish()?;
        convert(&self.spool_path, &self.path, &self.fields)?;
        Ok(size)
    }

    /// The spool takes the batch's NDJSON encoding of the same fields.
    fn text_format(&self) -> Option<SinkFormat> {
        Some(SinkFormat::Ndjson)
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.spool.write_encoded(bytes)
    }
}
