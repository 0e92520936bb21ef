//! Sorted-set commands (Redis's `t_zset.c`): ZADD, ZINCRBY, ZREM, ZCARD, ZCOUNT, ZLEXCOUNT,
//! ZSCORE, ZMSCORE, ZRANK, ZREVRANK, the ZRANGE family (by rank, score and lex, forward and
//! reverse, LIMIT, WITHSCORES, ZRANGESTORE and the older ZRANGEBYSCORE/ZREVRANGE/... forms),
//! ZREMRANGEBY*, ZPOPMIN/ZPOPMAX, ZMPOP, BZPOPMIN/BZPOPMAX/BZMPOP, ZUNION/ZINTER/ZDIFF (and
//! *STORE, WEIGHTS, AGGREGATE), ZINTERCARD, ZRANDMEMBER, ZSCAN.
//!
//! The structure is `types::zset`; every key access goes through the keyspace. Positions are
//! ranks: a score or lex range becomes two partition points of the order, so each range
//! command is one rank interval walked forwards or backwards. Scores are parsed as Redis's
//! `strtod` checks them (`inf`, `-inf`, no NaN, no overflow to infinity) and printed as
//! `d2string` prints them (`resp::writer::format_double`). The blocking pops re-run as their
//! non-blocking form when served (`blocking.rs`) and propagate as ZPOPMIN/ZPOPMAX.

use super::{parse_int, Ctx};
use crate::blocking::{BlockedType, TimeoutReply};
use crate::config::NOTIFY_ZSET;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::set::Set;
use crate::types::zset::{Limits, ZSet};
use bytes::Bytes;
use std::cmp::Ordering;

fn limits(ctx: &Ctx) -> Limits {
    ctx.store.config.zset_limits()
}

/// `getDoubleFromObject`: a float as strtod reads it, whole, without leading blanks; NaN
/// and values that overflow to infinity or underflow to zero are refused (`inf` itself is
/// fine).
pub fn parse_score(b: &[u8]) -> Option<f64> {
    let v = crate::util::parse_f64(b)?;
    let text = std::str::from_utf8(b).ok()?;
    let lower = text.to_ascii_lowercase();
    if v.is_infinite() && !lower.trim_start_matches(['+', '-']).starts_with("inf") {
        return None;
    }
    if v == 0.0 {
        // Underflow: a non-zero digit before any exponent, yet zero came out.
        let mantissa = lower.split('e').next().unwrap_or("");
        if mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
            return None;
        }
    }
    Some(v)
}

fn score_arg(b: &[u8]) -> CmdResult<f64> {
    parse_score(b).ok_or(CmdError::NotFloat)
}

// ---------------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------------

/// A score range (`zslParseRange`): `(` makes a bound exclusive.
#[derive(Debug, Clone, Copy)]
struct ScoreRange {
    min: f64,
    max: f64,
    minex: bool,
    maxex: bool,
}

/// A range bound is read by a bare `strtod` (`zslParseRange`): no range check, so an
/// overflow is infinite, and an empty string (or a lone `(`) is 0.
fn parse_score_bound(b: &[u8]) -> Option<(f64, bool)> {
    let (text, ex) = match b.first() {
        Some(b'(') => (&b[1..], true),
        _ => (b, false),
    };
    if text.is_empty() {
        return Some((0.0, ex));
    }
    crate::util::parse_f64(text).map(|v| (v, ex))
}

impl ScoreRange {
    fn parse(min: &[u8], max: &[u8]) -> CmdResult<ScoreRange> {
        let err = || CmdError::err("min or max is not a float");
        let (min, minex) = parse_score_bound(min).ok_or_else(err)?;
        let (max, maxex) = parse_score_bound(max).ok_or_else(err)?;
        Ok(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    /// The rank interval of the members in range.
    fn ranks(&self, z: &ZSet) -> (usize, usize) {
        // Redis answers nothing for an empty or inverted range without looking.
        if self.min > self.max || (self.min == self.max && (self.minex || self.maxex)) {
            return (0, 0);
        }
        let lo = z.rank_where(|s, _| {
            if self.minex {
                s <= self.min
            } else {
                s < self.min
            }
        });
        let hi = z.rank_where(|s, _| {
            if self.maxex {
                s < self.max
            } else {
                s <= self.max
            }
        });
        (lo, hi.max(lo))
    }
}

/// A lex bound (`zslParseLexRangeItem`): `[x` inclusive, `(x` exclusive, `-` and `+` the
/// ends.
#[derive(Debug, Clone)]
enum LexBound {
    Min,
    Max,
    Incl(Bytes),
    Excl(Bytes),
}

impl LexBound {
    fn parse(b: &Bytes) -> Option<LexBound> {
        match b.first() {
            Some(b'+') if b.len() == 1 => Some(LexBound::Max),
            Some(b'-') if b.len() == 1 => Some(LexBound::Min),
            Some(b'[') => Some(LexBound::Incl(b.slice(1..))),
            Some(b'(') => Some(LexBound::Excl(b.slice(1..))),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct LexRange {
    min: LexBound,
    max: LexBound,
}

impl LexRange {
    fn parse(min: &Bytes, max: &Bytes) -> CmdResult<LexRange> {
        let err = || CmdError::err("min or max not valid string range item");
        Ok(LexRange {
            min: LexBound::parse(min).ok_or_else(err)?,
            max: LexBound::parse(max).ok_or_else(err)?,
        })
    }

    /// `m` is below the range's start.
    fn below_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Incl(x) => m < &x[..],
            LexBound::Excl(x) => m <= &x[..],
        }
    }

    /// `m` is within the range's end.
    fn within_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Incl(x) => m <= &x[..],
            LexBound::Excl(x) => m < &x[..],
        }
    }

    /// `zslIsInLexRange`'s quick refusal of an empty range: `-` sorts below and `+` above
    /// every string, and both count as exclusive (`zslParseLexRangeItem`).
    fn is_empty(&self) -> bool {
        let place = |b: &LexBound| match b {
            LexBound::Min => (0, None),
            LexBound::Incl(x) | LexBound::Excl(x) => (1, Some(x.clone())),
            LexBound::Max => (2, None),
        };
        let exclusive = |b: &LexBound| !matches!(b, LexBound::Incl(_));
        match place(&self.min).cmp(&place(&self.max)) {
            Ordering::Greater => true,
            Ordering::Equal => exclusive(&self.min) || exclusive(&self.max),
            Ordering::Less => false,
        }
    }

    /// The rank interval of the members in range, found from the start (from the end when
    /// `rev`). Members of one score are in lex order and both ways agree; with mixed scores
    /// Redis leaves the answer unspecified, and a listpack answers what Redis's linear scan
    /// (`zzlFirstInLexRange` / `zzlLastInLexRange`) does: the first member past the bound it
    /// starts from, then members while in range.
    fn ranks(&self, z: &ZSet, rev: bool) -> (usize, usize) {
        if self.is_empty() || z.is_empty() {
            return (0, 0);
        }
        if let ZSet::Listpack(_) = z {
            let mut members: Vec<&[u8]> = Vec::with_capacity(z.len());
            z.walk(0, false, |m, _| {
                members.push(m);
                true
            });
            let n = members.len();
            // `zzlIsInLexRange`: the last member reaches the minimum, the first the maximum.
            if self.below_min(members[n - 1]) || !self.within_max(members[0]) {
                return (0, 0);
            }
            if rev {
                let Some(hi) = members.iter().rposition(|m| self.within_max(m)) else {
                    return (0, 0);
                };
                let run = members[..=hi]
                    .iter()
                    .rev()
                    .take_while(|m| !self.below_min(m))
                    .count();
                return (hi + 1 - run, hi + 1);
            }
            let Some(lo) = members.iter().position(|m| !self.below_min(m)) else {
                return (0, 0);
            };
            let run = members[lo..]
                .iter()
                .take_while(|m| self.within_max(m))
                .count();
            return (lo, lo + run);
        }
        let lo = z.rank_where(|_, m| self.below_min(m));
        let hi = z.rank_where(|_, m| self.within_max(m));
        (lo, hi.max(lo))
    }
}

/// A rank range with Redis's negative indexes, clamped; None when empty.
fn rank_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize + 1))
}

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

