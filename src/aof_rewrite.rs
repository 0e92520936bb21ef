//! AOF rewrite: the minimal commands that rebuild a keyspace, written as a new base file.
//!
//! Mirrors Redis's `rewriteAppendOnlyFileRio`: first each function library as
//! `FUNCTION LOAD <code>` (Redis's `rewriteFunctions`), then per database a SELECT, then per key
//! - strings: `SET k v`;
//! - lists, hashes, sets, sorted sets: `RPUSH k e1 .. e64`, `HSET k f1 v1 ..`, `SADD k m1 ..`,
//!   `ZADD k s1 m1 ..` batches of 64 items (`AOF_REWRITE_ITEMS_PER_CMD`);
//! - streams: one `XADD k id f v ..` per entry (an empty stream: `XADD k MAXLEN 0 0-1 x y`),
//!   `XSETID k last-id ENTRIESADDED n MAXDELETEDID id`, per group
//!   `XGROUP CREATE k g last-delivered ENTRIESREAD n`, per pending entry
//!   `XCLAIM k g consumer 0 id TIME t RETRYCOUNT n JUSTID FORCE`, and
//!   `XGROUP CREATECONSUMER` for consumers without pending entries; idempotency memory
//!   (Redis 8.6) as `XCFGSET` of explicit settings and one `XIDMPRECORD` per remembered iid;
//! - a TTL as `PEXPIREAT k ms`.
//!
//! It works on a snapshot taken when the new incr file started, on a blocking thread, so
//! clients keep being served while it runs.

use crate::db::{DbSnapshot, Value};
use crate::types::stream::StreamId;
use bytes::Bytes;
use persistence::checksum::AnnotatedWriter;
use persistence::{encode_arg, encode_header};
use std::io;
use std::path::Path;

/// `AOF_REWRITE_ITEMS_PER_CMD`.
const ITEMS_PER_CMD: usize = 64;

fn id(i: StreamId) -> Bytes {
    i.to_bytes()
}

/// One key's items as commands of [`ITEMS_PER_CMD`] items each (`RPUSH k e1 .. e64`, `HSET k
/// f1 v1 ..`), as Redis's `rewriteListObject` and kin: the last command takes the rest.
struct Batch<'a> {
    cmd: &'static [u8],
    key: &'a [u8],
    left: usize,
    in_cmd: usize,
    args_per_item: usize,
    buf: &'a mut Vec<u8>,
}

impl<'a> Batch<'a> {
    fn new(
        cmd: &'static [u8],
        key: &'a [u8],
        items: usize,
        args_per_item: usize,
        buf: &'a mut Vec<u8>,
    ) -> Self {
        buf.clear();
        Batch {
            cmd,
            key,
            left: items,
            in_cmd: 0,
            args_per_item,
            buf,
        }
    }

