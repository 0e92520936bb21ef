//! Redis's RDB encoding primitives (`rdb.c`, `crc64.c`, `lzf_d.c`): the pieces DUMP payloads
//! and snapshots are made of. This module knows bytes, never what a value means.
//!
//! - Lengths: `00|6 bits`, `01|14 bits` (big-endian), `0x80` + 32-bit BE, `0x81` + 64-bit
//!   BE; `11|enc` marks a specially encoded string (8/16/32-bit little-endian integers,
//!   LZF-compressed).
//! - A DUMP payload (`DUMP`, `FUNCTION DUMP`) is the RDB body followed by the 2-byte
//!   little-endian RDB version and the CRC-64 (Jones, reflected, as `crc64.c`) of everything
//!   before it, little-endian.
//!
//! Invariant: readers never panic and never allocate more than the input could hold: every
//! length is checked against the bytes left before it is used.

/// RDB opcodes (`rdb.h`), shared by the loader and the writer.
/// Cluster slot sizes (skipped on load).
pub const OPCODE_SLOT_INFO: u8 = 244;
/// RDB opcode before a function library (Redis 7.0+).
pub const OPCODE_FUNCTION2: u8 = 245;
/// The pre-GA function opcode (Redis 7.0 release candidates), refused.
pub const OPCODE_FUNCTION_PRE_GA: u8 = 246;
pub const OPCODE_MODULE_AUX: u8 = 247;
pub const OPCODE_IDLE: u8 = 248;
pub const OPCODE_FREQ: u8 = 249;
pub const OPCODE_AUX: u8 = 250;
pub const OPCODE_RESIZEDB: u8 = 251;
pub const OPCODE_EXPIRETIME_MS: u8 = 252;
pub const OPCODE_EXPIRETIME: u8 = 253;
pub const OPCODE_SELECTDB: u8 = 254;
pub const OPCODE_EOF: u8 = 255;

