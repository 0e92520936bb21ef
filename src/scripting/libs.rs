//! The libraries Redis gives scripts beyond Lua's own: `redis` (the helpers that need no
//! server: sha1hex, error_reply, status_reply, log, setresp, set_repl, ...), `bit` (LuaBitOp),
//! `cjson` (lua-cjson as Redis ships it), `cmsgpack` (lua-cmsgpack) and `struct` (Roberto
//! Ierusalimschy's struct), written in Rust against their documented behaviour.
//!
//! Per-run state a helper changes (the RESP version from `redis.setresp`, the replication
//! flags from `redis.set_repl`) lives in the interpreter's app data ([`RunState`], boxed once
//! and never replaced, so redis.call can read it through a pointer), reset by each run.

use mlua::{LightUserData, Lua, MultiValue, Table, Value, Variadic};
use std::cell::Cell;

/// What one script run changes through the `redis` helpers.
#[derive(Debug)]
pub struct RunState {
    /// `redis.setresp`: the protocol of command replies the script sees (2 or 3).
    pub resp: Cell<u8>,
    /// `redis.set_repl`: where the script's effects go (REPL_ALL by default).
    pub repl: Cell<u8>,
}

impl Default for RunState {
    fn default() -> Self {
        RunState {
            resp: Cell::new(2),
            repl: Cell::new(3),
        }
    }
}

impl RunState {
    /// Back to a fresh run's state.
    pub fn reset(&self) {
        self.resp.set(2);
        self.repl.set(3);
    }
}

pub fn install(lua: &Lua) -> mlua::Result<()> {
    let g = lua.globals();
    g.raw_set("redis", redis_lib(lua)?)?;
    g.raw_set("bit", bit_lib(lua)?)?;
    g.raw_set("cjson", cjson_lib(lua)?)?;
    g.raw_set("cmsgpack", cmsgpack_lib(lua)?)?;
    g.raw_set("struct", struct_lib(lua)?)?;
    lua.set_app_data(Box::new(RunState::default()));
    math_random(lua)?;
    Ok(())
}

/// Redis's `rand.c` generator (lrand48's 48-bit LCG), which Redis gives scripts in place of
/// the C library's: math.random and math.randomseed draw from one sequence for the life of
/// the interpreter, seeded with 0.
struct Rand48(u64);

impl Rand48 {
    fn seed(s: i32) -> Rand48 {
        Rand48((((s as u32) as u64) << 16 | 0x330e) & ((1 << 48) - 1))
    }

    fn next(&mut self) -> i32 {
        self.0 = (0x5_deec_e66d_u64.wrapping_mul(self.0).wrapping_add(0xb)) & ((1 << 48) - 1);
        (self.0 >> 17) as i32
    }
}

fn math_random(lua: &Lua) -> mlua::Result<()> {
    lua.set_app_data(Rand48::seed(0));
    let math: Table = lua.globals().raw_get("math")?;
    math.raw_set(
        "random",
        lua.create_function(|lua, args: Variadic<f64>| {
            let v = lua
                .app_data_mut::<Rand48>()
                .map(|mut r| r.next())
                .unwrap_or(0);
            // REDIS_LRAND48_MAX is INT32_MAX.
            let r = (v % i32::MAX) as f64 / i32::MAX as f64;
            match args.len() {
                0 => Ok(r),
                1 => {
                    let u = args[0];
                    if u < 1.0 {
                        return Err(err("bad argument #1 to 'random' (interval is empty)"));
                    }
                    Ok((r * u).floor() + 1.0)
                }
                2 => {
                    let (l, u) = (args[0], args[1]);
                    if l > u {
                        return Err(err("bad argument #2 to 'random' (interval is empty)"));
                    }
                    Ok((r * (u - l + 1.0)).floor() + l)
                }
                _ => Err(err("wrong number of arguments")),
            }
        })?,
    )?;
    math.raw_set(
        "randomseed",
        lua.create_function(|lua, seed: f64| {
            lua.set_app_data(Rand48::seed(seed as i64 as i32));
            Ok(())
        })?,
    )?;
    Ok(())
}

/// An error of one of the libraries (bit, cjson, cmsgpack, struct, math): raised with the
/// script's position in front, as luaL_error does. The `redis` helpers' errors are not
/// (Redis raises them as error tables).
#[derive(Debug)]
pub struct LibError(String);

impl std::fmt::Display for LibError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LibError {}

fn err(msg: impl Into<String>) -> mlua::Error {
    mlua::Error::external(LibError(msg.into()))
}

