//! `cladgen test <MANIFEST> --arg k=v ...`: validate one call the way a runtime would
//! and print what would run (argv, executor environment, HTTP request or MCP call),
//! without running anything.
//!
//! Fixed, documented choices so the output is reproducible:
//! - executor variables come from `--scan-id` (default `scan-0000`) and
//!   `--evidence-dir` (default `/tmp/cladgen-evidence`); `{_output_file}` is
//!   `<evidence-dir>/<scan-id>-output`;
//! - secrets are never read: every `{_secret:NAME}` becomes `<secret:NAME>`;
//! - `--arg name=value` passes `value` as a JSON string (split at the first `=`);
//!   the value types parse numbers and booleans from text, exactly as from an LLM.
//!
//! Exit codes: 0 valid, 1 invalid arguments or invalid manifest, 2 usage or I/O.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cladgen_core::invoke::{
    BrowserCommandCall, Call, CommandCallError, ExecContext, InvokeError, PlaceholderSecrets, Plan,
    SessionCommandCall,
};
use cladgen_core::load::{self, Diagnostic, Level, LoadOptions, codes};
use cladgen_core::model::{Backend, Manifest};
use cladgen_core::value::{ArgErrors, ParseOptions};

const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Arguments of `cladgen test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// The manifest (`*.clad.toml`).
    manifest: PathBuf,
    /// One argument as `NAME=VALUE` (repeatable); the value is passed as a JSON
    /// string.
    #[arg(
        long = "arg",
        value_name = "NAME=VALUE",
        value_parser = parse_pair,
        conflicts_with = "args_json"
    )]
    args: Vec<(String, String)>,
    /// All arguments as one JSON object, exactly as an LLM would send them.
    #[arg(long, value_name = "JSON")]
    args_json: Option<String>,
    /// For `[session]` and `[browser]` tools: the command to call.
    #[arg(long, value_name = "NAME")]
    command: Option<String>,
    /// Print JSON (`{"argv": [...]}`, `{"http": {...}}`, `{"errors": [...]}`, ...).
    #[arg(long)]
    json: bool,
    /// `{_scan_id}` and `TOOLCLAD_SCAN_ID`.
    #[arg(long, value_name = "ID", default_value = "scan-0000")]
    scan_id: String,
    /// `{_evidence_dir}` and `TOOLCLAD_EVIDENCE_DIR`.
    #[arg(long, value_name = "DIR", default_value = "/tmp/cladgen-evidence")]
    evidence_dir: String,
    /// `toolclad.toml` with custom types (default: the one in the manifest's folder
    /// or the nearest folder above it).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
    /// Base directory for `credential_file` values (default: the current directory).
    #[arg(long, value_name = "DIR")]
    credential_base: Option<PathBuf>,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        Some(_) => Err(format!("`{s}` has no argument name before `=`")),
        None => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

/// Runs `cladgen test`.
pub(crate) fn run(args: &TestArgs) -> ExitCode {
    match run_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => ExitCode::from(code),
    }
}

fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

fn run_inner(args: &TestArgs) -> Result<(), u8> {
    let call_json = call_json(args)?;
    let loaded_manifest = load_manifest(args)?;
    let m = &loaded_manifest;
    let opts = ParseOptions {
        credential_base: args.credential_base.clone(),
    };
    if let Some(command) = &args.command {
        return run_command(args, m, command, &call_json, &opts);
    }
    let call = Call::from_json(m, &call_json, &opts).map_err(|e| arg_errors(args, &e))?;
    let ctx = ExecContext::new(args.scan_id.clone(), args.evidence_dir.clone());
    let plan = call
        .plan(&ctx, &PlaceholderSecrets)
        .map_err(|e| invoke_error(&e))?;
    if args.json {
        println!("{}", plan.to_json());
    } else {
        println!("{}", human(&plan, &call));
    }
    Ok(())
}

/// The call object from `--args-json` or the `--arg` pairs.
fn call_json(args: &TestArgs) -> Result<serde_json::Value, u8> {
    if let Some(text) = &args.args_json {
        return serde_json::from_str(text)
            .map_err(|e| usage(format!("--args-json is not JSON: {e}")));
    }
    let mut obj = serde_json::Map::new();
    for (k, v) in &args.args {
        if obj.insert(k.clone(), v.clone().into()).is_some() {
            return Err(usage(format!("--arg {k} is given more than once")));
        }
    }
    Ok(serde_json::Value::Object(obj))
}

fn styled() -> bool {
    std::io::stderr().is_terminal()
}

fn print_diagnostics(diags: &[Diagnostic], source: &str) {
    for d in diags {
        eprintln!("{}", d.render(source, styled()));
    }
}

fn load_manifest(args: &TestArgs) -> Result<Manifest, u8> {
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
            Ok(t) => Some(t),
            Err(diags) => {
                let source = load::read_source(path).unwrap_or_default();
                print_diagnostics(&diags, &source);
                let io = diags.iter().any(|d| d.code == &codes::IO);
                return Err(if io { EXIT_USAGE } else { EXIT_INVALID });
            }
        },
    };
    let opts = LoadOptions {
        custom_types,
        unknown_keys: Level::Error,
        extern_types: BTreeMap::new(),
    };
    let loaded = load::load_file(&args.manifest, &opts);
    print_diagnostics(&loaded.diagnostics, &loaded.source);
    match loaded.manifest {
        Some(m) => Ok(m),
        None if loaded.diagnostics.iter().any(|d| d.code == &codes::IO) => Err(EXIT_USAGE),
        None => {
            eprintln!(
                "error: {} is not a valid manifest ({} error(s))",
                args.manifest.display(),
                loaded.error_count()
            );
            Err(EXIT_INVALID)
        }
    }
}

fn arg_errors(args: &TestArgs, e: &ArgErrors) -> u8 {
    if args.json {
        println!("{}", e.to_json());
    } else {
        eprintln!("error: {e}");
    }
    EXIT_INVALID
}

fn invoke_error(e: &InvokeError) -> u8 {
    eprintln!("error: {e}");
    EXIT_INVALID
}

fn command_error(args: &TestArgs, e: &CommandCallError) -> u8 {
    match e {
        CommandCallError::Args(errors) => arg_errors(args, errors),
        CommandCallError::UnknownCommand { .. } => usage(e),
    }
}

/// `--command NAME` for a session or browser tool.
fn run_command(
    args: &TestArgs,
    m: &Manifest,
    command: &str,
    call_json: &serde_json::Value,
    opts: &ParseOptions,
) -> Result<(), u8> {
    let (kind, json) = match &m.backend {
        Backend::Session(spec) => {
            let call = SessionCommandCall::from_json(spec, command, call_json, opts)
                .map_err(|e| command_error(args, &e))?;
            ("session_command", call.to_json())
        }
        Backend::Browser(spec) => {
            let call = BrowserCommandCall::from_json(spec, command, call_json, opts)
                .map_err(|e| command_error(args, &e))?;
            ("browser_command", call.to_json())
        }
        _ => {
            return Err(usage(format!(
                "--command is only for [session] and [browser] tools; '{}' is neither",
                m.tool.name
            )));
        }
    };
    if args.json {
        println!("{}", serde_json::json!({ kind: json }));
    } else {
        println!("{}", pretty(&json));
    }
    Ok(())
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// A shell-quoted line for reading (and pasting); never used to run anything.
fn shell_line<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<String> {
    shlex::try_join(words).ok()
}

/// The readable form of a plan.
fn human(plan: &Plan, call: &Call<'_>) -> String {
    match plan {
        Plan::Argv(argv) => shell_line(argv.iter().map(String::as_str))
            .unwrap_or_else(|| plan.to_json().to_string()),
        Plan::Executor(e) => {
            let assignments: Vec<String> = e
                .env()
                .iter()
                .map(|(k, v)| match shlex::try_quote(v) {
                    Ok(q) => format!("{k}={q}"),
                    Err(_) => format!("{k}={v:?}"),
                })
                .collect();
            let program = shlex::try_quote(e.program())
                .map(|q| q.into_owned())
                .unwrap_or_else(|_| e.program().to_owned());
            format!("{} {program}", assignments.join(" "))
        }
        Plan::Http(r) => r.to_string(),
        Plan::Mcp {
            server,
            tool,
            arguments,
        } => format!(
            "mcp {server} {tool}\n{}",
            pretty(&serde_json::Value::Object(arguments.clone()))
        ),
        Plan::Callback { tool } => format!(
            "callback tool '{tool}': nothing to run; the host receives\n{}",
            pretty(&call.to_json())
        ),
        Plan::Source { operation } => format!(
            "in-process operation '{operation}' receives\n{}",
            pretty(&call.to_json())
        ),
        Plan::Session { tool, startup_argv } => format!(
            "session tool '{tool}' starts with: {}\ncall its commands with --command NAME",
            shell_line(startup_argv.iter().map(String::as_str)).unwrap_or_default()
        ),
        Plan::Browser { tool } => {
            format!("browser tool '{tool}': call its commands with --command NAME")
        }
    }
}
