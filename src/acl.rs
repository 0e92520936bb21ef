//! ACL users and the permission check, as Redis's `acl.c` has them.
//!
//! A [`User`] has flags (on/off, nopass, the payload-sanitizing choice), SHA-256 password
//! hashes and one or more [`Selector`]s: the root selector (the rules written outside
//! parentheses) and any `(...)` selectors after it. A selector allows commands (a bit per
//! command and subcommand, indexed by [`command_id`], plus the first arguments allowed of an
//! otherwise denied command), key patterns with read/write permissions, and channel
//! patterns. A command is allowed when one selector allows the command, every key it names
//! and every channel it publishes or subscribes to.
//!
//! Invariants:
//! - Every user has exactly one root selector, first in `selectors`.
//! - A selector's `rules` text replays to exactly its command bits (checked in debug builds by
//!   [`Selector::describe_commands`]): ACL LIST and ACL SAVE write it, ACL LOAD reads it back.
//! - [`Acl::users`] always holds `default`. Users are shared with the connections
//!   authenticated as them as `Arc`s and replaced, never changed in place: a connection picks
//!   up a changed user when [`Acl::version`] moved.
//!
//! The command layer decides when to check (`cmd::process`, EXEC, scripts) and renders the
//! errors; this module knows rows and argument vectors, never sockets.

use crate::cmd::{self, Command};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, OnceLock};

/// The ACL categories, in Redis's order (ACL CAT, COMMAND INFO).
pub const CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

fn category_bit(name: &str) -> Option<u32> {
    CATEGORIES
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .map(|i| 1 << i)
}

// ---------------------------------------------------------------------------------------------
// Command ids
// ---------------------------------------------------------------------------------------------

/// One command or subcommand as ACL sees it.
pub struct AclCommand {
    pub row: &'static Command,
    /// The container of a subcommand.
    pub parent: Option<&'static Command>,
    /// `get`, `config|get`.
    pub full_name: &'static str,
    pub categories: u32,
    /// Ids of the subcommands (of a container).
    pub subs: Vec<usize>,
}

struct CommandIds {
    all: Vec<AclCommand>,
    by_row: hashbrown::HashMap<usize, usize>,
}

fn ids() -> &'static CommandIds {
    static IDS: OnceLock<CommandIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut all = Vec::new();
        let mut by_row = hashbrown::HashMap::new();
        let cats = |c: &Command| {
            c.acl
                .iter()
                .filter_map(|n| category_bit(n))
                .fold(0, |a, b| a | b)
        };
        for &c in cmd::commands() {
            let id = all.len();
            by_row.insert(c as *const Command as usize, id);
            all.push(AclCommand {
                row: c,
                parent: None,
                full_name: c.name,
                categories: cats(c),
                subs: Vec::new(),
            });
            for s in c.subcommands {
                let sid = all.len();
                by_row.insert(s as *const Command as usize, sid);
                all.push(AclCommand {
                    row: s,
                    parent: Some(c),
                    full_name: Box::leak(format!("{}|{}", c.name, s.name).into_boxed_str()),
                    categories: cats(s),
                    subs: Vec::new(),
                });
                all[id].subs.push(sid);
            }
        }
        CommandIds { all, by_row }
    })
}

/// The ACL id of a command row (a top-level command or a subcommand).
pub fn command_id(row: &Command) -> usize {
    ids().by_row[&(row as *const Command as usize)]
}

pub fn command(id: usize) -> &'static AclCommand {
    &ids().all[id]
}

/// Every command and subcommand, in COMMAND's order with each container's subcommands
/// after it.
pub fn all_commands() -> &'static [AclCommand] {
    &ids().all
}

