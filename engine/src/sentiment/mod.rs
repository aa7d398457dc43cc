//! Offline sentiment: a rule-based valence analyzer of the VADER kind.
//!
//! The method is the one published by Hutto & Gilbert (*VADER: A Parsimonious
//! Rule-based Model for Sentiment Analysis of Social Media Text*, ICWSM 2014),
//! written here from its description: every token found in a human-rated
//! valence lexicon (words, slang, emoticons, emoji) contributes its valence,
//! adjusted by
//! - negation ("not", "never", "isn't" … up to three tokens before; × −0.74),
//! - boosters and dampeners ("very", "extremely", "kind of", "barely"; ±0.293,
//!   less the further away),
//! - "least" ("the least funny" flips; "at least" does not),
//! - ALL CAPS on a word when the text mixes cases (±0.733),
//! - contrast: before the first "but" counts half, after it one and a half,
//! - a few idioms ("yeah right", "the bomb", "under the weather"),
//! - `!` (up to four, +0.292 each) and `??`/`???` (+0.18 each, 0.96 beyond).
//!
//! The sum `x` becomes the compound score `x / √(x² + 15)` in −1…1, labelled
//! positive at ≥ 0.05, negative at ≤ −0.05 and neutral between.
//!
//! # Data and license
//! The word lexicon (`vader_lexicon.txt`, ~7,500 entries rated by ten people
//! each) and the emoji names (`emoji_utf8_lexicon.txt`) are VADER's, MIT
//! licensed, © 2016 C.J. Hutto, shipped unchanged in `engine/data/` with the
//! license (`LICENSE-VADER.txt`), taken from the `vaderSentiment` 3.3.2
//! package. An emoji is worth its name read through the lexicon ("face with
//! tears of joy" is worth "tears" + "joy"), corrected for common emoji in
//! `engine/data/emoji_overrides.tsv` (this project's ratings).
//!
//! # Limits
//! - The lexicon is English. A record whose `language` is set to something
//!   else is read for emoji and emoticons only (`method: "lexicon-emoji"`),
//!   because English words inside other languages mislead ("die" is German
//!   for "the"); when it has none, its sentiment is `None`. Records without a
//!   language are read as English; run `--detect-language` first to mark the
//!   others.
//! - `None` also when no token carried valence at all ("Released on March
//!   5"): the method cannot read a signal there, so it does not claim
//!   "neutral".
//! - Sarcasm, domain words ("unpredictable" plot vs. steering) and long
//!   argumentative texts are beyond a lexicon: on VADER's own human-rated
//!   corpora the correlation is high for tweets and modest for movie
//!   snippets and editorials (see `runner eval-sentiment` and BENCHMARKS.md).
//!
//! # Speed
//! One pass over the bytes, each token lowercased in a stack buffer and looked
//! up in one hash map; a window of three tokens holds the rule state. No
//! allocation per token or per text.
//!
//! ```
//! let a = engine::SentimentAnalyzer::new();
//! let s = a.analyze("The story is NOT good, but the soundtrack is amazing!!").unwrap();
//! assert_eq!(s.label, engine::sentiment::SentimentLabel::Positive);
//! assert!(a.analyze("Released on March 5").is_none());
//! ```

mod enricher;
mod lexicon;
pub mod providers;
mod rules;
mod scan;
mod table;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::{Comment, Sentiment};

/// `method` of a judgement made with the full English lexicon.
pub const METHOD_EN: &str = "lexicon-en";
/// `method` of a judgement made from emoji and emoticons only (records in
/// another language).
pub const METHOD_SYMBOLS: &str = "lexicon-emoji";

/// The three classes of a compound score.
///
/// ```
/// use engine::sentiment::SentimentLabel;
/// assert_eq!(SentimentLabel::Negative.as_str(), "negative");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SentimentLabel {
    /// Compound ≥ the threshold (0.05 by default).
    Positive,
    /// Compound ≤ −threshold.
    Negative,
    /// In between.
    Neutral,
}

impl SentimentLabel {
    /// The lowercase name written in outputs.
    ///
    /// ```
    /// assert_eq!(engine::sentiment::SentimentLabel::Positive.as_str(), "positive");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "positive",
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
        }
    }
}

/// The result of analyzing one text.
///
/// ```
/// let s = engine::SentimentAnalyzer::new().analyze("I love it").unwrap();
/// assert!(s.compound > 0.5 && s.compound <= 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentScore {
    /// Normalized valence in −1…1, rounded to 4 decimals.
    pub compound: f64,
    /// The class of `compound` under the analyzer's threshold.
    pub label: SentimentLabel,
}

/// The offline analyzer; also the enrich stage's sentiment step.
///
/// Cheap to create and to clone (the lexicon is parsed once per process and
/// shared). As an [`Enricher`](crate::Enricher) it fills `sentiment` on
/// records that have none, spreading a page over rayon's threads when it
/// holds more than [`parallel_above`](Self::parallel_above) records.
///
/// ```
/// use engine::{Comment, Enricher, Kind, SentimentAnalyzer};
/// let mut v = vec![Comment::new("youtube", Kind::Comment, "1", "v", "u")];
/// v[0].text = "This is the worst update ever :(".into();
/// SentimentAnalyzer::new().enrich(&mut v);
/// let s = v[0].sentiment.as_ref().unwrap();
/// assert_eq!((s.label.as_ref(), s.method.as_ref()), ("negative", "lexicon-en"));
/// ```
#[derive(Debug, Clone)]
pub struct SentimentAnalyzer {
    threshold: f64,
    parallel_above: usize,
}

