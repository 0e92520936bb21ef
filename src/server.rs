//! The server: shared state, the accept loop, background ticks and shutdown.
//!
//! `Shared` holds the store behind one std `Mutex` (commands are short and never await, so a
//! blocking mutex is cheaper than an async one; it is never held across an `.await`), and the
//! AOF handle behind another, always locked after the store.

use crate::aof::{self, AofHandle};
use crate::config::Config;
use crate::store::Store;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub struct Shared {
    pub store: Mutex<Store>,
    pub aof: Mutex<Option<AofHandle>>,
    pub connections: AtomicUsize,
    /// Notified when the server must stop (signal or SHUTDOWN).
    pub shutdown: Notify,
    pub shutting_down: std::sync::atomic::AtomicBool,
    /// Wakes the AOF writer task: under `always`, connections stage their records and the
    /// writer writes whatever every connection staged in one go (see [`Shared::log_batch`]).
    pub aof_write: Notify,
    /// The running script's status (the store's `scripting.status`), read without the store
    /// lock: connections wait for a running script without holding a runtime thread, and
    /// answer -BUSY once it is past busy-reply-threshold.
    pub script_status: Arc<crate::scripting::ScriptStatus>,
    /// Every connection's shared part, for the busy responder (`busy_io.rs`), which answers
    /// them while a script holds the event loop.
    pub live: Mutex<std::collections::HashMap<u64, Arc<crate::client::ClientShared>>>,
    /// The listening sockets' descriptors (the busy responder accepts on them).
    pub listen_fds: Mutex<Vec<std::os::fd::RawFd>>,
    /// The runtime has one thread (`io-threads 1`, the default): scripts run on it and a busy
    /// one's other clients are answered by the busy responder. Otherwise a script runs in
    /// `block_in_place` and the other runtime threads answer.
    pub single_threaded: bool,
}

impl Shared {
    /// Flushes pending effects to the AOF (store lock held by the caller).
    pub fn flush_aof(&self, store: &mut Store) -> Option<u64> {
        self.flush_aof_with(store, false)
    }

    /// `inline`: under `always`, fsync on this thread (the AOF writer task).
    fn flush_aof_with(&self, store: &mut Store, inline: bool) -> Option<u64> {
        let mut aof = self.aof.lock().unwrap();
        let off = if inline {
            aof::flush_and_sync(store, &mut aof)
        } else {
            aof::flush(store, &mut aof)
        };
        if aof::fsync_failed(&aof) {
            store.aof.last_write_ok = false;
            if let Some(h) = aof.as_ref() {
                store.aof.last_write_error = h.aof.sync.last_error.lock().unwrap().clone();
            }
        }
        off
    }

    /// Logs a batch's effects (store lock held): returns the offset an fsync must reach before
    /// its replies may leave, if any. Under `always` the records are only staged, and the AOF
    /// writer task writes them after the other ready connections staged theirs: one write and
    /// one fsync for all of them, as Redis's one write per event-loop turn. The replies wait
    /// for that fsync in any case, so deferring the write delays nothing.
    pub fn log_batch(&self, store: &mut Store) -> Option<u64> {
        let always = store.config.appendfsync == crate::config::FsyncPolicy::Always;
        if !always && store.effects.is_empty() && store.aof.last_write_ok {
            // Nothing to log, and nothing left over: outside `always` every batch writes all
            // it appended, unless a write failed. Settings changed meanwhile (fsync policy,
            // injected faults) reach the AOF with the next batch that logs something.
            return None;
        }
        if always && store.aof.last_write_ok {
            let mut aof = self.aof.lock().unwrap();
            let target = aof::stage(store, &mut aof);
            if target.is_some() {
                self.aof_write.notify_one();
                return target;
            }
            // A batch that logged nothing may still have read what other clients wrote and
            // is not yet on disk: its replies wait for that too, as in Redis, where the
            // fsync precedes every reply of the event-loop turn.
            return aof.as_ref().and_then(|h| {
                let target = h.aof.pending_target();
                (h.aof.sync.synced.load(Ordering::SeqCst) < target).then_some(target)
            });
        }
        self.flush_aof(store)
    }

