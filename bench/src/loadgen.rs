//! sluice's own load generators, for what redis-benchmark cannot measure: a consumer-group
//! pipeline end to end (producers XADD, consumers XREADGROUP + XACK), producer-to-consumer
//! latency at a fixed offered rate, a BRPOP job queue, and the persistence workloads (XADD
//! latency while an AOF rewrite runs, AOF load time).
//!
//! Plain threads with one blocking connection each (like a worker fleet); every loop is
//! bounded by a request count or a deadline.

use redis_compat::{parse_frame, Conn, Frame};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// Entry IDs and the `ts` field (ns since the run's epoch) of an XREADGROUP reply.
fn read_entries(reply: &[u8]) -> Vec<(Vec<u8>, Option<u64>)> {
    let (f, _) = parse_frame(reply);
    let mut out = Vec::new();
    let Frame::Agg(_, Some(streams)) = f else {
        return out;
    };
    for s in streams {
        let Frame::Agg(_, Some(kv)) = s else { continue };
        let Some(Frame::Agg(_, Some(entries))) = kv.get(1) else {
            continue;
        };
        for e in entries {
            let Frame::Agg(_, Some(pair)) = e else {
                continue;
            };
            let Some(Frame::Bulk(_, Some(id))) = pair.first() else {
                continue;
            };
            let mut ts = None;
            if let Some(Frame::Agg(_, Some(fv))) = pair.get(1) {
                for w in fv.chunks(2) {
                    if let [Frame::Bulk(_, Some(k)), Frame::Bulk(_, Some(v))] = w {
                        if k == b"ts" {
                            ts = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok());
                        }
                    }
                }
            }
            out.push((id.clone(), ts));
        }
    }
    out
}

/// Percentile (0..=100) of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub struct GroupRun {
    /// Entries produced, delivered and acknowledged per second, end to end.
    pub entries_per_sec: f64,
    /// Producer-to-consumer latency samples in ms, sorted (only when paced).
    pub latency_ms: Vec<f64>,
}

/// How consumers finish with what they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consume {
    /// XREADGROUP `>` then XACK (entries stay in the stream).
    Ack,
    /// XREADGROUP `>` then XACK and XDEL: consume-and-delete as Redis 7 can.
    AckDel,
    /// Redis 8: XREADGROUP CLAIM 30000 `>` (idle entries of dead consumers first) then one
    /// XACKDEL ... ACKED.
    ClaimAckDel,
}

/// `producers` XADD into one stream, `consumers` in one group XREADGROUP (COUNT 10,
/// BLOCK 100) and XACK what they got, until `entries` are acknowledged. With `rate` (total
/// entries/s) producers are paced and every entry's producer-to-consumer latency is kept;
/// without it they go flat out and only throughput counts.
pub fn consumer_group(
    port: u16,
    producers: usize,
    consumers: usize,
    entries: usize,
    rate: Option<f64>,
) -> GroupRun {
    consumer_group_with(
        port,
        producers,
        consumers,
        entries,
        rate,
        Consume::Ack,
        Extra::default(),
    )
}

/// What a [`consumer_group_with`] run adds to the plain workload.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extra {
    /// Producers add with `IDMP producer-N seq` (Redis 8.6 idempotent production).
    pub idmp: bool,
    /// The group has sluice's dead-letter rule (`SLUICE.POLICY DEADLETTER key g
    /// MAXDELIVERIES 5 TO key:dead`): every counted delivery path consults it.
    pub dead_letter: bool,
}

