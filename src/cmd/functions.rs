//! Function commands (Redis's `functions.c`): FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP /
//! RESTORE / STATS / KILL / HELP, FCALL and FCALL_RO. Libraries live in
//! `crate::scripting::functions`; a call runs through the same machinery as EVAL
//! ([`super::scripting::run_callee`]): effects propagated, the clock frozen, busy replies.
//!
//! FUNCTION LOAD, DELETE, FLUSH and RESTORE change data outside the keyspace: they count as
//! a change (Redis's `server.dirty++`) and so propagate to the AOF as they are, and the AOF
//! rewrite writes every library as a `FUNCTION LOAD` (see `aof_rewrite.rs`).

use super::scripting::{run_callee, Callee};
use super::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::scripting::functions::{RestorePolicy, LOAD_TIMEOUT};
use bytes::Bytes;

fn fcall_generic(ctx: &mut Ctx, argv: &[Bytes], ro: bool) -> CmdResult {
    let name = String::from_utf8_lossy(&argv[1]);
    let Some(f) = ctx.store.scripting.functions.find(&name) else {
        return Err(CmdError::err("Function not found"));
    };
    let (func, flags, fname) = (f.func.clone(), f.flags, f.name.clone());
    let numkeys =
        super::parse_int(&argv[2]).map_err(|_| CmdError::err("Bad number of keys provided"))?;
    if numkeys > (argv.len() - 3) as i64 {
        return Err(CmdError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    if numkeys < 0 {
        return Err(CmdError::err("Number of keys can't be negative"));
    }
    let n = numkeys as usize;
    let (keys, args) = (&argv[3..3 + n], &argv[3 + n..]);
    run_callee(
        ctx,
        func,
        flags,
        Callee::Function(&fname),
        argv,
        keys,
        args,
        ro,
    )
}

pub fn fcall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, false)
}

pub fn fcall_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    fcall_generic(ctx, argv, true)
}

/// A change to the libraries: counted (so it propagates) and published for FUNCTION STATS.
fn changed(ctx: &mut Ctx) {
    ctx.store.note_change();
    ctx.store.scripting.note_functions();
}

/// FUNCTION LOAD [REPLACE] code
pub fn function_load(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut replace = false;
    for a in &argv[2..argv.len() - 1] {
        if a.eq_ignore_ascii_case(b"replace") {
            replace = true;
            continue;
        }
        return Err(CmdError::err(format!(
            "Unknown option given: {}",
            String::from_utf8_lossy(a)
        )));
    }
    // Replaying the AOF loads without a time limit, as Redis does for its master and AOF.
    let timeout = (!ctx.store.replaying).then_some(LOAD_TIMEOUT);
    let code = &argv[argv.len() - 1];
    let name = ctx
        .store
        .scripting
        .functions
        .load(code, replace, timeout)
        .map_err(CmdError::err)?;
    changed(ctx);
    ctx.out.bulk(name.as_bytes());
    Ok(())
}

pub fn function_delete(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = String::from_utf8_lossy(&argv[2]);
    if !ctx.store.scripting.functions.delete(&name) {
        return Err(CmdError::err("Library not found"));
    }
    changed(ctx);
    ctx.out.ok();
    Ok(())
}

pub fn function_flush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(crate::error::subcommand_syntax(argv));
    }
    if let Some(a) = argv.get(2) {
        if !a.eq_ignore_ascii_case(b"sync") && !a.eq_ignore_ascii_case(b"async") {
            return Err(CmdError::err(
                "FUNCTION FLUSH only supports SYNC|ASYNC option",
            ));
        }
    }
    ctx.store.scripting.functions.flush();
    changed(ctx);
    ctx.out.ok();
    Ok(())
}

/// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
pub fn function_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut with_code, mut pattern) = (false, None);
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if !with_code && a.eq_ignore_ascii_case(b"withcode") {
            with_code = true;
        } else if pattern.is_none() && a.eq_ignore_ascii_case(b"libraryname") {
            if i + 1 >= argv.len() {
                return Err(CmdError::err("library name argument was not given"));
            }
            i += 1;
            pattern = Some(argv[i].clone());
        } else {
            return Err(CmdError::err(format!(
                "Unknown argument {}",
                String::from_utf8_lossy(a)
            )));
        }
        i += 1;
    }
    let libs: Vec<_> = ctx
        .store
        .scripting
        .functions
        .libraries
        .values()
        .filter(|l| {
            pattern
                .as_ref()
                .is_none_or(|p| crate::glob::matches(p, l.name.as_bytes(), true))
        })
        .collect();
    let out = &mut *ctx.out;
    out.array(libs.len());
    for lib in libs {
        out.map(if with_code { 4 } else { 3 });
        out.bulk(b"library_name");
        out.bulk(lib.name.as_bytes());
        out.bulk(b"engine");
        out.bulk(b"LUA");
        out.bulk(b"functions");
        out.array(lib.functions.len());
        for f in &lib.functions {
            out.map(3);
            out.bulk(b"name");
            out.bulk(f.name.as_bytes());
            out.bulk(b"description");
            match &f.desc {
                Some(d) => out.bulk(d),
                None => out.null(),
            }
            out.bulk(b"flags");
            let names = f.flags.names();
            out.set(names.len());
            for n in names {
                out.simple(n);
            }
        }
        if with_code {
            out.bulk(b"library_code");
            out.bulk(&lib.code);
        }
    }
    Ok(())
}

