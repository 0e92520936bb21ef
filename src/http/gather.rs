//! What the metrics and the dashboard read of the store, copied out as plain data.
//!
//! Invariants:
//! - The keyspace is walked with the SCAN cursor in steps, the store lock taken per step and
//!   released between them with a yield, each step stopping once it has run [`STEP_BUDGET`]:
//!   a scrape of 10,000 streams never holds the event loop for much more than that (one
//!   stream's own groups and consumers are copied in one piece).
//! - A key's value is looked at, never touched: no access time, no hit counters, no lazy
//!   expiry (a key past its TTL is skipped, as a read would not see it); the SCAN cursor's
//!   guarantee holds (keys present from start to end are seen once at least).

use crate::server::Shared;
use crate::store::Store;
use crate::types::stream::GroupStats;
use crate::types::stream::{Stream, StreamId};
use bytes::Bytes;
use std::time::{Duration, Instant};

/// The longest one step holds the store.
pub const STEP_BUDGET: Duration = Duration::from_micros(500);

/// Keys visited per SCAN call inside a step (the budget is checked between calls, so a step
/// overshoots it by at most this many streams' copies).
const SCAN_COUNT: usize = 4;

#[derive(Debug, Clone)]
pub struct ConsumerSnap {
    pub name: Bytes,
    pub pending: usize,
    /// Unix ms of the last attempt, and of the last success (-1: never).
    pub seen_time: i64,
    pub active_time: i64,
}

#[derive(Debug, Clone)]
pub struct DeadLetterSnap {
    pub max_deliveries: u64,
    pub target: Bytes,
    pub count: u64,
    pub from_default: bool,
}

#[derive(Debug, Clone)]
pub struct GroupSnap {
    pub name: Bytes,
    pub consumers: Vec<ConsumerSnap>,
    pub pending: usize,
    pub nacked: usize,
    pub last_delivered: StreamId,
    pub entries_read: i64,
    pub lag: Option<i64>,
    /// The smallest pending ID (its ms part is when the oldest unacknowledged entry was
    /// added) and the earliest delivery time of an owned pending entry.
    pub oldest_pending: Option<StreamId>,
    pub oldest_delivery: Option<i64>,
    pub stats: GroupStats,
    pub dead_letter: Option<DeadLetterSnap>,
}

#[derive(Debug, Clone)]
pub struct StreamSnap {
    pub db: usize,
    pub key: Bytes,
    pub length: u64,
    pub radix_tree_keys: usize,
    pub radix_tree_nodes: usize,
    pub last_generated: StreamId,
    pub max_deleted: StreamId,
    pub first_entry: Option<StreamId>,
    pub last_entry: Option<StreamId>,
    pub entries_added: u64,
    /// XINFO STREAM's IDMP fields.
    pub idmp: crate::types::stream::idmp::IdmpStats,
    pub memory: usize,
    /// Effective retention (maximum age ms, maximum bytes; 0: none) and where it comes
    /// from, delayed entries held.
    pub retention_max_age: u64,
    pub retention_max_bytes: u64,
    pub retention_from_server: bool,
    pub delayed: usize,
    pub groups: Vec<GroupSnap>,
}

/// A list, or a queue that is empty right now (length 0: no key) but was pushed to since
/// start or has clients blocked on it.
#[derive(Debug, Clone)]
pub struct ListSnap {
    pub db: usize,
    pub key: Bytes,
    pub length: usize,
    /// Clients blocked in a list pop on the key.
    pub blocked: usize,
    /// Elements pushed and popped since start (`list_traffic.rs`); None for a key not
    /// tracked.
    pub traffic: Option<crate::list_traffic::Counts>,
}

/// What a walk copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    Streams,
    Lists,
    /// The first `limit` streams in `order` (the dashboard's page of a large keyspace): the
    /// walk ranks every stream by one number and keeps the best in a bounded heap, then
    /// copies only those (10,000 full snapshots cost the event loop ~9 ms; ranks ~1 ms).
    /// [`Queues::matched`] counts every stream ranked.
    StreamsTop {
        order: StreamOrder,
        limit: usize,
    },
}

/// What [`Walk::StreamsTop`] ranks streams by: the largest first (ties, and `Key`, by key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamOrder {
    Key,
    Length,
    Memory,
    Pending,
    Lag,
    Groups,
}

