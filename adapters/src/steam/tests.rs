//! Unit tests of the Steam parser, URL detection and request URLs; the
//! property tests are in `tests/props.rs`.

use engine::{Kind, Precision, Sort, Target};
use serde_json::{json, Value};

use super::client::request_url;
use super::language::{iso_code, steam_name};
use super::parse::{parse_page, RATING_SCALE};
use super::url::detect;

mod props;

const REQ: &str = "https://store.steampowered.com/appreviews/440?json=1&cursor=*";

fn target() -> Target {
    Target::new("steam", "440", "https://store.steampowered.com/app/440/")
}

fn review(id: Value, text: &str) -> Value {
    json!({
        "recommendationid": id,
        "author": {"steamid": "76561198000000001", "num_games_owned": 12, "num_reviews": 3,
                   "playtime_forever": 500, "playtime_last_two_weeks": 20, "playtime_at_review": 400,
                   "last_played": 1700001000},
        "language": "schinese",
        "review": text,
        "timestamp_created": 1700000000,
        "timestamp_updated": 1700000500,
        "voted_up": false,
        "votes_up": 7,
        "votes_funny": 1,
        "weighted_vote_score": "0.523809552192687988",
        "comment_count": 2,
        "steam_purchase": true,
        "received_for_free": false,
        "written_during_early_access": true,
        "primarily_steam_deck": false
    })
}

fn page(reviews: Vec<Value>) -> Value {
    json!({
        "success": 1,
        "query_summary": {"num_reviews": reviews.len(), "review_score": 8, "review_score_desc": "Very Positive",
                          "total_positive": 90, "total_negative": 10, "total_reviews": 100},
        "reviews": reviews,
        "cursor": "AoJ4+/k9L/UCeP3ZrwM="
    })
}

fn parse(v: &Value, replies: bool) -> Result<super::ParsedPage, engine::Error> {
    parse_page(v.to_string().as_bytes(), &target(), REQ, replies)
}

#[test]
fn maps_a_review_field_by_field() {
    let p = parse(&page(vec![review(json!("123"), "好玩\nline two")]), true).unwrap();
    assert_eq!((p.num_reviews, p.total_reviews), (1, Some(100)));
    assert_eq!(p.cursor.as_deref(), Some("AoJ4+/k9L/UCeP3ZrwM="));
    let c = &p.records[0];
    assert_eq!(
        (c.platform.as_str(), c.kind, c.id.as_str()),
        ("steam", Kind::Review, "123")
    );
    assert_eq!(
        (c.source_id.as_str(), c.source_url.as_str()),
        ("440", "https://store.steampowered.com/app/440/")
    );
    assert_eq!(
        (c.depth, c.root_id.as_str(), c.parent_id.as_deref()),
        (0, "123", None)
    );
    assert_eq!(c.author, None);
    assert_eq!(c.author_id.as_deref(), Some("76561198000000001"));
    assert_eq!(
        c.author_url.as_deref(),
        Some("https://steamcommunity.com/profiles/76561198000000001/")
    );
    assert_eq!(
        c.url.as_deref(),
        Some("https://steamcommunity.com/profiles/76561198000000001/recommended/440/")
    );
    assert_eq!(c.text, "好玩\nline two");
    assert_eq!(c.created_at.map(|t| t.timestamp()), Some(1_700_000_000));
    assert_eq!(c.created_at_precision, Some(Precision::Second));
    assert_eq!(c.created_at_raw, None);
    assert_eq!(c.edited, Some(true));
    assert_eq!(
        (c.likes, c.likes_approx, c.reply_count, c.rating),
        (Some(7), false, Some(2), Some(0.0))
    );
    assert_eq!(c.language.as_deref(), Some("zh"));
    let e = &c.extra;
    assert_eq!(e["rating_scale"], RATING_SCALE);
    assert_eq!(e["steam_language"], "schinese");
    assert_eq!(
        e["weighted_vote_score"].as_f64(),
        "0.523809552192687988".parse::<f64>().ok()
    );
    assert_eq!(e["votes_funny"], 1);
    assert_eq!(e["timestamp_updated"], 1_700_000_500);
    assert_eq!(e["playtime_at_review"], 400);
    assert_eq!(e["num_reviews"], 3);
    assert_eq!(e["written_during_early_access"], true);
    for absent in [
        "deck_playtime_at_review",
        "hidden_in_steam_china",
        "steam_china_location",
    ] {
        assert!(!e.contains_key(absent), "{absent}");
    }
    assert_eq!(p.records.len(), 1, "no developer response, no reply");
}

