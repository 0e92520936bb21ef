//! String commands.

use super::{eq_ic, parse_int, Ctx};
use crate::config::{NOTIFY_GENERIC, NOTIFY_STRING};
use crate::db::{RString, Value};
use crate::error::{CmdError, CmdResult};
use crate::keyspace::{LOOKUP_NONE, LOOKUP_WRITE};
use crate::store::Store;
use bytes::{Bytes, BytesMut};

/// `proto-max-bulk-len`: strings may not grow past it (APPEND, SETRANGE).
fn check_size(ctx: &Ctx, len: usize) -> CmdResult {
    if len as i64 > ctx.store.config.proto_max_bulk_len {
        return Err(CmdError::err(
            "string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    Ok(())
}

/// The string at `key`, borrowed from the keyspace: `Ok(None)` if absent, WRONGTYPE for
/// other types. Commands that only read it reply from the borrow: no copy, and no clone
/// (a clone would give the value a shared header for good, see `db::detached`).
/// A read lookup (`lookupKeyRead`: statistics, `keymiss`).
fn str_ref<'s>(store: &'s mut Store, db: usize, key: &[u8]) -> CmdResult<Option<&'s [u8]>> {
    Ok(store.get::<RString>(db, key)?.map(|s| s.data()))
}

/// The string at `key`, copied out, for commands that go on to change the keyspace:
/// `lookup` is [`LOOKUP_NONE`] for those that read it as GET does (GETSET, GETDEL, GETEX,
/// SET ... GET) and [`LOOKUP_WRITE`] for those that only modify it (INCR, APPEND, SETRANGE).
fn get_str(ctx: &mut Ctx, key: &[u8], lookup: u8) -> CmdResult<Option<Bytes>> {
    with_str(ctx, key, lookup, Bytes::copy_from_slice)
}

/// `f` of the string at `key`, looked up as `lookup` says and read in place (no copy):
/// `Ok(None)` if absent, WRONGTYPE for other types.
fn with_str<R>(
    ctx: &mut Ctx,
    key: &[u8],
    lookup: u8,
    f: impl FnOnce(&[u8]) -> R,
) -> CmdResult<Option<R>> {
    let db = ctx.db();
    match ctx.store.lookup(db, key, lookup) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(f(s.data()))),
        Some(_) => Err(CmdError::WrongType),
    }
}

pub fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    match str_ref(ctx.store, db, &argv[1])? {
        Some(v) => ctx.out.bulk(v),
        None => ctx.out.null(),
    }
    Ok(())
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Cond {
    None,
    Nx,
    Xx,
}

/// Stores a string as SET does (`setKey`: Redis 8.2's `overwritten` / `type_changed` for an
/// existing key, then the `set` event).
fn store_string(ctx: &mut Ctx, key: &Bytes, v: RString, keep_ttl: bool) {
    let db = ctx.db();
    if let Some(old) = ctx.store.overwrite(db, key, Value::Str(v), keep_ttl) {
        ctx.store.notify_replaced(db, key, &old);
    }
    ctx.store.written(db, key, NOTIFY_STRING, "set");
}

/// Stores a string at `key` (new or replacing), then reports the write as `event`.
fn replace_string(ctx: &mut Ctx, key: &Bytes, v: RString, keep_ttl: bool, event: &str) {
    let db = ctx.db();
    ctx.store.overwrite(db, key, Value::Str(v), keep_ttl);
    ctx.store.written(db, key, NOTIFY_STRING, event);
}

/// Sets the TTL of the key just stored, with the `expire` event (SET EX, SETEX, GETEX).
fn expire_stored(ctx: &mut Ctx, key: &Bytes, when: i64) {
    let db = ctx.db();
    ctx.store.set_expire(db, key, when);
    ctx.store.written_n(db, key, NOTIFY_GENERIC, "expire", 0);
}

fn invalid_expire(name: &str) -> CmdError {
    CmdError::err(format!("invalid expire time in '{name}' command"))
}

/// Parses an EX/PX/EXAT/PXAT value into an absolute unix ms time.
fn parse_expire(ctx: &Ctx, unit: &str, arg: &[u8], name: &str) -> CmdResult<i64> {
    let v = parse_int(arg)?;
    if v <= 0 {
        return Err(invalid_expire(name));
    }
    let ms = match unit {
        "ex" | "exat" => v.checked_mul(1000).ok_or_else(|| invalid_expire(name))?,
        _ => v,
    };
    let abs = match unit {
        "ex" | "px" => ms
            .checked_add(ctx.now)
            .ok_or_else(|| invalid_expire(name))?,
        _ => ms,
    };
    Ok(abs)
}

/// Redis 8.4's compare-and-set / compare-and-delete conditions (SET, DELEX): the value
/// equal or not to an operand, or its XXH3 digest (DIGEST) equal or not to one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Deq,
    Dne,
}

