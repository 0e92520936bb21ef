//! Glue between the store and the `persistence` crate: opening and loading the AOF at start,
//! writing each batch's effects before replies leave, and reporting status for INFO.

use crate::client::Client;
use crate::config::FsyncPolicy;
use crate::store::Store;
use persistence::load::LoadEnd;
use persistence::{Aof, Fsync};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The AOF as the server holds it.
pub struct AofHandle {
    pub aof: Aof,
    pub synced_rx: watch::Receiver<u64>,
    pub policy: FsyncPolicy,
}

fn policy(p: FsyncPolicy) -> Fsync {
    match p {
        FsyncPolicy::Always => Fsync::Always,
        FsyncPolicy::Everysec => Fsync::Everysec,
        FsyncPolicy::No => Fsync::No,
    }
}

/// Opens the AOF directory; returns the handle and the files to load.
pub fn open(store: &Store) -> std::io::Result<(AofHandle, Vec<PathBuf>)> {
    let cfg = &store.config;
    let dir = cfg
        .dir
        .join(cfg.get("appenddirname").unwrap_or("appendonlydir"));
    let filename = cfg
        .get("appendfilename")
        .unwrap_or("appendonly.aof")
        .to_string();
    let (aof, files) = Aof::open(&dir, &filename, policy(cfg.appendfsync))?;
    let (tx, rx) = watch::channel(0u64);
    *aof.sync.on_synced.lock().unwrap() = Some(Box::new(move |off| {
        let _ = tx.send(off);
    }));
    persistence::spawn_syncer(aof.sync.clone());
    Ok((
        AofHandle {
            aof,
            synced_rx: rx,
            policy: cfg.appendfsync,
        },
        files,
    ))
}

