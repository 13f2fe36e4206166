//! An MCP server over ToolClad manifests, on `rmcp` with a hand-written handler.
//!
//! ```ignore
//! let tools = ToolSet::load(&[PathBuf::from("tools")], None)?;
//! let server = McpServer::new(tools, Runner::new(RunConfig::default()))
//!     .with_max_concurrent(4);
//! server.serve_stdio(CancellationToken::new()).await?;
//! ```
//!
//! - `tools/list`: the definitions `cladgen schema --flavor mcp` prints (name,
//!   description, `inputSchema`, `outputSchema`), plus a `title` and annotations
//!   ([`annotations`] has the mapping);
//! - `tools/call`: the arguments are parsed (every error at once), the call passes the
//!   runner's gate and runs; the answer carries the evidence envelope as
//!   `structuredContent` and a text block for the model. Argument errors, refusals,
//!   failures and timeouts are results with `isError: true`; protocol errors are only
//!   for an unknown tool;
//! - cancellation (`notifications/cancelled`, a client that goes away, shutdown)
//!   reaches the runner's cancellation token: SIGTERM to the process group, the grace
//!   period, SIGKILL;
//! - progress notifications at a steady interval while a tool runs, when the request
//!   carries a progress token;
//! - `[mcp]` tools are proxied to upstream MCP servers when the runner has them
//!   (`Runner::with_mcp_servers`); [`McpServer::check_upstreams`] is the startup
//!   drift check (the `*_blocking` entry points run it before serving);
//! - at most `max_concurrent` calls run at once; the others wait their turn;
//! - stdio ([`McpServer::serve_stdio`]) or streamable HTTP on loopback
//!   ([`McpServer::serve_http`], DNS-rebinding guard on).
//!
//! `docs/mcp-server.md` has every decision.

#![warn(missing_docs)]

mod approval;
mod http;
#[cfg(feature = "registry")]
mod registry;
mod sessions;
mod stdio;

pub use approval::{APPROVE_FIELD, ApprovalMode, DEFAULT_APPROVAL_TIMEOUT};
pub use http::HttpError;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cladgen_core::invoke::{Call, EnvSecrets};
use cladgen_core::load::{Project, TypesFile};
use cladgen_core::model::{Backend, Manifest, RiskTier};
use cladgen_core::schema::{self, ExposedTool, Flavor, ToolSource};
use cladgen_core::value::ParseOptions;
use cladgen_run::{Approval, ApprovalRequest, Approver, BoxFuture, Envelope, RunError, Runner};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio::sync::Semaphore;

pub use cladgen_run::CancellationToken;

/// The default interval between progress notifications.
pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Why a set of manifests cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Manifests or the custom types file are invalid (or unreadable); `report` holds
    /// every diagnostic, rendered.
    #[error("{count} manifest problem(s), nothing is served:\n{report}")]
    Invalid {
        /// How many errors.
        count: usize,
        /// The rendered diagnostics.
        report: String,
    },
    /// A manifest cannot be exposed as an MCP tool (its tool name, its schema).
    #[error("{path}: {message}")]
    Schema {
        /// The manifest.
        path: String,
        /// Why.
        message: String,
    },
    /// No manifest was given.
    #[error("no manifest to serve: pass manifest files or folders holding `*.clad.toml`")]
    Empty,
}

/// What one served tool runs.
#[derive(Clone)]
enum Target {
    /// The manifest itself.
    Manifest,
    /// A session or browser command (listed, not run yet by the runner).
    Command(String),
    /// A tool of a generated registry: its generated code validates and runs it.
    #[cfg(feature = "registry")]
    Compiled(registry::Parse),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Manifest => f.write_str("Manifest"),
            Target::Command(c) => f.debug_tuple("Command").field(c).finish(),
            #[cfg(feature = "registry")]
            Target::Compiled(_) => f.write_str("Compiled"),
        }
    }
}

#[derive(Debug)]
struct Entry {
    tool: Tool,
    manifest: Arc<Manifest>,
    target: Target,
}

/// A loaded set of manifests, as MCP tools (in load order, commands in declaration
/// order).
#[derive(Debug, Default)]
pub struct ToolSet {
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
}

