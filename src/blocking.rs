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
//! `ready` holds each (db, key) at most once.

use crate::types::stream::StreamId;
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use std::collections::VecDeque;

/// A borrowed `(db, key)`, so probing the registry copies no key. It hashes exactly as the
/// owned pair does (`Bytes` hashes as its byte slice, and a derived tuple-struct hash writes
/// its fields in order, as a tuple's does).
#[derive(Hash)]
struct KeyRef<'a>(usize, &'a [u8]);

impl hashbrown::Equivalent<(usize, Bytes)> for KeyRef<'_> {
    fn equivalent(&self, k: &(usize, Bytes)) -> bool {
        self.0 == k.0 && self.1 == &k.1[..]
    }
}

/// What a blocking command leaves behind when it must wait.
#[derive(Debug, Clone)]
pub struct BlockRequest {
    pub keys: Vec<Bytes>,
    /// Absolute deadline in unix ms; `None` waits forever.
    pub deadline_ms: Option<i64>,
    /// The command to re-run when served (with `$` and similar resolved at block time).
    pub argv: Vec<Bytes>,
    pub on_timeout: TimeoutReply,
    /// For stream reads: what would serve the waiter, so a write that cannot serve it
    /// skips the re-run (as Redis 7.0 checks IDs before serving a stream waiter).
    pub stream: Option<StreamWait>,
}

/// What a blocked stream read waits for, per key (in `keys` order).
#[derive(Debug, Clone)]
pub enum StreamWait {
    /// XREAD: an entry after this ID (None: any entry, e.g. `+`).
    After(Vec<Option<StreamId>>),
    /// XREADGROUP `>`: an entry the group has not been delivered yet.
    Group(Bytes),
}

impl StreamWait {
    /// Could `s`, the stream at `keys[i]`, serve the waiter now? Anything else than a
    /// stream there is left to the re-run (which knows the errors).
    pub fn may_serve(&self, i: usize, s: &crate::types::stream::Stream) -> bool {
        let Some(last) = s.last_live_id() else {
            return matches!(self, StreamWait::Group(g) if !s.groups.contains_key(g));
        };
        match self {
            StreamWait::After(ids) => ids.get(i).copied().flatten().is_none_or(|id| last > id),
            StreamWait::Group(g) => s.groups.get(g).is_none_or(|grp| last > grp.last_id),
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
    pub argv: Vec<Bytes>,
    pub keys: Vec<Bytes>,
    pub resp: u8,
    pub name: Option<Bytes>,
    /// The blocked client's shared part: its mailbox, and what a re-run acts as.
    pub shared: std::sync::Arc<crate::store::ClientShared>,
    pub deadline_ms: Option<i64>,
    pub on_timeout: TimeoutReply,
    pub stream: Option<StreamWait>,
}

#[derive(Debug, Default)]
pub struct Blocking {
    by_key: HashMap<(usize, Bytes), VecDeque<u64>>,
    pub waiters: HashMap<u64, Waiter>,
    ready: Vec<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
}

impl Blocking {
    pub fn block(&mut self, w: Waiter) {
        for k in &w.keys {
            let q = self.by_key.entry((w.db, k.clone())).or_default();
            if !q.contains(&w.id) {
                q.push_back(w.id);
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
                q.retain(|&c| c != id);
                if q.is_empty() {
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
        // Every write to any key comes here while someone is blocked: no copy unless the
        // key is waited on and not yet ready.
        let probe = KeyRef(db, key);
        if self.by_key.contains_key(&probe) && !self.ready_set.contains(&probe) {
            let k = (db, Bytes::copy_from_slice(key));
            self.ready_set.insert(k.clone());
            self.ready.push(k);
        }
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    pub fn take_ready(&mut self) -> Vec<(usize, Bytes)> {
        self.ready_set.clear();
        std::mem::take(&mut self.ready)
    }

    /// The clients blocked on a key, first come first.
    pub fn waiting_on(&self, db: usize, key: &Bytes) -> Vec<u64> {
        self.by_key
            .get(&KeyRef(db, key))
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default()
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
        self.by_key.len()
    }

    /// Ids of waiters whose deadline passed at `now`.
    pub fn expired(&self, now: i64) -> Vec<u64> {
        self.waiters
            .values()
            .filter(|w| matches!(w.deadline_ms, Some(d) if d <= now))
            .map(|w| w.id)
            .collect()
    }

    /// Moves waiters of database `a` to `b` and vice versa (SWAPDB), and marks their keys ready.
    pub fn swap_db(&mut self, a: usize, b: usize) {
        let old = std::mem::take(&mut self.by_key);
        for ((db, k), q) in old {
            let nd = if db == a {
                b
            } else if db == b {
                a
            } else {
                db
            };
            self.by_key.insert((nd, k), q);
        }
        for w in self.waiters.values_mut() {
            if w.db == a {
                w.db = b;
            } else if w.db == b {
                w.db = a;
            }
        }
        let keys: Vec<(usize, Bytes)> = self.by_key.keys().cloned().collect();
        for (db, k) in keys {
            if db == a || db == b {
                self.signal_ready(db, &k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
