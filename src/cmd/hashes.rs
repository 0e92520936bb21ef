//! Hash commands (Redis's `t_hash.c`): HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HDEL,
//! HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN.
//!
//! The data structure and its encodings are `types::hash`; every key access goes through the
//! keyspace (`get`/`get_mut` answer WRONGTYPE, `written` does the bookkeeping). A hash never
//! exists empty: HDEL of its last field deletes the key, with `del` after `hdel`.
//!
//! Field expiration (7.4: HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME,
//! HPEXPIRETIME, HPERSIST; 8.0: HGETEX, HSETEX, HGETDEL), after Redis 8's `t_hash.c`: the
//! types store the times; the keyspace deletes due fields before any command sees them
//! (`Store::reclaim_fields`), so the handlers here never meet an expired field. Effects are
//! propagated, never the requests: relative times become `HPEXPIREAT`/`HSETEX PXAT` with the
//! absolute time, fields deleted because their time is past become `HDEL`, and conditions
//! (NX/XX/GT/LT, FNX/FXX) are dropped once decided.

use super::{parse_int, Ctx};
use crate::config::NOTIFY_HASH;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::hash::{Hash, Limits};
use bytes::Bytes;

fn limits(ctx: &Ctx) -> Limits {
    ctx.store.config.hash_limits()
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
    if ctx.store.subkeys_wanted(NOTIFY_HASH) {
        let fields: Vec<&Bytes> = argv[2..].iter().step_by(2).collect();
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hset", &fields);
    }
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
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hset", &[field]);
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
        h.set(field, new.to_string().as_bytes(), lim, true);
        Ok(new)
    })?;
    ctx.store.written(db, key, NOTIFY_HASH, "hincrby");
    ctx.store
        .notify_subkeys(db, key, NOTIFY_HASH, "hincrby", &[field]);
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
        h.set(field, &text, lim, true);
        Ok((text, matches!(h.expire_of(field), Some(Some(_)))))
    })?;
    let (text, has_ttl) = text;
    ctx.store.written(db, key, NOTIFY_HASH, "hincrbyfloat");
    ctx.store
        .notify_subkeys(db, key, NOTIFY_HASH, "hincrbyfloat", &[field]);
    // Float formatting may differ between machines: propagate the result, as Redis does.
    // Redis 8 always writes `HSETEX key KEEPTTL FIELDS 1 f v`; HSET says the same for a
    // field without a TTL and keeps the AOF loadable by Redis 7.
    ctx.also_propagate(if has_ttl {
        vec![
            Bytes::from_static(b"HSETEX"),
            key.clone(),
            Bytes::from_static(b"KEEPTTL"),
            Bytes::from_static(b"FIELDS"),
            Bytes::from_static(b"1"),
            field.clone(),
            text.clone(),
        ]
    } else {
        vec![
            Bytes::from_static(b"HSET"),
            key.clone(),
            field.clone(),
            text.clone(),
        ]
    });
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

// ---------------------------------------------------------------------------------------
// Field expiration
// ---------------------------------------------------------------------------------------

/// `HFE_MAX_ABS_TIME_MSEC`: the latest field expire time Redis accepts (`EB_EXPIRE_TIME_MAX
/// >> 2`, in the year 4199).
const MAX_FIELD_EXPIRE_MS: i64 = ((1 << 48) - 1) >> 2;

const FIELDS_MISSING: &str = "Mandatory argument FIELDS is missing or not at the right position";
const FIELDS_MISMATCH: &str = "The `numfields` parameter must match the number of arguments";
const NUMFIELDS_POSITIVE: &str = "Number of fields must be a positive integer";

