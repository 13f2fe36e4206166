//! Governed execution of checked ToolClad calls (`cladgen::run` with feature `run`).
//!
//! One entry point for generated code, the dynamic path and the CLI: a [`Runner`]
//! takes the checked [`Manifest`], the validated argument values (indexed like
//! `manifest.args`) and a function building the [`Plan`] from the run's
//! [`ExecContext`], and returns the evidence [`Envelope`].
//!
//! ```ignore
//! let runner = Runner::new(RunConfig::default().with_scope(scope));
//! let call = Call::from_json(&manifest, &json, &ParseOptions::DEFAULT)?;
//! let envelope = runner.run_call(&call, &EnvSecrets).await?;      // dynamic path
//! let envelope = runner                                          // generated code
//!     .run(MANIFEST, call.values(), |ctx| args.plan(ctx, &EnvSecrets))
//!     .await?;
//! println!("{}", envelope.to_json());
//! ```
//!
//! What happens, in order (`docs/execution.md` has every decision):
//! 1. a scan id (checked: it becomes part of paths) and the run's evidence directory
//!    (`[tool.evidence] output_dir`, else the evidence directory itself);
//! 2. the plan; `[http]` tools run with feature `http` (their own order, with the
//!    SSRF guard: `docs/execution.md`, "HTTP tools"); `[mcp]` plans go to an
//!    upstream MCP server with feature `mcp-proxy` (module `mcp`); without the
//!    feature either is refused as not supported; session tools run command by
//!    command through `Runner::open_session` (feature `session`); browser plans are
//!    refused as not supported yet, callback and `[source]` tools as run by the host;
//! 3. **the gate**, before anything starts: the project scope for every
//!    `scope_target` and `scope_check` argument (a tool with one and no scope
//!    configured is refused), the maximum risk tier, and for `human_approval` tools
//!    the [`Approver`] with the exact argv. A refusal is [`RunError::Refused`] with
//!    every reason, for an LLM ([`Refusal::for_llm`]);
//! 4. the process: never a shell, stdin `/dev/null`, the environment cleared except
//!    the allow-list and the executor's `TOOLCLAD_*` variables, its own process group;
//!    on timeout or cancellation SIGTERM to the group, the grace period, SIGKILL,
//!    reap; after a normal exit the rest of the group is killed too; dropping the
//!    future kills the group;
//! 5. stdout and stderr drained concurrently into capped buffers, stdout streamed to
//!    the evidence file (its own cap) and hashed;
//! 6. the output parsed (`[output] format`) and checked against `[output.schema]`.
//!
//! A failure of the tool itself (cannot start, non-zero exit, timeout, output that
//! does not parse or match) is an envelope with `status` `error` or `timeout`, never a
//! Rust error: the LLM sees what happened.

#![warn(missing_docs)]

mod config;
mod envelope;
mod gate;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "mcp-proxy")]
pub mod mcp;
mod parse;
mod process;
#[cfg(feature = "session")]
mod session;

pub use config::{
    Approval, ApprovalRequest, ApproveAll, Approver, BoxFuture, DEFAULT_ENV_ALLOW,
    DEFAULT_EVIDENCE_CAP, DEFAULT_GRACE, DEFAULT_OUTPUT_CAP, DEFAULT_STDERR_CAP, DenyAll,
    MAX_GRACE, RunConfig, ScanIdSource, is_valid_scan_id,
};
pub use envelope::{Envelope, Status};
pub use gate::{GateRule, Refusal, RefusalReason, is_scope_checked};
pub use parse::{ParseError, parse_output};
#[cfg(feature = "session")]
pub use session::{
    SESSION_TERM, Session, SessionEnvelope, SessionError, SessionReport, SessionState,
};
pub use tokio_util::sync::CancellationToken;

