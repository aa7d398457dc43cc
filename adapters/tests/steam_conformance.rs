//! Conformance: the Steam parser on a real recorded `appreviews` page.
//!
//! The recording lives outside the repository (`/work/shared/recordings`);
//! when it is absent the test says so and passes.

use adapters::steam::parse_page;
use engine::{Kind, Target};
use serde_json::Value;

const RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/steam/appreviews_12200_2019_from_code_comment.json"
);

#[test]
fn recorded_page_12200_parses_exactly() {
    let Ok(body) = std::fs::read(RECORDING) else {
        eprintln!("skipping: recording {RECORDING} not found");
        return;
    };
    let raw: Value = serde_json::from_slice(&body).expect("the recording is JSON");
    let target = Target::new(
        "steam",
        "12200",
        "https://store.steampowered.com/app/12200/",
    );
    let page = parse_page(
        &body,
        &target,
        "https://store.steampowered.com/appreviews/12200?json=1",
        true,
    )
    .expect("the recorded page parses");

    let raw_reviews = raw["reviews"].as_array().expect("reviews array");
    assert_eq!(page.num_reviews, 9);
    assert_eq!(raw_reviews.len(), 9);
    assert_eq!(page.records.len(), 9, "no developer responses in this page");
    assert_eq!(page.total_reviews, Some(4822));
    assert_eq!(page.cursor.as_deref(), raw["cursor"].as_str());
    assert_eq!(page.cursor.as_deref(), Some("AoIIPwIZM3iA1dIB"));

    for (record, raw) in page.records.iter().zip(raw_reviews) {
        assert_eq!(record.kind, Kind::Review);
        assert_eq!(Some(record.id.as_str()), raw["recommendationid"].as_str());
        assert_eq!(Some(record.text.as_str()), raw["review"].as_str());
        assert_eq!(record.source_id, "12200");
        assert_eq!(
            record.author_id.as_deref(),
            raw["author"]["steamid"].as_str()
        );
        assert_eq!(
            record.created_at.map(|t| t.timestamp()),
            raw["timestamp_created"].as_i64()
        );
        assert_eq!(
            record.edited,
            Some(raw["timestamp_updated"].as_i64() > raw["timestamp_created"].as_i64())
        );
        assert_eq!(record.likes, raw["votes_up"].as_u64());
        assert_eq!(record.reply_count, raw["comment_count"].as_u64());
        let voted_up = raw["voted_up"].as_bool().expect("voted_up");
        assert_eq!(record.rating, Some(if voted_up { 1.0 } else { 0.0 }));
        assert_eq!(record.language.as_deref(), Some("en"));

        let score_text = raw["weighted_vote_score"]
            .as_str()
            .expect("a string in 2019 responses");
        let score: f64 = score_text.parse().expect("numeric string");
        assert_eq!(record.extra["weighted_vote_score"].as_f64(), Some(score));
        assert_eq!(
            record.extra["playtime_forever"],
            raw["author"]["playtime_forever"]
        );
        assert_eq!(record.extra["votes_funny"], raw["votes_funny"]);
        assert!(
            !record.extra.contains_key("playtime_at_review"),
            "absent in 2019 responses, so absent here"
        );
    }
}
