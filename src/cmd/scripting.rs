//! Scripting commands (Redis's `eval.c`): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
//! LOAD / EXISTS / FLUSH / KILL / HELP. The interpreter, the cache and the conversions are
//! `crate::scripting`; this module runs a script against the store and turns its outcome into
//! the reply.
//!
//! A script's commands run through [`super::call`] as the script client, after Redis's
//! `scriptCall` checks (unknown command, arity, `noscript`, writes from a read-only script,
//! OOM); their effects propagate one by one (wrapped in MULTI/EXEC when there are several),
//! and the EVAL itself does not. The store's clock is frozen at the script's start.

use super::Ctx;
use crate::client::{Client, ClientShared};
use crate::error::{CmdError, CmdResult};
use crate::scripting::convert::{
    lua_number_text, lua_to_reply, push_reply, push_string_array, push_tagged_str,
};
use crate::scripting::libs::RunState;
use crate::scripting::{err_info, ScriptFlags, ERROR_HANDLER_KEY};
use crate::store::Store;
use bytes::Bytes;
use mlua::{ffi, Function, Lua, Table, Value};
use resp::writer::{Protocol, ReplyWriter};
use std::borrow::Cow;
use std::cell::Cell;
use std::ffi::c_int;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// The id of the client scripts run commands as (never a connection's).
pub(crate) const SCRIPT_CLIENT_ID: u64 = u64::MAX - 1;

fn parse_numkeys(arg: &[u8], rest: usize) -> CmdResult<usize> {
    let n = super::parse_int(arg)?;
    if n < 0 {
        return Err(CmdError::err("Number of keys can't be negative"));
    }
    if n as u64 > rest as u64 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    Ok(n as usize)
}

fn noscript() -> CmdError {
    CmdError::Raw("NOSCRIPT No matching script. Please use EVAL.".into())
}

/// EVAL, EVALSHA and their _RO forms.
fn eval_generic(ctx: &mut Ctx, argv: &[Bytes], by_sha: bool, ro: bool) -> CmdResult {
    let numkeys = parse_numkeys(&argv[2], argv.len() - 3)?;
    let sha: Cow<str> = if by_sha {
        // Clients send the lowercase hex SCRIPT LOAD gave them: used as it is.
        match std::str::from_utf8(&argv[1]) {
            Ok(s) if !s.bytes().any(|c| c.is_ascii_uppercase()) => Cow::Borrowed(s),
            _ => Cow::Owned(String::from_utf8_lossy(&argv[1]).to_ascii_lowercase()),
        }
    } else {
        Cow::Owned(ctx.store.scripting.load(&argv[1]).map_err(CmdError::err)?)
    };
    let Some(script) = ctx.store.scripting.cache.get(&*sha) else {
        return Err(noscript());
    };
    let (func, flags) = (script.func.clone(), script.flags);
    let keys = &argv[3..3 + numkeys];
    let args = &argv[3 + numkeys..];
    run_callee(ctx, func, flags, Callee::Script(&sha), &[], keys, args, ro)
}

pub fn eval(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, false)
}

pub fn evalsha(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, false)
}

pub fn eval_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, false, true)
}

pub fn evalsha_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    eval_generic(ctx, argv, true, true)
}

fn out_of_memory(store: &mut Store) -> bool {
    store.config.maxmemory > 0
        && crate::evict::perform_evictions(store) == crate::evict::Evict::Fail
}

/// What a script run needs to know of itself inside `redis.call`.
struct RunCtx {
    read_only: bool,
    flags: ScriptFlags,
}

/// What `redis.call` needs while a script runs, set for the length of one run.
#[derive(Clone, Copy)]
struct Bridge {
    store: *mut Store,
    client: *mut Client,
    run: *const RunCtx,
    /// The reply buffer the script's commands write into, reused across its calls.
    out: *mut ReplyWriter,
}

/// What redis.call and redis.pcall (C functions, as Redis's) reach through their upvalue: a
/// pointer to this, boxed in the interpreter's app data once and never replaced, so it lives
/// as long as the functions can be called.
struct BridgeCell {
    /// The run's pointers while a script runs; None between runs.
    bridge: Cell<Option<Bridge>>,
    /// The interpreter's [`RunState`] (boxed in its app data, never replaced either).
    state: *const RunState,
    /// The argument vector, reused across calls (emptied after each).
    argv: Cell<Vec<Bytes>>,
    /// The error handler a run is called under.
    handler: mlua::RegistryKey,
}

