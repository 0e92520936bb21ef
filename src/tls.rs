//! TLS (`tls-port`), as Redis configures it, on rustls, and the connection's socket that is
//! either plain TCP or TLS over it ([`Socket`]).
//!
//! The connection reads and writes without awaiting (readiness, then `try_read`/`try_write`):
//! [`Socket`] keeps that shape for TLS by driving a `rustls::ServerConnection` by hand.
//! Invariants:
//! - A read decrypts everything the TLS records read so far hold, so no plaintext is left
//!   inside rustls while the connection waits for the socket to become readable.
//! - Encrypted output the socket did not take waits in [`Socket::pending_out`]; the
//!   connection counts it as unsent and waits for writability until it is gone.
//! - The busy-script responder never reads a TLS socket (it would read ciphertext): a TLS
//!   connection is never marked idle for it, and one arriving during a busy script waits.

use bytes::BytesMut;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache, WebPkiClientVerifier};
use std::io::{self, Read, Write};
use std::sync::Arc;
use tokio::net::TcpStream;

use crate::config::Config;

/// The TLS 1.2 suites rustls (ring) has, by their OpenSSL names (`tls-ciphers`).
const TLS12_NAMES: &[(&str, &str)] = &[
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// A suite's IANA name (rustls names TLS 1.3 suites `TLS13_...`).
fn iana_name(s: &rustls::SupportedCipherSuite) -> String {
    let n = format!("{:?}", s.suite());
    match n.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => n,
    }
}

/// Keeps the suites of one TLS version that an OpenSSL-style list names: `tls-ciphersuites`
/// (TLS 1.3, `:`-separated IANA names) or `tls-ciphers` (TLS 1.2, OpenSSL names; `DEFAULT`,
/// `HIGH` and `ALL` take every suite, `!name` drops one). Empty: all of them.
fn pick_suites(
    all: &[rustls::SupportedCipherSuite],
    tls13: bool,
    list: &str,
    directive: &str,
) -> Result<Vec<rustls::SupportedCipherSuite>, String> {
    let of_version: Vec<_> = all
        .iter()
        .filter(|s| matches!(s, rustls::SupportedCipherSuite::Tls13(_)) == tls13)
        .copied()
        .collect();
    if list.trim().is_empty() {
        return Ok(of_version);
    }
    let name_of = |token: &str| -> Option<String> {
        if tls13 {
            Some(token.to_string())
        } else {
            TLS12_NAMES
                .iter()
                .find(|(o, _)| o.eq_ignore_ascii_case(token))
                .map(|(_, i)| i.to_string())
        }
    };
    let mut keep: Vec<rustls::SupportedCipherSuite> = Vec::new();
    for token in list.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
        if matches!(token, "DEFAULT" | "HIGH" | "ALL") {
            keep = of_version.clone();
            continue;
        }
        if let Some(drop) = token.strip_prefix(['!', '-']) {
            if let Some(name) = name_of(drop) {
                keep.retain(|s| iana_name(s) != name);
            }
            continue;
        }
        let name = name_of(token)
            .ok_or_else(|| format!("{directive}: unknown or unsupported cipher '{token}'"))?;
        let suite = of_version
            .iter()
            .find(|s| iana_name(s) == name)
            .ok_or_else(|| format!("{directive}: unknown or unsupported cipher '{token}'"))?;
        if !keep.contains(suite) {
            keep.push(*suite);
        }
    }
    Ok(keep)
}

fn load_certs(path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("Failed to load certificate: {path}: {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "Failed to load certificate: {path}: no certificate"
        ));
    }
    Ok(certs)
}

/// The CA roots of `tls-ca-cert-file` and every PEM file in `tls-ca-cert-dir`.
fn load_roots(file: &str, dir: &str) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    if !file.is_empty() {
        for c in load_certs(file)? {
            roots.add(c).map_err(|e| {
                format!("Failed to configure CA certificate(s) file/directory: {e}")
            })?;
        }
    }
    if !dir.is_empty() {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            format!("Failed to configure CA certificate(s) file/directory: {dir}: {e}")
        })?;
        for e in entries.flatten() {
            if let Ok(it) = CertificateDer::pem_file_iter(e.path()) {
                for c in it.flatten() {
                    let _ = roots.add(c);
                }
            }
        }
    }
    Ok(roots)
}

