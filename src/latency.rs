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
