//! Language detection in the enrich stage (whatlang), for platforms that do
//! not say which language a comment is in.

use rayon::prelude::*;

use crate::{Comment, Enricher};

/// Sets `language` on records that have none: ISO 639-1 where the language
/// has such a code, else ISO 639-3, with `extra.language_confidence` and
/// `extra.language_method = "whatlang"`. The platform's own language wins;
/// texts too short to judge, emoji-only texts and detections whatlang itself
/// calls unreliable stay `null` rather than guessed.
///
/// ```
/// use engine::{Comment, Enricher, Kind, LanguageDetector};
/// let mut v = vec![Comment::new("youtube", Kind::Comment, "1", "v", "u")];
/// v[0].text = "Das ist wirklich ein sehr schönes Video, vielen Dank für die Mühe!".into();
/// LanguageDetector::default().enrich(&mut v);
/// assert_eq!(v[0].language.as_deref(), Some("de"));
/// ```
#[derive(Debug, Clone)]
pub struct LanguageDetector {
    /// Fewest letters a text needs before its language is judged.
    pub min_letters: usize,
}

impl Default for LanguageDetector {
    fn default() -> LanguageDetector {
        // Below ~12 letters trigram statistics say little ("ok", "lol", "😂").
        LanguageDetector { min_letters: 12 }
    }
}

impl LanguageDetector {
    /// The language code of `text`, with whatlang's confidence, when reliable.
    ///
    /// ```
    /// let d = engine::LanguageDetector::default();
    /// assert!(d.detect("👍👍👍").is_none());
    /// assert_eq!(d.detect("これはとても面白い動画でした。ありがとうございます。").map(|(c, _)| c), Some("ja"));
    /// ```
    pub fn detect(&self, text: &str) -> Option<(&'static str, f64)> {
        // whatlang's cost grows with the text; the first ~600 bytes say as
        // much about the language as a whole essay does.
        let text = head(text, MAX_BYTES);
        if text.chars().filter(|c| c.is_alphabetic()).count() < self.min_letters {
            return None;
        }
        let info = whatlang::detect(text).filter(|i| i.is_reliable())?;
        let code3 = info.lang().code();
        // Mandarin (`cmn`) has no ISO 639-1 code of its own; `zh` (Chinese) is
        // what platforms and users call it.
        let code = match code3 {
            "cmn" => "zh",
            _ => isolang::Language::from_639_3(code3)
                .and_then(|l| l.to_639_1())
                .unwrap_or(code3),
        };
        Some((code, info.confidence()))
    }
}

/// Detects the language of records that have none when the options filter by
/// language, so the filter (which runs before the enrich stage) can judge them.
pub(crate) fn detect_for_filter(options: &crate::JobOptions, records: &mut [Comment]) {
    if !options.languages.is_empty() {
        LanguageDetector::default().enrich(records);
    }
}

/// Bytes of a text the detector reads.
const MAX_BYTES: usize = 600;

/// The first `max` bytes of `s`, cut at a character boundary.
fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Enricher for LanguageDetector {
    fn name(&self) -> &'static str {
        "whatlang"
    }

    /// Spread over rayon's threads: at tens of µs a text, even a page of a
    /// few dozen records is worth sharing out.
    fn enrich(&self, records: &mut [Comment]) {
        let one = |r: &mut Comment| {
            if r.language.is_some() {
                return;
            }
            if let Some((code, confidence)) = self.detect(&r.text) {
                r.language = Some(code.to_string());
                r.extra.insert(
                    "language_confidence".into(),
                    ((confidence * 1000.0).round() / 1000.0).into(),
                );
                r.extra.insert("language_method".into(), "whatlang".into());
            }
        };
        if records.len() >= 16 {
            records.par_iter_mut().with_min_len(8).for_each(one);
        } else {
            records.iter_mut().for_each(one);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    #[test]
    fn head_cuts_at_a_char_boundary() {
        assert_eq!(head("abc", 10), "abc");
        assert_eq!(head("aé", 2), "a");
        assert_eq!(head(&"é".repeat(400), MAX_BYTES).len(), MAX_BYTES);
        let long = format!(
            "{} {}",
            "Das ist ein sehr schöner Tag heute.".repeat(40),
            "x"
        );
        assert_eq!(
            LanguageDetector::default().detect(&long).map(|(c, _)| c),
            Some("de")
        );
    }

    fn rec(text: &str) -> Comment {
        let mut c = Comment::new("youtube", Kind::Comment, "1", "v", "u");
        c.text = text.into();
        c
    }

    #[test]
    fn detects_keeps_and_abstains() {
        let d = LanguageDetector::default();
        let mut v = vec![
            rec("This is honestly the best explanation of the topic I have ever seen."),
            rec("Спасибо большое за это видео, я наконец понял, как работает эта программа, и теперь у меня всё получается."),
            rec("lol"),
            rec("😂😂😂😂😂😂😂😂😂😂😂😂😂😂"),
            rec("Ce jeu est vraiment magnifique, je le recommande à tout le monde."),
            rec("这个视频真的太好看了，谢谢你的分享，我学到了很多东西！"),
        ];
        v[4].language = Some("fr".into());
        d.enrich(&mut v);
        let langs: Vec<Option<&str>> = v.iter().map(|c| c.language.as_deref()).collect();
        assert_eq!(
            langs,
            [Some("en"), Some("ru"), None, None, Some("fr"), Some("zh")]
        );
        assert_eq!(v[0].extra["language_method"], "whatlang");
        assert!(v[0].extra["language_confidence"].as_f64().unwrap() > 0.0);
        assert!(
            !v[4].extra.contains_key("language_method"),
            "the platform's language wins"
        );
    }
}
