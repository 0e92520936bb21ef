//! The stream type: entries packed into nodes, nodes kept in an ordered index by their first
//! (master) ID, consumer groups with pending-entry lists.
//!
//! Node encoding (one `Vec<u8>` per node, in the spirit of Redis's listpack nodes):
//!
//! ```text
//!  master fields:  nfields(varint) { len(varint) bytes }*nfields
//!  entry*:         flags(u8) ms_delta(varint) seq_delta(varint)
//!                  if flags & SAMEFIELDS:   { len value }*nfields_master
//!                  else:                    nfields { len field len value }*nfields
//!
//!  flags: 0x01 DELETED (a tombstone left by XDEL/trim), 0x02 SAMEFIELDS (the entry's
//!         field names are the master's, so only values are stored).
//!  ms_delta / seq_delta: the entry ID minus the node's master ID, per component (seq as a
//!         zigzag varint: it may go down when the millisecond goes up), so IDs generated close
//!         together cost two bytes.
//! ```
//!
//! Invariants:
//! - Every node holds at least one live entry (a node whose last live entry goes is dropped);
//!   `live` and `deleted` count its entries; `length` is the sum of live counts.
//! - A node is closed once it reaches `stream-node-max-entries` entries or
//!   `stream-node-max-bytes` bytes; the next XADD opens a new node whose master fields are the
//!   new entry's field names.
//! - IDs grow strictly within and across nodes; `last_id` ≥ every ID ever added.
//! - A node's bytes are only ever appended to (XDEL and trimming set a flag in place), so an
//!   entry's offset never changes: `marks` holds the offsets of every `MARK_EVERY`-th entry,
//!   which lets a read that starts inside a node skip to near its start instead of stepping
//!   over every entry from the node's first.
//! - Each pending entry is in exactly one consumer's `pending` set and in its group's `pel`
//!   ([`group`] keeps it). The operations that need both the entries and a group (reading
//!   for a group, claiming) are methods of [`Stream`], so that commands and the server's own
//!   timers (retention, dead letters) apply the same rules: they take no clock of their own
//!   and return what happened, for the caller to reply and propagate.
//!
//! The node index is a radix tree ([`Rax`]) over each node's master ID as a big-endian
//! 128-bit key; a group's PEL and each consumer's pending set use the same tree.

mod group;
pub mod idmp;
pub mod policy;

pub use group::{
    ClaimOpts, ClaimStatus, Consumer, ConsumerGroup, DeliveryCount, GroupStats, NackCount,
    PendingEntry, PendingRow, PendingSummary, FATAL_DELIVERIES, INVALID_ENTRIES_READ,
};

use super::rax::Rax;
use super::varint::{get_str, get_varint, put_str, put_varint};
use bytes::Bytes;
use policy::{DeadReason, Retention};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(&self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// The next ID (None at the maximum).
    pub fn incr(&self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID (None at 0-0).
    pub fn decr(&self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    pub fn to_bytes(&self) -> Bytes {
        Bytes::copy_from_slice(self.text().as_bytes())
    }

    /// The `ms-seq` text on the stack. Every reply that names an entry writes one (ten per
    /// XRANGE COUNT 10); through `fmt` with a growing `String` that was ~480 instructions
    /// and three allocations an ID (callgrind), this is a few dozen.
    pub fn text(&self) -> IdText {
        let mut t = IdText {
            buf: [0; ID_TEXT_MAX],
            start: ID_TEXT_MAX as u8,
        };
        t.push_front_u64(self.seq);
        t.start -= 1;
        t.buf[t.start as usize] = b'-';
        t.push_front_u64(self.ms);
        t
    }
}

/// Longest ID text: two 20-digit numbers and the dash.
const ID_TEXT_MAX: usize = 41;

/// A stream ID's decimal text, written right to left into a fixed buffer.
pub struct IdText {
    buf: [u8; ID_TEXT_MAX],
    start: u8,
}

impl IdText {
    fn push_front_u64(&mut self, mut v: u64) {
        loop {
            self.start -= 1;
            self.buf[self.start as usize] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start as usize..]
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text is ASCII digits and a dash by construction.
        f.write_str(std::str::from_utf8(self.text().as_bytes()).expect("ASCII"))
    }
}

const DELETED: u8 = 0x01;
const SAMEFIELDS: u8 = 0x02;

/// One mark per this many entries of a node. At the default 100 entries per node: 3 marks
/// per node, and a read starting in the node steps over at most 31 entries instead of up
/// to 99. Cost, measured: 0.5 bytes per entry (25.3 → 25.8 B for the benchmark's XADD at
/// 1M entries; the mark vector also moves the node into a larger allocation class).
const MARK_EVERY: u32 = 32;

/// Sequence deltas may be negative (a later millisecond restarts at 0): zigzag keeps them
/// one byte when small either way.
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// One packed node.
#[derive(Debug, Clone)]
pub struct Node {
    buf: Vec<u8>,
    /// Byte offset where entries start (after the master fields).
    entries_at: usize,
    pub live: u32,
    pub deleted: u32,
    master_fields: Vec<Bytes>,
    /// Offsets of entries number MARK_EVERY, 2 × MARK_EVERY, ... (see the module invariants).
    marks: Vec<u32>,
}

/// A decoded entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: StreamId,
    pub fields: Vec<(Bytes, Bytes)>,
}

/// A field name as stored: one of the node's master fields, or inline in the entry.
enum FieldName<'a> {
    Master(usize),
    Inline(&'a [u8]),
}

/// Position and identity of an entry inside a node, without its fields.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Offset of the flags byte.
    at: usize,
    id: StreamId,
    deleted: bool,
}

impl Node {
    /// A node whose master fields are the names of `fields` (name, value, name, value...).
    fn new<F: AsRef<[u8]>>(fields: &[F]) -> Node {
        let mut buf = Vec::with_capacity(128);
        put_varint(&mut buf, (fields.len() / 2) as u64);
        for f in fields.iter().step_by(2) {
            put_str(&mut buf, f.as_ref());
        }
        let entries_at = buf.len();
        Node {
            buf,
            entries_at,
            live: 0,
            deleted: 0,
            master_fields: fields
                .iter()
                .step_by(2)
                .map(|f| Bytes::copy_from_slice(f.as_ref()))
                .collect(),
            marks: Vec::new(),
        }
    }

    /// Where to start stepping through this node for the first entry with an ID ≥ `start`:
    /// the last mark whose entry is below `start`, or the first entry.
    fn seek(&self, master: StreamId, start: StreamId) -> usize {
        let below = self
            .marks
            .partition_point(|&at| self.peek(master, at as usize).0.id < start);
        match below {
            0 => self.entries_at,
            i => self.marks[i - 1] as usize,
        }
    }

    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    pub fn entries(&self) -> u32 {
        self.live + self.deleted
    }

