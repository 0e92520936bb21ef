//! Configuration: a drop-in for `redis.conf` and `redis-server --directive value`.
//!
//! Every directive Redis 7.0 has is known (see `config_table.rs`), so a file written for Redis
//! loads here: directives sluice acts on (listed in [`ACTED_ON`]) take effect; the rest are
//! stored, shown by CONFIG GET, and a non-default value is logged as having no effect. A name
//! Redis does not know is rejected with Redis's own `FATAL CONFIG FILE ERROR` text.
//!
//! Values are kept as the canonical strings CONFIG GET prints (memory sizes in bytes, booleans
//! as `yes`/`no`); hot values are cached in typed fields by [`Config::refresh`].

use crate::config_table::REDIS_DIRECTIVES;
use hashbrown::HashMap;
use std::path::PathBuf;

/// Directives whose value changes what sluice does.
pub const ACTED_ON: &[&str] = &[
    "port",
    "busy-reply-threshold",
    "lua-time-limit",
    "bind",
    "protected-mode",
    "requirepass",
    "aclfile",
    "acllog-max-len",
    "acl-pubsub-default",
    "maxmemory-clients",
    "tls-port",
    "tls-cert-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    "tls-auth-clients",
    "tls-protocols",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-prefer-server-ciphers",
    "tls-session-caching",
    "tls-session-cache-size",
    "dir",
    "appendonly",
    "appendfsync",
    "appenddirname",
    "appendfilename",
    "databases",
    "maxclients",
    "timeout",
    "loglevel",
    "logfile",
    "client-output-buffer-limit",
    "notify-keyspace-events",
    "tcp-keepalive",
    "stream-node-max-bytes",
    "stream-node-max-entries",
    "stream-idmp-duration",
    "stream-idmp-maxsize",
    "list-max-listpack-size",
    "list-max-ziplist-size",
    "hash-max-listpack-entries",
    "hash-max-ziplist-entries",
    "hash-max-listpack-value",
    "hash-max-ziplist-value",
    "set-max-intset-entries",
    "set-max-listpack-entries",
    "set-max-listpack-value",
    "zset-max-listpack-entries",
    "zset-max-ziplist-entries",
    "zset-max-listpack-value",
    "zset-max-ziplist-value",
    "proto-max-bulk-len",
    "client-query-buffer-limit",
    "aof-load-truncated",
    "auto-aof-rewrite-percentage",
    "auto-aof-rewrite-min-size",
    "hz",
    "save",
    "daemonize",
    "pidfile",
    "aof-use-rdb-preamble",
    "aof-timestamp-enabled",
    "shutdown-timeout",
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "maxmemory-eviction-tenacity",
    "lazyfree-lazy-eviction",
    "lfu-log-factor",
    "lfu-decay-time",
    "enable-debug-command",
    "key-load-delay",
    "jemalloc-bg-thread",
    "aof-rewrite-incremental-fsync",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "sluice-retention-maxage",
    "sluice-retention-maxbytes",
    "sluice-retention-refs",
    "sluice-deadletter-maxdeliveries",
    "sluice-deadletter-suffix",
    "sluice-http-port",
    "sluice-http-bind",
    "sluice-http-actions",
];

/// Directives CONFIG SET refuses, as Redis does ("can't set immutable config").
const IMMUTABLE: &[&str] = &[
    "daemonize",
    "databases",
    "appenddirname",
    "io-threads",
    "io-threads-do-reads",
    "supervised",
    "pidfile",
    "logfile",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "cluster-enabled",
    "cluster-config-file",
    "cluster-port",
    // Bound once at start, as `port` in Redis 6 (CONFIG SET port re-binds in 7; the HTTP
    // listener does not).
    "sluice-http-port",
    "sluice-http-bind",
    "unixsocket",
    "unixsocketperm",
    "tcp-backlog",
    "always-show-logo",
    "set-proc-title",
    "disable-thp",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "aclfile",
    "oom-score-adj-values",
    "tls-port",
    "tls-cluster",
    "tls-replication",
    "jemalloc-bg-thread",
    "sanitize-dump-payload",
    "cluster-preferred-endpoint-type",
];

const MEMORY: &[&str] = &[
    "maxmemory",
    "client-query-buffer-limit",
    "proto-max-bulk-len",
    "auto-aof-rewrite-min-size",
    "repl-backlog-size",
    "active-defrag-ignore-bytes",
    "maxmemory-clients",
    "cluster-link-sendbuf-limit",
    "stream-node-max-bytes",
    "hll-sparse-max-bytes",
    "hash-max-listpack-value",
    "hash-max-ziplist-value",
    "zset-max-listpack-value",
    "zset-max-ziplist-value",
    "sluice-retention-maxbytes",
];

