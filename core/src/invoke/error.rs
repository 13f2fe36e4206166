//! Errors of building a run from valid arguments.

use super::SecretError;

/// Why a run could not be built from a valid call. Argument problems are
/// [`crate::value::ArgErrors`], reported before this stage; these are about the
/// backend, the secrets and the assembled result. No variant carries a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeError {
    /// The operation needs another backend (e.g. `argv` on an `[http]` tool).
    #[error("tool '{tool}' has a {found} backend; {operation} needs {expected}")]
    WrongBackend {
        /// Tool name.
        tool: String,
        /// What was asked for (`argv`, `http_request`, ...).
        operation: &'static str,
        /// The backend(s) the operation works with.
        expected: &'static str,
        /// The tool's backend.
        found: &'static str,
    },
    /// The command produced no argv element at all.
    #[error("the command produced an empty argv")]
    EmptyArgv,
    /// The program (argv\[0\], or the executor path) is empty.
    #[error("the command's program (argv[0]) is empty")]
    EmptyProgram,
    /// A header value would contain CR or LF (its value is not shown: it may hold a
    /// secret).
    #[error("header '{header}' would contain a CR or LF character")]
    HeaderValue {
        /// Header name.
        header: String,
    },
    /// A value `.` or `..` would fill a URL path segment, which URL parsers resolve
    /// (even percent-encoded) into another path.
    #[error("{} cannot be '.' or '..' in a URL path", dot_subject(.arg.as_deref()))]
    DotSegment {
        /// Argument name, when known.
        arg: Option<String>,
    },
    /// A value placed in a URL's host or port does not read as one host or port (see
    /// [`crate::value::check_url_authority_value`]).
    #[error("{} cannot be placed in the URL's host or port: {reason}", dot_subject(.arg.as_deref()))]
    UrlAuthority {
        /// Argument name, when known.
        arg: Option<String>,
        /// Why not.
        reason: &'static str,
    },
    /// A secret could not be resolved.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The model refers to something it does not hold (an index out of range, a
    /// conditional inside a conditional fragment). The loader never produces such a
    /// model; hand-built ones can.
    #[error("tool '{tool}': inconsistent manifest model: {detail}")]
    Model {
        /// Tool name.
        tool: String,
        /// What is wrong.
        detail: String,
    },
}

fn dot_subject(arg: Option<&str>) -> String {
    match arg {
        Some(a) => format!("argument '{a}'"),
        None => "a URL path value".to_owned(),
    }
}
