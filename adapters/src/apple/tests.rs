//! Unit tests of the App Store feed parser, URL detection and storefronts;
//! the property tests are in `tests/props.rs`.

use engine::{Kind, Precision, Sort, Target};
use serde_json::{json, Value};

use super::client::feed_url;
use super::parse::{parse_feed, RATING_SCALE};
use super::url::detect;

mod props;

const REQ: &str =
    "https://itunes.apple.com/jp/rss/customerreviews/page=1/id=1000000001/sortby=mostrecent/json";

fn target() -> Target {
    Target::new(
        "apple",
        "1000000001",
        "https://apps.apple.com/jp/app/id1000000001",
    )
}

fn entry(id: &str, rating: &str, updated: Option<&str>) -> Value {
    let mut e = json!({
        "author": {"uri": {"label": "https://itunes.apple.com/jp/reviews/id555"},
                   "name": {"label": "Mika"}, "label": ""},
        "im:version": {"label": "2.1.0"},
        "im:rating": {"label": rating},
        "id": {"label": id},
        "title": {"label": format!("title {id}")},
        "content": {"label": format!("text of {id}\nline 2"), "attributes": {"type": "text"}},
        "link": {"attributes": {"rel": "related", "href": "https://itunes.apple.com/jp/review?id=1000000001&type=Purple%20Software"}},
        "im:voteSum": {"label": "2"},
        "im:contentType": {"attributes": {"term": "Application", "label": "App"}},
        "im:voteCount": {"label": "5"}
    });
    if let Some(u) = updated {
        e["updated"] = json!({"label": u});
    }
    e
}

fn app_entry() -> Value {
    json!({"im:name": {"label": "Fixture Notes"}, "rights": {"label": "© Example"},
           "im:price": {"label": "Get", "attributes": {"amount": "0.00", "currency": "JPY"}},
           "id": {"label": "https://apps.apple.com/jp/app/id1000000001", "attributes": {"im:id": "1000000001"}},
           "im:artist": {"label": "Example Inc."}})
}

fn feed(entry: Option<Value>) -> Value {
    let mut f = json!({"author": {"name": {"label": "iTunes Store"}}, "title": {"label": "iTunes Store: Customer Reviews"}});
    if let Some(e) = entry {
        f["entry"] = e;
    }
    json!({ "feed": f })
}

fn parse(v: &Value) -> Result<super::ParsedFeed, engine::Error> {
    parse_feed(v.to_string().as_bytes(), &target(), "jp", REQ)
}