    fn append<F: AsRef<[u8]>>(&mut self, master: StreamId, id: StreamId, fields: &[F]) {
        let same = fields.len() == 2 * self.master_fields.len()
            && fields
                .iter()
                .step_by(2)
                .zip(&self.master_fields)
                .all(|(f, m)| f.as_ref() == &m[..]);
        let n = self.entries();
        if n > 0 && n.is_multiple_of(MARK_EVERY) {
            // A node past 4 GiB (stream-node-max-bytes 0 and huge entries) goes unmarked
            // from there on: marks are only shortcuts.
            if let Ok(at) = u32::try_from(self.buf.len()) {
                self.marks.push(at);
            }
        }
        self.buf.push(if same { SAMEFIELDS } else { 0 });
        put_varint(&mut self.buf, id.ms - master.ms);
        put_varint(
            &mut self.buf,
            zigzag(id.seq.wrapping_sub(master.seq) as i64),
        );
        if same {
            for v in fields.iter().skip(1).step_by(2) {
                put_str(&mut self.buf, v.as_ref());
            }
        } else {
            put_varint(&mut self.buf, (fields.len() / 2) as u64);
            for s in fields {
                put_str(&mut self.buf, s.as_ref());
            }
        }
        self.live += 1;
    }

    /// Decodes the entry at `pos` (the flags byte) with its fields; returns it and the next
    /// position.
    fn decode(&self, master: StreamId, pos: usize) -> (Slot, Vec<(Bytes, Bytes)>, usize) {
        let mut fields = Vec::with_capacity(self.master_fields.len());
        let (slot, next) = self.decode_with(master, pos, |name, v| {
            let name = match name {
                // The master's names are shared, not copied.
                FieldName::Master(i) => self.master_fields[i].clone(),
                FieldName::Inline(f) => Bytes::copy_from_slice(f),
            };
            fields.push((name, Bytes::copy_from_slice(v)));
        });
        (slot, fields, next)
    }

    /// The flags byte and ID of the entry at `pos`: its slot, its flags, and where its
    /// fields start.
    fn header(&self, master: StreamId, pos: usize) -> (Slot, u8, usize) {
        let b = &self.buf[..];
        let mut p = pos;
        let flags = b[p];
        p += 1;
        let ms = master.ms + get_varint(b, &mut p);
        let seq = master
            .seq
            .wrapping_add(unzigzag(get_varint(b, &mut p)) as u64);
        let slot = Slot {
            at: pos,
            id: StreamId::new(ms, seq),
            deleted: flags & DELETED != 0,
        };
        (slot, flags, p)
    }

    /// The entry at `pos` without its fields: its slot and the next position. Fields are
    /// stepped over by their lengths only. Range scans pass many entries of a node this way
    /// (from the mark before the wanted ID), so this is the hot loop of XREADGROUP `>`:
    /// ~125 instructions per entry against ~220 through `decode_with` (callgrind).
    fn peek(&self, master: StreamId, pos: usize) -> (Slot, usize) {
        let b = &self.buf[..];
        let (slot, flags, mut p) = self.header(master, pos);
        let strings = if flags & SAMEFIELDS != 0 {
            self.master_fields.len()
        } else {
            2 * get_varint(b, &mut p) as usize
        };
        for _ in 0..strings {
            let n = get_varint(b, &mut p) as usize;
            p += n;
        }
        (slot, p)
    }

    /// Decodes the entry at `pos`, handing each field to `field` as slices borrowed from the
    /// node; returns its slot and the position after it.
    fn decode_with<'a>(
        &'a self,
        master: StreamId,
        pos: usize,
        mut field: impl FnMut(FieldName<'a>, &'a [u8]),
    ) -> (Slot, usize) {
        let b = &self.buf;
        let (slot, flags, mut p) = self.header(master, pos);
        if flags & SAMEFIELDS != 0 {
            for i in 0..self.master_fields.len() {
                field(FieldName::Master(i), get_str(b, &mut p));
            }
        } else {
            let n = get_varint(b, &mut p);
            for _ in 0..n {
                let f = get_str(b, &mut p);
                field(FieldName::Inline(f), get_str(b, &mut p));
            }
        }
        (slot, p)
    }

    /// The first live entry's ID (the master ID if none, which cannot happen in the index).
    fn first_live_id(&self, master: StreamId) -> StreamId {
        let mut p = self.entries_at;
        while p < self.buf.len() {
            let (slot, next) = self.peek(master, p);
            if !slot.deleted {
                return slot.id;
            }
            p = next;
        }
        master
    }

    /// The slot of the entry with exactly this ID (tombstone or not): from the mark before it,
    /// stepping over entries by their lengths, no fields decoded.
    fn find(&self, master: StreamId, id: StreamId) -> Option<Slot> {
        let mut p = self.seek(master, id);
        while p < self.buf.len() {
            let (slot, next) = self.peek(master, p);
            if slot.id >= id {
                return (slot.id == id).then_some(slot);
            }
            p = next;
        }
        None
    }

    /// Every entry's slot, in order (tombstones included).
    fn slots(&self, master: StreamId) -> Vec<Slot> {
        let mut out = Vec::with_capacity(self.entries() as usize);
        let mut p = self.entries_at;
        while p < self.buf.len() {
            let (s, next) = self.peek(master, p);
            out.push(s);
            p = next;
        }
        out
    }

    fn mark_deleted(&mut self, at: usize) {
        self.buf[at] |= DELETED;
        self.live -= 1;
        self.deleted += 1;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Stream {
    /// Nodes are shared with copies of the stream (an AOF rewrite's snapshot) and copied on
    /// write, one node at a time: taking a snapshot costs the index, not the entries.
    nodes: Rax<Arc<Node>>,
    /// Live entries.
    pub length: u64,
    /// The last ID ever generated or set (XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID (0-0 when empty), as `recorded-first-entry-id`.
    pub first_id: StreamId,
    /// The largest ID ever deleted.
    pub max_deleted_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
    /// The last live entry's ID (0-0 when empty): kept so "is there anything after X?" is
    /// O(1) for XREADGROUP.
    last_live: StreamId,
    /// Groups by name (ordered, as Redis's rax). Changed only through the group operations
    /// below and [`ConsumerGroup`]'s methods.
    groups: BTreeMap<Bytes, ConsumerGroup>,
    /// XADD IDMP's memory of producers' idempotent IDs (Redis 8.6), once used or configured.
    pub idmp: Option<Box<idmp::Idmp>>,
    /// sluice's retention and delayed entries (SLUICE.POLICY, SLUICE.DELAY), once set.
    pub policy: Option<Box<policy::Policy>>,
    /// The nodes' bytes (`Node::bytes` summed): what retention by size measures.
    bytes: usize,
    /// Entries the last group operation dead-lettered instead of delivering (see
    /// [`Stream::take_dead`]): a by-product of reads and claims, drained by their command.
    dead: Vec<policy::Dead>,
}

/// A group operation named a group the stream does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoGroup;

/// What XAUTOCLAIM looks for.
#[derive(Debug, Clone, Copy)]
pub struct AutoClaimScan {
    pub start: StreamId,
    pub min_idle: i64,
    pub count: usize,
    pub justid: bool,
}

/// An entry XREADGROUP CLAIM took over from the PEL, with its idle time (ms) and
/// delivery count from before the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub entry: Entry,
    pub idle: i64,
    pub deliveries: u64,
}

