//! The [`Tool`] trait: what every generated tool type knows about its tool.

use crate::model::{Cedar, Manifest, RiskTier};
use crate::{CallError, ExecContext, Flavor, InvokeError, Plan, SecretResolver};

/// Implemented by the type an LLM's call of a tool lands in: the arguments struct of a
/// command, HTTP, MCP, source or callback tool, the command enum of a session or
/// browser tool (whose LLM tool names are `<tool>__<command>`).
///
/// Everything a host needs is here, so a host can be generic over tools: validate a
/// call ([`Tool::from_call`]), read the checked manifest ([`Tool::MANIFEST`]), decide
/// what running it means ([`Tool::plan`]) and list the definitions an LLM sees.
pub trait Tool: Sized {
    /// The checked manifest of the tool.
    const MANIFEST: &'static Manifest;
    /// The LLM tool names this type answers: the tool name, or one
    /// `<tool>__<command>` per command of a session or browser tool.
    const TOOL_NAMES: &'static [&'static str];

    /// Validates a call of LLM tool `name` with JSON arguments `args`, reporting every
    /// bad argument at once. Unknown fields are refused; `null` means absent (OpenAI
    /// strict mode).
    fn from_call(name: &str, args: &serde_json::Value) -> Result<Self, CallError>;

    /// Validates a call of LLM tool `name` given as JSON text: like
    /// [`Tool::from_call`], and a key given twice in any object of the call is refused
    /// ([`crate::Rule::DuplicateKey`]), where a parsed `serde_json::Value` would
    /// silently keep the last copy.
    fn from_call_str(name: &str, text: &str) -> Result<Self, CallError> {
        match crate::value::parse_call_json(text) {
            Ok(args) => Self::from_call(name, &args),
            Err(errors) => Err(CallError::Args {
                tool: Self::TOOL_NAMES
                    .iter()
                    .copied()
                    .find(|n| *n == name)
                    .unwrap_or_else(Self::name),
                errors,
            }),
        }
    }

    /// The LLM tool name of this call (one of [`Self::TOOL_NAMES`]; the only one of a
    /// one-shot tool).
    fn tool_name(&self) -> &'static str {
        Self::TOOL_NAMES.first().copied().unwrap_or_default()
    }

    /// The arguments of the call as a JSON object (absent optional arguments omitted).
    fn to_json(&self) -> serde_json::Value;

    /// What running this call means for the tool's backend: the same [`Plan`] the
    /// dynamic path builds from the manifest.
    fn plan(&self, ctx: &ExecContext, secrets: &dyn SecretResolver) -> Result<Plan, InvokeError>;

    /// The validated argument values as the runner reads them, built from the typed
    /// fields (no JSON round trip), indexed like the list that declares them:
    /// `MANIFEST.args` for a one-shot tool (absent optional arguments `None`,
    /// defaults applied), the command's `args` for a session or browser command.
    fn values(&self) -> Vec<Option<crate::value::Value>>;

    /// Runs this call (feature `run`): the runner's gate (scope, risk tier,
    /// approval), the process, the parsed output and the evidence envelope. A tool
    /// that ran and failed is an envelope with status `error` or `timeout`; a call
    /// that did not run is a [`RunError`](crate::run::RunError): refused, or a
    /// backend that does not run yet (`[http]`, `[mcp]`, session and browser tools:
    /// "not supported yet"; callback and `[source]` tools are the host's to run).
    #[cfg(feature = "run")]
    fn run<'a>(
        &'a self,
        runner: &'a crate::run::Runner,
        secrets: &'a (dyn SecretResolver + Sync),
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Send + Sync,
    {
        async move {
            let cancel = crate::run::CancellationToken::new();
            crate::running::run(self, runner, secrets, &cancel, None).await
        }
    }

    /// [`Tool::run`], stopped when `cancel` fires: SIGTERM to the process group, the
    /// grace period, SIGKILL; the envelope says it was cancelled.
    #[cfg(feature = "run")]
    fn run_until<'a>(
        &'a self,
        runner: &'a crate::run::Runner,
        secrets: &'a (dyn SecretResolver + Sync),
        cancel: &'a crate::run::CancellationToken,
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Send + Sync,
    {
        crate::running::run(self, runner, secrets, cancel, None)
    }

    /// [`Tool::run`] for a host without a tokio runtime: on a new current-thread
    /// runtime (refused on a runtime thread, `RunError::InsideRuntime`).
    #[cfg(feature = "run")]
    fn run_blocking(
        &self,
        runner: &crate::run::Runner,
        secrets: &(dyn SecretResolver + Sync),
    ) -> Result<crate::run::Envelope, crate::run::RunError>
    where
        Self: Send + Sync,
    {
        crate::running::run_blocking(self, runner, secrets)
    }

    /// The tool definitions of one flavour (what an MCP `tools/list` returns for it),
    /// built from [`Self::MANIFEST`] on first use.
    fn definitions(flavor: Flavor) -> &'static [serde_json::Value];

    /// Tool name (also the MCP tool name of a one-shot tool).
    fn name() -> &'static str {
        &Self::MANIFEST.tool.name
    }

    /// Manifest version.
    fn version() -> &'static str {
        &Self::MANIFEST.tool.version
    }

    /// Description shown to the LLM.
    fn description() -> &'static str {
        &Self::MANIFEST.tool.description
    }

    /// Risk tier of the tool.
    fn risk_tier() -> RiskTier {
        Self::MANIFEST.tool.risk_tier
    }

    /// Whether each call needs a human's approval.
    fn human_approval() -> bool {
        Self::MANIFEST.tool.human_approval
    }

    /// `[tool.cedar]`, if declared.
    fn cedar() -> Option<&'static Cedar> {
        Self::MANIFEST.tool.cedar.as_ref()
    }

    /// The timeout (`timeout_seconds`, at least 1).
    fn timeout() -> std::time::Duration {
        std::time::Duration::from_secs(Self::MANIFEST.tool.timeout_seconds)
    }
}
