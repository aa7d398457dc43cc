//! Shared data generators for the benches (see `BENCHMARKS.md`).
//!
//! Pages are built from the synthetic Steam ground truth
//! ([`fixtures::steam_review`]) in the exact shape the fixture server sends,
//! so the criterion benches parse the same bytes as the end-to-end run.

use engine::{Comment, Target};

/// First appid used by the benches (far from every test's appids).
pub const BENCH_APPID: u64 = 9_100_000;

/// Reviews per page, as the Steam adapter asks (`num_per_page=100`).
pub const PER_PAGE: usize = 100;

/// Developer responses in the generated pages: 0 = none, as the
/// `fixture-server` binary serves by default (so records = reviews, the same
/// as in the end-to-end bench).
pub const DEV_EVERY: usize = 0;

/// The export target of app `appid`, as URL detection makes it.
pub fn target(appid: u64) -> Target {
    Target::new(
        "steam",
        appid.to_string(),
        format!("https://store.steampowered.com/app/{appid}/"),
    )
}

/// The request URL the adapter would send for `page` of `appid` (only used in error messages).
pub fn request_url(appid: u64) -> String {
    format!("https://store.steampowered.com/appreviews/{appid}?json=1&num_per_page=100")
}

/// The body of page number `page` (0-based) of `appid`:
/// `{"success":1,"query_summary":{…},"reviews":[…],"cursor":"…"}` with
/// `per_page` reviews starting at index `page * per_page`.
///
/// The first page carries Steam's totals in `query_summary`, as the fixture
/// server sends them; later pages only `num_reviews`.
pub fn steam_page(appid: u64, page: usize, per_page: usize, dev_every: usize) -> Vec<u8> {
    let start = page * per_page;
    let reviews: Vec<serde_json::Value> = (start..start + per_page)
        .map(|i| fixtures::steam_review(appid, i, dev_every))
        .collect();
    let mut summary = serde_json::json!({ "num_reviews": per_page });
    if page == 0 {
        summary["review_score"] = 8.into();
        summary["review_score_desc"] = "Very Positive".into();
        summary["total_positive"] = 1600.into();
        summary["total_negative"] = 400.into();
        summary["total_reviews"] = 2000.into();
    }
    let body = serde_json::json!({
        "success": 1,
        "query_summary": summary,
        "reviews": reviews,
        "cursor": fixtures::steam_cursor(appid, start + per_page),
    });
    serde_json::to_vec(&body).expect("a JSON value always serializes")
}

/// `pages` consecutive pages of `appid` (pages 1.. so none carries the totals, like most pages).
pub fn steam_pages(appid: u64, pages: usize) -> Vec<Vec<u8>> {
    (1..=pages)
        .map(|p| steam_page(appid, p, PER_PAGE, DEV_EVERY))
        .collect()
}

/// Parses `pages` pages of `appid` into records, the way the adapter does.
pub fn steam_records(appid: u64, pages: usize) -> Vec<Comment> {
    let target = target(appid);
    let url = request_url(appid);
    steam_pages(appid, pages)
        .iter()
        .flat_map(|body| {
            adapters::steam::parse_page(body, &target, &url, true)
                .expect("generated pages parse")
                .records
        })
        .collect()
}
