//! Per-connection state the command layer reads and writes: selected database, protocol,
//! authentication, MULTI queue, WATCHed keys, reply mode.
//!
//! The connection task owns its `Client`; other connections see it only through the
//! registry entry ([`ClientInfo`], in `Store::clients`), refreshed after each batch, and its
//! [`ClientShared`] part, which they reach without the store lock.

use crate::mailbox::Mailbox;
use crate::stats::Stats;
use bytes::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

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
    /// The ACL user (`acl.rs`); None for the server's own clients (AOF replay, a served
    /// blocked command's re-run), which may run anything, as in Redis.
    pub user: Option<Arc<crate::acl::User>>,
    /// `Acl::version` when `user` was last looked up.
    pub acl_version: u64,
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
    /// Full name of the last command run (CLIENT LIST `cmd=`).
    pub last_cmd: &'static str,
    /// A served blocked command being run again (MONITOR showed it when it blocked).
    pub reexec: bool,
}

impl Client {
    /// The user's name as CLIENT LIST and the ACL log show it.
    pub fn user_name(&self) -> Bytes {
        self.user
            .as_ref()
            .map_or_else(|| Bytes::from_static(b"default"), |u| u.name.clone())
    }

    /// Follows a change to the ACL users: the same user's new rules, or, if it was deleted
    /// (its connection is being closed), the default user, unauthenticated.
    pub fn refresh_user(&mut self, acl: &crate::acl::Acl) {
        self.acl_version = acl.version;
        if let Some(u) = &self.user {
            match acl.user(&u.name) {
                Some(now) => self.user = Some(now.clone()),
                None => {
                    self.user = Some(acl.default_user().clone());
                    self.authenticated = false;
                }
            }
        }
    }

