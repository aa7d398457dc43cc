//! The offline sentiment analyzer (issue 7): texts per second on one core,
//! and the enrich step over a page with and without rayon.
//!
//! `cargo bench -p benches --bench sentiment -- --warm-up-time 1 --measurement-time 3`
//!
//! The texts are realistic comments built from authored fragments: English
//! reviews (negation, "but", caps, slang, emoticons), German, French, Spanish,
//! Russian, Japanese, Chinese and Korean ones, emoji in every language, a few
//! one-word and emoji-only comments; mean about 100 characters.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use engine::{Comment, Enricher, Kind, SentimentAnalyzer};

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
        "Ce jeu est magnifique, je le recommande à tout le monde 😍",
        "fr",
    ),
    (
        "Muy buen video, gracias por la explicación, me ayudó mucho.",
        "es",
    ),
    ("Отличная игра, но сервера постоянно падают 😡", "ru"),
    (
        "このゲームは本当に面白いです！グラフィックも最高です😊",
        "ja",
    ),
    ("这个视频真的太好看了，谢谢你的分享！👏", "zh"),
    ("정말 재미있는 게임이에요. 강력 추천합니다!", "ko"),
    (
        "Die Grafik ist schön, die Geschichte leider langweilig.",
        "de",
    ),
    ("Je n'ai pas aimé la fin, trop rapide à mon goût.", "fr"),
    ("Es el peor juego que he comprado este año 👎", "es"),
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
    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// `n` comments (with their language where a platform would give one),
/// picked and joined deterministically; mean ~100 characters.
fn comments(n: usize) -> Vec<(String, Option<&'static str>)> {
    let mut rng = Pick(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| match rng.u32(0..100) {
            0..=54 => {
                let mut t = EN[rng.usize(0..EN.len())].to_string();
                if rng.bool() {
                    t.push(' ');
                    t.push_str(EN[rng.usize(0..EN.len())]);
                }
                (t, None)
            }
            55..=89 => {
                let (t, lang) = OTHER[rng.usize(0..OTHER.len())];
                let mut t = t.to_string();
                if rng.u32(0..3) == 0 {
                    t.push(' ');
                    t.push_str(OTHER[rng.usize(0..OTHER.len())].0);
                }
                (t, Some(lang))
            }
            _ => (SHORT[rng.usize(0..SHORT.len())].to_string(), None),
        })
        .collect()
}

fn analyze(c: &mut Criterion) {
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
    let mut g = c.benchmark_group("sentiment");
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

criterion_group!(benches, analyze, enrich);
criterion_main!(benches);
