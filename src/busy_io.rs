//! The busy responder: answers clients while a script holds the event loop (Redis's
//! `processEventsWhileBlocked` during a busy script).
//!
//! A script runs on the event loop, as in Redis, so a script costs no thread hand-off. With
//! the single-threaded runtime (`io-threads 1`, the default) nothing else runs meanwhile;
//! once the script passes busy-reply-threshold, its instruction hook starts this responder
//! on a thread of its own, and the script's end stops it (joined before the event loop
//! runs again). While it runs it:
//! - reads the connections that were idle when the script started: waiting for input, with
//!   no partial command buffered, nothing unsent, nothing pending (`ClientShared::idle_fd`);
//!   each complete command gets [`crate::connection::answer_busy`]'s reply (-BUSY, SCRIPT
//!   KILL / FUNCTION KILL, FUNCTION STATS, SHUTDOWN NOSAVE), written at once: nothing else
//!   is queued for such a connection, so replies stay in order. An incomplete command is
//!   left in the connection's stash, which the connection takes over when it resumes.
//! - accepts new connections on the listeners; loopback ones are answered the same way.
//!   When it stops, they are handed to the event loop with what they sent.
//!
//! Connections that were busy (mid-command, blocked, with unsent output) are left alone:
//! they are served after the script, as every client of Redis is once it ends.
//!
//! Invariant: the responder only touches a socket while the event loop is inside the
//! script, so a connection and the responder never read the same socket at once.

use crate::client::ClientShared;
use crate::connection::answer_busy_commands;
use crate::server::Shared;
use bytes::BytesMut;
use resp::writer::{Protocol, ReplyWriter};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

/// A connection accepted while the script ran.
struct Adopted {
    stream: std::net::TcpStream,
    addr: SocketAddr,
    stash: BytesMut,
    closed: bool,
}

/// Installs the responder as the scripts' busy hook (single-threaded runtime only: with
/// more runtime threads, the others answer -BUSY themselves).
pub fn install(shared: &Arc<Shared>, single_threaded: bool) {
    if !single_threaded {
        return;
    }
    let weak = Arc::downgrade(shared);
    let handle = tokio::runtime::Handle::current();
    let hook: crate::scripting::BusyHook = Box::new(move || {
        let shared = weak.upgrade()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let sh = Arc::downgrade(&shared);
        let thread = std::thread::Builder::new()
            .name("sluice-busy".into())
            .spawn(move || serve(sh, stop2))
            .ok()?;
        let handle = handle.clone();
        Some(Box::new(move || {
            stop.store(true, Ordering::SeqCst);
            let adopted = thread.join().unwrap_or_default();
            // Connections whose input was read here take it over; new ones start.
            for cs in shared.live.lock().unwrap().values() {
                if !cs.stash.lock().unwrap().is_empty() {
                    cs.mailbox.nudge();
                }
            }
            for a in adopted {
                if a.closed {
                    continue;
                }
                let sh = shared.clone();
                handle.spawn(async move {
                    if let Ok(sock) = tokio::net::TcpStream::from_std(a.stream) {
                        crate::server::accept_adopted(sh, sock, a.addr, a.stash).await;
                    }
                });
            }
        }) as Box<dyn FnOnce() + Send>)
    });
    let _ = shared.script_status.on_busy.set(hook);
}

/// Reads what `fd` has into `stash`; false once the peer closed or failed.
fn read_into(fd: RawFd, stash: &mut BytesMut) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        // SAFETY: reading into a local buffer of the given length.
        let n = unsafe {
            libc::recv(
                fd,
                chunk.as_mut_ptr() as *mut libc::c_void,
                chunk.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n > 0 {
            stash.extend_from_slice(&chunk[..n as usize]);
            if (n as usize) < chunk.len() {
                return true;
            }
            continue;
        }
        if n == 0 {
            return false;
        }
        let e = std::io::Error::last_os_error();
        return matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
        );
    }
}

