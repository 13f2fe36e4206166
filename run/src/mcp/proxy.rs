//! One `[mcp]` call through the runner: the gate with the exact upstream tool and
//! arguments, the call on the pooled upstream under `timeout_seconds`, and the
//! upstream result mapped into the envelope.

use super::upstream::{Upstream, UpstreamError};
use crate::envelope::{Envelope, Status};
use crate::process::EvidenceSink;
use crate::{
    ApprovalRequest, CancellationToken, Layout, OutputParser, RunError, Runner, gate, millis,
    schema_mismatch,
};
use cladgen_core::model::Manifest;
use cladgen_core::value::Value;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use serde_json::Map;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// The upstream call a `Plan::Mcp` asks for.
pub(crate) struct McpCall {
    pub server: String,
    pub tool: String,
    pub arguments: Map<String, serde_json::Value>,
}

impl McpCall {
    /// What the approver and the envelope's `command` show: the upstream address
    /// and the exact arguments, as JSON.
    pub(crate) fn argv(&self) -> Vec<String> {
        vec![
            format!("mcp://{}/{}", self.server, self.tool),
            serde_json::Value::Object(self.arguments.clone()).to_string(),
        ]
    }
}

/// How the call ended.
enum Ended {
    Answered(CallToolResult),
    Failed(String),
    TimedOut,
    Cancelled,
}

impl Runner {
    /// Runs an `[mcp]` plan (called from `run_until` after the plan was built).
    pub(crate) async fn run_mcp(
        &self,
        manifest: &Manifest,
        values: &[Option<Value>],
        layout: Layout,
        call: McpCall,
        cancel: &CancellationToken,
        approver: &dyn crate::Approver,
    ) -> Result<Envelope, RunError> {
        let tool_name = manifest.tool.name.to_string();
        let Some(upstreams) = self.upstreams.as_ref() else {
            return Err(RunError::Upstream {
                tool: tool_name,
                source: UpstreamError::NotConfigured {
                    server: call.server,
                    where_: "no MCP server configuration was given: pass --mcp-config FILE, or write mcp.json at the project root (the host: Runner::with_mcp_servers)".to_owned(),
                },
            });
        };
        if upstreams.servers().get(&call.server).is_none() {
            // Refused before the gate: nothing could run anyway.
            return Err(RunError::Upstream {
                tool: tool_name,
                source: UpstreamError::NotConfigured {
                    server: call.server,
                    where_: match &upstreams.servers().source {
                        Some(p) => format!("in {}", p.display()),
                        None => "the host's configuration has no such server".to_owned(),
                    },
                },
            });
        }
        let (parser, validator) = self.output_checks(manifest)?;
        let argv = call.argv();
        let mut reasons = gate::check_policy(manifest, values, &self.config);
        if reasons.is_empty() {
            let request = ApprovalRequest {
                tool: &manifest.tool.name,
                scan_id: &layout.scan_id,
                risk_tier: manifest.tool.risk_tier,
                argv: &argv,
                env: &[],
                http: None,
            };
            reasons.extend(gate::check_approval(manifest, approver, &request).await);
        }
        gate::refusal(manifest, reasons)?;

        tokio::fs::create_dir_all(&layout.run_dir)
            .await
            .map_err(|e| RunError::Evidence {
                path: layout.run_dir.display().to_string(),
                message: e.to_string(),
            })?;
        let timestamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        let mut envelope = Envelope {
            status: Status::Error,
            scan_id: layout.scan_id.clone(),
            tool: tool_name,
            command: shlex::try_join(argv.iter().map(String::as_str))
                .unwrap_or_else(|_| argv.join(" ")),
            exit_code: None,
            stderr: String::new(),
            duration_ms: 0,
            timestamp,
            output_file: None,
            output_hash: None,
            results: None,
            error: None,
            stdout_bytes: 0,
            stdout_truncated: false,
            stderr_bytes: 0,
            stderr_truncated: false,
            output_file_truncated: false,
        };
        let upstream = match upstreams.get(&call.server).await {
            Ok(u) => u,
            Err(e) => {
                if let UpstreamError::Start { stderr, .. } = &e {
                    envelope.stderr = stderr.clone();
                    envelope.stderr_bytes = stderr.len() as u64;
                }
                envelope.error = Some(e.to_string());
                envelope.duration_ms = millis(started);
                return Ok(envelope);
            }
        };
        let timeout = Duration::from_secs(manifest.tool.timeout_seconds.max(1));
        let ended = call_upstream(&upstream, &call, timeout, cancel).await;
        let result = match ended {
            Ended::Answered(r) => r,
            Ended::Failed(message) => {
                envelope.error = Some(format!(
                    "the call to upstream tool '{}' on MCP server '{}' failed: {message}",
                    call.tool, call.server
                ));
                self.upstream_died(&mut envelope, &upstream).await;
                envelope.duration_ms = millis(started);
                return Ok(envelope);
            }
            Ended::TimedOut => {
                // notifications/cancelled went out when the request was dropped; the
                // server did not answer in time and may be wedged, so it is stopped
                // (process group) and started again by the next call.
                upstreams.discard(&upstream).await;
                envelope.status = Status::Timeout;
                envelope.error = Some(format!(
                    "timed out after {} s (timeout_seconds); the upstream request was cancelled and MCP server '{}' (its process group) was stopped",
                    manifest.tool.timeout_seconds, call.server
                ));
                envelope.duration_ms = millis(started);
                return Ok(envelope);
            }
            Ended::Cancelled => {
                envelope.error = Some(format!(
                    "cancelled by the host; notifications/cancelled was sent to MCP server '{}'",
                    call.server
                ));
                envelope.duration_ms = millis(started);
                return Ok(envelope);
            }
        };
        self.finish_mcp(
            &mut envelope,
            manifest,
            &layout,
            &call,
            result,
            parser,
            validator,
            cancel,
        )
        .await?;
        envelope.duration_ms = millis(started);
        Ok(envelope)
    }

