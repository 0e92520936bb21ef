//! The order index of a large sorted set: a B+tree counted by subtree size (an
//! order-statistic tree), Redis's skiplist in spirit: rank, insert, delete in O(log N),
//! ranges in O(log N + M).
//!
//! ```text
//!                 Inner [ counts: 64 | 60 | 37 ]  [ lasts: (1.5,s9) | (7,s2) | (9,s4) ]
//!                 /            |             \
//!   Leaf [(0,s3) (1,s7) .. (1.5,s9)]  Leaf [..]  Leaf [..]      keys: (score, slot)
//! ```
//!
//! - A key is a score and the member's slot in the set's member table; the tree never holds
//!   member bytes. Order is (score, member): callers compare through their table, so every
//!   search takes a `before` predicate (true for the keys that sort before the target) and
//!   the tree finds its partition point. The predicate must be monotone over the order.
//! - Inner nodes keep each child's key count and last key: rank is a sum of counts on the
//!   way down, and a search descends into the first child whose last key is not before the
//!   target. Every change refreshes the counts and last keys along its path, so a stale
//!   last key never survives (a removed member's slot may be reused).
//! - Leaves hold at most `LEAF_MAX` keys in one allocation of exactly that many (12 bytes a
//!   key: 768 bytes, a jemalloc size class). A full leaf splits in half, except at its ends:
//!   keys arriving in order (timestamps as scores, the common queue case) leave full leaves
//!   behind them. Underfull neighbours merge when they fit one node.
//! - Invariants (checked by `check`): all leaves at one depth; counts and lasts exact; keys
//!   in order; no empty node except an empty root leaf.

#[cfg(test)]
use std::cmp::Ordering;

/// One index entry: a score and the member's slot. Packed: 12 bytes, not 16.
#[derive(Debug, Clone, Copy)]
#[repr(C, packed)]
pub struct Key {
    pub score: f64,
    pub slot: u32,
}

impl Key {
    pub fn new(score: f64, slot: u32) -> Key {
        Key { score, slot }
    }
    pub fn score(self) -> f64 {
        self.score
    }
    pub fn slot(self) -> u32 {
        self.slot
    }
}

const LEAF_MAX: usize = 64;
const INNER_MAX: usize = 64;
/// A child this small tries to merge with a neighbour.
const MERGE_BELOW: usize = 16;

#[derive(Debug, Clone)]
enum Node {
    Leaf(Vec<Key>),
    Inner(Box<Inner>),
}

#[derive(Debug, Clone, Default)]
struct Inner {
    children: Vec<Node>,
    counts: Vec<usize>,
    lasts: Vec<Key>,
    total: usize,
}

impl Node {
    fn len(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(i) => i.total,
        }
    }

    fn last(&self) -> Option<Key> {
        match self {
            Node::Leaf(v) => v.last().copied(),
            Node::Inner(i) => i.lasts.last().copied(),
        }
    }

    /// Width: keys of a leaf, children of an inner node.
    fn width(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(i) => i.children.len(),
        }
    }
}

fn new_leaf() -> Vec<Key> {
    Vec::with_capacity(LEAF_MAX)
}

impl Inner {
    fn refresh(&mut self, j: usize) {
        self.counts[j] = self.children[j].len();
        self.lasts[j] = self.children[j].last().expect("children are never empty");
    }

    fn push_child(&mut self, at: usize, child: Node) {
        self.total += child.len();
        self.counts.insert(at, child.len());
        self.lasts
            .insert(at, child.last().expect("children are never empty"));
        self.children.insert(at, child);
    }

    /// The child holding rank `r` (or the last child for `r == total`), and `r` within it.
    fn child_at(&self, mut r: usize) -> (usize, usize) {
        let last = self.children.len() - 1;
        for (j, &c) in self.counts.iter().enumerate() {
            if r < c || j == last {
                return (j, r);
            }
            r -= c;
        }
        unreachable!("an inner node has children")
    }
}

