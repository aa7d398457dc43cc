//! The OpenWeb export adapter against the synthetic export API of the
//! fixture server (127.0.0.1 only): windows, polling, zipped CSVs, failed
//! windows, expired links, abort, 429, tokens and resume.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use adapters::openweb::OpenWeb;
use engine::{
    Comment, Cursor, Error, FetchContext, HttpClient, JobOptions, Kind, Page, RetryPolicy,
};
use fixtures::{FixtureServer, OpenWebSynth, OwFault, OwMessage, ServerConfig, OPENWEB_SYNTH_KEY};
use futures::StreamExt;
use serde_json::Value;

/// 2024-05-01T00:00:00Z.
const MAY1: i64 = 1_714_521_600;
const DAY: i64 = 86_400;
const URL: &str = "openweb://sp_Synth01?since=2024-05-01&until=2024-05-03";

/// Three days of messages, one every 10 minutes: 144 a window, in zips of
/// two CSVs of 50 rows (two links a window).
fn synth() -> OpenWebSynth {
    OpenWebSynth::new(MAY1, 3 * 144, 600)
        .rows_per_csv(50)
        .csvs_per_zip(2)
}

async fn server(synth: OpenWebSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .expect("fixture server starts")
}

fn context(server: &FixtureServer, options: JobOptions, key: Option<&str>) -> FetchContext {
    let mut b = HttpClient::builder("openweb")
        .base_url(Some(server.base_url().parse().unwrap()))
        .requests_per_second(None)
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        })
        .timeout(Duration::from_secs(20));
    if let Some(k) = key {
        b = b.credential(k);
    }
    FetchContext {
        http: b.build().unwrap(),
        options: Arc::new(options),
    }
}

fn ctx(server: &FixtureServer) -> FetchContext {
    context(server, JobOptions::new(), Some(OPENWEB_SYNTH_KEY))
}

async fn run(ctx: FetchContext, url: &str, resume: Option<Cursor>) -> (Vec<Page>, Option<Error>) {
    engine::testing::fetch_to_end(&OpenWeb, ctx, url, resume).await
}

/// Asserts that `records` are exactly `truth`, once each, field by field.
fn assert_truth(records: &[Comment], truth: &[OwMessage]) {
    let by_id: HashMap<&str, &Comment> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    assert_eq!(by_id.len(), records.len(), "a record came twice");
    assert_eq!(records.len(), truth.len(), "records vs truth");
    for m in truth {
        let r = by_id
            .get(m.id.as_str())
            .unwrap_or_else(|| panic!("{} missing", m.id));
        let kind = if m.kind == "reply" {
            Kind::Reply
        } else {
            Kind::Comment
        };
        assert_eq!(r.kind, kind);
        assert_eq!(r.depth, u32::from(kind == Kind::Reply));
        assert_eq!(r.source_id, m.post_id);
        assert_eq!(r.text, m.content, "{}", m.id);
        assert_eq!(r.created_at.unwrap().timestamp(), m.written_at);
        assert_eq!((r.likes, r.dislikes), (Some(m.likes), Some(m.dislikes)));
        assert_eq!(r.author.as_deref(), Some(m.user_display_name.as_str()));
        assert_eq!(r.author_id.as_deref(), Some(m.user_id.as_str()));
        assert_eq!(r.extra["message_status"], m.status);
        assert_eq!(r.extra["reports_count"], m.reports);
        assert_eq!(r.extra["user_name"], m.user_name.as_str());
        assert_eq!(r.extra["user_primarykey"], m.user_primarykey.as_str());
        assert_eq!(
            r.extra["label_id"],
            m.label_id.clone().map_or(Value::Null, Value::from)
        );
    }
}

fn notes(pages: &[Page]) -> Vec<String> {
    pages.iter().flat_map(|p| p.notes.clone()).collect()
}

#[tokio::test]
async fn every_message_of_every_window_exactly_once() {
    let synth = synth();
    let s = server(synth.clone()).await;
    let (pages, err) = run(ctx(&s), URL, None).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &synth.messages_between(MAY1, MAY1 + 3 * DAY),
    );
    assert_eq!(pages.len(), 6, "two links a window");
    assert_eq!(pages[0].records.len(), 100);
    assert!(pages[5].is_last());
    assert_eq!(
        synth.calls("request"),
        [
            "request 2024-05-01T00:00:00..2024-05-02T00:00:00 req-0001",
            "request 2024-05-02T00:00:00..2024-05-03T00:00:00 req-0002",
            "request 2024-05-03T00:00:00..2024-05-04T00:00:00 req-0003",
        ]
    );
    assert!(synth.calls("abort").is_empty());
    assert!(
        notes(&pages)[0].contains("as 3 window(s)"),
        "{:?}",
        notes(&pages)
    );
    assert_eq!(
        pages[1].next,
        Some(serde_json::json!({"window": 1, "link": 0}))
    );
    assert_eq!(
        pages[2].next,
        Some(serde_json::json!({"window": 1, "link": 1, "request_id": "req-0002"}))
    );
    // The token goes to the API only, never to the storage links.
    for r in s.requests() {
        let has_key = r.header("apikey").is_some();
        assert_eq!(has_key, r.path.starts_with("/v2/"), "{}", r.path);
    }
}