impl StreamOrder {
    pub fn parse(s: &str) -> Option<StreamOrder> {
        Some(match s {
            "key" => StreamOrder::Key,
            "length" => StreamOrder::Length,
            "memory" => StreamOrder::Memory,
            "pending" => StreamOrder::Pending,
            "lag" => StreamOrder::Lag,
            "groups" => StreamOrder::Groups,
            _ => return None,
        })
    }

    /// The rank of a live stream (what its snapshot would show: [`StreamOrder::of_snap`]).
    fn of(self, s: &Stream) -> i64 {
        match self {
            StreamOrder::Key => 0,
            StreamOrder::Length => s.length as i64,
            StreamOrder::Memory => s.mem_estimate() as i64,
            StreamOrder::Pending => s.groups().values().map(|g| g.pel().len() as i64).sum(),
            StreamOrder::Lag => s
                .groups()
                .values()
                .map(|g| s.group_lag(g).unwrap_or(0))
                .sum(),
            StreamOrder::Groups => s.groups().len() as i64,
        }
    }

    /// The same rank, read off a snapshot.
    pub fn of_snap(self, s: &StreamSnap) -> i64 {
        match self {
            StreamOrder::Key => 0,
            StreamOrder::Length => s.length as i64,
            StreamOrder::Memory => s.memory as i64,
            StreamOrder::Pending => s.groups.iter().map(|g| g.pending as i64).sum(),
            StreamOrder::Lag => s.groups.iter().map(|g| g.lag.unwrap_or(0)).sum(),
            StreamOrder::Groups => s.groups.len() as i64,
        }
    }
}

/// A ranked stream kept by [`Walk::StreamsTop`]: smaller is better (higher rank, then
/// database and key), so the heap's top is the worst kept.
type Ranked = (std::cmp::Reverse<i64>, usize, Bytes);

/// What a walk collects.
#[derive(Debug, Default)]
pub struct Queues {
    /// Filled by [`Queues::sort`] from `stream_parts`, the walk's steps.
    pub streams: Vec<StreamSnap>,
    stream_parts: Vec<Vec<StreamSnap>>,
    pub lists: Vec<ListSnap>,
    /// Streams the walk matched (more than `streams` holds under [`Walk::StreamsTop`]).
    pub matched: usize,
    /// Steps taken and the longest (for the scrape's own metrics and the bound's test).
    pub steps: u64,
    pub longest_step: Duration,
}

impl Queues {
    /// Joins the walk's steps and orders streams and lists by database and key, once each:
    /// megabytes moved and 10,000 keys compared, for the formatting thread rather than the
    /// event loop.
    pub fn sort(&mut self) {
        let n = self.stream_parts.iter().map(Vec::len).sum();
        self.streams.reserve(n);
        for mut part in self.stream_parts.drain(..) {
            self.streams.append(&mut part);
        }
        self.streams
            .sort_unstable_by(|a, b| (a.db, &a.key).cmp(&(b.db, &b.key)));
        self.lists
            .sort_unstable_by(|a, b| (a.db, &a.key).cmp(&(b.db, &b.key)));
        // The SCAN cursor may return a key twice (a table resized between steps): one
        // series each, as Prometheus refuses a scrape with a duplicate sample.
        self.streams
            .dedup_by(|a, b| (a.db, &a.key) == (b.db, &b.key));
        self.lists.dedup_by(|a, b| (a.db, &a.key) == (b.db, &b.key));
    }
}