/// `ACLLookupCommand`: `name` or `container|sub`, case-insensitively.
fn lookup(name: &str) -> Option<usize> {
    let mut parts = name.split('|');
    let base = cmd::lookup(parts.next()?.as_bytes())?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(command_id(base)),
        (Some(sub), None) if !base.subcommands.is_empty() => {
            cmd::find_sub(base, sub.as_bytes()).map(command_id)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Selectors
// ---------------------------------------------------------------------------------------------

const READ: u8 = 1;
const WRITE: u8 = 2;

/// Why a rule was refused (Redis's errno values in `ACLSetUser`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// ENOENT
    UnknownCommand,
    /// EINVAL
    Syntax,
    /// EEXIST
    KeyAfterAll,
    /// EISDIR
    ChannelAfterAll,
    /// ENODEV
    NoSuchPassword,
    /// EBADMSG
    BadHash,
    /// ECHILD
    SubcommandFirstArg,
}

impl RuleError {
    /// `ACLSetUserStringError`.
    pub fn text(self) -> &'static str {
        match self {
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAll => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAll => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::SubcommandFirstArg => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyPattern {
    /// READ | WRITE.
    perm: u8,
    pattern: Bytes,
}

impl KeyPattern {
    fn describe(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self.perm {
            READ => b"%R~",
            WRITE => b"%W~",
            _ => b"~",
        });
        out.extend_from_slice(&self.pattern);
    }
}

/// A set of permissions: commands, keys, channels (Redis's `aclSelector`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    root: bool,
    /// A bit per command id.
    allowed: Vec<u64>,
    /// Set by `+@all` only: the rules start from everything (Redis's reserved bit for
    /// "future commands"), so they are described from `+@all`.
    all_future: bool,
    /// Every command, checked without the bits (cleared once any bit is cleared).
    allcommands: bool,
    /// (command id, first arguments allowed of it while its bit is clear).
    firstargs: Vec<(usize, Vec<String>)>,
    allkeys: bool,
    patterns: Vec<KeyPattern>,
    allchannels: bool,
    channels: Vec<Bytes>,
    /// The command rules in the order they were given, each once (`command_rules`).
    rules: String,
}

impl Selector {
    fn new(root: bool, allchannels: bool) -> Selector {
        Selector {
            root,
            allowed: vec![0; all_commands().len().div_ceil(64)],
            all_future: false,
            allcommands: false,
            firstargs: Vec::new(),
            allkeys: false,
            patterns: Vec::new(),
            allchannels,
            channels: Vec::new(),
            rules: String::new(),
        }
    }

    fn bit(&self, id: usize) -> bool {
        self.allowed[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: usize, on: bool) {
        if on {
            self.allowed[id / 64] |= 1 << (id % 64);
        } else {
            self.allowed[id / 64] &= !(1 << (id % 64));
            self.allcommands = false;
        }
    }

    /// `ACLChangeSelectorPerm`: a command and, for a container, all its subcommands.
    fn change_perm(&mut self, id: usize, on: bool) {
        self.set_bit(id, on);
        self.firstargs.retain(|(c, _)| *c != id);
        for &s in &command(id).subs {
            self.set_bit(s, on);
        }
    }

    /// `ACLUpdateCommandRules`: the rule goes last, replacing the same rule (and, for a
    /// whole command, the rules of its subcommands or first arguments) given before.
    fn update_rules(&mut self, rule: &str, allow: bool) {
        let rule = rule.to_ascii_lowercase();
        let kept: Vec<&str> = self
            .rules
            .split(' ')
            .filter(|r| !r.is_empty())
            .filter(|r| {
                let body = &r[1..];
                !(body == rule
                    || (body.len() > rule.len()
                        && body.starts_with(rule.as_str())
                        && body.as_bytes()[rule.len()] == b'|'))
            })
            .collect();
        let mut s = kept.join(" ");
        if !s.is_empty() {
            s.push(' ');
        }
        s.push(if allow { '+' } else { '-' });
        s.push_str(&rule);
        self.rules = s;
    }

    /// `ACLSetSelector`: applies one rule.
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |s: &str| op.eq_ignore_ascii_case(s.as_bytes());
        if is("allkeys") || op == b"~*" {
            self.allkeys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.patterns.clear();
        } else if is("allchannels") || op == b"&*" {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.allowed.iter_mut().for_each(|w| *w = u64::MAX);
            self.all_future = true;
            self.allcommands = true;
            self.rules.clear();
            self.firstargs.clear();
        } else if is("nocommands") || is("-@all") {
            self.allowed.iter_mut().for_each(|w| *w = 0);
            self.all_future = false;
            self.allcommands = false;
            self.rules.clear();
            self.firstargs.clear();
        } else if op[0] == b'~' || op[0] == b'%' {
            if self.allkeys {
                return Err(RuleError::KeyAfterAll);
            }
            let mut perm = 0;
            let mut offset = 1;
            if op[0] == b'%' {
                let mut ok = true;
                while offset < op.len() {
                    match op[offset].to_ascii_uppercase() {
                        b'R' if perm & READ == 0 => perm |= READ,
                        b'W' if perm & WRITE == 0 => perm |= WRITE,
                        b'~' => {
                            offset += 1;
                            break;
                        }
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                    offset += 1;
                }
                if perm == 0 || !ok {
                    return Err(RuleError::Syntax);
                }
            } else {
                perm = READ | WRITE;
            }
            let pattern = &op[offset.min(op.len())..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            match self.patterns.iter_mut().find(|p| p.pattern == pattern) {
                Some(p) => p.perm |= perm,
                None => self.patterns.push(KeyPattern {
                    perm,
                    pattern: Bytes::copy_from_slice(pattern),
                }),
            }
            self.allkeys = false;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelAfterAll);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(Bytes::copy_from_slice(pattern));
            }
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let allow = op[0] == b'+';
            let name = std::str::from_utf8(&op[2..]).map_err(|_| RuleError::UnknownCommand)?;
            let bit = category_bit(name).ok_or(RuleError::UnknownCommand)?;
            self.update_rules(&format!("@{name}"), allow);
            // As `ACLSetSelectorCommandBitsForCategory`: a container in the category takes
            // all its subcommands with it; a subcommand in it goes by itself.
            for (id, c) in all_commands().iter().enumerate() {
                if c.categories & bit != 0 {
                    self.change_perm(id, allow);
                }
            }
        } else if op[0] == b'+' {
            let name = std::str::from_utf8(&op[1..]).map_err(|_| RuleError::UnknownCommand)?;
            match name.rfind('|') {
                None => {
                    let id = lookup(name).ok_or(RuleError::UnknownCommand)?;
                    self.change_perm(id, true);
                    self.update_rules(command(id).full_name, true);
                }
                Some(bar) => {
                    let (base, sub) = (&name[..bar], &name[bar + 1..]);
                    let id = lookup(base).ok_or(RuleError::UnknownCommand)?;
                    if command(id).parent.is_some() {
                        return Err(RuleError::SubcommandFirstArg);
                    }
                    if sub.is_empty() {
                        return Err(RuleError::Syntax);
                    }
                    if !command(id).subs.is_empty() {
                        let sid = lookup(name).ok_or(RuleError::UnknownCommand)?;
                        self.change_perm(sid, true);
                    } else {
                        // A first argument of an otherwise denied command (SELECT|0): Redis
                        // keeps this for compatibility and warns that it may go away.
                        tracing::warn!(
                            "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +{name})"
                        );
                        match self.firstargs.iter_mut().find(|(c, _)| *c == id) {
                            Some((_, args)) => {
                                if !args.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                                    args.push(sub.to_string());
                                }
                            }
                            None => self.firstargs.push((id, vec![sub.to_string()])),
                        }
                    }
                    self.update_rules(name, true);
                }
            }
        } else if op[0] == b'-' {
            let name = std::str::from_utf8(&op[1..]).map_err(|_| RuleError::UnknownCommand)?;
            let id = lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(id, false);
            self.update_rules(command(id).full_name, false);
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// `ACLDescribeSelectorCommandRules`: `+@all` or `-@all`, then the rules in order.
    pub fn describe_commands(&self) -> String {
        let start = if self.all_future { "+@all" } else { "-@all" };
        let mut out = start.to_string();
        if !self.rules.is_empty() {
            out.push(' ');
            out.push_str(&self.rules);
        }
        if cfg!(debug_assertions) {
            // The description must replay to the same bits (Redis panics otherwise).
            let mut check = Selector::new(false, false);
            for rule in out.split(' ') {
                check
                    .apply(rule.as_bytes())
                    .expect("a described rule applies");
            }
            debug_assert_eq!(check.allowed, self.allowed, "ACL rules {out:?} lost a bit");
        }
        out
    }

    /// The key patterns as ACL GETUSER shows them.
    fn describe_keys(&self) -> Vec<u8> {
        if self.allkeys {
            return b"~*".to_vec();
        }
        let mut out = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            p.describe(&mut out);
        }
        out
    }

    fn describe_channels(&self) -> Vec<u8> {
        if self.allchannels {
            return b"&*".to_vec();
        }
        let mut out = Vec::new();
        for (i, c) in self.channels.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'&');
            out.extend_from_slice(c);
        }
        out
    }

    /// `ACLDescribeSelector`: keys, channels, commands, as ACL LIST writes them.
    fn describe(&self, out: &mut Vec<u8>) {
        if self.allkeys {
            out.extend_from_slice(b"~* ");
        } else {
            for p in &self.patterns {
                p.describe(out);
                out.push(b' ');
            }
        }
        if self.allchannels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for c in &self.channels {
                out.push(b'&');
                out.extend_from_slice(c);
                out.push(b' ');
            }
        }
        out.extend_from_slice(self.describe_commands().as_bytes());
    }

    /// The three fields ACL GETUSER shows of a selector.
    pub fn fields(&self) -> [(&'static str, Vec<u8>); 3] {
        [
            ("commands", self.describe_commands().into_bytes()),
            ("keys", self.describe_keys()),
            ("channels", self.describe_channels()),
        ]
    }

    fn open(&self) -> bool {
        self.allcommands && self.allkeys && self.allchannels
    }

    /// `ACLSelectorCheckKey`.
    fn key_ok(&self, key: &[u8], need: u8) -> bool {
        self.allkeys
            || self
                .patterns
                .iter()
                .any(|p| p.perm & need == need && crate::glob::matches(&p.pattern, key, false))
    }

    /// `ACLCheckChannelAgainstList`: a channel is matched against the patterns; a pattern
    /// (PSUBSCRIBE's) only literally.
    fn channel_ok(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.allchannels
            || self.channels.iter().any(|p| {
                if is_pattern {
                    p == channel
                } else {
                    crate::glob::matches(p, channel, false)
                }
            })
    }

    /// `ACLSelectorCheckCmd`.
    fn check(&self, id: usize, argv: &[Bytes], keys: &mut Option<Vec<(usize, u8)>>) -> Checked {
        let c = command(id);
        if !self.allcommands && c.row.flags & cmd::NO_AUTH == 0 && !self.bit(id) {
            let allowed_first = argv.len() >= 2
                && self
                    .firstargs
                    .iter()
                    .find(|(cid, _)| *cid == id)
                    .is_some_and(|(_, args)| {
                        let idx = if c.parent.is_some() { 2 } else { 1 };
                        argv.get(idx).is_some_and(|a| {
                            args.iter().any(|x| a.eq_ignore_ascii_case(x.as_bytes()))
                        })
                    });
            if !allowed_first {
                return Checked::Denied(Denied::Command);
            }
        }
        if !self.allkeys && c.row.has_keys() {
            let keys = keys.get_or_insert_with(|| command_keys(c.row, argv));
            for &(pos, need) in keys.iter() {
                if !self.key_ok(&argv[pos], need) {
                    return Checked::Denied(Denied::Key(pos));
                }
            }
        }
        if !self.allchannels {
            for (pos, is_pattern) in channels(c.full_name, argv) {
                if !self.channel_ok(&argv[pos], is_pattern) {
                    return Checked::Denied(Denied::Channel(pos));
                }
            }
        }
        Checked::Ok
    }
}

