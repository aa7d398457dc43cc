//! The valence data: VADER's word and emoji lexicons (MIT, C.J. Hutto; see
//! `engine/data/LICENSE-VADER.txt`), its modifier lists and this project's
//! emoji corrections, parsed once into one map keyed by the lowercase word.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::table::{Key, Table};

const VADER_LEXICON: &str = include_str!("../../data/vader_lexicon.txt");
const VADER_EMOJI: &str = include_str!("../../data/emoji_utf8_lexicon.txt");
const MODIFIERS: &str = include_str!("../../data/vader_modifiers.tsv");
const EMOJI_OVERRIDES: &str = include_str!("../../data/emoji_overrides.tsv");

/// Longest lowercase token (bytes) worth looking up; every key is shorter.
pub(crate) const MAX_KEY: usize = 32;

/// Booster increment of the published method.
pub(crate) const B_INCR: f64 = 0.293;

/// The token is a valence word (or emoticon) of the lexicon.
pub(crate) const LEXICON: u8 = 1;
/// The token negates what follows ("not", "never", "without").
pub(crate) const NEGATION: u8 = 2;
/// A lexicon entry readable in any language: an emoticon such as `:)` or `<3`.
pub(crate) const SYMBOL: u8 = 4;
/// Some idiom ends with this word.
pub(crate) const IDIOM_END: u8 = 8;

/// Words the rules name, as small ids so the rule window holds no strings.
pub(crate) mod word {
    pub const NONE: u8 = 0;
    pub const NO: u8 = 1;
    pub const BUT: u8 = 2;
    pub const KIND: u8 = 3;
    pub const SORT: u8 = 4;
    pub const OF: u8 = 5;
    pub const JUST: u8 = 6;
    pub const ENOUGH: u8 = 7;
    pub const LEAST: u8 = 8;
    pub const AT: u8 = 9;
    pub const VERY: u8 = 10;
    pub const NEVER: u8 = 11;
    pub const SO: u8 = 12;
    pub const THIS: u8 = 13;
    pub const WITHOUT: u8 = 14;
    pub const DOUBT: u8 = 15;
    pub const OR: u8 = 16;
    pub const NOR: u8 = 17;
    /// Ids from here on are assigned to idiom words while loading.
    pub const FIRST_IDIOM_WORD: u8 = 32;

    pub const NAMED: [(&str, u8); 17] = [
        ("no", NO),
        ("but", BUT),
        ("kind", KIND),
        ("sort", SORT),
        ("of", OF),
        ("just", JUST),
        ("enough", ENOUGH),
        ("least", LEAST),
        ("at", AT),
        ("very", VERY),
        ("never", NEVER),
        ("so", SO),
        ("this", THIS),
        ("without", WITHOUT),
        ("doubt", DOUBT),
        ("or", OR),
        ("nor", NOR),
    ];
}

/// What the lexicon knows about one lowercase token.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Entry {
    /// Valence on the −4…4 scale (0 when not a lexicon word).
    pub valence: f32,
    /// Booster increment (positive) or dampener (negative); 0 for other words.
    pub booster: f32,
    /// `word::*` id, 0 for words no rule names.
    pub word: u8,
    /// `LEXICON | NEGATION | SYMBOL | IDIOM_END`.
    pub flags: u8,
}

/// A phrase whose valence replaces that of its words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Idiom {
    /// Word ids, first to last; unused tail is 0.
    pub words: [u8; 3],
    pub len: u8,
    pub valence: f32,
}

/// The parsed lexicon.
pub(crate) struct Lexicon {
    /// Used while loading; the table below is built from it.
    words: HashMap<&'static str, Entry>,
    table: Table,
    /// `(code point, valence)`, sorted, only emoji with a valence.
    emoji: Vec<(u32, f32)>,
    pub idioms: Vec<Idiom>,
}

/// Parsed on first use (about 2 ms), shared by every analyzer.
pub(crate) static LEX: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

impl Lexicon {
    /// The entry of a packed lowercase token.
    #[inline]
    pub fn get_key(&self, key: &Key) -> Option<&Entry> {
        self.table.get(key)
    }

    /// The entry of a lowercase token.
    #[cfg(test)]
    pub fn get(&self, lower: &str) -> Option<&Entry> {
        self.table.get(&Key::new(lower.as_bytes())?)
    }

    /// The valence of an emoji code point, if it has one.
    #[inline]
    pub fn emoji(&self, c: u32) -> Option<f32> {
        self.emoji
            .binary_search_by_key(&c, |&(k, _)| k)
            .ok()
            .map(|i| self.emoji[i].1)
    }

