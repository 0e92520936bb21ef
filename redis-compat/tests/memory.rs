//! Memory per string key, sluice against redis-server (INFO used_memory growth for 100,000
//! SETs). The stream-entry and list-element figures are in the benchmark (`bench/`); this
//! guards the keyspace's own overhead, which every key pays. For a 100-byte value it was
//! 338 bytes against Redis's 186 before the index kept slot numbers only and stored
//! arguments stopped carrying a shared header; now 226 (1.21x), and 130 against 91 (1.43x)
//! for 10-byte values, where the 88-byte slot (key, value, access metadata) dominates.

use redis_compat::*;

fn used(c: &mut Conn) -> u64 {
    let r = c.call(&["INFO", "memory"]).unwrap();
    String::from_utf8_lossy(&r)
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Bytes of used memory per key for `n` SETs of `size`-byte values (keys `key:0`...).
fn per_key(s: &Server, n: usize, size: usize) -> f64 {
    let mut c = s.conn();
    let before = used(&mut c);
    let v = "x".repeat(size);
    for start in (0..n).step_by(1000) {
        let mut buf = Vec::new();
        for i in start..(start + 1000).min(n) {
            buf.extend(encode(&["SET", &format!("key:{i}"), &v]));
        }
        c.send_raw(&buf).unwrap();
        for _ in start..(start + 1000).min(n) {
            assert_eq!(c.read_frame().unwrap(), b"+OK\r\n");
        }
    }
    (used(&mut c) - before) as f64 / n as f64
}

#[test]
fn string_keys_stay_within_their_measured_memory_bound() {
    for size in [10, 100] {
        let sluice = per_key(
            &Server::start(Kind::Sluice, &["--appendonly", "no"]),
            100_000,
            size,
        );
        let redis = per_key(
            &Server::start(Kind::Redis, &["--appendonly", "no"]),
            100_000,
            size,
        );
        eprintln!(
            "memory per string key ({size}-byte values): sluice {sluice:.0} B, redis {redis:.0} B, ratio {:.2}",
            sluice / redis
        );
        assert!(
            sluice <= redis * 1.45,
            "{size}-byte values: {sluice:.0} B per key against redis's {redis:.0}"
        );
    }
}
