//! The one pass over a text: splits it into tokens (whitespace-separated,
//! emoji on their own; ASCII runs eight bytes at a time), strips edge
//! punctuation the way the published method does, lowercases each token into
//! a packed key on the stack (no allocation), looks it up and hands it to the
//! rules. Also counts `!` and `?`.

use super::lexicon::{Entry, Lexicon, LEXICON, MAX_KEY, NEGATION, SYMBOL};
use super::rules::{Rules, Tok};
use super::table::{Key, KEY_BYTES};

/// Longest emoticon worth looking up in emoji-only mode (`@}-;-'---` has 9).
const MAX_SYMBOL: usize = 12;

/// Byte classes, one table load per byte in the hot loop.
const SPACE: u8 = 1;
const UPPER: u8 = 2;
const LOWER: u8 = 4;
/// A byte of a multi-byte character.
const HIGH: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if c >= 0x80 {
            HIGH
        } else if is_ascii_space(b) {
            SPACE
        } else if b.is_ascii_uppercase() {
            UPPER
        } else if b.is_ascii_lowercase() {
            LOWER
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Scans `text` into `rules`. With `symbols_only`, words are read as plain
/// tokens (no valence, no modifier): only emoji and emoticons count.
pub(crate) fn scan_with(lex: &Lexicon, text: &str, symbols_only: bool, rules: &mut Rules) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    // `!` and `?` counts stay in registers until the end.
    let (mut bangs, mut questions) = (0u32, 0u32);
    while i < n {
        let cls = CLASS[b[i] as usize];
        if cls & SPACE != 0 {
            i += 1;
            continue;
        }
        if cls & HIGH != 0 {
            let (cp, len) = decode(b, i);
            if is_unicode_space(cp) {
                i += len;
                continue;
            }
            if let Some(v) = emoji(lex, cp) {
                rules.push(Tok {
                    entry: Entry {
                        valence: v,
                        booster: 0.0,
                        word: 0,
                        flags: LEXICON | SYMBOL,
                    },
                    upper: false,
                });
                i += len;
                continue;
            }
        }
        // A token runs to the next space or emoji.
        let start = i;
        let mut seen = 0u8;
        while i < n {
            if i + 8 <= n {
                // Eight bytes at a time up to the first space, control or
                // non-ASCII byte.
                let (k, cls) = ascii_run(load8(b, i), &mut bangs, &mut questions);
                seen |= cls;
                i += k;
                if k == 8 {
                    continue;
                }
            }
            let c = b[i];
            let cls = CLASS[c as usize];
            if cls & (SPACE | HIGH) == 0 {
                seen |= cls;
                bangs += u32::from(c == b'!');
                questions += u32::from(c == b'?');
                i += 1;
                continue;
            }
            if cls & SPACE != 0 {
                break;
            }
            // CJK and Hangul (lead bytes E4…ED, and E3 past its punctuation
            // block): no space, no emoji with a valence, no case.
            if matches!(c, 0xE4..=0xE9 | 0xEB..=0xED) || (c == 0xE3 && b[i + 1] >= 0x81) {
                seen |= HIGH;
                i += 3;
                continue;
            }
            let (cp, len) = decode(b, i);
            if is_unicode_space(cp) || emoji(lex, cp).is_some() {
                break;
            }
            seen |= HIGH;
            match cp {
                0xFF01 => bangs += 1,     // fullwidth ！
                0xFF1F => questions += 1, // fullwidth ？
                _ => seen |= case_of(cp),
            }
            i += len;
        }
        let ascii = seen & HIGH == 0;
        let entry = if !symbols_only {
            token_entry(lex, b, start, i, ascii)
        } else if ascii && i - start <= MAX_SYMBOL {
            Some(token_entry(lex, b, start, i, ascii))
                .filter(|e| e.flags & SYMBOL != 0)
                .unwrap_or_default()
        } else {
            // Emoticons are short and ASCII: nothing else to look up.
            Entry::default()
        };
        rules.push(Tok {
            entry,
            upper: seen & UPPER != 0 && seen & LOWER == 0,
        });
    }
    rules.exclamations += bangs;
    rules.questions += questions;
}

#[inline]
fn load8(b: &[u8], i: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(x)
}

/// 0x80 in each byte of `v` that is zero, exactly.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    !(((v & !HIGHS) + !HIGHS) | v | !HIGHS)
}

