//! XREAD and XREADGROUP: reading after an ID, reading new entries for a group (which makes
//! them pending) and a consumer's history; blocking when nothing is there yet.
//!
//! XREADGROUP CLAIM min-idle-time (Redis 8.4) applies to the streams read with `>`: the
//! group's pending entries idle at least that long come first (longest idle first, claimed
//! for the reader), then new entries, COUNT covering both; every entry of such a stream is
//! replied as `[id, fields, idle-ms, delivery-count]` (0 and 0 for new ones), the counts as
//! they were before this delivery. A blocked CLAIM read also wakes when a pending entry
//! becomes idle enough.
//!
//! MAXCOUNT and MAXSIZE (Redis 8.10) cap the whole reply, across its streams (COUNT caps each
//! stream): at most MAXCOUNT entries, and no entry that would take the reply past MAXSIZE
//! bytes (counted as RESP2 framing) unless it is the first; once the budget is spent the
//! remaining streams are not read. The budget is asked before each entry is delivered, so
//! an entry it refuses is neither replied nor made pending nor claimed.

use super::effects::{self, Effects};
use super::{id_bytes, parse_id, stream_read, write_entry, write_fields, write_id};
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

/// One entry of an XREAD reply.
enum Item {
    /// An entry, or `None`: a pending entry deleted since (history reads).
    Plain(StreamId, Option<Entry>),
    /// An entry of a CLAIM read: idle ms and delivery count before this delivery.
    Claimed(Entry, i64, u64),
}

/// One stream's part of an XREAD reply: the key and its entries.
type StreamReply = (Bytes, Vec<Item>);

/// MAXCOUNT / MAXSIZE: what the reply may still take.
#[derive(Default)]
struct Budget {
    max_count: Option<usize>,
    max_size: Option<usize>,
    entries: usize,
    bytes: usize,
    /// Refused an entry for its size: nothing more goes in.
    full: bool,
}

/// A bulk string's RESP bytes.
fn bulk_size(n: usize) -> usize {
    let mut digits = 1;
    let mut v = n;
    while v >= 10 {
        v /= 10;
        digits += 1;
    }
    n + digits + 5
}

/// An entry's RESP2 bytes in an XREAD reply (`None`: a deleted pending entry, `[id, nil]`);
/// a CLAIM entry's two integers counted at their widest.
fn entry_size(id: StreamId, e: Option<&Entry>, claim: bool) -> usize {
    let id_len = bulk_size(id.text().as_bytes().len());
    let Some(e) = e else {
        return 4 + id_len + 5;
    };
    let fields: usize = e
        .fields
        .iter()
        .map(|(f, v)| bulk_size(f.len()) + bulk_size(v.len()))
        .sum();
    4 + id_len + 4 + fields + if claim { 44 } else { 0 }
}

impl Budget {
    fn limited(&self) -> bool {
        self.max_count.is_some() || self.max_size.is_some()
    }

    /// Entries a stream may still take: `count` (0: any) within what MAXCOUNT leaves; None
    /// when the budget is spent.
    fn cap(&self, count: usize) -> Option<usize> {
        if self.full || self.max_count.is_some_and(|m| self.entries >= m) {
            return None;
        }
        let left = self.max_count.map_or(usize::MAX, |m| m - self.entries);
        Some(match count {
            0 if left == usize::MAX => 0,
            0 => left,
            c => c.min(left),
        })
    }

    /// May the reply take this entry (of the stream `key`, whose first entry pays for the
    /// stream's framing when `first`)? Counts it if so.
    fn admit(&mut self, key: &[u8], first: &mut bool, size: impl FnOnce() -> usize) -> bool {
        if self.full || self.max_count.is_some_and(|m| self.entries >= m) {
            return false;
        }
        if let Some(max) = self.max_size {
            let framing = if *first {
                4 + bulk_size(key.len()) + 6
            } else {
                0
            };
            let need = size() + framing;
            if self.entries > 0 && self.bytes + need > max {
                self.full = true;
                return false;
            }
            self.bytes += need;
        }
        *first = false;
        self.entries += 1;
        true
    }
}