/// Integer directives' bounds, as Redis 7.0 checks them (`argument must be between MIN and
/// MAX inclusive`). Memory values and the list size (any i32) are checked elsewhere.
const BOUNDS: &[(&str, i64, i64)] = &[
    ("sluice-retention-maxage", 0, 9_223_372_036_854_775_807),
    ("sluice-http-port", 0, 65_535),
    (
        "sluice-deadletter-maxdeliveries",
        0,
        9_223_372_036_854_775_807,
    ),
    ("acllog-max-len", 0, 9_223_372_036_854_775_807),
    ("active-defrag-cycle-max", 1, 99),
    ("active-defrag-cycle-min", 1, 99),
    (
        "active-defrag-max-scan-fields",
        1,
        9_223_372_036_854_775_807,
    ),
    ("active-defrag-threshold-lower", 0, 1_000),
    ("active-defrag-threshold-upper", 0, 1_000),
    ("active-expire-effort", 1, 10),
    ("auto-aof-rewrite-percentage", 0, 2_147_483_647),
    ("busy-reply-threshold", 0, 9_223_372_036_854_775_807),
    ("cluster-announce-bus-port", 0, 65_535),
    ("cluster-announce-port", 0, 65_535),
    ("cluster-announce-tls-port", 0, 65_535),
    ("cluster-migration-barrier", 0, 2_147_483_647),
    ("cluster-node-timeout", 0, 9_223_372_036_854_775_807),
    ("cluster-replica-validity-factor", 0, 2_147_483_647),
    ("cluster-slave-validity-factor", 0, 2_147_483_647),
    ("databases", 1, 2_147_483_647),
    ("hash-max-listpack-entries", 0, 9_223_372_036_854_775_807),
    ("hash-max-ziplist-entries", 0, 9_223_372_036_854_775_807),
    ("hz", 0, 2_147_483_647),
    ("latency-monitor-threshold", 0, 9_223_372_036_854_775_807),
    ("lfu-decay-time", 0, 2_147_483_647),
    ("lfu-log-factor", 0, 2_147_483_647),
    ("list-compress-depth", 0, 2_147_483_647),
    ("lua-time-limit", 0, 9_223_372_036_854_775_807),
    ("maxclients", 1, 4_294_967_295),
    ("maxmemory-eviction-tenacity", 0, 100),
    ("maxmemory-samples", 1, 64),
    ("min-replicas-max-lag", 0, 2_147_483_647),
    ("min-replicas-to-write", 0, 2_147_483_647),
    ("min-slaves-max-lag", 0, 2_147_483_647),
    ("min-slaves-to-write", 0, 2_147_483_647),
    ("port", 0, 65_535),
    ("repl-backlog-ttl", 0, 9_223_372_036_854_775_807),
    ("repl-diskless-sync-delay", 0, 2_147_483_647),
    ("repl-diskless-sync-max-replicas", 0, 2_147_483_647),
    ("repl-ping-replica-period", 1, 2_147_483_647),
    ("repl-ping-slave-period", 1, 2_147_483_647),
    ("repl-timeout", 1, 2_147_483_647),
    ("replica-announce-port", 0, 65_535),
    ("replica-priority", 0, 2_147_483_647),
    ("set-max-intset-entries", 0, 9_223_372_036_854_775_807),
    ("set-max-listpack-entries", 0, 9_223_372_036_854_775_807),
    ("set-max-listpack-value", 0, 9_223_372_036_854_775_807),
    ("shutdown-timeout", 0, 2_147_483_647),
    ("slave-announce-port", 0, 65_535),
    ("slave-priority", 0, 2_147_483_647),
    ("slowlog-log-slower-than", -1, 9_223_372_036_854_775_807),
    ("slowlog-max-len", 0, 9_223_372_036_854_775_807),
    ("stream-idmp-duration", 1, 86_400),
    ("stream-idmp-maxsize", 1, 10_000),
    ("stream-node-max-entries", 0, 9_223_372_036_854_775_807),
    ("tcp-backlog", 0, 2_147_483_647),
    ("tcp-keepalive", 0, 2_147_483_647),
    ("timeout", 0, 2_147_483_647),
    ("tls-port", 0, 65_535),
    ("tls-session-cache-size", 0, 2_147_483_647),
    ("tls-session-cache-timeout", 0, 2_147_483_647),
    ("tracking-table-max-keys", 0, 9_223_372_036_854_775_807),
    ("zset-max-listpack-entries", 0, 9_223_372_036_854_775_807),
    ("zset-max-ziplist-entries", 0, 9_223_372_036_854_775_807),
];

const ENUMS: &[(&str, &[&str])] = &[
    ("appendfsync", &["everysec", "always", "no"]),
    (
        "loglevel",
        &["debug", "verbose", "notice", "warning", "nothing"],
    ),
    (
        "maxmemory-policy",
        &[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ],
    ),
    ("supervised", &["upstart", "systemd", "auto", "no"]),
    ("sluice-rdb-version", &["auto", "10", "11", "12"]),
    ("sluice-retention-refs", &["keepref", "delref", "acked"]),
    ("repl-diskless-load", &["disabled", "on-empty-db", "swapdb"]),
    (
        "shutdown-on-sigint",
        &["default", "save", "nosave", "now", "force"],
    ),
    (
        "shutdown-on-sigterm",
        &["default", "save", "nosave", "now", "force"],
    ),
    (
        "propagation-error-behavior",
        &["ignore", "panic", "panic-on-replicas"],
    ),
    ("acl-pubsub-default", &["allchannels", "resetchannels"]),
    ("tls-auth-clients", &["yes", "no", "optional"]),
    ("sanitize-dump-payload", &["no", "yes", "clients"]),
    (
        "cluster-preferred-endpoint-type",
        &["ip", "hostname", "unknown-endpoint"],
    ),
];

/// `appendfsync`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsyncPolicy {
    Always,
    Everysec,
    No,
}

/// One class of `client-output-buffer-limit`: hard bytes, soft bytes, soft seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct OutputLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_secs: u64,
}

