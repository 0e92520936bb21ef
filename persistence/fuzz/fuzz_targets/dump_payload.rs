//! Any value bytes given to RESTORE's payload decoder: a value or a refusal, never a panic.
//! The input is the payload's body (type and value); the footer is added here with a good
//! checksum, so the fuzzer explores the decoder rather than the CRC. The first byte picks
//! the footer's version: odd 80 (Valkey's numbering), even 11 (Redis's).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let mut payload = body.to_vec();
    persistence::rdb::seal_payload(&mut payload, if pick % 2 == 1 { 80 } else { 11 });
    if let Ok(persistence::rdb_load::Item::Stream(s)) =
        persistence::rdb_load::decode_dump(&payload)
    {
        s.for_each_entry(|_, _| {});
    }
});
