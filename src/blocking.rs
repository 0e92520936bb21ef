//! Blocked clients: one mechanism for lists and streams ("signal, then serve").
//!
//! A blocking command that finds nothing registers a [`Waiter`] on its keys and the connection
//! awaits its mailbox. A write that makes a key ready only *signals* it (`signal_ready`);
//! after the writing command (or the whole MULTI/EXEC) completes, the dispatcher serves the
//! ready keys: for each key, the clients blocked on it in first-come first-served order have
//! their command re-run non-blockingly (`cmd::serve_blocked`). A re-run that still finds
//! nothing leaves the client blocked; one that produces a reply (data, or an error such as
//! NOGROUP after the group vanished) unblocks the client and mails it the reply.
//!
//! Invariants: a client id is in `by_key[k]` for every key of its waiter and nowhere else;
//! `ready` holds each (db, key) at most once, and a key's `Queue::ready` is set exactly while
//! it is in `ready`; a queue leaves `by_key` once it has no waiters and is not ready.

use crate::types::stream::StreamId;
use bytes::Bytes;
use hashbrown::HashMap;
use std::collections::VecDeque;

/// A borrowed `(db, key)`, so probing the registry copies no key. It hashes exactly as the
/// owned pair does (`Bytes` hashes as its byte slice, and a derived tuple-struct hash writes
/// its fields in order, as a tuple's does).
#[derive(Hash)]
pub struct KeyRef<'a>(pub usize, pub &'a [u8]);

impl hashbrown::Equivalent<(usize, Bytes)> for KeyRef<'_> {
    fn equivalent(&self, k: &(usize, Bytes)) -> bool {
        self.0 == k.0 && self.1 == &k.1[..]
    }
}

/// The type of value a blocked client waits for (Redis's `bstate.btype`). A ready key is
/// served to a waiter only while it holds this type; XREADGROUP waiters are also served
/// when the key is gone or holds another type, so that they fail (NOGROUP, WRONGTYPE)
/// instead of waiting for a group that no longer exists (Redis's `unblock_on_nokey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockedType {
    List,
    Stream,
    /// BZPOPMIN, BZPOPMAX, BZMPOP.
    Zset,
}

impl BlockedType {
    /// Whether a key holding `v` can serve a waiter of this type.
    pub fn matches(self, v: &crate::db::Value) -> bool {
        matches!(
            (self, v),
            (BlockedType::List, crate::db::Value::List(_))
                | (BlockedType::Stream, crate::db::Value::Stream(_))
                | (BlockedType::Zset, crate::db::Value::Zset(_))
        )
    }
}

/// What a blocking command leaves behind when it must wait.
#[derive(Debug, Clone)]
pub struct BlockRequest {
    pub btype: BlockedType,
    pub keys: Vec<Bytes>,
    /// Absolute deadline in unix ms; `None` waits forever.
    pub deadline_ms: Option<i64>,
    /// The command to re-run when served (with `$` and similar resolved at block time).
    pub argv: Vec<Bytes>,
    pub on_timeout: TimeoutReply,
    /// For stream reads: what would serve the waiter, so a write that cannot serve it
    /// skips the re-run (as Redis 7.0 checks IDs before serving a stream waiter).
    pub stream: Option<StreamWait>,
    /// When a re-run may succeed without any write (unix ms): XREADGROUP CLAIM waits for a
    /// pending entry to become idle enough as well as for new entries.
    pub wake_at: Option<i64>,
    /// µs the blocking attempt ran (set by `cmd::call`): the slow log's duration for a
    /// command that then times out, as Redis 7.2 logs it.
    pub duration_us: u64,
}

/// What a blocked stream read waits for, per key (in `keys` order).
#[derive(Debug, Clone)]
pub enum StreamWait {
    /// XREAD: an entry after this ID (None: any entry, e.g. `+`).
    After(Vec<Option<StreamId>>),
    /// XREADGROUP `>`: an entry the group has not been delivered yet, or, with `claim`
    /// (CLAIM's min-idle-time), a pending entry idle that long.
    Group { group: Bytes, claim: Option<i64> },
}

impl StreamWait {
    /// For a CLAIM read: when the longest-idle entry pending in its group of `s` will be
    /// idle enough to claim.
    pub fn claimable_at(&self, s: &crate::types::stream::Stream) -> Option<i64> {
        match self {
            StreamWait::Group {
                group,
                claim: Some(min_idle),
            } => s.group(group)?.claimable_at(*min_idle),
            _ => None,
        }
    }

    /// Could `s`, the stream at `keys[i]`, serve the waiter at `now` (unix ms)? Anything else than a
    /// stream there is left to the re-run (which knows the errors).
    pub fn may_serve(&self, i: usize, s: &crate::types::stream::Stream, now: i64) -> bool {
        if let StreamWait::Group {
            group,
            claim: Some(min_idle),
        } = self
        {
            let claimable = s
                .group(group)
                .is_none_or(|g| g.claimable_at(*min_idle).is_some_and(|t| t <= now));
            if claimable {
                return true;
            }
        }
        let Some(last) = s.last_live_id() else {
            return matches!(self, StreamWait::Group { group, .. } if s.group(group).is_none());
        };
        match self {
            StreamWait::After(ids) => ids.get(i).copied().flatten().is_none_or(|id| last > id),
            StreamWait::Group { group, .. } => s.group(group).is_none_or(|grp| last > grp.last_id),
        }
    }
}

