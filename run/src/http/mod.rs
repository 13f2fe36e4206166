//! `[http]` tools (feature `http`): the gate, the SSRF guard, one request with its
//! redirects, the body read up to its cap, parsed and checked like a process's
//! stdout, and the envelope. `docs/execution.md` ("HTTP tools") has every decision.
//!
//! Order: scope and risk are checked before the plan is built, so a refused call
//! never resolves a secret; then the plan (the request, secrets inside), the output
//! checks, the guard on the URL (scheme and address literals), the approver with the
//! redacted request; only then a connection. Names are resolved and checked when the
//! connector asks for them.

mod guard;
mod send;

use crate::gate::{self, GateRule, Refusal, RefusalReason};
use crate::process::EvidenceSink;
use crate::{
    ApprovalRequest, Envelope, Layout, OutputParser, RunError, Runner, Status, extension, millis,
    schema_mismatch,
};
use cladgen_core::invoke::{ExecContext, HttpRequest, InvokeError, Plan, http_success};
use cladgen_core::model::{HttpSpec, Manifest, OutputFormat};
use cladgen_core::value::Value;
use guard::{Denied, Guard, UrlRefusal};
use send::{Arrived, SendFailure};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// The runner's HTTP client, built on the first `[http]` call and shared by every
/// later one (so connections are reused), with the guard it resolves through.
#[derive(Default)]
pub(crate) struct HttpState {
    client: OnceLock<Result<(reqwest::Client, Guard), String>>,
}

impl HttpState {
    fn get(&self, runner: &Runner) -> Result<(reqwest::Client, Guard), RunError> {
        self.client
            .get_or_init(|| {
                let guard = Guard::new(runner.config.scope.clone());
                send::build_client(&guard).map(|c| (c, guard))
            })
            .clone()
            .map_err(RunError::Config)
    }
}

impl Runner {
    /// Runs an `[http]` tool (`spec` is its backend).
    pub(crate) async fn run_http(
        &self,
        manifest: &Manifest,
        spec: &HttpSpec,
        values: &[Option<Value>],
        plan: impl FnOnce(&ExecContext) -> Result<Plan, InvokeError>,
        cancel: &CancellationToken,
        approver: &dyn crate::Approver,
    ) -> Result<Envelope, RunError> {
        let tool = manifest.tool.name.to_string();
        let layout = self.layout(manifest)?;
        // Before the plan: a call refused by scope or risk tier resolves no secret.
        gate::refusal(manifest, gate::check_policy(manifest, values, &self.config))?;
        let request = match plan(&layout.ctx) {
            Ok(Plan::Http(r)) => r,
            Ok(other) => {
                return Err(RunError::Config(format!(
                    "tool '{tool}' has an [http] backend but its plan is not a request: {}",
                    other.to_json()
                )));
            }
            Err(source) => return Err(RunError::Invoke { tool, source }),
        };
        let (parser, validator) = self.output_checks(manifest)?;
        let url = reqwest::Url::parse(request.url()).map_err(|e| {
            RunError::Config(format!(
                "tool '{tool}': the request URL {} is not a valid URL ({e}); nothing was sent",
                request.redacted_url()
            ))
        })?;
        let (client, guard) = self.http.get(self)?;
        let mut reasons = Vec::new();
        if let Err(r) = guard.check_url(&url) {
            reasons.push(url_reason(&tool, &r));
        }
        if reasons.is_empty() {
            let argv = [
                request.method().as_str().to_owned(),
                request.redacted_url().to_owned(),
            ];
            let approval = ApprovalRequest {
                tool: &manifest.tool.name,
                scan_id: &layout.scan_id,
                risk_tier: manifest.tool.risk_tier,
                argv: &argv,
                env: &[],
                http: Some(&request),
            };
            reasons.extend(gate::check_approval(manifest, approver, &approval).await);
        }
        gate::refusal(manifest, reasons)?;
        let exchange = Exchange {
            manifest,
            spec,
            request: &request,
            layout,
            parser,
            validator,
        };
        let mut envelope = self
            .exchange(exchange, &client, &guard, url, cancel)
            .await?;
        scrub_envelope(&mut envelope, &request);
        Ok(envelope)
    }