// SAFETY: the pointers are only dereferenced by redis.call on the thread running the script,
// while `run_in`, which made them from live borrows and does not touch those borrows until
// the script returns, is on the stack; the interpreter (and so this) moves between threads
// only between runs.
unsafe impl Send for BridgeCell {}

/// The interpreter's bridge cell, made (with redis.call and redis.pcall) on first use.
fn bridge_cell(lua: &Lua) -> mlua::Result<*const BridgeCell> {
    if let Some(c) = lua.app_data_ref::<Box<BridgeCell>>() {
        return Ok(&**c as *const BridgeCell);
    }
    let state = lua
        .app_data_ref::<Box<RunState>>()
        .map(|s| &**s as *const RunState)
        .ok_or_else(|| mlua::Error::runtime("interpreter without run state"))?;
    let handler: Function = lua.named_registry_value(ERROR_HANDLER_KEY)?;
    lua.set_app_data(Box::new(BridgeCell {
        bridge: Cell::new(None),
        state,
        argv: Cell::new(Vec::new()),
        handler: lua.create_registry_value(handler)?,
    }));
    let cell = lua
        .app_data_ref::<Box<BridgeCell>>()
        .map(|c| &**c as *const BridgeCell)
        .expect("just set");
    let redis: Table = lua.globals().raw_get("redis")?;
    // SAFETY: the table is on the stack; each closure is pushed and stored in it, then the
    // table is popped. `cell` outlives the closures (see `BridgeCell`).
    unsafe {
        lua.exec_raw::<()>(&redis, |l| {
            let fns: [(&std::ffi::CStr, ffi::lua_CFunction); 3] = [
                (c"call", lua_redis_call),
                (c"pcall", lua_redis_pcall),
                (c"acl_check_cmd", lua_acl_check_cmd),
            ];
            for (name, f) in fns {
                ffi::lua_pushlightuserdata(l, cell as *mut std::ffi::c_void);
                ffi::lua_pushcclosure(l, f, 1);
                ffi::lua_setfield(l, -2, name.as_ptr());
            }
            ffi::lua_settop(l, -2);
        })?;
    }
    Ok(cell)
}

/// redis.call: the command's reply, or its error table raised (from this C frame, so the
/// caller's frame stays for the error's `source:line`, as in Redis).
unsafe extern "C-unwind" fn lua_redis_call(l: *mut ffi::lua_State) -> c_int {
    if call_from_lua(l) {
        ffi::lua_error(l)
    } else {
        1
    }
}

/// redis.pcall: the command's reply or its error table, returned.
unsafe extern "C-unwind" fn lua_redis_pcall(l: *mut ffi::lua_State) -> c_int {
    call_from_lua(l);
    1
}

/// Runs the command the Lua arguments name and pushes its reply (or the error table); true
/// when that is an error. Every Rust value with a destructor is gone when this returns, so
/// the caller may raise (a longjmp).
///
/// # Safety
/// Called by Lua as a closure made by [`bridge_cell`].
#[inline(never)]
unsafe fn call_from_lua(l: *mut ffi::lua_State) -> bool {
    let cell = &*(ffi::lua_touserdata(l, ffi::lua_upvalueindex(1)) as *const BridgeCell);
    let Some(b) = cell.bridge.get() else {
        push_error(l, "ERR redis.call is only available inside a script");
        return true;
    };
    let mut argv = cell.argv.take();
    // SAFETY: see `BridgeCell`: set by `run_in` for this run, valid until it returns, and
    // nothing else uses these borrows meanwhile (a script's command never runs Lua).
    let outcome = match lua_args(l, &mut argv) {
        Ok(()) => script_call(
            &mut *b.store,
            &mut *b.client,
            &*b.run,
            &mut *b.out,
            &*cell.state,
            &argv,
        ),
        Err(e) => Err(Cow::Borrowed(e)),
    };
    argv.clear();
    cell.argv.set(argv);
    match outcome {
        Err(msg) => {
            push_error(l, &msg);
            true
        }
        Ok(()) => {
            let bytes = (*b.out).bytes();
            if bytes.is_empty() {
                ffi::lua_pushnil(l);
                false
            } else {
                push_reply(l, bytes);
                bytes[0] == b'-'
            }
        }
    }
}

