//! The set type, in Redis's three encodings (OBJECT ENCODING names them):
//!
//! ```text
//!  intset     sorted integers of one width, widened when a larger one arrives (never narrowed):
//!             ┌───────┬──────┬──────┬─────┐
//!             │ width │ v0   │ v1   │ ... │     width 2, 4 or 8 bytes; values LE, ascending
//!             └───────┴──────┴──────┴─────┘
//!  listpack   members in insertion order, one string per record (`types::listpack`)
//!  hashtable  one boxed member per slot of a `SlotTable` (`types::slot_table`)
//! ```
//!
//! - The encoding follows Redis's `setTypeCreate` / `setTypeAddAux`: a set whose first member
//!   is an integer and whose expected size is at most `set-max-intset-entries` starts as an
//!   intset; a non-integer turns an intset into a listpack while it stays within
//!   `set-max-listpack-entries` members of at most `set-max-listpack-value` bytes (counting
//!   the intset's widest integer), else into a hashtable; an intset past its own bound, or a
//!   listpack past its bounds, becomes a hashtable. Conversions go one way, except where Redis
//!   builds a new set (SPOP of most of a set, the *STORE commands).
//! - Members are byte strings; an intset holds exactly the members that are canonical
//!   decimal integers (`string2ll`), so "01" is never in one.
//! - A hashtable sits behind an `Arc`, so that a snapshot (AOF rewrite) shares it until the
//!   next write copies it.
//! - Invariants: no member twice; an intset is strictly ascending at a width that fits all
//!   its values.

use std::sync::Arc;

use super::listpack::{self, Listpack};
use super::slot_table::{self, SlotTable};
use crate::util::Rng;

/// The encoding bounds (`set-max-intset-entries`, `set-max-listpack-entries`,
/// `set-max-listpack-value`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_intset: usize,
    pub max_listpack_entries: usize,
    pub max_listpack_value: usize,
}

impl Limits {
    /// Redis caps intsets at 2^30 entries whatever the directive says.
    fn intset_max(&self) -> usize {
        self.max_intset.min(1 << 30)
    }
}

/// A member as an encoding holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Member<'_> {
    /// The member's bytes, formatted into `buf` for an integer.
    pub fn bytes<'b>(&'b self, buf: &'b mut [u8; 21]) -> &'b [u8] {
        match self {
            Member::Str(s) => s,
            Member::Int(v) => crate::util::i64_text(*v, buf),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.bytes(&mut [0; 21]).to_vec()
    }
}

// ---------------------------------------------------------------------------------------------
// intset
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntSet(Box<[u8]>);

fn width_for(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    fn new() -> IntSet {
        IntSet(vec![2].into_boxed_slice())
    }

    fn width(&self) -> usize {
        self.0[0] as usize
    }

    fn len(&self) -> usize {
        (self.0.len() - 1) / self.width()
    }

    fn get(&self, i: usize) -> i64 {
        let w = self.width();
        let b = &self.0[1 + i * w..1 + (i + 1) * w];
        match w {
            2 => i16::from_le_bytes(b.try_into().expect("width")) as i64,
            4 => i32::from_le_bytes(b.try_into().expect("width")) as i64,
            _ => i64::from_le_bytes(b.try_into().expect("width")),
        }
    }

    fn search(&self, v: i64) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(&v) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    fn contains(&self, v: i64) -> bool {
        width_for(v) <= self.width() && self.search(v).is_ok()
    }

    fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    fn min(&self) -> Option<i64> {
        (self.len() > 0).then(|| self.get(0))
    }

    fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// Rebuilds with `values` (ascending) at width `w`.
    fn encode(w: usize, values: impl Iterator<Item = i64>) -> IntSet {
        let mut out = vec![w as u8];
        for v in values {
            out.extend_from_slice(&v.to_le_bytes()[..w]);
        }
        IntSet(out.into_boxed_slice())
    }

    /// True if `v` is new.
    fn insert(&mut self, v: i64) -> bool {
        let Err(at) = self.search(v) else {
            return false;
        };
        let w = self.width().max(width_for(v));
        let (before, after) = (0..at, at..self.len());
        let values: Vec<i64> = before
            .map(|i| self.get(i))
            .chain(std::iter::once(v))
            .chain(after.map(|i| self.get(i)))
            .collect();
        *self = IntSet::encode(w, values.into_iter());
        true
    }

    fn remove(&mut self, v: i64) -> bool {
        if width_for(v) > self.width() {
            return false;
        }
        let Ok(at) = self.search(v) else {
            return false;
        };
        let w = self.width();
        let mut out = self.0.to_vec();
        out.drain(1 + at * w..1 + (at + 1) * w);
        self.0 = out.into_boxed_slice();
        true
    }
}

