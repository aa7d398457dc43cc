//! Unit tests of the OpenWeb URL form, windows, API answers and export files.

mod props;

use std::io::Write as _;

use engine::{Kind, Target};

use super::export_csv::parse_export;
use super::range::{parse_bound, windows};
use super::url::detect;

pub(super) fn target() -> Target {
    detect(
        &"openweb://sp_T1?since=2024-05-01&until=2024-05-01"
            .parse()
            .unwrap(),
    )
    .unwrap()
}

pub(super) const HEADER: &str = "content,dislikes_count,id,label_id,likes_count,message_status,post_id,reports_count,type,updated_at,user_display_name,user_id,user_name,user_primarykey,written_at";

/// A zip holding `files` (name, content), deflated.
pub(super) fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files {
        z.start_file(*name, options).unwrap();
        z.write_all(content.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn detects_the_url_form() {
    let t = detect(
        &"openweb://sp_AbC-1?since=2024-05-01T06:00:00&until=2024-05-02T06:00:00Z"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(t.id, "sp_AbC-1_20240501T060000-20240502T060000");
    assert_eq!(t.params["spot"], "sp_AbC-1");
    let bare = detect(&"openweb://sp_x".parse().unwrap()).unwrap();
    assert_eq!(
        (bare.id.as_str(), bare.url.as_str()),
        ("sp_x", "openweb://sp_x")
    );
    assert!(!bare.params.contains_key("since"));
    for bad in [
        "openweb://sp_x/path?since=2024-05-01",
        "openweb://sp_x?until=tomorrow",
        "https://www.openweb.com/sp_x",
        "openweb://sp%20x",
    ] {
        assert!(
            bad.parse::<url::Url>()
                .ok()
                .and_then(|u| detect(&u))
                .is_none(),
            "{bad}"
        );
    }
}

#[test]
fn the_registry_claims_the_scheme() {
    let (adapter, target) = crate::registry()
        .detect("openweb://sp_demo?since=2024-05-01&until=2024-05-03")
        .unwrap();
    assert_eq!(adapter.info().key, "openweb");
    assert_eq!(
        target.key(),
        "openweb_sp_demo_20240501T000000-20240504T000000"
    );
}

#[test]
fn windows_are_at_most_a_day_and_cover_the_range() {
    let since = parse_bound("2024-05-01T06:30:00", false).unwrap();
    let until = parse_bound("2024-05-04", true).unwrap();
    let w = windows(since, until);
    assert_eq!(w.len(), 4);
    assert_eq!(w[0].since, since);
    assert_eq!(w[3].to, until);
    for pair in w.windows(2) {
        assert_eq!(pair[0].to, pair[1].since);
    }
    assert!(w
        .iter()
        .all(|w| (w.to - w.since).num_seconds() <= 86_400 && w.to > w.since));
    assert!(windows(until, since).is_empty());
}

#[test]
fn reads_every_column_of_a_zipped_export() {
    let csv = format!(
        "{HEADER}\n\
         \"Hello, \"\"world\"\"\nline 2\",1,m1,null,4,approved,post-1,0,comment,2024-05-01 10:05:00,Ann,u1,ann,pk1,2024-05-01 10:00:00\n\
         Reply!,0,m2,lab-3,0,require approval,post-1,2,reply,2024-05-01T11:00:00Z,Bob,u2,bob,,2024-05-01T10:30:00.5\n"
    );
    let zip = zip_of(&[
        ("a/", ""),
        ("export_1.csv", &csv),
        ("README.txt", "not a csv"),
    ]);
    let r = parse_export(&zip, &target(), "part-0.csv.zip").unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0].kind, r[0].id.as_str(), r[0].source_id.as_str()),
        (Kind::Comment, "m1", "post-1")
    );
    assert_eq!(r[0].text, "Hello, \"world\"\nline 2");
    assert_eq!((r[0].likes, r[0].dislikes), (Some(4), Some(1)));
    assert_eq!(r[0].author.as_deref(), Some("Ann"));
    assert_eq!(r[0].author_id.as_deref(), Some("u1"));
    assert_eq!(
        r[0].created_at.unwrap().to_rfc3339(),
        "2024-05-01T10:00:00+00:00"
    );
    assert_eq!(r[0].extra["label_id"], serde_json::Value::Null);
    assert_eq!(r[0].extra["message_status"], "approved");
    assert_eq!(r[0].extra["reports_count"], 0);
    assert_eq!(r[0].extra["updated_at"], "2024-05-01 10:05:00");
    assert_eq!(r[0].extra["user_name"], "ann");
    assert_eq!(r[0].extra["user_primarykey"], "pk1");
    assert_eq!(
        (r[1].kind, r[1].depth, r[1].parent_id.as_deref()),
        (Kind::Reply, 1, None)
    );
    assert_eq!(r[1].extra["label_id"], "lab-3");
    assert!(r[1].extra.get("user_primarykey").is_none());
    assert_eq!(
        r[1].created_at.unwrap().timestamp_millis(),
        1_714_559_400_500
    );
}

#[test]
fn columns_are_found_by_name_and_a_parent_column_is_used() {
    let csv = "\u{feff}ID,type,parent_id,written_at,content\nr9,reply,m1,1714557600,hi\n";
    let r = parse_export(csv.as_bytes(), &target(), "x.csv").unwrap();
    assert_eq!(r[0].parent_id.as_deref(), Some("m1"));
    assert_eq!(r[0].source_id, "");
    assert_eq!(r[0].created_at.unwrap().timestamp(), 1_714_557_600);
}

#[test]
fn broken_files_are_parse_errors_naming_the_file() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (zip_of(&[("notes.txt", "x")]), "no .csv file"),
        (b"PK\x03\x04garbage".to_vec(), "not a readable zip"),
        (
            zip_of(&[("a.csv", "content,likes_count\nx,1\n")]),
            "no `id` column",
        ),
        (
            zip_of(&[("a.csv", "id,content\nm1,a\nm2,b,c\n")]),
            "broken CSV",
        ),
        (zip_of(&[("a.csv", "id,content\n,a\n")]), "empty `id`"),
        (Vec::new(), "empty"),
    ];
    for (body, wanted) in cases {
        let e = parse_export(&body, &target(), "https://storage.example/p.csv.zip").unwrap_err();
        assert_eq!(e.kind(), "parse");
        assert!(e.to_string().contains(wanted), "{wanted:?} not in {e}");
        assert!(e.to_string().contains("storage.example/p.csv.zip"), "{e}");
    }
}

#[test]
fn unreadable_dates_are_kept_raw() {
    let r = parse_export(b"id,written_at\nm1,last tuesday\n", &target(), "x.csv").unwrap();
    assert_eq!(r[0].created_at, None);
    assert_eq!(r[0].created_at_raw.as_deref(), Some("last tuesday"));
}