    /// Waits until an fsync covers `offset` (appendfsync always).
    pub async fn wait_synced(&self, offset: u64) {
        let rx = self
            .aof
            .lock()
            .unwrap()
            .as_ref()
            .map(|h| h.synced_rx.clone());
        if let Some(mut rx) = rx {
            let _ = rx.wait_for(|v| *v >= offset).await;
        }
    }

    pub fn request_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.shutdown.notify_waiters();
        self.shutdown.notify_one();
    }

    /// SIGTERM or SIGINT: the final save first (save points set), and the shutdown only if
    /// it succeeded; otherwise the server keeps running, as Redis's prepareForShutdown
    /// leaves it. True if the shutdown goes ahead.
    pub fn shutdown_on_signal(&self) -> bool {
        {
            let mut store = self.store.lock().unwrap();
            let mut kind = store.shutdown_requested.unwrap_or_default();
            if crate::rdb::final_save(&mut store, &mut kind).is_err() {
                tracing::warn!("SIGTERM received but errors trying to shut down the server, check the logs for more information");
                return false;
            }
            store.shutdown_requested = Some(kind);
        }
        self.request_shutdown();
        true
    }
}

/// A running server: where it listens and how to stop it (used by tests and `main`).
pub struct ServerHandle {
    pub addrs: Vec<SocketAddr>,
    /// The TLS listener's addresses (`tls-port`), empty when it is off.
    pub tls_addrs: Vec<SocketAddr>,
    /// The HTTP listener's addresses (`sluice-http-port`), empty when it is off.
    pub http_addrs: Vec<SocketAddr>,
    pub shared: Arc<Shared>,
    pub join: tokio::task::JoinHandle<()>,
}

async fn bind_all(cfg: &Config) -> std::io::Result<Vec<TcpListener>> {
    let backlog = tcp_backlog(cfg);
    // Redis's warning when the kernel caps the backlog lower (`checkTcpBacklogSettings`).
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok());
    if let Some(max) = somaxconn.filter(|&m| m < backlog) {
        tracing::warn!(
            "WARNING: The TCP backlog setting of {backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of {max}."
        );
    }
    // `port 0` with `tls-port` set: TLS only, as in Redis. (Without TLS, port 0 binds an
    // ephemeral port, which the tests use; Redis would listen on no TCP port then.)
    if cfg.port == 0 && tls_port(cfg) > 0 {
        return Ok(Vec::new());
    }
    bind_addrs(&cfg.bind, cfg.port, backlog).await
}

fn tls_port(cfg: &Config) -> u16 {
    cfg.get("tls-port")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The `tls-port` listeners on the `bind` addresses and their TLS configuration, if TLS is
/// on; a configuration that cannot be loaded stops the start.
async fn bind_tls(
    cfg: &Config,
) -> std::io::Result<(Vec<TcpListener>, Option<Arc<rustls::ServerConfig>>)> {
    let port = tls_port(cfg);
    if port == 0 {
        return Ok((Vec::new(), None));
    }
    let tls = crate::tls::server_config(cfg).map_err(std::io::Error::other)?;
    Ok((
        bind_addrs(&cfg.bind, port, tcp_backlog(cfg)).await?,
        Some(tls),
    ))
}

/// `tcp-backlog`: pending connections each listening socket queues (511 as in Redis).
pub fn tcp_backlog(cfg: &Config) -> u32 {
    cfg.get("tcp-backlog")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(511)
}

/// A listening socket at `addr` with `backlog` pending connections, as Redis opens one
/// (`anetListen`): SO_REUSEADDR, and IPV6_V6ONLY on IPv6 so that `*` and `::*` can both be
/// bound on one port.
fn listen_at(addr: std::net::SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let sock = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    sock.set_reuseaddr(true)?;
    if addr.is_ipv6() {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: setsockopt on our own socket with a c_int option value of its size.
        let rc = unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                &on as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    sock.bind(addr)?;
    sock.listen(backlog)
}

/// Listens on `port` at each of `bind`'s addresses, with Redis's rules: `*` and `::*` for
/// every address, a leading `-` for an address that may be missing, none for all of them.
pub async fn bind_addrs(
    bind: &[String],
    port: u16,
    backlog: u32,
) -> std::io::Result<Vec<TcpListener>> {
    let mut out = Vec::new();
    let binds = if bind.is_empty() {
        vec!["*".to_string(), "-::*".to_string()]
    } else {
        bind.to_vec()
    };
    let mut last_err = None;
    for b in binds {
        let optional = b.starts_with('-');
        let host = b.trim_start_matches('-');
        let host = match host {
            "*" => "0.0.0.0",
            "::*" => "::",
            h => h,
        };
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        // A lookup's failure is the bind's, which an optional address may have.
        let bound = tokio::net::lookup_host(&addr)
            .await
            .and_then(|mut found| {
                found.next().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, format!("{host}: no address"))
                })
            })
            .and_then(|a| listen_at(a, backlog));
        match bound {
            Ok(l) => out.push(l),
            Err(e) if optional => tracing::debug!("skipping optional bind {addr}: {e}"),
            Err(e) => {
                tracing::error!(
                    "Warning: Could not create server TCP listening socket {addr}: {e}"
                );
                last_err = Some(e);
            }
        }
    }
    if let Some(e) = last_err {
        return Err(e);
    }
    Ok(out)
}

