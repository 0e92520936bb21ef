//! The hash type, in Redis's two encodings (OBJECT ENCODING names them):
//!
//! ```text
//!  listpack   one boxed buffer, fields in insertion order (HGETALL's order, as Redis's):
//!             ┌─────────┬──────┬───────┬──────┬───────┬─────┐
//!             │ count   │ flen │ field │ vlen │ value │ ... │     flen, vlen: LEB128 varints
//!             │ u32 LE  │      │       │      │       │     │
//!             └─────────┴──────┴───────┴──────┴───────┴─────┘
//!  listpackex the same with a third string per record: the field's expire time (8 bytes
//!             LE unix ms, or empty for none); what a listpack becomes with its first TTL
//!  hashtable  one boxed record per field, `flen field value`, in a `SlotTable` (stable
//!             slots and an index of slot numbers hashed by field: `types::slot_table`),
//!             and once a field has a TTL, a side table field → time plus the same ordered
//!             by time (the earliest in O(log n), expired fields taken in order)
//! ```
//!
//! Field expiration (HEXPIRE and the rest): this type only stores the times. Making expired
//! fields invisible is the keyspace's job (`Store::reclaim_fields`, on every lookup of a hash
//! whose earliest time passed, and the active cycle), as key expiry is.
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
//!   is the number of fields (the slot table keeps its own invariants); a hashtable's TTL
//!   tables name only live fields, agree with each other, and are absent when empty.

use std::collections::BTreeSet;
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

/// The `hashtable` encoding's fields.
pub type FieldTable = SlotTable<FieldRecord>;

/// Field TTLs of a `hashtable` hash: each field's absolute expire time (unix ms), and the
/// same ordered by time, so the earliest is found in O(log n) and the expired ones are taken
/// in order.
#[derive(Debug, Clone, Default)]
struct Ttls {
    at: hashbrown::HashMap<Box<[u8]>, i64>,
    order: BTreeSet<(i64, Box<[u8]>)>,
}

/// The `hashtable` encoding: the fields, and their TTLs once one was set.
#[derive(Debug, Clone, Default)]
pub struct Table {
    fields: FieldTable,
    ttls: Option<Box<Ttls>>,
}

impl Table {
    fn with_capacity(n: usize) -> Table {
        Table {
            fields: FieldTable::with_capacity(n),
            ttls: None,
        }
    }

    fn expire_of(&self, field: &[u8]) -> Option<i64> {
        self.ttls.as_ref()?.at.get(field).copied()
    }

    /// Sets (Some) or clears (None) the TTL of `field`, which exists.
    fn set_expire(&mut self, field: &[u8], when: Option<i64>) {
        if self.ttls.is_none() && when.is_none() {
            return;
        }
        let t = self.ttls.get_or_insert_with(Default::default);
        if let Some(old) = t.at.remove(field) {
            t.order.remove(&(old, Box::from(field)));
        }
        if let Some(w) = when {
            t.at.insert(Box::from(field), w);
            t.order.insert((w, Box::from(field)));
        }
        if t.at.is_empty() {
            self.ttls = None;
        }
    }
}

/// A listpackex record's third string: the field's expire time, 8 bytes LE, or empty for
/// none.
fn ttl_str(when: Option<i64>) -> Option<[u8; 8]> {
    when.map(i64::to_le_bytes)
}

fn parse_ttl(s: &[u8]) -> Option<i64> {
    s.try_into().ok().map(i64::from_le_bytes)
}

