//! `cladgen serve [PATH]...`: every manifest under the paths served as MCP tools over
//! stdio, or streamable HTTP with `--http ADDR` (`docs/mcp-server.md`). On stdio,
//! stdout carries only JSON-RPC; messages go to stderr.
//!
//! Scope and evidence are as for `cladgen run`; there is no terminal to ask, so a
//! `human_approval` call is put to the MCP client through elicitation (refused when
//! the client cannot answer; `docs/mcp-server.md`). `[mcp]` tools use the
//! upstream servers of `--mcp-config` (or the project's default file, looked up from
//! the first path); with a configuration, every `[mcp]` tool is drift-checked before
//! anything is served (exit 1 on drift); without one they are listed and their calls
//! refused.
//!
//! Exit codes: 0 when the client closed the session (or SIGTERM/SIGINT), 1 when a
//! manifest is invalid, 2 for usage or I/O errors.

use std::path::PathBuf;
use std::process::ExitCode;

use cladgen_core::scope::Scope;
use cladgen_run::{RunConfig, Runner};
use cladgen_serve::{LoadError, McpServer, RefuseApproval, ToolSet};

/// Arguments of `cladgen serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Manifest files or folders holding `*.clad.toml` (default: `.`).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// `toolclad.toml` with custom types (default: the nearest one of each manifest).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
    /// The project scope (default: the nearest `scope/scope.toml` of the first path).
    #[arg(long, value_name = "FILE")]
    scope: Option<PathBuf>,
    /// Where evidence is written (default: `$TOOLCLAD_EVIDENCE_DIR`, else
    /// `<temp>/cladgen-evidence`).
    #[arg(long, value_name = "DIR")]
    evidence_dir: Option<PathBuf>,
    /// Serve streamable HTTP at `http://ADDR/mcp` instead of stdio (e.g.
    /// `127.0.0.1:8080`); loopback only unless `--http-allow-remote`.
    #[arg(long, value_name = "ADDR")]
    http: Option<std::net::SocketAddr>,
    /// Allow `--http` on a non-loopback address: anyone who reaches it can call the
    /// tools (the gate still applies).
    #[arg(long, requires = "http")]
    http_allow_remote: bool,
    /// Upstream MCP servers of `[mcp]` tools (default: `mcp.json`, `.mcp.json`,
    /// `.vscode/mcp.json` or `mcp_servers.toml` beside the first path's project,
    /// never the home folder).
    #[arg(long, value_name = "FILE")]
    mcp_config: Option<PathBuf>,
    /// How many calls run at once; the others wait their turn.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    max_concurrent: u16,
}

/// Runs `cladgen serve`.
pub(crate) fn run(args: &ServeArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let tools = match ToolSet::load(&paths, args.types.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(match e {
                LoadError::Empty => 2,
                _ => 1,
            });
        }
    };
    let mut config = RunConfig::default().with_approver(RefuseApproval);
    let scope_file = args.scope.clone().or_else(|| {
        // The lookup starts in a manifest's folder: for a folder, inside it.
        let first = &paths[0];
        if first.is_dir() {
            crate::run_cmd::find_scope_file(&first.join("any.clad.toml"))
        } else {
            crate::run_cmd::find_scope_file(first)
        }
    });
    if let Some(path) = &scope_file {
        match Scope::load(path) {
            Ok(s) => config = config.with_scope(s),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let evidence = args
        .evidence_dir
        .clone()
        .or_else(|| std::env::var_os("TOOLCLAD_EVIDENCE_DIR").map(PathBuf::from));
    if let Some(dir) = evidence {
        config = config.with_evidence_dir(dir);
    }
    let mcp_tools = tools.mcp_tool_count();
    let servers =
        match crate::mcp_config::servers(args.mcp_config.as_deref(), &paths[0], mcp_tools > 0) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
    if mcp_tools > 0 && servers.is_none() {
        eprintln!(
            "cladgen serve: warning: {mcp_tools} [mcp] tool(s) and no MCP server configuration (--mcp-config, or mcp.json at the project root): their calls are refused"
        );
    }
    eprintln!(
        "cladgen serve: {} tool(s) on {}, at most {} at once{}",
        tools.len(),
        if args.http.is_some() { "HTTP" } else { "stdio" },
        args.max_concurrent,
        match &scope_file {
            Some(p) => format!(", scope {}", p.display()),
            None => ", no scope (scope-checked tools are refused)".to_owned(),
        }
    );
    let mut runner = Runner::new(config);
    if let Some(s) = servers {
        runner = runner.with_mcp_servers(s);
    }
    let server = McpServer::new(tools, runner).with_max_concurrent(args.max_concurrent.into());
    let served = match args.http {
        Some(addr) => server.serve_http_blocking(addr, args.http_allow_remote),
        None => server.serve_stdio_blocking(),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            // Drift found at startup is a problem of the manifests, like an invalid one.
            let drift = e
                .get_ref()
                .is_some_and(|inner| inner.is::<cladgen_serve::DriftReport>());
            ExitCode::from(if drift { 1 } else { 2 })
        }
    }
}
