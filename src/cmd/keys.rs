//! Keyspace commands: DEL, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME(NX), COPY, MOVE, the
//! EXPIRE family, TTL family, PERSIST.

use super::{eq_ic, parse_int, Ctx};
use crate::config::NOTIFY_GENERIC;
use crate::error::{CmdError, CmdResult};
use crate::keyspace::{LOOKUP_NONE, LOOKUP_NOTOUCH, LOOKUP_WRITE};
use bytes::Bytes;

pub fn del(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let mut n = 0;
    for k in &argv[1..] {
        ctx.store.expire_if_needed(db, k, ctx.now);
        if ctx.store.delete(db, k).is_some() {
            ctx.store.written(db, k, NOTIFY_GENERIC, "del");
            n += 1;
        }
    }
    ctx.out.int(n);
    Ok(())
}

/// Count of `argv[1..]` that exist (repeats counted), looked up with `flags`.
fn count_existing(ctx: &mut Ctx, argv: &[Bytes], flags: u8) -> CmdResult {
    let db = ctx.db();
    let n = argv[1..]
        .iter()
        .filter(|k| ctx.store.exists(db, k, flags))
        .count();
    ctx.out.int(n as i64);
    Ok(())
}

/// EXISTS leaves access times alone (`LOOKUP_NOTOUCH`).
pub fn exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    count_existing(ctx, argv, LOOKUP_NOTOUCH)
}

/// TOUCH is a read lookup of each key: access times move.
pub fn touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    count_existing(ctx, argv, LOOKUP_NONE)
}

pub fn type_(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let t = ctx
        .store
        .lookup(db, &argv[1], LOOKUP_NOTOUCH)
        .map(|v| v.type_name())
        .unwrap_or("none");
    ctx.out.simple(t);
    Ok(())
}

pub fn keys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let pat = &argv[1];
    let all = pat.as_ref() == b"*";
    let now = ctx.now;
    let d = ctx.store.ks.db(db);
    let found: Vec<Bytes> = d
        .keys
        .iter()
        .filter(|(k, _)| (all || crate::glob::matches(pat, k, false)) && !d.is_expired(k, now))
        .map(|(k, _)| Bytes::copy_from_slice(k))
        .collect();
    ctx.out.array(found.len());
    for k in found {
        ctx.out.bulk(&k);
    }
    Ok(())
}

/// The cursor argument of SCAN and its family (`parseScanCursorOrReply`).
pub(super) fn parse_scan_cursor(arg: &[u8]) -> CmdResult<u64> {
    std::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| CmdError::err("invalid cursor"))
}

/// The options of SCAN and its family.
pub(super) struct ScanOptions {
    pub count: usize,
    /// None for a lone `*`, which matches everything, the empty key included (as Redis).
    pub pattern: Option<Bytes>,
    /// SCAN's TYPE, lowercased.
    pub type_f: Option<String>,
    /// HSCAN's NOVALUES.
    pub novalues: bool,
}

