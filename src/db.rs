//! The keyspace: databases of keys → values, with expiry.
//!
//! Keys live in a [`SlabMap`]: a hash index from key to a stable slot in a vector (the key
//! itself is a [`Key`]: inline up to 15 bytes). A key keeps
//! its slot for as long as it exists, which gives SCAN Redis's guarantee for free: the cursor is
//! a slot number, so every key present for a whole iteration is returned (keys added or removed
//! meanwhile may or may not be). Slots freed by deletions are reused, and trailing free slots
//! are dropped so the cursor space stays tight. Random sampling (RANDOMKEY, active expiry)
//! probes random slots.
//!
//! Expiry: `expires` maps a key to its absolute unix time in ms. A key past that time is
//! logically gone: every lookup goes through the keyspace's `expire_if_needed`
//! (`keyspace.rs`), which deletes it, propagates a DEL and notifies `expired`. Only the
//! keyspace holds a `&mut Db`.

use crate::key::Key;
use crate::types::hash::Hash;
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::stream::Stream;
use crate::types::zset::ZSet;
use bytes::Bytes;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use std::sync::Arc;

/// A string value and the encoding Redis would report for it (`OBJECT ENCODING`), in one
/// allocation: the encoding's byte, then the bytes. Sixteen bytes in the key's slot (a
/// `Bytes` and a tag took 40), so that every value fits in 24 (see [`Value`]).
#[derive(Clone, PartialEq, Eq)]
pub struct RString(Box<[u8]>);

impl std::fmt::Debug for RString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RString({:?}, {:?})",
            self.enc(),
            String::from_utf8_lossy(self.data())
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrEnc {
    Int,
    Embstr,
    Raw,
}

/// `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`.
pub const EMBSTR_SIZE_LIMIT: usize = 44;

impl RString {
    fn with_enc(data: &[u8], enc: StrEnc) -> RString {
        let mut v = Vec::with_capacity(data.len() + 1);
        v.push(enc as u8);
        v.extend_from_slice(data);
        RString(v.into_boxed_slice())
    }

    /// Encodes as Redis's `tryObjectEncoding` would for a freshly set value.
    pub fn new(data: &[u8]) -> RString {
        let enc = if data.len() <= 20 && resp::parser::parse_i64(data).is_some() {
            StrEnc::Int
        } else if data.len() <= EMBSTR_SIZE_LIMIT {
            StrEnc::Embstr
        } else {
            StrEnc::Raw
        };
        RString::with_enc(data, enc)
    }

    pub fn from_i64(v: i64) -> RString {
        // Digits written backwards into a stack buffer: no String on the way (INCR's path).
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = v.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if v < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        RString::with_enc(&buf[i..], StrEnc::Int)
    }

    /// A value modified in place (APPEND, SETRANGE) is always `raw` in Redis.
    pub fn raw(data: &[u8]) -> RString {
        RString::with_enc(data, StrEnc::Raw)
    }

    pub fn data(&self) -> &[u8] {
        &self.0[1..]
    }

    pub fn enc(&self) -> StrEnc {
        match self.0[0] {
            0 => StrEnc::Int,
            1 => StrEnc::Embstr,
            _ => StrEnc::Raw,
        }
    }
}

/// A key's value. 24 bytes: every variant but the set fits in 16, so `Value`'s tag lives in
/// the spare values of the set's own, and a key's slot (16-byte `Key`, value, 8 bytes of
/// access metadata) is 48 bytes; a chunk of 256 slots (12 KiB) is a jemalloc size class.
#[derive(Debug, Clone)]
pub enum Value {
    /// 16 bytes: the encoding byte and the bytes in one allocation.
    Str(RString),
    /// Boxed: a list's header is larger than 16 bytes. Lists are few and long; the box costs
    /// them nothing measurable (callgrind, LPUSH/RPOP/SET/GET: 767.2M vs 766.5M instructions).
    List(Box<List>),
    Stream(Box<Stream>),
    /// Unboxed: 16 bytes (a listpack, or a pointer to a hashtable), and a small hash is one
    /// allocation.
    Hash(Hash),
    /// Unboxed: 24 bytes, the largest variant.
    Set(Set),
    /// Unboxed: 16 bytes (a listpack) or a pointer (a skiplist).
    Zset(ZSet),
}

// Every key's slot is as large as the largest variant: a new type must not grow it. Every
// variant but one must fit in 16 bytes, leaving the tag of the largest (a set's) for
// `Value`'s own.
const _: () = assert!(std::mem::size_of::<Value>() <= 24);

