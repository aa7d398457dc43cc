//! The offline sentiment analyzer (issue 7): texts per second on one core,
//! and the enrich step over a page with and without rayon.
//!
//! `cargo bench -p benches --bench sentiment -- --warm-up-time 1 --measurement-time 3`
//!
//! `sentiment/analyze` is wall time; `sentiment_cpu/analyze` the same loop
//! timed by the thread's CPU clock (on a shared machine, wall time also counts
//! the time other processes held the core).
//!
//! The texts are realistic comments built from authored fragments: English
//! reviews (negation, "but", caps, slang, emoticons), German, French, Spanish,
//! Russian, Japanese, Chinese and Korean ones, emoji in every language, a few
//! one-word and emoji-only comments; mean about 100 characters.

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use engine::{Comment, Enricher, Kind, SentimentAnalyzer};

/// CPU time of the measuring thread (`CLOCK_THREAD_CPUTIME_ID`), so that
/// "texts per second on one core" does not count the time other processes
/// on this shared 2-core machine held the core. Wall time is measured too.
struct ThreadCpu {
    /// Only for its duration formatter.
    wall: WallTime,
}

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}

/// Linux's `CLOCK_THREAD_CPUTIME_ID`.
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

fn thread_cpu() -> Duration {
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (x86-64/aarch64 Linux layout).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

const EN: &[&str] = &[
    "This game is honestly one of the best I have played this year.",
    "Not worth the money, the servers are down half the time :(",
    "The story is great but the controls are kind of clunky.",
    "I LOVE the soundtrack!!! Can't stop listening to it.",
    "meh, it's ok i guess. nothing special tbh",
    "Worst update ever. They ruined everything that made it fun.",
    "Pretty good video, thanks for explaining it so clearly 👍",
    "lol this is hilarious 😂😂",
    "I didn't expect much, but wow, this really surprised me.",
    "The graphics are not bad at all, though the story drags in the middle.",
    "Absolutely terrible customer support, never buying from them again.",
    "It works. Does what it says on the box.",
    "Why would anyone think this was a good idea??",
    "great job!! keep it up ❤️",
    "Kinda boring after the first hour, to be honest.",
    "The devs actually listen to the community, which is rare these days.",
];

/// With the language the platform (or `--detect-language`) gives.
const OTHER: &[(&str, &str)] = &[
    (
        "Das Spiel ist wirklich toll, aber die Steuerung ist etwas hakelig.",
        "de",
    ),
    (
        "Die Grafik ist schön, die Geschichte leider langweilig.",
        "de",
    ),
    (
        "Ce jeu est magnifique, je le recommande à tout le monde 😍",
        "fr",
    ),
    ("Je n'ai pas aimé la fin, trop rapide à mon goût.", "fr"),
    (
        "Muy buen video, gracias por la explicación, me ayudó mucho.",
        "es",
    ),
    ("Es el peor juego que he comprado este año 👎", "es"),
    ("Отличная игра, но сервера постоянно падают 😡", "ru"),
    ("Спасибо за видео, всё понятно и по делу.", "ru"),
    (
        "このゲームは本当に面白いです！グラフィックも最高です😊",
        "ja",
    ),
    ("アップデートの後、ずっとクラッシュします。", "ja"),
    ("这个视频真的太好看了，谢谢你的分享！👏", "zh"),
    ("更新以后游戏一直闪退，太失望了。", "zh"),
    ("정말 재미있는 게임이에요. 강력 추천합니다!", "ko"),
    ("업데이트 이후로 너무 느려졌어요 😞", "ko"),
];

const SHORT: &[&str] = &["👍", "lol", "😂😂😂", "first!", "ok", "W", "🔥🔥"];

/// A small deterministic generator (xorshift64*), enough to pick fragments.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn usize(&mut self, r: std::ops::Range<usize>) -> usize {
        r.start + (self.next() % (r.end - r.start) as u64) as usize
    }
    fn u32(&mut self, r: std::ops::Range<u32>) -> u32 {
        self.usize(r.start as usize..r.end as usize) as u32
    }
}

/// `n` comments (with their language where a platform would give one),
/// picked and joined deterministically; mean ~100 characters.
fn comments(n: usize) -> Vec<(String, Option<&'static str>)> {
    let mut rng = Pick(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| match rng.u32(0..100) {
            0..=54 => {
                // one to three sentences of a review
                let k = 1 + rng.usize(0..3);
                let t: Vec<&str> = (0..k).map(|_| EN[rng.usize(0..EN.len())]).collect();
                (t.join(" "), None)
            }
            55..=89 => {
                // two or three sentences in one language
                let (first, lang) = OTHER[rng.usize(0..OTHER.len())];
                let mut t = first.to_string();
                for _ in 0..1 + rng.usize(0..2) {
                    let same: Vec<&str> = OTHER
                        .iter()
                        .filter(|(_, l)| *l == lang)
                        .map(|(t, _)| *t)
                        .collect();
                    t.push(' ');
                    t.push_str(same[rng.usize(0..same.len())]);
                }
                (t, Some(lang))
            }
            _ => (SHORT[rng.usize(0..SHORT.len())].to_string(), None),
        })
        .collect()
}

fn analyze<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let texts = comments(1_000);
    let chars: usize = texts.iter().map(|(t, _)| t.chars().count()).sum();
    // Every text is read as English here (the enrich bench below reads the
    // non-English ones for emoji only, which is cheaper).
    let bytes: usize = texts.iter().map(|(t, _)| t.len()).sum();
    eprintln!(
        "sentiment corpus: {} texts, mean {:.1} characters, {:.1} bytes",
        texts.len(),
        chars as f64 / texts.len() as f64,
        bytes as f64 / texts.len() as f64
    );
    let a = SentimentAnalyzer::new();
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("analyze", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for (t, _) in &texts {
                if let Some(s) = a.analyze(std::hint::black_box(t)) {
                    sum += s.compound;
                }
            }
            sum
        })
    });
    g.finish();
}

fn analyze_wall(c: &mut Criterion) {
    analyze(c, "sentiment");
}

fn analyze_cpu(c: &mut Criterion<ThreadCpu>) {
    analyze(c, "sentiment_cpu");
}

fn enrich(c: &mut Criterion) {
    let page: Vec<Comment> = comments(1_000)
        .into_iter()
        .enumerate()
        .map(|(i, (t, lang))| {
            let mut r = Comment::new("youtube", Kind::Comment, i.to_string(), "v", "u");
            r.text = t;
            r.language = lang.map(str::to_string);
            r
        })
        .collect();
    let mut g = c.benchmark_group("sentiment_enrich");
    g.throughput(Throughput::Elements(page.len() as u64));
    for (name, a) in [
        (
            "page1000_sequential",
            SentimentAnalyzer::new().parallel_above(usize::MAX),
        ),
        ("page1000_rayon", SentimentAnalyzer::new()),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched_ref(|| page.clone(), |v| a.enrich(v), BatchSize::LargeInput)
        });
    }
    g.finish();
}

criterion_group!(benches, analyze_wall, enrich);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpu { wall: WallTime });
    targets = analyze_cpu
}
criterion_main!(benches, cpu);