/// `ACLLoadUsersAtStartup`: the `user` directives, or the `aclfile`, never both.
fn load_users(store: &mut Store) -> Result<(), String> {
    let file = store.config.get("aclfile").unwrap_or("").to_string();
    let users = std::mem::take(&mut store.config.users);
    if !file.is_empty() && !users.is_empty() {
        return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".into());
    }
    let all = store.config.acl_pubsub_all;
    for words in &users {
        let name = &words[1];
        if name.iter().any(|&c| c.is_ascii_whitespace() || c == 0) {
            return Err("Spaces not allowed in ACL usernames".into());
        }
        // The default user exists already: its directive starts it over.
        let mut rules = Vec::with_capacity(words.len() - 1);
        if name.as_ref() == b"default" {
            rules.push(bytes::Bytes::from_static(b"reset"));
        }
        rules.extend_from_slice(&words[2..]);
        store.acl.set_user(name, &rules, all).map_err(|e| {
            format!(
                "Error loading ACL rules for the user named '{}': {e}",
                String::from_utf8_lossy(name)
            )
        })?;
    }
    store.config.users = users;
    if !file.is_empty() {
        crate::cmd::acl::load_file(&mut store.acl, &file, all)
            .map_err(|e| format!("Aborting Redis startup because of ACL errors: {e}"))?;
    }
    Ok(())
}

