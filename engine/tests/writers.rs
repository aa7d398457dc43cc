//! Every writer: column selection applied the same way, chunked and zipped
//! CSV (counted and re-read, resumed), and arbitrary Unicode round-tripping
//! through each format without corrupting the file.

use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};
use engine::sink::{encoder_with, open_file_with, Fields, Format, SinkOptions, COLUMNS};
use engine::{Comment, Kind};
use proptest::prelude::*;

fn rec(i: usize, text: &str) -> Comment {
    let mut c = Comment::new(
        "steam",
        Kind::Review,
        format!("r{i}"),
        "440",
        "https://store.steampowered.com/app/440/",
    );
    c.text = text.to_string();
    c.likes = Some(i as u64);
    c.author = Some(format!("a{i}"));
    c
}

fn opts(fields: &str, chunk_rows: Option<u64>, zip: bool) -> SinkOptions {
    SinkOptions {
        fields: Fields::parse(fields).unwrap(),
        chunk_rows,
        zip,
    }
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The selected columns of every format, as strings, header first.
fn read_table(format: Format, path: &Path) -> Vec<Vec<String>> {
    match format {
        Format::Csv => {
            let (h, rows) = csv_rows(&std::fs::read(path).unwrap());
            std::iter::once(h).chain(rows).collect()
        }
        Format::Json | Format::Ndjson => {
            let text = std::fs::read_to_string(path).unwrap();
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = if format == Format::Json
            {
                serde_json::from_str(&text).unwrap()
            } else {
                text.lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect()
            };
            // Keys in the order they appear in the text of the first object.
            let first = text
                .lines()
                .find(|l| l.starts_with('{'))
                .unwrap_or_default();
            let mut header: Vec<String> = objects[0].keys().cloned().collect();
            header.sort_by_key(|k| first.find(&format!("\"{k}\":")).unwrap_or(usize::MAX));
            let mut out = vec![header.clone()];
            for o in &objects {
                assert_eq!(o.len(), header.len());
                out.push(
                    header
                        .iter()
                        .map(|k| match &o[k] {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            other => other.to_string(),
                        })
                        .collect(),
                );
            }
            out
        }
        Format::Xlsx => {
            let mut book: Xlsx<_> = open_workbook(path).unwrap();
            let range = book.worksheet_range("Comments").unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|d| d.to_string()).collect())
                .collect()
        }
        #[cfg(feature = "parquet")]
        Format::Parquet => {
            use polars::prelude::{AnyValue, ParquetReader, SerReader};
            let df = ParquetReader::new(std::fs::File::open(path).unwrap())
                .finish()
                .unwrap();
            let names: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            let mut out = vec![names.clone()];
            for i in 0..df.height() {
                out.push(
                    names
                        .iter()
                        .map(|n| match df.column(n).unwrap().get(i).unwrap() {
                            AnyValue::Null => String::new(),
                            AnyValue::String(s) => s.to_string(),
                            AnyValue::StringOwned(s) => s.to_string(),
                            other => other.to_string(),
                        })
                        .collect(),
                );
            }
            out
        }
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => unreachable!("not among formats() in this build"),
    }
}

/// Every format this build writes.
fn formats() -> Vec<Format> {
    let mut v = Format::ALL.to_vec();
    if engine::sink::PARQUET {
        v.push(Format::Parquet);
    }
    v
}

#[test]
fn every_format_takes_the_same_fields_in_the_same_order() {
    let dir = tempfile::tempdir().unwrap();
    let fields = "likes,id,text,author";
    let records: Vec<Comment> = (0..3).map(|i| rec(i, &format!("text {i}"))).collect();
    for format in formats() {
        let path = dir.path().join(format!("f.{}", format.extension()));
        let mut sink = open_file_with(format, &path, None, &opts(fields, None, false)).unwrap();
        for r in &records {
            sink.write(r).unwrap();
        }
        sink.finish().unwrap();
        let table = read_table(format, &path);
        assert_eq!(table[0], ["likes", "id", "text", "author"], "{format:?}");
        assert_eq!(table[2], ["1", "r1", "text 1", "a1"], "{format:?}");
        assert_eq!(table.len(), 4, "{format:?}");
    }
}

