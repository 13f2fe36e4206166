//! [`RunConfig`]: everything the host decides about a run, with documented defaults.

use cladgen_core::model::RiskTier;
use cladgen_core::scope::Scope;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Default cap on the stdout bytes kept in memory for parsing: 8 MiB.
pub const DEFAULT_OUTPUT_CAP: usize = 8 * 1024 * 1024;
/// Default cap on the stderr bytes kept for the envelope: 64 KiB (an LLM reads it).
pub const DEFAULT_STDERR_CAP: usize = 64 * 1024;
/// Default cap on the stdout bytes written to the evidence file: 256 MiB.
pub const DEFAULT_EVIDENCE_CAP: u64 = 256 * 1024 * 1024;
/// Default time between SIGTERM and SIGKILL to the process group: 2 s.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);
/// The longest grace period a configuration may set: 5 s.
pub const MAX_GRACE: Duration = Duration::from_secs(5);
/// Environment variables a tool inherits by default; a trailing `*` is a prefix.
pub const DEFAULT_ENV_ALLOW: [&str; 6] = ["PATH", "HOME", "LANG", "LC_*", "TZ", "TMPDIR"];

/// The host's configuration of the runner.
///
/// Defaults ([`RunConfig::default`]):
///
/// | field | default |
/// |---|---|
/// | `scope` | none: a tool with a scope-checked argument is refused |
/// | `approver` | [`DenyAll`]: a `human_approval` tool is refused |
/// | `evidence_dir` | `<temp dir>/cladgen-evidence` |
/// | `scan_ids` | [`ScanIdSource::Generated`]: `<unix seconds>-<8 random hex digits>` |
/// | `output_cap` | [`DEFAULT_OUTPUT_CAP`] (8 MiB of stdout in memory) |
/// | `stderr_cap` | [`DEFAULT_STDERR_CAP`] (64 KiB of stderr in the envelope) |
/// | `evidence_cap` | [`DEFAULT_EVIDENCE_CAP`] (256 MiB of stdout in the evidence file) |
/// | `grace` | [`DEFAULT_GRACE`] (2 s; at most [`MAX_GRACE`]) |
/// | `env_allow` | [`DEFAULT_ENV_ALLOW`] |
/// | `env_set` | none |
/// | `working_dir` | none: the host process's current directory |
/// | `allowed_parsers` | none: every `custom:<path>` parser is refused |
/// | `max_risk` | none: every tier may run |
#[derive(Clone)]
pub struct RunConfig {
    /// The project scope every scope-checked argument must be inside.
    pub scope: Option<Arc<Scope>>,
    /// Who decides on `human_approval = true` tools.
    pub approver: Arc<dyn Approver>,
    /// The `{evidence_dir}` of every run; each run writes below it.
    pub evidence_dir: PathBuf,
    /// Where scan ids come from.
    pub scan_ids: ScanIdSource,
    /// Stdout bytes kept in memory (for the parser and `raw_output`); the tool may
    /// write more: the rest is counted and, up to `evidence_cap`, written to the
    /// evidence file.
    pub output_cap: usize,
    /// Stderr bytes kept for the envelope's `stderr`; the rest is counted.
    pub stderr_cap: usize,
    /// Stdout bytes written to the evidence file.
    pub evidence_cap: u64,
    /// Time between SIGTERM and SIGKILL when a run is stopped.
    pub grace: Duration,
    /// Names of parent environment variables the tool inherits; `NAME*` is a prefix.
    pub env_allow: Vec<String>,
    /// Variables set for every tool (after the inherited ones, before `TOOLCLAD_*`).
    pub env_set: Vec<(String, String)>,
    /// The tool's working directory; `None` keeps the host's.
    pub working_dir: Option<PathBuf>,
    /// `custom:<path>` parsers the host allows, compared with the path as written.
    pub allowed_parsers: Vec<PathBuf>,
    /// The highest risk tier that may run; `None` for no limit.
    pub max_risk: Option<RiskTier>,
    /// Wait for each evidence file to reach the disk (`fsync`) before the envelope is
    /// returned. Off by default: the hash covers the bytes written either way, and an
    /// `fsync` per run costs more than the rest of a short run (docs/benchmarks.md);
    /// turn it on where evidence must survive a power loss.
    pub durable_evidence: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            scope: None,
            approver: Arc::new(DenyAll),
            evidence_dir: std::env::temp_dir().join("cladgen-evidence"),
            scan_ids: ScanIdSource::Generated,
            output_cap: DEFAULT_OUTPUT_CAP,
            stderr_cap: DEFAULT_STDERR_CAP,
            evidence_cap: DEFAULT_EVIDENCE_CAP,
            grace: DEFAULT_GRACE,
            env_allow: DEFAULT_ENV_ALLOW.iter().map(|s| (*s).to_owned()).collect(),
            env_set: Vec::new(),
            working_dir: None,
            allowed_parsers: Vec::new(),
            max_risk: None,
            durable_evidence: false,
        }
    }
}

