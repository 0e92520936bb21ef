//! CLIENT LIST's buffer and memory fields, on both servers. The numbers are each server's own
//! (Redis has a 16 KB reply buffer and a reply list, sluice one buffer per batch), so this
//! checks what a user reads them for: a half-sent command shows in qbuf, queued MULTI
//! commands in multi-mem, output the client is not reading in omem and events=rw, and all
//! of it in tot-mem.

use redis_compat::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The CLIENT LIST fields of client `id`, as seen from `obs`.
fn fields(obs: &mut Conn, id: i64) -> HashMap<String, String> {
    let reply = obs
        .call(&["CLIENT", "LIST", "ID", &id.to_string()])
        .unwrap();
    let text = String::from_utf8_lossy(&reply).into_owned();
    let line = text.lines().nth(1).unwrap_or_default().to_string();
    line.split(' ')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn num(f: &HashMap<String, String>, k: &str) -> u64 {
    f.get(k)
        .unwrap_or_else(|| panic!("no {k} in {f:?}"))
        .parse()
        .unwrap()
}

fn client_id(c: &mut Conn) -> i64 {
    integer(&c.call(&["CLIENT", "ID"]).unwrap())
}

/// Polls until `ok` holds for client `id`'s fields (the server sees bytes a moment after
/// they are sent), at most 10 s.
fn until(
    obs: &mut Conn,
    id: i64,
    ok: impl Fn(&HashMap<String, String>) -> bool,
) -> HashMap<String, String> {
    let t = Instant::now();
    loop {
        let f = fields(obs, id);
        if ok(&f) || t.elapsed() > Duration::from_secs(10) {
            return f;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn client_list_shows_buffers_and_memory_like_redis() {
    for kind in [Kind::Sluice, Kind::Redis] {
        let s = Server::start(kind, &[]);
        let mut obs = s.conn();
        let oid = client_id(&mut obs);
        let f = fields(&mut obs, oid);
        assert_eq!(
            f["cmd"], "client|list",
            "{kind:?}: the running command, {f:?}"
        );

        // Half of a 100,000-byte SET: qbuf holds it, and tot-mem counts it.
        let mut c = Conn::connect(s.port).unwrap();
        let id = client_id(&mut c);
        c.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n")
            .unwrap();
        c.send_raw(&vec![b'x'; 50_000]).unwrap();
        let f = until(&mut obs, id, |f| num(f, "qbuf") >= 50_000);
        assert!(num(&f, "qbuf") >= 50_000, "{kind:?}: {f:?}");
        assert!(num(&f, "tot-mem") >= 50_000, "{kind:?}: {f:?}");
        // The rest arrives: the command runs and the buffer no longer holds it.
        c.send_raw(&vec![b'x'; 50_000]).unwrap();
        c.send_raw(b"\r\n").unwrap();
        assert_eq!(c.read_frame().unwrap(), b"+OK\r\n");
        let f = until(&mut obs, id, |f| num(f, "qbuf") == 0);
        assert_eq!(num(&f, "qbuf"), 0, "{kind:?}: {f:?}");

        // Two commands queued by MULTI.
        assert_eq!(c.call(&["MULTI"]).unwrap(), b"+OK\r\n");
        for k in ["a", "b"] {
            assert_eq!(c.call(&["SET", k, "v"]).unwrap(), b"+QUEUED\r\n");
        }
        let f = fields(&mut obs, id);
        assert_eq!(f["multi"], "2", "{kind:?}: {f:?}");
        assert!(num(&f, "multi-mem") > 0, "{kind:?}: {f:?}");
        c.call(&["DISCARD"]).unwrap();
        let f = fields(&mut obs, id);
        assert_eq!(num(&f, "multi-mem"), 0, "{kind:?}: {f:?}");

        // A client that asks for much more than its socket takes and does not read: its
        // output waits in the server (omem), which waits to write (events=rw).
        let big = "y".repeat(1 << 20);
        assert_eq!(c.call(&["SET", "big", &big]).unwrap(), b"+OK\r\n");
        let mut lazy = Conn::connect(s.port).unwrap();
        let lid = client_id(&mut lazy);
        let gets: Vec<u8> = (0..64).flat_map(|_| encode(&["GET", "big"])).collect();
        lazy.send_raw(&gets).unwrap();
        let f = until(&mut obs, lid, |f| num(f, "omem") > 0 && f["events"] == "rw");
        assert!(num(&f, "omem") > 0, "{kind:?}: {f:?}");
        assert_eq!(f["events"], "rw", "{kind:?}: {f:?}");
        assert!(num(&f, "tot-mem") >= num(&f, "omem"), "{kind:?}: {f:?}");
    }
}