#[test]
fn maps_an_entry_field_by_field() {
    let p = parse(&feed(Some(json!([entry(
        "901",
        "3",
        Some("2024-03-05T07:08:09-07:00")
    )]))))
    .unwrap();
    let c = &p.records[0];
    assert_eq!(
        (c.platform.as_str(), c.kind, c.id.as_str()),
        ("apple", Kind::Review, "901")
    );
    assert_eq!(
        (c.source_id.as_str(), c.source_url.as_str()),
        ("1000000001", "https://apps.apple.com/jp/app/id1000000001")
    );
    assert_eq!((c.depth, c.parent_id.as_deref()), (0, None));
    assert_eq!(c.rating, Some(3.0));
    assert_eq!(c.author.as_deref(), Some("Mika"));
    assert_eq!(c.author_id.as_deref(), Some("555"));
    assert_eq!(
        c.author_url.as_deref(),
        Some("https://itunes.apple.com/jp/reviews/id555")
    );
    assert_eq!(c.title.as_deref(), Some("title 901"));
    assert_eq!(c.text, "text of 901\nline 2");
    assert_eq!(
        c.created_at.unwrap().to_rfc3339(),
        "2024-03-05T14:08:09+00:00"
    );
    assert_eq!(c.created_at_precision, Some(Precision::Second));
    assert_eq!((c.likes, c.dislikes), (Some(2), Some(3)));
    assert_eq!(c.extra["rating_scale"], RATING_SCALE);
    assert_eq!(c.extra["storefront"], "jp");
    assert_eq!(c.extra["app_version"], "2.1.0");
    assert_eq!(
        (c.extra["vote_sum"].as_u64(), c.extra["vote_count"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(c.url, None);
}

#[test]
fn entry_may_be_a_list_one_object_or_absent() {
    let list = parse(&feed(Some(json!([
        entry("1", "5", None),
        entry("2", "4", None)
    ]))))
    .unwrap();
    assert_eq!(list.records.len(), 2);
    let one = parse(&feed(Some(entry("7", "1", None)))).unwrap();
    assert_eq!(one.records.len(), 1);
    assert_eq!(one.records[0].id, "7");
    assert!(parse(&feed(None)).unwrap().records.is_empty());
    assert!(parse(&feed(Some(Value::Null))).unwrap().records.is_empty());
    assert!(parse(&feed(Some(json!([])))).unwrap().records.is_empty());
}

#[test]
fn the_app_entry_of_older_feeds_is_skipped() {
    let p = parse(&feed(Some(json!([app_entry(), entry("1", "5", None)])))).unwrap();
    assert_eq!((p.records.len(), p.skipped), (1, 1));
    let only_app = parse(&feed(Some(app_entry()))).unwrap();
    assert_eq!((only_app.records.len(), only_app.skipped), (0, 1));
}

#[test]
fn without_updated_the_date_is_null_with_no_precision() {
    let c = &parse(&feed(Some(entry("1", "5", None)))).unwrap().records[0];
    assert_eq!(
        (
            c.created_at,
            c.created_at_precision,
            c.created_at_raw.as_deref()
        ),
        (None, None, None)
    );
    let odd = &parse(&feed(Some(entry("1", "5", Some("last tuesday")))))
        .unwrap()
        .records[0];
    assert_eq!(
        (odd.created_at, odd.created_at_raw.as_deref()),
        (None, Some("last tuesday"))
    );
}

#[test]
fn numbers_may_be_numbers_and_labels_bare() {
    let mut e = entry("5", "2", None);
    e["im:rating"] = json!({"label": 2});
    e["im:voteSum"] = json!(4);
    e["im:voteCount"] = json!({"label": "x"});
    e["id"] = json!({"label": 123456});
    let c = &parse(&feed(Some(e))).unwrap().records[0];
    assert_eq!(
        (c.id.as_str(), c.rating, c.likes, c.dislikes),
        ("123456", Some(2.0), Some(4), None)
    );
}

#[test]
fn content_as_a_list_takes_the_text_one() {
    let mut e = entry("5", "2", None);
    e["content"] = json!([{"label": "<b>html</b>", "attributes": {"type": "html"}},
                          {"label": "plain", "attributes": {"type": "text"}}]);
    assert_eq!(parse(&feed(Some(e))).unwrap().records[0].text, "plain");
}

#[test]
fn shape_changes_are_parse_errors_naming_the_position() {
    let bad_rating = {
        let mut e = entry("5", "five", None);
        e["x"] = json!(1);
        feed(Some(json!([entry("1", "5", None), e])))
    };
    let e = parse(&bad_rating).unwrap_err();
    assert_eq!(e.kind(), "parse");
    assert!(
        e.to_string().contains("feed.entry[1].im:rating.label"),
        "{e}"
    );

    let no_id = {
        let mut e = entry("5", "5", None);
        e.as_object_mut().unwrap().remove("id");
        feed(Some(e))
    };
    assert!(parse(&no_id)
        .unwrap_err()
        .to_string()
        .contains("feed.entry[0].id.label"));
    assert!(parse(&feed(Some(json!("entries"))))
        .unwrap_err()
        .to_string()
        .contains("feed.entry"));
    assert!(parse(&feed(Some(json!([1]))))
        .unwrap_err()
        .to_string()
        .contains("feed.entry[0]"));
    assert!(parse(&json!({"results": []}))
        .unwrap_err()
        .to_string()
        .contains("no `feed`"));
    let html = parse_feed(b"<html>503</html>", &target(), "jp", REQ).unwrap_err();
    assert_eq!(html.kind(), "parse");
    assert!(
        parse(&feed(Some(entry("1", "0", None)))).is_err(),
        "0 stars is not a rating"
    );
}

#[test]
fn detects_store_links_and_the_feed() {
    let cases = [
        (
            "https://apps.apple.com/jp/app/reality/id1404176564",
            "1404176564",
            Some("jp"),
        ),
        (
            "https://apps.apple.com/app/id1404176564",
            "1404176564",
            None,
        ),
        (
            "https://apps.apple.com/US/app/x/ID42?platform=iphone",
            "42",
            Some("us"),
        ),
        (
            "http://itunes.apple.com/gb/app/some-app/id284882215?mt=8",
            "284882215",
            Some("gb"),
        ),
        (
            "https://itunes.apple.com/app/id284882215",
            "284882215",
            None,
        ),
        (
            "https://itunes.apple.com/fr/rss/customerreviews/page=1/id=99/sortby=mostrecent/json",
            "99",
            Some("fr"),
        ),
        (
            "https://itunes.apple.com/rss/customerreviews/id=99/json",
            "99",
            None,
        ),
    ];
    for (url, id, cc) in cases {
        let t = detect(&url.parse().unwrap()).unwrap_or_else(|| panic!("{url} not claimed"));
        assert_eq!(t.id, id, "{url}");
        assert_eq!(t.params.get("country").map(String::as_str), cc, "{url}");
        assert_eq!(
            t.url,
            format!("https://apps.apple.com/{}/app/id{id}", cc.unwrap_or("us"))
        );
    }
    for url in [
        "https://apps.apple.com/us/developer/example/id284882218",
        "https://apps.apple.com/us/app/no-id-here",
        "https://apps.apple.com/us/app/x/id",
        "https://apps.apple.com/us/app/x/id12a",
        "https://itunes.apple.com/us/rss/topfreeapplications/json",
        "https://music.apple.com/us/album/x/id123",
        "https://www.apple.com/app/id1",
        "ftp://apps.apple.com/app/id1",
        "https://apps.apple.com/app/id0",
    ] {
        assert!(detect(&url.parse().unwrap()).is_none(), "{url}");
    }
}

#[test]
fn feed_urls_follow_the_sort() {
    assert!(feed_url("us", 1, "9", Sort::Top)
        .ends_with("/us/rss/customerreviews/page=1/id=9/sortby=mosthelpful/json"));
    assert!(feed_url("us", 10, "9", Sort::Updated).contains("page=10/id=9/sortby=mostrecent"));
}
