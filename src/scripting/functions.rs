//! Redis Functions (`functions.c`, `function_lua.c`): libraries of named Lua functions,
//! loaded with FUNCTION LOAD and called with FCALL.
//!
//! ```text
//!  FUNCTION LOAD "#!lua name=lib\n<code>"
//!     metadata ─► compile <code> ─► run it with the load API (only `redis.register_function`,
//!     `redis.log`, `redis.LOG_*`, `redis.REDIS_VERSION*`), 500 ms at most
//!     ─► registered functions ─► checked against every other library ─► linked
//!  FCALL name numkeys key.. arg..  ─► callback(KEYS, ARGV) with the full `redis` API
//! ```
//!
//! - Functions have their own interpreter, apart from EVAL's (SCRIPT FLUSH leaves them,
//!   FUNCTION FLUSH starts a fresh one), as Redis's Lua engine does. Library code runs in
//!   the same read-only environment as scripts, whose globals switch to the load API while a
//!   library loads (Redis swaps the `__index` of the globals' metatable the same way), so
//!   callbacks, made during the load, see the full API when called.
//! - Library names are case-sensitive; function names are unique across libraries without
//!   regard to case (FCALL finds `MyFunc` as `myfunc`), as Redis's dictionaries are.
//! - A library is kept with its whole code, shebang included: FUNCTION LIST WITHCODE,
//!   FUNCTION DUMP and the AOF rewrite give it back as it was loaded.
//!
//! Invariants: `index` holds exactly the functions of `libraries`, each under its lowercase
//! name; the interpreter is `Some` whenever no function runs or loads.

use super::ScriptFlags;
use bytes::Bytes;
use mlua::{Function, Lua, Table, Value, Variadic};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a library's code may run while it loads (Redis's LOAD_TIMEOUT_MS).
pub const LOAD_TIMEOUT: Duration = Duration::from_millis(500);

/// A registered function.
pub struct FunctionDef {
    pub name: String,
    /// The callback, in the Lua registry (see `Script::func`).
    pub func: Arc<mlua::RegistryKey>,
    pub desc: Option<Bytes>,
    pub flags: ScriptFlags,
}

/// A loaded library.
pub struct Library {
    pub name: String,
    /// The code as given to FUNCTION LOAD (shebang included).
    pub code: Bytes,
    /// In registration order.
    pub functions: Vec<FunctionDef>,
}

/// FUNCTION RESTORE's policy for libraries that exist already.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestorePolicy {
    Flush,
    Append,
    Replace,
}

pub struct Functions {
    lua: Option<Lua>,
    pub libraries: BTreeMap<String, Library>,
    /// Lowercase function name → its library's name.
    index: HashMap<String, String>,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Functions({} libraries)", self.libraries.len())
    }
}

impl Default for Functions {
    fn default() -> Self {
        Functions::new()
    }
}

/// What `redis.register_function` collects while a library loads.
#[derive(Default)]
struct LoadCtx {
    registered: Vec<FunctionDef>,
}

/// Library and function names: `[a-zA-Z0-9_]+` (Redis's functionsVerifyName).
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

const NAME_ERR: &str = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// The shebang of a library: (engine, name, the code after the shebang line).
fn metadata(code: &[u8]) -> Result<(String, String, &[u8]), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&c| c == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = resp::parser::split_args(&code[..end]).ok_or("Invalid library metadata")?;
    let Some(first) = parts.first() else {
        return Err("Invalid library metadata".into());
    };
    let engine = String::from_utf8_lossy(&first[2.min(first.len())..]).into_owned();
    let mut name = None;
    for p in &parts[1..] {
        let text = String::from_utf8_lossy(p);
        if p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(text[5..].to_string());
            continue;
        }
        return Err(format!("Invalid metadata value given: {text}"));
    }
    let name = name.ok_or("Library name was not given")?;
    Ok((engine, name, &code[end..]))
}

/// A Lua value as Redis's luaGetStringSds reads it: strings, and numbers as Lua prints them.
fn lua_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy().to_string()),
        Value::Number(n) => Some(super::convert::lua_number_text(*n)),
        Value::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn reg_err(msg: &str) -> mlua::Error {
    mlua::Error::runtime(msg.to_string())
}

