//! maxmemory eviction, run as the same scenario against sluice and redis-server: which keys a
//! policy evicts, that memory stays at the limit, that evictions reach the AOF and keyspace
//! notifications, and that nothing evictable means OOM. Memory sizes differ between the two
//! servers, so each assertion is about proportions both must meet, not exact counts (the
//! exact replies at a one-byte limit are in `cases/16-maxmemory.redis`).

use redis_compat::*;
use std::time::{Duration, Instant};

const VALUE: usize = 1000;

fn int(reply: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(reply);
    s.trim_start_matches([':', '+'])
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not an integer reply: {s:?}"))
}

/// A numeric field of `INFO section`.
fn info_field(c: &mut Conn, section: &str, field: &str) -> u64 {
    let v = c.info_field(section, field).unwrap();
    v.parse()
        .unwrap_or_else(|_| panic!("no number for {field} in INFO {section}: {v:?}"))
}

/// Runs `cmds` pipelined; returns every reply.
fn pipeline(c: &mut Conn, cmds: &[Vec<String>]) -> Vec<Vec<u8>> {
    let mut replies = Vec::with_capacity(cmds.len());
    c.pipeline(cmds.len(), |i| cmds[i].clone(), |r| replies.push(r))
        .unwrap();
    replies
}

fn sets(prefix: &str, n: usize, extra: &[&str]) -> Vec<Vec<String>> {
    let v = "x".repeat(VALUE);
    (0..n)
        .map(|i| {
            let mut argv = vec!["SET".to_string(), format!("{prefix}{i}"), v.clone()];
            argv.extend(extra.iter().map(|s| s.to_string()));
            argv
        })
        .collect()
}

/// Which of `prefix0..prefix{n}` still exist.
fn alive(c: &mut Conn, prefix: &str, n: usize) -> Vec<bool> {
    let cmds: Vec<Vec<String>> = (0..n)
        .map(|i| vec!["EXISTS".to_string(), format!("{prefix}{i}")])
        .collect();
    pipeline(c, &cmds).iter().map(|r| int(r) == 1).collect()
}

/// Sets maxmemory to what the server uses now plus `headroom` bytes.
fn limit_above_current(c: &mut Conn, headroom: u64) -> u64 {
    let limit = info_field(c, "memory", "used_memory") + headroom;
    assert_eq!(
        c.call(&["CONFIG", "SET", "maxmemory", &limit.to_string()])
            .unwrap(),
        b"+OK\r\n"
    );
    limit
}

/// Lifts the limit so that checking what is left evicts nothing more (every command, EXISTS
/// included, evicts while memory is over the limit).
fn freeze(c: &mut Conn) {
    assert_eq!(
        c.call(&["CONFIG", "SET", "maxmemory", "0"]).unwrap(),
        b"+OK\r\n"
    );
}

fn count(v: &[bool]) -> usize {
    v.iter().filter(|&&b| b).count()
}

fn both(f: impl Fn(&Server, &str)) {
    for kind in [Kind::Sluice, Kind::Redis] {
        let s = Server::start(kind, &["--appendonly", "no"]);
        f(&s, &format!("{kind:?}"));
    }
}

#[test]
fn allkeys_lru_evicts_the_idle_keys_and_holds_the_limit() {
    both(|s, who| {
        let mut c = s.conn();
        c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])
            .unwrap();
        let n = 2000;
        pipeline(&mut c, &sets("old:", n, &[]));
        // The LRU clock counts seconds: let the old keys age past the new ones.
        std::thread::sleep(Duration::from_millis(2100));
        let limit = limit_above_current(&mut c, 1 << 20);
        let replies = pipeline(&mut c, &sets("new:", n, &[]));
        assert!(
            replies.iter().all(|r| r == b"+OK\r\n"),
            "{who}: every write is accepted"
        );
        let used = info_field(&mut c, "memory", "used_memory");
        assert!(
            used <= limit + 64 * 1024,
            "{who}: used {used} stays at the limit {limit}"
        );
        freeze(&mut c);
        let (old, new) = (alive(&mut c, "old:", n), alive(&mut c, "new:", n));
        let evicted_old = n - count(&old);
        let evicted_new = n - count(&new);
        let evicted = info_field(&mut c, "stats", "evicted_keys") as usize;
        eprintln!("eviction lru {who}: evicted {evicted} ({evicted_old} old, {evicted_new} new)");
        assert_eq!(evicted, evicted_old + evicted_new, "{who}: evicted_keys");
        assert!(evicted_old > n / 4, "{who}: the 2 MB written had to evict");
        assert!(
            evicted_new * 10 <= evicted,
            "{who}: at most a tenth of the evicted keys were recent ones"
        );
    });
}

#[test]
fn allkeys_lfu_keeps_the_frequently_read_keys() {
    both(|s, who| {
        let mut c = s.conn();
        c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"])
            .unwrap();
        // Every hit counts (no logarithmic damping), so 20 reads clearly separate the keys.
        c.call(&["CONFIG", "SET", "lfu-log-factor", "0"]).unwrap();
        let n = 1000;
        pipeline(&mut c, &sets("hot:", n, &[]));
        pipeline(&mut c, &sets("cold:", n, &[]));
        let reads: Vec<Vec<String>> = (0..20)
            .flat_map(|_| (0..n).map(|i| vec!["GET".to_string(), format!("hot:{i}")]))
            .collect();
        pipeline(&mut c, &reads);
        limit_above_current(&mut c, 512 * 1024);
        pipeline(&mut c, &sets("new:", n, &[]));
        freeze(&mut c);
        let (hot, cold) = (alive(&mut c, "hot:", n), alive(&mut c, "cold:", n));
        eprintln!(
            "eviction lfu {who}: hot alive {}, cold alive {}",
            count(&hot),
            count(&cold)
        );
        assert!(count(&cold) < n * 3 / 4, "{who}: cold keys were evicted");
        assert!(
            count(&hot) >= n * 95 / 100,
            "{who}: frequently read keys stay"
        );
    });
}

