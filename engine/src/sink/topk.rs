//! Most frequent keys of a stream in bounded memory (the Space-Saving
//! algorithm of Metwally, Agrawal and El Abbadi, 2005).

use std::collections::{BTreeSet, HashMap};

use xxhash_rust::xxh3::Xxh3Builder;

/// Counts keys exactly while at most `capacity` distinct keys have been seen;
/// past that, a new key takes the slot of the least counted one and inherits
/// its count as possible over-count (`error`). Every key whose true count
/// exceeds total / capacity is then guaranteed to be present, and each
/// reported count is at most `error` above the truth.
///
/// ```
/// use engine::sink::TopK;
/// let mut t = TopK::new(2);
/// for k in ["a", "b", "a", "c", "a"] { t.add(k, k); }
/// let top = t.top(1);
/// assert_eq!((top[0].name.as_str(), top[0].count), ("a", 3));
/// assert!(t.is_approximate());
/// ```
#[derive(Debug, Clone)]
pub struct TopK {
    capacity: usize,
    index: HashMap<Box<str>, u32, Xxh3Builder>,
    slots: Vec<Slot>,
    /// (count, slot) of every slot, smallest count first.
    order: BTreeSet<(u64, u32)>,
    evictions: u64,
}

#[derive(Debug, Clone)]
struct Slot {
    key: Box<str>,
    name: Box<str>,
    count: u64,
    error: u64,
}

/// One entry of [`TopK::top`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The display name stored with the key (the first one seen).
    pub name: String,
    /// The key as given to [`TopK::add`].
    pub key: String,
    /// Counted occurrences (exact unless [`TopK::is_approximate`]).
    pub count: u64,
    /// How much `count` may exceed the true count (0 when exact).
    pub error: u64,
}

impl TopK {
    /// Tracks at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> TopK {
        TopK {
            capacity: capacity.max(1),
            index: HashMap::with_hasher(Xxh3Builder::new()),
            slots: Vec::new(),
            order: BTreeSet::new(),
            evictions: 0,
        }
    }

    /// Counts one occurrence of `key` (shown as `name`).
    pub fn add(&mut self, key: &str, name: &str) {
        let full = self.slots.len() == self.capacity;
        if let Some(&slot) = self.index.get(key) {
            let s = &mut self.slots[slot as usize];
            // The order is only needed once evictions can happen.
            if full {
                self.order.remove(&(s.count, slot));
                self.order.insert((s.count + 1, slot));
            }
            s.count += 1;
            return;
        }
        if !full {
            let slot = self.slots.len() as u32;
            self.slots.push(Slot {
                key: key.into(),
                name: name.into(),
                count: 1,
                error: 0,
            });
            self.index.insert(key.into(), slot);
            if self.slots.len() == self.capacity {
                self.order = self
                    .slots
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.count, i as u32))
                    .collect();
            }
            return;
        }
        let Some((min, slot)) = self.order.pop_first() else {
            return;
        };
        self.evictions += 1;
        let s = &mut self.slots[slot as usize];
        self.index.remove(&s.key);
        s.key = key.into();
        s.name = name.into();
        s.count = min + 1;
        s.error = min;
        self.index.insert(key.into(), slot);
        self.order.insert((min + 1, slot));
    }

    /// True once a key has been evicted: counts may then be over-estimates.
    pub fn is_approximate(&self) -> bool {
        self.evictions > 0
    }

    /// The `n` keys counted most, most first (ties by name).
    pub fn top(&self, n: usize) -> Vec<Ranked> {
        let mut v: Vec<&Slot> = self.slots.iter().collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        v.into_iter()
            .take(n)
            .map(|s| Ranked {
                name: s.name.to_string(),
                key: s.key.to_string(),
                count: s.count,
                error: s.error,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_below_capacity() {
        let mut t = TopK::new(10);
        for (k, n) in [("x", 5), ("y", 2), ("z", 7)] {
            for _ in 0..n {
                t.add(k, k);
            }
        }
        assert!(!t.is_approximate());
        let top: Vec<_> = t.top(2).into_iter().map(|r| (r.key, r.count)).collect();
        assert_eq!(top, [("z".to_string(), 7), ("x".to_string(), 5)]);
    }

    #[test]
    fn heavy_hitters_survive_a_long_tail() {
        let mut t = TopK::new(50);
        for i in 0..20_000u32 {
            // "heavy" is 10 % of the stream; the rest are all distinct.
            if i % 10 == 0 {
                t.add("heavy", "heavy");
            } else {
                let k = format!("k{i}");
                t.add(&k, &k);
            }
        }
        let top = t.top(1);
        assert_eq!(top[0].key, "heavy");
        assert!(top[0].count >= 2_000 && top[0].count - top[0].error <= 2_000);
        assert!(t.slots.len() <= 50 && t.index.len() <= 50);
    }
}
