//! One client connection: read → parse every complete command → run them under the store
//! lock → write all replies once.
//!
//! Writing never waits: what the socket does not take now stays queued (`wbuf`) and goes out
//! as the socket drains, while the connection keeps reading and running commands, as Redis
//! keeps serving a client that sends a long pipeline before reading any reply (redis-py's
//! pipelines do). The queue is bounded only by client-output-buffer-limit (none for normal
//! clients by default, as in Redis).
//!
//! The socket and the read buffer live here; the connection knows nothing about what commands
//! mean. While the client is blocked (BLPOP, XREAD BLOCK) it keeps reading into its buffer but
//! runs nothing until the blocked command is answered through its mailbox, times out, or the
//! client disconnects. Pub/Sub messages arrive through the same mailbox and are written as
//! they come; their bytes count against the output buffer limit until written.

use crate::blocking::BlockRequest;
use crate::client::{argv_mem, multi_mem, ClientInfo, ClientShared};
use crate::client::{Client, ReplyMode};
use crate::cmd::{self, Outcome};
use crate::mailbox::Mail;
use crate::server::Shared;
use crate::stats::NetCounters;
use crate::store::Store;
use crate::tls::Socket;
use bytes::{Bytes, BytesMut};
use resp::{ParseLimits, ReplyWriter, RequestParser};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tracing::Instrument;

const READ_CHUNK: usize = 16 * 1024;

/// A connection that arrives while a script runs waits for it without the store; while the
/// script is busy, it is answered as the running connections are ([`answer_busy`]), so that
/// a fresh `redis-cli SCRIPT KILL` gets through. Returns the bytes read but not yet parsed,
/// or None when the client went away.
async fn serve_during_script(shared: &Shared, sock: &TcpStream) -> Option<BytesMut> {
    let st = &shared.script_status;
    let mut rbuf = BytesMut::new();
    let mut out = ReplyWriter::new(resp::Protocol::Resp2);
    loop {
        let done = st.done.notified();
        if st.running.load(Ordering::SeqCst) == 0 {
            return Some(rbuf);
        }
        if !st.busy.load(Ordering::SeqCst) {
            let _ = tokio::time::timeout(Duration::from_millis(10), done).await;
            continue;
        }
        if tokio::time::timeout(Duration::from_millis(10), sock.readable())
            .await
            .is_err()
        {
            continue;
        }
        // Straight into the buffer: a 4 KB array here sat in every connection's task (the
        // task is as large as its largest await), 4.4 of its 5.4 KB.
        rbuf.reserve(4096);
        match sock.try_read_buf(&mut rbuf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
        if st.running.load(Ordering::SeqCst) == 0 || !st.busy.load(Ordering::SeqCst) {
            // The script ended meanwhile: what was read is served normally.
            continue;
        }
        answer_busy_commands(st, &mut rbuf, &mut out);
        let reply = out.take();
        let mut done_bytes = 0;
        while done_bytes < reply.len() {
            match sock.try_write(&reply[done_bytes..]) {
                Ok(n) => done_bytes += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let _ = sock.writable().await;
                }
                Err(_) => return None,
            }
        }
    }
}

