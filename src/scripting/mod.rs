//! Lua scripting, as Redis's `eval.c` and `script_lua.c` run it: one Lua 5.1 interpreter
//! (mlua, vendored), the script cache, and the bridge that lets a script call commands.
//!
//! ```text
//!  EVAL body n keys.. args..  ──► sha1(body) ──► cache: sha → compiled function (f_<sha>)
//!        │                                           │
//!        └── KEYS / ARGV set ──► xpcall(function, error handler) ──► reply (Lua → RESP)
//!                                     │
//!              redis.call(...) ──► bridge (a C function, `cmd::scripting`): checks,
//!                                  `cmd::call` as the script client, reply bytes pushed
//!                                  onto the Lua stack (RESP → Lua)
//! ```
//!
//! - The interpreter lives in the store and is taken out while a script runs (a script never
//!   runs another: EVAL is `noscript`), so the bridge can hold the store mutably.
//! - Scripts see Redis 7's environment: the base library without `print`, `dofile`,
//!   `loadfile`, `getfenv`, `setfenv`, `require`, `module`, `newproxy`; `table`, `string`,
//!   `math`, `coroutine`, `os` (with `clock` only), `bit`, `cjson`, `cmsgpack`, `struct`,
//!   `redis`. The globals a script sees are read-only: reading a missing one and writing any
//!   are errors, as are writes to the library tables (proxies: Redis patches Lua for
//!   read-only tables; stock Lua needs a proxy, so `pairs()` over a library is empty).
//! - Effects, not scripts, are propagated: each write the script makes goes to the AOF as
//!   itself, wrapped in MULTI/EXEC when there is more than one; the EVAL is not.
//! - A script runs on the event loop, as Redis's does. Running past `busy-reply-threshold`
//!   it keeps running; the instruction hook marks the server busy ([`ScriptStatus`]) and
//!   calls the server's busy hook, which answers the other clients (-BUSY, SCRIPT KILL) from
//!   another thread until the script ends (`busy_io.rs`); the hook stops the script when
//!   SCRIPT KILL asks (refused once it has written).
//! - Cached scripts and function callbacks are kept in the Lua registry, not as `Function`
//!   handles: each handle holds one of Lua's ~8,000 auxiliary stack slots.
//!
//! Invariants: the interpreter is `Some` whenever no script runs; a script's time is frozen
//! at its start (`Store::script_time`), as Redis's commandTimeSnapshot is.

pub mod convert;
pub mod functions;
pub mod libs;

use crate::client::Client;
use bytes::Bytes;
use mlua::{Function, Lua, Table, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// What connections read of a running script without the store lock.
#[derive(Default)]
pub struct ScriptStatus {
    /// Past busy-reply-threshold: other clients get -BUSY.
    pub busy: AtomicBool,
    /// SCRIPT KILL asked the running script to stop.
    pub kill: AtomicBool,
    /// The running script has written (SCRIPT KILL answers -UNKILLABLE).
    pub wrote: AtomicBool,
    /// Nonzero while a script runs (the id of its client).
    pub running: AtomicU64,
    /// With several runtime threads: batches that hold (or are about to take) the store and
    /// hold a script. While nonzero, other tasks wait for the store without blocking a
    /// thread on its lock, so they can answer -BUSY once the script is busy.
    pub script_batches: AtomicU64,
    /// Woken when a script ends (connections waiting for the store).
    pub done: tokio::sync::Notify,
    /// The running script is a function (FCALL): busy replies name FUNCTION KILL.
    pub function: AtomicBool,
    /// What FUNCTION STATS shows while a function runs: its name, the command, its start.
    pub current: std::sync::Mutex<Option<(String, Vec<Bytes>, std::time::Instant)>>,
    /// Libraries and functions loaded (FUNCTION STATS answers them during a busy script).
    pub libraries: AtomicU64,
    pub functions: AtomicU64,
    /// Set by the server: called once a script passes busy-reply-threshold, it starts
    /// answering other clients while the script holds the event loop, and returns what stops
    /// that (called when the script ends). See `busy_io.rs`.
    pub on_busy: std::sync::OnceLock<BusyHook>,
    pub busy_stop: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

/// See [`ScriptStatus::on_busy`].
pub type BusyHook = Box<dyn Fn() -> Option<Box<dyn FnOnce() + Send>> + Send + Sync>;

/// A cached script.
pub struct Script {
    pub body: Box<[u8]>,
    /// The compiled function, in the Lua registry: a `Function` handle would hold one of the
    /// interpreter's ~8,000 auxiliary stack slots for as long as the script is cached.
    pub func: Arc<mlua::RegistryKey>,
    pub flags: ScriptFlags,
}

/// Shebang flags (`#!lua flags=no-writes,allow-oom`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// A shebang was present: the flags below decide, not the EVAL_RO/EVAL compat rules.
    pub shebang: bool,
    pub no_writes: bool,
    pub allow_oom: bool,
    pub allow_stale: bool,
    pub no_cluster: bool,
    pub allow_cross_slot: bool,
}

impl ScriptStatus {
    /// A script runs, or a batch holding one has (or is taking) the store.
    pub fn active(&self) -> bool {
        self.running.load(Ordering::SeqCst) != 0 || self.script_batches.load(Ordering::SeqCst) != 0
    }
}

impl ScriptFlags {
    /// The flags' names, in Redis's order (`scripts_flags_def`).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.no_writes, "no-writes"),
            (self.allow_oom, "allow-oom"),
            (self.allow_stale, "allow-stale"),
            (self.no_cluster, "no-cluster"),
            (self.allow_cross_slot, "allow-cross-slot-keys"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| n)
        .collect()
    }
}

