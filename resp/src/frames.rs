//! Checking that bytes are whole RESP2/RESP3 reply frames (what a client can read back): the
//! command-level fuzz target's invariant on every reply.

/// The end of the frame starting at `at`, or None if it is malformed or cut short.
fn frame_end(b: &[u8], at: usize, depth: usize) -> Option<usize> {
    if depth > 128 {
        return None;
    }
    let line_end = |from: usize| -> Option<usize> {
        let rel = b.get(from..)?.windows(2).position(|w| w == b"\r\n")?;
        Some(from + rel)
    };
    let t = *b.get(at)?;
    let eol = line_end(at + 1)?;
    let line = &b[at + 1..eol];
    let num = || -> Option<i64> { std::str::from_utf8(line).ok()?.parse().ok() };
    let after = eol + 2;
    match t {
        b'+' | b'-' | b':' | b',' | b'(' | b'#' | b'_' => {
            if line.contains(&b'\r') || line.contains(&b'\n') {
                return None;
            }
            Some(after)
        }
        b'$' | b'!' | b'=' => {
            let n = num()?;
            if n == -1 && t == b'$' {
                return Some(after);
            }
            let n = usize::try_from(n).ok()?;
            let end = after.checked_add(n)?;
            (b.get(end..end + 2)? == b"\r\n").then_some(end + 2)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = num()?;
            if n == -1 && t == b'*' {
                return Some(after);
            }
            let n = usize::try_from(n).ok()?;
            let n = if matches!(t, b'%' | b'|') {
                n.checked_mul(2)?
            } else {
                n
            };
            let mut pos = after;
            for _ in 0..n {
                pos = frame_end(b, pos, depth + 1)?;
            }
            // An attribute is followed by the value it describes.
            if t == b'|' {
                pos = frame_end(b, pos, depth + 1)?;
            }
            Some(pos)
        }
        _ => None,
    }
}

/// Whether `b` is one or more whole frames and nothing else.
pub fn frames_complete(b: &[u8]) -> bool {
    let mut pos = 0;
    while pos < b.len() {
        match frame_end(b, pos, 0) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    !b.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_frames_and_not() {
        for ok in [
            &b"+OK\r\n"[..],
            b"$3\r\nabc\r\n:1\r\n",
            b"*2\r\n$-1\r\n%1\r\n+a\r\n,1.5\r\n",
            b"*-1\r\n",
            b"~0\r\n_\r\n",
            b">2\r\n+x\r\n=7\r\ntxt:abc\r\n",
        ] {
            assert!(frames_complete(ok), "{:?}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b""[..],
            b"+OK",
            b"$3\r\nab\r\n",
            b"*2\r\n:1\r\n",
            b"x\r\n",
            b"$-2\r\n",
            b"%1\r\n+a\r\n",
        ] {
            assert!(!frames_complete(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
