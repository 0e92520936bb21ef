//! Server commands: INFO, CONFIG, COMMAND, TIME, DBSIZE, LASTSAVE, FLUSHDB/FLUSHALL, SWAPDB,
//! SHUTDOWN, OBJECT, MEMORY, BGREWRITEAOF.

use super::{eq_ic, parse_int, Command, Ctx};
use crate::config::Source;
use crate::db::{StrEnc, Value};
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------------------------

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1024.0 {
        format!("{}B", bytes)
    } else if b < 1024.0 * 1024.0 {
        format!("{:.2}K", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2}G", b / (1024.0 * 1024.0 * 1024.0))
    }
}

fn cpu_times() -> (f64, f64) {
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        (t(ru.ru_stime), t(ru.ru_utime))
    }
}

const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
    "sluice",
];

pub fn info_text(ctx: &mut Ctx, sections: &[String]) -> String {
    let want: Vec<&str> = if sections.is_empty() || sections.iter().any(|s| s == "default") {
        let mut v = DEFAULT_SECTIONS.to_vec();
        v.extend(
            sections
                .iter()
                .filter(|s| *s != "default")
                .map(|s| s.as_str()),
        );
        v
    } else if sections.iter().any(|s| s == "all" || s == "everything") {
        ALL_SECTIONS.to_vec()
    } else {
        sections.iter().map(|s| s.as_str()).collect()
    };
    // One full memory reading (an epoch advance, ~15 µs) serves the peak and the memory section.
    let used_now = ctx.store.memory.refresh();
    ctx.store.peak_memory = ctx.store.peak_memory.max(used_now);
    let st = &*ctx.store;
    let mut out = String::new();
    let section = |name: &str, body: String, out: &mut String| {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {}\r\n{}", name, body);
    };
    let uptime = st.start.elapsed().as_secs();
    for s in ALL_SECTIONS.iter().filter(|s| want.contains(s)) {
        let mut b = String::new();
        match *s {
            "server" => {
                let _ = write!(
                    b,
                    "redis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\nos:{} {}\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\nsluice_version:{}\r\n",
                    crate::REDIS_VERSION,
                    std::env::consts::OS,
                    std::env::consts::ARCH,
                    std::process::id(),
                    st.run_id,
                    st.tcp_port,
                    crate::util::now_us(),
                    uptime,
                    uptime / 86400,
                    st.config.get("hz").unwrap_or("10"),
                    st.config.get("hz").unwrap_or("10"),
                    (crate::util::now_ms() / 1000) & ((1 << 24) - 1),
                    st.executable,
                    st.config_file.clone().unwrap_or_default(),
                    env!("CARGO_PKG_VERSION"),
                );
            }
            "clients" => {
                let pubsub_clients = st
                    .pubsub
                    .clients
                    .values()
                    .filter(|c| c.count() + c.shard_channels.len() > 0)
                    .count();
                let _ = write!(
                    b,
                    "connected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{}\r\ntracking_clients:0\r\npubsub_clients:{}\r\nclients_in_timeout_table:{}\r\ntotal_blocking_keys:{}\r\n",
                    st.clients.len(),
                    st.config.maxclients,
                    st.blocking.len(),
                    pubsub_clients,
                    st.blocking.waiters.values().filter(|w| w.deadline_ms.is_some()).count(),
                    st.blocking.keys_len(),
                );
            }
            "memory" => {
                let used = used_now;
                let rss = crate::alloc::rss_bytes();
                let peak = st.peak_memory.max(used);
                let (allocated, active, resident) = crate::alloc::allocator_stats();
                let system = crate::alloc::total_system_memory();
                // Scripting (Redis 7's names).
                let lua = st.scripting.lua_memory();
                let scripts = st.scripting.cache_bytes;
                let f = &st.scripting.functions;
                let (vm_fn, fn_mem) = (f.lua_memory(), f.code_memory());
                // `getMemoryOverheadData`: what is not the dataset — the memory at start, the
                // clients' buffers, the AOF buffer, the script caches and the databases' own
                // tables.
                let clients: u64 = st.clients.values().map(|c| c.mem.total(&c.shared)).sum();
                let aof_buffer = crate::evict::not_counted_memory(st);
                let dbs: u64 = (0..st.ks.len())
                    .map(|i| {
                        let db = st.ks.db(i);
                        db.keys.overhead_bytes() + db.expires.overhead_bytes()
                    })
                    .sum();
                let overhead =
                    st.startup_memory + clients + aof_buffer + (scripts + fn_mem) as u64 + dbs;
                let dataset = used.saturating_sub(overhead);
                let net = used.saturating_sub(st.startup_memory);
                let pct = |part: u64, whole: u64| {
                    if whole > 0 {
                        part as f64 * 100.0 / whole as f64
                    } else {
                        0.0
                    }
                };
                let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
                let diff = |a: u64, b: u64| a as i64 - b as i64;
                let _ = write!(
                    b,
                    "used_memory:{used}\r\nused_memory_human:{}\r\nused_memory_rss:{rss}\r\nused_memory_rss_human:{}\r\nused_memory_peak:{peak}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2}%\r\nused_memory_overhead:{overhead}\r\nused_memory_startup:{}\r\nused_memory_dataset:{dataset}\r\nused_memory_dataset_perc:{:.2}%\r\nallocator_allocated:{allocated}\r\nallocator_active:{active}\r\nallocator_resident:{resident}\r\ntotal_system_memory:{system}\r\ntotal_system_memory_human:{}\r\n",
                    human(used),
                    human(rss),
                    human(peak),
                    pct(used, peak),
                    st.startup_memory,
                    pct(dataset, net),
                    human(system),
                );
                let _ = write!(
                    b,
                    "used_memory_lua:{lua}\r\nused_memory_vm_eval:{lua}\r\nused_memory_lua_human:{}\r\nused_memory_scripts_eval:{scripts}\r\nnumber_of_cached_scripts:{}\r\nnumber_of_functions:{}\r\nnumber_of_libraries:{}\r\nused_memory_vm_functions:{vm_fn}\r\nused_memory_vm_total:{}\r\nused_memory_vm_total_human:{}\r\nused_memory_functions:{fn_mem}\r\nused_memory_scripts:{}\r\nused_memory_scripts_human:{}\r\n",
                    human(lua as u64),
                    st.scripting.cache.len(),
                    f.function_count(),
                    f.libraries.len(),
                    lua + vm_fn,
                    human((lua + vm_fn) as u64),
                    scripts + fn_mem,
                    human((scripts + fn_mem) as u64),
                );
                // No replicas, cluster bus, defragmentation or lazy freeing thread: their
                // fields are Redis's zeros.
                let _ = write!(
                    b,
                    "maxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\nallocator_frag_ratio:{:.2}\r\nallocator_frag_bytes:{}\r\nallocator_rss_ratio:{:.2}\r\nallocator_rss_bytes:{}\r\nrss_overhead_ratio:{:.2}\r\nrss_overhead_bytes:{}\r\nmem_fragmentation_ratio:{:.2}\r\nmem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:{aof_buffer}\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:{clients}\r\nmem_cluster_links:0\r\nmem_aof_buffer:{aof_buffer}\r\nmem_allocator:{}\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
                    st.config.maxmemory,
                    human(st.config.maxmemory),
                    st.config.get("maxmemory-policy").unwrap_or("noeviction"),
                    ratio(active, allocated),
                    diff(active, allocated),
                    ratio(resident, active),
                    diff(resident, active),
                    ratio(rss, resident),
                    diff(rss, resident),
                    ratio(rss, used),
                    diff(rss, used),
                    crate::alloc::allocator_name(),
                );
            }
            "persistence" => {
                let loading_eta = match (st.loading_started, st.loading_total_bytes) {
                    (Some(t), total) if total > 0 && st.loading_loaded_bytes > 0 => {
                        let el = t.elapsed().as_secs_f64();
                        let rate = st.loading_loaded_bytes as f64 / el.max(0.001);
                        ((total - st.loading_loaded_bytes.min(total)) as f64 / rate.max(1.0)) as u64
                    }
                    _ => 0,
                };
                let a = &st.aof;
                let _ = write!(
                    b,
                    // Snapshots are taken without forking: no copy-on-write to report.
                    "loading:{}\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\nrdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:{}\r\naof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\naof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{}\r\naof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\naof_rewrites_consecutive_failures:{}\r\naof_last_write_status:{}\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
                    st.loading as u8,
                    st.ks.dirty() - st.dirty_at_last_save,
                    (st.rdb.bgsave_started.is_some() || st.rdb.bgsave_requested) as u8,
                    st.lastsave,
                    if st.rdb.last_bgsave_ok { "ok" } else { "err" },
                    st.rdb.last_bgsave_secs,
                    st.rdb.bgsave_started.map_or(-1, |t| t.elapsed().as_secs() as i64),
                    st.rdb.saves,
                    st.rdb.last_load_keys_loaded,
                    a.enabled as u8,
                    a.rewrite_started.is_some() as u8,
                    a.rewrite_scheduled as u8,
                    a.last_rewrite_secs,
                    a.rewrite_started
                        .map_or(-1, |t| t.elapsed().as_secs() as i64),
                    if a.last_bgrewrite_ok { "ok" } else { "err" },
                    a.rewrites,
                    a.rewrites_consecutive_failures,
                    if a.last_write_ok { "ok" } else { "err" },
                );
                if a.enabled {
                    let _ = write!(
                        b,
                        "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\naof_pending_bio_fsync:0\r\naof_delayed_fsync:0\r\n",
                        a.current_size, a.base_size
                    );
                }
                if st.loading {
                    let perc = if st.loading_total_bytes > 0 {
                        st.loading_loaded_bytes as f64 * 100.0 / st.loading_total_bytes as f64
                    } else {
                        0.0
                    };
                    let _ = write!(
                        b,
                        "loading_start_time:{}\r\nloading_total_bytes:{}\r\nloading_rdb_used_mem:0\r\nloading_loaded_bytes:{}\r\nloading_loaded_perc:{:.2}\r\nloading_eta_seconds:{}\r\n",
                        st.start_unix,
                        st.loading_total_bytes,
                        st.loading_loaded_bytes,
                        perc,
                        loading_eta
                    );
                }
            }
            "stats" => {
                let s = &st.stats;
                let exceeded_now = s
                    .eviction_exceeded_since
                    .map_or(0, |t| t.elapsed().as_micros() as u64);
                let _ = write!(
                    b,
                    // Replication, forks, defragmentation and client tracking do not exist
                    // here: their counters are Redis's zeros.
                    "total_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:{:.2}\r\ninstantaneous_output_kbps:{:.2}\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:{}\r\nexpired_subkeys:{}\r\nexpired_stale_perc:{:.2}\r\nexpired_time_cap_reached_count:{}\r\nexpire_cycle_cpu_milliseconds:{}\r\nevicted_keys:{}\r\nevicted_clients:{}\r\ntotal_eviction_exceeded_time:{}\r\ncurrent_eviction_exceeded_time:{}\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\nclient_query_buffer_limit_disconnections:{}\r\nclient_output_buffer_limit_disconnections:{}\r\nacl_access_denied_auth:{}\r\nacl_access_denied_cmd:{}\r\nacl_access_denied_key:{}\r\nacl_access_denied_channel:{}\r\n",
                    s.total_connections_received,
                    s.total_commands_processed,
                    s.inst.rate(0) as u64,
                    st.net.input.load(std::sync::atomic::Ordering::Relaxed),
                    st.net.output.load(std::sync::atomic::Ordering::Relaxed),
                    s.inst.rate(1) / 1024.0,
                    s.inst.rate(2) / 1024.0,
                    s.rejected_connections,
                    s.expired_keys,
                    s.expired_subkeys,
                    s.expired_stale_perc * 100.0,
                    s.expired_time_cap_reached,
                    s.expire_cycle_us / 1000,
                    s.evicted_keys,
                    s.evicted_clients,
                    (s.total_eviction_exceeded_us + exceeded_now) / 1000,
                    exceeded_now / 1000,
                    s.keyspace_hits,
                    s.keyspace_misses,
                    st.pubsub.channels.len(),
                    st.pubsub.patterns.len(),
                    st.pubsub.shard_channels.len(),
                    s.total_error_replies,
                    s.client_query_buffer_limit_disconnections,
                    s.client_output_buffer_limit_disconnections,
                    st.acl.denied_auth,
                    st.acl.denied_cmd,
                    st.acl.denied_key,
                    st.acl.denied_channel,
                );
            }
            "replication" => {
                let _ = write!(
                    b,
                    "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                    st.run_id
                );
            }
            "cpu" => {
                let (sys, user) = cpu_times();
                let _ = write!(b, "used_cpu_sys:{:.6}\r\nused_cpu_user:{:.6}\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n", sys, user);
            }
            "modules" => {}
            "cluster" => b.push_str("cluster_enabled:0\r\n"),
            "errorstats" => {
                let mut v: Vec<_> = st.stats.errors.iter().collect();
                v.sort();
                for (code, n) in v {
                    let _ = write!(b, "errorstat_{}:count={}\r\n", code, n);
                }
            }
            "commandstats" => {
                let mut v: Vec<_> = st.stats.commands.iter().collect();
                v.sort_by(|a, b| a.0.cmp(b.0));
                for (name, c) in v {
                    let per = if c.calls > 0 {
                        c.usec as f64 / c.calls as f64
                    } else {
                        0.0
                    };
                    let _ = write!(
                        b,
                        "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                        name, c.calls, c.usec, per, c.rejected, c.failed
                    );
                }
            }
            "latencystats" if st.config.latency_tracking => {
                let mut v: Vec<_> = st
                    .stats
                    .commands
                    .iter()
                    .filter_map(|(n, c)| Some((*n, c.latency.as_deref()?)))
                    .collect();
                v.sort_by(|a, b| a.0.cmp(b.0));
                for (name, h) in v {
                    let _ = write!(b, "latency_percentiles_usec_{name}:");
                    for (i, p) in st.config.latency_tracking_percentiles.iter().enumerate() {
                        let sep = if i > 0 { "," } else { "" };
                        let us = h.value_at_percentile(*p) as f64 / 1000.0;
                        let _ = write!(b, "{sep}p{p}={us:.3}");
                    }
                    b.push_str("\r\n");
                }
            }
            "keyspace" => {
                for (i, db) in st.ks.dbs().enumerate() {
                    if !db.is_empty() {
                        let _ = write!(
                            b,
                            "db{}:keys={},expires={},avg_ttl=0,subexpiry={}\r\n",
                            i,
                            db.len(),
                            db.expires.len(),
                            db.field_expires.len()
                        );
                    }
                }
            }
            "sluice" => {
                // sluice's queue policies (not in the default sections: a Redis client's
                // plain INFO stays as Redis's).
                let streams: usize = st.ks.dbs().map(|d| d.stream_timers.len()).sum();
                let p = &st.stats;
                let _ = write!(
                    b,
                    "sluice_policy_streams_timed:{streams}\r\nsluice_delayed_total:{}\r\nsluice_delayed_due:{}\r\nsluice_retention_expired:{}\r\nsluice_retention_trimmed:{}\r\nsluice_dead_lettered:{}\r\nsluice_dead_letter_failures:{}\r\n",
                    p.policy_delayed,
                    p.policy_due,
                    p.policy_expired,
                    p.policy_trimmed,
                    p.policy_dead_lettered,
                    p.policy_dead_letter_failures,
                );
            }
            _ => {}
        }
        section(&capitalize(s), b, &mut out);
    }
    out
}

