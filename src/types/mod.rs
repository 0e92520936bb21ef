//! Data types. These modules never see sockets, RESP or commands: they are plain data
//! structures with the operations the commands need.

pub mod hash;
pub mod list;
pub mod listpack;
pub mod rax;
pub mod set;
pub mod slot_table;
pub mod stream;
pub mod varint;
pub mod zset;
