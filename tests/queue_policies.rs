//! sluice's queue policies over the wire (SLUICE.POLICY, SLUICE.DELAY, SLUICE.UNDELAY):
//! dead letters from every delivery path, retention by age and size, delayed delivery
//! waking blocked readers, all of it across restart, AOF rewrite and RDB; the dead-letter
//! copy and its XACK loading together or not at all from an AOF torn anywhere; and the
//! AOF they write loading in redis-server 7 with the same stream contents.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn bulk(reply: &str) -> String {
    reply.lines().nth(1).unwrap_or_default().to_string()
}

/// The IDs of `key`'s entries (XRANGE), and the reply's text.
fn xrange(r: &mut Raw, key: &str) -> String {
    r.call(&["XRANGE", key, "-", "+"])
}

fn xlen(r: &mut Raw, key: &str) -> i64 {
    r.call(&["XLEN", key])
        .trim_start_matches(':')
        .trim()
        .parse()
        .unwrap()
}

/// Polls XLEN of `key` (every `step` ms) until `done` holds, failing with `what` after
/// `within`: how these tests wait for the policy timer.
fn wait_xlen(
    r: &mut Raw,
    key: &str,
    done: impl Fn(i64) -> bool,
    within: u64,
    step: u64,
    what: &str,
) {
    let start = Instant::now();
    while !done(xlen(r, key)) {
        assert!(start.elapsed() < Duration::from_secs(within), "{what}");
        std::thread::sleep(Duration::from_millis(step));
    }
}

fn pending(r: &mut Raw, key: &str) -> i64 {
    let rep = r.call(&["XPENDING", key, "g"]);
    rep.lines()
        .nth(1)
        .unwrap()
        .trim_start_matches(':')
        .parse()
        .unwrap()
}

/// A group `g` on `s` whose rule sends an entry to `dlq` after `max` deliveries, and the
/// entries 1-1 (a poison message) and 1-2.
fn poisoned(r: &mut Raw, max: &str) {
    r.call(&["DEL", "s", "dlq"]);
    r.call(&["XADD", "s", "1-1", "job", "poison"]);
    r.call(&["XADD", "s", "1-2", "job", "fine"]);
    assert_eq!(r.call(&["XGROUP", "CREATE", "s", "g", "0"]), "+OK\r\n");
    assert_eq!(
        r.call(&[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "g",
            "MAXDELIVERIES",
            max,
            "TO",
            "dlq"
        ]),
        "+OK\r\n"
    );
}