pub struct Scripting {
    lua: Option<Lua>,
    /// sha1 hex (lowercase) → script.
    pub cache: HashMap<String, Script>,
    /// Bytes of cached bodies (INFO used_memory_scripts_eval).
    pub cache_bytes: usize,
    pub status: Arc<ScriptStatus>,
    /// The client scripts call commands as (Redis's fake Lua client).
    pub client: Option<Client>,
    /// FUNCTION libraries, with their own interpreter.
    pub functions: functions::Functions,
}

impl std::fmt::Debug for Scripting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scripting({} scripts)", self.cache.len())
    }
}

pub fn sha1_hex(b: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let d = Sha1::digest(b);
    let mut s = String::with_capacity(40);
    for x in d {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

impl Default for Scripting {
    fn default() -> Self {
        Scripting::new()
    }
}

impl Scripting {
    pub fn new() -> Scripting {
        Scripting {
            lua: Some(new_lua(None).expect("the Lua interpreter starts")),
            cache: HashMap::new(),
            cache_bytes: 0,
            status: Arc::new(ScriptStatus::default()),
            client: None,
            functions: functions::Functions::new(),
        }
    }

    /// The interpreter, taken while a script runs (put back with [`Scripting::put_lua`]).
    pub fn take_lua(&mut self) -> Option<Lua> {
        self.lua.take()
    }

    pub fn put_lua(&mut self, lua: Lua) {
        self.lua = Some(lua);
    }

    pub fn lua(&self) -> Option<&Lua> {
        self.lua.as_ref()
    }

    /// Bytes the interpreter uses (INFO used_memory_lua).
    pub fn lua_memory(&self) -> usize {
        self.lua.as_ref().map_or(0, |l| l.used_memory())
    }

    /// Publishes the function counts to [`ScriptStatus`] (after every change).
    pub fn note_functions(&self) {
        let f = &self.functions;
        self.status
            .libraries
            .store(f.libraries.len() as u64, Ordering::Relaxed);
        self.status
            .functions
            .store(f.function_count() as u64, Ordering::Relaxed);
    }

    /// SCRIPT FLUSH: forgets every script and starts a fresh interpreter.
    pub fn flush(&mut self) {
        self.cache.clear();
        self.cache_bytes = 0;
        self.lua = Some(new_lua(None).expect("the Lua interpreter starts"));
    }

    /// Compiles and caches `body` unless cached; its sha. Errors are Redis's texts (without
    /// the `ERR ` prefix the caller adds).
    pub fn load(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = sha1_hex(body);
        if self.cache.contains_key(&sha) {
            return Ok(sha);
        }
        let lua = self.lua.as_ref().ok_or("no interpreter")?;
        let (flags, code) = parse_shebang(body)?;
        let env: Table = lua
            .named_registry_value("__sluice_env")
            .map_err(|e| e.to_string())?;
        let func = lua
            .load(code)
            .set_name("@user_script")
            .set_environment(env)
            .into_function()
            .map_err(|e| format!("Error compiling script (new function): {}", lua_msg(&e)))?;
        let func = Arc::new(lua.create_registry_value(func).map_err(|e| e.to_string())?);
        self.cache_bytes += body.len();
        self.cache.insert(
            sha.clone(),
            Script {
                body: body.into(),
                func,
                flags,
            },
        );
        Ok(sha)
    }
}

/// The message of a Lua error as Lua itself would print it (mlua adds context lines).
pub fn lua_msg(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::CallbackError { cause, .. } => lua_msg(cause),
        other => other.to_string(),
    }
}

/// Parses a `#!lua` shebang: the flags, and the code to compile (the shebang line blanked,
/// so that line numbers stay). No shebang: default flags and the body as it is.
pub fn parse_shebang(body: &[u8]) -> Result<(ScriptFlags, &[u8]), String> {
    let mut flags = ScriptFlags::default();
    if !body.starts_with(b"#!") {
        return Ok((flags, body));
    }
    flags.shebang = true;
    let end = body.iter().position(|&c| c == b'\n').unwrap_or(body.len());
    let line = String::from_utf8_lossy(&body[2..end]).into_owned();
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let engine = parts.next().unwrap_or("");
    if engine != "lua" {
        return Err(format!("Unexpected engine in script shebang: #!{engine}"));
    }
    for p in parts {
        let Some(list) = p.strip_prefix("flags=") else {
            return Err(format!("Unknown lua shebang option: {p}"));
        };
        for f in list.split(',').filter(|f| !f.is_empty()) {
            match f {
                "no-writes" => flags.no_writes = true,
                "allow-oom" => flags.allow_oom = true,
                "allow-stale" => flags.allow_stale = true,
                "no-cluster" => flags.no_cluster = true,
                "allow-cross-slot-keys" => flags.allow_cross_slot = true,
                other => return Err(format!("Unexpected flag in script shebang: {other}")),
            }
        }
    }
    // The shebang line is not Lua: compile from its newline on (line numbers stay).
    Ok((flags, &body[end..]))
}

/// Makes the functions engine's `redis.register_function`.
pub(crate) type MakeRegister = fn(&Lua) -> mlua::Result<Function>;

/// Builds the interpreter with Redis's environment (see the module doc). With `register`
/// (the functions engine), its environment also has the load API that library code sees
/// while it loads, switched on and off by the registry's `__sluice_set_loading`.
pub(crate) fn new_lua(register: Option<MakeRegister>) -> mlua::Result<Lua> {
    use mlua::StdLib;
    let lua = Lua::new_with(
        StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::OS,
        mlua::LuaOptions::default(),
    )?;
    let g = lua.globals();
    for name in [
        "print", "dofile", "loadfile", "getfenv", "setfenv", "require", "module", "newproxy",
    ] {
        g.raw_set(name, Value::Nil)?;
    }
    // os: only clock, as Redis 7.2+.
    let os: Table = g.raw_get("os")?;
    let clock: Function = os.raw_get("clock")?;
    let os = lua.create_table()?;
    os.raw_set("clock", clock)?;
    g.raw_set("os", os)?;
    libs::install(&lua)?;
    lua.load(PRELUDE).set_name("=redis").exec()?;
    // The environment scripts run in: a read-only view of the globals.
    let make_env: Function = g.raw_get("__sluice_make_env")?;
    let register = match register {
        Some(r) => Value::Function(r(&lua)?),
        None => Value::Nil,
    };
    let (env, set_loading): (Table, Function) = make_env.call(register)?;
    lua.set_named_registry_value("__sluice_env", env)?;
    lua.set_named_registry_value("__sluice_set_loading", set_loading)?;
    lua.set_named_registry_value(ERROR_HANDLER_KEY, lua.create_function(error_handler)?)?;
    g.raw_set("__sluice_make_env", Value::Nil)?;
    Ok(lua)
}

/// The registry key of [`error_handler`] as a Lua function (made once per interpreter).
pub const ERROR_HANDLER_KEY: &str = "__sluice_error_handler";

/// Lua-side setup: read-only proxies, the error handler, redis.* helpers written in Lua.
const PRELUDE: &str = r#"
local rawset, rawget, setmetatable, error, type, tostring = rawset, rawget, setmetatable, error, type, tostring
local select, unpack, lua_pcall = select, unpack, pcall
-- Redis's pcall: an error table with an `err` string is caught as that string.
rawset(_G, 'pcall', function(...)
  local r = {n = 0}
  local function keep(...) r.n = select('#', ...) for i = 1, r.n do r[i] = (select(i, ...)) end end
  keep(lua_pcall(...))
  if not r[1] and type(r[2]) == 'table' and type(r[2].err) == 'string' then r[2] = r[2].err end
  return unpack(r, 1, r.n)
end)
local function readonly(t)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error("Attempt to modify a readonly table", 2) end,
    __metatable = false,
  })
