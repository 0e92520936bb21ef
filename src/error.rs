//! Command errors: a small typed enum, rendered to Redis's exact text in one place
//! ([`CmdError::text`]). Command code returns these; only the dispatcher writes them.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// `fullname` as Redis prints it: `get`, `config|get`.
    WrongArity(String),
    UnknownCommand {
        name: String,
        args: Vec<String>,
    },
    UnknownSubcommand {
        sub: String,
        cmd: String,
    },
    /// A container's subcommand with arguments it does not take (`addReplySubcommandSyntaxError`).
    SubcommandSyntax {
        sub: String,
        cmd: String,
    },
    Syntax,
    WrongType,
    NotInteger,
    NotFloat,
    Overflow,
    NoSuchKey,
    IndexOutOfRange,
    DbIndexOutOfRange,
    NoAuth,
    WrongPass,
    /// Any other error; the text includes its code (`ERR ...`, `NOGROUP ...`).
    Raw(String),
}

pub type CmdResult<T = ()> = Result<T, CmdError>;

impl CmdError {
    /// An `ERR`-coded error with a custom message.
    pub fn err(msg: impl Into<String>) -> CmdError {
        let m = msg.into();
        CmdError::Raw(format!("ERR {m}"))
    }

    pub fn text(&self) -> Cow<'_, str> {
        match self {
            CmdError::WrongArity(name) => {
                format!("ERR wrong number of arguments for '{name}' command").into()
            }
            CmdError::UnknownCommand { name, args } => {
                // networking.c: args are appended while the list is under 128 bytes, each cut
                // to what is left of those 128.
                let mut list = String::new();
                for a in args {
                    if list.len() >= 128 {
                        break;
                    }
                    let room = 128 - list.len();
                    list.push('\'');
                    list.push_str(truncate(a, room));
                    list.push_str("' ");
                }
                format!(
                    "ERR unknown command '{}', with args beginning with: {}",
                    truncate(name, 128),
                    list
                )
                .into()
            }
            CmdError::UnknownSubcommand { sub, cmd } => format!(
                "ERR unknown subcommand '{}'. Try {} HELP.",
                truncate(sub, 128),
                cmd.to_uppercase()
            )
            .into(),
            CmdError::SubcommandSyntax { sub, cmd } => format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                truncate(sub, 128),
                cmd.to_uppercase()
            )
            .into(),
            CmdError::Syntax => "ERR syntax error".into(),
            CmdError::WrongType => {
                "WRONGTYPE Operation against a key holding the wrong kind of value".into()
            }
            CmdError::NotInteger => "ERR value is not an integer or out of range".into(),
            CmdError::NotFloat => "ERR value is not a valid float".into(),
            CmdError::Overflow => "ERR increment or decrement would overflow".into(),
            CmdError::NoSuchKey => "ERR no such key".into(),
            CmdError::IndexOutOfRange => "ERR index out of range".into(),
            CmdError::DbIndexOutOfRange => "ERR DB index is out of range".into(),
            CmdError::NoAuth => "NOAUTH Authentication required.".into(),
            CmdError::WrongPass => {
                "WRONGPASS invalid username-password pair or user is disabled.".into()
            }
            CmdError::Raw(s) => Cow::Borrowed(s.as_str()),
        }
    }
}

/// [`CmdError::SubcommandSyntax`] for `argv` (`CMD sub ...`).
pub fn subcommand_syntax(argv: &[bytes::Bytes]) -> CmdError {
    let text = |i: usize| argv.get(i).map(|a| String::from_utf8_lossy(a).into_owned());
    CmdError::SubcommandSyntax {
        sub: text(1).unwrap_or_default(),
        cmd: text(0).unwrap_or_default(),
    }
}

fn truncate(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
