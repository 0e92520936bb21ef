//! A hash table of records in stable slots: the large encoding of hashes, sets and sorted
//! sets (Redis's `dict` in their `hashtable`/`skiplist` encodings).
//!
//! ```text
//!  index: HashTable<u32> ──► slots: [Some(rec), None, Some(rec), ...]   free: [1]
//!         (slot numbers, hashed by each record's key; the key is stored once, in its record)
//! ```
//!
//! - A record keeps its slot for as long as it lives: SCAN-style cursors are slot numbers, so
//!   a record present for a whole scan is visited exactly once, and a sorted set's order index
//!   names members by slot. A removed record's slot goes on the free list and is reused by a
//!   later insert.
//! - Four bytes of index per record (plus hashbrown's control byte), instead of a second copy
//!   of the key: the keyspace's `SlabMap` is built the same way (with chunked slots, which its
//!   snapshots need).
//! - Invariants: the index holds exactly the live slots, each once, hashed by its record's
//!   key; no two live records have the same key; `free` holds exactly the dead slots.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// What a slot holds: a record that carries its own key.
pub trait Record {
    fn key(&self) -> &[u8];
}

/// A set member is its own key.
impl Record for Box<[u8]> {
    fn key(&self) -> &[u8] {
        self
    }
}

#[derive(Debug, Clone)]
pub struct SlotTable<R> {
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    slots: Vec<Option<R>>,
    free: Vec<u32>,
}

impl<R> Default for SlotTable<R> {
    fn default() -> Self {
        SlotTable {
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

/// Live records in slot order.
pub type Iter<'a, R> = std::iter::Flatten<std::slice::Iter<'a, Option<R>>>;

impl<R: Record> SlotTable<R> {
    pub fn with_capacity(n: usize) -> Self {
        SlotTable {
            index: HashTable::with_capacity(n),
            hasher: DefaultHashBuilder::default(),
            slots: Vec::with_capacity(n),
            free: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The number of slots, live or dead: cursors and slot numbers are below it.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The slot holding `key`.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let slots = &self.slots;
        let hash = self.hasher.hash_one(key);
        self.index
            .find(hash, |&i| {
                slots[i as usize].as_ref().is_some_and(|r| r.key() == key)
            })
            .map(|&i| i as usize)
    }

    pub fn get(&self, key: &[u8]) -> Option<&R> {
        self.slot(self.find(key)?)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut R> {
        let i = self.find(key)?;
        self.slots[i].as_mut()
    }

    /// The record in slot `i`, if it is live.
    pub fn slot(&self, i: usize) -> Option<&R> {
        self.slots.get(i)?.as_ref()
    }

    pub fn slot_mut(&mut self, i: usize) -> Option<&mut R> {
        self.slots.get_mut(i)?.as_mut()
    }

    /// Stores `rec`: in place of the record with the same key (returned, with its slot), or
    /// in a free or new slot.
    pub fn insert(&mut self, rec: R) -> (usize, Option<R>) {
        if let Some(i) = self.find(rec.key()) {
            return (i, self.slots[i].replace(rec));
        }
        (self.insert_new(rec), None)
    }

    /// Stores `rec`, whose key the caller knows is absent; its slot.
    pub fn insert_new(&mut self, rec: R) -> usize {
        debug_assert!(self.find(rec.key()).is_none());
        let hash = self.hasher.hash_one(rec.key());
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(rec);
                i
            }
            None => {
                self.slots.push(Some(rec));
                (self.slots.len() - 1) as u32
            }
        };
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.insert_unique(hash, slot, |&i| {
            let r = slots[i as usize].as_ref().expect("indexed slot is live");
            hasher.hash_one(r.key())
        });
        slot as usize
    }

    /// Removes the record with `key`: it and the slot it had.
    pub fn remove(&mut self, key: &[u8]) -> Option<(usize, R)> {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&i| {
                slots[i as usize].as_ref().is_some_and(|r| r.key() == key)
            })
            .ok()?;
        let (i, _) = entry.remove();
        let rec = self.slots[i as usize].take().expect("indexed slot is live");
        self.free.push(i);
        if self.index.is_empty() {
            // Nothing left to keep stable: give the memory back.
            self.slots = Vec::new();
            self.free = Vec::new();
        }
        Some((i as usize, rec))
    }

    pub fn iter(&self) -> Iter<'_, R> {
        self.slots.iter().flatten()
    }

    /// SCAN: visits live slots from `cursor` (see [`crate::util::scan_slots`]); the next
    /// cursor, 0 when done.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&R)) -> u64 {
        crate::util::scan_slots(self.slots.len(), cursor, count, |i| {
            self.slots[i].as_ref().map(&mut f).is_some()
        })
    }

    /// A uniformly random live record and its slot.
    pub fn random(&self, rng: &mut crate::util::Rng) -> Option<(usize, &R)> {
        if self.index.is_empty() {
            return None;
        }
        let i = crate::util::random_slot(self.slots.len(), rng, |i| self.slots[i].is_some())?;
        Some((i, self.slots[i].as_ref()?))
    }

    /// Approximate heap bytes: the index and slots exactly, the records' own allocations as
    /// `record_bytes` of the first `samples` of them times the count (Redis's
    /// `objectComputeSize` samples the same way: a full walk would stall the server).
    pub fn mem_usage(&self, samples: usize, record_bytes: impl Fn(&R) -> usize) -> usize {
        let (mut n, mut bytes) = (0usize, 0usize);
        for r in self.iter().take(samples.max(1)) {
            n += 1;
            bytes += record_bytes(r);
        }
        let records = (bytes * self.len()).checked_div(n).unwrap_or(0);
        std::mem::size_of::<Self>()
            + self.index.capacity() * 5
            + self.slots.capacity() * std::mem::size_of::<Option<R>>()
            + self.free.capacity() * 4
            + records
    }

    /// Checks the invariants (tests).
    #[cfg(test)]
    pub fn check(&self) {
        let live = self.slots.iter().filter(|s| s.is_some()).count();
        assert_eq!(live, self.index.len());
        assert_eq!(live + self.free.len(), self.slots.len());
        for r in self.iter() {
            let i = self.find(r.key()).expect("every live record is indexed");
            assert!(std::ptr::eq(self.slots[i].as_ref().unwrap(), r));
        }
        for &f in &self.free {
            assert!(self.slots[f as usize].is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((any::<bool>(), 0u8..40), 1..300)) {
            let mut t: SlotTable<Box<[u8]>> = SlotTable::default();
            let mut m = BTreeSet::new();
            for (add, k) in ops {
                let key = vec![k; (k % 5) as usize + 1];
                if add {
                    let (_, old) = t.insert(key.clone().into_boxed_slice());
                    prop_assert_eq!(old.is_none(), m.insert(key));
                } else {
                    prop_assert_eq!(t.remove(&key).is_some(), m.remove(&key));
                }
                t.check();
                prop_assert_eq!(t.len(), m.len());
                let all: BTreeSet<Vec<u8>> = t.iter().map(|r| r.to_vec()).collect();
                prop_assert_eq!(&all, &m);
            }
        }
    }
}
