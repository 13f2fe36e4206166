//! Shared core of cladgen: the checked ToolClad manifest model, the value rules, the
//! schema generator and the dynamic invocation path; with feature `load`, the
//! spanned TOML loader and every build-time check.
//!
//! This crate is an implementation detail of `cladgen`, `cladgen-build`,
//! `cladgen-macros` and the `cladgen` CLI; depend on `cladgen` instead.

#![warn(missing_docs)]

pub mod field;
pub mod invoke;
#[cfg(feature = "load")]
pub mod load;
pub mod model;
pub mod names;
pub mod schema;
pub mod scope;
pub mod value;
