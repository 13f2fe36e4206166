//! `[session]` tools (feature `session`): an interactive program in a PTY, driven
//! command by command through the gate.
//!
//! ```ignore
//! let mut session = runner.open_session(&manifest)?;      // nothing starts yet
//! let call = SessionCommandCall::from_json(spec, "query", &json, &ParseOptions::DEFAULT)?;
//! let answer = session.send(&call).await?;                 // starts it, then the command
//! println!("{}", answer.to_json());
//! session.close().await;                                   // or drop it: the group is killed
//! ```
//!
//! Each [`Session::send`]: the call was typed by `SessionCommandCall` (pattern,
//! arguments, injection set and `input_sanitize`); the gate checks the scope of the
//! command's scope-checked arguments, its risk tier (the higher of the tool's and the
//! command's) and, for `human_approval`, asks the [`Approver`](crate::Approver) with
//! the exact text; only then is the text written. The answer is read until the
//! `ready_pattern` prompt comes back, with `output_wait_ms` of silence and
//! `timeout_seconds` as limits; escape sequences and the echo are removed. Every
//! decision is in `docs/execution.md`, "Sessions".

mod program;
mod screen;
mod transcript;

use crate::envelope::{Envelope, Status};
use crate::gate::{self, GateRule, Refusal, RefusalReason, is_scope_checked};
use crate::{ApprovalRequest, Approver, OutputParser, RunConfig, RunError, Runner};
use cladgen_core::invoke::{CommandCallError, SessionCommandCall};
use cladgen_core::model::{Arg, Backend, Manifest, SessionSpec};
use cladgen_core::schema::command_tool_name;
use cladgen_core::value::{ParseOptions, Value};
use program::{Program, ProgramSpec};
use screen::Screen;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use transcript::Transcript;

/// The terminal type a session program gets: no colours, no cursor addressing, so
/// line editors print little besides the text.
pub const SESSION_TERM: &str = "dumb";

/// The first characters of the startup output quoted in a startup failure.
const BANNER_QUOTE: usize = 400;

/// Why a session command did not run. A command that ran is an envelope, whatever
/// happened to it (a timeout, the program's exit).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The manifest is not a `[session]` tool.
    #[error("tool '{tool}' is not a session tool (no [session] table); nothing ran")]
    NotASession {
        /// Tool name.
        tool: String,
    },
    /// The call was built from another manifest's command.
    #[error(
        "command '{command}' is not a command of session tool '{tool}' as this session was opened; nothing ran"
    )]
    ForeignCommand {
        /// Tool name.
        tool: String,
        /// The command's name.
        command: String,
    },
    /// The call's arguments are invalid ([`Session::send_json`]).
    #[error("tool '{tool}': {source}")]
    Args {
        /// Tool name.
        tool: String,
        /// Why.
        source: CommandCallError,
    },
    /// The gate refused the command; nothing was written to the session.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The session was closed before this call (a limit, a timeout, the program's
    /// exit, or the host); nothing was written.
    #[error(
        "session {session} of tool '{tool}' is closed ({reason}); nothing was sent. A new session starts with the next call that opens one"
    )]
    Closed {
        /// Tool name.
        tool: String,
        /// The session id.
        session: String,
        /// Why it was closed.
        reason: String,
    },
    /// The runner cannot run it (configuration, evidence directory, output schema).
    #[error(transparent)]
    Run(#[from] RunError),
}

impl SessionError {
    /// A message for an LLM (a refusal's reasons, one per line).
    pub fn for_llm(&self) -> String {
        match self {
            SessionError::Refused(r) => r.for_llm(),
            SessionError::Run(e) => e.for_llm(),
            SessionError::Args { source, .. } => source.to_string(),
            other => other.to_string(),
        }
    }

    /// `{"errors": [...]}`, the shape of argument errors.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            SessionError::Refused(r) => r.to_json(),
            SessionError::Run(e) => e.to_json(),
            SessionError::Closed { .. } => serde_json::json!({
                "errors": [{ "rule": "session-closed", "message": self.to_string() }]
            }),
            other => {
                serde_json::json!({ "errors": [{ "rule": "not-run", "message": other.to_string() }] })
            }
        }
    }
}

/// Whether a session still takes commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// The next command goes to the same program.
    Open,
    /// The program was stopped or ended; the session takes no more commands.
    Closed,
}

impl SessionState {
    /// The schema spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            SessionState::Open => "open",
            SessionState::Closed => "closed",
        }
    }
}

