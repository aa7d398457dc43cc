//! Finishing a workbook: the skeleton's entries are copied as they are,
//! except each comments sheet, whose entry becomes the skeleton sheet's
//! head (compressed), the spool frames' compressed rows (copied, not
//! re-compressed) and the sheet's tail (compressed).

use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::FlushCompress;
use zip::{CompressionMethod, ZipArchive};

use super::fields::Fields;
use super::summary::Summary;
use super::xlsx_book::skeleton;
use super::xlsx_frame::{compressor, deflate_into, FrameInfo, HEADER};
use super::xlsx_styles::Styles;
use super::zip_out::{Method, ZipOut};
use super::XlsxStats;
use crate::Error;

/// A frame of the spool and where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameAt {
    pub(crate) offset: u64,
    pub(crate) info: FrameInfo,
}

fn bad(dst: &Path, msg: impl std::fmt::Display) -> Error {
    Error::io(dst, std::io::Error::other(msg.to_string()))
}

/// Groups frames into sheets of at most `rows_per_sheet` rows; a sheet is
/// closed before a frame that would not fit (frames hold at most 1,000
/// rows, so a sheet can end up to 999 rows short of Excel's limit).
fn plan(frames: &[FrameAt], rows_per_sheet: u64) -> Result<Vec<(Vec<FrameAt>, u64)>, String> {
    let mut sheets: Vec<(Vec<FrameAt>, u64)> = vec![(Vec::new(), 0)];
    for f in frames {
        let n = u64::from(f.info.rows);
        if n > rows_per_sheet {
            return Err(format!(
                "a spool frame holds {n} rows, more than a sheet's {rows_per_sheet}"
            ));
        }
        let last = sheets.last_mut().filter(|s| s.1 + n <= rows_per_sheet);
        match last {
            Some(s) => {
                s.0.push(*f);
                s.1 += n;
            }
            None => sheets.push((vec![*f], n)),
        }
    }
    Ok(sheets)
}

/// Excel's name of column number `n` (0 = A).
fn column_letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Splits a skeleton sheet into the XML before the first data row and the
/// XML from `</sheetData>` on; returns also the style numbers of the probe
/// row (the rows between the header and `</sheetData>`).
fn split_sheet(xml: &str, last_col: usize, rows: u64) -> Option<(String, String, Vec<u32>)> {
    let data_at = xml.find("<sheetData>")?;
    let head_end = data_at + xml[data_at..].find("</row>")? + "</row>".len();
    let tail_at = xml.rfind("</sheetData>")?;
    let probe = &xml[head_end..tail_at];
    let styles = probe
        .split(" s=\"")
        .skip(1)
        .filter_map(|p| p.split('"').next()?.parse().ok())
        .collect();
    let mut head = xml[..head_end].to_string();
    if let Some(d) = head.find("<dimension ref=\"") {
        let start = d + "<dimension ref=\"".len();
        let end = start + head[start..].find('"')?;
        head.replace_range(
            start..end,
            &format!("A1:{}{}", column_letters(last_col), rows + 1),
        );
    }
    Some((head, xml[tail_at..].to_string(), styles))
}

fn combine(crc: &mut crc32fast::Hasher, part_crc: u32, len: u64) {
    crc.combine(&crc32fast::Hasher::new_with_initial_len(part_crc, len));
}

