//! Reading RDB snapshots (`rdb.c`'s `rdbLoadRio`): `dump.rdb`, the RDB base of a multi-part
//! AOF, the RDB preamble of an old single-file AOF, and DUMP payloads. A snapshot is decoded
//! into [`Event`]s: databases, function libraries, and keys with their values as plain
//! [`Item`]s (strings, element lists, scored members, fields with TTLs, stream nodes with
//! groups), which the server turns into its own values: this crate knows files, never what a
//! command does.
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
//!
//! Invariants: no input panics or allocates beyond what its bytes could hold (every length is
//! checked against the bytes left, see [`crate::rdb::Reader`]); every [`Item`] handed out is
//! whole and checked (stream nodes are parsed once to check them when read, and again by
//! [`StreamItem::for_each_entry`] when the server builds the stream, so no node is held
//! decoded).

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

/// One value as the file holds it, decoded and checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Str(Bytes),
    /// Elements in order.
    List(Vec<Bytes>),
    Set(Vec<Bytes>),
    /// Members and their scores (never NaN).
    Zset(Vec<(Bytes, f64)>),
    /// Fields, values and each field's expire time (Unix ms), if it has one.
    Hash(Vec<(Bytes, Bytes, Option<i64>)>),
    Stream(Box<StreamItem>),
}

/// A stream: its nodes (kept packed until [`StreamItem::for_each_entry`]), its metadata and
/// its consumer groups.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamItem {
    /// (master ID, listpack) per node, each checked.
    nodes: Vec<([u8; 16], Vec<u8>)>,
    pub length: u64,
    pub last_id: (u64, u64),
    /// RDB 10+ (stream listpacks 2); None from older files.
    pub max_deleted_id: Option<(u64, u64)>,
    pub entries_added: Option<u64>,
    pub groups: Vec<GroupItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupItem {
    pub name: Bytes,
    pub last_id: (u64, u64),
    /// None: not in the file (before stream listpacks 2) or not known (-1).
    pub entries_read: Option<i64>,
    pub consumers: Vec<ConsumerItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerItem {
    pub name: Bytes,
    pub seen_time: i64,
    /// Before stream listpacks 3: the seen time, as Redis loads it.
    pub active_time: i64,
    /// (ID, delivery time, delivery count) of each entry pending for this consumer.
    pub pending: Vec<((u64, u64), i64, u64)>,
}

/// One field or value of a stream entry, as the node packs it.
#[derive(Debug, Clone, Copy)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Item {
    /// An empty collection: a load skips it (Redis's "empty key"), RESTORE refuses it.
    pub fn is_empty(&self) -> bool {
        match self {
            Item::Str(_) | Item::Stream(_) => false,
            Item::List(v) | Item::Set(v) => v.is_empty(),
            Item::Zset(v) => v.is_empty(),
            Item::Hash(v) => v.is_empty(),
        }
    }
}

impl StreamItem {
    /// Calls `f` with each live entry's ID and its fields and values (flat: name, value, ...).
    pub fn for_each_entry(&self, mut f: impl FnMut((u64, u64), &[Elem])) {
        for (master, lp) in &self.nodes {
            stream_node(master, lp, &mut f).expect("checked when decoded");
        }
    }
}

/// What the decoder hands out, in file order.
#[derive(Debug)]
pub enum Event {
    /// SELECTDB: the keys that follow are in this database.
    Select(u64),
    /// RESIZEDB: how many keys (and keys with a TTL) the database holds, a sizing hint.
    Resize { keys: u64, expires: u64 },
    /// A function library's code (FUNCTION2).
    Function(Bytes),
    /// An AUX field (`redis-ver`, `ctime`, ... and any other: Redis skips the ones it does not
    /// know, so a writer may carry its own state in them).
    Aux { name: Bytes, value: Bytes },
    Key {
        key: Bytes,
        item: Item,
        /// Unix ms (EXPIRETIME_MS, or EXPIRETIME in seconds).
        expire: Option<i64>,
        /// Seconds since last access (IDLE), and the LFU counter (FREQ).
        idle: Option<u64>,
        freq: Option<u8>,
        /// Where the key's record ends in the input (loading progress).
        end: usize,
    },
}

