//! The word table: lowercase keys of up to 24 bytes packed into three `u64`
//! (compared as integers, no pointer to follow), a 128 KB probe array of
//! tagged slots, and in front of it a 16 KB bit filter that turns most
//! misses ("the", "and", "game") away before the table is touched. Unlike
//! `HashMap<&str, _>`, a compare never follows a pointer into the lexicon
//! text, and the key is built from the token eight bytes at a time.

use super::lexicon::Entry;

/// Longest key the table holds (bytes); the longest lexicon word has 19.
pub(crate) const KEY_BYTES: usize = 24;

/// A lowercase ASCII key, zero-padded, with its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Key {
    words: [u64; 3],
    len: u8,
}

impl Key {
    /// Packs lowercase bytes; `None` when longer than [`KEY_BYTES`].
    #[inline]
    pub fn new(lower: &[u8]) -> Option<Key> {
        if lower.len() > KEY_BYTES {
            return None;
        }
        let mut buf = [0u8; KEY_BYTES];
        buf[..lower.len()].copy_from_slice(lower);
        Some(Key::from_buf(&buf, lower.len()))
    }

    /// Packs `buf[..len]`, which must be zero beyond `len`.
    #[inline]
    fn from_buf(buf: &[u8; KEY_BYTES], len: usize) -> Key {
        let w = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(b)
        };
        Key {
            words: [w(0), w(1), w(2)],
            len: len as u8,
        }
    }

    /// A key from lowercase bytes already packed little-endian (zero beyond `len`).
    #[inline]
    pub fn from_words(words: [u64; 3], len: usize) -> Key {
        Key {
            words,
            len: len as u8,
        }
    }

    /// The packed bytes.
    #[inline]
    pub fn words(&self) -> &[u64; 3] {
        &self.words
    }

    #[inline]
    fn hash(&self) -> u64 {
        let [a, b, c] = self.words;
        let h = (a ^ b.rotate_left(23) ^ c.rotate_left(47) ^ u64::from(self.len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 31)
    }
}

const FILTER_BITS: u32 = 17;

/// Open addressing with linear probing over 8-byte slots (32 bits of hash as
/// a tag, 32 bits of index into `items`; 0 = empty), load factor below one
/// half: a probe reads one small slot, and the full key only on a tag match.
pub(crate) struct Table {
    filter: Box<[u64]>,
    slots: Box<[u64]>,
    items: Vec<(Key, Entry)>,
    mask: usize,
}

impl Table {
    /// Builds the table from `(lowercase key, entry)` pairs; keys longer than
    /// [`KEY_BYTES`] are skipped (no token could match them anyway).
    pub fn build<'a>(pairs: impl Iterator<Item = (&'a str, Entry)> + Clone) -> Table {
        let n = pairs.clone().count();
        let cap = (n * 2).next_power_of_two().max(16);
        let mut t = Table {
            filter: vec![0u64; (1usize << FILTER_BITS) / 64].into_boxed_slice(),
            slots: vec![0u64; cap].into_boxed_slice(),
            items: Vec::with_capacity(n),
            mask: cap - 1,
        };
        for (k, e) in pairs {
            let Some(key) = Key::new(k.as_bytes()) else {
                continue;
            };
            if key.len == 0 {
                continue;
            }
            let h = key.hash();
            let bit = (h >> (64 - FILTER_BITS)) as usize;
            t.filter[bit / 64] |= 1 << (bit % 64);
            let tag = u64::from(tag(h)) << 32;
            let mut i = h as usize & t.mask;
            loop {
                let s = t.slots[i];
                if s == 0 {
                    t.slots[i] = tag | t.items.len() as u64;
                    t.items.push((key, e));
                    break;
                }
                let item = &mut t.items[(s & 0xFFFF_FFFF) as usize];
                if item.0 == key {
                    item.1 = e;
                    break;
                }
                i = (i + 1) & t.mask;
            }
        }
        t
    }

    #[inline(always)]
    pub fn get(&self, key: &Key) -> Option<&Entry> {
        if key.len == 0 {
            return None;
        }
        let h = key.hash();
        let bit = (h >> (64 - FILTER_BITS)) as usize;
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        let tag = tag(h);
        let mut i = h as usize & self.mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if (s >> 32) as u32 == tag {
                let (k, e) = &self.items[(s & 0xFFFF_FFFF) as usize];
                if k == key {
                    return Some(e);
                }
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Number of keys held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

/// A non-zero tag from the hash bits the slot index does not use.
#[inline]
fn tag(h: u64) -> u32 {
    ((h >> 32) as u32) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let e = |v: f32| Entry {
            valence: v,
            ..Entry::default()
        };
        let words: Vec<(String, Entry)> =
            (0..5_000).map(|i| (format!("w{i}"), e(i as f32))).collect();
        let t = Table::build(words.iter().map(|(k, e)| (k.as_str(), *e)));
        assert_eq!(t.len(), 5_000);
        for (k, e) in &words {
            assert_eq!(t.get(&Key::new(k.as_bytes()).unwrap()), Some(e));
        }
        for miss in ["w5000", "w", "", "w1\0", "x1"] {
            assert!(
                t.get(&Key::new(miss.as_bytes()).unwrap()).is_none(),
                "{miss:?}"
            );
        }
        assert!(Key::new(&[b'a'; 25]).is_none());
    }
}
