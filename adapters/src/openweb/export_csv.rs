//! One downloaded export file (a `.csv.zip` holding CSVs of under 10,000
//! messages each) → records.
//!
//! Columns are found by name (any order; unknown columns are ignored):
//! `content`, `dislikes_count`, `id`, `label_id`, `likes_count`,
//! `message_status`, `post_id`, `reports_count`, `type`, `updated_at`,
//! `user_display_name`, `user_id`, `user_name`, `user_primarykey`,
//! `written_at`. Only `id` is required. Pure and panic-free: a file that is
//! neither a zip of CSVs nor a CSV, or a CSV with broken rows, is
//! [`engine::Error::Parse`] naming the file and line.

use std::io::{Cursor, Read};

use chrono::{DateTime, NaiveDateTime, Utc};
use engine::{Comment, Error, Kind, Precision, Target};
use serde_json::{Map, Value};

/// Largest CSV accepted from one archive entry once inflated (a hostile or
/// broken archive must not exhaust memory): 10,000 messages fit many times.
pub const MAX_CSV_BYTES: u64 = 512 * 1024 * 1024;

/// The records of one downloaded export file. `name` labels errors (the
/// link, redacted). A zip's `.csv` entries are read in archive order; a body
/// that is not a zip but a CSV is read as one.
///
/// ```
/// use adapters::openweb::export_csv::parse_export;
/// let target = engine::Target::new("openweb", "sp_x", "openweb://sp_x");
/// let csv = b"content,id,post_id,type,written_at,likes_count\nHello,m1,p9,comment,2024-05-01 10:00:00,3\n";
/// let records = parse_export(csv, &target, "part-1.csv").unwrap();
/// assert_eq!((records[0].id.as_str(), records[0].source_id.as_str(), records[0].likes), ("m1", "p9", Some(3)));
/// ```
pub fn parse_export(body: &[u8], target: &Target, name: &str) -> Result<Vec<Comment>, Error> {
    if !body.starts_with(b"PK") {
        return parse_csv(body, target, name);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(body)).map_err(|e| {
        Error::parse(
            "openweb",
            name,
            format!("the download is not a readable zip archive: {e}"),
            "",
            0,
        )
    })?;
    let mut records = Vec::new();
    let mut csvs = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| Error::parse("openweb", name, format!("zip entry {i}: {e}"), "", 0))?;
        let entry_name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.is_dir() || !entry_name.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        csvs += 1;
        let mut data = Vec::with_capacity(entry.size().min(64 << 20) as usize);
        (&mut entry)
            .take(MAX_CSV_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| {
                Error::parse(
                    "openweb",
                    name,
                    format!("cannot inflate {entry_name}: {e}"),
                    "",
                    0,
                )
            })?;
        if data.len() as u64 > MAX_CSV_BYTES {
            return Err(Error::parse(
                "openweb",
                name,
                format!("{entry_name} inflates to more than {MAX_CSV_BYTES} bytes"),
                "",
                0,
            ));
        }
        records.extend(parse_csv(&data, target, &format!("{name}!{entry_name}"))?);
    }
    if csvs == 0 {
        return Err(Error::parse(
            "openweb",
            name,
            "the archive holds no .csv file",
            "",
            0,
        ));
    }
    Ok(records)
}

/// Column positions of one CSV.
#[derive(Default)]
struct Columns {
    content: Option<usize>,
    dislikes: Option<usize>,
    id: usize,
    label: Option<usize>,
    likes: Option<usize>,
    status: Option<usize>,
    post: Option<usize>,
    reports: Option<usize>,
    kind: Option<usize>,
    updated: Option<usize>,
    display_name: Option<usize>,
    user_id: Option<usize>,
    user_name: Option<usize>,
    primary_key: Option<usize>,
    written: Option<usize>,
    /// Not in the documented export; read when a file has it.
    parent: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::ByteRecord, name: &str) -> Result<Columns, Error> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        let at = |n: &str| names.iter().position(|h| h == n);
        let Some(id) = at("id") else {
            return Err(Error::parse(
                "openweb",
                name,
                format!("the CSV has no `id` column (columns: {})", names.join(",")),
                "",
                0,
            ));
        };
        Ok(Columns {
            content: at("content"),
            dislikes: at("dislikes_count"),
            id,
            label: at("label_id"),
            likes: at("likes_count"),
            status: at("message_status"),
            post: at("post_id"),
            reports: at("reports_count"),
            kind: at("type"),
            updated: at("updated_at"),
            display_name: at("user_display_name"),
            user_id: at("user_id"),
            user_name: at("user_name"),
            primary_key: at("user_primarykey"),
            written: at("written_at"),
            parent: at("parent_id"),
        })
    }
}