/// `FIELDS numfields field...` starting at `argv[at]`: the fields, or Redis's errors
/// (`count_err` is the text for a bad numfields, which HEXPIRE words its own way).
fn parse_fields<'a>(argv: &'a [Bytes], at: usize, count_err: &str) -> CmdResult<&'a [Bytes]> {
    if !argv
        .get(at)
        .is_some_and(|a| a.eq_ignore_ascii_case(b"FIELDS"))
    {
        return Err(CmdError::err(FIELDS_MISSING));
    }
    let n = argv
        .get(at + 1)
        .and_then(|a| crate::util::parse_i64(a))
        .filter(|&n| n >= 1)
        .ok_or_else(|| CmdError::err(count_err))?;
    if n as u64 != (argv.len() - at - 2) as u64 {
        return Err(CmdError::err(FIELDS_MISMATCH));
    }
    Ok(&argv[at + 2..])
}

/// The field-expiry `parseExpireTime`: `arg` in seconds or ms after `base` (0 for the `*AT`
/// forms), as an absolute unix time in ms.
fn parse_field_expire(arg: &[u8], secs: bool, base: i64, cmd: &[u8]) -> CmdResult<i64> {
    let v = parse_int(arg)?;
    if v < 0 {
        return Err(CmdError::err("invalid expire time, must be >= 0"));
    }
    let invalid = || {
        CmdError::err(format!(
            "invalid expire time in '{}' command",
            String::from_utf8_lossy(cmd).to_ascii_lowercase()
        ))
    };
    let ms = if secs {
        if v > MAX_FIELD_EXPIRE_MS / 1000 {
            return Err(invalid());
        }
        v * 1000
    } else {
        v
    };
    if ms > MAX_FIELD_EXPIRE_MS - base {
        return Err(invalid());
    }
    Ok(ms + base)
}

/// Subkey notifications (Redis 8.8) of a field-TTL change reported as `event`: the fields
/// it names are the deleted ones for `hdel`, the updated ones otherwise.
fn notify_fields(ctx: &mut Ctx, key: &Bytes, event: &str, updated: &[Bytes], deleted: &[Bytes]) {
    let db = ctx.db();
    let fields = if event == "hdel" { deleted } else { updated };
    ctx.store
        .notify_subkeys(db, key, NOTIFY_HASH, event, fields);
}

/// `cmd key head... FIELDS n args...`, `n` being the number of fields (`stride` arguments
/// each).
fn fields_argv(
    cmd: &'static [u8],
    key: &Bytes,
    head: &[Bytes],
    args: &[Bytes],
    stride: usize,
) -> Vec<Bytes> {
    let mut v = Vec::with_capacity(4 + head.len() + args.len());
    v.push(Bytes::from_static(cmd));
    v.push(key.clone());
    v.extend(head.iter().cloned());
    v.push(Bytes::from_static(b"FIELDS"));
    v.push(Bytes::from((args.len() / stride).to_string()));
    v.extend(args.iter().cloned());
    v
}

fn hdel_effects(ctx: &mut Ctx, key: &Bytes, fields: &[Bytes]) {
    for f in fields {
        ctx.also_propagate(vec![Bytes::from_static(b"HDEL"), key.clone(), f.clone()]);
    }
}

