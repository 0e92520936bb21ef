//! The command table as data: one [`Command`] row per command, declared by each family beside
//! its handlers (`COMMANDS` in `keys.rs`, `strings.rs`, ...), as Redis's `commands/*.json`
//! describe them: arity, flags, ACL categories, key specs (begin-search by index or keyword,
//! find-keys by range or key count, with RW/OW/RM and access/update/insert/delete flags),
//! tips, docs (summary, since, group, complexity, history, arguments), subcommands.
//!
//! Everything COMMAND reports comes from the rows alone: [`write_info`] (COMMAND INFO),
//! [`write_docs`] (COMMAND DOCS), [`keys_with_flags`] (COMMAND GETKEYS and GETKEYSANDFLAGS, Redis's
//! `getKeysUsingKeySpecs`); no command is special-cased by name. The rows of the commands
//! Redis 7.2 has were taken from the oracle by `scripts/command-rows.py`.

use super::Handler;
use bytes::Bytes;
use resp::ReplyWriter;

// Command flags (Redis's `CMD_*`).
pub const WRITE: u32 = 1 << 0;
pub const READONLY: u32 = 1 << 1;
pub const DENYOOM: u32 = 1 << 2;
pub const ADMIN: u32 = 1 << 3;
pub const PUBSUB: u32 = 1 << 4;
pub const NOSCRIPT: u32 = 1 << 5;
pub const BLOCKING: u32 = 1 << 6;
pub const LOADING: u32 = 1 << 7;
pub const STALE: u32 = 1 << 8;
pub const FAST: u32 = 1 << 9;
pub const NO_AUTH: u32 = 1 << 10;
pub const NO_MULTI: u32 = 1 << 11;
pub const ALLOW_BUSY: u32 = 1 << 12;
pub const MOVABLE_KEYS: u32 = 1 << 13;
pub const SKIP_SLOWLOG: u32 = 1 << 14;
pub const SKIP_MONITOR: u32 = 1 << 15;
/// Not shown by COMMAND INFO (hidden in Redis too).
pub const MAY_REPLICATE: u32 = 1 << 16;
pub const NO_MANDATORY_KEYS: u32 = 1 << 17;
pub const NO_ASYNC_LOADING: u32 = 1 << 18;
/// Served to a client in the ASKING state during a cluster slot migration (RESTORE-ASKING).
pub const ASKING: u32 = 1 << 19;

/// The flags COMMAND INFO shows, in Redis's order (`addReplyFlagsForCommand`).
pub const FLAG_NAMES: &[(u32, &str)] = &[
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (SKIP_MONITOR, "skip_monitor"),
    (SKIP_SLOWLOG, "skip_slowlog"),
    (ASKING, "asking"),
    (FAST, "fast"),
    (NO_AUTH, "no_auth"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (NO_ASYNC_LOADING, "no_async_loading"),
    (NO_MULTI, "no_multi"),
    (MOVABLE_KEYS, "movablekeys"),
    (ALLOW_BUSY, "allow_busy"),
];

/// One row of the command table.
pub struct Command {
    pub name: &'static str,
    /// Redis arity: N exact, -N at least N (the command name counts).
    pub arity: i32,
    /// Command flags (`WRITE`, `READONLY`, ... in `cmd/mod.rs`).
    pub flags: u32,
    /// ACL categories, without the `@`, in the order Redis lists them.
    pub acl: &'static [&'static str],
    /// COMMAND INFO's legacy first key, last key and step.
    pub legacy_keys: (i32, i32, i32),
    pub key_specs: &'static [KeySpec],
    pub tips: &'static [&'static str],
    pub handler: Handler,
    pub doc: Doc,
    pub subcommands: &'static [Command],
    /// For key specs flagged `variable_flags` or `incomplete`: the keys and flags of one
    /// call as the command itself reads its arguments (Redis's `getkeys_proc`).
    pub getkeys: Option<GetKeys>,
}

/// A command's own key extraction: positions in argv with their flags.
pub type GetKeys = fn(&[Bytes]) -> Vec<(usize, &'static [&'static str])>;

impl Command {
    pub const DEFAULT: Command = Command {
        name: "",
        arity: 0,
        flags: 0,
        acl: &[],
        legacy_keys: (0, 0, 0),
        key_specs: &[],
        tips: &[],
        handler: container,
        doc: Doc::DEFAULT,
        subcommands: &[],
        getkeys: None,
    };

    /// Whether the command takes keys at all (`doesCommandHaveKeys`).
    pub fn has_keys(&self) -> bool {
        self.key_specs.iter().any(|s| !s.has_flag("NOT_KEY"))
    }

    pub fn in_category(&self, cat: &str) -> bool {
        self.acl.iter().any(|c| c.eq_ignore_ascii_case(cat))
    }
}

/// A container's handler when called without a subcommand it knows (never dispatched: the
/// dispatcher answers unknown subcommands itself).
fn container(_: &mut super::Ctx, _: &[Bytes]) -> crate::error::CmdResult {
    Err(crate::error::CmdError::Syntax)
}