#[test]
fn developer_response_becomes_a_reply_when_asked() {
    let mut r = review(json!(77), "bad");
    r["developer_response"] = json!("We fixed it in 1.1");
    r["timestamp_dev_responded"] = json!(1_700_100_000);
    r["hidden_in_steam_china"] = json!(true);
    r["steam_china_location"] = json!("");
    r["author"]["deck_playtime_at_review"] = json!(33);
    let mut blank = review(json!("78"), "meh");
    blank["developer_response"] = json!("  ");
    let p = parse(&page(vec![r.clone(), blank]), true).unwrap();
    assert_eq!((p.records.len(), p.num_reviews), (3, 2));
    let (parent, reply) = (&p.records[0], &p.records[1]);
    assert_eq!(parent.id, "77", "numeric recommendationid accepted");
    assert_eq!(parent.extra["deck_playtime_at_review"], 33);
    assert_eq!(parent.extra["hidden_in_steam_china"], true);
    assert_eq!(parent.extra["steam_china_location"], "");
    assert_eq!((reply.kind, reply.id.as_str()), (Kind::Reply, "77-dev"));
    assert_eq!(
        (
            reply.parent_id.as_deref(),
            reply.root_id.as_str(),
            reply.depth
        ),
        (Some("77"), "77", 1)
    );
    assert_eq!(
        (reply.author.as_deref(), reply.text.as_str()),
        (Some("developer"), "We fixed it in 1.1")
    );
    assert_eq!(reply.created_at.map(|t| t.timestamp()), Some(1_700_100_000));
    assert_eq!(reply.created_at_precision, Some(Precision::Second));
    assert_eq!(reply.url, parent.url);
    assert_eq!(reply.extra["developer_response"], true);
    assert_eq!(p.records[2].id, "78");

    let without = parse(&page(vec![r]), false).unwrap();
    assert_eq!(without.records.len(), 1);
}

#[test]
fn tolerates_missing_and_oddly_typed_fields() {
    let minimal = json!({"recommendationid": "5", "weighted_vote_score": 0, "votes_up": "12",
                         "voted_up": 1, "timestamp_created": "1600000000"});
    let p = parse(
        &json!({"success": 1, "reviews": [minimal], "cursor": "x"}),
        true,
    )
    .unwrap();
    let c = &p.records[0];
    assert_eq!(
        (c.likes, c.rating, c.edited, c.author_id.as_deref()),
        (Some(12), Some(1.0), None, None)
    );
    assert_eq!(c.created_at.map(|t| t.timestamp()), Some(1_600_000_000));
    assert_eq!(
        (c.text.as_str(), c.language.as_deref(), c.url.as_deref()),
        ("", None, None)
    );
    assert_eq!(c.extra["weighted_vote_score"].as_f64(), Some(0.0));
    assert!(!c.extra.contains_key("votes_funny") && !c.extra.contains_key("steam_language"));
    assert_eq!((p.total_reviews, p.num_reviews), (None, 1));

    let end = parse(
        &json!({"success": 1, "query_summary": {"num_reviews": 0}, "reviews": [], "cursor": "c"}),
        true,
    );
    assert_eq!(end.unwrap().num_reviews, 0);
    let no_reviews = parse(&json!({"success": 1}), true).unwrap();
    assert_eq!((no_reviews.num_reviews, no_reviews.cursor), (0, None));
    let zero_time =
        json!({"success": 1, "reviews": [{"recommendationid": "1", "timestamp_created": 0}]});
    assert_eq!(parse(&zero_time, true).unwrap().records[0].created_at, None);
}

#[test]
fn unknown_app_is_not_found() {
    for body in [
        json!({"success": 2}),
        json!({"success": 42, "reviews": "not a list"}),
        json!({"success": false}),
    ] {
        let err = parse(&body, true).unwrap_err();
        assert_eq!(err.kind(), "not_found", "{body}");
        if let engine::Error::NotFound {
            platform, detail, ..
        } = err
        {
            assert_eq!(platform, "steam");
            assert!(detail.starts_with("Steam answered success="), "{detail}");
            assert!(detail.ends_with("(unknown or removed app)"), "{detail}");
        }
    }
    let err = parse(&json!({"success": 2}), true).unwrap_err();
    assert!(err.to_string().contains("success=2"), "{err}");
}

