//! Criterion benches of the per-record CPU cost of the pipeline
//! (see `BENCHMARKS.md` for the commands and the results).
//!
//! * `steam_parse`: `adapters::steam::parse_page` on a 100-review page, with
//!   a plain `serde_json::Value` parse of the same bytes as a yardstick.
//! * `core`: dedup → filter → encoders over pre-parsed records.
//! * `page_to_ndjson`: parse + dedup + filter + NDJSON of one page: the whole
//!   per-page CPU cost of the pipeline, without HTTP and file I/O.
//! * `writer_detail`: pieces of the writer path isolated to size known
//!   costs (see the report in `BENCHMARKS.md`).
//!
//! Quick run: `cargo bench -p benches -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use benches::{request_url, steam_pages, steam_records, target, BENCH_APPID, PER_PAGE};
use engine::dedup::record_key;
use engine::filter::Filter;
use engine::sink::{CsvEncoder, Encoder, JsonArrayEncoder, NdjsonEncoder};
use engine::{Comment, Dedup, JobOptions};

/// Records per iteration of the `core` benches (10 pages).
const CORE_RECORDS_PAGES: usize = 10;

/// Distinct pages cycled through by `page_to_ndjson`.
const CYCLE_PAGES: usize = 20;

/// Keys already in the dedup set in `page_to_ndjson` (a run well under way).
const PREFILLED_KEYS: u64 = 100_000;

/// The `JobRun::select` step (engine/src/job.rs): dedup under the run-wide
/// lock, then filter; a kept record's key is inserted. Borrowing instead of
/// moving so the same records can be reused across iterations.
fn select<'a>(
    records: &'a [Comment],
    dedup: &Mutex<Dedup>,
    filter: &mut Filter,
    kept: &mut Vec<&'a Comment>,
    keys: &mut Vec<u64>,
) {
    let mut dedup = dedup.lock().unwrap_or_else(|p| p.into_inner());
    for r in records {
        let key = record_key(&r.platform, &r.id);
        if dedup.contains_key(key) {
            continue;
        }
        if filter.check(r).is_err() {
            continue;
        }
        dedup.insert_key(key);
        keys.push(key);
        kept.push(r);
    }
}

/// What `TextSink::write` does per record: encode into a reused buffer, then
/// copy it into the file buffer (`out` stands in for the `BufWriter`).
fn encode_all<'a, E: Encoder>(
    encoder: &mut E,
    records: impl IntoIterator<Item = &'a Comment>,
    buf: &mut Vec<u8>,
    out: &mut Vec<u8>,
    first: &mut bool,
) {
    for r in records {
        buf.clear();
        encoder
            .record(r, *first, buf)
            .expect("records always encode");
        out.extend_from_slice(buf);
        *first = false;
    }
}

fn steam_parse(c: &mut Criterion) {
    let body = benches::steam_page(BENCH_APPID, 1, PER_PAGE, benches::DEV_EVERY);
    let target = target(BENCH_APPID);
    let url = request_url(BENCH_APPID);
    let check = adapters::steam::parse_page(&body, &target, &url, true).expect("page parses");
    assert_eq!(check.records.len(), PER_PAGE);

    let mut g = c.benchmark_group("steam_parse");
    g.throughput(Throughput::Elements(PER_PAGE as u64));
    g.bench_function("parse_page", |b| {
        b.iter(|| {
            adapters::steam::parse_page(black_box(&body), &target, &url, true).expect("page parses")
        })
    });
    // Yardstick: a generic DOM parse of the same bytes (no typed structs, no records).
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(black_box(&body)).expect("valid JSON")
        })
    });
    g.finish();
}

fn core(c: &mut Criterion) {
    let records = steam_records(BENCH_APPID, CORE_RECORDS_PAGES);
    let n = records.len();
    let options = JobOptions::default();

    let mut g = c.benchmark_group("core");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(30);

    // A fresh run-wide set every iteration: it grows from empty as in a run.
    g.bench_function("dedup_filter", |b| {
        let mut kept = Vec::with_capacity(PER_PAGE);
        let mut keys = Vec::with_capacity(PER_PAGE);
        b.iter(|| {
            let dedup = Mutex::new(Dedup::new());
            let mut filter = Filter::new(&options);
            for page in records.chunks(PER_PAGE) {
                kept.clear();
                keys.clear();
                select(page, &dedup, &mut filter, &mut kept, &mut keys);
                black_box((&kept, &keys));
            }
        })
    });

    g.bench_function("dedup_filter_ndjson", |b| {
        let mut kept = Vec::with_capacity(PER_PAGE);
        let mut keys = Vec::with_capacity(PER_PAGE);
        let (mut buf, mut out) = (Vec::with_capacity(8192), Vec::with_capacity(256 * 1024));
        b.iter(|| {
            let dedup = Mutex::new(Dedup::new());
            let mut filter = Filter::new(&options);
            let mut first = true;
            for page in records.chunks(PER_PAGE) {
                kept.clear();
                keys.clear();
                out.clear();
                select(page, &dedup, &mut filter, &mut kept, &mut keys);
                encode_all(
                    &mut NdjsonEncoder,
                    kept.iter().copied(),
                    &mut buf,
                    &mut out,
                    &mut first,
                );
                black_box(&out);
            }
        })
    });

    fn encoder_bench<E: Encoder>(
        g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        records: &[Comment],
        mut encoder: E,
    ) {
        let (mut buf, mut out) = (Vec::with_capacity(8192), Vec::with_capacity(256 * 1024));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut first = true;
                for page in records.chunks(PER_PAGE) {
                    out.clear();
                    encode_all(&mut encoder, page, &mut buf, &mut out, &mut first);
                    black_box(&out);
                }
            })
        });
    }
    encoder_bench(&mut g, "ndjson", &records, NdjsonEncoder);
    encoder_bench(&mut g, "csv", &records, CsvEncoder::default());
    encoder_bench(&mut g, "json_array", &records, JsonArrayEncoder);
    g.finish();
}

