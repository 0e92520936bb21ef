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

use mlua::{Lua, Table, Value};
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

/// Parses one RESP reply at the start of `b` into a Lua value; the bytes used.
pub fn reply_to_lua(lua: &Lua, b: &[u8]) -> mlua::Result<(Value, usize)> {
    let nl = b
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or_else(|| mlua::Error::runtime("truncated reply"))?;
    let line = &b[1..nl];
    let mut used = nl + 2;
    let text = || String::from_utf8_lossy(line).into_owned();
    let int = || resp::parser::parse_i64(line).unwrap_or(0);
    let tagged = |k: &str, v: Value| -> mlua::Result<Value> {
        let t = lua.create_table()?;
        t.raw_set(k, v)?;
        Ok(Value::Table(t))
    };
    let v = match b[0] {
        b'+' => tagged("ok", Value::String(lua.create_string(line)?))?,
        b'-' => tagged("err", Value::String(lua.create_string(line)?))?,
        b':' => Value::Number(int() as f64),
        b'$' | b'=' => {
            let n = int();
            if n < 0 {
                Value::Boolean(false)
            } else {
                let n = n as usize;
                let data = &b[used..used + n];
                used += n + 2;
                if b[0] == b'=' {
                    let t = lua.create_table()?;
                    t.raw_set("format", lua.create_string(&data[..3.min(n)])?)?;
                    t.raw_set("string", lua.create_string(&data[4.min(n)..])?)?;
                    tagged("verbatim_string", Value::Table(t))?
                } else {
                    Value::String(lua.create_string(data)?)
                }
            }
        }
        b'*' | b'~' | b'%' | b'>' => {
            let n = int();
            if n < 0 {
                Value::Boolean(false)
            } else {
                let t = lua.create_table()?;
                let pairs = b[0] == b'%';
                for i in 0..n {
                    let (k, u) = reply_to_lua(lua, &b[used..])?;
                    used += u;
                    if pairs {
                        let (v, u) = reply_to_lua(lua, &b[used..])?;
                        used += u;
                        t.raw_set(k, v)?;
                    } else if b[0] == b'~' {
                        t.raw_set(k, true)?;
                    } else {
                        t.raw_set(i + 1, k)?;
                    }
                }
                match b[0] {
                    b'%' => tagged("map", Value::Table(t))?,
                    b'~' => tagged("set", Value::Table(t))?,
                    _ => Value::Table(t),
                }
            }
        }
        b'_' => Value::Nil,
        b'#' => Value::Boolean(line == b"t"),
        b',' => {
            let d = crate::util::parse_f64(line).unwrap_or(0.0);
            tagged("double", Value::Number(d))?
        }
        b'(' => tagged("big_number", Value::String(lua.create_string(line)?))?,
        b'|' => {
            // Attributes are skipped: the reply follows them.
            let n = int().max(0);
            for _ in 0..n * 2 {
                let (_, u) = reply_to_lua(lua, &b[used..])?;
                used += u;
            }
            let (v, u) = reply_to_lua(lua, &b[used..])?;
            used += u;
            v
        }
        _ => Value::String(lua.create_string(text())?),
    };
    Ok((v, used))
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
