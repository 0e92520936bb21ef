//! Hash commands (Redis's `t_hash.c`): HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HDEL,
//! HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN.
//!
//! The data structure and its encodings are `types::hash`; every key access goes through the
//! keyspace (`get`/`get_mut` answer WRONGTYPE, `written` does the bookkeeping). A hash never
//! exists empty: HDEL of its last field deletes the key, with `del` after `hdel`. Field
//! expiration (HEXPIRE and the 7.4/8.0 commands) is not here yet: those commands answer
//! Redis's unknown-command error.

use super::{parse_int, Ctx};
use crate::config::NOTIFY_HASH;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::hash::{Hash, Limits};
use bytes::Bytes;

fn limits(ctx: &Ctx) -> Limits {
    Limits {
        max_entries: ctx.store.config.hash_max_listpack_entries,
        max_value: ctx.store.config.hash_max_listpack_value,
    }
}

fn hash_read<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<Option<&'a mut Hash>> {
    let db = ctx.db();
    ctx.store.get::<Hash>(db, key)
}

/// Runs `edit` on the hash at `key` for a write, or on a new one stored only if `edit` left
/// a field in it (`hashTypeLookupWriteOrCreate`): one lookup, as `lists::push_values`. An
/// error from `edit` stores nothing new.
fn edit_or_create<R>(
    ctx: &mut Ctx,
    key: &Bytes,
    edit: impl FnOnce(&mut Hash) -> CmdResult<R>,
) -> CmdResult<R> {
    let db = ctx.db();
    match ctx.store.get_mut::<Hash>(db, key)? {
        Some(h) => edit(h),
        None => {
            let mut h = Hash::new();
            let r = edit(&mut h)?;
            if !h.is_empty() {
                ctx.store.add(db, key, Value::Hash(h));
            }
            Ok(r)
        }
    }
}

fn set_generic(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult<i64> {
    if argv.len() % 2 == 1 {
        return Err(CmdError::WrongArity(
            String::from_utf8_lossy(&argv[0]).to_ascii_lowercase(),
        ));
    }
    let lim = limits(ctx);
    let key = &argv[1];
    let created = edit_or_create(ctx, key, |h| {
        Ok(argv[2..]
            .chunks(2)
            .filter(|fv| h.insert(&fv[0], &fv[1], lim))
            .count())
    })?;
    let db = ctx.db();
    ctx.store
        .written_n(db, key, NOTIFY_HASH, "hset", ((argv.len() - 2) / 2) as u64);
    Ok(created as i64)
}

pub fn hset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = set_generic(ctx, argv)?;
    ctx.out.int(n);
    Ok(())
}

pub fn hmset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    set_generic(ctx, argv)?;
    ctx.out.ok();
    Ok(())
}

pub fn hsetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lim = limits(ctx);
    let (key, field, value) = (&argv[1], &argv[2], &argv[3]);
    let db = ctx.db();
    let set = edit_or_create(ctx, key, |h| {
        Ok(!h.contains(field) && h.insert(field, value, lim))
    })?;
    if set {
        ctx.store.written(db, key, NOTIFY_HASH, "hset");
    }
    ctx.out.int(set as i64);
    Ok(())
}

pub fn hget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    match ctx.store.get::<Hash>(db, &argv[1])? {
        Some(h) => match h.get(&argv[2]) {
            Some(v) => ctx.out.bulk(v),
            None => ctx.out.null(),
        },
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn hmget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let h = ctx.store.get::<Hash>(db, &argv[1])?;
    let out = &mut *ctx.out;
    out.array(argv.len() - 2);
    for f in &argv[2..] {
        match h.as_ref().and_then(|h| h.get(f)) {
            Some(v) => out.bulk(v),
            None => out.null(),
        }
    }
    Ok(())
}

/// HGETALL, HKEYS, HVALS (`genericHgetallCommand`).
fn getall_generic(ctx: &mut Ctx, key: &[u8], keys: bool, values: bool) -> CmdResult {
    let db = ctx.db();
    let h = ctx.store.get::<Hash>(db, key)?;
    let out = &mut *ctx.out;
    let n = h.as_ref().map_or(0, |h| h.len());
    if keys && values {
        out.map(n);
    } else {
        out.array(n);
    }
    for (f, v) in h.iter().flat_map(|h| h.iter()) {
        if keys {
            out.bulk(f);
        }
        if values {
            out.bulk(v);
        }
    }
    Ok(())
}

