//! The bundled tools as an MCP server over stdio, from their compiled code: the few
//! lines an agent crate needs to serve its own `Tools`.
//!
//! Run with `cargo run --example serve`, then talk JSON-RPC on stdin, or register
//! it in an MCP client (`"command": "cargo", "args": ["run", "-q", "--example",
//! "serve"]`). Scope-checked tools (nmap_scan, ...) need a project scope: this example
//! reads `scope/scope.toml` when it exists, and refuses them with a message
//! saying so otherwise. Logs go to stderr; stdout carries only JSON-RPC.

mod tools {
    cladgen::include_tools!();
}

use cladgen::run::{RunConfig, Runner};
use cladgen_serve::{McpServer, ToolSet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = RunConfig::default();
    let scope = std::path::Path::new("scope/scope.toml");
    if scope.is_file() {
        config = config.with_scope(cladgen::scope::Scope::load(scope)?);
    }
    let tools = ToolSet::from_tools::<tools::Tools>()?;
    eprintln!("serving {} tools over stdio", tools.len());
    McpServer::new(tools, Runner::new(config)).serve_stdio_blocking()?;
    Ok(())
}
