//! The sorted set type, in Redis's two encodings (OBJECT ENCODING names them):
//!
//! ```text
//!  listpack   records `member, score` (the score as 8 bytes, an f64 LE) in (score, member)
//!             order, in one buffer (`types::listpack`)
//!  skiplist   a member table and an order index:
//!               members: SlotTable<ZRec{member, score}>   member → slot, score  (ZSCORE: O(1))
//!               tree:    order-statistic B+tree of (score, slot)                (`tree.rs`)
//! ```
//!
//! - Order is by score, then by member bytes (memcmp), as Redis's; -0 and 0 compare equal
//!   (the tie goes to the member), NaN never enters (commands refuse it).
//! - A sorted set is `listpack` while it has at most `zset-max-listpack-entries` members of
//!   at most `zset-max-listpack-value` bytes; the insert that passes either bound converts it
//!   to `skiplist` for good (commands that build a new set, the *STORE family, pick the
//!   encoding for the result as Redis does).
//! - Everything positional goes through ranks: `rank_where` finds a partition point of a
//!   monotone predicate over (score, member), and `walk` visits from a rank up or down. Score
//!   and lex ranges are two partition points; pops and rank ranges are ranks.
//! - The listpack keeps -0 as 0 (Valkey's listpack does); the skiplist keeps the sign.
//! - Invariants: the table and the index hold the same members (same slot, same score); the
//!   index is in order; no member twice.

pub mod tree;

use std::cmp::Ordering;
use std::sync::Arc;

use super::listpack::{Listpack, Span};
use super::slot_table::{Record, SlotTable};
use tree::{Key, Tree};

/// `zset-max-listpack-entries`, `zset-max-listpack-value`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

/// A member and its score, in the skiplist's table.
#[derive(Debug, Clone)]
pub struct ZRec {
    member: Box<[u8]>,
    score: f64,
}

impl Record for ZRec {
    fn key(&self) -> &[u8] {
        &self.member
    }
}

#[derive(Debug, Clone, Default)]
pub struct SkipList {
    members: SlotTable<ZRec>,
    tree: Tree,
}

/// Redis's order: score, then member bytes.
pub fn order(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    match s1.partial_cmp(&s2) {
        Some(Ordering::Equal) | None => m1.cmp(m2),
        Some(o) => o,
    }
}

impl SkipList {
    fn member(&self, slot: u32) -> &[u8] {
        &self
            .members
            .slot(slot as usize)
            .expect("indexed slot")
            .member
    }

    fn key_cmp(&self, a: Key, score: f64, member: &[u8]) -> Ordering {
        order(a.score(), self.member(a.slot()), score, member)
    }

    /// The rank of (score, member) in the index (where it is, or would go).
    fn rank_of(&self, score: f64, member: &[u8]) -> usize {
        self.tree
            .rank_where(|k| self.key_cmp(k, score, member) == Ordering::Less)
    }

    fn insert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        if let Some(i) = self.members.find(member) {
            let old = self.members.slot(i).expect("found").score;
            // Redis compares scores as numbers: -0 does not replace 0.
            if old == score {
                return Some(old);
            }
            let r = self.rank_of(old, member);
            self.tree.remove_at(r);
            self.members.slot_mut(i).expect("found").score = score;
            let r = self.rank_of(score, member);
            self.tree.insert_at(r, Key::new(score, i as u32));
            return Some(old);
        }
        let r = self.rank_of(score, member);
        let slot = self.members.insert_new(ZRec {
            member: member.into(),
            score,
        });
        self.tree.insert_at(r, Key::new(score, slot as u32));
        None
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.members.get(member)?.score;
        let r = self.rank_of(score, member);
        self.tree.remove_at(r);
        self.members.remove(member);
        Some(score)
    }

    fn remove_rank(&mut self, r: usize) {
        let k = self.tree.remove_at(r);
        let m = self.member(k.slot()).to_vec();
        self.members.remove(&m);
    }
}

#[derive(Debug, Clone)]
pub enum ZSet {
    Listpack(Listpack),
    /// Shared with a snapshot until the next write (as hashes and sets).
    SkipList(Arc<SkipList>),
}