pub fn hgetall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &argv[1], true, true)
}

pub fn hkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &argv[1], true, false)
}

pub fn hvals(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, &argv[1], false, true)
}

pub fn hdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    super::remove_members(ctx, argv, NOTIFY_HASH, "hdel", Hash::remove, Hash::is_empty)
}

pub fn hlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = hash_read(ctx, &argv[1])?.map_or(0, |h| h.len());
    ctx.out.int(n as i64);
    Ok(())
}

pub fn hstrlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = hash_read(ctx, &argv[1])?
        .and_then(|h| h.get(&argv[2]).map(|v| v.len()))
        .unwrap_or(0);
    ctx.out.int(n as i64);
    Ok(())
}

pub fn hexists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let yes = hash_read(ctx, &argv[1])?.is_some_and(|h| h.contains(&argv[2]));
    ctx.out.int(yes as i64);
    Ok(())
}

pub fn hincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let incr = parse_int(&argv[3])?;
    let lim = limits(ctx);
    let (key, field) = (&argv[1], &argv[2]);
    let db = ctx.db();
    let new = edit_or_create(ctx, key, |h| {
        let old = match h.get(field) {
            Some(v) => crate::util::parse_i64(v)
                .ok_or_else(|| CmdError::err("hash value is not an integer"))?,
            None => 0,
        };
        let new = old.checked_add(incr).ok_or(CmdError::Overflow)?;
        h.insert(field, new.to_string().as_bytes(), lim);
        Ok(new)
    })?;
    ctx.store.written(db, key, NOTIFY_HASH, "hincrby");
    ctx.out.int(new);
    Ok(())
}

pub fn hincrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let incr = crate::util::parse_f64(&argv[3]).ok_or(CmdError::NotFloat)?;
    if !incr.is_finite() {
        return Err(CmdError::err("value is NaN or Infinity"));
    }
    let lim = limits(ctx);
    let (key, field) = (&argv[1], &argv[2]);
    let db = ctx.db();
    let text = edit_or_create(ctx, key, |h| {
        let old = match h.get(field) {
            Some(v) => crate::util::parse_f64(v)
                .ok_or_else(|| CmdError::err("hash value is not a float"))?,
            None => 0.0,
        };
        let new = old + incr;
        if !new.is_finite() {
            return Err(CmdError::err("increment would produce NaN or Infinity"));
        }
        let text = Bytes::from(crate::util::format_ld_human(new));
        h.insert(field, &text, lim);
        Ok(text)
    })?;
    ctx.store.written(db, key, NOTIFY_HASH, "hincrbyfloat");
    // Float formatting may differ between machines: propagate the result, as Redis does.
    ctx.also_propagate(vec![
        Bytes::from_static(b"HSET"),
        key.clone(),
        field.clone(),
        text.clone(),
    ]);
    ctx.out.bulk(&text);
    Ok(())
}

/// Writes one HRANDFIELD element: the field, or with values a pair (a 2-array in RESP3,
/// flat in RESP2).
fn write_random(ctx: &mut Ctx, f: &[u8], v: &[u8], withvalues: bool) {
    if withvalues && ctx.is_resp3() {
        ctx.out.array(2);
    }
    ctx.out.bulk(f);
    if withvalues {
        ctx.out.bulk(v);
    }
}

