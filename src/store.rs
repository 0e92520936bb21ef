//! The store: everything commands touch, behind one mutex (see `server.rs`), so commands run
//! one at a time against a consistent keyspace exactly as in Redis. Parsing and socket I/O
//! happen outside the lock; the lock is never held across an `.await`.
//!
//! It owns:
//! - the databases and the per-key bookkeeping every write must do ([`Store::signal_modified`]:
//!   WATCH invalidation; [`Store::signal_ready`]: waking blocked clients; notifications);
//! - the client registry (CLIENT LIST/KILL/UNBLOCK see other connections through it);
//! - the blocked-client registry (`blocking.rs`) and pub/sub registry (`pubsub.rs`);
//! - the propagation buffer: effects of write commands, handed to the AOF after each batch.

use crate::blocking::Blocking;
use crate::config::Config;
use crate::db::{Db, Value};
use crate::mailbox::Mailbox;
use crate::pubsub::PubSub;
use crate::util::{now_ms, Rng};
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Redis version whose command semantics sluice implements (reported as `redis_version`).
pub const REDIS_VERSION_COMPAT: &str = crate::REDIS_VERSION;

/// Messages delivered to a connection from outside its own command flow.
#[derive(Debug)]
pub enum Mail {
    /// The reply to a blocked command, served by another client's write or CLIENT UNBLOCK;
    /// with an AOF offset, it may leave only once an fsync covers it (appendfsync always:
    /// a consumer never sees an entry a crash could still take back).
    Reply(Vec<u8>, Option<u64>),
    /// An out-of-band message (pub/sub), shared by every receiver; counted in
    /// `ClientShared::pending_bytes`.
    Push(Bytes),
}

/// The part of a client other tasks can reach without the store lock.
#[derive(Debug)]
pub struct ClientShared {
    pub id: u64,
    /// Bytes queued in the mailbox and not yet written to the socket.
    pub pending_bytes: AtomicU64,
    /// Bytes the connection holds because the socket would not take them yet (replies and
    /// pushes the client has not read). Stored whenever that queue changes, so it reads zero
    /// while nothing waits; the common write that goes out whole does not touch it.
    pub unsent_bytes: AtomicU64,
    /// Served replies, pub/sub pushes and the kill switch.
    pub mailbox: Mailbox,
    /// The protocol pushes must use (2 or 3); set by HELLO and RESET as they run.
    pub resp: std::sync::atomic::AtomicU8,
    /// The query buffer after the latest read was parsed: bytes of commands not yet complete,
    /// and what the buffer holds in all (CLIENT LIST qbuf, qbuf-free, tot-mem). Stored by
    /// the connection as it reads, outside the store lock.
    pub query_len: AtomicU64,
    pub query_cap: AtomicU64,
}

impl ClientShared {
    pub fn new(id: u64) -> ClientShared {
        ClientShared {
            id,
            pending_bytes: AtomicU64::new(0),
            unsent_bytes: AtomicU64::new(0),
            mailbox: Mailbox::default(),
            resp: std::sync::atomic::AtomicU8::new(2),
            query_len: AtomicU64::new(0),
            query_cap: AtomicU64::new(0),
        }
    }

    /// Closes the client (CLIENT KILL, output buffer limit, SHUTDOWN).
    pub fn kill(&self) {
        self.mailbox.kill();
    }

    pub fn is_killed(&self) -> bool {
        self.mailbox.is_killed()
    }

    /// Output waiting for this client: pushes in the mailbox and bytes the socket has not
    /// taken (CLIENT LIST's omem, and what client-output-buffer-limit is checked against).
    pub fn output_bytes(&self) -> u64 {
        self.pending_bytes.load(Ordering::Relaxed) + self.unsent_bytes.load(Ordering::Relaxed)
    }
}

/// The part of a client's output Redis keeps in its fixed reply buffer (PROTO_REPLY_CHUNK_BYTES),
/// which client-output-buffer-limit does not count: only what overflows into the reply list.
const STATIC_REPLY_BYTES: u64 = 16 * 1024;

