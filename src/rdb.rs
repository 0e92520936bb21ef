//! RDB snapshots written from the keyspace (Redis's `rdbSaveRio`): SAVE, BGSAVE, the `save`
//! points and SHUTDOWN SAVE write `dir`/`dbfilename` through here; `persistence::rdb_save`
//! knows the bytes, this module walks the values.
//!
//! - A save works on a copy-on-write snapshot of the keyspace (as the AOF rewrite does), so a
//!   BGSAVE runs on a background thread while clients are served.
//! - The file is written as `temp-<pid>-<n>.rdb` in `dir`, fsynced, renamed over
//!   `dbfilename` and the directory fsynced: a crash leaves the old file or the new one,
//!   never a torn one.
//! - Version: RDB 11 (Redis 7.2, the line sluice reports; Valkey and Redis 7.2+ load it), or 12
//!   when a hash has field TTLs (Redis 7.4's form). `sluice-rdb-version 10` writes what Redis
//!   7.0 loads (streams as listpacks v2); what RDB 10 or 11 cannot hold (field TTLs) is
//!   dropped with a warning in the log.

use crate::db::{DbSnapshot, Value};
use crate::types::stream::StreamId;
use bytes::Bytes;
use persistence::rdb_load::Item;
use persistence::rdb_save::*;
use std::io;
use std::path::{Path, PathBuf};

/// What a save needs besides the snapshot.
pub struct SaveParams {
    pub libraries: Vec<Bytes>,
    pub now: i64,
    /// `sluice-rdb-version`: 0 for auto (11, or 12 with field TTLs).
    pub version: u16,
    pub node_max_entries: usize,
    pub node_max_bytes: usize,
    pub used_memory: u64,
    /// `rdbcompression`.
    pub compress: bool,
    /// `rdbchecksum`.
    pub checksum: bool,
}

impl SaveParams {
    /// The RDB version to write: `sluice-rdb-version`, or on auto 11, and 12 when
    /// `field_ttls` says there is a hash with field TTLs to keep (only asked on auto).
    fn version_for(&self, field_ttls: impl FnOnce() -> bool) -> u16 {
        match self.version {
            0 if field_ttls() => 12,
            0 => 11,
            v => v,
        }
    }
}

/// A hash with at least one live field TTL (what RDB 12 is chosen to keep).
fn has_field_ttls(v: &Value) -> bool {
    matches!(v, Value::Hash(h) if h.min_expire().is_some())
}

/// The configured target: `dir`/`dbfilename`.
pub fn target(store: &crate::store::Store) -> PathBuf {
    store
        .config
        .dir
        .join(store.config.get("dbfilename").unwrap_or("dump.rdb"))
}

/// What [`SaveParams::version`] to use from `sluice-rdb-version`.
pub fn configured_version(store: &crate::store::Store) -> u16 {
    match store.config.get("sluice-rdb-version") {
        Some("10") => 10,
        Some("11") => 11,
        Some("12") => 12,
        _ => 0,
    }
}

/// The parameters of a save of `store` now.
pub fn params(store: &crate::store::Store) -> SaveParams {
    SaveParams {
        libraries: store
            .scripting
            .functions
            .libraries
            .values()
            .map(|l| l.code.clone())
            .collect(),
        used_memory: crate::alloc::used_memory(),
        ..value_params(store)
    }
}

/// What writing one value needs (DUMP): the save parameters without the libraries.
pub fn value_params(store: &crate::store::Store) -> SaveParams {
    SaveParams {
        libraries: Vec::new(),
        used_memory: 0,
        now: crate::util::now_ms(),
        version: configured_version(store),
        node_max_entries: store.config.stream_node_max_entries,
        node_max_bytes: store.config.stream_node_max_bytes,
        compress: store.config.get("rdbcompression") != Some("no"),
        checksum: store.config.get("rdbchecksum") != Some("no"),
    }
}

