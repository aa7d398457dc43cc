//! Conformance: the YouTube parsers on real recorded InnerTube responses
//! (NewPipe's mocks, 2026 `commentViewModel` format and 2023 inline
//! `commentRenderer` format). The recordings live outside the repository
//! (`/work/shared/recordings/youtube`); when absent each test says so and passes.

use adapters::youtube::extract::ytcfg;
use adapters::youtube::parse::{parse_reply_page, parse_top_page};
use adapters::youtube::watch::{parse_watch_page, Entry};
use chrono::{TimeZone, Utc};
use engine::{Kind, Precision, Target};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/recordings/youtube/"
);

/// The response body of a NewPipe mock, or `None` (with a message) when absent.
fn body(file: &str) -> Option<String> {
    let path = format!("{DIR}{file}");
    let Ok(raw) = std::fs::read(&path) else {
        eprintln!("skipping: recording {path} not found");
        return None;
    };
    let v: Value = serde_json::from_slice(&raw).expect("the recording is JSON");
    Some(
        v["response"]["responseBody"]
            .as_str()
            .expect("responseBody")
            .to_string(),
    )
}

fn target() -> Target {
    Target::new(
        "youtube",
        "xaQJbozY_Is",
        "https://www.youtube.com/watch?v=xaQJbozY_Is",
    )
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 26, 18, 0, 0).unwrap()
}

const URL: &str = "https://www.youtube.com/youtubei/v1/next?prettyPrint=false";

#[test]
fn current_format_first_page() {
    let Some(b) = body("newpipe_replies_mock_3.json") else {
        return;
    };
    let page = parse_top_page(b.as_bytes(), &target(), URL, now()).unwrap();
    assert_eq!(page.threads.len(), 20);
    assert_eq!(page.total, Some(21_051));
    assert!(page
        .next
        .as_deref()
        .unwrap()
        .starts_with("Eg0SC3hhUUpib3pZX0lzGAYy6QIK"));
    assert!(page
        .sort
        .newest
        .as_deref()
        .unwrap()
        .starts_with("Eg0SC3hhUUpib3pZX0lzGAYyJSIRIgt4YVFKYm96WV9JczABeAJC"));
    assert!(page.sort.top.is_some());

    let pinned = &page.threads[0];
    assert!(pinned.pinned);
    let c = &pinned.comment;
    assert_eq!(c.id, "UgwSOM0QHBLysE3vZE54AaABAg");
    assert_eq!(
        (c.kind, c.depth, c.parent_id.as_deref()),
        (Kind::Comment, 0, None)
    );
    assert_eq!(c.author.as_deref(), Some("@kurzgesagt"));
    assert_eq!(c.author_id.as_deref(), Some("UCsXVk37bltHxD1rDPwtNM8Q"));
    assert!(c.text.starts_with("The 12,022 Calendar is sold out"));
    assert!(c.text.ends_with("https://kgs.link/shop-151"));
    assert_eq!((c.likes, c.likes_approx), (Some(9_800), true));
    assert_eq!(c.reply_count, Some(327));
    assert_eq!(c.created_at_raw.as_deref(), Some("4 years ago (edited)"));
    assert_eq!(
        (c.edited, c.created_at_precision),
        (Some(true), Some(Precision::Year))
    );
    assert_eq!(c.created_at, Some(now() - chrono::Duration::days(4 * 365)));
    assert_eq!(c.extra["author_is_creator"], true);
    assert_eq!(c.extra["author_verified"], true);
    assert_eq!(c.extra["hearted_by_creator"], false);
    assert!(pinned
        .replies
        .as_deref()
        .unwrap()
        .starts_with("Eg0SC3hhUUpib3pZX0lzGAYygwEaUBIa"));

    let expected = [
        (
            1,
            "UgxNNFhhw8l9vjj9zsx4AaABAg",
            "@MoreConsole",
            22_000,
            true,
            132,
        ),
        (
            2,
            "Ugyoo-QsiAVVW3Tqqjt4AaABAg",
            "@heyquitstealingmymoves6538",
            3_300,
            true,
            27,
        ),
        (3, "UgzFxzarru7O2dbK0Dh4AaABAg", "@ExiStrife", 635, false, 6),
        (
            4,
            "UgwaG5ZLOj86V_35uRJ4AaABAg",
            "@m0ssflower355",
            200,
            false,
            1,
        ),
        (
            5,
            "Ugzoygnmz9IYzNj2B4J4AaABAg",
            "@Sinvicta",
            46_000,
            true,
            294,
        ),
    ];
    for (i, id, author, likes, approx, replies) in expected {
        let t = &page.threads[i];
        assert!(!t.pinned, "{id}");
        assert_eq!(t.comment.id, id);
        assert_eq!(t.comment.author.as_deref(), Some(author), "{id}");
        assert_eq!(
            (t.comment.likes, t.comment.likes_approx),
            (Some(likes), approx),
            "{id}"
        );
        assert_eq!(t.comment.reply_count, Some(replies), "{id}");
        assert!(t.replies.is_some(), "{id}");
    }
    assert!(page.threads[4]
        .comment
        .text
        .starts_with("\"The past expands with every moment"));
}

