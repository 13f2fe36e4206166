//! `cladgen schema <MANIFEST> [--flavor mcp|openai|anthropic]`: print the tool
//! definitions an LLM sees, generated from the manifest at run time (the same JSON
//! the generated code embeds).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cladgen_core::load::{self, Level, LoadOptions, codes};
use cladgen_core::schema::{self, Flavor};

/// Exit code when the manifest is invalid or has no valid tool definitions.
const EXIT_INVALID: u8 = 1;
/// Exit code for I/O errors.
const EXIT_IO: u8 = 2;

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
    /// the nearest folder above it).
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
    let styled = std::io::stderr().is_terminal();
    let types_path = args.types.clone().or_else(|| {
        let dir = args
            .manifest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        load::find_types_file(dir)
    });
    let custom_types = match &types_path {
        None => None,
        Some(path) => match load::load_types_file(path, Level::Error) {
            Ok(t) => {
                for w in &t.warnings {
                    eprintln!("{}", w.render(&t.source, styled));
                }
                Some(t)
            }
            Err(diags) => {
                let text = load::read_source(path).unwrap_or_default();
                for d in &diags {
                    eprintln!("{}", d.render(&text, styled));
                }
                let io = diags.iter().any(|d| d.code == &codes::IO);
                eprintln!("error: custom types in {} are invalid", path.display());
                return Err(if io { EXIT_IO } else { EXIT_INVALID });
            }
        },
    };
    let opts = LoadOptions {
        custom_types,
        ..LoadOptions::default()
    };
    let loaded = load::load_file(&args.manifest, &opts);
    if !loaded.diagnostics.is_empty() {
        eprintln!("{}", loaded.render(styled));
    }
    let Some(manifest) = &loaded.manifest else {
        if loaded.diagnostics.iter().any(|d| d.code == &codes::IO) {
            return Err(EXIT_IO);
        }
        eprintln!(
            "error: {} is invalid ({} error{})",
            args.manifest.display(),
            loaded.error_count(),
            if loaded.error_count() == 1 { "" } else { "s" }
        );
        return Err(EXIT_INVALID);
    };
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
