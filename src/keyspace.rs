//! The keyspace: the one door to keys, as Redis's `db.c`.
//!
//! [`Keyspace`] owns the databases; their maps are private to this module. Everything else
//! reads them through [`Keyspace::db`] (iteration: SCAN, KEYS, INFO, the rewrite snapshot) and
//! changes them only through the functions below, which do the per-key bookkeeping every
//! command would otherwise repeat:
//!
//! - **Lookups** ([`Store::lookup`] with `LOOKUP_*` flags, [`Store::lookup_read`],
//!   [`Store::lookup_write`], and the typed [`Store::get`] / [`Store::get_mut`] that answer
//!   WRONGTYPE in one place): expire-if-needed, `keyspace_hits`/`keyspace_misses` and the
//!   `keymiss` event on read lookups, access metadata (LRU/LFU) unless CLIENT NO-TOUCH.
//! - **Changes of existence**: [`Store::add`] (a new key: fresh access metadata, the `new`
//!   event, its waiters signalled), [`Store::overwrite`] (`setKey`), [`Store::delete`]
//!   (`dbGenericDelete`: WATCH and waiters signalled), [`Store::delete_if_empty`] (a list
//!   emptied by a pop), expiry ([`Store::set_expire`], [`Store::persist`]), whole databases
//!   ([`Store::flush_db`], [`Store::flush_all`], [`Store::swap_db`]), eviction
//!   ([`Store::evict`]).
//! - **A write's aftermath**: [`Store::written`] — dirty, WATCH (`signalModifiedKey`), the
//!   keyspace event (`notifyKeyspaceEvent`), and the key marked ready for blocked clients
//!   (`signalKeyAsReady`; serving happens after the command, see `blocking.rs`).
//!
//! Invariants: no other module bumps `dirty`, signals WATCH or blocked clients, or emits a
//! keyspace event. A key marked ready is served only to waiters whose type it now holds
//! (`cmd::serve_blocked`), so signalling more keys than needed is harmless, and signalling
//! fewer is the bug this module exists to prevent: RENAME, MOVE, COPY, SWAPDB and every new
//! type get blocking and WATCH right without knowing about them.

use crate::config::{NOTIFY_GENERIC, NOTIFY_HASH, NOTIFY_KEY_MISS, NOTIFY_NEW};
use crate::db::{access_meta, Db, DbSnapshot, RString, Value};
use crate::error::{CmdError, CmdResult};
use crate::store::Store;
use crate::types::hash::Hash;
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::stream::Stream;
use crate::types::zset::ZSet;
use bytes::Bytes;

/// Lookup flags, as Redis's `LOOKUP_*`.
pub const LOOKUP_NONE: u8 = 0;
/// Leave the access metadata (LRU/LFU) alone (OBJECT, TYPE, EXISTS).
pub const LOOKUP_NOTOUCH: u8 = 1 << 0;
/// No `keymiss` event on a miss.
pub const LOOKUP_NONOTIFY: u8 = 1 << 1;
/// No hit/miss statistics.
pub const LOOKUP_NOSTATS: u8 = 1 << 2;
/// A write lookup: neither statistics nor `keymiss`.
pub const LOOKUP_WRITE: u8 = 1 << 3;

/// The databases. Private maps; see the module doc.
#[derive(Debug)]
pub struct Keyspace {
    dbs: Vec<Db>,
    /// Redis's `server.dirty`: changes to the dataset since start.
    dirty: u64,
}

impl Keyspace {
    pub fn new(databases: usize) -> Keyspace {
        Keyspace {
            dbs: (0..databases).map(|_| Db::default()).collect(),
            dirty: 0,
        }
    }

    /// Number of databases (`databases`).
    pub fn len(&self) -> usize {
        self.dbs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dbs.is_empty()
    }

    /// Read-only view of database `i`, for iteration and introspection. Reading a key
    /// through it neither expires it nor counts it: commands use the lookups.
    pub fn db(&self, i: usize) -> &Db {
        &self.dbs[i]
    }

    pub fn dbs(&self) -> impl Iterator<Item = &Db> {
        self.dbs.iter()
    }

    /// Changes to the dataset since start (INFO's `rdb_changes_since_last_save` base).
    pub fn dirty(&self) -> u64 {
        self.dirty
    }

    /// Every database at this moment, copy-on-write (the AOF rewrite).
    pub fn snapshot(&self) -> Vec<DbSnapshot> {
        self.dbs.iter().map(Db::snapshot).collect()
    }

