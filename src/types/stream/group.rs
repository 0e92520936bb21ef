//! Consumer groups: a group's pending-entry list (PEL), its consumers, and the rules that
//! change them (the NACK handling of Redis's `t_stream.c`).
//!
//! Invariants, kept by every method here (the PEL and the consumer map are private so that
//! nothing else can break them):
//! - A PEL entry is owned by a consumer of the group, whose `pending` set holds its ID, or
//!   unowned (nacked: Redis 8.8 XNACK released it); every ID in a consumer's `pending` is in
//!   the PEL, owned by that consumer. So the PEL's length is the sum of the consumers'
//!   pending counts plus the nacked entries.
//! - A pending entry's `delivery_count` starts at 1 on first delivery and grows by one per
//!   re-delivery (a history read, a claim without JUSTID); XCLAIM RETRYCOUNT and XNACK set it.
//! - A nacked entry's time is its place in the NACK zone: [`NACK_ZONE`] plus a sequence
//!   number that grows with every XNACK, so the zone sorts before every real delivery time,
//!   in the order the entries were nacked (Redis's `pel_nack_tail` list). It reads as
//!   delivery time 0, and as idle for ever to every minimum-idle test.
//! - A consumer's `seen_time` moves on every attempt to read or claim under its name, its
//!   `active_time` only when something was delivered or claimed to it.
//! - `by_time` holds `(time, id)` for exactly the PEL's entries: the order in which
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
    /// The consumer it was delivered to; None once nacked (unowned).
    pub consumer: Option<Bytes>,
    /// Unix ms of the last delivery, or the NACK-zone place of a nacked entry (see the
    /// module invariants): read through [`PendingEntry::delivery_time`].
    time: i64,
    pub delivery_count: u64,
}

/// Where nacked entries' times start: far below any delivery time (which XCLAIM keeps in
/// `0..=now`), far enough above `i64::MIN` that `now - time` cannot overflow.
const NACK_ZONE: i64 = i64::MIN / 2;

impl PendingEntry {
    /// Unix ms of the last delivery; 0 for a nacked entry (Redis resets it so).
    pub fn delivery_time(&self) -> i64 {
        if self.consumer.is_some() {
            self.time
        } else {
            0
        }
    }

    pub fn is_nacked(&self) -> bool {
        self.consumer.is_none()
    }
}

/// XNACK's modes and RETRYCOUNT: what a nack does to the delivery counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NackCount {
    /// One delivery less (not below 0): the delivery "did not count".
    Silent,
    /// Unchanged.
    Fail,
    /// `LLONG_MAX`: failed for good.
    Fatal,
    /// RETRYCOUNT: exactly this.
    Set(u64),
}

/// FATAL's delivery count, `LLONG_MAX`.
pub const FATAL_DELIVERIES: u64 = i64::MAX as u64;

/// One delivery more, stopping at `LLONG_MAX`, the largest count a reply (or a propagated
/// RETRYCOUNT) can carry: a FATAL entry claimed again stays at it.
fn bump(n: u64) -> u64 {
    n.saturating_add(1).min(FATAL_DELIVERIES)
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
    /// Its delivery would have been one too many: the group's dead-letter rule took it out
    /// of the PEL instead (see `Stream::take_dead`).
    DeadLettered,
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
    /// None: nacked.
    pub consumer: Option<Bytes>,
    /// -1 for a nacked entry.
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
    /// The next NACK-zone place.
    nack_seq: i64,
    /// sluice's dead-letter rule (SLUICE.POLICY DEADLETTER), if set.
    pub dead_letter: Option<Box<super::policy::DeadLetter>>,
    /// Counters for the dashboard and /metrics, since start (not persisted).
    pub stats: GroupStats,
}