/// The `session` object of a session command's envelope
/// (`cladgen_core::schema::SESSION_ENVELOPE_FIELDS`).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionReport {
    /// The session id (also the envelope's `scan_id`).
    pub id: String,
    /// The command called.
    pub command: String,
    /// Number of this command in the session (1 for the first); 0 when none was sent.
    pub interaction: u64,
    /// `max_interactions`.
    pub max_interactions: u64,
    /// The prompt that ended the answer; `None` when it did not come back.
    pub prompt: Option<String>,
    /// The cleaned answer when `results` is `None`; `None` when `results` holds it.
    pub output: Option<String>,
    /// Bytes of the cleaned answer (more than kept when `stdout_truncated`).
    pub output_bytes: u64,
    /// The session's state after this command.
    pub state: SessionState,
    /// Why the session was closed; `None` while open.
    pub closed_reason: Option<String>,
}

/// The envelope of one session command: the evidence envelope of the tool's output
/// schema plus its `session` object.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionEnvelope {
    /// The common fields. `command` is the text sent; `stderr` is empty (a terminal
    /// has one output stream); `stdout_*` count the terminal bytes read for this
    /// command; `output_file` is the session transcript and `output_hash` the hash of
    /// its bytes up to this command.
    pub envelope: Envelope,
    /// The session fields.
    pub session: SessionReport,
}

impl SessionEnvelope {
    /// The JSON object: the envelope's keys in schema order, then `session`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = self.envelope.to_json();
        let s = &self.session;
        let opt = |o: &Option<String>| o.clone().map_or(serde_json::Value::Null, Into::into);
        let session = serde_json::json!({
            "id": s.id,
            "command": s.command,
            "interaction": s.interaction,
            "max_interactions": s.max_interactions,
            "prompt": opt(&s.prompt),
            "output": opt(&s.output),
            "output_bytes": s.output_bytes,
            "state": s.state.as_str(),
            "closed_reason": opt(&s.closed_reason),
        });
        if let serde_json::Value::Object(m) = &mut v {
            m.insert(cladgen_core::schema::SESSION_FIELD.into(), session);
        }
        v
    }

    /// Whether the status is success.
    pub fn is_success(&self) -> bool {
        self.envelope.is_success()
    }
}

/// What the watchdog and the session share.
struct Watch {
    /// A command is being answered: the idle timeout does not run.
    busy: AtomicBool,
    last_activity: Mutex<Instant>,
    /// Set by the watchdog when it stopped the program: why.
    expired: Mutex<Option<String>>,
    poke: tokio::sync::Notify,
}

impl Watch {
    fn expired(&self) -> Option<String> {
        self.expired
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn touch(&self, busy: bool) {
        *self
            .last_activity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
        self.busy.store(busy, Ordering::SeqCst);
        self.poke.notify_one();
    }
}

/// A started session.
struct Live {
    /// Shared with the watchdog, which stops (and reaps) the program on the idle
    /// or session timeout while no command holds it.
    program: Arc<tokio::sync::Mutex<Program>>,
    pid: Option<u32>,
    transcript: Transcript,
    watch: Arc<Watch>,
    watchdog: tokio::task::JoinHandle<()>,
    started: Instant,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.watchdog.abort();
        // Dropped without `close`: SIGKILL to the group and reap the leader now (a
        // killed process is reaped within milliseconds), so no zombie outlives it.
        match self.program.try_lock() {
            Ok(mut p) => p.kill_now(),
            // The watchdog is stopping it right now; make sure it ends.
            Err(_) => program::kill_group_now(self.pid),
        }
    }
}

enum Phase {
    /// Opened; the program starts with the first command.
    NotStarted,
    Live(Box<Live>),
    Closed(String),
}

