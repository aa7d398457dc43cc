//! One test per rule, the published examples, and properties (no panic on
//! any Unicode, compound in −1…1, deterministic).

use proptest::prelude::*;

use super::{SentimentAnalyzer, SentimentLabel};

fn score(text: &str) -> f64 {
    SentimentAnalyzer::new()
        .analyze(text)
        .unwrap_or_else(|| panic!("no signal in {text:?}"))
        .compound
}

/// The published normalization of a raw valence sum.
fn norm(x: f64) -> f64 {
    let c = x / (x * x + 15.0).sqrt();
    (c * 10_000.0).round() / 10_000.0
}

#[test]
fn normalization_of_one_word() {
    // "good" is rated 1.9
    assert_eq!(score("good"), norm(1.9));
    assert_eq!(score("The book was good."), 0.4404);
}

#[test]
fn negation_flips_within_three_tokens() {
    assert_eq!(score("not good"), norm(1.9 * -0.74));
    assert!(score("isn't good") < 0.0, "any n't word");
    assert!(score("don’t like it") < 0.0, "curly apostrophe");
    assert!(score("never good") < 0.0);
    assert!(score("not really that good") < 0.0, "three tokens back");
    assert!(
        score("not at all really good") > 0.0,
        "four tokens back is out of reach"
    );
    assert!(score("Not bad at all") > 0.0);
    assert!(score("without doubt excellent") > 0.0);
}

#[test]
fn no_before_a_lexicon_word_negates_it() {
    assert_eq!(score("no"), norm(-1.2));
    // "no" stops counting itself and flips "good": −0.74 × 1.9.
    assert_eq!(score("no good"), norm(1.9 * -0.74));
}

#[test]
fn boosters_and_dampeners() {
    assert_eq!(score("very good"), norm(1.9 + 0.293));
    assert_eq!(score("very bad"), norm(-2.5 - 0.293));
    assert_eq!(score("slightly good"), norm(1.9 - 0.293));
    // further away counts less: 0.95 at two tokens
    assert_eq!(score("very very good"), norm(1.9 + 0.293 + 0.293 * 0.95));
    assert_eq!(score("The book was only kind of good."), 0.3832);
    assert!(
        score("kind of bad") > score("bad"),
        "a dampener, not a booster"
    );
}

#[test]
fn contrast_but_weighs_before_half_after_one_and_a_half() {
    let v = 1.9 * 0.5 + -2.5 * 1.5;
    assert_eq!(score("The food is good but the service is bad"), norm(v));
    assert!(score("bad but good") > 0.0);
    assert_eq!(
        score(
            "The plot was good, but the characters are uncompelling and the dialog is not great."
        ),
        -0.7042
    );
}

#[test]
fn caps_emphasis_only_when_case_is_mixed() {
    assert_eq!(score("GOOD movie"), norm(1.9 + 0.733));
    assert_eq!(
        score("GOOD MOVIE"),
        score("good movie"),
        "all caps is no emphasis"
    );
    assert_eq!(score("VERY good movie"), norm(1.9 + 0.293 + 0.733));
    assert_eq!(score("Today SUX!"), -0.5461);
}

#[test]
fn exclamation_and_question_marks() {
    assert_eq!(score("good!"), norm(1.9 + 0.292));
    assert_eq!(score("good!!!!"), norm(1.9 + 4.0 * 0.292));
    assert_eq!(score("good!!!!!!!"), score("good!!!!"), "at most four");
    assert_eq!(score("bad!"), norm(-2.5 - 0.292));
    assert_eq!(score("good?"), score("good"), "one ? adds nothing");
    assert_eq!(score("good??"), norm(1.9 + 2.0 * 0.18));
    assert_eq!(score("good?????"), norm(1.9 + 0.96));
    assert_eq!(
        score("最高😍！！"),
        score("最高😍!!"),
        "fullwidth marks count"
    );
}

#[test]
fn least() {
    assert!(score("the least funny movie") < 0.0);
    assert!(score("at least funny") > 0.0);
    assert_eq!(score("At least it isn't a horrible book."), 0.431);
}

#[test]
fn idioms_replace_their_words() {
    assert!(score("yeah right") < 0.0, "yeah alone is positive");
    assert!(
        score("this party is the bomb") > 0.5,
        "bomb alone is negative"
    );
    assert!(score("I am under the weather today") < 0.0);
    assert!(score("fed up with it") < 0.0, "multiword lexicon entry");
}

#[test]
fn emoticons_and_slang() {
    assert!(score(":)") > 0.0);
    assert!(score(":(") < 0.0);
    assert!(score("<3") > 0.0);
    assert!(score("ok :-(") < 0.0);
    assert!(score("lol") > 0.0);
    assert!(score("wtf") < 0.0);
    assert_eq!(score("Make sure you :) or :D today!"), 0.8633);
}