impl ToolSet {
    /// Loads every manifest named by `paths` (files, or folders searched for
    /// `*.clad.toml`), with the custom types of `types` (default: the nearest
    /// `toolclad.toml` of each manifest's folder). Any invalid manifest, a duplicate
    /// tool name, or an empty set is an error: a server never serves half a project.
    pub fn load(paths: &[PathBuf], types: Option<&Path>) -> Result<ToolSet, LoadError> {
        // The one loader every path uses: the same types-file policy as the CLI.
        let loaded = Project::new()
            .types_file(match types {
                Some(t) => TypesFile::At(t.to_path_buf()),
                None => TypesFile::Nearest,
            })
            .load(paths);
        if loaded.has_errors() {
            return Err(LoadError::Invalid {
                count: loaded.error_count(),
                report: loaded.render(false),
            });
        }
        let manifests: Vec<(PathBuf, Manifest)> = loaded
            .manifests
            .into_iter()
            .filter_map(|m| Some((m.path, m.manifest?)))
            .collect();
        let mut set = ToolSet::default();
        for (path, m) in manifests {
            set.add(m).map_err(|e| match e {
                LoadError::Schema { message, .. } => LoadError::Schema {
                    path: path.display().to_string(),
                    message,
                },
                other => other,
            })?;
        }
        if set.entries.is_empty() {
            return Err(LoadError::Empty);
        }
        Ok(set)
    }

    /// The checked manifests `manifests` (e.g. a generated registry's
    /// `Tools::MANIFESTS`), served through the dynamic path like [`ToolSet::load`]'s.
    /// A registry with user types (`Builder::extern_type`) needs
    /// `ToolSet::from_tools` (feature `registry`), which runs its generated code.
    pub fn from_manifests(manifests: &[&Manifest]) -> Result<ToolSet, LoadError> {
        let mut set = ToolSet::default();
        for m in manifests {
            set.add((*m).clone())?;
        }
        if set.is_empty() {
            return Err(LoadError::Empty);
        }
        Ok(set)
    }

    /// Adds one checked manifest (its tool, or one tool per session/browser command).
    /// A name already served is an error.
    pub fn add(&mut self, manifest: Manifest) -> Result<(), LoadError> {
        self.insert(manifest, None)
    }

    /// [`ToolSet::add`]; with `compiled`, every tool of the manifest is validated and
    /// run by generated code.
    fn insert(
        &mut self,
        manifest: Manifest,
        #[cfg(feature = "registry")] compiled: Option<registry::Parse>,
        #[cfg(not(feature = "registry"))] _compiled: Option<std::convert::Infallible>,
    ) -> Result<(), LoadError> {
        let schema_error = |message: String| LoadError::Schema {
            path: manifest.tool.name.to_string(),
            message,
        };
        let exposed = schema::exposed_tools(&manifest).map_err(|e| schema_error(e.to_string()))?;
        let mut new = Vec::new();
        for t in &exposed {
            let def = schema::tool_definition(&manifest, t, Flavor::Mcp)
                .map_err(|e| schema_error(e.to_string()))?;
            let tool = mcp_tool(&manifest, t, def).map_err(schema_error)?;
            if self.by_name.contains_key(&t.name) || new.iter().any(|(n, _, _)| n == &t.name) {
                return Err(schema_error(format!(
                    "the tool name '{}' is served twice; tool names must be unique",
                    t.name
                )));
            }
            #[allow(unused_mut)] // without `registry`, nothing overrides it
            let mut target = match t.source {
                ToolSource::Manifest => Target::Manifest,
                ToolSource::SessionCommand(c) => Target::Command(c.name.to_string()),
                ToolSource::BrowserCommand(c) => Target::Command(c.name.to_string()),
            };
            #[cfg(feature = "registry")]
            if let Some(parse) = compiled {
                target = Target::Compiled(parse);
            }
            new.push((t.name.clone(), tool, target));
        }
        let manifest = Arc::new(manifest);
        for (name, tool, target) in new {
            self.by_name.insert(name, self.entries.len());
            self.entries.push(Entry {
                tool,
                manifest: Arc::clone(&manifest),
                target,
            });
        }
        Ok(())
    }