#[test]
fn current_format_replies_page() {
    let Some(b) = body("newpipe_replies_mock_4.json") else {
        return;
    };
    let page = parse_reply_page(b.as_bytes(), &target(), URL, now()).unwrap();
    assert_eq!(page.items.len(), 10);
    assert!(page
        .next
        .as_deref()
        .unwrap()
        .starts_with("Eg0SC3hhUUpib3pZX0lzGAYy1AEKTWdldF9jb21tZW50X3dpdGhf"));
    let (first, nested) = &page.items[0];
    assert!(nested.is_none());
    assert_eq!(
        first.id,
        "UgwSOM0QHBLysE3vZE54AaABAg.9TOrAAD78Z59TP5tOBhBXP"
    );
    assert_eq!((first.kind, first.depth), (Kind::Reply, 1));
    assert_eq!(first.author.as_deref(), Some("@andrefarfan4372"));
    assert_eq!(first.text, "First");
    assert_eq!((first.likes, first.likes_approx), (Some(52), false));
    assert_eq!(first.created_at_raw.as_deref(), Some("4 years ago"));
    let second = &page.items[1].0;
    assert_eq!(second.author.as_deref(), Some("@SpaceWaffler"));
    assert_eq!((second.likes, second.edited), (Some(75), Some(true)));
    assert_eq!(second.text, "Furry dinosaur");
    let last = &page.items[9].0;
    assert_eq!(last.id, "UgwSOM0QHBLysE3vZE54AaABAg.9TOrAAD78Z59TP5wzZaXg0");
    assert_eq!(last.likes, Some(5));
    assert!(page
        .items
        .iter()
        .all(|(c, _)| c.id.starts_with("UgwSOM0QHBLysE3vZE54AaABAg.")));
}