/// Applies one class of client-output-buffer-limit to client `c` holding `used` bytes of
/// output: over the hard limit, or over the soft one for `soft_secs`, closes it (as Redis
/// does, without sending the rest) and returns true.
pub fn enforce_output_limit(
    c: &mut ClientInfo,
    stats: &mut Stats,
    limit: crate::config::OutputLimit,
    used: u64,
) -> bool {
    let used = used.saturating_sub(STATIC_REPLY_BYTES);
    let over_hard = limit.hard > 0 && used > limit.hard;
    let over_soft = limit.soft > 0 && used > limit.soft;
    let mut kill = over_hard;
    if over_soft {
        let since = *c.soft_limit_since.get_or_insert_with(Instant::now);
        if since.elapsed().as_secs() >= limit.soft_secs {
            kill = true;
        }
    } else {
        c.soft_limit_since = None;
    }
    if kill {
        tracing::warn!(
            client = c.shared.id,
            used,
            "client scheduled to be closed ASAP for overcoming of output buffer limits"
        );
        stats.client_output_buffer_limit_disconnections += 1;
        c.shared.kill();
    }
    kill
}

/// What CLIENT LIST shows about a connection; refreshed after each command.
#[derive(Debug)]
pub struct ClientInfo {
    pub shared: Arc<ClientShared>,
    pub addr: String,
    pub laddr: String,
    pub created: Instant,
    pub last_interaction: Instant,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_ver: Option<Bytes>,
    pub db: usize,
    pub last_cmd: &'static str,
    pub resp: u8,
    pub sub: usize,
    pub psub: usize,
    pub ssub: usize,
    pub multi: i64,
    pub flags: String,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Output buffer limit soft-limit tracking: when the soft limit was first exceeded.
    pub soft_limit_since: Option<Instant>,
    /// Memory the connection holds, refreshed after each batch ([`ClientMem`]).
    pub mem: ClientMem,
}

/// Memory of one command's arguments as a connection holds them: CLIENT LIST argv-mem and
/// multi-mem.
pub fn argv_mem(argv: &[Bytes]) -> u64 {
    argv.iter()
        .map(|a| (a.len() + std::mem::size_of::<Bytes>()) as u64)
        .sum::<u64>()
        + std::mem::size_of::<Vec<Bytes>>() as u64
}

/// Memory of the commands a client queued in MULTI: CLIENT LIST multi-mem.
pub fn multi_mem(queued: &Vec<Vec<Bytes>>) -> u64 {
    queued.iter().map(|a| argv_mem(a)).sum::<u64>()
        + (queued.capacity() * std::mem::size_of::<Vec<Bytes>>()) as u64
}

/// CLIENT LIST's memory fields of one connection, in sluice's own terms (one reply buffer
/// per batch where Redis has a 16 KB buffer plus a reply list).
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientMem {
    /// argv-mem: arguments of commands parsed and waiting (behind a blocked command).
    pub argv: u64,
    /// multi-mem: commands queued by MULTI, their arguments and argument handles.
    pub multi: u64,
    /// rbs / rbp: the batch reply buffer's size, and the largest batch reply it held in the
    /// last 5 seconds (since `peak_since`).
    pub reply_buf: u64,
    pub reply_peak: u64,
    pub peak_since: Option<Instant>,
    /// The buffer of output the socket has not taken (its capacity), and the connection's
    /// own fixed size: the rest of tot-mem.
    pub held: u64,
}

/// Bytes read from and written to clients, counted by the connections as they do it.
#[derive(Debug, Default)]
pub struct NetCounters {
    pub input: AtomicU64,
    pub output: AtomicU64,
}

impl NetCounters {
    /// CONFIG RESETSTAT.
    pub fn reset(&self) {
        self.input.store(0, Ordering::Relaxed);
        self.output.store(0, Ordering::Relaxed);
    }
}

/// `STATS_METRIC_SAMPLES`: the instantaneous rates average this many samples.
const INST_SAMPLES: usize = 16;

/// Redis's instantaneous metrics: every 100 ms the timer samples the rate of commands and of
/// network bytes since the previous sample; INFO shows the mean of the last 16 samples.
#[derive(Debug, Default)]
pub struct InstMetrics {
    /// Per metric (commands, input bytes, output bytes): the last count and when it was taken.
    last: Option<(Instant, [u64; 3])>,
    samples: [[f64; INST_SAMPLES]; 3],
    idx: usize,
}

