//! `resp`: the Redis serialization protocol, as the server sees it.
//!
//! - [`parser`]: an incremental request parser (multibulk and inline commands) that keeps its
//!   position across partial reads, enforces Redis's limits and yields Redis's exact
//!   `Protocol error: ...` texts.
//! - [`writer`]: a reply writer that emits RESP2 or RESP3 straight into an output buffer and
//!   flattens RESP3-only aggregates (maps, sets, doubles, booleans, pushes) the way Redis does when
//!   the client speaks RESP2.
//!
//! This crate knows nothing about commands: it turns bytes into argument vectors and typed reply
//! calls into bytes.

pub mod frames;
pub mod parser;
pub mod writer;

pub use frames::frames_complete;
pub use parser::{ParseLimits, ProtocolError, RequestParser};
pub use writer::{push_u64, Protocol, ReplyWriter};