#[test]
fn shape_problems_are_parse_errors_with_an_excerpt() {
    let mut bad = page(vec![review(json!("1"), "fine"), review(json!("2"), "fine")]);
    bad["reviews"][1]["votes_up"] = json!("many");
    let text = serde_json::to_string_pretty(&bad).unwrap();
    let err = parse_page(text.as_bytes(), &target(), REQ, true).unwrap_err();
    match &err {
        engine::Error::Parse {
            platform,
            message,
            excerpt,
            ..
        } => {
            assert_eq!(platform, "steam");
            assert!(message.contains("many"), "{message}");
            assert!(
                excerpt.contains("\"many\""),
                "excerpt near the error: {excerpt:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    for body in [
        &b"<html><body>Access Denied</body></html>"[..],
        b"",
        b"{\"success\":1,\"reviews\":[{\"review\":\"no id\"}]}",
        b"{\"reviews\":[]}",
        b"[1,2,3]",
        b"{\"success\":1,\"reviews\":[{\"recommendationid\":\"1\",\"review\":\"\xff\xfe\"}]}",
    ] {
        let err = parse_page(body, &target(), REQ, true).unwrap_err();
        assert_eq!(err.kind(), "parse", "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn language_table() {
    for (steam, iso) in [
        ("english", "en"),
        ("tchinese", "zh"),
        ("koreana", "ko"),
        ("latam", "es"),
        ("brazilian", "pt"),
        ("greek", "el"),
        ("indonesian", "id"),
        ("norwegian", "no"),
        ("ukrainian", "uk"),
    ] {
        assert_eq!(iso_code(steam), Some(iso));
    }
    assert_eq!(iso_code("sindarin"), None);
    assert_eq!(steam_name("zh"), "schinese");
    assert_eq!(steam_name("all"), "all");
    assert_eq!(steam_name("xx"), "xx");
}

#[test]
fn detects_steam_urls() {
    let ok = [
        ("https://store.steampowered.com/app/440/", "440"),
        ("http://store.steampowered.com/app/440", "440"),
        (
            "https://www.store.steampowered.com/app/570/Dota_2/?snr=1_7_15__13#app_reviews_hash",
            "570",
        ),
        (
            "https://store.steampowered.com/app/1245620/ELDEN_RING/",
            "1245620",
        ),
        ("https://STORE.steampowered.com/app/0440/", "440"),
        ("https://steamcommunity.com/app/440", "440"),
        (
            "https://www.steamcommunity.com/app/440/reviews/?browsefilter=mostrecent&p=1",
            "440",
        ),
        ("https://steamcommunity.com/app/440/reviews/", "440"),
        (
            "https://store.steampowered.com/appreviews/10?json=1&cursor=*",
            "10",
        ),
        (
            "https://store.steampowered.com/app/4294967295/",
            "4294967295",
        ),
    ];
    for (input, id) in ok {
        let t = detect(&input.parse().unwrap()).unwrap_or_else(|| panic!("{input}"));
        assert_eq!(t.platform, "steam");
        assert_eq!(t.id, id, "{input}");
        assert_eq!(t.url, format!("https://store.steampowered.com/app/{id}/"));
        assert!(t.params.is_empty());
    }
    let rejected = [
        "https://steamcommunity.com/id/someone",
        "https://steamcommunity.com/profiles/76561198000000001/recommended/440/",
        "https://steamcommunity.com/app/440/discussions/",
        "https://steamcommunity.com/app/440/workshop/",
        "https://store.steampowered.com/",
        "https://store.steampowered.com/app/",
        "https://store.steampowered.com/app/0/",
        "https://store.steampowered.com/app/4294967296/",
        "https://store.steampowered.com/app/-5/",
        "https://store.steampowered.com/app/44a/",
        "https://store.steampowered.com/sub/440/",
        "https://store.steampowered.com/appreviews/440/extra",
        "https://example.com/app/440/",
        "https://steampowered.com.evil.example/app/440/",
        "ftp://store.steampowered.com/app/440/",
    ];
    for input in rejected {
        assert!(detect(&input.parse().unwrap()).is_none(), "{input}");
    }
}

#[test]
fn request_urls_encode_the_cursor_and_pick_the_filter() {
    let u = request_url("440", "AoJ4+/k9L/UCeP3ZrwM=", Sort::Newest, None).unwrap();
    assert_eq!(
        u,
        "https://store.steampowered.com/appreviews/440?json=1&cursor=AoJ4%2B%2Fk9L%2FUCeP3ZrwM%3D\
         &num_per_page=100&filter=recent&language=all&review_type=all&purchase_type=all"
    );
    let first = request_url("440", "*", Sort::Top, Some("en")).unwrap();
    assert!(first.contains("cursor=*&"), "{first}");
    assert!(first.contains("filter=all&language=english&"), "{first}");
    assert!(first.ends_with("&day_range=9223372036854775807"), "{first}");
    let updated = request_url("440", "*", Sort::Updated, Some("schinese")).unwrap();
    assert!(
        updated.contains("filter=updated&language=schinese&") && !updated.contains("day_range")
    );
}