#[test]
fn dead_letters_from_every_delivery_path() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // History reads: the third delivery of 1-1 goes to the dead-letter stream instead.
    poisoned(&mut r, "2");
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "1",
        "STREAMS",
        "s",
        ">",
    ]);
    let again = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
    assert!(again.contains("poison"), "{again}");
    let third = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
    assert!(!third.contains("poison"), "{third}");
    assert_eq!(pending(&mut r, "s"), 0);
    let dl = xrange(&mut r, "dlq");
    for want in [
        "job",
        "poison",
        "dlq-stream",
        "dlq-group",
        "dlq-id",
        "1-1",
        "dlq-deliveries",
        "dlq-consumer",
        "dlq-reason",
        "max-deliveries",
    ] {
        assert!(dl.contains(&format!("\r\n{want}\r\n")), "{want} in {dl}");
    }
    // The other message flows on.
    let next = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    assert!(next.contains("fine"), "{next}");

    // XCLAIM and XAUTOCLAIM (counting claims) dead-letter; JUSTID claims do not count.
    for how in ["xclaim", "xautoclaim", "claim-read", "fatal"] {
        poisoned(&mut r, "1");
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ]);
        let reply = match how {
            "xclaim" => {
                let j = r.call(&["XCLAIM", "s", "g", "c2", "0", "1-1", "JUSTID"]);
                assert!(j.contains("1-1"), "JUSTID claims without delivering: {j}");
                r.call(&["XCLAIM", "s", "g", "c2", "0", "1-1"])
            }
            "xautoclaim" => r.call(&["XAUTOCLAIM", "s", "g", "c2", "0", "0"]),
            "claim-read" => r.call(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c2",
                "COUNT",
                "1",
                "CLAIM",
                "0",
                "STREAMS",
                "s",
                ">",
            ]),
            _ => r.call(&["XNACK", "s", "g", "FATAL", "IDS", "1", "1-1"]),
        };
        assert!(!reply.contains("poison"), "{how}: {reply}");
        assert_eq!(xlen(&mut r, "dlq"), 1, "{how}");
        let reason = if how == "fatal" {
            "fatal"
        } else {
            "max-deliveries"
        };
        assert!(xrange(&mut r, "dlq").contains(reason), "{how}");
        let rows = r.call(&["XPENDING", "s", "g", "-", "+", "10"]);
        assert!(!rows.contains("1-1"), "{how}: {rows}");
        r.call(&["XGROUP", "DESTROY", "s", "g"]);
    }

    // Bad arguments.
    poisoned(&mut r, "3");
    let err = |r: &mut Raw, argv: &[&str]| {
        let e = r.call(argv);
        assert!(e.starts_with('-'), "{argv:?}: {e}");
        e
    };
    err(
        &mut r,
        &[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "g",
            "MAXDELIVERIES",
            "0",
            "TO",
            "d",
        ],
    );
    err(
        &mut r,
        &[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "g",
            "MAXDELIVERIES",
            "2",
            "TO",
            "s",
        ],
    );
    err(
        &mut r,
        &[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "nog",
            "MAXDELIVERIES",
            "2",
            "TO",
            "d",
        ],
    );
    err(
        &mut r,
        &[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "g",
            "MAXDELIVERIES",
            "2",
        ],
    );
    r.call(&["SET", "str", "x"]);
    let wt = err(
        &mut r,
        &[
            "SLUICE.POLICY",
            "DEADLETTER",
            "s",
            "g",
            "MAXDELIVERIES",
            "2",
            "TO",
            "str",
        ],
    );
    assert!(wt.starts_with("-WRONGTYPE"), "{wt}");
    err(
        &mut r,
        &["SLUICE.POLICY", "RETENTION", "nokey", "MAXAGE", "10"],
    );
    err(&mut r, &["SLUICE.POLICY", "RETENTION", "s", "MAXAGE", "-1"]);
    err(&mut r, &["SLUICE.DELAY", "s", "DELAY", "x", "f", "v"]);
    err(&mut r, &["SLUICE.DELAY", "s", "DELAY", "10", "f"]);
    err(&mut r, &["SLUICE.DELAY", "s", "HANDLE", "1", "f", "v"]);
    err(&mut r, &["SLUICE.UNDELAY", "s", "nothandle"]);
    err(&mut r, &["SLUICE.POLICY", "NOPE", "s"]);
    // A target that became another type: delivered as usual, counted as a failure.
    r.call(&["DEL", "dlq"]);
    r.call(&["SET", "dlq", "x"]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    for _ in 0..4 {
        let h = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
        assert!(h.contains("poison"), "{h}");
    }
    assert!(r
        .call(&["INFO", "sluice"])
        .contains("sluice_dead_letter_failures:"));
}