use cladgen_core::invoke::{ARG_ENV_PREFIX, Call, ExecContext, InvokeError, Plan, SecretResolver};
use cladgen_core::model::{Manifest, OutputFormat, Parser};
use cladgen_core::value::{ArgErrors, Value};
use process::{Ending, EvidenceFile, EvidenceSink, Limits, Outcome, ProcessSpec};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Why a call did not run. A tool that ran and failed is not an error: it is an
/// [`Envelope`] with status `error` or `timeout`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The gate refused the call (scope, risk tier, approval); nothing ran.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The plan could not be built from the arguments.
    #[error("tool '{tool}': {source}")]
    Invoke {
        /// Tool name.
        tool: String,
        /// Why.
        source: InvokeError,
    },
    /// The backend's runner is behind a cargo feature this build lacks.
    #[error(
        "tool '{tool}': running {backend} tools needs cladgen-run's cargo feature `{feature}`, which this build lacks; nothing ran"
    )]
    NotBuilt {
        /// Tool name.
        tool: String,
        /// The backend.
        backend: &'static str,
        /// The feature.
        feature: &'static str,
    },
    /// An `[mcp]` tool's upstream server is not configured; nothing ran.
    #[cfg(feature = "mcp-proxy")]
    #[error("tool '{tool}': {source}; nothing ran")]
    Upstream {
        /// Tool name.
        tool: String,
        /// Why.
        source: mcp::UpstreamError,
    },
    /// The backend has no runner yet.
    #[error("tool '{tool}': running {backend} tools is not supported yet; nothing ran")]
    Unsupported {
        /// Tool name.
        tool: String,
        /// The backend.
        backend: &'static str,
    },
    /// Callback and `[source]` tools are run by the host application itself.
    #[error("tool '{tool}' is {what}: the host application runs it, not the runner; nothing ran")]
    HostRuns {
        /// Tool name.
        tool: String,
        /// `a callback tool` or `a [source] operation 'x'`.
        what: String,
    },
    /// The scan id cannot be used (it becomes part of evidence paths).
    #[error(
        "scan id {id:?} is invalid: use 1-128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    ScanId {
        /// The id.
        id: String,
    },
    /// The manifest names a `custom:` parser the host did not allow.
    #[error(
        "tool '{tool}': custom parser '{path}' is not allowed by the host (RunConfig::allowed_parsers); nothing ran"
    )]
    ParserNotAllowed {
        /// Tool name.
        tool: String,
        /// The parser path as written.
        path: String,
    },
    /// `[output.schema]` does not compile as JSON Schema.
    #[error("tool '{tool}': [output.schema] is not a usable JSON Schema: {message}")]
    OutputSchema {
        /// Tool name.
        tool: String,
        /// Why.
        message: String,
    },
    /// The evidence directory or file could not be created; nothing ran.
    #[error("cannot write evidence at {path}: {message}; nothing ran")]
    Evidence {
        /// The path.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The configuration cannot be used.
    #[error("invalid run configuration: {0}")]
    Config(String),
    /// No tool of that name (a call by name: `Registry::run_call` of the generated
    /// registry); nothing ran.
    #[error("unknown tool '{name}'; known tools are: {}; nothing ran", known.join(", "))]
    UnknownTool {
        /// The name that was called.
        name: String,
        /// Every tool name that can be called.
        known: Vec<String>,
    },
    /// The call's arguments are invalid (every problem at once); nothing ran.
    #[error("invalid arguments for tool '{tool}': {errors}; nothing ran")]
    Args {
        /// The LLM tool name.
        tool: String,
        /// Every invalid argument.
        errors: ArgErrors,
    },
    /// [`Runner::run_blocking`] was called on a thread that drives a tokio runtime.
    #[error("run_blocking was called inside a tokio runtime; await Runner::run instead")]
    InsideRuntime,
}

impl RunError {
    /// A message for an LLM (the refusal's reasons, one per line, for a refusal).
    pub fn for_llm(&self) -> String {
        match self {
            RunError::Refused(r) => r.for_llm(),
            RunError::Args { tool, errors } => format!("tool '{tool}': {}", errors.for_llm()),
            other => other.to_string(),
        }
    }

