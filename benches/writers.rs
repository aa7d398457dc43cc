//! Criterion benches of the file sinks and of in-run dedup, in rows per
//! second, on rows shaped like the reference set (see
//! `BENCHMARKS.md`): text of 124 characters on average in 11 languages with
//! emoji, 60 % top level, likes, dates, sentiment labels.
//!
//! * `writers/<format>`: `open_file` → `write` every record → `finish`,
//!   into a temporary folder (the file really is written; XLSX includes the
//!   workbook assembly). `xlsx_two_files` is what a batch does: one frame
//!   encoding per page appended to the per-URL and the combined workbook.
//! * `dedup/1m_20pct_repeats`: `record_key` + `Dedup` over 1,000,000 ids,
//!   20 % of them repeats of earlier ones.
//!
//! Run: `cargo bench -p benches --bench writers -- --warm-up-time 1 --measurement-time 5`
//! (add `--features parquet` for the Parquet bench). With `BENCH_CPU=1` the
//! benches measure the CPU time of the benchmarking thread instead of wall
//! time (every writer here is single-threaded), which stays meaningful on a
//! machine others are loading.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, Throughput};

use engine::dedup::record_key;
use engine::sink::{encoder_with, open_file, Fields, Format, Sink};
use engine::{Comment, Dedup, Kind, Sentiment};

/// Rows per iteration of the writer benches.
const ROWS: usize = 20_000;

/// One sentence per language, emoji included; texts are cut or repeated to length.
const TEXTS: [(&str, &str); 11] = [
    ("en", "Great game, the campaign is long and the boss fights are brilliant 🎮 but the menus are slow. "),
    ("de", "Tolles Spiel, die Kampagne ist lang und die Bosskämpfe sind großartig 👍 aber die Menüs sind träge. "),
    ("fr", "Super jeu, la campagne est longue et les combats de boss sont géniaux 😀 mais les menus sont lents. "),
    ("es", "Gran juego, la campaña es larga y los jefes son geniales 🔥 pero los menús son lentos y confusos. "),
    ("pt", "Ótimo jogo, a campanha é longa e as lutas contra chefes são incríveis 😍 mas os menus são lentos. "),
    ("ru", "Отличная игра, кампания длинная, битвы с боссами великолепны 👏 но меню медленное и неудобное. "),
    ("ja", "素晴らしいゲームです。キャンペーンは長く、ボス戦は最高です🎉でもメニューが遅いのが残念です。"),
    ("zh", "很棒的游戏，战役很长，首领战非常精彩😄但是菜单有点慢，希望以后能改进一下操作体验。"),
    ("ko", "훌륭한 게임입니다. 캠페인이 길고 보스전이 멋집니다 😊 하지만 메뉴가 느려서 아쉽습니다. "),
    ("tr", "Harika oyun, kampanya uzun ve boss savaşları muhteşem 🤩 ama menüler yavaş ve karışık. "),
    ("ar", "لعبة رائعة، الحملة طويلة ومعارك الزعماء مذهلة 😎 لكن القوائم بطيئة بعض الشيء للأسف. "),
];