#[test]
fn retention_by_age_and_size_on_xadd_and_from_the_timer() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    for i in 1..=50 {
        r.call(&["XADD", "old", &format!("{i}-0"), "f", "v"]);
    }
    assert_eq!(
        r.call(&["SLUICE.POLICY", "RETENTION", "old", "MAXAGE", "60000"]),
        "+OK\r\n"
    );
    // Entries from 1970 are older than a minute: gone at once.
    assert_eq!(xlen(&mut r, "old"), 0);
    // The timer trims without an XADD.
    r.call(&[
        "SLUICE.POLICY",
        "RETENTION",
        "t",
        "MAXAGE",
        "200",
        "MKSTREAM",
    ]);
    r.call(&["XADD", "t", "*", "f", "v"]);
    assert_eq!(xlen(&mut r, "t"), 1);
    wait_xlen(&mut r, "t", |n| n == 0, 10, 20, "aged entry never trimmed");
    let info = r.call(&["SLUICE.POLICY", "INFO", "t"]);
    assert!(info.contains("expired\r\n:1\r\n"), "{info}");
    // Size: the oldest nodes go, the stream stays near its limit.
    r.call(&[
        "SLUICE.POLICY",
        "RETENTION",
        "big",
        "MAXBYTES",
        "20000",
        "MKSTREAM",
    ]);
    let payload = "x".repeat(100);
    for _ in 0..2000 {
        r.call(&["XADD", "big", "*", "payload", &payload]);
    }
    let info = r.call(&["SLUICE.POLICY", "INFO", "big"]);
    let bytes: i64 = info
        .split("entry-bytes\r\n:")
        .nth(1)
        .and_then(|t| t.split("\r\n").next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(bytes <= 20000 && bytes > 10000, "{bytes}");
    assert!(xlen(&mut r, "big") < 2000);
    // ACKED keeps what the group has not acknowledged.
    r.call(&["XADD", "a", "1-0", "f", "v"]);
    r.call(&["XADD", "a", "2-0", "f", "v"]);
    r.call(&["XGROUP", "CREATE", "a", "g", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "1",
        "STREAMS",
        "a",
        ">",
    ]);
    r.call(&["SLUICE.POLICY", "RETENTION", "a", "MAXAGE", "1", "ACKED"]);
    assert_eq!(xlen(&mut r, "a"), 2);
    r.call(&["XACK", "a", "g", "1-0"]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"]);
    r.call(&["XACK", "a", "g", "2-0"]);
    r.call(&["XADD", "a", "*", "f", "v"]);
    assert_eq!(xlen(&mut r, "a"), 1);
    assert_eq!(
        r.call(&["SLUICE.POLICY", "RETENTION", "a", "OFF"]),
        "+OK\r\n"
    );
    assert!(r
        .call(&["SLUICE.POLICY", "INFO", "a"])
        .contains("max-age\r\n:0\r\n"));
}

#[test]
fn delayed_entries_wake_blocked_readers_when_due() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.call(&["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]);
    let mut reader = s.raw();
    reader.send(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "BLOCK",
        "5000",
        "STREAMS",
        "q",
        ">",
    ]);
    std::thread::sleep(Duration::from_millis(50));
    let sent = Instant::now();
    let h = bulk(&r.call(&["SLUICE.DELAY", "q", "DELAY", "150", "job", "later"]));
    let cancel = bulk(&r.call(&["SLUICE.DELAY", "q", "DELAY", "100", "job", "cancelled"]));
    assert_eq!(r.call(&["SLUICE.UNDELAY", "q", &cancel]), ":1\r\n");
    assert_eq!(r.call(&["SLUICE.UNDELAY", "q", &cancel]), ":0\r\n");
    assert!(h.contains('-'), "{h}");
    assert_eq!(xlen(&mut r, "q"), 0);
    let got = reader.read();
    let waited = sent.elapsed();
    assert!(got.contains("later") && !got.contains("cancelled"), "{got}");
    assert!(waited >= Duration::from_millis(140), "{waited:?}");
    // A due time in the past is delivered at once, in due order.
    r.call(&["MULTI"]);
    r.call(&["SLUICE.DELAY", "q", "AT", "2", "n", "2"]);
    r.call(&["SLUICE.DELAY", "q", "AT", "1", "n", "1"]);
    r.call(&["EXEC"]);
    wait_xlen(
        &mut r,
        "q",
        |n| n >= 3,
        5,
        5,
        "delayed entries not delivered",
    );
    let all = xrange(&mut r, "q");
    assert!(
        all.find("\r\n1\r\n").unwrap() < all.find("\r\n2\r\n").unwrap(),
        "{all}"
    );
}

#[test]
fn policies_and_delayed_entries_survive_restart_rewrite_and_rdb() {
    for mode in ["aof", "rewrite", "rdb"] {
        let dir = temp_dir("policies");
        let directives: &[&str] = if mode == "rdb" {
            &[]
        } else {
            &["--appendonly", "yes"]
        };
        let s = TestServer::start_in(dir.clone(), directives);
        let mut r = s.raw();
        poisoned(&mut r, "1");
        r.call(&[
            "SLUICE.POLICY",
            "RETENTION",
            "s",
            "MAXBYTES",
            "1000000",
            "DELREF",
        ]);
        // One due while the server is down, one far in the future.
        r.call(&["SLUICE.DELAY", "s", "DELAY", "300", "job", "soon"]);
        let far = bulk(&r.call(&["SLUICE.DELAY", "s", "DELAY", "3600000", "job", "far"]));
        match mode {
            "rewrite" => {
                assert!(r.call(&["BGREWRITEAOF"]).starts_with('+'));
                wait_rewrite(&mut r);
            }
            "rdb" => assert_eq!(r.call(&["SAVE"]), "+OK\r\n"),
            _ => {}
        }
        drop(r);
        let dir = s.stop();
        std::thread::sleep(Duration::from_millis(350));
        let s2 = TestServer::start_in(dir, directives);
        let mut r2 = s2.raw();
        let what = format!("{mode}: due entry not delivered");
        wait_xlen(&mut r2, "s", |n| n >= 3, 5, 10, &what);
        let info = r2.call(&["SLUICE.POLICY", "INFO", "s"]);
        assert!(info.contains("max-bytes\r\n:1000000\r\n"), "{mode}: {info}");
        assert!(info.contains("DELREF"), "{mode}: {info}");
        assert!(info.contains("delayed\r\n:1\r\n"), "{mode}: {info}");
        assert!(
            info.contains("dead-letter-to\r\n$3\r\ndlq"),
            "{mode}: {info}"
        );
        assert_eq!(r2.call(&["SLUICE.UNDELAY", "s", &far]), ":1\r\n", "{mode}");
        // The rule still fires.
        r2.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s",
            ">",
        ]);
        r2.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
        assert_eq!(xlen(&mut r2, "dlq"), 1, "{mode}");
    }
}

