//! Replays the cargo-fuzz corpus (`persistence/fuzz/corpus`) through the RDB loader and the
//! DUMP payload decoder, with deterministic mutations of each file, on the stable toolchain:
//! whatever the bytes, a value or a refusal with an offset inside the input, never a panic.
//! Checksums are neutralised (an RDB's zeroed, a payload's resealed after each mutation) so
//! the mutations reach the decoder rather than stopping at the CRC.

use persistence::rdb_load::{decode_dump, load, Event, Item};
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
fn mutate(data: &[u8], rng: &mut Rng, from: usize) -> Vec<u8> {
    let mut d = data.to_vec();
    let n = d.len().max(from + 1);
    let i = from + (rng.next() as usize) % (n - from);
    match rng.next() % 4 {
        0 if i < d.len() => d[i] ^= 1 << (rng.next() % 8),
        1 if i < d.len() => d[i] = rng.next() as u8,
        2 => d.truncate(i),
        _ => {
            let j = (i + 1 + (rng.next() as usize) % 16).min(d.len());
            let piece = d[i.min(d.len())..j].to_vec();
            d.splice(j..j, piece);
        }
    }
    d
}

fn load_checked(data: &[u8]) -> bool {
    let r = load(data, |e| {
        if let Event::Key {
            item: Item::Stream(s),
            ..
        } = e
        {
            let mut n = 0;
            s.for_each_entry(|_, _| n += 1);
            assert_eq!(n, s.length);
        }
        Ok(())
    });
    match r {
        Ok(_) => true,
        Err(e) => {
            assert!(e.offset <= data.len(), "{e}");
            false
        }
    }
}

#[test]
fn rdb_corpus_and_its_mutations_never_panic() {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let (mut ok, mut refused) = (0, 0);
    let (mut replayed, mut seeds) = (0, 0);
    for (name, data) in corpus("rdb_load") {
        // What the fuzzer found: replayed once, whatever the outcome.
        if !name.ends_with(".rdb") {
            load_checked(&data);
            replayed += 1;
            continue;
        }
        seeds += 1;
        assert!(load_checked(&data), "{name} must load");
        // Without its checksum the decoder itself must hold.
        let mut unsummed = data.clone();
        let n = unsummed.len();
        unsummed[n - 8..].fill(0);
        assert!(load_checked(&unsummed), "{name} loads without a checksum");
        for _ in 0..20_000 {
            let mut m = mutate(&unsummed[..n - 8], &mut rng, 9);
            m.extend_from_slice(&[0; 8]);
            if load_checked(&m) {
                ok += 1;
            } else {
                refused += 1;
            }
        }
    }
    assert!(seeds >= 3, "the seed files (*.rdb) are in the corpus");
    println!("fuzz corpus (rdb): {replayed} fuzzer inputs replayed; {seeds} seeds x 20000 mutations: {ok} loaded, {refused} refused, no panic");
}

/// A payload as the dump_payload target builds it from an input: the first byte picks the
/// footer's version (odd 80, even 11), the rest is the body, sealed with a good checksum.
fn payload_of(input: &[u8]) -> Option<Vec<u8>> {
    let (&pick, body) = input.split_first()?;
    let mut p = body.to_vec();
    persistence::rdb::seal_payload(&mut p, if pick % 2 == 1 { 80 } else { 11 });
    Some(p)
}

fn decode_checked(payload: &[u8]) -> bool {
    match decode_dump(payload) {
        Ok(Item::Stream(s)) => {
            s.for_each_entry(|_, _| {});
            true
        }
        Ok(_) => true,
        Err(_) => false,
    }
}

#[test]
fn dump_corpus_and_its_mutations_never_panic() {
    let mut rng = Rng(0xD1B54A32D192ED03);
    let (mut ok, mut refused, mut replayed) = (0, 0, 0);
    for (name, input) in corpus("dump_payload") {
        let Some(payload) = payload_of(&input) else {
            continue;
        };
        // Seeds are named after the server and key (`valkey9-x`); the fuzzer's are hashes.
        if !name.contains('-') {
            decode_checked(&payload);
            replayed += 1;
            continue;
        }
        assert!(decode_checked(&payload), "{name} must decode");
        for _ in 0..1500 {
            let m = mutate(&input, &mut rng, 1);
            if decode_checked(&payload_of(&m).unwrap()) {
                ok += 1;
            } else {
                refused += 1;
            }
        }
    }
    println!("fuzz corpus (dump): {replayed} fuzzer inputs replayed; seed mutations: {ok} decoded, {refused} refused, no panic");
}
