//! Writing RDB snapshots (`rdb.c`'s `rdbSaveRio`): the byte-level writer the server drives
//! with its values. This module knows the format, never what a value means.
//!
//! A file is the header (`REDIS00vv`), AUX fields, function libraries (FUNCTION2), per
//! database SELECTDB + RESIZEDB and its keys (`[EXPIRETIME_MS] type key value`), EOF and the
//! CRC-64 of everything before it (little-endian), kept as the bytes are written.
//!
//! Value forms written (every Redis from 7.0 and Valkey load them and re-encode by their own
//! thresholds): strings (integers as RDB's integer encodings), lists as quicklist 2 with
//! listpack nodes, sets and hashes as their plain (hashtable) forms, sorted sets with binary
//! scores, streams as listpacks v2 (RDB 10) or v3 (RDB 11+), hashes with field TTLs as Redis
//! 7.4's HASH_METADATA (RDB 12 only).

use crate::rdb::{
    crc64, write_len, write_string, OPCODE_AUX, OPCODE_EOF, OPCODE_EXPIRETIME_MS, OPCODE_FUNCTION2,
    OPCODE_RESIZEDB, OPCODE_SELECTDB,
};
use std::io::{self, Write};

pub const TYPE_STRING: u8 = 0;
pub const TYPE_SET: u8 = 2;
pub const TYPE_HASH: u8 = 4;
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;
pub const TYPE_STREAM_LISTPACKS_3: u8 = 21;
pub const TYPE_HASH_METADATA: u8 = 24;

/// An RDB file being written: every byte goes through [`RdbWriter::raw`], which keeps the
/// checksum.
pub struct RdbWriter<W: Write> {
    w: W,
    crc: u64,
    written: u64,
    buf: Vec<u8>,
    pub version: u16,
    /// `rdbcompression`: strings over 20 bytes LZF-compressed when that saves space.
    pub compress: bool,
    /// `rdbchecksum`: off, the file ends with a zero checksum (which loaders skip).
    pub checksum: bool,
}

impl<W: Write> RdbWriter<W> {
    /// Starts a file of RDB `version` (10, 11 or 12).
    pub fn new(w: W, version: u16) -> io::Result<RdbWriter<W>> {
        let mut r = RdbWriter::payload(w, version);
        r.buf.reserve(1 << 16);
        r.raw(format!("REDIS{version:04}").as_bytes())?;
        Ok(r)
    }

    /// Starts a DUMP payload (`createDumpPayload`): no header; the caller seals what
    /// [`RdbWriter::into_inner`] returns with [`crate::rdb::seal_payload`].
    pub fn payload(w: W, version: u16) -> RdbWriter<W> {
        RdbWriter {
            w,
            crc: 0,
            written: 0,
            buf: Vec::new(),
            version,
            compress: true,
            checksum: true,
        }
    }

    pub fn into_inner(self) -> W {
        self.w
    }

    pub fn raw(&mut self, b: &[u8]) -> io::Result<()> {
        self.crc = crc64(self.crc, b);
        self.written += b.len() as u64;
        self.w.write_all(b)
    }

    /// Writes what `f` puts in the scratch buffer (lengths and strings are encoded there).
    fn with_buf(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        let mut b = std::mem::take(&mut self.buf);
        b.clear();
        f(&mut b);
        let r = self.raw(&b);
        self.buf = b;
        r
    }

    pub fn len(&mut self, n: u64) -> io::Result<()> {
        self.with_buf(|b| write_len(b, n))
    }

