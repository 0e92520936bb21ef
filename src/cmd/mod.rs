//! The command table and the dispatcher.
//!
//! One table ([`COMMANDS`]) is declarative data: name, arity, flags, key positions, handler,
//! documentation. It drives dispatch, the central arity/auth/MULTI/pub-sub-context checks, and
//! COMMAND COUNT/INFO/DOCS/LIST/GETKEYS — so what COMMAND reports is what dispatches.
//!
//! A handler parses its arguments and executes against the store through [`Ctx`], writing its
//! reply to `ctx.out`; it returns a [`CmdError`] for Redis's error replies (rendered in one
//! place, [`write_error`]). A blocking command that finds nothing sets `ctx.block`.
//!
//! Propagation: after a handler, if the dataset changed (`store.dirty` moved) the command's
//! effect goes to the AOF buffer — the argv as given, or what the handler put in
//! `ctx.effects` when the request is not deterministic (XADD `*`, BRPOP, SET EX, ...).

pub mod connection;
pub mod keys;
pub mod lists;
pub mod pubsub;
pub mod server;
pub mod streams;
#[cfg(test)]
mod streams_model;
pub mod strings;
pub mod testing;

use crate::blocking::{BlockRequest, BlockedType, StreamWait, TimeoutReply, Waiter};
use crate::client::Client;
use crate::error::{CmdError, CmdResult};
use crate::mailbox::Mail;
use crate::store::Store;
use bytes::Bytes;
use resp::ReplyWriter;
use std::time::Instant;

pub const WRITE: u32 = 1 << 0;
pub const READONLY: u32 = 1 << 1;
pub const DENYOOM: u32 = 1 << 2;
pub const ADMIN: u32 = 1 << 3;
pub const PUBSUB: u32 = 1 << 4;
pub const NOSCRIPT: u32 = 1 << 5;
pub const BLOCKING: u32 = 1 << 6;
pub const LOADING: u32 = 1 << 7;
pub const STALE: u32 = 1 << 8;
pub const FAST: u32 = 1 << 9;
pub const NO_AUTH: u32 = 1 << 10;
pub const NO_MULTI: u32 = 1 << 11;
pub const ALLOW_BUSY: u32 = 1 << 12;
pub const MOVABLE_KEYS: u32 = 1 << 13;
pub const SKIP_SLOWLOG: u32 = 1 << 14;

const FLAG_NAMES: &[(u32, &str)] = &[
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (SKIP_SLOWLOG, "skip_slowlog"),
    (FAST, "fast"),
    (NO_AUTH, "no_auth"),
    (NO_MULTI, "no_multi"),
    (ALLOW_BUSY, "allow_busy"),
    (MOVABLE_KEYS, "movablekeys"),
];

pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

/// One row of the command table.
pub struct Command {
    pub name: &'static str,
    /// Redis arity: N exact, -N at least N (the command name counts).
    pub arity: i32,
    pub flags: u32,
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub handler: Handler,
    pub group: &'static str,
    pub since: &'static str,
    pub summary: &'static str,
    /// Argument synopsis (`key value [NX|XX]`), turned into COMMAND DOCS arguments.
    pub args: &'static str,
    pub subcommands: &'static [Command],
}

/// Execution context of one command.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub client: &'a mut Client,
    pub out: &'a mut ReplyWriter,
    /// Unix ms when the command started (Redis's `commandTimeSnapshot`).
    pub now: i64,
    /// Set by a blocking command that must wait.
    pub block: Option<BlockRequest>,
    /// True inside MULTI/EXEC and when re-running a blocked command: never block.
    pub no_block: bool,
    /// Effects to propagate instead of the argv (empty: the argv itself).
    pub effects: Vec<Vec<Bytes>>,
    /// The handler asked that nothing be propagated even though `dirty` moved.
    pub no_propagate: bool,
}

impl Ctx<'_> {
    pub fn db(&self) -> usize {
        self.client.db
    }

    /// Record an explicit effect (replaces propagating the argv).
    pub fn also_propagate(&mut self, argv: Vec<Bytes>) {
        self.effects.push(argv);
    }

    pub fn is_resp3(&self) -> bool {
        self.out.is_resp3()
    }
}

/// Looks up a command by name, case-insensitively. The last command found is remembered per
/// thread: a pipeline usually repeats one command, and comparing is cheaper than hashing.
pub fn lookup(name: &[u8]) -> Option<&'static Command> {
    thread_local! {
        static LAST: std::cell::Cell<Option<&'static Command>> = const { std::cell::Cell::new(None) };
    }
    if let Some(c) = LAST.get() {
        if c.name.as_bytes().eq_ignore_ascii_case(name) {
            return Some(c);
        }
    }
    let found = lookup_table(name);
    if found.is_some() {
        LAST.set(found);
    }
    found
}

fn lookup_table(name: &[u8]) -> Option<&'static Command> {
    let table = table();
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    for (i, c) in name.iter().enumerate() {
        buf[i] = c.to_ascii_lowercase();
    }
    let lower = &buf[..name.len()];
    table.get(lower).copied()
}

fn table() -> &'static hashbrown::HashMap<&'static [u8], &'static Command> {
    use std::sync::OnceLock;
    static T: OnceLock<hashbrown::HashMap<&'static [u8], &'static Command>> = OnceLock::new();
    T.get_or_init(|| COMMANDS.iter().map(|c| (c.name.as_bytes(), c)).collect())
}

pub(crate) fn find_sub(cmd: &'static Command, sub: &[u8]) -> Option<&'static Command> {
    let s = String::from_utf8_lossy(sub).to_ascii_lowercase();
    cmd.subcommands.iter().find(|c| c.name == s)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes an error reply and counts it (INFO errorstats).
pub fn write_error(store: &mut Store, out: &mut ReplyWriter, e: &CmdError) {
    let text = e.text();
    let code = text.split(' ').next().unwrap_or("ERR").to_string();
    *store.stats.errors.entry(code).or_default() += 1;
    store.stats.total_error_replies += 1;
    out.error(&text);
}

/// Resolves argv to a command (and subcommand), checking existence and arity. Returns the
/// command and its full name (`config|get`).
/// `parent|sub` for a subcommand row, built once (commands are resolved per request, so the
/// full name must not cost an allocation).
fn sub_full_name(parent: &'static Command, sub: &'static Command) -> &'static str {
    use std::sync::OnceLock;
    static NAMES: OnceLock<hashbrown::HashMap<usize, &'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut m = hashbrown::HashMap::new();
        for c in COMMANDS {
            for s in c.subcommands {
                let full: &'static str =
                    Box::leak(format!("{}|{}", c.name, s.name).into_boxed_str());
                m.insert(s as *const Command as usize, full);
            }
        }
        m
    });
    names
        .get(&(sub as *const Command as usize))
        .copied()
        .unwrap_or(parent.name)
}