/// Serves one connection. `early`: what it sent before (a connection the busy responder
/// accepted during a script); otherwise a script running now is waited out first.
pub async fn run(shared: Arc<Shared>, sock: Socket, addr: SocketAddr, early: Option<BytesMut>) {
    let early = match early {
        Some(e) => e,
        // A TLS connection cannot be answered by the busy responder (`tls.rs`): it waits.
        None if sock.is_tls() => BytesMut::new(),
        None => match serve_during_script(&shared, &sock.tcp).await {
            Some(e) => e,
            None => return,
        },
    };
    let laddr = sock
        .tcp
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let (client, limits, qbuf_limit, idle_timeout, net) = {
        let mut store = crate::server::lock_store_wait(&shared).await;
        let id = store.next_client_id;
        store.next_client_id += 1;
        store.stats.total_connections_received += 1;
        let cs = Arc::new(ClientShared::new(id));
        store.clients.insert(
            id,
            ClientInfo::new(
                cs.clone(),
                addr.to_string(),
                laddr,
                std::mem::size_of::<Conn>() as u64,
            ),
        );
        let authed = !store.acl.auth_required();
        let mut client = Client::new(cs, authed);
        client.user = Some(store.acl.default_user().clone());
        client.acl_version = store.acl.version;
        (
            client,
            ParseLimits {
                proto_max_bulk_len: store.config.proto_max_bulk_len,
            },
            store.config.client_query_buffer_limit,
            store.config.timeout_secs,
            store.net.clone(),
        )
    };
    let id = client.id;
    shared
        .live
        .lock()
        .unwrap()
        .insert(id, client.shared.clone());
    let span = tracing::debug_span!("conn", id, %addr);
    let mut conn = Conn {
        shared: shared.clone(),
        sock,
        // No buffer until there is input to read (`bufpool.rs`).
        rbuf: early,
        parser: RequestParser::new(limits),
        client,
        out: ReplyWriter::new(resp::Protocol::Resp2),
        wbuf: Vec::new(),
        wpos: 0,
        pending: VecDeque::new(),
        qbuf_limit,
        idle_timeout,
        net,
    };
    let res = conn.serve().instrument(span).await;
    if let Err(e) = res {
        tracing::debug!(client = id, "connection closed: {e}");
    }
    conn.sock.close();
    shared.live.lock().unwrap().remove(&id);
    let mut store = crate::server::lock_store_wait(&shared).await;
    conn.cleanup(&mut store);
}

struct Conn {
    shared: Arc<Shared>,
    sock: Socket,
    rbuf: BytesMut,
    parser: RequestParser,
    client: Client,
    out: ReplyWriter,
    /// Output the socket has not taken yet: `wbuf[wpos..]`, in order, ahead of anything newer.
    wbuf: Vec<u8>,
    wpos: usize,
    /// Parsed commands not yet run (behind a blocked command).
    pending: VecDeque<Vec<Bytes>>,
    qbuf_limit: u64,
    idle_timeout: u64,
    /// The server's byte counters (INFO total_net_input_bytes / total_net_output_bytes).
    net: Arc<NetCounters>,
}

enum Step {
    Continue,
    Close,
}

enum Event {
    Read(std::io::Result<usize>),
    Mail(Mail),
    /// The socket takes more of the queued output.
    Writable,
    Killed,
    Timeout,
}

/// CLIENT LIST rbp: the largest batch reply over this long (as Redis's reply buffer peak).
const REPLY_PEAK_WINDOW: Duration = Duration::from_secs(5);

/// The batch reply buffer kept between batches at most; one that grew past it is freed.
const OUT_KEEP_BYTES: usize = 64 * 1024;

