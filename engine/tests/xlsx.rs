//! The NDJSON → XLSX converter, read back with an independent reader (calamine).

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use chrono::{TimeZone, Utc};
use engine::sink::{ndjson_to_xlsx, open_file, Format, COLUMNS};
use engine::{Comment, Kind};
use proptest::prelude::*;

fn col(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap()
}

fn spool(path: &Path, records: &[Comment]) {
    let mut sink = open_file(Format::Ndjson, path, None).unwrap();
    for r in records {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
}

/// Every sheet's rows, as calamine reads them.
fn read(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

fn top(id: &str, text: &str) -> Comment {
    let mut c = Comment::new(
        "youtube",
        Kind::Comment,
        id,
        "vid",
        "https://www.youtube.com/watch?v=vid",
    );
    c.text = text.into();
    c
}

/// Characters XML 1.0 forbids, which the converter must remove.
fn forbidden(ch: char) -> bool {
    matches!(ch, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn excel_serial(t: chrono::DateTime<Utc>) -> f64 {
    t.timestamp() as f64 / 86_400.0 + 25_569.0
}

#[test]
fn values_types_and_neutralized_text_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let created = Utc.with_ymd_and_hms(2024, 3, 5, 14, 30, 15).unwrap();
    let mut a = top("a", "héllo 日本語 🎮");
    a.likes = Some(42);
    a.created_at = Some(created);
    a.edited = Some(true);
    a.rating = Some(4.5);
    a.url = Some("https://www.youtube.com/watch?v=vid&lc=a".into());
    a.author_url = Some("javascript:alert(1)".into());
    let mut b = Comment::new("youtube", Kind::Reply, "b", "vid", "u");
    b.reply_to(&a);
    b.text = "=HYPERLINK(\"http://evil\",\"x\")".into();
    let mut c = Comment::new("youtube", Kind::Reply, "c", "vid", "u");
    c.reply_to(&b);
    c.text = "@SUM(A1)".into();
    let d = top("d", "-1+2");
    let e = top("e", "a\u{0}b\u{1}c\u{b}d\u{1f}e\u{fffe}f\tg\nh _x0041_");
    let f = top("f", "\u{1}=cmd");
    let records = [a, b, c, d, e, f];
    let src = dir.path().join("spool.ndjson");
    spool(&src, &records);
    let dst = dir.path().join("out.xlsx");
    let stats = ndjson_to_xlsx(&src, &dst).unwrap();
    assert_eq!((stats.rows, stats.sheets, stats.truncated_cells), (6, 1, 0));

    let sheets = read(&dst);
    assert_eq!(sheets.len(), 1);
    let (name, rows) = &sheets[0];
    assert_eq!(name, "Comments");
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, COLUMNS);
    assert_eq!(rows.len(), 7);

    let text = |r: usize| rows[r][col("text")].to_string();
    assert_eq!(text(1), "héllo 日本語 🎮");
    assert_eq!(text(2), "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(text(3), "'@SUM(A1)");
    assert_eq!(text(4), "'-1+2");
    assert_eq!(text(5), "abcdef\tg\nh _x0041_");
    assert_eq!(
        text(6),
        "'=cmd",
        "removing a control char must not expose a formula"
    );
    for row in &rows[1..] {
        assert!(matches!(row[col("text")], Data::String(_)));
    }

    let likes = &rows[1][col("likes")];
    assert!(matches!(likes, Data::Float(_) | Data::Int(_)), "{likes:?}");
    assert_eq!(likes.to_string(), "42");
    assert_eq!(rows[1][col("depth")].to_string(), "0");
    assert_eq!(rows[3][col("depth")].to_string(), "2");
    assert_eq!(rows[1][col("rating")], Data::Float(4.5));
    assert_eq!(rows[1][col("edited")], Data::Bool(true));
    assert_eq!(rows[1][col("likes_approx")], Data::Bool(false));
    assert_eq!(rows[2][col("likes")], Data::Empty);
    assert_eq!(rows[2][col("parent_id")].to_string(), "a");

    let Data::DateTime(dt) = &rows[1][col("created_at")] else {
        panic!(
            "created_at is not a datetime: {:?}",
            rows[1][col("created_at")]
        );
    };
    assert!((dt.as_f64() - excel_serial(created)).abs() < 1e-6);
    assert_eq!(rows[2][col("created_at")], Data::Empty);
    for (row, record) in rows[1..].iter().zip(&records) {
        let Data::DateTime(f) = &row[col("fetched_at")] else {
            panic!("fetched_at is not a datetime: {:?}", row[col("fetched_at")]);
        };
        assert!((f.as_f64() - excel_serial(record.fetched_at)).abs() < 1e-5);
    }

    assert_eq!(
        rows[1][col("url")].to_string(),
        "https://www.youtube.com/watch?v=vid&lc=a"
    );
    assert_eq!(
        rows[1][col("author_url")].to_string(),
        "javascript:alert(1)"
    );
    assert!(!dir.path().join("out.xlsx.part").exists());
}

#[test]
fn long_text_is_cut_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("spool.ndjson");
    spool(&src, &[top("a", &"x".repeat(40_000)), top("b", "short")]);
    let dst = dir.path().join("out.xlsx");
    let stats = ndjson_to_xlsx(&src, &dst).unwrap();
    assert_eq!(stats.truncated_cells, 1);
    let rows = &read(&dst)[0].1;
    assert_eq!(rows[1][col("text")].to_string().len(), 32_767);
    assert_eq!(rows[2][col("text")].to_string(), "short");
}

#[test]
fn empty_input_gives_a_header_only_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("spool.ndjson");
    std::fs::write(&src, b"").unwrap();
    let dst = dir.path().join("out.xlsx");
    let stats = ndjson_to_xlsx(&src, &dst).unwrap();
    assert_eq!((stats.rows, stats.sheets), (0, 1));
    assert_eq!(read(&dst)[0].1.len(), 1);
}

#[test]
fn malformed_line_is_a_parse_error_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("spool.ndjson");
    spool(&src, &[top("a", "fine")]);
    let mut bytes = std::fs::read(&src).unwrap();
    bytes.extend_from_slice(b"{\"platform\": \"steam\", oops\n");
    std::fs::write(&src, bytes).unwrap();
    let dst = dir.path().join("out.xlsx");
    let err = ndjson_to_xlsx(&src, &dst).unwrap_err();
    assert_eq!(err.kind(), "parse");
    let engine::Error::Parse {
        platform, message, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(platform, "xlsx");
    assert!(message.starts_with("line 2:"), "{message}");
    assert!(!dst.exists());
    assert!(!dir.path().join("out.xlsx.part").exists());
}

#[test]
fn missing_source_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = ndjson_to_xlsx(&dir.path().join("nope"), &dir.path().join("o.xlsx")).unwrap_err();
    assert_eq!(err.kind(), "io");
}

