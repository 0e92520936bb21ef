//! Set commands (Redis's `t_set.c`): SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD,
//! SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
//! SDIFFSTORE, SSCAN.
//!
//! The data structure and its encodings are `types::set`; every key access goes through the
//! keyspace. A set never exists empty: the removal of its last member deletes the key, with
//! `del` after the command's own event. The multi-key commands look every key up first (in
//! argument order, so WRONGTYPE comes from the first non-set) and then read them side by
//! side. SPOP propagates as SREM (DEL when it takes the whole set), as Redis does.

use super::{parse_int, Ctx};
use crate::config::NOTIFY_SET;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::set::{Limits, Member, Set};
use bytes::Bytes;

fn limits(ctx: &Ctx) -> Limits {
    ctx.store.config.set_limits()
}

fn member_bulk(out: &mut resp::ReplyWriter, m: Member) {
    match m {
        Member::Int(v) => out.bulk_int(v),
        Member::Str(s) => out.bulk(s),
    }
}

fn member_bytes(m: Member) -> Bytes {
    Bytes::from(m.to_vec())
}

pub fn sadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lim = limits(ctx);
    let db = ctx.db();
    let key = &argv[1];
    let members = &argv[2..];
    let add_all = |s: &mut Set| members.iter().filter(|m| s.insert(m, lim)).count();
    let added = match ctx.store.get_mut::<Set>(db, key)? {
        Some(s) => {
            s.maybe_convert(members.len(), lim);
            add_all(s)
        }
        None => {
            let mut s = Set::new_for(&members[0], members.len(), lim);
            let n = add_all(&mut s);
            ctx.store.add(db, key, Value::Set(s));
            n
        }
    };
    if added > 0 {
        ctx.store
            .written_n(db, key, NOTIFY_SET, "sadd", added as u64);
    }
    ctx.out.int(added as i64);
    Ok(())
}

pub fn srem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    super::remove_members(ctx, argv, NOTIFY_SET, "srem", Set::remove, Set::is_empty)
}

pub fn smembers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let s = ctx.store.get::<Set>(db, &argv[1])?;
    let out = &mut *ctx.out;
    out.set(s.as_ref().map_or(0, |s| s.len()));
    for m in s.iter().flat_map(|s| s.iter()) {
        member_bulk(out, m);
    }
    Ok(())
}

pub fn sismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let yes = ctx
        .store
        .get::<Set>(db, &argv[1])?
        .is_some_and(|s| s.contains(&argv[2]));
    ctx.out.int(yes as i64);
    Ok(())
}

pub fn smismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let s = ctx.store.get::<Set>(db, &argv[1])?;
    let out = &mut *ctx.out;
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        out.int(s.as_ref().is_some_and(|s| s.contains(m)) as i64);
    }
    Ok(())
}

pub fn scard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let n = ctx.store.get::<Set>(db, &argv[1])?.map_or(0, |s| s.len());
    ctx.out.int(n as i64);
    Ok(())
}

/// SPOP with a count takes most of the set this way (`SPOP_MOVE_STRATEGY_MUL`).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

/// SREM effects of at most this many members each (`spopWithCountCommand`'s batch).
const SPOP_BATCH: usize = 1024;

pub fn spop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match argv.len() {
        2 => spop_one(ctx, &argv[1]),
        3 => spop_count(ctx, argv),
        _ => Err(CmdError::Syntax),
    }
}

fn spop_one(ctx: &mut Ctx, key: &Bytes) -> CmdResult {
    let db = ctx.db();
    let mut rng = crate::util::Rng::new(ctx.store.rng.next_u64());
    let Some(s) = ctx.store.get_mut::<Set>(db, key)? else {
        ctx.out.null();
        return Ok(());
    };
    let m = Bytes::from(s.pop_random(&mut rng).expect("a set is never empty"));
    ctx.store.written(db, key, NOTIFY_SET, "spop");
    ctx.store.delete_if_empty(db, key);
    ctx.also_propagate(vec![Bytes::from_static(b"SREM"), key.clone(), m.clone()]);
    ctx.out.bulk(&m);
    Ok(())
}

