//! Reading an AOF file back as argv vectors.
//!
//! The file is memory-mapped and parsed with the same incremental parser the server uses for
//! requests (multibulk only; `#` annotation lines are skipped as Redis skips them). A file
//! whose last command is cut short yields [`LoadEnd::Truncated`] with the length of its valid
//! prefix; anything else that does not parse is [`LoadEnd::Corrupt`] at an offset, as is a
//! range whose checksum annotation does not match (see [`crate::checksum`]).

use bytes::{Bytes, BytesMut};
use std::path::Path;

#[derive(Debug, PartialEq, Eq)]
pub enum LoadEnd {
    /// Every byte was a whole command.
    Clean { commands: u64 },
    /// The tail after `valid_len` bytes is an incomplete command.
    Truncated { commands: u64, valid_len: u64 },
    /// Unparseable data at `offset`.
    Corrupt {
        commands: u64,
        offset: u64,
        reason: String,
    },
}

/// Parses `data`, calling `f` for each command with the byte offset after it. Checksum
/// annotations are verified first, over the whole file, so a damaged file yields no command.
pub fn parse_commands(data: &[u8], f: impl FnMut(Vec<Bytes>, u64)) -> LoadEnd {
    parse_verified(data, f).0
}

/// [`parse_commands`], also returning where the last checksum annotation ends (the bytes
/// after it are not covered; 0 when the file is corrupt).
fn parse_verified(data: &[u8], f: impl FnMut(Vec<Bytes>, u64)) -> (LoadEnd, u64) {
    match crate::checksum::verify(data, command_end) {
        Ok(covered) => (parse_records(data, f), covered as u64),
        Err(m) => {
            let end = LoadEnd::Corrupt {
                commands: 0,
                offset: m.offset,
                reason: m.reason,
            };
            (end, 0)
        }
    }
}

fn parse_records(data: &[u8], mut f: impl FnMut(Vec<Bytes>, u64)) -> LoadEnd {
    let mut pos = 0usize;
    let mut commands = 0u64;
    // A hidden record being read: where it started, and its bytes so far (see `hidden`).
    let mut hidden: Option<(usize, Vec<u8>)> = None;
    while pos < data.len() {
        match data[pos] {
            b'#' => {
                // Annotation: up to the end of line.
                let Some(nl) = data[pos..].iter().position(|&c| c == b'\n') else {
                    let valid_len = hidden.map_or(pos, |(at, _)| at) as u64;
                    return LoadEnd::Truncated {
                        commands,
                        valid_len,
                    };
                };
                let line = &data[pos..pos + nl];
                let bad = |at: usize| LoadEnd::Corrupt {
                    commands,
                    offset: at as u64,
                    reason: "Bad hidden record reading the append only file".into(),
                };
                match crate::hidden::classify(line) {
                    crate::hidden::Line::Other => {}
                    crate::hidden::Line::More(p) => {
                        let (_, buf) = hidden.get_or_insert_with(|| (pos, Vec::new()));
                        if !crate::hidden::unescape(p, buf) {
                            return bad(pos);
                        }
                    }
                    crate::hidden::Line::Last(p) => {
                        let (at, mut buf) = hidden.take().unwrap_or((pos, Vec::new()));
                        if !crate::hidden::unescape(p, &mut buf) {
                            return bad(at);
                        }
                        let Some(argv) = crate::hidden::decode(&buf) else {
                            return bad(at);
                        };
                        commands += 1;
                        f(argv, (pos + nl + 1) as u64);
                    }
                }
                pos += nl + 1;
                continue;
            }
            _ if hidden.is_some() => {
                // A record's lines must follow each other.
                return LoadEnd::Corrupt {
                    commands,
                    offset: hidden.map_or(pos, |(at, _)| at) as u64,
                    reason: "Bad hidden record reading the append only file".into(),
                };
            }
            b'*' => {}
            _ => {
                return LoadEnd::Corrupt {
                    commands,
                    offset: pos as u64,
                    reason: "Bad file format reading the append only file".into(),
                }
            }
        }
        let mut parser = resp::RequestParser::new(resp::ParseLimits {
            proto_max_bulk_len: i64::MAX,
        });
        // One command at a time over the remaining bytes (bounded copy per command).
        let end = command_end(&data[pos..]);
        let Some(len) = end else {
            // Either truncated or malformed: tell them apart by whether the headers parse.
            return match headers_valid(&data[pos..]) {
                true => LoadEnd::Truncated {
                    commands,
                    valid_len: pos as u64,
                },
                false => LoadEnd::Corrupt {
                    commands,
                    offset: pos as u64,
                    reason: "Bad file format reading the append only file".into(),
                },
            };
        };
        let mut buf = BytesMut::from(&data[pos..pos + len]);
        match parser.parse(&mut buf) {
            Ok(Some(argv)) => {
                pos += len;
                commands += 1;
                f(argv, pos as u64);
            }
            _ => {
                return LoadEnd::Corrupt {
                    commands,
                    offset: pos as u64,
                    reason: "Bad file format reading the append only file".into(),
                }
            }
        }
    }
    if let Some((at, _)) = hidden {
        // The file ends inside a hidden record: a torn tail.
        return LoadEnd::Truncated {
            commands,
            valid_len: at as u64,
        };
    }
    LoadEnd::Clean { commands }
}