#[test]
fn emoji_score_in_every_language() {
    let a = SentimentAnalyzer::new();
    for (text, positive) in [
        ("最高のゲームでした😍", true),
        ("サーバーが落ちてばかり😡", false),
        ("Отличная игра 👍", true),
        ("这个更新太糟糕了👎", false),
    ] {
        for s in [a.analyze(text), a.analyze_symbols(text)] {
            let s = s.unwrap();
            assert_eq!(s.compound > 0.05, positive, "{text}: {s:?}");
            assert_eq!(s.compound < -0.05, !positive, "{text}: {s:?}");
        }
    }
    assert_eq!(
        score("Catch utf-8 emoji such as 💘 and 💋 and 😁"),
        0.875,
        "as the reference implementation"
    );
    // skin tones and variation selectors do not hide the emoji
    assert_eq!(score("👍🏽"), score("👍"));
    assert_eq!(score("❤️"), score("❤"));
}

#[test]
fn other_languages_read_symbols_only() {
    let a = SentimentAnalyzer::new();
    assert!(
        a.analyze("Die Grafik ist gut").is_some(),
        "English 'die' misreads"
    );
    assert!(a.analyze_symbols("Die Grafik ist gut").is_none());
    assert!(a.analyze_symbols("c'est nul :(").unwrap().compound < 0.0);
}

#[test]
fn no_signal_is_none() {
    let a = SentimentAnalyzer::new();
    for t in [
        "",
        "   ",
        "Released on March 5",
        "very",
        "not",
        "これはペンです",
        "🍕",
    ] {
        assert!(a.analyze(t).is_none(), "{t:?}");
    }
}

#[test]
fn labels_use_the_threshold() {
    let a = SentimentAnalyzer::new();
    assert_eq!(a.analyze("good").unwrap().label, SentimentLabel::Positive);
    assert_eq!(a.analyze("bad").unwrap().label, SentimentLabel::Negative);
    assert_eq!(
        a.analyze("kind of").map(|s| s.label),
        Some(SentimentLabel::Neutral)
    );
    assert_eq!(a.label(-0.05), SentimentLabel::Negative);
    assert_eq!(a.label(0.049), SentimentLabel::Neutral);
}

#[test]
fn published_examples() {
    for (text, expected) in [
        ("VADER is smart, handsome, and funny.", 0.8316),
        ("VADER is smart, handsome, and funny!", 0.8439),
        ("VADER is very smart, handsome, and funny.", 0.8545),
        ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
        ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
        (
            "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
            0.9469,
        ),
        ("VADER is not smart, handsome, nor funny.", -0.7424),
        ("Today only kinda sux! But I'll get by, lol", 0.5249),
    ] {
        assert_eq!(score(text), expected, "{text}");
    }
}

#[test]
fn long_text_in_constant_memory() {
    let text = "great game but the ending is NOT good!! ".repeat(5_000);
    let s = score(&text);
    assert!((-1.0..=1.0).contains(&s));
}

fn words() -> impl Strategy<Value = String> {
    let vocab = prop::sample::select(vec![
        "good", "bad", "not", "no", "very", "kind", "of", "but", "least", "at", "never", "so",
        "this", "GREAT", "HATE", ":)", ":(", "😂", "😡", "!", "??", "yeah", "right", "the", "bomb",
        "isn't", "don’t", "lol", "😍", "最高", "и", ",", ".",
    ]);
    prop::collection::vec(vocab, 0..40).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn never_panics_and_stays_in_range(text in any::<String>()) {
        let a = SentimentAnalyzer::new();
        for s in [a.analyze(&text), a.analyze_symbols(&text)].into_iter().flatten() {
            prop_assert!((-1.0..=1.0).contains(&s.compound));
        }
    }

    #[test]
    fn rule_soup_stays_in_range_and_is_deterministic(text in words()) {
        let a = SentimentAnalyzer::new();
        let b = SentimentAnalyzer::default();
        let first = a.analyze(&text);
        prop_assert_eq!(first, b.analyze(&text));
        if let Some(s) = first {
            prop_assert!((-1.0..=1.0).contains(&s.compound));
            prop_assert!(s.compound.is_finite());
        }
    }
}

#[test]
fn deterministic_across_threads() {
    let text = "The story is NOT good, but the soundtrack is amazing!! 😍";
    let want = SentimentAnalyzer::new().analyze(text);
    let got: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| SentimentAnalyzer::new().analyze(text)))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(got.iter().all(|g| *g == want));
}
