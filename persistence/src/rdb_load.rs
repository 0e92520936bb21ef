//! Reading RDB snapshots (`rdb.c`'s `rdbLoadRio`): `dump.rdb`, the RDB base of a multi-part
//! AOF, and the RDB preamble of an old single-file AOF. A snapshot is decoded into the
//! commands that rebuild it (SET, RPUSH, SADD, ZADD, HSET, XADD, ... with PEXPIREAT for TTLs),
//! which the server replays as it replays an AOF: this crate knows argv and files, never what
//! a command does.
//!
//! ```text
//!  "REDIS0010" | "VALKEY080"  AUX*  (SELECTDB RESIZEDB? (EXPIRETIME_MS? IDLE? FREQ? type key value)*)*
//!  FUNCTION2*  EOF  crc64(le, 8 bytes; 0 = not computed)
//! ```
//!
//! - Versions: Redis RDB 1–12 (Redis ≤ 8.x writes ≤ 12) and Valkey's 80 (Valkey 9 numbers its
//!   formats from 80; its type 22 is a hash with field TTLs, unlike Redis's 22).
//! - Encodings: strings (raw, integer, LZF); lists as linked lists, ziplists, quicklists of
//!   ziplists and quicklist 2 (listpack and plain nodes); sets as lists, intsets and
//!   listpacks; sorted sets with string and binary scores, ziplists and listpacks; hashes as
//!   lists, ziplists, listpacks, and with field TTLs (Redis 7.4+'s metadata and listpack-ex
//!   forms, Valkey 9's); streams as listpacks v1, v2 and v3 with consumer groups, PELs and
//!   consumers.
//! - Refused with the offset and the reason: a bad checksum (checked over the whole file before
//!   anything is emitted), truncation, an unknown type or opcode, module data, zipmaps (Redis
//!   < 2.6), corrupt listpacks/ziplists/intsets.
//! - Not carried (no command sets them): IDLE and FREQ (access times start fresh), a
//!   consumer's seen-time and active-time (the time of loading), PEL entries whose stream entry
//!   was deleted (XCLAIM FORCE needs the entry; Redis's AOF rewrite loses them the same way).
//!
//! Invariant: no input panics or allocates beyond what its bytes could hold (every length is
//! checked against the bytes left, see [`crate::rdb::Reader`]).

use crate::rdb::{
    crc64, ReadError, Reader, OPCODE_AUX, OPCODE_EOF, OPCODE_EXPIRETIME, OPCODE_EXPIRETIME_MS,
    OPCODE_FREQ, OPCODE_FUNCTION2, OPCODE_FUNCTION_PRE_GA, OPCODE_IDLE, OPCODE_MODULE_AUX,
    OPCODE_RESIZEDB, OPCODE_SELECTDB, OPCODE_SLOT_INFO,
};
use bytes::Bytes;

/// Why a snapshot was refused: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub offset: usize,
    pub what: String,
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at offset {}", self.what, self.offset)
    }
}

/// What a load found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub version: u16,
    pub keys: u64,
    pub expires: u64,
    pub functions: u64,
    /// Where the RDB part ends: an old single-file AOF continues there with commands.
    pub rdb_len: usize,
}

/// Whether `data` starts like an RDB file.
pub fn is_rdb(data: &[u8]) -> bool {
    data.starts_with(b"REDIS") || data.starts_with(b"VALKEY")
}

/// Items per emitted command for collections (Redis's AOF_REWRITE_ITEMS_PER_CMD).
const ITEMS_PER_CMD: usize = 64;

/// Decodes the snapshot at the start of `data`, calling `emit` with each command that
/// rebuilds it (a `SELECT` before each database's keys). Nothing is emitted when the checksum
/// is wrong; an error later (truncation, a corrupt value) stops the load where it is found,
/// and the caller must not serve what was emitted.
pub fn load(data: &[u8], mut emit: impl FnMut(Vec<Bytes>)) -> Result<Summary, RdbError> {
    let err = |offset: usize, what: &str| RdbError {
        offset,
        what: what.to_string(),
    };
    let (version, header) =
        parse_header(data).ok_or_else(|| err(0, "Wrong signature trying to load DB from file"))?;
    let valkey = data.starts_with(b"VALKEY");
    if (!valkey && !(1..=12).contains(&version)) || (valkey && version != 80) {
        return Err(err(
            0,
            &format!("Can't handle RDB format version {version}"),
        ));
    }
    // The checksum first, so a flipped byte anywhere refuses the file before any of it loads.
    if version >= 5 {
        // A file that is only the RDB ends with EOF and a checksum that matches: one pass
        // over the bytes, no decoding. Otherwise (an AOF preamble, a damaged file) decode to
        // find where the RDB part ends.
        let n = data.len();
        let whole = n >= header + 9
            && data[n - 9] == OPCODE_EOF
            && crc64(0, &data[..n - 8]) == u64::from_le_bytes(data[n - 8..].try_into().unwrap());
        if !whole {
            let end = rdb_end(data, header, version, valkey).map_err(|(o, e)| err(o, &e))?;
            let stored = u64::from_le_bytes(data[end - 8..end].try_into().unwrap());
            if stored != 0 && crc64(0, &data[..end - 8]) != stored {
                return Err(err(end - 8, "Wrong RDB checksum"));
            }
        }
    }
    let mut d = Decoder::after_header(data, header, version, valkey);
    d.run(&mut emit).map_err(|(o, e)| err(o, &e))?;
    d.summary.rdb_len = d.r.pos();
    Ok(d.summary)
}

