//! Stream commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XDELEX, XTRIM, XREAD, XREADGROUP,
//! XACK, XACKDEL, XPENDING, XCLAIM, XAUTOCLAIM, XGROUP, XINFO, XSETID.
//!
//! Semantics follow the newest documented Redis (7.2+ consumer bookkeeping, 7.4 `XREAD +`,
//! 8.2 reference policies with XDELEX and XACKDEL, 8.4 XREADGROUP CLAIM).
//! The handlers parse, call the stream's and the group's operations (`types::stream`, where
//! the PEL and consumer rules live) and render; they never edit a PEL themselves.
//!
//! | file          | commands                                         |
//! |---------------|--------------------------------------------------|
//! | `entries.rs`  | XADD, XLEN, XRANGE, XREVRANGE, XDEL, XDELEX, XTRIM |
//! | `read.rs`     | XREAD, XREADGROUP (and their blocking)           |
//! | `groups.rs`   | XGROUP, XACK, XACKDEL, XPENDING, XCLAIM, XAUTOCLAIM |
//! | `info.rs`     | XINFO, XSETID                                    |
//! | `effects.rs`  | what stream commands propagate                   |
//!
//! Every mutation records its deterministic effect: XADD with the explicit ID and an exact
//! trim, deliveries as `XCLAIM ... TIME ... RETRYCOUNT ... FORCE JUSTID LASTID` plus
//! `XGROUP SETID ... ENTRIESREAD`, so the AOF replays without reading a clock.

mod effects;
mod entries;
mod groups;
mod info;
#[cfg(test)]
mod model_tests;
mod policy;
mod read;

pub(crate) use policy::{
    run_due as run_policy_timers, snapshot_commands as policy_snapshot_commands,
};

use entries::{xadd, xdel, xdelex, xlen, xrange, xrevrange, xtrim};
use groups::{
    xack, xackdel, xautoclaim, xclaim, xgroup_create, xgroup_createconsumer, xgroup_delconsumer,
    xgroup_destroy, xgroup_help, xgroup_setid, xnack, xpending,
};
use info::{xcfgset, xidmprecord, xinfo_consumers, xinfo_groups, xinfo_help, xinfo_stream, xsetid};
use read::{xread, xreadgroup};

use super::{eq_ic, Ctx};
use crate::error::{CmdError, CmdResult};
use crate::types::stream::{Entry, RefPolicy, Stream, StreamId};
use bytes::Bytes;
use resp::ReplyWriter;

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

fn write_entry(out: &mut ReplyWriter, e: &Entry) {
    out.array(2);
    write_id(out, e.id);
    write_fields(out, e);
}

fn write_fields(out: &mut ReplyWriter, e: &Entry) {
    out.array(e.fields.len() * 2);
    for (f, v) in &e.fields {
        out.bulk(f);
        out.bulk(v);
    }
}

fn write_entries(out: &mut ReplyWriter, es: &[Entry]) {
    out.array(es.len());
    for e in es {
        write_entry(out, e);
    }
}

fn write_id(out: &mut ReplyWriter, id: StreamId) {
    out.bulk(id.text().as_bytes());
}

