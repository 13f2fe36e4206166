cladgen::include_manifest!("tests/ui/manifests/toml_syntax.clad.toml");

fn main() {}