#[test]
fn volatile_ttl_evicts_the_soonest_expiry_then_refuses_writes() {
    both(|s, who| {
        let mut c = s.conn();
        c.call(&["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"])
            .unwrap();
        let n = 1000;
        pipeline(&mut c, &sets("keep:", n, &[]));
        // t:i expires in 10,000 + 10 i seconds: lower i, sooner.
        let v = "x".repeat(VALUE);
        let ttl: Vec<Vec<String>> = (0..n)
            .map(|i| {
                let ex = (10_000 + 10 * i).to_string();
                vec!["SET".into(), format!("t:{i}"), v.clone(), "EX".into(), ex]
            })
            .collect();
        pipeline(&mut c, &ttl);
        limit_above_current(&mut c, 256 * 1024);
        let limit = info_field(&mut c, "memory", "maxmemory").to_string();
        pipeline(&mut c, &sets("new:", 800, &[]));
        freeze(&mut c);
        let keep = alive(&mut c, "keep:", n);
        let t = alive(&mut c, "t:", n);
        assert_eq!(
            count(&keep),
            n,
            "{who}: keys without a TTL are never evicted"
        );
        let gone: Vec<usize> = (0..n).filter(|&i| !t[i]).collect();
        let stayed: Vec<usize> = (0..n).filter(|&i| t[i]).collect();
        assert!(gone.len() > 100, "{who}: volatile keys were evicted");
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
        eprintln!(
            "eviction ttl {who}: {} evicted, mean index evicted {:.0} vs kept {:.0}",
            gone.len(),
            mean(&gone),
            mean(&stayed)
        );
        assert!(
            mean(&gone) + 150.0 < mean(&stayed),
            "{who}: the sooner expiries went first"
        );
        // Nothing volatile left to evict: writes are refused, reads and deletes still run.
        c.call(&["CONFIG", "SET", "maxmemory", &limit]).unwrap();
        let more = pipeline(&mut c, &sets("more:", 2000, &[]));
        let oom = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n";
        assert!(
            more.iter().any(|r| r == oom),
            "{who}: OOM once nothing is evictable"
        );
        assert_eq!(count(&alive(&mut c, "keep:", n)), n, "{who}");
        assert_eq!(int(&c.call(&["DEL", "keep:0"]).unwrap()), 1, "{who}");
    });
}

#[test]
fn each_eviction_is_notified_and_reaches_the_aof() {
    for kind in [Kind::Sluice, Kind::Redis] {
        let who = format!("{kind:?}");
        let mut s = Server::start(kind, &["--appendonly", "yes", "--appendfsync", "always"]);
        let mut c = s.conn();
        c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"])
            .unwrap();
        c.call(&["CONFIG", "SET", "notify-keyspace-events", "Ee"])
            .unwrap();
        let mut sub = s.conn();
        sub.call(&["SUBSCRIBE", "__keyevent@0__:evicted"]).unwrap();
        limit_above_current(&mut c, 512 * 1024);
        pipeline(&mut c, &sets("k:", 2000, &[]));
        freeze(&mut c);
        let evicted = info_field(&mut c, "stats", "evicted_keys");
        assert!(evicted > 500, "{who}: evicted {evicted}");
        let mut notified = 0;
        sub.set_timeout(Duration::from_secs(10));
        while notified < evicted {
            let msg = sub.read_frame().unwrap();
            assert!(
                String::from_utf8_lossy(&msg).contains("__keyevent@0__:evicted"),
                "{who}"
            );
            notified += 1;
        }
        let kept = alive(&mut c, "k:", 2000);
        assert_eq!(kept.len() - count(&kept), evicted as usize, "{who}");
        // Restart without a limit: the AOF's DELs leave exactly the same keys.
        assert_eq!(s.terminate(), Some(0), "{who}: clean shutdown");
        let dir = s.dir.clone();
        std::mem::forget(s); // its directory now belongs to the restarted server
        let s2 = Server::start_in(kind, &["--appendonly", "yes"], dir);
        let mut c2 = s2.conn();
        assert_eq!(
            alive(&mut c2, "k:", 2000),
            kept,
            "{who}: restart keeps the same keys"
        );
    }
}

#[test]
fn a_lower_limit_set_at_runtime_evicts_down_to_it() {
    both(|s, who| {
        let mut c = s.conn();
        c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"])
            .unwrap();
        let before = info_field(&mut c, "memory", "used_memory");
        pipeline(&mut c, &sets("k:", 20_000, &[]));
        let filled = info_field(&mut c, "memory", "used_memory");
        // Half of what the keys take: far more than one time-limited cycle evicts, so the rest
        // must happen between commands, in the background. The polls are too few to do it:
        // each runs one cycle of at most ~0.5 ms.
        let limit = before + (filled - before) / 2;
        c.call(&["CONFIG", "SET", "maxmemory", &limit.to_string()])
            .unwrap();
        let t = Instant::now();
        let mut used = filled;
        while used > limit && t.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(500));
            used = info_field(&mut c, "memory", "used_memory");
        }
        let left = int(&c.call(&["DBSIZE"]).unwrap());
        eprintln!(
            "eviction runtime limit {who}: {left} of 20000 keys left, used {used} <= {limit}"
        );
        assert!(used <= limit, "{who}: memory came down to the new limit");
        assert!(
            (5_000..=12_000).contains(&left),
            "{who}: about half the keys stay"
        );
    });
}
