cladgen::include_manifest!("tests/ui/manifests/default_wrong_type.clad.toml");

fn main() {}