/// The version and the header's length ("REDIS" + 4 digits, "VALKEY" + 3 digits).
fn parse_header(data: &[u8]) -> Option<(u16, usize)> {
    let (magic, digits) = if data.starts_with(b"REDIS") {
        (5, 4)
    } else if data.starts_with(b"VALKEY") {
        (6, 3)
    } else {
        return None;
    };
    let v = data.get(magic..magic + digits)?;
    if !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(v).ok()?.parse().ok()?, magic + digits))
}

/// Where the RDB part (EOF opcode and checksum included) ends: a decode that emits nothing.
fn rdb_end(
    data: &[u8],
    header: usize,
    version: u16,
    valkey: bool,
) -> Result<usize, (usize, String)> {
    let mut d = Decoder::after_header(data, header, version, valkey);
    d.run(&mut |_| {})?;
    Ok(d.r.pos())
}

type DResult<T> = Result<T, (usize, String)>;

struct Decoder<'a> {
    r: Reader<'a>,
    version: u16,
    valkey: bool,
    summary: Summary,
}

fn b(s: &[u8]) -> Bytes {
    Bytes::copy_from_slice(s)
}

fn int_text(v: i64) -> Bytes {
    Bytes::from(v.to_string())
}

/// A score as ZADD reads it back exactly (shortest round-trip form; `inf`, `-inf`).
fn score_text(s: f64) -> Bytes {
    if s.is_infinite() {
        return Bytes::from_static(if s > 0.0 { b"inf" } else { b"-inf" });
    }
    Bytes::from(format!("{s}"))
}

fn id_text(ms: u64, seq: u64) -> Bytes {
    Bytes::from(format!("{ms}-{seq}"))
}

/// One element of a listpack or ziplist.
#[derive(Debug, Clone, Copy)]
enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    fn bytes(&self) -> Bytes {
        match self {
            Elem::Int(v) => int_text(*v),
            Elem::Str(s) => b(s),
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Elem::Int(v) => Some(*v),
            Elem::Str(s) => std::str::from_utf8(s).ok()?.parse().ok(),
        }
    }

    fn score(&self) -> Option<f64> {
        match self {
            Elem::Int(v) => Some(*v as f64),
            Elem::Str(s) => parse_score(s),
        }
    }
}

fn parse_score(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?;
    let v: f64 = match t {
        "inf" | "+inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => t.parse().ok()?,
    };
    (!v.is_nan()).then_some(v)
}

/// The elements of a listpack (`listpack.c`): total bytes (u32 LE), count (u16 LE), entries
/// (encoding, data, back-length), 0xFF.
fn listpack(lp: &[u8]) -> Result<Vec<Elem<'_>>, &'static str> {
    const BAD: &str = "Listpack integrity check failed.";
    if lp.len() < 7 || u32::from_le_bytes(lp[..4].try_into().unwrap()) as usize != lp.len() {
        return Err(BAD);
    }
    let mut out = Vec::new();
    let mut p = 6;
    loop {
        let e = *lp.get(p).ok_or(BAD)?;
        if e == 0xFF {
            if p + 1 != lp.len() {
                return Err(BAD);
            }
            break;
        }
        let need = |n: usize| -> Result<&[u8], &'static str> { lp.get(p..p + n).ok_or(BAD) };
        let sext = |v: u64, bits: u32| -> i64 { ((v << (64 - bits)) as i64) >> (64 - bits) };
        let (elem, len) = if e & 0x80 == 0 {
            (Elem::Int((e & 0x7f) as i64), 1)
        } else if e & 0xC0 == 0x80 {
            let n = (e & 0x3f) as usize;
            (Elem::Str(need(1 + n)?.get(1..).ok_or(BAD)?), 1 + n)
        } else if e & 0xE0 == 0xC0 {
            let x = need(2)?;
            let v = (((x[0] & 0x1f) as u64) << 8) | x[1] as u64;
            (Elem::Int(sext(v, 13)), 2)
        } else if e & 0xF0 == 0xE0 {
            let x = need(2)?;
            let n = (((x[0] & 0x0f) as usize) << 8) | x[1] as usize;
            (Elem::Str(need(2 + n)?.get(2..).ok_or(BAD)?), 2 + n)
        } else {
            match e {
                0xF0 => {
                    let x = need(5)?;
                    let n = u32::from_le_bytes(x[1..5].try_into().unwrap()) as usize;
                    let s = lp.get(p + 5..p.checked_add(5 + n).ok_or(BAD)?).ok_or(BAD)?;
                    (Elem::Str(s), 5 + n)
                }
                0xF1 => {
                    let x = need(3)?;
                    (Elem::Int(i16::from_le_bytes([x[1], x[2]]) as i64), 3)
                }
                0xF2 => {
                    let x = need(4)?;
                    let v = x[1] as u64 | (x[2] as u64) << 8 | (x[3] as u64) << 16;
                    (Elem::Int(sext(v, 24)), 4)
                }
                0xF3 => {
                    let x = need(5)?;
                    (
                        Elem::Int(i32::from_le_bytes(x[1..5].try_into().unwrap()) as i64),
                        5,
                    )
                }
                0xF4 => {
                    let x = need(9)?;
                    (
                        Elem::Int(i64::from_le_bytes(x[1..9].try_into().unwrap())),
                        9,
                    )
                }
                _ => return Err(BAD),
            }
        };
        // The back-length: the entry's length in 7-bit groups.
        let back = crate::rdb_save::backlen_size(len);
        p = p.checked_add(len + back).ok_or(BAD)?;
        if p > lp.len() {
            return Err(BAD);
        }
        out.push(elem);
    }
    Ok(out)
}

