//! The XLSX spool format: frames of rows, each holding the rows' sheet XML
//! already deflate-compressed and the rows' summary keys.
//!
//! A frame is an independent raw-deflate segment ended by a sync flush
//! (byte-aligned, not final), so the workbook's sheet entry is just the
//! concatenation of the frames' compressed bytes between a compressed head
//! and tail: finishing a workbook copies bytes, it does not re-encode or
//! re-compress rows. The spool is append-only and cut at committed sizes on
//! `--resume`, like a text output.
//!
//! Layout (little-endian): `XLF1`, rows u32, xml_len u32, crc32 of the XML
//! u32, compressed length u32, keys length u32, cut cells u32, then the
//! compressed XML and the keys.

use flate2::{Compress, Compression, FlushCompress};

use super::fields::Fields;
use super::summary::put_keys;
use super::text::Encoder;
use super::xlsx_rows::RowEncoder;
use crate::{Comment, Error};

const MAGIC: &[u8; 4] = b"XLF1";
/// Bytes of a frame header.
pub(crate) const HEADER: usize = 28;
/// Rows per frame at most (also the waste at a sheet's end, see `xlsx_sheets`).
pub(crate) const MAX_FRAME_ROWS: u32 = 1_000;
/// Uncompressed XML per frame at most (a frame is compressed in one piece).
const MAX_FRAME_XML: usize = 1 << 20;
/// Deflate level of rows: 1 is several times faster than the default 6 for
/// a file about a quarter larger, and compression is most of a row's cost.
pub(crate) const LEVEL: u32 = 1;

/// A frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameInfo {
    pub(crate) rows: u32,
    pub(crate) xml_len: u32,
    pub(crate) crc: u32,
    pub(crate) z_len: u32,
    pub(crate) keys_len: u32,
    pub(crate) truncated: u32,
}

impl FrameInfo {
    /// Reads a header; `None` when the bytes are not one.
    pub(crate) fn parse(b: &[u8]) -> Option<FrameInfo> {
        let b = b.get(..HEADER)?;
        if &b[..4] != MAGIC {
            return None;
        }
        let u = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Some(FrameInfo {
            rows: u(4),
            xml_len: u(8),
            crc: u(12),
            z_len: u(16),
            keys_len: u(20),
            truncated: u(24),
        })
    }

    /// Whole frame size, header included.
    pub(crate) fn len(&self) -> u64 {
        HEADER as u64 + u64::from(self.z_len) + u64::from(self.keys_len)
    }

    /// Offset of the keys inside the frame.
    pub(crate) fn keys_at(&self) -> usize {
        HEADER + self.z_len as usize
    }
}

/// Appends `data` compressed as raw deflate to `out`. `Sync` leaves the
/// stream open and byte-aligned (what a frame or a sheet head needs),
/// `Finish` ends it.
pub(crate) fn deflate_into(
    z: &mut Compress,
    data: &[u8],
    flush: FlushCompress,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start_in = z.total_in();
    loop {
        out.reserve(data.len() / 2 + 4096);
        let done = (z.total_in() - start_in) as usize;
        let status = z
            .compress_vec(&data[done..], out, flush)
            .map_err(|e| Error::Config(format!("deflate failed: {e}")))?;
        let all_in = (z.total_in() - start_in) as usize == data.len();
        let finished = match flush {
            FlushCompress::Finish => status == flate2::Status::StreamEnd,
            // zlib has completed a flush when it returns with output space left.
            _ => all_in && out.len() < out.capacity(),
        };
        if finished {
            return Ok(());
        }
    }
}

/// A fresh raw-deflate compressor at the rows' level.
pub(crate) fn compressor() -> Compress {
    Compress::new(Compression::new(LEVEL), false)
}

/// Builds frames from records.
pub(crate) struct FrameBuilder {
    rows: RowEncoder,
    xml: Vec<u8>,
    keys: Vec<u8>,
    n: u32,
    max_rows: u32,
    z: Compress,
}

impl FrameBuilder {
    /// Frames of at most `max_rows` rows (capped at [`MAX_FRAME_ROWS`]).
    pub(crate) fn new(fields: Fields, max_rows: u32) -> FrameBuilder {
        FrameBuilder {
            rows: RowEncoder::new(fields),
            xml: Vec::with_capacity(256 * 1024),
            keys: Vec::with_capacity(16 * 1024),
            n: 0,
            max_rows: max_rows.clamp(1, MAX_FRAME_ROWS),
            z: compressor(),
        }
    }

