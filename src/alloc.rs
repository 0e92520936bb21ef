//! The allocator: jemalloc (set as the global allocator in `lib.rs`), its counters, and its
//! tuning at start-up.
//!
//! - `used_memory` is jemalloc's `stats.allocated`, what Redis reports under that name.
//! - Freed pages go back to the OS after ~100 ms instead of jemalloc's default 10 s: a
//!   queue's memory rises and falls with its backlog and RSS is what operators watch. With
//!   the default, a freshly filled 1,000,000-element list kept ~1.5 MB of dirty pages
//!   (12.3 vs 11.3 bytes per element); the throughput rows did not move measurably.
//! - `jemalloc-bg-thread yes` (Redis's default) runs that purging on jemalloc's background
//!   thread, off the command path, as in Redis.

/// How long freed pages stay mapped before being returned to the OS.
const DIRTY_DECAY_MS: isize = 100;

/// Applies the tuning above; `background_thread` is the `jemalloc-bg-thread` directive.
pub fn tune(background_thread: bool) {
    let ms = DIRTY_DECAY_MS;
    // New arenas take the default; the ones already in use are set one by one.
    // SAFETY: these mallctl names take an ssize_t, written once before serving.
    unsafe {
        let _ = tikv_jemalloc_ctl::raw::write(b"arenas.dirty_decay_ms\0", ms);
        let n = tikv_jemalloc_ctl::arenas::narenas::read().unwrap_or(0);
        for i in 0..n {
            let name = format!("arena.{i}.dirty_decay_ms\0");
            let _ = tikv_jemalloc_ctl::raw::write(name.as_bytes(), ms);
        }
    }
    if background_thread {
        let _ = tikv_jemalloc_ctl::background_thread::write(true);
    }
}

/// jemalloc's `stats.allocated`, `stats.active` and `stats.resident` (INFO `allocator_*`,
/// read after a fresh epoch); zeros if jemalloc can't say.
pub fn allocator_stats() -> (u64, u64, u64) {
    let _ = tikv_jemalloc_ctl::epoch::advance();
    let read = |r: tikv_jemalloc_ctl::Result<usize>| r.unwrap_or(0) as u64;
    (
        read(tikv_jemalloc_ctl::stats::allocated::read()),
        read(tikv_jemalloc_ctl::stats::active::read()),
        read(tikv_jemalloc_ctl::stats::resident::read()),
    )
}

/// The machine's memory (INFO `total_system_memory`): `MemTotal` of /proc/meminfo.
pub fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// How long the background arena keeps freed pages ([`use_background_arena`]).
const BACKGROUND_DECAY_MS: isize = 10_000;

/// Moves the calling thread's allocations to a jemalloc arena of their own (made once),
/// for background work that allocates and frees megabytes at a time (formatting a metrics
/// scrape): purging those pages afterwards then takes that arena's locks, not the ones the
/// event loop allocates under. Measured at 10,000 streams: with the scrape's text in the
/// shared arenas, single streams' snapshots taken under the store lock stalled for up to
/// 5 ms while jemalloc's background thread purged the previous scrape's pages.
pub fn use_background_arena() {
    static ARENA: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    // SAFETY: `arenas.create` returns the new arena's index (an unsigned); `thread.arena`
    // takes one. Failure leaves the thread on its arena.
    let arena = ARENA.get_or_init(|| unsafe {
        let a = tikv_jemalloc_ctl::raw::read::<u32>(b"arenas.create\0").ok()?;
        // A scrape every second reuses the previous one's pages instead of faulting in tens
        // of megabytes afresh (page faults were a third of a 10,000-stream scrape's CPU);
        // when scrapes stop, the pages go back after this long.
        let name = format!("arena.{a}.dirty_decay_ms\0");
        let _ = tikv_jemalloc_ctl::raw::write(name.as_bytes(), BACKGROUND_DECAY_MS);
        Some(a)
    });
    if let Some(a) = *arena {
        unsafe {
            let _ = tikv_jemalloc_ctl::raw::write(b"thread.arena\0", a);
        }
    }
}

/// Bytes allocated (INFO `used_memory`, the maxmemory check); RSS if jemalloc can't say.
pub fn used_memory() -> u64 {
    // Counters are refreshed by advancing jemalloc's epoch (cheap: a few arenas).
    let _ = tikv_jemalloc_ctl::epoch::advance();
    tikv_jemalloc_ctl::stats::allocated::read()
        .map(|v| v as u64)
        .unwrap_or_else(|_| rss_bytes())
}

/// How often [`Gauge`] takes a full reading (an epoch advance costs ~15 µs: too much for
/// every command, which is when Redis reads its own counter).
const GAUGE_REFRESH: std::time::Duration = std::time::Duration::from_millis(50);