    /// A random key of database `db` (`volatile`: among keys with a TTL), for eviction and
    /// active expiry. Not a lookup: the key may be expired.
    pub fn random_key(
        &self,
        db: usize,
        volatile: bool,
        rng: &mut crate::util::Rng,
    ) -> Option<Bytes> {
        let d = &self.dbs[db];
        if volatile {
            d.expires
                .random(rng)
                .map(|(k, _)| Bytes::copy_from_slice(k))
        } else {
            d.keys.random(rng).map(|(k, _)| Bytes::copy_from_slice(k))
        }
    }
}

/// A type a key can hold, for typed lookups ([`Store::get`], [`Store::get_mut`]).
pub trait ValueType {
    fn of(v: &Value) -> Option<&Self>;
    fn of_mut(v: &mut Value) -> Option<&mut Self>;
}

impl ValueType for RString {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl ValueType for List {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
}

impl ValueType for Hash {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::Hash(h) => Some(h),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::Hash(h) => Some(h),
            _ => None,
        }
    }
}

impl ValueType for Set {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }
}

impl ValueType for ZSet {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::Zset(z) => Some(z),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::Zset(z) => Some(z),
            _ => None,
        }
    }
}

impl ValueType for Stream {
    fn of(v: &Value) -> Option<&Self> {
        match v {
            Value::Stream(s) => Some(s),
            _ => None,
        }
    }
    fn of_mut(v: &mut Value) -> Option<&mut Self> {
        match v {
            Value::Stream(s) => Some(s),
            _ => None,
        }
    }
}

impl Store {
    // -----------------------------------------------------------------------------------
    // Lookups
    // -----------------------------------------------------------------------------------