/// One interactive session of a `[session]` tool, kept by the host and driven
/// command by command. Dropping it kills the program's process group; prefer
/// [`Session::close`], which also records the end in the transcript.
pub struct Session {
    manifest: Arc<Manifest>,
    config: RunConfig,
    id: String,
    run_dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    validator: Option<Arc<jsonschema::Validator>>,
    phase: Phase,
    interactions: u64,
    /// The closed transcript: path, hash, whether it was truncated.
    last_transcript: Option<(String, String, bool)>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("tool", &self.manifest.tool.name)
            .field("id", &self.id)
            .field("interactions", &self.interactions)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// Opens a session of session tool `manifest`. Nothing starts until the first
    /// command ([`Session::send`]); the session id is the scan id of the runner's
    /// [`ScanIdSource`](crate::ScanIdSource).
    pub fn open_session(&self, manifest: &Manifest) -> Result<Session, SessionError> {
        if !matches!(manifest.backend, Backend::Session(_)) {
            return Err(SessionError::NotASession {
                tool: manifest.tool.name.to_string(),
            });
        }
        let layout = self.layout(manifest)?;
        let (parser, validator) = self.output_checks(manifest)?;
        if let OutputParser::Custom(path) = parser {
            return Err(SessionError::Run(RunError::Config(format!(
                "tool '{}': a custom parser ('{path}') is not supported for session tools (it reads a whole run's evidence file; a session answers command by command)",
                manifest.tool.name
            ))));
        }
        let mut env = self.child_env(&[]);
        env.retain(|(k, _)| k != "TERM");
        env.push(("TERM".into(), SESSION_TERM.into()));
        Ok(Session {
            manifest: Arc::new(manifest.clone()),
            config: self.config.clone(),
            id: layout.scan_id,
            run_dir: layout.run_dir,
            env,
            validator,
            phase: Phase::NotStarted,
            interactions: 0,
            last_transcript: None,
        })
    }
}

/// How reading an answer ended.
enum End {
    /// The ready pattern matched the last line.
    Prompt(String),
    /// The program (and its terminal) ended.
    Exited(Option<ExitStatus>),
    /// A deadline passed.
    Deadline(Limit),
    /// The program printed nothing for `output_wait_ms` and the prompt is not back.
    Silence,
}

#[derive(Clone, Copy)]
enum Limit {
    Startup,
    Interaction,
    Session,
}

/// The scope-checked values of a session command call: its declared arguments that
/// are `scope_target`s or have `scope_check = true`, with their values. A command
/// with `extract_target = true` and no such argument has no target the runner can
/// check: that is a refusal.
// Kept in one place so it can follow core's own scope-value accessor for session
// calls when that lands.
pub(crate) fn session_scope_values<'c>(
    call: &'c SessionCommandCall<'_>,
) -> Result<Vec<(&'c Arg, Option<&'c Value>)>, RefusalReason> {
    let cmd = call.command();
    let checked: Vec<(&Arg, Option<&Value>)> = cmd
        .args
        .iter()
        .filter(|a| is_scope_checked(a))
        .map(|a| (a, call.value(&a.name)))
        .collect();
    if cmd.extract_target && checked.is_empty() {
        return Err(RefusalReason {
            arg: None,
            rule: GateRule::NoTarget,
            value: None,
            expected: Some("a scope_target or scope_check argument naming the target".to_owned()),
            message: format!(
                "command '{}' has extract_target = true and declares no scope-checked argument, so its target cannot be checked against the scope",
                cmd.name
            ),
        });
    }
    Ok(checked)
}

impl Session {
    /// The session id (the scan id of its envelopes).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The tool's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Commands sent so far.
    pub fn interactions(&self) -> u64 {
        self.interactions
    }

    /// Open until a limit, a timeout, the program's exit or [`Session::close`].
    pub fn state(&self) -> SessionState {
        match &self.phase {
            Phase::Closed(_) => SessionState::Closed,
            _ => SessionState::Open,
        }
    }

    /// Why the session was closed, once it is.
    pub fn closed_reason(&self) -> Option<&str> {
        match &self.phase {
            Phase::Closed(r) => Some(r),
            _ => None,
        }
    }

    /// The transcript file, once the session started (also after it closed).
    pub fn transcript_path(&self) -> Option<PathBuf> {
        match &self.phase {
            Phase::Live(l) => Some(l.transcript.path().to_path_buf()),
            _ => self.last_transcript.as_ref().map(|t| PathBuf::from(&t.0)),
        }
    }

    /// The process id of the program (its process group and session id), while it runs.
    pub fn pid(&self) -> Option<u32> {
        match &self.phase {
            Phase::Live(l) => l.pid,
            _ => None,
        }
    }

    fn spec(&self) -> &SessionSpec {
        match &self.manifest.backend {
            Backend::Session(s) => s,
            // `open_session` accepts session manifests only.
            _ => unreachable!("a Session always holds a session manifest"),
        }
    }

