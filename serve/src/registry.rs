//! Serving compiled tools (feature `registry`): a generated `Tools` registry behind
//! the same handler as a folder of manifests, its calls validated and run by the
//! generated code (`cladgen::Registry`), so user types (`Builder::extern_type`) work
//! as they do in the agent's own code.

use crate::{LoadError, ToolSet};
use cladgen::run::{Approver, BoxFuture, CancellationToken, Envelope, RunError, Runner};
use cladgen::{EnvSecrets, Registry};
use serde_json::Value;

/// A validated call of a compiled tool, ready to run.
pub(crate) trait Prepared: Send + Sync {
    /// Runs the call through `runner` until done or `cancel` fires, `approver`
    /// deciding `human_approval`.
    fn run<'a>(
        &'a self,
        runner: &'a Runner,
        cancel: &'a CancellationToken,
        approver: &'a dyn Approver,
    ) -> BoxFuture<'a, Result<Envelope, RunError>>;
}

impl<R: Registry + Send + Sync> Prepared for R {
    fn run<'a>(
        &'a self,
        runner: &'a Runner,
        cancel: &'a CancellationToken,
        approver: &'a dyn Approver,
    ) -> BoxFuture<'a, Result<Envelope, RunError>> {
        Box::pin(Registry::run_approved_by(
            self,
            runner,
            &EnvSecrets,
            cancel,
            approver,
        ))
    }
}

/// Validates a call of LLM tool `name` with the registry's generated code.
pub(crate) type Parse = fn(&str, &Value) -> Result<Box<dyn Prepared>, RunError>;

fn parse<R: Registry + Send + Sync + 'static>(
    name: &str,
    args: &Value,
) -> Result<Box<dyn Prepared>, RunError> {
    Ok(Box::new(R::from_call(name, args)?))
}

impl ToolSet {
    /// Every tool of a generated registry (`cladgen::include_tools!()`'s `Tools`),
    /// each call validated and run by its generated code (`Registry::run_until`).
    ///
    /// ```ignore
    /// let set = ToolSet::from_tools::<tools::Tools>()?;
    /// McpServer::new(set, Runner::new(RunConfig::default())).serve_stdio_blocking()?;
    /// ```
    pub fn from_tools<R: Registry + Send + Sync + 'static>() -> Result<ToolSet, LoadError> {
        let mut set = ToolSet::default();
        for m in R::MANIFESTS {
            set.insert((*m).clone(), Some(parse::<R>))?;
        }
        if set.is_empty() {
            return Err(LoadError::Empty);
        }
        Ok(set)
    }
}
