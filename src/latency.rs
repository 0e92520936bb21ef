//! The latency monitor (Redis's `latency.c`): per event class, the spikes at or over
//! `latency-monitor-threshold` ms (0: off), one sample per second kept in a ring of
//! [`TS_LEN`], plus the all-time maximum since start or LATENCY RESET; LATENCY DOCTOR's
//! report and LATENCY GRAPH's sparkline are rendered from them here, as Redis words and
//! draws them.
//!
//! Events sluice samples, with Redis's names: `command` and `fast-command` (a command's
//! run), `aof-write` with `aof-write-alone` or `aof-write-active-child` (writing the AOF
//! buffer; the latter while a rewrite or save is running), `aof-fsync-always` (the fsync done
//! inline under `appendfsync always`), `aof-rename` (installing a rewritten AOF),
//! `expire-cycle` (one active expire cycle), `eviction-cycle` and `eviction-del` (freeing
//! memory for `maxmemory`). Redis's `fork` has no counterpart: sluice snapshots without
//! forking.
//!
//! Invariants: within one second only the largest spike is kept (Redis's rule); an event
//! exists from its first sample until it is reset; events are kept in the order first seen
//! (Redis's dictionary order is arbitrary; a stable one makes DOCTOR's numbering stable).

use std::fmt::Write as _;

/// LATENCY_TS_LEN: samples kept per event.
pub const TS_LEN: usize = 160;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    /// Unix seconds (0: an empty slot).
    pub time: i64,
    /// Milliseconds.
    pub latency: u64,
}

#[derive(Debug, Clone)]
pub struct Series {
    samples: [Sample; TS_LEN],
    idx: usize,
    pub max: u64,
}

impl Series {
    /// The latest sample.
    pub fn latest(&self) -> Sample {
        self.samples[(self.idx + TS_LEN - 1) % TS_LEN]
    }

    /// The samples oldest first, without empty slots.
    pub fn history(&self) -> impl Iterator<Item = Sample> + '_ {
        (0..TS_LEN)
            .map(move |i| self.samples[(self.idx + i) % TS_LEN])
            .filter(|s| s.time != 0)
    }
}

#[derive(Debug, Default)]
pub struct LatencyMonitor {
    events: Vec<(&'static str, Series)>,
}

impl LatencyMonitor {
    /// `latencyAddSampleIfNeeded`: records `latency_ms` for `event` at `now` (unix s) if it
    /// reaches `threshold_ms` (0: monitoring off).
    pub fn add_if_needed(
        &mut self,
        threshold_ms: u64,
        event: &'static str,
        latency_ms: u64,
        now: i64,
    ) {
        if threshold_ms == 0 || latency_ms < threshold_ms {
            return;
        }
        let i = match self.events.iter().position(|(e, _)| *e == event) {
            Some(i) => i,
            None => {
                let fresh = Series {
                    samples: [Sample::default(); TS_LEN],
                    idx: 0,
                    max: 0,
                };
                self.events.push((event, fresh));
                self.events.len() - 1
            }
        };
        let ts = &mut self.events[i].1;
        ts.max = ts.max.max(latency_ms);
        let prev = (ts.idx + TS_LEN - 1) % TS_LEN;
        if ts.samples[prev].time == now {
            ts.samples[prev].latency = ts.samples[prev].latency.max(latency_ms);
            return;
        }
        ts.samples[ts.idx] = Sample {
            time: now,
            latency: latency_ms,
        };
        ts.idx = (ts.idx + 1) % TS_LEN;
    }

    pub fn events(&self) -> impl ExactSizeIterator<Item = (&'static str, &Series)> {
        self.events.iter().map(|(k, v)| (*k, v))
    }

    /// The event named exactly `event` (HISTORY and GRAPH look names up case-sensitively).
    pub fn get(&self, event: &[u8]) -> Option<(&'static str, &Series)> {
        self.events
            .iter()
            .find(|(k, _)| k.as_bytes() == event)
            .map(|(k, v)| (*k, v))
    }