    pub fn new(shared: Arc<ClientShared>, authenticated: bool) -> Client {
        Client {
            id: shared.id,
            db: 0,
            resp: 2,
            authenticated,
            user: None,
            acl_version: 0,
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

/// The part of a client other tasks can reach without the store lock.
#[derive(Debug)]
pub struct ClientShared {
    pub id: u64,
    /// Bytes queued in the mailbox and not yet written to the socket.
    pub pending_bytes: AtomicU64,
    /// Bytes the connection holds because the socket would not take them yet (replies and
    /// pushes the client has not read). Stored whenever that queue changes, so it reads zero
    /// while nothing waits; the common write that goes out whole does not touch it.
    pub unsent_bytes: AtomicU64,
    /// Served replies, pub/sub pushes and the kill switch.
    pub mailbox: Mailbox,
    /// The protocol pushes must use (2 or 3); set by HELLO and RESET as they run.
    pub resp: std::sync::atomic::AtomicU8,
    /// The query buffer after the latest read was parsed: bytes of commands not yet complete,
    /// and what the buffer holds in all (CLIENT LIST qbuf, qbuf-free, tot-mem). Stored by
    /// the connection as it reads, outside the store lock.
    pub query_len: AtomicU64,
    pub query_cap: AtomicU64,
    /// The socket's descriptor while the connection waits for input with nothing buffered,
    /// unsent or pending; -1 otherwise. Only then may the busy responder read it.
    pub idle: std::sync::atomic::AtomicI32,
    /// Input the busy responder read but did not answer (an incomplete command): the
    /// connection takes it over when it resumes (woken by `Mailbox::nudge`).
    pub stash: std::sync::Mutex<bytes::BytesMut>,
}

impl ClientShared {
    pub fn new(id: u64) -> ClientShared {
        ClientShared {
            id,
            pending_bytes: AtomicU64::new(0),
            unsent_bytes: AtomicU64::new(0),
            mailbox: Mailbox::default(),
            resp: std::sync::atomic::AtomicU8::new(2),
            query_len: AtomicU64::new(0),
            query_cap: AtomicU64::new(0),
            idle: std::sync::atomic::AtomicI32::new(-1),
            stash: std::sync::Mutex::new(bytes::BytesMut::new()),
        }
    }

    /// The socket's descriptor if the connection is idle (see `idle`).
    pub fn idle_fd(&self) -> Option<std::os::fd::RawFd> {
        let fd = self.idle.load(Ordering::SeqCst);
        (fd >= 0).then_some(fd)
    }

    /// Closes the client (CLIENT KILL, output buffer limit, SHUTDOWN).
    pub fn kill(&self) {
        self.mailbox.kill();
    }

    pub fn is_killed(&self) -> bool {
        self.mailbox.is_killed()
    }

    /// Output waiting for this client: pushes in the mailbox and bytes the socket has not
    /// taken (CLIENT LIST's omem, and what client-output-buffer-limit is checked against).
    pub fn output_bytes(&self) -> u64 {
        self.pending_bytes.load(Ordering::Relaxed) + self.unsent_bytes.load(Ordering::Relaxed)
    }
}

/// The part of a client's output Redis keeps in its fixed reply buffer (PROTO_REPLY_CHUNK_BYTES),
/// which client-output-buffer-limit does not count: only what overflows into the reply list.
const STATIC_REPLY_BYTES: u64 = 16 * 1024;

/// Applies one class of client-output-buffer-limit to client `c` holding `used` bytes of
/// output: over the hard limit, or over the soft one for `soft_secs`, closes it (as Redis
/// does, without sending the rest) and returns true.
pub fn enforce_output_limit(
    c: &mut ClientInfo,
    stats: &mut Stats,
    limit: crate::config::OutputLimit,
    used: u64,
) -> bool {
    let used = used.saturating_sub(STATIC_REPLY_BYTES);
    let over_hard = limit.hard > 0 && used > limit.hard;
    let over_soft = limit.soft > 0 && used > limit.soft;
    let mut kill = over_hard;
    if over_soft {
        let since = *c.soft_limit_since.get_or_insert_with(Instant::now);
        if since.elapsed().as_secs() >= limit.soft_secs {
            kill = true;
        }
    } else {
        c.soft_limit_since = None;
    }
    if kill {
        tracing::warn!(
            client = c.shared.id,
            used,
            "client scheduled to be closed ASAP for overcoming of output buffer limits"
        );
        stats.client_output_buffer_limit_disconnections += 1;
        c.shared.kill();
    }
    kill
}

/// What CLIENT LIST shows about a connection; refreshed after each command.
#[derive(Debug)]
pub struct ClientInfo {
    pub shared: Arc<ClientShared>,
    pub addr: String,
    pub laddr: String,
    pub created: Instant,
    pub last_interaction: Instant,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_ver: Option<Bytes>,
    /// The ACL user's name (CLIENT LIST `user=`, CLIENT KILL USER).
    pub user: Bytes,
    pub db: usize,
    pub last_cmd: &'static str,
    pub resp: u8,
    pub sub: usize,
    pub psub: usize,
    pub ssub: usize,
    pub multi: i64,
    pub flags: String,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Output buffer limit soft-limit tracking: when the soft limit was first exceeded.
    pub soft_limit_since: Option<Instant>,
    /// Memory the connection holds, refreshed after each batch ([`ClientMem`]).
    pub mem: ClientMem,
}

impl ClientInfo {
    /// A just-connected client's entry: `held` is the connection's own fixed size.
    pub fn new(shared: Arc<ClientShared>, addr: String, laddr: String, held: u64) -> ClientInfo {
        ClientInfo {
            shared,
            addr,
            laddr,
            created: Instant::now(),
            last_interaction: Instant::now(),
            name: None,
            lib_name: None,
            lib_ver: None,
            user: Bytes::from_static(b"default"),
            db: 0,
            last_cmd: "NULL",
            resp: 2,
            sub: 0,
            psub: 0,
            ssub: 0,
            multi: -1,
            flags: "N".into(),
            no_evict: false,
            no_touch: false,
            soft_limit_since: None,
            mem: ClientMem {
                held,
                ..Default::default()
            },
        }
    }
}

/// Memory of one command's arguments as a connection holds them: CLIENT LIST argv-mem and
/// multi-mem.
pub fn argv_mem(argv: &[Bytes]) -> u64 {
    argv.iter()
        .map(|a| (a.len() + std::mem::size_of::<Bytes>()) as u64)
        .sum::<u64>()
        + std::mem::size_of::<Vec<Bytes>>() as u64
}

/// Memory of the commands a client queued in MULTI: CLIENT LIST multi-mem.
pub fn multi_mem(queued: &Vec<Vec<Bytes>>) -> u64 {
    queued.iter().map(|a| argv_mem(a)).sum::<u64>()
        + (queued.capacity() * std::mem::size_of::<Vec<Bytes>>()) as u64
}

impl ClientMem {
    /// CLIENT LIST `tot-mem`: every buffer the connection holds, with the query buffer's
    /// capacity and the output waiting in its mailbox.
    pub fn total(&self, sh: &ClientShared) -> u64 {
        use std::sync::atomic::Ordering::Relaxed;
        sh.query_cap.load(Relaxed)
            + self.argv
            + self.multi
            + self.reply_buf
            + self.held
            + sh.pending_bytes.load(Relaxed)
    }
}

/// `maxmemory-clients` (Redis's client eviction): while the connections together hold more
/// than the limit, the ones holding the most are closed, never those with CLIENT NO-EVICT
/// on. Run by the cron every 100 ms: the sum is over every connection (a few µs per
/// thousand), and a client's buffers grow between its own batches (a subscriber's output).
pub fn evict_clients(clients: &hashbrown::HashMap<u64, ClientInfo>, stats: &mut Stats, limit: u64) {
    if limit == 0 {
        return;
    }
    let mut total = 0;
    let mut candidates = Vec::new();
    for (id, c) in clients {
        let m = c.mem.total(&c.shared);
        total += m;
        if !c.no_evict && !c.shared.mailbox.is_killed() {
            candidates.push((m, *id));
        }
    }
    if total <= limit {
        return;
    }
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    for (m, id) in candidates {
        if total <= limit {
            break;
        }
        tracing::warn!(
            client = id,
            mem = m,
            "evicting client: maxmemory-clients reached"
        );
        clients[&id].shared.kill();
        stats.evicted_clients += 1;
        total -= m;
    }
}

/// CLIENT LIST's memory fields of one connection, in sluice's own terms (one reply buffer
/// per batch where Redis has a 16 KB buffer plus a reply list).
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientMem {
    /// argv-mem: arguments of commands parsed and waiting (behind a blocked command).
    pub argv: u64,
    /// multi-mem: commands queued by MULTI, their arguments and argument handles.
    pub multi: u64,
    /// rbs / rbp: the batch reply buffer's size, and the largest batch reply it held in the
    /// last 5 seconds (since `peak_since`).
    pub reply_buf: u64,
    pub reply_peak: u64,
    pub peak_since: Option<Instant>,
    /// The buffer of output the socket has not taken (its capacity), and the connection's
    /// own fixed size: the rest of tot-mem.
    pub held: u64,
}
