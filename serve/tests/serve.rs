//! `cladgen-serve` driven by a client nobody here wrote: the official MCP Python SDK
//! (`mcp` on PyPI) over its stdio transport. The server runs in this process on a
//! loopback socket; `mcp_client.py` bridges the SDK's stdio to it, so the test can
//! look at the tools' process groups. Python: `$CLADGEN_TEST_PYTHON`, else
//! `.ci/venv/bin/python` (`.ci/run` creates it); without it the Python cases are
//! skipped, except in CI (`CI=true`), where that is a failure.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cladgen_run::{RunConfig, Runner};
use cladgen_serve::{ApprovalMode, CancellationToken, McpServer, RefuseApproval, ToolSet};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A fresh directory for one test, removed when the test ends.
struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp_dir(name: &str) -> TmpDir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cladgen-serve-tests/{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TmpDir(dir)
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A folder of three manifests: `greet` (text output), `sleeper` (writes its process
/// group id, then sleeps) and `guarded` (needs human approval).
fn fixture(dir: &Path) -> PathBuf {
    let tools = dir.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let greet = script(
        dir,
        "greet.sh",
        r#"i=0; while [ $i -lt "$2" ]; do echo "hello $1"; i=$((i+1)); done"#,
    );
    let pid_file = dir.join("sleeper.pid");
    let sleeper = script(
        dir,
        "sleeper.sh",
        &format!(
            "echo $$ > '{}'\nsleep \"$1\"\necho slept",
            pid_file.display()
        ),
    );
    std::fs::write(
        tools.join("greet.clad.toml"),
        format!(
            r#"
[tool]
name = "greet"
version = "1.0.0"
description = "Greets someone a few times."
timeout_seconds = 10

[args.name]
position = 1
required = true
type = "string"
description = "Who to greet."

[args.times]
position = 2
required = true
type = "integer"
min = 1
max = 5
description = "How often."

[command]
exec = ["{}", "{{name}}", "{{times}}"]

[output]
format = "text"

[output.schema]
type = "object"

[output.schema.properties.raw_output]
type = "string"
"#,
            greet.display()
        ),
    )
    .unwrap();
    std::fs::write(
        tools.join("sleeper.clad.toml"),
        format!(
            r#"
[tool]
name = "sleeper"
version = "1.0.0"
description = "Sleeps."
timeout_seconds = 60
risk_tier = "high"

[args.seconds]
position = 1
required = true
type = "integer"
min = 1
max = 60
description = "How long."

[command]
exec = ["{}", "{{seconds}}"]

[output]
format = "text"
"#,
            sleeper.display()
        ),
    )
    .unwrap();
    std::fs::write(
        tools.join("guarded.clad.toml"),
        r#"
[tool]
name = "guarded"
version = "1.0.0"
description = "Needs a human to approve."
timeout_seconds = 5
human_approval = true
risk_tier = "critical"

[command]
exec = ["/bin/true"]

[output]
format = "text"
"#,
    )
    .unwrap();
    tools
}

fn server(dir: &Path) -> McpServer {
    let tools = ToolSet::load(&[fixture(dir)], None).expect("fixture loads");
    let config = RunConfig::default()
        .with_evidence_dir(dir.join("evidence"))
        .with_approver(RefuseApproval);
    McpServer::new(tools, Runner::new(config))
        .with_max_concurrent(2)
        .with_progress_interval(Duration::from_millis(500))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python with the `mcp` SDK, or `None` (skip) outside CI.
fn python() -> Option<PathBuf> {
    let path = std::env::var_os("CLADGEN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".ci/venv/bin/python"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: .ci/run creates it (python3 -m venv .ci/venv && .ci/venv/bin/pip install mcp)",
        path.display()
    );
    eprintln!(
        "skipped: no Python with the mcp SDK at {} (set CLADGEN_TEST_PYTHON)",
        path.display()
    );
    None
}

/// Serves one connection on a loopback port and runs the Python scenario against
/// it; returns the facts the script printed.
async fn drive(server: McpServer, scenario: &str) -> Option<Value> {
    let python = python()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let served = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, w) = sock.into_split();
        server.serve_io(r, w, stop).await
    });
    run_client(python, scenario, port, shutdown, served).await
}