fn spop_count(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    // `getPositiveLongFromObjectOrReply`: one error for a negative and a non-number.
    let count = crate::util::parse_i64(&argv[2])
        .filter(|&c| c >= 0)
        .ok_or_else(|| CmdError::err("value is out of range, must be positive"))?
        as usize;
    let db = ctx.db();
    let lim = limits(ctx);
    let mut rng = crate::util::Rng::new(ctx.store.rng.next_u64());
    let Some(s) = ctx.store.get_mut::<Set>(db, key)? else {
        ctx.out.set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.set(0);
        return Ok(());
    }
    let size = s.len();
    let popped: Vec<Bytes> = if count >= size {
        // The whole set: replied as SMEMBERS would, and propagated as DEL.
        let all = std::mem::replace(s, Set::new_intset());
        all.iter().map(member_bytes).collect()
    } else if (size - count) * SPOP_MOVE_STRATEGY_MUL > count {
        // A few of many: random pops.
        (0..count)
            .map(|_| Bytes::from(s.pop_random(&mut rng).expect("count < size")))
            .collect()
    } else {
        // Most of the set: the members that stay move to a new set, as Redis builds it (an
        // intset from an intset, else a listpack converted as it grows), and the old set's
        // members are the reply.
        let mut keep = if matches!(s, Set::Intset(_)) {
            Set::new_intset()
        } else {
            Set::new_listpack()
        };
        for _ in 0..size - count {
            let m = s.pop_random(&mut rng).expect("remaining < size");
            keep.insert(&m, lim);
        }
        let old = std::mem::replace(s, keep);
        old.iter().map(member_bytes).collect()
    };
    ctx.store
        .written_n(db, key, NOTIFY_SET, "spop", popped.len() as u64);
    if count >= size {
        ctx.store.delete_if_empty(db, key);
        ctx.also_propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
    } else {
        for chunk in popped.chunks(SPOP_BATCH) {
            let mut effect = vec![Bytes::from_static(b"SREM"), key.clone()];
            effect.extend(chunk.iter().cloned());
            ctx.also_propagate(effect);
        }
    }
    let out = &mut *ctx.out;
    out.set(popped.len());
    for m in &popped {
        out.bulk(m);
    }
    Ok(())
}

pub fn srandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let mut rng = crate::util::Rng::new(ctx.store.rng.next_u64());
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    if argv.len() == 2 {
        match ctx.store.get::<Set>(db, &argv[1])? {
            Some(s) => member_bulk(ctx.out, s.random(&mut rng).expect("never empty")),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    let l = parse_int(&argv[2])?;
    if l == i64::MIN {
        return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
    }
    let (count, unique) = (l.unsigned_abs() as usize, l >= 0);
    let Some(s) = ctx.store.get::<Set>(db, &argv[1])? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.array(0);
        return Ok(());
    }
    let out = &mut *ctx.out;
    if !unique || count == 1 {
        if super::random_reply_too_big(count, || {
            s.random(&mut rng)
                .map_or(0, |m| m.bytes(&mut [0; 21]).len())
        }) {
            return Err(CmdError::err("value is out of range"));
        }
        out.array(count);
        for _ in 0..count {
            member_bulk(out, s.random(&mut rng).expect("never empty"));
        }
        return Ok(());
    }
    let size = s.len();
    if count >= size {
        out.array(size);
        for m in s.iter() {
            member_bulk(out, m);
        }
        return Ok(());
    }
    let picked = super::distinct_random(
        size,
        count,
        &mut rng,
        || s.iter().collect(),
        |rng| s.random(rng).expect("never empty"),
    );
    out.array(picked.len());
    for m in picked {
        member_bulk(out, m);
    }
    Ok(())
}

pub fn smove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (src, dst, m) = (&argv[1], &argv[2], &argv[3]);
    let db = ctx.db();
    let lim = limits(ctx);
    let dst_ok = ctx
        .store
        .lookup_write(db, dst)
        .is_none_or(|v| matches!(v, Value::Set(_)));
    let Some(s) = ctx.store.get_mut::<Set>(db, src)? else {
        ctx.out.int(0);
        return Ok(());
    };
    if !dst_ok {
        return Err(CmdError::WrongType);
    }
    if src == dst {
        let yes = s.contains(m);
        ctx.out.int(yes as i64);
        return Ok(());
    }
    if !s.remove(m) {
        ctx.out.int(0);
        return Ok(());
    }
    ctx.store.written(db, src, NOTIFY_SET, "srem");
    ctx.store.delete_if_empty(db, src);
    let added = match ctx.store.get_mut::<Set>(db, dst)? {
        Some(d) => d.insert(m, lim),
        None => {
            let mut d = Set::new_for(m, 1, lim);
            d.insert(m, lim);
            ctx.store.add(db, dst, Value::Set(d));
            true
        }
    };
    if added {
        ctx.store.written(db, dst, NOTIFY_SET, "sadd");
    }
    ctx.out.int(1);
    Ok(())
}