/// Writes as much of `buf` as the socket takes without waiting; the bytes written (counted in
/// INFO `total_net_output_bytes`).
fn write_now(sock: &mut Socket, buf: &[u8], net: &NetCounters) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match sock.try_write(&buf[done..]) {
            Ok(n) => {
                done += n;
                net.output.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// A command that runs a script (EVAL, EVALSHA, FCALL and their _RO forms).
fn is_script(argv: &[Bytes]) -> bool {
    argv.first().is_some_and(|n| {
        [
            "eval",
            "evalsha",
            "eval_ro",
            "evalsha_ro",
            "fcall",
            "fcall_ro",
        ]
        .iter()
        .any(|s| n.eq_ignore_ascii_case(s.as_bytes()))
    })
}

/// CLIENT REPLY OFF / SKIP: drops the replies written since `before`.
pub(crate) fn apply_reply_mode(client: &mut Client, out: &mut ReplyWriter, before: usize) {
    match client.reply_mode {
        ReplyMode::On => {}
        ReplyMode::Off => out.discard_replies_since(before),
        ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
        ReplyMode::Skip => {
            out.discard_replies_since(before);
            client.reply_mode = ReplyMode::On;
        }
    }
}

/// Answers every complete command in `buf` as during a busy script ([`answer_busy`]),
/// leaving an incomplete one there whole for the connection's own parser. (The parser keeps a
/// partial command's progress to itself: it parses a copy, and only the complete commands are
/// taken from `buf`.)
pub fn answer_busy_commands(
    st: &crate::scripting::ScriptStatus,
    buf: &mut BytesMut,
    out: &mut ReplyWriter,
) {
    let mut parser = RequestParser::new(ParseLimits::default());
    let mut copy = buf.clone();
    let mut consumed = 0;
    while let Ok(Some(argv)) = parser.parse(&mut copy) {
        consumed = buf.len() - copy.len();
        answer_busy(st, &argv, out);
    }
    let _ = buf.split_to(consumed);
}

/// The answer to a command that arrives while a script is busy (Redis's
/// `processCommand` during a busy script): SCRIPT KILL stops a busy EVAL and FUNCTION KILL a
/// busy function, unless it has written; FUNCTION STATS reports the running function;
/// SHUTDOWN NOSAVE stops the server; everything else gets -BUSY naming the right KILL.
pub fn answer_busy(st: &crate::scripting::ScriptStatus, argv: &[Bytes], out: &mut ReplyWriter) {
    const BUSY_EVAL: &str =
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    const BUSY_FUNCTION: &str =
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    let is = |i: usize, w: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(w.as_bytes()))
    };
    let function = st.function.load(Ordering::SeqCst);
    let busy = if function { BUSY_FUNCTION } else { BUSY_EVAL };
    let kill = (is(0, "script") || is(0, "function")) && is(1, "kill") && argv.len() == 2;
    if kill {
        if st.wrote.load(Ordering::SeqCst) {
            out.error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
        } else if is(0, "script") == function {
            // SCRIPT KILL of a function, FUNCTION KILL of an EVAL: refused as Redis does.
            out.error(busy);
        } else {
            st.kill.store(true, Ordering::SeqCst);
            out.ok();
        }
    } else if is(0, "function") && is(1, "stats") && argv.len() == 2 {
        if !function {
            out.error(BUSY_EVAL);
            return;
        }
        let current = st.current.lock().unwrap();
        let running = current
            .as_ref()
            .map(|(name, argv, at)| (name.as_str(), &argv[..], at.elapsed().as_millis() as i64));
        cmd::functions::write_stats(
            out,
            running,
            st.libraries.load(Ordering::Relaxed) as i64,
            st.functions.load(Ordering::Relaxed) as i64,
        );
    } else if is(0, "shutdown") && is(1, "nosave") {
        tracing::warn!("SHUTDOWN NOSAVE during a busy script: exiting");
        std::process::exit(0);
    } else {
        out.error(busy);
    }
}

/// Room for one read of [`READ_CHUNK`] bytes: a pooled buffer if the connection holds none.
fn room_to_read(rbuf: &mut BytesMut) {
    if rbuf.capacity() == 0 {
        *rbuf = crate::bufpool::take_read(READ_CHUNK);
    } else if rbuf.capacity() - rbuf.len() < READ_CHUNK {
        rbuf.reserve(READ_CHUNK);
    }
}

/// One read from a socket said to be readable, into a buffer taken for it; None when the
/// readiness was stale (a new socket starts as readable), the buffer given back then.
fn read_ready(sock: &mut Socket, rbuf: &mut BytesMut) -> Option<std::io::Result<usize>> {
    room_to_read(rbuf);
    match sock.try_read_buf(rbuf) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            release_if_empty(rbuf);
            None
        }
        r => Some(r),
    }
}

/// Gives an empty read buffer back to the pool (a connection waits holding none).
fn release_if_empty(rbuf: &mut BytesMut) {
    if rbuf.is_empty() && rbuf.capacity() > 0 {
        crate::bufpool::give_read(std::mem::take(rbuf), READ_CHUNK);
    }
}

