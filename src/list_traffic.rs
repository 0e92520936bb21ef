//! Elements pushed to and popped from each list since start: the dashboard's push and pop
//! rates for lists used as queues.
//!
//! Kept beside the keyspace, not in the lists: a queue drained by its workers is deleted
//! the moment it is empty (as Redis deletes empty lists) and made again by the next push,
//! so counters inside the value would restart at every drain and give no rate at all.
//!
//! Invariants:
//! - Counting is off until the HTTP listener turns it on ([`ListTraffic::enable`]): a server
//!   without the dashboard pays one branch per push or pop, nothing else.
//! - At most [`MAX_KEYS`] keys are tracked over all databases; keys first pushed after that
//!   are not (their lists show without rates), so the table cannot grow with the keyspace.
//!   FLUSHDB/FLUSHALL forget a database's keys; SWAPDB swaps them with the data.
//! - Counts only grow (a restart starts from zero; the AOF load is not counted).

use bytes::Bytes;
use hashbrown::HashMap;

/// Keys tracked at most, over all databases.
pub const MAX_KEYS: usize = 10_000;

/// One list's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pushed: u64,
    pub popped: u64,
}

#[derive(Debug, Default)]
pub struct ListTraffic {
    /// Per database; empty while counting is off.
    dbs: Vec<HashMap<Bytes, Counts>>,
    tracked: usize,
}

impl ListTraffic {
    /// Starts counting, for `databases` databases.
    pub fn enable(&mut self, databases: usize) {
        if self.dbs.is_empty() {
            self.dbs = (0..databases).map(|_| HashMap::new()).collect();
        }
    }

    pub fn is_on(&self) -> bool {
        !self.dbs.is_empty()
    }

    /// `pushed` elements pushed to and `popped` popped from `key` of `db`.
    pub fn note(&mut self, db: usize, key: &[u8], pushed: u64, popped: u64) {
        let Some(map) = self.dbs.get_mut(db) else {
            return;
        };
        let c = match map.get_mut(key) {
            Some(c) => c,
            None if self.tracked < MAX_KEYS => {
                self.tracked += 1;
                map.entry(Bytes::copy_from_slice(key)).or_default()
            }
            None => return,
        };
        c.pushed += pushed;
        c.popped += popped;
    }

    pub fn get(&self, db: usize, key: &[u8]) -> Option<Counts> {
        self.dbs.get(db)?.get(key).copied()
    }

    /// Every tracked key of `db` with its counts.
    pub fn of_db(&self, db: usize) -> impl Iterator<Item = (&Bytes, Counts)> {
        self.dbs.get(db).into_iter().flatten().map(|(k, c)| (k, *c))
    }

    /// FLUSHDB: `db`'s keys are gone, and so are their counts.
    pub fn forget_db(&mut self, db: usize) {
        if let Some(map) = self.dbs.get_mut(db) {
            self.tracked -= map.len();
            map.clear();
        }
    }

    pub fn swap_db(&mut self, a: usize, b: usize) {
        if a < self.dbs.len() && b < self.dbs.len() {
            self.dbs.swap(a, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_nothing_but_a_flush_and_stop_at_the_cap() {
        let mut t = ListTraffic::default();
        t.note(0, b"q", 1, 0);
        assert_eq!(t.get(0, b"q"), None, "off until enabled");
        t.enable(2);
        t.note(0, b"q", 3, 0);
        t.note(0, b"q", 0, 2);
        assert_eq!(
            t.get(0, b"q"),
            Some(Counts {
                pushed: 3,
                popped: 2
            })
        );
        t.swap_db(0, 1);
        assert_eq!(t.get(0, b"q"), None);
        assert_eq!(t.get(1, b"q").map(|c| c.pushed), Some(3));
        t.forget_db(1);
        assert_eq!(t.get(1, b"q"), None);
        for i in 0..MAX_KEYS + 5 {
            t.note(0, format!("k{i}").as_bytes(), 1, 0);
        }
        assert_eq!(t.of_db(0).count(), MAX_KEYS);
        assert_eq!(t.get(0, format!("k{}", MAX_KEYS + 1).as_bytes()), None);
        // Tracked keys keep counting at the cap.
        t.note(0, b"k0", 1, 1);
        assert_eq!(t.get(0, b"k0").map(|c| (c.pushed, c.popped)), Some((2, 1)));
        t.note(9, b"q", 1, 0); // no such database: ignored
    }
}
