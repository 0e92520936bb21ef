//! Redis 8 commands for queues over the wire (and, at the end, LMOVEM and BLMOVEM, 8.10, and
//! INCREX, 8.8). Streams: XDELEX and XACKDEL with the KEEPREF / DELREF /
//! ACKED policies (8.2), the same policies on XADD's trim and XTRIM, XREADGROUP CLAIM (8.4),
//! idempotent XADD (8.6), XNACK (8.8), XREAD / XREADGROUP MAXCOUNT and MAXSIZE (8.10).
//! No runnable oracle has them: the expected replies are those of Redis's own test suite and
//! command pages (judgement calls: redis-compat/deliberate-differences.txt).

mod common;

use common::*;
use std::time::{Duration, Instant};

/// A RESP2 integer array as the raw reply.
fn ints(v: &[i64]) -> String {
    let mut s = format!("*{}\r\n", v.len());
    for i in v {
        s.push_str(&format!(":{i}\r\n"));
    }
    s
}

/// Two groups that have both been delivered 1-0 and 2-0.
fn two_groups(r: &mut Raw, key: &str) {
    r.call(&["DEL", key]);
    r.call(&["XADD", key, "1-0", "f", "v"]);
    r.call(&["XADD", key, "2-0", "f", "v"]);
    r.call(&["XGROUP", "CREATE", key, "group1", "0"]);
    r.call(&["XGROUP", "CREATE", key, "group2", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "group1",
        "consumer1",
        "STREAMS",
        key,
        ">",
    ]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "group2",
        "consumer2",
        "STREAMS",
        key,
        ">",
    ]);
}

fn pending_count(r: &mut Raw, key: &str, group: &str) -> String {
    let reply = r.call(&["XPENDING", key, group]);
    reply.lines().nth(1).unwrap_or("").to_string()
}

#[test]
fn xackdel_policies_as_redis_tests_them() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // The key or the group missing: -1 per ID, no error.
    assert_eq!(
        r.call(&["XACKDEL", "s", "g", "IDS", "2", "1-1", "2-2"]),
        ints(&[-1, -1])
    );
    r.call(&["XADD", "s", "1-0", "f", "v"]);
    assert_eq!(
        r.call(&["XACKDEL", "s", "g", "IDS", "2", "1-1", "2-2"]),
        ints(&[-1, -1])
    );

    // DELREF: gone from the stream and from every group's PEL.
    two_groups(&mut r, "m");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group1", "DELREF", "IDS", "2", "1-0", "2-0"]),
        ints(&[1, 1])
    );
    assert_eq!(r.call(&["XLEN", "m"]), ":0\r\n");
    assert_eq!(pending_count(&mut r, "m", "group1"), ":0");
    assert_eq!(pending_count(&mut r, "m", "group2"), ":0");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group2", "DELREF", "IDS", "2", "1-0", "2-0"]),
        ints(&[-1, -1])
    );

    // ACKED: kept (2) while the other group still has them pending.
    two_groups(&mut r, "m");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group1", "ACKED", "IDS", "2", "1-0", "2-0"]),
        ints(&[2, 2])
    );
    assert_eq!(r.call(&["XLEN", "m"]), ":2\r\n");
    assert_eq!(pending_count(&mut r, "m", "group1"), ":0");
    assert_eq!(pending_count(&mut r, "m", "group2"), ":2");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group2", "ACKED", "IDS", "2", "1-0", "2-0"]),
        ints(&[1, 1])
    );
    assert_eq!(r.call(&["XLEN", "m"]), ":0\r\n");

    // KEEPREF (the default): deleted, the other group's references stay; acking those
    // dangling references later still answers 1.
    two_groups(&mut r, "m");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group1", "IDS", "2", "1-0", "2-0"]),
        ints(&[1, 1])
    );
    assert_eq!(r.call(&["XLEN", "m"]), ":0\r\n");
    assert_eq!(pending_count(&mut r, "m", "group2"), ":2");
    assert_eq!(
        r.call(&["XACKDEL", "m", "group2", "KEEPREF", "IDS", "2", "1-0", "2-0"]),
        ints(&[1, 1])
    );
    assert_eq!(pending_count(&mut r, "m", "group2"), ":0");

    // More IDs than any fixed buffer, none pending.
    r.call(&["DEL", "big"]);
    r.call(&["XGROUP", "CREATE", "big", "g", "$", "MKSTREAM"]);
    let ids: Vec<String> = (0..50).map(|i| format!("{i}-1")).collect();
    let mut argv = vec!["XACKDEL", "big", "g", "IDS", "50"];
    argv.extend(ids.iter().map(String::as_str));
    assert_eq!(r.call(&argv), ints(&[-1; 50]));
}

#[test]
fn xdelex_policies_and_dangling_references() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["XDELEX", "nokey", "IDS", "2", "1-0", "2-0"]),
        ints(&[-1, -1])
    );

    // KEEPREF: like XDEL; the PEL keeps the references.
    two_groups(&mut r, "m");
    assert_eq!(
        r.call(&["XDELEX", "m", "IDS", "2", "1-0", "3-0"]),
        ints(&[1, -1])
    );
    assert_eq!(pending_count(&mut r, "m", "group1"), ":2");
    // DELREF on an ID already gone still drops its dangling references (reply -1).
    assert_eq!(
        r.call(&["XDELEX", "m", "DELREF", "IDS", "1", "1-0"]),
        ints(&[-1])
    );
    assert_eq!(pending_count(&mut r, "m", "group1"), ":1");
    assert_eq!(pending_count(&mut r, "m", "group2"), ":1");
    // The IDS block may come first.
    assert_eq!(
        r.call(&["XDELEX", "m", "IDS", "1", "2-0", "DELREF"]),
        ints(&[1])
    );
    assert_eq!(pending_count(&mut r, "m", "group2"), ":0");

    // ACKED: deleted only once every group was delivered it and acknowledged it.
    two_groups(&mut r, "m");
    r.call(&["XACK", "m", "group1", "1-0", "2-0"]);
    assert_eq!(
        r.call(&["XDELEX", "m", "ACKED", "IDS", "2", "1-0", "2-0"]),
        ints(&[2, 2])
    );
    r.call(&["XACK", "m", "group2", "1-0"]);
    assert_eq!(
        r.call(&["XDELEX", "m", "ACKED", "IDS", "2", "1-0", "2-0"]),
        ints(&[1, 2])
    );
    r.call(&["XACK", "m", "group2", "2-0"]);
    // A group created since, at 0, has not read 2-0: still referenced.
    r.call(&["XGROUP", "CREATE", "m", "late", "0"]);
    assert_eq!(
        r.call(&["XDELEX", "m", "ACKED", "IDS", "1", "2-0"]),
        ints(&[2])
    );
    r.call(&["XGROUP", "DESTROY", "m", "late"]);
    assert_eq!(
        r.call(&["XDELEX", "m", "ACKED", "IDS", "1", "2-0"]),
        ints(&[1])
    );
    // No groups: nothing references anything.
    r.call(&["DEL", "plain"]);
    r.call(&["XADD", "plain", "1-0", "f", "v"]);
    assert_eq!(
        r.call(&["XDELEX", "plain", "ACKED", "IDS", "1", "1-0"]),
        ints(&[1])
    );
    // XDELEX deletes like XDEL: max-deleted-entry-id moves.
    let info = r.call(&["XINFO", "STREAM", "plain"]);
    assert!(info.contains("max-deleted-entry-id\r\n$3\r\n1-0"), "{info}");
}

#[test]
fn delete_commands_refuse_bad_arguments_as_redis() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.call(&["XADD", "s", "1-0", "f", "v"]);
    r.call(&["XGROUP", "CREATE", "s", "g", "0"]);
    let arity = |c: &str| format!("-ERR wrong number of arguments for '{c}' command\r\n");
    assert_eq!(r.call(&["XACKDEL"]), arity("xackdel"));
    assert_eq!(r.call(&["XACKDEL", "s", "g"]), arity("xackdel"));
    assert_eq!(r.call(&["XDELEX", "s", "IDS"]), arity("xdelex"));
    let positive = "-ERR Number of IDs must be a positive integer\r\n";
    for n in ["abc", "0", "-5"] {
        assert_eq!(r.call(&["XACKDEL", "s", "g", "IDS", n, "1-1"]), positive);
        assert_eq!(r.call(&["XDELEX", "s", "IDS", n, "1-1"]), positive);
    }
    assert_eq!(
        r.call(&["XACKDEL", "s", "g", "IDS", "3", "1-1", "2-2"]),
        "-ERR The `numids` parameter must match the number of arguments\r\n"
    );
    let syntax = "-ERR syntax error\r\n";
    assert_eq!(
        r.call(&["XACKDEL", "s", "g", "IDS", "1", "1-1", "2-2"]),
        syntax
    );
    for (a, b) in [
        ("KEEPREF", "DELREF"),
        ("KEEPREF", "ACKED"),
        ("DELREF", "ACKED"),
    ] {
        assert_eq!(
            r.call(&["XACKDEL", "s", "g", a, b, "IDS", "1", "1-1"]),
            syntax
        );
        assert_eq!(r.call(&["XDELEX", "s", a, b, "IDS", "1", "1-1"]), syntax);
    }
    assert_eq!(
        r.call(&["XDELEX", "s", "IDS", "1", "1-1", "IDS", "1", "2-2"]),
        syntax
    );
    assert_eq!(
        r.call(&["XDELEX", "s", "KEEPREF", "ACKED", "DELREF"]),
        syntax
    );
    assert_eq!(
        r.call(&["XDELEX", "s", "IDS", "1", "nope"]),
        "-ERR Invalid stream ID specified as stream command argument\r\n"
    );
    r.call(&["SET", "str", "x"]);
    assert!(r
        .call(&["XDELEX", "str", "IDS", "1", "1-0"])
        .starts_with("-WRONGTYPE"));
    assert!(r
        .call(&["XACKDEL", "str", "g", "IDS", "1", "1-0"])
        .starts_with("-WRONGTYPE"));
    // Nothing changed by the refusals.
    assert_eq!(r.call(&["XLEN", "s"]), ":1\r\n");
}