    async fn exchange(
        &self,
        x: Exchange<'_>,
        client: &reqwest::Client,
        guard: &Guard,
        url: reqwest::Url,
        cancel: &CancellationToken,
    ) -> Result<Envelope, RunError> {
        let manifest = x.manifest;
        let timestamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = tokio::time::Instant::now();
        let timeout = Duration::from_secs(manifest.tool.timeout_seconds.max(1));
        let deadline = started + timeout;
        let mut envelope = Envelope {
            status: Status::Error,
            scan_id: x.layout.scan_id.clone(),
            tool: manifest.tool.name.to_string(),
            command: x.request.to_string(),
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
        let timed_out = format!(
            "timed out after {} s (timeout_seconds); the request was aborted",
            manifest.tool.timeout_seconds
        );
        let sent = tokio::select! {
            r = send::send(client, guard, x.request, url, deadline) => r,
            () = tokio::time::sleep_until(deadline) => {
                envelope.status = Status::Timeout;
                envelope.error = Some(timed_out);
                envelope.duration_ms = millis(started.into_std());
                return Ok(envelope);
            }
            () = cancel.cancelled() => {
                envelope.error = Some("cancelled by the host; the request was aborted".to_owned());
                envelope.duration_ms = millis(started.into_std());
                return Ok(envelope);
            }
        };
        let arrived = match sent {
            Ok(a) => a,
            Err(SendFailure::Refused(d)) => {
                return Err(RunError::Refused(refused(manifest, denied_reason(&d))));
            }
            Err(SendFailure::Redirect { message, head }) => {
                self.set_stderr(&mut envelope, head);
                envelope.error = Some(message);
                envelope.duration_ms = millis(started.into_std());
                return Ok(envelope);
            }
            Err(SendFailure::Failed(message)) => {
                envelope.status = if message.starts_with("the request timed out") {
                    envelope.error = Some(timed_out);
                    Status::Timeout
                } else {
                    envelope.error = Some(message);
                    Status::Error
                };
                envelope.duration_ms = millis(started.into_std());
                return Ok(envelope);
            }
        };
        let status = arrived.response.status().as_u16();
        let body = self
            .read_body(&x, arrived, deadline, cancel, &mut envelope)
            .await?;
        envelope.duration_ms = millis(started.into_std());
        let Some(body) = body else {
            // Timed out or cancelled while reading; `error` and `status` are set.
            return Ok(envelope);
        };
        if !http_success(x.spec, status) {
            let head = std::mem::take(&mut envelope.stderr);
            self.set_stderr(
                &mut envelope,
                format!("{head}\n\n{}", String::from_utf8_lossy(&body.kept)),
            );
            envelope.error = Some(status_message(x.spec, status));
            return Ok(envelope);
        }
        if let Some(e) = body.evidence_error {
            envelope.error = Some(e);
            return Ok(envelope);
        }
        let parsed = match &x.parser {
            OutputParser::Builtin(format) => {
                if envelope.stdout_truncated && *format != OutputFormat::Text {
                    Err(format!(
                        "the response body ({} bytes or more) is longer than the output cap ({} bytes), so its {} cannot be parsed; the host can raise RunConfig::output_cap{}",
                        envelope.stdout_bytes,
                        body.kept.len(),
                        format.as_str(),
                        if envelope.output_file.is_some() {
                            "; the raw body is in output_file"
                        } else {
                            ""
                        }
                    ))
                } else {
                    crate::parse_output(*format, &body.kept).map_err(|e| e.to_string())
                }
            }
            OutputParser::Custom(path) => {
                self.custom_parse(path, body.path.as_deref(), &envelope, cancel)
                    .await
            }
        };
        let results = match parsed {
            Ok(v) => v,
            Err(message) => {
                envelope.error = Some(message);
                return Ok(envelope);
            }
        };
        if let Some(v) = &x.validator
            && let Err(message) = schema_mismatch(v, &results)
        {
            envelope.error = Some(message);
            return Ok(envelope);
        }
        envelope.status = Status::Success;
        envelope.results = Some(results);
        Ok(envelope)
    }

    /// Reads the body: up to the output cap kept for parsing, up to the evidence cap
    /// streamed to the evidence file and hashed, then stops reading. `None` when the
    /// deadline passed or the host cancelled (the envelope says which).
    async fn read_body(
        &self,
        x: &Exchange<'_>,
        arrived: Arrived,
        deadline: tokio::time::Instant,
        cancel: &CancellationToken,
        envelope: &mut Envelope,
    ) -> Result<Option<Body>, RunError> {
        let Arrived {
            mut response,
            head,
            redirects,
        } = arrived;
        let head = if redirects > 0 {
            format!(
                "after {redirects} redirect(s), from {}\n{head}",
                response.url()
            )
        } else {
            head
        };
        self.set_stderr(envelope, head);
        let mut sink = self.evidence_sink(x.manifest, &x.layout).await?;
        let output_cap = self.config.output_cap;
        let limit = if sink.is_some() {
            self.config.evidence_cap.max(output_cap as u64)
        } else {
            output_cap as u64
        };
        let announced = response.content_length();
        let mut kept: Vec<u8> = Vec::new();
        let mut total: u64 = 0;
        let mut stopped: Option<Result<Status, String>> = None;
        loop {
            let chunk = tokio::select! {
                c = response.chunk() => c,
                () = tokio::time::sleep_until(deadline) => {
                    stopped = Some(Ok(Status::Timeout));
                    break;
                }
                () = cancel.cancelled() => {
                    stopped = Some(Err("cancelled by the host; the request was aborted".to_owned()));
                    break;
                }
            };
            let bytes = match chunk {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    stopped = Some(Err(format!(
                        "reading the response body failed: {}",
                        send::error_chain(&e.without_url())
                    )));
                    break;
                }
            };
            total += bytes.len() as u64;
            let room = output_cap.saturating_sub(kept.len());
            kept.extend_from_slice(&bytes[..room.min(bytes.len())]);
            if let Some(s) = sink.as_mut() {
                s.write(&bytes);
            }
            if total > limit {
                // Past every cap: the rest is not downloaded.
                break;
            }
        }
        drop(response);
        envelope.stdout_bytes = announced.map_or(total, |n| n.max(total));
        envelope.stdout_truncated = envelope.stdout_bytes > kept.len() as u64;
        let mut path = None;
        let mut evidence_error = None;
        if let Some(s) = sink {
            let f = s.finish(envelope.stdout_bytes).await;
            envelope.output_file = Some(f.path.to_string_lossy().into_owned());
            envelope.output_hash = Some(f.hash);
            envelope.output_file_truncated = f.truncated;
            evidence_error = f.error;
            path = Some(f.path);
        }
        match stopped {
            None => Ok(Some(Body {
                kept,
                path,
                evidence_error,
            })),
            Some(Ok(status)) => {
                envelope.status = status;
                envelope.error = Some(format!(
                    "timed out after {} s (timeout_seconds) while reading the response body; the request was aborted",
                    x.manifest.tool.timeout_seconds
                ));
                Ok(None)
            }
            Some(Err(message)) => {
                envelope.error = Some(message);
                Ok(None)
            }
        }
    }

