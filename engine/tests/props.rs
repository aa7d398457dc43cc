//! Property tests of the engine's input-facing pieces: URL detection never
//! panics, CSV round-trips any text, limits are never exceeded.

use engine::filter::Filter;
use engine::sink::{open_file, Format, COLUMNS};
use engine::{Comment, JobOptions, Kind, Limits, Registry};
use proptest::prelude::*;

proptest! {
    #[test]
    fn detect_never_panics(input in "\\PC{0,200}") {
        let _ = Registry::new().detect(&input);
    }

    #[test]
    fn detect_never_panics_on_url_like_input(host in "[a-z0-9.-]{0,30}", path in "[ -~]{0,80}") {
        let _ = Registry::new().detect(&format!("https://{host}/{path}"));
        let _ = Registry::new().detect(&format!("{host}{path}"));
    }

    #[test]
    fn csv_round_trips_any_text(texts in proptest::collection::vec("\\PC{0,60}|[=+@\\-\\t\\r\\n\",]{1,5}\\PC{0,10}", 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let mut sink = open_file(Format::Csv, &path, None).unwrap();
        for (i, t) in texts.iter().enumerate() {
            let mut c = Comment::new("steam", Kind::Review, i.to_string(), "1", "u");
            c.text = t.clone();
            sink.write(&c).unwrap();
        }
        sink.finish().unwrap();
        let mut r = csv::Reader::from_path(&path).unwrap();
        let col = COLUMNS.iter().position(|c| *c == "text").unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        prop_assert_eq!(rows.len(), texts.len());
        for (row, t) in rows.iter().zip(&texts) {
            let cell = &row[col];
            if t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                prop_assert_eq!(cell, format!("'{t}"));
            } else {
                prop_assert_eq!(cell, t.as_str());
            }
        }
    }

    #[test]
    fn limits_are_never_exceeded(
        total in proptest::option::of(0u64..40),
        top in proptest::option::of(0u64..15),
        replies in proptest::option::of(0u64..20),
        per_thread in proptest::option::of(0u64..4),
        depth in proptest::option::of(0u32..3),
        shape in proptest::collection::vec(0u32..4, 0..120),
    ) {
        let limits = Limits { total, top_level: top, replies, replies_per_thread: per_thread, depth };
        let mut f = Filter::new(&JobOptions::new().limits(limits));
        // Build a forest: a 0 starts a new thread, n > 0 is a reply at depth n under the last thread.
        let mut kept: Vec<Comment> = Vec::new();
        let mut root: Option<Comment> = None;
        for (i, d) in shape.iter().enumerate() {
            let mut c = Comment::new("t", if *d == 0 { Kind::Comment } else { Kind::Reply }, i.to_string(), "s", "u");
            match (&root, d) {
                (Some(r), d) if *d > 0 => { c.parent_id = Some(r.id.clone()); c.root_id = r.id.clone(); c.depth = *d; }
                _ => root = Some(c.clone()),
            }
            if f.check(&c).is_ok() {
                kept.push(c);
            }
        }
        let tops = kept.iter().filter(|c| c.depth == 0).count() as u64;
        let reps = kept.len() as u64 - tops;
        prop_assert!(total.is_none_or(|n| kept.len() as u64 <= n));
        prop_assert!(top.is_none_or(|n| tops <= n));
        prop_assert!(replies.is_none_or(|n| reps <= n));
        prop_assert!(depth.is_none_or(|d| kept.iter().all(|c| c.depth <= d)));
        if let Some(n) = per_thread {
            let mut per = std::collections::HashMap::new();
            for c in kept.iter().filter(|c| c.depth > 0) {
                *per.entry(c.root_id.clone()).or_insert(0u64) += 1;
            }
            prop_assert!(per.values().all(|v| *v <= n));
        }
        if top.is_some() {
            let roots: std::collections::HashSet<_> = kept.iter().filter(|c| c.depth == 0).map(|c| c.id.clone()).collect();
            prop_assert!(kept.iter().all(|c| c.depth == 0 || roots.contains(&c.root_id)), "orphan reply kept");
        }
    }
}