/// What a blocked command replies when its timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    /// `*-1` (RESP2) / `_` (RESP3): BLPOP, BRPOP, BLMPOP, XREAD, XREADGROUP.
    NullArray,
    /// `$-1` / `_`: BLMOVE, BRPOPLPUSH.
    NullBulk,
}

#[derive(Debug)]
pub struct Waiter {
    pub id: u64,
    pub db: usize,
    pub btype: BlockedType,
    pub argv: Vec<Bytes>,
    pub keys: Vec<Bytes>,
    pub resp: u8,
    pub name: Option<Bytes>,
    /// The blocked client's shared part: its mailbox, and what a re-run acts as.
    pub shared: std::sync::Arc<crate::client::ClientShared>,
    pub deadline_ms: Option<i64>,
    pub on_timeout: TimeoutReply,
    pub stream: Option<StreamWait>,
    /// See [`BlockRequest::wake_at`].
    pub wake_at: Option<i64>,
    /// µs the blocking attempt ran (`BlockRequest::duration_us`).
    pub duration_us: u64,
}

/// The clients blocked on one key, first come first, and whether the key is in `ready`.
#[derive(Debug, Default)]
struct Queue {
    ids: VecDeque<u64>,
    ready: bool,
}

#[derive(Debug, Default)]
pub struct Blocking {
    by_key: HashMap<(usize, Bytes), Queue>,
    pub waiters: HashMap<u64, Waiter>,
    ready: Vec<(usize, Bytes)>,
}

impl Blocking {
    pub fn block(&mut self, w: Waiter) {
        for k in &w.keys {
            let q = self.by_key.entry((w.db, k.clone())).or_default();
            if !q.ids.contains(&w.id) {
                q.ids.push_back(w.id);
            }
        }
        self.waiters.insert(w.id, w);
    }

    pub fn is_blocked(&self, id: u64) -> bool {
        self.waiters.contains_key(&id)
    }

    /// Removes a client's waiter from every key it waits on.
    pub fn unblock(&mut self, id: u64) -> Option<Waiter> {
        let w = self.waiters.remove(&id)?;
        for k in &w.keys {
            let key = KeyRef(w.db, k);
            if let Some(q) = self.by_key.get_mut(&key) {
                // A served client is nearly always the first in line.
                if let Some(i) = q.ids.iter().position(|&c| c == id) {
                    q.ids.remove(i);
                }
                // Kept while ready, so its flag keeps `ready` free of duplicates.
                if q.ids.is_empty() && !q.ready {
                    self.by_key.remove(&key);
                }
            }
        }
        Some(w)
    }

    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        // Every write to any key comes here while someone is blocked: one probe, and the
        // registry's own key is shared (not copied) into `ready`.
        if let Some(((_, k), q)) = self.by_key.get_key_value_mut(&KeyRef(db, key)) {
            if !q.ready {
                q.ready = true;
                self.ready.push((db, k.clone()));
            }
        }
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    pub fn take_ready(&mut self) -> Vec<(usize, Bytes)> {
        let ready = std::mem::take(&mut self.ready);
        for (db, k) in &ready {
            let key = KeyRef(*db, k);
            if let Some(q) = self.by_key.get_mut(&key) {
                q.ready = false;
                if q.ids.is_empty() {
                    self.by_key.remove(&key);
                }
            }
        }
        ready
    }