/// Writes all of `data` to `fd` (waiting for room up to a second at a time).
fn write_all(fd: RawFd, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: writing from a live slice; MSG_NOSIGNAL: a closed peer gives EPIPE.
        let n = unsafe {
            libc::send(
                fd,
                data.as_ptr() as *const libc::c_void,
                data.len(),
                libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
            )
        };
        if n > 0 {
            data = &data[n as usize..];
            continue;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::Interrupted
        {
            return;
        }
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, 1000) } <= 0 {
            return;
        }
    }
}

/// Answers every complete command in `stash` on `fd` (leaving an incomplete one there).
fn answer(shared: &Shared, fd: RawFd, stash: &mut BytesMut, resp3: bool) {
    let mut out = ReplyWriter::new(if resp3 {
        Protocol::Resp3
    } else {
        Protocol::Resp2
    });
    answer_busy_commands(&shared.script_status, stash, &mut out);
    write_all(fd, &out.take());
}

fn serve(shared: Weak<Shared>, stop: Arc<AtomicBool>) -> Vec<Adopted> {
    let mut adopted: Vec<Adopted> = Vec::new();
    let Some(sh) = shared.upgrade() else {
        return adopted;
    };
    let listeners = sh.listen_fds.lock().unwrap().clone();
    // The connections idle as the script went busy (none can become idle meanwhile).
    let idle: Vec<(RawFd, Arc<ClientShared>)> = sh
        .live
        .lock()
        .unwrap()
        .values()
        .filter_map(|cs| cs.idle_fd().map(|fd| (fd, cs.clone())))
        .collect();
    let mut gone = vec![false; idle.len()];
    while !stop.load(Ordering::SeqCst) {
        let mut fds: Vec<libc::pollfd> = Vec::new();
        let watch = |fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        fds.extend(listeners.iter().map(|&fd| watch(fd)));
        fds.extend(idle.iter().map(|(fd, _)| watch(*fd)));
        fds.extend(adopted.iter().map(|a| watch(a.stream.as_raw_fd())));
        // SAFETY: a valid array of pollfds for its length.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 10) };
        if n <= 0 {
            continue;
        }
        let ready = |i: usize| fds[i].revents != 0;
        for (i, &lfd) in listeners.iter().enumerate() {
            if !ready(i) {
                continue;
            }
            // SAFETY: accept4 on a listening socket; the new fd is owned by the stream.
            let mut addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
            let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            let fd = unsafe {
                libc::accept4(
                    lfd,
                    &mut addr as *mut _ as *mut libc::sockaddr,
                    &mut len,
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                )
            };
            if fd < 0 {
                continue;
            }
            let stream = unsafe { std::net::TcpStream::from_raw_fd(fd) };
            let Ok(peer) = stream.peer_addr() else {
                continue;
            };
            adopted.push(Adopted {
                stream,
                addr: peer,
                stash: BytesMut::new(),
                closed: false,
            });
        }
        let base = listeners.len();
        for (j, (fd, cs)) in idle.iter().enumerate() {
            if gone[j] || !ready(base + j) {
                continue;
            }
            let mut stash = cs.stash.lock().unwrap();
            if !read_into(*fd, &mut stash) {
                // Closed: the connection sees it (reads 0 again) when it resumes.
                gone[j] = true;
            }
            let resp3 = cs.resp.load(Ordering::Relaxed) == 3;
            answer(&sh, *fd, &mut stash, resp3);
        }
        let base = base + idle.len();
        for (k, a) in adopted.iter_mut().enumerate() {
            if a.closed || base + k >= fds.len() || !ready(base + k) {
                continue;
            }
            let fd = a.stream.as_raw_fd();
            if !read_into(fd, &mut a.stash) {
                a.closed = true;
            }
            // Only local clients are answered, as a fresh `redis-cli SCRIPT KILL` is.
            if a.addr.ip().is_loopback() {
                answer(&sh, fd, &mut a.stash, false);
            }
        }
    }
    adopted
}
