//! The HTTP listener (issue 23): /metrics with redis_exporter's names and sluice's queue
//! metrics, credentials under requirepass, the dashboard's JSON API, and actions that run as
//! commands (guarded by sluice-http-actions, persisted through the AOF).

mod common;
use common::*;

fn get(port: u16, path: &str) -> (u16, String) {
    let (st, _, body) = http(port, "GET", path, &[], b"");
    (st, String::from_utf8_lossy(&body).into_owned())
}

fn post(port: u16, body: &str) -> (u16, serde_json::Value) {
    let (st, _, b) = http(
        port,
        "POST",
        "/api/action",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    (
        st,
        serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
    )
}

/// The value of the sample `name{labels}` (labels as written) in a scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn start_http(extra: &[&str]) -> TestServer {
    let p = free_port().to_string();
    let mut d = vec!["--sluice-http-port", p.as_str()];
    d.extend_from_slice(extra);
    TestServer::start(&d)
}

#[test]
fn off_by_default() {
    let s = TestServer::start(&[]);
    assert_eq!(s.http_port, None);
    let mut c = s.client();
    let v: std::collections::BTreeMap<String, String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("sluice-http-*")
        .query(&mut c)
        .unwrap();
    let want: std::collections::BTreeMap<String, String> = [
        ("sluice-http-actions", "no"),
        ("sluice-http-bind", ""),
        ("sluice-http-port", "0"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(v, want);
    let e = redis::cmd("CONFIG")
        .arg("SET")
        .arg("sluice-http-port")
        .arg("8080")
        .query::<()>(&mut c)
        .unwrap_err();
    assert!(e.to_string().contains("can't set immutable config"), "{e}");
}

#[test]
fn metrics_carry_exporter_names_and_queue_metrics() {
    let s = start_http(&[]);
    let hp = s.http_port.unwrap();
    let mut c = s.client();
    for i in 0..10 {
        let _: String = redis::cmd("XADD")
            .arg("q")
            .arg(format!("{}-1", i + 1))
            .arg("f")
            .arg(i)
            .query(&mut c)
            .unwrap();
    }
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("q")
        .arg("g")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("g")
        .arg("alice")
        .arg("COUNT")
        .arg(4)
        .arg("STREAMS")
        .arg("q")
        .arg(">")
        .query(&mut c)
        .unwrap();
    let _: i64 = redis::cmd("XACK")
        .arg("q")
        .arg("g")
        .arg("1-1")
        .query(&mut c)
        .unwrap();
    // A history read re-delivers alice's three pending entries.
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("g")
        .arg("alice")
        .arg("STREAMS")
        .arg("q")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("GET").arg("nokey").query(&mut c).unwrap();
    let _ = redis::cmd("INCR")
        .arg("q")
        .query::<i64>(&mut c)
        .unwrap_err();

    let (st, t) = get(hp, "/metrics");
    assert_eq!(st, 200);
    let l = "{db=\"db0\",stream=\"q\"}";
    let lg = "{db=\"db0\",stream=\"q\",group=\"g\"}";
    let lc = "{db=\"db0\",stream=\"q\",group=\"g\",consumer=\"alice\"}";
    assert_eq!(sample(&t, "redis_up"), Some(1.0));
    assert_eq!(sample(&t, &format!("redis_stream_length{l}")), Some(10.0));
    assert_eq!(sample(&t, &format!("redis_stream_groups{l}")), Some(1.0));
    assert_eq!(
        sample(&t, &format!("redis_stream_last_generated_id{l}")),
        Some(10.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_first_entry_id{l}")),
        Some(1.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_group_messages_pending{lg}")),
        Some(3.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_group_lag{lg}")),
        Some(6.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_group_entries_read{lg}")),
        Some(4.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_group_consumers{lg}")),
        Some(1.0)
    );
    assert_eq!(
        sample(&t, &format!("redis_stream_group_last_delivered_id{lg}")),
        Some(4.0)
    );
    assert_eq!(
        sample(
            &t,
            &format!("redis_stream_group_consumer_messages_pending{lc}")
        ),
        Some(3.0)
    );
    assert!(sample(&t, &format!("redis_stream_group_consumer_idle_seconds{lc}")).is_some());
    assert_eq!(
        sample(&t, &format!("redis_stream_entries_added_total{l}")),
        Some(10.0)
    );
    assert_eq!(
        sample(&t, &format!("sluice_stream_group_deliveries_total{lg}")),
        Some(7.0)
    );
    assert_eq!(
        sample(&t, &format!("sluice_stream_group_redeliveries_total{lg}")),
        Some(3.0)
    );
    assert_eq!(
        sample(&t, &format!("sluice_stream_group_acks_total{lg}")),
        Some(1.0)
    );
    // The oldest pending entry is 2-1: its ID time is 2 ms after the epoch.
    let age = sample(
        &t,
        &format!("sluice_stream_group_oldest_pending_age_seconds{lg}"),
    )
    .unwrap();
    assert!(age > 1.7e9, "{age}");
    assert_eq!(
        sample(&t, "redis_commands_total{cmd=\"xreadgroup\"}"),
        Some(2.0)
    );
    assert_eq!(
        sample(&t, "redis_commands_failed_calls_total{cmd=\"incr\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&t, "redis_errors_total{err=\"WRONGTYPE\"}"),
        Some(1.0)
    );
    assert_eq!(sample(&t, "redis_keyspace_misses_total"), Some(1.0));
    assert_eq!(sample(&t, "redis_db_keys{db=\"db0\"}"), Some(1.0));
    assert!(sample(&t, "redis_connected_clients").unwrap() >= 1.0);
    assert!(sample(&t, "redis_latency_percentiles_usec_count{cmd=\"xadd\"}") == Some(10.0));
    assert_eq!(
        sample(&t, "sluice_command_latency_seconds_count{cmd=\"xadd\"}"),
        Some(10.0)
    );
    assert_eq!(
        sample(
            &t,
            "sluice_command_latency_seconds_bucket{cmd=\"xadd\",le=\"+Inf\"}"
        ),
        Some(10.0)
    );
    assert!(t.contains("# TYPE redis_commands_total counter\n"));
    assert!(t.contains("# TYPE sluice_command_latency_seconds histogram\n"));
    assert!(t.contains("redis_instance_info{role=\"master\","));
}

#[test]
fn a_scrape_of_many_streams_takes_the_store_in_steps() {
    let s = start_http(&[]);
    let hp = s.http_port.unwrap();
    let mut c = s.client();
    let mut p = redis::pipe();
    for i in 0..10_000 {
        p.cmd("XADD")
            .arg(format!("s{i}"))
            .arg("*")
            .arg("f")
            .arg("v")
            .ignore();
        p.cmd("XGROUP")
            .arg("CREATE")
            .arg(format!("s{i}"))
            .arg("g")
            .arg("0")
            .ignore();
    }
    let _: () = p.query(&mut c).unwrap();
    let (st, t) = get(hp, "/metrics");
    assert_eq!(st, 200);
    assert_eq!(t.matches("redis_stream_length{").count(), 10_000);
    assert_eq!(t.matches("redis_stream_group_lag{").count(), 10_000);
    // Bounded steps, not one long hold: the keyspace walk released the store in between.
    // (How many steps depends on the machine's speed: 9 to 30 here, each 0.5 ms; copying
    // 10,000 streams in one 0.5 ms step would take 50 ns a stream, which no machine does.)
    let steps = sample(&t, "sluice_scrape_steps").unwrap();
    assert!(
        steps >= 2.0,
        "one scrape of 10,000 streams took {steps} steps"
    );
}

#[test]
fn requirepass_guards_every_path() {
    let s = start_http(&["--requirepass", "s3cret"]);
    let hp = s.http_port.unwrap();
    for path in ["/metrics", "/", "/api/overview", "/app.js"] {
        let (st, head, _) = http(hp, "GET", path, &[], b"");
        assert_eq!(st, 401, "{path}");
        assert!(
            head.contains("WWW-Authenticate: Basic") || head.contains("www-authenticate: Basic"),
            "{head}"
        );
    }
    // default:s3cret, :s3cret, default:wrong, someone:s3cret
    let ok = [
        ("ZGVmYXVsdDpzM2NyZXQ=", 200),
        ("OnMzY3JldA==", 200),
        ("ZGVmYXVsdDp3cm9uZw==", 401),
        ("c29tZW9uZTpzM2NyZXQ=", 401),
        ("!!!", 401),
    ];
    for (cred, want) in ok {
        let h = format!("Basic {cred}");
        let (st, _, _) = http(hp, "GET", "/metrics", &[("Authorization", &h)], b"");
        assert_eq!(st, want, "{cred}");
    }
}

/// One command, its reply dropped (test setup).
fn q(c: &mut redis::Connection, args: &[&str]) {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    let _: redis::Value = cmd.query(c).unwrap();
}

fn api(port: u16, path: &str) -> serde_json::Value {
    let (st, body) = get(port, path);
    assert_eq!(st, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn keys_of(v: &serde_json::Value, table: &str) -> Vec<String> {
    v[table]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stream_and_list_pages_filter_sort_and_count() {
    let s = start_http(&[]);
    let hp = s.http_port.unwrap();
    let mut c = s.client();
    for (k, n) in [("a:1", 3), ("a:2", 5), ("b:1", 1), ("a:3", 4)] {
        for _ in 0..n {
            q(&mut c, &["XADD", k, "*", "f", "v"]);
        }
    }
    q(&mut c, &["XGROUP", "CREATE", "a:3", "g", "0"]);
    let v = api(hp, "/api/streams");
    assert_eq!(v["total"], 4);
    assert_eq!(keys_of(&v, "streams"), ["a:1", "a:2", "a:3", "b:1"]);
    let v = api(hp, "/api/streams?match=a%3A*&sort=length&limit=2");
    assert_eq!(v["total"], 3, "{v}");
    assert_eq!(keys_of(&v, "streams"), ["a:2", "a:3"]);
    let v = api(hp, "/api/streams?sort=lag");
    assert_eq!(keys_of(&v, "streams")[0], "a:3", "the only group, lag 4");
    // A page of a larger keyspace: the walk keeps the best in a bounded heap.
    let mut p = redis::pipe();
    let mut want: Vec<(usize, String)> = Vec::new();
    for i in 0..300usize {
        let (k, n) = (format!("z:{i:03}"), (i * 7919) % 37 + 1);
        for _ in 0..n {
            p.cmd("XADD").arg(&k).arg("*").arg("f").arg("v").ignore();
        }
        want.push((n, k));
    }
    let _: () = p.query(&mut c).unwrap();
    let v = api(hp, "/api/streams?match=z:*&limit=100");
    assert_eq!(v["total"], 300);
    let by_key: Vec<String> = want.iter().take(100).map(|(_, k)| k.clone()).collect();
    assert_eq!(keys_of(&v, "streams"), by_key);
    want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let by_len: Vec<String> = want.iter().take(25).map(|(_, k)| k.clone()).collect();
    let v = api(hp, "/api/streams?match=z:*&sort=length&limit=25");
    assert_eq!(keys_of(&v, "streams"), by_len);
    assert_eq!(get(hp, "/api/streams?sort=nope").0, 400);
    assert_eq!(get(hp, "/api/streams?limit=x").0, 400);

    // Lists as queues: pushes and pops counted across the key's deletion when drained,
    // drained and waited-on queues listed without a key.
    q(&mut c, &["RPUSH", "jobs", "1", "2", "3"]);
    q(&mut c, &["LPOP", "jobs", "3"]);
    q(&mut c, &["RPUSH", "jobs", "4", "5"]);
    q(&mut c, &["RPOP", "jobs"]);
    q(&mut c, &["LMOVE", "jobs", "done", "LEFT", "RIGHT"]);
    q(&mut c, &["LINSERT", "done", "BEFORE", "4", "0"]);
    q(&mut c, &["RPUSH", "drained", "x"]);
    q(&mut c, &["BLPOP", "drained", "0"]);
    let mut w = s.client();
    let blocked = std::thread::spawn(move || {
        let _: redis::Value = redis::cmd("BRPOP")
            .arg("idle")
            .arg("0")
            .query(&mut w)
            .unwrap();
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let v = loop {
        let v = api(hp, "/api/lists");
        if v["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["key"] == "idle")
            || std::time::Instant::now() > deadline
        {
            break v;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let row = |k: &str| {
        v["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == k)
            .unwrap_or_else(|| panic!("{k} in {v}"))
            .clone()
    };
    let jobs = row("jobs");
    assert_eq!(
        (&jobs["length"], &jobs["pushed"], &jobs["popped"]),
        (&0.into(), &5.into(), &5.into()),
        "{jobs}"
    );
    let done = row("done");
    assert_eq!((&done["length"], &done["pushed"]), (&2.into(), &2.into()));
    let drained = row("drained");
    assert_eq!(
        (&drained["length"], &drained["popped"]),
        (&0.into(), &1.into())
    );
    let idle = row("idle");
    assert_eq!(
        (&idle["blocked"], &idle["pushed"]),
        (&1.into(), &serde_json::Value::Null)
    );
    assert_eq!(v["total"], 4, "{v}");
    let v = api(hp, "/api/lists?sort=pushed&limit=1");
    assert_eq!(keys_of(&v, "lists"), ["jobs"]);
    assert_eq!(v["total"], 4);
    let v = api(hp, "/api/lists?match=d*");
    assert_eq!(keys_of(&v, "lists"), ["done", "drained"]);
    q(&mut c, &["RPUSH", "idle", "go"]);
    blocked.join().unwrap();
    let v = api(hp, "/api/lists?match=idle");
    assert_eq!(
        (&v["lists"][0]["pushed"], &v["lists"][0]["popped"]),
        (&1.into(), &1.into()),
        "{v}"
    );
    // FLUSHALL forgets the counts with the keys.
    q(&mut c, &["FLUSHALL"]);
    assert_eq!(api(hp, "/api/lists")["total"], 0);
}

#[test]
fn dashboard_assets_and_api() {
    let s = start_http(&[]);
    let hp = s.http_port.unwrap();
    let mut c = s.client();
    let _: String = redis::cmd("XADD")
        .arg("jobs")
        .arg("5-1")
        .arg("a")
        .arg("1")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("jobs")
        .arg("w")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("w")
        .arg("bob")
        .arg("STREAMS")
        .arg("jobs")
        .arg(">")
        .query(&mut c)
        .unwrap();
    let _: i64 = redis::cmd("RPUSH")
        .arg("mail")
        .arg("x")
        .query(&mut c)
        .unwrap();
    let (st, html) = get(hp, "/");
    assert_eq!(st, 200);
    assert!(html.contains("<script src=\"/app.js\">"));
    assert_eq!(get(hp, "/app.js").0, 200);
    assert_eq!(get(hp, "/app.css").0, 200);
    assert_eq!(get(hp, "/nope").0, 404);
    let (_, o) = get(hp, "/api/overview");
    let o: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert!(o["server"]["redis_version"].is_string());
    assert_eq!(o["dashboard"]["actions"], false);
    let (_, v) = get(hp, "/api/stream?key=jobs");
    let v: serde_json::Value = serde_json::from_str(&v).unwrap();
    let g = &v["stream"]["groups"][0];
    assert_eq!(g["name"], "w");
    assert_eq!(g["pending"], 1);
    assert_eq!(g["lag"], 0);
    assert_eq!(g["consumer_list"][0]["name"], "bob");
    assert_eq!(g["oldest_pending_id"], "5-1");
    let (_, p) = get(hp, "/api/pending?key=jobs&group=w");
    let p: serde_json::Value = serde_json::from_str(&p).unwrap();
    assert_eq!(p["pending"][0]["id"], "5-1");
    assert_eq!(p["pending"][0]["consumer"], "bob");
    assert_eq!(get(hp, "/api/stream?key=nosuch").0, 404);
    assert_eq!(get(hp, "/api/pending?key=jobs&group=nosuch").0, 404);
    let (_, l) = get(hp, "/api/lists");
    assert!(l.contains("\"key\":\"mail\""), "{l}");
    // Actions are off unless the directive allows them.
    let (st, v) = post(
        hp,
        r#"{"action":"ack","key":"jobs","group":"w","id":"5-1"}"#,
    );
    assert_eq!(st, 403, "{v}");
    let (st, _, _) = http(
        hp,
        "POST",
        "/api/action",
        &[("Content-Type", "text/plain")],
        b"{}",
    );
    assert_eq!(st, 415);
}

#[test]
fn actions_run_as_commands_and_survive_a_restart() {
    let p = free_port().to_string();
    let s = TestServer::start(&[
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--sluice-http-port",
        &p,
        "--sluice-http-actions",
        "yes",
    ]);
    let hp = s.http_port.unwrap();
    let mut c = s.client();
    for i in 1..=5 {
        let _: String = redis::cmd("XADD")
            .arg("jobs")
            .arg(format!("{i}-1"))
            .arg("a")
            .arg(i)
            .query(&mut c)
            .unwrap();
    }
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("jobs")
        .arg("w")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("w")
        .arg("bob")
        .arg("STREAMS")
        .arg("jobs")
        .arg(">")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SLUICE.POLICY")
        .arg("DEADLETTER")
        .arg("jobs")
        .arg("w")
        .arg("MAXDELIVERIES")
        .arg(5)
        .arg("TO")
        .arg("jobs:dead")
        .query(&mut c)
        .unwrap();

    let (st, v) = post(
        hp,
        r#"{"action":"ack","key":"jobs","group":"w","id":"1-1"}"#,
    );
    assert_eq!((st, v["reply"].clone()), (200, serde_json::json!(1)), "{v}");
    let (st, v) = post(
        hp,
        r#"{"action":"claim","key":"jobs","group":"w","id":"2-1","consumer":"carol"}"#,
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["reply"][0][0], "2-1");
    let (st, v) = post(
        hp,
        r#"{"action":"deadletter","key":"jobs","group":"w","id":"3-1"}"#,
    );
    assert_eq!((st, v["reply"].clone()), (200, serde_json::json!(1)), "{v}");
    let (st, v) = post(
        hp,
        r#"{"action":"trim","key":"jobs","strategy":"MAXLEN","threshold":"3"}"#,
    );
    assert_eq!((st, v["reply"].clone()), (200, serde_json::json!(2)), "{v}");
    let (st, v) = post(
        hp,
        r#"{"action":"claim","key":"jobs","group":"nog","id":"2-1","consumer":"x"}"#,
    );
    assert_eq!(st, 400);
    assert!(
        v["reply"]["error"].as_str().unwrap().starts_with("NOGROUP"),
        "{v}"
    );
    let (st, _) = post(hp, r#"{"action":"flushall"}"#);
    assert_eq!(st, 400);
    let (st, _) = post(hp, "not json");
    assert_eq!(st, 400);

    let state = |c: &mut redis::Connection| {
        let pend: redis::Value = redis::cmd("XPENDING")
            .arg("jobs")
            .arg("w")
            .arg("-")
            .arg("+")
            .arg(10)
            .query(c)
            .unwrap();
        let dead: i64 = redis::cmd("XLEN").arg("jobs:dead").query(c).unwrap();
        let len: i64 = redis::cmd("XLEN").arg("jobs").query(c).unwrap();
        (format!("{pend:?}"), dead, len)
    };
    let before = state(&mut c);
    assert_eq!(before.1, 1);
    assert_eq!(before.2, 3);
    assert!(
        before.0.contains("carol") && !before.0.contains("\"1-1\""),
        "{}",
        before.0
    );
    drop(c);
    let dir = s.stop();
    let s = TestServer::start_in(dir, &["--appendonly", "yes"]);
    let mut c = s.client();
    let after = state(&mut c);
    assert_eq!(before.1, after.1);
    assert_eq!(before.2, after.2);
    // Idle times differ after a restart; owners and IDs do not.
    let ids = |s: &str| s.matches("bulk-string").count();
    assert_eq!(ids(&before.0), ids(&after.0));
    assert_eq!(before.0.contains("carol"), after.0.contains("carol"));
}
