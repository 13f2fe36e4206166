//! Errors of the generated tool registry (`Tools::from_call`).

use crate::ArgErrors;

/// Why a call by name could not be turned into typed arguments.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No tool of that name is in the registry.
    #[error("unknown tool '{name}'; known tools are: {}", known.join(", "))]
    UnknownTool {
        /// The name that was called.
        name: String,
        /// Every tool name in the registry.
        known: &'static [&'static str],
    },
    /// The tool exists but its arguments are invalid.
    #[error("invalid arguments for tool '{tool}': {errors}")]
    Args {
        /// The tool name.
        tool: &'static str,
        /// Every invalid argument.
        errors: ArgErrors,
    },
}

impl CallError {
    /// A compact rendering meant for an LLM to correct its call.
    pub fn for_llm(&self) -> String {
        match self {
            CallError::UnknownTool { .. } => self.to_string(),
            CallError::Args { tool, errors } => format!("tool '{tool}': {}", errors.for_llm()),
        }
    }
}

/// Implemented by a generated `Tools` registry: the calls of a whole manifest set,
/// for a host that is generic over sets (`cladgen_serve::ToolSet::from_tools`) or
/// runs a call by name ([`Registry::run_call`], feature `run`).
///
/// The registry's inherent `Tools::from_call`, `Tools::NAMES` and `Tools::plan` are the
/// same functions; the trait adds what a generic host needs: every checked manifest
/// ([`Registry::MANIFESTS`]) and, per call, its manifest and validated values.
pub trait Registry: Sized {
    /// Every tool name an LLM may call, in order (session and browser commands as
    /// `<tool>__<command>`).
    const NAMES: &'static [&'static str];
    /// The checked manifests of the set, in order.
    const MANIFESTS: &'static [&'static crate::Manifest];

    /// Validates a call by tool name, reporting every argument error at once.
    fn from_call(name: &str, args: &serde_json::Value) -> Result<Self, CallError>;

    /// The call as an object-safe [`Tool`](crate::Tool) (generated: one arm per tool).
    #[doc(hidden)]
    fn tool(&self) -> &(dyn crate::__private::DynTool + Send + Sync);

    /// The checked manifest of this call's tool.
    fn manifest(&self) -> &'static crate::Manifest {
        self.tool().manifest()
    }

    /// The LLM tool name of this call.
    fn tool_name(&self) -> &'static str {
        self.tool().tool_name()
    }

    /// The validated argument values, as [`Tool::values`](crate::Tool::values).
    fn values(&self) -> Vec<Option<crate::value::Value>> {
        self.tool().values()
    }

    /// Runs this call through `runner` (feature `run`): the gate, the process, the
    /// evidence envelope. See [`Tool::run`](crate::Tool::run).
    #[cfg(feature = "run")]
    fn run<'a>(
        &'a self,
        runner: &'a crate::run::Runner,
        secrets: &'a (dyn crate::SecretResolver + Sync),
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Sync,
    {
        async move {
            let cancel = crate::run::CancellationToken::new();
            crate::running::run(self.tool(), runner, secrets, &cancel, None).await
        }
    }

    /// [`Registry::run`], stopped when `cancel` fires (the process group is killed).
    #[cfg(feature = "run")]
    fn run_until<'a>(
        &'a self,
        runner: &'a crate::run::Runner,
        secrets: &'a (dyn crate::SecretResolver + Sync),
        cancel: &'a crate::run::CancellationToken,
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Sync,
    {
        crate::running::run(self.tool(), runner, secrets, cancel, None)
    }

    /// [`Registry::run_until`] with `approver` deciding `human_approval` instead of
    /// the runner's own (an MCP server asks the client that sent the call).
    #[cfg(feature = "run")]
    fn run_approved_by<'a>(
        &'a self,
        runner: &'a crate::run::Runner,
        secrets: &'a (dyn crate::SecretResolver + Sync),
        cancel: &'a crate::run::CancellationToken,
        approver: &'a dyn crate::run::Approver,
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Sync,
    {
        crate::running::run(self.tool(), runner, secrets, cancel, Some(approver))
    }

    /// [`Registry::run`] for a host without a tokio runtime (see
    /// [`Tool::run_blocking`](crate::Tool::run_blocking)).
    #[cfg(feature = "run")]
    fn run_blocking(
        &self,
        runner: &crate::run::Runner,
        secrets: &(dyn crate::SecretResolver + Sync),
    ) -> Result<crate::run::Envelope, crate::run::RunError> {
        crate::running::run_blocking(self.tool(), runner, secrets)
    }

    /// Validates a call of tool `name` with JSON arguments `args` and runs it: the
    /// whole path from an LLM's tool call to the evidence envelope. Every failure is
    /// one [`RunError`](crate::run::RunError) (an unknown tool, every invalid
    /// argument, a refusal, a backend that does not run yet), with `for_llm()` and
    /// `to_json()`; a tool that ran and failed is an envelope.
    #[cfg(feature = "run")]
    fn run_call<'a>(
        runner: &'a crate::run::Runner,
        name: &'a str,
        args: &'a serde_json::Value,
        secrets: &'a (dyn crate::SecretResolver + Sync),
    ) -> impl Future<Output = Result<crate::run::Envelope, crate::run::RunError>> + Send + 'a
    where
        Self: Send + Sync,
    {
        async move {
            let call = Self::from_call(name, args)?;
            call.run(runner, secrets).await
        }
    }
}

/// An unknown tool or invalid arguments, as the runner's error: a host handles every
/// failure of a call by name as one [`RunError`](crate::run::RunError).
#[cfg(feature = "run")]
impl From<CallError> for crate::run::RunError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::UnknownTool { name, known } => crate::run::RunError::UnknownTool {
                name,
                known: known.iter().map(|k| (*k).to_owned()).collect(),
            },
            CallError::Args { tool, errors } => crate::run::RunError::Args {
                tool: tool.to_owned(),
                errors,
            },
        }
    }
}