/// redis.acl_check_cmd: whether the script's user may run the command the arguments name
/// (arity is not checked); an unknown command is an error.
unsafe extern "C-unwind" fn lua_acl_check_cmd(l: *mut ffi::lua_State) -> c_int {
    match acl_check_from_lua(l) {
        Some(allowed) => {
            ffi::lua_pushboolean(l, allowed as c_int);
            1
        }
        None => ffi::lua_error(l),
    }
}

/// The check of [`lua_acl_check_cmd`], or None with the error table pushed. Every Rust value
/// with a destructor is gone when this returns, so the caller may raise.
///
/// # Safety
/// Called by Lua as a closure made by [`bridge_cell`].
#[inline(never)]
unsafe fn acl_check_from_lua(l: *mut ffi::lua_State) -> Option<bool> {
    let cell = &*(ffi::lua_touserdata(l, ffi::lua_upvalueindex(1)) as *const BridgeCell);
    let Some(b) = cell.bridge.get() else {
        push_error(
            l,
            "ERR redis.acl_check_cmd can only be called inside a script invocation",
        );
        return None;
    };
    let mut argv = cell.argv.take();
    let outcome = match lua_args(l, &mut argv) {
        // SAFETY: see `call_from_lua`.
        Ok(()) => match super::lookup_row(&argv) {
            Some((row, _)) => Ok((*b.client)
                .user
                .as_ref()
                .is_none_or(|u| u.check(row, &argv).is_ok())),
            None => Err("ERR Invalid command passed to redis.acl_check_cmd()"),
        },
        Err(e) => Err(e),
    };
    argv.clear();
    cell.argv.set(argv);
    match outcome {
        Ok(allowed) => Some(allowed),
        Err(msg) => {
            push_error(l, msg);
            None
        }
    }
}

/// Pushes `{err = msg}`.
unsafe fn push_error(l: *mut ffi::lua_State, msg: &str) {
    push_tagged_str(l, c"err", msg.as_bytes());
}

/// The arguments of redis.call as command arguments: strings, and numbers as Lua prints
/// them.
unsafe fn lua_args(l: *mut ffi::lua_State, argv: &mut Vec<Bytes>) -> Result<(), &'static str> {
    let n = ffi::lua_gettop(l);
    if n == 0 {
        return Err("ERR Please specify at least one argument for this redis lib call");
    }
    for i in 1..=n {
        match ffi::lua_type(l, i) {
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let p = ffi::lua_tolstring(l, i, &mut len) as *const u8;
                argv.push(Bytes::copy_from_slice(std::slice::from_raw_parts(p, len)));
            }
            ffi::LUA_TNUMBER => argv.push(Bytes::from(lua_number_text(ffi::lua_tonumber(l, i)))),
            _ => return Err("ERR Lua redis lib command arguments must be strings or integers"),
        }
    }
    Ok(())
}

/// One command for the script, after Redis's `scriptCall` checks; its reply is in `out`, or
/// the error reply the checks give instead is returned.
fn script_call(
    store: &mut Store,
    client: &mut Client,
    run: &RunCtx,
    out: &mut ReplyWriter,
    state: &RunState,
    argv: &[Bytes],
) -> Result<(), Cow<'static, str>> {
    let (cmd, full) = match super::resolve(argv) {
        Ok(x) => x,
        Err(CmdError::WrongArity(_)) => {
            return Err("ERR Wrong number of args calling Redis command from script".into())
        }
        Err(_) => return Err("ERR Unknown Redis command called from script".into()),
    };
    if cmd.flags & super::NOSCRIPT != 0 {
        return Err("ERR This Redis command is not allowed from script".into());
    }
    if let Some(denied) =
        super::acl_check(store, client, cmd, full, argv, crate::acl::LogContext::Lua)
    {
        let name = client.user_name();
        return Err(format!(
            "ERR ACL failure in script: {}",
            denied.message(&name, full, argv, false)
        )
        .into());
    }
    if cmd.flags & super::WRITE != 0 {
        if run.read_only || run.flags.no_writes {
            return Err("ERR Write commands are not allowed from read-only scripts.".into());
        }
        if cmd.flags & super::DENYOOM != 0
            && !run.flags.allow_oom
            && !store.scripting.status.wrote.load(Ordering::Relaxed)
            && out_of_memory(store)
        {
            return Err("OOM command not allowed when used memory > 'maxmemory'.".into());
        }
        if let Some(e) = super::disk_error(store) {
            return Err(e.text().into_owned().into());
        }
        store.scripting.status.wrote.store(true, Ordering::Relaxed);
    }
    let resp = state.resp.get();
    client.resp = resp;
    out.reset(if resp == 3 {
        Protocol::Resp3
    } else {
        Protocol::Resp2
    });
    let effects_before = store.effects.len();
    // The script's writes are wrapped as a whole (see `run`), not command by command.
    let nested = std::mem::replace(&mut store.in_transaction, true);
    super::call(store, client, cmd, full, argv, out, true);
    store.in_transaction = nested;
    if state.repl.get() & 1 == 0 {
        // redis.set_repl without REPL_AOF: this write stays out of the log.
        store.effects.truncate(effects_before);
    }
    Ok(())
}

