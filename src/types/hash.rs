//! The hash type, in Redis's two encodings (OBJECT ENCODING names them):
//!
//! ```text
//!  listpack   one boxed buffer, fields in insertion order (HGETALL's order, as Redis's):
//!             ┌─────────┬──────┬───────┬──────┬───────┬─────┐
//!             │ count   │ flen │ field │ vlen │ value │ ... │     flen, vlen: LEB128 varints
//!             │ u32 LE  │      │       │      │       │     │
//!             └─────────┴──────┴───────┴──────┴───────┴─────┘
//!  hashtable  one boxed record per field, `flen field value`, in stable slots; an index of
//!             slot numbers hashed by field (as the keyspace's SlabMap):
//!             index: HashTable<u32> ──► slots: [Some(rec), None, Some(rec), ...]  free: [1]
//! ```
//!
//! - A hash is `listpack` while it has at most `hash-max-listpack-entries` fields and every
//!   field and value is at most `hash-max-listpack-value` bytes; the insert that passes either
//!   bound converts it to `hashtable`, and it never converts back (as Redis).
//! - Lookups in a listpack scan it (it is small by definition); in a hashtable they hash once.
//! - A hashtable's slots never move: HSCAN's cursor is a slot number, so a field present for
//!   the whole scan is returned exactly once; a removed field's slot is reused by a later
//!   insert. HRANDFIELD picks random slots.
//! - A hashtable sits behind an `Arc` so that a snapshot shares it; the first write after
//!   one copies it whole (lists and streams copy one node: a per-slot-chunk copy here is a
//!   follow-up).
//! - Invariants: no field appears twice; `count` (listpack) and the index's length (hashtable)
//!   are the number of fields; every index entry names a live slot holding that field.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use std::sync::Arc;

use super::varint::{get_str, put_str};

/// The encoding bounds (`hash-max-listpack-entries`, `hash-max-listpack-value`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

/// A hashtable record: `flen field value`.
fn record(field: &[u8], value: &[u8]) -> Box<[u8]> {
    let mut v = Vec::with_capacity(field.len() + value.len() + 2);
    put_str(&mut v, field);
    v.extend_from_slice(value);
    v.into_boxed_slice()
}

fn split_record(r: &[u8]) -> (&[u8], &[u8]) {
    let mut p = 0;
    let f = get_str(r, &mut p);
    (f, &r[p..])
}

/// The `hashtable` encoding.
#[derive(Debug, Default, Clone)]
pub struct FieldTable {
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    slots: Vec<Option<Box<[u8]>>>,
    free: Vec<u32>,
}

impl FieldTable {
    fn find(&self, field: &[u8]) -> Option<usize> {
        let slots = &self.slots;
        let hash = self.hasher.hash_one(field);
        self.index
            .find(hash, |&i| {
                slots[i as usize]
                    .as_deref()
                    .is_some_and(|r| split_record(r).0 == field)
            })
            .map(|&i| i as usize)
    }

    fn get(&self, field: &[u8]) -> Option<&[u8]> {
        let i = self.find(field)?;
        self.slots[i].as_deref().map(|r| split_record(r).1)
    }

    /// True if the field is new.
    fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        if let Some(i) = self.find(field) {
            self.slots[i] = Some(record(field, value));
            return false;
        }
        let slot = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.slots[slot as usize] = Some(record(field, value));
        let (slots, hasher) = (&self.slots, &self.hasher);
        let hash = hasher.hash_one(field);
        self.index.insert_unique(hash, slot, |&i| {
            let r = slots[i as usize].as_deref().expect("indexed slot is live");
            hasher.hash_one(split_record(r).0)
        });
        true
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        let hash = self.hasher.hash_one(field);
        let slots = &self.slots;
        let Ok(entry) = self.index.find_entry(hash, |&i| {
            slots[i as usize]
                .as_deref()
                .is_some_and(|r| split_record(r).0 == field)
        }) else {
            return false;
        };
        let (i, _) = entry.remove();
        self.slots[i as usize] = None;
        self.free.push(i);
        true
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.slots.iter().flatten().map(|r| split_record(r))
    }
}

