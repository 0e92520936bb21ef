//! SORT and SORT_RO (Redis's `sort.c`): the elements of a list, set or sorted set, sorted
//! numerically or as strings (ALPHA), by themselves or by external keys (`BY weight_*`, hash
//! fields with `BY h_*->f`), optionally not at all (`BY nosort`), with LIMIT, GET of external
//! values (`GET #` is the element) and STORE into a list.
//!
//! - Patterns replace their first `*` with the element; a `->field` after it reads a hash
//!   field; a pattern without `*` names nothing (GET gives nil, BY means "don't sort").
//! - Numeric sort reads each key as `strtod` would (a missing BY key sorts as 0); ties sort
//!   by the element's bytes, so the order is deterministic; DESC reverses everything.
//! - A set sorted with `BY nosort` into STORE is sorted ALPHA instead, as Redis does, so that
//!   what is stored does not depend on hash order. A sorted set with `BY nosort` keeps its
//!   own order and a list its own (DESC from the top, the tail), LIMIT taken by position.
//! - External keys are read through the keyspace (lazy expiry, hit/miss counts) like any
//!   read. STORE writes a list (nil GETs store empty strings) with the `sortstore` event, or
//!   deletes the destination when nothing came out.

use super::{parse_int, Ctx};
use crate::config::NOTIFY_LIST;
use crate::db::Value;
use crate::error::{CmdError, CmdResult};
use crate::types::list::List;
use bytes::Bytes;
use std::cmp::Ordering;

struct SortArgs {
    desc: bool,
    alpha: bool,
    limit: Option<(i64, i64)>,
    by: Option<Bytes>,
    dontsort: bool,
    gets: Vec<Bytes>,
    store: Option<Bytes>,
}

