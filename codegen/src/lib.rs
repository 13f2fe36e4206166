//! Code generation: checked manifests to Rust tokens.