/// What XAUTOCLAIM did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoClaim {
    /// Where the next call starts (0-0: the scan reached the PEL's end).
    pub next: StreamId,
    pub claimed: Vec<StreamId>,
    /// Pending entries dropped because their stream entry is gone.
    pub deleted: Vec<StreamId>,
}

/// Trim strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// What a trim under a reference policy did, beyond the count, for its propagation.
#[derive(Debug, Default)]
pub struct TrimLog {
    /// DELREF: the pending entries dropped, as (group, ID).
    pub dropped: Vec<(Bytes, StreamId)>,
    /// ACKED (with groups): the entries deleted.
    pub deleted: Vec<StreamId>,
    /// ACKED kept a referenced entry and deleted past it: what went is not a prefix.
    pub skipped: bool,
}

/// What deleting or trimming entries does to the consumer groups' references to them
/// (Redis 8.2's KEEPREF | DELREF | ACKED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefPolicy {
    /// Delete; pending entries for them stay (XDEL's behaviour, the default).
    #[default]
    KeepRef,
    /// Delete, and drop the pending entries for them in every group.
    DelRef,
    /// Delete only entries every group has been delivered and has acknowledged.
    Acked,
}

/// The per-ID outcome of XDELEX and XACKDEL, as their reply codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// -1: no such entry.
    NotFound,
    /// 1: deleted.
    Deleted,
    /// 2: kept, a group still references it (ACKED).
    Referenced,
}

impl DeleteOutcome {
    pub fn code(self) -> i64 {
        match self {
            DeleteOutcome::NotFound => -1,
            DeleteOutcome::Deleted => 1,
            DeleteOutcome::Referenced => 2,
        }
    }
}

/// Asked before a group read delivers an entry (its ID, and the entry unless it is gone):
/// false stops the read (XREAD's MAXCOUNT / MAXSIZE budget).
pub type Take<'a> = &'a mut dyn FnMut(StreamId, Option<&Entry>) -> bool;

/// `streamEntryIsReferenced` over a stream's groups.
fn referenced(groups: &BTreeMap<Bytes, ConsumerGroup>, id: StreamId) -> bool {
    groups
        .values()
        .any(|g| id > g.last_id || g.pel().get(&id).is_some())
}