/// The configuration; `values` is the source of truth, the typed fields are caches of it.
#[derive(Clone, Debug)]
pub struct Config {
    values: HashMap<&'static str, String>,
    pub port: u16,
    pub bind: Vec<String>,
    pub protected_mode: bool,
    pub requirepass: Option<Vec<u8>>,
    /// The `user` directives, each as its words (`user`, the name, the rules), in order.
    pub users: Vec<Vec<bytes::Bytes>>,
    /// `acllog-max-len`.
    pub acllog_max_len: usize,
    /// `maxmemory-clients` in bytes (a percentage resolved against `maxmemory`); 0: off.
    pub maxmemory_clients: u64,
    /// `acl-pubsub-default allchannels`: new users may use every channel.
    pub acl_pubsub_all: bool,
    pub dir: PathBuf,
    pub appendonly: bool,
    pub appendfsync: FsyncPolicy,
    pub databases: usize,
    pub maxclients: usize,
    pub timeout_secs: u64,
    pub tcp_keepalive_secs: u64,
    pub notify_flags: u32,
    pub stream_node_max_bytes: usize,
    pub stream_node_max_entries: usize,
    /// XADD IDMP: seconds an iid is remembered, iids remembered per producer (Redis 8.6).
    pub stream_idmp_duration: u64,
    pub stream_idmp_maxsize: u64,
    /// SLOWLOG: µs a command must take to be logged (negative: off), entries kept.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: usize,
    /// LATENCY: ms a command must take to be sampled (0: off).
    pub latency_monitor_threshold: u64,
    /// Per-command latency histograms kept, and the percentiles INFO latencystats shows.
    pub latency_tracking: bool,
    pub latency_tracking_percentiles: Vec<f64>,
    /// sluice's server-wide retention for streams without their own (off: no limit).
    pub default_retention: crate::types::stream::policy::Retention,
    /// sluice's server-wide dead-letter rule for groups without their own: deliveries (0:
    /// off) and the suffix naming the target (`key` + suffix).
    pub default_dead_letter_max: u64,
    pub default_dead_letter_suffix: bytes::Bytes,
    /// The dashboard may run actions that change data (`sluice-http-actions`).
    pub http_actions: bool,
    pub list_max_listpack_size: i64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub set_max_listpack_entries: usize,
    pub set_max_listpack_value: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: u64,
    pub output_limit_normal: OutputLimit,
    pub output_limit_pubsub: OutputLimit,
    /// The replica class, which MONITOR clients belong to.
    pub output_limit_replica: OutputLimit,
    pub aof_load_truncated: bool,
    pub auto_aof_rewrite_percentage: u64,
    pub auto_aof_rewrite_min_size: u64,
    pub maxmemory: u64,
    /// `hz`: how often the server's timer runs (1..=500).
    pub hz: u64,
    pub maxmemory_policy: crate::evict::Policy,
    /// maxmemory-policy is an LFU one (keys' access frequency is tracked).
    pub lfu_policy: bool,
    pub maxmemory_samples: usize,
    pub maxmemory_eviction_tenacity: u64,
    pub lazyfree_lazy_eviction: bool,
}

fn canonical(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    REDIS_DIRECTIVES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(n, _)| *n)
}

/// Redis's `memtoull`: `1k` = 1000, `1kb` = 1024, likewise m/mb/g/gb; case-insensitive.
pub fn parse_memory(s: &str) -> Option<u64> {
    let l = s.to_ascii_lowercase();
    let (num, mul) = if let Some(n) = l.strip_suffix("gb") {
        (n, 1024u64 * 1024 * 1024)
    } else if let Some(n) = l.strip_suffix("mb") {
        (n, 1024 * 1024)
    } else if let Some(n) = l.strip_suffix("kb") {
        (n, 1024)
    } else if let Some(n) = l.strip_suffix('g') {
        (n, 1000 * 1000 * 1000)
    } else if let Some(n) = l.strip_suffix('m') {
        (n, 1000 * 1000)
    } else if let Some(n) = l.strip_suffix('k') {
        (n, 1000)
    } else if let Some(n) = l.strip_suffix('b') {
        (n, 1)
    } else {
        (l.as_str(), 1)
    };
    if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mul)
}