#[test]
fn unknown_field_lists_the_valid_ones() {
    let e = Fields::parse("id,txt").unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.kind(), "config");
    assert!(
        msg.contains("\"txt\"") && msg.contains("sentiment_label") && msg.contains("fetched_at"),
        "{msg}"
    );
    assert!(Fields::parse("id,id").is_err());
    assert!(Fields::parse(" , ").is_err());
}

fn chunk_names(dir: &Path, stem: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{stem}.part-")))
        .collect();
    v.sort();
    v
}

#[test]
fn chunks_hold_at_most_n_rows_each_with_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("steam_440.csv");
    let mut sink =
        open_file_with(Format::Csv, &path, None, &opts("id,text", Some(10), false)).unwrap();
    for i in 0..25 {
        sink.write(&rec(i, "line\r\nbreak, \"quoted\"")).unwrap();
    }
    sink.finish().unwrap();
    let names = chunk_names(dir.path(), "steam_440");
    assert_eq!(
        names,
        [
            "steam_440.part-0001.csv",
            "steam_440.part-0002.csv",
            "steam_440.part-0003.csv"
        ]
    );
    assert_eq!(sink.outputs("steam_440.csv"), names);
    assert!(!path.exists());
    let mut ids = Vec::new();
    for (n, want) in names.iter().zip([10, 10, 5]) {
        let (h, rows) = csv_rows(&std::fs::read(dir.path().join(n)).unwrap());
        assert_eq!(h, ["id", "text"]);
        assert_eq!(rows.len(), want);
        assert!(rows.iter().all(|r| r[1] == "line\r\nbreak, \"quoted\""));
        ids.extend(rows.into_iter().map(|r| r[0].clone()));
    }
    assert_eq!(ids, (0..25).map(|i| format!("r{i}")).collect::<Vec<_>>());
}

#[test]
fn zip_holds_the_chunks_and_shared_encoding_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<Comment> = (0..23).map(|i| rec(i, &format!("é {i}"))).collect();
    // Record by record.
    let a = dir.path().join("a.csv");
    let mut sink = open_file_with(
        Format::Csv,
        &a,
        None,
        &opts("id,text,likes", Some(10), true),
    )
    .unwrap();
    for r in &records {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
    // Pages encoded once, as the batch writer does.
    let b = dir.path().join("b.csv");
    let o = opts("id,text,likes", Some(10), true);
    let mut sink_b = open_file_with(Format::Csv, &b, None, &o).unwrap();
    let mut enc = encoder_with(Format::Csv, &o.fields);
    for page in records.chunks(7) {
        let mut buf = Vec::new();
        enc.page(page, &mut buf).unwrap();
        sink_b.write_encoded(&buf).unwrap();
    }
    sink_b.finish().unwrap();
    assert_eq!(sink.outputs("a.csv"), ["a.csv.zip"]);
    let read = |p: &Path| -> Vec<(String, Vec<u8>)> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (String::from_utf8_lossy(f.name_raw()).into_owned(), v)
            })
            .collect()
    };
    let za = read(&dir.path().join("a.csv.zip"));
    let zb = read(&dir.path().join("b.csv.zip"));
    let names: Vec<&str> = za.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        ["a.part-0001.csv", "a.part-0002.csv", "a.part-0003.csv"]
    );
    let counts: Vec<usize> = za.iter().map(|e| csv_rows(&e.1).1.len()).collect();
    assert_eq!(counts, [10, 10, 3]);
    let bodies = |z: &[(String, Vec<u8>)]| z.iter().map(|e| e.1.clone()).collect::<Vec<_>>();
    assert_eq!(bodies(&za), bodies(&zb));
    // Only the zip is in the output folder; the chunks wait in the spool.
    assert!(chunk_names(dir.path(), "a").is_empty());
    engine::sink::remove_spools(dir.path(), "a.csv");
    assert!(!engine::sink::csv_parts_dir(&a).exists());
}

