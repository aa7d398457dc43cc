//! Criterion benches of the Trustpilot and OpenWeb parsers (issue 11's
//! budget: at most 20 µs of CPU per review; results in `BENCHMARKS.md`).
//!
//! * `trustpilot_parse/page_20`: `adapters::trustpilot::parse_page` on a
//!   20-review page of the synthetic server (~40 KB of HTML with the
//!   `__NEXT_DATA__` script at the end, as the site puts it).
//! * `trustpilot_parse/page_20_heavy`: the same page with 400 KB of head and
//!   body markup before the script, the size of a real business page.
//! * `openweb_parse/zip_5000`: `adapters::openweb::export_csv::parse_export`
//!   on a zip of 5,000 messages (two CSVs), inflate and CSV included.
//!
//! Run: `cargo bench -p benches --bench trustpilot_openweb -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use adapters::openweb::export_csv::parse_export;
use adapters::trustpilot::parse_page;
use engine::Target;
use fixtures::{openweb_synth_message, openweb_synth_zip, trustpilot_synth_html, TpBusiness};

/// Reviews on one Trustpilot page.
const PER_PAGE: u64 = 20;

/// Messages in the OpenWeb export file.
const MESSAGES: usize = 5_000;

/// A real page's markup before the data script: styles, scripts and the
/// rendered reviews (~400 KB).
fn heavy(html: &str) -> String {
    let filler: String = (0..2_000)
        .map(|k| {
            format!(
                "<div class=\"styles_card__{k:05x}\"><link rel=\"preload\" href=\"/_next/static/css/{k:08x}.css\" as=\"style\"/><span>filler markup {k}</span></div>\n"
            )
        })
        .collect();
    html.replacen("<main>", &format!("<main>{filler}"), 1)
}

fn trustpilot(c: &mut Criterion) {
    let business = TpBusiness::new("bench-shop.example", 400).languages(&["en", "da", "de"]);
    let html = trustpilot_synth_html(&business, 3);
    let heavy = heavy(&html);
    let target = Target::new(
        "trustpilot",
        "bench-shop.example",
        "https://www.trustpilot.com/review/bench-shop.example",
    );
    let url = "https://www.trustpilot.com/review/bench-shop.example?page=3";
    assert_eq!(
        parse_page(&html, &target, url).unwrap().reviews,
        PER_PAGE as usize
    );
    assert_eq!(
        parse_page(&heavy, &target, url).unwrap().reviews,
        PER_PAGE as usize
    );
    let mut g = c.benchmark_group("trustpilot_parse");
    g.throughput(Throughput::Elements(PER_PAGE));
    eprintln!(
        "trustpilot page: {} bytes; heavy: {} bytes",
        html.len(),
        heavy.len()
    );
    g.bench_function("page_20", |b| {
        b.iter(|| parse_page(black_box(&html), &target, url).unwrap())
    });
    g.bench_function("page_20_heavy", |b| {
        b.iter(|| parse_page(black_box(&heavy), &target, url).unwrap())
    });
    g.finish();
}

fn openweb(c: &mut Criterion) {
    let messages: Vec<_> = (0..MESSAGES)
        .map(|i| openweb_synth_message(i, 1_714_521_600, 17))
        .collect();
    let zip = openweb_synth_zip(&messages, 2_500);
    let target = Target::new("openweb", "sp_bench", "openweb://sp_bench");
    assert_eq!(
        parse_export(&zip, &target, "bench.csv.zip").unwrap().len(),
        MESSAGES
    );
    eprintln!("openweb zip: {} bytes", zip.len());
    let mut g = c.benchmark_group("openweb_parse");
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.bench_function("zip_5000", |b| {
        b.iter(|| parse_export(black_box(&zip), &target, "bench.csv.zip").unwrap())
    });
    g.finish();
}

criterion_group!(benches, trustpilot, openweb);
criterion_main!(benches);