impl Conn {
    async fn serve(&mut self) -> std::io::Result<()> {
        loop {
            // 1. Parse every complete command in the buffer.
            let mut protocol_error = None;
            loop {
                self.parser.unauthenticated = !self.client.authenticated;
                match self.parser.parse(&mut self.rbuf) {
                    Ok(Some(argv)) => self.pending.push_back(argv),
                    Ok(None) => break,
                    Err(e) => {
                        protocol_error = Some(e);
                        break;
                    }
                }
            }
            let q = &self.client.shared;
            q.query_len.store(self.rbuf.len() as u64, Ordering::Relaxed);
            q.query_cap
                .store(self.rbuf.capacity() as u64, Ordering::Relaxed);
            // 2. Run them, serving blocked clients after each, then log effects.
            let mut blocked = None;
            if !self.pending.is_empty() {
                if self.out.buf.capacity() == 0 {
                    self.out.buf = crate::bufpool::take_write(4096);
                }
                blocked = self.run_pending().await;
            }
            if let Some(e) = protocol_error {
                // Replies to what came before, then the error, then close (as Redis does).
                self.out.error(&format!("ERR {e}"));
                self.flush_all().await?;
                tracing::debug!("Protocol error ({e}) from client {}", self.client.id);
                return Ok(());
            }
            if self.client.shared.is_killed() {
                // CLIENT KILL, or over its output buffer limit: closed without the rest.
                return Ok(());
            }
            if self.client.close_after_reply {
                self.flush_all().await?;
                return Ok(());
            }
            self.send_out()?;
            if let Some(req) = blocked {
                match self.wait_blocked(req).await? {
                    Step::Continue => continue,
                    Step::Close => return Ok(()),
                }
            }
            // 3. Wait for input or mail.
            match self.wait_input().await? {
                Step::Continue => {}
                Step::Close => return Ok(()),
            }
        }
    }

    /// Answers every pending command as during a busy script ([`answer_busy`]).
    fn answer_pending_busy(&mut self) -> Option<BlockRequest> {
        let st = self.shared.script_status.clone();
        while let Some(argv) = self.pending.pop_front() {
            answer_busy(&st, &argv, &mut self.out);
        }
        None
    }

    /// Runs pending commands until done or one blocks, scripts among them: a script runs on
    /// the event loop as Redis's does, and once past busy-reply-threshold the busy responder
    /// (`busy_io.rs`) answers the other clients. Returns the block request, if any.
    async fn run_pending(&mut self) -> Option<BlockRequest> {
        if self.shared.script_status.busy.load(Ordering::SeqCst) {
            return self.answer_pending_busy();
        }
        self.run_batch().await
    }

    /// CLIENT PAUSE: ALL holds every command; WRITE holds the commands that may write or
    /// replicate (PUBLISH, and EVAL/EVALSHA/FCALL, as Redis does: their _RO forms run), in
    /// order: nothing behind a held command runs first. False if a busy script holds the
    /// store (the caller answers -BUSY).
    async fn wait_for_pause(&mut self) -> bool {
        loop {
            let pause = match crate::server::lock_store(&self.shared).await {
                Ok(s) => s.pause_until,
                Err(_) => return false,
            };
            let Some((until, all)) = pause else {
                return true;
            };
            if until <= Instant::now() {
                return true;
            }
            let held = all
                || self.pending.iter().any(|argv| {
                    cmd::resolve(argv)
                        .map(|(c, _)| {
                            c.flags & cmd::WRITE != 0
                                || matches!(
                                    c.name,
                                    "publish" | "spublish" | "eval" | "evalsha" | "fcall"
                                )
                        })
                        .unwrap_or(false)
                });
            if !held {
                return true;
            }
            tokio::time::sleep_until(until.into()).await;
        }
    }

    /// Runs pending commands under the store lock until done or one blocks; then the batch's
    /// bookkeeping and AOF. Returns the block request, if any.
    async fn run_batch(&mut self) -> Option<BlockRequest> {
        if !self.wait_for_pause().await {
            return self.answer_pending_busy();
        }
        // With several runtime threads, a batch holding a script says so before it takes the
        // store: nobody may then block a thread on the lock the script will hold.
        let marked = !self.shared.single_threaded && self.pending.iter().any(|a| is_script(a));
        let st = self.shared.script_status.clone();
        if marked {
            st.script_batches.fetch_add(1, Ordering::SeqCst);
        }
        let blocked = self.run_batch_locked().await;
        if marked {
            st.script_batches.fetch_sub(1, Ordering::SeqCst);
            st.done.notify_waiters();
        }
        blocked
    }

