//! Running a generated call (feature `run`): the one function behind
//! [`Tool::run`](crate::Tool::run) and [`Registry::run`](crate::Registry::run), and
//! their blocking forms.

use crate::__private::DynTool;
use crate::SecretResolver;
use crate::model::Backend;
use crate::run::{Approver, CancellationToken, Envelope, RunError, Runner};

/// Runs `tool` through `runner`: its manifest, its validated values (no JSON round
/// trip: [`Tool::values`](crate::Tool::values)) and its plan built from the run's
/// context; `approver` decides `human_approval` instead of the runner's own.
pub(crate) async fn run(
    tool: &(dyn DynTool + Send + Sync),
    runner: &Runner,
    secrets: &(dyn SecretResolver + Sync),
    cancel: &CancellationToken,
    approver: Option<&dyn Approver>,
) -> Result<Envelope, RunError> {
    unsupported(tool)?;
    let values = tool.values();
    let approver = approver.unwrap_or(&*runner.config().approver);
    runner
        .run_until_approved_by(
            tool.manifest(),
            &values,
            |ctx| tool.plan(ctx, secrets),
            cancel,
            approver,
        )
        .await
}

/// [`run`] on a new current-thread runtime (`Runner::run_blocking`'s rules).
pub(crate) fn run_blocking(
    tool: &(dyn DynTool + Send + Sync),
    runner: &Runner,
    secrets: &(dyn SecretResolver + Sync),
) -> Result<Envelope, RunError> {
    unsupported(tool)?;
    let values = tool.values();
    runner.run_blocking(tool.manifest(), &values, |ctx| tool.plan(ctx, secrets))
}

/// Session and browser commands are refused before anything else: their values are
/// the command's arguments, not the manifest's, and no runner drives a session yet.
fn unsupported(tool: &(dyn DynTool + Send + Sync)) -> Result<(), RunError> {
    let backend = match tool.manifest().backend {
        Backend::Session(_) => "[session]",
        Backend::Browser(_) => "[browser]",
        _ => return Ok(()),
    };
    Err(RunError::Unsupported {
        tool: tool.tool_name().to_owned(),
        backend,
    })
}