/// Replays the AOF files into the store, in chunks so clients get -LOADING meanwhile.
/// A last file cut short is truncated to its valid prefix (aof-load-truncated yes);
/// corruption anywhere else is an error naming file and offset. Returns where the last file's
/// checksummed part ends, for [`persistence::Aof::adopt_tail`].
pub fn load(store: &Mutex<Store>, files: &[PathBuf]) -> Result<u64, String> {
    let total: u64 = files
        .iter()
        .map(|f| f.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    {
        let mut s = store.lock().unwrap();
        s.loading_total_bytes = total;
        s.loading_started = Some(std::time::Instant::now());
    }
    let started = std::time::Instant::now();
    let shared = Arc::new(crate::client::ClientShared::new(0));
    let mut client = Client::new(shared, true);
    // Where the last file's checksummed part ends (see `Aof::adopt_tail`).
    let mut covered = 0u64;
    let mut done_before = 0u64;
    let mut n_total = 0u64;
    // key-load-delay (µs per key), applied outside the store lock so clients are answered
    // -LOADING meanwhile.
    let key_delay_us: u64 = store
        .lock()
        .unwrap()
        .config
        .get("key-load-delay")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0) as u64;
    let mut last_log = std::time::Instant::now();
    for (i, path) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let mut batch: Vec<Vec<bytes::Bytes>> = Vec::with_capacity(1024);
        let flush = |batch: &mut Vec<Vec<bytes::Bytes>>, off: u64, client: &mut Client| {
            let mut s = store.lock().unwrap();
            s.replaying = true;
            let mut out = resp::ReplyWriter::new(resp::Protocol::Resp2);
            for argv in batch.drain(..) {
                crate::cmd::process(&mut s, client, argv, &mut out);
                out.buf.clear();
            }
            s.replaying = false;
            s.loading_loaded_bytes = done_before + off;
        };
        if file_is_rdb(path) {
            let len = load_rdb_file(path, store, done_before, key_delay_us, &mut |argv| {
                batch.push(argv);
                n_total += 1;
                if batch.len() >= 1024 {
                    flush(&mut batch, 0, &mut client);
                }
            })?;
            flush(&mut batch, len, &mut client);
            covered = 0;
            done_before += len;
            continue;
        }
        let loaded = persistence::load::load_file(path, |argv, off| {
            batch.push(argv);
            n_total += 1;
            if key_delay_us > 0 {
                std::thread::sleep(std::time::Duration::from_micros(key_delay_us));
            }
            if batch.len() >= 1024 || (key_delay_us > 0 && batch.len() >= 16) {
                flush(&mut batch, off, &mut client);
                if last_log.elapsed() >= std::time::Duration::from_secs(1) {
                    let done = done_before + off;
                    let secs = started.elapsed().as_secs_f64().max(0.001);
                    tracing::info!(
                        "Loading AOF: {:.1}% ({} of {} bytes, {:.1} MB/s, {} commands)",
                        done as f64 * 100.0 / total.max(1) as f64,
                        done,
                        total,
                        done as f64 / secs / 1e6,
                        n_total
                    );
                    last_log = std::time::Instant::now();
                }
            }
        })
        .map_err(|e| format!("Can't open the append-only file {}: {e}", path.display()))?;
        let len = loaded.len;
        covered = loaded.covered;
        flush(&mut batch, len, &mut client);
        match loaded.end {
            LoadEnd::Clean { .. } => {}
            LoadEnd::Truncated { valid_len, .. } if last => {
                let allow = store.lock().unwrap().config.aof_load_truncated;
                if !allow {
                    return Err(format!(
                        "Unexpected end of file reading the append only file {}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
                        path.display()
                    ));
                }
                tracing::warn!(
                    "!!! Warning: short read while loading the AOF file {}!!! AOF loaded anyway because aof-load-truncated is enabled; truncating to {} bytes",
                    path.display(),
                    valid_len
                );
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| e.to_string())?;
                f.set_len(valid_len).map_err(|e| e.to_string())?;
                f.sync_all().map_err(|e| e.to_string())?;
            }
            LoadEnd::Truncated { valid_len, .. } => {
                return Err(format!(
                    "Bad file format reading the append only file {}: truncated at offset {} in a file that is not the last one",
                    path.display(),
                    valid_len
                ));
            }
            LoadEnd::Corrupt { offset, reason, .. } => {
                return Err(format!("{reason} {} at offset {offset}", path.display()));
            }
        }
        done_before += len;
    }
    if client.multi.is_some() {
        tracing::warn!("AOF ends inside MULTI: the unfinished transaction was discarded");
    }
    // `loading` stays set: the caller clears it once the AOF's tail is certified.
    let mut s = store.lock().unwrap();
    s.loading_loaded_bytes = total;
    tracing::info!(
        "DB loaded from disk: {:.3} seconds ({} commands)",
        started.elapsed().as_secs_f64(),
        n_total
    );
    Ok(covered)
}

