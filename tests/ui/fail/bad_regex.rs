cladgen::include_manifest!("tests/ui/manifests/bad_regex.clad.toml");

fn main() {}
