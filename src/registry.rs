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