/// Runs a Python scenario against `server` served over streamable HTTP on loopback.
async fn drive_http(server: McpServer, scenario: &str) -> Option<Value> {
    let python = python()?;
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let served = tokio::spawn(server.serve_http(
        "127.0.0.1:0".parse().unwrap(),
        false,
        shutdown.clone(),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let addr = rx.await.expect("the listener is bound");
    run_client(
        python,
        &format!("http_{scenario}"),
        addr.port(),
        shutdown,
        served,
    )
    .await
}

/// Whether Debian's `python3` (the session tests' program) runs; under `CI=true` a
/// missing one fails the test.
fn python3_found() -> bool {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        found || std::env::var("CI").as_deref() != Ok("true"),
        "python3 is missing in CI"
    );
    found
}

/// Runs `tests/mcp_client.py SCENARIO PORT` (60 s at most), stops the server and
/// returns the facts the client printed as JSON.
async fn run_client<T>(
    python: PathBuf,
    scenario: &str,
    port: u16,
    shutdown: CancellationToken,
    served: tokio::task::JoinHandle<T>,
) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(python)
            .arg(script)
            .arg(scenario)
            .arg(port.to_string())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the Python client finishes")
    .expect("the Python client starts");
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), served).await;
    assert!(
        out.status.success(),
        "{scenario}: the client failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    Some(serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}")))
}

/// The Python SDK over streamable HTTP: list, call, bad arguments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_list_call_and_bad_arguments() {
    let dir = tmp_dir("http");
    let Some(facts) = drive_http(server(&dir.0), "call").await else {
        return;
    };
    assert_eq!(facts["tools"].as_array().unwrap().len(), 3);
    assert_eq!(facts["call"]["structured"]["status"], "success", "{facts}");
    let Some(facts) = drive_http(server(&dir.0), "bad_args").await else {
        return;
    };
    assert_eq!(facts["call"]["is_error"], true);
    assert!(facts["call"]["text"].as_str().unwrap().contains("colour"));
}

/// The DNS-rebinding guard: a request whose `Host` is not loopback is refused
/// before it reaches the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_refuses_a_foreign_host_header() {
    use tokio::io::AsyncReadExt;
    let dir = tmp_dir("http-host");
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let served = tokio::spawn(server(&dir.0).serve_http(
        "127.0.0.1:0".parse().unwrap(),
        false,
        shutdown.clone(),
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let addr = rx.await.unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}})
    .to_string();
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), sock.read_to_string(&mut resp)).await;
    let status_line = resp.lines().next().unwrap_or_default().to_owned();
    assert!(status_line.contains(" 403"), "{status_line}");
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), served).await;
}