/// Decimal digits of `v` with its sign (`sdigits10`).
fn digits(v: i64) -> usize {
    crate::util::i64_text(v, &mut [0; 21]).len()
}

// ---------------------------------------------------------------------------------------------
// the set
// ---------------------------------------------------------------------------------------------

pub type MemberTable = SlotTable<Box<[u8]>>;

#[derive(Debug, Clone)]
pub enum Set {
    Intset(IntSet),
    Listpack(Listpack),
    Table(Arc<MemberTable>),
}

pub enum Iter<'a> {
    Intset(&'a IntSet, usize),
    Listpack(listpack::Iter<'a, 1>),
    Table(slot_table::Iter<'a, Box<[u8]>>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Intset(is, i) => {
                if *i >= is.len() {
                    return None;
                }
                *i += 1;
                Some(Member::Int(is.get(*i - 1)))
            }
            Iter::Listpack(it) => it.next().map(|[m]| Member::Str(m)),
            Iter::Table(it) => it.next().map(|m| Member::Str(m)),
        }
    }
}

fn as_int(m: &[u8]) -> Option<i64> {
    crate::util::parse_i64(m)
}

impl Set {
    /// `setTypeCreate`: an empty set that suits `first` and about `size_hint` members.
    pub fn new_for(first: &[u8], size_hint: usize, limits: Limits) -> Set {
        if as_int(first).is_some() && size_hint <= limits.intset_max() {
            Set::Intset(IntSet::new())
        } else if size_hint <= limits.max_listpack_entries {
            Set::Listpack(Listpack::new())
        } else {
            Set::Table(Arc::new(MemberTable::with_capacity(size_hint)))
        }
    }

    /// An empty intset (where Redis starts the *STORE results).
    pub fn new_intset() -> Set {
        Set::Intset(IntSet::new())
    }

    /// An empty listpack.
    pub fn new_listpack() -> Set {
        Set::Listpack(Listpack::new())
    }

    /// An empty hashtable.
    pub fn new_table() -> Set {
        Set::Table(Arc::default())
    }

    /// `setTypeMaybeConvert`: a small encoding that `size_hint` more members would overflow
    /// becomes a hashtable now.
    pub fn maybe_convert(&mut self, size_hint: usize, limits: Limits) {
        let over = match self {
            Set::Intset(_) => size_hint > limits.intset_max(),
            Set::Listpack(_) => size_hint > limits.max_listpack_entries,
            Set::Table(_) => false,
        };
        if over {
            self.convert_to_table(size_hint);
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Listpack(_) => "listpack",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(is) => is.len(),
            Set::Listpack(lp) => lp.len(),
            Set::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Intset(is) => as_int(m).is_some_and(|v| is.contains(v)),
            Set::Listpack(lp) => lp.find::<1>(m).is_some(),
            Set::Table(t) => t.find(m).is_some(),
        }
    }