/// Looks every key up as a set, in order (WRONGTYPE from the first that is not one, keyspace
/// hits and misses, lazy expiry), then lends them all at once; a missing key is None.
fn sets_of<'a>(
    store: &'a mut crate::store::Store,
    db: usize,
    keys: &[Bytes],
) -> CmdResult<Vec<Option<&'a Set>>> {
    for k in keys {
        store.get::<Set>(db, k)?;
    }
    let store = &*store;
    Ok(keys
        .iter()
        .map(|k| match store.peek(db, k) {
            Some(Value::Set(s)) => Some(s),
            _ => None,
        })
        .collect())
}

fn store_result(ctx: &mut Ctx, dst: &Bytes, result: Set, event: &str) {
    let n = result.len();
    super::store_result(ctx, dst, Value::Set(result), n, (NOTIFY_SET, event, 1));
}

/// What SINTER and its kin compute: the members of the smallest set found in all the others,
/// handed to `each` until it says stop.
fn intersect<'a>(sets: &[&'a Set], mut each: impl FnMut(Member<'a>) -> bool) {
    let mut order: Vec<&'a Set> = sets.to_vec();
    order.sort_by_key(|s| s.len());
    let (first, rest) = order.split_first().expect("at least one key");
    for m in first.iter() {
        if rest
            .iter()
            .all(|o| std::ptr::eq(*o, *first) || o.contains_member(m))
            && !each(m)
        {
            break;
        }
    }
}

pub fn sinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let sets = sets_of(ctx.store, db, &argv[1..])?;
    let Some(sets) = sets.into_iter().collect::<Option<Vec<&Set>>>() else {
        ctx.out.set(0);
        return Ok(());
    };
    let mut found = Vec::new();
    intersect(&sets, |m| {
        found.push(m);
        true
    });
    let out = &mut *ctx.out;
    out.set(found.len());
    for m in found {
        member_bulk(out, m);
    }
    Ok(())
}

pub fn sintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let numkeys_err = || CmdError::err("numkeys should be greater than 0");
    let numkeys = crate::util::parse_i64(&argv[1]).ok_or_else(numkeys_err)?;
    if numkeys < 1 {
        return Err(numkeys_err());
    }
    if numkeys as u64 > (argv.len() - 2) as u64 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0usize;
    let mut a = super::args::Args::new(argv, keys_end);
    while !a.is_empty() {
        if a.remaining() >= 2 && a.eat("limit") {
            let l = crate::util::parse_i64(a.next_bytes()?)
                .filter(|&l| l >= 0)
                .ok_or_else(|| CmdError::err("LIMIT can't be negative"))?;
            limit = l as usize;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let db = ctx.db();
    let sets = sets_of(ctx.store, db, &argv[2..keys_end])?;
    let mut n = 0usize;
    if let Some(sets) = sets.into_iter().collect::<Option<Vec<&Set>>>() {
        intersect(&sets, |_| {
            n += 1;
            limit == 0 || n < limit
        });
    }
    ctx.out.int(n as i64);
    Ok(())
}

pub fn sinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lim = limits(ctx);
    let db = ctx.db();
    let sets = sets_of(ctx.store, db, &argv[2..])?;
    let result = match sets.into_iter().collect::<Option<Vec<&Set>>>() {
        None => Set::new_intset(),
        Some(sets) => {
            // Redis starts from the smallest set's encoding (an intset stays one, anything
            // else starts as a listpack) and ends as an intset if only integers came.
            let smallest = sets.iter().min_by_key(|s| s.len()).expect("keys");
            let mut dst = if matches!(smallest, Set::Intset(_)) {
                Set::new_intset()
            } else {
                Set::new_listpack()
            };
            let mut only_integers = true;
            intersect(&sets, |m| {
                if let Member::Str(s) = m {
                    only_integers &= crate::util::parse_i64(s).is_some();
                }
                dst.insert_member(m, lim);
                true
            });
            if only_integers && !dst.is_empty() {
                dst.maybe_convert_to_intset(lim);
            }
            dst
        }
    };
    store_result(ctx, &argv[1], result, "sinterstore");
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Diff,
}

