//! Email delivery of scheduled exports (`deliveryMethod: email`,
//! `sendNotification`) through a local SMTP server: one mail per finished
//! run to the account's address, with the counts and file links, retried
//! after a temporary refusal; precise 422s when the service has no mail
//! server or the account no address.

mod smtp;
mod support;

use std::time::Duration;

use fixtures::SynthApp;
use serde_json::json;
use smtp::Smtp;
use support::{steam_url, Harness};

fn set_email(h: &Harness, user: &str, email: &str) {
    let store = service::store::Store::open(&h.dir.path().join("service.db")).unwrap();
    let u = store.user_named(user).unwrap();
    store.set_user_email(u.id, Some(email)).unwrap();
}

async fn run_now(h: &Harness, body: serde_json::Value) -> (String, String) {
    let (c, s) = h.call("POST", "/api/v1/schedules", Some(body)).await;
    assert_eq!(c, 201, "{s}");
    let uuid = s["uuid"].as_str().unwrap().to_string();
    let (c, run) = h
        .call("POST", &format!("/api/v1/schedules/{uuid}/run-now"), None)
        .await;
    assert_eq!(c, 200, "{run}");
    let guid = run["jobs"][0].as_str().unwrap().to_string();
    h.wait_job(&guid, 30, |j| j["status"] == "done").await;
    (uuid, guid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finished_runs_are_mailed_to_the_account() {
    // The server refuses the first message with a 451: the mailer retries.
    let smtp = Smtp::start(1).await;
    let url = smtp.url();
    let h = Harness::start(
        vec![SynthApp::new(730, 25), SynthApp::new(440, 7)],
        0,
        |c| {
            c.smtp = Some(service::mailer::SmtpSettings::new(&url, "exports@example.org").unwrap());
        },
    )
    .await;
    let email = json!({"url": steam_url(730), "frequency": "daily", "deliveryMethod": "email", "name": "CS reviews"});
    let (c, e) = h
        .call("POST", "/api/v1/schedules", Some(email.clone()))
        .await;
    assert_eq!(c, 422, "{e}");
    assert!(e.to_string().contains("email address"), "{e}");

    set_email(&h, "alice", "alice@example.org");
    let (_, guid) = run_now(&h, email).await;
    let mails = smtp.wait_for(1, 20).await;
    let m = &mails[0];
    assert_eq!(m.from, "exports@example.org");
    assert_eq!(m.to, ["alice@example.org"]);
    assert_eq!(
        m.header("Subject").as_deref(),
        Some("Scheduled export \"CS reviews\" finished: 25 new items")
    );
    let body = m.body();
    assert!(
        body.contains(&format!("Job {guid} (done): 25 items")),
        "{body}"
    );
    assert!(body.contains(&format!("/exports/{guid}.xlsx")), "{body}");
    assert!(body.contains(&format!("/exports/{guid}.json")), "{body}");
    assert!(
        smtp.refused.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "refused once, then sent"
    );

    // Storage delivery notifies by default; sendNotification false does not.
    let (_, quiet) = run_now(
        &h,
        json!({"url": steam_url(440), "frequency": "daily", "sendNotification": false}),
    )
    .await;
    let (_, noisy) = run_now(&h, json!({"url": steam_url(440), "frequency": "weekly"})).await;
    let mails = smtp.wait_for(2, 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails_now = smtp.mails();
    assert_eq!(
        mails_now.len(),
        2,
        "one mail per run that asks for it: {mails:?}"
    );
    assert!(mails_now[1].body().contains(&noisy));
    assert!(!mails_now.iter().any(|m| m.body().contains(&quiet)));
    h.server.unwrap().shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn email_delivery_needs_a_mail_server() {
    let h = Harness::start(vec![SynthApp::new(730, 5)], 0, |_| {}).await;
    set_email(&h, "alice", "alice@example.org");
    let (c, e) = h
        .call(
            "POST",
            "/api/v1/schedules",
            Some(json!({"url": steam_url(730), "frequency": "daily", "deliveryMethod": "email"})),
        )
        .await;
    assert_eq!(c, 422, "{e}");
    assert!(e.to_string().contains("--smtp"), "{e}");
    h.server.unwrap().shutdown().await;
}