/// The records of one CSV (header line first).
fn parse_csv(data: &[u8], target: &Target, name: &str) -> Result<Vec<Comment>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(data);
    let header = reader
        .byte_headers()
        .map_err(|e| csv_error(name, &e))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(Error::parse(
            "openweb",
            name,
            "the CSV is empty (no header line)",
            "",
            0,
        ));
    }
    let cols = Columns::from_header(&header, name)?;
    let fetched_at = Utc::now();
    let mut records = Vec::new();
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(name, &e)),
        }
        let line = row.position().map_or(0, |p| p.line());
        let record = message(&row, &cols, target, name, line)?;
        let mut record = record;
        record.fetched_at = fetched_at;
        records.push(record);
    }
    Ok(records)
}

fn csv_error(name: &str, e: &csv::Error) -> Error {
    Error::parse("openweb", name, format!("broken CSV: {e}"), "", 0)
}

/// A cell as text (`None` when absent or empty).
fn cell<'a>(row: &'a csv::ByteRecord, at: Option<usize>) -> Option<std::borrow::Cow<'a, str>> {
    let raw = row.get(at?)?;
    if raw.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(raw))
}

/// A cell that may say `null` (the export writes `null` for "no value").
fn value_cell<'a>(
    row: &'a csv::ByteRecord,
    at: Option<usize>,
) -> Option<std::borrow::Cow<'a, str>> {
    cell(row, at).filter(|v| !v.trim().eq_ignore_ascii_case("null"))
}

/// A count cell (`12`, `12.0`); anything else is `None`.
fn count(row: &csv::ByteRecord, at: Option<usize>) -> Option<u64> {
    let v = value_cell(row, at)?;
    let v = v.trim();
    v.parse::<u64>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1e19)
            .map(|f| f as u64)
    })
}

/// A time as the export may write it: RFC 3339, `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// or `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC, optionally followed by ` UTC`), or
/// Unix seconds / milliseconds.
///
/// ```
/// use adapters::openweb::export_csv::parse_time;
/// let a = parse_time("2024-05-01 10:00:00.250000").unwrap();
/// assert_eq!(a.to_rfc3339(), "2024-05-01T10:00:00.250+00:00");
/// assert_eq!(parse_time("1714557600").unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
/// assert_eq!(parse_time("1714557600000"), parse_time("2024-05-01T10:00:00Z"));
/// assert_eq!(parse_time("soon"), None);
/// ```
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return if s.len() >= 13 {
            DateTime::from_timestamp_millis(n)
        } else {
            DateTime::from_timestamp(n, 0)
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
}

/// The record of one CSV row.
fn message(
    row: &csv::ByteRecord,
    cols: &Columns,
    target: &Target,
    name: &str,
    line: u64,
) -> Result<Comment, Error> {
    let id = cell(row, Some(cols.id))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::parse("openweb", name, format!("line {line}: empty `id`"), "", 0))?;
    let kind_raw = value_cell(row, cols.kind).map(|k| k.trim().to_ascii_lowercase());
    let kind = match kind_raw.as_deref() {
        Some("reply") => Kind::Reply,
        _ => Kind::Comment,
    };
    let post = value_cell(row, cols.post)
        .map(|p| p.trim().to_string())
        .unwrap_or_default();
    let mut c = Comment::new("openweb", kind, id, post, target.url.clone());
    if kind == Kind::Reply {
        // The export names no parent: a reply is at depth 1 under an unknown
        // message unless the file has a `parent_id` column.
        c.depth = 1;
        if let Some(p) = value_cell(row, cols.parent).map(|p| p.trim().to_string()) {
            c.parent_id = Some(p);
        }
    }
    c.text = cell(row, cols.content)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    if let Some(w) = cell(row, cols.written) {
        c.created_at = parse_time(&w);
        c.created_at_precision = c.created_at.map(|_| Precision::Second);
        if c.created_at.is_none() {
            c.created_at_raw = Some(w.into_owned());
        }
    }
    c.likes = count(row, cols.likes);
    c.dislikes = count(row, cols.dislikes);
    c.author = value_cell(row, cols.display_name).map(|v| v.into_owned());
    c.author_id = value_cell(row, cols.user_id).map(|v| v.trim().to_string());
    let mut extra = Map::new();
    let mut put = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            extra.insert(key.to_string(), v);
        }
    };
    let text = |at: Option<usize>| value_cell(row, at).map(|v| Value::from(v.into_owned()));
    put("message_status", text(cols.status));
    if cols.label.is_some() {
        put("label_id", Some(text(cols.label).unwrap_or(Value::Null)));
    }
    put("reports_count", count(row, cols.reports).map(Value::from));
    put("updated_at", text(cols.updated));
    put("user_name", text(cols.user_name));
    put("user_primarykey", text(cols.primary_key));
    if let Some(k) = kind_raw.filter(|k| k != "comment" && k != "reply") {
        put("type", Some(Value::from(k)));
    }
    c.extra = extra;
    Ok(c)
}
