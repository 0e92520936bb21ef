//! Test support: an in-process sluice on 127.0.0.1 with an ephemeral port, and a raw client.

#![allow(dead_code)]

use sluice::config::Config;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub struct TestServer {
    pub rt: Option<tokio::runtime::Runtime>,
    pub port: u16,
    /// The HTTP listener's port, when `sluice-http-port` was given.
    pub http_port: Option<u16>,
    pub shared: Arc<sluice::server::Shared>,
    pub dir: PathBuf,
    join: Option<tokio::task::JoinHandle<()>>,
    keep_dir: bool,
}

/// A loopback port free a moment ago (for listeners that take a fixed port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request (`Connection: close`): status, headers, body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    (status, head, body)
}

pub fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("sluice-test-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

impl TestServer {
    /// Starts with `appendonly no` unless the directives say otherwise.
    pub fn start(directives: &[&str]) -> TestServer {
        TestServer::start_in(temp_dir("srv"), directives)
    }

    pub fn start_in(dir: PathBuf, directives: &[&str]) -> TestServer {
        let mut args: Vec<String> =
            // No save points (Redis's default has them): no test writes a dump.rdb unasked.
            vec!["--port", "0", "--bind", "127.0.0.1", "--appendonly", "no", "--save", ""]
                .into_iter()
                .map(String::from)
                .collect();
        args.push("--dir".into());
        args.push(dir.display().to_string());
        args.extend(directives.iter().map(|s| s.to_string()));
        let mut cfg = Config::default();
        cfg.load_text(&Config::args_to_text(&args), &mut vec![])
            .expect("config");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = rt
            .block_on(sluice::server::start(cfg, None))
            .expect("start");
        let port = handle.addrs[0].port();
        let t = TestServer {
            rt: Some(rt),
            port,
            http_port: handle.http_addrs.first().map(|a| a.port()),
            shared: handle.shared,
            dir,
            join: Some(handle.join),
            keep_dir: false,
        };
        // Wait until loading finished.
        let mut c = t.raw();
        for _ in 0..500 {
            if c.call(&["PING"]) == "+PONG\r\n" {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // And until the server has let that connection go: a test counting clients
        // (maxclients) must not race its close.
        drop(c);
        for _ in 0..500 {
            if t.shared.store.lock().unwrap().clients.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        t
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn client(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn client3(&self) -> redis::Connection {
        redis::Client::open(format!("{}?protocol=resp3", self.url()))
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn raw(&self) -> Raw {
        Raw::connect(self.port)
    }

    /// Graceful stop (as SIGTERM would), keeping the directory for a restart.
    pub fn stop(mut self) -> PathBuf {
        self.keep_dir = true;
        self.shutdown();
        self.dir.clone()
    }

    fn shutdown(&mut self) {
        if let Some(rt) = self.rt.take() {
            self.shared.request_shutdown();
            if let Some(j) = self.join.take() {
                let _ =
                    rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), j).await });
            }
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A raw RESP client: sends arrays, reads exact reply bytes.
pub struct Raw {
    pub reader: BufReader<TcpStream>,
    pub writer: TcpStream,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        Raw {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    pub fn send(&mut self, argv: &[&str]) {
        self.writer.write_all(&encode(argv)).unwrap();
    }

    pub fn send_raw(&mut self, b: &[u8]) {
        self.writer.write_all(b).unwrap();
    }

    /// One reply frame as a string (bytes must be UTF-8 in these tests).
    pub fn read(&mut self) -> String {
        let mut out = Vec::new();
        read_frame(&mut self.reader, &mut out).expect("reply");
        String::from_utf8(out).unwrap()
    }

    pub fn try_read(&mut self) -> std::io::Result<String> {
        let mut out = Vec::new();
        read_frame(&mut self.reader, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    pub fn call(&mut self, argv: &[&str]) -> String {
        self.send(argv);
        self.read()
    }

    pub fn set_timeout(&self, d: Duration) {
        self.writer.set_read_timeout(Some(d)).unwrap();
    }

    /// True when the server closed the connection (EOF on read).
    pub fn is_closed(&mut self) -> bool {
        self.set_timeout(Duration::from_secs(5));
        let mut b = [0u8; 1];
        matches!(self.reader.read(&mut b), Ok(0) | Err(_))
    }
}

pub fn encode(argv: &[&str]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", argv.len()).into_bytes();
    for a in argv {
        v.extend_from_slice(format!("${}\r\n{}\r\n", a.len(), a).as_bytes());
    }
    v
}

fn read_frame<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed",
        ));
    }
    out.extend_from_slice(&line);
    let n: i64 = std::str::from_utf8(&line[1..line.len() - 2])
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    match line[0] {
        b'$' | b'=' | b'!' if n >= 0 => {
            let mut buf = vec![0u8; n as usize + 2];
            r.read_exact(&mut buf)?;
            out.extend_from_slice(&buf);
        }
        b'*' | b'~' | b'>' => {
            for _ in 0..n.max(0) {
                read_frame(r, out)?;
            }
        }
        b'%' => {
            for _ in 0..(2 * n).max(0) {
                read_frame(r, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Every AOF file of the server's directory, as text (for checking what was propagated).
pub fn aof_text(dir: &std::path::Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir.join("appendonlydir")).unwrap() {
        all.push_str(&String::from_utf8_lossy(
            &std::fs::read(e.unwrap().path()).unwrap(),
        ));
    }
    all
}

/// Waits (up to 20 s) until no AOF rewrite is in progress.
pub fn wait_rewrite(r: &mut Raw) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while r
        .call(&["INFO", "persistence"])
        .contains("aof_rewrite_in_progress:1")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "rewrite never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
