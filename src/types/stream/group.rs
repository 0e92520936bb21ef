//! Consumer groups: a group's pending-entry list (PEL), its consumers, and the rules that
//! change them (the NACK handling of Redis's `t_stream.c`).
//!
//! Invariants, kept by every method here (the PEL and the consumer map are private so that
//! nothing else can break them):
//! - Every PEL entry is owned by a consumer of the group, and that consumer's `pending` set
//!   holds its ID; every ID in a consumer's `pending` is in the PEL, owned by that consumer.
//!   So each pending entry is in exactly one consumer's set, and the PEL's length is the sum
//!   of the consumers' pending counts.
//! - A pending entry's `delivery_count` starts at 1 on first delivery and grows by one per
//!   re-delivery (a history read, a claim without JUSTID); only XCLAIM RETRYCOUNT sets it.
//! - A consumer's `seen_time` moves on every attempt to read or claim under its name, its
//!   `active_time` only when something was delivered or claimed to it.
//! - `by_time` holds `(delivery_time, id)` for exactly the PEL's entries: the order in which
//!   XREADGROUP CLAIM takes idle entries (longest idle first) without walking the PEL.
//!
//! What a group cannot know its stream checks ([`super::Stream`]'s group operations): whether
//! an entry still exists (claiming a deleted entry drops its pending entry instead) and the
//! group's entries-read counter.

use super::super::rax::{Rax, RaxSet};
use super::StreamId;
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    pub consumer: Bytes,
    /// Unix ms of the last delivery.
    pub delivery_time: i64,
    pub delivery_count: u64,
}

#[derive(Debug, Clone)]
pub struct Consumer {
    /// Last attempted interaction (unix ms): XINFO's `idle`.
    pub seen_time: i64,
    /// Last successful interaction, -1 if never: XINFO's `inactive`.
    pub active_time: i64,
    pending: RaxSet,
}

impl Consumer {
    pub fn new(now: i64) -> Consumer {
        Consumer {
            seen_time: now,
            active_time: -1,
            pending: RaxSet::new(),
        }
    }

    /// The IDs pending for this consumer.
    pub fn pending(&self) -> &RaxSet {
        &self.pending
    }
}

/// `SCG_INVALID_ENTRIES_READ`.
pub const INVALID_ENTRIES_READ: i64 = -1;

/// How a claim changes a pending entry's delivery counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryCount {
    /// One more delivery (XCLAIM, XAUTOCLAIM).
    Bump,
    /// Unchanged (JUSTID).
    Keep,
    /// Set to this value (XCLAIM RETRYCOUNT).
    Set(u64),
}

/// What XCLAIM asks of one entry.
#[derive(Debug, Clone, Copy)]
pub struct ClaimOpts {
    /// Claim only entries idle at least this long (ms; 0: any).
    pub min_idle: i64,
    /// The delivery time the claimed entry gets (XCLAIM IDLE/TIME; else now).
    pub delivery_time: i64,
    pub count: DeliveryCount,
    /// Create the pending entry if the ID is not pending (the entry must exist).
    pub force: bool,
}

/// The outcome of claiming one ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    /// The consumer owns it now.
    Claimed,
    /// The entry is gone from the stream: its pending entry was dropped.
    Deleted,
    /// Nothing to claim: not pending (and no FORCE), or gone and not pending.
    NotPending,
    /// Pending, but delivered more recently than the minimum idle time.
    TooRecent,
}

/// XPENDING's summary form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSummary {
    pub count: usize,
    pub first: StreamId,
    pub last: StreamId,
    /// Consumers with at least one pending entry, by name, and how many each has.
    pub consumers: Vec<(Bytes, usize)>,
}

/// One row of XPENDING's extended form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub id: StreamId,
    pub consumer: Bytes,
    pub idle: i64,
    pub delivery_count: u64,
}