    /// The MCP tool definitions, in order.
    pub fn tools(&self) -> Vec<Tool> {
        self.entries.iter().map(|e| e.tool.clone()).collect()
    }

    /// How many tools are served.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no tool is served.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// Each served manifest once, in load order.
    pub fn manifests(&self) -> impl Iterator<Item = &Manifest> {
        let mut seen: Vec<*const Manifest> = Vec::new();
        self.entries.iter().filter_map(move |e| {
            let p = Arc::as_ptr(&e.manifest);
            (!seen.contains(&p)).then(|| {
                seen.push(p);
                &*e.manifest
            })
        })
    }

    /// How many served tools are `[mcp]` proxies (they need upstream servers).
    pub fn mcp_tool_count(&self) -> usize {
        self.manifests()
            .filter(|m| matches!(m.backend, Backend::Mcp(_)))
            .count()
    }
}

/// The drift check failed at startup: `[mcp]` tools whose upstream servers do not
/// start, lack the tool, or take other arguments ([`McpServer::check_upstreams`]).
#[derive(Debug, thiserror::Error)]
#[error("{} [mcp] tool problem(s), nothing is served:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct DriftReport(pub Vec<cladgen_run::mcp::DriftError>);

/// The annotations of a served tool, beyond what `cladgen schema --flavor mcp` says.
///
/// - `title`: the tool name (manifests have no display title);
/// - `destructiveHint: true` when the risk tier is `high` or `critical` or the tool
///   asks for human approval (the schema's rule); otherwise absent;
/// - `openWorldHint: true` for `[http]`, `[mcp]` and browser tools, which talk to
///   systems outside the server by construction; otherwise absent (MCP's default is
///   `true` as well; nothing in a manifest proves a command stays in a closed world);
/// - `readOnlyHint` and `idempotentHint` are never set: no manifest field states
///   them, and a wrong `true` lets a client skip its confirmation.
pub fn annotations(manifest: &Manifest, tool: &ExposedTool<'_>) -> Value {
    let mut a = serde_json::Map::new();
    a.insert("title".into(), tool.name.clone().into());
    if tool.risk_tier >= RiskTier::High || tool.human_approval {
        a.insert("destructiveHint".into(), true.into());
    }
    if matches!(
        manifest.backend,
        Backend::Http(_) | Backend::Mcp(_) | Backend::Browser(_)
    ) {
        a.insert("openWorldHint".into(), true.into());
    }
    Value::Object(a)
}

fn mcp_tool(manifest: &Manifest, t: &ExposedTool<'_>, def: Value) -> Result<Tool, String> {
    let Value::Object(mut def) = def else {
        return Err("the MCP definition is not a JSON object".to_owned());
    };
    def.insert("title".into(), t.name.clone().into());
    def.insert("annotations".into(), annotations(manifest, t));
    serde_json::from_value(Value::Object(def))
        .map_err(|e| format!("the MCP definition is not a valid MCP tool: {e}"))
}

/// The runner's approver under `cladgen serve`, for [`ApprovalMode::Runner`]: it
/// refuses every `human_approval` call with a message saying why (nobody at the
/// server's terminal can answer: stdin is the protocol). With the default
/// [`ApprovalMode::Elicit`] the server asks the client instead and never consults it.
#[derive(Clone, Copy, Debug, Default)]
pub struct RefuseApproval;

impl Approver for RefuseApproval {
    fn approve<'a>(&'a self, r: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        Box::pin(std::future::ready(Approval::Denied(format!(
            "the MCP server does not ask for approval of '{}' (approval through elicitation is off); a person can review the command and run it with `cladgen run --approve`",
            r.tool
        ))))
    }
}

/// The MCP server: a [`ToolSet`] served through a [`Runner`]. Cheap to clone (every
/// clone shares the tools, the runner and the concurrency limit).
#[derive(Clone, Debug)]
pub struct McpServer {
    tools: Arc<ToolSet>,
    runner: Arc<Runner>,
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    progress_interval: Duration,
    approval: ApprovalMode,
    /// The session tools' sessions of this client connection (see
    /// [`McpServer::for_connection`]).
    sessions: sessions::Sessions,
}