fn capitalize(s: &str) -> String {
    match s {
        "cpu" => "CPU".into(),
        "commandstats" => "Commandstats".into(),
        "errorstats" => "Errorstats".into(),
        "latencystats" => "Latencystats".into(),
        _ => {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

pub fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let sections: Vec<String> = argv[1..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    let text = info_text(ctx, &sections);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

pub fn time(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let us = crate::util::now_us();
    ctx.out.array(2);
    ctx.out.bulk((us / 1_000_000).to_string().as_bytes());
    ctx.out.bulk((us % 1_000_000).to_string().as_bytes());
    Ok(())
}

pub fn dbsize(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.store.db_len(ctx.db());
    ctx.out.int(n as i64);
    Ok(())
}

/// SAVE: the snapshot written in the foreground (clients wait, as in Redis).
pub fn save(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.store.rdb.bgsave_started.is_some() {
        return Err(CmdError::err("Background save already in progress"));
    }
    match crate::rdb::save_now(ctx.store) {
        Ok(_) => {
            ctx.out.ok();
            Ok(())
        }
        Err(e) => {
            tracing::error!("Failed saving the DB: {e}");
            Err(CmdError::Raw("ERR".into()))
        }
    }
}

/// BGSAVE [SCHEDULE]: the snapshot written on a background thread (started by the tick).
pub fn bgsave(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let schedule = match argv.get(1) {
        None => false,
        Some(a) if eq_ic(a, "schedule") && argv.len() == 2 => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    let rdb = &mut ctx.store.rdb;
    if rdb.bgsave_started.is_some() || rdb.bgsave_requested {
        if schedule {
            rdb.bgsave_requested = true;
            ctx.out.simple("Background saving scheduled");
            return Ok(());
        }
        return Err(CmdError::err("Background save already in progress"));
    }
    if ctx.store.aof.rewrite_started.is_some() {
        if schedule {
            ctx.store.rdb.bgsave_requested = true;
            ctx.out.simple("Background saving scheduled");
            return Ok(());
        }
        return Err(CmdError::err("Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."));
    }
    ctx.store.rdb.bgsave_requested = true;
    ctx.out.simple("Background saving started");
    Ok(())
}

pub fn lastsave(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.store.lastsave);
    Ok(())
}

fn flush_mode(argv: &[Bytes]) -> CmdResult {
    match argv.get(1) {
        None => Ok(()),
        Some(a) if argv.len() == 2 && (eq_ic(a, "async") || eq_ic(a, "sync")) => Ok(()),
        Some(_) => Err(CmdError::Syntax),
    }
}

pub fn flushdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv)?;
    let db = ctx.db();
    ctx.store.flush_db(db);
    ctx.out.ok();
    Ok(())
}

pub fn flushall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    flush_mode(argv)?;
    ctx.store.flush_all();
    ctx.out.ok();
    Ok(())
}

pub fn swapdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_int(&argv[1]).map_err(|_| CmdError::err("invalid first DB index"))?;
    let b = parse_int(&argv[2]).map_err(|_| CmdError::err("invalid second DB index"))?;
    let n = ctx.store.ks.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(CmdError::DbIndexOutOfRange);
    }
    ctx.store.swap_db(a as usize, b as usize);
    ctx.out.ok();
    Ok(())
}

