//! Connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT, RESET, CLIENT *, and the
//! transaction commands MULTI, EXEC, DISCARD, WATCH, UNWATCH.

use super::{eq_ic, parse_int, Ctx};
use crate::client::ReplyMode;
use crate::error::{CmdError, CmdResult};
use bytes::Bytes;
use std::sync::atomic::Ordering;
use std::time::Instant;

pub fn ping(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 2 {
        return Err(CmdError::WrongArity("ping".into()));
    }
    if ctx.client.resp == 2 && ctx.client.subscribed_count > 0 {
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(argv.get(1).map(|b| &b[..]).unwrap_or(b""));
    } else if let Some(m) = argv.get(1) {
        ctx.out.bulk(m);
    } else {
        ctx.out.simple("PONG");
    }
    Ok(())
}

pub fn echo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.out.bulk(&argv[1]);
    Ok(())
}

/// `ACLAuthenticateUser`: on success the connection is this user's and authenticated;
/// a failure is logged (reason `auth`, object the command as the client typed it) and
/// answered WRONGPASS.
fn authenticate(ctx: &mut Ctx, user: &[u8], pass: &[u8], argv0: &Bytes) -> CmdResult {
    match ctx.store.acl.authenticate(user, pass) {
        Some(u) => {
            ctx.client.authenticated = true;
            set_user(ctx, u);
            Ok(())
        }
        None => {
            let context = if ctx.store.in_transaction {
                crate::acl::LogContext::Multi
            } else {
                crate::acl::LogContext::Toplevel
            };
            let info = client_line_of(ctx.store, ctx.client, ctx.client.id, "auth", &[]);
            let max = ctx.store.config.acllog_max_len;
            ctx.store.acl.log_denial(
                crate::acl::LogReason::Auth,
                context,
                argv0.clone(),
                Bytes::copy_from_slice(user),
                info,
                ctx.now,
                max,
            );
            Err(CmdError::WrongPass)
        }
    }
}

/// Makes `u` this connection's user (`clientSetUser`), in the registry too.
fn set_user(ctx: &mut Ctx, u: std::sync::Arc<crate::acl::User>) {
    if let Some(info) = ctx.store.clients.get_mut(&ctx.client.id) {
        info.user = u.name.clone();
    }
    ctx.client.user = Some(u);
    ctx.client.acl_version = ctx.store.acl.version;
}

