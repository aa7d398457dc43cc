//! Property tests: the export-file reader, the API answer parsers and the
//! URL detection never panic, whatever the input.

use proptest::prelude::*;

use super::{target, zip_of, HEADER};
use crate::openweb::api::{parse_requested, parse_status};
use crate::openweb::export_csv::parse_export;
use crate::openweb::url::detect;

const KEYS: &[&str] = &["status", "links", "request_id", "status-link", "message"];
const WORDS: &[&str] = &[
    "pending",
    "in_progress",
    "done",
    "failed",
    "aborted",
    "https://x/1.csv.zip",
];

/// CSV-ish text: the real header, then cells of any text, quotes and commas.
fn csv_text() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        "\\PC{0,12}",
        Just("\"".to_string()),
        Just(",".to_string()),
        Just("null".to_string()),
        Just("reply".to_string()),
        Just("2024-05-01 10:00:00".to_string()),
        "[0-9]{1,20}",
        Just("\n".to_string())
    ];
    (any::<bool>(), prop::collection::vec(cell, 0..60)).prop_map(|(header, cells)| {
        let body = cells.join(",");
        if header {
            format!("{HEADER}\n{body}")
        } else {
            body
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn export_reader_never_panics_on_csv(text in csv_text()) {
        let _ = parse_export(text.as_bytes(), &target(), "x.csv");
        let _ = parse_export(&zip_of(&[("a.csv", &text)]), &target(), "x.csv.zip");
    }

    #[test]
    fn export_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600), pk in any::<bool>()) {
        let mut body = if pk { b"PK\x03\x04".to_vec() } else { Vec::new() };
        body.extend(bytes);
        let _ = parse_export(&body, &target(), "x");
    }

    #[test]
    fn corrupted_zips_never_panic(cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
        let mut zip = zip_of(&[("a.csv", &format!("{HEADER}\nx,1,m1,null,2,approved,p,0,comment,,A,u,a,k,2024-05-01 10:00:00\n"))]);
        if !zip.is_empty() {
            let i = flip % zip.len();
            zip[i] = byte;
        }
        zip.truncate(cut.max(4));
        let _ = parse_export(&zip, &target(), "x");
    }

    #[test]
    fn api_parsers_never_panic(v in crate::json_strategy::json_like(KEYS, WORDS)) {
        let body = v.to_string();
        let _ = parse_status(body.as_bytes(), "u");
        let _ = parse_requested(body.as_bytes(), "u");
    }

    #[test]
    fn detect_never_panics(s in "\\PC{0,60}") {
        if let Ok(url) = format!("openweb://{s}").parse::<url::Url>() {
            let _ = detect(&url);
        }
    }
}
