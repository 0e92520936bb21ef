//! AOF interop and recovery: an AOF directory written by sluice loads in redis-server with the
//! same data (streams, groups, pending entries, lists, strings, TTLs), one written by
//! redis-server (`--aof-use-rdb-preamble no`) loads in sluice likewise, and sluice restarts
//! from its own AOF with identical state.

use redis_compat::*;
use std::path::{Path, PathBuf};

/// A workload touching every propagated effect: XADD `*` and trims, groups, deliveries, acks,
/// claims, blocking-pop effects, relative expiries, floats, transactions.
fn workload(c: &mut Conn) {
    let cmds: &[&[&str]] = &[
        &["XADD", "ev", "*", "sensor", "1", "t", "19.8"],
        &["XADD", "ev", "*", "sensor", "2", "t", "20.1"],
        &["XADD", "ev", "5000000000000-0", "sensor", "3"],
        &["XADD", "ev", "5000000000000-*", "sensor", "4"],
        &["XADD", "ev", "MAXLEN", "~", "100", "*", "sensor", "5"],
        &["XGROUP", "CREATE", "ev", "workers", "0"],
        &["XGROUP", "CREATE", "ev", "audit", "$", "MKSTREAM"],
        &["XGROUP", "CREATE", "jobs", "g", "$", "MKSTREAM"],
        &[
            "XREADGROUP",
            "GROUP",
            "workers",
            "alice",
            "COUNT",
            "2",
            "STREAMS",
            "ev",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "workers",
            "bob",
            "COUNT",
            "2",
            "STREAMS",
            "ev",
            ">",
        ],
        &["XACK", "ev", "workers", "5000000000000-0"],
        &[
            "XCLAIM",
            "ev",
            "workers",
            "carol",
            "0",
            "5000000000000-1",
            "RETRYCOUNT",
            "5",
        ],
        &[
            "XAUTOCLAIM",
            "ev",
            "workers",
            "dave",
            "0",
            "0",
            "COUNT",
            "1",
        ],
        &["XGROUP", "CREATECONSUMER", "ev", "workers", "idle-one"],
        &["XDEL", "ev", "5000000000000-0"],
        &["XADD", "trimmed", "1-0", "a", "1"],
        &["XADD", "trimmed", "2-0", "a", "2"],
        &["XADD", "trimmed", "3-0", "a", "3"],
        &["XTRIM", "trimmed", "MAXLEN", "1"],
        &[
            "XSETID",
            "trimmed",
            "9-0",
            "ENTRIESADDED",
            "10",
            "MAXDELETEDID",
            "5-0",
        ],
        &["RPUSH", "queue", "j1", "j2", "j3", "j4"],
        &["LPOP", "queue"],
        &["BRPOP", "queue", "1"],
        &["BLMOVE", "queue", "processing", "LEFT", "RIGHT", "1"],
        &["LMOVE", "queue", "processing", "LEFT", "LEFT"],
        &["SET", "lock", "owner", "EX", "1000"],
        &["SET", "counter", "10"],
        &["INCRBY", "counter", "5"],
        &["INCRBYFLOAT", "price", "1.5"],
        &["SETEX", "session", "5000", "x"],
        &["SET", "gone", "1"],
        &["DEL", "gone"],
        &["MULTI"],
        &["INCR", "counter"],
        &["RPUSH", "queue", "j5"],
        &["EXEC"],
        &[
            "HSET", "job:1", "state", "queued", "tries", "0", "payload", "{}",
        ],
        &["HINCRBY", "job:1", "tries", "1"],
        &["HINCRBYFLOAT", "job:1", "score", "0.25"],
        &["HSETNX", "job:1", "state", "ignored"],
        &["HDEL", "job:1", "payload"],
        &["HMSET", "job:2", "a", "1", "b", "2"],
        &["HDEL", "job:2", "a", "b"],
        &["HSET", "wide", "f", &"x".repeat(100)],
        &["HSET", "wide", "g", "1"],
        &["SADD", "tags", "a", "b", "c", "1"],
        &["SADD", "ids", "1", "2", "3", "100000"],
        &["SREM", "tags", "b"],
        &["SPOP", "ids"],
        &["SMOVE", "tags", "tags2", "a"],
        &["SADD", "wideset", "m", &"x".repeat(100)],
        &["SUNIONSTORE", "all", "tags", "ids", "wideset"],
        &["SINTERSTORE", "both", "tags", "ids"],
        &[
            "ZADD", "delayed", "100", "job:a", "200", "job:b", "150", "job:c",
        ],
        &["ZINCRBY", "delayed", "0.5", "job:a"],
        &["ZADD", "delayed", "XX", "GT", "CH", "300", "job:b"],
        &["ZREM", "delayed", "job:c"],
        &["ZADD", "bigz", "1", &"m".repeat(100), "2", "short"],
        &["ZPOPMAX", "bigz"],
        &["ZADD", "popped", "1", "x", "2", "y"],
        &["ZMPOP", "1", "popped", "MAX", "COUNT", "5"],
        &[
            "ZUNIONSTORE",
            "zall",
            "2",
            "delayed",
            "tags",
            "WEIGHTS",
            "2",
            "1",
        ],
        &["ZADD", "zq", "5", "e"],
        &["BZPOPMIN", "zq", "0"],
        &["SADD", "gone-set", "z"],
        &["SPOP", "gone-set", "3"],
        // Function libraries: FUNCTION LOAD/DELETE propagate as they are, FCALL as its effects.
        &["FUNCTION", "LOAD", "#!lua name=jobs\nredis.register_function('enqueue', function(keys, args) return redis.call('rpush', keys[1], args[1]) end)"],
        &["FCALL", "enqueue", "1", "fq", "job-1"],
        &["FUNCTION", "LOAD", "REPLACE", "#!lua name=jobs\nredis.register_function{function_name='enqueue', callback=function(keys, args) return redis.call('lpush', keys[1], args[1]) end, flags={'allow-oom'}, description='push a job'}"],
        &["FCALL", "ENQUEUE", "1", "fq", "job-2"],
        &["FUNCTION", "LOAD", "#!lua name=temp\nredis.register_function('t', function() return 1 end)"],
        &["FUNCTION", "DELETE", "temp"],
        &["FUNCTION", "LOAD", "#!lua name=stats\nredis.register_function{function_name='depth', callback=function(keys) return redis.call('llen', keys[1]) end, flags={'no-writes'}}"],
        &["SELECT", "3"],
        &["SET", "in-db3", "yes"],
        &["PEXPIREAT", "in-db3", "99999999999999"],
        &["SELECT", "0"],
    ];
    for cmd in cmds {
        let r = c.call(cmd).unwrap();
        assert!(!r.starts_with(b"-"), "{cmd:?} failed: {}", show(&r));
    }
}

