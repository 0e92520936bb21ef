//! Wire tests: a real client (the `redis` crate) and raw sockets against a running sluice.

mod common;

use common::*;
use redis::{Commands, Value};
use std::time::{Duration, Instant};

#[test]
fn basic_commands_resp2_and_resp3() {
    let s = TestServer::start(&[]);
    for mut c in [s.client(), s.client3()] {
        let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
        let _: () = c.set("k", "v").unwrap();
        let v: String = c.get("k").unwrap();
        assert_eq!(v, "v");
        let n: i64 = c.incr("n", 5).unwrap();
        assert_eq!(n, 5);
        let len: i64 = c.rpush("l", &["a", "b", "c"]).unwrap();
        assert_eq!(len, 3);
        let items: Vec<String> = c.lrange("l", 0, -1).unwrap();
        assert_eq!(items, ["a", "b", "c"]);
        let missing: Option<String> = c.get("nope").unwrap();
        assert_eq!(missing, None);
        let err = redis::cmd("INCR")
            .arg("k")
            .query::<i64>(&mut c)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("value is not an integer or out of range"),
            "{err}"
        );
    }
}

#[test]
fn hello_switches_protocol_and_shapes() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let h = r.call(&["HELLO", "3"]);
    assert!(
        h.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n"),
        "{h}"
    );
    assert!(h.contains("$5\r\nproto\r\n:3\r\n"));
    assert_eq!(r.call(&["GET", "nope"]), "_\r\n");
    assert_eq!(
        r.call(&["CONFIG", "GET", "maxclients"]),
        "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
    );
    let h = r.call(&["HELLO", "2"]);
    assert!(h.starts_with("*14\r\n"), "{h}");
    assert_eq!(r.call(&["GET", "nope"]), "$-1\r\n");
    assert_eq!(
        r.call(&["HELLO", "4"]),
        "-NOPROTO unsupported protocol version\r\n"
    );
}

#[test]
fn byte_exact_replies_and_errors() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let table: &[(&[&str], &str)] = &[
        (&["LPUSH", "k", "a"], ":1\r\n"),
        (&["LPUSH", "k", "b", "c"], ":3\r\n"),
        (
            &["LRANGE", "k", "0", "-1"],
            "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
        ),
        (
            &["GET", "k"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        ),
        (
            &["SET", "s", "1", "EX", "0"],
            "-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            &["GET"],
            "-ERR wrong number of arguments for 'get' command\r\n",
        ),
        (
            &["NOPE", "x"],
            "-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n",
        ),
        (
            &["CONFIG", "NOPE"],
            "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n",
        ),
        (&["SELECT", "99"], "-ERR DB index is out of range\r\n"),
        (&["EXEC"], "-ERR EXEC without MULTI\r\n"),
        (&["OBJECT", "ENCODING", "k"], "$8\r\nlistpack\r\n"),
        (&["TYPE", "k"], "+list\r\n"),
    ];
    for (argv, want) in table {
        assert_eq!(&r.call(argv), want, "{argv:?}");
    }
}

#[test]
fn pipelined_commands_get_every_reply_in_order() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let mut batch = Vec::new();
    for i in 0..1000 {
        batch.extend(encode(&["RPUSH", "p", &i.to_string()]));
    }
    batch.extend_from_slice(b"PING\r\n");
    r.send_raw(&batch);
    for i in 0..1000 {
        assert_eq!(r.read(), format!(":{}\r\n", i + 1));
    }
    assert_eq!(r.read(), "+PONG\r\n");
}

#[test]
fn protocol_errors_close_only_that_client() {
    let s = TestServer::start(&[]);
    let mut other = s.raw();
    assert_eq!(other.call(&["SET", "a", "1"]), "+OK\r\n");
    let cases: &[(&[u8], &str)] = &[
        (
            b"*1\r\n+x\r\n",
            "-ERR Protocol error: expected '$', got '+'\r\n",
        ),
        (
            b"*abc\r\n",
            "-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$999999999999\r\n",
            "-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"SET \"a b\r\n",
            "-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
    ];
    for (bytes, want) in cases {
        let mut bad = s.raw();
        bad.send_raw(b"PING\r\n");
        bad.send_raw(bytes);
        assert_eq!(bad.read(), "+PONG\r\n");
        assert_eq!(bad.read(), *want);
        assert!(bad.is_closed());
    }
    // A huge inline request with no newline is refused without buffering it all.
    let mut big = s.raw();
    big.send_raw(&vec![b'a'; 70 * 1024]);
    assert_eq!(
        big.read(),
        "-ERR Protocol error: too big inline request\r\n"
    );
    assert!(big.is_closed());
    assert_eq!(other.call(&["GET", "a"]), "$1\r\n1\r\n");
}

#[test]
fn slow_and_vanished_clients_do_not_harm_others() {
    let s = TestServer::start(&[]);
    // Half a command, then silence; another half, then gone.
    let mut slow = s.raw();
    slow.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$5\r\nhel");
    {
        let mut gone = s.raw();
        gone.send_raw(b"*2\r\n$3\r\nGET\r\n");
    }
    let mut ok = s.raw();
    assert_eq!(ok.call(&["PING"]), "+PONG\r\n");
    slow.send_raw(b"lo\r\n");
    assert_eq!(slow.read(), "+OK\r\n");
    assert_eq!(ok.call(&["GET", "x"]), "$5\r\nhello\r\n");
}

#[test]
fn query_buffer_and_bulk_limits_close_only_that_client() {
    let s = TestServer::start(&[
        "--client-query-buffer-limit",
        "1mb",
        "--proto-max-bulk-len",
        "8mb",
    ]);
    let mut other = s.raw();
    assert_eq!(other.call(&["SET", "k", "v"]), "+OK\r\n");
    // A bulk longer than proto-max-bulk-len is refused as it is announced.
    let mut long = s.raw();
    long.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$8388609\r\n");
    assert_eq!(long.read(), "-ERR Protocol error: invalid bulk length\r\n");
    assert!(long.is_closed());
    // One within it that outgrows client-query-buffer-limit while it arrives: the
    // connection is closed without a reply, as Redis and Valkey do. (Arguments that are
    // each below the limit are not: as in both, a finished argument leaves the buffer.)
    let mut big = s.raw();
    big.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nh\r\n$3145728\r\n");
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        big.send_raw(&vec![b'x'; 3 * 1024 * 1024 - 10])
    }));
    assert!(big.is_closed());
    let info = other.call(&["INFO", "stats"]);
    assert!(
        info.contains("client_query_buffer_limit_disconnections:1"),
        "{info}"
    );
    assert_eq!(other.call(&["EXISTS", "h"]), ":0\r\n");
    assert_eq!(other.call(&["GET", "k"]), "$1\r\nv\r\n");
}

