//! `cladgen run <MANIFEST> --arg k=v ...`: validate one call, pass the gate and run it
//! for real, printing the evidence envelope.
//!
//! - scope: `--scope FILE`, else the nearest `scope/scope.toml` in the manifest's
//!   folder or a folder above it (where Symbiont projects keep it, beside `tools/`);
//!   none found means scope-checked tools are refused;
//! - approval for `human_approval` tools: `--approve`, else on a terminal a y/N prompt
//!   showing the exact argv, else denied;
//! - evidence: `--evidence-dir`, else `$TOOLCLAD_EVIDENCE_DIR`, else the runner's
//!   default; scan id: `--scan-id`, else a new one;
//! - `[mcp]` tools: the upstream servers from `--mcp-config`, else the project's
//!   `mcp.json` / `.mcp.json` / `.vscode/mcp.json` / `mcp_servers.toml`
//!   ([`crate::mcp_config`]); the upstream is stopped when the run ends.
//!
//! Exit codes: 0 when the status is `success`; 1 when the arguments are invalid, the
//! gate refused the call, or the tool failed or timed out; 2 for usage or I/O errors.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cladgen_core::invoke::{Call, EnvSecrets};
use cladgen_core::scope::Scope;
use cladgen_core::value::ParseOptions;
use cladgen_run::{
    Approval, ApprovalRequest, ApproveAll, Approver, BoxFuture, Envelope, RunConfig, RunError,
    Runner,
};

use crate::test_cmd::{call_object, parse_pair};

pub(crate) const EXIT_FAILED: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;

/// Arguments of `cladgen run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
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
    pub(crate) args: Vec<(String, String)>,
    /// All arguments as one JSON object, exactly as an LLM would send them. For a
    /// session tool: the arguments of the `--command` of the same position
    /// (repeatable, one per `--command`).
    #[arg(long, value_name = "JSON")]
    pub(crate) args_json: Vec<String>,
    /// Session tools: the command to send (repeatable; paired in order with
    /// `--args-json`). Every command goes to the same session.
    #[arg(
        long = "command",
        value_name = "NAME",
        conflicts_with = "commands_file"
    )]
    pub(crate) commands: Vec<String>,
    /// Session tools: JSON lines `{"command": NAME, "args": {...}}`, sent in order to
    /// one session.
    #[arg(long, value_name = "FILE")]
    pub(crate) commands_file: Option<PathBuf>,
    /// `toolclad.toml` with custom types (default: the nearest one).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
    /// The project scope (default: the nearest `scope/scope.toml`).
    #[arg(long, value_name = "FILE")]
    scope: Option<PathBuf>,
    /// Where evidence is written (default: `$TOOLCLAD_EVIDENCE_DIR`, else
    /// `<temp>/cladgen-evidence`).
    #[arg(long, value_name = "DIR")]
    evidence_dir: Option<PathBuf>,
    /// The scan id (default: a new `<unix seconds>-<random>`).
    #[arg(long, value_name = "ID")]
    scan_id: Option<String>,
    /// Upstream MCP servers of `[mcp]` tools: `mcpServers` / `servers` JSON or
    /// `[mcp_servers.NAME]` TOML (default: `mcp.json`, `.mcp.json`,
    /// `.vscode/mcp.json` or `mcp_servers.toml` in the manifest's folder or above,
    /// never the home folder).
    #[arg(long, value_name = "FILE")]
    mcp_config: Option<PathBuf>,
    /// Approve a `human_approval` tool without asking.
    #[arg(long)]
    approve: bool,
    /// Print the envelope as JSON (a refusal as `{"errors": [...]}`).
    #[arg(long)]
    pub(crate) json: bool,
}

/// Runs `cladgen run`.
pub(crate) fn run(args: &RunArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) | Err(code) => ExitCode::from(code),
    }
}

pub(crate) fn usage(msg: impl std::fmt::Display) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

fn run_inner(args: &RunArgs) -> Result<u8, u8> {
    let m = crate::load_one(&args.manifest, args.types.as_ref())?;
    if matches!(m.backend, cladgen_core::model::Backend::Session(_)) {
        return crate::run_session::run(args, &m, config(args)?);
    }
    if !args.commands.is_empty() || args.commands_file.is_some() {
        return Err(usage(format!(
            "--command and --commands-file are for session tools; tool '{}' is not one",
            m.tool.name
        )));
    }
    if args.args_json.len() > 1 {
        return Err(usage("--args-json is given more than once"));
    }
    let call_json = call_object(args.args_json.first().map(String::as_str), &args.args)?;
    let call = Call::from_json(&m, &call_json, &ParseOptions::default()).map_err(|e| {
        if args.json {
            println!("{}", e.to_json());
        } else {
            eprintln!("error: {e}");
        }
        EXIT_FAILED
    })?;
    let mut runner = Runner::new(config(args)?);
    let needs_mcp = matches!(m.backend, cladgen_core::model::Backend::Mcp(_));
    if let Some(servers) =
        crate::mcp_config::servers(args.mcp_config.as_deref(), &args.manifest, needs_mcp)
            .map_err(usage)?
    {
        runner = runner.with_mcp_servers(servers);
    }
    // Not while a y/N prompt may be waiting on the same terminal.
    let prompting = m.tool.human_approval && !args.approve;
    let ticker =
        (std::io::stderr().is_terminal() && !prompting).then(|| Ticker::start(&m.tool.name));
    let result = runner.run_blocking(&m, call.values(), |ctx| call.plan(ctx, &EnvSecrets));
    drop(ticker);
    match result {
        Ok(envelope) => {
            if args.json {
                println!("{}", envelope.to_json());
            } else {
                print!("{}", summary(&envelope));
            }
            Ok(if envelope.is_success() {
                0
            } else {
                EXIT_FAILED
            })
        }
        Err(e) => {
            let code = match e {
                RunError::Evidence { .. }
                | RunError::ScanId { .. }
                | RunError::Config(_)
                | RunError::Upstream { .. } => EXIT_USAGE,
                _ => EXIT_FAILED,
            };
            if args.json && code == EXIT_FAILED {
                println!("{}", e.to_json());
            } else {
                eprintln!("error: {}", e.for_llm());
            }
            Err(code)
        }
    }
}

