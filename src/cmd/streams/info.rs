//! XINFO STREAM / GROUPS / CONSUMERS, XSETID, and the idempotency settings and records of
//! Redis 8.6 (XCFGSET, XIDMPRECORD).

use super::{nogroup_for_key, parse_strict_id, stream_mut, write_entries, write_entry, write_id};
use crate::cmd::{self, Ctx};
use crate::config::NOTIFY_STREAM;
use crate::error::{CmdError, CmdResult};
use crate::types::stream::{Entry, Stream, StreamId, INVALID_ENTRIES_READ};
use bytes::Bytes;
use resp::ReplyWriter;

fn write_opt_entry(out: &mut ReplyWriter, e: Option<Entry>) {
    match e {
        Some(e) => write_entry(out, &e),
        None => out.null(),
    }
}

/// A group's entries-read counter, null when unknown.
fn write_entries_read(out: &mut ReplyWriter, v: i64) {
    match v {
        INVALID_ENTRIES_READ => out.null(),
        v => out.int(v),
    }
}

fn write_lag(out: &mut ReplyWriter, lag: Option<i64>) {
    match lag {
        Some(l) => out.int(l),
        None => out.null(),
    }
}

pub fn xinfo_stream(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = argv[2].clone();
    let mut full = false;
    let mut count: usize = 10;
    let mut a = cmd::args::Args::new(argv, 3);
    while !a.is_empty() {
        if !full && a.eat("full") {
            full = true;
        } else if full && a.remaining() > 1 && a.eat("count") {
            let c = a.next_int()?;
            count = if c <= 0 { 0 } else { c as usize };
        } else {
            return Err(crate::error::subcommand_syntax(argv));
        }
    }
    let db = ctx.db();
    let (duration, maxsize) = (
        ctx.store.config.stream_idmp_duration,
        ctx.store.config.stream_idmp_maxsize,
    );
    let now = ctx.now;
    // The stream and the reply buffer are borrowed side by side: nothing is copied.
    let Some(s) = ctx.store.get::<Stream>(db, &key)? else {
        return Err(CmdError::NoSuchKey);
    };
    let out = &mut *ctx.out;
    out.map(if full { 15 } else { 16 });
    out.bulk(b"length");
    out.int(s.length as i64);
    out.bulk(b"radix-tree-keys");
    out.int(s.node_count() as i64);
    out.bulk(b"radix-tree-nodes");
    // Our tree's real node count; Redis's rax (one node per byte where it branches, plus
    // compressed runs) counts differently, so the differential suite compares it as a number only.
    out.int(s.index_node_count() as i64);
    out.bulk(b"last-generated-id");
    write_id(out, s.last_id);
    out.bulk(b"max-deleted-entry-id");
    write_id(out, s.max_deleted_id);
    out.bulk(b"entries-added");
    out.int(s.entries_added as i64);
    out.bulk(b"recorded-first-entry-id");
    write_id(out, s.first_id);
    // Redis 8.6: idempotent production.
    let m = crate::types::stream::idmp::Idmp::stats(s.idmp.as_deref(), now, duration, maxsize);
    out.bulk(b"idmp-duration");
    out.int(m.duration as i64);
    out.bulk(b"idmp-maxsize");
    out.int(m.maxsize as i64);
    out.bulk(b"pids-tracked");
    out.int(m.pids_tracked as i64);
    out.bulk(b"iids-tracked");
    out.int(m.iids_tracked as i64);
    out.bulk(b"iids-added");
    out.int(m.iids_added as i64);
    out.bulk(b"iids-duplicates");
    out.int(m.iids_duplicates as i64);
    if !full {
        out.bulk(b"groups");
        out.int(s.groups().len() as i64);
        out.bulk(b"first-entry");
        write_opt_entry(out, s.first_entry());
        out.bulk(b"last-entry");
        write_opt_entry(out, s.last_entry());
        return Ok(());
    }
    out.bulk(b"entries");
    let es = s.range(StreamId::MIN, StreamId::MAX, count, false);
    write_entries(out, &es);
    out.bulk(b"groups");
    out.array(s.groups().len());
    for (name, g) in s.groups() {
        out.map(8);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"last-delivered-id");
        write_id(out, g.last_id);
        out.bulk(b"entries-read");
        write_entries_read(out, g.entries_read);
        out.bulk(b"lag");
        write_lag(out, s.group_lag(g));
        out.bulk(b"pel-count");
        out.int(g.pel().len() as i64);
        out.bulk(b"pending");
        let pel: Vec<_> = g
            .pel()
            .iter()
            .take(if count == 0 { usize::MAX } else { count })
            .collect();
        out.array(pel.len());
        for (id, pe) in pel {
            out.array(4);
            write_id(out, id);
            out.bulk(pe.consumer.as_deref().unwrap_or_default());
            out.int(pe.delivery_time());
            out.int(pe.delivery_count as i64);
        }
        out.bulk(b"consumers");
        out.array(g.consumers().len());
        for (cn, c) in g.consumers() {
            out.map(5);
            out.bulk(b"name");
            out.bulk(cn);
            out.bulk(b"seen-time");
            out.int(c.seen_time);
            out.bulk(b"active-time");
            out.int(c.active_time);
            out.bulk(b"pel-count");
            out.int(c.pending().len() as i64);
            out.bulk(b"pending");
            let ids: Vec<_> = c
                .pending()
                .iter()
                .take(if count == 0 { usize::MAX } else { count })
                .collect();
            out.array(ids.len());
            for id in ids {
                let pe = &g.pel()[&id];
                out.array(3);
                write_id(out, id);
                out.int(pe.delivery_time());
                out.int(pe.delivery_count as i64);
            }
        }
        // Redis 8.8: the entries XNACK released, after the consumers.
        out.bulk(b"nacked-count");
        out.int(g.nacked_count() as i64);
    }
    Ok(())
}