/// `s`'s snapshot at `now` (unix ms).
pub fn stream_snap(store: &Store, db: usize, key: &[u8], s: &Stream, now: i64) -> StreamSnap {
    let default = &store.config.default_retention;
    let own = s.policy.as_ref().map(|p| p.retention);
    let from_server = own.as_ref().is_none_or(|r| r.is_off()) && !default.is_off();
    let r = s.retention(default);
    StreamSnap {
        db,
        key: Bytes::copy_from_slice(key),
        length: s.length,
        radix_tree_keys: s.node_count(),
        radix_tree_nodes: s.index_node_count(),
        last_generated: s.last_id,
        max_deleted: s.max_deleted_id,
        first_entry: (s.length > 0).then_some(s.first_id),
        last_entry: s.last_live_id(),
        entries_added: s.entries_added,
        idmp: crate::types::stream::idmp::Idmp::stats(
            s.idmp.as_deref(),
            now,
            store.config.stream_idmp_duration,
            store.config.stream_idmp_maxsize,
        ),
        memory: s.mem_estimate(),
        retention_max_age: r.max_age_ms,
        retention_max_bytes: r.max_bytes,
        retention_from_server: from_server,
        delayed: s.policy.as_ref().map_or(0, |p| p.delayed_len()),
        groups: s
            .groups()
            .iter()
            .map(|(name, g)| GroupSnap {
                name: name.clone(),
                consumers: g
                    .consumers()
                    .iter()
                    .map(|(n, c)| ConsumerSnap {
                        name: n.clone(),
                        pending: c.pending().len(),
                        seen_time: c.seen_time,
                        active_time: c.active_time,
                    })
                    .collect(),
                pending: g.pel().len(),
                nacked: g.nacked_count(),
                last_delivered: g.last_id,
                entries_read: g.entries_read,
                lag: s.group_lag(g),
                oldest_pending: g.pel().first().map(|(id, _)| id),
                oldest_delivery: g.oldest_delivery(),
                stats: g.stats,
                dead_letter: g.dead_letter.as_deref().map(|d| DeadLetterSnap {
                    max_deliveries: d.max_deliveries,
                    target: d.target.clone(),
                    count: d.count,
                    from_default: d.from_default,
                }),
            })
            .collect(),
    }
}

/// Walks every database for streams or lists (keys matching the glob `pattern`, if any),
/// in bounded steps. The snapshots come back in the order the walk met them;
/// [`Queues::sort`] (on the thread that formats them, not the event loop) orders them by
/// database and key.
pub async fn queues(
    shared: &Shared,
    walk: Walk,
    pattern: Option<&[u8]>,
) -> Result<Queues, crate::server::ScriptBusy> {
    let mut q = Queues::default();
    let mut db = 0usize;
    let mut cursor = 0u64;
    let wanted = |k: &[u8]| pattern.is_none_or(|p| crate::glob::matches(p, k, false));
    // Sized like the step before it: growing a step's vector of snapshots a push at a time
    // copied it over and over under the store lock.
    let mut per_step = 64;
    let mut top: std::collections::BinaryHeap<Ranked> = Default::default();
    loop {
        // This step's copies, moved into `q` once the store is released (as a whole
        // vector: appending to one growing vector copied megabytes on the event loop at
        // 10,000 streams).
        let (mut streams, mut list_snaps) = (Vec::new(), Vec::new());
        match walk {
            Walk::Streams => streams.reserve(per_step),
            Walk::Lists => list_snaps.reserve(per_step),
            Walk::StreamsTop { .. } => {}
        }
        {
            let store = crate::server::lock_store(shared).await?;
            let started = Instant::now();
            let now = crate::util::now_ms();
            let dbs = store.ks.len();
            while db < dbs {
                let d = store.ks.db(db);
                // Snapshots are taken in the walk itself: no key copied to be looked up
                // again, and the expiry table asked only when it has entries.
                cursor = d.keys.scan(cursor, SCAN_COUNT, |k, v| {
                    let k: &[u8] = k;
                    let take = || wanted(k) && !d.is_expired(k, now);
                    match v {
                        crate::db::Value::Stream(s) if walk == Walk::Streams && take() => {
                            q.matched += 1;
                            streams.push(stream_snap(&store, db, k, s.as_ref(), now));
                        }
                        crate::db::Value::Stream(s) => {
                            if let Walk::StreamsTop { order, limit } = walk {
                                if take() {
                                    q.matched += 1;
                                    let r = std::cmp::Reverse(order.of(s));
                                    let better = |t: &Ranked| (r, db, k) < (t.0, t.1, &t.2[..]);
                                    if top.len() < limit {
                                        top.push((r, db, Bytes::copy_from_slice(k)));
                                    } else if top.peek().is_some_and(better) {
                                        top.pop();
                                        top.push((r, db, Bytes::copy_from_slice(k)));
                                    }
                                }
                            }
                        }
                        crate::db::Value::List(l) if walk == Walk::Lists && take() => {
                            list_snaps.push(ListSnap {
                                db,
                                key: Bytes::copy_from_slice(k),
                                length: l.len(),
                                blocked: store.blocking.list_waiting_on(db, k),
                                traffic: store.list_traffic.get(db, k),
                            });
                        }
                        _ => {}
                    }
                });
                if cursor == 0 {
                    db += 1;
                }
                if started.elapsed() >= STEP_BUDGET {
                    break;
                }
            }
            if db >= dbs && walk == Walk::Lists {
                // Queues with no key right now: drained (pushed to since start) or waited
                // on. At most list_traffic::MAX_KEYS of the first, one per blocked client of
                // the second.
                for d in 0..dbs {
                    let absent = |k: &[u8]| wanted(k) && store.peek(d, k).is_none();
                    for (k, c) in store.list_traffic.of_db(d) {
                        if absent(k) {
                            list_snaps.push(ListSnap {
                                db: d,
                                key: k.clone(),
                                length: 0,
                                blocked: store.blocking.list_waiting_on(d, k),
                                traffic: Some(c),
                            });
                        }
                    }
                    for (k, n) in store.blocking.list_waits(d) {
                        if absent(k) && store.list_traffic.get(d, k).is_none() {
                            list_snaps.push(ListSnap {
                                db: d,
                                key: k.clone(),
                                length: 0,
                                blocked: n,
                                traffic: None,
                            });
                        }
                    }
                }
            }
            q.steps += 1;
            q.longest_step = q.longest_step.max(started.elapsed());
            drop(store);
            per_step = per_step.max(streams.len()).max(list_snaps.len());
            q.stream_parts.push(streams);
            q.lists.append(&mut list_snaps);
            if db >= dbs {
                break;
            }
        }
        tokio::task::yield_now().await;
    }
    // The streams ranked best, copied in steps of their own (a page is ~100 snapshots, but
    // `limit` is the caller's).
    let mut picked = top.into_vec();
    while !picked.is_empty() {
        {
            let store = crate::server::lock_store(shared).await?;
            let started = Instant::now();
            let now = crate::util::now_ms();
            let mut part = Vec::new();
            while let Some((_, d, k)) = picked.pop() {
                if store.ks.db(d).is_expired(&k, now) {
                    continue;
                }
                if let Some(crate::db::Value::Stream(s)) = store.peek(d, &k) {
                    part.push(stream_snap(&store, d, &k, s.as_ref(), now));
                }
                if started.elapsed() >= STEP_BUDGET {
                    break;
                }
            }
            q.steps += 1;
            q.longest_step = q.longest_step.max(started.elapsed());
            drop(store);
            q.stream_parts.push(part);
        }
        tokio::task::yield_now().await;
    }
    Ok(q)
}

