//! Incremental request parser.
//!
//! Mirrors `processMultibulkBuffer` / `processInlineBuffer` in Redis's `networking.c`:
//!
//! ```text
//!   *<argc>\r\n  ( $<len>\r\n <len bytes> \r\n ){argc}      multibulk
//!   <words separated by blanks, with "..." and '...' quoting>\n   inline
//! ```
//!
//! Invariants:
//! - The parser consumes from the front of the caller's buffer only whole lines or whole bulk
//!   payloads, so calling [`RequestParser::parse`] again after more bytes arrive resumes exactly
//!   where it stopped: a half-received command is never re-scanned from its start (arguments
//!   already complete are kept in `args`, and `bulk_len` remembers a pending `$<len>` header).
//! - Arguments are owned allocations (stored keys must not pin read buffers); payloads of
//!   `PROTO_MBULK_BIG_ARG` bytes or more are split off the buffer without copying.
//! - Any limit violation yields a [`ProtocolError`] whose `Display` text is Redis's exact message;
//!   the connection must then reply `-ERR <text>` and close, as Redis does.

use bytes::{Buf, Bytes, BytesMut};
use std::fmt;

/// `PROTO_INLINE_MAX_SIZE`: longest inline request or `*`/`$` header line.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// `proto-max-bulk-len` default (512 MiB).
pub const DEFAULT_PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Largest multibulk count Redis accepts (`INT_MAX`).
pub const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;
/// Bulk payloads at least this large are read into their own buffer (`PROTO_MBULK_BIG_ARG`).
pub const PROTO_MBULK_BIG_ARG: usize = 32 * 1024;

/// Limits the parser enforces; `proto_max_bulk_len` is the `proto-max-bulk-len` directive.
#[derive(Clone, Copy, Debug)]
pub struct ParseLimits {
    pub proto_max_bulk_len: i64,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            proto_max_bulk_len: DEFAULT_PROTO_MAX_BULK_LEN,
        }
    }
}

/// A protocol violation; `Display` renders Redis's text (without the `ERR ` prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    TooBigInline,
    UnbalancedQuotes,
    TooBigMbulkCount,
    InvalidMultibulkLength,
    TooBigBulkCount,
    ExpectedDollar(u8),
    InvalidBulkLength,
    UnauthenticatedMultibulkLength,
    UnauthenticatedBulkLength,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::TooBigInline => f.write_str("Protocol error: too big inline request"),
            ProtocolError::UnbalancedQuotes => {
                f.write_str("Protocol error: unbalanced quotes in request")
            }
            ProtocolError::TooBigMbulkCount => {
                f.write_str("Protocol error: too big mbulk count string")
            }
            ProtocolError::InvalidMultibulkLength => {
                f.write_str("Protocol error: invalid multibulk length")
            }
            ProtocolError::TooBigBulkCount => {
                f.write_str("Protocol error: too big bulk count string")
            }
            ProtocolError::ExpectedDollar(c) => {
                write!(f, "Protocol error: expected '$', got '{}'", *c as char)
            }
            ProtocolError::InvalidBulkLength => f.write_str("Protocol error: invalid bulk length"),
            ProtocolError::UnauthenticatedMultibulkLength => {
                f.write_str("Protocol error: unauthenticated multibulk length")
            }
            ProtocolError::UnauthenticatedBulkLength => {
                f.write_str("Protocol error: unauthenticated bulk length")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Resumable parser state for one connection.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Arguments still expected in the current multibulk (0: between commands).
    multibulk_len: i64,
    /// Length of the bulk whose header was read but whose payload has not fully arrived.
    bulk_len: Option<usize>,
    /// Arguments of the current multibulk completed so far.
    args: Vec<Bytes>,
    pub limits: ParseLimits,
    /// When true, Redis's tighter limits for unauthenticated clients apply.
    pub unauthenticated: bool,
}