/// Starts the server: binds, opens the AOF, starts loading it in the background, and serves.
pub async fn start(config: Config, config_file: Option<String>) -> std::io::Result<ServerHandle> {
    let listeners = bind_all(&config).await?;
    let (tls_listeners, tls) = bind_tls(&config).await?;
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let tls_addrs: Vec<SocketAddr> = tls_listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let mut store = Store::new(config);
    store.config_file = config_file;
    load_users(&mut store).map_err(std::io::Error::other)?;
    if let Some(a) = addrs.first() {
        store.tcp_port = a.port();
    }
    store.startup_memory = crate::alloc::used_memory();
    let mut files = Vec::new();
    let mut aof_handle = None;
    if store.config.appendonly {
        let (h, f) = aof::open(&store)?;
        store.aof.enabled = true;
        store.aof.base_size = h.aof.base_size;
        store.aof.current_size = h.aof.base_size + h.aof.incr_size;
        store.aof.rewrite_base_size = store.aof.current_size;
        files = f;
        store.loading = true;
        aof_handle = Some(h);
    } else {
        // Redis's precedence: the AOF when it is on, else `dir`/`dbfilename` if it exists.
        let rdb = store
            .config
            .dir
            .join(store.config.get("dbfilename").unwrap_or("dump.rdb"));
        if rdb.is_file() {
            files = vec![rdb];
            store.loading = true;
        }
    }
    let script_status = store.scripting.status.clone();
    let shared = Arc::new(Shared {
        script_status,
        live: Mutex::new(std::collections::HashMap::new()),
        listen_fds: Mutex::new(Vec::new()),
        single_threaded: tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::CurrentThread,
        store: Mutex::new(store),
        aof: Mutex::new(aof_handle),
        connections: AtomicUsize::new(0),
        shutdown: Notify::new(),
        shutting_down: std::sync::atomic::AtomicBool::new(false),
        aof_write: Notify::new(),
    });
    {
        use std::os::fd::AsRawFd;
        *shared.listen_fds.lock().unwrap() = listeners.iter().map(|l| l.as_raw_fd()).collect();
    }
    crate::busy_io::install(&shared, shared.single_threaded);
    if !files.is_empty() {
        let sh = shared.clone();
        // Loading runs on a blocking thread while clients already get -LOADING.
        let res = tokio::task::spawn_blocking(move || aof::load(&sh.store, &files));
        let sh = shared.clone();
        tokio::spawn(async move {
            match res.await {
                Ok(Ok(covered)) => {
                    // Still -LOADING, so nothing is appended before the tail is certified.
                    // The AOF lock is taken alone: elsewhere it nests inside the store's.
                    let size = sh.aof.lock().unwrap().as_mut().map(|h| {
                        h.aof
                            .adopt_tail(covered)
                            .map(|()| h.aof.base_size + h.aof.incr_size)
                    });
                    match size {
                        Some(Ok(size)) => {
                            let mut s = sh.store.lock().unwrap();
                            s.aof.current_size = size;
                            s.aof.rewrite_base_size = size;
                        }
                        Some(Err(e)) => {
                            let msg = format!("Can't checksum the AOF's tail after loading: {e}");
                            tracing::error!("{msg}");
                            eprintln!("{msg}");
                            std::process::exit(1);
                        }
                        None => {}
                    }
                }
                Ok(Err(e)) => {
                    tracing::error!("{e}");
                    eprintln!("{e}");
                    std::process::exit(1);
                }
                Err(e) => {
                    tracing::error!("AOF loading failed: {e}");
                    std::process::exit(1);
                }
            }
            sh.store.lock().unwrap().loading = false;
        });
    } else {
        shared.store.lock().unwrap().loading = false;
    }
    let http_addrs = crate::http::start(&shared).await?;
    let sh = shared.clone();
    let mut all: Vec<(TcpListener, Option<Arc<rustls::ServerConfig>>)> =
        listeners.into_iter().map(|l| (l, None)).collect();
    all.extend(tls_listeners.into_iter().map(|l| (l, tls.clone())));
    let join = tokio::spawn(async move { serve(sh, all).await });
    Ok(ServerHandle {
        addrs,
        tls_addrs,
        http_addrs,
        shared,
        join,
    })
}

/// Plain listeners carry no TLS configuration.
type Listener = (TcpListener, Option<Arc<rustls::ServerConfig>>);

async fn serve(shared: Arc<Shared>, listeners: Vec<Listener>) {
    let ticker = tokio::spawn(tick_loop(shared.clone()));
    let writer = tokio::spawn(aof_writer(shared.clone()));
    let evictor = tokio::spawn(eviction_loop(shared.clone()));
    let policies = tokio::spawn(policy_timer_loop(shared.clone()));
    let mut accepts = Vec::new();
    for (l, tls) in listeners {
        let sh = shared.clone();
        accepts.push(tokio::spawn(accept_loop(sh, l, tls)));
    }
    loop {
        if shared.shutting_down.load(Ordering::SeqCst) {
            break;
        }
        let n = shared.shutdown.notified();
        if shared.shutting_down.load(Ordering::SeqCst) {
            break;
        }
        tokio::select! {
            _ = n => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    for a in accepts {
        a.abort();
    }
    ticker.abort();
    writer.abort();
    evictor.abort();
    policies.abort();
    finish_shutdown(&shared);
}

/// Writes what connections staged under `always` (see [`Shared::log_batch`]).
async fn aof_writer(shared: Arc<Shared>) {
    loop {
        shared.aof_write.notified().await;
        // One scheduler turn: connections already woken stage their batches first.
        tokio::task::yield_now().await;
        let mut store = shared.store.lock().unwrap();
        shared.flush_aof_with(&mut store, true);
    }
}

/// Final steps: flush and fsync the AOF, disconnect clients.
pub fn finish_shutdown(shared: &Shared) {
    let mut store = shared.store.lock().unwrap();
    tracing::info!("User requested shutdown...");
    shared.flush_aof(&mut store);
    crate::rdb::save_on_shutdown(&mut store);
    if let Some(h) = shared.aof.lock().unwrap().as_ref() {
        if let Ok(f) = h.aof.sync_handle() {
            if let Err(e) = f.sync_all() {
                tracing::error!("Error fsyncing the AOF at shutdown: {e}");
            }
        }
        h.aof.sync.stop.store(true, Ordering::SeqCst);
        h.aof.sync.request();
    }
    for c in store.clients.values() {
        c.shared.kill();
    }
    tracing::info!("Redis is now ready to exit, bye bye...");
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let mut backoff = 1u64;
    loop {
        match listener.accept().await {
            Ok((sock, addr)) => {
                backoff = 1;
                let sh = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move { accept_with(sh, sock, addr, None, tls).await });
            }
            Err(e) => {
                tracing::warn!("Accepting client connection: {e}");
                tokio::time::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(1000);
            }
        }
    }
}

const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// A running script holds the store; [`lock_store`] says so past busy-reply-threshold.
pub struct ScriptBusy;

/// The store if it can be had without parking on the mutex: `None` while a script runs and
/// holds the lock, or while another holder keeps it past 2 ms.
pub fn try_store(shared: &Shared) -> Option<std::sync::MutexGuard<'_, Store>> {
    // Never parked on the mutex: a batch holding a script can take the lock between our
    // check and our wait (its marker is set just before), and a runtime thread parked behind
    // a script waits the script's whole run (seen in CI: a PING on a new connection timed
    // out behind a 30 s FCALL). Short holds (a batch: microseconds to a millisecond) are
    // waited out by retrying for up to 2 ms; longer ones (SAVE, DEBUG SLEEP) are waited for
    // asynchronously by the caller (lock_store: 10 ms or the script's end).
    let spin_until = std::time::Instant::now() + Duration::from_millis(2);
    loop {
        match shared.store.try_lock() {
            Ok(g) => return Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => {
                if shared.script_status.active() || std::time::Instant::now() >= spin_until {
                    return None;
                }
                std::thread::yield_now();
            }
        }
    }
}

