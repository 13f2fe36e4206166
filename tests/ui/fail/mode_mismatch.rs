cladgen::include_manifest!("tests/ui/manifests/mode_mismatch.clad.toml");

fn main() {}
