//! List commands, blocking ones included. Blocking commands share one shape: try the
//! non-blocking operation; if nothing is there and blocking is allowed, leave a
//! `BlockRequest` in `ctx.block`. A served client re-runs this same code (see `blocking.rs`),
//! and the effect propagated is the non-blocking one (BLPOP → LPOP, BLMOVE → LMOVE).

use super::{eq_ic, parse_int, Ctx};
use crate::blocking::{BlockRequest, BlockedType, TimeoutReply};
use crate::config::NOTIFY_LIST;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::list::List;
use bytes::Bytes;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

impl End {
    fn parse(b: &[u8]) -> CmdResult<End> {
        if eq_ic(b, "left") {
            Ok(End::Left)
        } else if eq_ic(b, "right") {
            Ok(End::Right)
        } else {
            Err(CmdError::Syntax)
        }
    }

    /// The keyspace event (and lowercase command name) of a pop at this end.
    fn pop_event(self) -> &'static str {
        match self {
            End::Left => "lpop",
            End::Right => "rpop",
        }
    }

    /// The keyspace event of a push at this end.
    fn push_event(self) -> &'static str {
        match self {
            End::Left => "lpush",
            End::Right => "rpush",
        }
    }

    fn pop_name(self) -> &'static [u8] {
        match self {
            End::Left => b"LPOP",
            End::Right => b"RPOP",
        }
    }

    fn word(self) -> &'static [u8] {
        match self {
            End::Left => b"LEFT",
            End::Right => b"RIGHT",
        }
    }
}

/// The list at `key` (None if absent); WRONGTYPE for other types.
fn list_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<Option<&'a mut List>> {
    let db = ctx.db();
    ctx.store.get_mut::<List>(db, key)
}

fn check_list_type(ctx: &mut Ctx, key: &[u8]) -> CmdResult<bool> {
    Ok(list_mut(ctx, key)?.is_some())
}

/// Deletes `key` if its list became empty (a list never exists empty).
fn delete_if_empty(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.db();
    ctx.store.delete_if_empty(db, key);
}

/// Pushes `values` at one end of the list at `key`, creating it if needed, with the write
/// bookkeeping (WATCH, blocked clients, `lpush`/`rpush` event, one change per element).
/// Returns the new length.
fn push_values<'v>(
    ctx: &mut Ctx,
    key: &Bytes,
    end: End,
    values: impl Iterator<Item = &'v [u8]>,
) -> CmdResult<usize> {
    let db = ctx.db();
    let push = |l: &mut List, values: &mut dyn Iterator<Item = &'v [u8]>| {
        for v in values {
            match end {
                End::Left => l.push_front(v),
                End::Right => l.push_back(v),
            }
        }
        l.len()
    };
    // One lookup on the hot path: push in place, or build the new list and insert it.
    let mut pushed = 0u64;
    let mut counted = values.inspect(|_| pushed += 1);
    let len = match ctx.store.get_mut::<List>(db, key)? {
        Some(l) => push(l, &mut counted),
        None => {
            let mut l = List::new(ctx.store.config.list_max_listpack_size);
            let len = push(&mut l, &mut counted);
            ctx.store.add(db, key, Value::List(Box::new(l)));
            len
        }
    };
    ctx.store
        .written_n(db, key, NOTIFY_LIST, end.push_event(), pushed);
    ctx.store.note_list_traffic(db, key, pushed, 0);
    Ok(len)
}

fn push_generic(ctx: &mut Ctx, argv: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let key = &argv[1];
    if only_existing && !check_list_type(ctx, key)? {
        ctx.out.int(0);
        return Ok(());
    }
    let len = push_values(ctx, key, end, argv[2..].iter().map(|v| &v[..]))?;
    ctx.out.int(len as i64);
    Ok(())
}

pub fn lpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Left, false)
}

pub fn rpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Right, false)
}

pub fn lpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Left, true)
}

pub fn rpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Right, true)
}