/// Writes `(member, score)` rows: members only, or with scores flat (`[m, s, m, s]`) or
/// nested (`[[m, s], [m, s]]`).
fn write_rows(out: &mut resp::ReplyWriter, rows: &[(Bytes, f64)], withscores: bool, nested: bool) {
    let flat_pairs = withscores && !nested;
    out.array(if flat_pairs {
        rows.len() * 2
    } else {
        rows.len()
    });
    for (m, s) in rows {
        if withscores && nested {
            out.array(2);
        }
        out.bulk(m);
        if withscores {
            out.double(*s);
        }
    }
}

/// ZRANGE's shape: with scores, flat in RESP2 and nested in RESP3.
fn reply_pairs(ctx: &mut Ctx, rows: &[(Bytes, f64)], withscores: bool) {
    let nested = ctx.is_resp3();
    write_rows(ctx.out, rows, withscores, nested);
}

/// Members of ranks `lo..hi` (walked from `hi - 1` down when `rev`), skipping `offset` and
/// taking at most `limit` (negative: all).
fn collect(
    z: &ZSet,
    lo: usize,
    hi: usize,
    rev: bool,
    offset: usize,
    limit: i64,
) -> Vec<(Bytes, f64)> {
    let n = hi.saturating_sub(lo).saturating_sub(offset);
    let take = if limit < 0 { n } else { n.min(limit as usize) };
    let mut rows = Vec::with_capacity(take);
    if take == 0 {
        return rows;
    }
    let from = if rev { hi - 1 - offset } else { lo + offset };
    z.walk(from, rev, |m, s| {
        rows.push((Bytes::copy_from_slice(m), s));
        rows.len() < take
    });
    rows
}

fn zset_read<'a>(ctx: &'a mut Ctx, key: &[u8]) -> CmdResult<Option<&'a mut ZSet>> {
    let db = ctx.db();
    ctx.store.get::<ZSet>(db, key)
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM
// ---------------------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

enum AddOutcome {
    Added,
    Updated,
    /// Processed, the score already what it would be (Redis's `retflags` 0).
    Unchanged,
    /// Not done because of NX, XX, GT or LT (`ZADD_OUT_NOP`).
    Nop,
}

/// `zsetAdd`: one member's update under the flags; the score it has afterwards.
fn zset_add(
    z: &mut ZSet,
    member: &[u8],
    mut score: f64,
    f: AddFlags,
    lim: Limits,
) -> CmdResult<(AddOutcome, f64)> {
    match z.score(member) {
        Some(cur) => {
            if f.nx {
                return Ok((AddOutcome::Nop, cur));
            }
            if f.incr {
                score += cur;
                if score.is_nan() {
                    return Err(CmdError::err("resulting score is not a number (NaN)"));
                }
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return Ok((AddOutcome::Nop, cur));
            }
            if score != cur {
                z.insert(member, score, lim);
                return Ok((AddOutcome::Updated, score));
            }
            Ok((AddOutcome::Unchanged, score))
        }
        None if f.xx => Ok((AddOutcome::Nop, 0.0)),
        None => {
            z.insert(member, score, lim);
            Ok((AddOutcome::Added, score))
        }
    }
}

fn zadd_generic(ctx: &mut Ctx, argv: &[Bytes], mut f: AddFlags) -> CmdResult {
    let key = &argv[1];
    let mut j = 2;
    while j < argv.len() {
        let a = &argv[j];
        let flag = match () {
            _ if super::eq_ic(a, "nx") => &mut f.nx,
            _ if super::eq_ic(a, "xx") => &mut f.xx,
            _ if super::eq_ic(a, "ch") => &mut f.ch,
            _ if super::eq_ic(a, "incr") => &mut f.incr,
            _ if super::eq_ic(a, "gt") => &mut f.gt,
            _ if super::eq_ic(a, "lt") => &mut f.lt,
            _ => break,
        };
        *flag = true;
        j += 1;
    }
    let pairs = &argv[j..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    if f.nx && f.xx {
        return Err(CmdError::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(CmdError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    let elements = pairs.len() / 2;
    if f.incr && elements > 1 {
        return Err(CmdError::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    let scores: Vec<f64> = pairs
        .chunks(2)
        .map(|p| score_arg(&p[0]))
        .collect::<CmdResult<_>>()?;
    let max_len = pairs.chunks(2).map(|p| p[1].len()).max().unwrap_or(0);
    let lim = limits(ctx);
    let db = ctx.db();
    let (mut added, mut updated, mut processed, mut last) = (0u64, 0u64, 0, 0.0);
    let mut run = |z: &mut ZSet| -> CmdResult {
        for (p, &score) in pairs.chunks(2).zip(&scores) {
            let (outcome, s) = zset_add(z, &p[1], score, f, lim)?;
            match outcome {
                AddOutcome::Added => added += 1,
                AddOutcome::Updated => updated += 1,
                AddOutcome::Unchanged | AddOutcome::Nop => {}
            }
            if !matches!(outcome, AddOutcome::Nop) {
                processed += 1;
            }
            last = s;
        }
        Ok(())
    };
    let result = match ctx.store.get_mut::<ZSet>(db, key)? {
        Some(z) => {
            z.maybe_convert(elements, max_len, lim);
            run(z)
        }
        None if f.xx => Ok(()),
        None => {
            let mut z = ZSet::with_hint(elements, max_len, lim);
            let r = run(&mut z);
            if !z.is_empty() {
                ctx.store.add(db, key, Value::Zset(z));
            }
            r
        }
    };
    if added + updated > 0 {
        let event = if f.incr { "zincr" } else { "zadd" };
        ctx.store
            .written_n(db, key, NOTIFY_ZSET, event, added + updated);
    }
    result?;
    if f.incr {
        if processed > 0 {
            ctx.out.double(last);
        } else {
            ctx.out.null();
        }
    } else {
        ctx.out
            .int((if f.ch { added + updated } else { added }) as i64);
    }
    Ok(())
}

pub fn zadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, AddFlags::default())
}

pub fn zincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let v = [
        argv[0].clone(),
        argv[1].clone(),
        argv[2].clone(),
        argv[3].clone(),
    ];
    zadd_generic(
        ctx,
        &v,
        AddFlags {
            incr: true,
            ..AddFlags::default()
        },
    )
}

pub fn zrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    super::remove_members(
        ctx,
        argv,
        NOTIFY_ZSET,
        "zrem",
        |z: &mut ZSet, m| z.remove(m).is_some(),
        ZSet::is_empty,
    )
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

pub fn zcard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = zset_read(ctx, &argv[1])?.map_or(0, |z| z.len());
    ctx.out.int(n as i64);
    Ok(())
}

pub fn zscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match zset_read(ctx, &argv[1])?.and_then(|z| z.score(&argv[2])) {
        Some(s) => ctx.out.double(s),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn zmscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let z = ctx.store.get::<ZSet>(db, &argv[1])?;
    let out = &mut *ctx.out;
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => out.double(s),
            None => out.null(),
        }
    }
    Ok(())
}