pub fn resolve(argv: &[Bytes]) -> Result<(&'static Command, &'static str), CmdError> {
    let Some(cmd) = lookup(&argv[0]) else {
        return Err(CmdError::UnknownCommand {
            name: lossy(&argv[0]),
            args: argv[1..].iter().map(|a| lossy(a)).collect(),
        });
    };
    if !cmd.subcommands.is_empty() {
        if argv.len() < 2 {
            // A container that also works bare (COMMAND) runs its own handler.
            if arity_ok(cmd.arity, argv.len()) {
                return Ok((cmd, cmd.name));
            }
            return Err(CmdError::WrongArity(cmd.name.to_string()));
        }
        let Some(sub) = find_sub(cmd, &argv[1]) else {
            return Err(CmdError::UnknownSubcommand {
                sub: lossy(&argv[1]),
                cmd: cmd.name.to_string(),
            });
        };
        let full = sub_full_name(cmd, sub);
        if !arity_ok(sub.arity, argv.len()) {
            return Err(CmdError::WrongArity(full.to_string()));
        }
        return Ok((sub, full));
    }
    if !arity_ok(cmd.arity, argv.len()) {
        return Err(CmdError::WrongArity(cmd.name.to_string()));
    }
    Ok((cmd, cmd.name))
}

pub(crate) fn arity_ok(arity: i32, argc: usize) -> bool {
    (arity > 0 && argc as i32 == arity) || (arity < 0 && argc as i32 >= -arity)
}

/// Result of processing one request.
pub enum Outcome {
    Done,
    Blocked(BlockRequest),
}

/// Commands a RESP2 client in subscribed state may run.
fn allowed_in_pubsub(name: &str) -> bool {
    matches!(
        name,
        "subscribe"
            | "unsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "ssubscribe"
            | "sunsubscribe"
            | "ping"
            | "quit"
            | "reset"
    )
}

