//! ACL: SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN, LOAD, SAVE,
//! HELP. The users and the check live in `crate::acl`; this is their command surface, and
//! what a change does to the connections: a deleted user's are closed, and a user's
//! subscribers lose their connection when their channels are no longer allowed.

use super::table::*;
use super::{eq_ic, Ctx};
use crate::acl::{self, Fallout};
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `acl-pubsub-default allchannels`.
fn pubsub_all(ctx: &Ctx) -> bool {
    ctx.store.config.acl_pubsub_all
}

/// Closes the connections a change leaves without their user or their subscriptions.
pub(crate) fn apply_fallout(ctx: &mut Ctx, fallout: &Fallout) {
    let mut victims = Vec::new();
    for (id, c) in &ctx.store.clients {
        if fallout.killed.contains(&c.user) {
            victims.push(*id);
        } else if fallout.channels_revoked.contains(&c.user) {
            let Some(u) = ctx.store.acl.user(&c.user) else {
                continue;
            };
            let subs = ctx.store.pubsub.subs(*id);
            let denied = subs.patterns.iter().any(|p| !u.channel_ok(p, true))
                || subs
                    .channels
                    .iter()
                    .chain(&subs.shard_channels)
                    .any(|ch| !u.channel_ok(ch, false));
            if denied {
                victims.push(*id);
            }
        }
    }
    for id in victims {
        if id == ctx.client.id {
            ctx.client.close_after_reply = true;
        } else if let Some(c) = ctx.store.clients.get(&id) {
            c.shared.kill();
        }
    }
}

/// `addReplySubcommandSyntaxError`: a subcommand with a variable arity given too much.
fn subcommand_syntax(sub: &[u8]) -> CmdError {
    // `%.128s`: the first 128 bytes (a String cut there could split a character: found by
    // the command fuzz target).
    let sub = lossy(&sub[..sub.len().min(128)]);
    CmdError::err(format!(
        "unknown subcommand or wrong number of arguments for '{sub}'. Try ACL HELP."
    ))
}

pub fn acl(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Err(CmdError::Syntax)
}

pub fn acl_setuser(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = &argv[2];
    if name
        .iter()
        .any(|&c| c.is_ascii_whitespace() || c == 0 || c == 0x0b)
    {
        return Err(CmdError::err(
            "Usernames can't contain spaces or null characters",
        ));
    }
    let all = pubsub_all(ctx);
    let fallout = ctx
        .store
        .acl
        .set_user(name, &argv[3..], all)
        .map_err(CmdError::err)?;
    apply_fallout(ctx, &fallout);
    ctx.out.ok();
    Ok(())
}

pub fn acl_deluser(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv[2..].iter().any(|n| n.as_ref() == b"default") {
        return Err(CmdError::err("The 'default' user cannot be removed"));
    }
    let mut fallout = Fallout::default();
    for name in &argv[2..] {
        if ctx.store.acl.del_user(name) {
            fallout.killed.push(name.clone());
        }
    }
    apply_fallout(ctx, &fallout);
    ctx.out.int(fallout.killed.len() as i64);
    Ok(())
}

fn write_selector(ctx: &mut Ctx, s: &acl::Selector) {
    for (k, v) in s.fields() {
        ctx.out.bulk(k.as_bytes());
        ctx.out.bulk(&v);
    }
}

pub fn acl_getuser(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(u) = ctx.store.acl.user(&argv[2]).cloned() else {
        ctx.out.null();
        return Ok(());
    };
    ctx.out.map(6);
    ctx.out.bulk(b"flags");
    let flags = u.flag_names();
    ctx.out.set(flags.len());
    for f in flags {
        ctx.out.bulk(f.as_bytes());
    }
    ctx.out.bulk(b"passwords");
    ctx.out.array(u.passwords().len());
    for p in u.passwords() {
        ctx.out.bulk(p.as_bytes());
    }
    write_selector(ctx, u.root());
    ctx.out.bulk(b"selectors");
    ctx.out.array(u.extra_selectors().len());
    for s in u.extra_selectors() {
        ctx.out.map(3);
        write_selector(ctx, s);
    }
    Ok(())
}