pub fn shutdown(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut kind = crate::store::ShutdownKind::default();
    for a in &argv[1..] {
        if eq_ic(a, "nosave") {
            kind.nosave = true;
        } else if eq_ic(a, "save") {
            kind.save = true;
        } else if eq_ic(a, "now") {
            kind.now = true;
        } else if eq_ic(a, "force") {
            kind.force = true;
        } else if eq_ic(a, "abort") {
            kind.abort = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if kind.save && kind.nosave || kind.abort && argv.len() > 2 {
        return Err(CmdError::Syntax);
    }
    if kind.abort {
        return Err(CmdError::err("No shutdown in progress."));
    }
    // The final save happens here, so that a failure keeps the server up and tells the
    // client, as Redis's prepareForShutdown does (unless FORCE).
    if crate::rdb::final_save(ctx.store, &mut kind).is_err() && !kind.force {
        return Err(CmdError::err("Errors trying to SHUTDOWN. Check logs."));
    }
    ctx.store.shutdown_requested = Some(kind);
    ctx.client.close_after_reply = true;
    Ok(())
}

/// `allowProtectedAction`: what the `enable-*` directive `name` allows this client: `yes`
/// everyone, `local` loopback connections, `no` nobody.
fn allow_protected_action(ctx: &Ctx, name: &str) -> bool {
    match ctx.store.config.get(name).unwrap_or("no") {
        "yes" => true,
        "local" => ctx
            .store
            .clients
            .get(&ctx.client.id)
            .is_some_and(|c| c.addr.starts_with("127.") || c.addr.starts_with("[::1]")),
        _ => false,
    }
}

/// DEBUG, gated by `enable-debug-command` as in Redis. Unlike Redis, `DEBUG PANIC` panics inside
/// the command only: sluice isolates it, closes that client and keeps serving (tests use it
/// to prove exactly that).
pub fn debug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !allow_protected_action(ctx, "enable-debug-command") {
        return Err(CmdError::err("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."));
    }
    let sub = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
    match sub.as_str() {
        "sleep" if argv.len() == 3 => {
            let secs = crate::util::parse_f64(&argv[2]).ok_or(CmdError::NotFloat)?;
            // Like Redis, the whole server sleeps: the store lock is held.
            std::thread::sleep(std::time::Duration::from_secs_f64(secs.max(0.0)));
            ctx.out.ok();
            Ok(())
        }
        "panic" => panic!("DEBUG PANIC requested by client {}", ctx.client.id),
        // Fault injection for durability tests (sluice only).
        "aof-fail-writes" if argv.len() == 3 => {
            ctx.store.aof.inject_write_failure = argv[2].as_ref() != b"0";
            ctx.out.ok();
            Ok(())
        }
        "aof-fail-fsync" if argv.len() == 3 => {
            ctx.store.aof.inject_fsync_failure = argv[2].as_ref() != b"0";
            ctx.out.ok();
            Ok(())
        }
        "aof-fsync-delay" if argv.len() == 3 => {
            ctx.store.aof.inject_fsync_delay_ms = parse_int(&argv[2])?.max(0) as u64;
            ctx.out.ok();
            Ok(())
        }
        _ => Err(CmdError::UnknownSubcommand {
            sub: String::from_utf8_lossy(&argv[1]).into_owned(),
            cmd: "debug".into(),
        }),
    }
}

pub fn bgrewriteaof(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.store.aof.rewrite_started.is_some() {
        return Err(CmdError::err(
            "Background append only file rewriting already in progress",
        ));
    }
    ctx.store.aof.rewrite_scheduled = true;
    ctx.out
        .simple("Background append only file rewriting started");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------------------------

pub fn config_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut found: Vec<(&'static str, String)> = Vec::new();
    for pat in &argv[2..] {
        let p = String::from_utf8_lossy(pat).to_ascii_lowercase();
        for (name, val) in ctx.store.config.all() {
            if found.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if crate::glob::matches(p.as_bytes(), name.as_bytes(), true) {
                found.push((name, val.to_string()));
            }
        }
    }
    ctx.out.map(found.len());
    for (n, v) in found {
        ctx.out.bulk(n.as_bytes());
        ctx.out.bulk(v.as_bytes());
    }
    Ok(())
}

pub fn config_set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("config|set".into()));
    }
    let pairs: Vec<(String, String)> = argv[2..]
        .chunks(2)
        .map(|p| {
            (
                String::from_utf8_lossy(&p[0]).to_ascii_lowercase(),
                String::from_utf8_lossy(&p[1]).into_owned(),
            )
        })
        .collect();
    // Validate everything on a copy first: CONFIG SET applies all or nothing.
    let mut trial = ctx.store.config.clone();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in &pairs {
        if seen.contains(&name.as_str()) {
            return Err(CmdError::err(format!(
                "CONFIG SET failed (possibly related to argument '{name}') - duplicate parameter"
            )));
        }
        seen.push(name);
        // Redis 7's PROTECTED_CONFIG directives: where the server writes its files.
        if matches!(name.as_str(), "dir" | "dbfilename")
            && !allow_protected_action(ctx, "enable-protected-configs")
        {
            return Err(CmdError::err(format!(
                "CONFIG SET failed (possibly related to argument '{name}') - can't set protected config"
            )));
        }
        let args: Vec<String> = if matches!(
            name.as_str(),
            "bind"
                | "save"
                | "client-output-buffer-limit"
                | "oom-score-adj-values"
                | "latency-tracking-info-percentiles"
        ) {
            value.split_whitespace().map(String::from).collect()
        } else {
            vec![value.clone()]
        };
        match trial.set(name, &args, Source::ConfigSet) {
            Ok(()) => {}
            Err(None) => {
                return Err(CmdError::err(format!(
                    "Unknown option or number of arguments for CONFIG SET - '{name}'"
                )))
            }
            Err(Some(reason)) => {
                return Err(CmdError::err(format!(
                    "CONFIG SET failed (possibly related to argument '{name}') - {reason}"
                )))
            }
        }
    }
    // Directives sluice applies only at start-up refuse a runtime change instead of pretending.
    for (name, _) in &pairs {
        let n = name.as_str();
        if (matches!(n, "port" | "bind" | "appendonly" | "appendfilename") || n.starts_with("tls-"))
            && trial.get(n) != ctx.store.config.get(n)
        {
            return Err(CmdError::err(format!(
                "CONFIG SET failed (possibly related to argument '{n}') - sluice applies this directive at start-up only"
            )));
        }
    }
    let password_changed = trial.requirepass != ctx.store.config.requirepass;
    ctx.store.config = trial;
    // `requirepass` is the default user's password (`ACLUpdateDefaultUserPassword`).
    if password_changed {
        let pass = ctx.store.config.requirepass.clone();
        ctx.store.acl.set_default_password(pass.as_deref());
    }
    // `updateMaxmemory`: a new limit takes effect at once, evicting what it must.
    let limit = ctx.store.config.maxmemory;
    if limit > 0 && pairs.iter().any(|(n, _)| n == "maxmemory") {
        let used = ctx.store.memory.refresh();
        let used = used.saturating_sub(crate::evict::not_counted_memory(ctx.store));
        if used > limit {
            tracing::warn!("WARNING: the new maxmemory value set via CONFIG SET ({limit}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.");
        }
        crate::evict::perform_evictions(ctx.store);
    }
    // A new server-wide retention reaches every stream without its own at once: each is
    // hinted for the policy timer (one pass over the keys, as CONFIG SET maxmemory evicts).
    if pairs
        .iter()
        .any(|(n, _)| n.starts_with("sluice-retention-"))
    {
        ctx.store.note_all_stream_timers();
    }
    ctx.out.ok();
    Ok(())
}

