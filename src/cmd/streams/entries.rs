//! XADD, XLEN, XRANGE, XREVRANGE, XDEL, XDELEX, XTRIM: the entries themselves, and the
//! trimming arguments XADD and XTRIM share (`streamParseAddOrTrimArgsOrReply`).
//!
//! The reference policies of Redis 8.2 (KEEPREF | DELREF | ACKED on XDELEX, XADD's trim and
//! XTRIM) propagate as Redis 7 commands: the exact trim or XDEL of what went, then one XACK
//! per group for the pending entries DELREF dropped, so the AOF replays on older servers.

use super::{id_bytes, parse_id_full, parse_range_bound, parse_strict_id, stream_mut, stream_read};
use super::{parse_ids_block, ref_policy, write_codes, write_entries, write_id, xack_effects};
use crate::cmd::{self, eq_ic, Ctx};
use crate::config::NOTIFY_STREAM;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::stream::idmp;
use crate::types::stream::{DeleteOutcome, RefPolicy, Stream, StreamId, Trim, TrimLog};
use bytes::Bytes;

#[derive(Default)]
struct TrimArgs {
    how: Option<Trim>,
    approx: bool,
    limit: usize,
    limit_given: bool,
    nomkstream: bool,
    /// KEEPREF | DELREF | ACKED (Redis 8.2); the last one given counts.
    policy: RefPolicy,
    /// XADD IDMP pid iid / IDMPAUTO pid (Redis 8.6): the producer and, for IDMP, the iid.
    /// (argv indexes, so parsing copies nothing).
    idmp: Option<(usize, Option<usize>)>,
    /// XADD: the ID argument's index, and whether the ID (or its seq) is to be generated.
    id_index: usize,
    id: Option<(StreamId, bool)>,
}