/// Loads the RDB file at `path` (dump.rdb, a multi-part AOF's RDB base, or an old AOF with
/// an RDB preamble, whose commands follow the RDB part): keys are built directly into the
/// keyspace (`rdb::value_of`), function libraries and the preamble's command tail go to
/// `take` as commands, after the keys. The file's length. A database beyond `databases`
/// stops the load (Redis exits likewise): its keys must not land in another one. Empty
/// collections are skipped, as Redis skips them; a key twice is an error.
fn load_rdb_file(
    path: &std::path::Path,
    store: &Mutex<Store>,
    done_before: u64,
    key_delay_us: u64,
    take: &mut dyn FnMut(Vec<bytes::Bytes>),
) -> Result<u64, String> {
    use persistence::rdb_load::Event;
    let file = std::fs::File::open(path)
        .map_err(|e| format!("Can't open the RDB file {}: {e}", path.display()))?;
    // SAFETY: the file is read only while loading; nothing writes it meanwhile.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|e| format!("Can't map the RDB file {}: {e}", path.display()))?;
    let databases = store.lock().unwrap().config.databases;
    let mut db = 0usize;
    let mut functions = Vec::new();
    let (mut skipped, mut held) = (0u64, 0usize);
    // The store is held for a chunk of keys at a time, so clients are told -LOADING meanwhile;
    // each time it is taken, the clock that new keys' access times come from is read.
    let mut guard: Option<std::sync::MutexGuard<Store>> = None;
    let lock = || {
        let mut s = store.lock().unwrap();
        s.cmd_time_ms = crate::util::now_ms();
        s
    };
    let res = persistence::rdb_load::load(&map, |e| {
        match e {
            Event::Select(n) => {
                if n >= databases as u64 {
                    return Err(format!(
                        "The RDB file holds database {n}: this server is configured for {databases} databases (see `databases`)"
                    ));
                }
                db = n as usize;
            }
            Event::Resize { keys, expires } => {
                // A hint: no more than the file could hold (a key takes 3 bytes at least),
                // so a damaged count cannot ask for more memory than the file's size.
                let cap = |n: u64| n.min(map.len() as u64 / 3) as usize;
                guard
                    .get_or_insert_with(lock)
                    .reserve(db, cap(keys), cap(expires));
            }
            Event::Aux { name, value } if name == crate::types::stream::idmp::AUX_NAME => {
                use crate::types::stream::{idmp::Idmp, Stream};
                let Some((adb, key, state)) = Idmp::decode_aux(&value) else {
                    return Err(format!(
                        "Bad {} AUX field",
                        crate::types::stream::idmp::AUX_NAME
                    ));
                };
                let s = guard.get_or_insert_with(lock);
                // Written after its stream; a stream skipped (expired) takes its state along.
                if let Ok(Some(st)) = s.get_mut::<Stream>(adb, &key) {
                    st.idmp = Some(Box::new(state));
                }
            }
            Event::Aux { name, value } if name == crate::rdb::NACK_AUX => {
                crate::rdb::apply_nack_aux(guard.get_or_insert_with(lock), &value)?;
            }
            Event::Aux { name, value } if name == crate::rdb::POLICY_AUX => {
                // Replayed as commands after the keys of this chunk, in the stream's database.
                let (adb, cmds) = crate::rdb::decode_policy_aux(&value)?;
                let select = |n: usize| {
                    vec![
                        bytes::Bytes::from_static(b"SELECT"),
                        bytes::Bytes::from(n.to_string()),
                    ]
                };
                for c in cmds {
                    take(select(adb));
                    take(c);
                    take(select(0));
                }
            }
            Event::Aux { .. } => {}
            Event::Function(code) => functions.push(vec![
                bytes::Bytes::from_static(b"FUNCTION"),
                bytes::Bytes::from_static(b"LOAD"),
                code,
            ]),
            Event::Key {
                key,
                item,
                expire,
                idle,
                freq,
                end,
            } => {
                let s = guard.get_or_insert_with(lock);
                if item.is_empty() {
                    skipped += 1;
                    return Ok(());
                }
                let v = crate::rdb::value_of(item, &s.config)?;
                if s.try_add(db, &key, v).is_err() {
                    return Err(format!(
                        "Duplicate key '{}' found in RDB file",
                        String::from_utf8_lossy(&key)
                    ));
                }
                if let Some(t) = expire {
                    s.set_expire(db, &key, t);
                }
                s.set_access(db, &key, idle, freq);
                held += 1;
                if held >= 1024 || key_delay_us > 0 {
                    s.loading_loaded_bytes = done_before + end as u64;
                    held = 0;
                    guard = None;
                }
                if key_delay_us > 0 {
                    // key-load-delay, outside the lock: clients are answered -LOADING.
                    std::thread::sleep(std::time::Duration::from_micros(key_delay_us));
                }
            }
        }
        Ok(())
    });
    drop(guard);
    let summary = res.map_err(|e| {
        format!(
            "Bad file format reading the RDB file {}: {e}",
            path.display()
        )
    })?;
    // Expired keys are loaded and expire afterwards (counted in expired_keys then), so
    // rdb_last_load_keys_expired stays 0.
    store.lock().unwrap().rdb.last_load_keys_loaded = summary.keys - skipped;
    if skipped > 0 {
        tracing::info!(
            "Done loading RDB, keys loaded: {}, keys expired: 0, empty keys skipped: {skipped}.",
            summary.keys - skipped
        );
    }
    for f in functions {
        take(f);
    }
    let tail = &map[summary.rdb_len..];
    if !tail.is_empty() {
        let end = persistence::load::parse_commands(tail, |argv, _| take(argv));
        let bad = match end {
            LoadEnd::Clean { .. } => None,
            LoadEnd::Truncated { valid_len, .. } => {
                Some(("Unexpected end of file reading".to_string(), valid_len))
            }
            LoadEnd::Corrupt { offset, reason, .. } => Some((reason, offset)),
        };
        if let Some((reason, offset)) = bad {
            return Err(format!(
                "{reason} the append only file {} at offset {}",
                path.display(),
                summary.rdb_len as u64 + offset
            ));
        }
    }
    tracing::info!(
        "Loaded RDB {} (version {}): {} keys, {} with a TTL, {} function libraries",
        path.display(),
        summary.version,
        summary.keys,
        summary.expires,
        summary.functions
    );
    Ok(map.len() as u64)
}