/// `scanGenericCommand`'s option loop: COUNT, MATCH and (SCAN only) TYPE take a value;
/// NOVALUES is HSCAN's, and anywhere else it has its own error.
pub(super) fn scan_options(argv: &[Bytes], from: usize, hscan: bool) -> CmdResult<ScanOptions> {
    let mut o = ScanOptions {
        count: 10,
        pattern: None,
        type_f: None,
        novalues: false,
    };
    let mut a = super::args::Args::new(argv, from);
    while !a.is_empty() {
        let pair = a.remaining() >= 2;
        if pair && a.eat("count") {
            let c = a.next_int()?;
            if c < 1 {
                return Err(CmdError::Syntax);
            }
            o.count = c as usize;
        } else if pair && a.eat("match") {
            let p = a.next_bytes()?;
            o.pattern = (p.as_ref() != b"*").then(|| p.clone());
        } else if !hscan && pair && a.eat("type") {
            o.type_f = Some(String::from_utf8_lossy(a.next_bytes()?).to_ascii_lowercase());
        } else if a.eat("novalues") {
            if !hscan {
                return Err(CmdError::err("NOVALUES option can only be used in HSCAN"));
            }
            o.novalues = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(o)
}

pub fn scan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_scan_cursor(&argv[1])?;
    let ScanOptions {
        count,
        pattern,
        type_f,
        ..
    } = scan_options(argv, 2, false)?;
    let db = ctx.db();
    let mut found: Vec<Bytes> = Vec::new();
    let next = ctx.store.ks.db(db).keys.scan(cursor, count, |k, v| {
        if let Some(p) = &pattern {
            if !crate::glob::matches(p, k, false) {
                return;
            }
        }
        if let Some(t) = &type_f {
            if v.type_name() != t {
                return;
            }
        }
        found.push(Bytes::copy_from_slice(k));
    });
    // Expired keys are deleted rather than returned, as Redis does.
    let now = ctx.now;
    found.retain(|k| !ctx.store.expire_if_needed(db, k, now));
    ctx.out.array(2);
    ctx.out.bulk(next.to_string().as_bytes());
    ctx.out.array(found.len());
    for k in found {
        ctx.out.bulk(&k);
    }
    Ok(())
}

pub fn randomkey(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    for _ in 0..100 {
        let Some(k) = ctx.store.ks.random_key(db, false, &mut ctx.store.rng) else {
            ctx.out.null();
            return Ok(());
        };
        if !ctx.store.expire_if_needed(db, &k, ctx.now) {
            ctx.out.bulk(&k);
            return Ok(());
        }
    }
    ctx.out.null();
    Ok(())
}

/// `renameGenericCommand`: the value moves with its TTL; `dst` is deleted first if it
/// exists. Events in Redis's order: `new` (dst), `rename_from`, `rename_to`.
fn rename_generic(ctx: &mut Ctx, argv: &[Bytes], nx: bool) -> CmdResult {
    let db = ctx.db();
    let (src, dst) = (&argv[1], &argv[2]);
    if !ctx.store.exists(db, src, LOOKUP_WRITE) {
        return Err(CmdError::NoSuchKey);
    }
    if src == dst {
        if nx {
            ctx.out.int(0);
        } else {
            ctx.out.ok();
        }
        return Ok(());
    }
    let mut replaced = None;
    if ctx.store.exists(db, dst, LOOKUP_WRITE) {
        if nx {
            ctx.out.int(0);
            return Ok(());
        }
        replaced = ctx.store.delete(db, dst);
    }
    let expire = ctx.store.expire_at(db, src);
    let v = ctx.store.delete(db, src).expect("checked");
    ctx.store.add(db, dst, v);
    if let Some(t) = expire {
        ctx.store.set_expire(db, dst, t);
    }
    if let Some(old) = replaced {
        ctx.store.notify_replaced(db, dst, &old);
    }
    ctx.store.written(db, src, NOTIFY_GENERIC, "rename_from");
    ctx.store.written_n(db, dst, NOTIFY_GENERIC, "rename_to", 0);
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

pub fn rename(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, false)
}

pub fn renamenx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, true)
}

