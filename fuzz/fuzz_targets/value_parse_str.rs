//! cargo-fuzz target: see `cladgen_fuzz::value_parse_str`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cladgen_fuzz::value_parse_str(data));