/// Whether `path` holds an RDB snapshot (by its signature).
fn file_is_rdb(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 6];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|()| persistence::rdb_load::is_rdb(&head))
        .unwrap_or(false)
}

/// Hands the batch's effects to the AOF's buffer without writing them. Returns the offset an
/// fsync must reach before the batch's replies may leave when the batch logged something
/// under `always`, else None. The caller has the buffer written (by [`flush`]) before
/// waiting on that offset.
pub fn stage(store: &mut Store, aof: &mut Option<AofHandle>) -> Option<u64> {
    let appended = append_effects(store, aof);
    let h = aof.as_mut()?;
    (appended && h.policy == FsyncPolicy::Always).then(|| h.aof.pending_target())
}

/// Moves the store's effects into the AOF buffer (and applies the injected faults and a
/// changed fsync policy). True if there were any.
fn append_effects(store: &mut Store, aof: &mut Option<AofHandle>) -> bool {
    let Some(h) = aof.as_mut() else {
        return false;
    };
    h.aof.inject_write_failure = store.aof.inject_write_failure;
    h.aof
        .sync
        .inject_fsync_delay_ms
        .store(store.aof.inject_fsync_delay_ms, Ordering::SeqCst);
    h.aof
        .sync
        .inject_fsync_failure
        .store(store.aof.inject_fsync_failure, Ordering::SeqCst);
    if h.policy != store.config.appendfsync {
        // CONFIG SET appendfsync takes effect for the very next write.
        h.policy = store.config.appendfsync;
        h.aof.set_policy(policy(h.policy));
    }
    // Only a batch that logged something has replies that must wait for the log.
    let appended = !store.effects.is_empty();
    for (db, argv) in store.effects.drain(..) {
        h.aof.append(db, &argv);
    }
    appended
}

/// Hands the batch's effects to the AOF and writes them to the file. Returns the offset an
/// fsync must reach before replies may leave (under `always`), or None.
pub fn flush(store: &mut Store, aof: &mut Option<AofHandle>) -> Option<u64> {
    flush_with(store, aof, false)
}

/// [`flush`] with the fsync done on this thread under `always` (the AOF writer task).
pub fn flush_and_sync(store: &mut Store, aof: &mut Option<AofHandle>) -> Option<u64> {
    flush_with(store, aof, true)
}

