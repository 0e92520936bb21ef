//! Runs every `cases/*.redis` script against sluice and each oracle (Valkey 9.1, then
//! redis-server 7.0.15), in RESP2 and RESP3, comparing replies byte for byte (or as the line's
//! marker says). Prints one summary line; fails on any mismatch not listed for that oracle in
//! `deliberate-differences.txt`.

use redis_compat::*;
use std::collections::BTreeSet;
use std::path::Path;

fn cases() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut v: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().map(|x| x == "redis").unwrap_or(false))
        // CASES=31-slowlog (a file name prefix) runs some files alone, while working on them.
        .filter(|e| {
            std::env::var("CASES").map_or(true, |c| {
                c.split(',')
                    .any(|p| e.file_name().to_string_lossy().starts_with(p))
            })
        })
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Sends a step (unless read-only) and reads its frames, concatenated.
fn exchange(c: &mut Conn, step: &Step) -> std::io::Result<Vec<u8>> {
    if !step.read_only {
        c.send(&step.argv)?;
    }
    let mut all = Vec::new();
    if step.frames == usize::MAX {
        c.set_timeout(std::time::Duration::from_millis(300));
        loop {
            match c.read_frame() {
                Ok(f) => all.extend(f),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break
                }
                Err(e) => return Err(e),
            }
        }
        c.set_timeout(std::time::Duration::from_secs(10));
        return Ok(all);
    }
    for _ in 0..step.frames {
        all.extend(c.read_frame()?);
    }
    Ok(all)
}

fn compare(mode: Mode, argv: &[Vec<u8>], a: Vec<u8>, b: Vec<u8>) -> bool {
    let a = normalize(argv, a);
    let b = normalize(argv, b);
    match mode {
        Mode::Exact => a == b,
        Mode::Shape => {
            // Several frames: compare them one by one.
            let (mut pa, mut pb) = (0, 0);
            while pa < a.len() && pb < b.len() {
                let (fa, ua) = parse_frame(&a[pa..]);
                let (fb, ub) = parse_frame(&b[pb..]);
                if !same_shape(&fa, &fb) {
                    return false;
                }
                pa += ua;
                pb += ub;
            }
            pa == a.len() && pb == b.len()
        }
        Mode::Unordered => sorted(parse_frame(&a).0) == sorted(parse_frame(&b).0),
        Mode::Ignore | Mode::Sleep(_) | Mode::Conn(_) | Mode::Blocked(_) => true,
    }
}

/// What one oracle's run found.
#[derive(Default)]
struct Report {
    steps_run: usize,
    mismatches: Vec<String>,
    deliberate_hits: usize,
    /// Deliberate differences listed for this oracle that no step hit (stale entries).
    unused: Vec<String>,
}

