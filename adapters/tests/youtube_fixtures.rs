//! The YouTube adapter against the authored static fixtures
//! (`fixtures/youtube/`, served by the fixture server on 127.0.0.1).

mod youtube_support;

use engine::{Comment, JobOptions, Sort};
use youtube_support::{context, records, run, server};

fn url(id: &str) -> String {
    format!("https://www.youtube.com/watch?v={id}&t=1s")
}

fn ids(r: &[Comment]) -> Vec<&str> {
    r.iter().map(|c| c.id.as_str()).collect()
}

const A1: &str = "UgzFixA1pinned0000x4AaABAg";
const A2: &str = "UgzFixA2member0000x4AaABAg";
const A3: &str = "UgzFixA3zerolikesxx4AaABAg";
const A4: &str = "UgzFixA4nested0000x4AaABAg";
const A5: &str = "UgzFixA5newest0000x4AaABAg";

fn a_thread(id: &str) -> Vec<String> {
    match id {
        A1 => ["", ".9FixR1a", ".9FixR1b", ".9FixR1c"]
            .iter()
            .map(|s| format!("{A1}{s}"))
            .collect(),
        A4 => [
            "",
            ".9FixR4a",
            ".9FixR4b",
            ".9FixR4b1",
            ".9FixR4c",
            ".9FixR4d",
        ]
        .iter()
        .map(|s| format!("{A4}{s}"))
        .collect(),
        other => vec![other.to_string()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_sort_two_pages_with_reply_threads() {
    let server = server(vec![], 0).await;
    let opts = JobOptions::new().sort(Sort::Top).parallel_requests(4);
    let (pages, error) = run(context(&server, opts), &url("yFixVideo01"), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].next,
        Some(serde_json::json!({"sort": "top", "token": "A-TOP-2"}))
    );
    assert!(pages[1].is_last());
    assert_eq!(pages[0].total_hint, Some(1_213));
    let all = records(&pages);
    let expected: Vec<String> = [A1, A2, A3, A4, A5]
        .iter()
        .flat_map(|id| a_thread(id))
        .collect();
    assert_eq!(ids(&all), expected);

    let by = |id: &str| {
        all.iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let a1 = by(A1);
    assert_eq!(a1.text, "Welcome! Read the FAQ = answers & more <3");
    assert_eq!(
        (a1.likes, a1.likes_approx, a1.reply_count),
        (Some(1_200), true, Some(3))
    );
    assert_eq!(
        (a1.edited, a1.created_at_precision),
        (Some(true), Some(engine::Precision::Week))
    );
    for flag in [
        "pinned",
        "hearted_by_creator",
        "author_is_creator",
        "author_verified",
    ] {
        assert_eq!(a1.extra[flag], true, "{flag}");
    }
    let a2 = by(A2);
    assert_eq!(a2.text, "Member here — \"quoted\" words");
    assert_eq!(
        (a2.likes, a2.likes_approx, a2.reply_count),
        (Some(999), false, Some(0))
    );
    assert_eq!(a2.extra["author_is_member"], true);
    assert_eq!(a2.extra["super_thanks"], "€2.00");
    assert!(a1.extra.get("super_thanks").is_none());
    assert_eq!(a2.extra["pinned"], false);
    assert_eq!((by(A3).likes, by(A3).likes_approx), (Some(0), false));
    assert_eq!((by(A4).likes, by(A4).likes_approx), (Some(1_200_000), true));
    assert_eq!(by(A4).text, "Who else is here in 2026?\nSecond line.");
    assert_eq!(by(A5).created_at_precision, Some(engine::Precision::Second));

    // Second replies page, with the exact count from the accessibility label.
    let r1c = by(&format!("{A1}.9FixR1c"));
    assert_eq!((r1c.likes, r1c.likes_approx), (Some(1_024), false));
    assert_eq!(
        (r1c.parent_id.as_deref(), r1c.root_id.as_str(), r1c.depth),
        (Some(A1), A1, 1)
    );

    // Nested: R4b is a thread of its own inside the replies; R4d answers R4c.
    let nested = [
        (".9FixR4a", A4.to_string(), 1),
        (".9FixR4b", A4.to_string(), 1),
        (".9FixR4b1", format!("{A4}.9FixR4b"), 2),
        (".9FixR4c", A4.to_string(), 1),
        (".9FixR4d", format!("{A4}.9FixR4c"), 2),
    ];
    for (suffix, parent, depth) in nested {
        let c = by(&format!("{A4}{suffix}"));
        assert_eq!(
            (c.parent_id.as_deref(), c.root_id.as_str(), c.depth),
            (Some(parent.as_str()), A4, depth),
            "{suffix}"
        );
        assert_eq!(c.kind, engine::Kind::Reply);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newest_sort_exports_the_pinned_thread_once() {
    let server = server(vec![], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().sort(Sort::Newest)),
        &url("yFixVideo01"),
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    let expected: Vec<String> = [A1, A5, A3, A2, A4]
        .iter()
        .flat_map(|id| a_thread(id))
        .collect();
    assert_eq!(ids(&all), expected);
    assert_eq!(all[0].extra["pinned"], true);
    assert_eq!(
        server.hits("/youtubei/v1/next"),
        2 + 4,
        "2 top pages + 4 reply pages, the repeat's replies not refetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_format_through_the_header_sort_menu() {
    let server = server(vec![], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().sort(Sort::Newest)),
        &url("yLegacyVi01"),
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    let b1 = "UgxLegacyB1pinnedx4AaABAg";
    let b2 = "UgxLegacyB2memberx4AaABAg";
    let want = vec![
        b2.to_string(),
        b1.to_string(),
        format!("{b1}.9LegR1a"),
        format!("{b1}.9LegR1b"),
    ];
    assert_eq!(ids(&all), want);
    let c1 = &all[1];
    assert_eq!(c1.text, "Old format, two runs");
    assert_eq!(
        (c1.likes, c1.likes_approx, c1.reply_count),
        (Some(2_500), true, Some(2))
    );
    assert_eq!(c1.extra["super_thanks"], "$5.00");
    assert_eq!(c1.extra["hearted_by_creator"], true);
    assert_eq!(c1.extra["author_is_creator"], true);
    assert_eq!(
        (all[0].likes, all[0].extra["author_is_member"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(
        (all[2].likes, all[2].likes_approx, all[2].depth),
        (Some(1_234), false, 1)
    );
    assert_eq!(all[3].parent_id.as_deref(), Some(b1));
    // Continuations carry the page's API key, prettyPrint=false, the consent
    // cookie and the client headers; the watch page asks for English.
    let requests = server.requests();
    let posts: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/youtubei/v1/next")
        .collect();
    assert_eq!(
        posts.len(),
        4,
        "section (for the menu), 2 Newest pages, 1 replies page"
    );
    for p in posts {
        assert_eq!(p.method, "POST");
        assert_eq!(
            p.query_param("key").as_deref(),
            Some("AIzaFixtureKeyNotReal000000000000000000")
        );
        assert_eq!(p.query_param("prettyPrint").as_deref(), Some("false"));
        let header = |n: &str| {
            p.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("cookie"), Some("SOCS=CAI"));
        assert_eq!(header("x-youtube-client-name"), Some("1"));
        assert_eq!(header("x-youtube-client-version"), Some("2.20260123.01.00"));
    }
    let watch = requests
        .iter()
        .find(|r| r.path == "/watch")
        .expect("watch page requested");
    assert_eq!(watch.query_param("hl").as_deref(), Some("en"));
}

#[tokio::test]
async fn comments_turned_off_is_done_with_a_note() {
    let server = server(vec![], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new()),
        &url("yCommentOff"),
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 1);
    assert!(pages[0].records.is_empty() && pages[0].is_last());
    assert_eq!(pages[0].notes, ["Comments are turned off. Learn more"]);
}

#[tokio::test]
async fn unplayable_videos_are_precise_errors() {
    let server = server(vec![], 0).await;
    for (id, kind, detail) in [
        ("yPrivate001", "forbidden", "This video is private"),
        (
            "yRemoved001",
            "not_found",
            "This video has been removed by the uploader",
        ),
        ("yAgeGate001", "forbidden", "Sign in to confirm your age"),
    ] {
        let (pages, error) = run(context(&server, JobOptions::new()), &url(id), None).await;
        assert!(pages.is_empty(), "{id}");
        let e = error.expect(id);
        assert_eq!(e.kind(), kind, "{id}: {e}");
        assert!(e.to_string().contains(detail), "{id}: {e}");
    }
}

#[tokio::test]
async fn a_429_is_retried() {
    let server = server(vec![], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().sort(Sort::Top)),
        &url("yRateLim001"),
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids(&records(&pages)), ["UgzRateG1xxxxxxxxx4AaABAg"]);
    assert_eq!(server.hits("/youtubei/v1/next"), 2);
}

#[tokio::test]
async fn a_malformed_page_is_a_parse_error_after_the_good_ones() {
    let server = server(vec![], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().sort(Sort::Top)),
        &url("yMalform001"),
        None,
    )
    .await;
    assert_eq!(ids(&records(&pages)), ["UgzGoodH1xxxxxxxxx4AaABAg"]);
    let e = error.expect("a parse error");
    assert_eq!(e.kind(), "parse");
    assert!(
        e.to_string().contains("onResponseReceivedEndpoints[0].appendContinuationItemsAction.continuationItems[0].commentThreadRenderer"),
        "{e}"
    );
}
