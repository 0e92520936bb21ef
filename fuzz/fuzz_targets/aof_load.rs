//! Any bytes as an AOF file (and as its manifest): the reader returns the commands it could
//! read and how the file ended (clean, truncated at a length inside it, or corrupt at an
//! offset inside it), never panics; every command has an argument.
#![no_main]
use libfuzzer_sys::fuzz_target;
use persistence::load::{parse_commands, LoadEnd};

fuzz_target!(|data: &[u8]| {
    let mut last = 0;
    let mut n = 0u64;
    let end = parse_commands(data, |argv, off| {
        assert!(!argv.is_empty());
        assert!(off >= last && off as usize <= data.len());
        last = off;
        n += 1;
    });
    match end {
        LoadEnd::Clean { commands } => assert_eq!(commands, n),
        LoadEnd::Truncated {
            commands,
            valid_len,
        } => {
            assert_eq!(commands, n);
            assert!(valid_len as usize <= data.len());
        }
        LoadEnd::Corrupt { offset, .. } => assert!(offset as usize <= data.len()),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = persistence::manifest::Manifest::parse(text) {
            // A manifest that parses writes back to one that parses the same.
            let again = persistence::manifest::Manifest::parse(&m.to_text()).expect("reparse");
            assert_eq!(again.to_text(), m.to_text());
        }
    }
});