/// Redis 8.2/8.4 stream commands, 8.10 LMOVEM / BLMOVEM and 8.8 INCREX (sluice only: no
/// oracle has them), which propagate as Redis 7 ones (XDEL, XACK, exact trims, XCLAIM; pops
/// and pushes; SET with PXAT or KEEPTTL), so their AOF still loads in redis-server 7.
fn workload_redis8(c: &mut Conn) {
    let cmds: &[&[&str]] = &[
        &["RPUSH", "q8", "1", "2", "3", "4", "5", "6", "7"],
        &["RPUSH", "q8b", "a", "b"],
        &["LMOVEM", "q8", "q8b", "LEFT", "LEFT", "COUNT", "2", "OBO"],
        &[
            "LMOVEM", "q8", "q8b", "RIGHT", "RIGHT", "COUNT", "2", "BULK",
        ],
        &["LMOVEM", "q8b", "q8b", "LEFT", "LEFT", "COUNT", "3", "BULK"],
        &["LMOVEM", "q8b", "q8b", "RIGHT", "LEFT", "COUNT", "2", "OBO"],
        &[
            "BLMOVEM", "q8", "q8c", "LEFT", "RIGHT", "0", "EXACTLY", "2", "BULK",
        ],
        &["LMOVEM", "q8", "q8d", "LEFT", "LEFT"],
        &["INCREX", "i8", "BYINT", "5", "EX", "1000"],
        &[
            "INCREX", "i8", "BYINT", "100", "UBOUND", "50", "SATURATE", "EX", "5", "ENX",
        ],
        &["INCREX", "i8b", "BYFLOAT", "2.5", "PXAT", "4102444800000"],
        &["INCREX", "i8b", "PERSIST", "BYFLOAT", "0.25"],
        &["XADD", "r8", "1-0", "f", "1"],
        &["XADD", "r8", "2-0", "f", "2"],
        &["XADD", "r8", "3-0", "f", "3"],
        &["XADD", "r8", "4-0", "f", "4"],
        &["XADD", "r8", "5-0", "f", "5"],
        &["XGROUP", "CREATE", "r8", "a", "0"],
        &["XGROUP", "CREATE", "r8", "b", "0"],
        &[
            "XREADGROUP",
            "GROUP",
            "a",
            "x",
            "COUNT",
            "4",
            "STREAMS",
            "r8",
            ">",
        ],
        &[
            "XREADGROUP",
            "GROUP",
            "b",
            "y",
            "COUNT",
            "2",
            "STREAMS",
            "r8",
            ">",
        ],
        &["XACKDEL", "r8", "a", "ACKED", "IDS", "2", "1-0", "3-0"],
        &["XACKDEL", "r8", "b", "ACKED", "IDS", "1", "1-0"],
        &["XDELEX", "r8", "DELREF", "IDS", "1", "2-0"],
        &[
            "XREADGROUP",
            "GROUP",
            "a",
            "z",
            "CLAIM",
            "0",
            "STREAMS",
            "r8",
            ">",
        ],
        &["XTRIM", "r8", "MINID", "5", "DELREF"],
        &["XADD", "r8", "MAXLEN", "1", "ACKED", "6-0", "f", "6"],
        // An ACKED trim that keeps a pending entry and deletes past it (XDEL + XSETID).
        &["XADD", "r8", "7-0", "f", "7"],
        &["XADD", "r8", "8-0", "f", "8"],
        &["XREADGROUP", "GROUP", "a", "x", "STREAMS", "r8", ">"],
        &["XREADGROUP", "GROUP", "b", "y", "STREAMS", "r8", ">"],
        &["XACK", "r8", "a", "6-0", "8-0"],
        &["XACK", "r8", "b", "6-0", "8-0"],
        &["XTRIM", "r8", "MAXLEN", "0", "ACKED"],
        // Both groups read to the end: lag 0 under 7.0's rules and 7.4's alike.
        &["XREADGROUP", "GROUP", "a", "x", "STREAMS", "r8", ">"],
        &["XREADGROUP", "GROUP", "b", "y", "STREAMS", "r8", ">"],
    ];
    for cmd in cmds {
        let r = c.call(cmd).unwrap();
        assert!(!r.starts_with(b"-"), "{cmd:?} failed: {}", show(&r));
    }
}

