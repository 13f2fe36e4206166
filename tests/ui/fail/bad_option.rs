cladgen::include_manifest!("tests/ui/manifests/demo.clad.toml", unknown_key = warn);

cladgen::include_manifest!(
    "tests/ui/manifests/demo.clad.toml",
    extern_types = { host = std::vec::Vec<u8> },
);

fn main() {}
