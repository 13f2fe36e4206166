//! Generates typed Rust for `manifests/` (the nmap manifest the `argv` and `schema`
//! benches measure) into `$OUT_DIR/cladgen/`, exactly as an agent crate would.

fn main() {
    // Diagnostics have been printed for Cargo; a failed build is the right outcome.
    if cladgen_build::Builder::new()
        .manifest_dir("manifests")
        .generate()
        .is_err()
    {
        std::process::exit(1);
    }
}
