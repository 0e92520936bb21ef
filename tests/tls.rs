//! TLS over the wire (`tls-port`): redis-cli --tls and redis-py over `ssl` with a client
//! certificate, the `tls-auth-clients` modes, TLS only (`port 0`), configuration errors, and
//! a client that is not speaking TLS. Certificates are made with the openssl command.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`.
fn make_certs(dir: &Path) {
    std::fs::write(
        dir.join("srv.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    std::fs::write(dir.join("cli.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=test CA",
        ],
    );
    for (name, ext) in [("server", "srv.ext"), ("client", "cli.ext")] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.crt"),
                "-days",
                "2",
                "-extfile",
                ext,
            ],
        );
    }
}

struct Tls {
    dir: PathBuf,
}

impl Tls {
    fn new() -> Tls {
        let dir = temp_dir("tls-certs");
        make_certs(&dir);
        Tls { dir }
    }

    fn f(&self, n: &str) -> String {
        self.dir.join(n).display().to_string()
    }

    /// The server directives, with `tls-port` and the rest.
    fn directives(&self, tls_port: u16, extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "--tls-port",
            &tls_port.to_string(),
            "--tls-cert-file",
            &self.f("server.crt"),
            "--tls-key-file",
            &self.f("server.key"),
            "--tls-ca-cert-file",
            &self.f("ca.crt"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }

    /// redis-cli over TLS; `cert`: with the client certificate.
    fn cli(&self, port: u16, cert: bool, args: &[&str]) -> (bool, String) {
        let mut c = Command::new("redis-cli");
        c.args([
            "-p",
            &port.to_string(),
            "--tls",
            "--cacert",
            &self.f("ca.crt"),
        ]);
        if cert {
            c.args([
                "--cert",
                &self.f("client.crt"),
                "--key",
                &self.f("client.key"),
            ]);
        }
        let out = c.args(args).output().expect("redis-cli");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text.trim().to_string())
    }
}

fn start(t: &Tls, extra: &[&str]) -> (TestServer, u16) {
    let tls_port = free_port();
    // A plain port too: the harness checks readiness over it.
    let plain = free_port().to_string();
    let mut d = vec!["--port".to_string(), plain];
    d.extend(t.directives(tls_port, extra));
    let d: Vec<&str> = d.iter().map(String::as_str).collect();
    (TestServer::start(&d), tls_port)
}

#[test]
fn redis_cli_and_redis_py_over_tls_with_a_client_certificate() {
    let t = Tls::new();
    let (s, port) = start(&t, &[]);
    assert_eq!(t.cli(port, true, &["PING"]), (true, "PONG".into()));
    assert_eq!(t.cli(port, true, &["SET", "k", "v"]).1, "OK");
    assert_eq!(t.cli(port, true, &["GET", "k"]).1, "v");
    // tls-auth-clients yes (the default): no certificate, no connection.
    let (_, refused) = t.cli(port, false, &["PING"]);
    assert!(!refused.contains("PONG"), "{refused}");
    // redis-py over ssl: a queue round trip, a pipeline larger than the socket buffers, and
    // a 5 MB value each way (partial TLS writes on both sides).
    let script = format!(
        r#"
import redis
r = redis.Redis(port={port}, ssl=True, ssl_ca_certs={ca:?}, ssl_certfile={cert:?}, ssl_keyfile={key:?})
assert r.ping()
r.xgroup_create("q", "g", id="0", mkstream=True)
i = r.xadd("q", {{"job": "1"}})
got = r.xreadgroup("g", "w", {{"q": ">"}}, count=1)
assert got[0][1][0][0] == i, got
assert r.xack("q", "g", i) == 1
p = r.pipeline(transaction=False)
for n in range(3000):
    p.set("x%d" % n, "v" * 500)
assert all(p.execute())
assert len(r.keys("x*")) == 3000
r.set("big", b"z" * 5000000)
assert len(r.get("big")) == 5000000
print("ok")
"#,
        ca = t.f("ca.crt"),
        cert = t.f("client.crt"),
        key = t.f("client.key"),
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ok",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The plain port serves the same data; CLIENT LIST counts the TLS clients like others.
    let mut plain = s.raw();
    assert_eq!(plain.call(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(plain.call(&["XLEN", "q"]), ":1\r\n");
}

#[test]
fn tls_auth_clients_optional_and_no() {
    let t = Tls::new();
    for mode in ["optional", "no"] {
        let (_s, port) = start(&t, &["--tls-auth-clients", mode]);
        assert_eq!(
            t.cli(port, false, &["PING"]),
            (true, "PONG".into()),
            "{mode}"
        );
        assert_eq!(
            t.cli(port, true, &["PING"]),
            (true, "PONG".into()),
            "{mode}"
        );
    }
}

#[test]
fn tls_only_and_configuration_errors() {
    let t = Tls::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = |args: &[String]| {
        let mut base: Vec<String> = ["--bind", "127.0.0.1", "--appendonly", "no", "--save", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        base.extend(args.iter().cloned());
        let mut cfg = sluice::config::Config::default();
        cfg.load_text(&sluice::config::Config::args_to_text(&base), &mut vec![])
            .unwrap();
        cfg
    };
    // `port 0` with a tls-port: TLS only.
    let tls_port = free_port();
    let mut d = vec!["--port".to_string(), "0".into()];
    d.extend(t.directives(tls_port, &[]));
    let h = rt
        .block_on(sluice::server::start(config(&d), None))
        .expect("start");
    assert!(h.addrs.is_empty(), "no plain listener: {:?}", h.addrs);
    assert_eq!(h.tls_addrs.len(), 1);
    assert_eq!(t.cli(tls_port, true, &["PING"]), (true, "PONG".into()));
    // Not TLS at all on the TLS port: that client is closed, others are served.
    {
        use std::io::{Read, Write};
        let mut raw = std::net::TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
        raw.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        raw.write_all(b"PING\r\n").unwrap();
        let mut b = [0u8; 64];
        let n = raw.read(&mut b).unwrap_or(0);
        assert!(!String::from_utf8_lossy(&b[..n]).contains("PONG"));
        assert!(matches!(raw.read(&mut b), Ok(0) | Err(_)));
    }
    assert_eq!(t.cli(tls_port, true, &["PING"]), (true, "PONG".into()));
    h.shared.request_shutdown();
    // Errors that stop the start, in Redis's words where Redis has them.
    let err = |args: Vec<String>| {
        rt.block_on(sluice::server::start(config(&args), None))
            .err()
            .expect("refused")
            .to_string()
    };
    let p = free_port().to_string();
    assert_eq!(
        err(vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            p.clone()
        ]),
        "No tls-cert-file or tls-key-file configured!"
    );
    let no_ca = vec![
        "--port".into(),
        "0".into(),
        "--tls-port".into(),
        p.clone(),
        "--tls-cert-file".into(),
        t.f("server.crt"),
        "--tls-key-file".into(),
        t.f("server.key"),
    ];
    assert!(err(no_ca.clone())
        .starts_with("Either tls-ca-cert-file or tls-ca-cert-dir must be specified"));
    let mut bad = no_ca.clone();
    bad.extend([
        "--tls-auth-clients".into(),
        "no".into(),
        "--tls-protocols".into(),
        "TLSv1.1".into(),
    ]);
    assert!(err(bad).contains("TLSv1.1 is not supported"));
    let mut missing = no_ca;
    missing[7] = t.f("nosuch.key");
    missing.extend(["--tls-auth-clients".into(), "no".into()]);
    assert!(err(missing).starts_with("Failed to load private key"));
}
