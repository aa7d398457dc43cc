//! The XLSX file sink. A workbook is a zip written at the end, so it cannot be
//! cut back to a committed size like a text file: records are spooled as
//! NDJSON (committed and resumed exactly like any text output) and the spool
//! is converted to the workbook when the sink finishes.

use std::path::{Path, PathBuf};

use super::{ndjson_to_xlsx, Format, NdjsonEncoder, Sink, TextSink};
use crate::{Comment, Error};

/// Where the spool of an XLSX output lives: `.runner/spool/<file name>.ndjson`
/// in the output's folder (beside the checkpoint journal).
///
/// ```
/// let p = engine::sink::xlsx_spool_path(std::path::Path::new("export/steam_440.xlsx"));
/// assert_eq!(p, std::path::Path::new("export/.runner/spool/steam_440.xlsx.ndjson"));
/// ```
pub fn xlsx_spool_path(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(".runner")
        .join("spool");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out.xlsx".to_string());
    dir.join(format!("{name}.ndjson"))
}

/// An `.xlsx` output: an NDJSON spool while records arrive, a workbook at the end.
pub struct XlsxSink {
    spool: TextSink<NdjsonEncoder>,
    spool_path: PathBuf,
    path: PathBuf,
}

impl XlsxSink {
    /// Opens the sink for `path`; `resume_at` is the spool's committed size.
    pub fn open(path: &Path, resume_at: Option<u64>) -> Result<XlsxSink, Error> {
        let spool_path = xlsx_spool_path(path);
        if let Some(dir) = spool_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        Ok(XlsxSink {
            spool: TextSink::open(&spool_path, NdjsonEncoder, resume_at)?
                .with_format(Format::Ndjson),
            spool_path,
            path: path.to_path_buf(),
        })
    }
}

impl Sink for XlsxSink {
    fn write(&mut self, record: &Comment) -> Result<(), Error> {
        self.spool.write(record)
    }

    fn commit(&mut self) -> Result<u64, Error> {
        self.spool.commit()
    }

    /// Completes the spool, then writes the workbook from it; returns the spool's size
    /// (what a resume would reopen it at).
    fn finish(&mut self) -> Result<u64, Error> {
        let size = self.spool.finish()?;
        ndjson_to_xlsx(&self.spool_path, &self.path)?;
        Ok(size)
    }

    /// The spool takes NDJSON bytes, so one encoding serves it and an `.ndjson` output.
    fn text_format(&self) -> Option<Format> {
        Some(Format::Ndjson)
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.spool.write_encoded(bytes)
    }
}