impl Cmp {
    fn parse(b: &[u8]) -> Option<Cmp> {
        [
            ("ifeq", Cmp::Eq),
            ("ifne", Cmp::Ne),
            ("ifdeq", Cmp::Deq),
            ("ifdne", Cmp::Dne),
        ]
        .into_iter()
        .find(|(w, _)| eq_ic(b, w))
        .map(|(_, c)| c)
    }

    /// Whether a current value `cur` (None: no key) meets the condition; an IFDEQ/IFDNE
    /// operand is checked as a digest only when there is a value to compare.
    fn holds(self, cur: Option<&[u8]>, operand: &[u8]) -> CmdResult<bool> {
        let Some(cur) = cur else {
            return Ok(matches!(self, Cmp::Ne | Cmp::Dne));
        };
        Ok(match self {
            Cmp::Eq => cur == operand,
            Cmp::Ne => cur != operand,
            Cmp::Deq => digest_of(cur) == parse_digest(operand)?,
            Cmp::Dne => digest_of(cur) != parse_digest(operand)?,
        })
    }
}

/// A string's digest (DIGEST, IFDEQ/IFDNE): XXH3 64-bit with seed 0.
fn digest_of(v: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(v)
}

/// An IFDEQ/IFDNE operand: exactly 16 hex digits, either case.
fn parse_digest(b: &[u8]) -> CmdResult<u64> {
    let bad = || CmdError::err("digest must be exactly 16 hexadecimal characters");
    if b.len() != 16 || !b.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad());
    }
    u64::from_str_radix(std::str::from_utf8(b).map_err(|_| bad())?, 16).map_err(|_| bad())
}

/// SET's and GETEX's options as Redis's `parseExtendedStringArgumentsOrReply` takes them: an
/// option may be repeated (the last value wins), options that contradict each other are a
/// syntax error, and the expire value is read only once every option has parsed (so
/// `EX abc NX XX` is a syntax error, not a bad integer).
struct ExtArgs<'a> {
    cond: Cond,
    /// Redis 8.4's IFEQ / IFNE / IFDEQ / IFDNE and its operand.
    cmp: Option<(Cmp, &'a Bytes)>,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(&'static str, &'a Bytes)>,
}

impl<'a> ExtArgs<'a> {
    fn parse(argv: &'a [Bytes], from: usize, set: bool) -> CmdResult<ExtArgs<'a>> {
        let mut x = ExtArgs {
            cond: Cond::None,
            cmp: None,
            get: false,
            keepttl: false,
            persist: false,
            expire: None,
        };
        let mut a = super::args::Args::new(argv, from);
        while let Some(opt) = a.peek() {
            a.next_bytes()?;
            let unit = ["ex", "px", "exat", "pxat"]
                .into_iter()
                .find(|u| eq_ic(opt, u));
            // Another unit than the one given is a contradiction; the same one again is not.
            let unit_free = |u: &str| x.expire.is_none_or(|(given, _)| given == u);
            let cmp = Cmp::parse(opt);
            if set && eq_ic(opt, "nx") && x.cond != Cond::Xx && x.cmp.is_none() {
                x.cond = Cond::Nx;
            } else if set && eq_ic(opt, "xx") && x.cond != Cond::Nx && x.cmp.is_none() {
                x.cond = Cond::Xx;
            } else if let Some(c) =
                cmp.filter(|_| set && x.cond == Cond::None && x.cmp.is_none() && !a.is_empty())
            {
                x.cmp = Some((c, a.next_bytes()?));
            } else if set && eq_ic(opt, "get") {
                x.get = true;
            } else if set && eq_ic(opt, "keepttl") && x.expire.is_none() {
                x.keepttl = true;
            } else if !set && eq_ic(opt, "persist") && x.expire.is_none() {
                x.persist = true;
            } else if let Some(u) =
                unit.filter(|u| unit_free(u) && !x.keepttl && !x.persist && !a.is_empty())
            {
                x.expire = Some((u, a.next_bytes()?));
            } else {
                return Err(CmdError::Syntax);
            }
        }
        Ok(x)
    }

    /// The absolute expire time in unix ms, if one was given.
    fn expire_at(&self, ctx: &Ctx, name: &str) -> CmdResult<Option<i64>> {
        self.expire
            .map(|(unit, v)| parse_expire(ctx, unit, v, name))
            .transpose()
    }
}

pub fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, val) = (&argv[1], &argv[2]);
    let x = ExtArgs::parse(argv, 3, true)?;
    let (cond, get, keepttl) = (x.cond, x.get, x.keepttl);
    let expire = x.expire_at(ctx, "set")?;
    let db = ctx.db();
    let old = if get {
        get_str(ctx, key, LOOKUP_NONE)?
    } else {
        None
    };
    // The key expires if due, as SET's lookupKeyWrite does, NX/XX or not; only NX/XX need
    // to know whether it exists (`overwrite` tells a new key from a replaced one itself).
    let exists = if cond == Cond::None {
        ctx.store.expire_if_needed(db, key, ctx.now);
        false
    } else {
        ctx.store.exists(db, key, LOOKUP_WRITE)
    };
    // IFEQ / IFNE / IFDEQ / IFDNE (Redis 8.4): against the current string (WRONGTYPE for
    // another type); with GET the reply is the old value whatever the outcome.
    let cmp_fails = match x.cmp {
        Some((c, operand)) => {
            match with_str(ctx, key, LOOKUP_WRITE, |v| c.holds(Some(v), operand))? {
                None => !c.holds(None, operand)?,
                Some(holds) => !holds?,
            }
        }
        None => false,
    };
    if (cond == Cond::Nx && exists) || (cond == Cond::Xx && !exists) || cmp_fails {
        if get {
            match old {
                Some(v) => ctx.out.bulk(&v),
                None => ctx.out.null(),
            }
        } else {
            ctx.out.null();
        }
        return Ok(());
    }
    store_string(ctx, key, RString::new(val), keepttl);
    if let Some(t) = expire {
        expire_stored(ctx, key, t);
        // Relative expiries propagate as absolute ones.
        let mut eff = vec![Bytes::from_static(b"SET"), key.clone(), val.clone()];
        eff.push(Bytes::from_static(b"PXAT"));
        eff.push(Bytes::from(t.to_string()));
        ctx.also_propagate(eff);
    } else if get || cond != Cond::None || x.cmp.is_some() {
        let mut eff = vec![Bytes::from_static(b"SET"), key.clone(), val.clone()];
        if keepttl {
            eff.push(Bytes::from_static(b"KEEPTTL"));
        }
        ctx.also_propagate(eff);
    }
    if get {
        match old {
            Some(v) => ctx.out.bulk(&v),
            None => ctx.out.null(),
        }
    } else {
        ctx.out.ok();
    }
    Ok(())
}