fn page_to_ndjson(c: &mut Criterion) {
    let pages = steam_pages(BENCH_APPID, CYCLE_PAGES);
    let target = target(BENCH_APPID);
    let url = request_url(BENCH_APPID);
    let options = JobOptions::default();
    // A set as big as a run 100k records in (keys that never match the pages'),
    // rebuilt (untimed) at the start of every cycle through the pages so they
    // are never duplicates.
    let prefilled = || {
        let mut d = Dedup::new();
        for k in 0..PREFILLED_KEYS {
            d.insert_key(xxhash_rust::xxh3::xxh3_64(&k.to_le_bytes()));
        }
        d
    };
    let dedup = Mutex::new(prefilled());

    let mut g = c.benchmark_group("page_to_ndjson");
    g.throughput(Throughput::Elements(PER_PAGE as u64));
    g.bench_function("parse_dedup_filter_ndjson", |b| {
        let (mut buf, mut out) = (Vec::with_capacity(8192), Vec::with_capacity(256 * 1024));
        let mut filter = Filter::new(&options);
        let mut next = 0usize;
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if next.is_multiple_of(pages.len()) {
                    *dedup.lock().unwrap_or_else(|p| p.into_inner()) = prefilled();
                }
                let body = &pages[next % pages.len()];
                next += 1;
                let t = Instant::now();
                // The job task: parse, then select (dedup + filter), moving records.
                let parsed = adapters::steam::parse_page(black_box(body), &target, &url, true)
                    .expect("page parses");
                let mut kept = Vec::with_capacity(parsed.records.len());
                let mut keys = Vec::with_capacity(parsed.records.len());
                {
                    let mut d = dedup.lock().unwrap_or_else(|p| p.into_inner());
                    for r in parsed.records {
                        let key = record_key(&r.platform, &r.id);
                        if d.contains_key(key) || filter.check(&r).is_err() {
                            continue;
                        }
                        d.insert_key(key);
                        keys.push(key);
                        kept.push(r);
                    }
                }
                // The writer: encode into the file buffer.
                out.clear();
                let mut first = true;
                encode_all(&mut NdjsonEncoder, &kept, &mut buf, &mut out, &mut first);
                black_box(&out);
                drop(kept);
                total += t.elapsed();
                black_box(keys);
            }
            total
        })
    });
    g.finish();
}

/// Pieces of the writer and sink path, isolated.
fn writer_detail(c: &mut Criterion) {
    let records = steam_records(BENCH_APPID, 1);
    let mut g = c.benchmark_group("writer_detail");
    g.throughput(Throughput::Elements(records.len() as u64));
    // CSV column `extra` as engine/src/sink/columns.rs builds it (clones the map)…
    g.bench_function("csv_extra_clone_to_string", |b| {
        b.iter(|| {
            for r in &records {
                black_box(serde_json::Value::Object(r.extra.clone()).to_string());
            }
        })
    });
    // …and serialized straight from the borrowed map.
    g.bench_function("csv_extra_borrowed_to_string", |b| {
        b.iter(|| {
            for r in &records {
                black_box(serde_json::to_string(&r.extra).expect("a map serializes"));
            }
        })
    });
    // The two timestamps every CSV row formats.
    g.bench_function("rfc3339_two_dates", |b| {
        b.iter(|| {
            for r in &records {
                black_box(
                    r.fetched_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
                black_box(
                    r.created_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                );
            }
        })
    });
    g.finish();
}

/// Language detection (whatlang) over the synthetic Steam texts with their
/// platform language removed, so every record is judged.
fn enrich_language(c: &mut Criterion) {
    let mut records = benches::steam_records(7_000_001, 10);
    for r in &mut records {
        r.language = None;
    }
    let mut group = c.benchmark_group("enrich");
    group.throughput(Throughput::Elements(records.len() as u64));
    let detector = engine::LanguageDetector::default();
    group.bench_function("language_whatlang", |b| {
        b.iter_batched_ref(
            || records.clone(),
            |v| engine::Enricher::enrich(&detector, v),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    steam_parse,
    core,
    page_to_ndjson,
    writer_detail,
    enrich_language
);
criterion_main!(benches);