    /// Deletes `key` if its TTL passed at `now`, propagating `DEL` and notifying `expired`, as
    /// Redis's `expireIfNeeded`. True if the key was expired (and is now gone).
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8], now: i64) -> bool {
        if !self.ks.dbs[db].is_expired(key, now) {
            return false;
        }
        if self.replaying {
            // While loading, keys are not expired: the log's own DELs decide (Redis does the
            // same for masters' streams).
            return false;
        }
        let k = Bytes::copy_from_slice(key);
        self.delete(db, &k);
        self.stats.expired_keys += 1;
        self.propagate(db, vec![Bytes::from_static(b"DEL"), k.clone()]);
        self.notify(crate::config::NOTIFY_EXPIRED, "expired", db, &k);
        true
    }

    /// Deletes the fields of the hash at `key` whose TTL passed at `now`, at most `limit` of
    /// them (Redis's lazy field expiry and `hashTypeDbActiveExpire`): an `HDEL` propagated
    /// per field, `hexpired` notified, WATCH signalled, and the key deleted (with `del`)
    /// when no field is left. Every lookup does it for a hash whose earliest TTL passed, so
    /// commands never see an expired field. The number of fields deleted.
    pub fn reclaim_fields(&mut self, db: usize, key: &[u8], now: i64, limit: usize) -> usize {
        if self.replaying {
            // As for keys: while loading, the log's own HDELs decide.
            return 0;
        }
        let Some(i) = self.ks.dbs[db].keys.slot_of(key) else {
            return 0;
        };
        let due = matches!(self.ks.dbs[db].keys.slot_value(i),
            Some(Value::Hash(h)) if h.min_expire().is_some_and(|m| m <= now));
        if !due {
            return 0;
        }
        let Some((Value::Hash(h), _)) = self.ks.dbs[db].keys.slot_mut(i) else {
            return 0;
        };
        let fields = h.take_expired(now, limit);
        let (empty, next) = (h.is_empty(), h.min_expire());
        let k = Bytes::copy_from_slice(key);
        for f in &fields {
            self.propagate(
                db,
                vec![
                    Bytes::from_static(b"HDEL"),
                    k.clone(),
                    Bytes::copy_from_slice(f),
                ],
            );
        }
        self.stats.expired_subkeys += fields.len() as u64;
        self.signal_modified(db, &k);
        self.notify(NOTIFY_HASH, "hexpired", db, &k);
        self.notify_subkeys(db, &k, NOTIFY_HASH, "hexpired", &fields);
        if empty {
            self.delete(db, &k);
            self.notify(NOTIFY_GENERIC, "del", db, &k);
        } else if let Some(t) = next {
            self.ks.dbs[db].field_expires.note(&k, t);
        }
        fields.len()
    }

    /// Notes the hash at `key` for the active cycle after its field TTLs changed (see
    /// `db::FieldExpiries`).
    pub fn note_field_ttls(&mut self, db: usize, key: &Bytes) {
        if let Some(Value::Hash(h)) = self.ks.dbs[db].keys.get(key) {
            if let Some(t) = h.min_expire() {
                self.ks.dbs[db].field_expires.note(key, t);
            }
        }
    }

    /// The active half of field expiry: pops the due hints of `db` and reclaims their
    /// hashes' expired fields, at most `budget` fields in all (a hash with more due is noted
    /// again and finished on later cycles). The number of fields reclaimed.
    pub fn active_expire_fields(&mut self, db: usize, now: i64, budget: usize) -> usize {
        let mut done = 0;
        while done < budget {
            let Some(k) = self.ks.dbs[db].field_expires.pop_due(now) else {
                break;
            };
            done += self.reclaim_fields(db, &k, now, budget - done);
            // A stale or unfinished hint: note the hash again at its earliest TTL.
            self.note_field_ttls(db, &k);
        }
        done
    }

    /// `lookupKey`: the value at `key` in the running command's time, or None. See the
    /// `LOOKUP_*` flags for what a read lookup does besides.
    pub fn lookup(&mut self, db: usize, key: &[u8], flags: u8) -> Option<&mut Value> {
        let now = self.cmd_time_ms;
        self.expire_if_needed(db, key, now);
        // One hash probe: the slot found serves the rest of the lookup.
        let mut slot = self.ks.dbs[db].keys.slot_of(key);
        if let Some(i) = slot {
            let ttls = matches!(self.ks.dbs[db].keys.slot_value(i),
                Some(Value::Hash(h)) if h.has_field_ttls());
            if ttls && self.reclaim_fields(db, key, now, usize::MAX) > 0 {
                slot = self.ks.dbs[db].keys.slot_of(key);
            }
        }
        let read = flags & LOOKUP_WRITE == 0;
        if read && flags & LOOKUP_NOSTATS == 0 {
            if slot.is_some() {
                self.stats.keyspace_hits += 1;
            } else {
                self.stats.keyspace_misses += 1;
            }
        }
        let Some(slot) = slot else {
            if read && flags & LOOKUP_NONOTIFY == 0 {
                self.notify(NOTIFY_KEY_MISS, "keymiss", db, key);
            }
            return None;
        };
        let touch = !self.no_touch && flags & LOOKUP_NOTOUCH == 0;
        let lfu = self.config.lfu_policy;
        let (log_factor, decay) = if lfu && touch {
            (self.lfu_log_factor(), self.lfu_decay_time())
        } else {
            (0.0, 0)
        };
        let r = if lfu && touch {
            (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        } else {
            0.0
        };
        let (v, m) = self.ks.dbs[db].keys.slot_mut(slot)?;
        if touch {
            let secs = (now / 1000).max(0) as u64;
            *m = if lfu {
                let cur = if *m == 0 {
                    access_meta::fresh(secs)
                } else {
                    *m
                };
                access_meta::accessed(cur, secs, log_factor, decay, r)
            } else {
                access_meta::touched_lru(*m, secs)
            };
        }
        Some(v)
    }

    /// `lookupKeyRead`: counts a hit or a miss, `keymiss` on a miss.
    pub fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        self.lookup(db, key, LOOKUP_NONE)
    }

    /// `lookupKeyWrite`: no statistics, no `keymiss`.
    pub fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        self.lookup(db, key, LOOKUP_WRITE)
    }

    /// Whether `key` exists (expiring it if due), with `flags` as [`Store::lookup`].
    pub fn exists(&mut self, db: usize, key: &[u8], flags: u8) -> bool {
        self.lookup(db, key, flags).is_some()
    }

    /// A read lookup of a value of type `T`: `Ok(None)` if absent, WRONGTYPE for another type.
    pub fn get<T: ValueType>(&mut self, db: usize, key: &[u8]) -> CmdResult<Option<&mut T>> {
        typed(self.lookup_read(db, key))
    }

    /// A write lookup of a value of type `T` (see [`Store::get`]).
    pub fn get_mut<T: ValueType>(&mut self, db: usize, key: &[u8]) -> CmdResult<Option<&mut T>> {
        typed(self.lookup_write(db, key))
    }

    /// The value at `key` without any lookup side effect (no expiry, no statistics, no
    /// access time): what blocked-client serving checks before re-running a command.
    pub fn peek(&self, db: usize, key: &[u8]) -> Option<&Value> {
        self.ks.dbs[db].keys.get(key)
    }

    /// The absolute expire time of `key` in unix ms, if it has one.
    pub fn expire_at(&self, db: usize, key: &[u8]) -> Option<i64> {
        self.ks.dbs[db].expire_at(key)
    }

    /// The access metadata of `key` (OBJECT IDLETIME/FREQ), 0 if absent.
    pub fn access_meta(&self, db: usize, key: &[u8]) -> u64 {
        self.ks.dbs[db].keys.meta(key).unwrap_or(0)
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

    // -----------------------------------------------------------------------------------
    // Changes of existence
    // -----------------------------------------------------------------------------------

    /// `dbAdd`: stores `v` at `key`, which must not exist, with fresh access metadata; the
    /// `new` event; waiters on the key are signalled. The command still calls
    /// [`Store::written`] for its own event.
    pub fn add(&mut self, db: usize, key: &Bytes, v: Value) -> &mut Value {
        let meta = self.fresh_meta();
        self.note_value_ttls(db, key, &v);
        let old = self.ks.dbs[db].keys.insert_with_meta(key, v, meta);
        debug_assert!(old.is_none(), "add of an existing key");
        self.notify(NOTIFY_NEW, "new", db, key);
        self.blocking.signal_ready(db, key);
        self.ks.dbs[db]
            .keys
            .get_mut(key)
            .expect("the key just added")
    }

    /// [`Store::add`] unless `key` exists, in which case `v` comes back and nothing changes
    /// (an RDB load: a key twice in the file is an error).
    pub fn try_add(&mut self, db: usize, key: &Bytes, v: Value) -> Result<(), Value> {
        let meta = self.fresh_meta();
        let hint = field_ttl_hint(&v);
        let timer = match &v {
            Value::Stream(s) => s.next_timer(&self.config.default_retention),
            _ => None,
        };
        self.ks.dbs[db].keys.insert_absent(key, v, meta)?;
        if let Some(t) = hint {
            self.ks.dbs[db].field_expires.note(key, t);
        }
        if let Some(t) = timer {
            self.hint_stream_timer(db, key, t);
        }
        self.notify(NOTIFY_NEW, "new", db, key);
        self.blocking.signal_ready(db, key);
        Ok(())
    }

    /// Room for `keys` more keys, `expires` of them with a TTL, in database `db` (RDB's
    /// RESIZEDB), so that a load does not rehash as it goes.
    pub fn reserve(&mut self, db: usize, keys: usize, expires: usize) {
        self.ks.dbs[db].keys.reserve(keys);
        self.ks.dbs[db].expires.reserve(expires);
    }

    /// A hash arriving with field TTLs (COPY, RENAME, MOVE, RESTORE) is hinted for the
    /// active cycle.
    fn note_value_ttls(&mut self, db: usize, key: &Bytes, v: &Value) {
        if let Some(t) = field_ttl_hint(v) {
            self.ks.dbs[db].field_expires.note(key, t);
        }
        if let Value::Stream(s) = v {
            if let Some(t) = s.next_timer(&self.config.default_retention) {
                self.hint_stream_timer(db, key, t);
            }
        }
    }

    /// Notes the stream at `key` for the policy timer after its delayed entries or
    /// retention changed (see `db::Db::stream_timers`).
    pub fn note_stream_timer(&mut self, db: usize, key: &Bytes) {
        if let Some(Value::Stream(s)) = self.ks.dbs[db].keys.get(key) {
            if let Some(t) = s.next_timer(&self.config.default_retention) {
                self.hint_stream_timer(db, key, t);
            }
        }
    }

    /// Hints every stream of every database for the policy timer (the server-wide retention
    /// changed): O(keys), once per CONFIG SET.
    pub fn note_all_stream_timers(&mut self) {
        let default = self.config.default_retention;
        let mut hints = Vec::new();
        for (db, d) in self.ks.dbs.iter().enumerate() {
            for (k, v) in d.keys.iter() {
                if let Value::Stream(s) = v {
                    if let Some(t) = s.next_timer(&default) {
                        hints.push((db, Bytes::copy_from_slice(k), t));
                    }
                }
            }
        }
        for (db, k, t) in hints {
            self.hint_stream_timer(db, &k, t);
        }
    }

    /// Hints the stream at `key` for the policy timer at `t` (or earlier, if it is hinted
    /// earlier already).
    pub fn note_stream_timer_at(&mut self, db: usize, key: &Bytes, t: i64) {
        self.hint_stream_timer(db, key, t);
    }

    fn hint_stream_timer(&mut self, db: usize, key: &Bytes, t: i64) {
        if self.ks.dbs[db].stream_timers.note(key, t) {
            // The timer task sleeps until the earliest hint: an earlier one wakes it.
            self.policy_wake.notify_one();
        }
    }

    /// Pops the stream timer hints of `db` due at `now`.
    pub fn pop_stream_timer(&mut self, db: usize, now: i64) -> Option<Bytes> {
        self.ks.dbs[db].stream_timers.pop_due(now)
    }

    /// The earliest stream timer hint of any database.
    pub fn next_stream_timer(&self) -> Option<i64> {
        self.ks
            .dbs
            .iter()
            .filter_map(|d| d.stream_timers.first_time())
            .min()
    }

    /// The clock a command's access metadata comes from, in seconds.
    fn now_secs(&self) -> u64 {
        (self.cmd_time_ms / 1000).max(0) as u64
    }

    /// Access metadata for a value written now.
    fn fresh_meta(&self) -> u64 {
        access_meta::fresh(self.now_secs())
    }

    /// `setKey`: stores `v` at `key` whether it exists or not, dropping its TTL unless
    /// `keep_ttl`. A key that did not exist is added ([`Store::add`]); the old value, if any,
    /// is returned. WATCH and waiters are signalled either way.
    pub fn overwrite(&mut self, db: usize, key: &Bytes, v: Value, keep_ttl: bool) -> Option<Value> {
        let meta = self.fresh_meta();
        self.note_value_ttls(db, key, &v);
        let old = self.ks.dbs[db].keys.insert_with_meta(key, v, meta);
        if old.is_none() {
            self.notify(NOTIFY_NEW, "new", db, key);
        } else if !keep_ttl && !self.ks.dbs[db].expires.is_empty() {
            self.ks.dbs[db].expires.remove(key);
        }
        self.signal_modified(db, key);
        self.blocking.signal_ready(db, key);
        old
    }

    /// Redis 8.2's events for a value that replaced `old` whole at `key` (`setKey` on an
    /// existing key: SET, MSET, the *STORE commands; RENAME, COPY and RESTORE onto an existing
    /// key): `overwritten`, and `type_changed` when the new value is of another type. Not for
    /// in-place updates (INCR, APPEND), as in Redis.
    pub fn notify_replaced(&mut self, db: usize, key: &[u8], old: &Value) {
        use crate::config::{NOTIFY_OVERWRITTEN, NOTIFY_TYPE_CHANGED};
        if self.config.notify_flags & (NOTIFY_OVERWRITTEN | NOTIFY_TYPE_CHANGED) == 0 {
            return;
        }
        self.notify(NOTIFY_OVERWRITTEN, "overwritten", db, key);
        let changed = self.ks.dbs[db]
            .keys
            .get(key)
            .is_some_and(|v| std::mem::discriminant(v) != std::mem::discriminant(old));
        if changed {
            self.notify(NOTIFY_TYPE_CHANGED, "type_changed", db, key);
        }
    }

    /// `dbGenericDelete`: removes `key` and its TTL; WATCH and waiters are signalled (an
    /// XREADGROUP waiter then fails). The removed value, if the key existed. The command emits
    /// its own event (`del`, `rename_from`, ...) through [`Store::written`].
    pub fn delete(&mut self, db: usize, key: &[u8]) -> Option<Value> {
        let v = self.ks.dbs[db].remove(key)?;
        self.signal_modified(db, key);
        self.blocking.signal_ready(db, key);
        Some(v)
    }

    /// Deletes `key` if it holds a collection left empty by a pop or removal (a list never
    /// exists empty), with Redis's `del` event after the command's own. True if deleted.
    pub fn delete_if_empty(&mut self, db: usize, key: &[u8]) -> bool {
        let empty = self.ks.dbs[db]
            .keys
            .get(key)
            .is_some_and(Value::is_empty_collection);
        if empty {
            self.delete(db, key);
            self.notify(NOTIFY_GENERIC, "del", db, key);
        }
        empty
    }

    /// Sets the absolute expire time of an existing `key`. The command reports it with
    /// [`Store::written`] (`expire`).
    pub fn set_expire(&mut self, db: usize, key: &Bytes, when_ms: i64) {
        self.ks.dbs[db].set_expire(key, when_ms);
    }

    /// The access metadata of a key just restored from a snapshot (RESTORE's IDLETIME and
    /// FREQ, an RDB's IDLE and FREQ), as `objectSetLRUOrLFU`.
    pub fn set_access(&mut self, db: usize, key: &[u8], idle: Option<u64>, freq: Option<u8>) {
        if idle.is_none() && freq.is_none() {
            return;
        }
        let meta = access_meta::restored(self.now_secs(), idle, freq);
        self.ks.dbs[db].keys.set_meta(key, meta);
    }

    /// Removes `key`'s TTL; true if it had one.
    pub fn persist(&mut self, db: usize, key: &[u8]) -> bool {
        self.ks.dbs[db].persist(key)
    }

    /// Empties database `db` (FLUSHDB): every key's waiters and watchers are signalled. Counts
    /// as at least one change, so that the command is propagated even on an empty database
    /// (Redis's `forceCommandPropagation`).
    pub fn flush_db(&mut self, db: usize) {
        let removed = self.empty_db(db);
        self.ks.dirty += removed.max(1);
    }

    /// A change to data kept outside the keyspace (function libraries): counted as Redis's
    /// `server.dirty++`, so that the command propagates and counts toward `save` points.
    pub fn note_change(&mut self) {
        self.ks.dirty += 1;
    }

    /// Empties every database (FLUSHALL), as [`Store::flush_db`] does one.
    pub fn flush_all(&mut self) {
        let removed: u64 = (0..self.ks.dbs.len()).map(|db| self.empty_db(db)).sum();
        self.ks.dirty += removed.max(1);
    }

    /// Removes every key of `db`, signalling each; the number removed.
    fn empty_db(&mut self, db: usize) -> u64 {
        let keys: Vec<Bytes> = self.ks.dbs[db]
            .keys
            .iter()
            .map(|(k, _)| Bytes::copy_from_slice(k))
            .collect();
        self.ks.dbs[db].clear();
        self.list_traffic.forget_db(db);
        for k in &keys {
            self.signal_modified(db, k);
            self.blocking.signal_ready(db, k);
        }
        keys.len() as u64
    }

    /// SWAPDB: the two databases exchange their data, not their clients. A key watched in
    /// either is touched when it exists in either (`touchAllWatchedKeysInDb`); clients
    /// blocked in either see the swapped-in values (`scanDatabaseForReadyKeys`).
    pub fn swap_db(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        let touched: Vec<u64> = self
            .watched
            .iter()
            .filter(|((d, k), _)| {
                (*d == a || *d == b)
                    && (self.ks.dbs[a].keys.contains_key(k) || self.ks.dbs[b].keys.contains_key(k))
            })
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        self.dirty_cas.extend(touched);
        self.ks.dbs.swap(a, b);
        self.blocking.swap_db(a, b);
        self.list_traffic.swap_db(a, b);
        self.ks.dirty += 1;
    }

    /// Evicts `key` under maxmemory: deleted as any key is, counted, the `evicted` event. The
    /// value is handed back so the caller can measure what dropping it frees; the caller
    /// propagates the deletion (DEL or UNLINK, `lazyfree-lazy-eviction`).
    pub fn evict(&mut self, db: usize, key: &Bytes) -> Option<Value> {
        let v = self.delete(db, key)?;
        self.stats.evicted_keys += 1;
        self.notify(crate::config::NOTIFY_EVICTED, "evicted", db, key);
        Some(v)
    }

    // -----------------------------------------------------------------------------------
    // A write's aftermath
    // -----------------------------------------------------------------------------------

    /// A command changed `key`: one change to the dataset (dirty), WATCHes of the key
    /// invalidated, the keyspace event `event` of class `class`, and the key marked ready
    /// for blocked clients.
    pub fn written(&mut self, db: usize, key: &[u8], class: u32, event: &str) {
        self.written_n(db, key, class, event, 1);
    }

    /// [`Store::written`] counting `changes` changes to the dataset (LPUSH of n elements).
    pub fn written_n(&mut self, db: usize, key: &[u8], class: u32, event: &str, changes: u64) {
        self.ks.dirty += changes;
        self.signal_modified(db, key);
        self.notify(class, event, db, key);
        self.blocking.signal_ready(db, key);
    }

    /// A list command pushed `pushed` elements to `key` and popped `popped` from it (the
    /// dashboard's rates; nothing unless the HTTP listener counts them).
    pub fn note_list_traffic(&mut self, db: usize, key: &[u8], pushed: u64, popped: u64) {
        if self.list_traffic.is_on() && !self.replaying {
            self.list_traffic.note(db, key, pushed, popped);
        }
    }

    /// A change to a stream's consumer-group state or ID bookkeeping (XREADGROUP, XACK,
    /// XCLAIM, XGROUP, XSETID): `changes` added to dirty, so that it propagates, and the event
    /// if any; waiters are signalled (a destroyed group fails its XREADGROUP waiters). WATCH
    /// is not invalidated: Redis does not count these as modifications of the key (measured
    /// on Valkey 9.1 and Redis 7.0: `WATCH s`, then XGROUP/XACK/XCLAIM/XSETID by another
    /// client, leaves EXEC to run).
    pub fn meta_written(
        &mut self,
        db: usize,
        key: &[u8],
        event: Option<(u32, &str)>,
        changes: u64,
    ) {
        self.ks.dirty += changes;
        if let Some((class, event)) = event {
            self.notify(class, event, db, key);
        }
        self.blocking.signal_ready(db, key);
    }

    /// `signalModifiedKey`: invalidates WATCHes of the key.
    fn signal_modified(&mut self, db: usize, key: &[u8]) {
        if self.watched.is_empty() {
            return;
        }
        if let Some(ids) = self.watched.get(&crate::blocking::KeyRef(db, key)) {
            for id in ids {
                self.dirty_cas.insert(*id);
            }
        }
    }

    /// A keyspace event after the one [`Store::written`] reported (HSETEX's `hexpire` after
    /// its `hset`): no bookkeeping besides the event.
    pub fn notify_event(&mut self, db: usize, key: &[u8], class: u32, event: &str) {
        self.notify(class, event, db, key);
    }

    /// Whether subkeys (hash fields) are wanted for a `class` event (Redis 8.8's
    /// `isSubkeyNotifyEnabled`): the class and some subkey channel are on. Callers collect
    /// the fields only then.
    pub fn subkeys_wanted(&self, class: u32) -> bool {
        let flags = self.config.notify_flags;
        flags & class != 0 && flags & crate::config::NOTIFY_SUBKEY_CHANNELS != 0
    }

    /// Redis 8.8's subkey notifications of `event` on `key` for `subkeys` (the fields it
    /// touched, repeats kept), after the key-level ones the write sent
    /// (`notifyKeyspaceEventWithSubkeys`): `__subkeyspace@<db>__:<key>` with
    /// `<event>|<subkeys>`, `__subkeyevent@<db>__:<event>` with `<len>:<key>|<subkeys>`,
    /// `__subkeyspaceitem@<db>__:<key>\n<subkey>` with `<event>` per subkey, and
    /// `__subkeyspaceevent@<db>__:<event>|<key>` with `<subkeys>`; subkeys as
    /// `<len>:<subkey>` joined by `,`. The channels that would be ambiguous are skipped (an
    /// event with `|`, a key with a newline), as in Redis.
    pub fn notify_subkeys<S: AsRef<[u8]>>(
        &mut self,
        db: usize,
        key: &[u8],
        class: u32,
        event: &str,
        subkeys: &[S],
    ) {
        use crate::config::*;
        if subkeys.is_empty() || !self.subkeys_wanted(class) {
            return;
        }
        let flags = self.config.notify_flags;
        let mut list = Vec::new();
        for (i, sk) in subkeys.iter().enumerate() {
            if i > 0 {
                list.push(b',');
            }
            list.extend_from_slice(sk.as_ref().len().to_string().as_bytes());
            list.push(b':');
            list.extend_from_slice(sk.as_ref());
        }
        let piped = event.contains('|');
        if flags & NOTIFY_SUBKEYSPACE != 0 && !piped {
            let mut ch = format!("__subkeyspace@{db}__:").into_bytes();
            ch.extend_from_slice(key);
            let mut msg = format!("{event}|").into_bytes();
            msg.extend_from_slice(&list);
            self.publish(&ch, &msg);
        }
        if flags & NOTIFY_SUBKEYEVENT != 0 {
            let ch = format!("__subkeyevent@{db}__:{event}").into_bytes();
            let mut msg = format!("{}:", key.len()).into_bytes();
            msg.extend_from_slice(key);
            msg.push(b'|');
            msg.extend_from_slice(&list);
            self.publish(&ch, &msg);
        }
        if flags & NOTIFY_SUBKEYSPACEITEM != 0 && !key.contains(&b'\n') {
            for sk in subkeys {
                let mut ch = format!("__subkeyspaceitem@{db}__:").into_bytes();
                ch.extend_from_slice(key);
                ch.push(b'\n');
                ch.extend_from_slice(sk.as_ref());
                self.publish(&ch, event.as_bytes());
            }
        }
        if flags & NOTIFY_SUBKEYSPACEEVENT != 0 && !piped {
            let mut ch = format!("__subkeyspaceevent@{db}__:{event}|").into_bytes();
            ch.extend_from_slice(key);
            self.publish(&ch, &list);
        }
    }

    /// Keyspace notification (`notifyKeyspaceEvent`), for events with no key write of their
    /// own to report through [`Store::written`].
    fn notify(&mut self, class: u32, event: &str, db: usize, key: &[u8]) {
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
}

fn typed<T: ValueType>(v: Option<&mut Value>) -> CmdResult<Option<&mut T>> {
    match v {
        None => Ok(None),
        Some(v) => T::of_mut(v).map(Some).ok_or(CmdError::WrongType),
    }
}

/// The earliest field TTL of a hash, under which the active cycle must look at it.
fn field_ttl_hint(v: &Value) -> Option<i64> {
    match v {
        Value::Hash(h) => h.min_expire(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    const NOGROUP: &str =
        "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n";

    /// Moving a stream away from a blocked XREADGROUP, by whatever command, wakes it with the
    /// error its command now gives.
    #[test]
    fn a_stream_taken_away_fails_its_group_readers() {
        for take_away in [
            &["del", "s"][..],
            &["rename", "s", "other"],
            &["move", "s", "1"],
            &["set", "s", "string"],
            &["xgroup", "destroy", "s", "g"],
            &["flushdb"],
        ] {
            let mut s = Session::default();
            s.run(&["xgroup", "create", "s", "g", "$", "mkstream"]);
            s.run_as(
                1,
                &[
                    "xreadgroup",
                    "group",
                    "g",
                    "c",
                    "block",
                    "0",
                    "streams",
                    "s",
                    ">",
                ],
            );
            assert!(s.is_blocked(1), "{take_away:?}");
            s.run(take_away);
            let want = if take_away[0] == "set" {
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
            } else {
                NOGROUP
            };
            assert_eq!(s.served(1).as_deref(), Some(want), "{take_away:?}");
        }
    }

    /// A list waiter is served by a list arriving under its key by any route, and only by a
    /// list that is there when the command (or transaction) ends.
    #[test]
    fn list_waiters_are_served_by_any_route_to_a_list() {
        for (setup, arrive) in [
            (&[][..], &["rpush", "q", "x"][..]),
            (&["rpush", "src", "x"][..], &["rename", "src", "q"][..]),
            (&["rpush", "src", "x"][..], &["copy", "src", "q"][..]),
            (
                &["rpush", "src", "x"][..],
                &["lmove", "src", "q", "left", "left"][..],
            ),
        ] {
            let mut s = Session::default();
            if !setup.is_empty() {
                s.run(setup);
            }
            s.run_as(1, &["blpop", "q", "0"]);
            s.run(arrive);
            assert_eq!(
                s.served(1).as_deref(),
                Some("*2\r\n$1\r\nq\r\n$1\r\nx\r\n"),
                "{arrive:?}"
            );
        }
        let mut s = Session::default();
        s.run_as(1, &["blpop", "q", "0"]);
        for c in [
            &["multi"][..],
            &["lpush", "q", "a"],
            &["del", "q"],
            &["set", "q", "foo"],
        ] {
            s.run(c);
        }
        assert_eq!(s.run(&["exec"]), "*3\r\n:1\r\n:1\r\n+OK\r\n");
        assert!(
            s.is_blocked(1),
            "a string at the end of EXEC serves no list waiter"
        );
        s.run(&["del", "q"]);
        s.run(&["lpush", "q", "b"]);
        assert_eq!(s.served(1).as_deref(), Some("*2\r\n$1\r\nq\r\n$1\r\nb\r\n"));
    }

    #[test]
    fn swapdb_serves_waiters_with_the_swapped_in_data() {
        let mut s = Session::default();
        s.run_as(2, &["select", "1"]);
        s.run_as(2, &["rpush", "q", "from-db1"]);
        s.run_as(1, &["blpop", "q", "0"]);
        s.run(&["swapdb", "0", "1"]);
        assert_eq!(
            s.served(1).as_deref(),
            Some("*2\r\n$1\r\nq\r\n$8\r\nfrom-db1\r\n")
        );
    }

    #[test]
    fn new_and_keymiss_events() {
        let mut s = Session::default();
        s.run(&["config", "set", "notify-keyspace-events", "Enm$"]);
        s.run_as(1, &["psubscribe", "__keyevent@0__:*"]);
        s.run(&["set", "k", "1"]);
        s.run(&["set", "k", "2"]);
        s.run(&["get", "nosuch"]);
        s.run(&["incr", "fresh"]);
        let mut events = Vec::new();
        while let Some(m) = s.served(1) {
            events.push(m.split("\r\n").nth(6).unwrap_or_default().to_string());
        }
        assert_eq!(
            events,
            [
                "__keyevent@0__:new",
                "__keyevent@0__:set",
                "__keyevent@0__:set",
                "__keyevent@0__:keymiss",
                "__keyevent@0__:new",
                "__keyevent@0__:incrby"
            ]
        );
    }

    /// Dirty moves with every change to the dataset and with nothing else: it is what decides
    /// that a command is propagated.
    #[test]
    fn dirty_counts_changes_only() {
        let mut s = Session::default();
        let dirty = |s: &Session| s.store.ks.dirty();
        let d0 = dirty(&s);
        for c in [
            &["get", "k"][..],
            &["exists", "k"],
            &["lpop", "nosuch"],
            &["del", "nosuch"],
        ] {
            s.run(c);
        }
        assert_eq!(dirty(&s), d0, "reads and no-op writes change nothing");
        s.run(&["rpush", "l", "a", "b", "c"]);
        assert_eq!(dirty(&s), d0 + 3, "one per element pushed");
        s.run(&["del", "l"]);
        assert_eq!(dirty(&s), d0 + 4);
    }
}
