cladgen::include_manifest!("tests/ui/manifests/undefined_placeholder.clad.toml");

fn main() {}
