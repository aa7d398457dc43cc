//! The Google Play adapter against the synthetic Google Play server
//! (127.0.0.1 only): ground truth over several pages, the session cookie the
//! continuation token is bound to, sorts and star filters, the `UsvDTd`
//! fallback, unknown and empty apps, a changed layout, 429, resume.

use std::collections::HashSet;

use engine::testing::{fetch_to_end, local_context, records};
use engine::{Comment, Error, HttpClient, JobOptions, Kind, Page, Sort};
use fixtures::{FixtureServer, GooglePlaySynth, GpApp, GpFault, ServerConfig};
use serde_json::Value;

use adapters::googleplay::envelope::{rpc_answer, Answer};
use adapters::googleplay::request::{
    batchexecute_url, form_body, PageIds, PlaySort, ReviewsQuery, Rpc,
};

const NOTES: &str = "com.synth.notes";

async fn server(apps: Vec<GpApp>) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(GooglePlaySynth::new(apps)))
        .await
        .expect("fixture server starts")
}

fn url(package: &str) -> String {
    format!("https://play.google.com/store/apps/details?id={package}")
}

async fn export(
    server: &FixtureServer,
    url: &str,
    options: JobOptions,
) -> (Vec<Page>, Option<Error>) {
    let ctx = local_context("googleplay", &server.base_url(), options);
    fetch_to_end(&adapters::googleplay::GooglePlay, ctx, url, None).await
}

fn notes(pages: &[Page]) -> Vec<String> {
    pages.iter().flat_map(|p| p.notes.clone()).collect()
}

/// Asserts that `records` are exactly the reviews `order` of `app` (with
/// their replies when `replies`), in that order.
fn assert_exact(records: &[Comment], app: &GpApp, order: &[usize], replies: bool) {
    let mut it = records.iter();
    let mut seen = HashSet::new();
    for &i in order {
        let truth = app.review(i);
        let r = it.next().unwrap_or_else(|| panic!("review #{i} missing"));
        assert!(seen.insert(r.id.clone()), "{} twice", r.id);
        assert_eq!(
            (r.kind, r.id.as_str()),
            (Kind::Review, truth.id.as_str()),
            "#{i}"
        );
        assert_eq!(r.rating, Some(f64::from(truth.score)));
        assert_eq!(r.text, truth.text.clone().unwrap_or_default());
        assert_eq!(r.author.as_deref(), Some(truth.user.as_str()));
        let t = r.created_at.unwrap();
        assert_eq!(
            (t.timestamp(), t.timestamp_subsec_nanos()),
            (truth.seconds, truth.nanos)
        );
        assert_eq!(r.likes, Some(truth.thumbs));
        assert_eq!(
            r.extra.get("app_version").and_then(Value::as_str),
            truth.version.as_deref()
        );
        assert_eq!(r.extra["avatar_url"], truth.avatar.as_str());
        if let (Some(reply), true) = (&truth.reply, replies) {
            let d = it.next().unwrap_or_else(|| panic!("reply of #{i} missing"));
            assert_eq!(
                (d.kind, d.id.clone(), d.parent_id.as_deref(), d.depth),
                (
                    Kind::Reply,
                    format!("{}-dev", truth.id),
                    Some(truth.id.as_str()),
                    1
                )
            );
            assert_eq!(
                (d.text.as_str(), d.author.as_deref()),
                (reply.text.as_str(), Some(reply.developer.as_str()))
            );
            assert_eq!(d.created_at.unwrap().timestamp(), reply.seconds);
        }
    }
    assert!(it.next().is_none(), "records beyond the listing");
}