    /// [`Conn::run_batch`] once CLIENT PAUSE lets it through.
    async fn run_batch_locked(&mut self) -> Option<BlockRequest> {
        let mut blocked = None;
        let sync_off;
        {
            let Ok(mut store) = crate::server::lock_store(&self.shared).await else {
                return self.answer_pending_busy();
            };
            store.refresh_clock();
            loop {
                let Some(argv) = self.pending.pop_front() else {
                    break;
                };
                // Kept for the panic report only (a refcount, not a copy).
                let first = argv.first().cloned().unwrap_or_default();
                let before = self.out.len();
                let client = &mut self.client;
                let out = &mut self.out;
                let script = !self.shared.single_threaded && is_script(&argv);
                let run =
                    std::panic::AssertUnwindSafe(|| cmd::process(&mut store, client, argv, out));
                let outcome = if script {
                    // The other runtime threads serve (and answer -BUSY) meanwhile.
                    tokio::task::block_in_place(|| std::panic::catch_unwind(run))
                } else {
                    std::panic::catch_unwind(run)
                };
                let outcome = match outcome {
                    Ok(o) => o,
                    Err(_) => {
                        // A bug in one command must not take the server down: close this
                        // client only. The store lock is not poisoned (the panic was caught).
                        tracing::error!(
                            client = self.client.id,
                            "panic while executing command '{}'; closing the client",
                            String::from_utf8_lossy(&first)
                        );
                        self.out.truncate(before);
                        self.out
                            .error("ERR internal error while executing the command");
                        self.client.close_after_reply = true;
                        Outcome::Done
                    }
                };
                apply_reply_mode(&mut self.client, &mut self.out, before);
                cmd::serve_blocked(&mut store);
                if let Outcome::Blocked(mut req) = outcome {
                    cmd::block_client(&mut store, &self.client, &mut req);
                    blocked = Some(req);
                }
                if blocked.is_some() || self.client.close_after_reply {
                    break;
                }
            }
            // What CLIENT LIST shows of this client, refreshed once per batch, and its
            // client-output-buffer-limit.
            let last_interaction = store.clock_last;
            let pending_argv = self.pending.iter().map(|a| argv_mem(a)).sum();
            let multi_mem = self.client.multi.as_ref().map_or(0, multi_mem);
            let batch = self.out.len() as u64;
            let Store {
                clients,
                stats,
                config,
                ..
            } = &mut *store;
            if let Some(info) = clients.get_mut(&self.client.id) {
                info.last_cmd = self.client.last_cmd;
                info.last_interaction = last_interaction;
                info.db = self.client.db;
                info.resp = self.client.resp;
                info.name = self.client.name.clone();
                info.lib_name = self.client.lib_name.clone();
                info.lib_ver = self.client.lib_ver.clone();
                info.multi = self
                    .client
                    .multi
                    .as_ref()
                    .map(|m| m.len() as i64)
                    .unwrap_or(-1);
                info.no_evict = self.client.no_evict;
                info.no_touch = self.client.no_touch;
                let m = &mut info.mem;
                m.argv = pending_argv;
                m.multi = multi_mem;
                m.reply_buf = self.out.buf.capacity() as u64;
                match m.peak_since {
                    Some(t) if last_interaction.duration_since(t) < REPLY_PEAK_WINDOW => {
                        m.reply_peak = m.reply_peak.max(batch);
                    }
                    _ => {
                        m.reply_peak = batch;
                        m.peak_since = Some(last_interaction);
                    }
                }
                m.held = (self.wbuf.capacity() + std::mem::size_of::<Conn>()) as u64;
                // Checked as replies are added (as Redis does): what the client has not read
                // yet plus this batch's replies. Normal clients have no limit by default.
                let limit = if self.client.subscribed_count > 0 {
                    config.output_limit_pubsub
                } else {
                    config.output_limit_normal
                };
                let queued = (self.unsent() + self.out.len()) as u64;
                if (limit.hard > 0 || limit.soft > 0) && queued > 0 {
                    let used = queued + info.shared.pending_bytes.load(Ordering::Relaxed);
                    crate::client::enforce_output_limit(info, stats, limit, used);
                }
            }
            sync_off = self.shared.log_batch(&mut store);
            // Served clients write their replies when their tasks run next; this one does not
            // yield to them first. It used to (`yield_now`, so consumers' replies left before
            // the producer's, as in Redis): that cost the BRPOP queue 8P/16C 7% of its
            // throughput and bought consumers a little latency at 5,000 entries/s (p50 0.131
            // ms with it, 0.150 without, redis 0.171; p99 0.299, 0.307, redis 0.335).
            // Yielding behind the woken tasks without an I/O poll still cost the consumer
            // group 8P/16C 9%.
            cmd::dispatch_served(&mut store, sync_off);
            if store.aof.rewrite_scheduled {
                crate::aof::maybe_start_rewrite(&self.shared, &mut store);
            }
            if store.shutdown_requested.is_some() {
                self.shared.request_shutdown();
            }
        }
        // Log before reply: under `always` no reply leaves before an fsync covers it.
        if let Some(off) = sync_off {
            self.shared.wait_synced(off).await;
        }
        blocked
    }