    /// Validates `args` as a call of `command` (parse options: the defaults) and
    /// sends it.
    pub async fn send_json(
        &mut self,
        command: &str,
        args: &serde_json::Value,
    ) -> Result<SessionEnvelope, SessionError> {
        self.send_json_with(command, args, None).await
    }

    /// [`Session::send_json`] with `approver` deciding `human_approval` instead of
    /// the runner's own (an MCP server asks the client that sent the call).
    pub async fn send_json_approved_by(
        &mut self,
        command: &str,
        args: &serde_json::Value,
        approver: &dyn Approver,
    ) -> Result<SessionEnvelope, SessionError> {
        self.send_json_with(command, args, Some(approver)).await
    }

    async fn send_json_with(
        &mut self,
        command: &str,
        args: &serde_json::Value,
        approver: Option<&dyn Approver>,
    ) -> Result<SessionEnvelope, SessionError> {
        let manifest = Arc::clone(&self.manifest);
        let Backend::Session(spec) = &manifest.backend else {
            unreachable!("a Session always holds a session manifest")
        };
        let call = SessionCommandCall::from_json(spec, command, args, &ParseOptions::DEFAULT)
            .map_err(|source| SessionError::Args {
                tool: manifest.tool.name.to_string(),
                source,
            })?;
        self.send_with(&call, approver).await
    }

    /// Sends one checked command through the gate and returns its answer. The first
    /// call starts the program. Refused, or sent to a closed session: an error, and
    /// nothing is written to the program.
    pub async fn send(
        &mut self,
        call: &SessionCommandCall<'_>,
    ) -> Result<SessionEnvelope, SessionError> {
        self.send_with(call, None).await
    }

    /// [`Session::send`] with `approver` deciding `human_approval` instead of the
    /// runner's own.
    pub async fn send_approved_by(
        &mut self,
        call: &SessionCommandCall<'_>,
        approver: &dyn Approver,
    ) -> Result<SessionEnvelope, SessionError> {
        self.send_with(call, Some(approver)).await
    }

    async fn send_with(
        &mut self,
        call: &SessionCommandCall<'_>,
        approver: Option<&dyn Approver>,
    ) -> Result<SessionEnvelope, SessionError> {
        let tool = self.manifest.tool.name.to_string();
        let cmd = call.command();
        if !self.spec().commands.iter().any(|c| c == cmd) {
            return Err(SessionError::ForeignCommand {
                tool,
                command: cmd.name.to_string(),
            });
        }
        self.reap_expired().await;
        if let Phase::Closed(reason) = &self.phase {
            return Err(SessionError::Closed {
                tool,
                session: self.id.clone(),
                reason: reason.clone(),
            });
        }
        if let Err(refusal) = self.gate(call, approver).await {
            if let Phase::Live(live) = &mut self.phase {
                live.transcript
                    .record(
                        "refused",
                        serde_json::json!({ "command": cmd.name.as_ref(), "text": call.text(), "reasons": refusal.to_json()["errors"] }),
                    )
                    .await;
            }
            return Err(SessionError::Refused(refusal));
        }
        let started = Instant::now();
        let timestamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let mut out = Outcome::new(call, timestamp);
        if matches!(self.phase, Phase::NotStarted) {
            match self.start().await {
                Ok(()) => {}
                Err(Startup::Failed { status, error }) => {
                    out.status = status;
                    out.error = Some(error);
                    // `start` closed the session already.
                    return Ok(self.finish(out, started, None).await);
                }
                Err(Startup::Evidence(e)) => return Err(SessionError::Run(e)),
            }
        }
        let answer = self.interact(call, &mut out).await;
        let closed = answer.err();
        Ok(self.finish(out, started, closed).await)
    }

    /// The gate for one command: scope, risk tier, approval (with the exact text).
    async fn gate(
        &self,
        call: &SessionCommandCall<'_>,
        approver: Option<&dyn Approver>,
    ) -> Result<(), Refusal> {
        let tool = &self.manifest.tool;
        let cmd = call.command();
        let name = command_tool_name(&tool.name, &cmd.name)
            .unwrap_or_else(|_| format!("{}__{}", tool.name, cmd.name));
        let mut reasons = match session_scope_values(call) {
            Ok(checked) => gate::check_scope(&name, &checked, &self.config),
            Err(reason) => vec![reason],
        };
        let tier = tool.risk_tier.max(cmd.risk_tier);
        reasons.extend(gate::check_risk(&name, tier, &self.config));
        if reasons.is_empty() && (tool.human_approval || cmd.human_approval) {
            let argv = [call.text().to_owned()];
            let request = ApprovalRequest {
                tool: &name,
                scan_id: &self.id,
                risk_tier: tier,
                argv: &argv,
                env: &[],
                http: None,
            };
            let approver = approver.unwrap_or(&*self.config.approver);
            reasons.extend(gate::ask_approver(approver, &request).await);
        }
        gate::refusal_of(&name, reasons)
    }

