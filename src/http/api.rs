//! The dashboard's JSON API and the `/metrics` scrape: what each endpoint reads (through
//! [`super::gather`] and INFO), and the actions, which run as commands.
//!
//! Keys, groups and consumers are shown as UTF-8 (lossy); actions name them as JSON
//! strings, so a binary name can be looked at but not acted on from the dashboard.

use super::gather::{self, StreamSnap};
use super::{json, Resp};
use crate::client::{Client, ClientInfo, ClientShared};
use crate::cmd::Ctx;
use crate::server::{ScriptBusy, Shared};
use crate::store::Store;
use crate::types::stream::StreamId;
use bytes::Bytes;
use hyper::StatusCode;
use serde_json::{json, Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;

type ApiResult = Result<Resp, ScriptBusy>;

/// Runs `f` on a throwaway internal client's context, outside the command table's
/// accounting (no stats, slow log or MONITOR: reading for the dashboard is not a command
/// anyone sent); RESP2 replies go to the returned buffer.
fn with_internal_ctx<T>(store: &mut Store, f: impl FnOnce(&mut Ctx) -> T) -> (T, Vec<u8>) {
    let mut client = Client::new(Arc::new(ClientShared::new(0)), true);
    let mut out = resp::ReplyWriter::new(resp::Protocol::Resp2);
    let mut ctx = Ctx {
        store,
        client: &mut client,
        out: &mut out,
        now: crate::util::now_ms(),
        block: None,
        no_block: true,
        effects: Vec::new(),
        no_propagate: true,
    };
    let t = f(&mut ctx);
    (t, out.buf)
}

/// A read-only command handler's RESP2 reply.
fn run_handler(
    store: &mut Store,
    handler: fn(&mut Ctx, &[Bytes]) -> crate::error::CmdResult,
    argv: &[&str],
) -> Vec<u8> {
    let argv: Vec<Bytes> = argv
        .iter()
        .map(|a| Bytes::copy_from_slice(a.as_bytes()))
        .collect();
    with_internal_ctx(store, |ctx| {
        let _ = handler(ctx, &argv);
    })
    .1
}

/// INFO text of `sections`, as the INFO command builds it.
pub fn info_text(store: &mut Store, sections: &[&str]) -> String {
    let s: Vec<String> = sections.iter().map(|s| s.to_string()).collect();
    with_internal_ctx(store, |ctx| crate::cmd::server::info_text(ctx, &s)).0
}

/// INFO as `{section: {field: value}}` (numbers as numbers).
fn info_json(info: &str) -> Value {
    let mut out = Map::new();
    let mut section = Map::new();
    let mut name = String::new();
    for line in info.lines() {
        if let Some(s) = line.strip_prefix("# ") {
            if !name.is_empty() {
                out.insert(
                    std::mem::take(&mut name),
                    Value::Object(std::mem::take(&mut section)),
                );
            }
            name = s.to_ascii_lowercase();
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let v = match v.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => match v.parse::<f64>() {
                    Ok(f) if f.is_finite() => json!(f),
                    _ => json!(v),
                },
            };
            section.insert(k.to_string(), v);
        }
    }
    if !name.is_empty() {
        out.insert(name, Value::Object(section));
    }
    Value::Object(out)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn id_text(id: StreamId) -> String {
    format!("{}-{}", id.ms, id.seq)
}

fn stream_json(s: &StreamSnap, now: i64, consumers: bool) -> Value {
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            let mut v = json!({
                "name": text(&g.name),
                "consumers": g.consumers.len(),
                "pending": g.pending,
                "nacked": g.nacked,
                "last_delivered_id": id_text(g.last_delivered),
                "entries_read": if g.entries_read < 0 { Value::Null } else { json!(g.entries_read) },
                "lag": g.lag,
                "oldest_pending_id": g.oldest_pending.map(id_text),
                "oldest_pending_age_ms": g.oldest_pending.map(|id| (now - id.ms as i64).max(0)),
                "oldest_pending_idle_ms": g.oldest_delivery.map(|t| (now - t).max(0)),
                "deliveries": g.stats.deliveries,
                "redeliveries": g.stats.redeliveries,
                "acks": g.stats.acks,
                "dead_letter": g.dead_letter.as_ref().map(|d| json!({
                    "max_deliveries": d.max_deliveries,
                    "target": text(&d.target),
                    "dead_lettered": d.count,
                    "from": if d.from_default { "server" } else { "group" },
                })),
            });
            if consumers {
                v["consumer_list"] = g
                    .consumers
                    .iter()
                    .map(|c| {
                        json!({
                            "name": text(&c.name),
                            "pending": c.pending,
                            "idle_ms": (now - c.seen_time).max(0),
                            "inactive_ms": if c.active_time < 0 { Value::Null } else { json!((now - c.active_time).max(0)) },
                        })
                    })
                    .collect();
            }
            v
        })
        .collect();
    json!({
        "db": s.db,
        "key": text(&s.key),
        "length": s.length,
        "memory": s.memory,
        "entries_added": s.entries_added,
        "first_id": s.first_entry.map(id_text),
        "last_id": s.last_entry.map(id_text),
        "last_generated_id": id_text(s.last_generated),
        "first_age_ms": s.first_entry.map(|id| (now - id.ms as i64).max(0)),
        "last_age_ms": s.last_entry.map(|id| (now - id.ms as i64).max(0)),
        "retention": {
            "max_age_ms": s.retention_max_age,
            "max_bytes": s.retention_max_bytes,
            "from": if s.retention_from_server { "server" } else { "stream" },
        },
        "delayed": s.delayed,
        "groups": groups,
    })
}