/// [`consumer_group`] with a choice of how consumers acknowledge, and the [`Extra`] work.
pub fn consumer_group_with(
    port: u16,
    producers: usize,
    consumers: usize,
    entries: usize,
    rate: Option<f64>,
    consume: Consume,
    extra: Extra,
) -> GroupRun {
    let key = format!("cg-{}", rand_seed());
    let dead = format!("{key}:dead");
    let mut setup = Conn::connect(port).unwrap();
    setup
        .call(&["XGROUP", "CREATE", &key, "g", "$", "MKSTREAM"])
        .unwrap();
    if extra.dead_letter {
        let r = setup
            .call(&[
                "SLUICE.POLICY",
                "DEADLETTER",
                &key,
                "g",
                "MAXDELIVERIES",
                "5",
                "TO",
                &dead,
            ])
            .unwrap();
        assert!(r.starts_with(b"+OK"), "{}", String::from_utf8_lossy(&r));
    }
    let epoch = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(entries)));
    let start = Arc::new(Barrier::new(producers + consumers + 1));
    let mut cs = Vec::new();
    for i in 0..consumers {
        let (key, acked, latencies, start) =
            (key.clone(), acked.clone(), latencies.clone(), start.clone());
        cs.push(std::thread::spawn(move || {
            let mut c = Conn::connect(port).unwrap();
            let name = format!("c{i}");
            let mut mine = Vec::new();
            start.wait();
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut last = Instant::now();
            while acked.load(Ordering::SeqCst) < entries && Instant::now() < deadline {
                let mut read = vec![
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    &name,
                    "COUNT",
                    "10",
                    "BLOCK",
                    "100",
                ];
                if consume == Consume::ClaimAckDel {
                    read.extend(["CLAIM", "30000"]);
                }
                read.extend(["STREAMS", &key, ">"]);
                let r = c.call(&read).unwrap();
                let got = read_entries(&r);
                if got.is_empty() {
                    continue;
                }
                let now_ns = epoch.elapsed().as_nanos() as u64;
                if rate.is_some() {
                    for (_, ts) in &got {
                        if let Some(ts) = ts {
                            mine.push(now_ns.saturating_sub(*ts) as f64 / 1e6);
                        }
                    }
                }
                let ids = got.iter().map(|(id, _)| id.as_slice());
                if consume == Consume::ClaimAckDel {
                    let n = got.len().to_string();
                    let mut ack: Vec<&[u8]> = vec![
                        b"XACKDEL",
                        key.as_bytes(),
                        b"g",
                        b"ACKED",
                        b"IDS",
                        n.as_bytes(),
                    ];
                    ack.extend(ids);
                    c.call(&ack).unwrap();
                } else {
                    let mut ack: Vec<&[u8]> = vec![b"XACK", key.as_bytes(), b"g"];
                    ack.extend(ids.clone());
                    c.call(&ack).unwrap();
                    if consume == Consume::AckDel {
                        let mut del: Vec<&[u8]> = vec![b"XDEL", key.as_bytes()];
                        del.extend(ids);
                        c.call(&del).unwrap();
                    }
                }
                acked.fetch_add(got.len(), Ordering::SeqCst);
                last = Instant::now();
            }
            latencies.lock().unwrap().extend(mine);
            last
        }));
    }
    let per = entries / producers;
    let mut ps = Vec::new();
    for pi in 0..producers {
        let (key, start) = (key.clone(), start.clone());
        ps.push(std::thread::spawn(move || {
            let pid = format!("producer-{pi}");
            let mut c = Conn::connect(port).unwrap();
            let interval = rate.map(|r| Duration::from_secs_f64(producers as f64 / r));
            start.wait();
            let t0 = Instant::now();
            for i in 0..per {
                if let Some(iv) = interval {
                    let due = t0 + iv * i as u32;
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                }
                let ts = epoch.elapsed().as_nanos().to_string();
                let seq = i.to_string();
                let mut add = vec!["XADD", &key];
                if extra.idmp {
                    add.extend(["IDMP", &pid, &seq]);
                }
                add.extend(["*", "ts", &ts, "payload", "0123456789abcdef"]);
                c.call(&add).unwrap();
            }
        }));
    }
    start.wait();
    let t = Instant::now();
    for p in ps {
        p.join().unwrap();
    }
    let end = cs.into_iter().map(|h| h.join().unwrap()).max().unwrap();
    let done = acked.load(Ordering::SeqCst);
    assert_eq!(
        done,
        per * producers,
        "every entry acknowledged exactly once"
    );
    let mut lat = std::mem::take(&mut *latencies.lock().unwrap());
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    setup.call(&["DEL", &key, &dead]).unwrap();
    GroupRun {
        entries_per_sec: done as f64 / end.duration_since(t).as_secs_f64(),
        latency_ms: lat,
    }
}

