//! The valence rules of the VADER method (Hutto & Gilbert 2014), written for
//! this project from the paper's description, applied as tokens stream in.
//!
//! Each lexicon token's valence is adjusted by the three tokens before it
//! (boosters and dampeners, negation, "least", ALL CAPS) and held in a window
//! of three pending slots, because a later token can still change it ("no"
//! followed by a lexicon word counts as a negation instead of as itself;
//! "kind of" makes "kind" a dampener; an idiom replaces its words). Slots
//! leaving the window are added to the sum before or after the first "but".
//! ALL-CAPS emphasis only applies when the text mixes cases, which is known
//! only at the end, so each slot carries its valence both ways. Nothing is
//! allocated; memory is constant whatever the length of the text.

use super::lexicon::{word, Entry, Idiom, B_INCR, IDIOM_END, LEXICON, NEGATION};

/// Negation multiplier.
const N_SCALAR: f64 = -0.74;
/// ALL-CAPS increment.
const C_INCR: f64 = 0.733;
/// Weight of what comes before the first "but", and after it.
const BUT_BEFORE: f64 = 0.5;
const BUT_AFTER: f64 = 1.5;
/// Normalization constant: compound = x / sqrt(x² + ALPHA).
const ALPHA: f64 = 15.0;
const NO_BUT: u32 = u32::MAX;

/// One token as the scanner hands it over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub entry: Entry,
    /// All its cased letters are capitals (Python's `str.isupper`).
    pub upper: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    idx: u32,
    word: u8,
    lexicon: bool,
    negation: bool,
    upper: bool,
    booster: f32,
    /// Valence without and with the ALL-CAPS rule.
    val: [f64; 2],
}

/// The rule state of one text.
pub(crate) struct Rules<'a> {
    idioms: &'a [Idiom],
    /// The last four tokens by position (`idx & 3`): three are the look-back
    /// window, the fourth is final and committed when its place is needed.
    ring: [Slot; 4],
    len: u32,
    caps: u32,
    but_at: u32,
    before: [f64; 2],
    after: [f64; 2],
    signal: bool,
    /// `!` seen (the scanner counts them).
    pub exclamations: u32,
    /// `?` seen.
    pub questions: u32,
}

