//! Checksum annotations: integrity beyond Redis's own AOF format without breaking its loader.
//!
//! After each batch of records it writes, sluice appends one annotation line covering the
//! bytes just before it:
//!
//! ```text
//!   *3\r\n$4\r\nXADD ... \r\n          ┐
//!   *3\r\n$5\r\nRPUSH ... \r\n         ┘ `len` bytes
//!   #CRC32:1c291ca3:118\r\n             CRC-32 (IEEE) of those `len` bytes, then `len`
//! ```
//!
//! Redis's loader and redis-check-aof skip lines that start with `#` (as they skip `#TS:`
//! annotations), so files stay loadable by Redis. Records after the last annotation (a torn
//! batch, or records Redis appended after a move) are unverified, as in Redis.
//!
//! Rules the loader applies ([`verify`]):
//! - A covered range starts exactly where the previous annotation line ended (or at the start
//!   of the file): sluice checksums every byte it writes, and before appending to a file whose
//!   tail no annotation covers (records another writer added, or the whole records of a torn
//!   batch kept by loading) it first certifies that tail ([`crate::Aof::adopt_tail`]).
//!   So an annotation damaged into something else is caught by the next one.
//! - A malformed `#CRC32:` line or a checksum that does not match is corruption, reported at
//!   the first byte of the covered range (where `--fix` would cut).
//! - An annotation line cut short is part of a torn tail, like a cut-short command.

/// Marks a checksum annotation line.
pub const PREFIX: &[u8] = b"#CRC32:";

/// Appends the annotation covering `covered` (the bytes that directly precede it).
pub fn annotate(out: &mut Vec<u8>, covered: &[u8]) {
    annotate_with(out, crc32fast::hash(covered), covered.len());
}

/// Appends an annotation for a range hashed incrementally.
pub fn annotate_with(out: &mut Vec<u8>, crc: u32, len: usize) {
    use std::io::Write;
    let _ = write!(out, "#CRC32:{crc:08x}:{len}\r\n");
}

/// Writes records to `W`, with an annotation after every `every` bytes of them and at the end
/// (used for rewrite base files, which are written in one go).
pub struct AnnotatedWriter<W: std::io::Write> {
    inner: W,
    crc: crc32fast::Hasher,
    covered: usize,
    every: usize,
    line: Vec<u8>,
}

impl<W: std::io::Write> AnnotatedWriter<W> {
    pub fn new(inner: W, every: usize) -> Self {
        AnnotatedWriter {
            inner,
            crc: crc32fast::Hasher::new(),
            covered: 0,
            every,
            line: Vec::with_capacity(32),
        }
    }

    /// Writes one or more whole records.
    pub fn records(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(bytes)?;
        self.crc.update(bytes);
        self.covered += bytes.len();
        if self.covered >= self.every {
            self.annotate()?;
        }
        Ok(())
    }

    fn annotate(&mut self) -> std::io::Result<()> {
        let crc = std::mem::take(&mut self.crc).finalize();
        self.line.clear();
        annotate_with(&mut self.line, crc, self.covered);
        self.inner.write_all(&self.line)?;
        self.covered = 0;
        Ok(())
    }

    /// Annotates what is left and returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.covered > 0 {
            self.annotate()?;
        }
        Ok(self.inner)
    }
}

/// A checksum annotation's content: (crc, covered length); None if malformed.
fn parse(line: &[u8]) -> Option<(u32, usize)> {
    let rest = std::str::from_utf8(line.strip_prefix(PREFIX)?).ok()?;
    let (crc, len) = rest.split_once(':')?;
    if crc.len() != 8 || len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((u32::from_str_radix(crc, 16).ok()?, len.parse().ok()?))
}

/// A checksum failure: where the damaged range starts and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub offset: u64,
    pub reason: String,
}

/// Checks every checksum annotation in `data`, walking the records in between with
/// `command_len` (the length of the whole command at the start of a slice, None if it is
/// incomplete or malformed). Where the records stop parsing, that is a torn tail for the
/// record parser to judge, unless an annotation follows (damage inside a checksummed range).
/// Returns the end of the last annotation: the bytes after it are not covered.
pub fn verify(
    data: &[u8],
    command_len: impl Fn(&[u8]) -> Option<usize>,
) -> Result<usize, Mismatch> {
    let mut pos = 0usize;
    // End of the previous checksum annotation: no covered range reaches back past it.
    let mut floor = 0usize;
    while pos < data.len() {
        match data[pos] {
            b'#' => {
                let Some(nl) = data[pos..].iter().position(|&c| c == b'\n') else {
                    return Ok(floor);
                };
                let line_end = pos + nl + 1;
                let line = data[pos..line_end - 1]
                    .strip_suffix(b"\r")
                    .unwrap_or(&data[pos..line_end - 1]);
                if line.starts_with(PREFIX) {
                    let Some((crc, len)) = parse(line) else {
                        return Err(Mismatch {
                            offset: pos as u64,
                            reason: "Malformed checksum annotation reading the append only file"
                                .into(),
                        });
                    };
                    if len != pos - floor {
                        return Err(Mismatch {
                            offset: floor as u64,
                            reason: format!(
                                "Checksum annotation at offset {pos} covers {len} bytes but {} precede it since the previous one, reading the append only file",
                                pos - floor
                            ),
                        });
                    }
                    let start = pos - len;
                    let got = crc32fast::hash(&data[start..pos]);
                    if got != crc {
                        return Err(Mismatch {
                            offset: start as u64,
                            reason: format!(
                                "Checksum mismatch (CRC32 {got:08x}, annotation at offset {pos} says {crc:08x}) reading the append only file"
                            ),
                        });
                    }
                    floor = line_end;
                }
                pos = line_end;
            }
            b'*' => match command_len(&data[pos..]) {
                Some(n) => pos += n,
                None => return damage_inside_covered_range(data, pos, floor),
            },
            _ => return damage_inside_covered_range(data, pos, floor),
        }
    }
    Ok(floor)
}

/// The records stop parsing at `pos`. That is a torn tail (for the record parser to judge)
/// unless a well-formed annotation follows: a torn write leaves nothing after it, so the
/// bytes from `floor` on were damaged in place.
fn damage_inside_covered_range(data: &[u8], pos: usize, floor: usize) -> Result<usize, Mismatch> {
    let mut from = pos;
    while let Some(i) = data[from..].windows(PREFIX.len()).position(|w| w == PREFIX) {
        let at = from + i;
        from = at + 1;
        let Some(nl) = data[at..].iter().position(|&c| c == b'\n') else {
            break;
        };
        let line = &data[at..at + nl];
        if parse(line.strip_suffix(b"\r").unwrap_or(line)).is_some() {
            return Err(Mismatch {
                offset: floor as u64,
                reason: format!(
                    "Bad file format at offset {pos}, before the checksum annotation at offset {at}, reading the append only file"
                ),
            });
        }
    }
    Ok(floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_round_trip() {
        let mut out = b"*1\r\n$4\r\nPING\r\n".to_vec();
        let covered = out.clone();
        annotate(&mut out, &covered);
        let line = std::str::from_utf8(&out[covered.len()..]).unwrap();
        assert!(
            line.starts_with("#CRC32:") && line.ends_with(":14\r\n"),
            "{line}"
        );
        assert_eq!(
            parse(line.trim_end().as_bytes()),
            Some((crc32fast::hash(&covered), 14))
        );
        assert_eq!(parse(b"#CRC32:xyz:1"), None);
        assert_eq!(parse(b"#CRC32:0000000g:1"), None);
        assert_eq!(parse(b"#CRC32:00000000:"), None);
    }
}