    /// Forgets `event`, named in any case as `latencyResetEvent` compares; whether it existed.
    pub fn reset(&mut self, event: &[u8]) -> bool {
        let before = self.events.len();
        self.events
            .retain(|(k, _)| !k.as_bytes().eq_ignore_ascii_case(event));
        self.events.len() != before
    }

    /// Forgets every event; how many there were.
    pub fn reset_all(&mut self) -> usize {
        let n = self.events.len();
        self.events.clear();
        n
    }
}

/// `struct latencyStats` as `analyzeLatencyForEvent` fills it.
#[derive(Debug, Default, PartialEq, Eq)]
struct EventStats {
    samples: u64,
    avg: u64,
    /// Mean absolute deviation from `avg`.
    mad: u64,
    /// Seconds from the oldest sample to now (at least 1).
    period: i64,
}

fn analyze(ts: &Series, now: i64) -> EventStats {
    let mut st = EventStats::default();
    let samples: Vec<Sample> = ts.history().collect();
    if samples.is_empty() {
        return st;
    }
    st.samples = samples.len() as u64;
    st.avg = samples.iter().map(|s| s.latency).sum::<u64>() / st.samples;
    let oldest = samples.iter().map(|s| s.time).min().unwrap_or(now);
    st.period = (now - oldest).max(0);
    if st.period == 0 {
        st.period = 1;
    }
    st.mad = samples
        .iter()
        .map(|s| (st.avg as i64 - s.latency as i64).unsigned_abs())
        .sum::<u64>()
        / st.samples;
    st
}

/// What LATENCY DOCTOR's advice depends on besides the samples.
#[derive(Debug, Clone, Copy)]
pub struct DoctorContext {
    pub now: i64,
    pub threshold_ms: u64,
    pub slowlog_log_slower_than: i64,
    pub appendfsync_always: bool,
    pub hz: u64,
    /// The process has transparent huge pages (AnonHugePages in smaps).
    pub anon_huge_pages: bool,
}

/// The advice `createLatencyReport` can give, in the order it prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Advice {
    SlowlogEnabled,
    SlowlogTuning,
    SlowlogInspect,
    Scheduler,
    LocalDisk,
    Ssd,
    DataWriteback,
    DiskContention,
    NoAppendfsync,
    RelaxFsyncPolicy,
    WriteLoadInfo,
    Hz,
    LargeObjects,
    MassEviction,
    DisableThp,
}

/// The advice an event's spikes call for (`createLatencyReport`'s per-event rules).
fn advice_for(event: &str, cx: &DoctorContext, out: &mut Vec<Advice>) {
    use Advice::*;
    match event {
        "command" => {
            if cx.slowlog_log_slower_than < 0 {
                out.push(SlowlogEnabled);
            } else if (cx.slowlog_log_slower_than / 1000) as u64 > cx.threshold_ms {
                out.push(SlowlogTuning);
            }
            out.extend([SlowlogInspect, LargeObjects]);
        }
        "fast-command" => out.push(Scheduler),
        "aof-write-pending-fsync" => out.extend([LocalDisk, DiskContention, Ssd, DataWriteback]),
        "aof-write-active-child" => out.extend([NoAppendfsync, DataWriteback, Ssd]),
        "aof-write-alone" => out.extend([LocalDisk, DataWriteback, Ssd]),
        "aof-fsync-always" => out.push(RelaxFsyncPolicy),
        "aof-fstat" | "rdb-unlink-temp-file" => out.extend([DiskContention, LocalDisk]),
        "aof-rewrite-diff-write" | "aof-rename" => {
            out.extend([WriteLoadInfo, DataWriteback, Ssd, LocalDisk])
        }
        "expire-cycle" => out.extend([Hz, LargeObjects]),
        "eviction-del" => out.push(LargeObjects),
        "eviction-cycle" => out.push(MassEviction),
        _ => {}
    }
}

