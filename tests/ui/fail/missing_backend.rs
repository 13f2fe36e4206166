cladgen::include_manifest!("tests/ui/manifests/missing_backend.clad.toml");

fn main() {}
