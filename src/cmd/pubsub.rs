//! Pub/Sub commands. Subscription confirmations are push frames under RESP3 (plain arrays
//! under RESP2), exactly like messages.

use super::Ctx;
use crate::error::CmdResult;
use bytes::Bytes;

#[derive(Clone, Copy)]
enum Kind {
    Channel,
    Pattern,
    Shard,
}

fn confirm(ctx: &mut Ctx, what: &[u8], name: Option<&Bytes>, count: usize) {
    ctx.out.push(3);
    ctx.out.bulk(what);
    match name {
        Some(n) => ctx.out.bulk(n),
        None => ctx.out.null(),
    }
    ctx.out.int(count as i64);
}

fn refresh_count(ctx: &mut Ctx) {
    let s = ctx.store.pubsub.subs(ctx.client.id);
    ctx.client.subscribed_count = s.channels.len() + s.patterns.len() + s.shard_channels.len();
}

fn sub_generic(ctx: &mut Ctx, argv: &[Bytes], kind: Kind) -> CmdResult {
    let id = ctx.client.id;
    for ch in &argv[1..] {
        let (word, n): (&[u8], usize) = match kind {
            Kind::Channel => (b"subscribe", ctx.store.pubsub.subscribe(id, ch)),
            Kind::Pattern => (b"psubscribe", ctx.store.pubsub.psubscribe(id, ch)),
            Kind::Shard => (b"ssubscribe", ctx.store.pubsub.ssubscribe(id, ch)),
        };
        confirm(ctx, word, Some(ch), n);
    }
    refresh_count(ctx);
    Ok(())
}

fn unsub_generic(ctx: &mut Ctx, argv: &[Bytes], kind: Kind) -> CmdResult {
    let id = ctx.client.id;
    let subs = ctx.store.pubsub.subs(id);
    let names: Vec<Bytes> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        match kind {
            Kind::Channel => subs.channels.clone(),
            Kind::Pattern => subs.patterns.clone(),
            Kind::Shard => subs.shard_channels.clone(),
        }
    };
    let word: &[u8] = match kind {
        Kind::Channel => b"unsubscribe",
        Kind::Pattern => b"punsubscribe",
        Kind::Shard => b"sunsubscribe",
    };
    if names.is_empty() {
        let n = match kind {
            Kind::Shard => subs.shard_channels.len(),
            _ => subs.count(),
        };
        confirm(ctx, word, None, n);
    }
    for ch in &names {
        let n = match kind {
            Kind::Channel => ctx.store.pubsub.unsubscribe(id, ch),
            Kind::Pattern => ctx.store.pubsub.punsubscribe(id, ch),
            Kind::Shard => ctx.store.pubsub.sunsubscribe(id, ch),
        };
        confirm(ctx, word, Some(ch), n);
    }
    refresh_count(ctx);
    Ok(())
}

/// Drops every subscription without replies (RESET, disconnect).
pub fn unsubscribe_all(ctx: &mut Ctx) {
    ctx.store.pubsub.remove_client(ctx.client.id);
    ctx.client.subscribed_count = 0;
}

pub fn subscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sub_generic(ctx, argv, Kind::Channel)
}

pub fn psubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sub_generic(ctx, argv, Kind::Pattern)
}

pub fn ssubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sub_generic(ctx, argv, Kind::Shard)
}

pub fn unsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsub_generic(ctx, argv, Kind::Channel)
}

pub fn punsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsub_generic(ctx, argv, Kind::Pattern)
}

pub fn sunsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsub_generic(ctx, argv, Kind::Shard)
}

pub fn publish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = ctx.store.publish(&argv[1], &argv[2]);
    ctx.store.stats.pubsub_channels_published += 1;
    ctx.out.int(n as i64);
    Ok(())
}

pub fn spublish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = ctx.store.spublish(&argv[1], &argv[2]);
    ctx.out.int(n as i64);
    Ok(())
}