/// The elements of a ziplist (`ziplist.c`, what Redis < 7.0 wrote): zlbytes, zltail (u32 LE),
/// count (u16 LE), entries (prevlen, encoding, data), 0xFF.
fn ziplist(zl: &[u8]) -> Result<Vec<Elem<'_>>, &'static str> {
    const BAD: &str = "Ziplist integrity check failed.";
    if zl.len() < 11 || u32::from_le_bytes(zl[..4].try_into().unwrap()) as usize != zl.len() {
        return Err(BAD);
    }
    let mut out = Vec::new();
    let mut p = 10;
    loop {
        let first = *zl.get(p).ok_or(BAD)?;
        if first == 0xFF {
            if p + 1 != zl.len() {
                return Err(BAD);
            }
            break;
        }
        p += if first < 254 { 1 } else { 5 };
        let e = *zl.get(p).ok_or(BAD)?;
        let need = |n: usize| -> Result<&[u8], &'static str> { zl.get(p..p + n).ok_or(BAD) };
        let (elem, len) = match e >> 6 {
            0 => {
                let n = (e & 0x3f) as usize;
                (Elem::Str(need(1 + n)?.get(1..).ok_or(BAD)?), 1 + n)
            }
            1 => {
                let x = need(2)?;
                let n = (((x[0] & 0x3f) as usize) << 8) | x[1] as usize;
                (Elem::Str(need(2 + n)?.get(2..).ok_or(BAD)?), 2 + n)
            }
            2 => {
                let x = need(5)?;
                let n = u32::from_be_bytes(x[1..5].try_into().unwrap()) as usize;
                let s = zl.get(p + 5..p.checked_add(5 + n).ok_or(BAD)?).ok_or(BAD)?;
                (Elem::Str(s), 5 + n)
            }
            _ => match e {
                0xC0 => {
                    let x = need(3)?;
                    (Elem::Int(i16::from_le_bytes([x[1], x[2]]) as i64), 3)
                }
                0xD0 => {
                    let x = need(5)?;
                    (
                        Elem::Int(i32::from_le_bytes(x[1..5].try_into().unwrap()) as i64),
                        5,
                    )
                }
                0xE0 => {
                    let x = need(9)?;
                    (
                        Elem::Int(i64::from_le_bytes(x[1..9].try_into().unwrap())),
                        9,
                    )
                }
                0xF0 => {
                    let x = need(4)?;
                    let v = x[1] as u32 | (x[2] as u32) << 8 | (x[3] as u32) << 16;
                    (Elem::Int(((v << 8) as i32 >> 8) as i64), 4)
                }
                0xFE => {
                    let x = need(2)?;
                    (Elem::Int(x[1] as i8 as i64), 2)
                }
                0xF1..=0xFD => (Elem::Int((e & 0x0f) as i64 - 1), 1),
                _ => return Err(BAD),
            },
        };
        p = p.checked_add(len).ok_or(BAD)?;
        out.push(elem);
    }
    Ok(out)
}

/// The members of an intset (`intset.c`): encoding (u32 LE: 2, 4 or 8), count (u32 LE),
/// sorted little-endian integers.
fn intset(s: &[u8]) -> Result<Vec<i64>, &'static str> {
    const BAD: &str = "Intset integrity check failed.";
    if s.len() < 8 {
        return Err(BAD);
    }
    let w = u32::from_le_bytes(s[..4].try_into().unwrap()) as usize;
    let n = u32::from_le_bytes(s[4..8].try_into().unwrap()) as usize;
    if !matches!(w, 2 | 4 | 8) || n.checked_mul(w).map(|x| x + 8) != Some(s.len()) {
        return Err(BAD);
    }
    Ok(s[8..]
        .chunks_exact(w)
        .map(|c| match w {
            2 => i16::from_le_bytes([c[0], c[1]]) as i64,
            4 => i32::from_le_bytes(c.try_into().unwrap()) as i64,
            _ => i64::from_le_bytes(c.try_into().unwrap()),
        })
        .collect())
}