/// Pops up to `count` elements from one end, with the write bookkeeping.
fn pop_n(ctx: &mut Ctx, key: &Bytes, end: End, count: usize) -> CmdResult<Vec<Bytes>> {
    let db = ctx.db();
    let Some(l) = list_mut(ctx, key)? else {
        return Ok(vec![]);
    };
    let mut out = Vec::with_capacity(count.min(l.len()));
    while out.len() < count {
        let v = match end {
            End::Left => l.pop_front(),
            End::Right => l.pop_back(),
        };
        match v {
            Some(v) => out.push(v),
            None => break,
        }
    }
    if !out.is_empty() {
        ctx.store.written(db, key, NOTIFY_LIST, end.pop_event());
        ctx.store.note_list_traffic(db, key, 0, out.len() as u64);
        delete_if_empty(ctx, key);
    }
    Ok(out)
}

fn positive_count(b: &[u8]) -> CmdResult<i64> {
    match crate::util::parse_i64(b) {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(CmdError::err("value is out of range, must be positive")),
    }
}

fn pop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::WrongArity(end.pop_event().into()));
    }
    let count = argv.get(2).map(|c| positive_count(c)).transpose()?;
    let key = &argv[1];
    if !check_list_type(ctx, key)? {
        match count {
            Some(_) => ctx.out.null_array(),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    match count {
        None => {
            let v = pop_n(ctx, key, end, 1)?;
            ctx.out.bulk(&v[0]);
        }
        Some(0) => {
            ctx.out.array(0);
        }
        Some(n) => {
            let v = pop_n(ctx, key, end, n as usize)?;
            ctx.out.array(v.len());
            for x in v {
                ctx.out.bulk(&x);
            }
        }
    }
    Ok(())
}

pub fn lpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Left)
}

pub fn rpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Right)
}

pub fn llen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = list_mut(ctx, &argv[1])?.map(|l| l.len()).unwrap_or(0);
    ctx.out.int(n as i64);
    Ok(())
}

/// Converts Redis start/stop (negative from the end) to a clamped inclusive range.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut s = if start < 0 { start + len } else { start };
    let mut e = if end < 0 { end + len } else { end };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return None;
    }
    if e >= len {
        e = len - 1;
    }
    Some((s as usize, e as usize))
}

pub fn lrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = parse_int(&argv[2])?;
    let end = parse_int(&argv[3])?;
    let db = ctx.db();
    let items = match ctx.store.get::<List>(db, &argv[1])? {
        None => vec![],
        Some(l) => match clamp_range(start, end, l.len()) {
            Some((s, e)) => l.range(s, e),
            None => vec![],
        },
    };
    ctx.out.array(items.len());
    for i in items {
        ctx.out.bulk(&i);
    }
    Ok(())
}

fn resolve_index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as i64 } else { i };
    if i < 0 || i >= len as i64 {
        None
    } else {
        Some(i as usize)
    }
}

pub fn lindex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let idx = parse_int(&argv[2])?;
    let db = ctx.db();
    let v = ctx.store.get::<List>(db, &argv[1])?.and_then(|l| {
        resolve_index(idx, l.len())
            .and_then(|i| l.get(i))
            .map(Bytes::copy_from_slice)
    });
    match v {
        Some(v) => ctx.out.bulk(&v),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn lset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let idx = parse_int(&argv[2])?;
    let db = ctx.db();
    let Some(l) = list_mut(ctx, &argv[1])? else {
        return Err(CmdError::NoSuchKey);
    };
    let Some(i) = resolve_index(idx, l.len()) else {
        return Err(CmdError::IndexOutOfRange);
    };
    l.set(i, &argv[3]);
    ctx.store.written(db, &argv[1], NOTIFY_LIST, "lset");
    ctx.out.ok();
    Ok(())
}

pub fn linsert(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let after = if eq_ic(&argv[2], "after") {
        true
    } else if eq_ic(&argv[2], "before") {
        false
    } else {
        return Err(CmdError::Syntax);
    };
    let db = ctx.db();
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.out.int(0);
        return Ok(());
    };
    if !l.insert(&argv[3], &argv[4], after) {
        ctx.out.int(-1);
        return Ok(());
    }
    let len = l.len();
    ctx.store.written(db, &argv[1], NOTIFY_LIST, "linsert");
    ctx.store.note_list_traffic(db, &argv[1], 1, 0);
    ctx.out.int(len as i64);
    Ok(())
}