/// The reply to a field command on a missing key: one `code` (or null) per field.
fn missing_key_reply(ctx: &mut Ctx, n: usize, code: Option<i64>) {
    ctx.out.array(n);
    for _ in 0..n {
        match code {
            Some(c) => ctx.out.int(c),
            None => ctx.out.null(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireCond {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

/// HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT (`hexpireGenericCommand`). Per field: -2 no such
/// field, 0 the condition failed, 1 set, 2 deleted because the time is not in the future.
fn hexpire_generic(ctx: &mut Ctx, argv: &[Bytes], secs: bool, relative: bool) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let exists = ctx.store.get_mut::<Hash>(db, key)?.is_some();
    let now = ctx.now;
    let when = parse_field_expire(&argv[2], secs, if relative { now } else { 0 }, &argv[0])?;
    let opt = argv[3].to_ascii_uppercase();
    let (cond, at) = match &opt[..] {
        b"NX" => (ExpireCond::Nx, 4),
        b"XX" => (ExpireCond::Xx, 4),
        b"GT" => (ExpireCond::Gt, 4),
        b"LT" => (ExpireCond::Lt, 4),
        _ => (ExpireCond::Always, 3),
    };
    let fields = parse_fields(argv, at, "Parameter `numFields` should be greater than 0")?;
    if !exists {
        missing_key_reply(ctx, fields.len(), Some(-2));
        return Ok(());
    }
    let h = ctx
        .store
        .get_mut::<Hash>(db, key)?
        .expect("looked up above");
    let (mut updated, mut deleted) = (Vec::new(), Vec::new());
    let codes: Vec<i64> = fields
        .iter()
        .map(|f| {
            let Some(cur) = h.expire_of(f) else {
                return -2;
            };
            let ok = match cond {
                ExpireCond::Always => true,
                ExpireCond::Nx => cur.is_none(),
                ExpireCond::Xx => cur.is_some(),
                // No TTL counts as infinite: GT never passes it, LT always does.
                ExpireCond::Gt => cur.is_some_and(|c| when > c),
                ExpireCond::Lt => cur.is_none_or(|c| when < c),
            };
            if !ok {
                0
            } else if when <= now {
                h.remove(f);
                deleted.push(f.clone());
                2
            } else {
                h.set_expire(f, Some(when));
                updated.push(f.clone());
                1
            }
        })
        .collect();
    let changes = updated.len() + deleted.len();
    if changes > 0 {
        let event = if deleted.is_empty() {
            "hexpire"
        } else {
            "hdel"
        };
        ctx.store
            .written_n(db, key, NOTIFY_HASH, event, changes as u64);
        notify_fields(ctx, key, event, &updated, &deleted);
        hdel_effects(ctx, key, &deleted);
        if !updated.is_empty() {
            let when = Bytes::from(when.to_string());
            ctx.also_propagate(fields_argv(b"HPEXPIREAT", key, &[when], &updated, 1));
            ctx.store.note_field_ttls(db, key);
        }
        ctx.store.delete_if_empty(db, key);
    }
    ctx.out.array(codes.len());
    for c in codes {
        ctx.out.int(c);
    }
    Ok(())
}

pub fn hexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, true, true)
}

pub fn hpexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, false, true)
}

pub fn hexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, true, false)
}

pub fn hpexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, false, false)
}

/// HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME (`httlGenericCommand`): per field -2 no such field,
/// -1 no TTL, else the time left (or the absolute time), seconds rounded up.
fn httl_generic(ctx: &mut Ctx, argv: &[Bytes], secs: bool, relative: bool) -> CmdResult {
    let db = ctx.db();
    let base = if relative { ctx.now } else { 0 };
    let h = ctx.store.get::<Hash>(db, &argv[1])?;
    let fields = parse_fields(argv, 2, NUMFIELDS_POSITIVE)?;
    let Some(h) = h else {
        missing_key_reply(ctx, fields.len(), Some(-2));
        return Ok(());
    };
    let out = &mut *ctx.out;
    out.array(fields.len());
    for f in fields {
        out.int(match h.expire_of(f) {
            None => -2,
            Some(None) => -1,
            Some(Some(w)) if secs => (w + 999 - base) / 1000,
            Some(Some(w)) => w - base,
        });
    }
    Ok(())
}

pub fn httl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, true, true)
}

pub fn hpttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, false, true)
}

pub fn hexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, true, false)
}

pub fn hpexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, false, false)
}

