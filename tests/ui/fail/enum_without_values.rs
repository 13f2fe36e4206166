cladgen::include_manifest!("tests/ui/manifests/enum_without_values.clad.toml");

fn main() {}
