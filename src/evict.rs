//! Eviction under `maxmemory`, as Redis's `evict.c`.
//!
//! Before each command (and right after `CONFIG SET maxmemory`), [`perform_evictions`]
//! compares used memory with the limit and, if over, deletes keys chosen by
//! `maxmemory-policy` until what it freed covers the excess:
//! - `*-lru`, `*-lfu`, `volatile-ttl`: each round samples `maxmemory-samples` keys per
//!   database into a [`Pool`] of the 16 best candidates seen so far (kept across calls, as
//!   Redis's `EvictionPoolLRU`), then evicts the best one that still exists. The score is the
//!   idle time (LRU), 255 minus the decayed frequency (LFU), or how soon the TTL ends.
//! - `*-random`: a random key, visiting the databases in turn.
//! - `volatile-*` choose among keys with a TTL only; `noeviction` never deletes.
//!
//! An evicted key is deleted, propagated as `DEL` (`UNLINK` under `lazyfree-lazy-eviction`),
//! notified as `evicted`, and counted in INFO `evicted_keys`; WATCH sees it modified.
//!
//! Invariants and choices:
//! - Used memory is jemalloc's allocated bytes ([`crate::alloc::Gauge`]: cheap enough for
//!   every command) less what Redis does not count: the effects not yet handed to the AOF
//!   (sluice has no replicas). Counting them would feed back: each eviction's DEL would ask
//!   for another eviction.
//! - What one deletion frees is measured with this thread's exact allocation counters
//!   ([`crate::alloc::thread_net`]), the same ones the gauge adds between full readings, so
//!   the next check sees exactly what the evictions freed.
//! - A cycle stops after the time `maxmemory-eviction-tenacity` allows (500 µs at the default
//!   10). If memory is still over, eviction continues outside commands ([`Store::evictor`]
//!   wakes the server's eviction task) and commands are not refused meanwhile (`Running`), as
//!   Redis's eviction time proc.
//! - Nothing is evicted while the AOF is loading or clients are paused.

use crate::alloc::thread_net;
use crate::store::Store;
use bytes::Bytes;
use std::time::Instant;

/// `maxmemory-policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

impl Policy {
    /// The directive's value (already checked against the allowed names by the config).
    pub fn parse(s: &str) -> Policy {
        match s {
            "volatile-lru" => Policy::VolatileLru,
            "volatile-lfu" => Policy::VolatileLfu,
            "volatile-random" => Policy::VolatileRandom,
            "volatile-ttl" => Policy::VolatileTtl,
            "allkeys-lru" => Policy::AllkeysLru,
            "allkeys-lfu" => Policy::AllkeysLfu,
            "allkeys-random" => Policy::AllkeysRandom,
            _ => Policy::NoEviction,
        }
    }

    /// Keys' access frequency is tracked (OBJECT FREQ works) under these.
    pub fn is_lfu(self) -> bool {
        matches!(self, Policy::VolatileLfu | Policy::AllkeysLfu)
    }

    fn allkeys(self) -> bool {
        matches!(
            self,
            Policy::AllkeysLru | Policy::AllkeysLfu | Policy::AllkeysRandom
        )
    }

    fn random(self) -> bool {
        matches!(self, Policy::AllkeysRandom | Policy::VolatileRandom)
    }
}

/// What [`perform_evictions`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evict {
    /// Under the limit (or eviction is not allowed right now).
    Ok,
    /// Over the limit, evicting in the background: commands still run.
    Running,
    /// Over the limit with nothing left to evict (or `noeviction`): commands that may grow
    /// memory are refused with OOM.
    Fail,
}

/// `EVPOOL_SIZE`.
const POOL_SIZE: usize = 16;

/// A key worth evicting, with its score (higher: evict sooner).
#[derive(Debug)]
struct Candidate {
    score: u64,
    db: usize,
    key: Bytes,
}

/// The best eviction candidates sampled so far, ascending by score (Redis's eviction pool).
/// Entries may be ghosts: keys deleted or changed since they were sampled.
#[derive(Debug, Default)]
pub struct Pool {
    entries: Vec<Candidate>,
}

impl Pool {
    /// `evictionPoolPopulate`'s insertion: a full pool drops its worst entry for a better
    /// one, and ignores one worse than all it holds.
    fn offer(&mut self, score: u64, db: usize, key: &[u8]) {
        let mut k = self.entries.partition_point(|c| c.score < score);
        if self.entries.len() == POOL_SIZE {
            if k == 0 {
                return;
            }
            self.entries.remove(0);
            k -= 1;
        }
        let key = Bytes::copy_from_slice(key);
        self.entries.insert(k, Candidate { score, db, key });
    }