/// What a group has done since the server started: deliveries (first ones and again),
/// re-deliveries alone (a history read, a claim without JUSTID), acknowledgements (XACK,
/// XACKDEL). Counted where the PEL changes; never persisted, as Redis's INFO counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    pub deliveries: u64,
    pub redeliveries: u64,
    pub acks: u64,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: Rax::new(),
            consumers: BTreeMap::new(),
            by_time: BTreeSet::new(),
            nack_seq: 0,
            dead_letter: None,
            stats: GroupStats::default(),
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
        // A file's time, kept out of the NACK zone (XCLAIM keeps times >= 0 too).
        let delivery_time = delivery_time.max(0);
        if self.pel.get(&id).is_some() {
            return false;
        }
        c.pending.insert(id);
        self.pel.insert(
            id,
            PendingEntry {
                consumer: Some(consumer.clone()),
                time: delivery_time,
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
                self.by_time.remove(&(pe.time, id));
            }
        }
        Some(c.pending.len())
    }

    /// A first delivery of `id` to `consumer` (XREADGROUP `>`, `streamReplyWithRange`):
    /// count 1, delivered now. An ID still pending (the group was moved back with SETID)
    /// changes owner.
    pub fn deliver(&mut self, consumer: &Bytes, id: StreamId, now: i64) {
        let fresh = PendingEntry {
            consumer: Some(consumer.clone()),
            time: now,
            delivery_count: 1,
        };
        let old = self.pel.insert(id, fresh);
        self.stats.deliveries += 1;
        self.retime(id, old.as_ref().map(|pe| pe.time), Some(now));
        self.reown(id, old.and_then(|pe| pe.consumer).as_ref(), consumer, now);
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

    /// A re-delivery of a pending entry to its owner (XREADGROUP with an ID, which reads
    /// the consumer's own set, so never a nacked entry): the new delivery time and count,
    /// None if `id` is not pending.
    pub fn redeliver(&mut self, id: StreamId, now: i64) -> Option<&PendingEntry> {
        let pe = self.pel.get_mut(&id)?;
        let old = std::mem::replace(&mut pe.time, now);
        pe.delivery_count = bump(pe.delivery_count);
        self.stats.deliveries += 1;
        self.stats.redeliveries += 1;
        self.retime(id, Some(old), Some(now));
        self.pel.get(&id)
    }

    /// XACK one ID (and the removal of a pending entry whose stream entry is gone): the
    /// pending entry it was, None if it was not pending.
    pub fn ack(&mut self, id: StreamId) -> Option<PendingEntry> {
        let pe = self.pel.remove(&id)?;
        self.by_time.remove(&(pe.time, id));
        if let Some(c) = pe.consumer.as_ref().and_then(|c| self.consumers.get_mut(c)) {
            c.pending.remove(&id);
        }
        Some(pe)
    }

    /// Claims `id`, whose stream entry exists, for `to` (`xclaimCommand` and
    /// `xautoclaimCommand` once the entry is known to exist). A FORCE-created pending entry
    /// is claimed whatever the minimum idle time, as in Redis (it had no owner to be idle),
    /// and so is a nacked one (idle for ever).
    pub fn claim(&mut self, id: StreamId, to: &Bytes, opts: &ClaimOpts, now: i64) -> ClaimStatus {
        let was_pending = self.pel.get(&id).is_some();
        let old_owner = match self.pel.get(&id) {
            None if !opts.force => return ClaimStatus::NotPending,
            None => {
                self.pel.insert(
                    id,
                    PendingEntry {
                        consumer: Some(to.clone()),
                        time: now,
                        delivery_count: 1,
                    },
                );
                self.by_time.insert((now, id));
                None
            }
            Some(pe) if opts.min_idle > 0 && now - pe.time < opts.min_idle => {
                return ClaimStatus::TooRecent
            }
            Some(pe) => pe.consumer.clone(),
        };
        let pe = self.pel.get_mut(&id).expect("pending");
        let old_time = std::mem::replace(&mut pe.time, opts.delivery_time);
        match opts.count {
            DeliveryCount::Bump => pe.delivery_count = bump(pe.delivery_count),
            DeliveryCount::Keep => {}
            DeliveryCount::Set(n) => pe.delivery_count = n,
        }
        if opts.count != DeliveryCount::Keep {
            self.stats.deliveries += 1;
            self.stats.redeliveries += was_pending as u64;
        }
        pe.consumer = Some(to.clone());
        self.retime(id, Some(old_time), Some(opts.delivery_time));
        self.reown(id, old_owner.as_ref(), to, now).active_time = now;
        ClaimStatus::Claimed
    }

    /// XNACK of one ID (Redis 8.8): a pending entry leaves its consumer, unowned, at the
    /// tail of the NACK zone (a nacked one moves there again), its counter changed by `how`;
    /// with `force`, an ID not pending whose stream entry `exists` becomes a nacked entry
    /// (count 0, or FATAL's, or RETRYCOUNT's). True if it was nacked.
    pub fn nack(&mut self, id: StreamId, how: NackCount, force: bool, exists: bool) -> bool {
        let place = NACK_ZONE + self.nack_seq;
        let (old_time, old_owner) = match self.pel.get_mut(&id) {
            Some(pe) => {
                pe.delivery_count = match how {
                    NackCount::Silent => pe.delivery_count.saturating_sub(1),
                    NackCount::Fail => pe.delivery_count,
                    NackCount::Fatal => FATAL_DELIVERIES,
                    NackCount::Set(n) => n,
                };
                let old = std::mem::replace(&mut pe.time, place);
                (Some(old), pe.consumer.take())
            }
            None if force && exists => {
                let delivery_count = match how {
                    NackCount::Silent | NackCount::Fail => 0,
                    NackCount::Fatal => FATAL_DELIVERIES,
                    NackCount::Set(n) => n,
                };
                self.pel.insert(
                    id,
                    PendingEntry {
                        consumer: None,
                        time: place,
                        delivery_count,
                    },
                );
                (None, None)
            }
            None => return false,
        };
        self.nack_seq += 1;
        self.retime(id, old_time, Some(place));
        if let Some(c) = old_owner.and_then(|o| self.consumers.get_mut(&o)) {
            c.pending.remove(&id);
        }
        true
    }

    /// How many pending entries are nacked (XINFO STREAM FULL's `nacked-count`).
    pub fn nacked_count(&self) -> usize {
        self.nack_zone().count()
    }

    /// The nacked entries in NACK-zone order (the order XREADGROUP CLAIM takes them).
    pub fn nack_zone(&self) -> impl Iterator<Item = (StreamId, &PendingEntry)> + '_ {
        self.by_time
            .range((NACK_ZONE, StreamId::MIN)..(NACK_ZONE + self.nack_seq, StreamId::MIN))
            .map(|&(_, id)| (id, &self.pel[&id]))
            .filter(|(_, pe)| pe.is_nacked())
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
    /// The earliest delivery time of an owned pending entry (the longest idle one), None
    /// when nothing owned is pending. Nacked entries (the NACK zone, below 0) are skipped.
    pub fn oldest_delivery(&self) -> Option<i64> {
        self.by_time
            .range((0, StreamId::MIN)..)
            .next()
            .map(|(t, _)| *t)
    }

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
            // A nacked entry passes every IDLE filter and shows idle -1 (delivery time 0).
            let idle = (now - pe.time).max(0);
            if min_idle > 0 && idle < min_idle {
                continue;
            }
            let idle = if pe.is_nacked() { -1 } else { idle };
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
                    Some(pe) if pe.consumer.as_ref() == Some(name) => owned += 1,
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
        let nacked = self.pel.iter().filter(|(_, pe)| pe.is_nacked()).count();
        if owned + nacked != self.pel.len() {
            return Err(format!(
                "{} PEL entries, {owned} owned by consumers, {nacked} nacked",
                self.pel.len()
            ));
        }
        if nacked != self.nacked_count() {
            return Err(format!(
                "{nacked} nacked entries, {} in the zone",
                self.nacked_count()
            ));
        }
        let timed: BTreeSet<(i64, StreamId)> =
            self.pel.iter().map(|(id, pe)| (pe.time, id)).collect();
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
        assert_eq!(g.ack(id(1)).and_then(|p| p.consumer), Some(b("a")));
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
            (pe.consumer.clone(), pe.delivery_time(), pe.delivery_count),
            (Some(b("b")), 500, 2)
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

    #[test]
    fn nacks_release_entries_into_a_fifo_zone() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        for n in 1..=4 {
            g.deliver(&b("a"), id(n), 100);
        }
        // Nacked out of ID order: the zone keeps the nack order, ahead of every idle entry.
        assert!(g.nack(id(3), NackCount::Fail, false, true));
        assert!(g.nack(id(1), NackCount::Silent, false, true));
        assert!(!g.nack(id(9), NackCount::Fail, false, true));
        assert_eq!(
            g.idle_pending(0, 200, 10, &|_| false),
            vec![id(3), id(1), id(2), id(4)]
        );
        assert_eq!(g.nacked_count(), 2);
        assert_eq!(g.consumer(b"a").unwrap().pending().len(), 2);
        let pe = &g.pel()[&id(1)];
        assert_eq!(
            (pe.consumer.clone(), pe.delivery_time(), pe.delivery_count),
            (None, 0, 0)
        );
        // A re-nack moves to the zone's tail; FATAL and RETRYCOUNT set the counter.
        assert!(g.nack(id(3), NackCount::Fatal, false, true));
        assert_eq!(g.pel()[&id(3)].delivery_count, FATAL_DELIVERIES);
        assert_eq!(
            g.nack_zone().map(|(i, _)| i).collect::<Vec<_>>(),
            vec![id(1), id(3)]
        );
        assert!(g.nack(id(2), NackCount::Set(42), false, true));
        assert_eq!(g.pel()[&id(2)].delivery_count, 42);
        g.check_invariants().unwrap();
        // Idle for ever: claimable at any minimum; XPENDING shows -1 and no owner.
        assert!(g.claimable_at(1_000_000).unwrap() < 0);
        let rows = g.pending_range(StreamId::MIN, StreamId::MAX, None, 1_000_000, 10, 200);
        assert_eq!(
            rows.iter().map(|r| (r.id, r.idle)).collect::<Vec<_>>(),
            vec![(id(1), -1), (id(2), -1), (id(3), -1)]
        );
        assert!(rows.iter().all(|r| r.consumer.is_none()));
        let recent = ClaimOpts {
            min_idle: 1_000_000,
            ..CLAIM
        };
        assert_eq!(g.claim(id(1), &b("b"), &recent, 600), ClaimStatus::Claimed);
        assert_eq!(g.pel()[&id(1)].delivery_count, 1);
        assert_eq!(g.nacked_count(), 2);
        // DELCONSUMER takes only what the consumer owns; ACK takes nacked entries too.
        assert_eq!(g.delete_consumer(b"a"), Some(1));
        assert!(g.ack(id(3)).is_some());
        assert_eq!(g.nacked_count(), 1);
        g.check_invariants().unwrap();
        // FORCE creates an unowned entry for an existing, unpending ID.
        assert!(!g.nack(id(7), NackCount::Fail, true, false));
        assert!(g.nack(id(7), NackCount::Silent, true, true));
        assert_eq!(g.pel()[&id(7)].delivery_count, 0);
        assert!(g.nack(id(8), NackCount::Fatal, true, true));
        assert_eq!(g.pel()[&id(8)].delivery_count, FATAL_DELIVERIES);
        g.check_invariants().unwrap();
        // Delivering a nacked ID again (SETID back) gives it an owner.
        g.deliver(&b("c"), id(7), 700);
        assert_eq!(g.pel()[&id(7)].consumer, Some(b("c")));
        g.check_invariants().unwrap();
    }
}
