//! Read and reply buffers shared by the connections one event-loop thread serves, as Redis
//! 7.2 shares one query buffer: a connection holds a buffer only while it has input or output
//! in hand, and an idle one holds none.
//!
//! Why. A connection used to keep a 16 KB read buffer and a reply buffer for its whole life:
//! 10,000 idle connections took 16.1 KB of RSS each, against redis-server's 9.2 KB.
//!
//! Invariants:
//! - A buffer goes back only empty, and a read buffer only if it can be reused in place
//!   (`BytesMut::try_reclaim`: no argument still points into it, such as a blocked client's
//!   stored command); anything else is simply dropped, so the pool never hands out a buffer
//!   someone else still reads.
//! - At most [`KEEP`] of each kind per thread: the pool is a cache of spare buffers, bounded
//!   whatever the number of connections.

use bytes::BytesMut;
use std::cell::RefCell;

/// Spare buffers of each kind kept per thread.
const KEEP: usize = 8;

/// Reply buffers larger than this are not kept (one large reply must not stay allocated).
const KEEP_WRITE_BYTES: usize = 64 * 1024;

#[derive(Default)]
struct Pool {
    reads: Vec<BytesMut>,
    writes: Vec<Vec<u8>>,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::default();
}

/// An empty read buffer with room for at least `room` bytes.
pub fn take_read(room: usize) -> BytesMut {
    POOL.with(|p| p.borrow_mut().reads.pop())
        .filter(|b| b.capacity() >= room)
        .unwrap_or_else(|| BytesMut::with_capacity(room))
}

/// Hands back a read buffer its connection no longer needs: kept if empty and reusable
/// with `room` bytes without allocating.
pub fn give_read(mut b: BytesMut, room: usize) {
    if !b.is_empty() || !b.try_reclaim(room) {
        return;
    }
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.reads.len() < KEEP {
            p.reads.push(b);
        }
    });
}

/// An empty reply buffer (one kept, or a new one with `cap` bytes).
pub fn take_write(cap: usize) -> Vec<u8> {
    POOL.with(|p| p.borrow_mut().writes.pop())
        .unwrap_or_else(|| Vec::with_capacity(cap))
}

/// Hands back a reply buffer; kept if empty and not too large.
pub fn give_write(b: Vec<u8>) {
    if !b.is_empty() || b.capacity() == 0 || b.capacity() > KEEP_WRITE_BYTES {
        return;
    }
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.writes.len() < KEEP {
            p.writes.push(b);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_only_empty_and_unshared() {
        let mut b = take_read(1024);
        b.extend_from_slice(b"PING\r\n");
        let argv = b.split_to(6).freeze();
        // Still referenced by `argv`: dropped, not pooled.
        give_read(b, 1024);
        assert!(POOL.with(|p| p.borrow().reads.is_empty()));
        drop(argv);
        let b = take_read(1024);
        let ptr = b.as_ptr();
        give_read(b, 1024);
        let again = take_read(1024);
        assert_eq!(again.as_ptr(), ptr, "reused in place");
        let mut full = take_read(16);
        full.extend_from_slice(b"partial");
        give_read(full, 16);
        assert!(
            POOL.with(|p| p.borrow().reads.is_empty()),
            "a buffer with input is kept by its connection"
        );
        for _ in 0..KEEP + 3 {
            give_write(Vec::with_capacity(64));
        }
        assert_eq!(POOL.with(|p| p.borrow().writes.len()), KEEP);
        give_write(Vec::with_capacity(KEEP_WRITE_BYTES + 1));
        assert_eq!(take_write(8).capacity(), 64);
    }
}
