//! The hash type, in Redis's two encodings (OBJECT ENCODING names them):
//!
//! ```text
//!  listpack   one boxed buffer, fields in insertion order (HGETALL's order, as Redis's):
//!             ┌─────────┬──────┬───────┬──────┬───────┬─────┐
//!             │ count   │ flen │ field │ vlen │ value │ ... │     flen, vlen: LEB128 varints
//!             │ u32 LE  │      │       │      │       │     │
//!             └─────────┴──────┴───────┴──────┴───────┴─────┘
//!  hashtable  one boxed record per field, `flen field value`, in a `SlotTable` (stable
//!             slots and an index of slot numbers hashed by field: `types::slot_table`)
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
//!   is the number of fields (the slot table keeps its own invariants).

use std::sync::Arc;

use super::listpack::{self, Listpack};
use super::slot_table::{self, Record, SlotTable};

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

/// A hashtable record, `flen field value`, keyed by its field.
#[derive(Debug, Clone)]
pub struct FieldRecord(Box<[u8]>);

impl Record for FieldRecord {
    fn key(&self) -> &[u8] {
        split_record(&self.0).0
    }
}

impl FieldRecord {
    fn pair(&self) -> (&[u8], &[u8]) {
        split_record(&self.0)
    }
}

/// The `hashtable` encoding.
pub type FieldTable = SlotTable<FieldRecord>;

/// A hash value.
#[derive(Debug, Clone)]
pub enum Hash {
    Listpack(Listpack),
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
    Listpack(listpack::Iter<'a, 2>),
    Table(slot_table::Iter<'a, FieldRecord>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(it) => it.next().map(|[f, v]| (f, v)),
            Iter::Table(it) => it.next().map(FieldRecord::pair),
        }
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::Listpack(Listpack::new())
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
            Hash::Listpack(lp) => lp.len(),
            Hash::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(lp) => lp.find::<2>(field).map(|(_, [_, v])| v),
            Hash::Table(t) => t.get(field).map(|r| r.pair().1),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`; true if the field is new. Converts a listpack that would
    /// pass `limits` to a hashtable first.
    pub fn insert(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if let Hash::Listpack(lp) = self {
            let fits = field.len() <= limits.max_value && value.len() <= limits.max_value;
            let existing = lp.find::<2>(field).map(|(span, _)| span);
            if fits && (existing.is_some() || lp.len() < limits.max_entries) {
                match existing {
                    Some(span) => lp.splice(span, 1, &[&[field, value]]),
                    None => lp.push(&[field, value]),
                }
                return existing.is_none();
            }
            self.convert();
        }
        match self {
            Hash::Table(t) => Arc::make_mut(t)
                .insert(FieldRecord(record(field, value)))
                .1
                .is_none(),
            Hash::Listpack(_) => unreachable!("converted above"),
        }
    }

    /// Converts to the hashtable encoding (when a bound is passed; also what a config
    /// change does to the next insert).
    pub fn convert(&mut self) {
        if let Hash::Listpack(_) = self {
            let mut t = FieldTable::with_capacity(self.len() + 1);
            for (f, v) in self.iter() {
                t.insert_new(FieldRecord(record(f, v)));
            }
            *self = Hash::Table(Arc::new(t));
        }
    }

    /// Removes `field`; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => match lp.find::<2>(field) {
                Some((span, _)) => {
                    lp.remove(span);
                    true
                }
                None => false,
            },
            Hash::Table(t) => Arc::make_mut(t).remove(field).is_some(),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(lp) => Iter::Listpack(lp.iter()),
            Hash::Table(t) => Iter::Table(t.iter()),
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
            Hash::Table(t) => t.scan(cursor, count, |r| {
                let (k, v) = r.pair();
                f(k, v)
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
            Hash::Table(t) => t.random(rng).map(|(_, r)| r.pair()),
        }
    }

    /// Approximate heap bytes (MEMORY USAGE): a hashtable's records are estimated from the
    /// first `samples` of them, as Redis's `objectComputeSize` samples (a full walk of a
    /// million-field hash per call would stall the server).
    pub fn mem_usage(&self, samples: usize) -> usize {
        match self {
            Hash::Listpack(lp) => lp.bytes(),
            Hash::Table(t) => t.mem_usage(samples, |r| r.0.len()),
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