pub fn zcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let range = ScoreRange::parse(&argv[2], &argv[3])?;
    let n = zset_read(ctx, &argv[1])?.map_or(0, |z| {
        let (lo, hi) = range.ranks(z);
        hi - lo
    });
    ctx.out.int(n as i64);
    Ok(())
}

pub fn zlexcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let range = LexRange::parse(&argv[2], &argv[3])?;
    let n = zset_read(ctx, &argv[1])?.map_or(0, |z| {
        let (lo, hi) = range.ranks(z, false);
        hi - lo
    });
    ctx.out.int(n as i64);
    Ok(())
}

fn zrank_generic(ctx: &mut Ctx, argv: &[Bytes], rev: bool) -> CmdResult {
    if argv.len() > 4 {
        return Err(CmdError::WrongArity(
            String::from_utf8_lossy(&argv[0]).to_ascii_lowercase(),
        ));
    }
    let withscore = match argv.get(3) {
        None => false,
        Some(a) if super::eq_ic(a, "withscore") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    let found = zset_read(ctx, &argv[1])?.map(|z| {
        let len = z.len();
        z.rank(&argv[2])
            .map(|(r, s)| (if rev { len - 1 - r } else { r }, s))
    });
    match found.flatten() {
        Some((r, s)) => {
            if withscore {
                ctx.out.array(2);
            }
            ctx.out.int(r as i64);
            if withscore {
                ctx.out.double(s);
            }
        }
        None if withscore => ctx.out.null_array(),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn zrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, false)
}

pub fn zrevrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, true)
}

// ---------------------------------------------------------------------------------------------
// The ZRANGE family (`zrangeGenericCommand`)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// ZRANGE and its older forms. `src` is the index of the source key; `store` is the
/// destination of ZRANGESTORE.
fn zrange_generic(
    ctx: &mut Ctx,
    argv: &[Bytes],
    src: usize,
    store: Option<&Bytes>,
    mut rtype: RangeType,
    mut dir: Direction,
) -> CmdResult {
    let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut limit_given = false;
    let mut j = src + 3;
    while j < argv.len() {
        let a = &argv[j];
        let left = argv.len() - j - 1;
        if store.is_none() && super::eq_ic(a, "withscores") {
            withscores = true;
        } else if super::eq_ic(a, "limit") && left >= 2 {
            offset = parse_int(&argv[j + 1])?;
            limit = parse_int(&argv[j + 2])?;
            limit_given = true;
            j += 2;
        } else if dir == Direction::Auto && super::eq_ic(a, "rev") {
            dir = Direction::Reverse;
        } else if rtype == RangeType::Auto && super::eq_ic(a, "bylex") {
            rtype = RangeType::Lex;
        } else if rtype == RangeType::Auto && super::eq_ic(a, "byscore") {
            rtype = RangeType::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let rev = dir == Direction::Reverse;
    if rtype == RangeType::Auto {
        rtype = RangeType::Rank;
    }
    if limit_given && rtype == RangeType::Rank {
        return Err(CmdError::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && rtype == RangeType::Lex {
        return Err(CmdError::err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut a, mut b) = (&argv[src + 1], &argv[src + 2]);
    if rev && rtype != RangeType::Rank {
        std::mem::swap(&mut a, &mut b);
    }
    enum Parsed {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let parsed = match rtype {
        RangeType::Score => Parsed::Score(ScoreRange::parse(a, b)?),
        RangeType::Lex => Parsed::Lex(LexRange::parse(a, b)?),
        _ => Parsed::Rank(parse_int(a)?, parse_int(b)?),
    };
    let db = ctx.db();
    let rows = match ctx.store.get::<ZSet>(db, &argv[src])? {
        None => Vec::new(),
        Some(z) => match parsed {
            Parsed::Rank(s, e) => match rank_range(s, e, z.len()) {
                None => Vec::new(),
                Some((lo, hi)) => {
                    let len = z.len();
                    if rev {
                        collect(z, len - hi, len - lo, true, 0, -1)
                    } else {
                        collect(z, lo, hi, false, 0, -1)
                    }
                }
            },
            Parsed::Score(r) if offset >= 0 => {
                let (lo, hi) = r.ranks(z);
                collect(z, lo, hi, rev, offset as usize, limit)
            }
            Parsed::Lex(r) if offset >= 0 => {
                let (lo, hi) = r.ranks(z, rev);
                collect(z, lo, hi, rev, offset as usize, limit)
            }
            _ => Vec::new(),
        },
    };
    match store {
        None => reply_pairs(ctx, &rows, withscores),
        Some(dst) => {
            let lim = limits(ctx);
            let mut z = ZSet::with_hint(rows.len(), 0, lim);
            for (m, s) in &rows {
                z.insert(m, *s, lim);
            }
            store_result(ctx, dst, z, "zrangestore");
        }
    }
    Ok(())
}

fn store_result(ctx: &mut Ctx, dst: &Bytes, result: ZSet, event: &str) {
    let n = result.len();
    super::store_result(ctx, dst, Value::Zset(result), n, (NOTIFY_ZSET, event, 1));
}

pub fn zrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Auto, Direction::Auto)
}

pub fn zrangestore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(
        ctx,
        argv,
        2,
        Some(&argv[1]),
        RangeType::Auto,
        Direction::Auto,
    )
}

pub fn zrevrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Rank, Direction::Reverse)
}

pub fn zrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Score, Direction::Forward)
}