pub fn auth(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let (user, pass) = if argv.len() == 2 {
        if ctx.store.acl.default_user().nopass {
            return Err(CmdError::err("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
        }
        (&b"default"[..], &argv[1][..])
    } else {
        (&argv[1][..], &argv[2][..])
    };
    authenticate(ctx, user, pass, &argv[0])?;
    ctx.out.ok();
    Ok(())
}

pub fn hello(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut ver = None;
    let mut a = super::args::Args::new(argv, 1);
    if !a.is_empty() {
        let v = parse_int(a.next_bytes()?)
            .map_err(|_| CmdError::err("Protocol version is not an integer or out of range"))?;
        if !(2..=3).contains(&v) {
            return Err(CmdError::Raw("NOPROTO unsupported protocol version".into()));
        }
        ver = Some(v as u8);
    }
    let mut auth: Option<(Bytes, Bytes)> = None;
    let mut setname: Option<Bytes> = None;
    while !a.is_empty() {
        let more = a.remaining() - 1;
        if more >= 2 && a.eat("auth") {
            auth = Some((a.next_bytes()?.clone(), a.next_bytes()?.clone()));
        } else if more >= 1 && a.eat("setname") {
            setname = Some(a.next_bytes()?.clone());
        } else {
            return Err(CmdError::err(format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(a.next_bytes()?)
            )));
        }
    }
    if let Some((u, p)) = &auth {
        authenticate(ctx, u, p, &argv[0])?;
    }
    if !ctx.client.authenticated {
        return Err(CmdError::Raw("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time".into()));
    }
    if let Some(n) = &setname {
        validate_name(n)?;
        ctx.client.name = if n.is_empty() { None } else { Some(n.clone()) };
    }
    if let Some(v) = ver {
        ctx.client.resp = v;
        ctx.client
            .shared
            .resp
            .store(v, std::sync::atomic::Ordering::Relaxed);
        ctx.out.proto = if v == 3 {
            resp::Protocol::Resp3
        } else {
            resp::Protocol::Resp2
        };
    }
    ctx.out.map(7);
    ctx.out.bulk(b"server");
    ctx.out.bulk(b"redis");
    ctx.out.bulk(b"version");
    ctx.out.bulk(crate::REDIS_VERSION.as_bytes());
    ctx.out.bulk(b"proto");
    ctx.out.int(ctx.client.resp as i64);
    ctx.out.bulk(b"id");
    ctx.out.int(ctx.client.id as i64);
    ctx.out.bulk(b"mode");
    ctx.out.bulk(b"standalone");
    ctx.out.bulk(b"role");
    ctx.out.bulk(b"master");
    ctx.out.bulk(b"modules");
    ctx.out.array(0);
    Ok(())
}

pub fn select(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let idx = parse_int(&argv[1]).map_err(|_| CmdError::NotInteger)?;
    if idx < 0 || idx as usize >= ctx.store.ks.len() {
        return Err(CmdError::DbIndexOutOfRange);
    }
    ctx.client.db = idx as usize;
    ctx.out.ok();
    Ok(())
}

pub fn quit(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
    Ok(())
}

pub fn reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.client.multi = None;
    ctx.client.multi_error = false;
    unwatch_all(ctx);
    super::pubsub::unsubscribe_all(ctx);
    ctx.client.db = 0;
    ctx.client.resp = 2;
    ctx.client
        .shared
        .resp
        .store(2, std::sync::atomic::Ordering::Relaxed);
    ctx.out.proto = resp::Protocol::Resp2;
    ctx.client.name = None;
    ctx.client.reply_mode = ReplyMode::On;
    ctx.client.no_evict = false;
    ctx.client.no_touch = false;
    let id = ctx.client.id;
    ctx.store.monitors.retain(|&m| m != id);
    // `clientSetDefaultAuth`.
    ctx.client.authenticated = !ctx.store.acl.auth_required();
    let default = ctx.store.acl.default_user().clone();
    set_user(ctx, default);
    ctx.out.simple("RESET");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CLIENT
// ---------------------------------------------------------------------------------------------

fn validate_name(n: &[u8]) -> CmdResult {
    if n.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err(
            "Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

pub fn client_id(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.client.id as i64);
    Ok(())
}

pub fn client_setname(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    validate_name(&argv[2])?;
    ctx.client.name = if argv[2].is_empty() {
        None
    } else {
        Some(argv[2].clone())
    };
    ctx.out.ok();
    Ok(())
}

pub fn client_getname(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match &ctx.client.name {
        Some(n) => ctx.out.bulk(n),
        None => ctx.out.null(),
    }
    Ok(())
}

pub fn client_setinfo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let v = &argv[3];
    if v.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err(format!(
            "{} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(&argv[2]).to_ascii_lowercase()
        )));
    }
    let val = if v.is_empty() { None } else { Some(v.clone()) };
    if eq_ic(&argv[2], "lib-name") {
        ctx.client.lib_name = val;
    } else if eq_ic(&argv[2], "lib-ver") {
        ctx.client.lib_ver = val;
    } else {
        return Err(CmdError::err(format!(
            "Unrecognized option '{}'",
            String::from_utf8_lossy(&argv[2])
        )));
    }
    ctx.out.ok();
    Ok(())
}

/// The CLIENT LIST / CLIENT INFO line of one client.
///
/// The memory fields are sluice's own (see [`crate::client::ClientMem`]): qbuf is the part of
/// the query buffer not yet parsed into whole commands, argv-mem for the running client is
/// its current command's, obl is output the socket has not taken, oll the mails (served
/// replies, pushes) waiting, tot-mem all of these plus the buffers' capacities.
fn client_line(ctx: &Ctx, id: u64, argv: &[Bytes]) -> String {
    // The command running now (`last_cmd` is set when it ends): client|list or client|info.
    let sub = argv.get(1).map_or(&b"info"[..], |a| &a[..]);
    let current = format!(
        "client|{}",
        String::from_utf8_lossy(sub).to_ascii_lowercase()
    );
    client_line_of(ctx.store, ctx.client, id, &current, argv)
}

