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

/// Formats a long double the way INCRBYFLOAT does (`%.17Lg`, humanized: no exponent, trailing
/// zeros trimmed).
pub fn format_ld_human(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Redis prints with 17 significant digits in fixed notation, then trims zeros.
    let s = resp::writer::format_g17(v);
    if !s.contains('e') {
        return s;
    }
    // Expand exponent notation into fixed notation.
    let digits = 17i32;
    let exp = v.abs().log10().floor() as i32;
    let prec = (digits - 1 - exp).max(0) as usize;
    let mut f = format!("{:.*}", prec, v);
    if f.contains('.') {
        while f.ends_with('0') {
            f.pop();
        }
        if f.ends_with('.') {
            f.pop();
        }
    }
    f
}