pub fn setnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    if ctx.store.exists(db, &argv[1], LOOKUP_WRITE) {
        ctx.out.int(0);
    } else {
        store_string(ctx, &argv[1], RString::new(&argv[2]), false);
        ctx.out.int(1);
    }
    Ok(())
}

fn setex_generic(ctx: &mut Ctx, argv: &[Bytes], unit: &str, name: &str) -> CmdResult {
    let t = parse_expire(ctx, unit, &argv[2], name)?;
    let key = &argv[1];
    store_string(ctx, key, RString::new(&argv[3]), false);
    expire_stored(ctx, key, t);
    ctx.also_propagate(vec![
        Bytes::from_static(b"SET"),
        key.clone(),
        argv[3].clone(),
        Bytes::from_static(b"PXAT"),
        Bytes::from(t.to_string()),
    ]);
    ctx.out.ok();
    Ok(())
}

pub fn setex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, "ex", "setex")
}

pub fn psetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, "px", "psetex")
}

pub fn getset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let old = get_str(ctx, &argv[1], LOOKUP_NONE)?;
    store_string(ctx, &argv[1], RString::new(&argv[2]), false);
    match old {
        Some(v) => ctx.out.bulk(&v),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn getdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match get_str(ctx, &argv[1], LOOKUP_NONE)? {
        Some(v) => {
            let db = ctx.db();
            ctx.store.delete(db, &argv[1]);
            ctx.store.written(db, &argv[1], NOTIFY_GENERIC, "del");
            ctx.also_propagate(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
            ctx.out.bulk(&v);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn getex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let x = ExtArgs::parse(argv, 2, false)?;
    let persist = x.persist;
    let expire = x.expire_at(ctx, "getex")?;
    let Some(v) = get_str(ctx, key, LOOKUP_NONE)? else {
        ctx.out.null();
        return Ok(());
    };
    let db = ctx.db();
    if let Some(t) = expire {
        if t <= ctx.now {
            ctx.store.delete(db, key);
            ctx.also_propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
            ctx.store.written(db, key, NOTIFY_GENERIC, "del");
        } else {
            ctx.store.set_expire(db, key, t);
            ctx.also_propagate(vec![
                Bytes::from_static(b"PEXPIREAT"),
                key.clone(),
                Bytes::from(t.to_string()),
            ]);
            ctx.store.written(db, key, NOTIFY_GENERIC, "expire");
        }
    } else if persist && ctx.store.persist(db, key) {
        ctx.also_propagate(vec![Bytes::from_static(b"PERSIST"), key.clone()]);
        ctx.store.written(db, key, NOTIFY_GENERIC, "persist");
    }
    ctx.out.bulk(&v);
    Ok(())
}

pub fn mget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    ctx.out.array(argv.len() - 1);
    for k in &argv[1..] {
        match ctx.store.lookup_read(db, k) {
            Some(Value::Str(s)) => ctx.out.bulk(s.data()),
            _ => ctx.out.null(),
        }
    }
    Ok(())
}

pub fn mset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("mset".into()));
    }
    for p in argv[1..].chunks(2) {
        store_string(ctx, &p[0], RString::new(&p[1]), false);
    }
    ctx.out.ok();
    Ok(())
}

