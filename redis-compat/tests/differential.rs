//! Runs every `cases/*.redis` script against sluice and redis-server, in RESP2 and RESP3,
//! comparing replies byte for byte (or as the line's marker says). Prints one summary line;
//! fails on any mismatch not listed in `deliberate-differences.txt`.

use redis_compat::*;
use std::collections::BTreeSet;
use std::path::Path;

fn cases() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut v: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().map(|x| x == "redis").unwrap_or(false))
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

#[test]
fn case_files_match_redis() {
    let deliberate = deliberate_differences();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut steps_run = 0;
    let mut mismatches: Vec<String> = Vec::new();
    let mut deliberate_hits = 0;
    let cases = cases();
    for proto in [2, 3] {
        let sluice = Server::start(Kind::Sluice, &["--appendonly", "no"]);
        let redis = Server::start(Kind::Redis, &["--appendonly", "no"]);
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
                            "{name}:{}: redis never had {n} blocked clients",
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
                steps_run += 1;
                if let Some(a0) = step.argv.first() {
                    covered.insert(String::from_utf8_lossy(a0).to_ascii_lowercase());
                }
                let (cs, cr) = &mut conns[cur];
                let a = exchange(cs, &step);
                let b = exchange(cr, &step);
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (a, b) => {
                        // Both closing the connection (QUIT, protocol errors) is agreement.
                        // Both closing the connection is agreement; a timeout never is (a
                        // miscounted `<N` must fail, not pass silently).
                        let closed = |r: &std::io::Result<Vec<u8>>| matches!(r, Err(e) if matches!(e.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe));
                        if closed(&a) && closed(&b) {
                            conns[cur] = (open(&sluice), open(&redis));
                            continue;
                        }
                        mismatches.push(format!(
                            "{name}:{} [RESP{proto}] {}\n    sluice: {:?}\n    redis:  {:?}",
                            step.line,
                            step.text,
                            a.map(|x| show(&x)),
                            b.map(|x| show(&x))
                        ));
                        conns[cur] = (open(&sluice), open(&redis));
                        continue;
                    }
                };
                if !compare(step.mode, &step.argv, a.clone(), b.clone()) {
                    if deliberate
                        .iter()
                        .any(|d| d.case == *name && d.command == step.text)
                    {
                        deliberate_hits += 1;
                        continue;
                    }
                    mismatches.push(format!(
                        "{name}:{} [RESP{proto}] {}\n    sluice: {}\n    redis:  {}",
                        step.line,
                        step.text,
                        show(&a),
                        show(&b)
                    ));
                }
            }
        }
    }
    for m in &mismatches {
        eprintln!("MISMATCH {m}");
    }
    // Which of sluice's commands the cases exercised.
    let table: Vec<String> = sluice::cmd::COMMANDS
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let uncovered: Vec<&String> = table.iter().filter(|c| !covered.contains(*c)).collect();
    println!(
        "differential: commands covered: {}/{} (uncovered: {:?}), cases: {}, steps run: {}, mismatches: {}, deliberate differences hit: {}",
        table.len() - uncovered.len(),
        table.len(),
        uncovered,
        cases.len() * 2,
        steps_run,
        mismatches.len(),
        deliberate_hits
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches against redis-server",
        mismatches.len()
    );
}