#[test]
fn trims_follow_the_reference_policy() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // Nodes of two entries, so approximate trims can drop whole nodes.
    r.call(&["CONFIG", "SET", "stream-node-max-entries", "2"]);
    let setup = |r: &mut Raw| {
        r.call(&["DEL", "t"]);
        for i in 1..=6 {
            r.call(&["XADD", "t", &format!("{i}-0"), "f", "v"]);
        }
        r.call(&["XGROUP", "CREATE", "t", "g", "0"]);
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "4",
            "STREAMS",
            "t",
            ">",
        ]);
        r.call(&["XACK", "t", "g", "1-0", "2-0"]);
    };
    // ACKED keeps the entries still referenced (3-0 and 4-0 are pending, 5-0 and 6-0 not
    // read yet), exact or not; an approximate trim still deletes the acknowledged first node
    // (Redis 8.4's fix).
    setup(&mut r);
    assert_eq!(
        r.call(&["XTRIM", "t", "MINID", "~", "5-0", "ACKED"]),
        ":2\r\n"
    );
    assert_eq!(r.call(&["XLEN", "t"]), ":4\r\n");
    setup(&mut r);
    assert_eq!(r.call(&["XTRIM", "t", "MAXLEN", "0", "ACKED"]), ":2\r\n");
    // Referenced entries are skipped, not a stop: 3-0 acknowledged behind pending 2-0 goes.
    r.call(&["DEL", "k"]);
    for i in 1..=4 {
        r.call(&["XADD", "k", &format!("{i}-0"), "f", "v"]);
    }
    r.call(&["XGROUP", "CREATE", "k", "g", "0"]);
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"]);
    r.call(&["XACK", "k", "g", "1-0", "3-0"]);
    assert_eq!(r.call(&["XTRIM", "k", "MAXLEN", "0", "ACKED"]), ":2\r\n");
    let left = r.call(&["XRANGE", "k", "-", "+"]);
    let ids: Vec<&str> = left.lines().filter(|l| l.ends_with("-0")).collect();
    assert_eq!(ids, ["2-0", "4-0"], "{left}");
    // KEEPREF trims past pending entries and leaves their references.
    setup(&mut r);
    assert_eq!(r.call(&["XTRIM", "t", "MAXLEN", "2", "KEEPREF"]), ":4\r\n");
    assert_eq!(pending_count(&mut r, "t", "g"), ":2");
    // DELREF drops them with the entries, approximate or exact.
    setup(&mut r);
    assert_eq!(
        r.call(&["XTRIM", "t", "MAXLEN", "~", "2", "DELREF"]),
        ":4\r\n"
    );
    assert_eq!(pending_count(&mut r, "t", "g"), ":0");
    // A tombstone in the trimmed range loses its references too.
    setup(&mut r);
    r.call(&["XDEL", "t", "4-0"]);
    assert_eq!(pending_count(&mut r, "t", "g"), ":2");
    assert_eq!(r.call(&["XTRIM", "t", "MINID", "5-0", "DELREF"]), ":3\r\n");
    assert_eq!(pending_count(&mut r, "t", "g"), ":0");
    // XADD's trim takes the policy too, before or after the strategy.
    setup(&mut r);
    assert_eq!(
        r.call(&["XADD", "t", "ACKED", "MAXLEN", "1", "7-0", "f", "v"]),
        "$3\r\n7-0\r\n"
    );
    assert_eq!(r.call(&["XLEN", "t"]), ":5\r\n");
    assert_eq!(
        r.call(&["XADD", "t", "MAXLEN", "1", "DELREF", "8-0", "f", "v"]),
        "$3\r\n8-0\r\n"
    );
    assert_eq!(r.call(&["XLEN", "t"]), ":1\r\n");
    assert_eq!(pending_count(&mut r, "t", "g"), ":0");
    // Without groups ACKED trims everything asked for.
    r.call(&["DEL", "n"]);
    for i in 1..=4 {
        r.call(&["XADD", "n", &format!("{i}-0"), "f", "v"]);
    }
    assert_eq!(
        r.call(&["XTRIM", "n", "MINID", "~", "1114", "LIMIT", "4", "ACKED"]),
        ":4\r\n"
    );
}

/// One claimed-style entry with one field `f`: `[id, [f, v], idle, count]`.
fn claimed_entry(id: &str, v: &str, rest: &str) -> String {
    format!(
        "*4\r\n${}\r\n{id}\r\n*2\r\n$1\r\nf\r\n${}\r\n{v}\r\n{rest}",
        id.len(),
        v.len()
    )
}

#[test]
fn xreadgroup_claim_takes_idle_entries_first() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.call(&["XADD", "m", "1-0", "f", "v1"]);
    r.call(&["XADD", "m", "2-0", "f", "v2"]);
    r.call(&["XGROUP", "CREATE", "m", "g", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "1",
        "STREAMS",
        "m",
        ">",
    ]);
    // 1-0 delivered 10 s ago (XCLAIM TIME moves its delivery time back).
    let now: i64 = r
        .call(&["TIME"])
        .lines()
        .nth(2)
        .unwrap()
        .parse::<i64>()
        .unwrap()
        * 1000;
    r.call(&[
        "XCLAIM",
        "m",
        "g",
        "c1",
        "0",
        "1-0",
        "TIME",
        &(now - 10_000).to_string(),
        "JUSTID",
    ]);
    // The idle entry first, as [id, fields, idle, deliveries-before], then the new one with
    // 0 and 0: integers, in RESP2 and RESP3.
    let reply = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c2",
        "CLAIM",
        "5000",
        "STREAMS",
        "m",
        ">",
    ]);
    let head = "*1\r\n*2\r\n$1\r\nm\r\n*2\r\n";
    assert!(reply.starts_with(head), "{reply}");
    let body = &reply[head.len()..];
    assert!(body.starts_with(&claimed_entry("1-0", "v1", "")), "{reply}");
    let idle: i64 = body[claimed_entry("1-0", "v1", "").len()..]
        .lines()
        .next()
        .unwrap()
        .trim_start_matches(':')
        .parse()
        .unwrap();
    assert!((10_000..20_000).contains(&idle), "idle {idle}");
    assert!(body.ends_with(&format!(
        ":1\r\n{}",
        claimed_entry("2-0", "v2", ":0\r\n:0\r\n")
    )));
    // Both now pending for c2, 1-0 delivered twice.
    let p = r.call(&["XPENDING", "m", "g", "-", "+", "10"]);
    assert!(p.contains("$3\r\n1-0\r\n$2\r\nc2\r\n"), "{p}");
    assert!(p.contains(":2\r\n*4\r\n$3\r\n2-0\r\n$2\r\nc2\r\n"), "{p}");
    // Nothing idle enough and nothing new: a null reply.
    assert_eq!(
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c3",
            "CLAIM",
            "100000",
            "STREAMS",
            "m",
            ">"
        ]),
        "*-1\r\n"
    );
    // RESP3: a map, the same 4-element entries.
    r.call(&["HELLO", "3"]);
    let reply = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c3",
        "CLAIM",
        "0",
        "STREAMS",
        "m",
        ">",
    ]);
    assert!(
        reply.starts_with("%1\r\n$1\r\nm\r\n*2\r\n*4\r\n$3\r\n1-0\r\n"),
        "{reply}"
    );
    r.call(&["HELLO", "2"]);

    // Longest idle first, whatever the IDs; COUNT covers claimed and new entries.
    r.call(&["DEL", "o"]);
    for i in 1..=6 {
        r.call(&["XADD", "o", &format!("{i}-0"), "f", "v"]);
    }
    r.call(&["XGROUP", "CREATE", "o", "g", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "4",
        "STREAMS",
        "o",
        ">",
    ]);
    for (id, ago) in [
        ("1-0", 20_000),
        ("2-0", 50_000),
        ("3-0", 30_000),
        ("4-0", 40_000),
    ] {
        let t = (now - ago).to_string();
        r.call(&["XCLAIM", "o", "g", "c1", "0", id, "TIME", &t, "JUSTID"]);
    }
    let reply = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c2",
        "COUNT",
        "5",
        "CLAIM",
        "25000",
        "STREAMS",
        "o",
        ">",
    ]);
    let order: Vec<&str> = reply.lines().filter(|l| l.ends_with("-0")).collect();
    assert_eq!(order, ["2-0", "4-0", "3-0", "5-0", "6-0"], "{reply}");
    // CLAIM is ignored for a history read (an ID other than `>`): plain 2-element entries.
    let reply = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c2",
        "CLAIM",
        "0",
        "STREAMS",
        "o",
        "0",
    ]);
    assert!(reply.contains("*2\r\n$3\r\n2-0\r\n*2\r\n"), "{reply}");
    assert!(!reply.contains("*4\r\n"), "{reply}");

    // NOACK: claimed entries stay pending (for the claimer), new ones are not added.
    r.call(&["DEL", "n"]);
    r.call(&["XADD", "n", "1-0", "f", "v1"]);
    r.call(&["XADD", "n", "2-0", "f", "v2"]);
    r.call(&["XGROUP", "CREATE", "n", "g", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "1",
        "STREAMS",
        "n",
        ">",
    ]);
    let reply = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "NOACK",
        "CLAIM",
        "0",
        "STREAMS",
        "n",
        ">",
    ]);
    assert_eq!(reply.matches("*4\r\n").count(), 2, "{reply}");
    assert_eq!(pending_count(&mut r, "n", "g"), ":1");

    // A pending entry whose stream entry is gone cannot be returned: it leaves the PEL.
    r.call(&["XTRIM", "n", "MAXLEN", "0"]);
    assert_eq!(
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c2",
            "CLAIM",
            "0",
            "STREAMS",
            "n",
            ">"
        ]),
        "*-1\r\n"
    );
    assert_eq!(pending_count(&mut r, "n", "g"), ":0");
}

#[test]
fn xreadgroup_claim_arguments_as_redis_checks_them() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.call(&["XADD", "m", "1-0", "f", "v1"]);
    r.call(&["XGROUP", "CREATE", "m", "g", "0"]);
    let not_int = "-ERR min-idle-time is not an integer or out of range\r\n";
    for bad in ["test", "5.5", "+10", "-0", "10e", "-5.5", "GROUP"] {
        let got = r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "CLAIM",
            bad,
            "STREAMS",
            "m",
            ">",
        ]);
        assert_eq!(got, not_int, "CLAIM {bad}");
    }
    assert_eq!(
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "CLAIM",
            "-10",
            "STREAMS",
            "m",
            ">"
        ]),
        "-ERR min-idle-time must be a positive integer\r\n"
    );
    assert_eq!(
        r.call(&[
            "XREADGROUP",
            "CLAIM",
            "GROUP",
            "g",
            "c",
            "STREAMS",
            "m",
            ">"
        ]),
        not_int
    );
    assert!(r
        .call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "STREAMS",
            "m",
            "CLAIM",
            "50",
            ">"
        ])
        .starts_with("-NOGROUP No such key"));
    assert!(r
        .call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "STREAMS",
            "m",
            "CLAIM",
            ">"
        ])
        .starts_with("-ERR Unbalanced"));
    assert_eq!(
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "CLAIM",
            "50",
            "c",
            "STREAMS",
            "m",
            ">"
        ]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.call(&["XREAD", "COUNT", "2", "CLAIM", "10", "STREAMS", "m", "0-0"]),
        "-ERR The CLAIM option is only supported by XREADGROUP\r\n"
    );
    // The last CLAIM given counts; CLAIM may come before GROUP.
    r.call(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "m", ">"]);
    let got = r.call(&[
        "XREADGROUP",
        "CLAIM",
        "0",
        "GROUP",
        "g",
        "c",
        "CLAIM",
        "999999",
        "STREAMS",
        "m",
        ">",
    ]);
    assert_eq!(got, "*-1\r\n");
    let got = r.call(&[
        "XREADGROUP",
        "CLAIM",
        "999999",
        "GROUP",
        "g",
        "c",
        "CLAIM",
        "0",
        "STREAMS",
        "m",
        ">",
    ]);
    assert!(got.contains("*4\r\n$3\r\n1-0\r\n"), "{got}");
}

