//! `cladgen schema <MANIFEST> [--flavor mcp|openai|anthropic]`: print the tool
//! definitions an LLM sees, generated from the manifest at run time (the same JSON
//! the generated code embeds).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use cladgen_core::schema::{self, Flavor};

use crate::{EXIT_INVALID, EXIT_IO};

/// Tool definition shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FlavorArg {
    /// MCP `tools/list` entries (`inputSchema`, `outputSchema`, `annotations`).
    Mcp,
    /// OpenAI function tools in strict mode (Chat Completions shape).
    Openai,
    /// Anthropic tools (`input_schema`).
    Anthropic,
}

impl From<FlavorArg> for Flavor {
    fn from(f: FlavorArg) -> Self {
        match f {
            FlavorArg::Mcp => Flavor::Mcp,
            FlavorArg::Openai => Flavor::OpenAiStrict,
            FlavorArg::Anthropic => Flavor::Anthropic,
        }
    }
}

/// Arguments of `cladgen schema`.
#[derive(Debug, clap::Args)]
pub(crate) struct SchemaArgs {
    /// The manifest (`*.clad.toml`).
    #[arg(value_name = "MANIFEST")]
    manifest: PathBuf,
    /// Which provider's tool definition shape to print.
    #[arg(long, value_enum, default_value = "mcp")]
    flavor: FlavorArg,
    /// `toolclad.toml` with custom types (default: the one in the manifest's folder or
    /// the nearest folder above it, up to the package root).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
}

/// Prints the definitions as pretty JSON on stdout: one object for a single tool, an
/// array when the manifest exposes several (one per session or browser command).
/// Diagnostics go to stderr.
pub(crate) fn run(args: &SchemaArgs) -> ExitCode {
    let text = match definitions_text(args) {
        Ok(text) => text,
        Err(code) => return ExitCode::from(code),
    };
    // `println!` panics on a closed pipe (`cladgen schema x | head`); write instead.
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::from(EXIT_IO)
        }
    }
}

/// The pretty JSON to print, or the exit code after reporting the problem on stderr.
fn definitions_text(args: &SchemaArgs) -> Result<String, u8> {
    let manifest = crate::load_one(&args.manifest, args.types.as_ref())?;
    let manifest = &manifest;
    let defs = match schema::tool_definitions(manifest, args.flavor.into()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}: {e}", args.manifest.display());
            return Err(EXIT_INVALID);
        }
    };
    let value = match <[serde_json::Value; 1]>::try_from(defs) {
        Ok([one]) => one,
        Err(many) => serde_json::Value::Array(many),
    };
    serde_json::to_string_pretty(&value).map_err(|e| {
        eprintln!("error: cannot serialise the definitions: {e}");
        EXIT_INVALID
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(manifest: &str, flavor: FlavorArg) -> SchemaArgs {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        SchemaArgs {
            manifest: root.join(manifest),
            flavor,
            types: None,
        }
    }

    fn json(manifest: &str, flavor: FlavorArg) -> serde_json::Value {
        let text = definitions_text(&args(manifest, flavor)).expect("definitions");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn one_tool_prints_an_object_per_flavour() {
        let mcp = json("manifests/dig_lookup.clad.toml", FlavorArg::Mcp);
        assert_eq!(mcp["name"], "dig_lookup");
        assert_eq!(mcp["inputSchema"]["additionalProperties"], false);
        let openai = json("manifests/dig_lookup.clad.toml", FlavorArg::Openai);
        assert_eq!(openai["function"]["strict"], true);
        let anthropic = json("manifests/dig_lookup.clad.toml", FlavorArg::Anthropic);
        assert!(anthropic["input_schema"].is_object());
    }

    #[test]
    fn session_and_browser_manifests_print_an_array_of_commands() {
        for m in [
            "manifests/msf_console.clad.toml",
            "manifests/webapp_browser.clad.toml",
        ] {
            let v = json(m, FlavorArg::Anthropic);
            let list = v.as_array().expect("an array");
            assert!(list.len() > 1, "{m}");
            for d in list {
                let name = d["name"].as_str().expect("name");
                assert!(name.contains("__"), "{name}");
            }
        }
    }

    #[test]
    fn missing_manifest_is_an_io_error() {
        let a = args("manifests/does_not_exist.clad.toml", FlavorArg::Mcp);
        assert_eq!(definitions_text(&a), Err(EXIT_IO));
    }
}
