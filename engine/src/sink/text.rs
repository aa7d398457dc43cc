//! Text file sinks: an [`Encoder`] turns records into bytes, a [`TextSink`]
//! owns the file, its committed size and resumption.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::Sink;
use crate::{Comment, Error};

/// Turns records into the bytes of one text format.
pub trait Encoder: Send {
    /// Bytes at the start of an empty file.
    fn header(&mut self, out: &mut Vec<u8>);
    /// Bytes of one record; `first` is true when no record precedes it in the file.
    fn record(&mut self, record: &Comment, first: bool, out: &mut Vec<u8>) -> Result<(), Error>;
    /// Bytes that complete the file.
    fn footer(&mut self, out: &mut Vec<u8>);
    /// Bytes between two records (what `record` adds before a record that is
    /// not `first`), so one encoding of a record can serve several files.
    fn separator(&self) -> &'static [u8] {
        b""
    }
    /// Bytes of a page of records as if none preceded them in the file (a
    /// sink adds [`separator`](Self::separator) before them when it has
    /// records), so one encoding of a page serves several files.
    fn page(&mut self, records: &[Comment], out: &mut Vec<u8>) -> Result<(), Error> {
        for (i, r) in records.iter().enumerate() {
            self.record(r, i == 0, out)?;
        }
        Ok(())
    }
}

impl<E: Encoder + ?Sized> Encoder for Box<E> {
    fn header(&mut self, out: &mut Vec<u8>) {
        (**self).header(out)
    }
    fn record(&mut self, record: &Comment, first: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        (**self).record(record, first, out)
    }
    fn footer(&mut self, out: &mut Vec<u8>) {
        (**self).footer(out)
    }
    fn separator(&self) -> &'static [u8] {
        (**self).separator()
    }
    fn page(&mut self, records: &[Comment], out: &mut Vec<u8>) -> Result<(), Error> {
        (**self).page(records, out)
    }
}

/// NDJSON: one record per line, nothing around.
///
/// ```
/// use engine::sink::{Encoder, NdjsonEncoder};
/// let mut out = Vec::new();
/// NdjsonEncoder.record(&engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u"), true, &mut out).unwrap();
/// assert!(out.ends_with(b"}\n"));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct NdjsonEncoder;

impl Encoder for NdjsonEncoder {
    fn header(&mut self, _: &mut Vec<u8>) {}
    fn record(&mut self, record: &Comment, _: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        serde_json::to_writer(&mut *out, record)
            .map_err(|e| Error::Config(format!("cannot encode record: {e}")))?;
        out.push(b'\n');
        Ok(())
    }
    fn footer(&mut self, _: &mut Vec<u8>) {}
}

/// A JSON array, one record per line, streamed (never held in memory).
///
/// ```
/// use engine::sink::{Encoder, JsonArrayEncoder};
/// let mut out = Vec::new();
/// let mut e = JsonArrayEncoder;
/// e.header(&mut out);
/// e.footer(&mut out);
/// let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(v, serde_json::json!([]));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonArrayEncoder;

impl Encoder for JsonArrayEncoder {
    fn header(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"[\n");
    }
    fn record(&mut self, record: &Comment, first: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        if !first {
            out.extend_from_slice(b",\n");
        }
        serde_json::to_writer(&mut *out, record)
            .map_err(|e| Error::Config(format!("cannot encode record: {e}")))
    }
    fn footer(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\n]\n");
    }
    fn separator(&self) -> &'static [u8] {
        b",\n"
    }
}

/// A file written through an [`Encoder`], reopenable at a committed size.
pub struct TextSink<E: Encoder> {
    encoder: E,
    file: BufWriter<File>,
    path: PathBuf,
    buf: Vec<u8>,
    size: u64,
    has_records: bool,
    format: Option<super::Format>,
}

