//! `--mcp-config` of `cladgen run` and `cladgen validate`, end to end through the
//! binary, against the Python SDK fixture upstream (run/tests/run/mcp_upstream.py)
//! and `@modelcontextprotocol/server-everything`. Without them (`.ci/run` installs
//! both) the cases are skipped, except under `CI=true`, where that is a failure.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn needed(path: PathBuf, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: .ci/run installs {what}",
        path.display()
    );
    eprintln!("skipped: {} is missing", path.display());
    None
}

fn python() -> Option<PathBuf> {
    needed(repo().join(".ci/venv/bin/python"), "the MCP Python SDK")
}

fn everything() -> Option<PathBuf> {
    needed(
        repo().join(".ci/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js"),
        "@modelcontextprotocol/server-everything",
    )
}

/// A project folder: `tools/<name>.clad.toml` files; removed at the end.
struct Project(PathBuf);

impl Project {
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cladgen-cli-mcp-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tools")).unwrap();
        Project(dir)
    }

    fn tool(&self, name: &str, text: &str) -> String {
        let p = self.0.join("tools").join(format!("{name}.clad.toml"));
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cladgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(args)
        .output()
        .expect("run cladgen")
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const TYPED: &str = r#"
[tool]
name = "typed_echo"
version = "1.0.0"
description = "Echoes typed values through the fixture upstream."
timeout_seconds = 20

[args.count]
position = 1
required = true
type = "integer"
description = "N."

[args.verbose]
position = 2
required = true
type = "boolean"
description = "Flag."

[args.label]
position = 3
required = true
type = "string"
description = "Text."

[mcp]
server = "fixture"
tool = "typed"

[output]
format = "json"
"#;

fn fixture_config(python: &Path) -> String {
    json!({"mcpServers": {"fixture": {
        "command": python.display().to_string(),
        "args": [repo().join("run/tests/run/mcp_upstream.py").display().to_string()],
    }}})
    .to_string()
}

#[test]
fn run_proxies_with_the_default_mcp_json_and_with_mcp_config() {
    let Some(python) = python() else { return };
    let p = Project::new("run");
    let m = p.tool("typed_echo", TYPED);
    let ev = p.0.join("ev").display().to_string();
    let run = |extra: &[&str]| {
        let mut a = vec![
            "run",
            m.as_str(),
            "--args-json",
            r#"{"count": 5, "verbose": true, "label": "hi"}"#,
            "--evidence-dir",
            ev.as_str(),
            "--json",
        ];
        a.extend_from_slice(extra);
        cladgen(&a)
    };
    // No configuration anywhere: refused before anything runs, exit 2.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--mcp-config"), "{}", text(&o));

    // mcp.json at the project root (above tools/) is found.
    p.file("mcp.json", &fixture_config(&python));
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let e: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["status"], "success");
    assert_eq!(e["results"]["count_type"], "int");
    assert_eq!(e["results"]["verbose_type"], "bool");

    // An explicit TOML file wins over the lookup.
    let toml = p.file(
        "other.toml",
        &format!(
            "[mcp_servers.fixture]\ncommand = {:?}\nargs = [{:?}]\n",
            python.display().to_string(),
            repo()
                .join("run/tests/run/mcp_upstream.py")
                .display()
                .to_string()
        ),
    );
    let o = run(&["--mcp-config", &toml]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // A broken explicit file: exit 2, the file, server and field named.
    let bad = p.file(
        "bad.json",
        r#"{"mcpServers": {"fixture": {"command": ["python"]}}}"#,
    );
    let o = run(&["--mcp-config", &bad]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json: server 'fixture': field 'command': expected a string"),
        "{err}"
    );
}

#[test]
fn validate_with_mcp_config_reports_drift() {
    let (Some(python), Some(everything)) = (python(), everything()) else {
        return;
    };
    let p = Project::new("validate");
    p.tool("typed_echo", TYPED);
    let config = p.file(
        "servers.json",
        &json!({"servers": {
            "fixture": {"type": "stdio", "command": python.display().to_string(),
                "args": [repo().join("run/tests/run/mcp_upstream.py").display().to_string()]},
            "everything": {"type": "stdio", "command": "node",
                "args": [everything.display().to_string(), "stdio"]},
        }})
        .to_string(),
    );
    let tools = p.0.join("tools").display().to_string();
    let o = cladgen(&["validate", &tools, "--mcp-config", &config]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // echo's `message` is a string upstream; an integer is drift.
    let drifted = p.tool(
        "echo_n",
        "[tool]\nname = \"echo_n\"\nversion = \"1.0.0\"\ndescription = \"E.\"\n\n[args.message]\nrequired = true\ntype = \"integer\"\ndescription = \"M.\"\n\n[mcp]\nserver = \"everything\"\ntool = \"echo\"\n\n[output]\nformat = \"text\"\n",
    );
    let o = cladgen(&["validate", &tools, "--mcp-config", &config]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("error[mcp-drift]: {drifted}"))
            && err.contains("argument 'message' (integer) is sent as 'message', which the upstream types as string"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("error"),
        "{}",
        text(&o)
    );
    // `cladgen serve` runs the same check before serving: exit 1, nothing served.
    let o = Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(["serve", &tools, "--mcp-config", &config])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nothing is served")
            && err.contains("tool 'echo_n' ([mcp] server 'everything', tool 'echo')"),
        "{err}"
    );
    // Without --mcp-config validate does not contact upstreams.
    let o = cladgen(&["validate", &tools]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