pub fn function_dump(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let payload = ctx.store.scripting.functions.dump();
    ctx.out.bulk(&payload);
    Ok(())
}

/// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
pub fn function_restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 4 {
        return Err(crate::error::subcommand_syntax(argv));
    }
    let policy = match argv.get(3) {
        None => RestorePolicy::Append,
        Some(p) if p.eq_ignore_ascii_case(b"append") => RestorePolicy::Append,
        Some(p) if p.eq_ignore_ascii_case(b"replace") => RestorePolicy::Replace,
        Some(p) if p.eq_ignore_ascii_case(b"flush") => RestorePolicy::Flush,
        Some(_) => {
            return Err(CmdError::err(
                "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ))
        }
    };
    ctx.store
        .scripting
        .functions
        .restore(&argv[2], policy)
        .map_err(CmdError::err)?;
    changed(ctx);
    ctx.out.ok();
    Ok(())
}

/// FUNCTION STATS through the store: nothing runs while a command holds it (a busy
/// function's stats are answered from the connection, see `connection::answer_busy`).
pub fn function_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let f = &ctx.store.scripting.functions;
    write_stats(
        ctx.out,
        None,
        f.libraries.len() as i64,
        f.function_count() as i64,
    );
    Ok(())
}

/// FUNCTION STATS's reply: the running function (name, command, ms so far) and the engine.
pub fn write_stats(
    out: &mut resp::writer::ReplyWriter,
    running: Option<(&str, &[Bytes], i64)>,
    libraries: i64,
    functions: i64,
) {
    out.map(2);
    out.bulk(b"running_script");
    match running {
        None => out.null(),
        Some((name, argv, ms)) => {
            out.map(3);
            out.bulk(b"name");
            out.bulk(name.as_bytes());
            out.bulk(b"command");
            out.array(argv.len());
            for a in argv {
                out.bulk(a);
            }
            out.bulk(b"duration_ms");
            out.int(ms);
        }
    }
    out.bulk(b"engines");
    out.map(1);
    out.bulk(b"LUA");
    out.map(2);
    out.bulk(b"libraries_count");
    out.int(libraries);
    out.bulk(b"functions_count");
    out.int(functions);
}

pub fn function_kill(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Err(CmdError::Raw(
        "NOTBUSY No scripts in execution right now.".into(),
    ))
}