/// `MSETEX numkeys key value [key value ...] [NX | XX] [EX s | PX ms | EXAT s | PXAT ms |
/// KEEPTTL]` (Redis 8.4): MSET with SET's conditions and expiration, all keys or none. 1 if
/// the keys were set, 0 if NX found one of them or XX missed one. Propagated as one SET per
/// key with an absolute PXAT (or KEEPTTL), which Redis 7 replays.
pub fn msetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = crate::util::parse_i64(&argv[1])
        .filter(|n| (1..=i32::MAX as i64).contains(n))
        .ok_or_else(|| CmdError::err("invalid numkeys value or out of range"))?
        as usize;
    if argv.len() - 2 < 2 * n {
        return Err(CmdError::err("wrong number of key-value pairs"));
    }
    let opts_at = 2 + 2 * n;
    let x = ExtArgs::parse(argv, opts_at, true)?;
    if x.get || x.cmp.is_some() {
        return Err(CmdError::Syntax);
    }
    let (cond, keepttl) = (x.cond, x.keepttl);
    let expire = x.expire_at(ctx, "msetex")?;
    let db = ctx.db();
    let pairs = &argv[2..opts_at];
    match cond {
        Cond::Nx
            if pairs
                .chunks(2)
                .any(|p| ctx.store.exists(db, &p[0], LOOKUP_WRITE)) =>
        {
            ctx.out.int(0);
            return Ok(());
        }
        Cond::Xx
            if !pairs
                .chunks(2)
                .all(|p| ctx.store.exists(db, &p[0], LOOKUP_WRITE)) =>
        {
            ctx.out.int(0);
            return Ok(());
        }
        _ => {}
    }
    for p in pairs.chunks(2) {
        store_string(ctx, &p[0], RString::new(&p[1]), keepttl);
        let mut eff = vec![Bytes::from_static(b"SET"), p[0].clone(), p[1].clone()];
        if let Some(t) = expire {
            expire_stored(ctx, &p[0], t);
            eff.push(Bytes::from_static(b"PXAT"));
            eff.push(Bytes::from(t.to_string()));
        } else if keepttl {
            eff.push(Bytes::from_static(b"KEEPTTL"));
        }
        ctx.also_propagate(eff);
    }
    ctx.out.int(1);
    Ok(())
}

pub fn msetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(CmdError::WrongArity("msetnx".into()));
    }
    let db = ctx.db();
    if argv[1..]
        .chunks(2)
        .any(|p| ctx.store.exists(db, &p[0], LOOKUP_WRITE))
    {
        ctx.out.int(0);
        return Ok(());
    }
    for p in argv[1..].chunks(2) {
        store_string(ctx, &p[0], RString::new(&p[1]), false);
    }
    ctx.out.int(1);
    Ok(())
}

fn incr_generic(ctx: &mut Ctx, key: &Bytes, by: i64) -> CmdResult {
    let db = ctx.db();
    let cur = match ctx.store.lookup(db, key, LOOKUP_WRITE) {
        None => 0,
        Some(Value::Str(s)) => crate::util::parse_i64(s.data()).ok_or(CmdError::NotInteger)?,
        Some(_) => return Err(CmdError::WrongType),
    };
    let new = cur.checked_add(by).ok_or(CmdError::Overflow)?;
    replace_string(ctx, key, RString::from_i64(new), true, "incrby");
    ctx.out.int(new);
    Ok(())
}

pub fn incr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], 1)
}

pub fn decr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_generic(ctx, &argv[1], -1)
}

pub fn incrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = parse_int(&argv[2])?;
    incr_generic(ctx, &argv[1], by)
}

pub fn decrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = parse_int(&argv[2])?;
    if by == i64::MIN {
        return Err(CmdError::err("decrement would overflow"));
    }
    incr_generic(ctx, &argv[1], -by)
}

pub fn incrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = crate::util::parse_f64(&argv[2]).ok_or(CmdError::NotFloat)?;
    let cur = match get_str(ctx, &argv[1], LOOKUP_WRITE)? {
        None => 0.0,
        Some(v) => crate::util::parse_f64(&v).ok_or(CmdError::NotFloat)?,
    };
    let new = cur + by;
    if new.is_nan() || new.is_infinite() {
        return Err(CmdError::err("increment would produce NaN or Infinity"));
    }
    let text = Bytes::from(crate::util::format_ld_human(new));
    let key = argv[1].clone();
    let v = RString::new(&text);
    replace_string(ctx, &key, v, true, "incrbyfloat");
    // Float formatting may differ between machines: propagate the result.
    ctx.also_propagate(vec![
        Bytes::from_static(b"SET"),
        key,
        text.clone(),
        Bytes::from_static(b"KEEPTTL"),
    ]);
    ctx.out.bulk(&text);
    Ok(())
}

/// A number INCREX works in: BYINT's i64 or BYFLOAT's f64.
trait Num: Copy + PartialOrd {
    fn parse(b: &[u8]) -> CmdResult<Self>;
    /// The type's limits (SATURATE without a bound), its 0 and its 1.
    const MIN: Self;
    const MAX: Self;
    const ZERO: Self;
    const ONE: Self;
    /// `self + by`, None past the type's range (overflow, or not finite).
    fn add(self, by: Self) -> Option<Self>;
    /// `self - from`, the increment applied; None if it has no value of the type.
    fn sub(self, from: Self) -> Option<Self>;
    fn positive(self) -> bool;
    fn reply(self, ctx: &mut Ctx);
    fn stored(self) -> RString;
}