#[test]
fn blocked_claim_reads_wake_when_an_entry_is_idle_enough() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.call(&["XADD", "m", "1-0", "f", "v1"]);
    r.call(&["XGROUP", "CREATE", "m", "g", "0"]);
    r.call(&["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "m", ">"]);
    // Nothing new is written: the entry pending for c1 becomes claimable after 300 ms.
    let mut b = s.raw();
    let t = Instant::now();
    let got = b.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c2",
        "BLOCK",
        "10000",
        "CLAIM",
        "300",
        "STREAMS",
        "m",
        ">",
    ]);
    let waited = t.elapsed();
    assert!(got.contains("*4\r\n$3\r\n1-0\r\n"), "{got}");
    assert!(
        waited >= Duration::from_millis(290),
        "served after {waited:?}"
    );
    assert!(waited < Duration::from_secs(9), "served after {waited:?}");

    // A new entry serves it at once, before the pending one is idle enough.
    b.send(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c3",
        "BLOCK",
        "10000",
        "CLAIM",
        "60000",
        "STREAMS",
        "m",
        ">",
    ]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !r.call(&["INFO", "clients"]).contains("blocked_clients:1") {
        assert!(Instant::now() < deadline, "never blocked");
        std::thread::sleep(Duration::from_millis(5));
    }
    r.call(&["XADD", "m", "2-0", "f", "v2"]);
    let got = b.read();
    assert!(
        got.contains(&claimed_entry("2-0", "v2", ":0\r\n:0\r\n")),
        "{got}"
    );

    // Two readers blocked with CLAIM on an empty stream: the first takes the new entry, the
    // second claims it once it has been pending for 200 ms.
    r.call(&["DEL", "e"]);
    r.call(&["XGROUP", "CREATE", "e", "g", "0", "MKSTREAM"]);
    let mut b2 = s.raw();
    // First come, first served: b blocks before b2 does.
    let deadline = Instant::now() + Duration::from_secs(5);
    for (i, (conn, c)) in [(&mut b, "c1"), (&mut b2, "c2")].into_iter().enumerate() {
        conn.send(&[
            "XREADGROUP",
            "GROUP",
            "g",
            c,
            "BLOCK",
            "0",
            "CLAIM",
            "200",
            "STREAMS",
            "e",
            ">",
        ]);
        let want = format!("blocked_clients:{}", i + 1);
        while !r.call(&["INFO", "clients"]).contains(&want) {
            assert!(Instant::now() < deadline, "never blocked");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    r.call(&["XADD", "e", "1-0", "f", "v"]);
    let first = b.read();
    assert!(
        first.contains(&claimed_entry("1-0", "v", ":0\r\n:0\r\n")),
        "{first}"
    );
    let second = b2.read();
    assert!(second.contains("*4\r\n$3\r\n1-0\r\n"), "{second}");
    assert!(second.ends_with(":1\r\n"), "{second}");
}

#[test]
fn redis8_stream_effects_replay_from_the_aof() {
    let dir = temp_dir("r8aof");
    let s = TestServer::start_in(
        dir.clone(),
        &["--appendonly", "yes", "--stream-node-max-entries", "2"],
    );
    let mut r = s.raw();
    for i in 1..=8 {
        r.call(&["XADD", "s", &format!("{i}-0"), "f", &i.to_string()]);
    }
    r.call(&["XGROUP", "CREATE", "s", "a", "0"]);
    r.call(&["XGROUP", "CREATE", "s", "b", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "a",
        "x",
        "COUNT",
        "6",
        "STREAMS",
        "s",
        ">",
    ]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "b",
        "y",
        "COUNT",
        "3",
        "STREAMS",
        "s",
        ">",
    ]);
    r.call(&[
        "XACKDEL", "s", "a", "ACKED", "IDS", "3", "1-0", "2-0", "7-0",
    ]);
    r.call(&["XACKDEL", "s", "b", "IDS", "1", "1-0"]);
    r.call(&["XDELEX", "s", "DELREF", "IDS", "2", "3-0", "2-0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "b",
        "z",
        "CLAIM",
        "0",
        "COUNT",
        "3",
        "STREAMS",
        "s",
        ">",
    ]);
    r.call(&["XTRIM", "s", "MINID", "~", "6-0", "DELREF"]);
    r.call(&["XADD", "s", "MAXLEN", "2", "ACKED", "9-0", "f", "9"]);
    let state = |r: &mut Raw| {
        let mut out = r.call(&["XRANGE", "s", "-", "+"]);
        for g in ["a", "b"] {
            out += &r
                .call(&["XPENDING", "s", g, "-", "+", "100"])
                .lines()
                .filter(|l| !l.starts_with(':'))
                .collect::<Vec<_>>()
                .join("|");
            out += &r
                .call(&["XINFO", "CONSUMERS", "s", g])
                .lines()
                .filter(|l| !l.starts_with(':'))
                .collect::<Vec<_>>()
                .join("|");
        }
        out
    };
    let before = state(&mut r);
    drop(r);
    let dir = s.stop();
    let s2 = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r2 = s2.raw();
    assert_eq!(state(&mut r2), before);
}

/// The bulk string of a reply (an ID).
fn bulk(reply: &str) -> String {
    reply.lines().nth(1).unwrap_or("").to_string()
}

/// An integer field of XINFO STREAM (RESP2 flat array).
fn info_field(r: &mut Raw, key: &str, field: &str) -> i64 {
    let reply = r.call(&["XINFO", "STREAM", key]);
    let lines: Vec<&str> = reply.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == field)
        .unwrap_or_else(|| panic!("{field} in {reply}"));
    lines[at + 1].trim_start_matches(':').parse().unwrap()
}

#[test]
fn xadd_idmp_answers_a_retry_with_the_original_id() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let id1 = bulk(&r.call(&[
        "XADD",
        "s",
        "IDMP",
        "p1",
        "payment-abc",
        "*",
        "amount",
        "100",
    ]));
    let id2 = bulk(&r.call(&[
        "XADD",
        "s",
        "IDMP",
        "p1",
        "payment-abc",
        "*",
        "amount",
        "200",
    ]));
    assert_eq!(id1, id2);
    assert_eq!(r.call(&["XLEN", "s"]), ":1\r\n");
    assert!(r.call(&["XRANGE", "s", "-", "+"]).contains("$3\r\n100\r\n"));
    // Producers have their own namespaces; any bytes make an iid.
    let other = bulk(&r.call(&["XADD", "s", "IDMP", "p2", "payment-abc", "*", "amount", "1"]));
    assert_ne!(other, id1);
    for iid in [
        "-",
        "+",
        "*",
        "$",
        "IDMP",
        "123-456",
        "with spaces",
        "\u{0}\u{1}",
    ] {
        let got = r.call(&["XADD", "s", "IDMP", "p3", iid, "*", "f", "v"]);
        assert!(got.starts_with('$'), "{iid}: {got}");
    }
    // After the entry is deleted a retry still gets its ID, and adds nothing.
    r.call(&["XDEL", "s", &id1]);
    assert_eq!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "payment-abc", "*", "a", "1"])),
        id1
    );
    assert_eq!(r.call(&["XLEN", "s"]), ":9\r\n");
    // IDMPAUTO: the iid is the content, whatever the field order; field names count.
    let a = bulk(&r.call(&["XADD", "a", "IDMPAUTO", "p", "*", "f1", "a", "f2", "b"]));
    assert_eq!(
        bulk(&r.call(&["XADD", "a", "IDMPAUTO", "p", "*", "f2", "b", "f1", "a"])),
        a
    );
    assert_ne!(
        bulk(&r.call(&["XADD", "a", "IDMPAUTO", "p", "*", "f1", "b", "f2", "a"])),
        a
    );
    assert_ne!(
        bulk(&r.call(&["XADD", "a", "IDMPAUTO", "q", "*", "f1", "a", "f2", "b"])),
        a
    );
    // With the other options, in any order; NOMKSTREAM on a missing key adds nothing.
    let t = bulk(&r.call(&[
        "XADD", "t", "MAXLEN", "~", "100", "IDMP", "p", "r1", "KEEPREF", "*", "f", "v",
    ]));
    assert_eq!(
        bulk(&r.call(&["XADD", "t", "IDMP", "p", "r1", "MAXLEN", "~", "100", "*", "f", "w"])),
        t
    );
    assert_eq!(
        r.call(&[
            "XADD",
            "none",
            "NOMKSTREAM",
            "IDMP",
            "p",
            "r",
            "*",
            "f",
            "v"
        ]),
        "$-1\r\n"
    );
    assert_eq!(r.call(&["EXISTS", "none"]), ":0\r\n");
    // Inside MULTI the second of two equal requests is the duplicate.
    r.call(&["MULTI"]);
    r.call(&["XADD", "m", "IDMP", "p", "x", "*", "f", "1"]);
    r.call(&["XADD", "m", "IDMP", "p", "x", "*", "f", "2"]);
    let exec = r.call(&["EXEC"]);
    let ids: Vec<&str> = exec.lines().filter(|l| l.contains('-')).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "{exec}");
    // The counters.
    assert_eq!(info_field(&mut r, "s", "pids-tracked"), 3);
    assert_eq!(info_field(&mut r, "s", "iids-tracked"), 10);
    assert_eq!(info_field(&mut r, "s", "iids-added"), 10);
    assert_eq!(info_field(&mut r, "s", "iids-duplicates"), 2);
    assert_eq!(info_field(&mut r, "s", "idmp-duration"), 100);
    assert_eq!(info_field(&mut r, "s", "idmp-maxsize"), 100);
}

#[test]
fn xadd_idmp_and_xcfgset_refuse_bad_arguments() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let err = |m: &str| format!("-ERR {m}\r\n");
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "p1", "*", "f", "v"]),
        err("Invalid stream ID specified as stream command argument")
    );
    let only_auto = err("IDMP/IDMPAUTO can be used only with auto-generated IDs");
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "p1", "i", "1-1", "f", "v"]),
        only_auto
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMPAUTO", "p1", "1-*", "f", "v"]),
        only_auto
    );
    let twice = err("IDMP/IDMPAUTO specified multiple times");
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "p1", "i", "IDMP", "p2", "j", "*", "f", "v"]),
        twice
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMPAUTO", "p1", "IDMP", "p2", "j", "*", "f", "v"]),
        twice
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "p1", "i", "IDMPAUTO", "p2", "*", "f", "v"]),
        twice
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "", "i", "*", "f", "v"]),
        err("IDMP requires a non-empty producer ID")
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMP", "p", "", "*", "f", "v"]),
        err("IDMP requires a non-empty idempotent ID")
    );
    assert_eq!(
        r.call(&["XADD", "s", "IDMPAUTO", "", "*", "f", "v"]),
        err("IDMPAUTO requires a non-empty producer ID")
    );
    assert_eq!(r.call(&["EXISTS", "s"]), ":0\r\n");

    assert_eq!(
        r.call(&["XCFGSET", "s", "IDMP-DURATION", "5"]),
        err("no such key")
    );
    let rid = bulk(&r.call(&["XADD", "s", "IDMP", "p1", "r", "*", "f", "v"]));
    assert_eq!(
        r.call(&["XCFGSET", "s"]),
        err("At least one parameter must be specified")
    );
    for args in [&["IDMP-DURATION"][..], &["IDMP-MAXSIZE"], &["INVALID"]] {
        let mut argv = vec!["XCFGSET", "s"];
        argv.extend_from_slice(args);
        assert_eq!(r.call(&argv), err("syntax error"), "{args:?}");
    }
    for bad in [
        "A",
        "*",
        "-",
        "+",
        "120-5",
        "3.14",
        "000000000",
        "IDMP-DURATION",
    ] {
        assert_eq!(
            r.call(&["XCFGSET", "s", "IDMP-DURATION", bad]),
            err("value is not an integer or out of range"),
            "{bad}"
        );
    }
    assert_eq!(
        r.call(&["XCFGSET", "s", "IDMP-DURATION", "INVALID", "IDMP-MAXSIZE"]),
        err("value is not an integer or out of range")
    );
    for v in ["0", "-100", "86401"] {
        assert_eq!(
            r.call(&["XCFGSET", "s", "IDMP-DURATION", v]),
            err("IDMP-DURATION must be between 1 and 86400")
        );
    }
    for v in ["0", "-50", "10001"] {
        assert_eq!(
            r.call(&["XCFGSET", "s", "IDMP-MAXSIZE", v]),
            err("IDMP-MAXSIZE must be between 1 and 10000")
        );
    }
    assert_eq!(
        info_field(&mut r, "s", "iids-tracked"),
        1,
        "refusals change nothing"
    );
    for (name, bad) in [
        ("stream-idmp-duration", "86401"),
        ("stream-idmp-duration", "0"),
        ("stream-idmp-maxsize", "10001"),
        ("stream-idmp-maxsize", "-1"),
    ] {
        let got = r.call(&["CONFIG", "SET", name, bad]);
        assert!(got.contains("must be between"), "{name} {bad}: {got}");
    }
    assert_eq!(
        r.call(&["CONFIG", "SET", "stream-idmp-duration", "86400"]),
        "+OK\r\n"
    );
    assert_eq!(
        r.call(&["CONFIG", "SET", "stream-idmp-maxsize", "10000"]),
        "+OK\r\n"
    );
    // A stream without its own settings follows the directives.
    assert_eq!(info_field(&mut r, "s", "idmp-duration"), 86400);
    assert_eq!(info_field(&mut r, "s", "idmp-maxsize"), 10000);

    assert_eq!(
        r.call(&["XIDMPRECORD", "nokey", "p", "i", "1-0"]),
        err("no such key")
    );
    assert_eq!(
        r.call(&["XIDMPRECORD", "s", "p", "i", "99999999999999-0"]),
        err("The specified stream ID was deleted or doesn't exist")
    );
    assert_eq!(
        r.call(&["XIDMPRECORD", "s", "p1", "r", "1-1"]),
        err("The specified IDMP producer-id/idempotent-id pair maps to a different stream ID")
    );
    assert_eq!(r.call(&["XIDMPRECORD", "s", "p1", "r", &rid]), "+OK\r\n");
    assert_eq!(
        r.call(&["XIDMPRECORD", "s", "", "r", &rid]),
        err("IDMP requires a non-empty producer ID")
    );
    // A record for an entry deleted since is taken: a retry gets that ID.
    r.call(&["XDEL", "s", &rid]);
    assert_eq!(r.call(&["XIDMPRECORD", "s", "p9", "z", &rid]), "+OK\r\n");
    assert_eq!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p9", "z", "*", "f", "v"])),
        rid
    );
}