    /// A string; one that is a canonical integer of 32 bits is written in integer form.
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        if self.compress && s.len() > 20 {
            if let Some(c) = crate::rdb::lzf_compress(s) {
                // RDB_ENCVAL | RDB_ENC_LZF, compressed length, original length, data.
                return self.with_buf(|b| {
                    b.push(0xC3);
                    write_len(b, c.len() as u64);
                    write_len(b, s.len() as u64);
                    b.extend_from_slice(&c);
                });
            }
        }
        self.with_buf(|b| write_string_compact(b, s))
    }

    pub fn u8(&mut self, v: u8) -> io::Result<()> {
        self.raw(&[v])
    }

    pub fn ms_time(&mut self, t: i64) -> io::Result<()> {
        self.raw(&t.to_le_bytes())
    }

    pub fn double(&mut self, d: f64) -> io::Result<()> {
        self.raw(&d.to_le_bytes())
    }

    pub fn aux(&mut self, k: &str, v: &[u8]) -> io::Result<()> {
        self.u8(OPCODE_AUX)?;
        self.string(k.as_bytes())?;
        self.string(v)
    }

    pub fn function(&mut self, code: &[u8]) -> io::Result<()> {
        self.u8(OPCODE_FUNCTION2)?;
        self.string(code)
    }

    pub fn select_db(&mut self, db: u64, keys: u64, expires: u64) -> io::Result<()> {
        self.u8(OPCODE_SELECTDB)?;
        self.len(db)?;
        self.u8(OPCODE_RESIZEDB)?;
        self.len(keys)?;
        self.len(expires)
    }

    /// The start of a key: its expire time if it has one, the value's type, the key.
    pub fn key(&mut self, expire_ms: Option<i64>, kind: u8, key: &[u8]) -> io::Result<()> {
        if let Some(t) = expire_ms {
            self.u8(OPCODE_EXPIRETIME_MS)?;
            self.ms_time(t)?;
        }
        self.u8(kind)?;
        self.string(key)
    }

    /// EOF and the checksum; the inner writer and the bytes written.
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        self.u8(OPCODE_EOF)?;
        let crc = if self.checksum { self.crc } else { 0 };
        self.raw(&crc.to_le_bytes())?;
        Ok((self.w, self.written))
    }
}

/// `rdbSaveRawString` with `rdbTryIntegerEncoding`: a string that is the canonical text of
/// an integer fitting 32 bits is stored as that integer.
fn write_string_compact(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11 && !s.is_empty() {
        if let Some(v) = std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
        {
            if v.to_string().as_bytes() == s {
                if let Ok(v) = i8::try_from(v) {
                    out.extend_from_slice(&[0xC0, v as u8]);
                    return;
                }
                if let Ok(v) = i16::try_from(v) {
                    out.push(0xC1);
                    out.extend_from_slice(&v.to_le_bytes());
                    return;
                }
                if let Ok(v) = i32::try_from(v) {
                    out.push(0xC2);
                    out.extend_from_slice(&v.to_le_bytes());
                    return;
                }
            }
        }
    }
    write_string(out, s);
}