/// What a run calls: an EVAL script (by its sha) or a function (by its name).
#[derive(Clone, Copy)]
pub(super) enum Callee<'a> {
    Script(&'a str),
    Function(&'a str),
}

/// Runs `func` (a script or a function, with its flags) and writes its reply.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_callee(
    ctx: &mut Ctx,
    func: Arc<mlua::RegistryKey>,
    flags: ScriptFlags,
    callee: Callee,
    caller_argv: &[Bytes],
    keys: &[Bytes],
    args: &[Bytes],
    ro: bool,
) -> CmdResult {
    if flags.shebang && ro && !flags.no_writes {
        return Err(CmdError::err(
            "Can not execute a script with write flag using *_ro command.",
        ));
    }
    if flags.shebang && !flags.no_writes && !flags.allow_oom && out_of_memory(ctx.store) {
        return Err(CmdError::Raw(
            "OOM command not allowed when used memory > 'maxmemory'.".into(),
        ));
    }
    let scripting = &mut ctx.store.scripting;
    let lua = match callee {
        Callee::Script(_) => scripting.take_lua(),
        Callee::Function(_) => scripting.functions.take_lua(),
    };
    let Some(lua) = lua else {
        return Err(CmdError::err(
            "This Redis command is not allowed from script",
        ));
    };
    let outcome = run_in(
        ctx,
        &lua,
        &func,
        callee,
        caller_argv,
        keys,
        args,
        RunCtx {
            read_only: ro,
            flags,
        },
    );
    match callee {
        Callee::Script(_) => ctx.store.scripting.put_lua(lua),
        Callee::Function(_) => ctx.store.scripting.functions.put_lua(lua),
    }
    outcome
}