/// Writes the workbook `dst` from the spool's frames (beside it, then renamed).
pub(crate) fn assemble(
    spool: &Path,
    frames: &[FrameAt],
    fields: &Fields,
    summary: &Summary,
    rows_per_sheet: u64,
    dst: &Path,
) -> Result<XlsxStats, Error> {
    let part = part_path(dst);
    let res = write(spool, frames, fields, summary, rows_per_sheet, dst, &part);
    match res {
        Ok(stats) => {
            std::fs::rename(&part, dst).map_err(|e| Error::io(dst, e))?;
            Ok(stats)
        }
        Err(e) => {
            // A half-written workbook is never left behind under either name.
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

/// `name.xlsx.part`, where a workbook is written before it is complete.
pub(crate) fn part_path(dst: &Path) -> PathBuf {
    let mut name = dst.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dst.with_file_name(name)
}

fn write(
    spool: &Path,
    frames: &[FrameAt],
    fields: &Fields,
    summary: &Summary,
    rows_per_sheet: u64,
    dst: &Path,
    part: &Path,
) -> Result<XlsxStats, Error> {
    let sheets = plan(frames, rows_per_sheet.max(1)).map_err(|m| bad(dst, m))?;
    let sheet_rows: Vec<u64> = sheets.iter().map(|s| s.1).collect();
    let book = skeleton(fields, &sheet_rows, summary).map_err(|e| bad(dst, e))?;
    let mut archive = ZipArchive::new(Cursor::new(book)).map_err(|e| bad(dst, e))?;
    let mut src = File::open(spool).map_err(|e| Error::io(spool, e))?;
    let out = File::create(part).map_err(|e| Error::io(part, e))?;
    let mut zip = ZipOut::new(BufWriter::with_capacity(256 * 1024, out));
    let io = |e| Error::io(part, e);
    let mut buf = vec![0u8; 256 * 1024];
    for i in 0..archive.len() {
        let name =
            String::from_utf8_lossy(archive.by_index_raw(i).map_err(|e| bad(dst, e))?.name_raw())
                .into_owned();
        let sheet_no = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=sheets.len()).contains(n));
        let Some(sheet_no) = sheet_no else {
            // Anything else is copied compressed as it is.
            let mut entry = archive.by_index_raw(i).map_err(|e| bad(dst, e))?;
            let method = match entry.compression() {
                CompressionMethod::Stored => Method::Stored,
                CompressionMethod::Deflated => Method::Deflate,
                other => return Err(bad(dst, format!("unexpected zip method {other:?}"))),
            };
            let (crc, csize, usize) = (entry.crc32(), entry.compressed_size(), entry.size());
            let mut raw = Vec::with_capacity(csize as usize);
            entry.read_to_end(&mut raw).map_err(io)?;
            zip.begin(&name, method, crc, csize, usize).map_err(io)?;
            zip.data(&raw).map_err(io)?;
            continue;
        };
        let (frames, rows) = &sheets[sheet_no - 1];
        let mut xml = String::new();
        archive
            .by_index(i)
            .map_err(|e| bad(dst, e))?
            .read_to_string(&mut xml)
            .map_err(io)?;
        let (head, tail, probe) = split_sheet(&xml, fields.len().saturating_sub(1), *rows)
            .ok_or_else(|| bad(dst, "unexpected skeleton sheet"))?;
        if sheet_no == 1 {
            Styles::expected().verify(&probe).map_err(|m| bad(dst, m))?;
        }
        let (mut head_z, mut tail_z) = (Vec::new(), Vec::new());
        deflate_into(
            &mut compressor(),
            head.as_bytes(),
            FlushCompress::Sync,
            &mut head_z,
        )?;
        deflate_into(
            &mut compressor(),
            tail.as_bytes(),
            FlushCompress::Finish,
            &mut tail_z,
        )?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(head.as_bytes());
        let mut usize = head.len() as u64 + tail.len() as u64;
        let mut csize = head_z.len() as u64 + tail_z.len() as u64;
        for f in frames {
            combine(&mut crc, f.info.crc, u64::from(f.info.xml_len));
            usize += u64::from(f.info.xml_len);
            csize += u64::from(f.info.z_len);
        }
        combine(
            &mut crc,
            crc32fast::hash(tail.as_bytes()),
            tail.len() as u64,
        );
        zip.begin(&name, Method::Deflate, crc.finalize(), csize, usize)
            .map_err(io)?;
        zip.data(&head_z).map_err(io)?;
        for f in frames {
            src.seek(SeekFrom::Start(f.offset + HEADER as u64))
                .map_err(|e| Error::io(spool, e))?;
            let mut left = f.info.z_len as usize;
            while left > 0 {
                let n = left.min(buf.len());
                src.read_exact(&mut buf[..n])
                    .map_err(|e| Error::io(spool, e))?;
                zip.data(&buf[..n]).map_err(io)?;
                left -= n;
            }
        }
        zip.data(&tail_z).map_err(io)?;
    }
    zip.finish().map_err(io)?;
    Ok(XlsxStats {
        rows: sheet_rows.iter().sum(),
        sheets: sheets.len() as u32,
        truncated_cells: frames.iter().map(|f| u64::from(f.info.truncated)).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        let got: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(got, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn sheets_close_before_a_frame_that_does_not_fit() {
        let f = |rows| FrameAt {
            offset: 0,
            info: FrameInfo {
                rows,
                xml_len: 0,
                crc: 0,
                z_len: 0,
                keys_len: 0,
                truncated: 0,
            },
        };
        let sheets = plan(&[f(2), f(1), f(2), f(3)], 3).unwrap();
        let rows: Vec<u64> = sheets.iter().map(|s| s.1).collect();
        assert_eq!(rows, [3, 2, 3]);
        assert!(plan(&[f(4)], 3).is_err());
    }
}