/// Emits `cmd key items...` in commands of at most [`ITEMS_PER_CMD`] items (each item is
/// `per` arguments).
fn emit_batched(
    emit: &mut dyn FnMut(Vec<Bytes>),
    cmd: &'static [u8],
    key: &Bytes,
    items: Vec<Bytes>,
    per: usize,
) {
    for chunk in items.chunks(ITEMS_PER_CMD * per) {
        let mut argv = Vec::with_capacity(chunk.len() + 2);
        argv.push(Bytes::from_static(cmd));
        argv.push(key.clone());
        argv.extend_from_slice(chunk);
        emit(argv);
    }
}

impl<'a> Decoder<'a> {
    /// A decoder positioned after the header (`header` bytes, already checked).
    fn after_header(data: &'a [u8], header: usize, version: u16, valkey: bool) -> Decoder<'a> {
        let mut r = Reader::new(data);
        r.bytes(header).expect("header checked");
        Decoder {
            r,
            version,
            valkey,
            summary: Summary {
                version,
                ..Summary::default()
            },
        }
    }

    fn at<T>(&self, r: Result<T, ReadError>) -> DResult<T> {
        r.map_err(|e| {
            (
                self.r.pos(),
                match e {
                    ReadError::Truncated => "Unexpected EOF reading RDB file".to_string(),
                    ReadError::Invalid(w) => w.to_string(),
                },
            )
        })
    }

    fn fail<T>(&self, what: impl Into<String>) -> DResult<T> {
        Err((self.r.pos(), what.into()))
    }

    fn len(&mut self) -> DResult<u64> {
        let r = self.r.read_len();
        self.at(r)
    }

    /// A count of items each at least one byte long: no larger than what is left.
    fn count(&mut self) -> DResult<usize> {
        let n = self.len()?;
        if n > self.r.remaining() as u64 {
            return self.fail("Unexpected EOF reading RDB file");
        }
        Ok(n as usize)
    }

    fn string(&mut self) -> DResult<Vec<u8>> {
        let r = self.r.string();
        self.at(r)
    }

    fn raw(&mut self, n: usize) -> DResult<&'a [u8]> {
        let r = self.r.bytes(n);
        self.at(r)
    }

    fn u8(&mut self) -> DResult<u8> {
        let r = self.r.u8();
        self.at(r)
    }

    fn ms_time(&mut self) -> DResult<i64> {
        Ok(i64::from_le_bytes(self.raw(8)?.try_into().unwrap()))
    }

    fn run(&mut self, emit: &mut dyn FnMut(Vec<Bytes>)) -> DResult<()> {
        let mut expire: Option<i64> = None;
        loop {
            let op = self.u8()?;
            match op {
                OPCODE_EOF => {
                    if self.version >= 5 {
                        self.raw(8)?;
                    }
                    return Ok(());
                }
                OPCODE_AUX => {
                    self.string()?;
                    self.string()?;
                }
                OPCODE_SELECTDB => {
                    let db = self.len()?;
                    emit(vec![Bytes::from_static(b"SELECT"), int_text(db as i64)]);
                }
                OPCODE_RESIZEDB => {
                    self.len()?;
                    self.len()?;
                }
                OPCODE_SLOT_INFO => {
                    self.len()?;
                    self.len()?;
                    self.len()?;
                }
                OPCODE_EXPIRETIME_MS => expire = Some(self.ms_time()?),
                OPCODE_EXPIRETIME => {
                    let s = i32::from_le_bytes(self.raw(4)?.try_into().unwrap());
                    expire = Some(s as i64 * 1000);
                }
                OPCODE_IDLE => {
                    self.len()?;
                }
                OPCODE_FREQ => {
                    self.u8()?;
                }
                OPCODE_FUNCTION2 => {
                    let code = self.string()?;
                    self.summary.functions += 1;
                    emit(vec![
                        Bytes::from_static(b"FUNCTION"),
                        Bytes::from_static(b"LOAD"),
                        Bytes::from(code),
                    ]);
                }
                OPCODE_FUNCTION_PRE_GA => {
                    return self.fail("Pre-release function format not supported")
                }
                OPCODE_MODULE_AUX => {
                    return self.fail(
                        "The RDB file contains AUX module data I can't load: no module loaded",
                    )
                }
                t => {
                    let key = Bytes::from(self.string()?);
                    self.value(t, &key, emit)?;
                    self.summary.keys += 1;
                    if let Some(when) = expire.take() {
                        self.summary.expires += 1;
                        emit(vec![Bytes::from_static(b"PEXPIREAT"), key, int_text(when)]);
                    }
                }
            }
        }
    }