fn config(args: &RunArgs) -> Result<RunConfig, u8> {
    let mut config = RunConfig::default();
    let scope_file = args
        .scope
        .clone()
        .or_else(|| find_scope_file(&args.manifest));
    if let Some(path) = scope_file {
        let scope = Scope::load(&path).map_err(usage)?;
        config = config.with_scope(scope);
    }
    let evidence = args
        .evidence_dir
        .clone()
        .or_else(|| std::env::var_os("TOOLCLAD_EVIDENCE_DIR").map(PathBuf::from));
    if let Some(dir) = evidence {
        config = config.with_evidence_dir(dir);
    }
    if let Some(id) = &args.scan_id {
        if !cladgen_run::is_valid_scan_id(id) {
            return Err(usage(format!(
                "--scan-id {id:?}: use 1-128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
            )));
        }
        config = config.with_scan_id(id.clone());
    }
    if args.approve {
        config = config.with_approver(ApproveAll);
    } else if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        config = config.with_approver(Prompt);
    }
    Ok(config)
}

/// The nearest `scope/scope.toml` in the manifest's folder or above it.
pub(crate) fn find_scope_file(manifest: &Path) -> Option<PathBuf> {
    let start = manifest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .map(|d| d.join("scope").join("scope.toml"))
        .find(|p| p.is_file())
}

/// A progress line on the terminal (`running <tool> ... 12 s`) for runs longer than a
/// second; cleared when dropped.
struct Ticker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(tool: &str) -> Self {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let tool = tool.to_owned();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut shown = 0;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let secs = started.elapsed().as_secs();
                if secs > shown && !flag.load(Ordering::Relaxed) {
                    eprint!("\rrunning {tool} ... {secs} s");
                    shown = secs;
                }
            }
            if shown > 0 {
                // Clear the progress line before the result is printed.
                eprint!("\r\x1b[K");
            }
        });
        Ticker {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Asks on the terminal. It blocks while the person answers; the run has not started
/// and `run_blocking` drives nothing else meanwhile.
struct Prompt;

impl Approver for Prompt {
    fn approve<'a>(&'a self, r: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        let words: Vec<String> = r
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .chain(r.argv.iter().cloned())
            .collect();
        let line = match r.http {
            // The whole request, secrets shown as `<secret:NAME>`.
            Some(request) => request.to_string().replace('\n', "\n  "),
            None => shlex::try_join(words.iter().map(String::as_str))
                .unwrap_or_else(|_| words.join(" ")),
        };
        eprint!(
            "tool '{}' (risk tier {}) needs your approval to run:\n  {line}\nrun it? [y/N] ",
            r.tool, r.risk_tier
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let read = std::io::stdin().lock().read_line(&mut answer);
        let approved = read.is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "YES");
        Box::pin(std::future::ready(if approved {
            Approval::Approved
        } else {
            Approval::Denied("the operator answered no at the prompt".to_owned())
        }))
    }
}

fn summary(e: &Envelope) -> String {
    let mut out = format!(
        "status:    {}\ntool:      {}\nscan id:   {}\ncommand:   {}\nexit code: {}\nduration:  {} ms\n",
        e.status.as_str(),
        e.tool,
        e.scan_id,
        e.command,
        e.exit_code.map_or("-".to_owned(), |c| c.to_string()),
        e.duration_ms
    );
    if let Some(f) = &e.output_file {
        out.push_str(&format!(
            "evidence:  {f} ({}{})\n",
            e.output_hash.as_deref().unwrap_or("-"),
            if e.output_file_truncated {
                ", truncated"
            } else {
                ""
            }
        ));
    }
    out.push_str(&format!(
        "output:    {} bytes stdout{}, {} bytes stderr{}\n",
        e.stdout_bytes,
        if e.stdout_truncated {
            " (truncated)"
        } else {
            ""
        },
        e.stderr_bytes,
        if e.stderr_truncated {
            " (truncated)"
        } else {
            ""
        }
    ));
    if let Some(err) = &e.error {
        out.push_str(&format!("error:     {err}\n"));
    }
    if !e.stderr.trim().is_empty() {
        out.push_str(&format!("stderr:\n{}\n", e.stderr.trim_end()));
    }
    if let Some(r) = &e.results {
        let text = serde_json::to_string_pretty(r).unwrap_or_else(|_| r.to_string());
        out.push_str(&format!("results:\n{text}\n"));
    }
    out
}