impl Value {
    /// The name TYPE replies.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Stream(_) => "stream",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::Zset(_) => "zset",
        }
    }

    /// True for a collection with nothing in it, which Redis never keeps as a key.
    pub fn is_empty_collection(&self) -> bool {
        match self {
            Value::List(l) => l.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::Zset(z) => z.is_empty(),
            Value::Str(_) | Value::Stream(_) => false,
        }
    }
}

/// Slots per chunk of [`Slots`].
const SLOT_CHUNK: usize = 256;

/// A vector of slots stored in fixed-size chunks that clones share copy-on-write: a clone
/// (the AOF rewrite's snapshot) costs one reference count per chunk, and a later write
/// copies only the chunk it touches, as a fork's pages are copied on write. Without it the
/// snapshot copied every key under the store lock: 318 ms for 1,000,000 keys, against
/// Redis's 3.3 ms fork.
#[derive(Debug)]
struct Slots<T> {
    /// Every chunk but the last holds exactly `SLOT_CHUNK` slots.
    chunks: Vec<Arc<Vec<Option<T>>>>,
    len: usize,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Clone for Slots<T> {
    fn clone(&self) -> Self {
        Slots {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T> Slots<T> {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.chunks[i / SLOT_CHUNK][i % SLOT_CHUNK].as_ref()
    }

    fn iter(&self) -> impl Iterator<Item = Option<&T>> {
        self.chunks
            .iter()
            .flat_map(|c| c.iter().map(Option::as_ref))
    }

    fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }
}

impl<T: Clone> Slots<T> {
    fn get_mut(&mut self, i: usize) -> &mut Option<T> {
        &mut Arc::make_mut(&mut self.chunks[i / SLOT_CHUNK])[i % SLOT_CHUNK]
    }

    /// Appends a free slot; its number.
    fn push_free(&mut self) -> usize {
        if self.len.is_multiple_of(SLOT_CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(SLOT_CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk with room");
        Arc::make_mut(last).push(None);
        self.len += 1;
        self.len - 1
    }

    /// Drops the last slot.
    fn pop(&mut self) {
        let last = self.chunks.last_mut().expect("a slot to pop");
        Arc::make_mut(last).pop();
        self.len -= 1;
        if self.len.is_multiple_of(SLOT_CHUNK) {
            self.chunks.pop();
        }
    }
}

/// A hash map with stable integer slots (see the module doc). Not `Clone`: a copy clones every
/// key and value under the store lock; the AOF rewrite takes [`SlabMap::snapshot`].
#[derive(Debug)]
pub struct SlabMap<V> {
    /// Slot numbers, hashed by their slot's key: the key is stored once, in its slot (4 bytes
    /// of index per key; a map from key to slot held a second `Bytes` and its shared header,
    /// ~90 bytes more per key).
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    /// key, value, access metadata (see [`access_meta`]).
    slots: Slots<(Key, V, u64)>,
    free: Vec<u32>,
}

impl<V> Default for SlabMap<V> {
    fn default() -> Self {
        SlabMap {
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            slots: Slots::default(),
            free: Vec::new(),
        }
    }
}

impl<V> SlabMap<V> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// The bytes of the map's own structure (index table, slots, free list), not of what
    /// the keys and values hold: INFO `used_memory_overhead`'s share of a database, as
    /// Redis counts its dict tables and entries there.
    pub fn overhead_bytes(&self) -> u64 {
        let slot = std::mem::size_of::<Option<(Key, V, u64)>>();
        (self.index.capacity() * (std::mem::size_of::<u32>() + 1)
            + self.slots.len * slot
            + self.free.capacity() * std::mem::size_of::<u32>()) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The slot holding `key`.
    fn find(&self, key: &[u8]) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let slots = &self.slots;
        let hash = self.hasher.hash_one(key);
        self.index
            .find(hash, |&i| {
                slots.get(i as usize).is_some_and(|s| &s.0[..] == key)
            })
            .map(|&i| i as usize)
    }

    /// The slot holding `key`: one hash probe, after which [`SlabMap::slot_mut`] reaches the
    /// entry without hashing again (a lookup that counts its hit, then touches the entry).
    pub fn slot_of(&self, key: &[u8]) -> Option<usize> {
        self.find(key)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        let i = self.find(key)?;
        self.slots.get(i).map(|(_, v, _)| v)
    }

    /// The access metadata of `key` (LRU/LFU, see [`access_meta`]).
    pub fn meta(&self, key: &[u8]) -> Option<u64> {
        let i = self.find(key)?;
        self.slots.get(i).map(|(_, _, m)| *m)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key, &V)> {
        self.slots.iter().filter_map(|s| s.map(|(k, v, _)| (k, v)))
    }

    pub fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.free.clear();
    }

    /// Visits live slots from `cursor`, calling `f` for each, until `count` were visited or
    /// `10 * count` slots were probed. Returns the next cursor (0 when the iteration is over).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&Key, &V)) -> u64 {
        crate::util::scan_slots(self.slots.len(), cursor, count, |i| {
            self.slots.get(i).map(|(k, v, _)| f(k, v)).is_some()
        })
    }

    /// A random live entry (uniform over slots, retried on holes).
    pub fn random(&self, rng: &mut crate::util::Rng) -> Option<(&Key, &V)> {
        if self.index.is_empty() {
            return None;
        }
        let i = crate::util::random_slot(self.slots.len(), rng, |i| self.slots.get(i).is_some())?;
        self.slots.get(i).map(|(k, v, _)| (k, v))
    }

    /// The slots alone, without the index: what the AOF rewrite needs of a database, taken
    /// in O(slots / SLOT_CHUNK) (see [`Slots`]).
    pub fn snapshot(&self) -> SlotsSnapshot<V> {
        SlotsSnapshot {
            slots: self.slots.clone(),
        }
    }
}

impl<V: Clone> SlabMap<V> {
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let i = self.find(key)?;
        self.slots.get_mut(i).as_mut().map(|(_, v, _)| v)
    }