// Keyspace notification classes (server.h NOTIFY_*).
pub const NOTIFY_KEYSPACE: u32 = 1 << 0;
pub const NOTIFY_KEYEVENT: u32 = 1 << 1;
pub const NOTIFY_GENERIC: u32 = 1 << 2;
pub const NOTIFY_STRING: u32 = 1 << 3;
pub const NOTIFY_LIST: u32 = 1 << 4;
pub const NOTIFY_SET: u32 = 1 << 5;
pub const NOTIFY_HASH: u32 = 1 << 6;
pub const NOTIFY_ZSET: u32 = 1 << 7;
pub const NOTIFY_EXPIRED: u32 = 1 << 8;
pub const NOTIFY_EVICTED: u32 = 1 << 9;
pub const NOTIFY_STREAM: u32 = 1 << 10;
pub const NOTIFY_KEY_MISS: u32 = 1 << 11;
pub const NOTIFY_LOADED: u32 = 1 << 12;
pub const NOTIFY_MODULE: u32 = 1 << 13;
pub const NOTIFY_NEW: u32 = 1 << 14;
/// Redis 8.2: a key's value replaced whole (`o`), and its type changed by it (`c`).
pub const NOTIFY_OVERWRITTEN: u32 = 1 << 15;
pub const NOTIFY_TYPE_CHANGED: u32 = 1 << 16;
/// Redis 8.8's subkey channels (hash fields): `__subkeyspace@` (`S`), `__subkeyevent@` (`T`),
/// `__subkeyspaceitem@` (`I`), `__subkeyspaceevent@` (`V`).
pub const NOTIFY_SUBKEYSPACE: u32 = 1 << 17;
pub const NOTIFY_SUBKEYEVENT: u32 = 1 << 18;
pub const NOTIFY_SUBKEYSPACEITEM: u32 = 1 << 19;
pub const NOTIFY_SUBKEYSPACEEVENT: u32 = 1 << 20;
pub const NOTIFY_SUBKEY_CHANNELS: u32 =
    NOTIFY_SUBKEYSPACE | NOTIFY_SUBKEYEVENT | NOTIFY_SUBKEYSPACEITEM | NOTIFY_SUBKEYSPACEEVENT;
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// `keyspaceEventsStringToFlags`; `None` for an unknown flag character.
pub fn notify_flags_from_str(s: &str) -> Option<u32> {
    let mut f = 0;
    for c in s.chars() {
        f |= match c {
            'A' => NOTIFY_ALL,
            'g' => NOTIFY_GENERIC,
            '$' => NOTIFY_STRING,
            'l' => NOTIFY_LIST,
            's' => NOTIFY_SET,
            'h' => NOTIFY_HASH,
            'z' => NOTIFY_ZSET,
            'x' => NOTIFY_EXPIRED,
            'e' => NOTIFY_EVICTED,
            'K' => NOTIFY_KEYSPACE,
            'E' => NOTIFY_KEYEVENT,
            't' => NOTIFY_STREAM,
            'm' => NOTIFY_KEY_MISS,
            'd' => NOTIFY_MODULE,
            'n' => NOTIFY_NEW,
            'o' => NOTIFY_OVERWRITTEN,
            'c' => NOTIFY_TYPE_CHANGED,
            'S' => NOTIFY_SUBKEYSPACE,
            'T' => NOTIFY_SUBKEYEVENT,
            'I' => NOTIFY_SUBKEYSPACEITEM,
            'V' => NOTIFY_SUBKEYSPACEEVENT,
            _ => return None,
        };
    }
    Some(f)
}

/// The flags as a string that parses back to them exactly: Redis's form, which shows `A` for
/// all classes and drops `n`, `o` and `c` (not part of `A`) beside it, with those kept.
fn notify_flags_lossless(f: u32) -> String {
    let s = notify_flags_to_string(f);
    if f & NOTIFY_ALL != NOTIFY_ALL {
        return s;
    }
    let extra: String = [
        (NOTIFY_NEW, 'n'),
        (NOTIFY_OVERWRITTEN, 'o'),
        (NOTIFY_TYPE_CHANGED, 'c'),
    ]
    .into_iter()
    .filter(|(bit, _)| f & bit != 0)
    .map(|(_, c)| c)
    .collect();
    s.replacen('A', &format!("A{extra}"), 1)
}

/// `keyspaceEventsFlagsToString`: what CONFIG GET shows.
pub fn notify_flags_to_string(f: u32) -> String {
    let mut s = String::new();
    if f & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
            (NOTIFY_OVERWRITTEN, 'o'),
            (NOTIFY_TYPE_CHANGED, 'c'),
        ] {
            if f & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [
        (NOTIFY_KEYSPACE, 'K'),
        (NOTIFY_KEYEVENT, 'E'),
        (NOTIFY_KEY_MISS, 'm'),
        (NOTIFY_SUBKEYSPACE, 'S'),
        (NOTIFY_SUBKEYEVENT, 'T'),
        (NOTIFY_SUBKEYSPACEITEM, 'I'),
        (NOTIFY_SUBKEYSPACEEVENT, 'V'),
    ] {
        if f & bit != 0 {
            s.push(c);
        }
    }
    s
}

fn parse_output_limits(current: &str, args: &[String]) -> Result<String, &'static str> {
    // Start from the current value and replace the classes named.
    let mut classes: Vec<(String, String, String, String)> = Vec::new();
    let cur: Vec<&str> = current.split_whitespace().collect();
    for c in cur.chunks(4) {
        if c.len() == 4 {
            classes.push((c[0].into(), c[1].into(), c[2].into(), c[3].into()));
        }
    }
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.");
    }
    for c in args.chunks(4) {
        let class = match c[0].to_ascii_lowercase().as_str() {
            "normal" => "normal",
            "slave" | "replica" => "slave",
            "pubsub" => "pubsub",
            _ => return Err("Invalid client class specified in buffer limit configuration."),
        };
        let hard = parse_memory(&c[1]);
        let soft = parse_memory(&c[2]);
        let secs = c[3].parse::<u64>().ok();
        let (Some(hard), Some(soft), Some(secs)) = (hard, soft, secs) else {
            return Err(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            );
        };
        for e in classes.iter_mut() {
            if e.0 == class {
                *e = (
                    class.into(),
                    hard.to_string(),
                    soft.to_string(),
                    secs.to_string(),
                );
            }
        }
    }
    Ok(classes
        .iter()
        .map(|(a, b, c, d)| format!("{a} {b} {c} {d}"))
        .collect::<Vec<_>>()
        .join(" "))
}

