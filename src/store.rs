//! The store: everything commands touch, behind one mutex (see `server.rs`), so commands run
//! one at a time against a consistent keyspace exactly as in Redis. Parsing and socket I/O
//! happen outside the lock; the lock is never held across an `.await`.
//!
//! It owns:
//! - the databases ([`crate::keyspace`]: the one door to keys, and the per-key bookkeeping
//!   every write must do: WATCH, blocked clients, keyspace events, dirty);
//! - the client registry (CLIENT LIST/KILL/UNBLOCK see other connections through it);
//! - the blocked-client registry (`blocking.rs`) and pub/sub registry (`pubsub.rs`);
//! - the propagation buffer: effects of write commands, handed to the AOF after each batch.

use crate::blocking::Blocking;
use crate::client::{enforce_output_limit, ClientInfo, ClientShared};
use crate::config::Config;
use crate::mailbox::Mail;
use crate::pubsub::PubSub;
use crate::stats::{NetCounters, Stats};
use crate::util::{now_ms, now_us, Rng};
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Redis version whose command semantics sluice implements (reported as `redis_version`).
pub const REDIS_VERSION_COMPAT: &str = crate::REDIS_VERSION;

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
    /// INFO `aof_rewrites_consecutive_failures` (reset by a rewrite that succeeds).
    pub rewrites_consecutive_failures: u64,
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

/// RDB saving as INFO persistence reports it (see `crate::rdb`).
#[derive(Debug, Clone)]
pub struct RdbState {
    /// BGSAVE asked for (or SCHEDULEd behind a running save or rewrite); the tick starts it.
    pub bgsave_requested: bool,
    /// When the running BGSAVE started.
    pub bgsave_started: Option<Instant>,
    pub last_bgsave_ok: bool,
    pub last_bgsave_secs: i64,
    /// Unix seconds of the last failed BGSAVE: save points retry only 5 s later (Redis's
    /// CONFIG_BGSAVE_RETRY_DELAY).
    pub last_bgsave_try: i64,
    /// `ks.dirty()` when the running BGSAVE took its snapshot.
    pub dirty_at_bgsave: u64,
    /// INFO `rdb_saves`: snapshots written successfully (SAVE, BGSAVE, save points).
    pub saves: u64,
    /// INFO `rdb_last_load_keys_loaded`: keys the last RDB load put in the keyspace.
    pub last_load_keys_loaded: u64,
}

impl Default for RdbState {
    fn default() -> Self {
        RdbState {
            bgsave_requested: false,
            bgsave_started: None,
            last_bgsave_ok: true,
            last_bgsave_secs: -1,
            last_bgsave_try: 0,
            dirty_at_bgsave: 0,
            saves: 0,
            last_load_keys_loaded: 0,
        }
    }
}

/// SHUTDOWN's options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShutdownKind {
    pub nosave: bool,
    pub save: bool,
    pub now: bool,
    pub force: bool,
    pub abort: bool,
    /// The final save was settled already (by the SHUTDOWN command or the signal handler:
    /// see `rdb::final_save`).
    pub saved: bool,
}

/// A propagated effect: database and argv.
pub type Effect = (usize, Vec<Bytes>);

pub struct Store {
    /// The databases, reached through the keyspace API (`keyspace.rs`).
    pub ks: crate::keyspace::Keyspace,
    pub config: Config,
    /// ACL users, the ACL log and the denial counters (`acl.rs`).
    pub acl: crate::acl::Acl,
    pub clients: HashMap<u64, ClientInfo>,
    pub blocking: Blocking,
    pub pubsub: PubSub,
    pub stats: Stats,
    /// Clients in MONITOR mode (`monitor.rs`), in the order they started.
    pub monitors: Vec<u64>,
    /// LATENCY (`latency.rs`).
    pub latency: crate::latency::LatencyMonitor,
    /// SLOWLOG (`slowlog.rs`).
    pub slowlog: crate::slowlog::SlowLog,
    pub aof: AofStatus,
    /// `ks.dirty()` at the last save (INFO rdb_changes_since_last_save).
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
    /// INFO `used_memory_startup`: what the server held before loading any data.
    pub startup_memory: u64,
    /// Used memory as the maxmemory checks read it (see `alloc::Gauge`).
    pub memory: crate::alloc::Gauge,
    pub net: Arc<NetCounters>,
    pub start: Instant,
    /// The wall clock (unix µs) read at an instant: commands derive their time from the
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
    pub rdb: RdbState,
    pub next_client_id: u64,
    /// True while the AOF loads: clients get -LOADING.
    pub loading: bool,
    pub loading_started: Option<Instant>,
    pub loading_total_bytes: u64,
    pub loading_loaded_bytes: u64,
    /// Client ids paused by CLIENT PAUSE until this instant (WRITE or ALL).
    pub pause_until: Option<(Instant, bool)>,
    /// Set by SHUTDOWN; the server loop acts on it.
    pub shutdown_requested: Option<ShutdownKind>,
    pub run_id: String,
    pub tcp_port: u16,
    pub executable: String,
    pub config_file: Option<String>,
    /// Is a command being executed as part of propagation replay (AOF load)?
    pub replaying: bool,
    /// The running command must not update keys' access times (CLIENT NO-TOUCH).
    pub no_touch: bool,
    /// Lua scripting: the interpreter, the script cache, the running script's status.
    pub scripting: crate::scripting::Scripting,
    /// While a script runs: its start time, which every command it calls sees as now
    /// (Redis freezes a script's clock).
    pub script_time: Option<i64>,
    /// Wakes the stream policy timer (delayed entries, retention by age) when a stream is
    /// hinted earlier than before (`keyspace::Store::note_stream_timer`).
    pub policy_wake: Arc<tokio::sync::Notify>,
    /// Inside EXEC or a script: a command's several effects are already wrapped in the
    /// transaction's MULTI/EXEC.
    pub in_transaction: bool,
    /// Pushes and pops per list for the dashboard (`list_traffic.rs`), through
    /// [`Store::note_list_traffic`].
    pub list_traffic: crate::list_traffic::ListTraffic,
}