fn read_line(d: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let nl = d[pos..].windows(2).position(|w| w == b"\r\n")?;
    Some((&d[pos..pos + nl], pos + nl + 2))
}

/// Length of the whole command at the start of `d`, if it is complete and well-formed.
pub(crate) fn command_end(d: &[u8]) -> Option<usize> {
    let (line, mut pos) = read_line(d, 0)?;
    let n: usize = std::str::from_utf8(line.get(1..)?).ok()?.parse().ok()?;
    for _ in 0..n {
        let (h, p) = read_line(d, pos)?;
        if h.first() != Some(&b'$') {
            return None;
        }
        let l: usize = std::str::from_utf8(&h[1..]).ok()?.parse().ok()?;
        // Checked: a length near usize::MAX wrapped here (found by the aof_load fuzz target).
        let end = p.checked_add(l)?.checked_add(2)?;
        if d.len() < end || &d[end - 2..end] != b"\r\n" {
            return None;
        }
        pos = end;
    }
    Some(pos)
}

/// True when what is there of the command is well-formed, i.e. it is merely cut short.
fn headers_valid(d: &[u8]) -> bool {
    let Some((line, mut pos)) = read_line(d, 0) else {
        // No complete header line: fine if it is a prefix of "*<digits>".
        return d.len() < 24 && d[1..].iter().all(|c| c.is_ascii_digit() || *c == b'\r');
    };
    let Some(n) = std::str::from_utf8(&line[1..])
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    else {
        return false;
    };
    for _ in 0..n {
        if pos >= d.len() {
            return true;
        }
        let Some((h, p)) = read_line(d, pos) else {
            return d[pos] == b'$'
                && d[pos + 1..]
                    .iter()
                    .all(|c| c.is_ascii_digit() || *c == b'\r');
        };
        if h.first() != Some(&b'$') {
            return false;
        }
        let Some(l) = std::str::from_utf8(&h[1..])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            return false;
        };
        let Some(end) = p.checked_add(l).and_then(|e| e.checked_add(2)) else {
            return false;
        };
        if d.len() < end {
            // Payload cut short; whatever part of the CRLF is there must be right.
            let have = &d[(end - 2).min(d.len())..];
            return b"\r\n".starts_with(have);
        }
        if &d[end - 2..end] != b"\r\n" {
            return false;
        }
        pos = end;
    }
    false
}

/// What [`load_file`] found.
pub struct Loaded {
    pub end: LoadEnd,
    /// The file's length.
    pub len: u64,
    /// Where its last checksum annotation ends (see [`crate::Aof::adopt_tail`]).
    pub covered: u64,
}

/// Memory-maps a file and parses it.
pub fn load_file(path: &Path, f: impl FnMut(Vec<Bytes>, u64)) -> std::io::Result<Loaded> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        let end = LoadEnd::Clean { commands: 0 };
        return Ok(Loaded {
            end,
            len,
            covered: 0,
        });
    }
    // Safety: the AOF files are only appended to by this process, after loading finished.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let (end, covered) = parse_verified(&map, f);
    Ok(Loaded { end, len, covered })
}