/// A non-loopback address needs the opt-in; nothing is bound without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_refuses_a_public_address_without_the_opt_in() {
    let dir = tmp_dir("http-public");
    let err = server(&dir.0)
        .serve_http(
            "0.0.0.0:0".parse().unwrap(),
            false,
            CancellationToken::new(),
            |_| panic!("must not bind"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a loopback address"), "{err}");
}

fn tool<'a>(facts: &'a Value, name: &str) -> &'a Value {
    facts["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("tool {name} listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_shows_schemas_title_and_annotations() {
    let dir = tmp_dir("list");
    let Some(facts) = drive(server(&dir.0), "list").await else {
        return;
    };
    assert_eq!(facts["tools"].as_array().unwrap().len(), 3);
    let greet = tool(&facts, "greet");
    assert_eq!(greet["title"], "greet");
    assert_eq!(greet["description"], "Greets someone a few times.");
    assert_eq!(greet["inputSchema"]["required"], json!(["name", "times"]));
    assert_eq!(greet["inputSchema"]["properties"]["times"]["maximum"], 5);
    assert_eq!(greet["outputSchema"]["type"], "object");
    assert!(
        greet["outputSchema"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("scan_id"))
    );
    assert!(greet["annotations"].get("destructiveHint").is_none());
    assert_eq!(
        tool(&facts, "sleeper")["annotations"]["destructiveHint"],
        true
    );
    assert_eq!(
        tool(&facts, "guarded")["annotations"]["destructiveHint"],
        true
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_returns_the_envelope_as_structured_content() {
    let dir = tmp_dir("call");
    let Some(facts) = drive(server(&dir.0), "call").await else {
        return;
    };
    let call = &facts["call"];
    assert_eq!(call["is_error"], false, "{call}");
    let env = &call["structured"];
    assert_eq!(env["status"], "success");
    assert_eq!(env["tool"], "greet");
    assert_eq!(env["results"]["raw_output"], "hello world\nhello world\n");
    assert!(
        call["text"]
            .as_str()
            .unwrap()
            .starts_with("status: success")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_are_an_error_result_listing_every_problem() {
    let dir = tmp_dir("bad");
    let Some(facts) = drive(server(&dir.0), "bad_args").await else {
        return;
    };
    let call = &facts["call"];
    assert_eq!(call["is_error"], true);
    let text = call["text"].as_str().unwrap();
    for needle in ["colour", "name", "times"] {
        assert!(text.contains(needle), "{needle} missing in: {text}");
    }
    assert!(call["structured"].is_null());
}

/// A client without an elicitation callback declares no elicitation capability: a
/// `human_approval` call is refused, saying why, and nothing runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_tools_are_refused_without_an_approver() {
    let dir = tmp_dir("refuse");
    let Some(facts) = drive(server(&dir.0), "refusal").await else {
        return;
    };
    let call = &facts["call"];
    assert_eq!(call["is_error"], true);
    let text = call["text"].as_str().unwrap();
    assert!(
        text.contains("refused") && text.contains("nothing ran"),
        "{text}"
    );
    assert!(
        text.contains("did not declare the elicitation capability"),
        "{text}"
    );
    assert!(call["structured"].is_null(), "{call}");
}

/// The Python SDK's client answers `elicitation/create` with `approve: true`: the
/// call runs. It was shown the tool, the risk tier and the exact argv, in a form of
/// one required boolean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_through_elicitation_accept_runs_the_call() {
    let dir = tmp_dir("elicit-accept");
    let Some(facts) = drive(server(&dir.0), "elicit_accept").await else {
        return;
    };
    let call = &facts["call"];
    assert_eq!(call["is_error"], false, "{call}");
    assert_eq!(call["structured"]["status"], "success", "{call}");
    assert_eq!(call["structured"]["command"], "/bin/true", "{call}");
    let asked = facts["asked"].as_array().expect("asked");
    assert_eq!(asked.len(), 1, "{asked:?}");
    let message = asked[0]["message"].as_str().unwrap();
    for needle in ["'guarded'", "risk tier: critical", r#"["/bin/true"]"#] {
        assert!(message.contains(needle), "{needle} missing in: {message}");
    }
    let schema = &asked[0]["schema"];
    assert_eq!(schema["type"], "object", "{schema}");
    assert_eq!(schema["required"], json!(["approve"]), "{schema}");
    assert_eq!(schema["properties"]["approve"]["type"], "boolean");
    assert_eq!(schema["properties"].as_object().unwrap().len(), 1);
}

/// Decline, and accept with `approve: false`: refused, with the client's answer in
/// the message; nothing ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_through_elicitation_decline_or_false_refuses() {
    for (scenario, why) in [
        ("elicit_decline", "declined"),
        ("elicit_reject", "approve = false"),
    ] {
        let dir = tmp_dir(scenario);
        let Some(facts) = drive(server(&dir.0), scenario).await else {
            return;
        };
        let call = &facts["call"];
        assert_eq!(call["is_error"], true, "{scenario}: {call}");
        let text = call["text"].as_str().unwrap();
        assert!(
            text.contains("nothing ran") && text.contains(why),
            "{scenario}: {text}"
        );
        assert!(call["structured"].is_null(), "{scenario}: {call}");
        assert_eq!(facts["asked"].as_array().unwrap().len(), 1, "{scenario}");
    }
}

/// A client that does not answer within the approval timeout is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_through_elicitation_times_out() {
    let dir = tmp_dir("elicit-slow");
    let server = server(&dir.0).with_approval(ApprovalMode::Elicit {
        timeout: Duration::from_secs(1),
    });
    let started = std::time::Instant::now();
    let Some(facts) = drive(server, "elicit_slow").await else {
        return;
    };
    let text = facts["call"]["text"].as_str().unwrap();
    assert!(
        text.contains("did not answer the approval request within 1 s"),
        "{text}"
    );
    assert_eq!(facts["call"]["is_error"], true);
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "the server waited for the client"
    );
}

/// `ApprovalMode::Runner` leaves the decision to the runner's approver: the client
/// is never asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_mode_runner_uses_the_runner_approver() {
    let dir = tmp_dir("elicit-runner");
    let tools = ToolSet::load(&[fixture(&dir.0)], None).expect("fixture loads");
    let config = RunConfig::default()
        .with_evidence_dir(dir.0.join("evidence"))
        .with_approver(cladgen_run::ApproveAll);
    let server = McpServer::new(tools, Runner::new(config)).with_approval(ApprovalMode::Runner);
    let Some(facts) = drive(server, "elicit_decline").await else {
        return;
    };
    assert_eq!(facts["call"]["is_error"], false, "{facts}");
    assert_eq!(facts["asked"], json!([]));
}