/// A `redis` helper's error.
fn helper_err(msg: impl Into<String>) -> mlua::Error {
    mlua::Error::runtime(msg.into())
}

/// True if `e` (or what it wraps) is a [`LibError`].
pub fn is_lib_error(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::CallbackError { cause, .. } => is_lib_error(cause),
        mlua::Error::ExternalError(x) => x.downcast_ref::<LibError>().is_some(),
        _ => false,
    }
}

/// redis.error_reply's text, as Redis's luaPushErrorBuff makes it: "-CODE msg" keeps its
/// code, a message without one gets ERR.
fn error_text(s: &str) -> String {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (code, msg) = match s.split_once(' ') {
        Some((c, m)) => (c, m),
        None => ("ERR", s),
    };
    format!("{code} {}", msg.trim_end_matches(['\r', '\n']))
}

fn tagged(lua: &Lua, k: &str, v: mlua::String) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(k, v)?;
    Ok(t)
}

fn redis_lib(lua: &Lua) -> mlua::Result<Table> {
    let r = lua.create_table()?;
    r.raw_set(
        "sha1hex",
        lua.create_function(|_, s: mlua::String| Ok(super::sha1_hex(&s.as_bytes())))?,
    )?;
    r.raw_set(
        "error_reply",
        lua.create_function(|lua, s: mlua::String| {
            let text = error_text(&s.to_string_lossy());
            tagged(lua, "err", lua.create_string(&text)?)
        })?,
    )?;
    r.raw_set(
        "status_reply",
        lua.create_function(|lua, s: mlua::String| tagged(lua, "ok", s))?,
    )?;
    r.raw_set(
        "log",
        lua.create_function(|_, args: Variadic<Value>| {
            if args.len() < 2 {
                return Err(helper_err("redis.log() requires two arguments or more."));
            }
            let Some(level) = lua_number(&args[0]).map(|n| n as i64) else {
                return Err(helper_err("First argument must be a number (log level)."));
            };
            if !(0..=3).contains(&level) {
                return Err(helper_err("Invalid debug level."));
            }
            let msg: Vec<String> = args[1..]
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.to_string_lossy().to_string(),
                    Value::Number(n) => super::convert::lua_number_text(*n),
                    Value::Integer(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect();
            let msg = msg.join(" ");
            match level {
                0 => tracing::debug!(target: "lua", "{msg}"),
                1 => tracing::info!(target: "lua", "{msg}"),
                2 => tracing::info!(target: "lua", "{msg}"),
                _ => tracing::warn!(target: "lua", "{msg}"),
            }
            Ok(())
        })?,
    )?;
    for (k, v) in [
        ("LOG_DEBUG", 0),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", 3),
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        r.raw_set(k, v)?;
    }
    r.raw_set(
        "setresp",
        lua.create_function(|lua, args: Variadic<Value>| {
            if args.len() != 1 {
                return Err(helper_err("redis.setresp() requires one argument."));
            }
            let v = lua_number(&args[0]).map_or(0, |n| n as i64);
            if v != 2 && v != 3 {
                return Err(helper_err("RESP version must be 2 or 3."));
            }
            if let Some(st) = lua.app_data_ref::<Box<RunState>>() {
                st.resp.set(v as u8);
            }
            Ok(())
        })?,
    )?;
    r.raw_set(
        "set_repl",
        lua.create_function(|lua, args: Variadic<Value>| {
            if args.len() != 1 {
                return Err(helper_err("redis.set_repl() requires two arguments."));
            }
            let v = lua_number(&args[0]).map_or(-1, |n| n as i64);
            if !(0..=3).contains(&v) {
                return Err(helper_err(
                    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                ));
            }
            if let Some(st) = lua.app_data_ref::<Box<RunState>>() {
                st.repl.set(v as u8);
            }
            Ok(())
        })?,
    )?;
    r.raw_set("replicate_commands", lua.create_function(|_, ()| Ok(true))?)?;
    r.raw_set("breakpoint", lua.create_function(|_, ()| Ok(false))?)?;
    r.raw_set("debug", lua.create_function(|_, _: MultiValue| Ok(()))?)?;
    r.raw_set("REDIS_VERSION", crate::REDIS_VERSION)?;
    let num = crate::REDIS_VERSION
        .split('.')
        .map(|p| p.parse::<i64>().unwrap_or(0))
        .fold(0, |acc, p| acc * 256 + p);
    r.raw_set("REDIS_VERSION_NUM", num)?;
    Ok(r)
}

// ---------------------------------------------------------------------------------------
// bit (LuaBitOp 1.0)
// ---------------------------------------------------------------------------------------

/// LuaBitOp's normalisation: the number modulo 2^32, as a signed 32-bit integer.
fn tobit(v: &Value) -> mlua::Result<i32> {
    let n = num_arg(Some(v))?.round_ties_even();
    Ok(n.rem_euclid(4294967296.0) as u64 as u32 as i32)
}

fn bit_lib(lua: &Lua) -> mlua::Result<Table> {
    let b = lua.create_table()?;
    b.raw_set(
        "tobit",
        lua.create_function(|_, v: Value| Ok(tobit(&v)? as f64))?,
    )?;
    b.raw_set(
        "bnot",
        lua.create_function(|_, v: Value| Ok(!tobit(&v)? as f64))?,
    )?;
    type Fold = fn(i32, i32) -> i32;
    for (name, f) in [
        ("band", (|a, b| a & b) as Fold),
        ("bor", |a, b| a | b),
        ("bxor", |a, b| a ^ b),
    ] {
        b.raw_set(
            name,
            lua.create_function(move |_, args: Variadic<Value>| {
                let mut acc = tobit(args.first().unwrap_or(&Value::Nil))?;
                for a in args.iter().skip(1) {
                    acc = f(acc, tobit(a)?);
                }
                Ok(acc as f64)
            })?,
        )?;
    }
    type Shift = fn(i32, u32) -> i32;
    for (name, f) in [
        (
            "lshift",
            (|a: i32, n: u32| ((a as u32) << n) as i32) as Shift,
        ),
        ("rshift", |a, n| ((a as u32) >> n) as i32),
        ("arshift", |a, n| a >> n),
        ("rol", |a, n| (a as u32).rotate_left(n) as i32),
        ("ror", |a, n| (a as u32).rotate_right(n) as i32),
    ] {
        b.raw_set(
            name,
            lua.create_function(move |_, (a, n): (Value, Value)| {
                Ok(f(tobit(&a)?, (tobit(&n)? & 31) as u32) as f64)
            })?,
        )?;
    }
    b.raw_set(
        "bswap",
        lua.create_function(|_, v: Value| Ok(tobit(&v)?.swap_bytes() as f64))?,
    )?;
    b.raw_set(
        "tohex",
        lua.create_function(|_, (v, n): (Value, Option<Value>)| {
            let x = tobit(&v)? as u32;
            let mut n = match n {
                Some(n) => tobit(&n)?,
                None => 8,
            };
            let upper = n < 0;
            if upper {
                n = -n;
            }
            let n = n.clamp(1, 8) as usize;
            let s = if upper {
                format!("{x:08X}")
            } else {
                format!("{x:08x}")
            };
            Ok(s[8 - n..].to_string())
        })?,
    )?;
    Ok(b)
}

// ---------------------------------------------------------------------------------------
// cjson (lua-cjson 2.1, as Redis ships it)
// ---------------------------------------------------------------------------------------

/// cjson.null: a light userdata NULL, as lua-cjson's.
fn cjson_null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

const JSON_MAX_DEPTH: usize = 1000;

fn json_encode(v: &Value, out: &mut Vec<u8>, depth: usize) -> mlua::Result<()> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(u) if u.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Number(n) => {
            if n.is_nan() || n.is_infinite() {
                return Err(err("Cannot serialise number: must not be NaN or Inf"));
            }
            out.extend_from_slice(super::convert::lua_number_text(*n).as_bytes())
        }
        Value::String(s) => json_string(&s.as_bytes(), out),
        Value::Table(t) => {
            if depth >= JSON_MAX_DEPTH {
                return Err(err(format!(
                    "Cannot serialise, excessive nesting ({})",
                    depth + 1
                )));
            }
            // An array when every key is a positive integer (and it is not too sparse).
            let mut max = 0usize;
            let mut count = 0usize;
            let mut is_array = true;
            for pair in t.pairs::<Value, Value>() {
                let (k, _) = pair?;
                count += 1;
                match k {
                    Value::Number(n) if n >= 1.0 && n == n.floor() => max = max.max(n as usize),
                    Value::Integer(i) if i >= 1 => max = max.max(i as usize),
                    _ => {
                        is_array = false;
                    }
                }
            }
            if count == 0 {
                out.extend_from_slice(b"{}");
                return Ok(());
            }
            if is_array {
                if max > 10 && max > count * 2 {
                    return Err(err("Cannot serialise table: excessively sparse array"));
                }
                out.push(b'[');
                for i in 1..=max {
                    if i > 1 {
                        out.push(b',');
                    }
                    json_encode(&t.raw_get::<Value>(i)?, out, depth + 1)?;
                }
                out.push(b']');
                return Ok(());
            }
            out.push(b'{');
            let mut first = true;
            for pair in t.pairs::<Value, Value>() {
                let (k, v) = pair?;
                if !first {
                    out.push(b',');
                }
                first = false;
                match &k {
                    Value::String(s) => json_string(&s.as_bytes(), out),
                    Value::Number(n) => {
                        json_string(super::convert::lua_number_text(*n).as_bytes(), out)
                    }
                    Value::Integer(i) => json_string(i.to_string().as_bytes(), out),
                    _ => {
                        return Err(err(
                            "Cannot serialise table: table key must be a number or string",
                        ))
                    }
                }
                out.push(b':');
                json_encode(&v, out, depth + 1)?;
            }
            out.push(b'}');
        }
        Value::Function(_) => return Err(err("Cannot serialise function: type not supported")),
        Value::UserData(_) => return Err(err("Cannot serialise userdata: type not supported")),
        Value::Thread(_) => return Err(err("Cannot serialise thread: type not supported")),
        _ => return Err(err("Cannot serialise value: type not supported")),
    }
    Ok(())
}