#[test]
fn legacy_format_first_page() {
    let Some(b) = body("newpipe_legacy_2023_replies_mock_3.json") else {
        return;
    };
    let page = parse_top_page(b.as_bytes(), &target(), URL, now()).unwrap();
    assert_eq!(page.threads.len(), 20);
    assert!(page.next.is_some());
    assert!(page.sort.newest.is_some());
    let c = &page.threads[0].comment;
    assert!(page.threads[0].pinned);
    assert_eq!(c.id, "UgwSOM0QHBLysE3vZE54AaABAg");
    assert_eq!(c.author.as_deref(), Some("@kurzgesagt"));
    assert_eq!(c.author_id.as_deref(), Some("UCsXVk37bltHxD1rDPwtNM8Q"));
    assert_eq!((c.likes, c.likes_approx), (Some(9_700), true));
    assert_eq!(c.reply_count, Some(350));
    assert_eq!(c.extra["author_is_creator"], true);
    assert_eq!(c.extra["author_verified"], true);
    assert_eq!(c.created_at_raw.as_deref(), Some("2 years ago (edited)"));
    let expected = [
        (1, "UgybLU4X9yIYRWyebOR4AaABAg", "@BlackGryph0n", 1_500, 23),
        (
            2,
            "UgzF5WaVcY60RF_WRJh4AaABAg",
            "@daemonthorn5888",
            1_700,
            57,
        ),
        (4, "UgzVA4g3Z5dRPV_MJ1p4AaABAg", "@ohokay4663", 511, 9),
    ];
    for (i, id, author, likes, replies) in expected {
        let c = &page.threads[i].comment;
        assert_eq!((c.id.as_str(), c.author.as_deref()), (id, Some(author)));
        assert_eq!(
            (c.likes, c.reply_count),
            (Some(likes), Some(replies)),
            "{id}"
        );
        assert!(!page.threads[i].pinned);
    }
    assert!(page.threads[1]
        .comment
        .text
        .starts_with("I'm SO glad you guys covered this topic"));
}

#[test]
fn legacy_format_replies_page() {
    let Some(b) = body("newpipe_legacy_2023_replies_mock_4.json") else {
        return;
    };
    let page = parse_reply_page(b.as_bytes(), &target(), URL, now()).unwrap();
    assert_eq!(page.items.len(), 10);
    assert!(page.next.is_some());
    let c = &page.items[1].0;
    assert_eq!(c.id, "UgwSOM0QHBLysE3vZE54AaABAg.9TOrAAD78Z59TP5tTqLxXV");
    assert_eq!(c.author.as_deref(), Some("@SpaceWafflerEditzz"));
    // The accessibility label "72 likes" is exact.
    assert_eq!(
        (c.likes, c.likes_approx, c.edited),
        (Some(72), false, Some(true))
    );
    assert_eq!((c.kind, c.depth), (Kind::Reply, 1));
    assert_eq!(page.items[0].0.likes, Some(50));
}

#[test]
fn watch_next_response_gives_the_comment_entry() {
    let Some(b) = body("newpipe_replies_mock_2.json") else {
        return;
    };
    // The /next response for a videoId is ytInitialData; wrap it as a page would.
    let html = format!("<script>var ytInitialData = {b};</script>");
    let page = parse_watch_page(
        &html,
        &target(),
        "https://www.youtube.com/watch?v=xaQJbozY_Is",
    )
    .unwrap();
    match page.entry {
        Entry::Comments { section, sort } => {
            assert_eq!(
                section,
                "Eg0SC3hhUUpib3pZX0lzGAYyJSIRIgt4YVFKYm96WV9JczAAeAJCEGNvbW1lbnRzLXNlY3Rpb24%3D"
            );
            assert!(sort
                .newest
                .unwrap()
                .starts_with("Eg0SC3hhUUpib3pZX0lzGAYyOCIRIgt4YVFKYm96WV9JczABeAIwAUIh"));
            assert!(sort.top.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn embed_page_ytcfg() {
    let Some(html) = body("newpipe_embed_page_ytcfg_mock.json") else {
        return;
    };
    let cfg = ytcfg(&html);
    assert!(cfg["INNERTUBE_API_KEY"]
        .as_str()
        .unwrap()
        .starts_with("AIza"));
    assert_eq!(
        cfg["INNERTUBE_CONTEXT"]["client"]["clientName"],
        "WEB_EMBEDDED_PLAYER"
    );
    assert_eq!(
        cfg["INNERTUBE_CONTEXT"]["client"]["clientVersion"],
        "1.20260122.10.00"
    );
    assert_eq!(cfg["INNERTUBE_CONTEXT"]["client"]["hl"], "en-GB");
}