/// An rmcp client that answers elicitation.
struct RmcpApprover {
    action: rmcp::model::ElicitationAction,
    protocol: rmcp::model::ProtocolVersion,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl rmcp::ClientHandler for RmcpApprover {
    async fn create_elicitation(
        &self,
        request: rmcp::model::ElicitRequestParams,
        _context: rmcp::service::RequestContext<rmcp::RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        if let rmcp::model::ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.asked.lock().unwrap().push(message);
        }
        let mut r = rmcp::model::ElicitResult::new(self.action.clone());
        if self.action == rmcp::model::ElicitationAction::Accept {
            r.content = Some(json!({"approve": true}));
        }
        Ok(r)
    }

    fn get_info(&self) -> rmcp::model::ClientConfig {
        let mut info = rmcp::model::ClientConfig::new(
            rmcp::model::ClientCapabilities::builder()
                .enable_elicitation()
                .build(),
            rmcp::model::Implementation::new("rmcp-approver", "0"),
        );
        info.protocol_version = self.protocol.clone();
        info
    }
}

/// rmcp's client: accepting runs the call, declining refuses it, and a client without
/// the capability (`()`) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_approval_through_elicitation() {
    use rmcp::ServiceExt;
    use rmcp::model::{CallToolRequestParams, ElicitationAction, ProtocolVersion};
    async fn call_guarded<C: rmcp::service::Service<rmcp::RoleClient>>(
        dir: &Path,
        client: C,
    ) -> rmcp::model::CallToolResult {
        let (client_side, server_side) = tokio::io::duplex(256 * 1024);
        let (sr, sw) = tokio::io::split(server_side);
        let shutdown = CancellationToken::new();
        tokio::spawn(server(dir).serve_io(sr, sw, shutdown.clone()));
        let running = client
            .serve(tokio::io::split(client_side))
            .await
            .expect("initialize");
        let r = running
            .call_tool(CallToolRequestParams::new("guarded"))
            .await
            .expect("a result");
        running.cancel().await.expect("the client stops");
        shutdown.cancel();
        r
    }
    let text = |r: &rmcp::model::CallToolResult| {
        r.content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect::<String>()
    };
    let dir = tmp_dir("rmcp-elicit");
    for (action, ok, needle) in [
        (ElicitationAction::Accept, true, "status: success"),
        (ElicitationAction::Decline, false, "declined"),
    ] {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let approver = RmcpApprover {
            action,
            protocol: ProtocolVersion::V_2025_11_25,
            asked: asked.clone(),
        };
        let r = call_guarded(&dir.0, approver).await;
        assert_eq!(r.is_error, Some(!ok), "{}", text(&r));
        assert!(text(&r).contains(needle), "{}", text(&r));
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert!(asked[0].contains(r#"["/bin/true"]"#), "{}", asked[0]);
    }
    let r = call_guarded(&dir.0, ()).await;
    assert_eq!(r.is_error, Some(true));
    assert!(
        text(&r).contains("did not declare the elicitation capability"),
        "{}",
        text(&r)
    );
}

/// A `human_approval` session command is put to the client through elicitation like
/// any other tool: accepted, its text reaches the program; declined, it never does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_commands_are_approved_through_elicitation() {
    use rmcp::ServiceExt;
    use rmcp::model::{CallToolRequestParams, ElicitationAction, ProtocolVersion};
    if !python3_found() {
        return;
    }
    let dir = tmp_dir("session-elicit");
    let manifest = dir.0.join("guarded_calc.clad.toml");
    std::fs::write(
        &manifest,
        r#"[tool]
name = "guarded_calc"
version = "1.0.0"
description = "A calculator session whose every command needs approval."
timeout_seconds = 10
risk_tier = "low"
human_approval = true
mode = "session"

[session]
startup_command = "python3 -I -q -i"
ready_pattern = '^>>> $'

[session.commands.evaluate]
pattern = '^[0-9]{1,6} [+*] [0-9]{1,6}$'
description = "Evaluate a sum or product of two integers."

[output]
format = "text"
envelope = true

[output.schema]
type = "object"
"#,
    )
    .unwrap();
    let text = |r: &rmcp::model::CallToolResult| {
        r.content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect::<String>()
    };
    for (action, ok) in [
        (ElicitationAction::Accept, true),
        (ElicitationAction::Decline, false),
    ] {
        let tools = ToolSet::load(std::slice::from_ref(&manifest), None).expect("loads");
        let server = McpServer::new(
            tools,
            Runner::new(RunConfig::default().with_evidence_dir(dir.0.join("evidence"))),
        );
        let (client_side, server_side) = tokio::io::duplex(256 * 1024);
        let (sr, sw) = tokio::io::split(server_side);
        let shutdown = CancellationToken::new();
        tokio::spawn(server.serve_io(sr, sw, shutdown.clone()));
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let approver = RmcpApprover {
            action,
            protocol: ProtocolVersion::V_2025_11_25,
            asked: asked.clone(),
        };
        let running = approver
            .serve(tokio::io::split(client_side))
            .await
            .expect("initialize");
        let r = running
            .call_tool(
                CallToolRequestParams::new("guarded_calc__evaluate")
                    .with_arguments(json!({"command": "6 * 7"}).as_object().unwrap().clone()),
            )
            .await
            .expect("a result");
        running.cancel().await.expect("the client stops");
        shutdown.cancel();
        assert_eq!(r.is_error, Some(!ok), "{}", text(&r));
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 1, "one question per call");
        assert!(
            asked[0].contains("6 * 7"),
            "the exact text is shown: {}",
            asked[0]
        );
        if ok {
            let env = r.structured_content.expect("structuredContent");
            assert!(
                env["session"]["output"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("42")
                    || env["results"].to_string().contains("42"),
                "{env}"
            );
        } else {
            assert!(
                text(&r).contains("nothing was sent to the session"),
                "{}",
                text(&r)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tool_is_a_protocol_error_and_serving_goes_on() {
    let dir = tmp_dir("unknown");
    let Some(facts) = drive(server(&dir.0), "unknown").await else {
        return;
    };
    let err = facts["error"].as_str().expect("a JSON-RPC error");
    assert!(err.contains("no_such_tool"), "{err}");
    assert_eq!(facts["after"]["is_error"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_sent_while_a_tool_runs() {
    let dir = tmp_dir("progress");
    let Some(facts) = drive(server(&dir.0), "progress").await else {
        return;
    };
    assert_eq!(facts["call"]["structured"]["status"], "success");
    let seen = facts["progress"].as_array().unwrap();
    // 3 s of running at a 0.5 s interval; a loaded machine may deliver fewer.
    assert!(!seen.is_empty(), "no progress notification");
    assert!(seen[0]["message"].as_str().unwrap().contains("sleeper"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_kills_the_process_group() {
    let dir = tmp_dir("cancel");
    let Some(facts) = drive(server(&dir.0), "cancel").await else {
        return;
    };
    assert_eq!(facts["cancelled"], true);
    assert_eq!(facts["after"]["is_error"], false);
    let pgid: i32 = std::fs::read_to_string(dir.0.join("sleeper.pid"))
        .expect("the sleeper started")
        .trim()
        .parse()
        .unwrap();
    assert!(pgid > 1);
    assert!(
        group_gone(pgid).await,
        "process group {pgid} still exists after the cancel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_all_complete() {
    let dir = tmp_dir("concurrent");
    let Some(facts) = drive(server(&dir.0), "concurrent").await else {
        return;
    };
    let calls = facts["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 6);
    for (i, c) in calls.iter().enumerate() {
        assert_eq!(
            c["structured"]["results"]["raw_output"],
            format!("hello n{i}\n")
        );
    }
}

/// Raw JSON-RPC lines, no SDK: a line that is not JSON gets a parse error and the
/// server goes on to answer `initialize`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_line_gets_a_parse_error_and_serving_goes_on() {
    let dir = tmp_dir("malformed");
    let (client, server_side) = tokio::io::duplex(64 * 1024);
    let (sr, sw) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server(&dir.0).serve_io(sr, sw, shutdown.clone()));
    let (cr, mut cw) = tokio::io::split(client);
    let mut lines = BufReader::new(cr).lines();
    cw.write_all(b"this is not json {\n").await.unwrap();
    let line = lines.next_line().await.unwrap().expect("an answer");
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["error"]["code"], -32700, "{line}");
    assert_eq!(v["id"], Value::Null);
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    cw.write_all(format!("{init}\n").as_bytes()).await.unwrap();
    let line = lines.next_line().await.unwrap().expect("an answer");
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["id"], 1, "{line}");
    assert_eq!(v["result"]["serverInfo"]["name"], "cladgen");
    cw.shutdown().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), served).await;
    assert!(ended.is_ok(), "closing the input ends the session");
}

/// Whether process group `pgid` is gone, waiting up to 10 s (the runner kills and
/// reaps, with its grace period, after the cancel arrives).
async fn group_gone(pgid: i32) -> bool {
    let pid = rustix::process::Pid::from_raw(pgid).unwrap();
    for _ in 0..100 {
        if rustix::process::test_kill_process_group(pid).is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// rmcp's own client over an in-memory pipe: the `structuredContent` of a success and
/// of a failure is valid against the advertised `outputSchema`, and an abandoned call
/// (rmcp sends `notifications/cancelled`) kills the tool's process group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_list_call_schema_and_cancel() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let dir = tmp_dir("rmcp");
    let (client_side, server_side) = tokio::io::duplex(256 * 1024);
    let (sr, sw) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server(&dir.0).serve_io(sr, sw, shutdown.clone()));
    let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");
    let tools = client.list_all_tools().await.unwrap();
    let greet = tools.iter().find(|t| t.name == "greet").expect("greet");
    let schema = Value::Object((**greet.output_schema.as_ref().expect("outputSchema")).clone());
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let args = |v: Value| v.as_object().unwrap().clone();

    let ok = client
        .call_tool(
            CallToolRequestParams::new("greet")
                .with_arguments(args(json!({"name": "r", "times": 1}))),
        )
        .await
        .unwrap();
    assert_eq!(ok.is_error, Some(false));
    let env = ok.structured_content.expect("structuredContent");
    assert!(validator.is_valid(&env), "{env}");
    assert_eq!(env["results"]["raw_output"], "hello r\n");

    // A tool that cannot start (its program is gone) is an envelope too, valid
    // against the same schema.
    std::fs::remove_file(dir.0.join("greet.sh")).unwrap();
    let failed = client
        .call_tool(
            CallToolRequestParams::new("greet")
                .with_arguments(args(json!({"name": "r", "times": 1}))),
        )
        .await
        .unwrap();
    assert_eq!(failed.is_error, Some(true));
    let env = failed.structured_content.expect("structuredContent");
    assert_eq!(env["status"], "error");
    assert!(validator.is_valid(&env), "{env}");

    let abandoned = tokio::time::timeout(
        Duration::from_millis(1500),
        client.call_tool(
            CallToolRequestParams::new("sleeper").with_arguments(args(json!({"seconds": 30}))),
        ),
    )
    .await;
    assert!(abandoned.is_err(), "the sleeper cannot have finished");
    let pgid: i32 = std::fs::read_to_string(dir.0.join("sleeper.pid"))
        .expect("the sleeper started")
        .trim()
        .parse()
        .unwrap();
    assert!(
        group_gone(pgid).await,
        "process group {pgid} survived the cancel"
    );
    client.cancel().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), served).await;
    assert!(ended.is_ok(), "the session ends when the client leaves");
}

/// Shutdown (what SIGTERM does in `cladgen serve`) cancels every running call: the
/// tool's process group is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kills_running_tools() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let dir = tmp_dir("shutdown");
    let (client_side, server_side) = tokio::io::duplex(256 * 1024);
    let (sr, sw) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server(&dir.0).serve_io(sr, sw, shutdown.clone()));
    let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");
    let args = json!({"seconds": 30}).as_object().unwrap().clone();
    let call = tokio::spawn(async move {
        let r = client
            .call_tool(CallToolRequestParams::new("sleeper").with_arguments(args))
            .await;
        (client, r)
    });
    let pid_file = dir.0.join("sleeper.pid");
    let mut pgid = None;
    for _ in 0..100 {
        if let Some(p) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            pgid = Some(p);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pgid = pgid.expect("the sleeper started");
    shutdown.cancel();
    assert!(
        group_gone(pgid).await,
        "process group {pgid} survived the shutdown"
    );
    let ended = tokio::time::timeout(Duration::from_secs(10), served).await;
    assert!(ended.is_ok(), "the session ends on shutdown");
    call.abort();
}

/// The annotation mapping on the bundled manifests: `[http]` and `[mcp]` tools are open world,
/// a critical approval tool is destructive, a low-risk command tool says neither.
#[test]
fn annotations_follow_backend_risk_and_approval() {
    let root = workspace_root().join("manifests");
    let tools = ToolSet::load(&[root], None).expect("the bundled manifests load");
    let all = tools.tools();
    let get = |name: &str| {
        let t = all
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        serde_json::to_value(t).unwrap()
    };
    let http = get("code_search");
    assert_eq!(http["annotations"]["openWorldHint"], true, "{http}");
    assert_eq!(get("create_ticket")["annotations"]["openWorldHint"], true);
    let exploit = get("msf_exploit");
    assert_eq!(exploit["annotations"]["destructiveHint"], true);
    let whois = get("whois_lookup");
    assert_eq!(whois["title"], "whois_lookup");
    assert!(
        whois["annotations"].get("destructiveHint").is_none(),
        "{whois}"
    );
    assert!(
        whois["annotations"].get("openWorldHint").is_none(),
        "{whois}"
    );
    assert!(
        whois["annotations"].get("readOnlyHint").is_none(),
        "{whois}"
    );
    assert!(all.iter().any(|t| t.name.starts_with("webapp_browser__")));
}

#[test]
fn an_invalid_manifest_fails_the_whole_load() {
    let dir = tmp_dir("invalid");
    let tools = fixture(&dir.0);
    std::fs::write(tools.join("broken.clad.toml"), "[tool]\nname = 3\n").unwrap();
    let err = ToolSet::load(&[tools], None).unwrap_err().to_string();
    assert!(err.contains("broken.clad.toml"), "{err}");
}

/// The `@modelcontextprotocol/server-everything` entry point, or `None` (skip)
/// outside CI (`.ci/run` installs it into `.ci/node`).
fn server_everything() -> Option<PathBuf> {
    let path = workspace_root()
        .join(".ci/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: .ci/run installs it (npm install --prefix .ci/node @modelcontextprotocol/server-everything)",
        path.display()
    );
    eprintln!("skipped: no server-everything at {}", path.display());
    None
}

/// An `[mcp]` tool served by cladgen and proxied to the Python fixture upstream
/// (run/tests/run/mcp_upstream.py) and to server-everything, driven by rmcp's client:
/// typed arguments arrive as such, isError is an error envelope, and the drift check
/// refuses a manifest whose upstream tool does not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_tools_are_proxied_to_upstream_servers() {
    use cladgen_run::mcp::{McpServers, ServerSpec};
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let (Some(python), Some(everything)) = (python(), server_everything()) else {
        return;
    };
    let dir = tmp_dir("proxy");
    let tools = dir.0.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let manifest = |name: &str, server: &str, tool: &str, args: &str| {
        format!(
            "[tool]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"Proxied.\"\ntimeout_seconds = 20\n\n{args}\n[mcp]\nserver = \"{server}\"\ntool = \"{tool}\"\n\n[output]\nformat = \"text\"\n"
        )
    };
    let int = |n: &str, p: u32| {
        format!(
            "[args.{n}]\nposition = {p}\nrequired = true\ntype = \"integer\"\ndescription = \"N.\"\n"
        )
    };
    std::fs::write(
        tools.join("sum.clad.toml"),
        manifest(
            "sum",
            "everything",
            "get-sum",
            &(int("a", 1) + &int("b", 2)),
        ),
    )
    .unwrap();
    std::fs::write(
        tools.join("fail.clad.toml"),
        manifest(
            "fail",
            "fixture",
            "fail",
            "[args.reason]\nposition = 1\nrequired = true\ntype = \"string\"\ndescription = \"R.\"\n",
        ),
    )
    .unwrap();
    let servers = McpServers::from_specs([
        ServerSpec {
            name: "everything".into(),
            command: "node".into(),
            args: vec![everything.display().to_string(), "stdio".into()],
            env: vec![],
        },
        ServerSpec {
            name: "fixture".into(),
            command: python.display().to_string(),
            args: vec![
                workspace_root()
                    .join("run/tests/run/mcp_upstream.py")
                    .display()
                    .to_string(),
            ],
            env: vec![],
        },
    ]);
    let make = |servers: McpServers| {
        let set = ToolSet::load(std::slice::from_ref(&tools), None).expect("tools load");
        let config = RunConfig::default()
            .with_evidence_dir(dir.0.join("evidence"))
            .with_approver(RefuseApproval);
        McpServer::new(set, Runner::new(config).with_mcp_servers(servers))
    };
    let server = make(servers.clone());
    server.check_upstreams().await.expect("no drift");

    let (client_side, server_side) = tokio::io::duplex(256 * 1024);
    let (sr, sw) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server.serve_io(sr, sw, shutdown.clone()));
    let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");
    let listed = client.list_all_tools().await.unwrap();
    let sum = listed.iter().find(|t| t.name == "sum").expect("sum");
    let schema = Value::Object((**sum.output_schema.as_ref().unwrap()).clone());
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let args = |v: Value| v.as_object().unwrap().clone();
    let ok = client
        .call_tool(CallToolRequestParams::new("sum").with_arguments(args(json!({"a": 40, "b": 2}))))
        .await
        .unwrap();
    let env = ok.structured_content.expect("structuredContent");
    assert_eq!(ok.is_error, Some(false), "{env}");
    assert!(validator.is_valid(&env), "{env}");
    assert!(
        env["results"]["raw_output"]
            .as_str()
            .unwrap()
            .contains("42"),
        "{env}"
    );
    assert_eq!(
        env["command"],
        r#"mcp://everything/get-sum '{"a":40,"b":2}'"#
    );

    let failed = client
        .call_tool(CallToolRequestParams::new("fail").with_arguments(args(json!({"reason": "no"}))))
        .await
        .unwrap();
    assert_eq!(failed.is_error, Some(true));
    let env = failed.structured_content.unwrap();
    assert_eq!(env["status"], "error");
    assert!(
        env["error"]
            .as_str()
            .unwrap()
            .contains("refused on purpose: no"),
        "{env}"
    );
    client.cancel().await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(10), served).await;

    // Drift: a manifest naming an upstream tool that does not exist.
    std::fs::write(
        tools.join("gone.clad.toml"),
        manifest("gone", "everything", "no-such-tool", ""),
    )
    .unwrap();
    let server = make(servers);
    let report = server.check_upstreams().await.expect_err("drift");
    let text = report.to_string();
    assert!(
        text.contains("tool 'gone' ([mcp] server 'everything', tool 'no-such-tool')")
            && text.contains("has no tool of that name"),
        "{text}"
    );
    assert_eq!(report.0.len(), 1, "{text}");
}
mod http;

