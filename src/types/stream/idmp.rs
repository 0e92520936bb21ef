//! Idempotent production (Redis 8.6 `XADD ... IDMP pid iid` / `IDMPAUTO pid`): for each
//! producer, the idempotent IDs (iids) it sent recently and the entry each one added, so a
//! producer retrying an XADD gets the original entry's ID instead of a second entry, even
//! after that entry was deleted.
//!
//! Invariants: a producer's `order` and `ids` hold the same entries, `order` by insertion
//! (each as its iid's hash and its entry ID, which no other iid of the producer maps to), and
//! at most the stream's max size of them. An iid is forgotten once its entry's ID time (the
//! millisecond XADD `*` took from the clock) is `duration` seconds old: nothing else needs
//! storing to expire it, and a replay of the AOF reaches the same answer. Expired iids leave
//! when their producer is next used; until then only the counts of XINFO skip them.

use super::StreamId;
use crate::types::varint::Checked;
use bytes::Bytes;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::collections::VecDeque;
use std::hash::BuildHasher;

/// `stream-idmp-duration`'s default and bounds (seconds).
pub const DURATION_DEFAULT: u64 = 100;
pub const DURATION_MAX: u64 = 86_400;
/// `stream-idmp-maxsize`'s default and bounds (iids per producer).
pub const MAXSIZE_DEFAULT: u64 = 100;
pub const MAXSIZE_MAX: u64 = 10_000;

/// An iid as stored: in place up to 22 bytes (sequence numbers, order IDs), else boxed. A
/// recorded iid costs no allocation then.
#[derive(Debug, Clone)]
enum Iid {
    Inline(u8, [u8; 22]),
    Heap(Box<[u8]>),
}

impl Iid {
    fn new(b: &[u8]) -> Iid {
        if b.len() <= 22 {
            let mut buf = [0u8; 22];
            buf[..b.len()].copy_from_slice(b);
            Iid::Inline(b.len() as u8, buf)
        } else {
            Iid::Heap(b.into())
        }
    }

    /// Bytes it keeps outside itself.
    fn heap_bytes(&self) -> usize {
        match self {
            Iid::Inline(..) => 0,
            Iid::Heap(b) => b.len(),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Iid::Inline(n, buf) => &buf[..*n as usize],
            Iid::Heap(b) => b,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Producer {
    /// Oldest first: each iid's hash and the entry it added (the hash finds it in `ids`
    /// without storing the iid twice or hashing it again).
    order: VecDeque<(u64, StreamId)>,
    ids: HashTable<(Iid, StreamId)>,
    hasher: DefaultHashBuilder,
    /// The iids' bytes kept out of line, summed (MEMORY USAGE and the metrics scrape ask
    /// for the size of every stream under the store lock: no walk of the iids).
    heap_bytes: usize,
}

impl Producer {
    fn hash(&self, iid: &[u8]) -> u64 {
        self.hasher.hash_one(iid)
    }

    fn forget_oldest(&mut self) {
        if let Some((h, id)) = self.order.pop_front() {
            if let Ok(e) = self.ids.find_entry(h, |e| e.1 == id) {
                self.heap_bytes -= e.remove().0 .0.heap_bytes();
            }
        }
    }

    fn forget_expired(&mut self, now: i64, duration: u64) {
        while self
            .order
            .front()
            .is_some_and(|(_, id)| expired(*id, now, duration))
        {
            self.forget_oldest();
        }
    }

    /// Maps `iid` to entry `id`, forgetting the oldest iids past `maxsize`; `Err(existing)`
    /// if `iid` is mapped already (nothing changes then). One hash of `iid` either way.
    fn insert(&mut self, iid: &[u8], id: StreamId, maxsize: u64) -> Result<(), StreamId> {
        let h = self.hash(iid);
        let hasher = &self.hasher;
        match self.ids.entry(
            h,
            |e| e.0.as_bytes() == iid,
            |e| hasher.hash_one(e.0.as_bytes()),
        ) {
            hashbrown::hash_table::Entry::Occupied(o) => return Err(o.get().1),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let iid = Iid::new(iid);
                self.heap_bytes += iid.heap_bytes();
                v.insert((iid, id));
                self.order.push_back((h, id));
            }
        }
        while self.order.len() as u64 > maxsize.max(1) {
            self.forget_oldest();
        }
        Ok(())
    }

    fn get(&self, iid: &[u8]) -> Option<StreamId> {
        self.ids
            .find(self.hash(iid), |e| e.0.as_bytes() == iid)
            .map(|e| e.1)
    }

    /// (iid, entry), oldest first.
    fn iter(&self) -> impl Iterator<Item = (&[u8], StreamId)> + '_ {
        self.order.iter().filter_map(|&(h, id)| {
            self.ids
                .find(h, |e| e.1 == id)
                .map(|e| (e.0.as_bytes(), id))
        })
    }
}

fn expired(id: StreamId, now: i64, duration: u64) -> bool {
    (id.ms as i128) + (duration as i128) * 1000 <= now as i128
}

/// A stream's idempotency state.
#[derive(Debug, Clone, Default)]
pub struct Idmp {
    /// XCFGSET IDMP-DURATION / IDMP-MAXSIZE; None follows the server's directive.
    pub duration: Option<u64>,
    pub maxsize: Option<u64>,
    /// By producer ID: one probe per XADD IDMP (a rewrite and the RDB sort them).
    producers: HashTable<(Bytes, Producer)>,
    hasher: DefaultHashBuilder,
    /// iids ever recorded, and XADDs answered as duplicates (XINFO's lifetime counters).
    pub iids_added: u64,
    pub iids_duplicates: u64,
}

impl Idmp {
    /// The producer's state, created if new. Its ID is copied: the argument may be a slice
    /// of a connection's read buffer, which a long-lived reference would keep whole.
    fn producer(&mut self, pid: &[u8]) -> &mut Producer {
        let hasher = &self.hasher;
        let entry = self.producers.entry(
            hasher.hash_one(pid),
            |(k, _)| &k[..] == pid,
            |(k, _)| hasher.hash_one(&k[..]),
        );
        &mut entry
            .or_insert_with(|| (Bytes::copy_from_slice(pid), Producer::default()))
            .into_mut()
            .1
    }