enum Checked {
    Ok,
    Denied(Denied),
}

/// Why a command was refused, with the argument at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Command,
    /// The argv index of the key.
    Key(usize),
    /// The argv index of the channel.
    Channel(usize),
}

impl Denied {
    /// Redis's ranking of the errors to report (ACL_DENIED_CMD < KEY < CHANNEL).
    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(p) => (2, p),
            Denied::Channel(p) => (4, p),
        }
    }

    /// `getAclErrorMessage`; `verbose` names the key or channel (ACL DRYRUN).
    pub fn message(self, user: &[u8], cmd_name: &str, argv: &[Bytes], verbose: bool) -> String {
        let user = String::from_utf8_lossy(user);
        match self {
            Denied::Command => {
                format!("User {user} has no permissions to run the '{cmd_name}' command")
            }
            Denied::Key(p) if verbose => format!(
                "User {user} has no permissions to access the '{}' key",
                String::from_utf8_lossy(&argv[p])
            ),
            Denied::Key(_) => "No permissions to access a key".into(),
            Denied::Channel(p) if verbose => format!(
                "User {user} has no permissions to access the '{}' channel",
                String::from_utf8_lossy(&argv[p])
            ),
            Denied::Channel(_) => "No permissions to access a channel".into(),
        }
    }

    pub fn reason(self) -> LogReason {
        match self {
            Denied::Command => LogReason::Command,
            Denied::Key(_) => LogReason::Key,
            Denied::Channel(_) => LogReason::Channel,
        }
    }
}

