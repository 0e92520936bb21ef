//! The real-client matrix: each client library runs the same queue scenarios (consumer group
//! with a dying consumer recovered by XAUTOCLAIM, BRPOP workers, reliable BLMOVE queue,
//! pub/sub fan-out with patterns, pipelines, transactions with WATCH) against sluice and
//! against redis-server; the job frameworks (Celery, arq, taskiq-redis, huey) run an
//! enqueue → work → result scenario each. A scenario that fails on redis-server is a broken scenario, not a
//! sluice bug, so both must pass.

use redis_compat::*;
use std::path::Path;
use std::process::Command;

fn clients_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("clients")
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

#[test]
fn redis_py_sync_and_asyncio_resp2_and_resp3() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let script = clients_dir().join("python_scenarios.py");
    run(
        Command::new("python3").arg(&script).arg(r.port.to_string()),
        "redis-py against redis-server",
    );
    let out = run(
        Command::new("python3").arg(&script).arg(s.port.to_string()),
        "redis-py against sluice",
    );
    let n = out
        .lines()
        .filter(|l| l.ends_with("ok") || l.contains(": ok ("))
        .count();
    // 5 sync scenarios (the last: Lock and scripts) and the asyncio one, in RESP2 and RESP3.
    assert_eq!(n, 12, "{out}");
    println!("client matrix: redis-py {n}/12 scenario runs passed against sluice");
}

/// redis-py 8.1's own API for the Redis 8 commands (IDMP, CLAIM, XNACK, XACKDEL, XDELEX,
/// MAXCOUNT/MAXSIZE, LMOVEM/BLMOVEM, SET IFEQ.../DIGEST/DELEX, MSETEX, INCREX), RESP2 and
/// RESP3: against sluice only, as no runnable Redis here has them.
#[test]
fn redis_py_speaks_redis8_to_sluice() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let out = run(
        Command::new("python3")
            .arg(clients_dir().join("redis8_scenarios.py"))
            .arg(s.port.to_string()),
        "redis-py Redis 8 commands against sluice",
    );
    let n = out
        .lines()
        .filter(|l| l.contains("Redis 8 commands: ok"))
        .count();
    assert_eq!(n, 2, "{out}");
    println!("client matrix: redis-py Redis 8 API {n}/2 protocol runs passed against sluice");
}

/// sluice's dead-letter policy with redis-py workers that crash on a poison message: after
/// three deliveries it sits in the dead-letter stream and every other message is handled
/// once (sluice only: the policy is sluice's own).
#[test]
fn redis_py_workers_survive_a_poison_message() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let out = run(
        Command::new("python3")
            .current_dir(clients_dir())
            .arg(clients_dir().join("poison_scenario.py"))
            .arg(s.port.to_string()),
        "redis-py poison-message scenario against sluice",
    );
    assert!(out.contains("poison message: ok"), "{out}");
    println!("client matrix: {}", out.trim());
}

/// The frameworks' own virtualenv (scripts/test builds it: they pin redis-py below 6).
fn frameworks_python() -> std::path::PathBuf {
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/frameworks-venv/bin/python");
    if !py.exists() {
        panic!(
            "framework virtualenv missing at {}: scripts/test builds it",
            py.display()
        );
    }
    py
}

/// The job frameworks, each with a basic enqueue → work → result scenario (Celery with the
/// Redis broker and result backend, arq, taskiq-redis, huey with and without its scheduler,
/// RQ with its registries and scheduler):
/// every one must pass against redis-server and against sluice.
const FRAMEWORKS: &[&str] = &["celery", "arq", "taskiq", "huey", "huey-schedule", "rq"];

#[test]
fn job_frameworks_enqueue_work_result() {
    let py = frameworks_python();
    let script = clients_dir().join("framework_scenarios.py");
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    run(
        Command::new(&py)
            .arg(&script)
            .arg(r.port.to_string())
            .args(FRAMEWORKS),
        "frameworks against redis-server",
    );
    let out = run(
        Command::new(&py)
            .arg(&script)
            .arg(s.port.to_string())
            .args(FRAMEWORKS),
        "frameworks against sluice",
    );
    let n = out.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(n, FRAMEWORKS.len(), "{out}");
    println!(
        "client matrix: frameworks {}/{} ({}) against sluice",
        n,
        FRAMEWORKS.len(),
        FRAMEWORKS.join(", ")
    );
}