impl InstMetrics {
    /// Takes one sample of the three counters at `now` (`trackInstantaneousMetric`).
    pub fn track(&mut self, now: Instant, counts: [u64; 3]) {
        if let Some((at, last)) = self.last {
            let ms = now.saturating_duration_since(at).as_secs_f64() * 1000.0;
            for m in 0..3 {
                let rate = if ms > 0.0 {
                    counts[m].saturating_sub(last[m]) as f64 * 1000.0 / ms
                } else {
                    0.0
                };
                self.samples[m][self.idx] = rate;
            }
            self.idx = (self.idx + 1) % INST_SAMPLES;
        }
        self.last = Some((now, counts));
    }

    /// The mean of the samples of metric `m` (0 commands/s, 1 input bytes/s, 2 output bytes/s).
    pub fn rate(&self, m: usize) -> f64 {
        self.samples[m].iter().sum::<f64>() / INST_SAMPLES as f64
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub expired_keys: u64,
    pub evicted_keys: u64,
    /// Since when used memory has been over `maxmemory` (eviction running or failing).
    pub eviction_exceeded_since: Option<Instant>,
    /// Microseconds spent over `maxmemory` in earlier episodes.
    pub total_eviction_exceeded_us: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    /// INFO instantaneous_* (samples of the command and byte counters, see [`InstMetrics`]).
    pub inst: InstMetrics,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub pubsub_channels_published: u64,
    pub client_query_buffer_limit_disconnections: u64,
    pub client_output_buffer_limit_disconnections: u64,
    /// Per command: calls, microseconds, rejected calls, failed calls.
    pub commands: HashMap<&'static str, CmdStat>,
    pub errors: HashMap<String, u64>,
}

impl Stats {
    /// Counts a blocked command that finished without a re-run: timed out, or unblocked by
    /// CLIENT UNBLOCK (`failed` for its ERROR form). See `cmd::call`.
    pub fn finished(&mut self, full: &'static str, failed: bool) {
        let st = self.commands.entry(full).or_default();
        st.calls += 1;
        if failed {
            st.failed += 1;
        }
        self.total_commands_processed += 1;
    }
}

#[derive(Debug, Default, Clone)]
pub struct CmdStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected: u64,
    pub failed: u64,
}

/// Persistence status the store reports and checks (filled by the AOF layer).
#[derive(Debug, Default)]
pub struct AofStatus {
    pub enabled: bool,
    pub last_write_ok: bool,
    pub last_write_error: Option<String>,
    /// When the running background rewrite started; None while none runs.
    pub rewrite_started: Option<Instant>,
    pub rewrite_scheduled: bool,
    pub last_bgrewrite_ok: bool,
    pub rewrites: u64,
    pub current_size: u64,
    pub base_size: u64,
    pub last_rewrite_secs: i64,
    /// AOF size after the last rewrite (or at start): auto-aof-rewrite-percentage's base.
    pub rewrite_base_size: u64,
    /// Fault injection (DEBUG, enable-debug-command only).
    pub inject_write_failure: bool,
    pub inject_fsync_delay_ms: u64,
    pub inject_fsync_failure: bool,
}

/// A propagated effect: database and argv.
pub type Effect = (usize, Vec<Bytes>);