    /// Adds the upstream's stderr tail when its connection is gone.
    async fn upstream_died(&self, envelope: &mut Envelope, upstream: &Arc<Upstream>) {
        if upstream.peer.is_transport_closed() {
            // Its last words, read by the drain task.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let tail = upstream.stderr_tail();
            envelope.stderr_bytes = tail.len() as u64;
            envelope.stderr = tail;
            if let Some(u) = self.upstreams.as_ref() {
                u.discard(upstream).await;
            }
        }
    }

    /// Evidence, status and results from the upstream's answer.
    #[allow(clippy::too_many_arguments)]
    async fn finish_mcp(
        &self,
        envelope: &mut Envelope,
        manifest: &Manifest,
        layout: &Layout,
        call: &McpCall,
        result: CallToolResult,
        parser: OutputParser,
        validator: Option<Arc<jsonschema::Validator>>,
        cancel: &CancellationToken,
    ) -> Result<(), RunError> {
        let raw = serde_json::to_vec(&result).unwrap_or_default();
        envelope.stdout_bytes = raw.len() as u64;
        let capture = manifest.tool.evidence.as_ref().is_none_or(|e| e.capture);
        let mut evidence_path = None;
        if capture {
            // Always JSON: the evidence is the upstream's whole result.
            let path = layout.run_dir.join(format!("{}.json", layout.scan_id));
            let mut sink = EvidenceSink::create(
                &layout.run_dir,
                path,
                self.config.evidence_cap,
                self.config.durable_evidence,
            )
            .map_err(|(path, e)| RunError::Evidence {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            sink.write(&raw);
            let file = sink.finish(raw.len() as u64).await;
            envelope.output_file = Some(file.path.to_string_lossy().into_owned());
            envelope.output_hash = Some(file.hash);
            envelope.output_file_truncated = file.truncated;
            if let Some(e) = file.error {
                envelope.error = Some(e);
                return Ok(());
            }
            evidence_path = Some(file.path);
        }
        let text = text_of(&result);
        if result.is_error == Some(true) {
            envelope.error = Some(format!(
                "upstream tool '{}' on MCP server '{}' reported an error (isError): {}",
                call.tool,
                call.server,
                cap_chars(
                    if text.trim().is_empty() {
                        "(no text)"
                    } else {
                        text.trim()
                    },
                    self.config.stderr_cap
                )
            ));
            return Ok(());
        }
        let parsed = match (&result.structured_content, &parser) {
            (Some(structured), OutputParser::Builtin(_)) => Ok(structured.clone()),
            (_, OutputParser::Builtin(format)) => crate::parse_output(*format, text.as_bytes())
                .map_err(|e| {
                    format!(
                        "{e} (parsing the upstream's text content as [output] format = \"{}\")",
                        format.as_str()
                    )
                }),
            (_, OutputParser::Custom(path)) => {
                self.custom_parse(path, evidence_path.as_deref(), envelope, cancel)
                    .await
            }
        };
        let results = match parsed {
            Ok(v) => v,
            Err(message) => {
                envelope.error = Some(message);
                return Ok(());
            }
        };
        if let Some(v) = validator
            && let Err(message) = schema_mismatch(&v, &results)
        {
            envelope.error = Some(message);
            return Ok(());
        }
        envelope.status = Status::Success;
        envelope.results = Some(results);
        Ok(())
    }
}

async fn call_upstream(
    upstream: &Upstream,
    call: &McpCall,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Ended {
    let params =
        CallToolRequestParams::new(call.tool.clone()).with_arguments(call.arguments.clone());
    // Dropping the request future (timeout, cancellation) sends
    // notifications/cancelled upstream (rmcp's abandoned-request guard).
    tokio::select! {
        r = tokio::time::timeout(timeout, upstream.peer.call_tool(params)) => match r {
            Ok(Ok(result)) => Ended::Answered(result),
            Ok(Err(rmcp::service::ServiceError::UnexpectedResponse)) => Ended::Failed(
                "the upstream answered with input_required or a task, which the proxy does not support".to_owned(),
            ),
            Ok(Err(e)) => Ended::Failed(e.to_string()),
            Err(_) => Ended::TimedOut,
        },
        () = cancel.cancelled() => Ended::Cancelled,
    }
}

/// The text blocks of a result, joined by newlines (other blocks are only in the
/// evidence file).
fn text_of(result: &CallToolResult) -> String {
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect();
    texts.join("\n")
}

fn cap_chars(s: &str, cap: usize) -> String {
    if s.len() <= cap {
        return s.to_owned();
    }
    let mut end = cap;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}... ({} bytes in all; the full result is in output_file)",
        &s[..end],
        s.len()
    )
}