    /// One value of type `t` at `key`, emitted as the commands that build it.
    fn value(&mut self, t: u8, key: &Bytes, emit: &mut dyn FnMut(Vec<Bytes>)) -> DResult<()> {
        let start = self.r.pos();
        let corrupt = |what: &str| -> DResult<()> { Err((start, what.to_string())) };
        match t {
            0 => {
                let v = self.string()?;
                emit(vec![
                    Bytes::from_static(b"SET"),
                    key.clone(),
                    Bytes::from(v),
                ]);
            }
            // Lists: linked list, ziplist, quicklist (of ziplists), quicklist 2.
            1 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(Bytes::from(self.string()?));
                }
                emit_batched(emit, b"RPUSH", key, items, 1);
            }
            10 => {
                let zl = self.string()?;
                match ziplist(&zl) {
                    Ok(e) => {
                        emit_batched(emit, b"RPUSH", key, e.iter().map(Elem::bytes).collect(), 1)
                    }
                    Err(w) => return corrupt(w),
                }
            }
            14 | 18 => {
                let nodes = self.count()?;
                let mut items = Vec::new();
                for _ in 0..nodes {
                    let container = if t == 18 { self.len()? } else { 2 };
                    let data = self.string()?;
                    match container {
                        1 => items.push(Bytes::from(data)),
                        2 => {
                            let elems = if t == 18 {
                                listpack(&data)
                            } else {
                                ziplist(&data)
                            };
                            match elems {
                                Ok(e) => items.extend(e.iter().map(Elem::bytes)),
                                Err(w) => return corrupt(w),
                            }
                        }
                        _ => return corrupt("Quicklist integrity check failed."),
                    }
                }
                emit_batched(emit, b"RPUSH", key, items, 1);
            }
            // Sets: hashtable, intset, listpack.
            2 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(Bytes::from(self.string()?));
                }
                emit_batched(emit, b"SADD", key, items, 1);
            }
            11 => {
                let s = self.string()?;
                match intset(&s) {
                    Ok(v) => {
                        emit_batched(emit, b"SADD", key, v.into_iter().map(int_text).collect(), 1)
                    }
                    Err(w) => return corrupt(w),
                }
            }
            20 => {
                let lp = self.string()?;
                match listpack(&lp) {
                    Ok(e) => {
                        emit_batched(emit, b"SADD", key, e.iter().map(Elem::bytes).collect(), 1)
                    }
                    Err(w) => return corrupt(w),
                }
            }
            // Sorted sets: string scores, binary scores, ziplist, listpack.
            3 | 5 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n * 2);
                for _ in 0..n {
                    let member = Bytes::from(self.string()?);
                    let score = if t == 5 {
                        f64::from_le_bytes(self.raw(8)?.try_into().unwrap())
                    } else {
                        match self.u8()? {
                            253 => f64::NAN,
                            254 => f64::INFINITY,
                            255 => f64::NEG_INFINITY,
                            l => {
                                let s = self.raw(l as usize)?;
                                parse_score(s).unwrap_or(f64::NAN)
                            }
                        }
                    };
                    if score.is_nan() {
                        return corrupt("Zset with NAN score detected");
                    }
                    items.push(score_text(score));
                    items.push(member);
                }
                emit_batched(emit, b"ZADD", key, items, 2);
            }
            12 | 17 => {
                let data = self.string()?;
                let elems = if t == 17 {
                    listpack(&data)
                } else {
                    ziplist(&data)
                };
                let elems = match elems {
                    Ok(e) if e.len() % 2 == 0 => e,
                    Ok(_) => return corrupt("Zset listpack integrity check failed."),
                    Err(w) => return corrupt(w),
                };
                let mut items = Vec::with_capacity(elems.len());
                for pair in elems.chunks_exact(2) {
                    let Some(score) = pair[1].score() else {
                        return corrupt("Zset listpack integrity check failed.");
                    };
                    items.push(score_text(score));
                    items.push(pair[0].bytes());
                }
                emit_batched(emit, b"ZADD", key, items, 2);
            }
            // Hashes: hashtable, ziplist, listpack; with field TTLs.
            4 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n * 2);
                for _ in 0..n {
                    items.push(Bytes::from(self.string()?));
                    items.push(Bytes::from(self.string()?));
                }
                emit_batched(emit, b"HSET", key, items, 2);
            }
            13 | 16 => {
                let data = self.string()?;
                let elems = if t == 16 {
                    listpack(&data)
                } else {
                    ziplist(&data)
                };
                match elems {
                    Ok(e) if e.len() % 2 == 0 => {
                        emit_batched(emit, b"HSET", key, e.iter().map(Elem::bytes).collect(), 2)
                    }
                    Ok(_) => return corrupt("Hash listpack integrity check failed."),
                    Err(w) => return corrupt(w),
                }
            }
            22 if self.valkey => {
                // Valkey 9: field, value, expire time (ms, 8 bytes LE; -1 none).
                let n = self.count()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let f = Bytes::from(self.string()?);
                    let v = Bytes::from(self.string()?);
                    let at = self.ms_time()?;
                    fields.push((f, v, (at >= 0).then_some(at)));
                }
                emit_hash_with_ttls(emit, key, fields);
            }
            22 | 24 => {
                // Redis 7.4+: [min expire (24)] then per field: TTL (a length; 24: 0 none, else
                // relative to min expire + 1), field, value.
                let min = if t == 24 { self.ms_time()? } else { 0 };
                let n = self.count()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let ttl = self.len()?;
                    let at = match (t, ttl) {
                        (_, 0) => None,
                        (24, ttl) => Some((ttl as i64).wrapping_add(min).wrapping_sub(1)),
                        (_, ttl) => Some(ttl as i64),
                    };
                    let f = Bytes::from(self.string()?);
                    let v = Bytes::from(self.string()?);
                    fields.push((f, v, at));
                }
                emit_hash_with_ttls(emit, key, fields);
            }
            23 | 25 => {
                // Redis 7.4+ listpack-ex: [min expire (25)], a listpack of (field, value,
                // expire time in ms; 0 none) triplets.
                if t == 25 {
                    self.ms_time()?;
                }
                let lp = self.string()?;
                let elems = match listpack(&lp) {
                    Ok(e) if e.len() % 3 == 0 => e,
                    Ok(_) => return corrupt("Hash listpackex integrity check failed."),
                    Err(w) => return corrupt(w),
                };
                let mut fields = Vec::with_capacity(elems.len() / 3);
                for t in elems.chunks_exact(3) {
                    let Some(at) = t[2].int() else {
                        return corrupt("Hash listpackex integrity check failed.");
                    };
                    fields.push((t[0].bytes(), t[1].bytes(), (at != 0).then_some(at)));
                }
                emit_hash_with_ttls(emit, key, fields);
            }
            15 | 19 | 21 => self.stream(t, key, emit)?,
            6 | 7 => {
                return corrupt("The RDB file contains module data I can't load: no module loaded")
            }
            9 => return corrupt("Zipmap-encoded hashes (Redis < 2.6) are not supported"),
            t => return corrupt(&format!("Unknown RDB encoding type {t}")),
        }
        Ok(())
    }

    /// A stream (`RDB_TYPE_STREAM_LISTPACKS` 1–3): its entries as XADDs, then XSETID, the
    /// groups, their consumers and PELs (XCLAIM ... FORCE JUSTID, as Redis's AOF rewrite).
    fn stream(&mut self, t: u8, key: &Bytes, emit: &mut dyn FnMut(Vec<Bytes>)) -> DResult<()> {
        let nodes = self.count()?;
        let mut added = 0u64;
        for _ in 0..nodes {
            let nodekey = self.string()?;
            let at = self.r.pos();
            let Ok(master) = <[u8; 16]>::try_from(nodekey.as_slice()) else {
                return self.fail("Stream node key entry is not the size of a stream ID");
            };
            let lp = self.string()?;
            let entries = stream_node(&master, &lp).map_err(|w| (at, w.to_string()))?;
            if entries.is_empty() {
                return Err((at, "Empty listpack inside stream".into()));
            }
            for (ms, seq, fields) in entries {
                let mut argv = Vec::with_capacity(3 + fields.len());
                argv.push(Bytes::from_static(b"XADD"));
                argv.push(key.clone());
                argv.push(id_text(ms, seq));
                argv.extend(fields);
                emit(argv);
                added += 1;
            }
        }
        let length = self.len()?;
        let last = (self.len()?, self.len()?);
        let (max_deleted, entries_added) = if t >= 19 {
            let _first = (self.len()?, self.len()?);
            let max_deleted = (self.len()?, self.len()?);
            (Some(max_deleted), self.len()?)
        } else {
            (None, length)
        };
        if added != length {
            return self.fail("Stream length inconsistent with its entries");
        }
        if added == 0 {
            // An empty stream: made by XADD with MAXLEN 0, as Redis's AOF rewrite does.
            emit(vec![
                Bytes::from_static(b"XADD"),
                key.clone(),
                Bytes::from_static(b"MAXLEN"),
                Bytes::from_static(b"0"),
                Bytes::from_static(b"0-1"),
                Bytes::from_static(b"x"),
                Bytes::from_static(b"y"),
            ]);
        }
        let mut setid = vec![
            Bytes::from_static(b"XSETID"),
            key.clone(),
            id_text(last.0, last.1),
            Bytes::from_static(b"ENTRIESADDED"),
            int_text(entries_added as i64),
        ];
        if let Some((ms, seq)) = max_deleted {
            setid.push(Bytes::from_static(b"MAXDELETEDID"));
            setid.push(id_text(ms, seq));
        }
        emit(setid);
        let groups = self.count()?;
        for _ in 0..groups {
            let name = Bytes::from(self.string()?);
            let id = (self.len()?, self.len()?);
            let mut create = vec![
                Bytes::from_static(b"XGROUP"),
                Bytes::from_static(b"CREATE"),
                key.clone(),
                name.clone(),
                id_text(id.0, id.1),
            ];
            if t >= 19 {
                let read = self.len()?;
                // u64::MAX is Redis's "not known" (-1).
                if read != u64::MAX {
                    create.push(Bytes::from_static(b"ENTRIESREAD"));
                    create.push(int_text(read as i64));
                }
            }
            emit(create);
            let pel_len = self.count()?;
            let mut pel = std::collections::HashMap::with_capacity(pel_len);
            for _ in 0..pel_len {
                let raw: [u8; 16] = self.raw(16)?.try_into().unwrap();
                let delivered = self.ms_time()?;
                let count = self.len()?;
                pel.insert(raw, (delivered, count));
            }
            let consumers = self.count()?;
            for _ in 0..consumers {
                let cname = Bytes::from(self.string()?);
                let _seen = self.ms_time()?;
                if t >= 21 {
                    let _active = self.ms_time()?;
                }
                emit(vec![
                    Bytes::from_static(b"XGROUP"),
                    Bytes::from_static(b"CREATECONSUMER"),
                    key.clone(),
                    name.clone(),
                    cname.clone(),
                ]);
                let owned = self.count()?;
                for _ in 0..owned {
                    let raw: [u8; 16] = self.raw(16)?.try_into().unwrap();
                    let Some((delivered, count)) = pel.remove(&raw) else {
                        return self.fail("Consumer PEL entry not found in the group's PEL");
                    };
                    let (ms, seq) = split_id(&raw);
                    emit(vec![
                        Bytes::from_static(b"XCLAIM"),
                        key.clone(),
                        name.clone(),
                        cname.clone(),
                        Bytes::from_static(b"0"),
                        id_text(ms, seq),
                        Bytes::from_static(b"TIME"),
                        int_text(delivered),
                        Bytes::from_static(b"RETRYCOUNT"),
                        int_text(count as i64),
                        Bytes::from_static(b"FORCE"),
                        Bytes::from_static(b"JUSTID"),
                    ]);
                }
            }
            if !pel.is_empty() {
                return self.fail("Group PEL entries without a consumer");
            }
        }
        Ok(())
    }
}

