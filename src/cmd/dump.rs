//! Values in and out as DUMP payloads: DUMP, RESTORE (and RESTORE-ASKING), MIGRATE.
//!
//! A payload is Redis's (`createDumpPayload`): the value's RDB type and serialization, the
//! RDB version (u16 LE) and a CRC-64 of all before it, so payloads move between sluice, Redis
//! and Valkey both ways. Writing and reading the bytes is `rdb.rs` and `persistence`; this
//! module is the commands.
//!
//! - RESTORE checks the footer, decodes and builds the whole value before it touches the
//!   keyspace: a refused payload changes nothing. Payloads are always checked in depth
//!   (`sanitize-dump-payload` is accepted, and `no` does not skip the checks).
//! - RESTORE with a relative TTL propagates as Redis 7 does: the absolute time and ABSTTL.
//! - MIGRATE sends SELECT and one RESTORE per key to the target and, unless COPY, deletes
//!   the keys it moved (propagated as DEL). Like Redis it runs inside the command, bounded by
//!   its timeout.

use super::{eq_ic, parse_int, Ctx};
use crate::config::NOTIFY_GENERIC;
use crate::error::{CmdError, CmdResult};
use crate::keyspace::LOOKUP_WRITE;
use bytes::Bytes;
use persistence::rdb_load::{decode_dump, DumpError};