/// [`client_line`] of client `id`, where `me` is the client running `current` with `argv`
/// (its fields are fresher than the registry's).
pub(crate) fn client_line_of(
    store: &crate::store::Store,
    me_client: &crate::client::Client,
    id: u64,
    current: &str,
    argv: &[Bytes],
) -> String {
    struct View<'a> {
        store: &'a crate::store::Store,
        client: &'a crate::client::Client,
    }
    let ctx = View {
        store,
        client: me_client,
    };
    let Some(c) = ctx.store.clients.get(&id) else {
        return String::new();
    };
    let me = id == ctx.client.id;
    // The running client's own fields are fresher in `ctx.client` than in the registry.
    let name = if me {
        ctx.client.name.clone()
    } else {
        c.name.clone()
    };
    let db = if me { ctx.client.db } else { c.db };
    let multi = if me {
        ctx.client
            .multi
            .as_ref()
            .map(|m| m.len() as i64)
            .unwrap_or(-1)
    } else {
        c.multi
    };
    let resp = if me { ctx.client.resp } else { c.resp };
    let subs = ctx.store.pubsub.subs(id);
    let lib_name = if me {
        ctx.client.lib_name.clone()
    } else {
        c.lib_name.clone()
    };
    let lib_ver = if me {
        ctx.client.lib_ver.clone()
    } else {
        c.lib_ver.clone()
    };
    let mut flags = String::new();
    // A MONITOR client is a replica-flagged client in Redis: 'O' comes first.
    if ctx.store.monitors.contains(&id) {
        flags.push('O');
    }
    if subs.channels.len() + subs.patterns.len() + subs.shard_channels.len() > 0 {
        flags.push('P');
    }
    if ctx.store.blocking.is_blocked(id) {
        flags.push('b');
    }
    if multi >= 0 {
        flags.push('x');
    }
    if (me && ctx.client.no_evict) || (!me && c.no_evict) {
        flags.push('e');
    }
    if (me && ctx.client.no_touch) || (!me && c.no_touch) {
        flags.push('T');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let cmd = if me {
        current.to_string()
    } else {
        c.last_cmd.to_string()
    };
    let sh = &c.shared;
    let (qlen, qcap) = (
        sh.query_len.load(Ordering::Relaxed),
        sh.query_cap.load(Ordering::Relaxed),
    );
    let mut mem = c.mem;
    if me {
        mem.argv = crate::client::argv_mem(argv);
        mem.multi = ctx
            .client
            .multi
            .as_ref()
            .map_or(0, crate::client::multi_mem);
    }
    let unsent = sh.unsent_bytes.load(Ordering::Relaxed);
    let tot = mem.total(sh);
    let lossy = |b: &Option<Bytes>| {
        b.as_ref()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} cmd={} user={} redir=-1 resp={} lib-name={} lib-ver={}",
        id,
        c.addr,
        c.laddr,
        id + 7,
        lossy(&name),
        c.created.elapsed().as_secs(),
        if me { 0 } else { c.last_interaction.elapsed().as_secs() },
        flags,
        db,
        subs.channels.len(),
        subs.patterns.len(),
        subs.shard_channels.len(),
        multi,
        qlen,
        qcap.saturating_sub(qlen),
        mem.argv,
        mem.multi,
        mem.reply_buf,
        mem.reply_peak,
        unsent,
        sh.mailbox.queued(),
        sh.output_bytes(),
        tot,
        if unsent > 0 { "rw" } else { "r" },
        cmd,
        String::from_utf8_lossy(&if me { ctx.client.user_name() } else { c.user.clone() }),
        resp,
        lossy(&lib_name),
        lossy(&lib_ver),
    )
}

pub fn client_info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut line = client_line(ctx, ctx.client.id, argv);
    line.push('\n');
    ctx.out.verbatim(line.as_bytes());
    Ok(())
}