pub fn lrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = parse_int(&argv[2])?;
    let db = ctx.db();
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.out.int(0);
        return Ok(());
    };
    let n = l.remove(&argv[3], count);
    if n > 0 {
        ctx.store
            .written_n(db, &argv[1], NOTIFY_LIST, "lrem", n as u64);
        delete_if_empty(ctx, &argv[1]);
    }
    ctx.out.int(n as i64);
    Ok(())
}

pub fn ltrim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = parse_int(&argv[2])?;
    let end = parse_int(&argv[3])?;
    let db = ctx.db();
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.out.ok();
        return Ok(());
    };
    let before = l.len();
    match clamp_range(start, end, l.len()) {
        Some((s, e)) => l.trim(s, e),
        None => l.trim(1, 0),
    }
    let removed = before - l.len();
    ctx.store
        .written_n(db, &argv[1], NOTIFY_LIST, "ltrim", removed as u64);
    delete_if_empty(ctx, &argv[1]);
    ctx.out.ok();
    Ok(())
}

pub fn lpos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    // Options come in pairs: an odd one out is a syntax error before its name is looked at.
    let mut a = super::args::Args::new(argv, 3);
    while !a.is_empty() {
        if a.remaining() < 2 {
            return Err(CmdError::Syntax);
        }
        let (opt, v) = (a.next_bytes()?, a.next_bytes()?);
        if eq_ic(opt, "rank") {
            rank = parse_int(v)?;
            if rank == 0 {
                return Err(CmdError::err("RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
            }
            if rank == i64::MIN {
                return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
            }
        } else if eq_ic(opt, "count") {
            let c = parse_int(v)?;
            if c < 0 {
                return Err(CmdError::err("COUNT can't be negative"));
            }
            count = Some(c);
        } else if eq_ic(opt, "maxlen") {
            maxlen = parse_int(v)?;
            if maxlen < 0 {
                return Err(CmdError::err("MAXLEN can't be negative"));
            }
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let db = ctx.db();
    let elem = argv[2].clone();
    let found: Vec<i64> = match ctx.store.get::<List>(db, &argv[1])? {
        None => vec![],
        Some(l) => {
            let want = match count {
                Some(0) => usize::MAX,
                Some(c) => c as usize,
                None => 1,
            };
            let mut skip = rank.unsigned_abs() - 1;
            let mut res = Vec::new();
            let mut seen: i64 = 0;
            let len = l.len() as i64;
            let mut visit = |v: &[u8], idx: i64| -> bool {
                seen += 1;
                if v == &elem[..] {
                    if skip > 0 {
                        skip -= 1;
                    } else {
                        res.push(idx);
                        if res.len() >= want {
                            return false;
                        }
                    }
                }
                !(maxlen > 0 && seen >= maxlen)
            };
            if rank > 0 {
                let mut idx = 0;
                l.for_each_from(0, |v| {
                    let r = visit(v, idx);
                    idx += 1;
                    r
                });
            } else {
                let mut idx = len - 1;
                l.for_each_rev(|v| {
                    let r = visit(v, idx);
                    idx -= 1;
                    r
                });
            }
            res
        }
    };
    match count {
        Some(_) => {
            ctx.out.array(found.len());
            for f in found {
                ctx.out.int(f);
            }
        }
        None => match found.first() {
            Some(f) => ctx.out.int(*f),
            None => ctx.out.null(),
        },
    }
    Ok(())
}

/// LMOVE core: pops from `src` at `from`, pushes to `dst` at `to`. None when `src` is empty.
fn move_one(
    ctx: &mut Ctx,
    src: &Bytes,
    dst: &Bytes,
    from: End,
    to: End,
) -> CmdResult<Option<Bytes>> {
    if !check_list_type(ctx, src)? {
        return Ok(None);
    }
    // The destination's type is checked before anything is popped.
    check_list_type(ctx, dst)?;
    let db = ctx.db();
    let v = {
        let l = list_mut(ctx, src)?.expect("checked above");
        match from {
            End::Left => l.pop_front(),
            End::Right => l.pop_back(),
        }
        .expect("non-empty list")
    };
    push_values(ctx, dst, to, std::iter::once(&v[..]))?;
    // The source's events follow the push, as in Redis (rpush dst, lpop src, del src).
    ctx.store.written(db, src, NOTIFY_LIST, from.pop_event());
    ctx.store.note_list_traffic(db, src, 0, 1);
    delete_if_empty(ctx, src);
    Ok(Some(v))
}

fn lmove_effect(src: &Bytes, dst: &Bytes, from: End, to: End) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"LMOVE"),
        src.clone(),
        dst.clone(),
        Bytes::from_static(from.word()),
        Bytes::from_static(to.word()),
    ]
}