/// `n` records like the reference rows (deterministic).
fn reference_rows(n: usize) -> Vec<Comment> {
    let mut rng = fastrand::Rng::with_seed(6);
    let mut last_top = String::new();
    (0..n)
        .map(|i| {
            let (lang, base) = TEXTS[i % TEXTS.len()];
            let top = rng.u8(0..100) < 60 || i == 0;
            let id = format!("c{i:08}");
            let mut c = Comment::new(
                "youtube",
                if top { Kind::Comment } else { Kind::Reply },
                id.clone(),
                "dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            );
            if top {
                last_top = id;
            } else {
                c.parent_id = Some(last_top.clone());
                c.root_id = last_top.clone();
                c.depth = 1;
            }
            // 40..=208 characters: 124 on average.
            let len = 40 + rng.usize(0..=168);
            c.text = base.chars().cycle().take(len).collect();
            let author = rng.u32(0..50_000);
            c.author = Some(format!("@user{author}"));
            c.author_id = Some(format!("UC{author:022}"));
            c.author_url = Some(format!("https://www.youtube.com/channel/UC{author:022}"));
            c.likes = Some(rng.u64(0..5_000));
            c.reply_count = top.then(|| rng.u64(0..20));
            c.created_at = Utc
                .timestamp_opt(1_600_000_000 + rng.i64(0..100_000_000), 0)
                .single();
            c.created_at_precision = Some(engine::Precision::Second);
            c.language = Some(lang.to_string());
            let score = rng.f64() * 2.0 - 1.0;
            let label = if score >= 0.05 {
                "positive"
            } else if score <= -0.05 {
                "negative"
            } else {
                "neutral"
            };
            c.sentiment = Some(Sentiment {
                label: label.into(),
                score,
                method: "lexicon-en".into(),
            });
            c.url = Some(format!(
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc={}",
                c.id
            ));
            c.fetched_at = Utc
                .timestamp_opt(1_750_000_000, 0)
                .single()
                .unwrap_or_default();
            c
        })
        .collect()
}

fn write_all(format: Format, rows: &[Comment], dir: &std::path::Path) -> u64 {
    let path = dir.join(format!("bench.{}", format.extension()));
    let mut sink = open_file(format, &path, None).expect("open");
    for r in rows {
        sink.write(r).expect("write");
    }
    sink.finish().expect("finish")
}

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`), in nanoseconds.
struct ThreadCpu;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we pass and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, i: u64) -> u64 {
        thread_cpu_ns().saturating_sub(i)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WallTime.formatter()
    }
}

fn writers<M: Measurement>(c: &mut Criterion<M>) {
    let rows = reference_rows(ROWS);
    let mut g = c.benchmark_group("writers");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sample_size(10);
    let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("tempdir");
    let mut formats = Format::ALL.to_vec();
    if engine::sink::PARQUET {
        formats.push(Format::Parquet);
    }
    for format in formats {
        g.bench_function(format.extension(), |b| {
            b.iter(|| black_box(write_all(format, &rows, dir.path())))
        });
    }
    // What a batch's writer does for XLSX: one frame encoding of each
    // 100-row page, appended to the per-URL and the combined workbook.
    g.bench_function("xlsx_two_files", |b| {
        b.iter(|| {
            let mut enc = encoder_with(Format::Xlsx, &Fields::all());
            let mut sinks: Vec<Box<dyn Sink>> = ["one.xlsx", "all.xlsx"]
                .iter()
                .map(|n| open_file(Format::Xlsx, &dir.path().join(n), None).expect("open"))
                .collect();
            let mut buf = Vec::new();
            for page in rows.chunks(100) {
                buf.clear();
                enc.page(page, &mut buf).expect("encode");
                for s in &mut sinks {
                    s.write_encoded(&buf).expect("write");
                    s.commit().expect("commit");
                }
            }
            for s in &mut sinks {
                s.finish().expect("finish");
            }
        })
    });
    g.finish();
}

fn dedup<M: Measurement>(c: &mut Criterion<M>) {
    const N: usize = 1_000_000;
    // 20 % of the rows repeat an id seen earlier.
    let mut rng = fastrand::Rng::with_seed(7);
    let mut ids: Vec<String> = Vec::with_capacity(N);
    for i in 0..N {
        if i > 0 && rng.u8(0..100) < 20 {
            let j = rng.usize(0..i);
            ids.push(ids[j].clone());
        } else {
            ids.push(format!("Ugz{i:020}"));
        }
    }
    let mut g = c.benchmark_group("dedup");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("1m_20pct_repeats", |b| {
        b.iter_batched(
            Dedup::new,
            |mut d| {
                let mut kept = 0u64;
                for id in &ids {
                    let k = record_key("youtube", id);
                    if !d.contains_key(k) {
                        d.insert_key(k);
                        kept += 1;
                    }
                }
                black_box(kept)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn main() {
    if std::env::var_os("BENCH_CPU").is_some() {
        let mut c = Criterion::default()
            .with_measurement(ThreadCpu)
            .configure_from_args();
        writers(&mut c);
        dedup(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::default().configure_from_args();
        writers(&mut c);
        dedup(&mut c);
        c.final_summary();
    }
}
