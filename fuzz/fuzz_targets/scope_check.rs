//! cargo-fuzz target: see `cladgen_fuzz::scope_check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cladgen_fuzz::scope_check(data));