    /// `{"errors": [...]}`, the shape of argument errors.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            RunError::Refused(r) => r.to_json(),
            RunError::Args { errors, .. } => errors.to_json(),
            RunError::UnknownTool { .. } => {
                serde_json::json!({ "errors": [{ "rule": "unknown-tool", "message": self.to_string() }] })
            }
            other => {
                serde_json::json!({ "errors": [{ "rule": "not-run", "message": other.to_string() }] })
            }
        }
    }
}

/// Runs checked calls under one [`RunConfig`]. Cheap to share (`Arc<Runner>`); it
/// compiles each tool's `[output.schema]` once and keeps it.
pub struct Runner {
    config: RunConfig,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
    #[cfg(feature = "mcp-proxy")]
    upstreams: Option<Arc<mcp::Upstreams>>,
    #[cfg(feature = "http")]
    http: http::HttpState,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The run's paths, decided before the plan.
struct Layout {
    scan_id: String,
    run_dir: PathBuf,
    ctx: ExecContext,
}

/// What to start, from the plan.
struct Launch {
    argv: Vec<String>,
    env: Vec<(String, String)>,
}

impl Runner {
    /// A runner with this configuration.
    pub fn new(config: RunConfig) -> Self {
        Runner {
            config,
            validators: Mutex::new(HashMap::new()),
            #[cfg(feature = "mcp-proxy")]
            upstreams: None,
            #[cfg(feature = "http")]
            http: http::HttpState::default(),
        }
    }

    /// Runs `[mcp]` tools on these upstream servers (feature `mcp-proxy`): each is
    /// started on first use with this runner's environment allow-list, and reused.
    #[cfg(feature = "mcp-proxy")]
    #[must_use]
    pub fn with_mcp_servers(mut self, servers: mcp::McpServers) -> Self {
        self.upstreams = Some(Arc::new(mcp::Upstreams::new(servers, &self.config)));
        self
    }

    /// The upstream MCP servers, when configured.
    #[cfg(feature = "mcp-proxy")]
    pub fn upstreams(&self) -> Option<&mcp::Upstreams> {
        self.upstreams.as_deref()
    }

    /// The drift check ([`mcp::check_upstreams`]) of `manifests` against this
    /// runner's upstreams; without a configuration every `[mcp]` tool is a problem.
    #[cfg(feature = "mcp-proxy")]
    pub async fn check_upstreams<'a>(
        &self,
        manifests: impl IntoIterator<Item = &'a Manifest>,
    ) -> Vec<mcp::DriftError> {
        let none = mcp::Upstreams::new(mcp::McpServers::default(), &self.config);
        mcp::check_upstreams(manifests, self.upstreams().unwrap_or(&none)).await
    }

