//! `cladgen validate <PATH>...`: load and check manifests, report every problem.
//! With `--mcp-config FILE`, every valid `[mcp]` manifest is also drift-checked
//! against its upstream server (started, its `tools/list` read, stopped again).

use std::path::PathBuf;
use std::process::ExitCode;

use cladgen_core::load;

use crate::{EXIT_INVALID, EXIT_IO};

/// How unknown keys are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UnknownKeys {
    /// Refuse the manifest.
    Error,
    /// Report a warning only.
    Warn,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Rendered diagnostics on stderr, one summary line per manifest on stdout.
    Text,
    /// JSON lines on stdout: one object per diagnostic, one per manifest.
    Json,
}

/// Arguments of `cladgen validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Manifest files, or directories searched recursively for `*.clad.toml`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// `toolclad.toml` with custom types (default: the one in each manifest's folder
    /// or the nearest folder above it, up to its package root: the nearest folder
    /// holding a `Cargo.toml`, else the PATH the manifest was found through).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
    /// Report unknown keys as errors (default) or as warnings.
    #[arg(long, value_enum, default_value = "error")]
    unknown_keys: UnknownKeys,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also check every `[mcp]` tool against its upstream MCP server in this
    /// configuration (it must start, have the tool, and accept the mapped arguments).
    #[arg(long, value_name = "FILE")]
    mcp_config: Option<PathBuf>,
}

pub(crate) fn run(args: &ValidateArgs) -> ExitCode {
    let level = match args.unknown_keys {
        UnknownKeys::Error => load::UnknownKeys::Error,
        UnknownKeys::Warn => load::UnknownKeys::Warn,
    };
    let set = crate::project(args.types.as_deref(), level).load(&args.paths);
    let styled = crate::styled();
    for d in &set.diagnostics {
        match args.format {
            Format::Text => eprintln!("{}", set.render_diagnostic(d, styled)),
            Format::Json => println!("{}", d.to_json()),
        }
    }
    let drift = match drift(args, &set) {
        Ok(d) => d,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_IO);
        }
    };
    for (path, problems) in &drift {
        for p in problems {
            match args.format {
                Format::Text => eprintln!("error[mcp-drift]: {}: {p}", path.display()),
                Format::Json => println!(
                    "{}",
                    serde_json::json!({
                        "severity": "error",
                        "code": "mcp-drift",
                        "manifest": path.display().to_string(),
                        "message": p,
                    })
                ),
            }
        }
    }
    let mut ok_count = 0usize;
    for m in &set.manifests {
        let drifted = drift
            .iter()
            .find(|(p, _)| p == &m.path)
            .map_or(0, |(_, d)| d.len());
        let errors = set.errors_in(&m.path) + drifted;
        let warnings = set.warnings_in(&m.path);
        let good = errors == 0 && !m.types_failed && m.manifest.is_some();
        if good {
            ok_count += 1;
        }
        let tool = m.manifest.as_ref().map(|m| m.tool.name.to_string());
        let types_error = m.types_file.as_ref().filter(|_| m.types_failed);
        match args.format {
            Format::Text => {
                let counts = counts(errors, warnings);
                let line = match (types_error, good) {
                    (Some(t), _) => format!(
                        "error {}  (custom types in {} are invalid)",
                        m.path.display(),
                        t.display()
                    ),
                    (None, true) => format!(
                        "ok    {}  {}{}",
                        tool.as_deref().unwrap_or("-"),
                        m.path.display(),
                        if counts.is_empty() {
                            String::new()
                        } else {
                            format!(" ({counts})")
                        }
                    ),
                    (None, false) => format!("error {}  ({counts})", m.path.display()),
                };
                println!("{line}");
            }
            Format::Json => println!(
                "{}",
                serde_json::json!({
                    "manifest": m.path.display().to_string(),
                    "tool": tool,
                    "status": if good { "ok" } else { "error" },
                    "errors": errors,
                    "warnings": warnings,
                    "types_error": types_error.map(|p| p.display().to_string()),
                })
            ),
        }
    }
    let total = set.manifests.len();
    if args.format == Format::Text {
        eprintln!(
            "validated {total} manifest{}: {ok_count} ok, {} invalid",
            if total == 1 { "" } else { "s" },
            total - ok_count
        );
    }
    if set.has_input_errors() {
        ExitCode::from(EXIT_IO)
    } else if set.has_errors() || ok_count < total {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

/// The drift problems of each valid `[mcp]` manifest, with `--mcp-config`.
fn drift(
    args: &ValidateArgs,
    set: &load::LoadedSet,
) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let Some(file) = &args.mcp_config else {
        return Ok(Vec::new());
    };
    let servers = cladgen_run::mcp::McpServers::load(file).map_err(|e| e.to_string())?;
    let valid: Vec<(&std::path::Path, &cladgen_core::model::Manifest)> = set
        .manifests
        .iter()
        .filter(|m| set.errors_in(&m.path) == 0 && !m.types_failed)
        .filter_map(|m| Some((m.path.as_path(), m.manifest.as_ref()?)))
        .collect();
    let errors = cladgen_run::mcp::check_upstreams_blocking(
        valid.iter().map(|(_, m)| *m),
        servers,
        &cladgen_run::RunConfig::default(),
    )
    .map_err(|e| e.to_string())?;
    let mut out: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for e in errors {
        // Tool names are unique per manifest; the first manifest of that name.
        let Some((path, _)) = valid
            .iter()
            .find(|(_, m)| m.tool.name.as_ref() as &str == e.tool)
        else {
            continue;
        };
        match out.iter_mut().find(|(p, _)| p == path) {
            Some((_, v)) => v.push(e.to_string()),
            None => out.push((path.to_path_buf(), vec![e.to_string()])),
        }
    }
    Ok(out)
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => String::new(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