#[test]
fn idmp_settings_evict_expire_and_clear_as_redis() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // MAXSIZE 3: the fourth iid pushes out the oldest (duplicates do not refresh it).
    r.call(&["XADD", "s", "IDMP", "p1", "init", "*", "f", "init"]);
    assert_eq!(
        r.call(&["XCFGSET", "s", "IDMP-MAXSIZE", "3", "IDMP-DURATION", "60"]),
        "+OK\r\n"
    );
    let ids: Vec<String> = (1..=3)
        .map(|i| {
            bulk(&r.call(&[
                "XADD",
                "s",
                "IDMP",
                "p1",
                &format!("req-{i}"),
                "*",
                "f",
                "v",
            ]))
        })
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let again = bulk(&r.call(&[
            "XADD",
            "s",
            "IDMP",
            "p1",
            &format!("req-{}", i + 1),
            "*",
            "f",
            "dup",
        ]));
        assert_eq!(&again, id);
    }
    r.call(&["XADD", "s", "IDMP", "p1", "req-4", "*", "f", "v"]);
    assert_ne!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-1", "*", "f", "new"])),
        ids[0]
    );
    assert_eq!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-3", "*", "f", "dup"])),
        ids[2]
    );
    assert_eq!(r.call(&["XLEN", "s"]), ":6\r\n");
    assert_eq!(info_field(&mut r, "s", "iids-tracked"), 3);
    assert_eq!(info_field(&mut r, "s", "iids-added"), 6);

    // Setting a value it already has forgets nothing; a new value forgets every iid.
    assert_eq!(r.call(&["XCFGSET", "s", "IDMP-MAXSIZE", "3"]), "+OK\r\n");
    assert_eq!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-3", "*", "f", "dup"])),
        ids[2]
    );
    r.call(&["XCFGSET", "s", "IDMP-DURATION", "1"]);
    assert_eq!(info_field(&mut r, "s", "pids-tracked"), 0);
    assert_eq!(info_field(&mut r, "s", "iids-added"), 6, "lifetime counter");
    let fresh = bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-3", "*", "f", "again"]));
    assert_ne!(fresh, ids[2]);
    assert_eq!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-3", "*", "f", "dup"])),
        fresh
    );
    // IDMP-DURATION 1: two seconds later the iid is forgotten.
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(info_field(&mut r, "s", "iids-tracked"), 0);
    assert_ne!(
        bulk(&r.call(&["XADD", "s", "IDMP", "p1", "req-3", "*", "f", "late"])),
        fresh
    );
}

#[test]
fn idmp_memory_survives_aof_rewrite_and_rdb() {
    for mode in ["aof", "rewrite", "rdb"] {
        let dir = temp_dir("idmp");
        let directives: &[&str] = if mode == "rdb" {
            &[]
        } else {
            &["--appendonly", "yes"]
        };
        let s = TestServer::start_in(dir.clone(), directives);
        let mut r = s.raw();
        let id = bulk(&r.call(&["XADD", "s", "IDMP", "p1", "order-1", "*", "f", "v"]));
        let auto = bulk(&r.call(&["XADD", "s", "IDMPAUTO", "p2", "*", "a", "1", "b", "2"]));
        r.call(&["XCFGSET", "s", "IDMP-DURATION", "600", "IDMP-MAXSIZE", "50"]);
        let kept = bulk(&r.call(&["XADD", "s", "IDMP", "p1", "order-2", "*", "f", "v"]));
        // The same content again: a new entry, XCFGSET forgot the first.
        let auto2 = bulk(&r.call(&["XADD", "s", "IDMPAUTO", "p2", "*", "b", "2", "a", "1"]));
        assert_ne!(auto2, auto);
        r.call(&["XDEL", "s", &kept]);
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
        let s2 = TestServer::start_in(dir, directives);
        let mut r2 = s2.raw();
        assert_eq!(r2.call(&["XLEN", "s"]), ":3\r\n", "{mode}");
        assert_eq!(info_field(&mut r2, "s", "idmp-duration"), 600, "{mode}");
        assert_eq!(info_field(&mut r2, "s", "idmp-maxsize"), 50, "{mode}");
        // order-1 was recorded before XCFGSET changed the settings, so it was forgotten
        // then; order-2 (deleted since) and the IDMPAUTO content are remembered.
        assert_ne!(
            bulk(&r2.call(&["XADD", "s", "IDMP", "p1", "order-1", "*", "f", "v"])),
            id,
            "{mode}"
        );
        assert_eq!(
            bulk(&r2.call(&["XADD", "s", "IDMP", "p1", "order-2", "*", "f", "v"])),
            kept,
            "{mode}"
        );
        assert_eq!(
            bulk(&r2.call(&["XADD", "s", "IDMPAUTO", "p2", "*", "a", "1", "b", "2"])),
            auto2,
            "{mode}"
        );
        assert_eq!(r2.call(&["XLEN", "s"]), ":4\r\n", "{mode}");
    }
}

/// XPENDING's extended row as RESP2.
fn pending_row(id: &str, consumer: &str, idle: i64, count: u64) -> String {
    format!(
        "*4\r\n${}\r\n{id}\r\n${}\r\n{consumer}\r\n:{idle}\r\n:{count}\r\n",
        id.len(),
        consumer.len()
    )
}