/// HPERSIST: per field -2 no such field, -1 no TTL, 1 TTL removed.
pub fn hpersist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let exists = ctx.store.get_mut::<Hash>(db, key)?.is_some();
    let fields = parse_fields(argv, 2, NUMFIELDS_POSITIVE)?;
    if !exists {
        missing_key_reply(ctx, fields.len(), Some(-2));
        return Ok(());
    }
    let h = ctx
        .store
        .get_mut::<Hash>(db, key)?
        .expect("looked up above");
    let mut changed = Vec::new();
    let codes: Vec<i64> = fields
        .iter()
        .map(|f| match h.expire_of(f) {
            None => -2,
            Some(None) => -1,
            Some(Some(_)) => {
                h.set_expire(f, None);
                changed.push(f.clone());
                1
            }
        })
        .collect();
    if !changed.is_empty() {
        ctx.store.written(db, key, NOTIFY_HASH, "hpersist");
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hpersist", &changed);
        ctx.also_propagate(fields_argv(b"HPERSIST", key, &[], &changed, 1));
    }
    ctx.out.array(codes.len());
    for c in codes {
        ctx.out.int(c);
    }
    Ok(())
}

/// HGETDEL key FIELDS n field...: the values (nil for missing fields), and the fields
/// deleted; propagated as HDEL.
pub fn hgetdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let exists = ctx.store.get_mut::<Hash>(db, key)?.is_some();
    let fields = parse_fields(argv, 2, NUMFIELDS_POSITIVE)?;
    if !exists {
        missing_key_reply(ctx, fields.len(), None);
        return Ok(());
    }
    let h = ctx
        .store
        .get_mut::<Hash>(db, key)?
        .expect("looked up above");
    let out = &mut *ctx.out;
    out.array(fields.len());
    let mut deleted = Vec::new();
    for f in fields {
        match h.get(f) {
            Some(v) => {
                out.bulk(v);
                h.remove(f);
                deleted.push(f.clone());
            }
            None => out.null(),
        }
    }
    if !deleted.is_empty() {
        ctx.store
            .written_n(db, key, NOTIFY_HASH, "hdel", deleted.len() as u64);
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hdel", &deleted);
        let mut hdel = vec![Bytes::from_static(b"HDEL"), key.clone()];
        hdel.extend(deleted);
        ctx.also_propagate(hdel);
        ctx.store.delete_if_empty(db, key);
    }
    Ok(())
}

/// HGETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST] FIELDS n field...: the values, and
/// the existing fields' TTLs set or removed.
pub fn hgetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let exists = ctx.store.get_mut::<Hash>(db, key)?.is_some();
    let now = ctx.now;
    let opt = argv[2].to_ascii_uppercase();
    // None: no option; Some(None): PERSIST; Some(Some(t)): expire at t.
    let (change, at) = match &opt[..] {
        b"EX" | b"PX" | b"EXAT" | b"PXAT" => {
            let secs = opt[..2] == *b"EX";
            let base = if opt.len() == 2 { now } else { 0 };
            let when = parse_field_expire(&argv[3], secs, base, b"hgetex")?;
            (Some(Some(when)), 4)
        }
        b"PERSIST" => (Some(None), 3),
        _ => (None, 2),
    };
    let fields = parse_fields(argv, at, NUMFIELDS_POSITIVE)?;
    if !exists {
        missing_key_reply(ctx, fields.len(), None);
        return Ok(());
    }
    let h = ctx
        .store
        .get_mut::<Hash>(db, key)?
        .expect("looked up above");
    let out = &mut *ctx.out;
    out.array(fields.len());
    let (mut updated, mut deleted) = (Vec::new(), Vec::new());
    for f in fields {
        let Some(v) = h.get(f) else {
            out.null();
            continue;
        };
        out.bulk(v);
        match change {
            None => {}
            Some(None) => {
                if matches!(h.expire_of(f), Some(Some(_))) {
                    h.set_expire(f, None);
                    updated.push(f.clone());
                }
            }
            Some(Some(when)) if when <= now => {
                h.remove(f);
                deleted.push(f.clone());
            }
            Some(Some(when)) => {
                h.set_expire(f, Some(when));
                updated.push(f.clone());
            }
        }
    }
    let changes = (updated.len() + deleted.len()) as u64;
    if changes == 0 {
        // A read, whatever it names: dirty did not move, nothing is propagated.
        return Ok(());
    }
    let event = match change {
        _ if updated.is_empty() => "hdel",
        Some(None) => "hpersist",
        _ => "hexpire",
    };
    ctx.store.written_n(db, key, NOTIFY_HASH, event, changes);
    notify_fields(ctx, key, event, &updated, &deleted);
    hdel_effects(ctx, key, &deleted);
    match change {
        Some(None) if !updated.is_empty() => {
            ctx.also_propagate(fields_argv(b"HPERSIST", key, &[], &updated, 1));
        }
        Some(Some(when)) if !updated.is_empty() => {
            let when = Bytes::from(when.to_string());
            ctx.also_propagate(fields_argv(b"HPEXPIREAT", key, &[when], &updated, 1));
            ctx.store.note_field_ttls(db, key);
        }
        _ => {}
    }
    ctx.store.delete_if_empty(db, key);
    Ok(())
}