/// A listpack being built (`listpack.c`'s format; see `rdb_load::listpack` for the reader).
pub struct Listpack {
    buf: Vec<u8>,
    count: usize,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl Listpack {
    pub fn new() -> Listpack {
        Listpack {
            buf: vec![0; 6],
            count: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes so far.
    pub fn bytes(&self) -> usize {
        self.buf.len() + 1
    }

    fn backlen(&mut self, l: usize) {
        // `lpEncodeBacklen`: the entry's length, big end first, 7 bits a byte; every byte but
        // the first flagged with the high bit.
        let groups = backlen_size(l);
        for i in (0..groups).rev() {
            let b = ((l >> (7 * i)) & 127) as u8;
            self.buf.push(if i == groups - 1 { b } else { b | 128 });
        }
    }

    /// Appends a string, as an integer when it is one's canonical text (as Redis's
    /// `lpAppend` does).
    pub fn push(&mut self, s: &[u8]) {
        if s.len() <= 20 && !s.is_empty() {
            if let Some(v) = std::str::from_utf8(s)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
            {
                if v.to_string().as_bytes() == s {
                    self.push_int(v);
                    return;
                }
            }
        }
        let start = self.buf.len();
        let n = s.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf.push(0xE0 | (n >> 8) as u8);
            self.buf.push((n & 0xff) as u8);
        } else {
            self.buf.push(0xF0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        let l = self.buf.len() - start;
        self.backlen(l);
        self.count += 1;
    }

    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&v) {
            self.buf.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = if v < 0 { (1 << 13) + v } else { v } as u16;
            self.buf.push(0xC0 | (u >> 8) as u8);
            self.buf.push((u & 0xff) as u8);
        } else if let Ok(x) = i16::try_from(v) {
            self.buf.push(0xF1);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else if (-8388608..=8388607).contains(&v) {
            self.buf.push(0xF2);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if let Ok(x) = i32::try_from(v) {
            self.buf.push(0xF3);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else {
            self.buf.push(0xF4);
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        let l = self.buf.len() - start;
        self.backlen(l);
        self.count += 1;
    }

    /// The finished listpack: total bytes and count in the header, the end marker.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(0xFF);
        let total = self.buf.len() as u32;
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(65535) as u16;
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// How many bytes `lpEncodeBacklen` takes for an entry of `l` bytes.
pub fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// A stream's entries packed into nodes as `t_stream.c` lays them out: each node keyed by its
/// first ID (16 bytes, big-endian), a master entry with the first entry's field names, then
/// per entry flags (SAMEFIELDS when its names are the master's), the ID as deltas from the
/// master ID, the fields, and lp-count.
pub struct StreamNodes {
    pub nodes: Vec<([u8; 16], Vec<u8>)>,
    cur: Option<NodeBuilder>,
    max_entries: usize,
    max_bytes: usize,
}

struct NodeBuilder {
    master: (u64, u64),
    master_fields: Vec<Vec<u8>>,
    entries: Listpack,
    count: i64,
}

impl StreamNodes {
    /// `stream-node-max-entries`, `stream-node-max-bytes` (0: no limit).
    pub fn new(max_entries: usize, max_bytes: usize) -> StreamNodes {
        StreamNodes {
            nodes: Vec::new(),
            cur: None,
            max_entries: if max_entries == 0 {
                usize::MAX
            } else {
                max_entries
            },
            max_bytes: if max_bytes == 0 {
                usize::MAX
            } else {
                max_bytes
            },
        }
    }

    pub fn push(&mut self, ms: u64, seq: u64, fields: &[(&[u8], &[u8])]) {
        let full = self.cur.as_ref().is_some_and(|n| {
            n.count as usize >= self.max_entries || n.entries.bytes() >= self.max_bytes
        });
        if full {
            self.close();
        }
        let node = self.cur.get_or_insert_with(|| NodeBuilder {
            master: (ms, seq),
            master_fields: fields.iter().map(|(f, _)| f.to_vec()).collect(),
            entries: Listpack::new(),
            count: 0,
        });
        let same = node.master_fields.len() == fields.len()
            && node
                .master_fields
                .iter()
                .zip(fields)
                .all(|(m, (f, _))| m == f);
        let lp = &mut node.entries;
        lp.push_int(if same { 2 } else { 0 });
        lp.push_int(ms.wrapping_sub(node.master.0) as i64);
        lp.push_int(seq.wrapping_sub(node.master.1) as i64);
        let mut elems = 3;
        if same {
            for (_, v) in fields {
                lp.push(v);
            }
            elems += fields.len();
        } else {
            lp.push_int(fields.len() as i64);
            for (f, v) in fields {
                lp.push(f);
                lp.push(v);
            }
            elems += 1 + fields.len() * 2;
        }
        lp.push_int(elems as i64);
        node.count += 1;
    }

    fn close(&mut self) {
        let Some(n) = self.cur.take() else { return };
        let mut lp = Listpack::new();
        lp.push_int(n.count);
        lp.push_int(0);
        lp.push_int(n.master_fields.len() as i64);
        for f in &n.master_fields {
            lp.push(f);
        }
        lp.push_int(0);
        // The entries follow the master entry: splice the built entries in.
        let mut master = lp.finish();
        master.pop();
        let entries = n.entries.finish();
        master.extend_from_slice(&entries[6..]);
        let total = master.len() as u32;
        master[..4].copy_from_slice(&total.to_le_bytes());
        let count = (4 + n.master_fields.len()) + entries_count(&entries);
        master[4..6].copy_from_slice(&(count.min(65535) as u16).to_le_bytes());
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&n.master.0.to_be_bytes());
        key[8..].copy_from_slice(&n.master.1.to_be_bytes());
        self.nodes.push((key, master));
    }

    pub fn finish(mut self) -> Vec<([u8; 16], Vec<u8>)> {
        self.close();
        self.nodes
    }
}

fn entries_count(lp: &[u8]) -> usize {
    u16::from_le_bytes([lp[4], lp[5]]) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_loads_back() {
        let mut w = RdbWriter::new(Vec::new(), 11).unwrap();
        w.aux("redis-ver", b"7.2.4").unwrap();
        w.select_db(0, 3, 1).unwrap();
        w.key(Some(4_000_000_000_000), TYPE_STRING, b"s").unwrap();
        w.string(b"12345").unwrap();
        w.key(None, TYPE_LIST_QUICKLIST_2, b"l").unwrap();
        w.len(1).unwrap();
        w.len(2).unwrap();
        let mut lp = Listpack::new();
        for item in [
            &b"a"[..],
            b"-5000",
            b"70000",
            &[b'x'; 5000],
            b"9223372036854775807",
        ] {
            lp.push(item);
        }
        w.string(&lp.finish()).unwrap();
        w.key(None, TYPE_STREAM_LISTPACKS_3, b"x").unwrap();
        let mut nodes = StreamNodes::new(2, 0);
        nodes.push(1, 1, &[(b"a", b"1"), (b"b", b"2")]);
        nodes.push(1, 2, &[(b"a", b"3"), (b"b", b"4")]);
        nodes.push(5, 0, &[(b"c", b"5")]);
        let nodes = nodes.finish();
        w.len(nodes.len() as u64).unwrap();
        for (k, lp) in &nodes {
            w.string(k).unwrap();
            w.string(lp).unwrap();
        }
        for v in [3, 5, 0, 1, 1, 0, 0, 3, 0] {
            w.len(v).unwrap();
        }
        let (bytes, _) = w.finish().unwrap();
        use crate::rdb_load::{Elem, Event, Item};
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut seen = Vec::new();
        crate::rdb_load::load(&bytes, |e| {
            seen.push(match e {
                Event::Select(db) => format!("SELECT {db}"),
                Event::Resize { keys, expires } => format!("RESIZE {keys} {expires}"),
                Event::Function(code) => format!("FUNCTION {}", text(&code)),
                Event::Aux { .. } => return Ok(()),
                Event::Key {
                    key, item, expire, ..
                } => {
                    let v = match item {
                        Item::Str(s) => text(&s),
                        Item::List(l) => l.iter().map(|x| text(x)).collect::<Vec<_>>().join(" "),
                        Item::Stream(s) => {
                            let mut out = format!("stream {} last {:?}:", s.length, s.last_id);
                            s.for_each_entry(|(ms, seq), f| {
                                out.push_str(&format!(" {ms}-{seq}"));
                                for x in f {
                                    match x {
                                        Elem::Int(v) => out.push_str(&format!(" {v}")),
                                        Elem::Str(b) => out.push_str(&format!(" {}", text(b))),
                                    }
                                }
                                out.push(';');
                            });
                            out
                        }
                        other => format!("{other:?}"),
                    };
                    format!("{} = {v} @{expire:?}", text(&key))
                }
            });
            Ok(())
        })
        .unwrap();
        let big = "x".repeat(5000);
        assert_eq!(
            seen,
            vec![
                "SELECT 0".to_string(),
                "RESIZE 3 1".into(),
                "s = 12345 @Some(4000000000000)".into(),
                format!("l = a -5000 70000 {big} 9223372036854775807 @None"),
                "x = stream 3 last (5, 0): 1-1 a 1 b 2; 1-2 a 3 b 4; 5-0 c 5; @None".into(),
            ]
        );
    }

    #[test]
    fn backlen_sizes_match_listpack_c() {
        for n in [0usize, 63, 64, 127, 200, 4095, 4096, 16382, 16383, 20000] {
            let mut lp = Listpack::new();
            lp.push(&vec![b'a'; n]);
            let data = lp.finish();
            assert!(crate::rdb_load::tests_listpack_len(&data) == Some(1), "{n}");
        }
    }
}
