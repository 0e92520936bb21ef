//! Idempotent production (Redis 8.6 `XADD ... IDMP pid iid` / `IDMPAUTO pid`): for each
//! producer, the idempotent IDs (iids) it sent recently and the entry each one added, so a
//! producer retrying an XADD gets the original entry's ID instead of a second entry, even
//! after that entry was deleted.
//!
//! Invariants: a producer's `order` and `ids` hold the same iids, `order` by insertion, and
//! at most the stream's max size of them. An iid is forgotten once its entry's ID time (the
//! millisecond XADD `*` took from the clock) is `duration` seconds old: nothing else needs
//! storing to expire it, and a replay of the AOF reaches the same answer. Expired iids leave
//! when their producer is next used; until then only the counts of XINFO skip them.

use super::StreamId;
use crate::types::varint::Checked;
use bytes::Bytes;
use hashbrown::HashMap;
use std::collections::{BTreeMap, VecDeque};

/// `stream-idmp-duration`'s default and bounds (seconds).
pub const DURATION_DEFAULT: u64 = 100;
pub const DURATION_MAX: u64 = 86_400;
/// `stream-idmp-maxsize`'s default and bounds (iids per producer).
pub const MAXSIZE_DEFAULT: u64 = 100;
pub const MAXSIZE_MAX: u64 = 10_000;

/// An iid as stored: one allocation shared by the map and the order (a clone is a count).
type Iid = std::sync::Arc<[u8]>;

#[derive(Debug, Clone, Default)]
struct Producer {
    order: VecDeque<(Iid, StreamId)>,
    ids: HashMap<Iid, StreamId>,
}

impl Producer {
    fn forget_expired(&mut self, now: i64, duration: u64) {
        while let Some((iid, id)) = self.order.front() {
            if !expired(*id, now, duration) {
                break;
            }
            self.ids.remove(iid);
            self.order.pop_front();
        }
    }

    /// Maps `iid` to entry `id`, forgetting the oldest iids past `maxsize`; `Err(existing)`
    /// if `iid` is mapped already (nothing changes then). One hash of `iid` either way.
    fn insert(&mut self, iid: &[u8], id: StreamId, maxsize: u64) -> Result<(), StreamId> {
        match self.ids.entry_ref(iid) {
            hashbrown::hash_map::EntryRef::Occupied(o) => return Err(*o.get()),
            hashbrown::hash_map::EntryRef::Vacant(v) => {
                let key: Iid = iid.into();
                v.insert_with_key(key.clone(), id);
                self.order.push_back((key, id));
            }
        }
        while self.order.len() as u64 > maxsize.max(1) {
            if let Some((old, _)) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        Ok(())
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
    /// By producer ID (ordered, so a rewrite writes them in a stable order).
    producers: BTreeMap<Bytes, Producer>,
    /// iids ever recorded, and XADDs answered as duplicates (XINFO's lifetime counters).
    pub iids_added: u64,
    pub iids_duplicates: u64,
}

impl Idmp {
    /// The producer's state, created if new. Its ID is copied: the argument may be a slice
    /// of a connection's read buffer, which a long-lived reference would keep whole.
    fn producer(&mut self, pid: &[u8]) -> &mut Producer {
        if !self.producers.contains_key(pid) {
            self.producers
                .insert(Bytes::copy_from_slice(pid), Producer::default());
        }
        self.producers.get_mut(pid).expect("just ensured")
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
        self.producers.get(pid)?.ids.get(iid).copied()
    }

    /// Forgets every producer's iids (XCFGSET changing a setting); counters stay.
    pub fn clear(&mut self) {
        self.producers.clear();
    }

    /// (producers, iids) still remembered at `now` (XINFO's pids-tracked, iids-tracked).
    pub fn tracked(&self, now: i64, duration: u64) -> (usize, usize) {
        let mut pids = 0;
        let mut iids = 0;
        for p in self.producers.values() {
            let live = p
                .order
                .iter()
                .filter(|(_, id)| !expired(*id, now, duration))
                .count();
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
        self.producers
            .iter()
            .flat_map(|(pid, p)| p.order.iter().map(move |(iid, id)| (pid, &iid[..], *id)))
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn mem_usage(&self) -> usize {
        self.producers
            .iter()
            .map(|(pid, p)| {
                pid.len()
                    + 64
                    + p.order
                        .iter()
                        .map(|(iid, _)| iid.len() * 2 + 80)
                        .sum::<usize>()
            })
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
        for (pid, p) in &self.producers {
            put_str(&mut out, pid);
            put_varint(&mut out, p.order.len() as u64);
            for (iid, id) in &p.order {
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
                let iid: Iid = r.str()?.into();
                let id = StreamId::new(r.varint()?, r.varint()?);
                if p.ids.insert(iid.clone(), id).is_none() {
                    p.order.push_back((iid, id));
                }
            }
            if !p.ids.is_empty() {
                m.producers.insert(pid, p);
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