    #[cfg(test)]
    fn scores(&self) -> Vec<u64> {
        self.entries.iter().map(|c| c.score).collect()
    }
}

/// Memory `maxmemory` does not count (`freeMemoryGetNotCountedMemory`; INFO
/// `mem_not_counted_for_evict`).
pub fn not_counted_memory(store: &Store) -> u64 {
    // The effects waiting for the AOF, in their RESP size (Redis counts its aof_buf).
    store
        .effects
        .iter()
        .map(|(_, argv)| argv.iter().map(|a| a.len() as u64 + 16).sum::<u64>() + 16)
        .sum()
}

/// `evictionTimeLimitUs`: how long one cycle may run, from `maxmemory-eviction-tenacity`.
fn time_limit_us(tenacity: u64) -> u64 {
    match tenacity {
        0..=10 => 50 * tenacity,
        11..=99 => (500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64,
        _ => u64::MAX,
    }
}

/// `isSafeToPerformEvictions`.
fn safe_to_evict(store: &Store) -> bool {
    if store.loading || store.replaying {
        return false;
    }
    // While clients are paused the dataset stays as it is, expiry and eviction included.
    !matches!(store.pause_until, Some((until, _)) if until > Instant::now())
}

/// `performEvictions`: see the module doc.
pub fn perform_evictions(store: &mut Store) -> Evict {
    if !safe_to_evict(store) {
        return Evict::Ok;
    }
    let (started, evicted_before) = (Instant::now(), store.stats.evicted_keys);
    let result = evict_cycle(store);
    if store.stats.evicted_keys != evicted_before {
        // Only a cycle that evicted is sampled, as Redis times only its eviction loop.
        store.latency_sample("eviction-cycle", started);
    }
    // INFO total/current_eviction_exceeded_time.
    match (result, store.stats.eviction_exceeded_since) {
        (Evict::Ok, Some(since)) => {
            store.stats.total_eviction_exceeded_us += since.elapsed().as_micros() as u64;
            store.stats.eviction_exceeded_since = None;
        }
        (Evict::Running | Evict::Fail, None) => {
            store.stats.eviction_exceeded_since = Some(Instant::now());
        }
        _ => {}
    }
    result
}

fn evict_cycle(store: &mut Store) -> Evict {
    let limit = store.config.maxmemory;
    if limit == 0 {
        store.eviction_running = false;
        return Evict::Ok;
    }
    // The clock read when the batch began: a full reading is due every 50 ms, not sooner.
    let reported = store.memory.read(store.clock_last);
    if reported <= limit {
        return Evict::Ok;
    }
    let used = reported.saturating_sub(not_counted_memory(store));
    if used <= limit {
        return Evict::Ok;
    }
    let policy = store.config.maxmemory_policy;
    if policy == Policy::NoEviction {
        return Evict::Fail;
    }
    let to_free = (used - limit) as i64;
    let time_limit = time_limit_us(store.config.maxmemory_eviction_tenacity);
    let started = Instant::now();
    let (mut freed, mut evicted) = (0i64, 0u64);
    let mut nothing_left = false;
    while freed < to_free {
        let Some((db, key)) = pick(store, policy) else {
            nothing_left = true;
            break;
        };
        freed += evict_key(store, db, key);
        evicted += 1;
        if evicted.is_multiple_of(16) && started.elapsed().as_micros() as u64 > time_limit {
            start_background(store);
            break;
        }
    }
    if nothing_left {
        Evict::Fail
    } else if store.eviction_running {
        Evict::Running
    } else {
        Evict::Ok
    }
}

/// `startEvictionTimeProc`: the server's eviction task keeps calling [`perform_evictions`]
/// until it returns something other than `Running`.
fn start_background(store: &mut Store) {
    if !store.eviction_running {
        store.eviction_running = true;
        store.evictor.notify_one();
    }
}

/// The next key to evict under `policy`, or None when no key qualifies.
fn pick(store: &mut Store, policy: Policy) -> Option<(usize, Bytes)> {
    if policy.random() {
        return pick_random(store, policy);
    }
    let now_secs = (crate::util::now_ms() / 1000).max(0) as u64;
    let decay = store.lfu_decay_time();
    loop {
        let mut total = 0;
        let samples = store.config.maxmemory_samples;
        let Store {
            ks,
            rng,
            eviction_pool: pool,
            ..
        } = &mut *store;
        for (i, db) in ks.dbs().enumerate() {
            let len = if policy.allkeys() {
                db.keys.len()
            } else {
                db.expires.len()
            };
            if len == 0 {
                continue;
            }
            total += len;
            for _ in 0..samples {
                let (key, score) = if policy == Policy::VolatileTtl {
                    let Some((k, &when)) = db.expires.random(rng) else {
                        break;
                    };
                    // The sooner the TTL ends, the better the candidate.
                    (k, u64::MAX - when.max(0) as u64)
                } else {
                    let k = if policy.allkeys() {
                        db.keys.random(rng).map(|(k, _)| k)
                    } else {
                        db.expires.random(rng).map(|(k, _)| k)
                    };
                    let Some(k) = k else { break };
                    let meta = db.keys.meta(k).unwrap_or(0);
                    let score = if policy.is_lfu() {
                        255 - crate::db::access_meta::lfu_decayed(meta, now_secs, decay)
                    } else {
                        now_secs.saturating_sub(crate::db::access_meta::lru_secs(meta))
                    };
                    (k, score)
                };
                pool.offer(score, i, key);
            }
        }
        if total == 0 {
            return None;
        }
        // Best first; a candidate deleted (or, for volatile policies, persisted) since it was
        // sampled is a ghost and is skipped.
        while let Some(c) = pool.entries.pop() {
            let db = ks.db(c.db);
            let live = if policy.allkeys() {
                db.keys.contains_key(&c.key)
            } else {
                db.expires.contains_key(&c.key)
            };
            if live {
                return Some((c.db, c.key));
            }
        }
    }
}

/// allkeys-random / volatile-random: one random key, from the next database that has one.
fn pick_random(store: &mut Store, policy: Policy) -> Option<(usize, Bytes)> {
    let n = store.ks.len();
    for _ in 0..n {
        store.evict_next_db = (store.evict_next_db + 1) % n;
        let j = store.evict_next_db;
        let Store { ks, rng, .. } = &mut *store;
        let key = ks.random_key(j, !policy.allkeys(), rng);
        if let Some(k) = key {
            return Some((j, k));
        }
    }
    None
}

/// Deletes an evicted key with the bookkeeping of any deletion (`Store::evict`); returns the
/// bytes the deletion freed. The propagated DEL is not counted against it; the `evicted`
/// event's messages are, when something subscribes to them.
fn evict_key(store: &mut Store, db: usize, key: Bytes) -> i64 {
    let net = || thread_net().map_or(0, |(n, _)| n);
    let before = net();
    let started = Instant::now();
    drop(store.evict(db, &key));
    store.latency_sample("eviction-del", started);
    let freed = before - net();
    let del: &'static [u8] = if store.config.lazyfree_lazy_eviction {
        b"UNLINK"
    } else {
        b"DEL"
    };
    store.propagate(db, vec![Bytes::from_static(del), key.clone()]);
    freed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn the_pool_keeps_the_sixteen_best_in_order() {
        let mut p = Pool::default();
        for s in [5u64, 1, 9, 3] {
            p.offer(s, 0, &key("k"));
        }
        assert_eq!(p.scores(), vec![1, 3, 5, 9]);
        for s in 10..30u64 {
            p.offer(s, 0, &key("k"));
        }
        // Full: the worst were dropped as better ones came.
        assert_eq!(p.scores(), (14..30).collect::<Vec<_>>());
        // Worse than everything held: ignored. Better than the worst: replaces it.
        p.offer(2, 0, &key("low"));
        assert_eq!(p.scores()[0], 14);
        p.offer(20, 0, &key("mid"));
        assert_eq!(p.scores().len(), POOL_SIZE);
        assert_eq!(p.scores()[0], 15);
        assert_eq!(p.entries.pop().unwrap().score, 29);
    }

    #[test]
    fn tenacity_maps_to_redis_time_limits() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert!(time_limit_us(99) > 100_000_000);
        assert_eq!(time_limit_us(100), u64::MAX);
    }

    #[test]
    fn policies_parse_from_their_directive_values() {
        for (s, p) in [
            ("volatile-lru", Policy::VolatileLru),
            ("allkeys-lfu", Policy::AllkeysLfu),
            ("volatile-ttl", Policy::VolatileTtl),
            ("allkeys-random", Policy::AllkeysRandom),
            ("noeviction", Policy::NoEviction),
        ] {
            assert_eq!(Policy::parse(s), p);
        }
        assert!(Policy::AllkeysLfu.is_lfu() && !Policy::AllkeysLru.is_lfu());
    }
}
