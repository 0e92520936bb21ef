//! `cargo run --release -p sluice-bench [-- --quick]`: sluice and the distro redis-server,
//! side by side on this machine, in one run; every row is a ratio because absolute numbers
//! drift on a shared machine. Writes `bench/RESULTS.md`.
//!
//! Rows: redis-benchmark workloads (50 clients, servers alternating, median of rounds),
//! memory per stream entry and per list element (RSS growth over 1,000,000 items).

use redis_compat::{Conn, Kind, Server};
use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

struct Row {
    name: String,
    sluice_rps: f64,
    redis_rps: f64,
    sluice_p99: f64,
    redis_p99: f64,
}

/// Runs one redis-benchmark workload; returns (requests/s, p99 ms).
fn redis_benchmark(port: u16, n: usize, pipeline: usize, args: &[&str]) -> (f64, f64) {
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
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Sends `count` commands built by `make` pipelined in batches; waits for every reply.
fn pipelined(port: u16, count: usize, make: impl Fn(usize) -> Vec<String>) {
    let mut c = Conn::connect(port).unwrap();
    let batch = 1000;
    let mut i = 0;
    while i < count {
        let n = batch.min(count - i);
        let mut buf = Vec::new();
        for k in 0..n {
            buf.extend(redis_compat::encode(&make(i + k)));
        }
        c.send_raw(&buf).unwrap();
        for _ in 0..n {
            c.read_frame().unwrap();
        }
        i += n;
    }
}

fn memory_per_item(kind: Kind, items: usize, what: &str) -> f64 {
    let s = Server::start(kind, &["--appendonly", "no"]);
    // Warm the allocator with a throwaway key so its first arenas do not count.
    pipelined(s.port, 1000, |i| {
        vec!["SET".into(), format!("warm{i}"), "x".into()]
    });
    let before = s.rss_bytes();
    match what {
        "stream" => pipelined(s.port, items, |_| {
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
        }),
        _ => pipelined(s.port, items, |i| {
            vec!["RPUSH".into(), "jobs".into(), format!("job:{}", i % 100000)]
        }),
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
        [
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "10",
            "STREAMS",
            "big",
            ">",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    });
    let xreadgroup = t.elapsed().as_secs_f64() * 1e6 / reads as f64;
    (xrange, xreadgroup)
}

/// `producers` LPUSH and `consumers` BRPOP `jobs` jobs in total; jobs per second end to end.
fn job_queue(port: u16, producers: usize, consumers: usize, jobs: usize) -> f64 {
    let start = Instant::now();
    let mut hs = Vec::new();
    for _ in 0..consumers {
        hs.push(std::thread::spawn(move || {
            let mut c = Conn::connect(port).unwrap();
            let mut got = 0usize;
            loop {
                let r = c.call(&["BRPOP", "jobs", "1"]).unwrap();
                if r.starts_with(b"*-1") || r.starts_with(b"_") {
                    return got;
                }
                got += 1;
            }
        }));
    }
    let per = jobs / producers;
    let ps: Vec<_> = (0..producers)
        .map(|p| {
            std::thread::spawn(move || {
                let mut c = Conn::connect(port).unwrap();
                for i in 0..per {
                    c.call(&["LPUSH", "jobs", &format!("job-{p}-{i}")]).unwrap();
                }
            })
        })
        .collect();
    for p in ps {
        p.join().unwrap();
    }
    let got: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(got, per * producers, "every job consumed exactly once");
    // The consumers' final 1 s BRPOP timeout is not work: leave it out.
    got as f64 / (start.elapsed().as_secs_f64() - 1.0).max(0.001)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 20_000 } else { 100_000 };
    let rounds = if quick { 1 } else { 3 };
    let items = if quick { 200_000 } else { 1_000_000 };
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
    }
    let workloads: Vec<(&str, usize, Vec<&str>)> = vec![
        ("XADD", 1, vec!["XADD", "bench", "*", "f", "v"]),
        ("XADD -P 16", 16, vec!["XADD", "bench16", "*", "f", "v"]),
        (
            "XRANGE COUNT 10",
            1,
            vec!["XRANGE", "rs", "-", "+", "COUNT", "10"],
        ),
        (
            "XREADGROUP COUNT 10",
            1,
            vec![
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "COUNT",
                "10",
                "STREAMS",
                "rs",
                ">",
            ],
        ),
        ("LPUSH", 1, vec!["-t", "lpush"]),
        ("RPOP", 1, vec!["-t", "rpop"]),
        ("LPUSH -P 16", 16, vec!["-t", "lpush"]),
        ("PUBLISH", 1, vec!["PUBLISH", "ch", "message"]),
        ("SET", 1, vec!["-t", "set"]),
        ("GET", 1, vec!["-t", "get"]),
    ];
    let mut rows = Vec::new();
    for (name, pipeline, args) in &workloads {
        // XREADGROUP consumes entries: bound the requests to what was prefilled.
        let reqs = if name.starts_with("XREADGROUP") {
            (n).min(15_000)
        } else {
            n
        };
        let (mut sr, mut rr, mut sp, mut rp) = (vec![], vec![], vec![], vec![]);
        for _ in 0..rounds {
            let (a, b) = redis_benchmark(sluice.port, reqs, *pipeline, args);
            sr.push(a);
            sp.push(b);
            let (a, b) = redis_benchmark(redis.port, reqs, *pipeline, args);
            rr.push(a);
            rp.push(b);
        }
        let row = Row {
            name: name.to_string(),
            sluice_rps: median(sr),
            redis_rps: median(rr),
            sluice_p99: median(sp),
            redis_p99: median(rp),
        };
        eprintln!("{:<22} sluice {:>10.0} rps p99 {:.3} ms | redis {:>10.0} rps p99 {:.3} ms | ratio {:.2}", row.name, row.sluice_rps, row.sluice_p99, row.redis_rps, row.redis_p99, row.sluice_rps / row.redis_rps.max(1.0));
        rows.push(row);
    }
    // Pub/sub fan-out.
    let mut fan = Vec::new();
    for subs in [1usize, 10, 100] {
        let messages = (if quick { 40_000 } else { 200_000 } / subs).clamp(1000, 50_000);
        let (mut a, mut b) = (vec![], vec![]);
        for _ in 0..rounds {
            a.push(fanout(sluice.port, subs, messages));
            b.push(fanout(redis.port, subs, messages));
        }
        let (a, b) = (median(a), median(b));
        eprintln!("fan-out to {subs:>3} subscribers: sluice {a:>10.0} msg/s | redis {b:>10.0} msg/s | ratio {:.2}", a / b.max(1.0));
        fan.push((subs, a, b));
    }
    let mut queue = Vec::new();
    for (producers, consumers) in [(1usize, 1usize), (4, 4), (8, 16)] {
        let jobs = if quick { 20_000 } else { 100_000 };
        let a = job_queue(sluice.port, producers, consumers, jobs);
        let b = job_queue(redis.port, producers, consumers, jobs);
        eprintln!("job queue {producers}P/{consumers}C: sluice {a:>8.0} jobs/s | redis {b:>8.0} jobs/s | ratio {:.2}", a / b.max(1.0));
        queue.push((producers, consumers, a, b));
    }
    drop(sluice);
    drop(redis);
    let sizes: &[usize] = if quick {
        &[10_000, 1_000_000]
    } else {
        &[10_000, 1_000_000, 10_000_000]
    };
    let mut scale = Vec::new();
    for &n in sizes {
        let (a, b) = scaling(n, 20_000);
        eprintln!("stream of {n:>9} entries: XRANGE COUNT 10 {a:.2} us/op, XREADGROUP COUNT 10 {b:.2} us/op");
        scale.push((n, a, b));
    }
    let t = Instant::now();
    let mem: Vec<(&str, f64, f64)> = vec![
        (
            "stream entry (XADD ev * sensor_id 1234 temperature 19.8 humidity 0.55)",
            memory_per_item(Kind::Sluice, items, "stream"),
            memory_per_item(Kind::Redis, items, "stream"),
        ),
        (
            "list element (RPUSH jobs job:N)",
            memory_per_item(Kind::Sluice, items, "list"),
            memory_per_item(Kind::Redis, items, "list"),
        ),
    ];
    for (name, s, r) in &mem {
        eprintln!(
            "memory per {name}: sluice {s:.1} B, redis {r:.1} B, ratio {:.2}",
            s / r.max(0.001)
        );
    }
    let mut md = String::new();
    let _ = writeln!(md, "# sluice vs redis-server, side by side\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run --release -p sluice-bench` on this machine ({} cores); redis-server {}. 50 clients, {} requests per run, median of {} rounds, servers alternating, AOF off on both. Ratios above 1.0 favour sluice for throughput; below 1.0 for latency and memory.\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        String::from_utf8_lossy(&Command::new("redis-server").arg("--version").output().unwrap().stdout).split_whitespace().nth(2).unwrap_or("?").trim_start_matches("v="),
        n,
        rounds
    );
    let _ = writeln!(md, "| workload | sluice req/s | redis req/s | throughput ratio | sluice p99 ms | redis p99 ms | p99 ratio |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {:.0} | {:.0} | {:.2} | {:.3} | {:.3} | {:.2} |",
            r.name,
            r.sluice_rps,
            r.redis_rps,
            r.sluice_rps / r.redis_rps.max(1.0),
            r.sluice_p99,
            r.redis_p99,
            r.sluice_p99 / r.redis_p99.max(0.001)
        );
    }
    let _ = writeln!(
        md,
        "\n| job queue (LPUSH producers, BRPOP consumers) | sluice jobs/s | redis jobs/s | ratio |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (p, c, a, b) in &queue {
        let _ = writeln!(
            md,
            "| {p} producers / {c} consumers | {a:.0} | {b:.0} | {:.2} |",
            a / b.max(1.0)
        );
    }
    let _ = writeln!(md, "\n| sluice stream size | XRANGE COUNT 10, random start (µs/op, pipelined) | XREADGROUP COUNT 10 (µs/op, pipelined) |");
    let _ = writeln!(md, "| ---: | ---: | ---: |");
    for (n, a, b) in &scale {
        let _ = writeln!(md, "| {n} | {a:.2} | {b:.2} |");
    }
    let _ = writeln!(md, "\n| pub/sub fan-out, one publisher | sluice msg/s delivered | redis msg/s delivered | ratio |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (subs, a, b) in &fan {
        let _ = writeln!(
            md,
            "| {subs} subscriber(s) | {a:.0} | {b:.0} | {:.2} |",
            a / b.max(1.0)
        );
    }
    let _ = writeln!(
        md,
        "\n| memory (RSS growth per item, {items} items) | sluice bytes | redis bytes | ratio |"
    );
    let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
    for (name, s, r) in &mem {
        let _ = writeln!(md, "| {name} | {s:.1} | {r:.1} | {:.2} |", s / r.max(0.001));
    }
    let _ = writeln!(
        md,
        "\n(memory rows took {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("RESULTS.md");
    std::fs::write(&path, md).unwrap();
    eprintln!("wrote {}", path.display());
}