    /// Stops whatever the runner keeps running between calls (the upstream MCP
    /// servers of `[mcp]` tools: connection closed, SIGTERM to each group, the grace
    /// period, SIGKILL). Calls after it start them again. Dropping the runner sends
    /// SIGKILL instead.
    pub async fn shutdown(&self) {
        #[cfg(feature = "mcp-proxy")]
        if let Some(u) = &self.upstreams {
            u.shutdown().await;
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Runs a validated dynamic call ([`Call::plan`] with `secrets`). The future is
    /// `Send` (it can be spawned), hence the `Sync` resolver.
    pub async fn run_call(
        &self,
        call: &Call<'_>,
        secrets: &(dyn SecretResolver + Sync),
    ) -> Result<Envelope, RunError> {
        self.run(call.manifest(), call.values(), |ctx| {
            call.plan(ctx, secrets)
        })
        .await
    }

    /// Runs one call: `values` are the validated arguments indexed like
    /// `manifest.args` (absent ones `None`), `plan` builds what runs from the run's
    /// context (generated code: `|ctx| args.plan(ctx, &secrets)`).
    pub async fn run(
        &self,
        manifest: &Manifest,
        values: &[Option<Value>],
        plan: impl FnOnce(&ExecContext) -> Result<Plan, InvokeError>,
    ) -> Result<Envelope, RunError> {
        self.run_until(manifest, values, plan, &CancellationToken::new())
            .await
    }

    /// [`Runner::run`], stopped when `cancel` fires: the group gets SIGTERM, the
    /// grace period, SIGKILL; the envelope has status `error` and what was captured.
    pub async fn run_until(
        &self,
        manifest: &Manifest,
        values: &[Option<Value>],
        plan: impl FnOnce(&ExecContext) -> Result<Plan, InvokeError>,
        cancel: &CancellationToken,
    ) -> Result<Envelope, RunError> {
        self.run_until_approved_by(manifest, values, plan, cancel, &*self.config.approver)
            .await
    }

    /// [`Runner::run_until`] with `approver` deciding this call instead of
    /// [`RunConfig::approver`]: a host that asks whoever sent the call (an MCP server
    /// asks its client) builds one per call. Every other rule of the gate is the same.
    pub async fn run_until_approved_by(
        &self,
        manifest: &Manifest,
        values: &[Option<Value>],
        plan: impl FnOnce(&ExecContext) -> Result<Plan, InvokeError>,
        cancel: &CancellationToken,
        approver: &dyn Approver,
    ) -> Result<Envelope, RunError> {
        // The gate reads values by manifest index: a short list would let a
        // scope-checked argument pass unchecked.
        if values.len() != manifest.args.len() {
            return Err(RunError::Config(format!(
                "tool '{}': {} argument values given, the manifest declares {} (values are indexed like manifest.args)",
                manifest.tool.name,
                values.len(),
                manifest.args.len()
            )));
        }
        #[cfg(feature = "http")]
        if let cladgen_core::model::Backend::Http(spec) = &manifest.backend {
            return self
                .run_http(manifest, spec, values, plan, cancel, approver)
                .await;
        }
        let layout = self.layout(manifest)?;
        let plan = plan(&layout.ctx).map_err(|source| RunError::Invoke {
            tool: manifest.tool.name.to_string(),
            source,
        })?;
        #[cfg(feature = "mcp-proxy")]
        if let Plan::Mcp {
            server,
            tool,
            arguments,
        } = plan
        {
            let call = mcp::McpCall {
                server,
                tool,
                arguments,
            };
            return self
                .run_mcp(manifest, values, layout, call, cancel, approver)
                .await;
        }
        let launch = launch(manifest, plan)?;
        let (format, validator) = self.output_checks(manifest)?;
        let mut reasons = gate::check_policy(manifest, values, &self.config);
        if reasons.is_empty() {
            let request = ApprovalRequest {
                tool: &manifest.tool.name,
                scan_id: &layout.scan_id,
                risk_tier: manifest.tool.risk_tier,
                argv: &launch.argv,
                env: &launch.env,
                http: None,
            };
            reasons.extend(gate::check_approval(manifest, approver, &request).await);
        }
        gate::refusal(manifest, reasons)?;
        self.execute(manifest, layout, launch, format, validator, cancel)
            .await
    }

    /// [`Runner::run`] for a host without a tokio runtime: runs on a new
    /// current-thread runtime. Refused ([`RunError::InsideRuntime`]) on a runtime
    /// thread, where blocking would stall it. Upstream MCP servers started by the
    /// call live on that runtime, so they are shut down ([`Runner::shutdown`]) before
    /// it returns.
    pub fn run_blocking(
        &self,
        manifest: &Manifest,
        values: &[Option<Value>],
        plan: impl FnOnce(&ExecContext) -> Result<Plan, InvokeError>,
    ) -> Result<Envelope, RunError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(RunError::InsideRuntime);
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| RunError::Config(format!("cannot start a tokio runtime: {e}")))?;
        rt.block_on(async {
            let result = self.run(manifest, values, plan).await;
            self.shutdown().await;
            result
        })
    }

