//! A cursor over a command's arguments, for option parsing without hand-kept indexes (after
//! mini-redis's `Parse`): take the next argument as bytes or an integer, match a keyword
//! case-insensitively, and `finish` rejecting what is left over. Errors are Redis's own:
//! a missing argument or a leftover is a syntax error, a bad number `value is not an integer
//! or out of range`.

use crate::error::{CmdError, CmdResult};
use bytes::Bytes;

pub struct Args<'a> {
    argv: &'a [Bytes],
    pos: usize,
}

impl<'a> Args<'a> {
    /// A cursor at `argv[from]`.
    pub fn new(argv: &'a [Bytes], from: usize) -> Args<'a> {
        Args {
            argv,
            pos: from.min(argv.len()),
        }
    }

    /// Arguments not consumed yet.
    pub fn remaining(&self) -> usize {
        self.argv.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next argument, not consumed.
    pub fn peek(&self) -> Option<&'a Bytes> {
        self.argv.get(self.pos)
    }

    /// The index in argv of the next argument.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next argument, consumed; a syntax error if there is none.
    pub fn next_bytes(&mut self) -> CmdResult<&'a Bytes> {
        let a = self.argv.get(self.pos).ok_or(CmdError::Syntax)?;
        self.pos += 1;
        Ok(a)
    }

    /// The next argument as an integer, consumed.
    pub fn next_int(&mut self) -> CmdResult<i64> {
        super::parse_int(self.next_bytes()?)
    }

    /// Consumes the next argument if it is `keyword` (any case).
    pub fn eat(&mut self, keyword: &str) -> bool {
        let hit = self
            .argv
            .get(self.pos)
            .is_some_and(|a| a.eq_ignore_ascii_case(keyword.as_bytes()));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Everything left, consumed (options such as CLIENT LIST's `ID id...`).
    pub fn rest(&mut self) -> &'a [Bytes] {
        let r = &self.argv[self.pos..];
        self.pos = self.argv.len();
        r
    }

    /// A syntax error if anything is left.
    pub fn finish(&self) -> CmdResult {
        if self.is_empty() {
            Ok(())
        } else {
            Err(CmdError::Syntax)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Bytes> {
        words
            .iter()
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    #[test]
    fn options_in_any_case_then_nothing_left() {
        let v = argv(&["scan", "0", "Count", "5", "MATCH", "k*"]);
        let mut a = Args::new(&v, 2);
        assert!(!a.eat("match"));
        assert!(a.eat("count"));
        assert_eq!(a.next_int().unwrap(), 5);
        assert!(a.eat("match"));
        assert_eq!(a.next_bytes().unwrap().as_ref(), b"k*");
        assert!(a.finish().is_ok());
        assert!(matches!(a.next_bytes(), Err(CmdError::Syntax)));
    }

    #[test]
    fn redis_errors_for_bad_and_leftover_arguments() {
        let v = argv(&["x", "abc", "extra"]);
        let mut a = Args::new(&v, 1);
        assert!(matches!(a.next_int(), Err(CmdError::NotInteger)));
        assert_eq!(a.remaining(), 1);
        assert!(matches!(a.finish(), Err(CmdError::Syntax)));
        assert!(Args::new(&v, 9).is_empty());
    }
}
