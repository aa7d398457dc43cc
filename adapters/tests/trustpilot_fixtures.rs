//! The Trustpilot adapter against the static demo fixtures
//! (`fixtures/trustpilot/`), served by the offline fixture server.

use adapters::trustpilot::Trustpilot;
use engine::{JobOptions, Kind};
use fixtures::{FixtureServer, ServerConfig};

async fn server() -> FixtureServer {
    FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .expect("fixture server starts")
}

async fn run(s: &FixtureServer, domain: &str) -> (Vec<engine::Page>, Option<engine::Error>) {
    let ctx = engine::testing::local_context("trustpilot", &s.base_url(), JobOptions::new());
    let url = format!("https://www.trustpilot.com/review/{domain}");
    engine::testing::fetch_to_end(&Trustpilot, ctx, &url, None).await
}

#[tokio::test]
async fn the_demo_business_exports_as_documented() {
    let s = server().await;
    let (pages, err) = run(&s, "lumen-drift.example").await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].total_hint, Some(27));
    let all = engine::testing::records(&pages);
    let reviews: Vec<_> = all.iter().filter(|r| r.kind == Kind::Review).collect();
    let replies: Vec<_> = all.iter().filter(|r| r.kind == Kind::Reply).collect();
    assert_eq!((reviews.len(), replies.len()), (27, 8));
    let first = reviews[0];
    assert_eq!(first.id, "f2847eb4312504769ace2c4b");
    assert_eq!(first.rating, Some(5.0));
    assert_eq!(first.title.as_deref(), Some("Fast delivery"));
    assert_eq!(first.author.as_deref(), Some("Alice Martin"));
    assert_eq!(
        first.created_at.unwrap().to_rfc3339(),
        "2024-05-30T09:00:00+00:00"
    );
    let never = reviews
        .iter()
        .find(|r| r.title.as_deref() == Some("Never arrived"))
        .unwrap();
    assert!(never.text.starts_with("=HYPERLINK(\"http://example.com\""));
    let reply = replies
        .iter()
        .find(|r| r.parent_id.as_deref() == Some(never.id.as_str()))
        .unwrap();
    assert_eq!(
        reply.text,
        "We are sorry — our team has contacted you by email.\nPlease check your inbox."
    );
    assert_eq!(reply.edited, Some(true));
    assert_eq!(reply.author.as_deref(), Some("Lumen Drift Lighting"));
    let fr = reviews
        .iter()
        .filter(|r| r.language.as_deref() == Some("fr"))
        .count();
    assert_eq!(fr, 3);
    assert!(
        reviews.iter().any(|r| r.text.contains("<b>Bold</b>")),
        "escaped markup decoded"
    );
}

#[tokio::test]
async fn the_demo_failures_are_typed() {
    let s = server().await;
    for (domain, kind, says) in [
        ("gone-shop.example", "not_found", "trustpilot"),
        (
            "changed-shape.example",
            "parse",
            "props.pageProps.reviews is not a list",
        ),
        ("busy-shop.example", "rate_limited", "trustpilot"),
    ] {
        let (pages, err) = run(&s, domain).await;
        let err = err.unwrap_or_else(|| panic!("{domain} should fail"));
        assert!(pages.is_empty());
        assert_eq!(err.kind(), kind, "{domain}: {err}");
        assert!(err.to_string().contains(says), "{domain}: {err}");
    }
}