    async fn evidence_sink(
        &self,
        manifest: &Manifest,
        layout: &Layout,
    ) -> Result<Option<EvidenceSink>, RunError> {
        if !manifest.tool.evidence.as_ref().is_none_or(|e| e.capture) {
            return Ok(None);
        }
        let evidence_error = |path: &std::path::Path, e: std::io::Error| RunError::Evidence {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let format = manifest
            .output
            .as_ref()
            .map_or(OutputFormat::Text, |o| o.format);
        let path = layout
            .run_dir
            .join(format!("{}.{}", layout.scan_id, extension(format)));
        EvidenceSink::create(
            &layout.run_dir,
            path,
            self.config.evidence_cap,
            self.config.durable_evidence,
        )
        .map(Some)
        .map_err(|(path, e)| evidence_error(&path, e))
    }

    /// `stderr` of an HTTP envelope: the response head (and, for a failure status,
    /// the body), cut at the stderr cap.
    fn set_stderr(&self, envelope: &mut Envelope, text: String) {
        envelope.stderr_bytes = text.len() as u64;
        let cap = self.config.stderr_cap;
        if text.len() > cap {
            let mut end = cap;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            envelope.stderr = text[..end].to_owned();
            envelope.stderr_truncated = true;
        } else {
            envelope.stderr = text;
            envelope.stderr_truncated = false;
        }
    }
}

/// What one exchange needs from the run.
struct Exchange<'a> {
    manifest: &'a Manifest,
    spec: &'a HttpSpec,
    request: &'a HttpRequest,
    layout: Layout,
    parser: OutputParser,
    validator: Option<Arc<jsonschema::Validator>>,
}