impl Num for i64 {
    const MIN: i64 = i64::MIN;
    const MAX: i64 = i64::MAX;
    const ZERO: i64 = 0;
    const ONE: i64 = 1;
    fn parse(b: &[u8]) -> CmdResult<i64> {
        parse_int(b)
    }
    fn add(self, by: i64) -> Option<i64> {
        self.checked_add(by)
    }
    fn sub(self, from: i64) -> Option<i64> {
        self.checked_sub(from)
    }
    fn positive(self) -> bool {
        self > 0
    }
    fn reply(self, ctx: &mut Ctx) {
        ctx.out.int(self);
    }
    fn stored(self) -> RString {
        RString::from_i64(self)
    }
}

impl Num for f64 {
    const MIN: f64 = -f64::MAX;
    const MAX: f64 = f64::MAX;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn parse(b: &[u8]) -> CmdResult<f64> {
        crate::util::parse_f64(b)
            .filter(|f| f.is_finite())
            .ok_or(CmdError::NotFloat)
    }
    fn add(self, by: f64) -> Option<f64> {
        Some(self + by).filter(|v| v.is_finite())
    }
    fn sub(self, from: f64) -> Option<f64> {
        Some(self - from).filter(|v| v.is_finite())
    }
    fn positive(self) -> bool {
        self > 0.0
    }
    fn reply(self, ctx: &mut Ctx) {
        if ctx.is_resp3() {
            ctx.out.double(self);
        } else {
            ctx.out.bulk(crate::util::format_ld_human(self).as_bytes());
        }
    }
    fn stored(self) -> RString {
        RString::new(crate::util::format_ld_human(self).as_bytes())
    }
}

/// INCREX's options, as given.
#[derive(Default)]
struct IncrexArgs<'a> {
    by: Option<(bool, &'a Bytes)>,
    lbound: Option<&'a Bytes>,
    ubound: Option<&'a Bytes>,
    saturate: bool,
    expire: Option<(&'static str, &'a Bytes)>,
    persist: bool,
    enx: bool,
}

impl<'a> IncrexArgs<'a> {
    fn parse(argv: &'a [Bytes]) -> CmdResult<IncrexArgs<'a>> {
        let mut x = IncrexArgs::default();
        let mut a = super::args::Args::new(argv, 2);
        while let Some(opt) = a.peek() {
            a.next_bytes()?;
            let has_value = !a.is_empty();
            let unit = ["ex", "px", "exat", "pxat"]
                .into_iter()
                .find(|u| eq_ic(opt, u));
            if (eq_ic(opt, "byint") || eq_ic(opt, "byfloat")) && x.by.is_none() && has_value {
                x.by = Some((eq_ic(opt, "byfloat"), a.next_bytes()?));
            } else if eq_ic(opt, "lbound") && x.lbound.is_none() && has_value {
                x.lbound = Some(a.next_bytes()?);
            } else if eq_ic(opt, "ubound") && x.ubound.is_none() && has_value {
                x.ubound = Some(a.next_bytes()?);
            } else if eq_ic(opt, "saturate") {
                x.saturate = true;
            } else if eq_ic(opt, "persist") && x.expire.is_none() && !x.enx {
                x.persist = true;
            } else if eq_ic(opt, "enx") && !x.persist {
                x.enx = true;
            } else if let Some(u) = unit.filter(|_| x.expire.is_none() && !x.persist && has_value) {
                x.expire = Some((u, a.next_bytes()?));
            } else {
                return Err(CmdError::Syntax);
            }
        }
        if x.enx && x.expire.is_none() {
            return Err(CmdError::err("ENX flag requires an expiration"));
        }
        Ok(x)
    }
}

/// INCREX key [BYINT n | BYFLOAT f] [LBOUND lb] [UBOUND ub] [SATURATE] [EX s | PX ms |
/// EXAT s | PXAT ms | PERSIST] [ENX] (Redis 8.8): INCRBY / INCRBYFLOAT (BYINT 1 by default,
/// from 0 for a missing key) within bounds, and the key's TTL set (ENX: only if it has none)
/// or removed, in one step. Replies [value, increment applied]. A result past a bound (or
/// past the type's range) is not applied, [current value, 0] and nothing changes, unless
/// SATURATE clamps it to the bound; a value already past a bound is never pulled toward it.
/// Propagated as `SET key value [PXAT ms | KEEPTTL]`, which Redis 7 replays.
pub fn increx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let x = IncrexArgs::parse(argv)?;
    match x.by {
        Some((true, _)) => increx_in::<f64>(ctx, argv, &x),
        _ => increx_in::<i64>(ctx, argv, &x),
    }
}