#[test]
fn a_client_sending_a_byte_at_a_time_never_holds_up_others() {
    let s = TestServer::start(&[]);
    let mut trickle = s.raw();
    let cmd = encode(&["SET", "slow", "done"]);
    let port = s.port;
    let others = std::thread::spawn(move || {
        let mut c = Raw::connect(port);
        for i in 0..200 {
            assert_eq!(c.call(&["INCR", "n"]), format!(":{}\r\n", i + 1));
        }
    });
    for b in &cmd {
        trickle.send_raw(&[*b]);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(trickle.read(), "+OK\r\n");
    others.join().unwrap();
    assert_eq!(s.raw().call(&["GET", "n"]), "$3\r\n200\r\n");
}

#[test]
fn maxmemory_clients_evicts_the_client_holding_the_most() {
    let s = TestServer::start(&["--maxmemory-clients", "2mb"]);
    let mut small = s.raw();
    let mut kept = s.raw();
    assert_eq!(kept.call(&["CLIENT", "NO-EVICT", "on"]), "+OK\r\n");
    // A command of 3 MB whose last bytes never come: its query buffer holds it all.
    let mut hog = s.raw();
    hog.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nh\r\n$3145728\r\n");
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        hog.send_raw(&vec![b'x'; 3 * 1024 * 1024 - 10])
    }));
    assert!(hog.is_closed(), "evicted within a cron period");
    assert_eq!(small.call(&["PING"]), "+PONG\r\n");
    assert_eq!(kept.call(&["PING"]), "+PONG\r\n");
    let info = small.call(&["INFO", "stats"]);
    assert!(info.contains("evicted_clients:1"), "{info}");
    // A percentage is of maxmemory; over 100 is refused.
    assert_eq!(
        small.call(&["CONFIG", "SET", "maxmemory-clients", "101%"]),
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n"
    );
    assert_eq!(
        small.call(&["CONFIG", "SET", "maxmemory-clients", "10%"]),
        "+OK\r\n"
    );
    assert_eq!(
        small.call(&["CONFIG", "GET", "maxmemory-clients"]),
        "*2\r\n$17\r\nmaxmemory-clients\r\n$3\r\n10%\r\n"
    );
}

#[test]
fn a_panicking_command_closes_only_its_client() {
    let s = TestServer::start(&["--enable-debug-command", "yes"]);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.call(&["SET", "k", "v"]), "+OK\r\n");
    b.send(&["DEBUG", "PANIC"]);
    let reply = b.try_read().unwrap_or_default();
    assert!(reply.starts_with("-ERR internal error"), "{reply}");
    assert!(b.is_closed());
    assert_eq!(a.call(&["GET", "k"]), "$1\r\nv\r\n");
    let mut c = s.raw();
    assert_eq!(c.call(&["PING"]), "+PONG\r\n");
    let plain = TestServer::start(&[]);
    let mut d = plain.raw();
    assert!(d
        .call(&["DEBUG", "PANIC"])
        .starts_with("-ERR DEBUG command not allowed."));
}