/// The records of a dead-letter batch: the AOF from `MULTI` to `EXEC` of the XADD to the
/// dead-letter stream.
fn dead_letter_block(aof: &[u8]) -> (usize, usize) {
    let text = aof;
    let find = |from: usize, pat: &[u8]| {
        text[from..]
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|p| p + from)
    };
    let xadd = find(0, b"$3\r\ndlq\r\n").expect("the copy is in the AOF");
    let mut multi = 0;
    let mut at = 0;
    while let Some(p) = find(at, b"*1\r\n$5\r\nMULTI\r\n") {
        if p > xadd {
            break;
        }
        multi = p;
        at = p + 1;
    }
    let exec = find(xadd, b"*1\r\n$4\r\nEXEC\r\n").unwrap() + 14;
    (multi, exec)
}

#[test]
fn a_torn_dead_letter_batch_loads_whole_or_not_at_all() {
    let dir = temp_dir("dl-torn");
    let s = TestServer::start_in(dir.clone(), &["--appendonly", "yes"]);
    let mut r = s.raw();
    poisoned(&mut r, "1");
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "1",
        "STREAMS",
        "s",
        ">",
    ]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
    assert_eq!(xlen(&mut r, "dlq"), 1);
    drop(r);
    let dir = s.stop();
    let aofdir = dir.join("appendonlydir");
    let incr = std::fs::read_dir(&aofdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".incr.aof"))
        .unwrap();
    let full = std::fs::read(&incr).unwrap();
    let (from, to) = dead_letter_block(&full);
    // Cut inside the block at record boundaries and in the middle of records.
    let mut cuts: Vec<usize> = (from..=to).step_by(37).collect();
    cuts.extend([from, from + 15, to - 1, to]);
    for cut in cuts {
        std::fs::write(&incr, &full[..cut]).unwrap();
        let s = TestServer::start_in(dir.clone(), &["--appendonly", "yes"]);
        let mut r = s.raw();
        let copied = xlen(&mut r, "dlq");
        let pending = pending(&mut r, "s");
        // The copy and the ack together: copied and not pending, or pending and not copied.
        assert!(
            (copied == 1 && pending == 0) || (copied == 0 && pending == 1),
            "cut at {cut} ({from}..{to}): copied {copied}, pending {pending}"
        );
        drop(r);
        s.stop();
    }
}

/// redis-server 7.0.15 for the interop check: the test command installs it; outside CI a
/// machine without it skips the check (and says so).
fn redis_server() -> Option<String> {
    let bin = std::env::var("REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".into());
    let ok = std::process::Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok();
    if !ok && std::env::var_os("CI").is_some() {
        panic!("redis-server is needed for the AOF interop check");
    }
    ok.then_some(bin)
}

