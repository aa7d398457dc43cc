//! Chunked CSV (`--chunk-rows N`, `--zip`): `name.part-0001.csv`, … each
//! with the header and at most N data rows, and with `--zip` one
//! `name.csv.zip` holding them (the chunks are then kept in the spool
//! folder until the zip is written).
//!
//! The committed size of the output is the total of the chunk files' sizes,
//! so a resume cuts the chunks back exactly like a single text file: every
//! chunk before the one the size falls in is complete, that one is cut, later
//! ones are deleted, and its rows are counted again.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::csv_enc::CsvEncoder;
use super::fields::Fields;
use super::text::Encoder;
use super::{Format, Sink};
use crate::{Comment, Error};

/// Rows per chunk when `--zip` is given without `--chunk-rows`.
pub const DEFAULT_CHUNK_ROWS: u64 = 10_000;

/// Where the chunks of a zipped CSV output wait for the zip:
/// `.runner/spool/<file name>.parts/` beside the output.
///
/// ```
/// let p = engine::sink::csv_parts_dir(std::path::Path::new("out/steam_440.csv"));
/// assert_eq!(p, std::path::Path::new("out/.runner/spool/steam_440.csv.parts"));
/// ```
pub fn csv_parts_dir(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.parent()
        .unwrap_or(Path::new(""))
        .join(".runner")
        .join("spool")
        .join(format!("{name}.parts"))
}

/// A CSV output written in chunks (see the module documentation).
///
/// ```
/// use engine::sink::{ChunkedCsvSink, Fields, Sink};
/// let dir = tempfile::tempdir().unwrap();
/// let mut s = ChunkedCsvSink::open(&dir.path().join("a.csv"), None, Fields::all(), 2, false).unwrap();
/// for i in 0..5 {
///     s.write(&engine::Comment::new("steam", engine::Kind::Review, i.to_string(), "1", "u")).unwrap();
/// }
/// s.finish().unwrap();
/// assert_eq!(s.outputs("a.csv"), ["a.part-0001.csv", "a.part-0002.csv", "a.part-0003.csv"]);
/// ```
pub struct ChunkedCsvSink {
    parts_dir: PathBuf,
    stem: String,
    zip_path: Option<PathBuf>,
    encoder: CsvEncoder,
    header: Vec<u8>,
    max_rows: u64,
    part: u32,
    rows: u64,
    file: Option<BufWriter<File>>,
    size: u64,
    buf: Vec<u8>,
}

impl ChunkedCsvSink {
    /// Opens the chunks of the CSV output `path` (`dir/name.csv`); with
    /// `resume_at`, cuts them back to that committed total size.
    pub fn open(
        path: &Path,
        resume_at: Option<u64>,
        fields: Fields,
        max_rows: u64,
        zip: bool,
    ) -> Result<ChunkedCsvSink, Error> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parts_dir = if zip {
            csv_parts_dir(path)
        } else {
            path.parent().unwrap_or(Path::new("")).to_path_buf()
        };
        if !parts_dir.as_os_str().is_empty() {
            std::fs::create_dir_all(&parts_dir).map_err(|e| Error::io(&parts_dir, e))?;
        }
        let mut encoder = CsvEncoder::with_fields(fields);
        let mut header = Vec::new();
        encoder.header(&mut header);
        let mut sink = ChunkedCsvSink {
            parts_dir,
            zip_path: zip.then(|| {
                let mut name = path.file_name().unwrap_or_default().to_os_string();
                name.push(".zip");
                path.with_file_name(name)
            }),
            stem,
            encoder,
            header,
            max_rows: max_rows.max(1),
            part: 0,
            rows: 0,
            file: None,
            size: 0,
            buf: Vec::with_capacity(8192),
        };
        match resume_at {
            None => sink.remove_parts_from(1)?,
            Some(n) => sink.reopen_at(n)?,
        }
        Ok(sink)
    }

    fn part_name(&self, n: u32) -> String {
        format!("{}.part-{n:04}.csv", self.stem)
    }

    fn part_path(&self, n: u32) -> PathBuf {
        self.parts_dir.join(self.part_name(n))
    }

    /// Deletes chunk `from` and every later one (left by an earlier run).
    fn remove_parts_from(&self, from: u32) -> Result<(), Error> {
        let mut n = from;
        loop {
            let p = self.part_path(n);
            match std::fs::remove_file(&p) {
                Ok(()) => n += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(Error::io(&p, e)),
            }
        }
    }

    fn reopen_at(&mut self, committed: u64) -> Result<(), Error> {
        let mut before = 0u64;
        let mut n = 1;
        while before < committed {
            let p = self.part_path(n);
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            if len == 0 {
                return Err(Error::Checkpoint(format!(
                    "{} is missing or empty but {committed} bytes of chunks were committed: the output folder was changed since the run",
                    p.display()
                )));
            }
            if before + len >= committed {
                let file = OpenOptions::new()
                    .append(true)
                    .open(&p)
                    .map_err(|e| Error::io(&p, e))?;
                file.set_len(committed - before)
                    .map_err(|e| Error::io(&p, e))?;
                self.rows = count_rows(&p)?;
                self.part = n;
                self.file = Some(BufWriter::with_capacity(256 * 1024, file));
                break;
            }
            before += len;
            n += 1;
        }
        self.size = committed;
        self.remove_parts_from(self.part + 1)
    }

    /// Writes one encoded record, starting a new chunk when this one is full.
    fn put_record(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.file.is_none() || self.rows >= self.max_rows {
            self.next_part()?;
        }
        let p = self.part_path(self.part);
        if let Some(f) = &mut self.file {
            f.write_all(bytes).map_err(|e| Error::io(&p, e))?;
        }
        self.size += bytes.len() as u64;
        self.rows += 1;
        Ok(())
    }

    fn next_part(&mut self) -> Result<(), Error> {
        if let Some(mut f) = self.file.take() {
            f.flush()
                .map_err(|e| Error::io(self.part_path(self.part), e))?;
        }
        self.part += 1;
        self.rows = 0;
        let p = self.part_path(self.part);
        let mut f =
            BufWriter::with_capacity(256 * 1024, File::create(&p).map_err(|e| Error::io(&p, e))?);
        f.write_all(&self.header).map_err(|e| Error::io(&p, e))?;
        self.size += self.header.len() as u64;
        self.file = Some(f);
        Ok(())
    }

    /// Puts every chunk in `name.csv.zip` (written beside it, then renamed).
    fn write_zip(&self, zip_path: &Path) -> Result<(), Error> {
        let mut tmp = zip_path.as_os_str().to_owned();
        tmp.push(".part");
        let tmp = PathBuf::from(tmp);
        let res = (|| -> Result<(), Error> {
            let zerr = |e: zip::result::ZipError| Error::io(zip_path, std::io::Error::other(e));
            let out = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
            let mut z = zip::ZipWriter::new(BufWriter::with_capacity(256 * 1024, out));
            for n in 1..=self.part {
                let p = self.part_path(n);
                let len = std::fs::metadata(&p).map_err(|e| Error::io(&p, e))?.len();
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(1))
                    .large_file(len >= u64::from(u32::MAX));
                z.start_file(self.part_name(n), options).map_err(zerr)?;
                let mut src = File::open(&p).map_err(|e| Error::io(&p, e))?;
                std::io::copy(&mut src, &mut z).map_err(|e| Error::io(zip_path, e))?;
            }
            z.finish()
                .map_err(zerr)?
                .flush()
                .map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, zip_path).map_err(|e| Error::io(zip_path, e))
        })();
        if res.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        res
    }
}

