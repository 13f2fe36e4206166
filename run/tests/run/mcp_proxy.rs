//! `[mcp]` tools through the proxy (feature `mcp-proxy`), against real upstream
//! servers nobody here wrote: a fixture on the official Python SDK (`mcp`, in
//! `.ci/venv`) and the official `@modelcontextprotocol/server-everything` from npm
//! (in `.ci/node`). Both are created by `.ci/run`; without them these cases are
//! skipped, except in CI (`CI=true`), where that is a failure.

use super::{assert_group_gone, checked, config, load, run_json, tmp_dir};
use cladgen_core::model::Manifest;
use cladgen_run::mcp::{ConfigError, DriftProblem, McpServers, ServerSpec, check_upstreams};
use cladgen_run::{RunError, Runner, Status};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A program the tests need, or `None` (skip) outside CI.
fn needed(path: PathBuf, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: .ci/run installs {what}",
        path.display()
    );
    eprintln!(
        "skipped: {} is missing ({what}; see .ci/run)",
        path.display()
    );
    None
}

/// The Python fixture server, as a stdio server spec named `fixture`.
fn python_fixture(env: Vec<(String, String)>) -> Option<ServerSpec> {
    let python = needed(
        std::env::var_os("CLADGEN_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join(".ci/venv/bin/python")),
        "the MCP Python SDK (python3 -m venv .ci/venv && .ci/venv/bin/pip install mcp)",
    )?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/run/mcp_upstream.py");
    Some(ServerSpec {
        name: "fixture".to_owned(),
        command: python.display().to_string(),
        args: vec![script.display().to_string()],
        env,
    })
}

/// `@modelcontextprotocol/server-everything` on Node, named `everything`.
fn everything(env: Vec<(String, String)>) -> Option<ServerSpec> {
    let entry = needed(
        workspace_root()
            .join(".ci/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js"),
        "@modelcontextprotocol/server-everything (npm install --prefix .ci/node @modelcontextprotocol/server-everything)",
    )?;
    Some(ServerSpec {
        name: "everything".to_owned(),
        command: "node".to_owned(),
        args: vec![entry.display().to_string(), "stdio".to_owned()],
        env,
    })
}

/// An `[mcp]` manifest: `args` and `field_map` are TOML fragments.
fn mcp_tool(server: &str, tool: &str, timeout: u64, args: &str, extra: &str) -> Manifest {
    let output = if extra.contains("[output]") {
        ""
    } else {
        "\n[output]\nformat = \"text\"\n"
    };
    load(&format!(
        r#"
[tool]
name = "proxied"
version = "1.0.0"
description = "A proxied upstream tool."
timeout_seconds = {timeout}

{args}

[mcp]
server = "{server}"
tool = "{tool}"
{extra}
{output}
"#
    ))
}

const TYPED_ARGS: &str = r#"
[args.count]
position = 1
required = true
type = "integer"
description = "A count."

[args.verbose]
position = 2
required = true
type = "boolean"
description = "A flag."

[args.name]
position = 3
required = true
type = "string"
description = "A label."
"#;

/// The `typed` fixture tool's manifest; `tool_extra` goes into `[tool]`, `extra`
/// at the end.
fn typed_toml(tool_extra: &str, extra: &str) -> String {
    let output = if extra.contains("[output]") {
        ""
    } else {
        "\n[output]\nformat = \"text\"\n"
    };
    format!(
        r#"
[tool]
name = "proxied"
version = "1.0.0"
description = "A proxied upstream tool."
timeout_seconds = 20
{tool_extra}

{TYPED_ARGS}

[mcp]
server = "fixture"
tool = "typed"

[mcp.field_map]
name = "label"
{extra}
{output}
"#
    )
}

fn typed_tool() -> Manifest {
    load(&typed_toml("", ""))
}

fn json_output() -> &'static str {
    "\n[output]\nformat = \"json\"\n\n[output.schema]\ntype = \"object\"\n"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_upstream_gets_typed_values_and_structured_content_becomes_results() {
    let Some(spec) = python_fixture(Vec::new()) else {
        return;
    };
    let dir = tmp_dir("mcp-typed");
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let m = load(&typed_toml("", json_output()));
    let e = run_json(
        &runner,
        &m,
        json!({"count": 7, "verbose": true, "name": "x y"}),
    )
    .await
    .unwrap();
    let j = checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{j:#}");
    let r = e.results.as_ref().unwrap();
    // The upstream saw a JSON integer and a JSON boolean, not strings.
    assert_eq!(r["count"], 7);
    assert_eq!(r["count_type"], "int");
    assert_eq!(r["verbose_type"], "bool");
    assert_eq!(r["label"], "x y", "field_map renamed name → label");
    assert_eq!(
        e.command,
        r#"mcp://fixture/typed '{"count":7,"verbose":true,"label":"x y"}'"#
    );
    // Evidence: the upstream's whole result, hashed (checked() compares the hash).
    let evidence: Value =
        serde_json::from_slice(&std::fs::read(e.output_file.as_ref().unwrap()).unwrap()).unwrap();
    assert_eq!(evidence["structuredContent"]["count"], 7);
    assert_eq!(
        e.stdout_bytes,
        std::fs::metadata(e.output_file.as_ref().unwrap())
            .unwrap()
            .len()
    );

    // Reused across calls: the same process answers the second call.
    let pid = runner
        .upstreams()
        .unwrap()
        .process_id("fixture")
        .await
        .unwrap();
    let e2 = run_json(
        &runner,
        &m,
        json!({"count": 1, "verbose": false, "name": "b"}),
    )
    .await
    .unwrap();
    assert_eq!(e2.status, Status::Success);
    assert_eq!(e2.results.unwrap()["verbose"], false);
    assert_eq!(
        runner.upstreams().unwrap().process_id("fixture").await,
        Some(pid)
    );

    runner.shutdown().await;
    assert_group_gone(pid as i32);
    assert_eq!(
        runner.upstreams().unwrap().process_id("fixture").await,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_content_is_parsed_per_output_format() {
    let Some(spec) = python_fixture(Vec::new()) else {
        return;
    };
    let dir = tmp_dir("mcp-text");
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let m = mcp_tool("fixture", "json_text", 20, "", json_output());
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    assert_eq!(e.results.unwrap(), json!({"answer": 42, "source": "text"}));

    // format = "text": {raw_output}.
    let m = mcp_tool("fixture", "json_text", 20, "", "");
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    assert_eq!(
        e.results.unwrap()["raw_output"],
        r#"{"answer": 42, "source": "text"}"#
    );
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_is_error_becomes_status_error() {
    let Some(spec) = python_fixture(Vec::new()) else {
        return;
    };
    let dir = tmp_dir("mcp-error");
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let args =
        "[args.reason]\nposition = 1\nrequired = true\ntype = \"string\"\ndescription = \"Why.\"\n";
    let m = mcp_tool("fixture", "fail", 20, args, "");
    let e = run_json(&runner, &m, json!({"reason": "because"}))
        .await
        .unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Error);
    assert_eq!(e.results, None);
    let err = e.error.unwrap();
    assert!(
        err.contains("isError") && err.contains("refused on purpose: because"),
        "{err}"
    );
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_upstream_times_out_and_its_process_group_is_stopped() {
    let dir = tmp_dir("mcp-hang");
    let marker = dir.join("cancelled");
    let Some(spec) = python_fixture(vec![(
        "CANCEL_MARKER".to_owned(),
        marker.display().to_string(),
    )]) else {
        return;
    };
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let args = "[args.seconds]\nposition = 1\nrequired = true\ntype = \"integer\"\ndescription = \"How long.\"\n";
    let m = mcp_tool("fixture", "hang", 1, args, "");
    let started = std::time::Instant::now();
    let run = run_json(&runner, &m, json!({"seconds": 60}));
    // The pid, while the call hangs.
    let pid = async {
        loop {
            if let Some(p) = runner.upstreams().unwrap().process_id("fixture").await {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (e, pid) = tokio::join!(run, pid);
    let e = e.unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Timeout, "{:?}", e.error);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(e.error.unwrap().contains("timed out after 1 s"));
    assert_group_gone(pid as i32);
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    // The next call starts the server again.
    let e = run_json(&runner, &m, json!({"seconds": 0})).await.unwrap();
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    let new_pid = runner
        .upstreams()
        .unwrap()
        .process_id("fixture")
        .await
        .unwrap();
    assert_ne!(new_pid, pid);
    runner.shutdown().await;
    assert_group_gone(new_pid as i32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_cancellation_is_forwarded_as_notifications_cancelled() {
    let dir = tmp_dir("mcp-cancel");
    let marker = dir.join("cancelled");
    let Some(spec) = python_fixture(vec![(
        "CANCEL_MARKER".to_owned(),
        marker.display().to_string(),
    )]) else {
        return;
    };
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let args = "[args.seconds]\nposition = 1\nrequired = true\ntype = \"integer\"\ndescription = \"How long.\"\n";
    let m = mcp_tool("fixture", "hang", 60, args, "");
    let call = cladgen_core::invoke::Call::from_json(
        &m,
        &json!({"seconds": 60}),
        &cladgen_core::value::ParseOptions::default(),
    )
    .unwrap();
    let cancel = cladgen_run::CancellationToken::new();
    let stop = cancel.clone();
    let canceller = async {
        // Cancel once the upstream runs (and has had time to receive the call).
        while runner
            .upstreams()
            .unwrap()
            .process_id("fixture")
            .await
            .is_none()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.cancel();
    };
    let run = runner.run_until(
        &m,
        call.values(),
        |ctx| call.plan(ctx, &cladgen_core::invoke::EnvSecrets),
        &cancel,
    );
    let (e, ()) = tokio::join!(run, canceller);
    let e = e.unwrap();
    assert_eq!(e.status, Status::Error);
    assert!(e.error.unwrap().contains("notifications/cancelled"));
    // The upstream cancelled its handler (it wrote the marker) and keeps running.
    let mut seen = false;
    for _ in 0..200 {
        if std::fs::read_to_string(&marker).is_ok_and(|s| s == "cancelled") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen, "the upstream never saw notifications/cancelled");
    let pid = runner.upstreams().unwrap().process_id("fixture").await;
    assert!(
        pid.is_some(),
        "a host cancellation does not stop the upstream"
    );
    runner.shutdown().await;
    assert_group_gone(pid.unwrap() as i32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_runs_first_and_the_approver_sees_the_upstream_call() {
    let Some(spec) = python_fixture(Vec::new()) else {
        return;
    };
    let dir = tmp_dir("mcp-gate");
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let m = load(&typed_toml("human_approval = true", ""));
    let err = run_json(
        &runner,
        &m,
        json!({"count": 1, "verbose": true, "name": "n"}),
    )
    .await
    .unwrap_err();
    let RunError::Refused(refusal) = &err else {
        panic!("{err}");
    };
    assert!(
        refusal.for_llm().contains("approv"),
        "{}",
        refusal.for_llm()
    );
    // Nothing started: the upstream is only started after the gate.
    assert_eq!(
        runner.upstreams().unwrap().process_id("fixture").await,
        None
    );

    // The approver gets the exact upstream tool and arguments.
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<Vec<String>>>>;
    struct Recorder(Seen);
    impl cladgen_run::Approver for Recorder {
        fn approve<'a>(
            &'a self,
            r: &'a cladgen_run::ApprovalRequest<'a>,
        ) -> cladgen_run::BoxFuture<'a, cladgen_run::Approval> {
            self.0.lock().unwrap().push(r.argv.to_vec());
            Box::pin(std::future::ready(cladgen_run::Approval::Denied(
                "no".into(),
            )))
        }
    }
    let seen = Seen::default();
    let spec = python_fixture(Vec::new()).unwrap();
    let runner = Runner::new(config(&dir).with_approver(Recorder(Seen::clone(&seen))))
        .with_mcp_servers(McpServers::from_specs([spec]));
    let _ = run_json(
        &runner,
        &m,
        json!({"count": 2, "verbose": false, "name": "n"}),
    )
    .await;
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [vec![
            "mcp://fixture/typed".to_owned(),
            r#"{"count":2,"verbose":false,"label":"n"}"#.to_owned()
        ]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_server_and_unstartable_server() {
    let dir = tmp_dir("mcp-unknown");
    let m = mcp_tool("nowhere", "x", 5, "", "");
    // No configuration at all.
    let runner = Runner::new(config(&dir));
    let err = run_json(&runner, &m, json!({})).await.unwrap_err();
    assert!(matches!(err, RunError::Upstream { .. }), "{err}");
    assert!(err.to_string().contains("--mcp-config"), "{err}");
    // A server that cannot start: an envelope error naming it.
    let spec = ServerSpec {
        name: "nowhere".into(),
        command: "/nonexistent/mcp-server".into(),
        args: vec![],
        env: vec![],
    };
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    assert_eq!(e.status, Status::Error);
    let err = e.error.unwrap();
    assert!(
        err.contains("'nowhere' did not start") && err.contains("no such file"),
        "{err}"
    );
    // A program that is no MCP server: the handshake fails, its stderr is shown.
    let spec = ServerSpec {
        name: "nowhere".into(),
        command: "sh".into(),
        args: vec!["-c".into(), "echo not an mcp server >&2; exit 3".into()],
        env: vec![],
    };
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    assert_eq!(e.status, Status::Error);
    assert!(e.stderr.contains("not an mcp server"), "{:?}", e);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_server_typed_number_and_boolean_and_env() {
    let Some(spec) = everything(vec![("PROXY_TEST_SECRET".into(), "s3cr3t-value".into())]) else {
        return;
    };
    // SAFETY: set before the upstream starts, read only by it (not on the allow-list).
    unsafe { std::env::set_var("CLADGEN_PROXY_NOT_ALLOWED", "leak") };
    let dir = tmp_dir("mcp-everything");
    let runner = Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([spec]));
    // get-sum: zod refuses strings, so a sum proves JSON numbers arrived.
    let args = "[args.a]\nposition = 1\nrequired = true\ntype = \"integer\"\ndescription = \"A.\"\n\n[args.b]\nposition = 2\nrequired = true\ntype = \"integer\"\ndescription = \"B.\"\n";
    let m = mcp_tool("everything", "get-sum", 20, args, "");
    let e = run_json(&runner, &m, json!({"a": 40, "b": 2}))
        .await
        .unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    let text = e.results.unwrap()["raw_output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("42"), "{text}");

    // A boolean: includeImage = true adds an image block (kept in the evidence).
    let args = "[args.kind]\nposition = 1\nrequired = true\ntype = \"enum\"\nallowed = [\"error\", \"success\", \"debug\"]\ndescription = \"K.\"\n\n[args.image]\nposition = 2\nrequired = false\ntype = \"boolean\"\ndefault = false\ndescription = \"I.\"\n";
    let m = mcp_tool(
        "everything",
        "get-annotated-message",
        20,
        args,
        "\n[mcp.field_map]\nkind = \"messageType\"\nimage = \"includeImage\"\n",
    );
    let e = run_json(&runner, &m, json!({"kind": "success", "image": true}))
        .await
        .unwrap();
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    let evidence: Value =
        serde_json::from_slice(&std::fs::read(e.output_file.as_ref().unwrap()).unwrap()).unwrap();
    let kinds: Vec<&str> = evidence["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["type"].as_str())
        .collect();
    assert!(kinds.contains(&"image"), "{evidence}");

    // The environment: the config's env and the allow-list, nothing else.
    let m = mcp_tool("everything", "get-env", 20, "", "");
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    let env_text = e.results.unwrap()["raw_output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(env_text.contains("s3cr3t-value"), "{env_text}");
    assert!(env_text.contains("\"PATH\""), "{env_text}");
    assert!(
        !env_text.contains("CLADGEN_PROXY_NOT_ALLOWED"),
        "{env_text}"
    );

    // A long operation past timeout_seconds: timeout, the group is gone.
    let args = "[args.duration]\nposition = 1\nrequired = true\ntype = \"integer\"\ndescription = \"D.\"\n";
    let m = mcp_tool("everything", "trigger-long-running-operation", 1, args, "");
    let pid = runner
        .upstreams()
        .unwrap()
        .process_id("everything")
        .await
        .unwrap();
    let e = run_json(&runner, &m, json!({"duration": 30}))
        .await
        .unwrap();
    assert_eq!(e.status, Status::Timeout, "{:?}", e.error);
    assert_group_gone(pid as i32);
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_check_finds_missing_tools_and_schema_drift() {
    let (Some(fixture), Some(everything)) = (python_fixture(Vec::new()), everything(Vec::new()))
    else {
        return;
    };
    let dir = tmp_dir("mcp-drift");
    let runner =
        Runner::new(config(&dir)).with_mcp_servers(McpServers::from_specs([fixture, everything]));
    let good = typed_tool();
    let missing = mcp_tool("everything", "no-such-tool", 5, "", "");
    // echo's message is a string; sending an integer is drift; so is a renamed field.
    let wrong_type = mcp_tool(
        "everything",
        "echo",
        5,
        "[args.message]\nposition = 1\nrequired = true\ntype = \"integer\"\ndescription = \"M.\"\n",
        "",
    );
    let wrong_name = mcp_tool(
        "fixture",
        "typed",
        5,
        TYPED_ARGS,
        "\n[mcp.field_map]\nname = \"labl\"\n",
    );
    let optional = mcp_tool(
        "everything",
        "echo",
        5,
        "[args.message]\nposition = 1\nrequired = false\ntype = \"string\"\ndescription = \"M.\"\n",
        "",
    );
    let unconfigured = mcp_tool("github", "search_code", 5, "", "");
    assert!(runner.check_upstreams([&good]).await.is_empty());
    let errors = check_upstreams(
        [
            &good,
            &missing,
            &wrong_type,
            &wrong_name,
            &optional,
            &unconfigured,
        ],
        runner.upstreams().unwrap(),
    )
    .await;
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 6, "{text:#?}");
    assert!(
        matches!(&errors[0].problem, DriftProblem::ToolMissing { available } if available.contains(&"echo".to_owned()))
    );
    assert!(text[0].contains("tool 'proxied' ([mcp] server 'everything', tool 'no-such-tool')"));
    assert!(
        matches!(&errors[1].problem, DriftProblem::Type { field, ours, theirs, .. } if field == "message" && ours == "integer" && theirs == "string"),
        "{}",
        text[1]
    );
    assert!(
        matches!(&errors[2].problem, DriftProblem::NotAProperty { field, .. } if field == "labl"),
        "{}",
        text[2]
    );
    assert!(
        matches!(&errors[3].problem, DriftProblem::RequiredUnmapped { field } if field == "label"),
        "{}",
        text[3]
    );
    assert!(
        matches!(&errors[4].problem, DriftProblem::RequiredFromOptional { field, .. } if field == "message"),
        "{}",
        text[4]
    );
    assert!(
        text[5].contains("no upstream MCP server 'github'"),
        "{}",
        text[5]
    );
    runner.shutdown().await;
}

#[test]
fn config_files_parse_in_every_shape() {
    let f = Path::new("cfg.json");
    let claude = r#"{"mcpServers": {"git": {"command": "uvx", "args": ["mcp-server-git", "--repository", "a b"], "env": {"TOKEN": "t0ken"}}}}"#;
    let c = McpServers::from_json_str(f, claude).unwrap();
    let git = c.get("git").unwrap();
    assert_eq!(git.command, "uvx");
    assert_eq!(git.args, ["mcp-server-git", "--repository", "a b"]);
    assert_eq!(git.env, [("TOKEN".to_owned(), "t0ken".to_owned())]);
    assert!(
        !format!("{c:?}").contains("t0ken"),
        "Debug hides env values"
    );

    let vscode =
        r#"{"servers": {"git": {"type": "stdio", "command": "uvx", "args": ["mcp-server-git"]}}}"#;
    assert_eq!(
        McpServers::from_json_str(f, vscode)
            .unwrap()
            .get("git")
            .unwrap()
            .command,
        "uvx"
    );

    let toml = "[mcp_servers.git]\ncommand = \"uvx\"\nargs = [\"mcp-server-git\"]\n[mcp_servers.git.env]\nTOKEN = \"t0ken\"\n";
    let t = McpServers::from_toml_str(Path::new("cfg.toml"), toml).unwrap();
    assert_eq!(t.get("git").unwrap().env, git.env);
}

#[test]
fn config_errors_name_file_server_and_field() {
    let f = Path::new("/p/mcp.json");
    let err = |s: &str| McpServers::from_json_str(f, s).unwrap_err();
    let cases: [(&str, &str); 10] = [
        ("{", "/p/mcp.json: not valid JSON"),
        (r#"{"other": {}}"#, "no servers"),
        (
            r#"{"mcpServers": {}, "servers": {}}"#,
            "both 'mcpServers' and 'servers'",
        ),
        (
            r#"{"mcpServers": {"a": {"args": []}}}"#,
            "server 'a': field 'command': missing",
        ),
        (
            r#"{"mcpServers": {"a": {"command": 3}}}"#,
            "field 'command': expected a string, found a number",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "args": ["ok", 1]}}}"#,
            "field 'args[1]': expected a string",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "cwd": "/"}}}"#,
            "server 'a': unknown key 'cwd'",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "https://example.com/mcp"}}}"#,
            "server 'a': 'url' (a remote server over HTTP/SSE) is not supported yet",
        ),
        (
            r#"{"servers": {"a": {"type": "http", "command": "x"}}}"#,
            "server 'a': the 'type' = \"http\" transport is not supported yet",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "env": {"K": "${SECRET}"}}}}"#,
            "field 'env.K': '${...}' variable expansion is not supported yet",
        ),
    ];
    for (input, expected) in cases {
        let message = err(input).to_string();
        assert!(
            message.contains(expected),
            "{input}\n→ {message}\nexpected: {expected}"
        );
        assert!(message.starts_with("/p/mcp.json"), "{message}");
    }
    // An env value that is wrong is never quoted.
    let message =
        err(r#"{"mcpServers": {"a": {"command": "x", "env": {"K": 12345678}}}}"#).to_string();
    assert!(!message.contains("12345678"), "{message}");
    let toml_err = McpServers::from_toml_str(Path::new("m.toml"), "[servers.a]\ncommand = \"x\"\n")
        .unwrap_err();
    assert!(
        matches!(toml_err, ConfigError::NoServers { .. }),
        "{toml_err}"
    );
    let toml_err = McpServers::from_toml_str(
        Path::new("m.toml"),
        "[mcp_servers.a]\ncommand = \"x\"\nenvv = {}\n",
    )
    .unwrap_err();
    assert!(
        toml_err.to_string().contains("unknown key 'envv'"),
        "{toml_err}"
    );
    // Neither .json nor .toml.
    let dir = tmp_dir("mcp-cfg");
    let yaml = dir.join("mcp.yaml");
    std::fs::write(&yaml, "x").unwrap();
    assert!(matches!(
        McpServers::load(&yaml),
        Err(ConfigError::Format { .. })
    ));
}

#[test]
fn default_lookup_walks_up_and_refuses_two_candidates() {
    let dir = tmp_dir("mcp-find");
    let tools = dir.join("project/tools");
    std::fs::create_dir_all(&tools).unwrap();
    std::fs::write(dir.join("project/mcp.json"), "{\"mcpServers\": {}}").unwrap();
    let found = McpServers::find(&tools).unwrap().unwrap();
    assert_eq!(
        found,
        std::fs::canonicalize(dir.join("project/mcp.json")).unwrap()
    );
    std::fs::write(dir.join("project/mcp_servers.toml"), "").unwrap();
    assert!(matches!(
        McpServers::find(&tools),
        Err(ConfigError::Ambiguous { .. })
    ));
}