    /// A program the watchdog stopped: reap it, record it, close.
    async fn reap_expired(&mut self) {
        let reason = match &self.phase {
            Phase::Live(live) => live.watch.expired(),
            _ => None,
        };
        if let Some(reason) = reason {
            self.shut(reason, None).await;
        }
    }

    /// Starts the program and waits for the prompt.
    async fn start(&mut self) -> Result<(), Startup> {
        let spec = self.spec().clone();
        tokio::fs::create_dir_all(&self.run_dir)
            .await
            .map_err(|e| evidence_error(&self.run_dir, &e))?;
        let path = self.run_dir.join(format!("{}-session.jsonl", self.id));
        let mut transcript = Transcript::create(path.clone(), self.config.evidence_cap)
            .await
            .map_err(|e| evidence_error(&path, &e))?;
        let argv: Vec<String> = spec.startup_argv.iter().map(|s| s.to_string()).collect();
        transcript
            .record(
                "start",
                serde_json::json!({ "session": self.id, "tool": self.manifest.tool.name.as_ref(), "argv": argv }),
            )
            .await;
        let program = Program::spawn(ProgramSpec {
            argv,
            env: self.env.clone(),
            cwd: self.config.working_dir.clone(),
        });
        let program = match program {
            Ok(p) => p,
            Err(message) => {
                let error = format!("the session could not start: {message}");
                transcript
                    .record("end", serde_json::json!({ "reason": error }))
                    .await;
                transcript.close(self.config.durable_evidence).await;
                self.phase = Phase::Closed(error.clone());
                return Err(Startup::Failed {
                    status: Status::Error,
                    error,
                });
            }
        };
        let now = Instant::now();
        let watch = Arc::new(Watch {
            busy: AtomicBool::new(true),
            last_activity: Mutex::new(now),
            expired: Mutex::new(None),
            poke: tokio::sync::Notify::new(),
        });
        let pid = program.pid();
        let program = Arc::new(tokio::sync::Mutex::new(program));
        let watchdog = tokio::spawn(watchdog(
            Arc::clone(&watch),
            Arc::clone(&program),
            Duration::from_secs(spec.idle_timeout_seconds),
            now + Duration::from_secs(spec.session_timeout_seconds),
            spec.session_timeout_seconds,
            self.config.effective_grace(),
        ));
        transcript
            .record("spawned", serde_json::json!({ "pid": pid }))
            .await;
        self.phase = Phase::Live(Box::new(Live {
            program,
            pid,
            transcript,
            watch,
            watchdog,
            started: now,
        }));
        let mut screen = Screen::new(
            spec.interaction
                .output_max_bytes
                .try_into()
                .unwrap_or(usize::MAX),
        );
        let deadline = now + Duration::from_secs(spec.startup_timeout_seconds);
        let mut raw = 0;
        let end = self
            .read_until(&mut screen, deadline, Limit::Startup, None, &mut raw)
            .await;
        let answer = match &end {
            End::Prompt(_) => screen.finish(true),
            _ => screen.finish(false),
        };
        let banner: String = answer.text.chars().take(BANNER_QUOTE).collect();
        let (status, error) = match end {
            End::Prompt(prompt) => {
                if let Phase::Live(live) = &mut self.phase {
                    live.transcript
                        .record(
                            "ready",
                            serde_json::json!({ "prompt": prompt, "output": answer.text, "output_truncated": answer.truncated }),
                        )
                        .await;
                    live.watch.touch(false);
                }
                return Ok(());
            }
            End::Exited(s) => (
                Status::Error,
                format!(
                    "the session program ended during startup ({}) before its prompt appeared; it printed: {banner:?}",
                    exit_text(s.as_ref())
                ),
            ),
            End::Deadline(_) | End::Silence => (
                Status::Timeout,
                format!(
                    "the prompt (ready_pattern '{}') did not appear within startup_timeout_seconds ({} s); the program was stopped; it printed: {banner:?}",
                    spec.ready_pattern.as_str(),
                    spec.startup_timeout_seconds
                ),
            ),
        };
        let reason = self.expired_reason().unwrap_or_else(|| error.clone());
        self.shut(reason, None).await;
        Err(Startup::Failed { status, error })
    }