pub struct Store {
    pub dbs: Vec<Db>,
    pub config: Config,
    pub clients: HashMap<u64, ClientInfo>,
    pub blocking: Blocking,
    pub pubsub: PubSub,
    pub stats: Stats,
    pub aof: AofStatus,
    /// Write counter (Redis's `server.dirty`): bumped by every change to the dataset.
    pub dirty: u64,
    pub dirty_at_last_save: u64,
    /// WATCHed keys: (db, key) → ids of the clients watching.
    pub watched: HashMap<(usize, Bytes), Vec<u64>>,
    /// Clients whose watched keys were touched (their EXEC fails).
    pub dirty_cas: HashSet<u64>,
    /// Effects of the commands run since the last AOF flush, in order.
    pub effects: Vec<Effect>,
    /// Replies to blocked clients served during the current batch, sent after its AOF flush
    /// (see `cmd::dispatch_served`).
    pub served: Vec<(Arc<ClientShared>, Vec<u8>)>,
    pub rng: Rng,
    /// Eviction (`evict.rs`): the candidate pool, the database random eviction visits next,
    /// whether eviction continues outside commands, and the task that does it.
    pub eviction_pool: crate::evict::Pool,
    pub evict_next_db: usize,
    pub eviction_running: bool,
    pub evictor: Arc<tokio::sync::Notify>,
    /// The most `used_memory` seen (by the timer and INFO), INFO `used_memory_peak`.
    pub peak_memory: u64,
    /// Used memory as the maxmemory checks read it (see `alloc::Gauge`).
    pub memory: crate::alloc::Gauge,
    pub net: Arc<NetCounters>,
    pub start: Instant,
    /// The wall clock (unix ms) read at an instant: commands derive their time from the
    /// monotonic clock they read anyway, so a command costs no wall-clock read. Re-read every
    /// tick (100 ms, [`Store::rebase_wall_clock`]), so a wall-clock step shows up within
    /// 100 ms, as Redis's cached `mstime` does within an event-loop turn.
    clock_base: (Instant, i64),
    /// The latest monotonic reading: the last refresh or the end of the last command. Commands
    /// run back to back, so one command's end is the next one's start: one clock read per
    /// command, which also times it for INFO commandstats.
    pub clock_last: Instant,
    /// The time of the command being run (unix ms), as Redis's command time snapshot.
    pub cmd_time_ms: i64,
    pub start_unix: i64,
    pub lastsave: i64,
    pub next_client_id: u64,
    /// True while the AOF loads: clients get -LOADING.
    pub loading: bool,
    pub loading_started: Option<Instant>,
    pub loading_total_bytes: u64,
    pub loading_loaded_bytes: u64,
    /// Client ids paused by CLIENT PAUSE until this instant (WRITE or ALL).
    pub pause_until: Option<(Instant, bool)>,
    /// Set by SHUTDOWN; the server loop acts on it.
    pub shutdown_requested: Option<crate::server::ShutdownKind>,
    pub run_id: String,
    pub tcp_port: u16,
    pub executable: String,
    pub config_file: Option<String>,
    /// Is a command being executed as part of propagation replay (AOF load)?
    pub replaying: bool,
    /// The running command must not update keys' access times (CLIENT NO-TOUCH).
    pub no_touch: bool,
}

impl Store {
    pub fn new(config: Config) -> Store {
        let seed = crate::util::now_us() as u64 ^ (std::process::id() as u64) << 32;
        let mut rng = Rng::new(seed);
        let run_id: String = (0..40).map(|_| format!("{:x}", rng.below(16))).collect();
        let dbs = (0..config.databases).map(|_| Db::default()).collect();
        Store {
            dbs,
            tcp_port: config.port,
            config,
            clients: HashMap::new(),
            blocking: Blocking::default(),
            pubsub: PubSub::default(),
            stats: Stats::default(),
            aof: AofStatus {
                last_write_ok: true,
                last_bgrewrite_ok: true,
                last_rewrite_secs: -1,
                ..Default::default()
            },
            dirty: 0,
            dirty_at_last_save: 0,
            watched: HashMap::new(),
            dirty_cas: HashSet::new(),
            effects: Vec::new(),
            served: Vec::new(),
            rng,
            eviction_pool: Default::default(),
            evict_next_db: 0,
            eviction_running: false,
            evictor: Arc::new(tokio::sync::Notify::new()),
            peak_memory: 0,
            memory: Default::default(),
            net: Default::default(),
            start: Instant::now(),
            clock_base: (Instant::now(), now_ms()),
            clock_last: Instant::now(),
            cmd_time_ms: now_ms(),
            start_unix: now_ms() / 1000,
            lastsave: now_ms() / 1000,
            next_client_id: 1,
            loading: false,
            loading_started: None,
            loading_total_bytes: 0,
            loading_loaded_bytes: 0,
            pause_until: None,
            shutdown_requested: None,
            run_id,
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            config_file: None,
            replaying: false,
            no_touch: false,
        }
    }

    // ---------------------------------------------------------------------------------------
    // Key lookup with expiry
    // ---------------------------------------------------------------------------------------

