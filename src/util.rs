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

/// Redis's `string2ll` (strict decimal).
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    resp::parser::parse_i64(b)
}

/// Redis's `string2ld`/`strtold` checks for INCRBYFLOAT and float arguments: a finite or
/// infinite number with no surrounding blanks; NaN is refused.
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() || s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return None;
    }
    let v: f64 = match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
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
