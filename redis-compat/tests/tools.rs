//! Redis's own tools against sluice: redis-benchmark runs clean, a scripted redis-cli
//! session prints exactly what it prints against redis-server, redis-cli's --bigkeys,
//! --memkeys, --hotkeys, --stat and --latency work, and INFO has the oracles' fields in
//! their order (what those tools and exporters read).

use redis_compat::*;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn redis_benchmark_runs_clean() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let out = Command::new("redis-benchmark")
        .args([
            "-p",
            &s.port.to_string(),
            "-t",
            "ping_inline,ping_mbulk,set,get,incr",
            "-n",
            "5000",
            "-c",
            "20",
            "-q",
        ])
        .output()
        .expect("redis-benchmark (redis-tools) must be installed");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "\n");
    assert!(out.status.success(), "redis-benchmark failed: {text}");
    for t in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{t}: ")) && l.contains("requests per second")),
            "no result for {t}: {text}"
        );
    }
    assert!(!text.to_lowercase().contains("error"), "{text}");
    println!("redis-benchmark: all five tests ran clean against sluice");
}

const SESSION: &str = r#"PING
SET greeting "hello world"
GET greeting
INCR counter
INCRBYFLOAT price 2.5
RPUSH jobs a b c
LRANGE jobs 0 -1
BRPOP jobs 0.1
XADD events 1-0 kind click
XADD events 2-0 kind view
XGROUP CREATE events g 0
XREADGROUP GROUP g worker COUNT 1 STREAMS events >
XPENDING events g
XRANGE events - +
XLEN events
GET nosuch
NOSUCHCOMMAND x
HELLO 3
GET greeting
XRANGE events - + COUNT 1
CONFIG GET maxclients
TYPE events
"#;

fn run_cli(port: u16, extra: &[&str]) -> String {
    let mut child = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("redis-cli (redis-tools) must be installed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SESSION.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn scripted_redis_cli_session_matches_redis() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    for extra in [&[][..], &["--no-raw"][..], &["-3"][..]] {
        let a = run_cli(s.port, extra);
        let b = run_cli(r.port, extra);
        // HELLO's reply names each server's version and connection id: drop exactly the
        // value lines that follow the `version` and `id` keys.
        let strip = |t: &str| {
            let mut out = Vec::new();
            let mut skip_next = false;
            for l in t.lines() {
                if skip_next {
                    skip_next = false;
                    continue;
                }
                let key = l
                    .trim()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == ')' || c == ' ');
                if key == "\"version\"" || key == "\"id\"" || key == "version" || key == "id" {
                    skip_next = true;
                }
                // Raw mode prints a map entry on one line (`version 7.0.15`), --no-raw as
                // `2# "version" => "7.0.15"`.
                if l.starts_with("version ") || l.starts_with("id ") {
                    out.push(l.split(' ').next().unwrap().to_string());
                    continue;
                }
                if let Some(p) = l.find("\"version\" =>").or_else(|| l.find("\"id\" =>")) {
                    out.push(l[..p].to_string() + l[p..].split("=>").next().unwrap());
                    continue;
                }
                out.push(l.to_string());
            }
            out.join("\n")
        };
        assert_eq!(strip(&a), strip(&b), "redis-cli {extra:?} output differs");
        assert!(a.contains("kind") && a.contains("hello world"), "{a}");
        for c in [&s, &r] {
            c.conn().call(&["FLUSHALL"]).unwrap();
        }
    }
    println!("redis-cli scripted: identical output against sluice and redis-server (raw, --no-raw, RESP3)");
}