    /// Inserts or replaces; a replaced key keeps its slot.
    pub fn insert(&mut self, key: &[u8], val: V) -> Option<V> {
        if let Some(i) = self.find(key) {
            let slot = self
                .slots
                .get_mut(i)
                .as_mut()
                .expect("indexed slot is live");
            return Some(std::mem::replace(&mut slot.1, val));
        }
        self.insert_new(Key::new(key), val, 0);
        None
    }

    /// Inserts or replaces, setting the access metadata too, in one probe. Returns the old
    /// value.
    pub fn insert_with_meta(&mut self, key: &[u8], val: V, meta: u64) -> Option<V> {
        if let Some(i) = self.find(key) {
            let slot = self
                .slots
                .get_mut(i)
                .as_mut()
                .expect("indexed slot is live");
            slot.2 = meta;
            return Some(std::mem::replace(&mut slot.1, val));
        }
        self.insert_new(Key::new(key), val, meta);
        None
    }

    /// Inserts `key` unless it is present (then `val` comes back), in one hash probe.
    pub fn insert_absent(&mut self, key: &[u8], val: V, meta: u64) -> Result<(), V> {
        let hash = self.hasher.hash_one(key);
        let SlabMap {
            index,
            hasher,
            slots,
            free,
        } = self;
        let entry = index.entry(
            hash,
            |&i| slots.get(i as usize).is_some_and(|s| &s.0[..] == key),
            |&j| {
                let slot = slots.get(j as usize).expect("indexed slot is live");
                hasher.hash_one(&slot.0[..])
            },
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(_) => Err(val),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = match free.pop() {
                    Some(i) => i as usize,
                    None => slots.push_free(),
                };
                v.insert(i as u32);
                *slots.get_mut(i) = Some((Key::new(key), val, meta));
                Ok(())
            }
        }
    }

    /// Room for `additional` more keys without growing (RDB's RESIZEDB, as `dictExpand`):
    /// growing rehashes every key from its slot.
    pub fn reserve(&mut self, additional: usize) {
        let SlabMap {
            index,
            hasher,
            slots,
            ..
        } = self;
        index.reserve(additional, |&j| {
            let slot = slots.get(j as usize).expect("indexed slot is live");
            hasher.hash_one(&slot.0[..])
        });
    }

    fn insert_new(&mut self, key: Key, val: V, meta: u64) {
        let i = match self.free.pop() {
            Some(i) => i as usize,
            None => self.slots.push_free(),
        };
        let hash = self.hasher.hash_one(&key[..]);
        *self.slots.get_mut(i) = Some((key, val, meta));
        let SlabMap {
            index,
            hasher,
            slots,
            ..
        } = self;
        // Growing rehashes every key from its slot.
        index.insert_unique(hash, i as u32, |&j| {
            let slot = slots.get(j as usize).expect("indexed slot is live");
            hasher.hash_one(&slot.0[..])
        });
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        // Not even hashed when empty: every DEL and every emptied list asks `expires` too.
        if self.index.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&i| {
                slots.get(i as usize).is_some_and(|s| &s.0[..] == key)
            })
            .ok()?;
        let (i, _) = entry.remove();
        let (_, v, _) = self
            .slots
            .get_mut(i as usize)
            .take()
            .expect("indexed slot is live");
        if i as usize + 1 == self.slots.len() {
            // Drop trailing free slots; forget them in the free list too.
            while self.slots.len() > 0 && self.slots.get(self.slots.len() - 1).is_none() {
                self.slots.pop();
            }
            let n = self.slots.len() as u32;
            self.free.retain(|&f| f < n);
        } else {
            self.free.push(i);
        }
        Some(v)
    }

    /// The value and its access metadata, in one lookup.
    pub fn get_mut_with_meta(&mut self, key: &[u8]) -> Option<(&mut V, &mut u64)> {
        let i = self.find(key)?;
        self.slot_mut(i)
    }

    /// The value in slot `i` (from [`SlabMap::slot_of`]), read only.
    pub fn slot_value(&self, i: usize) -> Option<&V> {
        self.slots.get(i).map(|(_, v, _)| v)
    }

    /// The value and access metadata in slot `i` (from [`SlabMap::slot_of`]).
    pub fn slot_mut(&mut self, i: usize) -> Option<(&mut V, &mut u64)> {
        self.slots.get_mut(i).as_mut().map(|(_, v, m)| (v, m))
    }

    pub fn set_meta(&mut self, key: &[u8], meta: u64) {
        if let Some(i) = self.find(key) {
            if let Some(slot) = self.slots.get_mut(i).as_mut() {
                slot.2 = meta;
            }
        }
    }
}

