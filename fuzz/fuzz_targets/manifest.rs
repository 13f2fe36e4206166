//! cargo-fuzz target: manifest text through the whole loader and the diagnostic
//! renderer. Besides "never panics", it checks the loader's contract: a manifest is
//! returned exactly when no diagnostic is an error, and every diagnostic's span lies
//! inside the text on character boundaries (so rendering can point at it).
#![no_main]

use std::path::Path;

use cladgen_core::load::{LoadOptions, UnknownKeys, load_str, load_types_str};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The loader takes text; file bytes that are not UTF-8 are refused before it.
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz.clad.toml");
    let opts = LoadOptions {
        unknown_keys: if data.first().is_some_and(|b| b & 1 == 1) {
            UnknownKeys::Warn
        } else {
            UnknownKeys::Error
        },
        ..LoadOptions::default()
    };
    let loaded = load_str(path, &text, &opts);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    assert_eq!(loaded.manifest.is_some(), errors == 0);
    for d in &loaded.diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= text.len(),
            "{d:?}"
        );
        assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
        let rendered = d.render(&text, false);
        assert!(rendered.contains(d.code.name));
        let _ = d.one_line();
    }
    let _ = load_types_str(Path::new("toolclad.toml"), &text, UnknownKeys::Error);
});