/// Data rows of a chunk (quoted fields may hold line breaks, so the CSV is parsed).
fn count_rows(p: &Path) -> Result<u64, Error> {
    let mut r = csv::Reader::from_path(p).map_err(|e| Error::io(p, std::io::Error::other(e)))?;
    let mut n = 0;
    let mut rec = csv::ByteRecord::new();
    while r
        .read_byte_record(&mut rec)
        .map_err(|e| Error::io(p, std::io::Error::other(e)))?
    {
        n += 1;
    }
    Ok(n)
}

/// Splits CSV bytes from [`CsvEncoder`] into records: a record ends at a
/// CRLF outside quotes (the encoder quotes every field holding CR or LF).
fn records(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let mut quoted = false;
        let mut i = at;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        let end = (i + 1).min(bytes.len());
        let rec = &bytes[at..end];
        at = end;
        Some(rec)
    })
}

impl Sink for ChunkedCsvSink {
    fn write(&mut self, record: &Comment) -> Result<(), Error> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let res = self
            .encoder
            .record(record, true, &mut buf)
            .and_then(|()| self.put_record(&buf));
        self.buf = buf;
        res
    }

    fn commit(&mut self) -> Result<u64, Error> {
        if let Some(f) = &mut self.file {
            f.flush()
                .map_err(|e| Error::io(self.parts_dir.join(&self.stem), e))?;
        }
        Ok(self.size)
    }

    fn finish(&mut self) -> Result<u64, Error> {
        if self.part == 0 {
            // No record: still one chunk, with the header.
            self.next_part()?;
        }
        let size = self.commit()?;
        if let Some(zip_path) = &self.zip_path {
            self.write_zip(zip_path)?;
        }
        Ok(size)
    }

    fn text_format(&self) -> Option<Format> {
        Some(Format::Csv)
    }

    fn write_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for rec in records(bytes) {
            self.put_record(rec)?;
        }
        Ok(())
    }

    fn outputs(&self, _name: &str) -> Vec<String> {
        match &self.zip_path {
            Some(z) => vec![z
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()],
            None => (1..=self.part).map(|n| self.part_name(n)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_outside_quotes_only() {
        let b = b"a,\"x\r\ny\"\r\nb,c\r\n\"\"\"q\"\r\n";
        let v: Vec<&[u8]> = records(b).collect();
        assert_eq!(
            v,
            [
                &b"a,\"x\r\ny\"\r\n"[..],
                &b"b,c\r\n"[..],
                &b"\"\"\"q\"\r\n"[..]
            ]
        );
    }
}