    /// The clients blocked on a key, first come first.
    pub fn waiting_on(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.by_key
            .get(&KeyRef(db, key))
            .map(|q| q.ids.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The keys of `db` that clients wait on in a list pop (BLPOP, BRPOP, BLMOVE, BLMPOP...),
    /// with how many wait on each.
    pub fn list_waits(&self, db: usize) -> impl Iterator<Item = (&Bytes, usize)> {
        self.by_key.iter().filter_map(move |((d, k), q)| {
            let n = self.list_waiters(q);
            (*d == db && n > 0).then_some((k, n))
        })
    }

    /// How many clients wait on `key` of `db` in a list pop.
    pub fn list_waiting_on(&self, db: usize, key: &[u8]) -> usize {
        self.by_key
            .get(&KeyRef(db, key))
            .map_or(0, |q| self.list_waiters(q))
    }

    fn list_waiters(&self, q: &Queue) -> usize {
        q.ids
            .iter()
            .filter(|id| {
                self.waiters
                    .get(*id)
                    .is_some_and(|w| w.btype == BlockedType::List)
            })
            .count()
    }

    /// Blocked client count (INFO `blocked_clients`).
    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// Number of distinct keys clients block on.
    pub fn keys_len(&self) -> usize {
        self.by_key.values().filter(|q| !q.ids.is_empty()).count()
    }

    /// Signals the keys of waiters whose wake-up time passed at `now` (each wake-up once: a
    /// re-run that still waits sets its next one), so that the next serving re-runs them.
    pub fn wake_due(&mut self, now: i64) {
        let mut due = Vec::new();
        for w in self.waiters.values_mut() {
            if matches!(w.wake_at, Some(t) if t <= now) {
                w.wake_at = None;
                due.extend(w.keys.iter().map(|k| (w.db, k.clone())));
            }
        }
        for (db, k) in due {
            self.signal_ready(db, &k);
        }
    }

    /// Ids of waiters whose deadline passed at `now`.
    pub fn expired(&self, now: i64) -> Vec<u64> {
        self.waiters
            .values()
            .filter(|w| matches!(w.deadline_ms, Some(d) if d <= now))
            .map(|w| w.id)
            .collect()
    }

    /// SWAPDB: the two databases exchange their data, not their clients. A client blocked in
    /// database `a` stays blocked there and now sees what was `b`'s, so every key waited on
    /// in either database is signalled, to be served if the swapped-in value can serve it
    /// (Redis's `scanDatabaseForReadyKeys` on both).
    pub fn swap_db(&mut self, a: usize, b: usize) {
        let keys: Vec<(usize, Bytes)> = self
            .by_key
            .iter()
            .filter(|((db, _), q)| (*db == a || *db == b) && !q.ids.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for (db, k) in keys {
            self.signal_ready(db, &k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter(id: u64, db: usize, keys: &[&str]) -> Waiter {
        Waiter {
            id,
            db,
            btype: BlockedType::List,
            argv: vec![],
            keys: keys
                .iter()
                .map(|k| Bytes::copy_from_slice(k.as_bytes()))
                .collect(),
            resp: 2,
            name: None,
            shared: std::sync::Arc::new(crate::client::ClientShared::new(id)),
            deadline_ms: None,
            on_timeout: TimeoutReply::NullArray,
            stream: None,
            wake_at: None,
            duration_us: 0,
        }
    }

    fn keys(ready: &[(usize, Bytes)]) -> Vec<(usize, &[u8])> {
        ready.iter().map(|(d, k)| (*d, &k[..])).collect()
    }

    #[test]
    fn a_key_is_ready_once_until_taken() {
        let mut b = Blocking::default();
        b.block(waiter(1, 0, &["q", "r"]));
        b.block(waiter(2, 0, &["q"]));
        b.signal_ready(0, b"q");
        b.signal_ready(0, b"nobody");
        b.signal_ready(1, b"q");
        b.signal_ready(0, b"q");
        assert_eq!(b.waiting_on(0, &Bytes::from_static(b"q")), [1, 2]);
        // The last waiter leaving a ready key keeps it out of `ready` a second time.
        b.unblock(1);
        b.unblock(2);
        assert_eq!(b.keys_len(), 0);
        b.block(waiter(3, 0, &["q"]));
        b.signal_ready(0, b"q");
        assert_eq!(keys(&b.take_ready()), [(0, &b"q"[..])]);
        assert!(!b.has_ready());
        // Taken: the key can be signalled again.
        b.signal_ready(0, b"q");
        assert_eq!(keys(&b.take_ready()), [(0, &b"q"[..])]);
        b.unblock(3);
        assert!(b.by_key.is_empty());
    }

    #[test]
    fn swapdb_signals_the_waiters_of_both_databases_where_they_are() {
        for (a, c) in [(0, 1), (0, 0)] {
            let mut b = Blocking::default();
            b.block(waiter(1, 0, &["q"]));
            b.block(waiter(2, 1, &["r"]));
            b.block(waiter(3, 2, &["q"]));
            b.swap_db(a, c);
            let ready = b.take_ready();
            let mut got = keys(&ready);
            got.sort();
            let want: Vec<(usize, &[u8])> = if c == 1 {
                vec![(0, b"q"), (1, b"r")]
            } else {
                vec![(0, b"q")]
            };
            assert_eq!(got, want, "SWAPDB {a} {c}");
            // Waiters stay in their own database.
            assert_eq!(b.waiters[&1].db, 0);
            assert_eq!(b.waiters[&2].db, 1);
            assert_eq!(b.waiting_on(0, &Bytes::from_static(b"q")), [1]);
        }
    }

    #[test]
    fn a_borrowed_key_finds_the_owned_one() {
        let mut m: HashMap<(usize, Bytes), u32> = HashMap::new();
        for (db, k) in [(0, "a"), (0, "queue:1"), (3, "queue:1"), (0, "")] {
            m.insert((db, Bytes::copy_from_slice(k.as_bytes())), 1);
        }
        for (db, k) in [(0, "a"), (0, "queue:1"), (3, "queue:1"), (0, "")] {
            assert!(m.contains_key(&KeyRef(db, k.as_bytes())), "{db} {k}");
        }
        for (db, k) in [(1, "a"), (0, "queue:2"), (3, "a"), (0, "queue")] {
            assert!(!m.contains_key(&KeyRef(db, k.as_bytes())), "{db} {k}");
        }
    }
}
