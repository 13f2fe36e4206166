// tests/ui.rs puts this file beside (not inside) the trybuild project's crate root.
cladgen::include_manifest!("../outside.clad.toml");

fn main() {}
