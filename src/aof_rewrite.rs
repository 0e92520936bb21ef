//! AOF rewrite: the minimal commands that rebuild a keyspace, written as a new base file.
//!
//! Mirrors Redis's `rewriteAppendOnlyFileRio`: per database a SELECT, then per key
//! - strings: `SET k v`;
//! - lists: `RPUSH k e1 .. e64` batches (`AOF_REWRITE_ITEMS_PER_CMD`);
//! - streams: one `XADD k id f v ..` per entry (an empty stream: `XADD k MAXLEN 0 0-1 x y`),
//!   `XSETID k last-id ENTRIESADDED n MAXDELETEDID id`, per group
//!   `XGROUP CREATE k g last-delivered ENTRIESREAD n`, per pending entry
//!   `XCLAIM k g consumer 0 id TIME t RETRYCOUNT n JUSTID FORCE`, and
//!   `XGROUP CREATECONSUMER` for consumers without pending entries;
//! - a TTL as `PEXPIREAT k ms`.
//!
//! It works on a snapshot taken when the new incr file started, on a blocking thread, so
//! clients keep being served while it runs.

use crate::db::{Db, Value};
use crate::types::stream::StreamId;
use bytes::Bytes;
use persistence::checksum::AnnotatedWriter;
use persistence::encode_command;
use std::io;
use std::path::Path;

/// `AOF_REWRITE_ITEMS_PER_CMD`.
const ITEMS_PER_CMD: usize = 64;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn id(i: StreamId) -> Bytes {
    i.to_bytes()
}

/// Writes the base file for `dbs` at `path` (fsynced). Keys already expired at `now` are
/// left out. Returns the file's size.
pub fn write_base(path: &Path, dbs: &[Db], now: i64) -> io::Result<u64> {
    let file = std::fs::File::create(path)?;
    // A checksum annotation after every 64 KiB of records (see persistence::checksum).
    let mut w = AnnotatedWriter::new(io::BufWriter::with_capacity(1 << 20, file), 64 << 10);
    let mut buf = Vec::with_capacity(1 << 16);
    let emit = |w: &mut AnnotatedWriter<io::BufWriter<std::fs::File>>,
                argv: &[Bytes],
                buf: &mut Vec<u8>|
     -> io::Result<()> {
        buf.clear();
        encode_command(buf, argv);
        w.records(buf)
    };
    for (n, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        emit(&mut w, &[b("SELECT"), b(&n.to_string())], &mut buf)?;
        for (key, value) in db.keys.iter() {
            let expire = db.expire_at(key);
            if matches!(expire, Some(t) if t <= now) {
                continue;
            }
            match value {
                Value::Str(s) => emit(&mut w, &[b("SET"), key.clone(), s.data.clone()], &mut buf)?,
                Value::List(l) => {
                    let items = l.to_vec();
                    for chunk in items.chunks(ITEMS_PER_CMD) {
                        let mut argv = Vec::with_capacity(chunk.len() + 2);
                        argv.push(b("RPUSH"));
                        argv.push(key.clone());
                        argv.extend(chunk.iter().cloned());
                        emit(&mut w, &argv, &mut buf)?;
                    }
                }
                Value::Stream(s) => {
                    let entries = s.range(StreamId::MIN, StreamId::MAX, 0, false);
                    if entries.is_empty() {
                        // Redis's trick for an empty stream: add 0-1 and trim it away at once;
                        // the XSETID below restores the real last ID and counters.
                        emit(
                            &mut w,
                            &[
                                b("XADD"),
                                key.clone(),
                                b("MAXLEN"),
                                b("0"),
                                b("0-1"),
                                b("x"),
                                b("y"),
                            ],
                            &mut buf,
                        )?;
                    }
                    for e in &entries {
                        let mut argv = Vec::with_capacity(3 + e.fields.len() * 2);
                        argv.push(b("XADD"));
                        argv.push(key.clone());
                        argv.push(id(e.id));
                        for (f, v) in &e.fields {
                            argv.push(f.clone());
                            argv.push(v.clone());
                        }
                        emit(&mut w, &argv, &mut buf)?;
                    }
                    emit(
                        &mut w,
                        &[
                            b("XSETID"),
                            key.clone(),
                            id(s.last_id),
                            b("ENTRIESADDED"),
                            b(&s.entries_added.to_string()),
                            b("MAXDELETEDID"),
                            id(s.max_deleted_id),
                        ],
                        &mut buf,
                    )?;
                    for (gname, g) in &s.groups {
                        emit(
                            &mut w,
                            &[
                                b("XGROUP"),
                                b("CREATE"),
                                key.clone(),
                                gname.clone(),
                                id(g.last_id),
                                b("ENTRIESREAD"),
                                b(&g.entries_read.to_string()),
                            ],
                            &mut buf,
                        )?;
                        for (cname, c) in &g.consumers {
                            if c.pending.is_empty() {
                                emit(
                                    &mut w,
                                    &[
                                        b("XGROUP"),
                                        b("CREATECONSUMER"),
                                        key.clone(),
                                        gname.clone(),
                                        cname.clone(),
                                    ],
                                    &mut buf,
                                )?;
                            }
                        }
                        for (pid, pe) in &g.pel {
                            emit(
                                &mut w,
                                &[
                                    b("XCLAIM"),
                                    key.clone(),
                                    gname.clone(),
                                    pe.consumer.clone(),
                                    b("0"),
                                    id(pid),
                                    b("TIME"),
                                    b(&pe.delivery_time.to_string()),
                                    b("RETRYCOUNT"),
                                    b(&pe.delivery_count.to_string()),
                                    b("JUSTID"),
                                    b("FORCE"),
                                ],
                                &mut buf,
                            )?;
                        }
                    }
                }
            }
            if let Some(t) = expire {
                emit(
                    &mut w,
                    &[b("PEXPIREAT"), key.clone(), b(&t.to_string())],
                    &mut buf,
                )?;
            }
        }
    }
    let file = w.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    file.metadata().map(|m| m.len())
}
