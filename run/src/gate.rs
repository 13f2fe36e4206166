//! The gate: scope, risk tier and approval, checked before anything starts.

use crate::config::{Approval, ApprovalRequest, Approver, RunConfig};
use cladgen_core::model::{Arg, Manifest, RiskTier};
use cladgen_core::scope::Scope;
use cladgen_core::value::Value;
use std::fmt;

/// The rule a refused call broke. `as_str` is the stable name used in JSON reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GateRule {
    /// A scope-checked argument is outside the project scope.
    OutOfScope,
    /// The tool has scope-checked arguments and the host configured no scope.
    NoScope,
    /// The tool needs a human's approval and the approver denied it.
    NotApproved,
    /// The tool's risk tier is above the host's maximum.
    RiskTier,
    /// An `[http]` request would connect to an internal address the project scope
    /// does not list (the SSRF guard), or its URL cannot be requested at all.
    InternalAddress,
    /// A session command with `extract_target = true` declares no argument naming
    /// its target, so the target cannot be scope-checked.
    NoTarget,
}

impl GateRule {
    /// Stable kebab-case name (`out-of-scope` matches the argument rule of the same name).
    pub const fn as_str(self) -> &'static str {
        match self {
            GateRule::OutOfScope => "out-of-scope",
            GateRule::NoScope => "no-scope",
            GateRule::NotApproved => "not-approved",
            GateRule::RiskTier => "risk-tier",
            GateRule::InternalAddress => "internal-address",
            GateRule::NoTarget => "no-target",
        }
    }
}

impl fmt::Display for GateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a call was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusalReason {
    /// The argument concerned, when the reason is about one.
    pub arg: Option<String>,
    /// The rule.
    pub rule: GateRule,
    /// The offending value, if any.
    pub value: Option<String>,
    /// What would have been accepted, if known.
    pub expected: Option<String>,
    /// The whole sentence (names the argument or the tool, and the rule).
    pub message: String,
}

impl RefusalReason {
    /// One compact line for an LLM: `arg: rule (got "v"); expected e. message`.
    pub fn for_llm(&self) -> String {
        let mut out = format!("{}: {}", self.arg.as_deref().unwrap_or("tool"), self.rule);
        if let Some(v) = &self.value {
            out.push_str(&format!(" (got {})", serde_json::Value::String(v.clone())));
        }
        if let Some(e) = &self.expected {
            out.push_str(&format!("; expected {e}"));
        }
        out.push_str(&format!(". {}", self.message));
        out
    }

    /// `{"arg"?, "rule", "message", "value"?, "expected"?}`: the shape of an argument
    /// error in `{"errors": [...]}` reports.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(a) = &self.arg {
            m.insert("arg".into(), a.clone().into());
        }
        m.insert("rule".into(), self.rule.as_str().into());
        m.insert("message".into(), self.message.clone().into());
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone().into());
        }
        if let Some(e) = &self.expected {
            m.insert("expected".into(), e.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// A call the gate refused: every reason, nothing ran.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Refusal {
    /// The tool.
    pub tool: String,
    reasons: Vec<RefusalReason>,
}

impl Refusal {
    /// The reasons, in check order (scope per argument, then tier, then approval).
    pub fn reasons(&self) -> &[RefusalReason] {
        &self.reasons
    }

    /// One line per reason, for an LLM.
    pub fn for_llm(&self) -> String {
        let mut out = format!("The call of tool '{}' was refused; nothing ran:", self.tool);
        for r in &self.reasons {
            out.push_str("\n- ");
            out.push_str(&r.for_llm());
        }
        out
    }

    /// `{"errors": [...]}`, as `cladgen test --json` reports argument errors.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "errors": self.reasons.iter().map(RefusalReason::to_json).collect::<Vec<_>>() })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tool '{}' refused:", self.tool)?;
        for r in &self.reasons {
            write!(f, " {};", r.message)?;
        }
        Ok(())
    }
}

/// Whether argument `arg` is checked against the scope: every `scope_target`, and
/// every argument with `scope_check = true`.
pub fn is_scope_checked(arg: &cladgen_core::model::Arg) -> bool {
    arg.is_scope_checked()
}

/// Checks scope and risk tier (everything that needs no person). Returns the reasons.
pub(crate) fn check_policy(
    manifest: &Manifest,
    values: &[Option<Value>],
    config: &RunConfig,
) -> Vec<RefusalReason> {
    let checked: Vec<(&Arg, Option<&Value>)> = manifest
        .args
        .iter()
        .enumerate()
        .filter(|(_, a)| is_scope_checked(a))
        .map(|(i, a)| (a, values.get(i).and_then(Option::as_ref)))
        .collect();
    let mut reasons = check_scope(&manifest.tool.name, &checked, config);
    reasons.extend(check_risk(
        &manifest.tool.name,
        manifest.tool.risk_tier,
        config,
    ));
    reasons
}