/// Throughput: `cargo test --release -p engine --test xlsx -- --ignored --nocapture`
/// (`XLSX_SPEED_ROWS` changes the row count, e.g. to check that memory stays flat).
#[test]
#[ignore]
fn speed_200k_rows() {
    let dir = tempfile::tempdir_in(".").unwrap();
    let src = dir.path().join("spool.ndjson");
    let mut sink = open_file(Format::Ndjson, &src, None).unwrap();
    let base = top("0", "");
    let n: u64 = std::env::var("XLSX_SPEED_ROWS").map_or(200_000, |v| v.parse().unwrap());
    for i in 0..n {
        let mut c = top(&i.to_string(), "");
        if i % 4 != 0 {
            c.reply_to(&base);
        }
        c.text = format!("comment number {i}: a typical sentence of moderate length, with some words and an emoji 🎮.");
        c.author = Some(format!("user{}", i % 977));
        c.likes = Some(i % 1000);
        c.created_at = Some(Utc.timestamp_opt(1_700_000_000 + i as i64, 0).unwrap());
        c.url = Some(format!("https://www.youtube.com/watch?v=vid&lc={i}"));
        sink.write(&c).unwrap();
    }
    sink.finish().unwrap();
    let size = std::fs::metadata(&src).unwrap().len();
    let dst = dir.path().join("out.xlsx");
    let t = std::time::Instant::now();
    let stats = ndjson_to_xlsx(&src, &dst).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} rows ({} MB NDJSON) in {secs:.2}s = {:.0} rows/s, xlsx {} MB",
        stats.rows,
        size / 1_000_000,
        stats.rows as f64 / secs,
        std::fs::metadata(&dst).unwrap().len() / 1_000_000
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn arbitrary_text_converts_and_opens(
        text in prop_oneof![
            any::<String>(),
            "[=+\\-@\t\r\u{0}-\u{1f}][\\PC\u{0}-\u{1f}]{0,40}",
        ],
        title in proptest::option::of(any::<String>()),
        depth in 0u32..40,
        url_tail in any::<String>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut c = top("a", &text);
        c.title = title;
        c.depth = depth;
        c.url = Some(format!("https://example.org/{url_tail}"));
        let src = dir.path().join("s.ndjson");
        spool(&src, &[c]);
        let dst = dir.path().join("o.xlsx");
        let stats = ndjson_to_xlsx(&src, &dst).unwrap();
        prop_assert_eq!(stats.rows, 1);
        let rows = &read(&dst)[0].1;
        let got = rows[1][col("text")].to_string();
        let stripped: String = text.chars().filter(|&ch| !forbidden(ch)).collect();
        prop_assert!(!got.chars().any(forbidden), "control character left in {:?}", got);
        prop_assert_eq!(got, engine::sink::neutralize(&stripped).into_owned());
        let url: String = format!("https://example.org/{url_tail}").chars().filter(|&ch| !forbidden(ch)).collect();
        prop_assert_eq!(rows[1][col("url")].to_string(), url);
    }
}

#[test]
fn permalinks_are_hyperlink_formulas_showing_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("in.ndjson"), dir.path().join("out.xlsx"));
    let mut c = top("1", "hello");
    c.url = Some("https://example.com/a?q=\"x\"".into());
    let mut long = top("2", "long link");
    long.url = Some(format!("https://example.com/{}", "a".repeat(300)));
    spool(&src, &[c, long]);
    ndjson_to_xlsx(&src, &dst).unwrap();
    let mut book: Xlsx<_> = open_workbook(&dst).unwrap();
    let formulas = book.worksheet_formula("Comments").unwrap();
    let values = book.worksheet_range("Comments").unwrap();
    let url = col("url") as u32;
    let f = formulas.get_value((1, url)).cloned().unwrap_or_default();
    assert_eq!(f, "HYPERLINK(\"https://example.com/a?q=\"\"x\"\"\")");
    assert_eq!(
        values.get_value((1, url)),
        Some(&Data::String("https://example.com/a?q=\"x\"".into()))
    );
    // Too long for HYPERLINK(): plain text, not a formula.
    assert!(formulas.get_value((2, url)).is_none_or(|f| f.is_empty()));
    assert_eq!(
        values.get_value((2, url)),
        Some(&Data::String(format!(
            "https://example.com/{}",
            "a".repeat(300)
        )))
    );
}
