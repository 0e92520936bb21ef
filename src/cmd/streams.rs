//! Stream commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD, XREADGROUP, XACK,
//! XPENDING, XCLAIM, XAUTOCLAIM, XGROUP, XINFO, XSETID.
//!
//! Semantics follow the newest documented Redis (7.2+ consumer bookkeeping, 7.4 `XREAD +`).
//! Every mutation records its deterministic effect: XADD with the explicit ID and an exact
//! trim, deliveries as `XCLAIM ... TIME ... RETRYCOUNT ... FORCE JUSTID LASTID` plus
//! `XGROUP SETID ... ENTRIESREAD`, so the AOF replays without reading a clock.

use super::{eq_ic, Ctx};
use crate::blocking::{BlockRequest, BlockedType, StreamWait, TimeoutReply};
use crate::config::NOTIFY_STREAM;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::stream::{
    Consumer, ConsumerGroup, Entry, PendingEntry, Stream, StreamId, Trim, INVALID_ENTRIES_READ,
};
use bytes::Bytes;

fn invalid_id() -> CmdError {
    CmdError::err("Invalid stream ID specified as stream command argument")
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 || !b.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// `streamGenericParseIDOrReply`: `-`, `+` (unless strict), `ms`, `ms-seq`; a missing seq is
/// `missing_seq`. With `allow_auto_seq`, `ms-*` gives `(id, false)` (seq to be generated).
fn parse_id_full(
    b: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_auto_seq: bool,
) -> CmdResult<(StreamId, bool)> {
    if b.len() == 1 && !strict {
        if b[0] == b'-' {
            return Ok((StreamId::MIN, true));
        }
        if b[0] == b'+' {
            return Ok((StreamId::MAX, true));
        }
    }
    match b.iter().position(|&c| c == b'-') {
        None => Ok((
            StreamId::new(parse_u64(b).ok_or_else(invalid_id)?, missing_seq),
            true,
        )),
        Some(p) => {
            let ms = parse_u64(&b[..p]).ok_or_else(invalid_id)?;
            let rest = &b[p + 1..];
            if allow_auto_seq && rest == b"*" {
                return Ok((StreamId::new(ms, 0), false));
            }
            Ok((
                StreamId::new(ms, parse_u64(rest).ok_or_else(invalid_id)?),
                true,
            ))
        }
    }
}

fn parse_id(b: &[u8], missing_seq: u64) -> CmdResult<StreamId> {
    parse_id_full(b, missing_seq, false, false).map(|x| x.0)
}

fn parse_strict_id(b: &[u8]) -> CmdResult<StreamId> {
    parse_id_full(b, 0, true, false).map(|x| x.0)
}

/// A range bound: `-`, `+`, an ID, or `(ID` exclusive.
fn parse_range_bound(b: &[u8], is_start: bool) -> CmdResult<StreamId> {
    if let Some(rest) = b.strip_prefix(b"(") {
        if rest == b"-" || rest == b"+" {
            return Err(invalid_id());
        }
        let id = parse_id(rest, if is_start { 0 } else { u64::MAX })?;
        let next = if is_start { id.incr() } else { id.decr() };
        return next.ok_or_else(|| {
            CmdError::err(if is_start {
                "invalid start ID for the interval"
            } else {
                "invalid end ID for the interval"
            })
        });
    }
    parse_id(b, if is_start { 0 } else { u64::MAX })
}

/// The stream at `key` for a command that writes it (`lookupKeyWrite`); None if absent,
/// WRONGTYPE for another type.
fn stream_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<Option<&'a mut Stream>> {
    let db = ctx.db();
    ctx.store.get_mut::<Stream>(db, key)
}

/// The stream at `key` looked up as Redis's stream readers do (`lookupKeyRead`: statistics,
/// `keymiss`), even those that then change its groups (XREADGROUP, XCLAIM, XAUTOCLAIM).
fn stream_read<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<Option<&'a mut Stream>> {
    let db = ctx.db();
    ctx.store.get::<Stream>(db, key)
}

fn write_entry(ctx: &mut Ctx, e: &Entry) {
    ctx.out.array(2);
    write_id(ctx, e.id);
    ctx.out.array(e.fields.len() * 2);
    for (f, v) in &e.fields {
        ctx.out.bulk(f);
        ctx.out.bulk(v);
    }
}

fn write_entries(ctx: &mut Ctx, es: &[Entry]) {
    ctx.out.array(es.len());
    for e in es {
        write_entry(ctx, e);
    }
}

fn id_bytes(id: StreamId) -> Bytes {
    id.to_bytes()
}

// ---------------------------------------------------------------------------------------------
// Trimming arguments (shared by XADD and XTRIM)
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct TrimArgs {
    how: Option<Trim>,
    approx: bool,
    limit: usize,
    limit_given: bool,
    nomkstream: bool,
    /// XADD: the ID argument's index, and whether the ID (or its seq) is to be generated.
    id_index: usize,
    id: Option<(StreamId, bool)>,
}