/// A hash value.
#[derive(Debug, Clone)]
pub enum Hash {
    Listpack(Box<[u8]>),
    /// Shared with a copy of the hash (an AOF rewrite's snapshot) until the next write,
    /// which copies it (`Arc::make_mut`): a snapshot costs a reference count per hash.
    Table(Arc<FieldTable>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// Fields of a hash, in its order.
pub enum Iter<'a> {
    Listpack { buf: &'a [u8], pos: usize },
    Table(std::iter::FilterMap<std::slice::Iter<'a, Option<Box<[u8]>>>, RecordOf>),
}

type RecordOf = fn(&Option<Box<[u8]>>) -> Option<(&[u8], &[u8])>;

fn record_of(r: &Option<Box<[u8]>>) -> Option<(&[u8], &[u8])> {
    r.as_deref().map(split_record)
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack { buf, pos } => {
                if *pos >= buf.len() {
                    return None;
                }
                let f = get_str(buf, pos);
                let v = get_str(buf, pos);
                Some((f, v))
            }
            Iter::Table(it) => it.next(),
        }
    }
}

const LP_HEADER: usize = 4;

fn lp_count(buf: &[u8]) -> usize {
    u32::from_le_bytes(buf[..LP_HEADER].try_into().expect("header")) as usize
}

/// Where `field`'s entry starts and where its value ends, in a listpack.
fn lp_find(buf: &[u8], field: &[u8]) -> Option<(usize, usize, usize)> {
    let mut p = LP_HEADER;
    while p < buf.len() {
        let start = p;
        let f = get_str(buf, &mut p);
        let vstart = p;
        let _ = get_str(buf, &mut p);
        if f == field {
            return Some((start, vstart, p));
        }
    }
    None
}

fn lp_entry(out: &mut Vec<u8>, field: &[u8], value: &[u8]) {
    put_str(out, field);
    put_str(out, value);
}

impl Hash {
    pub fn new() -> Hash {
        Hash::Listpack(vec![0; LP_HEADER].into_boxed_slice())
    }

