//! `/metrics`: the Prometheus text format (0.0.4) with `oliver006/redis_exporter`'s metric
//! names and labels, so dashboards and alerts written for Redis work unchanged, plus
//! sluice's own queue metrics under `sluice_`.
//!
//! The exporter turns `INFO ALL` into metrics by field name (its `metricMapGauges` and
//! `metricMapCounters`, `# Commandstats`, `# Errorstats`, `# Latencystats`, `# Keyspace`),
//! and reads SLOWLOG, LATENCY LATEST and XINFO for the rest. Here the same INFO text is
//! mapped by the same rules ([`INFO_GAUGES`], [`INFO_COUNTERS`]), so every INFO field the
//! exporter would export is exported under its name; slow log, latency and streams come
//! from the store directly (streams in bounded steps, [`super::gather`]).

use super::gather::{Queues, StreamSnap};
use hashbrown::HashMap;
use std::fmt::Write;

/// INFO field → exporter gauge name (redis_exporter's `metricMapGauges`, Redis fields).
pub const INFO_GAUGES: &[(&str, &str)] = &[
    ("uptime_in_seconds", "uptime_in_seconds"),
    ("process_id", "process_id"),
    ("connected_clients", "connected_clients"),
    ("blocked_clients", "blocked_clients"),
    ("tracking_clients", "tracking_clients"),
    (
        "client_recent_max_output_buffer",
        "client_recent_max_output_buffer_bytes",
    ),
    (
        "client_recent_max_input_buffer",
        "client_recent_max_input_buffer_bytes",
    ),
    ("allocator_active", "allocator_active_bytes"),
    ("allocator_allocated", "allocator_allocated_bytes"),
    ("allocator_resident", "allocator_resident_bytes"),
    ("allocator_frag_ratio", "allocator_frag_ratio"),
    ("allocator_frag_bytes", "allocator_frag_bytes"),
    ("allocator_rss_ratio", "allocator_rss_ratio"),
    ("allocator_rss_bytes", "allocator_rss_bytes"),
    ("used_memory", "memory_used_bytes"),
    ("used_memory_rss", "memory_used_rss_bytes"),
    ("used_memory_peak", "memory_used_peak_bytes"),
    ("used_memory_lua", "memory_used_lua_bytes"),
    ("used_memory_overhead", "memory_used_overhead_bytes"),
    ("used_memory_startup", "memory_used_startup_bytes"),
    ("used_memory_dataset", "memory_used_dataset_bytes"),
    ("used_memory_scripts", "memory_used_scripts_bytes"),
    // The exporter reports this one only with --include-system-metrics; its own alert
    // (redis-mixin RedisOutOfMemory) divides by it, so it is always exported here.
    ("total_system_memory", "total_system_memory_bytes"),
    ("maxmemory", "memory_max_bytes"),
    ("mem_fragmentation_ratio", "mem_fragmentation_ratio"),
    ("mem_fragmentation_bytes", "mem_fragmentation_bytes"),
    ("mem_clients_slaves", "mem_clients_slaves"),
    ("mem_clients_normal", "mem_clients_normal"),
    ("expired_stale_perc", "expired_stale_percentage"),
    (
        "mem_not_counted_for_evict",
        "mem_not_counted_for_eviction_bytes",
    ),
    ("lazyfree_pending_objects", "lazyfree_pending_objects"),
    ("active_defrag_running", "active_defrag_running"),
    ("migrate_cached_sockets", "migrate_cached_sockets_total"),
    ("active_defrag_hits", "defrag_hits"),
    ("active_defrag_misses", "defrag_misses"),
    ("active_defrag_key_hits", "defrag_key_hits"),
    ("active_defrag_key_misses", "defrag_key_misses"),
    (
        "expired_time_cap_reached_count",
        "expired_time_cap_reached_total",
    ),
    ("loading", "loading_dump_file"),
    ("rdb_changes_since_last_save", "rdb_changes_since_last_save"),
    ("rdb_bgsave_in_progress", "rdb_bgsave_in_progress"),
    ("rdb_last_save_time", "rdb_last_save_timestamp_seconds"),
    ("rdb_last_bgsave_status", "rdb_last_bgsave_status"),
    ("rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"),
    (
        "rdb_current_bgsave_time_sec",
        "rdb_current_bgsave_duration_sec",
    ),
    ("rdb_last_cow_size", "rdb_last_cow_size_bytes"),
    ("aof_enabled", "aof_enabled"),
    ("aof_rewrite_in_progress", "aof_rewrite_in_progress"),
    ("aof_rewrite_scheduled", "aof_rewrite_scheduled"),
    ("aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"),
    (
        "aof_current_rewrite_time_sec",
        "aof_current_rewrite_duration_sec",
    ),
    ("aof_last_cow_size", "aof_last_cow_size_bytes"),
    ("aof_current_size", "aof_current_size_bytes"),
    ("aof_base_size", "aof_base_size_bytes"),
    ("aof_pending_rewrite", "aof_pending_rewrite"),
    ("aof_buffer_length", "aof_buffer_length"),
    ("aof_rewrite_buffer_length", "aof_rewrite_buffer_length"),
    ("aof_pending_bio_fsync", "aof_pending_bio_fsync"),
    ("aof_delayed_fsync", "aof_delayed_fsync"),
    ("aof_last_bgrewrite_status", "aof_last_bgrewrite_status"),
    ("aof_last_write_status", "aof_last_write_status"),
    ("module_fork_in_progress", "module_fork_in_progress"),
    ("module_fork_last_cow_size", "module_fork_last_cow_size"),
    ("pubsub_channels", "pubsub_channels"),
    ("pubsub_patterns", "pubsub_patterns"),
    ("latest_fork_usec", "latest_fork_usec"),
    ("connected_slaves", "connected_slaves"),
    ("repl_backlog_size", "replication_backlog_bytes"),
    ("repl_backlog_active", "repl_backlog_is_active"),
    (
        "repl_backlog_first_byte_offset",
        "repl_backlog_first_byte_offset",
    ),
    ("repl_backlog_histlen", "repl_backlog_history_bytes"),
    ("master_repl_offset", "master_repl_offset"),
    ("second_repl_offset", "second_repl_offset"),
    ("slave_expires_tracked_keys", "slave_expires_tracked_keys"),
    ("slave_priority", "slave_priority"),
    ("sync_full", "replica_resyncs_full"),
    ("sync_partial_ok", "replica_partial_resync_accepted"),
    ("sync_partial_err", "replica_partial_resync_denied"),
];