/// A [`SlabMap`]'s entries at one moment, without its index (see [`SlabMap::snapshot`]).
#[derive(Debug)]
pub struct SlotsSnapshot<V> {
    slots: Slots<(Key, V, u64)>,
}

impl<V> SlotsSnapshot<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &V)> {
        self.slots.iter().filter_map(|s| s.map(|(k, v, _)| (k, v)))
    }
}

/// A database at one moment, for the AOF rewrite: taken under the store lock in time
/// proportional to the number of slot chunks, not keys.
#[derive(Debug)]
pub struct DbSnapshot {
    pub keys: SlotsSnapshot<Value>,
    pub expires: SlotsSnapshot<i64>,
}

/// One database.
#[derive(Debug, Default)]
pub struct Db {
    pub keys: SlabMap<Value>,
    /// Absolute expire times in unix ms.
    pub expires: SlabMap<i64>,
    /// Hashes with field TTLs, by their earliest (Redis's `db->hexpires`).
    pub field_expires: FieldExpiries,
    /// Streams with server-side work at a time (a delayed entry due, the oldest entry
    /// passing the maximum age), by the earliest: the same hint rules as `field_expires`.
    pub stream_timers: FieldExpiries,
}

/// Hashes with field TTLs, each under one hint: a time at or before its earliest field TTL
/// (Redis's `hexpires`). The active cycle pops due hints and checks the hash itself, so a
/// stale hint (the key deleted or renamed, the field persisted or given a later time) costs
/// one lookup and nothing else. Everything that can make a hash's earliest TTL earlier notes
/// it again ([`FieldExpiries::note`] keeps the earlier of the two), so no due field waits for
/// a hint that is later than it.
#[derive(Debug, Default)]
pub struct FieldExpiries {
    by_time: std::collections::BTreeSet<(i64, Bytes)>,
    of_key: hashbrown::HashMap<Bytes, i64>,
}

impl FieldExpiries {
    /// Hints `key` at `when` unless it is hinted earlier already; true if the hint is new
    /// or earlier than before.
    pub fn note(&mut self, key: &Bytes, when: i64) -> bool {
        match self.of_key.get_mut(key) {
            Some(t) if *t <= when => false,
            Some(t) => {
                self.by_time.remove(&(*t, key.clone()));
                *t = when;
                self.by_time.insert((when, key.clone()));
                true
            }
            None => {
                self.of_key.insert(key.clone(), when);
                self.by_time.insert((when, key.clone()));
                true
            }
        }
    }