/// A stream `m` with entries 1-0..n-0, group `grp`, all delivered to c1.
fn delivered(r: &mut Raw, n: u32) {
    r.call(&["DEL", "m"]);
    for i in 1..=n {
        r.call(&["XADD", "m", &format!("{i}-0"), "f", &format!("v{i}")]);
    }
    r.call(&["XGROUP", "CREATE", "m", "grp", "0"]);
    r.call(&["XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "m", ">"]);
}

/// The IDs a CLAIM read takes one by one (min-idle 0, COUNT 1), as c2.
fn claim_order(r: &mut Raw, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let got = r.call(&[
                "XREADGROUP",
                "GROUP",
                "grp",
                "c2",
                "COUNT",
                "1",
                "CLAIM",
                "0",
                "STREAMS",
                "m",
                ">",
            ]);
            got.lines().nth(7).unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn xnack_refuses_bad_arguments_as_redis() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    for argv in [
        &["XNACK"][..],
        &["XNACK", "key"],
        &["XNACK", "key", "group", "SILENT", "IDS"],
        &["XNACK", "key", "group", "SILENT", "IDS", "1"],
        &["XNACK", "m", "grp", "FAIL", "RETRYCOUNT"],
    ] {
        assert_eq!(
            r.call(argv),
            "-ERR wrong number of arguments for 'xnack' command\r\n",
            "{argv:?}"
        );
    }
    assert!(r
        .call(&["XNACK", "nosuchkey", "grp", "SILENT", "IDS", "1", "1-0"])
        .starts_with("-NOGROUP"));
    r.call(&["XADD", "m", "1-0", "f", "v"]);
    assert!(r
        .call(&["XNACK", "m", "nogroup", "SILENT", "IDS", "1", "1-0"])
        .starts_with("-NOGROUP"));
    r.call(&["SET", "str", "x"]);
    assert!(r
        .call(&["XNACK", "str", "grp", "FAIL", "IDS", "1", "1-0"])
        .starts_with("-WRONGTYPE"));
    delivered(&mut r, 2);
    let unrecognized = |opt: &str| format!("-ERR Unrecognized XNACK option '{opt}'\r\n");
    for (argv, want) in [
        (
            &["FAIL", "BADOPT", "IDS", "1", "1-0"][..],
            unrecognized("BADOPT"),
        ),
        (
            &["FAIL", "IDS", "1", "1-0", "BADOPT"],
            unrecognized("BADOPT"),
        ),
        (
            &["SILENT", "FORCE", "BADOPT", "IDS", "1", "1-0"],
            unrecognized("BADOPT"),
        ),
        (
            &["FAIL", "RETRYCOUNT", "5", "BADOPT", "IDS", "1", "1-0"],
            unrecognized("BADOPT"),
        ),
        (&["FAIL", "FATAL", "IDS", "1", "1-0"], unrecognized("FATAL")),
        (&["SILENT", "NOTIDS", "1", "1-0"], unrecognized("NOTIDS")),
        (
            &["FAIL", "IDS", "1", "1-0", "RETRYCOUNT"],
            unrecognized("RETRYCOUNT"),
        ),
        (&["FAIL", "IDS", "1", "1-0", "2-0"], unrecognized("2-0")),
        (
            &["BADMODE", "IDS", "1", "1-0"],
            "-ERR mode must be SILENT, FAIL, or FATAL\r\n".into(),
        ),
        (
            &["SILENT", "FORCE", "RETRYCOUNT", "5"],
            "-ERR syntax error, expected IDS keyword\r\n".into(),
        ),
        (
            &["SILENT", "IDS", "abc", "1-0"],
            "-ERR numids must be a positive integer\r\n".into(),
        ),
        (
            &["SILENT", "IDS", "0", "1-0"],
            "-ERR numids must be a positive integer\r\n".into(),
        ),
        (
            &["SILENT", "IDS", "-1", "1-0"],
            "-ERR numids must be a positive integer\r\n".into(),
        ),
        (
            &["SILENT", "IDS", "2", "1-0"],
            "-ERR number of IDs doesn't match numids\r\n".into(),
        ),
        (
            &["FAIL", "IDS", "1", "not-a-valid-id"],
            "-ERR Invalid stream ID specified as stream command argument\r\n".into(),
        ),
        (
            &["FAIL", "IDS", "1", "1-0", "RETRYCOUNT", "abc"],
            "-ERR value is not an integer or out of range\r\n".into(),
        ),
        (
            &["FAIL", "IDS", "1", "1-0", "RETRYCOUNT", "-1"],
            "-ERR Invalid RETRYCOUNT value, must be >= 0\r\n".into(),
        ),
        (
            &[
                "FAIL",
                "IDS",
                "1",
                "1-0",
                "RETRYCOUNT",
                "99999999999999999999",
            ],
            "-ERR value is not an integer or out of range\r\n".into(),
        ),
    ] {
        let mut full = vec!["XNACK", "m", "grp"];
        full.extend(argv);
        assert_eq!(r.call(&full), want, "{argv:?}");
    }
    // Nothing was nacked by the refused calls.
    assert_eq!(
        r.call(&["XPENDING", "m", "grp", "-", "+", "10", "c1"])
            .lines()
            .count(),
        1 + 2 * 7
    );
}

#[test]
fn xnack_modes_counts_and_the_nack_zone() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // SILENT: one delivery less (not below 0); unowned, idle -1.
    delivered(&mut r, 1);
    assert_eq!(
        r.call(&["XNACK", "m", "grp", "SILENT", "IDS", "1", "1-0"]),
        ":1\r\n"
    );
    assert_eq!(
        r.call(&["XPENDING", "m", "grp", "-", "+", "10"]),
        format!("*1\r\n{}", pending_row("1-0", "", -1, 0))
    );
    r.call(&["XCLAIM", "m", "grp", "c2", "0", "1-0", "RETRYCOUNT", "0"]);
    r.call(&["XNACK", "m", "grp", "SILENT", "IDS", "1", "1-0"]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":-1\r\n:0\r\n"));
    for _ in 0..3 {
        r.call(&["XCLAIM", "m", "grp", "c1", "0", "1-0"]);
    }
    r.call(&["XNACK", "m", "grp", "SILENT", "IDS", "1", "1-0"]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":-1\r\n:2\r\n"));
    // FAIL keeps the count; FATAL sets LLONG_MAX; RETRYCOUNT overrides every mode.
    delivered(&mut r, 1);
    r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "1", "1-0"]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":-1\r\n:1\r\n"));
    r.call(&["XNACK", "m", "grp", "FATAL", "IDS", "1", "1-0"]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":-1\r\n:9223372036854775807\r\n"));
    // A FATAL entry claimed again stays at LLONG_MAX.
    r.call(&["XCLAIM", "m", "grp", "c1", "0", "1-0"]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":9223372036854775807\r\n"));
    r.call(&[
        "XNACK",
        "m",
        "grp",
        "FATAL",
        "IDS",
        "1",
        "1-0",
        "RETRYCOUNT",
        "42",
    ]);
    assert!(r
        .call(&["XPENDING", "m", "grp", "-", "+", "10"])
        .ends_with(":-1\r\n:42\r\n"));

    // Entries leave their consumers; the counts, the summary and XINFO follow.
    r.call(&["DEL", "m"]);
    for i in 1..=3 {
        r.call(&["XADD", "m", &format!("{i}-0"), "f", "v"]);
    }
    r.call(&["XGROUP", "CREATE", "m", "grp", "0"]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "grp",
        "c1",
        "COUNT",
        "2",
        "STREAMS",
        "m",
        ">",
    ]);
    r.call(&[
        "XREADGROUP",
        "GROUP",
        "grp",
        "c2",
        "COUNT",
        "1",
        "STREAMS",
        "m",
        ">",
    ]);
    assert_eq!(
        r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "1", "3-0"]),
        ":1\r\n"
    );
    assert_eq!(
        r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "1", "1-0"]),
        ":1\r\n"
    );
    assert_eq!(
        r.call(&["XPENDING", "m", "grp"]),
        "*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        r.call(&["XPENDING", "m", "grp", "-", "+", "10", "c2"]),
        "*0\r\n"
    );
    let full = r.call(&["XINFO", "STREAM", "m", "FULL"]);
    assert!(
        full.contains("$7\r\npending\r\n*3\r\n*4\r\n$3\r\n1-0\r\n$0\r\n\r\n:0\r\n:1\r\n"),
        "{full}"
    );
    assert!(full.ends_with("$12\r\nnacked-count\r\n:2\r\n"), "{full}");
    assert!(r
        .call(&["XINFO", "GROUPS", "m"])
        .contains("$9\r\nconsumers\r\n:2\r\n"));
    // A history read no longer returns the nacked entries; DELCONSUMER keeps them.
    let own = r.call(&["XREADGROUP", "GROUP", "grp", "c1", "STREAMS", "m", "0"]);
    assert!(own.contains("2-0") && !own.contains("1-0"), "{own}");
    assert_eq!(
        r.call(&["XGROUP", "DELCONSUMER", "m", "grp", "c1"]),
        ":1\r\n"
    );
    assert!(r
        .call(&["XPENDING", "m", "grp"])
        .starts_with("*4\r\n:2\r\n"));
    // IDs not pending count 0; each repeat counts.
    assert_eq!(
        r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "4", "1-0", "9-9", "1-0", "3-0"]),
        ":3\r\n"
    );

    // The zone: first in the claim order, in nack order; a re-nack goes to its tail.
    delivered(&mut r, 4);
    // 4-0 then idles longer than an entry claimed below (min-idle 0 takes those again).
    std::thread::sleep(Duration::from_millis(5));
    r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "3", "3-0", "1-0", "2-0"]);
    r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "1", "3-0"]);
    assert_eq!(claim_order(&mut r, 4), ["1-0", "2-0", "3-0", "4-0"]);

    // FORCE: an existing, unpending entry becomes nacked (count 0, FATAL's, RETRYCOUNT's);
    // a missing one is skipped; claimable at once, whatever the minimum idle time.
    r.call(&["DEL", "m"]);
    for i in 1..=3 {
        r.call(&["XADD", "m", &format!("{i}-0"), "f", "v"]);
    }
    r.call(&["XGROUP", "CREATE", "m", "grp", "0"]);
    assert_eq!(
        r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "2", "1-0", "9-9", "FORCE"]),
        ":1\r\n"
    );
    r.call(&["XNACK", "m", "grp", "FATAL", "FORCE", "IDS", "1", "2-0"]);
    r.call(&[
        "XNACK",
        "m",
        "grp",
        "SILENT",
        "RETRYCOUNT",
        "7",
        "IDS",
        "1",
        "3-0",
        "FORCE",
    ]);
    assert_eq!(
        r.call(&["XPENDING", "m", "grp", "-", "+", "10"]),
        format!(
            "*3\r\n{}{}{}",
            pending_row("1-0", "", -1, 0),
            pending_row("2-0", "", -1, 9223372036854775807),
            pending_row("3-0", "", -1, 7)
        )
    );
    let got = r.call(&["XCLAIM", "m", "grp", "c1", "99999", "1-0", "JUSTID"]);
    assert_eq!(got, "*1\r\n$3\r\n1-0\r\n");
    let auto = r.call(&["XAUTOCLAIM", "m", "grp", "c1", "99999", "0-0", "JUSTID"]);
    assert!(auto.contains("2-0") && auto.contains("3-0"), "{auto}");

    // A ghost: a nacked entry whose stream entry is gone stays pending until claimed.
    delivered(&mut r, 3);
    r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "2", "1-0", "3-0"]);
    r.call(&["XDEL", "m", "1-0", "3-0"]);
    assert_eq!(r.call(&["XCLAIM", "m", "grp", "c2", "0", "1-0"]), "*0\r\n");
    let auto = r.call(&["XAUTOCLAIM", "m", "grp", "c2", "0", "0-0"]);
    assert!(auto.ends_with("*1\r\n$3\r\n3-0\r\n"), "{auto}");
    assert!(r
        .call(&["XPENDING", "m", "grp"])
        .starts_with("*4\r\n:1\r\n"));

    // RESP3: the same row shapes.
    let mut r3 = s.raw();
    r3.call(&["HELLO", "3"]);
    delivered(&mut r3, 1);
    r3.call(&["XNACK", "m", "grp", "FAIL", "IDS", "1", "1-0"]);
    assert_eq!(
        r3.call(&["XPENDING", "m", "grp", "-", "+", "10"]),
        format!("*1\r\n{}", pending_row("1-0", "", -1, 1))
    );
    assert!(r3
        .call(&["XINFO", "STREAM", "m", "FULL"])
        .contains("$12\r\nnacked-count\r\n:1\r\n"));
}

#[test]
fn a_blocked_claim_read_wakes_on_xnack() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    delivered(&mut r, 2);
    let mut b = s.raw();
    b.send(&[
        "XREADGROUP",
        "GROUP",
        "grp",
        "c2",
        "BLOCK",
        "5000",
        "CLAIM",
        "1000",
        "STREAMS",
        "m",
        ">",
    ]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !r.call(&["INFO", "clients"]).contains("blocked_clients:1") {
        assert!(Instant::now() < deadline, "never blocked");
        std::thread::sleep(Duration::from_millis(5));
    }
    let t = Instant::now();
    r.call(&["XNACK", "m", "grp", "FAIL", "IDS", "2", "1-0", "2-0"]);
    let got = b.read();
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert!(got.contains("1-0") && got.contains("2-0"), "{got}");
    assert_eq!(
        r.call(&["XPENDING", "m", "grp", "-", "+", "10", "c2"])
            .lines()
            .count(),
        1 + 2 * 7
    );
}

#[test]
fn nacked_entries_survive_restart_rewrite_and_rdb() {
    for mode in ["aof", "rewrite", "rdb"] {
        let dir = temp_dir("xnack");
        let directives: &[&str] = if mode == "rdb" {
            &[]
        } else {
            &["--appendonly", "yes"]
        };
        let s = TestServer::start_in(dir.clone(), directives);
        let mut r = s.raw();
        // 70 delivered; 66 nacked in three runs of counts, more than one rewrite batch.
        delivered(&mut r, 70);
        let ids: Vec<String> = (1..=66).rev().map(|i| format!("{i}-0")).collect();
        let mut argv = vec!["XNACK", "m", "grp", "FAIL", "IDS", "66"];
        argv.extend(ids.iter().map(String::as_str));
        r.call(&argv);
        r.call(&["XNACK", "m", "grp", "FATAL", "IDS", "2", "10-0", "20-0"]);
        r.call(&["XNACK", "m", "grp", "SILENT", "IDS", "1", "30-0"]);
        // A second group: FORCE-created entries only; a real "" consumer in a third.
        r.call(&["XGROUP", "CREATE", "m", "g2", "0"]);
        r.call(&[
            "XNACK",
            "m",
            "g2",
            "FATAL",
            "IDS",
            "1",
            "2-0",
            "RETRYCOUNT",
            "77",
            "FORCE",
        ]);
        r.call(&["XNACK", "m", "g2", "FAIL", "IDS", "1", "1-0", "FORCE"]);
        r.call(&["XGROUP", "CREATE", "m", "g3", "0"]);
        r.call(&[
            "XREADGROUP",
            "GROUP",
            "g3",
            "",
            "COUNT",
            "3",
            "STREAMS",
            "m",
            ">",
        ]);
        r.call(&["XNACK", "m", "g3", "FAIL", "IDS", "1", "2-0"]);
        let state = |r: &mut Raw| {
            let mut out = String::new();
            for g in ["grp", "g2", "g3"] {
                out += &r
                    .call(&["XPENDING", "m", g, "-", "+", "100"])
                    .lines()
                    .filter(|l| !l.starts_with(':') || l.starts_with(":-1"))
                    .collect::<Vec<_>>()
                    .join("|");
                out += &r.call(&["XPENDING", "m", g]);
                out += &r
                    .call(&["XINFO", "CONSUMERS", "m", g])
                    .lines()
                    .filter(|l| l.starts_with('$'))
                    .collect::<String>();
            }
            // Each group's nacked-count (seen times do not survive an AOF replay).
            let full = r.call(&["XINFO", "STREAM", "m", "FULL"]);
            for part in full.split("nacked-count\r\n").skip(1) {
                out += part.lines().next().unwrap();
            }
            out
        };
        let before = state(&mut r);
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
        let s2 = TestServer::start_in(dir, directives);
        let mut r2 = s2.raw();
        assert_eq!(state(&mut r2), before, "{mode}");
        // The zone's order: 66-0 down to 1-0 except the re-nacked ones, then 10, 20, 30.
        let mut want: Vec<String> = (1..=66)
            .rev()
            .filter(|i| ![10, 20, 30].contains(i))
            .map(|i| format!("{i}-0"))
            .collect();
        want.extend(["10-0", "20-0", "30-0"].map(String::from));
        want.push("67-0".into());
        assert_eq!(claim_order(&mut r2, 67), want, "{mode}");
    }
}

/// The IDs in an XREAD / XREADGROUP reply (RESP2), stream by stream.
fn read_ids(reply: &str) -> Vec<String> {
    reply
        .lines()
        .filter(|l| {
            let b = l.as_bytes();
            !b.is_empty() && b[0].is_ascii_digit() && l.contains('-')
        })
        .map(String::from)
        .collect()
}

