//! `cladgen`: validate ToolClad manifests, test a call without running it, run it
//! under the gate, expand the generated Rust, and print LLM tool schemas.
//!
//! Exit codes: 0 when everything is valid (warnings allowed), 1 when a manifest is
//! invalid, 2 on usage or I/O errors. `run`: 0 on success, 1 when the call was
//! refused or the tool failed, 2 on usage or I/O errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod expand_cmd;
mod run_cmd;
mod schema_cmd;
mod serve_cmd;
mod test_cmd;
mod validate;

/// Compile-time code generator for ToolClad manifests.
#[derive(Debug, Parser)]
#[command(name = "cladgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each lives in its own module with an `Args` struct and a `run`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Load and check manifests; report every problem with its location.
    Validate(validate::ValidateArgs),
    /// Print the LLM tool definitions (MCP, OpenAI strict or Anthropic) of a manifest.
    Schema(schema_cmd::SchemaArgs),
    /// Validate one call's arguments and print what would run (argv, HTTP request,
    /// MCP call), without running it.
    Test(test_cmd::TestArgs),
    /// Run one call for real: scope, risk and approval gate, the process in its own
    /// group with a timeout, parsed results and the evidence envelope.
    Run(run_cmd::RunArgs),
    /// Serve every manifest under the paths as MCP tools (stdio, or HTTP): typed schemas,
    /// the gate and the runner behind every call, progress and cancellation.
    Serve(serve_cmd::ServeArgs),
    /// Print the Rust code generated for one manifest (what a build script writes).
    Expand(expand_cmd::ExpandArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match &cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Schema(args) => schema_cmd::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Run(args) => run_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Expand(args) => expand_cmd::run(args),
    }
}
