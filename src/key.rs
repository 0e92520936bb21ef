//! The keyspace's key type: sixteen bytes, holding a key of up to 15 bytes inline and a
//! longer one in a boxed slice. Most keys are short (`job:123456`, `queue:default`), so most
//! keys cost their slot and no allocation: a `Bytes` took 32 bytes of slot plus a 16-byte
//! allocation for the same key.
//!
//! ```text
//!  inline:  [ b0 b1 ... b14 | 0x80 | len ]     last byte: top bit set, low bits the length
//!  heap:    [ ptr (8 bytes) | len (8 bytes) ]  len < 2^56, so the last byte's top bit is 0
//! ```
//!
//! Invariants: the last byte tells the form; a heap key owns its allocation, made by
//! `Box<[u8]>` and freed as one; an inline key's bytes past its length are zero (so the
//! derived layout compares equal keys equal byte for byte, though `Eq` goes by content).
//! Little-endian only: the heap form's length must own the last byte.

#[cfg(not(target_endian = "little"))]
compile_error!("db::Key packs its form into the last byte of a little-endian length");

use std::ptr::NonNull;

const INLINE_MAX: usize = 15;
const INLINE_TAG: u8 = 0x80;

#[derive(Clone, Copy)]
#[repr(C)]
struct Heap {
    ptr: NonNull<u8>,
    len: usize,
}

#[repr(C)]
union Repr {
    inline: [u8; 16],
    heap: Heap,
}

pub struct Key(Repr);

// A heap key owns its bytes as a Box<[u8]> would; nothing is shared.
unsafe impl Send for Key {}
unsafe impl Sync for Key {}

impl Key {
    pub fn new(b: &[u8]) -> Key {
        if b.len() <= INLINE_MAX {
            let mut inline = [0u8; 16];
            inline[..b.len()].copy_from_slice(b);
            inline[15] = INLINE_TAG | b.len() as u8;
            Key(Repr { inline })
        } else {
            assert!(b.len() < 1 << 56, "key length");
            let boxed: Box<[u8]> = b.into();
            let len = boxed.len();
            let ptr = NonNull::new(Box::into_raw(boxed) as *mut u8).expect("a box is non-null");
            Key(Repr {
                heap: Heap { ptr, len },
            })
        }
    }

    fn is_inline(&self) -> bool {
        // SAFETY: every byte of either form is initialised; the last byte is the tag byte of
        // the inline form and the top byte of the heap form's length.
        unsafe { self.0.inline[15] & INLINE_TAG != 0 }
    }

    pub fn as_bytes(&self) -> &[u8] {
        if self.is_inline() {
            // SAFETY: the inline form, as `is_inline` says.
            unsafe {
                let n = (self.0.inline[15] & !INLINE_TAG) as usize;
                &self.0.inline[..n]
            }
        } else {
            // SAFETY: the heap form: `ptr` and `len` came from a live Box<[u8]> we own.
            unsafe { std::slice::from_raw_parts(self.0.heap.ptr.as_ptr(), self.0.heap.len) }
        }
    }

    /// Heap bytes beyond the slot (MEMORY USAGE).
    pub fn heap_bytes(&self) -> usize {
        if self.is_inline() {
            0
        } else {
            self.as_bytes().len()
        }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        if !self.is_inline() {
            // SAFETY: the heap form owns a Box<[u8]> of exactly `len` bytes at `ptr`.
            unsafe {
                let h = self.0.heap;
                drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                    h.ptr.as_ptr(),
                    h.len,
                )));
            }
        }
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        Key::new(self.as_bytes())
    }
}

impl std::ops::Deref for Key {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_bytes().hash(h)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({:?})", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sixteen_bytes_and_a_niche_free_option() {
        assert_eq!(std::mem::size_of::<Key>(), 16);
    }

    #[test]
    fn inline_and_heap_forms() {
        for len in [0usize, 1, 14, 15, 16, 17, 100, 70_000] {
            let b: Vec<u8> = (0..len).map(|i| (i * 7 + 0xf0) as u8).collect();
            let k = Key::new(&b);
            assert_eq!(k.is_inline(), len <= INLINE_MAX, "{len}");
            assert_eq!(k.as_bytes(), &b[..]);
            let c = k.clone();
            drop(k);
            assert_eq!(&c[..], &b[..]);
            assert_eq!(c.heap_bytes(), if len <= INLINE_MAX { 0 } else { len });
        }
    }

    proptest! {
        #[test]
        fn round_trips_any_bytes(b in prop::collection::vec(any::<u8>(), 0..64)) {
            let k = Key::new(&b);
            prop_assert_eq!(k.as_bytes(), &b[..]);
            prop_assert_eq!(k.clone(), Key::new(&b));
        }
    }
}