/// Inserts `key` at rank `r` of `node`; a right sibling split off, if the node overflowed.
fn insert_at(node: &mut Node, r: usize, key: Key) -> Option<Node> {
    match node {
        Node::Leaf(v) => {
            if v.len() < LEAF_MAX {
                v.insert(r, key);
                return None;
            }
            let mut right = new_leaf();
            if r == v.len() {
                right.push(key);
            } else if r == 0 {
                right.extend_from_slice(v);
                v.clear();
                v.push(key);
            } else {
                let mid = LEAF_MAX / 2;
                right.extend_from_slice(&v[mid..]);
                v.truncate(mid);
                if r <= mid {
                    v.insert(r, key);
                } else {
                    right.insert(r - mid, key);
                }
            }
            Some(Node::Leaf(right))
        }
        Node::Inner(inner) => {
            let (j, rr) = inner.child_at(r);
            let split = insert_at(&mut inner.children[j], rr, key);
            inner.total += 1;
            inner.refresh(j);
            if let Some(s) = split {
                inner.total -= s.len();
                inner.refresh(j);
                inner.push_child(j + 1, s);
            }
            if inner.children.len() <= INNER_MAX {
                return None;
            }
            let mid = inner.children.len() / 2;
            let mut right = Inner {
                children: inner.children.split_off(mid),
                counts: inner.counts.split_off(mid),
                lasts: inner.lasts.split_off(mid),
                total: 0,
            };
            right.total = right.counts.iter().sum();
            inner.total -= right.total;
            Some(Node::Inner(Box::new(right)))
        }
    }
}

/// Removes and returns the key at rank `r` of `node`.
fn remove_at(node: &mut Node, r: usize) -> Key {
    match node {
        Node::Leaf(v) => v.remove(r),
        Node::Inner(inner) => {
            let (j, rr) = inner.child_at(r);
            let key = remove_at(&mut inner.children[j], rr);
            inner.total -= 1;
            if inner.children[j].len() == 0 {
                inner.children.remove(j);
                inner.counts.remove(j);
                inner.lasts.remove(j);
                return key;
            }
            inner.refresh(j);
            if inner.children[j].width() < MERGE_BELOW {
                merge_around(inner, j);
            }
            key
        }
    }
}

/// Merges child `j` into a neighbour when both fit one node.
fn merge_around(inner: &mut Inner, j: usize) {
    let max = |n: &Node| match n {
        Node::Leaf(_) => LEAF_MAX,
        Node::Inner(_) => INNER_MAX,
    };
    let pair = if j + 1 < inner.children.len()
        && inner.children[j].width() + inner.children[j + 1].width() <= max(&inner.children[j])
    {
        Some(j)
    } else if j > 0
        && inner.children[j - 1].width() + inner.children[j].width() <= max(&inner.children[j])
    {
        Some(j - 1)
    } else {
        None
    };
    let Some(l) = pair else { return };
    let right = inner.children.remove(l + 1);
    inner.counts.remove(l + 1);
    inner.lasts.remove(l + 1);
    match (&mut inner.children[l], right) {
        (Node::Leaf(a), Node::Leaf(b)) => a.extend_from_slice(&b),
        (Node::Inner(a), Node::Inner(b)) => {
            let b = *b;
            a.total += b.total;
            a.children.extend(b.children);
            a.counts.extend(b.counts);
            a.lasts.extend(b.lasts);
        }
        _ => unreachable!("siblings are at one depth"),
    }
    inner.refresh(l);
}

/// The number of keys of `node` for which `before` holds (they come first).
fn partition(node: &Node, before: &mut impl FnMut(Key) -> bool) -> usize {
    match node {
        Node::Leaf(v) => v.partition_point(|&k| before(k)),
        Node::Inner(inner) => {
            let mut skipped = 0;
            for (j, &last) in inner.lasts.iter().enumerate() {
                if !before(last) {
                    return skipped + partition(&inner.children[j], before);
                }
                skipped += inner.counts[j];
            }
            skipped
        }
    }
}