#[test]
fn chunked_csv_resumes_at_a_committed_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    let o = opts("id", Some(4), false);
    let mut sink = open_file_with(Format::Csv, &path, None, &o).unwrap();
    for i in 0..10 {
        sink.write(&rec(i, "")).unwrap();
    }
    let committed = sink.commit().unwrap();
    for i in 100..107 {
        sink.write(&rec(i, "")).unwrap(); // lost in the crash: spills into a 4th chunk
    }
    sink.commit().unwrap();
    drop(sink);
    assert_eq!(chunk_names(dir.path(), "r").len(), 5);
    let mut sink = open_file_with(Format::Csv, &path, Some(committed), &o).unwrap();
    for i in 10..14 {
        sink.write(&rec(i, "")).unwrap();
    }
    sink.finish().unwrap();
    let names = chunk_names(dir.path(), "r");
    let mut ids = Vec::new();
    for n in &names {
        let (_, rows) = csv_rows(&std::fs::read(dir.path().join(n)).unwrap());
        assert!(rows.len() <= 4);
        ids.extend(rows.into_iter().map(|r| r[0].clone()));
    }
    assert_eq!(names.len(), 4);
    assert_eq!(ids, (0..14).map(|i| format!("r{i}")).collect::<Vec<_>>());
    // A chunk removed since the run: refused, not silently restarted.
    std::fs::remove_file(dir.path().join(&names[0])).unwrap();
    assert!(open_file_with(Format::Csv, &path, Some(committed), &o).is_err());
}

#[test]
fn empty_chunked_output_still_has_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.csv");
    let mut sink = open_file_with(Format::Csv, &path, None, &opts("id,text", None, true)).unwrap();
    sink.finish().unwrap();
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(dir.path().join("e.csv.zip")).unwrap()).unwrap();
    let mut s = String::new();
    z.by_index(0).unwrap().read_to_string(&mut s).unwrap();
    assert_eq!(s, "id,text\r\n");
}

/// Characters XML 1.0 forbids, which the XLSX writer removes.
fn forbidden(ch: char) -> bool {
    matches!(ch, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Any text, control characters and formula starts included, comes back
    /// from every writer: exactly from JSON and NDJSON, neutralized from CSV,
    /// neutralized and without XML-forbidden characters from XLSX.
    #[test]
    fn arbitrary_text_round_trips_through_every_writer(
        texts in proptest::collection::vec(
            prop_oneof![
                any::<String>(),
                "[=+\\-@\t\r\n\u{0}-\u{1f}\"',;<>&_][\\PC\u{0}-\u{1f}\u{fffe}\u{ffff}]{0,30}",
                "_x[0-9A-F]{4}_.{0,5}",
            ],
            1..6,
        ),
        chunked in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Comment> = texts.iter().enumerate().map(|(i, t)| rec(i, t)).collect();
        let o = opts("id,text,title", chunked.then_some(2), false);
        for format in formats() {
            let path = dir.path().join(format!("p.{}", format.extension()));
            let mut sink = open_file_with(format, &path, None, &o).unwrap();
            for r in &records {
                sink.write(r).unwrap();
            }
            sink.finish().unwrap();
            let table = if format == Format::Csv && chunked {
                let mut all = Vec::new();
                for n in chunk_names(dir.path(), "p") {
                    let (h, rows) = csv_rows(&std::fs::read(dir.path().join(n)).unwrap());
                    prop_assert_eq!(&h, &["id", "text", "title"]);
                    prop_assert!(rows.len() <= 2);
                    if all.is_empty() { all.push(h); }
                    all.extend(rows);
                }
                all
            } else {
                read_table(format, &path)
            };
            prop_assert_eq!(table.len(), texts.len() + 1, "{:?}", format);
            for (row, t) in table[1..].iter().zip(&texts) {
                let want = match format {
                    Format::Json | Format::Ndjson | Format::Parquet => t.clone(),
                    Format::Csv => engine::sink::neutralize(t).into_owned(),
                    Format::Xlsx => {
                        let stripped: String = t.chars().filter(|&c| !forbidden(c)).collect();
                        engine::sink::neutralize(&stripped).into_owned()
                    }
                };
                prop_assert_eq!(&row[1], &want, "{:?}", format);
            }
        }
    }
}

#[test]
fn all_columns_is_the_default_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    let mut sink = open_file_with(Format::Csv, &path, None, &SinkOptions::default()).unwrap();
    sink.finish().unwrap();
    let (h, _) = csv_rows(&std::fs::read(&path).unwrap());
    assert_eq!(h, COLUMNS);
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    let err = open_file_with(Format::Parquet, &path, None, &SinkOptions::default())
        .err()
        .expect("no Parquet in this build");
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("--features parquet"), "{err}");
    assert_eq!("parquet".parse::<Format>(), Ok(Format::Parquet));
}