/// This thread's jemalloc counters of bytes allocated and freed: exact to the byte, thread
/// cache included, and read with two loads. (`stats.allocated` needs an epoch advance and
/// moves in thread-cache sized steps: freeing one small value often leaves it unchanged.)
#[derive(Clone, Copy)]
struct Counters {
    allocated: *const u64,
    deallocated: *const u64,
}

thread_local! {
    static COUNTERS: Option<Counters> = {
        // SAFETY: these mallctls return pointers to the calling thread's counters, valid for
        // the thread's lifetime; they are only dereferenced on this thread (thread_local).
        unsafe {
            let a = tikv_jemalloc_ctl::raw::read::<*mut u64>(b"thread.allocatedp\0");
            let d = tikv_jemalloc_ctl::raw::read::<*mut u64>(b"thread.deallocatedp\0");
            match (a, d) {
                (Ok(a), Ok(d)) if !a.is_null() && !d.is_null() => Some(Counters {
                    allocated: a,
                    deallocated: d,
                }),
                _ => None,
            }
        }
    };
}

/// The calling thread's net allocation (allocated minus freed, wrapping: only differences
/// matter) and an identity for the thread (its counter's address); None without jemalloc
/// stats.
pub fn thread_net() -> Option<(i64, usize)> {
    COUNTERS.with(|c| {
        c.map(|c| {
            // SAFETY: see COUNTERS; plain loads of this thread's own counters.
            let (a, d) = unsafe { (*c.allocated, *c.deallocated) };
            (a.wrapping_sub(d) as i64, c.allocated as usize)
        })
    })
}

/// `used_memory` cheap enough to check before every command under `maxmemory`. A full
/// reading is taken at most every [`GAUGE_REFRESH`]; in between, each thread that asked adds
/// its exact net allocation since that reading. Commands run on one thread by default, so
/// what they allocate or free shows at once; other threads' allocations (AOF writer,
/// rewrite) show at the next full reading.
#[derive(Debug, Default)]
pub struct Gauge {
    base: u64,
    at: Option<std::time::Instant>,
    /// Per thread seen since the full reading: identity, net at first sight, latest net.
    threads: Vec<(usize, i64, i64)>,
}

impl Gauge {
    /// Used bytes now; `now` is the caller's idea of the time (a clock it already read),
    /// used only to decide when a full reading is due.
    pub fn read(&mut self, now: std::time::Instant) -> u64 {
        let fresh = self
            .at
            .is_some_and(|t| now.saturating_duration_since(t) < GAUGE_REFRESH);
        let Some((net, id)) = thread_net().filter(|_| fresh) else {
            return self.refresh();
        };
        match self.threads.iter_mut().find(|t| t.0 == id) {
            Some(t) => t.2 = net,
            None => self.threads.push((id, net, net)),
        }
        let delta: i64 = self.threads.iter().map(|t| t.2 - t.1).sum();
        self.base.saturating_add_signed(delta)
    }

    /// Takes a full reading now.
    pub fn refresh(&mut self) -> u64 {
        self.base = used_memory();
        self.at = Some(std::time::Instant::now());
        self.threads.clear();
        if let Some((net, id)) = thread_net() {
            self.threads.push((id, net, net));
        }
        self.base
    }
}

/// jemalloc's version, for INFO `mem_allocator` (Redis prints `jemalloc-5.2.1`).
pub fn allocator_name() -> String {
    let v = tikv_jemalloc_ctl::version::read().unwrap_or("");
    // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c": the release is before the first '-'.
    format!("jemalloc-{}", v.split('-').next().unwrap_or(v))
}

/// Resident set size from /proc/self/statm.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_sees_this_threads_allocations_between_full_readings() {
        let mut g = Gauge::default();
        let t = std::time::Instant::now();
        let base = g.refresh();
        let big = vec![7u8; 1 << 20];
        let grown = g.read(t);
        assert!(
            grown >= base + (1 << 20),
            "{grown} after a 1 MiB allocation on {base}"
        );
        drop(big);
        let shrunk = g.read(t);
        assert!(shrunk + (1 << 20) <= grown, "{shrunk} after freeing it");
        // Other threads' allocations show at the next full reading, due once GAUGE_REFRESH
        // has passed. (Its value is not checked: tests on other threads allocate meanwhile.)
        let at = g.at;
        g.read(t + GAUGE_REFRESH * 2);
        assert!(g.at > at, "a full reading is taken when due");
        assert_eq!(g.threads.len(), 1);
    }

    #[test]
    fn the_allocator_is_named_as_redis_names_it() {
        let name = allocator_name();
        assert!(name.starts_with("jemalloc-5."), "{name}");
        assert!(!name.contains("-g"), "{name}");
    }
}