fn run_against(oracle: Kind, covered: &mut BTreeSet<String>) -> Report {
    let deliberate: Vec<Deliberate> = deliberate_differences()
        .into_iter()
        .filter(|d| d.oracle == oracle.name())
        .collect();
    let mut used = vec![false; deliberate.len()];
    let mut rep = Report::default();
    let on = oracle.name();
    let cases = cases();
    for proto in [2, 3] {
        let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
        let redis = Server::start(oracle, &["--appendonly", "no"]);
        for (name, text) in &cases {
            let open = |s: &Server| {
                let mut c = s.conn();
                if proto == 3 {
                    c.call(&["HELLO", "3"]).unwrap();
                }
                c
            };
            let mut conns: Vec<(Conn, Conn)> = vec![(open(&sluice), open(&redis))];
            conns[0].0.call(&["FLUSHALL"]).unwrap();
            conns[0].1.call(&["FLUSHALL"]).unwrap();
            let mut cur = 0;
            for step in parse_script(text) {
                if step.only.as_deref().is_some_and(|o| o != on) {
                    continue;
                }
                match step.mode {
                    Mode::Sleep(ms) => {
                        std::thread::sleep(std::time::Duration::from_millis(ms));
                        continue;
                    }
                    Mode::Blocked(n) => {
                        assert!(
                            wait_blocked(sluice.port, n),
                            "{name}:{}: sluice never had {n} blocked clients",
                            step.line
                        );
                        assert!(
                            wait_blocked(redis.port, n),
                            "{name}:{}: {on} never had {n} blocked clients",
                            step.line
                        );
                        continue;
                    }
                    Mode::Conn(n) => {
                        while conns.len() <= n {
                            conns.push((open(&sluice), open(&redis)));
                        }
                        cur = n;
                        continue;
                    }
                    _ => {}
                }
                rep.steps_run += 1;
                if let Some(a0) = step.argv.first() {
                    covered.insert(String::from_utf8_lossy(a0).to_ascii_lowercase());
                }
                let listed = deliberate.iter().position(|d| {
                    d.command == step.text
                        && (d.case == *name || d.case == format!("{name}:{}", step.line))
                });
                let (cs, cr) = &mut conns[cur];
                let a = exchange(cs, &step);
                let b = exchange(cr, &step);
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (a, b) => {
                        // Both closing the connection (QUIT, protocol errors) is agreement; a
                        // timeout never is (a miscounted `<N` must fail, not pass silently).
                        let closed = |r: &std::io::Result<Vec<u8>>| matches!(r, Err(e) if matches!(e.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe));
                        if closed(&a) && closed(&b) {
                            conns[cur] = (open(&sluice), open(&redis));
                            continue;
                        }
                        conns[cur] = (open(&sluice), open(&redis));
                        if let Some(i) = listed {
                            used[i] = true;
                            rep.deliberate_hits += 1;
                            continue;
                        }
                        rep.mismatches.push(format!(
                            "{on} {name}:{} [RESP{proto}] {}\n    sluice: {:?}\n    {on}: {:?}",
                            step.line,
                            step.text,
                            a.map(|x| show(&x)),
                            b.map(|x| show(&x))
                        ));
                        continue;
                    }
                };
                if !compare(step.mode, &step.argv, a.clone(), b.clone()) {
                    if let Some(i) = listed {
                        used[i] = true;
                        rep.deliberate_hits += 1;
                        continue;
                    }
                    rep.mismatches.push(format!(
                        "{on} {name}:{} [RESP{proto}] {}\n    sluice: {}\n    {on}: {}",
                        step.line,
                        step.text,
                        show(&a),
                        show(&b)
                    ));
                }
            }
        }
    }
    rep.unused = deliberate
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(d, _)| format!("{} | {} | {}", d.oracle, d.case, d.command))
        .collect();
    rep
}

#[test]
fn case_files_match_the_oracles() {
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut per_oracle = Vec::new();
    let mut steps_run = 0;
    for oracle in ORACLES {
        let rep = run_against(oracle, &mut covered);
        for m in &rep.mismatches {
            eprintln!("MISMATCH {m}");
        }
        for u in &rep.unused {
            eprintln!("STALE deliberate difference (never hit): {u}");
        }
        steps_run += rep.steps_run;
        per_oracle.push(format!(
            "{}: {} mismatches, {} deliberate differences hit",
            oracle.name(),
            rep.mismatches.len(),
            rep.deliberate_hits
        ));
        if !rep.mismatches.is_empty() || !rep.unused.is_empty() {
            failures.push(format!(
                "{}: {} mismatches, {} stale deliberate differences",
                oracle.name(),
                rep.mismatches.len(),
                rep.unused.len()
            ));
        }
    }
    // Which of sluice's commands the cases exercised.
    let table: Vec<String> = sluice::cmd::commands()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let uncovered: Vec<&String> = table.iter().filter(|c| !covered.contains(*c)).collect();
    println!(
        "differential: commands covered: {}/{} (uncovered: {:?}), cases: {} x RESP2/3 x {} oracles, steps run: {}, {}",
        table.len() - uncovered.len(),
        table.len(),
        uncovered,
        cases().len(),
        ORACLES.len(),
        steps_run,
        per_oracle.join("; ")
    );
    assert!(failures.is_empty(), "{}", failures.join("; "));
}