/// Decodes the snapshot at the start of `data`, handing each [`Event`] to `on`. Nothing is
/// handed out when the checksum is wrong; an error later (truncation, a corrupt value, or
/// `on` refusing an event with its reason) stops the load where it is found, and the caller
/// must not serve what it was given.
pub fn load(
    data: &[u8],
    mut on: impl FnMut(Event) -> Result<(), String>,
) -> Result<Summary, RdbError> {
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
    d.run(&mut on).map_err(|(o, e)| err(o, &e))?;
    d.summary.rdb_len = d.r.pos();
    Ok(d.summary)
}

/// Why a DUMP payload was refused, as RESTORE tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpError {
    /// "DUMP payload version or checksum are wrong"
    VersionOrChecksum,
    /// "Bad data format"
    BadFormat,
}

/// The value of a DUMP payload (RESTORE), its footer checked first
/// ([`crate::rdb::open_payload`]). As Redis's `restoreCommand`, the value is read from the
/// start of the whole payload, footer included, and what follows it is not looked at.
pub fn decode_dump(payload: &[u8]) -> Result<Item, DumpError> {
    let (_, version) = crate::rdb::open_payload(payload).ok_or(DumpError::VersionOrChecksum)?;
    let mut d = Decoder {
        r: Reader::new(payload),
        version: if version == 80 { 11 } else { version.max(1) },
        valkey: version == 80,
        summary: Summary::default(),
    };
    let t = d.u8().map_err(|_| DumpError::BadFormat)?;
    d.value(t).map_err(|_| DumpError::BadFormat)
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
    d.run(&mut |_| Ok(()))?;
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

impl Elem<'_> {
    pub fn bytes(&self) -> Bytes {
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

    fn run(&mut self, on: &mut dyn FnMut(Event) -> Result<(), String>) -> DResult<()> {
        let mut expire: Option<i64> = None;
        let (mut idle, mut freq) = (None, None);
        loop {
            let at = self.r.pos();
            let op = self.u8()?;
            let event = match op {
                OPCODE_EOF => {
                    if self.version >= 5 {
                        self.raw(8)?;
                    }
                    return Ok(());
                }
                OPCODE_AUX => Event::Aux {
                    name: Bytes::from(self.string()?),
                    value: Bytes::from(self.string()?),
                },
                OPCODE_SELECTDB => Event::Select(self.len()?),
                OPCODE_RESIZEDB => Event::Resize {
                    keys: self.len()?,
                    expires: self.len()?,
                },
                OPCODE_SLOT_INFO => {
                    self.len()?;
                    self.len()?;
                    self.len()?;
                    continue;
                }
                OPCODE_EXPIRETIME_MS => {
                    expire = Some(self.ms_time()?);
                    continue;
                }
                OPCODE_EXPIRETIME => {
                    let s = i32::from_le_bytes(self.raw(4)?.try_into().unwrap());
                    expire = Some(s as i64 * 1000);
                    continue;
                }
                OPCODE_IDLE => {
                    idle = Some(self.len()?);
                    continue;
                }
                OPCODE_FREQ => {
                    freq = Some(self.u8()?);
                    continue;
                }
                OPCODE_FUNCTION2 => {
                    self.summary.functions += 1;
                    Event::Function(Bytes::from(self.string()?))
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
                    let item = self.value(t)?;
                    self.summary.keys += 1;
                    if expire.is_some() {
                        self.summary.expires += 1;
                    }
                    Event::Key {
                        key,
                        item,
                        expire: expire.take(),
                        idle: idle.take(),
                        freq: freq.take(),
                        end: self.r.pos(),
                    }
                }
            };
            on(event).map_err(|e| (at, e))?;
        }
    }

    /// One value of type `t`.
    fn value(&mut self, t: u8) -> DResult<Item> {
        let start = self.r.pos();
        let corrupt = |what: &str| -> DResult<Item> { Err((start, what.to_string())) };
        let elems = |e: Vec<Elem>| e.iter().map(Elem::bytes).collect::<Vec<_>>();
        Ok(match t {
            0 => Item::Str(Bytes::from(self.string()?)),
            // Lists: linked list, ziplist, quicklist (of ziplists), quicklist 2.
            1 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(Bytes::from(self.string()?));
                }
                Item::List(items)
            }
            10 => match ziplist(&self.string()?) {
                Ok(e) => Item::List(elems(e)),
                Err(w) => return corrupt(w),
            },
            14 | 18 => {
                let nodes = self.count()?;
                let mut items = Vec::new();
                for _ in 0..nodes {
                    let container = if t == 18 { self.len()? } else { 2 };
                    let data = self.string()?;
                    match container {
                        1 => items.push(Bytes::from(data)),
                        2 => {
                            let e = if t == 18 {
                                listpack(&data)
                            } else {
                                ziplist(&data)
                            };
                            match e {
                                // An empty node is skipped, as Redis does.
                                Ok(e) => items.extend(e.iter().map(Elem::bytes)),
                                Err(w) => return corrupt(w),
                            }
                        }
                        _ => return corrupt("Quicklist integrity check failed."),
                    }
                }
                Item::List(items)
            }
            // Sets: hashtable, intset, listpack.
            2 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(Bytes::from(self.string()?));
                }
                Item::Set(items)
            }
            11 => match intset(&self.string()?) {
                Ok(v) => Item::Set(v.into_iter().map(int_text).collect()),
                Err(w) => return corrupt(w),
            },
            20 => match listpack(&self.string()?) {
                Ok(e) => Item::Set(elems(e)),
                Err(w) => return corrupt(w),
            },
            // Sorted sets: string scores, binary scores, ziplist, listpack.
            3 | 5 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n);
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
                    items.push((member, score));
                }
                Item::Zset(items)
            }
            12 | 17 => {
                let data = self.string()?;
                let e = if t == 17 {
                    listpack(&data)
                } else {
                    ziplist(&data)
                };
                let e = match e {
                    Ok(e) if e.len() % 2 == 0 => e,
                    Ok(_) => return corrupt("Zset listpack integrity check failed."),
                    Err(w) => return corrupt(w),
                };
                let mut items = Vec::with_capacity(e.len() / 2);
                for pair in e.chunks_exact(2) {
                    let Some(score) = pair[1].score() else {
                        return corrupt("Zset listpack integrity check failed.");
                    };
                    items.push((pair[0].bytes(), score));
                }
                Item::Zset(items)
            }
            // Hashes: hashtable, ziplist, listpack; with field TTLs.
            4 => {
                let n = self.count()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let f = Bytes::from(self.string()?);
                    fields.push((f, Bytes::from(self.string()?), None));
                }
                Item::Hash(fields)
            }
            13 | 16 => {
                let data = self.string()?;
                let e = if t == 16 {
                    listpack(&data)
                } else {
                    ziplist(&data)
                };
                match e {
                    Ok(e) if e.len() % 2 == 0 => Item::Hash(
                        e.chunks_exact(2)
                            .map(|p| (p[0].bytes(), p[1].bytes(), None))
                            .collect(),
                    ),
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
                Item::Hash(fields)
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
                Item::Hash(fields)
            }
            23 | 25 => {
                // Redis 7.4+ listpack-ex: [min expire (25)], a listpack of (field, value,
                // expire time in ms; 0 none) triplets.
                if t == 25 {
                    self.ms_time()?;
                }
                let lp = self.string()?;
                let e = match listpack(&lp) {
                    Ok(e) if e.len() % 3 == 0 => e,
                    Ok(_) => return corrupt("Hash listpackex integrity check failed."),
                    Err(w) => return corrupt(w),
                };
                let mut fields = Vec::with_capacity(e.len() / 3);
                for t in e.chunks_exact(3) {
                    let Some(at) = t[2].int() else {
                        return corrupt("Hash listpackex integrity check failed.");
                    };
                    fields.push((t[0].bytes(), t[1].bytes(), (at != 0).then_some(at)));
                }
                Item::Hash(fields)
            }
            15 | 19 | 21 => Item::Stream(Box::new(self.stream(t)?)),
            6 | 7 => {
                return corrupt("The RDB file contains module data I can't load: no module loaded")
            }
            9 => return corrupt("Zipmap-encoded hashes (Redis < 2.6) are not supported"),
            t => return corrupt(&format!("Unknown RDB encoding type {t}")),
        })
    }

    /// A stream (`RDB_TYPE_STREAM_LISTPACKS` 1–3): its nodes, each checked, its metadata,
    /// the groups with their consumers and PELs.
    fn stream(&mut self, t: u8) -> DResult<StreamItem> {
        let n = self.count()?;
        let mut nodes = Vec::with_capacity(n);
        let mut live = 0u64;
        for _ in 0..n {
            let nodekey = self.string()?;
            let at = self.r.pos();
            let Ok(master) = <[u8; 16]>::try_from(nodekey.as_slice()) else {
                return self.fail("Stream node key entry is not the size of a stream ID");
            };
            let lp = self.string()?;
            let count = stream_node(&master, &lp, |_, _| {}).map_err(|w| (at, w.to_string()))?;
            if count == 0 {
                return Err((at, "Empty listpack inside stream".into()));
            }
            live += count;
            nodes.push((master, lp));
        }
        let length = self.len()?;
        let last_id = (self.len()?, self.len()?);
        let (max_deleted_id, entries_added) = if t >= 19 {
            let _first = (self.len()?, self.len()?);
            let max_deleted = (self.len()?, self.len()?);
            (Some(max_deleted), Some(self.len()?))
        } else {
            (None, None)
        };
        if live != length {
            return self.fail("Stream length inconsistent with its entries");
        }
        let ngroups = self.count()?;
        let mut groups = Vec::with_capacity(ngroups);
        for _ in 0..ngroups {
            let name = Bytes::from(self.string()?);
            let last_id = (self.len()?, self.len()?);
            // u64::MAX is Redis's "not known" (-1).
            let entries_read = if t >= 19 {
                Some(self.len()?)
                    .filter(|&r| r != u64::MAX)
                    .map(|r| r as i64)
            } else {
                None
            };
            let pel_len = self.count()?;
            let mut pel = std::collections::HashMap::with_capacity(pel_len);
            for _ in 0..pel_len {
                let raw: [u8; 16] = self.raw(16)?.try_into().unwrap();
                let delivered = self.ms_time()?;
                let count = self.len()?;
                if pel.insert(raw, (delivered, count)).is_some() {
                    return self.fail("Duplicated global PEL entry loading stream consumer group");
                }
            }
            let nconsumers = self.count()?;
            let mut consumers = Vec::with_capacity(nconsumers);
            for _ in 0..nconsumers {
                let cname = Bytes::from(self.string()?);
                let seen_time = self.ms_time()?;
                let active_time = if t >= 21 { self.ms_time()? } else { seen_time };
                let owned = self.count()?;
                let mut pending = Vec::with_capacity(owned);
                for _ in 0..owned {
                    let raw: [u8; 16] = self.raw(16)?.try_into().unwrap();
                    let Some((delivered, count)) = pel.remove(&raw) else {
                        return self.fail("Consumer PEL entry not found in the group's PEL");
                    };
                    pending.push((split_id(&raw), delivered, count));
                }
                consumers.push(ConsumerItem {
                    name: cname,
                    seen_time,
                    active_time,
                    pending,
                });
            }
            if !pel.is_empty() {
                return self.fail("Group PEL entries without a consumer");
            }
            groups.push(GroupItem {
                name,
                last_id,
                entries_read,
                consumers,
            });
        }
        Ok(StreamItem {
            nodes,
            length,
            last_id,
            max_deleted_id,
            entries_added,
            groups,
        })
    }
}