/// What COMMAND DOCS shows of a command.
pub struct Doc {
    pub summary: &'static str,
    pub since: &'static str,
    pub group: &'static str,
    pub complexity: &'static str,
    pub doc_flags: &'static [&'static str],
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, what changed).
    pub history: &'static [(&'static str, &'static str)],
    pub args: &'static [Arg],
}

impl Doc {
    pub const DEFAULT: Doc = Doc {
        summary: "",
        since: "",
        group: "",
        complexity: "",
        doc_flags: &[],
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        args: &[],
    };
}

pub const ARG_OPTIONAL: u8 = 1 << 0;
pub const ARG_MULTIPLE: u8 = 1 << 1;
pub const ARG_MULTIPLE_TOKEN: u8 = 1 << 2;

/// One argument of a command's docs (Redis's `redisCommandArg`).
pub struct Arg {
    pub name: &'static str,
    /// `key`, `string`, `integer`, `double`, `pattern`, `unix-time`, `pure-token`, `oneof`,
    /// `block`.
    pub kind: &'static str,
    pub display: Option<&'static str>,
    /// The key spec this key argument belongs to; -1 for none.
    pub key_spec: i32,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub flags: u8,
    pub args: &'static [Arg],
}

impl Arg {
    pub const DEFAULT: Arg = Arg {
        name: "",
        kind: "string",
        display: None,
        key_spec: -1,
        token: None,
        summary: None,
        since: None,
        deprecated_since: None,
        flags: 0,
        args: &[],
    };
}

/// A key specification (Redis's `keySpec`).
pub struct KeySpec {
    pub notes: &'static str,
    /// `RO`, `RW`, `OW`, `RM`; `access`, `update`, `insert`, `delete`; `not_key`,
    /// `incomplete`, `variable_flags`.
    pub flags: &'static [&'static str],
    pub begin: Begin,
    pub find: Find,
}

impl KeySpec {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x.eq_ignore_ascii_case(f))
    }
}

/// Where the search for a spec's keys begins.
pub enum Begin {
    /// At this argument index.
    Index(i32),
    /// After this keyword, searched from `startfrom` (negative: from the end, backwards).
    Keyword(&'static str, i32),
    Unknown,
}

/// How the keys are found from where the search began.
pub enum Find {
    /// Up to `lastkey` (relative to the first key; negative: from the end of the arguments,
    /// or, with `limit` > 1, from the end of the first 1/`limit` of what remains).
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    /// The argument `keynumidx` after the first holds the number of keys, which start
    /// `firstkey` after it.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

/// `getKeysUsingKeySpecs`: the positions of `argv`'s keys (argv[0] is the command name, or
/// the subcommand's container) with the flags of the spec that found each.
pub fn keys_with_flags(cmd: &Command, argv: &[Bytes]) -> Vec<(usize, &'static [&'static str])> {
    if let Some(getkeys) = cmd.getkeys {
        return getkeys(argv);
    }
    let argc = argv.len() as i64;
    let mut out = Vec::new();
    for spec in cmd.key_specs {
        let first = match spec.begin {
            Begin::Index(i) => i as i64,
            Begin::Keyword(kw, startfrom) => {
                let (start, end, step) = if startfrom > 0 {
                    (startfrom as i64, argc - 1, 1)
                } else {
                    (argc + startfrom as i64, 0, -1)
                };
                let mut i = start;
                let mut found = 0;
                while (step > 0 && i <= end) || (step < 0 && i >= end) {
                    if i >= 0 && i < argc && argv[i as usize].eq_ignore_ascii_case(kw.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    i += step;
                }
                found
            }
            Begin::Unknown => 0,
        };
        if first <= 0 || first >= argc {
            continue;
        }
        let (first, last, step) = match spec.find {
            Find::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit <= 1 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (first, last, keystep as i64)
            }
            Find::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                let at = first + keynumidx as i64;
                let Some(n) = argv
                    .get(at as usize)
                    .and_then(|a| crate::util::parse_i64(a))
                else {
                    continue;
                };
                let start = first + firstkey as i64;
                (start, start + (n - 1) * keystep as i64, keystep as i64)
            }
            Find::Unknown => continue,
        };
        let mut i = first;
        while i <= last && i < argc && step > 0 {
            out.push((i as usize, spec.flags));
            i += step;
        }
    }
    out
}