/// `processCommand`: the central checks, MULTI queueing, then [`call`].
pub fn process(
    store: &mut Store,
    client: &mut Client,
    argv: Vec<Bytes>,
    out: &mut ReplyWriter,
) -> Outcome {
    let resolved = resolve(&argv);
    let (cmd, full) = match resolved {
        Ok(x) => x,
        Err(e) => {
            if client.multi.is_some() {
                client.multi_error = true;
            }
            if let CmdError::WrongArity(_) = &e {
                if let Some(c) = lookup(&argv[0]) {
                    let name = argv
                        .get(1)
                        .and_then(|s| find_sub(c, s))
                        .map(|s| sub_full_name(c, s))
                        .unwrap_or(c.name);
                    store.stats.commands.entry(name).or_default().rejected += 1;
                }
            }
            write_error(store, out, &e);
            return Outcome::Done;
        }
    };
    let reject = |store: &mut Store, client: &mut Client, out: &mut ReplyWriter, e: CmdError| {
        if client.multi.is_some() {
            client.multi_error = true;
        }
        store.stats.commands.entry(full).or_default().rejected += 1;
        write_error(store, out, &e);
        Outcome::Done
    };
    if !client.authenticated && cmd.flags & NO_AUTH == 0 && store.config.requirepass.is_some() {
        return reject(store, client, out, CmdError::NoAuth);
    }
    // maxmemory: evict first (evict.rs); if memory is still over the limit with nothing left
    // to evict, refuse what may grow it. In MULTI, queueing itself grows memory, so only
    // EXEC, DISCARD, QUIT and RESET get through; EXEC is refused if it queued such a command.
    if store.config.maxmemory > 0 && !store.replaying {
        let out_of_memory = crate::evict::perform_evictions(store) == crate::evict::Evict::Fail;
        if out_of_memory {
            let deny = cmd.flags & DENYOOM != 0
                || match (&client.multi, cmd.name) {
                    (Some(q), "exec") => q
                        .iter()
                        .any(|argv| resolve(argv).is_ok_and(|(c, _)| c.flags & DENYOOM != 0)),
                    (Some(_), name) => !matches!(name, "discard" | "quit" | "reset"),
                    (None, _) => false,
                };
            if deny {
                let e =
                    CmdError::Raw("OOM command not allowed when used memory > 'maxmemory'.".into());
                return reject(store, client, out, e);
            }
        }
    }
    if cmd.flags & WRITE != 0 && !store.aof.last_write_ok && store.aof.enabled {
        let e = CmdError::Raw(format!(
            "MISCONF Errors writing to the AOF file: {}",
            store.aof.last_write_error.clone().unwrap_or_default()
        ));
        return reject(store, client, out, e);
    }
    if client.resp == 2 && client.subscribed_count > 0 && !allowed_in_pubsub(cmd.name) {
        let e = CmdError::err(format!(
            "Can't execute '{full}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        ));
        return reject(store, client, out, e);
    }
    if store.loading && !store.replaying && cmd.flags & LOADING == 0 {
        return reject(
            store,
            client,
            out,
            CmdError::Raw("LOADING Redis is loading the dataset in memory".into()),
        );
    }
    if client.multi.is_some()
        && !matches!(
            cmd.name,
            "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
        )
    {
        if cmd.flags & NO_MULTI != 0 {
            let e = CmdError::err("Command not allowed inside a transaction");
            return reject(store, client, out, e);
        }
        client.multi.as_mut().unwrap().push(argv);
        out.simple("QUEUED");
        return Outcome::Done;
    }
    call(store, client, cmd, full, &argv, out, false)
}

/// `call`: runs a resolved command, times it, and propagates its effect.
pub fn call(
    store: &mut Store,
    client: &mut Client,
    cmd: &'static Command,
    full: &'static str,
    argv: &[Bytes],
    out: &mut ReplyWriter,
    no_block: bool,
) -> Outcome {
    let started = store.clock_last;
    let now = store.unix_ms_at(started);
    store.cmd_time_ms = now;
    let dirty_before = store.ks.dirty();
    let db_before = client.db;
    let mut ctx = Ctx {
        store,
        client,
        out,
        now,
        block: None,
        no_block,
        effects: Vec::new(),
        no_propagate: false,
    };
    // CLIENT NO-TOUCH: this client's commands leave access times alone, except TOUCH itself.
    ctx.store.no_touch = ctx.client.no_touch && cmd.name != "touch";
    let res = (cmd.handler)(&mut ctx, argv);
    ctx.store.no_touch = false;
    let Ctx {
        block,
        effects,
        no_propagate,
        ..
    } = ctx;
    let failed = res.is_err();
    if let Err(e) = &res {
        write_error(store, out, e);
    }
    client.last_cmd = full;
    let ended = Instant::now();
    store.clock_last = ended;
    let st = store.stats.commands.entry(full).or_default();
    st.usec += ended.saturating_duration_since(started).as_micros() as u64;
    // A command that leaves its client blocked is counted when it finishes: served by a
    // re-run (counted here then), timed out or unblocked (`Stats::finished`). As Redis 7.2+
    // (7.0 counts the blocking attempt in commandstats instead, and a served list pop not at
    // all in total_commands_processed).
    if block.is_none() {
        st.calls += 1;
        if failed {
            st.failed += 1;
        }
        store.stats.total_commands_processed += 1;
    }
    let logging = store.aof.enabled && !store.replaying;
    if logging && store.ks.dirty() != dirty_before && !no_propagate {
        if effects.is_empty() {
            store.propagate(db_before, argv.to_vec());
        } else {
            for e in effects {
                store.propagate(db_before, e);
            }
        }
    } else if logging && !effects.is_empty() && !no_propagate {
        // Effects recorded without a dataset change (e.g. XREADGROUP advancing a group).
        for e in effects {
            store.propagate(db_before, e);
        }
    }
    match block {
        Some(b) => Outcome::Blocked(b),
        None => Outcome::Done,
    }
}

/// Registers a blocked client. The request's command and keys move into the registry; the
/// connection keeps only what its own wait needs (deadline, timeout reply).
pub fn block_client(store: &mut Store, client: &Client, req: &mut BlockRequest) {
    store.blocking.block(Waiter {
        id: client.id,
        db: client.db,
        btype: req.btype,
        argv: std::mem::take(&mut req.argv),
        keys: std::mem::take(&mut req.keys),
        resp: client.resp,
        name: client.name.clone(),
        shared: client.shared.clone(),
        deadline_ms: req.deadline_ms,
        on_timeout: req.on_timeout,
        stream: req.stream.take(),
    });
}

/// Counts in INFO commandstats a blocked command that ends without being served (timeout,
/// CLIENT UNBLOCK): see `call`.
pub fn count_unblocked(store: &mut Store, w: &Waiter, failed: bool) {
    if let Ok((_, full)) = resolve(&w.argv) {
        store.stats.finished(full, failed);
    }
}

/// Writes the reply a blocked command gives on timeout.
pub fn timeout_reply(out: &mut ReplyWriter, kind: TimeoutReply) {
    match kind {
        TimeoutReply::NullArray => out.null_array(),
        TimeoutReply::NullBulk => out.null(),
    }
}

/// Sends the replies [`serve_blocked`] produced, once the batch's effects are in the AOF:
/// `sync` is the offset an fsync must reach before they may leave (appendfsync always), as
/// Redis writes served clients' replies only after its AOF flush.
pub fn dispatch_served(store: &mut Store, sync: Option<u64>) {
    for (client, reply) in store.served.drain(..) {
        client.mailbox.send(Mail::Reply(reply, sync));
    }
}

/// Serves clients blocked on keys that became ready (`handleClientsBlockedOnKeys`). Re-runs
/// may make more keys ready (BLMOVE pushing to a watched list): loop until quiet. The
/// replies wait in `store.served` for [`dispatch_served`].
pub fn serve_blocked(store: &mut Store) {
    while store.blocking.has_ready() {
        for (db, key) in store.blocking.take_ready() {
            for id in store.blocking.waiting_on(db, &key) {
                let Some(w) = store.blocking.waiters.get(&id) else {
                    continue;
                };
                if w.db != db {
                    continue;
                }
                // Decided before anything is copied for a re-run (`handleClientsBlockedOnKey`).
                // A key that is gone (a list emptied by the waiter served before) or holds
                // another type than the waiter's cannot serve it: it keeps waiting, unless its
                // command fails then (XREADGROUP: its group went with the key). A stream read
                // that the write cannot serve (nothing after its ID, nothing its group has not
                // seen) keeps waiting too.
                let group_read = matches!(w.stream, Some(StreamWait::Group(_)));
                match store.peek(db, &key) {
                    Some(crate::db::Value::Stream(s)) if w.btype == BlockedType::Stream => {
                        let i = w.keys.iter().position(|k| *k == key).unwrap_or(0);
                        if matches!(&w.stream, Some(sw) if !sw.may_serve(i, s)) {
                            continue;
                        }
                    }
                    Some(v) if w.btype.matches(v) => {}
                    _ if group_read => {}
                    _ => continue,
                }
                let (resp, name, shared) = (w.resp, w.name.clone(), w.shared.clone());
                // Borrowed out of the waiter for the re-run rather than copied (a copy was a
                // refcount round trip per argument per re-run); put back if still waiting.
                let argv = match store.blocking.waiters.get_mut(&id) {
                    Some(w) => std::mem::take(&mut w.argv),
                    None => continue,
                };
                let Ok((cmd, full)) = resolve(&argv) else {
                    if let Some(w) = store.blocking.waiters.get_mut(&id) {
                        w.argv = argv;
                    }
                    continue;
                };
                let mut client = Client::for_reexec(shared, db, resp, name);
                // Small: a served reply is usually a few dozen bytes, and it travels as is.
                let mut out = ReplyWriter::with_capacity(
                    if resp == 3 {
                        resp::Protocol::Resp3
                    } else {
                        resp::Protocol::Resp2
                    },
                    128,
                );
                // Not `no_block`: a re-run that finds nothing sets `ctx.block` again, which
                // here means "still waiting" (its output is discarded).
                match call(store, &mut client, cmd, full, &argv, &mut out, false) {
                    Outcome::Blocked(_) => {
                        if let Some(w) = store.blocking.waiters.get_mut(&id) {
                            w.argv = argv;
                        }
                    }
                    Outcome::Done => {
                        store.blocking.unblock(id);
                        store.served.push((client.shared, out.take()));
                    }
                }
            }
        }
    }
}

/// Unblocks clients whose deadline passed (used by the server's timer as a safety net; the
/// connection normally times out its own wait).
pub fn expire_blocked(store: &mut Store, now: i64) {
    for id in store.blocking.expired(now) {
        if let Some(w) = store.blocking.unblock(id) {
            count_unblocked(store, &w, false);
            let mut out = ReplyWriter::new(if w.resp == 3 {
                resp::Protocol::Resp3
            } else {
                resp::Protocol::Resp2
            });
            timeout_reply(&mut out, w.on_timeout);
            w.shared.mailbox.send(Mail::Reply(out.take(), None));
        }
    }
}

// -------------------------------------------------------------------------------------------
// Argument helpers
// -------------------------------------------------------------------------------------------

pub fn parse_int(b: &[u8]) -> CmdResult<i64> {
    crate::util::parse_i64(b).ok_or(CmdError::NotInteger)
}

/// The unit of a blocking command's timeout argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TimeoutUnit {
    /// BLPOP and the other list pops: seconds, fractions allowed.
    Seconds,
    /// XREAD/XREADGROUP BLOCK, CLIENT PAUSE: whole milliseconds.
    Millis,
}

/// `getTimeoutFromObjectOrReply`: a timeout argument as an absolute deadline in unix ms
/// from `now`; `None` for 0, which waits forever. Redis's errors and their order.
pub fn parse_timeout(now: i64, arg: &[u8], unit: TimeoutUnit) -> CmdResult<Option<i64>> {
    let out_of_range = || CmdError::err("timeout is out of range");
    let ms = match unit {
        TimeoutUnit::Seconds => {
            let secs = crate::util::parse_f64(arg)
                .filter(|t| !t.is_nan())
                .ok_or_else(|| CmdError::err("timeout is not a float or out of range"))?;
            let ms = secs * 1000.0;
            if ms > i64::MAX as f64 {
                return Err(out_of_range());
            }
            // A saturating cast: -inf is simply negative.
            ms.ceil() as i64
        }
        TimeoutUnit::Millis => crate::util::parse_i64(arg)
            .ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?,
    };
    if ms < 0 {
        return Err(CmdError::err("timeout is negative"));
    }
    if ms == 0 {
        return Ok(None);
    }
    now.checked_add(ms).map(Some).ok_or_else(out_of_range)
}

pub fn eq_ic(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

// -------------------------------------------------------------------------------------------
// The table
// -------------------------------------------------------------------------------------------

macro_rules! cmd {
    ($name:expr, $arity:expr, $flags:expr, $fk:expr, $lk:expr, $st:expr, $h:expr, $group:expr, $since:expr, $summary:expr, $args:expr) => {
        Command {
            name: $name,
            arity: $arity,
            flags: $flags,
            first_key: $fk,
            last_key: $lk,
            step: $st,
            handler: $h,
            group: $group,
            since: $since,
            summary: $summary,
            args: $args,
            subcommands: &[],
        }
    };
}

fn container(_: &mut Ctx, _: &[Bytes]) -> CmdResult {
    Err(CmdError::Syntax)
}

macro_rules! parent {
    ($name:expr, $arity:expr, $flags:expr, $group:expr, $since:expr, $summary:expr, $subs:expr) => {
        parent!($name, $arity, $flags, $group, $since, $summary, $subs, container)
    };
    ($name:expr, $arity:expr, $flags:expr, $group:expr, $since:expr, $summary:expr, $subs:expr, $h:expr) => {
        Command {
            name: $name,
            arity: $arity,
            flags: $flags,
            first_key: 0,
            last_key: 0,
            step: 0,
            handler: $h,
            group: $group,
            since: $since,
            summary: $summary,
            args: "",
            subcommands: $subs,
        }
    };
}

use connection as c;
use keys as k;
use lists as l;
use pubsub as p;
use server as s;
use streams as x;
use strings as st;

const W: u32 = WRITE;
const R: u32 = READONLY;
const F: u32 = FAST;
const D: u32 = DENYOOM;

pub static CLIENT_SUBS: &[Command] = &[
    cmd!(
        "id",
        2,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_id,
        "connection",
        "5.0.0",
        "Returns the unique client ID of the connection.",
        ""
    ),
    cmd!(
        "setname",
        3,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_setname,
        "connection",
        "2.6.9",
        "Sets the connection name.",
        "connection-name"
    ),
    cmd!(
        "getname",
        2,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_getname,
        "connection",
        "2.6.9",
        "Returns the name of the connection.",
        ""
    ),
    cmd!(
        "setinfo",
        4,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_setinfo,
        "connection",
        "7.2.0",
        "Sets information specific to the client or connection.",
        "LIB-NAME libname|LIB-VER libver"
    ),
    cmd!(
        "info",
        2,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_info,
        "connection",
        "6.2.0",
        "Returns information about the connection.",
        ""
    ),
    cmd!(
        "list",
        -2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_list,
        "connection",
        "2.4.0",
        "Lists open connections.",
        "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"
    ),
    cmd!(
        "kill",
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_kill,
        "connection",
        "2.4.0",
        "Terminates open connections.",
        "ip:port|ID client-id|ADDR ip:port|LADDR ip:port|SKIPME yes|no"
    ),
    cmd!(
        "pause",
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_pause,
        "connection",
        "3.0.0",
        "Suspends commands processing.",
        "timeout [WRITE|ALL]"
    ),
    cmd!(
        "unpause",
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_unpause,
        "connection",
        "6.2.0",
        "Resumes processing commands from paused clients.",
        ""
    ),
    cmd!(
        "unblock",
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_unblock,
        "connection",
        "5.0.0",
        "Unblocks a client blocked by a blocking command from a different connection.",
        "client-id [TIMEOUT|ERROR]"
    ),
    cmd!(
        "no-evict",
        3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_no_evict,
        "connection",
        "7.0.0",
        "Sets the client eviction mode of the connection.",
        "ON|OFF"
    ),
    cmd!(
        "no-touch",
        3,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_no_touch,
        "connection",
        "7.2.0",
        "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
        "ON|OFF"
    ),
    cmd!(
        "reply",
        3,
        NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        c::client_reply,
        "connection",
        "3.2.0",
        "Instructs the server whether to reply to commands.",
        "ON|OFF|SKIP"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        c::client_help,
        "connection",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static CONFIG_SUBS: &[Command] = &[
    cmd!(
        "get",
        -3,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        s::config_get,
        "server",
        "2.0.0",
        "Returns the effective values of configuration parameters.",
        "parameter [parameter ...]"
    ),
    cmd!(
        "set",
        -4,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        s::config_set,
        "server",
        "2.0.0",
        "Sets configuration parameters in-flight.",
        "parameter value [parameter value ...]"
    ),
    cmd!(
        "resetstat",
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        s::config_resetstat,
        "server",
        "2.0.0",
        "Resets the server's statistics.",
        ""
    ),
    cmd!(
        "rewrite",
        2,
        ADMIN | NOSCRIPT | LOADING | STALE,
        0,
        0,
        0,
        s::config_rewrite,
        "server",
        "2.8.0",
        "Persists the effective configuration to file.",
        ""
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        s::config_help,
        "server",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static COMMAND_SUBS: &[Command] = &[
    cmd!(
        "count",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_count,
        "server",
        "2.8.13",
        "Returns a count of commands.",
        ""
    ),
    cmd!(
        "info",
        -2,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_info,
        "server",
        "2.8.13",
        "Returns information about one, multiple or all commands.",
        "[command-name [command-name ...]]"
    ),
    cmd!(
        "docs",
        -2,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_docs,
        "server",
        "7.0.0",
        "Returns documentary information about one, multiple or all commands.",
        "[command-name [command-name ...]]"
    ),
    cmd!(
        "list",
        -2,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_list,
        "server",
        "7.0.0",
        "Returns a list of command names.",
        "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"
    ),
    cmd!(
        "getkeys",
        -3,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_getkeys,
        "server",
        "2.8.13",
        "Extracts the key names from an arbitrary command.",
        "command [arg [arg ...]]"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        s::command_help,
        "server",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static OBJECT_SUBS: &[Command] = &[
    cmd!(
        "encoding",
        3,
        R,
        2,
        2,
        1,
        s::object_encoding,
        "generic",
        "2.2.3",
        "Returns the internal encoding of a Redis object.",
        "key"
    ),
    cmd!(
        "refcount",
        3,
        R,
        2,
        2,
        1,
        s::object_refcount,
        "generic",
        "2.2.3",
        "Returns the reference count of a value of a key.",
        "key"
    ),
    cmd!(
        "idletime",
        3,
        R,
        2,
        2,
        1,
        s::object_idletime,
        "generic",
        "2.2.3",
        "Returns the time since the last access to a Redis object.",
        "key"
    ),
    cmd!(
        "freq",
        3,
        R,
        2,
        2,
        1,
        s::object_freq,
        "generic",
        "4.0.0",
        "Returns the logarithmic access frequency counter of a Redis object.",
        "key"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        s::object_help,
        "generic",
        "6.2.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static MEMORY_SUBS: &[Command] = &[
    cmd!(
        "usage",
        -3,
        R,
        2,
        2,
        1,
        s::memory_usage,
        "server",
        "4.0.0",
        "Estimates the memory usage of a key.",
        "key [SAMPLES count]"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        s::memory_help,
        "server",
        "4.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static PUBSUB_SUBS: &[Command] = &[
    cmd!(
        "channels",
        -2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_channels,
        "pubsub",
        "2.8.0",
        "Returns the active channels.",
        "[pattern]"
    ),
    cmd!(
        "numsub",
        -2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_numsub,
        "pubsub",
        "2.8.0",
        "Returns a count of subscribers to channels.",
        "[channel [channel ...]]"
    ),
    cmd!(
        "numpat",
        2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_numpat,
        "pubsub",
        "2.8.0",
        "Returns a count of unique pattern subscriptions.",
        ""
    ),
    cmd!(
        "shardchannels",
        -2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_shardchannels,
        "pubsub",
        "7.0.0",
        "Returns the active shard channels.",
        "[pattern]"
    ),
    cmd!(
        "shardnumsub",
        -2,
        PUBSUB | LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_shardnumsub,
        "pubsub",
        "7.0.0",
        "Returns the count of subscribers of shard channels.",
        "[shardchannel [shardchannel ...]]"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        p::pubsub_help,
        "pubsub",
        "6.2.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static XGROUP_SUBS: &[Command] = &[
    cmd!(
        "create",
        -5,
        W | D,
        2,
        2,
        1,
        x::xgroup_create,
        "stream",
        "5.0.0",
        "Creates a consumer group.",
        "key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]"
    ),
    cmd!(
        "setid",
        -5,
        W,
        2,
        2,
        1,
        x::xgroup_setid,
        "stream",
        "5.0.0",
        "Sets the last-delivered ID of a consumer group.",
        "key group id|$ [ENTRIESREAD entries-read]"
    ),
    cmd!(
        "destroy",
        4,
        W,
        2,
        2,
        1,
        x::xgroup_destroy,
        "stream",
        "5.0.0",
        "Destroys a consumer group.",
        "key group"
    ),
    cmd!(
        "createconsumer",
        5,
        W | D,
        2,
        2,
        1,
        x::xgroup_createconsumer,
        "stream",
        "6.2.0",
        "Creates a consumer in a consumer group.",
        "key group consumer"
    ),
    cmd!(
        "delconsumer",
        5,
        W,
        2,
        2,
        1,
        x::xgroup_delconsumer,
        "stream",
        "5.0.0",
        "Deletes a consumer from a consumer group.",
        "key group consumer"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        x::xgroup_help,
        "stream",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static XINFO_SUBS: &[Command] = &[
    cmd!(
        "stream",
        -3,
        R,
        2,
        2,
        1,
        x::xinfo_stream,
        "stream",
        "5.0.0",
        "Returns information about a stream.",
        "key [FULL [COUNT count]]"
    ),
    cmd!(
        "groups",
        3,
        R,
        2,
        2,
        1,
        x::xinfo_groups,
        "stream",
        "5.0.0",
        "Returns a list of the consumer groups of a stream.",
        "key"
    ),
    cmd!(
        "consumers",
        4,
        R,
        2,
        2,
        1,
        x::xinfo_consumers,
        "stream",
        "5.0.0",
        "Returns a list of the consumers in a consumer group.",
        "key group"
    ),
    cmd!(
        "help",
        2,
        LOADING | STALE,
        0,
        0,
        0,
        x::xinfo_help,
        "stream",
        "5.0.0",
        "Returns helpful text about the different subcommands.",
        ""
    ),
];

pub static COMMANDS: &[Command] = &[
    // Connection
    cmd!("ping", -1, F | STALE, 0, 0, 0, c::ping, "connection", "1.0.0", "Returns the server's liveliness response.", "[message]"),
    cmd!("echo", 2, F, 0, 0, 0, c::echo, "connection", "1.0.0", "Returns the given string.", "message"),
    cmd!("hello", -1, NOSCRIPT | LOADING | STALE | F | NO_AUTH, 0, 0, 0, c::hello, "connection", "6.0.0", "Handshakes with the Redis server.", "[protover [AUTH username password] [SETNAME clientname]]"),
    cmd!("auth", -2, NOSCRIPT | LOADING | STALE | F | NO_AUTH, 0, 0, 0, c::auth, "connection", "1.0.0", "Authenticates the connection.", "[username] password"),
    cmd!("select", 2, LOADING | STALE | F, 0, 0, 0, c::select, "connection", "1.0.0", "Changes the selected database.", "index"),
    cmd!("quit", -1, ALLOW_BUSY | NOSCRIPT | LOADING | STALE | F | NO_AUTH, 0, 0, 0, c::quit, "connection", "1.0.0", "Closes the connection.", ""),
    cmd!("reset", 1, NOSCRIPT | LOADING | STALE | F | NO_AUTH, 0, 0, 0, c::reset, "connection", "6.2.0", "Resets the connection.", ""),
    parent!("client", -2, 0, "connection", "2.4.0", "A container for client connection commands.", CLIENT_SUBS),
    // Transactions
    cmd!("multi", 1, NOSCRIPT | LOADING | STALE | F | ALLOW_BUSY, 0, 0, 0, c::multi, "transactions", "1.2.0", "Starts a transaction.", ""),
    cmd!("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, 0, 0, 0, c::exec, "transactions", "1.2.0", "Executes all commands in a transaction.", ""),
    cmd!("discard", 1, NOSCRIPT | LOADING | STALE | F | ALLOW_BUSY, 0, 0, 0, c::discard, "transactions", "2.0.0", "Discards a transaction.", ""),
    cmd!("watch", -2, NOSCRIPT | LOADING | STALE | F | ALLOW_BUSY, 1, -1, 1, c::watch, "transactions", "2.2.0", "Monitors changes to keys to determine the execution of a transaction.", "key [key ...]"),
    cmd!("unwatch", 1, NOSCRIPT | LOADING | STALE | F | ALLOW_BUSY, 0, 0, 0, c::unwatch, "transactions", "2.2.0", "Forgets about watched keys of a transaction.", ""),
    // Server
    parent!("command", -1, LOADING | STALE, "server", "2.8.13", "Returns detailed information about all commands.", COMMAND_SUBS, s::command_root),
    parent!("config", -2, 0, "server", "2.0.0", "A container for server configuration commands.", CONFIG_SUBS),
    cmd!("info", -1, LOADING | STALE, 0, 0, 0, s::info, "server", "1.0.0", "Returns information and statistics about the server.", "[section [section ...]]"),
    cmd!("time", 1, LOADING | STALE | F, 0, 0, 0, s::time, "server", "2.6.0", "Returns the server time.", ""),
    cmd!("dbsize", 1, R | F, 0, 0, 0, s::dbsize, "server", "1.0.0", "Returns the number of keys in the database.", ""),
    cmd!("lastsave", 1, LOADING | STALE | F, 0, 0, 0, s::lastsave, "server", "1.0.0", "Returns the Unix timestamp of the last successful save to disk.", ""),
    cmd!("flushdb", -1, W, 0, 0, 0, s::flushdb, "server", "1.0.0", "Removes all keys from the current database.", "[ASYNC|SYNC]"),
    cmd!("flushall", -1, W, 0, 0, 0, s::flushall, "server", "1.0.0", "Removes all keys from all databases.", "[ASYNC|SYNC]"),
    cmd!("swapdb", 3, W | F, 0, 0, 0, s::swapdb, "server", "4.0.0", "Swaps two Redis databases.", "index1 index2"),
    cmd!("shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, 0, 0, 0, s::shutdown, "server", "1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server.", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"),
    cmd!("bgrewriteaof", 1, NOSCRIPT | ADMIN, 0, 0, 0, s::bgrewriteaof, "server", "1.0.0", "Asynchronously rewrites the append-only file to disk.", ""),
    cmd!("debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, 0, 0, 0, s::debug, "server", "1.0.0", "A container for debugging commands.", "SLEEP seconds|PANIC"),
    parent!("object", -2, 0, "generic", "2.2.3", "A container for object introspection commands.", OBJECT_SUBS),
    parent!("memory", -2, 0, "server", "4.0.0", "A container for memory diagnostics commands.", MEMORY_SUBS),
    // Keyspace
    cmd!("del", -2, W, 1, -1, 1, k::del, "generic", "1.0.0", "Deletes one or more keys.", "key [key ...]"),
    cmd!("unlink", -2, W | F, 1, -1, 1, k::del, "generic", "4.0.0", "Asynchronously deletes one or more keys.", "key [key ...]"),
    cmd!("exists", -2, R | F, 1, -1, 1, k::exists, "generic", "1.0.0", "Determines whether one or more keys exist.", "key [key ...]"),
    cmd!("type", 2, R | F, 1, 1, 1, k::type_, "generic", "1.0.0", "Determines the type of value stored at a key.", "key"),
    cmd!("keys", 2, R, 0, 0, 0, k::keys, "generic", "1.0.0", "Returns all key names that match a pattern.", "pattern"),
    cmd!("scan", -2, R, 0, 0, 0, k::scan, "generic", "2.8.0", "Iterates over the key names in the database.", "cursor [MATCH pattern] [COUNT count] [TYPE type]"),
    cmd!("randomkey", 1, R, 0, 0, 0, k::randomkey, "generic", "1.0.0", "Returns a random key name from the database.", ""),
    cmd!("rename", 3, W, 1, 2, 1, k::rename, "generic", "1.0.0", "Renames a key and overwrites the destination.", "key newkey"),
    cmd!("renamenx", 3, W | F, 1, 2, 1, k::renamenx, "generic", "1.0.0", "Renames a key only when the target key name doesn't exist.", "key newkey"),
    cmd!("copy", -3, W | D, 1, 2, 1, k::copy, "generic", "6.2.0", "Copies the value of a key to a new key.", "source destination [DB destination-db] [REPLACE]"),
    cmd!("move", 3, W | F, 1, 1, 1, k::move_, "generic", "1.0.0", "Moves a key to another database.", "key db"),
    cmd!("touch", -2, R | F, 1, -1, 1, k::touch, "generic", "3.2.1", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "key [key ...]"),
    cmd!("expire", -3, W | F, 1, 1, 1, k::expire, "generic", "1.0.0", "Sets the expiration time of a key in seconds.", "key seconds [NX|XX|GT|LT]"),
    cmd!("pexpire", -3, W | F, 1, 1, 1, k::pexpire, "generic", "2.6.0", "Sets the expiration time of a key in milliseconds.", "key milliseconds [NX|XX|GT|LT]"),
    cmd!("expireat", -3, W | F, 1, 1, 1, k::expireat, "generic", "1.2.0", "Sets the expiration time of a key to a Unix timestamp.", "key unix-time-seconds [NX|XX|GT|LT]"),
    cmd!("pexpireat", -3, W | F, 1, 1, 1, k::pexpireat, "generic", "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "key unix-time-milliseconds [NX|XX|GT|LT]"),
    cmd!("ttl", 2, R | F, 1, 1, 1, k::ttl, "generic", "1.0.0", "Returns the expiration time in seconds of a key.", "key"),
    cmd!("pttl", 2, R | F, 1, 1, 1, k::pttl, "generic", "2.6.0", "Returns the expiration time in milliseconds of a key.", "key"),
    cmd!("expiretime", 2, R | F, 1, 1, 1, k::expiretime, "generic", "7.0.0", "Returns the expiration time of a key as a Unix timestamp.", "key"),
    cmd!("pexpiretime", 2, R | F, 1, 1, 1, k::pexpiretime, "generic", "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "key"),
    cmd!("persist", 2, W | F, 1, 1, 1, k::persist, "generic", "2.2.0", "Removes the expiration time of a key.", "key"),
    // Strings
    cmd!("get", 2, R | F, 1, 1, 1, st::get, "string", "1.0.0", "Returns the string value of a key.", "key"),
    cmd!("set", -3, W | D, 1, 1, 1, st::set, "string", "1.0.0", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"),
    cmd!("setnx", 3, W | D | F, 1, 1, 1, st::setnx, "string", "1.0.0", "Set the string value of a key only when the key doesn't exist.", "key value"),
    cmd!("setex", 4, W | D, 1, 1, 1, st::setex, "string", "2.0.0", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "key seconds value"),
    cmd!("psetex", 4, W | D, 1, 1, 1, st::psetex, "string", "2.6.0", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "key milliseconds value"),
    cmd!("getset", 3, W | D | F, 1, 1, 1, st::getset, "string", "1.0.0", "Returns the previous string value of a key after setting it to a new value.", "key value"),
    cmd!("getdel", 2, W | F, 1, 1, 1, st::getdel, "string", "6.2.0", "Returns the string value of a key after deleting the key.", "key"),
    cmd!("getex", -2, W | F, 1, 1, 1, st::getex, "string", "6.2.0", "Returns the string value of a key after setting its expiration time.", "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"),
    cmd!("mget", -2, R | F, 1, -1, 1, st::mget, "string", "1.0.0", "Atomically returns the string values of one or more keys.", "key [key ...]"),
    cmd!("mset", -3, W | D, 1, -1, 2, st::mset, "string", "1.0.1", "Atomically creates or modifies the string values of one or more keys.", "key value [key value ...]"),
    cmd!("msetnx", -3, W | D, 1, -1, 2, st::msetnx, "string", "1.0.1", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "key value [key value ...]"),
    cmd!("incr", 2, W | D | F, 1, 1, 1, st::incr, "string", "1.0.0", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "key"),
    cmd!("decr", 2, W | D | F, 1, 1, 1, st::decr, "string", "1.0.0", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "key"),
    cmd!("incrby", 3, W | D | F, 1, 1, 1, st::incrby, "string", "1.0.0", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "key increment"),
    cmd!("decrby", 3, W | D | F, 1, 1, 1, st::decrby, "string", "1.0.0", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "key decrement"),
    cmd!("incrbyfloat", 3, W | D | F, 1, 1, 1, st::incrbyfloat, "string", "2.6.0", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "key increment"),
    cmd!("append", 3, W | D, 1, 1, 1, st::append, "string", "2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "key value"),
    cmd!("strlen", 2, R | F, 1, 1, 1, st::strlen, "string", "2.2.0", "Returns the length of a string value.", "key"),
    cmd!("getrange", 4, R, 1, 1, 1, st::getrange, "string", "2.4.0", "Returns a substring of the string stored at a key.", "key start end"),
    cmd!("substr", 4, R, 1, 1, 1, st::getrange, "string", "1.0.0", "Returns a substring from a string value.", "key start end"),
    cmd!("setrange", 4, W | D, 1, 1, 1, st::setrange, "string", "2.2.0", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "key offset value"),
    // Lists
    cmd!("lpush", -3, W | D | F, 1, 1, 1, l::lpush, "list", "1.0.0", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "key element [element ...]"),
    cmd!("rpush", -3, W | D | F, 1, 1, 1, l::rpush, "list", "1.0.0", "Appends one or more elements to a list. Creates the key if it doesn't exist.", "key element [element ...]"),
    cmd!("lpushx", -3, W | D | F, 1, 1, 1, l::lpushx, "list", "2.2.0", "Prepends one or more elements to a list only when the list exists.", "key element [element ...]"),
    cmd!("rpushx", -3, W | D | F, 1, 1, 1, l::rpushx, "list", "2.2.0", "Appends an element to a list only when the list exists.", "key element [element ...]"),
    cmd!("lpop", -2, W | F, 1, 1, 1, l::lpop, "list", "1.0.0", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", "key [count]"),
    cmd!("rpop", -2, W | F, 1, 1, 1, l::rpop, "list", "1.0.0", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", "key [count]"),
    cmd!("llen", 2, R | F, 1, 1, 1, l::llen, "list", "1.0.0", "Returns the length of a list.", "key"),
    cmd!("lrange", 4, R, 1, 1, 1, l::lrange, "list", "1.0.0", "Returns a range of elements from a list.", "key start stop"),
    cmd!("lindex", 3, R, 1, 1, 1, l::lindex, "list", "1.0.0", "Returns an element from a list by its index.", "key index"),
    cmd!("lset", 4, W | D, 1, 1, 1, l::lset, "list", "1.0.0", "Sets the value of an element in a list by its index.", "key index element"),
    cmd!("linsert", 5, W | D, 1, 1, 1, l::linsert, "list", "2.2.0", "Inserts an element before or after another element in a list.", "key BEFORE|AFTER pivot element"),
    cmd!("lrem", 4, W, 1, 1, 1, l::lrem, "list", "1.0.0", "Removes elements from a list. Deletes the list if the last element was removed.", "key count element"),
    cmd!("ltrim", 4, W, 1, 1, 1, l::ltrim, "list", "1.0.0", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", "key start stop"),
    cmd!("lpos", -3, R, 1, 1, 1, l::lpos, "list", "6.0.6", "Returns the index of matching elements in a list.", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
    cmd!("lmove", 5, W | D, 1, 2, 1, l::lmove, "list", "6.2.0", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", "source destination LEFT|RIGHT LEFT|RIGHT"),
    cmd!("rpoplpush", 3, W | D, 1, 2, 1, l::rpoplpush, "list", "1.2.0", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", "source destination"),
    cmd!("lmpop", -4, W | MOVABLE_KEYS, 0, 0, 0, l::lmpop, "list", "7.0.0", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", "numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
    cmd!("blpop", -3, W | BLOCKING, 1, -2, 1, l::blpop, "list", "2.0.0", "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "key [key ...] timeout"),
    cmd!("brpop", -3, W | BLOCKING, 1, -2, 1, l::brpop, "list", "2.0.0", "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "key [key ...] timeout"),
    cmd!("blmove", 6, W | D | BLOCKING, 1, 2, 1, l::blmove, "list", "6.2.0", "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", "source destination LEFT|RIGHT LEFT|RIGHT timeout"),
    cmd!("brpoplpush", 4, W | D | BLOCKING, 1, 2, 1, l::brpoplpush, "list", "2.2.0", "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", "source destination timeout"),
    cmd!("blmpop", -5, W | BLOCKING | MOVABLE_KEYS, 0, 0, 0, l::blmpop, "list", "7.0.0", "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
    // Streams
    cmd!("xadd", -5, W | D | F, 1, 1, 1, x::xadd, "stream", "5.0.0", "Appends a new message to a stream. Creates the key if it doesn't exist.", "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]"),
    cmd!("xlen", 2, R | F, 1, 1, 1, x::xlen, "stream", "5.0.0", "Return the number of messages in a stream.", "key"),
    cmd!("xrange", -4, R, 1, 1, 1, x::xrange, "stream", "5.0.0", "Returns the messages from a stream within a range of IDs.", "key start end [COUNT count]"),
    cmd!("xrevrange", -4, R, 1, 1, 1, x::xrevrange, "stream", "5.0.0", "Returns the messages from a stream within a range of IDs in reverse order.", "key end start [COUNT count]"),
    cmd!("xdel", -3, W | F, 1, 1, 1, x::xdel, "stream", "5.0.0", "Returns the number of messages after removing them from a stream.", "key id [id ...]"),
    cmd!("xtrim", -4, W, 1, 1, 1, x::xtrim, "stream", "5.0.0", "Deletes messages from the beginning of a stream.", "key MAXLEN|MINID [=|~] threshold [LIMIT count]"),
    cmd!("xread", -4, R | BLOCKING | MOVABLE_KEYS, 0, 0, 0, x::xread, "stream", "5.0.0", "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]"),
    cmd!("xreadgroup", -7, W | BLOCKING | MOVABLE_KEYS, 0, 0, 0, x::xreadgroup, "stream", "5.0.0", "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]"),
    cmd!("xack", -4, W | F, 1, 1, 1, x::xack, "stream", "5.0.0", "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", "key group id [id ...]"),
    cmd!("xpending", -3, R, 1, 1, 1, x::xpending, "stream", "5.0.0", "Returns the information and entries from a stream consumer group's pending entries list.", "key group [[IDLE min-idle-time] start end count [consumer]]"),
    cmd!("xclaim", -6, W | F, 1, 1, 1, x::xclaim, "stream", "5.0.0", "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"),
    cmd!("xautoclaim", -6, W | F, 1, 1, 1, x::xautoclaim, "stream", "6.2.0", "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", "key group consumer min-idle-time start [COUNT count] [JUSTID]"),
    parent!("xgroup", -2, 0, "stream", "5.0.0", "A container for consumer groups commands.", XGROUP_SUBS),
    parent!("xinfo", -2, 0, "stream", "5.0.0", "A container for stream introspection commands.", XINFO_SUBS),
    cmd!("xsetid", -3, W | D | F, 1, 1, 1, x::xsetid, "stream", "5.0.0", "An internal command for replicating stream values.", "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]"),
    // Pub/Sub
    cmd!("subscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, 0, 0, 0, p::subscribe, "pubsub", "2.0.0", "Listens for messages published to channels.", "channel [channel ...]"),
    cmd!("unsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, 0, 0, 0, p::unsubscribe, "pubsub", "2.0.0", "Stops listening to messages posted to channels.", "[channel [channel ...]]"),
    cmd!("psubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, 0, 0, 0, p::psubscribe, "pubsub", "2.0.0", "Listens for messages published to channels that match one or more patterns.", "pattern [pattern ...]"),
    cmd!("punsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, 0, 0, 0, p::punsubscribe, "pubsub", "2.0.0", "Stops listening to messages published to channels that match one or more patterns.", "[pattern [pattern ...]]"),
    cmd!("ssubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, 1, -1, 1, p::ssubscribe, "pubsub", "7.0.0", "Listens for messages published to shard channels.", "shardchannel [shardchannel ...]"),
    cmd!("sunsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, 1, -1, 1, p::sunsubscribe, "pubsub", "7.0.0", "Stops listening to messages posted to shard channels.", "[shardchannel [shardchannel ...]]"),
    cmd!("publish", 3, PUBSUB | LOADING | STALE | F, 0, 0, 0, p::publish, "pubsub", "2.0.0", "Posts a message to a channel.", "channel message"),
    cmd!("spublish", 3, PUBSUB | LOADING | STALE | F, 1, 1, 1, p::spublish, "pubsub", "7.0.0", "Post a message to a shard channel", "shardchannel message"),
    parent!("pubsub", -2, 0, "pubsub", "2.8.0", "A container for Pub/Sub commands.", PUBSUB_SUBS),
];

/// Key positions of a command per its table row (for COMMAND GETKEYS and WATCH-like uses).
pub fn key_positions(cmd: &Command, argv: &[Bytes]) -> Vec<usize> {
    if cmd.flags & MOVABLE_KEYS != 0 && (cmd.name == "xread" || cmd.name == "xreadgroup") {
        // Keys are the first half of what follows STREAMS.
        let Some(at) = argv.iter().position(|a| a.eq_ignore_ascii_case(b"streams")) else {
            return vec![];
        };
        let n = (argv.len() - at - 1) / 2;
        return (at + 1..at + 1 + n).collect();
    }
    if cmd.flags & MOVABLE_KEYS != 0 {
        // numkeys-style commands: LMPOP numkeys k..., BLMPOP timeout numkeys k...
        let at = if cmd.name == "blmpop" { 2 } else { 1 };
        let n = argv
            .get(at)
            .and_then(|b| crate::util::parse_i64(b))
            .unwrap_or(0)
            .max(0) as usize;
        return (at + 1..(at + 1 + n).min(argv.len())).collect();
    }
    if cmd.first_key <= 0 {
        return vec![];
    }
    let last = if cmd.last_key < 0 {
        argv.len() as i32 + cmd.last_key
    } else {
        cmd.last_key
    };
    let mut v = Vec::new();
    let mut i = cmd.first_key;
    while i <= last && (i as usize) < argv.len() {
        v.push(i as usize);
        i += cmd.step.max(1);
    }
    v
}

/// The flag names COMMAND INFO reports.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    FLAG_NAMES
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_as_redis_parses_them() {
        let now = 1_700_000_000_000;
        let secs = |a: &str| parse_timeout(now, a.as_bytes(), TimeoutUnit::Seconds);
        let ms = |a: &str| parse_timeout(now, a.as_bytes(), TimeoutUnit::Millis);
        let err = |r: CmdResult<Option<i64>>| r.unwrap_err().text().into_owned();
        assert_eq!(secs("0").unwrap(), None);
        assert_eq!(
            secs("0.0001").unwrap(),
            Some(now + 1),
            "rounded up to a whole ms"
        );
        assert_eq!(secs("1.5").unwrap(), Some(now + 1500));
        assert_eq!(err(secs("-1")), "ERR timeout is negative");
        assert_eq!(err(secs("-inf")), "ERR timeout is negative");
        assert_eq!(
            err(secs("abc")),
            "ERR timeout is not a float or out of range"
        );
        assert_eq!(
            err(secs("nan")),
            "ERR timeout is not a float or out of range"
        );
        for big in ["inf", "1e300", "99999999999999999", "9223372036854775.807"] {
            assert_eq!(err(secs(big)), "ERR timeout is out of range", "{big}");
        }
        assert_eq!(ms("10").unwrap(), Some(now + 10));
        assert_eq!(
            err(ms("1.5")),
            "ERR timeout is not an integer or out of range"
        );
        assert_eq!(err(ms("-1")), "ERR timeout is negative");
        // In range alone, but not once added to now.
        assert_eq!(
            err(ms("9223372036854775807")),
            "ERR timeout is out of range"
        );
    }
}
