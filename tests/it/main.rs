//! The integration tests of this crate, as one test binary (one link on a
//! 2-core machine instead of one per file).

/// The corpus projects' generated code (the build script writes it when
/// `../shared/corpus` is present); its macros name it `crate::corpus`.
#[cfg(cladgen_corpus)]
mod corpus {
    include!(concat!(env!("OUT_DIR"), "/corpus/mod.rs"));
}
mod adversarial;
mod corpus_manifests;
mod dependencies;
mod extern_types;
mod generated;
mod golden;
mod include_manifest;
mod invalid_manifests;
mod names;
mod parity;
mod run_generated;
mod serve_tools;