pub async fn metrics(shared: &Shared) -> ApiResult {
    use super::metrics::*;
    let (info, extras) = {
        let mut store = crate::server::lock_store(shared).await?;
        let info = info_text(&mut store, &["all"]);
        let last = store.slowlog.iter().next().cloned();
        let x = Extras {
            slowlog_len: store.slowlog.len(),
            slowlog_last_id: last.as_ref().map(|e| e.id),
            slowlog_last_duration_us: last.as_ref().map(|e| e.duration_us),
            latency: store
                .latency
                .events()
                .map(|(e, s)| {
                    let l = s.latest();
                    (e, l.time, l.latency)
                })
                .collect(),
            maxmemory: store.config.maxmemory,
            maxclients: store.config.maxclients as u64,
            commands: {
                let mut v: Vec<_> = store
                    .stats
                    .commands
                    .iter()
                    .map(|(n, c)| {
                        let b = c.latency.as_ref().map(|h| h.cumulative_levels(HIST_LEVELS));
                        (*n, c.calls, c.usec, b)
                    })
                    .collect();
                v.sort_by(|a, b| a.0.cmp(b.0));
                v
            },
        };
        (info, x)
    };
    let mut q = gather::queues(shared, gather::Walk::Streams, None).await?;
    Ok(super::off_loop(move || {
        q.sort();
        let mut f = Families::default();
        f.sample(
            "redis_up",
            "gauge",
            "Information about the Redis instance",
            &[],
            1.0,
        );
        info_metrics(&mut f, &info);
        extra_metrics(&mut f, &extras);
        stream_metrics(&mut f, &q, crate::util::now_ms());
        super::respond_pieces(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            f.into_pieces(),
        )
    })
    .await)
}

pub async fn overview(shared: &Shared) -> ApiResult {
    let mut store = crate::server::lock_store(shared).await?;
    let info = info_text(&mut store, &["default"]);
    let actions = store.config.http_actions;
    drop(store);
    let mut v = info_json(&info);
    v["dashboard"] = json!({"actions": actions, "time_ms": crate::util::now_ms()});
    Ok(json(StatusCode::OK, &v))
}

/// The list views' `?match=GLOB&sort=FIELD&limit=N`: keys matching the glob (as SCAN
/// MATCH), the largest first by FIELD (by key, ascending, without one), the first N (1000
/// without one); `total` in the reply counts every match. A dashboard on thousands of
/// streams asks for a page of them: formatting all 10,000 as JSON took 135 ms a poll.
struct Page {
    pattern: Option<Vec<u8>>,
    sort: Option<String>,
    limit: usize,
}

const DEFAULT_LIMIT: usize = 1000;

