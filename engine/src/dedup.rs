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

/// The set of records already emitted in this run.
///
/// ```
/// let mut d = engine::Dedup::new();
/// assert!(d.insert("steam", "1"));
/// assert!(!d.insert("steam", "1"));
/// assert_eq!(d.len(), 1);
/// ```
#[derive(Default)]
pub struct Dedup {
    seen: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
}

impl Dedup {
    /// An empty set.
    pub fn new() -> Dedup {
        Dedup::default()
    }

    /// Records `platform`/`id`; true when it was not seen before.
    pub fn insert(&mut self, platform: &str, id: &str) -> bool {
        self.seen.insert(record_key(platform, id))
    }

    /// Records a precomputed key (used when restoring from a checkpoint).
    pub fn insert_key(&mut self, key: u64) -> bool {
        self.seen.insert(key)
    }

    /// True when the key was recorded.
    pub fn contains_key(&self, key: u64) -> bool {
        self.seen.contains(&key)
    }

    /// Removes a key (used when a page is refused after dedup, so a later fetch may emit it).
    pub fn remove_key(&mut self, key: u64) {
        self.seen.remove(&key);
    }

    /// Number of distinct records seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}
