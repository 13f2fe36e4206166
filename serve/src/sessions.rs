//! The sessions of one client connection: each `<tool>__<command>` of a `[session]`
//! tool drives that tool's session, started on the connection's first call of one
//! of its commands. A call to a session that was closed (a limit, a timeout, the
//! program's exit) says so and drops it; the call after that starts a new one. When
//! the connection's handler is dropped, every session is dropped and its process
//! group killed.

use cladgen_core::model::Manifest;
use cladgen_run::{Approver, Runner, Session, SessionEnvelope, SessionError};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Sessions by tool name. Cheap to clone (shared within one connection).
#[derive(Clone, Default)]
pub(crate) struct Sessions {
    by_tool: Arc<Mutex<HashMap<String, Arc<Mutex<Session>>>>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

impl Sessions {
    /// Sends command `command` with `args` to the session of `manifest`'s tool.
    /// Commands of one session run one at a time; cancelling a call closes its
    /// session (its answer would be lost in the middle).
    pub async fn call(
        &self,
        runner: &Runner,
        manifest: &Manifest,
        command: &str,
        args: &Value,
        ct: &CancellationToken,
        approver: &dyn Approver,
    ) -> CallToolResult {
        let tool = manifest.tool.name.to_string();
        let session = {
            let mut table = self.by_tool.lock().await;
            match table.get(&tool) {
                Some(s) => Arc::clone(s),
                None => match runner.open_session(manifest) {
                    Ok(s) => {
                        let s = Arc::new(Mutex::new(s));
                        table.insert(tool.clone(), Arc::clone(&s));
                        s
                    }
                    Err(e) => return error_text(e.for_llm()),
                },
            }
        };
        let mut session = session.lock().await;
        let result = tokio::select! {
            r = session.send_json_approved_by(command, args, approver) => r,
            () = ct.cancelled() => {
                session.close().await;
                drop(session);
                self.by_tool.lock().await.remove(&tool);
                return error_text("the call was cancelled; the session was closed (its program stopped)");
            }
        };
        match result {
            Ok(envelope) => session_result(&envelope),
            Err(e) => {
                if matches!(e, SessionError::Closed { .. }) {
                    drop(session);
                    self.by_tool.lock().await.remove(&tool);
                }
                error_text(match &e {
                    SessionError::Refused(_) => {
                        format!(
                            "the call was refused; nothing was sent to the session:\n{}",
                            e.for_llm()
                        )
                    }
                    _ => e.for_llm(),
                })
            }
        }
    }
}

fn error_text(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// The envelope (with its `session` object) as `structuredContent` and a text block.
fn session_result(e: &SessionEnvelope) -> CallToolResult {
    let json = e.to_json();
    let mut text = format!(
        "status: {} (session {}, command {} of {}, {})",
        e.envelope.status.as_str(),
        e.session.id,
        e.session.interaction,
        e.session.max_interactions,
        e.session.state.as_str()
    );
    if let Some(err) = &e.envelope.error {
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