/// Reads a `flags` table (Redis's luaRegisterFunctionReadFlags).
fn read_flags(t: &Table) -> mlua::Result<ScriptFlags> {
    let mut flags = ScriptFlags {
        shebang: true,
        ..ScriptFlags::default()
    };
    for i in 1.. {
        let v: Value = t.get(i)?;
        if v.is_nil() {
            break;
        }
        let Some(f) = lua_string(&v) else {
            return Err(reg_err("unknown flag given"));
        };
        match f.to_ascii_lowercase().as_str() {
            "no-writes" => flags.no_writes = true,
            "allow-oom" => flags.allow_oom = true,
            "allow-stale" => flags.allow_stale = true,
            "no-cluster" => flags.no_cluster = true,
            "allow-cross-slot-keys" => flags.allow_cross_slot = true,
            _ => return Err(reg_err("unknown flag given")),
        }
    }
    Ok(flags)
}

/// `redis.register_function(name, callback)` or `redis.register_function{function_name=,
/// callback=, flags=, description=}`, with Redis's checks and texts.
fn register_function(lua: &Lua, args: Variadic<Value>) -> mlua::Result<()> {
    if lua.app_data_ref::<LoadCtx>().is_none() {
        return Err(reg_err(
            "redis.register_function can only be called on FUNCTION LOAD command",
        ));
    }
    let def = match args.len() {
        1 => {
            let Value::Table(t) = &args[0] else {
                return Err(reg_err("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."));
            };
            let (mut name, mut desc, mut func, mut flags) = (None, None, None, None);
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair?;
                let Some(key) = lua_string(&k) else {
                    return Err(reg_err(
                        "named argument key given to redis.register_function is not a string",
                    ));
                };
                match key.to_ascii_lowercase().as_str() {
                    "function_name" => {
                        name = Some(lua_string(&v).ok_or_else(|| {
                            reg_err("function_name argument given to redis.register_function must be a string")
                        })?)
                    }
                    "description" => {
                        desc = Some(lua_string(&v).ok_or_else(|| {
                            reg_err("description argument given to redis.register_function must be a string")
                        })?)
                    }
                    "callback" => match v {
                        Value::Function(f) => func = Some(f),
                        _ => {
                            return Err(reg_err(
                                "callback argument given to redis.register_function must be a function",
                            ))
                        }
                    },
                    "flags" => match &v {
                        Value::Table(ft) => flags = Some(read_flags(ft)?),
                        _ => return Err(reg_err("flags argument to redis.register_function must be a table representing function flags")),
                    },
                    _ => {
                        return Err(reg_err(
                            "unknown argument given to redis.register_function",
                        ))
                    }
                }
            }
            let name = name.ok_or_else(|| {
                reg_err("redis.register_function must get a function name argument")
            })?;
            let func = func
                .ok_or_else(|| reg_err("redis.register_function must get a callback argument"))?;
            FunctionDef {
                name,
                func: Arc::new(lua.create_registry_value(func)?),
                desc: desc.map(Bytes::from),
                flags: flags.unwrap_or(ScriptFlags {
                    shebang: true,
                    ..ScriptFlags::default()
                }),
            }
        }
        2 => {
            let name = lua_string(&args[0]).ok_or_else(|| {
                reg_err("first argument to redis.register_function must be a string")
            })?;
            let Value::Function(func) = &args[1] else {
                return Err(reg_err(
                    "second argument to redis.register_function must be a function",
                ));
            };
            FunctionDef {
                name,
                func: Arc::new(lua.create_registry_value(func.clone())?),
                desc: None,
                flags: ScriptFlags {
                    shebang: true,
                    ..ScriptFlags::default()
                },
            }
        }
        _ => {
            return Err(reg_err(
                "wrong number of arguments to redis.register_function",
            ))
        }
    };
    if !valid_name(&def.name) {
        // Redis's text (functionLibCreateFunction names libraries here too).
        return Err(reg_err(NAME_ERR));
    }
    let mut ctx = lua.app_data_mut::<LoadCtx>().expect("checked above");
    if ctx.registered.iter().any(|f| f.name == def.name) {
        return Err(reg_err("Function already exists in the library"));
    }
    ctx.registered.push(def);
    Ok(())
}

/// The interpreter for functions: scripts' environment plus the load API.
fn new_engine() -> mlua::Result<Lua> {
    super::new_lua(Some(|lua| lua.create_function(register_function)))
}

impl Functions {
    pub fn new() -> Functions {
        Functions {
            lua: Some(new_engine().expect("the Lua interpreter starts")),
            libraries: BTreeMap::new(),
            index: HashMap::new(),
        }
    }

