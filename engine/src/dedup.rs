//! Dedup by platform + id within a run: 8 bytes per record seen, nothing more.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// The 64-bit key of a record: xxh3 of `platform \0 id`.
///
/// Keeping only the hash (not the id string) is what holds memory flat: a
/// million records cost ~16 MB. The chance that two different ids collide in
/// a run of n records is about n²/2⁶⁵ (3·10⁻⁸ at a million).
///
/// ```
/// assert_ne!(engine::dedup::record_key("steam", "1"), engine::dedup::record_key("steam", "2"));
/// assert_ne!(engine::dedup::record_key("steam", "1"), engine::dedup::record_key("reddit", "1"));
/// ```
pub fn record_key(platform: &str, id: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(platform.as_bytes());
    h.update(&[0]);
    h.update(id.as_bytes());
    h.digest()
}

/// Keys are already well-mixed hashes; hashing them again would waste time.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Keys in the recent set before it is merged into the sorted run (at least;
/// the threshold grows to 1/8 of the run so merges stay amortized O(1) per key).
const MIN_RECENT: usize = 1 << 14;

/// The set of records already emitted in this run.
///
/// Memory is what dedup needs and no more: keys live in one sorted
/// `Vec<u64>` (8 bytes each, grown in place) plus a small hash set of recent
/// keys that is merged into it now and then. A plain hash set would cost
/// about 19 bytes a key and double its table while growing.
///
/// ```
/// let mut d = engine::Dedup::new();
/// assert!(d.insert("steam", "1"));
/// assert!(!d.insert("steam", "1"));
/// assert_eq!(d.len(), 1);
/// ```
#[derive(Default)]
pub struct Dedup {
    recent: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    sorted: Vec<u64>,
}

impl Dedup {
    /// An empty set.
    pub fn new() -> Dedup {
        Dedup::default()
    }

    /// Records `platform`/`id`; true when it was not seen before.
    pub fn insert(&mut self, platform: &str, id: &str) -> bool {
        self.insert_key(record_key(platform, id))
    }

    /// True when the key was recorded.
    pub fn contains_key(&self, key: u64) -> bool {
        self.recent.contains(&key) || self.sorted.binary_search(&key).is_ok()
    }

    /// Records a precomputed key; true when it was not seen before.
    pub fn insert_key(&mut self, key: u64) -> bool {
        if self.contains_key(key) {
            return false;
        }
        self.recent.insert(key);
        if self.recent.len() >= (self.sorted.len() / 8).max(MIN_RECENT) {
            self.compact();
        }
        true
    }

    /// Number of distinct records seen.
    pub fn len(&self) -> usize {
        self.recent.len() + self.sorted.len()
    }

    /// True when nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges the recent keys into the sorted run, in place from the back.
    fn compact(&mut self) {
        let mut fresh: Vec<u64> = self.recent.drain().collect();
        fresh.sort_unstable();
        let old = self.sorted.len();
        self.sorted.reserve_exact(fresh.len());
        self.sorted.resize(old + fresh.len(), 0);
        let (mut i, mut j) = (old, fresh.len());
        let mut k = old + fresh.len();
        while j > 0 {
            k -= 1;
            if i > 0 && self.sorted[i - 1] > fresh[j - 1] {
                self.sorted[k] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k] = fresh[j - 1];
                j -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Each case runs up to 60,000 operations, enough to cross several merges.
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn behaves_like_a_set(ops in proptest::collection::vec((0u64..20_000, any::<bool>()), 0..60_000)) {
            let mut d = Dedup::new();
            let mut model = std::collections::HashSet::new();
            for (k, insert) in ops {
                if insert {
                    prop_assert_eq!(d.insert_key(k), model.insert(k));
                }
                prop_assert_eq!(d.contains_key(k), model.contains(&k));
            }
            prop_assert_eq!(d.len(), model.len());
        }
    }

    #[test]
    fn many_keys_stay_exact() {
        let mut d = Dedup::new();
        for k in 0..200_000u64 {
            assert!(d.insert_key(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
        for k in 0..200_000u64 {
            assert!(d.contains_key(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            assert!(!d.insert_key(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        }
        assert!(!d.contains_key(1));
        assert_eq!(d.len(), 200_000);
        assert!(d.sorted.windows(2).all(|w| w[0] < w[1]));
    }
}