end
local G = _G
-- The environment: a read-only view of the globals; with `register` (functions), one that
-- shows only the load API (Redis's LIBRARY_API) while `set_loading(true)`. Lookups go through
-- tables only (proxy -> library proxies -> the globals), as Redis's read-only globals do, so
-- a script's `redis.call` and `KEYS[1]` cost no metamethod call; only a missing name ends in
-- the globals' erroring __index (set below).
local function missing(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
local function refuse() error("Attempt to modify a readonly table", 2) end
function __sluice_make_env(register)
  local env = setmetatable({}, {__index = G, __newindex = refuse, __metatable = false})
  for _, lib in ipairs({'string', 'table', 'math', 'os', 'coroutine', 'bit', 'cjson', 'cmsgpack', 'struct', 'redis'}) do
    rawset(env, lib, readonly(G[lib]))
  end
  local load_api = setmetatable({}, {__index = missing, __newindex = refuse, __metatable = false})
  if register then
    local r, redis = {register_function = register}, G.redis
    for _, k in ipairs({'log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'}) do
      r[k] = redis[k]
    end
    -- Redis gives the load API's tables its error metatable: a missing field is an error.
    rawset(load_api, 'redis', setmetatable({}, {
      __index = function(_, k)
        local v = r[k]
        if v == nil then
          error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
        end
        return v
      end,
      __newindex = refuse,
      __metatable = false,
    }))
  end
  local mt = {__index = env, __newindex = refuse, __metatable = false}
  local proxy = setmetatable({}, mt)
  rawset(env, '_G', proxy)
  return proxy, function(on) mt.__index = on and load_api or env end
end
-- Globals made by code outside the script environment (loadstring) are refused too.
setmetatable(G, {
  __index = missing,
  __newindex = function(_, k) error("Attempt to modify a readonly table", 2) end,
})
"#;

/// Where a script error happened, for the reply's ` script: <sha>, on <source>:<line>.`.
pub struct ErrInfo {
    pub err: String,
    pub source: Option<String>,
    pub line: Option<i64>,
}

/// Redis's `__redis__err__handler`, in Rust (it needs the debug library, which scripts do
/// not get): the error as a table `{err=..., source=..., line=...}`; a string error becomes
/// `ERR <message>`.
pub fn error_handler(lua: &Lua, err: Value) -> mlua::Result<Table> {
    let frame = script_frame(lua);
    let t = match err {
        Value::Table(t) => t,
        other => {
            let msg = match &other {
                Value::String(s) => s.to_string_lossy().to_string(),
                // A library's error carries the script's position, as luaL_error's does.
                Value::Error(e) if libs::is_lib_error(e) => match &frame {
                    Some((src, line)) => {
                        let short = src.strip_prefix('@').unwrap_or(src);
                        format!("{short}:{line}: {}", lua_msg(e))
                    }
                    None => lua_msg(e),
                },
                Value::Error(e) => lua_msg(e),
                Value::Nil => "nil".into(),
                Value::Boolean(b) => b.to_string(),
                Value::Number(n) => convert::lua_number_text(*n),
                Value::Integer(i) => i.to_string(),
                _ => "execution failure".into(),
            };
            let t = lua.create_table()?;
            t.raw_set("err", format!("ERR {msg}"))?;
            t
        }
    };
    if let Some((src, line)) = frame {
        t.raw_set("source", src)?;
        t.raw_set("line", line)?;
    }
    Ok(t)
}

/// The frame that raised: the first Lua frame of the script itself (skipping C frames and
/// sluice's own Lua helpers, whose source is "=redis"), as its source and current line.
fn script_frame(lua: &Lua) -> Option<(String, i64)> {
    for level in 1..20 {
        let d = lua.inspect_stack(level)?;
        let src = d.source();
        if src.what == "C" || src.source.as_deref() == Some("=redis") {
            continue;
        }
        return src
            .source
            .as_deref()
            .map(|s| (s.to_string(), d.curr_line() as i64));
    }
    None
}

/// Reads an error table into its parts.
pub fn err_info(v: &Value) -> ErrInfo {
    match v {
        Value::Table(t) => ErrInfo {
            err: t
                .raw_get::<Option<mlua::String>>("err")
                .ok()
                .flatten()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "ERR unknown error".into()),
            source: t.raw_get::<Option<String>>("source").ok().flatten(),
            line: t.raw_get::<Option<i64>>("line").ok().flatten(),
        },
        Value::Error(e) => ErrInfo {
            err: format!("ERR {}", lua_msg(e)),
            source: None,
            line: None,
        },
        _ => ErrInfo {
            err: "ERR execution failure".into(),
            source: None,
            line: None,
        },
    }
}

/// Marks the running script's status for connections.
pub fn set_busy(status: &ScriptStatus, busy: bool) {
    status.busy.store(busy, Ordering::SeqCst);
}
