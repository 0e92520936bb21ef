//! Reply writer: typed calls in, RESP2 or RESP3 bytes out, straight into the output buffer.
//!
//! Under RESP2 the RESP3-only types degrade exactly as Redis's `networking.c` does:
//!
//! ```text
//!   RESP3          RESP2
//!   %n map         *2n array of alternating keys and values
//!   ~n set         *n  array
//!   >n push        *n  array
//!   _  null        $-1 (null bulk) or *-1 (null array), as the caller says
//!   ,d double      $   bulk string of the same text
//!   #t / #f        :1 / :0
//!   =n verbatim    $   bulk string of the text without the "txt:" prefix
//! ```
//!
//! Aggregates are written header-first: the caller announces the element count and then writes
//! exactly that many elements (a map counts pairs). [`ReplyWriter::deferred_len`] covers replies
//! whose length is known only afterwards.

/// The protocol a client negotiated with HELLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

/// Appends replies to a byte buffer.
#[derive(Debug, Default)]
pub struct ReplyWriter {
    pub buf: Vec<u8>,
    pub proto: Protocol,
}

/// A placeholder for an aggregate header whose length is filled in later.
#[derive(Debug)]
pub struct Deferred {
    pos: usize,
    kind: u8,
}

/// The decimal digits of `v`, right-aligned in `buf`; the index of the first.
fn digits(mut v: u64, buf: &mut [u8; 21]) -> usize {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return i;
        }
    }
}

/// `v` in decimal, written into `buf` (21 bytes hold any i64); no allocation.
pub fn i64_text(v: i64, buf: &mut [u8; 21]) -> &[u8] {
    let mut i = digits(v.unsigned_abs(), buf);
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

fn push_int(buf: &mut Vec<u8>, v: i64) {
    buf.extend_from_slice(i64_text(v, &mut [0; 21]));
}

/// Appends `v` in decimal without allocating.
pub fn push_u64(buf: &mut Vec<u8>, v: u64) {
    let mut tmp = [0u8; 21];
    let i = digits(v, &mut tmp);
    buf.extend_from_slice(&tmp[i..]);
}

/// Formats a double as Redis 7.2+ replies it (`d2string`): `nan`, `inf`, `-inf`, `-0`;
/// an integral value within ±2^62 as an integer; anything else as the shortest decimal that
/// reads back as the same double, laid out as `fpconv_dtoa` does (plain up to 21 integer
/// digits or 6 leading fraction zeros, else `d.ddde±x` with no padded exponent).
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "nan".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // `double2ll`: |d| ≤ LLONG_MAX/2 and integral.
    const HALF: f64 = (i64::MAX / 2) as f64;
    if (-HALF..=HALF).contains(&d) && d.trunc() == d {
        return (d as i64).to_string();
    }
    // Rust's `{:e}` is the shortest round-trip digit string: "d.ddde-x".
    let sci = format!("{:e}", d.abs());
    let (mant, exp) = sci.split_once('e').expect("an exponent");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let x: i32 = exp.parse().expect("a decimal exponent");
    let n = digits.len() as i32;
    let k = x - n + 1; // d = digits × 10^k
    let neg = if d < 0.0 { "-" } else { "" };
    let e = x.abs();
    if k >= 0 && e < n + 7 {
        return format!("{neg}{digits}{}", "0".repeat(k as usize));
    }
    if k < 0 && (k > -7 || e < 4) {
        let offset = n + k;
        return if offset <= 0 {
            format!("{neg}0.{}{digits}", "0".repeat((-offset) as usize))
        } else {
            let (a, b) = digits.split_at(offset as usize);
            format!("{neg}{a}.{b}")
        };
    }
    let keep = digits.len().min(if neg.is_empty() { 18 } else { 17 });
    let (first, rest) = digits[..keep].split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let sign = if x < 0 { '-' } else { '+' };
    format!("{neg}{first}{dot}{rest}e{sign}{e}")
}

