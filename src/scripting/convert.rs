//! Conversions between RESP and Lua, both ways, as Redis documents them ("Data type
//! conversion" on the EVAL page; `script_lua.c`).
//!
//! RESP → Lua (what `redis.call` returns; RESP3 forms only after `redis.setresp(3)`):
//! integer → number; bulk → string; null bulk / null array → false (RESP3 null → nil);
//! array → table; status → `{ok=...}`; error → `{err=...}`; RESP3 map → `{map={...}}`, set →
//! `{set={member=true}}`, double → `{double=n}`, boolean → boolean, big number →
//! `{big_number="..."}`, verbatim → `{verbatim_string={format=..., string=...}}`.
//!
//! Lua → RESP (what a script returns): number → integer (truncated); string → bulk; table
//! with `err` → error, with `ok` → status, (RESP3 forms) `double`, `map`, `set`,
//! `big_number`, `verbatim_string`; any other table → array up to its first nil; boolean
//! true → 1 and false → null under RESP2 (`setresp(3)`: booleans); nil → null.

use mlua::{ffi, Table, Value};
use resp::writer::ReplyWriter;

/// A number as Lua 5.1 prints it (`LUA_NUMBER_FMT`, "%.14g"): what a number argument of
/// redis.call becomes.
pub fn lua_number_text(n: f64) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "inf" } else { "-inf" }.into();
    }
    if n == n.trunc() && n.abs() < 1e14 {
        return format!("{}", n as i64);
    }
    // %.14g: 14 significant digits; the exponent after rounding decides the form.
    let s = format!("{:.13e}", n);
    let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    if !(-4..14).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim_zeros(mant), exp.abs());
    }
    let decimals = (13 - exp).max(0) as usize;
    trim_zeros(&format!("{:.*}", decimals, n)).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Pushes the RESP reply at the start of `b` onto `l`'s stack as the one Lua value Redis gives
