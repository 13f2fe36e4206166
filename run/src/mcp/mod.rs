//! `[mcp]` tools run as a proxy to upstream MCP servers (feature `mcp-proxy`).
//!
//! - [`McpServers`]: the upstream configuration (`mcpServers` / `servers` JSON, or
//!   `[mcp_servers.NAME]` TOML), parsed with located errors ([`ConfigError`]);
//! - [`Upstreams`]: the pool of running servers of a runner (one per name, started
//!   on first use, each in its own process group, stopped by
//!   [`crate::Runner::shutdown`] or dropped with the runner);
//! - the call itself, through [`crate::Runner::run`] like a command: the gate first
//!   (the approver sees `mcp://server/tool` and the exact arguments), then the
//!   upstream call under `timeout_seconds`, cancellation forwarded as
//!   `notifications/cancelled`, the result mapped into the envelope;
//! - [`check_upstreams`]: the drift check between manifests and their upstreams.
//!
//! `docs/execution.md` ("MCP proxy tools") has every decision.

mod config;
mod drift;
mod proxy;
mod upstream;

pub use config::{ConfigError, DEFAULT_CONFIG_NAMES, McpServers, ServerSpec};
pub use drift::{DriftError, DriftProblem, check_upstreams, check_upstreams_blocking};
pub(crate) use proxy::McpCall;
pub use upstream::{START_TIMEOUT, UpstreamError, Upstreams, default_config_for};