fn increx_in<N: Num>(ctx: &mut Ctx, argv: &[Bytes], x: &IncrexArgs) -> CmdResult {
    let key = &argv[1];
    let by = match x.by {
        Some((_, v)) => N::parse(v)?,
        None => N::ONE,
    };
    let lb = x.lbound.map(|b| N::parse(b)).transpose()?.unwrap_or(N::MIN);
    let ub = x.ubound.map(|b| N::parse(b)).transpose()?.unwrap_or(N::MAX);
    if lb > ub {
        return Err(CmdError::err("LBOUND must be less than or equal to UBOUND"));
    }
    let expire = x
        .expire
        .map(|(unit, v)| parse_expire(ctx, unit, v, "increx"))
        .transpose()?;
    let db = ctx.db();
    let cur = with_str(ctx, key, LOOKUP_WRITE, N::parse)?.transpose()?;
    let old = cur.unwrap_or(N::ZERO);
    let sum = old.add(by);
    let above = sum.map_or(by.positive(), |v| v > ub);
    let below = sum.map_or(!by.positive(), |v| v < lb);
    let new = match sum {
        // Already past the bound it would cross: left where it is.
        _ if (above && old > ub) || (below && old < lb) => None,
        _ if (above || below) && !x.saturate => None,
        _ if above => Some(ub),
        _ if below => Some(lb),
        v => v,
    };
    let Some(new) = new else {
        ctx.out.array(2);
        old.reply(ctx);
        N::ZERO.reply(ctx);
        return Ok(());
    };
    let applied = new
        .sub(old)
        .ok_or_else(|| CmdError::err("applied increment would overflow"))?;
    let had_ttl = cur.is_some() && ctx.store.expire_at(db, key).is_some();
    let event = match x.by {
        Some((true, _)) => "incrbyfloat",
        _ => "incrby",
    };
    let stored = new.stored();
    let text = Bytes::copy_from_slice(stored.data());
    replace_string(ctx, key, stored, !x.persist, event);
    let mut eff = vec![Bytes::from_static(b"SET"), key.clone(), text];
    match expire {
        Some(t) if !(x.enx && had_ttl) => {
            expire_stored(ctx, key, t);
            eff.push(Bytes::from_static(b"PXAT"));
            eff.push(Bytes::from(t.to_string()));
        }
        _ if x.persist => {
            if had_ttl {
                ctx.store.written_n(db, key, NOTIFY_GENERIC, "persist", 0);
            }
        }
        _ => eff.push(Bytes::from_static(b"KEEPTTL")),
    }
    ctx.also_propagate(eff);
    ctx.out.array(2);
    new.reply(ctx);
    applied.reply(ctx);
    Ok(())
}

/// DIGEST key (Redis 8.4): the XXH3 64-bit digest of the string, as 16 hex digits; nil
/// for no key.
pub fn digest(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match with_str(ctx, &argv[1], LOOKUP_NONE, digest_of)? {
        Some(d) => ctx.out.bulk(format!("{d:016x}").as_bytes()),
        None => ctx.out.null(),
    }
    Ok(())
}

/// DELEX key [IFEQ v | IFNE v | IFDEQ d | IFDNE d] (Redis 8.4): DEL of one key, or, with
/// a condition, of a string key that meets it. 1 if deleted; propagated as DEL.
pub fn delex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() != 2 && argv.len() != 4 {
        return Err(CmdError::WrongArity("delex".into()));
    }
    let key = &argv[1];
    let db = ctx.db();
    if argv.len() == 4 {
        let c = Cmp::parse(&argv[2])
            .ok_or_else(|| CmdError::err("Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE"))?;
        let holds = match with_str(ctx, key, LOOKUP_WRITE, |v| c.holds(Some(v), &argv[3])) {
            Ok(holds) => holds.transpose()?.unwrap_or(false),
            Err(CmdError::WrongType) => {
                return Err(CmdError::err("DELEX with a condition needs a string key"))
            }
            Err(e) => return Err(e),
        };
        if !holds {
            ctx.out.int(0);
            return Ok(());
        }
    }
    let deleted = ctx.store.delete(db, key).is_some();
    if deleted {
        ctx.store.written(db, key, NOTIFY_GENERIC, "del");
        ctx.also_propagate(vec![Bytes::from_static(b"DEL"), key.clone()]);
    }
    ctx.out.int(deleted as i64);
    Ok(())
}

pub fn append(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cur = get_str(ctx, &argv[1], LOOKUP_WRITE)?;
    let mut b = BytesMut::new();
    if let Some(c) = &cur {
        b.extend_from_slice(c);
    }
    check_size(ctx, b.len() + argv[2].len())?;
    b.extend_from_slice(&argv[2]);
    let len = b.len();
    let v = if cur.is_some() {
        RString::raw(&b)
    } else {
        RString::new(&b)
    };
    replace_string(ctx, &argv[1], v, true, "append");
    ctx.out.int(len as i64);
    Ok(())
}

pub fn strlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let n = str_ref(ctx.store, db, &argv[1])?.map_or(0, |v| v.len());
    ctx.out.int(n as i64);
    Ok(())
}