/// The RDB version sluice writes in payloads whose content is RDB 10 (Redis 7.0) data:
/// every Redis from 7.0 on, and Valkey, can restore it.
pub const RDB_VERSION_BASE: u16 = 10;
/// The newest Redis RDB version (Redis 7.4 and 8.x).
pub const RDB_VERSION_REDIS_MAX: u16 = 12;
/// Valkey 9's RDB version (Valkey numbers its own formats from 80).
pub const RDB_VERSION_VALKEY_MAX: u16 = 80;

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// CRC-64/Jones as Redis computes it (reflected in and out, init 0, no final xor).
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        // 0xad93d23594c935a9 bit-reversed.
        const POLY: u64 = 0x95ac_9329_ac4b_c9b5;
        let mut t = [0u64; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    for &b in data {
        crc = table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// Appends an RDB length.
pub fn write_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// Appends a string, raw (length then bytes). Redis's loader reads it whatever its
/// `rdbcompression` setting.
pub fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    write_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Appends the DUMP payload trailer: `version` and the CRC-64 of `out` so far.
pub fn seal_payload(out: &mut Vec<u8>, version: u16) {
    out.extend_from_slice(&version.to_le_bytes());
    let crc = crc64(0, out);
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Checks a DUMP payload's trailer (Redis's `verifyDumpPayload`): its RDB version (one this
/// server reads) and CRC-64. The body and the version on success.
pub fn open_payload(p: &[u8]) -> Option<(&[u8], u16)> {
    if p.len() < 10 {
        return None;
    }
    let (body_ver, crc) = p.split_at(p.len() - 8);
    let ver = u16::from_le_bytes([body_ver[body_ver.len() - 2], body_ver[body_ver.len() - 1]]);
    if ver > RDB_VERSION_VALKEY_MAX || (ver > RDB_VERSION_REDIS_MAX && ver < RDB_VERSION_VALKEY_MAX)
    {
        return None;
    }
    let want = u64::from_le_bytes(crc.try_into().ok()?);
    if crc64(0, body_ver) != want {
        return None;
    }
    Some((&body_ver[..body_ver.len() - 2], ver))
}

/// Why reading RDB data failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The data ends inside a value.
    Truncated,
    /// A value cannot be what it says (an unknown string encoding, bad LZF data).
    Invalid(&'static str),
}

/// A reader over RDB bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A length, or the encoding of a specially encoded string.
enum Len {
    Plain(u64),
    Encoded(u8),
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes read so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn u8(&mut self) -> Result<u8, ReadError> {
        let b = *self.buf.get(self.pos).ok_or(ReadError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        if n > self.remaining() {
            return Err(ReadError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn len_or_enc(&mut self) -> Result<Len, ReadError> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Len::Plain((b & 0x3f) as u64),
            1 => Len::Plain((((b & 0x3f) as u64) << 8) | self.u8()? as u64),
            2 => match b {
                0x80 => Len::Plain(u32::from_be_bytes(self.bytes(4)?.try_into().unwrap()) as u64),
                0x81 => Len::Plain(u64::from_be_bytes(self.bytes(8)?.try_into().unwrap())),
                _ => return Err(ReadError::Invalid("unknown length encoding")),
            },
            _ => Len::Encoded(b & 0x3f),
        })
    }

    /// An RDB length.
    pub fn read_len(&mut self) -> Result<u64, ReadError> {
        match self.len_or_enc()? {
            Len::Plain(n) => Ok(n),
            Len::Encoded(_) => Err(ReadError::Invalid("an encoded string where a length was")),
        }
    }

    /// A length that counts bytes still to come (so no larger than what is left).
    fn byte_len(&mut self) -> Result<usize, ReadError> {
        let n = self.read_len()?;
        if n > self.remaining() as u64 {
            return Err(ReadError::Truncated);
        }
        Ok(n as usize)
    }

    /// A string in any of its encodings (raw, integer, LZF).
    pub fn string(&mut self) -> Result<Vec<u8>, ReadError> {
        match self.len_or_enc()? {
            Len::Plain(n) => {
                if n > self.remaining() as u64 {
                    return Err(ReadError::Truncated);
                }
                Ok(self.bytes(n as usize)?.to_vec())
            }
            Len::Encoded(ENC_INT8) => Ok((self.u8()? as i8).to_string().into_bytes()),
            Len::Encoded(ENC_INT16) => {
                let b = self.bytes(2)?;
                Ok(i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes())
            }
            Len::Encoded(ENC_INT32) => {
                let b = self.bytes(4)?;
                Ok(i32::from_le_bytes(b.try_into().unwrap())
                    .to_string()
                    .into_bytes())
            }
            Len::Encoded(ENC_LZF) => {
                let clen = self.byte_len()?;
                let len = self.read_len()?;
                let data = self.bytes(clen)?;
                // LZF expands at most ~ (1 + 264/2) times: refuse a length no input could make.
                if len > (clen as u64).saturating_mul(133) + 64 {
                    return Err(ReadError::Invalid("LZF length out of range"));
                }
                lzf_decompress(data, len as usize)
            }
            Len::Encoded(_) => Err(ReadError::Invalid("unknown string encoding")),
        }
    }
}

/// LZF decompression (`lzf_d.c`): exactly `len` bytes out, or an error.
pub fn lzf_decompress(input: &[u8], len: usize) -> Result<Vec<u8>, ReadError> {
    let bad = ReadError::Invalid("invalid LZF data");
    let mut out = Vec::with_capacity(len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            // A literal run of ctrl + 1 bytes.
            let n = ctrl + 1;
            if i + n > input.len() || out.len() + n > len {
                return Err(bad);
            }
            out.extend_from_slice(&input[i..i + n]);
            i += n;
        } else {
            // A back reference: length (ctrl >> 5) + 2 (7 means one more length byte).
            let mut n = ctrl >> 5;
            if n == 7 {
                n += *input.get(i).ok_or(bad.clone())? as usize;
                i += 1;
            }
            n += 2;
            let back = ((ctrl & 0x1f) << 8) + *input.get(i).ok_or(bad.clone())? as usize + 1;
            i += 1;
            if back > out.len() || out.len() + n > len {
                return Err(bad);
            }
            let start = out.len() - back;
            // Overlapping copies repeat the run, byte by byte.
            for k in 0..n {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    if out.len() != len {
        return Err(bad);
    }
    Ok(out)
}

/// LZF compression (the format of `lzf_c.c`, which [`lzf_decompress`] reads): literal runs of
/// up to 32 bytes and back references of 3 to 264 bytes within the last 8 KiB, found through
/// a hash of the next 3 bytes. None unless the result saves at least 4 bytes (Redis's
/// `rdbSaveLzfStringObject` then writes the string as it is).
pub fn lzf_compress(input: &[u8]) -> Option<Vec<u8>> {
    let n = input.len();
    if n <= 4 {
        return None;
    }
    let limit = n - 4;
    let mut out = Vec::with_capacity(limit);
    let mut table = vec![0u32; 1 << 14];
    let hash = |i: usize| {
        let v = (input[i] as u32) << 16 | (input[i + 1] as u32) << 8 | input[i + 2] as u32;
        (v.wrapping_mul(2654435761) >> 18) as usize & ((1 << 14) - 1)
    };
    let literals = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut p = from;
        while p < to {
            let len = (to - p).min(32);
            out.push((len - 1) as u8);
            out.extend_from_slice(&input[p..p + len]);
            p += len;
        }
    };
    let (mut i, mut lit) = (0, 0);
    while i + 2 < n {
        let h = hash(i);
        let cand = table[h] as usize;
        table[h] = (i + 1) as u32;
        if cand > 0 {
            let r = cand - 1;
            let dist = i - r;
            if dist <= 8192 && input[r..r + 3] == input[i..i + 3] {
                let max = (n - i).min(264);
                let mut len = 3;
                while len < max && input[r + len] == input[i + len] {
                    len += 1;
                }
                literals(&mut out, lit, i);
                let (l, off) = (len - 2, dist - 1);
                if l < 7 {
                    out.push(((l as u8) << 5) | (off >> 8) as u8);
                } else {
                    out.push((7 << 5) | (off >> 8) as u8);
                    out.push((l - 7) as u8);
                }
                out.push((off & 0xff) as u8);
                i += len;
                lit = i;
                if out.len() > limit {
                    return None;
                }
                continue;
            }
        }
        i += 1;
    }
    literals(&mut out, lit, n);
    (out.len() <= limit).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lzf_round_trips() {
        let mut rng = 7u64;
        for case in 0..200 {
            let len = (case * 37) % 5000 + 5;
            let data: Vec<u8> = (0..len)
                .map(|i| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    // Mostly repetitive, some noise.
                    if rng.is_multiple_of(5) {
                        (rng >> 8) as u8
                    } else {
                        b"abcabcab"[i % 8]
                    }
                })
                .collect();
            if let Some(c) = lzf_compress(&data) {
                assert!(c.len() <= data.len() - 4);
                assert_eq!(lzf_decompress(&c, data.len()).unwrap(), data, "case {case}");
            }
        }
        let same = vec![b'x'; 10_000];
        let c = lzf_compress(&same).unwrap();
        assert!(c.len() < 200, "{}", c.len());
        assert_eq!(lzf_decompress(&c, same.len()).unwrap(), same);
        assert!(lzf_compress(b"abcdefghij").is_none());
    }

    #[test]
    fn crc64_matches_redis_test_vector() {
        // crc64.c's self test: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn lengths_and_strings_round_trip() {
        for n in [
            0u64,
            1,
            63,
            64,
            16383,
            16384,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
        ] {
            let mut out = Vec::new();
            write_len(&mut out, n);
            assert_eq!(Reader::new(&out).read_len(), Ok(n), "{n}");
        }
        let mut out = Vec::new();
        write_string(&mut out, b"hello");
        assert_eq!(Reader::new(&out).string().unwrap(), b"hello");
    }

    #[test]
    fn integer_and_lzf_strings_decode() {
        assert_eq!(Reader::new(&[0xc0, 0xff]).string().unwrap(), b"-1");
        assert_eq!(Reader::new(&[0xc1, 0x39, 0x30]).string().unwrap(), b"12345");
        assert_eq!(
            Reader::new(&[0xc2, 0x15, 0xcd, 0x5b, 0x07])
                .string()
                .unwrap(),
            b"123456789"
        );
        // "aaaaaaaaaa": literal 'a', then a back reference of 9 to distance 1.
        let lzf = [0x00, b'a', 0xe0, 0x00, 0x00];
        let mut enc = vec![0xc3];
        write_len(&mut enc, lzf.len() as u64);
        write_len(&mut enc, 10);
        enc.extend_from_slice(&lzf);
        assert_eq!(Reader::new(&enc).string().unwrap(), b"aaaaaaaaaa");
    }

    #[test]
    fn payloads_are_sealed_and_checked() {
        let mut p = vec![OPCODE_FUNCTION2];
        write_string(&mut p, b"#!lua name=x\n");
        seal_payload(&mut p, RDB_VERSION_BASE);
        let (body, ver) = open_payload(&p).unwrap();
        assert_eq!((body[0], ver), (OPCODE_FUNCTION2, 10));
        let mut bad = p.clone();
        bad[3] ^= 1;
        assert!(open_payload(&bad).is_none());
        assert!(open_payload(b"short").is_none());
    }

    proptest::proptest! {
        #[test]
        fn readers_never_panic(data: Vec<u8>, len in 0usize..4096) {
            let mut r = Reader::new(&data);
            let _ = r.string();
            let _ = lzf_decompress(&data, len);
            let _ = open_payload(&data);
        }
    }
}
