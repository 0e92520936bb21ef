//! Per-connection state the command layer reads and writes: selected database, protocol,
//! authentication, MULTI queue, WATCHed keys, reply mode.
//!
//! The connection task owns its `Client`; other connections see it only through the
//! registry entry (`store::ClientInfo`), which is refreshed after each command.

use crate::store::ClientShared;
use bytes::Bytes;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command (set by CLIENT REPLY SKIP, armed after it).
    SkipNext,
    Skip,
}

#[derive(Debug)]
pub struct Client {
    pub id: u64,
    pub db: usize,
    /// 2 or 3.
    pub resp: u8,
    pub authenticated: bool,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_ver: Option<Bytes>,
    /// Queued commands while in MULTI.
    pub multi: Option<Vec<Vec<Bytes>>>,
    /// A command failed to queue: EXEC answers EXECABORT.
    pub multi_error: bool,
    /// (db, key, was already expired when watched).
    pub watched: Vec<(usize, Bytes, bool)>,
    pub reply_mode: ReplyMode,
    /// Close once the pending replies are written (QUIT, protocol error).
    pub close_after_reply: bool,
    pub shared: Arc<ClientShared>,
    /// Channels + patterns + shard channels subscribed (RESP2 subscribed-context check).
    pub subscribed_count: usize,
    pub no_evict: bool,
    pub no_touch: bool,
    /// This is a blocked client's command being re-run to serve it (see `blocking.rs`).
    pub reexec: bool,
    /// Full name of the last command run (CLIENT LIST `cmd=`).
    pub last_cmd: &'static str,
}

impl Client {
    pub fn new(shared: Arc<ClientShared>, authenticated: bool) -> Client {
        Client {
            id: shared.id,
            db: 0,
            resp: 2,
            authenticated,
            name: None,
            lib_name: None,
            lib_ver: None,
            multi: None,
            multi_error: false,
            watched: Vec::new(),
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            shared,
            subscribed_count: 0,
            no_evict: false,
            no_touch: false,
            reexec: false,
            last_cmd: "NULL",
        }
    }

    /// A stand-in for a blocked client while its command is re-run by another connection
    /// (sharing that client's id, mailbox and kill switch).
    pub fn for_reexec(
        shared: Arc<ClientShared>,
        db: usize,
        resp: u8,
        name: Option<Bytes>,
    ) -> Client {
        let mut c = Client::new(shared, true);
        c.db = db;
        c.resp = resp;
        c.name = name;
        c.reexec = true;
        c
    }
}