fn flush_with(store: &mut Store, aof: &mut Option<AofHandle>, inline: bool) -> Option<u64> {
    let appended = append_effects(store, aof);
    let h = aof.as_mut()?;
    if !h.aof.has_pending() && store.aof.last_write_ok {
        return None;
    }
    let started = std::time::Instant::now();
    let written = if inline {
        h.aof.write_and_sync()
    } else {
        h.aof.write()
    };
    // Latency events: the write (`aof-write` and which kind) apart from the inline fsync.
    let ended = std::time::Instant::now();
    let sync = if inline {
        h.aof.last_inline_sync
    } else {
        Default::default()
    };
    let write_ms = (ended.duration_since(started).saturating_sub(sync)).as_millis() as u64;
    let child = store.aof.rewrite_started.is_some() || store.rdb.bgsave_started.is_some();
    store.latency_sample_ms("aof-write", write_ms, ended);
    let kind = if child {
        "aof-write-active-child"
    } else {
        "aof-write-alone"
    };
    store.latency_sample_ms(kind, write_ms, ended);
    store.latency_sample_ms("aof-fsync-always", sync.as_millis() as u64, ended);
    match written {
        Ok(off) => {
            if !store.aof.last_write_ok {
                tracing::warn!("AOF write error looks solved, Redis can write again.");
            }
            store.aof.last_write_ok = true;
            store.aof.last_write_error = None;
            store.aof.current_size = h.aof.incr_size + h.aof.base_size;
            store.aof.base_size = h.aof.base_size;
            (appended && h.policy == FsyncPolicy::Always).then_some(off)
        }
        Err(e) => {
            if store.aof.last_write_ok {
                tracing::error!("Error writing to the AOF file: {e}");
            }
            store.aof.last_write_ok = false;
            store.aof.last_write_error = Some(persistence::strerror(&e));
            // Nothing is acknowledged that is not in the log: the replies of this batch wait
            // until a retry (the server tick) has written and synced their records. Batches
            // that logged nothing (reads, refused writes) go on.
            appended.then(|| h.aof.pending_target())
        }
    }
}

/// Starts a background rewrite if one is scheduled (BGREWRITEAOF) or due (auto rewrite):
/// switches to a new incr file and snapshots the keyspace under the store lock, then writes
/// the base on a blocking thread and installs it. Clients are served meanwhile.
pub fn maybe_start_rewrite(shared: &std::sync::Arc<crate::server::Shared>, store: &mut Store) {
    let a = &store.aof;
    let cfg = &store.config;
    let base = a.rewrite_base_size.max(1);
    let growth = (a.current_size * 100 / base).saturating_sub(100);
    let auto = a.enabled
        && cfg.auto_aof_rewrite_percentage > 0
        && a.current_size > cfg.auto_aof_rewrite_min_size
        && growth >= cfg.auto_aof_rewrite_percentage;
    if a.rewrite_started.is_some() || !(a.rewrite_scheduled || auto) {
        return;
    }
    store.aof.rewrite_scheduled = false;
    if !store.aof.enabled {
        rewrite_without_aof(shared, store);
        return;
    }
    let ticket = {
        let mut guard = shared.aof.lock().unwrap();
        let Some(h) = guard.as_mut() else { return };
        for (db, argv) in store.effects.drain(..) {
            h.aof.append(db, &argv);
        }
        match h.aof.start_rewrite() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!("Can't start the AOF rewrite: {e}");
                store.aof.last_bgrewrite_ok = false;
                return;
            }
        }
    };
    let base_tmp = ticket.base_tmp.clone();
    spawn_base_writer(shared, store, base_tmp, move |sh, store| {
        let mut guard = sh.aof.lock().unwrap();
        let Some(h) = guard.as_mut() else {
            return Ok(Vec::new());
        };
        let started = std::time::Instant::now();
        let replaced = h.aof.finish_rewrite(&ticket)?;
        store.latency_sample("aof-rename", started);
        store.aof.base_size = h.aof.base_size;
        store.aof.current_size = h.aof.base_size + h.aof.incr_size;
        store.aof.rewrite_base_size = store.aof.current_size;
        Ok(replaced)
    });
}

