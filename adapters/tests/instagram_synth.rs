//! The Instagram adapter against the synthetic Instagram: whole posts (pages
//! by `min_id` and by `max_id`, reply threads read both ways), resume from any
//! page, "login required" without a session and with an expired one.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use adapters::instagram::Instagram;
use engine::testing::{fetch_to_end, records};
use engine::{FetchContext, HttpClient, JobOptions, RetryPolicy};
use fixtures::{FixtureServer, IgSynthPost, InstagramSynth, ServerConfig};

const SESSION: &str = "sess1d9f3e7a2b";

async fn server(posts: Vec<IgSynthPost>) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(InstagramSynth::new(posts, SESSION)))
        .await
        .unwrap()
}

fn context(s: &FixtureServer, cookies: Option<&str>, options: JobOptions) -> FetchContext {
    let mut b = HttpClient::builder("instagram")
        .base_url(Some(s.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
        });
    if let Some(c) = cookies {
        b = b.cookies(c);
    }
    FetchContext {
        http: b.build().unwrap(),
        options: Arc::new(options),
    }
}

fn logged_in(s: &FixtureServer, options: JobOptions) -> FetchContext {
    context(
        s,
        Some(&format!(
            "sessionid={SESSION}; csrftoken=tok9; ds_user_id=5"
        )),
        options,
    )
}

fn url(p: &IgSynthPost) -> String {
    format!("https://www.instagram.com/p/{}/", p.shortcode())
}

#[tokio::test]
async fn exports_whole_posts_exactly() {
    let posts = vec![
        IgSynthPost::generated(3_100_000_000_000_000_000, 40),
        IgSynthPost::generated(3_100_000_000_000_000_777, 23),
        IgSynthPost::generated(3_100_000_000_000_000_999, 0),
    ];
    let s = server(posts.clone()).await;
    for p in &posts {
        let (pages, err) =
            fetch_to_end(&Instagram, logged_in(&s, JobOptions::new()), &url(p), None).await;
        assert!(err.is_none(), "{err:?}");
        let recs = records(&pages);
        let mut seen = HashSet::new();
        let got: HashSet<(String, Option<String>, u32)> = recs
            .iter()
            .filter(|r| seen.insert(r.id.clone()))
            .map(|r| (r.id.clone(), r.parent_id.clone(), r.depth))
            .collect();
        let want: HashSet<(String, Option<String>, u32)> = p.expected().into_iter().collect();
        assert_eq!(got, want, "post {}", p.pk);
        assert_eq!(recs[0].text, p.caption);
        for (r, c) in recs
            .iter()
            .skip(1)
            .filter_map(|r| Some((r, p.comments.iter().find(|c| c.pk.to_string() == r.id)?)))
        {
            assert_eq!(
                (r.text.as_str(), r.likes, r.created_at.unwrap().timestamp()),
                (c.text.as_str(), Some(c.likes), c.created)
            );
            assert_eq!(r.author_id.as_deref(), Some(c.username.as_str()));
        }
    }
    let reqs = s.requests();
    assert!(reqs.iter().any(|r| r
        .query_param("min_id")
        .is_some_and(|m| m.contains("server_cursor"))));
    assert!(reqs
        .iter()
        .any(|r| r.path.ends_with("/comments/") && r.query_param("max_id").is_some()));
    assert!(reqs
        .iter()
        .any(|r| r.path.ends_with("/child_comments/") && r.query_param("min_id").is_some()));
    assert!(reqs
        .iter()
        .all(|r| r.header("x-ig-app-id") == Some(fixtures::INSTAGRAM_WEB_APP_ID)));
    assert!(reqs.iter().all(|r| r.header("x-csrftoken") == Some("tok9")));
}

#[tokio::test]
async fn resumes_from_any_page_and_skips_replies_when_asked() {
    let p = IgSynthPost::generated(3_200_000_000_000_000_000, 33);
    let s = server(vec![p.clone()]).await;
    let (pages, _) =
        fetch_to_end(&Instagram, logged_in(&s, JobOptions::new()), &url(&p), None).await;
    let all: HashSet<String> = records(&pages).into_iter().map(|r| r.id).collect();
    for cut in [1, pages.len() / 2, pages.len() - 1] {
        let cursor = pages[cut - 1].next.clone().unwrap();
        let (rest, err) = fetch_to_end(
            &Instagram,
            logged_in(&s, JobOptions::new()),
            &url(&p),
            Some(cursor),
        )
        .await;
        assert!(err.is_none());
        let mut ids: HashSet<String> = records(&pages[..cut]).into_iter().map(|r| r.id).collect();
        ids.extend(records(&rest).into_iter().map(|r| r.id));
        assert_eq!(ids, all, "cut {cut}");
    }
    let before = s.requests().len();
    let mut top = JobOptions::new();
    top.replies = false;
    let (pages, _) = fetch_to_end(&Instagram, logged_in(&s, top), &url(&p), None).await;
    assert!(records(&pages).iter().all(|r| r.depth == 0));
    assert!(s.requests()[before..]
        .iter()
        .all(|r| !r.path.contains("child_comments")));
}

#[tokio::test]
async fn login_is_required_and_expired_sessions_are_named() {
    let p = IgSynthPost::generated(3_300_000_000_000_000_000, 3);
    let s = server(vec![p.clone()]).await;
    let (_, err) = fetch_to_end(
        &Instagram,
        context(&s, None, JobOptions::new()),
        &url(&p),
        None,
    )
    .await;
    let e = err.unwrap();
    assert_eq!(e.kind(), "forbidden");
    assert!(
        e.to_string().contains("login required") && e.to_string().contains("sessionid"),
        "{e}"
    );
    assert_eq!(s.requests().len(), 0, "nothing is asked without a session");
    let (_, err) = fetch_to_end(
        &Instagram,
        context(&s, Some("sessionid=0ldSessi0nValue"), JobOptions::new()),
        &url(&p),
        None,
    )
    .await;
    let e = err.unwrap();
    assert!(
        e.to_string().contains("expired") && !e.to_string().contains("0ldSessi0nValue"),
        "{e}"
    );
    let other = IgSynthPost::generated(3_300_000_000_000_000_123, 1);
    let (_, err) = fetch_to_end(
        &Instagram,
        logged_in(&s, JobOptions::new()),
        &url(&other),
        None,
    )
    .await;
    assert_eq!(err.unwrap().kind(), "not_found");
}