#[test]
fn maxcount_and_maxsize_cap_the_whole_read() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    for k in ["s1", "s2", "s3"] {
        for i in 1..=3 {
            r.call(&["XADD", k, &format!("{i}-0"), "f", &"x".repeat(100)]);
        }
    }
    for (argv, want) in [
        (
            &["MAXCOUNT", "0"][..],
            "-ERR MAXCOUNT must be a positive integer\r\n",
        ),
        (
            &["MAXCOUNT", "-1"],
            "-ERR MAXCOUNT must be a positive integer\r\n",
        ),
        (
            &["MAXCOUNT", "x"],
            "-ERR MAXCOUNT must be a positive integer\r\n",
        ),
        (
            &["MAXSIZE", "0"],
            "-ERR MAXSIZE must be a positive integer\r\n",
        ),
        (
            &["COUNT", "5", "MAXCOUNT", "3"],
            "-ERR MAXCOUNT must be greater than or equal to COUNT\r\n",
        ),
    ] {
        let mut full = vec!["XREAD"];
        full.extend(argv);
        full.extend(["STREAMS", "s1", "0"]);
        assert_eq!(r.call(&full), want, "{argv:?}");
    }
    // COUNT per stream, MAXCOUNT over all of them, streams in the order given.
    let got = r.call(&[
        "XREAD", "COUNT", "2", "MAXCOUNT", "3", "STREAMS", "s1", "s2", "s3", "0", "0", "0",
    ]);
    assert_eq!(read_ids(&got), ["1-0", "2-0", "1-0"]);
    assert!(got.starts_with("*2\r\n"), "s3 is left out: {got}");
    let got = r.call(&["XREAD", "MAXCOUNT", "4", "STREAMS", "s1", "s2", "0", "0"]);
    assert_eq!(read_ids(&got), ["1-0", "2-0", "3-0", "1-0"]);
    // MAXSIZE: entries up to the size, at least one whatever its size.
    assert_eq!(
        read_ids(&r.call(&["XREAD", "MAXSIZE", "1", "STREAMS", "s1", "s2", "0", "0"])),
        ["1-0"]
    );
    for max in [200usize, 300, 500, 700, 1000] {
        let got = r.call(&[
            "XREAD",
            "MAXSIZE",
            &max.to_string(),
            "STREAMS",
            "s1",
            "s2",
            "s3",
            "0",
            "0",
            "0",
        ]);
        let n = read_ids(&got).len();
        assert!(n >= 1);
        // The reply's own top-level header is the only framing not counted.
        assert!(
            n == 1 || got.len() <= max + 4,
            "MAXSIZE {max}: {} bytes for {n}",
            got.len()
        );
        let more = r.call(&[
            "XREAD",
            "MAXCOUNT",
            &(n + 1).to_string(),
            "STREAMS",
            "s1",
            "s2",
            "s3",
            "0",
            "0",
            "0",
        ]);
        assert!(
            more.len() > max,
            "MAXSIZE {max} stopped early at {n} entries"
        );
    }
    // `+` takes part too.
    assert_eq!(
        read_ids(&r.call(&["XREAD", "MAXCOUNT", "1", "STREAMS", "s1", "s2", "+", "+"])),
        ["3-0"]
    );

    // XREADGROUP: what the budget leaves out is not delivered and not pending.
    for k in ["s1", "s2"] {
        r.call(&["XGROUP", "CREATE", k, "g", "0"]);
    }
    let got = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "MAXCOUNT",
        "4",
        "STREAMS",
        "s1",
        "s2",
        ">",
        ">",
    ]);
    assert_eq!(read_ids(&got), ["1-0", "2-0", "3-0", "1-0"]);
    assert!(r.call(&["XPENDING", "s2", "g"]).starts_with("*4\r\n:1\r\n"));
    let info = r.call(&["XINFO", "GROUPS", "s2"]);
    assert!(
        info.contains("$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n"),
        "{info}"
    );
    let got = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "MAXSIZE",
        "1",
        "STREAMS",
        "s1",
        "s2",
        ">",
        ">",
    ]);
    assert_eq!(read_ids(&got), ["2-0"]);
    // A history read lists every stream, empty once the budget is spent.
    let got = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "MAXCOUNT",
        "2",
        "STREAMS",
        "s1",
        "s2",
        "0",
        "0",
    ]);
    assert_eq!(read_ids(&got), ["1-0", "2-0"]);
    assert!(got.ends_with("$2\r\ns2\r\n*0\r\n"), "{got}");
    // CLAIM: claimed entries count against the budget first.
    std::thread::sleep(Duration::from_millis(3));
    let got = r.call(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "d",
        "CLAIM",
        "1",
        "MAXCOUNT",
        "2",
        "STREAMS",
        "s2",
        ">",
    ]);
    assert_eq!(read_ids(&got), ["1-0", "2-0"]);
    assert!(
        got.contains("*4\r\n$3\r\n1-0") && got.contains("*4\r\n$3\r\n2-0"),
        "both pending entries claimed, not s2's 3-0: {got}"
    );
    assert_eq!(
        r.call(&["XPENDING", "s2", "g", "-", "+", "10", "d"])
            .lines()
            .count(),
        1 + 2 * 7
    );
    assert!(r.call(&["XPENDING", "s2", "g"]).starts_with("*4\r\n:2\r\n"));
    // RESP3 keeps the map shape.
    let mut r3 = s.raw();
    r3.call(&["HELLO", "3"]);
    let got = r3.call(&[
        "XREAD", "COUNT", "1", "MAXCOUNT", "2", "STREAMS", "s1", "s2", "s3", "0", "0", "0",
    ]);
    assert!(got.starts_with("%2\r\n"), "{got}");
}

/// A list's elements, `LRANGE key 0 -1` as plain strings.
fn lrange(r: &mut Raw, key: &str) -> Vec<String> {
    r.call(&["LRANGE", key, "0", "-1"])
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('$'))
        .map(String::from)
        .collect()
}

/// An array reply of bulk strings as plain strings.
fn strings(reply: &str) -> Vec<String> {
    reply
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('$'))
        .map(String::from)
        .collect()
}

fn set_list(r: &mut Raw, key: &str, items: &[&str]) {
    r.call(&["DEL", key]);
    let mut argv = vec!["RPUSH", key];
    argv.extend(items);
    r.call(&argv);
}

