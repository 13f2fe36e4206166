//! `--mcp-config FILE` of `run`, `validate` and `serve`: the upstream MCP servers of
//! `[mcp]` tools (`docs/execution.md`, "MCP proxy tools").
//!
//! Without the option, `run` and `serve` look for `mcp.json`, `.mcp.json`,
//! `.vscode/mcp.json` or `mcp_servers.toml` from the manifest's folder upwards (the
//! project root, beside `scope/`), never in the home folder or above; only when an
//! `[mcp]` tool needs it. `validate` checks upstreams only with the option.

use std::path::Path;

use cladgen_run::mcp::{McpServers, default_config_for};

/// The configuration: `explicit`, else (when `needed`) the default lookup from
/// `start` (a manifest or a folder). `Ok(None)`: none given and none found.
pub(crate) fn servers(
    explicit: Option<&Path>,
    start: &Path,
    needed: bool,
) -> Result<Option<McpServers>, String> {
    let file = match explicit {
        Some(f) => f.to_path_buf(),
        None if needed => match default_config_for(start).map_err(|e| e.to_string())? {
            Some(f) => f,
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    McpServers::load(&file).map(Some).map_err(|e| e.to_string())
}
