//! Conformance: the App Store feed parser on a real recorded page (the
//! Japanese customer-reviews feed of app 1404176564, 50 entries, 2020, no
//! per-entry `updated`).
//!
//! The recording lives outside the repository (`/work/shared/recordings`);
//! when it is absent the test says so and passes.

use adapters::apple::parse_feed;
use engine::{Kind, Target};
use serde_json::Value;

const RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/apple/itunes_rss_customerreviews_jp_1404176564_1.json"
);

#[test]
fn recorded_japanese_feed_parses_exactly() {
    let Ok(body) = std::fs::read(RECORDING) else {
        eprintln!("skipping: recording {RECORDING} not found");
        return;
    };
    let raw: Value = serde_json::from_slice(&body).expect("the recording is JSON");
    let target = Target::new(
        "apple",
        "1404176564",
        "https://apps.apple.com/jp/app/id1404176564",
    );
    let page = parse_feed(
        &body,
        &target,
        "jp",
        "https://itunes.apple.com/jp/rss/customerreviews/page=1/id=1404176564/sortby=mostrecent/json",
    )
    .expect("the recorded feed parses");
    let entries = raw["feed"]["entry"].as_array().expect("entry list");
    assert_eq!(entries.len(), 50);
    assert_eq!(page.records.len(), 50, "every entry is a review");
    assert_eq!(page.skipped, 0, "no app entry in this feed");

    let label = |e: &Value, k: &str| e[k]["label"].as_str().unwrap().to_string();
    for (r, e) in page.records.iter().zip(entries) {
        assert_eq!((r.platform.as_str(), r.kind), ("apple", Kind::Review));
        assert_eq!(r.id, label(e, "id"));
        assert_eq!(
            r.rating,
            Some(label(e, "im:rating").parse::<f64>().unwrap())
        );
        assert_eq!(r.title.as_deref(), Some(label(e, "title").as_str()));
        assert_eq!(r.text, label(e, "content"));
        assert_eq!(r.extra["app_version"], label(e, "im:version"));
        assert_eq!(r.author.as_deref(), e["author"]["name"]["label"].as_str());
        assert_eq!(
            r.author_url.as_deref(),
            e["author"]["uri"]["label"].as_str()
        );
        let vote_sum: u64 = label(e, "im:voteSum").parse().unwrap();
        let vote_count: u64 = label(e, "im:voteCount").parse().unwrap();
        assert_eq!(
            (r.likes, r.dislikes),
            (Some(vote_sum), Some(vote_count - vote_sum))
        );
        assert_eq!(r.extra["storefront"], "jp");
        assert_eq!(
            (r.created_at, r.created_at_precision),
            (None, None),
            "no `updated` in this feed"
        );
        assert_eq!(r.source_id, "1404176564");
    }

    // A few written out by hand from the recording.
    let by = |i: usize| &page.records[i];
    assert_eq!(
        (by(0).id.as_str(), by(0).rating, by(0).title.as_deref()),
        ("6290024630", Some(4.0), Some("神アプリ"))
    );
    assert_eq!(by(0).extra["app_version"], "3.4.3");
    assert_eq!(
        (by(0).author.as_deref(), by(0).author_id.as_deref()),
        (Some("ヤミ。"), Some("638572168"))
    );
    assert_eq!(
        (by(2).id.as_str(), by(2).rating, by(2).title.as_deref()),
        ("6282758619", Some(1.0), Some("ラグが酷すぎる"))
    );
    assert_eq!(
        (
            by(20).id.as_str(),
            by(20).rating,
            by(20).likes,
            by(20).dislikes
        ),
        ("6215691050", Some(1.0), Some(1), Some(8))
    );
    assert_eq!(by(20).extra["app_version"], "3.3.15");
    assert_eq!(
        (by(49).id.as_str(), by(49).rating),
        ("6123449936", Some(3.0))
    );
    assert_eq!(
        by(49).title.as_deref(),
        Some("配信が出来ない理由がわからない")
    );
    let mut stars = [0usize; 6];
    for r in &page.records {
        stars[r.rating.unwrap() as usize] += 1;
    }
    assert_eq!(stars, [0, 13, 7, 15, 6, 9]);
}