fn parse(argv: &[Bytes], read_only: bool) -> CmdResult<SortArgs> {
    let mut o = SortArgs {
        desc: false,
        alpha: false,
        limit: None,
        by: None,
        dontsort: false,
        gets: Vec::new(),
        store: None,
    };
    let mut j = 2;
    while j < argv.len() {
        let a = &argv[j];
        let left = argv.len() - j - 1;
        if super::eq_ic(a, "asc") {
            o.desc = false;
        } else if super::eq_ic(a, "desc") {
            o.desc = true;
        } else if super::eq_ic(a, "alpha") {
            o.alpha = true;
        } else if super::eq_ic(a, "limit") && left >= 2 {
            o.limit = Some((parse_int(&argv[j + 1])?, parse_int(&argv[j + 2])?));
            j += 2;
        } else if !read_only && super::eq_ic(a, "store") && left >= 1 {
            o.store = Some(argv[j + 1].clone());
            j += 1;
        } else if super::eq_ic(a, "by") && left >= 1 {
            let p = argv[j + 1].clone();
            // Without a `*` the pattern names no key: nothing to sort by.
            o.dontsort = !p.contains(&b'*');
            o.by = Some(p);
            j += 1;
        } else if super::eq_ic(a, "get") && left >= 1 {
            o.gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// `lookupKeyByPattern`: the string at the key the pattern names for `elem`, or the hash
/// field with `->`; `#` is `elem` itself. None when there is no such value.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(elem.to_vec());
    }
    let star = pattern.iter().position(|&c| c == b'*')?;
    // `->field` after the `*`, the field not empty.
    let arrow = pattern[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|i| star + 1 + i)
        .filter(|&i| i + 2 < pattern.len());
    let key_end = arrow.unwrap_or(pattern.len());
    let mut key = Vec::with_capacity(pattern.len() + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let db = ctx.db();
    match (ctx.store.lookup_read(db, &key)?, arrow) {
        (Value::Str(s), None) => Some(s.data().to_vec()),
        (Value::Hash(h), Some(i)) => h.get(&pattern[i + 2..]).map(|v| v.to_vec()),
        _ => None,
    }
}

/// strtod's reading of a sort key: the whole string, leading blanks allowed, no NaN.
fn sort_score(b: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(b).ok()?;
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if t.is_empty() {
        return Some(0.0);
    }
    crate::util::parse_f64(t.as_bytes())
}

fn sort_generic(ctx: &mut Ctx, argv: &[Bytes], read_only: bool) -> CmdResult {
    let mut o = parse(argv, read_only)?;
    let db = ctx.db();
    let key = &argv[1];
    // The elements, as the value holds them.
    enum Kind {
        List,
        Set,
        Zset,
    }
    let (kind, mut elems): (Kind, Vec<Vec<u8>>) = match ctx.store.lookup_read(db, key) {
        None => (Kind::List, Vec::new()),
        Some(Value::List(l)) => {
            let mut v = Vec::with_capacity(l.len());
            l.for_each_from(0, |e| {
                v.push(e.to_vec());
                true
            });
            // Unsorted, DESC reads the list from its tail (as a sorted set from its top).
            if o.dontsort && o.desc {
                v.reverse();
            }
            (Kind::List, v)
        }
        Some(Value::Set(s)) => (Kind::Set, s.iter().map(|m| m.to_vec()).collect()),
        Some(Value::Zset(z)) => {
            let mut v = Vec::with_capacity(z.len());
            let rev = o.dontsort && o.desc;
            if !z.is_empty() {
                z.walk(if rev { z.len() - 1 } else { 0 }, rev, |m, _| {
                    v.push(m.to_vec());
                    true
                });
            }
            (Kind::Zset, v)
        }
        Some(_) => return Err(CmdError::WrongType),
    };
    // A set's order is its hash table's: stored results are sorted instead (`sortCommand`).
    if o.dontsort && matches!(kind, Kind::Set) && o.store.is_some() {
        o.dontsort = false;
        o.alpha = true;
        o.by = None;
    }
    let n = elems.len() as i64;
    let (mut start, mut end) = match o.limit {
        Some((off, count)) => {
            let start = off.max(0);
            let end = if count < 0 {
                n - 1
            } else {
                start.saturating_add(count) - 1
            };
            (start, end)
        }
        None => (0, n - 1),
    };
    if start >= n {
        start = n - 1;
        end = n - 2;
    }
    if end >= n {
        end = n - 1;
    }
    if !o.dontsort {
        // Sort keys first (each lookup goes through the keyspace), then one sort.
        let mut keyed: Vec<(Vec<u8>, Option<Vec<u8>>, f64)> = Vec::with_capacity(elems.len());
        let mut bad = false;
        for e in elems.drain(..) {
            let by = match &o.by {
                Some(p) => lookup_by_pattern(ctx, p, &e),
                None => Some(e.clone()),
            };
            let score = if o.alpha {
                0.0
            } else {
                match &by {
                    Some(b) => sort_score(b).unwrap_or_else(|| {
                        bad = true;
                        0.0
                    }),
                    None => 0.0,
                }
            };
            let cmp = if o.alpha && o.by.is_some() { by } else { None };
            keyed.push((e, cmp, score));
        }
        if bad {
            return Err(CmdError::err(
                "One or more scores can't be converted into double",
            ));
        }
        let (alpha, by_pattern, desc) = (o.alpha, o.by.is_some(), o.desc);
        keyed.sort_by(|a, b| {
            let c = if !alpha {
                a.2.partial_cmp(&b.2)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.0.cmp(&b.0))
            } else if by_pattern {
                match (&a.1, &b.1) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                }
            } else {
                a.0.cmp(&b.0)
            };
            if desc {
                c.reverse()
            } else {
                c
            }
        });
        elems = keyed.into_iter().map(|k| k.0).collect();
    }
    let picked: Vec<Vec<u8>> = if start <= end && start >= 0 {
        elems[start as usize..=end as usize].to_vec()
    } else {
        Vec::new()
    };
    // The output: the elements, or per element one value per GET.
    let mut rows: Vec<Option<Vec<u8>>> = Vec::new();
    for e in &picked {
        if o.gets.is_empty() {
            rows.push(Some(e.clone()));
        }
        for g in o.gets.clone() {
            rows.push(lookup_by_pattern(ctx, &g, e));
        }
    }
    match &o.store {
        None => {
            ctx.out.array(rows.len());
            for r in &rows {
                match r {
                    Some(v) => ctx.out.bulk(v),
                    None => ctx.out.null(),
                }
            }
        }
        Some(dst) => {
            let mut l = List::new(ctx.store.config.list_max_listpack_size);
            for r in &rows {
                l.push_back(r.as_deref().unwrap_or(b""));
            }
            let n = rows.len();
            let event = (NOTIFY_LIST, "sortstore", n as u64);
            super::store_result(ctx, dst, Value::List(Box::new(l)), n, event);
        }
    }
    Ok(())
}

pub fn sort(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, false)
}

pub fn sort_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, true)
}

