//! cargo-fuzz target: see `cladgen_fuzz::url_fast_path`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cladgen_fuzz::url_fast_path(data));
