//! The command table and the dispatcher.
//!
//! The table is data ([`table::Command`] rows, declared by each family beside its handlers and
//! concatenated by [`commands`]): name, arity, flags, ACL categories, key specs, handler,
//! docs. It drives dispatch, the central arity/auth/MULTI/pub-sub-context checks, and COMMAND
//! COUNT/INFO/DOCS/LIST/GETKEYS(ANDFLAGS) — so what COMMAND reports is what dispatches.
//!
//! A handler parses its arguments and executes against the store through [`Ctx`], writing its
//! reply to `ctx.out`; it returns a [`CmdError`] for Redis's error replies (rendered in one
//! place, [`write_error`]). A blocking command that finds nothing sets `ctx.block`.
//!
//! Propagation: after a handler, if the dataset changed (the keyspace's dirty moved) the command's
//! effect goes to the AOF buffer — the argv as given, or what the handler put in
//! `ctx.effects` when the request is not deterministic (XADD `*`, BRPOP, SET EX, ...).

pub mod acl;
pub mod args;
pub mod connection;
pub mod dump;
pub mod functions;
pub mod hashes;
pub mod keys;
pub mod lists;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod sets;
pub mod sort;
pub mod streams;
pub(crate) use streams::{policy_snapshot_commands, run_policy_timers};
pub mod strings;
pub mod table;
pub mod testing;
pub mod zsets;

use crate::blocking::{BlockRequest, BlockedType, StreamWait, TimeoutReply, Waiter};
use crate::client::Client;
use crate::error::{CmdError, CmdResult};
use crate::mailbox::Mail;
use crate::store::Store;
use bytes::Bytes;
use resp::ReplyWriter;
use std::time::Instant;

pub use table::*;

pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

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
    T.get_or_init(|| commands().iter().map(|c| (c.name.as_bytes(), *c)).collect())
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
        for c in commands() {
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

/// `lookupCommand`: the row `argv` names (a container's subcommand when it has one),
/// without checking arity.
pub(crate) fn lookup_row(argv: &[Bytes]) -> Option<(&'static Command, &'static str)> {
    let cmd = lookup(argv.first()?)?;
    if cmd.subcommands.is_empty() || argv.len() < 2 {
        return Some((cmd, cmd.name));
    }
    let sub = find_sub(cmd, &argv[1])?;
    Some((sub, sub_full_name(cmd, sub)))
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
        if cmd.name == "exec" {
            // `execCommandAbort`: a refused EXEC discards the transaction and says why.
            client.multi = None;
            client.multi_error = false;
            connection::unwatch_client(store, client);
            let e = CmdError::Raw(format!(
                "EXECABORT Transaction discarded because of: {}",
                e.text()
            ));
            write_error(store, out, &e);
        } else {
            write_error(store, out, &e);
        }
        Outcome::Done
    };
    if !client.authenticated && cmd.flags & NO_AUTH == 0 && store.acl.auth_required() {
        return reject(store, client, out, CmdError::NoAuth);
    }
    let context = if client.multi.is_some() {
        crate::acl::LogContext::Multi
    } else {
        crate::acl::LogContext::Toplevel
    };
    if let Some(denied) = acl_check(store, client, cmd, full, &argv, context) {
        let e = noperm(client, denied, full, &argv);
        return reject(store, client, out, e);
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
    if cmd.flags & WRITE != 0 || cmd.name == "ping" {
        if let Some(e) = disk_error(store) {
            return reject(store, client, out, e);
        }
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

/// The ACL check of a command about to run or be queued (`ACLCheckAllPerm`): a denial is
/// counted and logged (ACL LOG) in `context`, and returned.
pub(crate) fn acl_check(
    store: &mut Store,
    client: &mut Client,
    cmd: &'static Command,
    full: &'static str,
    argv: &[Bytes],
    context: crate::acl::LogContext,
) -> Option<crate::acl::Denied> {
    if client.acl_version != store.acl.version {
        client.refresh_user(&store.acl);
    }
    let user = client.user.as_ref()?;
    let denied = user.check(cmd, argv).err()?;
    let object = match denied {
        crate::acl::Denied::Command => Bytes::from_static(full.as_bytes()),
        crate::acl::Denied::Key(p) | crate::acl::Denied::Channel(p) => argv[p].clone(),
    };
    // A script's command is logged with its caller's connection, as Redis shows it.
    let id = if client.id == scripting::SCRIPT_CLIENT_ID {
        store
            .scripting
            .status
            .running
            .load(std::sync::atomic::Ordering::Relaxed)
    } else {
        client.id
    };
    let info = connection::client_line_of(store, client, id, full, argv);
    let (name, max, now) = (
        user.name.clone(),
        store.config.acllog_max_len,
        crate::util::now_ms(),
    );
    store
        .acl
        .log_denial(denied.reason(), context, object, name, info, now, max);
    Some(denied)
}

/// The NOPERM error of a denial.
pub(crate) fn noperm(
    client: &Client,
    denied: crate::acl::Denied,
    full: &str,
    argv: &[Bytes],
) -> CmdError {
    let name = client.user_name();
    CmdError::Raw(format!(
        "NOPERM {}",
        denied.message(&name, full, argv, false)
    ))
}

/// `writeCommandsDeniedByDiskError`: why writes (and PING, so that monitoring notices) are
/// refused, if they are: the last background save failed while `save` points are set and
/// `stop-writes-on-bgsave-error` is on, or the AOF cannot be written.
pub fn disk_error(store: &Store) -> Option<CmdError> {
    // The flags first: this runs for every write.
    if !store.rdb.last_bgsave_ok
        && store.config.get("stop-writes-on-bgsave-error") != Some("no")
        && !store.config.get("save").unwrap_or("").trim().is_empty()
    {
        return Some(CmdError::Raw(
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.".into(),
        ));
    }
    if store.aof.enabled && !store.aof.last_write_ok {
        return Some(CmdError::Raw(format!(
            "MISCONF Errors writing to the AOF file: {}",
            store.aof.last_write_error.clone().unwrap_or_default()
        )));
    }
    None
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
    let now = store
        .script_time
        .unwrap_or_else(|| store.unix_ms_at(started));
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
    // Scripts are shown to MONITOR before they run, so their own commands follow them.
    if cmd.flags & SKIP_MONITOR != 0 && !ctx.store.monitors.is_empty() && !ctx.client.reexec {
        monitor_feed(ctx.store, ctx.client, full, argv);
    }
    // CLIENT NO-TOUCH: this client's commands leave access times alone, except TOUCH itself.
    ctx.store.no_touch = ctx.client.no_touch && cmd.name != "touch";
    let res = (cmd.handler)(&mut ctx, argv);
    ctx.store.no_touch = false;
    let Ctx {
        mut block,
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
    let duration_us = ended.saturating_duration_since(started).as_micros() as u64;
    if let Some(b) = block.as_mut() {
        b.duration_us = duration_us;
    }
    let st = store.stats.commands.entry(full).or_default();
    st.usec += duration_us;
    // A command that leaves its client blocked is counted when it finishes: served by a
    // re-run (counted here then), timed out or unblocked (`Stats::finished`). As Redis 7.2+
    // (7.0 counts the blocking attempt in commandstats instead, and a served list pop not at
    // all in total_commands_processed).
    if block.is_none() {
        st.calls += 1;
        if failed {
            st.failed += 1;
        }
        if store.config.latency_tracking {
            st.record_latency(duration_us);
        }
        store.stats.total_commands_processed += 1;
        // Redis 7.2 logs the commands of a transaction one by one (not EXEC), and those a
        // script calls as well as the script.
        if cmd.flags & SKIP_SLOWLOG == 0
            && !store.replaying
            && crate::slowlog::SlowLog::qualifies(store.config.slowlog_log_slower_than, duration_us)
        {
            slowlog_push(
                store,
                client.id,
                client.name.as_ref(),
                full,
                argv,
                duration_us,
                ended,
            );
        }
        // The command classes of the latency monitor (whole milliseconds).
        let event = if cmd.flags & FAST != 0 {
            "fast-command"
        } else {
            "command"
        };
        store.latency_sample_ms(event, duration_us / 1000, ended);
    }
    // MONITOR, after the command ran (a served blocked command was shown when it blocked).
    if !store.monitors.is_empty()
        && !client.reexec
        && !store.replaying
        && cmd.flags & (SKIP_MONITOR | ADMIN) == 0
    {
        monitor_feed(store, client, full, argv);
    }
    let logging = store.aof.enabled && !store.replaying;
    if logging && store.ks.dirty() != dirty_before && !no_propagate && effects.is_empty() {
        store.propagate(db_before, argv.to_vec());
    } else if logging && !effects.is_empty() && !no_propagate {
        // (Effects may come without a dataset change: XREADGROUP advancing a group.)
        // Several effects replay as one transaction, as Redis 7 wraps them, unless the
        // command runs inside one already (EXEC, a script).
        let wrap = effects.len() > 1 && !store.in_transaction;
        if wrap {
            store.propagate(db_before, vec![Bytes::from_static(b"MULTI")]);
        }
        for e in effects {
            store.propagate(db_before, e);
        }
        if wrap {
            store.propagate(db_before, vec![Bytes::from_static(b"EXEC")]);
        }
    }
    match block {
        Some(b) => Outcome::Blocked(b),
        None => Outcome::Done,
    }
}

/// Shows a command to the MONITOR clients, from its client's address (`lua` for a script's).
fn monitor_feed(store: &mut Store, client: &Client, full: &str, argv: &[Bytes]) {
    let redacted = redacted_argv(full, argv);
    let argv = redacted.as_deref().unwrap_or(argv);
    let peer = (client.id != scripting::SCRIPT_CLIENT_ID).then(|| {
        store
            .clients
            .get(&client.id)
            .map(|c| c.addr.clone())
            .unwrap_or_default()
    });
    crate::monitor::feed(store, client.db, peer.as_deref(), argv);
}

/// Logs a slow command with its client's address and name (`slowlogPushCurrentCommand`).
/// `id` and `name` are the client's (a served or timed-out blocked command's come from its
/// waiter).
fn slowlog_push(
    store: &mut Store,
    id: u64,
    name: Option<&Bytes>,
    full: &str,
    argv: &[Bytes],
    duration_us: u64,
    at: Instant,
) {
    let argv = redacted_argv(full, argv).unwrap_or_else(|| argv.to_vec());
    // A script's commands are its caller's, as Redis 7.2 shows them.
    let id = if id == scripting::SCRIPT_CLIENT_ID {
        store
            .scripting
            .status
            .running
            .load(std::sync::atomic::Ordering::Relaxed)
    } else {
        id
    };
    let (peer, name) = match store.clients.get(&id) {
        Some(c) => (c.addr.clone(), c.name.clone()),
        None => (String::new(), name.cloned()),
    };
    let name = name.unwrap_or_default();
    let time = store.unix_ms_at(at) / 1000;
    let (slower, max) = (
        store.config.slowlog_log_slower_than,
        store.config.slowlog_max_len,
    );
    store
        .slowlog
        .push_if_needed(slower, max, duration_us, time, &argv, peer, name);
}

/// `argv` with the arguments that carry secrets replaced by `(redacted)`, as Redis's
/// `redactClientCommandArgument` does for SLOWLOG and MONITOR: AUTH's, HELLO's AUTH pair,
/// MIGRATE's AUTH/AUTH2, CONFIG SET of requirepass/masterauth, ACL SETUSER's rules. None
/// when nothing is hidden.
pub fn redacted_argv(full: &str, argv: &[Bytes]) -> Option<Vec<Bytes>> {
    if full == "acl|setuser" {
        // Every rule: passwords are among them.
        let mut out = argv.to_vec();
        for a in out.iter_mut().skip(2) {
            *a = Bytes::from_static(b"(redacted)");
        }
        return Some(out);
    }
    // Every other command passes through without a copy.
    if !matches!(full, "auth" | "hello" | "migrate" | "config|set") {
        return None;
    }
    let secret = Bytes::from_static(b"(redacted)");
    let mut out = argv.to_vec();
    let mut hidden = false;
    let mut hide = |out: &mut Vec<Bytes>, i: usize| {
        if let Some(a) = out.get_mut(i) {
            *a = secret.clone();
            hidden = true;
        }
    };
    match full {
        "auth" => (1..argv.len()).for_each(|i| hide(&mut out, i)),
        "hello" => {
            if let Some(at) = argv
                .iter()
                .position(|a| eq_ic(a, "auth"))
                .filter(|&i| i >= 2)
            {
                hide(&mut out, at + 1);
                hide(&mut out, at + 2);
            }
        }
        "migrate" => {
            let mut i = 6;
            while i < argv.len() {
                if eq_ic(&argv[i], "auth") {
                    hide(&mut out, i + 1);
                    i += 2;
                } else if eq_ic(&argv[i], "auth2") {
                    hide(&mut out, i + 1);
                    hide(&mut out, i + 2);
                    i += 3;
                } else if eq_ic(&argv[i], "keys") {
                    break;
                } else {
                    i += 1;
                }
            }
        }
        "config|set" => {
            let mut i = 2;
            while i + 1 < argv.len() {
                if eq_ic(&argv[i], "requirepass") || eq_ic(&argv[i], "masterauth") {
                    hide(&mut out, i + 1);
                }
                i += 2;
            }
        }
        _ => {}
    }
    hidden.then_some(out)
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
        wake_at: req.wake_at,
        duration_us: req.duration_us,
    });
}

/// Counts in INFO commandstats a blocked command that ends without being served (timeout,
/// CLIENT UNBLOCK): see `call`.
pub fn count_unblocked(store: &mut Store, w: &Waiter, failed: bool) {
    if let Ok((cmd, full)) = resolve(&w.argv) {
        let track = store.config.latency_tracking;
        store.stats.finished(full, failed, w.duration_us, track);
        // Logged as Redis 7.2 logs it, with the time the blocking attempt ran.
        if cmd.flags & SKIP_SLOWLOG == 0
            && crate::slowlog::SlowLog::qualifies(
                store.config.slowlog_log_slower_than,
                w.duration_us,
            )
        {
            let at = Instant::now();
            slowlog_push(
                store,
                w.id,
                w.name.as_ref(),
                full,
                &w.argv,
                w.duration_us,
                at,
            );
        }
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
    // The time re-runs see (`call` takes its clock the same way).
    let now = store.unix_ms_at(store.clock_last);
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
                let group_read = matches!(w.stream, Some(StreamWait::Group { .. }));
                match store.peek(db, &key) {
                    Some(crate::db::Value::Stream(s)) if w.btype == BlockedType::Stream => {
                        let i = w.keys.iter().position(|k| *k == key).unwrap_or(0);
                        if let Some(sw) = w.stream.as_ref().filter(|sw| !sw.may_serve(i, s, now)) {
                            // A CLAIM read not served now still wakes when the entry this
                            // write made pending has been idle long enough.
                            if let Some(t) = sw.claimable_at(s) {
                                if let Some(w) = store.blocking.waiters.get_mut(&id) {
                                    w.wake_at = Some(w.wake_at.map_or(t, |x| x.min(t)));
                                }
                            }
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
                    Outcome::Blocked(b) => {
                        if let Some(w) = store.blocking.waiters.get_mut(&id) {
                            w.argv = argv;
                            w.wake_at = b.wake_at;
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

/// HDEL, SREM, ZREM: removes `members` from the collection of type `T` at `key` (stopping
/// once it is empty), with one change per member and `event`, and deletes the key with its
/// last member (`del` after the command's event). Replies the number removed.
pub fn remove_members<T: crate::keyspace::ValueType>(
    ctx: &mut Ctx,
    argv: &[Bytes],
    class: u32,
    event: &str,
    mut remove: impl FnMut(&mut T, &[u8]) -> bool,
    is_empty: impl Fn(&T) -> bool,
) -> CmdResult {
    let db = ctx.db();
    let key = &argv[1];
    let mut n = 0;
    // HDEL's fields for Redis 8.8's subkey notifications (hashes only have subkey events).
    let subkeys = class == crate::config::NOTIFY_HASH && ctx.store.subkeys_wanted(class);
    let mut removed: Vec<&Bytes> = Vec::new();
    if let Some(c) = ctx.store.get_mut::<T>(db, key)? {
        for m in &argv[2..] {
            if remove(c, m) {
                n += 1;
                if subkeys {
                    removed.push(m);
                }
                if is_empty(c) {
                    break;
                }
            }
        }
    }
    if n > 0 {
        ctx.store.written_n(db, key, class, event, n);
        ctx.store.notify_subkeys(db, key, class, event, &removed);
        ctx.store.delete_if_empty(db, key);
    }
    ctx.out.int(n as i64);
    Ok(())
}

/// The end of a *STORE command (SINTERSTORE, ZUNIONSTORE, SORT ... STORE): `result`, of
/// `len` elements, replaces `dst` (`setKey`) with `event` and `changes` changes; an empty
/// result deletes `dst` instead, with `del` if it existed. Replies `len`.
pub fn store_result(
    ctx: &mut Ctx,
    dst: &Bytes,
    result: crate::db::Value,
    len: usize,
    (class, event, changes): (u32, &str, u64),
) {
    let db = ctx.db();
    if len > 0 {
        if let Some(old) = ctx.store.overwrite(db, dst, result, false) {
            ctx.store.notify_replaced(db, dst, &old);
        }
        ctx.store.written_n(db, dst, class, event, changes);
    } else if ctx.store.delete(db, dst).is_some() {
        ctx.store
            .written(db, dst, crate::config::NOTIFY_GENERIC, "del");
    }
    ctx.out.int(len as i64);
}

/// The largest reply a negative random count (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER) may
/// build: elements repeat, so its size follows the count, not the collection.
const MAX_RANDOM_REPLY_BYTES: u128 = 1 << 30;

/// Whether `count` repeated random draws would pass [`MAX_RANDOM_REPLY_BYTES`], estimated
/// from the mean size of a few drawn elements (`sample` draws one and gives its bytes).
pub fn random_reply_too_big(count: usize, mut sample: impl FnMut() -> usize) -> bool {
    let samples = 8;
    let total: usize = (0..samples).map(|_| sample() + 32).sum();
    count as u128 * (total / samples).max(1) as u128 > MAX_RANDOM_REPLY_BYTES
}

/// `count` distinct random elements of a collection of `size` (`count < size`), as Redis's
/// HRANDFIELD / SRANDMEMBER / ZRANDMEMBER pick them: when that is most of the collection,
/// all of it (`all`) less random ones (CASE 3); else draws (`draw`) until `count` are
/// distinct (CASE 4).
pub fn distinct_random<T: Eq + std::hash::Hash + Copy>(
    size: usize,
    count: usize,
    rng: &mut crate::util::Rng,
    all: impl FnOnce() -> Vec<T>,
    mut draw: impl FnMut(&mut crate::util::Rng) -> T,
) -> Vec<T> {
    if count.saturating_mul(3) > size {
        let mut all = all();
        while all.len() > count {
            let i = rng.below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        return all;
    }
    let mut seen = hashbrown::HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let x = draw(rng);
        if seen.insert(x) {
            out.push(x);
        }
    }
    out
}

pub fn eq_ic(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

// -------------------------------------------------------------------------------------------
// The table: every family's rows (`table.rs` describes a row)
// -------------------------------------------------------------------------------------------

/// The families' tables, in the order COMMAND lists them.
const FAMILIES: &[&[Command]] = &[
    connection::COMMANDS,
    server::COMMANDS,
    acl::COMMANDS,
    keys::COMMANDS,
    dump::COMMANDS,
    strings::COMMANDS,
    lists::COMMANDS,
    hashes::COMMANDS,
    sets::COMMANDS,
    zsets::COMMANDS,
    sort::COMMANDS,
    streams::COMMANDS,
    pubsub::COMMANDS,
    scripting::COMMANDS,
    functions::COMMANDS,
];

/// Every top-level command, concatenated once from the families' rows.
pub fn commands() -> &'static [&'static Command] {
    use std::sync::OnceLock;
    static ALL: OnceLock<Vec<&'static Command>> = OnceLock::new();
    ALL.get_or_init(|| FAMILIES.iter().flat_map(|f| f.iter()).collect())
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