impl Default for Config {
    fn default() -> Self {
        let mut values = HashMap::new();
        for (n, v) in REDIS_DIRECTIVES {
            values.insert(*n, v.to_string());
        }
        let mut c = Config {
            values,
            port: 6379,
            bind: vec![],
            protected_mode: true,
            requirepass: None,
            users: Vec::new(),
            acllog_max_len: 128,
            maxmemory_clients: 0,
            acl_pubsub_all: false,
            dir: PathBuf::from("."),
            appendonly: true,
            appendfsync: FsyncPolicy::Everysec,
            databases: 16,
            maxclients: 10000,
            timeout_secs: 0,
            tcp_keepalive_secs: 300,
            notify_flags: 0,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            stream_idmp_duration: 100,
            stream_idmp_maxsize: 100,
            slowlog_log_slower_than: 10_000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            latency_tracking: true,
            latency_tracking_percentiles: vec![50.0, 99.0, 99.9],
            default_retention: Default::default(),
            default_dead_letter_max: 0,
            default_dead_letter_suffix: bytes::Bytes::from_static(b":dead"),
            http_actions: false,
            list_max_listpack_size: -2,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1 << 30,
            output_limit_normal: OutputLimit::default(),
            output_limit_pubsub: OutputLimit::default(),
            output_limit_replica: OutputLimit::default(),
            aof_load_truncated: true,
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 << 20,
            maxmemory: 0,
            hz: 10,
            maxmemory_policy: crate::evict::Policy::NoEviction,
            lfu_policy: false,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            lazyfree_lazy_eviction: false,
        };
        c.refresh();
        c
    }
}

/// Where a directive is being set from: the start-up file/arguments, or CONFIG SET.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Startup,
    ConfigSet,
}

impl Config {
    /// The `set-max-*` thresholds, as the set type takes them.
    pub fn set_limits(&self) -> crate::types::set::Limits {
        crate::types::set::Limits {
            max_intset: self.set_max_intset_entries,
            max_listpack_entries: self.set_max_listpack_entries,
            max_listpack_value: self.set_max_listpack_value,
        }
    }

    /// The `hash-max-listpack-*` thresholds.
    pub fn hash_limits(&self) -> crate::types::hash::Limits {
        crate::types::hash::Limits {
            max_entries: self.hash_max_listpack_entries,
            max_value: self.hash_max_listpack_value,
        }
    }

