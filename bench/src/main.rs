//! `cargo run --release -p sluice-bench [-- --quick] [--only section,...]`: sluice and the
//! distro redis-server, side by side on this machine, in one run; every row is a ratio
//! because absolute numbers drift on a shared machine. A full run writes `bench/RESULTS.md`;
//! `--only` (sections: throughput, groups, latency, queue, fanout, scaling, memory,
//! persistence, rdb, redis8, policies, observability, connections)
//! prints its tables without touching the file. `--rounds N` sets the rounds per row (7).
//!
//! Sections: redis-benchmark workloads (50 clients, servers alternating, median of rounds);
//! our load generators ([`loadgen`]): consumer groups end to end with producer-to-consumer
//! latency, BRPOP job queues, pub/sub fan-out; stream read cost against size; memory per
//! stream entry, list element, string key, small hash, large-hash field, sorted-set member and set member
//! (RSS growth over 1,000,000 items); persistence: XADD
//! under `always` vs `everysec`, XADD latency during an AOF rewrite of a 1,000,000-entry
//! stream, and the time to load that AOF; rdb: SAVE time and dump.rdb size, XADD latency
//! during BGSAVE, and the time to load a dump.rdb, of 1,000,000 string keys plus a
//! 1,000,000-entry stream.
//!
//! Servers run on CPU 0 and the load generators on the others (`--no-pin`: all share every
//! CPU), so neither server is preempted by its own load.
//!
//! `sluice-bench load <groups|queue|fanout|latency|xadd> PORT P C N` runs one load generator against a
//! server already running on PORT (P producers, C consumers or subscribers, N items) and
//! prints its rate (`latency`: its percentiles at 5,000 entries/s): for profiling one server
//! under that load (perf, callgrind).

mod loadgen;

use redis_compat::{cpu_secs, stat_ticks, Conn, Kind, Server};
use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

/// CPU seconds (user + system) of this process's children that have exited and been waited
/// for (cutime + cstime): the load generator's own cost, read around each redis-benchmark.
fn children_cpu_secs() -> f64 {
    stat_ticks("/proc/self/stat", 16) / 100.0
}