#[tokio::test]
async fn the_job_range_applies_when_the_url_has_none() {
    let synth = synth();
    let s = server(synth.clone()).await;
    let options = JobOptions::new()
        .since(chrono::DateTime::from_timestamp(MAY1 + 6 * 3600, 0).unwrap())
        .until(chrono::DateTime::from_timestamp(MAY1 + 30 * 3600, 0).unwrap());
    let (pages, err) = run(
        context(&s, options, Some(OPENWEB_SYNTH_KEY)),
        "openweb://sp_Synth01",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &synth.messages_between(MAY1 + 6 * 3600, MAY1 + 30 * 3600),
    );
    assert_eq!(synth.calls("request").len(), 1);

    let (_, err) = run(ctx(&s), "openweb://sp_Synth01", None).await;
    let err = err.unwrap();
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("needs a start date"), "{err}");
}

#[tokio::test]
async fn a_failed_export_is_requested_again() {
    let synth = synth().fault(OwFault::FailWindow {
        since: "2024-05-02T00:00:00".into(),
        times: 2,
    });
    let s = server(synth.clone()).await;
    let (pages, err) = run(ctx(&s), URL, None).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &synth.messages_between(MAY1, MAY1 + 3 * DAY),
    );
    assert_eq!(synth.calls("request").len(), 5);
    let notes = notes(&pages);
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("ended \"failed\"; it was requested again"))
            .count(),
        2,
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_window_that_keeps_failing_ends_the_job_naming_it_and_resume_retries_it() {
    let synth = synth().fault(OwFault::FailWindow {
        since: "2024-05-02T00:00:00".into(),
        times: 3,
    });
    let s = server(synth.clone()).await;
    let (pages, err) = run(ctx(&s), URL, None).await;
    let err = err.expect("the job fails");
    let text = err.to_string();
    assert!(
        text.contains("2024-05-02T00:00:00..2024-05-03T00:00:00 (2 of 3)"),
        "{text}"
    );
    assert!(text.contains("ended with status failed 3 times"), "{text}");
    // The first window is kept, whole.
    assert_truth(
        &engine::testing::records(&pages),
        &synth.messages_between(MAY1, MAY1 + DAY),
    );
    let cursor = pages.last().unwrap().next.clone();
    assert_eq!(cursor, Some(serde_json::json!({"window": 1, "link": 0})));
    // The fault is used up: resuming from the last page exports the rest.
    let (rest, err) = run(ctx(&s), URL, cursor).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&rest),
        &synth.messages_between(MAY1 + DAY, MAY1 + 3 * DAY),
    );
}

#[tokio::test]
async fn an_expired_link_gets_the_window_exported_again() {
    let synth = synth().fault(OwFault::ExpireLink {
        since: "2024-05-02T00:00:00".into(),
        link: 1,
        times: 1,
    });
    let s = server(synth.clone()).await;
    let (pages, err) = run(ctx(&s), URL, None).await;
    assert!(err.is_none(), "{err:?}");
    assert_truth(
        &engine::testing::records(&pages),
        &synth.messages_between(MAY1, MAY1 + 3 * DAY),
    );
    assert_eq!(synth.calls("expired"), ["expired req-0002/1"]);
    assert_eq!(synth.calls("request").len(), 4);
    assert!(notes(&pages)
        .iter()
        .any(|n| n.contains("2024-05-02T00:00:00..2024-05-03T00:00:00 had expired")));

    let always = synth_with(OwFault::ExpireLink {
        since: "2024-05-01T00:00:00".into(),
        link: 0,
        times: 50,
    });
    let s = server(always.clone()).await;
    let (_, err) = run(ctx(&s), URL, None).await;
    let err = err.unwrap();
    assert!(err.to_string().contains("kept expiring"), "{err}");
}

fn synth_with(f: OwFault) -> OpenWebSynth {
    synth().fault(f)
}

