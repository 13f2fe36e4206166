cladgen::include_manifest!("tests/ui/manifests/duplicate_position.clad.toml");

fn main() {}