/// C's `%.17g`.
pub fn format_g17(d: f64) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = d.abs().log10().floor() as i32;
    // Use scientific formatting to find the real exponent after rounding to 17 digits.
    let sci = format!("{:.16e}", d);
    let (mant, e) = sci.split_once('e').unwrap();
    let e: i32 = e.parse().unwrap_or(exp);
    if !(-4..17).contains(&e) {
        let mant = trim_zeros(mant);
        let sign = if e < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", mant, sign, e.abs())
    } else {
        let prec = (16 - e).max(0) as usize;
        trim_zeros(&format!("{:.*}", prec, d)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

impl ReplyWriter {
    pub fn new(proto: Protocol) -> Self {
        Self::with_capacity(proto, 4096)
    }

    pub fn with_capacity(proto: Protocol, bytes: usize) -> Self {
        ReplyWriter {
            buf: Vec::with_capacity(bytes),
            proto,
        }
    }

    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    fn header(&mut self, c: u8, n: i64) {
        self.buf.push(c);
        push_int(&mut self.buf, n);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `+OK`-style status reply.
    pub fn simple(&mut self, s: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// An error reply; `msg` carries its own code (`ERR ...`, `WRONGTYPE ...`). Newlines, which
    /// would break the protocol, become spaces as in Redis.
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        for &b in msg.as_bytes() {
            self.buf
                .push(if b == b'\r' || b == b'\n' { b' ' } else { b });
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn int(&mut self, v: i64) {
        self.header(b':', v);
    }

    pub fn bulk(&mut self, data: &[u8]) {
        self.header(b'$', data.len() as i64);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal text of `v`.
    pub fn bulk_int(&mut self, v: i64) {
        let mut tmp = Vec::with_capacity(20);
        push_int(&mut tmp, v);
        self.bulk(&tmp);
    }

    /// Null bulk string (`$-1` / `_`).
    pub fn null(&mut self) {
        if self.is_resp3() {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// Null array (`*-1` / `_`).
    pub fn null_array(&mut self) {
        if self.is_resp3() {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// A map of `n` pairs.
    pub fn map(&mut self, n: usize) {
        if self.is_resp3() {
            self.header(b'%', n as i64);
        } else {
            self.header(b'*', 2 * n as i64);
        }
    }

    pub fn set(&mut self, n: usize) {
        if self.is_resp3() {
            self.header(b'~', n as i64);
        } else {
            self.header(b'*', n as i64);
        }
    }

    /// An out-of-band push (pub/sub messages).
    pub fn push(&mut self, n: usize) {
        if self.is_resp3() {
            self.header(b'>', n as i64);
        } else {
            self.header(b'*', n as i64);
        }
    }

    pub fn double(&mut self, d: f64) {
        let s = format_double(d);
        if self.is_resp3() {
            self.buf.push(b',');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(s.as_bytes());
        }
    }

    pub fn boolean(&mut self, b: bool) {
        if self.is_resp3() {
            self.buf
                .extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(b as i64);
        }
    }

    /// Verbatim string (`=len\r\ntxt:...`); plain bulk under RESP2.
    pub fn verbatim(&mut self, text: &[u8]) {
        if self.is_resp3() {
            self.header(b'=', text.len() as i64 + 4);
            self.buf.extend_from_slice(b"txt:");
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// Raw, already-encoded bytes.
    pub fn raw(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Starts an aggregate whose length is set by [`ReplyWriter::set_deferred`]. `kind` is
    /// `b'*'` (array) or `b'%'` (map: the count given later is in pairs).
    pub fn deferred_len(&mut self, kind: u8) -> Deferred {
        let pos = self.buf.len();
        Deferred { pos, kind }
    }

    pub fn set_deferred(&mut self, d: Deferred, n: usize) {
        let mut hdr = Vec::with_capacity(12);
        let (c, n) = match d.kind {
            b'%' if self.is_resp3() => (b'%', n as i64),
            b'%' => (b'*', 2 * n as i64),
            b'~' if self.is_resp3() => (b'~', n as i64),
            _ => (b'*', n as i64),
        };
        hdr.push(c);
        push_int(&mut hdr, n);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(d.pos..d.pos, hdr);
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Empties the buffer, keeping its allocation, and sets the protocol.
    pub fn reset(&mut self, proto: Protocol) {
        self.buf.clear();
        self.proto = proto;
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Drops the replies written since `from` but keeps the RESP3 push frames among them, in
    /// order: CLIENT REPLY OFF/SKIP silences replies, not pushes (Redis's `CLIENT_PUSHING`), so
    /// a RESP3 subscriber still gets its (un)subscribe confirmations.
    pub fn discard_replies_since(&mut self, from: usize) {
        let mut keep = from;
        let mut at = from;
        while at < self.buf.len() {
            let Some(len) = frame_len(&self.buf[at..]) else {
                break;
            };
            if self.buf[at] == b'>' {
                self.buf.copy_within(at..at + len, keep);
                keep += len;
            }
            at += len;
        }
        self.buf.truncate(keep);
    }
}

/// The length of the complete reply frame at the start of `buf` (as this writer writes them),
/// or None if it is cut short.
fn frame_len(buf: &[u8]) -> Option<usize> {
    let nl = buf.windows(2).position(|w| w == b"\r\n")?;
    let head = nl + 2;
    let num = || -> Option<i64> { std::str::from_utf8(&buf[1..nl]).ok()?.parse().ok() };
    match *buf.first()? {
        b'$' | b'=' | b'!' => match num()? {
            n if n < 0 => Some(head),
            n => Some(head + n as usize + 2).filter(|&l| l <= buf.len()),
        },
        t @ (b'*' | b'~' | b'>' | b'%' | b'|') => {
            let n = num()?;
            let items = if t == b'%' || t == b'|' { n * 2 } else { n };
            let mut len = head;
            for _ in 0..items.max(0) {
                len += frame_len(&buf[len..])?;
            }
            Some(len)
        }
        _ => Some(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn discarding_replies_keeps_pushes() {
        let mut w = ReplyWriter::new(Protocol::Resp3);
        w.ok();
        let from = w.len();
        w.push(3);
        w.bulk(b"subscribe");
        w.bulk(b"a");
        w.int(1);
        w.map(1);
        w.bulk(b"k");
        w.array(2);
        w.null();
        w.bulk(b"v");
        w.push(2);
        w.bulk(b"message");
        w.bulk(b"x");
        w.error("ERR no");
        w.discard_replies_since(from);
        assert_eq!(
            w.take(),
            b"+OK\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n"
        );
    }

    #[test]
    fn resp2_flattening() {
        let mut w = ReplyWriter::new(Protocol::Resp2);
        w.map(1);
        w.bulk(b"k");
        w.double(1.5);
        w.boolean(true);
        w.null();
        w.null_array();
        w.set(0);
        assert_eq!(
            w.buf,
            b"*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n:1\r\n$-1\r\n*-1\r\n*0\r\n"
        );
        let mut w = ReplyWriter::new(Protocol::Resp3);
        w.map(1);
        w.bulk(b"k");
        w.double(1.5);
        w.boolean(true);
        w.null();
        w.set(0);
        w.push(0);
        assert_eq!(w.buf, b"%1\r\n$1\r\nk\r\n,1.5\r\n#t\r\n_\r\n~0\r\n>0\r\n");
    }

    #[test]
    fn g17() {
        assert_eq!(format_g17(10.5), "10.5");
        assert_eq!(format_g17(0.1), "0.10000000000000001");
        assert_eq!(format_g17(1e20), "1e+20");
        assert_eq!(format_g17(3.0), "3");
        assert_eq!(format_g17(1.0e-5), "1.0000000000000001e-05");
        assert_eq!(format_double(f64::INFINITY), "inf");
        // As Valkey 9.1 / Redis 7.2+ print scores.
        for (d, want) in [
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (1.5e-7, "1.5e-7"),
            (123456789012345678.0, "123456789012345680"),
            (3.0, "3"),
            (1e16, "10000000000000000"),
            (0.00001, "0.00001"),
            (0.0001, "0.0001"),
            (2.5e-300, "2.5e-300"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-0.0, "-0"),
            (-2.5, "-2.5"),
            (1234.5678, "1234.5678"),
            (-1e-7, "-1e-7"),
        ] {
            assert_eq!(format_double(d), want, "{d}");
        }
    }

    #[test]
    fn deferred() {
        let mut w = ReplyWriter::new(Protocol::Resp2);
        w.int(1);
        let d = w.deferred_len(b'%');
        w.bulk(b"a");
        w.int(2);
        w.set_deferred(d, 1);
        assert_eq!(w.buf, b":1\r\n*2\r\n$1\r\na\r\n:2\r\n");
    }

    #[derive(Debug, Clone)]
    enum R {
        Int(i64),
        Bulk(Vec<u8>),
        Null,
        Dbl(f64),
        Bool(bool),
        Arr(Vec<R>),
        Map(Vec<(Vec<u8>, R)>),
        Set(Vec<Vec<u8>>),
    }

    fn arb() -> impl Strategy<Value = R> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(R::Int),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(R::Bulk),
            Just(R::Null),
            (-1e10f64..1e10).prop_map(R::Dbl),
            any::<bool>().prop_map(R::Bool),
        ];
        leaf.prop_recursive(3, 30, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(R::Arr),
                prop::collection::vec(
                    (prop::collection::vec(any::<u8>(), 0..8), inner.clone()),
                    0..4
                )
                .prop_map(R::Map),
                prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..4)
                    .prop_map(R::Set),
            ]
        })
    }

    fn write(w: &mut ReplyWriter, r: &R) {
        match r {
            R::Int(i) => w.int(*i),
            R::Bulk(b) => w.bulk(b),
            R::Null => w.null(),
            R::Dbl(d) => w.double(*d),
            R::Bool(b) => w.boolean(*b),
            R::Arr(v) => {
                w.array(v.len());
                v.iter().for_each(|x| write(w, x));
            }
            R::Map(v) => {
                w.map(v.len());
                for (k, x) in v {
                    w.bulk(k);
                    write(w, x);
                }
            }
            R::Set(v) => {
                w.set(v.len());
                v.iter().for_each(|x| w.bulk(x));
            }
        }
    }

    proptest! {
        /// Every reply decodes with the independent `redis-protocol` crate, in both protocols,
        /// consuming exactly the bytes written.
        #[test]
        fn replies_decode_with_redis_protocol(r in arb()) {
            let mut w2 = ReplyWriter::new(Protocol::Resp2);
            write(&mut w2, &r);
            let (_, used) = redis_protocol::resp2::decode::decode(&w2.buf).unwrap().expect("complete resp2 frame");
            prop_assert_eq!(used, w2.buf.len());
            let mut w3 = ReplyWriter::new(Protocol::Resp3);
            write(&mut w3, &r);
            let (_, used) = redis_protocol::resp3::decode::complete::decode(&w3.buf).unwrap().expect("complete resp3 frame");
            prop_assert_eq!(used, w3.buf.len());
        }
    }
}