#[test]
fn blocked_clients_are_served_fifo() {
    let s = TestServer::start(&[]);
    let mut waiters = Vec::new();
    for i in 0..3 {
        let mut w = s.raw();
        w.send(&["BLPOP", "jobs", "0"]);
        waiters.push(w);
        // Make the arrival order certain.
        let mut probe = s.raw();
        for _ in 0..200 {
            let info = probe.call(&["INFO", "clients"]);
            if info.contains(&format!("blocked_clients:{}", i + 1)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let mut p = s.raw();
    assert_eq!(p.call(&["RPUSH", "jobs", "j1", "j2", "j3"]), ":3\r\n");
    for (i, w) in waiters.iter_mut().enumerate() {
        assert_eq!(
            w.read(),
            format!("*2\r\n$4\r\njobs\r\n$2\r\nj{}\r\n", i + 1)
        );
    }
    assert_eq!(p.call(&["EXISTS", "jobs"]), ":0\r\n");
}

#[test]
fn multi_key_brpop_takes_the_first_non_empty_key() {
    let s = TestServer::start(&[]);
    let mut c = s.client();
    let _: () = c.rpush("low", "l1").unwrap();
    let _: () = c.rpush("high", "h1").unwrap();
    let v: (String, String) = redis::cmd("BRPOP")
        .arg("high")
        .arg("low")
        .arg(1)
        .query(&mut c)
        .unwrap();
    assert_eq!(v, ("high".into(), "h1".into()));
    let v: (String, String) = redis::cmd("BRPOP")
        .arg("high")
        .arg("low")
        .arg(1)
        .query(&mut c)
        .unwrap();
    assert_eq!(v, ("low".into(), "l1".into()));
}

#[test]
fn blocking_timeouts_reply_null_after_the_timeout() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let t = Instant::now();
    assert_eq!(r.call(&["BLPOP", "nothing", "0.2"]), "*-1\r\n");
    assert!(t.elapsed() >= Duration::from_millis(190));
    let t = Instant::now();
    assert_eq!(
        r.call(&["BLMOVE", "nothing", "x", "LEFT", "LEFT", "0.1"]),
        "*-1\r\n"
    );
    assert!(t.elapsed() >= Duration::from_millis(90));
    r.call(&["HELLO", "3"]);
    assert_eq!(r.call(&["BRPOP", "nothing", "0.05"]), "_\r\n");
}

#[test]
fn reliable_queue_with_blmove_round_trips() {
    let s = TestServer::start(&[]);
    let mut worker = s.raw();
    worker.send(&["BLMOVE", "queue", "processing", "RIGHT", "LEFT", "5"]);
    std::thread::sleep(Duration::from_millis(50));
    let mut c = s.client();
    let _: () = c.lpush("queue", "job-1").unwrap();
    assert_eq!(worker.read(), "$5\r\njob-1\r\n");
    let processing: Vec<String> = c.lrange("processing", 0, -1).unwrap();
    assert_eq!(processing, ["job-1"]);
    // Done: remove from processing.
    let removed: i64 = c.lrem("processing", 1, "job-1").unwrap();
    assert_eq!(removed, 1);
    // Chained: a BLMOVE into a list another client blocks on serves that client too.
    let mut second = s.raw();
    second.send(&["BLPOP", "stage2", "5"]);
    let mut first = s.raw();
    first.send(&["BLMOVE", "stage1", "stage2", "LEFT", "RIGHT", "5"]);
    std::thread::sleep(Duration::from_millis(50));
    let _: () = c.rpush("stage1", "x").unwrap();
    assert_eq!(first.read(), "$1\r\nx\r\n");
    assert_eq!(second.read(), "*2\r\n$6\r\nstage2\r\n$1\r\nx\r\n");
}

/// `cmdstat_<name>:calls=N,...,failed_calls=F` for one command, as (N, F).
fn cmdstat(r: &mut common::Raw, name: &str) -> (u64, u64) {
    let info = r.call(&["INFO", "commandstats"]);
    let line = info
        .lines()
        .find(|l| l.starts_with(&format!("cmdstat_{name}:")))
        .unwrap_or_else(|| panic!("no cmdstat_{name} in {info}"));
    let field = |k: &str| -> u64 {
        line.split([':', ','])
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("calls"), field("failed_calls"))
}

fn wait_blocked(r: &mut common::Raw, n: usize) {
    for _ in 0..200 {
        if r.call(&["INFO", "clients"])
            .contains(&format!("blocked_clients:{n}"))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("never saw {n} blocked clients");
}

#[test]
fn a_blocking_command_counts_once_in_commandstats() {
    // Redis 7.2+: counted when it finishes (served, timed out, unblocked), not when it
    // blocks, and not again for each re-run that leaves it waiting.
    let s = TestServer::start(&[]);
    let mut c = s.raw();
    let mut w = s.raw();
    w.send(&["BRPOP", "q", "5"]);
    wait_blocked(&mut c, 1);
    assert_eq!(cmdstat_or_zero(&mut c, "brpop"), (0, 0));
    c.call(&["LPUSH", "q", "a"]);
    assert_eq!(w.read(), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    assert_eq!(cmdstat(&mut c, "brpop"), (1, 0));
    assert_eq!(w.call(&["BRPOP", "q", "0.05"]), "*-1\r\n");
    assert_eq!(cmdstat(&mut c, "brpop"), (2, 0));
    let id = w.call(&["CLIENT", "ID"]);
    let id = id.trim_start_matches(':').trim().to_string();
    w.send(&["BRPOP", "q", "0"]);
    wait_blocked(&mut c, 1);
    c.call(&["CLIENT", "UNBLOCK", &id, "ERROR"]);
    w.read();
    assert_eq!(cmdstat(&mut c, "brpop"), (3, 1));
    // A served group read: one call, not one for blocking and one for the re-run.
    c.call(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    w.send(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "w",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        ">",
    ]);
    wait_blocked(&mut c, 1);
    c.call(&["XADD", "s", "*", "f", "1"]);
    w.read();
    assert_eq!(cmdstat(&mut c, "xreadgroup"), (1, 0));
}

fn cmdstat_or_zero(r: &mut common::Raw, name: &str) -> (u64, u64) {
    let info = r.call(&["INFO", "commandstats"]);
    if info.contains(&format!("cmdstat_{name}:")) {
        cmdstat(r, name)
    } else {
        (0, 0)
    }
}

#[test]
fn client_unblock_and_disconnect_free_waiters() {
    let s = TestServer::start(&[]);
    let mut w = s.raw();
    let id = w.call(&["CLIENT", "ID"]);
    let id = id.trim_start_matches(':').trim().to_string();
    w.send(&["BLPOP", "k", "0"]);
    std::thread::sleep(Duration::from_millis(50));
    let mut c = s.raw();
    assert_eq!(c.call(&["CLIENT", "UNBLOCK", &id, "ERROR"]), ":1\r\n");
    assert_eq!(
        w.read(),
        "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    w.send(&["BLPOP", "k", "0"]);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(c.call(&["CLIENT", "UNBLOCK", &id]), ":1\r\n");
    assert_eq!(w.read(), "*-1\r\n");
    w.send(&["BLPOP", "k", "0"]);
    std::thread::sleep(Duration::from_millis(50));
    drop(w);
    let mut ok = false;
    for _ in 0..100 {
        if c.call(&["INFO", "clients"]).contains("blocked_clients:0") {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ok, "a vanished blocked client must be forgotten");
    // The push is not lost to the vanished client.
    assert_eq!(c.call(&["RPUSH", "k", "v"]), ":1\r\n");
    assert_eq!(c.call(&["LLEN", "k"]), ":1\r\n");
}

#[test]
fn watch_multi_exec_with_real_client() {
    let s = TestServer::start(&[]);
    let mut c = s.client();
    let mut other = s.client();
    let _: () = c.set("balance", 10).unwrap();
    let _: () = redis::cmd("WATCH").arg("balance").query(&mut c).unwrap();
    let _: () = other.set("balance", 20).unwrap();
    let res: Option<(i64,)> = redis::pipe()
        .atomic()
        .incr("balance", 1)
        .query(&mut c)
        .unwrap();
    assert_eq!(res, None, "EXEC must fail after a watched key changed");
    let (v,): (i64,) = redis::pipe()
        .atomic()
        .incr("balance", 1)
        .query(&mut c)
        .unwrap();
    assert_eq!(v, 21);
}

#[test]
fn pubsub_with_real_client_resp2() {
    let s = TestServer::start(&[]);
    let mut sub = s.client();
    let mut ps = sub.as_pubsub();
    ps.subscribe("news").unwrap();
    ps.psubscribe("n*").unwrap();
    let mut p = s.client();
    let n: i64 = p.publish("news", "hello").unwrap();
    assert_eq!(n, 2);
    let m1 = ps.get_message().unwrap();
    let m2 = ps.get_message().unwrap();
    assert_eq!(m1.get_channel_name(), "news");
    assert_eq!(m1.get_payload::<String>().unwrap(), "hello");
    assert_eq!(m2.get_pattern::<String>().unwrap(), "n*");
}

#[test]
fn pubsub_resp3_pushes_interleave_with_commands() {
    let s = TestServer::start(&[]);
    let mut sub = s.raw();
    sub.call(&["HELLO", "3"]);
    assert_eq!(
        sub.call(&["SUBSCRIBE", "c"]),
        ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n"
    );
    assert_eq!(sub.call(&["SET", "x", "1"]), "+OK\r\n");
    let mut p = s.raw();
    assert_eq!(p.call(&["PUBLISH", "c", "m"]), ":1\r\n");
    assert_eq!(sub.read(), ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
    assert_eq!(sub.call(&["GET", "x"]), "$1\r\n1\r\n");
}

#[test]
fn slow_subscriber_is_disconnected_and_publisher_never_stalls() {
    let s = TestServer::start(&["--client-output-buffer-limit", "pubsub 256kb 128kb 1"]);
    let mut sub = s.raw();
    assert!(sub.call(&["SUBSCRIBE", "firehose"]).contains("subscribe"));
    // The subscriber now stops reading. The publisher sends far more than the limit.
    let mut p = s.raw();
    let payload = "x".repeat(4096);
    let t = Instant::now();
    let mut delivered_last = 1;
    for _ in 0..5000 {
        let r = p.call(&["PUBLISH", "firehose", &payload]);
        delivered_last = r.trim_start_matches(':').trim().parse::<i64>().unwrap();
        if delivered_last == 0 {
            break;
        }
    }
    assert_eq!(
        delivered_last, 0,
        "the slow subscriber must have been dropped"
    );
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "publishing must not stall"
    );
    let info = p.call(&["INFO", "stats"]);
    assert!(
        info.contains("client_output_buffer_limit_disconnections:1"),
        "{info}"
    );
    // What the subscriber still receives is bounded by the limit, then the connection ends.
    sub.set_timeout(Duration::from_secs(5));
    let mut received = 0usize;
    let mut buf = [0u8; 65536];
    loop {
        match std::io::Read::read(&mut sub.reader, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received += n,
        }
    }
    assert!(
        received < 8 << 20,
        "received {received} bytes after stopping to read"
    );
    let mem_kb: u64 = std::fs::read_to_string("/proc/self/statm")
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 4;
    assert!(
        mem_kb < 2 << 20,
        "server memory must stay bounded ({mem_kb} KiB resident)"
    );
}

/// Runs `f` on a thread and fails (instead of hanging the suite) if it takes over 60 s.
fn within_a_minute<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: no answer within 60 s (server stopped reading?)"))
}

#[test]
fn a_pipeline_written_before_any_reply_is_read_is_served() {
    // redis-py and redis-rs write a whole pipeline before reading a reply. With replies
    // larger than the socket buffers can hold (here 40 MB), a server that stops reading while
    // its output waits would deadlock with such a client; Redis keeps reading and queues.
    let s = TestServer::start(&[]);
    let value = "v".repeat(2000);
    let mut c = s.client();
    let _: () = c.set("big", &value).unwrap();
    let n = 20_000;
    let replies: Vec<String> = within_a_minute("redis crate pipeline", move || {
        let mut p = redis::pipe();
        for _ in 0..n {
            p.get("big");
        }
        p.query(&mut c).unwrap()
    });
    assert_eq!(replies.len(), n);
    assert!(replies.iter().all(|r| *r == value));

    // Raw: one write of many SETs and GETs ending in a BLPOP, then the replies. The server
    // runs them all while its output waits, blocks the client with its replies still
    // queued, and serves other clients throughout.
    let port = s.port;
    let (tx, sent) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut r = Raw::connect(port);
        let mut buf = Vec::new();
        for i in 0..20_000 {
            buf.extend_from_slice(&encode(&["SET", &format!("k{i}"), "x"]));
            buf.extend_from_slice(&encode(&["GET", "big"]));
        }
        buf.extend_from_slice(&encode(&["BLPOP", "q", "0"]));
        r.send_raw(&buf);
        tx.send(()).unwrap();
        let mut ok = 0;
        for _ in 0..20_000 {
            ok += (r.read() == "+OK\r\n") as usize;
            assert_eq!(r.read().len(), 2000 + 9);
        }
        (ok, r.read())
    });
    sent.recv_timeout(Duration::from_secs(60))
        .expect("the server must take the whole pipeline without its replies being read");
    let mut other = s.raw();
    let mut blocked = false;
    for _ in 0..1000 {
        if other
            .call(&["INFO", "clients"])
            .contains("blocked_clients:1")
        {
            blocked = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        blocked,
        "the pipeline's BLPOP must block behind its queued replies"
    );
    assert_eq!(other.call(&["DBSIZE"]), ":20001\r\n");
    assert_eq!(other.call(&["RPUSH", "q", "job"]), ":1\r\n");
    let (ok, last) = within_a_minute("raw pipeline", move || reader.join().unwrap());
    assert_eq!(ok, 20_000);
    assert_eq!(last, "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
}

#[test]
fn normal_clients_over_their_output_buffer_limit_are_closed() {
    let s = TestServer::start(&["--client-output-buffer-limit", "normal 64kb 0 0"]);
    let mut c = s.raw();
    assert_eq!(c.call(&["SET", "small", &"s".repeat(70_000)]), "+OK\r\n");
    assert_eq!(c.call(&["SET", "big", &"b".repeat(100_000)]), "+OK\r\n");
    // Redis counts only what overflows its 16 KiB reply buffer: 70,000 bytes is within.
    assert_eq!(c.call(&["GET", "small"]).len(), 70_000 + 10);
    c.send(&["GET", "big"]);
    assert!(
        c.is_closed(),
        "a 100,000-byte reply passes the 64 kB hard limit"
    );
    let mut other = s.raw();
    assert!(other
        .call(&["INFO", "stats"])
        .contains("client_output_buffer_limit_disconnections:1"));
    // Without a limit (the default) the same reply goes out.
    assert_eq!(
        other.call(&[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "normal 0 0 0"
        ]),
        "+OK\r\n"
    );
    let mut d = s.raw();
    assert_eq!(d.call(&["GET", "big"]).len(), 100_000 + 11);
}

/// How many of `n` connections, opened one after another while the event loop sleeps (so
/// nothing is accepted), the kernel completes within 300 ms each: the listening socket's
/// accept queue holds its backlog plus one, and a SYN beyond that is dropped.
fn queued_while_asleep(port: u16, n: usize) -> usize {
    let mut sleeper = common::Raw::connect(port);
    sleeper.send(&["DEBUG", "SLEEP", "2"]);
    std::thread::sleep(Duration::from_millis(200));
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let mut held = Vec::new();
    for _ in 0..n {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(c) => held.push(c),
            Err(_) => break,
        }
    }
    assert_eq!(sleeper.read(), "+OK\r\n");
    held.len()
}

#[test]
fn tcp_backlog_is_the_listening_sockets_queue() {
    // A connection storm fills the accept queue before the loop accepts: Redis listens with
    // tcp-backlog (511) where a default of 128 dropped SYNs (10,000 clients connecting at
    // once took 8.9 s against redis-server's 1.8 s).
    let s = TestServer::start(&["--enable-debug-command", "yes"]);
    assert_eq!(queued_while_asleep(s.port, 400), 400);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["CONFIG", "GET", "tcp-backlog"]),
        "*2\r\n$11\r\ntcp-backlog\r\n$3\r\n511\r\n"
    );
    assert_eq!(
        r.call(&["CONFIG", "SET", "tcp-backlog", "5"]),
        "-ERR CONFIG SET failed (possibly related to argument 'tcp-backlog') - can't set immutable config\r\n"
    );
    // A smaller backlog is acted on too: the 65th waiting connection is not taken.
    let s = TestServer::start(&["--enable-debug-command", "yes", "--tcp-backlog", "63"]);
    assert_eq!(queued_while_asleep(s.port, 400), 64);
}

#[test]
fn maxclients_refuses_with_redis_error() {
    let s = TestServer::start(&["--maxclients", "2"]);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.call(&["PING"]), "+PONG\r\n");
    assert_eq!(b.call(&["PING"]), "+PONG\r\n");
    let mut c = s.raw();
    assert_eq!(c.read(), "-ERR max number of clients reached\r\n");
}

#[test]
fn requirepass_gates_commands() {
    let s = TestServer::start(&["--requirepass", "secret"]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["GET", "a"]),
        "-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        r.call(&["AUTH", "wrong"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(r.call(&["AUTH", "secret"]), "+OK\r\n");
    assert_eq!(r.call(&["GET", "a"]), "$-1\r\n");
    let mut h = s.raw();
    assert!(h
        .call(&["HELLO", "3", "AUTH", "default", "secret"])
        .starts_with("%7"));
    let mut u = s.raw();
    // Unauthenticated clients may not send large multibulks.
    u.send_raw(b"*20\r\n");
    assert_eq!(
        u.read(),
        "-ERR Protocol error: unauthenticated multibulk length\r\n"
    );
}

#[test]
fn expiry_is_lazy_and_active() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    for i in 0..50 {
        r.call(&["SET", &format!("k{i}"), "v", "PX", "30"]);
    }
    r.call(&["SET", "keep", "v"]);
    std::thread::sleep(Duration::from_millis(600));
    // Active expiry removed them without anyone touching them.
    assert_eq!(r.call(&["DBSIZE"]), ":1\r\n");
    let info = r.call(&["INFO", "stats"]);
    assert!(info.contains("expired_keys:50"), "{info}");
}