/// The keys of one call with the permission each needs (read for `access`, write for
/// `insert`, `delete`, `update`), from the key specs (`getKeysFromCommandWithSpecs`).
fn command_keys(row: &Command, argv: &[Bytes]) -> Vec<(usize, u8)> {
    cmd::keys_with_flags(row, argv)
        .into_iter()
        .filter(|(_, flags)| !flags.iter().any(|f| f.eq_ignore_ascii_case("not_key")))
        .map(|(pos, flags)| {
            let has = |n: &str| flags.iter().any(|f| f.eq_ignore_ascii_case(n));
            let mut need = 0;
            if has("access") {
                need |= READ;
            }
            if has("insert") || has("delete") || has("update") {
                need |= WRITE;
            }
            (pos, need)
        })
        .collect()
}

/// The channels a command publishes or subscribes to (`getChannelsFromCommand`; the
/// unsubscribing commands are not checked): (argv index, is a pattern).
fn channels<'a>(full: &str, argv: &'a [Bytes]) -> impl Iterator<Item = (usize, bool)> + 'a {
    let (range, pattern) = match full {
        "publish" | "spublish" => (1..2.min(argv.len()), false),
        "subscribe" | "ssubscribe" => (1..argv.len(), false),
        "psubscribe" => (1..argv.len(), true),
        _ => (0..0, false),
    };
    range.map(move |i| (i, pattern))
}

fn has_spaces(s: &[u8]) -> bool {
    s.iter()
        .any(|&c| c.is_ascii_whitespace() || c == 0 || c == 0x0b)
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// The payload-sanitizing flag a user was given, if any (shown only once set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sanitize {
    Unset,
    On,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: Bytes,
    pub enabled: bool,
    pub nopass: bool,
    sanitize: Sanitize,
    /// Lowercase hex SHA-256 of each password.
    passwords: Vec<String>,
    /// The root selector first.
    selectors: Vec<Selector>,
}