/// Runs one redis-benchmark workload; returns (requests/s, p99 ms, the fraction of the run's
/// wall time redis-benchmark itself was on a CPU: near 1.0, it was the bottleneck).
fn redis_benchmark(port: u16, n: usize, pipeline: usize, args: &[&str]) -> (f64, f64, f64) {
    let (c0, t0) = (children_cpu_secs(), Instant::now());
    let out = Command::new("redis-benchmark")
        .args([
            "-p",
            &port.to_string(),
            "-c",
            "50",
            "-n",
            &n.to_string(),
            "-P",
            &pipeline.to_string(),
            "--csv",
        ])
        .args(args)
        .output()
        .expect("redis-benchmark");
    let busy = (children_cpu_secs() - c0) / t0.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    let line = text
        .lines()
        .rfind(|l| !l.starts_with("\"test\""))
        .unwrap_or("");
    let cols: Vec<f64> = line
        .split(',')
        .skip(1)
        .map(|c| c.trim_matches('"').parse().unwrap_or(0.0))
        .collect();
    (
        cols.first().copied().unwrap_or(0.0),
        cols.get(5).copied().unwrap_or(0.0),
        busy,
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Sends `count` commands built by `make` pipelined in batches; waits for every reply.
fn pipelined(port: u16, count: usize, make: impl Fn(usize) -> Vec<String>) {
    let mut c = Conn::connect(port).unwrap();
    c.pipeline(count, make, drop).unwrap();
}

/// The issue's memory workload: `XADD ev * sensor_id 1234 temperature 19.8 humidity 0.55`.
fn sensor_xadd() -> Vec<String> {
    [
        "XADD",
        "ev",
        "*",
        "sensor_id",
        "1234",
        "temperature",
        "19.8",
        "humidity",
        "0.55",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect()
}

fn memory_per_item(kind: Kind, items: usize, what: &str) -> f64 {
    let s = Server::start(kind, &["--appendonly", "no"]);
    // Warm the allocator with a throwaway key so its first arenas do not count.
    pipelined(s.port, 1000, |i| {
        vec!["SET".into(), format!("warm{i}"), "x".into()]
    });
    let before = s.rss_bytes();
    let argv = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    match what {
        "stream" => pipelined(s.port, items, |_| sensor_xadd()),
        "list" => pipelined(s.port, items, |i| {
            vec!["RPUSH".into(), "jobs".into(), format!("job:{}", i % 100000)]
        }),
        "strings" => pipelined(s.port, items, |i| {
            vec!["SET".into(), format!("job:{i}:status"), "done".into()]
        }),
        // A job record per key, as RQ and Celery's result backend keep them.
        "small-hashes" => pipelined(s.port, items, |i| {
            let mut v = argv(&["HSET"]);
            v.push(format!("job:{i}"));
            v.extend(argv(&[
                "state",
                "queued",
                "tries",
                "0",
                "queue",
                "default",
                "created",
                "1700000000",
                "worker",
                "w1",
            ]));
            v
        }),
        "big-hash" => pipelined(s.port, items, |i| {
            vec![
                "HSET".into(),
                "bighash".into(),
                format!("field:{i}"),
                format!("{i}"),
            ]
        }),
        "zset" => pipelined(s.port, items, |i| {
            vec![
                "ZADD".into(),
                "bigz".into(),
                format!("{i}"),
                format!("member:{i}"),
            ]
        }),
        "int-set" => pipelined(s.port, items, |i| {
            vec!["SADD".into(), "ints".into(), format!("{i}")]
        }),
        "string-set" => pipelined(s.port, items, |i| {
            vec!["SADD".into(), "strs".into(), format!("member:{i}")]
        }),
        "scripts" => pipelined(s.port, items, |i| {
            vec!["SCRIPT".into(), "LOAD".into(), script_body(i)]
        }),
        other => panic!("no memory workload {other}"),
    }
    let after = s.rss_bytes();
    after.saturating_sub(before) as f64 / items as f64
}

/// One publisher, `subs` subscribers: messages delivered per second (all subscribers).
fn fanout(port: u16, subs: usize, messages: usize) -> f64 {
    let ready = std::sync::Arc::new(std::sync::Barrier::new(subs + 1));
    let mut handles = Vec::new();
    for _ in 0..subs {
        let ready = ready.clone();
        handles.push(std::thread::spawn(move || {
            let mut c = Conn::connect(port).unwrap();
            c.call(&["SUBSCRIBE", "fan"]).unwrap();
            ready.wait();
            for _ in 0..messages {
                c.read_frame().unwrap();
            }
            Instant::now()
        }));
    }
    ready.wait();
    let mut p = Conn::connect(port).unwrap();
    let start = Instant::now();
    let mut sent = 0;
    while sent < messages {
        let n = 100.min(messages - sent);
        let mut buf = Vec::new();
        for i in 0..n {
            buf.extend(redis_compat::encode(&[
                "PUBLISH",
                "fan",
                &format!("message-{}", sent + i),
            ]));
        }
        p.send_raw(&buf).unwrap();
        for _ in 0..n {
            p.read_frame().unwrap();
        }
        sent += n;
    }
    let end = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .max()
        .unwrap();
    (subs * messages) as f64 / end.duration_since(start).as_secs_f64()
}

/// Microseconds per XRANGE COUNT 10 (random start) and per XREADGROUP COUNT 10 on a stream
/// of `n` entries: the read cost should grow with log N, not N.
fn scaling(n: usize, ops: usize) -> (f64, f64) {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    pipelined(s.port, n, |i| {
        vec![
            "XADD".into(),
            "big".into(),
            format!("{}-0", i + 1),
            "f".into(),
            "v".into(),
        ]
    });
    pipelined(s.port, 1, |_| {
        vec![
            "XGROUP".into(),
            "CREATE".into(),
            "big".into(),
            "g".into(),
            format!("{}-0", n / 2),
        ]
    });
    let mut x = 88172645463325252u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let starts: Vec<u64> = (0..ops).map(|_| rnd() % n as u64 + 1).collect();
    let t = Instant::now();
    pipelined(s.port, ops, |i| {
        vec![
            "XRANGE".into(),
            "big".into(),
            format!("{}-0", starts[i]),
            "+".into(),
            "COUNT".into(),
            "10".into(),
        ]
    });
    let xrange = t.elapsed().as_secs_f64() * 1e6 / ops as f64;
    let reads = ops.min(n / 20);
    let t = Instant::now();
    pipelined(s.port, reads, |_| {
        xreadgroup_count10("big")
            .iter()
            .map(|x| x.to_string())
            .collect()
    });
    let xreadgroup = t.elapsed().as_secs_f64() * 1e6 / reads as f64;
    (xrange, xreadgroup)
}

/// `XREADGROUP GROUP g c COUNT 10 STREAMS <key> >`: the read both benchmarks time.
fn xreadgroup_count10(key: &str) -> [&str; 9] {
    [
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "10",
        "STREAMS",
        key,
        ">",
    ]
}

fn ratio(a: f64, b: f64) -> f64 {
    a / b.max(1e-9)
}

fn redis_version() -> String {
    let out = Command::new("redis-server")
        .arg("--version")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(2)
        .unwrap_or("?")
        .trim_start_matches("v=")
        .to_string()
}

#[derive(Clone, Copy)]
struct Opts {
    quick: bool,
    rounds: usize,
    n: usize,
    items: usize,
}

fn throughput(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    // Data the read workloads need, identical on both.
    for port in [sluice.port, redis.port] {
        pipelined(port, 200_000, |i| {
            vec![
                "XADD".into(),
                "rs".into(),
                format!("{}-0", i + 1),
                "f".into(),
                "v".into(),
            ]
        });
        pipelined(port, 1, |_| {
            ["XGROUP", "CREATE", "rs", "g", "0"]
                .iter()
                .map(|x| x.to_string())
                .collect()
        });
        // A 1,000,000-member sorted set, members named as redis-benchmark's
        // __rand_int__ (12 digits) names them.
        pipelined(port, 1_000_000, |i| {
            vec![
                "ZADD".into(),
                "bigz".into(),
                format!("{i}"),
                format!("m:{i:012}"),
            ]
        });
    }
    let xreadgroup = xreadgroup_count10("rs").to_vec();
    let workloads: Vec<(&str, usize, Vec<&str>)> = vec![
        ("XADD", 1, vec!["XADD", "bench", "*", "f", "v"]),
        ("XADD -P 16", 16, vec!["XADD", "bench16", "*", "f", "v"]),
        (
            "XRANGE COUNT 10",
            1,
            vec!["XRANGE", "rs", "-", "+", "COUNT", "10"],
        ),
        ("XREADGROUP COUNT 10", 1, xreadgroup),
        ("LPUSH", 1, vec!["-t", "lpush"]),
        ("RPOP", 1, vec!["-t", "rpop"]),
        ("LPUSH -P 16", 16, vec!["-t", "lpush"]),
        ("PUBLISH", 1, vec!["PUBLISH", "ch", "message"]),
        ("SET", 1, vec!["-t", "set"]),
        ("GET", 1, vec!["-t", "get"]),
        ("HSET", 1, vec!["-t", "hset"]),
        ("SADD", 1, vec!["-t", "sadd"]),
        ("SPOP", 1, vec!["-t", "spop"]),
        ("ZADD", 1, vec!["-t", "zadd"]),
        ("ZPOPMIN", 1, vec!["-t", "zpopmin"]),
        (
            "ZRANGEBYSCORE LIMIT 0 10, 1M members",
            1,
            vec![
                "-r",
                "1000000",
                "ZRANGEBYSCORE",
                "bigz",
                "__rand_int__",
                "+inf",
                "LIMIT",
                "0",
                "10",
            ],
        ),
        (
            "ZRANK, 1M members",
            1,
            vec!["-r", "1000000", "ZRANK", "bigz", "m:__rand_int__"],
        ),
    ];
    benchmark_rows(o, &sluice, &redis, &workloads, md);
}

/// redis-benchmark rows side by side: throughput, p99, CPU per request, the generator's load.
fn benchmark_rows(
    o: &Opts,
    sluice: &Server,
    redis: &Server,
    workloads: &[(&str, usize, Vec<&str>)],
    md: &mut String,
) {
    let _ = writeln!(md, "| workload | sluice req/s | redis req/s | throughput ratio (per-round range) | sluice p99 ms | redis p99 ms | p99 ratio | sluice CPU µs/req | redis CPU µs/req | CPU ratio | redis-benchmark busy (sluice / redis runs) |");
    let _ = writeln!(
        md,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for (name, pipeline, args) in workloads {
        // XREADGROUP consumes entries: bound the requests to what was prefilled.
        // Pipelined rows run 5x the requests: at ~1M req/s, 100,000 would be ~10 CPU ticks.
        let reqs = if name.starts_with("XREADGROUP") {
            o.n.min(15_000)
        } else if *pipeline > 1 {
            o.n * 5
        } else {
            o.n
        };
        // How busy redis-benchmark was, per server: near 100% the row measures the load
        // generator's core, and the servers' own cost shows only in the CPU columns.
        let busy = std::cell::RefCell::new((vec![], vec![]));
        let (r, sluice_p99, redis_p99, p99_ratio) = alternate_aux(o, sluice, redis, reqs, |port| {
            let (rps, p99, b) = redis_benchmark(port, reqs, *pipeline, args);
            let mut busy = busy.borrow_mut();
            if port == sluice.port {
                busy.0.push(b);
            } else {
                busy.1.push(b);
            }
            (rps, p99)
        });
        let (busy_s, busy_r) = busy.into_inner();
        let row = format!(
            "| {name} | {:.0} | {:.0} | {:.2} ({:.2}–{:.2}) | {:.3} | {:.3} | {:.2} | {:.1} | {:.1} | {:.2} | {:.0}% / {:.0}% |",
            r.sluice,
            r.redis,
            r.ratio,
            r.lo,
            r.hi,
            sluice_p99,
            redis_p99,
            p99_ratio,
            r.sluice_cpu_us,
            r.redis_cpu_us,
            r.cpu_ratio,
            median(busy_s) * 100.0,
            median(busy_r) * 100.0,
        );
        eprintln!("{row}");
        let _ = writeln!(md, "{row}");
    }
}

/// A cached script's body (distinct per `i`, about 150 bytes: an application's small script).
fn script_body(i: usize) -> String {
    format!(
        "-- script {i}\nlocal v = redis.call('get', KEYS[1])\nif v == false then v = ARGV[1] redis.call('set', KEYS[1], v) end\nreturn v"
    )
}

/// SCRIPT LOAD on `port`: the sha.
fn script_load(port: u16, body: &str) -> String {
    let mut c = Conn::connect(port).unwrap();
    let r = c.call(&["SCRIPT", "LOAD", body]).unwrap();
    let s = String::from_utf8(r).unwrap();
    s.lines().nth(1).expect("a sha").to_string()
}

fn scripting(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let one = "return redis.call('incr', KEYS[1])";
    let ten = "for i = 1, 9 do redis.call('incr', KEYS[1]) end return redis.call('incr', KEYS[1])";
    let lib = "#!lua name=benchlib\nredis.register_function('bump', function(keys) return redis.call('incr', keys[1]) end)";
    let mut shas = Vec::new();
    for body in [one, ten] {
        let a = script_load(sluice.port, body);
        let b = script_load(redis.port, body);
        assert_eq!(a, b, "the same sha on both");
        shas.push(a);
    }
    for port in [sluice.port, redis.port] {
        let mut c = Conn::connect(port).unwrap();
        let r = c.call(&["FUNCTION", "LOAD", lib]).unwrap();
        assert_eq!(r, b"$8\r\nbenchlib\r\n");
    }
    let workloads: Vec<(&str, usize, Vec<&str>)> = vec![
        (
            "EVALSHA, 1 call (INCR)",
            1,
            vec!["EVALSHA", &shas[0], "1", "counter"],
        ),
        (
            "EVALSHA, 10 calls (INCR x10)",
            1,
            vec!["EVALSHA", &shas[1], "1", "counter10"],
        ),
        (
            "FCALL, 1 call (INCR)",
            1,
            vec!["FCALL", "bump", "1", "fcounter"],
        ),
        (
            "EVALSHA -P 16, 1 call",
            16,
            vec!["EVALSHA", &shas[0], "1", "counter16"],
        ),
    ];
    benchmark_rows(o, &sluice, &redis, &workloads, md);
    drop((sluice, redis));
    let scripts = 10_000;
    let s = memory_per_item(Kind::Sluice, scripts, "scripts");
    let r = memory_per_item(Kind::Redis, scripts, "scripts");
    eprintln!(
        "memory per cached script: sluice {s:.1} B, redis {r:.1} B, ratio {:.2}",
        ratio(s, r)
    );
    let _ = writeln!(
        md,
        "\n| memory (RSS growth per item, {scripts} items) | sluice bytes | redis bytes | ratio |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    let _ = writeln!(
        md,
        "| cached script (SCRIPT LOAD of a distinct ~150-byte script) | {s:.1} | {r:.1} | {:.2} |",
        ratio(s, r)
    );
}

fn groups(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let entries = if o.quick { 20_000 } else { 100_000 };
    pair_head(
        md,
        "consumer group: N producers XADD, M consumers XREADGROUP COUNT 10 + XACK",
        "entries/s",
        "entry",
    );
    for (p, c) in [(1usize, 1usize), (4, 4), (8, 16)] {
        let pair = alternate(o, &sluice, &redis, entries, |port| {
            loadgen::consumer_group(port, p, c, entries, None).entries_per_sec
        });
        ratio_row(md, &format!("{p} producers / {c} consumers"), &pair);
    }
}

/// Redis 8 stream features on sluice alone (no redis-server has them): the cost of XADD IDMP
/// over plain XADD, and consume-and-delete with XREADGROUP CLAIM + XACKDEL against the
/// Redis 7 way (XREADGROUP + XACK + XDEL), each pair run back to back on the same server.
/// Header of a same-server A/B table ([`same_server`] rows).
fn same_head(md: &mut String) {
    let _ = writeln!(
        md,
        "| sluice, same server, back to back | A | B | A / B (per-round range) | server CPU µs/item A | B | CPU A / B |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
}

/// One row comparing two workloads on the same sluice process (pid), `o.rounds` rounds in
/// alternating order: each side's median rate and server CPU per item, and the medians of
/// the per-round ratios with their range.
fn same_server(
    o: &Opts,
    pid: u32,
    label: &str,
    md: &mut String,
    items: usize,
    a: &dyn Fn() -> f64,
    b: &dyn Fn() -> f64,
) {
    let (mut xs, mut ys, mut rs, mut xc, mut yc, mut cr) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let timed = |f: &dyn Fn() -> f64| {
        let c0 = cpu_secs(pid);
        let rate = f();
        (rate, (cpu_secs(pid) - c0) * 1e6 / items as f64)
    };
    for round in 0..o.rounds {
        let ((x, xcpu), (y, ycpu)) = if round % 2 == 0 {
            let x = timed(a);
            (x, timed(b))
        } else {
            let y = timed(b);
            (timed(a), y)
        };
        xs.push(x);
        ys.push(y);
        rs.push(ratio(x, y));
        xc.push(xcpu);
        yc.push(ycpu);
        cr.push(ratio(xcpu, ycpu));
    }
    let (lo, hi) = (
        rs.iter().copied().fold(f64::INFINITY, f64::min),
        rs.iter().copied().fold(0.0, f64::max),
    );
    let row = format!(
        "| {label} | {:.0} | {:.0} | {:.2} ({lo:.2}–{hi:.2}) | {:.2} | {:.2} | {:.2} |",
        median(xs),
        median(ys),
        median(rs),
        median(xc),
        median(yc),
        median(cr)
    );
    eprintln!("{row}");
    let _ = writeln!(md, "{row}");
}

fn redis8(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    same_head(md);
    let pid = sluice.pid();
    let same =
        |label: &str, md: &mut String, items: usize, a: &dyn Fn() -> f64, b: &dyn Fn() -> f64| {
            same_server(o, pid, label, md, items, a, b)
        };
    let port = sluice.port;
    let n = o.n;
    let xadd =
        |p: usize, args: &'static [&'static str]| move || redis_benchmark(port, n, p, args).0;
    let idmp: &[&str] = &[
        "-r",
        "1000000000",
        "XADD",
        "idmp",
        "IDMP",
        "p",
        "__rand_int__",
        "*",
        "f",
        "v",
    ];
    // The same bytes on the wire and the same random argument for the client to generate,
    // without IDMP: the difference is the server's idempotency work.
    let plain: &[&str] = &[
        "-r",
        "1000000000",
        "XADD",
        "plain",
        "*",
        "f",
        "v",
        "x",
        "__rand_int__",
    ];
    for p in [1usize, 16] {
        same(
            &format!("XADD k IDMP p <random iid> * f v (A) vs XADD k * f v x <random> (B), redis-benchmark -P {p}, req/s"),
            md,
            n,
            &xadd(p, idmp),
            &xadd(p, plain),
        );
    }
    let entries = if o.quick { 20_000 } else { 100_000 };
    for (p, c) in [(1usize, 1usize), (4, 4), (8, 16)] {
        same(
            &format!("{p} producers / {c} consumers: XREADGROUP CLAIM + XACKDEL ACKED (A) vs XREADGROUP + XACK + XDEL (B), entries/s"),
            md,
            entries,
            &|| loadgen::consumer_group_with(port, p, c, entries, None, loadgen::Consume::ClaimAckDel, loadgen::Extra::default()).entries_per_sec,
            &|| loadgen::consumer_group_with(port, p, c, entries, None, loadgen::Consume::AckDel, loadgen::Extra::default()).entries_per_sec,
        );
    }
    same(
        "4 producers / 4 consumers, producers with IDMP (A) vs without (B), CLAIM + XACKDEL, entries/s",
        md,
        entries,
        &|| loadgen::consumer_group_with(port, 4, 4, entries, None, loadgen::Consume::ClaimAckDel, loadgen::Extra { idmp: true, ..Default::default() }).entries_per_sec,
        &|| loadgen::consumer_group_with(port, 4, 4, entries, None, loadgen::Consume::ClaimAckDel, loadgen::Extra::default()).entries_per_sec,
    );
}

/// Payload of the delayed-delivery rows: the `ts` field the lateness reader uses and a
/// 16-byte job, 36 bytes of fields.
fn delayed_argv(key: &str, due_ms: u64) -> Vec<String> {
    [
        "SLUICE.DELAY",
        key,
        "AT",
        &due_ms.to_string(),
        "ts",
        &(due_ms * 1000).to_string(),
        "job",
        "0123456789abcdef",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect()
}

/// sluice's queue policies (issue 22): each measured against the same workload without the
/// policy on the same server; delayed delivery's lateness, and the memory and insertion cost
/// of 1,000,000 held entries against the sorted set a Redis user keeps by hand.
fn policies(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let pid = sluice.pid();
    let port = sluice.port;
    let mut c = sluice.conn();
    for (key, age, bytes) in [("pol", "1000", "4mb"), ("loose", "3600000", "1gb")] {
        let r = c
            .call(&[
                "SLUICE.POLICY",
                "RETENTION",
                key,
                "MAXAGE",
                age,
                "MAXBYTES",
                bytes,
                "MKSTREAM",
            ])
            .unwrap();
        assert!(r.starts_with(b"+OK"), "{}", String::from_utf8_lossy(&r));
    }
    same_head(md);
    let same =
        |label: &str, md: &mut String, items: usize, a: &dyn Fn() -> f64, b: &dyn Fn() -> f64| {
            same_server(o, pid, label, md, items, a, b)
        };
    // Pipelined runs get 10x the requests, so that each lasts about a second (a 0.1 s run
    // on this VM varies by ±30% from round to round).
    let n = |p: usize| if p > 1 { o.n * 10 } else { o.n };
    let xadd = |p: usize, key: &'static str| {
        let n = n(p);
        move || {
            redis_benchmark(
                port,
                n,
                p,
                &[
                    "-r",
                    "1000000000",
                    "XADD",
                    key,
                    "*",
                    "f",
                    "v",
                    "x",
                    "__rand_int__",
                ],
            )
            .0
        }
    };
    for p in [1usize, 16] {
        same(
            &format!("XADD, RETENTION MAXAGE 1000 MAXBYTES 4mb trimming all the time (A) vs no policy (B), redis-benchmark -P {p}, req/s"),
            md,
            n(p),
            &xadd(p, "pol"),
            &xadd(p, "plain"),
        );
    }
    same(
        "XADD, RETENTION MAXAGE 3600000 MAXBYTES 1gb never reached (A) vs no policy (B), redis-benchmark -P 16, req/s",
        md,
        n(16),
        &xadd(16, "loose"),
        &xadd(16, "plain"),
    );
    let entries = if o.quick { 20_000 } else { 100_000 };
    let dl = loadgen::Extra {
        dead_letter: true,
        ..Default::default()
    };
    for (p, cs, how, name) in [
        (4usize, 4usize, loadgen::Consume::Ack, "XREADGROUP + XACK"),
        (8, 16, loadgen::Consume::Ack, "XREADGROUP + XACK"),
        (
            4,
            4,
            loadgen::Consume::ClaimAckDel,
            "XREADGROUP CLAIM + XACKDEL",
        ),
    ] {
        same(
            &format!("{p} producers / {cs} consumers, {name}: dead-letter rule MAXDELIVERIES 5 on the group (A) vs none (B), entries/s"),
            md,
            entries,
            &|| loadgen::consumer_group_with(port, p, cs, entries, None, how, dl).entries_per_sec,
            &|| loadgen::consumer_group_with(port, p, cs, entries, None, how, loadgen::Extra::default()).entries_per_sec,
        );
    }
    let _ = c.call(&["DEL", "pol", "loose", "plain"]);

    let secs = if o.quick { 2 } else { 5 };
    let _ = writeln!(
        md,
        "\n| delayed delivery, 10,000 entries/s falling due for {secs} s, one XREAD BLOCK reader (lateness = read time − due time; due times have ms resolution) | p50 ms | p99 ms | max ms |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (schedule, label) in [
        (
            loadgen::Schedule::Ahead,
            "all held beforehand, SLUICE.DELAY AT spread evenly",
        ),
        (
            loadgen::Schedule::Just5ms,
            "each added SLUICE.DELAY DELAY 5 by a paced producer",
        ),
    ] {
        let runs: Vec<Vec<f64>> = (0..o.rounds.min(3))
            .map(|_| loadgen::delayed_lateness(port, 10_000, secs, schedule))
            .collect();
        let at = |p: f64| median(runs.iter().map(|l| loadgen::percentile(l, p)).collect());
        let max = median(
            runs.iter()
                .map(|l| l.last().copied().unwrap_or(0.0))
                .collect(),
        );
        let row = format!(
            "| {label} (median of {} runs) | {:.2} | {:.2} | {max:.2} |",
            runs.len(),
            at(50.0),
            at(99.0)
        );
        eprintln!("{row}");
        let _ = writeln!(md, "{row}");
    }
    drop(c);
    drop(sluice);

    // 1,000,000 held entries: RSS growth per entry and the insertion rate of the first and
    // the last 100,000 (O(log N) per insertion shows as the two staying close), against
    // the sorted set of payloads scored by due time that Redis users keep by hand.
    let items = o.items;
    let far = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 86_400_000;
    let held = |kind: Kind| {
        let s = Server::start(kind, &["--appendonly", "no"]);
        pipelined(s.port, 1000, |i| {
            vec!["SET".into(), format!("warm{i}"), "x".into()]
        });
        let before = s.rss_bytes();
        let chunk = items / 10;
        let mut rates = Vec::new();
        for part in 0..10 {
            let t = Instant::now();
            pipelined(s.port, chunk, |i| {
                // Due times out of order, as producers with different delays send them.
                let j = part * chunk + i;
                let due = far + (j as u64 * 7919) % items as u64;
                match kind {
                    Kind::Sluice => delayed_argv("held", due),
                    _ => vec![
                        "ZADD".into(),
                        "held".into(),
                        due.to_string(),
                        format!("ts {} job 0123456789abcdef {j}", due * 1000),
                    ],
                }
            });
            rates.push(chunk as f64 / t.elapsed().as_secs_f64());
        }
        let per = s.rss_bytes().saturating_sub(before) as f64 / items as f64;
        (per, rates[0], rates[9])
    };
    let (sb, sf, sl) = held(Kind::Sluice);
    let (rb, rf, rl) = held(Kind::Redis);
    let _ = writeln!(
        md,
        "\n| {items} held delayed entries (36 bytes of fields each, due times out of order) | RSS bytes per entry | first 10% inserted per s | last 10% per s | last / first |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: |");
    for (label, b, f, l) in [
        (
            "sluice: SLUICE.DELAY held AT due ts <µs> job <16 bytes>",
            sb,
            sf,
            sl,
        ),
        (
            "redis: ZADD held <due> \"ts <µs> job <16 bytes> <n>\" (the hand-built delay queue)",
            rb,
            rf,
            rl,
        ),
    ] {
        let row = format!(
            "| {label} | {b:.1} | {f:.0} | {l:.0} | {:.2} |",
            ratio(l, f)
        );
        eprintln!("{row}");
        let _ = writeln!(md, "{row}");
    }
    let _ = writeln!(
        md,
        "| sluice / redis | {:.2} | {:.2} | {:.2} | |",
        ratio(sb, rb),
        ratio(sf, rf),
        ratio(sl, rl)
    );
}

/// One row of a load-generator table: each server's median over the rounds, the ratio (the
/// median of the per-round ratios, each round's two runs being back to back), the per-round
/// ratio range, and each server's CPU time per item with its ratio taken the same way.
struct Pair {
    sluice: f64,
    redis: f64,
    ratio: f64,
    lo: f64,
    hi: f64,
    sluice_cpu_us: f64,
    redis_cpu_us: f64,
    cpu_ratio: f64,
}

/// Runs `f` against sluice and redis-server in turn, `o.rounds` times, measuring each
/// server's CPU time over `items` items (entries, jobs, deliveries) per run.
fn alternate(
    o: &Opts,
    sluice: &Server,
    redis: &Server,
    items: usize,
    f: impl Fn(u16) -> f64,
) -> Pair {
    alternate_aux(o, sluice, redis, items, |port| (f(port), 0.0)).0
}

/// [`alternate`] for runs that also report a second figure (redis-benchmark's p99): its
/// medians for sluice and redis, and the median of its per-round ratios, come after the row.
///
/// Why paired: this machine's speed drifts by ±20% over seconds (a shared VM), far more than
/// the difference being measured. Two runs back to back see nearly the same machine, so
/// each round's ratio is the signal and the median over rounds drops the rounds a burst of
/// host noise hit. The order within a round alternates, so neither server always runs
/// first (on a warmer or colder machine).
fn alternate_aux(
    o: &Opts,
    sluice: &Server,
    redis: &Server,
    items: usize,
    f: impl Fn(u16) -> (f64, f64),
) -> (Pair, f64, f64, f64) {
    let (mut a, mut b, mut ac, mut bc, mut ax, mut bx) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut ratios, mut cpu_ratios, mut aux_ratios) = (vec![], vec![], vec![]);
    let run = |s: &Server| {
        let c0 = cpu_secs(s.pid());
        let (rate, aux) = f(s.port);
        (rate, aux, (cpu_secs(s.pid()) - c0) * 1e6 / items as f64)
    };
    for round in 0..o.rounds {
        let ((x, xa, xc), (y, ya, yc)) = in_turn(round, sluice, redis, run);
        a.push(x);
        ax.push(xa);
        ac.push(xc);
        b.push(y);
        bx.push(ya);
        bc.push(yc);
        ratios.push(ratio(x, y));
        cpu_ratios.push(ratio(xc, yc));
        aux_ratios.push(ratio(xa, ya));
    }
    let pair = Pair {
        sluice: median(a),
        redis: median(b),
        ratio: median(ratios.clone()),
        lo: ratios.iter().copied().fold(f64::INFINITY, f64::min),
        hi: ratios.iter().copied().fold(0.0, f64::max),
        sluice_cpu_us: median(ac),
        redis_cpu_us: median(bc),
        cpu_ratio: median(cpu_ratios),
    };
    (pair, median(ax), median(bx), median(aux_ratios))
}

/// Runs `f` on both servers back to back, sluice first in even rounds and redis first in
/// odd ones, so neither always meets a warmer or colder machine: (sluice's, redis's).
fn in_turn<T>(round: usize, sluice: &Server, redis: &Server, f: impl Fn(&Server) -> T) -> (T, T) {
    if round.is_multiple_of(2) {
        let s = f(sluice);
        (s, f(redis))
    } else {
        let r = f(redis);
        (f(sluice), r)
    }
}

/// The header of a load-generator table (`rate`: the rate's unit, `item`: what CPU time is
/// counted per).
fn pair_head(md: &mut String, what: &str, rate: &str, item: &str) {
    let _ = writeln!(md, "| {what} | sluice {rate} | redis {rate} | ratio (per-round range) | sluice CPU µs/{item} | redis CPU µs/{item} | CPU ratio |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
}

/// A row of a load-generator table, echoed as progress.
fn ratio_row(md: &mut String, label: &str, p: &Pair) {
    let row = format!(
        "| {label} | {:.0} | {:.0} | {:.2} ({:.2}–{:.2}) | {:.2} | {:.2} | {:.2} |",
        p.sluice, p.redis, p.ratio, p.lo, p.hi, p.sluice_cpu_us, p.redis_cpu_us, p.cpu_ratio
    );
    eprintln!("{row}");
    let _ = writeln!(md, "{row}");
}

fn group_latency(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    // Latency at a fixed offered load both servers sustain easily, so it is not queueing.
    let rate = 5_000.0;
    let n = if o.quick { 10_000 } else { 50_000 };
    // Each round runs both servers back to back, in alternating order; each percentile is
    // the median over the rounds, its ratio the median of the per-round ratios (as in
    // `alternate_aux`).
    let (mut s, mut r) = (vec![], vec![]);
    for round in 0..o.rounds {
        let (x, y) = in_turn(round, &sluice, &redis, |srv| {
            loadgen::consumer_group(srv.port, 4, 4, n, Some(rate)).latency_ms
        });
        s.push(x);
        r.push(y);
    }
    let _ = writeln!(md, "| producer → consumer latency, 4 producers / 4 consumers, {rate:.0} entries/s offered, {n} entries, median of {} rounds | sluice ms | redis ms | ratio (per-round range) |", o.rounds);
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for p in [50.0, 99.0, 99.9] {
        let at =
            |runs: &[Vec<f64>]| median(runs.iter().map(|l| loadgen::percentile(l, p)).collect());
        let (a, b) = (at(&s), at(&r));
        let per_round: Vec<f64> = s
            .iter()
            .zip(&r)
            .map(|(x, y)| ratio(loadgen::percentile(x, p), loadgen::percentile(y, p)))
            .collect();
        let lo = per_round.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = per_round.iter().copied().fold(0.0, f64::max);
        let q = median(per_round);
        eprintln!(
            "latency p{p}: sluice {a:.3} ms | redis {b:.3} ms | ratio {q:.2} ({lo:.2}–{hi:.2})"
        );
        let _ = writeln!(md, "| p{p} | {a:.3} | {b:.3} | {q:.2} ({lo:.2}–{hi:.2}) |");
    }
}

fn queue(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    pair_head(
        md,
        "job queue (LPUSH producers, BRPOP consumers)",
        "jobs/s",
        "job",
    );
    let jobs = if o.quick { 20_000 } else { 100_000 };
    for (p, c) in [(1usize, 1usize), (4, 4), (8, 16)] {
        let pair = alternate(o, &sluice, &redis, jobs, |port| {
            loadgen::job_queue(port, p, c, jobs)
        });
        ratio_row(md, &format!("{p} producers / {c} consumers"), &pair);
    }
}

fn fanouts(o: &Opts, md: &mut String) {
    let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    pair_head(
        md,
        "pub/sub fan-out, one publisher",
        "msg/s delivered",
        "delivery",
    );
    for subs in [1usize, 10, 100] {
        let messages = (if o.quick { 40_000 } else { 200_000 } / subs).clamp(1000, 50_000);
        let pair = alternate(o, &sluice, &redis, messages * subs, |port| {
            fanout(port, subs, messages)
        });
        ratio_row(md, &format!("{subs} subscriber(s)"), &pair);
    }
}

fn scalings(o: &Opts, md: &mut String) {
    let sizes: &[usize] = if o.quick {
        &[10_000, 1_000_000]
    } else {
        &[10_000, 1_000_000, 10_000_000]
    };
    let _ = writeln!(md, "| sluice stream size | XRANGE COUNT 10, random start (µs/op, pipelined) | XREADGROUP COUNT 10 (µs/op, pipelined) |");
    let _ = writeln!(md, "| ---: | ---: | ---: |");
    for &n in sizes {
        let (a, b) = scaling(n, 20_000);
        eprintln!("stream of {n:>9} entries: XRANGE COUNT 10 {a:.2} us/op, XREADGROUP COUNT 10 {b:.2} us/op");
        let _ = writeln!(md, "| {n} | {a:.2} | {b:.2} |");
    }
}

fn memory(o: &Opts, md: &mut String) {
    let t = Instant::now();
    let mem: Vec<(&str, f64, f64)> = vec![
        (
            "stream entry (XADD ev * sensor_id 1234 temperature 19.8 humidity 0.55)",
            memory_per_item(Kind::Sluice, o.items, "stream"),
            memory_per_item(Kind::Redis, o.items, "stream"),
        ),
        (
            "list element (RPUSH jobs job:N)",
            memory_per_item(Kind::Sluice, o.items, "list"),
            memory_per_item(Kind::Redis, o.items, "list"),
        ),
        (
            "string key (SET job:N:status done)",
            memory_per_item(Kind::Sluice, o.items, "strings"),
            memory_per_item(Kind::Redis, o.items, "strings"),
        ),
        (
            "hash of 5 small fields, one per key (HSET job:N state queued tries 0 ...)",
            memory_per_item(Kind::Sluice, o.items, "small-hashes"),
            memory_per_item(Kind::Redis, o.items, "small-hashes"),
        ),
        (
            "field of one large hash (HSET bighash field:N N)",
            memory_per_item(Kind::Sluice, o.items, "big-hash"),
            memory_per_item(Kind::Redis, o.items, "big-hash"),
        ),
        (
            "member of one sorted set (ZADD bigz N member:N)",
            memory_per_item(Kind::Sluice, o.items, "zset"),
            memory_per_item(Kind::Redis, o.items, "zset"),
        ),
        (
            "member of one set of integers (SADD ints N)",
            memory_per_item(Kind::Sluice, o.items, "int-set"),
            memory_per_item(Kind::Redis, o.items, "int-set"),
        ),
        (
            "member of one set of strings (SADD strs member:N)",
            memory_per_item(Kind::Sluice, o.items, "string-set"),
            memory_per_item(Kind::Redis, o.items, "string-set"),
        ),
    ];
    let _ = writeln!(
        md,
        "| memory (RSS growth per item, {} items) | sluice bytes | redis bytes | ratio |",
        o.items
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (name, s, r) in &mem {
        eprintln!(
            "memory per {name}: sluice {s:.1} B, redis {r:.1} B, ratio {:.2}",
            ratio(*s, *r)
        );
        let _ = writeln!(md, "| {name} | {s:.1} | {r:.1} | {:.2} |", ratio(*s, *r));
    }
    let _ = writeln!(
        md,
        "\n(memory rows took {:.1} s)",
        t.elapsed().as_secs_f64()
    );
}

/// Seconds from process start until the server answers PING with PONG (AOF loaded).
/// Seconds from start to the first PONG of `kind` on `dir` (which it loads); the server is
/// stopped and `dir` left in place.
fn time_to_ready(kind: Kind, dir: std::path::PathBuf, extra: &[&str]) -> f64 {
    let t = Instant::now();
    let mut s = Server::start_in(kind, extra, dir);
    let secs = t.elapsed().as_secs_f64();
    s.terminate();
    std::mem::forget(s);
    secs
}

fn persistence(o: &Opts, md: &mut String) {
    // XADD under always vs everysec, same run; per policy, both servers alternate as in
    // every other table (the disk's fsync latency drifts as much as the CPU does).
    let n = o.n;
    let mut pairs = Vec::new();
    for policy in ["always", "everysec"] {
        let args = [
            "--appendonly",
            "yes",
            "--appendfsync",
            policy,
            "--aof-use-rdb-preamble",
            "no",
        ];
        let sluice = Server::start(Kind::Sluice, &args);
        let redis = Server::start(Kind::Redis, &args);
        let p = alternate(o, &sluice, &redis, n, |port| {
            redis_benchmark(port, n, 1, &["XADD", "dur", "*", "f", "v"]).0
        });
        eprintln!(
            "XADD {policy}: sluice {:.0} rps, redis {:.0} rps, ratio {:.2} ({:.2}–{:.2})",
            p.sluice, p.redis, p.ratio, p.lo, p.hi
        );
        pairs.push(p);
    }
    let _ = writeln!(md, "| XADD, 50 clients, appendonly yes | always req/s | everysec req/s | always as a fraction of everysec |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (name, a, e) in [
        ("Sluice", pairs[0].sluice, pairs[1].sluice),
        ("Redis", pairs[0].redis, pairs[1].redis),
    ] {
        let _ = writeln!(md, "| {name} | {a:.0} | {e:.0} | {:.2} |", ratio(a, e));
    }
    let _ = writeln!(
        md,
        "| sluice / redis (per-round range) | {:.2} ({:.2}–{:.2}) | {:.2} ({:.2}–{:.2}) | |",
        pairs[0].ratio, pairs[0].lo, pairs[0].hi, pairs[1].ratio, pairs[1].lo, pairs[1].hi
    );

    // XADD latency while BGREWRITEAOF rewrites a keyspace holding a 1,000,000-entry stream,
    // then the time to load the rewritten AOF.
    let entries = o.items;
    let (sluice, redis) = rewrite_table(o, md, &format!("a {entries}-entry stream"), |_| {
        sensor_xadd()
    });
    let mut load_rows = Vec::new();
    for (kind, mut s) in [(Kind::Sluice, sluice), (Kind::Redis, redis)] {
        let size = std::fs::read_dir(s.dir.join("appendonlydir"))
            .map(|d| {
                d.filter_map(|e| e.ok()?.metadata().ok())
                    .map(|m| m.len())
                    .sum::<u64>()
            })
            .unwrap_or(0);
        s.terminate();
        let secs = time_to_ready(kind, s.dir.clone(), &["--appendonly", "yes"]);
        let _ = std::fs::remove_dir_all(&s.dir);
        std::mem::forget(s);
        eprintln!(
            "{kind:?}: loads its {:.1} MB AOF ({} entries) in {secs:.2} s",
            size as f64 / 1e6,
            entries
        );
        load_rows.push((kind, size, secs));
    }
    // The same with the keyspace spread over many small keys, where Redis forks a process
    // holding them and sluice snapshots them (see db::Slots).
    rewrite_table(o, md, &format!("{entries} string keys"), |i| {
        vec!["SET".into(), format!("key:{i}"), "value".into()]
    });
    let _ = writeln!(md, "\n| load the rewritten AOF ({entries}-entry stream, AOF format on both) | AOF bytes | start to first PONG s |");
    let _ = writeln!(md, "| --- | ---: | ---: |");
    for (k, size, secs) in &load_rows {
        let _ = writeln!(md, "| {k:?} | {size} | {secs:.2} |");
    }
    let _ = writeln!(
        md,
        "| sluice / redis | {:.2} | {:.2} |",
        ratio(load_rows[0].1 as f64, load_rows[1].1 as f64),
        ratio(load_rows[0].2, load_rows[1].2)
    );
}

/// RDB snapshots of `o.items` string keys plus an `o.items`-entry stream, both servers
/// filled alike: SAVE time and file size, XADD latency during BGSAVE (a fork in Redis, a
/// copy-on-write snapshot and a thread in sluice), then the time to load redis-server's
/// `dump.rdb` (the same bytes for both) and sluice's own.
fn rdb(o: &Opts, md: &mut String) {
    let args = ["--appendonly", "no", "--save", ""];
    let sluice = Server::start(Kind::Sluice, &args);
    let redis = Server::start(Kind::Redis, &args);
    for s in [&sluice, &redis] {
        pipelined(s.port, o.items, |i| {
            vec!["SET".into(), format!("key:{i}"), "value".into()]
        });
        pipelined(s.port, o.items, |_| sensor_xadd());
    }
    let mut saves = Vec::new();
    for s in [&sluice, &redis] {
        let mut c = s.conn();
        let t = Instant::now();
        assert_eq!(c.call(&["SAVE"]).unwrap(), b"+OK\r\n");
        let secs = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(s.dir.join("dump.rdb")).map_or(0, |m| m.len());
        eprintln!("{:?}: SAVE {secs:.2} s, {size} bytes", s.kind);
        saves.push((secs, size));
    }
    settle_disk();
    let base = idle_p99(o, &sluice, &redis);
    let rows = [
        background_latency(Kind::Sluice, &sluice, "BGSAVE", &["rdb_bgsave_in_progress"]),
        background_latency(Kind::Redis, &redis, "BGSAVE", &["rdb_bgsave_in_progress"]),
    ];
    let what = format!("{} string keys and a {}-entry stream", o.items, o.items);
    let _ = writeln!(md, "| SAVE of {what} | SAVE s | dump.rdb bytes |");
    let _ = writeln!(md, "| --- | ---: | ---: |");
    for (k, (secs, size)) in [Kind::Sluice, Kind::Redis].iter().zip(&saves) {
        let _ = writeln!(md, "| {k:?} | {secs:.2} | {size} |");
    }
    let _ = writeln!(
        md,
        "| sluice / redis | {:.2} | {:.2} |",
        ratio(saves[0].0, saves[1].0),
        ratio(saves[0].1 as f64, saves[1].1 as f64)
    );
    // BGSAVE latency, in the rewrite tables' form.
    rewrite_latency_table(md, "BGSAVE", &what, baseline_rounds(o), &base, &rows);
    // Load: both from redis-server's file, alternating, then sluice from its own.
    let (redis_dir, sluice_dir) = (redis.dir.clone(), sluice.dir.clone());
    let (mut sluice, mut redis) = (sluice, redis);
    sluice.terminate();
    redis.terminate();
    std::mem::forget(sluice);
    std::mem::forget(redis);
    let shared = std::env::temp_dir().join(format!("bench-rdb-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&shared);
    std::fs::copy(redis_dir.join("dump.rdb"), shared.join("dump.rdb")).unwrap();
    let load_args = ["--appendonly", "no", "--save", ""];
    let (mut ts, mut tr) = (Vec::new(), Vec::new());
    for round in 0..o.rounds.clamp(1, 5) {
        let order = if round % 2 == 0 {
            [Kind::Sluice, Kind::Redis]
        } else {
            [Kind::Redis, Kind::Sluice]
        };
        for k in order {
            let secs = time_to_ready(k, shared.clone(), &load_args);
            if k == Kind::Sluice {
                ts.push(secs)
            } else {
                tr.push(secs)
            }
        }
    }
    let own = time_to_ready(Kind::Sluice, sluice_dir.clone(), &load_args);
    for d in [&redis_dir, &sluice_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
    let (s_load, r_load) = (median(ts.clone()), median(tr.clone()));
    eprintln!("load redis's dump.rdb: sluice {s_load:.2} s {ts:?}, redis {r_load:.2} s {tr:?}; sluice its own {own:.2} s");
    let _ = writeln!(md, "\n| load redis-server's dump.rdb of {what} (median of {} alternating rounds) | start to first PONG s |", ts.len());
    let _ = writeln!(md, "| --- | ---: |");
    let _ = writeln!(md, "| Sluice | {s_load:.2} |");
    let _ = writeln!(md, "| Redis | {r_load:.2} |");
    let _ = writeln!(md, "| sluice / redis | {:.2} |", ratio(s_load, r_load));
    let _ = writeln!(md, "| Sluice, from its own dump.rdb | {own:.2} |");
    let _ = std::fs::remove_dir_all(&shared);
}

/// One rewrite table: both servers filled with `o.items` commands from `make`, the baseline,
/// then XADD latency during each server's rewrite, written to `md` as rewriting `what`.
/// Returns the servers, their AOFs rewritten.
fn rewrite_table(
    o: &Opts,
    md: &mut String,
    what: &str,
    make: impl Fn(usize) -> Vec<String> + Copy,
) -> (Server, Server) {
    let sluice = Server::start(Kind::Sluice, REWRITE_SERVER);
    let redis = Server::start(Kind::Redis, REWRITE_SERVER);
    for s in [&sluice, &redis] {
        pipelined(s.port, o.items, make);
    }
    settle_disk();
    let base = idle_p99(o, &sluice, &redis);
    let rows = [
        rewrite_latency(Kind::Sluice, &sluice),
        rewrite_latency(Kind::Redis, &redis),
    ];
    rewrite_latency_table(md, "BGREWRITEAOF", what, baseline_rounds(o), &base, &rows);
    (sluice, redis)
}

/// Directives of the servers the rewrite rows measure: AOF format on both (no RDB
/// preamble), rewrites only when asked.
const REWRITE_SERVER: &[&str] = &[
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--aof-use-rdb-preamble",
    "no",
    "--auto-aof-rewrite-percentage",
    "0",
];

/// Flushes the page cache's dirty data (the fills just wrote ~300 MB of AOF between the two
/// servers), so that the latency rows after it are not measured while the disk works
/// through that backlog, for whichever server happens to run first.
fn settle_disk() {
    let _ = Command::new("sync").status();
    std::thread::sleep(std::time::Duration::from_secs(1));
}

/// Rounds of the rewrite tables' baseline (2 s per server each): 5, or fewer if the run has
/// fewer rounds per row (`--quick`: 1).
fn baseline_rounds(o: &Opts) -> usize {
    o.rounds.min(5)
}

/// The rewrite tables' baseline: XADD p99 (ms) from 10 clients over 2 s without a rewrite,
/// both servers in alternating rounds. One run each swung by ±20% from run to run, more
/// than the difference between the servers.
fn idle_p99(o: &Opts, sluice: &Server, redis: &Server) -> Pair {
    let rounds = Opts {
        rounds: baseline_rounds(o),
        ..*o
    };
    let p = alternate(&rounds, sluice, redis, 1, |port| {
        let l = loadgen::latency_for(port, 10, std::time::Duration::from_secs(2));
        loadgen::percentile(&l, 99.0)
    });
    eprintln!(
        "XADD p99 without a rewrite: sluice {:.3} ms, redis {:.3} ms, ratio {:.2} ({:.2}–{:.2})",
        p.sluice, p.redis, p.ratio, p.lo, p.hi
    );
    p
}

/// XADD latency during a rewrite: (server, rewrite seconds, p50, p99, p99.9 and max ms).
type RewriteLatency = (Kind, f64, f64, f64, f64, f64);

/// XADD latency from 10 clients from BGREWRITEAOF over the rewrite or 3 s, whichever is
/// longer (so a fast rewrite is not judged on a shorter, denser window than a slow one).
fn rewrite_latency(kind: Kind, s: &Server) -> RewriteLatency {
    background_latency(
        kind,
        s,
        "BGREWRITEAOF",
        &["aof_rewrite_in_progress", "aof_rewrite_scheduled"],
    )
}

/// XADD latency from 10 clients from `start` (BGREWRITEAOF, BGSAVE) over the background job
/// (while any INFO persistence field of `running` is 1) or 3 s, whichever is longer.
fn background_latency(kind: Kind, s: &Server, start: &str, running: &[&str]) -> RewriteLatency {
    let started = Instant::now();
    let finished = std::cell::Cell::new(None);
    let (busy, _) = loadgen::latency_while(
        s.port,
        10,
        |c| {
            c.call(&[start]).unwrap();
        },
        |c| {
            let running = running
                .iter()
                .any(|f| c.info_field("persistence", f).unwrap() == "1");
            if !running && finished.get().is_none() {
                finished.set(Some(started.elapsed()));
            }
            running || started.elapsed() < std::time::Duration::from_secs(3)
        },
    );
    let took = finished.get().unwrap_or_default();
    let p = |v: &Vec<f64>, q| loadgen::percentile(v, q);
    let max = busy.last().copied().unwrap_or(0.0);
    eprintln!(
        "{kind:?}: XADD during a {:.2} s {start} p50 {:.3} p99 {:.3} p99.9 {:.3} max {max:.3} ms ({} samples)",
        took.as_secs_f64(), p(&busy, 50.0), p(&busy, 99.0), p(&busy, 99.9), busy.len()
    );
    (
        kind,
        took.as_secs_f64(),
        p(&busy, 50.0),
        p(&busy, 99.0),
        p(&busy, 99.9),
        max,
    )
}

/// The table of [`rewrite_latency`] rows for sluice and redis, rewriting `what`, after the
/// baseline from [`idle_p99`].
fn rewrite_latency_table(
    md: &mut String,
    job: &str,
    what: &str,
    base_rounds: usize,
    base: &Pair,
    rows: &[RewriteLatency],
) {
    let _ = writeln!(md, "\n| XADD from 10 clients over the 3 s (or the whole {job}, if longer) from {job} of {what} | p99 without it ms (median of {base_rounds} alternating 2 s rounds) | {job} took s | p50 ms | p99 ms | p99.9 ms | max ms |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for ((k, took, p50, p99, p999, max), idle) in rows.iter().zip([base.sluice, base.redis]) {
        let _ = writeln!(
            md,
            "| {k:?} | {idle:.3} | {took:.2} | {p50:.3} | {p99:.3} | {p999:.3} | {max:.3} |"
        );
    }
    let (a, b) = (&rows[0], &rows[1]);
    let _ = writeln!(
        md,
        "| sluice / redis | {:.2} ({:.2}–{:.2}) | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        base.ratio,
        base.lo,
        base.hi,
        ratio(a.1, b.1),
        ratio(a.2, b.2),
        ratio(a.3, b.3),
        ratio(a.4, b.4),
        ratio(a.5, b.5)
    );
}

/// `load <groups|queue|fanout|latency|xadd> PORT P C N`: one load generator against a running
/// server (latency: producer-to-consumer percentiles at 5,000 entries/s offered).
fn load(args: &[String]) {
    let num = |i: usize| -> usize {
        args.get(i).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            panic!("usage: sluice-bench load <groups|queue|fanout|latency|xadd> PORT P C N")
        })
    };
    let (port, p, c, n) = (num(1) as u16, num(2), num(3), num(4));
    let rate = match args[0].as_str() {
        "groups" => loadgen::consumer_group(port, p, c, n, None).entries_per_sec,
        "queue" => loadgen::job_queue(port, p, c, n),
        "fanout" => fanout(port, c, n),
        "latency" => {
            let l = loadgen::consumer_group(port, p, c, n, Some(5_000.0)).latency_ms;
            let pct = |q| loadgen::percentile(&l, q);
            println!(
                "p50 {:.3} p99 {:.3} p99.9 {:.3} ms",
                pct(50.0),
                pct(99.0),
                pct(99.9)
            );
            return;
        }
        "xadd" => {
            // C clients each XADDing a request at a time for N ms (P unused): the rewrite
            // rows' load, without the rewrite.
            let l = loadgen::latency_for(port, c, std::time::Duration::from_millis(n as u64));
            let pct = |q| loadgen::percentile(&l, q);
            println!(
                "{} requests, p50 {:.3} p99 {:.3} p99.9 {:.3} ms",
                l.len(),
                pct(50.0),
                pct(99.0),
                pct(99.9)
            );
            return;
        }
        other => panic!("unknown load {other:?}: groups, queue, fanout, latency or xadd"),
    };
    println!("{rate:.0}");
}

const UNPINNED: &str = "servers and load generators share all CPUs";

/// Gives the servers CPU 0 and this process (its load-generator threads, and the
/// redis-benchmark runs it starts, which inherit its affinity) the other CPUs, so a server is
/// never preempted by its own load and the ratios measure the servers rather than the
/// scheduler. Both servers get the same treatment. Returns what the results header says.
fn pin_cpus(cpus: usize) -> String {
    if cpus < 2 {
        return UNPINNED.to_string();
    }
    let rest = if cpus == 2 {
        "1".to_string()
    } else {
        format!("1-{}", cpus - 1)
    };
    let pinned = Command::new("taskset")
        .args(["-a", "-cp", &rest, &std::process::id().to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !pinned {
        return UNPINNED.to_string();
    }
    std::env::set_var("SLUICE_BENCH_SERVER_CPUS", "0");
    format!("servers pinned to CPU 0, load generators and redis-benchmark to CPU {rest}")
}

/// The argument after `flag`, if the flag is given.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).map(String::as_str)
}

/// Builds the server binary the run measures. `cargo run -p sluice-bench` builds only this
/// harness, and the server is a separate binary: without this a run would measure whatever
/// `target/release/sluice` an earlier build left. `SLUICE_BIN` names another binary instead.
fn build_sluice() {
    if std::env::var_os("SLUICE_BIN").is_some() {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let ok = std::process::Command::new(cargo)
        .args([
            "build",
            "--release",
            "--bin",
            "sluice",
            "--manifest-path",
            manifest,
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("sluice-bench: building the sluice binary failed");
        std::process::exit(1);
    }
}

/// A plain HTTP/1.1 GET: the response body and how long the whole exchange took.
fn http_get(port: u16, path: &str) -> (std::time::Duration, String) {
    let mut buf = Vec::new();
    let t = http_fetch(port, path, |chunk| buf.extend_from_slice(chunk));
    let text = String::from_utf8_lossy(&buf).into_owned();
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (t, body)
}

/// A GET whose response is read and dropped a chunk at a time, as cheaply as a client can:
/// the background poller of the throughput rows shares a core with the load generator.
fn http_discard(port: u16, path: &str) {
    http_fetch(port, path, |_| {});
}

fn http_fetch(port: u16, path: &str, mut take: impl FnMut(&[u8])) -> std::time::Duration {
    use std::io::{Read, Write};
    let t = Instant::now();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("http connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => take(&chunk[..n]),
        }
    }
    t.elapsed()
}

/// A sample's value in Prometheus text (the first sample of that exact name).
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

/// Streams `q<from>`.. `q<to - 1>` with one group, one consumer and one pending entry each.
fn fill_streams(port: u16, from: usize, to: usize) {
    let mut c = Conn::connect(port).unwrap();
    let cmds = |i: usize| -> [Vec<String>; 3] {
        let k = format!("q{}", from + i);
        [
            ["XADD", &k, "*", "job", "x"].map(String::from).to_vec(),
            ["XGROUP", "CREATE", &k, "workers", "0"]
                .map(String::from)
                .to_vec(),
            [
                "XREADGROUP",
                "GROUP",
                "workers",
                "w1",
                "COUNT",
                "1",
                "STREAMS",
                &k,
                ">",
            ]
            .map(String::from)
            .to_vec(),
        ]
    };
    c.pipeline((to - from) * 3, |i| cmds(i / 3)[i % 3].clone(), drop)
        .unwrap();
}

/// What redis_exporter sends a Redis to export the same stream metrics (`--check-streams
/// q*`): SCAN for the keys, then per stream TYPE, XINFO STREAM, XINFO GROUPS and per group
/// XINFO CONSUMERS, pipelined here (the exporter sends them one at a time).
fn exporter_like_scrape(port: u16) -> std::time::Duration {
    let t = Instant::now();
    let mut c = Conn::connect(port).unwrap();
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    loop {
        let r = c
            .call(&["SCAN", &cursor, "MATCH", "q*", "COUNT", "1000"])
            .unwrap();
        let text = String::from_utf8_lossy(&r).into_owned();
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('*') && !l.starts_with('$'));
        cursor = lines.next().unwrap_or("0").to_string();
        keys.extend(lines.map(str::to_string));
        if cursor == "0" {
            break;
        }
    }
    let per = 4;
    c.pipeline(
        keys.len() * per,
        |i| {
            let k = &keys[i / per];
            match i % per {
                0 => vec!["TYPE".into(), k.clone()],
                1 => vec!["XINFO".into(), "STREAM".into(), k.clone()],
                2 => vec!["XINFO".into(), "GROUPS".into(), k.clone()],
                _ => vec![
                    "XINFO".into(),
                    "CONSUMERS".into(),
                    k.clone(),
                    "workers".into(),
                ],
            }
        },
        drop,
    )
    .unwrap();
    t.elapsed()
}

/// Runs `f` while `poll` runs every `every` on another thread; what `f` returned.
fn while_polling<T>(
    every: std::time::Duration,
    poll: impl Fn() + Send + 'static,
    f: impl FnOnce() -> T,
) -> T {
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let st = stop.clone();
    let h = std::thread::spawn(move || {
        while !st.load(Ordering::Relaxed) {
            let t = Instant::now();
            poll();
            if let Some(rest) = every.checked_sub(t.elapsed()) {
                // Sleep in short slices so the poller stops soon after `f` ends.
                let until = Instant::now() + rest;
                while Instant::now() < until && !st.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        }
    });
    let r = f();
    stop.store(true, Ordering::Relaxed);
    h.join().unwrap();
    r
}

fn observability(o: &Opts, md: &mut String) {
    use std::time::Duration;
    let streams = if o.quick { 2_000 } else { 10_000 };
    let http = redis_compat::free_port();
    let hp = http.to_string();
    let sluice = Server::start(
        Kind::Sluice,
        &["--appendonly", "no", "--sluice-http-port", &hp],
    );
    let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let pid = sluice.pid();
    let port = sluice.port;

    // XADD throughput with Prometheus scraping every second and the dashboard open (its
    // overview page polls /api/overview and its top streams every second), against neither: with a
    // hundred queues, then with `streams`.
    let _ = writeln!(
        md,
        "Keyspace: streams with a group, a consumer and a pending entry each. A: every second a scraper GETs /metrics (and, where the dashboard is open, the overview page's two polls /api/overview and /api/streams?sort=lag&limit=10 run), reading and dropping the responses; B: nothing polls. Same server, back to back, alternating order.\n"
    );
    same_head(md);
    let n = |p: usize| if p > 1 { o.n * 10 } else { o.n };
    let xadd = move |p: usize| {
        let n = n(p);
        move || {
            redis_benchmark(
                port,
                n,
                p,
                &[
                    "-r",
                    "1000000000",
                    "XADD",
                    "obs",
                    "*",
                    "f",
                    "v",
                    "x",
                    "__rand_int__",
                ],
            )
            .0
        }
    };
    // A: the background polls; `dashboard` adds the page's two polls to the scrape.
    let polled = |p: usize, dashboard: bool| {
        let run = xadd(p);
        move || {
            while_polling(
                Duration::from_secs(1),
                move || {
                    http_discard(http, "/metrics");
                    if dashboard {
                        http_discard(http, "/api/overview");
                        http_discard(http, OVERVIEW_POLL);
                    }
                },
                run,
            )
        }
    };
    // The scrape itself and what clients see meanwhile are measured on the full keyspace
    // before the throughput rows grow the XADD stream, and reported after them.
    let mut tail = String::new();
    let mut have = 0;
    for keys in [100, streams] {
        fill_streams(sluice.port, have, keys);
        fill_streams(redis.port, have, keys);
        have = keys;
        if keys == streams {
            scrape_costs(o, http, sluice.port, redis.port, streams, &mut tail);
        }
        for (p, dashboard) in [(1usize, false), (16, false), (16, true)] {
            let what = if dashboard {
                "/metrics scraped and the dashboard open"
            } else {
                "/metrics scraped"
            };
            same_server(
                o,
                pid,
                &format!("XADD, redis-benchmark -P {p}, {keys} streams: {what} every second (A) vs not (B), req/s"),
                md,
                n(p),
                &polled(p, dashboard),
                &xadd(p),
            );
        }
    }
    md.push_str(&tail);
}

/// What the dashboard's overview polls for its streams table (beside /api/overview), and
/// what its streams view polls.
const OVERVIEW_POLL: &str = "/api/streams?sort=lag&limit=10";
const STREAMS_PAGE: &str = "/api/streams?limit=100";

/// One scrape of `streams` streams, sluice's beside redis_exporter's calls to a Redis, and
/// PING p99 while scraping back to back.
fn scrape_costs(o: &Opts, http: u16, port: u16, rport: u16, streams: usize, tail: &mut String) {
    use std::time::Duration;
    // What one scrape costs, sluice's /metrics beside the calls redis_exporter makes to a
    // Redis for the same stream metrics.
    let k = if o.quick { 5 } else { 15 };
    let (mut times, mut longest, mut steps, mut size) = (vec![], vec![], 0.0, 0);
    for _ in 0..k {
        let (t, body) = http_get(http, "/metrics");
        times.push(t.as_secs_f64() * 1e3);
        longest.push(metric(&body, "sluice_scrape_longest_step_seconds") * 1e3);
        steps = metric(&body, "sluice_scrape_steps");
        size = body.len();
    }
    let over = longest.iter().filter(|&&l| l > 1.0).count();
    let api: Vec<f64> = (0..k)
        .map(|_| http_get(http, OVERVIEW_POLL).0.as_secs_f64() * 1e3)
        .collect();
    let page: Vec<f64> = (0..k)
        .map(|_| http_get(http, STREAMS_PAGE).0.as_secs_f64() * 1e3)
        .collect();
    let exp: Vec<f64> = (0..k)
        .map(|_| exporter_like_scrape(rport).as_secs_f64() * 1e3)
        .collect();
    let pct = |v: &[f64], p: f64| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    let _ = writeln!(
        tail,
        "\n| one scrape of {streams} streams ({k} scrapes) | p50 ms | max ms | longest store hold per scrape, ms: median / max (scrapes over 1 ms) | store lock steps |\n| --- | ---: | ---: | ---: | ---: |"
    );
    let _ = writeln!(
        tail,
        "| sluice GET /metrics ({:.1} MB of text) | {:.1} | {:.1} | {:.3} / {:.3} ({over} of {k}) | {steps:.0} |",
        size as f64 / 1e6,
        pct(&times, 0.5),
        pct(&times, 1.0),
        pct(&longest, 0.5),
        pct(&longest, 1.0)
    );
    let _ = writeln!(
        tail,
        "| sluice GET {OVERVIEW_POLL} (the overview page's poll) | {:.1} | {:.1} | | |",
        pct(&api, 0.5),
        pct(&api, 1.0)
    );
    let _ = writeln!(
        tail,
        "| sluice GET {STREAMS_PAGE} (the streams page's poll) | {:.1} | {:.1} | | |",
        pct(&page, 0.5),
        pct(&page, 1.0)
    );
    let _ = writeln!(
        tail,
        "| redis-server: SCAN + TYPE + XINFO STREAM/GROUPS/CONSUMERS per stream, pipelined (what redis_exporter --check-streams asks) | {:.1} | {:.1} | one command at a time | |",
        pct(&exp, 0.5),
        pct(&exp, 1.0)
    );

    // What a client sees meanwhile: PING p99 with scrapes back to back, against idle.
    let ping = |port: u16| redis_benchmark(port, o.n, 1, &["PING"]).1;
    let (mut quiet, mut busy) = (vec![], vec![]);
    let (mut rquiet, mut rbusy) = (vec![], vec![]);
    for _ in 0..o.rounds {
        quiet.push(ping(port));
        busy.push(while_polling(
            Duration::ZERO,
            move || http_discard(http, "/metrics"),
            || ping(port),
        ));
        rquiet.push(ping(rport));
        rbusy.push(while_polling(
            Duration::ZERO,
            move || {
                let _ = exporter_like_scrape(rport);
            },
            || ping(rport),
        ));
    }
    let _ = writeln!(
        tail,
        "\n| PING p99 ms, redis-benchmark 50 clients | idle | while scraping back to back | ratio |\n| --- | ---: | ---: | ---: |"
    );
    for (name, q, b) in [
        ("sluice (/metrics)", quiet, busy),
        ("redis-server (exporter's calls)", rquiet, rbusy),
    ] {
        let (q, b) = (median(q), median(b));
        let _ = writeln!(tail, "| {name} | {q:.3} | {b:.3} | {:.2} |", ratio(b, q));
    }
}

/// `n` connections opened at once by `threads` threads (each connects its share, then sends
/// each a PING and reads the PONG): the time until every one was answered, and the open
/// connections (dropped by the caller once it has measured what they cost).
fn connection_storm(port: u16, n: usize, threads: usize) -> (f64, Vec<std::net::TcpStream>) {
    use std::io::{Read, Write};
    let t = Instant::now();
    let per = n.div_ceil(threads);
    let hs: Vec<_> = (0..threads)
        .map(|i| {
            let count = per.min(n.saturating_sub(i * per));
            std::thread::spawn(move || {
                let mut socks: Vec<std::net::TcpStream> = (0..count)
                    .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect"))
                    .collect();
                let mut buf = [0u8; 7];
                for s in &mut socks {
                    s.write_all(b"PING\r\n").unwrap();
                }
                for s in &mut socks {
                    s.read_exact(&mut buf).unwrap();
                    assert_eq!(&buf, b"+PONG\r\n");
                }
                socks
            })
        })
        .collect();
    let socks: Vec<_> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
    (t.elapsed().as_secs_f64(), socks)
}

/// Connection storms and what an idle connection costs, side by side.
fn connections(o: &Opts, md: &mut String) {
    let n = if o.quick { 2_000 } else { 10_000 };
    let threads = 100;
    let limit = (n + 1_000).to_string();
    // Per round: (sluice, redis) seconds and bytes per connection.
    let mut times: Vec<(f64, f64)> = vec![];
    let mut mems: Vec<(f64, f64)> = vec![];
    for round in 0..o.rounds {
        let one = |kind: Kind| {
            let s = Server::start(kind, &["--appendonly", "no", "--maxclients", &limit]);
            // A first connection, so both servers have made their per-client structures.
            drop(connection_storm(s.port, 10, 1));
            std::thread::sleep(std::time::Duration::from_millis(200));
            let before = s.rss_bytes() as f64;
            let (secs, socks) = connection_storm(s.port, n, threads);
            std::thread::sleep(std::time::Duration::from_millis(300));
            let per = (s.rss_bytes() as f64 - before) / n as f64;
            drop(socks);
            (secs, per)
        };
        let (a, b) = if round % 2 == 0 {
            let a = one(Kind::Sluice);
            (a, one(Kind::Redis))
        } else {
            let b = one(Kind::Redis);
            (one(Kind::Sluice), b)
        };
        times.push((a.0, b.0));
        mems.push((a.1, b.1));
    }
    let row = |v: &[(f64, f64)]| {
        let s = median(v.iter().map(|p| p.0).collect());
        let r = median(v.iter().map(|p| p.1).collect());
        let q = median(v.iter().map(|p| ratio(p.0, p.1)).collect());
        (s, r, q)
    };
    let (st, rt, qt) = row(&times);
    let (sm, rm, qm) = row(&mems);
    let _ = writeln!(
        md,
        "{n} connections opened at once by {threads} threads, each then sending PING and reading PONG; {} rounds, alternating order, `--maxclients {limit}` on both.\n",
        o.rounds
    );
    let _ = writeln!(
        md,
        "| | sluice | redis | ratio |\n| --- | ---: | ---: | ---: |"
    );
    let _ = writeln!(
        md,
        "| time until all {n} were answered, ms | {:.0} | {:.0} | {qt:.2} |",
        st * 1e3,
        rt * 1e3
    );
    let _ = writeln!(
        md,
        "| memory per idle connection (RSS growth / {n}), bytes | {sm:.0} | {rm:.0} | {qm:.2} |"
    );
}

/// Certificates for the TLS section, made with the openssl command: a CA, a server
/// certificate for 127.0.0.1 and a client certificate (both servers require one, as
/// `tls-auth-clients yes` does by default). Returns their directory.
fn make_certs() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-bench-tls-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let run = |args: &[&str]| {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("openssl")
            .status
            .success();
        assert!(ok, "openssl {}", args.join(" "));
    };
    std::fs::write(
        dir.join("srv.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    std::fs::write(dir.join("cli.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=bench CA",
    ]);
    for (name, ext) in [("server", "srv.ext"), ("client", "cli.ext")] {
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-extfile",
            ext,
        ]);
    }
    dir
}

/// TLS side by side: both servers with a `tls-port`, redis-benchmark over TLS with a client
/// certificate (the load generator's TLS costs the same against both).
fn tls(o: &Opts, md: &mut String) {
    let dir = make_certs();
    let f = |n: &str| dir.join(n).display().to_string();
    let (cert, key, ca) = (f("server.crt"), f("server.key"), f("ca.crt"));
    let (ccert, ckey) = (f("client.crt"), f("client.key"));
    let client_tls = ["--tls", "--cacert", &ca, "--cert", &ccert, "--key", &ckey];
    let workloads: Vec<(&str, Vec<&str>)> = vec![
        ("GET", vec!["-t", "get"]),
        ("SET", vec!["-t", "set"]),
        ("XADD", vec!["XADD", "bench", "*", "f", "v"]),
    ];
    // Per workload and round: (sluice rps, redis rps, sluice p99, redis p99).
    let mut rows: Vec<Vec<(f64, f64, f64, f64)>> = vec![vec![]; workloads.len()];
    for round in 0..o.rounds {
        let start = |kind: Kind| {
            let port = redis_compat::free_port();
            let s = Server::start(
                kind,
                &[
                    "--appendonly",
                    "no",
                    "--tls-port",
                    &port.to_string(),
                    "--tls-cert-file",
                    &cert,
                    "--tls-key-file",
                    &key,
                    "--tls-ca-cert-file",
                    &ca,
                ],
            );
            (s, port)
        };
        let (sl, sl_port) = start(Kind::Sluice);
        let (rd, rd_port) = start(Kind::Redis);
        for (i, (_, cmd)) in workloads.iter().enumerate() {
            let mut args: Vec<&str> = client_tls.to_vec();
            args.extend(cmd.iter());
            let run = |port| redis_benchmark(port, o.n, 1, &args);
            let (a, b) = if round % 2 == 0 {
                let a = run(sl_port);
                (a, run(rd_port))
            } else {
                let b = run(rd_port);
                (run(sl_port), b)
            };
            rows[i].push((a.0, b.0, a.1, b.1));
        }
        drop((sl, rd));
    }
    let _ = writeln!(
        md,
        "redis-benchmark over TLS 1.3 with a client certificate (`tls-auth-clients yes`), 50 clients, {} requests, no pipelining; {} rounds, alternating order. sluice: rustls (ring); redis-server 7.0.15: OpenSSL 3.0.\n",
        o.n, o.rounds
    );
    let _ = writeln!(
        md,
        "| workload | sluice rps | redis rps | ratio | sluice p99 ms | redis p99 ms | p99 ratio |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for ((name, _), r) in workloads.iter().zip(&rows) {
        let sr = median(r.iter().map(|x| x.0).collect());
        let rr = median(r.iter().map(|x| x.1).collect());
        let q = median(r.iter().map(|x| ratio(x.0, x.1)).collect());
        let sp = median(r.iter().map(|x| x.2).collect());
        let rp = median(r.iter().map(|x| x.3).collect());
        let qp = median(r.iter().map(|x| ratio(x.2, x.3)).collect());
        let _ = writeln!(
            md,
            "| {name} | {sr:.0} | {rr:.0} | {q:.2} | {sp:.3} | {rp:.3} | {qp:.2} |"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("load") {
        return load(&args[2..]);
    }
    // Anything else is a mistake to report, not a reason to start a 20-minute run.
    let mut rest = args.iter().skip(1);
    while let Some(a) = rest.next() {
        let ok = match a.as_str() {
            "--quick" | "--no-pin" => true,
            "--only" | "--rounds" => rest.next().is_some(),
            _ => false,
        };
        if !ok {
            let help = a == "--help" || a == "-h";
            let usage = "usage: sluice-bench [--quick] [--rounds N] [--no-pin] [--only SECTION,...]\n       \
                         sluice-bench load <groups|queue|fanout|latency|xadd> PORT P C N\n\
                         sections: throughput, scripting, groups, latency, queue, fanout, scaling, memory, persistence, rdb, redis8, policies, observability, connections, tls";
            if help {
                println!("{usage}");
                std::process::exit(0);
            }
            eprintln!("sluice-bench: unexpected argument '{a}'\n{usage}");
            std::process::exit(2);
        }
    }
    build_sluice();
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let placement = if args.iter().any(|a| a == "--no-pin") {
        UNPINNED.to_string()
    } else {
        pin_cpus(cpus)
    };
    let quick = args.iter().any(|a| a == "--quick");
    let only: Option<Vec<String>> =
        flag_value(&args, "--only").map(|s| s.split(',').map(str::to_string).collect());
    let o = Opts {
        quick,
        rounds: flag_value(&args, "--rounds")
            .map(|r| r.parse().expect("--rounds takes a number"))
            .unwrap_or(if quick { 1 } else { 7 }),
        n: if quick { 20_000 } else { 100_000 },
        items: if quick { 200_000 } else { 1_000_000 },
    };
    type Section = fn(&Opts, &mut String);
    let sections: Vec<(&str, &str, Section)> = vec![
        ("throughput", "redis-benchmark workloads", throughput),
        (
            "scripting",
            "Lua scripts and functions (redis-benchmark)",
            scripting,
        ),
        (
            "groups",
            "Consumer groups end to end (our load generator)",
            groups,
        ),
        (
            "latency",
            "Producer-to-consumer latency (our load generator)",
            group_latency,
        ),
        ("queue", "BRPOP job queue (our load generator)", queue),
        ("fanout", "Pub/sub fan-out (our load generator)", fanouts),
        ("scaling", "Stream read cost against size", scalings),
        ("memory", "Memory", memory),
        ("persistence", "Persistence", persistence),
        ("rdb", "RDB snapshots", rdb),
        ("redis8", "Redis 8 stream features (sluice alone)", redis8),
        (
            "policies",
            "Queue policies (sluice alone, against itself without them)",
            policies,
        ),
        (
            "observability",
            "Metrics and dashboard: their cost under load, and one scrape beside redis_exporter's calls",
            observability,
        ),
        (
            "connections",
            "Connection storms and idle connections",
            connections,
        ),
        ("tls", "TLS (redis-benchmark over TLS)", tls),
    ];
    let mut md = String::new();
    let _ = writeln!(md, "# sluice vs redis-server, side by side\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run --release -p sluice-bench` on this machine ({} cores, {placement}); redis-server {}. redis-benchmark rows: 50 clients, {} requests per run; every row is the median of {} rounds; in each round the two servers run back to back, in alternating order, and a row's ratio is the median of its per-round ratios (a paired comparison: this shared VM's speed drifts by more than the differences measured); AOF off except in the persistence section. Ratios are sluice / redis: above 1.0 favours sluice for throughput, below 1.0 for latency, memory and time. The last redis-benchmark column is how much of each run's wall time redis-benchmark itself spent on its CPU: near 100% the load generator's one core is the bottleneck, and a server changes that row through what it costs the client: each request that finds the server asleep pays for waking it (on this VM an inter-processor interrupt, in the client's system time). While its event loop is busy at least half the time, sluice polls through idle gaps of up to 50 µs instead of sleeping (`src/busy_poll.rs`); its CPU per request includes that polling, so on those rows its CPU column can exceed redis-server's while its throughput is higher.\n",
        cpus,
        redis_version(),
        o.n,
        o.rounds
    );
    for (name, title, f) in &sections {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == name)) {
            continue;
        }
        let t = Instant::now();
        let _ = writeln!(md, "## {title}\n");
        f(&o, &mut md);
        let _ = writeln!(md);
        eprintln!("[{name}: {:.0} s]", t.elapsed().as_secs_f64());
    }
    if only.is_some() {
        println!("{md}");
        return;
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("RESULTS.md");
    std::fs::write(&path, md).unwrap();
    eprintln!("wrote {}", path.display());
}