fn page(q: &[(String, Vec<u8>)], sorts: &[&str]) -> Result<Page, String> {
    let sort = match param(q, "sort").map(String::from_utf8_lossy) {
        None => None,
        Some(s) if s == "key" => None,
        Some(s) if sorts.contains(&s.as_ref()) => Some(s.into_owned()),
        Some(s) => {
            return Err(format!(
                "sort must be key or one of {}, not {s}",
                sorts.join(", ")
            ))
        }
    };
    let limit = match param(q, "limit") {
        None => DEFAULT_LIMIT,
        Some(l) => match std::str::from_utf8(l).ok().and_then(|l| l.parse().ok()) {
            Some(n) => n,
            None => return Err("limit must be a count".into()),
        },
    };
    Ok(Page {
        pattern: param(q, "match")
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec),
        sort,
        limit,
    })
}

impl Page {
    /// Orders `items` (already by key) by the page's field, largest first (ties by key),
    /// and keeps the page: how many there were.
    fn cut<T>(&self, items: &mut Vec<T>, field: impl Fn(&T, &str) -> i64) -> usize {
        let total = items.len();
        if let Some(f) = &self.sort {
            items.sort_by_key(|t| std::cmp::Reverse(field(t, f)));
        }
        items.truncate(self.limit);
        total
    }
}

const STREAM_SORTS: &[&str] = &["length", "memory", "pending", "lag", "groups"];

pub async fn streams(shared: &Shared, query: &[(String, Vec<u8>)]) -> ApiResult {
    let p = match page(query, STREAM_SORTS) {
        Ok(p) => p,
        Err(e) => return Ok(bad_request(&e)),
    };
    let order = p
        .sort
        .as_deref()
        .and_then(gather::StreamOrder::parse)
        .unwrap_or(gather::StreamOrder::Key);
    let walk = gather::Walk::StreamsTop {
        order,
        limit: p.limit,
    };
    let mut q = gather::queues(shared, walk, p.pattern.as_deref()).await?;
    Ok(super::off_loop(move || {
        q.sort();
        // The walk kept the page; this puts it in its order.
        p.cut(&mut q.streams, |s, _| order.of_snap(s));
        let total = q.matched;
        let now = crate::util::now_ms();
        let v: Vec<Value> = q
            .streams
            .iter()
            .map(|s| stream_json(s, now, false))
            .collect();
        json(
            StatusCode::OK,
            &json!({"time_ms": now, "total": total, "streams": v}),
        )
    })
    .await)
}

fn param<'a>(q: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
}

fn db_param(q: &[(String, Vec<u8>)]) -> usize {
    param(q, "db")
        .and_then(|d| std::str::from_utf8(d).ok()?.parse().ok())
        .unwrap_or(0)
}

fn bad_request(msg: &str) -> Resp {
    json(StatusCode::BAD_REQUEST, &json!({"error": msg}))
}

pub async fn stream(shared: &Shared, q: &[(String, Vec<u8>)]) -> ApiResult {
    let Some(key) = param(q, "key") else {
        return Ok(bad_request("key is required"));
    };
    let now = crate::util::now_ms();
    Ok(match gather::stream(shared, db_param(q), key).await? {
        Some(s) => json(
            StatusCode::OK,
            &json!({"time_ms": now, "stream": stream_json(&s, now, true)}),
        ),
        None => json(StatusCode::NOT_FOUND, &json!({"error": "no such stream"})),
    })
}

pub async fn pending(shared: &Shared, q: &[(String, Vec<u8>)]) -> ApiResult {
    let (Some(key), Some(group)) = (param(q, "key"), param(q, "group")) else {
        return Ok(bad_request("key and group are required"));
    };
    let start = match param(q, "start") {
        None => StreamId::MIN,
        Some(s) => match std::str::from_utf8(s).ok().and_then(parse_id) {
            Some(id) => id,
            None => return Ok(bad_request("start must be a stream ID")),
        },
    };
    let count = param(q, "count")
        .and_then(|c| std::str::from_utf8(c).ok()?.parse::<usize>().ok())
        .unwrap_or(50)
        .min(1000);
    let now = crate::util::now_ms();
    Ok(
        match gather::pending(shared, db_param(q), key, group, start, count).await? {
            Some(rows) => {
                let v: Vec<Value> = rows
                .iter()
                .map(|p| {
                    json!({
                        "id": id_text(p.id),
                        "consumer": p.consumer.as_ref().map(|c| text(c)),
                        "idle_ms": if p.consumer.is_some() { json!((now - p.delivery_time).max(0)) } else { Value::Null },
                        "deliveries": p.delivery_count,
                    })
                })
                .collect();
                json(StatusCode::OK, &json!({"time_ms": now, "pending": v}))
            }
            None => json(
                StatusCode::NOT_FOUND,
                &json!({"error": "no such stream or group"}),
            ),
        },
    )
}

