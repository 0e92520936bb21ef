//! Random programs of commands from the whole table (`sluice::cmd::testing::fuzz_program`)
//! on a fresh store, two clients taking turns: no command panics, every reply is whole RESP.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sluice::cmd::testing::run_fuzz_program(data);
});