pub fn function_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let lines = [
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
    ];
    super::connection::write_help(ctx, "FUNCTION", &lines);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    const LIB: &str = "#!lua name=mylib\nredis.register_function{function_name='setget', callback=function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end, description='sets and gets'}\nredis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}";

    #[test]
    fn function_table() {
        let mut s = Session::default();
        for (argv, want) in [
            (&["function", "load", LIB][..], "$5\r\nmylib\r\n"),
            (&["fcall", "setget", "1", "k", "v"], "$1\r\nv\r\n"),
            (&["fcall", "SETGET", "1", "k", "w"], "$1\r\nw\r\n"),
            (&["fcall_ro", "peek", "1", "k"], "$1\r\nw\r\n"),
            (&["fcall_ro", "setget", "1", "k", "v"], "-ERR Can not execute a script with write flag using *_ro command.\r\n"),
            (&["fcall", "nosuch", "0"], "-ERR Function not found\r\n"),
            (&["fcall", "peek", "x"], "-ERR Bad number of keys provided\r\n"),
            (&["fcall", "peek", "2", "k"], "-ERR Number of keys can't be greater than number of args\r\n"),
            (&["function", "load", LIB], "-ERR Library 'mylib' already exists\r\n"),
            (&["function", "load", "replace", LIB], "$5\r\nmylib\r\n"),
            (&["function", "load", "bad", LIB], "-ERR Unknown option given: bad\r\n"),
            (
                &["function", "list", "libraryname", "my*"],
                "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$6\r\nsetget\r\n$11\r\ndescription\r\n$13\r\nsets and gets\r\n$5\r\nflags\r\n*0\r\n*6\r\n$4\r\nname\r\n$4\r\npeek\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n",
            ),
            (&["function", "list", "libraryname", "x*"], "*0\r\n"),
            (&["function", "stats"], "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n"),
            (&["function", "delete", "mylib"], "+OK\r\n"),
            (&["function", "delete", "mylib"], "-ERR Library not found\r\n"),
            (&["fcall", "peek", "1", "k"], "-ERR Function not found\r\n"),
            (&["function", "kill"], "-NOTBUSY No scripts in execution right now.\r\n"),
            (&["function", "restore", "junk"], "-ERR DUMP payload version or checksum are wrong\r\n"),
            (&["function", "restore", "junk", "how"], "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n"),
        ] {
            assert_eq!(s.run(argv), want, "{argv:?}");
        }
    }

    #[test]
    fn a_function_that_writes_propagates_its_effects_and_load_propagates_itself() {
        let mut s = Session::default();
        s.store.aof.enabled = true;
        s.run(&["function", "load", LIB]);
        s.run(&["fcall", "setget", "1", "k", "v"]);
        let names: Vec<String> = s
            .store
            .effects
            .iter()
            .map(|(_, a)| String::from_utf8_lossy(&a[0]).into_owned())
            .collect();
        assert_eq!(names, ["function", "set"]);
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

    pub static FUNCTION_SUBS: &[Command] = &[
        Command {
            name: "dump",
            arity: 2,
            flags: NOSCRIPT,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: function_dump,
            doc: Doc { summary: "Dumps all libraries into a serialized binary payload.", since: "7.0.0", group: "scripting", complexity: "O(N) where N is the number of functions", ..Doc::DEFAULT },
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
            handler: function_kill,
            doc: Doc { summary: "Terminates a function during execution.", since: "7.0.0", group: "scripting", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "load",
            arity: -3,
            flags: WRITE | DENYOOM | NOSCRIPT,
            acl: &["write", "slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: function_load,
            doc: Doc { summary: "Creates a library.", since: "7.0.0", group: "scripting", complexity: "O(1) (considering compilation time is redundant)", args: &[
                    Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "function-code", kind: "string", display: Some("function-code"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "delete",
            arity: 3,
            flags: WRITE | NOSCRIPT,
            acl: &["write", "slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: function_delete,
            doc: Doc { summary: "Deletes a library and its functions.", since: "7.0.0", group: "scripting", complexity: "O(1)", args: &[
                    Arg { name: "library-name", kind: "string", display: Some("library-name"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "flush",
            arity: -2,
            flags: WRITE | NOSCRIPT,
            acl: &["write", "slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: function_flush,
            doc: Doc { summary: "Deletes all libraries and functions.", since: "7.0.0", group: "scripting", complexity: "O(N) where N is the number of functions deleted", args: &[
                    Arg { name: "flush-type", kind: "oneof", flags: ARG_OPTIONAL, args: &[
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
            handler: function_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "7.0.0", group: "scripting", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "list",
            arity: -2,
            flags: NOSCRIPT,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output_order"],
            handler: function_list,
            doc: Doc { summary: "Returns information about all libraries.", since: "7.0.0", group: "scripting", complexity: "O(N) where N is the number of functions", args: &[
                    Arg { name: "library-name-pattern", kind: "string", display: Some("library-name-pattern"), token: Some("LIBRARYNAME"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "withcode", kind: "pure-token", display: Some("withcode"), token: Some("WITHCODE"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "restore",
            arity: -3,
            flags: WRITE | DENYOOM | NOSCRIPT,
            acl: &["write", "slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: function_restore,
            doc: Doc { summary: "Restores all libraries from a payload.", since: "7.0.0", group: "scripting", complexity: "O(N) where N is the number of functions on the payload", args: &[
                    Arg { name: "serialized-value", kind: "string", display: Some("serialized-value"), ..Arg::DEFAULT },
                    Arg { name: "policy", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "flush", kind: "pure-token", display: Some("flush"), token: Some("FLUSH"), ..Arg::DEFAULT },
                        Arg { name: "append", kind: "pure-token", display: Some("append"), token: Some("APPEND"), ..Arg::DEFAULT },
                        Arg { name: "replace", kind: "pure-token", display: Some("replace"), token: Some("REPLACE"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "stats",
            arity: 2,
            flags: NOSCRIPT | ALLOW_BUSY,
            acl: &["slow", "scripting"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            handler: function_stats,
            doc: Doc { summary: "Returns information about a function during execution.", since: "7.0.0", group: "scripting", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
    
    /// This family's commands.
    pub static COMMANDS: &[Command] = &[
    Command {
        name: "fcall",
        arity: -3,
        flags: NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE", flags: &["RW", "access", "update"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: fcall,
        doc: Doc { summary: "Invokes a function.", since: "7.0.0", group: "scripting", complexity: "Depends on the function that is executed.", args: &[
                Arg { name: "function", kind: "string", display: Some("function"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "fcall_ro",
        arity: -3,
        flags: READONLY | NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS,
        acl: &["slow", "scripting"],
        legacy_keys: (0, 0, 0),
        key_specs: &[KeySpec { notes: "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS", flags: &["RO", "access"], begin: Begin::Index(2), find: Find::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 } }],
        tips: &[],
        handler: fcall_ro,
        doc: Doc { summary: "Invokes a read-only function.", since: "7.0.0", group: "scripting", complexity: "Depends on the function that is executed.", args: &[
                Arg { name: "function", kind: "string", display: Some("function"), ..Arg::DEFAULT },
                Arg { name: "numkeys", kind: "integer", display: Some("numkeys"), ..Arg::DEFAULT },
                Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },

    Command {
        name: "function",
        arity: -2,
        flags: 0,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        doc: Doc { summary: "A container for function commands.", since: "7.0.0", group: "scripting", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
        subcommands: FUNCTION_SUBS,
        ..Command::DEFAULT
    },
    ];
}

pub use rows::COMMANDS;