/// `-NOGROUP` as XACK-like commands word it.
fn nogroup(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Raw(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// `-NOGROUP` as XGROUP and XINFO word it.
fn nogroup_for_key(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Raw(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        String::from_utf8_lossy(group),
        String::from_utf8_lossy(key)
    ))
}

fn id_bytes(id: StreamId) -> Bytes {
    id.to_bytes()
}

/// `KEEPREF` | `DELREF` | `ACKED`, if `b` is one of them.
fn ref_policy(b: &[u8]) -> Option<RefPolicy> {
    if eq_ic(b, "keepref") {
        Some(RefPolicy::KeepRef)
    } else if eq_ic(b, "delref") {
        Some(RefPolicy::DelRef)
    } else if eq_ic(b, "acked") {
        Some(RefPolicy::Acked)
    } else {
        None
    }
}

/// XDELEX and XACKDEL's arguments after their fixed ones: `[KEEPREF|DELREF|ACKED]` and
/// `IDS numids id...`, in any order, each once.
fn parse_ids_block(argv: &[Bytes], from: usize) -> CmdResult<(RefPolicy, Vec<StreamId>)> {
    let mut policy = None;
    let mut ids: Option<Vec<StreamId>> = None;
    let mut i = from;
    while i < argv.len() {
        let a = &argv[i];
        if ids.is_none() && i + 1 < argv.len() && eq_ic(a, "ids") {
            let (got, next) = read_ids_block(
                argv,
                i,
                "Number of IDs must be a positive integer",
                "The `numids` parameter must match the number of arguments",
            )?;
            ids = Some(got);
            i = next;
        } else if let Some(p) = ref_policy(a).filter(|_| policy.is_none()) {
            policy = Some(p);
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let ids = ids.ok_or(CmdError::Syntax)?;
    Ok((policy.unwrap_or_default(), ids))
}

/// The `IDS numids id...` block whose `IDS` is at `i` (a count follows it): the IDs, parsed
/// strictly, and the index after them. `bad_count` for a count that is not a positive
/// integer, `short` for fewer IDs than it says: each command words them.
fn read_ids_block(
    argv: &[Bytes],
    i: usize,
    bad_count: &str,
    short: &str,
) -> CmdResult<(Vec<StreamId>, usize)> {
    let n = crate::util::parse_i64(&argv[i + 1])
        .filter(|n| *n > 0)
        .ok_or_else(|| CmdError::err(bad_count))? as usize;
    let at = i + 2;
    if n > argv.len() - at {
        return Err(CmdError::err(short));
    }
    let ids = argv[at..at + n]
        .iter()
        .map(|b| parse_strict_id(b))
        .collect::<CmdResult<_>>()?;
    Ok((ids, at + n))
}

/// Replies one code per ID (XDELEX, XACKDEL).
fn write_codes(out: &mut ReplyWriter, codes: &[i64]) {
    out.array(codes.len());
    for c in codes {
        out.int(*c);
    }
}

/// The effects of dropped group references: one `XACK key group id...` per group, in the
/// order the groups first appear.
fn xack_effects(key: &Bytes, dropped: &[(Bytes, StreamId)]) -> Vec<Vec<Bytes>> {
    let mut by_group: Vec<(Bytes, Vec<Bytes>)> = Vec::new();
    for (g, id) in dropped {
        match by_group.iter_mut().find(|(name, _)| name == g) {
            Some((_, ids)) => ids.push(id_bytes(*id)),
            None => by_group.push((g.clone(), vec![id_bytes(*id)])),
        }
    }
    by_group
        .into_iter()
        .map(|(g, ids)| {
            let mut e = vec![Bytes::from_static(b"XACK"), key.clone(), g];
            e.extend(ids);
            e
        })
        .collect()
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
    pub static SLUICE_POLICY_SUBS: &[Command] = &[
        Command {
            name: "retention",
            arity: -4,
            flags: WRITE | DENYOOM,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: policy::policy_retention,
            doc: Doc { summary: "Sets a stream's retention by age and size (sluice).", since: "1.0.0", group: "stream", complexity: "O(1) to set; trimming O(N) in the entries removed, bounded per step.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "maxage", kind: "integer", display: Some("ms"), token: Some("MAXAGE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxbytes", kind: "integer", display: Some("bytes"), token: Some("MAXBYTES"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "refs", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "keepref", kind: "pure-token", display: Some("keepref"), token: Some("KEEPREF"), ..Arg::DEFAULT },
                        Arg { name: "delref", kind: "pure-token", display: Some("delref"), token: Some("DELREF"), ..Arg::DEFAULT },
                        Arg { name: "acked", kind: "pure-token", display: Some("acked"), token: Some("ACKED"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "mkstream", kind: "pure-token", display: Some("mkstream"), token: Some("MKSTREAM"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "off", kind: "pure-token", display: Some("off"), token: Some("OFF"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "deadletter",
            arity: -5,
            flags: WRITE | DENYOOM,
            acl: &["write", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[
                KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } },
                KeySpec { notes: "The dead-letter target, written by later deliveries.", flags: &["OW", "insert"], begin: Begin::Keyword("TO", -2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } },
            ],
            tips: &[],
            handler: policy::policy_deadletter,
            doc: Doc { summary: "Sets a consumer group's dead-letter rule (sluice).", since: "1.0.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "rule", kind: "oneof", args: &[
                        Arg { name: "set", kind: "block", args: &[
                            Arg { name: "maxdeliveries", kind: "integer", display: Some("n"), token: Some("MAXDELIVERIES"), ..Arg::DEFAULT },
                            Arg { name: "target", kind: "key", display: Some("target"), token: Some("TO"), key_spec: 1, ..Arg::DEFAULT },
                        ], ..Arg::DEFAULT },
                        Arg { name: "off", kind: "pure-token", display: Some("off"), token: Some("OFF"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "info",
            arity: 3,
            flags: READONLY,
            acl: &["read", "stream", "slow"],
            legacy_keys: (2, 2, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(2), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: policy::policy_info,
            doc: Doc { summary: "Shows a stream's policies, delayed entries and counters (sluice).", since: "1.0.0", group: "stream", complexity: "O(G) in the groups.", args: &[
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
            handler: policy::policy_help,
            doc: Doc { summary: "Returns helpful text about the SLUICE.POLICY subcommands.", since: "1.0.0", group: "stream", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

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
            doc: Doc { summary: "Returns information about a stream.", since: "5.0.0", group: "stream", complexity: "O(1)", history: &[("6.0.0", "Added the `FULL` modifier."), ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"), ("7.2.0", "Added the `active-time` field, and changed the meaning of `seen-time`."), ("8.6.0", "Added the `idmp-duration`, `idmp-maxsize`, `pids-tracked`, `iids-tracked`, `iids-added` and `iids-duplicates` fields for IDMP tracking.")], args: &[
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
            doc: Doc { summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", since: "5.0.0", group: "stream", complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.", history: &[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."), ("7.0.0", "Added support for the `<ms>-*` explicit ID form."), ("8.2.0", "Added the `KEEPREF`, `DELREF` and `ACKED` options."), ("8.6.0", "Added the `IDMPAUTO` and `IDMP` options.")], args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "nomkstream", kind: "pure-token", display: Some("nomkstream"), token: Some("NOMKSTREAM"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("8.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "keepref", kind: "pure-token", display: Some("keepref"), token: Some("KEEPREF"), ..Arg::DEFAULT },
                        Arg { name: "delref", kind: "pure-token", display: Some("delref"), token: Some("DELREF"), ..Arg::DEFAULT },
                        Arg { name: "acked", kind: "pure-token", display: Some("acked"), token: Some("ACKED"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "idmp", kind: "oneof", since: Some("8.6.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "idmpauto-with-pid", kind: "block", args: &[
                            Arg { name: "idmpauto-token", kind: "pure-token", display: Some("idmpauto-token"), token: Some("IDMPAUTO"), ..Arg::DEFAULT },
                            Arg { name: "pid", kind: "string", display: Some("producer-id"), ..Arg::DEFAULT },
                        ], ..Arg::DEFAULT },
                        Arg { name: "idmp-with-pid-iid", kind: "block", args: &[
                            Arg { name: "idmp-token", kind: "pure-token", display: Some("idmp-token"), token: Some("IDMP"), ..Arg::DEFAULT },
                            Arg { name: "pid", kind: "string", display: Some("producer-id"), ..Arg::DEFAULT },
                            Arg { name: "iid", kind: "string", display: Some("idempotent-id"), ..Arg::DEFAULT },
                        ], ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
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
            name: "xdelex",
            arity: -5,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xdelex,
            doc: Doc { summary: "Deletes one or multiple entries from the stream.", since: "8.2.0", group: "stream", complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("8.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "keepref", kind: "pure-token", display: Some("keepref"), token: Some("KEEPREF"), ..Arg::DEFAULT },
                        Arg { name: "delref", kind: "pure-token", display: Some("delref"), token: Some("DELREF"), ..Arg::DEFAULT },
                        Arg { name: "acked", kind: "pure-token", display: Some("acked"), token: Some("ACKED"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "ids", kind: "block", token: Some("IDS"), args: &[
                        Arg { name: "numids", kind: "integer", display: Some("numids"), ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xackdel",
            arity: -6,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xackdel,
            doc: Doc { summary: "Acknowledges and conditionally deletes one or multiple entries for a stream consumer group.", since: "8.2.0", group: "stream", complexity: "O(1) for each entry ID processed.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "condition", kind: "oneof", since: Some("8.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "keepref", kind: "pure-token", display: Some("keepref"), token: Some("KEEPREF"), ..Arg::DEFAULT },
                        Arg { name: "delref", kind: "pure-token", display: Some("delref"), token: Some("DELREF"), ..Arg::DEFAULT },
                        Arg { name: "acked", kind: "pure-token", display: Some("acked"), token: Some("ACKED"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "ids", kind: "block", token: Some("IDS"), args: &[
                        Arg { name: "numids", kind: "integer", display: Some("numids"), ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xcfgset",
            arity: -2,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xcfgset,
            doc: Doc { summary: "Sets the idempotent message processing settings of a stream.", since: "8.6.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "duration", kind: "integer", display: Some("duration"), token: Some("IDMP-DURATION"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxsize", kind: "integer", display: Some("maxsize"), token: Some("IDMP-MAXSIZE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "xidmprecord",
            arity: 5,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xidmprecord,
            doc: Doc { summary: "Records which entry a producer's idempotent ID added (AOF rewrite).", since: "8.6.0", group: "stream", complexity: "O(1)", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "pid", kind: "string", display: Some("producer-id"), ..Arg::DEFAULT },
                    Arg { name: "iid", kind: "string", display: Some("idempotent-id"), ..Arg::DEFAULT },
                    Arg { name: "id", kind: "string", display: Some("id"), ..Arg::DEFAULT },
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
            doc: Doc { summary: "Deletes messages from the beginning of a stream.", since: "5.0.0", group: "stream", complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.", history: &[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."), ("8.2.0", "Added the `KEEPREF`, `DELREF` and `ACKED` options.")], args: &[
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
                    Arg { name: "condition", kind: "oneof", since: Some("8.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "keepref", kind: "pure-token", display: Some("keepref"), token: Some("KEEPREF"), ..Arg::DEFAULT },
                        Arg { name: "delref", kind: "pure-token", display: Some("delref"), token: Some("DELREF"), ..Arg::DEFAULT },
                        Arg { name: "acked", kind: "pure-token", display: Some("acked"), token: Some("ACKED"), ..Arg::DEFAULT },
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
            doc: Doc { summary: "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", since: "5.0.0", group: "stream", complexity: "", history: &[("8.10.0", "Added the `MAXCOUNT` and `MAXSIZE` options.")], args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxcount", kind: "integer", display: Some("maxcount"), token: Some("MAXCOUNT"), since: Some("8.10.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxsize", kind: "integer", display: Some("maxsize"), token: Some("MAXSIZE"), since: Some("8.10.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
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
            doc: Doc { summary: "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", since: "5.0.0", group: "stream", complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.", history: &[("8.4.0", "Added the `CLAIM` option."), ("8.10.0", "Added the `MAXCOUNT` and `MAXSIZE` options.")], args: &[
                    Arg { name: "group-block", kind: "block", token: Some("GROUP"), args: &[
                        Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                        Arg { name: "consumer", kind: "string", display: Some("consumer"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("COUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxcount", kind: "integer", display: Some("maxcount"), token: Some("MAXCOUNT"), since: Some("8.10.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "maxsize", kind: "integer", display: Some("maxsize"), token: Some("MAXSIZE"), since: Some("8.10.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "milliseconds", kind: "integer", display: Some("milliseconds"), token: Some("BLOCK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "noack", kind: "pure-token", display: Some("noack"), token: Some("NOACK"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "min-idle-time", kind: "integer", display: Some("min-idle-time"), token: Some("CLAIM"), since: Some("8.4.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
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
            name: "xnack",
            arity: -7,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "update"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: xnack,
            doc: Doc { summary: "Releases pending messages back to the group's PEL without acknowledging them, making them available for re-delivery.", since: "8.8.0", group: "stream", complexity: "O(1) for each message ID processed.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "group", kind: "string", display: Some("group"), ..Arg::DEFAULT },
                    Arg { name: "mode", kind: "oneof", args: &[
                        Arg { name: "silent", kind: "pure-token", display: Some("silent"), token: Some("SILENT"), ..Arg::DEFAULT },
                        Arg { name: "fail", kind: "pure-token", display: Some("fail"), token: Some("FAIL"), ..Arg::DEFAULT },
                        Arg { name: "fatal", kind: "pure-token", display: Some("fatal"), token: Some("FATAL"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "ids", kind: "block", token: Some("IDS"), args: &[
                        Arg { name: "numids", kind: "integer", display: Some("numids"), ..Arg::DEFAULT },
                        Arg { name: "id", kind: "string", display: Some("id"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "count", kind: "integer", display: Some("count"), token: Some("RETRYCOUNT"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "force", kind: "pure-token", display: Some("force"), token: Some("FORCE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
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
            name: "sluice.policy",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for sluice's stream policies: retention and dead letters.", since: "1.0.0", group: "stream", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: SLUICE_POLICY_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "sluice.delay",
            arity: -6,
            flags: WRITE | DENYOOM,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "insert"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &["nondeterministic_output"],
            handler: policy::delay,
            doc: Doc { summary: "Holds an entry aside and appends it to the stream when due (sluice).", since: "1.0.0", group: "stream", complexity: "O(log N) in the delayed entries.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "when", kind: "oneof", args: &[
                        Arg { name: "delay", kind: "integer", display: Some("ms"), token: Some("DELAY"), ..Arg::DEFAULT },
                        Arg { name: "at", kind: "unix-time", display: Some("unix-time-milliseconds"), token: Some("AT"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "data", kind: "block", flags: ARG_MULTIPLE, args: &[
                        Arg { name: "field", kind: "string", display: Some("field"), ..Arg::DEFAULT },
                        Arg { name: "value", kind: "string", display: Some("value"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "sluice.undelay",
            arity: -3,
            flags: WRITE | FAST,
            acl: &["write", "stream", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RW", "delete"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: policy::undelay,
            doc: Doc { summary: "Cancels delayed entries by their handles (sluice).", since: "1.0.0", group: "stream", complexity: "O(log N) for each handle.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, ..Arg::DEFAULT },
                    Arg { name: "handle", kind: "string", display: Some("handle"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
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
