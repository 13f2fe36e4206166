//! `cladgen`: validate ToolClad manifests (and, as further subcommands are added,
//! test, expand and print schemas).
//!
//! Exit codes: 0 when everything is valid (warnings allowed), 1 when a manifest is
//! invalid, 2 on usage or I/O errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod schema_cmd;
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
    }
}
