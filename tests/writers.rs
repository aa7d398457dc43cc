//! `runner batch` with the writer options: `--fields` in every format,
//! `--chunk-rows` and `--zip`, against a synthetic Steam server.

mod common;

use std::io::Read;

use calamine::{open_workbook, Reader, Xlsx};
use common::*;
use fixtures::SynthApp;

#[test]
fn fields_select_and_order_columns_in_every_format() {
    let server = steam_server(vec![SynthApp::new(3_000_001, 120)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[3_000_001], &[]);
    let mut args = batch_args(&urls, &out, &server);
    args.extend(
        [
            "--format",
            "ndjson,json,csv,xlsx",
            "--fields",
            "likes,id,text",
        ]
        .map(String::from),
    );
    run_ok(&args);
    let nd = read_ndjson(&out.join("steam_3000001.ndjson"));
    assert_eq!(nd.len(), 120);
    let line = std::fs::read_to_string(out.join("steam_3000001.ndjson")).unwrap();
    let first = line.lines().next().unwrap();
    assert!(first.starts_with("{\"likes\":"), "{first}");
    assert!(first.find("\"id\"").unwrap() < first.find("\"text\"").unwrap());
    assert_eq!(nd[0].as_object().unwrap().len(), 3);
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(out.join("steam_3000001.json")).unwrap()).unwrap();
    assert_eq!(json, nd);
    let mut csv = csv::Reader::from_path(out.join("all.csv")).unwrap();
    assert_eq!(csv.headers().unwrap(), vec!["likes", "id", "text"]);
    assert_eq!(csv.records().count(), 120);
    let mut book: Xlsx<_> = open_workbook(out.join("all.xlsx")).unwrap();
    let range = book.worksheet_range("Comments").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(header, ["likes", "id", "text"]);
    assert_eq!(range.height(), 121);
}

#[test]
fn unknown_field_is_a_usage_error_naming_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let urls = url_list(dir.path(), &[3_000_002], &[]);
    let o = run(&[
        "batch".into(),
        urls.display().to_string(),
        "--out".into(),
        dir.path().join("out").display().to_string(),
        "--fields".into(),
        "id,bogus".into(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bogus") && err.contains("valid fields") && err.contains("created_at"),
        "{err}"
    );
}

#[test]
fn zipped_chunks_per_url_and_combined() {
    let server = steam_server(
        vec![SynthApp::new(3_000_003, 250), SynthApp::new(3_000_004, 40)],
        0,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[3_000_003, 3_000_004], &[]);
    let mut args = batch_args(&urls, &out, &server);
    args.extend(["--format", "csv,ndjson", "--chunk-rows", "100", "--zip"].map(String::from));
    run_ok(&args);
    let count = |zip_name: &str| -> Vec<(String, usize)> {
        let f = std::fs::File::open(out.join(zip_name)).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        (0..z.len())
            .map(|i| {
                let mut e = z.by_index(i).unwrap();
                let mut s = String::new();
                e.read_to_string(&mut s).unwrap();
                let mut r = csv::Reader::from_reader(s.as_bytes());
                (
                    String::from_utf8_lossy(e.name_raw()).into_owned(),
                    r.records().count(),
                )
            })
            .collect()
    };
    assert_eq!(
        count("steam_3000003.csv.zip"),
        [
            ("steam_3000003.part-0001.csv".to_string(), 100),
            ("steam_3000003.part-0002.csv".to_string(), 100),
            ("steam_3000003.part-0003.csv".to_string(), 50)
        ]
    );
    let all: usize = count("all.csv.zip").iter().map(|e| e.1).sum();
    assert_eq!(all, 290);
    assert!(count("all.csv.zip").iter().all(|e| e.1 <= 100));
    let s = summary(&out);
    let outputs: Vec<&str> = s["jobs"][0]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(outputs.contains(&"steam_3000003.csv.zip"), "{outputs:?}");
    assert!(s["combined_outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "all.csv.zip"));
    // Done jobs' chunks are gone from the spool; no stray chunk in the output folder.
    assert!(!out.join(".runner/spool/steam_3000003.csv.parts").exists());
    let stray = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".part-")
        })
        .count();
    assert_eq!(stray, 0);
}

/// Without the `parquet` feature the format is refused with the rebuild
/// hint; with it, the file is written.
#[test]
fn parquet_is_written_or_refused_with_a_hint() {
    let server = steam_server(vec![SynthApp::new(3_000_005, 30)], 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let urls = url_list(dir.path(), &[3_000_005], &[]);
    let mut args = batch_args(&urls, &out, &server);
    args.extend(["--format", "parquet"].map(String::from));
    let o = run(&args);
    if o.status.code() == Some(0) {
        assert!(out.join("steam_3000005.parquet").exists());
    } else {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--features parquet"), "{err}");
        assert!(!out.join("steam_3000005.parquet").exists());
    }
}
