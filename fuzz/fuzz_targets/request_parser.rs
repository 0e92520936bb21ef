//! Any bytes from a client, fed to the request parser in pieces as reads deliver them: each
//! call returns a command, asks for more, or a protocol error, never panics; a command has at
//! least one argument; a parser that asked for more parses the same commands once given the
//! rest (the split points must not change what is read).
#![no_main]
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use resp::{ParseLimits, RequestParser};

fn parse_all(chunks: &[&[u8]], unauthenticated: bool) -> (Vec<Vec<bytes::Bytes>>, bool) {
    let mut p = RequestParser::new(ParseLimits {
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

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // The first byte picks the split: every `step` bytes.
    let step = (data[0] as usize % 16) + 1;
    let rest = &data[1..];
    let unauth = data[0] & 0x80 != 0;
    let pieces: Vec<&[u8]> = rest.chunks(step).collect();
    let (split, split_err) = parse_all(&pieces, unauth);
    let (whole, whole_err) = parse_all(&[rest], unauth);
    assert_eq!(split_err, whole_err);
    assert_eq!(split, whole);
});