/// a script for it; the bytes it used. Values go straight onto the Lua stack (no Rust-side
/// values between), so a reply of N items costs N pushes.
///
/// # Safety
/// `l` is a live Lua state. Only borrows and integers live in these frames, so a Lua error
/// raised through them (stack or memory exhausted) skips nothing that needs dropping.
pub unsafe fn push_reply(l: *mut ffi::lua_State, b: &[u8]) -> usize {
    ffi::luaL_checkstack(l, 4, c"reached lua stack limit".as_ptr());
    let Some(nl) = b.iter().position(|&c| c == b'\r') else {
        ffi::lua_pushnil(l);
        return b.len();
    };
    let line = &b[1..nl];
    let mut used = (nl + 2).min(b.len());
    let int = || resp::parser::parse_i64(line).unwrap_or(0);
    match b[0] {
        b'+' => push_tagged_str(l, c"ok", line),
        b'-' => push_tagged_str(l, c"err", line),
        b':' => ffi::lua_pushnumber(l, int() as f64),
        b'$' | b'=' => {
            let n = int();
            if n < 0 {
                ffi::lua_pushboolean(l, 0);
            } else {
                let n = n as usize;
                let data = b.get(used..used + n).unwrap_or_default();
                used = (used + n + 2).min(b.len());
                if b[0] == b'=' {
                    ffi::lua_createtable(l, 0, 1);
                    ffi::lua_createtable(l, 0, 2);
                    push_str(l, &data[..3.min(data.len())]);
                    ffi::lua_setfield(l, -2, c"format".as_ptr());
                    push_str(l, &data[4.min(data.len())..]);
                    ffi::lua_setfield(l, -2, c"string".as_ptr());
                    ffi::lua_setfield(l, -2, c"verbatim_string".as_ptr());
                } else {
                    push_str(l, data);
                }
            }
        }
        b'*' | b'~' | b'%' | b'>' => {
            let n = int();
            if n < 0 {
                ffi::lua_pushboolean(l, 0);
                return used;
            }
            let n = n.min(1 << 24) as i32;
            let (tag, keyed) = match b[0] {
                b'%' => (Some(c"map"), true),
                b'~' => (Some(c"set"), true),
                _ => (None, false),
            };
            if tag.is_some() {
                ffi::lua_createtable(l, 0, 1);
            }
            if keyed {
                ffi::lua_createtable(l, 0, n);
            } else {
                ffi::lua_createtable(l, n, 0);
            }
            for i in 0..n {
                if used >= b.len() {
                    break;
                }
                used += push_reply(l, &b[used..]);
                if b[0] == b'%' {
                    used += if used < b.len() {
                        push_reply(l, &b[used..])
                    } else {
                        ffi::lua_pushnil(l);
                        0
                    };
                } else if b[0] == b'~' {
                    ffi::lua_pushboolean(l, 1);
                }
                if keyed {
                    // A nil key (a RESP3 null) cannot index a table: left out.
                    if ffi::lua_isnil(l, -2) != 0 {
                        ffi::lua_settop(l, -3);
                    } else {
                        ffi::lua_rawset(l, -3);
                    }
                } else {
                    ffi::lua_rawseti(l, -2, i as ffi::lua_Integer + 1);
                }
            }
            if let Some(tag) = tag {
                ffi::lua_setfield(l, -2, tag.as_ptr());
            }
        }
        b'_' => ffi::lua_pushnil(l),
        b'#' => ffi::lua_pushboolean(l, (line == b"t") as i32),
        b',' => {
            ffi::lua_createtable(l, 0, 1);
            ffi::lua_pushnumber(l, crate::util::parse_f64(line).unwrap_or(0.0));
            ffi::lua_setfield(l, -2, c"double".as_ptr());
        }
        b'(' => push_tagged_str(l, c"big_number", line),
        b'|' => {
            // Attributes are skipped: the reply follows them.
            for _ in 0..int().max(0) * 2 {
                if used >= b.len() {
                    break;
                }
                used += push_reply(l, &b[used..]);
                ffi::lua_settop(l, -2);
            }
            if used < b.len() {
                used += push_reply(l, &b[used..]);
            } else {
                ffi::lua_pushnil(l);
            }
        }
        _ => push_str(l, line),
    }
    used
}

/// Pushes an array of strings (KEYS, ARGV).
///
/// # Safety
/// As [`push_reply`].
pub unsafe fn push_string_array(l: *mut ffi::lua_State, items: &[bytes::Bytes]) {
    ffi::luaL_checkstack(l, 2, c"too many arguments".as_ptr());
    ffi::lua_createtable(l, items.len().min(i32::MAX as usize) as i32, 0);
    for (i, b) in items.iter().enumerate() {
        push_str(l, b);
        ffi::lua_rawseti(l, -2, i as ffi::lua_Integer + 1);
    }
}

unsafe fn push_str(l: *mut ffi::lua_State, s: &[u8]) {
    ffi::lua_pushlstring(l, s.as_ptr() as *const std::ffi::c_char, s.len());
}

/// Pushes `{tag = s}`.
///
/// # Safety
/// As [`push_reply`].
pub unsafe fn push_tagged_str(l: *mut ffi::lua_State, tag: &std::ffi::CStr, s: &[u8]) {
    ffi::lua_createtable(l, 0, 1);
    push_str(l, s);
    ffi::lua_setfield(l, -2, tag.as_ptr());
}

/// How deep a returned table may nest before the reply says so (Redis: "reached lua stack
/// limit").
const MAX_DEPTH: usize = 200;

/// Writes what a script returned as the reply; `script_resp` is the protocol the script chose
/// with `redis.setresp` (booleans and RESP3 forms follow it).
pub fn lua_to_reply(v: &Value, out: &mut ReplyWriter, script_resp: u8) {
    write_value(v, out, script_resp, 0)
}