    /// Number of word entries (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    fn load() -> Lexicon {
        let mut lex = Lexicon {
            words: HashMap::new(),
            table: Table::build(std::iter::empty()),
            emoji: Vec::new(),
            idioms: Vec::new(),
        };
        for line in VADER_LEXICON.lines() {
            let mut cols = line.trim_end_matches('\r').split('\t');
            let (Some(key), Some(v)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Ok(v) = v.parse::<f32>() else { continue };
            // Lookups lowercase the token, so keys with capitals (":D" beside
            // ":d") can never match; multiword keys become idioms below.
            if key.is_empty() || key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() {
                continue;
            }
            if key.contains(' ') {
                lex.add_idiom(key, v);
                continue;
            }
            let e = lex.words.entry(key).or_default();
            e.valence = v;
            e.flags |= LEXICON;
            if is_symbol(key) {
                e.flags |= SYMBOL;
            }
        }
        for (name, id) in word::NAMED {
            lex.words.entry(name).or_default().word = id;
        }
        for line in MODIFIERS.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(kind), Some(phrase)) = (cols.next(), cols.next()) else {
                continue;
            };
            let value = cols.next().and_then(|v| v.parse::<f32>().ok());
            match (kind, value) {
                ("negation", _) => lex.words.entry(phrase).or_default().flags |= NEGATION,
                ("booster", Some(v)) => lex.words.entry(phrase).or_default().booster = v,
                ("idiom", Some(v)) => lex.add_idiom(phrase, v),
                ("word", Some(v)) => {
                    let e = lex.words.entry(phrase).or_default();
                    e.valence = v;
                    e.flags |= LEXICON;
                }
                _ => {}
            }
        }
        lex.table = Table::build(lex.words.iter().map(|(k, e)| (*k, *e)));
        lex.words = HashMap::new();
        lex.load_emoji();
        lex
    }

    fn add_idiom(&mut self, phrase: &'static str, valence: f32) {
        let mut idiom = Idiom {
            words: [0; 3],
            len: 0,
            valence,
        };
        let n = phrase.split(' ').count();
        if !(2..=3).contains(&n) {
            return;
        }
        let mut next_id = self
            .words
            .values()
            .map(|e| e.word)
            .max()
            .unwrap_or(0)
            .max(word::FIRST_IDIOM_WORD - 1);
        for (i, w) in phrase.split(' ').enumerate() {
            let e = self.words.entry(w).or_default();
            if e.word == word::NONE {
                next_id += 1;
                e.word = next_id;
            }
            if i == n - 1 {
                e.flags |= IDIOM_END;
            }
            idiom.words[i] = e.word;
        }
        idiom.len = n as u8;
        self.idioms.push(idiom);
    }

    fn load_emoji(&mut self) {
        let mut map: HashMap<u32, f32> = HashMap::new();
        for line in VADER_EMOJI.lines() {
            let mut cols = line.trim_end_matches('\r').split('\t');
            let (Some(e), Some(name)) = (cols.next(), cols.next()) else {
                continue;
            };
            let mut chars = e.chars();
            // Text is scanned a code point at a time; sequences (skin tones,
            // ZWJ families, flags) are read through their first emoji.
            if let (Some(c), None) = (chars.next(), chars.next()) {
                let v = self.phrase_valence(name);
                if v != 0.0 {
                    map.insert(c as u32, v as f32);
                }
            }
        }
        for line in EMOJI_OVERRIDES.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(e), Some(v)) = (cols.next(), cols.next()) else {
                continue;
            };
            let (Some(c), Ok(v)) = (e.chars().next(), v.parse::<f32>()) else {
                continue;
            };
            map.insert(c as u32, v);
        }
        self.emoji = map.into_iter().filter(|&(_, v)| v != 0.0).collect();
        self.emoji.sort_by_key(|&(c, _)| c);
    }

    /// Valence of an emoji's name read by the rules (unnormalized sum), as if
    /// the name stood in the text: "face with tears of joy" is worth "tears"
    /// plus "joy".
    fn phrase_valence(&self, name: &str) -> f64 {
        let mut rules = super::rules::Rules::new(&self.idioms);
        super::scan::scan_with(self, name, false, &mut rules);
        rules.raw_sum()
    }
}

/// An emoticon: punctuation and at most single letters (`:)`, `<3`, `:-d`,
/// `o_o`), not a word with a hyphen or slash in it (`cover-up`, `j/k` counts
/// as a symbol, which is harmless).
fn is_symbol(key: &str) -> bool {
    let b = key.as_bytes();
    b.iter().any(|c| c.is_ascii_punctuation())
        && !b
            .windows(2)
            .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_data() {
        let lex = &*LEX;
        assert!(lex.len() > 7_400, "{}", lex.len());
        assert_eq!(lex.get("good").map(|e| e.valence), Some(1.9));
        assert_eq!(lex.get("very").map(|e| e.booster), Some(0.293));
        assert_eq!(lex.get("not").map(|e| e.flags & NEGATION), Some(NEGATION));
        assert_eq!(lex.get(":)").map(|e| e.flags & SYMBOL), Some(SYMBOL));
        assert_eq!(lex.get("good").map(|e| e.flags & SYMBOL), Some(0));
        assert!(lex.get(":D").is_none(), "keys are lowercase");
        // "face with tears of joy" reads as "tears" (−0.9) + "joy" (2.8)
        let joy = lex.emoji('😂' as u32).unwrap();
        assert!((joy - 1.9).abs() < 1e-6, "{joy}");
        assert!(lex.emoji('👍' as u32).unwrap() > 0.0);
        assert!(lex.emoji('🎲' as u32).is_none(), "override removes it");
        assert!(lex.emoji('a' as u32).is_none());
        assert!(lex.idioms.len() >= 15);
    }

    #[test]
    fn symbols() {
        for s in [":)", "<3", ":-d", "o_o", ";-)", "</3"] {
            assert!(is_symbol(s), "{s}");
        }
        for s in ["good", "cover-up", "self-confident", "gr8", "lol"] {
            assert!(!is_symbol(s), "{s}");
        }
    }
}