    /// The producers by ID (a stable order for the rewrite and the RDB).
    fn sorted(&self) -> Vec<&(Bytes, Producer)> {
        let mut v: Vec<_> = self.producers.iter().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Remembers that `pid`'s `iid` added entry `id`, forgetting the producer's oldest iids
    /// past `maxsize`. False if `iid` was already mapped (to `id` or another entry): nothing
    /// changes then.
    pub fn record(&mut self, pid: &[u8], iid: &[u8], id: StreamId, maxsize: u64) -> bool {
        let added = self.producer(pid).insert(iid, id, maxsize).is_ok();
        self.iids_added += added as u64;
        added
    }

    /// XADD IDMP in one pass: `Err(original)` if `pid` sent `iid` within `duration` seconds
    /// of `now` (a duplicate, counted), else records that it adds entry `id` (as
    /// [`Idmp::record`]) and answers `Ok`.
    pub fn check_or_record(
        &mut self,
        pid: &[u8],
        iid: &[u8],
        id: StreamId,
        now: i64,
        duration: u64,
        maxsize: u64,
    ) -> Result<(), StreamId> {
        let p = self.producer(pid);
        p.forget_expired(now, duration);
        let res = p.insert(iid, id, maxsize);
        match res {
            Ok(()) => self.iids_added += 1,
            Err(_) => self.iids_duplicates += 1,
        }
        res
    }

    /// The entry a pair maps to now (XIDMPRECORD's consistency check), without expiring.
    pub fn get(&self, pid: &[u8], iid: &[u8]) -> Option<StreamId> {
        self.producers
            .find(self.hasher.hash_one(pid), |(k, _)| &k[..] == pid)?
            .1
            .get(iid)
    }

    /// Forgets every producer's iids (XCFGSET changing a setting); counters stay.
    pub fn clear(&mut self) {
        self.producers.clear();
    }

    /// XINFO STREAM's IDMP fields for a stream with this state (or none): the stream's own
    /// duration and maximum size, else the server's defaults given.
    pub fn stats(
        this: Option<&Idmp>,
        now: i64,
        default_duration: u64,
        default_maxsize: u64,
    ) -> IdmpStats {
        let duration = this.and_then(|m| m.duration).unwrap_or(default_duration);
        let (pids, iids) = this.map_or((0, 0), |m| m.tracked(now, duration));
        IdmpStats {
            duration,
            maxsize: this.and_then(|m| m.maxsize).unwrap_or(default_maxsize),
            pids_tracked: pids as u64,
            iids_tracked: iids as u64,
            iids_added: this.map_or(0, |m| m.iids_added),
            iids_duplicates: this.map_or(0, |m| m.iids_duplicates),
        }
    }

    /// (producers, iids) still remembered at `now` (XINFO's pids-tracked, iids-tracked).
    /// O(producers × log iids): a producer's iids are in entry-ID order (XADD IDMP takes
    /// `*` IDs, which only grow), so the expired ones are a prefix.
    pub fn tracked(&self, now: i64, duration: u64) -> (usize, usize) {
        let mut pids = 0;
        let mut iids = 0;
        for (_, p) in self.producers.iter() {
            let live = p.order.len()
                - p.order
                    .partition_point(|(_, id)| expired(*id, now, duration));
            if live > 0 {
                pids += 1;
                iids += live;
            }
        }
        (pids, iids)
    }

    /// Every remembered (producer, iid, entry), each producer's oldest first: what a rewrite
    /// writes back.
    pub fn records(&self) -> impl Iterator<Item = (&Bytes, &[u8], StreamId)> {
        self.sorted()
            .into_iter()
            .flat_map(|(pid, p)| p.iter().map(move |(iid, id)| (pid, iid, id)))
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn mem_usage(&self) -> usize {
        self.producers
            .iter()
            .map(|(pid, p)| pid.len() + 64 + p.order.len() * 80 + p.heap_bytes)
            .sum::<usize>()
            + 64
    }
}

/// IDMPAUTO's iid: a digest of the entry's field-value pairs, whatever their order (pairs
/// sorted, each part length-prefixed so that no two different sets of pairs collide by
/// concatenation).
pub fn content_iid<F: AsRef<[u8]>>(fields: &[F]) -> Bytes {
    use sha1::{Digest, Sha1};
    let mut pairs: Vec<(&[u8], &[u8])> = fields
        .chunks(2)
        .map(|c| (c[0].as_ref(), c[1].as_ref()))
        .collect();
    pairs.sort();
    let mut h = Sha1::new();
    for (f, v) in pairs {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f);
        h.update((v.len() as u64).to_le_bytes());
        h.update(v);
    }
    Bytes::copy_from_slice(&h.finalize())
}

/// The RDB AUX field that carries a stream's idempotency state (written after the stream
/// key; Redis and older sluice skip AUX fields they do not know, losing nothing else).
pub const AUX_NAME: &str = "sluice-idmp";

impl Idmp {
    /// The AUX value for the stream `key` of database `db`: a version byte, then varints and
    /// length-prefixed strings (db, key, settings, counters, per producer its iids and
    /// entry IDs, oldest first).
    pub fn encode_aux(&self, db: usize, key: &[u8]) -> Vec<u8> {
        use crate::types::varint::{put_str, put_varint};
        let mut out = vec![1u8];
        put_varint(&mut out, db as u64);
        put_str(&mut out, key);
        let flags = self.duration.is_some() as u64 | (self.maxsize.is_some() as u64) << 1;
        put_varint(&mut out, flags);
        for v in [self.duration, self.maxsize].into_iter().flatten() {
            put_varint(&mut out, v);
        }
        put_varint(&mut out, self.iids_added);
        put_varint(&mut out, self.iids_duplicates);
        put_varint(&mut out, self.producers.len() as u64);
        for (pid, p) in self.sorted() {
            put_str(&mut out, pid);
            put_varint(&mut out, p.order.len() as u64);
            for (iid, id) in p.iter() {
                put_str(&mut out, iid);
                put_varint(&mut out, id.ms);
                put_varint(&mut out, id.seq);
            }
        }
        out
    }

