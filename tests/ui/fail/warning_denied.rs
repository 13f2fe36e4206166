// A manifest that loads with a warning: the warning is a `deprecated` lint at the
// path literal, so `deny(deprecated)` (or `-D warnings`) makes it fail the build.
#![deny(deprecated)]

cladgen::include_manifest!("tests/ui/manifests/warns.clad.toml");

fn main() {}
