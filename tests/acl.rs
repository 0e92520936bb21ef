//! ACL over the wire: a worker user confined to its queues, what deleting or changing a user
//! does to its connections, the ACL file, `user` directives, and the HTTP listener's users.

mod common;

use common::*;
use std::time::Duration;

/// The issue's case: a user limited to `~queue:* +@stream` can XADD, XREADGROUP and XACK
/// there, and nothing else (a real client, redis-rs).
#[test]
fn a_stream_worker_user_can_use_its_queues_and_nothing_else() {
    let s = TestServer::start(&[]);
    let mut admin = s.raw();
    assert_eq!(
        admin.call(&["ACL", "SETUSER", "worker", "on", ">s3cret", "~queue:*", "+@stream"]),
        "+OK\r\n"
    );
    let url = format!("redis://worker:s3cret@127.0.0.1:{}/", s.port);
    let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
    let who: String = redis::cmd("ACL")
        .arg("WHOAMI")
        .query(&mut c)
        .unwrap_or_default();
    // ACL WHOAMI is not in @stream: refused like anything else outside it.
    assert!(who.is_empty());
    let id: String = redis::cmd("XADD")
        .arg("queue:jobs")
        .arg("*")
        .arg("task")
        .arg("1")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("queue:jobs")
        .arg("workers")
        .arg("0")
        .query(&mut c)
        .unwrap();
    let read: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("w1")
        .arg("COUNT")
        .arg(10)
        .arg("STREAMS")
        .arg("queue:jobs")
        .arg(">")
        .query(&mut c)
        .unwrap();
    assert!(format!("{read:?}").contains(&id));
    let acked: i64 = redis::cmd("XACK")
        .arg("queue:jobs")
        .arg("workers")
        .arg(&id)
        .query(&mut c)
        .unwrap();
    assert_eq!(acked, 1);
    // Another key, another family, an admin command, pub/sub: all refused, nothing done.
    let refused = |cmd: redis::Cmd, c: &mut redis::Connection| {
        cmd.query::<redis::Value>(c).unwrap_err().to_string()
    };
    let e = refused(
        redis::cmd("XADD")
            .arg("other")
            .arg("*")
            .arg("a")
            .arg(1)
            .clone(),
        &mut c,
    );
    assert!(e.contains("No permissions to access a key"), "{e}");
    let e = refused(redis::cmd("SET").arg("queue:jobs:x").arg(1).clone(), &mut c);
    assert!(
        e.contains("User worker has no permissions to run the 'set' command"),
        "{e}"
    );
    let e = refused(redis::cmd("FLUSHALL"), &mut c);
    assert!(e.contains("'flushall'"), "{e}");
    let e = refused(redis::cmd("PUBLISH").arg("ch").arg("m").clone(), &mut c);
    assert!(e.contains("'publish'"), "{e}");
    assert_eq!(admin.call(&["EXISTS", "other", "queue:jobs:x"]), ":0\r\n");
    assert!(admin.call(&["DBSIZE"]) == ":1\r\n");
    // Every refusal is in the log and counted: these four, and the two CLIENT SETINFO that
    // redis-rs sends as it connects (it ignores their errors).
    let info = admin.call(&["INFO", "stats"]);
    assert!(info.contains("acl_access_denied_cmd:6"), "{info}");
    assert!(info.contains("acl_access_denied_key:1"), "{info}");
    let log = admin.call(&["ACL", "LOG", "1"]);
    assert!(log.contains("publish") && log.contains("worker"), "{log}");
    // CLIENT LIST shows whose connection it is; CLIENT KILL USER closes it.
    let list = admin.call(&["CLIENT", "LIST"]);
    assert!(list.contains("user=worker"), "{list}");
    assert_eq!(admin.call(&["CLIENT", "KILL", "USER", "worker"]), ":1\r\n");
    assert_eq!(
        admin.call(&["CLIENT", "KILL", "USER", "nosuch"]),
        "-ERR No such user 'nosuch'\r\n"
    );
    assert!(redis::cmd("XLEN")
        .arg("queue:jobs")
        .query::<i64>(&mut c)
        .is_err());
}

