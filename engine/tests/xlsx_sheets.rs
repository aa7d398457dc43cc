//! The XLSX sink with sentiment: coloured cells, the Sentiment Legend and
//! Summary sheets with native charts, column selection and resumption,
//! checked with independent readers (calamine for values and styles, the
//! zip crate for the chart parts).

use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use chrono::{TimeZone, Utc};
use engine::sink::{open_file_with, Fields, Format, SinkOptions, COLUMNS};
use engine::{Comment, Kind, Sentiment};

fn rec(i: usize, platform: &str, author: &str, label: Option<&str>, lang: &str) -> Comment {
    let mut c = Comment::new(
        platform,
        Kind::Comment,
        i.to_string(),
        "src",
        "https://example.org/s",
    );
    c.author = Some(author.into());
    c.author_id = Some(format!("id-{author}"));
    c.language = Some(lang.into());
    c.text = format!("comment {i}");
    c.created_at = Some(
        Utc.with_ymd_and_hms(2024, 5, 1 + (i % 3) as u32, 12, 0, 0)
            .unwrap(),
    );
    c.sentiment = label.map(|l| Sentiment {
        label: l.to_string().into(),
        score: match l {
            "positive" => 0.6,
            "negative" => -0.4,
            _ => 0.0,
        },
        method: "lexicon-test".into(),
    });
    c
}

fn sample() -> Vec<Comment> {
    let mut v = Vec::new();
    let labels = ["positive", "positive", "negative", "neutral", "positive"];
    for i in 0..20 {
        let platform = if i % 4 == 0 { "reddit" } else { "steam" };
        let author = ["ann", "bob", "cy"][i % 3];
        let lang = if i % 5 == 0 { "de" } else { "en" };
        v.push(rec(i, platform, author, Some(labels[i % 5]), lang));
    }
    v.push(rec(20, "steam", "ann", None, "en"));
    v
}

fn write(path: &Path, records: &[Comment], fields: Fields) {
    let opts = SinkOptions {
        fields,
        ..Default::default()
    };
    let mut sink = open_file_with(Format::Xlsx, path, None, &opts).unwrap();
    for r in records {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
}

fn rows(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn col(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap()
}

fn zip_entry(path: &Path, name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).ok()?.read_to_string(&mut s).unwrap();
    Some(s)
}

/// The (row, value) pairs of a two-column table whose header is `head` at column `c`.
fn table(rows: &[Vec<Data>], c: usize, head: &str) -> Vec<(String, f64)> {
    let start = rows
        .iter()
        .position(|r| r.get(c).map(|d| d.to_string()) == Some(head.to_string()))
        .unwrap_or_else(|| panic!("no table {head}"));
    rows[start + 1..]
        .iter()
        .take_while(|r| !matches!(r.get(c), None | Some(Data::Empty)))
        .map(|r| (r[c].to_string(), r[c + 1].as_f64().unwrap()))
        .collect()
}

#[test]
fn sentiment_cells_are_coloured_by_class() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    let records = sample();
    write(&path, &records, Fields::all());
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Comments", "Summary", "Sentiment Legend"]
    );
    let data = rows(&mut book, "Comments");
    assert_eq!(data.len(), records.len() + 1);
    let styles = book.worksheet_style("Comments").unwrap();
    let fill = |r: usize, c: usize| {
        let style = styles.get((r as u32, c as u32))?;
        let color = style.fill.as_ref()?.get_color()?;
        Some((color.red, color.green, color.blue))
    };
    let (label, score) = (col("sentiment_label"), col("sentiment_score"));
    for (i, r) in records.iter().enumerate() {
        let want = match r.sentiment.as_ref().map(|s| s.label.as_ref()) {
            Some("positive") => Some((0xC6, 0xEF, 0xCE)),
            Some("negative") => Some((0xFF, 0xC7, 0xCE)),
            Some("neutral") => Some((0xFF, 0xEB, 0x9C)),
            _ => None,
        };
        assert_eq!(fill(i + 1, label), want, "label cell of row {i}");
        assert_eq!(fill(i + 1, score), want, "score cell of row {i}");
        assert_eq!(fill(i + 1, col("text")), None, "text cell of row {i}");
        let got = data[i + 1][label].to_string();
        assert_eq!(got, r.sentiment.as_ref().map_or("", |s| &s.label));
    }
    // The header is bold.
    let bold = styles
        .get((0, 0))
        .and_then(|s| s.font.as_ref())
        .map(|f| f.is_bold());
    assert_eq!(bold, Some(true));
}

