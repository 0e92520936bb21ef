//! Replays the fuzz corpora of `fuzz/` (request_parser, aof_load, command) with
//! deterministic mutations of each input, on the stable toolchain and in every test run:
//! what the fuzz targets assert holds here too, so a crash the fuzzer found once stays fixed.
//! (persistence/tests/fuzz_corpus.rs does the same for the RDB targets.)

use bytes::BytesMut;
use std::path::Path;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no corpus in {}", dir.display());
    v
}

/// xorshift64: the same mutations on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// One mutation: flip a bit, set a byte, cut the tail, or duplicate a slice.
fn mutate(data: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = data.to_vec();
    if d.is_empty() {
        return vec![rng.next() as u8];
    }
    let i = (rng.next() as usize) % d.len();
    match rng.next() % 4 {
        0 => d[i] ^= 1 << (rng.next() % 8),
        1 => d[i] = rng.next() as u8,
        2 => d.truncate(i),
        _ => {
            let j = (i + 1 + (rng.next() as usize) % 16).min(d.len());
            let piece = d[i..j].to_vec();
            d.splice(j..j, piece);
        }
    }
    d
}

/// Every input and `per_input` mutations of it.
fn each_input(target: &str, per_input: usize, mut f: impl FnMut(&[u8])) -> usize {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut n = 0;
    for (name, data) in corpus(target) {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            f(&data);
            for _ in 0..per_input {
                f(&mutate(&data, &mut rng));
            }
        }));
        assert!(r.is_ok(), "{target}: input {name} (or a mutation of it)");
        n += 1 + per_input;
    }
    n
}

fn parse_all(chunks: &[&[u8]], unauthenticated: bool) -> (Vec<Vec<bytes::Bytes>>, bool) {
    let mut p = resp::RequestParser::new(resp::ParseLimits {
        proto_max_bulk_len: 1 << 20,
    });
    p.unauthenticated = unauthenticated;
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in chunks {
        buf.extend_from_slice(c);
        loop {
            match p.parse(&mut buf) {
                Ok(Some(argv)) => {
                    assert!(!argv.is_empty());
                    out.push(argv);
                }
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

#[test]
fn request_parser_corpus() {
    let n = each_input("request_parser", 20, |data| {
        let Some((&first, rest)) = data.split_first() else {
            return;
        };
        let step = (first as usize % 16) + 1;
        let pieces: Vec<&[u8]> = rest.chunks(step).collect();
        let unauth = first & 0x80 != 0;
        assert_eq!(parse_all(&pieces, unauth), parse_all(&[rest], unauth));
    });
    println!("fuzz corpus: request_parser, {n} inputs replayed");
}

#[test]
fn aof_load_corpus() {
    use persistence::load::{parse_commands, LoadEnd};
    let n = each_input("aof_load", 20, |data| {
        let mut count = 0u64;
        let end = parse_commands(data, |argv, off| {
            assert!(!argv.is_empty());
            assert!(off as usize <= data.len());
            count += 1;
        });
        match end {
            LoadEnd::Clean { commands } => assert_eq!(commands, count),
            LoadEnd::Truncated {
                commands,
                valid_len,
            } => {
                assert_eq!(commands, count);
                assert!(valid_len as usize <= data.len());
            }
            LoadEnd::Corrupt { offset, .. } => assert!(offset as usize <= data.len()),
        }
        if let Ok(text) = std::str::from_utf8(data) {
            if let Ok(m) = persistence::manifest::Manifest::parse(text) {
                let again = persistence::manifest::Manifest::parse(&m.to_text()).unwrap();
                assert_eq!(again.to_text(), m.to_text());
            }
        }
    });
    println!("fuzz corpus: aof_load, {n} inputs replayed");
}

#[test]
fn command_corpus() {
    let n = each_input("command", 3, sluice::cmd::testing::run_fuzz_program);
    println!("fuzz corpus: command, {n} inputs replayed");
}
