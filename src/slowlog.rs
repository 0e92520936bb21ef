//! The slow log (Redis's `slowlog.c`): the latest `slowlog-max-len` commands that ran for at
//! least `slowlog-log-slower-than` µs (negative: off; 0: every command), newest first.
//!
//! Invariants: ids grow by one per entry and survive SLOWLOG RESET (as Redis's
//! `slowlog_entry_id`); an entry keeps at most [`MAX_ARGC`] arguments, the last of them saying
//! how many more there were, each at most [`MAX_STRING`] bytes followed by how many more;
//! arguments that carry secrets arrive already redacted (`cmd::redacted_argv`).

use bytes::Bytes;
use std::collections::VecDeque;

/// SLOWLOG_ENTRY_MAX_ARGC.
pub const MAX_ARGC: usize = 32;
/// SLOWLOG_ENTRY_MAX_STRING.
pub const MAX_STRING: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: u64,
    /// Unix seconds when it was logged.
    pub time: i64,
    /// Microseconds the command ran.
    pub duration_us: u64,
    pub argv: Vec<Bytes>,
    /// The client's `ip:port`, and its name ("" without one).
    pub peer: String,
    pub name: Bytes,
}

#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// An argument vector as the slow log keeps it (`slowlogCreateEntry`).
pub fn trimmed_argv(argv: &[Bytes]) -> Vec<Bytes> {
    let keep = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(keep);
    for (j, a) in argv.iter().take(keep).enumerate() {
        if keep != argv.len() && j == keep - 1 {
            out.push(Bytes::from(format!(
                "... ({} more arguments)",
                argv.len() - keep + 1
            )));
        } else if a.len() > MAX_STRING {
            let mut s = a[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
            out.push(Bytes::from(s));
        } else {
            out.push(a.clone());
        }
    }
    out
}

impl SlowLog {
    /// Logs a command if it qualifies under `slower_than` (µs) and trims to `max_len`.
    #[allow(clippy::too_many_arguments)]
    pub fn push_if_needed(
        &mut self,
        slower_than: i64,
        max_len: usize,
        duration_us: u64,
        time: i64,
        argv: &[Bytes],
        peer: String,
        name: Bytes,
    ) {
        if slower_than < 0 || duration_us < slower_than as u64 {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push_front(Entry {
            id,
            time,
            duration_us,
            argv: trimmed_argv(argv),
            peer,
            name,
        });
        self.trim(max_len);
    }

    /// Drops the oldest entries beyond `max_len` (CONFIG SET slowlog-max-len shrinks the log
    /// on the next push, as Redis does).
    pub fn trim(&mut self, max_len: usize) {
        self.entries.truncate(max_len);
    }

    /// Whether a command of `duration_us` would be logged: lets the caller skip building the
    /// entry's argv and peer for the common fast command.
    pub fn qualifies(slower_than: i64, duration_us: u64) -> bool {
        slower_than >= 0 && duration_us >= slower_than as u64
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<Bytes> {
        v.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn long_argument_lists_and_strings_are_cut_as_redis_cuts_them() {
        let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let t = trimmed_argv(&argv(&many));
        assert_eq!(t.len(), 32);
        assert_eq!(&t[30][..], b"30");
        assert_eq!(&t[31][..], b"... (9 more arguments)");
        let exactly: Vec<&str> = many[..32].to_vec();
        assert_eq!(trimmed_argv(&argv(&exactly)).len(), 32);
        assert_eq!(&trimmed_argv(&argv(&exactly))[31][..], b"31");
        let long = "x".repeat(130);
        let t = trimmed_argv(&argv(&["set", &long]));
        assert_eq!(t[1].len(), 128 + "... (2 more bytes)".len());
        assert!(t[1].ends_with(b"x... (2 more bytes)"));
    }

    #[test]
    fn threshold_order_ids_and_trimming() {
        let mut log = SlowLog::default();
        let push = |log: &mut SlowLog, slower, max, d| {
            log.push_if_needed(
                slower,
                max,
                d,
                1,
                &argv(&["ping"]),
                "1.2.3.4:5".into(),
                Bytes::new(),
            )
        };
        push(&mut log, -1, 10, 1_000_000);
        assert!(log.is_empty(), "negative threshold: off");
        push(&mut log, 10, 10, 9);
        assert!(log.is_empty());
        push(&mut log, 10, 10, 10);
        push(&mut log, 0, 10, 0);
        assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 0]);
        for _ in 0..5 {
            push(&mut log, 0, 3, 0);
        }
        assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [6, 5, 4]);
        log.reset();
        push(&mut log, 0, 3, 0);
        assert_eq!(log.iter().next().unwrap().id, 7, "ids survive RESET");
    }
}