pub fn acl_list(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let lines = ctx.store.acl.list_lines();
    ctx.out.array(lines.len());
    for l in lines {
        ctx.out.bulk(&l);
    }
    Ok(())
}

pub fn acl_users(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let names: Vec<Bytes> = ctx.store.acl.users().map(|u| u.name.clone()).collect();
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(&n);
    }
    Ok(())
}

pub fn acl_whoami(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match &ctx.client.user {
        Some(u) => ctx.out.bulk(&u.name),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn acl_cat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax(&argv[1]));
    }
    let Some(cat) = argv.get(2) else {
        ctx.out.array(acl::CATEGORIES.len());
        for c in acl::CATEGORIES {
            ctx.out.bulk(c.as_bytes());
        }
        return Ok(());
    };
    let Some(i) = acl::CATEGORIES.iter().position(|c| eq_ic(cat, c)) else {
        let name = lossy(&cat[..cat.len().min(128)]);
        return Err(CmdError::err(format!("Unknown category '{name}'")));
    };
    let names: Vec<&str> = acl::all_commands()
        .iter()
        .filter(|c| c.categories & (1 << i) != 0)
        .map(|c| c.full_name)
        .collect();
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

pub fn acl_genpass(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    const MAX_BITS: i64 = 4096;
    if argv.len() > 3 {
        return Err(subcommand_syntax(&argv[1]));
    }
    let bits = match argv.get(2) {
        Some(a) => crate::util::parse_i64(a).ok_or(CmdError::NotInteger)?,
        None => 256,
    };
    if bits <= 0 || bits > MAX_BITS {
        return Err(CmdError::err(format!("ACL GENPASS argument must be the number of bits for the output password, a positive number up to {MAX_BITS}")));
    }
    let pass = acl::random_hex(((bits + 3) / 4) as usize);
    ctx.out.bulk(pass.as_bytes());
    Ok(())
}

pub fn acl_log(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax(&argv[1]));
    }
    let mut count = 10i64;
    if let Some(a) = argv.get(2) {
        if eq_ic(a, "reset") {
            ctx.store.acl.log.clear();
            ctx.out.ok();
            return Ok(());
        }
        count = crate::util::parse_i64(a)
            .ok_or(CmdError::NotInteger)?
            .max(0);
    }
    let n = (count as usize).min(ctx.store.acl.log.len());
    let now = ctx.now;
    ctx.out.array(n);
    for e in ctx.store.acl.log.iter().take(n) {
        ctx.out.map(10);
        ctx.out.bulk(b"count");
        ctx.out.int(e.count as i64);
        ctx.out.bulk(b"reason");
        ctx.out.bulk(e.reason.name().as_bytes());
        ctx.out.bulk(b"context");
        ctx.out.bulk(e.context.name().as_bytes());
        ctx.out.bulk(b"object");
        ctx.out.bulk(&e.object);
        ctx.out.bulk(b"username");
        ctx.out.bulk(&e.username);
        ctx.out.bulk(b"age-seconds");
        ctx.out.double((now - e.updated) as f64 / 1000.0);
        ctx.out.bulk(b"client-info");
        ctx.out.bulk(e.client_info.as_bytes());
        ctx.out.bulk(b"entry-id");
        ctx.out.int(e.entry_id);
        ctx.out.bulk(b"timestamp-created");
        ctx.out.int(e.created);
        ctx.out.bulk(b"timestamp-last-updated");
        ctx.out.int(e.updated);
    }
    Ok(())
}