impl McpServer {
    /// A handle for one client connection: the same tools, runner and concurrency
    /// limit, and a session table of its own, so a session belongs to the connection
    /// that started it and ends (its process group killed) when the connection's
    /// handler is dropped.
    pub fn for_connection(&self) -> Self {
        let mut s = self.clone();
        s.sessions = sessions::Sessions::default();
        s
    }

    /// A server for `tools`, running calls with `runner`; at most 4 calls at once.
    pub fn new(tools: ToolSet, runner: Runner) -> Self {
        McpServer {
            tools: Arc::new(tools),
            runner: Arc::new(runner),
            permits: Arc::new(Semaphore::new(4)),
            max_concurrent: 4,
            progress_interval: DEFAULT_PROGRESS_INTERVAL,
            approval: ApprovalMode::default(),
            sessions: sessions::Sessions::default(),
        }
    }

    /// How `human_approval` calls are decided (default: [`ApprovalMode::Elicit`] with
    /// [`DEFAULT_APPROVAL_TIMEOUT`]).
    pub fn with_approval(mut self, mode: ApprovalMode) -> Self {
        self.approval = mode;
        self
    }

    /// At most `n` calls run at once (at least 1); the others wait their turn.
    pub fn with_max_concurrent(mut self, n: usize) -> Self {
        let n = n.clamp(1, Semaphore::MAX_PERMITS);
        self.permits = Arc::new(Semaphore::new(n));
        self.max_concurrent = n;
        self
    }

    /// The interval between progress notifications (at least 50 ms).
    pub fn with_progress_interval(mut self, every: Duration) -> Self {
        self.progress_interval = every.max(Duration::from_millis(50));
        self
    }

    /// The served tools.
    pub fn tool_set(&self) -> &ToolSet {
        &self.tools
    }

    /// Serves one client on stdin/stdout until stdin closes or `shutdown` fires;
    /// every running tool is then cancelled (its process group killed). Lines that
    /// are not JSON get a JSON-RPC parse error; stdout carries only JSON-RPC.
    pub async fn serve_stdio(self, shutdown: CancellationToken) -> std::io::Result<()> {
        stdio::serve(self, tokio::io::stdin(), tokio::io::stdout(), shutdown).await
    }

