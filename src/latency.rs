//! The latency monitor (Redis's `latency.c`): per event class (`command`, `fast-command`),
//! the spikes at or over `latency-monitor-threshold` ms (0: off), one sample per second kept
//! in a ring of [`TS_LEN`], plus the all-time maximum since start or LATENCY RESET.
//!
//! Invariants: within one second only the largest spike is kept (Redis's rule); an event
//! exists from its first sample until it is reset.

use hashbrown::HashMap;

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
    events: HashMap<&'static str, Series>,
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
        let ts = self.events.entry(event).or_insert_with(|| Series {
            samples: [Sample::default(); TS_LEN],
            idx: 0,
            max: 0,
        });
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

    pub fn events(&self) -> impl Iterator<Item = (&'static str, &Series)> {
        self.events.iter().map(|(k, v)| (*k, v))
    }

    pub fn get(&self, event: &[u8]) -> Option<&Series> {
        self.events
            .iter()
            .find(|(k, _)| k.as_bytes() == event)
            .map(|(_, v)| v)
    }

    /// Forgets `event`; whether it existed.
    pub fn reset(&mut self, event: &[u8]) -> bool {
        let Some(k) = self.events.keys().find(|k| k.as_bytes() == event).copied() else {
            return false;
        };
        self.events.remove(k).is_some()
    }

    /// Forgets every event; how many there were.
    pub fn reset_all(&mut self) -> usize {
        let n = self.events.len();
        self.events.clear();
        n
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
        let s = m.get(b"command").unwrap();
        assert_eq!(
            s.latest(),
            Sample {
                time: 100,
                latency: 50
            }
        );
        m.add_if_needed(10, "command", 70, 100);
        assert_eq!(m.get(b"command").unwrap().latest().latency, 70);
        for t in 101..400 {
            m.add_if_needed(10, "command", 10 + (t as u64 % 7), t);
        }
        let s = m.get(b"command").unwrap();
        let h: Vec<Sample> = s.history().collect();
        assert_eq!(h.len(), TS_LEN);
        assert_eq!((h[0].time, h[TS_LEN - 1].time), (240, 399));
        assert_eq!(s.max, 70);
        assert!(m.reset(b"command"));
        assert!(!m.reset(b"command"));
        m.add_if_needed(10, "fast-command", 10, 5);
        assert_eq!(m.reset_all(), 1);
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