fn advice_text(a: Advice, cx: &DoctorContext, report: &mut String) {
    let line = match a {
        Advice::SlowlogEnabled => {
            let _ = writeln!(report, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.", cx.threshold_ms * 1000);
            return;
        }
        Advice::SlowlogTuning => {
            let _ = writeln!(report, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.", cx.threshold_ms * 1000);
            return;
        }
        Advice::SlowlogInspect => "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.",
        Advice::Scheduler => "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.",
        Advice::LocalDisk => "- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.",
        Advice::Ssd => "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.",
        Advice::DataWriteback => "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.",
        Advice::DiskContention => "- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).",
        Advice::NoAppendfsync => "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).",
        Advice::RelaxFsyncPolicy if cx.appendfsync_always => "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.",
        Advice::WriteLoadInfo => "- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.",
        Advice::Hz if cx.hz < 100 => "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.",
        Advice::LargeObjects => "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.",
        Advice::MassEviction => "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. ",
        Advice::DisableThp => "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.",
        // Counted as advice but not printed, as in Redis (its header still appears).
        Advice::RelaxFsyncPolicy | Advice::Hz => return,
    };
    report.push_str(line);
    report.push('\n');
}

impl LatencyMonitor {
    /// LATENCY DOCTOR (`createLatencyReport`): per event its spikes, average, mean deviation,
    /// period and worst, then the advice they call for, in Redis's words (Redis 7/8 text;
    /// Valkey rewords it).
    pub fn doctor(&self, cx: &DoctorContext) -> String {
        let mut report = String::new();
        if self.events.is_empty() && cx.threshold_ms == 0 {
            report.push_str("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n");
            return report;
        }
        let mut advice = Vec::new();
        for (n, (event, ts)) in self.events.iter().enumerate() {
            if n == 0 {
                report.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
            }
            let st = analyze(ts, cx.now);
            let _ = write!(
                report,
                "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
                n + 1,
                event,
                st.samples,
                st.avg,
                st.mad,
                st.period as f64 / st.samples as f64,
                ts.max
            );
            advice_for(event, cx, &mut advice);
            report.push('\n');
        }
        if cx.anon_huge_pages {
            advice.push(Advice::DisableThp);
        }
        if self.events.is_empty() && advice.is_empty() {
            report.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
        } else if advice.is_empty() {
            report.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
        } else {
            report.push_str("\nI have a few advices for you:\n\n");
            advice.sort_unstable();
            advice.dedup();
            for a in advice {
                advice_text(a, cx, &mut report);
            }
        }
        report
    }
}

/// Whether this process has transparent huge pages in use (`THPGetAnonHugePagesSize`), read
/// from the kernel's per-process summary; false where it cannot be read.
pub fn anon_huge_pages() -> bool {
    let Ok(text) = std::fs::read_to_string("/proc/self/smaps_rollup") else {
        return false;
    };
    text.lines()
        .filter_map(|l| l.strip_prefix("AnonHugePages:"))
        .filter_map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .any(|kb| kb > 0)
}

/// LATENCY_GRAPH_COLS: the sparkline's width before it wraps.
const GRAPH_COLS: usize = 80;
/// Rows of the sparkline; each row has three levels (`_`, `o`, `#` with `|` below).
const GRAPH_ROWS: usize = 4;

/// LATENCY GRAPH (`latencyCommandGenSparkeline`): a header with the high, low and all-time
/// high, a rule, and the samples drawn as Redis's filled ASCII sparkline with each sample's
/// age (`12s`, `3m`, `2h`, `1d`) written downwards beneath it.
pub fn graph(event: &str, ts: &Series, now: i64) -> String {
    let samples: Vec<Sample> = ts.history().collect();
    let (lo, hi) = samples.iter().fold((u64::MAX, 0), |(lo, hi), s| {
        (lo.min(s.latency), hi.max(s.latency))
    });
    let lo = if samples.is_empty() { 0 } else { lo };
    let mut out = format!(
        "{event} - high {hi} ms, low {lo} ms (all time high {} ms)\n",
        ts.max
    );
    out.push_str(&"-".repeat(GRAPH_COLS));
    out.push('\n');
    let labels: Vec<String> = samples
        .iter()
        .map(|s| {
            let elapsed = now - s.time;
            match elapsed {
                e if e < 60 => format!("{e}s"),
                e if e < 3600 => format!("{}m", e / 60),
                e if e < 86400 => format!("{}h", e / 3600),
                e => format!("{}d", e / 86400),
            }
        })
        .collect();
    let values: Vec<f64> = samples.iter().map(|s| s.latency as f64).collect();
    sparkline(&mut out, &values, &labels, lo as f64, hi as f64);
    out
}

/// `sparklineRender` with `SPARKLINE_FILL`: chunks of [`GRAPH_COLS`] samples, a blank line
/// between chunks.
fn sparkline(out: &mut String, values: &[f64], labels: &[String], min: f64, max: f64) {
    const FILL: &[u8; 3] = b"_o#";
    let steps = (FILL.len() * GRAPH_ROWS) as i64;
    let relmax = if max - min == 0.0 { 1.0 } else { max - min };
    for start in (0..values.len()).step_by(GRAPH_COLS) {
        if start != 0 {
            out.push('\n');
        }
        let end = (start + GRAPH_COLS).min(values.len());
        // The level of each sample, as Redis computes it: the scaled value truncated to an
        // integer before the division.
        let level: Vec<i64> = values[start..end]
            .iter()
            .map(|v| ((((v - min) * steps as f64) as i64) as f64 / relmax) as i64)
            .map(|s| s.clamp(0, steps - 1))
            .collect();
        for row in 0..GRAPH_ROWS {
            let below = ((GRAPH_ROWS - row - 1) * FILL.len()) as i64;
            let line: String = level
                .iter()
                .map(|&step| match step - below {
                    c if (0..3).contains(&c) => FILL[c as usize] as char,
                    c if c >= 3 => '|',
                    _ => ' ',
                })
                .collect();
            out.push_str(&line);
            out.push('\n');
        }
        // One blank line, then the labels written downwards a character per row.
        out.push_str(&" ".repeat(end - start));
        out.push('\n');
        let tallest = labels[start..end]
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0);
        for ch in 0..tallest {
            let line: String = labels[start..end]
                .iter()
                .map(|l| l.as_bytes().get(ch).map_or(' ', |&b| b as char))
                .collect();
            out.push_str(&line);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_second_the_largest_and_a_ring_of_160() {
        let mut m = LatencyMonitor::default();
        m.add_if_needed(0, "command", 500, 1);
        assert!(m.get(b"command").is_none(), "threshold 0: off");
        m.add_if_needed(10, "command", 9, 1);
        assert!(m.get(b"command").is_none());
        m.add_if_needed(10, "command", 50, 100);
        m.add_if_needed(10, "command", 20, 100);
        let (_, s) = m.get(b"command").unwrap();
        assert_eq!(
            s.latest(),
            Sample {
                time: 100,
                latency: 50
            }
        );
        m.add_if_needed(10, "command", 70, 100);
        assert_eq!(m.get(b"command").unwrap().1.latest().latency, 70);
        for t in 101..400 {
            m.add_if_needed(10, "command", 10 + (t as u64 % 7), t);
        }
        let (_, s) = m.get(b"command").unwrap();
        let h: Vec<Sample> = s.history().collect();
        assert_eq!(h.len(), TS_LEN);
        assert_eq!((h[0].time, h[TS_LEN - 1].time), (240, 399));
        assert_eq!(s.max, 70);
        assert!(m.reset(b"COMMAND"), "reset names events in any case");
        assert!(!m.reset(b"command"));
        m.add_if_needed(10, "fast-command", 10, 5);
        assert_eq!(m.reset_all(), 1);
    }

    /// Samples, LATENCY HISTORY and LATENCY GRAPH read off Valkey 9.1 at the same second
    /// (its graph is Redis's; only DOCTOR's wording differs).
    #[test]
    fn graph_draws_as_redis_does() {
        let mut m = LatencyMonitor::default();
        let history = [
            (1796325356, 120),
            (1796325358, 250),
            (1796325359, 180),
            (1796325360, 400),
            (1796325361, 100),
            (1796325363, 330),
        ];
        for (t, ms) in history {
            m.add_if_needed(100, "command", ms, t);
        }
        let (name, ts) = m.get(b"command").unwrap();
        let want = "command - high 400 ms, low 100 ms (all time high 400 ms)\n".to_string()
            + &"-".repeat(80)
            + "\n   # _\n _ | |\n |_| |\n_|||_|\n      \n187653\n0sssss\ns     \n";
        assert_eq!(graph(name, ts, 1796325366), want);
        // One sample: the level is the lowest, and labels wrap after 80 samples.
        let mut one = LatencyMonitor::default();
        one.add_if_needed(100, "command", 200, 1000);
        let (_, ts) = one.get(b"command").unwrap();
        assert!(graph("command", ts, 1000).ends_with("\n \n \n \n_\n \n0\ns\n"));
        let mut many = LatencyMonitor::default();
        for t in 0..100 {
            many.add_if_needed(1, "command", 1 + t as u64, 10_000 + t);
        }
        let g = graph("command", many.get(b"command").unwrap().1, 10_100);
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines[2].len(), 80);
        assert!(
            lines.iter().any(|l| l.is_empty()),
            "a blank line between chunks"
        );
        assert!(lines.iter().any(|l| l.len() == 20));
    }

    fn cx(threshold_ms: u64) -> DoctorContext {
        DoctorContext {
            now: 2000,
            threshold_ms,
            slowlog_log_slower_than: 10_000,
            appendfsync_always: false,
            hz: 10,
            anon_huge_pages: false,
        }
    }

    /// DOCTOR's texts as redis-server 7.0.15 prints them.
    #[test]
    fn doctor_reports_as_redis_does() {
        let mut m = LatencyMonitor::default();
        assert!(m
            .doctor(&cx(0))
            .starts_with("I'm sorry, Dave, I can't do that."));
        assert_eq!(
            m.doctor(&cx(100)),
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
        );
        m.add_if_needed(100, "command", 200, 1990);
        m.add_if_needed(100, "command", 300, 1995);
        m.add_if_needed(100, "unknown-event", 150, 1999);
        let r = m.doctor(&cx(100));
        assert!(r.starts_with("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n1. command: 2 latency spikes (average 250ms, mean deviation 50ms, period 5.00 sec). Worst all time event 300ms.\n2. unknown-event: 1 latency spikes (average 150ms, mean deviation 0ms, period 1.00 sec). Worst all time event 150ms.\n\nI have a few advices for you:\n\n- Check your Slow Log"), "{r}");
        assert!(r.contains("\n- Deleting, expiring or evicting"));
        assert!(
            !r.contains("slowlog-log-slower-than"),
            "10 ms is under the threshold"
        );
        // A slow log threshold above the monitor's, and an expire cycle under hz 10.
        m.add_if_needed(1, "expire-cycle", 5, 1999);
        let r = m.doctor(&cx(5));
        assert!(r.contains("Please use 'CONFIG SET slowlog-log-slower-than 5000'."));
        assert!(r.contains("'CONFIG SET hz 100'"));
        assert_eq!(
            r.matches("- Deleting, expiring").count(),
            1,
            "each advice once"
        );
        // Events with no advice of their own.
        let mut other = LatencyMonitor::default();
        other.add_if_needed(1, "while-blocked-cron", 5, 1999);
        assert!(other.doctor(&cx(1)).ends_with("I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"));
        // aof-fsync-always counts as advice but is only printed under `always`.
        let mut aof = LatencyMonitor::default();
        aof.add_if_needed(1, "aof-fsync-always", 5, 1999);
        assert!(aof
            .doctor(&cx(1))
            .ends_with("I have a few advices for you:\n\n"));
        let always = DoctorContext {
            appendfsync_always: true,
            ..cx(1)
        };
        assert!(aof
            .doctor(&always)
            .contains("relax the fsync policy to 'onesec'"));
    }
}

/// Per-command latency histograms (INFO `latencystats`, LATENCY HISTOGRAM): an HDR
/// histogram as Redis keeps one per command (`hdr_init(1, 1_000_000_000, 2)`), values in
/// nanoseconds, so percentiles and buckets come out as Redis prints them.
///
/// The layout is HdrHistogram's for a lowest discernible value of 1 and 2 significant
/// figures: 256 sub-buckets per bucket, bucket 0 exact, bucket `b` (from 1) covering
/// `128 << b .. 256 << b` in steps of `1 << b`; 23 buckets reach the highest value.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    counts: Box<[u64; COUNTS_LEN]>,
    total: u64,
}

/// `LATENCY_HISTOGRAM_MIN_VALUE`, `LATENCY_HISTOGRAM_MAX_VALUE` (ns).
pub const HIST_MIN: u64 = 1;
pub const HIST_MAX: u64 = 1_000_000_000;
const SUB_HALF_MAG: u32 = 7;
const SUB_HALF: u64 = 1 << SUB_HALF_MAG;
const SUB_MASK: u64 = 255;
const BUCKETS: usize = 23;
const COUNTS_LEN: usize = (BUCKETS + 1) << SUB_HALF_MAG;

fn bucket_of(v: u64) -> u32 {
    (64 - (v | SUB_MASK).leading_zeros()) - (SUB_HALF_MAG + 1)
}

fn index_of(v: u64) -> usize {
    let b = bucket_of(v);
    let sub = v >> b;
    (((b as u64 + 1) << SUB_HALF_MAG) + sub - SUB_HALF) as usize
}

/// The lowest value of counts index `i`.
fn value_at(i: usize) -> u64 {
    let mut b = (i >> SUB_HALF_MAG) as i64 - 1;
    let mut sub = (i as u64 & (SUB_HALF - 1)) + SUB_HALF;
    if b < 0 {
        sub -= SUB_HALF;
        b = 0;
    }
    sub << b
}

fn lowest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    (v >> b) << b
}