pub fn getrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut start = parse_int(&argv[2])?;
    let mut end = parse_int(&argv[3])?;
    let db = ctx.db();
    let v: &[u8] = str_ref(ctx.store, db, &argv[1])?.map_or(&[], |v| v);
    let len = v.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.out.bulk(b"");
        return Ok(());
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        ctx.out.bulk(b"");
    } else {
        ctx.out.bulk(&v[start as usize..=end as usize]);
    }
    Ok(())
}

pub fn setrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let offset = parse_int(&argv[2])?;
    if offset < 0 {
        return Err(CmdError::err("offset is out of range"));
    }
    let val = &argv[3];
    let cur = get_str(ctx, &argv[1], LOOKUP_WRITE)?;
    if cur.is_none() && val.is_empty() {
        ctx.out.int(0);
        return Ok(());
    }
    let cur = cur.unwrap_or_default();
    if val.is_empty() {
        ctx.out.int(cur.len() as i64);
        return Ok(());
    }
    let need = offset as usize + val.len();
    check_size(ctx, need)?;
    let mut b = BytesMut::from(&cur[..]);
    if b.len() < need {
        b.resize(need, 0);
    }
    b[offset as usize..need].copy_from_slice(val);
    let len = b.len();
    replace_string(ctx, &argv[1], RString::raw(&b), true, "setrange");
    ctx.out.int(len as i64);
    Ok(())
}