    /// [`McpServer::serve_stdio`] over any byte streams (tests, pipes, sockets).
    pub async fn serve_io<R, W>(
        self,
        input: R,
        output: W,
        shutdown: CancellationToken,
    ) -> std::io::Result<()>
    where
        R: tokio::io::AsyncRead + Unpin + Send + 'static,
        W: tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        stdio::serve(self, input, output, shutdown).await
    }

    /// Serves streamable HTTP at `http://addr/mcp` until `shutdown` fires; `on_bound`
    /// gets the bound address (port 0 picks one). Loopback addresses only, unless
    /// `allow_remote`; the DNS-rebinding guard (allowed `Host` values) stays on.
    pub async fn serve_http(
        self,
        addr: std::net::SocketAddr,
        allow_remote: bool,
        shutdown: CancellationToken,
        on_bound: impl FnOnce(std::net::SocketAddr),
    ) -> Result<(), HttpError> {
        http::serve(self, addr, allow_remote, shutdown, on_bound).await
    }

    /// The drift check of every served `[mcp]` tool against the runner's upstream
    /// servers (started now and kept for the calls); `Ok` when there is nothing to
    /// check: no `[mcp]` tools, or no upstream configuration (their calls are then
    /// refused). `serve_*_blocking` run it before serving.
    pub async fn check_upstreams(&self) -> Result<(), DriftReport> {
        if self.runner.upstreams().is_none() || self.tools.mcp_tool_count() == 0 {
            return Ok(());
        }
        let errors = self.runner.check_upstreams(self.tools.manifests()).await;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DriftReport(errors))
        }
    }

    /// Handles one `tools/call` (the handler's body, callable without a transport
    /// save for progress).
    async fn call(
        &self,
        request: CallToolRequestParams,
        ct: CancellationToken,
        progress: Option<Progress>,
        client: Client,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(entry) = self.tools.get(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool '{}'; call tools/list for the served tools",
                    request.name
                ),
                None,
            ));
        };
        let args = Value::Object(request.arguments.unwrap_or_default());
        // The approver of this call: the client that sent it, asked through
        // elicitation, or the runner's own.
        let elicit;
        let approver: &dyn Approver = match &self.approval {
            ApprovalMode::Runner => &*self.runner.config().approver,
            ApprovalMode::Elicit { timeout } => {
                elicit = approval::ElicitApproval {
                    peer: client.peer,
                    protocol: client.protocol,
                    capabilities: client.capabilities,
                    timeout: *timeout,
                    cancel: ct.clone(),
                };
                &elicit
            }
        };
        if let Target::Command(command) = &entry.target
            && matches!(entry.manifest.backend, Backend::Session(_))
        {
            let _permit = tokio::select! {
                p = self.permits.acquire() => match p {
                    Ok(p) => p,
                    Err(_) => return Err(ErrorData::internal_error("the server is shutting down", None)),
                },
                () = ct.cancelled() => return Ok(error_text("the call was cancelled before it started; nothing ran")),
            };
            return Ok(self
                .sessions
                .call(&self.runner, &entry.manifest, command, &args, &ct, approver)
                .await);
        }
        if let Target::Command(command) = &entry.target {
            return Ok(error_text(format!(
                "tool '{}' is command '{command}' of a {} tool; running browser commands is not supported yet; nothing ran",
                request.name,
                backend_name(&entry.manifest)
            )));
        }
        #[cfg(feature = "registry")]
        if let Target::Compiled(parse) = &entry.target {
            let call = match parse(&request.name, &args) {
                Ok(c) => c,
                Err(e) => return Ok(error_text(run_error_text(&e))),
            };
            let run = call.run(&self.runner, &ct, approver);
            return self.run_queued(&request.name, &ct, progress, run).await;
        }
        let call = match Call::from_json(&entry.manifest, &args, &ParseOptions::default()) {
            Ok(c) => c,
            Err(errors) => return Ok(error_text(errors.for_llm())),
        };
        let run = self.runner.run_until_approved_by(
            &entry.manifest,
            call.values(),
            |ctx| call.plan(ctx, &EnvSecrets),
            &ct,
            approver,
        );
        self.run_queued(&request.name, &ct, progress, run).await
    }

    /// Waits for a slot, then drives `run` (a future does nothing until polled, so
    /// nothing starts before the slot), with progress when asked.
    async fn run_queued(
        &self,
        name: &str,
        ct: &CancellationToken,
        progress: Option<Progress>,
        run: impl std::future::Future<Output = Result<Envelope, RunError>>,
    ) -> Result<CallToolResult, ErrorData> {
        // Queue for a slot; a request cancelled while it waits never runs.
        let _permit = tokio::select! {
            p = self.permits.acquire() => match p {
                Ok(p) => p,
                Err(_) => return Err(ErrorData::internal_error("the server is shutting down", None)),
            },
            () = ct.cancelled() => return Ok(error_text("the call was cancelled before it started; nothing ran")),
        };
        let result = match progress {
            None => run.await,
            Some(p) => p.drive(run, self.progress_interval, name).await,
        };
        Ok(match result {
            Ok(envelope) => envelope_result(&envelope),
            Err(e) => error_text(run_error_text(&e)),
        })
    }
}

fn backend_name(m: &Manifest) -> &'static str {
    match m.backend {
        Backend::Session(_) => "session",
        Backend::Browser(_) => "browser",
        _ => "oneshot",
    }
}

fn run_error_text(e: &RunError) -> String {
    match e {
        RunError::Refused(_) => format!("the call was refused; nothing ran:\n{}", e.for_llm()),
        other => other.for_llm(),
    }
}

