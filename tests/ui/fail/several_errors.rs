cladgen::include_manifest!("tests/ui/manifests/several_errors.clad.toml");

fn main() {}