/// `streamCleanupEntryCGroupRefs`: every group's pending entry for `id` goes.
fn drop_refs(
    groups: &mut BTreeMap<Bytes, ConsumerGroup>,
    id: StreamId,
    dropped: &mut Vec<(Bytes, StreamId)>,
) {
    for (name, g) in groups.iter_mut() {
        if g.ack(id).is_some() {
            dropped.push((name.clone(), id));
        }
    }
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// The retention that applies: the stream's own (SLUICE.POLICY RETENTION), else the
    /// server-wide `default` (`sluice-retention-*`; off unless set).
    pub fn retention(&self, default: &Retention) -> Retention {
        match self.policy.as_deref() {
            Some(p) if !p.retention.is_off() => p.retention,
            _ => *default,
        }
    }

    /// When the policy timer must next look at this stream: the earliest delayed entry's
    /// due time, or when the oldest entry passes the maximum age of its retention (the
    /// server-wide `default` when it has none of its own).
    pub fn next_timer(&self, default: &Retention) -> Option<i64> {
        let r = self.retention(default);
        let aged = (r.max_age_ms > 0 && self.length > 0).then(|| {
            (self.first_id.ms.saturating_add(r.max_age_ms))
                .saturating_add(1)
                .min(i64::MAX as u64) as i64
        });
        match (self.policy.as_deref().and_then(|p| p.next_due()), aged) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Removes a node, keeping `bytes` in step.
    fn drop_node(&mut self, master: StreamId) {
        if let Some(n) = self.nodes.remove(&master) {
            self.bytes -= n.bytes();
        }
    }

    /// The bytes of the stream's entry nodes (what retention by size limits).
    pub fn entry_bytes(&self) -> usize {
        self.bytes
    }

    /// Under retention by size: the ID from which entries must stay so that the nodes from
    /// there on hold at most `max` bytes, dropping whole nodes from the oldest and never the
    /// newest. None when nothing need go.
    pub fn size_trim_bound(&self, max: u64) -> Option<StreamId> {
        let mut over = (self.bytes as u64).checked_sub(max).filter(|&o| o > 0)?;
        let mut bound = None;
        let mut nodes = self.nodes.iter().peekable();
        while let Some((_, node)) = nodes.next() {
            let (next, _) = nodes.peek()?;
            bound = Some(*next);
            over = over.saturating_sub(node.bytes() as u64);
            if over == 0 {
                break;
            }
        }
        bound
    }

    /// Whether retention `r` has work at `now`: the oldest entry older than the maximum age,
    /// or the nodes over the maximum size (what lets XADD skip the policy in one look).
    pub fn retention_due(&self, r: &Retention, now: i64) -> bool {
        self.age_trim_bound(r, now).is_some()
            || (r.max_bytes > 0 && self.bytes as u64 > r.max_bytes)
    }

    /// Under retention by age at `now`: the ms time entries older than which must go, when
    /// the oldest entry is older than that (XTRIM MINID's bound).
    pub fn age_trim_bound(&self, r: &Retention, now: i64) -> Option<u64> {
        let min_ms = (now.max(0) as u64).saturating_sub(r.max_age_ms);
        (r.max_age_ms > 0 && self.length > 0 && self.first_id.ms < min_ms).then_some(min_ms)
    }

    /// Number of nodes (XINFO `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of the radix index (XINFO `radix-tree-nodes`).
    pub fn index_node_count(&self) -> usize {
        self.nodes.node_count()
    }

    /// Appends entry `id`, already validated to be > `last_id`, with `fields` given flat as
    /// XADD's argv has them (name, value, name, value...; an even count), so nothing is
    /// copied or cloned on the way in.
    pub fn append<F: AsRef<[u8]>>(
        &mut self,
        id: StreamId,
        fields: &[F],
        max_bytes: usize,
        max_entries: usize,
    ) {
        let need_new = match self.nodes.last_mut() {
            None => true,
            Some((_, n)) => {
                (max_bytes > 0 && n.bytes() >= max_bytes)
                    || (max_entries > 0 && n.entries() as usize >= max_entries)
            }
        };
        if need_new {
            let node = Node::new(fields);
            self.bytes += node.bytes();
            self.nodes.insert(id, Arc::new(node));
        }
        let (master, node) = self.nodes.last_mut().expect("a node exists");
        let node = Arc::make_mut(node);
        let before = node.bytes();
        node.append(master, id, fields);
        self.bytes += node.bytes() - before;
        if self.length == 0 {
            self.first_id = id;
        }
        self.last_live = id;
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
    }

    /// Entries with `start <= id <= end`, forward or reverse, at most `count` (0: no limit).
    pub fn range(&self, start: StreamId, end: StreamId, count: usize, rev: bool) -> Vec<Entry> {
        let mut out = Vec::new();
        if start > end {
            return out;
        }
        let limit = if count == 0 { usize::MAX } else { count };
        // The node that may hold `start` is the last one whose master ID is <= start.
        let first_key = self.nodes.last_le(start).map(|(k, _)| k).unwrap_or(start);
        if !rev {
            for (master, node) in self.nodes.range(first_key, end) {
                let mut p = node.seek(master, start);
                while p < node.buf.len() {
                    // IDs first: fields are decoded (and allocated) only for entries returned.
                    let (s, next) = node.peek(master, p);
                    if s.deleted || s.id < start {
                        p = next;
                        continue;
                    }
                    if s.id > end {
                        return out;
                    }
                    let (_, fields, _) = node.decode(master, p);
                    p = next;
                    out.push(Entry { id: s.id, fields });
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
        } else {
            for (master, node) in self.nodes.range_rev(end, first_key) {
                let slots = node.slots(master);
                for s in slots.iter().rev() {
                    if s.deleted || s.id > end {
                        continue;
                    }
                    if s.id < start {
                        return out;
                    }
                    let (_, fields, _) = node.decode(master, s.at);
                    out.push(Entry { id: s.id, fields });
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// Visits every live entry in order with its fields as slices borrowed from the nodes,
    /// allocating nothing per entry: the AOF rewrite's walk over what may be millions.
    pub fn for_each_entry<E>(
        &self,
        mut f: impl FnMut(StreamId, &[(&[u8], &[u8])]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut fields: Vec<(&[u8], &[u8])> = Vec::new();
        for (master, node) in self.nodes.iter() {
            let mut p = node.entries_at;
            while p < node.buf.len() {
                fields.clear();
                let (slot, next) = node.decode_with(master, p, |name, v| {
                    let name = match name {
                        FieldName::Master(i) => &node.master_fields[i][..],
                        FieldName::Inline(n) => n,
                    };
                    fields.push((name, v));
                });
                p = next;
                if !slot.deleted {
                    f(slot.id, &fields)?;
                }
            }
        }
        Ok(())
    }

    /// True if an entry with this ID is live (no fields decoded).
    pub fn contains(&self, id: StreamId) -> bool {
        self.nodes
            .last_le(id)
            .and_then(|(master, node)| node.find(master, id))
            .is_some_and(|s| !s.deleted)
    }

    /// The entry with exactly this ID, if live.
    pub fn get(&self, id: StreamId) -> Option<Entry> {
        self.range(id, id, 1, false).pop()
    }

    pub fn first_entry(&self) -> Option<Entry> {
        self.range(StreamId::MIN, StreamId::MAX, 1, false).pop()
    }

    pub fn last_entry(&self) -> Option<Entry> {
        self.range(StreamId::MIN, StreamId::MAX, 1, true).pop()
    }

    /// The last live entry's ID, if any (O(1)).
    pub fn last_live_id(&self) -> Option<StreamId> {
        (self.length > 0).then_some(self.last_live)
    }

    fn refresh_last_live(&mut self) {
        self.last_live = self.last_entry().map(|e| e.id).unwrap_or(StreamId::MIN);
    }

    fn refresh_first_id(&mut self) {
        self.first_id = match self.first_entry() {
            Some(e) => e.id,
            None => StreamId::MIN,
        };
    }

    /// Deletes one entry (XDEL); true if it was live.
    pub fn delete(&mut self, id: StreamId) -> bool {
        // Found before the node is made unique: deleting nothing copies no shared node.
        let Some((master, slot)) = self.nodes.last_le(id).and_then(|(master, node)| {
            node.find(master, id)
                .filter(|s| !s.deleted)
                .map(|s| (master, s))
        }) else {
            return false;
        };
        let node = Arc::make_mut(self.nodes.get_mut(&master).expect("just found"));
        node.mark_deleted(slot.at);
        if node.live == 0 {
            self.drop_node(master);
        }
        self.length -= 1;
        if id > self.max_deleted_id {
            self.max_deleted_id = id;
        }
        if id == self.first_id {
            self.refresh_first_id();
        }
        if id == self.last_live {
            self.refresh_last_live();
        }
        true
    }

    /// Trims (XTRIM / XADD MAXLEN|MINID) keeping every group's references (KEEPREF).
    /// `approx` only drops whole nodes; `limit` caps the entries removed (`usize::MAX`: no
    /// cap). Returns the number of entries removed.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: usize) -> u64 {
        self.trim_with(
            how,
            approx,
            limit,
            RefPolicy::KeepRef,
            &mut TrimLog::default(),
        )
    }

    /// Trims under a reference policy (Redis 8.2 `streamTrim`), from the head. Under ACKED an
    /// entry some group still references is skipped (kept) and trimming goes on past it; a
    /// node that could go whole but holds such entries is walked entry by entry, even when
    /// `approx` (Redis 8.4's fix: approximate ACKED trims used to delete nothing). Under
    /// DELREF, once anything was trimmed, no group keeps a pending entry for an ID below the
    /// stream's new first entry (none at all if it is empty). `log` gets what the caller
    /// needs to propagate it.
    pub fn trim_with(
        &mut self,
        how: Trim,
        approx: bool,
        limit: usize,
        policy: RefPolicy,
        log: &mut TrimLog,
    ) -> u64 {
        let mut removed = 0u64;
        // Nodes before `from` stay (ACKED kept entries in them).
        let mut from = StreamId::MIN;
        while let Some((master, node)) = self.nodes.range(from, StreamId::MAX).next() {
            let node_live = node.live as u64;
            // MAXLEN decides on counts alone: XADD ... MAXLEN ~ n calls this on every add,
            // and must not decode a node to learn that nothing goes.
            let must_remove = match how {
                Trim::MaxLen(max) => self.length > max,
                Trim::MinId(min) => node.first_live_id(master) < min,
            };
            if !must_remove {
                break;
            }
            // Can the whole node go?
            let whole = match how {
                Trim::MaxLen(max) => self.length - node_live >= max,
                Trim::MinId(min) => {
                    let last_in_node = node
                        .slots(master)
                        .into_iter()
                        .rev()
                        .find(|s| !s.deleted)
                        .map(|s| s.id)
                        .unwrap_or(master);
                    last_in_node < min
                }
            };
            let acked = policy == RefPolicy::Acked && !self.groups.is_empty();
            if whole {
                if removed as usize + node.live as usize > limit {
                    break;
                }
                if !acked {
                    self.drop_node(master);
                    self.length -= node_live;
                    removed += node_live;
                    continue;
                }
            } else if approx {
                break;
            }
            // Entry by entry from the head of this node, until the bound or the limit.
            let node = Arc::make_mut(self.nodes.get_mut(&master).unwrap());
            let mut stopped = false;
            for s in node.slots(master) {
                if s.deleted {
                    continue;
                }
                let go = match how {
                    Trim::MaxLen(max) => self.length > max,
                    Trim::MinId(min) => s.id < min,
                };
                if !go || removed as usize >= limit {
                    stopped = true;
                    break;
                }
                if acked {
                    if referenced(&self.groups, s.id) {
                        log.skipped = true;
                        continue;
                    }
                    log.deleted.push(s.id);
                }
                node.mark_deleted(s.at);
                self.length -= 1;
                removed += 1;
            }
            if node.live == 0 {
                self.drop_node(master);
            } else {
                from = master.incr().unwrap_or(StreamId::MAX);
            }
            // A partial node ends the trim, unless ACKED kept entries short of the bound.
            if stopped || (!whole && !acked) {
                break;
            }
        }
        if removed > 0 {
            self.refresh_first_id();
            if self.length == 0 {
                self.last_live = StreamId::MIN;
            } else if log.skipped {
                self.refresh_last_live();
            }
            if policy == RefPolicy::DelRef {
                let below = if self.length > 0 {
                    self.first_id
                } else {
                    StreamId::MAX
                };
                for (name, g) in self.groups.iter_mut() {
                    let ids: Vec<StreamId> = g
                        .pel()
                        .range(StreamId::MIN, below)
                        .map(|(id, _)| id)
                        .filter(|id| *id < below || self.length == 0)
                        .collect();
                    for id in ids {
                        g.ack(id);
                        log.dropped.push((name.clone(), id));
                    }
                }
            }
        }
        removed
    }

    /// Does a group still want `id` (`streamEntryIsReferenced`): pending in one, or not yet
    /// delivered to one? A stream without groups references nothing.
    pub fn is_referenced(&self, id: StreamId) -> bool {
        referenced(&self.groups, id)
    }

    /// XDELEX / XACKDEL's deletion of one ID under `policy`; DELREF's dropped pending
    /// entries are recorded in `dropped` as (group, ID), even when the entry itself is gone
    /// (dangling references).
    pub fn delete_with(
        &mut self,
        id: StreamId,
        policy: RefPolicy,
        dropped: &mut Vec<(Bytes, StreamId)>,
    ) -> DeleteOutcome {
        match policy {
            RefPolicy::KeepRef => {}
            RefPolicy::DelRef => drop_refs(&mut self.groups, id, dropped),
            RefPolicy::Acked => {
                if self.contains(id) && self.is_referenced(id) {
                    return DeleteOutcome::Referenced;
                }
            }
        }
        if self.delete(id) {
            DeleteOutcome::Deleted
        } else {
            DeleteOutcome::NotFound
        }
    }

    /// Redis's `streamRangeHasTombstones` (7.4+): may deleted entries lie in `[start, end]`?
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// Redis's `streamEstimateDistanceFromFirstEverEntry`: the logical read counter of `id`,
    /// or [`INVALID_ENTRIES_READ`].
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        // A deletion after `id` leaves a gap between it and the last entry.
        if !id.is_zero() && id < self.max_deleted_id {
            return INVALID_ENTRIES_READ;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        } else if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            if id < self.first_id {
                return (self.entries_added - self.length) as i64;
            } else if id == self.first_id {
                return (self.entries_added - self.length + 1) as i64;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag (`streamReplyWithCGLag`), None when unknown.
    pub fn group_lag(&self, g: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 || self.length == 0 {
            return Some(0);
        }
        if g.last_id < self.first_id && self.max_deleted_id < self.first_id {
            // Everything the group has read and every deletion lie before the first entry:
            // the whole stream is still to be read.
            return Some(self.length as i64);
        }
        if g.entries_read != INVALID_ENTRIES_READ
            && !self.range_has_tombstones(g.last_id, StreamId::MAX)
        {
            return Some(self.entries_added as i64 - g.entries_read);
        }
        let er = self.estimate_distance(g.last_id);
        (er != INVALID_ENTRIES_READ).then(|| self.entries_added as i64 - er)
    }

    /// Advances a group past `id` as delivering it does (`streamReplyWithRange` with a group).
    /// The counter moves by one only while it is valid and nothing was deleted between the
    /// group's position and the stream's end (Redis 7.4+); otherwise it is re-estimated.
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let last = self.groups[group].last_id;
        let exact = last >= self.first_id && !self.range_has_tombstones(last, StreamId::MAX);
        let est = self.estimate_distance(id);
        let entries_added = self.entries_added;
        let g = self.groups.get_mut(group).expect("group exists");
        if id > g.last_id {
            if g.entries_read != INVALID_ENTRIES_READ && exact {
                g.entries_read += 1;
            } else if entries_added > 0 {
                g.entries_read = est;
            }
            g.last_id = id;
        }
    }

    pub fn groups(&self) -> &BTreeMap<Bytes, ConsumerGroup> {
        &self.groups
    }

    pub fn group(&self, name: &[u8]) -> Option<&ConsumerGroup> {
        self.groups.get(name)
    }

    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut ConsumerGroup> {
        self.groups.get_mut(name)
    }

    /// XGROUP CREATE: false if the name is taken.
    pub fn create_group(&mut self, name: &Bytes, last_id: StreamId, entries_read: i64) -> bool {
        if self.groups.contains_key(name) {
            return false;
        }
        self.groups
            .insert(name.clone(), ConsumerGroup::new(last_id, entries_read));
        true
    }

    /// XGROUP DESTROY: true if the group existed.
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        self.groups.remove(name).is_some()
    }

    /// XREADGROUP `>`: up to `count` (0: all) entries never delivered to the group, each
    /// advancing the group and, unless `noack`, becoming pending for `consumer`; `take` is
    /// asked before each (a reply budget: false stops the read there, the entry untouched).
    pub fn read_group_new(
        &mut self,
        group: &[u8],
        consumer: &Bytes,
        count: usize,
        noack: bool,
        now: i64,
        take: Take<'_>,
    ) -> Result<Vec<Entry>, NoGroup> {
        let last = self.groups.get(group).ok_or(NoGroup)?.last_id;
        let Some(start) = last.incr() else {
            return Ok(Vec::new());
        };
        let mut entries = self.range(start, StreamId::MAX, count, false);
        if let Some(stop) = entries.iter().position(|e| !take(e.id, Some(e))) {
            entries.truncate(stop);
        }
        for e in &entries {
            self.advance_group(group, e.id);
            let g = self.groups.get_mut(group).expect("checked");
            if !noack {
                g.deliver(consumer, e.id, now);
            }
            g.consumer_active(consumer, now);
        }
        Ok(entries)
    }

    /// XREADGROUP with an ID: up to `count` (0: all) of `consumer`'s pending entries after
    /// `after`, each re-delivered; an entry deleted from the stream since comes back as
    /// `None` and stays pending (XACK or a claim clears it). `take` as for
    /// [`Stream::read_group_new`].
    pub fn read_group_history(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        after: StreamId,
        count: usize,
        now: i64,
        take: Take<'_>,
    ) -> Result<Vec<(StreamId, Option<Entry>)>, NoGroup> {
        let g = self.groups.get(group).ok_or(NoGroup)?;
        let Some(start) = after.incr() else {
            return Ok(Vec::new());
        };
        let ids: Vec<StreamId> = g
            .consumer(consumer)
            .map(|c| {
                let n = if count == 0 { usize::MAX } else { count };
                c.pending().range(start, StreamId::MAX).take(n).collect()
            })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let e = self.get(id);
            if let Some(e) = &e {
                if self.dead_letter_if_due(group, e, DeadReason::MaxDeliveries) {
                    continue;
                }
            }
            if !take(id, e.as_ref()) {
                break;
            }
            if e.is_some() {
                let g = self.groups.get_mut(group).expect("checked");
                g.redeliver(id, now).expect("consumer PEL ⊆ group PEL");
            }
            out.push((id, e));
        }
        Ok(out)
    }

    /// XREADGROUP ... CLAIM min-idle-time with `>` (Redis 8.4), its pending half: up to
    /// `count` (0: all) entries pending in the group and idle at least `min_idle` ms, the
    /// longest idle first, claimed for `consumer` (delivered now, one delivery more), each
    /// with the idle time and delivery count it had. Pending entries whose stream entry is
    /// gone leave the PEL instead (returned second), as XAUTOCLAIM drops them. `take` is
    /// asked before each claim, as for [`Stream::read_group_new`].
    pub fn claim_idle(
        &mut self,
        group: &[u8],
        consumer: &Bytes,
        min_idle: i64,
        count: usize,
        now: i64,
        take: Take<'_>,
    ) -> Result<(Vec<Claimed>, Vec<StreamId>), NoGroup> {
        let want = if count == 0 { usize::MAX } else { count };
        let opts = ClaimOpts {
            min_idle: 0,
            delivery_time: now,
            count: DeliveryCount::Bump,
            force: false,
        };
        let mut claimed = Vec::new();
        let mut gone = Vec::new();
        // Claimed entries are delivered now: with a min-idle of 0 they would qualify again.
        let mut taken = std::collections::HashSet::new();
        'batches: while claimed.len() < want {
            let g = self.groups.get(group).ok_or(NoGroup)?;
            let batch = g.idle_pending(min_idle, now, (want - claimed.len()).min(1024), &|id| {
                taken.contains(&id)
            });
            if batch.is_empty() {
                break;
            }
            for id in batch {
                let entry = self.get(id);
                let g = self.groups.get_mut(group).expect("checked");
                let Some(entry) = entry else {
                    g.ack(id);
                    gone.push(id);
                    continue;
                };
                if self.dead_letter_if_due(group, &entry, DeadReason::MaxDeliveries) {
                    continue;
                }
                let g = self.groups.get_mut(group).expect("checked");
                if !take(id, Some(&entry)) {
                    break 'batches;
                }
                let pe = &g.pel()[&id];
                let (idle, deliveries) = (
                    now.saturating_sub(pe.delivery_time()).max(0),
                    pe.delivery_count,
                );
                g.claim(id, consumer, &opts, now);
                taken.insert(id);
                claimed.push(Claimed {
                    entry,
                    idle,
                    deliveries,
                });
            }
        }
        Ok((claimed, gone))
    }

    /// XNACK (Redis 8.8) of `ids`, in order, under `how`; `force` creates nacked entries
    /// for IDs that exist in the stream but are not pending. How many IDs were nacked (a
    /// repeated ID counts each time).
    /// Under FATAL, with a dead-letter rule on the group, each nacked entry that exists is
    /// dead-lettered at once (the command takes the rule off while replaying: the log holds
    /// what the original did).
    pub fn nack(
        &mut self,
        group: &[u8],
        ids: &[StreamId],
        how: NackCount,
        force: bool,
    ) -> Result<usize, NoGroup> {
        let g = self.groups.get(group).ok_or(NoGroup)?;
        let dead_letter = how == NackCount::Fatal && g.dead_letter.is_some();
        let mut n = 0;
        for &id in ids {
            let exists = force && self.contains(id);
            let g = self.groups.get_mut(group).expect("checked");
            let nacked = g.nack(id, how, force, exists);
            n += nacked as usize;
            if nacked && dead_letter {
                if let Some(e) = self.get(id) {
                    self.dead_letter_if_due(group, &e, DeadReason::Fatal);
                }
            }
        }
        Ok(n)
    }

    /// The group's dead-letter rule applied to pending entry `e` about to be delivered
    /// again (or nacked FATAL): if its delivery count has reached the maximum, it leaves the
    /// PEL and joins [`Stream::take_dead`]'s list. True if so.
    fn dead_letter_if_due(&mut self, group: &[u8], e: &Entry, reason: DeadReason) -> bool {
        let Some(g) = self.groups.get_mut(group) else {
            return false;
        };
        let (Some(dl), Some(pe)) = (g.dead_letter.as_deref(), g.pel().get(&e.id)) else {
            return false;
        };
        if reason == DeadReason::MaxDeliveries && pe.delivery_count < dl.max_deliveries {
            return false;
        }
        let target = dl.target.clone();
        let pe = g.ack(e.id).expect("pending");
        if let Some(dl) = g.dead_letter.as_deref_mut() {
            dl.count += 1;
        }
        self.dead.push(policy::Dead {
            group: Bytes::copy_from_slice(group),
            target,
            entry: e.clone(),
            deliveries: pe.delivery_count,
            consumer: pe.consumer,
            reason,
        });
        true
    }

    /// The entries the last group operations dead-lettered, for their command to copy to
    /// the targets and propagate.
    pub fn take_dead(&mut self) -> Vec<policy::Dead> {
        std::mem::take(&mut self.dead)
    }

    /// XCLAIM of one ID for `to`: an entry gone from the stream leaves the PEL instead.
    pub fn claim(
        &mut self,
        group: &[u8],
        id: StreamId,
        to: &Bytes,
        opts: &ClaimOpts,
        now: i64,
    ) -> Result<ClaimStatus, NoGroup> {
        let entry = self.get(id);
        let exists = entry.is_some();
        let g = self.groups.get_mut(group).ok_or(NoGroup)?;
        // A claim that would deliver it once more than the group allows dead-letters it.
        if let (Some(e), Some(pe)) = (&entry, g.pel().get(&id)) {
            let idle = opts.min_idle <= 0 || now - pe.delivery_time() >= opts.min_idle;
            if opts.count == DeliveryCount::Bump
                && idle
                && g.dead_letter.is_some()
                && self.dead_letter_if_due(group, e, DeadReason::MaxDeliveries)
            {
                return Ok(ClaimStatus::DeadLettered);
            }
        }
        let g = self.groups.get_mut(group).expect("checked");
        if !exists {
            return Ok(match g.ack(id) {
                Some(_) => ClaimStatus::Deleted,
                None => ClaimStatus::NotPending,
            });
        }
        Ok(g.claim(id, to, opts, now))
    }

    /// XAUTOCLAIM (`xautoclaimCommand`): walks the PEL from `scan.start`, looking at no
    /// more than `count` × 10 entries, and claims for `to` up to `count` of those idle at
    /// least `min_idle` ms; entries gone from the stream leave the PEL and use up COUNT as
    /// claimed ones do. JUSTID leaves the delivery counters alone.
    pub fn autoclaim(
        &mut self,
        group: &[u8],
        to: &Bytes,
        scan: &AutoClaimScan,
        now: i64,
    ) -> Result<AutoClaim, NoGroup> {
        let AutoClaimScan {
            start,
            min_idle,
            count,
            justid,
        } = *scan;
        let g = self.groups.get(group).ok_or(NoGroup)?;
        let mut attempts = count.saturating_mul(10);
        // One more than the scan may look at: the next cursor.
        let ids: Vec<StreamId> = g
            .pel()
            .range(start, StreamId::MAX)
            .take(attempts.saturating_add(1))
            .map(|(k, _)| k)
            .collect();
        let opts = ClaimOpts {
            min_idle,
            delivery_time: now,
            count: if justid {
                DeliveryCount::Keep
            } else {
                DeliveryCount::Bump
            },
            force: false,
        };
        let mut out = AutoClaim {
            next: StreamId::MIN,
            claimed: Vec::new(),
            deleted: Vec::new(),
        };
        let mut left = count;
        let mut k = 0;
        while k < ids.len() && attempts > 0 && left > 0 {
            let id = ids[k];
            attempts -= 1;
            k += 1;
            match self.claim(group, id, to, &opts, now)? {
                ClaimStatus::Claimed => out.claimed.push(id),
                ClaimStatus::Deleted => out.deleted.push(id),
                ClaimStatus::TooRecent | ClaimStatus::NotPending | ClaimStatus::DeadLettered => {
                    continue
                }
            }
            left -= 1;
        }
        if let Some(next) = ids.get(k) {
            out.next = *next;
        }
        Ok(out)
    }

    /// [`Stream::mem_usage`] in O(groups) rather than O(nodes): the nodes' bytes in use
    /// (kept up to date) instead of their capacities, and a fixed cost per node. For the
    /// metrics scrape and the dashboard, which read every stream under the store lock: a
    /// walk of a 20,000,000-entry stream's nodes held it for 37 ms.
    pub fn mem_estimate(&self) -> usize {
        self.bytes + self.node_count() * 96 + self.state_mem()
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn mem_usage(&self) -> usize {
        self.nodes
            .values()
            .map(|n| n.buf.capacity() + n.marks.capacity() * 4 + 88)
            .sum::<usize>()
            + self.state_mem()
    }

    /// What the groups (with their PELs) and the idempotency state take, in O(groups).
    fn state_mem(&self) -> usize {
        self.groups
            .values()
            .map(|g| 64 + g.pel().len() * 96)
            .sum::<usize>()
            + self.idmp.as_ref().map_or(0, |m| m.mem_usage())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fields flat, as `append` takes them.
    fn flat(pairs: &[(Bytes, Bytes)]) -> Vec<Bytes> {
        pairs
            .iter()
            .flat_map(|(a, b)| [a.clone(), b.clone()])
            .collect()
    }

    #[test]
    fn id_text_is_the_decimal_pair() {
        for (ms, seq) in [
            (0, 0),
            (1, 0),
            (0, 9),
            (10, 10),
            (1_700_000_000_000, 3),
            (u64::MAX, u64::MAX),
        ] {
            let id = StreamId::new(ms, seq);
            assert_eq!(id.text().as_bytes(), format!("{ms}-{seq}").as_bytes());
            assert_eq!(id.to_string(), format!("{ms}-{seq}"));
        }
    }

    fn f(pairs: &[(&str, &str)]) -> Vec<(Bytes, Bytes)> {
        pairs
            .iter()
            .map(|(a, b)| {
                (
                    Bytes::copy_from_slice(a.as_bytes()),
                    Bytes::copy_from_slice(b.as_bytes()),
                )
            })
            .collect()
    }

    #[test]
    fn reads_starting_inside_a_marked_node() {
        let mut s = Stream::new();
        for i in 1..=130u64 {
            s.append(StreamId::new(i, 0), &flat(&f(&[("a", "1")])), 0, 0);
        }
        assert_eq!(s.node_count(), 1);
        assert_eq!(s.nodes.values().next().unwrap().marks.len(), 4);
        for i in 0..=131u64 {
            let got: Vec<u64> = s
                .range(StreamId::new(i, 0), StreamId::MAX, 2, false)
                .iter()
                .map(|e| e.id.ms)
                .collect();
            let want: Vec<u64> = (i.max(1)..=130).take(2).collect();
            assert_eq!(got, want, "from {i}");
        }
    }

    /// The group operations as the server's own timers use them: no command, no clock of
    /// their own, a typed outcome.
    #[test]
    fn group_operations_outside_commands() {
        let id = |ms| StreamId::new(ms, 0);
        let (g, alice, bob) = (Bytes::from("g"), Bytes::from("alice"), Bytes::from("bob"));
        let mut s = Stream::new();
        for ms in 1..=5 {
            s.append(id(ms), &flat(&f(&[("a", "1")])), 4096, 100);
        }
        assert!(s.create_group(&g, StreamId::MIN, 0));
        assert!(!s.create_group(&g, StreamId::MIN, 0));
        assert_eq!(
            s.read_group_new(b"nope", &alice, 0, false, 10, &mut |_, _| true),
            Err(NoGroup)
        );
        let got = s
            .read_group_new(&g, &alice, 3, false, 10, &mut |_, _| true)
            .unwrap();
        assert_eq!(
            got.iter().map(|e| e.id).collect::<Vec<_>>(),
            [id(1), id(2), id(3)]
        );
        assert_eq!(s.group(&g).unwrap().entries_read, 3);
        // A history read re-delivers; a deleted entry comes back as None and stays pending.
        assert!(s.delete(id(2)));
        let hist = s
            .read_group_history(&g, &alice, StreamId::MIN, 0, 20, &mut |_, _| true)
            .unwrap();
        assert_eq!(
            hist.iter()
                .map(|(i, e)| (*i, e.is_some()))
                .collect::<Vec<_>>(),
            [(id(1), true), (id(2), false), (id(3), true)]
        );
        assert_eq!(s.group(&g).unwrap().pel()[&id(1)].delivery_count, 2);
        // XAUTOCLAIM-like: the deleted entry leaves the PEL, idle ones move to bob.
        let scan = AutoClaimScan {
            start: StreamId::MIN,
            min_idle: 5,
            count: 10,
            justid: false,
        };
        let done = s.autoclaim(&g, &bob, &scan, 40).unwrap();
        assert_eq!(done.claimed, [id(1), id(3)]);
        assert_eq!(done.deleted, [id(2)]);
        assert_eq!(done.next, StreamId::MIN);
        let grp = s.group(&g).unwrap();
        assert_eq!(grp.consumer(b"bob").unwrap().pending().len(), 2);
        assert_eq!(grp.pel()[&id(3)].delivery_count, 3);
        grp.check_invariants().unwrap();
        // XCLAIM-like with FORCE on an entry never delivered.
        let opts = ClaimOpts {
            min_idle: 0,
            delivery_time: 50,
            count: DeliveryCount::Keep,
            force: true,
        };
        assert_eq!(
            s.claim(&g, id(5), &alice, &opts, 50),
            Ok(ClaimStatus::Claimed)
        );
        assert_eq!(
            s.claim(&g, id(2), &alice, &opts, 50),
            Ok(ClaimStatus::NotPending)
        );
        assert!(s.destroy_group(&g));
        assert_eq!(s.claim(&g, id(5), &alice, &opts, 50), Err(NoGroup));
    }

    #[test]
    fn retention_is_due_exactly_when_age_or_size_is_passed() {
        let mut s = Stream::new();
        let r = |age, bytes| Retention {
            max_age_ms: age,
            max_bytes: bytes,
            ..Default::default()
        };
        // Empty: nothing to age out, nothing over size.
        assert!(!s.retention_due(&r(10, 1), 1_000));
        for i in 0..250u64 {
            s.append(
                StreamId::new(1_000 + i, 0),
                &flat(&f(&[("a", "1")])),
                4096,
                100,
            );
        }
        assert_eq!(s.node_count(), 3);
        // Age: due once now − age passes the first entry's ms, not at it.
        assert!(!s.retention_due(&r(100, 0), 1_100));
        assert!(s.retention_due(&r(100, 0), 1_101));
        assert!(!s.retention_due(&r(0, 0), i64::MAX));
        // Size: due once the nodes' bytes pass the bound, and then a bound to trim to.
        let bytes = s.entry_bytes() as u64;
        assert!(!s.retention_due(&r(0, bytes), 0));
        assert!(s.retention_due(&r(0, bytes - 1), 0));
        assert_eq!(s.size_trim_bound(bytes - 1), Some(StreamId::new(1_100, 0)));
    }

    #[test]
    fn append_range_delete() {
        let mut s = Stream::new();
        for i in 1..=250u64 {
            let fields = if i % 7 == 0 {
                f(&[("other", "x")])
            } else {
                f(&[("a", "1"), ("b", &i.to_string())])
            };
            s.append(StreamId::new(i, 0), &flat(&fields), 4096, 100);
        }
        assert_eq!(s.length, 250);
        assert_eq!(s.node_count(), 3);
        let r = s.range(StreamId::new(99, 0), StreamId::new(102, 0), 0, false);
        assert_eq!(
            r.iter().map(|e| e.id.ms).collect::<Vec<_>>(),
            [99, 100, 101, 102]
        );
        assert_eq!(r[0].fields, f(&[("a", "1"), ("b", "99")]));
        assert_eq!(
            s.get(StreamId::new(98, 0)).unwrap().fields,
            f(&[("other", "x")])
        );
        let rr = s.range(StreamId::MIN, StreamId::MAX, 3, true);
        assert_eq!(
            rr.iter().map(|e| e.id.ms).collect::<Vec<_>>(),
            [250, 249, 248]
        );
        assert!(s.delete(StreamId::new(1, 0)));
        assert!(!s.delete(StreamId::new(1, 0)));
        assert_eq!(s.first_id, StreamId::new(2, 0));
        assert_eq!(s.trim(Trim::MaxLen(10), false, usize::MAX), 239);
        assert_eq!(s.length, 10);
        assert_eq!(s.first_id, StreamId::new(241, 0));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8),
        Del(u16),
        TrimLen(u16, bool),
        TrimMin(u16, bool),
    }

    proptest! {
        /// The packed stream behaves like a BTreeMap model under random adds, deletes and trims.
        #[test]
        fn model_based(ops in prop::collection::vec(prop_oneof![
            6 => (0u8..4).prop_map(Op::Add),
            2 => (0u16..400).prop_map(Op::Del),
            1 => (0u16..300, any::<bool>()).prop_map(|(n, a)| Op::TrimLen(n, a)),
            1 => (0u16..400, any::<bool>()).prop_map(|(n, a)| Op::TrimMin(n, a)),
        ], 1..300), max_entries in 1usize..60) {
            let mut s = Stream::new();
            let mut m: BTreeMap<StreamId, Vec<(Bytes, Bytes)>> = BTreeMap::new();
            let mut next = 1u64;
            for op in ops {
                match op {
                    Op::Add(k) => {
                        let ks = k.to_string();
                        let fields = f(&[("f", ks.as_str()), ("g", "v")][..(k as usize % 2 + 1)]);
                        let id = StreamId::new(next, k as u64);
                        next += 1;
                        s.append(id, &flat(&fields), 600, max_entries);
                        m.insert(id, fields);
                    }
                    Op::Del(i) => {
                        let id = m.keys().nth(i as usize % (m.len().max(1))).copied();
                        if let Some(id) = id {
                            prop_assert!(s.delete(id));
                            m.remove(&id);
                        }
                    }
                    Op::TrimLen(n, approx) => {
                        let removed = s.trim(Trim::MaxLen(n as u64), approx, usize::MAX);
                        for _ in 0..removed {
                            let k = *m.keys().next().unwrap();
                            m.remove(&k);
                        }
                        if !approx {
                            prop_assert!(m.len() <= n as usize);
                        }
                    }
                    Op::TrimMin(n, approx) => {
                        let min = StreamId::new(n as u64, 0);
                        let removed = s.trim(Trim::MinId(min), approx, usize::MAX);
                        for _ in 0..removed {
                            let k = *m.keys().next().unwrap();
                            prop_assert!(k < min);
                            m.remove(&k);
                        }
                        if !approx {
                            prop_assert!(m.keys().all(|k| *k >= min));
                        }
                    }
                }
                prop_assert_eq!(s.length as usize, m.len());
                prop_assert!(s.nodes.values().all(|n| n.live > 0));
                prop_assert_eq!(s.first_id, m.keys().next().copied().unwrap_or(StreamId::MIN));
                prop_assert_eq!(s.last_live_id(), m.keys().next_back().copied());
            }
            // Every ID ever added (live, deleted or trimmed) and some never added.
            for ms in 0..next + 1 {
                for seq in 0..4 {
                    let id = StreamId::new(ms, seq);
                    prop_assert_eq!(s.contains(id), m.contains_key(&id), "contains {}", id);
                }
            }
            let all: Vec<(StreamId, Vec<(Bytes, Bytes)>)> = s.range(StreamId::MIN, StreamId::MAX, 0, false).into_iter().map(|e| (e.id, e.fields)).collect();
            let model: Vec<(StreamId, Vec<(Bytes, Bytes)>)> = m.clone().into_iter().collect();
            prop_assert_eq!(&all, &model);
            let mut rev: Vec<StreamId> = s.range(StreamId::MIN, StreamId::MAX, 0, true).into_iter().map(|e| e.id).collect();
            rev.reverse();
            prop_assert_eq!(rev, m.keys().copied().collect::<Vec<_>>());
        }

        /// Reads starting anywhere (at an ID, between IDs, past the end) in nodes big enough
        /// to carry marks, with tombstones, return what a BTreeMap model returns.
        #[test]
        fn reads_from_any_start(
            adds in prop::collection::vec((1u64..3, 0u64..3), 1..400),
            dels in prop::collection::vec(any::<prop::sample::Index>(), 0..60),
            max_entries in prop_oneof![Just(0usize), 33usize..140],
            count in 1usize..5,
        ) {
            let mut s = Stream::new();
            let mut m = BTreeMap::new();
            let mut ms = 0;
            for (step, seq) in adds {
                ms += step;
                let id = StreamId::new(ms, seq);
                s.append(id, &flat(&f(&[("f", "v")])), 0, max_entries);
                m.insert(id, ());
            }
            for d in dels {
                let id = *d.get(&m.keys().copied().collect::<Vec<_>>());
                prop_assert!(s.delete(id));
                m.remove(&id);
                if m.is_empty() {
                    break;
                }
            }
            for ms in 0..=ms + 1 {
                for seq in [0, 1, 3] {
                    let start = StreamId::new(ms, seq);
                    let got: Vec<StreamId> = s.range(start, StreamId::MAX, count, false).into_iter().map(|e| e.id).collect();
                    let want: Vec<StreamId> = m.range(start..).take(count).map(|(k, _)| *k).collect();
                    prop_assert_eq!(got, want);
                }
            }
        }
    }
}