fn json_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => out.extend_from_slice(format!("\\u{:04x}", c).as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

struct JsonParser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn fail<T>(&self, what: &str) -> mlua::Result<T> {
        let found = match self.b.get(self.pos) {
            None => "'end'".to_string(),
            Some(_) => "invalid token".to_string(),
        };
        Err(err(format!(
            "Expected {what} but found {found} at character {}",
            self.pos + 1
        )))
    }

    fn value(&mut self, lua: &Lua, depth: usize) -> mlua::Result<Value> {
        if depth > JSON_MAX_DEPTH {
            return Err(err(format!(
                "Found too many nested data structures ({}) at character {}",
                depth,
                self.pos + 1
            )));
        }
        self.ws();
        let Some(&c) = self.b.get(self.pos) else {
            return self.fail("value");
        };
        match c {
            b'{' => {
                self.pos += 1;
                let t = lua.create_table()?;
                self.ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Value::Table(t));
                }
                loop {
                    self.ws();
                    if self.b.get(self.pos) != Some(&b'"') {
                        return self.fail("object key string");
                    }
                    let k = self.string(lua)?;
                    self.ws();
                    if self.b.get(self.pos) != Some(&b':') {
                        return self.fail("colon");
                    }
                    self.pos += 1;
                    let v = self.value(lua, depth + 1)?;
                    t.raw_set(k, v)?;
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Table(t));
                        }
                        _ => return self.fail("comma or object end"),
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let t = lua.create_table()?;
                self.ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Value::Table(t));
                }
                let mut i = 1;
                loop {
                    let v = self.value(lua, depth + 1)?;
                    t.raw_set(i, v)?;
                    i += 1;
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Table(t));
                        }
                        _ => return self.fail("comma or array end"),
                    }
                }
            }
            b'"' => Ok(Value::String(self.string(lua)?)),
            b't' if self.b[self.pos..].starts_with(b"true") => {
                self.pos += 4;
                Ok(Value::Boolean(true))
            }
            b'f' if self.b[self.pos..].starts_with(b"false") => {
                self.pos += 5;
                Ok(Value::Boolean(false))
            }
            b'n' if self.b[self.pos..].starts_with(b"null") => {
                self.pos += 4;
                Ok(cjson_null())
            }
            b'-' | b'0'..=b'9' => {
                let start = self.pos;
                self.pos += 1;
                while self.pos < self.b.len()
                    && matches!(
                        self.b[self.pos],
                        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'
                    )
                {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.b[start..self.pos]).unwrap_or("");
                match text.parse::<f64>() {
                    Ok(n) => Ok(Value::Number(n)),
                    Err(_) => {
                        self.pos = start;
                        self.fail("value")
                    }
                }
            }
            _ => self.fail("value"),
        }
    }

    fn string(&mut self, lua: &Lua) -> mlua::Result<mlua::String> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(err(format!(
                    "Expected value but found unexpected end of string at character {}",
                    self.pos + 1
                )));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.pos) else {
                        return self.fail("escape");
                    };
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp)
                                && self.b[self.pos..].starts_with(b"\\u")
                            {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                cp = 0x10000
                                    + ((cp - 0xd800) << 10)
                                    + (lo.wrapping_sub(0xdc00) & 0x3ff);
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.pos -= 2;
                            return Err(err(format!(
                                "Expected value but found invalid escape code at character {}",
                                self.pos + 1
                            )));
                        }
                    }
                }
                c => out.push(c),
            }
        }
        lua.create_string(&out)
    }

    fn hex4(&mut self) -> mlua::Result<u32> {
        let h = self
            .b
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(err(format!(
                "Expected value but found invalid unicode escape code at character {}",
                self.pos + 1
            ))),
        }
    }
}