#[test]
fn the_aof_with_every_policy_loads_in_redis_7_with_the_same_streams() {
    let Some(bin) = redis_server() else {
        eprintln!("skipped: no redis-server");
        return;
    };
    let dir = temp_dir("policy-interop");
    let s = TestServer::start_in(
        dir.clone(),
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    );
    let mut r = s.raw();
    poisoned(&mut r, "1");
    r.call(&[
        "SLUICE.POLICY",
        "RETENTION",
        "s",
        "MAXAGE",
        "100000000000000",
        "ACKED",
    ]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "1",
        "STREAMS",
        "s",
        ">",
    ]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"]);
    r.call(&["SLUICE.DELAY", "s", "DELAY", "10", "job", "due"]);
    r.call(&[
        "SLUICE.DELAY",
        "s",
        "DELAY",
        "3600000",
        "job",
        "held",
        "big",
        &"y".repeat(3000),
    ]);
    std::thread::sleep(Duration::from_millis(100));
    r.call(&[
        "SLUICE.POLICY",
        "RETENTION",
        "age",
        "MAXAGE",
        "60000",
        "MKSTREAM",
    ]);
    for i in 1..5 {
        r.call(&["XADD", "age", &format!("{i}-0"), "f", "v"]);
    }
    r.call(&["XADD", "age", "*", "f", "v"]);
    let want: Vec<String> = ["s", "dlq", "age"]
        .iter()
        .map(|k| xrange(&mut r, k))
        .collect();
    let pend = r.call(&["XPENDING", "s", "g"]);
    drop(r);
    let dir = s.stop();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = std::process::Command::new(bin)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
        ])
        .arg("--dir")
        .arg(&dir)
        .args(["--save", ""])
        .stdout(std::fs::File::create(dir.join("redis.log")).unwrap())
        .spawn()
        .unwrap();
    let mut rr = None;
    let start = Instant::now();
    while rr.is_none() && start.elapsed() < Duration::from_secs(10) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let mut c = Raw::connect(port);
            if !c.call(&["PING"]).starts_with("-LOADING") {
                rr = Some(c);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = std::fs::read_to_string(dir.join("redis.log")).unwrap_or_default();
    let mut rr = rr.unwrap_or_else(|| panic!("redis-server did not load sluice's AOF:\n{log}"));
    let got: Vec<String> = ["s", "dlq", "age"]
        .iter()
        .map(|k| xrange(&mut rr, k))
        .collect();
    let got_pend = rr.call(&["XPENDING", "s", "g"]);
    rr.send(&["SHUTDOWN", "NOSAVE"]);
    let _ = child.wait();
    assert_eq!(got, want);
    assert_eq!(got_pend, pend);
}

/// The field after `name` in a SLUICE.POLICY INFO reply (RESP2 text).
fn info_field(info: &str, name: &str) -> String {
    let mut lines = info.lines().skip_while(|l| *l != name).skip(1);
    let first = lines.next().unwrap_or_default();
    if first.starts_with('$') && first != "$-1" {
        lines.next().unwrap_or_default().to_string()
    } else {
        first.to_string()
    }
}