impl Default for SentimentAnalyzer {
    fn default() -> SentimentAnalyzer {
        SentimentAnalyzer {
            threshold: 0.05,
            // Below a few hundred texts (~1 µs each) rayon's hand-off costs
            // more than it saves.
            parallel_above: 256,
        }
    }
}

impl SentimentAnalyzer {
    /// The analyzer with the published thresholds (±0.05).
    ///
    /// ```
    /// let a = engine::SentimentAnalyzer::new();
    /// assert!(a.analyze("good").is_some());
    /// ```
    pub fn new() -> SentimentAnalyzer {
        SentimentAnalyzer::default()
    }

    /// Labels: positive at compound ≥ `t`, negative at ≤ −`t` (default 0.05).
    ///
    /// ```
    /// use engine::sentiment::SentimentLabel;
    /// let a = engine::SentimentAnalyzer::new().threshold(0.9);
    /// assert_eq!(a.analyze("good").unwrap().label, SentimentLabel::Neutral);
    /// ```
    pub fn threshold(mut self, t: f64) -> SentimentAnalyzer {
        self.threshold = t.abs();
        self
    }

    /// Pages with more records than this are analyzed in parallel (rayon).
    ///
    /// ```
    /// let a = engine::SentimentAnalyzer::new().parallel_above(1_000);
    /// # let _ = a;
    /// ```
    pub fn parallel_above(mut self, n: usize) -> SentimentAnalyzer {
        self.parallel_above = n;
        self
    }

    /// Reads `text` as English: words, slang, emoticons and emoji. `None`
    /// when no token carries valence.
    ///
    /// ```
    /// let a = engine::SentimentAnalyzer::new();
    /// let good = a.analyze("good").unwrap().compound;
    /// let not_good = a.analyze("not good").unwrap().compound;
    /// assert!(good > 0.0 && not_good < 0.0);
    /// ```
    pub fn analyze(&self, text: &str) -> Option<SentimentScore> {
        self.run(&[text], false)
    }

    /// Reads only emoji and emoticons (for texts in languages the word
    /// lexicon does not cover). `None` when there are none with valence.
    ///
    /// ```
    /// let a = engine::SentimentAnalyzer::new();
    /// assert!(a.analyze_symbols("Die Grafik ist toll 😍").unwrap().compound > 0.5);
    /// assert!(a.analyze_symbols("Die Grafik ist toll").is_none());
    /// ```
    pub fn analyze_symbols(&self, text: &str) -> Option<SentimentScore> {
        self.run(&[text], true)
    }

    /// The label of a compound score under this analyzer's threshold.
    ///
    /// ```
    /// use engine::sentiment::SentimentLabel;
    /// let a = engine::SentimentAnalyzer::new();
    /// assert_eq!(a.label(0.05), SentimentLabel::Positive);
    /// assert_eq!(a.label(0.0499), SentimentLabel::Neutral);
    /// ```
    pub fn label(&self, compound: f64) -> SentimentLabel {
        if compound >= self.threshold {
            SentimentLabel::Positive
        } else if compound <= -self.threshold {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }

    /// The sentiment of a record: title and text read together, as English
    /// when `language` is unset or English, for emoji and emoticons only
    /// otherwise; `None` when nothing in it carries valence.
    ///
    /// ```
    /// use engine::{Comment, Kind, SentimentAnalyzer};
    /// let mut c = Comment::new("steam", Kind::Review, "1", "440", "u");
    /// c.text = "最高のゲーム！😂".into();
    /// c.language = Some("ja".into());
    /// let s = SentimentAnalyzer::new().sentiment_of(&c).unwrap();
    /// assert_eq!((s.label.as_ref(), s.method.as_ref()), ("positive", "lexicon-emoji"));
    /// ```
    pub fn sentiment_of(&self, c: &Comment) -> Option<Sentiment> {
        let english = c.language.as_deref().is_none_or(is_english);
        let texts: [&str; 2] = [c.title.as_deref().unwrap_or(""), &c.text];
        let score = self.run(&texts, !english)?;
        Some(Sentiment {
            label: Cow::Borrowed(score.label.as_str()),
            score: score.compound,
            method: Cow::Borrowed(if english { METHOD_EN } else { METHOD_SYMBOLS }),
        })
    }

    fn run(&self, texts: &[&str], symbols_only: bool) -> Option<SentimentScore> {
        let lex = &*lexicon::LEX;
        let mut rules = rules::Rules::new(&lex.idioms);
        for t in texts {
            scan::scan_with(lex, t, symbols_only, &mut rules);
        }
        let compound = rules.finish()?;
        Some(SentimentScore {
            compound,
            label: self.label(compound),
        })
    }
}

/// `en`, `en-US`, `en_GB` (any case).
fn is_english(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 2
        && b[..2].eq_ignore_ascii_case(b"en")
        && (b.len() == 2 || b[2] == b'-' || b[2] == b'_')
}