impl fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `env_set` values may be credentials the host hands to tools on purpose.
        let env_set: Vec<&str> = self.env_set.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("RunConfig")
            .field("scope", &self.scope.is_some())
            .field("evidence_dir", &self.evidence_dir)
            .field("scan_ids", &self.scan_ids)
            .field("output_cap", &self.output_cap)
            .field("stderr_cap", &self.stderr_cap)
            .field("evidence_cap", &self.evidence_cap)
            .field("grace", &self.grace)
            .field("env_allow", &self.env_allow)
            .field("env_set (names)", &env_set)
            .field("working_dir", &self.working_dir)
            .field("allowed_parsers", &self.allowed_parsers)
            .field("max_risk", &self.max_risk)
            .field("durable_evidence", &self.durable_evidence)
            .finish_non_exhaustive()
    }
}

impl RunConfig {
    /// Sets [`durable_evidence`](Self::durable_evidence).
    #[must_use]
    pub fn with_durable_evidence(mut self, durable: bool) -> Self {
        self.durable_evidence = durable;
        self
    }

    /// Sets the project scope.
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(Arc::new(scope));
        self
    }

    /// Sets the approver.
    #[must_use]
    pub fn with_approver(mut self, approver: impl Approver + 'static) -> Self {
        self.approver = Arc::new(approver);
        self
    }

    /// Sets the evidence directory.
    #[must_use]
    pub fn with_evidence_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.evidence_dir = dir.into();
        self
    }

    /// Uses this scan id for every run (a caller that sets the id owns its
    /// uniqueness: evidence files are never overwritten, so a reused id fails).
    #[must_use]
    pub fn with_scan_id(mut self, id: impl Into<String>) -> Self {
        self.scan_ids = ScanIdSource::Fixed(id.into());
        self
    }

    /// Sets the grace period (clamped to [`MAX_GRACE`]).
    #[must_use]
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace.min(MAX_GRACE);
        self
    }

    /// Lets tools inherit one more parent variable (`NAME`, or `PREFIX*`).
    #[must_use]
    pub fn allow_env(mut self, name: impl Into<String>) -> Self {
        self.env_allow.push(name.into());
        self
    }

    /// Sets the highest risk tier that may run.
    #[must_use]
    pub fn with_max_risk(mut self, tier: RiskTier) -> Self {
        self.max_risk = Some(tier);
        self
    }

    /// Allows a `custom:<path>` parser.
    #[must_use]
    pub fn allow_parser(mut self, path: impl Into<PathBuf>) -> Self {
        self.allowed_parsers.push(path.into());
        self
    }

    /// Whether parent variable `name` is on the allow-list.
    pub fn env_allowed(&self, name: &str) -> bool {
        self.env_allow.iter().any(|a| match a.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => a == name,
        })
    }

    /// The grace period actually used ([`RunConfig::grace`], at most [`MAX_GRACE`]).
    pub fn effective_grace(&self) -> Duration {
        self.grace.min(MAX_GRACE)
    }
}

/// Where each run's scan id comes from.
#[derive(Clone)]
pub enum ScanIdSource {
    /// `<unix seconds>-<8 random hex digits>`, new for every run.
    Generated,
    /// The same id for every run (e.g. `cladgen run --scan-id`).
    Fixed(String),
    /// The host's own generator.
    Custom(Arc<dyn Fn() -> String + Send + Sync>),
}

