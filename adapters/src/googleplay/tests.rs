//! Unit tests of the Google Play request, envelope and payload parsers and
//! URL detection; the property tests are in `tests/props.rs`.

use engine::{Kind, Precision, Target};
use serde_json::{json, Value};

use super::envelope::{rpc_answer, Answer};
use super::parse::{parse_payload, Listed, RATING_SCALE};
use super::request::{f_req, form_body, PlaySort, ReviewsQuery, Rpc};
use super::url::detect;

mod props;

const REQ: &str = "https://play.google.com/_/PlayStoreUi/data/batchexecute?rpcids=oCPfdb";
const LISTED: Listed<'static> = Listed {
    hl: "en",
    gl: "US",
    replies: true,
};

fn target() -> Target {
    Target::new(
        "googleplay",
        "com.fixture.notes",
        "https://play.google.com/store/apps/details?id=com.fixture.notes",
    )
}

/// A review item in the wire layout.
fn item(id: &str, score: Value, reply: Value) -> Value {
    json!([
        id,
        [
            "Ann Example",
            [
                null,
                2,
                null,
                [null, null, "https://play-lh.googleusercontent.com/a-/ann"]
            ]
        ],
        score,
        null,
        format!("text of {id}"),
        [1_700_000_000, 250_000_000],
        12,
        reply,
        null,
        null,
        "3.1.4",
        null,
        null
    ])
}

fn payload(items: Vec<Value>, token: Option<&str>) -> String {
    json!([items, token.map(|t| json!([null, t])), null]).to_string()
}

fn parse(p: &str) -> Result<super::ReviewsPage, engine::Error> {
    parse_payload(p, Rpc::Current, &target(), REQ, LISTED)
}

#[test]
fn maps_a_review_and_its_reply_field_by_field() {
    let reply = json!(["Fixture Co.", "Thanks, fixed in 3.2", [1_700_086_400, 0]]);
    let p = parse(&payload(
        vec![item("gp:AOqpTOE1", json!(4), reply)],
        Some("CsYBCo8B"),
    ))
    .unwrap();
    assert_eq!(
        (p.reviews, p.records.len(), p.token.as_deref()),
        (1, 2, Some("CsYBCo8B"))
    );
    let c = &p.records[0];
    assert_eq!(
        (c.platform.as_str(), c.kind, c.id.as_str()),
        ("googleplay", Kind::Review, "gp:AOqpTOE1")
    );
    assert_eq!(c.source_id, "com.fixture.notes");
    assert_eq!(c.author.as_deref(), Some("Ann Example"));
    assert_eq!(
        (c.author_id.as_deref(), c.author_url.as_deref()),
        (None, None)
    );
    assert_eq!(c.rating, Some(4.0));
    assert_eq!(c.text, "text of gp:AOqpTOE1");
    assert_eq!(
        c.created_at.unwrap().timestamp_nanos_opt(),
        Some(1_700_000_000_250_000_000)
    );
    assert_eq!(c.created_at_precision, Some(Precision::Second));
    assert_eq!(c.likes, Some(12));
    assert_eq!(
        c.url.as_deref(),
        Some("https://play.google.com/store/apps/details?id=com.fixture.notes&reviewId=gp%3AAOqpTOE1")
    );
    assert_eq!(
        c.extra["avatar_url"],
        "https://play-lh.googleusercontent.com/a-/ann"
    );
    assert_eq!(c.extra["app_version"], "3.1.4");
    assert_eq!(
        (c.extra["hl"].as_str(), c.extra["gl"].as_str()),
        (Some("en"), Some("US"))
    );
    assert_eq!(c.extra["rating_scale"], RATING_SCALE);
    let r = &p.records[1];
    assert_eq!(
        (
            r.kind,
            r.id.as_str(),
            r.parent_id.as_deref(),
            r.root_id.as_str(),
            r.depth
        ),
        (
            Kind::Reply,
            "gp:AOqpTOE1-dev",
            Some("gp:AOqpTOE1"),
            "gp:AOqpTOE1",
            1
        )
    );
    assert_eq!(
        (r.author.as_deref(), r.text.as_str()),
        (Some("Fixture Co."), "Thanks, fixed in 3.2")
    );
    assert_eq!(r.created_at.unwrap().timestamp(), 1_700_086_400);
    assert_eq!(r.extra["developer_response"], true);
}