    fn expired_reason(&self) -> Option<String> {
        match &self.phase {
            Phase::Live(live) => live.watch.expired(),
            _ => None,
        }
    }

    /// Writes the command and reads its answer into `out`. `Err(reason)` when the
    /// session was closed by it.
    async fn interact(
        &mut self,
        call: &SessionCommandCall<'_>,
        out: &mut Outcome,
    ) -> Result<(), String> {
        let spec = self.spec().clone();
        let timeout = Duration::from_secs(self.manifest.tool.timeout_seconds.max(1));
        let Phase::Live(live) = &mut self.phase else {
            return Err("the session is not running".to_owned());
        };
        live.watch.touch(true);
        // Output the program wrote after the last prompt belongs to no command.
        let mut buf = vec![0u8; 8192];
        let mut stray = Vec::new();
        let mut program = live.program.lock().await;
        while let Some(n) = program.read_ready(&mut buf).await {
            stray.extend_from_slice(&buf[..n]);
            if stray.len() > 64 * 1024 {
                break;
            }
        }
        if !stray.is_empty() {
            let mut s = Screen::new(64 * 1024);
            s.feed(&stray);
            let text = s.finish(false).text;
            live.transcript
                .record("unsolicited", serde_json::json!({ "output": text }))
                .await;
        }
        self.interactions += 1;
        out.interaction = self.interactions;
        let text = call.text();
        live.transcript
            .record(
                "command",
                serde_json::json!({ "interaction": self.interactions, "command": call.command().name.as_ref(), "text": text }),
            )
            .await;
        let written = program.write_line(text).await;
        drop(program);
        if let Err(e) = written {
            let reason = format!("writing the command to the session failed: {e}");
            out.error = Some(reason.clone());
            return Err(reason);
        }
        let session_deadline = live.started + Duration::from_secs(spec.session_timeout_seconds);
        let command_deadline = Instant::now() + timeout;
        let (deadline, limit) = if session_deadline < command_deadline {
            (session_deadline, Limit::Session)
        } else {
            (command_deadline, Limit::Interaction)
        };
        let cap = usize::try_from(spec.interaction.output_max_bytes).unwrap_or(usize::MAX);
        // Room for the echo, which is removed before the cap applies.
        let mut screen = Screen::new(cap.saturating_add(text.len() + 1));
        let silence = Duration::from_millis(spec.interaction.output_wait_ms.max(1));
        let mut raw = 0u64;
        let end = self
            .read_until(&mut screen, deadline, limit, Some(silence), &mut raw)
            .await;
        let answer = screen
            .finish(matches!(end, End::Prompt(_)))
            .without_echo(text)
            .capped(cap);
        out.raw_bytes = raw;
        out.output_bytes = answer.total;
        out.truncated = answer.truncated;
        out.output = answer.text;
        let expired = self.expired_reason();
        let closed = match end {
            End::Prompt(prompt) => {
                out.prompt = Some(prompt);
                out.status = Status::Success;
                None
            }
            End::Exited(status) => {
                out.exit_code = status.and_then(|s| s.code());
                let reason = expired.clone().unwrap_or_else(|| {
                    format!("the session program ended ({})", exit_text(status.as_ref()))
                });
                out.status = if expired.is_some() {
                    Status::Timeout
                } else {
                    Status::Error
                };
                out.error = Some(reason.clone());
                Some(reason)
            }
            End::Deadline(Limit::Session) => {
                out.status = Status::Timeout;
                let reason = session_timeout_text(spec.session_timeout_seconds);
                out.error = Some(reason.clone());
                Some(reason)
            }
            End::Deadline(_) => {
                out.status = Status::Timeout;
                let reason = format!(
                    "the prompt did not come back within timeout_seconds ({} s) of the command; the program was stopped",
                    timeout.as_secs()
                );
                out.error = Some(reason.clone());
                Some(reason)
            }
            End::Silence => {
                out.status = Status::Timeout;
                let reason = format!(
                    "the prompt did not come back and the program printed nothing for output_wait_ms ({} ms); the session was closed, since the next command's answer could not be told from this one's",
                    spec.interaction.output_wait_ms
                );
                out.error = Some(reason.clone());
                Some(reason)
            }
        };
        if let Phase::Live(live) = &mut self.phase {
            live.transcript
                .record(
                    "answer",
                    serde_json::json!({
                        "interaction": self.interactions,
                        "prompt": out.prompt,
                        "output": out.output,
                        "output_bytes": out.output_bytes,
                        "output_truncated": out.truncated,
                        "terminal_bytes": raw,
                        "error": out.error,
                    }),
                )
                .await;
            live.watch.touch(false);
        }
        match closed {
            Some(reason) => Err(reason),
            None if self.interactions >= spec.max_interactions => Err(format!(
                "max_interactions ({}) reached; the program was stopped",
                spec.max_interactions
            )),
            None => Ok(()),
        }
    }