    fn layout(&self, manifest: &Manifest) -> Result<Layout, RunError> {
        // The loader accepts only sha256; a hand-built model asking for another
        // algorithm must not get a sha256 hash under its name.
        if let Some(e) = &manifest.tool.evidence
            && e.hash != "sha256"
        {
            return Err(RunError::Config(format!(
                "tool '{}': [tool.evidence] hash '{}' is not supported (only sha256)",
                manifest.tool.name, e.hash
            )));
        }
        let scan_id = self.config.scan_ids.next_id();
        if !is_valid_scan_id(&scan_id) {
            return Err(RunError::ScanId { id: scan_id });
        }
        let evidence_dir = self.config.evidence_dir.to_str().ok_or_else(|| {
            RunError::Config(format!(
                "the evidence directory {} is not valid UTF-8",
                self.config.evidence_dir.display()
            ))
        })?;
        let ctx = ExecContext::new(scan_id.clone(), evidence_dir);
        // Without a template the run writes into the evidence directory itself, so
        // `{_output_file}` and `TOOLCLAD_OUTPUT_DIR` are the values the plan builders
        // (and `cladgen test`) use; file names carry the scan id.
        let run_dir = match &manifest.tool.evidence {
            Some(e) => ctx.expand_output_dir(&e.output_dir),
            None => evidence_dir.to_owned(),
        };
        let run_dir = PathBuf::from(run_dir);
        let output_file = run_dir.join(format!("{scan_id}-output"));
        let ctx = ctx.with_output_file(output_file.to_string_lossy().into_owned());
        Ok(Layout {
            scan_id,
            run_dir,
            ctx,
        })
    }

    /// The output format and the compiled `[output.schema]`; refuses a custom parser
    /// the host did not allow.
    fn output_checks(
        &self,
        manifest: &Manifest,
    ) -> Result<(OutputParser, Option<Arc<jsonschema::Validator>>), RunError> {
        let Some(out) = &manifest.output else {
            return Ok((OutputParser::Builtin(OutputFormat::Text), None));
        };
        let parser = match &out.parser {
            Parser::Builtin(f) => OutputParser::Builtin(*f),
            Parser::Custom(path) => {
                let allowed = self
                    .config
                    .allowed_parsers
                    .iter()
                    .any(|p| p.as_os_str() == path.as_ref() as &str);
                if !allowed {
                    return Err(RunError::ParserNotAllowed {
                        tool: manifest.tool.name.to_string(),
                        path: path.to_string(),
                    });
                }
                OutputParser::Custom(path.to_string())
            }
        };
        Ok((parser, Some(self.validator(manifest, &out.schema_json)?)))
    }

    fn validator(
        &self,
        manifest: &Manifest,
        schema_json: &str,
    ) -> Result<Arc<jsonschema::Validator>, RunError> {
        let schema_error = |message: String| RunError::OutputSchema {
            tool: manifest.tool.name.to_string(),
            message,
        };
        // A poisoned lock only means another run panicked while inserting; the map
        // itself is still a valid cache.
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(v) = cache.get(schema_json) {
            return Ok(Arc::clone(v));
        }
        let schema: serde_json::Value =
            serde_json::from_str(schema_json).map_err(|e| schema_error(e.to_string()))?;
        let v = Arc::new(
            jsonschema::draft202012::new(&schema).map_err(|e| schema_error(e.to_string()))?,
        );
        cache.insert(schema_json.to_owned(), Arc::clone(&v));
        Ok(v)
    }

    fn child_env(&self, launch_env: &[(String, String)]) -> Vec<(OsString, OsString)> {
        child_env(&self.config, launch_env)
    }

