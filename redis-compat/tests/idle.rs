//! A server at rest uses no CPU: before any load, and right after a burst of it. sluice's
//! event loop polls instead of sleeping while it is busy (`src/busy_poll.rs`); this holds it
//! to stopping when the load does. Both servers, under the same bound.

use redis_compat::*;
use std::time::{Duration, Instant};

/// CPU seconds the server used over `wall` of doing nothing.
fn idle_cpu(s: &Server, wall: Duration) -> f64 {
    let a = cpu_secs(s.pid());
    std::thread::sleep(wall);
    cpu_secs(s.pid()) - a
}

/// Eight clients, a request at a time each, for `wall` (and at most 100,000 requests each).
fn burst(s: &Server, wall: Duration) -> f64 {
    let a = cpu_secs(s.pid());
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let mut c = s.conn();
            std::thread::spawn(move || {
                let t = Instant::now();
                let key = format!("k{i}");
                for _ in 0..100_000 {
                    if t.elapsed() >= wall {
                        break;
                    }
                    c.call(&["SET", key.as_str(), "v"]).unwrap();
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    cpu_secs(s.pid()) - a
}

#[test]
fn a_server_at_rest_uses_no_cpu_even_right_after_load() {
    for kind in [Kind::Sluice, Kind::Redis] {
        let s = Server::start(kind, &[]);
        let before = idle_cpu(&s, Duration::from_secs(1));
        let load = burst(&s, Duration::from_secs(1));
        std::thread::sleep(Duration::from_millis(50));
        let after = idle_cpu(&s, Duration::from_secs(1));
        eprintln!("{kind:?}: {before:.2} s CPU idle, {load:.2} s under load, {after:.2} s idle");
        // A loop still polling would use most of a core: 0.5 s or more of the second.
        assert!(
            before <= 0.1 && after <= 0.1,
            "{kind:?} used {before:.2} s of CPU in 1 s at rest before load ({load:.2} s under \
             load) and {after:.2} s in 1 s at rest after it"
        );
    }
}