    pub fn take_lua(&mut self) -> Option<Lua> {
        self.lua.take()
    }

    pub fn put_lua(&mut self, lua: Lua) {
        self.lua = Some(lua);
    }

    /// Bytes the interpreter uses (INFO used_memory_vm_functions).
    pub fn lua_memory(&self) -> usize {
        self.lua.as_ref().map_or(0, |l| l.used_memory())
    }

    /// Bytes of library code and names (INFO used_memory_functions).
    pub fn code_memory(&self) -> usize {
        self.libraries
            .values()
            .map(|l| {
                l.code.len()
                    + l.name.len()
                    + l.functions
                        .iter()
                        .map(|f| f.name.len() + f.desc.as_ref().map_or(0, |d| d.len()) + 64)
                        .sum::<usize>()
                    + 96
            })
            .sum()
    }

    pub fn function_count(&self) -> usize {
        self.index.len()
    }

    /// The function FCALL names (without regard to case).
    pub fn find(&self, name: &str) -> Option<&FunctionDef> {
        let lib = self.index.get(&name.to_ascii_lowercase())?;
        self.libraries[lib]
            .functions
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// FUNCTION FLUSH: every library gone, a fresh interpreter.
    pub fn flush(&mut self) {
        self.libraries.clear();
        self.index.clear();
        self.lua = Some(new_engine().expect("the Lua interpreter starts"));
    }

    /// FUNCTION DELETE: false if there is no such library.
    pub fn delete(&mut self, name: &str) -> bool {
        let Some(lib) = self.libraries.remove(name) else {
            return false;
        };
        self.unindex(&lib);
        drop(lib);
        self.collect();
        true
    }

    /// Frees the registry slots of callbacks whose libraries are gone.
    fn collect(&mut self) {
        if let Some(lua) = &self.lua {
            lua.expire_registry_values();
        }
    }

    fn unindex(&mut self, lib: &Library) {
        for f in &lib.functions {
            let k = f.name.to_ascii_lowercase();
            if self.index.get(&k) == Some(&lib.name) {
                self.index.remove(&k);
            }
        }
    }

    fn link(&mut self, lib: Library) {
        for f in &lib.functions {
            self.index
                .entry(f.name.to_ascii_lowercase())
                .or_insert_with(|| lib.name.clone());
        }
        self.libraries.insert(lib.name.clone(), lib);
    }

    /// The first function of `lib` another library already has, as Redis's error names it.
    fn collision(&self, lib: &Library) -> Option<String> {
        lib.functions
            .iter()
            .find(|f| self.index.contains_key(&f.name.to_ascii_lowercase()))
            .map(|f| format!("Function {} already exists", f.name))
    }

    /// Compiles and runs a library's code (metadata checked), collecting what it registers.
    fn compile(&mut self, code: &[u8], timeout: Option<Duration>) -> Result<Library, String> {
        let (engine, name, body) = metadata(code)?;
        if !valid_name(&name) {
            return Err(NAME_ERR.into());
        }
        if !engine.eq_ignore_ascii_case("lua") {
            return Err(format!("Engine '{engine}' not found"));
        }
        let lua = self.lua.as_ref().ok_or("no interpreter")?;
        let functions = run_library(lua, body, timeout)?;
        Ok(Library {
            name,
            code: Bytes::copy_from_slice(code),
            functions,
        })
    }

    /// FUNCTION LOAD [REPLACE]: the library's name, or Redis's error text (without `ERR `).
    /// `timeout` is None when replaying (Redis loads without a limit from the AOF).
    pub fn load(
        &mut self,
        code: &[u8],
        replace: bool,
        timeout: Option<Duration>,
    ) -> Result<String, String> {
        let (_, name, _) = metadata(code)?;
        if !valid_name(&name) {
            return Err(NAME_ERR.into());
        }
        if self.libraries.contains_key(&name) && !replace {
            return Err(format!("Library '{name}' already exists"));
        }
        let lib = self.compile(code, timeout)?;
        if lib.functions.is_empty() {
            return Err("No functions registered".into());
        }
        let old = self.libraries.remove(&name);
        if let Some(old) = &old {
            self.unindex(old);
        }
        if let Some(e) = self.collision(&lib) {
            if let Some(old) = old {
                self.link(old);
            }
            return Err(e);
        }
        self.link(lib);
        drop(old);
        self.collect();
        Ok(name)
    }

    /// FUNCTION DUMP: each library as RDB's FUNCTION2 opcode and its code, then the trailer.
    pub fn dump(&self) -> Vec<u8> {
        use persistence::rdb;
        let mut out = Vec::new();
        for lib in self.libraries.values() {
            out.push(rdb::OPCODE_FUNCTION2);
            rdb::write_string(&mut out, &lib.code);
        }
        rdb::seal_payload(&mut out, rdb::RDB_VERSION_BASE);
        out
    }

    /// FUNCTION RESTORE: Redis's error text on failure, with nothing changed.
    pub fn restore(&mut self, payload: &[u8], policy: RestorePolicy) -> Result<(), String> {
        use persistence::rdb;
        let (body, _ver) =
            rdb::open_payload(payload).ok_or("DUMP payload version or checksum are wrong")?;
        let mut r = rdb::Reader::new(body);
        let mut codes = Vec::new();
        while r.remaining() > 0 {
            let t = r.u8().map_err(|_| "can not read data type")?;
            if t == rdb::OPCODE_FUNCTION_PRE_GA {
                return Err("Pre-GA function format not supported".into());
            }
            if t != rdb::OPCODE_FUNCTION2 {
                return Err("given type is not a function".into());
            }
            let code = r
                .string()
                .map_err(|_| "failed loading the given functions payload")?;
            codes.push(code);
        }
        // Compile every library first (as Redis loads them into a context of their own).
        let mut new: BTreeMap<String, Library> = BTreeMap::new();
        let mut new_names: std::collections::HashSet<String> = std::collections::HashSet::new();
        for code in &codes {
            let lib = self.compile(code, None)?;
            if new.contains_key(&lib.name) {
                return Err(format!("Library '{}' already exists", lib.name));
            }
            if lib.functions.is_empty() {
                return Err("No functions registered".into());
            }
            if let Some(f) = lib
                .functions
                .iter()
                .find(|f| new_names.contains(&f.name.to_ascii_lowercase()))
            {
                return Err(format!("Function {} already exists", f.name));
            }
            for f in &lib.functions {
                new_names.insert(f.name.to_ascii_lowercase());
            }
            new.insert(lib.name.clone(), lib);
        }
        match policy {
            RestorePolicy::Flush => {
                self.libraries.clear();
                self.index.clear();
            }
            RestorePolicy::Append | RestorePolicy::Replace => {
                let mut replaced = Vec::new();
                for name in new.keys() {
                    if self.libraries.contains_key(name) {
                        if policy == RestorePolicy::Append {
                            self.relink(replaced);
                            return Err(format!("Library {name} already exists"));
                        }
                        let old = self.libraries.remove(name).expect("present");
                        self.unindex(&old);
                        replaced.push(old);
                    }
                }
                for lib in new.values() {
                    if let Some(e) = self.collision(lib) {
                        self.relink(replaced);
                        return Err(e);
                    }
                }
            }
        }
        for (_, lib) in new {
            self.link(lib);
        }
        self.collect();
        Ok(())
    }

    fn relink(&mut self, libs: Vec<Library>) {
        for lib in libs {
            self.link(lib);
        }
    }
}

/// Runs a library's code with the load API; what it registered, or Redis's error text.
fn run_library(
    lua: &Lua,
    body: &[u8],
    timeout: Option<Duration>,
) -> Result<Vec<FunctionDef>, String> {
    let env: Table = lua
        .named_registry_value("__sluice_env")
        .map_err(|e| e.to_string())?;
    let set_loading: Function = lua
        .named_registry_value("__sluice_set_loading")
        .map_err(|e| e.to_string())?;
    let chunk = lua
        .load(body)
        .set_name("@user_function")
        .set_environment(env)
        .into_function()
        .map_err(|e| format!("Error compiling function: {}", super::lua_msg(&e)))?;
    lua.set_app_data(LoadCtx::default());
    let _ = set_loading.call::<()>(true);
    if let Some(limit) = timeout {
        let started = Instant::now();
        lua.set_hook(
            mlua::HookTriggers::new().every_nth_instruction(100_000),
            move |_lua, _debug| {
                if started.elapsed() > limit {
                    return Err(mlua::Error::runtime("FUNCTION LOAD timeout"));
                }
                Ok(mlua::VmState::Continue)
            },
        );
    }
    let outcome = (|| -> mlua::Result<(bool, Value)> {
        let handler: Function = lua.named_registry_value(super::ERROR_HANDLER_KEY)?;
        let xpcall: Function = lua.globals().raw_get("xpcall")?;
        let r: mlua::MultiValue = xpcall.call((chunk, handler))?;
        let mut it = r.into_iter();
        let ok = matches!(it.next(), Some(Value::Boolean(true)));
        Ok((ok, it.next().unwrap_or(Value::Nil)))
    })();
    lua.remove_hook();
    let _ = set_loading.call::<()>(false);
    let ctx = lua.remove_app_data::<LoadCtx>().unwrap_or_default();
    match outcome {
        Ok((true, _)) => Ok(ctx.registered),
        Ok((false, e)) => Err(format!(
            "Error registering functions: {}",
            super::err_info(&e).err
        )),
        Err(e) => Err(format!(
            "Error registering functions: ERR {}",
            super::lua_msg(&e)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(name: &str, fns: &[&str]) -> String {
        let mut s = format!("#!lua name={name}\n");
        for f in fns {
            s.push_str(&format!(
                "redis.register_function('{f}', function() return 1 end)\n"
            ));
        }
        s
    }

    #[test]
    fn metadata_is_read_as_redis_reads_it() {
        assert_eq!(metadata(b"x").unwrap_err(), "Missing library metadata");
        assert_eq!(metadata(b"#!lua").unwrap_err(), "Invalid library metadata");
        assert_eq!(
            metadata(b"#!lua\n").unwrap_err(),
            "Library name was not given"
        );
        assert_eq!(
            metadata(b"#!lua foo=bar\n").unwrap_err(),
            "Invalid metadata value given: foo=bar"
        );
        let (engine, name, body) = metadata(b"#!LUA NAME=ab\nx").unwrap();
        assert_eq!(
            (engine.as_str(), name.as_str(), body),
            ("LUA", "ab", &b"\nx"[..])
        );
    }

    #[test]
    fn libraries_load_replace_collide_and_delete() {
        let mut f = Functions::new();
        assert_eq!(
            f.load(
                lib("a", &["f1", "f2"]).as_bytes(),
                false,
                Some(LOAD_TIMEOUT)
            ),
            Ok("a".into())
        );
        assert_eq!(
            f.load(lib("a", &["f3"]).as_bytes(), false, None)
                .unwrap_err(),
            "Library 'a' already exists"
        );
        assert_eq!(
            f.load(lib("b", &["F1"]).as_bytes(), false, None)
                .unwrap_err(),
            "Function F1 already exists"
        );
        assert!(f.find("F2").is_some());
        f.load(lib("a", &["f3"]).as_bytes(), true, None).unwrap();
        assert!(f.find("f1").is_none() && f.find("f3").is_some());
        assert_eq!(
            f.load(b"#!lua name=c\nreturn 1", false, None).unwrap_err(),
            "No functions registered"
        );
        assert!(f.delete("a") && !f.delete("a"));
        assert_eq!(f.function_count(), 0);
    }

    #[test]
    fn a_library_that_runs_too_long_is_refused() {
        let mut f = Functions::new();
        let e = f
            .load(
                b"#!lua name=slow\nwhile true do end",
                false,
                Some(Duration::from_millis(20)),
            )
            .unwrap_err();
        assert_eq!(e, "Error registering functions: ERR FUNCTION LOAD timeout");
        assert!(f.libraries.is_empty());
    }

    #[test]
    fn dump_and_restore_round_trip_with_each_policy() {
        let mut f = Functions::new();
        f.load(lib("a", &["f1"]).as_bytes(), false, None).unwrap();
        f.load(lib("b", &["f2"]).as_bytes(), false, None).unwrap();
        let payload = f.dump();
        assert_eq!(
            f.restore(&payload, RestorePolicy::Append).unwrap_err(),
            "Library a already exists"
        );
        f.restore(&payload, RestorePolicy::Replace).unwrap();
        f.flush();
        f.load(lib("z", &["zz"]).as_bytes(), false, None).unwrap();
        f.restore(&payload, RestorePolicy::Flush).unwrap();
        assert_eq!(f.libraries.keys().collect::<Vec<_>>(), ["a", "b"]);
        let mut bad = payload.clone();
        bad[4] ^= 0x20;
        assert_eq!(
            f.restore(&bad, RestorePolicy::Flush).unwrap_err(),
            "DUMP payload version or checksum are wrong"
        );
    }
}