    /// The earliest hint's time.
    pub fn first_time(&self) -> Option<i64> {
        self.by_time.first().map(|(t, _)| *t)
    }

    pub fn forget(&mut self, key: &[u8]) {
        if let Some((k, t)) = self.of_key.remove_entry(key) {
            self.by_time.remove(&(t, k));
        }
    }

    /// The earliest hinted key if its hint is at or before `now`, unhinted.
    pub fn pop_due(&mut self, now: i64) -> Option<Bytes> {
        let (t, _) = self.by_time.first()?;
        if *t > now {
            return None;
        }
        let (_, k) = self.by_time.pop_first()?;
        self.of_key.remove(&k);
        Some(k)
    }

    /// Hashes hinted (INFO keyspace `subexpiry`; a stale hint counts until it is popped).
    pub fn len(&self) -> usize {
        self.of_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.of_key.is_empty()
    }

    pub fn clear(&mut self) {
        self.by_time.clear();
        self.of_key.clear();
    }
}

impl Db {
    /// See [`DbSnapshot`].
    pub fn snapshot(&self) -> DbSnapshot {
        DbSnapshot {
            keys: self.keys.snapshot(),
            expires: self.expires.snapshot(),
        }
    }

    pub fn expire_at(&self, key: &[u8]) -> Option<i64> {
        self.expires.get(key).copied()
    }

    /// True when `key` has an expire time at or before `now_ms` (it must be deleted).
    pub fn is_expired(&self, key: &[u8], now_ms: i64) -> bool {
        !self.expires.is_empty() && matches!(self.expires.get(key), Some(&t) if t <= now_ms)
    }

    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        self.expires.insert_with_meta(key, when_ms, 0);
    }

    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Removes a key and its expire; returns the value.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        let v = self.keys.remove(key)?;
        self.expires.remove(key);
        if !self.field_expires.is_empty() {
            self.field_expires.forget(key);
        }
        if !self.stream_timers.is_empty() {
            self.stream_timers.forget(key);
        }
        Some(v)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.expires.clear();
        self.field_expires.clear();
        self.stream_timers.clear();
    }
}

/// Per-key access metadata, as Redis's 24-bit `lru` field but unpacked:
/// bits 0..32 the unix second of the last access (LRU, OBJECT IDLETIME); bits 32..40 the LFU
/// counter and bits 40..56 the minute it was last decremented (OBJECT FREQ under an LFU policy).
pub mod access_meta {
    /// `LFU_INIT_VAL`: the counter a new key starts with.
    pub const LFU_INIT_VAL: u64 = 5;

    pub fn lru_secs(m: u64) -> u64 {
        m & 0xffff_ffff
    }

    fn lfu_counter(m: u64) -> u64 {
        (m >> 32) & 0xff
    }

    fn lfu_ldt(m: u64) -> u64 {
        (m >> 40) & 0xffff
    }

    fn pack(lru: u64, counter: u64, ldt: u64) -> u64 {
        (lru & 0xffff_ffff) | (counter & 0xff) << 32 | (ldt & 0xffff) << 40
    }

    fn minutes(now_secs: u64) -> u64 {
        (now_secs / 60) & 0xffff
    }

    /// `LFUDecrAndReturn`: the counter after decay (one step per `decay_time` minutes).
    pub fn lfu_decayed(m: u64, now_secs: u64, decay_time: u64) -> u64 {
        let (ldt, counter) = (lfu_ldt(m), lfu_counter(m));
        let now = minutes(now_secs);
        let elapsed = if now >= ldt {
            now - ldt
        } else {
            65535 - ldt + now
        };
        let periods = elapsed.checked_div(decay_time).unwrap_or(0);
        counter.saturating_sub(periods)
    }

    /// An access under an LRU (or no) eviction policy: only the access time moves; a key
    /// seen for the first time also gets the initial LFU counter.
    pub fn touched_lru(m: u64, now_secs: u64) -> u64 {
        if m == 0 {
            return fresh(now_secs);
        }
        (m & !0xffff_ffff) | (now_secs & 0xffff_ffff)
    }

    /// Metadata for a value arriving from a snapshot (`objectSetLRUOrLFU`): accessed `idle`
    /// seconds ago, with LFU counter `freq`; each as a fresh value when not given.
    pub fn restored(now_secs: u64, idle: Option<u64>, freq: Option<u8>) -> u64 {
        let lru = idle.map_or(now_secs, |i| now_secs.saturating_sub(i));
        let counter = freq.map_or(LFU_INIT_VAL, u64::from);
        pack(lru, counter, minutes(now_secs))
    }