/// `streamParseAddOrTrimArgsOrReply`.
fn parse_trim_args(ctx: &Ctx, argv: &[Bytes], xadd: bool) -> CmdResult<TrimArgs> {
    let mut a = TrimArgs::default();
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        if xadd && opt.as_ref() == b"*" {
            a.id_index = i;
            a.id = None;
            break;
        } else if (eq_ic(opt, "maxlen") || eq_ic(opt, "minid")) && more > 0 {
            if a.how.is_some() {
                return Err(CmdError::err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            a.approx = false;
            if more >= 2 && argv[i + 1].as_ref() == b"~" {
                a.approx = true;
                i += 1;
            } else if more >= 2 && argv[i + 1].as_ref() == b"=" {
                i += 1;
            }
            a.how = Some(if eq_ic(opt, "maxlen") {
                let n = super::parse_int(&argv[i + 1])?;
                if n < 0 {
                    return Err(CmdError::err("The MAXLEN argument must be >= 0."));
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(parse_strict_id(&argv[i + 1])?)
            });
            i += 1;
        } else if eq_ic(opt, "limit") && more > 0 {
            let n = super::parse_int(&argv[i + 1])?;
            if n < 0 {
                return Err(CmdError::err("The LIMIT argument must be >= 0."));
            }
            a.limit = n as usize;
            a.limit_given = true;
            i += 1;
        } else if xadd && eq_ic(opt, "nomkstream") {
            a.nomkstream = true;
        } else if xadd {
            let (id, seq_given) = parse_id_full(opt, 0, true, true)?;
            a.id_index = i;
            a.id = Some((id, seq_given));
            break;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if xadd && a.id_index == 0 {
        a.id_index = i;
    }
    if a.limit_given && a.how.is_none() {
        return Err(CmdError::err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if a.limit_given {
        if !a.approx {
            return Err(CmdError::err(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if a.approx {
        let n = 100 * ctx.store.config.stream_node_max_entries;
        a.limit = if n == 0 { 10000 } else { n };
    } else {
        a.limit = usize::MAX;
    }
    if a.approx && a.limit == 0 {
        // LIMIT 0 with ~ means no limit.
        a.limit = usize::MAX;
    }
    Ok(a)
}

/// The exact trim that reproduces what happened (`~` becomes `=` with the resulting bound).
fn exact_trim_effect(s: &Stream, how: Trim) -> Vec<Bytes> {
    match how {
        Trim::MaxLen(_) => vec![
            Bytes::from_static(b"MAXLEN"),
            Bytes::from_static(b"="),
            Bytes::from(s.length.to_string()),
        ],
        Trim::MinId(min) => {
            let bound = if s.length > 0 {
                s.first_id.max(min)
            } else {
                min
            };
            vec![
                Bytes::from_static(b"MINID"),
                Bytes::from_static(b"="),
                id_bytes(bound),
            ]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XADD, XLEN, XRANGE, XDEL, XTRIM
// ---------------------------------------------------------------------------------------------

pub fn xadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_trim_args(ctx, argv, true)?;
    let field_pos = a.id_index + 1;
    if argv.len() < field_pos + 2 || (argv.len() - field_pos) % 2 == 1 {
        return Err(CmdError::WrongArity("xadd".into()));
    }
    if let Some((id, true)) = a.id {
        if id.is_zero() {
            return Err(CmdError::err(
                "The ID specified in XADD must be greater than 0-0",
            ));
        }
    }
    let key = argv[1].clone();
    let db = ctx.db();
    let logging = ctx.store.aof.enabled && !ctx.store.replaying;
    let exists = stream_mut(ctx, &key)?.is_some();
    if !exists {
        if a.nomkstream {
            ctx.out.null();
            return Ok(());
        }
        ctx.store.add(db, &key, Value::Stream(Box::default()));
    }
    let (max_bytes, max_entries) = (
        ctx.store.config.stream_node_max_bytes,
        ctx.store.config.stream_node_max_entries,
    );
    let now = ctx.now.max(0) as u64;
    let s = stream_mut(ctx, &key)?.expect("stream exists");
    if s.last_id == StreamId::MAX {
        return Err(CmdError::err(
            "The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let too_small = || {
        CmdError::err(
            "The ID specified in XADD is equal or smaller than the target stream top item",
        )
    };
    let id = match a.id {
        None => {
            if now > s.last_id.ms {
                StreamId::new(now, 0)
            } else {
                s.last_id.incr().expect("not at max")
            }
        }
        Some((id, true)) => {
            if id <= s.last_id {
                return Err(too_small());
            }
            id
        }
        Some((id, false)) => {
            if id.ms == s.last_id.ms {
                if s.last_id.seq == u64::MAX {
                    return Err(too_small());
                }
                StreamId::new(id.ms, s.last_id.seq + 1)
            } else if id.ms > s.last_id.ms {
                StreamId::new(id.ms, 0)
            } else {
                return Err(too_small());
            }
        }
    };
    s.append(id, &argv[field_pos..], max_bytes, max_entries);
    let mut trimmed = 0;
    if let Some(how) = a.how {
        trimmed = s.trim(how, a.approx, a.limit);
    }
    // The effect: the explicit ID and the exact trim that happened (built only if logged).
    let effect = logging.then(|| {
        let mut e = vec![Bytes::from_static(b"XADD"), key.clone()];
        if let Some(how) = a.how {
            e.extend(exact_trim_effect(s, how));
        }
        e.push(id_bytes(id));
        e.extend(argv[field_pos..].iter().cloned());
        e
    });
    ctx.store.written(db, &key, NOTIFY_STREAM, "xadd");
    if trimmed > 0 {
        ctx.store.written_n(db, &key, NOTIFY_STREAM, "xtrim", 0);
    }
    if let Some(e) = effect {
        ctx.also_propagate(e);
    }
    write_id(ctx, id);
    Ok(())
}

pub fn xlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = stream_read(ctx, &argv[1])?.map(|s| s.length).unwrap_or(0);
    ctx.out.int(n as i64);
    Ok(())
}

fn range_generic(ctx: &mut Ctx, argv: &[Bytes], rev: bool) -> CmdResult {
    let (a, b) = if rev {
        (&argv[3], &argv[2])
    } else {
        (&argv[2], &argv[3])
    };
    let start = parse_range_bound(a, true)?;
    let end = parse_range_bound(b, false)?;
    let mut count: i64 = -1;
    let mut i = 4;
    while i < argv.len() {
        if eq_ic(&argv[i], "count") && i + 1 < argv.len() {
            count = super::parse_int(&argv[i + 1])?.max(0);
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let db = ctx.db();
    let entries = match ctx.store.get::<Stream>(db, &argv[1])? {
        None => vec![],
        Some(s) => {
            if count == 0 {
                // Redis answers COUNT 0 (and negative counts) with a null array.
                ctx.out.null_array();
                return Ok(());
            } else {
                s.range(start, end, count.max(0) as usize, rev)
            }
        }
    };
    write_entries(ctx, &entries);
    Ok(())
}

pub fn xrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, false)
}

pub fn xrevrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    range_generic(ctx, argv, true)
}

pub fn xdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let ids: Vec<StreamId> = argv[2..]
        .iter()
        .map(|a| parse_strict_id(a))
        .collect::<CmdResult<_>>()?;
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &argv[1])? else {
        ctx.out.int(0);
        return Ok(());
    };
    let n = ids.iter().filter(|id| s.delete(**id)).count();
    if n > 0 {
        ctx.store
            .written_n(db, &argv[1], NOTIFY_STREAM, "xdel", n as u64);
    }
    ctx.out.int(n as i64);
    Ok(())
}

pub fn xtrim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_trim_args(ctx, argv, false)?;
    let Some(how) = a.how else {
        return Err(CmdError::Syntax);
    };
    let db = ctx.db();
    let key = argv[1].clone();
    let Some(s) = stream_mut(ctx, &key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let n = s.trim(how, a.approx, a.limit);
    let mut effect = vec![Bytes::from_static(b"XTRIM"), key.clone()];
    effect.extend(exact_trim_effect(s, how));
    if n > 0 {
        ctx.store.written_n(db, &key, NOTIFY_STREAM, "xtrim", n);
        ctx.also_propagate(effect);
    }
    ctx.out.int(n as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP
// ---------------------------------------------------------------------------------------------

fn nogroup_read(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Raw(format!(
        "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// One stream's part of an XREAD reply: the key and its entries (`None`: deleted since).
type StreamReply = (Bytes, Vec<(StreamId, Option<Entry>)>);

/// What a stream position in XREAD/XREADGROUP asks for.
#[derive(Clone, Copy, Debug)]
enum ReadFrom {
    /// Entries after this ID.
    After(StreamId),
    /// XREADGROUP `>`: entries never delivered to the group.
    New,
    /// XREAD `+`: the last entry.
    Last,
}

fn xread_generic(ctx: &mut Ctx, argv: &[Bytes], group_mode: bool) -> CmdResult {
    let name = if group_mode { "xreadgroup" } else { "xread" };
    // BLOCK's deadline (`Some(None)`: forever).
    let mut block: Option<Option<i64>> = None;
    let mut count: usize = 0;
    let mut streams_at = 0;
    let mut group: Option<(Bytes, Bytes)> = None;
    let mut noack = false;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if eq_ic(o, "block") && more > 0 {
            block = Some(super::parse_timeout(
                ctx.now,
                &argv[i + 1],
                super::TimeoutUnit::Millis,
            )?);
            i += 1;
        } else if eq_ic(o, "count") && more > 0 {
            let c = super::parse_int(&argv[i + 1])?;
            count = c.max(0) as usize;
            i += 1;
        } else if eq_ic(o, "streams") && more > 0 {
            streams_at = i + 1;
            if !(argv.len() - streams_at).is_multiple_of(2) {
                let ids = if group_mode {
                    "an ID or '>'"
                } else {
                    "an ID, '+', or '$'"
                };
                return Err(CmdError::err(format!(
                    "Unbalanced '{name}' list of streams: for each stream key {ids} must be specified."
                )));
            }
            break;
        } else if group_mode && eq_ic(o, "group") && more >= 2 {
            group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if group_mode && eq_ic(o, "noack") {
            noack = true;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if streams_at == 0 {
        return Err(CmdError::Syntax);
    }
    if group_mode && group.is_none() {
        return Err(CmdError::err("Missing GROUP option for XREADGROUP"));
    }
    let n = (argv.len() - streams_at) / 2;
    let keys: Vec<Bytes> = argv[streams_at..streams_at + n].to_vec();
    let db = ctx.db();
    // Resolve every stream's starting point (errors in argument order, as Redis).
    let mut froms = Vec::with_capacity(n);
    for (k, key) in keys.iter().enumerate() {
        let idarg = &argv[streams_at + n + k];
        let s = stream_read(ctx, key)?;
        if let Some((g, _)) = &group {
            if s.as_ref()
                .map(|s| !s.groups.contains_key(g))
                .unwrap_or(true)
            {
                return Err(nogroup_read(key, g));
            }
        }
        let last = s.as_ref().map(|s| s.last_id).unwrap_or_default();
        let from = if idarg.as_ref() == b"$" {
            if group_mode {
                return Err(CmdError::err("The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
            }
            ReadFrom::After(last)
        } else if idarg.as_ref() == b">" {
            if !group_mode {
                return Err(CmdError::err("The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."));
            }
            ReadFrom::New
        } else if idarg.as_ref() == b"+" && !group_mode {
            ReadFrom::Last
        } else {
            ReadFrom::After(parse_id(idarg, 0)?)
        };
        froms.push(from);
    }
    // Serve.
    let mut results: Vec<StreamReply> = Vec::new();
    let now = ctx.now;
    let mut effects = Effects::new(ctx);
    let mut history = false;
    for (key, from) in keys.iter().zip(&froms) {
        let Some(s) = stream_read(ctx, key)? else {
            continue;
        };
        match (&group, from) {
            (None, ReadFrom::After(id)) => {
                let Some(start) = id.incr() else { continue };
                if s.last_id > *id || s.length > 0 {
                    let es = s.range(start, StreamId::MAX, count, false);
                    if !es.is_empty() {
                        results.push((
                            key.clone(),
                            es.into_iter().map(|e| (e.id, Some(e))).collect(),
                        ));
                    }
                }
            }
            (None, ReadFrom::Last) => {
                if let Some(e) = s.last_entry() {
                    results.push((key.clone(), vec![(e.id, Some(e))]));
                }
            }
            (None, ReadFrom::New) => unreachable!("checked above"),
            (Some((g, cname)), from) => {
                // Redis 7.2+: the consumer is created by every XREADGROUP, even one that
                // reads nothing and blocks.
                let grp = s.groups.get_mut(g).expect("checked");
                ensure_consumer(grp, key, g, cname, now, &mut effects);
                if let Some(c) = grp.consumers.get_mut(cname) {
                    c.seen_time = now;
                }
                match from {
                    ReadFrom::New => {
                        let Some(start) = grp.last_id.incr() else {
                            continue;
                        };
                        let es = s.range(start, StreamId::MAX, count, false);
                        if es.is_empty() {
                            continue;
                        }
                        let mut delivered = Vec::with_capacity(es.len());
                        for e in es {
                            s.advance_group(g, e.id);
                            let grp = s.groups.get_mut(g).unwrap();
                            if !noack {
                                deliver(grp, cname, e.id, now);
                                let pe = &grp.pel[&e.id];
                                effects.add(|| xclaim_effect(key, g, cname, e.id, pe, grp.last_id));
                            }
                            if let Some(c) = grp.consumers.get_mut(cname) {
                                c.active_time = now;
                            }
                            delivered.push((e.id, Some(e)));
                        }
                        let grp = &s.groups[g];
                        effects.add(|| setid_effect(key, g, grp));
                        results.push((key.clone(), delivered));
                    }
                    ReadFrom::After(id) => {
                        history = true;
                        let Some(start) = id.incr() else {
                            results.push((key.clone(), vec![]));
                            continue;
                        };
                        let ids: Vec<StreamId> = grp
                            .consumers
                            .get(cname)
                            .map(|c| {
                                c.pending
                                    .range(start, StreamId::MAX)
                                    .take(if count == 0 { usize::MAX } else { count })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let mut out = Vec::with_capacity(ids.len());
                        for id in ids {
                            let e = s.get(id);
                            let grp = s.groups.get_mut(g).unwrap();
                            if e.is_some() {
                                let pe = grp.pel.get_mut(&id).expect("consumer PEL ⊆ group PEL");
                                pe.delivery_time = now;
                                pe.delivery_count += 1;
                                let pe = pe.clone();
                                effects.add(|| xclaim_effect(key, g, cname, id, &pe, grp.last_id));
                            }
                            out.push((id, e));
                        }
                        results.push((key.clone(), out));
                    }
                    ReadFrom::Last => unreachable!("XREADGROUP has no +"),
                }
            }
        }
    }
    effects.notify_created(ctx);
    if effects.changed {
        ctx.store.meta_written(db, &keys[0], None, 1);
        for e in effects.list {
            ctx.also_propagate(e);
        }
    }
    if results.is_empty() && !history {
        match block {
            Some(deadline_ms) if !ctx.no_block => {
                // Re-run later with `$` resolved to what it meant now, so entries added after
                // this moment are the ones returned.
                let mut rerun = argv.to_vec();
                for (k, from) in froms.iter().enumerate() {
                    if argv[streams_at + n + k].as_ref() == b"$" {
                        if let ReadFrom::After(id) = from {
                            rerun[streams_at + n + k] = id_bytes(*id);
                        }
                    }
                }
                let stream = Some(match &group {
                    Some((g, _)) => StreamWait::Group(g.clone()),
                    None => StreamWait::After(
                        froms
                            .iter()
                            .map(|f| match f {
                                ReadFrom::After(id) => Some(*id),
                                _ => None,
                            })
                            .collect(),
                    ),
                });
                ctx.block = Some(BlockRequest {
                    btype: BlockedType::Stream,
                    keys,
                    deadline_ms,
                    argv: rerun,
                    on_timeout: TimeoutReply::NullArray,
                    stream,
                });
            }
            _ => ctx.out.null_array(),
        }
        return Ok(());
    }
    if ctx.is_resp3() {
        ctx.out.map(results.len());
    } else {
        ctx.out.array(results.len());
    }
    for (key, entries) in results {
        if !ctx.is_resp3() {
            ctx.out.array(2);
        }
        ctx.out.bulk(&key);
        ctx.out.array(entries.len());
        for (id, e) in entries {
            match e {
                Some(e) => write_entry(ctx, &e),
                None => {
                    ctx.out.array(2);
                    write_id(ctx, id);
                    ctx.out.null_array();
                }
            }
        }
    }
    Ok(())
}

/// Effects a stream command records for the AOF. Building them costs allocations, so they are
/// built only when something will be logged; `changed` tells whether anything happened.
struct Effects {
    on: bool,
    changed: bool,
    list: Vec<Vec<Bytes>>,
    /// Keys whose group got a consumer created implicitly (each one an
    /// `xgroup-createconsumer` keyspace event, as Redis sends).
    consumers_created: Vec<Bytes>,
}

impl Effects {
    fn new(ctx: &Ctx) -> Effects {
        Effects {
            on: ctx.store.aof.enabled && !ctx.store.replaying,
            changed: false,
            list: Vec::new(),
            consumers_created: Vec::new(),
        }
    }

    /// Sends the keyspace events of implicitly created consumers.
    fn notify_created(&mut self, ctx: &mut Ctx) {
        let db = ctx.db();
        for key in self.consumers_created.drain(..) {
            let event = Some((NOTIFY_STREAM, "xgroup-createconsumer"));
            ctx.store.meta_written(db, &key, event, 0);
        }
    }

    fn add(&mut self, f: impl FnOnce() -> Vec<Bytes>) {
        self.changed = true;
        if self.on {
            self.list.push(f());
        }
    }
}

/// Adds (or reassigns) a pending entry for `consumer`, as delivering it does.
fn deliver(grp: &mut ConsumerGroup, consumer: &Bytes, id: StreamId, now: i64) {
    if let Some(pe) = grp.pel.get_mut(&id) {
        let old = pe.consumer.clone();
        if let Some(c) = grp.consumers.get_mut(&old) {
            c.pending.remove(&id);
        }
        pe.consumer = consumer.clone();
        pe.delivery_time = now;
        pe.delivery_count = 1;
    } else {
        grp.pel.insert(
            id,
            PendingEntry {
                consumer: consumer.clone(),
                delivery_time: now,
                delivery_count: 1,
            },
        );
    }
    grp.consumers
        .entry(consumer.clone())
        .or_insert_with(|| Consumer::new(now))
        .pending
        .insert(id);
}

fn xclaim_effect(
    key: &Bytes,
    g: &Bytes,
    consumer: &Bytes,
    id: StreamId,
    pe: &PendingEntry,
    last: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        key.clone(),
        g.clone(),
        consumer.clone(),
        Bytes::from_static(b"0"),
        id_bytes(id),
        Bytes::from_static(b"TIME"),
        Bytes::from(pe.delivery_time.to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(pe.delivery_count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        id_bytes(last),
    ]
}

fn setid_effect(key: &Bytes, g: &Bytes, grp: &ConsumerGroup) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        g.clone(),
        id_bytes(grp.last_id),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(grp.entries_read.to_string()),
    ]
}

pub fn xread(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, false)
}

pub fn xreadgroup(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, true)
}

// ---------------------------------------------------------------------------------------------
// XACK, XPENDING, XCLAIM, XAUTOCLAIM
// ---------------------------------------------------------------------------------------------

fn nogroup(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Raw(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

fn nogroup_for_key(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Raw(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        String::from_utf8_lossy(group),
        String::from_utf8_lossy(key)
    ))
}

pub fn xack(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let ids: Vec<StreamId> = argv[3..]
        .iter()
        .map(|a| parse_strict_id(a))
        .collect::<CmdResult<_>>()?;
    let db = ctx.db();
    let g = argv[2].clone();
    let Some(s) = stream_read(ctx, &argv[1])? else {
        ctx.out.int(0);
        return Ok(());
    };
    let Some(grp) = s.groups.get_mut(&g) else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut n = 0;
    for id in ids {
        if let Some(pe) = grp.pel.remove(&id) {
            if let Some(c) = grp.consumers.get_mut(&pe.consumer) {
                c.pending.remove(&id);
            }
            n += 1;
        }
    }
    if n > 0 {
        ctx.store.meta_written(db, &argv[1], None, n);
    }
    ctx.out.int(n as i64);
    Ok(())
}

pub fn xpending(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (&argv[1], &argv[2]);
    let mut min_idle: i64 = 0;
    let mut extended = None;
    // xpendingCommand: 3 arguments (summary) or 6..=9 (extended; extra ones are ignored).
    if argv.len() != 3 && (argv.len() < 6 || argv.len() > 9) {
        return Err(CmdError::Syntax);
    }
    if argv.len() >= 6 {
        let mut at = 3;
        if eq_ic(&argv[3], "idle") {
            min_idle = super::parse_int(&argv[4])?;
            if argv.len() < 8 {
                return Err(CmdError::Syntax);
            }
            at = 5;
        }
        let count = super::parse_int(&argv[at + 2])?.max(0) as usize;
        let start = parse_range_bound(&argv[at], true)?;
        let end = parse_range_bound(&argv[at + 1], false)?;
        let consumer = argv.get(at + 3).cloned();
        extended = Some((start, end, count, consumer));
    }
    let now = ctx.now;
    let s = stream_read(ctx, key)?;
    let Some(grp) = s.and_then(|s| s.groups.get(g)) else {
        return Err(nogroup(key, g));
    };
    match extended {
        None => {
            if grp.pel.is_empty() {
                ctx.out.array(4);
                ctx.out.int(0);
                ctx.out.null();
                ctx.out.null();
                ctx.out.null_array();
                return Ok(());
            }
            let first = grp.pel.first().unwrap().0;
            let last = grp.pel.last().unwrap().0;
            let per: Vec<(Bytes, usize)> = grp
                .consumers
                .iter()
                .filter(|(_, c)| !c.pending.is_empty())
                .map(|(n, c)| (n.clone(), c.pending.len()))
                .collect();
            let total = grp.pel.len();
            ctx.out.array(4);
            ctx.out.int(total as i64);
            write_id(ctx, first);
            write_id(ctx, last);
            ctx.out.array(per.len());
            for (n, c) in per {
                ctx.out.array(2);
                ctx.out.bulk(&n);
                ctx.out.bulk(c.to_string().as_bytes());
            }
        }
        Some((start, end, count, consumer)) => {
            let mut rows = Vec::new();
            if start <= end && count > 0 {
                // Walked lazily: the IDLE filter may skip entries, COUNT stops the walk.
                let ids: Box<dyn Iterator<Item = StreamId>> = match &consumer {
                    Some(c) => match grp.consumers.get(c) {
                        Some(c) => Box::new(c.pending.range(start, end)),
                        None => Box::new(std::iter::empty()),
                    },
                    None => Box::new(grp.pel.range(start, end).map(|(k, _)| k)),
                };
                for id in ids {
                    let pe = &grp.pel[&id];
                    let idle = (now - pe.delivery_time).max(0);
                    if min_idle > 0 && idle < min_idle {
                        continue;
                    }
                    rows.push((id, pe.consumer.clone(), idle, pe.delivery_count));
                    if rows.len() >= count {
                        break;
                    }
                }
            }
            ctx.out.array(rows.len());
            for (id, c, idle, n) in rows {
                ctx.out.array(4);
                write_id(ctx, id);
                ctx.out.bulk(&c);
                ctx.out.int(idle);
                ctx.out.int(n as i64);
            }
        }
    }
    Ok(())
}

/// Creates `cname` in the group if it is new, as XREADGROUP, XCLAIM and XAUTOCLAIM do in
/// Redis 7.2+ whether or not they then read or claim anything (7.0 created it only then):
/// an `xgroup-createconsumer` event and an `XGROUP CREATECONSUMER` effect.
fn ensure_consumer(
    grp: &mut ConsumerGroup,
    key: &Bytes,
    g: &Bytes,
    cname: &Bytes,
    now: i64,
    effects: &mut Effects,
) {
    if !grp.consumers.contains_key(cname) {
        grp.consumers.insert(cname.clone(), Consumer::new(now));
        effects.consumers_created.push(key.clone());
        effects.add(|| {
            vec![
                Bytes::from_static(b"XGROUP"),
                Bytes::from_static(b"CREATECONSUMER"),
                key.clone(),
                g.clone(),
                cname.clone(),
            ]
        });
    }
}

pub fn xclaim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, cname) = (argv[1].clone(), argv[2].clone(), argv[3].clone());
    let min_idle = crate::util::parse_i64(&argv[4])
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match parse_strict_id(&argv[j]) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let last_id_arg = j;
    let now = ctx.now;
    let mut delivery_time = -1i64;
    let mut retry: i64 = -1;
    let (mut force, mut justid) = (false, false);
    let mut lastid: Option<StreamId> = None;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        let o = &argv[j];
        if eq_ic(o, "force") {
            force = true;
        } else if eq_ic(o, "justid") {
            justid = true;
        } else if eq_ic(o, "idle") && more > 0 {
            j += 1;
            let v = crate::util::parse_i64(&argv[j])
                .ok_or_else(|| CmdError::err("Invalid IDLE option argument for XCLAIM"))?;
            delivery_time = now - v;
        } else if eq_ic(o, "time") && more > 0 {
            j += 1;
            delivery_time = crate::util::parse_i64(&argv[j])
                .ok_or_else(|| CmdError::err("Invalid TIME option argument for XCLAIM"))?;
        } else if eq_ic(o, "retrycount") && more > 0 {
            j += 1;
            retry = crate::util::parse_i64(&argv[j])
                .ok_or_else(|| CmdError::err("Invalid RETRYCOUNT option argument for XCLAIM"))?;
        } else if eq_ic(o, "lastid") && more > 0 {
            j += 1;
            lastid = Some(parse_strict_id(&argv[j])?);
        } else {
            return Err(CmdError::err(format!(
                "Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(o)
            )));
        }
        j += 1;
    }
    let _ = last_id_arg;
    // Unset, negative or future delivery times become now.
    if !(0..=now).contains(&delivery_time) {
        delivery_time = now;
    }
    let db = ctx.db();
    let mut effects = Effects::new(ctx);
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(nogroup(&key, &g));
    };
    if !s.groups.contains_key(&g) {
        return Err(nogroup(&key, &g));
    }
    if let Some(l) = lastid {
        let grp = s.groups.get_mut(&g).unwrap();
        if l > grp.last_id {
            grp.last_id = l;
            effects.add(|| setid_effect(&key, &g, grp));
        }
    }
    let mut claimed: Vec<(StreamId, Option<Entry>)> = Vec::new();
    {
        let exists: Vec<bool> = ids.iter().map(|id| s.get(*id).is_some()).collect();
        let entries: Vec<Option<Entry>> = if justid {
            vec![None; ids.len()]
        } else {
            ids.iter().map(|id| s.get(*id)).collect()
        };
        let grp = s.groups.get_mut(&g).unwrap();
        // Redis 7.2+: the consumer exists from now on, whether or not it claims anything.
        ensure_consumer(grp, &key, &g, &cname, now, &mut effects);
        if let Some(c) = grp.consumers.get_mut(&cname) {
            c.seen_time = now;
        }
        for (k, id) in ids.iter().enumerate() {
            if !exists[k] {
                // The entry is gone from the stream: it leaves the PEL too.
                if let Some(pe) = grp.pel.remove(id) {
                    if let Some(c) = grp.consumers.get_mut(&pe.consumer) {
                        c.pending.remove(id);
                    }
                    effects.add(|| {
                        vec![
                            Bytes::from_static(b"XACK"),
                            key.clone(),
                            g.clone(),
                            id_bytes(*id),
                        ]
                    });
                }
                continue;
            }
            if !grp.pel.contains_key(id) {
                if !force {
                    continue;
                }
                grp.pel.insert(
                    *id,
                    PendingEntry {
                        consumer: Bytes::new(),
                        delivery_time: now,
                        delivery_count: 1,
                    },
                );
            }
            if min_idle > 0 && now - grp.pel[id].delivery_time < min_idle {
                continue;
            }
            let pe = grp.pel.get_mut(id).unwrap();
            let old = pe.consumer.clone();
            pe.delivery_time = delivery_time;
            if retry >= 0 {
                pe.delivery_count = retry as u64;
            } else if !justid {
                pe.delivery_count += 1;
            }
            pe.consumer = cname.clone();
            let pe = pe.clone();
            if old != cname {
                if let Some(c) = grp.consumers.get_mut(&old) {
                    c.pending.remove(id);
                }
            }
            let c = grp.consumers.get_mut(&cname).unwrap();
            c.pending.insert(*id);
            c.active_time = now;
            effects.add(|| xclaim_effect(&key, &g, &cname, *id, &pe, grp.last_id));
            claimed.push((*id, entries[k].clone()));
        }
    }
    ctx.store.meta_written(db, &key, None, 1);
    effects.notify_created(ctx);
    for e in effects.list {
        ctx.also_propagate(e);
    }
    ctx.out.array(claimed.len());
    for (id, e) in claimed {
        match e {
            Some(e) if !justid => write_entry(ctx, &e),
            _ => write_id(ctx, id),
        }
    }
    Ok(())
}

pub fn xautoclaim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, cname) = (argv[1].clone(), argv[2].clone(), argv[3].clone());
    let min_idle = crate::util::parse_i64(&argv[4])
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let start = parse_range_bound(&argv[5], true)?;
    let mut count: i64 = 100;
    let mut justid = false;
    let mut a = super::args::Args::new(argv, 6);
    while !a.is_empty() {
        if a.remaining() > 1 && a.eat("count") {
            count = a.next_int()?;
            // COUNT × 10 PEL entries are scanned at most: keep that product in range.
            if !(1..=i64::MAX / 10).contains(&count) {
                return Err(CmdError::err("COUNT must be > 0"));
            }
        } else if a.eat("justid") {
            justid = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let now = ctx.now;
    let db = ctx.db();
    let mut effects = Effects::new(ctx);
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(nogroup(&key, &g));
    };
    if !s.groups.contains_key(&g) {
        return Err(nogroup(&key, &g));
    }
    let mut attempts = count * 10;
    let mut left = count;
    // The scan looks at no more than `attempts` entries, plus one for the next cursor.
    let pel_ids: Vec<StreamId> = s.groups[&g]
        .pel
        .range(start, StreamId::MAX)
        .take(
            usize::try_from(attempts)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        )
        .map(|(k, _)| k)
        .collect();
    let mut claimed: Vec<(StreamId, Option<Entry>)> = Vec::new();
    let mut deleted: Vec<StreamId> = Vec::new();
    let mut next_cursor = StreamId::MIN;
    let entries: Vec<Option<Entry>> = pel_ids.iter().map(|id| s.get(*id)).collect();
    let grp = s.groups.get_mut(&g).unwrap();
    // Redis 7.2+: the consumer exists from now on, whether or not it claims anything.
    ensure_consumer(grp, &key, &g, &cname, now, &mut effects);
    if let Some(c) = grp.consumers.get_mut(&cname) {
        c.seen_time = now;
    }
    let mut k = 0;
    while k < pel_ids.len() && attempts > 0 && left > 0 {
        let id = pel_ids[k];
        attempts -= 1;
        k += 1;
        if entries[k - 1].is_none() {
            if let Some(pe) = grp.pel.remove(&id) {
                if let Some(c) = grp.consumers.get_mut(&pe.consumer) {
                    c.pending.remove(&id);
                }
            }
            deleted.push(id);
            effects.add(|| {
                vec![
                    Bytes::from_static(b"XACK"),
                    key.clone(),
                    g.clone(),
                    id_bytes(id),
                ]
            });
            // A deleted entry uses up COUNT as a claimed one does (xautoclaimCommand).
            left -= 1;
            continue;
        }
        if min_idle > 0 && now - grp.pel[&id].delivery_time < min_idle {
            continue;
        }
        let pe = grp.pel.get_mut(&id).unwrap();
        let old = pe.consumer.clone();
        pe.delivery_time = now;
        if !justid {
            pe.delivery_count += 1;
        }
        pe.consumer = cname.clone();
        let pe = pe.clone();
        if old != cname {
            if let Some(c) = grp.consumers.get_mut(&old) {
                c.pending.remove(&id);
            }
        }
        let c = grp.consumers.get_mut(&cname).unwrap();
        c.pending.insert(id);
        c.active_time = now;
        effects.add(|| xclaim_effect(&key, &g, &cname, id, &pe, grp.last_id));
        claimed.push((id, if justid { None } else { entries[k - 1].clone() }));
        left -= 1;
    }
    if k < pel_ids.len() {
        next_cursor = pel_ids[k];
    }
    ctx.store.meta_written(db, &key, None, 1);
    effects.notify_created(ctx);
    for e in effects.list {
        ctx.also_propagate(e);
    }
    ctx.out.array(3);
    write_id(ctx, next_cursor);
    ctx.out.array(claimed.len());
    for (id, e) in claimed {
        match e {
            Some(e) => write_entry(ctx, &e),
            None => write_id(ctx, id),
        }
    }
    ctx.out.array(deleted.len());
    for id in deleted {
        write_id(ctx, id);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------------------------

fn parse_entries_read(b: &[u8]) -> CmdResult<i64> {
    let v = super::parse_int(b)?;
    if v < 0 && v != INVALID_ENTRIES_READ {
        return Err(CmdError::err(
            "value for ENTRIESREAD must be positive or -1",
        ));
    }
    Ok(v)
}

/// Parses `id|$ [MKSTREAM] [ENTRIESREAD n]` for CREATE and SETID.
fn group_id_args(
    argv: &[Bytes],
    allow_mkstream: bool,
) -> CmdResult<(Option<StreamId>, bool, Option<i64>)> {
    let id = if argv[4].as_ref() == b"$" {
        None
    } else {
        Some(parse_id(&argv[4], 0)?)
    };
    let mut mk = false;
    let mut er = None;
    let mut i = 5;
    while i < argv.len() {
        if allow_mkstream && eq_ic(&argv[i], "mkstream") {
            mk = true;
            i += 1;
        } else if eq_ic(&argv[i], "entriesread") && i + 1 < argv.len() {
            er = Some(parse_entries_read(&argv[i + 1])?);
            i += 2;
        } else {
            return Err(CmdError::err(format!(
                "unknown subcommand or wrong number of arguments for '{}'. Try XGROUP HELP.",
                String::from_utf8_lossy(&argv[1])
            )));
        }
    }
    Ok((id, mk, er))
}

const XGROUP_NEEDS_KEY: &str = "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

/// The stream an XGROUP subcommand works on; Redis's error when the key is missing.
fn xgroup_stream<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<&'a mut Stream> {
    stream_mut(ctx, key)?.ok_or_else(|| CmdError::err(XGROUP_NEEDS_KEY))
}

pub fn xgroup_create(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (argv[2].clone(), argv[3].clone());
    let (id, mkstream, er) = group_id_args(argv, true)?;
    let db = ctx.db();
    if stream_mut(ctx, &key)?.is_none() {
        if !mkstream {
            return Err(CmdError::err(XGROUP_NEEDS_KEY));
        }
        ctx.store.add(db, &key, Value::Stream(Box::default()));
    }
    let s = stream_mut(ctx, &key)?.expect("exists");
    if s.groups.contains_key(&g) {
        return Err(CmdError::Raw(
            "BUSYGROUP Consumer Group name already exists".into(),
        ));
    }
    let id = id.unwrap_or(s.last_id);
    // Without ENTRIESREAD the group's read counter is unknown; lag is estimated on demand.
    let er = er.unwrap_or(INVALID_ENTRIES_READ);
    s.groups.insert(g.clone(), ConsumerGroup::new(id, er));
    let mut effect = vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"CREATE"),
        key.clone(),
        g,
        id_bytes(id),
    ];
    if mkstream {
        effect.push(Bytes::from_static(b"MKSTREAM"));
    }
    effect.push(Bytes::from_static(b"ENTRIESREAD"));
    effect.push(Bytes::from(er.to_string()));
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-create")), 1);
    ctx.also_propagate(effect);
    ctx.out.ok();
    Ok(())
}

pub fn xgroup_setid(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (argv[2].clone(), argv[3].clone());
    let (id, _, er) = group_id_args(argv, false)?;
    let db = ctx.db();
    let s = xgroup_stream(ctx, &key)?;
    if !s.groups.contains_key(&g) {
        return Err(nogroup_for_key(&key, &g));
    }
    let id = id.unwrap_or(s.last_id);
    let er = er.unwrap_or(INVALID_ENTRIES_READ);
    let grp = s.groups.get_mut(&g).unwrap();
    grp.last_id = id;
    grp.entries_read = er;
    let effect = setid_effect(&key, &g, grp);
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-setid")), 1);
    ctx.also_propagate(effect);
    ctx.out.ok();
    Ok(())
}

pub fn xgroup_destroy(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (argv[2].clone(), argv[3].clone());
    let db = ctx.db();
    let s = xgroup_stream(ctx, &key)?;
    if s.groups.remove(&g).is_some() {
        // Clients blocked in XREADGROUP on this group are woken to fail with NOGROUP.
        ctx.store
            .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-destroy")), 1);
        ctx.out.int(1);
    } else {
        ctx.out.int(0);
    }
    Ok(())
}

pub fn xgroup_createconsumer(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, c) = (argv[2].clone(), argv[3].clone(), argv[4].clone());
    let db = ctx.db();
    let now = ctx.now;
    let s = xgroup_stream(ctx, &key)?;
    let Some(grp) = s.groups.get_mut(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    if grp.consumers.contains_key(&c) {
        ctx.out.int(0);
        return Ok(());
    }
    grp.consumers.insert(c, Consumer::new(now));
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-createconsumer")), 1);
    ctx.out.int(1);
    Ok(())
}

pub fn xgroup_delconsumer(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, c) = (argv[2].clone(), argv[3].clone(), argv[4].clone());
    let db = ctx.db();
    let s = xgroup_stream(ctx, &key)?;
    let Some(grp) = s.groups.get_mut(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    let Some(cons) = grp.consumers.remove(&c) else {
        ctx.out.int(0);
        return Ok(());
    };
    for id in cons.pending.iter() {
        grp.pel.remove(&id);
    }
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-delconsumer")), 1);
    ctx.out.int(cons.pending.len() as i64);
    Ok(())
}

pub fn xgroup_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "XGROUP",
        &[
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// XINFO, XSETID
// ---------------------------------------------------------------------------------------------

fn write_opt_entry(ctx: &mut Ctx, e: Option<Entry>) {
    match e {
        Some(e) => write_entry(ctx, &e),
        None => ctx.out.null(),
    }
}

fn write_id(ctx: &mut Ctx, id: StreamId) {
    ctx.out.bulk(id.text().as_bytes());
}

pub fn xinfo_stream(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = argv[2].clone();
    let mut full = false;
    let mut count: usize = 10;
    let mut i = 3;
    while i < argv.len() {
        if eq_ic(&argv[i], "full") && !full {
            full = true;
            i += 1;
        } else if full && eq_ic(&argv[i], "count") && i + 1 < argv.len() {
            let c = super::parse_int(&argv[i + 1])?;
            count = if c <= 0 { 0 } else { c as usize };
            i += 2;
        } else {
            return Err(CmdError::err(format!(
                "unknown subcommand or wrong number of arguments for '{}'. Try XINFO HELP.",
                String::from_utf8_lossy(&argv[1])
            )));
        }
    }
    let now = ctx.now;
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(CmdError::NoSuchKey);
    };
    let s = s.clone();
    let er_of = |g: &ConsumerGroup| g.entries_read;
    ctx.out.map(if full { 9 } else { 10 });
    ctx.out.bulk(b"length");
    ctx.out.int(s.length as i64);
    ctx.out.bulk(b"radix-tree-keys");
    ctx.out.int(s.node_count() as i64);
    ctx.out.bulk(b"radix-tree-nodes");
    // Our tree's real node count; Redis's rax (one node per byte where it branches, plus
    // compressed runs) counts differently, so the differential suite compares it as a number only.
    ctx.out.int(s.index_node_count() as i64);
    ctx.out.bulk(b"last-generated-id");
    write_id(ctx, s.last_id);
    ctx.out.bulk(b"max-deleted-entry-id");
    write_id(ctx, s.max_deleted_id);
    ctx.out.bulk(b"entries-added");
    ctx.out.int(s.entries_added as i64);
    ctx.out.bulk(b"recorded-first-entry-id");
    write_id(ctx, s.first_id);
    if !full {
        ctx.out.bulk(b"groups");
        ctx.out.int(s.groups.len() as i64);
        ctx.out.bulk(b"first-entry");
        write_opt_entry(ctx, s.first_entry());
        ctx.out.bulk(b"last-entry");
        write_opt_entry(ctx, s.last_entry());
        return Ok(());
    }
    ctx.out.bulk(b"entries");
    let es = s.range(StreamId::MIN, StreamId::MAX, count, false);
    write_entries(ctx, &es);
    ctx.out.bulk(b"groups");
    ctx.out.array(s.groups.len());
    for (name, g) in &s.groups {
        ctx.out.map(7);
        ctx.out.bulk(b"name");
        ctx.out.bulk(name);
        ctx.out.bulk(b"last-delivered-id");
        write_id(ctx, g.last_id);
        ctx.out.bulk(b"entries-read");
        match er_of(g) {
            INVALID_ENTRIES_READ => ctx.out.null(),
            v => ctx.out.int(v),
        }
        ctx.out.bulk(b"lag");
        match s.group_lag(g) {
            Some(l) => ctx.out.int(l),
            None => ctx.out.null(),
        }
        ctx.out.bulk(b"pel-count");
        ctx.out.int(g.pel.len() as i64);
        ctx.out.bulk(b"pending");
        let pel: Vec<_> = g
            .pel
            .iter()
            .take(if count == 0 { usize::MAX } else { count })
            .collect();
        ctx.out.array(pel.len());
        for (id, pe) in pel {
            ctx.out.array(4);
            write_id(ctx, id);
            ctx.out.bulk(&pe.consumer);
            ctx.out.int(pe.delivery_time);
            ctx.out.int(pe.delivery_count as i64);
        }
        ctx.out.bulk(b"consumers");
        ctx.out.array(g.consumers.len());
        for (cn, c) in &g.consumers {
            ctx.out.map(5);
            ctx.out.bulk(b"name");
            ctx.out.bulk(cn);
            ctx.out.bulk(b"seen-time");
            ctx.out.int(c.seen_time);
            ctx.out.bulk(b"active-time");
            ctx.out.int(c.active_time);
            ctx.out.bulk(b"pel-count");
            ctx.out.int(c.pending.len() as i64);
            ctx.out.bulk(b"pending");
            let ids: Vec<_> = c
                .pending
                .iter()
                .take(if count == 0 { usize::MAX } else { count })
                .collect();
            ctx.out.array(ids.len());
            for id in ids {
                let pe = &g.pel[&id];
                ctx.out.array(3);
                write_id(ctx, id);
                ctx.out.int(pe.delivery_time);
                ctx.out.int(pe.delivery_count as i64);
            }
        }
    }
    let _ = now;
    Ok(())
}

pub fn xinfo_groups(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(s) = stream_read(ctx, &argv[2])? else {
        return Err(CmdError::NoSuchKey);
    };
    let s = s.clone();
    ctx.out.array(s.groups.len());
    for (name, g) in &s.groups {
        ctx.out.map(6);
        ctx.out.bulk(b"name");
        ctx.out.bulk(name);
        ctx.out.bulk(b"consumers");
        ctx.out.int(g.consumers.len() as i64);
        ctx.out.bulk(b"pending");
        ctx.out.int(g.pel.len() as i64);
        ctx.out.bulk(b"last-delivered-id");
        write_id(ctx, g.last_id);
        ctx.out.bulk(b"entries-read");
        match g.entries_read {
            INVALID_ENTRIES_READ => ctx.out.null(),
            v => ctx.out.int(v),
        }
        ctx.out.bulk(b"lag");
        match s.group_lag(g) {
            Some(l) => ctx.out.int(l),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

pub fn xinfo_consumers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (argv[2].clone(), argv[3].clone());
    let now = ctx.now;
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(CmdError::NoSuchKey);
    };
    let Some(grp) = s.groups.get(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    let rows: Vec<(Bytes, usize, i64, i64)> = grp
        .consumers
        .iter()
        .map(|(n, c)| {
            let idle = (now - c.seen_time).max(0);
            let inactive = if c.active_time == -1 {
                -1
            } else {
                (now - c.active_time).max(0)
            };
            (n.clone(), c.pending.len(), idle, inactive)
        })
        .collect();
    ctx.out.array(rows.len());
    for (n, p, idle, inactive) in rows {
        ctx.out.map(4);
        ctx.out.bulk(b"name");
        ctx.out.bulk(&n);
        ctx.out.bulk(b"pending");
        ctx.out.int(p as i64);
        ctx.out.bulk(b"idle");
        ctx.out.int(idle);
        ctx.out.bulk(b"inactive");
        ctx.out.int(inactive);
    }
    Ok(())
}

pub fn xinfo_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "XINFO",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    );
    Ok(())
}

pub fn xsetid(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = argv[1].clone();
    let id = parse_strict_id(&argv[2])?;
    let mut entries_added: Option<i64> = None;
    let mut max_del: Option<StreamId> = None;
    let mut i = 3;
    while i < argv.len() {
        if eq_ic(&argv[i], "entriesadded") && i + 1 < argv.len() {
            let v = super::parse_int(&argv[i + 1])?;
            if v < 0 {
                return Err(CmdError::err("entries_added must be positive"));
            }
            entries_added = Some(v);
            i += 2;
        } else if eq_ic(&argv[i], "maxdeletedid") && i + 1 < argv.len() {
            let m = parse_strict_id(&argv[i + 1])?;
            if id < m {
                return Err(CmdError::err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
            max_del = Some(m);
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &key)? else {
        return Err(CmdError::NoSuchKey);
    };
    if s.length > 0 {
        let top = s.last_entry().map(|e| e.id).unwrap_or_default();
        if id < top {
            return Err(CmdError::err(
                "The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
    }
    if let Some(ea) = entries_added {
        if (s.length as i64) > ea {
            return Err(CmdError::err(
                "The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.last_id = id;
    if let Some(ea) = entries_added {
        s.entries_added = ea as u64;
    }
    if let Some(m) = max_del {
        s.max_deleted_id = m;
    }
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xsetid")), 1);
    ctx.out.ok();
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

    #[rustfmt::skip]
    pub static XGROUP_SUBS: &[Command] = &[
        Command {
            name: "create",
            arity: -5,
            flags: WRITE | DENYOOM,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xgroup_create,
            doc: Doc { summary: "Creates a consumer group.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("7.0.0", "Added the `entries_read` named argument.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "id-selector", kind: "oneof", args: &[
                        Arg { name: "id", kind: "string", display: Some("id"), ..Arg::DEFAULT },
                        Arg { name: "new-id", kind: "pure-token", display: Some("new-id"), token: Some("$"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "mkstream", kind: "pure-token", display: Some("mkstream"), token: Some("MKSTREAM"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "entriesread", kind: "integer", display: Some("entries-read"), token: Some("ENTRIESREAD"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "createconsumer",
            arity: 5,
            flags: WRITE | DENYOOM,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xgroup_createconsumer,
            doc: Doc { summary: "Creates a consumer in a consumer group.", since: "6.2.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "delconsumer",
            arity: 5,
            flags: WRITE,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xgroup_delconsumer,
            doc: Doc { summary: "Deletes a consumer from a consumer group.", since: "5.0.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "destroy",
            arity: 4,
            flags: WRITE,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xgroup_destroy,
            doc: Doc { summary: "Destroys a consumer group.", since: "5.0.0", group: "stream", complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["stream", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: xgroup_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "stream", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setid",
            arity: -5,
            flags: WRITE,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xgroup_setid,
            doc: Doc { summary: "Sets the last-delivered ID of a consumer group.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("7.0.0", "Added the optional `entries_read` argument.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "id-selector", kind: "oneof", args: &[
                        Arg { name: "id", kind: "string", display: Some("id"), ..Arg::DEFAULT },
                        Arg { name: "new-id", kind: "pure-token", display: Some("new-id"), token: Some("$"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "entriesread", kind: "integer", display: Some("entries-read"), token: Some("ENTRIESREAD"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    #[rustfmt::skip]
    pub static XINFO_SUBS: &[Command] = &[
        Command {
            name: "consumers",
            arity: 4,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xinfo_consumers,
            doc: Doc { summary: "Returns a list of the consumers in a consumer group.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("7.2.0", "Added the `inactive` field, and changed the meaning of `idle`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "groups",
            arity: 3,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xinfo_groups,
            doc: Doc { summary: "Returns a list of the consumer groups of a stream.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("7.0.0", "Added the `entries-read` and `lag` fields")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["stream", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: xinfo_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "stream", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "stream",
            arity: -3,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xinfo_stream,
            doc: Doc { summary: "Returns information about a stream.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("6.0.0", "Added the `FULL` modifier."), ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"), ("7.2.0", "Added the `active-time` field, and changed the meaning of `seen-time`.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "full-block", kind: "block", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "full", kind: "pure-token", display: Some("full"), token: Some("FULL"), ..Arg::DEFAULT },
                        Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "xadd",
            arity: -5,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "UPDATE instead of INSERT because of the optional trimming feature", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xadd,
            doc: Doc { summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", since: "5.0.0", group: "stream", complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.", history: &[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."), ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "nomkstream", kind: "pure-token", display: Some("nomkstream"), token: Some("NOMKSTREAM"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "trim", kind: "block", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "strategy", kind: "oneof", args: &[
                                Arg { name: "maxlen", kind: "pure-token", display: Some("maxlen"), token: Some("MAXLEN"), ..Arg::DEFAULT },
                                Arg { name: "minid", kind: "pure-token", display: Some("minid"), token: Some("MINID"), since: Some("6.2.0"), ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "operator", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                                Arg { name: "equal", kind: "pure-token", display: Some("equal"), token: Some("="), ..Arg::DEFAULT },
                                Arg { name: "approximately", kind: "pure-token", display: Some("approximately"), token: Some("~"), ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "threshold", kind: "string", display: Some("threshold"), ..Arg::DEFAULT },
                        Arg { name: "count", kind: "integer", display: Some("count"), token: Some("LIMIT"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "id-selector", kind: "oneof", args: &[
                        Arg { name: "auto-id", kind: "pure-token", display: Some("auto-id"), token: Some("*"), ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xlen",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["read", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xlen,
            doc: Doc { summary: "Returns the number of messages in a stream.", since: "5.0.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xrange",
            arity: -4,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xrange,
            doc: Doc { summary: "Returns the messages from a stream within a range of IDs.", since: "5.0.0", group: "stream", complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", history: &[("6.2.0", "Added exclusive ranges.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "start", kind: "string", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "end", kind: "string", display: Some("end"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xrevrange",
            arity: -4,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xrevrange,
            doc: Doc { summary: "Returns the messages from a stream within a range of IDs in reverse order.", since: "5.0.0", group: "stream", complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", history: &[("6.2.0", "Added exclusive ranges.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "end", kind: "string", display: Some("end"), ..Arg::DEFAULT },
                    Arg { name: "start", kind: "string", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xdel",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xdel,
            doc: Doc { summary: "Returns the number of messages after removing them from a stream.", since: "5.0.0", group: "stream", complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xtrim",
            arity: -4,
            flags: WRITE,
            acl: &["write", "stream", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xtrim,
            doc: Doc { summary: "Deletes messages from the beginning of a stream.", since: "5.0.0", group: "stream", complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.", history: &[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "trim", kind: "block", args: &[
                        Arg { name: "strategy", kind: "oneof", args: &[
                                Arg { name: "maxlen", kind: "pure-token", display: Some("maxlen"), token: Some("MAXLEN"), ..Arg::DEFAULT },
                                Arg { name: "minid", kind: "pure-token", display: Some("minid"), token: Some("MINID"), since: Some("6.2.0"), ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "operator", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                                Arg { name: "equal", kind: "pure-token", display: Some("equal"), token: Some("="), ..Arg::DEFAULT },
                                Arg { name: "approximately", kind: "pure-token", display: Some("approximately"), token: Some("~"), ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "threshold", kind: "string", display: Some("threshold"), ..Arg::DEFAULT },
                        Arg { name: "count", kind: "integer", display: Some("count"), token: Some("LIMIT"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xread",
            arity: -4,
            flags: READONLY | BLOCKING | MOVABLE_KEYS,
            acl: &["read", "stream", "slow", "blocking"],
            legacy_keys: (0, 0, 0),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Keyword("STREAMS", 1), find: Find::Range { lastkey: -1, keystep: 1, limit: 2 } }],
            tips: &[],
            handler: xread,
            doc: Doc { summary: "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", since: "5.0.0", group: "stream", complexity: "", args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("BLOCK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "streams", kind: "block", token: Some("STREAMS"), args: &[
                        Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xreadgroup",
            arity: -7,
            flags: WRITE | BLOCKING | MOVABLE_KEYS,
            acl: &["write", "stream", "slow", "blocking"],
            legacy_keys: (0, 0, 0),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Keyword("STREAMS", 4), find: Find::Range { lastkey: -1, keystep: 1, limit: 2 } }],
            tips: &[],
            handler: xreadgroup,
            doc: Doc { summary: "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", since: "5.0.0", group: "stream", complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.", args: &[
                    Arg { name: "group-block", kind: "block", token: Some("GROUP"), args: &[
                        Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                        Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("BLOCK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "noack", kind: "pure-token", display: Some("noack"), token: Some("NOACK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "streams", kind: "block", token: Some("STREAMS"), args: &[
                        Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xack",
            arity: -4,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xack,
            doc: Doc { summary: "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", since: "5.0.0", group: "stream", complexity: "O(1) for each message ID processed.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xpending",
            arity: -3,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xpending,
            doc: Doc { summary: "Returns the information and entries from a stream consumer group's pending entries list.", since: "5.0.0", group: "stream", complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.", history: &[("6.2.0", "Added the `IDLE` option and exclusive range intervals.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "filters", kind: "block", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "min-idle-time", kind: "integer", display: Some("min-idle-time"), token: Some("IDLE"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                        Arg { name: "start", kind: "string", display: Some("start"), ..Arg::DEFAULT },
                        Arg { name: "end", kind: "string", display: Some("end"), ..Arg::DEFAULT },
                        Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                        Arg { name: "consumer", kind: "string", display: Some("consumer"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xclaim",
            arity: -6,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xclaim,
            doc: Doc { summary: "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered to a consumer group member.", since: "5.0.0", group: "stream", complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                    Arg { name: "min-idle-time", kind: "string", display: Some("min-idle-time"), ..Arg::DEFAULT },
                    Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    Arg { name: "ms", kind: "integer", display: Some("ms"), token: Some("IDLE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "unix-time-milliseconds", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("TIME"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("RETRYCOUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "force", kind: "pure-token", display: Some("force"), token: Some("FORCE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "justid", kind: "pure-token", display: Some("justid"), token: Some("JUSTID"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "lastid", kind: "string", display: Some("lastid"), token: Some("LASTID"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xautoclaim",
            arity: -6,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: xautoclaim,
            doc: Doc { summary: "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to a consumer group member.", since: "6.2.0", group: "stream", complexity: "O(1) if COUNT is small.", history: &[("7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                    Arg { name: "min-idle-time", kind: "string", display: Some("min-idle-time"), ..Arg::DEFAULT },
                    Arg { name: "start", kind: "string", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "justid", kind: "pure-token", display: Some("justid"), token: Some("JUSTID"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xgroup",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for consumer groups commands.", since: "5.0.0", group: "stream", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: XGROUP_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "xinfo",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for stream introspection commands.", since: "5.0.0", group: "stream", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: XINFO_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "xsetid",
            arity: -3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xsetid,
            doc: Doc { summary: "An internal command for replicating stream values.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "last-id", kind: "string", display: Some("last-id"), ..Arg::DEFAULT },
                    Arg { name: "entries-added", kind: "integer", display: Some("entries-added"), token: Some("ENTRIESADDED"), since: Some("7.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "max-deleted-id", kind: "string", display: Some("max-deleted-id"), token: Some("MAXDELETEDID"), since: Some("7.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
