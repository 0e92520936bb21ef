//! The small encoding of hashes, sets and sorted sets: records of a fixed number of strings
//! (`stride`: 1 for a set member, 2 for a hash's field and value or a sorted set's member and
//! score) packed in one boxed buffer, as Redis's listpack packs its entries.
//!
//! ```text
//!  ┌─────────┬─────┬───────┬─────┬───────┬─────┐
//!  │ records │ len │ bytes │ len │ bytes │ ... │     len: LEB128 varint
//!  │ u32 LE  │     │       │     │       │     │
//!  └─────────┴─────┴───────┴─────┴───────┴─────┘
//! ```
//!
//! - One allocation whatever the count: a small hash or set costs its bytes plus a few.
//! - Every edit builds the new buffer in one pass and swaps it in (the buffer is small by
//!   definition: its type converts to a large encoding past `*-max-listpack-*`).
//! - Invariant: the header counts the records (its top bit is the owner's flag, see
//!   [`Listpack::flag`]); the strings are exactly `stride` × records.

use super::varint::{get_str, put_str};

const HEADER: usize = 4;
/// The header's top bit: not part of the count (see [`Listpack::flag`]).
const FLAG: u32 = 1 << 31;

/// Where a record lies in the buffer: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listpack(Box<[u8]>);

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

/// Records in order, each as its `STRIDE` strings.
pub struct Iter<'a, const STRIDE: usize> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a, const STRIDE: usize> Iterator for Iter<'a, STRIDE> {
    type Item = [&'a [u8]; STRIDE];
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        Some(std::array::from_fn(|_| get_str(self.buf, &mut self.pos)))
    }
}

impl Listpack {
    pub fn new() -> Listpack {
        Listpack(vec![0; HEADER].into_boxed_slice())
    }

    fn header(&self) -> u32 {
        u32::from_le_bytes(self.0[..HEADER].try_into().expect("header"))
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        (self.header() & !FLAG) as usize
    }

    /// The owner's one bit of its own (a hash: `listpackex`, records of three strings).
    pub fn flag(&self) -> bool {
        self.header() & FLAG != 0
    }

    pub fn set_flag(&mut self, on: bool) {
        let h = if on {
            self.header() | FLAG
        } else {
            self.header() & !FLAG
        };
        self.0[..HEADER].copy_from_slice(&h.to_le_bytes());
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes.
    pub fn bytes(&self) -> usize {
        self.0.len()
    }

    pub fn iter<const STRIDE: usize>(&self) -> Iter<'_, STRIDE> {
        Iter {
            buf: &self.0,
            pos: HEADER,
        }
    }

    /// Records with their spans, in order.
    pub fn spans<const STRIDE: usize>(&self) -> impl Iterator<Item = (Span, [&[u8]; STRIDE])> {
        let buf = &self.0;
        let mut pos = HEADER;
        std::iter::from_fn(move || {
            if pos >= buf.len() {
                return None;
            }
            let start = pos;
            let rec = std::array::from_fn(|_| get_str(buf, &mut pos));
            Some((Span { start, end: pos }, rec))
        })
    }

    /// The first record whose first string is `key`.
    pub fn find<const STRIDE: usize>(&self, key: &[u8]) -> Option<(Span, [&[u8]; STRIDE])> {
        self.spans::<STRIDE>().find(|(_, r)| r[0] == key)
    }

    /// Replaces the records in `at` (an empty span inserts at its start) by `recs`, each a
    /// record of the same stride.
    pub fn splice(&mut self, at: Span, removed: usize, recs: &[&[&[u8]]]) {
        let added: usize = recs
            .iter()
            .flat_map(|r| r.iter())
            .map(|s| s.len() + 2)
            .sum();
        let mut out = Vec::with_capacity(self.0.len() - (at.end - at.start) + added);
        out.extend_from_slice(&self.0[..at.start]);
        for r in recs {
            for s in r.iter() {
                put_str(&mut out, s);
            }
        }
        out.extend_from_slice(&self.0[at.end..]);
        let n = (self.len() - removed + recs.len()) as u32 | (self.header() & FLAG);
        out[..HEADER].copy_from_slice(&n.to_le_bytes());
        self.0 = out.into_boxed_slice();
    }

    /// Appends one record.
    pub fn push(&mut self, rec: &[&[u8]]) {
        let end = self.0.len();
        self.splice(Span { start: end, end }, 0, &[rec]);
    }

    /// Removes the record at `at`.
    pub fn remove(&mut self, at: Span) {
        self.splice(at, 1, &[]);
    }

    /// Removes the records whose spans are given, in buffer order, in one pass.
    pub fn remove_many(&mut self, spans: &[Span]) {
        let mut out = Vec::with_capacity(self.0.len());
        out.extend_from_slice(&self.0[..HEADER]);
        let mut pos = HEADER;
        for s in spans {
            out.extend_from_slice(&self.0[pos..s.start]);
            pos = s.end;
        }
        out.extend_from_slice(&self.0[pos..]);
        let n = (self.len() - spans.len()) as u32 | (self.header() & FLAG);
        out[..HEADER].copy_from_slice(&n.to_le_bytes());
        self.0 = out.into_boxed_slice();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_of_two_strings() {
        let mut lp = Listpack::new();
        lp.push(&[b"a", b"1"]);
        lp.push(&[b"b", b"22"]);
        lp.push(&[b"c", b""]);
        assert_eq!(lp.len(), 3);
        let (span, [_, v]) = lp.find::<2>(b"b").unwrap();
        assert_eq!(v, b"22");
        lp.splice(span, 1, &[&[b"b", b"333"]]);
        assert_eq!(
            lp.iter::<2>().collect::<Vec<_>>(),
            [[&b"a"[..], b"1"], [b"b", b"333"], [b"c", b""]]
        );
        let spans: Vec<Span> = lp.spans::<2>().map(|(s, _)| s).collect();
        lp.remove_many(&[spans[0], spans[2]]);
        assert_eq!(lp.iter::<2>().collect::<Vec<_>>(), [[&b"b"[..], b"333"]]);
        lp.remove(lp.find::<2>(b"b").unwrap().0);
        assert!(lp.is_empty());
        assert_eq!(lp.bytes(), HEADER);
    }
}