    /// OBJECT ENCODING's name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(b) => lp_count(b),
            Hash::Table(t) => t.index.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(b) => {
                let (_, v, _) = lp_find(b, field)?;
                let mut p = v;
                Some(get_str(b, &mut p))
            }
            Hash::Table(t) => t.get(field),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`; true if the field is new. Converts a listpack that would
    /// pass `limits` to a hashtable first.
    pub fn insert(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if let Hash::Listpack(b) = self {
            let fits = field.len() <= limits.max_value && value.len() <= limits.max_value;
            let existing = lp_find(b, field);
            if fits && (existing.is_some() || lp_count(b) < limits.max_entries) {
                let mut out = Vec::with_capacity(b.len() + field.len() + value.len() + 4);
                let new = existing.is_none();
                match existing {
                    Some((start, _, end)) => {
                        out.extend_from_slice(&b[..start]);
                        lp_entry(&mut out, field, value);
                        out.extend_from_slice(&b[end..]);
                    }
                    None => {
                        out.extend_from_slice(b);
                        lp_entry(&mut out, field, value);
                        let n = lp_count(b) as u32 + 1;
                        out[..LP_HEADER].copy_from_slice(&n.to_le_bytes());
                    }
                }
                *b = out.into_boxed_slice();
                return new;
            }
            self.convert();
        }
        match self {
            Hash::Table(t) => Arc::make_mut(t).insert(field, value),
            Hash::Listpack(_) => unreachable!("converted above"),
        }
    }

    /// Converts to the hashtable encoding (when a bound is passed; also what a config
    /// change does to the next insert).
    pub fn convert(&mut self) {
        if let Hash::Listpack(_) = self {
            let mut t = FieldTable::default();
            for (f, v) in self.iter() {
                t.insert(f, v);
            }
            *self = Hash::Table(Arc::new(t));
        }
    }

    /// Removes `field`; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(b) => {
                let Some((start, _, end)) = lp_find(b, field) else {
                    return false;
                };
                let mut out = Vec::with_capacity(b.len() - (end - start));
                out.extend_from_slice(&b[..start]);
                out.extend_from_slice(&b[end..]);
                let n = lp_count(b) as u32 - 1;
                out[..LP_HEADER].copy_from_slice(&n.to_le_bytes());
                *b = out.into_boxed_slice();
                true
            }
            Hash::Table(t) => Arc::make_mut(t).remove(field),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(b) => Iter::Listpack {
                buf: b,
                pos: LP_HEADER,
            },
            Hash::Table(t) => Iter::Table(t.slots.iter().filter_map(record_of as RecordOf)),
        }
    }

    /// HSCAN: a listpack answers whole with cursor 0, as Redis does for its small
    /// encodings; a hashtable visits slots from `cursor` until `count` fields were seen or
    /// `10 × count` slots probed. Returns the next cursor (0: done).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match self {
            Hash::Listpack(_) => {
                for (k, v) in self.iter() {
                    f(k, v);
                }
                0
            }
            Hash::Table(t) => crate::util::scan_slots(t.slots.len(), cursor, count, |i| {
                t.slots[i]
                    .as_deref()
                    .map(|r| {
                        let (k, v) = split_record(r);
                        f(k, v)
                    })
                    .is_some()
            }),
        }
    }

    /// A random field (HRANDFIELD), uniform over fields; None when empty.
    pub fn random(&self, rng: &mut crate::util::Rng) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Listpack(_) => {
                let n = self.len();
                if n == 0 {
                    return None;
                }
                self.iter().nth(rng.below(n as u64) as usize)
            }
            Hash::Table(t) => {
                if t.index.is_empty() {
                    return None;
                }
                // Removed fields leave holes until reused: retried, as Redis's
                // dictGetFairRandomKey retries on empty buckets, with a bounded fallback.
                let i = crate::util::random_slot(t.slots.len(), rng, |i| t.slots[i].is_some())?;
                t.slots[i].as_deref().map(split_record)
            }
        }
    }

    /// Approximate heap bytes (MEMORY USAGE): a hashtable's records are estimated from the
    /// first `samples` of them, as Redis's `objectComputeSize` samples (a full walk of a
    /// million-field hash per call would stall the server).
    pub fn mem_usage(&self, samples: usize) -> usize {
        match self {
            Hash::Listpack(b) => b.len(),
            Hash::Table(t) => {
                let (mut n, mut bytes) = (0usize, 0usize);
                for (f, v) in t.iter().take(samples) {
                    n += 1;
                    bytes += f.len() + v.len() + 2;
                }
                let records = (bytes * t.index.len()).checked_div(n).unwrap_or(0);
                std::mem::size_of::<FieldTable>()
                    + t.index.capacity() * 5
                    + t.slots.capacity() * 16
                    + records
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const SMALL: Limits = Limits {
        max_entries: 4,
        max_value: 8,
    };

    #[test]
    fn listpack_keeps_insertion_order_and_converts_once() {
        let mut h = Hash::new();
        assert!(h.insert(b"b", b"1", SMALL));
        assert!(h.insert(b"a", b"2", SMALL));
        assert!(!h.insert(b"b", b"3", SMALL));
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [(&b"b"[..], &b"3"[..]), (b"a", b"2")]
        );
        assert_eq!(h.encoding(), "listpack");
        assert!(h.insert(b"long-field", b"x", SMALL));
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.remove(b"long-field") && h.remove(b"a") && h.remove(b"b"));
        assert_eq!((h.len(), h.encoding()), (0, "hashtable"));
    }

    #[test]
    fn scan_returns_each_field_once_across_removals() {
        let mut h = Hash::new();
        for i in 0..100 {
            h.insert(format!("f{i}").as_bytes(), b"v", SMALL);
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = h.scan(cursor, 7, |f, _| seen.push(f.to_vec()));
            // Removing fields mid-scan never makes a surviving one come twice or go missing.
            h.remove(b"f3");
            if cursor == 0 {
                break;
            }
        }
        seen.sort();
        seen.dedup();
        assert!(seen.len() >= 99);
    }

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((0u8..3, 0u8..12, 0usize..12), 1..200)) {
            let mut h = Hash::new();
            let mut m: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            for (op, f, vlen) in ops {
                let field = format!("f{f}").into_bytes();
                let value = vec![b'v'; vlen];
                match op {
                    0 | 1 => {
                        let new = h.insert(&field, &value, SMALL);
                        prop_assert_eq!(new, m.insert(field.clone(), value).is_none());
                    }
                    _ => prop_assert_eq!(h.remove(&field), m.remove(&field).is_some()),
                }
                prop_assert_eq!(h.len(), m.len());
                for (k, v) in &m {
                    prop_assert_eq!(h.get(k), Some(&v[..]));
                }
                let mut all: Vec<_> = h.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
                all.sort();
                prop_assert_eq!(all, m.clone().into_iter().collect::<Vec<_>>());
                if h.encoding() == "listpack" {
                    prop_assert!(m.len() <= SMALL.max_entries);
                }
            }
        }
    }
}