impl fmt::Debug for ScanIdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanIdSource::Generated => f.write_str("Generated"),
            ScanIdSource::Fixed(id) => f.debug_tuple("Fixed").field(id).finish(),
            ScanIdSource::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl ScanIdSource {
    /// The next scan id.
    pub fn next_id(&self) -> String {
        match self {
            ScanIdSource::Generated => generated_scan_id(),
            ScanIdSource::Fixed(id) => id.clone(),
            ScanIdSource::Custom(f) => f(),
        }
    }
}

fn generated_scan_id() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: a process-wide counter mixed with the pid still keeps ids
        // of one host distinct.
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes = (n ^ std::process::id().rotate_left(16)).to_be_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{secs}-{hex}")
}

/// Whether `id` can be a scan id: 1-128 ASCII letters, digits, `.`, `_`, `-`,
/// starting with a letter or digit (it becomes part of evidence paths).
pub fn is_valid_scan_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.as_bytes()[0].is_ascii_alphanumeric()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What an [`Approver`] is asked.
#[derive(Clone, Debug)]
pub struct ApprovalRequest<'a> {
    /// Tool name.
    pub tool: &'a str,
    /// The run's scan id.
    pub scan_id: &'a str,
    /// The tool's risk tier.
    pub risk_tier: RiskTier,
    /// Exactly what would run: the argv, or the executor program.
    pub argv: &'a [String],
    /// The executor's `TOOLCLAD_*` variables (empty for argv commands).
    pub env: &'a [(String, String)],
    /// For an `[http]` tool, the request (its `Display` shows method, URL, headers
    /// and body with every secret as `<secret:NAME>`); `argv` is then the method and
    /// the redacted URL.
    pub http: Option<&'a cladgen_core::invoke::HttpRequest>,
}

/// An [`Approver`]'s answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Run it.
    Approved,
    /// Do not run it; the reason is shown to the caller.
    Denied(String),
}

/// A boxed future, as the [`Approver`] trait returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decides on every call of a `human_approval = true` tool, before anything runs.
///
/// Asynchronous, so a host can wait for a person (a terminal prompt, an MCP
/// elicitation) without blocking the runtime. The request shows the exact argv.
pub trait Approver: Send + Sync {
    /// Approves or denies one call.
    fn approve<'a>(&'a self, request: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval>;
}

/// The default approver: denies every call.
#[derive(Clone, Copy, Debug, Default)]
pub struct DenyAll;

impl Approver for DenyAll {
    fn approve<'a>(&'a self, _: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        Box::pin(std::future::ready(Approval::Denied(
            "no approver is configured (the default denies every call of a human_approval tool)"
                .to_owned(),
        )))
    }
}

/// Approves every call (a host that asked beforehand, e.g. `cladgen run --approve`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ApproveAll;

impl Approver for ApproveAll {
    fn approve<'a>(&'a self, _: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        Box::pin(std::future::ready(Approval::Approved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_allow_list_matches_names_and_prefixes() {
        let c = RunConfig::default();
        for ok in ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR"] {
            assert!(c.env_allowed(ok), "{ok}");
        }
        for no in ["OPENAI_API_KEY", "PATHX", "LCX", "AWS_SECRET_ACCESS_KEY"] {
            assert!(!c.env_allowed(no), "{no}");
        }
        assert!(c.allow_env("MY_*").env_allowed("MY_TOOL_HOME"));
    }

    #[test]
    fn generated_scan_ids_are_valid_and_distinct() {
        let a = ScanIdSource::Generated.next_id();
        let b = ScanIdSource::Generated.next_id();
        assert!(is_valid_scan_id(&a), "{a}");
        assert_ne!(a, b);
        for bad in ["", "..", "a/b", ".hidden", "a b", &"x".repeat(129)] {
            assert!(!is_valid_scan_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn grace_is_capped() {
        let c = RunConfig::default().with_grace(Duration::from_secs(60));
        assert_eq!(c.effective_grace(), MAX_GRACE);
        assert!(DEFAULT_GRACE <= MAX_GRACE);
    }
}