pub fn config_resetstat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.store.stats = Default::default();
    ctx.store.net.reset();
    // `resetServerStats` also zeroes the save and rewrite counters.
    ctx.store.rdb.saves = 0;
    ctx.store.aof.rewrites = 0;
    ctx.store.aof.rewrites_consecutive_failures = 0;
    ctx.out.ok();
    Ok(())
}

pub fn config_rewrite(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(path) = ctx.store.config_file.clone() else {
        return Err(CmdError::err("The server is running without a config file"));
    };
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    // The users go into the file too, unless an ACL file keeps them (`rewriteConfigUserOption`).
    let users = ctx
        .store
        .config
        .get("aclfile")
        .is_none_or(|f| f.is_empty())
        .then(|| ctx.store.acl.list_lines());
    let text = crate::config::rewrite_text(&ctx.store.config, &old, users.as_deref());
    let tmp = format!("{path}.tmp-{}", std::process::id());
    let res = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &path));
    if let Err(e) = res {
        return Err(CmdError::err(format!("Rewriting config file: {e}")));
    }
    ctx.out.ok();
    Ok(())
}

pub fn config_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------------------

pub fn command_default(ctx: &mut Ctx) {
    let all = super::commands();
    ctx.out.array(all.len());
    for c in all {
        super::table::write_info(ctx.out, c, None);
    }
}

