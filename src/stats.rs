//! Server statistics: what INFO `stats` and `commandstats` report, counted as commands run.

use hashbrown::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

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
    /// INFO `expired_stale_perc`: the active expire cycle's estimate of the share of keys
    /// with a TTL that are expired, a moving average over its samples as Redis keeps it.
    pub expired_stale_perc: f64,
    /// INFO `expired_time_cap_reached_count`: cycles that stopped at their bound with
    /// expired keys left.
    pub expired_time_cap_reached: u64,
    /// INFO `expire_cycle_cpu_milliseconds`: time spent in active expire cycles, in µs.
    pub expire_cycle_us: u64,
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub expired_keys: u64,
    /// Hash fields deleted by field expiry (INFO `expired_subkeys`).
    pub expired_subkeys: u64,
    pub evicted_keys: u64,
    /// Connections closed by `maxmemory-clients`.
    pub evicted_clients: u64,
    /// sluice's queue policies (INFO `# Sluice`): entries trimmed by age and by size,
    /// delayed entries held and come due, entries dead-lettered, dead letters that could
    /// not be written (the target held another type).
    pub policy_expired: u64,
    pub policy_trimmed: u64,
    pub policy_delayed: u64,
    pub policy_due: u64,
    pub policy_dead_lettered: u64,
    pub policy_dead_letter_failures: u64,
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
    pub fn finished(&mut self, full: &'static str, failed: bool, duration_us: u64, track: bool) {
        let st = self.commands.entry(full).or_default();
        st.calls += 1;
        if failed {
            st.failed += 1;
        }
        if track {
            st.record_latency(duration_us);
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
    /// INFO latencystats and LATENCY HISTOGRAM (`latency-tracking yes`), made at the
    /// command's first tracked call: 24 KiB, as Redis's per-command HDR histogram.
    pub latency: Option<Box<crate::latency::LatencyHistogram>>,
}

impl CmdStat {
    pub fn record_latency(&mut self, duration_us: u64) {
        self.latency
            .get_or_insert_with(Default::default)
            .record_us(duration_us);
    }
}