fn get(node: &Node, r: usize) -> Key {
    match node {
        Node::Leaf(v) => v[r],
        Node::Inner(inner) => {
            let (j, rr) = inner.child_at(r);
            get(&inner.children[j], rr)
        }
    }
}

/// Visits keys from rank `r` on (downwards to rank 0 when `rev`) until `f` says stop;
/// false if it did.
fn walk(node: &Node, r: usize, rev: bool, f: &mut impl FnMut(Key) -> bool) -> bool {
    match node {
        Node::Leaf(v) => {
            if rev {
                v[..=r].iter().rev().all(|&k| f(k))
            } else {
                v[r..].iter().all(|&k| f(k))
            }
        }
        Node::Inner(inner) => {
            let (j, rr) = inner.child_at(r);
            if !walk(&inner.children[j], rr, rev, f) {
                return false;
            }
            if rev {
                (0..j)
                    .rev()
                    .all(|i| walk(&inner.children[i], inner.counts[i] - 1, true, f))
            } else {
                (j + 1..inner.children.len()).all(|i| walk(&inner.children[i], 0, false, f))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tree {
    root: Node,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            root: Node::Leaf(new_leaf()),
        }
    }
}

impl Tree {
    pub fn len(&self) -> usize {
        self.root.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The partition point of `before`: the rank of the first key it does not hold for.
    pub fn rank_where(&self, mut before: impl FnMut(Key) -> bool) -> usize {
        partition(&self.root, &mut before)
    }

    pub fn get(&self, r: usize) -> Key {
        get(&self.root, r)
    }

    /// Inserts `key` at rank `r` (its place in the order: the caller found it with
    /// [`Tree::rank_where`]).
    pub fn insert_at(&mut self, r: usize, key: Key) {
        if let Some(right) = insert_at(&mut self.root, r, key) {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            let mut inner = Inner::default();
            inner.push_child(0, left);
            inner.push_child(1, right);
            self.root = Node::Inner(Box::new(inner));
        }
    }

    pub fn remove_at(&mut self, r: usize) -> Key {
        let key = remove_at(&mut self.root, r);
        // A root with one child is replaced by the child, so depth follows size.
        loop {
            match &mut self.root {
                Node::Inner(inner) if inner.children.len() == 1 => {
                    self.root = inner.children.pop().expect("one child");
                }
                Node::Inner(inner) if inner.children.is_empty() => {
                    self.root = Node::Leaf(new_leaf());
                }
                _ => break,
            }
        }
        key
    }

    /// Visits keys from rank `r` upwards (downwards when `rev`) while `f` returns true.
    pub fn walk(&self, r: usize, rev: bool, mut f: impl FnMut(Key) -> bool) {
        if r < self.len() {
            walk(&self.root, r, rev, &mut f);
        }
    }

    /// Approximate heap bytes.
    pub fn mem_usage(&self) -> usize {
        fn node(n: &Node) -> usize {
            match n {
                Node::Leaf(v) => v.capacity() * std::mem::size_of::<Key>(),
                Node::Inner(i) => {
                    std::mem::size_of::<Inner>()
                        + i.children.capacity() * (std::mem::size_of::<Node>() + 20)
                        + i.children.iter().map(node).sum::<usize>()
                }
            }
        }
        node(&self.root)
    }

    /// Checks the invariants against `cmp`, the order (tests).
    #[cfg(test)]
    pub fn check(&self, cmp: &impl Fn(Key, Key) -> Ordering) {
        fn depth_and_check(n: &Node, is_root: bool, cmp: &impl Fn(Key, Key) -> Ordering) -> usize {
            match n {
                Node::Leaf(v) => {
                    assert!(is_root || !v.is_empty());
                    assert!(v.len() <= LEAF_MAX);
                    assert!(v.windows(2).all(|w| cmp(w[0], w[1]) == Ordering::Less));
                    0
                }
                Node::Inner(i) => {
                    assert!(!i.children.is_empty() && i.children.len() <= INNER_MAX);
                    assert!(!is_root || i.children.len() > 1);
                    assert_eq!(i.total, i.counts.iter().sum::<usize>());
                    let mut depth = None;
                    for (j, c) in i.children.iter().enumerate() {
                        assert_eq!(i.counts[j], c.len());
                        assert_eq!(cmp(i.lasts[j], c.last().unwrap()), Ordering::Equal);
                        let d = depth_and_check(c, false, cmp);
                        assert!(depth.is_none_or(|x| x == d), "leaves at one depth");
                        depth = Some(d);
                    }
                    depth.unwrap() + 1
                }
            }
        }
        depth_and_check(&self.root, true, cmp);
        let mut prev: Option<Key> = None;
        let mut n = 0;
        self.walk(0, false, |k| {
            if let Some(p) = prev {
                assert_eq!(cmp(p, k), Ordering::Less);
            }
            prev = Some(k);
            n += 1;
            true
        });
        assert_eq!(n, self.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// Slots double as members here: order by (score, slot).
    fn cmp(a: Key, b: Key) -> Ordering {
        a.score()
            .partial_cmp(&b.score())
            .unwrap()
            .then(a.slot().cmp(&b.slot()))
    }

    fn insert(t: &mut Tree, k: Key) {
        let r = t.rank_where(|x| cmp(x, k) == Ordering::Less);
        t.insert_at(r, k);
    }

    #[test]
    fn ordered_inserts_fill_leaves() {
        let mut t = Tree::default();
        for i in 0..10_000u32 {
            insert(&mut t, Key::new(i as f64, i));
        }
        t.check(&cmp);
        // Appends leave full leaves: about 12 bytes a key, not 24.
        assert!(t.mem_usage() < 10_000 * 14, "{}", t.mem_usage());
        assert_eq!(t.get(4321).slot(), 4321);
        assert_eq!(t.rank_where(|k| k.score() < 5000.5), 5001);
        let mut seen = Vec::new();
        t.walk(9_998, false, |k| {
            seen.push(k.slot());
            true
        });
        assert_eq!(seen, [9_998, 9_999]);
        seen.clear();
        t.walk(65, true, |k| {
            seen.push(k.slot());
            seen.len() < 3
        });
        assert_eq!(seen, [65, 64, 63]);
        for i in (0..10_000).rev() {
            assert_eq!(t.remove_at(i).slot(), i as u32);
        }
        assert!(t.is_empty());
        t.check(&cmp);
    }

    proptest! {
        #[test]
        fn model_based(ops in prop::collection::vec((any::<bool>(), 0u32..3000, 0u8..4), 1..1500)) {
            let mut t = Tree::default();
            let mut m: BTreeSet<(u64, u32)> = BTreeSet::new();
            for (add, slot, s) in ops {
                let score = s as f64;
                let k = Key::new(score, slot);
                let present = m.contains(&(s as u64, slot));
                if add && !present {
                    insert(&mut t, k);
                    m.insert((s as u64, slot));
                } else if !add && present {
                    let r = t.rank_where(|x| cmp(x, k) == Ordering::Less);
                    let got = t.remove_at(r);
                    prop_assert_eq!(got.slot(), slot);
                    m.remove(&(s as u64, slot));
                }
                prop_assert_eq!(t.len(), m.len());
            }
            t.check(&cmp);
            let all: Vec<(u64, u32)> = {
                let mut v = Vec::new();
                t.walk(0, false, |k| { v.push((k.score() as u64, k.slot())); true });
                v
            };
            prop_assert_eq!(all, m.iter().copied().collect::<Vec<_>>());
            for (r, &(s, slot)) in m.iter().enumerate().step_by(37) {
                prop_assert_eq!(t.get(r).slot(), slot);
                prop_assert_eq!(t.rank_where(|x| cmp(x, Key::new(s as f64, slot)) == Ordering::Less), r);
            }
        }
    }
}