pub fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Score, Direction::Reverse)
}

pub fn zrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Lex, Direction::Forward)
}

pub fn zrevrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, None, RangeType::Lex, Direction::Reverse)
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBY*
// ---------------------------------------------------------------------------------------------

fn zremrange_generic(
    ctx: &mut Ctx,
    argv: &[Bytes],
    ranks: impl FnOnce(&ZSet) -> (usize, usize),
    event: &str,
) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let Some(z) = ctx.store.get_mut::<ZSet>(db, key)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let (lo, hi) = ranks(z);
    let n = hi.saturating_sub(lo);
    if n > 0 {
        z.remove_ranks(lo, hi);
        ctx.store.written_n(db, key, NOTIFY_ZSET, event, n as u64);
        ctx.store.delete_if_empty(db, key);
    }
    ctx.out.int(n as i64);
    Ok(())
}

pub fn zremrangebyrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (s, e) = (parse_int(&argv[2])?, parse_int(&argv[3])?);
    zremrange_generic(
        ctx,
        argv,
        |z| rank_range(s, e, z.len()).unwrap_or((0, 0)),
        "zremrangebyrank",
    )
}

pub fn zremrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = ScoreRange::parse(&argv[2], &argv[3])?;
    zremrange_generic(ctx, argv, |z| r.ranks(z), "zremrangebyscore")
}

pub fn zremrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = LexRange::parse(&argv[2], &argv[3])?;
    zremrange_generic(ctx, argv, |z| r.ranks(z, false), "zremrangebylex")
}

// ---------------------------------------------------------------------------------------------
// Pops
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Min,
    Max,
}

impl Side {
    fn parse(b: &[u8]) -> CmdResult<Side> {
        if super::eq_ic(b, "min") {
            Ok(Side::Min)
        } else if super::eq_ic(b, "max") {
            Ok(Side::Max)
        } else {
            Err(CmdError::Syntax)
        }
    }

    fn pop_name(self) -> &'static [u8] {
        match self {
            Side::Min => b"ZPOPMIN",
            Side::Max => b"ZPOPMAX",
        }
    }

    fn event(self) -> &'static str {
        match self {
            Side::Min => "zpopmin",
            Side::Max => "zpopmax",
        }
    }
}

/// Pops up to `count` members from one end of the sorted set at `key`, which exists; the
/// `zpopmin`/`zpopmax` event once, `del` if emptied.
fn pop_n(ctx: &mut Ctx, key: &Bytes, side: Side, count: usize) -> CmdResult<Vec<(Bytes, f64)>> {
    let db = ctx.db();
    let z = ctx
        .store
        .get_mut::<ZSet>(db, key)?
        .expect("the caller checked");
    let len = z.len();
    let n = count.min(len);
    let rows = match side {
        Side::Min => collect(z, 0, n, false, 0, -1),
        Side::Max => collect(z, len - n, len, true, 0, -1),
    };
    match side {
        Side::Min => z.remove_ranks(0, n),
        Side::Max => z.remove_ranks(len - n, len),
    }
    ctx.store
        .written_n(db, key, NOTIFY_ZSET, side.event(), n as u64);
    ctx.store.delete_if_empty(db, key);
    Ok(rows)
}

/// The first key holding a sorted set (WRONGTYPE stops at the first other type), as
/// `genericZpopCommand` looks keys up.
fn first_zset(ctx: &mut Ctx, keys: &[Bytes]) -> CmdResult<Option<Bytes>> {
    let db = ctx.db();
    for k in keys {
        if ctx.store.get_mut::<ZSet>(db, k)?.is_some() {
            return Ok(Some(k.clone()));
        }
    }
    Ok(None)
}

fn zpop(ctx: &mut Ctx, argv: &[Bytes], side: Side) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match argv.get(2) {
        None => None,
        Some(c) => Some(
            crate::util::parse_i64(c)
                .filter(|&c| c >= 0)
                .ok_or_else(|| CmdError::err("value is out of range, must be positive"))?
                as usize,
        ),
    };
    let key = &argv[1];
    if first_zset(ctx, std::slice::from_ref(key))?.is_none() || count == Some(0) {
        ctx.out.array(0);
        return Ok(());
    }
    let rows = pop_n(ctx, key, side, count.unwrap_or(1))?;
    // RESP3 nests the pairs when a count was given; a plain pop is flat everywhere.
    let nested = ctx.is_resp3() && count.is_some();
    write_rows(ctx.out, &rows, true, nested);
    Ok(())
}

pub fn zpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop(ctx, argv, Side::Min)
}

pub fn zpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop(ctx, argv, Side::Max)
}

/// ZMPOP and BZMPOP's pop: `[key, [[m, s], ...]]`, propagated as ZPOPMIN/ZPOPMAX with the
/// count taken. False when no key holds a sorted set.
fn mpop_try(ctx: &mut Ctx, keys: &[Bytes], side: Side, count: usize) -> CmdResult<bool> {
    let Some(key) = first_zset(ctx, keys)? else {
        return Ok(false);
    };
    let rows = pop_n(ctx, &key, side, count)?;
    ctx.also_propagate(vec![
        Bytes::from_static(side.pop_name()),
        key.clone(),
        Bytes::from(rows.len().to_string()),
    ]);
    ctx.out.array(2);
    ctx.out.bulk(&key);
    write_rows(ctx.out, &rows, true, true);
    Ok(true)
}

pub fn zmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (keys, side, count) = super::lists::parse_mpop(argv, 1, Side::parse)?;
    if !mpop_try(ctx, &keys, side, count)? {
        ctx.out.null_array();
    }
    Ok(())
}

fn block(ctx: &mut Ctx, keys: Vec<Bytes>, deadline: Option<i64>, argv: &[Bytes]) {
    super::lists::block_for(
        ctx,
        BlockedType::Zset,
        keys,
        deadline,
        argv,
        TimeoutReply::NullArray,
        TimeoutReply::NullArray,
    );
}

/// BZPOPMIN/BZPOPMAX: `[key, member, score]` from the first non-empty key, else block.
fn bzpop(ctx: &mut Ctx, argv: &[Bytes], side: Side) -> CmdResult {
    let deadline =
        super::parse_timeout(ctx.now, &argv[argv.len() - 1], super::TimeoutUnit::Seconds)?;
    let keys = &argv[1..argv.len() - 1];
    match first_zset(ctx, keys)? {
        Some(key) => {
            let rows = pop_n(ctx, &key, side, 1)?;
            ctx.also_propagate(vec![Bytes::from_static(side.pop_name()), key.clone()]);
            let (m, s) = &rows[0];
            ctx.out.array(3);
            ctx.out.bulk(&key);
            ctx.out.bulk(m);
            ctx.out.double(*s);
        }
        None => block(ctx, keys.to_vec(), deadline, argv),
    }
    Ok(())
}

