//! Any bytes given to the RDB loader: it returns a summary or an error with an offset inside
//! the input, never panics, and hands out only whole values.
#![no_main]
use libfuzzer_sys::fuzz_target;
use persistence::rdb_load::{load, Event, Item};

fuzz_target!(|data: &[u8]| {
    let r = load(data, |e| {
        if let Event::Key {
            item: Item::Stream(s),
            ..
        } = e
        {
            // Walking a stream's nodes must hold too (they were checked when read).
            let mut n = 0u64;
            s.for_each_entry(|_, _| n += 1);
            assert_eq!(n, s.length);
        }
        Ok(())
    });
    if let Err(e) = r {
        assert!(e.offset <= data.len(), "{e}");
    }
});
