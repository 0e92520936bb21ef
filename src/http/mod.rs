//! The HTTP listener (`sluice-http-port`): Prometheus metrics at `/metrics`, the dashboard
//! at `/` (assets compiled into the binary) with its JSON API under `/api/`, served by
//! hyper's HTTP/1 server on a thread and runtime of its own (`http`), never on the event
//! loop's.
//!
//! Invariants:
//! - Off while `sluice-http-port` is 0; bound like `bind` (or `sluice-http-bind`), once, at
//!   start.
//! - When the default user needs a password (`requirepass`, ACL) every request needs HTTP
//!   Basic credentials of an ACL user, as `AUTH` takes them (no user name: `default`), who
//!   may run INFO; otherwise 401 and nothing is read. Actions run as that user, checked by
//!   ACL like any command.
//! - Reads copy data out of the store in bounded steps ([`gather`]) and never touch keys;
//!   what turns the copies into text or JSON (megabytes for thousands of streams) runs on a
//!   thread of its own at a lower priority ([`off_loop`]), never on a runtime worker that
//!   also serves Redis connections.
//! - Changes go through the command table as commands of an internal client
//!   ([`api::action`]): propagated to the AOF (acknowledged after the fsync `always`
//!   demands), waking blocked clients, shown to MONITOR. Only with `sluice-http-actions
//!   yes`, only by POST with a JSON body (a page on another origin cannot send one without
//!   a CORS preflight, which this server never grants).
//! - At most [`MAX_CONNECTIONS`] HTTP connections at once, each with a header timeout: a
//!   storm of slow HTTP clients costs the Redis port nothing.

pub mod api;
pub mod gather;
pub mod metrics;

use crate::server::Shared;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// HTTP connections served at once; more wait in the kernel's accept queue.
pub const MAX_CONNECTIONS: usize = 64;
/// Largest request body (actions are a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

pub type Resp = Response<Chunks>;

/// A response body sent as the pieces it was made in, with its exact length (a
/// `Content-Length`, not chunked encoding): a 10,000-stream scrape is ~23 MB of text in
/// 64 KiB pieces, and joining them first cost a copy of it all plus faulting in a fresh
/// 23 MB allocation (jemalloc returns allocations that large to the OS when freed) on every
/// scrape: a quarter of the scrape's CPU.
pub struct Chunks {
    rest: VecDeque<Bytes>,
    len: u64,
}

impl Chunks {
    pub fn new(pieces: Vec<Bytes>) -> Chunks {
        let rest: VecDeque<Bytes> = pieces.into_iter().filter(|b| !b.is_empty()).collect();
        let len = rest.iter().map(|b| b.len() as u64).sum();
        Chunks { rest, len }
    }
}

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        Poll::Ready(this.rest.pop_front().map(|b| {
            this.len -= b.len() as u64;
            Ok(Frame::data(b))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

/// Binds and serves the listener if `sluice-http-port` is set; its addresses.
pub async fn start(shared: &Arc<Shared>) -> std::io::Result<Vec<SocketAddr>> {
    let (port, bind, backlog) = {
        let mut s = shared.store.lock().unwrap();
        let port: u16 = s
            .config
            .get("sluice-http-port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if port != 0 {
            // The dashboard shows push and pop rates per list.
            let dbs = s.ks.len();
            s.list_traffic.enable(dbs);
        }
        let own: Vec<String> = s
            .config
            .get("sluice-http-bind")
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect();
        (
            port,
            if own.is_empty() {
                s.config.bind.clone()
            } else {
                own
            },
            crate::server::tcp_backlog(&s.config),
        )
    };
    if port == 0 {
        return Ok(Vec::new());
    }
    let listeners = crate::server::bind_addrs(&bind, port, backlog).await?;
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    for a in &addrs {
        tracing::info!("HTTP metrics and dashboard on http://{a}/");
    }
    // The sockets are served on a thread and runtime of its own, not on the event loop:
    // writing a 23 MB scrape into a fast reader's socket took the event loop for several ms
    // at a time (PING p99 4 ms while scraping back to back). What a request does with the
    // store still runs on the event loop (`main`), in its bounded steps: from another thread
    // it would contend for the store lock with the event loop, spinning on its core.
    let main = tokio::runtime::Handle::current();
    let listeners = listeners
        .into_iter()
        .map(|l| l.into_std())
        .collect::<std::io::Result<Vec<_>>>()?;
    let sh = shared.clone();
    std::thread::Builder::new()
        .name("http".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return tracing::warn!("HTTP listener: no runtime: {e}"),
            };
            rt.block_on(async move {
                let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
                let mut loops = Vec::new();
                for l in listeners {
                    match TcpListener::from_std(l) {
                        Ok(l) => loops.push(tokio::spawn(accept_loop(
                            sh.clone(),
                            l,
                            slots.clone(),
                            main.clone(),
                        ))),
                        Err(e) => tracing::warn!("HTTP listener: {e}"),
                    }
                }
                for l in loops {
                    let _ = l.await;
                }
            });
        })?;
    Ok(addrs)
}

async fn accept_loop(
    shared: Arc<Shared>,
    l: TcpListener,
    slots: Arc<Semaphore>,
    main: tokio::runtime::Handle,
) {
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (sock, peer) = match l.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::debug!("HTTP accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let sh = shared.clone();
        let main = main.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let sh = sh.clone();
                let on_loop = main.spawn(async move { handle(&sh, req, peer).await });
                async move {
                    Ok::<_, Infallible>(on_loop.await.unwrap_or_else(|_| {
                        respond(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "text/plain",
                            "internal error\n",
                        )
                    }))
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(hyper_util::rt::TokioIo::new(sock), svc);
            // An idle keep-alive connection is closed after a minute.
            let _ = tokio::time::timeout(Duration::from_secs(60), conn).await;
            drop(permit);
        });
    }
}