/// SUNION and SDIFF (`sunionDiffGenericCommand`): the result as a set, which starts as an
/// intset when it is to be stored or when every input is one, and as a hashtable otherwise.
fn union_diff(ctx: &mut Ctx, keys: &[Bytes], op: SetOp, store: bool) -> CmdResult<Set> {
    let lim = limits(ctx);
    let db = ctx.db();
    let sets = sets_of(ctx.store, db, keys)?;
    let all_intsets = sets.iter().flatten().all(|s| matches!(s, Set::Intset(_)));
    let mut dst = if store || all_intsets {
        Set::new_intset()
    } else {
        Set::new_table()
    };
    match op {
        SetOp::Union => {
            for s in sets.iter().flatten() {
                dst.maybe_convert(s.len(), lim);
                for m in s.iter() {
                    dst.insert_member(m, lim);
                }
            }
        }
        SetOp::Diff => {
            if let Some(first) = sets[0] {
                let same = sets[1..].iter().flatten().any(|s| std::ptr::eq(*s, first));
                if !same {
                    for m in first.iter() {
                        if !sets[1..].iter().flatten().any(|s| s.contains_member(m)) {
                            dst.insert_member(m, lim);
                        }
                    }
                }
            }
        }
    }
    Ok(dst)
}

fn reply_set(ctx: &mut Ctx, s: &Set) {
    let out = &mut *ctx.out;
    out.set(s.len());
    for m in s.iter() {
        member_bulk(out, m);
    }
}

pub fn sunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[1..], SetOp::Union, false)?;
    reply_set(ctx, &s);
    Ok(())
}

pub fn sdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[1..], SetOp::Diff, false)?;
    reply_set(ctx, &s);
    Ok(())
}

pub fn sunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[2..], SetOp::Union, true)?;
    store_result(ctx, &argv[1], s, "sunionstore");
    Ok(())
}

pub fn sdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[2..], SetOp::Diff, true)?;
    store_result(ctx, &argv[1], s, "sdiffstore");
    Ok(())
}