    /// Reads [`Idmp::encode_aux`]'s value back: (db, key, state), None if it is malformed
    /// (it comes from a file: every length is checked).
    pub fn decode_aux(b: &[u8]) -> Option<(usize, Bytes, Idmp)> {
        let mut r = Checked::new(b);
        if r.byte()? != 1 {
            return None;
        }
        let db = r.varint()? as usize;
        let key = Bytes::copy_from_slice(r.str()?);
        let flags = r.varint()?;
        let mut m = Idmp::default();
        if flags & 1 != 0 {
            m.duration = Some(r.varint()?);
        }
        if flags & 2 != 0 {
            m.maxsize = Some(r.varint()?);
        }
        m.iids_added = r.varint()?;
        m.iids_duplicates = r.varint()?;
        for _ in 0..r.varint()? {
            let pid = Bytes::copy_from_slice(r.str()?);
            let mut p = Producer::default();
            for _ in 0..r.varint()? {
                let iid = r.str()?;
                let id = StreamId::new(r.varint()?, r.varint()?);
                // A repeated iid keeps its first entry; the file's count is the bound.
                let _ = p.insert(iid, id, u64::MAX);
            }
            if !p.ids.is_empty() {
                // A producer twice in the file: the first one counts.
                let hasher = &m.hasher;
                if let hashbrown::hash_table::Entry::Vacant(v) = m.producers.entry(
                    hasher.hash_one(&pid[..]),
                    |(k, _)| *k == pid,
                    |(k, _)| hasher.hash_one(&k[..]),
                ) {
                    v.insert((pid, p));
                }
            }
        }
        r.at_end().then_some((db, key, m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn duplicates_expire_and_evict_per_producer() {
        let mut m = Idmp::default();
        let id = |ms| StreamId::new(ms, 0);
        assert!(m.record(&b("p1"), &b("a"), id(1000), 2));
        assert!(!m.record(&b("p1"), &b("a"), id(1001), 2));
        assert!(m.record(&b("p1"), &b("b"), id(1002), 2));
        assert!(m.record(&b("p2"), &b("a"), id(1003), 2));
        assert_eq!(
            m.check_or_record(b"p1", b"a", id(9), 1500, 1, 2),
            Err(id(1000))
        );
        assert_eq!(
            m.check_or_record(b"p2", b"a", id(9), 1500, 1, 2),
            Err(id(1003))
        );
        assert_eq!(m.iids_duplicates, 2);
        // A third iid pushes p1's oldest out.
        assert!(m.record(&b("p1"), &b("c"), id(1004), 2));
        assert_eq!(m.get(b"p1", b"a"), None);
        assert_eq!(m.tracked(1500, 1), (2, 3));
        // One second after its entry's time an iid is gone: "b" is new again.
        assert_eq!(m.check_or_record(b"p1", b"b", id(2002), 2002, 1, 2), Ok(()));
        assert_eq!(m.tracked(2004, 1), (1, 1));
        assert_eq!(m.iids_added, 5);
    }

    #[test]
    fn memory_counts_long_iids_as_they_come_and_go() {
        let mut m = Idmp::default();
        let long = [b'x'; 30];
        let base = 64 + 2 + 64;
        assert!(m.record(b"p1", &long, StreamId::new(1, 0), 2));
        assert_eq!(m.mem_usage(), base + 80 + 30);
        assert!(m.record(b"p1", b"short", StreamId::new(2, 0), 2));
        assert_eq!(m.mem_usage(), base + 2 * 80 + 30);
        // The long one is evicted by the third.
        assert!(m.record(b"p1", b"s2", StreamId::new(3, 0), 2));
        assert_eq!(m.mem_usage(), base + 2 * 80);
    }

    #[test]
    fn check_or_record_is_lookup_then_record() {
        let mut m = Idmp::default();
        let id = |ms| StreamId::new(ms, 0);
        assert_eq!(m.check_or_record(b"p", b"a", id(1000), 1000, 1, 2), Ok(()));
        assert_eq!(
            m.check_or_record(b"p", b"a", id(1001), 1500, 1, 2),
            Err(id(1000))
        );
        assert_eq!(m.check_or_record(b"p", b"b", id(1002), 1500, 1, 2), Ok(()));
        assert_eq!(m.check_or_record(b"p", b"c", id(1003), 1500, 1, 2), Ok(()));
        // "a" was pushed out by MAXSIZE 2; "b" expires one second after its entry's time.
        assert_eq!(m.check_or_record(b"p", b"a", id(1004), 1600, 1, 2), Ok(()));
        assert_eq!(m.check_or_record(b"p", b"b", id(2100), 2100, 1, 2), Ok(()));
        assert_eq!((m.iids_added, m.iids_duplicates), (5, 1));
        // By then "c" and "a" (entries at 1003 and 1004) have expired too.
        assert_eq!(m.tracked(2100, 1), (1, 1));
    }

    #[test]
    fn aux_round_trips_and_refuses_garbage() {
        let mut m = Idmp {
            duration: Some(5),
            ..Idmp::default()
        };
        m.record(&b("p"), &b("i1"), StreamId::new(7, 1), 10);
        m.record(&b("p"), &b("i2"), StreamId::new(8, 0), 10);
        m.iids_duplicates = 3;
        let enc = m.encode_aux(2, b"k");
        let (db, key, back) = Idmp::decode_aux(&enc).unwrap();
        assert_eq!((db, &key[..]), (2, &b"k"[..]));
        assert_eq!((back.duration, back.maxsize), (Some(5), None));
        assert_eq!((back.iids_added, back.iids_duplicates), (2, 3));
        assert_eq!(back.records().count(), 2);
        for cut in 0..enc.len() {
            assert!(Idmp::decode_aux(&enc[..cut]).is_none(), "cut at {cut}");
        }
        assert!(Idmp::decode_aux(&[1, 0, 200, 200, 200]).is_none());
    }

    #[test]
    fn content_iid_ignores_pair_order_only() {
        let a = content_iid(&["f1", "a", "f2", "b"]);
        assert_eq!(a, content_iid(&["f2", "b", "f1", "a"]));
        assert_ne!(a, content_iid(&["f1", "b", "f2", "a"]));
        assert_ne!(content_iid(&["ab", "c"]), content_iid(&["a", "bc"]));
    }
}

/// A stream's idempotency figures as XINFO STREAM reports them (Redis 8.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdmpStats {
    pub duration: u64,
    pub maxsize: u64,
    pub pids_tracked: u64,
    pub iids_tracked: u64,
    pub iids_added: u64,
    pub iids_duplicates: u64,
}
