//! [`Plan`]: what one call runs, whatever the backend.

use super::http::HttpRequest;
use super::process::ExecutorCall;
use serde_json::{Map, Value, json};

/// What running a call means, per backend. Built by [`super::Call::plan`].
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// A `template` or `exec` command: run `argv[0]` with the rest, never a shell.
    Argv(Vec<String>),
    /// An `executor` command: the program with no arguments and `TOOLCLAD_*`
    /// variables.
    Executor(ExecutorCall),
    /// An `[http]` request.
    Http(HttpRequest),
    /// An `[mcp]` call forwarded to another server.
    Mcp {
        /// Upstream server.
        server: String,
        /// Upstream tool.
        tool: String,
        /// Typed arguments under their upstream names.
        arguments: Map<String, Value>,
    },
    /// `dispatch = "callback"`: the host runs the tool; nothing to run here.
    Callback {
        /// Tool name.
        tool: String,
    },
    /// `[source]`: the host implements this operation in-process.
    Source {
        /// Operation name.
        operation: String,
    },
    /// `[session]`: commands go through a session started with `startup_argv`
    /// (see [`super::SessionCommandCall`]).
    Session {
        /// Tool name.
        tool: String,
        /// The startup command, one argv element each.
        startup_argv: Vec<String>,
    },
    /// `[browser]`: commands go through a browser session (see
    /// [`super::BrowserCommandCall`]).
    Browser {
        /// Tool name.
        tool: String,
    },
}

impl Plan {
    /// The JSON form used by `cladgen test --json`, secrets redacted:
    ///
    /// - `{"argv": [...]}` for a command;
    /// - `{"argv": [program], "env": {...}}` for an executor;
    /// - `{"http": {"method", "url", "headers", "body"}}`;
    /// - `{"mcp": {"server", "tool", "arguments"}}`;
    /// - `{"callback": {"tool"}}`, `{"source": {"operation"}}`;
    /// - `{"session": {"tool", "startup_argv"}}`, `{"browser": {"tool"}}`.
    pub fn to_json(&self) -> Value {
        match self {
            Plan::Argv(argv) => json!({ "argv": argv }),
            Plan::Executor(e) => {
                let env: Map<String, Value> = e
                    .env()
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect();
                json!({ "argv": [e.program()], "env": env })
            }
            Plan::Http(r) => json!({ "http": r.to_json_redacted() }),
            Plan::Mcp {
                server,
                tool,
                arguments,
            } => json!({ "mcp": { "server": server, "tool": tool, "arguments": arguments } }),
            Plan::Callback { tool } => json!({ "callback": { "tool": tool } }),
            Plan::Source { operation } => json!({ "source": { "operation": operation } }),
            Plan::Session { tool, startup_argv } => {
                json!({ "session": { "tool": tool, "startup_argv": startup_argv } })
            }
            Plan::Browser { tool } => json!({ "browser": { "tool": tool } }),
        }
    }
}
