cladgen::include_manifest!("tests/ui/manifests/no_such_tool.clad.toml");

fn main() {}