#[tokio::test]
async fn stopping_while_an_export_is_prepared_aborts_it() {
    let synth = synth().fault(OwFault::NeverDone {
        since: "2024-05-01T00:00:00".into(),
    });
    let s = server(synth.clone()).await;
    let target = engine::Adapter::detect(&OpenWeb, &URL.parse().unwrap()).unwrap();
    let mut stream = engine::Adapter::fetch(&OpenWeb, target, ctx(&s), None);
    let first = tokio::time::timeout(Duration::from_millis(400), stream.next()).await;
    assert!(first.is_err(), "still preparing");
    assert!(synth.calls("status").len() >= 2);
    drop(stream);
    for _ in 0..200 {
        if !synth.calls("abort").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(synth.calls("abort"), ["abort req-0001"]);
}

#[tokio::test]
async fn an_export_never_done_is_aborted_at_the_deadline() {
    let synth = synth().fault(OwFault::NeverDone {
        since: "2024-05-02T00:00:00".into(),
    });
    let s = server(synth.clone()).await;
    let options = JobOptions::new().with_param("openweb_wait_minutes", "0.005");
    let (pages, err) = run(context(&s, options, Some(OPENWEB_SYNTH_KEY)), URL, None).await;
    let err = err.unwrap();
    assert_eq!(err.kind(), "network");
    assert!(
        err.to_string()
            .contains("2024-05-02T00:00:00..2024-05-03T00:00:00 was still \"in_progress\""),
        "{err}"
    );
    assert_eq!(synth.calls("abort"), ["abort req-0002"]);
    assert_eq!(
        engine::testing::records(&pages).len(),
        144,
        "the first window is kept"
    );
}

#[tokio::test]
async fn rate_limited_requests_are_retried() {
    let synth = synth().fault(OwFault::RateLimitRequests { times: 2 });
    let s = server(synth.clone()).await;
    let (pages, err) = run(ctx(&s), URL, None).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(engine::testing::records(&pages).len(), 432);
    assert_eq!(synth.calls("429").len(), 2);

    let synth = synth_with(OwFault::RateLimitRequests { times: 100 });
    let s = server(synth).await;
    let (_, err) = run(ctx(&s), URL, None).await;
    assert_eq!(err.unwrap().kind(), "rate_limited");
}

#[tokio::test]
async fn a_missing_or_refused_token_is_a_precise_error_without_the_token() {
    let synth = synth();
    let s = server(synth.clone()).await;
    let (_, err) = run(context(&s, JobOptions::new(), None), URL, None).await;
    let err = err.unwrap();
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("RUNNER_API_KEY_OPENWEB"), "{err}");
    assert!(s.requests().is_empty(), "nothing was sent");

    let wrong = "wrong-token-0123456789";
    let (_, err) = run(context(&s, JobOptions::new(), Some(wrong)), URL, None).await;
    let err = err.unwrap();
    assert_eq!(err.kind(), "forbidden");
    assert!(
        err.to_string().contains("export token was refused"),
        "{err}"
    );
    assert!(!err.to_string().contains(wrong), "{err}");
}

#[tokio::test]
async fn resume_continues_at_the_link_of_a_ready_export_or_requests_the_window_again() {
    let synth = synth();
    let s = server(synth.clone()).await;
    let (full, err) = run(ctx(&s), URL, None).await;
    assert!(err.is_none(), "{err:?}");
    let all: Vec<String> = engine::testing::records(&full)
        .into_iter()
        .map(|r| r.id)
        .collect();
    let requests = synth.calls("request").len();
    // After page 3 (window 1, link 0): the export req-0002 is still done.
    let cursor = full[2].next.clone();
    assert_eq!(
        cursor,
        Some(serde_json::json!({"window": 1, "link": 1, "request_id": "req-0002"}))
    );
    let (rest, err) = run(ctx(&s), URL, cursor).await;
    assert!(err.is_none(), "{err:?}");
    let before: Vec<String> = engine::testing::records(&full[..3])
        .into_iter()
        .map(|r| r.id)
        .collect();
    let after: Vec<String> = engine::testing::records(&rest)
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!([before, after].concat(), all, "exactly the rest, in order");
    assert_eq!(
        synth.calls("request").len(),
        requests + 1,
        "only window 3 requested anew"
    );

    // An export the API no longer knows: the window is exported again from its first link.
    let stale = serde_json::json!({"window": 1, "link": 1, "request_id": "req-9999"});
    let (rest, err) = run(ctx(&s), URL, Some(stale)).await;
    assert!(err.is_none(), "{err:?}");
    let got: HashSet<String> = engine::testing::records(&rest)
        .into_iter()
        .map(|r| r.id)
        .collect();
    let want: HashSet<String> = synth
        .messages_between(MAY1 + DAY, MAY1 + 3 * DAY)
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(got, want);

    let (_, err) = run(ctx(&s), URL, Some(Value::from("window 2"))).await;
    assert_eq!(err.unwrap().kind(), "checkpoint");
}