#[test]
fn server_wide_defaults_apply_to_streams_and_groups_without_their_own() {
    let dir = temp_dir("policy-defaults");
    let s = TestServer::start_in(
        dir.clone(),
        &[
            "--appendonly",
            "yes",
            "--sluice-retention-maxage",
            "300",
            "--sluice-deadletter-maxdeliveries",
            "2",
        ],
    );
    let mut r = s.raw();
    assert_eq!(
        r.call(&["CONFIG", "GET", "sluice-retention-maxage"]),
        "*2\r\n$23\r\nsluice-retention-maxage\r\n$3\r\n300\r\n"
    );
    // Retention: a stream without its own is trimmed by the timer; its own setting wins.
    r.call(&["XADD", "plain", "*", "f", "v"]);
    r.call(&[
        "SLUICE.POLICY",
        "RETENTION",
        "own",
        "MAXAGE",
        "3600000",
        "MKSTREAM",
    ]);
    r.call(&["XADD", "own", "*", "f", "v"]);
    let info = r.call(&["SLUICE.POLICY", "INFO", "plain"]);
    assert_eq!(info_field(&info, "retention-from"), "server", "{info}");
    assert_eq!(info_field(&info, "max-age"), ":300", "{info}");
    let info = r.call(&["SLUICE.POLICY", "INFO", "own"]);
    assert_eq!(info_field(&info, "retention-from"), "stream", "{info}");
    wait_xlen(&mut r, "plain", |n| n == 0, 10, 20, "never trimmed");
    assert_eq!(xlen(&mut r, "own"), 1);

    // Off at run time, then on again: CONFIG SET reaches streams that exist already.
    r.call(&["CONFIG", "SET", "sluice-retention-maxage", "0"]);
    r.call(&["XADD", "plain", "*", "f", "v"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(xlen(&mut r, "plain"), 1);
    r.call(&["CONFIG", "SET", "sluice-retention-maxage", "100"]);
    wait_xlen(&mut r, "plain", |n| n == 0, 10, 20, "never trimmed");
    assert_eq!(xlen(&mut r, "own"), 1);
    r.call(&["CONFIG", "SET", "sluice-retention-maxage", "0"]);

    // Dead letters: the group without a rule sends the entry to q:dead after 2 deliveries.
    r.call(&["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]);
    r.call(&["XADD", "q", "1-1", "job", "poison"]);
    let info = r.call(&["SLUICE.POLICY", "INFO", "q"]);
    assert_eq!(info_field(&info, "dead-letter-from"), "server", "{info}");
    assert_eq!(info_field(&info, "dead-letter-to"), "q:dead", "{info}");
    for _ in 0..2 {
        let got = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "0"]);
        let got = if got.contains("poison") {
            got
        } else {
            r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", ">"])
        };
        assert!(got.contains("poison"), "{got}");
    }
    let got = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "0"]);
    assert!(!got.contains("poison"), "{got}");
    assert_eq!(pending(&mut r, "q"), 0);
    let dead = xrange(&mut r, "q:dead");
    assert!(
        dead.contains("poison") && dead.contains("dlq-deliveries"),
        "{dead}"
    );

    // Turned off at run time: nothing is dead-lettered any more.
    assert_eq!(
        r.call(&["CONFIG", "SET", "sluice-deadletter-maxdeliveries", "0"]),
        "+OK\r\n"
    );
    r.call(&["XADD", "q", "1-2", "job", "again"]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", ">"]);
    for _ in 0..4 {
        let got = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "0"]);
        assert!(got.contains("again"), "{got}");
    }

    // Bad values get Redis's CONFIG SET errors.
    let e = r.call(&["CONFIG", "SET", "sluice-retention-refs", "some"]);
    assert!(
        e.contains("must be one of the following: keepref, delref, acked"),
        "{e}"
    );
    let e = r.call(&["CONFIG", "SET", "sluice-deadletter-suffix", ""]);
    assert!(e.starts_with("-ERR CONFIG SET failed"), "{e}");
    let e = r.call(&["CONFIG", "SET", "sluice-retention-maxbytes", "lots"]);
    assert!(e.contains("argument must be a memory value"), "{e}");

    // The server-wide rule is configuration, not data: a rewrite does not write it, and a
    // restart without the directives has no rule.
    // On again (5): 1-2, delivered 5 times already, goes to q:dead on the next delivery.
    r.call(&["CONFIG", "SET", "sluice-deadletter-maxdeliveries", "5"]);
    let got = r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "q", "0"]);
    assert!(!got.contains("again"), "{got}");
    r.call(&["BGREWRITEAOF"]);
    wait_rewrite(&mut r);
    drop(r);
    let dir = s.stop();
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    let info = r.call(&["SLUICE.POLICY", "INFO", "q"]);
    assert_eq!(info_field(&info, "dead-letter-from"), "$-1", "{info}");
    assert_eq!(info_field(&info, "retention-from"), "$-1", "{info}");
    assert_eq!(xlen(&mut r, "q:dead"), 2);
    assert_eq!(pending(&mut r, "q"), 0);
    assert_eq!(xlen(&mut r, "own"), 1);
}
