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

/// PUBSUB's own wording for extra arguments (it predates central arity checks).
fn too_many(sub: &str) -> crate::error::CmdError {
    crate::error::CmdError::err(format!(
        "unknown subcommand or wrong number of arguments for '{sub}'. Try PUBSUB HELP."
    ))
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