/// Parses a signed decimal exactly like Redis's `string2ll` (no `+`, no leading zeros, no blanks).
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s.len() == 1 && s[0] == b'0' {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' {
        (true, &s[1..])
    } else {
        (false, s)
    };
    if digits.is_empty() || digits[0] == b'0' {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

fn find(buf: &[u8], b: u8) -> Option<usize> {
    buf.iter().position(|&c| c == b)
}

impl RequestParser {
    pub fn new(limits: ParseLimits) -> Self {
        RequestParser {
            limits,
            ..Default::default()
        }
    }

    /// True while a command is partially received.
    pub fn in_progress(&self) -> bool {
        self.multibulk_len > 0
    }

    /// Parses the next complete command from the front of `buf`, consuming its bytes.
    ///
    /// `Ok(None)`: more bytes are needed (state is kept). An empty multibulk (`*0`, `*-1`) and
    /// an empty inline line are consumed and skipped, as Redis does.
    pub fn parse(&mut self, buf: &mut BytesMut) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        // Headers and small payloads are scanned at a cursor and the buffer is advanced once
        // on the way out: per-argument `advance` calls cost as much as the scanning.
        let mut pos = 0;
        let r = self.parse_at(buf, &mut pos);
        buf.advance(pos);
        r
    }

    fn parse_at(
        &mut self,
        buf: &mut BytesMut,
        pos: &mut usize,
    ) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            if self.multibulk_len == 0 {
                let rest = &buf[*pos..];
                if rest.is_empty() {
                    return Ok(None);
                }
                if rest[0] != b'*' {
                    buf.advance(*pos);
                    *pos = 0;
                    match self.parse_inline(buf)? {
                        InlineResult::Incomplete => return Ok(None),
                        InlineResult::Empty => continue,
                        InlineResult::Command(argv) => return Ok(Some(argv)),
                    }
                }
                let Some(nl) = find(rest, b'\r') else {
                    if rest.len() > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtocolError::TooBigMbulkCount);
                    }
                    return Ok(None);
                };
                if nl + 1 >= rest.len() {
                    // The '\n' after '\r' has not arrived yet.
                    if rest.len() > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtocolError::TooBigMbulkCount);
                    }
                    return Ok(None);
                }
                let n = match parse_i64(&rest[1..nl]) {
                    Some(n) if n <= MAX_MULTIBULK_LEN => n,
                    _ => return Err(ProtocolError::InvalidMultibulkLength),
                };
                if n > 10 && self.unauthenticated {
                    return Err(ProtocolError::UnauthenticatedMultibulkLength);
                }
                *pos += nl + 2;
                if n <= 0 {
                    continue;
                }
                self.multibulk_len = n;
                self.args = Vec::with_capacity(n.min(1024) as usize);
            }
            while self.multibulk_len > 0 {
                let len = match self.bulk_len {
                    Some(l) => l,
                    None => {
                        let rest = &buf[*pos..];
                        let Some(nl) = find(rest, b'\r') else {
                            if rest.len() > PROTO_INLINE_MAX_SIZE {
                                return Err(ProtocolError::TooBigBulkCount);
                            }
                            return Ok(None);
                        };
                        if nl + 1 >= rest.len() {
                            if rest.len() > PROTO_INLINE_MAX_SIZE {
                                return Err(ProtocolError::TooBigBulkCount);
                            }
                            return Ok(None);
                        }
                        if rest[0] != b'$' {
                            return Err(ProtocolError::ExpectedDollar(rest[0]));
                        }
                        let l = match parse_i64(&rest[1..nl]) {
                            Some(l) if l >= 0 && l <= self.limits.proto_max_bulk_len => l,
                            _ => return Err(ProtocolError::InvalidBulkLength),
                        };
                        if l > 16384 && self.unauthenticated {
                            return Err(ProtocolError::UnauthenticatedBulkLength);
                        }
                        *pos += nl + 2;
                        let l = l as usize;
                        if l >= PROTO_MBULK_BIG_ARG {
                            // Make room for a big payload up front instead of growing repeatedly,
                            // but never trust a declared length with more than 1 MiB at once:
                            // a client announcing 512 MiB and sending nothing must cost nothing.
                            buf.advance(*pos);
                            *pos = 0;
                            buf.reserve((l + 2).min(1 << 20));
                        }
                        self.bulk_len = Some(l);
                        l
                    }
                };
                if buf.len() - *pos < len + 2 {
                    return Ok(None);
                }
                // Small arguments get their own allocation: a zero-copy slice would pin the
                // whole read buffer for as long as the server stores the argument (a key, a
                // field name). Big payloads dominate their buffer anyway and stay zero-copy.
                let arg = if len >= PROTO_MBULK_BIG_ARG {
                    buf.advance(*pos);
                    *pos = 0;
                    buf.split_to(len).freeze()
                } else {
                    let a = Bytes::copy_from_slice(&buf[*pos..*pos + len]);
                    *pos += len;
                    a
                };
                *pos += 2;
                self.args.push(arg);
                self.bulk_len = None;
                self.multibulk_len -= 1;
            }
            return Ok(Some(std::mem::take(&mut self.args)));
        }
    }

    fn parse_inline(&mut self, buf: &mut BytesMut) -> Result<InlineResult, ProtocolError> {
        let Some(nl) = find(buf, b'\n') else {
            if buf.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigInline);
            }
            return Ok(InlineResult::Incomplete);
        };
        let mut end = nl;
        if end > 0 && buf[end - 1] == b'\r' {
            end -= 1;
        }
        let argv = split_args(&buf[..end]).ok_or(ProtocolError::UnbalancedQuotes)?;
        buf.advance(nl + 1);
        if argv.is_empty() {
            return Ok(InlineResult::Empty);
        }
        Ok(InlineResult::Command(
            argv.into_iter().map(Bytes::from).collect(),
        ))
    }
}