#[test]
fn config_file_rewrite_round_trip() {
    let dir = std::env::temp_dir().join(format!("conf-rewrite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let conf = dir.join("redis.conf");
    std::fs::write(
        &conf,
        format!("# my settings\nport {port}\nbind 127.0.0.1\nappendonly no\nmaxclients 500\nsave \"\"\ndir {}\n", dir.display()),
    )
    .unwrap();
    let start = || {
        let mut child = Command::new(sluice_bin())
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if let Ok(mut c) = Conn::connect(port) {
                if c.call(&["PING"])
                    .map(|r| r == b"+PONG\r\n")
                    .unwrap_or(false)
                {
                    return (child, c);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("sluice did not start from {}", conf.display());
    };
    let (mut child, mut c) = start();
    assert_eq!(
        c.call(&["CONFIG", "GET", "maxclients"]).unwrap(),
        b"*2\r\n$10\r\nmaxclients\r\n$3\r\n500\r\n"
    );
    assert_eq!(
        c.call(&["CONFIG", "SET", "maxclients", "600", "timeout", "30"])
            .unwrap(),
        b"+OK\r\n"
    );
    assert_eq!(c.call(&["CONFIG", "REWRITE"]).unwrap(), b"+OK\r\n");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.starts_with("# my settings\n"),
        "comments are kept: {text}"
    );
    assert!(
        text.contains("maxclients 600") && text.contains("timeout 30"),
        "{text}"
    );
    let _ = c.call(&["SHUTDOWN", "NOSAVE"]);
    let _ = child.wait();
    let (mut child, mut c) = start();
    assert_eq!(
        c.call(&["CONFIG", "GET", "timeout"]).unwrap(),
        b"*2\r\n$7\r\ntimeout\r\n$2\r\n30\r\n"
    );
    let _ = c.call(&["SHUTDOWN", "NOSAVE"]);
    let _ = child.wait();
    // Without a config file, CONFIG REWRITE refuses as Redis does.
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    assert_eq!(
        s.conn().call(&["CONFIG", "REWRITE"]).unwrap(),
        b"-ERR The server is running without a config file\r\n"
    );
}

/// `redis-cli SUBSCRIBE` prints what it prints against redis-server.
#[test]
fn redis_cli_subscribe_matches_redis() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    let mut outputs = Vec::new();
    for port in [s.port, r.port] {
        let mut child = Command::new("redis-cli")
            .args(["-p", &port.to_string(), "SUBSCRIBE", "news", "alerts"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(wait_subscribers(port, "news"), "redis-cli never subscribed");
        let mut c = Conn::connect(port).unwrap();
        c.call(&["PUBLISH", "news", "hello"]).unwrap();
        c.call(&["PUBLISH", "alerts", "fire drill"]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    assert!(outputs[0].contains("fire drill"), "{}", outputs[0]);
    assert_eq!(outputs[0], outputs[1]);
    println!("redis-cli SUBSCRIBE: identical output against sluice and redis-server");
}

fn wait_subscribers(port: u16, channel: &str) -> bool {
    let mut c = Conn::connect(port).unwrap();
    for _ in 0..200 {
        let r = c.call(&["PUBSUB", "NUMSUB", channel]).unwrap();
        if r.ends_with(b":1\r\n") {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

/// A busy script on the released binary's event loop (one runtime thread, as by default):
/// an idle client gets -BUSY, a client that sent half a command keeps it for after the
/// script, and a fresh `redis-cli SCRIPT KILL` stops it; then everyone is served. The same
/// against redis-server.
#[test]
fn redis_cli_script_kill_stops_a_busy_script() {
    for kind in [Kind::Redis, Kind::Sluice] {
        let s = Server::start(kind, &["--busy-reply-threshold", "100"]);
        let mut idle = s.conn();
        assert_eq!(idle.call(&["SET", "k", "v"]).unwrap(), b"+OK\r\n");
        let mut half = s.conn();
        let mut runner = s.conn();
        runner.send(&["EVAL", "while true do end", "0"]).unwrap();
        let mut busy = Vec::new();
        for _ in 0..500 {
            busy = idle.call(&["GET", "k"]).unwrap();
            if busy != b"$1\r\nv\r\n" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(
            busy,
            b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
            "{}",
            kind.name()
        );
        // Half a command now, the rest after the kill.
        half.send_raw(b"*2\r\n$3\r\nGET\r\n$1\r").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let out = Command::new("redis-cli")
            .args(["-p", &s.port.to_string(), "SCRIPT", "KILL"])
            .output()
            .expect("redis-cli");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "OK\n",
            "{}",
            kind.name()
        );
        let killed = runner.read_frame().unwrap();
        assert!(
            killed.starts_with(b"-ERR Script killed by user with SCRIPT KILL..."),
            "{}: {}",
            kind.name(),
            show(&killed)
        );
        half.send_raw(b"\nk\r\n").unwrap();
        assert_eq!(
            half.read_frame().unwrap(),
            b"$1\r\nv\r\n",
            "{}",
            kind.name()
        );
        assert_eq!(idle.call(&["GET", "k"]).unwrap(), b"$1\r\nv\r\n");
        assert_eq!(runner.call(&["PING"]).unwrap(), b"+PONG\r\n");
    }
    println!("busy script: -BUSY, a split command kept, redis-cli SCRIPT KILL; redis-server and sluice alike");
}

/// The same small keyspace in a server: 20 lists and 20 strings of growing size, a stream,
/// a hash, a set, a sorted set.
fn fill_for_tools(port: u16) {
    let mut c = Conn::connect(port).expect("connect");
    for i in 1..=20usize {
        let items: Vec<String> = (1..=i).map(|n| n.to_string()).collect();
        let mut argv = vec!["RPUSH".to_string(), format!("l{i}")];
        argv.extend(items);
        c.call(&argv).unwrap();
        c.call(&["SET", &format!("s{i}"), &"a".repeat(i * 10)])
            .unwrap();
    }
    c.call(&["XADD", "st", "*", "a", "1"]).unwrap();
    c.call(&["HSET", "h", "a", "1", "b", "2"]).unwrap();
    c.call(&["SADD", "set", "a", "b", "c"]).unwrap();
    c.call(&["ZADD", "z", "1", "a"]).unwrap();
}

/// redis-cli's lines that describe the keyspace rather than the run (no progress lines,
/// no per-scan percentages).
fn summary_lines(out: &str) -> Vec<String> {
    let from = out.find("-------- summary -------").expect("a summary");
    out[from..]
        .lines()
        .filter(|l| l.starts_with("Biggest") || l.contains(" with ") || l.starts_with("Sampled"))
        .map(str::to_string)
        .collect()
}

/// redis-cli's own tools against sluice as against redis-server: --bigkeys reports the same
/// summary line for line, --memkeys the same biggest keys per type (sizes are each server's
/// own), --hotkeys refuses without an LFU policy with Redis's text and lists keys with one,
/// --stat prints its table with sluice's key count, and --latency / --latency-history time
/// PINGs.
#[test]
fn redis_cli_tools_work_against_sluice() {
    let s = Server::start(Kind::Sluice, &["--appendonly", "no"]);
    let r = Server::start(Kind::Redis, &["--appendonly", "no"]);
    for port in [s.port, r.port] {
        fill_for_tools(port);
    }
    // Every run is bounded; --stat never ends by itself, so its bound is its run time.
    let run_for = |secs: &str, port: u16, args: &[&str]| {
        let out = Command::new("timeout")
            .args([secs, "stdbuf", "-oL", "redis-cli", "-p", &port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let cli = |port: u16, args: &[&str]| run_for("30", port, args);
    let (sb, rb) = (cli(s.port, &["--bigkeys"]), cli(r.port, &["--bigkeys"]));
    assert_eq!(summary_lines(&sb), summary_lines(&rb), "--bigkeys:\n{sb}");
    assert!(sb.contains("20 lists with 210 items"), "{sb}");
    let biggest = |out: &str| -> Vec<String> {
        summary_lines(out)
            .into_iter()
            .filter(|l| l.starts_with("Biggest"))
            .map(|l| l.split(" has ").next().unwrap_or("").to_string())
            .collect()
    };
    // --memkeys: the same types and a biggest key for each; its size is its MEMORY USAGE,
    // and no key of its type is bigger (keys of nearby sizes tie in both servers, so which
    // of them is named depends on the scan order).
    let (sm, rm) = (cli(s.port, &["--memkeys"]), cli(r.port, &["--memkeys"]));
    let types = |out: &str| -> Vec<String> {
        biggest(out)
            .iter()
            .map(|l| l.split(" found ").next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(types(&sm), types(&rm), "--memkeys:\n{sm}");
    assert!(sm.contains("bytes (45.45% of keys"), "{sm}");
    let mut c = Conn::connect(s.port).unwrap();
    let mut usage = |k: &str| integer(&c.call(&["MEMORY", "USAGE", k]).unwrap());
    for line in summary_lines(&sm)
        .iter()
        .filter(|l| l.starts_with("Biggest"))
    {
        let key = line.split('"').nth(1).expect("a quoted key");
        let bytes: i64 = line
            .split(" has ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("a size");
        assert_eq!(usage(key), bytes, "{line}");
        if let Some(prefix) = ["l", "s"]
            .iter()
            .find(|p| key.starts_with(**p) && key.len() > 1 && key[1..].parse::<u32>().is_ok())
        {
            let max = (1..=20)
                .map(|i| usage(&format!("{prefix}{i}")))
                .max()
                .unwrap();
            assert_eq!(bytes, max, "{line}");
        }
    }
    let (sh, rh) = (cli(s.port, &["--hotkeys"]), cli(r.port, &["--hotkeys"]));
    let refusal = "An LFU maxmemory policy is not selected, access frequency not tracked.";
    assert!(sh.contains(refusal) && rh.contains(refusal), "{sh}\n{rh}");
    Conn::connect(s.port)
        .unwrap()
        .call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"])
        .unwrap();
    let sh = cli(s.port, &["--hotkeys"]);
    assert!(sh.contains("hot key found with counter:"), "{sh}");
    assert!(sh.contains("Sampled 44 keys"), "{sh}");
    let stat = run_for("2", s.port, &["--stat", "-i", "0.5"]);
    // --stat runs until stopped: `timeout` ends it; the lines printed by then are the table.
    let rows: Vec<&str> = stat.lines().skip(2).collect();
    assert!(stat.starts_with("------- data ------"), "{stat}");
    assert!(
        rows.first()
            .is_some_and(|l| l.split_whitespace().next() == Some("44")),
        "{stat}"
    );
    let lat = cli(s.port, &["--latency", "--raw"]);
    let fields: Vec<f64> = lat
        .split_whitespace()
        .map(|f| f.parse().expect("a number"))
        .collect();
    assert!(fields.len() == 4 && fields[3] > 0.0, "--latency: {lat}");
    println!(
        "tools: redis-cli --bigkeys, --memkeys, --hotkeys, --stat ({} rows), --latency ({} samples) against sluice",
        rows.len(),
        fields[3]
    );
}

/// INFO's fields by section: (section, field) pairs in the order a server prints them, with
/// the per-command, per-error and per-database lines left out.
fn info_fields(port: u16) -> Vec<(String, String)> {
    let mut c = Conn::connect(port).unwrap();
    let raw = c.call(&["INFO", "everything"]).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        if let Some(name) = line.strip_prefix("# ") {
            section = name.to_lowercase();
        } else if let Some((field, _)) = line.split_once(':') {
            let per_item = ["cmdstat_", "errorstat_", "latency_percentiles_usec_"]
                .iter()
                .any(|p| field.starts_with(p))
                || (field.starts_with("db") && field[2..].parse::<u32>().is_ok());
            if !per_item {
                out.push((section.clone(), field.to_string()));
            }
        }
    }
    out
}

/// Fields redis-server 7.0.15 prints that sluice does not, each for a reason (listed in
/// deliberate-differences.txt too).
const INFO_ABSENT: &[(&str, &str)] = &[
    // One thread per connection group and no main thread: CPU is reported per process.
    ("used_cpu_sys_main_thread", "no single main thread"),
    ("used_cpu_user_main_thread", "no single main thread"),
    // Counts of read/write system calls and of Redis's reply-buffer resizing.
    (
        "total_reads_processed",
        "sockets are read by tokio; not counted",
    ),
    ("total_writes_processed", "not counted"),
    ("io_threaded_reads_processed", "no Redis I/O threads"),
    ("io_threaded_writes_processed", "no Redis I/O threads"),
    ("reply_buffer_shrinks", "no Redis reply buffer"),
    ("reply_buffer_expands", "no Redis reply buffer"),
    (
        "dump_payload_sanitizations",
        "RESTORE payloads are always checked whole",
    ),
];

/// INFO as the tools read it: every field redis-server 7.0.15 prints (AOF on, a key in the
/// keyspace) is in sluice's INFO, in the same section and the same relative order, apart
/// from [`INFO_ABSENT`]; Valkey 9.1's fields that Redis also has are there too.
#[test]
fn info_has_the_oracles_fields_in_their_order() {
    let args = ["--appendonly", "yes"];
    let servers: Vec<Server> = [Kind::Sluice, Kind::Redis, Kind::Valkey]
        .into_iter()
        .map(|k| Server::start(k, &args))
        .collect();
    for s in &servers {
        Conn::connect(s.port)
            .unwrap()
            .call(&["SET", "k", "v"])
            .unwrap();
    }
    let [sluice, redis, valkey] = [0, 1, 2].map(|i| info_fields(servers[i].port));
    let absent = |f: &str| INFO_ABSENT.iter().any(|(a, _)| *a == f);
    let missing: Vec<&(String, String)> = redis
        .iter()
        .filter(|p| !absent(&p.1) && !sluice.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "redis7 fields sluice lacks: {missing:?}"
    );
    // The shared fields in the same order, section by section.
    let shared = |a: &[(String, String)], b: &[(String, String)]| -> Vec<(String, String)> {
        a.iter().filter(|p| b.contains(p)).cloned().collect()
    };
    let (ours, theirs) = (shared(&sluice, &redis), shared(&redis, &sluice));
    if let Some(i) = (0..ours.len()).find(|&i| ours[i] != theirs[i]) {
        panic!(
            "order differs from redis7 at {:?} (redis7 has {:?} there)",
            ours[i], theirs[i]
        );
    }
    let both: Vec<&(String, String)> = valkey
        .iter()
        .filter(|p| redis.contains(p) && !absent(&p.1) && !sluice.contains(p))
        .collect();
    assert!(
        both.is_empty(),
        "valkey and redis7 fields sluice lacks: {both:?}"
    );
    println!(
        "tools: INFO has {} of redis7's {} fields in its order ({} left out, each with a reason)",
        redis.len() - INFO_ABSENT.len(),
        redis.len(),
        INFO_ABSENT.len()
    );
}