/// MAXCOUNT's or MAXSIZE's value.
fn parse_cap(b: &[u8], name: &str) -> CmdResult<usize> {
    crate::util::parse_i64(b)
        .filter(|n| *n > 0)
        .map(|n| n as usize)
        .ok_or_else(|| CmdError::err(format!("{name} must be a positive integer")))
}

/// XREADGROUP's CLAIM argument.
fn parse_min_idle(b: &[u8]) -> CmdResult<i64> {
    match crate::util::parse_i64(b) {
        None => Err(CmdError::err(
            "min-idle-time is not an integer or out of range",
        )),
        Some(n) if n < 0 => Err(CmdError::err("min-idle-time must be a positive integer")),
        Some(n) => Ok(n),
    }
}

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
    let mut claim: Option<i64> = None;
    let mut budget = Budget::default();
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
        } else if more > 0 && a.eat("maxcount") {
            budget.max_count = Some(parse_cap(a.next_bytes()?, "MAXCOUNT")?);
        } else if more > 0 && a.eat("maxsize") {
            budget.max_size = Some(parse_cap(a.next_bytes()?, "MAXSIZE")?);
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
        } else if more > 0 && a.eat("claim") {
            if !group_mode {
                return Err(CmdError::err(
                    "The CLAIM option is only supported by XREADGROUP",
                ));
            }
            claim = Some(parse_min_idle(a.next_bytes()?)?);
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
    if budget.max_count.is_some_and(|m| count > m) {
        return Err(CmdError::err(
            "MAXCOUNT must be greater than or equal to COUNT",
        ));
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
    let limited = budget.limited();
    for (key, from) in keys.iter().zip(&froms) {
        // What this stream may take (COUNT within MAXCOUNT's rest); nothing once spent.
        let count = match budget.cap(count) {
            Some(c) => c,
            None if matches!(from, ReadFrom::After(_)) && group.is_some() => {
                // A history read lists the stream even with nothing to give.
                if stream_read(ctx, key)?.is_some() {
                    results.push((key.clone(), Vec::new()));
                    history = true;
                }
                continue;
            }
            None => continue,
        };
        let mut first = true;
        let claiming = claim.is_some() && matches!(from, ReadFrom::New);
        let mut take = |id: StreamId, e: Option<&Entry>| {
            !limited || budget.admit(key, &mut first, || entry_size(id, e, claiming))
        };
        // Only a redelivery can dead-letter: history, or `>` with CLAIM. New entries alone
        // (the common read) leave the rule alone and cost it nothing.
        let redelivers = group.is_some() && (claim.is_some() || !matches!(from, ReadFrom::New));
        let parked = match &group {
            Some((g, _)) if redelivers => super::policy::park(ctx, key, g),
            _ => None,
        };
        let Some(s) = stream_read(ctx, key)? else {
            continue;
        };
        match (&group, from) {
            (None, ReadFrom::After(id)) => {
                let Some(start) = id.incr() else { continue };
                if s.last_id > *id || s.length > 0 {
                    let mut es = s.range(start, StreamId::MAX, count, false);
                    if let Some(stop) = es.iter().position(|e| !take(e.id, Some(e))) {
                        es.truncate(stop);
                    }
                    if !es.is_empty() {
                        results.push((
                            key.clone(),
                            es.into_iter().map(|e| Item::Plain(e.id, Some(e))).collect(),
                        ));
                    }
                }
            }
            (None, ReadFrom::Last) => {
                if let Some(e) = s.last_entry().filter(|e| take(e.id, Some(e))) {
                    results.push((key.clone(), vec![Item::Plain(e.id, Some(e))]));
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
                        let mut items = Vec::new();
                        let mut left = count;
                        if let Some(min_idle) = claim {
                            let (claimed, gone) = s
                                .claim_idle(g, cname, min_idle, count, now, &mut take)
                                .expect("checked");
                            let grp = s.group(g).expect("checked");
                            for id in gone {
                                effects.add(|| effects::xack(key, g, id));
                            }
                            for c in &claimed {
                                let id = c.entry.id;
                                effects.add(|| {
                                    effects::xclaim(key, g, cname, id, &grp.pel()[&id], grp.last_id)
                                });
                            }
                            if count > 0 {
                                left = count - claimed.len();
                            }
                            items.extend(
                                claimed
                                    .into_iter()
                                    .map(|c| Item::Claimed(c.entry, c.idle, c.deliveries)),
                            );
                        }
                        // COUNT used up by claimed entries leaves no room for new ones.
                        let es = if count > 0 && left == 0 {
                            Vec::new()
                        } else {
                            s.read_group_new(g, cname, left, noack, now, &mut take)
                                .expect("checked")
                        };
                        if !es.is_empty() {
                            let grp = s.group(g).expect("checked");
                            if !noack {
                                for e in &es {
                                    // A first delivery: now, count 1, the group moved to it.
                                    effects.add(|| {
                                        effects::xclaim(
                                            key,
                                            g,
                                            cname,
                                            e.id,
                                            &grp.pel()[&e.id],
                                            e.id,
                                        )
                                    });
                                }
                            }
                            effects.add(|| effects::setid(key, g, grp));
                        }
                        items.extend(es.into_iter().map(|e| match claim {
                            Some(_) => Item::Claimed(e, 0, 0),
                            None => Item::Plain(e.id, Some(e)),
                        }));
                        if !items.is_empty() {
                            results.push((key.clone(), items));
                        }
                    }
                    ReadFrom::After(id) => {
                        history = true;
                        let out = s
                            .read_group_history(g, cname, *id, count, now, &mut take)
                            .expect("checked");
                        let grp = s.group(g).expect("checked");
                        for (id, e) in &out {
                            if e.is_some() {
                                let pe = &grp.pel()[id];
                                effects
                                    .add(|| effects::xclaim(key, g, cname, *id, pe, grp.last_id));
                            }
                        }
                        results.push((
                            key.clone(),
                            out.into_iter().map(|(id, e)| Item::Plain(id, e)).collect(),
                        ));
                    }
                    ReadFrom::Last => unreachable!("XREADGROUP has no +"),
                }
            }
        }
        if let Some((g, _)) = group.as_ref().filter(|_| redelivers) {
            super::policy::unpark(ctx, key, g, parked);
            super::policy::finish_dead(ctx, key, &mut effects);
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
                // CLAIM: also wake when the longest-idle pending entry of a `>` stream has
                // been idle long enough.
                let mut wake_at = None;
                if let (Some(min_idle), Some((g, _))) = (claim, &group) {
                    for (key, from) in keys.iter().zip(&froms) {
                        if !matches!(from, ReadFrom::New) {
                            continue;
                        }
                        let at = stream_read(ctx, key)?
                            .and_then(|s| s.group(g).and_then(|grp| grp.claimable_at(min_idle)));
                        if let Some(at) = at {
                            let at = at.max(ctx.now + 1);
                            wake_at = Some(wake_at.map_or(at, |w: i64| w.min(at)));
                        }
                    }
                }
                let stream = Some(match &group {
                    Some((g, _)) => StreamWait::Group {
                        group: g.clone(),
                        claim,
                    },
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
                    wake_at,
                    duration_us: 0,
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
        for item in entries {
            match item {
                Item::Plain(_, Some(e)) => write_entry(ctx.out, &e),
                Item::Plain(id, None) => {
                    ctx.out.array(2);
                    write_id(ctx.out, id);
                    ctx.out.null_array();
                }
                Item::Claimed(e, idle, deliveries) => {
                    ctx.out.array(4);
                    write_id(ctx.out, e.id);
                    write_fields(ctx.out, &e);
                    ctx.out.int(idle);
                    ctx.out.int(deliveries.min(i64::MAX as u64) as i64);
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