    /// Deletes `key` if its TTL passed, propagating `DEL` and notifying `expired`, as Redis's
    /// `expireIfNeeded`. Returns true if the key was expired (and is now gone).
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8], now: i64) -> bool {
        if !self.dbs[db].is_expired(key, now) {
            return false;
        }
        if self.replaying {
            // While loading, keys are not expired: the log's own DELs decide (Redis does the
            // same for masters' streams).
            return false;
        }
        let k = self.dbs[db]
            .keys
            .key(key)
            .cloned()
            .unwrap_or_else(|| Bytes::copy_from_slice(key));
        self.dbs[db].remove(key);
        self.stats.expired_keys += 1;
        self.propagate(db, vec![Bytes::from_static(b"DEL"), k.clone()]);
        self.notify(crate::config::NOTIFY_EXPIRED, "expired", db, &k);
        self.signal_modified(db, &k);
        self.signal_deleted(db, &k);
        true
    }

    /// Read access honouring expiry; records the access (LRU/LFU) unless CLIENT NO-TOUCH.
    pub fn lookup(&mut self, db: usize, key: &[u8], now: i64) -> Option<&mut Value> {
        self.expire_if_needed(db, key, now);
        let no_touch = self.no_touch;
        let lfu = self.config.lfu_policy;
        let (log_factor, decay) = if lfu {
            (self.lfu_log_factor(), self.lfu_decay_time())
        } else {
            (0.0, 0)
        };
        let r = if lfu && !no_touch {
            (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        } else {
            0.0
        };
        let (v, m) = self.dbs[db].keys.get_mut_with_meta(key)?;
        if !no_touch {
            let secs = (now / 1000).max(0) as u64;
            *m = if lfu {
                let cur = if *m == 0 {
                    crate::db::access_meta::fresh(secs)
                } else {
                    *m
                };
                crate::db::access_meta::accessed(cur, secs, log_factor, decay, r)
            } else {
                crate::db::access_meta::touched_lru(*m, secs)
            };
        }
        Some(v)
    }

    /// Lookup that leaves the access metadata alone (OBJECT, TYPE-like introspection).
    pub fn lookup_no_touch(&mut self, db: usize, key: &[u8], now: i64) -> Option<&mut Value> {
        self.expire_if_needed(db, key, now);
        self.dbs[db].keys.get_mut(key)
    }

    pub fn lfu_log_factor(&self) -> f64 {
        self.config
            .get("lfu-log-factor")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10.0)
    }

    pub fn lfu_decay_time(&self) -> u64 {
        self.config
            .get("lfu-decay-time")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    }

    /// Like [`Store::lookup`], counting keyspace hits and misses (read commands).
    pub fn lookup_read(&mut self, db: usize, key: &[u8], now: i64) -> Option<&mut Value> {
        let hit = self.dbs[db].keys.contains_key(key) && !self.dbs[db].is_expired(key, now);
        if hit {
            self.stats.keyspace_hits += 1;
        } else {
            self.stats.keyspace_misses += 1;
        }
        self.lookup(db, key, now)
    }

    pub fn exists(&mut self, db: usize, key: &[u8], now: i64) -> bool {
        self.expire_if_needed(db, key, now);
        self.dbs[db].keys.contains_key(key)
    }

    /// Sets a key's value (keeping or dropping its TTL) and does the write bookkeeping.
    pub fn set_value(&mut self, db: usize, key: &Bytes, v: Value, keep_ttl: bool) {
        // Overwriting a stream wakes its XREADGROUP waiters (they fail, as in Redis); list
        // waiters keep waiting for a list to appear again.
        let secs = (self.cmd_time_ms / 1000).max(0) as u64;
        let old = self.dbs[db]
            .keys
            .insert_with_meta(key, v, crate::db::access_meta::fresh(secs));
        let was_stream = matches!(old, Some(Value::Stream(_)));
        if !keep_ttl && !self.dbs[db].expires.is_empty() {
            self.dbs[db].expires.remove(key);
        }
        self.signal_modified(db, key);
        if was_stream {
            self.signal_ready(db, key);
        }
    }

    /// Deletes a key with the write bookkeeping; true if it existed.
    pub fn delete(&mut self, db: usize, key: &[u8]) -> bool {
        match self.dbs[db].remove(key) {
            Some(_) => {
                self.signal_modified(db, key);
                self.signal_deleted(db, key);
                true
            }
            None => false,
        }
    }

    // ---------------------------------------------------------------------------------------
    // Write bookkeeping
    // ---------------------------------------------------------------------------------------

    /// `signalModifiedKey`: invalidates WATCHes of the key.
    pub fn signal_modified(&mut self, db: usize, key: &[u8]) {
        if self.watched.is_empty() {
            return;
        }
        if let Some(ids) = self.watched.get(&crate::blocking::KeyRef(db, key)) {
            for id in ids {
                self.dirty_cas.insert(*id);
            }
        }
    }

    /// Invalidates every WATCH in `db` (FLUSHDB, SWAPDB); `None`: every database.
    pub fn touch_all_watched(&mut self, db: Option<usize>) {
        for ((d, _), ids) in self.watched.iter() {
            if db.is_none() || db == Some(*d) {
                for id in ids {
                    self.dirty_cas.insert(*id);
                }
            }
        }
    }

    /// `signalKeyAsReady`: a list or stream key got data; blocked clients are served after
    /// the current command.
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        self.blocking.signal_ready(db, key);
    }

    /// A deleted key wakes clients blocked on it so they can re-check (XREADGROUP fails).
    pub fn signal_deleted(&mut self, db: usize, key: &[u8]) {
        self.blocking.signal_ready(db, key);
    }

    /// Records an effect for the AOF. Replaying the log records nothing.
    pub fn propagate(&mut self, db: usize, argv: Vec<Bytes>) {
        if self.replaying || !self.aof.enabled {
            return;
        }
        self.effects.push((db, argv));
    }

    /// Keyspace notification (`notifyKeyspaceEvent`).
    pub fn notify(&mut self, class: u32, event: &str, db: usize, key: &[u8]) {
        let flags = self.config.notify_flags;
        if flags & class == 0 {
            return;
        }
        use crate::config::{NOTIFY_KEYEVENT, NOTIFY_KEYSPACE};
        if flags & NOTIFY_KEYSPACE != 0 {
            let mut ch = format!("__keyspace@{db}__:").into_bytes();
            ch.extend_from_slice(key);
            self.publish(&ch, event.as_bytes());
        }
        if flags & NOTIFY_KEYEVENT != 0 {
            let ch = format!("__keyevent@{db}__:{event}").into_bytes();
            self.publish(&ch, key);
        }
    }

    /// Delivers a message to subscribers of `channel` (and matching patterns); returns the
    /// number of receivers. Enforces the pubsub output buffer limit on each receiver.
    pub fn publish(&mut self, channel: &[u8], msg: &[u8]) -> usize {
        self.publish_with(channel, msg, false)
    }

    /// SPUBLISH: to the shard channel's subscribers.
    pub fn spublish(&mut self, channel: &[u8], msg: &[u8]) -> usize {
        self.publish_with(channel, msg, true)
    }

    fn publish_with(&mut self, channel: &[u8], msg: &[u8], shard: bool) -> usize {
        let limit = self.config.output_limit_pubsub;
        let Store {
            pubsub,
            clients,
            stats,
            ..
        } = self;
        let mut n = 0;
        let mut deliver = |id: u64, m: &crate::pubsub::Message| {
            n += 1;
            push_message(clients, stats, limit, id, m);
        };
        if shard {
            pubsub.for_each_shard_receiver(channel, msg, &mut deliver);
        } else {
            pubsub.for_each_receiver(channel, msg, &mut deliver);
        }
        n
    }
}