#[tokio::test]
async fn every_review_once_with_replies_over_three_pages() {
    let app = GpApp::new(NOTES, 250).reply_every(4);
    let server = server(vec![app.clone()]).await;
    let (pages, error) = export(
        &server,
        &format!("{}&hl=de&gl=AT", url(NOTES)),
        JobOptions::new(),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(pages.len(), 3);
    assert_exact(&records(&pages), &app, &app.listing(2, None), true);
    assert_eq!(notes(&pages), ["reviews listed for hl=de, gl=AT (Google Play lists one language and country at a time)"]);
    let all = records(&pages);
    assert_eq!(
        (all[0].extra["hl"].as_str(), all[0].extra["gl"].as_str()),
        (Some("de"), Some("AT"))
    );

    // The session: the details page set NID, and every reviews call carried it.
    let requests = server.requests();
    assert_eq!(requests[0].path, "/store/apps/details");
    assert_eq!(requests[0].query_param("hl").as_deref(), Some("de"));
    let calls: Vec<_> = requests.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(calls.len(), 3);
    for c in &calls {
        assert_eq!(c.path, "/_/PlayStoreUi/data/batchexecute");
        assert_eq!(c.query_param("rpcids").as_deref(), Some("oCPfdb"));
        assert_eq!(
            (
                c.query_param("hl").as_deref(),
                c.query_param("gl").as_deref()
            ),
            (Some("de"), Some("AT"))
        );
        assert_eq!(
            c.query_param("f.sid").as_deref(),
            Some("-5134722119484395843")
        );
        assert_eq!(c.header("cookie"), Some("NID=515=synth000001"));
        assert_eq!(c.header("x-same-domain"), Some("1"));
    }
}

/// `POST` a reviews call by hand with `cookie` (or none).
async fn raw_call(
    http: &HttpClient,
    token: Option<&str>,
    cookie: Option<&str>,
) -> (Answer, Option<String>) {
    let q = ReviewsQuery {
        package: NOTES,
        sort: PlaySort::Newest,
        count: 100,
        star: None,
        token,
    };
    let url = http
        .resolve(&batchexecute_url(
            Rpc::Current,
            "en",
            "US",
            &PageIds::default(),
            1,
        ))
        .unwrap();
    let body = form_body(Rpc::Current, &q);
    let resp = http
        .execute(|c| {
            let mut r = c
                .post(url.clone())
                .header(
                    "content-type",
                    "application/x-www-form-urlencoded;charset=UTF-8",
                )
                .body(body.clone());
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r
        })
        .await
        .unwrap();
    let set = resp
        .headers
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    (rpc_answer(&resp.body, "oCPfdb", "u").unwrap(), set)
}

#[tokio::test]
async fn the_fixture_server_binds_the_token_to_the_session_cookie() {
    let server = server(vec![GpApp::new(NOTES, 150)]).await;
    let http = local_context("googleplay", &server.base_url(), JobOptions::new()).http;
    let (first, cookie) = raw_call(&http, None, None).await;
    let cookie = cookie.expect("a new session gets NID");
    let Answer::Payload(p) = first else {
        panic!("{first:?}")
    };
    let payload: Value = serde_json::from_str(&p).unwrap();
    let token = payload[1][1].as_str().expect("a token").to_string();
    assert_eq!(
        raw_call(&http, Some(&token), None).await.0,
        Answer::Status(3),
        "no cookie: refused"
    );
    assert_eq!(
        raw_call(&http, Some(&token), Some("NID=515=synth999999"))
            .await
            .0,
        Answer::Status(3),
        "another session: refused"
    );
    let (second, set) = raw_call(&http, Some(&token), Some(&cookie)).await;
    assert!(matches!(second, Answer::Payload(_)), "{second:?}");
    assert_eq!(set, None, "a known session gets no new cookie");
}

#[tokio::test]
async fn sorts_and_star_filters() {
    let app = GpApp::new(NOTES, 180).reply_every(5);
    let server = server(vec![app.clone()]).await;
    let options = JobOptions::new().with_param("stars", "1,5").replies(false);
    let (pages, error) = export(&server, &url(NOTES), options).await;
    assert!(error.is_none(), "{error:?}");
    let order: Vec<usize> = app
        .listing(2, Some(1))
        .into_iter()
        .chain(app.listing(2, Some(5)))
        .collect();
    assert_exact(&records(&pages), &app, &order, false);

    let (pages, error) = export(
        &server,
        &url(NOTES),
        JobOptions::new().with_param("sort", "rating"),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_exact(&records(&pages), &app, &app.listing(3, None), true);

    let (pages, error) = export(&server, &url(NOTES), JobOptions::new().sort(Sort::Top)).await;
    assert!(error.is_none(), "{error:?}");
    assert_exact(&records(&pages), &app, &app.listing(1, None), true);

    let (_, error) = export(
        &server,
        &url(NOTES),
        JobOptions::new().with_param("stars", "0"),
    )
    .await;
    assert_eq!(error.unwrap().kind(), "config");
}

#[tokio::test]
async fn unknown_empty_and_pageless_apps() {
    let server = server(vec![
        GpApp::new("com.synth.empty", 0),
        GpApp::new("com.synth.nopage", 30).fault(GpFault::NoDetailsPage),
    ])
    .await;
    let (pages, error) = export(&server, &url("com.synth.missing"), JobOptions::new()).await;
    assert_eq!(error.expect("an error").kind(), "not_found");
    assert!(records(&pages).is_empty());
    let (pages, error) = export(&server, &url("com.synth.empty"), JobOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    assert!(records(&pages).is_empty() && pages.last().unwrap().is_last());
    assert!(notes(&pages).contains(&"no reviews listed for hl=en, gl=US".to_string()));
    let (pages, error) = export(&server, &url("com.synth.nopage"), JobOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        records(&pages).len(),
        30,
        "reviews without a details page still export"
    );
}

#[tokio::test]
async fn legacy_rpc_fallback_changed_layout_and_429() {
    let legacy = GpApp::new("com.synth.legacy", 140)
        .reply_every(3)
        .fault(GpFault::LegacyOnly);
    let server = server(vec![
        legacy.clone(),
        GpApp::new("com.synth.shape", 10).fault(GpFault::ChangedShape),
        GpApp::new("com.synth.busy", 120).fault(GpFault::RateLimitedOnce),
    ])
    .await;
    let (pages, error) = export(&server, &url("com.synth.legacy"), JobOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    assert_exact(&records(&pages), &legacy, &legacy.listing(2, None), true);
    assert!(notes(&pages)
        .contains(&"the oCPfdb reviews RPC was refused; used the older UsvDTd".to_string()));
    assert!(pages[0].next.as_ref().unwrap()["rpc"] == "UsvDTd");

    let (_, error) = export(&server, &url("com.synth.shape"), JobOptions::new()).await;
    let error = error.expect("an error");
    assert_eq!(error.kind(), "parse");
    assert!(
        error.to_string().contains("payload[0][2][2] (score)"),
        "{error}"
    );

    let (pages, error) = export(&server, &url("com.synth.busy"), JobOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records(&pages).len(), 120);
}

#[tokio::test]
async fn resume_in_a_new_session_restarts_the_refused_listing() {
    let app = GpApp::new(NOTES, 260);
    let server = server(vec![app.clone()]).await;
    let (pages, error) = export(&server, &url(NOTES), JobOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    let cursor = pages[0].next.clone().expect("a cursor after page 1");
    assert_eq!(cursor["rpc"], "oCPfdb");
    let ctx = local_context("googleplay", &server.base_url(), JobOptions::new());
    let (resumed, error) = fetch_to_end(
        &adapters::googleplay::GooglePlay,
        ctx,
        &url(NOTES),
        Some(cursor),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    // The new session cannot use the old token: the listing starts over (the
    // engine's dedup skips what the first run exported).
    assert_exact(&records(&resumed), &app, &app.listing(2, None), true);
    assert!(notes(&resumed)[0].starts_with("the checkpoint's continuation token was refused"));
}
