//! The XLSX file sink. A workbook is a zip written at the end, so it cannot
//! be cut back to a committed size like a text file. Records are therefore
//! spooled as frames of compressed sheet rows plus summary keys (see
//! `xlsx_frame`), which commit and resume exactly like a text output, and
//! the workbook is assembled from the spool when the sink finishes.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::fields::Fields;
use super::summary::Summary;
use super::xlsx_assemble::{assemble, FrameAt};
use super::xlsx_frame::{FrameBuilder, FrameInfo, HEADER, MAX_FRAME_ROWS};
use super::{Format, Sink, XlsxStats};
use crate::{Comment, Error};

/// Data rows per worksheet: Excel has 1,048,576 rows and the header takes one.
pub(crate) const MAX_DATA_ROWS: u32 = 1_048_575;

/// Where the spool of an XLSX output lives: `.runner/spool/<file name>.spool`
/// in the output's folder (beside the checkpoint journal).
///
/// ```
/// let p = engine::sink::xlsx_spool_path(std::path::Path::new("export/steam_440.xlsx"));
/// assert_eq!(p, std::path::Path::new("export/.runner/spool/steam_440.xlsx.spool"));
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
    dir.join(format!("{name}.spool"))
}

/// An `.xlsx` output: a spool of frames while records arrive, a workbook at the end.
///
/// ```
/// use engine::sink::{Fields, Sink, XlsxSink};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.xlsx");
/// let mut sink = XlsxSink::open(&path, None, Fields::all()).unwrap();
/// sink.write(&engine::Comment::new("steam", engine::Kind::Review, "1", "440", "u")).unwrap();
/// sink.finish().unwrap();
/// assert_eq!(sink.stats().rows, 1);
/// assert!(path.exists());
/// ```
pub struct XlsxSink {
    path: PathBuf,
    spool_path: PathBuf,
    file: BufWriter<File>,
    size: u64,
    frames: Vec<FrameAt>,
    summary: Summary,
    /// Frames of records given one by one; made on first use (a batch
    /// hands over frames already encoded, so its sinks never need one).
    builder: Option<FrameBuilder>,
    buf: Vec<u8>,
    fields: Fields,
    rows_per_sheet: u32,
    stats: XlsxStats,
}

impl XlsxSink {
    /// Opens the sink for `path`; `resume_at` is the spool's committed size.
    pub fn open(path: &Path, resume_at: Option<u64>, fields: Fields) -> Result<XlsxSink, Error> {
        XlsxSink::with_sheet_rows(path, resume_at, fields, MAX_DATA_ROWS)
    }

    /// [`open`](Self::open) with fewer rows a sheet (tests of the rollover).
    pub(crate) fn with_sheet_rows(
        path: &Path,
        resume_at: Option<u64>,
        fields: Fields,
        rows_per_sheet: u32,
    ) -> Result<XlsxSink, Error> {
        XlsxSink::with_spool(
            path,
            &xlsx_spool_path(path),
            resume_at,
            fields,
            rows_per_sheet,
        )
    }

    /// The sink with its spool at `spool_path`.
    pub(crate) fn with_spool(
        path: &Path,
        spool_path: &Path,
        resume_at: Option<u64>,
        fields: Fields,
        rows_per_sheet: u32,
    ) -> Result<XlsxSink, Error> {
        let spool_path = spool_path.to_path_buf();
        if let Some(dir) = spool_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let io = |e| Error::io(&spool_path, e);
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(resume_at.is_none())
            .open(&spool_path)
            .map_err(io)?;
        let rows_per_sheet = rows_per_sheet.max(1);
        let mut sink = XlsxSink {
            path: path.to_path_buf(),
            spool_path: spool_path.clone(),
            file: BufWriter::with_capacity(256 * 1024, file.try_clone().map_err(io)?),
            size: 0,
            frames: Vec::new(),
            summary: Summary::default(),
            builder: None,
            buf: Vec::new(),
            fields,
            rows_per_sheet,
            stats: XlsxStats::default(),
        };
        if let Some(n) = resume_at {
            let actual = file.metadata().map_err(io)?.len();
            if actual < n {
                return Err(Error::Checkpoint(format!(
                    "{} has {actual} bytes but {n} were committed: the output folder was changed since the run",
                    spool_path.display()
                )));
            }
            file.set_len(n).map_err(io)?;
            sink.reload(&mut file, n)?;
            sink.file.seek(SeekFrom::End(0)).map_err(io)?;
        }
        Ok(sink)
    }

