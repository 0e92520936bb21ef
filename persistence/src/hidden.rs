//! Hidden records: commands only sluice replays, written as annotation lines that Redis's
//! loader and redis-check-aof skip (they skip every line starting with `#`, as `#TS:`).
//!
//! A record whose argv starts with [`MARK`] is written as its remaining argv, RESP-encoded,
//! escaped so that it holds no line break, and cut into lines:
//!
//! ```text
//!   #SLUICE+<up to 1000 bytes>\r\n      zero or more continuation lines
//!   #SLUICE=<up to 1000 bytes>\r\n      the last line
//! ```
//!
//! Escapes: `%` → `%25`, CR → `%0D`, LF → `%0A`; an escape is never cut across lines.
//! Lines stay under 1024 bytes because Redis reads annotation lines with `fgets` into a
//! 1024-byte buffer: a longer one would be split and its rest read as a (bad) command.
//! A record cut short (continuation lines and no last line) is a torn tail, like a cut-short
//! command.

use bytes::Bytes;

/// The first argument of an argv to be written hidden.
pub const MARK: &[u8] = b"#SLUICE";
const MORE: &[u8] = b"#SLUICE+";
const LAST: &[u8] = b"#SLUICE=";
/// Escaped payload bytes per line.
const LINE_PAYLOAD: usize = 1000;

/// Is this argv (an effect) to be written as a hidden record?
pub fn is_hidden(argv: &[Bytes]) -> bool {
    argv.first().is_some_and(|a| a.as_ref() == MARK)
}

/// Writes `argv` (without the mark) as a hidden record.
pub fn encode(out: &mut Vec<u8>, argv: &[Bytes]) {
    let mut resp = Vec::new();
    crate::encode_command(&mut resp, argv);
    let mut line = Vec::with_capacity(LINE_PAYLOAD + 16);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for &b in &resp {
        let esc: &[u8] = match b {
            b'%' => b"%25",
            b'\r' => b"%0D",
            b'\n' => b"%0A",
            _ => std::slice::from_ref(&b),
        };
        if line.len() + esc.len() > LINE_PAYLOAD {
            lines.push(std::mem::take(&mut line));
        }
        line.extend_from_slice(esc);
    }
    lines.push(line);
    let n = lines.len();
    for (i, l) in lines.into_iter().enumerate() {
        out.extend_from_slice(if i + 1 == n { LAST } else { MORE });
        out.extend_from_slice(&l);
        out.extend_from_slice(b"\r\n");
    }
}

/// What one annotation line is to the hidden-record reader.
pub enum Line<'a> {
    /// Not a hidden-record line (another annotation).
    Other,
    /// A continuation's payload (escaped).
    More(&'a [u8]),
    /// The last line's payload (escaped).
    Last(&'a [u8]),
}

/// Classifies an annotation line (without its line break).
pub fn classify(line: &[u8]) -> Line<'_> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if let Some(p) = line.strip_prefix(MORE) {
        Line::More(p)
    } else if let Some(p) = line.strip_prefix(LAST) {
        Line::Last(p)
    } else {
        Line::Other
    }
}

/// Appends an escaped payload, unescaped, to `out`; false if an escape is malformed.
pub fn unescape(payload: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < payload.len() {
        if payload[i] == b'%' {
            let b = match payload.get(i + 1..i + 3) {
                Some(b"25") => b'%',
                Some(b"0D") => b'\r',
                Some(b"0A") => b'\n',
                _ => return false,
            };
            out.push(b);
            i += 3;
        } else {
            out.push(payload[i]);
            i += 1;
        }
    }
    true
}

/// Decodes a record's unescaped bytes (one RESP array of bulk strings) into its argv.
pub fn decode(resp: &[u8]) -> Option<Vec<Bytes>> {
    let len = crate::load::command_end(resp)?;
    if len != resp.len() {
        return None;
    }
    let mut parser = resp::RequestParser::new(resp::ParseLimits {
        proto_max_bulk_len: i64::MAX,
    });
    let mut buf = bytes::BytesMut::from(resp);
    parser.parse(&mut buf).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &[u8]) -> Vec<&[u8]> {
        data.split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn round_trip_of_binary_and_long_arguments() {
        let big: Vec<u8> = (0..5000u32).map(|i| (i % 256) as u8).collect();
        let argv = vec![
            Bytes::from_static(b"SLUICE.DELAY"),
            Bytes::from_static(b"k\r\n%"),
            Bytes::from(big),
        ];
        let mut out = Vec::new();
        encode(&mut out, &argv);
        let ls = lines(&out);
        assert!(ls.len() > 5);
        let mut resp = Vec::new();
        for (i, l) in ls.iter().enumerate() {
            assert!(l.len() < 1023, "line {i} is {} bytes", l.len());
            assert_eq!(l[0], b'#');
            match classify(l) {
                Line::More(p) => assert!(i + 1 < ls.len() && unescape(p, &mut resp)),
                Line::Last(p) => assert!(i + 1 == ls.len() && unescape(p, &mut resp)),
                Line::Other => panic!("not hidden"),
            }
        }
        assert_eq!(decode(&resp).unwrap(), argv);
    }

    #[test]
    fn malformed_payloads_are_refused() {
        let mut out = Vec::new();
        assert!(!unescape(b"ab%2", &mut out));
        assert!(!unescape(b"%41", &mut out));
        assert!(decode(b"*1\r\n$3\r\nab").is_none());
        assert!(decode(b"*1\r\n$1\r\na\r\n*1").is_none());
        assert!(matches!(classify(b"#CRC32:00:1"), Line::Other));
    }
}