#[allow(clippy::too_many_arguments)]
fn run_in(
    ctx: &mut Ctx,
    lua: &Lua,
    func: &mlua::RegistryKey,
    callee: Callee,
    caller_argv: &[Bytes],
    keys: &[Bytes],
    args: &[Bytes],
    run: RunCtx,
) -> CmdResult {
    let lerr = |e: mlua::Error| CmdError::err(crate::scripting::lua_msg(&e));
    // The registry reference is used raw below: it must be this interpreter's.
    if !lua.owns_registry_value(func) {
        return Err(CmdError::err("the script belongs to another interpreter"));
    }
    let (name, is_script) = match callee {
        Callee::Script(sha) => (sha, true),
        Callee::Function(name) => (name, false),
    };
    // SAFETY: the cell lives as long as `lua` (see `BridgeCell`), and so does its run state.
    let cell = unsafe { &*bridge_cell(lua).map_err(lerr)? };
    let state = unsafe { &*cell.state };
    state.reset();

    let store: &mut Store = ctx.store;
    let out: &mut ReplyWriter = ctx.out;
    let mut client = store
        .scripting
        .client
        .take()
        .unwrap_or_else(|| Client::new(Arc::new(ClientShared::new(SCRIPT_CLIENT_ID)), true));
    client.db = ctx.client.db;
    client.resp = 2;
    // The script's commands run as its caller's user.
    client.user = ctx.client.user.clone();
    client.acl_version = ctx.client.acl_version;

    // The busy threshold and SCRIPT KILL, checked every 100,000 instructions.
    let status = store.scripting.status.clone();
    status.kill.store(false, Ordering::SeqCst);
    status.wrote.store(false, Ordering::SeqCst);
    status.running.store(ctx.client.id, Ordering::SeqCst);
    let is_function = matches!(callee, Callee::Function(_));
    status.function.store(is_function, Ordering::SeqCst);
    if is_function {
        *status.current.lock().unwrap() =
            Some((name.to_string(), caller_argv.to_vec(), Instant::now()));
    }
    let threshold = store
        .config
        .get("busy-reply-threshold")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(5000);
    let started = Instant::now();
    let hook_status = status.clone();
    lua.set_hook(
        mlua::HookTriggers::new().every_nth_instruction(100_000),
        move |_lua, _debug| {
            if !hook_status.busy.load(Ordering::Relaxed)
                && started.elapsed().as_millis() as u64 >= threshold
            {
                hook_status.busy.store(true, Ordering::SeqCst);
                // Other clients are answered from here on (Redis's processEventsWhileBlocked).
                if let Some(start) = hook_status.on_busy.get() {
                    *hook_status.busy_stop.lock().unwrap() = start();
                }
            }
            if hook_status.kill.load(Ordering::SeqCst) {
                return Err(mlua::Error::runtime(
                    "Script killed by user with SCRIPT KILL...",
                ));
            }
            Ok(mlua::VmState::Continue)
        },
    );

    store.script_time = Some(ctx.now);
    let effects_before = store.effects.len();
    let db_before = client.db;
    let mut call_out = ReplyWriter::new(Protocol::Resp2);
    // The pointers set here are cleared before the borrows they come from are used again.
    cell.bridge.set(Some(Bridge {
        store: &mut *store,
        client: &mut client,
        run: &run,
        out: &mut call_out,
    }));
    let (func_ref, handler_ref) = (func.id(), cell.handler.id());
    // (ok, the value returned or the error handler's table). A script reads KEYS and ARGV as
    // globals (kept until the next run, as Redis does); a function gets them as arguments.
    // SAFETY: registry references of live values; the stack holds the handler, the function
    // and its arguments, and then the outcome; only borrows live in the closure, so an error
    // raised through it (memory) skips nothing that needs dropping.
    let result: mlua::Result<(bool, Value)> = unsafe {
        lua.exec_raw((), |l| {
            ffi::luaL_checkstack(l, 8, c"no room to run a script".as_ptr());
            ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, handler_ref as _);
            let handler = ffi::lua_gettop(l);
            ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, func_ref as _);
            let nargs = if is_script {
                for (name, items) in [(c"KEYS", keys), (c"ARGV", args)] {
                    ffi::lua_pushstring(l, name.as_ptr());
                    push_string_array(l, items);
                    ffi::lua_rawset(l, ffi::LUA_GLOBALSINDEX);
                }
                0
            } else {
                push_string_array(l, keys);
                push_string_array(l, args);
                2
            };
            let status = ffi::lua_pcall(l, nargs, 1, handler);
            ffi::lua_pushboolean(l, (status == 0) as c_int);
            ffi::lua_replace(l, handler);
        })
    };
    cell.bridge.set(None);
    lua.remove_hook();
    store.script_time = None;
    let stop = status.busy_stop.lock().unwrap().take();
    if let Some(stop) = stop {
        stop();
    }
    status.busy.store(false, Ordering::SeqCst);
    status.running.store(0, Ordering::SeqCst);
    status.function.store(false, Ordering::SeqCst);
    *status.current.lock().unwrap() = None;
    status.done.notify_waiters();
    store.scripting.client = Some(client);

    // The script's writes, as one transaction when there are several.
    if store.aof.enabled && !store.replaying && store.effects.len() > effects_before + 1 {
        store.effects.insert(
            effects_before,
            (db_before, vec![Bytes::from_static(b"MULTI")]),
        );
        let db = store.effects.last().map_or(db_before, |e| e.0);
        store.effects.push((db, vec![Bytes::from_static(b"EXEC")]));
    }
    ctx.no_propagate = true;

    let script_resp = state.resp.get();
    match result {
        Ok((true, v)) => {
            lua_to_reply(&v, out, script_resp);
            Ok(())
        }
        Ok((false, e)) => {
            let info = err_info(&e);
            let mut msg = info.err;
            if let (Some(src), Some(line)) = (info.source, info.line) {
                msg.push_str(&format!(" script: {name}, on {src}:{line}."));
            }
            Err(CmdError::Raw(msg))
        }
        Err(e) => Err(CmdError::err(crate::scripting::lua_msg(&e))),
    }
}

