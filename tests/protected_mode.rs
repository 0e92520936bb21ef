//! Protected mode seen from another host: a network namespace with a veth pair, made by the
//! test (iproute2; the test command runs as root), connects to sluice bound to the host end.

mod common;

use common::*;
use std::process::Command;

/// A namespace and veth pair, removed when dropped.
struct Netns {
    name: String,
    host_if: String,
    pub host_ip: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("iproute2's ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Netns {
    fn new() -> Netns {
        let n = std::process::id() % 250;
        let name = format!("slpm{}", std::process::id());
        let (host_if, ns_if) = (format!("slh{n}"), format!("sln{n}"));
        let (host_ip, ns_ip) = (format!("10.231.{n}.1"), format!("10.231.{n}.2"));
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        let _ = Command::new("ip").args(["link", "del", &host_if]).output();
        ip(&["netns", "add", &name]);
        let ns = Netns {
            name: name.clone(),
            host_if: host_if.clone(),
            host_ip: host_ip.clone(),
        };
        ip(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", &ns_if,
        ]);
        ip(&["link", "set", &ns_if, "netns", &name]);
        ip(&["addr", "add", &format!("{host_ip}/24"), "dev", &host_if]);
        ip(&["link", "set", &host_if, "up"]);
        ip(&[
            "netns",
            "exec",
            &name,
            "ip",
            "addr",
            "add",
            &format!("{ns_ip}/24"),
            "dev",
            &ns_if,
        ]);
        ip(&["netns", "exec", &name, "ip", "link", "set", &ns_if, "up"]);
        ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]);
        ns
    }

    /// Sends `PING` from inside the namespace to `host_ip:port`; the first reply line.
    fn ping(&self, port: u16) -> String {
        let script = format!(
            "import socket\ns=socket.create_connection(('{}',{}),timeout=5)\ns.sendall(b'PING\\r\\n')\nprint(s.makefile('rb').readline().decode().strip())",
            self.host_ip, port
        );
        let out = Command::new("ip")
            .args(["netns", "exec", &self.name, "python3", "-c", &script])
            .output()
            .expect("python3 in the namespace");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_if])
            .output();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

#[test]
fn protected_mode_refuses_other_hosts_until_the_default_user_has_a_password() {
    let ns = Netns::new();
    // One port for both addresses (port 0 would give each its own).
    let port = free_port().to_string();
    let s = TestServer::start(&["--port", &port, "--bind", "127.0.0.1", &ns.host_ip]);
    let denied = ns.ping(s.port);
    assert!(
        denied.starts_with("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."),
        "{denied}"
    );
    // Loopback is always served.
    let mut local = s.raw();
    assert_eq!(local.call(&["PING"]), "+PONG\r\n");
    // A password for the default user (requirepass, or ACL): other hosts may connect and
    // must authenticate.
    local.call(&["CONFIG", "SET", "requirepass", "pw"]);
    assert_eq!(ns.ping(s.port), "-NOAUTH Authentication required.");
    local.call(&["AUTH", "pw"]);
    local.call(&["CONFIG", "SET", "requirepass", ""]);
    assert!(ns.ping(s.port).starts_with("-DENIED"));
    local.call(&["ACL", "SETUSER", "default", "resetpass", ">acl-pw"]);
    assert_eq!(ns.ping(s.port), "-NOAUTH Authentication required.");
    local.call(&["ACL", "SETUSER", "default", "nopass"]);
    // Protected mode off: served without a password.
    local.call(&["CONFIG", "SET", "protected-mode", "no"]);
    assert_eq!(ns.ping(s.port), "+PONG");
}
