//! # cladgen
//!
//! Compile-time code generation for [ToolClad] manifests (`*.clad.toml`): every tool an
//! AI agent may call becomes Rust types the compiler checks. This crate is the small
//! runtime that generated code uses: validated value types, argument errors, the
//! execution context, argv / HTTP / MCP request building, and the [`Tool`] trait.
//!
//! Two ways to get typed tools:
//!
//! * a build script over a folder (`cladgen-build` as a build-dependency), then
//!   `cladgen::include_tools!()`;
//! * one manifest at a time with `cladgen::include_manifest!("tools/x.clad.toml")`.
//!
//! ```ignore
//! mod tools { cladgen::include_tools!(); }
//! use tools::nmap_scan::NmapScanArgs;
//!
//! let call = serde_json::json!({"target": "10.0.1.0/24", "scan_type": "service"});
//! let args = NmapScanArgs::from_json(&call)?;              // every error at once
//! let ctx = cladgen::ExecContext::new("scan-1", "/var/evidence");
//! let argv: Vec<String> = args.argv(&ctx);                 // argv[0] is the program
//! ```
//!
//! [ToolClad]: https://github.com/ThirdKeyAI/ToolClad

#![warn(missing_docs)]

// Lets generated code use `::cladgen::...` paths inside this crate's own tests/examples.
extern crate self as cladgen;

mod registry;
mod tool;

pub use cladgen_core::invoke::{
    self, Call, EnvSecrets, ExecContext, ExecutorCall, HttpRequest, InvokeError, MapSecrets, Plan,
    Secret, SecretError, SecretResolver,
};
pub use cladgen_core::model::{self, Manifest, RiskTier};
pub use cladgen_core::schema::{self, Flavor};
pub use cladgen_core::scope;
pub use cladgen_core::value::{self, ArgError, ArgErrors, ArgSpec, ArgValue, ParseOptions, Rule};
pub use registry::CallError;
pub use tool::{CedarRef, Tool};

#[cfg(feature = "macros")]
pub use cladgen_macros::include_manifest;
/// Governed execution (feature `run`): the gate, process groups, bounded output,
/// parsers and the evidence envelope. See `docs/execution.md`.
#[cfg(feature = "run")]
pub use cladgen_run as run;

/// Includes the code `cladgen-build` generated into `OUT_DIR`.
///
/// Use it inside a module: `mod tools { cladgen::include_tools!(); }`. With an argument,
/// includes a sub-directory set with `Builder::out_subdir` (default `cladgen`).
#[macro_export]
macro_rules! include_tools {
    () => {
        ::core::include!(::core::concat!(::core::env!("OUT_DIR"), "/cladgen/mod.rs"));
    };
    ($subdir:literal) => {
        ::core::include!(::core::concat!(
            ::core::env!("OUT_DIR"),
            "/",
            $subdir,
            "/mod.rs"
        ));
    };
}

/// Items generated code needs; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use ::core;
    pub use ::serde;
    pub use ::serde_json;
    pub use ::std;
    pub use cladgen_core::field;
    pub use cladgen_core::invoke::encode;
    pub use cladgen_core::invoke::{Argv, Flags};
    pub use cladgen_core::model::ExecVar;

    /// The JSON value of a generated constant, parsed on first use and kept for the
    /// life of the process.
    ///
    /// The text was produced by serde_json at build time, so it always parses; `Null`
    /// is unreachable and only avoids a panic path.
    pub fn parsed(
        cell: &'static ::std::sync::OnceLock<::serde_json::Value>,
        text: &'static str,
    ) -> &'static ::serde_json::Value {
        cell.get_or_init(|| ::serde_json::from_str(text).unwrap_or(::serde_json::Value::Null))
    }
}