/// Command flag bits and their COMMAND INFO names, in Redis's order.
pub fn flag_names(flags: u32) -> impl Iterator<Item = &'static str> {
    FLAG_NAMES
        .iter()
        .filter(move |(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
}

/// One command's COMMAND INFO entry (`addReplyCommandInfo`).
pub fn write_info(out: &mut ReplyWriter, c: &Command, parent: Option<&str>) {
    out.array(10);
    match parent {
        Some(p) => out.bulk(format!("{p}|{}", c.name).as_bytes()),
        None => out.bulk(c.name.as_bytes()),
    }
    out.int(c.arity as i64);
    let flags: Vec<&str> = flag_names(c.flags).collect();
    out.set(flags.len());
    for f in flags {
        out.simple(f);
    }
    let (first, last, step) = c.legacy_keys;
    out.int(first as i64);
    out.int(last as i64);
    out.int(step as i64);
    out.set(c.acl.len());
    for cat in c.acl {
        out.simple(&format!("@{cat}"));
    }
    out.set(c.tips.len());
    for t in c.tips {
        out.bulk(t.as_bytes());
    }
    out.set(c.key_specs.len());
    for ks in c.key_specs {
        write_key_spec(out, ks);
    }
    out.array(c.subcommands.len());
    for s in c.subcommands {
        write_info(out, s, Some(c.name));
    }
}

fn write_key_spec(out: &mut ReplyWriter, ks: &KeySpec) {
    out.map(if ks.notes.is_empty() { 3 } else { 4 });
    if !ks.notes.is_empty() {
        out.bulk(b"notes");
        out.bulk(ks.notes.as_bytes());
    }
    out.bulk(b"flags");
    out.set(ks.flags.len());
    for f in ks.flags {
        out.simple(f);
    }
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match ks.begin {
        Begin::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.int(i as i64);
        }
        Begin::Keyword(kw, startfrom) => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(kw.as_bytes());
            out.bulk(b"startfrom");
            out.int(startfrom as i64);
        }
        Begin::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    match ks.find {
        Find::Range {
            lastkey,
            keystep,
            limit,
        } => {
            out.bulk(b"range");
            out.bulk(b"spec");
            out.map(3);
            for (k, v) in [("lastkey", lastkey), ("keystep", keystep), ("limit", limit)] {
                out.bulk(k.as_bytes());
                out.int(v as i64);
            }
        }
        Find::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => {
            out.bulk(b"keynum");
            out.bulk(b"spec");
            out.map(3);
            for (k, v) in [
                ("keynumidx", keynumidx),
                ("firstkey", firstkey),
                ("keystep", keystep),
            ] {
                out.bulk(k.as_bytes());
                out.int(v as i64);
            }
        }
        Find::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
}

/// One command's COMMAND DOCS value (`addReplyCommandDocs`); the caller writes its name.
pub fn write_docs(out: &mut ReplyWriter, c: &Command) {
    let d = &c.doc;
    let fields = 4
        + usize::from(!d.doc_flags.is_empty())
        + usize::from(d.deprecated_since.is_some())
        + usize::from(d.replaced_by.is_some())
        + usize::from(!d.history.is_empty())
        + usize::from(!d.args.is_empty())
        + usize::from(!c.subcommands.is_empty());
    out.map(fields);
    for (k, v) in [
        ("summary", d.summary),
        ("since", d.since),
        ("group", d.group),
        ("complexity", d.complexity),
    ] {
        out.bulk(k.as_bytes());
        out.bulk(v.as_bytes());
    }
    if !d.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        out.set(d.doc_flags.len());
        for f in d.doc_flags {
            out.simple(f);
        }
    }
    for (k, v) in [
        ("deprecated_since", d.deprecated_since),
        ("replaced_by", d.replaced_by),
    ] {
        if let Some(v) = v {
            out.bulk(k.as_bytes());
            out.bulk(v.as_bytes());
        }
    }
    if !d.history.is_empty() {
        out.bulk(b"history");
        out.set(d.history.len());
        for (v, what) in d.history {
            out.array(2);
            out.bulk(v.as_bytes());
            out.bulk(what.as_bytes());
        }
    }
    if !d.args.is_empty() {
        out.bulk(b"arguments");
        write_args(out, d.args);
    }
    if !c.subcommands.is_empty() {
        out.bulk(b"subcommands");
        out.map(c.subcommands.len());
        for s in c.subcommands {
            out.bulk(format!("{}|{}", c.name, s.name).as_bytes());
            write_docs(out, s);
        }
    }
}

fn write_args(out: &mut ReplyWriter, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let fields = 2
            + usize::from(a.display.is_some())
            + usize::from(a.key_spec >= 0)
            + usize::from(a.token.is_some())
            + usize::from(a.summary.is_some())
            + usize::from(a.since.is_some())
            + usize::from(a.deprecated_since.is_some())
            + usize::from(a.flags != 0)
            + usize::from(!a.args.is_empty());
        out.map(fields);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.as_bytes());
        if let Some(v) = a.display {
            out.bulk(b"display_text");
            out.bulk(v.as_bytes());
        }
        if a.key_spec >= 0 {
            out.bulk(b"key_spec_index");
            out.int(a.key_spec as i64);
        }
        for (k, v) in [
            ("token", a.token),
            ("summary", a.summary),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ] {
            if let Some(v) = v {
                out.bulk(k.as_bytes());
                out.bulk(v.as_bytes());
            }
        }
        if a.flags != 0 {
            out.bulk(b"flags");
            let names: Vec<&str> = [
                (ARG_OPTIONAL, "optional"),
                (ARG_MULTIPLE, "multiple"),
                (ARG_MULTIPLE_TOKEN, "multiple_token"),
            ]
            .iter()
            .filter(|(b, _)| a.flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
            out.set(names.len());
            for n in names {
                out.simple(n);
            }
        }
        if !a.args.is_empty() {
            out.bulk(b"arguments");
            write_args(out, a.args);
        }
    }
}
