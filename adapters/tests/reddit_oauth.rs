//! OAuth: with `REDDIT_CLIENT_ID`/`REDDIT_CLIENT_SECRET` set, the adapter gets
//! an application-only token and sends the same paths to the OAuth host with
//! `Authorization: bearer …`. Alone in its binary because it sets the environment.

mod reddit_support;

use engine::JobOptions;
use fixtures::{FixtureServer, ServerConfig};

#[tokio::test]
async fn oauth_token_then_bearer_requests_on_the_oauth_paths() {
    std::env::set_var("REDDIT_CLIENT_ID", "fixture-client");
    std::env::set_var("REDDIT_CLIENT_SECRET", "fixture-secret-value");
    let s = FixtureServer::start(ServerConfig::new().with_embedded_fixtures())
        .await
        .unwrap();
    let (pages, err) = reddit_support::run(
        reddit_support::context(&s, JobOptions::new()),
        "https://www.reddit.com/r/fixtures/comments/fx1/fixture_post/",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(pages.iter().map(|p| p.records.len()).sum::<usize>(), 9);
    let reqs = s.requests();
    let token = &reqs[0];
    assert_eq!(
        (token.method.as_str(), token.path.as_str()),
        ("POST", "/api/v1/access_token")
    );
    let basic = token
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    assert!(
        basic.is_some_and(|v| v.starts_with("Basic ")),
        "client credentials in basic auth"
    );
    for r in &reqs[1..] {
        assert!(
            !r.path.ends_with(".json"),
            "OAuth paths have no .json: {}",
            r.path
        );
        let auth = r
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str());
        assert_eq!(auth, Some("bearer fixture-token-123"), "{}", r.path);
    }
    for p in &pages {
        assert!(p.notes.iter().all(|n| !n.contains("fixture-secret-value")));
    }
}