/// Writes the snapshot to `path` safely (temp file, fsync, rename, directory fsync); its size.
pub fn save(path: &Path, dbs: &[DbSnapshot], p: &SaveParams) -> io::Result<u64> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!("temp-{}-{n}.rdb", std::process::id()));
    let res = (|| {
        let file = std::fs::File::create(&tmp)?;
        let (w, size) = write(io::BufWriter::with_capacity(1 << 20, file), dbs, p)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        persistence::sync_dir(dir)?;
        Ok(size)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// The whole file into `w`.
pub fn write<W: io::Write>(w: W, dbs: &[DbSnapshot], p: &SaveParams) -> io::Result<(W, u64)> {
    let version = p.version_for(|| {
        dbs.iter()
            .any(|db| db.keys.iter().any(|(_, v)| has_field_ttls(v)))
    });
    let mut w = RdbWriter::new(w, version)?;
    w.compress = p.compress;
    w.checksum = p.checksum;
    w.aux("redis-ver", crate::REDIS_VERSION.as_bytes())?;
    w.aux("redis-bits", b"64")?;
    w.aux("ctime", (p.now / 1000).to_string().as_bytes())?;
    w.aux("used-mem", p.used_memory.to_string().as_bytes())?;
    w.aux("aof-base", b"0")?;
    for code in &p.libraries {
        w.function(code)?;
    }
    let mut dropped_ttls = 0usize;
    for (n, db) in dbs.iter().enumerate() {
        let expires: hashbrown::HashMap<&[u8], i64> =
            db.expires.iter().map(|(k, &t)| (&k[..], t)).collect();
        let live = |k: &[u8]| !matches!(expires.get(k), Some(&t) if t <= p.now);
        let keys = db.keys.iter().filter(|(k, _)| live(k)).count() as u64;
        if keys == 0 {
            continue;
        }
        let with_ttl = expires.values().filter(|&&t| t > p.now).count() as u64;
        w.select_db(n as u64, keys, with_ttl)?;
        for (key, value) in db.keys.iter() {
            if !live(key) {
                continue;
            }
            let expire = expires.get(&key[..]).copied();
            w.key(expire, value_type(value, version), key)?;
            dropped_ttls += write_value(&mut w, value, p)?;
            // A stream's idempotency state (Redis 8.6 IDMP) and its nacked entries (8.8)
            // ride in AUX fields after it.
            if let Value::Stream(s) = value {
                if let Some(m) = &s.idmp {
                    w.aux(crate::types::stream::idmp::AUX_NAME, &m.encode_aux(n, key))?;
                }
                if let Some(aux) = encode_nack_aux(n, key, s) {
                    w.aux(NACK_AUX, &aux)?;
                }
                if let Some(aux) = encode_policy_aux(n, key, s) {
                    w.aux(POLICY_AUX, &aux)?;
                }
            }
        }
    }
    if dropped_ttls > 0 {
        tracing::warn!(
            "RDB {version} cannot hold hash field TTLs: {dropped_ttls} field TTLs not saved (sluice-rdb-version 12 or auto keeps them)"
        );
    }
    w.finish()
}

/// The AUX field after a stream with sluice policies or delayed entries
/// (`cmd::streams::policy`): version 1, the database, then the commands that rebuild them as
/// RESP arrays. Redis's loader ignores AUX fields it does not know (it logs them), so the
/// stream itself loads in Redis unchanged.
pub const POLICY_AUX: &str = "sluice-policy";

fn encode_policy_aux(db: usize, key: &[u8], s: &crate::types::stream::Stream) -> Option<Vec<u8>> {
    let cmds = crate::cmd::policy_snapshot_commands(&bytes::Bytes::copy_from_slice(key), s);
    if cmds.is_empty() {
        return None;
    }
    let mut out = vec![1u8];
    crate::types::varint::put_varint(&mut out, db as u64);
    for c in &cmds {
        persistence::encode_command(&mut out, c);
    }
    Some(out)
}

/// Decodes a [`POLICY_AUX`] value into its database and commands.
pub fn decode_policy_aux(value: &[u8]) -> Result<(usize, Vec<Vec<bytes::Bytes>>), String> {
    let bad = || format!("Bad {POLICY_AUX} AUX field");
    let mut r = crate::types::varint::Checked::new(value);
    if r.byte() != Some(1) {
        return Err(bad());
    }
    let db = r.varint().ok_or_else(bad)? as usize;
    let rest = r.rest();
    let mut cmds = Vec::new();
    match persistence::load::parse_commands(rest, |argv, _| cmds.push(argv)) {
        persistence::load::LoadEnd::Clean { .. } => Ok((db, cmds)),
        _ => Err(bad()),
    }
}

/// The AUX field after a stream with nacked entries (Redis 8.8 XNACK), which Redis's RDB
/// forms before 8.8 cannot hold: the stream's payload writes them as pending entries of a
/// consumer named "" (delivery time 0, so idle and claimable for a Redis that loads the
/// file); this field names them per group in NACK-zone order, and whether the "" consumer
/// exists only for them, so that sluice loads them back unowned and in order.
pub const NACK_AUX: &str = "sluice-nack";

/// [`NACK_AUX`]'s value for the stream `s` at `key` in database `db`, None without nacked
/// entries: version 1, db, key, then per group with nacked entries its name, 1 if the ""
/// consumer is a placeholder, and the IDs in zone order.
fn encode_nack_aux(db: usize, key: &[u8], s: &crate::types::stream::Stream) -> Option<Vec<u8>> {
    use crate::types::varint::{put_str, put_varint};
    // Each group's zone walked once.
    let groups: Vec<_> = s
        .groups()
        .iter()
        .map(|(name, g)| (name, g, g.nack_zone().map(|(id, _)| id).collect::<Vec<_>>()))
        .filter(|(_, _, ids)| !ids.is_empty())
        .collect();
    if groups.is_empty() {
        return None;
    }
    let mut out = vec![1u8];
    put_varint(&mut out, db as u64);
    put_str(&mut out, key);
    put_varint(&mut out, groups.len() as u64);
    for (name, g, ids) in groups {
        put_str(&mut out, name);
        out.push(g.consumer(b"").is_none() as u8);
        put_varint(&mut out, ids.len() as u64);
        for id in ids {
            put_varint(&mut out, id.ms);
            put_varint(&mut out, id.seq);
        }
    }
    Some(out)
}

/// Applies a [`NACK_AUX`] value to the stream it names, already loaded: its IDs leave the
/// "" consumer, unowned, in order, and a placeholder consumer goes. Err on a malformed
/// value; a stream not loaded (expired) or an ID not pending there is passed over.
pub fn apply_nack_aux(store: &mut crate::store::Store, value: &[u8]) -> Result<(), String> {
    use crate::types::stream::{NackCount, Stream};
    let bad = || format!("Bad {NACK_AUX} AUX field");
    let mut r = crate::types::varint::Checked::new(value);
    if r.byte() != Some(1) {
        return Err(bad());
    }
    let db = r.varint().ok_or_else(bad)? as usize;
    let key = r.str().ok_or_else(bad)?;
    let mut groups = Vec::new();
    for _ in 0..r.varint().ok_or_else(bad)? {
        let name = r.str().ok_or_else(bad)?;
        let placeholder = r.byte().ok_or_else(bad)? == 1;
        let n = r.varint().ok_or_else(bad)?;
        let mut ids = Vec::new();
        for _ in 0..n {
            ids.push(StreamId::new(
                r.varint().ok_or_else(bad)?,
                r.varint().ok_or_else(bad)?,
            ));
        }
        groups.push((name, placeholder, ids));
    }
    if !r.at_end() {
        return Err(bad());
    }
    let Ok(Some(s)) = store.get_mut::<Stream>(db, key) else {
        return Ok(());
    };
    for (name, placeholder, ids) in groups {
        let Some(g) = s.group_mut(name) else {
            continue;
        };
        for id in ids {
            let owned_by_placeholder = g
                .pel()
                .get(&id)
                .is_some_and(|pe| pe.consumer.as_deref() == Some(&b""[..]));
            if owned_by_placeholder {
                g.nack(id, NackCount::Fail, false, true);
            }
        }
        if placeholder && g.consumer(b"").is_some_and(|c| c.pending().is_empty()) {
            g.delete_consumer(b"");
        }
    }
    Ok(())
}

/// The RDB type a value is written as in RDB `version`.
fn value_type(value: &Value, version: u16) -> u8 {
    match value {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Set(_) => TYPE_SET,
        Value::Zset(_) => TYPE_ZSET_2,
        Value::Hash(h) if version >= 12 && h.has_field_ttls() => TYPE_HASH_METADATA,
        Value::Hash(_) => TYPE_HASH,
        Value::Stream(_) if version >= 11 => TYPE_STREAM_LISTPACKS_3,
        Value::Stream(_) => TYPE_STREAM_LISTPACKS_2,
    }
}

/// Writes `value` in the form [`value_type`] names for the writer's version; the number of
/// field TTLs that form could not hold (dropped).
fn write_value<W: io::Write>(
    w: &mut RdbWriter<W>,
    value: &Value,
    p: &SaveParams,
) -> io::Result<usize> {
    let version = w.version;
    match value {
        Value::Str(s) => w.string(s.data())?,
        Value::List(l) => {
            // Listpack nodes of at most 128 items or 8 KB (list-max-listpack-size -2).
            let mut nodes = Vec::new();
            let mut lp = Listpack::new();
            l.for_each_from(0, |item| {
                if lp.len() >= 128 || lp.bytes() >= 8192 {
                    nodes.push(std::mem::take(&mut lp).finish());
                }
                lp.push(item);
                true
            });
            if !lp.is_empty() {
                nodes.push(lp.finish());
            }
            w.len(nodes.len() as u64)?;
            for node in &nodes {
                w.len(2)?; // QUICKLIST_NODE_CONTAINER_PACKED
                w.string(node)?;
            }
        }
        Value::Set(set) => {
            w.len(set.len() as u64)?;
            for m in set.iter() {
                w.string(m.bytes(&mut [0; 21]))?;
            }
        }
        Value::Zset(z) => {
            w.len(z.len() as u64)?;
            let mut res = Ok(());
            z.walk(0, false, |m, s| {
                res = w.string(m).and_then(|()| w.double(s));
                res.is_ok()
            });
            res?;
        }
        Value::Hash(h) => {
            let ttls = h.field_ttls();
            if value_type(value, version) == TYPE_HASH_METADATA {
                let at: hashbrown::HashMap<&[u8], i64> = ttls.iter().copied().collect();
                let min = ttls.iter().map(|&(_, t)| t).min().unwrap_or(0);
                w.ms_time(min)?;
                w.len(h.len() as u64)?;
                for (f, v) in h.iter() {
                    // 0: no TTL; else relative to the minimum, plus one.
                    let ttl = at.get(f).map_or(0, |&t| (t - min) as u64 + 1);
                    w.len(ttl)?;
                    w.string(f)?;
                    w.string(v)?;
                }
            } else {
                w.len(h.len() as u64)?;
                for (f, v) in h.iter() {
                    w.string(f)?;
                    w.string(v)?;
                }
                return Ok(ttls.len());
            }
        }
        Value::Stream(s) => {
            let v3 = value_type(value, version) == TYPE_STREAM_LISTPACKS_3;
            let mut nodes = StreamNodes::new(p.node_max_entries, p.node_max_bytes);
            s.for_each_entry::<()>(|id, fields| {
                nodes.push(id.ms, id.seq, fields);
                Ok(())
            })
            .ok();
            let nodes = nodes.finish();
            w.len(nodes.len() as u64)?;
            for (k, lp) in &nodes {
                w.string(k)?;
                w.string(lp)?;
            }
            w.len(s.length)?;
            for id in [s.last_id, s.first_id, s.max_deleted_id] {
                w.len(id.ms)?;
                w.len(id.seq)?;
            }
            w.len(s.entries_added)?;
            w.len(s.groups().len() as u64)?;
            for (gname, g) in s.groups() {
                w.string(gname)?;
                w.len(g.last_id.ms)?;
                w.len(g.last_id.seq)?;
                // -1 (not known) as Redis saves it: the u64 cast.
                w.len(g.entries_read as u64)?;
                w.len(g.pel().len() as u64)?;
                for (pid, pe) in g.pel() {
                    w.raw(&raw_id(pid.ms, pid.seq))?;
                    w.ms_time(pe.delivery_time())?;
                    w.len(pe.delivery_count)?;
                }
                // Nacked entries (no owner) are written as the pending entries of a consumer
                // named "" (see NACK_AUX), so that Redis loads them as pending and idle.
                let mut nacked: Vec<StreamId> = g.nack_zone().map(|(i, _)| i).collect();
                nacked.sort_unstable();
                let placeholder = !nacked.is_empty() && g.consumer(b"").is_none();
                w.len(g.consumers().len() as u64 + placeholder as u64)?;
                if placeholder {
                    w.string(b"")?;
                    w.ms_time(0)?;
                    if v3 {
                        w.ms_time(-1)?;
                    }
                    w.len(nacked.len() as u64)?;
                    for pid in &nacked {
                        w.raw(&raw_id(pid.ms, pid.seq))?;
                    }
                }
                for (cname, c) in g.consumers() {
                    w.string(cname)?;
                    w.ms_time(c.seen_time)?;
                    if v3 {
                        w.ms_time(c.active_time)?;
                    }
                    if cname.is_empty() && !nacked.is_empty() {
                        // A real "" consumer: its own entries and the nacked ones, in order.
                        let mut ids: Vec<StreamId> = c.pending().iter().collect();
                        ids.extend(&nacked);
                        ids.sort_unstable();
                        w.len(ids.len() as u64)?;
                        for pid in ids {
                            w.raw(&raw_id(pid.ms, pid.seq))?;
                        }
                        continue;
                    }
                    w.len(c.pending().len() as u64)?;
                    for pid in c.pending().iter() {
                        w.raw(&raw_id(pid.ms, pid.seq))?;
                    }
                }
            }
        }
    }
    Ok(0)
}

/// DUMP's payload of `value` (`createDumpPayload`): its RDB type and serialization, the RDB
/// version (`sluice-rdb-version`; auto: 11, or 12 for a hash with field TTLs) and the
/// CRC-64. What the version cannot hold (field TTLs before 12) is dropped with a warning, as
/// a save drops it.
pub fn dump(value: &Value, p: &SaveParams) -> Vec<u8> {
    let version = p.version_for(|| has_field_ttls(value));
    let mut w = RdbWriter::payload(Vec::new(), version);
    w.compress = p.compress;
    let written = (|| {
        w.u8(value_type(value, version))?;
        write_value(&mut w, value, p)
    })();
    // Writing to memory cannot fail.
    let dropped = written.expect("in-memory write");
    if dropped > 0 {
        tracing::warn!("DUMP in RDB {version}: {dropped} hash field TTLs not included");
    }
    let mut out = w.into_inner();
    persistence::rdb::seal_payload(&mut out, version);
    out
}

fn raw_id(ms: u64, seq: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&ms.to_be_bytes());
    b[8..].copy_from_slice(&seq.to_be_bytes());
    b
}

/// Starts a BGSAVE if one was asked for or a `save` point is due (Redis's serverCron check:
/// at least `changes` writes and more than `seconds` since the last save),
/// unless a save or an AOF rewrite is running. The snapshot is taken here, under the store
/// lock; the file is written on a background thread, which records the outcome.
pub fn maybe_start_bgsave(
    shared: &std::sync::Arc<crate::server::Shared>,
    store: &mut crate::store::Store,
) {
    if store.rdb.bgsave_started.is_some() || store.aof.rewrite_started.is_some() {
        return;
    }
    let now_s = crate::util::now_ms() / 1000;
    let due = || {
        let changes = store.ks.dirty() - store.dirty_at_last_save;
        let retry_ok = store.rdb.last_bgsave_ok || now_s - store.rdb.last_bgsave_try >= 5;
        let points = store.config.get("save").unwrap_or("");
        let nums: Vec<i64> = points
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        retry_ok
            && nums
                .chunks_exact(2)
                .any(|p| changes as i64 >= p[1] && now_s - store.lastsave > p[0])
    };
    if !store.rdb.bgsave_requested && !due() {
        return;
    }
    store.rdb.bgsave_requested = false;
    let started = std::time::Instant::now();
    store.rdb.bgsave_started = Some(started);
    store.rdb.last_bgsave_try = now_s;
    store.rdb.dirty_at_bgsave = store.ks.dirty();
    let snapshot = store.ks.snapshot();
    let params = params(store);
    let path = target(store);
    tracing::info!("Background saving started");
    let sh = shared.clone();
    std::thread::spawn(move || {
        let res = save(&path, &snapshot, &params);
        drop(snapshot);
        let mut store = sh.store.lock().unwrap();
        store.rdb.bgsave_started = None;
        store.rdb.last_bgsave_secs = started.elapsed().as_secs() as i64;
        match res {
            Ok(size) => {
                tracing::info!("Background saving terminated with success ({size} bytes)");
                store.rdb.last_bgsave_ok = true;
                store.rdb.saves += 1;
                store.lastsave = crate::util::now_ms() / 1000;
                store.dirty_at_last_save = store.rdb.dirty_at_bgsave;
            }
            Err(e) => {
                tracing::error!("Background saving error: {e}");
                store.rdb.last_bgsave_ok = false;
            }
        }
    });
}

/// A save in the foreground (SAVE, shutdown): the snapshot written to the target and, on
/// success, the last-save time and change count moved to now.
pub fn save_now(store: &mut crate::store::Store) -> io::Result<u64> {
    let path = target(store);
    let snapshot = store.ks.snapshot();
    let p = params(store);
    let dirty = store.ks.dirty();
    let size = save(&path, &snapshot, &p)?;
    tracing::info!("DB saved on disk ({size} bytes)");
    store.rdb.saves += 1;
    store.lastsave = crate::util::now_ms() / 1000;
    store.dirty_at_last_save = dirty;
    Ok(size)
}

/// Whether a shutdown of `kind` writes the final snapshot: SAVE given, or save points set and
/// not NOSAVE.
fn shutdown_saves(store: &crate::store::Store, kind: crate::store::ShutdownKind) -> bool {
    let points = !store.config.get("save").unwrap_or("").trim().is_empty();
    kind.save || points && !kind.nosave
}

/// The final save of a shutdown of `kind` (Redis's prepareForShutdown): with SAVE, or save
/// points set and not NOSAVE, the snapshot written in the foreground, once: `kind.saved`
/// records that it was settled, whatever the outcome, which the caller acts on (SHUTDOWN
/// refuses unless FORCE, a signal keeps the server up).
pub fn final_save(
    store: &mut crate::store::Store,
    kind: &mut crate::store::ShutdownKind,
) -> io::Result<()> {
    let due = !kind.saved && shutdown_saves(store, *kind);
    kind.saved = true;
    if !due {
        return Ok(());
    }
    tracing::info!("Saving the final RDB snapshot before exiting.");
    save_now(store)
        .map(drop)
        .inspect_err(|e| tracing::error!("Error trying to save the DB, can't exit: {e}"))
}

/// At shutdown, whatever asked for it: the final save unless it was settled already (a
/// failure here is only logged: the process is going).
pub fn save_on_shutdown(store: &mut crate::store::Store) {
    let mut kind = store.shutdown_requested.unwrap_or_default();
    let _ = final_save(store, &mut kind);
}

/// The value a decoded snapshot [`Item`] describes, built directly (RDB load, RESTORE) with
/// the encodings the configured thresholds choose, as commands adding the same elements
/// would. What Redis's deep integrity check refuses is refused here too: duplicate members
/// or fields, stream entries out of order or after the stream's last ID, duplicate groups,
/// consumers or pending entries.
pub fn value_of(item: Item, config: &crate::config::Config) -> Result<Value, String> {
    use crate::types::{hash::Hash, list::List, set::Set, stream::Stream, zset::ZSet};
    Ok(match item {
        Item::Str(s) => Value::Str(crate::db::RString::new(&s)),
        Item::List(items) => {
            let mut l = List::new(config.list_max_listpack_size);
            for i in &items {
                l.push_back(i);
            }
            Value::List(Box::new(l))
        }
        Item::Set(members) => {
            let lim = config.set_limits();
            let mut s = match members.first() {
                Some(m) => Set::new_for(m, members.len(), lim),
                None => Set::new_table(),
            };
            for m in &members {
                if !s.insert(m, lim) {
                    return Err("Duplicate set members detected".into());
                }
            }
            Value::Set(s)
        }
        Item::Zset(pairs) => {
            let lim = config.zset_limits();
            let max_len = pairs.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
            let mut z = ZSet::with_hint(pairs.len(), max_len, lim);
            for (m, score) in &pairs {
                if z.insert(m, *score, lim).is_some() {
                    return Err("Duplicate zset fields detected".into());
                }
            }
            Value::Zset(z)
        }
        Item::Hash(fields) => {
            let lim = config.hash_limits();
            let mut h = Hash::new();
            for (f, v, at) in &fields {
                if !h.insert(f, v, lim) {
                    return Err("Duplicate hash fields detected".into());
                }
                if at.is_some() {
                    h.set_expire(f, *at);
                }
            }
            Value::Hash(h)
        }
        Item::Stream(si) => {
            let id = |(ms, seq): (u64, u64)| StreamId::new(ms, seq);
            let mut s = Stream::new();
            let (max_bytes, max_entries) =
                (config.stream_node_max_bytes, config.stream_node_max_entries);
            let mut ordered = true;
            si.for_each_entry(|e, elems| {
                let e = id(e);
                if !ordered || e <= s.last_id {
                    ordered = false;
                    return;
                }
                let fields: Vec<FieldText> = elems.iter().map(FieldText::of).collect();
                s.append(e, &fields, max_bytes, max_entries);
            });
            if !ordered {
                return Err("Stream entries out of order".into());
            }
            let last = id(si.last_id);
            if last < s.last_id {
                return Err("Stream last ID is smaller than its last entry".into());
            }
            s.last_id = last;
            if let Some(m) = si.max_deleted_id {
                s.max_deleted_id = id(m);
            }
            if let Some(n) = si.entries_added {
                if n < s.length {
                    return Err("Stream entries added is smaller than its length".into());
                }
                s.entries_added = n;
            }
            for g in &si.groups {
                let read = g
                    .entries_read
                    .unwrap_or(crate::types::stream::INVALID_ENTRIES_READ);
                if !s.create_group(&g.name, id(g.last_id), read) {
                    return Err("Duplicated consumer group name".into());
                }
                let group = s.group_mut(&g.name).expect("just created");
                for c in &g.consumers {
                    if !group.restore_consumer(&c.name, c.seen_time, c.active_time) {
                        return Err("Duplicated consumer name".into());
                    }
                    for &(pid, time, count) in &c.pending {
                        if !group.restore_pending(id(pid), &c.name, time, count) {
                            return Err("Duplicated PEL entry".into());
                        }
                    }
                }
            }
            Value::Stream(Box::new(s))
        }
    })
}

/// A stream field or value as the node packs it, as text without an allocation (an integer
/// in a stack buffer).
enum FieldText<'a> {
    Str(&'a [u8]),
    Int([u8; 20], u8),
}

impl<'a> FieldText<'a> {
    fn of(e: &persistence::rdb_load::Elem<'a>) -> FieldText<'a> {
        match *e {
            persistence::rdb_load::Elem::Str(s) => FieldText::Str(s),
            persistence::rdb_load::Elem::Int(v) => {
                let mut buf = [0u8; 20];
                let mut w = &mut buf[..];
                use std::io::Write;
                write!(w, "{v}").expect("an i64 fits 20 bytes");
                let len = 20 - w.len();
                FieldText::Int(buf, len as u8)
            }
        }
    }
}

impl AsRef<[u8]> for FieldText<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            FieldText::Str(s) => s,
            FieldText::Int(buf, n) => &buf[..*n as usize],
        }
    }
}