/// SCRIPT LOAD body: the sha, the script compiled and cached.
pub fn script_load(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let sha = ctx.store.scripting.load(&argv[2]).map_err(CmdError::err)?;
    ctx.out.bulk(sha.as_bytes());
    Ok(())
}

pub fn script_exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let out = &mut *ctx.out;
    out.array(argv.len() - 2);
    for a in &argv[2..] {
        let sha = String::from_utf8_lossy(a).to_ascii_lowercase();
        out.int(ctx.store.scripting.cache.contains_key(&sha) as i64);
    }
    Ok(())
}

pub fn script_flush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match argv.get(2) {
        None => {}
        Some(a) if a.eq_ignore_ascii_case(b"SYNC") || a.eq_ignore_ascii_case(b"ASYNC") => {}
        Some(_) => return Err(CmdError::err("SCRIPT FLUSH only support SYNC|ASYNC option")),
    }
    if argv.len() > 3 {
        return Err(CmdError::err("SCRIPT FLUSH only support SYNC|ASYNC option"));
    }
    ctx.store.scripting.flush();
    ctx.out.ok();
    Ok(())
}

/// SCRIPT KILL through the store: no script is running while a command holds it (a busy
/// script is killed from the connection, see `connection.rs`).
pub fn script_kill(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Err(CmdError::Raw(
        "NOTBUSY No scripts in execution right now.".into(),
    ))
}

