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
        r#"{"command": "set RHOSTS 10.0.0.5", "target": "10.0.0.5"}"#,
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout_json(&o)["session_command"]["text"],
        json!("set RHOSTS 10.0.0.5")
    );
    let o = cladgen(&[
        "test",
        path,
        "--command",
        "set_target",
        "--args-json",
        r#"{"command": "set RHOSTS 10.0.0.5\nexploit", "target": "10.0.0.5"}"#,
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
