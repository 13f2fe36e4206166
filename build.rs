//! Dogfood: generate typed Rust for the bundled `manifests/` into OUT_DIR, so the
//! crate's tests and examples exercise exactly what users get
//! (`cladgen::include_tools!()` in `tests/` and `examples/`). The library itself
//! includes none of it. A packaged crate has no `manifests/`, so nothing happens there.

fn main() {
    if !std::path::Path::new("manifests").is_dir() {
        return;
    }
    // Diagnostics have been printed for Cargo; a failed build is the right outcome.
    if cladgen_build::Builder::new()
        .manifest_dir("manifests")
        .generate()
        .is_err()
    {
        std::process::exit(1);
    }
}