fn score_bytes(s: f64) -> [u8; 8] {
    s.to_le_bytes()
}

fn score_of(b: &[u8]) -> f64 {
    f64::from_le_bytes(b.try_into().expect("an 8-byte score"))
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl ZSet {
    pub fn new() -> ZSet {
        ZSet::Listpack(Listpack::new())
    }

    /// `zsetTypeCreate`: an empty set for about `size_hint` members of at most
    /// `max_len` bytes.
    pub fn with_hint(size_hint: usize, max_len: usize, limits: Limits) -> ZSet {
        if size_hint <= limits.max_entries && max_len <= limits.max_value {
            ZSet::new()
        } else {
            ZSet::SkipList(Arc::default())
        }
    }

    /// `zsetTypeMaybeConvert`: a listpack that `size_hint` members or one of `max_len`
    /// bytes would overflow converts now.
    pub fn maybe_convert(&mut self, size_hint: usize, max_len: usize, limits: Limits) {
        if matches!(self, ZSet::Listpack(_))
            && (size_hint > limits.max_entries || max_len > limits.max_value)
        {
            self.convert_to_skiplist();
        }
    }

    /// `zsetConvertToListpackIfNeeded`: a new set (a *STORE result) that fits a listpack
    /// becomes one.
    pub fn shrink_if_fits(&mut self, limits: Limits) {
        if let ZSet::SkipList(_) = self {
            let mut fits = self.len() <= limits.max_entries;
            if fits {
                self.walk(0, false, |m, _| {
                    fits = m.len() <= limits.max_value;
                    fits
                });
            }
            if fits {
                let mut lp = Listpack::new();
                self.walk(0, false, |m, s| {
                    lp.push(&[m, &score_bytes(s)]);
                    true
                });
                *self = ZSet::Listpack(lp);
            }
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::SkipList(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.len(),
            ZSet::SkipList(z) => z.tree.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => lp.find::<2>(member).map(|(_, [_, s])| score_of(s)),
            ZSet::SkipList(z) => z.members.get(member).map(|r| r.score),
        }
    }

    fn convert_to_skiplist(&mut self) {
        if let ZSet::Listpack(lp) = self {
            let mut z = SkipList {
                members: SlotTable::with_capacity(lp.len() + 1),
                tree: Tree::default(),
            };
            // Already in order: each goes at the end.
            for (r, [m, s]) in lp.iter::<2>().enumerate() {
                let score = score_of(s);
                let slot = z.members.insert_new(ZRec {
                    member: m.into(),
                    score,
                });
                z.tree.insert_at(r, Key::new(score, slot as u32));
            }
            *self = ZSet::SkipList(Arc::new(z));
        }
    }

    /// Sets `member`'s score (adding it); the old score if it was there. Converts a
    /// listpack that a new member would overflow.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) -> Option<f64> {
        if let ZSet::Listpack(lp) = self {
            let old = lp
                .find::<2>(member)
                .map(|(span, [_, s])| (span, score_of(s)));
            if old.is_none()
                && (lp.len() + 1 > limits.max_entries || member.len() > limits.max_value)
            {
                self.convert_to_skiplist();
                return self.insert(member, score, limits);
            }
            // The listpack keeps -0 as 0.
            let score = if score == 0.0 { 0.0 } else { score };
            if let Some((span, s)) = old {
                if s == score {
                    return Some(s);
                }
                lp.remove(span);
            }
            let at = lp
                .spans::<2>()
                .find(|(_, [m, s])| order(score_of(s), m, score, member) == Ordering::Greater)
                .map_or(lp.bytes(), |(sp, _)| sp.start);
            lp.splice(
                Span { start: at, end: at },
                0,
                &[&[member, &score_bytes(score)]],
            );
            return old.map(|(_, s)| s);
        }
        match self {
            ZSet::SkipList(z) => Arc::make_mut(z).insert(member, score),
            ZSet::Listpack(_) => unreachable!("handled above"),
        }
    }

    /// Removes `member`; its score if it was there.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => {
                let (span, [_, s]) = lp.find::<2>(member)?;
                let s = score_of(s);
                lp.remove(span);
                Some(s)
            }
            ZSet::SkipList(z) => {
                z.members.find(member)?;
                Arc::make_mut(z).remove(member)
            }
        }
    }

    /// The rank of `member` (ascending), with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        match self {
            ZSet::Listpack(lp) => lp
                .iter::<2>()
                .position(|[m, _]| m == member)
                .map(|r| (r, self.score(member).expect("found"))),
            ZSet::SkipList(z) => {
                let s = z.members.get(member)?.score;
                Some((z.rank_of(s, member), s))
            }
        }
    }

    /// The number of members, in order, for which `before(score, member)` holds: a
    /// partition point (the predicate must be monotone).
    pub fn rank_where(&self, mut before: impl FnMut(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Listpack(lp) => lp
                .iter::<2>()
                .take_while(|[m, s]| before(score_of(s), m))
                .count(),
            ZSet::SkipList(z) => z.tree.rank_where(|k| before(k.score(), z.member(k.slot()))),
        }
    }

    /// The member at rank `r` (< len) and its score.
    pub fn get(&self, r: usize) -> (&[u8], f64) {
        match self {
            ZSet::Listpack(lp) => {
                let [m, s] = lp.iter::<2>().nth(r).expect("rank in range");
                (m, score_of(s))
            }
            ZSet::SkipList(z) => {
                let k = z.tree.get(r);
                (z.member(k.slot()), k.score())
            }
        }
    }

    /// Visits members from rank `r` up (down to rank 0 when `rev`) while `f` says go on.
    pub fn walk<'a>(&'a self, r: usize, rev: bool, mut f: impl FnMut(&'a [u8], f64) -> bool) {
        match self {
            ZSet::Listpack(lp) => {
                if rev {
                    let all: Vec<[&[u8]; 2]> = lp.iter::<2>().take(r + 1).collect();
                    for [m, s] in all.into_iter().rev() {
                        if !f(m, score_of(s)) {
                            return;
                        }
                    }
                } else {
                    for [m, s] in lp.iter::<2>().skip(r) {
                        if !f(m, score_of(s)) {
                            return;
                        }
                    }
                }
            }
            ZSet::SkipList(z) => z.tree.walk(r, rev, |k| f(z.member(k.slot()), k.score())),
        }
    }

    /// Removes the members of ranks `lo..hi`.
    pub fn remove_ranks(&mut self, lo: usize, hi: usize) {
        if lo >= hi {
            return;
        }
        match self {
            ZSet::Listpack(lp) => {
                let spans: Vec<Span> = lp
                    .spans::<2>()
                    .skip(lo)
                    .take(hi - lo)
                    .map(|(s, _)| s)
                    .collect();
                lp.remove_many(&spans);
            }
            ZSet::SkipList(z) => {
                let z = Arc::make_mut(z);
                for _ in lo..hi {
                    z.remove_rank(lo);
                }
            }
        }
    }

    /// ZSCAN: a listpack answers whole with cursor 0; a skiplist scans its member table.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            ZSet::Listpack(lp) => {
                for [m, s] in lp.iter::<2>() {
                    f(m, score_of(s));
                }
                0
            }
            ZSet::SkipList(z) => z.members.scan(cursor, count, |r| f(&r.member, r.score)),
        }
    }

    /// A uniformly random rank.
    pub fn random_rank(&self, rng: &mut crate::util::Rng) -> Option<usize> {
        let n = self.len();
        (n > 0).then(|| rng.below(n as u64) as usize)
    }

    /// Approximate heap bytes (MEMORY USAGE), sampling a skiplist's members.
    pub fn mem_usage(&self, samples: usize) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.bytes(),
            ZSet::SkipList(z) => {
                z.members.mem_usage(samples, |r| r.member.len()) + z.tree.mem_usage()
            }
        }
    }

    /// Checks the invariants (tests).
    #[cfg(test)]
    pub fn check(&self) {
        match self {
            ZSet::Listpack(lp) => {
                let v: Vec<[&[u8]; 2]> = lp.iter::<2>().collect();
                assert!(v.windows(2).all(|w| order(
                    score_of(w[0][1]),
                    w[0][0],
                    score_of(w[1][1]),
                    w[1][0]
                ) == Ordering::Less));
            }
            ZSet::SkipList(z) => {
                z.members.check();
                assert_eq!(z.members.len(), z.tree.len());
                z.tree.check(&|a: Key, b: Key| {
                    order(a.score(), z.member(a.slot()), b.score(), z.member(b.slot()))
                });
                z.tree.walk(0, false, |k| {
                    assert_eq!(
                        z.members.slot(k.slot() as usize).unwrap().score.to_bits(),
                        k.score().to_bits()
                    );
                    true
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const SMALL: Limits = Limits {
        max_entries: 8,
        max_value: 6,
    };

    fn model_order(m: &BTreeMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<(Vec<u8>, f64)> = m.iter().map(|(k, s)| (k.clone(), *s)).collect();
        v.sort_by(|a, b| order(a.1, &a.0, b.1, &b.0));
        v
    }

    #[test]
    fn listpack_converts_and_keeps_order() {
        let mut z = ZSet::new();
        assert_eq!(z.insert(b"b", 1.0, SMALL), None);
        assert_eq!(z.insert(b"a", 1.0, SMALL), None);
        assert_eq!(z.insert(b"c", -1.0, SMALL), None);
        assert_eq!(z.insert(b"a", 5.0, SMALL), Some(1.0));
        let mut all = Vec::new();
        z.walk(0, false, |m, s| {
            all.push((m.to_vec(), s));
            true
        });
        assert_eq!(
            all,
            [
                (b"c".to_vec(), -1.0),
                (b"b".to_vec(), 1.0),
                (b"a".to_vec(), 5.0)
            ]
        );
        assert_eq!(z.rank(b"a"), Some((2, 5.0)));
        z.insert(b"toolong", 0.0, SMALL);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.rank(b"a"), Some((3, 5.0)));
        assert_eq!(z.rank_where(|s, _| s < 1.0), 2);
        z.check();
        z.shrink_if_fits(Limits {
            max_entries: 8,
            max_value: 10,
        });
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(z.get(1), (&b"toolong"[..], 0.0));
    }

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((0u8..5, 0u8..30, -3i8..4), 1..400)) {
            let mut z = ZSet::new();
            let mut m: BTreeMap<Vec<u8>, f64> = BTreeMap::new();
            for (op, k, s) in ops {
                let member = if k % 7 == 0 { format!("long-{k}") } else { format!("m{k}") }.into_bytes();
                let score = s as f64 / 2.0;
                match op {
                    0..=2 => {
                        prop_assert_eq!(z.insert(&member, score, SMALL), m.insert(member.clone(), score));
                    }
                    3 => prop_assert_eq!(z.remove(&member), m.remove(&member)),
                    _ => {
                        // Remove a rank range of up to 3.
                        let n = m.len();
                        if n > 0 {
                            let lo = k as usize % n;
                            let hi = (lo + 3).min(n);
                            let order = model_order(&m);
                            for (mm, _) in &order[lo..hi] {
                                m.remove(mm);
                            }
                            z.remove_ranks(lo, hi);
                        }
                    }
                }
                z.check();
                prop_assert_eq!(z.len(), m.len());
                let want = model_order(&m);
                let mut got = Vec::new();
                z.walk(0, false, |mm, s| { got.push((mm.to_vec(), s)); true });
                prop_assert_eq!(&got, &want);
                for (r, (mm, s)) in want.iter().enumerate() {
                    prop_assert_eq!(z.rank(mm), Some((r, *s)));
                    prop_assert_eq!(z.score(mm), Some(*s));
                }
                if let Some(last) = want.len().checked_sub(1) {
                    let mut rev = Vec::new();
                    z.walk(last, true, |mm, _| { rev.push(mm.to_vec()); true });
                    prop_assert_eq!(rev.len(), want.len());
                }
            }
        }
    }
}
