//! What stream commands propagate instead of their argv: deliveries and claims as forced
//! XCLAIMs with the exact time and count, group positions as XGROUP SETID with ENTRIESREAD,
//! implicitly created consumers as XGROUP CREATECONSUMER, dropped pending entries as XACK.
//! Replaying them needs no clock and reaches the same state.

use super::id_bytes;
use crate::cmd::Ctx;
use crate::config::NOTIFY_STREAM;
use crate::types::stream::{ConsumerGroup, PendingEntry, StreamId};
use bytes::Bytes;

/// Effects a stream command records for the AOF. Building them costs allocations, so they are
/// built only when something will be logged; `changed` tells whether anything happened.
pub(super) struct Effects {
    on: bool,
    pub changed: bool,
    list: Vec<Vec<Bytes>>,
    /// Keys whose group got a consumer created implicitly (each one an
    /// `xgroup-createconsumer` keyspace event, as Redis sends).
    consumers_created: Vec<Bytes>,
}

impl Effects {
    pub fn new(ctx: &Ctx) -> Effects {
        Effects {
            on: ctx.store.aof.enabled && !ctx.store.replaying,
            changed: false,
            list: Vec::new(),
            consumers_created: Vec::new(),
        }
    }

    /// Records an effect (built only if it will be logged).
    pub fn add(&mut self, f: impl FnOnce() -> Vec<Bytes>) {
        self.changed = true;
        if self.on {
            self.list.push(f());
        }
    }

    /// A consumer made by a read or claim under its name (Redis 7.2+): an
    /// `xgroup-createconsumer` event and an `XGROUP CREATECONSUMER` effect.
    pub fn consumer_created(&mut self, key: &Bytes, group: &Bytes, consumer: &Bytes) {
        self.consumers_created.push(key.clone());
        self.add(|| {
            vec![
                Bytes::from_static(b"XGROUP"),
                Bytes::from_static(b"CREATECONSUMER"),
                key.clone(),
                group.clone(),
                consumer.clone(),
            ]
        });
    }

    /// Sends the keyspace events of implicitly created consumers and hands the effects to
    /// the command's propagation.
    pub fn finish(mut self, ctx: &mut Ctx) {
        let db = ctx.db();
        for key in self.consumers_created.drain(..) {
            let event = Some((NOTIFY_STREAM, "xgroup-createconsumer"));
            ctx.store.meta_written(db, &key, event, 0);
        }
        for e in self.list {
            ctx.also_propagate(e);
        }
    }
}

/// A delivery or claim of `id` to `consumer`, as `streamPropagateXCLAIM` writes it.
pub(super) fn xclaim(
    key: &Bytes,
    g: &Bytes,
    consumer: &Bytes,
    id: StreamId,
    pe: &PendingEntry,
    last: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        key.clone(),
        g.clone(),
        consumer.clone(),
        Bytes::from_static(b"0"),
        id_bytes(id),
        Bytes::from_static(b"TIME"),
        Bytes::from(pe.delivery_time().to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(pe.delivery_count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        id_bytes(last),
    ]
}

/// The group's position and read counter (`streamPropagateGroupID`).
pub(super) fn setid(key: &Bytes, g: &Bytes, grp: &ConsumerGroup) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        g.clone(),
        id_bytes(grp.last_id),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(grp.entries_read.to_string()),
    ]
}

/// A pending entry dropped because its stream entry is gone.
pub(super) fn xack(key: &Bytes, g: &Bytes, id: StreamId) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XACK"),
        key.clone(),
        g.clone(),
        id_bytes(id),
    ]
}