pub fn hrandfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    // Drawn from the server's generator, used while the hash is borrowed from the store.
    let mut rng = crate::util::Rng::new(ctx.store.rng.next_u64());
    if argv.len() == 2 {
        let Some(h) = ctx.store.get::<Hash>(db, &argv[1])? else {
            ctx.out.null();
            return Ok(());
        };
        match h.random(&mut rng) {
            Some((f, _)) => ctx.out.bulk(f),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    let l = parse_int(&argv[2])?;
    if l == i64::MIN {
        return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
    }
    let withvalues = match argv.len() {
        3 => false,
        4 if super::eq_ic(&argv[3], "withvalues") => true,
        _ => return Err(CmdError::Syntax),
    };
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    let (count, unique) = (l.unsigned_abs() as usize, l >= 0);
    let Some(h) = ctx.store.get::<Hash>(db, &argv[1])? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.array(0);
        return Ok(());
    }
    if !unique
        && super::random_reply_too_big(count, || {
            h.random(&mut rng).map_or(0, |(f, v)| f.len() + v.len())
        })
    {
        // Redis builds the whole reply and runs out of memory (redis/redis#11671; Valkey
        // 9.1 aborts); sluice refuses with Redis's own range error instead.
        return Err(CmdError::err("value is out of range"));
    }
    let rows = random_fields(h, count, unique, &mut rng);
    let out_n = rows.len();
    if withvalues && !ctx.is_resp3() {
        ctx.out.array(out_n * 2);
    } else {
        ctx.out.array(out_n);
    }
    for (f, v) in rows {
        write_random(ctx, &f, &v, withvalues);
    }
    Ok(())
}

/// HRANDFIELD's picks (`hrandfieldWithCountCommand`): with repetition, `count` independent
/// draws; without, the whole hash when `count` covers it (in the hash's order, as Redis),
/// else `count` distinct fields ([`super::distinct_random`]).
fn random_fields(
    h: &Hash,
    count: usize,
    unique: bool,
    rng: &mut crate::util::Rng,
) -> Vec<(Bytes, Bytes)> {
    let pair = |(f, v): (&[u8], &[u8])| (Bytes::copy_from_slice(f), Bytes::copy_from_slice(v));
    if !unique {
        return (0..count).filter_map(|_| h.random(rng).map(pair)).collect();
    }
    let size = h.len();
    if count >= size {
        return h.iter().map(pair).collect();
    }
    // A hash never holds one field twice: fields stand for their pairs.
    super::distinct_random(
        size,
        count,
        rng,
        || h.iter().collect(),
        |rng| h.random(rng).expect("never empty"),
    )
    .into_iter()
    .map(pair)
    .collect()
}