    /// Metadata for a freshly written value.
    pub fn fresh(now_secs: u64) -> u64 {
        pack(now_secs, LFU_INIT_VAL, minutes(now_secs))
    }

    /// An access: LRU time now; LFU counter decayed, then `LFULogIncr`ed with `r` in [0,1).
    pub fn accessed(m: u64, now_secs: u64, log_factor: f64, decay_time: u64, r: f64) -> u64 {
        let mut counter = lfu_decayed(m, now_secs, decay_time);
        if counter < 255 {
            let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
            if r < 1.0 / (base * log_factor + 1.0) {
                counter += 1;
            }
        }
        pack(now_secs, counter, minutes(now_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_as_redis_does() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            1234567,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let s = RString::from_i64(v);
            assert_eq!(s.data(), v.to_string().as_bytes(), "{v}");
            assert_eq!(s.enc(), StrEnc::Int);
        }
    }

    #[test]
    fn scan_returns_keys_present_throughout() {
        let mut m: SlabMap<u32> = SlabMap::default();
        for i in 0..1000u32 {
            m.insert(format!("k{i}").as_bytes(), i);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = m.scan(cursor, 10, |k, _| {
                seen.insert(k.to_vec());
            });
            // Churn: delete and add other keys while scanning.
            round += 1;
            m.remove(format!("k{}", 500 + round % 400).as_bytes());
            m.insert(format!("new{round}").as_bytes(), 0);
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500u32 {
            assert!(seen.contains(format!("k{i}").as_bytes()));
        }
    }

    #[test]
    fn slots_shrink_and_reuse() {
        let mut m: SlabMap<u32> = SlabMap::default();
        m.insert("a".as_bytes(), 1);
        m.insert("b".as_bytes(), 2);
        m.remove(b"b".as_slice());
        m.remove(b"a".as_slice());
        assert_eq!(m.slots.len(), 0);
        m.insert("a".as_bytes(), 1);
        m.insert("b".as_bytes(), 2);
        m.remove(b"a".as_slice());
        m.insert("c".as_bytes(), 3);
        assert_eq!(m.slots.len(), 2);
        assert_eq!(m.get(b"c".as_slice()), Some(&3));
    }

    fn contents<'a>(it: impl Iterator<Item = (&'a Key, &'a u32)>) -> BTreeMap<Vec<u8>, u32> {
        it.map(|(k, v)| (k.to_vec(), *v)).collect()
    }

    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A snapshot and the model's contents at the moment it was taken.
    type Taken = (SlotsSnapshot<u32>, BTreeMap<Vec<u8>, u32>);

    proptest! {
        /// Snapshots taken between random inserts, overwrites and removals (across chunk
        /// boundaries, trailing-slot pops included) keep exactly the entries of their moment
        /// while the map goes on, and the map stays equal to a model.
        #[test]
        fn snapshots_keep_their_moment(ops in proptest::collection::vec((0u8..4, 0u32..700, any::<u32>()), 1..1500)) {
            let mut m: SlabMap<u32> = SlabMap::default();
            let mut model: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
            let mut snaps: Vec<Taken> = Vec::new();
            for (op, k, v) in ops {
                let key = format!("k{k}").into_bytes();
                match op {
                    0 | 1 => {
                        let old = m.insert(&key, v);
                        prop_assert_eq!(old, model.insert(key, v));
                    }
                    2 => {
                        prop_assert_eq!(m.remove(&key), model.remove(&key));
                    }
                    _ => {
                        if snaps.len() < 8 {
                            snaps.push((m.snapshot(), model.clone()));
                        } else {
                            // Drop one: its chunks become the map's own again.
                            snaps.remove(k as usize % snaps.len());
                        }
                    }
                }
                // A write in place through get_mut, as commands modify values.
                let key = format!("k{}", v % 700).into_bytes();
                if let Some(x) = m.get_mut(&key) {
                    *x = x.wrapping_add(1);
                    model.insert(key, *x);
                }
            }
            prop_assert_eq!(contents(m.iter()), model.clone());
            prop_assert_eq!(m.len(), model.len());
            for (snap, at) in &snaps {
                prop_assert_eq!(&contents(snap.iter()), at);
            }
        }
    }
}