pub fn lmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    match move_one(ctx, &argv[1], &argv[2], from, to)? {
        Some(v) => ctx.out.bulk(&v),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn rpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match move_one(ctx, &argv[1], &argv[2], End::Right, End::Left)? {
        Some(v) => ctx.out.bulk(&v),
        None => ctx.out.null(),
    }
    Ok(())
}

/// LMOVEM / BLMOVEM's `[COUNT|EXACTLY count OBO|BULK]` (Redis 8.10) from `at`: how many to
/// move, whether exactly that many (or none), whether as one block (BULK). Without it, one
/// element as LMOVE.
struct MoveMany {
    count: usize,
    exactly: bool,
    bulk: bool,
}

fn parse_move_many(argv: &[Bytes], at: usize) -> CmdResult<MoveMany> {
    let one = MoveMany {
        count: 1,
        exactly: false,
        bulk: false,
    };
    match argv.len() - at {
        0 => return Ok(one),
        3 => {}
        _ => return Err(CmdError::Syntax),
    }
    let exactly = match &argv[at] {
        a if super::eq_ic(a, "count") => false,
        a if super::eq_ic(a, "exactly") => true,
        _ => return Err(CmdError::Syntax),
    };
    let count = positive_count(&argv[at + 1])? as usize;
    let bulk = match &argv[at + 2] {
        a if super::eq_ic(a, "obo") => false,
        a if super::eq_ic(a, "bulk") => true,
        _ => return Err(CmdError::Syntax),
    };
    Ok(MoveMany {
        count,
        exactly,
        bulk,
    })
}

/// LMOVEM's move: up to `count` elements (exactly `count` with EXACTLY) leave `src` at
/// `from`, all of them first, then enter `dst` at `to`, one by one (OBO: as that many
/// LMOVEs between two lists would) or as one block in the order they had in `src` (BULK).
/// The moved elements as they now lie in `dst`, left to right; None when `src` is empty or
/// too short for EXACTLY. Propagated as the pop and the push it came to (Redis 7 replays
/// them).
fn move_many(
    ctx: &mut Ctx,
    src: &Bytes,
    dst: &Bytes,
    from: End,
    to: End,
    how: &MoveMany,
) -> CmdResult<Option<Vec<Bytes>>> {
    let Some(len) = list_mut(ctx, src)?.map(|l| l.len()) else {
        return Ok(None);
    };
    check_list_type(ctx, dst)?;
    if how.exactly && len < how.count {
        return Ok(None);
    }
    if how.count == 0 {
        return Ok(Some(Vec::new()));
    }
    let db = ctx.db();
    let mut popped = Vec::with_capacity(how.count.min(len));
    {
        let l = list_mut(ctx, src)?.expect("checked above");
        while popped.len() < how.count {
            match match from {
                End::Left => l.pop_front(),
                End::Right => l.pop_back(),
            } {
                Some(v) => popped.push(v),
                None => break,
            }
        }
    }
    // The order of the pushes: OBO in pop order; BULK so that the block keeps its source
    // order. Pops from the tail come in reverse source order and pushes at the head reverse
    // what they are given, so BULK reverses the pop order exactly when the ends match.
    let mut seq = popped;
    if how.bulk && from == to {
        seq.reverse();
    }
    push_values(ctx, dst, to, seq.iter().map(|v| &v[..]))?;
    ctx.store.written(db, src, NOTIFY_LIST, from.pop_event());
    ctx.store.note_list_traffic(db, src, 0, seq.len() as u64);
    delete_if_empty(ctx, src);
    ctx.also_propagate(vec![
        Bytes::from_static(from.pop_name()),
        src.clone(),
        Bytes::from(seq.len().to_string()),
    ]);
    let mut push = vec![
        Bytes::from_static(match to {
            End::Left => b"LPUSH",
            End::Right => b"RPUSH",
        }),
        dst.clone(),
    ];
    push.extend(seq.iter().cloned());
    ctx.also_propagate(push);
    if to == End::Left {
        seq.reverse();
    }
    Ok(Some(seq))
}

