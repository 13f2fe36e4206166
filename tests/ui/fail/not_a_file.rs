// A directory, not a manifest file.
cladgen::include_manifest!("tests/ui/manifests");

fn main() {}