#[test]
fn replies_off_drops_reply_records_and_nulls_are_empty() {
    let reply = json!([null, "Thanks", null]);
    let off = Listed {
        replies: false,
        ..LISTED
    };
    let p = parse_payload(
        &payload(vec![item("a", json!(5), reply.clone())], None),
        Rpc::Current,
        &target(),
        REQ,
        off,
    )
    .unwrap();
    assert_eq!((p.records.len(), p.token), (1, None));
    let with = parse(&payload(vec![item("a", json!(5), reply)], None)).unwrap();
    assert_eq!(
        (
            with.records[1].author.as_deref(),
            with.records[1].created_at
        ),
        (Some("developer"), None)
    );
    let bare = parse(&json!([[["b", null, 1, null, null, null, null, null]]]).to_string()).unwrap();
    let c = &bare.records[0];
    assert_eq!(
        (c.author.as_deref(), c.text.as_str(), c.created_at, c.likes),
        (None, "", None, None)
    );
    assert!(!c.extra.contains_key("app_version"));
    for empty in [
        "null",
        "[]",
        "[null]",
        "[[]]",
        "[[],null]",
        "[[],[null]]",
        "[[],[null,null],null]",
    ] {
        let p = parse(empty).unwrap_or_else(|e| panic!("{empty}: {e}"));
        assert_eq!((p.reviews, p.token), (0, None), "{empty}");
    }
}

#[test]
fn layout_changes_are_parse_errors_naming_the_position() {
    let cases = [
        (
            payload(vec![item("a", json!("5"), Value::Null)], None),
            "payload[0][0][2] (score)",
        ),
        (
            payload(vec![item("a", json!(6), Value::Null)], None),
            "payload[0][0][2] (score)",
        ),
        (
            payload(
                vec![item("a", json!(5), Value::Null), json!([7, null, 5])],
                None,
            ),
            "payload[0][1][0] (review id)",
        ),
        (
            payload(vec![json!({"id": "a"})], None),
            "payload[0][0]: expected a review list",
        ),
        (
            payload(vec![item("a", json!(5), json!("thanks"))], None),
            "payload[0][0][7] (developer reply)",
        ),
        (
            payload(vec![item("a", json!(5), json!([null, 3]))], None),
            "payload[0][0][7][1] (reply text)",
        ),
        (
            json!([[["a", null, 5, null, "t", "yesterday"]]]).to_string(),
            "payload[0][0][5] (timestamp)",
        ),
        (
            json!([[["a", null, 5, null, "t", null, "12"]]]).to_string(),
            "payload[0][0][6] (thumbs-up count)",
        ),
        (
            json!([[["a", null, 5, null, 42]]]).to_string(),
            "payload[0][0][4] (text)",
        ),
        (
            json!([[["a", "Ann", 5]]]).to_string(),
            "payload[0][0][1] (user)",
        ),
        (
            json!([[["a", null, 5, null, null, null, null, null, null, null, 314]]]).to_string(),
            "payload[0][0][10] (app version)",
        ),
        (json!([{"reviews": []}]).to_string(), "payload[0] (reviews)"),
        (
            json!([[], [null, 42]]).to_string(),
            "payload[1][1] (continuation token)",
        ),
        (
            json!({"reviews": []}).to_string(),
            "payload: expected a list",
        ),
        ("[[".to_string(), "payload is not JSON"),
    ];
    for (body, position) in cases {
        let e = parse(&body).unwrap_err();
        assert_eq!(e.kind(), "parse", "{body}");
        assert!(e.to_string().contains(position), "{position} not in {e}");
    }
}

#[test]
fn the_legacy_answer_has_its_token_last() {
    let body = json!([[item("a", json!(3), Value::Null)], null, [null, "OLDTOKEN"]]).to_string();
    let p = parse_payload(&body, Rpc::Legacy, &target(), REQ, LISTED).unwrap();
    assert_eq!((p.reviews, p.token.as_deref()), (1, Some("OLDTOKEN")));
    let two = json!([[item("a", json!(3), Value::Null)], [null, "T2"]]).to_string();
    assert_eq!(
        parse_payload(&two, Rpc::Legacy, &target(), REQ, LISTED)
            .unwrap()
            .token
            .as_deref(),
        Some("T2")
    );
}

