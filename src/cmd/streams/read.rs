//! XREAD and XREADGROUP: reading after an ID, reading new entries for a group (which makes
//! them pending) and a consumer's history; blocking when nothing is there yet.

use super::effects::{self, Effects};
use super::{id_bytes, parse_id, stream_read, write_entry, write_id};
use crate::blocking::{BlockRequest, BlockedType, StreamWait, TimeoutReply};
use crate::cmd::{self, Ctx};
use crate::error::{CmdError, CmdResult};
use crate::types::stream::{Entry, StreamId};
use bytes::Bytes;

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
    let mut a = cmd::args::Args::new(argv, 1);
    while !a.is_empty() {
        let more = a.remaining() - 1;
        if more > 0 && a.eat("block") {
            block = Some(cmd::parse_timeout(
                ctx.now,
                a.next_bytes()?,
                cmd::TimeoutUnit::Millis,
            )?);
        } else if more > 0 && a.eat("count") {
            count = a.next_int()?.max(0) as usize;
        } else if more > 0 && a.eat("streams") {
            streams_at = a.position();
            if !a.remaining().is_multiple_of(2) {
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
        } else if group_mode && more >= 2 && a.eat("group") {
            group = Some((a.next_bytes()?.clone(), a.next_bytes()?.clone()));
        } else if group_mode && a.eat("noack") {
            noack = true;
        } else {
            return Err(CmdError::Syntax);
        }
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
            if s.as_ref().map(|s| s.group(g).is_none()).unwrap_or(true) {
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
                let grp = s.group_mut(g).expect("checked");
                if grp.consumer_seen(cname, now) {
                    effects.consumer_created(key, g, cname);
                }
                match from {
                    ReadFrom::New => {
                        let es = s
                            .read_group_new(g, cname, count, noack, now)
                            .expect("checked");
                        if es.is_empty() {
                            continue;
                        }
                        let grp = s.group(g).expect("checked");
                        if !noack {
                            for e in &es {
                                // A first delivery: now, count 1, the group moved to it.
                                effects.add(|| {
                                    effects::xclaim(key, g, cname, e.id, &grp.pel()[&e.id], e.id)
                                });
                            }
                        }
                        effects.add(|| effects::setid(key, g, grp));
                        results.push((
                            key.clone(),
                            es.into_iter().map(|e| (e.id, Some(e))).collect(),
                        ));
                    }
                    ReadFrom::After(id) => {
                        history = true;
                        let out = s
                            .read_group_history(g, cname, *id, count, now)
                            .expect("checked");
                        let grp = s.group(g).expect("checked");
                        for (id, e) in &out {
                            if e.is_some() {
                                let pe = &grp.pel()[id];
                                effects
                                    .add(|| effects::xclaim(key, g, cname, *id, pe, grp.last_id));
                            }
                        }
                        results.push((key.clone(), out));
                    }
                    ReadFrom::Last => unreachable!("XREADGROUP has no +"),
                }
            }
        }
    }
    if effects.changed {
        ctx.store.meta_written(db, &keys[0], None, 1);
    }
    effects.finish(ctx);
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
                Some(e) => write_entry(ctx.out, &e),
                None => {
                    ctx.out.array(2);
                    write_id(ctx.out, id);
                    ctx.out.null_array();
                }
            }
        }
    }
    Ok(())
}

pub fn xread(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, false)
}

pub fn xreadgroup(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    xread_generic(ctx, argv, true)
}