pub fn script_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let lines = [
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
    ];
    super::connection::write_help(ctx, "SCRIPT", &lines);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// Command-level table: each line runs in order on one session.
    #[test]
    fn scripting_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["eval", "return 1", "0"][..], ":1\r\n"),
            (&["eval", "return {1, 'a', false, 2.9}", "0"], "*4\r\n:1\r\n$1\r\na\r\n$-1\r\n:2\r\n"),
            (&["eval", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"], "+OK\r\n"),
            (&["eval", "return redis.call('get', 'k')", "0"], "$1\r\nv\r\n"),
            (&["eval", "return redis.pcall('incr', 'k')", "0"], "-ERR value is not an integer or out of range\r\n"),
            (
                &["eval", "return x", "0"],
                "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n",
            ),
            (
                &["eval", "return redis.call('nosuch')", "0"],
                "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n",
            ),
            (&["eval", "return 1", "-1"], "-ERR Number of keys can't be negative\r\n"),
            (&["script", "load", "return 'loaded'"], "$40\r\nb534286061d4b9e4026607613b95c06c06015ae8\r\n"),
            (&["evalsha", "B534286061D4B9E4026607613B95C06C06015AE8", "0"], "$6\r\nloaded\r\n"),
            (&["evalsha", "ffffffffffffffffffffffffffffffffffffffff", "0"], "-NOSCRIPT No matching script. Please use EVAL.\r\n"),
            (&["eval_ro", "return redis.pcall('set', 'k', 'x')", "0"], "-ERR Write commands are not allowed from read-only scripts.\r\n"),
            (&["eval", "return redis.sha1hex('')", "0"], "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"),
            (&["eval", "return cjson.encode({1, 2, {a = 'b/c'}})", "0"], "$18\r\n[1,2,{\"a\":\"b\\/c\"}]\r\n"),
            (&["eval", "return cjson.decode('{\"x\": [10, 20]}').x[2]", "0"], ":20\r\n"),
            (&["eval", "return bit.band(0xff, 0x0f) + bit.lshift(1, 8)", "0"], ":271\r\n"),
            (&["script", "flush"], "+OK\r\n"),
            (&["script", "exists", "b534286061d4b9e4026607613b95c06c06015ae8"], "*1\r\n:0\r\n"),
        ] {
            assert_eq!(s.run(argv), want, "{argv:?}");
        }
    }

    #[test]
    fn the_cache_holds_more_scripts_than_lua_has_stack_slots() {
        // Lua 5.1 has ~8,000 auxiliary stack slots: cached scripts must not hold one each.
        let mut s = Session::default();
        let mut first = String::new();
        for i in 0..12_000 {
            let r = s.run(&["script", "load", &format!("return {i}")]);
            assert!(r.starts_with("$40\r\n"), "{r}");
            if i == 0 {
                first = r[5..45].to_string();
            }
        }
        assert_eq!(s.run(&["evalsha", &first, "0"]), ":0\r\n");
        assert_eq!(s.run(&["eval", "return 12000", "0"]), ":12000\r\n");
    }

    #[test]
    fn a_script_that_writes_twice_is_one_transaction_in_the_log() {
        let mut s = Session::default();
        s.store.aof.enabled = true;
        s.run(&[
            "eval",
            "redis.call('set', 'a', '1') redis.call('set', 'b', '2') return 1",
            "0",
        ]);
        let names: Vec<String> = s
            .store
            .effects
            .iter()
            .map(|(_, a)| String::from_utf8_lossy(&a[0]).into_owned())
            .collect();
        assert_eq!(names, ["MULTI", "set", "set", "EXEC"]);
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

    pub static SCRIPT_SUBS: &[Command] = &[
        Command {
            name: "exists",
            arity: -3,
            flags: NOSCRIPT | STALE,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
            handler: script_exists,
            doc: Doc { summary: "Determines whether server-side Lua scripts exist in the script cache.", since: "2.6.0", group: "scripting", complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", args: &[
                    Arg { name: "sha1", kind: "string", display: Some("sha1"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "flush",
            arity: -2,
            flags: NOSCRIPT | STALE,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: script_flush,
            doc: Doc { summary: "Removes all server-side Lua scripts from the script cache.", since: "2.6.0", group: "scripting", complexity: "O(N) with N being the number of scripts in cache", history: &[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")], args: &[
                    Arg { name: "flush-type", kind: "oneof", since: Some("6.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "async", kind: "pure-token", display: Some("async"), token: Some("ASYNC"), ..Arg::DEFAULT },
                        Arg { name: "sync", kind: "pure-token", display: Some("sync"), token: Some("SYNC"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: script_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "scripting", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "kill",
            arity: 2,
            flags: NOSCRIPT | ALLOW_BUSY,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
            handler: script_kill,
            doc: Doc { summary: "Terminates a server-side Lua script during execution.", since: "2.6.0", group: "scripting", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "load",
            arity: 3,
            flags: NOSCRIPT | STALE,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: script_load,
            doc: Doc { summary: "Loads a server-side Lua script to the script cache.", since: "2.6.0", group: "scripting", complexity: "O(N) with N being the length in bytes of the script body.", args: &[
                    Arg { name: "script", kind: "string", display: Some("script"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
    Command {
        name: "eval",
        arity: -3,
        flags: NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", flags: &["RW", "access", "update"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: eval,
        doc: Doc { summary: "Executes a server-side Lua script.", since: "2.6.0", group: "scripting", complexity: "Depends on the script that is executed.", args: &[
                Arg { name: "script", kind: "string", display: Some("script"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "evalsha",
        arity: -3,
        flags: NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RW", "access", "update"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: evalsha,
        doc: Doc { summary: "Executes a server-side Lua script by SHA1 digest.", since: "2.6.0", group: "scripting", complexity: "Depends on the script that is executed.", args: &[
                Arg { name: "sha1", kind: "string", display: Some("sha1"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "eval_ro",
        arity: -3,
        flags: READONLY | NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: eval_ro,
        doc: Doc { summary: "Executes a read-only server-side Lua script.", since: "7.0.0", group: "scripting", complexity: "Depends on the script that is executed.", args: &[
                Arg { name: "script", kind: "string", display: Some("script"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "evalsha_ro",
        arity: -3,
        flags: READONLY | NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: evalsha_ro,
        doc: Doc { summary: "Executes a read-only server-side Lua script by SHA1 digest.", since: "7.0.0", group: "scripting", complexity: "Depends on the script that is executed.", args: &[
                Arg { name: "sha1", kind: "string", display: Some("sha1"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },


    Command {
        name: "script",
        arity: -2,
        flags: 0,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        doc: Doc { summary: "A container for Lua scripts management commands.", since: "2.6.0", group: "scripting", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
        subcommands: SCRIPT_SUBS,
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
