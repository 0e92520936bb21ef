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

#[derive(Debug, Clone)]
pub struct ListSnap {
    pub db: usize,
    pub key: Bytes,
    pub length: usize,
    pub blocked: usize,
}

/// What a walk collects.
#[derive(Debug, Default)]
pub struct Queues {
    pub streams: Vec<StreamSnap>,
    pub lists: Vec<ListSnap>,
    /// Steps taken and the longest (for the scrape's own metrics and the bound's test).
    pub steps: u64,
    pub longest_step: Duration,
}

pub fn stream_snap(store: &Store, db: usize, key: &[u8], s: &Stream) -> StreamSnap {
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
            crate::util::now_ms(),
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

/// Walks every database for streams (and lists when `lists`), in bounded steps.
pub async fn queues(shared: &Shared, lists: bool) -> Result<Queues, crate::server::ScriptBusy> {
    let mut q = Queues::default();
    let mut db = 0usize;
    let mut cursor = 0u64;
    loop {
        // This step's copies, moved into `q` once the store is released: growing the large
        // vectors there (megabytes copied at 10,000 streams) must not lengthen a step.
        let (mut streams, mut list_snaps) = (Vec::new(), Vec::new());
        {
            let store = crate::server::lock_store(shared).await?;
            let started = Instant::now();
            let now = crate::util::now_ms();
            let dbs = store.ks.len();
            while db < dbs {
                let d = store.ks.db(db);
                let mut found: Vec<(Bytes, bool)> = Vec::new();
                cursor = d.keys.scan(cursor, SCAN_COUNT, |k, v| match v {
                    crate::db::Value::Stream(_) => found.push((Bytes::copy_from_slice(k), true)),
                    crate::db::Value::List(_) if lists => {
                        found.push((Bytes::copy_from_slice(k), false))
                    }
                    _ => {}
                });
                for (key, is_stream) in found {
                    if store.expire_at(db, &key).is_some_and(|t| t <= now) {
                        continue;
                    }
                    match store.peek(db, &key) {
                        Some(crate::db::Value::Stream(s)) if is_stream => {
                            streams.push(stream_snap(&store, db, &key, s.as_ref()));
                        }
                        Some(crate::db::Value::List(l)) if !is_stream => {
                            let blocked = store.blocking.waiting_on(db, &key).len();
                            list_snaps.push(ListSnap {
                                db,
                                key,
                                length: l.len(),
                                blocked,
                            });
                        }
                        _ => {}
                    }
                }
                if cursor == 0 {
                    db += 1;
                }
                if started.elapsed() >= STEP_BUDGET {
                    break;
                }
            }
            q.steps += 1;
            q.longest_step = q.longest_step.max(started.elapsed());
            drop(store);
            q.streams.append(&mut streams);
            q.lists.append(&mut list_snaps);
            if db >= dbs {
                break;
            }
        }
        tokio::task::yield_now().await;
    }
    q.streams
        .sort_by(|a, b| (a.db, &a.key).cmp(&(b.db, &b.key)));
    q.lists.sort_by(|a, b| (a.db, &a.key).cmp(&(b.db, &b.key)));
    Ok(q)
}

/// One stream, or None if `key` holds none.
pub async fn stream(
    shared: &Shared,
    db: usize,
    key: &[u8],
) -> Result<Option<StreamSnap>, crate::server::ScriptBusy> {
    let store = crate::server::lock_store(shared).await?;
    if db >= store.ks.len()
        || store
            .expire_at(db, key)
            .is_some_and(|t| t <= crate::util::now_ms())
    {
        return Ok(None);
    }
    Ok(match store.peek(db, key) {
        Some(crate::db::Value::Stream(s)) => Some(stream_snap(&store, db, key, s.as_ref())),
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
