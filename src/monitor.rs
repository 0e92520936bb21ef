//! MONITOR (Redis's `replicationFeedMonitors`): every command the server runs, as one status
//! line per command to each monitoring client:
//! `+<unix s>.<µs> [<db> <ip:port>] "arg" "arg"...` (`[<db> lua]` for a script's commands),
//! each argument quoted as `sdscatrepr` quotes it.
//!
//! Invariants: a command is fed once, after it ran (so a transaction's commands come before
//! its EXEC), with the arguments secrets redacted (`cmd::redacted_argv`); admin commands and
//! those flagged skip_monitor are not fed (EVAL and FCALL are fed before they run, by the
//! caller, so a script's line precedes its commands'); a blocked command is fed when it
//! blocks, not again when served; a monitor's output counts against the replica class of
//! `client-output-buffer-limit`, and a monitor over it is closed as Redis closes it.

use crate::mailbox::Mail;
use crate::store::Store;
use bytes::Bytes;
use std::sync::atomic::Ordering;

/// Appends `a` quoted as Redis's `sdscatrepr` does.
pub fn repr(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'"');
    for &c in a {
        match c {
            b'\\' | b'"' => out.extend([b'\\', c]),
            b'\n' => out.extend(b"\\n"),
            b'\r' => out.extend(b"\\r"),
            b'\t' => out.extend(b"\\t"),
            7 => out.extend(b"\\a"),
            8 => out.extend(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// The line for one command. `peer` is `ip:port`, or None for a script's command.
pub fn line(unix_us: i64, db: usize, peer: Option<&str>, argv: &[Bytes]) -> Bytes {
    let mut out = format!(
        "+{}.{:06} [{db} {}] ",
        unix_us / 1_000_000,
        unix_us % 1_000_000,
        peer.unwrap_or("lua")
    )
    .into_bytes();
    for (i, a) in argv.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        repr(&mut out, a);
    }
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

/// Sends a command's line to every monitor, forgetting monitors that have gone.
pub fn feed(store: &mut Store, db: usize, peer: Option<&str>, argv: &[Bytes]) {
    let frame = line(crate::util::now_us(), db, peer, argv);
    let limit = store.config.output_limit_replica;
    let Store {
        monitors,
        clients,
        stats,
        ..
    } = store;
    monitors.retain(|id| {
        let Some(c) = clients.get_mut(id) else {
            return false;
        };
        if c.shared.is_killed() {
            return false;
        }
        c.shared
            .pending_bytes
            .fetch_add(frame.len() as u64, Ordering::SeqCst);
        let used = c.shared.output_bytes();
        if crate::client::enforce_output_limit(c, stats, limit, used) {
            return false;
        }
        c.shared.mailbox.send(Mail::Push(frame.clone()));
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_quote_as_sdscatrepr() {
        let argv: Vec<Bytes> = [&b"set"[..], b"k\"\\", b"a\r\n\t\x07\x08\x00\xff z"]
            .iter()
            .map(|a| Bytes::copy_from_slice(a))
            .collect();
        let l = line(1_700_000_000_000_042, 3, Some("127.0.0.1:5000"), &argv);
        assert_eq!(
            &l[..],
            &b"+1700000000.000042 [3 127.0.0.1:5000] \"set\" \"k\\\"\\\\\" \"a\\r\\n\\t\\a\\b\\x00\\xff z\"\r\n"[..]
        );
        let l = line(1_000_000, 0, None, &argv[..1]);
        assert_eq!(&l[..], b"+1.000000 [0 lua] \"set\"\r\n");
    }
}