#[test]
fn envelopes_plain_chunked_refused_and_foreign() {
    let frame = |payload: &str| {
        json!([
            ["wrb.fr", "oCPfdb", payload, null, null, null, "generic"],
            ["di", 31],
            ["af.httprm", 30, "-6131", 14]
        ])
    };
    let plain = format!(")]}}'\n\n{}", frame("[null]"));
    assert_eq!(
        rpc_answer(plain.as_bytes(), "oCPfdb", REQ).unwrap(),
        Answer::Payload("[null]".into())
    );
    let f = frame("[[],null]").to_string();
    let chunked = format!(
        ")]}}'\n\n{}\n{f}\n25\n[[\"e\",4,null,null,{}]]\n",
        f.len(),
        f.len()
    );
    assert_eq!(
        rpc_answer(chunked.as_bytes(), "oCPfdb", REQ).unwrap(),
        Answer::Payload("[[],null]".into())
    );
    let other_rpc = format!(
        ")]}}'\n\n{}",
        json!([["wrb.fr", "qnKhOb", "[]", null, null, null, "generic"]])
    );
    assert_eq!(
        rpc_answer(other_rpc.as_bytes(), "oCPfdb", REQ).unwrap(),
        Answer::Missing
    );
    let er = ")]}'\n\n[[\"er\",null,null,null,null,400,null,null,null,3]]";
    assert_eq!(
        rpc_answer(er.as_bytes(), "oCPfdb", REQ).unwrap(),
        Answer::Missing
    );
    let refused = ")]}'\n[[\"wrb.fr\",\"oCPfdb\",null,null,null,[3],\"generic\"]]";
    assert_eq!(
        rpc_answer(refused.as_bytes(), "oCPfdb", REQ).unwrap(),
        Answer::Status(3)
    );
    for bad in [
        "<!doctype html><title>Sorry</title>",
        "[[\"wrb.fr\"]]",
        ")]}'\n\n[[\"wrb.fr\",",
        ")]}'\n{\"a\":1}",
    ] {
        assert_eq!(
            rpc_answer(bad.as_bytes(), "oCPfdb", REQ)
                .unwrap_err()
                .kind(),
            "parse",
            "{bad}"
        );
    }
}

#[test]
fn requests_are_json_inside_json_inside_a_form() {
    let q = ReviewsQuery {
        package: "com.fixture.notes",
        sort: PlaySort::Relevant,
        count: 100,
        star: Some(2),
        token: None,
    };
    let outer: Value = serde_json::from_str(&f_req(Rpc::Current, &q)).unwrap();
    assert_eq!(outer[0][0][0], "oCPfdb");
    assert_eq!(
        (outer[0][0][2].clone(), outer[0][0][3].clone()),
        (Value::Null, json!("generic"))
    );
    let args: Value = serde_json::from_str(outer[0][0][1].as_str().unwrap()).unwrap();
    assert_eq!(
        args,
        json!([
            null,
            [
                2,
                1,
                [100],
                null,
                [null, 2, null, null, null, null, null, null, null]
            ],
            ["com.fixture.notes", 7]
        ])
    );
    let legacy: Value = serde_json::from_str(&f_req(
        Rpc::Legacy,
        &ReviewsQuery {
            token: Some("T"),
            star: None,
            ..q.clone()
        },
    ))
    .unwrap();
    let args: Value = serde_json::from_str(legacy[0][0][1].as_str().unwrap()).unwrap();
    assert_eq!(
        args,
        json!([
            null,
            null,
            [2, 1, [100, null, "T"], null, [null, null]],
            ["com.fixture.notes", 7]
        ])
    );
    let body = form_body(Rpc::Current, &q);
    let decoded: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        decoded,
        vec![("f.req".to_string(), f_req(Rpc::Current, &q))]
    );
}

#[test]
fn detects_details_urls() {
    let t = detect(
        &"https://play.google.com/store/apps/details?id=com.fixture.notes"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (t.id.as_str(), t.url.as_str(), t.params.len()),
        (
            "com.fixture.notes",
            "https://play.google.com/store/apps/details?id=com.fixture.notes",
            0
        )
    );
    let t = detect(
        &"http://PLAY.google.com/store/apps/details/?hl=pt-BR&id=org.x_y.z&gl=br&pli=1"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            t.id.as_str(),
            t.params["hl"].as_str(),
            t.params["gl"].as_str()
        ),
        ("org.x_y.z", "pt-BR", "br")
    );
    for url in [
        "https://play.google.com/store/apps/developer?id=Example",
        "https://play.google.com/store/apps/details?hl=en",
        "https://play.google.com/store/apps/details?id=notapackage",
        "https://play.google.com/store/apps/details?id=com.x%22y",
        "https://play.google.com/store/books/details?id=abc.def",
        "https://play.google.com.evil.example/store/apps/details?id=a.b",
        "https://apps.apple.com/app/id1",
    ] {
        assert!(detect(&url.parse().unwrap()).is_none(), "{url}");
    }
    let odd = detect(
        &"https://play.google.com/store/apps/details?id=a.b&hl=%3Cx%3E"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert!(
        !odd.params.contains_key("hl"),
        "a locale with markup is ignored"
    );
}