fn split_id(raw: &[u8; 16]) -> (u64, u64) {
    (
        u64::from_be_bytes(raw[..8].try_into().unwrap()),
        u64::from_be_bytes(raw[8..].try_into().unwrap()),
    )
}

/// Walks the live entries of one stream node (`t_stream.c`): the master entry (count,
/// deleted, the master fields, 0), then per entry flags, ID deltas, [field count, fields and
/// values | values only when SAMEFIELDS], lp-count; deleted entries skipped. `f` gets each
/// live entry's ID and flat fields; the number of live entries.
fn stream_node(
    master: &[u8; 16],
    lp: &[u8],
    mut f: impl FnMut((u64, u64), &[Elem]),
) -> Result<u64, &'static str> {
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
    let master_fields: &[Elem] = elems.get(3..3 + nfields as usize).ok_or(BAD)?;
    let mut p = 3 + nfields as usize;
    if elems.get(p).and_then(Elem::int) != Some(0) {
        return Err(BAD);
    }
    p += 1;
    let int_at = |i: usize| elems.get(i).and_then(Elem::int).ok_or(BAD);
    let mut fields: Vec<Elem> = Vec::new();
    let (mut seen, mut live) = (0i64, 0u64);
    while p < elems.len() {
        let flags = int_at(p)?;
        let ms = mms.wrapping_add(int_at(p + 1)? as u64);
        let seq = mseq.wrapping_add(int_at(p + 2)? as u64);
        p += 3;
        fields.clear();
        if flags & SAMEFIELDS != 0 {
            let values = elems.get(p..p + master_fields.len()).ok_or(BAD)?;
            for (name, value) in master_fields.iter().zip(values) {
                fields.push(*name);
                fields.push(*value);
            }
            p += master_fields.len();
        } else {
            let n = int_at(p)?;
            if n < 0 || n as usize > elems.len() {
                return Err(BAD);
            }
            p += 1;
            let flat = elems.get(p..p + 2 * n as usize).ok_or(BAD)?;
            fields.extend_from_slice(flat);
            p += flat.len();
        }
        int_at(p)?; // lp-count
        p += 1;
        seen += 1;
        if flags & DELETED == 0 {
            f((ms, seq), &fields);
            live += 1;
        }
    }
    if seen != count + deleted || live as i64 != count {
        return Err(BAD);
    }
    Ok(live)
}

/// `sluice check-rdb FILE`, like redis-check-rdb: decodes the whole file and reports where
/// and why it is bad, or that it looks OK with what it holds. Returns the report and whether
/// the file is valid.
pub fn check_rdb(path: &std::path::Path) -> std::io::Result<(String, bool)> {
    let data = std::fs::read(path)?;
    let mut out = format!("[offset 0] Checking RDB file {}\n", path.display());
    match load(&data, |_| Ok(())) {
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
    fn scores_parse() {
        assert_eq!(parse_score(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_score(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_score(b"0.1"), Some(0.1));
        assert_eq!(parse_score(b"nan"), None);
    }

    #[test]
    fn header_and_version() {
        assert_eq!(parse_header(b"REDIS0010\xff"), Some((10, 9)));
        assert_eq!(parse_header(b"VALKEY080\xff"), Some((80, 9)));
        assert_eq!(parse_header(b"REDIS00x0"), None);
        let e = load(b"REDIS0099\xff", |_| Ok(())).unwrap_err();
        assert_eq!(e.what, "Can't handle RDB format version 99");
    }
}