/// The part of a rewrite both kinds share: snapshots the keyspace (store lock held), then
/// on a low-priority thread writes it as a base at `base_tmp`, and under the store lock
/// lets `install` put it in place and records the outcome for INFO. `install` returns files
/// the base replaced: they are unlinked after the locks are released, since unlinking a
/// large file can take milliseconds.
fn spawn_base_writer(
    shared: &std::sync::Arc<crate::server::Shared>,
    store: &mut Store,
    base_tmp: PathBuf,
    install: impl FnOnce(&crate::server::Shared, &mut Store) -> std::io::Result<Vec<PathBuf>>
        + Send
        + 'static,
) {
    let started = std::time::Instant::now();
    store.aof.rewrite_started = Some(started);
    let snapshot: Vec<crate::db::DbSnapshot> = store.ks.snapshot();
    let libraries: Vec<bytes::Bytes> = store
        .scripting
        .functions
        .libraries
        .values()
        .map(|l| l.code.clone())
        .collect();
    tracing::info!(
        "Background append only file rewriting started (snapshot taken in {:.3} ms)",
        started.elapsed().as_secs_f64() * 1e3
    );
    let now = crate::util::now_ms();
    let incremental_fsync = store.config.get("aof-rewrite-incremental-fsync") != Some("no");
    let sh = shared.clone();
    std::thread::spawn(move || {
        crate::util::lower_thread_priority();
        let res = crate::aof_rewrite::write_base(
            &base_tmp,
            &libraries,
            &snapshot,
            now,
            incremental_fsync,
        );
        drop(snapshot);
        let mut store = sh.store.lock().unwrap();
        let res = res.and_then(|_| install(&sh, &mut store));
        store.aof.rewrite_started = None;
        store.aof.last_rewrite_secs = started.elapsed().as_secs() as i64;
        let replaced = match res {
            Ok(replaced) => {
                store.aof.rewrites += 1;
                store.aof.rewrites_consecutive_failures = 0;
                store.aof.last_bgrewrite_ok = true;
                tracing::info!("Background AOF rewrite finished successfully");
                replaced
            }
            Err(e) => {
                let _ = std::fs::remove_file(&base_tmp);
                store.aof.last_bgrewrite_ok = false;
                store.aof.rewrites_consecutive_failures += 1;
                tracing::error!("Background AOF rewrite failed: {e}");
                Vec::new()
            }
        };
        drop(store);
        persistence::remove_files(&replaced);
    });
}

/// BGREWRITEAOF with `appendonly no`: like Redis, write a base file and a manifest that lists
/// only it, from a snapshot, on a background thread.
fn rewrite_without_aof(shared: &std::sync::Arc<crate::server::Shared>, store: &mut Store) {
    let dir = store
        .config
        .dir
        .join(store.config.get("appenddirname").unwrap_or("appendonlydir"));
    let filename = store
        .config
        .get("appendfilename")
        .unwrap_or("appendonly.aof")
        .to_string();
    let ticket = match persistence::standalone_base_ticket(&dir, &filename) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("Can't start the AOF rewrite: {e}");
            store.aof.last_bgrewrite_ok = false;
            return;
        }
    };
    let base_tmp = ticket.base_tmp.clone();
    spawn_base_writer(shared, store, base_tmp, move |_, _| {
        persistence::install_standalone_base(&dir, &filename, &ticket).map(|()| Vec::new())
    });
}

/// Is an fsync error outstanding? (Then writes are refused like write errors.)
pub fn fsync_failed(aof: &Option<AofHandle>) -> bool {
    aof.as_ref()
        .map(|h| h.aof.sync.failed.load(Ordering::SeqCst))
        .unwrap_or(false)
}
