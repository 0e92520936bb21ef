//! Busy polling: while the event loop is busy, it polls for a moment instead of sleeping.
//!
//! Why. With nothing to run, the event loop sleeps in `epoll_wait`, and the next client write
//! has to wake it. On a virtual machine whose idle vCPU halts at once (KVM guests with
//! `cpuidle-haltpoll` polling off, as on the machines we measure on), that wake-up is an
//! inter-processor interrupt, paid for by the *client* in system time. A server that finishes
//! each batch sooner goes idle more often, so being faster made a client on the same host
//! slower. Under redis-benchmark's XRANGE COUNT 10 (50 clients; server and client pinned to
//! a core each), sluice slept 64–123 times per 1,000 requests against redis-server's 11–27;
//! the client spent 7.1–8.4 µs of system time per request against redis-server's 6.1–6.3;
//! and throughput was 0.92–0.99 of redis-server's. An experiment that polled through every
//! idle gap took that to 0 sleeps, 6.0–6.5 µs and 1.00–1.09. With this module's bounded
//! polling: 0–12 sleeps per 1,000 requests, client 6.0–6.8 µs, and XRANGE COUNT 10 at 1.03
//! (0.95–1.06) of redis-server's over the 11 rounds of the full benchmark.
//!
//! What. When the loop is about to sleep ([`before_park`], tokio's `on_thread_park` hook) and
//! it was busy at least half of the recent time, it wakes [`spinner`] instead. That task
//! yields for up to [`SPIN_WINDOW`]: each yield makes the runtime check its sockets and
//! timers without blocking (a zero-timeout `epoll_wait`) and run whatever became ready. The
//! spin ends when input arrives ([`note_input`]) or the window passes; then the loop sleeps.
//!
//! Invariants:
//! - Only a busy loop spins: "recent" is busy and idle time summed with exponential decay
//!   (both halved whenever their sum passes [`HORIZON`]). An idle or lightly loaded server
//!   never spins, and a busy one spends at most its remaining idle time polling.
//! - One spin per idle period, at most [`SPIN_WINDOW`] long. It does not call `sched_yield`:
//!   the scheduler preempts a spinning loop for a thread woken on its CPU as it would a
//!   working one, whereas under EEVDF each `sched_yield` pushes the caller's deadline back a
//!   slice, so a loop that yielded while spinning lost its turn to every thread woken on its
//!   CPU (the fsync thread, kworkers). Measured with 10 clients XADDing under AOF everysec:
//!   p99 0.161–0.220 ms with the yield (redis-server 0.175–0.225), 0.153–0.183 without
//!   (redis-server 0.180–0.194); XRANGE throughput was the same either way.
//! - Only the single-threaded runtime (`io-threads 1`, the default) polls: the state is
//!   thread-local to its one thread, which runs both the hooks and the spinner task.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// The longest one idle period is polled through before the loop sleeps. Under load the
/// loop's idle periods are a few to a few tens of microseconds.
pub const SPIN_WINDOW: Duration = Duration::from_micros(50);

/// The busy/idle history behind the decision decays by half whenever it passes this much.
pub const HORIZON: Duration = Duration::from_millis(10);

struct State {
    /// Whether the loop is in an idle period (spinning or asleep), and since when it has
    /// been in the current period, busy or idle.
    idle: Cell<bool>,
    since: Cell<Instant>,
    /// Decayed sums of busy and idle time, in nanoseconds.
    busy_ns: Cell<u64>,
    idle_ns: Cell<u64>,
    /// This idle period already had its spin: the next park sleeps.
    spun: Cell<bool>,
    /// [`before_park`] woke the spinner, so the park that follows does not block.
    spin_starting: Cell<bool>,
    /// The spinner's signal to start, taken when it runs.
    go: Cell<bool>,
    /// The spinner, while it waits for its next idle period.
    waker: RefCell<Option<Waker>>,
}

thread_local! {
    static STATE: State = State {
        idle: Cell::new(false),
        since: Cell::new(Instant::now()),
        busy_ns: Cell::new(0),
        idle_ns: Cell::new(0),
        spun: Cell::new(false),
        spin_starting: Cell::new(false),
        go: Cell::new(false),
        waker: RefCell::new(None),
    };
}

impl State {
    /// Ends the current period at `now`, adding its length to `busy_ns` or `idle_ns`.
    fn switch(&self, now: Instant) {
        let len = now.saturating_duration_since(self.since.get()).as_nanos() as u64;
        let sum = if self.idle.get() {
            &self.idle_ns
        } else {
            &self.busy_ns
        };
        sum.set(sum.get().saturating_add(len));
        if self.busy_ns.get() + self.idle_ns.get() > HORIZON.as_nanos() as u64 {
            self.busy_ns.set(self.busy_ns.get() / 2);
            self.idle_ns.set(self.idle_ns.get() / 2);
        }
        self.idle.set(!self.idle.get());
        self.since.set(now);
    }