impl<'a> Rules<'a> {
    pub fn new(idioms: &'a [Idiom]) -> Rules<'a> {
        Rules {
            idioms,
            ring: [Slot::default(); 4],
            len: 0,
            caps: 0,
            but_at: NO_BUT,
            before: [0.0; 2],
            after: [0.0; 2],
            signal: false,
            exclamations: 0,
            questions: 0,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, t: Tok) {
        if !t.upper && t.entry.flags == 0 && t.entry.word == 0 && t.entry.booster == 0.0 {
            // Most tokens: a plain word that only takes a place in the window.
            let i = self.len;
            self.len += 1;
            let at = i as usize & 3;
            if i >= 4 {
                let out = self.ring[at];
                self.commit(out);
            }
            self.ring[at] = Slot {
                idx: i,
                ..Slot::default()
            };
        } else {
            self.push_word(t);
        }
    }

    /// A token some rule reads: a lexicon word, modifier, named word or caps.
    #[inline(never)]
    fn push_word(&mut self, t: Tok) {
        let i = self.len;
        self.len += 1;
        let e = t.entry;
        self.caps += t.upper as u32;
        let have = i.min(3) as usize;
        let mut cur = Slot {
            idx: i,
            word: e.word,
            lexicon: e.flags & LEXICON != 0,
            negation: e.flags & NEGATION != 0,
            upper: t.upper,
            booster: e.booster,
            val: [0.0; 2],
        };
        if have >= 1 {
            let p = self.p_mut(1);
            // "kind of", "sort of", "just enough" dampen like "somewhat".
            if (cur.word == word::OF && (p.word == word::KIND || p.word == word::SORT))
                || (cur.word == word::ENOUGH && p.word == word::JUST)
            {
                cur.booster = -B_INCR as f32;
                cur.lexicon = false;
                p.val = [0.0; 2];
                p.lexicon = false;
            }
        }
        if cur.word == word::BUT && self.but_at == NO_BUT {
            self.but_at = i;
        }
        if cur.lexicon && cur.booster == 0.0 {
            self.signal = true;
            if have >= 1 && self.p(1).word == word::NO && self.p(1).lexicon {
                // "no" before a lexicon word negates it rather than counting.
                self.p_mut(1).val = [0.0; 2];
            }
            let base = f64::from(e.valence);
            let w = |k: usize| if k <= have { self.p(k).word } else { 0 };
            let no_before = w(1) == word::NO
                || w(2) == word::NO
                || (w(3) == word::NO && (w(1) == word::OR || w(1) == word::NOR));
            let v = if no_before { base * N_SCALAR } else { base };
            cur.val[0] = self.modify(v, t.upper, have, false);
            let caps_matter =
                t.upper || (1..=have).any(|k| self.p(k).upper && self.p(k).booster != 0.0);
            cur.val[1] = if caps_matter {
                self.modify(v, t.upper, have, true)
            } else {
                cur.val[0]
            };
        }
        if e.flags & IDIOM_END != 0 {
            self.idiom(&mut cur, have);
        }
        let at = i as usize & 3;
        if i >= 4 {
            let out = self.ring[at];
            self.commit(out);
        }
        self.ring[at] = cur;
    }

    /// The token `k` (1…3) places back; only meaningful for `k <= min(len, 3)`.
    #[inline]
    fn p(&self, k: usize) -> &Slot {
        &self.ring[(self.len as usize).wrapping_sub(1 + k) & 3]
    }

    #[inline]
    fn p_mut(&mut self, k: usize) -> &mut Slot {
        &mut self.ring[(self.len as usize).wrapping_sub(1 + k) & 3]
    }

    /// Boosters, negation and "least" from the (up to) three tokens before.
    #[inline]
    fn modify(&self, mut v: f64, upper: bool, have: usize, caps: bool) -> f64 {
        if caps && upper {
            v += if v > 0.0 { C_INCR } else { -C_INCR };
        }
        for k in 1..=have {
            let s = self.p(k);
            // A lexicon word in between shields the current one.
            if s.lexicon {
                continue;
            }
            if s.booster != 0.0 {
                let mut b = f64::from(s.booster);
                if v < 0.0 {
                    b = -b;
                }
                if caps && s.upper {
                    b += if v > 0.0 { C_INCR } else { -C_INCR };
                }
                b *= [1.0, 0.95, 0.9][k - 1];
                v += b;
            }
            v = self.negation(v, k);
        }
        if have >= 1 && self.p(1).word == word::LEAST && !self.p(1).lexicon {
            // "least likeable" flips; "at least", "very least" do not.
            let w2 = if have >= 2 { self.p(2).word } else { 0 };
            if w2 != word::AT && w2 != word::VERY {
                v *= N_SCALAR;
            }
        }
        v
    }

    /// Negation by the token `k` back ("not good", "isn't really good"),
    /// except emphasis ("never so …", "… this sore") and "without doubt".
    #[inline]
    fn negation(&self, v: f64, k: usize) -> f64 {
        let (p1, p2, p3) = (self.p(1), self.p(2), self.p(3));
        let so_this = |w: u8| w == word::SO || w == word::THIS;
        match k {
            1 if p1.negation => v * N_SCALAR,
            2 if p2.word == word::NEVER && so_this(p1.word) => v * 1.25,
            2 if p2.word == word::WITHOUT && p1.word == word::DOUBT => v,
            2 if p2.negation => v * N_SCALAR,
            // "so"/"this" right before the word make the phrase emphatic, and
            // a negation three back does not flip it: "haven't been this
            // sore", "never been so happy" (as the reference implementation).
            3 if (p3.word == word::NEVER && so_this(p2.word)) || so_this(p1.word) => v * 1.25,
            3 if p3.word == word::WITHOUT && (p2.word == word::DOUBT || p1.word == word::DOUBT) => {
                v
            }
            3 if p3.negation => v * N_SCALAR,
            _ => v,
        }
    }

    /// An idiom ending at `cur` replaces the valence of its words.
    fn idiom(&mut self, cur: &mut Slot, have: usize) {
        for idiom in self.idioms {
            let n = idiom.len as usize;
            if n == 0 || idiom.words[n - 1] != cur.word || n - 1 > have {
                continue;
            }
            if (1..n).all(|k| idiom.words[n - 1 - k] == self.p(k).word) {
                let v = f64::from(idiom.valence);
                cur.val = [v; 2];
                for k in 1..n {
                    self.p_mut(k).val = [0.0; 2];
                }
                self.signal |= v != 0.0;
                return;
            }
        }
    }

    #[inline]
    fn commit(&mut self, s: Slot) {
        let sum = if self.but_at != NO_BUT && s.idx > self.but_at {
            &mut self.after
        } else {
            &mut self.before
        };
        sum[0] += s.val[0];
        sum[1] += s.val[1];
    }

    /// The summed valence (before punctuation and normalization); flushes
    /// the window, so it is called once, at the end.
    pub fn raw_sum(&mut self) -> f64 {
        for k in 0..self.len.min(4) as usize {
            let s = self.ring[k];
            self.commit(s);
        }
        self.ring = [Slot::default(); 4];
        let c = (self.caps > 0 && self.caps < self.len) as usize;
        if self.but_at != NO_BUT {
            BUT_BEFORE * self.before[c] + BUT_AFTER * self.after[c]
        } else {
            self.before[c]
        }
    }

    /// The compound score in −1…1, or `None` when no token carried valence.
    pub fn finish(mut self) -> Option<f64> {
        let mut sum = self.raw_sum();
        if !self.signal {
            return None;
        }
        let amp = 0.292 * f64::from(self.exclamations.min(4))
            + match self.questions {
                0 | 1 => 0.0,
                q @ 2..=3 => 0.18 * f64::from(q),
                _ => 0.96,
            };
        if sum > 0.0 {
            sum += amp;
        } else if sum < 0.0 {
            sum -= amp;
        }
        let compound = (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0);
        Some((compound * 10_000.0).round() / 10_000.0)
    }
}
