//! Approval of `human_approval` calls through MCP elicitation: the server asks the
//! client that sent the call (`elicitation/create`, form mode) with the exact command
//! and the risk tier, and runs the call only on an accepted `approve: true`.
//!
//! An answer proves only that the *client* agreed: MCP cannot tell whether a person
//! read the form or the client answered on its own (docs/mcp-server.md,
//! "Approval through elicitation").

use std::time::Duration;

use cladgen_run::{Approval, ApprovalRequest, Approver, BoxFuture, CancellationToken};
use rmcp::model::{
    ClientCapabilities, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    ProtocolVersion,
};
use rmcp::service::ServiceError;
use rmcp::{Peer, RoleServer};
use serde_json::Value;

/// How long a client has to answer an approval request by default: 120 s.
pub const DEFAULT_APPROVAL_TIMEOUT: Duration = Duration::from_secs(120);

/// The one field of the approval form.
pub const APPROVE_FIELD: &str = "approve";

/// How an [`McpServer`](crate::McpServer) decides `human_approval` calls.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApprovalMode {
    /// Ask the client that sent the call through elicitation, waiting at most
    /// `timeout` for its answer (the default, with [`DEFAULT_APPROVAL_TIMEOUT`]). A
    /// client that did not declare the elicitation capability is refused.
    Elicit {
        /// How long to wait for the answer.
        timeout: Duration,
    },
    /// Use the runner's own [`RunConfig::approver`](cladgen_run::RunConfig::approver)
    /// (e.g. a host that approves out of band).
    Runner,
}

impl Default for ApprovalMode {
    fn default() -> Self {
        ApprovalMode::Elicit {
            timeout: DEFAULT_APPROVAL_TIMEOUT,
        }
    }
}

/// The approver of one `tools/call`: it holds the peer that sent the call.
pub(crate) struct ElicitApproval {
    pub peer: Peer<RoleServer>,
    /// The protocol version of the call (`None`: not known).
    pub protocol: Option<ProtocolVersion>,
    /// What the client declared (at `initialize`, or in the request's `_meta`).
    pub capabilities: Option<ClientCapabilities>,
    pub timeout: Duration,
    /// The call's cancellation: a call cancelled while the question is open is
    /// refused at once.
    pub cancel: CancellationToken,
}

impl Approver for ElicitApproval {
    fn approve<'a>(&'a self, request: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        Box::pin(self.ask(request))
    }
}

impl ElicitApproval {
    async fn ask(&self, request: &ApprovalRequest<'_>) -> Approval {
        if let Some(v) = &self.protocol
            && *v >= ProtocolVersion::V_2026_07_28
        {
            return Approval::Denied(format!(
                "the client speaks MCP {v}, where a server may not send elicitation/create; asking through an input_required result is not implemented, so approval of '{}' cannot be asked; connect with a session protocol (2025-11-25 or older, with initialize), or have a person review the command and run it with `cladgen run --approve`",
                request.tool
            ));
        }
        if !supports_form(self.capabilities.as_ref()) {
            return Approval::Denied(format!(
                "the MCP client did not declare the elicitation capability (form mode), so the server cannot ask for approval of '{}'; use a client that supports elicitation, or have a person review the command and run it with `cladgen run --approve`",
                request.tool
            ));
        }
        let schema = match approval_schema() {
            Ok(s) => s,
            Err(e) => return Approval::Denied(format!("cannot build the approval form: {e}")),
        };
        let params = ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: approval_message(request),
            requested_schema: schema,
        };
        let asked = self
            .peer
            .create_elicitation_with_timeout(params, Some(self.timeout));
        let answer = tokio::select! {
            a = asked => a,
            () = self.cancel.cancelled() => {
                return Approval::Denied("the call was cancelled while waiting for approval".to_owned());
            }
        };
        match answer {
            Ok(result) => decide(&result),
            Err(ServiceError::Timeout { .. }) => Approval::Denied(format!(
                "the client did not answer the approval request within {} s",
                self.timeout.as_secs()
            )),
            Err(e) => Approval::Denied(format!("asking the client for approval failed: {e}")),
        }
    }
}