/// The store, for a task on the runtime: a script's lock (with `io-threads` above 1, a script
/// runs on one runtime thread while the others serve) is waited for without blocking a
/// runtime thread, and once the script is past busy-reply-threshold the caller is told, to
/// answer as Redis does.
pub async fn lock_store(shared: &Shared) -> Result<std::sync::MutexGuard<'_, Store>, ScriptBusy> {
    let st = &shared.script_status;
    loop {
        let done = st.done.notified();
        if st.busy.load(Ordering::SeqCst) {
            return Err(ScriptBusy);
        }
        if let Some(g) = try_store(shared) {
            return Ok(g);
        }
        // The script's end wakes us; the timeout notices busy.
        let _ = tokio::time::timeout(Duration::from_millis(10), done).await;
    }
}

/// [`lock_store`] that waits out a busy script too (a closing connection, a timed-out
/// blocked client: nothing to answer).
pub async fn lock_store_wait(shared: &Shared) -> std::sync::MutexGuard<'_, Store> {
    loop {
        if let Ok(g) = lock_store(shared).await {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A connection the busy responder accepted during a script, with what it sent meanwhile:
/// admitted (protected mode, maxclients) and served as any other.
pub async fn accept_adopted(
    shared: Arc<Shared>,
    sock: TcpStream,
    addr: SocketAddr,
    early: bytes::BytesMut,
) {
    accept_with(shared, sock, addr, Some(early), None).await
}

async fn accept_with(
    shared: Arc<Shared>,
    tcp: TcpStream,
    addr: SocketAddr,
    early: Option<bytes::BytesMut>,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let _ = tcp.set_nodelay(true);
    let mut sock = match tls {
        Some(cfg) => match crate::tls::Socket::tls(tcp, cfg) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("Accepting a TLS connection: {e}");
                return;
            }
        },
        None => crate::tls::Socket::plain(tcp),
    };
    // A script holds the store: a local client arriving while it is busy is answered as
    // the others are (a fresh `redis-cli SCRIPT KILL` must get through); anything else waits
    // for the script without holding the runtime.
    let config = loop {
        let read = lock_store(&shared).await.map(|s| {
            (
                s.config.maxclients,
                s.config.protected_mode && s.acl.default_user().nopass,
                s.config.tcp_keepalive_secs,
            )
        });
        match read {
            Ok(c) => break Some(c),
            Err(ScriptBusy) if addr.ip().is_loopback() => break None,
            Err(ScriptBusy) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    };
    let Some((maxclients, protected, keepalive)) = config else {
        shared.connections.fetch_add(1, Ordering::SeqCst);
        crate::connection::run(shared.clone(), sock, addr, early).await;
        shared.connections.fetch_sub(1, Ordering::SeqCst);
        return;
    };
    if keepalive > 0 {
        let sref = socket_ref(&sock.tcp);
        set_keepalive(sref, keepalive);
    }
    if protected && !addr.ip().is_loopback() {
        sock.write_final(DENIED.as_bytes()).await;
        return;
    }
    let n = shared.connections.fetch_add(1, Ordering::SeqCst);
    if n >= maxclients {
        shared.connections.fetch_sub(1, Ordering::SeqCst);
        lock_store_wait(&shared).await.stats.rejected_connections += 1;
        sock.write_final(b"-ERR max number of clients reached\r\n")
            .await;
        return;
    }
    crate::connection::run(shared.clone(), sock, addr, early).await;
    shared.connections.fetch_sub(1, Ordering::SeqCst);
}

fn socket_ref(sock: &TcpStream) -> i32 {
    use std::os::fd::AsRawFd;
    sock.as_raw_fd()
}

/// SO_KEEPALIVE with Redis's interval choices (`anetKeepAlive`).
fn set_keepalive(fd: i32, interval: u64) {
    unsafe {
        let yes: libc::c_int = 1;
        let sz = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
            &yes as *const _ as *const libc::c_void,
            sz,
        );
        let idle = interval as libc::c_int;
        let intvl = ((interval / 3).max(1)) as libc::c_int;
        let cnt: libc::c_int = 3;
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_KEEPIDLE,
            &idle as *const _ as *const libc::c_void,
            sz,
        );
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_KEEPINTVL,
            &intvl as *const _ as *const libc::c_void,
            sz,
        );
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_KEEPCNT,
            &cnt as *const _ as *const libc::c_void,
            sz,
        );
    }
}