pub fn hscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = super::keys::parse_scan_cursor(&argv[2])?;
    let db = ctx.db();
    // A missing key answers an empty scan before the options are looked at (`hscanCommand`).
    if ctx.store.get::<Hash>(db, &argv[1])?.is_none() {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    }
    let super::keys::ScanOptions {
        count,
        pattern,
        novalues,
        ..
    } = super::keys::scan_options(argv, 3, true)?;
    let h = ctx.store.get::<Hash>(db, &argv[1])?.expect("checked");
    let mut found: Vec<(Bytes, Bytes)> = Vec::new();
    let next = h.scan(cursor, count, |f, v| {
        if pattern
            .as_ref()
            .is_none_or(|p| crate::glob::matches(p, f, false))
        {
            found.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
        }
    });
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(next.to_string().as_bytes());
    out.array(if novalues {
        found.len()
    } else {
        found.len() * 2
    });
    for (f, v) in found {
        out.bulk(&f);
        if !novalues {
            out.bulk(&v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// Command-level table: each line runs in order on one session.
    #[test]
    fn hash_commands_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["hset", "h", "a", "1", "b", "2"][..], ":2\r\n"),
            (&["hset", "h", "a", "3"], ":0\r\n"),
            (&["hget", "h", "a"], "$1\r\n3\r\n"),
            (
                &["hgetall", "h"],
                "*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n",
            ),
            (&["hincrby", "h", "a", "-4"], ":-1\r\n"),
            (
                &["hincrby", "h", "a", "9223372036854775807"],
                ":9223372036854775806\r\n",
            ),
            (
                &["hincrby", "h", "a", "2"],
                "-ERR increment or decrement would overflow\r\n",
            ),
            (&["hincrbyfloat", "h", "b", "0.5"], "$3\r\n2.5\r\n"),
            (
                &["hset", "h", "odd"],
                "-ERR wrong number of arguments for 'hset' command\r\n",
            ),
            (&["object", "encoding", "h"], "$8\r\nlistpack\r\n"),
            (&["hdel", "h", "a", "b", "zz"], ":2\r\n"),
            (&["exists", "h"], ":0\r\n"),
            (&["set", "s", "x"], "+OK\r\n"),
            (
                &["hget", "s", "a"],
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            ),
            (&["hrandfield", "nosuch", "-2"], "*0\r\n"),
            (&["hset", "r", "a", "1"], ":1\r\n"),
            (&["hrandfield", "r", "-2"], "*2\r\n$1\r\na\r\n$1\r\na\r\n"),
            (
                &["hrandfield", "r", "-9223372036854775807"],
                "-ERR value is out of range\r\n",
            ),
        ] {
            assert_eq!(s.run(argv), want, "{argv:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`), from Redis 7.2 as the oracle describes it
// (scripts/command-rows.py).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
mod rows {
    use super::*;
    use crate::cmd::table::*;

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
    Command {
        name: "hset",
        arity: -4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hset,
        doc: Doc { summary: "Creates or modifies the value of a field in a hash.", since: "2.0.0", group: "hash", complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", history: &[("4.0.0", "Accepts multiple `field` and `value` arguments.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                    Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hsetnx",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hsetnx,
        doc: Doc { summary: "Sets the value of a field in a hash only when the field doesn't exist.", since: "2.0.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hmset",
        arity: -4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hmset,
        doc: Doc { summary: "Sets the values of multiple fields.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the number of fields being set.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                    Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hget",
        arity: 3,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hget,
        doc: Doc { summary: "Returns the value of a field in a hash.", since: "2.0.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hmget",
        arity: -3,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hmget,
        doc: Doc { summary: "Returns the values of all fields in a hash.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the number of fields being requested.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hgetall",
        arity: 2,
        flags: READONLY,
        acl: &["read", "hash", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: hgetall,
        doc: Doc { summary: "Returns all fields and values in a hash.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the size of the hash.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hdel",
        arity: -3,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hdel,
        doc: Doc { summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the number of fields to be removed.", history: &[("2.4.0", "Accepts multiple `field` arguments.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hlen",
        arity: 2,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hlen,
        doc: Doc { summary: "Returns the number of fields in a hash.", since: "2.0.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hstrlen",
        arity: 3,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hstrlen,
        doc: Doc { summary: "Returns the length of the value of a field.", since: "3.2.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hexists",
        arity: 3,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hexists,
        doc: Doc { summary: "Determines whether a field exists in a hash.", since: "2.0.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hkeys",
        arity: 2,
        flags: READONLY,
        acl: &["read", "hash", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: hkeys,
        doc: Doc { summary: "Returns all fields in a hash.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the size of the hash.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hvals",
        arity: 2,
        flags: READONLY,
        acl: &["read", "hash", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: hvals,
        doc: Doc { summary: "Returns all values in a hash.", since: "2.0.0", group: "hash", complexity: "O(N) where N is the size of the hash.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hincrby",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hincrby,
        doc: Doc { summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", since: "2.0.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                Arg { name: "increment", kind: "integer", display: Some("increment"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hincrbyfloat",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hincrbyfloat,
        doc: Doc { summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", since: "2.6.0", group: "hash", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                Arg { name: "increment", kind: "double", display: Some("increment"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hrandfield",
        arity: -2,
        flags: READONLY,
        acl: &["read", "hash", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: hrandfield,
        doc: Doc { summary: "Returns one or more random fields from a hash.", since: "6.2.0", group: "hash", complexity: "O(N) where N is the number of fields returned", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "options", kind: "block", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                    Arg { name: "withvalues", kind: "pure-token", display: Some("withvalues"), token: Some("WITHVALUES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hscan",
        arity: -3,
        flags: READONLY,
        acl: &["read", "hash", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: hscan,
        doc: Doc { summary: "Iterates over fields and values of a hash.", since: "2.8.0", group: "hash", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "cursor", kind: "integer", display: Some("cursor"), ..Arg::DEFAULT },
                Arg { name: "pattern", kind: "pattern", display: Some("pattern"), token: Some("MATCH"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "novalues", kind: "pure-token", display: Some("novalues"), token: Some("NOVALUES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
