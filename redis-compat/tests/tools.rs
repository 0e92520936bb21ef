//! Redis's own tools against sluice: redis-benchmark runs clean, and a scripted redis-cli
//! session prints exactly what it prints against redis-server.

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