/// 0x80 in each byte of the ASCII word `x` within `lo..=hi`.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least = x + (0x80 - u64::from(lo)) * ONES;
    let beyond = x + (0x80 - u64::from(hi) - 1) * ONES;
    at_least & !beyond & HIGHS
}

/// How many of the eight bytes of `x` are printable ASCII before the first
/// other byte, with their case classes; counts their `!` and `?`.
#[inline]
fn ascii_run(x: u64, bangs: &mut u32, questions: &mut u32) -> (usize, u8) {
    // Lowest flagged byte is the first one below 0x21 or above 0x7F (bits
    // above it may be spurious borrows, and are not used).
    let special = (x.wrapping_sub(0x21 * ONES) & !x & HIGHS) | (x & HIGHS);
    let k = (special.trailing_zeros() / 8) as usize;
    let x = if k >= 8 {
        x
    } else {
        x & ((1u64 << (k * 8)) - 1)
    };
    let mut cls = 0;
    if in_range(x, b'A', b'Z') != 0 {
        cls |= UPPER;
    }
    if in_range(x, b'a', b'z') != 0 {
        cls |= LOWER;
    }
    let (b, q) = (zero_bytes(x ^ (0x21 * ONES)), zero_bytes(x ^ (0x3F * ONES)));
    if b | q != 0 {
        *bangs += b.count_ones();
        *questions += q.count_ones();
    }
    (k.min(8), cls)
}

/// Python's `str.split()` separators in ASCII (with the information separators).
#[inline]
const fn is_ascii_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

#[inline]
fn is_unicode_space(cp: u32) -> bool {
    matches!(
        cp,
        0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000
    )
}

/// `UPPER`, `LOWER` or 0 for a non-ASCII code point: Latin-1, Greek and
/// Cyrillic by range (most cased text), the other cased scripts through the
/// Unicode tables; CJK, Arabic, Hebrew, Indic and the rest have no case.
#[inline]
fn case_of(cp: u32) -> u8 {
    match cp {
        0xC0..=0xD6 | 0xD8..=0xDE | 0x391..=0x3A9 | 0x400..=0x42F => UPPER,
        0xDF..=0xF6 | 0xF8..=0xFF | 0x3AC..=0x3CE | 0x430..=0x45F => LOWER,
        0x100..=0x58F
        | 0x10A0..=0x10FF
        | 0x1E00..=0x1FFF
        | 0x2C00..=0x2D2F
        | 0xA640..=0xA7FF
        | 0xFF21..=0xFF5A => match char::from_u32(cp) {
            Some(c) if c.is_uppercase() => UPPER,
            Some(c) if c.is_lowercase() => LOWER,
            _ => 0,
        },
        _ => 0,
    }
}

/// The valence of `cp` when it is an emoji with one. Every valued emoji lies in
/// U+2300…U+2BFF or above U+1F000, so most text never reaches the search.
#[inline]
fn emoji(lex: &Lexicon, cp: u32) -> Option<f32> {
    if (0x2300..0x2C00).contains(&cp) || cp >= 0x1F000 {
        lex.emoji(cp)
    } else {
        None
    }
}

