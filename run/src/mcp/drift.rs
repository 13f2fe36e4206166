//! The drift check: every `[mcp]` tool's upstream server starts, has the tool, and
//! its `inputSchema` accepts the mapped argument names and types. Run at startup
//! (`cladgen serve`, `cladgen validate --mcp-config`), so drift is a located error
//! before any call.

use super::upstream::{START_TIMEOUT, UpstreamError, Upstreams};
use cladgen_core::model::{Backend, Manifest};
use cladgen_core::schema::{Flavor, property_schema};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One drift problem of one `[mcp]` tool.
#[derive(Debug, thiserror::Error)]
#[error("tool '{tool}' ([mcp] server '{server}', tool '{upstream_tool}'): {problem}")]
pub struct DriftError {
    /// The manifest's tool name.
    pub tool: String,
    /// `[mcp] server`.
    pub server: String,
    /// `[mcp] tool`.
    pub upstream_tool: String,
    /// What is wrong.
    pub problem: DriftProblem,
}

/// What is wrong between a manifest and its upstream tool.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftProblem {
    /// The server is not configured or does not start.
    #[error("{0}")]
    Upstream(UpstreamError),
    /// `tools/list` failed.
    #[error("tools/list failed: {0}")]
    List(String),
    /// The upstream has no tool of that name.
    #[error("the upstream server has no tool of that name (it has: {})", .available.join(", "))]
    ToolMissing {
        /// The upstream's tool names.
        available: Vec<String>,
    },
    /// A mapped name is not a property of the upstream `inputSchema`.
    #[error(
        "argument '{arg}' is sent as '{field}', which is not a property of the upstream inputSchema (properties: {}); fix [mcp.field_map]",
        .properties.join(", ")
    )]
    NotAProperty {
        /// The upstream field name.
        field: String,
        /// The manifest argument.
        arg: String,
        /// The upstream's property names.
        properties: Vec<String>,
    },
    /// The upstream declares no properties and `additionalProperties: false`.
    #[error(
        "argument '{arg}' is sent as '{field}', and the upstream inputSchema accepts no properties (additionalProperties: false)"
    )]
    Closed {
        /// The upstream field name.
        field: String,
        /// The manifest argument.
        arg: String,
    },
    /// The JSON types do not fit.
    #[error("argument '{arg}' ({ours}) is sent as '{field}', which the upstream types as {theirs}")]
    Type {
        /// The upstream field name.
        field: String,
        /// The manifest argument.
        arg: String,
        /// Our JSON type.
        ours: String,
        /// The upstream's JSON type(s).
        theirs: String,
    },
    /// An upstream `required` property no argument is sent as.
    #[error("the upstream requires '{field}', and no argument is sent under that name")]
    RequiredUnmapped {
        /// The upstream field name.
        field: String,
    },
    /// An upstream `required` property is mapped from an optional argument without a
    /// default, so a call may omit it.
    #[error(
        "the upstream requires '{field}', sent from argument '{arg}', which is optional and has no default (make it required or give it a default)"
    )]
    RequiredFromOptional {
        /// The upstream field name.
        field: String,
        /// The manifest argument.
        arg: String,
    },
}

/// Checks every `[mcp]` tool of `manifests` against its upstream (started now if it
/// is not running; left running for the calls). Returns every problem found; empty
/// means no drift. Tools of other backends are skipped.
pub async fn check_upstreams<'a>(
    manifests: impl IntoIterator<Item = &'a Manifest>,
    upstreams: &Upstreams,
) -> Vec<DriftError> {
    let mut listed: HashMap<String, Result<Vec<rmcp::model::Tool>, DriftProblem>> = HashMap::new();
    let mut errors = Vec::new();
    for m in manifests {
        let Backend::Mcp(spec) = &m.backend else {
            continue;
        };
        let error = |problem| DriftError {
            tool: m.tool.name.to_string(),
            server: spec.server.to_string(),
            upstream_tool: spec.tool.to_string(),
            problem,
        };
        if !listed.contains_key(spec.server.as_ref() as &str) {
            let tools = match upstreams.get(&spec.server).await {
                Err(e) => Err(DriftProblem::Upstream(e)),
                Ok(u) => match tokio::time::timeout(START_TIMEOUT, u.peer.list_all_tools()).await {
                    Ok(listed) => listed.map_err(|e| DriftProblem::List(e.to_string())),
                    Err(_) => Err(DriftProblem::List(format!(
                        "no answer within {} s",
                        START_TIMEOUT.as_secs()
                    ))),
                },
            };
            listed.insert(spec.server.to_string(), tools);
        }
        let tools = match &listed[spec.server.as_ref() as &str] {
            Ok(t) => t,
            Err(p) => {
                // Reported for every tool of the server, with the server's reason.
                errors.push(error(p.clone()));
                continue;
            }
        };
        let Some(upstream) = tools.iter().find(|t| t.name == spec.tool.as_ref() as &str) else {
            let mut available: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
            available.sort();
            errors.push(error(DriftProblem::ToolMissing { available }));
            continue;
        };
        for p in schema_problems(m, &upstream.input_schema) {
            errors.push(error(p));
        }
    }
    errors
}