/// The server's TLS configuration from the `tls-*` directives (`tlsConfigure`), or why it
/// cannot be made (the server does not start).
pub fn server_config(cfg: &Config) -> Result<Arc<rustls::ServerConfig>, String> {
    let g = |n: &str| cfg.get(n).unwrap_or("").to_string();
    let (cert, key) = (g("tls-cert-file"), g("tls-key-file"));
    if cert.is_empty() || key.is_empty() {
        return Err("No tls-cert-file or tls-key-file configured!".into());
    }
    let auth = g("tls-auth-clients").to_ascii_lowercase();
    let (ca_file, ca_dir) = (g("tls-ca-cert-file"), g("tls-ca-cert-dir"));
    if auth != "no" && ca_file.is_empty() && ca_dir.is_empty() {
        return Err("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!".into());
    }
    // ring rather than aws-lc-rs (rustls now prefers it for its post-quantum key exchange):
    // no C build of aws-lc. The clients Redis deployments use (OpenSSL 3.0 redis-cli,
    // Python ssl) offer X25519 and P-256, which ring has.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let mut versions = Vec::new();
    let protocols = g("tls-protocols");
    if protocols.trim().is_empty() {
        versions = vec![&rustls::version::TLS12, &rustls::version::TLS13];
    } else {
        for p in protocols.split_whitespace() {
            match p.to_ascii_lowercase().as_str() {
                "tlsv1.2" => versions.push(&rustls::version::TLS12),
                "tlsv1.3" => versions.push(&rustls::version::TLS13),
                "tlsv1" | "tlsv1.1" => {
                    return Err(format!(
                        "tls-protocols: {p} is not supported (sluice speaks TLSv1.2 and TLSv1.3)"
                    ))
                }
                _ => return Err("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.".to_string()),
            }
        }
    }
    let mut suites = pick_suites(
        &provider.cipher_suites,
        true,
        &g("tls-ciphersuites"),
        "tls-ciphersuites",
    )?;
    suites.extend(pick_suites(
        &provider.cipher_suites,
        false,
        &g("tls-ciphers"),
        "tls-ciphers",
    )?);
    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: suites,
        ..provider
    });
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("Failed to configure TLS: {e}"))?;
    let builder = if auth == "no" {
        builder.with_no_client_auth()
    } else {
        let roots = Arc::new(load_roots(&ca_file, &ca_dir)?);
        let mut v = WebPkiClientVerifier::builder_with_provider(roots, provider);
        if auth == "optional" {
            v = v.allow_unauthenticated();
        }
        let v = v
            .build()
            .map_err(|e| format!("Failed to configure client certificate verification: {e}"))?;
        builder.with_client_cert_verifier(v)
    };
    if !g("tls-key-file-pass").is_empty() {
        return Err("tls-key-file-pass: encrypted private keys are not supported; decrypt the key (openssl pkey -in key.pem -out plain.pem) and name that file".into());
    }
    let certs = load_certs(&cert)?;
    let key = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| format!("Failed to load private key: {key}: {e}"))?;
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("Failed to configure TLS certificate: {e}"))?;
    config.ignore_client_order = g("tls-prefer-server-ciphers") == "yes";
    config.session_storage = if g("tls-session-caching") == "no" {
        Arc::new(NoServerSessionStorage {})
    } else {
        let size = g("tls-session-cache-size")
            .parse::<usize>()
            .unwrap_or(20480);
        ServerSessionMemoryCache::new(size.max(1))
    };
    Ok(Arc::new(config))
}

/// One TLS session's state beside its TCP socket.
struct Session {
    conn: rustls::ServerConnection,
    /// Encrypted output not yet taken by the socket: `out[pos..]`.
    out: Vec<u8>,
    pos: usize,
}

/// Reads TCP without waiting (rustls's `read_tls` takes an `io::Read`).
struct TcpRead<'a>(&'a TcpStream);

impl Read for TcpRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Session {
    /// Moves what rustls has to send into `out`.
    fn queue(&mut self) {
        while self.conn.wants_write() {
            if self.conn.write_tls(&mut self.out).is_err() {
                break;
            }
        }
    }

    /// Sends what `out` holds as far as the socket takes it; WouldBlock if some is left.
    fn flush(&mut self, tcp: &TcpStream) -> io::Result<()> {
        while self.pos < self.out.len() {
            let n = tcp.try_write(&self.out[self.pos..])?;
            self.pos += n;
        }
        self.out.clear();
        self.pos = 0;
        if self.out.capacity() > 1 << 20 {
            self.out = Vec::new();
        }
        Ok(())
    }
}

/// A connection's socket: plain TCP, or a TLS session over it.
pub struct Socket {
    pub tcp: TcpStream,
    tls: Option<Box<Session>>,
}

impl Socket {
    pub fn plain(tcp: TcpStream) -> Socket {
        Socket { tcp, tls: None }
    }