pub fn bzpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, Side::Min)
}

pub fn bzpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop(ctx, argv, Side::Max)
}

pub fn bzmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let deadline = super::parse_timeout(ctx.now, &argv[1], super::TimeoutUnit::Seconds)?;
    let (keys, side, count) = super::lists::parse_mpop(argv, 2, Side::parse)?;
    if !mpop_try(ctx, &keys, side, count)? {
        block(ctx, keys, deadline, argv);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their *STORE forms, ZINTERCARD (`zunionInterDiffGenericCommand`)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// `zunionInterAggregate`: a NaN sum (inf + -inf) counts as 0.
    fn apply(self, acc: f64, v: f64) -> f64 {
        match self {
            Aggregate::Sum => {
                let s = acc + v;
                if s.is_nan() {
                    0.0
                } else {
                    s
                }
            }
            Aggregate::Min => {
                if v < acc {
                    v
                } else {
                    acc
                }
            }
            Aggregate::Max => {
                if v > acc {
                    v
                } else {
                    acc
                }
            }
        }
    }
}

/// An input of the algebra: a sorted set, or a set whose members all score 1.
enum Source<'a> {
    Missing,
    Zset(&'a ZSet),
    Set(&'a Set),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Zset(z) => z.len(),
            Source::Set(s) => s.len(),
        }
    }

    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Zset(z) => z.score(m),
            Source::Set(s) => s.contains(m).then_some(1.0),
        }
    }

    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Source::Missing => {}
            Source::Zset(z) => z.walk(0, false, |m, s| {
                f(m, s);
                true
            }),
            Source::Set(s) => {
                for m in s.iter() {
                    f(m.bytes(&mut [0; 21]), 1.0);
                }
            }
        }
    }
}

/// `score × weight`, with Redis's NaN (0 × inf) read as 0.
fn weighted(score: f64, weight: f64) -> f64 {
    let v = score * weight;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

struct AlgebraArgs {
    keys: Vec<Bytes>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Parses `numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] [LIMIT n]`
/// from `at` (the numkeys index), as Redis checks it.
fn parse_algebra(
    argv: &[Bytes],
    at: usize,
    op: SetOp,
    store: bool,
    card: bool,
) -> CmdResult<AlgebraArgs> {
    let n = parse_int(&argv[at])?;
    if n < 1 {
        return Err(CmdError::err(format!(
            "at least 1 input key is needed for '{}' command",
            String::from_utf8_lossy(&argv[0]).to_ascii_lowercase()
        )));
    }
    if n as u64 > (argv.len() - at - 1) as u64 {
        return Err(CmdError::Syntax);
    }
    let n = n as usize;
    let keys = argv[at + 1..at + 1 + n].to_vec();
    let mut o = AlgebraArgs {
        keys,
        weights: vec![1.0; n],
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = at + 1 + n;
    while j < argv.len() {
        let left = argv.len() - j;
        let a = &argv[j];
        if op != SetOp::Diff && !card && left > n && super::eq_ic(a, "weights") {
            for i in 0..n {
                o.weights[i] = parse_score(&argv[j + 1 + i])
                    .ok_or_else(|| CmdError::err("weight value is not a float"))?;
            }
            j += 1 + n;
        } else if op != SetOp::Diff && !card && left >= 2 && super::eq_ic(a, "aggregate") {
            let v = &argv[j + 1];
            o.aggregate = match () {
                _ if super::eq_ic(v, "sum") => Aggregate::Sum,
                _ if super::eq_ic(v, "min") => Aggregate::Min,
                _ if super::eq_ic(v, "max") => Aggregate::Max,
                _ => return Err(CmdError::Syntax),
            };
            j += 2;
        } else if !store && !card && super::eq_ic(a, "withscores") {
            o.withscores = true;
            j += 1;
        } else if card && left >= 2 && super::eq_ic(a, "limit") {
            let l = crate::util::parse_i64(&argv[j + 1])
                .filter(|&l| l >= 0)
                .ok_or_else(|| CmdError::err("LIMIT can't be negative"))?;
            o.limit = l as usize;
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(o)
}

/// Runs the algebra over the inputs; `(member, score)` of the result, unordered. With
/// `card`, counting stops at `limit` (0: no limit).
fn compute(
    ctx: &mut Ctx,
    op: SetOp,
    o: &AlgebraArgs,
    store: bool,
    card: bool,
) -> CmdResult<Vec<(Bytes, f64)>> {
    let db = ctx.db();
    // Each key looked up in order, WRONGTYPE at the first that is neither kind of set.
    for k in &o.keys {
        let v = if store {
            ctx.store.lookup_write(db, k)
        } else {
            ctx.store.lookup_read(db, k)
        };
        if matches!(v, Some(v) if !matches!(v, Value::Zset(_) | Value::Set(_))) {
            return Err(CmdError::WrongType);
        }
    }
    let store_ref = &*ctx.store;
    let mut src: Vec<(Source, f64)> = o
        .keys
        .iter()
        .zip(&o.weights)
        .map(|(k, &w)| {
            let s = match store_ref.peek(db, k) {
                Some(Value::Zset(z)) => Source::Zset(z),
                Some(Value::Set(s)) => Source::Set(s),
                _ => Source::Missing,
            };
            (s, w)
        })
        .collect();
    let mut out: Vec<(Bytes, f64)> = Vec::new();
    match op {
        SetOp::Inter => {
            // From the smallest input (Redis sorts by cardinality; ties keep their order).
            src.sort_by_key(|(s, _)| s.len());
            if src[0].0.len() == 0 {
                return Ok(out);
            }
            let (first, rest) = src.split_first().expect("one key at least");
            let mut done = false;
            first.0.for_each(|m, s| {
                if done {
                    return;
                }
                let mut acc = weighted(s, first.1);
                for (other, w) in rest {
                    match other.score(m) {
                        Some(x) => acc = o.aggregate.apply(acc, weighted(x, *w)),
                        None => return,
                    }
                }
                out.push((Bytes::copy_from_slice(m), acc));
                if card && o.limit > 0 && out.len() >= o.limit {
                    done = true;
                }
            });
        }
        SetOp::Union => {
            let mut acc: hashbrown::HashMap<Bytes, f64> = hashbrown::HashMap::new();
            let mut order_seen: Vec<Bytes> = Vec::new();
            for (s, w) in &src {
                s.for_each(|m, score| {
                    let v = weighted(score, *w);
                    match acc.get_mut(m) {
                        Some(a) => *a = o.aggregate.apply(*a, v),
                        None => {
                            let m = Bytes::copy_from_slice(m);
                            order_seen.push(m.clone());
                            acc.insert(m, v);
                        }
                    }
                });
            }
            out = order_seen
                .into_iter()
                .map(|m| {
                    let s = acc[&m];
                    (m, s)
                })
                .collect();
        }
        SetOp::Diff => {
            let (first, rest) = src.split_first().expect("one key at least");
            first.0.for_each(|m, s| {
                if rest.iter().all(|(other, _)| other.score(m).is_none()) {
                    out.push((Bytes::copy_from_slice(m), s));
                }
            });
        }
    }
    Ok(out)
}

fn algebra(ctx: &mut Ctx, argv: &[Bytes], op: SetOp, store: bool) -> CmdResult {
    let at = if store { 2 } else { 1 };
    let o = parse_algebra(argv, at, op, store, false)?;
    let rows = compute(ctx, op, &o, store, false)?;
    let lim = limits(ctx);
    let mut z = ZSet::SkipList(Default::default());
    for (m, s) in &rows {
        z.insert(m, *s, lim);
    }
    if store {
        z.shrink_if_fits(lim);
        let event = match op {
            SetOp::Union => "zunionstore",
            SetOp::Inter => "zinterstore",
            SetOp::Diff => "zdiffstore",
        };
        store_result(ctx, &argv[1], z, event);
    } else {
        let sorted = collect(&z, 0, z.len(), false, 0, -1);
        reply_pairs(ctx, &sorted, o.withscores);
    }
    Ok(())
}

pub fn zunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Union, false)
}

pub fn zinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Inter, false)
}

pub fn zdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Diff, false)
}