/// One stream, or None if `key` holds none.
pub async fn stream(
    shared: &Shared,
    db: usize,
    key: &[u8],
) -> Result<Option<StreamSnap>, crate::server::ScriptBusy> {
    let store = crate::server::lock_store(shared).await?;
    let now = crate::util::now_ms();
    if db >= store.ks.len() || store.expire_at(db, key).is_some_and(|t| t <= now) {
        return Ok(None);
    }
    Ok(match store.peek(db, key) {
        Some(crate::db::Value::Stream(s)) => Some(stream_snap(&store, db, key, s.as_ref(), now)),
        _ => None,
    })
}

#[derive(Debug, Clone)]
pub struct PendingSnap {
    pub id: StreamId,
    pub consumer: Option<Bytes>,
    pub delivery_time: i64,
    pub delivery_count: u64,
}

/// Up to `count` pending entries of a group from `start` on (None: no such stream/group).
pub async fn pending(
    shared: &Shared,
    db: usize,
    key: &[u8],
    group: &[u8],
    start: StreamId,
    count: usize,
) -> Result<Option<Vec<PendingSnap>>, crate::server::ScriptBusy> {
    let store = crate::server::lock_store(shared).await?;
    if db >= store.ks.len() {
        return Ok(None);
    }
    let Some(crate::db::Value::Stream(s)) = store.peek(db, key) else {
        return Ok(None);
    };
    let Some(g) = s.group(group) else {
        return Ok(None);
    };
    Ok(Some(
        g.pel()
            .range(start, StreamId::MAX)
            .take(count)
            .map(|(id, pe)| PendingSnap {
                id,
                consumer: pe.consumer.clone(),
                delivery_time: pe.delivery_time(),
                delivery_count: pe.delivery_count,
            })
            .collect(),
    ))
}