/// [`check_upstreams`] for a host without a tokio runtime (`cladgen validate`): the
/// servers are started on a new runtime, checked and stopped again. Refused on a
/// runtime thread ([`crate::RunError::InsideRuntime`]).
pub fn check_upstreams_blocking<'a>(
    manifests: impl IntoIterator<Item = &'a Manifest>,
    servers: super::McpServers,
    config: &crate::RunConfig,
) -> Result<Vec<DriftError>, crate::RunError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(crate::RunError::InsideRuntime);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::RunError::Config(format!("cannot start a tokio runtime: {e}")))?;
    let upstreams = Upstreams::new(servers, config);
    Ok(rt.block_on(async {
        let errors = check_upstreams(manifests, &upstreams).await;
        upstreams.shutdown().await;
        errors
    }))
}

/// The problems of `m`'s mapped arguments against an upstream `inputSchema`.
fn schema_problems(m: &Manifest, input: &Map<String, Value>) -> Vec<DriftProblem> {
    let Backend::Mcp(spec) = &m.backend else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let properties = input.get("properties").and_then(Value::as_object);
    let closed = input.get("additionalProperties") == Some(&Value::Bool(false));
    let names: Vec<String> = properties
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for f in spec.fields.iter() {
        let arg = &m.args[f.arg];
        let field = f.name.to_string();
        let prop = properties.and_then(|p| p.get(&field));
        let Some(prop) = prop else {
            match properties {
                // Declared properties: a name outside them is a typo or drift.
                Some(_) => problems.push(DriftProblem::NotAProperty {
                    field,
                    arg: arg.name.to_string(),
                    properties: names.clone(),
                }),
                None if closed => problems.push(DriftProblem::Closed {
                    field,
                    arg: arg.name.to_string(),
                }),
                // No properties and open: nothing to check against.
                None => {}
            }
            continue;
        };
        let ours = property_schema(arg, Flavor::Mcp)
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_owned();
        let theirs = declared_types(prop);
        if !theirs.is_empty() && !theirs.iter().any(|t| fits(&ours, t)) {
            problems.push(DriftProblem::Type {
                field,
                arg: arg.name.to_string(),
                ours,
                theirs: theirs.join(" | "),
            });
        }
    }
    let required = input
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    for r in required {
        match spec.fields.iter().find(|f| f.name.as_ref() as &str == r) {
            None => problems.push(DriftProblem::RequiredUnmapped {
                field: r.to_owned(),
            }),
            Some(f) => {
                let arg = &m.args[f.arg];
                if !arg.required && arg.default.is_none() {
                    problems.push(DriftProblem::RequiredFromOptional {
                        field: r.to_owned(),
                        arg: arg.name.to_string(),
                    });
                }
            }
        }
    }
    problems
}

/// The JSON types a property schema names: `type` (a string or a list), else the
/// `type`s of its `anyOf` / `oneOf` branches; empty when it names none (any value).
fn declared_types(prop: &Value) -> Vec<String> {
    fn of(v: &Value) -> Vec<String> {
        match v.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }
    let direct = of(prop);
    if !direct.is_empty() {
        return direct;
    }
    let mut out = Vec::new();
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = prop.get(key) {
            for b in branches {
                let t = of(b);
                if t.is_empty() {
                    // A branch without a type accepts anything.
                    return Vec::new();
                }
                out.extend(t);
            }
        }
    }
    out
}

/// Whether a value of our JSON type `ours` is valid for the upstream type `theirs`.
/// An integer is a number; a number is not an integer (1.5 would be refused).
fn fits(ours: &str, theirs: &str) -> bool {
    ours == theirs || (ours == "integer" && theirs == "number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_fit_like_json_schema() {
        assert!(fits("integer", "number"));
        assert!(!fits("number", "integer"));
        assert!(!fits("string", "integer"));
        assert!(fits("boolean", "boolean"));
        let p = serde_json::json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
        assert_eq!(declared_types(&p), ["string", "null"]);
        assert!(declared_types(&serde_json::json!({"description": "x"})).is_empty());
        assert_eq!(
            declared_types(&serde_json::json!({"type": ["integer", "null"]})),
            ["integer", "null"]
        );
    }
}