pub fn zunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Union, true)
}

pub fn zinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Inter, true)
}

pub fn zdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    algebra(ctx, argv, SetOp::Diff, true)
}

pub fn zintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_algebra(argv, 1, SetOp::Inter, false, true)?;
    let n = compute(ctx, SetOp::Inter, &o, false, true)?.len();
    ctx.out.int(n as i64);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN
// ---------------------------------------------------------------------------------------------

pub fn zrandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let db = ctx.db();
    let mut rng = crate::util::Rng::new(ctx.store.rng.next_u64());
    if argv.len() == 2 {
        let Some(z) = ctx.store.get::<ZSet>(db, &argv[1])? else {
            ctx.out.null();
            return Ok(());
        };
        let r = z.random_rank(&mut rng).expect("never empty");
        let (m, _) = z.get(r);
        ctx.out.bulk(m);
        return Ok(());
    }
    let l = parse_int(&argv[2])?;
    if l == i64::MIN {
        return Err(CmdError::err("value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
    }
    let withscores = match argv.len() {
        3 => false,
        4 if super::eq_ic(&argv[3], "withscores") => true,
        _ => return Err(CmdError::Syntax),
    };
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
        return Err(CmdError::err("value is out of range"));
    }
    let (count, unique) = (l.unsigned_abs() as usize, l >= 0);
    let Some(z) = ctx.store.get::<ZSet>(db, &argv[1])? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count == 0 {
        ctx.out.array(0);
        return Ok(());
    }
    let size = z.len();
    let pick = |r: usize| {
        let (m, s) = z.get(r);
        (Bytes::copy_from_slice(m), s)
    };
    let rows: Vec<(Bytes, f64)> = if !unique || count == 1 {
        if super::random_reply_too_big(count, || {
            z.random_rank(&mut rng).map_or(0, |r| z.get(r).0.len() + 24)
        }) {
            return Err(CmdError::err("value is out of range"));
        }
        (0..count)
            .map(|_| pick(z.random_rank(&mut rng).expect("never empty")))
            .collect()
    } else if count >= size {
        // The whole set, as Redis's set-operation iterator yields it: from the top.
        collect(z, 0, size, true, 0, -1)
    } else {
        super::distinct_random(
            size,
            count,
            &mut rng,
            || (0..size).collect(),
            |rng| z.random_rank(rng).expect("never empty"),
        )
        .into_iter()
        .map(pick)
        .collect()
    };
    reply_pairs(ctx, &rows, withscores);
    Ok(())
}