/// Redis's eviction time proc: once a cycle hit its time limit with memory still over
/// `maxmemory`, keeps evicting in short cycles, letting clients in between, until memory is
/// under the limit or nothing is left to evict (see `evict.rs`).
async fn eviction_loop(shared: Arc<Shared>) {
    let wake = shared.store.lock().unwrap().evictor.clone();
    loop {
        wake.notified().await;
        loop {
            let running = {
                let mut store = shared.store.lock().unwrap();
                let r = crate::evict::perform_evictions(&mut store);
                if r != crate::evict::Evict::Running {
                    store.eviction_running = false;
                }
                // The evictions' DELs go to the AOF like any batch's effects.
                let off = shared.flush_aof(&mut store);
                crate::cmd::dispatch_served(&mut store, off);
                store.eviction_running
            };
            if !running {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
}

/// sluice's stream policy timer: sleeps until the earliest stream hint (a delayed entry
/// due, the oldest entry passing a maximum age; `db::Db::stream_timers`) or until a hint
/// earlier than that is noted, then does the due work and sends what it woke (blocked
/// readers served by the appended entries) once it is in the AOF, as a command batch does.
/// A dedicated task rather than the `hz` tick, so that a due time is met to the
/// millisecond, not to the next 100 ms tick.
async fn policy_timer_loop(shared: Arc<Shared>) {
    let wake = shared.store.lock().unwrap().policy_wake.clone();
    loop {
        let next = shared.store.lock().unwrap().next_stream_timer();
        // To the µs: a due time is the start of its millisecond (the store's clock floors).
        let now_us = crate::util::now_us();
        match next {
            None => wake.notified().await,
            Some(t) if t.saturating_mul(1000) > now_us => {
                let wait = (t.saturating_mul(1000) - now_us) as u64;
                let sleep = tokio::time::sleep(Duration::from_micros(wait));
                tokio::select! {
                    _ = sleep => {}
                    _ = wake.notified() => {}
                }
            }
            Some(_) => {}
        }
        let pause = match try_store(&shared) {
            // A script holds the store: try again shortly.
            None => 1,
            Some(store) if store.loading => 10,
            Some(mut store) => {
                store.refresh_clock();
                let now = store.unix_ms_at(store.clock_last);
                store.cmd_time_ms = now;
                crate::cmd::run_policy_timers(&mut store, now);
                crate::cmd::serve_blocked(&mut store);
                let off = shared.flush_aof(&mut store);
                crate::cmd::dispatch_served(&mut store, off);
                0
            }
        };
        if pause > 0 {
            tokio::time::sleep(Duration::from_millis(pause)).await;
            continue;
        }
        // Let the clients the appended entries woke run before the next round.
        tokio::task::yield_now().await;
    }
}

/// Background work `hz` times a second (Redis's serverCron): active expiry, blocked-client
/// deadlines, AOF write retries, SHUTDOWN requests.
async fn tick_loop(shared: Arc<Shared>) {
    let hz_period = |hz: u64| Duration::from_micros(1_000_000 / hz.clamp(1, 500));
    let mut period = hz_period(shared.store.lock().unwrap().config.hz);
    let mut iv = tokio::time::interval(period);
    let mut memory_at = std::time::Instant::now();
    loop {
        iv.tick().await;
        let Some(mut store) = try_store(&shared) else {
            // A script holds the store: this tick's work waits for the next one.
            continue;
        };
        // CONFIG SET hz takes effect from the next tick.
        let want = hz_period(store.config.hz);
        if want != period {
            period = want;
            iv = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        }
        if store.loading {
            continue;
        }
        store.rebase_wall_clock();
        let now = crate::util::now_ms();
        active_expire(&mut store, now);
        // Memory and instantaneous metrics every 100 ms whatever hz is, as Redis's cron (a
        // memory reading costs ~15 µs).
        if memory_at.elapsed() >= Duration::from_millis(100) {
            memory_at = std::time::Instant::now();
            let used = store.memory.refresh();
            store.peak_memory = store.peak_memory.max(used);
            let counts = [
                store.stats.total_commands_processed,
                store.net.input.load(Ordering::Relaxed),
                store.net.output.load(Ordering::Relaxed),
            ];
            store.stats.inst.track(memory_at, counts);
            let Store {
                clients,
                stats,
                config,
                ..
            } = &mut *store;
            crate::client::evict_clients(clients, stats, config.maxmemory_clients);
        }
        crate::cmd::expire_blocked(&mut store, now);
        store.blocking.wake_due(now);
        crate::cmd::serve_blocked(&mut store);
        let off = shared.flush_aof(&mut store);
        crate::cmd::dispatch_served(&mut store, off);
        crate::aof::maybe_start_rewrite(&shared, &mut store);
        crate::rdb::maybe_start_bgsave(&shared, &mut store);
        if store.shutdown_requested.is_some() {
            drop(store);
            shared.request_shutdown();
        }
    }
}

/// Redis's active expire cycle (sampled as the `expire-cycle` latency event), simplified: sample 20 keys with a TTL per database, delete
/// the expired ones, repeat while more than a quarter of a sample was expired (bounded).
fn active_expire(store: &mut Store, now: i64) {
    let started = std::time::Instant::now();
    active_expire_cycle(store, now);
    store.stats.expire_cycle_us += started.elapsed().as_micros() as u64;
    store.latency_sample("expire-cycle", started);
}

fn active_expire_cycle(store: &mut Store, now: i64) {
    // Hash fields: up to 10,000 per tick (100,000 a second at the default hz), the earliest
    // hashes first; what is left waits for the next tick.
    let mut budget = 10_000;
    for db in 0..store.ks.len() {
        budget -= store.active_expire_fields(db, now, budget);
    }
    let (mut sampled, mut stale) = (0usize, 0usize);
    for db in 0..store.ks.len() {
        for round in 0..16 {
            if store.ks.db(db).expires.is_empty() {
                break;
            }
            let mut sample = Vec::with_capacity(20);
            for _ in 0..20 {
                let Store { ks, rng, .. } = &mut *store;
                if let Some(k) = ks.random_key(db, true, rng) {
                    if ks.db(db).is_expired(&k, now) {
                        sample.push(k);
                    }
                }
            }
            sample.sort();
            sample.dedup();
            let expired = sample.len();
            sampled += 20;
            stale += expired;
            for k in sample {
                store.expire_if_needed(db, &k, now);
            }
            if expired <= 5 {
                break;
            }
            if round == 15 {
                store.stats.expired_time_cap_reached += 1;
            }
        }
    }
    if sampled > 0 {
        // `activeExpireCycle`'s moving average of the stale share of what it sampled.
        let current = stale as f64 / sampled as f64;
        let s = &mut store.stats;
        s.expired_stale_perc = current * 0.05 + s.expired_stale_perc * 0.95;
    }
}
