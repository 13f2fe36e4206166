cladgen::include_manifest!("tests/ui/manifests/unknown_key.clad.toml");

fn main() {}
