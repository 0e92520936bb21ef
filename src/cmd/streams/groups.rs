//! XGROUP, XACK, XNACK, XPENDING, XCLAIM, XAUTOCLAIM: consumer groups and their pending entries.
//! The rules (who owns a pending entry, what a claim changes) are the group's
//! (`types::stream::group`); these handlers parse, call them, propagate and render.

use super::effects::{self, Effects};
use super::{id_bytes, nogroup, nogroup_for_key, parse_id, parse_range_bound, parse_strict_id};
use super::{stream_mut, stream_read, write_entry, write_id};
use crate::cmd::{self, eq_ic, Ctx};
use crate::config::NOTIFY_STREAM;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::stream::{
    AutoClaimScan, ClaimOpts, ClaimStatus, DeleteOutcome, DeliveryCount, NackCount, Stream,
    StreamId, INVALID_ENTRIES_READ,
};
use bytes::Bytes;

// XGROUP

fn parse_entries_read(b: &[u8]) -> CmdResult<i64> {
    let v = cmd::parse_int(b)?;
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
    let mut a = cmd::args::Args::new(argv, 5);
    while !a.is_empty() {
        if allow_mkstream && a.eat("mkstream") {
            mk = true;
        } else if a.remaining() > 1 && a.eat("entriesread") {
            er = Some(parse_entries_read(a.next_bytes()?)?);
        } else {
            return Err(crate::error::subcommand_syntax(argv));
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
    let id = id.unwrap_or(s.last_id);
    // Without ENTRIESREAD the group's read counter is unknown; lag is estimated on demand.
    let er = er.unwrap_or(INVALID_ENTRIES_READ);
    if !s.create_group(&g, id, er) {
        return Err(CmdError::Raw(
            "BUSYGROUP Consumer Group name already exists".into(),
        ));
    }
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
    let id = id.unwrap_or(s.last_id);
    let er = er.unwrap_or(INVALID_ENTRIES_READ);
    let Some(grp) = s.group_mut(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    grp.set_position(id, er);
    let effect = effects::setid(&key, &g, grp);
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
    if s.destroy_group(&g) {
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
    let Some(grp) = s.group_mut(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    if !grp.create_consumer(&c, now) {
        ctx.out.int(0);
        return Ok(());
    }
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-createconsumer")), 1);
    ctx.out.int(1);
    Ok(())
}

pub fn xgroup_delconsumer(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, c) = (argv[2].clone(), argv[3].clone(), argv[4].clone());
    let db = ctx.db();
    let s = xgroup_stream(ctx, &key)?;
    let Some(grp) = s.group_mut(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    let Some(pending) = grp.delete_consumer(&c) else {
        ctx.out.int(0);
        return Ok(());
    };
    ctx.store
        .meta_written(db, &key, Some((NOTIFY_STREAM, "xgroup-delconsumer")), 1);
    ctx.out.int(pending as i64);
    Ok(())
}

pub fn xgroup_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    cmd::connection::write_help(
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

// XACK, XPENDING

pub fn xack(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let ids: Vec<StreamId> = argv[3..]
        .iter()
        .map(|a| parse_strict_id(a))
        .collect::<CmdResult<_>>()?;
    let db = ctx.db();
    let Some(grp) = stream_read(ctx, &argv[1])?.and_then(|s| s.group_mut(&argv[2])) else {
        ctx.out.int(0);
        return Ok(());
    };
    let n = ids.into_iter().filter(|id| grp.ack(*id).is_some()).count() as u64;
    grp.stats.acks += n;
    if n > 0 {
        ctx.store.meta_written(db, &argv[1], None, n);
    }
    ctx.out.int(n as i64);
    Ok(())
}

/// XACKDEL key group [KEEPREF|DELREF|ACKED] IDS numids id... (Redis 8.2): acknowledges
/// each ID in the group, then deletes it under the policy. Per ID -1 (not pending in the
/// group; every ID when the key or the group is missing), 1 (acknowledged and deleted, or
/// already gone) or 2 (acknowledged, kept: ACKED and another group still references it).
pub fn xackdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (policy, ids) = super::parse_ids_block(argv, 3)?;
    let (key, g) = (argv[1].clone(), argv[2].clone());
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &key)?.filter(|s| s.group(&g).is_some()) else {
        super::write_codes(ctx.out, &vec![-1; ids.len()]);
        return Ok(());
    };
    let mut acked = Vec::new();
    let mut deleted = Vec::new();
    let mut dropped = Vec::new();
    let codes: Vec<i64> = ids
        .iter()
        .map(|&id| {
            let grp = s.group_mut(&g).expect("checked");
            if grp.ack(id).is_none() {
                return -1;
            }
            grp.stats.acks += 1;
            acked.push(id);
            match s.delete_with(id, policy, &mut dropped) {
                DeleteOutcome::Referenced => 2,
                DeleteOutcome::Deleted => {
                    deleted.push(id);
                    1
                }
                DeleteOutcome::NotFound => 1,
            }
        })
        .collect();
    super::entries::finish_deletes(ctx, db, &key, &deleted, &dropped, Some((&g, &acked)));
    super::write_codes(ctx.out, &codes);
    Ok(())
}

/// XNACK key group SILENT|FAIL|FATAL IDS numids id... [RETRYCOUNT n] [FORCE] (Redis 8.8):
/// releases pending entries, unowned, to the head of the group's claim order. The options
/// may come before or after the IDS block. The number of IDs nacked; propagated as it
/// came (what it does depends on the PEL and the stream alone, as XACK's does).
pub fn xnack(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (&argv[1], &argv[2]);
    let mode = match &argv[3] {
        m if eq_ic(m, "silent") => NackCount::Silent,
        m if eq_ic(m, "fail") => NackCount::Fail,
        m if eq_ic(m, "fatal") => NackCount::Fatal,
        _ => return Err(CmdError::err("mode must be SILENT, FAIL, or FATAL")),
    };
    let mut ids: Option<Vec<StreamId>> = None;
    let mut retry = None;
    let mut force = false;
    let mut i = 4;
    while i < argv.len() {
        let a = &argv[i];
        if ids.is_none() && i + 1 < argv.len() && eq_ic(a, "ids") {
            let (got, next) = super::read_ids_block(
                argv,
                i,
                "numids must be a positive integer",
                "number of IDs doesn't match numids",
            )?;
            ids = Some(got);
            i = next;
        } else if i + 1 < argv.len() && eq_ic(a, "retrycount") {
            let n = cmd::parse_int(&argv[i + 1])?;
            if n < 0 {
                return Err(CmdError::err("Invalid RETRYCOUNT value, must be >= 0"));
            }
            retry = Some(n as u64);
            i += 2;
        } else if eq_ic(a, "force") {
            force = true;
            i += 1;
        } else {
            return Err(CmdError::err(format!(
                "Unrecognized XNACK option '{}'",
                String::from_utf8_lossy(a)
            )));
        }
    }
    let ids = ids.ok_or_else(|| CmdError::err("syntax error, expected IDS keyword"))?;
    let how = retry.map_or(mode, NackCount::Set);
    let db = ctx.db();
    let parked = super::policy::park(ctx, key, g);
    let Some(s) = stream_mut(ctx, key)?.filter(|s| s.group(g).is_some()) else {
        return Err(nogroup(key, g));
    };
    let n = s.nack(g, &ids, how, force).expect("group checked") as u64;
    super::policy::unpark(ctx, key, g, parked);
    if n > 0 {
        ctx.store.meta_written(db, key, None, n);
    }
    // XNACK propagates as it came; its dead letters (FATAL under a dead-letter rule) add
    // their copies and XACKs, which a replayed XNACK does not redo.
    let mut effects = Effects::new(ctx);
    if n > 0 {
        effects.add(|| argv.to_vec());
    }
    super::policy::finish_dead(ctx, key, &mut effects);
    if effects.changed {
        effects.finish(ctx);
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
            min_idle = cmd::parse_int(&argv[4])?;
            if argv.len() < 8 {
                return Err(CmdError::Syntax);
            }
            at = 5;
        }
        let count = cmd::parse_int(&argv[at + 2])?.max(0) as usize;
        let start = parse_range_bound(&argv[at], true)?;
        let end = parse_range_bound(&argv[at + 1], false)?;
        let consumer = argv.get(at + 3).cloned();
        extended = Some((start, end, count, consumer));
    }
    let now = ctx.now;
    let db = ctx.db();
    let Some(grp) = ctx.store.get::<Stream>(db, key)?.and_then(|s| s.group(g)) else {
        return Err(nogroup(key, g));
    };
    let out = &mut *ctx.out;
    match extended {
        None => match grp.pending_summary() {
            None => {
                out.array(4);
                out.int(0);
                out.null();
                out.null();
                out.null_array();
            }
            Some(sum) => {
                out.array(4);
                out.int(sum.count as i64);
                write_id(out, sum.first);
                write_id(out, sum.last);
                out.array(sum.consumers.len());
                for (n, c) in sum.consumers {
                    out.array(2);
                    out.bulk(&n);
                    out.bulk(c.to_string().as_bytes());
                }
            }
        },
        Some((start, end, count, consumer)) => {
            let rows = grp.pending_range(start, end, consumer.as_deref(), min_idle, count, now);
            out.array(rows.len());
            for r in rows {
                out.array(4);
                write_id(out, r.id);
                // A nacked entry's owner: none, shown as an empty name.
                out.bulk(r.consumer.as_deref().unwrap_or_default());
                out.int(r.idle);
                out.int(r.delivery_count as i64);
            }
        }
    }
    Ok(())
}

// XCLAIM, XAUTOCLAIM

pub fn xclaim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g, cname) = (argv[1].clone(), argv[2].clone(), argv[3].clone());
    let min_idle = crate::util::parse_i64(&argv[4])
        .ok_or_else(|| CmdError::err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    // IDs up to the first argument that is not one; options follow.
    let n_ids = argv[5..]
        .iter()
        .take_while(|a| parse_strict_id(a).is_ok())
        .count();
    let ids: Vec<StreamId> = argv[5..5 + n_ids]
        .iter()
        .map(|a| parse_strict_id(a).expect("checked"))
        .collect();
    let now = ctx.now;
    let mut delivery_time = -1i64;
    let mut retry: i64 = -1;
    let (mut force, mut justid) = (false, false);
    let mut lastid: Option<StreamId> = None;
    let mut a = cmd::args::Args::new(argv, 5 + n_ids);
    while !a.is_empty() {
        let more = a.remaining() > 1;
        if a.eat("force") {
            force = true;
        } else if a.eat("justid") {
            justid = true;
        } else if more && a.eat("idle") {
            let v = crate::util::parse_i64(a.next_bytes()?)
                .ok_or_else(|| CmdError::err("Invalid IDLE option argument for XCLAIM"))?;
            delivery_time = now - v;
        } else if more && a.eat("time") {
            delivery_time = crate::util::parse_i64(a.next_bytes()?)
                .ok_or_else(|| CmdError::err("Invalid TIME option argument for XCLAIM"))?;
        } else if more && a.eat("retrycount") {
            retry = crate::util::parse_i64(a.next_bytes()?)
                .ok_or_else(|| CmdError::err("Invalid RETRYCOUNT option argument for XCLAIM"))?;
        } else if more && a.eat("lastid") {
            lastid = Some(parse_strict_id(a.next_bytes()?)?);
        } else {
            return Err(CmdError::err(format!(
                "Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(a.next_bytes()?)
            )));
        }
    }
    // Unset, negative or future delivery times become now.
    if !(0..=now).contains(&delivery_time) {
        delivery_time = now;
    }
    let opts = ClaimOpts {
        min_idle,
        delivery_time,
        count: if retry >= 0 {
            DeliveryCount::Set(retry as u64)
        } else if justid {
            DeliveryCount::Keep
        } else {
            DeliveryCount::Bump
        },
        force,
    };
    let db = ctx.db();
    let mut effects = Effects::new(ctx);
    let parked = super::policy::park(ctx, &key, &g);
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(nogroup(&key, &g));
    };
    let Some(grp) = s.group_mut(&g) else {
        return Err(nogroup(&key, &g));
    };
    if let Some(l) = lastid.filter(|l| *l > grp.last_id) {
        grp.last_id = l;
        effects.add(|| effects::setid(&key, &g, grp));
    }
    // Redis 7.2+: the consumer exists from now on, whether or not it claims anything.
    if grp.consumer_seen(&cname, now) {
        effects.consumer_created(&key, &g, &cname);
    }
    let mut claimed = Vec::new();
    for id in ids {
        match s.claim(&g, id, &cname, &opts, now).expect("checked") {
            ClaimStatus::Claimed => {
                let grp = s.group(&g).expect("checked");
                let pe = &grp.pel()[&id];
                effects.add(|| effects::xclaim(&key, &g, &cname, id, pe, grp.last_id));
                claimed.push((id, if justid { None } else { s.get(id) }));
            }
            ClaimStatus::Deleted => effects.add(|| effects::xack(&key, &g, id)),
            ClaimStatus::NotPending | ClaimStatus::TooRecent | ClaimStatus::DeadLettered => {}
        }
    }
    super::policy::unpark(ctx, &key, &g, parked);
    super::policy::finish_dead(ctx, &key, &mut effects);
    ctx.store.meta_written(db, &key, None, 1);
    effects.finish(ctx);
    ctx.out.array(claimed.len());
    for (id, e) in claimed {
        match e {
            Some(e) => write_entry(ctx.out, &e),
            None => write_id(ctx.out, id),
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
    let mut a = cmd::args::Args::new(argv, 6);
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
    let parked = super::policy::park(ctx, &key, &g);
    let Some(s) = stream_read(ctx, &key)? else {
        return Err(nogroup(&key, &g));
    };
    let Some(grp) = s.group_mut(&g) else {
        return Err(nogroup(&key, &g));
    };
    // Redis 7.2+: the consumer exists from now on, whether or not it claims anything.
    if grp.consumer_seen(&cname, now) {
        effects.consumer_created(&key, &g, &cname);
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let done = s
        .autoclaim(
            &g,
            &cname,
            &AutoClaimScan {
                start,
                min_idle,
                count,
                justid,
            },
            now,
        )
        .expect("checked");
    let grp = s.group(&g).expect("checked");
    for id in &done.deleted {
        effects.add(|| effects::xack(&key, &g, *id));
    }
    for id in &done.claimed {
        let pe = &grp.pel()[id];
        effects.add(|| effects::xclaim(&key, &g, &cname, *id, pe, grp.last_id));
    }
    let entries: Vec<_> = if justid {
        Vec::new()
    } else {
        done.claimed.iter().map(|id| s.get(*id)).collect()
    };
    super::policy::unpark(ctx, &key, &g, parked);
    super::policy::finish_dead(ctx, &key, &mut effects);
    ctx.store.meta_written(db, &key, None, 1);
    effects.finish(ctx);
    ctx.out.array(3);
    write_id(ctx.out, done.next);
    ctx.out.array(done.claimed.len());
    for (k, id) in done.claimed.iter().enumerate() {
        match entries.get(k) {
            Some(Some(e)) => write_entry(ctx.out, e),
            _ => write_id(ctx.out, *id),
        }
    }
    ctx.out.array(done.deleted.len());
    for id in done.deleted {
        write_id(ctx.out, id);
    }
    Ok(())
}