/// PUBSUB's wording for extra arguments (it names the subcommand in capitals).
fn too_many(sub: &str) -> crate::error::CmdError {
    crate::error::CmdError::SubcommandSyntax {
        sub: sub.into(),
        cmd: "pubsub".into(),
    }
}

fn list_matching<'a>(names: impl Iterator<Item = &'a Bytes>, pat: Option<&Bytes>) -> Vec<Bytes> {
    names
        .filter(|c| pat.is_none_or(|p| crate::glob::matches(p, c, false)))
        .cloned()
        .collect()
}

/// The channel registry PUBSUB's subcommands read: plain or shard channels.
fn registry<'a>(ctx: &'a Ctx, shard: bool) -> &'a hashbrown::HashMap<Bytes, Vec<u64>> {
    if shard {
        &ctx.store.pubsub.shard_channels
    } else {
        &ctx.store.pubsub.channels
    }
}

fn channels_generic(ctx: &mut Ctx, argv: &[Bytes], shard: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(too_many(if shard { "SHARDCHANNELS" } else { "CHANNELS" }));
    }
    let v = list_matching(registry(ctx, shard).keys(), argv.get(2));
    ctx.out.array(v.len());
    for c in v {
        ctx.out.bulk(&c);
    }
    Ok(())
}

fn numsub_generic(ctx: &mut Ctx, argv: &[Bytes], shard: bool) -> CmdResult {
    let counts: Vec<usize> = argv[2..]
        .iter()
        .map(|c| registry(ctx, shard).get(c).map(|v| v.len()).unwrap_or(0))
        .collect();
    ctx.out.array((argv.len() - 2) * 2);
    for (c, n) in argv[2..].iter().zip(counts) {
        ctx.out.bulk(c);
        ctx.out.int(n as i64);
    }
    Ok(())
}

pub fn pubsub_channels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channels_generic(ctx, argv, false)
}

pub fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channels_generic(ctx, argv, true)
}

pub fn pubsub_numsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, argv, false)
}

pub fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub_generic(ctx, argv, true)
}

pub fn pubsub_numpat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let mut pats: Vec<&Bytes> = ctx.store.pubsub.patterns.iter().map(|(p, _)| p).collect();
    pats.sort();
    pats.dedup();
    ctx.out.int(pats.len() as i64);
    Ok(())
}