#[test]
fn client_reply_off_skip_on() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.send(&["CLIENT", "REPLY", "OFF"]);
    r.send(&["SET", "a", "1"]);
    r.send(&["CLIENT", "REPLY", "ON"]);
    assert_eq!(r.read(), "+OK\r\n");
    r.send(&["CLIENT", "REPLY", "SKIP"]);
    r.send(&["SET", "b", "1"]);
    assert_eq!(r.call(&["MGET", "a", "b"]), "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
}

#[test]
fn shutdown_command_stops_the_server() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    r.send(&["SHUTDOWN", "NOSAVE"]);
    assert!(r.is_closed());
    let mut ok = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", s.port)).is_err() {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ok, "the listener must be closed after SHUTDOWN");
    let _ = Value::Nil;
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let s = TestServer::start(&["--timeout", "1"]);
    let mut idle = s.raw();
    assert_eq!(idle.call(&["PING"]), "+PONG\r\n");
    let mut sub = s.raw();
    assert!(sub.call(&["SUBSCRIBE", "c"]).contains("subscribe"));
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        idle.is_closed(),
        "an idle client must be closed after `timeout`"
    );
    // Subscribers are exempt, as in Redis.
    let mut p = s.raw();
    assert_eq!(p.call(&["PUBLISH", "c", "m"]), ":1\r\n");
}

