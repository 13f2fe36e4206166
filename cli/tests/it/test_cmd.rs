//! `cladgen test`: end to end through the binary.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is inside the repository")
        .to_path_buf()
}

fn manifest(name: &str) -> PathBuf {
    repo().join("manifests").join(name)
}

fn cladgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(args)
        .output()
        .expect("run cladgen")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// A manifest written to a fresh temporary folder (no `toolclad.toml` above it is
/// assumed: the folder is under the system temp dir).
struct TempManifest {
    dir: PathBuf,
    path: PathBuf,
}

impl TempManifest {
    fn new(tag: &str, text: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cladgen-test-cmd-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("{tag}.clad.toml"));
        std::fs::write(&path, text).expect("write manifest");
        TempManifest { dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempManifest {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const ECHO: &str = r#"
[tool]
name = "echo_tool"
version = "1.0.0"
description = "echo"

[args.msg]
required = true
type = "string"
description = "text"

[args.count]
required = false
type = "integer"
description = "n"

[command]
template = "echo -n={count} {msg} '%{{literal}}' {_scan_id} {_output_file}"

[output]
format = "text"
"#;

#[test]
fn prints_argv_as_json_and_as_a_shell_line() {
    let m = TempManifest::new("echo", ECHO);
    let o = cladgen(&["test", m.path(), "--arg", "msg=a b \"c\"", "--json"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout_json(&o),
        json!({"argv": ["echo", "a b \"c\"", "%{literal}", "scan-0000", "/tmp/cladgen-evidence/scan-0000-output"]})
    );

    let o = cladgen(&[
        "test",
        m.path(),
        "--arg",
        "msg=x=y",
        "--arg",
        "count=3",
        "--scan-id",
        "s7",
        "--evidence-dir",
        "/ev",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let line = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        line.trim_end(),
        "echo '-n=3' 'x=y' '%{literal}' s7 /ev/s7-output"
    );
    // The line is for reading, but it is quoted correctly: it splits back into argv.
    assert_eq!(
        shlex::split(line.trim_end()).expect("balanced quoting"),
        ["echo", "-n=3", "x=y", "%{literal}", "s7", "/ev/s7-output"]
    );
}

#[test]
fn args_json_takes_typed_values() {
    let m = TempManifest::new("typed", ECHO);
    let o = cladgen(&[
        "test",
        m.path(),
        "--args-json",
        r#"{"msg": "hi", "count": 5}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout_json(&o)["argv"][1], json!("-n=5"));
}

#[test]
fn invalid_arguments_exit_1_with_every_error() {
    let m = TempManifest::new("invalid", ECHO);
    let o = cladgen(&[
        "test",
        m.path(),
        "--args-json",
        r#"{"msg": "-iL /etc/shadow", "count": "x", "extra": 1}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    let errors = stdout_json(&o)["errors"].clone();
    let pairs: Vec<(String, String)> = errors
        .as_array()
        .expect("errors array")
        .iter()
        .map(|e| {
            assert!(e["message"].is_string(), "{e}");
            (
                e["arg"].as_str().unwrap_or_default().to_owned(),
                e["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("extra".to_owned(), "unknown-argument".to_owned()),
            ("msg".to_owned(), "option-like".to_owned()),
            ("count".to_owned(), "integer".to_owned()),
        ]
    );
    // Without --json: a readable list on stderr.
    let o = cladgen(&["test", m.path()]);
    assert_eq!(code(&o), 1);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing required argument 'msg'"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn args_json_with_a_duplicate_key_is_refused() {
    let m = TempManifest::new("dup", ECHO);
    let o = cladgen(&[
        "test",
        m.path(),
        "--args-json",
        r#"{"msg": "hi", "msg": "-iL /etc/shadow"}"#,
    ]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("argument 'msg' is given more than once"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let m = TempManifest::new("usage", ECHO);
    for args in [
        vec!["test", m.path(), "--arg", "msg"],
        vec!["test", m.path(), "--arg", "=x"],
        vec!["test", m.path(), "--arg", "msg=a", "--arg", "msg=b"],
        vec!["test", m.path(), "--args-json", "{not json"],
        vec![
            "test",
            m.path(),
            "--args-json",
            r#"{"msg": "a", "count": 1, "msg": "b"}"#,
        ],
        vec!["test", m.path(), "--arg", "msg=a", "--args-json", "{}"],
        vec!["test", "/nonexistent/x.clad.toml", "--arg", "msg=a"],
    ] {
        let o = cladgen(&args);
        assert_eq!(
            code(&o),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn an_invalid_manifest_exits_1_with_diagnostics() {
    let m = TempManifest::new(
        "broken",
        &ECHO.replace("{_scan_id}", "{no_such_placeholder}"),
    );
    let o = cladgen(&["test", m.path(), "--arg", "msg=a", "--json"]);
    assert_eq!(code(&o), 1);
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("no_such_placeholder"), "{stderr}");
}

#[test]
fn executor_prints_argv_and_env() {
    let o = cladgen(&[
        "test",
        manifest("msf_exploit.clad.toml")
            .to_str()
            .expect("utf-8 path"),
        "--arg",
        "module=exploit/windows/smb/ms17_010",
        "--arg",
        "options=RHOSTS 10.0.0.1; RPORT 445",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["argv"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        v["env"]["TOOLCLAD_ARG_OPTIONS"],
        json!("RHOSTS 10.0.0.1; RPORT 445")
    );
    assert_eq!(v["env"]["TOOLCLAD_ARG_LPORT"], json!("4444"));
    assert_eq!(v["env"]["TOOLCLAD_SCAN_ID"], json!("scan-0000"));
    assert_eq!(v["env"]["TOOLCLAD_TOOL_NAME"], json!("msf_exploit"));
    assert!(
        v["env"].get("TOOLCLAD_ARG_PAYLOAD").is_none(),
        "absent args are not set"
    );
}

#[test]
fn http_request_with_secret_placeholders_and_valid_json_body() {
    let o = cladgen(&[
        "test",
        manifest("create_ticket.clad.toml")
            .to_str()
            .expect("utf-8 path"),
        "--args-json",
        r#"{"project": "SEC", "title": "SQL injection in login", "details": "ends with a quote\"",
            "severity": "high", "cvss_score": 9.8}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let http = stdout_json(&o)["http"].clone();
    assert_eq!(http["method"], json!("POST"));
    assert_eq!(
        http["headers"]["Authorization"],
        json!("Bearer <secret:api_token>")
    );
    let body: Value =
        serde_json::from_str(http["body"].as_str().expect("body")).expect("body is valid JSON");
    assert_eq!(body["description"], json!("ends with a quote\""));
    assert_eq!(body["cvss"], json!(9.8));
    assert_eq!(body["confidential"], json!(true));
}

#[test]
fn mcp_arguments_are_typed() {
    let o = cladgen(&[
        "test",
        manifest("code_search.clad.toml")
            .to_str()
            .expect("utf-8 path"),
        "--arg",
        "query=AKIA language:python",
        "--arg",
        "per_page=5",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout_json(&o),
        json!({"mcp": {"server": "github", "tool": "search_code",
               "arguments": {"q": "AKIA language:python", "per_page": 5, "include_forks": false}}})
    );
}

#[test]
fn session_commands_are_checked() {
    let path = manifest("msf_console.clad.toml");
    let path = path.to_str().expect("utf-8 path");
    let o = cladgen(&[
        "test",
        path,
        "--command",
        "set_target",
        "--args-json",
        r#"{"target": "10.0.0.5"}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    // The text is rendered from the checked target.
    assert_eq!(
        stdout_json(&o)["session_command"]["text"],
        json!("set RHOSTS 10.0.0.5")
    );
    // A Metasploit `file:` target list is not a host.
    let o = cladgen(&[
        "test",
        path,
        "--command",
        "set_target",
        "--args-json",
        r#"{"target": "file:/etc/hosts"}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout_json(&o)["errors"][0]["arg"], json!("target"));
    // The module is parsed out of the text.
    let o = cladgen(&[
        "test",
        path,
        "--command",
        "use_module",
        "--args-json",
        r#"{"command": "use auxiliary/scanner/smb/smb_version"}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout_json(&o)["session_command"]["args"]["module"],
        json!("auxiliary/scanner/smb/smb_version")
    );
    let o = cladgen(&[
        "test",
        path,
        "--command",
        "use_module",
        "--args-json",
        r#"{"command": "use auxiliary/scanner/smb/smb_version\nexploit"}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout_json(&o)["errors"][0]["rule"], json!("injection"));
    let o = cladgen(&["test", path, "--command", "nope", "--json"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn corpus_nmap_and_curl_examples() {
    let corpus = repo().join("../shared/corpus/toolclad-examples");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipping", corpus.display());
        return;
    }
    let nmap = corpus.join("nmap_scan.clad.toml");
    let o = cladgen(&[
        "test",
        nmap.to_str().expect("utf-8 path"),
        "--arg",
        "target=10.0.1.0/24",
        "--arg",
        "scan_type=service",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let argv = stdout_json(&o)["argv"].clone();
    assert_eq!(argv[0], json!("nmap"));
    // `{_scan_flags}` resolves to the mapped flags, one element each.
    assert_eq!(argv[1], json!("-sT"));
    assert_eq!(argv[2], json!("-sV"));
    assert!(!argv.to_string().contains('{'), "{argv}");

    let curl = corpus.join("curl_fetch.clad.toml");
    let o = cladgen(&[
        "test",
        curl.to_str().expect("utf-8 path"),
        "--arg",
        "url=https://example.com/",
        "--arg",
        "headers=x' -o /tmp/pwn '",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let argv: Vec<String> =
        serde_json::from_value(stdout_json(&o)["argv"].clone()).expect("argv strings");
    assert!(argv.contains(&"\\n%{http_code}".to_owned()), "{argv:?}");
    assert!(argv.contains(&"x' -o /tmp/pwn '".to_owned()), "{argv:?}");
    assert!(!argv.contains(&"/tmp/pwn".to_owned()), "{argv:?}");
}

/// `cladgen run`: the same binary, running calls for real.
mod run_cmd {
    use super::*;

    const SCOPED: &str = r#"
[tool]
name = "echo_target"
version = "1.0.0"
description = "Echoes its target."
timeout_seconds = 5

[args.target]
type = "scope_target"
required = true

[command]
exec = ["echo", "{target}"]

[output]
format = "text"
"#;

    fn scope_file(dir: &Path, targets: &str) -> PathBuf {
        let path = dir.join("scope.toml");
        std::fs::write(&path, format!("[scope]\ntargets = [{targets}]\n")).expect("scope");
        path
    }

    #[test]
    fn runs_inside_the_scope_and_prints_the_envelope() {
        let t = TempManifest::new("run-ok", SCOPED);
        let scope = scope_file(&t.dir, "\"10.0.0.0/24\"");
        let ev = t.dir.join("ev");
        let o = cladgen(&[
            "run",
            t.path(),
            "--arg",
            "target=10.0.0.7",
            "--scope",
            scope.to_str().unwrap(),
            "--evidence-dir",
            ev.to_str().unwrap(),
            "--scan-id",
            "cli-1",
            "--json",
        ]);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        let e = stdout_json(&o);
        assert_eq!(e["status"], "success");
        assert_eq!(e["scan_id"], "cli-1");
        assert_eq!(e["results"], json!({"raw_output": "10.0.0.7\n"}));
        assert_eq!(e["command"], "echo 10.0.0.7");
        let file = e["output_file"].as_str().unwrap();
        assert!(file.starts_with(ev.to_str().unwrap()), "{file}");

        // The readable summary.
        let o = cladgen(&[
            "run",
            t.path(),
            "--arg",
            "target=10.0.0.8",
            "--scope",
            scope.to_str().unwrap(),
            "--evidence-dir",
            ev.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("status:    success") && text.contains("10.0.0.8"),
            "{text}"
        );
    }

    #[test]
    fn refusals_and_failures_exit_1_usage_exits_2() {
        let t = TempManifest::new("run-refused", SCOPED);
        let scope = scope_file(&t.dir, "\"10.0.0.0/24\"");
        let ev = t.dir.join("ev");
        let base = |target: &str| {
            vec![
                "run".to_owned(),
                t.path().to_owned(),
                "--arg".to_owned(),
                format!("target={target}"),
                "--evidence-dir".to_owned(),
                ev.to_str().unwrap().to_owned(),
                "--json".to_owned(),
            ]
        };
        let run = |extra: &[&str], target: &str| {
            let mut a = base(target);
            a.extend(extra.iter().map(|s| (*s).to_owned()));
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            cladgen(&refs)
        };
        // Out of scope.
        let o = run(&["--scope", scope.to_str().unwrap()], "10.9.9.9");
        assert_eq!(code(&o), 1);
        assert_eq!(stdout_json(&o)["errors"][0]["rule"], "out-of-scope");
        // No scope anywhere above a temp folder: refused, with how to configure one.
        let o = run(&[], "10.0.0.1");
        assert_eq!(code(&o), 1);
        let e = stdout_json(&o);
        assert_eq!(e["errors"][0]["rule"], "no-scope");
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("--scope")
        );
        // Invalid arguments.
        let o = run(&["--scope", scope.to_str().unwrap()], "a;b");
        assert_eq!(code(&o), 1);
        assert_eq!(stdout_json(&o)["errors"][0]["rule"], "injection");
        // Usage: a missing scope file, a bad scan id.
        let o = run(&["--scope", "/nonexistent/scope.toml"], "10.0.0.1");
        assert_eq!(code(&o), 2);
        let o = run(
            &["--scope", scope.to_str().unwrap(), "--scan-id", "../x"],
            "10.0.0.1",
        );
        assert_eq!(code(&o), 2);

        let failing = TempManifest::new(
            "run-fails",
            "[tool]\nname = \"fails\"\nversion = \"1\"\ndescription = \"Fails.\"\n\n[command]\nexec = [\"false\"]\n\n[output]\nformat = \"text\"\n",
        );
        let o = cladgen(&[
            "run",
            failing.path(),
            "--evidence-dir",
            ev.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code(&o), 1);
        let e = stdout_json(&o);
        assert_eq!(
            (e["status"].clone(), e["exit_code"].clone()),
            (json!("error"), json!(1))
        );
    }

    #[test]
    fn human_approval_needs_approve_without_a_terminal() {
        let text = "[tool]\nname = \"careful\"\nversion = \"1\"\ndescription = \"Careful.\"\nhuman_approval = true\n\n[command]\nexec = [\"echo\", \"done\"]\n\n[output]\nformat = \"text\"\n";
        let t = TempManifest::new("run-approval", text);
        let ev = t.dir.join("ev");
        let o = cladgen(&[
            "run",
            t.path(),
            "--evidence-dir",
            ev.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code(&o), 1);
        assert_eq!(stdout_json(&o)["errors"][0]["rule"], "not-approved");
        let o = cladgen(&[
            "run",
            t.path(),
            "--evidence-dir",
            ev.to_str().unwrap(),
            "--approve",
            "--json",
        ]);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(stdout_json(&o)["results"]["raw_output"], "done\n");
    }

    /// Ports in nmap's top 100 (the `quick` profile scans only those).
    const TOP_PORTS: [u16; 8] = [8080, 8000, 8888, 8443, 8081, 8009, 9100, 5000];

    #[test]
    fn nmap_scan_end_to_end_against_a_local_listener() {
        if Command::new("nmap").arg("--version").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "nmap is missing in CI (.ci/run installs it)"
            );
            eprintln!("skipped: nmap is not installed (apt-get install nmap)");
            return;
        }
        let listener = TOP_PORTS
            .iter()
            .find_map(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).ok())
            .expect("one of nmap's top ports is free on 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("cladgen-run-nmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let scope = scope_file(&dir, "\"127.0.0.1\"");
        let ev = dir.join("ev");
        let nmap = manifest("nmap_scan.clad.toml");
        let o = cladgen(&[
            "run",
            nmap.to_str().unwrap(),
            "--arg",
            "target=127.0.0.1",
            "--arg",
            "scan_type=quick",
            "--scope",
            scope.to_str().unwrap(),
            "--evidence-dir",
            ev.to_str().unwrap(),
            "--json",
        ]);
        drop(listener);
        let e = stdout_json(&o);
        assert_eq!(code(&o), 0, "{e:#}");
        assert_eq!(e["status"], "success");
        let run = &e["results"]["nmaprun"];
        assert!(
            run["@args"].as_str().unwrap().contains("--top-ports 100"),
            "{run:#}"
        );
        let ports = &run["host"]["ports"]["port"];
        let ports = match ports {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        let open = ports
            .iter()
            .find(|p| p["@portid"].as_str() == Some(port.to_string().as_str()))
            .unwrap_or_else(|| panic!("port {port} not in {ports:?}"));
        assert_eq!(open["state"]["@state"], "open");
        // The raw XML is the evidence, and nmap's own -oN file sits beside it.
        let file = PathBuf::from(e["output_file"].as_str().unwrap());
        let xml = std::fs::read_to_string(&file).unwrap();
        assert!(xml.contains("<!DOCTYPE nmaprun>"));
        let normal = file
            .parent()
            .unwrap()
            .join(format!("{}-output", e["scan_id"].as_str().unwrap()));
        assert!(
            std::fs::read_to_string(normal)
                .unwrap()
                .contains(&format!("{port}/tcp"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `cladgen serve manifests/` over stdio with raw JSON-RPC lines: every stdout line is
/// JSON-RPC, a line that is not JSON gets a parse error, `tools/list` has every tool
/// of the folder (session and browser commands as `<tool>__<command>`), and closing
/// stdin ends the server with exit code 0.
#[test]
fn serve_answers_json_rpc_on_stdio() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .arg("serve")
        .arg(repo().join("manifests"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines = [
        "not json at all".to_owned(),
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string(),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "whois_lookup", "arguments": {"target": "-x; rm"}}})
        .to_string(),
    ];
    let reader = {
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut got = Vec::new();
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
                got.push(v);
                // Answers come in completion order.
                let seen = |id: i64| got.iter().any(|v: &Value| v["id"] == id);
                if seen(2) && seen(3) {
                    break;
                }
            }
            got
        })
    };
    for l in &lines {
        writeln!(stdin, "{l}").unwrap();
    }
    stdin.flush().unwrap();
    let got = reader.join().unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(got[0]["error"]["code"], -32700, "{}", got[0]);
    let by_id = |id: i64| {
        got.iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("{id} not answered: {got:?}"))
    };
    assert_eq!(by_id(1)["result"]["serverInfo"]["name"], "cladgen");
    let tools = by_id(2)["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(
        names.contains(&"nmap_scan") && names.contains(&"whois_lookup"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("msf_console__")),
        "{names:?}"
    );
    let call = &by_id(3)["result"];
    assert_eq!(call["isError"], true, "{call}");
    assert!(
        call["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("target")
    );
}