fn parse_id(s: &str) -> Option<StreamId> {
    let (ms, seq) = s.split_once('-').unwrap_or((s, "0"));
    Some(StreamId::new(ms.parse().ok()?, seq.parse().ok()?))
}

const LIST_SORTS: &[&str] = &["length", "blocked", "pushed", "popped"];

/// Lists, and queues without a key right now (drained, or waited on), with the elements
/// pushed and popped since start.
pub async fn lists(shared: &Shared, query: &[(String, Vec<u8>)]) -> ApiResult {
    let p = match page(query, LIST_SORTS) {
        Ok(p) => p,
        Err(e) => return Ok(bad_request(&e)),
    };
    let mut q = gather::queues(shared, gather::Walk::Lists, p.pattern.as_deref()).await?;
    Ok(super::off_loop(move || {
        q.sort();
        let total = p.cut(&mut q.lists, |l, f| match f {
            "length" => l.length as i64,
            "blocked" => l.blocked as i64,
            "pushed" => l.traffic.map_or(-1, |c| c.pushed as i64),
            _ => l.traffic.map_or(-1, |c| c.popped as i64),
        });
        let v: Vec<Value> = q
            .lists
            .iter()
            .map(|l| {
                json!({
                    "db": l.db,
                    "key": text(&l.key),
                    "length": l.length,
                    "blocked": l.blocked,
                    "pushed": l.traffic.map(|c| c.pushed),
                    "popped": l.traffic.map(|c| c.popped),
                })
            })
            .collect();
        json(
            StatusCode::OK,
            &json!({"time_ms": crate::util::now_ms(), "total": total, "lists": v}),
        )
    })
    .await)
}

pub async fn pubsub(shared: &Shared) -> ApiResult {
    let store = crate::server::lock_store(shared).await?;
    let ps = &store.pubsub;
    let mut channels: Vec<Value> = ps
        .channels
        .iter()
        .map(|(c, subs)| json!({"channel": text(c), "subscribers": subs.len()}))
        .collect();
    let mut pats: std::collections::BTreeMap<String, usize> = Default::default();
    for (p, _) in &ps.patterns {
        *pats.entry(text(p)).or_default() += 1;
    }
    let patterns: Vec<Value> = pats
        .into_iter()
        .map(|(p, n)| json!({"pattern": p, "subscribers": n}))
        .collect();
    let mut shard: Vec<Value> = ps
        .shard_channels
        .iter()
        .map(|(c, subs)| json!({"channel": text(c), "subscribers": subs.len()}))
        .collect();
    drop(store);
    let by_name = |a: &Value, b: &Value| a["channel"].as_str().cmp(&b["channel"].as_str());
    channels.sort_by(by_name);
    shard.sort_by(by_name);
    Ok(json(
        StatusCode::OK,
        &json!({"channels": channels, "patterns": patterns, "shard_channels": shard}),
    ))
}

/// The payload of a RESP2 bulk string reply.
fn bulk_payload(reply: &[u8]) -> Option<&[u8]> {
    let rest = reply.strip_prefix(b"$")?;
    let nl = rest.iter().position(|&c| c == b'\n')?;
    let len: usize = std::str::from_utf8(&rest[..nl]).ok()?.trim().parse().ok()?;
    rest.get(nl + 1..nl + 1 + len)
}

pub async fn clients(shared: &Shared) -> ApiResult {
    let mut store = crate::server::lock_store(shared).await?;
    let reply = run_handler(
        &mut store,
        crate::cmd::connection::client_list,
        &["CLIENT", "LIST"],
    );
    drop(store);
    let list = bulk_payload(&reply).map(text).unwrap_or_default();
    let v: Vec<Value> = list
        .lines()
        .map(|l| {
            let mut m = Map::new();
            for f in l.split(' ') {
                if let Some((k, v)) = f.split_once('=') {
                    m.insert(k.to_string(), json!(v));
                }
            }
            Value::Object(m)
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"clients": v})))
}