fn parse_db_index(ctx: &Ctx, b: &[u8]) -> CmdResult<usize> {
    let d = parse_int(b)?;
    if d < 0 || d as usize >= ctx.store.ks.len() {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(d as usize)
}

pub fn copy(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let src_db = ctx.db();
    let mut dst_db = src_db;
    let mut replace = false;
    let mut a = super::args::Args::new(argv, 3);
    while !a.is_empty() {
        if a.eat("replace") {
            replace = true;
        } else if a.remaining() > 1 && a.eat("db") {
            // Not a number: the integer error; a number but no such database: out of range.
            let d = parse_int(a.next_bytes()?)?;
            dst_db = usize::try_from(d)
                .ok()
                .filter(|d| *d < ctx.store.ks.len())
                .ok_or(CmdError::DbIndexOutOfRange)?;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let (src, dst) = (&argv[1], &argv[2]);
    if src_db == dst_db && src == dst {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let Some(v) = ctx.store.lookup_read(src_db, src).cloned() else {
        ctx.out.int(0);
        return Ok(());
    };
    let expire = ctx.store.expire_at(src_db, src);
    let mut replaced = None;
    if ctx.store.exists(dst_db, dst, LOOKUP_WRITE) {
        if !replace {
            ctx.out.int(0);
            return Ok(());
        }
        replaced = ctx.store.delete(dst_db, dst);
    }
    ctx.store.add(dst_db, dst, v);
    if let Some(t) = expire {
        ctx.store.set_expire(dst_db, dst, t);
    }
    if let Some(old) = replaced {
        ctx.store.notify_replaced(dst_db, dst, &old);
    }
    ctx.store.written(dst_db, dst, NOTIFY_GENERIC, "copy_to");
    ctx.out.int(1);
    Ok(())
}

pub fn move_(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let src_db = ctx.db();
    let dst_db = parse_db_index(ctx, &argv[2])?;
    if src_db == dst_db {
        return Err(CmdError::err("source and destination objects are the same"));
    }
    let key = &argv[1];
    if !ctx.store.exists(src_db, key, LOOKUP_WRITE) || ctx.store.exists(dst_db, key, LOOKUP_WRITE) {
        ctx.out.int(0);
        return Ok(());
    }
    let expire = ctx.store.expire_at(src_db, key);
    let v = ctx.store.delete(src_db, key).expect("checked");
    ctx.store.add(dst_db, key, v);
    if let Some(t) = expire {
        ctx.store.set_expire(dst_db, key, t);
    }
    ctx.store.written(src_db, key, NOTIFY_GENERIC, "move_from");
    ctx.store
        .written_n(dst_db, key, NOTIFY_GENERIC, "move_to", 0);
    ctx.out.int(1);
    Ok(())
}

/// `expireGenericCommand`: `basetime` ms is added to the argument scaled by `unit_ms`.
fn expire_generic(
    ctx: &mut Ctx,
    argv: &[Bytes],
    basetime: i64,
    unit_ms: i64,
    name: &str,
) -> CmdResult {
    let key = &argv[1];
    let mut when = parse_int(&argv[2])?;
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for o in &argv[3..] {
        if eq_ic(o, "nx") {
            nx = true;
        } else if eq_ic(o, "xx") {
            xx = true;
        } else if eq_ic(o, "gt") {
            gt = true;
        } else if eq_ic(o, "lt") {
            lt = true;
        } else {
            return Err(CmdError::err(format!(
                "Unsupported option {}",
                String::from_utf8_lossy(o)
            )));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(CmdError::err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(CmdError::err(
            "GT and LT options at the same time are not compatible",
        ));
    }
    let invalid = || CmdError::err(format!("invalid expire time in '{name}' command"));
    if unit_ms == 1000 {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    when = when.checked_add(basetime).ok_or_else(invalid)?;
    let db = ctx.db();
    if !ctx.store.exists(db, key, LOOKUP_WRITE) {
        ctx.out.int(0);
        return Ok(());
    }
    let current = ctx.store.expire_at(db, key);
    if (nx && current.is_some()) || (xx && current.is_none()) {
        ctx.out.int(0);
        return Ok(());
    }
    if gt {
        // A key without TTL counts as infinite: nothing is greater.
        match current {
            None => {
                ctx.out.int(0);
                return Ok(());
            }
            Some(c) if when <= c => {
                ctx.out.int(0);
                return Ok(());
            }
            _ => {}
        }
    }
    if lt {
        if let Some(c) = current {
            if when >= c {
                ctx.out.int(0);
                return Ok(());
            }
        }
    }
    if when <= ctx.now && !ctx.store.replaying {
        // Already expired: delete now and propagate a DEL.
        ctx.store.delete(db, key);
        ctx.store.written(db, key, NOTIFY_GENERIC, "del");
        ctx.also_propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
        ctx.out.int(1);
        return Ok(());
    }
    // set_expire keeps its own copy (see `db::detached`): cloning the keyspace's key here
    // would give it a shared header for good.
    ctx.store.set_expire(db, key, when);
    ctx.store.written(db, key, NOTIFY_GENERIC, "expire");
    ctx.also_propagate(vec![
        Bytes::from_static(b"PEXPIREAT"),
        key.clone(),
        Bytes::from(when.to_string()),
    ]);
    ctx.out.int(1);
    Ok(())
}

pub fn expire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now;
    expire_generic(ctx, argv, now, 1000, "expire")
}

pub fn pexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now;
    expire_generic(ctx, argv, now, 1, "pexpire")
}

pub fn expireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, 1000, "expireat")
}

pub fn pexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, 1, "pexpireat")
}

/// `ttlGenericCommand`: `absolute` reports the expire time itself, `ms` in milliseconds.
fn ttl_generic(ctx: &mut Ctx, argv: &[Bytes], ms: bool, absolute: bool) -> CmdResult {
    let db = ctx.db();
    if !ctx.store.exists(db, &argv[1], LOOKUP_NOTOUCH) {
        ctx.out.int(-2);
        return Ok(());
    }
    let Some(t) = ctx.store.expire_at(db, &argv[1]) else {
        ctx.out.int(-1);
        return Ok(());
    };
    let v = if absolute { t } else { (t - ctx.now).max(0) };
    ctx.out.int(if ms { v } else { (v + 500) / 1000 });
    Ok(())
}

pub fn ttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, false)
}

pub fn pttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, false)
}

pub fn expiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, true)
}

pub fn pexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, true)
}