/// INFO field → exporter counter name (`metricMapCounters`).
pub const INFO_COUNTERS: &[(&str, &str)] = &[
    ("total_connections_received", "connections_received_total"),
    ("total_commands_processed", "commands_processed_total"),
    ("rejected_connections", "rejected_connections_total"),
    ("total_net_input_bytes", "net_input_bytes_total"),
    ("total_net_output_bytes", "net_output_bytes_total"),
    ("expired_keys", "expired_keys_total"),
    ("evicted_keys", "evicted_keys_total"),
    ("keyspace_hits", "keyspace_hits_total"),
    ("keyspace_misses", "keyspace_misses_total"),
    ("used_cpu_sys", "cpu_sys_seconds_total"),
    ("used_cpu_user", "cpu_user_seconds_total"),
    ("used_cpu_sys_children", "cpu_sys_children_seconds_total"),
    ("used_cpu_user_children", "cpu_user_children_seconds_total"),
];

/// One command's calls, µs, and its histogram's cumulative counts at [`HIST_LEVELS`] bounds
/// (None without a histogram).
pub type CommandLatency = (&'static str, u64, u64, Option<Vec<(f64, u64)>>);

/// What the scrape copies out of the store under one lock, besides INFO and the streams.
#[derive(Debug, Default)]
pub struct Extras {
    pub slowlog_len: usize,
    pub slowlog_last_id: Option<u64>,
    pub slowlog_last_duration_us: Option<u64>,
    /// (event, unix seconds of the latest spike, its ms).
    pub latency: Vec<(&'static str, i64, u64)>,
    pub maxmemory: u64,
    pub maxclients: u64,
    /// Per command: calls, µs, and the latency histogram's cumulative counts at
    /// [`HIST_LEVELS`] (None without a histogram).
    pub commands: Vec<CommandLatency>,
}

/// Families in the order they were first written, each with its samples together (the
/// text format wants a family's samples contiguous).
///
/// A family's text is kept in chunks of [`CHUNK`] bytes rather than one growing string: at
/// 10,000 streams a family holds megabytes, and doubling a string that size copies it again
/// and again into fresh pages; [`Families::render`] copies each byte once.
#[derive(Default)]
pub struct Families {
    order: Vec<String>,
    map: HashMap<String, Family>,
}

struct Family {
    kind: String,
    help: String,
    chunks: Vec<String>,
}

/// Bytes per chunk of a family's text.
const CHUNK: usize = 64 * 1024;

impl Families {
    /// The chunk of family `name` the next sample goes to (a new one when the last is
    /// nearly full: a sample line is far shorter than the margin, except for label values
    /// of several KB, which only spill over the capacity once).
    fn family(&mut self, name: &str, kind: &str, help: &str) -> &mut String {
        // One lookup per sample (hashbrown's fast hash: a scrape makes hundreds of
        // thousands); the family is made at its first sample.
        let order = &mut self.order;
        let fam = self.map.entry_ref(name).or_insert_with(|| {
            order.push(name.to_string());
            Family {
                kind: kind.to_string(),
                help: help.to_string(),
                chunks: Vec::new(),
            }
        });
        if fam
            .chunks
            .last()
            .is_none_or(|c| c.len() + 512 > c.capacity())
        {
            // Small families (most) start small; a family that fills a chunk gets full ones.
            let cap = if fam.chunks.is_empty() { 1024 } else { CHUNK };
            fam.chunks.push(String::with_capacity(cap));
        }
        fam.chunks.last_mut().expect("pushed")
    }

    /// One sample of family `name` (its own name, labels and value).
    pub fn sample(&mut self, name: &str, kind: &str, help: &str, labels: &[(&str, &str)], v: f64) {
        write_sample(self.family(name, kind, help), name, labels, v);
    }

    /// [`Families::sample`] with labels written once for all the samples that share them
    /// (a stream's, a group's, a consumer's: most of a large scrape).
    pub fn sample_l(&mut self, name: &str, kind: &str, help: &str, labels: &Labels, v: f64) {
        self.labelled(name, kind, help, labels, |body| write_value(body, v));
    }

    /// [`Families::sample_l`] of a duration given in ms, written in seconds (the most
    /// common non-integer value of a large scrape: every group's and consumer's idle time).
    pub fn sample_ms_l(&mut self, name: &str, kind: &str, help: &str, labels: &Labels, ms: i64) {
        self.labelled(name, kind, help, labels, |body| write_ms_as_secs(body, ms));
    }

    /// `name{labels} ` and the value `value` writes, and a newline.
    fn labelled(
        &mut self,
        name: &str,
        kind: &str,
        help: &str,
        labels: &Labels,
        value: impl FnOnce(&mut String),
    ) {
        let body = self.family(name, kind, help);
        body.push_str(name);
        body.push_str(&labels.0);
        body.push(' ');
        value(body);
        body.push('\n');
    }

    /// A sample whose name differs from its family's (`_bucket`, `_sum`, `_count`).
    fn sample_of(
        &mut self,
        family: &str,
        kind: &str,
        help: &str,
        name: &str,
        labels: &[(&str, &str)],
        v: f64,
    ) {
        write_sample(self.family(family, kind, help), name, labels, v);
    }

    /// The text in the pieces it was written in (each family's `# HELP`/`# TYPE` lines, then
    /// its chunks), for a response body that sends them without joining them.
    pub fn into_pieces(mut self) -> Vec<bytes::Bytes> {
        let mut out = Vec::with_capacity(self.order.len() * 2);
        for name in &self.order {
            let f = self
                .map
                .remove(name.as_str())
                .expect("every name has its family");
            out.push(format!("# HELP {name} {}\n# TYPE {name} {}\n", f.help, f.kind).into());
            out.extend(f.chunks.into_iter().map(bytes::Bytes::from));
        }
        out
    }

    /// The whole text as one string: the pieces [`Families::into_pieces`] sends, joined.
    #[cfg(test)]
    pub fn render(self) -> String {
        let pieces = self.into_pieces();
        String::from_utf8(pieces.concat()).expect("the text is UTF-8")
    }
}

/// A label set rendered once (`{db="db0",stream="orders"}`), escaped as the text format wants.
pub struct Labels(String);

impl Labels {
    pub fn new(labels: &[(&str, &str)]) -> Labels {
        let mut s = String::new();
        write_labels(&mut s, labels);
        Labels(s)
    }
}

/// `name{labels} value` and a newline, written straight into the family's text.
fn write_sample(body: &mut String, name: &str, labels: &[(&str, &str)], v: f64) {
    body.push_str(name);
    write_labels(body, labels);
    body.push(' ');
    write_value(body, v);
    body.push('\n');
}

fn write_labels(line: &mut String, labels: &[(&str, &str)]) {
    if labels.is_empty() {
        return;
    }
    line.push('{');
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(k);
        line.push_str("=\"");
        if !v.contains(['\\', '"', '\n']) {
            // The usual case (stream, group and command names): one copy, no escaping.
            line.push_str(v);
        } else {
            for c in v.chars() {
                match c {
                    '\\' => line.push_str("\\\\"),
                    '"' => line.push_str("\\\""),
                    '\n' => line.push_str("\\n"),
                    c => line.push(c),
                }
            }
        }
        line.push('"');
    }
    line.push('}');
}

fn write_value(out: &mut String, v: f64) {
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v.is_nan() {
        out.push_str("NaN");
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        // Most values are counts: digits written by hand, not through the formatter.
        let (neg, mut n) = (v < 0.0, v.abs() as u64);
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if neg {
            out.push('-');
        }
        out.push_str(std::str::from_utf8(&buf[i..]).expect("digits"));
    } else {
        let _ = write!(out, "{v}");
    }
}

/// `ms / 1000` as `{}` prints that f64 (`12.345`, `0.5`, `3`), without the float formatter:
/// the shortest decimal that reads back as the double nearest to ms/1000 is ms/1000 itself,
/// at most three decimals, trailing zeros dropped. (With at most 15 significant digits, any
/// other decimal as short lies further from it than half the doubles' spacing there.)
fn write_ms_as_secs(out: &mut String, ms: i64) {
    if ms.unsigned_abs() >= 1_000_000_000_000_000 {
        // 16 digits and more: the double may print shorter; leave it to the formatter.
        write_value(out, ms as f64 / 1e3);
        return;
    }
    if ms < 0 {
        out.push('-');
    }
    let ms = ms.unsigned_abs();
    write_value(out, (ms / 1000) as f64);
    let f = (ms % 1000) as u32;
    if f != 0 {
        let d = [
            b'.',
            b'0' + (f / 100) as u8,
            b'0' + (f / 10 % 10) as u8,
            b'0' + (f % 10) as u8,
        ];
        let mut n = d.len();
        while d[n - 1] == b'0' {
            n -= 1;
        }
        out.push_str(std::str::from_utf8(&d[..n]).expect("digits"));
    }
}

/// A stream ID's millisecond part, as the exporter reports IDs (`parseStreamItemId`).
fn id_ms(id: crate::types::stream::StreamId) -> f64 {
    id.ms as f64
}

/// The histogram's bucket bounds: 1024 ns and each doubling to about half a second, the
/// levels LATENCY HISTOGRAM reports at, as upper bounds in seconds.
pub const HIST_LEVELS: usize = 20;

/// INFO text → exporter metrics (`extractInfoMetrics`).
pub fn info_metrics(f: &mut Families, info: &str) {
    let mut section = "";
    let mut fields: HashMap<&str, &str> = HashMap::new();
    let mut calls: HashMap<&str, (f64, f64)> = HashMap::new();
    let mut percentiles: Vec<(&str, Vec<(f64, f64)>)> = Vec::new();
    for line in info.lines() {
        let line = line.trim();
        if let Some(s) = line.strip_prefix("# ") {
            section = s;
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        fields.insert(k, v);
        match section {
            "Commandstats" => {
                let Some(cmd) = k.strip_prefix("cmdstat_") else {
                    continue;
                };
                let kv = parse_kv(v);
                let get = |n: &str| {
                    kv.iter()
                        .find(|(a, _)| *a == n)
                        .and_then(|(_, b)| b.parse::<f64>().ok())
                };
                let (Some(c), Some(us)) = (get("calls"), get("usec")) else {
                    continue;
                };
                calls.insert(cmd, (c, us));
                let l = [("cmd", cmd)];
                f.sample(
                    "redis_commands_total",
                    "counter",
                    "Total number of calls per command",
                    &l,
                    c,
                );
                f.sample(
                    "redis_commands_duration_seconds_total",
                    "counter",
                    "Total amount of time in seconds spent per command",
                    &l,
                    us / 1e6,
                );
                if let (Some(r), Some(fl)) = (get("rejected_calls"), get("failed_calls")) {
                    f.sample(
                        "redis_commands_rejected_calls_total",
                        "counter",
                        "commands_rejected_calls_total metric",
                        &l,
                        r,
                    );
                    f.sample(
                        "redis_commands_failed_calls_total",
                        "counter",
                        "commands_failed_calls_total metric",
                        &l,
                        fl,
                    );
                }
                continue;
            }
            "Errorstats" => {
                if let (Some(e), Some(n)) = (k.strip_prefix("errorstat_"), v.strip_prefix("count="))
                {
                    if let Ok(n) = n.parse::<f64>() {
                        f.sample(
                            "redis_errors_total",
                            "counter",
                            "Total number of errors per error type",
                            &[("err", e)],
                            n,
                        );
                    }
                }
                continue;
            }
            "Latencystats" => {
                if let Some(cmd) = k.strip_prefix("latency_percentiles_usec_") {
                    let ps = parse_kv(v)
                        .into_iter()
                        .filter_map(|(p, val)| {
                            Some((p.strip_prefix('p')?.parse().ok()?, val.parse().ok()?))
                        })
                        .collect();
                    percentiles.push((cmd, ps));
                }
                continue;
            }
            "Keyspace" => {
                if k.starts_with("db") {
                    let kv = parse_kv(v);
                    let get = |n: &str| {
                        kv.iter()
                            .find(|(a, _)| *a == n)
                            .and_then(|(_, b)| b.parse::<f64>().ok())
                    };
                    let l = [("db", k)];
                    if let (Some(keys), Some(exp)) = (get("keys"), get("expires")) {
                        f.sample(
                            "redis_db_keys",
                            "gauge",
                            "Total number of keys by DB",
                            &l,
                            keys,
                        );
                        f.sample(
                            "redis_db_keys_expiring",
                            "gauge",
                            "Total number of expiring keys by DB",
                            &l,
                            exp,
                        );
                        if let Some(t) = get("avg_ttl") {
                            f.sample(
                                "redis_db_avg_ttl_seconds",
                                "gauge",
                                "Avg TTL in seconds",
                                &l,
                                t / 1000.0,
                            );
                        }
                        if let Some(s) = get("subexpiry") {
                            f.sample(
                                "redis_db_keys_with_expiring_items",
                                "gauge",
                                "db_keys_with_expiring_items metric",
                                &l,
                                s,
                            );
                        }
                    }
                }
                continue;
            }
            "Server" => match k {
                "uptime_in_seconds" => {
                    if let Ok(up) = v.parse::<f64>() {
                        let now = crate::util::now_ms() as f64 / 1000.0;
                        f.sample(
                            "redis_start_time_seconds",
                            "gauge",
                            "Start time of the Redis instance since unix epoch in seconds.",
                            &[],
                            (now - up).floor(),
                        );
                    }
                }
                "configured_hz" | "hz" => {
                    if let Ok(hz) = v.parse::<f64>() {
                        f.sample(
                            &format!("redis_{k}"),
                            "gauge",
                            &format!("{k} metric"),
                            &[],
                            hz,
                        );
                    }
                }
                _ => {}
            },
            _ => {}
        }
        let (name, counter) = if let Some((_, n)) = INFO_GAUGES.iter().find(|(i, _)| *i == k) {
            (*n, false)
        } else if let Some((_, n)) = INFO_COUNTERS.iter().find(|(i, _)| *i == k) {
            (*n, true)
        } else if k.starts_with("cluster_") {
            (k, false)
        } else {
            continue;
        };
        let val = match v {
            "ok" | "true" => 1.0,
            "err" | "fail" | "false" => 0.0,
            v => match v.parse::<f64>() {
                Ok(x) => x,
                Err(_) => continue,
            },
        };
        let (name, val) = if name == "latest_fork_usec" {
            ("latest_fork_seconds", val / 1e6)
        } else {
            (name, val)
        };
        let full = format!("redis_{name}");
        let help = format!("{name} metric");
        f.sample(
            &full,
            if counter { "counter" } else { "gauge" },
            &help,
            &[],
            val,
        );
    }
    // The exporter's latency summaries: Latencystats' percentiles with Commandstats' count
    // and sum (µs).
    for (cmd, ps) in percentiles {
        let Some(&(count, sum)) = calls.get(cmd) else {
            continue;
        };
        let (fam, help) = (
            "redis_latency_percentiles_usec",
            "A summary of latency percentile distribution per command",
        );
        for (p, v) in ps {
            // The exporter keeps the percentile as INFO names it (`p99.9` → 99.9).
            let mut q = String::new();
            write_value(&mut q, p);
            f.sample_of(
                fam,
                "summary",
                help,
                fam,
                &[("cmd", cmd), ("quantile", &q)],
                v,
            );
        }
        f.sample_of(
            fam,
            "summary",
            help,
            "redis_latency_percentiles_usec_sum",
            &[("cmd", cmd)],
            sum,
        );
        f.sample_of(
            fam,
            "summary",
            help,
            "redis_latency_percentiles_usec_count",
            &[("cmd", cmd)],
            count,
        );
    }
    let get = |n: &str| fields.get(n).copied().unwrap_or("");
    let mode = if get("redis_mode").is_empty() {
        get("server_mode")
    } else {
        get("redis_mode")
    };
    f.sample(
        "redis_instance_info",
        "gauge",
        "Information about the Redis instance",
        &[
            ("role", get("role")),
            ("redis_version", get("redis_version")),
            ("redis_build_id", get("redis_build_id")),
            ("redis_mode", mode),
            ("os", get("os")),
            ("maxmemory_policy", get("maxmemory_policy")),
            ("tcp_port", get("tcp_port")),
            ("run_id", get("run_id")),
            ("process_id", get("process_id")),
            ("master_replid", get("master_replid")),
        ],
        1.0,
    );
}

fn parse_kv(v: &str) -> Vec<(&str, &str)> {
    v.split(',').filter_map(|p| p.split_once('=')).collect()
}

/// The rest: slow log, latency spikes, config, per-command histograms (sluice's own).
pub fn extra_metrics(f: &mut Families, x: &Extras) {
    f.sample(
        "redis_config_maxmemory",
        "gauge",
        "config_maxmemory metric",
        &[],
        x.maxmemory as f64,
    );
    f.sample(
        "redis_config_maxclients",
        "gauge",
        "config_maxclients metric",
        &[],
        x.maxclients as f64,
    );
    f.sample(
        "redis_slowlog_length",
        "gauge",
        "Total slowlog",
        &[],
        x.slowlog_len as f64,
    );
    if let Some(id) = x.slowlog_last_id {
        f.sample(
            "redis_slowlog_last_id",
            "gauge",
            "Last id of slowlog",
            &[],
            id as f64,
        );
    }
    if let Some(us) = x.slowlog_last_duration_us {
        f.sample(
            "redis_last_slow_execution_duration_seconds",
            "gauge",
            "The amount of time needed for last slow execution, in seconds",
            &[],
            us as f64 / 1e6,
        );
    }
    for (event, at, ms) in &x.latency {
        let l = [("event_name", *event)];
        f.sample(
            "redis_latency_spike_last",
            "gauge",
            "When the latency spike last occurred",
            &l,
            *at as f64,
        );
        f.sample(
            "redis_latency_spike_duration_seconds",
            "gauge",
            "Length of the last latency spike in seconds",
            &l,
            *ms as f64 / 1e3,
        );
    }
    let (fam, help) = (
        "sluice_command_latency_seconds",
        "Command latency (the per-command histogram of INFO latencystats)",
    );
    for (cmd, calls, usec, buckets) in &x.commands {
        let Some(buckets) = buckets else {
            continue;
        };
        for (le, n) in buckets {
            let le = format!("{le}");
            f.sample_of(
                fam,
                "histogram",
                help,
                "sluice_command_latency_seconds_bucket",
                &[("cmd", cmd), ("le", &le)],
                *n as f64,
            );
        }
        let total = *calls;
        f.sample_of(
            fam,
            "histogram",
            help,
            "sluice_command_latency_seconds_bucket",
            &[("cmd", cmd), ("le", "+Inf")],
            total as f64,
        );
        f.sample_of(
            fam,
            "histogram",
            help,
            "sluice_command_latency_seconds_sum",
            &[("cmd", cmd)],
            *usec as f64 / 1e6,
        );
        f.sample_of(
            fam,
            "histogram",
            help,
            "sluice_command_latency_seconds_count",
            &[("cmd", cmd)],
            total as f64,
        );
    }
}

/// Streams: the exporter's `extractStreamMetrics` names (labels `db`, `stream`, `group`,
/// `consumer`), then sluice's queue metrics.
pub fn stream_metrics(f: &mut Families, q: &Queues, now_ms: i64) {
    let mut pace = crate::util::Pacer::new();
    for s in &q.streams {
        stream_one(f, s, now_ms);
        pace.tick();
    }
    f.sample(
        "sluice_scrape_steps",
        "gauge",
        "Store lock acquisitions the last scrape of the keyspace took",
        &[],
        q.steps as f64,
    );
    f.sample(
        "sluice_scrape_longest_step_seconds",
        "gauge",
        "The longest the last scrape held the store at once",
        &[],
        q.longest_step.as_secs_f64(),
    );
}

fn stream_one(f: &mut Families, s: &StreamSnap, now_ms: i64) {
    let db = format!("db{}", s.db);
    let key = String::from_utf8_lossy(&s.key);
    let l = [("db", db.as_str()), ("stream", key.as_ref())];
    let l = Labels::new(&l);
    f.sample_l(
        "redis_stream_length",
        "gauge",
        "The number of elements of the stream",
        &l,
        s.length as f64,
    );
    f.sample_l(
        "redis_stream_radix_tree_keys",
        "gauge",
        "Radix tree keys count",
        &l,
        s.radix_tree_keys as f64,
    );
    f.sample_l(
        "redis_stream_radix_tree_nodes",
        "gauge",
        "Radix tree nodes count",
        &l,
        s.radix_tree_nodes as f64,
    );
    f.sample_l(
        "redis_stream_last_generated_id",
        "gauge",
        "The epoch timestamp (ms) of the latest message on the stream",
        &l,
        id_ms(s.last_generated),
    );
    f.sample_l(
        "redis_stream_groups",
        "gauge",
        "Groups count of stream",
        &l,
        s.groups.len() as f64,
    );
    f.sample_l(
        "redis_stream_max_deleted_entry_id",
        "gauge",
        "The epoch timestamp (ms) of last message deleted from the stream",
        &l,
        id_ms(s.max_deleted),
    );
    f.sample_l(
        "redis_stream_first_entry_id",
        "gauge",
        "The epoch timestamp (ms) of the first message in the stream",
        &l,
        s.first_entry.map_or(0.0, id_ms),
    );
    f.sample_l(
        "redis_stream_last_entry_id",
        "gauge",
        "The epoch timestamp (ms) of the last message in the stream",
        &l,
        s.last_entry.map_or(0.0, id_ms),
    );
    f.sample_l(
        "redis_stream_entries_added_total",
        "counter",
        "The number of entries ever added to the stream",
        &l,
        s.entries_added as f64,
    );
    // Redis 8.6's idempotent production (the exporter's names for XINFO STREAM's fields).
    let m = &s.idmp;
    for (name, kind, help, v) in [
        (
            "redis_stream_idmp_duration_seconds",
            "gauge",
            "How long idempotent IDs are kept",
            m.duration,
        ),
        (
            "redis_stream_idmp_max_size",
            "gauge",
            "Idempotent IDs kept per producer at most",
            m.maxsize,
        ),
        (
            "redis_stream_idmp_producer_ids_tracked",
            "gauge",
            "Producers with idempotent IDs kept",
            m.pids_tracked,
        ),
        (
            "redis_stream_idmp_idempotent_ids_tracked",
            "gauge",
            "Idempotent IDs kept",
            m.iids_tracked,
        ),
        (
            "redis_stream_idmp_entries_added_total",
            "counter",
            "Entries added with an idempotent ID",
            m.iids_added,
        ),
        (
            "redis_stream_idmp_duplicates_total",
            "counter",
            "XADDs answered with an earlier entry's ID",
            m.iids_duplicates,
        ),
    ] {
        f.sample_l(name, kind, help, &l, v as f64);
    }
    f.sample_l(
        "sluice_stream_memory_bytes",
        "gauge",
        "Memory used by the stream's nodes",
        &l,
        s.memory as f64,
    );
    f.sample_l(
        "sluice_stream_delayed_entries",
        "gauge",
        "Entries held by SLUICE.DELAY until due",
        &l,
        s.delayed as f64,
    );
    if let Some(first) = s.first_entry {
        f.sample_ms_l(
            "sluice_stream_oldest_entry_age_seconds",
            "gauge",
            "Age of the stream's first entry by its ID",
            &l,
            (now_ms - first.ms as i64).max(0),
        );
    }
    for g in &s.groups {
        let name = String::from_utf8_lossy(&g.name);
        let l = [
            ("db", db.as_str()),
            ("stream", key.as_ref()),
            ("group", name.as_ref()),
        ];
        let l = Labels::new(&l);
        f.sample_l(
            "redis_stream_group_consumers",
            "gauge",
            "Consumers count of stream group",
            &l,
            g.consumers.len() as f64,
        );
        f.sample_l(
            "redis_stream_group_messages_pending",
            "gauge",
            "Pending number of messages in that stream group",
            &l,
            g.pending as f64,
        );
        f.sample_l(
            "redis_stream_group_last_delivered_id",
            "gauge",
            "The epoch timestamp (ms) of the last delivered message",
            &l,
            id_ms(g.last_delivered),
        );
        f.sample_l(
            "redis_stream_group_entries_read",
            "gauge",
            "Total number of entries read from the stream group",
            &l,
            g.entries_read.max(0) as f64,
        );
        if let Some(lag) = g.lag {
            f.sample_l(
                "redis_stream_group_lag",
                "gauge",
                "The number of messages waiting to be delivered to the stream group's consumers",
                &l,
                lag as f64,
            );
        }
        let age = g
            .oldest_pending
            .map_or(0, |id| (now_ms - id.ms as i64).max(0));
        f.sample_ms_l(
            "sluice_stream_group_oldest_pending_age_seconds",
            "gauge",
            "Age (by its ID) of the oldest entry delivered and not acknowledged; 0 when none",
            &l,
            age,
        );
        let idle = g.oldest_delivery.map_or(0, |t| (now_ms - t).max(0));
        f.sample_ms_l(
            "sluice_stream_group_oldest_pending_idle_seconds",
            "gauge",
            "Time since the longest-idle pending entry was delivered; 0 when none",
            &l,
            idle,
        );
        f.sample_l(
            "redis_stream_group_messages_nacked",
            "gauge",
            "Pending entries released by XNACK, waiting for a consumer",
            &l,
            g.nacked as f64,
        );
        f.sample_l(
            "sluice_stream_group_deliveries_total",
            "counter",
            "Deliveries since start, first and repeated",
            &l,
            g.stats.deliveries as f64,
        );
        f.sample_l(
            "sluice_stream_group_redeliveries_total",
            "counter",
            "Repeated deliveries since start (history reads, claims)",
            &l,
            g.stats.redeliveries as f64,
        );
        f.sample_l(
            "sluice_stream_group_acks_total",
            "counter",
            "Entries acknowledged since start (XACK, XACKDEL)",
            &l,
            g.stats.acks as f64,
        );
        let dead = g.dead_letter.as_ref().map_or(0, |d| d.count);
        f.sample_l(
            "sluice_stream_group_dead_lettered_total",
            "counter",
            "Entries moved to the dead-letter stream since start",
            &l,
            dead as f64,
        );
        for c in &g.consumers {
            let cn = String::from_utf8_lossy(&c.name);
            let l = [
                ("db", db.as_str()),
                ("stream", key.as_ref()),
                ("group", name.as_ref()),
                ("consumer", cn.as_ref()),
            ];
            let l = Labels::new(&l);
            f.sample_l(
                "redis_stream_group_consumer_messages_pending",
                "gauge",
                "Pending number of messages for this specific consumer",
                &l,
                c.pending as f64,
            );
            f.sample_ms_l(
                "redis_stream_group_consumer_idle_seconds",
                "gauge",
                "Consumer idle time in seconds",
                &l,
                (now_ms - c.seen_time).max(0),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_map_to_exporter_names() {
        let info = "# Server\r\nredis_version:7.2.4\r\nuptime_in_seconds:10\r\nhz:10\r\n# Clients\r\nconnected_clients:3\r\n# Persistence\r\nrdb_last_bgsave_status:ok\r\naof_last_write_status:err\r\n# Stats\r\ntotal_commands_processed:42\r\nlatest_fork_usec:2000\r\n# Commandstats\r\ncmdstat_get:calls=2,usec=10,usec_per_call=5.00,rejected_calls=0,failed_calls=1\r\n# Errorstats\r\nerrorstat_ERR:count=4\r\n# Latencystats\r\nlatency_percentiles_usec_get:p50=1.003,p99.9=4.015\r\n# Cluster\r\ncluster_enabled:0\r\n# Keyspace\r\ndb0:keys=5,expires=1,avg_ttl=2000,subexpiry=0\r\n";
        let mut f = Families::default();
        info_metrics(&mut f, info);
        let t = f.render();
        for want in [
            "redis_connected_clients 3\n",
            "redis_rdb_last_bgsave_status 1\n",
            "redis_aof_last_write_status 0\n",
            "redis_commands_processed_total 42\n",
            "redis_latest_fork_seconds 0.002\n",
            "redis_uptime_in_seconds 10\n",
            "redis_hz 10\n",
            "redis_commands_total{cmd=\"get\"} 2\n",
            "redis_commands_duration_seconds_total{cmd=\"get\"} 0.00001\n",
            "redis_commands_failed_calls_total{cmd=\"get\"} 1\n",
            "redis_errors_total{err=\"ERR\"} 4\n",
            "redis_latency_percentiles_usec{cmd=\"get\",quantile=\"50\"} 1.003\n",
            "redis_latency_percentiles_usec{cmd=\"get\",quantile=\"99.9\"} 4.015\n",
            "redis_latency_percentiles_usec_count{cmd=\"get\"} 2\n",
            "redis_cluster_enabled 0\n",
            "redis_db_keys{db=\"db0\"} 5\n",
            "redis_db_avg_ttl_seconds{db=\"db0\"} 2\n",
            "# TYPE redis_commands_processed_total counter\n",
            "# TYPE redis_latency_percentiles_usec summary\n",
        ] {
            assert!(t.contains(want), "missing {want:?} in\n{t}");
        }
        assert!(t.contains("redis_instance_info{role=\"\",redis_version=\"7.2.4\""));
    }

    #[test]
    fn seconds_from_ms_print_as_the_float_formatter_prints_them() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut cases: Vec<i64> = vec![
            0, 1, 9, 10, 100, 999, 1000, 1001, 1010, 1100, -1, -500, -1500,
        ];
        cases.extend([
            (1 << 53) - 1,
            999_999_999_999_999,
            1_000_000_000_000_000,
            i64::MAX,
            i64::MIN + 1,
        ]);
        for _ in 0..100_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            // Durations of every magnitude, from ms to centuries.
            let ms = (rng >> (rng % 60)) as i64;
            cases.extend([ms, -ms]);
        }
        for ms in cases {
            let mut got = String::new();
            write_ms_as_secs(&mut got, ms);
            let mut want = String::new();
            write_value(&mut want, ms as f64 / 1e3);
            assert_eq!(got, want, "{ms}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        let mut f = Families::default();
        f.sample("x", "gauge", "h", &[("stream", "a\"b\\c\nd")], 1.0);
        assert!(f.render().contains("x{stream=\"a\\\"b\\\\c\\nd\"} 1\n"));
    }
}
