//! Durability under crashes: kill -9 during concurrent XADD, XREADGROUP+XACK and LPUSH load
//! loses nothing that was acknowledged, under `appendfsync always` and `everysec`, over
//! repeated rounds; kill -9 while entries are dead-lettered neither loses nor doubles one;
//! and an AOF whose last record is torn at any byte still starts, loading
//! the clean prefix.

use redis_compat::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn kill_9_loses_no_acknowledged_write() {
    for policy in ["always", "everysec"] {
        for round in 0..3 {
            let mut s = Server::start(
                Kind::Sluice,
                &["--appendonly", "yes", "--appendfsync", policy],
            );
            let port = s.port;
            s.conn()
                .call(&["XGROUP", "CREATE", "ev", "g", "$", "MKSTREAM"])
                .unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let acked_ids = Arc::new(Mutex::new(Vec::<String>::new()));
            let acked_pushes = Arc::new(Mutex::new(0i64));
            let acked_acks = Arc::new(Mutex::new(Vec::<String>::new()));
            let mut threads = Vec::new();
            for t in 0..2 {
                let (stop, ids) = (stop.clone(), acked_ids.clone());
                threads.push(std::thread::spawn(move || {
                    let Ok(mut c) = Conn::connect(port) else {
                        return;
                    };
                    for i in 0..1_000_000u64 {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let id = format!("{}-{}", i + 1, t);
                        match c.call(&["XADD", "ev", &id, "n", "1"]) {
                            Ok(r) if r.starts_with(b"$") => ids.lock().unwrap().push(id),
                            _ => return,
                        }
                    }
                }));
            }
            {
                let (stop, pushes) = (stop.clone(), acked_pushes.clone());
                threads.push(std::thread::spawn(move || {
                    let Ok(mut c) = Conn::connect(port) else {
                        return;
                    };
                    while !stop.load(Ordering::SeqCst) {
                        match c.call(&["LPUSH", "jobs", "j"]) {
                            Ok(r) if r.starts_with(b":") => *pushes.lock().unwrap() = integer(&r),
                            _ => return,
                        }
                    }
                }));
            }
            {
                let (stop, acks) = (stop.clone(), acked_acks.clone());
                threads.push(std::thread::spawn(move || {
                    let Ok(mut c) = Conn::connect(port) else {
                        return;
                    };
                    while !stop.load(Ordering::SeqCst) {
                        let Ok(r) = c.call(&[
                            "XREADGROUP",
                            "GROUP",
                            "g",
                            "w",
                            "COUNT",
                            "5",
                            "STREAMS",
                            "ev",
                            ">",
                        ]) else {
                            return;
                        };
                        let (f, _) = parse_frame(&r);
                        let mut ids = Vec::new();
                        if let Frame::Agg(_, Some(streams)) = f {
                            for st in streams {
                                if let Frame::Agg(_, Some(kv)) = st {
                                    if let Some(Frame::Agg(_, Some(entries))) = kv.get(1) {
                                        for e in entries {
                                            if let Frame::Agg(_, Some(parts)) = e {
                                                if let Some(Frame::Bulk(_, Some(id))) =
                                                    parts.first()
                                                {
                                                    ids.push(
                                                        String::from_utf8(id.clone()).unwrap(),
                                                    );
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        for id in ids {
                            match c.call(&["XACK", "ev", "g", &id]) {
                                Ok(r) if r == b":1\r\n" => acks.lock().unwrap().push(id),
                                _ => return,
                            }
                        }
                    }
                }));
            }
            std::thread::sleep(Duration::from_millis(400 + 150 * round));
            s.kill();
            stop.store(true, Ordering::SeqCst);
            for t in threads {
                let _ = t.join();
            }
            let dir = s.dir.clone();
            let s2 = Server::start_in(
                Kind::Sluice,
                &["--appendonly", "yes", "--appendfsync", policy],
                dir,
            );
            std::mem::forget(s);
            let mut c = s2.conn();
            let ids = acked_ids.lock().unwrap().clone();
            assert!(!ids.is_empty(), "the load must have made progress");
            for id in &ids {
                let r = c.call(&["XRANGE", "ev", id, id]).unwrap();
                assert_ne!(
                    r, b"*0\r\n",
                    "[{policy} round {round}] acknowledged XADD {id} lost"
                );
            }
            let len = integer(&c.call(&["LLEN", "jobs"]).unwrap());
            let pushed = *acked_pushes.lock().unwrap();
            assert!(
                len >= pushed,
                "[{policy} round {round}] LPUSH acknowledged length {pushed}, found {len}"
            );
            for id in acked_acks.lock().unwrap().iter() {
                let r = c.call(&["XPENDING", "ev", "g", id, id, "1"]).unwrap();
                assert_eq!(
                    r, b"*0\r\n",
                    "[{policy} round {round}] acknowledged XACK {id} undone"
                );
            }
            println!(
                "crash [{policy} round {round}]: {} XADDs, {} LPUSHes, {} XACKs acknowledged before kill -9; all present after restart",
                ids.len(),
                pushed,
                acked_acks.lock().unwrap().len()
            );
        }
    }
}

/// The flat bulk strings of a reply, depth first (IDs, field names and values alike).
fn bulks(f: &Frame, out: &mut Vec<String>) {
    match f {
        Frame::Bulk(_, Some(b)) | Frame::Simple(_, b) => {
            out.push(String::from_utf8_lossy(b).into_owned())
        }
        Frame::Agg(_, Some(items)) => items.iter().for_each(|i| bulks(i, out)),
        _ => {}
    }
}

/// Dead-lettering is a copy to the target plus an XACK in the source group, one atomic
/// effect: kill -9 while workers drive entries to the dead-letter stream, restart, and
/// every entry the group was given is either still pending or in the dead-letter stream,
/// never both, never neither, never twice.
#[test]
fn kill_9_while_dead_lettering_loses_and_duplicates_nothing() {
    const ENTRIES: usize = 20_000;
    for round in 0..3u64 {
        let mut s = Server::start(
            Kind::Sluice,
            &["--appendonly", "yes", "--appendfsync", "always"],
        );
        let port = s.port;
        let mut c = s.conn();
        c.pipeline(
            ENTRIES,
            |i| {
                vec![
                    "XADD".into(),
                    "s".into(),
                    format!("{}-1", i + 1),
                    "n".into(),
                    i.to_string(),
                ]
            },
            drop,
        )
        .unwrap();
        c.call(&["XGROUP", "CREATE", "s", "g", "0"]).unwrap();
        let r = c
            .call(&[
                "SLUICE.POLICY",
                "DEADLETTER",
                "s",
                "g",
                "MAXDELIVERIES",
                "1",
                "TO",
                "dlq",
            ])
            .unwrap();
        assert_eq!(r, b"+OK\r\n");
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..2)
            .map(|w| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let Ok(mut c) = Conn::connect(port) else {
                        return;
                    };
                    let name = format!("w{w}");
                    // Each entry: delivered once (XREADGROUP >), then its redelivery by
                    // XAUTOCLAIM would pass MAXDELIVERIES 1, so it is dead-lettered instead;
                    // half as many claimed as read, so some are always pending.
                    while !stop.load(Ordering::SeqCst) {
                        let read = [
                            "XREADGROUP",
                            "GROUP",
                            "g",
                            &name,
                            "COUNT",
                            "20",
                            "STREAMS",
                            "s",
                            ">",
                        ];
                        let claim = ["XAUTOCLAIM", "s", "g", &name, "0", "0-0", "COUNT", "10"];
                        if c.call(&read).is_err() || c.call(&claim).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300 + 150 * round));
        s.kill();
        stop.store(true, Ordering::SeqCst);
        for t in threads {
            let _ = t.join();
        }
        let dir = s.dir.clone();
        let s2 = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
        std::mem::forget(s);
        let mut c = s2.conn();
        // What the group was given: every ID up to its last-delivered-id.
        let mut info = Vec::new();
        bulks(
            &parse_frame(&c.call(&["XINFO", "GROUPS", "s"]).unwrap()).0,
            &mut info,
        );
        let at = info.iter().position(|x| x == "last-delivered-id").unwrap();
        let last: usize = info[at + 1].split('-').next().unwrap().parse().unwrap();
        let mut pending = Vec::new();
        bulks(
            &parse_frame(
                &c.call(&["XPENDING", "s", "g", "-", "+", "1000000"])
                    .unwrap(),
            )
            .0,
            &mut pending,
        );
        // XPENDING's extended form: id, consumer, idle, count (the last two integers).
        let pending: std::collections::HashSet<String> =
            pending.into_iter().filter(|x| x.ends_with("-1")).collect();
        let mut dead = Vec::new();
        bulks(
            &parse_frame(&c.call(&["XRANGE", "dlq", "-", "+"]).unwrap()).0,
            &mut dead,
        );
        let dead_ids: Vec<String> = dead
            .windows(2)
            .filter(|w| w[0] == "dlq-id")
            .map(|w| w[1].clone())
            .collect();
        let unique: std::collections::HashSet<&String> = dead_ids.iter().collect();
        assert_eq!(
            unique.len(),
            dead_ids.len(),
            "[round {round}] an entry dead-lettered twice"
        );
        assert!(
            !dead_ids.is_empty(),
            "[round {round}] the load must have dead-lettered something"
        );
        for i in 1..=last {
            let id = format!("{i}-1");
            let (p, d) = (pending.contains(&id), unique.contains(&id));
            assert!(
                p != d,
                "[round {round}] {id}: pending {p}, dead-lettered {d}"
            );
        }
        println!(
            "kill -9 while dead-lettering [round {round}]: {last} entries delivered, {} dead-lettered, {} pending; none lost or doubled",
            dead_ids.len(),
            pending.len()
        );
    }
}

#[test]
fn torn_tail_at_every_byte_loads_the_clean_prefix() {
    let mut s = Server::start(
        Kind::Sluice,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let mut c = s.conn();
    for i in 1..=5 {
        c.call(&["XADD", "s", &format!("{i}-0"), "f", "v"]).unwrap();
    }
    c.call(&["RPUSH", "l", "a", "b"]).unwrap();
    c.call(&["SET", "last", "value"]).unwrap();
    s.terminate();
    let incr = s.dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let full = std::fs::read(&incr).unwrap();
    // The last three records: XADD 5-0, RPUSH, SET.
    let tail_start = full.windows(4).rposition(|w| w == b"*5\r\n").unwrap();
    let mut checked = 0;
    for cut in tail_start..full.len() {
        let dir = std::env::temp_dir().join(format!("torn-{}-{cut}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("appendonlydir")).unwrap();
        for e in std::fs::read_dir(s.dir.join("appendonlydir")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join("appendonlydir").join(e.file_name())).unwrap();
        }
        std::fs::write(
            dir.join("appendonlydir/appendonly.aof.1.incr.aof"),
            &full[..cut],
        )
        .unwrap();
        let t = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
        let mut tc = t.conn();
        let n = integer(&tc.call(&["XLEN", "s"]).unwrap());
        assert!(n == 4 || n == 5, "cut {cut}: XLEN {n}");
        // Everything before the torn record is there; nothing after it.
        let has_list = integer(&tc.call(&["EXISTS", "l"]).unwrap());
        let has_last = integer(&tc.call(&["EXISTS", "last"]).unwrap());
        assert!(
            has_last <= has_list && (has_list == 0 || n == 5),
            "cut {cut}: prefix broken"
        );
        checked += 1;
    }
    // Flipping a byte in the middle is corruption: sluice refuses to start.
    let mut bad = full.clone();
    let mid = tail_start / 2;
    bad[mid] = b'#' ^ bad[mid] ^ b'!';
    bad[tail_start - 3] = b'X';
    let dir = std::env::temp_dir().join(format!("corrupt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("appendonlydir")).unwrap();
    for e in std::fs::read_dir(s.dir.join("appendonlydir")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("appendonlydir").join(e.file_name())).unwrap();
    }
    std::fs::write(dir.join("appendonlydir/appendonly.aof.1.incr.aof"), &bad).unwrap();
    let out = std::process::Command::new(sluice_bin())
        .args([
            "--port",
            &free_port().to_string(),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a corrupted AOF must stop the start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("appendonly.aof.1.incr.aof") && stderr.contains("offset"),
        "error must name file and offset: {stderr}"
    );
    println!("torn tail: {checked} cut points loaded their clean prefix; mid-file corruption refused: {}", stderr.trim());
}

#[test]
fn check_aof_reports_and_fixes_a_torn_tail() {
    let mut s = Server::start(Kind::Sluice, &["--appendonly", "yes"]);
    let mut c = s.conn();
    for i in 0..10 {
        c.call(&["RPUSH", "l", &i.to_string()]).unwrap();
    }
    s.terminate();
    let dir = s.dir.clone();
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let data = std::fs::read(&incr).unwrap();
    // Cut into the last record (before its batch's checksum line).
    let last_annotation = data.windows(7).rposition(|w| w == b"#CRC32:").unwrap();
    std::fs::write(&incr, &data[..last_annotation - 5]).unwrap();
    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    let run = |fix: bool| {
        let mut cmd = std::process::Command::new(sluice_bin());
        cmd.arg("check-aof");
        if fix {
            cmd.arg("--fix");
        }
        let out = cmd.arg(&manifest).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, report) = run(false);
    assert!(!ok && report.contains("truncated"), "{report}");
    let (ok, report) = run(true);
    assert!(ok && report.contains("Successfully truncated"), "{report}");
    let (ok, report) = run(false);
    // SELECT plus the 9 whole RPUSHes that survive the cut.
    assert!(ok && report.contains("is valid (10 commands)"), "{report}");
    // Loads even where a torn tail is not tolerated.
    let s2 = Server::start_in(
        Kind::Sluice,
        &["--appendonly", "yes", "--aof-load-truncated", "no"],
        dir,
    );
    std::mem::forget(s);
    assert_eq!(s2.conn().call(&["LLEN", "l"]).unwrap(), b":9\r\n");
    println!("check-aof: torn tail reported, fixed with --fix, AOF then loads with aof-load-truncated no");
}

/// Copies a server's AOF directory into a fresh data directory.
fn copy_aof(from: &std::path::Path, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("appendonlydir")).unwrap();
    for e in std::fs::read_dir(from.join("appendonlydir")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("appendonlydir").join(e.file_name())).unwrap();
    }
    dir
}

#[test]
fn a_flipped_byte_inside_a_record_is_caught_by_its_checksum() {
    let mut s = Server::start(
        Kind::Sluice,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let mut c = s.conn();
    for i in 1..=20 {
        c.call(&["XADD", "s", &format!("{i}-0"), "temp", &format!("v{i:03}")])
            .unwrap();
    }
    c.call(&["SET", "k", "intact"]).unwrap();
    s.terminate();
    let incr_name = "appendonlydir/appendonly.aof.1.incr.aof";
    let full = std::fs::read(s.dir.join(incr_name)).unwrap();
    assert!(
        full.windows(7).any(|w| w == b"#CRC32:"),
        "sluice writes checksum annotations"
    );

    // Redis's own tools accept the annotated files.
    let manifest = s.dir.join("appendonlydir/appendonly.aof.manifest");
    let out = std::process::Command::new("redis-check-aof")
        .arg(&manifest)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("is valid"),
        "{report}"
    );

    // A flip that keeps the RESP well-formed: "v007" becomes "v006".
    let at = full.windows(4).position(|w| w == b"v007").unwrap() + 3;
    let mut bad = full.clone();
    bad[at] ^= 0x01;
    let dir = copy_aof(&s.dir, "flipped");
    std::fs::write(dir.join(incr_name), &bad).unwrap();

    // Redis itself cannot tell and loads the damaged value.
    let r = Server::start_in(
        Kind::Redis,
        &["--appendonly", "yes"],
        copy_aof(&dir, "flipped-redis"),
    );
    let seen = r.conn().call(&["XRANGE", "s", "7-0", "7-0"]).unwrap();
    assert!(
        seen.windows(4).any(|w| w == b"v006"),
        "redis loaded the flip"
    );

    // sluice refuses to start, naming the file and the damaged range's offset.
    let out = std::process::Command::new(sluice_bin())
        .args(["--port", &free_port().to_string(), "--bind", "127.0.0.1"])
        .args(["--appendonly", "yes", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a checksum mismatch must stop the start"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The batch holding the flip starts right after the previous annotation line.
    let prev = full[..at]
        .windows(7)
        .rposition(|w| w == b"#CRC32:")
        .unwrap();
    let range_start = prev + full[prev..].iter().position(|&b| b == b'\n').unwrap() + 1;
    assert!(
        stderr.contains("Checksum mismatch")
            && stderr.contains("appendonly.aof.1.incr.aof")
            && stderr.contains(&format!("at offset {range_start}")),
        "error must name the checksum, file and offset {range_start}: {stderr}"
    );

    // check-aof reports it; --fix cuts the file where the damaged range starts.
    let check = |fix: bool| {
        let mut cmd = std::process::Command::new(sluice_bin());
        cmd.arg("check-aof");
        if fix {
            cmd.arg("--fix");
        }
        let out = cmd.arg(dir.join(incr_name)).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, report) = check(false);
    assert!(
        !ok && report.contains(&format!("ok_up_to={range_start}")),
        "{report}"
    );
    let (ok, report) = check(true);
    assert!(ok, "{report}");
    let t = Server::start_in(Kind::Sluice, &["--appendonly", "yes"], dir);
    let mut tc = t.conn();
    assert_eq!(integer(&tc.call(&["XLEN", "s"]).unwrap()), 6);
    println!(
        "checksums: redis-check-aof accepts sluice's annotated AOF; a value flip that redis loads \
         silently is refused by sluice ({}); check-aof --fix keeps the 6 entries before it",
        stderr.trim()
    );
}