/// Runs `script` (in clients/node, needing `module` installed) against redis-server, then
/// against sluice: what sluice's run printed, and how many of its lines say ": ok".
fn node_scenarios(script: &str, module: &str, what: &str) -> (usize, String) {
    let dir = clients_dir().join("node");
    if !dir.join("node_modules").join(module).exists() {
        panic!(
            "{module} not installed: run `npm ci --prefix {}` (scripts/test does)",
            dir.display()
        );
    }
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let script = dir.join(script);
    run(
        Command::new("node").arg(&script).arg(r.port.to_string()),
        &format!("{what} against redis-server"),
    );
    let out = run(
        Command::new("node").arg(&script).arg(s.port.to_string()),
        &format!("{what} against sluice"),
    );
    (out.lines().filter(|l| l.contains(": ok")).count(), out)
}

#[test]
fn node_ioredis_and_node_redis() {
    let (n, out) = node_scenarios("scenarios.mjs", "ioredis", "node clients");
    assert_eq!(n, 10, "{out}");
    println!("client matrix: ioredis + node-redis {n} scenario runs passed against sluice");
}

/// BullMQ (on ioredis): queue and worker, a delayed job, retries with attempts and backoff,
/// a job that fails for good, QueueEvents. Its queue logic is some fifty Lua scripts.
#[test]
fn bullmq_queue_worker_delays_retries_events() {
    let (n, out) = node_scenarios("bullmq.mjs", "bullmq", "bullmq");
    assert_eq!(n, 4, "{out}");
    println!("client matrix: bullmq {n}/4 scenarios passed against sluice");
}