fn split_id(raw: &[u8; 16]) -> (u64, u64) {
    (
        u64::from_be_bytes(raw[..8].try_into().unwrap()),
        u64::from_be_bytes(raw[8..].try_into().unwrap()),
    )
}

/// HSET of the fields, then HPEXPIREAT for those with a TTL (one command per distinct time).
fn emit_hash_with_ttls(
    emit: &mut dyn FnMut(Vec<Bytes>),
    key: &Bytes,
    fields: Vec<(Bytes, Bytes, Option<i64>)>,
) {
    let mut items = Vec::with_capacity(fields.len() * 2);
    let mut by_time: std::collections::BTreeMap<i64, Vec<Bytes>> = Default::default();
    for (f, v, at) in fields {
        if let Some(at) = at {
            by_time.entry(at).or_default().push(f.clone());
        }
        items.push(f);
        items.push(v);
    }
    emit_batched(emit, b"HSET", key, items, 2);
    for (at, fs) in by_time {
        for chunk in fs.chunks(ITEMS_PER_CMD) {
            let mut argv = vec![
                Bytes::from_static(b"HPEXPIREAT"),
                key.clone(),
                int_text(at),
                Bytes::from_static(b"FIELDS"),
                int_text(chunk.len() as i64),
            ];
            argv.extend_from_slice(chunk);
            emit(argv);
        }
    }
}

