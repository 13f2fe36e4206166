//! `[tool]`: metadata and policy.

use super::Str;
use std::borrow::Cow;

/// `[tool]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolMeta {
    /// Tool name (`^[A-Za-z][A-Za-z0-9_]{0,63}$`), also the MCP tool name.
    pub name: Str,
    /// Manifest version string (free form, usually semver).
    pub version: Str,
    /// `binary`: informational; argv\[0\] always comes from the command.
    pub binary: Option<Str>,
    /// Description shown to the LLM.
    pub description: Str,
    /// Execution mode, explicit or inferred from the backend section.
    pub mode: Mode,
    /// `exec` (runs a backend) or `callback` (validator only).
    pub dispatch: Dispatch,
    /// Timeout in seconds, at least 1 (default 30).
    pub timeout_seconds: u64,
    /// Risk tier (default `low`).
    pub risk_tier: RiskTier,
    /// Whether a human must approve each call.
    pub human_approval: bool,
    /// `[tool.cedar]`.
    pub cedar: Option<Cedar>,
    /// `[tool.evidence]`.
    pub evidence: Option<Evidence>,
}

/// `tool.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// One process / request per call (`[command]`, `[http]`, `[mcp]`, `[source]`, callback).
    Oneshot,
    /// An interactive PTY session (`[session]`).
    Session,
    /// A browser session (`[browser]`).
    Browser,
}

impl Mode {
    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Oneshot => "oneshot",
            Mode::Session => "session",
            Mode::Browser => "browser",
        }
    }
}

/// `tool.dispatch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dispatch {
    /// The manifest's backend runs the tool.
    Exec,
    /// The host application runs the tool; the manifest only types the arguments.
    Callback,
}

impl Dispatch {
    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dispatch::Exec => "exec",
            Dispatch::Callback => "callback",
        }
    }
}

/// `tool.risk_tier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskTier {
    /// `info`
    Info,
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl RiskTier {
    /// Every tier, lowest first.
    pub const ALL: [RiskTier; 5] = [
        RiskTier::Info,
        RiskTier::Low,
        RiskTier::Medium,
        RiskTier::High,
        RiskTier::Critical,
    ];

    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            RiskTier::Info => "info",
            RiskTier::Low => "low",
            RiskTier::Medium => "medium",
            RiskTier::High => "high",
            RiskTier::Critical => "critical",
        }
    }

    /// Parses the manifest spelling (exact, lower case).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for RiskTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[tool.cedar]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cedar {
    /// Cedar resource, e.g. `PenTest::ScanTarget`.
    pub resource: Str,
    /// Cedar action, e.g. `execute_tool`.
    pub action: Str,
}

/// `[tool.evidence]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Directory template (`{evidence_dir}`, `{scan_id}` allowed).
    pub output_dir: Str,
    /// Whether output is captured and hashed (default true).
    pub capture: bool,
    /// Hash algorithm name (default `sha256`; only `sha256` is accepted).
    pub hash: Str,
    /// Browser screenshots (spec extension; default false).
    pub screenshots: bool,
}

impl ToolMeta {
    /// The base of the `ToolMeta` literal in generated code: a one-shot `exec` tool
    /// without binary, approval, Cedar or evidence settings, so only what a manifest
    /// sets is written out.
    #[doc(hidden)]
    pub const BASE: ToolMeta = ToolMeta {
        name: Cow::Borrowed(""),
        version: Cow::Borrowed(""),
        binary: None,
        description: Cow::Borrowed(""),
        mode: Mode::Oneshot,
        dispatch: Dispatch::Exec,
        timeout_seconds: 1,
        risk_tier: RiskTier::Low,
        human_approval: false,
        cedar: None,
        evidence: None,
    };
}

impl Cedar {
    /// The coordinates `resource` and `action`.
    pub const fn new(resource: Str, action: Str) -> Self {
        Cedar { resource, action }
    }
}