pub fn acl_dryrun(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some(u) = ctx.store.acl.user(&argv[2]).cloned() else {
        return Err(CmdError::err(format!(
            "User '{}' not found",
            lossy(&argv[2])
        )));
    };
    let call = &argv[3..];
    let Some((row, full)) = super::lookup_row(call) else {
        return Err(CmdError::err(format!(
            "Command '{}' not found",
            lossy(&argv[3])
        )));
    };
    if !super::arity_ok(row.arity, call.len()) {
        return Err(CmdError::err(format!(
            "wrong number of arguments for '{full}' command"
        )));
    }
    match u.check(row, call) {
        Ok(()) => ctx.out.ok(),
        Err(d) => ctx
            .out
            .bulk(d.message(&u.name, full, call, true).as_bytes()),
    }
    Ok(())
}

/// The error ACL LOAD and ACL SAVE give without an `aclfile`.
fn no_file() -> CmdError {
    CmdError::err("This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
}

fn acl_file(ctx: &Ctx) -> Option<String> {
    ctx.store
        .config
        .get("aclfile")
        .filter(|f| !f.is_empty())
        .map(String::from)
}

/// `ACLLoadFromFile`: every user from the file, or nothing changes.
pub(crate) fn load_file(
    acl: &mut acl::Acl,
    path: &str,
    pubsub_all: bool,
) -> Result<Fallout, String> {
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "Error loading ACLs, opening file '{path}': {}",
            crate::util::strerror(&e)
        )
    })?;
    acl.load_lines(path, &acl::split_file(&text), pubsub_all)
}

pub fn acl_load(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let path = acl_file(ctx).ok_or_else(no_file)?;
    let all = pubsub_all(ctx);
    let fallout = load_file(&mut ctx.store.acl, &path, all).map_err(CmdError::err)?;
    apply_fallout(ctx, &fallout);
    ctx.out.ok();
    Ok(())
}