/// `sortGetKeys`: the sorted key, and STORE's destination.
fn sort_getkeys(argv: &[Bytes]) -> Vec<(usize, &'static [&'static str])> {
    let mut keys: Vec<(usize, &'static [&'static str])> = vec![(1, &["RO", "access"])];
    let mut j = 2;
    while j < argv.len() {
        let a = &argv[j];
        if a.eq_ignore_ascii_case(b"limit") {
            j += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            j += 1;
        } else if a.eq_ignore_ascii_case(b"store") && j + 1 < argv.len() {
            keys.push((j + 1, &["OW", "update"]));
            j += 1;
        }
        j += 1;
    }
    keys
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    #[test]
    fn sort_commands_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["rpush", "l", "3", "1", "2"][..], ":3\r\n"),
            (&["sort", "l"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
            (
                &["sort", "l", "desc", "limit", "0", "2"],
                "*2\r\n$1\r\n3\r\n$1\r\n2\r\n",
            ),
            (&["mset", "w_1", "30", "w_2", "20", "w_3", "10"], "+OK\r\n"),
            (
                &["sort", "l", "by", "w_*", "get", "#", "get", "w_*"],
                "*6\r\n$1\r\n3\r\n$2\r\n10\r\n$1\r\n2\r\n$2\r\n20\r\n$1\r\n1\r\n$2\r\n30\r\n",
            ),
            (
                &["sort", "l", "by", "nosort"],
                "*3\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n",
            ),
            (&["sort", "l", "store", "dst"], ":3\r\n"),
            (
                &["lrange", "dst", "0", "-1"],
                "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
            ),
            (&["sort_ro", "l", "store", "dst"], "-ERR syntax error\r\n"),
            (&["rpush", "a", "x"], ":1\r\n"),
            (
                &["sort", "a"],
                "-ERR One or more scores can't be converted into double\r\n",
            ),
            (&["sort", "a", "alpha"], "*1\r\n$1\r\nx\r\n"),
            (
                &["command", "getkeys", "sort", "a", "get", "x", "store", "d"],
                "*2\r\n$1\r\na\r\n$1\r\nd\r\n",
            ),
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
        name: "sort",
        arity: -2,
        flags: WRITE | DENYOOM | MOVABLE_KEYS,
        acl: &["write", "set", "sortedset", "list", "slow", "dangerous"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", flags: &["RO", "access"], begin: Begin::Unknown, find: Find::Unknown }, KeySpec { notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array", flags: &["OW", "update"], begin: Begin::Unknown, find: Find::Unknown }],
        tips: &[],
        handler: sort,
        getkeys: Some(sort_getkeys),
        doc: Doc { summary: "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", since: "1.0.0", group: "generic", complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "by-pattern", kind: "pattern", display: Some("pattern"), key_spec: 1, token: Some("BY"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "get-pattern", kind: "pattern", display: Some("pattern"), key_spec: 1, token: Some("GET"), flags: ARG_OPTIONAL | ARG_MULTIPLE | ARG_MULTIPLE_TOKEN, ..Arg::DEFAULT },
                Arg { name: "order", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "asc", kind: "pure-token", display: Some("asc"), token: Some("ASC"), ..Arg::DEFAULT },
                    Arg { name: "desc", kind: "pure-token", display: Some("desc"), token: Some("DESC"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "sorting", kind: "pure-token", display: Some("sorting"), token: Some("ALPHA"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "destination", kind: "key", display: Some("destination"), key_spec: 2, token: Some("STORE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "sort_ro",
        arity: -2,
        flags: READONLY | MOVABLE_KEYS,
        acl: &["read", "set", "sortedset", "list", "slow", "dangerous"],
        legacy_keys: (1, 1, 1),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }, KeySpec { notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", flags: &["RO", "access"], begin: Begin::Unknown, find: Find::Unknown }],
        tips: &[],
        handler: sort_ro,
        doc: Doc { summary: "Returns the sorted elements of a list, a set, or a sorted set.", since: "7.0.0", group: "generic", complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).", args: &[
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                Arg { name: "by-pattern", kind: "pattern", display: Some("pattern"), key_spec: 1, token: Some("BY"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                Arg { name: "limit", kind: "block", token: Some("LIMIT"), flags: ARG_OPTIONAL, args: &[
                    Arg { name: "offset", kind: "integer", display: Some("offset"), ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "get-pattern", kind: "pattern", display: Some("pattern"), key_spec: 1, token: Some("GET"), flags: ARG_OPTIONAL | ARG_MULTIPLE | ARG_MULTIPLE_TOKEN, ..Arg::DEFAULT },
                Arg { name: "order", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "asc", kind: "pure-token", display: Some("asc"), token: Some("ASC"), ..Arg::DEFAULT },
                    Arg { name: "desc", kind: "pure-token", display: Some("desc"), token: Some("DESC"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
                Arg { name: "sorting", kind: "pure-token", display: Some("sorting"), token: Some("ALPHA"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