/// `sluice check-aof [--fix] <manifest-or-file>`, like redis-check-aof: checks each file the
/// manifest lists (or the one file given). A cut-short last command is reported and, with
/// `fix`, truncated away; corruption elsewhere is reported with its file and offset and, with
/// `fix`, the file is truncated at the first bad byte (what redis-check-aof --fix does after
/// asking). Returns the report and whether the AOF is (now) valid.
pub fn check_aof(path: &Path, fix: bool) -> std::io::Result<(String, bool)> {
    let files: Vec<std::path::PathBuf> =
        if path.extension().map(|e| e == "manifest").unwrap_or(false) {
            let m = crate::manifest::Manifest::parse(&std::fs::read_to_string(path)?)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            let dir = path.parent().unwrap_or(Path::new("."));
            m.load_order().map(|e| dir.join(&e.name)).collect()
        } else {
            vec![path.to_path_buf()]
        };
    let mut report = String::new();
    let mut valid = true;
    for f in &files {
        let data = std::fs::read(f)?;
        let end = parse_commands(&data, |_, _| {});
        match end {
            LoadEnd::Clean { commands } => {
                report.push_str(&format!(
                    "AOF {} is valid ({} commands)\n",
                    f.display(),
                    commands
                ));
            }
            LoadEnd::Truncated { valid_len, .. }
            | LoadEnd::Corrupt {
                offset: valid_len, ..
            } => {
                let what = if matches!(end, LoadEnd::Truncated { .. }) {
                    "truncated"
                } else {
                    "format error"
                };
                report.push_str(&format!(
                    "AOF analyzed: filename={}, size={}, ok_up_to={}, diff={} ({what})\n",
                    f.display(),
                    data.len(),
                    valid_len,
                    data.len() as u64 - valid_len
                ));
                if fix {
                    let file = std::fs::OpenOptions::new().write(true).open(f)?;
                    file.set_len(valid_len)?;
                    file.sync_all()?;
                    report.push_str(&format!("Successfully truncated AOF {}\n", f.display()));
                } else {
                    valid = false;
                }
            }
        }
    }
    Ok((report, valid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode_command;

    fn log(cmds: &[&[&str]]) -> Vec<u8> {
        let mut v = Vec::new();
        for c in cmds {
            let argv: Vec<Bytes> = c
                .iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect();
            encode_command(&mut v, &argv);
        }
        v
    }

    /// Found by the aof_load fuzz target: a bulk length of 2^64-1 overflowed the bounds
    /// arithmetic (a panic with overflow checks, a wrapped bound without).
    #[test]
    fn a_bulk_length_near_the_top_of_usize_is_corrupt_not_a_panic() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/corpus/aof_load/regression-bulk-length-overflow"
        ))
        .unwrap();
        let end = parse_commands(&data, |_, _| {});
        assert!(
            matches!(end, LoadEnd::Corrupt { commands: 0, .. }),
            "{end:?}"
        );
        let d = b"*1\r\n$18446744073709551615\r\nx";
        assert_eq!(command_end(d), None);
        assert!(!headers_valid(d));
    }

    #[test]
    fn every_truncation_loads_the_clean_prefix() {
        let data = log(&[
            &["SELECT", "0"],
            &["SET", "a", "1"],
            &["LPUSH", "l", "x", "yy"],
            &["DEL", "a"],
        ]);
        let mut ends = vec![0usize];
        parse_commands(&data, |_, off| ends.push(off as usize));
        for cut in 0..=data.len() {
            let mut got = 0;
            let r = parse_commands(&data[..cut], |_, _| got += 1);
            let whole = ends.iter().filter(|&&e| e <= cut && e > 0).count();
            assert_eq!(got, whole, "cut {cut}");
            match r {
                LoadEnd::Clean { .. } => assert!(ends.contains(&cut)),
                LoadEnd::Truncated { valid_len, .. } => assert_eq!(
                    valid_len as usize,
                    *ends.iter().filter(|&&e| e <= cut).max().unwrap()
                ),
                LoadEnd::Corrupt { .. } => panic!("cut at {cut} reported as corruption"),
            }
        }
    }

    #[test]
    fn hidden_records_load_whole_or_not_at_all() {
        let long = "v".repeat(2500);
        let mut data = log(&[&["SET", "a", "1"]]);
        let hidden = [
            "#SLUICE",
            "SLUICE.DELAY",
            "s",
            "AT",
            "5",
            "f",
            long.as_str(),
        ];
        let argv: Vec<Bytes> = hidden
            .iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect();
        encode_command(&mut data, &argv);
        data.extend(log(&[&["DEL", "a"]]));
        let mut seen = Vec::new();
        let mut ends = vec![0usize];
        assert!(matches!(
            parse_commands(&data, |a, off| {
                seen.push(a);
                ends.push(off as usize)
            }),
            LoadEnd::Clean { commands: 3 }
        ));
        assert_eq!(seen[1], argv[1..].to_vec());
        for cut in 0..=data.len() {
            let mut got = 0;
            let r = parse_commands(&data[..cut], |_, _| got += 1);
            assert_eq!(
                got,
                ends.iter().filter(|&&e| e <= cut && e > 0).count(),
                "cut {cut}"
            );
            match r {
                LoadEnd::Clean { .. } => assert!(ends.contains(&cut), "cut {cut}"),
                LoadEnd::Truncated { valid_len, .. } => assert_eq!(
                    valid_len as usize,
                    *ends.iter().filter(|&&e| e <= cut).max().unwrap(),
                    "cut {cut}"
                ),
                LoadEnd::Corrupt { .. } => panic!("cut at {cut} reported as corruption"),
            }
        }
    }

    /// A log as sluice writes it: batches of records, each followed by its checksum line.
    fn annotated(batches: &[&[&[&str]]]) -> (Vec<u8>, Vec<Vec<Bytes>>) {
        let mut out = Vec::new();
        let mut cmds = Vec::new();
        for b in batches {
            let recs = log(b);
            out.extend_from_slice(&recs);
            crate::checksum::annotate(&mut out, &recs);
            parse_commands(&recs, |argv, _| cmds.push(argv));
        }
        (out, cmds)
    }

    #[test]
    fn every_flipped_byte_is_caught_and_nothing_damaged_loads() {
        let (data, all) = annotated(&[
            &[&["SELECT", "0"], &["XADD", "s", "1-0", "f", "v"]],
            &[&["RPUSH", "l", "a", "b"]],
            &[&["SET", "k", "value"], &["PEXPIREAT", "k", "99"]],
        ]);
        let mut n = 0;
        assert_eq!(
            parse_commands(&data, |_, _| n += 1),
            LoadEnd::Clean { commands: 5 }
        );
        let last_line = data[..data.len() - 1]
            .iter()
            .rposition(|&c| c == b'\n')
            .unwrap()
            + 1;
        for i in 0..data.len() {
            let mut bad = data.clone();
            bad[i] ^= 0x01;
            let mut got = Vec::new();
            let end = parse_commands(&bad, |argv, _| got.push(argv));
            assert!(
                all.starts_with(&got),
                "flip at {i}: damaged content loaded ({end:?})"
            );
            match end {
                LoadEnd::Corrupt { .. } => {}
                // Only damage to the final annotation line itself can pass (as a torn tail, or
                // as a foreign annotation): the records it covered are intact and load.
                LoadEnd::Truncated { .. } | LoadEnd::Clean { .. } => {
                    assert!(i >= last_line, "flip at {i} went unnoticed: {end:?}");
                    assert_eq!(got, all, "flip at {i}");
                }
            }
        }
    }

    #[test]
    fn checksummed_log_truncated_anywhere_loads_its_clean_prefix() {
        let (data, all) = annotated(&[
            &[&["SELECT", "0"], &["SET", "a", "1"]],
            &[&["LPUSH", "l", "x"]],
        ]);
        for cut in 0..=data.len() {
            let mut got = Vec::new();
            let end = parse_commands(&data[..cut], |argv, _| got.push(argv));
            assert!(all.starts_with(&got), "cut {cut}");
            assert!(
                !matches!(end, LoadEnd::Corrupt { .. }),
                "cut {cut}: {end:?}"
            );
        }
    }

    #[test]
    fn unannotated_records_after_a_checksummed_range_load() {
        // As after Redis appended to a file sluice wrote.
        let (mut data, _) = annotated(&[&[&["SET", "a", "1"]]]);
        data.extend(log(&[&["SET", "b", "2"]]));
        let mut n = 0;
        assert_eq!(
            parse_commands(&data, |_, _| n += 1),
            LoadEnd::Clean { commands: 2 }
        );
        let tail = data.len() - log(&[&["SET", "b", "2"]]).len();
        assert_eq!(crate::checksum::verify(&data, command_end), Ok(tail));
        // An annotation covers exactly the bytes since the previous one: no more, no less.
        let mut greedy = data.clone();
        crate::checksum::annotate(&mut greedy, &data);
        assert!(matches!(
            parse_commands(&greedy, |_, _| {}),
            LoadEnd::Corrupt { .. }
        ));
        let (first, _) = annotated(&[&[&["SET", "a", "1"]]]);
        let mut short = data.clone();
        crate::checksum::annotate(&mut short, &data[first.len() + 3..]);
        assert!(matches!(
            parse_commands(&short, |_, _| {}),
            LoadEnd::Corrupt { .. }
        ));
    }

    #[test]
    fn annotations_skipped_and_garbage_detected() {
        let mut data = b"#TS:1700000000\r\n".to_vec();
        data.extend(log(&[&["SET", "a", "1"]]));
        let mut n = 0;
        assert_eq!(
            parse_commands(&data, |_, _| n += 1),
            LoadEnd::Clean { commands: 1 }
        );
        let mut bad = data.clone();
        bad.extend_from_slice(b"xyz\r\n");
        assert!(matches!(
            parse_commands(&bad, |_, _| {}),
            LoadEnd::Corrupt { .. }
        ));
        let mut flipped = log(&[&["SET", "a", "1"], &["SET", "b", "2"]]);
        flipped[3] = b'X';
        assert!(matches!(
            parse_commands(&flipped, |_, _| {}),
            LoadEnd::Corrupt { offset: 0, .. }
        ));
    }
}
