cladgen::include_manifest!(tools::demo);

cladgen::include_manifest!("tests/ui/manifests/demo.clad.toml", "a", "b");

fn main() {}