/// DUMP key: the payload, or nil for a missing key.
pub fn dump(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let p = crate::rdb::value_params(ctx.store);
    match ctx.store.lookup_read(db, &argv[1]) {
        Some(v) => {
            let payload = crate::rdb::dump(v, &p);
            ctx.out.bulk(&payload);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

/// RESTORE's options after the payload.
#[derive(Default)]
struct RestoreOpts {
    replace: bool,
    absttl: bool,
    idle: Option<u64>,
    freq: Option<u8>,
}

/// `restoreCommand`'s option loop: IDLETIME and FREQ exclude each other (the second is a
/// syntax error), each needs its argument.
fn restore_opts(argv: &[Bytes]) -> CmdResult<RestoreOpts> {
    let mut o = RestoreOpts::default();
    let mut j = 4;
    while j < argv.len() {
        let a = &argv[j];
        let more = j + 1 < argv.len();
        if eq_ic(a, "replace") {
            o.replace = true;
        } else if eq_ic(a, "absttl") {
            o.absttl = true;
        } else if eq_ic(a, "idletime") && more && o.freq.is_none() {
            let v = parse_int(&argv[j + 1])?;
            if v < 0 {
                return Err(CmdError::err("Invalid IDLETIME value, must be >= 0"));
            }
            o.idle = Some(v as u64);
            j += 1;
        } else if eq_ic(a, "freq") && more && o.idle.is_none() {
            let v = parse_int(&argv[j + 1])?;
            if !(0..=255).contains(&v) {
                return Err(CmdError::err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            o.freq = Some(v as u8);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
pub fn restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = restore_opts(argv)?;
    let db = ctx.db();
    let key = &argv[1];
    if !o.replace && ctx.store.exists(db, key, LOOKUP_WRITE) {
        return Err(CmdError::Raw(
            "BUSYKEY Target key name already exists.".into(),
        ));
    }
    let mut ttl = parse_int(&argv[2])?;
    if ttl < 0 {
        return Err(CmdError::err("Invalid TTL value, must be >= 0"));
    }
    let value = match decode_dump(&argv[3]) {
        Err(DumpError::VersionOrChecksum) => {
            return Err(CmdError::err("DUMP payload version or checksum are wrong"))
        }
        Err(DumpError::BadFormat) => return Err(CmdError::err("Bad data format")),
        Ok(item) if item.is_empty() => return Err(CmdError::err("Bad data format")),
        Ok(item) => crate::rdb::value_of(item, &ctx.store.config)
            .map_err(|_| CmdError::err("Bad data format"))?,
    };
    let replaced = if o.replace {
        ctx.store.delete(db, key)
    } else {
        None
    };
    let deleted = replaced.is_some();
    if ttl > 0 && !o.absttl {
        ttl = ttl.saturating_add(ctx.now);
    }
    if ttl > 0 && ttl <= ctx.now && !ctx.store.replaying {
        // Already expired: nothing is created; a replaced key is simply deleted.
        if deleted {
            ctx.store.written(db, key, NOTIFY_GENERIC, "del");
            ctx.also_propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
        }
        ctx.out.ok();
        return Ok(());
    }
    ctx.store.add(db, key, value);
    if let Some(old) = &replaced {
        ctx.store.notify_replaced(db, key, old);
    }
    if ttl > 0 {
        ctx.store.set_expire(db, key, ttl);
        if !o.absttl {
            // Propagated with the absolute time, as Redis 7 does.
            let mut effect = argv.to_vec();
            effect[2] = Bytes::from(ttl.to_string());
            effect.push(Bytes::from_static(b"ABSTTL"));
            ctx.also_propagate(effect);
        }
    }
    ctx.store.set_access(db, key, o.idle, o.freq);
    ctx.store.written(db, key, NOTIFY_GENERIC, "restore");
    ctx.out.ok();
    Ok(())
}

/// RESTORE-ASKING: RESTORE for a cluster slot migration; without a cluster, the same.
pub fn restore_asking(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    restore(ctx, argv)
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password | AUTH2 username password] [KEYS key ...] (`migrateCommand`).
pub fn migrate(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut copy, mut replace) = (false, false);
    let mut auth: Option<(Option<&Bytes>, &Bytes)> = None;
    let mut keys: &[Bytes] = &argv[3..4];
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let a = &argv[j];
        if eq_ic(a, "copy") {
            copy = true;
        } else if eq_ic(a, "replace") {
            replace = true;
        } else if eq_ic(a, "auth") {
            if more < 1 {
                return Err(CmdError::Syntax);
            }
            auth = Some((None, &argv[j + 1]));
            j += 1;
        } else if eq_ic(a, "auth2") {
            if more < 2 {
                return Err(CmdError::Syntax);
            }
            auth = Some((Some(&argv[j + 1]), &argv[j + 2]));
            j += 2;
        } else if eq_ic(a, "keys") {
            if !argv[3].is_empty() {
                return Err(CmdError::err(
                    "When using MIGRATE KEYS option, the key argument must be set to the empty string",
                ));
            }
            keys = &argv[j + 1..];
            break;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let mut timeout = parse_int(&argv[5])?;
    let dbid = parse_int(&argv[4])?;
    if timeout <= 0 {
        timeout = 1000;
    }
    let db = ctx.db();
    // The keys here now, each with its payload and remaining TTL (a key expiring meanwhile
    // is skipped, one about to gets 1 ms).
    let p = crate::rdb::value_params(ctx.store);
    let mut found: Vec<(&Bytes, Vec<u8>, i64)> = Vec::new();
    for k in keys {
        let Some(v) = ctx.store.lookup_read(db, k) else {
            continue;
        };
        let payload = crate::rdb::dump(v, &p);
        let ttl = match ctx.store.expire_at(db, k) {
            Some(at) if at - ctx.now < 0 => continue,
            Some(at) => (at - ctx.now).max(1),
            None => 0,
        };
        found.push((k, payload, ttl));
    }
    if found.is_empty() {
        ctx.out.simple("NOKEY");
        return Ok(());
    }
    let mut req = resp::ReplyWriter::new(resp::Protocol::Resp2);
    let mut expected = 0;
    if let Some((user, pass)) = auth {
        req.array(if user.is_some() { 3 } else { 2 });
        req.bulk(b"AUTH");
        if let Some(u) = user {
            req.bulk(u);
        }
        req.bulk(pass);
        expected += 1;
    }
    req.array(2);
    req.bulk(b"SELECT");
    req.bulk(dbid.to_string().as_bytes());
    expected += 1;
    for (k, payload, ttl) in &found {
        req.array(if replace { 5 } else { 4 });
        req.bulk(b"RESTORE");
        req.bulk(k);
        req.bulk(ttl.to_string().as_bytes());
        req.bulk(payload);
        if replace {
            req.bulk(b"REPLACE");
        }
    }
    let timeout = std::time::Duration::from_millis(timeout as u64);
    let replies = match exchange(
        &argv[1],
        &argv[2],
        &req.buf,
        expected + found.len(),
        timeout,
    ) {
        Ok(r) => r,
        Err(Exchange::Connect) => {
            return Err(CmdError::Raw(
                "IOERR error or timeout connecting to the client".into(),
            ))
        }
        Err(Exchange::Write) => {
            return Err(CmdError::Raw(
                "IOERR error or timeout writing to target instance".into(),
            ))
        }
        Err(Exchange::Read(replies)) if replies.len() <= expected => {
            return Err(CmdError::Raw(
                "IOERR error or timeout reading to target instance".into(),
            ))
        }
        Err(Exchange::Read(replies)) => replies,
    };
    // AUTH and SELECT replies first; an error there fails every RESTORE reply after it.
    let setup_error = replies[..expected]
        .iter()
        .find(|r| r.starts_with('-'))
        .cloned();
    let mut target_error: Option<String> = None;
    let mut moved = vec![Bytes::from_static(b"DEL")];
    for (reply, (k, _, _)) in replies[expected..].iter().zip(&found) {
        let err = setup_error
            .as_ref()
            .or(reply.starts_with('-').then_some(reply));
        if let Some(e) = err {
            target_error.get_or_insert_with(|| e[1..].to_string());
        } else if !copy {
            ctx.store.delete(db, k);
            ctx.store.written(db, k, NOTIFY_GENERIC, "del");
            moved.push((*k).clone());
        }
    }
    if moved.len() > 1 {
        ctx.also_propagate(moved);
    }
    if let Some(e) = target_error {
        return Err(CmdError::Raw(format!(
            "ERR Target instance replied with error: {e}"
        )));
    }
    if replies.len() < expected + found.len() {
        return Err(CmdError::Raw(
            "IOERR error or timeout reading to target instance".into(),
        ));
    }
    ctx.out.ok();
    Ok(())
}

/// How an exchange with the target failed; a read failure keeps the replies read so far.
enum Exchange {
    Connect,
    Write,
    Read(Vec<String>),
}

/// Sends `req` to `host`:`port` and reads `n` one-line replies, each step bounded by
/// `timeout` (Redis's `syncWrite`/`syncReadLine`).
fn exchange(
    host: &[u8],
    port: &[u8],
    req: &[u8],
    n: usize,
    timeout: std::time::Duration,
) -> Result<Vec<String>, Exchange> {
    use std::io::{BufRead, Write};
    use std::net::ToSocketAddrs;
    let host = std::str::from_utf8(host).map_err(|_| Exchange::Connect)?;
    let port: u16 = std::str::from_utf8(port)
        .ok()
        .and_then(|p| p.parse().ok())
        .ok_or(Exchange::Connect)?;
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or(Exchange::Connect)?;
    // Redis connects without blocking and waits for the socket to be writable: a refused
    // connection shows only when the request is written.
    let sock = std::net::TcpStream::connect_timeout(&addr, timeout).map_err(|e| {
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            Exchange::Write
        } else {
            Exchange::Connect
        }
    })?;
    let _ = sock.set_nodelay(true);
    sock.set_write_timeout(Some(timeout))
        .map_err(|_| Exchange::Write)?;
    sock.set_read_timeout(Some(timeout))
        .map_err(|_| Exchange::Connect)?;
    (&sock).write_all(req).map_err(|_| Exchange::Write)?;
    let mut r = std::io::BufReader::new(&sock);
    let mut replies = Vec::with_capacity(n);
    while replies.len() < n {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(len) if len > 0 && line.ends_with('\n') => {
                replies.push(line.trim_end_matches(['\r', '\n']).to_string())
            }
            _ => return Err(Exchange::Read(replies)),
        }
    }
    Ok(replies)
}

/// MIGRATE's keys (`migrateGetKeys`): argv[3], or what follows KEYS when argv[3] is empty
/// (AUTH and AUTH2 arguments skipped on the way).
pub fn migrate_keys(argv: &[Bytes]) -> Vec<(usize, &'static [&'static str])> {
    const FLAGS: &[&str] = &["RW", "access", "delete"];
    let mut j = 6;
    while j < argv.len() {
        let a = &argv[j];
        if eq_ic(a, "auth") {
            j += 1;
        } else if eq_ic(a, "auth2") {
            j += 2;
        } else if eq_ic(a, "keys") {
            if argv[3].is_empty() {
                return (j + 1..argv.len()).map(|i| (i, FLAGS)).collect();
            }
            break;
        }
        j += 1;
    }
    vec![(3, FLAGS)]
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`), from Redis 7.2 as the oracle describes it
// (scripts/command-rows.py).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
mod rows {
    use super::*;
    use crate::cmd::table::*;

    pub static COMMANDS: &[Command] = &[
    Command {
        name: "dump",
        arity: 2,
        flags: READONLY,
        acl: &["keyspace", "read", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: dump,
        doc: Doc { summary: "Returns a serialized representation of the value stored at a key.", since: "2.6.0", group: "generic", complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "restore",
        arity: -4,
        flags: WRITE | DENYOOM,
        acl: &["keyspace", "write", "slow", "dangerous"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: restore,
        doc: Doc { summary: "Creates a key from the serialized representation of a value.", since: "2.6.0", group: "generic", complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).", history: &[("3.0.0", "Added the `REPLACE` modifier."), ("5.0.0", "Added the `ABSTTL` modifier."), ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "ttl", kind: "integer", display: Some("ttl"), ..Arg::DEFAULT },
                Arg { name: "serialized-value", kind: "string", display: Some("serialized-value"), ..Arg::DEFAULT },
                Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), since: Some("3.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "absttl", kind: "pure-token", display: Some("absttl"), token: Some("ABSTTL"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("IDLETIME"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "frequency", kind: "integer", display: Some("frequency"), token: Some("FREQ"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "restore-asking",
        arity: -4,
        flags: WRITE | DENYOOM | ASKING,
        acl: &["keyspace", "write", "slow", "dangerous"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: restore_asking,
        doc: Doc { summary: "An internal command for migrating keys in a cluster.", since: "3.0.0", group: "server", complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).", doc_flags: &["syscmd"], history: &[("3.0.0", "Added the `REPLACE` modifier."), ("5.0.0", "Added the `ABSTTL` modifier."), ("5.0.0", "Added the `IDLETIME` and `FREQ` options.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "ttl", kind: "integer", display: Some("ttl"), ..Arg::DEFAULT },
                Arg { name: "serialized-value", kind: "string", display: Some("serialized-value"), ..Arg::DEFAULT },
                Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), since: Some("3.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "absttl", kind: "pure-token", display: Some("absttl"), token: Some("ABSTTL"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("IDLETIME"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "frequency", kind: "integer", display: Some("frequency"), token: Some("FREQ"), since: Some("5.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "migrate",
        arity: -6,
        flags: WRITE | MOVABLE_KEYS,
        acl: &["keyspace", "write", "slow", "dangerous"],
        legacy_keys: (3, 3, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(3), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "access", "delete", "incomplete"], begin: Begin::Keyword("KEYS", -2), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: migrate,
        getkeys: Some(migrate_keys),
        doc: Doc { summary: "Atomically transfers a key from one instance to another.", since: "2.6.0", group: "generic", complexity: "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.", history: &[("3.0.0", "Added the `COPY` and `REPLACE` options."), ("3.0.6", "Added the `KEYS` option."), ("4.0.7", "Added the `AUTH` option."), ("6.0.0", "Added the `AUTH2` option.")], args: &[
                Arg { name: "host", kind: "string", display: Some("host"), ..Arg::DEFAULT },
                Arg { name: "port", kind: "integer", display: Some("port"), ..Arg::DEFAULT },
                Arg { name: "key-selector", kind: "oneof", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "empty-string", kind: "pure-token", display: Some("empty-string"), token: Some(""), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "destination-db", kind: "integer", display: Some("destination-db"), ..Arg::DEFAULT },
                Arg { name: "timeout", kind: "integer", display: Some("timeout"), ..Arg::DEFAULT },
                Arg { name: "copy", kind: "pure-token", display: Some("copy"), token: Some("COPY"), since: Some("3.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), since: Some("3.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "authentication", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "auth", kind: "string", display: Some("password"), token: Some("AUTH"), since: Some("4.0.7"), ..Arg::DEFAULT },
                    Arg { name: "auth2", kind: "block", token: Some("AUTH2"), since: Some("6.0.0"), args: &[
                            Arg { name: "username", kind: "string", display: Some("username"), ..Arg::DEFAULT },
                            Arg { name: "password", kind: "string", display: Some("password"), ..Arg::DEFAULT },
                        ], ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "keys", kind: "key", display: Some("key"), key_spec: 1, token: Some("KEYS"), since: Some("3.0.6"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// The payload of a bulk reply.
    fn bulk(reply: &[u8]) -> Vec<u8> {
        let nl = reply.iter().position(|&b| b == b'\n').unwrap();
        let n: usize = std::str::from_utf8(&reply[1..nl - 1])
            .unwrap()
            .parse()
            .unwrap();
        reply[nl + 1..nl + 1 + n].to_vec()
    }

    fn effects(s: &Session) -> Vec<String> {
        s.store
            .effects
            .iter()
            .map(|(_, a)| {
                a.iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn every_type_round_trips_and_restore_refuses_as_redis() {
        let mut s = Session::default();
        for cmd in [
            &["SET", "s", "hello"][..],
            &["SET", "i", "-42"],
            &["RPUSH", "l", "a", "b", "3"],
            &["HSET", "h", "f", "v", "g", "w"],
            &["HPEXPIRE", "h", "100000", "FIELDS", "1", "f"],
            &["SADD", "st", "1", "2", "x"],
            &["ZADD", "z", "1.5", "a", "-inf", "b"],
            &["XADD", "x", "1-1", "a", "1"],
            &["XGROUP", "CREATE", "x", "g", "0"],
            &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
        ] {
            s.run(cmd);
        }
        let reads: &[&[&str]] = &[
            &["GET", "s"],
            &["GET", "i"],
            &["LRANGE", "l", "0", "-1"],
            &["HGETALL", "h"],
            &["HTTL", "h", "FIELDS", "2", "f", "g"],
            &["SMEMBERS", "st"],
            &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            &["XRANGE", "x", "-", "+"],
            &["XPENDING", "x", "g"],
        ];
        let before: Vec<String> = reads.iter().map(|r| s.run(r)).collect();
        for key in ["s", "i", "l", "h", "st", "z", "x"] {
            let payload = bulk(&s.run_bytes(&[b"DUMP", key.as_bytes()]));
            assert_eq!(
                s.run_bytes(&[b"RESTORE", key.as_bytes(), b"0", &payload]),
                b"-BUSYKEY Target key name already exists.\r\n"
            );
            s.run(&["DEL", key]);
            assert_eq!(
                s.run_bytes(&[b"RESTORE", key.as_bytes(), b"0", &payload]),
                b"+OK\r\n",
                "{key}"
            );
        }
        let after: Vec<String> = reads.iter().map(|r| s.run(r)).collect();
        assert_eq!(before, after);
        assert_eq!(s.run(&["DUMP", "nosuch"]), "$-1\r\n");

        let p = bulk(&s.run_bytes(&[b"DUMP", b"s"]));
        let restore = |s: &mut Session, extra: &[&[u8]]| {
            let mut argv: Vec<&[u8]> = vec![b"RESTORE", b"new", b"0", &p];
            argv.extend_from_slice(extra);
            String::from_utf8_lossy(&s.run_bytes(&argv)).into_owned()
        };
        for (extra, want) in [
            (
                &[&b"IDLETIME"[..], b"-1"][..],
                "-ERR Invalid IDLETIME value, must be >= 0\r\n",
            ),
            (
                &[b"FREQ", b"256"],
                "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n",
            ),
            (&[b"IDLETIME", b"1", b"FREQ", b"1"], "-ERR syntax error\r\n"),
            (&[b"IDLETIME"], "-ERR syntax error\r\n"),
            (
                &[b"IDLETIME", b"x"],
                "-ERR value is not an integer or out of range\r\n",
            ),
            (&[b"NOPE"], "-ERR syntax error\r\n"),
        ] {
            assert_eq!(restore(&mut s, extra), want, "{extra:?}");
        }
        let mut flipped = p.clone();
        flipped[1] ^= 1;
        assert_eq!(
            s.run_bytes(&[b"RESTORE", b"new", b"0", &flipped]),
            b"-ERR DUMP payload version or checksum are wrong\r\n"
        );
        assert_eq!(
            s.run_bytes(&[b"RESTORE", b"new", b"-5", &p]),
            b"-ERR Invalid TTL value, must be >= 0\r\n"
        );
        assert_eq!(s.run(&["EXISTS", "new"]), ":0\r\n");
        // IDLETIME and FREQ set the access metadata.
        assert_eq!(restore(&mut s, &[b"IDLETIME", b"500"]), "+OK\r\n");
        let idle: i64 = s.run(&["OBJECT", "IDLETIME", "new"])[1..]
            .trim()
            .parse()
            .unwrap();
        assert!((500..510).contains(&idle), "{idle}");
    }

    #[test]
    fn restore_propagates_an_absolute_ttl_and_an_expired_replace_as_del() {
        let mut s = Session::default();
        s.store.aof.enabled = true;
        s.run(&["SET", "k", "v"]);
        let p = bulk(&s.run_bytes(&[b"DUMP", b"k"]));
        s.store.effects.clear();
        assert_eq!(
            s.run_bytes(&[b"RESTORE", b"t", b"100000", &p, b"REPLACE"]),
            b"+OK\r\n"
        );
        let e = effects(&s);
        assert_eq!(e.len(), 1);
        let words: Vec<&str> = e[0].split(' ').collect();
        assert_eq!(words[..2], ["RESTORE", "t"]);
        assert!(
            words[2].parse::<i64>().unwrap() > 1_700_000_000_000,
            "{}",
            e[0]
        );
        assert_eq!(words[words.len() - 2..], ["REPLACE", "ABSTTL"]);
        s.store.effects.clear();
        // Already past: a replaced key is deleted, and that is what propagates.
        assert_eq!(
            s.run_bytes(&[b"RESTORE", b"k", b"1", &p, b"ABSTTL", b"REPLACE"]),
            b"+OK\r\n"
        );
        assert_eq!(effects(&s), ["DEL k"]);
        assert_eq!(s.run(&["EXISTS", "k"]), ":0\r\n");
        s.store.effects.clear();
        assert_eq!(
            s.run_bytes(&[b"RESTORE", b"k", b"1", &p, b"ABSTTL"]),
            b"+OK\r\n"
        );
        assert!(
            effects(&s).is_empty(),
            "nothing changed, nothing propagates"
        );
    }

    #[test]
    fn migrate_keys_are_found_as_redis_finds_them() {
        fn keys(args: &[&'static str]) -> Vec<&'static str> {
            let argv: Vec<bytes::Bytes> = args.iter().map(|a| bytes::Bytes::from(*a)).collect();
            super::migrate_keys(&argv)
                .into_iter()
                .map(|(i, _)| args[i])
                .collect()
        }
        assert_eq!(keys(&["MIGRATE", "h", "1", "k", "0", "5"]), ["k"]);
        assert_eq!(
            keys(&["MIGRATE", "h", "1", "", "0", "5", "AUTH", "keys", "KEYS", "a", "b"]),
            ["a", "b"]
        );
        assert_eq!(
            keys(&["MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "keys", "KEYS", "a"]),
            ["a"]
        );
    }
}