fn rand_seed() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// `producers` LPUSH and `consumers` BRPOP `jobs` jobs in total; jobs per second from the
/// start to the last job taken.
pub fn job_queue(port: u16, producers: usize, consumers: usize, jobs: usize) -> f64 {
    let per = jobs / producers;
    let taken = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(producers + consumers + 1));
    let mut hs = Vec::new();
    for _ in 0..consumers {
        let (taken, start) = (taken.clone(), start.clone());
        hs.push(std::thread::spawn(move || {
            let mut c = Conn::connect(port).unwrap();
            start.wait();
            let mut last = Instant::now();
            let deadline = Instant::now() + Duration::from_secs(120);
            while taken.load(Ordering::SeqCst) < per * producers && Instant::now() < deadline {
                // A short timeout so idle consumers notice the end quickly.
                let r = c.call(&["BRPOP", "jobs", "0.1"]).unwrap();
                if r.starts_with(b"*-1") || r.starts_with(b"_") {
                    continue;
                }
                taken.fetch_add(1, Ordering::SeqCst);
                last = Instant::now();
            }
            last
        }));
    }
    let ps: Vec<_> = (0..producers)
        .map(|p| {
            let start = start.clone();
            std::thread::spawn(move || {
                let mut c = Conn::connect(port).unwrap();
                start.wait();
                for i in 0..per {
                    c.call(&["LPUSH", "jobs", &format!("job-{p}-{i}")]).unwrap();
                }
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    for p in ps {
        p.join().unwrap();
    }
    let end = hs.into_iter().map(|h| h.join().unwrap()).max().unwrap();
    assert_eq!(
        taken.load(Ordering::SeqCst),
        per * producers,
        "every job consumed exactly once"
    );
    (per * producers) as f64 / end.duration_since(t).as_secs_f64()
}

/// [`latency_while`] for `wall`, with nothing else going on.
pub fn latency_for(port: u16, clients: usize, wall: Duration) -> Vec<f64> {
    let t = Instant::now();
    latency_while(port, clients, |_| {}, move |_| t.elapsed() < wall).0
}

/// XADD latencies (ms, sorted) of `clients` clients, counting the requests sent after
/// `during` ran on another connection and before `busy` turned false (e.g. while an AOF
/// rewrite is in progress). Also returns how long the window lasted.
pub fn latency_while(
    port: u16,
    clients: usize,
    during: impl FnOnce(&mut Conn),
    busy: impl Fn(&mut Conn) -> bool,
) -> (Vec<f64>, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let hs: Vec<_> = (0..clients)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut c = Conn::connect(port).unwrap();
                let mut lat = Vec::new();
                let key = format!("lat-{i}");
                while !stop.load(Ordering::SeqCst) && lat.len() < 2_000_000 {
                    let t = Instant::now();
                    c.call(&["XADD", &key, "MAXLEN", "~", "1000", "*", "f", "v"])
                        .unwrap();
                    lat.push((t, t.elapsed().as_secs_f64() * 1e3));
                }
                lat
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut ctl = Conn::connect(port).unwrap();
    let from = Instant::now();
    during(&mut ctl);
    let deadline = Instant::now() + Duration::from_secs(300);
    while busy(&mut ctl) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let to = Instant::now();
    stop.store(true, Ordering::SeqCst);
    let mut all: Vec<f64> = hs
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .filter(|(t, _)| *t >= from && *t <= to)
        .map(|(_, ms)| ms)
        .collect();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (all, to - from)
}

fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// How [`delayed_lateness`] schedules its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// All entries are added (pipelined) before the first is due, with `AT` times spread
    /// evenly at the rate: the server holds them all, then releases `rate` per second.
    Ahead,
    /// A paced producer adds each entry `DELAY 5` ms from the moment it sends it.
    Just5ms,
}

/// Delayed-delivery lateness: `rate` entries per second fall due for `secs` seconds through
/// `SLUICE.DELAY`, and one XREAD BLOCK client on the stream measures, for each entry, the
/// time it was read minus its due time (the `ts` field: due, µs since the Unix epoch;
/// the server's due times have millisecond resolution, so a read in the due millisecond
/// counts from its start). Returns the lateness samples in ms, sorted.
pub fn delayed_lateness(port: u16, rate: u64, secs: u64, schedule: Schedule) -> Vec<f64> {
    let key = format!("delayed-{}", rand_seed());
    let total = (rate * secs) as usize;
    let reader = {
        let key = key.clone();
        std::thread::spawn(move || {
            let mut c = Conn::connect(port).unwrap();
            let mut last = b"0-0".to_vec();
            let mut late = Vec::with_capacity(total);
            let deadline = Instant::now() + Duration::from_secs(secs + 60);
            while late.len() < total && Instant::now() < deadline {
                let r = c
                    .call(&[
                        b"XREAD".as_slice(),
                        b"COUNT",
                        b"1000",
                        b"BLOCK",
                        b"1000",
                        b"STREAMS",
                        key.as_bytes(),
                        &last,
                    ])
                    .unwrap();
                let now = unix_us();
                for (id, due) in read_entries(&r) {
                    if let Some(due) = due {
                        late.push(now.saturating_sub(due) as f64 / 1e3);
                    }
                    last = id;
                }
            }
            late
        })
    };
    let mut c = Conn::connect(port).unwrap();
    match schedule {
        Schedule::Ahead => {
            let t0 = unix_us() / 1000 + 2000;
            c.pipeline(
                total,
                |i| {
                    let due = t0 + i as u64 * 1000 / rate;
                    [
                        "SLUICE.DELAY",
                        &key,
                        "AT",
                        &due.to_string(),
                        "ts",
                        &(due * 1000).to_string(),
                        "job",
                        "0123456789abcdef",
                    ]
                    .iter()
                    .map(|x| x.to_string())
                    .collect()
                },
                |r| assert!(r.starts_with(b"$"), "{}", String::from_utf8_lossy(&r)),
            )
            .unwrap();
        }
        Schedule::Just5ms => {
            let t0 = Instant::now();
            let interval = Duration::from_secs_f64(1.0 / rate as f64);
            for i in 0..total {
                let at = t0 + interval * i as u32;
                let now = Instant::now();
                if at > now {
                    std::thread::sleep(at - now);
                }
                let due = (unix_us() + 5000).to_string();
                let r = c
                    .call(&[
                        "SLUICE.DELAY",
                        &key,
                        "DELAY",
                        "5",
                        "ts",
                        &due,
                        "job",
                        "0123456789abcdef",
                    ])
                    .unwrap();
                assert!(r.starts_with(b"$"), "{}", String::from_utf8_lossy(&r));
            }
        }
    }
    let mut late = reader.join().unwrap();
    assert_eq!(late.len(), total, "every delayed entry delivered once");
    c.call(&["DEL", &key]).unwrap();
    late.sort_by(|a, b| a.partial_cmp(b).unwrap());
    late
}