/// `ACLSaveToFile`: a temporary file, synced, renamed over the old one, directory synced.
fn save_file(lines: &[Vec<u8>], path: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut text = Vec::new();
    for l in lines {
        text.extend_from_slice(l);
        text.push(b'\n');
    }
    let tmp = format!(
        "{path}.tmp-{}-{}",
        std::process::id(),
        crate::util::now_ms()
    );
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        let dir = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        std::fs::File::open(dir)?.sync_all()
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

pub fn acl_save(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let path = acl_file(ctx).ok_or_else(no_file)?;
    if let Err(e) = save_file(&ctx.store.acl.list_lines(), &path) {
        tracing::warn!("Saving the ACL file {path}: {e}");
        return Err(CmdError::err("There was an error trying to save the ACLs. Please check the server logs for more information"));
    }
    ctx.out.ok();
    Ok(())
}

pub fn acl_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(
        ctx,
        "ACL",
        &[
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`), from Redis 7.2 as the oracle describes it
// (scripts/command-rows.py)
// ---------------------------------------------------------------------------------------------

pub static ACL_SUBS: &[Command] = &[
    Command {
        name: "deluser",
        arity: -3,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: acl_deluser,
        doc: Doc { summary: "Deletes ACL users, and terminates their connections.", since: "6.0.0", group: "server", complexity: "O(1) amortized time considering the typical user.", args: &[
                Arg { name: "username", kind: "string", display: Some("username"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_help,
        doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "6.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "save",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: acl_save,
        doc: Doc { summary: "Saves the effective ACL rules in the configured ACL file.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of configured users.", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "cat",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_cat,
        doc: Doc { summary: "Lists the ACL categories, or the commands inside a category.", since: "6.0.0", group: "server", complexity: "O(1) since the categories and commands are a fixed set.", args: &[
                Arg { name: "category", kind: "string", display: Some("category"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "dryrun",
        arity: -4,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_dryrun,
        doc: Doc { summary: "Simulates the execution of a command by a user, without executing the command.", since: "7.0.0", group: "server", complexity: "O(1).", args: &[
                Arg { name: "username", kind: "string", display: Some("username"), ..Arg::DEFAULT },
                Arg { name: "command", kind: "string", display: Some("command"), ..Arg::DEFAULT },
                Arg { name: "arg", kind: "string", display: Some("arg"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "genpass",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_genpass,
        doc: Doc { summary: "Generates a pseudorandom, secure password that can be used to identify ACL users.", since: "6.0.0", group: "server", complexity: "O(1)", args: &[
                Arg { name: "bits", kind: "integer", display: Some("bits"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "getuser",
        arity: 3,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_getuser,
        doc: Doc { summary: "Lists the ACL rules of a user.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.", history: &[("6.2.0", "Added Pub/Sub channel patterns."), ("7.0.0", "Added selectors and changed the format of key and channel patterns from a list to their rule representation.")], args: &[
                Arg { name: "username", kind: "string", display: Some("username"), ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "list",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_list,
        doc: Doc { summary: "Dumps the effective rules in ACL file format.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of configured users.", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "load",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_load,
        doc: Doc { summary: "Reloads the rules from the configured ACL file.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of configured users.", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "log",
        arity: -2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_log,
        doc: Doc { summary: "Lists recent security events generated due to ACL rules.", since: "6.0.0", group: "server", complexity: "O(N) with N being the number of entries shown.", history: &[("7.2.0", "Added entry ID, timestamp created, and timestamp last updated.")], args: &[
                Arg { name: "operation", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                    Arg { name: "count", kind: "integer", display: Some("count"), ..Arg::DEFAULT },
                    Arg { name: "reset", kind: "pure-token", display: Some("reset"), token: Some("RESET"), ..Arg::DEFAULT },
                ], ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "setuser",
        arity: -3,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: acl_setuser,
        doc: Doc { summary: "Creates and modifies an ACL user and its rules.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of rules provided.", history: &[("6.2.0", "Added Pub/Sub channel patterns."), ("7.0.0", "Added selectors and key based permissions.")], args: &[
                Arg { name: "username", kind: "string", display: Some("username"), ..Arg::DEFAULT },
                Arg { name: "rule", kind: "string", display: Some("rule"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
            ], ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "users",
        arity: 2,
        flags: ADMIN | NOSCRIPT | LOADING | STALE,
        acl: &["admin", "slow", "dangerous"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_users,
        doc: Doc { summary: "Lists all ACL users.", since: "6.0.0", group: "server", complexity: "O(N). Where N is the number of configured users.", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
    Command {
        name: "whoami",
        arity: 2,
        flags: NOSCRIPT | LOADING | STALE,
        acl: &["slow"],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: acl_whoami,
        doc: Doc { summary: "Returns the authenticated username of the current connection.", since: "6.0.0", group: "server", complexity: "O(1)", ..Doc::DEFAULT },
        ..Command::DEFAULT
    },
];

pub static COMMANDS: &[Command] = &[Command {
    name: "acl",
    arity: -2,
    flags: 0,
    acl: &["slow"],
    legacy_keys: (0, 0, 0),
    key_specs: &[],
    tips: &[],
    handler: acl,
    doc: Doc {
        summary: "A container for Access List Control commands.",
        since: "6.0.0",
        group: "server",
        complexity: "Depends on subcommand.",
        ..Doc::DEFAULT
    },
    subcommands: ACL_SUBS,
    ..Command::DEFAULT
}];

#[cfg(test)]
mod tests {
    use crate::cmd::testing::Session;

    /// Found by the command fuzz target: a long name with multibyte characters was cut
    /// inside a character.
    #[test]
    fn long_names_in_errors_are_cut_at_128_bytes() {
        let mut s = Session::default();
        let long = "\u{e9}".repeat(100);
        let reply = s.run(&["acl", "cat", &long]);
        assert_eq!(
            reply,
            format!("-ERR Unknown category '{}'\r\n", "\u{e9}".repeat(64))
        );
        let reply = s.run(&["acl", "log", "1", &long]);
        assert!(reply.starts_with("-ERR unknown subcommand or wrong number of arguments for 'log'"));
    }
}