pub fn hash_password(p: &[u8]) -> String {
    let d = Sha256::digest(p);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn valid_hash(h: &[u8]) -> bool {
    h.len() == 64 && h.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

impl User {
    fn new(name: Bytes, pubsub_all: bool) -> User {
        User {
            name,
            enabled: false,
            nopass: false,
            sanitize: Sanitize::Unset,
            passwords: Vec::new(),
            selectors: vec![Selector::new(true, pubsub_all)],
        }
    }

    /// `ACLCreateDefaultUser`.
    fn default_user() -> User {
        let mut u = User::new(Bytes::from_static(b"default"), false);
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            u.apply(op.as_bytes(), false).expect("default rules");
        }
        u
    }

    /// May run anything: the check can be skipped.
    pub fn unrestricted(&self) -> bool {
        self.selectors[0].open()
    }

    pub fn skip_sanitize(&self) -> bool {
        self.sanitize == Sanitize::Skip
    }

    /// `ACLSetUser`: applies one rule; `pubsub_all` is `acl-pubsub-default allchannels`.
    pub fn apply(&mut self, op: &[u8], pubsub_all: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |s: &str| op.eq_ignore_ascii_case(s.as_bytes());
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Sanitize::Skip;
        } else if is("sanitize-payload") {
            self.sanitize = Sanitize::On;
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            let at = self
                .passwords
                .iter()
                .position(|p| *p == hash)
                .ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(at);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut s = Selector::new(false, pubsub_all);
            let inner = &op[1..op.len() - 1];
            for rule in inner.split(|&c| c == b' ').filter(|r| !r.is_empty()) {
                s.apply(rule)?;
            }
            self.selectors.push(s);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for op in ["resetpass", "resetkeys", "resetchannels"] {
                self.apply(op.as_bytes(), pubsub_all)?;
            }
            if pubsub_all {
                self.apply(b"allchannels", pubsub_all)?;
            }
            for op in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                self.apply(op.as_bytes(), pubsub_all)?;
            }
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// `ACLDescribeUser`: flags, passwords, then the selectors (ACL LIST, ACL SAVE).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for f in self.flag_names() {
            out.extend_from_slice(f.as_bytes());
            out.push(b' ');
        }
        for p in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(p.as_bytes());
            out.push(b' ');
        }
        for s in &self.selectors {
            if s.root {
                s.describe(&mut out);
            } else {
                out.extend_from_slice(b" (");
                s.describe(&mut out);
                out.push(b')');
            }
        }
        out
    }

    /// The flags in Redis's order (on, off, nopass, skip-sanitize-payload,
    /// sanitize-payload).
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut f = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            f.push("nopass");
        }
        match self.sanitize {
            Sanitize::Skip => f.push("skip-sanitize-payload"),
            Sanitize::On => f.push("sanitize-payload"),
            Sanitize::Unset => {}
        }
        f
    }

    pub fn passwords(&self) -> &[String] {
        &self.passwords
    }

    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    pub fn extra_selectors(&self) -> &[Selector] {
        &self.selectors[1..]
    }

    /// `ACLCheckAllUserCommandPerm`: whether this user may run `row` with `argv`. When no
    /// selector allows it, the error reported is the worst one (a channel over a key over
    /// the command), the last such argument among the selectors.
    pub fn check(&self, row: &Command, argv: &[Bytes]) -> Result<(), Denied> {
        if self.unrestricted() {
            return Ok(());
        }
        let id = command_id(row);
        let mut keys = None;
        let mut worst = Denied::Command;
        for s in &self.selectors {
            match s.check(id, argv, &mut keys) {
                Checked::Ok => return Ok(()),
                Checked::Denied(d) => {
                    if d.rank() > worst.rank() {
                        worst = d;
                    }
                }
            }
        }
        Err(worst)
    }

    /// `ACLUserCheckChannelPerm`.
    pub fn channel_ok(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.selectors
            .iter()
            .any(|s| s.channel_ok(channel, is_pattern))
    }

    /// The password matches (`ACLCheckUserCredentials`, comparing hashes in constant
    /// time).
    fn password_ok(&self, pass: &[u8]) -> bool {
        if self.nopass {
            return true;
        }
        let h = hash_password(pass);
        self.passwords.iter().any(|p| {
            p.bytes()
                .zip(h.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    Command,
    Key,
    Channel,
    Auth,
}

impl LogReason {
    pub fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogContext {
    Toplevel,
    Multi,
    Lua,
}

impl LogContext {
    pub fn name(self) -> &'static str {
        match self {
            LogContext::Toplevel => "toplevel",
            LogContext::Multi => "multi",
            LogContext::Lua => "lua",
        }
    }
}

/// One ACL LOG entry (`ACLLogEntry`).
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub count: u64,
    pub reason: LogReason,
    pub context: LogContext,
    /// The command's full name, the key, the channel, or AUTH's argv[0].
    pub object: Bytes,
    pub username: Bytes,
    /// Unix ms of the last occurrence.
    pub updated: i64,
    pub client_info: String,
    pub entry_id: i64,
    pub created: i64,
}

/// Denials within a minute of each other with the same reason, context, object and user
/// count as one entry.
const LOG_GROUPING_MS: i64 = 60_000;

/// The users, the ACL log and the denial counters.
#[derive(Debug)]
pub struct Acl {
    users: BTreeMap<Bytes, Arc<User>>,
    /// Moves whenever a user is set, deleted or loaded.
    pub version: u64,
    pub log: VecDeque<LogEntry>,
    log_created: i64,
    pub denied_auth: u64,
    pub denied_cmd: u64,
    pub denied_key: u64,
    pub denied_channel: u64,
}

impl Default for Acl {
    fn default() -> Acl {
        Acl::new()
    }
}

/// What a change did to the connections of the users it touched.
#[derive(Debug, Default)]
pub struct Fallout {
    /// Users whose connections must be closed (deleted, or replaced by ACL LOAD).
    pub killed: Vec<Bytes>,
    /// Users whose channel permissions shrank: their subscribers may have to go.
    pub channels_revoked: Vec<Bytes>,
}

impl Acl {
    pub fn new() -> Acl {
        let mut users = BTreeMap::new();
        let d = User::default_user();
        users.insert(d.name.clone(), Arc::new(d));
        Acl {
            users,
            version: 0,
            log: VecDeque::new(),
            log_created: 0,
            denied_auth: 0,
            denied_cmd: 0,
            denied_key: 0,
            denied_channel: 0,
        }
    }

    pub fn user(&self, name: &[u8]) -> Option<&Arc<User>> {
        self.users.get(name)
    }

    pub fn default_user(&self) -> &Arc<User> {
        &self.users[&b"default"[..]]
    }

    pub fn users(&self) -> impl Iterator<Item = &Arc<User>> {
        self.users.values()
    }

    /// A new connection (and RESET) starts authenticated unless the default user needs a
    /// password or is off (`authRequired`).
    pub fn auth_required(&self) -> bool {
        let d = self.default_user();
        !d.nopass || !d.enabled
    }

    /// `ACLCheckUserCredentials`: the user, if it exists, is on, and the password is right.
    pub fn authenticate(&self, user: &[u8], pass: &[u8]) -> Option<Arc<User>> {
        self.users
            .get(user)
            .filter(|u| u.enabled && u.password_ok(pass))
            .cloned()
    }

    /// `ACLStringSetUser`: applies all rules to a copy of the user (or a new one) and
    /// replaces it only if every rule applied.
    pub fn set_user(
        &mut self,
        name: &[u8],
        ops: &[Bytes],
        pubsub_all: bool,
    ) -> Result<Fallout, String> {
        let ops = merge_selector_args(ops).map_err(|at| {
            format!(
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(&ops[at])
            )
        })?;
        let old = self.users.get(name).cloned();
        let mut u = match &old {
            Some(u) => (**u).clone(),
            None => User::new(Bytes::copy_from_slice(name), pubsub_all),
        };
        for op in &ops {
            u.apply(op, pubsub_all).map_err(|e| {
                format!(
                    "Error in ACL SETUSER modifier '{}': {}",
                    String::from_utf8_lossy(op),
                    e.text()
                )
            })?;
        }
        let mut fallout = Fallout::default();
        if let Some(old) = &old {
            if channels_revoked(old, &u) {
                fallout.channels_revoked.push(u.name.clone());
            }
        }
        self.users.insert(u.name.clone(), Arc::new(u));
        self.version += 1;
        Ok(fallout)
    }

    /// ACL DELUSER of one user (never `default`): whether it existed.
    pub fn del_user(&mut self, name: &[u8]) -> bool {
        debug_assert!(name != b"default");
        let gone = self.users.remove(name).is_some();
        if gone {
            self.version += 1;
        }
        gone
    }

    /// `requirepass`: the default user's only password, or nopass when empty
    /// (`ACLUpdateDefaultUserPassword`).
    pub fn set_default_password(&mut self, pass: Option<&[u8]>) {
        let mut d = (**self.default_user()).clone();
        d.apply(b"resetpass", false).expect("resetpass");
        match pass {
            Some(p) => {
                let mut op = b">".to_vec();
                op.extend_from_slice(p);
                d.apply(&op, false).expect("a password");
            }
            None => d.apply(b"nopass", false).expect("nopass"),
        }
        self.users.insert(d.name.clone(), Arc::new(d));
        self.version += 1;
    }

    /// ACL LIST's lines (also ACL SAVE's and the `user` directives').
    pub fn list_lines(&self) -> Vec<Vec<u8>> {
        self.users
            .values()
            .map(|u| {
                let mut line = b"user ".to_vec();
                line.extend_from_slice(&u.name);
                line.push(b' ');
                line.extend_from_slice(&u.describe());
                line
            })
            .collect()
    }

    /// Loads users defined by `user` lines (redis.conf's directives, already split into
    /// words, or an ACL file's lines), replacing every user. Nothing changes on an error.
    /// `file` names the source in the errors (`ACLLoadFromFile`).
    pub fn load_lines(
        &mut self,
        file: &str,
        lines: &[Vec<Bytes>],
        pubsub_all: bool,
    ) -> Result<Fallout, String> {
        let mut users: BTreeMap<Bytes, Arc<User>> = BTreeMap::new();
        let mut errors = String::new();
        for (i, argv) in lines.iter().enumerate() {
            let n = i + 1;
            if argv.is_empty() {
                continue;
            }
            if argv[0] != "user" || argv.len() < 2 {
                errors.push_str(&format!(
                    "{file}:{n} should start with user keyword followed by the username. "
                ));
                continue;
            }
            let name = &argv[1];
            if has_spaces(name) {
                errors.push_str(&format!(
                    "'{file}:{n}: username '{}' contains invalid characters. ",
                    String::from_utf8_lossy(name)
                ));
                continue;
            }
            if users.contains_key(name) {
                errors.push_str(&format!(
                    "WARNING: Duplicate user '{}' found on line {n}. ",
                    String::from_utf8_lossy(name)
                ));
                continue;
            }
            let Ok(ops) = merge_selector_args(&argv[2..]) else {
                errors.push_str(&format!(
                    "{file}:{n}: Unmatched parenthesis in selector definition."
                ));
                continue;
            };
            let mut u = User::new(name.clone(), pubsub_all);
            let mut syntax_error = false;
            for op in &ops {
                if let Err(e) = u.apply(op, pubsub_all) {
                    if e == RuleError::UnknownCommand {
                        errors.push_str(&format!(
                            "{file}:{n}: Error in applying operation '{}': {}. ",
                            String::from_utf8_lossy(op),
                            e.text()
                        ));
                    } else if !syntax_error {
                        errors.push_str(&format!("{file}:{n}: {}. ", e.text()));
                        syntax_error = true;
                    }
                }
            }
            users.insert(name.clone(), Arc::new(u));
        }
        if !errors.is_empty() {
            errors.push_str("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
            return Err(errors);
        }
        if !users.contains_key(&b"default"[..]) {
            users.insert(
                Bytes::from_static(b"default"),
                Arc::new(User::default_user()),
            );
        }
        // Every old user's connections go, but the default user's: it is the same user,
        // given new rules (Redis copies the new default into the old one).
        let killed = self
            .users
            .keys()
            .filter(|n| n.as_ref() != b"default")
            .cloned()
            .collect();
        let revoked = channels_revoked(self.default_user(), &users[&b"default"[..]]);
        self.users = users;
        self.version += 1;
        Ok(Fallout {
            killed,
            channels_revoked: if revoked {
                vec![Bytes::from_static(b"default")]
            } else {
                Vec::new()
            },
        })
    }

    /// `addACLLogEntry`: counts the denial and logs it, folding it into a recent entry
    /// like it (among the last 10).
    #[allow(clippy::too_many_arguments)]
    pub fn log_denial(
        &mut self,
        reason: LogReason,
        context: LogContext,
        object: Bytes,
        username: Bytes,
        client_info: String,
        now_ms: i64,
        max_len: usize,
    ) {
        match reason {
            LogReason::Auth => self.denied_auth += 1,
            LogReason::Command => self.denied_cmd += 1,
            LogReason::Key => self.denied_key += 1,
            LogReason::Channel => self.denied_channel += 1,
        }
        let similar = self.log.iter().take(10).position(|e| {
            e.reason == reason
                && e.context == context
                && (e.updated - now_ms).abs() <= LOG_GROUPING_MS
                && e.object == object
                && e.username == username
        });
        if let Some(i) = similar {
            let mut e = self.log.remove(i).expect("found");
            e.count += 1;
            e.updated = now_ms;
            e.client_info = client_info;
            self.log.push_front(e);
            return;
        }
        self.log.push_front(LogEntry {
            count: 1,
            reason,
            context,
            object,
            username,
            updated: now_ms,
            client_info,
            entry_id: self.log_created,
            created: now_ms,
        });
        self.log_created += 1;
        self.log.truncate(max_len);
    }
}

/// Whether `new` lost channel permissions `old` had (`ACLKillPubsubClientsIfNeeded`'s
/// first two tests): no selector of `new` allows all channels and some pattern of `old` is
/// not among `new`'s.
fn channels_revoked(old: &User, new: &User) -> bool {
    if new.selectors.iter().any(|s| s.allchannels) {
        return false;
    }
    let upcoming: Vec<&Bytes> = new.selectors.iter().flat_map(|s| &s.channels).collect();
    old.selectors
        .iter()
        .any(|s| s.allchannels || s.channels.iter().any(|c| !upcoming.contains(&c)))
}

/// `ACLMergeSelectorArguments`: a selector may come split over several arguments
/// (`(+get`, `~x)`): joined with spaces. Err holds the index of an unclosed `(`.
pub fn merge_selector_args(args: &[Bytes]) -> Result<Vec<Bytes>, usize> {
    let mut out = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        match &mut open {
            None if op.first() == Some(&b'(') && op.last() != Some(&b')') => {
                open = Some((j, op.to_vec()));
            }
            None => out.push(op.clone()),
            Some((_, sel)) => {
                sel.push(b' ');
                sel.extend_from_slice(op);
                if op.last() == Some(&b')') {
                    out.push(Bytes::from(open.take().expect("open").1));
                }
            }
        }
    }
    match open {
        Some((at, _)) => Err(at),
        None => Ok(out),
    }
}

/// An ACL file's lines, each split on spaces as Redis splits them (no quoting).
pub fn split_file(text: &[u8]) -> Vec<Vec<Bytes>> {
    text.split(|&c| c == b'\n')
        .map(|line| {
            let line = line.trim_ascii();
            line.split(|&c| c == b' ')
                .filter(|w| !w.is_empty())
                .map(|w| Bytes::copy_from_slice(w.trim_ascii()))
                .collect()
        })
        .collect()
}

/// `getRandomHexChars`: `n` hex characters from the system's random source.
pub fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; n.div_ceil(2)];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    assert!(ok, "/dev/urandom is readable");
    let mut s = String::with_capacity(n + 1);
    for b in buf {
        s.push_str(&format!("{b:02x}"));
    }
    s.truncate(n);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(ops: &[&str]) -> User {
        let mut acl = Acl::new();
        let ops: Vec<Bytes> = ops.iter().map(|o| Bytes::from(o.to_string())).collect();
        acl.set_user(b"u", &ops, false).unwrap();
        (**acl.user(b"u").unwrap()).clone()
    }

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter().map(|s| Bytes::from(s.to_string())).collect()
    }

    fn check(u: &User, a: &[&str]) -> Result<(), Denied> {
        let argv = argv(a);
        let (row, _) = cmd::resolve(&argv).unwrap();
        u.check(row, &argv)
    }

    #[test]
    fn descriptions_as_valkey_writes_them() {
        let d = |ops: &[&str]| String::from_utf8(user(ops).describe()).unwrap();
        assert_eq!(d(&[]), "off resetchannels -@all");
        assert_eq!(
            d(&[
                "+@all",
                "-get",
                "+get",
                "-@admin",
                "+config|get",
                "+select|0",
                "%R~r*",
                "%W~w*",
                "%RW~b*",
                "~r*"
            ]),
            "off ~r* %W~w* ~b* resetchannels +@all +get -@admin +config|get +select|0"
        );
        assert_eq!(
            d(&[
                "+get",
                "+set",
                "-get",
                "+@read",
                "-@all",
                "+config",
                "-config|set",
                "+acl|list",
                "+@hash",
                "-hget"
            ]),
            "off resetchannels -@all +config -config|set +acl|list +@hash -hget"
        );
        assert_eq!(
            d(&["+select|0", "+select|1", "+select"]),
            "off resetchannels -@all +select"
        );
        assert_eq!(
            d(&["on", ">pw", "~queue:*", "+@stream", "&ch*", "(+get ~x*)"]),
            "on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~queue:* resetchannels &ch* -@all +@stream (~x* resetchannels -@all +get)"
        );
        assert_eq!(
            String::from_utf8(User::default_user().describe()).unwrap(),
            "on nopass ~* &* +@all"
        );
    }

    #[test]
    fn rule_errors() {
        let mut acl = Acl::new();
        let mut err = |ops: &[&str]| {
            let ops: Vec<Bytes> = ops.iter().map(|o| Bytes::from(o.to_string())).collect();
            acl.set_user(b"d", &ops, false).unwrap_err()
        };
        assert_eq!(err(&["+client|kill|x"]), "Error in ACL SETUSER modifier '+client|kill|x': Allowing first-arg of a subcommand is not supported");
        assert!(
            err(&["~*", "~a"]).ends_with("Try 'resetkeys' to start with an empty list of patterns")
        );
        assert!(err(&["&*", "&a"])
            .ends_with("Try 'resetchannels' to start with an empty list of channels"));
        assert!(err(&["#abc"]).ends_with("only lowercase hexadecimal characters"));
        assert!(err(&["<nopw"]).ends_with("does not exist"));
        assert!(err(&["+nosuch"]).ends_with("Unknown command or category name in ACL"));
        assert!(err(&["+@nosuch"]).ends_with("Unknown command or category name in ACL"));
        assert!(err(&["foo"]).ends_with("'foo': Syntax error"));
        assert!(err(&["+debug|"]).ends_with("Syntax error"));
        assert!(err(&["%X~a"]).ends_with("Syntax error"));
        assert_eq!(
            err(&["(+get"]),
            "Unmatched parenthesis in acl selector starting at '(+get'."
        );
        // A failed SETUSER leaves nothing behind.
        assert!(acl.user(b"d").is_none());
    }

    #[test]
    fn commands_keys_and_channels() {
        let u = user(&["on", "nopass", "~queue:*", "+@stream", "&ch*", "(+get ~x*)"]);
        assert_eq!(check(&u, &["xadd", "queue:1", "*", "a", "1"]), Ok(()));
        assert_eq!(
            check(&u, &["xadd", "other", "*", "a", "1"]),
            Err(Denied::Key(1))
        );
        assert_eq!(check(&u, &["get", "x1"]), Ok(()), "the second selector");
        assert_eq!(check(&u, &["get", "queue:1"]), Err(Denied::Key(1)));
        assert_eq!(check(&u, &["set", "queue:1", "v"]), Err(Denied::Command));
        assert_eq!(
            check(&u, &["xgroup", "create", "queue:1", "g", "$"]),
            Ok(())
        );
        assert_eq!(check(&u, &["publish", "ch1", "m"]), Err(Denied::Command));
        let p = user(&["+@pubsub", "&ch*", "&lit*"]);
        assert_eq!(check(&p, &["publish", "ch1", "m"]), Ok(()));
        assert_eq!(check(&p, &["publish", "x", "m"]), Err(Denied::Channel(1)));
        assert_eq!(
            check(&p, &["subscribe", "ch1", "x"]),
            Err(Denied::Channel(2))
        );
        assert_eq!(
            check(&p, &["psubscribe", "ch*"]),
            Ok(()),
            "a pattern, literally"
        );
        assert_eq!(check(&p, &["psubscribe", "ch1"]), Err(Denied::Channel(1)));
        assert_eq!(check(&p, &["unsubscribe", "x"]), Ok(()));
        // Read and write key permissions follow the key specs' access flags.
        let rw = user(&["+@all", "%R~r*", "%W~w*"]);
        assert_eq!(check(&rw, &["get", "r1"]), Ok(()));
        assert_eq!(check(&rw, &["set", "r1", "v"]), Err(Denied::Key(1)));
        assert_eq!(check(&rw, &["set", "w1", "v"]), Ok(()));
        assert_eq!(check(&rw, &["copy", "r1", "w1"]), Ok(()));
        assert_eq!(check(&rw, &["copy", "w1", "r1"]), Err(Denied::Key(1)));
        // First arguments of an otherwise denied command; AUTH and HELLO are never denied.
        let s = user(&["+select|0"]);
        assert_eq!(check(&s, &["select", "0"]), Ok(()));
        assert_eq!(check(&s, &["select", "1"]), Err(Denied::Command));
        assert_eq!(check(&s, &["auth", "a", "b"]), Ok(()));
        // A container rule covers its subcommands; a subcommand rule only itself.
        let c = user(&["+config", "-config|set"]);
        assert_eq!(check(&c, &["config", "get", "x"]), Ok(()));
        assert_eq!(
            check(&c, &["config", "set", "x", "y"]),
            Err(Denied::Command)
        );
    }

    proptest::proptest! {
        /// The invariant ACL LIST and ACL SAVE rest on: a selector's described command rules
        /// replay to the same permissions, and describe the same again.
        #[test]
        fn described_rules_replay_to_the_same_permissions(
            ops in proptest::collection::vec(proptest::sample::select(vec![
                "+@all", "-@all", "allcommands", "nocommands", "+get", "-get", "+config",
                "-config", "-config|set", "+config|get", "+@read", "-@write", "+@admin",
                "-@stream", "+@connection", "+xadd", "+select|0", "+select|1", "-select",
                "+client|kill", "-client", "+@dangerous", "-@slow", "+acl", "-acl|setuser",
            ]), 0..14)
        ) {
            let mut s = Selector::new(true, false);
            for op in &ops {
                s.apply(op.as_bytes()).unwrap();
            }
            let described = s.describe_commands();
            let mut replayed = Selector::new(true, false);
            for rule in described.split(' ') {
                replayed.apply(rule.as_bytes()).unwrap();
            }
            proptest::prop_assert_eq!(&replayed.allowed, &s.allowed);
            // The first arguments allowed, as sets: their order means nothing (`+select|1
            // +select|0 +select|1` describes as `+select|0 +select|1`).
            let sets = |f: &[(usize, Vec<String>)]| {
                let mut v: Vec<(usize, Vec<String>)> = f
                    .iter()
                    .map(|(id, a)| {
                        let mut a = a.clone();
                        a.sort();
                        (*id, a)
                    })
                    .collect();
                v.sort();
                v
            };
            proptest::prop_assert_eq!(sets(&replayed.firstargs), sets(&s.firstargs));
            proptest::prop_assert_eq!(replayed.describe_commands(), described);
        }
    }

    #[test]
    fn passwords_and_credentials() {
        assert_eq!(
            hash_password(b"pw"),
            "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"
        );
        let mut acl = Acl::new();
        assert!(!acl.auth_required());
        acl.set_default_password(Some(b"secret"));
        assert!(acl.auth_required());
        assert!(acl.authenticate(b"default", b"secret").is_some());
        assert!(acl.authenticate(b"default", b"wrong").is_none());
        acl.set_user(b"off", &argv(&[">p"]), false).unwrap();
        assert!(
            acl.authenticate(b"off", b"p").is_none(),
            "a user that is off"
        );
        acl.set_user(b"off", &argv(&["on", "<p", "nopass"]), false)
            .unwrap();
        assert!(acl.authenticate(b"off", b"anything").is_some());
        assert!(acl.authenticate(b"nosuch", b"").is_none());
    }

    #[test]
    fn log_folds_similar_denials() {
        let mut acl = Acl::new();
        let log = |acl: &mut Acl, obj: &str, at: i64| {
            acl.log_denial(
                LogReason::Command,
                LogContext::Toplevel,
                Bytes::from(obj.to_string()),
                Bytes::from_static(b"u"),
                String::new(),
                at,
                3,
            )
        };
        log(&mut acl, "get", 0);
        log(&mut acl, "get", 1000);
        assert_eq!(acl.log.len(), 1);
        assert_eq!(acl.log[0].count, 2);
        log(&mut acl, "get", 100_000);
        assert_eq!(acl.log.len(), 2, "more than a minute later: a new entry");
        for o in ["a", "b", "c"] {
            log(&mut acl, o, 100_000);
        }
        assert_eq!(acl.log.len(), 3, "acllog-max-len");
        assert_eq!(acl.log[0].object, "c");
        assert_eq!(acl.log[0].entry_id, 4);
        assert_eq!(acl.denied_cmd, 6);
    }

    #[test]
    fn load_lines_all_or_nothing() {
        let mut acl = Acl::new();
        let lines = split_file(b"user a on nopass +@all ~*\n\nuser b on +nosuch\n");
        let e = acl.load_lines("users.acl", &lines, false).unwrap_err();
        assert_eq!(e, "users.acl:3: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
        assert!(acl.user(b"a").is_none());
        let lines = split_file(b"user a on nopass +@all ~*\nuser default on >x ~* &* +@all\n");
        acl.load_lines("users.acl", &lines, false).unwrap();
        assert!(acl.user(b"a").is_some());
        assert!(acl.auth_required());
        let saved: Vec<Vec<Bytes>> = acl
            .list_lines()
            .iter()
            .map(|l| split_file(l).remove(0))
            .collect();
        let before = acl.list_lines();
        acl.load_lines("users.acl", &saved, false).unwrap();
        assert_eq!(
            acl.list_lines(),
            before,
            "ACL SAVE's lines load back the same"
        );
    }
}
