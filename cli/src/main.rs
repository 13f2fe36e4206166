//! `cladgen`: validate ToolClad manifests, test a call without running it, run it
//! under the gate, expand the generated Rust, print LLM tool schemas, and explain
//! diagnostic codes.
//!
//! Exit codes: 0 when everything is valid (warnings allowed), 1 when a manifest is
//! invalid, 2 on usage or I/O errors. `run`: 0 on success, 1 when the call was
//! refused or the tool failed, 2 on usage or I/O errors.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cladgen_core::load::{Project, TypesFile, UnknownKeys};
use cladgen_core::model::Manifest;
use clap::{Parser, Subcommand};

mod expand_cmd;
mod explain_cmd;
mod mcp_config;
mod run_cmd;
mod run_session;
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
    /// Explain a diagnostic code (`cladgen explain bad-regex`); list them all without one.
    Explain(explain_cmd::ExplainArgs),
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
        Command::Explain(args) => explain_cmd::run(args),
    }
}

/// Exit code when a manifest (or its types file) is invalid.
pub(crate) const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors.
pub(crate) const EXIT_IO: u8 = 2;

/// The loader of every command: `--types` if given, else the nearest `toolclad.toml`
/// up to the manifest's package root (the nearest folder holding a `Cargo.toml`),
/// outside a package up to the folder named on the command line
/// (see `cladgen_core::load::TypesFile`).
pub(crate) fn project(types: Option<&Path>, unknown_keys: UnknownKeys) -> Project {
    Project::new()
        .types_file(match types {
            Some(t) => TypesFile::At(t.to_path_buf()),
            None => TypesFile::Nearest,
        })
        .unknown_keys(unknown_keys)
}

/// Whether stderr shows colours.
pub(crate) fn styled() -> bool {
    std::io::stderr().is_terminal()
}

/// Loads one manifest for `test`, `schema` and `expand`: every diagnostic (warnings
/// included, the types file's too) is printed on stderr, as `validate` does. Errors
/// end in the exit code: 2 when a file cannot be read, 1 when something is invalid.
pub(crate) fn load_one(manifest: &Path, types: Option<&PathBuf>) -> Result<Manifest, u8> {
    let set = project(types.map(PathBuf::as_path), UnknownKeys::Error).load_file(manifest);
    eprint!("{}", set.render(styled()));
    if !set.has_errors()
        && let Some((_, m)) = set.valid().next()
    {
        return Ok(m.clone());
    }
    if set.has_input_errors() {
        return Err(EXIT_IO);
    }
    let errors = set.error_count();
    let what = match set.manifests.first() {
        Some(m) if m.types_failed => format!(
            "the custom types in {} are invalid",
            m.types_file.as_deref().unwrap_or(Path::new("?")).display()
        ),
        _ => format!("{errors} error{}", if errors == 1 { "" } else { "s" }),
    };
    eprintln!(
        "error: {} is not a valid manifest ({what})",
        manifest.display()
    );
    Err(EXIT_INVALID)
}