/// HSETEX's expiry option.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetExpiry {
    None,
    KeepTtl,
    At(i64),
}

/// HSETEX key [FNX | FXX] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL] FIELDS n field value...:
/// 1 when the fields were set, 0 when FNX/FXX refused (`hsetexCommand`).
pub fn hsetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let arity = || CmdError::WrongArity("hsetex".into());
    let now = ctx.now;
    let (mut fnx, mut fxx, mut expiry) = (false, false, SetExpiry::None);
    let mut i = 2;
    let pairs = loop {
        let Some(a) = argv.get(i) else {
            return Err(arity());
        };
        let a = a.to_ascii_uppercase();
        match &a[..] {
            b"FIELDS" => {
                if i + 3 >= argv.len() {
                    return Err(arity());
                }
                let n = crate::util::parse_i64(&argv[i + 1])
                    .filter(|n| (1..=i32::MAX as i64).contains(n))
                    .ok_or_else(|| CmdError::err("invalid number of fields"))?;
                let rest = argv.len() - i - 2;
                if !rest.is_multiple_of(2) || n as usize != rest / 2 {
                    return Err(arity());
                }
                break &argv[i + 2..];
            }
            b"EX" | b"PX" | b"EXAT" | b"PXAT" | b"KEEPTTL" => {
                if expiry != SetExpiry::None {
                    return Err(CmdError::err(
                        "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified",
                    ));
                }
                if a[..] == *b"KEEPTTL" {
                    expiry = SetExpiry::KeepTtl;
                } else {
                    if i + 1 >= argv.len() {
                        return Err(CmdError::err("missing expire time"));
                    }
                    i += 1;
                    let secs = a[..2] == *b"EX";
                    let base = if a.len() == 2 { now } else { 0 };
                    expiry = SetExpiry::At(parse_field_expire(&argv[i], secs, base, b"hsetex")?);
                }
            }
            b"FNX" | b"FXX" => {
                if fnx || fxx {
                    return Err(CmdError::err(
                        "Only one of FXX or FNX arguments can be specified",
                    ));
                }
                fnx = a[..] == *b"FNX";
                fxx = !fnx;
            }
            _ => {
                return Err(CmdError::err(format!(
                    "unknown argument: {}",
                    String::from_utf8_lossy(&argv[i])
                )))
            }
        }
        i += 1;
    };
    let db = ctx.db();
    let key = &argv[1];
    let lim = limits(ctx);
    let h = ctx.store.get_mut::<Hash>(db, key)?;
    if fnx || fxx {
        let found = h.as_ref().map_or(0, |h| {
            pairs.chunks(2).filter(|fv| h.contains(&fv[0])).count()
        });
        if (fnx && found > 0) || (fxx && found < pairs.len() / 2) {
            ctx.out.int(0);
            return Ok(());
        }
    }
    let keep = expiry != SetExpiry::None;
    let (mut updated, mut deleted) = (false, Vec::new());
    let mut edit = |h: &mut Hash| {
        for fv in pairs.chunks(2) {
            h.set(&fv[0], &fv[1], lim, keep);
            if let SetExpiry::At(when) = expiry {
                if when <= now {
                    if h.remove(&fv[0]) {
                        deleted.push(fv[0].clone());
                    }
                } else {
                    h.set_expire(&fv[0], Some(when));
                    updated = true;
                }
            }
        }
    };
    match h {
        Some(h) => edit(h),
        None => {
            let mut h = Hash::new();
            edit(&mut h);
            if !h.is_empty() {
                ctx.store.add(db, key, Value::Hash(h));
            }
        }
    }
    ctx.store
        .written_n(db, key, NOTIFY_HASH, "hset", (pairs.len() / 2) as u64);
    let wanted = ctx.store.subkeys_wanted(NOTIFY_HASH);
    let fields: Vec<&Bytes> = if wanted {
        pairs.iter().step_by(2).collect()
    } else {
        Vec::new()
    };
    ctx.store
        .notify_subkeys(db, key, NOTIFY_HASH, "hset", &fields);
    if !deleted.is_empty() {
        ctx.store.notify_event(db, key, NOTIFY_HASH, "hdel");
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hdel", &deleted);
    } else if updated {
        ctx.store.notify_event(db, key, NOTIFY_HASH, "hexpire");
        ctx.store
            .notify_subkeys(db, key, NOTIFY_HASH, "hexpire", &fields);
    }
    if let SetExpiry::At(when) = expiry {
        if when <= now {
            // Every field got a time already past: what is left is their deletion.
            let fields: Vec<Bytes> = pairs.chunks(2).map(|fv| fv[0].clone()).collect();
            hdel_effects(ctx, key, &fields);
        } else {
            let head = [Bytes::from_static(b"PXAT"), Bytes::from(when.to_string())];
            ctx.also_propagate(fields_argv(b"HSETEX", key, &head, pairs, 2));
            ctx.store.note_field_ttls(db, key);
        }
    } else if expiry == SetExpiry::KeepTtl {
        ctx.also_propagate(fields_argv(
            b"HSETEX",
            key,
            &[Bytes::from_static(b"KEEPTTL")],
            pairs,
            2,
        ));
    } else {
        let mut hset = vec![Bytes::from_static(b"HSET"), key.clone()];
        hset.extend(pairs.iter().cloned());
        ctx.also_propagate(hset);
    }
    if ctx.store.peek(db, key).is_none() {
        // Created and emptied at once (a time already past): Redis adds, then deletes.
        ctx.store
            .notify_event(db, key, crate::config::NOTIFY_GENERIC, "del");
    } else {
        ctx.store.delete_if_empty(db, key);
    }
    ctx.out.int(1);
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

    /// The effect the last command propagated, as text.
    fn last_effect(s: &Session) -> String {
        let (_, argv) = s.store.effects.last().expect("an effect");
        argv.iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn field_ttl_commands_propagate_effects() {
        let mut s = Session::default();
        s.store.aof.enabled = true;
        s.run(&["hset", "h", "a", "1", "b", "2.5", "c", "3"]);
        assert_eq!(
            s.run(&["hexpire", "h", "100", "NX", "FIELDS", "2", "a", "zz"]),
            "*2\r\n:1\r\n:-2\r\n"
        );
        let at = s.store.cmd_time_ms + 100_000;
        assert_eq!(last_effect(&s), format!("HPEXPIREAT h {at} FIELDS 1 a"));
        s.run(&["hpexpire", "h", "100000", "FIELDS", "1", "b"]);
        s.run(&["hincrbyfloat", "h", "b", "1"]);
        assert_eq!(last_effect(&s), "HSETEX h KEEPTTL FIELDS 1 b 3.5");
        s.run(&["hincrbyfloat", "h", "c", "1"]);
        assert_eq!(last_effect(&s), "HSET h c 4");
        s.run(&["hgetex", "h", "PERSIST", "FIELDS", "2", "a", "c"]);
        assert_eq!(last_effect(&s), "HPERSIST h FIELDS 1 a");
        s.run(&["hsetex", "h", "FNX", "EX", "50", "FIELDS", "1", "n", "1"]);
        let at = s.store.cmd_time_ms + 50_000;
        assert_eq!(last_effect(&s), format!("HSETEX h PXAT {at} FIELDS 1 n 1"));
        assert_eq!(
            s.run(&["hexpire", "h", "0", "FIELDS", "1", "n"]),
            "*1\r\n:2\r\n"
        );
        assert_eq!(last_effect(&s), "HDEL h n");
        s.run(&["hgetdel", "h", "FIELDS", "3", "a", "zz", "c"]);
        assert_eq!(last_effect(&s), "HDEL h a c");
        assert_eq!(s.run(&["object", "encoding", "h"]), "$10\r\nlistpackex\r\n");
        let n = s.store.effects.len();
        assert_eq!(
            s.run(&["hgetex", "h", "FIELDS", "1", "b"]),
            "*1\r\n$3\r\n3.5\r\n"
        );
        assert_eq!(
            s.store.effects.len(),
            n,
            "a plain HGETEX propagates nothing"
        );
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
    Command {
        name: "hexpire",
        arity: -6,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hexpire,
        doc: Doc { summary: "Set expiry for hash field using relative time to expire (seconds)", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "seconds", kind: "integer", display: Some("seconds"), ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hpexpire",
        arity: -6,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hpexpire,
        doc: Doc { summary: "Set expiry for hash field using relative time to expire (milliseconds)", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hexpireat",
        arity: -6,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hexpireat,
        doc: Doc { summary: "Set expiry for hash field using an absolute Unix timestamp (seconds)", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hpexpireat",
        arity: -6,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hpexpireat,
        doc: Doc { summary: "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                    Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "httl",
        arity: -5,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: httl,
        doc: Doc { summary: "Returns the TTL in seconds of a hash field.", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hpttl",
        arity: -5,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hpttl,
        doc: Doc { summary: "Returns the TTL in milliseconds of a hash field.", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hexpiretime",
        arity: -5,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hexpiretime,
        doc: Doc { summary: "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hpexpiretime",
        arity: -5,
        flags: READONLY | FAST,
        acl: &["read", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hpexpiretime,
        doc: Doc { summary: "Returns the expiration time of a hash field as a Unix timestamp, in msec.", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hpersist",
        arity: -5,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hpersist,
        doc: Doc { summary: "Removes the expiration time for each specified field", since: "7.4.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hgetex",
        arity: -5,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hgetex,
        doc: Doc { summary: "Get the value of one or more fields of a given hash key, and optionally set their expiration.", since: "8.0.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), ..Arg::DEFAULT },
                    Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), ..Arg::DEFAULT },
                    Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), ..Arg::DEFAULT },
                    Arg { name: "persist", kind: "pure-token", display: Some("persist"), token: Some("PERSIST"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hsetex",
        arity: -6,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hsetex,
        doc: Doc { summary: "Set the value of one or more fields of a given hash key, and optionally set their expiration.", since: "8.0.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "fnx", kind: "pure-token", display: Some("fnx"), token: Some("FNX"), ..Arg::DEFAULT },
                    Arg { name: "fxx", kind: "pure-token", display: Some("fxx"), token: Some("FXX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), ..Arg::DEFAULT },
                    Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), ..Arg::DEFAULT },
                    Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), ..Arg::DEFAULT },
                    Arg { name: "keepttl", kind: "pure-token", display: Some("keepttl"), token: Some("KEEPTTL"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "hgetdel",
        arity: -5,
        flags: WRITE | FAST,
        acl: &["write", "hash", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: hgetdel,
        doc: Doc { summary: "Returns the value of a field and deletes it from the hash.", since: "8.0.0", group: "hash", complexity: "O(N) where N is the number of specified fields", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "fields", kind: "block", token: Some("FIELDS"), args: &[
                    Arg { name: "numfields", kind: "integer", display: Some("numfields"), ..Arg::DEFAULT },
                    Arg { name: "field", kind: "string", display: Some("field"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