pub async fn slowlog(shared: &Shared) -> ApiResult {
    let store = crate::server::lock_store(shared).await?;
    let v: Vec<Value> = store
        .slowlog
        .iter()
        .take(128)
        .map(|e| {
            json!({
                "id": e.id,
                "time": e.time,
                "duration_us": e.duration_us,
                "argv": e.argv.iter().map(|a| text(a)).collect::<Vec<_>>(),
                "client": e.peer,
                "name": text(&e.name),
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"slowlog": v})))
}

/// A RESP2 reply as JSON: errors as `{"error": text}`.
fn reply_json(b: &[u8]) -> (Value, usize) {
    if b.is_empty() {
        return (Value::Null, 0);
    }
    let Some(le) = b.iter().position(|&c| c == b'\n') else {
        return (Value::Null, b.len());
    };
    let line = String::from_utf8_lossy(&b[1..le])
        .trim_end_matches('\r')
        .to_string();
    let after = le + 1;
    match b.first() {
        Some(b'+') => (json!(line), after),
        Some(b'-') => (json!({"error": line}), after),
        Some(b':') => (
            line.parse::<i64>().map(|n| json!(n)).unwrap_or(json!(line)),
            after,
        ),
        Some(b'$') => match line.parse::<i64>() {
            Ok(n) if n >= 0 => {
                let n = n as usize;
                let end = (after + n).min(b.len());
                (json!(text(&b[after..end])), (end + 2).min(b.len()))
            }
            _ => (Value::Null, after),
        },
        Some(b'*') => match line.parse::<i64>() {
            Ok(n) if n >= 0 => {
                let mut pos = after;
                let mut items = Vec::new();
                for _ in 0..n {
                    if pos >= b.len() {
                        break;
                    }
                    let (v, used) = reply_json(&b[pos..]);
                    items.push(v);
                    pos += used.max(1);
                }
                (Value::Array(items), pos)
            }
            _ => (Value::Null, after),
        },
        _ => (Value::Null, b.len()),
    }
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(|x| x.as_str())
}

/// The command an action stands for, from its JSON request.
pub fn action_argv(req: &Value) -> Result<Vec<String>, String> {
    let need = |name: &str| -> Result<String, String> {
        field(req, name)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .ok_or_else(|| format!("'{name}' is required"))
    };
    let action = need("action")?;
    Ok(match action.as_str() {
        "ack" => vec!["XACK".into(), need("key")?, need("group")?, need("id")?],
        "claim" => vec![
            "XCLAIM".into(),
            need("key")?,
            need("group")?,
            need("consumer")?,
            "0".into(),
            need("id")?,
        ],
        // Through the group's dead-letter rule (SLUICE.POLICY DEADLETTER or the server's
        // default): XNACK FATAL moves the entry to the rule's target at once.
        "deadletter" => vec![
            "XNACK".into(),
            need("key")?,
            need("group")?,
            "FATAL".into(),
            "IDS".into(),
            "1".into(),
            need("id")?,
        ],
        "delconsumer" => vec![
            "XGROUP".into(),
            "DELCONSUMER".into(),
            need("key")?,
            need("group")?,
            need("consumer")?,
        ],
        "destroygroup" => vec![
            "XGROUP".into(),
            "DESTROY".into(),
            need("key")?,
            need("group")?,
        ],
        "trim" => {
            let strategy = need("strategy")?.to_ascii_uppercase();
            if strategy != "MAXLEN" && strategy != "MINID" {
                return Err("'strategy' must be MAXLEN or MINID".into());
            }
            vec![
                "XTRIM".into(),
                need("key")?,
                strategy,
                "=".into(),
                need("threshold")?,
            ]
        }
        other => return Err(format!("unknown action '{other}'")),
    })
}