pub fn command_root(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    command_default(ctx);
    Ok(())
}

pub fn command_count(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(super::commands().len() as i64);
    Ok(())
}

/// A command by its full name (`get`, `client|kill`), and its container's name.
fn find_command(name: &[u8]) -> Option<(&'static Command, Option<&'static str>)> {
    let s = String::from_utf8_lossy(name).to_ascii_lowercase();
    if let Some((p, sub)) = s.split_once('|') {
        let parent = super::lookup(p.as_bytes())?;
        let c = super::find_sub(parent, sub.as_bytes())?;
        return Some((c, Some(parent.name)));
    }
    super::lookup(name).map(|c| (c, None))
}

pub fn command_info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        command_default(ctx);
        return Ok(());
    }
    ctx.out.array(argv.len() - 2);
    for n in &argv[2..] {
        match find_command(n) {
            Some((c, p)) => super::table::write_info(ctx.out, c, p),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

pub fn command_docs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let found: Vec<(&'static Command, Option<&'static str>)> = if argv.len() == 2 {
        super::commands().iter().map(|c| (*c, None)).collect()
    } else {
        argv[2..].iter().filter_map(|n| find_command(n)).collect()
    };
    ctx.out.map(found.len());
    for (c, p) in found {
        match p {
            Some(p) => ctx.out.bulk(format!("{p}|{}", c.name).as_bytes()),
            None => ctx.out.bulk(c.name.as_bytes()),
        }
        super::table::write_docs(ctx.out, c);
    }
    Ok(())
}

pub fn command_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut names: Vec<(String, &'static Command)> = Vec::new();
    for c in super::commands() {
        names.push((c.name.to_string(), c));
        for s in c.subcommands {
            names.push((format!("{}|{}", c.name, s.name), s));
        }
    }
    if argv.len() > 2 {
        if argv.len() != 5 || !eq_ic(&argv[2], "filterby") {
            return Err(CmdError::Syntax);
        }
        let v = &argv[4];
        if eq_ic(&argv[3], "pattern") {
            names.retain(|(n, _)| crate::glob::matches(v, n.as_bytes(), true));
        } else if eq_ic(&argv[3], "aclcat") {
            let cat = String::from_utf8_lossy(v);
            names.retain(|(_, c)| c.in_category(&cat));
        } else if eq_ic(&argv[3], "module") {
            names.clear();
        } else {
            return Err(CmdError::Syntax);
        }
    }
    ctx.out.array(names.len());
    for (n, _) in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

/// `commandGetKeysCommand`: the command (a container's subcommand when one is named), then
/// whether it has keys at all, then its arity, in that order; the keys from its key specs.
fn getkeys(argv: &[Bytes]) -> CmdResult<Vec<(usize, &'static [&'static str])>> {
    let args = &argv[2..];
    let cmd = match super::lookup(&args[0]) {
        Some(c) if !c.subcommands.is_empty() && args.len() >= 2 => super::find_sub(c, &args[1]),
        found => found,
    };
    let Some(cmd) = cmd else {
        return Err(CmdError::err("Invalid command specified"));
    };
    if !cmd.has_keys() {
        return Err(CmdError::err("The command has no key arguments"));
    }
    if !super::arity_ok(cmd.arity, args.len()) {
        return Err(CmdError::err(
            "Invalid number of arguments specified for command",
        ));
    }
    let keys = super::table::keys_with_flags(cmd, args);
    if keys.is_empty() && cmd.flags & super::NO_MANDATORY_KEYS == 0 {
        return Err(CmdError::err("Invalid arguments specified for command"));
    }
    Ok(keys)
}

pub fn command_getkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let keys = getkeys(argv)?;
    ctx.out.array(keys.len());
    for (i, _) in keys {
        ctx.out.bulk(&argv[2 + i]);
    }
    Ok(())
}

/// COMMAND GETKEYSANDFLAGS: each key with its key spec's flags.
pub fn command_getkeysandflags(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let keys = getkeys(argv)?;
    ctx.out.array(keys.len());
    for (i, flags) in keys {
        ctx.out.array(2);
        ctx.out.bulk(&argv[2 + i]);
        ctx.out.set(flags.len());
        for f in flags {
            ctx.out.simple(f);
        }
    }
    Ok(())
}

pub fn command_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OBJECT / MEMORY
// ---------------------------------------------------------------------------------------------

/// Introspection never counts as an access (Redis's LOOKUP_NOTOUCH).
fn with_value<T>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(&Value) -> T) -> Option<T> {
    let db = ctx.db();
    // OBJECT: no access-time update, no `keymiss`.
    let flags = crate::keyspace::LOOKUP_NOTOUCH | crate::keyspace::LOOKUP_NONOTIFY;
    ctx.store.lookup(db, key, flags).map(|v| f(v))
}

fn lfu_policy(ctx: &Ctx) -> bool {
    ctx.store
        .config
        .get("maxmemory-policy")
        .unwrap_or("")
        .contains("lfu")
}