    /// Adds one row; true when the frame is full (call [`finish`](Self::finish)).
    pub(crate) fn push(&mut self, c: &Comment) -> bool {
        self.rows.row(c, &mut self.xml);
        put_keys(&mut self.keys, c);
        self.n += 1;
        self.n >= self.max_rows || self.xml.len() >= MAX_FRAME_XML
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Appends the frame of the rows pushed so far (nothing when none) and starts a new one.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.n == 0 {
            return Ok(());
        }
        let too_big = || Error::Config("XLSX frame over 4 GiB".into());
        let head = out.len();
        out.extend_from_slice(&[0; HEADER]);
        self.z.reset();
        deflate_into(&mut self.z, &self.xml, FlushCompress::Sync, out)?;
        let z_len = out.len() - head - HEADER;
        out.extend_from_slice(&self.keys);
        let info = FrameInfo {
            rows: self.n,
            xml_len: u32::try_from(self.xml.len()).map_err(|_| too_big())?,
            crc: crc32fast::hash(&self.xml),
            z_len: u32::try_from(z_len).map_err(|_| too_big())?,
            keys_len: u32::try_from(self.keys.len()).map_err(|_| too_big())?,
            truncated: u32::try_from(self.rows.truncated).unwrap_or(u32::MAX),
        };
        let h = &mut out[head..head + HEADER];
        h[..4].copy_from_slice(MAGIC);
        for (i, v) in [
            info.rows,
            info.xml_len,
            info.crc,
            info.z_len,
            info.keys_len,
            info.truncated,
        ]
        .into_iter()
        .enumerate()
        {
            h[4 + 4 * i..8 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        self.xml.clear();
        self.keys.clear();
        self.n = 0;
        self.rows.truncated = 0;
        Ok(())
    }
}

/// The shared encoding of XLSX outputs (see [`Encoder`]): a page of records
/// becomes frames, which every `.xlsx` sink of the batch appends as they are.
pub struct XlsxFrameEncoder {
    builder: FrameBuilder,
}

impl XlsxFrameEncoder {
    /// Frames of the selected columns.
    ///
    /// ```
    /// use engine::sink::{Encoder, Fields, XlsxFrameEncoder};
    /// let mut e = XlsxFrameEncoder::new(Fields::all());
    /// let mut out = Vec::new();
    /// e.page(&[engine::Comment::new("steam", engine::Kind::Review, "1", "2", "u")], &mut out).unwrap();
    /// assert!(out.starts_with(b"XLF1"));
    /// ```
    pub fn new(fields: Fields) -> XlsxFrameEncoder {
        XlsxFrameEncoder {
            builder: FrameBuilder::new(fields, MAX_FRAME_ROWS),
        }
    }
}

impl Encoder for XlsxFrameEncoder {
    fn header(&mut self, _: &mut Vec<u8>) {}
    fn record(&mut self, record: &Comment, _: bool, out: &mut Vec<u8>) -> Result<(), Error> {
        self.page(std::slice::from_ref(record), out)
    }
    fn footer(&mut self, _: &mut Vec<u8>) {}
    fn page(&mut self, records: &[Comment], out: &mut Vec<u8>) -> Result<(), Error> {
        for r in records {
            if self.builder.push(r) {
                self.builder.finish(out)?;
            }
        }
        self.builder.finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn concatenated_frames_inflate_to_the_rows() {
        let mut b = FrameBuilder::new(Fields::parse("id,text").unwrap(), 2);
        let mut spool = Vec::new();
        for i in 0..5 {
            let mut c = Comment::new("steam", crate::Kind::Review, i.to_string(), "1", "u");
            c.text = format!("text <{i}> & more");
            if b.push(&c) {
                b.finish(&mut spool).unwrap();
            }
        }
        b.finish(&mut spool).unwrap();
        // Frames: 2 + 2 + 1 rows; their deflate parts joined, then a final empty block.
        let mut at = 0;
        let mut deflate = Vec::new();
        let mut rows = Vec::new();
        let mut xml_len = 0;
        while at < spool.len() {
            let info = FrameInfo::parse(&spool[at..]).unwrap();
            rows.push(info.rows);
            xml_len += info.xml_len as usize;
            deflate.extend_from_slice(&spool[at + HEADER..at + info.keys_at()]);
            at += info.len() as usize;
        }
        assert_eq!(rows, [2, 2, 1]);
        let mut z = compressor();
        deflate_into(&mut z, b"", FlushCompress::Finish, &mut deflate).unwrap();
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(&deflate[..])
            .read_to_string(&mut xml)
            .unwrap();
        assert_eq!(xml.len(), xml_len);
        assert_eq!(xml.matches("<row>").count(), 5);
        assert!(xml.contains("text &lt;4&gt; &amp; more"));
    }
}