pub fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    respond_pieces(status, content_type, vec![body.into()])
}

/// [`respond`] with a body in pieces, sent as they are.
pub fn respond_pieces(status: StatusCode, content_type: &'static str, body: Vec<Bytes>) -> Resp {
    let mut r = Response::new(Chunks::new(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Runs `f` on a thread of its own at a lower priority and waits for it without holding a
/// runtime worker: formatting a scrape of thousands of streams takes tens of milliseconds of
/// CPU, which on a worker would delay every Redis connection that worker serves. A 503
/// response when no thread can be had (a process limit) or `f` failed.
pub async fn off_loop(f: impl FnOnce() -> Resp + Send + 'static) -> Resp {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("http-render".into())
        .spawn(move || {
            crate::util::lower_thread_priority();
            crate::alloc::use_background_arena();
            let _ = tx.send(f());
        });
    match (spawned, rx.await) {
        (Ok(_), Ok(resp)) => resp,
        _ => json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"error": "no thread to format the response"}),
        ),
    }
}

pub fn json(status: StatusCode, v: &serde_json::Value) -> Resp {
    respond(status, "application/json", v.to_string())
}

fn busy() -> Resp {
    json(
        StatusCode::SERVICE_UNAVAILABLE,
        &serde_json::json!({"error": "BUSY Redis is busy running a script."}),
    )
}

/// The ACL user a request is served as: the default user when it needs no password,
/// else the user its HTTP Basic credentials authenticate (no user name: `default`), as AUTH
/// takes them. None: 401. Reading needs a user who may run INFO (the dashboard shows what
/// INFO and XINFO show of every key); actions are checked as the commands they are.
fn authorized(shared: &Shared, req: &Request<Incoming>) -> Option<Arc<crate::acl::User>> {
    let store = shared.store.lock().unwrap();
    let user = if !store.acl.auth_required() {
        store.acl.default_user().clone()
    } else {
        let given = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Basic "))
            .and_then(|b| base64_decode(b.trim()))?;
        let colon = given.iter().position(|&c| c == b':')?;
        let (user, pw) = (&given[..colon], &given[colon + 1..]);
        let user = if user.is_empty() {
            &b"default"[..]
        } else {
            user
        };
        store.acl.authenticate(user, pw)?
    };
    let info = [Bytes::from_static(b"info")];
    let (row, _) = crate::cmd::resolve(&info).ok()?;
    user.check(row, &info).is_ok().then_some(user)
}

/// Standard base64 (RFC 4648, with padding), as Basic credentials are sent.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// `a=b&c=d` with percent-decoding (`+` as a space).
pub fn query(req: &Request<Incoming>) -> Vec<(String, Vec<u8>)> {
    let q = req.uri().query().unwrap_or("");
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                String::from_utf8_lossy(&percent_decode(k)).into_owned(),
                percent_decode(v),
            )
        })
        .collect()
}

pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>, peer: SocketAddr) -> Resp {
    let Some(user) = authorized(shared, &req) else {
        let mut r = respond(
            StatusCode::UNAUTHORIZED,
            "text/plain; charset=utf-8",
            "NOAUTH Authentication required.\n",
        );
        r.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sluice\", charset=\"UTF-8\""),
        );
        return r;
    };
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let res = match (&method, path.as_str()) {
        (&Method::GET, "/metrics") => api::metrics(shared).await,
        (&Method::GET, "/" | "/index.html") => Ok(respond(
            StatusCode::OK,
            "text/html; charset=utf-8",
            INDEX_HTML,
        )),
        (&Method::GET, "/app.js") => Ok(respond(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            APP_JS,
        )),
        (&Method::GET, "/app.css") => {
            Ok(respond(StatusCode::OK, "text/css; charset=utf-8", APP_CSS))
        }
        (&Method::GET, "/health") => Ok(respond(StatusCode::OK, "text/plain", "OK\n")),
        (&Method::GET, "/api/overview") => api::overview(shared).await,
        (&Method::GET, "/api/streams") => api::streams(shared, &query(&req)).await,
        (&Method::GET, "/api/stream") => api::stream(shared, &query(&req)).await,
        (&Method::GET, "/api/pending") => api::pending(shared, &query(&req)).await,
        (&Method::GET, "/api/lists") => api::lists(shared, &query(&req)).await,
        (&Method::GET, "/api/pubsub") => api::pubsub(shared).await,
        (&Method::GET, "/api/clients") => api::clients(shared).await,
        (&Method::GET, "/api/slowlog") => api::slowlog(shared).await,
        (&Method::POST, "/api/action") => {
            let is_json = req
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|c| c.starts_with("application/json"));
            if !is_json {
                return json(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    &serde_json::json!({"error": "actions take a JSON body (Content-Type: application/json)"}),
                );
            }
            let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => {
                    return json(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &serde_json::json!({"error": "request body too large"}),
                    )
                }
            };
            api::action(shared, &body, peer, user).await
        }
        (_, "/metrics" | "/" | "/api/action") => Ok(respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n",
        )),
        _ => Ok(respond(StatusCode::NOT_FOUND, "text/plain", "not found\n")),
    };
    res.unwrap_or_else(|crate::server::ScriptBusy| busy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_basic_credentials() {
        assert_eq!(
            base64_decode("ZGVmYXVsdDpzZWNyZXQ=").unwrap(),
            b"default:secret"
        );
        assert_eq!(base64_decode("OnA=").unwrap(), b":p");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("Y").is_none());
        assert!(base64_decode("Y*==").is_none());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c%2Fd"), b"a b c/d");
        assert_eq!(percent_decode("100%"), b"100%");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é".as_bytes());
    }
}
