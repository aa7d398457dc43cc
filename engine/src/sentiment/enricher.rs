//! The analyzer as an enrich step: fills `sentiment` on every record that
//! has none, in parallel for large pages.

use rayon::prelude::*;

use super::SentimentAnalyzer;
use crate::{Comment, Enricher};

impl Enricher for SentimentAnalyzer {
    fn name(&self) -> &'static str {
        "sentiment-lexicon"
    }

    /// A sentiment already set (by the platform or an earlier step) is kept.
    fn enrich(&self, records: &mut [Comment]) {
        let one = |r: &mut Comment| {
            if r.sentiment.is_none() {
                r.sentiment = self.sentiment_of(r);
            }
        };
        if records.len() > self.parallel_above {
            // Chunks of 64 keep the per-task overhead far below the work.
            records.par_iter_mut().with_min_len(64).for_each(one);
        } else {
            records.iter_mut().for_each(one);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Sentiment};

    fn rec(i: usize, text: &str) -> Comment {
        let mut c = Comment::new("youtube", Kind::Comment, i.to_string(), "v", "u");
        c.text = text.into();
        c
    }

    #[test]
    fn parallel_and_sequential_agree_and_keep_existing() {
        let texts = [
            "great video!",
            "this is awful",
            "ok",
            "😂😂",
            "Released in 2020",
        ];
        let page: Vec<Comment> = (0..1_000).map(|i| rec(i, texts[i % texts.len()])).collect();
        let mut seq = page.clone();
        let mut par = page;
        par[3].sentiment = Some(Sentiment {
            label: "negative".into(),
            score: -0.5,
            method: "provider".into(),
        });
        seq[3].sentiment = par[3].sentiment.clone();
        SentimentAnalyzer::new()
            .parallel_above(usize::MAX)
            .enrich(&mut seq);
        SentimentAnalyzer::new().parallel_above(10).enrich(&mut par);
        assert_eq!(seq, par);
        assert_eq!(par[3].sentiment.as_ref().unwrap().method, "provider");
        assert_eq!(par[0].sentiment.as_ref().unwrap().label, "positive");
        assert_eq!(par[1].sentiment.as_ref().unwrap().label, "negative");
        assert!(par[4].sentiment.is_none(), "no valence, no claim");
    }

    #[test]
    fn other_languages_read_emoji_only() {
        let mut v = vec![
            rec(0, "Die Story ist super, die Grafik auch"),
            rec(1, "Die Story ist super 👍"),
            rec(2, "The story is super"),
        ];
        v[0].language = Some("de".into());
        v[1].language = Some("de".into());
        v[2].language = Some("en-US".into());
        SentimentAnalyzer::new().enrich(&mut v);
        assert!(v[0].sentiment.is_none());
        let s = v[1].sentiment.as_ref().unwrap();
        assert_eq!(
            (s.label.as_ref(), s.method.as_ref()),
            ("positive", "lexicon-emoji")
        );
        assert_eq!(v[2].sentiment.as_ref().unwrap().method, "lexicon-en");
    }
}