    async fn execute(
        &self,
        manifest: &Manifest,
        layout: Layout,
        launch: Launch,
        parser: OutputParser,
        validator: Option<Arc<jsonschema::Validator>>,
        cancel: &CancellationToken,
    ) -> Result<Envelope, RunError> {
        let evidence_error = |path: &Path, e: std::io::Error| RunError::Evidence {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let capture = manifest.tool.evidence.as_ref().is_none_or(|e| e.capture);
        let format = manifest
            .output
            .as_ref()
            .map_or(OutputFormat::Text, |o| o.format);
        // The run directory exists before the tool starts either way (it is the
        // tool's `{_output_file}` folder); with capture, creating the file creates it.
        let mut sink = if capture {
            let path = layout
                .run_dir
                .join(format!("{}.{}", layout.scan_id, extension(format)));
            Some(
                EvidenceSink::create(
                    &layout.run_dir,
                    path,
                    self.config.evidence_cap,
                    self.config.durable_evidence,
                )
                .map_err(|(path, e)| evidence_error(&path, e))?,
            )
        } else {
            std::fs::create_dir_all(&layout.run_dir)
                .map_err(|e| evidence_error(&layout.run_dir, e))?;
            None
        };
        let timestamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        let (program, args) = match launch.argv.split_first() {
            Some((p, rest)) => (p.clone(), rest.to_vec()),
            None => (String::new(), Vec::new()),
        };
        let spec = ProcessSpec {
            program,
            args,
            env: self.child_env(&launch.env),
            cwd: self.config.working_dir.clone(),
        };
        let limits = Limits {
            timeout: Duration::from_secs(manifest.tool.timeout_seconds.max(1)),
            grace: self.config.effective_grace(),
            stdout_cap: self.config.output_cap,
            stderr_cap: self.config.stderr_cap,
        };
        let mut envelope = Envelope {
            status: Status::Error,
            scan_id: layout.scan_id.clone(),
            tool: manifest.tool.name.to_string(),
            command: display_command(&launch),
            exit_code: None,
            stderr: String::new(),
            duration_ms: 0,
            timestamp,
            output_file: None,
            output_hash: None,
            results: None,
            error: None,
            stdout_bytes: 0,
            stdout_truncated: false,
            stderr_bytes: 0,
            stderr_truncated: false,
            output_file_truncated: false,
        };
        let outcome = process::run(spec, limits, sink.as_mut(), cancel).await;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                if let Some(s) = sink {
                    let file = s.finish(0).await;
                    // Nothing was written: leave no empty evidence file behind.
                    let _ = tokio::fs::remove_file(&file.path).await;
                }
                envelope.error = Some(e.message);
                envelope.duration_ms = millis(started);
                return Ok(envelope);
            }
        };
        let evidence = match sink {
            Some(s) => Some(s.finish(outcome.stdout.total).await),
            None => None,
        };
        self.finish(
            &mut envelope,
            manifest,
            outcome,
            evidence,
            parser,
            validator,
            cancel,
        )
        .await;
        envelope.duration_ms = millis(started);
        Ok(envelope)
    }

    /// Fills in status, results and the capture fields from a finished process.
    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        envelope: &mut Envelope,
        manifest: &Manifest,
        outcome: Outcome,
        evidence: Option<EvidenceFile>,
        parser: OutputParser,
        validator: Option<Arc<jsonschema::Validator>>,
        cancel: &CancellationToken,
    ) {
        let Outcome {
            ending,
            stdout,
            stderr,
        } = outcome;
        envelope.stderr = String::from_utf8_lossy(&stderr.kept).into_owned();
        envelope.stderr_bytes = stderr.total;
        envelope.stderr_truncated = stderr.truncated();
        envelope.stdout_bytes = stdout.total;
        envelope.stdout_truncated = stdout.truncated();
        let mut evidence_error = None;
        let mut evidence_path = None;
        if let Some(f) = evidence {
            envelope.output_file = Some(f.path.to_string_lossy().into_owned());
            envelope.output_hash = Some(f.hash);
            envelope.output_file_truncated = f.truncated;
            evidence_error = f.error;
            evidence_path = Some(f.path);
        }
        let failure = match ending {
            Ending::TimedOut => {
                envelope.status = Status::Timeout;
                envelope.error = Some(format!(
                    "timed out after {} s (timeout_seconds); the process group was stopped",
                    manifest.tool.timeout_seconds
                ));
                return;
            }
            Ending::Cancelled => {
                Some("cancelled by the host; the process group was stopped".to_owned())
            }
            Ending::Lost(e) => Some(format!(
                "waiting for the tool failed ({e}); the process group was stopped"
            )),
            Ending::Exited(status) => {
                envelope.exit_code = status.code();
                match status.code() {
                    Some(0) => None,
                    Some(code) => Some(format!("the tool exited with code {code}")),
                    None => Some(signal_message(&status)),
                }
            }
        };
        if let Some(message) = failure.or(evidence_error) {
            envelope.error = Some(message);
            return;
        }
        let parsed = match &parser {
            OutputParser::Builtin(format) => {
                if stdout.truncated() && *format != OutputFormat::Text {
                    Err(format!(
                        "stdout ({} bytes) is longer than the output cap ({} bytes), so its {} cannot be parsed; the host can raise RunConfig::output_cap{}",
                        stdout.total,
                        stdout.kept.len(),
                        format.as_str(),
                        if envelope.output_file.is_some() {
                            "; the raw output is in output_file"
                        } else {
                            ""
                        }
                    ))
                } else {
                    parse_output(*format, &stdout.kept).map_err(|e| e.to_string())
                }
            }
            OutputParser::Custom(path) => {
                self.custom_parse(path, evidence_path.as_deref(), envelope, cancel)
                    .await
            }
        };
        let results = match parsed {
            Ok(v) => v,
            Err(message) => {
                envelope.error = Some(message);
                return;
            }
        };
        if let Some(v) = validator
            && let Err(message) = schema_mismatch(&v, &results)
        {
            envelope.error = Some(message);
            return;
        }
        envelope.status = Status::Success;
        envelope.results = Some(results);
    }

    /// Runs an allowed `custom:<path>` parser: `<path> <evidence file>`, under the
    /// same environment, group and limits as a tool; its stdout must be JSON.
    async fn custom_parse(
        &self,
        path: &str,
        evidence: Option<&Path>,
        envelope: &Envelope,
        cancel: &CancellationToken,
    ) -> Result<serde_json::Value, String> {
        let Some(file) = evidence.filter(|_| !envelope.output_file_truncated) else {
            return Err(format!(
                "custom parser '{path}' reads the evidence file, and it is {}",
                if envelope.output_file_truncated {
                    "truncated (evidence cap)"
                } else {
                    "not written ([tool.evidence] capture = false)"
                }
            ));
        };
        let spec = ProcessSpec {
            program: path.to_owned(),
            args: vec![file.to_string_lossy().into_owned()],
            env: self.child_env(&[]),
            cwd: self.config.working_dir.clone(),
        };
        let limits = Limits {
            timeout: Duration::from_secs(30),
            grace: self.config.effective_grace(),
            stdout_cap: self.config.output_cap,
            stderr_cap: self.config.stderr_cap,
        };
        let out = process::run(spec, limits, None, cancel)
            .await
            .map_err(|e| format!("custom parser: {}", e.message))?;
        match out.ending {
            Ending::Exited(s) if s.success() => {}
            Ending::Exited(s) => {
                return Err(format!(
                    "custom parser '{path}' failed ({}): {}",
                    s.code()
                        .map_or_else(|| signal_message(&s), |c| format!("exit code {c}")),
                    String::from_utf8_lossy(&out.stderr.kept).trim()
                ));
            }
            _ => return Err(format!("custom parser '{path}' timed out or was cancelled")),
        }
        if out.stdout.truncated() {
            return Err(format!(
                "custom parser '{path}' printed more than the output cap"
            ));
        }
        serde_json::from_slice(&out.stdout.kept)
            .map_err(|e| format!("custom parser '{path}' did not print JSON: {e}"))
    }
}