    /// Reads until the prompt, the program's end, the deadline or (with `silence`)
    /// that much time without output.
    async fn read_until(
        &mut self,
        screen: &mut Screen,
        deadline: Instant,
        limit: Limit,
        silence: Option<Duration>,
        raw: &mut u64,
    ) -> End {
        let ready = self.spec().ready_pattern.clone();
        let Phase::Live(live) = &mut self.phase else {
            return End::Exited(None);
        };
        let mut program = live.program.lock().await;
        let mut buf = vec![0u8; 8192];
        let deadline = tokio::time::Instant::from_std(deadline);
        loop {
            let quiet = silence.map(|s| tokio::time::Instant::now() + s);
            tokio::select! {
                event = program.next(&mut buf) => match event {
                    program::Event::Bytes(n) => {
                        *raw += n as u64;
                        screen.feed(&buf[..n]);
                        if let Some(p) = screen.prompt(&ready) {
                            return End::Prompt(p.to_owned());
                        }
                    }
                    program::Event::Ended(status) => return End::Exited(status),
                },
                _ = tokio::time::sleep_until(deadline) => return End::Deadline(limit),
                _ = sleep_opt(quiet) => return End::Silence,
            }
        }
    }

    /// Builds the envelope; closes the session when `closed` says why.
    async fn finish(
        &mut self,
        mut out: Outcome,
        started: Instant,
        closed: Option<String>,
    ) -> SessionEnvelope {
        if let Some(reason) = closed {
            self.shut(reason, out.exit_code).await;
        }
        let mut results = None;
        if out.status == Status::Success {
            let format = self
                .manifest
                .output
                .as_ref()
                .map_or(cladgen_core::model::OutputFormat::Text, |o| o.format);
            let parsed = if out.truncated && format != cladgen_core::model::OutputFormat::Text {
                Err(format!(
                    "the answer ({} bytes) is longer than output_max_bytes, so its {} cannot be parsed",
                    out.output_bytes,
                    format.as_str()
                ))
            } else {
                crate::parse_output(format, out.output.as_bytes()).map_err(|e| e.to_string())
            };
            match parsed.and_then(|v| match &self.validator {
                Some(val) => crate::schema_mismatch(val, &v).map(|()| v),
                None => Ok(v),
            }) {
                Ok(v) => results = Some(v),
                Err(message) => {
                    out.status = Status::Error;
                    out.error = Some(message);
                }
            }
        }
        let (output_file, output_hash, output_file_truncated, evidence_error) = match &self.phase {
            Phase::Live(live) => (
                Some(live.transcript.path().to_string_lossy().into_owned()),
                Some(live.transcript.hash()),
                live.transcript.truncated(),
                live.transcript.error().map(str::to_owned),
            ),
            _ => match &self.last_transcript {
                Some((p, h, t)) => (Some(p.clone()), Some(h.clone()), *t, None),
                None => (None, None, false, None),
            },
        };
        if let Some(e) = evidence_error
            && out.status == Status::Success
        {
            out.status = Status::Error;
            out.error = Some(e);
            results = None;
        }
        let (state, closed_reason) = match &self.phase {
            Phase::Closed(r) => (SessionState::Closed, Some(r.clone())),
            _ => (SessionState::Open, None),
        };
        let output = if results.is_some() {
            None
        } else {
            Some(std::mem::take(&mut out.output))
        };
        SessionEnvelope {
            envelope: Envelope {
                status: out.status,
                scan_id: self.id.clone(),
                tool: self.manifest.tool.name.to_string(),
                command: out.text,
                exit_code: out.exit_code,
                stderr: String::new(),
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                timestamp: out.timestamp,
                output_file,
                output_hash,
                results,
                error: out.error,
                stdout_bytes: out.raw_bytes,
                stdout_truncated: out.truncated,
                stderr_bytes: 0,
                stderr_truncated: false,
                output_file_truncated,
            },
            session: SessionReport {
                id: self.id.clone(),
                command: out.command,
                interaction: out.interaction,
                max_interactions: self.spec().max_interactions,
                prompt: out.prompt,
                output,
                output_bytes: out.output_bytes,
                state,
                closed_reason,
            },
        }
    }

