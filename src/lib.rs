//! sluice: a Redis-protocol message-queue server.
//!
//! Layers point one way: connection → `resp` → command table → keyspace → data types. A module
//! imports only from its own layer or below; no data or utility module imports `cmd` or
//! `server`.
//!
//! - Network: [`server`] (listener, accept loop, shutdown, the timer: active expiry, AOF
//!   retries), [`connection`] (one task per client: reads, parses with `resp`, runs each batch
//!   under the store lock, writes replies once per batch; blocked waits, pub/sub pushes),
//!   [`busy_poll`] (while the event loop is busy it polls briefly instead of sleeping),
//!   [`busy_io`] (answers other clients while a script is past busy-reply-threshold).
//! - Command layer, [`cmd`]: the dispatcher (`process` → `call`: arity, auth, OOM, MULTI and
//!   pub/sub context checked centrally; propagation of effects; serving blocked clients),
//!   `cmd::table` (a command is a row of data: arity, flags, ACL categories, key specs, docs;
//!   COMMAND INFO/DOCS/GETKEYS come from the rows), one module per family declaring its rows
//!   beside its handlers (`connection`, `server`, `keys`, `strings`, `lists`, `hashes`, `sets`,
//!   `zsets`, `sort`, `pubsub`, `scripting` (EVAL and SCRIPT), `functions` (FUNCTION, FCALL), and
//!   `streams/`, split by concern: entries, reads, groups, info, effects), `cmd::args`
//!   (argument cursor), `cmd::testing` (the command-level test tier).
//! - State, [`store`]: everything commands touch, behind one mutex: the databases through
//!   [`keyspace`] (the one door to keys, as Redis's db.c: lookups, add/overwrite/delete,
//!   and `written`, which alone bumps dirty, signals WATCH and blocked clients and emits
//!   keyspace events), the client registry ([`client`]), [`blocking`] (blocked clients,
//!   signal then serve), [`pubsub`], [`stats`], the AOF status and the effects to propagate.
//!   [`evict`] applies maxmemory-policy to it; [`mailbox`] is how one connection hands
//!   another a served reply or a push.
//! - Scripting, [`scripting`]: the Lua 5.1 interpreter, the script cache, function libraries
//!   (`scripting::functions`), RESP↔Lua conversions and the bit/cjson/cmsgpack/struct
//!   libraries; a script's `redis.call` goes back through `cmd::call`. Scripts run on the
//!   event loop as Redis's do; a busy one hands the other clients to [`busy_io`].
//! - Data: [`db`] (a database: slot map with stable slots for SCAN, expires, access
//!   metadata; keys are [`key::Key`], 16 bytes, inline up to 15) and [`types`] (list, hash, set, sorted set and its B+tree, stream, radix tree,
//!   and the listpack and slot-table encodings they share); no sockets, no RESP, no commands.
//!   The consumer-group rules (deliver, acknowledge, claim, delete a consumer, destroy a
//!   group) are methods of the stream and group types, so commands and the server's own
//!   timers apply the same ones.
//! - Persistence glue: [`aof`] (loading by replaying through the dispatcher, writing the
//!   effects with the `persistence` crate) and [`aof_rewrite`] (the base file from a
//!   copy-on-write snapshot).
//! - Support: [`config`] (redis.conf-compatible directives), [`error`] (typed errors rendered
//!   to Redis's texts in one place), [`glob`] (Redis's pattern matcher), [`alloc`] (memory
//!   readings), [`util`].

// jemalloc, as Redis ships with: many small, short-lived allocations per command (arguments,
// replies) and long-lived packed nodes, where it is faster than glibc's malloc and fragments
// less; its counters give INFO's used_memory and maxmemory; and the memory comparison with
// redis-server is like for like. Set here, not in the binary, so tests run on it too.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod acl;
pub mod alloc;
pub mod aof;
pub mod aof_rewrite;
pub mod blocking;
pub mod bufpool;
pub mod busy_io;
pub mod busy_poll;
pub mod client;
pub mod cmd;
pub mod config;
mod config_table;
pub mod connection;
pub mod db;
pub mod error;
pub mod evict;
pub mod glob;
pub mod http;
pub mod key;
pub mod keyspace;
pub mod latency;
pub mod list_traffic;
pub mod mailbox;
pub mod monitor;
pub mod pubsub;
pub mod rdb;
pub mod scripting;
pub mod server;
pub mod slowlog;
pub mod stats;
pub mod store;
pub mod tls;
pub mod types;
pub mod util;

/// The Redis version whose command set and semantics sluice implements (INFO's
/// `redis_version`, HELLO, `redis.REDIS_VERSION`): the newest release whose additions to the
/// families sluice has (strings, keys, lists, hashes, sets, sorted sets, streams, pub/sub,
/// scripting) are all here, 8.4 (its SET IFEQ family, DELEX, DIGEST, MSETEX, XREADGROUP
/// CLAIM). Clients read it to switch features on (RQ, BullMQ, Sidekiq), so it must not
/// claim more: 8.6's IDMP and 8.8/8.10's XNACK, INCREX, LMOVEM and read caps are here too,
/// but not yet everything of those releases (README).
pub const REDIS_VERSION: &str = "8.4.0";