/// The scope rule over the scope-checked arguments of one call (`tool` names the
/// tool or session command in the messages): refused without a configured scope,
/// and every present value must be inside it.
pub(crate) fn check_scope(
    tool: &str,
    checked: &[(&Arg, Option<&Value>)],
    config: &RunConfig,
) -> Vec<RefusalReason> {
    let mut reasons = Vec::new();
    if checked.is_empty() {
        return reasons;
    }
    match &config.scope {
        None => {
            let names: Vec<&str> = checked.iter().map(|(a, _)| a.name.as_ref()).collect();
            reasons.push(RefusalReason {
                arg: None,
                rule: GateRule::NoScope,
                value: None,
                expected: Some("a project scope".to_owned()),
                message: format!(
                    "tool '{}' has scope-checked arguments ({}) and no project scope is configured; \
                     the host must set one: write scope/scope.toml at the project root \
                     ([scope] targets = [\"10.0.0.0/24\"], domains = [\"*.example.com\"]) or pass \
                     `--scope FILE` to `cladgen run`, or set RunConfig::scope",
                    tool,
                    names.join(", ")
                ),
            });
        }
        Some(scope) => {
            for (arg, value) in checked {
                if let Some(v) = value
                    && let Err(message) = check_value(scope, v)
                {
                    reasons.push(RefusalReason {
                        arg: Some(arg.name.to_string()),
                        rule: GateRule::OutOfScope,
                        value: Some(v.to_string()),
                        expected: Some(
                            "a target inside the project scope (scope/scope.toml)".to_owned(),
                        ),
                        message: format!("argument '{}': {message}", arg.name),
                    });
                }
            }
        }
    }
    reasons
}

/// The risk-tier rule: `tier` (the tool's, or a session command's effective tier)
/// must not be above the host's maximum.
pub(crate) fn check_risk(tool: &str, tier: RiskTier, config: &RunConfig) -> Option<RefusalReason> {
    let max = config.max_risk?;
    (tier > max).then(|| RefusalReason {
        arg: None,
        rule: GateRule::RiskTier,
        value: Some(tier.to_string()),
        expected: Some(format!("risk tier {max} or lower")),
        message: format!(
            "tool '{tool}' has risk tier {tier} and this host runs tools up to {max} only"
        ),
    })
}

/// Checks one value: addresses and ranges (whole ranges) by their network meaning,
/// URLs by the host the URL parser reads, anything else by its text as a host name
/// (which refuses text that is not one).
fn check_value(scope: &Scope, v: &Value) -> Result<(), String> {
    let r = match v {
        Value::ScopeTarget(t) => scope.check_target(t),
        Value::Url(u) => scope.check_url_host(u),
        Value::IpAddress(ip) => scope.check_ip(ip.get()),
        Value::Cidr(c) => scope.check_cidr(&c.network()),
        other => scope.check_host(&other.to_string()),
    };
    r.map_err(|e| e.to_string())
}

/// Asks the approver when the tool needs it.
pub(crate) async fn check_approval(
    manifest: &Manifest,
    approver: &dyn Approver,
    request: &ApprovalRequest<'_>,
) -> Option<RefusalReason> {
    if !manifest.tool.human_approval {
        return None;
    }
    ask_approver(approver, request).await
}

/// Asks the approver about `request`; the reason names `request.tool`.
pub(crate) async fn ask_approver(
    approver: &dyn Approver,
    request: &ApprovalRequest<'_>,
) -> Option<RefusalReason> {
    match approver.approve(request).await {
        Approval::Approved => None,
        Approval::Denied(why) => Some(RefusalReason {
            arg: None,
            rule: GateRule::NotApproved,
            value: None,
            expected: Some("a human's approval of this exact command".to_owned()),
            message: format!(
                "tool '{}' needs a human's approval for each call and it was denied: {why}",
                request.tool
            ),
        }),
    }
}

pub(crate) fn refusal(manifest: &Manifest, reasons: Vec<RefusalReason>) -> Result<(), Refusal> {
    refusal_of(&manifest.tool.name, reasons)
}

/// [`refusal`] for a tool named `tool` (a session command's `<tool>__<command>`).
pub(crate) fn refusal_of(tool: &str, reasons: Vec<RefusalReason>) -> Result<(), Refusal> {
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            tool: tool.to_owned(),
            reasons,
        })
    }
}