/// A hash value.
#[derive(Debug, Clone)]
pub enum Hash {
    /// `listpack`, or with its flag set `listpackex`: records of `field value expire`, once a
    /// field got a TTL (it stays so, as in Redis, until it converts to a hashtable). One
    /// variant for both keeps a hash in 16 bytes, and so every key's value in 24.
    Listpack(Listpack),
    /// Shared with a copy of the hash (an AOF rewrite's snapshot) until the next write,
    /// which copies it (`Arc::make_mut`): a snapshot costs a reference count per hash.
    Table(Arc<Table>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// Fields of a hash, in its order.
pub enum Iter<'a> {
    Listpack(listpack::Iter<'a, 2>),
    ListpackEx(listpack::Iter<'a, 3>),
    Table(slot_table::Iter<'a, FieldRecord>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(it) => it.next().map(|[f, v]| (f, v)),
            Iter::ListpackEx(it) => it.next().map(|[f, v, _]| (f, v)),
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
            Hash::Listpack(lp) if !lp.flag() => "listpack",
            Hash::Listpack(_) => "listpackex",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len(),
            Hash::Table(t) => t.fields.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(lp) if !lp.flag() => lp.find::<2>(field).map(|(_, [_, v])| v),
            Hash::Listpack(lp) => lp.find::<3>(field).map(|(_, [_, v, _])| v),
            Hash::Table(t) => t.fields.get(field).map(|r| r.pair().1),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`, dropping its TTL (HSET); true if the field is new.
    pub fn insert(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        self.set(field, value, limits, false)
    }

    /// Sets `field` to `value`, keeping its TTL when `keep_ttl` (HINCRBY, HSETEX KEEPTTL);
    /// true if the field is new. Converts a listpack that would pass `limits` to a hashtable
    /// first.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: Limits, keep_ttl: bool) -> bool {
        let fits = field.len() <= limits.max_value && value.len() <= limits.max_value;
        match self {
            Hash::Listpack(lp) if !lp.flag() => {
                let existing = lp.find::<2>(field).map(|(span, _)| span);
                if fits && (existing.is_some() || lp.len() < limits.max_entries) {
                    match existing {
                        Some(span) => lp.splice(span, 1, &[&[field, value]]),
                        None => lp.push(&[field, value]),
                    }
                    return existing.is_none();
                }
            }
            Hash::Listpack(lp) => {
                let existing = lp
                    .find::<3>(field)
                    .map(|(span, [_, _, t])| (span, parse_ttl(t)));
                if fits && (existing.is_some() || lp.len() < limits.max_entries) {
                    match existing {
                        Some((span, t)) => {
                            let t = ttl_str(if keep_ttl { t } else { None });
                            lp.splice(span, 1, &[&[field, value, t.as_ref().map_or(&[], |b| b)]])
                        }
                        None => lp.push(&[field, value, b""]),
                    }
                    return existing.is_none();
                }
            }
            Hash::Table(_) => {}
        }
        self.convert();
        let Hash::Table(t) = self else {
            unreachable!("converted above")
        };
        let t = Arc::make_mut(t);
        let new = t
            .fields
            .insert(FieldRecord(record(field, value)))
            .1
            .is_none();
        if !new && !keep_ttl {
            t.set_expire(field, None);
        }
        new
    }

    /// Converts to the hashtable encoding (when a bound is passed; also what a config
    /// change does to the next insert). TTLs come along.
    pub fn convert(&mut self) {
        if let Hash::Table(_) = self {
            return;
        }
        let mut t = Table::with_capacity(self.len() + 1);
        for (f, v) in self.iter() {
            t.fields.insert_new(FieldRecord(record(f, v)));
        }
        for (f, when) in self.field_ttls() {
            t.set_expire(f, Some(when));
        }
        *self = Hash::Table(Arc::new(t));
    }

    /// Removes `field` (and its TTL); true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) if !lp.flag() => match lp.find::<2>(field) {
                Some((span, _)) => {
                    lp.remove(span);
                    true
                }
                None => false,
            },
            Hash::Listpack(lp) => match lp.find::<3>(field) {
                Some((span, _)) => {
                    lp.remove(span);
                    true
                }
                None => false,
            },
            Hash::Table(t) => {
                let t = Arc::make_mut(t);
                let removed = t.fields.remove(field).is_some();
                if removed {
                    t.set_expire(field, None);
                }
                removed
            }
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(lp) if !lp.flag() => Iter::Listpack(lp.iter()),
            Hash::Listpack(lp) => Iter::ListpackEx(lp.iter()),
            Hash::Table(t) => Iter::Table(t.fields.iter()),
        }
    }

    // -----------------------------------------------------------------------------------
    // Field expiration
    // -----------------------------------------------------------------------------------

    /// The TTL state of `field`: None if there is no such field, Some(None) if it has no
    /// TTL, else its absolute expire time (unix ms).
    pub fn expire_of(&self, field: &[u8]) -> Option<Option<i64>> {
        match self {
            Hash::Listpack(lp) if !lp.flag() => lp.find::<2>(field).map(|_| None),
            Hash::Listpack(lp) => lp.find::<3>(field).map(|(_, [_, _, t])| parse_ttl(t)),
            Hash::Table(t) => t.fields.get(field).map(|_| t.expire_of(field)),
        }
    }

    /// Sets (Some) or clears (None) the TTL of `field`; false if there is no such field. A
    /// listpack becomes a listpackex with its first TTL.
    pub fn set_expire(&mut self, field: &[u8], when: Option<i64>) -> bool {
        if let Hash::Listpack(lp) = self {
            if !lp.flag() {
                if lp.find::<2>(field).is_none() {
                    return false;
                }
                if when.is_none() {
                    return true;
                }
                let mut ex = Listpack::new();
                ex.set_flag(true);
                for [f, v] in lp.iter::<2>() {
                    ex.push(&[f, v, b""]);
                }
                *lp = ex;
            }
        }
        match self {
            Hash::Listpack(lp) => match lp.find::<3>(field) {
                Some((span, [f, v, _])) => {
                    let (f, v) = (f.to_vec(), v.to_vec());
                    let t = ttl_str(when);
                    lp.splice(span, 1, &[&[&f, &v, t.as_ref().map_or(&[], |b| b)]]);
                    true
                }
                None => false,
            },
            Hash::Table(t) => {
                if t.fields.get(field).is_none() {
                    return false;
                }
                Arc::make_mut(t).set_expire(field, when);
                true
            }
        }
    }

    /// True when some field may have a TTL (a cheap test before [`Hash::min_expire`]).
    pub fn has_field_ttls(&self) -> bool {
        match self {
            Hash::Listpack(lp) if !lp.flag() => false,
            Hash::Listpack(_) => true,
            Hash::Table(t) => t.ttls.is_some(),
        }
    }

    /// The earliest field expire time, if any field has a TTL.
    pub fn min_expire(&self) -> Option<i64> {
        match self {
            Hash::Listpack(lp) if !lp.flag() => None,
            Hash::Listpack(lp) => lp.iter::<3>().filter_map(|[_, _, t]| parse_ttl(t)).min(),
            Hash::Table(t) => t.ttls.as_ref()?.order.first().map(|(w, _)| *w),
        }
    }

    /// Fields with a TTL and their expire times (in the hash's order for a listpackex, by
    /// time for a hashtable).
    pub fn field_ttls(&self) -> Vec<(&[u8], i64)> {
        match self {
            Hash::Listpack(lp) if !lp.flag() => Vec::new(),
            Hash::Listpack(lp) => lp
                .iter::<3>()
                .filter_map(|[f, _, t]| parse_ttl(t).map(|w| (f, w)))
                .collect(),
            Hash::Table(t) => t
                .ttls
                .iter()
                .flat_map(|tt| tt.order.iter().map(|(w, f)| (&f[..], *w)))
                .collect(),
        }
    }

    /// Removes the fields whose expire time is at or before `now`; they are returned, at
    /// most `limit` of them (the earliest first for a hashtable).
    pub fn take_expired(&mut self, now: i64, limit: usize) -> Vec<Vec<u8>> {
        let due: Vec<Vec<u8>> = match self {
            Hash::Listpack(lp) if !lp.flag() => return Vec::new(),
            Hash::Listpack(lp) => {
                let mut spans = Vec::new();
                let mut fields = Vec::new();
                for (span, [f, _, t]) in lp.spans::<3>() {
                    if fields.len() < limit && parse_ttl(t).is_some_and(|w| w <= now) {
                        spans.push(span);
                        fields.push(f.to_vec());
                    }
                }
                lp.remove_many(&spans);
                return fields;
            }
            Hash::Table(t) => match &t.ttls {
                None => return Vec::new(),
                Some(tt) => tt
                    .order
                    .iter()
                    .take_while(|(w, _)| *w <= now)
                    .take(limit)
                    .map(|(_, f)| f.to_vec())
                    .collect(),
            },
        };
        for f in &due {
            self.remove(f);
        }
        due
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
            Hash::Table(t) => t.fields.scan(cursor, count, |r| {
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
            Hash::Table(t) => t.fields.random(rng).map(|(_, r)| r.pair()),
        }
    }

    /// Approximate heap bytes (MEMORY USAGE): a hashtable's records are estimated from the
    /// first `samples` of them, as Redis's `objectComputeSize` samples (a full walk of a
    /// million-field hash per call would stall the server).
    pub fn mem_usage(&self, samples: usize) -> usize {
        match self {
            Hash::Listpack(lp) => lp.bytes(),
            Hash::Table(t) => {
                let ttls = t.ttls.as_ref().map_or(0, |tt| tt.at.len() * 96);
                t.fields.mem_usage(samples, |r| r.0.len()) + ttls
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

    #[test]
    fn field_ttls_survive_edits_and_conversion() {
        let mut h = Hash::new();
        h.insert(b"a", b"1", SMALL);
        h.insert(b"b", b"2", SMALL);
        assert_eq!(h.expire_of(b"a"), Some(None));
        assert_eq!(h.expire_of(b"zz"), None);
        assert!(!h.set_expire(b"zz", Some(5)));
        assert!(h.set_expire(b"a", Some(100)));
        assert_eq!((h.encoding(), h.min_expire()), ("listpackex", Some(100)));
        // HINCRBY keeps the TTL, HSET drops it.
        h.set(b"a", b"7", SMALL, true);
        assert_eq!(h.expire_of(b"a"), Some(Some(100)));
        h.insert(b"a", b"8", SMALL);
        assert_eq!(h.expire_of(b"a"), Some(None));
        h.set_expire(b"a", Some(50));
        h.set_expire(b"b", Some(70));
        h.insert(b"long-field", b"x", SMALL);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.field_ttls(), [(&b"a"[..], 50), (&b"b"[..], 70)]);
        assert_eq!(h.take_expired(60, 10), [b"a".to_vec()]);
        assert_eq!((h.len(), h.min_expire()), (2, Some(70)));
        assert!(h.remove(b"b"));
        assert!(!h.has_field_ttls());
        assert_eq!(h.min_expire(), None);
    }

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((0u8..5, 0u8..12, 0usize..12), 1..200)) {
            let mut h = Hash::new();
            let mut m: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut ttl: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
            for (op, f, vlen) in ops {
                let field = format!("f{f}").into_bytes();
                let value = vec![b'v'; vlen];
                match op {
                    0 | 1 => {
                        let new = h.insert(&field, &value, SMALL);
                        prop_assert_eq!(new, m.insert(field.clone(), value).is_none());
                        ttl.remove(&field);
                    }
                    2 => {
                        prop_assert_eq!(h.remove(&field), m.remove(&field).is_some());
                        ttl.remove(&field);
                    }
                    3 => {
                        let when = vlen as i64;
                        prop_assert_eq!(h.set_expire(&field, Some(when)), m.contains_key(&field));
                        if m.contains_key(&field) {
                            ttl.insert(field.clone(), when);
                        }
                    }
                    _ => {
                        let now = vlen as i64 / 2;
                        let mut taken = h.take_expired(now, usize::MAX);
                        taken.sort();
                        let due: Vec<Vec<u8>> =
                            ttl.iter().filter(|(_, &w)| w <= now).map(|(f, _)| f.clone()).collect();
                        for f in &due {
                            m.remove(f);
                            ttl.remove(f);
                        }
                        prop_assert_eq!(taken, due);
                    }
                }
                prop_assert_eq!(h.min_expire(), ttl.values().min().copied());
                for k in m.keys() {
                    prop_assert_eq!(h.expire_of(k), Some(ttl.get(k).copied()));
                }
                prop_assert_eq!(h.len(), m.len());
                for (k, v) in &m {
                    prop_assert_eq!(h.get(k), Some(&v[..]));
                }
                let mut all: Vec<_> = h.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
                all.sort();
                prop_assert_eq!(all, m.clone().into_iter().collect::<Vec<_>>());
                if h.encoding() != "hashtable" {
                    prop_assert!(m.len() <= SMALL.max_entries);
                }
            }
        }
    }
}
