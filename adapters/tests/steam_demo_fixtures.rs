//! The static demo data of `fixtures/steam/` (see its README), exported by
//! the Steam adapter from the offline fixture server.

mod steam_support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use engine::{Comment, JobOptions, Kind};
use fixtures::{FixtureServer, ServerConfig};
use serde_json::Value;
use steam_support::{context, records, run};

/// The static demo data in `fixtures/steam/`, served from disk.
#[tokio::test]
async fn static_demo_fixtures_export_as_documented() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/steam");
    let server = FixtureServer::start(ServerConfig::new().routes_from_dir("steam", dir))
        .await
        .expect("fixture routes load");
    assert_eq!(
        fixtures::embedded_fixture("steam/routes.json"),
        Some(&std::fs::read(format!("{dir}/routes.json")).expect("routes.json")[..]),
        "the fixtures crate embeds these files too"
    );
    let load = |file: &str| -> Value {
        let bytes = std::fs::read(format!("{dir}/{file}")).expect("fixture file");
        serde_json::from_slice(&bytes).expect("fixture JSON")
    };

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_010, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 4);
    assert_eq!(pages[0].total_hint, Some(103));
    let all = records(&pages);
    let reviews: Vec<&Comment> = all.iter().filter(|r| r.kind == Kind::Review).collect();
    assert_eq!(reviews.len(), 103);
    assert_eq!(
        reviews.iter().map(|r| &r.id).collect::<HashSet<_>>().len(),
        103
    );
    assert!(all.iter().any(|r| r.kind == Kind::Reply));
    let expected: Vec<Value> = (1..=3)
        .flat_map(|n| {
            load(&format!("app_1000010/page{n}.json"))["reviews"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for (record, raw) in reviews.iter().zip(&expected) {
        assert_eq!(Some(record.id.as_str()), raw["recommendationid"].as_str());
        assert_eq!(Some(record.text.as_str()), raw["review"].as_str());
    }
    for prefix in ["=HYPERLINK(", "+", "-", "@"] {
        assert!(
            reviews.iter().any(|r| r.text.starts_with(prefix)),
            "a review starting with {prefix}"
        );
    }

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_020, None).await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.iter().filter(|r| r.kind == Kind::Review).count(), 15);
    assert!(all.iter().filter(|r| r.kind == Kind::Reply).count() >= 3);
    let languages: HashSet<_> = all.iter().filter_map(|r| r.language.as_deref()).collect();
    for code in ["zh", "ru", "ja", "de", "pt", "en"] {
        assert!(languages.contains(code), "{code}");
    }

    let started = Instant::now();
    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_030, None).await;
    assert!(error.is_none(), "{error:?}");
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(
        records(&pages)
            .iter()
            .filter(|r| r.kind == Kind::Review)
            .count(),
        8
    );

    let (pages, error) = run(context(&server, JobOptions::new()), 1_000_040, None).await;
    assert!(pages.is_empty());
    assert_eq!(error.map(|e| e.kind()), Some("not_found"));
}