fn highest_equivalent(v: u64) -> u64 {
    let b = bucket_of(v);
    let sub = v >> b;
    let size = if sub >= 256 {
        1u64 << (b + 1)
    } else {
        1u64 << b
    };
    lowest_equivalent(v) + size - 1
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            counts: vec![0u64; COUNTS_LEN]
                .into_boxed_slice()
                .try_into()
                .expect("length"),
            total: 0,
        }
    }
}

impl LatencyHistogram {
    /// Records one command's duration (`updateCommandLatencyHistogram`: µs × 1000, kept
    /// within the histogram's range).
    pub fn record_us(&mut self, duration_us: u64) {
        let ns = duration_us.saturating_mul(1000).clamp(HIST_MIN, HIST_MAX);
        self.counts[index_of(ns)] += 1;
        self.total += 1;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// `hdr_value_at_percentile`, in ns.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        let p = p.min(100.0);
        let want = (((p / 100.0) * self.total as f64) + 0.5) as u64;
        let want = want.max(1);
        let mut seen = 0;
        let mut value = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                value = value_at(i);
                break;
            }
        }
        if p == 0.0 {
            lowest_equivalent(value)
        } else {
            highest_equivalent(value)
        }
    }

    /// Cumulative counts at `levels` fixed bounds (1024 ns and each doubling), as
    /// `(upper bound in seconds, calls at or under it)`: a Prometheus histogram's buckets.
    pub fn cumulative_levels(&self, levels: usize) -> Vec<(f64, u64)> {
        let mut out = Vec::with_capacity(levels);
        let mut idx = 0usize;
        let mut cumulative = 0u64;
        for k in 0..levels {
            let level = 1024u64 << k;
            let last = index_of(level.min(HIST_MAX));
            while idx <= last && idx < COUNTS_LEN {
                cumulative += self.counts[idx];
                idx += 1;
            }
            out.push((highest_equivalent(level) as f64 / 1e9, cumulative));
        }
        out
    }

    /// LATENCY HISTOGRAM's buckets: `(µs, cumulative calls)` at 1024 ns and each doubling
    /// (HdrHistogram's log iterator, base 2), only where the count grew (`fillCommandCDF`).
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        // HdrHistogram's log iterator: it walks the counts; a reporting level (1024 ns, then
        // each doubling) is reported at the first index whose value reaches it, with that
        // index's highest equivalent value and the cumulative count so far. Past the last
        // index (a value over 2^29 ns), the top index is reported.
        let mut out = Vec::new();
        let mut level: u64 = 1024;
        let mut idx = 0usize;
        let mut cumulative = 0u64;
        let mut previous = 0u64;
        while cumulative < self.total {
            while idx < COUNTS_LEN && value_at(idx) < lowest_equivalent(level) {
                cumulative += self.counts[idx];
                idx += 1;
            }
            let at = idx.min(COUNTS_LEN - 1);
            if idx < COUNTS_LEN {
                cumulative += self.counts[idx];
                idx += 1;
            }
            if cumulative > previous {
                out.push((highest_equivalent(value_at(at)) / 1000, cumulative));
            }
            previous = cumulative;
            level = level.saturating_mul(2);
        }
        out
    }
}