    /// Bytes queued for the socket and not yet written (TLS records included).
    fn unsent(&self) -> usize {
        self.wbuf.len() - self.wpos + self.sock.pending_out()
    }

    /// Sends `bytes` behind any unsent output, as far as the socket takes them now; the rest
    /// is queued. Usually everything fits the socket buffer and nothing is copied.
    fn send_now(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.unsent() == 0 {
            let n = write_now(&mut self.sock, bytes, &self.net)?;
            if n == bytes.len() && self.sock.pending_out() == 0 {
                return Ok(());
            }
            self.wbuf.clear();
            self.wpos = 0;
            self.wbuf.extend_from_slice(&bytes[n..]);
        } else {
            self.wbuf.extend_from_slice(bytes);
            self.drain_queued()?;
        }
        self.settle_unsent();
        Ok(())
    }

    /// Writes what the socket takes of the queued output (on a writable event).
    fn drain_unsent(&mut self) -> std::io::Result<()> {
        self.drain_queued()?;
        self.settle_unsent();
        Ok(())
    }

    /// Writes what the socket takes: TLS output it did not take before, then the queue.
    fn drain_queued(&mut self) -> std::io::Result<()> {
        self.sock.flush_pending()?;
        if self.sock.pending_out() == 0 && self.wpos < self.wbuf.len() {
            let n = write_now(&mut self.sock, &self.wbuf[self.wpos..], &self.net)?;
            self.wpos += n;
        }
        Ok(())
    }

    /// Compacts the queue and publishes its size (CLIENT LIST omem, the pub/sub limit).
    fn settle_unsent(&mut self) {
        if self.wpos == self.wbuf.len() {
            self.wbuf.clear();
            self.wpos = 0;
            if self.wbuf.capacity() > 1 << 20 {
                // A burst's buffer is not kept for the connection's life.
                self.wbuf = Vec::new();
            }
        } else if self.wpos >= 64 * 1024 && self.wpos * 2 >= self.wbuf.len() {
            self.wbuf.drain(..self.wpos);
            self.wpos = 0;
        }
        self.client
            .shared
            .unsent_bytes
            .store(self.unsent() as u64, Ordering::Relaxed);
    }

    /// Sends the batch's replies (see `send_now`); never waits for the socket.
    fn send_out(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let buf = self.out.take();
        let r = self.send_now(&buf);
        if buf.capacity() <= OUT_KEEP_BYTES {
            self.out.buf = buf;
            self.out.buf.clear();
        } else {
            // One large reply (KEYS *, a long LRANGE) must not stay allocated for the
            // connection's life: Redis frees its reply blocks once written, too.
            self.out.buf = Vec::with_capacity(4096);
        }
        r
    }

    /// Sends the batch's replies and waits until the socket took all queued output (before a
    /// close), unless the client is killed meanwhile.
    async fn flush_all(&mut self) -> std::io::Result<()> {
        self.send_out()?;
        while self.unsent() > 0 {
            let killed = self.client.shared.mailbox.killed();
            tokio::select! {
                r = self.sock.tcp.writable() => r?,
                _ = killed => return Err(std::io::Error::other("killed")),
            }
            self.drain_unsent()?;
        }
        Ok(())
    }