/// Decodes the code point starting at `b[i]` (a lead byte of valid UTF-8).
#[inline]
fn decode(b: &[u8], i: usize) -> (u32, usize) {
    let c0 = b[i] as u32;
    let cont = |k: usize| (b[i + k] as u32) & 0x3F;
    if c0 < 0xE0 {
        (((c0 & 0x1F) << 6) | cont(1), 2)
    } else if c0 < 0xF0 {
        (((c0 & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((c0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    }
}

/// Length of the edge punctuation at the start of `t` (0 when none).
#[inline]
fn punct_prefix(t: &[u8]) -> usize {
    match t {
        [c, ..] if c.is_ascii_punctuation() => 1,
        // “ ” ‘ ’ „ …
        [0xE2, 0x80, 0x9C | 0x9D | 0x98 | 0x99 | 0x9E | 0xA6, ..] => 3,
        // « »
        [0xC2, 0xAB | 0xBB, ..] => 2,
        _ => 0,
    }
}

#[inline]
fn punct_suffix(t: &[u8]) -> usize {
    match t {
        [.., c] if c.is_ascii_punctuation() => 1,
        [.., 0xE2, 0x80, 0x9C | 0x9D | 0x98 | 0x99 | 0x9E | 0xA6] => 3,
        [.., 0xC2, 0xAB | 0xBB] => 2,
        _ => 0,
    }
}

/// A byte range of a token.
type Span = (usize, usize);

/// Strips edge punctuation; like the published method, a token that would
/// keep two characters or fewer is kept whole (it is likely an emoticon).
/// Returns (kept span, stripped span when it may be read loosely), relative
/// to `t`.
#[inline]
fn strip(t: &[u8], ascii: bool) -> (Span, Option<Span>) {
    if t.first().is_some_and(u8::is_ascii_alphanumeric)
        && t.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        // Most words: nothing to strip.
        return ((0, t.len()), None);
    }
    let (mut s, mut e) = (0, t.len());
    loop {
        let k = punct_prefix(&t[s..e]);
        if k == 0 {
            break;
        }
        s += k;
    }
    loop {
        let k = punct_suffix(&t[s..e]);
        if k == 0 {
            break;
        }
        e -= k;
    }
    if e - s == t.len() {
        return ((0, t.len()), None);
    }
    let chars = if ascii {
        e - s
    } else {
        t[s..e].iter().filter(|&&c| (c & 0xC0) != 0x80).count()
    };
    if chars <= 2 {
        // Only a two-letter word with trailing punctuation is read loosely
        // ("ok!", "no."): a lone letter ("L.") or an entity ("&gt;") is not.
        let loose = chars == 2 && s == 0 && t[s..e].iter().all(u8::is_ascii_alphabetic);
        ((0, t.len()), loose.then_some((s, e)))
    } else {
        ((s, e), None)
    }
}

/// Lowercases `t` into `buf` (the curly apostrophe becomes `'`); `None` when
/// it is too long or holds other non-ASCII text (no key does).
#[inline]
fn lower_into<'b>(t: &[u8], buf: &'b mut [u8; MAX_KEY]) -> Option<&'b [u8]> {
    let mut n = 0;
    let mut i = 0;
    while i < t.len() {
        if n == MAX_KEY {
            return None;
        }
        let c = t[i];
        if c < 0x80 {
            buf[n] = c.to_ascii_lowercase();
            i += 1;
        } else if t[i..].starts_with(&[0xE2, 0x80, 0x99]) {
            buf[n] = b'\'';
            i += 3;
        } else {
            return None;
        }
        n += 1;
    }
    Some(&buf[..n])
}

/// Whether a lowercased token holds "n't" (any such word negates).
#[inline]
fn has_nt(lower: &[u8]) -> bool {
    lower.len() >= 3 && lower.windows(3).any(|w| w == b"n't")
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Lowercases eight ASCII bytes at once.
#[inline]
fn lower8(x: u64) -> u64 {
    x | (in_range(x, b'A', b'Z') >> 2)
}

/// Whether any byte of `w` is `c`.
#[inline]
fn has_byte(w: u64, c: u8) -> bool {
    let v = w ^ (u64::from(c) * ONES);
    v.wrapping_sub(ONES) & !v & HIGHS != 0
}

/// The lowercase key of the ASCII bytes `b[s..e]`, read eight at a time
/// straight from the text (no byte-by-byte copy).
#[inline]
fn ascii_key(b: &[u8], s: usize, e: usize) -> Option<Key> {
    let len = e - s;
    if len == 0 || len > KEY_BYTES {
        return None;
    }
    let mut words = [0u64; 3];
    let mut off = s;
    for w in &mut words {
        if off >= e {
            break;
        }
        let rem = e - off;
        let raw = if off + 8 <= b.len() {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[off..off + 8]);
            u64::from_le_bytes(x)
        } else {
            // The end of the text: gather in a register.
            b[off..]
                .iter()
                .rev()
                .fold(0u64, |acc, &c| (acc << 8) | u64::from(c))
        };
        let mask = if rem >= 8 {
            u64::MAX
        } else {
            (1u64 << (rem * 8)) - 1
        };
        *w = lower8(raw & mask);
        off += 8;
    }
    Some(Key::from_words(words, len))
}

/// The entry of `b[s..e]` (an ASCII token), with "n't" words as negations.
#[inline]
fn ascii_lookup(lex: &Lexicon, b: &[u8], s: usize, e: usize) -> Option<Entry> {
    let key = ascii_key(b, s, e)?;
    let mut entry = lex.get_key(&key).copied().unwrap_or_default();
    if entry.flags & NEGATION == 0 && key.words().iter().any(|&w| has_byte(w, b'\'')) {
        let mut buf = [0u8; KEY_BYTES];
        for (i, w) in key.words().iter().enumerate() {
            buf[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        if has_nt(&buf[..e - s]) {
            entry.flags |= NEGATION;
        }
    }
    Some(entry)
}

/// The entry of a token with non-ASCII bytes (only the curly apostrophe
/// can be part of a key).
fn wide_lookup(lex: &Lexicon, t: &[u8]) -> Option<Entry> {
    let mut wide = [0u8; MAX_KEY];
    let lower = lower_into(t, &mut wide)?;
    let mut entry = lex.get_key(&Key::new(lower)?).copied().unwrap_or_default();
    if entry.flags & NEGATION == 0 && has_nt(lower) {
        entry.flags |= NEGATION;
    }
    Some(entry)
}

/// The entry of the token `b[start..end]`.
#[inline(always)]
fn token_entry(lex: &Lexicon, b: &[u8], start: usize, end: usize, ascii: bool) -> Entry {
    let t = &b[start..end];
    let ((ks, ke), loose) = strip(t, ascii);
    let found = if ascii {
        ascii_lookup(lex, b, start + ks, start + ke)
    } else {
        wide_lookup(lex, &t[ks..ke])
    };
    let e = found.unwrap_or_else(|| long_token_entry(&t[ks..ke]));
    if e != Entry::default() {
        return e;
    }
    // "ok!", "no." : the published method keeps these whole and so misses
    // them; the stripped word is what the writer meant.
    loose
        .and_then(|(s, e)| ascii_lookup(lex, b, start + s, start + e))
        .unwrap_or_default()
}

/// Tokens no key can match (too long, non-ASCII): only "n't" matters.
fn long_token_entry(token: &[u8]) -> Entry {
    let nt = token.windows(3).any(|w| {
        w[0].eq_ignore_ascii_case(&b'n') && w[1] == b'\'' && w[2].eq_ignore_ascii_case(&b't')
    });
    Entry {
        flags: if nt { NEGATION } else { 0 },
        ..Entry::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_like_the_method() {
        let strip = |t: &str| strip(t.as_bytes(), t.is_ascii());
        assert_eq!(strip("good!!"), ((0, 4), None));
        assert_eq!(strip(":)"), ((0, 2), None));
        assert_eq!(strip("ok!"), ((0, 3), Some((0, 2))));
        assert_eq!(strip("(:"), ((0, 2), None));
        assert_eq!(strip("L."), ((0, 2), None), "a lone letter is not a word");
        assert_eq!(strip("&gt;"), ((0, 4), None));
        assert_eq!(strip("“great”"), ((3, 8), None), "curly quotes too");
    }

    #[test]
    fn packs_keys_from_the_text() {
        let lex = &*super::super::lexicon::LEX;
        let text = b"xx GOOD!! nOt";
        assert_eq!(ascii_key(text, 3, 7), Key::new(b"good"));
        assert_eq!(ascii_key(text, 10, 13), Key::new(b"not"), "at the very end");
        assert!(ascii_key(text, 3, 3).is_none());
        assert_eq!(
            lower8(u64::from_le_bytes(*b"AbZ@[az`")),
            u64::from_le_bytes(*b"abz@[az`")
        );
        assert!(has_byte(u64::from_le_bytes(*b"don't\0\0\0"), b'\''));
        assert!(!has_byte(u64::from_le_bytes(*b"dont\0\0\0\0"), b'\''));
        let e = ascii_lookup(lex, b"DIDN'T", 0, 6).unwrap();
        assert_eq!(e.flags & NEGATION, NEGATION, "any n't word negates");
    }

    #[test]
    fn lowercases_without_allocating() {
        let mut buf = [0u8; MAX_KEY];
        assert_eq!(lower_into(b"GoOd", &mut buf), Some(&b"good"[..]));
        assert_eq!(
            lower_into("DON’T".as_bytes(), &mut buf),
            Some(&b"don't"[..])
        );
        assert_eq!(lower_into("café".as_bytes(), &mut buf), None);
        assert_eq!(lower_into(&[b'a'; 40], &mut buf), None);
    }

    #[test]
    fn decodes() {
        for s in ["é", "€", "😂", "a"] {
            if s.len() > 1 {
                assert_eq!(
                    decode(s.as_bytes(), 0),
                    (s.chars().next().unwrap() as u32, s.len())
                );
            }
        }
    }
}