/// The same scenarios through the Rust `redis` crate on tokio.
async fn rust_scenarios(port: u16, resp3: bool) -> Result<usize, String> {
    use redis::AsyncCommands;
    let url = format!(
        "redis://127.0.0.1:{port}/{}",
        if resp3 { "?protocol=resp3" } else { "" }
    );
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let conn = || async {
        client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| e.to_string())
    };
    let mut c = conn().await?;
    let e = |e: redis::RedisError| e.to_string();
    redis::cmd("FLUSHALL")
        .query_async::<()>(&mut c)
        .await
        .map_err(e)?;
    let mut passed = 0;

    // Consumer group: alice takes a batch and dies; workers drain the rest; XAUTOCLAIM recovers.
    redis::cmd("XGROUP")
        .arg(&["CREATE", "orders", "workers", "0", "MKSTREAM"])
        .query_async::<()>(&mut c)
        .await
        .map_err(e)?;
    let mut produced = Vec::new();
    for i in 0..30 {
        let id: String = c.xadd("orders", "*", &[("n", i)]).await.map_err(e)?;
        produced.push(id);
    }
    let dead: redis::Value = redis::cmd("XREADGROUP")
        .arg(&[
            "GROUP", "workers", "alice", "COUNT", "10", "STREAMS", "orders", ">",
        ])
        .query_async(&mut c)
        .await
        .map_err(e)?;
    let _ = dead;
    let mut processed = std::collections::BTreeSet::new();
    let mut w = conn().await?;
    loop {
        let r: redis::streams::StreamReadReply = w
            .xread_options(
                &["orders"],
                &[">"],
                &redis::streams::StreamReadOptions::default()
                    .group("workers", "bob")
                    .count(4)
                    .block(200),
            )
            .await
            .map_err(e)?;
        if r.keys.is_empty() {
            break;
        }
        for k in r.keys {
            for id in k.ids {
                let _: i64 = w.xack("orders", "workers", &[&id.id]).await.map_err(e)?;
                processed.insert(id.id);
            }
        }
    }
    let mut cursor = "0-0".to_string();
    loop {
        let r: redis::streams::StreamAutoClaimReply = c
            .xautoclaim_options(
                "orders",
                "workers",
                "dave",
                0,
                &cursor,
                redis::streams::StreamAutoClaimOptions::default().count(3),
            )
            .await
            .map_err(e)?;
        for id in r.claimed {
            let _: i64 = c.xack("orders", "workers", &[&id.id]).await.map_err(e)?;
            processed.insert(id.id);
        }
        cursor = r.next_stream_id;
        if cursor == "0-0" {
            break;
        }
    }
    if processed != produced.iter().cloned().collect() {
        return Err(format!(
            "at-least-once broken: processed {} of {}",
            processed.len(),
            produced.len()
        ));
    }
    passed += 1;

    // BRPOP workers as tokio tasks; a reliable BLMOVE queue.
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let mut wc = conn().await?;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let item: Option<(String, String)> =
                    wc.brpop(&["jobs:high", "jobs:low"], 0.3).await.unwrap();
                match item {
                    Some((_, v)) => got.push(v),
                    None => return got,
                }
            }
        }));
    }
    for i in 0..20 {
        let _: i64 = c
            .lpush(
                if i % 2 == 0 { "jobs:high" } else { "jobs:low" },
                format!("job-{i}"),
            )
            .await
            .map_err(e)?;
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())?);
    }
    if all.len() != 20 {
        return Err(format!("BRPOP workers got {} of 20 jobs", all.len()));
    }
    let _: i64 = c.rpush("queue", &["a", "b"]).await.map_err(e)?;
    loop {
        let job: Option<String> = c
            .blmove(
                "queue",
                "processing",
                redis::Direction::Right,
                redis::Direction::Left,
                0.2,
            )
            .await
            .map_err(e)?;
        let Some(job) = job else { break };
        let n: i64 = c.lrem("processing", 1, &job).await.map_err(e)?;
        if n != 1 {
            return Err("reliable queue lost a job".into());
        }
    }
    passed += 1;

    // Pipelines and WATCH on a dedicated connection.
    let (n,): (i64,) = redis::pipe()
        .incr("counter", 1)
        .ignore()
        .incr("counter", 1)
        .ignore()
        .incr("counter", 1)
        .query_async(&mut c)
        .await
        .map_err(e)?;
    if n != 3 {
        return Err(format!("pipeline counter {n}"));
    }
    let mut tx = conn().await?;
    let _: () = c.set("balance", 10).await.map_err(e)?;
    redis::cmd("WATCH")
        .arg("balance")
        .query_async::<()>(&mut tx)
        .await
        .map_err(e)?;
    let _: () = c.set("balance", 20).await.map_err(e)?;
    let res: Option<(i64,)> = redis::pipe()
        .atomic()
        .incr("balance", 5)
        .query_async(&mut tx)
        .await
        .map_err(e)?;
    if res.is_some() {
        return Err("EXEC must fail after a watched key changed".into());
    }
    passed += 1;
    Ok(passed)
}

#[test]
fn rust_redis_crate_on_tokio_resp2_and_resp3() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut total = 0;
    for resp3 in [false, true] {
        rt.block_on(rust_scenarios(r.port, resp3))
            .unwrap_or_else(|e| panic!("scenario broken on redis-server: {e}"));
        total += rt
            .block_on(rust_scenarios(s.port, resp3))
            .unwrap_or_else(|e| panic!("redis crate against sluice: {e}"));
    }
    assert_eq!(total, 6);
    println!("client matrix: redis crate (tokio) {total}/6 scenario runs passed against sluice");
}