impl Store {
    pub fn new(config: Config) -> Store {
        let seed = crate::util::now_us() as u64 ^ (std::process::id() as u64) << 32;
        let mut rng = Rng::new(seed);
        let run_id: String = (0..40).map(|_| format!("{:x}", rng.below(16))).collect();
        Store {
            ks: crate::keyspace::Keyspace::new(config.databases),
            tcp_port: config.port,
            acl: {
                let mut acl = crate::acl::Acl::new();
                acl.set_default_password(config.requirepass.as_deref());
                acl
            },
            config,
            clients: HashMap::new(),
            blocking: Blocking::default(),
            pubsub: PubSub::default(),
            stats: Stats::default(),
            slowlog: Default::default(),
            latency: Default::default(),
            monitors: Vec::new(),
            aof: AofStatus {
                last_write_ok: true,
                last_bgrewrite_ok: true,
                last_rewrite_secs: -1,
                ..Default::default()
            },
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
            startup_memory: 0,
            memory: Default::default(),
            net: Default::default(),
            start: Instant::now(),
            clock_base: (Instant::now(), now_us()),
            clock_last: Instant::now(),
            cmd_time_ms: now_ms(),
            start_unix: now_ms() / 1000,
            lastsave: now_ms() / 1000,
            rdb: RdbState::default(),
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
            scripting: crate::scripting::Scripting::new(),
            script_time: None,
            policy_wake: Arc::new(tokio::sync::Notify::new()),
            in_transaction: false,
            list_traffic: Default::default(),
        }
    }

    /// Records an effect for the AOF. Replaying the log records nothing.
    pub fn propagate(&mut self, db: usize, argv: Vec<Bytes>) {
        if self.replaying || !self.aof.enabled {
            return;
        }
        self.effects.push((db, argv));
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
        self.ks.db(db).len()
    }

    /// Reads the monotonic clock at the start of a batch (commands chain from there).
    pub fn refresh_clock(&mut self) {
        self.clock_last = Instant::now();
    }

    /// Re-reads the wall clock against the monotonic one (the server tick).
    pub fn rebase_wall_clock(&mut self) {
        let now = Instant::now();
        self.clock_base = (now, now_us());
        self.clock_last = now;
    }

    /// `latencyAddSampleIfNeeded` for work that began at `started` and ends now: recorded
    /// as `event` in the latency monitor if it took `latency-monitor-threshold` ms or more
    /// (never while replaying the AOF).
    pub fn latency_sample(&mut self, event: &'static str, started: Instant) {
        let now = Instant::now();
        self.latency_sample_ms(event, now.duration_since(started).as_millis() as u64, now);
    }

    /// [`Store::latency_sample`] with the duration measured by the caller.
    pub fn latency_sample_ms(&mut self, event: &'static str, ms: u64, ended: Instant) {
        let threshold = self.config.latency_monitor_threshold;
        if threshold == 0 || ms < threshold || self.replaying {
            return;
        }
        let now = self.unix_ms_at(ended) / 1000;
        self.latency.add_if_needed(threshold, event, ms, now);
    }

    /// Unix ms at `at` (an instant read since the last rebase).
    pub fn unix_ms_at(&self, at: Instant) -> i64 {
        // Kept in µs and floored once, so the ms read is the wall clock's own (flooring the
        // base and the elapsed time apart would lag it by up to 2 ms).
        let (base, us) = self.clock_base;
        (us + at.saturating_duration_since(base).as_micros() as i64) / 1000
    }
}