/// The live entries of one stream node (`t_stream.c`): the master entry (count, deleted,
/// the master fields, 0), then per entry flags, ID deltas, [field count, fields and values |
/// values only when SAMEFIELDS], lp-count; deleted entries skipped.
#[allow(clippy::type_complexity)]
fn stream_node(master: &[u8; 16], lp: &[u8]) -> Result<Vec<(u64, u64, Vec<Bytes>)>, &'static str> {
    const BAD: &str = "Stream listpack integrity check failed.";
    const DELETED: i64 = 1;
    const SAMEFIELDS: i64 = 2;
    let elems = listpack(lp)?;
    let (mms, mseq) = split_id(master);
    let head = |i: usize| elems.get(i).and_then(Elem::int).ok_or(BAD);
    let (count, deleted, nfields) = (head(0)?, head(1)?, head(2)?);
    if count < 0 || deleted < 0 || !(0..=elems.len() as i64).contains(&nfields) {
        return Err(BAD);
    }
    let master_fields: Vec<Elem> = elems.get(3..3 + nfields as usize).ok_or(BAD)?.to_vec();
    let mut p = 3 + nfields as usize;
    if elems.get(p).and_then(Elem::int) != Some(0) {
        return Err(BAD);
    }
    p += 1;
    let int_at = |i: usize| elems.get(i).and_then(Elem::int).ok_or(BAD);
    let mut out = Vec::new();
    let mut seen = 0i64;
    while p < elems.len() {
        let flags = int_at(p)?;
        let ms = mms.wrapping_add(int_at(p + 1)? as u64);
        let seq = mseq.wrapping_add(int_at(p + 2)? as u64);
        p += 3;
        let mut fields = Vec::new();
        if flags & SAMEFIELDS != 0 {
            for f in &master_fields {
                fields.push(f.bytes());
                fields.push(elems.get(p).ok_or(BAD)?.bytes());
                p += 1;
            }
        } else {
            let n = int_at(p)?;
            if n < 0 || n as usize > elems.len() {
                return Err(BAD);
            }
            p += 1;
            for _ in 0..n * 2 {
                fields.push(elems.get(p).ok_or(BAD)?.bytes());
                p += 1;
            }
        }
        int_at(p)?; // lp-count
        p += 1;
        seen += 1;
        if flags & DELETED == 0 {
            out.push((ms, seq, fields));
        }
    }
    if seen != count + deleted || out.len() as i64 != count {
        return Err(BAD);
    }
    Ok(out)
}