#[test]
fn maxmemory_refuses_growth_but_serves_reads() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    assert_eq!(r.call(&["SET", "k", "v"]), "+OK\r\n");
    assert_eq!(r.call(&["CONFIG", "SET", "maxmemory", "1"]), "+OK\r\n");
    assert_eq!(
        r.call(&["SET", "k2", "v"]),
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    assert_eq!(r.call(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(r.call(&["DEL", "k"]), ":1\r\n");
    assert_eq!(r.call(&["CONFIG", "SET", "maxmemory", "0"]), "+OK\r\n");
    assert_eq!(r.call(&["SET", "k2", "v"]), "+OK\r\n");
}

#[test]
fn pipelined_hello3_subscribe_publish_gets_push_frames() {
    let s = TestServer::start(&[]);
    let mut r = s.raw();
    let mut batch = b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n".to_vec();
    batch.extend(encode(&["SUBSCRIBE", "me"]));
    r.send_raw(&batch);
    let _hello = r.read();
    assert_eq!(r.read(), ">3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n");
    r.send_raw(&encode(&["PUBLISH", "me", "hi"]));
    let a = r.read();
    let b = r.read();
    let mut got = [a, b];
    got.sort();
    assert_eq!(
        got,
        [
            ":1\r\n".to_string(),
            ">3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n".to_string()
        ]
    );
}

#[test]
fn client_pause_write_holds_writes_but_not_reads() {
    let s = TestServer::start(&[]);
    let mut admin = s.raw();
    assert_eq!(admin.call(&["SET", "k", "v"]), "+OK\r\n");
    assert_eq!(admin.call(&["CLIENT", "PAUSE", "400", "WRITE"]), "+OK\r\n");
    let mut reader = s.raw();
    let t = Instant::now();
    assert_eq!(reader.call(&["GET", "k"]), "$1\r\nv\r\n");
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "reads are not paused by CLIENT PAUSE WRITE"
    );
    let mut writer = s.raw();
    let t = Instant::now();
    assert_eq!(writer.call(&["SET", "k", "w"]), "+OK\r\n");
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "writes wait for the pause to end"
    );
    assert_eq!(admin.call(&["CLIENT", "PAUSE", "300"]), "+OK\r\n");
    let t = Instant::now();
    assert_eq!(reader.call(&["GET", "k"]), "$1\r\nw\r\n");
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "CLIENT PAUSE ALL holds reads too"
    );
}

#[test]
fn config_set_fsync_policy_is_live_and_startup_only_directives_refuse() {
    let dir = temp_dir("fsync-live");
    let s = TestServer::start_in(dir, &["--appendonly", "yes", "--appendfsync", "everysec"]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["CONFIG", "SET", "appendfsync", "always"]),
        "+OK\r\n"
    );
    for i in 0..20 {
        assert_eq!(
            r.call(&["RPUSH", "l", &i.to_string()]),
            format!(":{}\r\n", i + 1)
        );
    }
    // The fsync thread follows the new policy: every acknowledged write is already synced.
    let h = s.shared.aof.lock().unwrap();
    let sync = &h.as_ref().unwrap().aof.sync;
    use std::sync::atomic::Ordering;
    assert_eq!(
        sync.synced.load(Ordering::SeqCst),
        sync.written.load(Ordering::SeqCst)
    );
    drop(h);
    assert_eq!(
        r.call(&["CONFIG", "SET", "appendonly", "no"]),
        "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - sluice applies this directive at start-up only\r\n"
    );
    assert_eq!(r.call(&["CONFIG", "SET", "appendonly", "yes"]), "+OK\r\n");
}

#[test]
fn aof_write_errors_refuse_writes_hold_replies_and_recover() {
    let dir = temp_dir("misconf");
    let s = TestServer::start_in(
        dir.clone(),
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--enable-debug-command",
            "yes",
        ],
    );
    let mut admin = s.raw();
    let mut writer = s.raw();
    let mut other = s.raw();
    assert_eq!(writer.call(&["SET", "before", "1"]), "+OK\r\n");
    assert_eq!(admin.call(&["DEBUG", "AOF-FAIL-WRITES", "1"]), "+OK\r\n");
    // This write cannot reach the log: its reply must wait.
    writer.send(&["SET", "held", "v"]);
    writer.set_timeout(Duration::from_millis(400));
    assert!(
        writer.try_read().is_err(),
        "no reply may leave before the record is in the log"
    );
    // Meanwhile writes are refused with Redis's MISCONF error and reads keep working.
    let r = other.call(&["SET", "x", "1"]);
    assert!(
        r.starts_with("-MISCONF Errors writing to the AOF file: injected write failure"),
        "{r}"
    );
    assert_eq!(other.call(&["GET", "before"]), "$1\r\n1\r\n");
    assert!(other
        .call(&["INFO", "persistence"])
        .contains("aof_last_write_status:err"));
    // The disk recovers: the held reply leaves, writes resume by themselves.
    assert_eq!(admin.call(&["DEBUG", "AOF-FAIL-WRITES", "0"]), "+OK\r\n");
    writer.set_timeout(Duration::from_secs(10));
    assert_eq!(writer.read(), "+OK\r\n");
    let mut ok = false;
    for _ in 0..100 {
        if other.call(&["SET", "x", "1"]) == "+OK\r\n" {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ok, "writes must resume once the AOF accepts them again");
    let dir = s.stop();
    let s2 = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut c = s2.raw();
    assert_eq!(
        c.call(&["MGET", "before", "held", "x"]),
        "*3\r\n$1\r\n1\r\n$1\r\nv\r\n$1\r\n1\r\n"
    );
}

/// A server logging under `policy` whose fsyncs take 300 ms (DEBUG AOF-FSYNC-DELAY).
fn slow_fsync_server(tag: &str, policy: &str) -> TestServer {
    let s = TestServer::start_in(
        temp_dir(tag),
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            policy,
            "--enable-debug-command",
            "yes",
        ],
    );
    assert_eq!(
        s.raw().call(&["DEBUG", "AOF-FSYNC-DELAY", "300"]),
        "+OK\r\n"
    );
    s
}

/// With fsyncs taking 300 ms: `what` took at least 250 ms when it must wait for the fsync
/// (`slow`), and less otherwise.
fn assert_fsync_wait(policy: &str, slow: bool, took: Duration, what: &str) {
    if slow {
        assert!(
            took >= Duration::from_millis(250),
            "{policy}: {what} left after {took:?}, before the fsync"
        );
    } else {
        assert!(
            took < Duration::from_millis(250),
            "{policy}: {what} must not wait for fsync ({took:?})"
        );
    }
}

#[test]
fn under_always_no_reply_leaves_before_its_fsync() {
    for (policy, slow) in [("always", true), ("everysec", false)] {
        let s = slow_fsync_server("slow-fsync", policy);
        let mut r = s.raw();
        // The first write applies the injected delay to the sync thread.
        r.call(&["SET", "warm", "1"]);
        let t = Instant::now();
        assert_eq!(r.call(&["SET", "k", "v"]), "+OK\r\n");
        let took = t.elapsed();
        assert_fsync_wait(policy, slow, took, "the reply");
        if slow {
            let h = s.shared.aof.lock().unwrap();
            let sync = &h.as_ref().unwrap().aof.sync;
            use std::sync::atomic::Ordering;
            assert!(sync.synced.load(Ordering::SeqCst) >= sync.written.load(Ordering::SeqCst));
        }
    }
}

