//! The real-client matrix: each client library runs the same queue scenarios (consumer group
//! with a dying consumer recovered by XAUTOCLAIM, BRPOP workers, reliable BLMOVE queue,
//! pub/sub fan-out with patterns, pipelines, transactions with WATCH) against sluice and
//! against redis-server. A scenario that fails on redis-server is a broken scenario, not a
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
    assert_eq!(n, 10, "{out}");
    println!("client matrix: redis-py {n}/10 scenario runs passed against sluice");
}

#[test]
fn node_ioredis_and_node_redis() {
    let dir = clients_dir().join("node");
    if !dir.join("node_modules").exists() {
        panic!(
            "node clients not installed: run `npm ci --prefix {}` (scripts/test does)",
            dir.display()
        );
    }
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let script = dir.join("scenarios.mjs");
    run(
        Command::new("node").arg(&script).arg(r.port.to_string()),
        "node clients against redis-server",
    );
    let out = run(
        Command::new("node").arg(&script).arg(s.port.to_string()),
        "node clients against sluice",
    );
    let n = out.lines().filter(|l| l.contains(": ok")).count();
    assert_eq!(n, 10, "{out}");
    println!("client matrix: ioredis + node-redis {n} scenario runs passed against sluice");
}
