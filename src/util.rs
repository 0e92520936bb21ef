//! Small shared helpers: clocks, a PRNG, number parsing with Redis's rules.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// xorshift64*: fast, good enough for sampling keys; not for anything secret.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545F4914F6CDD1D)
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

pub use resp::writer::i64_text;

/// Redis's `string2ll` (strict decimal).
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    resp::parser::parse_i64(b)
}

/// Redis's `string2ld`/`strtold` checks for INCRBYFLOAT and float arguments: a finite or
/// infinite number with no surrounding blanks; NaN is refused.
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    // Every BRPOP/BLMOVE timeout comes here, nearly always a few digits with at most one
    // point ("0", "0.1"). With at most 15 digits the digits are exact as an integer m (under
    // 2^53) and 10^k is exact too, so m / 10^k is one correctly rounded IEEE division: the
    // same double the general parser returns (Clinger's fast path).
    if let Some(v) = parse_short_decimal(b) {
        return Some(v);
    }
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() || s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return None;
    }
    let is = |names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
    let v: f64 = match () {
        _ if is(&["inf", "+inf", "infinity", "+infinity"]) => f64::INFINITY,
        _ if is(&["-inf", "-infinity"]) => f64::NEG_INFINITY,
        _ => {
            if !s
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
            {
                return None;
            }
            s.parse().ok()?
        }
    };
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}

/// `digits[.digits]` with 1 to 15 digits in all, or None.
fn parse_short_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    if b.len() > 16 {
        return None;
    }
    let (mut m, mut digits, mut frac, mut point) = (0u64, 0usize, 0usize, false);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + (c - b'0') as u64;
                digits += 1;
                frac += point as usize;
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    // "." alone, or a leading/trailing point ("5.", ".5"), goes the general way.
    if digits == 0 || digits > 15 || b[0] == b'.' || b[b.len() - 1] == b'.' {
        return None;
    }
    Some(m as f64 / POW10[frac])
}

/// Formats a number the way INCRBYFLOAT does. Redis prints its long double with `%.17Lf` and
/// trims trailing zeros; the extra precision of long double makes that, in practice, the
/// shortest decimal that reads back as the same double — which is what Rust's `Display`
/// prints. At most 17 decimals are kept, as with `%.17Lf`.
pub fn format_ld_human(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{}", v);
    let s = match s.split_once('.') {
        Some((_, frac)) if frac.len() > 17 => {
            let f = format!("{:.17}", v);
            f.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => s,
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// SCAN over stable slots (a SlabMap's, a hashtable hash's): visits slots from `cursor` until
/// `count` live ones were seen or `10 * count` were probed; `visit(i)` handles slot `i` and
/// says whether it was live. Returns the next cursor (0 when the iteration is over).
pub fn scan_slots(
    len: usize,
    cursor: u64,
    count: usize,
    mut visit: impl FnMut(usize) -> bool,
) -> u64 {
    let mut i = usize::try_from(cursor).unwrap_or(usize::MAX);
    let (mut seen, mut probed) = (0, 0);
    while i < len && seen < count && probed < count.saturating_mul(10) {
        if visit(i) {
            seen += 1;
        }
        i += 1;
        probed += 1;
    }
    if i >= len {
        0
    } else {
        i as u64
    }
}

/// A uniformly random live slot: random probes retried on holes, then (slots mostly holes
/// after mass deletions) the first live one from a random start. None if none is live.
pub fn random_slot(len: usize, rng: &mut Rng, live: impl Fn(usize) -> bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    for _ in 0..64 {
        let i = rng.below(len as u64) as usize;
        if live(i) {
            return Some(i);
        }
    }
    let start = rng.below(len as u64) as usize;
    (0..len).map(|d| (start + d) % len).find(|&i| live(i))
}

/// Runs the calling thread at a lower scheduling priority (nice 10): on a machine with few
/// cores, the event loop keeps its share of CPU while background work (an AOF rewrite writing
/// gigabytes, a metrics scrape formatting megabytes) runs; that work takes a little longer
/// instead of the clients waiting.
pub fn lower_thread_priority() {
    // SAFETY: setpriority on this thread's own id; failure only leaves the priority as is.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Gives the CPU away every [`Pacer::SLICE`] of work, for background threads at a lower
/// priority ([`lower_thread_priority`]) that share a core with the event loop (a server
/// pinned to one CPU): a busy event loop never sleeps long enough for the scheduler to
/// preempt them at once, so left alone they ran for the scheduler's whole slice (several
/// ms: PING p99 4 ms while /metrics was formatted back to back). Yielding often bounds the
/// event loop's wait to about one slice of ours; the work gets its share of the CPU all the
/// same.
pub struct Pacer {
    since: std::time::Instant,
    calls: u32,
}

impl Pacer {
    pub const SLICE: std::time::Duration = std::time::Duration::from_micros(100);

    pub fn new() -> Pacer {
        Pacer {
            since: std::time::Instant::now(),
            calls: 0,
        }
    }

    /// One unit of work done (a few µs at most); yields when a slice has passed.
    pub fn tick(&mut self) {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(16) && self.since.elapsed() >= Self::SLICE {
            std::thread::yield_now();
            self.since = std::time::Instant::now();
        }
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new()
    }
}

/// An I/O error as C's `strerror` words it (Rust adds " (os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn floats_as_strtold_reads_them() {
        for (s, v) in [
            ("0", Some(0.0)),
            ("007", Some(7.0)),
            ("1.5", Some(1.5)),
            ("-2", Some(-2.0)),
            ("1e3", Some(1000.0)),
            ("INF", Some(f64::INFINITY)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("nan", None),
            ("", None),
            (" 1", None),
            ("1 ", None),
            ("0x10", None),
        ] {
            assert_eq!(parse_f64(s.as_bytes()), v, "{s:?}");
        }
    }

    proptest! {
        /// The short-decimal fast path reads what the general path reads.
        #[test]
        fn short_decimals_read_as_the_general_parse(s in "[0-9]{0,12}\\.?[0-9]{0,12}") {
            prop_assert_eq!(parse_f64(s.as_bytes()), s.parse::<f64>().ok(), "{}", s);
        }
    }
}
