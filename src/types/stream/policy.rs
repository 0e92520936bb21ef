//! sluice's queue policies on a stream (beyond Redis): retention by age and size, delayed
//! entries held aside until due, and the per-group dead-letter rule ([`DeadLetter`], kept in
//! the group). The server applies them through [`super::Stream`]'s operations and the command
//! layer propagates what they did as ordinary Redis commands.
//!
//! Invariants:
//! - `delayed` holds each held-aside entry once, under (due unix ms, handle); handles grow
//!   per stream and are never reused, so cancelling by handle cannot hit a newer entry.
//! - An entry's fields are packed into one allocation (`len value` pairs as varints), so a
//!   delayed entry costs its payload plus a fixed overhead whatever its field count.
//! - Counters count since the server started (they are statistics, not state: neither the
//!   AOF nor a snapshot keeps them).

use super::super::varint::{get_str, put_str};
use super::RefPolicy;
use bytes::Bytes;
use std::collections::BTreeMap;

/// Retention of one stream: 0 means no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Entries whose ID time is older than now − `max_age_ms` are trimmed (XTRIM MINID).
    pub max_age_ms: u64,
    /// The stream's entry memory (its nodes' bytes) is kept at or under this, oldest nodes
    /// first; the newest node always stays.
    pub max_bytes: u64,
    /// What trimming does to the groups' references (ACKED keeps what a group still needs).
    pub refs: RefPolicy,
}

impl Retention {
    pub fn is_off(&self) -> bool {
        self.max_age_ms == 0 && self.max_bytes == 0
    }
}

/// What the policies did, since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyCounters {
    /// Entries trimmed because they were older than the maximum age.
    pub expired: u64,
    /// Entries trimmed to keep the stream under its maximum size.
    pub trimmed: u64,
    /// Entries ever held aside by SLUICE.DELAY.
    pub delayed: u64,
    /// Delayed entries appended to the stream once due.
    pub due: u64,
}

/// A stream's policies and delayed entries.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub retention: Retention,
    delayed: BTreeMap<(i64, u64), Box<[u8]>>,
    /// Bytes of the packed payloads in `delayed` (for memory accounting).
    delayed_bytes: usize,
    next_handle: u64,
    pub counters: PolicyCounters,
}

/// A delayed entry's handle as its text `due-n`.
pub fn handle_text(due: i64, n: u64) -> String {
    format!("{due}-{n}")
}

/// Parses a handle's text.
pub fn parse_handle(b: &[u8]) -> Option<(i64, u64)> {
    let s = std::str::from_utf8(b).ok()?;
    let (d, n) = s.split_once('-')?;
    if d.is_empty() || n.is_empty() || !d.bytes().chain(n.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, n.parse().ok()?))
}

fn pack<F: AsRef<[u8]>>(fields: &[F]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.as_ref().len() + 2).sum());
    for f in fields {
        put_str(&mut out, f.as_ref());
    }
    out.into_boxed_slice()
}

/// The flat field-value list of a packed entry.
pub fn unpack(b: &[u8]) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < b.len() {
        out.push(Bytes::copy_from_slice(get_str(b, &mut p)));
    }
    out
}

impl Policy {
    /// Nothing set and nothing held: the stream can drop its policy.
    pub fn is_empty(&self) -> bool {
        self.retention.is_off() && self.delayed.is_empty()
    }

    /// Holds an entry aside until `due`; `handle` is given when replaying (the original's),
    /// else the next one. Returns the handle used.
    pub fn delay<F: AsRef<[u8]>>(&mut self, due: i64, handle: Option<u64>, fields: &[F]) -> u64 {
        let n = handle.unwrap_or(self.next_handle);
        self.next_handle = self.next_handle.max(n + 1);
        let packed = pack(fields);
        self.delayed_bytes += packed.len();
        if let Some(old) = self.delayed.insert((due, n), packed) {
            self.delayed_bytes -= old.len();
        } else {
            self.counters.delayed += 1;
        }
        n
    }

    /// Cancels a delayed entry; true if it was held.
    pub fn undelay(&mut self, due: i64, n: u64) -> bool {
        match self.delayed.remove(&(due, n)) {
            Some(p) => {
                self.delayed_bytes -= p.len();
                true
            }
            None => false,
        }
    }