pub fn zscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = super::keys::parse_scan_cursor(&argv[2])?;
    let db = ctx.db();
    if ctx.store.get::<ZSet>(db, &argv[1])?.is_none() {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    }
    let super::keys::ScanOptions { count, pattern, .. } =
        super::keys::scan_options(argv, 3, false)?;
    let z = ctx.store.get::<ZSet>(db, &argv[1])?.expect("checked");
    let mut found: Vec<(Bytes, f64)> = Vec::new();
    let next = z.scan(cursor, count, |m, s| {
        if pattern
            .as_ref()
            .is_none_or(|p| crate::glob::matches(p, m, false))
        {
            found.push((Bytes::copy_from_slice(m), s));
        }
    });
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(next.to_string().as_bytes());
    out.array(found.len() * 2);
    for (m, s) in found {
        out.bulk(&m);
        out.bulk(resp::writer::format_double(s).as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// Command-level table: each line runs in order on one session.
    #[test]
    fn zset_commands_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["zadd", "z", "1", "a", "2", "b", "2", "c"][..], ":3\r\n"),
            (&["zadd", "z", "nx", "xx", "1", "a"], "-ERR XX and NX options at the same time are not compatible\r\n"),
            (&["zadd", "z", "1", "a", "2"], "-ERR syntax error\r\n"),
            (&["zadd", "z", "x", "a"], "-ERR value is not a valid float\r\n"),
            (&["zadd", "z", "1e400", "a"], "-ERR value is not a valid float\r\n"),
            (&["zadd", "z", "ch", "gt", "0", "a", "5", "b"], ":1\r\n"),
            (&["zincrby", "z", "0.5", "a"], "$3\r\n1.5\r\n"),
            (&["zscore", "z", "b"], "$1\r\n5\r\n"),
            (&["zrank", "z", "c", "withscore"], "*2\r\n:1\r\n$1\r\n2\r\n"),
            (&["zrevrank", "z", "b"], ":0\r\n"),
            (&["zrange", "z", "0", "-1"], "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"),
            (&["zrangebyscore", "z", "(1.5", "+inf", "limit", "1", "1"], "*1\r\n$1\r\nb\r\n"),
            (&["zrange", "z", "0", "1", "limit", "0", "1"], "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
            (&["zcount", "z", "-inf", "(5"], ":2\r\n"),
            (&["zcount", "z", "a", "5"], "-ERR min or max is not a float\r\n"),
            (&["zlexcount", "z", "-", "+"], ":3\r\n"),
            (&["zlexcount", "z", "a", "+"], "-ERR min or max not valid string range item\r\n"),
            (&["zpopmin", "z"], "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n"),
            (&["zmpop", "1", "z", "max", "count", "5"], "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n5\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n"),
            (&["exists", "z"], ":0\r\n"),
            (&["zmpop", "1", "z", "min"], "*-1\r\n"),
            (&["zadd", "u1", "1", "a", "2", "b"], ":2\r\n"),
            (&["sadd", "u2", "b", "c"], ":2\r\n"),
            (&["zunion", "2", "u1", "u2", "withscores"], "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n3\r\n"),
            (&["zinterstore", "d", "2", "u1", "u2", "weights", "2", "3"], ":1\r\n"),
            (&["zscore", "d", "b"], "$1\r\n7\r\n"),
            (&["zintercard", "2", "u1", "u2", "limit", "0"], ":1\r\n"),
            (&["zunion", "0", "u1"], "-ERR at least 1 input key is needed for 'zunion' command\r\n"),
            (&["zremrangebyscore", "u1", "-inf", "1"], ":1\r\n"),
            (&["zrandmember", "u1", "-2"], "*2\r\n$1\r\nb\r\n$1\r\nb\r\n"),
            (&["set", "str", "x"], "+OK\r\n"),
            (&["zadd", "str", "1", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
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
        name: "zadd",
        arity: -4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zadd,
        doc: Doc { summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", since: "1.2.0", group: "sorted-set", complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.", history: &[("2.4.0", "Accepts multiple elements."), ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."), ("6.2.0", "Added the `GT` and `LT` options.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "condition", kind: "oneof", since: Some("3.0.2"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "nx", kind: "pure-token", display: Some("nx"), token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", kind: "pure-token", display: Some("xx"), token: Some("XX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "comparison", kind: "oneof", since: Some("6.2.0"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "gt", kind: "pure-token", display: Some("gt"), token: Some("GT"), ..Arg::DEFAULT },
                    Arg { name: "lt", kind: "pure-token", display: Some("lt"), token: Some("LT"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "change", kind: "pure-token", display: Some("change"), token: Some("CH"), since: Some("3.0.2"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "increment", kind: "pure-token", display: Some("increment"), token: Some("INCR"), since: Some("3.0.2"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                    Arg { name: "score", kind: "double", display: Some("score"), ..Arg::DEFAULT },
                    Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zincrby",
        arity: 4,
        flags: WRITE | DENYOOM | FAST,
        acl: &["write", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zincrby,
        doc: Doc { summary: "Increments the score of a member in a sorted set.", since: "1.2.0", group: "sorted-set", complexity: "O(log(N)) where N is the number of elements in the sorted set.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "increment", kind: "integer", display: Some("increment"), ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrem",
        arity: -3,
        flags: WRITE | FAST,
        acl: &["write", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrem,
        doc: Doc { summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", since: "1.2.0", group: "sorted-set", complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", history: &[("2.4.0", "Accepts multiple elements.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zcard",
        arity: 2,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zcard,
        doc: Doc { summary: "Returns the number of members in a sorted set.", since: "1.2.0", group: "sorted-set", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zcount",
        arity: 4,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zcount,
        doc: Doc { summary: "Returns the count of members in a sorted set that have scores within a range.", since: "2.0.0", group: "sorted-set", complexity: "O(log(N)) with N being the number of elements in the sorted set.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "double", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "double", display: Some("max"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zlexcount",
        arity: 4,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zlexcount,
        doc: Doc { summary: "Returns the number of members in a sorted set within a lexicographical range.", since: "2.8.9", group: "sorted-set", complexity: "O(log(N)) with N being the number of elements in the sorted set.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "string", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "string", display: Some("max"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zscore",
        arity: 3,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zscore,
        doc: Doc { summary: "Returns the score of a member in a sorted set.", since: "1.2.0", group: "sorted-set", complexity: "O(1)", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zmscore",
        arity: -3,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zmscore,
        doc: Doc { summary: "Returns the score of one or more members in a sorted set.", since: "6.2.0", group: "sorted-set", complexity: "O(N) where N is the number of members being requested.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrank",
        arity: -3,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrank,
        doc: Doc { summary: "Returns the index of a member in a sorted set ordered by ascending scores.", since: "2.0.0", group: "sorted-set", complexity: "O(log(N))", history: &[("7.2.0", "Added the optional `WITHSCORE` argument.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
                Arg { name: "withscore", kind: "pure-token", display: Some("withscore"), token: Some("WITHSCORE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrevrank",
        arity: -3,
        flags: READONLY | FAST,
        acl: &["read", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrevrank,
        doc: Doc { summary: "Returns the index of a member in a sorted set ordered by descending scores.", since: "2.0.0", group: "sorted-set", complexity: "O(log(N))", history: &[("7.2.0", "Added the optional `WITHSCORE` argument.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "member", kind: "string", display: Some("member"), ..Arg::DEFAULT },
                Arg { name: "withscore", kind: "pure-token", display: Some("withscore"), token: Some("WITHSCORE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrange",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrange,
        doc: Doc { summary: "Returns members in a sorted set within a range of indexes.", since: "1.2.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", history: &[("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "start", kind: "string", display: Some("start"), ..Arg::DEFAULT },
                Arg { name: "stop", kind: "string", display: Some("stop"), ..Arg::DEFAULT },
                Arg { name: "sortby", kind: "oneof", since: Some("6.2.0"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "byscore", kind: "pure-token", display: Some("byscore"), token: Some("BYSCORE"), ..Arg::DEFAULT },
                    Arg { name: "bylex", kind: "pure-token", display: Some("bylex"), token: Some("BYLEX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "rev", kind: "pure-token", display: Some("rev"), token: Some("REV"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), since: Some("6.2.0"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrangestore",
        arity: -5,
        flags: WRITE | DENYOOM,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 2, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrangestore,
        doc: Doc { summary: "Stores a range of members from sorted set in a key.", since: "6.2.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", args: &[
                Arg { name: "dst", kind: "key", display: Some("dst"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "src", kind: "key", display: Some("src"), key_spec: 1, ..Arg::DEFAULT },
                Arg { name: "min", kind: "string", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "string", display: Some("max"), ..Arg::DEFAULT },
                Arg { name: "sortby", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "byscore", kind: "pure-token", display: Some("byscore"), token: Some("BYSCORE"), ..Arg::DEFAULT },
                    Arg { name: "bylex", kind: "pure-token", display: Some("bylex"), token: Some("BYLEX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "rev", kind: "pure-token", display: Some("rev"), token: Some("REV"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrangebyscore",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrangebyscore,
        doc: Doc { summary: "Returns members in a sorted set within a range of scores.", since: "1.0.5", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", history: &[("2.0.0", "Added the `WITHSCORES` modifier.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "double", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "double", display: Some("max"), ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), since: Some("2.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrevrangebyscore",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrevrangebyscore,
        doc: Doc { summary: "Returns members in a sorted set within a range of scores in reverse order.", since: "2.2.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", history: &[("2.1.6", "`min` and `max` can be exclusive.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "max", kind: "double", display: Some("max"), ..Arg::DEFAULT },
                Arg { name: "min", kind: "double", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrangebylex",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrangebylex,
        doc: Doc { summary: "Returns members in a sorted set within a lexicographical range.", since: "2.8.9", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "string", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "string", display: Some("max"), ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrevrangebylex",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrevrangebylex,
        doc: Doc { summary: "Returns members in a sorted set within a lexicographical range in reverse order.", since: "2.8.9", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "max", kind: "string", display: Some("max"), ..Arg::DEFAULT },
                Arg { name: "min", kind: "string", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrevrange",
        arity: -4,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zrevrange,
        doc: Doc { summary: "Returns members in a sorted set within a range of indexes in reverse order.", since: "1.2.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                Arg { name: "stop", kind: "integer", display: Some("stop"), ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zremrangebyrank",
        arity: 4,
        flags: WRITE,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zremrangebyrank,
        doc: Doc { summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", since: "2.0.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "start", kind: "integer", display: Some("start"), ..Arg::DEFAULT },
                Arg { name: "stop", kind: "integer", display: Some("stop"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zremrangebyscore",
        arity: 4,
        flags: WRITE,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zremrangebyscore,
        doc: Doc { summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", since: "1.2.0", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "double", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "double", display: Some("max"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zremrangebylex",
        arity: 4,
        flags: WRITE,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zremrangebylex,
        doc: Doc { summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", since: "2.8.9", group: "sorted-set", complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "min", kind: "string", display: Some("min"), ..Arg::DEFAULT },
                Arg { name: "max", kind: "string", display: Some("max"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zpopmin",
        arity: -2,
        flags: WRITE | FAST,
        acl: &["write", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zpopmin,
        doc: Doc { summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", since: "5.0.0", group: "sorted-set", complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zpopmax",
        arity: -2,
        flags: WRITE | FAST,
        acl: &["write", "sortedset", "fast"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: zpopmax,
        doc: Doc { summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", since: "5.0.0", group: "sorted-set", complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zmpop",
        arity: -4,
        flags: WRITE | MOVABLE_KEYS,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zmpop,
        doc: Doc { summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", since: "7.0.0", group: "sorted-set", complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "where", kind: "oneof", args: &[
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "bzpopmin",
        arity: -3,
        flags: WRITE | BLOCKING | FAST,
        acl: &["write", "sortedset", "fast", "blocking"],
        legacy_keys: (1, -2, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -2, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: bzpopmin,
        doc: Doc { summary: "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", since: "5.0.0", group: "sorted-set", complexity: "O(log(N)) with N being the number of elements in the sorted set.", history: &[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "bzpopmax",
        arity: -3,
        flags: WRITE | BLOCKING | FAST,
        acl: &["write", "sortedset", "fast", "blocking"],
        legacy_keys: (1, -2, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: -2, keystep: 1, limit: 0 } }],
        tips: &[],
        handler: bzpopmax,
        doc: Doc { summary: "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", since: "5.0.0", group: "sorted-set", complexity: "O(log(N)) with N being the number of elements in the sorted set.", history: &[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")], args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "bzmpop",
        arity: -5,
        flags: WRITE | BLOCKING | MOVABLE_KEYS,
        acl: &["write", "sortedset", "slow", "blocking"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "delete"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: bzmpop,
        doc: Doc { summary: "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", since: "7.0.0", group: "sorted-set", complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", args: &[
                Arg { name: "timeout", kind: "double", display: Some("timeout"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "where", kind: "oneof", args: &[
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zunion",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zunion,
        doc: Doc { summary: "Returns the union of multiple sorted sets.", since: "6.2.0", group: "sorted-set", complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "weight", kind: "integer", display: Some("weight"), token: Some("WEIGHTS"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "aggregate", kind: "oneof", token: Some("AGGREGATE"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "sum", kind: "pure-token", display: Some("sum"), token: Some("SUM"), ..Arg::DEFAULT },
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zinter",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zinter,
        doc: Doc { summary: "Returns the intersect of multiple sorted sets.", since: "6.2.0", group: "sorted-set", complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "weight", kind: "integer", display: Some("weight"), token: Some("WEIGHTS"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "aggregate", kind: "oneof", token: Some("AGGREGATE"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "sum", kind: "pure-token", display: Some("sum"), token: Some("SUM"), ..Arg::DEFAULT },
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zdiff",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zdiff,
        doc: Doc { summary: "Returns the difference between multiple sorted sets.", since: "6.2.0", group: "sorted-set", complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zunionstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zunionstore,
        doc: Doc { summary: "Stores the union of multiple sorted sets in a key.", since: "2.0.0", group: "sorted-set", complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "weight", kind: "integer", display: Some("weight"), token: Some("WEIGHTS"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "aggregate", kind: "oneof", token: Some("AGGREGATE"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "sum", kind: "pure-token", display: Some("sum"), token: Some("SUM"), ..Arg::DEFAULT },
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zinterstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zinterstore,
        doc: Doc { summary: "Stores the intersect of multiple sorted sets in a key.", since: "2.0.0", group: "sorted-set", complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "weight", kind: "integer", display: Some("weight"), token: Some("WEIGHTS"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "aggregate", kind: "oneof", token: Some("AGGREGATE"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "sum", kind: "pure-token", display: Some("sum"), token: Some("SUM"), ..Arg::DEFAULT },
                    Arg { name: "min", kind: "pure-token", display: Some("min"), token: Some("MIN"), ..Arg::DEFAULT },
                    Arg { name: "max", kind: "pure-token", display: Some("max"), token: Some("MAX"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zdiffstore",
        arity: -4,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: &["write", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["OW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zdiffstore,
        doc: Doc { summary: "Stores the difference of multiple sorted sets in a key.", since: "6.2.0", group: "sorted-set", complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", args: &[
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 1, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zintercard",
        arity: -3,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: zintercard,
        doc: Doc { summary: "Returns the number of members of the intersect of multiple sorted sets.", since: "7.0.0", group: "sorted-set", complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", args: &[
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "integer", display: Some("limit"), token: Some("LIMIT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zrandmember",
        arity: -2,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: zrandmember,
        doc: Doc { summary: "Returns one or more random members from a sorted set.", since: "6.2.0", group: "sorted-set", complexity: "O(N) where N is the number of members returned", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "options", kind: "block", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                    Arg { name: "withscores", kind: "pure-token", display: Some("withscores"), token: Some("WITHSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "zscan",
        arity: -3,
        flags: READONLY,
        acl: &["read", "sortedset", "slow"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
        tips: &["nondeterministic_output"],
        handler: zscan,
        doc: Doc { summary: "Iterates over members and scores of a sorted set.", since: "2.8.0", group: "sorted-set", complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "cursor", kind: "integer", display: Some("cursor"), ..Arg::DEFAULT },
                Arg { name: "pattern", kind: "pattern", display: Some("pattern"), token: Some("MATCH"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "noscores", kind: "pure-token", display: Some("noscores"), token: Some("NOSCORES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
