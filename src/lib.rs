//! sluice: a Redis-protocol message-queue server.
//!
//! Map of the crate (layers point one way: connection → `resp` → command table → data types):
//!
//! - [`server`]: listener, accept loop, shutdown, background ticks (active expiry, AOF retries).
//! - [`connection`]: one task per client: reads, parses with `resp`, runs commands under the
//!   store lock, writes replies once per batch; blocked waits and pub/sub pushes.
//! - [`cmd`]: the command table and dispatcher (arity, flags, MULTI, auth checked centrally),
//!   one module per command family.
//! - [`store`]: all state commands touch (databases, clients, blocking, pub/sub, effects).
//! - [`db`], [`types`]: the keyspace and data types; no sockets, no RESP.
//! - [`blocking`], [`pubsub`]: blocked-client and subscription registries; [`mailbox`]: how
//!   one connection hands another a served reply or a push.
//! - [`aof`]: glue between the store's effects and the `persistence` crate (loading, writing).
//! - [`config`]: redis.conf-compatible configuration; [`glob`]: Redis's pattern matcher.
//! - [`busy_poll`]: while the event loop is busy, it polls briefly instead of sleeping.

// jemalloc, as Redis ships with: many small, short-lived allocations per command (arguments,
// replies) and long-lived packed nodes, where it is faster than glibc's malloc and fragments
// less; its counters give INFO's used_memory and maxmemory; and the memory comparison with
// redis-server is like for like. Set here, not in the binary, so tests run on it too.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod alloc;
pub mod aof;
pub mod aof_rewrite;
pub mod blocking;
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
pub mod keyspace;
pub mod mailbox;
pub mod pubsub;
pub mod server;
pub mod stats;
pub mod store;
pub mod types;
pub mod util;

/// The Redis version whose command set and semantics sluice implements (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.2.0";
