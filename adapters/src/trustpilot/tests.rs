//! Unit tests of the Trustpilot URL detection and page parser.

mod props;

use engine::{Kind, Target};
use serde_json::{json, Value};

use super::parse::parse_page;
use super::url::detect;

pub(super) const REQ: &str = "https://www.trustpilot.com/review/shop.example?page=1";

pub(super) fn target() -> Target {
    detect(
        &"https://www.trustpilot.com/review/shop.example"
            .parse()
            .unwrap(),
    )
    .unwrap()
}

/// A page whose `__NEXT_DATA__` is `data`, escaped as Next.js escapes it.
pub(super) fn html_of(data: &Value) -> String {
    let json = data
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    format!(
        "<!DOCTYPE html><html><head><title>x</title></head><body><div id=\"__next\"></div>\
         <script id=\"__NEXT_DATA__\" type=\"application/json\">{json}</script></body></html>"
    )
}

pub(super) fn review(id: &str, rating: Value) -> Value {
    json!({
        "id": id, "rating": rating, "title": "T", "text": "Body </script> & more", "language": "en",
        "likes": 3, "location": "GB", "source": "Organic",
        "dates": {"publishedDate": "2024-03-01T09:30:00.000Z", "experiencedDate": "2024-02-28T00:00:00.000Z", "updatedDate": null},
        "consumer": {"id": "5f0c0ffee0000000000000aa", "displayName": "Ann B", "countryCode": "GB", "numberOfReviews": 4, "isVerified": true},
        "labels": {"verification": {"isVerified": true, "reviewSourceName": "InvitationApi"}},
        "reply": null
    })
}

pub(super) fn page(reviews: Vec<Value>) -> Value {
    json!({"props": {"pageProps": {
        "businessUnit": {"displayName": "Shop Ltd", "identifyingName": "shop.example"},
        "filters": {"pagination": {"currentPage": 1, "perPage": 20, "totalCount": 41, "totalPages": 3},
                    "reviewStatistics": {"reviewLanguages": [
                        {"isoCode": "all", "reviewCount": 41}, {"isoCode": "en", "reviewCount": 30},
                        {"isoCode": "da", "reviewCount": 11}, {"isoCode": "fr", "reviewCount": 0}]}},
        "reviews": reviews
    }}})
}