#[test]
fn deleting_a_user_closes_its_connections_and_no_other() {
    let s = TestServer::start(&[]);
    let mut admin = s.raw();
    admin.call(&["ACL", "SETUSER", "a", "on", ">p", "+@all", "~*"]);
    let mut a1 = s.raw();
    let mut a2 = s.raw();
    let mut other = s.raw();
    assert_eq!(a1.call(&["AUTH", "a", "p"]), "+OK\r\n");
    assert!(a2
        .call(&["HELLO", "2", "AUTH", "a", "p"])
        .starts_with("*14"));
    assert_eq!(admin.call(&["ACL", "DELUSER", "a", "nosuch"]), ":1\r\n");
    assert!(a1.is_closed());
    assert!(a2.is_closed());
    assert_eq!(other.call(&["PING"]), "+PONG\r\n");
    // A user deleting itself gets its reply, then the connection closes.
    admin.call(&["ACL", "SETUSER", "b", "on", ">p", "+@all", "~*"]);
    let mut b = s.raw();
    b.call(&["AUTH", "b", "p"]);
    assert_eq!(b.call(&["ACL", "DELUSER", "b"]), ":1\r\n");
    assert!(b.is_closed());
    // Changing a user's rules applies to its open connections at once.
    admin.call(&["ACL", "SETUSER", "c", "on", ">p", "+@all", "~*"]);
    let mut c = s.raw();
    c.call(&["AUTH", "c", "p"]);
    assert_eq!(c.call(&["SET", "k", "v"]), "+OK\r\n");
    admin.call(&["ACL", "SETUSER", "c", "-set"]);
    assert_eq!(
        c.call(&["SET", "k", "v"]),
        "-NOPERM User c has no permissions to run the 'set' command\r\n"
    );
    // Turning a user off refuses new logins but keeps the connections it has (as Redis).
    admin.call(&["ACL", "SETUSER", "c", "off"]);
    assert_eq!(c.call(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(
        s.raw().call(&["AUTH", "c", "p"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
}

#[test]
fn revoking_channels_disconnects_the_subscribers_that_lose_them() {
    let s = TestServer::start(&[]);
    let mut admin = s.raw();
    admin.call(&[
        "ACL", "SETUSER", "sub", "on", ">p", "+@pubsub", "&news.*", "&alerts",
    ]);
    let mut news = s.raw();
    news.call(&["AUTH", "sub", "p"]);
    news.call(&["SUBSCRIBE", "news.eu"]);
    let mut alerts = s.raw();
    alerts.call(&["AUTH", "sub", "p"]);
    alerts.call(&["SUBSCRIBE", "alerts"]);
    let mut denied = s.raw();
    denied.call(&["AUTH", "sub", "p"]);
    assert_eq!(
        denied.call(&["SUBSCRIBE", "other"]),
        "-NOPERM No permissions to access a channel\r\n"
    );
    assert_eq!(
        denied.call(&["PSUBSCRIBE", "news.e*"]),
        "-NOPERM No permissions to access a channel\r\n",
        "a pattern must be allowed literally"
    );
    admin.call(&["ACL", "SETUSER", "sub", "resetchannels", "&alerts"]);
    assert!(news.is_closed());
    assert_eq!(admin.call(&["PUBLISH", "alerts", "x"]), ":1\r\n");
    alerts.set_timeout(Duration::from_secs(5));
    assert!(alerts.read().contains("alerts"));
}

#[test]
fn the_acl_file_saves_and_loads_users() {
    let dir = temp_dir("aclfile");
    let file = dir.join("users.acl");
    std::fs::write(&file, "user default on nopass ~* &* +@all\nuser w on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~queue:* +@stream\n").unwrap();
    let s = TestServer::start_in(dir.clone(), &["--aclfile", file.to_str().unwrap()]);
    let mut admin = s.raw();
    let mut w = s.raw();
    assert_eq!(w.call(&["AUTH", "w", "pw"]), "+OK\r\n");
    admin.call(&["ACL", "SETUSER", "new", "on", ">x", "+get", "~k"]);
    assert_eq!(admin.call(&["ACL", "SAVE"]), "+OK\r\n");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        saved,
        "user default on nopass ~* &* +@all\nuser new on #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 ~k resetchannels -@all +get\nuser w on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~queue:* resetchannels -@all +@stream\n"
    );
    // A broken file changes nothing.
    std::fs::write(&file, "user x on +nosuch\n").unwrap();
    let e = admin.call(&["ACL", "LOAD"]);
    assert!(e.contains("Error in applying operation '+nosuch'"), "{e}");
    assert!(admin.call(&["ACL", "USERS"]).contains("new"));
    // A good one replaces every user and closes the connections of the old ones.
    std::fs::write(&file, "user w on >pw2 ~* +@all\n").unwrap();
    assert_eq!(admin.call(&["ACL", "LOAD"]), "+OK\r\n");
    assert_eq!(
        admin.call(&["ACL", "USERS"]),
        "*2\r\n$7\r\ndefault\r\n$1\r\nw\r\n"
    );
    assert!(w.is_closed());
    assert_eq!(
        admin.call(&["PING"]),
        "+PONG\r\n",
        "the default user's stay"
    );
    assert_eq!(s.raw().call(&["AUTH", "w", "pw2"]), "+OK\r\n");
}

#[test]
fn user_directives_and_requirepass_at_start() {
    let s = TestServer::start(&[
        "--requirepass",
        "top",
        "--user",
        "reader",
        "on",
        ">r",
        "%R~*",
        "+@read",
    ]);
    let mut c = s.raw();
    assert_eq!(c.call(&["PING"]), "-NOAUTH Authentication required.\r\n");
    assert_eq!(c.call(&["AUTH", "top"]), "+OK\r\n");
    assert_eq!(c.call(&["SET", "k", "v"]), "+OK\r\n");
    let mut r = s.raw();
    assert_eq!(r.call(&["AUTH", "reader", "r"]), "+OK\r\n");
    assert_eq!(r.call(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(
        r.call(&["SET", "k", "w"]),
        "-NOPERM User reader has no permissions to run the 'set' command\r\n"
    );
    // CONFIG SET requirepass replaces the default user's passwords.
    c.call(&["CONFIG", "SET", "requirepass", "new"]);
    assert_eq!(
        s.raw().call(&["AUTH", "top"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(s.raw().call(&["AUTH", "new"]), "+OK\r\n");
    // Users in the config file and an ACL file together: the server refuses to start.
    let mut cfg = sluice::config::Config::default();
    cfg.load_text("aclfile /tmp/x.acl\nuser a on\n", &mut vec![])
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(sluice::server::start(cfg, None))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("but not both"), "{err}");
}

#[test]
fn the_http_listener_serves_acl_users_who_may_run_info() {
    let http_port = free_port().to_string();
    let s = TestServer::start(&[
        "--sluice-http-port",
        &http_port,
        "--requirepass",
        "pw",
        "--user",
        "ops",
        "on",
        ">o",
        "+info",
        "+@read",
        "~*",
        "--user",
        "worker",
        "on",
        ">w",
        "+@stream",
        "~*",
    ]);
    let port = s.http_port.expect("http listener");
    let basic = |u: &str, p: &str| {
        let cred = format!("{u}:{p}");
        // Base64 by hand: the test must not trust the server's decoder.
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b = cred.as_bytes();
        let mut out = String::new();
        for ch in b.chunks(3) {
            let n = (ch[0] as u32) << 16
                | (*ch.get(1).unwrap_or(&0) as u32) << 8
                | *ch.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= ch.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        format!("Basic {out}")
    };
    let status = |auth: Option<String>| {
        let h: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        http(port, "GET", "/metrics", &h, b"").0
    };
    assert_eq!(status(None), 401);
    assert_eq!(status(Some(basic("ops", "o"))), 200);
    assert_eq!(status(Some(basic("", "pw"))), 200, "no user name: default");
    assert_eq!(status(Some(basic("ops", "x"))), 401);
    assert_eq!(status(Some(basic("worker", "w"))), 401, "may not run INFO");
}