fn str_field(t: &Table, k: &str) -> Option<mlua::String> {
    match t.raw_get::<Value>(k) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn write_value(v: &Value, out: &mut ReplyWriter, script_resp: u8, depth: usize) {
    if depth > MAX_DEPTH {
        out.error("ERR reached lua stack limit");
        return;
    }
    match v {
        Value::String(s) => out.bulk(&s.as_bytes()),
        Value::Boolean(b) => {
            if script_resp == 3 {
                out.boolean(*b)
            } else if *b {
                out.int(1)
            } else {
                out.null()
            }
        }
        // C's (long long) cast: out of range (and NaN) is LLONG_MIN on x86-64, as Redis
        // replies for `return 1e300`.
        Value::Number(n) if n.is_nan() || n.abs() >= 9_223_372_036_854_775_808.0 => {
            out.int(i64::MIN)
        }
        Value::Number(n) => out.int(*n as i64),
        Value::Integer(i) => out.int(*i),
        Value::Table(t) => write_table(t, out, script_resp, depth),
        _ => out.null(),
    }
}

fn write_table(t: &Table, out: &mut ReplyWriter, script_resp: u8, depth: usize) {
    if let Some(e) = str_field(t, "err") {
        let e = e.to_string_lossy().to_string();
        // An error reply's text as given; one without a code is still sent as it is
        // (Redis's addReplyErrorFormatEx with "-%s").
        out.error(&e);
        return;
    }
    if let Some(ok) = str_field(t, "ok") {
        let s = ok.to_string_lossy().to_string();
        out.simple(&s.replace(['\r', '\n'], " "));
        return;
    }
    if let Ok(Value::Number(d)) = t.raw_get::<Value>("double") {
        out.double(d);
        return;
    }
    if let Some(b) = str_field(t, "big_number") {
        if out.is_resp3() {
            let s = b.to_string_lossy().to_string();
            out.raw(format!("({}\r\n", s.replace(['\r', '\n'], " ")).as_bytes());
        } else {
            out.bulk(&b.as_bytes());
        }
        return;
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
        let pairs: Vec<(Value, Value)> = m.pairs::<Value, Value>().flatten().collect();
        out.map(pairs.len());
        for (k, v) in &pairs {
            write_value(k, out, script_resp, depth + 1);
            write_value(v, out, script_resp, depth + 1);
        }
        return;
    }
    if let Ok(Value::Table(s)) = t.raw_get::<Value>("set") {
        let keys: Vec<Value> = s
            .pairs::<Value, Value>()
            .flatten()
            .map(|(k, _)| k)
            .collect();
        out.set(keys.len());
        for k in &keys {
            write_value(k, out, script_resp, depth + 1);
        }
        return;
    }
    if let Ok(Value::Table(vs)) = t.raw_get::<Value>("verbatim_string") {
        if let (Some(f), Some(s)) = (str_field(&vs, "format"), str_field(&vs, "string")) {
            if out.is_resp3() {
                let (f, s) = (f.as_bytes(), s.as_bytes());
                let mut b = Vec::with_capacity(s.len() + 16);
                b.extend_from_slice(format!("={}\r\n", s.len() + 4).as_bytes());
                b.extend_from_slice(&f);
                b.push(b':');
                b.extend_from_slice(&s);
                b.extend_from_slice(b"\r\n");
                out.raw(&b);
            } else {
                out.bulk(&s.as_bytes());
            }
            return;
        }
    }
    // An array, up to its first nil.
    let mut items = Vec::new();
    for i in 1.. {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(v),
        }
    }
    out.array(items.len());
    for v in &items {
        write_value(v, out, script_resp, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_lua_5_1() {
        for (n, s) in [
            (1.0, "1"),
            (-3.0, "-3"),
            (3.5, "3.5"),
            (0.1, "0.1"),
            (1e15, "1e+15"),
            (123456789012345.0, "1.2345678901234e+14"),
            (1.0 / 3.0, "0.33333333333333"),
            (1e-7, "1e-07"),
        ] {
            assert_eq!(lua_number_text(n), s, "{n}");
        }
    }
}