fn reply_moved(ctx: &mut Ctx, moved: &[Bytes]) {
    ctx.out.array(moved.len());
    for v in moved {
        ctx.out.bulk(v);
    }
}

pub fn lmovem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    let how = parse_move_many(argv, 5)?;
    match move_many(ctx, &argv[1], &argv[2], from, to, &how)? {
        Some(moved) => reply_moved(ctx, &moved),
        None => ctx.out.null_array(),
    }
    Ok(())
}

/// BLMOVEM (Redis 8.10): LMOVEM that waits while the source is empty, or, with EXACTLY,
/// shorter than the count (a re-run that still cannot move waits on).
pub fn blmovem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    let deadline = parse_timeout(ctx, &argv[5])?;
    let how = parse_move_many(argv, 6)?;
    match move_many(ctx, &argv[1], &argv[2], from, to, &how)? {
        Some(moved) => reply_moved(ctx, &moved),
        None => block_on(
            ctx,
            vec![argv[1].clone()],
            deadline,
            argv,
            TimeoutReply::NullArray,
            TimeoutReply::NullArray,
        ),
    }
    Ok(())
}

/// Parses a blocking timeout in seconds (fractions allowed) into an absolute deadline.
fn parse_timeout(ctx: &Ctx, b: &[u8]) -> CmdResult<Option<i64>> {
    super::parse_timeout(ctx.now, b, super::TimeoutUnit::Seconds)
}

/// Blocks, or (inside MULTI) replies what the non-blocking form would (`in_multi`).
fn block_on(
    ctx: &mut Ctx,
    keys: Vec<Bytes>,
    deadline: Option<i64>,
    argv: &[Bytes],
    on_timeout: TimeoutReply,
    in_multi: TimeoutReply,
) {
    block_for(
        ctx,
        BlockedType::List,
        keys,
        deadline,
        argv,
        on_timeout,
        in_multi,
    )
}

/// [`block_on`] for a waiter of any type (lists, sorted sets).
pub(super) fn block_for(
    ctx: &mut Ctx,
    btype: BlockedType,
    keys: Vec<Bytes>,
    deadline: Option<i64>,
    argv: &[Bytes],
    on_timeout: TimeoutReply,
    in_multi: TimeoutReply,
) {
    if ctx.no_block {
        super::timeout_reply(ctx.out, in_multi);
        return;
    }
    ctx.block = Some(BlockRequest {
        btype,
        keys,
        deadline_ms: deadline,
        argv: argv.to_vec(),
        on_timeout,
        stream: None,
        wake_at: None,
        duration_us: 0,
    });
}

fn bpop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    let deadline = parse_timeout(ctx, &argv[argv.len() - 1])?;
    let keys = &argv[1..argv.len() - 1];
    for k in keys {
        if check_list_type(ctx, k)? {
            let v = pop_n(ctx, k, end, 1)?;
            ctx.also_propagate(vec![Bytes::from_static(end.pop_name()), k.clone()]);
            ctx.out.array(2);
            ctx.out.bulk(k);
            ctx.out.bulk(&v[0]);
            return Ok(());
        }
    }
    block_on(
        ctx,
        keys.to_vec(),
        deadline,
        argv,
        TimeoutReply::NullArray,
        TimeoutReply::NullArray,
    );
    Ok(())
}

pub fn blpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Left)
}

pub fn brpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Right)
}