#[cfg(test)]
mod histogram_tests {
    use super::*;

    fn fmt(ns: u64) -> String {
        format!("{:.3}", ns as f64 / 1000.0)
    }

    #[test]
    fn percentiles_print_as_redis_prints_them() {
        // Values read off Valkey 9.1 (INFO latencystats) for the same durations.
        let mut h = LatencyHistogram::default();
        h.record_us(14);
        h.record_us(21);
        assert_eq!(fmt(h.value_at_percentile(0.0)), "13.952");
        assert_eq!(fmt(h.value_at_percentile(50.5)), "14.015");
        assert_eq!(fmt(h.value_at_percentile(100.0)), "21.119");
        let mut h = LatencyHistogram::default();
        h.record_us(0);
        assert_eq!(fmt(h.value_at_percentile(50.0)), "0.001");
        let mut h = LatencyHistogram::default();
        h.record_us(1);
        h.record_us(4);
        assert_eq!(fmt(h.value_at_percentile(50.0)), "1.003");
        assert_eq!(fmt(h.value_at_percentile(99.9)), "4.015");
        let mut h = LatencyHistogram::default();
        h.record_us(3129);
        assert_eq!(fmt(h.value_at_percentile(0.0)), "3112.960");
        assert_eq!(fmt(h.value_at_percentile(100.0)), "3129.343");
    }