fn error_text(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The envelope as `structuredContent` (valid against the advertised output schema)
/// and a text block: the status line, the error, then the envelope's JSON.
fn envelope_result(e: &Envelope) -> CallToolResult {
    let json = e.to_json();
    let mut text = format!("status: {}", e.status.as_str());
    if let Some(err) = &e.error {
        text.push_str(&format!("\nerror: {err}"));
    }
    text.push_str(&format!("\nenvelope: {json}"));
    let mut r = if e.is_success() {
        CallToolResult::success(vec![ContentBlock::text(text)])
    } else {
        CallToolResult::error(vec![ContentBlock::text(text)])
    };
    r.structured_content = Some(json);
    r
}

/// The client that sent a call, for asking it (approval through elicitation).
struct Client {
    peer: rmcp::Peer<RoleServer>,
    protocol: Option<rmcp::model::ProtocolVersion>,
    capabilities: Option<rmcp::model::ClientCapabilities>,
}

/// Sends progress notifications while a run is under way.
struct Progress {
    token: rmcp::model::ProgressToken,
    peer: rmcp::Peer<RoleServer>,
}

impl Progress {
    async fn drive<F: std::future::Future>(self, run: F, every: Duration, tool: &str) -> F::Output {
        let started = Instant::now();
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(run);
        loop {
            tokio::select! {
                out = &mut run => return out,
                _ = tick.tick() => {
                    let secs = started.elapsed().as_secs_f64();
                    let note = ProgressNotificationParam::new(self.token.clone(), secs)
                        .with_message(format!("running {tool}: {secs:.0} s"));
                    // A client that cannot take the notification is no reason to stop
                    // the tool; cancellation arrives through the token.
                    let _ = self.peer.notify_progress(note).await;
                }
            }
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("cladgen", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "ToolClad tools run under a gate (scope, risk tier, approval) with timeouts; every result carries the evidence envelope. At most {} calls run at once.",
                self.max_concurrent
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let progress = context.meta.get_progress_token().map(|token| Progress {
            token,
            peer: context.peer.clone(),
        });
        let client = Client {
            protocol: context.protocol_version(),
            capabilities: context.client_capabilities(),
            peer: context.peer.clone(),
        };
        self.call(request, context.ct.clone(), progress, client)
            .await
            .map(CallToolResponse::from)
    }
}

impl McpServer {
    /// Serves stdin/stdout on a new tokio runtime until stdin closes, SIGTERM or
    /// SIGINT; then every running tool's process group is killed (dropping a run
    /// kills its group). For a host without a runtime of its own (the CLI).
    /// The drift check ([`McpServer::check_upstreams`]) runs first; a failure is an
    /// error holding a [`DriftReport`]. Upstream MCP servers are stopped at the end.
    pub fn serve_stdio_blocking(self) -> std::io::Result<()> {
        block_until_signal(|shutdown| self.checked(|s| s.serve_stdio(shutdown)))
    }

    /// The drift check, `serve`, then the upstream servers stopped.
    async fn checked<F, Fut>(self, serve: F) -> std::io::Result<()>
    where
        F: FnOnce(Self) -> Fut,
        Fut: std::future::Future<Output = std::io::Result<()>>,
    {
        let runner = Arc::clone(&self.runner);
        let result = match self.check_upstreams().await {
            Ok(()) => serve(self).await,
            Err(report) => Err(std::io::Error::other(report)),
        };
        runner.shutdown().await;
        result
    }

    /// [`McpServer::serve_http`] on a new tokio runtime until SIGTERM or SIGINT;
    /// the bound address is written to stderr. The drift check runs first, as for
    /// [`McpServer::serve_stdio_blocking`].
    pub fn serve_http_blocking(
        self,
        addr: std::net::SocketAddr,
        allow_remote: bool,
    ) -> std::io::Result<()> {
        block_until_signal(|shutdown| {
            self.checked(move |s| async move {
                s.serve_http(addr, allow_remote, shutdown, |bound| {
                    eprintln!("cladgen serve: listening on http://{bound}/mcp");
                })
                .await
                .map_err(std::io::Error::other)
            })
        })
    }
}

fn block_until_signal<F, Fut>(serve: F) -> std::io::Result<()>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let shutdown = CancellationToken::new();
    let result = rt.block_on(async {
        let signals = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            signals.cancel();
        });
        serve(shutdown).await
    });
    // Runs still under way (their requests were cancelled) are dropped here, which
    // kills their process groups.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers the default action (exit) applies.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