    pub fn tls(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> io::Result<Socket> {
        let conn = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
        Ok(Socket {
            tcp,
            tls: Some(Box::new(Session {
                conn,
                out: Vec::new(),
                pos: 0,
            })),
        })
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Encrypted bytes waiting for the socket.
    pub fn pending_out(&self) -> usize {
        self.tls.as_ref().map_or(0, |t| t.out.len() - t.pos)
    }

    /// Sends waiting encrypted bytes, as far as the socket takes them.
    pub fn flush_pending(&mut self) -> io::Result<()> {
        match &mut self.tls {
            Some(t) => match t.flush(&self.tcp) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
                r => r,
            },
            None => Ok(()),
        }
    }

    /// Reads what is there without waiting, as `TcpStream::try_read_buf` does: Ok(0) at the
    /// end of the stream, WouldBlock when nothing is. For TLS: the plaintext of every record
    /// read, after any handshake messages it took.
    pub fn try_read_buf(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        let Some(t) = &mut self.tls else {
            return self.tcp.try_read_buf(buf);
        };
        loop {
            let mut got = 0;
            let mut chunk = [0u8; 8192];
            loop {
                match t.conn.reader().read(&mut chunk) {
                    Ok(0) => {
                        if got > 0 {
                            return Ok(got);
                        }
                        // close_notify: the end of the stream.
                        return Ok(0);
                    }
                    Ok(n) => {
                        buf.extend_from_slice(&chunk[..n]);
                        got += n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
            if got > 0 {
                return Ok(got);
            }
            match t.conn.read_tls(&mut TcpRead(&self.tcp)) {
                Ok(0) => return Ok(0),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
            let processed = t.conn.process_new_packets();
            // Handshake messages, alerts, session tickets.
            t.queue();
            let _ = t.flush(&self.tcp);
            if let Err(e) = processed {
                return Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
        }
    }

    /// Writes what the socket takes now, as `TcpStream::try_write`: the bytes taken, or
    /// WouldBlock. For TLS a write is taken once encrypted; what the socket did not take
    /// yet is [`pending_out`](Self::pending_out), and nothing more is taken until it went.
    pub fn try_write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(t) = &mut self.tls else {
            return self.tcp.try_write(buf);
        };
        t.flush(&self.tcp)?;
        let n = t.conn.writer().write(&buf[..buf.len().min(64 * 1024)])?;
        t.queue();
        match t.flush(&self.tcp) {
            Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
            _ => {}
        }
        if n == 0 && !buf.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    /// Writes `msg` and waits (up to a second) until it went, finishing a TLS handshake
    /// first: for the one reply a refused connection gets (protected mode, maxclients).
    pub async fn write_final(&mut self, msg: &[u8]) {
        let Some(t) = &mut self.tls else {
            use tokio::io::AsyncWriteExt;
            let _ = self.tcp.write_all(msg).await;
            return;
        };
        // Taken before the handshake completes, sent after it.
        if t.conn.writer().write_all(msg).is_err() {
            return;
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            loop {
                let Some(t) = &mut self.tls else { return };
                t.queue();
                let _ = t.flush(&self.tcp);
                if !t.conn.is_handshaking() && t.out.len() == t.pos && !t.conn.wants_write() {
                    return;
                }
                let interest = if t.out.len() > t.pos {
                    tokio::io::Interest::READABLE | tokio::io::Interest::WRITABLE
                } else {
                    tokio::io::Interest::READABLE
                };
                if self.tcp.ready(interest).await.is_err() {
                    return;
                }
                let mut scratch = BytesMut::new();
                match self.try_read_buf(&mut scratch) {
                    Ok(0) => return,
                    Err(e) if e.kind() != io::ErrorKind::WouldBlock => return,
                    _ => {}
                }
            }
        })
        .await;
    }

    /// Ends a TLS session politely (close_notify), as far as the socket takes it now.
    pub fn close(&mut self) {
        if let Some(t) = &mut self.tls {
            t.conn.send_close_notify();
            t.queue();
            let _ = t.flush(&self.tcp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_lists_as_openssl_names_them() {
        #[allow(deprecated)]
        let all = rustls::crypto::ring::default_provider().cipher_suites;
        let names = |v: Vec<rustls::SupportedCipherSuite>| -> Vec<String> {
            v.iter().map(iana_name).collect()
        };
        assert_eq!(
            names(pick_suites(&all, true, "TLS_AES_256_GCM_SHA384", "x").unwrap()),
            ["TLS_AES_256_GCM_SHA384"]
        );
        assert_eq!(pick_suites(&all, true, "", "x").unwrap().len(), 3);
        assert_eq!(
            names(
                pick_suites(
                    &all,
                    false,
                    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
                    "x"
                )
                .unwrap()
            ),
            [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
            ]
        );
        let most = pick_suites(&all, false, "DEFAULT:!ECDHE-RSA-CHACHA20-POLY1305", "x").unwrap();
        assert_eq!(most.len(), 5);
        assert_eq!(
            pick_suites(&all, false, "RC4-MD5", "tls-ciphers").unwrap_err(),
            "tls-ciphers: unknown or unsupported cipher 'RC4-MD5'"
        );
    }
}