/// A canonical dump of everything the workload wrote, through commands both servers answer
/// the same way. `full` adds XINFO STREAM FULL (exact delivery times and counts), for
/// sluice-to-sluice comparisons.
fn dump(c: &mut Conn, full: bool) -> String {
    let mut out = String::new();
    for db in ["0", "3"] {
        c.call(&["SELECT", db]).unwrap();
        let keys = c.call(&["KEYS", "*"]).unwrap();
        let (f, _) = parse_frame(&keys);
        let mut names: Vec<String> = match f {
            Frame::Agg(_, Some(v)) => v
                .into_iter()
                .filter_map(|x| match x {
                    Frame::Bulk(_, Some(b)) => Some(String::from_utf8(b).unwrap()),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        names.sort();
        for k in names {
            let t = c.call(&["TYPE", &k]).unwrap();
            out.push_str(&format!("db{db} {k} {}", show(&t)));
            let pexp = c.call(&["PEXPIRETIME", &k]).unwrap();
            // Relative expiries were propagated as absolute ones: equal to the millisecond.
            out.push_str(&format!(" pexpiretime={}", show(&pexp)));
            let body: Vec<Vec<String>> = match &t[..] {
                b"+string\r\n" => vec![vec!["GET".into(), k.clone()]],
                b"+list\r\n" => vec![vec!["LRANGE".into(), k.clone(), "0".into(), "-1".into()]],
                b"+hash\r\n" => vec![
                    vec!["HGETALL".into(), k.clone()],
                    vec!["OBJECT".into(), "ENCODING".into(), k.clone()],
                ],
                b"+zset\r\n" => {
                    let mut v = vec![vec![
                        "ZRANGE".into(),
                        k.clone(),
                        "0".into(),
                        "-1".into(),
                        "WITHSCORES".into(),
                    ]];
                    if full {
                        v.push(vec!["OBJECT".into(), "ENCODING".into(), k.clone()]);
                    }
                    v
                }
                b"+set\r\n" => {
                    let mut v = vec![vec!["SMEMBERS".into(), k.clone()]];
                    // Redis 7.0 has no listpack sets: encodings only between sluices.
                    if full {
                        v.push(vec!["OBJECT".into(), "ENCODING".into(), k.clone()]);
                    }
                    v
                }
                b"+stream\r\n" => {
                    let mut v = vec![
                        vec!["XRANGE".into(), k.clone(), "-".into(), "+".into()],
                        vec!["XINFO".into(), "STREAM".into(), k.clone()],
                        vec!["XINFO".into(), "GROUPS".into(), k.clone()],
                    ];
                    for g in ["workers", "audit", "g"] {
                        v.push(vec!["XPENDING".into(), k.clone(), g.into()]);
                        v.push(vec![
                            "XPENDING".into(),
                            k.clone(),
                            g.into(),
                            "-".into(),
                            "+".into(),
                            "100".into(),
                        ]);
                    }
                    if full {
                        v.push(vec![
                            "XINFO".into(),
                            "STREAM".into(),
                            k.clone(),
                            "FULL".into(),
                        ]);
                    }
                    v
                }
                _ => vec![],
            };
            for cmd in body {
                let argv: Vec<Vec<u8>> = cmd.iter().map(|s| s.as_bytes().to_vec()).collect();
                let mut r = c.call(&argv).unwrap();
                if cmd[0] == "HGETALL" || cmd[0] == "SMEMBERS" {
                    // A hashtable's order is its own: compare the pairs sorted.
                    let mut b = Vec::new();
                    serialize(&sorted(parse_frame(&r).0), &mut b);
                    r = b;
                }
                if cmd[0] == "XPENDING" && cmd.len() > 3 || (cmd[0] == "XINFO" && cmd.len() == 3) {
                    r = normalize(&argv, r);
                }
                if cmd[0] == "XINFO" {
                    r = drop_fields(&r, XINFO_REDIS8_FIELDS);
                }
                if full && cmd.len() == 4 {
                    // Keep delivery times exact; only the consumers' clocks are zeroed.
                    r = zero_named(&r, &[b"seen-time", b"active-time", b"radix-tree-nodes"]);
                }
                out.push_str(&format!("\n  {} => {}", cmd.join(" "), show(&r)));
            }
            out.push('\n');
        }
    }
    c.call(&["SELECT", "0"]).unwrap();
    // The libraries (each has one function, so only the libraries' order is the server's).
    let libs = c.call(&["FUNCTION", "LIST", "WITHCODE"]).unwrap();
    let mut b = Vec::new();
    serialize(&sorted(parse_frame(&libs).0), &mut b);
    out.push_str(&format!("FUNCTION LIST WITHCODE => {}\n", show(&b)));
    let depth = c.call(&["FCALL_RO", "depth", "1", "fq"]).unwrap();
    out.push_str(&format!("FCALL_RO depth 1 fq => {}\n", show(&depth)));
    out
}

/// Zeroes the integer values that follow the given map keys.
fn zero_named(reply: &[u8], names: &[&[u8]]) -> Vec<u8> {
    fn walk(f: &mut Frame, names: &[&[u8]]) {
        if let Frame::Agg(_, Some(v)) = f {
            for i in 0..v.len() {
                let hit = matches!(&v[i], Frame::Bulk(_, Some(k)) if names.contains(&k.as_slice()));
                if hit && i + 1 < v.len() {
                    v[i + 1] = Frame::Simple(b':', b"0".to_vec());
                }
                walk(&mut v[i], names);
            }
        }
    }
    let (mut f, _) = parse_frame(reply);
    walk(&mut f, names);
    let mut out = Vec::new();
    serialize(&f, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn aof_dir(s: &Server) -> PathBuf {
    s.dir.join("appendonlydir")
}

#[test]
fn sluice_aof_restarts_and_loads_in_redis() {
    let mut s = Server::start(
        Kind::Sluice,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let mut c = s.conn();
    workload(&mut c);
    workload_redis8(&mut c);
    let before_full = dump(&mut c, true);
    let before = dump(&mut c, false);
    assert_eq!(s.terminate(), Some(0), "SIGTERM must exit 0");
    let saved = std::env::temp_dir().join(format!("aof-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&saved);
    copy_dir(&aof_dir(&s), &saved.join("appendonlydir"));

    // sluice again, from its own AOF.
    let s2 = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], s.dir.clone());
    std::mem::forget(s); // its directory now belongs to s2
    let mut c2 = s2.conn();
    assert_eq!(
        dump(&mut c2, true),
        before_full,
        "sluice must restart to the same state"
    );

    // redis-server from sluice's AOF directory.
    let redis_dir = saved.join("redis");
    copy_dir(
        &saved.join("appendonlydir"),
        &redis_dir.join("appendonlydir"),
    );
    let r = Server::start_in(Kind::Redis, &["--appendonly", "yes"], redis_dir);
    let mut cr = r.conn();
    assert_eq!(
        dump(&mut cr, false),
        before,
        "redis-server must load sluice's AOF to the same data"
    );
    println!(
        "aof interop: sluice -> sluice and sluice -> redis-server identical ({} bytes of dump)",
        before.len()
    );
}

#[test]
fn redis_aof_loads_in_sluice() {
    let mut r = Server::start(
        Kind::Redis,
        &[
            "--appendonly",
            "yes",
            "--aof-use-rdb-preamble",
            "no",
            "--appendfsync",
            "always",
        ],
    );
    let mut c = r.conn();
    workload(&mut c);
    r.terminate();
    let dir = std::env::temp_dir().join(format!("aof-from-redis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&r.dir.join("appendonlydir"), &dir.join("appendonlydir"));
    // The reference is what redis-server itself rebuilds from that AOF: Redis 7.0 logs
    // XREADGROUP as XCLAIMs without ENTRIESREAD, so even Redis forgets a group's read
    // counter across a reload, and sluice must rebuild exactly that.
    let reloaded = Server::start_in(Kind::Redis, &["--appendonly", "yes"], r.dir.clone());
    std::mem::forget(r);
    let mut cr = reloaded.conn();
    let expected = dump(&mut cr, false);
    let s = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
    let mut cs = s.conn();
    assert_eq!(
        dump(&mut cs, false),
        expected,
        "sluice must load redis-server's AOF to the same data"
    );
    println!("aof interop: redis-server -> sluice identical");
}

#[test]
fn aof_moved_back_and_forth_keeps_loading_with_checksums() {
    // sluice writes (checksummed), redis-server appends (unannotated), sluice loads, certifies
    // redis's records and appends, and both servers load the result.
    let mut s = Server::start(Kind::Sluice, &["--appendonly", "yes"]);
    let mut c = s.conn();
    workload(&mut c);
    c.call(&["RPUSH", "pp", "sluice-1"]).unwrap();
    s.terminate();
    let dir = s.dir.clone();
    std::mem::forget(s);
    let mut r = Server::start_in(Kind::Redis, &["--appendonly", "yes"], dir.clone());
    r.conn().call(&["RPUSH", "pp", "redis-2"]).unwrap();
    r.terminate();
    std::mem::forget(r);
    let mut s = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir.clone());
    s.conn().call(&["RPUSH", "pp", "sluice-3"]).unwrap();
    let expected = dump(&mut s.conn(), false);
    s.terminate();
    std::mem::forget(s);
    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    let out = std::process::Command::new(sluice_bin())
        .arg("check-aof")
        .arg(&manifest)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    let saved = std::env::temp_dir().join(format!("aof-pingpong-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&saved);
    copy_dir(&dir.join("appendonlydir"), &saved.join("appendonlydir"));
    let s = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
    assert_eq!(dump(&mut s.conn(), false), expected);
    let r = Server::start_in(Kind::Redis, &["--appendonly", "yes"], saved);
    assert_eq!(dump(&mut r.conn(), false), expected);
    assert_eq!(
        s.conn().call(&["LRANGE", "pp", "0", "-1"]).unwrap(),
        b"*3\r\n$8\r\nsluice-1\r\n$7\r\nredis-2\r\n$8\r\nsluice-3\r\n"
    );
    println!("aof interop: sluice -> redis -> sluice in one AOF, checksums valid, both load it");
}

#[test]
fn bgrewriteaof_keeps_state_and_loads_everywhere() {
    let mut s = Server::start(
        Kind::Sluice,
        &["--appendonly", "yes", "--appendfsync", "everysec"],
    );
    let mut c = s.conn();
    workload(&mut c);
    // Bulk so the rewrite has something to chew on while writes continue.
    for i in 0..2000 {
        c.call(&["XADD", "bulk", "*", "i", &i.to_string()]).unwrap();
    }
    assert_eq!(
        c.call(&["BGREWRITEAOF"]).unwrap(),
        b"+Background append only file rewriting started\r\n"
    );
    // Writes during the rewrite land in the new incr file.
    for i in 0..200 {
        c.call(&["RPUSH", "during", &i.to_string()]).unwrap();
    }
    let mut done = false;
    for _ in 0..500 {
        if c.info_field("persistence", "aof_rewrite_in_progress")
            .unwrap()
            == "0"
            && c.info_field("persistence", "aof_rewrites").unwrap() == "1"
        {
            done = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(done, "the rewrite must finish");
    assert_eq!(
        c.info_field("persistence", "aof_last_bgrewrite_status")
            .unwrap(),
        "ok"
    );
    c.call(&["RPUSH", "after", "x"]).unwrap();
    let manifest = std::fs::read_to_string(aof_dir(&s).join("appendonly.aof.manifest")).unwrap();
    assert!(
        manifest.starts_with("file appendonly.aof.2.base.aof seq 2 type b\n"),
        "{manifest}"
    );
    assert!(
        !aof_dir(&s).join("appendonly.aof.1.incr.aof").exists(),
        "replaced files are removed"
    );
    let before_full = dump(&mut c, true);
    let before = dump(&mut c, false);
    assert_eq!(s.terminate(), Some(0));
    let saved = std::env::temp_dir().join(format!("aof-rewrite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&saved);
    copy_dir(&aof_dir(&s), &saved.join("redis/appendonlydir"));
    let s2 = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], s.dir.clone());
    std::mem::forget(s);
    assert_eq!(
        dump(&mut s2.conn(), true),
        before_full,
        "sluice restarts from the rewritten AOF"
    );
    let r = Server::start_in(Kind::Redis, &["--appendonly", "yes"], saved.join("redis"));
    assert_eq!(
        dump(&mut r.conn(), false),
        before,
        "redis-server loads the rewritten AOF"
    );
    println!("aof rewrite: base seq 2 installed, writes during the rewrite kept, loads in sluice and redis-server");
}

/// Polls a loading server on `port` until it serves: whether it answered -LOADING, whether
/// some INFO persistence seen meanwhile satisfied `progress`, and whether all 3000 keys were
/// there once it served.
fn watch_loading(port: u16, progress: impl Fn(&str) -> bool) -> (bool, bool, bool) {
    let (mut saw_loading, mut saw_progress, mut served) = (false, false, false);
    for _ in 0..1000 {
        if let Ok(mut c) = Conn::connect(port) {
            let r = c.call(&["PING"]).unwrap_or_default();
            if r == b"-LOADING Redis is loading the dataset in memory\r\n" {
                saw_loading = true;
                let info = String::from_utf8_lossy(&c.call(&["INFO", "persistence"]).unwrap())
                    .into_owned();
                saw_progress |= progress(&info);
            } else if r == b"+PONG\r\n" {
                served = c.call(&["DBSIZE"]).unwrap() == b":3000\r\n";
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (saw_loading, saw_progress, served)
}

#[test]
fn loading_answers_loading_reports_progress_then_serves() {
    let dir = std::env::temp_dir().join(format!("aof-loading-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let aof = dir.join("appendonlydir");
    std::fs::create_dir_all(&aof).unwrap();
    std::fs::write(aof.join("appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n").unwrap();
    std::fs::write(aof.join("appendonly.aof.1.base.aof"), b"").unwrap();
    let mut log = encode(&["SELECT", "0"]);
    for i in 0..3000 {
        log.extend(encode(&["SET", &format!("key:{i}"), "value"]));
    }
    std::fs::write(aof.join("appendonly.aof.1.incr.aof"), &log).unwrap();
    let port = free_port();
    let logfile = dir.join("sluice.log");
    let mut child = std::process::Command::new(sluice_bin())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--key-load-delay",
            "1000",
            "--dir",
        ])
        .arg(&dir)
        .arg("--logfile")
        .arg(&logfile)
        .spawn()
        .unwrap();
    let (saw_loading, saw_info, served) = watch_loading(port, |info| {
        info.contains("loading:1")
            && info.contains("loading_loaded_perc:")
            && info.contains("loading_eta_seconds:")
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(saw_loading, "clients must get -LOADING while the AOF loads");
    assert!(saw_info, "INFO persistence must report loading progress");
    assert!(served, "after loading every key is there");
    let logtext = std::fs::read_to_string(&logfile).unwrap_or_default();
    assert!(
        logtext.contains("Loading AOF:") && logtext.contains("MB/s"),
        "progress is logged: {logtext}"
    );
    println!(
        "aof loading: -LOADING and INFO progress while loading 3000 commands, then all keys served"
    );
}

#[test]
fn info_times_the_rewrite_as_redis_does() {
    for kind in [Kind::Sluice, Kind::Redis] {
        let s = Server::start(kind, &["--appendonly", "yes"]);
        let mut c = s.conn();
        let field = |c: &mut Conn, f: &str| -> i64 {
            c.info_field("persistence", f).unwrap().parse().unwrap()
        };
        assert_eq!(field(&mut c, "aof_last_rewrite_time_sec"), -1, "{kind:?}");
        assert_eq!(
            field(&mut c, "aof_current_rewrite_time_sec"),
            -1,
            "{kind:?}"
        );
        // Enough keys that the rewrite is seen running.
        c.pipeline(
            300_000,
            |i| vec!["SET".into(), format!("key:{i}"), "value".into()],
            drop,
        )
        .unwrap();
        assert_eq!(
            c.call(&["BGREWRITEAOF"]).unwrap(),
            b"+Background append only file rewriting started\r\n"
        );
        let (mut running, t) = (0, std::time::Instant::now());
        loop {
            assert!(t.elapsed() < std::time::Duration::from_secs(60), "{kind:?}");
            // One INFO for both fields: the rewrite may end between two.
            let info = c.call(&["INFO", "persistence"]).unwrap();
            let info = String::from_utf8_lossy(&info);
            let get = |f: &str| -> i64 { info_value(&info, f).unwrap().parse().unwrap() };
            if get("aof_rewrite_in_progress") == 1 {
                let secs = get("aof_current_rewrite_time_sec");
                assert!(secs >= 0, "{kind:?}: {secs} while a rewrite runs");
                running += 1;
            } else if get("aof_rewrites") >= 1 {
                break;
            }
        }
        assert!(running > 0, "{kind:?}: the rewrite was never seen running");
        assert_eq!(
            field(&mut c, "aof_current_rewrite_time_sec"),
            -1,
            "{kind:?}"
        );
        assert!(field(&mut c, "aof_last_rewrite_time_sec") >= 0, "{kind:?}");
    }
}

fn bulk(reply: &[u8]) -> Vec<u8> {
    match parse_frame(reply).0 {
        Frame::Bulk(_, Some(b)) => b,
        _ => panic!("not a bulk string: {}", show(reply)),
    }
}

/// FUNCTION DUMP payloads move between servers: Redis's and Valkey's (a long library, which
/// Redis stores LZF-compressed) restore in sluice, and sluice's restore in both.
#[test]
fn function_dump_payloads_move_between_servers() {
    let code = format!(
        "#!lua name=big\n{}redis.register_function('big', function() return 'big' end)",
        "-- padding padding padding padding padding\n".repeat(20)
    );
    let mine = "#!lua name=mine\nredis.register_function('mine', function() return 7 end)";
    for kind in [Kind::Redis, Kind::Valkey] {
        let o = Server::start(kind, &[]);
        let s = Server::start(Kind::Sluice, &[]);
        let (mut co, mut cs) = (o.conn(), s.conn());
        assert_eq!(
            co.call(&["FUNCTION", "LOAD", &code]).unwrap(),
            b"$3\r\nbig\r\n"
        );
        let payload = bulk(&co.call(&["FUNCTION", "DUMP"]).unwrap());
        if kind == Kind::Redis {
            assert_eq!(payload[1], 0xc3, "Redis compresses the code with LZF");
        }
        let restore = |c: &mut Conn, p: &[u8]| {
            c.call(&[&b"FUNCTION"[..], b"RESTORE", p, b"REPLACE"])
                .unwrap()
        };
        assert_eq!(
            restore(&mut cs, &payload),
            b"+OK\r\n",
            "{} -> sluice",
            kind.name()
        );
        assert_eq!(cs.call(&["FCALL", "big", "0"]).unwrap(), b"$3\r\nbig\r\n");
        let listed = cs.call(&["FUNCTION", "LIST", "WITHCODE"]).unwrap();
        assert!(
            listed.windows(code.len()).any(|w| w == code.as_bytes()),
            "the code comes back whole"
        );
        assert_eq!(
            cs.call(&["FUNCTION", "LOAD", mine]).unwrap(),
            b"$4\r\nmine\r\n"
        );
        let ours = bulk(&cs.call(&["FUNCTION", "DUMP"]).unwrap());
        assert_eq!(
            restore(&mut co, &ours),
            b"+OK\r\n",
            "sluice -> {}",
            kind.name()
        );
        assert_eq!(co.call(&["FCALL", "mine", "0"]).unwrap(), b":7\r\n");
        let mut bad = ours.clone();
        bad[3] ^= 1;
        assert_eq!(
            restore(&mut cs, &bad),
            b"-ERR DUMP payload version or checksum are wrong\r\n"
        );
    }
    println!("function dump: redis-server and valkey payloads restore in sluice, and back");
}

/// Runs the workload (and a few values in the encodings it does not reach) on `kind`, saves
/// its `dump.rdb`, and returns it with the dump of what `kind` itself reloads from that file.
fn rdb_from(kind: Kind, extra: &[&str]) -> (Vec<u8>, String) {
    let s = Server::start(kind, extra);
    let mut c = s.conn();
    workload(&mut c);
    big_keys(&mut c);
    assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
    let rdb = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    drop(c);
    let mut s = s;
    s.terminate();
    // The reference: what the writer itself rebuilds from its file.
    let reloaded = Server::start_in(kind, extra, s.dir.clone());
    std::mem::forget(s);
    let mut c = reloaded.conn();
    (rdb, big_dump(&mut c))
}

/// Values in the encodings the workload does not reach.
fn big_keys(c: &mut Conn) {
    // Big enough for each type's large encoding: quicklist with several nodes, hashtable
    // hash, hashtable and intset sets, skiplist sorted set, a stream of several nodes.
    let many: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    let mut cmds: Vec<Vec<String>> = vec![];
    for (cmd, key, per) in [
        ("RPUSH", "biglist", 1),
        ("SADD", "bigints", 1),
        ("HSET", "bighash", 2),
        ("ZADD", "bigzset", 2),
    ] {
        let mut argv = vec![cmd.to_string(), key.to_string()];
        for m in &many {
            for _ in 0..per {
                argv.push(format!("{m}{}", if cmd == "ZADD" { "" } else { "x" }));
            }
        }
        cmds.push(argv);
    }
    cmds.push(vec![
        "SADD".into(),
        "smallints".into(),
        "1".into(),
        "-7".into(),
        "70000".into(),
        "5000000000".into(),
    ]);
    for i in 0..250 {
        cmds.push(vec![
            "XADD".into(),
            "bigstream".into(),
            format!("{}-1", i + 1),
            "f".into(),
            i.to_string(),
        ]);
    }
    cmds.push(vec!["XDEL".into(), "bigstream".into(), "7-1".into()]);
    cmds.push(vec![
        "XGROUP".into(),
        "CREATE".into(),
        "bigstream".into(),
        "g".into(),
        "0".into(),
    ]);
    cmds.push(vec![
        "XREADGROUP".into(),
        "GROUP".into(),
        "g".into(),
        "c1".into(),
        "COUNT".into(),
        "20".into(),
        "STREAMS".into(),
        "bigstream".into(),
        ">".into(),
    ]);
    cmds.push(vec![
        "XADD".into(),
        "emptied".into(),
        "1-1".into(),
        "a".into(),
        "b".into(),
    ]);
    cmds.push(vec!["XDEL".into(), "emptied".into(), "1-1".into()]);
    cmds.push(vec![
        "SET".into(),
        "big-int".into(),
        "-9223372036854775808".into(),
    ]);
    cmds.push(vec!["SET".into(), "compressible".into(), "ab".repeat(500)]);
    cmds.push(vec!["SELECT".into(), "3".into()]);
    cmds.push(vec!["SET".into(), "in-db3".into(), "v".into()]);
    cmds.push(vec!["PEXPIRE".into(), "in-db3".into(), "900000".into()]);
    cmds.push(vec!["SELECT".into(), "0".into()]);
    for argv in cmds {
        let r = c.call(&argv).unwrap();
        assert!(!r.starts_with(b"-"), "{argv:?}: {}", show(&r));
    }
}

/// The workload's dump plus the big keys `rdb_from` adds.
fn big_dump(c: &mut Conn) -> String {
    let mut out = dump(c, false);
    for cmd in [
        vec!["LRANGE", "biglist", "0", "-1"],
        vec!["XRANGE", "bigstream", "-", "+"],
        vec!["XINFO", "STREAM", "emptied"],
        vec!["XPENDING", "bigstream", "g", "-", "+", "100"],
        vec!["ZRANGE", "bigzset", "0", "-1", "WITHSCORES"],
        vec!["GET", "big-int"],
        vec!["STRLEN", "compressible"],
    ] {
        let argv: Vec<Vec<u8>> = cmd.iter().map(|s| s.as_bytes().to_vec()).collect();
        let r = c.call(&argv).unwrap();
        let r = if cmd[0].starts_with('X') {
            drop_fields(&normalize(&argv, r), XINFO_REDIS8_FIELDS)
        } else {
            r
        };
        out.push_str(&format!("{} => {}\n", cmd.join(" "), show(&r)));
    }
    for (cmd, key) in [
        ("HGETALL", "bighash"),
        ("SMEMBERS", "bigints"),
        ("SMEMBERS", "smallints"),
    ] {
        let r = c.call(&[cmd, key]).unwrap();
        let mut b = Vec::new();
        serialize(&sorted(parse_frame(&r).0), &mut b);
        out.push_str(&format!("{cmd} {key} => {}\n", show(&b)));
    }
    c.call(&["SELECT", "3"]).unwrap();
    let ttl = c.call(&["PTTL", "in-db3"]).unwrap();
    assert!(integer(&ttl) > 800_000, "TTL kept: {}", show(&ttl));
    c.call(&["SELECT", "0"]).unwrap();
    out
}

/// Starts `kind` (AOF off) in a fresh directory holding `rdb` as its dump.rdb.
fn server_on_rdb(kind: Kind, rdb: &[u8], tag: &str) -> Server {
    let dir = std::env::temp_dir().join(format!("rdb-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dump.rdb"), rdb).unwrap();
    Server::start_in(kind, &["--appendonly", "no"], dir)
}

/// Starts sluice (AOF off) in a fresh directory holding `rdb` as its dump.rdb.
fn sluice_on_rdb(rdb: &[u8], tag: &str) -> Server {
    server_on_rdb(Kind::Sluice, rdb, tag)
}

#[test]
fn redis_rdb_loads_in_sluice() {
    let (rdb, expected) = rdb_from(Kind::Redis, &["--appendonly", "no"]);
    assert!(
        rdb.starts_with(b"REDIS0010"),
        "redis-server 7.0 writes RDB 10"
    );
    let s = sluice_on_rdb(&rdb, "redis");
    let mut c = s.conn();
    assert_eq!(
        big_dump(&mut c),
        expected,
        "sluice must load redis-server's dump.rdb to the same data"
    );
    println!(
        "rdb interop: redis-server 7.0 dump.rdb ({} bytes) -> sluice identical",
        rdb.len()
    );
}

#[test]
fn valkey_rdb_loads_in_sluice() {
    let (rdb, expected) = rdb_from(Kind::Valkey, &["--appendonly", "no"]);
    assert!(rdb.starts_with(b"VALKEY080"), "Valkey 9 writes its RDB 80");
    let s = sluice_on_rdb(&rdb, "valkey");
    let mut c = s.conn();
    assert_eq!(
        big_dump(&mut c),
        expected,
        "sluice must load Valkey's dump.rdb to the same data"
    );
    println!(
        "rdb interop: valkey 9.1 dump.rdb ({} bytes) -> sluice identical",
        rdb.len()
    );
}

/// A hash with field TTLs written by `kind` (SAVE) loads in sluice with the same expire times
/// and values; the file.
fn field_ttls_via_rdb(kind: Kind, tag: &str) -> Vec<u8> {
    let w = Server::start(kind, &["--appendonly", "no"]);
    let mut c = w.conn();
    for argv in [
        vec!["HSET", "h", "keep", "1", "ttl", "2", "later", "3"],
        vec!["HPEXPIREAT", "h", "4000000000000", "FIELDS", "1", "ttl"],
        vec!["HPEXPIREAT", "h", "4000000000123", "FIELDS", "1", "later"],
        vec!["SAVE"],
    ] {
        let r = c.call(&argv).unwrap();
        assert!(!r.starts_with(b"-"), "{argv:?}: {}", show(&r));
    }
    let rdb = std::fs::read(w.dir.join("dump.rdb")).unwrap();
    let s = sluice_on_rdb(&rdb, tag);
    let mut cs = s.conn();
    for argv in [
        vec!["HPEXPIRETIME", "h", "FIELDS", "3", "keep", "ttl", "later"],
        vec!["HGET", "h", "later"],
    ] {
        assert_eq!(
            show(&cs.call(&argv).unwrap()),
            show(&c.call(&argv).unwrap()),
            "{argv:?}"
        );
    }
    rdb
}

#[test]
fn valkey_hash_field_ttls_load_from_rdb() {
    field_ttls_via_rdb(Kind::Valkey, "valkey-hfe");
}

#[test]
fn redis_rdb_preamble_aof_loads_in_sluice() {
    // appendonly yes with the default preamble: BGREWRITEAOF makes an RDB base file.
    let r = Server::start(
        Kind::Redis,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let mut c = r.conn();
    workload(&mut c);
    c.call(&["BGREWRITEAOF"]).unwrap();
    let base = loop {
        let found = std::fs::read_dir(aof_dir(&r))
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".base.rdb"));
        let info = c.call(&["INFO", "persistence"]).unwrap();
        if found && String::from_utf8_lossy(&info).contains("aof_rewrite_in_progress:0") {
            break true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(base);
    // Writes after the rewrite go to the incr file, as commands.
    c.call(&["RPUSH", "after-rewrite", "x"]).unwrap();
    let expected = dump(&mut c, false);
    let dir = std::env::temp_dir().join(format!("aof-preamble-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&aof_dir(&r), &dir.join("appendonlydir"));
    let s = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
    let mut cs = s.conn();
    assert_eq!(
        dump(&mut cs, false),
        expected,
        "sluice must load an RDB-preamble AOF"
    );
    assert_eq!(
        show(&cs.call(&["LRANGE", "after-rewrite", "0", "-1"]).unwrap()),
        show(&c.call(&["LRANGE", "after-rewrite", "0", "-1"]).unwrap())
    );
}

#[test]
fn truncated_or_flipped_rdb_is_refused_without_panic() {
    let (rdb, _) = rdb_from(Kind::Redis, &["--appendonly", "no"]);
    let count = |data: &[u8]| persistence::rdb_load::load(data, |_| Ok(())).map(|s| s.keys);
    let keys = count(&rdb).expect("the whole file loads");
    assert!(keys >= 20, "{keys} keys");
    for cut in 0..rdb.len() {
        assert!(
            count(&rdb[..cut]).is_err(),
            "a file cut at {cut} must be refused"
        );
    }
    // Flipped bytes: the checksum refuses each before anything is emitted.
    let mut emitted = 0;
    let mut rng = 0x2545F4914F6CDD1Du64;
    for _ in 0..2000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut bad = rdb.clone();
        let i = 9 + (rng as usize) % (bad.len() - 9);
        bad[i] ^= 1 << (rng >> 61);
        let r = persistence::rdb_load::load(&bad, |_| {
            emitted += 1;
            Ok(())
        });
        assert!(r.is_err(), "a flipped byte at {i} must be refused");
    }
    assert_eq!(
        emitted, 0,
        "nothing is emitted from a file that fails its checksum"
    );
    // Without a checksum (rdbchecksum no), the decoder itself must hold: no panic, and a
    // refusal names an offset inside the file.
    let mut unsummed = rdb.clone();
    let n = unsummed.len();
    unsummed[n - 8..].fill(0);
    assert!(count(&unsummed).is_ok());
    for _ in 0..5000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut bad = unsummed.clone();
        let i = 9 + (rng as usize) % (n - 17);
        bad[i] = (rng >> 56) as u8;
        if let Err(e) = persistence::rdb_load::load(&bad, |_| Ok(())) {
            assert!(e.offset <= n, "{e}");
        }
    }
}

/// Polls INFO persistence every 50 ms, at most `spins` times, until `done` holds of it (else
/// fails with `what` and the last INFO); that INFO.
fn persistence_info_once(
    c: &mut Conn,
    spins: usize,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    for _ in 0..spins {
        let info = String::from_utf8(c.call(&["INFO", "persistence"]).unwrap()).unwrap();
        if done(&info) {
            return info;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let info = String::from_utf8(c.call(&["INFO", "persistence"]).unwrap()).unwrap();
    panic!("{what}: {info}");
}

/// Starts sluice (AOF off) on `dir` with `extra`, expecting it to exit with an error: what it
/// printed.
fn sluice_fails_to_start(dir: &Path, extra: &[&str]) -> String {
    let out = std::process::Command::new(sluice_bin())
        .args(["--port", &free_port().to_string(), "--appendonly", "no"])
        .args(["--bind", "127.0.0.1", "--dir", dir.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout)
}

#[test]
fn corrupt_dump_rdb_stops_sluice_with_file_and_offset() {
    let (rdb, _) = rdb_from(Kind::Redis, &["--appendonly", "no"]);
    let dir = std::env::temp_dir().join(format!("rdb-corrupt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dump.rdb"), &rdb[..rdb.len() / 2]).unwrap();
    let text = sluice_fails_to_start(&dir, &[]);
    assert!(
        text.contains("dump.rdb") && text.contains("at offset"),
        "the error names the file and the offset: {text}"
    );
    // A database the server does not have: refused, not loaded into another one.
    std::fs::write(dir.join("dump.rdb"), &rdb).unwrap();
    let text = sluice_fails_to_start(&dir, &["--databases", "2"]);
    assert!(text.contains("holds database 3"), "{text}");
    // sluice check-rdb, as redis-check-rdb: the bad file refused with an offset, the whole
    // one OK with its counts.
    let check = |path: &Path| {
        let out = std::process::Command::new(sluice_bin())
            .arg("check-rdb")
            .arg(path)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    std::fs::write(dir.join("cut.rdb"), &rdb[..rdb.len() / 2]).unwrap();
    let (ok, report) = check(&dir.join("cut.rdb"));
    assert!(
        !ok && report.contains("--- RDB ERROR DETECTED ---\n[offset "),
        "{report}"
    );
    std::fs::write(dir.join("whole.rdb"), &rdb).unwrap();
    let (ok, report) = check(&dir.join("whole.rdb"));
    assert!(
        ok && report.contains("Checksum OK") && report.contains("RDB looks OK!"),
        "{report}"
    );
}

#[test]
fn sluice_rdb_restarts_and_loads_in_valkey_and_redis() {
    let mut s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let mut c = s.conn();
    workload(&mut c);
    big_keys(&mut c);
    let before_full = dump(&mut c, true);
    let before = big_dump(&mut c);
    assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
    let rdb11 = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    assert!(
        rdb11.starts_with(b"REDIS0011"),
        "sluice writes RDB 11 (Redis 7.2)"
    );
    c.call(&["CONFIG", "SET", "sluice-rdb-version", "10"])
        .unwrap();
    // BGSAVE: started, reported in progress until the thread installs the file.
    let lastsave = integer(&c.call(&["LASTSAVE"]).unwrap());
    std::fs::remove_file(s.dir.join("dump.rdb")).unwrap();
    assert_eq!(
        c.call(&["BGSAVE"]).unwrap(),
        b"+Background saving started\r\n"
    );
    let info = persistence_info_once(&mut c, 600, "BGSAVE must finish", |i| {
        info_value(i, "rdb_bgsave_in_progress") == Some("0")
    });
    assert_eq!(info_value(&info, "rdb_last_bgsave_status"), Some("ok"));
    assert_eq!(info_value(&info, "rdb_changes_since_last_save"), Some("0"));
    assert!(integer(&c.call(&["LASTSAVE"]).unwrap()) >= lastsave);
    let rdb10 = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    assert!(
        rdb10.starts_with(b"REDIS0010"),
        "sluice-rdb-version 10 writes RDB 10"
    );
    drop(c);
    s.terminate();

    // sluice again, from its own dump.rdb (RDB 11).
    let s2 = sluice_on_rdb(&rdb11, "sluice");
    let mut c2 = s2.conn();
    assert_eq!(
        dump(&mut c2, true),
        before_full,
        "sluice must restart from its dump.rdb to the same state"
    );
    assert_eq!(big_dump(&mut c2), before);

    // Valkey 9.1 from the RDB 11 file, redis-server 7.0.15 from the RDB 10 one.
    for (kind, rdb, tag) in [
        (Kind::Valkey, &rdb11, "to-valkey"),
        (Kind::Redis, &rdb10, "to-redis"),
    ] {
        let o = server_on_rdb(kind, rdb, tag);
        let mut co = o.conn();
        assert_eq!(
            big_dump(&mut co),
            before,
            "{tag}: the oracle must load sluice's dump.rdb to the same data"
        );
    }
    println!(
        "rdb interop: sluice -> sluice, -> valkey 9.1 (RDB 11, {} bytes), -> redis-server 7.0 (RDB 10, {} bytes) identical",
        rdb11.len(),
        rdb10.len()
    );
}

/// Redis 8.8 XNACK's unowned entries have no form in RDB 10/11: sluice writes them as the
/// pending entries of a consumer named "" with delivery time 0 (plus a `sluice-nack` AUX
/// field): Redis 7.0 and Valkey 9.1 load them pending, idle, with their counts, and claim
/// them first; sluice loads them back unowned.
#[test]
fn nacked_entries_load_in_redis_and_valkey_as_idle_pending() {
    let mut s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let mut c = s.conn();
    for i in 1..=4 {
        c.call(&["XADD", "m", &format!("{i}-0"), "f", "v"]).unwrap();
    }
    c.call(&["XGROUP", "CREATE", "m", "g", "0"]).unwrap();
    c.call(&["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "m", ">"])
        .unwrap();
    c.call(&["XNACK", "m", "g", "FATAL", "IDS", "2", "3-0", "1-0"])
        .unwrap();
    // The rows without the owned entries' idle times, which move on.
    let rows = |c: &mut Conn| {
        let r =
            String::from_utf8(c.call(&["XPENDING", "m", "g", "-", "+", "10"]).unwrap()).unwrap();
        let lines: Vec<&str> = r.lines().collect();
        (0..lines.len())
            .filter(|&i| !(i % 7 == 6 && lines[i - 2] != "$0"))
            .map(|i| lines[i])
            .collect::<Vec<_>>()
            .join("|")
    };
    let own = rows(&mut c);
    let mut files = Vec::new();
    for v in ["11", "10"] {
        c.call(&["CONFIG", "SET", "sluice-rdb-version", v]).unwrap();
        assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
        files.push(std::fs::read(s.dir.join("dump.rdb")).unwrap());
    }
    drop(c);
    s.terminate();
    let s2 = sluice_on_rdb(&files[0], "nack-sluice");
    let mut c2 = s2.conn();
    assert_eq!(rows(&mut c2), own);
    assert_eq!(
        c2.call(&["XINFO", "CONSUMERS", "m", "g"])
            .unwrap()
            .windows(4)
            .filter(|w| w == b"name")
            .count(),
        1,
        "the placeholder consumer is gone again"
    );
    for (kind, rdb, tag) in [
        (Kind::Valkey, &files[0], "nack-valkey"),
        (Kind::Redis, &files[1], "nack-redis"),
    ] {
        let o = server_on_rdb(kind, rdb, tag);
        let mut co = o.conn();
        let rows =
            String::from_utf8(co.call(&["XPENDING", "m", "g", "-", "+", "10"]).unwrap()).unwrap();
        assert!(
            rows.starts_with("*4\r\n*4\r\n$3\r\n1-0\r\n$0\r\n\r\n")
                && rows.matches(":9223372036854775807").count() == 2,
            "{tag}: {rows}"
        );
        let claimed = String::from_utf8(
            co.call(&["XAUTOCLAIM", "m", "g", "c9", "3600000", "0", "JUSTID"])
                .unwrap(),
        )
        .unwrap();
        assert!(
            claimed.contains("*2\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n"),
            "{tag}: {claimed}"
        );
    }
}

#[test]
fn sluice_rdb_keeps_hash_field_ttls_as_rdb_12() {
    let rdb = field_ttls_via_rdb(Kind::Sluice, "hfe12");
    assert!(rdb.starts_with(b"REDIS0012"), "field TTLs need RDB 12");
}

#[test]
fn bgsave_errors_and_schedule_as_redis() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let mut c = s.conn();
    assert_eq!(
        show(&c.call(&["BGSAVE", "NOW"]).unwrap()),
        show(b"-ERR syntax error\r\n")
    );
    c.call(&["SET", "k", "v"]).unwrap();
    assert_eq!(
        c.call(&["BGSAVE"]).unwrap(),
        b"+Background saving started\r\n"
    );
    let second = c.call(&["BGSAVE"]).unwrap();
    assert!(
        second == b"-ERR Background save already in progress\r\n"
            || second == b"+Background saving started\r\n",
        "{}",
        show(&second)
    );
    let r = c.call(&["BGSAVE", "SCHEDULE"]).unwrap();
    assert!(r.starts_with(b"+Background saving"), "{}", show(&r));
    // `save` points: a change and a one-second point save on their own.
    c.call(&["CONFIG", "SET", "save", "1 1"]).unwrap();
    c.call(&["SET", "k2", "v"]).unwrap();
    persistence_info_once(&mut c, 200, "the save point must fire", |i| {
        info_value(i, "rdb_changes_since_last_save") == Some("0")
            && info_value(i, "rdb_bgsave_in_progress") == Some("0")
    });
    let rdb = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    let mut keys = 0;
    persistence::rdb_load::load(&rdb, |e| {
        use persistence::rdb_load::{Event, Item};
        keys += matches!(
            e,
            Event::Key {
                item: Item::Str(_),
                ..
            }
        ) as u32;
        Ok(())
    })
    .unwrap();
    assert_eq!(keys, 2);
}

/// The key names of the selected database, sorted.
fn key_names(c: &mut Conn) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = match parse_frame(&c.call(&["KEYS", "*"]).unwrap()).0 {
        Frame::Agg(_, Some(v)) => v
            .into_iter()
            .filter_map(|x| match x {
                Frame::Bulk(_, Some(b)) => Some(b),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    names.sort();
    names
}

/// Copies every key of databases 0 and 3 from `from` to `to` as DUMP then RESTORE (with the
/// absolute expire time and ABSTTL, so times compare exactly), and the function libraries
/// with FUNCTION DUMP/RESTORE; the number of keys.
fn copy_by_dump(from: &mut Conn, to: &mut Conn) -> usize {
    copy_functions(from, to);
    let mut n = 0;
    for db in ["0", "3"] {
        from.call(&["SELECT", db]).unwrap();
        to.call(&["SELECT", db]).unwrap();
        for k in key_names(from) {
            let payload = bulk(&from.call(&[&b"DUMP"[..], &k]).unwrap());
            let at = integer(&from.call(&[&b"PEXPIRETIME"[..], &k]).unwrap()).max(0);
            let r = to
                .call(&[
                    &b"RESTORE"[..],
                    &k,
                    at.to_string().as_bytes(),
                    &payload,
                    b"ABSTTL",
                ])
                .unwrap();
            assert_eq!(r, b"+OK\r\n", "RESTORE {}", String::from_utf8_lossy(&k));
            n += 1;
        }
    }
    from.call(&["SELECT", "0"]).unwrap();
    to.call(&["SELECT", "0"]).unwrap();
    n
}

/// DUMP payloads of every type and encoding (streams with groups and PELs, big and
/// compressed values, TTLs, two databases) written by redis-server 7.0 and Valkey 9.1
/// restore in sluice to the same data, and sluice's restore in both (RDB 10 payloads for
/// Redis 7.0, `sluice-rdb-version 10`).
#[test]
fn dump_payloads_move_between_servers() {
    for kind in [Kind::Redis, Kind::Valkey] {
        let o = Server::start(kind, &["--appendonly", "no"]);
        let mut co = o.conn();
        workload(&mut co);
        big_keys(&mut co);
        let expected = big_dump(&mut co);
        let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
        let mut cs = s.conn();
        let n = copy_by_dump(&mut co, &mut cs);
        assert!(n >= 20, "{n} keys");
        assert_eq!(
            big_dump(&mut cs),
            expected,
            "{} payloads restore in sluice to the same data",
            kind.name()
        );
        // And back: sluice's payloads into a fresh oracle.
        if kind == Kind::Redis {
            cs.call(&["CONFIG", "SET", "sluice-rdb-version", "10"])
                .unwrap();
        }
        let o2 = Server::start(kind, &["--appendonly", "no"]);
        let mut co2 = o2.conn();
        assert_eq!(copy_by_dump(&mut cs, &mut co2), n);
        assert_eq!(
            big_dump(&mut co2),
            expected,
            "sluice's payloads restore in {} to the same data",
            kind.name()
        );
        println!(
            "dump interop: {n} keys, {} -> sluice -> {} identical",
            kind.name(),
            kind.name()
        );
    }
}

/// The function libraries of `from` into `to` (FUNCTION DUMP, RESTORE ... REPLACE).
fn copy_functions(from: &mut Conn, to: &mut Conn) {
    let libs = bulk(&from.call(&["FUNCTION", "DUMP"]).unwrap());
    let r = to
        .call(&[&b"FUNCTION"[..], b"RESTORE", &libs, b"REPLACE"])
        .unwrap();
    assert_eq!(r, b"+OK\r\n");
}

/// MIGRATE of every key of databases 0 and 3 of `from` to the server on `port`, with
/// `opts` (COPY, REPLACE, AUTH ...) before KEYS.
fn migrate_all(from: &mut Conn, port: u16, opts: &[&str]) {
    let port = port.to_string();
    for db in ["0", "3"] {
        from.call(&["SELECT", db]).unwrap();
        let mut argv: Vec<Vec<u8>> = ["MIGRATE", "127.0.0.1", &port, "", db, "5000"]
            .iter()
            .chain(opts)
            .chain(&["KEYS"])
            .map(|a| a.as_bytes().to_vec())
            .collect();
        argv.extend(key_names(from));
        assert_eq!(from.call(&argv).unwrap(), b"+OK\r\n", "MIGRATE db {db}");
    }
    from.call(&["SELECT", "0"]).unwrap();
}

/// `dump` with each expire time replaced by `T`: a key keeps its TTL or none (the times
/// themselves move by the transfer time).
fn ttls_rounded(d: &str) -> String {
    let mut out = String::new();
    let mut rest = d;
    while let Some(i) = rest.find("pexpiretime=:") {
        let (head, tail) = rest.split_at(i + "pexpiretime=:".len());
        out.push_str(head);
        let digits = tail.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            out.push('T');
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// MIGRATE both ways: sluice moves every key to Valkey (KEYS, AUTH to a password-protected
/// target, REPLACE over keys already there), the keys leave sluice and its AOF records DEL;
/// Valkey moves them back with COPY; sluice copies them to redis-server 7.0 in RDB 10. The
/// data is the same at each step.
#[test]
fn migrate_moves_keys_between_sluice_and_valkey() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "yes"]);
    let mut cs = s.conn();
    workload(&mut cs);
    big_keys(&mut cs);
    let expected = big_dump(&mut cs);
    let v = Server::start(Kind::Valkey, &["--appendonly", "no"]);
    let mut cv = v.conn();
    // Set after start (the harness pings before authenticating); this connection stays in.
    cv.call(&["CONFIG", "SET", "requirepass", "pw"]).unwrap();
    cv.call(&["SET", "ev", "already here"]).unwrap();
    migrate_all(&mut cs, v.port, &["REPLACE", "AUTH", "pw"]);
    for db in ["0", "3"] {
        cs.call(&["SELECT", db]).unwrap();
        assert!(key_names(&mut cs).is_empty(), "the moved keys leave sluice");
    }
    let port = v.port.to_string();
    cs.call(&["SELECT", "0"]).unwrap();
    copy_functions(&mut cs, &mut cv);
    // MIGRATE sends the remaining TTL, as Redis does: expire times move by the transfer time.
    assert_eq!(
        ttls_rounded(&big_dump(&mut cv)),
        ttls_rounded(&expected),
        "Valkey holds what sluice had"
    );
    // A wrong password: the target's error, and nothing leaves.
    cs.call(&["SET", "stays", "1"]).unwrap();
    let r = cs
        .call(&[
            "MIGRATE",
            "127.0.0.1",
            &port,
            "stays",
            "0",
            "5000",
            "AUTH",
            "bad",
        ])
        .unwrap();
    assert!(
        r.starts_with(b"-ERR Target instance replied with error: WRONGPASS"),
        "{}",
        show(&r)
    );
    assert_eq!(cs.call(&["EXISTS", "stays"]).unwrap(), b":1\r\n");
    cs.call(&["DEL", "stays"]).unwrap();
    // The AOF holds the moves as DELs: a restart has nothing.
    cs.call(&["SELECT", "0"]).unwrap();
    let aof = std::fs::read_dir(aof_dir(&s))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incr.aof"))
        .map(|e| std::fs::read(e.path()).unwrap())
        .next()
        .expect("an incr file");
    assert!(
        aof.windows(5).any(|w| w == b"\r\nDEL"),
        "MIGRATE propagates DEL"
    );
    // Back with COPY: Valkey keeps them, sluice gets the same data.
    migrate_all(&mut cv, s.port, &["COPY"]);
    cv.call(&["SELECT", "0"]).unwrap();
    // MIGRATE moves keys, not functions.
    copy_functions(&mut cv, &mut cs);
    assert_eq!(
        ttls_rounded(&big_dump(&mut cs)),
        ttls_rounded(&expected),
        "sluice holds it again"
    );
    assert_eq!(
        ttls_rounded(&big_dump(&mut cv)),
        ttls_rounded(&expected),
        "COPY left Valkey's keys"
    );
    // To redis-server 7.0: it refuses RDB 11 payloads, and takes RDB 10 ones
    // (`sluice-rdb-version 10`).
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let mut cr = r.conn();
    let rport = r.port.to_string();
    let refused = cs
        .call(&["MIGRATE", "127.0.0.1", &rport, "queue", "0", "5000", "COPY"])
        .unwrap();
    assert_eq!(
        show(&refused),
        show(b"-ERR Target instance replied with error: ERR DUMP payload version or checksum are wrong\r\n")
    );
    cs.call(&["CONFIG", "SET", "sluice-rdb-version", "10"])
        .unwrap();
    migrate_all(&mut cs, r.port, &["COPY"]);
    copy_functions(&mut cs, &mut cr);
    assert_eq!(
        ttls_rounded(&big_dump(&mut cr)),
        ttls_rounded(&expected),
        "redis-server 7.0 holds it"
    );
    println!("migrate: sluice -> valkey (AUTH, REPLACE, KEYS) and back (COPY), sluice -> redis-server 7.0 (RDB 10), identical");
}

/// stop-writes-on-bgsave-error, side by side with redis-server 7.0: a failed BGSAVE (its
/// `dir` removed) with save points set refuses writes and PING with Redis's MISCONF text
/// (and in scripts), reads go on; `stop-writes-on-bgsave-error no` or no save points lift it,
/// a SHUTDOWN whose save fails leaves the server up, and a good BGSAVE clears it.
#[test]
fn failed_bgsave_stops_writes_as_redis() {
    let mut transcripts = Vec::new();
    for kind in [Kind::Redis, Kind::Sluice] {
        let s = Server::start(
            kind,
            &[
                "--appendonly",
                "no",
                "--save",
                "3600 1",
                "--enable-protected-configs",
                "yes",
            ],
        );
        let mut c = s.conn();
        let dir = s.dir.join("gone");
        std::fs::create_dir_all(&dir).unwrap();
        c.call(&["CONFIG", "SET", "dir", dir.to_str().unwrap()])
            .unwrap();
        std::fs::remove_dir(&dir).unwrap();
        c.call(&["SET", "k", "v"]).unwrap();
        assert_eq!(
            c.call(&["BGSAVE"]).unwrap(),
            b"+Background saving started\r\n"
        );
        let info = persistence_info_once(&mut c, 200, "BGSAVE must end", |i| {
            info_value(i, "rdb_bgsave_in_progress") == Some("0")
        });
        assert_eq!(
            info_value(&info, "rdb_last_bgsave_status"),
            Some("err"),
            "{}: {info}",
            kind.name()
        );
        let mut t = String::new();
        let steps: &[&[&str]] = &[
            &["SET", "k", "v2"],
            &["PING"],
            &["GET", "k"],
            &["EVAL", "return redis.call('SET', 'k', 'v3')", "0"],
            &["EVAL", "return redis.call('GET', 'k')", "0"],
            &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
            &["SET", "k", "v4"],
            &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
            &["INCR", "n"],
            &["CONFIG", "SET", "save", ""],
            &["INCR", "n"],
            &["CONFIG", "SET", "save", "3600 1"],
            &["INCR", "n"],
            // The final save fails: the server stays up and says so.
            &["SHUTDOWN"],
            &["GET", "k"],
        ];
        for step in steps {
            t.push_str(&format!(
                "{} => {}\n",
                step.join(" "),
                show(&c.call(step).unwrap())
            ));
        }
        // A directory again (set anew: Redis works in the one it changed into, now deleted).
        std::fs::create_dir_all(&dir).unwrap();
        c.call(&["CONFIG", "SET", "dir", dir.to_str().unwrap()])
            .unwrap();
        c.call(&["BGSAVE"]).unwrap();
        persistence_info_once(&mut c, 200, "the second BGSAVE must succeed", |i| {
            info_value(i, "rdb_last_bgsave_status") == Some("ok")
        });
        t.push_str(&format!(
            "after a good BGSAVE: INCR n => {}\n",
            show(&c.call(&["INCR", "n"]).unwrap())
        ));
        transcripts.push(t);
    }
    assert!(transcripts[0].contains("MISCONF Redis is configured to save RDB snapshots"));
    assert_eq!(
        transcripts[1], transcripts[0],
        "sluice answers as redis-server 7.0"
    );
}

/// Access metadata crosses an RDB as Redis writes it: under an LRU policy each key's idle time
/// (IDLE), under LFU its counter (FREQ); keys without either start fresh.
#[test]
fn rdb_keeps_idle_times_and_lfu_counters() {
    for (policy, opt, value, query) in [
        ("allkeys-lru", "IDLETIME", "1000", "IDLETIME"),
        ("allkeys-lfu", "FREQ", "100", "FREQ"),
    ] {
        let args = ["--appendonly", "no", "--maxmemory-policy", policy];
        let r = Server::start(Kind::Redis, &args);
        let mut c = r.conn();
        c.call(&["SET", "fresh", "v"]).unwrap();
        let payload = bulk(&c.call(&["DUMP", "fresh"]).unwrap());
        let reply = c
            .call(&[
                &b"RESTORE"[..],
                b"aged",
                b"0",
                &payload,
                opt.as_bytes(),
                value.as_bytes(),
            ])
            .unwrap();
        assert_eq!(reply, b"+OK\r\n");
        assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
        let rdb = std::fs::read(r.dir.join("dump.rdb")).unwrap();
        let dir = std::env::temp_dir().join(format!("rdb-meta-{policy}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("dump.rdb"), &rdb).unwrap();
        let s = Server::start_in(Kind::Sluice, &args, dir);
        let mut cs = s.conn();
        let aged = integer(&cs.call(&["OBJECT", query, "aged"]).unwrap());
        let want: i64 = value.parse().unwrap();
        assert!(
            (want..want + 10).contains(&aged),
            "{policy}: {query} aged = {aged}"
        );
        if query == "IDLETIME" {
            let fresh = integer(&cs.call(&["OBJECT", "IDLETIME", "fresh"]).unwrap());
            assert!(fresh < 10, "a key without IDLE starts fresh: {fresh}");
        }
    }
}

/// Loading a dump.rdb with `key-load-delay`: clients get -LOADING while INFO reports the
/// bytes loaded so far, then every key is served.
#[test]
fn rdb_loading_answers_loading_and_reports_progress() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let mut c = s.conn();
    for i in 0..3000 {
        c.call(&["SET", &format!("key:{i}"), "value"]).unwrap();
    }
    assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
    let rdb = std::fs::read(s.dir.join("dump.rdb")).unwrap();
    drop(c);
    let dir = std::env::temp_dir().join(format!("rdb-loading-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dump.rdb"), &rdb).unwrap();
    let port = free_port();
    let mut child = std::process::Command::new(sluice_bin())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "no",
        ])
        .args(["--key-load-delay", "1000", "--dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (saw_loading, saw_progress, served) = watch_loading(port, |info| {
        let loaded: u64 = info_value(info, "loading_loaded_bytes")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        loaded > 0 && loaded < rdb.len() as u64
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        saw_loading,
        "clients must get -LOADING while dump.rdb loads"
    );
    assert!(saw_progress, "INFO must report the bytes loaded so far");
    assert!(served, "after loading every key is there");
}