pub fn persist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    if !ctx.store.exists(db, &argv[1], LOOKUP_WRITE) || !ctx.store.persist(db, &argv[1]) {
        ctx.out.int(0);
        return Ok(());
    }
    ctx.store.written(db, &argv[1], NOTIFY_GENERIC, "persist");
    ctx.out.int(1);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`): what COMMAND INFO and COMMAND DOCS report, and what
// dispatch checks. Taken from Redis 7.2 as the oracle describes it (scripts/command-rows.py).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
mod rows {
    use super::*;
    use crate::cmd::table::*;

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "del",
            arity: -2,
            flags: WRITE,
            acl: &["keyspace", "write", "slow"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RM", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
            handler: del,
            doc: Doc { summary: "Deletes one or more keys.", since: "1.0.0", group: "generic", complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "unlink",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RM", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
            handler: del,
            doc: Doc { summary: "Asynchronously deletes one or more keys.", since: "4.0.0", group: "generic", complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "exists",
            arity: -2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
            handler: exists,
            doc: Doc { summary: "Determines whether one or more keys exist.", since: "1.0.0", group: "generic", complexity: "O(N) where N is the number of keys to check.", history: &[("3.0.3", "Accepts multiple `key` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "type",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: type_,
            doc: Doc { summary: "Determines the type of value stored at a key.", since: "1.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "keys",
            arity: 2,
            flags: READONLY,
            acl: &["keyspace", "read", "slow", "dangerous"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "nondeterministic_output_order"],
            handler: keys,
            doc: Doc { summary: "Returns all key names that match a pattern.", since: "1.0.0", group: "generic", complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", args: &[
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "scan",
            arity: -2,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:special", "response_policy:special"],
            handler: scan,
            doc: Doc { summary: "Iterates over the key names in the database.", since: "2.8.0", group: "generic", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", history: &[("6.0.0", "Added the `TYPE` subcommand.")], args: &[
                    Arg { name: "cursor", kind: "integer", display: Some("cursor"), ..Arg::DEFAULT },
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), token: Some("MATCH"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "type", kind: "string", display: Some("type"), token: Some("TYPE"), since: Some("6.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "randomkey",
            arity: 1,
            flags: READONLY,
            acl: &["keyspace", "read", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:special", "nondeterministic_output"],
            handler: randomkey,
            doc: Doc { summary: "Returns a random key name from the database.", since: "1.0.0", group: "generic", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rename",
            arity: 3,
            flags: WRITE,
            acl: &["keyspace", "write", "slow"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: rename,
            doc: Doc { summary: "Renames a key and overwrites the destination.", since: "1.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "newkey", kind: "key", display: Some("newkey"), key_spec: 1, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "renamenx",
            arity: 3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["OW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: renamenx,
            doc: Doc { summary: "Renames a key only when the target key name doesn't exist.", since: "1.0.0", group: "generic", complexity: "O(1)", history: &[("3.2.0", "The command no longer returns an error when source and destination names are the same.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "newkey", kind: "key", display: Some("newkey"), key_spec: 1, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "copy",
            arity: -3,
            flags: WRITE | DENYOOM,
            acl: &["keyspace", "write", "slow"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: copy,
            doc: Doc { summary: "Copies the value of a key to a new key.", since: "6.2.0", group: "generic", complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", args: &[
                    Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                    Arg { name: "destination-db", kind: "integer", display: Some("destination-db"), token: Some("DB"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "move",
            arity: 3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: move_,
            doc: Doc { summary: "Moves a key to another database.", since: "1.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "db", kind: "integer", display: Some("db"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "touch",
            arity: -2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
            handler: touch,
            doc: Doc { summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", since: "3.2.1", group: "generic", complexity: "O(N) where N is the number of keys that will be touched.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "expire",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: expire,
            doc: Doc { summary: "Sets the expiration time of a key in seconds.", since: "1.0.0", group: "generic", complexity: "O(1)", history: &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "seconds", kind: "integer", display: Some("seconds"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("7.0.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                        Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                        Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pexpire",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: pexpire,
            doc: Doc { summary: "Sets the expiration time of a key in milliseconds.", since: "2.6.0", group: "generic", complexity: "O(1)", history: &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("7.0.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                        Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                        Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "expireat",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: expireat,
            doc: Doc { summary: "Sets the expiration time of a key to a Unix timestamp.", since: "1.2.0", group: "generic", complexity: "O(1)", history: &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("7.0.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                        Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                        Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pexpireat",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: pexpireat,
            doc: Doc { summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", since: "2.6.0", group: "generic", complexity: "O(1)", history: &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("7.0.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                        Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                        Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "ttl",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: ttl,
            doc: Doc { summary: "Returns the expiration time in seconds of a key.", since: "1.0.0", group: "generic", complexity: "O(1)", history: &[("2.8.0", "Added the -2 reply.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pttl",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: pttl,
            doc: Doc { summary: "Returns the expiration time in milliseconds of a key.", since: "2.6.0", group: "generic", complexity: "O(1)", history: &[("2.8.0", "Added the -2 reply.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "expiretime",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: expiretime,
            doc: Doc { summary: "Returns the expiration time of a key as a Unix timestamp.", since: "7.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pexpiretime",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["keyspace", "read", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: pexpiretime,
            doc: Doc { summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", since: "7.0.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "persist",
            arity: 2,
            flags: WRITE | FAST,
            acl: &["keyspace", "write", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: persist,
            doc: Doc { summary: "Removes the expiration time of a key.", since: "2.2.0", group: "generic", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
