//! The command-level test tier: commands run against an in-process [`Store`] through the
//! same path a connection takes (`process`, then serving blocked clients and dispatching their
//! replies), returning the reply bytes. No sockets, no tasks: table-driven tests beside each
//! family (`["lpush", "l", "a"] => ":1\r\n"`), fast enough to run thousands.
//!
//! - [`run`]: one command on a fresh client of `store`.
//! - [`Session`]: a store with several clients, for what needs state across commands (MULTI,
//!   SELECT, WATCH) or a second client (a blocked one, served by another's write).

use super::{dispatch_served, process, serve_blocked, Outcome};
use crate::client::{Client, ClientInfo, ClientShared};
use crate::config::Config;
use crate::mailbox::Mail;
use crate::store::Store;
use bytes::Bytes;
use std::sync::Arc;

/// Runs `argv` on a fresh client of `store`; the reply bytes (RESP2).
pub fn run(store: &mut Store, argv: &[&str]) -> Vec<u8> {
    let id = store.next_client_id;
    store.next_client_id += 1;
    let mut client = Client::new(Arc::new(ClientShared::new(id)), true);
    exec(store, &mut client, argv)
}

/// Runs one command as a connection does between reads: process it, register the client if
/// it blocked, serve clients blocked on keys it made ready, dispatch their replies.
fn exec(store: &mut Store, client: &mut Client, argv: &[&str]) -> Vec<u8> {
    let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    exec_bytes(store, client, &argv)
}

/// [`exec`] with binary arguments.
fn exec_bytes(store: &mut Store, client: &mut Client, argv: &[&[u8]]) -> Vec<u8> {
    let argv: Vec<Bytes> = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
    let proto = if client.resp == 3 {
        resp::Protocol::Resp3
    } else {
        resp::Protocol::Resp2
    };
    let mut out = resp::ReplyWriter::new(proto);
    store.refresh_clock();
    if let Outcome::Blocked(mut req) = process(store, client, argv, &mut out) {
        super::block_client(store, client, &mut req);
    }
    serve_blocked(store);
    dispatch_served(store, None);
    out.take()
}

/// A store and its clients, by index (client 0 exists from the start).
pub struct Session {
    pub store: Store,
    clients: Vec<Client>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(Config::default())
    }
}

impl Session {
    pub fn new(config: Config) -> Session {
        let mut s = Session {
            store: Store::new(config),
            clients: Vec::new(),
        };
        s.client(0);
        s
    }

    /// Client `i`, created (with the next client id) on first use.
    pub fn client(&mut self, i: usize) -> &mut Client {
        while self.clients.len() <= i {
            let id = self.store.next_client_id;
            self.store.next_client_id += 1;
            let shared = Arc::new(ClientShared::new(id));
            // In the registry, as a connection's client is: pub/sub delivers through it.
            let info = ClientInfo::new(shared.clone(), "test".into(), "test".into(), 0);
            self.store.clients.insert(id, info);
            self.clients.push(Client::new(shared, true));
        }
        &mut self.clients[i]
    }

    /// Runs `argv` as client 0.
    pub fn run(&mut self, argv: &[&str]) -> String {
        self.run_as(0, argv)
    }

    /// Runs binary `argv` as client 0; the reply bytes.
    pub fn run_bytes(&mut self, argv: &[&[u8]]) -> Vec<u8> {
        exec_bytes(&mut self.store, &mut self.clients[0], argv)
    }

    /// Runs `argv` as client `i`; the reply as text (RESP is ASCII framing).
    pub fn run_as(&mut self, i: usize, argv: &[&str]) -> String {
        self.client(i);
        let reply = exec(&mut self.store, &mut self.clients[i], argv);
        String::from_utf8_lossy(&reply).into_owned()
    }

    /// Whether client `i` is blocked.
    pub fn is_blocked(&mut self, i: usize) -> bool {
        let id = self.client(i).id;
        self.store.blocking.is_blocked(id)
    }