enum InlineResult {
    Incomplete,
    Empty,
    Command(Vec<Bytes>),
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

/// Redis's `sdssplitargs`: blanks separate words; `"..."` supports `\n \r \t \b \a \\ \" \xHH`,
/// `'...'` supports `\'`; a closing quote must be followed by a blank or the end.
/// Returns `None` on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // Redis splits a C string: a NUL byte ends the line.
    let line = match line.iter().position(|&c| c == 0) {
        Some(p) => &line[..p],
        None => line,
    };
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(out);
        }
        let mut cur = Vec::new();
        let mut inq = false;
        let mut insq = false;
        loop {
            if inq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && hex_val(line[i + 2]).is_some()
                    && hex_val(line[i + 3]).is_some()
                {
                    cur.push(hex_val(line[i + 2]).unwrap() * 16 + hex_val(line[i + 3]).unwrap());
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        o => o,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        break;
                    }
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(parser: &mut RequestParser, buf: &mut BytesMut) -> Vec<Vec<Bytes>> {
        let mut out = Vec::new();
        while let Some(c) = parser.parse(buf).unwrap() {
            out.push(c);
        }
        out
    }

    #[test]
    fn multibulk_and_inline() {
        let mut p = RequestParser::default();
        let mut b = BytesMut::from(
            &b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nset a \"b c\"\r\n\r\n*0\r\n"[..],
        );
        let cmds = parse_all(&mut p, &mut b);
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0], vec![Bytes::from("GET"), Bytes::from("k")]);
        assert_eq!(cmds[1], vec![Bytes::from("PING")]);
        assert_eq!(
            cmds[2],
            vec![Bytes::from("set"), Bytes::from("a"), Bytes::from("b c")]
        );
        assert!(b.is_empty());
    }

    #[test]
    fn errors_have_redis_texts() {
        let cases: &[(&[u8], &str)] = &[
            (b"*x\r\n", "Protocol error: invalid multibulk length"),
            (
                b"*3000000000\r\n",
                "Protocol error: invalid multibulk length",
            ),
            (b"*1\r\n+x\r\n", "Protocol error: expected '$', got '+'"),
            (b"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
            (
                b"*1\r\n$536870913\r\n",
                "Protocol error: invalid bulk length",
            ),
            (
                b"set \"a\r\n",
                "Protocol error: unbalanced quotes in request",
            ),
            (
                b"set \"a\"b\r\n",
                "Protocol error: unbalanced quotes in request",
            ),
        ];
        for (input, text) in cases {
            let mut p = RequestParser::default();
            let mut b = BytesMut::from(*input);
            let err = p.parse(&mut b).unwrap_err();
            assert_eq!(
                err.to_string(),
                *text,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
        let mut p = RequestParser::default();
        let mut b = BytesMut::from(&vec![b'a'; PROTO_INLINE_MAX_SIZE + 1][..]);
        assert_eq!(p.parse(&mut b).unwrap_err(), ProtocolError::TooBigInline);
        let mut b =
            BytesMut::from(&[b"*".as_slice(), &vec![b'1'; PROTO_INLINE_MAX_SIZE + 1]].concat()[..]);
        assert_eq!(
            p.parse(&mut b).unwrap_err(),
            ProtocolError::TooBigMbulkCount
        );
    }

    #[test]
    fn resumes_without_rescanning() {
        let mut p = RequestParser::default();
        let mut b = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$5\r\nhel"[..]);
        assert!(p.parse(&mut b).unwrap().is_none());
        // The completed first argument and the $5 header were consumed already.
        assert_eq!(&b[..], b"hel");
        b.extend_from_slice(b"lo\r\n");
        assert_eq!(
            p.parse(&mut b).unwrap().unwrap(),
            vec![Bytes::from("GET"), Bytes::from("hello")]
        );
    }

    #[test]
    fn split_args_quoting() {
        assert_eq!(
            split_args(b"a \"\\x41\\n\" 'it\\'s'").unwrap(),
            vec![b"a".to_vec(), b"A\n".to_vec(), b"it's".to_vec()]
        );
        assert_eq!(split_args(b"  ").unwrap(), Vec::<Vec<u8>>::new());
        assert!(split_args(b"'abc").is_none());
    }

    #[test]
    fn parse_i64_like_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b" 1"), None);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn encode(cmds: &[Vec<Vec<u8>>]) -> Vec<u8> {
            let mut out = Vec::new();
            for c in cmds {
                out.extend_from_slice(format!("*{}\r\n", c.len()).as_bytes());
                for a in c {
                    out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                    out.extend_from_slice(a);
                    out.extend_from_slice(b"\r\n");
                }
            }
            out
        }

        /// Feeds `wire` to one parser in chunks of the sizes in `cuts` (cycled), parsing all
        /// it can after each: the commands, what is left in the buffer, the parser.
        fn parse_in_chunks(
            wire: &[u8],
            cuts: &[usize],
        ) -> (Vec<Vec<Vec<u8>>>, BytesMut, RequestParser) {
            let mut p = RequestParser::default();
            let mut buf = BytesMut::new();
            let mut got = Vec::new();
            let (mut pos, mut ci) = (0, 0);
            while pos < wire.len() {
                let n = cuts[ci % cuts.len()].min(wire.len() - pos);
                ci += 1;
                buf.extend_from_slice(&wire[pos..pos + n]);
                pos += n;
                while let Some(c) = p.parse(&mut buf).unwrap() {
                    got.push(c.into_iter().map(|b| b.to_vec()).collect());
                }
            }
            (got, buf, p)
        }

        proptest! {
            /// Every chunking of a pipeline parses to the same commands.
            #[test]
            fn every_chunking_parses_the_same(
                cmds in prop::collection::vec(prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..5), 1..6),
                cuts in prop::collection::vec(1usize..23, 1..40),
            ) {
                let wire = encode(&cmds);
                let (got, buf, p) = parse_in_chunks(&wire, &cuts);
                prop_assert_eq!(got, cmds);
                prop_assert!(buf.is_empty());
                prop_assert!(!p.in_progress());
            }

            /// The same with payloads around the big-argument threshold (split off the buffer
            /// rather than copied) and inline commands between multibulks.
            #[test]
            fn big_args_and_inline_parse_the_same(
                sizes in prop::collection::vec(
                    prop_oneof![0usize..8, Just(PROTO_MBULK_BIG_ARG - 1), Just(PROTO_MBULK_BIG_ARG), Just(PROTO_MBULK_BIG_ARG + 3)],
                    1..6),
                inline_after in prop::collection::vec(any::<bool>(), 6),
                cuts in prop::collection::vec(1usize..20000, 1..20),
            ) {
                let mut wire = Vec::new();
                let mut want: Vec<Vec<Vec<u8>>> = Vec::new();
                for (i, &n) in sizes.iter().enumerate() {
                    let cmd = vec![b"SET".to_vec(), vec![b'a' + (i as u8); n]];
                    wire.extend_from_slice(&encode(std::slice::from_ref(&cmd)));
                    want.push(cmd);
                    if inline_after[i] {
                        wire.extend_from_slice(b"PING x\r\n");
                        want.push(vec![b"PING".to_vec(), b"x".to_vec()]);
                    }
                }
                let (got, buf, _) = parse_in_chunks(&wire, &cuts);
                prop_assert_eq!(got, want);
                prop_assert!(buf.is_empty());
            }

            /// Arbitrary bytes never panic the parser.
            #[test]
            fn garbage_never_panics(data in prop::collection::vec(any::<u8>(), 0..300)) {
                let mut p = RequestParser::default();
                let mut buf = BytesMut::from(&data[..]);
                for _ in 0..400 {
                    match p.parse(&mut buf) {
                        Ok(Some(_)) => continue,
                        _ => break,
                    }
                }
            }
        }
    }
}
