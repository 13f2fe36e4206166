//! Code generation: checked ToolClad manifests to Rust tokens.
//!
//! This crate turns a [`Manifest`](cladgen_core::model::Manifest) (already loaded and checked by `cladgen-core`) into
//! the items of one tool module, and a manifest set into a registry. It reads and
//! writes no files and does no formatting: `cladgen-core`'s `load::Project` reads
//! manifests and types files (for `include_manifest!` too, whose path literals this
//! crate only checks against the crate root), `cladgen-build` formats with
//! prettyplease and writes files, `cladgen-macros` returns the tokens to rustc.
//! Internal crate of cladgen.

#![warn(missing_docs)]

mod args;
mod command;
mod docs;
mod embed;
pub mod literal;
mod names;
mod registry;
mod remote;
mod session;
mod tool;

pub(crate) use docs::{code_span, doc_lines};
pub use docs::{manifest_prose, visible};
pub use embed::include_manifest;
pub use names::pascal;
pub use registry::registry;
pub use tool::{tool_items, tool_module_name};

use proc_macro2::TokenStream;
use quote::quote;

/// Options of the generator.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Path of the runtime crate in generated code (default `::cladgen`), like
    /// prost's `prost_path`.
    pub runtime_path: String,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            runtime_path: "::cladgen".into(),
        }
    }
}

/// Why code could not be generated for a (checked) manifest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenError {
    /// The generator produced tokens that do not parse as Rust items (a bug in the
    /// generator, reported rather than emitted).
    #[error("tool `{tool}`: the generated code does not parse ({reason}); please report this")]
    Internal {
        /// The tool.
        tool: String,
        /// The parser's message.
        reason: String,
    },
    /// Two generated items of one tool module would get the same Rust name.
    #[error(
        "tool `{tool}`: {what} would generate the Rust name `{name}`, which is already used in the module; rename one of them"
    )]
    NameCollision {
        /// The tool.
        tool: String,
        /// What produced the name.
        what: String,
        /// The colliding Rust name.
        name: String,
    },
    /// A Rust path given for an extern type does not parse.
    #[error(
        "tool `{tool}`, argument `{arg}`: extern type path `{path}` is not a Rust path: {reason}"
    )]
    ExternPath {
        /// The tool.
        tool: String,
        /// The argument.
        arg: String,
        /// The path as configured.
        path: String,
        /// The parser's message.
        reason: String,
    },
    /// The runtime path option does not parse.
    #[error("runtime path `{0}` is not a Rust path")]
    RuntimePath(String),
    /// The LLM schemas of the tool cannot be generated (e.g. a tool name providers refuse).
    #[error(transparent)]
    Schema(#[from] cladgen_core::schema::SchemaError),
    /// Two tools of a set would get the same module name.
    #[error("tools `{0}` and `{1}` would generate the same module name")]
    DuplicateModule(String, String),
}

/// Per-tool generation state.
pub(crate) struct Gen {
    /// Runtime crate path tokens.
    pub rt: TokenStream,
    /// Tool name (for messages).
    pub tool: String,
    /// `[tool.evidence] output_dir`, if set (executor `TOOLCLAD_OUTPUT_DIR`).
    pub evidence_output_dir: Option<String>,
}

impl Gen {
    pub(crate) fn new(opts: &GenOptions, tool: &str) -> Result<Self, CodegenError> {
        let path: syn::Path = syn::parse_str(&opts.runtime_path)
            .map_err(|_| CodegenError::RuntimePath(opts.runtime_path.clone()))?;
        Ok(Gen {
            rt: quote!(#path),
            tool: tool.to_owned(),
            evidence_output_dir: None,
        })
    }
}

/// An unsuffixed integer literal (`5`, not `5usize`) for lengths and indices.
pub(crate) fn index(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}