/// The whole environment of a child: the allow-listed parent variables, then
/// `env_set`, then `launch_env`.
fn child_env(config: &RunConfig, launch_env: &[(String, String)]) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| {
            k.to_str().is_some_and(|k| {
                // An inherited argument variable would stand in for an absent one.
                !k.starts_with(ARG_ENV_PREFIX) && config.env_allowed(k)
            })
        })
        .collect();
    let set = config.env_set.iter().chain(launch_env);
    for (k, v) in set {
        env.retain(|(ek, _)| ek != k.as_str());
        env.push((k.into(), v.into()));
    }
    env
}

enum OutputParser {
    Builtin(OutputFormat),
    Custom(String),
}

fn launch(manifest: &Manifest, plan: Plan) -> Result<Launch, RunError> {
    let tool = manifest.tool.name.to_string();
    match plan {
        Plan::Argv(argv) => Ok(Launch {
            argv,
            env: Vec::new(),
        }),
        Plan::Executor(e) => Ok(Launch {
            argv: vec![e.program().to_owned()],
            env: e.env().to_vec(),
        }),
        // With feature `http`, `run_until` takes `[http]` tools before this.
        Plan::Http(_) => Err(RunError::NotBuilt {
            tool,
            backend: "[http]",
            feature: "http",
        }),
        // With feature `mcp-proxy`, `run_until` takes `[mcp]` plans before this.
        Plan::Mcp { .. } => Err(RunError::NotBuilt {
            tool,
            backend: "[mcp]",
            feature: "mcp-proxy",
        }),
        // A session is driven command by command, not run once.
        Plan::Session { .. } => Err(RunError::Config(format!(
            "tool '{tool}' is a session tool: open a session with Runner::open_session (feature `session`) and send its commands; nothing ran"
        ))),
        Plan::Browser { .. } => Err(RunError::Unsupported {
            tool,
            backend: "[browser]",
        }),
        Plan::Callback { .. } => Err(RunError::HostRuns {
            tool,
            what: "a callback tool (dispatch = \"callback\")".to_owned(),
        }),
        Plan::Source { operation } => Err(RunError::HostRuns {
            tool,
            what: format!("a [source] operation '{operation}'"),
        }),
        // `Plan` may grow: a backend this runner does not know is not run.
        #[allow(unreachable_patterns)]
        _ => Err(RunError::Unsupported {
            tool,
            backend: "this",
        }),
    }
}

/// The command for the envelope: argv shell-quoted for reading (it never runs through
/// a shell); an executor as `NAME=value ... program`. Command backends take no
/// secrets (`{_secret:...}` exists only in `[http]`), so nothing needs redacting.
fn display_command(launch: &Launch) -> String {
    let words: Vec<String> = launch
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(launch.argv.iter().cloned())
        .collect();
    shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "))
}

fn schema_mismatch(v: &jsonschema::Validator, results: &serde_json::Value) -> Result<(), String> {
    let errors: Vec<String> = v
        .iter_errors(results)
        .take(5)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("at '{}': {e}", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the output does not match [output.schema] (results withheld; the raw output is in output_file when captured): {}",
            errors.join("; ")
        ))
    }
}

fn extension(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Text => "txt",
        OutputFormat::Json => "json",
        OutputFormat::Jsonl => "jsonl",
        OutputFormat::Csv => "csv",
        OutputFormat::Xml => "xml",
    }
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn signal_message(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("the tool was killed by signal {sig}");
        }
    }
    format!("the tool ended without an exit code ({status})")
}