pub fn sscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = super::keys::parse_scan_cursor(&argv[2])?;
    let db = ctx.db();
    if ctx.store.get::<Set>(db, &argv[1])?.is_none() {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    }
    let super::keys::ScanOptions { count, pattern, .. } =
        super::keys::scan_options(argv, 3, false)?;
    let s = ctx.store.get::<Set>(db, &argv[1])?.expect("checked");
    let mut found: Vec<Bytes> = Vec::new();
    let next = s.scan(cursor, count, |m| {
        let mut buf = [0; 21];
        let b = m.bytes(&mut buf);
        if pattern
            .as_ref()
            .is_none_or(|p| crate::glob::matches(p, b, false))
        {
            found.push(Bytes::copy_from_slice(b));
        }
    });
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(next.to_string().as_bytes());
    out.array(found.len());
    for m in found {
        out.bulk(&m);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// Command-level table: each line runs in order on one session.
    #[test]
    fn set_commands_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["sadd", "s", "3", "1", "2", "1"][..], ":3\r\n"),
            (&["object", "encoding", "s"], "$6\r\nintset\r\n"),
            (
                &["smembers", "s"],
                "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
            ),
            (&["sadd", "s", "a"], ":1\r\n"),
            (&["object", "encoding", "s"], "$8\r\nlistpack\r\n"),
            (&["smismember", "s", "a", "9"], "*2\r\n:1\r\n:0\r\n"),
            (&["sadd", "t", "2", "3", "4"], ":3\r\n"),
            (&["sintercard", "2", "s", "t", "limit", "1"], ":1\r\n"),
            (&["sinterstore", "d", "s", "t"], ":2\r\n"),
            (&["object", "encoding", "d"], "$6\r\nintset\r\n"),
            (&["sdiff", "t", "s"], "*1\r\n$1\r\n4\r\n"),
            (&["smove", "t", "s", "4"], ":1\r\n"),
            (&["scard", "s"], ":5\r\n"),
            (
                &["spop", "t", "-1"],
                "-ERR value is out of range, must be positive\r\n",
            ),
            (&["srem", "t", "2", "3"], ":2\r\n"),
            (&["exists", "t"], ":0\r\n"),
            (
                &["sintercard", "0", "s"],
                "-ERR numkeys should be greater than 0\r\n",
            ),
            (&["set", "str", "x"], "+OK\r\n"),
            (
                &["sunion", "s", "str"],
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            ),
            (&["smove", "nosuch", "str", "a"], ":0\r\n"),
            (
                &["smove", "s", "str", "a"],
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            ),
            (&["srandmember", "nosuch", "-5"], "*0\r\n"),
            (&["sadd", "one", "x"], ":1\r\n"),
            (
                &["srandmember", "one", "-2"],
                "*2\r\n$1\r\nx\r\n$1\r\nx\r\n",
            ),
            (
                &["srandmember", "one", "-9223372036854775807"],
                "-ERR value is out of range\r\n",
            ),
            (&["spop", "one", "5"], "*1\r\n$1\r\nx\r\n"),
            (&["exists", "one"], ":0\r\n"),
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
        name: "sadd",
        arity: -3,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: sadd,
        doc: Doc { summary: "Adds one or more members to a set. Creates the key if it doesn't exist.", since: "1.0.0", group: "set", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", history: &[("2.4.0", "Accepts multiple `member` arguments.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "srem",
        arity: -3,
        flags: WRITE | FAST,
        acl: &["write", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: srem,
        doc: Doc { summary: "Removes one or more members from a set. Deletes the set if the last member was removed.", since: "1.0.0", group: "set", complexity: "O(N) where N is the number of members to be removed.", history: &[("2.4.0", "Accepts multiple `member` arguments.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "smembers",
        arity: 2,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: smembers,
        doc: Doc { summary: "Returns all members of a set.", since: "1.0.0", group: "set", complexity: "O(N) where N is the set cardinality.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sismember",
        arity: 3,
        flags: READONLY | FAST,
        acl: &["read", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: sismember,
        doc: Doc { summary: "Determines whether a member belongs to a set.", since: "1.0.0", group: "set", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "smismember",
        arity: -3,
        flags: READONLY | FAST,
        acl: &["read", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: smismember,
        doc: Doc { summary: "Determines whether multiple members belong to a set.", since: "6.2.0", group: "set", complexity: "O(N) where N is the number of elements being checked for membership", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "scard",
        arity: 2,
        flags: READONLY | FAST,
        acl: &["read", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: scard,
        doc: Doc { summary: "Returns the number of members in a set.", since: "1.0.0", group: "set", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "spop",
        arity: -2,
        flags: WRITE | FAST,
        acl: &["write", "set", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: spop,
        doc: Doc { summary: "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", since: "1.0.0", group: "set", complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", history: &[("3.2.0", "Added the `count` argument.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), since: Some("3.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "srandmember",
        arity: -2,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: srandmember,
        doc: Doc { summary: "Gets one or multiple random members from a set.", since: "1.0.0", group: "set", complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", history: &[("2.6.0", "Added the optional `count` argument.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), since: Some("2.6.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "smove",
        arity: 4,
        flags: WRITE | FAST,
        acl: &["write", "set", "fast"],
        legacy_keys: (1, 2, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: smove,
        doc: Doc { summary: "Moves a member from one set to another.", since: "1.0.0", group: "set", complexity: "O(1)", args: &[
                Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sinter",
        arity: -2,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: sinter,
        doc: Doc { summary: "Returns the intersect of multiple sets.", since: "1.0.0", group: "set", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sintercard",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "set", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: sintercard,
        doc: Doc { summary: "Returns the number of members of the intersect of multiple sets.", since: "7.0.0", group: "set", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "integer", display: Some("limit"), token: Some("LIMIT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sinterstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        acl: &["write", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: sinterstore,
        doc: Doc { summary: "Stores the intersect of multiple sets in a key.", since: "1.0.0", group: "set", complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sunion",
        arity: -2,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: sunion,
        doc: Doc { summary: "Returns the union of multiple sets.", since: "1.0.0", group: "set", complexity: "O(N) where N is the total number of elements in all given sets.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sunionstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        acl: &["write", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: sunionstore,
        doc: Doc { summary: "Stores the union of multiple sets in a key.", since: "1.0.0", group: "set", complexity: "O(N) where N is the total number of elements in all given sets.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sdiff",
        arity: -2,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output_order"],
        handler: sdiff,
        doc: Doc { summary: "Returns the difference of multiple sets.", since: "1.0.0", group: "set", complexity: "O(N) where N is the total number of elements in all given sets.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sdiffstore",
        arity: -3,
        flags: WRITE | DENYOOM,
        acl: &["write", "set", "slow"],
        legacy_keys: (1, -1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: sdiffstore,
        doc: Doc { summary: "Stores the difference of multiple sets in a key.", since: "1.0.0", group: "set", complexity: "O(N) where N is the total number of elements in all given sets.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sscan",
        arity: -3,
        flags: READONLY,
        acl: &["read", "set", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: sscan,
        doc: Doc { summary: "Iterates over members of a set.", since: "2.8.0", group: "set", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "cursor", kind: "integer", display: Some("cursor"), ..Arg::DEFAULT },
                Arg { name: "pattern", kind: "pattern", display: Some("pattern"), token: Some("MATCH"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