fn cjson_lib(lua: &Lua) -> mlua::Result<Table> {
    let c = lua.create_table()?;
    c.raw_set(
        "encode",
        lua.create_function(|lua, v: Value| {
            let mut out = Vec::new();
            json_encode(&v, &mut out, 0)?;
            lua.create_string(&out)
        })?,
    )?;
    c.raw_set(
        "decode",
        lua.create_function(|lua, s: mlua::String| {
            let b = s.as_bytes();
            let mut p = JsonParser { b: &b, pos: 0 };
            let v = p.value(lua, 1)?;
            p.ws();
            if p.pos < b.len() {
                return p.fail("the end");
            }
            Ok(v)
        })?,
    )?;
    c.raw_set("null", cjson_null())?;
    // Settings scripts call for their side effects; sluice's encoder has one behaviour.
    for name in [
        "encode_keep_buffer",
        "encode_max_depth",
        "decode_max_depth",
        "encode_number_precision",
        "encode_sparse_array",
        "decode_invalid_numbers",
        "encode_invalid_numbers",
    ] {
        c.raw_set(name, lua.create_function(|_, args: MultiValue| Ok(args))?)?;
    }
    Ok(c)
}

// ---------------------------------------------------------------------------------------
// cmsgpack (lua-cmsgpack 0.4)
// ---------------------------------------------------------------------------------------