    /// The reply mailed to client `i` (a served blocked command), if any.
    pub fn served(&mut self, i: usize) -> Option<String> {
        match self.client(i).shared.mailbox.try_recv()? {
            Mail::Reply(r, _) => Some(String::from_utf8_lossy(&r).into_owned()),
            Mail::Push(p) => Some(String::from_utf8_lossy(&p).into_owned()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random command programs (the command-level fuzz target, `fuzz/fuzz_targets/command.rs`, and
// its corpus replay in `tests/fuzz_corpus.rs`)
// ---------------------------------------------------------------------------------------------

/// Commands a program never runs: they end the process, sleep, write files into the working
/// directory, or run Lua (a script may loop for ever, which is no bug).
const NOT_FUZZED: &[&str] = &[
    "shutdown",
    "debug",
    "save",
    "bgsave",
    "bgrewriteaof",
    "eval",
    "evalsha",
    "eval_ro",
    "evalsha_ro",
    "fcall",
    "fcall_ro",
    "function",
    "script",
    "monitor",
    "migrate",
    "acl|save",
    "acl|load",
    "config|rewrite",
    "sluice.delay",
];

/// Arguments drawn from what commands parse: keys (a few, so commands meet each other's
/// values), numbers at the edges, stream IDs, options.
const WORDS: &[&str] = &[
    "k",
    "k2",
    "{k}3",
    "s",
    "h",
    "z",
    "l",
    "0",
    "1",
    "-1",
    "2",
    "10",
    "100",
    "1.5",
    "-0",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "1e300",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "0-0",
    "0-1",
    "1-1",
    "1-*",
    "*",
    "$",
    ">",
    "+",
    "-",
    "(",
    "[a",
    "(1",
    "g",
    "c",
    "f",
    "v",
    "",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "NX",
    "XX",
    "GT",
    "LT",
    "CH",
    "INCR",
    "COUNT",
    "MATCH",
    "TYPE",
    "LIMIT",
    "WITHSCORES",
    "WITHSCORE",
    "BYSCORE",
    "BYLEX",
    "REV",
    "MAXLEN",
    "MINID",
    "~",
    "=",
    "GROUP",
    "STREAMS",
    "BLOCK",
    "NOACK",
    "IDS",
    "KEEPTTL",
    "GET",
    "FIELDS",
    "WEIGHTS",
    "AGGREGATE",
    "SUM",
    "MIN",
    "MAX",
    "STORE",
    "ALPHA",
    "DESC",
    "BY",
    "RESET",
    "IDLE",
    "TIME",
    "RETRYCOUNT",
    "FORCE",
    "JUSTID",
    "MKSTREAM",
    "ENTRIESREAD",
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "ASYNC",
    "SYNC",
    "CLAIM",
    "KEEPREF",
    "DELREF",
    "ACKED",
    "IDMP",
    "IDMPAUTO",
    "FULL",
    "CONSUMERS",
    "PERSIST",
    "FNX",
    "FXX",
    "WITHVALUES",
    "NOVALUES",
    "on",
    "off",
    "yes",
    "no",
    "*k*",
    "user",
    ">pw",
    "~*",
    "+@all",
    "-@all",
    "allkeys",
    "&*",
];

/// Decodes fuzz input into commands: per command a byte choosing a row of the command table
/// (a container's subcommand as its two words), a byte for the number of arguments, then per
/// argument a byte choosing a word, or (high bit set) raw bytes of the length it says.
pub fn fuzz_program(data: &[u8]) -> Vec<Vec<Bytes>> {
    let rows: Vec<&'static str> = crate::acl::all_commands()
        .iter()
        .filter(|c| c.row.subcommands.is_empty())
        .map(|c| c.full_name)
        .filter(|n| {
            !NOT_FUZZED
                .iter()
                .any(|x| *x == *n || n.split('|').next() == Some(*x))
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut next = || {
        let b = data.get(i).copied();
        i += 1;
        b
    };
    while let (Some(c), Some(n)) = (next(), next()) {
        let name = rows[c as usize % rows.len()];
        let mut argv: Vec<Bytes> = name
            .split('|')
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect();
        for _ in 0..(n % 9) {
            let Some(a) = next() else { break };
            if a & 0x80 == 0 {
                argv.push(Bytes::from_static(
                    WORDS[a as usize % WORDS.len()].as_bytes(),
                ));
            } else {
                let len = (a & 0x3f) as usize;
                let raw: Vec<u8> = (0..len).map_while(|_| next()).collect();
                argv.push(Bytes::from(raw));
            }
        }
        out.push(argv);
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// Runs a fuzz program on a fresh store as two clients taking turns (so blocking commands
/// are served by the other's writes); panics only if a command does. Each reply must be
/// one or more whole RESP frames.
pub fn run_fuzz_program(data: &[u8]) {
    let mut config = Config::default();
    // Nothing a program does may touch files outside a temporary directory.
    config.dir = std::env::temp_dir();
    let mut s = Session::new(config);
    for (n, argv) in fuzz_program(data).into_iter().enumerate() {
        let who = n % 2;
        s.client(who);
        let argv: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        let reply = exec_bytes(&mut s.store, &mut s.clients[who], &argv);
        assert!(
            reply.is_empty() || resp::frames_complete(&reply),
            "a reply that is not whole RESP frames: {:?}",
            String::from_utf8_lossy(&reply)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_serves_the_client_blocked_on_its_key() {
        let mut s = Session::default();
        assert_eq!(s.run_as(1, &["blpop", "q", "0"]), "");
        assert!(s.is_blocked(1));
        assert_eq!(s.run(&["rpush", "q", "a"]), ":1\r\n");
        assert_eq!(s.served(1).as_deref(), Some("*2\r\n$1\r\nq\r\n$1\r\na\r\n"));
        assert!(!s.is_blocked(1));
        assert_eq!(s.run(&["exists", "q"]), ":0\r\n");
    }

    #[test]
    fn one_shot_runs_share_the_store() {
        let mut store = Store::new(Config::default());
        assert_eq!(run(&mut store, &["set", "k", "v"]), b"+OK\r\n");
        assert_eq!(run(&mut store, &["get", "k"]), b"$1\r\nv\r\n");
        assert_eq!(
            run(&mut store, &["nosuch"]),
            b"-ERR unknown command 'nosuch', with args beginning with: \r\n"
        );
    }
}
