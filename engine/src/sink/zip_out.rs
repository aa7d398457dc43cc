//! A minimal zip writer for entries whose data is already compressed and
//! whose CRC and sizes are known before the data is written (what the XLSX
//! assembly has). Zip64 records are written only when a size or offset
//! needs them, as Excel's own files do.

use std::io::{self, Write};

const U32_MAX: u64 = 0xFFFF_FFFF;
/// 1980-01-01 00:00 in MS-DOS format (a fixed time keeps outputs reproducible).
const DOS_DATE: u16 = 0x0021;
const DOS_TIME: u16 = 0;
/// General purpose flag: names are UTF-8.
const UTF8: u16 = 1 << 11;

/// Compression of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Stored = 0,
    Deflate = 8,
}

struct Central {
    name: String,
    method: Method,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
}

/// Writes a zip archive entry by entry.
pub(crate) struct ZipOut<W: Write> {
    w: W,
    at: u64,
    entries: Vec<Central>,
    /// Bytes still expected for the open entry.
    pending: u64,
}

fn u16le(v: u16) -> [u8; 2] {
    v.to_le_bytes()
}
fn u32le(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}
fn u64le(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}
fn clamp32(v: u64) -> u32 {
    v.min(U32_MAX) as u32
}

impl<W: Write> ZipOut<W> {
    pub(crate) fn new(w: W) -> ZipOut<W> {
        ZipOut {
            w,
            at: 0,
            entries: Vec::new(),
            pending: 0,
        }
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)?;
        self.at += b.len() as u64;
        Ok(())
    }

    /// Starts entry `name`; exactly `csize` bytes must follow through [`data`](Self::data).
    pub(crate) fn begin(
        &mut self,
        name: &str,
        method: Method,
        crc: u32,
        csize: u64,
        usize: u64,
    ) -> io::Result<()> {
        if self.pending != 0 {
            return Err(io::Error::other("zip entry left incomplete"));
        }
        let big = csize >= U32_MAX || usize >= U32_MAX;
        let mut h = Vec::with_capacity(64 + name.len());
        h.extend_from_slice(&u32le(0x0403_4b50));
        h.extend_from_slice(&u16le(if big { 45 } else { 20 }));
        h.extend_from_slice(&u16le(UTF8));
        h.extend_from_slice(&u16le(method as u16));
        h.extend_from_slice(&u16le(DOS_TIME));
        h.extend_from_slice(&u16le(DOS_DATE));
        h.extend_from_slice(&u32le(crc));
        h.extend_from_slice(&u32le(if big { u32::MAX } else { csize as u32 }));
        h.extend_from_slice(&u32le(if big { u32::MAX } else { usize as u32 }));
        h.extend_from_slice(&u16le(name.len() as u16));
        h.extend_from_slice(&u16le(if big { 20 } else { 0 }));
        h.extend_from_slice(name.as_bytes());
        if big {
            h.extend_from_slice(&u16le(1));
            h.extend_from_slice(&u16le(16));
            h.extend_from_slice(&u64le(usize));
            h.extend_from_slice(&u64le(csize));
        }
        self.entries.push(Central {
            name: name.to_string(),
            method,
            crc,
            csize,
            usize,
            offset: self.at,
        });
        self.put(&h)?;
        self.pending = csize;
        Ok(())
    }

    /// Data of the open entry.
    pub(crate) fn data(&mut self, b: &[u8]) -> io::Result<()> {
        if b.len() as u64 > self.pending {
            return Err(io::Error::other("more zip entry data than announced"));
        }
        self.pending -= b.len() as u64;
        self.put(b)
    }

    /// Writes a whole entry, stored or deflated from `plain`.
    #[cfg(test)]
    pub(crate) fn entry(&mut self, name: &str, plain: &[u8], deflate: bool) -> io::Result<()> {
        let crc = crc32fast::hash(plain);
        if deflate {
            let mut z = flate2::Compress::new(flate2::Compression::new(6), false);
            let mut out = Vec::new();
            super::xlsx_frame::deflate_into(&mut z, plain, flate2::FlushCompress::Finish, &mut out)
                .map_err(|e| io::Error::other(e.to_string()))?;
            self.begin(
                name,
                Method::Deflate,
                crc,
                out.len() as u64,
                plain.len() as u64,
            )?;
            self.data(&out)
        } else {
            self.begin(
                name,
                Method::Stored,
                crc,
                plain.len() as u64,
                plain.len() as u64,
            )?;
            self.data(plain)
        }
    }

    /// Writes the central directory and returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        if self.pending != 0 {
            return Err(io::Error::other("zip entry left incomplete"));
        }
        let cd_start = self.at;
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            let mut extra = Vec::new();
            if e.usize >= U32_MAX || e.csize >= U32_MAX {
                extra.extend_from_slice(&u64le(e.usize));
                extra.extend_from_slice(&u64le(e.csize));
            }
            if e.offset >= U32_MAX {
                extra.extend_from_slice(&u64le(e.offset));
            }
            let big = !extra.is_empty();
            let sizes_big = e.usize >= U32_MAX || e.csize >= U32_MAX;
            let mut h = Vec::with_capacity(64 + e.name.len());
            h.extend_from_slice(&u32le(0x0201_4b50));
            h.extend_from_slice(&u16le(if big { 45 } else { 20 }));
            h.extend_from_slice(&u16le(if big { 45 } else { 20 }));
            h.extend_from_slice(&u16le(UTF8));
            h.extend_from_slice(&u16le(e.method as u16));
            h.extend_from_slice(&u16le(DOS_TIME));
            h.extend_from_slice(&u16le(DOS_DATE));
            h.extend_from_slice(&u32le(e.crc));
            let (cs, us) = if sizes_big {
                (u32::MAX, u32::MAX)
            } else {
                (e.csize as u32, e.usize as u32)
            };
            h.extend_from_slice(&u32le(cs));
            h.extend_from_slice(&u32le(us));
            h.extend_from_slice(&u16le(e.name.len() as u16));
            h.extend_from_slice(&u16le(if big { extra.len() as u16 + 4 } else { 0 }));
            h.extend_from_slice(&u16le(0)); // comment
            h.extend_from_slice(&u16le(0)); // disk
            h.extend_from_slice(&u16le(0)); // internal attributes
            h.extend_from_slice(&u32le(0)); // external attributes
            h.extend_from_slice(&u32le(clamp32(e.offset)));
            h.extend_from_slice(e.name.as_bytes());
            if big {
                h.extend_from_slice(&u16le(1));
                h.extend_from_slice(&u16le(extra.len() as u16));
                h.extend_from_slice(&extra);
            }
            self.put(&h)?;
        }
        let cd_size = self.at - cd_start;
        let n = entries.len() as u64;
        if n >= 0xFFFF || cd_start >= U32_MAX || cd_size >= U32_MAX {
            let eocd64 = self.at;
            let mut h = Vec::with_capacity(76);
            h.extend_from_slice(&u32le(0x0606_4b50));
            h.extend_from_slice(&u64le(44));
            h.extend_from_slice(&u16le(45));
            h.extend_from_slice(&u16le(45));
            h.extend_from_slice(&u32le(0));
            h.extend_from_slice(&u32le(0));
            h.extend_from_slice(&u64le(n));
            h.extend_from_slice(&u64le(n));
            h.extend_from_slice(&u64le(cd_size));
            h.extend_from_slice(&u64le(cd_start));
            h.extend_from_slice(&u32le(0x0706_4b50));
            h.extend_from_slice(&u32le(0));
            h.extend_from_slice(&u64le(eocd64));
            h.extend_from_slice(&u32le(1));
            self.put(&h)?;
        }
        let mut h = Vec::with_capacity(22);
        h.extend_from_slice(&u32le(0x0605_4b50));
        h.extend_from_slice(&u16le(0));
        h.extend_from_slice(&u16le(0));
        h.extend_from_slice(&u16le(n.min(0xFFFF) as u16));
        h.extend_from_slice(&u16le(n.min(0xFFFF) as u16));
        h.extend_from_slice(&u32le(clamp32(cd_size)));
        h.extend_from_slice(&u32le(clamp32(cd_start)));
        h.extend_from_slice(&u16le(0));
        self.put(&h)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn the_zip_crate_reads_what_we_write() {
        let mut z = ZipOut::new(Vec::new());
        z.entry("a.txt", b"hello hello hello", true).unwrap();
        z.entry("dir/b.bin", &[1, 2, 3], false).unwrap();
        let bytes = z.finish().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        let mut s = String::new();
        archive
            .by_name("a.txt")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "hello hello hello");
        let mut b = Vec::new();
        archive
            .by_name("dir/b.bin")
            .unwrap()
            .read_to_end(&mut b)
            .unwrap();
        assert_eq!(b, [1, 2, 3]);
    }

    #[test]
    fn incomplete_entries_are_refused() {
        let mut z = ZipOut::new(Vec::new());
        z.begin("x", Method::Stored, 0, 3, 3).unwrap();
        z.data(b"ab").unwrap();
        assert!(z.data(b"cd").is_err());
        assert!(z.finish().is_err());
    }
}