/// `sluice check-rdb FILE`, like redis-check-rdb: decodes the whole file and reports where
/// and why it is bad, or that it looks OK with what it holds. Returns the report and whether
/// the file is valid.
pub fn check_rdb(path: &std::path::Path) -> std::io::Result<(String, bool)> {
    let data = std::fs::read(path)?;
    let mut out = format!("[offset 0] Checking RDB file {}\n", path.display());
    match load(&data, |_| {}) {
        Ok(s) => {
            if s.version >= 5 && data.len() >= 8 {
                let crc = &data[s.rdb_len - 8..s.rdb_len];
                if crc.iter().all(|&b| b == 0) {
                    out.push_str(&format!("[offset {}] RDB file was saved with checksum disabled: no check performed.\n", s.rdb_len));
                } else {
                    out.push_str(&format!("[offset {}] Checksum OK\n", s.rdb_len));
                }
            }
            out.push_str(&format!("[offset {}] \\o/ RDB looks OK! \\o/\n", s.rdb_len));
            out.push_str(&format!(
                "[info] RDB version {}\n[info] {} keys read\n[info] {} expires\n[info] {} function libraries\n",
                s.version, s.keys, s.expires, s.functions
            ));
            if s.rdb_len < data.len() {
                out.push_str(&format!(
                    "[info] {} bytes of AOF commands follow the RDB preamble (check them with sluice check-aof)\n",
                    data.len() - s.rdb_len
                ));
            }
            Ok((out, true))
        }
        Err(e) => {
            out.push_str(&format!(
                "--- RDB ERROR DETECTED ---\n[offset {}] {}\n",
                e.offset, e.what
            ));
            Ok((out, false))
        }
    }
}

/// The element count of a listpack, for the writer's tests.
#[cfg(test)]
pub(crate) fn tests_listpack_len(lp: &[u8]) -> Option<usize> {
    listpack(lp).ok().map(|e| e.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listpack of `elems` built by hand (strings ≤ 63 bytes, small ints).
    fn lp(elems: &[Elem]) -> Vec<u8> {
        let mut body = Vec::new();
        for e in elems {
            let start = body.len();
            match e {
                Elem::Int(v) => {
                    assert!((0..128).contains(v));
                    body.push(*v as u8);
                }
                Elem::Str(s) => {
                    body.push(0x80 | s.len() as u8);
                    body.extend_from_slice(s);
                }
            }
            let len = body.len() - start;
            body.push(len as u8);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&((body.len() + 7) as u32).to_le_bytes());
        out.extend_from_slice(&(elems.len() as u16).to_le_bytes());
        out.extend_from_slice(&body);
        out.push(0xFF);
        out
    }

    #[test]
    fn listpack_round_trip_and_corruption() {
        let data = lp(&[Elem::Str(b"a"), Elem::Int(7), Elem::Str(b"hello")]);
        let e = listpack(&data).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[1].int(), Some(7));
        for cut in 0..data.len() {
            assert!(listpack(&data[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn intset_widths() {
        let mut s = vec![];
        s.extend_from_slice(&2u32.to_le_bytes());
        s.extend_from_slice(&2u32.to_le_bytes());
        s.extend_from_slice(&(-5i16).to_le_bytes());
        s.extend_from_slice(&300i16.to_le_bytes());
        assert_eq!(intset(&s).unwrap(), vec![-5, 300]);
        assert!(intset(&s[..s.len() - 1]).is_err());
    }

    #[test]
    fn scores_round_trip() {
        for s in [
            0.0,
            -1.5,
            1e300,
            0.1,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0 / 3.0,
        ] {
            let t = score_text(s);
            assert_eq!(parse_score(&t), Some(s));
        }
    }

    #[test]
    fn header_and_version() {
        assert_eq!(parse_header(b"REDIS0010\xff"), Some((10, 9)));
        assert_eq!(parse_header(b"VALKEY080\xff"), Some((80, 9)));
        assert_eq!(parse_header(b"REDIS00x0"), None);
        let e = load(b"REDIS0099\xff", |_| {}).unwrap_err();
        assert_eq!(e.what, "Can't handle RDB format version 99");
    }
}