/// Redis 8 at-least-once through crashes (sluice only: no oracle has IDMP, XREADGROUP CLAIM
/// or XACKDEL): redis-py producers with IDMP and consumers with CLAIM + XACKDEL keep working
/// while the server is killed with SIGKILL twice and restarted on the same port from its AOF
/// (appendfsync always). The script checks every message was processed, none was added as
/// two entries, and the stream ends empty.
#[test]
fn at_least_once_with_idmp_claim_and_xackdel_through_kill_9() {
    use std::time::{Duration, Instant};
    let always = ["--appendonly", "yes", "--appendfsync", "always"];
    let mut s = Server::start(Kind::Sluice, &always);
    let script = Command::new("python3")
        .arg(clients_dir().join("at_least_once.py"))
        .args([&s.port.to_string(), "12000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    // Each kill waits (bounded) until the producers are that far, so both land mid-run.
    let mut at_kill = Vec::new();
    for added in [2_000u64, 7_000] {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline && entries_added(s.port, "jobs") < added {
            std::thread::sleep(Duration::from_millis(20));
        }
        at_kill.push(entries_added(s.port, "jobs"));
        s.kill();
        let next = Server::start_on(Kind::Sluice, &always, s.dir.clone(), s.port);
        // The directory now belongs to the new server: the old one must not remove it.
        std::mem::forget(std::mem::replace(&mut s, next));
    }
    // Both kills came while producers were still adding (not before, not after the run).
    assert!(
        at_kill.iter().all(|&n| (2_000..12_000).contains(&n)),
        "kills at entries-added {at_kill:?}"
    );
    let out = script.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "at-least-once scenario failed:\n{text}"
    );
    let mut c = s.conn();
    assert_eq!(integer(&c.call(&["XLEN", "jobs"]).unwrap()), 0);
    println!(
        "client matrix: {} (SIGKILL at entries-added {at_kill:?})",
        text.trim()
    );
}

/// XINFO STREAM's entries-added of `key` (0 if the server or the key is not there yet).
fn entries_added(port: u16, key: &str) -> u64 {
    let Ok(mut c) = Conn::connect(port) else {
        return 0;
    };
    let Ok(r) = c.call(&["XINFO", "STREAM", key]) else {
        return 0;
    };
    let t = String::from_utf8_lossy(&r).into_owned();
    t.split("entries-added\r\n:")
        .nth(1)
        .and_then(|rest| rest.split("\r\n").next()?.parse().ok())
        .unwrap_or(0)
}

/// `/metrics` as Prometheus reads it: prometheus_client's text-format parser accepts every
/// line, every redis_exporter name of redis-compat/redis-exporter-metrics.txt is there with
/// its labels and no other `redis_*` name is, and the stream, group and keyspace values match
/// what XINFO and DBSIZE say.
#[test]
fn metrics_parse_as_prometheus_with_redis_exporter_names() {
    let py = frameworks_python();
    let http = free_port().to_string();
    let s = Server::start(
        Kind::Sluice,
        &[
            "--appendonly",
            "yes",
            "--sluice-http-port",
            &http,
            "--enable-debug-command",
            "yes",
        ],
    );
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("redis-exporter-metrics.txt");
    let out = run(
        Command::new(&py)
            .arg(clients_dir().join("metrics_check.py"))
            .arg(s.port.to_string())
            .arg(&http)
            .arg(&list),
        "/metrics check",
    );
    assert!(out.contains("metrics: ok"), "{out}");
    println!("client matrix: {}", out.trim());
}

/// The dashboard in Debian's headless Chromium, driven by playwright-core (both installed by
/// scripts/test): load, live update after XADD, a group's lag and pending as XINFO has
/// them, an ack through the confirm dialog reflected on the page and in XPENDING, keyboard
/// navigation, the other views, dark theme and a phone-sized screen, no console errors.
#[test]
fn dashboard_in_headless_chromium() {
    let http = free_port().to_string();
    let s = Server::start(
        Kind::Sluice,
        &[
            "--appendonly",
            "no",
            "--sluice-http-port",
            &http,
            "--sluice-http-actions",
            "yes",
        ],
    );
    let out = run(
        Command::new("node")
            .current_dir(clients_dir().join("node"))
            .arg("dashboard.mjs")
            .arg(s.port.to_string())
            .arg(&http),
        "dashboard in Chromium",
    );
    assert!(out.contains("dashboard: ok"), "{out}");
    println!("client matrix: {}", out.trim());
}
