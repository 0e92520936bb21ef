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

fn compare(mode: Mode, argv: &[Vec<u8>], a: Vec<u8>, b: Vec<u8>) -> bool {
    let a = normalize(argv, a);
    let b = normalize(argv, b);
    match mode {
        Mode::Exact => a == b,
        Mode::Shape => same_shape(&parse_frame(&a).0, &parse_frame(&b).0),
        Mode::Unordered => sorted(parse_frame(&a).0) == sorted(parse_frame(&b).0),
        Mode::Ignore | Mode::Sleep(_) => true,
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
            let mut cs = sluice.conn();
            let mut cr = redis.conn();
            for c in [&mut cs, &mut cr] {
                c.call(&["FLUSHALL"]).unwrap();
                if proto == 3 {
                    c.call(&["HELLO", "3"]).unwrap();
                }
            }
            for step in parse_script(text) {
                if let Mode::Sleep(ms) = step.mode {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                    continue;
                }
                steps_run += 1;
                covered.insert(String::from_utf8_lossy(&step.argv[0]).to_ascii_lowercase());
                let a = cs.call(&step.argv);
                let b = cr.call(&step.argv);
                let (a, b) = match (a, b) {
                    (Ok(a), Ok(b)) => (a, b),
                    (a, b) => {
                        // Both closing the connection (QUIT, protocol errors) is agreement.
                        if a.is_err() && b.is_err() {
                            cs = sluice.conn();
                            cr = redis.conn();
                            continue;
                        }
                        mismatches.push(format!(
                            "{name}:{} [RESP{proto}] {}\n    sluice: {:?}\n    redis:  {:?}",
                            step.line,
                            step.text,
                            a.map(|x| show(&x)),
                            b.map(|x| show(&x))
                        ));
                        cs = sluice.conn();
                        cr = redis.conn();
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