/// Session tools over MCP: each client connection has its own session of
/// `python_calc` (Debian's `python3`), kept across calls and killed when the
/// connection ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_commands_keep_state_per_connection() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    if !python3_found() {
        return;
    }
    let dir = tmp_dir("sessions");
    let tools = ToolSet::load(
        &[workspace_root().join("manifests/python_calc.clad.toml")],
        None,
    )
    .expect("the bundled manifest loads");
    let server = McpServer::new(
        tools,
        Runner::new(RunConfig::default().with_evidence_dir(dir.0.join("evidence"))),
    );
    let connect = |srv: McpServer| async move {
        let (client_side, server_side) = tokio::io::duplex(256 * 1024);
        let (sr, sw) = tokio::io::split(server_side);
        let shutdown = CancellationToken::new();
        let served = tokio::spawn(srv.serve_io(sr, sw, shutdown.clone()));
        let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");
        (client, shutdown, served)
    };
    let (a, a_stop, a_served) = connect(server.for_connection()).await;
    let (b, b_stop, b_served) = connect(server.for_connection()).await;
    let call = |name: &'static str, text: &'static str| {
        CallToolRequestParams::new(name)
            .with_arguments(json!({"command": text}).as_object().unwrap().clone())
    };
    let names: Vec<String> = a
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["python_calc__assign", "python_calc__evaluate"]);

    let r = a
        .call_tool(call("python_calc__assign", "x = 40 + 2"))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(false), "{r:?}");
    let env = r.structured_content.expect("structuredContent");
    assert_eq!(env["session"]["state"], "open");
    let transcript = env["output_file"].as_str().unwrap().to_owned();
    let r = a
        .call_tool(call("python_calc__evaluate", "x"))
        .await
        .unwrap();
    let env = r.structured_content.expect("structuredContent");
    assert_eq!(env["results"]["raw_output"], "42\n", "{env}");
    assert_eq!(env["session"]["interaction"], 2);
    // The other connection has its own session: no `x` there.
    let r = b
        .call_tool(call("python_calc__evaluate", "x"))
        .await
        .unwrap();
    let env_b = r.structured_content.expect("structuredContent");
    assert!(
        env_b["results"]["raw_output"]
            .as_str()
            .unwrap()
            .contains("NameError"),
        "{env_b}"
    );
    assert_ne!(env_b["session"]["id"], env["session"]["id"]);
    // A command outside the pattern is refused and never sent.
    let r = a
        .call_tool(call("python_calc__evaluate", "x.real"))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(r.structured_content.is_none());

    // The end of connection A ends its session: its program's group is killed.
    let pid: i32 = std::fs::read_to_string(&transcript)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["event"] == "spawned")
        .and_then(|v| v["pid"].as_i64())
        .expect("the transcript names the pid") as i32;
    drop(a);
    a_stop.cancel();
    let _ = a_served.await;
    assert!(
        group_gone(pid).await,
        "the session of the closed connection still runs"
    );
    let t = std::fs::read_to_string(&transcript).unwrap();
    assert_eq!(t.matches("\"event\":\"command\"").count(), 2, "{t}");
    drop(b);
    b_stop.cancel();
    let _ = b_served.await;
}