#[derive(Debug, Clone)]
pub struct ConsumerGroup {
    /// The last ID delivered to the group (XREADGROUP `>` reads after it).
    pub last_id: StreamId,
    /// Logical read counter; [`INVALID_ENTRIES_READ`] when unknown.
    pub entries_read: i64,
    pel: Rax<PendingEntry>,
    consumers: BTreeMap<Bytes, Consumer>,
    /// The PEL by delivery time (see the module invariants).
    by_time: BTreeSet<(i64, StreamId)>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: Rax::new(),
            consumers: BTreeMap::new(),
            by_time: BTreeSet::new(),
        }
    }

    /// Keeps `by_time` in step with a pending entry's delivery time: `old` is the time it
    /// was indexed at (None: it was not pending), `new` the time it has now (None: it left).
    fn retime(&mut self, id: StreamId, old: Option<i64>, new: Option<i64>) {
        if old == new {
            return;
        }
        if let Some(t) = old {
            self.by_time.remove(&(t, id));
        }
        if let Some(t) = new {
            self.by_time.insert((t, id));
        }
    }

    pub fn pel(&self) -> &Rax<PendingEntry> {
        &self.pel
    }

    pub fn consumers(&self) -> &BTreeMap<Bytes, Consumer> {
        &self.consumers
    }

    pub fn consumer(&self, name: &[u8]) -> Option<&Consumer> {
        self.consumers.get(name)
    }

    /// Moves the group's position (XGROUP SETID, XSETID's effect on groups is none).
    pub fn set_position(&mut self, last_id: StreamId, entries_read: i64) {
        self.last_id = last_id;
        self.entries_read = entries_read;
    }

    /// XGROUP CREATECONSUMER: true if the consumer is new.
    pub fn create_consumer(&mut self, name: &Bytes, now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(name.clone(), Consumer::new(now));
        true
    }

    /// A consumer as a snapshot holds it (RDB load, RESTORE); false if it exists already.
    pub fn restore_consumer(&mut self, name: &Bytes, seen_time: i64, active_time: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        let mut c = Consumer::new(seen_time);
        c.active_time = active_time;
        self.consumers.insert(name.clone(), c);
        true
    }

    /// A pending entry as a snapshot holds it, owned by `consumer` (restored first); false if
    /// `id` is pending already or the consumer is unknown.
    pub fn restore_pending(
        &mut self,
        id: StreamId,
        consumer: &Bytes,
        delivery_time: i64,
        delivery_count: u64,
    ) -> bool {
        let Some(c) = self.consumers.get_mut(consumer) else {
            return false;
        };
        if self.pel.get(&id).is_some() {
            return false;
        }
        c.pending.insert(id);
        self.pel.insert(
            id,
            PendingEntry {
                consumer: consumer.clone(),
                delivery_time,
                delivery_count,
            },
        );
        self.by_time.insert((delivery_time, id));
        true
    }

    /// A read or claim under `name` (Redis 7.2+ `streamLookupConsumer` + create): the
    /// consumer exists from now on and was seen now. True if it was created.
    pub fn consumer_seen(&mut self, name: &Bytes, now: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now;
                false
            }
            None => {
                self.consumers.insert(name.clone(), Consumer::new(now));
                true
            }
        }
    }

    /// Records a successful interaction of an existing consumer.
    pub fn consumer_active(&mut self, name: &[u8], now: i64) {
        if let Some(c) = self.consumers.get_mut(name) {
            c.active_time = now;
        }
    }

    /// XGROUP DELCONSUMER: removes the consumer and its pending entries (which nobody else
    /// owns, so they leave the PEL). The number of pending entries it had, None if unknown.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in c.pending.iter() {
            if let Some(pe) = self.pel.remove(&id) {
                self.by_time.remove(&(pe.delivery_time, id));
            }
        }
        Some(c.pending.len())
    }

    /// A first delivery of `id` to `consumer` (XREADGROUP `>`, `streamReplyWithRange`):
    /// count 1, delivered now. An ID still pending (the group was moved back with SETID)
    /// changes owner.
    pub fn deliver(&mut self, consumer: &Bytes, id: StreamId, now: i64) {
        let fresh = PendingEntry {
            consumer: consumer.clone(),
            delivery_time: now,
            delivery_count: 1,
        };
        let old = self.pel.insert(id, fresh);
        self.retime(id, old.as_ref().map(|pe| pe.delivery_time), Some(now));
        self.reown(id, old.map(|pe| pe.consumer).as_ref(), consumer, now);
    }

    /// The consumer half of a change of owner: `id` leaves `old`'s pending set (if another
    /// consumer) and joins `to`'s, `to` created if new. The PEL entry is the caller's.
    fn reown(&mut self, id: StreamId, old: Option<&Bytes>, to: &Bytes, now: i64) -> &mut Consumer {
        if let Some(old) = old.filter(|o| *o != to) {
            if let Some(c) = self.consumers.get_mut(old) {
                c.pending.remove(&id);
            }
        }
        let c = self
            .consumers
            .entry(to.clone())
            .or_insert_with(|| Consumer::new(now));
        c.pending.insert(id);
        c
    }

    /// A re-delivery of a pending entry to its owner (XREADGROUP with an ID): the new
    /// delivery time and count, None if `id` is not pending.
    pub fn redeliver(&mut self, id: StreamId, now: i64) -> Option<&PendingEntry> {
        let pe = self.pel.get_mut(&id)?;
        let old = std::mem::replace(&mut pe.delivery_time, now);
        pe.delivery_count += 1;
        self.retime(id, Some(old), Some(now));
        self.pel.get(&id)
    }

    /// XACK one ID (and the removal of a pending entry whose stream entry is gone): the
    /// pending entry it was, None if it was not pending.
    pub fn ack(&mut self, id: StreamId) -> Option<PendingEntry> {
        let pe = self.pel.remove(&id)?;
        self.by_time.remove(&(pe.delivery_time, id));
        if let Some(c) = self.consumers.get_mut(&pe.consumer) {
            c.pending.remove(&id);
        }
        Some(pe)
    }

    /// Claims `id`, whose stream entry exists, for `to` (`xclaimCommand` and
    /// `xautoclaimCommand` once the entry is known to exist). A FORCE-created pending entry
    /// is claimed whatever the minimum idle time, as in Redis (it had no owner to be idle).
    pub fn claim(&mut self, id: StreamId, to: &Bytes, opts: &ClaimOpts, now: i64) -> ClaimStatus {
        let old_owner = match self.pel.get(&id) {
            None if !opts.force => return ClaimStatus::NotPending,
            None => {
                self.pel.insert(
                    id,
                    PendingEntry {
                        consumer: to.clone(),
                        delivery_time: now,
                        delivery_count: 1,
                    },
                );
                self.by_time.insert((now, id));
                None
            }
            Some(pe) if opts.min_idle > 0 && now - pe.delivery_time < opts.min_idle => {
                return ClaimStatus::TooRecent
            }
            Some(pe) => Some(pe.consumer.clone()),
        };
        let pe = self.pel.get_mut(&id).expect("pending");
        let old_time = std::mem::replace(&mut pe.delivery_time, opts.delivery_time);
        match opts.count {
            DeliveryCount::Bump => pe.delivery_count += 1,
            DeliveryCount::Keep => {}
            DeliveryCount::Set(n) => pe.delivery_count = n,
        }
        pe.consumer = to.clone();
        self.retime(id, Some(old_time), Some(opts.delivery_time));
        self.reown(id, old_owner.as_ref(), to, now).active_time = now;
        ClaimStatus::Claimed
    }

    /// XREADGROUP CLAIM's candidates: pending IDs idle at least `min_idle` ms at `now`, the
    /// longest idle first (ties by ID), skipping `skip`, at most `count`.
    pub fn idle_pending(
        &self,
        min_idle: i64,
        now: i64,
        count: usize,
        skip: &dyn Fn(StreamId) -> bool,
    ) -> Vec<StreamId> {
        self.by_time
            .iter()
            .take_while(|(t, _)| now.saturating_sub(*t) >= min_idle)
            .filter(|(_, id)| !skip(*id))
            .take(count)
            .map(|(_, id)| *id)
            .collect()
    }

    /// When the longest-idle pending entry will have been idle `min_idle` ms (None: nothing
    /// is pending): when a blocked XREADGROUP CLAIM may find something to claim.
    pub fn claimable_at(&self, min_idle: i64) -> Option<i64> {
        self.by_time
            .first()
            .map(|(t, _)| t.saturating_add(min_idle))
    }

    /// XPENDING's summary, None when nothing is pending.
    pub fn pending_summary(&self) -> Option<PendingSummary> {
        let (first, _) = self.pel.first()?;
        let (last, _) = self.pel.last()?;
        Some(PendingSummary {
            count: self.pel.len(),
            first,
            last,
            consumers: self
                .consumers
                .iter()
                .filter(|(_, c)| !c.pending.is_empty())
                .map(|(n, c)| (n.clone(), c.pending.len()))
                .collect(),
        })
    }

    /// XPENDING's extended form: up to `count` pending entries in `[start, end]`, of one
    /// consumer or all, idle at least `min_idle` ms (0: any).
    pub fn pending_range(
        &self,
        start: StreamId,
        end: StreamId,
        consumer: Option<&[u8]>,
        min_idle: i64,
        count: usize,
        now: i64,
    ) -> Vec<PendingRow> {
        let mut rows = Vec::new();
        if start > end || count == 0 {
            return rows;
        }
        // Walked lazily: the IDLE filter may skip entries, COUNT stops the walk.
        let ids: Box<dyn Iterator<Item = StreamId>> = match consumer {
            Some(c) => match self.consumers.get(c) {
                Some(c) => Box::new(c.pending.range(start, end)),
                None => return rows,
            },
            None => Box::new(self.pel.range(start, end).map(|(k, _)| k)),
        };
        for id in ids {
            let pe = &self.pel[&id];
            let idle = (now - pe.delivery_time).max(0);
            if min_idle > 0 && idle < min_idle {
                continue;
            }
            rows.push(PendingRow {
                id,
                consumer: pe.consumer.clone(),
                idle,
                delivery_count: pe.delivery_count,
            });
            if rows.len() >= count {
                break;
            }
        }
        rows
    }

    /// Checks the invariants of the module doc (tests and debug assertions).
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut owned = 0;
        for (name, c) in &self.consumers {
            for id in c.pending.iter() {
                match self.pel.get(&id) {
                    Some(pe) if pe.consumer == *name => owned += 1,
                    Some(pe) => {
                        return Err(format!(
                            "{id} pending for {name:?} but owned by {:?}",
                            pe.consumer
                        ))
                    }
                    None => return Err(format!("{id} pending for {name:?} but not in the PEL")),
                }
            }
        }
        if owned != self.pel.len() {
            return Err(format!(
                "{} PEL entries, {owned} owned by consumers",
                self.pel.len()
            ));
        }
        let timed: BTreeSet<(i64, StreamId)> = self
            .pel
            .iter()
            .map(|(id, pe)| (pe.delivery_time, id))
            .collect();
        if timed != self.by_time {
            return Err(format!(
                "time index of {} entries for a PEL of {}",
                self.by_time.len(),
                self.pel.len()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn id(ms: u64) -> StreamId {
        StreamId::new(ms, 0)
    }

    const CLAIM: ClaimOpts = ClaimOpts {
        min_idle: 0,
        delivery_time: 500,
        count: DeliveryCount::Bump,
        force: false,
    };

    #[test]
    fn deliver_ack_and_redeliver() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        assert!(g.consumer_seen(&b("a"), 10));
        g.deliver(&b("a"), id(1), 10);
        g.deliver(&b("a"), id(2), 10);
        assert_eq!(g.redeliver(id(1), 20).map(|p| p.delivery_count), Some(2));
        assert_eq!(g.redeliver(id(9), 20), None);
        assert_eq!(g.ack(id(1)).map(|p| p.consumer), Some(b("a")));
        assert_eq!(g.ack(id(1)), None);
        assert_eq!(g.consumer(b"a").unwrap().pending().len(), 1);
        g.check_invariants().unwrap();
    }

    #[test]
    fn delivering_a_pending_id_again_moves_it() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        g.deliver(&b("a"), id(1), 10);
        g.deliver(&b("b"), id(1), 20);
        assert!(g.consumer(b"a").unwrap().pending().is_empty());
        assert_eq!(g.pel()[&id(1)].delivery_count, 1);
        g.check_invariants().unwrap();
    }

    #[test]
    fn claims_follow_min_idle_force_and_counts() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        g.deliver(&b("a"), id(1), 100);
        let recent = ClaimOpts {
            min_idle: 1000,
            ..CLAIM
        };
        assert_eq!(
            g.claim(id(1), &b("b"), &recent, 600),
            ClaimStatus::TooRecent
        );
        assert_eq!(g.claim(id(1), &b("b"), &CLAIM, 600), ClaimStatus::Claimed);
        let pe = &g.pel()[&id(1)];
        assert_eq!(
            (pe.consumer.clone(), pe.delivery_time, pe.delivery_count),
            (b("b"), 500, 2)
        );
        assert_eq!(g.consumer(b"b").unwrap().active_time, 600);
        assert_eq!(
            g.claim(id(2), &b("b"), &CLAIM, 600),
            ClaimStatus::NotPending
        );
        // FORCE creates the pending entry and ignores the idle time (Redis: no owner yet).
        let force = ClaimOpts {
            force: true,
            count: DeliveryCount::Set(7),
            ..recent
        };
        assert_eq!(g.claim(id(2), &b("c"), &force, 600), ClaimStatus::Claimed);
        assert_eq!(g.pel()[&id(2)].delivery_count, 7);
        g.check_invariants().unwrap();
        assert_eq!(g.delete_consumer(b"b"), Some(1));
        assert_eq!(g.delete_consumer(b"b"), None);
        assert_eq!(g.pel().len(), 1);
        g.check_invariants().unwrap();
    }

    #[test]
    fn pending_views() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        assert_eq!(g.pending_summary(), None);
        g.deliver(&b("b"), id(3), 100);
        g.deliver(&b("a"), id(1), 100);
        g.deliver(&b("a"), id(2), 900);
        g.consumer_seen(&b("idle"), 100);
        let s = g.pending_summary().unwrap();
        assert_eq!((s.count, s.first, s.last), (3, id(1), id(3)));
        assert_eq!(s.consumers, vec![(b("a"), 2), (b("b"), 1)]);
        let rows = g.pending_range(StreamId::MIN, StreamId::MAX, None, 500, 10, 1000);
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![id(1), id(3)]
        );
        let rows = g.pending_range(StreamId::MIN, StreamId::MAX, Some(b"a"), 0, 1, 1000);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].idle, 900);
    }
}
