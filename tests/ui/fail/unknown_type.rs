cladgen::include_manifest!("tests/ui/manifests/unknown_type.clad.toml");

fn main() {}