#[test]
fn lmovem_moves_one_by_one_or_in_bulk() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    // The examples of the Redis PR (redis/redis#15405).
    set_list(&mut r, "l1", &["1", "2", "3", "4"]);
    set_list(&mut r, "l2", &["5", "6", "7"]);
    assert_eq!(
        strings(&r.call(&["LMOVEM", "l1", "l2", "LEFT", "LEFT", "COUNT", "2", "OBO"])),
        ["2", "1"]
    );
    assert_eq!(lrange(&mut r, "l2"), ["2", "1", "5", "6", "7"]);
    set_list(&mut r, "l1", &["1", "2", "3", "4"]);
    set_list(&mut r, "l2", &["5", "6", "7"]);
    assert_eq!(
        strings(&r.call(&["LMOVEM", "l1", "l2", "LEFT", "LEFT", "COUNT", "2", "BULK"])),
        ["1", "2"]
    );
    assert_eq!(lrange(&mut r, "l2"), ["1", "2", "5", "6", "7"]);
    set_list(&mut r, "l1", &["1", "2"]);
    assert_eq!(
        r.call(&["LMOVEM", "l1", "l2", "LEFT", "LEFT", "EXACTLY", "3", "BULK"]),
        "*-1\r\n"
    );
    assert_eq!(lrange(&mut r, "l1"), ["1", "2"]);

    // Every pair of ends: OBO is that many LMOVEs; BULK keeps the block's source order; the
    // reply is the moved elements as they lie in the destination.
    for from in ["LEFT", "RIGHT"] {
        for to in ["LEFT", "RIGHT"] {
            set_list(&mut r, "a", &["1", "2", "3", "4"]);
            set_list(&mut r, "b", &["x", "y"]);
            set_list(&mut r, "c", &["1", "2", "3", "4"]);
            set_list(&mut r, "d", &["x", "y"]);
            let got = strings(&r.call(&["LMOVEM", "a", "b", from, to, "COUNT", "3", "OBO"]));
            for _ in 0..3 {
                r.call(&["LMOVE", "c", "d", from, to]);
            }
            let (b, d) = (lrange(&mut r, "b"), lrange(&mut r, "d"));
            assert_eq!(b, d, "OBO {from} {to}");
            assert_eq!(lrange(&mut r, "a"), lrange(&mut r, "c"));
            let at = if to == "LEFT" { 0 } else { 2 };
            assert_eq!(got, b[at..at + 3].to_vec(), "OBO {from} {to} reply");

            set_list(&mut r, "a", &["1", "2", "3", "4"]);
            set_list(&mut r, "b", &["x", "y"]);
            let got = strings(&r.call(&["LMOVEM", "a", "b", from, to, "COUNT", "3", "BULK"]));
            let block: Vec<String> = if from == "LEFT" {
                ["1", "2", "3"]
            } else {
                ["2", "3", "4"]
            }
            .map(String::from)
            .to_vec();
            let mut want = block.clone();
            if to == "LEFT" {
                want.extend(["x", "y"].map(String::from));
            } else {
                want = ["x", "y"].map(String::from).to_vec();
                want.extend(block.clone());
            }
            assert_eq!(lrange(&mut r, "b"), want, "BULK {from} {to}");
            assert_eq!(got, block, "BULK {from} {to} reply");
        }
    }

    // COUNT past the length moves everything (the source goes); COUNT 0 moves nothing.
    set_list(&mut r, "a", &["1", "2"]);
    assert_eq!(
        strings(&r.call(&["LMOVEM", "a", "b", "RIGHT", "LEFT", "COUNT", "9", "OBO"])),
        ["1", "2"]
    );
    assert_eq!(r.call(&["EXISTS", "a"]), ":0\r\n");
    assert_eq!(
        r.call(&["LMOVEM", "b", "a", "LEFT", "LEFT", "COUNT", "0", "BULK"]),
        "*0\r\n"
    );
    assert_eq!(r.call(&["EXISTS", "a"]), ":0\r\n");
    // Without a count: one element, as LMOVE, as an array; a missing source: nil.
    assert_eq!(
        r.call(&["LMOVEM", "b", "b", "RIGHT", "LEFT"]),
        "*1\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        r.call(&["LMOVEM", "nosuch", "b", "LEFT", "LEFT"]),
        "*-1\r\n"
    );
    // The same key: everything leaves, then comes back (Redis's order).
    set_list(&mut r, "k", &["1", "2", "3", "4"]);
    assert_eq!(
        strings(&r.call(&["LMOVEM", "k", "k", "LEFT", "LEFT", "COUNT", "2", "OBO"])),
        ["2", "1"]
    );
    assert_eq!(lrange(&mut r, "k"), ["2", "1", "3", "4"]);

    // Errors.
    r.call(&["SET", "str", "x"]);
    for (argv, want) in [
        (
            &["LMOVEM", "k", "b", "LEFT"][..],
            "-ERR wrong number of arguments for 'lmovem' command\r\n",
        ),
        (&["LMOVEM", "k", "b", "UP", "LEFT"], "-ERR syntax error\r\n"),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "COUNT", "2"],
            "-ERR syntax error\r\n",
        ),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "COUNT", "2", "ALL"],
            "-ERR syntax error\r\n",
        ),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "SOME", "2", "OBO"],
            "-ERR syntax error\r\n",
        ),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "COUNT", "2", "OBO", "X"],
            "-ERR syntax error\r\n",
        ),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "COUNT", "-1", "OBO"],
            "-ERR value is out of range, must be positive\r\n",
        ),
        (
            &["LMOVEM", "k", "b", "LEFT", "LEFT", "EXACTLY", "x", "OBO"],
            "-ERR value is out of range, must be positive\r\n",
        ),
        (
            &["LMOVEM", "str", "b", "LEFT", "LEFT"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            &["LMOVEM", "k", "str", "LEFT", "LEFT", "COUNT", "2", "OBO"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
    ] {
        assert_eq!(r.call(argv), want, "{argv:?}");
    }
    assert_eq!(
        lrange(&mut r, "k"),
        ["2", "1", "3", "4"],
        "nothing moved by the errors"
    );
    let mut r3 = s.raw();
    r3.call(&["HELLO", "3"]);
    assert_eq!(r3.call(&["LMOVEM", "nosuch", "b", "LEFT", "LEFT"]), "_\r\n");
}

#[test]
fn blmovem_waits_for_enough_elements_and_replays_as_pops_and_pushes() {
    let dir = temp_dir("lmovem");
    let s = TestServer::start_in(dir.clone(), &["--appendonly", "yes"]);
    let mut r = s.raw();
    let mut b = s.raw();
    let wait_blocked = |r: &mut Raw, n: usize| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !r
            .call(&["INFO", "clients"])
            .contains(&format!("blocked_clients:{n}\r"))
        {
            assert!(Instant::now() < deadline, "never {n} blocked");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    // EXACTLY waits until the source holds enough; each push short of it leaves it waiting.
    r.call(&["RPUSH", "src", "1"]);
    b.send(&[
        "BLMOVEM", "src", "dst", "LEFT", "RIGHT", "0", "EXACTLY", "3", "BULK",
    ]);
    wait_blocked(&mut r, 1);
    r.call(&["RPUSH", "src", "2"]);
    std::thread::sleep(Duration::from_millis(20));
    assert!(r.call(&["INFO", "clients"]).contains("blocked_clients:1\r"));
    r.call(&["RPUSH", "src", "3", "4"]);
    assert_eq!(strings(&b.read()), ["1", "2", "3"]);
    assert_eq!(lrange(&mut r, "src"), ["4"]);
    // COUNT waits only while the source is empty.
    b.send(&[
        "BLMOVEM", "empty", "dst", "RIGHT", "LEFT", "0", "COUNT", "5", "OBO",
    ]);
    wait_blocked(&mut r, 1);
    r.call(&["RPUSH", "empty", "a", "b"]);
    assert_eq!(strings(&b.read()), ["a", "b"]);
    // A timeout answers nil; inside MULTI it does not wait.
    assert_eq!(
        b.call(&["BLMOVEM", "none", "dst", "LEFT", "LEFT", "0.05", "COUNT", "1", "OBO"]),
        "*-1\r\n"
    );
    b.call(&["MULTI"]);
    b.call(&[
        "BLMOVEM", "none", "dst", "LEFT", "LEFT", "0", "EXACTLY", "1", "OBO",
    ]);
    assert_eq!(b.call(&["EXEC"]), "*1\r\n*-1\r\n");
    r.call(&[
        "LMOVEM", "dst", "src", "LEFT", "RIGHT", "COUNT", "2", "BULK",
    ]);
    let before = (lrange(&mut r, "src"), lrange(&mut r, "dst"));
    drop((r, b));
    let dir = s.stop();
    // Propagated as pops and pushes, which Redis 7 replays.
    let aof = aof_text(&dir);
    assert!(!aof.to_ascii_uppercase().contains("LMOVEM"), "{aof}");
    assert!(aof.contains("LPOP") && aof.contains("RPUSH"), "{aof}");
    let s2 = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r2 = s2.raw();
    assert_eq!((lrange(&mut r2, "src"), lrange(&mut r2, "dst")), before);
}

#[test]
fn increx_increments_within_bounds_and_sets_the_ttl() {
    let dir = temp_dir("increx");
    let s = TestServer::start_in(dir.clone(), &["--appendonly", "yes"]);
    let mut r = s.raw();
    let pair = |a: i64, b: i64| format!("*2\r\n:{a}\r\n:{b}\r\n");
    // BYINT 1 by default, from 0; the TTL is left alone without an expiration option.
    assert_eq!(r.call(&["INCREX", "n"]), pair(1, 1));
    r.call(&["SET", "c", "98", "EX", "1000"]);
    assert_eq!(
        r.call(&["INCREX", "c", "BYINT", "5", "UBOUND", "100"]),
        pair(98, 0)
    );
    assert_eq!(
        r.call(&["INCREX", "c", "BYINT", "5", "SATURATE", "UBOUND", "100"]),
        pair(100, 2)
    );
    assert_eq!(r.call(&["TTL", "c"]), ":1000\r\n");
    assert_eq!(
        r.call(&["INCREX", "c", "BYINT", "-300", "LBOUND", "-50", "SATURATE"]),
        pair(-50, -150)
    );
    // Past a bound already: never pulled toward it; back inside: applied.
    r.call(&["SET", "o", "200"]);
    assert_eq!(
        r.call(&["INCREX", "o", "BYINT", "100", "UBOUND", "50", "SATURATE"]),
        pair(200, 0)
    );
    assert_eq!(
        r.call(&["INCREX", "o", "BYINT", "-160", "UBOUND", "50"]),
        pair(40, -160)
    );
    // The type's limits: rejected, or saturated there.
    r.call(&["SET", "big", "9223372036854775806"]);
    assert_eq!(
        r.call(&["INCREX", "big", "BYINT", "5"]),
        pair(9223372036854775806, 0)
    );
    assert_eq!(
        r.call(&["INCREX", "big", "BYINT", "5", "SATURATE"]),
        pair(i64::MAX, 1)
    );
    // A rejected increment of a missing key creates nothing.
    assert_eq!(
        r.call(&["INCREX", "none", "BYINT", "20", "UBOUND", "10"]),
        pair(0, 0)
    );
    assert_eq!(r.call(&["EXISTS", "none"]), ":0\r\n");
    // TTLs: EX sets; ENX only when there is none; PERSIST removes.
    assert_eq!(r.call(&["INCREX", "t", "EX", "100"]), pair(1, 1));
    assert_eq!(r.call(&["TTL", "t"]), ":100\r\n");
    r.call(&["INCREX", "t", "EX", "5", "ENX"]);
    assert_eq!(r.call(&["TTL", "t"]), ":100\r\n");
    r.call(&["INCREX", "t", "PERSIST"]);
    assert_eq!(r.call(&["TTL", "t"]), ":-1\r\n");
    r.call(&["INCREX", "t", "PX", "50000", "ENX"]);
    let pttl: i64 = r.call(&["PTTL", "t"])[1..].trim().parse().unwrap();
    assert!((49_000..=50_000).contains(&pttl), "{pttl}");
    // BYFLOAT: bulk strings in RESP2, doubles in RESP3.
    assert_eq!(
        r.call(&["INCREX", "f", "BYFLOAT", "1.5", "UBOUND", "2.5", "SATURATE"]),
        "*2\r\n$3\r\n1.5\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(
        r.call(&["INCREX", "f", "BYFLOAT", "1.5", "UBOUND", "2.5", "SATURATE"]),
        "*2\r\n$3\r\n2.5\r\n$1\r\n1\r\n"
    );
    let mut r3 = s.raw();
    r3.call(&["HELLO", "3"]);
    assert_eq!(
        r3.call(&["INCREX", "f", "BYFLOAT", "-0.5"]),
        "*2\r\n,2\r\n,-0.5\r\n"
    );
    // Errors.
    r.call(&["SET", "s", "abc"]);
    r.call(&["RPUSH", "l", "x"]);
    for (argv, want) in [
        (
            &["INCREX", "x", "ENX"][..],
            "-ERR ENX flag requires an expiration\r\n",
        ),
        (
            &["INCREX", "x", "PERSIST", "EX", "10"],
            "-ERR syntax error\r\n",
        ),
        (
            &["INCREX", "x", "EX", "10", "PX", "10"],
            "-ERR syntax error\r\n",
        ),
        (&["INCREX", "x", "PERSIST", "ENX"], "-ERR syntax error\r\n"),
        (
            &["INCREX", "x", "BYINT", "1", "BYFLOAT", "1"],
            "-ERR syntax error\r\n",
        ),
        (&["INCREX", "x", "LBOUND"], "-ERR syntax error\r\n"),
        (&["INCREX", "x", "BOGUS"], "-ERR syntax error\r\n"),
        (
            &["INCREX", "x", "LBOUND", "5", "UBOUND", "1"],
            "-ERR LBOUND must be less than or equal to UBOUND\r\n",
        ),
        (
            &["INCREX", "x", "BYINT", "1.5"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["INCREX", "x", "BYFLOAT", "abc"],
            "-ERR value is not a valid float\r\n",
        ),
        (
            &["INCREX", "x", "UBOUND", "1.5"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["INCREX", "x", "EX", "0"],
            "-ERR invalid expire time in 'increx' command\r\n",
        ),
        (
            &["INCREX", "s"],
            "-ERR value is not an integer or out of range\r\n",
        ),
        (
            &["INCREX", "s", "BYFLOAT", "1"],
            "-ERR value is not a valid float\r\n",
        ),
        (
            &["INCREX", "l"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
    ] {
        assert_eq!(r.call(argv), want, "{argv:?}");
    }
    assert_eq!(r.call(&["EXISTS", "x"]), ":0\r\n");
    // Replayed from the AOF as SETs with the absolute expiry (or KEEPTTL), which Redis 7 has.
    let dump = |r: &mut Raw| {
        ["n", "c", "o", "big", "t", "f"]
            .iter()
            .map(|k| format!("{}{}", r.call(&["GET", k]), r.call(&["PEXPIRETIME", k])))
            .collect::<String>()
    };
    let before = dump(&mut r);
    drop((r, r3));
    let dir = s.stop();
    let aof = aof_text(&dir);
    assert!(!aof.to_ascii_uppercase().contains("INCREX"), "{aof}");
    let s2 = TestServer::start_in(dir, &["--appendonly", "yes"]);
    assert_eq!(dump(&mut s2.raw()), before);
}

#[test]
fn overwritten_and_type_changed_events() {
    let s = TestServer::start(&["--notify-keyspace-events", "KEgoc"]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["CONFIG", "GET", "notify-keyspace-events"]),
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$5\r\ngocKE\r\n"
    );
    let mut sub = s.raw();
    sub.call(&["PSUBSCRIBE", "__keyevent@0__:*"]);
    r.call(&["RPUSH", "l", "a"]);
    r.call(&["SADD", "set", "a"]);
    r.call(&["SET", "k", "1"]); // new: nothing
    r.call(&["SET", "k", "2"]); // overwritten
    r.call(&["INCR", "k"]); // in place: nothing
    r.call(&["SET", "l", "x"]); // overwritten, type_changed
    r.call(&["SINTERSTORE", "k", "set"]); // overwritten, type_changed
    r.call(&["MSET", "k", "v", "fresh", "v"]); // overwritten (k only)
    r.call(&["RPUSH", "l2", "a"]);
    r.call(&["RENAME", "l2", "k"]); // overwritten, type_changed
    r.call(&["COPY", "set", "k", "REPLACE"]); // overwritten, type_changed
    r.call(&["PUBLISH", "done", "1"]);
    let mut got = Vec::new();
    sub.set_timeout(Duration::from_secs(5));
    loop {
        let m = sub.read();
        let lines: Vec<&str> = m.lines().collect();
        // *4 $8 pmessage $n pattern $n channel $n payload
        let (chan, key) = (lines[6], lines[8]);
        let event = chan.trim_start_matches("__keyevent@0__:");
        if event == "overwritten" || event == "type_changed" {
            got.push(format!("{event} {key}"));
        }
        if chan == "__keyevent@0__:copy_to" {
            break;
        }
    }
    assert_eq!(
        got,
        [
            "overwritten k",
            "overwritten l",
            "type_changed l",
            "overwritten k",
            "type_changed k",
            "overwritten k",
            "type_changed k",
            "overwritten k",
            "type_changed k",
            "overwritten k",
            "type_changed k",
        ]
    );
    // Neither class is part of `A`; CONFIG GET shows `A` alone, as it does for `n`.
    r.call(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
    assert!(r
        .call(&["CONFIG", "GET", "notify-keyspace-events"])
        .ends_with("$3\r\nAKE\r\n"));
}

#[test]
fn subkey_notifications_name_the_hash_fields() {
    let s = TestServer::start(&["--notify-keyspace-events", "KEhSTIV"]);
    let mut r = s.raw();
    assert!(r
        .call(&["CONFIG", "GET", "notify-keyspace-events"])
        .ends_with("$7\r\nhKESTIV\r\n"));
    let mut sub = s.raw();
    sub.call(&["PSUBSCRIBE", "__sub*"]);
    sub.set_timeout(Duration::from_secs(5));
    // A pmessage's channel and payload, read by their lengths (a channel may hold a newline).
    let mut next = |n: usize| -> Vec<(String, String)> {
        (0..n)
            .map(|_| {
                let m = sub.read();
                let mut rest = m.as_str();
                let mut bulks = Vec::new();
                while let Some(at) = rest.find('$') {
                    let (len, tail) = rest[at + 1..].split_once("\r\n").unwrap();
                    let len: usize = len.parse().unwrap();
                    bulks.push(tail[..len].to_string());
                    rest = &tail[len + 2..];
                }
                (bulks[2].clone(), bulks[3].clone())
            })
            .collect()
    };
    r.call(&["HSET", "h", "f1", "v1", "f2", "v2", "f1", "v3"]);
    let list = "2:f1,2:f2,2:f1";
    assert_eq!(
        next(6),
        [
            ("__subkeyspace@0__:h".into(), format!("hset|{list}")),
            ("__subkeyevent@0__:hset".into(), format!("1:h|{list}")),
            ("__subkeyspaceitem@0__:h\nf1".into(), "hset".into()),
            ("__subkeyspaceitem@0__:h\nf2".into(), "hset".into()),
            ("__subkeyspaceitem@0__:h\nf1".into(), "hset".into()),
            ("__subkeyspaceevent@0__:hset|h".into(), list.into()),
        ]
    );
    // Only the fields a command changed; HEXPIRE's in the past become hdel.
    r.call(&["CONFIG", "SET", "notify-keyspace-events", "hS"]);
    r.call(&["HDEL", "h", "zz", "f2"]);
    r.call(&["HINCRBY", "h", "n", "1"]);
    r.call(&["HPEXPIRE", "h", "50", "FIELDS", "2", "n", "nope"]);
    r.call(&["HPERSIST", "h", "FIELDS", "1", "n"]);
    r.call(&["HPEXPIRE", "h", "20", "FIELDS", "1", "n"]);
    r.call(&["HSET", "h", "g", "1"]);
    let got: Vec<String> = next(7).into_iter().map(|(_, m)| m).collect();
    assert_eq!(
        got,
        [
            "hdel|2:f2",
            "hincrby|1:n",
            "hexpire|1:n",
            "hpersist|1:n",
            "hexpire|1:n",
            "hset|1:g",
            "hexpired|1:n",
        ]
    );
}

#[test]
fn compare_and_set_and_delete_as_redis_tests_them() {
    let dir = temp_dir("cas");
    let s = TestServer::start_in(dir.clone(), &["--appendonly", "yes"]);
    let mut r = s.raw();
    let bulk = |v: &str| format!("${}\r\n{v}\r\n", v.len());
    // DIGEST: XXH3-64 in 16 hex digits, leading zeros kept (Redis's string.tcl vector).
    r.call(&["SET", "foo", "v8lf0c11xh8ymlqztfd3eeq16kfn4sspw7fqmnuuq3k3t75em5wdizgcdw7uc26nnf961u2jkfzkjytls2kwlj7626sd"]);
    assert_eq!(r.call(&["DIGEST", "foo"]), bulk("00006c38adf31777"));
    assert_eq!(r.call(&["DIGEST", "none"]), "$-1\r\n");
    r.call(&["RPUSH", "l", "a"]);
    assert!(r.call(&["DIGEST", "l"]).starts_with("-WRONGTYPE"));
    r.call(&["SET", "i", "12345"]);
    r.call(&["SET", "t", "12345"]);
    assert_eq!(r.call(&["DIGEST", "i"]), r.call(&["DIGEST", "t"]));
    // IFNE / IFDEQ / IFDNE, with and without GET.
    r.call(&["SET", "k", "hello"]);
    let d = r.call(&["DIGEST", "k"]).lines().nth(1).unwrap().to_string();
    let wrong = format!("{:016x}", u64::from_str_radix(&d, 16).unwrap() ^ 1);
    assert_eq!(r.call(&["SET", "k", "w", "IFNE", "hello"]), "$-1\r\n");
    assert_eq!(r.call(&["SET", "k", "w", "IFDNE", &d]), "$-1\r\n");
    assert_eq!(
        r.call(&["SET", "k", "w", "IFDEQ", &wrong, "GET"]),
        bulk("hello")
    );
    assert_eq!(r.call(&["GET", "k"]), bulk("hello"));
    assert_eq!(
        r.call(&["SET", "k", "w", "IFDEQ", &d.to_uppercase()]),
        "+OK\r\n"
    );
    assert_eq!(
        r.call(&["SET", "k", "v", "IFDNE", &wrong, "GET", "EX", "100"]),
        bulk("w")
    );
    assert_eq!(r.call(&["TTL", "k"]), ":100\r\n");
    assert_eq!(r.call(&["SET", "k", "u", "IFNE", "other"]), "+OK\r\n");
    assert_eq!(r.call(&["TTL", "k"]), ":-1\r\n");
    // A missing key: IFNE / IFDNE create it, IFEQ / IFDEQ do not; the digest is not checked.
    assert_eq!(
        r.call(&["SET", "n1", "x", "IFDEQ", "1234567890"]),
        "$-1\r\n"
    );
    assert_eq!(
        r.call(&["SET", "n2", "x", "IFDNE", "1234567890"]),
        "+OK\r\n"
    );
    assert_eq!(r.call(&["SET", "n3", "x", "IFNE", "a", "GET"]), "$-1\r\n");
    assert_eq!(r.call(&["EXISTS", "n1", "n2", "n3"]), ":2\r\n");
    assert!(r
        .call(&["SET", "l", "x", "IFNE", "a"])
        .starts_with("-WRONGTYPE"));
    let bad = "-ERR digest must be exactly 16 hexadecimal characters\r\n";
    for digest in [&d[1..], &format!("0{d}"), "", "zzzzzzzzzzzzzzzz"] {
        assert_eq!(r.call(&["SET", "k", "x", "IFDEQ", digest]), bad);
        assert_eq!(r.call(&["DELEX", "k", "IFDNE", digest]), bad);
    }
    // DELEX.
    assert_eq!(r.call(&["DELEX", "k", "IFEQ", "nope"]), ":0\r\n");
    assert_eq!(r.call(&["DELEX", "k", "IFNE", "u"]), ":0\r\n");
    let du = r.call(&["DIGEST", "k"]).lines().nth(1).unwrap().to_string();
    assert_eq!(r.call(&["DELEX", "k", "IFDNE", &du]), ":0\r\n");
    assert_eq!(r.call(&["DELEX", "k", "IFDEQ", &du]), ":1\r\n");
    assert_eq!(r.call(&["DELEX", "i", "IFEQ", "12345"]), ":1\r\n");
    assert_eq!(r.call(&["DELEX", "none", "IFEQ", "x"]), ":0\r\n");
    assert_eq!(r.call(&["DELEX", "none"]), ":0\r\n");
    assert!(r.call(&["DELEX", "l", "IFEQ", "a"]).starts_with("-ERR"));
    assert_eq!(r.call(&["DELEX", "l"]), ":1\r\n");
    assert!(r
        .call(&["DELEX", "t", "IF", "x"])
        .starts_with("-ERR Invalid condition"));
    for argv in [
        &["DELEX", "t", "IFEQ"][..],
        &["DELEX", "t", "IFEQ", "a", "b"],
        &["DIGEST"],
        &["DIGEST", "a", "b"],
    ] {
        assert!(
            r.call(argv).contains("wrong number of arguments"),
            "{argv:?}"
        );
    }
    // Propagated as SET and DEL: Redis 7 replays them.
    let dump = |r: &mut Raw| {
        ["foo", "k", "n2", "t", "i", "l"]
            .iter()
            .map(|k| format!("{}{}", r.call(&["GET", k]), r.call(&["PEXPIRETIME", k])))
            .collect::<String>()
    };
    let before = dump(&mut r);
    drop(r);
    let dir = s.stop();
    let aof = aof_text(&dir).to_ascii_uppercase();
    assert!(
        !aof.contains("DELEX") && !aof.contains("IFEQ") && !aof.contains("IFD"),
        "{aof}"
    );
    let s2 = TestServer::start_in(dir, &["--appendonly", "yes"]);
    assert_eq!(dump(&mut s2.raw()), before);
}

mod idmp_model {
    //! Model-based: random XADD IDMP / IDMPAUTO / XDEL / XCFGSET IDMP-MAXSIZE with restarts
    //! from the AOF and AOF rewrites in between; every XADD's reply must be what a model of
    //! the idempotency memory (per producer, last MAXSIZE iids, cleared by a setting change)
    //! says: the original ID for a remembered iid, a new entry otherwise.

    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, VecDeque};

    #[derive(Debug, Clone)]
    enum Op {
        Add { pid: u8, iid: u8 },
        Auto { pid: u8, v: u8 },
        Del(u8),
        MaxSize(u8),
        Restart,
        Rewrite,
    }

    fn arb_op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0u8..3, 0u8..6).prop_map(|(pid, iid)| Op::Add { pid, iid }),
            3 => (0u8..2, 0u8..3).prop_map(|(pid, v)| Op::Auto { pid, v }),
            2 => any::<u8>().prop_map(Op::Del),
            1 => prop_oneof![Just(2u8), Just(3), Just(100)].prop_map(Op::MaxSize),
            1 => Just(Op::Restart),
            1 => Just(Op::Rewrite),
        ]
    }

    #[derive(Default)]
    struct Model {
        maxsize: u64,
        /// Per producer: (iid, id) oldest first.
        mem: HashMap<String, VecDeque<(String, String)>>,
        ids: Vec<String>,
        live: usize,
    }

    impl Model {
        fn lookup(&self, pid: &str, iid: &str) -> Option<String> {
            self.mem
                .get(pid)?
                .iter()
                .find(|(i, _)| i == iid)
                .map(|(_, id)| id.clone())
        }
        fn record(&mut self, pid: &str, iid: &str, id: &str) {
            let q = self.mem.entry(pid.to_string()).or_default();
            q.push_back((iid.to_string(), id.to_string()));
            while q.len() as u64 > self.maxsize {
                q.pop_front();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn idmp_dedup_follows_the_model_across_restarts(ops in proptest::collection::vec(arb_op(), 1..40)) {
            let mut s = TestServer::start(&["--appendonly", "yes"]);
            let mut r = s.raw();
            let mut m = Model { maxsize: 100, ..Model::default() };
            for op in &ops {
                match op {
                    Op::Add { pid, iid } | Op::Auto { pid, v: iid } => {
                        let auto = matches!(op, Op::Auto { .. });
                        let pid = format!("p{pid}");
                        let value = format!("v{iid}");
                        // IDMPAUTO's iid is the content: model it as the value.
                        let key_iid = if auto { format!("auto:{value}") } else { format!("i{iid}") };
                        let reply = if auto {
                            r.call(&["XADD", "s", "IDMPAUTO", &pid, "*", "f", &value])
                        } else {
                            r.call(&["XADD", "s", "IDMP", &pid, &key_iid, "*", "f", &value])
                        };
                        let got = bulk(&reply);
                        match m.lookup(&pid, &key_iid) {
                            Some(orig) => prop_assert_eq!(got, orig, "retry of {} {}", pid, key_iid),
                            None => {
                                prop_assert!(!m.ids.contains(&got), "a new entry: {}", got);
                                m.record(&pid, &key_iid, &got);
                                m.ids.push(got);
                                m.live += 1;
                            }
                        }
                    }
                    Op::Del(i) => {
                        if !m.ids.is_empty() {
                            let id = m.ids[*i as usize % m.ids.len()].clone();
                            let n: usize = r.call(&["XDEL", "s", &id]).trim_start_matches(':').trim().parse().unwrap();
                            m.live -= n;
                        }
                    }
                    Op::MaxSize(n) => {
                        if m.ids.is_empty() {
                            continue;
                        }
                        prop_assert_eq!(r.call(&["XCFGSET", "s", "IDMP-MAXSIZE", &n.to_string()]), "+OK\r\n");
                        if *n as u64 != m.maxsize {
                            m.mem.clear();
                            m.maxsize = *n as u64;
                        }
                    }
                    Op::Restart | Op::Rewrite => {
                        if matches!(op, Op::Rewrite) {
                            r.call(&["BGREWRITEAOF"]);
                            wait_rewrite(&mut r);
                        }
                        drop(r);
                        let dir = s.stop();
                        s = TestServer::start_in(dir, &["--appendonly", "yes"]);
                        r = s.raw();
                    }
                }
                let len = r.call(&["XLEN", "s"]);
                prop_assert_eq!(len, format!(":{}\r\n", m.live));
            }
        }
    }
}