/// Queues a pub/sub message for client `id`, enforcing the pubsub client-output-buffer-limit
/// (a client over it is closed, as Redis does).
fn push_message(
    clients: &mut HashMap<u64, ClientInfo>,
    stats: &mut Stats,
    limit: crate::config::OutputLimit,
    id: u64,
    m: &crate::pubsub::Message,
) {
    let Some(c) = clients.get_mut(&id) else {
        return;
    };
    if c.shared.is_killed() {
        return;
    }
    let frame = m.frame(c.shared.resp.load(Ordering::Relaxed) == 3);
    c.shared
        .pending_bytes
        .fetch_add(frame.len() as u64, Ordering::SeqCst);
    let used = c.shared.output_bytes();
    if enforce_output_limit(c, stats, limit, used) {
        return;
    }
    c.shared.mailbox.send(Mail::Push(frame));
}

impl Store {
    pub fn db_len(&self, db: usize) -> usize {
        self.dbs[db].len()
    }

    /// Reads the monotonic clock at the start of a batch (commands chain from there).
    pub fn refresh_clock(&mut self) {
        self.clock_last = Instant::now();
    }

    /// Re-reads the wall clock against the monotonic one (the server tick).
    pub fn rebase_wall_clock(&mut self) {
        let now = Instant::now();
        self.clock_base = (now, now_ms());
        self.clock_last = now;
    }

    /// Unix ms at `at` (an instant read since the last rebase).
    pub fn unix_ms_at(&self, at: Instant) -> i64 {
        let (base, ms) = self.clock_base;
        ms + at.saturating_duration_since(base).as_millis() as i64
    }
}