pub fn object_encoding(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let enc = with_value(ctx, &argv[2], |v| match v {
        Value::Str(s) => match s.enc() {
            StrEnc::Int => "int",
            StrEnc::Embstr => "embstr",
            StrEnc::Raw => "raw",
        },
        Value::List(l) => l.encoding(),
        Value::Stream(_) => "stream",
        Value::Hash(h) => h.encoding(),
        Value::Set(s) => s.encoding(),
        Value::Zset(z) => z.encoding(),
    });
    match enc {
        Some(e) => ctx.out.bulk(e.as_bytes()),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn object_refcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match with_value(ctx, &argv[2], |v| match v {
        // Redis shares small integers (refcount INT_MAX); other values have one reference.
        Value::Str(s)
            if s.enc() == StrEnc::Int
                && crate::util::parse_i64(s.data())
                    .map(|i| (0..10000).contains(&i))
                    .unwrap_or(false) =>
        {
            i32::MAX as i64
        }
        _ => 1,
    }) {
        Some(n) => ctx.out.int(n),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn object_idletime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if with_value(ctx, &argv[2], |_| ()).is_none() {
        ctx.out.null();
        return Ok(());
    }
    if lfu_policy(ctx) {
        return Err(CmdError::err("An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    let db = ctx.db();
    let m = ctx.store.access_meta(db, &argv[2]);
    let now = (ctx.now / 1000).max(0) as u64;
    let idle = now.saturating_sub(crate::db::access_meta::lru_secs(m));
    ctx.out.int(idle as i64);
    Ok(())
}

pub fn object_freq(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if with_value(ctx, &argv[2], |_| ()).is_none() {
        ctx.out.null();
        return Ok(());
    }
    if !lfu_policy(ctx) {
        return Err(CmdError::err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
    }
    let db = ctx.db();
    let m = ctx.store.access_meta(db, &argv[2]);
    let now = (ctx.now / 1000).max(0) as u64;
    let decay = ctx.store.lfu_decay_time();
    ctx.out
        .int(crate::db::access_meta::lfu_decayed(m, now, decay) as i64);
    Ok(())
}

pub fn object_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    );
    Ok(())
}

pub fn memory_usage(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // OBJ_COMPUTE_SIZE_DEF_SAMPLES; 0 means every element.
    let mut samples = 5usize;
    let mut a = super::args::Args::new(argv, 3);
    while !a.is_empty() {
        if a.remaining() > 1 && a.eat("samples") {
            let n = a.next_int()?;
            samples = if n == 0 {
                usize::MAX
            } else {
                n.max(1) as usize
            };
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let key_len = argv[2].len();
    match with_value(ctx, &argv[2], |v| match v {
        Value::Str(s) => s.data().len() + 16,
        Value::List(l) => l.mem_usage(),
        Value::Stream(st) => st.mem_usage(),
        Value::Hash(h) => h.mem_usage(samples),
        Value::Set(s) => s.mem_usage(samples),
        Value::Zset(z) => z.mem_usage(samples),
    }) {
        // Key bytes, the slot and index entry overhead, and the value itself.
        Some(n) => ctx.out.int((n + key_len + 48) as i64),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn memory_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// MONITOR (`crate::monitor`)
// ---------------------------------------------------------------------------------------------

/// MONITOR: from now on this client also receives every command the server runs. A second
/// MONITOR is ignored without a reply, as Redis ignores it; RESET ends it.
pub fn monitor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    // A transaction (or script) expects one reply per command (CLIENT_DENY_BLOCKING).
    if ctx.store.in_transaction {
        return Err(CmdError::err(
            "MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    let id = ctx.client.id;
    if ctx.store.monitors.contains(&id) {
        return Ok(());
    }
    ctx.store.monitors.push(id);
    ctx.out.ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// LATENCY (`crate::latency`): LATEST, HISTORY, GRAPH, DOCTOR, HISTOGRAM, RESET, HELP
// ---------------------------------------------------------------------------------------------

/// LATENCY LATEST: per event, the latest spike's time and ms and the all-time maximum.
pub fn latency_latest(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let m = &ctx.store.latency;
    let out = &mut *ctx.out;
    out.array(m.events().count());
    for (event, ts) in m.events() {
        let last = ts.latest();
        out.array(4);
        out.bulk(event.as_bytes());
        out.int(last.time);
        out.int(last.latency as i64);
        out.int(ts.max as i64);
    }
    Ok(())
}

/// LATENCY HISTORY event: its samples as (time, ms) pairs, oldest first (empty for an
/// event never seen).
pub fn latency_history(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let samples: Vec<_> = match ctx.store.latency.get(&argv[2]) {
        Some((_, ts)) => ts.history().collect(),
        None => Vec::new(),
    };
    ctx.out.array(samples.len());
    for s in samples {
        ctx.out.array(2);
        ctx.out.int(s.time);
        ctx.out.int(s.latency as i64);
    }
    Ok(())
}

/// LATENCY GRAPH event: the event's samples as Redis's ASCII sparkline (a verbatim string).
pub fn latency_graph(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = crate::util::now_ms() / 1000;
    let Some((event, ts)) = ctx.store.latency.get(&argv[2]) else {
        return Err(CmdError::Raw(format!(
            "ERR No samples available for event '{}'",
            String::from_utf8_lossy(&argv[2])
        )));
    };
    let text = crate::latency::graph(event, ts, now);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

/// LATENCY DOCTOR: the human-readable report of the events and advice (a verbatim string).
pub fn latency_doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let cfg = &ctx.store.config;
    let cx = crate::latency::DoctorContext {
        now: crate::util::now_ms() / 1000,
        threshold_ms: cfg.latency_monitor_threshold,
        slowlog_log_slower_than: cfg.slowlog_log_slower_than,
        appendfsync_always: cfg.appendfsync == crate::config::FsyncPolicy::Always,
        hz: cfg.hz,
        anon_huge_pages: crate::latency::anon_huge_pages(),
    };
    let text = ctx.store.latency.doctor(&cx);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

/// LATENCY HISTOGRAM [command...]: per command with a latency histogram, its calls and
/// cumulative counts at doubling µs buckets; a container's name stands for its subcommands
/// (`latencySpecificCommandsFillCDF`); unknown names are skipped.
pub fn latency_histogram(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let stats = &ctx.store.stats.commands;
    let mut names: Vec<&'static str> = Vec::new();
    if argv.len() == 2 {
        names.extend(stats.keys().copied());
        names.sort_unstable();
    } else {
        for a in &argv[2..] {
            let Some(cmd) = super::lookup(a) else {
                continue;
            };
            let mut push = |full: &str| {
                if let Some((k, _)) = stats.get_key_value(full) {
                    names.push(k);
                }
            };
            push(cmd.name);
            for sub in cmd.subcommands {
                push(&format!("{}|{}", cmd.name, sub.name));
            }
        }
    }
    let hists: Vec<_> = names
        .into_iter()
        .filter_map(|n| Some((n, stats.get(n)?.latency.as_deref()?)))
        .collect();
    let out = &mut *ctx.out;
    out.map(hists.len());
    for (name, h) in hists {
        out.bulk(name.as_bytes());
        out.map(2);
        out.bulk(b"calls");
        out.int(h.total() as i64);
        out.bulk(b"histogram_usec");
        let cdf = h.cdf();
        out.map(cdf.len());
        for (us, n) in cdf {
            out.int(us as i64);
            out.int(n as i64);
        }
    }
    Ok(())
}

/// LATENCY RESET [event...]: forgets the named events (all without names); how many
/// existed.
pub fn latency_reset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let m = &mut ctx.store.latency;
    let n = if argv.len() == 2 {
        m.reset_all()
    } else {
        argv[2..].iter().filter(|e| m.reset(e)).count()
    };
    ctx.out.int(n as i64);
    Ok(())
}

pub fn latency_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG (`crate::slowlog`)
// ---------------------------------------------------------------------------------------------

/// SLOWLOG GET [count]: the newest `count` entries (10; -1 for all), each as
/// id, unix time, µs, argv, `ip:port`, client name.
pub fn slowlog_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(crate::error::subcommand_syntax(argv));
    }
    let count = match argv.get(2) {
        None => 10,
        // getRangeLongFromObjectOrReply: one message for a non-number and for out of range.
        Some(a) => match super::parse_int(a) {
            Ok(-1) => usize::MAX,
            Ok(n) if n >= 0 => n as usize,
            _ => return Err(CmdError::err("count should be greater than or equal to -1")),
        },
    };
    let log = &ctx.store.slowlog;
    let n = count.min(log.len());
    let out = &mut *ctx.out;
    out.array(n);
    for e in log.iter().take(n) {
        out.array(6);
        out.int(e.id as i64);
        out.int(e.time);
        out.int(e.duration_us as i64);
        out.array(e.argv.len());
        for a in &e.argv {
            out.bulk(a);
        }
        out.bulk(e.peer.as_bytes());
        out.bulk(&e.name);
    }
    Ok(())
}

pub fn slowlog_len(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.store.slowlog.len() as i64);
    Ok(())
}

pub fn slowlog_reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.store.slowlog.reset();
    ctx.out.ok();
    Ok(())
}

pub fn slowlog_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`): what COMMAND INFO and COMMAND DOCS report, and what
// dispatch checks. Taken from Redis 7.2 as the oracle describes it (scripts/command-rows.py).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
mod rows {
    use super::*;
    use crate::cmd::table::*;

    #[rustfmt::skip]
    pub static COMMAND_SUBS: &[Command] = &[
        Command {
            name: "count",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: command_count,
            doc: Doc { summary: "Returns a count of commands.", since: "2.8.13", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "docs",
            arity: -2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output_order"],
            handler: command_docs,
            doc: Doc { summary: "Returns documentary information about one, multiple or all commands.", since: "7.0.0", group: "server", complexity: "O(N) where N is the number of commands to look up", args: &[
                    Arg { name: "command-name", kind: "string", display: Some("command-name"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getkeys",
            arity: -3,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: command_getkeys,
            doc: Doc { summary: "Extracts the key names from an arbitrary command.", since: "2.8.13", group: "server", complexity: "O(N) where N is the number of arguments to the command", args: &[
                    Arg { name: "command", kind: "string", display: Some("command"), ..Arg::DEFAULT },
                    Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getkeysandflags",
            arity: -3,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: command_getkeysandflags,
            doc: Doc { summary: "Extracts the key names and access flags for an arbitrary command.", since: "7.0.0", group: "server", complexity: "O(N) where N is the number of arguments to the command", args: &[
                    Arg { name: "command", kind: "string", display: Some("command"), ..Arg::DEFAULT },
                    Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: command_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "info",
            arity: -2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output_order"],
            handler: command_info,
            doc: Doc { summary: "Returns information about one, multiple or all commands.", since: "2.8.13", group: "server", complexity: "O(N) where N is the number of commands to look up", history: &[("7.0.0", "Allowed to be called with no argument to get info on all commands.")], args: &[
                    Arg { name: "command-name", kind: "string", display: Some("command-name"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "list",
            arity: -2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output_order"],
            handler: command_list,
            doc: Doc { summary: "Returns a list of command names.", since: "7.0.0", group: "server", complexity: "O(N) where N is the total number of commands", args: &[
                    Arg { name: "filterby", kind: "oneof", token: Some("FILTERBY"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "module-name", kind: "string", display: Some("module-name"), token: Some("MODULE"), ..Arg::DEFAULT },
                        Arg { name: "category", kind: "string", display: Some("category"), token: Some("ACLCAT"), ..Arg::DEFAULT },
                        Arg { name: "pattern", kind: "pattern", display: Some("pattern"), token: Some("PATTERN"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static CONFIG_SUBS: &[Command] = &[
        Command {
            name: "get",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: config_get,
            doc: Doc { summary: "Returns the effective values of configuration parameters.", since: "2.0.0", group: "server", complexity: "O(N) when N is the number of configuration parameters provided", history: &[("7.0.0", "Added the ability to pass multiple pattern parameters in one call")], args: &[
                    Arg { name: "parameter", kind: "string", display: Some("parameter"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: config_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "resetstat",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: config_resetstat,
            doc: Doc { summary: "Resets the server's statistics.", since: "2.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rewrite",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: config_rewrite,
            doc: Doc { summary: "Persists the effective configuration to file.", since: "2.8.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "set",
            arity: -4,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: config_set,
            doc: Doc { summary: "Sets configuration parameters in-flight.", since: "2.0.0", group: "server", complexity: "O(N) when N is the number of configuration parameters provided", history: &[("7.0.0", "Added the ability to set multiple parameters in one call.")], args: &[
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "parameter", kind: "string", display: Some("parameter"), ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static SLOWLOG_SUBS: &[Command] = &[
        Command {
            name: "get",
            arity: -2,
            flags: ADMIN | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "nondeterministic_output"],
            handler: slowlog_get,
            doc: Doc { summary: "Returns the slow log's entries.", since: "2.2.12", group: "server", complexity: "O(N) where N is the number of entries returned", history: &[("4.0.0", "Added client IP address, port and name to the reply.")], args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: slowlog_help,
            doc: Doc { summary: "Shows helpful text about the different subcommands.", since: "6.2.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "len",
            arity: 2,
            flags: ADMIN | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
            handler: slowlog_len,
            doc: Doc { summary: "Returns the number of entries in the slow log.", since: "2.2.12", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "reset",
            arity: 2,
            flags: ADMIN | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: slowlog_reset,
            doc: Doc { summary: "Clears all entries from the slow log.", since: "2.2.12", group: "server", complexity: "O(N) where N is the number of entries in the slowlog", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static LATENCY_SUBS: &[Command] = &[
        Command {
            name: "doctor",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
            handler: latency_doctor,
            doc: Doc { summary: "Returns a human-readable latency analysis report.", since: "2.8.13", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "graph",
            arity: 3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
            handler: latency_graph,
            doc: Doc { summary: "Returns a latency graph for an event.", since: "2.8.13", group: "server", complexity: "O(1)", args: &[
                    Arg { name: "event", kind: "string", display: Some("event"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: latency_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "2.8.13", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "histogram",
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
            handler: latency_histogram,
            doc: Doc { summary: "Returns the cumulative distribution of latencies of a subset or all commands.", since: "7.0.0", group: "server", complexity: "O(N) where N is the number of commands with latency information being retrieved.", args: &[
                    Arg { name: "command", kind: "string", display: Some("command"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "history",
            arity: 3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
            handler: latency_history,
            doc: Doc { summary: "Returns timestamp-latency samples for an event.", since: "2.8.13", group: "server", complexity: "O(1)", args: &[
                    Arg { name: "event", kind: "string", display: Some("event"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "latest",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
            handler: latency_latest,
            doc: Doc { summary: "Returns the latest latency samples for all events.", since: "2.8.13", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "reset",
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:agg_sum"],
            handler: latency_reset,
            doc: Doc { summary: "Resets the latency data for one or more events.", since: "2.8.13", group: "server", complexity: "O(1)", args: &[
                    Arg { name: "event", kind: "string", display: Some("event"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static OBJECT_SUBS: &[Command] = &[
        Command {
            name: "encoding",
            arity: 3,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: object_encoding,
            doc: Doc { summary: "Returns the internal encoding of an object.", since: "2.2.3", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "freq",
            arity: 3,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: object_freq,
            doc: Doc { summary: "Returns the logarithmic access frequency counter of an object.", since: "4.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["keyspace", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: object_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "6.2.0", group: "generic", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "idletime",
            arity: 3,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: object_idletime,
            doc: Doc { summary: "Returns the time since the last access to an object.", since: "2.2.3", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "refcount",
            arity: 3,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: object_refcount,
            doc: Doc { summary: "Returns the reference count of a value of a key.", since: "2.2.3", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static MEMORY_SUBS: &[Command] = &[
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: memory_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "4.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "usage",
            arity: -3,
            flags: READONLY,
            acl: &["read", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: memory_usage,
            doc: Doc { summary: "Estimates the memory usage of a key.", since: "4.0.0", group: "server", complexity: "O(N) where N is the number of samples.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("SAMPLES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "command",
            arity: -1,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output_order"],
            handler: command_root,
            doc: Doc { summary: "Returns detailed information about all commands.", since: "2.8.13", group: "server", complexity: "O(N) where N is the total number of commands", ..Doc::DEFAULT },
            subcommands: COMMAND_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "config",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for server configuration commands.", since: "2.0.0", group: "server", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: CONFIG_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "slowlog",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for slow log commands.", since: "2.2.12", group: "server", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: SLOWLOG_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "latency",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for latency diagnostics commands.", since: "2.8.13", group: "server", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: LATENCY_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "monitor",
            arity: 1,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: monitor,
            doc: Doc { summary: "Listens for all requests received by the server in real-time.", since: "1.0.0", group: "server", complexity: "", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "info",
            arity: -1,
            flags: LOADING | STALE,
            acl: &["slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            handler: info,
            doc: Doc { summary: "Returns information and statistics about the server.", since: "1.0.0", group: "server", complexity: "O(1)", history: &[("7.0.0", "Added support for taking multiple section arguments.")], args: &[
                    Arg { name: "section", kind: "string", display: Some("section"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "time",
            arity: 1,
            flags: LOADING | STALE | FAST,
            acl: &["fast"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output"],
            handler: time,
            doc: Doc { summary: "Returns the server time.", since: "2.6.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "dbsize",
            arity: 1,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:agg_sum"],
            handler: dbsize,
            doc: Doc { summary: "Returns the number of keys in the database.", since: "1.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lastsave",
            arity: 1,
            flags: LOADING | STALE | FAST,
            acl: &["admin", "fast", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output"],
            handler: lastsave,
            doc: Doc { summary: "Returns the Unix timestamp of the last successful save to disk.", since: "1.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "flushdb",
            arity: -1,
            flags: WRITE,
            acl: &["keyspace", "write", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: flushdb,
            doc: Doc { summary: "Removes all keys from the current database.", since: "1.0.0", group: "server", complexity: "O(N) where N is the number of keys in the selected database", history: &[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")], args: &[
                    Arg { name: "flush-type", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "async", kind: "pure-token", display: Some("async"), token: Some("ASYNC"), since: Some("4.0.0"), ..Arg::DEFAULT },
                        Arg { name: "sync", kind: "pure-token", display: Some("sync"), token: Some("SYNC"), since: Some("6.2.0"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "flushall",
            arity: -1,
            flags: WRITE,
            acl: &["keyspace", "write", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: flushall,
            doc: Doc { summary: "Removes all keys from all databases.", since: "1.0.0", group: "server", complexity: "O(N) where N is the total number of keys in all databases", history: &[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")], args: &[
                    Arg { name: "flush-type", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "async", kind: "pure-token", display: Some("async"), token: Some("ASYNC"), since: Some("4.0.0"), ..Arg::DEFAULT },
                        Arg { name: "sync", kind: "pure-token", display: Some("sync"), token: Some("SYNC"), since: Some("6.2.0"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "swapdb",
            arity: 3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: swapdb,
            doc: Doc { summary: "Swaps two databases.", since: "4.0.0", group: "server", complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.", args: &[
                    Arg { name: "index1", kind: "integer", display: Some("index1"), ..Arg::DEFAULT },
                    Arg { name: "index2", kind: "integer", display: Some("index2"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "shutdown",
            arity: -1,
            flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: shutdown,
            doc: Doc { summary: "Synchronously saves the database(s) to disk and shuts down the server.", since: "1.0.0", group: "server", complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", history: &[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")], args: &[
                    Arg { name: "abort-selector", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "save-selector-block", kind: "block", args: &[
                                Arg { name: "save-selector", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                                        Arg { name: "nosave", kind: "pure-token", display: Some("nosave"), token: Some("NOSAVE"), ..Arg::DEFAULT },
                                        Arg { name: "save", kind: "pure-token", display: Some("save"), token: Some("SAVE"), ..Arg::DEFAULT },
                                    ], ..Arg::DEFAULT },
                                Arg { name: "now", kind: "pure-token", display: Some("now"), token: Some("NOW"), since: Some("7.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                                Arg { name: "force", kind: "pure-token", display: Some("force"), token: Some("FORCE"), since: Some("7.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "abort", kind: "pure-token", display: Some("abort"), token: Some("ABORT"), since: Some("7.0.0"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "save",
            arity: 1,
            flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: save,
            doc: Doc { summary: "Synchronously saves the database(s) to disk.", since: "1.0.0", group: "server", complexity: "O(N) where N is the total number of keys in all databases", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "bgsave",
            arity: -1,
            flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: bgsave,
            doc: Doc { summary: "Asynchronously saves the database(s) to disk.", since: "1.0.0", group: "server", complexity: "O(1)", history: &[("3.2.2", "Added the `SCHEDULE` option.")], args: &[
                    Arg { name: "schedule", kind: "pure-token", display: Some("schedule"), token: Some("SCHEDULE"), since: Some("3.2.2"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "bgrewriteaof",
            arity: 1,
            flags: ADMIN | NOSCRIPT | NO_ASYNC_LOADING,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: bgrewriteaof,
            doc: Doc { summary: "Asynchronously rewrites the append-only file to disk.", since: "1.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "debug",
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: debug,
            doc: Doc { summary: "A container for debugging commands.", since: "1.0.0", group: "server", complexity: "Depends on subcommand.", doc_flags: &["syscmd"], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "object",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for object introspection commands.", since: "2.2.3", group: "generic", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: OBJECT_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "memory",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for memory diagnostics commands.", since: "4.0.0", group: "server", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: MEMORY_SUBS,
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
