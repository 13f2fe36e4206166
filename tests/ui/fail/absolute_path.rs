cladgen::include_manifest!("/etc/tools/demo.clad.toml");

fn main() {}
