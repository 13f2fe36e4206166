//! The checked manifest model.
//!
//! A [`Manifest`] is what the loader (`crate::load`, feature `load`) produces after
//! every check has passed. Once you hold one, it is valid: type names are resolved,
//! regexes compile, placeholders point at real arguments, `when` expressions are
//! parsed trees, and defaults have been validated against their own type.
//!
//! Every string and list is a `Cow<'static, _>` so the same model can be built at run
//! time by the loader or written out as a `static` by the code generator
//! (`include_manifest!` embeds a `static MANIFEST: Manifest` with no parsing and no
//! allocation at run time).

mod arg;
mod backend;
mod browser;
mod expr;
mod output;
mod pattern;
pub(crate) use pattern::parse_ascii;
mod session;
mod tool;

pub use arg::{Arg, ArgType, Constraints, Scalar, TypeKind};
pub use backend::{
    Backend, Body, BodyPiece, CommandRun, CommandSpec, Conditional, ExecVar, Header, HttpMethod,
    HttpSpec, JsonSlot, Mapping, MappingEntry, McpField, McpSpec, Piece, SourceSpec, TextPiece,
    Token, UrlPart,
};
pub use browser::{
    AuthFlow, BrowserCommand, BrowserConnect, BrowserEngine, BrowserScope, BrowserSpec,
    BrowserState, ExtractMode,
};
pub use expr::{CmpOp, Expr, Literal};
pub use output::{Output, OutputFormat, Parser};
pub use pattern::Pattern;
#[cfg(feature = "load")]
pub(crate) use pattern::hir as pattern_hir;
pub use session::{
    ChildDetection, Interaction, SessionCommand, SessionEvents, SessionSpec, TemplatePiece,
    TextBinding,
};
pub use tool::{Cedar, Dispatch, Evidence, Mode, RiskTier, ToolMeta};

use std::borrow::Cow;

/// A string in the model: borrowed from a `static` in generated code, owned when loaded.
pub type Str = Cow<'static, str>;
/// A list in the model: a `&'static [T]` in generated code, a `Vec<T>` when loaded.
pub type List<T> = Cow<'static, [T]>;

/// One checked ToolClad manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// `[tool]`.
    pub tool: ToolMeta,
    /// `[args.*]`, ordered by `position` (when given) and then by declaration order.
    /// Backends refer to arguments by their index in this list.
    pub args: List<Arg>,
    /// How the tool runs: exactly one backend (or none for callback dispatch).
    pub backend: Backend,
    /// `[output]`; absent only for callback and `[source]` manifests that omit it.
    pub output: Option<Output>,
}

impl Manifest {
    /// The argument with this name, if declared.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.name == name)
    }

    /// The index of the argument with this name in [`Manifest::args`].
    pub fn arg_index(&self, name: &str) -> Option<usize> {
        self.args.iter().position(|a| a.name == name)
    }
}