    /// The `zset-max-listpack-*` thresholds.
    pub fn zset_limits(&self) -> crate::types::zset::Limits {
        crate::types::zset::Limits {
            max_entries: self.zset_max_listpack_entries,
            max_value: self.zset_max_listpack_value,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    /// All directive names and values as CONFIG GET shows them, in table order.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, std::borrow::Cow<'_, str>)> {
        REDIS_DIRECTIVES.iter().map(move |(n, _)| {
            let v = self.values.get(n).map(|s| s.as_str()).unwrap_or("");
            // Stored losslessly (see `notify_flags_lossless`), shown as Redis shows it.
            let v = if *n == "notify-keyspace-events" {
                std::borrow::Cow::Owned(notify_flags_to_string(self.notify_flags))
            } else {
                std::borrow::Cow::Borrowed(v)
            };
            (*n, v)
        })
    }

    /// Sets one directive from its arguments. `Err(None)`: unknown directive (the caller words
    /// the error); `Err(Some(reason))`: Redis's reason text for a bad value.
    pub fn set(
        &mut self,
        name: &str,
        args: &[String],
        source: Source,
    ) -> Result<(), Option<String>> {
        let Some(name) = canonical(name) else {
            return Err(None);
        };
        if source == Source::ConfigSet && IMMUTABLE.contains(&name) {
            return Err(Some("can't set immutable config".into()));
        }
        let multi = matches!(
            name,
            "bind"
                | "save"
                | "client-output-buffer-limit"
                | "oom-score-adj-values"
                | "latency-tracking-info-percentiles"
        );
        // Multi-argument directives given as one quoted argument are split, as Redis 7 does.
        let split: Vec<String>;
        let args = if multi && args.len() == 1 {
            split = args[0].split_whitespace().map(String::from).collect();
            &split[..]
        } else {
            args
        };
        let value = if multi {
            args.join(" ")
        } else if args.len() == 1 {
            args[0].clone()
        } else if args.is_empty() && matches!(name, "save" | "requirepass" | "logfile") {
            String::new()
        } else {
            return Err(None);
        };
        let default = REDIS_DIRECTIVES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|d| d.1)
            .unwrap_or("");
        let value = if let Some((_, allowed)) = ENUMS.iter().find(|(n, _)| *n == name) {
            let v = value.to_ascii_lowercase();
            if !allowed.contains(&v.as_str()) {
                return Err(Some(format!(
                    "argument(s) must be one of the following: {}",
                    allowed.join(", ")
                )));
            }
            v
        } else if name == "client-output-buffer-limit" {
            let cur = self.values.get(name).cloned().unwrap_or_default();
            parse_output_limits(&cur, args).map_err(|e| Some(e.to_string()))?
        } else if name == "notify-keyspace-events" {
            let f = notify_flags_from_str(&value).ok_or_else(|| {
                Some("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
            })?;
            notify_flags_lossless(f)
        } else if name == "maxmemory-clients" && value.ends_with('%') {
            // A share of maxmemory (Redis's PERCENT_CONFIG), kept as written.
            match value[..value.len() - 1].parse::<u64>() {
                Ok(p) if p <= 100 => format!("{p}%"),
                Ok(_) => {
                    return Err(Some(
                        "percentage argument must be less or equal to 100".into(),
                    ))
                }
                Err(_) => return Err(Some("argument must be a memory or percent value".into())),
            }
        } else if name == "maxmemory-clients" && parse_memory(&value).is_none() {
            return Err(Some("argument must be a memory or percent value".into()));
        } else if MEMORY.contains(&name) {
            match parse_memory(&value) {
                Some(v) => v.to_string(),
                None => return Err(Some("argument must be a memory value".into())),
            }
        } else if default == "yes" || default == "no" {
            match value.to_ascii_lowercase().as_str() {
                "yes" => "yes".into(),
                "no" => "no".into(),
                _ => return Err(Some("argument must be 'yes' or 'no'".into())),
            }
        } else if !default.is_empty() && !multi && default.parse::<i64>().is_ok() {
            match value.parse::<i64>() {
                Ok(v) => v.to_string(),
                Err(_) => return Err(Some("argument couldn't be parsed into an integer".into())),
            }
        } else {
            value
        };
        let mut value = value;
        if let Some(&(_, min, max)) = BOUNDS.iter().find(|(n, _, _)| *n == name) {
            let int = value.parse::<i64>().unwrap_or(0);
            if !(min..=max).contains(&int) {
                return Err(Some(format!(
                    "argument must be between {min} and {max} inclusive"
                )));
            }
            // Redis keeps hz within 1..=500 (CONFIG_MIN_HZ, CONFIG_MAX_HZ), silently.
            if name == "hz" {
                value = int.clamp(1, 500).to_string();
            }
        }
        if name == "latency-tracking-info-percentiles" {
            // Redis's `setConfigLatencyTrackingInfoPercentilesOutputOption`.
            for p in value.split_whitespace() {
                let Ok(v) = p.parse::<f64>() else {
                    return Err(Some(
                        "Invalid latency-tracking-info-percentiles parameters".into(),
                    ));
                };
                if !(0.0..=100.0).contains(&v) {
                    return Err(Some(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                            .into(),
                    ));
                }
            }
        }
        if name == "sluice-deadletter-suffix" && value.is_empty() {
            // An empty suffix would make every group its own stream's dead-letter target.
            return Err(Some("argument must not be empty".into()));
        }
        if name == "dir"
            && source == Source::ConfigSet
            && std::env::set_current_dir(&value).is_err()
        {
            return Err(Some(std::io::Error::last_os_error().to_string()));
        }
        // Aliases share one value.
        let alias = match name {
            "lua-time-limit" => Some("busy-reply-threshold"),
            "busy-reply-threshold" => Some("lua-time-limit"),
            "list-max-ziplist-size" => Some("list-max-listpack-size"),
            "list-max-listpack-size" => Some("list-max-ziplist-size"),
            "hash-max-ziplist-entries" => Some("hash-max-listpack-entries"),
            "hash-max-listpack-entries" => Some("hash-max-ziplist-entries"),
            "hash-max-ziplist-value" => Some("hash-max-listpack-value"),
            "hash-max-listpack-value" => Some("hash-max-ziplist-value"),
            "zset-max-ziplist-entries" => Some("zset-max-listpack-entries"),
            "zset-max-listpack-entries" => Some("zset-max-ziplist-entries"),
            "zset-max-ziplist-value" => Some("zset-max-listpack-value"),
            "zset-max-listpack-value" => Some("zset-max-ziplist-value"),
            _ => None,
        };
        if let Some(a) = alias {
            self.values.insert(a, value.clone());
        }
        self.values.insert(name, value);
        self.refresh();
        Ok(())
    }

    /// Recomputes the typed caches from `values`.
    pub fn refresh(&mut self) {
        let g = |n: &str| self.values.get(n).cloned().unwrap_or_default();
        let gi = |n: &str| g(n).parse::<i64>().unwrap_or(0);
        self.port = gi("port") as u16;
        self.bind = g("bind").split_whitespace().map(String::from).collect();
        self.protected_mode = g("protected-mode") == "yes";
        let rp = g("requirepass");
        self.requirepass = if rp.is_empty() {
            None
        } else {
            Some(rp.into_bytes())
        };
        self.acllog_max_len = gi("acllog-max-len").max(0) as usize;
        self.acl_pubsub_all = g("acl-pubsub-default") == "allchannels";
        self.dir = PathBuf::from(g("dir"));
        self.appendonly = g("appendonly") == "yes";
        self.appendfsync = match g("appendfsync").as_str() {
            "always" => FsyncPolicy::Always,
            "no" => FsyncPolicy::No,
            _ => FsyncPolicy::Everysec,
        };
        self.databases = gi("databases").max(1) as usize;
        self.maxclients = gi("maxclients").max(1) as usize;
        self.timeout_secs = gi("timeout").max(0) as u64;
        self.tcp_keepalive_secs = gi("tcp-keepalive").max(0) as u64;
        self.notify_flags = notify_flags_from_str(&g("notify-keyspace-events")).unwrap_or(0);
        self.stream_node_max_bytes = gi("stream-node-max-bytes").max(0) as usize;
        self.stream_node_max_entries = gi("stream-node-max-entries").max(0) as usize;
        self.stream_idmp_duration = gi("stream-idmp-duration").max(1) as u64;
        self.stream_idmp_maxsize = gi("stream-idmp-maxsize").max(1) as u64;
        self.slowlog_log_slower_than = gi("slowlog-log-slower-than");
        self.slowlog_max_len = gi("slowlog-max-len").max(0) as usize;
        self.latency_monitor_threshold = gi("latency-monitor-threshold").max(0) as u64;
        self.latency_tracking = g("latency-tracking") == "yes";
        self.latency_tracking_percentiles = g("latency-tracking-info-percentiles")
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
        self.default_retention = crate::types::stream::policy::Retention {
            max_age_ms: gi("sluice-retention-maxage").max(0) as u64,
            max_bytes: gi("sluice-retention-maxbytes").max(0) as u64,
            refs: match g("sluice-retention-refs").as_str() {
                "delref" => crate::types::stream::RefPolicy::DelRef,
                "acked" => crate::types::stream::RefPolicy::Acked,
                _ => crate::types::stream::RefPolicy::KeepRef,
            },
        };
        self.default_dead_letter_max = gi("sluice-deadletter-maxdeliveries").max(0) as u64;
        self.default_dead_letter_suffix = bytes::Bytes::from(g("sluice-deadletter-suffix"));
        self.http_actions = g("sluice-http-actions") == "yes";
        self.list_max_listpack_size = gi("list-max-listpack-size");
        self.hash_max_listpack_entries = gi("hash-max-listpack-entries").max(0) as usize;
        self.hash_max_listpack_value = gi("hash-max-listpack-value").max(0) as usize;
        self.set_max_intset_entries = gi("set-max-intset-entries").max(0) as usize;
        self.set_max_listpack_entries = gi("set-max-listpack-entries").max(0) as usize;
        self.set_max_listpack_value = gi("set-max-listpack-value").max(0) as usize;
        self.zset_max_listpack_entries = gi("zset-max-listpack-entries").max(0) as usize;
        self.zset_max_listpack_value = gi("zset-max-listpack-value").max(0) as usize;
        self.proto_max_bulk_len = gi("proto-max-bulk-len");
        self.client_query_buffer_limit = gi("client-query-buffer-limit").max(0) as u64;
        let limits: Vec<String> = g("client-output-buffer-limit")
            .split_whitespace()
            .map(String::from)
            .collect();
        for c in limits.chunks(4) {
            if c.len() < 4 {
                continue;
            }
            let l = OutputLimit {
                hard: c[1].parse().unwrap_or(0),
                soft: c[2].parse().unwrap_or(0),
                soft_secs: c[3].parse().unwrap_or(0),
            };
            match c[0].as_str() {
                "normal" => self.output_limit_normal = l,
                "pubsub" => self.output_limit_pubsub = l,
                "replica" | "slave" => self.output_limit_replica = l,
                _ => {}
            }
        }
        self.aof_load_truncated = g("aof-load-truncated") == "yes";
        self.auto_aof_rewrite_percentage = gi("auto-aof-rewrite-percentage").max(0) as u64;
        self.auto_aof_rewrite_min_size = gi("auto-aof-rewrite-min-size").max(0) as u64;
        self.maxmemory = gi("maxmemory").max(0) as u64;
        let mc = g("maxmemory-clients");
        self.maxmemory_clients = match mc.strip_suffix('%') {
            Some(p) => self.maxmemory / 100 * p.parse::<u64>().unwrap_or(0),
            None => mc.parse().unwrap_or(0),
        };
        self.hz = gi("hz").clamp(1, 500) as u64;
        self.maxmemory_policy = crate::evict::Policy::parse(&g("maxmemory-policy"));
        self.lfu_policy = self.maxmemory_policy.is_lfu();
        self.maxmemory_samples = gi("maxmemory-samples").max(1) as usize;
        self.maxmemory_eviction_tenacity = gi("maxmemory-eviction-tenacity").clamp(0, 100) as u64;
        self.lazyfree_lazy_eviction = g("lazyfree-lazy-eviction") == "yes";
    }

    /// Applies config text (a redis.conf, or start-up arguments turned into lines), reporting
    /// the first error in Redis's `FATAL CONFIG FILE ERROR` format. `include` is followed.
    pub fn load_text(&mut self, text: &str, warnings: &mut Vec<String>) -> Result<(), String> {
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fatal = |reason: &str| {
                format!(
                    "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
                    crate::REDIS_VERSION,
                    i + 1,
                    trimmed,
                    reason
                )
            };
            let Some(words) = resp::parser::split_args(trimmed.as_bytes()) else {
                return Err(fatal("Unbalanced quotes in configuration line"));
            };
            if words.is_empty() {
                continue;
            }
            if words[0].eq_ignore_ascii_case(b"user") {
                // ACL users, loaded once the configuration is complete (server start).
                if words.len() < 2 {
                    return Err(fatal("Bad directive or wrong number of arguments"));
                }
                let rules: Vec<bytes::Bytes> = words.into_iter().map(bytes::Bytes::from).collect();
                if self.users.iter().any(|u| u[1] == rules[1]) {
                    return Err(fatal(
                        "Duplicate user found. A user can only be defined once in config files",
                    ));
                }
                self.users.push(rules);
                continue;
            }
            let words: Vec<String> = words
                .into_iter()
                .map(|w| String::from_utf8_lossy(&w).into_owned())
                .collect();
            let name = words[0].to_ascii_lowercase();
            if name == "include" && words.len() == 2 {
                let inc = std::fs::read_to_string(&words[1])
                    .map_err(|e| fatal(&format!("Error opening included file: {e}")))?;
                self.load_text(&inc, warnings)?;
                continue;
            }
            if matches!(name.as_str(), "rename-command" | "loadmodule") {
                warnings.push(format!(
                    "directive '{name}' is accepted but has no effect in sluice"
                ));
                continue;
            }
            match self.set(&name, &words[1..], Source::Startup) {
                Ok(()) => {}
                Err(None) => return Err(fatal("Bad directive or wrong number of arguments")),
                Err(Some(reason)) => return Err(fatal(&reason)),
            }
            if let Some(c) = canonical(&name) {
                let default = REDIS_DIRECTIVES.iter().find(|(n, _)| *n == c).map(|d| d.1);
                if !ACTED_ON.contains(&c) && default != self.get(c) {
                    warnings.push(format!(
                        "directive '{c}' is accepted but has no effect in sluice"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Turns `redis-server`-style arguments (`--port 7000 --save ""`) into config lines, as
    /// Redis's `main()` does: each `--name` starts a line, later words are quoted arguments.
    pub fn args_to_text(args: &[String]) -> String {
        let mut text = String::new();
        for a in args {
            if let Some(name) = a.strip_prefix("--") {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(name);
            } else {
                text.push(' ');
                text.push('"');
                for c in a.chars() {
                    match c {
                        '"' => text.push_str("\\\""),
                        '\\' => text.push_str("\\\\"),
                        '\n' => text.push_str("\\n"),
                        _ => text.push(c),
                    }
                }
                text.push('"');
            }
        }
        text
    }
}

/// CONFIG REWRITE: keeps the file's lines, replaces directives whose value changed, and
/// appends the non-default ones it did not have, as Redis's `rewriteConfig` does.
pub fn rewrite_text(cfg: &Config, old: &str, users: Option<&[Vec<u8>]>) -> String {
    let mut out = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    let user_lines = || {
        users
            .unwrap_or_default()
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
    };
    let mut users_written = false;
    for line in old.lines() {
        let t = line.trim();
        let name = t.split_whitespace().next().map(|w| w.to_ascii_lowercase());
        if name.as_deref() == Some("user") {
            // The users replace the first `user` line; the others go.
            if !users_written {
                out.extend(user_lines());
                users_written = true;
            }
            continue;
        }
        match name.as_deref().and_then(canonical) {
            Some(n) if !t.starts_with('#') => {
                if written.contains(&n) {
                    continue;
                }
                written.push(n);
                out.push(format!("{} {}", n, quote_value(cfg.get(n).unwrap_or(""))));
            }
            _ => out.push(line.to_string()),
        }
    }
    let mut header = false;
    for (n, default) in REDIS_DIRECTIVES {
        if written.contains(n) {
            continue;
        }
        let v = cfg.get(n).unwrap_or("");
        if v != *default {
            if !header {
                out.push("# Generated by CONFIG REWRITE".into());
                header = true;
            }
            out.push(format!("{} {}", n, quote_value(v)));
        }
    }
    if !users_written && users.is_some() {
        if !header {
            out.push("# Generated by CONFIG REWRITE".into());
        }
        out.extend(user_lines());
    }
    out.join("\n") + "\n"
}

fn quote_value(v: &str) -> String {
    if v.is_empty() {
        "\"\"".into()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("1gb"), Some(1 << 30));
        assert_eq!(parse_memory("1G"), Some(1_000_000_000));
        assert_eq!(parse_memory("100"), Some(100));
        assert_eq!(parse_memory("x"), None);
    }

    #[test]
    fn args_and_errors() {
        let mut c = Config::default();
        let mut w = vec![];
        let text =
            Config::args_to_text(&["--port".into(), "7001".into(), "--save".into(), "".into()]);
        c.load_text(&text, &mut w).unwrap();
        assert_eq!(c.port, 7001);
        assert_eq!(c.get("save"), Some(""));
        let err = c.load_text("port 1\nfoo bar\n", &mut w).unwrap_err();
        assert!(
            err.contains("at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments")
        );
        let err = c.load_text("maxclients abc", &mut w).unwrap_err();
        assert!(err.ends_with("argument couldn't be parsed into an integer"));
        c.load_text("client-output-buffer-limit pubsub 1mb 512kb 10", &mut w)
            .unwrap();
        assert_eq!(
            c.output_limit_pubsub,
            OutputLimit {
                hard: 1 << 20,
                soft: 512 << 10,
                soft_secs: 10
            }
        );
        assert_eq!(
            c.get("client-output-buffer-limit"),
            Some("normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10")
        );
    }

    #[test]
    fn notify_flags_keep_new_beside_all() {
        let f = notify_flags_from_str("KEAnm").unwrap();
        assert_eq!(notify_flags_to_string(f), "AKEm");
        assert_eq!(notify_flags_from_str(&notify_flags_lossless(f)), Some(f));
    }

    #[test]
    fn notify_flags_round_trip() {
        assert_eq!(
            notify_flags_to_string(notify_flags_from_str("KEA").unwrap()),
            "AKE"
        );
        assert_eq!(
            notify_flags_to_string(notify_flags_from_str("Ex$").unwrap()),
            "$xE"
        );
        assert!(notify_flags_from_str("Q").is_none());
    }
}