#[test]
fn detects_business_pages_on_every_host() {
    for (url, id, canonical) in [
        (
            "https://www.trustpilot.com/review/shop.example",
            "shop.example",
            "https://www.trustpilot.com/review/shop.example",
        ),
        (
            "http://trustpilot.com/review/WWW.Shop.Example/",
            "www.shop.example",
            "https://www.trustpilot.com/review/www.shop.example",
        ),
        (
            "https://uk.trustpilot.com/review/shop.co.uk?page=4#x",
            "shop.co.uk",
            "https://uk.trustpilot.com/review/shop.co.uk",
        ),
        (
            "https://de.trustpilot.com/review/laden.de?languages=de",
            "laden.de",
            "https://de.trustpilot.com/review/laden.de",
        ),
    ] {
        let t = detect(&url.parse().unwrap()).unwrap_or_else(|| panic!("{url}"));
        assert_eq!((t.id.as_str(), t.url.as_str()), (id, canonical), "{url}");
    }
    let t = detect(
        &"https://de.trustpilot.com/review/laden.de?languages=DE&stars=4,5&stars=9"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(t.params["languages"], "de");
    assert_eq!(t.params["stars"], "4,5");
    for url in [
        "https://www.trustpilot.com/reviews/65f0c0ffee",
        "https://www.trustpilot.com/review/",
        "https://www.trustpilot.com/review/nodot",
        "https://www.trustpilot.com/review/shop.example/extra",
        "https://business.trustpilot.com/review/shop.example",
        "https://www.trustpilot.com/categories/bank",
        "https://trustpilot.com.evil.example/review/shop.example",
        "ftp://www.trustpilot.com/review/shop.example",
    ] {
        assert!(detect(&url.parse().unwrap()).is_none(), "{url}");
    }
}

#[test]
fn parses_every_field_and_the_company_reply() {
    let mut with_reply = review("65aa", json!(2));
    with_reply["reply"] = json!({"message": "Sorry to hear", "publishedDate": "2024-03-02T10:00:00.000Z", "updatedDate": "2024-03-03T10:00:00.000Z"});
    with_reply["dates"]["updatedDate"] = json!("2024-03-01T12:00:00.000Z");
    let html = html_of(&page(vec![review("65ab", json!(5)), with_reply]));
    let p = parse_page(&html, &target(), REQ).unwrap();
    assert_eq!(p.reviews, 2);
    assert_eq!(p.records.len(), 3);
    let r = &p.records[0];
    assert_eq!(r.kind, Kind::Review);
    assert_eq!(
        (r.id.as_str(), r.rating, r.likes),
        ("65ab", Some(5.0), Some(3))
    );
    assert_eq!(r.text, "Body </script> & more");
    assert_eq!(r.title.as_deref(), Some("T"));
    assert_eq!(r.author.as_deref(), Some("Ann B"));
    assert_eq!(
        r.author_url.as_deref(),
        Some("https://www.trustpilot.com/users/5f0c0ffee0000000000000aa")
    );
    assert_eq!(
        r.url.as_deref(),
        Some("https://www.trustpilot.com/reviews/65ab")
    );
    assert_eq!(
        r.created_at.unwrap().to_rfc3339(),
        "2024-03-01T09:30:00+00:00"
    );
    assert_eq!(r.edited, Some(false));
    assert_eq!(r.reply_count, Some(0));
    assert_eq!(r.source_id, "shop.example");
    assert_eq!(r.extra["experienced_date"], "2024-02-28T00:00:00.000Z");
    assert_eq!(r.extra["verification"]["reviewSourceName"], "InvitationApi");
    assert_eq!(r.extra["consumer_country"], "GB");
    assert_eq!(r.extra["consumer_reviews"], 4);
    let (review, reply) = (&p.records[1], &p.records[2]);
    assert_eq!((review.edited, review.reply_count), (Some(true), Some(1)));
    assert_eq!(reply.kind, Kind::Reply);
    assert_eq!(reply.id, "65aa-reply");
    assert_eq!((reply.parent_id.as_deref(), reply.depth), (Some("65aa"), 1));
    assert_eq!(reply.author.as_deref(), Some("Shop Ltd"));
    assert_eq!(reply.text, "Sorry to hear");
    assert_eq!(
        reply.created_at.unwrap().to_rfc3339(),
        "2024-03-02T10:00:00+00:00"
    );
    assert_eq!(reply.edited, Some(true));
    let pg = p.pagination.unwrap();
    assert_eq!(
        (pg.current_page, pg.total_pages, pg.total_count),
        (1, 3, 41)
    );
    assert_eq!(p.languages, ["en", "da"]);
}

#[test]
fn a_login_redirect_is_reported_not_parsed() {
    let data = json!({"props": {"pageProps": {"__N_REDIRECT": "/users/connect?redirect=%2Freview%2Fshop.example%3Fpage%3D11", "__N_REDIRECT_STATUS": 307}}});
    let p = parse_page(&html_of(&data), &target(), REQ).unwrap();
    assert!(p.redirect.unwrap().starts_with("/users/connect"));
    assert!(p.records.is_empty());
}

#[test]
fn changed_shapes_are_parse_errors_naming_the_path() {
    let cases: Vec<(String, &str)> = vec![
        (
            "<html><body>Verifying your connection…</body></html>".into(),
            "no <script id=\"__NEXT_DATA__\">",
        ),
        (html_of(&json!({"props": {}})), "props.pageProps is missing"),
        (
            html_of(&json!({"props": {"pageProps": {"reviews": {"0": {}}}}})),
            "props.pageProps.reviews is not a list",
        ),
        (
            html_of(&json!({"props": {"pageProps": {"filters": {}}}})),
            "props.pageProps.reviews is missing",
        ),
        (
            html_of(&page(vec![
                review("a", json!(5)),
                review("b", json!("five")),
            ])),
            "props.pageProps.reviews[1].rating",
        ),
        (
            html_of(&page(vec![review("", json!(5))])),
            "props.pageProps.reviews[0].id",
        ),
        (
            html_of(&page(vec![json!("text")])),
            "props.pageProps.reviews[0] is not an object",
        ),
        (
            html_of(
                &json!({"props": {"pageProps": {"reviews": [], "filters": {"pagination": {"currentPage": "x"}}}}}),
            ),
            "pagination.currentPage",
        ),
        (
            "<script id=\"__NEXT_DATA__\">{\"props\": [1,</script>".into(),
            "not the JSON expected",
        ),
    ];
    for (html, wanted) in cases {
        let e = parse_page(&html, &target(), REQ).unwrap_err();
        assert_eq!(e.kind(), "parse", "{e}");
        assert!(e.to_string().contains(wanted), "{wanted:?} not in {e}");
    }
}

#[test]
fn an_empty_business_has_no_records() {
    let mut data = page(vec![]);
    data["props"]["pageProps"]["filters"]["pagination"] =
        json!({"currentPage": 1, "perPage": 20, "totalCount": 0, "totalPages": 0});
    let p = parse_page(&html_of(&data), &target(), REQ).unwrap();
    assert_eq!((p.reviews, p.records.len()), (0, 0));
}