    #[test]
    fn cdf_buckets_are_redis_bucket_labels() {
        let mut h = LatencyHistogram::default();
        h.record_us(15);
        h.record_us(30);
        assert_eq!(h.cdf(), vec![(16, 1), (33, 2)]);
        let mut h = LatencyHistogram::default();
        h.record_us(3129);
        assert_eq!(h.cdf(), vec![(4227, 1)]);
        let mut h = LatencyHistogram::default();
        h.record_us(0);
        h.record_us(1);
        h.record_us(2);
        h.record_us(3);
        h.record_us(100);
        h.record_us(100);
        assert_eq!(h.cdf(), vec![(1, 2), (2, 3), (4, 4), (132, 6)]);
        // Over 2^29 ns (and over a second, clamped): the top of the histogram, as Valkey
        // 9.1 printed DEBUG SLEEP 0, 0.6 and 1.1.
        let mut h = LatencyHistogram::default();
        h.record_us(264);
        h.record_us(603_000);
        h.record_us(1_100_000);
        assert_eq!(h.cdf(), vec![(264, 1), (1073741, 3)]);
        assert_eq!(fmt(h.value_at_percentile(50.0)), "603979.775");
        assert_eq!(fmt(h.value_at_percentile(99.0)), "1002438.655");
    }

    #[test]
    fn index_layout_round_trips() {
        for v in [
            1u64, 2, 255, 256, 257, 1000, 1023, 1024, 4000, 1_000_000, HIST_MAX,
        ] {
            let i = index_of(v);
            assert!(
                value_at(i) <= v && v <= highest_equivalent(value_at(i)),
                "{v}"
            );
            assert!(i < COUNTS_LEN);
        }
    }
}