impl<E: Encoder> TextSink<E> {
    /// Creates `path` (or, with `resume_at`, truncates it to that committed size and appends).
    pub fn open(path: &Path, mut encoder: E, resume_at: Option<u64>) -> Result<TextSink<E>, Error> {
        let io = |e| Error::io(path, e);
        let mut header = Vec::new();
        encoder.header(&mut header);
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(resume_at.is_none())
            .open(path)
            .map_err(io)?;
        let size = match resume_at {
            Some(n) => {
                let actual = file.metadata().map_err(io)?.len();
                if actual < n {
                    return Err(Error::Checkpoint(format!(
                        "{} has {actual} bytes but {n} were committed: the output folder was changed since the run",
                        path.display()
                    )));
                }
                file.set_len(n).map_err(io)?;
                file.seek(SeekFrom::End(0)).map_err(io)?;
                n
            }
            None => 0,
        };
        let mut sink = TextSink {
            encoder,
            file: BufWriter::with_capacity(256 * 1024, file),
            path: path.to_path_buf(),
            buf: Vec::with_capacity(8192),
            has_records: size > header.len() as u64,
            format: None,
            size,
        };
        if size == 0 {
            sink.put(&header)?;
        }
        Ok(sink)
    }

    /// Declares which [`Format`](super::Format) this sink's encoder writes,
    /// so callers may hand it records that format's encoder already encoded.
    pub fn with_format(mut self, format: super::Format) -> Self {
        self.format = Some(format);
        self
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))?;
        self.size += bytes.len() as u64;
        Ok(())
    }
}

impl<E: Encoder> Sink for TextSink<E> {
    fn write_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.has_records {
            let sep = self.encoder.separator();
            self.put(sep)?;
        }
        self.put(bytes)?;
        self.has_records = true;
        Ok(())
    }

    fn text_format(&self) -> Option<super::Format> {
        self.format
    }

    fn write(&mut self, record: &Comment) -> Result<(), Error> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let res = self.encoder.record(record, !self.has_records, &mut buf);
        let res = res.and_then(|()| self.put(&buf));
        self.buf = buf;
        self.has_records = true;
        res
    }

    fn commit(&mut self) -> Result<u64, Error> {
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.size)
    }

    fn finish(&mut self) -> Result<u64, Error> {
        let mut footer = Vec::new();
        self.encoder.footer(&mut footer);
        self.put(&footer)?;
        // No fsync: a finished file is in the OS's hands, which is what
        // crash safety against the process dying needs; syncing large outputs
        // here stalled the writer for seconds (see BENCHMARKS.md).
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::{open_file, Format, COLUMNS};
    use crate::Kind;

    fn rec(id: &str, text: &str) -> Comment {
        let mut c = Comment::new(
            "steam",
            Kind::Review,
            id,
            "440",
            "https://store.steampowered.com/app/440/",
        );
        c.text = text.into();
        c
    }

    #[test]
    fn json_resume_continues_the_array() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let mut s = open_file(Format::Json, &path, None).unwrap();
        s.write(&rec("1", "a")).unwrap();
        let committed = s.commit().unwrap();
        s.write(&rec("2", "lost in a crash")).unwrap();
        s.commit().unwrap();
        drop(s);
        let mut s = open_file(Format::Json, &path, Some(committed)).unwrap();
        s.write(&rec("3", "c")).unwrap();
        s.finish().unwrap();
        let v: Vec<Comment> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let ids: Vec<_> = v.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
    }

    #[test]
    fn csv_round_trips_awkward_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let mut s = open_file(Format::Csv, &path, None).unwrap();
        let awkward = "line1\nline2, \"quoted\" 日本語 🎮";
        s.write(&rec("1", awkward)).unwrap();
        s.write(&rec("2", "@cmd")).unwrap();
        s.finish().unwrap();
        let mut r = csv::Reader::from_path(&path).unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        let text_col = COLUMNS.iter().position(|c| *c == "text").unwrap();
        assert_eq!(&rows[0][text_col], awkward);
        assert_eq!(&rows[1][text_col], "'@cmd");
        assert_eq!(r.headers().unwrap().len(), COLUMNS.len());
    }

    #[test]
    fn resume_refuses_a_shortened_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ndjson");
        std::fs::write(&path, b"{}\n").unwrap();
        assert!(open_file(Format::Ndjson, &path, Some(100)).is_err());
    }
}
