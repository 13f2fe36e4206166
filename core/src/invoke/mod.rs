//! The dynamic path: a checked manifest plus JSON arguments to argv, HTTP request or
//! MCP arguments, without compiling; and the run-time building blocks that generated
//! code uses too (execution context, secrets, request text, executor environment).
//!
//! ```ignore
//! let call = Call::from_json(&manifest, &json, &ParseOptions::DEFAULT)?; // all errors at once
//! let ctx = ExecContext::new("scan-1", "/var/evidence");
//! match call.plan(&ctx, &EnvSecrets)? {
//!     Plan::Argv(argv) => { let cmd = argv_command(&argv)?; /* spawn */ }
//!     Plan::Http(req) => { /* send req.url(), req.headers(), req.body() */ }
//!     other => { /* ... */ }
//! }
//! ```
//!
//! Semantics (the same as generated code):
//! - argv: one template token is one argv element; a value is never split; a token
//!   referring to an absent optional argument, an unmapped value or a false
//!   conditional is dropped; see [`Call::argv`]. Generated code and [`Call::argv`]
//!   both build through [`Argv`], which holds these rules.
//! - executor: no arguments; `TOOLCLAD_ARG_<NAME>` per present argument plus
//!   `TOOLCLAD_SCAN_ID`, `TOOLCLAD_TOOL_NAME`, `TOOLCLAD_EVIDENCE_DIR` and
//!   `TOOLCLAD_OUTPUT_DIR`; see [`ExecutorCall`].
//! - HTTP: values encoded for where they land; absent optional arguments are empty
//!   text, or `null` in JSON value position; secrets redacted in every display; see
//!   [`Call::http_request`].
//! - MCP: typed JSON values under their upstream names; see [`Call::mcp_arguments`].

mod argv;
mod call;
mod context;
pub mod encode;
mod error;
mod http;
mod plan;
mod process;
mod secret;
mod session;

pub use argv::{Argv, ArgvText, Flags, Token};
pub use call::Call;
pub use context::ExecContext;
pub use error::InvokeError;
pub use http::{HttpRequest, RequestText, http_success};
pub use plan::Plan;
pub use process::{ARG_ENV_PREFIX, ExecutorCall, arg_env_name, argv_command};
pub use secret::{EnvSecrets, MapSecrets, PlaceholderSecrets, Secret, SecretError, SecretResolver};
pub use session::{
    BrowserCommandCall, COMMAND_FIELD, CommandCallError, CommandText, SessionCommandCall,
};
