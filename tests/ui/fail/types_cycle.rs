// The second argument names the types file; its cycle is reported, not the manifest.
cladgen::include_manifest!(
    "tests/ui/manifests/uses_cycle.clad.toml",
    "tests/ui/types/cycle.toolclad.toml"
);

fn main() {}