pub fn client_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut ids: Vec<u64> = ctx.store.clients.keys().copied().collect();
    ids.sort_unstable();
    let mut a = super::args::Args::new(argv, 2);
    while !a.is_empty() {
        if a.remaining() > 1 && a.eat("type") {
            let v = a.next_bytes()?;
            let t = String::from_utf8_lossy(v).to_ascii_lowercase();
            match t.as_str() {
                "normal" => ids.retain(|id| ctx.store.pubsub.subs(*id).count() == 0),
                "pubsub" => ids.retain(|id| ctx.store.pubsub.subs(*id).count() > 0),
                "master" | "replica" | "slave" => ids.clear(),
                _ => {
                    return Err(CmdError::err(format!(
                        "Unknown client type '{}'",
                        String::from_utf8_lossy(v)
                    )))
                }
            }
        } else if a.remaining() > 1 && a.eat("id") {
            let mut want = Vec::new();
            for arg in a.rest() {
                let v = crate::util::parse_i64(arg)
                    .filter(|v| *v > 0)
                    .ok_or_else(|| CmdError::err("Invalid client ID"))?;
                want.push(v as u64);
            }
            ids.retain(|id| want.contains(id));
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut s = String::new();
    for id in ids {
        s.push_str(&client_line(ctx, id, argv));
        s.push('\n');
    }
    ctx.out.verbatim(s.as_bytes());
    Ok(())
}

pub fn client_kill(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 3 {
        let addr = String::from_utf8_lossy(&argv[2]).into_owned();
        let found: Vec<u64> = ctx
            .store
            .clients
            .iter()
            .filter(|(_, c)| c.addr == addr)
            .map(|(id, _)| *id)
            .collect();
        if found.is_empty() {
            return Err(CmdError::err("No such client"));
        }
        for id in found {
            kill_client(ctx, id);
        }
        ctx.out.ok();
        return Ok(());
    }
    let mut id_f = None;
    let mut addr_f = None;
    let mut laddr_f = None;
    // Some(Some(pubsub)): that type; Some(None): a type no client has.
    let mut type_f: Option<Option<bool>> = None;
    let mut user_f: Option<Bytes> = None;
    let mut skipme = true;
    // Filters come in pairs: an odd one out is a syntax error before its name is looked at.
    let mut a = super::args::Args::new(argv, 2);
    while !a.is_empty() {
        if a.remaining() < 2 {
            return Err(CmdError::Syntax);
        }
        let (opt, v) = (a.next_bytes()?, a.next_bytes()?);
        if eq_ic(opt, "id") {
            id_f = Some(
                crate::util::parse_i64(v)
                    .filter(|v| *v > 0)
                    .ok_or_else(|| CmdError::err("client-id should be greater than 0"))?
                    as u64,
            );
        } else if eq_ic(opt, "addr") {
            addr_f = Some(String::from_utf8_lossy(v).into_owned());
        } else if eq_ic(opt, "laddr") {
            laddr_f = Some(String::from_utf8_lossy(v).into_owned());
        } else if eq_ic(opt, "skipme") {
            skipme = if eq_ic(v, "yes") {
                true
            } else if eq_ic(v, "no") {
                false
            } else {
                return Err(CmdError::Syntax);
            };
        } else if eq_ic(opt, "type") {
            let t = String::from_utf8_lossy(v).to_ascii_lowercase();
            type_f = Some(match t.as_str() {
                "normal" => Some(false),
                "pubsub" => Some(true),
                // No sluice client is a master or a replica.
                "master" | "replica" | "slave" => None,
                _ => {
                    return Err(CmdError::err(format!(
                        "Unknown client type '{}'",
                        String::from_utf8_lossy(v)
                    )))
                }
            });
        } else if eq_ic(opt, "user") {
            if ctx.store.acl.user(v).is_none() {
                return Err(CmdError::err(format!(
                    "No such user '{}'",
                    String::from_utf8_lossy(v)
                )));
            }
            user_f = Some(v.clone());
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let me = ctx.client.id;
    let victims: Vec<u64> = ctx
        .store
        .clients
        .iter()
        .filter(|(id, c)| {
            id_f.is_none_or(|f| f == **id)
                && addr_f.as_ref().is_none_or(|a| *a == c.addr)
                && laddr_f.as_ref().is_none_or(|a| *a == c.laddr)
                && user_f.as_ref().is_none_or(|u| *u == c.user)
                && type_f.is_none_or(|t| {
                    t.is_some_and(|pubsub| (ctx.store.pubsub.subs(**id).count() > 0) == pubsub)
                })
                && !(skipme && **id == me)
        })
        .map(|(id, _)| *id)
        .collect();
    for id in &victims {
        kill_client(ctx, *id);
    }
    ctx.out.int(victims.len() as i64);
    Ok(())
}

fn kill_client(ctx: &mut Ctx, id: u64) {
    if id == ctx.client.id {
        ctx.client.close_after_reply = true;
    } else if let Some(c) = ctx.store.clients.get(&id) {
        c.shared.kill();
    }
}

pub fn client_pause(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let ms = super::parse_timeout(ctx.now, &argv[2], super::TimeoutUnit::Millis)?
        .map_or(0, |deadline| deadline - ctx.now);
    let all = match argv.get(3) {
        None => true,
        Some(m) if eq_ic(m, "all") => true,
        Some(m) if eq_ic(m, "write") => false,
        Some(_) => return Err(CmdError::err("CLIENT PAUSE mode must be WRITE or ALL")),
    };
    if argv.len() > 4 {
        return Err(CmdError::Syntax);
    }
    ctx.store.pause_until = Some((
        Instant::now() + std::time::Duration::from_millis(ms as u64),
        all,
    ));
    ctx.out.ok();
    Ok(())
}

pub fn client_unpause(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.store.pause_until = None;
    ctx.out.ok();
    Ok(())
}

pub fn client_unblock(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let id = parse_int(&argv[2])?;
    let error = match argv.get(3) {
        None => false,
        Some(m) if eq_ic(m, "timeout") => false,
        Some(m) if eq_ic(m, "error") => true,
        Some(_) => {
            return Err(CmdError::err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ))
        }
    };
    if argv.len() > 4 {
        return Err(CmdError::Syntax);
    }
    match ctx.store.blocking.unblock(id as u64) {
        Some(w) => {
            super::count_unblocked(ctx.store, &w, error);
            let mut out = resp::ReplyWriter::new(if w.resp == 3 {
                resp::Protocol::Resp3
            } else {
                resp::Protocol::Resp2
            });
            if error {
                out.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            } else {
                super::timeout_reply(&mut out, w.on_timeout);
            }
            w.shared
                .mailbox
                .send(crate::mailbox::Mail::Reply(out.take(), None));
            ctx.out.int(1);
        }
        None => ctx.out.int(0),
    }
    Ok(())
}

fn on_off(b: &[u8]) -> CmdResult<bool> {
    if eq_ic(b, "on") {
        Ok(true)
    } else if eq_ic(b, "off") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

pub fn client_no_evict(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.client.no_evict = on_off(&argv[2])?;
    ctx.out.ok();
    Ok(())
}

pub fn client_no_touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.client.no_touch = on_off(&argv[2])?;
    ctx.out.ok();
    Ok(())
}

pub fn client_reply(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if eq_ic(&argv[2], "on") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.out.ok();
    } else if eq_ic(&argv[2], "off") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if eq_ic(&argv[2], "skip") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CmdError::Syntax);
    }
    Ok(())
}