fn bmove_generic(
    ctx: &mut Ctx,
    argv: &[Bytes],
    from: End,
    to: End,
    timeout_arg: &Bytes,
) -> CmdResult {
    let deadline = parse_timeout(ctx, timeout_arg)?;
    let (src, dst) = (&argv[1], &argv[2]);
    match move_one(ctx, src, dst, from, to)? {
        Some(v) => {
            ctx.also_propagate(lmove_effect(src, dst, from, to));
            ctx.out.bulk(&v);
        }
        // Redis 7 answers a BLMOVE timeout with a null array, but inside MULTI with LMOVE's null.
        None => block_on(
            ctx,
            vec![src.clone()],
            deadline,
            argv,
            TimeoutReply::NullArray,
            TimeoutReply::NullBulk,
        ),
    }
    Ok(())
}

pub fn blmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = End::parse(&argv[3])?;
    let to = End::parse(&argv[4])?;
    bmove_generic(ctx, argv, from, to, &argv[5])
}

pub fn brpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bmove_generic(ctx, argv, End::Right, End::Left, &argv[3])
}

/// Parses `numkeys key... LEFT|RIGHT [COUNT n]` (ZMPOP: `MIN|MAX`, read by `side`) starting
/// at `at`.
pub(super) fn parse_mpop<W>(
    argv: &[Bytes],
    at: usize,
    side: impl Fn(&[u8]) -> CmdResult<W>,
) -> CmdResult<(Vec<Bytes>, W, usize)> {
    // `getRangeLongFromObjectOrReply` with a message: one error for both failures.
    let n = crate::util::parse_i64(&argv[at])
        .filter(|&n| n > 0)
        .ok_or_else(|| CmdError::err("numkeys should be greater than 0"))?;
    let n = n as usize;
    if n > argv.len() - at - 1 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let keys = argv[at + 1..at + 1 + n].to_vec();
    let mut a = super::args::Args::new(argv, at + 1 + n);
    let end = side(a.next_bytes()?)?;
    let mut count = None;
    while !a.is_empty() {
        if a.remaining() > 1 && count.is_none() && a.eat("count") {
            let c = crate::util::parse_i64(a.next_bytes()?)
                .filter(|c| *c > 0)
                .ok_or_else(|| CmdError::err("count should be greater than 0"))?;
            count = Some(c as usize);
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok((keys, end, count.unwrap_or(1)))
}

fn mpop_try(ctx: &mut Ctx, keys: &[Bytes], end: End, count: usize) -> CmdResult<bool> {
    for k in keys {
        if check_list_type(ctx, k)? {
            let v = pop_n(ctx, k, end, count)?;
            ctx.also_propagate(vec![
                Bytes::from_static(end.pop_name()),
                k.clone(),
                Bytes::from(v.len().to_string()),
            ]);
            ctx.out.array(2);
            ctx.out.bulk(k);
            ctx.out.array(v.len());
            for x in v {
                ctx.out.bulk(&x);
            }
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn lmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_mpop(argv, 1, End::parse)?;
    if !mpop_try(ctx, &keys, end, count)? {
        ctx.out.null_array();
    }
    Ok(())
}

pub fn blmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let deadline = parse_timeout(ctx, &argv[1])?;
    let (keys, end, count) = parse_mpop(argv, 2, End::parse)?;
    if !mpop_try(ctx, &keys, end, count)? {
        block_on(
            ctx,
            keys,
            deadline,
            argv,
            TimeoutReply::NullArray,
            TimeoutReply::NullArray,
        );
    }
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

    /// LMOVEM's arguments (Redis 8.10), and BLMOVEM's with its timeout.
    macro_rules! movem_args {
        ($($timeout:expr)?) => { &[
            Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
            Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
            Arg { name: "wherefrom", kind: "oneof", args: &[
                Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
            ], ..Arg::DEFAULT },
            Arg { name: "whereto", kind: "oneof", args: &[
                Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
            ], ..Arg::DEFAULT },
            $($timeout,)?
            Arg { name: "amount", kind: "block", flags: ARG_OPTIONAL, args: &[
                Arg { name: "mode", kind: "oneof", args: &[
                    Arg { name: "count", kind: "pure-token", display: Some("count"), token: Some("COUNT"), ..Arg::DEFAULT },
                    Arg { name: "exactly", kind: "pure-token", display: Some("exactly"), token: Some("EXACTLY"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                Arg { name: "order", kind: "oneof", args: &[
                    Arg { name: "obo", kind: "pure-token", display: Some("obo"), token: Some("OBO"), ..Arg::DEFAULT },
                    Arg { name: "bulk", kind: "pure-token", display: Some("bulk"), token: Some("BULK"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Arg::DEFAULT },
        ] };
    }
    const MOVEM_ARGS: &[Arg] = movem_args!();
    const BLMOVEM_ARGS: &[Arg] = movem_args!(Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT });

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "lpush",
            arity: -3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lpush,
            doc: Doc { summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.", since: "1.0.0", group: "list", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", history: &[("2.4.0", "Accepts multiple `element` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rpush",
            arity: -3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: rpush,
            doc: Doc { summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.", since: "1.0.0", group: "list", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", history: &[("2.4.0", "Accepts multiple `element` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lpushx",
            arity: -3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lpushx,
            doc: Doc { summary: "Prepends one or more elements to a list only when the list exists.", since: "2.2.0", group: "list", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", history: &[("4.0.0", "Accepts multiple `element` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rpushx",
            arity: -3,
            flags: WRITE | DENYOOM | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: rpushx,
            doc: Doc { summary: "Appends one or more elements to a list only when the list exists.", since: "2.2.0", group: "list", complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", history: &[("4.0.0", "Accepts multiple `element` arguments.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lpop",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lpop,
            doc: Doc { summary: "Returns and removes one or more elements from the beginning of a list. Deletes the list if the last element was popped.", since: "1.0.0", group: "list", complexity: "O(N) where N is the number of elements returned", history: &[("6.2.0", "Added the `count` argument.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rpop",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["write", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: rpop,
            doc: Doc { summary: "Returns and removes one or more elements from the end of a list. Deletes the list if the last element was popped.", since: "1.0.0", group: "list", complexity: "O(N) where N is the number of elements returned", history: &[("6.2.0", "Added the `count` argument.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "llen",
            arity: 2,
            flags: READONLY | FAST,
            acl: &["read", "list", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: llen,
            doc: Doc { summary: "Returns the length of a list.", since: "1.0.0", group: "list", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lrange",
            arity: 4,
            flags: READONLY,
            acl: &["read", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lrange,
            doc: Doc { summary: "Returns a range of elements from a list.", since: "1.0.0", group: "list", complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "stop", kind: "integer", display: Some("stop"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lindex",
            arity: 3,
            flags: READONLY,
            acl: &["read", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lindex,
            doc: Doc { summary: "Returns an element from a list by its index.", since: "1.0.0", group: "list", complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "index", kind: "integer", display: Some("index"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lset",
            arity: 4,
            flags: WRITE | DENYOOM,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lset,
            doc: Doc { summary: "Sets the value of an element in a list by its index.", since: "1.0.0", group: "list", complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "index", kind: "integer", display: Some("index"), ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "linsert",
            arity: 5,
            flags: WRITE | DENYOOM,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: linsert,
            doc: Doc { summary: "Inserts an element before or after another element in a list.", since: "2.2.0", group: "list", complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "where", kind: "oneof", args: &[
                        Arg { name: "before", kind: "pure-token", display: Some("before"), token: Some("BEFORE"), ..Arg::DEFAULT },
                        Arg { name: "after", kind: "pure-token", display: Some("after"), token: Some("AFTER"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "pivot", kind: "string", display: Some("pivot"), ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lrem",
            arity: 4,
            flags: WRITE,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lrem,
            doc: Doc { summary: "Removes elements from a list. Deletes the list if the last element was removed.", since: "1.0.0", group: "list", complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "ltrim",
            arity: 4,
            flags: WRITE,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: ltrim,
            doc: Doc { summary: "Removes elements from both ends of a list. Deletes the list if all elements were trimmed.", since: "1.0.0", group: "list", complexity: "O(N) where N is the number of elements to be removed by the operation.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                    Arg { name: "stop", kind: "integer", display: Some("stop"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lpos",
            arity: -3,
            flags: READONLY,
            acl: &["read", "list", "slow"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lpos,
            doc: Doc { summary: "Returns the index of matching elements in a list.", since: "6.0.6", group: "list", complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "element", kind: "string", display: Some("element"), ..Arg::DEFAULT },
                    Arg { name: "rank", kind: "integer", display: Some("rank"), token: Some("RANK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "num-matches", kind: "integer", display: Some("num-matches"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "len", kind: "integer", display: Some("len"), token: Some("MAXLEN"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lmove",
            arity: 5,
            flags: WRITE | DENYOOM,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lmove,
            doc: Doc { summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", since: "6.2.0", group: "list", complexity: "O(1)", args: &[
                    Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                    Arg { name: "wherefrom", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "whereto", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "rpoplpush",
            arity: 3,
            flags: WRITE | DENYOOM,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: rpoplpush,
            doc: Doc { summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", since: "1.2.0", group: "list", complexity: "O(1)", args: &[
                    Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lmpop",
            arity: -4,
            flags: WRITE | MOVABLE_KEYS,
            acl: &["write", "list", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
            tips: &[],
            handler: lmpop,
            doc: Doc { summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", since: "7.0.0", group: "list", complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.", args: &[
                    Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    Arg { name: "where", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "blpop",
            arity: -3,
            flags: WRITE | BLOCKING,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (1, -2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -2, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: blpop,
            doc: Doc { summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", since: "2.0.0", group: "list", complexity: "O(N) where N is the number of provided keys.", history: &[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "brpop",
            arity: -3,
            flags: WRITE | BLOCKING,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (1, -2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -2, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: brpop,
            doc: Doc { summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", since: "2.0.0", group: "list", complexity: "O(N) where N is the number of provided keys.", history: &[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "blmove",
            arity: 6,
            flags: WRITE | DENYOOM | BLOCKING,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: blmove,
            doc: Doc { summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", since: "6.2.0", group: "list", complexity: "O(1)", args: &[
                    Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                    Arg { name: "wherefrom", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "whereto", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "lmovem",
            arity: -5,
            flags: WRITE | DENYOOM,
            acl: &["write", "list", "slow"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: lmovem,
            doc: Doc { summary: "Pops one or more elements from a list, pushes them to another list and returns them. Deletes the list if the last element was moved.", since: "8.10.0", group: "list", complexity: "O(N) where N is the number of elements moved.", args: MOVEM_ARGS, ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "blmovem",
            arity: -6,
            flags: WRITE | DENYOOM | BLOCKING,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: blmovem,
            doc: Doc { summary: "Pops one or more elements from a list, pushes them to another list and returns them. Blocks until enough elements are available otherwise. Deletes the list if the last element was moved.", since: "8.10.0", group: "list", complexity: "O(N) where N is the number of elements moved.", args: BLMOVEM_ARGS, ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "brpoplpush",
            arity: 4,
            flags: WRITE | DENYOOM | BLOCKING,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (1, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: brpoplpush,
            doc: Doc { summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", since: "2.2.0", group: "list", complexity: "O(1)", history: &[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")], args: &[
                    Arg { name: "source", kind: "key", display: Some("source"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 1, ..Arg::DEFAULT },
                    Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "blmpop",
            arity: -5,
            flags: WRITE | BLOCKING | MOVABLE_KEYS,
            acl: &["write", "list", "slow", "blocking"],
            legacy_keys: (0, 0, 0),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
            tips: &[],
            handler: blmpop,
            doc: Doc { summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", since: "7.0.0", group: "list", complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.", args: &[
                    Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                    Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    Arg { name: "where", kind: "oneof", args: &[
                        Arg { name: "left", kind: "pure-token", display: Some("left"), token: Some("LEFT"), ..Arg::DEFAULT },
                        Arg { name: "right", kind: "pure-token", display: Some("right"), token: Some("RIGHT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