    fn push<W: io::Write>(&mut self, w: &mut AnnotatedWriter<W>, item: &[&[u8]]) -> io::Result<()> {
        if self.in_cmd == 0 {
            let n = self.left.min(ITEMS_PER_CMD);
            encode_header(self.buf, n * self.args_per_item + 2);
            encode_arg(self.buf, self.cmd);
            encode_arg(self.buf, self.key);
            self.in_cmd = n;
        }
        for a in item {
            encode_arg(self.buf, a);
        }
        self.in_cmd -= 1;
        self.left -= 1;
        if self.in_cmd == 0 {
            w.records(self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// Writes the base file for `dbs` at `path` (fsynced). Keys already expired at `now` are
/// left out. Returns the file's size.
///
/// `incremental_fsync` (`aof-rewrite-incremental-fsync`): fsync every 4 MB as Redis does
/// (`REDIS_AUTOSYNC_BYTES`), so the kernel never holds a large dirty backlog whose flush
/// would stall the foreground's own AOF writes.
pub fn write_base(
    path: &Path,
    libraries: &[Bytes],
    dbs: &[DbSnapshot],
    now: i64,
    incremental_fsync: bool,
) -> io::Result<u64> {
    let file = AutoSync {
        file: std::fs::File::create(path)?,
        every: if incremental_fsync { 4 << 20 } else { 0 },
        unsynced: 0,
    };
    // A checksum annotation after every 64 KiB of records (see persistence::checksum).
    let mut w = AnnotatedWriter::new(io::BufWriter::with_capacity(1 << 20, file), 64 << 10);
    let mut buf = Vec::with_capacity(1 << 16);
    let emit = |w: &mut AnnotatedWriter<io::BufWriter<AutoSync>>,
                argv: &[&[u8]],
                buf: &mut Vec<u8>|
     -> io::Result<()> {
        // Slices, not clones: cloning a key or value would give its allocation a shared
        // header for good (see `db::detached`).
        buf.clear();
        encode_header(buf, argv.len());
        for a in argv {
            encode_arg(buf, a);
        }
        w.records(buf)
    };
    for code in libraries {
        emit(&mut w, &[b"FUNCTION", b"LOAD", code], &mut buf)?;
    }
    for (n, db) in dbs.iter().enumerate() {
        let mut keys = db.keys.iter().peekable();
        if keys.peek().is_none() {
            continue;
        }
        // The snapshot has no index: the expire times are looked up through one built here,
        // off the event loop.
        let expires: hashbrown::HashMap<&[u8], i64> =
            db.expires.iter().map(|(k, &t)| (&k[..], t)).collect();
        emit(&mut w, &[b"SELECT", n.to_string().as_bytes()], &mut buf)?;
        for (key, value) in keys {
            let expire = expires.get(&key[..]).copied();
            if matches!(expire, Some(t) if t <= now) {
                continue;
            }
            match value {
                Value::Str(s) => emit(&mut w, &[b"SET", key, s.data()], &mut buf)?,
                Value::List(l) => {
                    // Encoded straight from the packed nodes.
                    let mut b = Batch::new(b"RPUSH", key, l.len(), 1, &mut buf);
                    let mut res = Ok(());
                    l.for_each_from(0, |item| {
                        res = b.push(&mut w, &[item]);
                        res.is_ok()
                    });
                    res?;
                }
                Value::Hash(h) => {
                    let mut b = Batch::new(b"HSET", key, h.len(), 2, &mut buf);
                    for (f, v) in h.iter() {
                        b.push(&mut w, &[f, v])?;
                    }
                    // Field TTLs, as Redis rewrites them: HPEXPIREAT per expire time. A
                    // field already due is written too; loading deletes it at once.
                    let mut ttls = h.field_ttls();
                    ttls.sort_by_key(|&(_, t)| t);
                    for group in ttls.chunk_by(|a, b| a.1 == b.1) {
                        let when = group[0].1.to_string();
                        let n = group.len().to_string();
                        let mut argv: Vec<&[u8]> =
                            vec![b"HPEXPIREAT", key, when.as_bytes(), b"FIELDS", n.as_bytes()];
                        argv.extend(group.iter().map(|(f, _)| *f));
                        emit(&mut w, &argv, &mut buf)?;
                    }
                }
                Value::Zset(z) => {
                    let mut b = Batch::new(b"ZADD", key, z.len(), 2, &mut buf);
                    let mut res = Ok(());
                    z.walk(0, false, |m, s| {
                        res = b.push(&mut w, &[resp::writer::format_double(s).as_bytes(), m]);
                        res.is_ok()
                    });
                    res?;
                }
                Value::Set(set) => {
                    let mut b = Batch::new(b"SADD", key, set.len(), 1, &mut buf);
                    for m in set.iter() {
                        b.push(&mut w, &[m.bytes(&mut [0; 21])])?;
                    }
                }
                Value::Stream(s) => {
                    if s.length == 0 {
                        // Redis's trick for an empty stream: add 0-1 and trim it away at once;
                        // the XSETID below restores the real last ID and counters.
                        emit(
                            &mut w,
                            &[b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"],
                            &mut buf,
                        )?;
                    }
                    // Straight from the packed nodes: no per-entry allocation.
                    s.for_each_entry(|eid, fields| {
                        buf.clear();
                        encode_header(&mut buf, 3 + fields.len() * 2);
                        encode_arg(&mut buf, b"XADD");
                        encode_arg(&mut buf, key);
                        encode_arg(&mut buf, eid.text().as_bytes());
                        for (f, v) in fields {
                            encode_arg(&mut buf, f);
                            encode_arg(&mut buf, v);
                        }
                        w.records(&buf)
                    })?;
                    emit(
                        &mut w,
                        &[
                            b"XSETID",
                            key,
                            &id(s.last_id),
                            b"ENTRIESADDED",
                            s.entries_added.to_string().as_bytes(),
                            b"MAXDELETEDID",
                            &id(s.max_deleted_id),
                        ],
                        &mut buf,
                    )?;
                    // Idempotency memory (Redis 8.6): settings first (setting them forgets
                    // iids), then each remembered iid, oldest first.
                    if let Some(m) = &s.idmp {
                        let mut cfg: Vec<Vec<u8>> = vec![b"XCFGSET".to_vec(), key.to_vec()];
                        if let Some(d) = m.duration {
                            cfg.extend([b"IDMP-DURATION".to_vec(), d.to_string().into_bytes()]);
                        }
                        if let Some(n) = m.maxsize {
                            cfg.extend([b"IDMP-MAXSIZE".to_vec(), n.to_string().into_bytes()]);
                        }
                        if cfg.len() > 2 {
                            let args: Vec<&[u8]> = cfg.iter().map(|a| &a[..]).collect();
                            emit(&mut w, &args, &mut buf)?;
                        }
                        for (pid, iid, eid) in m.records() {
                            emit(&mut w, &[b"XIDMPRECORD", key, pid, iid, &id(eid)], &mut buf)?;
                        }
                    }
                    for (gname, g) in s.groups() {
                        emit(
                            &mut w,
                            &[
                                b"XGROUP",
                                b"CREATE",
                                key,
                                gname,
                                &id(g.last_id),
                                b"ENTRIESREAD",
                                g.entries_read.to_string().as_bytes(),
                            ],
                            &mut buf,
                        )?;
                        for (cname, c) in g.consumers() {
                            if c.pending().is_empty() {
                                emit(
                                    &mut w,
                                    &[b"XGROUP", b"CREATECONSUMER", key, gname, cname],
                                    &mut buf,
                                )?;
                            }
                        }
                        for (pid, pe) in g.pel() {
                            let Some(owner) = &pe.consumer else {
                                continue; // nacked: below, in zone order
                            };
                            emit(
                                &mut w,
                                &[
                                    b"XCLAIM",
                                    key,
                                    gname,
                                    owner,
                                    b"0",
                                    &id(pid),
                                    b"TIME",
                                    pe.delivery_time().to_string().as_bytes(),
                                    b"RETRYCOUNT",
                                    pe.delivery_count.to_string().as_bytes(),
                                    b"JUSTID",
                                    b"FORCE",
                                ],
                                &mut buf,
                            )?;
                        }
                        // Nacked entries (Redis 8.8), in the zone's order: each XNACK FORCE
                        // appends to the zone, so a run of equal counts is one command.
                        let zone: Vec<_> = g.nack_zone().collect();
                        for run in zone.chunk_by(|a, b| a.1.delivery_count == b.1.delivery_count) {
                            for batch in run.chunks(ITEMS_PER_CMD) {
                                let n = batch.len().to_string();
                                let count = batch[0].1.delivery_count.to_string();
                                let ids: Vec<_> = batch.iter().map(|(i, _)| id(*i)).collect();
                                let mut args: Vec<&[u8]> =
                                    vec![b"XNACK", key, gname, b"FAIL", b"IDS", n.as_bytes()];
                                args.extend(ids.iter().map(|i| i.as_ref()));
                                args.extend([b"RETRYCOUNT", count.as_bytes(), b"FORCE"]);
                                emit(&mut w, &args, &mut buf)?;
                            }
                        }
                    }
                    // sluice's policies and delayed entries, as hidden records (Redis's
                    // loader skips them; see persistence::hidden).
                    let k = Bytes::copy_from_slice(key);
                    for argv in crate::cmd::policy_snapshot_commands(&k, s) {
                        buf.clear();
                        persistence::hidden::encode(&mut buf, &argv);
                        w.records(&buf)?;
                    }
                }
            }
            if let Some(t) = expire {
                emit(
                    &mut w,
                    &[b"PEXPIREAT", key, t.to_string().as_bytes()],
                    &mut buf,
                )?;
            }
        }
    }
    let file = w.finish()?.into_inner().map_err(|e| e.into_error())?.file;
    file.sync_all()?;
    file.metadata().map(|m| m.len())
}

/// A file that fsyncs itself after every `every` bytes written (0: never).
struct AutoSync {
    file: std::fs::File,
    every: u64,
    unsynced: u64,
}

impl io::Write for AutoSync {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.file.write(b)?;
        self.unsynced += n as u64;
        if self.every > 0 && self.unsynced >= self.every {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
