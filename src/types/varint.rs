//! LEB128 varints and length-prefixed strings, the framing of the packed encodings (stream
//! nodes, hash listpacks and records): seven bits a byte, low bits first, the high bit
//! meaning "more bytes follow". The `get_*` readers trust their buffer (it was written by
//! `put_*`); [`Checked`] reads what came from a file (an RDB AUX field) and checks every length.

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn get_varint(b: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let c = b[*pos];
        *pos += 1;
        v |= ((c & 0x7f) as u64) << shift;
        if c & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// `len(varint) bytes`.
pub fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s);
}

pub fn get_str<'a>(b: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let n = get_varint(b, pos) as usize;
    let s = &b[*pos..*pos + n];
    *pos += n;
    s
}

/// A reader that checks every length against the buffer: None where it would run past it.
pub struct Checked<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Checked<'a> {
    pub fn new(b: &'a [u8]) -> Checked<'a> {
        Checked { b, pos: 0 }
    }

    pub fn byte(&mut self) -> Option<u8> {
        let c = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(c)
    }

    pub fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let c = self.byte()?;
            v |= ((c & 0x7f) as u64) << shift;
            if c & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn str(&mut self) -> Option<&'a [u8]> {
        let n = self.varint()? as usize;
        let end = self.pos.checked_add(n).filter(|e| *e <= self.b.len())?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Some(s)
    }

    /// Was everything read?
    pub fn at_end(&self) -> bool {
        self.pos == self.b.len()
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        &self.b[self.pos..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            put_varint(&mut b, v);
        }
        put_str(&mut b, b"hello");
        let mut p = 0;
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            assert_eq!(get_varint(&b, &mut p), v);
        }
        assert_eq!(get_str(&b, &mut p), b"hello");
        assert_eq!(p, b.len());
    }
}