#[test]
fn summary_counts_and_native_charts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    let records = sample();
    write(&path, &records, Fields::all());
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let s = rows(&mut book, "Summary");
    assert_eq!(s[1][1].as_f64(), Some(21.0), "row count");
    assert_eq!(
        table(&s, 0, "Platform"),
        [("steam".into(), 16.0), ("reddit".into(), 5.0)]
    );
    assert_eq!(
        table(&s, 3, "Sentiment"),
        [
            ("positive".into(), 12.0),
            ("negative".into(), 4.0),
            ("neutral".into(), 4.0)
        ]
    );
    assert_eq!(
        table(&s, 7, "Language"),
        [("en".into(), 17.0), ("de".into(), 4.0)]
    );
    let authors: Vec<(String, String, f64)> = s[4..7]
        .iter()
        .map(|r| {
            (
                r[10].to_string(),
                r[11].to_string(),
                r[12].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(authors[0], ("ann".into(), "steam".into(), 6.0));
    // Days: 2024-05-01..03 with 7 + 7 + 7 = 21 records.
    let days = table(&s, 14, "Day");
    assert_eq!(
        days.iter().map(|d| d.1).collect::<Vec<_>>(),
        [7.0, 7.0, 7.0]
    );

    // Native charts: a pie, a line and a bar chart, drawn on the Summary sheet.
    let kinds: Vec<&str> = (1..=3)
        .map(|n| {
            let xml = zip_entry(&path, &format!("xl/charts/chart{n}.xml"))
                .unwrap_or_else(|| panic!("chart{n}.xml missing"));
            ["c:pieChart", "c:lineChart", "c:barChart"]
                .into_iter()
                .find(|k| xml.contains(&format!("<{k}>")))
                .unwrap_or("other")
        })
        .collect();
    assert_eq!(kinds, ["c:pieChart", "c:lineChart", "c:barChart"]);
    let bar = zip_entry(&path, "xl/charts/chart3.xml").unwrap();
    assert!(bar.contains("<c:barDir val=\"bar\"/>"));
    assert!(zip_entry(&path, "xl/drawings/drawing1.xml").is_some());
}

#[test]
fn legend_explains_classes_thresholds_and_methods() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    write(&path, &sample(), Fields::all());
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let legend = rows(&mut book, "Sentiment Legend");
    let text: Vec<String> = legend
        .iter()
        .flat_map(|r| r.iter().map(|d| d.to_string()))
        .collect();
    let all = text.join("\n");
    for needle in [
        "positive",
        "negative",
        "neutral",
        "green",
        "red",
        "yellow",
        "0.05",
        "lexicon-test",
    ] {
        assert!(all.contains(needle), "legend lacks {needle:?}:\n{all}");
    }
    let class_rows: Vec<(String, f64)> = legend[3..6]
        .iter()
        .map(|r| (r[0].to_string(), r[4].as_f64().unwrap()))
        .collect();
    assert_eq!(
        class_rows,
        [
            ("positive".into(), 12.0),
            ("neutral".into(), 4.0),
            ("negative".into(), 4.0)
        ]
    );
    let mean = legend[3][5].as_f64().unwrap();
    assert!((mean - 0.6).abs() < 1e-9, "mean positive score {mean}");
    let styles = book.worksheet_style("Sentiment Legend").unwrap();
    let swatch = styles
        .get((3, 1))
        .and_then(|s| s.fill.as_ref())
        .and_then(|f| f.get_color())
        .map(|c| (c.red, c.green, c.blue));
    assert_eq!(swatch, Some((0xC6, 0xEF, 0xCE)));
}

#[test]
fn no_sentiment_no_extra_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    let mut records = sample();
    for r in &mut records {
        r.sentiment = None;
    }
    write(&path, &records, Fields::all());
    let book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Comments"]);
    // Sentiment present but its column not selected: no legend either.
    let path = dir.path().join("t.xlsx");
    write(&path, &sample(), Fields::parse("id,text").unwrap());
    let book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Comments"]);
}

#[test]
fn selected_fields_shape_sheet_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.xlsx");
    let fields = Fields::parse("sentiment_label,text,id").unwrap();
    write(&path, &sample(), fields);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let data = rows(&mut book, "Comments");
    let header: Vec<String> = data[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, ["sentiment_label", "text", "id"]);
    assert_eq!(data[1][1].to_string(), "comment 0");
    assert_eq!(data[1][2].to_string(), "0");
    // Authors, platforms, languages and dates were not exported: not summarized.
    let s = rows(&mut book, "Summary");
    let cells: Vec<String> = s
        .iter()
        .flat_map(|r| r.iter().map(|d| d.to_string()))
        .collect();
    for absent in ["ann", "Platform", "Language", "Day"] {
        assert!(!cells.iter().any(|c| c == absent), "{absent} shown");
    }
    assert_eq!(table(&s, 3, "Sentiment").len(), 3);
}

#[test]
fn resumed_spool_gives_the_same_workbook_rows_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.xlsx");
    let records = sample();
    let opts = SinkOptions::default();
    let mut sink = open_file_with(Format::Xlsx, &path, None, &opts).unwrap();
    for r in &records[..8] {
        sink.write(r).unwrap();
    }
    let committed = sink.commit().unwrap();
    for r in &records[8..12] {
        sink.write(r).unwrap(); // lost in the "crash"
    }
    sink.commit().unwrap();
    drop(sink);
    let mut sink = open_file_with(Format::Xlsx, &path, Some(committed), &opts).unwrap();
    for r in &records[8..] {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let data = rows(&mut book, "Comments");
    let ids: Vec<String> = data[1..].iter().map(|r| r[col("id")].to_string()).collect();
    let want: Vec<String> = (0..records.len()).map(|i| i.to_string()).collect();
    assert_eq!(ids, want);
    let s = rows(&mut book, "Summary");
    assert_eq!(s[1][1].as_f64(), Some(21.0));
    assert_eq!(table(&s, 3, "Sentiment")[0], ("positive".into(), 12.0));
}