pub fn write_help(ctx: &mut Ctx, cmd: &str, lines: &[&str]) {
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(&format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        cmd
    ));
    for l in lines {
        ctx.out.simple(l);
    }
    ctx.out.simple("HELP");
    // Redis's addReplyHelp wording (Valkey says "Print this help.").
    ctx.out.simple("    Prints this help.");
}

pub fn client_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    write_help(
        ctx,
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

pub fn multi(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::err("MULTI calls can not be nested"));
    }
    ctx.client.multi = Some(Vec::new());
    ctx.client.multi_error = false;
    ctx.out.ok();
    Ok(())
}

pub fn discard(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_none() {
        return Err(CmdError::err("DISCARD without MULTI"));
    }
    ctx.client.multi = None;
    ctx.client.multi_error = false;
    unwatch_all(ctx);
    ctx.out.ok();
    Ok(())
}

/// True if a watched key was touched, or expired since it was watched.
fn watch_failed(ctx: &mut Ctx) -> bool {
    if ctx.store.dirty_cas.contains(&ctx.client.id) {
        return true;
    }
    let now = ctx.now;
    ctx.client
        .watched
        .iter()
        .any(|(db, k, was_expired)| !was_expired && ctx.store.ks.db(*db).is_expired(k, now))
}

pub fn exec(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(queued) = ctx.client.multi.take() else {
        return Err(CmdError::err("EXEC without MULTI"));
    };
    if std::mem::take(&mut ctx.client.multi_error) {
        unwatch_all(ctx);
        return Err(CmdError::Raw(
            "EXECABORT Transaction discarded because of previous errors.".into(),
        ));
    }
    if watch_failed(ctx) {
        unwatch_all(ctx);
        ctx.out.null_array();
        return Ok(());
    }
    unwatch_all(ctx);
    let mark = ctx.store.effects.len();
    let db_at_start = ctx.client.db;
    ctx.out.array(queued.len());
    let nested = std::mem::replace(&mut ctx.store.in_transaction, true);
    for argv in queued {
        match super::resolve(&argv) {
            Ok((cmd, full)) => {
                // ACL rules may have changed since the command was queued.
                let context = crate::acl::LogContext::Multi;
                match super::acl_check(ctx.store, ctx.client, cmd, full, &argv, context) {
                    Some(denied) => {
                        let reason = match denied {
                            crate::acl::Denied::Command => {
                                "no permission to execute the command or subcommand"
                            }
                            crate::acl::Denied::Key(_) => {
                                "no permission to touch the specified keys"
                            }
                            crate::acl::Denied::Channel(_) => {
                                "no permission to access one of the channels used as arguments"
                            }
                        };
                        let e = CmdError::Raw(format!("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {reason}"));
                        super::write_error(ctx.store, ctx.out, &e);
                    }
                    None => {
                        let _ = super::call(ctx.store, ctx.client, cmd, full, &argv, ctx.out, true);
                    }
                }
            }
            Err(e) => super::write_error(ctx.store, ctx.out, &e),
        }
    }
    ctx.store.in_transaction = nested;
    // Wrap what the transaction propagated in MULTI/EXEC so the log replays it atomically.
    if ctx.store.effects.len() > mark {
        ctx.store
            .effects
            .insert(mark, (db_at_start, vec![Bytes::from_static(b"MULTI")]));
        let db = ctx.client.db;
        ctx.store
            .effects
            .push((db, vec![Bytes::from_static(b"EXEC")]));
    }
    ctx.no_propagate = true;
    Ok(())
}