#[test]
fn under_always_a_served_consumer_sees_nothing_before_its_fsync() {
    // A consumer blocked in XREADGROUP must not receive an entry whose XADD a crash could
    // still take back: its reply waits for the fsync that covers the XADD, like the
    // producer's own.
    for (policy, slow) in [("always", true), ("everysec", false)] {
        let s = slow_fsync_server("served-fsync", policy);
        let mut p = s.raw();
        assert_eq!(
            p.call(&["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]),
            "+OK\r\n"
        );
        p.call(&["SET", "warm", "1"]);
        let mut c = s.raw();
        c.send(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "0",
            "STREAMS",
            "q",
            ">",
        ]);
        let t = Instant::now();
        while s.shared.store.lock().unwrap().blocking.waiters.is_empty() {
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "consumer never blocked"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let t = Instant::now();
        p.send(&["XADD", "q", "1-1", "f", "v"]);
        let got = c.read();
        let took = t.elapsed();
        assert!(got.contains("1-1"), "{got}");
        assert_fsync_wait(policy, slow, took, "the consumer's entry");
        assert_eq!(p.read(), "$3\r\n1-1\r\n");
    }
}

/// A field of an INFO reply (the bulk string as `Raw::call` returns it).
fn info_value(info: &str, field: &str) -> f64 {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn info_counts_network_bytes_and_instantaneous_rates() {
    let s = TestServer::start(&[]);
    let mut c = s.raw();
    // Exact byte counts: what this (only) client sent, and what it was sent.
    let first = c.call(&["INFO", "stats"]);
    let (in1, out1) = (
        info_value(&first, "total_net_input_bytes"),
        info_value(&first, "total_net_output_bytes"),
    );
    assert_eq!(c.call(&["PING"]), "+PONG\r\n");
    let second = c.call(&["INFO", "stats"]);
    let ping = encode(&["PING"]).len() as f64;
    let info = encode(&["INFO", "stats"]).len() as f64;
    assert_eq!(
        info_value(&second, "total_net_input_bytes") - in1,
        ping + info
    );
    assert_eq!(
        info_value(&second, "total_net_output_bytes") - out1,
        first.len() as f64 + "+PONG\r\n".len() as f64
    );
    // Under load the instantaneous rates show it (sampled every 100 ms over 1.6 s)...
    let port = s.port;
    let load = std::thread::spawn(move || {
        let mut l = Raw::connect(port);
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_millis(1500) {
            l.send_raw(&encode(&["PING"]).repeat(100));
            for _ in 0..100 {
                l.read();
            }
        }
    });
    load.join().unwrap();
    let busy = c.call(&["INFO", "stats"]);
    assert!(
        info_value(&busy, "instantaneous_ops_per_sec") > 100.0,
        "{busy}"
    );
    assert!(
        info_value(&busy, "instantaneous_input_kbps") > 0.0,
        "{busy}"
    );
    assert!(
        info_value(&busy, "instantaneous_output_kbps") > 0.0,
        "{busy}"
    );
    // ...and once the samples of the busy period have rotated out, they fall back to 0. (Polls
    // are 2 s apart so that the 1.6 s of samples hold none of the polls themselves.)
    let t = std::time::Instant::now();
    let mut ops = f64::MAX;
    while ops > 0.0 && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(2000));
        ops = info_value(&c.call(&["INFO", "stats"]), "instantaneous_ops_per_sec");
    }
    assert_eq!(ops, 0.0);
}

/// Polls `cond` every 20 ms for up to 5 s.
fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn hash_field_ttls_expire_actively_and_survive_restart_and_rewrite() {
    let dir = temp_dir("field-ttl");
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&["HSET", "h", "a", "1", "b", "2", "c", "3"]),
        ":3\r\n"
    );
    assert_eq!(
        r.call(&["HEXPIRE", "h", "100", "FIELDS", "1", "a"]),
        "*1\r\n:1\r\n"
    );
    assert_eq!(
        r.call(&["HPEXPIRE", "h", "150", "FIELDS", "1", "b"]),
        "*1\r\n:1\r\n"
    );
    assert_eq!(
        r.call(&["HSETEX", "gone", "PX", "100", "FIELDS", "2", "x", "1", "y", "2"]),
        ":1\r\n"
    );
    assert!(r.call(&["INFO", "keyspace"]).contains("subexpiry=2"));
    // Nothing touches the hashes: the active cycle deletes the due fields, and `gone` with
    // its last one.
    assert!(
        wait_for(|| r.call(&["INFO", "stats"]).contains("expired_subkeys:3")),
        "the active cycle reclaims due fields"
    );
    assert_eq!(r.call(&["DBSIZE"]), ":1\r\n");
    assert_eq!(r.call(&["HLEN", "h"]), ":2\r\n");
    assert_eq!(
        r.call(&["HTTL", "h", "FIELDS", "3", "a", "b", "c"]),
        "*3\r\n:100\r\n:-2\r\n:-1\r\n"
    );
    // A lazily expired field: invisible at once, deleted on first access.
    assert_eq!(
        r.call(&["HPEXPIRE", "h", "1", "FIELDS", "1", "c"]),
        "*1\r\n:1\r\n"
    );
    std::thread::sleep(Duration::from_millis(5));
    assert_eq!(r.call(&["HGETALL", "h"]), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    // Effects, not requests: absolute times, and an HDEL per expired field.
    let text = aof_text(&s.dir);
    assert!(text.contains("HPEXPIREAT") && text.contains("HSETEX\r\n$4\r\ngone\r\n$4\r\nPXAT"));
    assert!(!text.contains("HEXPIRE\r\n") && !text.contains("HPEXPIRE\r\n"));
    assert_eq!(text.matches("$4\r\nHDEL\r\n").count(), 4, "{text}");
    let dir = s.stop();

    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    assert_eq!(r.call(&["HGETALL", "h"]), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    let ttl = r.call(&["HTTL", "h", "FIELDS", "1", "a"]);
    assert!(ttl == "*1\r\n:100\r\n" || ttl == "*1\r\n:99\r\n", "{ttl}");
    assert_eq!(r.call(&["EXISTS", "gone"]), ":0\r\n");
    // The rewrite writes the TTL as HPEXPIREAT; a restart from it keeps it.
    assert!(r.call(&["BGREWRITEAOF"]).starts_with("+Background"));
    assert!(wait_for(|| r
        .call(&["INFO", "persistence"])
        .contains("aof_rewrite_in_progress:0")));
    let dir = s.stop();
    assert!(aof_text(&dir).contains("HPEXPIREAT"));
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    let ttl = r.call(&["HTTL", "h", "FIELDS", "1", "a"]);
    assert!(ttl == "*1\r\n:100\r\n" || ttl == "*1\r\n:99\r\n", "{ttl}");
    assert_eq!(
        r.call(&["OBJECT", "ENCODING", "h"]),
        "$10\r\nlistpackex\r\n"
    );
}

/// A script that spins until killed, or for 30 s at most: the test server runs in this
/// process, and a failed assertion must not leave a script that never ends (its runtime could
/// not shut down, and the whole suite would hang).
const SPIN: &str = "local t = os.clock() while os.clock() - t < 30 do end";

/// PINGs on `c` until the answer is not PONG (a script sent just before is on its way, then
/// runs, then passes busy-reply-threshold): that answer.
fn busy_reply(c: &mut common::Raw) -> String {
    let mut reply = String::new();
    for _ in 0..500 {
        reply = c.call(&["PING"]);
        if reply != "+PONG\r\n" {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    reply
}

#[test]
fn a_busy_script_answers_busy_and_script_kill_stops_it() {
    let s = TestServer::start(&["--busy-reply-threshold", "100"]);
    let mut a = s.raw();
    a.send(&["EVAL", SPIN, "0"]);
    // Past the threshold other clients get -BUSY, a connection made meanwhile included.
    let mut b = s.raw();
    // PONG until the script has started (the EVAL may still be on its way), then BUSY.
    let busy = busy_reply(&mut b);
    assert!(
        busy.starts_with("-BUSY Redis is busy running a script."),
        "{busy}"
    );
    let mut c = s.raw();
    assert!(c.call(&["GET", "x"]).starts_with("-BUSY"));
    assert_eq!(c.call(&["SCRIPT", "KILL"]), "+OK\r\n");
    a.set_timeout(Duration::from_secs(10));
    let killed = a.read();
    assert!(
        killed.starts_with("-ERR Script killed by user with SCRIPT KILL..."),
        "{killed}"
    );
    assert_eq!(b.call(&["PING"]), "+PONG\r\n");
    assert_eq!(
        c.call(&["SCRIPT", "KILL"]),
        "-NOTBUSY No scripts in execution right now.\r\n"
    );
    // A script that has written cannot be killed: it ends on its own.
    a.send(&[
        "EVAL",
        "redis.call('set', 'w', '1') local s = os.clock() while os.clock() - s < 0.5 do end return 2",
        "0",
    ]);
    let busy = busy_reply(&mut b);
    assert!(busy.starts_with("-BUSY"), "{busy}");
    assert!(b
        .call(&["SCRIPT", "KILL"])
        .starts_with("-UNKILLABLE Sorry the script already executed write commands"));
    assert_eq!(a.read(), ":2\r\n");
    assert_eq!(b.call(&["GET", "w"]), "$1\r\n1\r\n");
}

#[test]
fn a_busy_function_answers_function_stats_and_only_function_kill_stops_it() {
    let s = TestServer::start(&["--busy-reply-threshold", "100"]);
    let mut a = s.raw();
    assert_eq!(
        a.call(&[
            "FUNCTION",
            "LOAD",
            format!("#!lua name=spin\nredis.register_function('spin', function() {SPIN} end)")
                .as_str(),
        ]),
        "$4\r\nspin\r\n"
    );
    a.send(&["FCALL", "spin", "1", "somekey", "arg"]);
    let mut b = s.raw();
    let mut busy = busy_reply(&mut b);
    assert_eq!(
        busy,
        "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
    );
    // FUNCTION STATS names the running function and its command; SCRIPT KILL is refused.
    let stats = b.call(&["FUNCTION", "STATS"]);
    assert!(
        stats.starts_with("*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*5\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n1\r\n$7\r\nsomekey\r\n$3\r\narg\r\n$11\r\nduration_ms\r\n:"),
        "{stats}"
    );
    assert!(stats.ends_with("$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n"), "{stats}");
    assert_eq!(
        b.call(&["SCRIPT", "KILL"]),
        "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert_eq!(b.call(&["FUNCTION", "KILL"]), "+OK\r\n");
    a.set_timeout(Duration::from_secs(10));
    let killed = a.read();
    assert_eq!(
        killed,
        "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n"
    );
    assert_eq!(b.call(&["PING"]), "+PONG\r\n");
    // And the other way round: FUNCTION KILL does not stop an EVAL.
    a.send(&["EVAL", SPIN, "0"]);
    busy = busy_reply(&mut b);
    assert!(
        busy.ends_with("SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"),
        "{busy}"
    );
    assert_eq!(
        b.call(&["FUNCTION", "KILL"]),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert_eq!(
        b.call(&["FUNCTION", "STATS"]),
        b.call(&["FUNCTION", "KILL"])
    );
    assert_eq!(b.call(&["SCRIPT", "KILL"]), "+OK\r\n");
    assert!(a.read().starts_with("-ERR Script killed by user"));
}

#[test]
fn client_pause_write_holds_scripts_but_not_read_only_ones() {
    let s = TestServer::start(&[]);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.call(&["CLIENT", "PAUSE", "300", "WRITE"]), "+OK\r\n");
    let started = std::time::Instant::now();
    assert_eq!(b.call(&["EVAL_RO", "return 1", "0"]), ":1\r\n");
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "EVAL_RO runs during a write pause"
    );
    assert_eq!(
        b.call(&["EVAL", "return redis.call('set', 'p', 'v')", "0"]),
        "+OK\r\n"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "EVAL waits for the pause: {:?}",
        started.elapsed()
    );
}

#[test]
fn scripts_propagate_their_effects_and_survive_restart() {
    let dir = temp_dir("script-effects");
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    assert_eq!(
        r.call(&[
            "EVAL",
            "redis.call('set', KEYS[1], ARGV[1]) redis.call('incr', KEYS[2]) return redis.call('get', KEYS[2])",
            "2",
            "a",
            "n",
            "v",
        ]),
        "$1\r\n1\r\n"
    );
    // One write: no transaction around it; a read-only script logs nothing.
    assert_eq!(
        r.call(&["EVAL", "return redis.call('incr', 'n')", "0"]),
        ":2\r\n"
    );
    assert_eq!(
        r.call(&["EVAL", "return redis.call('get', 'n')", "0"]),
        "$1\r\n2\r\n"
    );
    let text = aof_text(&s.dir);
    assert!(!text.contains("EVAL"), "{text}");
    assert_eq!(text.matches("$5\r\nMULTI\r\n").count(), 1, "{text}");
    assert_eq!(text.matches("$4\r\nEXEC\r\n").count(), 1, "{text}");
    assert_eq!(text.matches("$4\r\nincr\r\n").count(), 2, "{text}");
    let dir = s.stop();
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut r = s.raw();
    assert_eq!(r.call(&["MGET", "a", "n"]), "*2\r\n$1\r\nv\r\n$1\r\n2\r\n");
}

/// SLOWLOG over a real client: each entry's argv as Redis 7.2 keeps it (secrets redacted,
/// long arguments and lists cut, a script's own calls logged after the script's inner
/// commands, EXEC left out, a timed-out BLPOP logged), with the client's address and name.
#[test]
fn slowlog_keeps_what_redis_keeps_with_the_clients_address_and_name() {
    type Entry = (i64, i64, i64, Vec<String>, String, String);
    let s = TestServer::start(&["--slowlog-log-slower-than", "0"]);
    let mut c = s.client();
    let _: () = redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg("worker-1")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SLOWLOG").arg("RESET").query(&mut c).unwrap();
    let _: () = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg("a")
        .arg("1")
        .ignore()
        .query(&mut c)
        .unwrap();
    let _: Option<String> = redis::cmd("EVAL")
        .arg("redis.call('set', KEYS[1], 'x') return 1")
        .arg(1)
        .arg("b")
        .query(&mut c)
        .ok();
    let _ = redis::cmd("AUTH")
        .arg("who")
        .arg("secret")
        .query::<()>(&mut c);
    let many: Vec<i64> = (0..40).collect();
    let _: i64 = c.rpush("big", &many).unwrap();
    let _: () = c.set("long", "y".repeat(200)).unwrap();
    let _: Option<Vec<String>> = redis::cmd("BLPOP")
        .arg("none")
        .arg(0.01)
        .query(&mut c)
        .unwrap();
    let log: Vec<Entry> = redis::cmd("SLOWLOG")
        .arg("GET")
        .arg(-1)
        .query(&mut c)
        .unwrap();
    let argvs: Vec<String> = log.iter().rev().map(|e| e.3.join(" ")).collect();
    let long = format!("SET long {}... (72 more bytes)", "y".repeat(128));
    let big = format!(
        "RPUSH big {} ... (11 more arguments)",
        (0..29).map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
    );
    assert_eq!(
        argvs,
        [
            "SLOWLOG RESET",
            "MULTI",
            "SET a 1",
            "set b x",
            "EVAL redis.call('set', KEYS[1], 'x') return 1 1 b",
            "AUTH (redacted) (redacted)",
            big.as_str(),
            long.as_str(),
            "BLPOP none 0.01",
        ]
    );
    // Newest first, one id each, and this client's address and name.
    let addr: String = redis::cmd("CLIENT")
        .arg("INFO")
        .query::<String>(&mut c)
        .unwrap();
    let addr = addr
        .split(' ')
        .find_map(|f| f.strip_prefix("addr="))
        .unwrap()
        .to_string();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.0, log[0].0 - i as i64);
        assert!(e.1 > 1_700_000_000 && e.2 >= 0, "{e:?}");
        assert_eq!(
            (e.4.as_str(), e.5.as_str()),
            (addr.as_str(), "worker-1"),
            "{e:?}"
        );
    }
    let n: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut c).unwrap();
    assert_eq!(
        n as usize,
        log.len() + 2,
        "SLOWLOG GET and CLIENT INFO are logged too"
    );
    // slowlog-max-len bounds it; a negative threshold stops logging.
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-max-len")
        .arg(2)
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("PING").query(&mut c).unwrap();
    let n: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut c).unwrap();
    assert_eq!(n, 2);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-log-slower-than")
        .arg(-1)
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SLOWLOG").arg("RESET").query(&mut c).unwrap();
    let _: () = redis::cmd("PING").query(&mut c).unwrap();
    let n: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut c).unwrap();
    assert_eq!(n, 0);
}