    /// The earliest due time held.
    pub fn next_due(&self) -> Option<i64> {
        self.delayed.keys().next().map(|(t, _)| *t)
    }

    /// Takes the earliest delayed entry if it is due at `now`: (due, handle, fields).
    pub fn pop_due(&mut self, now: i64) -> Option<(i64, u64, Vec<Bytes>)> {
        let (&(t, _), _) = self.delayed.first_key_value()?;
        if t > now {
            return None;
        }
        let ((t, n), p) = self.delayed.pop_first()?;
        self.delayed_bytes -= p.len();
        self.counters.due += 1;
        Some((t, n, unpack(&p)))
    }

    pub fn delayed_len(&self) -> usize {
        self.delayed.len()
    }

    /// Held entries in due order: (due, handle, packed fields).
    pub fn delayed(&self) -> impl Iterator<Item = (i64, u64, &[u8])> + '_ {
        self.delayed.iter().map(|(&(t, n), p)| (t, n, &p[..]))
    }

    /// Approximate heap bytes: the payloads plus a B-tree slot and box per entry.
    pub fn mem_usage(&self) -> usize {
        self.delayed_bytes + self.delayed.len() * 48 + 96
    }
}

/// A group's dead-letter rule: an entry whose next delivery would be delivery number
/// `max_deliveries + 1` goes to `target` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub max_deliveries: u64,
    pub target: Bytes,
    /// Entries dead-lettered since start.
    pub count: u64,
    /// The server-wide rule (`sluice-deadletter-*`) installed on a group without its own:
    /// kept in step with the directives before each delivery, never persisted.
    pub from_default: bool,
}

/// Why an entry was dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadReason {
    /// Its delivery count reached the group's maximum.
    MaxDeliveries,
    /// XNACK FATAL.
    Fatal,
}

impl DeadReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadReason::MaxDeliveries => "max-deliveries",
            DeadReason::Fatal => "fatal",
        }
    }
}

/// An entry a group operation dead-lettered instead of delivering: it has left the group's
/// PEL; the caller copies it to `target` and propagates both halves.
#[derive(Debug, Clone)]
pub struct Dead {
    pub group: Bytes,
    pub target: Bytes,
    pub entry: super::Entry,
    pub deliveries: u64,
    pub consumer: Option<Bytes>,
    pub reason: DeadReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delayed_entries_come_out_in_due_order_once() {
        let mut p = Policy::default();
        let a = p.delay(30, None, &[&b"f"[..], b"a"]);
        let b = p.delay(10, None, &[&b"f"[..], b"b"]);
        let c = p.delay(10, None, &[&b"f"[..], b"c"]);
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(p.next_due(), Some(10));
        assert!(p.pop_due(9).is_none());
        let (t, n, f) = p.pop_due(30).unwrap();
        assert_eq!((t, n, &f[1][..]), (10, 1, &b"b"[..]));
        assert!(p.undelay(10, 2));
        assert!(!p.undelay(10, 2));
        assert_eq!(p.pop_due(100).unwrap().2[1], "a");
        assert!(p.pop_due(100).is_none());
        assert_eq!(p.delayed_bytes, 0);
        // Handles are never reused, and a replayed handle moves the counter past it.
        assert_eq!(p.delay(5, Some(9), &[&b"x"[..], b""]), 9);
        assert_eq!(p.delay(5, None, &[&b"x"[..], b""]), 10);
        assert_eq!(p.counters.delayed, 5);
    }

    #[test]
    fn packing_keeps_binary_fields() {
        let fields = [&b"\r\n\0"[..], b"", b"\xff"];
        assert_eq!(unpack(&pack(&fields)), fields.to_vec());
    }

    #[test]
    fn handles_parse_strictly() {
        assert_eq!(parse_handle(b"123-4"), Some((123, 4)));
        for bad in [&b"123"[..], b"-4", b"1-", b"a-1", b"1-2-3", b"+1-2"] {
            assert_eq!(parse_handle(bad), None, "{bad:?}");
        }
        assert_eq!(handle_text(123, 4), "123-4");
    }
}