const MSGPACK_MAX_NESTING: usize = 16;

fn mp_encode(v: &Value, out: &mut Vec<u8>, depth: usize) -> mlua::Result<()> {
    match v {
        Value::Nil => out.push(0xc0),
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(i) => mp_int(*i, out),
        Value::Number(n) => {
            if n.is_finite() && *n == n.floor() && *n >= -9.2e18 && *n <= 1.8e19 {
                if *n >= 0.0 && *n > i64::MAX as f64 {
                    out.push(0xcf);
                    out.extend_from_slice(&(*n as u64).to_be_bytes());
                } else {
                    mp_int(*n as i64, out);
                }
            } else if (*n as f32) as f64 == *n || n.is_nan() {
                out.push(0xca);
                out.extend_from_slice(&(*n as f32).to_be_bytes());
            } else {
                out.push(0xcb);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
        Value::String(s) => {
            let b = s.as_bytes();
            let n = b.len();
            if n < 32 {
                out.push(0xa0 | n as u8);
            } else if n <= 0xff {
                out.push(0xd9);
                out.push(n as u8);
            } else if n <= 0xffff {
                out.push(0xda);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else {
                out.push(0xdb);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            out.extend_from_slice(&b);
        }
        Value::Table(t) if depth < MSGPACK_MAX_NESTING => {
            // An array when its keys are exactly 1..n.
            let mut count = 0usize;
            let mut max = 0usize;
            let mut is_array = true;
            for pair in t.pairs::<Value, Value>() {
                let (k, _) = pair?;
                count += 1;
                match k {
                    Value::Number(n) if n >= 1.0 && n == n.floor() => max = max.max(n as usize),
                    Value::Integer(i) if i >= 1 => max = max.max(i as usize),
                    _ => is_array = false,
                }
            }
            if is_array && max == count {
                mp_len(count, 0x90, 0xdc, out);
                for i in 1..=count {
                    mp_encode(&t.raw_get::<Value>(i)?, out, depth + 1)?;
                }
            } else {
                mp_len(count, 0x80, 0xde, out);
                for pair in t.pairs::<Value, Value>() {
                    let (k, v) = pair?;
                    mp_encode(&k, out, depth + 1)?;
                    mp_encode(&v, out, depth + 1)?;
                }
            }
        }
        _ => out.push(0xc0),
    }
    Ok(())
}

fn mp_len(n: usize, fix: u8, wide: u8, out: &mut Vec<u8>) {
    if n < 16 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(wide);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(wide + 1);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn mp_int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        let u = i as u64;
        if u < 128 {
            out.push(u as u8);
        } else if u <= 0xff {
            out.extend_from_slice(&[0xcc, u as u8]);
        } else if u <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(u as u16).to_be_bytes());
        } else if u <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(u as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
    } else if i >= -32 {
        out.push(i as i8 as u8);
    } else if i >= -128 {
        out.extend_from_slice(&[0xd0, i as i8 as u8]);
    } else if i >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i >= -2147483648 {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

struct MpDecoder<'a> {
    b: &'a [u8],
    pos: usize,
}

impl MpDecoder<'_> {
    fn take(&mut self, n: usize) -> mlua::Result<&[u8]> {
        if self.pos + n > self.b.len() {
            return Err(err("Missing bytes in input."));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> mlua::Result<u64> {
        Ok(self.take(n)?.iter().fold(0u64, |a, &x| (a << 8) | x as u64))
    }

    fn value(&mut self, lua: &Lua) -> mlua::Result<Value> {
        let c = self.take(1)?[0];
        Ok(match c {
            0x00..=0x7f => Value::Number(c as f64),
            0x80..=0x8f => self.map(lua, (c & 0x0f) as usize)?,
            0x90..=0x9f => self.array(lua, (c & 0x0f) as usize)?,
            0xa0..=0xbf => self.str(lua, (c & 0x1f) as usize)?,
            0xc0 => Value::Nil,
            0xc2 => Value::Boolean(false),
            0xc3 => Value::Boolean(true),
            0xc4 | 0xd9 => {
                let n = self.be(1)? as usize;
                self.str(lua, n)?
            }
            0xc5 | 0xda => {
                let n = self.be(2)? as usize;
                self.str(lua, n)?
            }
            0xc6 | 0xdb => {
                let n = self.be(4)? as usize;
                self.str(lua, n)?
            }
            0xca => Value::Number(f32::from_bits(self.be(4)? as u32) as f64),
            0xcb => Value::Number(f64::from_bits(self.be(8)?)),
            0xcc => Value::Number(self.be(1)? as f64),
            0xcd => Value::Number(self.be(2)? as f64),
            0xce => Value::Number(self.be(4)? as f64),
            0xcf => Value::Number(self.be(8)? as f64),
            0xd0 => Value::Number(self.be(1)? as u8 as i8 as f64),
            0xd1 => Value::Number(self.be(2)? as u16 as i16 as f64),
            0xd2 => Value::Number(self.be(4)? as u32 as i32 as f64),
            0xd3 => Value::Number(self.be(8)? as i64 as f64),
            0xdc => {
                let n = self.be(2)? as usize;
                self.array(lua, n)?
            }
            0xdd => {
                let n = self.be(4)? as usize;
                self.array(lua, n)?
            }
            0xde => {
                let n = self.be(2)? as usize;
                self.map(lua, n)?
            }
            0xdf => {
                let n = self.be(4)? as usize;
                self.map(lua, n)?
            }
            0xe0..=0xff => Value::Number(c as i8 as f64),
            _ => return Err(err("Bad data format in input.")),
        })
    }

    fn str(&mut self, lua: &Lua, n: usize) -> mlua::Result<Value> {
        let s = self.take(n)?.to_vec();
        Ok(Value::String(lua.create_string(&s)?))
    }

    fn array(&mut self, lua: &Lua, n: usize) -> mlua::Result<Value> {
        let t = lua.create_table()?;
        for i in 1..=n {
            let v = self.value(lua)?;
            t.raw_set(i, v)?;
        }
        Ok(Value::Table(t))
    }

    fn map(&mut self, lua: &Lua, n: usize) -> mlua::Result<Value> {
        let t = lua.create_table()?;
        for _ in 0..n {
            let k = self.value(lua)?;
            let v = self.value(lua)?;
            if !k.is_nil() {
                t.raw_set(k, v)?;
            }
        }
        Ok(Value::Table(t))
    }
}

/// Decodes up to `limit` objects (0: all) from `offset`; the objects, and the offset after the
/// last (-1 at the end), as `unpack_limit` returns them.
fn mp_unpack(lua: &Lua, b: &[u8], limit: usize, offset: usize) -> mlua::Result<(Vec<Value>, i64)> {
    let mut d = MpDecoder { b, pos: offset };
    let mut vals = Vec::new();
    while d.pos < b.len() && (limit == 0 || vals.len() < limit) {
        vals.push(d.value(lua)?);
    }
    let next = if d.pos >= b.len() { -1 } else { d.pos as i64 };
    Ok((vals, next))
}

fn cmsgpack_lib(lua: &Lua) -> mlua::Result<Table> {
    let m = lua.create_table()?;
    m.raw_set(
        "pack",
        lua.create_function(|lua, args: Variadic<Value>| {
            if args.is_empty() {
                return Err(err("MessagePack pack needs input."));
            }
            let mut out = Vec::new();
            for a in args.iter() {
                mp_encode(a, &mut out, 0)?;
            }
            lua.create_string(&out)
        })?,
    )?;
    m.raw_set(
        "unpack",
        lua.create_function(|lua, s: mlua::String| {
            let (vals, _) = mp_unpack(lua, &s.as_bytes(), 0, 0)?;
            Ok(MultiValue::from_iter(vals))
        })?,
    )?;
    let limited = |lua: &Lua, s: mlua::String, limit: usize, offset: Option<i64>| {
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(err("Offset can't be negative."));
        }
        let b = s.as_bytes();
        if offset as usize > b.len() {
            return Err(err("Start offset greater than input length."));
        }
        let (vals, next) = mp_unpack(lua, &b, limit, offset as usize)?;
        let mut out = vec![Value::Number(next as f64)];
        out.extend(vals);
        Ok(MultiValue::from_iter(out))
    };
    m.raw_set(
        "unpack_one",
        lua.create_function(move |lua, (s, off): (mlua::String, Option<i64>)| {
            limited(lua, s, 1, off)
        })?,
    )?;
    m.raw_set(
        "unpack_limit",
        lua.create_function(
            move |lua, (s, limit, off): (mlua::String, i64, Option<i64>)| {
                limited(lua, s, limit.max(0) as usize, off)
            },
        )?,
    )?;
    Ok(m)
}

// ---------------------------------------------------------------------------------------
// struct (Roberto Ierusalimschy's struct library, as Redis ships it)
// ---------------------------------------------------------------------------------------

/// One format item: its kind and size.
enum Item {
    Int {
        size: usize,
        signed: bool,
    },
    Float,
    Double,
    /// `s`: zero-terminated string.
    Zstr,
    /// `c<n>`: fixed-size string (0: the whole rest / the given length).
    Chars(usize),
    Pad,
}

fn parse_format(fmt: &[u8]) -> mlua::Result<Vec<(bool, Item)>> {
    let mut little = true;
    let mut items = Vec::new();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<usize> {
        let start = *i;
        while *i < fmt.len() && fmt[*i].is_ascii_digit() {
            *i += 1;
        }
        std::str::from_utf8(&fmt[start..*i]).ok()?.parse().ok()
    };
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        let item = match c {
            b' ' => continue,
            b'<' => {
                little = true;
                continue;
            }
            b'>' => {
                little = false;
                continue;
            }
            b'=' => {
                little = cfg!(target_endian = "little");
                continue;
            }
            b'!' => {
                num(&mut i);
                continue;
            }
            b'b' => Item::Int {
                size: 1,
                signed: true,
            },
            b'B' => Item::Int {
                size: 1,
                signed: false,
            },
            b'h' => Item::Int {
                size: 2,
                signed: true,
            },
            b'H' => Item::Int {
                size: 2,
                signed: false,
            },
            b'l' => Item::Int {
                size: 8,
                signed: true,
            },
            b'L' | b'T' => Item::Int {
                size: 8,
                signed: false,
            },
            b'i' | b'I' => {
                let size = num(&mut i).unwrap_or(4);
                if size == 0 || size > 8 {
                    return Err(err(format!(
                        "integral size {size} is larger than limit of 8"
                    )));
                }
                Item::Int {
                    size,
                    signed: c == b'i',
                }
            }
            b'f' => Item::Float,
            b'd' => Item::Double,
            b's' => Item::Zstr,
            b'c' => Item::Chars(num(&mut i).unwrap_or(1)),
            b'x' => Item::Pad,
            other => {
                return Err(err(format!("invalid format option '{}'", other as char)));
            }
        };
        items.push((little, item));
    }
    Ok(items)
}

fn num_arg(v: Option<&Value>) -> mlua::Result<f64> {
    match v {
        Some(Value::String(s)) => s
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| err("bad argument (number expected)")),
        Some(v) => lua_number(v).ok_or_else(|| err("bad argument (number expected, got no value)")),
        None => Err(err("bad argument (number expected, got no value)")),
    }
}

/// A Lua number's value (Lua 5.1 has only doubles; mlua may hand integral ones over as
/// integers).
fn lua_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn struct_lib(lua: &Lua) -> mlua::Result<Table> {
    let s = lua.create_table()?;
    s.raw_set(
        "pack",
        lua.create_function(|lua, args: Variadic<Value>| {
            let Some(Value::String(fmt)) = args.first() else {
                return Err(err("bad argument #1 to 'pack' (string expected)"));
            };
            let items = parse_format(&fmt.as_bytes())?;
            let mut out = Vec::new();
            let mut arg = 1;
            for (little, item) in items {
                match item {
                    Item::Int { size, .. } => {
                        let v = num_arg(args.get(arg))? as i64 as u64;
                        arg += 1;
                        let bytes = v.to_le_bytes();
                        let mut b = bytes[..size].to_vec();
                        if !little {
                            b.reverse();
                        }
                        out.extend_from_slice(&b);
                    }
                    Item::Float | Item::Double => {
                        let v = num_arg(args.get(arg))?;
                        arg += 1;
                        let mut b = if matches!(item, Item::Float) {
                            (v as f32).to_le_bytes().to_vec()
                        } else {
                            v.to_le_bytes().to_vec()
                        };
                        if !little {
                            b.reverse();
                        }
                        out.extend_from_slice(&b);
                    }
                    Item::Zstr | Item::Chars(_) => {
                        let Some(Value::String(v)) = args.get(arg) else {
                            return Err(err(format!(
                                "bad argument #{} to 'pack' (string expected)",
                                arg + 1
                            )));
                        };
                        arg += 1;
                        let v = v.as_bytes();
                        match item {
                            Item::Zstr => {
                                out.extend_from_slice(&v);
                                out.push(0);
                            }
                            Item::Chars(0) => out.extend_from_slice(&v),
                            Item::Chars(n) => {
                                if v.len() < n {
                                    return Err(err("string too short"));
                                }
                                out.extend_from_slice(&v[..n]);
                            }
                            _ => {}
                        }
                    }
                    Item::Pad => out.push(0),
                }
            }
            lua.create_string(&out)
        })?,
    )?;
    s.raw_set(
        "unpack",
        lua.create_function(
            |lua, (fmt, data, pos): (mlua::String, mlua::String, Option<i64>)| {
                let items = parse_format(&fmt.as_bytes())?;
                let b = data.as_bytes();
                let mut p = pos.unwrap_or(1).max(1) as usize - 1;
                let mut out = Vec::new();
                let need = |p: usize, n: usize| -> mlua::Result<()> {
                    if p + n > b.len() {
                        Err(err("data string too short"))
                    } else {
                        Ok(())
                    }
                };
                for (little, item) in items {
                    match item {
                        Item::Int { size, signed } => {
                            need(p, size)?;
                            let mut raw = b[p..p + size].to_vec();
                            if !little {
                                raw.reverse();
                            }
                            let mut v = raw.iter().rev().fold(0u64, |a, &x| (a << 8) | x as u64);
                            if signed && size < 8 && v & (1 << (size * 8 - 1)) != 0 {
                                v |= !0u64 << (size * 8);
                            }
                            out.push(Value::Number(if signed {
                                v as i64 as f64
                            } else {
                                v as f64
                            }));
                            p += size;
                        }
                        Item::Float | Item::Double => {
                            let size = if matches!(item, Item::Float) { 4 } else { 8 };
                            need(p, size)?;
                            let mut raw = b[p..p + size].to_vec();
                            if !little {
                                raw.reverse();
                            }
                            let v = if size == 4 {
                                f32::from_le_bytes(raw.try_into().expect("4 bytes")) as f64
                            } else {
                                f64::from_le_bytes(raw.try_into().expect("8 bytes"))
                            };
                            out.push(Value::Number(v));
                            p += size;
                        }
                        Item::Zstr => {
                            let end = b[p..]
                                .iter()
                                .position(|&c| c == 0)
                                .ok_or_else(|| err("unfinished string in data"))?;
                            out.push(Value::String(lua.create_string(&b[p..p + end])?));
                            p += end + 1;
                        }
                        Item::Chars(n) => {
                            let n = if n == 0 { b.len() - p } else { n };
                            need(p, n)?;
                            out.push(Value::String(lua.create_string(&b[p..p + n])?));
                            p += n;
                        }
                        Item::Pad => p += 1,
                    }
                }
                out.push(Value::Number((p + 1) as f64));
                Ok(MultiValue::from_iter(out))
            },
        )?,
    )?;
    s.raw_set(
        "size",
        lua.create_function(|_, fmt: mlua::String| {
            let mut n = 0usize;
            for (_, item) in parse_format(&fmt.as_bytes())? {
                n += match item {
                    Item::Int { size, .. } => size,
                    Item::Float => 4,
                    Item::Double => 8,
                    Item::Chars(c) => c,
                    Item::Pad => 1,
                    Item::Zstr => return Err(err("options 'c0' - 's' have undefined sizes")),
                };
            }
            Ok(n as f64)
        })?,
    )?;
    Ok(s)
}