/// The latency monitor beyond commands: an fsync slowed under `appendfsync always` is an
/// `aof-fsync-always` spike, and LATENCY LATEST, GRAPH and DOCTOR report it as Redis does
/// (DOCTOR advising to relax the fsync policy). Below the threshold nothing is sampled.
#[test]
fn latency_monitor_samples_the_aof_fsync() {
    let s = TestServer::start(&[
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--latency-monitor-threshold",
        "20",
        "--enable-debug-command",
        "yes",
    ]);
    let mut c = s.client();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut c).unwrap();
    let latest: Vec<(String, i64, i64, i64)> =
        redis::cmd("LATENCY").arg("LATEST").query(&mut c).unwrap();
    assert!(latest.is_empty(), "a fast fsync is no spike: {latest:?}");
    let _: () = redis::cmd("DEBUG")
        .arg("aof-fsync-delay")
        .arg(40)
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SET").arg("k").arg("v2").query(&mut c).unwrap();
    let _: () = redis::cmd("DEBUG")
        .arg("aof-fsync-delay")
        .arg(0)
        .query(&mut c)
        .unwrap();
    let latest: Vec<(String, i64, i64, i64)> =
        redis::cmd("LATENCY").arg("LATEST").query(&mut c).unwrap();
    let fsync = latest
        .iter()
        .find(|e| e.0 == "aof-fsync-always")
        .unwrap_or_else(|| panic!("no aof-fsync-always event: {latest:?}"));
    assert!(fsync.2 >= 40 && fsync.3 >= 40, "{fsync:?}");
    assert!(
        latest.iter().all(|e| e.0 != "aof-write-alone"),
        "the write itself was fast: {latest:?}"
    );
    let graph: String = redis::cmd("LATENCY")
        .arg("GRAPH")
        .arg("aof-fsync-always")
        .query(&mut c)
        .unwrap();
    let first = graph.lines().next().unwrap();
    assert!(first.starts_with("aof-fsync-always - high "), "{graph}");
    assert_eq!(graph.lines().nth(1), Some("-".repeat(80).as_str()));
    let doctor: String = redis::cmd("LATENCY").arg("DOCTOR").query(&mut c).unwrap();
    assert!(
        doctor.contains(". aof-fsync-always: 1 latency spikes"),
        "{doctor}"
    );
    assert!(
        doctor.contains("- Your fsync policy is set to 'always'."),
        "{doctor}"
    );
    let n: i64 = redis::cmd("LATENCY")
        .arg("RESET")
        .arg("AOF-FSYNC-ALWAYS")
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 1);
    let err = redis::cmd("LATENCY")
        .arg("GRAPH")
        .arg("aof-fsync-always")
        .query::<String>(&mut c)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("No samples available for event 'aof-fsync-always'"),
        "{err}"
    );
}