/// `setGetKeys`: the key is overwritten unless GET also reads it.
fn set_getkeys(argv: &[Bytes]) -> Vec<(usize, &'static [&'static str])> {
    let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    let flags: &'static [&'static str] = if get {
        &["RW", "access", "update"]
    } else {
        &["OW", "update"]
    };
    vec![(1, flags)]
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
            name: "get",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["read", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: get,
            doc: Doc { summary: "Returns the string value of a key.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "set",
            arity: -3,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "RW and ACCESS due to the optional `GET` argument", flags: &["RW", "access", "update", "variable_flags"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: set,
            doc: Doc { summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", history: &[("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."), ("6.0.0", "Added the `KEEPTTL` option."), ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."), ("7.0.0", "Allowed the `NX` and `GET` options to be used together."), ("8.4.0", "Added the `IFEQ`, `IFNE`, `IFDEQ` and `IFDNE` options.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), since: Some("2.6.12"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), since: Some("2.6.12"), ..Arg::DEFAULT },
                        Arg { name: "ifeq-value", kind: "string", display: Some("ifeq-value"), token: Some("IFEQ"), since: Some("8.4.0"), ..Arg::DEFAULT },
                        Arg { name: "ifne-value", kind: "string", display: Some("ifne-value"), token: Some("IFNE"), since: Some("8.4.0"), ..Arg::DEFAULT },
                        Arg { name: "ifdeq-digest", kind: "integer", display: Some("ifdeq-digest"), token: Some("IFDEQ"), since: Some("8.4.0"), ..Arg::DEFAULT },
                        Arg { name: "ifdne-digest", kind: "integer", display: Some("ifdne-digest"), token: Some("IFDNE"), since: Some("8.4.0"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "get", kind: "pure-token", display: Some("get"), token: Some("GET"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), since: Some("2.6.12"), ..Arg::DEFAULT },
                        Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), since: Some("2.6.12"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), since: Some("6.2.0"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), since: Some("6.2.0"), ..Arg::DEFAULT },
                        Arg { name: "keepttl", kind: "pure-token", display: Some("keepttl"), token: Some("KEEPTTL"), since: Some("6.0.0"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            getkeys: Some(set_getkeys),
            ..Command::DEFAULT
        },
        Command {
            name: "digest",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["read", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: digest,
            doc: Doc { summary: "Returns the XXH3 hash of a string value.", since: "8.4.0", group: "string", complexity: "O(N) where N is the length of the string value.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "delex",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: delex,
            doc: Doc { summary: "Conditionally removes the specified key based on value or hash digest comparison.", since: "8.4.0", group: "string", complexity: "O(1) for IFEQ/IFNE, O(N) for IFDEQ/IFDNE where N is the length of the string value.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "ifeq-value", kind: "string", display: Some("ifeq-value"), token: Some("IFEQ"), ..Arg::DEFAULT },
                        Arg { name: "ifne-value", kind: "string", display: Some("ifne-value"), token: Some("IFNE"), ..Arg::DEFAULT },
                        Arg { name: "ifdeq-digest", kind: "integer", display: Some("ifdeq-digest"), token: Some("IFDEQ"), ..Arg::DEFAULT },
                        Arg { name: "ifdne-digest", kind: "integer", display: Some("ifdne-digest"), token: Some("IFDNE"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setnx",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: setnx,
            doc: Doc { summary: "Sets the string value of a key only when the key doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setex",
            arity: 4,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: setex,
            doc: Doc { summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", since: "2.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "seconds", kind: "integer", display: Some("seconds"), ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "psetex",
            arity: 4,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: psetex,
            doc: Doc { summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", since: "2.6.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getset",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: getset,
            doc: Doc { summary: "Returns the previous string value of a key after setting it to a new value.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getdel",
            arity: 2,
            flags: WRITE | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: getdel,
            doc: Doc { summary: "Returns the string value of a key after deleting the key.", since: "6.2.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getex",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "RW and UPDATE because it changes the TTL", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: getex,
            doc: Doc { summary: "Returns the string value of a key after setting its expiration time.", since: "6.2.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), ..Arg::DEFAULT },
                        Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), ..Arg::DEFAULT },
                        Arg { name: "persist", kind: "pure-token", display: Some("persist"), token: Some("PERSIST"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "mget",
            arity: -2,
            flags: READONLY | FAST,
            acl: &["read", "string", "fast"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &["request_policy:multi_shard"],
            handler: mget,
            doc: Doc { summary: "Atomically returns the string values of one or more keys.", since: "1.0.0", group: "string", complexity: "O(N) where N is the number of keys to retrieve.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "mset",
            arity: -3,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, -1, 2),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 2, limit: 0 } }],
            tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
            handler: mset,
            doc: Doc { summary: "Atomically creates or modifies the string values of one or more keys.", since: "1.0.1", group: "string", complexity: "O(N) where N is the number of keys to set.", args: &[
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "msetex",
            arity: -4,
            flags: WRITE | DENYOOM | MOVABLE_KEYS,
            acl: &["write", "string", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 2 } }],
            tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
            handler: msetex,
            doc: Doc { summary: "Atomically creates or modifies the string values of one or more keys, and optionally set their expiration.", since: "8.4.0", group: "string", complexity: "O(N) where N is the number of keys to set.", args: &[
                    Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                        Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), ..Arg::DEFAULT },
                        Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), ..Arg::DEFAULT },
                        Arg { name: "keepttl", kind: "pure-token", display: Some("keepttl"), token: Some("KEEPTTL"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "msetnx",
            arity: -3,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, -1, 2),
            key_specs: &[KeySpec { notes: "", flags: &["OW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 2, limit: 0 } }],
            tips: &[],
            handler: msetnx,
            doc: Doc { summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", since: "1.0.1", group: "string", complexity: "O(N) where N is the number of keys to set.", args: &[
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "incr",
            arity: 2,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: incr,
            doc: Doc { summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "decr",
            arity: 2,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: decr,
            doc: Doc { summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "incrby",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: incrby,
            doc: Doc { summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "increment", kind: "integer", display: Some("increment"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "decrby",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: decrby,
            doc: Doc { summary: "Decrements the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", since: "1.0.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "decrement", kind: "integer", display: Some("decrement"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "increx",
            arity: -2,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: increx,
            doc: Doc { summary: "Increments the numeric value of a key by a number and sets its expiration time. Uses 0 as initial value if the key doesn't exist.", since: "8.8.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "increment", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "float", kind: "double", display: Some("increment"), token: Some("BYFLOAT"), ..Arg::DEFAULT },
                        Arg { name: "integer", kind: "integer", display: Some("increment"), token: Some("BYINT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "lowerbound", kind: "string", display: Some("lowerbound"), token: Some("LBOUND"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "upperbound", kind: "string", display: Some("upperbound"), token: Some("UBOUND"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "saturate", kind: "pure-token", display: Some("saturate"), token: Some("SATURATE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "expiration", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "seconds", kind: "integer", display: Some("seconds"), token: Some("EX"), ..Arg::DEFAULT },
                        Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("PX"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-seconds", kind: "unix-time", display: Some("unix-time-seconds"), token: Some("EXAT"), ..Arg::DEFAULT },
                        Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("PXAT"), ..Arg::DEFAULT },
                        Arg { name: "persist", kind: "pure-token", display: Some("persist"), token: Some("PERSIST"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "enx", kind: "pure-token", display: Some("enx"), token: Some("ENX"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "incrbyfloat",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: incrbyfloat,
            doc: Doc { summary: "Increments the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", since: "2.6.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "increment", kind: "double", display: Some("increment"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "append",
            arity: 3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: append,
            doc: Doc { summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", since: "2.0.0", group: "string", complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by the server will double the free space available on every reallocation.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "strlen",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["read", "string", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: strlen,
            doc: Doc { summary: "Returns the length of a string value.", since: "2.2.0", group: "string", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getrange",
            arity: 4,
            flags: READONLY,
            acl: &["read", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: getrange,
            doc: Doc { summary: "Returns a substring of the string stored at a key.", since: "2.4.0", group: "string", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "end", kind: "integer", display: Some("end"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "substr",
            arity: 4,
            flags: READONLY,
            acl: &["read", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: getrange,
            doc: Doc { summary: "Returns a substring from a string value.", since: "1.0.0", group: "string", complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "end", kind: "integer", display: Some("end"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setrange",
            arity: 4,
            flags: WRITE | DENYOOM,
            acl: &["write", "string", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: setrange,
            doc: Doc { summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", since: "2.2.0", group: "string", complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