pub fn watch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::err("WATCH inside MULTI is not allowed"));
    }
    let db = ctx.client.db;
    for k in &argv[1..] {
        if ctx
            .client
            .watched
            .iter()
            .any(|(d, kk, _)| *d == db && kk == k)
        {
            continue;
        }
        let expired = ctx.store.ks.db(db).is_expired(k, ctx.now);
        ctx.client.watched.push((db, k.clone(), expired));
        ctx.store
            .watched
            .entry((db, k.clone()))
            .or_default()
            .push(ctx.client.id);
    }
    ctx.out.ok();
    Ok(())
}

pub fn unwatch_all(ctx: &mut Ctx) {
    unwatch_client(ctx.store, ctx.client);
}

/// `unwatchAllKeys`.
pub(crate) fn unwatch_client(store: &mut crate::store::Store, client: &mut crate::client::Client) {
    let id = client.id;
    for (db, k, _) in client.watched.drain(..) {
        let key = (db, k);
        if let Some(v) = store.watched.get_mut(&key) {
            v.retain(|&c| c != id);
            if v.is_empty() {
                store.watched.remove(&key);
            }
        }
    }
    store.dirty_cas.remove(&id);
}

pub fn unwatch(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    unwatch_all(ctx);
    ctx.out.ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command rows (see `cmd::table`): what COMMAND INFO and COMMAND DOCS report, and what
// dispatch checks. Taken from Redis 7.2 as the oracle describes it (scripts/command-rows.py).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
mod rows {
    use super::*;
    use crate::cmd::table::*;

    #[rustfmt::skip]
    pub static CLIENT_SUBS: &[Command] = &[
        Command {
            name: "help",
            arity: 2,
            flags: LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "5.0.0", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "info",
            arity: 2,
            flags: NOSCRIPT | LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output"],
            handler: client_info,
            doc: Doc { summary: "Returns information about the connection.", since: "6.2.0", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "unblock",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_unblock,
            doc: Doc { summary: "Unblocks a client blocked by a blocking command from a different connection.", since: "5.0.0", group: "connection", complexity: "O(log N) where N is the number of client connections", args: &[
                    Arg { name: "client-id", kind: "integer", display: Some("client-id"), ..Arg::DEFAULT },
                    Arg { name: "unblock-type", kind: "oneof", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "timeout", kind: "pure-token", display: Some("timeout"), token: Some("TIMEOUT"), ..Arg::DEFAULT },
                        Arg { name: "error", kind: "pure-token", display: Some("error"), token: Some("ERROR"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "getname",
            arity: 2,
            flags: NOSCRIPT | LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_getname,
            doc: Doc { summary: "Returns the name of the connection.", since: "2.6.9", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "kill",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_kill,
            doc: Doc { summary: "Terminates open connections.", since: "2.4.0", group: "connection", complexity: "O(N) where N is the number of client connections", history: &[("2.8.12", "Added new filter format."), ("2.8.12", "`ID` option."), ("3.2.0", "Added `master` type in for `TYPE` option."), ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."), ("6.2.0", "`LADDR` option.")], args: &[
                    Arg { name: "filter", kind: "oneof", args: &[
                        Arg { name: "old-format", kind: "string", display: Some("ip:port"), deprecated_since: Some("2.8.12"), ..Arg::DEFAULT },
                        Arg { name: "new-format", kind: "oneof", flags: ARG_MULTIPLE, args: &[
                                Arg { name: "client-id", kind: "integer", display: Some("client-id"), token: Some("ID"), since: Some("2.8.12"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                                Arg { name: "client-type", kind: "oneof", token: Some("TYPE"), since: Some("2.8.12"), flags: ARG_OPTIONAL, args: &[
                                        Arg { name: "normal", kind: "pure-token", display: Some("normal"), token: Some("NORMAL"), ..Arg::DEFAULT },
                                        Arg { name: "master", kind: "pure-token", display: Some("master"), token: Some("MASTER"), since: Some("3.2.0"), ..Arg::DEFAULT },
                                        Arg { name: "slave", kind: "pure-token", display: Some("slave"), token: Some("SLAVE"), ..Arg::DEFAULT },
                                        Arg { name: "replica", kind: "pure-token", display: Some("replica"), token: Some("REPLICA"), since: Some("5.0.0"), ..Arg::DEFAULT },
                                        Arg { name: "pubsub", kind: "pure-token", display: Some("pubsub"), token: Some("PUBSUB"), ..Arg::DEFAULT },
                                    ], ..Arg::DEFAULT },
                                Arg { name: "username", kind: "string", display: Some("username"), token: Some("USER"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                                Arg { name: "addr", kind: "string", display: Some("ip:port"), token: Some("ADDR"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                                Arg { name: "laddr", kind: "string", display: Some("ip:port"), token: Some("LADDR"), since: Some("6.2.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                                Arg { name: "skipme", kind: "oneof", token: Some("SKIPME"), flags: ARG_OPTIONAL, args: &[
                                        Arg { name: "yes", kind: "pure-token", display: Some("yes"), token: Some("YES"), ..Arg::DEFAULT },
                                        Arg { name: "no", kind: "pure-token", display: Some("no"), token: Some("NO"), ..Arg::DEFAULT },
                                    ], ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "no-evict",
            arity: 3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_no_evict,
            doc: Doc { summary: "Sets the client eviction mode of the connection.", since: "7.0.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "enabled", kind: "oneof", args: &[
                        Arg { name: "on", kind: "pure-token", display: Some("on"), token: Some("ON"), ..Arg::DEFAULT },
                        Arg { name: "off", kind: "pure-token", display: Some("off"), token: Some("OFF"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pause",
            arity: -3,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_pause,
            doc: Doc { summary: "Suspends commands processing.", since: "3.0.0", group: "connection", complexity: "O(1)", history: &[("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")], args: &[
                    Arg { name: "timeout", kind: "integer", display: Some("timeout"), ..Arg::DEFAULT },
                    Arg { name: "mode", kind: "oneof", since: Some("6.2.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "write", kind: "pure-token", display: Some("write"), token: Some("WRITE"), ..Arg::DEFAULT },
                        Arg { name: "all", kind: "pure-token", display: Some("all"), token: Some("ALL"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "list",
            arity: -2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["nondeterministic_output"],
            handler: client_list,
            doc: Doc { summary: "Lists open connections.", since: "2.4.0", group: "connection", complexity: "O(N) where N is the number of client connections", history: &[("2.8.12", "Added unique client `id` field."), ("5.0.0", "Added optional `TYPE` filter."), ("6.0.0", "Added `user` field."), ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."), ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."), ("7.0.3", "Added `ssub` field.")], args: &[
                    Arg { name: "client-type", kind: "oneof", token: Some("TYPE"), since: Some("5.0.0"), flags: ARG_OPTIONAL, args: &[
                        Arg { name: "normal", kind: "pure-token", display: Some("normal"), token: Some("NORMAL"), ..Arg::DEFAULT },
                        Arg { name: "master", kind: "pure-token", display: Some("master"), token: Some("MASTER"), ..Arg::DEFAULT },
                        Arg { name: "replica", kind: "pure-token", display: Some("replica"), token: Some("REPLICA"), ..Arg::DEFAULT },
                        Arg { name: "pubsub", kind: "pure-token", display: Some("pubsub"), token: Some("PUBSUB"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                    Arg { name: "client-id", kind: "integer", display: Some("client-id"), token: Some("ID"), since: Some("6.2.0"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "no-touch",
            arity: 3,
            flags: NOSCRIPT | LOADING | STALE | ALLOW_BUSY,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_no_touch,
            doc: Doc { summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", since: "7.2.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "enabled", kind: "oneof", args: &[
                        Arg { name: "on", kind: "pure-token", display: Some("on"), token: Some("ON"), ..Arg::DEFAULT },
                        Arg { name: "off", kind: "pure-token", display: Some("off"), token: Some("OFF"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "reply",
            arity: 3,
            flags: NOSCRIPT | LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_reply,
            doc: Doc { summary: "Instructs the server whether to reply to commands.", since: "3.2.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "action", kind: "oneof", args: &[
                        Arg { name: "on", kind: "pure-token", display: Some("on"), token: Some("ON"), ..Arg::DEFAULT },
                        Arg { name: "off", kind: "pure-token", display: Some("off"), token: Some("OFF"), ..Arg::DEFAULT },
                        Arg { name: "skip", kind: "pure-token", display: Some("skip"), token: Some("SKIP"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "unpause",
            arity: 2,
            flags: ADMIN | NOSCRIPT | LOADING | STALE,
            acl: &["admin", "slow", "dangerous", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_unpause,
            doc: Doc { summary: "Resumes processing commands from paused clients.", since: "6.2.0", group: "connection", complexity: "O(N) Where N is the number of paused clients", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "id",
            arity: 2,
            flags: NOSCRIPT | LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_id,
            doc: Doc { summary: "Returns the unique client ID of the connection.", since: "5.0.0", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setinfo",
            arity: 4,
            flags: NOSCRIPT | LOADING | STALE | ALLOW_BUSY,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: client_setinfo,
            doc: Doc { summary: "Sets information specific to the client or connection.", since: "7.2.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "attr", kind: "oneof", args: &[
                        Arg { name: "libname", kind: "string", display: Some("libname"), token: Some("LIB-NAME"), ..Arg::DEFAULT },
                        Arg { name: "libver", kind: "string", display: Some("libver"), token: Some("LIB-VER"), ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "setname",
            arity: 3,
            flags: NOSCRIPT | LOADING | STALE,
            acl: &["slow", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: client_setname,
            doc: Doc { summary: "Sets the connection name.", since: "2.6.9", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "connection-name", kind: "string", display: Some("connection-name"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "ping",
            arity: -1,
            flags: FAST,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: ping,
            doc: Doc { summary: "Returns the server's liveliness response.", since: "1.0.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "message", kind: "string", display: Some("message"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "echo",
            arity: 2,
            flags: LOADING | STALE | FAST,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: echo,
            doc: Doc { summary: "Returns the given string.", since: "1.0.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "message", kind: "string", display: Some("message"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "hello",
            arity: -1,
            flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: hello,
            doc: Doc { summary: "Handshakes with the server.", since: "6.0.0", group: "connection", complexity: "O(1)", history: &[("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context.")], args: &[
                    Arg { name: "arguments", kind: "block", flags: ARG_OPTIONAL, args: &[
                        Arg { name: "protover", kind: "integer", display: Some("protover"), ..Arg::DEFAULT },
                        Arg { name: "auth", kind: "block", token: Some("AUTH"), flags: ARG_OPTIONAL, args: &[
                                Arg { name: "username", kind: "string", display: Some("username"), ..Arg::DEFAULT },
                                Arg { name: "password", kind: "string", display: Some("password"), ..Arg::DEFAULT },
                            ], ..Arg::DEFAULT },
                        Arg { name: "clientname", kind: "string", display: Some("clientname"), token: Some("SETNAME"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    ], ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "auth",
            arity: -2,
            flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: auth,
            doc: Doc { summary: "Authenticates the connection.", since: "1.0.0", group: "connection", complexity: "O(N) where N is the number of passwords defined for the user", history: &[("6.0.0", "Added ACL style (username and password).")], args: &[
                    Arg { name: "username", kind: "string", display: Some("username"), since: Some("6.0.0"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                    Arg { name: "password", kind: "string", display: Some("password"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "select",
            arity: 2,
            flags: LOADING | STALE | FAST,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: select,
            doc: Doc { summary: "Changes the selected database.", since: "1.0.0", group: "connection", complexity: "O(1)", args: &[
                    Arg { name: "index", kind: "integer", display: Some("index"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "quit",
            arity: -1,
            flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: quit,
            doc: Doc { summary: "Closes the connection.", since: "1.0.0", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "reset",
            arity: 1,
            flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
            acl: &["fast", "connection"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: reset,
            doc: Doc { summary: "Resets the connection.", since: "6.2.0", group: "connection", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "client",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for client connection commands.", since: "2.4.0", group: "connection", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: CLIENT_SUBS,
            ..Command::DEFAULT
        },
        Command {
            name: "multi",
            arity: 1,
            flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
            acl: &["fast", "transaction"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: multi,
            doc: Doc { summary: "Starts a transaction.", since: "1.2.0", group: "transactions", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "exec",
            arity: 1,
            flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
            acl: &["slow", "transaction"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: exec,
            doc: Doc { summary: "Executes all commands in a transaction.", since: "1.2.0", group: "transactions", complexity: "Depends on commands in the transaction", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "discard",
            arity: 1,
            flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
            acl: &["fast", "transaction"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: discard,
            doc: Doc { summary: "Discards a transaction.", since: "2.0.0", group: "transactions", complexity: "O(N), when N is the number of queued commands", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "watch",
            arity: -2,
            flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
            acl: &["fast", "transaction"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["RO"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: watch,
            doc: Doc { summary: "Monitors changes to keys to determine the execution of a transaction.", since: "2.2.0", group: "transactions", complexity: "O(1) for every key.", args: &[
                    Arg { name: "key", kind: "key", display: Some("key"), key_spec: 0, flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "unwatch",
            arity: 1,
            flags: NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY,
            acl: &["fast", "transaction"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: unwatch,
            doc: Doc { summary: "Forgets about watched keys of a transaction.", since: "2.2.0", group: "transactions", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