/// MONITOR's lines as Redis writes them: time, `[db addr]` (`lua` for a script's commands),
/// quoted arguments with secrets redacted; scripts before their commands, a transaction's
/// commands before EXEC, admin commands and wrong-arity calls not shown, a blocked command
/// shown once; and nothing after RESET or once the monitor is gone.
#[test]
fn monitor_shows_each_command_as_redis_does() {
    let s = TestServer::start(&[]);
    let mut m = s.raw();
    assert_eq!(m.call(&["MONITOR"]), "+OK\r\n");
    let mut c = s.raw();
    let addr = c.call(&["CLIENT", "INFO"]);
    let addr = addr
        .split(' ')
        .find_map(|f| f.strip_prefix("addr="))
        .unwrap()
        .to_string();
    c.call(&["SET", "k", "a \"b\"\n\\\x01"]);
    c.call(&["EVAL", "return redis.call('get', KEYS[1])", "1", "k"]);
    c.call(&["MULTI"]);
    c.call(&["SELECT", "2"]);
    c.call(&["INCR", "n"]);
    c.call(&["EXEC"]);
    c.call(&["AUTH", "secret"]);
    c.call(&["CONFIG", "GET", "maxmemory"]);
    c.call(&["GET"]);
    c.send(&["BLPOP", "q", "0"]);
    std::thread::sleep(Duration::from_millis(50));
    let mut p = s.raw();
    p.call(&["SELECT", "2"]);
    p.call(&["RPUSH", "q", "job"]);
    assert!(c.read().contains("job"));
    let paddr = p.call(&["CLIENT", "INFO"]);
    let paddr = paddr
        .split(' ')
        .find_map(|f| f.strip_prefix("addr="))
        .unwrap()
        .to_string();
    let want = [
        format!("[0 {addr}] \"CLIENT\" \"INFO\""),
        format!("[0 {addr}] \"SET\" \"k\" \"a \\\"b\\\"\\n\\\\\\x01\""),
        format!("[0 {addr}] \"EVAL\" \"return redis.call('get', KEYS[1])\" \"1\" \"k\""),
        "[0 lua] \"get\" \"k\"".to_string(),
        format!("[0 {addr}] \"MULTI\""),
        format!("[2 {addr}] \"SELECT\" \"2\""),
        format!("[2 {addr}] \"INCR\" \"n\""),
        format!("[2 {addr}] \"EXEC\""),
        format!("[2 {addr}] \"AUTH\" \"(redacted)\""),
        format!("[2 {addr}] \"BLPOP\" \"q\" \"0\""),
        format!("[2 {paddr}] \"SELECT\" \"2\""),
        format!("[2 {paddr}] \"RPUSH\" \"q\" \"job\""),
        format!("[2 {paddr}] \"CLIENT\" \"INFO\""),
    ];
    for w in &want {
        let line = m.read();
        let (time, rest) = line
            .strip_prefix('+')
            .and_then(|l| l.split_once(' '))
            .unwrap_or_else(|| panic!("{line:?}"));
        let (secs, us) = time.split_once('.').unwrap();
        assert!(
            secs.parse::<u64>().unwrap() > 1_700_000_000 && us.len() == 6,
            "{line:?}"
        );
        assert_eq!(rest.trim_end(), w);
    }
    // CLIENT LIST flags a monitor 'O' (an admin command: not shown to it).
    assert_eq!(c.call(&["CLIENT", "LIST"]).matches("flags=O ").count(), 1);
    // RESET ends it: nothing more arrives.
    assert_eq!(m.call(&["RESET"]), "+RESET\r\n");
    assert_eq!(c.call(&["CLIENT", "LIST"]).matches("flags=O ").count(), 0);
    c.call(&["PING"]);
    assert_eq!(m.call(&["PING"]), "+PONG\r\n");
    // A monitor that goes away is forgotten; the others keep theirs.
    let mut m2 = s.raw();
    m2.call(&["MONITOR"]);
    drop(m2);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(c.call(&["PING"]), "+PONG\r\n");
}
