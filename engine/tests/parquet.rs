//! The Parquet sink (feature `parquet`), read back with polars: schema,
//! values, column selection, resumption and arbitrary text.
#![cfg(feature = "parquet")]

use std::path::Path;

use chrono::{TimeZone, Utc};
use engine::sink::{open_file_with, Fields, Format, SinkOptions, COLUMNS};
use engine::{Comment, Kind, Sentiment};
use polars::prelude::*;
use proptest::prelude::*;

fn rec(i: usize, text: &str) -> Comment {
    let mut c = Comment::new(
        "youtube",
        Kind::Comment,
        format!("c{i}"),
        "vid",
        "https://www.youtube.com/watch?v=vid",
    );
    c.text = text.to_string();
    c.likes = Some(i as u64 * 10);
    c.depth = (i % 3) as u32;
    c.rating = i.is_multiple_of(2).then_some(4.5);
    c.edited = Some(i % 2 == 1);
    c.created_at = Utc.timestamp_opt(1_700_000_000 + i as i64, 0).single();
    c.sentiment = Some(Sentiment {
        label: "positive".into(),
        score: 0.25,
        method: "lexicon-en".into(),
    });
    c.extra.insert("k".into(), serde_json::json!({"n": i}));
    c
}

fn write(path: &Path, records: &[Comment], fields: Fields) {
    let opts = SinkOptions {
        fields,
        ..Default::default()
    };
    let mut sink = open_file_with(Format::Parquet, path, None, &opts).unwrap();
    for r in records {
        sink.write(r).unwrap();
    }
    sink.finish().unwrap();
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[test]
fn schema_and_values_follow_the_record_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.parquet");
    let records: Vec<Comment> = (0..40_000)
        .map(|i| rec(i, &format!("text {i} 🎮")))
        .collect();
    write(&path, &records, Fields::all());
    let df = read(&path);
    assert_eq!(df.height(), 40_000);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, COLUMNS);
    let dtype = |n: &str| df.column(n).unwrap().dtype().clone();
    assert_eq!(dtype("text"), DataType::String);
    assert_eq!(dtype("depth"), DataType::UInt32);
    assert_eq!(dtype("likes"), DataType::UInt64);
    assert_eq!(dtype("rating"), DataType::Float64);
    assert_eq!(dtype("edited"), DataType::Boolean);
    assert!(matches!(
        dtype("created_at"),
        DataType::Datetime(TimeUnit::Microseconds, Some(_))
    ));
    assert_eq!(dtype("extra"), DataType::String);
    let text = df.column("text").unwrap().str().unwrap();
    assert_eq!(text.get(12_345), Some("text 12345 🎮"));
    assert_eq!(df.column("likes").unwrap().u64().unwrap().get(7), Some(70));
    let rating = df.column("rating").unwrap().f64().unwrap();
    assert_eq!((rating.get(0), rating.get(1)), (Some(4.5), None));
    assert_eq!(
        df.column("sentiment_label").unwrap().str().unwrap().get(3),
        Some("positive")
    );
    assert_eq!(
        df.column("sentiment_score").unwrap().f64().unwrap().get(3),
        Some(0.25)
    );
    assert_eq!(df.column("parent_id").unwrap().null_count(), 40_000);
    let extra: serde_json::Value =
        serde_json::from_str(df.column("extra").unwrap().str().unwrap().get(9).unwrap()).unwrap();
    assert_eq!(extra, serde_json::json!({"k": {"n": 9}}));
    let created = df
        .column("created_at")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap();
    assert_eq!(
        created.i64().unwrap().get(5),
        Some((1_700_000_005) * 1_000_000)
    );
}

#[test]
fn selected_fields_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.parquet");
    write(
        &path,
        &[rec(1, "a"), rec(2, "b")],
        Fields::parse("likes,sentiment_label,id").unwrap(),
    );
    let df = read(&path);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, ["likes", "sentiment_label", "id"]);
    assert_eq!(df.column("id").unwrap().str().unwrap().get(1), Some("c2"));
}

#[test]
fn empty_output_has_the_schema_and_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.parquet");
    write(&path, &[], Fields::parse("id,likes").unwrap());
    let df = read(&path);
    assert_eq!((df.height(), df.width()), (0, 2));
}

#[test]
fn resume_cuts_the_spool_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.parquet");
    let opts = SinkOptions::default();
    let mut sink = open_file_with(Format::Parquet, &path, None, &opts).unwrap();
    for i in 0..5 {
        sink.write(&rec(i, "x")).unwrap();
    }
    let committed = sink.commit().unwrap();
    sink.write(&rec(99, "lost")).unwrap();
    sink.commit().unwrap();
    drop(sink);
    let mut sink = open_file_with(Format::Parquet, &path, Some(committed), &opts).unwrap();
    sink.write(&rec(5, "y")).unwrap();
    sink.finish().unwrap();
    let df = read(&path);
    let ids: Vec<&str> = df
        .column("id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["c0", "c1", "c2", "c3", "c4", "c5"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn arbitrary_text_round_trips(texts in proptest::collection::vec(any::<String>(), 1..5)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let records: Vec<Comment> = texts.iter().enumerate().map(|(i, t)| rec(i, t)).collect();
        write(&path, &records, Fields::parse("id,text").unwrap());
        let df = read(&path);
        let got: Vec<&str> = df.column("text").unwrap().str().unwrap().iter().flatten().collect();
        let want: Vec<&str> = texts.iter().map(String::as_str).collect();
        prop_assert_eq!(got, want);
    }
}