    fn busy_enough(&self) -> bool {
        self.busy_ns.get() >= self.idle_ns.get()
    }
}

/// tokio's `on_thread_park` hook: the loop has nothing to run. Starts an idle period, and
/// wakes the spinner instead of sleeping if the loop has been busy enough.
pub fn before_park() {
    STATE.with(|s| {
        if !s.idle.get() {
            s.switch(Instant::now());
            s.spun.set(false);
        }
        if s.spun.get() || !s.busy_enough() {
            return;
        }
        if let Some(w) = s.waker.borrow_mut().take() {
            s.spun.set(true);
            s.spin_starting.set(true);
            s.go.set(true);
            w.wake();
        }
    })
}

/// tokio's `on_thread_unpark` hook. After a real sleep, whatever woke the loop ends the idle
/// period; after the non-blocking park that starts a spin, nothing has happened yet.
pub fn after_unpark() {
    STATE.with(|s| {
        if !s.spin_starting.replace(false) && s.idle.get() {
            s.switch(Instant::now());
        }
    })
}

/// Called when a client's bytes arrive: ends the idle period (and so a spin) if there is one.
#[inline]
pub fn note_input() {
    STATE.with(|s| {
        if s.idle.get() {
            s.switch(Instant::now());
        }
    })
}

/// The task that polls through idle periods; spawn it once on the single-threaded runtime
/// whose hooks are [`before_park`] and [`after_unpark`].
pub async fn spinner() {
    loop {
        poll_fn(|cx| {
            STATE.with(|s| {
                if s.go.replace(false) {
                    return Poll::Ready(());
                }
                *s.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            })
        })
        .await;
        let start = Instant::now();
        loop {
            // Deferred behind everything runnable; the runtime polls its driver first.
            tokio::task::yield_now().await;
            if !STATE.with(|s| s.idle.get()) || start.elapsed() >= SPIN_WINDOW {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset(busy: u64, idle: u64) {
        STATE.with(|s| {
            s.idle.set(false);
            s.since.set(Instant::now());
            s.busy_ns.set(busy);
            s.idle_ns.set(idle);
            s.spun.set(false);
            s.spin_starting.set(false);
            s.go.set(false);
        })
    }

    #[test]
    fn history_decays_by_half_past_the_horizon() {
        let h = HORIZON.as_nanos() as u64;
        reset(h, 0);
        STATE.with(|s| {
            s.switch(Instant::now() + Duration::from_millis(2));
            assert!(s.idle.get());
            assert!(s.busy_ns.get() >= h / 2 + 1_000_000 && s.busy_ns.get() < h);
            assert_eq!(s.idle_ns.get(), 0);
        });
    }

    #[tokio::test(flavor = "current_thread")]
    async fn spins_only_when_busy_and_once_per_idle_period() {
        let handle = tokio::spawn(spinner());
        tokio::task::yield_now().await; // the spinner registers its waker
        let h = HORIZON.as_nanos() as u64;

        // Mostly idle: the park goes ahead.
        reset(h / 10, h / 2);
        tokio::task::yield_now().await;
        before_park();
        STATE.with(|s| {
            assert!(s.idle.get());
            assert!(!s.spin_starting.get() && !s.spun.get());
        });
        after_unpark();
        STATE.with(|s| assert!(!s.idle.get(), "a real sleep ends the idle period"));

        // Mostly busy: the spinner is woken instead, once for this idle period.
        reset(h / 2, h / 10);
        tokio::task::yield_now().await;
        before_park();
        STATE.with(|s| assert!(s.spin_starting.get() && s.spun.get()));
        after_unpark();
        STATE.with(|s| assert!(s.idle.get(), "the spin's non-blocking park is still idle"));
        // Input ends the period and the spin.
        tokio::task::yield_now().await;
        note_input();
        STATE.with(|s| assert!(!s.idle.get()));
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        STATE.with(|s| assert!(s.waker.borrow().is_some(), "spinner waits again"));

        // An idle period whose spin found nothing sleeps at its next park.
        before_park();
        STATE.with(|s| assert!(s.spin_starting.get()));
        after_unpark();
        let t = Instant::now();
        while STATE.with(|s| s.waker.borrow().is_none()) {
            tokio::task::yield_now().await;
        }
        assert!(t.elapsed() >= SPIN_WINDOW);
        before_park();
        STATE.with(|s| assert!(s.idle.get() && !s.spin_starting.get()));
        handle.abort();
    }
}