pub fn pubsub_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    super::connection::write_help(ctx, "PUBSUB", &[
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
    ]);
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
    pub static PUBSUB_SUBS: &[Command] = &[
        Command {
            name: "channels",
            arity: -2,
            flags: PUBSUB | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: pubsub_channels,
            doc: Doc { summary: "Returns the active channels.", since: "2.8.0", group: "pubsub", complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", args: &[
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
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
            handler: pubsub_help,
            doc: Doc { summary: "Returns helpful text about the different subcommands.", since: "6.2.0", group: "pubsub", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "numpat",
            arity: 2,
            flags: PUBSUB | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: pubsub_numpat,
            doc: Doc { summary: "Returns a count of unique pattern subscriptions.", since: "2.8.0", group: "pubsub", complexity: "O(1)", ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "numsub",
            arity: -2,
            flags: PUBSUB | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: pubsub_numsub,
            doc: Doc { summary: "Returns a count of subscribers to channels.", since: "2.8.0", group: "pubsub", complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels", args: &[
                    Arg { name: "channel", kind: "string", display: Some("channel"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "shardchannels",
            arity: -2,
            flags: PUBSUB | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: pubsub_shardchannels,
            doc: Doc { summary: "Returns the active shard channels.", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", args: &[
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), flags: ARG_OPTIONAL, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "shardnumsub",
            arity: -2,
            flags: PUBSUB | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: pubsub_shardnumsub,
            doc: Doc { summary: "Returns the count of subscribers of shard channels.", since: "7.0.0", group: "pubsub", complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", args: &[
                    Arg { name: "shardchannel", kind: "string", display: Some("shardchannel"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
    ];

    /// This family's commands.
    #[rustfmt::skip]
    pub static COMMANDS: &[Command] = &[
        Command {
            name: "subscribe",
            arity: -2,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: subscribe,
            doc: Doc { summary: "Listens for messages published to channels.", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of channels to subscribe to.", args: &[
                    Arg { name: "channel", kind: "string", display: Some("channel"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "unsubscribe",
            arity: -1,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: unsubscribe,
            doc: Doc { summary: "Stops listening to messages posted to channels.", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of channels to unsubscribe.", args: &[
                    Arg { name: "channel", kind: "string", display: Some("channel"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "psubscribe",
            arity: -2,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: psubscribe,
            doc: Doc { summary: "Listens for messages published to channels that match one or more patterns.", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of patterns to subscribe to.", args: &[
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "punsubscribe",
            arity: -1,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: punsubscribe,
            doc: Doc { summary: "Stops listening to messages published to channels that match one or more patterns.", since: "2.0.0", group: "pubsub", complexity: "O(N) where N is the number of patterns to unsubscribe.", args: &[
                    Arg { name: "pattern", kind: "pattern", display: Some("pattern"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "ssubscribe",
            arity: -2,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["not_key"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: ssubscribe,
            doc: Doc { summary: "Listens for messages published to shard channels.", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of shard channels to subscribe to.", args: &[
                    Arg { name: "shardchannel", kind: "string", display: Some("shardchannel"), flags: ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "sunsubscribe",
            arity: -1,
            flags: PUBSUB | NOSCRIPT | LOADING | STALE,
            acl: &["pubsub", "slow"],
            legacy_keys: (1, -1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["not_key"], begin: Begin::Index(1), find: Find::Range { lastkey: -1, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: sunsubscribe,
            doc: Doc { summary: "Stops listening to messages posted to shard channels.", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of shard channels to unsubscribe.", args: &[
                    Arg { name: "shardchannel", kind: "string", display: Some("shardchannel"), flags: ARG_OPTIONAL | ARG_MULTIPLE, ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "publish",
            arity: 3,
            flags: PUBSUB | LOADING | STALE | FAST,
            acl: &["pubsub", "fast"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            handler: publish,
            doc: Doc { summary: "Posts a message to a channel.", since: "2.0.0", group: "pubsub", complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", args: &[
                    Arg { name: "channel", kind: "string", display: Some("channel"), ..Arg::DEFAULT },
                    Arg { name: "message", kind: "string", display: Some("message"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "spublish",
            arity: 3,
            flags: PUBSUB | LOADING | STALE | FAST,
            acl: &["pubsub", "fast"],
            legacy_keys: (1, 1, 1),
            key_specs: &[KeySpec { notes: "", flags: &["not_key"], begin: Begin::Index(1), find: Find::Range { lastkey: 0, keystep: 1, limit: 0 } }],
            tips: &[],
            handler: spublish,
            doc: Doc { summary: "Posts a message to a shard channel.", since: "7.0.0", group: "pubsub", complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.", args: &[
                    Arg { name: "shardchannel", kind: "string", display: Some("shardchannel"), ..Arg::DEFAULT },
                    Arg { name: "message", kind: "string", display: Some("message"), ..Arg::DEFAULT },
                ], ..Doc::DEFAULT },
            ..Command::DEFAULT
        },
        Command {
            name: "pubsub",
            arity: -2,
            flags: 0,
            acl: &["slow"],
            legacy_keys: (0, 0, 0),
            key_specs: &[],
            tips: &[],
            doc: Doc { summary: "A container for Pub/Sub commands.", since: "2.8.0", group: "pubsub", complexity: "Depends on subcommand.", ..Doc::DEFAULT },
            subcommands: PUBSUB_SUBS,
            ..Command::DEFAULT
        },
    ];
}
pub use rows::COMMANDS;