    /// Stops the program (if it runs), records the end, closes the session.
    async fn shut(&mut self, reason: String, exit_code: Option<i32>) {
        let phase = std::mem::replace(&mut self.phase, Phase::Closed(reason.clone()));
        if let Phase::Live(mut live) = phase {
            live.watchdog.abort();
            let status = live
                .program
                .lock()
                .await
                .stop(self.config.effective_grace())
                .await;
            let code = exit_code.or_else(|| status.and_then(|s| s.code()));
            live.transcript
                .record(
                    "end",
                    serde_json::json!({ "reason": reason, "exit_code": code, "interactions": self.interactions }),
                )
                .await;
            live.transcript.close(self.config.durable_evidence).await;
            self.last_transcript = Some((
                live.transcript.path().to_string_lossy().into_owned(),
                live.transcript.hash(),
                live.transcript.truncated(),
            ));
        }
    }

    /// Stops the program (SIGTERM to its group, the grace period, SIGKILL), records
    /// the end in the transcript and closes the session. Idempotent.
    pub async fn close(&mut self) {
        if !matches!(self.phase, Phase::Closed(_)) {
            self.shut("closed by the host".to_owned(), None).await;
        }
    }
}

enum Startup {
    Failed { status: Status, error: String },
    Evidence(RunError),
}

impl From<RunError> for Startup {
    fn from(e: RunError) -> Self {
        Startup::Evidence(e)
    }
}

fn evidence_error(path: &std::path::Path, e: &std::io::Error) -> Startup {
    Startup::Evidence(RunError::Evidence {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// What one command produced, gathered for its envelope.
struct Outcome {
    status: Status,
    command: String,
    text: String,
    timestamp: String,
    interaction: u64,
    exit_code: Option<i32>,
    prompt: Option<String>,
    output: String,
    output_bytes: u64,
    raw_bytes: u64,
    truncated: bool,
    error: Option<String>,
}

impl Outcome {
    fn new(call: &SessionCommandCall<'_>, timestamp: String) -> Self {
        Outcome {
            status: Status::Error,
            command: call.command().name.to_string(),
            text: call.text().to_owned(),
            timestamp,
            interaction: 0,
            exit_code: None,
            prompt: None,
            output: String::new(),
            output_bytes: 0,
            raw_bytes: 0,
            truncated: false,
            error: None,
        }
    }
}

async fn sleep_opt(until: Option<tokio::time::Instant>) {
    match until {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

fn exit_text(status: Option<&ExitStatus>) -> String {
    match status {
        None => "its status could not be read".to_owned(),
        Some(s) => match s.code() {
            Some(c) => format!("exit code {c}"),
            None => crate::signal_message(s),
        },
    }
}

fn session_timeout_text(secs: u64) -> String {
    format!("session_timeout_seconds ({secs} s) passed; the program was stopped")
}

/// Stops the program when the session has been idle for `idle` (no command being
/// answered) or has run until `session_deadline`.
async fn watchdog(
    watch: Arc<Watch>,
    program: Arc<tokio::sync::Mutex<Program>>,
    idle: Duration,
    session_deadline: Instant,
    session_secs: u64,
    grace: Duration,
) {
    loop {
        let now = Instant::now();
        let busy = watch.busy.load(Ordering::SeqCst);
        let last = *watch
            .last_activity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let idle_deadline = (!busy).then(|| last + idle);
        let expired = if now >= session_deadline {
            Some(session_timeout_text(session_secs))
        } else {
            idle_deadline.filter(|d| now >= *d).map(|_| {
                format!(
                    "idle_timeout_seconds ({} s) passed without a command; the program was stopped",
                    idle.as_secs()
                )
            })
        };
        if let Some(reason) = expired {
            *watch
                .expired
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
            program.lock().await.stop(grace).await;
            return;
        }
        let next = idle_deadline.map_or(session_deadline, |d| d.min(session_deadline));
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(next)) => {}
            _ = watch.poke.notified() => {}
        }
    }
}