    /// Reads the committed frames back: their places and the summary.
    fn reload(&mut self, file: &mut File, len: u64) -> Result<(), Error> {
        let path = self.spool_path.clone();
        let damaged = |at: u64| {
            Error::Checkpoint(format!(
                "{} is damaged at byte {at}: not the spool a run wrote",
                path.display()
            ))
        };
        file.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(&self.spool_path, e))?;
        let mut r = BufReader::with_capacity(256 * 1024, &mut *file);
        let mut at = 0u64;
        let mut head = [0u8; HEADER];
        let mut keys = Vec::new();
        while at < len {
            r.read_exact(&mut head).map_err(|_| damaged(at))?;
            let info = FrameInfo::parse(&head).ok_or_else(|| damaged(at))?;
            if at + info.len() > len {
                return Err(damaged(at));
            }
            r.seek_relative(i64::from(info.z_len))
                .map_err(|e| Error::io(&self.spool_path, e))?;
            keys.resize(info.keys_len as usize, 0);
            r.read_exact(&mut keys).map_err(|_| damaged(at))?;
            self.add_frame(at, info, &keys).ok_or_else(|| damaged(at))?;
            at += info.len();
        }
        self.size = len;
        Ok(())
    }

    fn add_frame(&mut self, offset: u64, info: FrameInfo, keys: &[u8]) -> Option<()> {
        let n = self.summary.add_keys(keys)?;
        (n == u64::from(info.rows)).then_some(())?;
        self.frames.push(FrameAt { offset, info });
        Some(())
    }

    /// Appends whole frames.
    fn put_frames(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut at = 0usize;
        while at < bytes.len() {
            let info = FrameInfo::parse(&bytes[at..])
                .filter(|i| at as u64 + i.len() <= bytes.len() as u64)
                .ok_or_else(|| Error::Config("not XLSX frames".into()))?;
            let end = at + info.len() as usize;
            let keys = &bytes[at + info.keys_at()..end];
            self.add_frame(self.size + at as u64, info, keys)
                .ok_or_else(|| Error::Config("XLSX frame keys do not match its rows".into()))?;
            at = end;
        }
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io(&self.spool_path, e))?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    fn flush_builder(&mut self) -> Result<(), Error> {
        let Some(builder) = self.builder.as_mut().filter(|b| !b.is_empty()) else {
            return Ok(());
        };
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let res = builder
            .finish(&mut buf)
            .and_then(|()| self.put_frames(&buf));
        self.buf = buf;
        res
    }

    /// What the finished workbook holds (zero until [`finish`](Sink::finish)).
    pub fn stats(&self) -> XlsxStats {
        self.stats
    }
}

impl Sink for XlsxSink {
    fn write(&mut self, record: &Comment) -> Result<(), Error> {
        let (fields, rows) = (&self.fields, self.rows_per_sheet);
        let builder = self
            .builder
            .get_or_insert_with(|| FrameBuilder::new(fields.clone(), rows.min(MAX_FRAME_ROWS)));
        if builder.push(record) {
            self.flush_builder()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<u64, Error> {
        self.flush_builder()?;
        self.file
            .flush()
            .map_err(|e| Error::io(&self.spool_path, e))?;
        Ok(self.size)
    }

    /// Completes the spool, then writes the workbook from it; returns the
    /// spool's size (what a resume would reopen it at).
    fn finish(&mut self) -> Result<u64, Error> {
        let size = self.commit()?;
        self.stats = assemble(
            &self.spool_path,
            &self.frames,
            &self.fields,
            &self.summary,
            u64::from(self.rows_per_sheet),
            &self.path,
        )?;
        Ok(size)
    }

    /// The batch writer encodes each page once into frames
    /// ([`XlsxFrameEncoder`](super::XlsxFrameEncoder)) for every `.xlsx` output.
    fn text_format(&self) -> Option<Format> {
        Some(Format::Xlsx)
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.flush_builder()?;
        self.put_frames(bytes)
    }
}