/// `streamParseAddOrTrimArgsOrReply`.
fn parse_trim_args(ctx: &Ctx, argv: &[Bytes], xadd: bool) -> CmdResult<TrimArgs> {
    let mut t = TrimArgs::default();
    let mut a = cmd::args::Args::new(argv, 2);
    while let Some(opt) = a.peek() {
        let more = a.remaining() - 1;
        if xadd && opt.as_ref() == b"*" {
            t.id_index = a.position();
            t.id = None;
            break;
        } else if xadd
            && ((more >= 2 && eq_ic(opt, "idmp")) || (more >= 1 && eq_ic(opt, "idmpauto")))
        {
            a.next_bytes()?;
            if t.idmp.is_some() {
                return Err(CmdError::err("IDMP/IDMPAUTO specified multiple times"));
            }
            let auto = eq_ic(opt, "idmpauto");
            let pid_at = a.position();
            if a.next_bytes()?.is_empty() {
                return Err(CmdError::err(if auto {
                    "IDMPAUTO requires a non-empty producer ID"
                } else {
                    "IDMP requires a non-empty producer ID"
                }));
            }
            let iid = if auto {
                None
            } else {
                let iid_at = a.position();
                if a.next_bytes()?.is_empty() {
                    return Err(CmdError::err("IDMP requires a non-empty idempotent ID"));
                }
                Some(iid_at)
            };
            t.idmp = Some((pid_at, iid));
        } else if (eq_ic(opt, "maxlen") || eq_ic(opt, "minid")) && more > 0 {
            if t.how.is_some() {
                return Err(CmdError::err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            a.next_bytes()?;
            // `~` or `=` before the bound only when a bound follows them.
            t.approx = more >= 2 && a.eat("~");
            if more >= 2 && !t.approx {
                a.eat("=");
            }
            let bound = a.next_bytes()?;
            t.how = Some(if eq_ic(opt, "maxlen") {
                let n = cmd::parse_int(bound)?;
                if n < 0 {
                    return Err(CmdError::err("The MAXLEN argument must be >= 0."));
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(parse_strict_id(bound)?)
            });
        } else if more > 0 && a.eat("limit") {
            let n = a.next_int()?;
            if n < 0 {
                return Err(CmdError::err("The LIMIT argument must be >= 0."));
            }
            t.limit = n as usize;
            t.limit_given = true;
        } else if xadd && a.eat("nomkstream") {
            t.nomkstream = true;
        } else if let Some(p) = ref_policy(opt) {
            a.next_bytes()?;
            t.policy = p;
        } else if xadd {
            let (id, seq_given) = parse_id_full(opt, 0, true, true)?;
            t.id_index = a.position();
            t.id = Some((id, seq_given));
            break;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if xadd && t.id_index == 0 {
        t.id_index = a.position();
    }
    if t.limit_given && t.how.is_none() {
        return Err(CmdError::err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if t.limit_given {
        if !t.approx {
            return Err(CmdError::err(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if t.approx {
        let n = 100 * ctx.store.config.stream_node_max_entries;
        t.limit = if n == 0 { 10000 } else { n };
    } else {
        t.limit = usize::MAX;
    }
    if t.approx && t.limit == 0 {
        // LIMIT 0 with ~ means no limit.
        t.limit = usize::MAX;
    }
    Ok(t)
}

/// An ACKED trim that kept referenced entries and deleted past them, as Redis 7 can replay
/// it: XDEL of what went, then XSETID putting back the max-deleted-entry-id XDEL moves (a trim
/// leaves it alone).
fn skipped_trim_effects(
    key: &Bytes,
    s: &Stream,
    log: &TrimLog,
    max_deleted: StreamId,
) -> Vec<Vec<Bytes>> {
    let mut out = Vec::new();
    if !log.deleted.is_empty() {
        // (An XDEL without IDs would be an arity error, which inside the MULTI/EXEC that
        // wraps these effects would abort the whole transaction on replay.)
        let mut del = vec![Bytes::from_static(b"XDEL"), key.clone()];
        del.extend(log.deleted.iter().map(|id| id_bytes(*id)));
        out.push(del);
    }
    let setid = vec![
        Bytes::from_static(b"XSETID"),
        key.clone(),
        id_bytes(s.last_id),
        Bytes::from_static(b"ENTRIESADDED"),
        Bytes::from(s.entries_added.to_string()),
        Bytes::from_static(b"MAXDELETEDID"),
        id_bytes(max_deleted),
    ];
    out.push(setid);
    out
}

/// What a trim of `key` by `how` that did what `log` says propagates: the exact XTRIM (or,
/// when ACKED skipped referenced entries, XDEL and XSETID), then the XACKs of the references
/// DELREF dropped.
pub(super) fn trim_effects(
    key: &Bytes,
    s: &Stream,
    how: Trim,
    log: &TrimLog,
    max_deleted: StreamId,
) -> Vec<Vec<Bytes>> {
    let mut v = if log.skipped {
        skipped_trim_effects(key, s, log, max_deleted)
    } else {
        let mut effect = vec![Bytes::from_static(b"XTRIM"), key.clone()];
        effect.extend(exact_trim_effect(s, how));
        vec![effect]
    };
    v.extend(xack_effects(key, &log.dropped));
    v
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
            // What is left starts at the first live entry: below the bound after an
            // approximate trim (whole nodes only) or an ACKED one (stopped at a reference).
            let bound = if s.length > 0 { s.first_id } else { min };
            vec![
                Bytes::from_static(b"MINID"),
                Bytes::from_static(b"="),
                id_bytes(bound),
            ]
        }
    }
}

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
    // IDMP/IDMPAUTO only with `*`; the explicit ID of an XADD IDMP being replayed (its
    // propagated form) is the one exception.
    if a.idmp.is_some() && a.id.is_some() && !ctx.store.replaying {
        return Err(CmdError::err(
            "IDMP/IDMPAUTO can be used only with auto-generated IDs",
        ));
    }
    let key = argv[1].clone();
    let db = ctx.db();
    let logging = ctx.store.aof.enabled && !ctx.store.replaying;
    // The producer and its iid (IDMPAUTO: a digest of the field-value pairs).
    let idmp = a.idmp.map(|(pid, iid)| {
        let pid = &argv[pid];
        let iid = match iid {
            Some(iid) => std::borrow::Cow::Borrowed(&argv[iid][..]),
            None => std::borrow::Cow::Owned(idmp::content_iid(&argv[field_pos..]).to_vec()),
        };
        (pid, iid)
    });
    let (duration, maxsize) = (
        ctx.store.config.stream_idmp_duration,
        ctx.store.config.stream_idmp_maxsize,
    );
    let exists = stream_mut(ctx, &key)?.is_some();
    if !exists {
        if a.nomkstream {
            ctx.out.null();
            return Ok(());
        }
        ctx.store.add(db, &key, Value::Stream(Box::default()));
    }
    let clock = ctx.now;
    let (max_bytes, max_entries) = (
        ctx.store.config.stream_node_max_bytes,
        ctx.store.config.stream_node_max_entries,
    );
    let now = ctx.now.max(0) as u64;
    let default_retention = ctx.store.config.default_retention;
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
    if let Some((pid, iid)) = &idmp {
        let m = s.idmp.get_or_insert_with(Default::default);
        let (d, cap) = (m.duration.unwrap_or(duration), m.maxsize.unwrap_or(maxsize));
        // A retry: the original entry's ID, nothing added (even if that entry is gone since).
        if let Err(orig) = m.check_or_record(pid, iid, id, clock, d, cap) {
            write_id(ctx.out, orig);
            return Ok(());
        }
    }
    s.append(id, &argv[field_pos..], max_bytes, max_entries);
    let mut trimmed = 0;
    let mut log = TrimLog::default();
    let max_deleted = s.max_deleted_id;
    if let Some(how) = a.how {
        trimmed = s.trim_with(how, a.approx, a.limit, a.policy, &mut log);
    }
    // The effect: the explicit ID and the exact trim that happened (built only if logged).
    let mut more = Vec::new();
    let effect = logging.then(|| {
        let mut e = vec![Bytes::from_static(b"XADD"), key.clone()];
        match a.how {
            Some(_) if log.skipped => more = skipped_trim_effects(&key, s, &log, max_deleted),
            Some(how) => e.extend(exact_trim_effect(s, how)),
            None => {}
        }
        // Replayed as IDMP with the explicit ID, which records the same iid (IDMPAUTO's
        // digest spelled out, so a replay needs no hashing rule).
        if let Some((pid, iid)) = &idmp {
            // The argument itself when the client gave the iid (a count, not a copy).
            let iid = match a.idmp {
                Some((_, Some(at))) => argv[at].clone(),
                _ => Bytes::copy_from_slice(iid),
            };
            e.extend([Bytes::from_static(b"IDMP"), (*pid).clone(), iid]);
        }
        e.push(id_bytes(id));
        e.extend(argv[field_pos..].iter().cloned());
        e
    });
    // sluice's retention: trimming due now (one look at the stream), and whether the policy
    // timer needs a hint (the first entry of an empty stream: any other XADD leaves the
    // stream's timer where its hint already is, or later).
    let r = s.retention(&default_retention);
    let (retain, hint) = if r.is_off() {
        (false, false)
    } else {
        (s.retention_due(&r, clock), s.length == 1)
    };
    ctx.store.written(db, &key, NOTIFY_STREAM, "xadd");
    if trimmed > 0 {
        ctx.store.written_n(db, &key, NOTIFY_STREAM, "xtrim", 0);
    }
    if let Some(e) = effect {
        ctx.also_propagate(e);
        for e in more.into_iter().chain(xack_effects(&key, &log.dropped)) {
            ctx.also_propagate(e);
        }
    }
    if retain {
        // sluice's retention (SLUICE.POLICY RETENTION), after the XADD's own trim.
        let mut out = Vec::new();
        super::policy::apply_retention(ctx.store, db, &key, clock, &mut out);
        for e in out {
            ctx.also_propagate(e);
        }
    }
    if retain || hint {
        ctx.store.note_stream_timer(db, &key);
    }
    write_id(ctx.out, id);
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
    let mut args = cmd::args::Args::new(argv, 4);
    while !args.is_empty() {
        if args.remaining() > 1 && args.eat("count") {
            count = args.next_int()?.max(0);
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
    write_entries(ctx.out, &entries);
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
    let mut log = TrimLog::default();
    let max_deleted = s.max_deleted_id;
    let n = s.trim_with(how, a.approx, a.limit, a.policy, &mut log);
    if n > 0 {
        let effects = trim_effects(&key, s, how, &log, max_deleted);
        ctx.store.written_n(db, &key, NOTIFY_STREAM, "xtrim", n);
        for e in effects {
            ctx.also_propagate(e);
        }
    }
    ctx.out.int(n as i64);
    Ok(())
}

/// XDELEX key [KEEPREF|DELREF|ACKED] IDS numids id... (Redis 8.2): per ID -1 (no such
/// entry), 1 (deleted) or 2 (kept: ACKED and a group still references it); a missing key
/// answers -1 for every ID.
pub fn xdelex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (policy, ids) = parse_ids_block(argv, 2)?;
    let key = argv[1].clone();
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &key)? else {
        write_codes(ctx.out, &vec![-1; ids.len()]);
        return Ok(());
    };
    let mut dropped = Vec::new();
    let mut deleted = Vec::new();
    let codes: Vec<i64> = ids
        .iter()
        .map(|&id| {
            let o = s.delete_with(id, policy, &mut dropped);
            if o == DeleteOutcome::Deleted {
                deleted.push(id);
            }
            o.code()
        })
        .collect();
    finish_deletes(ctx, db, &key, &deleted, &dropped, None);
    write_codes(ctx.out, &codes);
    Ok(())
}

/// The aftermath of XDELEX / XACKDEL: dirty counted per change, the `xdel` event when
/// entries went, and (only when the AOF will log them) the effects: XACKDEL's own
/// `XACK key group ids` (`acked`), `XDEL` of what was deleted, XACKs of the references DELREF
/// dropped.
pub(super) fn finish_deletes(
    ctx: &mut Ctx,
    db: usize,
    key: &Bytes,
    deleted: &[StreamId],
    dropped: &[(Bytes, StreamId)],
    acked: Option<(&Bytes, &[StreamId])>,
) {
    let meta = dropped.len() + acked.map_or(0, |(_, ids)| ids.len());
    if !deleted.is_empty() {
        ctx.store.written_n(
            db,
            key,
            NOTIFY_STREAM,
            "xdel",
            (deleted.len() + meta) as u64,
        );
    } else if meta > 0 {
        ctx.store.meta_written(db, key, None, meta as u64);
    } else {
        return;
    }
    if !ctx.store.aof.enabled || ctx.store.replaying {
        return;
    }
    if let Some((g, ids)) = acked.filter(|(_, ids)| !ids.is_empty()) {
        let mut e = vec![Bytes::from_static(b"XACK"), key.clone(), g.clone()];
        e.extend(ids.iter().map(|id| id_bytes(*id)));
        ctx.also_propagate(e);
    }
    if !deleted.is_empty() {
        let mut e = vec![Bytes::from_static(b"XDEL"), key.clone()];
        e.extend(deleted.iter().map(|id| id_bytes(*id)));
        ctx.also_propagate(e);
    }
    for e in xack_effects(key, dropped) {
        ctx.also_propagate(e);
    }
}