pub fn xinfo_groups(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let Some(s) = ctx.store.get::<Stream>(db, &argv[2])? else {
        return Err(CmdError::NoSuchKey);
    };
    let out = &mut *ctx.out;
    out.array(s.groups().len());
    for (name, g) in s.groups() {
        out.map(6);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"consumers");
        out.int(g.consumers().len() as i64);
        out.bulk(b"pending");
        out.int(g.pel().len() as i64);
        out.bulk(b"last-delivered-id");
        write_id(out, g.last_id);
        out.bulk(b"entries-read");
        write_entries_read(out, g.entries_read);
        out.bulk(b"lag");
        write_lag(out, s.group_lag(g));
    }
    Ok(())
}

pub fn xinfo_consumers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, g) = (argv[2].clone(), argv[3].clone());
    let now = ctx.now;
    let db = ctx.db();
    let Some(s) = ctx.store.get::<Stream>(db, &key)? else {
        return Err(CmdError::NoSuchKey);
    };
    let Some(grp) = s.group(&g) else {
        return Err(nogroup_for_key(&key, &g));
    };
    let rows: Vec<(Bytes, usize, i64, i64)> = grp
        .consumers()
        .iter()
        .map(|(n, c)| {
            let idle = (now - c.seen_time).max(0);
            let inactive = if c.active_time == -1 {
                -1
            } else {
                (now - c.active_time).max(0)
            };
            (n.clone(), c.pending().len(), idle, inactive)
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
    cmd::connection::write_help(
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
    let mut a = cmd::args::Args::new(argv, 3);
    while !a.is_empty() {
        if a.remaining() > 1 && a.eat("entriesadded") {
            let v = a.next_int()?;
            if v < 0 {
                return Err(CmdError::err("entries_added must be positive"));
            }
            entries_added = Some(v);
        } else if a.remaining() > 1 && a.eat("maxdeletedid") {
            let m = parse_strict_id(a.next_bytes()?)?;
            if id < m {
                return Err(CmdError::err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
            max_del = Some(m);
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

/// `XCFGSET key [IDMP-DURATION seconds] [IDMP-MAXSIZE count]` (Redis 8.6): the stream's
/// idempotency settings. A value that changes forgets every producer's iids (the lifetime
/// counters stay); setting the value it already has forgets nothing.
pub fn xcfgset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    use crate::types::stream::idmp::{DURATION_MAX, MAXSIZE_MAX};
    if argv.len() == 2 {
        return Err(CmdError::err("At least one parameter must be specified"));
    }
    let mut duration = None;
    let mut maxsize = None;
    let mut a = cmd::args::Args::new(argv, 2);
    while !a.is_empty() {
        let (slot, name, max) = if a.eat("idmp-duration") {
            (&mut duration, "IDMP-DURATION", DURATION_MAX)
        } else if a.eat("idmp-maxsize") {
            (&mut maxsize, "IDMP-MAXSIZE", MAXSIZE_MAX)
        } else {
            return Err(CmdError::Syntax);
        };
        if a.is_empty() {
            return Err(CmdError::Syntax);
        }
        let v = a.next_int()?;
        if v < 1 || v as u64 > max {
            return Err(CmdError::err(format!("{name} must be between 1 and {max}")));
        }
        *slot = Some(v as u64);
    }
    let (cfg_duration, cfg_maxsize) = (
        ctx.store.config.stream_idmp_duration,
        ctx.store.config.stream_idmp_maxsize,
    );
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &argv[1])? else {
        return Err(CmdError::NoSuchKey);
    };
    let m = s.idmp.get_or_insert_with(Default::default);
    let mut changed = false;
    if let Some(d) = duration {
        changed |= m.duration.unwrap_or(cfg_duration) != d;
        m.duration = Some(d);
    }
    if let Some(n) = maxsize {
        changed |= m.maxsize.unwrap_or(cfg_maxsize) != n;
        m.maxsize = Some(n);
    }
    if changed {
        m.clear();
    }
    ctx.store.meta_written(db, &argv[1], None, 1);
    ctx.out.ok();
    Ok(())
}

/// `XIDMPRECORD key producer-id idempotent-id id` (Redis 8.6): records that the producer's
/// iid added entry `id`, as an AOF rewrite writes a stream's idempotency memory back. The ID
/// must be one the stream handed out (its entry may be deleted since: a retry still gets it);
/// a pair already mapped to another entry is refused.
pub fn xidmprecord(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (pid, iid) = (&argv[2], &argv[3]);
    if pid.is_empty() {
        return Err(CmdError::err("IDMP requires a non-empty producer ID"));
    }
    if iid.is_empty() {
        return Err(CmdError::err("IDMP requires a non-empty idempotent ID"));
    }
    let id = parse_strict_id(&argv[4])?;
    let maxsize = ctx.store.config.stream_idmp_maxsize;
    let db = ctx.db();
    let Some(s) = stream_mut(ctx, &argv[1])? else {
        return Err(CmdError::NoSuchKey);
    };
    if id.is_zero() || id > s.last_id {
        return Err(CmdError::err(
            "The specified stream ID was deleted or doesn't exist",
        ));
    }
    let m = s.idmp.get_or_insert_with(Default::default);
    match m.get(pid, iid) {
        Some(have) if have != id => {
            return Err(CmdError::err(
                "The specified IDMP producer-id/idempotent-id pair maps to a different stream ID",
            ))
        }
        Some(_) => {}
        None => {
            let cap = m.maxsize.unwrap_or(maxsize);
            m.record(pid, iid, id, cap);
            ctx.store.meta_written(db, &argv[1], None, 1);
        }
    }
    ctx.out.ok();
    Ok(())
}