/// Whether the client takes form elicitation: `elicitation: {}` (no mode named
/// means form, for older clients) or `elicitation: {form: {}}`.
fn supports_form(caps: Option<&ClientCapabilities>) -> bool {
    caps.and_then(|c| c.elicitation.as_ref())
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

/// The form: one required boolean, `approve`, defaulting to `false`.
fn approval_schema() -> Result<ElicitationSchema, String> {
    ElicitationSchema::builder()
        .required_bool_property(APPROVE_FIELD, |b| {
            b.title("Approve")
                .description("true runs exactly this command once; false refuses it")
                .with_default(false)
        })
        .description("Approval of one tool call")
        .build()
        .map_err(|e| e.to_string())
}

/// What the client is shown: the tool, its risk tier, and the exact argv as a JSON
/// array (unambiguous: every element is one argument, nothing goes through a shell).
fn approval_message(r: &ApprovalRequest<'_>) -> String {
    let argv = Value::from(r.argv.to_vec());
    let mut m = format!(
        "Approve running tool '{}' (risk tier: {}, scan id {})?\nExact argv (no shell): {argv}",
        r.tool,
        r.risk_tier.as_str(),
        r.scan_id
    );
    if !r.env.is_empty() {
        let env: Vec<String> = r.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        m.push_str(&format!(
            "\nEnvironment set for the executor: {}",
            Value::from(env)
        ));
    }
    m.push_str("\nAnswer approve = true to run it once.");
    m
}

/// Only an accepted form with `approve: true` approves.
fn decide(result: &ElicitResult) -> Approval {
    match result.action {
        ElicitationAction::Accept => {
            match result.content.as_ref().and_then(|c| c.get(APPROVE_FIELD)) {
                Some(Value::Bool(true)) => Approval::Approved,
                Some(Value::Bool(false)) => {
                    Approval::Denied("the client answered approve = false".to_owned())
                }
                Some(other) => Approval::Denied(format!(
                    "the client's answer has approve = {other}, not a boolean"
                )),
                None => Approval::Denied("the client accepted without an approve field".to_owned()),
            }
        }
        ElicitationAction::Decline => {
            Approval::Denied("the client declined the approval request".to_owned())
        }
        ElicitationAction::Cancel => {
            Approval::Denied("the client cancelled the approval request".to_owned())
        }
        #[allow(unreachable_patterns)]
        _ => Approval::Denied("the client's answer is not one this server knows".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(action: ElicitationAction, content: Option<Value>) -> ElicitResult {
        let mut r = ElicitResult::new(action);
        r.content = content;
        r
    }

    #[test]
    fn only_accept_with_approve_true_approves() {
        let yes = result(ElicitationAction::Accept, Some(json!({"approve": true})));
        assert_eq!(decide(&yes), Approval::Approved);
        for (r, why) in [
            (
                result(ElicitationAction::Accept, Some(json!({"approve": false}))),
                "approve = false",
            ),
            (
                result(ElicitationAction::Accept, Some(json!({"approve": "yes"}))),
                "not a boolean",
            ),
            (
                result(ElicitationAction::Accept, None),
                "without an approve",
            ),
            (result(ElicitationAction::Decline, None), "declined"),
            (
                result(ElicitationAction::Cancel, Some(json!({"approve": true}))),
                "cancelled",
            ),
        ] {
            match decide(&r) {
                Approval::Denied(m) => assert!(m.contains(why), "{m}"),
                Approval::Approved => panic!("{r:?} approved"),
            }
        }
    }

    #[test]
    fn the_form_is_one_required_boolean() {
        let s = serde_json::to_value(approval_schema().unwrap()).unwrap();
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["approve"]));
        assert_eq!(s["properties"]["approve"]["type"], "boolean");
        assert_eq!(s["properties"].as_object().unwrap().len(), 1);
    }
}
