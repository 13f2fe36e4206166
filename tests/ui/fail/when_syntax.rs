cladgen::include_manifest!("tests/ui/manifests/when_syntax.clad.toml");

fn main() {}