/// The body as read.
struct Body {
    kept: Vec<u8>,
    path: Option<PathBuf>,
    evidence_error: Option<String>,
}

fn status_message(spec: &HttpSpec, status: u16) -> String {
    let list = |l: &[u16]| l.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    if spec.error_status.contains(&status) {
        format!(
            "HTTP status {status} is listed in error_status [{}]",
            list(&spec.error_status)
        )
    } else if spec.success_status.is_empty() {
        format!(
            "HTTP status {status} is not a success status (no success_status given: only 2xx succeeds)"
        )
    } else {
        format!(
            "HTTP status {status} is not in success_status [{}]",
            list(&spec.success_status)
        )
    }
}

fn url_reason(tool: &str, r: &UrlRefusal) -> RefusalReason {
    match r {
        UrlRefusal::Denied(d) => denied_reason(d),
        other => RefusalReason {
            arg: None,
            rule: GateRule::InternalAddress,
            value: None,
            expected: Some("an http or https URL with a host".to_owned()),
            message: format!("tool '{tool}': {other}; nothing was sent"),
        },
    }
}

fn denied_reason(d: &Denied) -> RefusalReason {
    RefusalReason {
        arg: None,
        rule: GateRule::InternalAddress,
        value: Some(d.addr.to_string()),
        expected: Some("a public address, or an internal one the project scope lists".to_owned()),
        message: format!("{d}; nothing was sent"),
    }
}

fn refused(manifest: &Manifest, reason: RefusalReason) -> Refusal {
    match gate::refusal(manifest, vec![reason]) {
        Err(r) => r,
        Ok(()) => unreachable!("a refusal with a reason"),
    }
}

/// Replaces every secret of the request that a server echoed back (in a header, a
/// redirect target, an error body, the parsed results) with `<secret>`. The
/// evidence file keeps the raw response.
fn scrub_envelope(envelope: &mut Envelope, request: &HttpRequest) {
    let secrets: Vec<&str> = request.secret_texts().collect();
    if secrets.is_empty() {
        return;
    }
    let scrub = |s: &mut String| {
        for t in &secrets {
            if s.contains(t) {
                *s = s.replace(t, "<secret>");
            }
        }
    };
    scrub(&mut envelope.stderr);
    if let Some(e) = envelope.error.as_mut() {
        scrub(e);
    }
    if let Some(r) = envelope.results.as_mut() {
        scrub_json(r, &scrub);
    }
}

fn scrub_json(v: &mut serde_json::Value, scrub: &impl Fn(&mut String)) {
    match v {
        serde_json::Value::String(s) => scrub(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, scrub)),
        serde_json::Value::Object(m) => {
            // Rebuilt in order: a key may hold the echo too.
            for (mut k, mut x) in std::mem::take(m) {
                scrub(&mut k);
                scrub_json(&mut x, scrub);
                m.insert(k, x);
            }
        }
        _ => {}
    }
}
