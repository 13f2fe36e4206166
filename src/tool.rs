//! The [`Tool`] trait: what every generated argument type knows about its tool.

use crate::{ArgErrors, RiskTier};

/// The Cedar policy coordinates of a tool (`[tool.cedar]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CedarRef {
    /// Cedar resource, e.g. `PenTest::ScanTarget`.
    pub resource: &'static str,
    /// Cedar action, e.g. `execute_tool`.
    pub action: &'static str,
}

/// Implemented by the generated arguments type of every tool.
///
/// The constants come straight from the manifest, checked at build time; the schemas
/// are JSON text generated at build time.
pub trait Tool: Sized {
    /// Tool name (also the MCP tool name).
    const NAME: &'static str;
    /// Manifest version.
    const VERSION: &'static str;
    /// Description shown to the LLM.
    const DESCRIPTION: &'static str;
    /// Risk tier.
    const RISK_TIER: RiskTier;
    /// Whether each call needs a human's approval.
    const HUMAN_APPROVAL: bool;
    /// Timeout in seconds (at least 1).
    const TIMEOUT_SECONDS: u64;
    /// `[tool.cedar]`, if declared.
    const CEDAR: Option<CedarRef>;
    /// MCP `inputSchema` (JSON text).
    const INPUT_SCHEMA: &'static str;
    /// MCP `outputSchema` (JSON text), when the tool declares `[output]`.
    const OUTPUT_SCHEMA: Option<&'static str>;

    /// Validates the JSON arguments an LLM sent, reporting every bad argument at once.
    /// Unknown fields are refused; `null` means absent (OpenAI strict mode).
    fn from_json(value: &serde_json::Value) -> Result<Self, ArgErrors>;

    /// Validates a call given as JSON text: like [`Tool::from_json`], and a key given
    /// twice in any object of the call is refused
    /// ([`crate::Rule::DuplicateKey`]), where a parsed `serde_json::Value` would
    /// silently keep the last copy.
    fn from_json_str(text: &str) -> Result<Self, ArgErrors> {
        Self::from_json(&crate::value::parse_call_json(text)?)
    }

    /// The arguments as a JSON object (absent optional arguments omitted).
    fn to_json(&self) -> serde_json::Value;

    /// The timeout as a [`std::time::Duration`].
    fn timeout() -> std::time::Duration {
        std::time::Duration::from_secs(Self::TIMEOUT_SECONDS)
    }
}