    /// Sends `first` and everything else already queued in the mailbox with one write, as
    /// Redis writes a client's pending output once per event-loop turn. Returns true if a
    /// blocked command's reply was among them.
    async fn write_mails(&mut self, first: Mail) -> std::io::Result<bool> {
        const MAX_BATCH: usize = 256 * 1024;
        let mut buf: Vec<u8> = Vec::new();
        let mut pushed = 0u64;
        let mut got_reply = false;
        let mut sync = None;
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Mail::Push(b) => {
                    pushed += b.len() as u64;
                    buf.extend_from_slice(&b);
                }
                Mail::Reply(v, off) => {
                    got_reply = true;
                    sync = sync.max(off);
                    if buf.is_empty() {
                        // Usually the only mail: sent as it came, not copied.
                        buf = v;
                    } else {
                        buf.extend_from_slice(&v);
                    }
                }
            }
            if buf.len() < MAX_BATCH {
                next = self.client.shared.mailbox.try_recv();
            }
        }
        if let Some(off) = sync {
            self.shared.wait_synced(off).await;
        }
        if pushed > 0 {
            // From here on counted as unsent, if the socket does not take them now.
            self.client
                .shared
                .pending_bytes
                .fetch_sub(pushed, Ordering::SeqCst);
        }
        self.send_now(&buf)?;
        Ok(got_reply)
    }

    /// Accounts for bytes just read; false when the client must be closed (EOF, or the
    /// client-query-buffer-limit was passed).
    fn after_read(&mut self, r: std::io::Result<usize>) -> std::io::Result<bool> {
        let n = r?;
        if n == 0 {
            return Ok(false);
        }
        crate::busy_poll::note_input();
        self.net.input.fetch_add(n as u64, Ordering::Relaxed);
        if self.rbuf.len() as u64 > self.qbuf_limit {
            tracing::warn!(
                client = self.client.id,
                "closing client that reached max query buffer length"
            );
            self.shared
                .store
                .lock()
                .unwrap()
                .stats
                .client_query_buffer_limit_disconnections += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Waits for one event: bytes from the socket, mail, a kill, `sleep_until`, or (with
    /// output queued) room in the socket.
    async fn next_event(&mut self, until: Option<tokio::time::Instant>, read: bool) -> Event {
        let mailbox = &self.client.shared.mailbox;
        loop {
            if mailbox.is_killed() {
                return Event::Killed;
            }
            if mailbox.take_nudge() {
                // The busy responder read input for us during a script: ours now, in order.
                let mut stash = self.client.shared.stash.lock().unwrap();
                let n = stash.len();
                if n > 0 {
                    self.rbuf.extend_from_slice(&stash);
                    stash.clear();
                    if read {
                        return Event::Read(Ok(n));
                    }
                }
            }
            if let Some(m) = mailbox.try_recv() {
                return Event::Mail(m);
            }
            let sleep = async {
                match until {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            if self.wpos == self.wbuf.len() && self.sock.pending_out() == 0 {
                // Readiness first and the buffer after it: an idle connection waits holding
                // none. Readiness spends none of tokio's cooperative budget (read_buf did):
                // without this a client that keeps sending would keep the loop to itself.
                tokio::task::consume_budget().await;
                let tcp = &self.sock.tcp;
                let readable = tokio::select! {
                    // In this order (`biased` spares the random start): queued output and
                    // kills first, so a client that keeps sending cannot hold back its pushes
                    // and served replies.
                    biased;
                    _ = mailbox.ready() => continue,
                    r = tcp.readable(), if read => r,
                    _ = sleep => return Event::Timeout,
                };
                if let Err(e) = readable {
                    return Event::Read(Err(e));
                }
                match read_ready(&mut self.sock, &mut self.rbuf) {
                    Some(r) => return Event::Read(r),
                    None => continue,
                }
            }
            // Output is queued: wait for room in the socket as well as for input. Readiness and
            // try_read/try_write spend none of tokio's cooperative budget: without this a
            // client that keeps sending and reading would keep the event loop to itself.
            tokio::task::consume_budget().await;
            let interest = if read {
                tokio::io::Interest::READABLE | tokio::io::Interest::WRITABLE
            } else {
                tokio::io::Interest::WRITABLE
            };
            let tcp = &self.sock.tcp;
            let ready = tokio::select! {
                biased;
                _ = mailbox.ready() => continue,
                r = tcp.ready(interest) => r,
                _ = sleep => return Event::Timeout,
            };
            match ready {
                Err(e) => return Event::Read(Err(e)),
                // Not reading: whatever woke us is the write side's (an error shows there).
                Ok(ready) if ready.is_writable() || !read => return Event::Writable,
                Ok(_) => match read_ready(&mut self.sock, &mut self.rbuf) {
                    Some(r) => return Event::Read(r),
                    None => continue,
                },
            }
        }
    }

    async fn wait_input(&mut self) -> std::io::Result<Step> {
        let until = (self.idle_timeout > 0 && self.client.subscribed_count == 0)
            .then(|| tokio::time::Instant::now() + Duration::from_secs(self.idle_timeout));
        // Idle (nothing buffered, unsent or pending): the busy responder may answer us.
        let idle = self.pending.is_empty() && self.rbuf.is_empty() && self.unsent() == 0;
        if idle {
            // Its buffers go back to the thread's pool while it waits (CLIENT LIST then
            // shows qbuf=0 qbuf-free=0 for it, as Redis 7.2 does for an idle client).
            release_if_empty(&mut self.rbuf);
            self.client
                .shared
                .query_cap
                .store(self.rbuf.capacity() as u64, Ordering::Relaxed);
            if self.out.is_empty() {
                crate::bufpool::give_write(std::mem::take(&mut self.out.buf));
            }
            use std::os::fd::AsRawFd;
            // Never a TLS socket: the busy responder would read its records as commands.
            if !self.sock.is_tls() {
                self.client
                    .shared
                    .idle
                    .store(self.sock.tcp.as_raw_fd(), Ordering::SeqCst);
            }
        }
        let event = self.next_event(until, true).await;
        if idle {
            self.client.shared.idle.store(-1, Ordering::SeqCst);
        }
        match event {
            Event::Read(r) => Ok(if self.after_read(r)? {
                Step::Continue
            } else {
                Step::Close
            }),
            Event::Mail(m) => {
                self.write_mails(m).await?;
                Ok(Step::Continue)
            }
            Event::Writable => {
                self.drain_unsent()?;
                Ok(Step::Continue)
            }
            Event::Killed => Ok(Step::Close),
            Event::Timeout => {
                tracing::debug!(client = self.client.id, "Closing idle client");
                Ok(Step::Close)
            }
        }
    }

    /// Waits while blocked: for the reply (mailbox), the deadline, a disconnect, or a kill.
    async fn wait_blocked(&mut self, req: BlockRequest) -> std::io::Result<Step> {
        let deadline = req.deadline_ms.map(|d| {
            let ms = (d - crate::util::now_ms()).max(0) as u64;
            tokio::time::Instant::now() + Duration::from_millis(ms)
        });
        loop {
            match self.next_event(deadline, true).await {
                Event::Mail(m) => {
                    if self.write_mails(m).await? {
                        return Ok(Step::Continue);
                    }
                }
                Event::Writable => self.drain_unsent()?,
                Event::Killed => return Ok(Step::Close),
                Event::Timeout => {
                    let timed_out = {
                        let mut store = crate::server::lock_store_wait(&self.shared).await;
                        let w = store.blocking.unblock(self.client.id);
                        if let Some(w) = &w {
                            cmd::count_unblocked(&mut store, w, false);
                        }
                        w.is_some()
                    };
                    if timed_out {
                        cmd::timeout_reply(&mut self.out, req.on_timeout);
                        self.send_out()?;
                        return Ok(Step::Continue);
                    }
                    // Served at the same moment: the reply is in the mailbox (possibly behind
                    // pub/sub pushes); wait for it without a deadline.
                    loop {
                        match self.next_event(None, false).await {
                            Event::Mail(m) => {
                                if self.write_mails(m).await? {
                                    return Ok(Step::Continue);
                                }
                            }
                            Event::Writable => self.drain_unsent()?,
                            Event::Killed => return Ok(Step::Close),
                            Event::Read(_) | Event::Timeout => {}
                        }
                    }
                }
                Event::Read(r) => {
                    if !self.after_read(r)? {
                        // Disconnected while blocked: the waiter is removed in cleanup.
                        return Ok(Step::Close);
                    }
                }
            }
        }
    }

    fn cleanup(&mut self, store: &mut Store) {
        store.blocking.unblock(self.client.id);
        store.pubsub.remove_client(self.client.id);
        let id = self.client.id;
        for (db, k, _) in self.client.watched.drain(..) {
            let key = (db, k);
            if let Some(v) = store.watched.get_mut(&key) {
                v.retain(|&c| c != id);
                if v.is_empty() {
                    store.watched.remove(&key);
                }
            }
        }
        store.dirty_cas.remove(&id);
        store.monitors.retain(|&m| m != id);
        store.clients.remove(&id);
    }
}