    pub fn contains_member(&self, m: Member) -> bool {
        match (self, m) {
            (Set::Intset(is), Member::Int(v)) => is.contains(v),
            _ => self.contains(m.bytes(&mut [0; 21])),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match self {
            Set::Intset(is) => Iter::Intset(is, 0),
            Set::Listpack(lp) => Iter::Listpack(lp.iter()),
            Set::Table(t) => Iter::Table(t.iter()),
        }
    }

    fn convert_to_table(&mut self, hint: usize) {
        let mut t = MemberTable::with_capacity(hint.max(self.len()));
        for m in self.iter() {
            t.insert_new(m.to_vec().into_boxed_slice());
        }
        *self = Set::Table(Arc::new(t));
    }

    /// `setTypeAddAux`: adds `m`; true if it is new.
    pub fn insert(&mut self, m: &[u8], limits: Limits) -> bool {
        match self {
            Set::Intset(is) => {
                if let Some(v) = as_int(m) {
                    if !is.insert(v) {
                        return false;
                    }
                    if is.len() > limits.intset_max() {
                        self.convert_to_table(0);
                    }
                    return true;
                }
                // A string: a listpack if the whole set fits one, else a hashtable.
                let widest = [is.min(), is.max()]
                    .into_iter()
                    .flatten()
                    .map(digits)
                    .max()
                    .unwrap_or(0);
                if is.len() < limits.max_listpack_entries
                    && m.len() <= limits.max_listpack_value
                    && widest <= limits.max_listpack_value
                {
                    let mut lp = Listpack::new();
                    for v in is.iter() {
                        lp.push(&[Member::Int(v).bytes(&mut [0; 21])]);
                    }
                    lp.push(&[m]);
                    *self = Set::Listpack(lp);
                } else {
                    let n = is.len() + 1;
                    self.convert_to_table(n);
                    self.table_mut().insert_new(m.into());
                }
                true
            }
            Set::Listpack(lp) => {
                if lp.find::<1>(m).is_some() {
                    return false;
                }
                if lp.len() < limits.max_listpack_entries && m.len() <= limits.max_listpack_value {
                    lp.push(&[m]);
                } else {
                    let n = lp.len() + 1;
                    self.convert_to_table(n);
                    self.table_mut().insert_new(m.into());
                }
                true
            }
            Set::Table(t) => {
                if t.find(m).is_some() {
                    return false;
                }
                Arc::make_mut(t).insert_new(m.into());
                true
            }
        }
    }

    /// Adds a member as an iterator of another set yields it.
    pub fn insert_member(&mut self, m: Member, limits: Limits) -> bool {
        match (&mut *self, m) {
            (Set::Intset(is), Member::Int(v)) => {
                if !is.insert(v) {
                    return false;
                }
                if is.len() > limits.intset_max() {
                    self.convert_to_table(0);
                }
                true
            }
            _ => self.insert(m.bytes(&mut [0; 21]), limits),
        }
    }

    fn table_mut(&mut self) -> &mut MemberTable {
        match self {
            Set::Table(t) => Arc::make_mut(t),
            _ => unreachable!("a hashtable set"),
        }
    }

    /// Removes `m`; true if it was there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Intset(is) => as_int(m).is_some_and(|v| is.remove(v)),
            Set::Listpack(lp) => match lp.find::<1>(m) {
                Some((span, _)) => {
                    lp.remove(span);
                    true
                }
                None => false,
            },
            Set::Table(t) => t.find(m).is_some() && Arc::make_mut(t).remove(m).is_some(),
        }
    }

    /// `maybeConvertToIntset`: a set known to hold only integers becomes an intset if it
    /// may be one.
    pub fn maybe_convert_to_intset(&mut self, limits: Limits) {
        if matches!(self, Set::Intset(_)) || self.len() > limits.intset_max() {
            return;
        }
        let mut values: Vec<i64> = self
            .iter()
            .map(|m| match m {
                Member::Int(v) => v,
                Member::Str(s) => as_int(s).expect("only integers"),
            })
            .collect();
        values.sort_unstable();
        let w = values.iter().map(|&v| width_for(v)).max().unwrap_or(2);
        *self = Set::Intset(IntSet::encode(w, values.into_iter()));
    }

    /// A uniformly random member.
    pub fn random(&self, rng: &mut Rng) -> Option<Member<'_>> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        match self {
            Set::Intset(is) => Some(Member::Int(is.get(rng.below(n as u64) as usize))),
            Set::Listpack(_) => self.iter().nth(rng.below(n as u64) as usize),
            Set::Table(t) => t.random(rng).map(|(_, m)| Member::Str(m)),
        }
    }

    /// Removes and returns a random member.
    pub fn pop_random(&mut self, rng: &mut Rng) -> Option<Vec<u8>> {
        let m = self.random(rng)?.to_vec();
        self.remove(&m);
        Some(m)
    }

    /// SSCAN: the small encodings answer whole with cursor 0 (as Redis); a hashtable visits
    /// slots from `cursor`. The next cursor, 0 when done.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(Member)) -> u64 {
        match self {
            Set::Table(t) => t.scan(cursor, count, |m| f(Member::Str(m))),
            _ => {
                self.iter().for_each(f);
                0
            }
        }
    }

    /// Approximate heap bytes (MEMORY USAGE), sampling a hashtable's members.
    pub fn mem_usage(&self, samples: usize) -> usize {
        match self {
            Set::Intset(is) => is.0.len(),
            Set::Listpack(lp) => lp.bytes(),
            Set::Table(t) => t.mem_usage(samples, |m| m.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const SMALL: Limits = Limits {
        max_intset: 6,
        max_listpack_entries: 4,
        max_listpack_value: 5,
    };

    #[test]
    fn encodings_as_redis_chooses_them() {
        let mut s = Set::new_for(b"1", 1, SMALL);
        assert_eq!(s.encoding(), "intset");
        for m in ["3", "-1", "70000", "1"] {
            s.insert(m.as_bytes(), SMALL);
        }
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [
                Member::Int(-1),
                Member::Int(1),
                Member::Int(3),
                Member::Int(70000)
            ]
        );
        // "01" is not an integer member: with 4 members already, past the listpack bound.
        assert!(s.insert(b"01", SMALL));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"70000") && s.contains(b"01") && !s.contains(b"1 "));

        let mut s = Set::new_for(b"1", 1, SMALL);
        s.insert(b"1", SMALL);
        s.insert(b"a", SMALL);
        assert_eq!(s.encoding(), "listpack");
        assert_eq!(
            s.iter().map(|m| m.to_vec()).collect::<Vec<_>>(),
            [b"1".to_vec(), b"a".to_vec()]
        );
        // A widest integer longer than the value bound forbids the listpack.
        let mut s = Set::new_intset();
        s.insert(b"123456", SMALL);
        s.insert(b"a", SMALL);
        assert_eq!(s.encoding(), "hashtable");
        // Past the intset bound.
        let mut s = Set::new_intset();
        for i in 0..7 {
            s.insert(i.to_string().as_bytes(), SMALL);
        }
        assert_eq!(s.encoding(), "hashtable");
        s.maybe_convert_to_intset(Limits {
            max_intset: 10,
            ..SMALL
        });
        assert_eq!((s.encoding(), s.len()), ("intset", 7));
    }

    #[test]
    fn intset_widens() {
        let mut is = IntSet::new();
        for v in [5, -3, i64::MAX, i64::MIN, 40000, 0] {
            assert!(is.insert(v));
        }
        assert!(!is.insert(40000));
        assert_eq!(is.width(), 8);
        assert_eq!(
            is.iter().collect::<Vec<_>>(),
            [i64::MIN, -3, 0, 5, 40000, i64::MAX]
        );
        assert!(is.remove(i64::MIN) && !is.remove(7));
        assert!(is.contains(i64::MAX) && !is.contains(i64::MIN));
    }

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((0u8..3, 0u8..20), 1..200)) {
            let mut s = Set::new_for(b"0", 1, SMALL);
            let mut m: BTreeSet<Vec<u8>> = BTreeSet::new();
            let mut rng = crate::util::Rng::new(7);
            for (op, k) in ops {
                // Integers, non-canonical integers and strings, some too long for a listpack.
                let member = match k % 4 {
                    0 | 1 => format!("{}", k as i64 * 1000 - 7000).into_bytes(),
                    2 => format!("0{k}").into_bytes(),
                    _ => vec![b'x'; k as usize / 2],
                };
                match op {
                    0 | 1 => prop_assert_eq!(s.insert(&member, SMALL), m.insert(member.clone())),
                    _ => match s.pop_random(&mut rng) {
                        Some(p) => prop_assert!(m.remove(&p)),
                        None => prop_assert!(m.is_empty()),
                    },
                }
                prop_assert_eq!(s.len(), m.len());
                let all: BTreeSet<Vec<u8>> = s.iter().map(|x| x.to_vec()).collect();
                prop_assert_eq!(&all, &m);
                for x in &m {
                    prop_assert!(s.contains(x));
                }
                if let Set::Intset(is) = &s {
                    let v: Vec<i64> = is.iter().collect();
                    prop_assert!(v.windows(2).all(|w| w[0] < w[1]));
                }
            }
        }
    }
}