/// POST /api/action: runs the action's command as an internal client's (registered for its
/// duration, with the HTTP peer's address, so MONITOR and CLIENT LIST say where it came
/// from), then logs it as a connection's batch is logged and answers after the fsync the
/// policy demands.
pub async fn action(
    shared: &Shared,
    body: &[u8],
    peer: SocketAddr,
    user: Arc<crate::acl::User>,
) -> ApiResult {
    let req: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Ok(bad_request(&format!("invalid JSON: {e}"))),
    };
    let argv = match action_argv(&req) {
        Ok(a) => a,
        Err(e) => return Ok(bad_request(&e)),
    };
    let db = req.get("db").and_then(|d| d.as_u64()).unwrap_or(0) as usize;
    let (reply, sync_off) = {
        let mut store = crate::server::lock_store(shared).await?;
        if !store.config.http_actions {
            return Ok(json(
                StatusCode::FORBIDDEN,
                &json!({"error": "dashboard actions are off (sluice-http-actions no)"}),
            ));
        }
        if db >= store.ks.len() {
            return Ok(bad_request("DB index is out of range"));
        }
        store.refresh_clock();
        let id = store.next_client_id;
        store.next_client_id += 1;
        let cs = Arc::new(ClientShared::new(id));
        let mut info = ClientInfo::new(cs.clone(), peer.to_string(), String::new(), 0);
        info.name = Some(Bytes::from_static(b"sluice-dashboard"));
        info.user = user.name.clone();
        store.clients.insert(id, info);
        let mut client = Client::new(cs, true);
        client.acl_version = store.acl.version;
        client.user = Some(user);
        client.db = db;
        client.name = Some(Bytes::from_static(b"sluice-dashboard"));
        let mut out = resp::ReplyWriter::new(resp::Protocol::Resp2);
        let argv: Vec<Bytes> = argv
            .iter()
            .map(|a| Bytes::from(a.clone().into_bytes()))
            .collect();
        let _ = crate::cmd::process(&mut store, &mut client, argv, &mut out);
        crate::cmd::serve_blocked(&mut store);
        store.clients.remove(&id);
        let sync_off = shared.log_batch(&mut store);
        crate::cmd::dispatch_served(&mut store, sync_off);
        (out.buf, sync_off)
    };
    if let Some(off) = sync_off {
        shared.wait_synced(off).await;
    }
    let (v, _) = reply_json(&reply);
    let status = if v.get("error").is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(json(status, &json!({"command": argv, "reply": v})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_decode_to_json() {
        assert_eq!(reply_json(b":3\r\n").0, json!(3));
        assert_eq!(reply_json(b"+OK\r\n").0, json!("OK"));
        assert_eq!(reply_json(b"-ERR no\r\n").0, json!({"error": "ERR no"}));
        assert_eq!(reply_json(b"$-1\r\n").0, Value::Null);
        assert_eq!(
            reply_json(b"*2\r\n$3\r\nabc\r\n*1\r\n:1\r\n").0,
            json!(["abc", [1]])
        );
        assert_eq!(reply_json(b"*3\r\n:1\r\n").0, json!([1]));
        assert_eq!(reply_json(b"").0, Value::Null);
    }

    #[test]
    fn actions_map_to_commands() {
        let a = |v: Value| action_argv(&v);
        assert_eq!(
            a(json!({"action": "ack", "key": "s", "group": "g", "id": "1-1"})).unwrap(),
            ["XACK", "s", "g", "1-1"]
        );
        assert_eq!(
            a(json!({"action": "deadletter", "key": "s", "group": "g", "id": "1-1"})).unwrap(),
            ["XNACK", "s", "g", "FATAL", "IDS", "1", "1-1"]
        );
        assert_eq!(
            a(json!({"action": "trim", "key": "s", "strategy": "maxlen", "threshold": "10"}))
                .unwrap(),
            ["XTRIM", "s", "MAXLEN", "=", "10"]
        );
        assert!(
            a(json!({"action": "trim", "key": "s", "strategy": "x", "threshold": "1"})).is_err()
        );
        assert!(a(json!({"action": "ack", "key": "s"})).is_err());
        assert!(a(json!({"action": "flushall"})).is_err());
        assert!(a(json!({})).is_err());
    }

    #[test]
    fn info_becomes_sections() {
        let v = info_json("# Server\r\nredis_version:7.2.4\r\nuptime_in_seconds:5\r\n\r\n# Memory\r\nmem_fragmentation_ratio:1.5\r\n");
        assert_eq!(v["server"]["redis_version"], json!("7.2.4"));
        assert_eq!(v["server"]["uptime_in_seconds"], json!(5));
        assert_eq!(v["memory"]["mem_fragmentation_ratio"], json!(1.5));
    }
}
