//! Running bundled tools through their generated code (feature `run`): typed
//! arguments to the evidence envelope with `Tool::run`, and a call by name with
//! `Registry::run_call`. Real processes: nmap against a listener this test opens,
//! grep over a folder it writes. Every envelope is checked against the tool's own
//! generated `OUTPUT_SCHEMA`.

use crate::generated::tools::{self, Tools};
use cladgen::run::{RunConfig, RunError, Runner};
use cladgen::value::{ParseOptions, ScopeTarget};
use cladgen::{ArgSpec, ArgValue, Call, EnvSecrets, Registry, Rule, Tool, scope::Scope};
use serde_json::{Value, json};
use std::path::PathBuf;

struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp_dir(name: &str) -> TmpDir {
    let d = std::env::temp_dir().join(format!("cladgen-it-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TmpDir(d)
}

fn scope(targets: &[&str]) -> Scope {
    Scope::new(targets, std::iter::empty::<&str>()).expect("a valid scope")
}

/// The envelope is valid against the tool's own generated output schema.
fn assert_valid(schema: &str, envelope: &Value) {
    let schema: Value = serde_json::from_str(schema).unwrap();
    let v = jsonschema::draft202012::new(&schema).expect("OUTPUT_SCHEMA compiles");
    let errors: Vec<String> = v.iter_errors(envelope).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{envelope:#}");
}

/// Ports in nmap's top 100 (the `quick` profile scans only those).
const TOP_PORTS: [u16; 8] = [8080, 8000, 8888, 8443, 8081, 8009, 9100, 5000];

fn nmap_installed() -> bool {
    let found = std::process::Command::new("nmap")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        found || std::env::var_os("CI").is_none(),
        "nmap is missing in CI (.ci/run installs it)"
    );
    if !found {
        eprintln!("skipped: nmap is not installed (apt-get install nmap)");
    }
    found
}

/// `NmapScanArgs` built in Rust, run with `Tool::run`: the real nmap scans a
/// listener on 127.0.0.1, its XML is parsed into `results`, the raw output is the
/// evidence file and the envelope matches `nmap_scan::OUTPUT_SCHEMA`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nmap_scan_runs_end_to_end_through_generated_code() {
    if !nmap_installed() {
        return;
    }
    let listener = TOP_PORTS
        .iter()
        .find_map(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).ok())
        .expect("one of nmap's top ports is free on 127.0.0.1");
    let port = listener.local_addr().unwrap().port();
    let dir = tmp_dir("nmap");
    let runner = Runner::new(
        RunConfig::default()
            .with_scope(scope(&["127.0.0.1"]))
            .with_evidence_dir(&dir.0),
    );
    let spec = ArgSpec::new("target", &cladgen::model::Constraints::NONE);
    let target = ScopeTarget::parse_str(&spec, "127.0.0.1", &ParseOptions::DEFAULT).unwrap();
    let args =
        tools::nmap_scan::NmapScanArgs::builder(target, tools::nmap_scan::ScanType::Quick).build();
    let envelope = args.run(&runner, &EnvSecrets).await.expect("the call runs");
    drop(listener);
    let e = envelope.to_json();
    assert_valid(tools::nmap_scan::OUTPUT_SCHEMA, &e);
    assert_eq!(e["status"], "success", "{e:#}");
    assert_eq!(e["tool"], "nmap_scan");
    let run = &e["results"]["nmaprun"];
    assert!(
        run["@args"].as_str().unwrap().contains("--top-ports 100"),
        "{run:#}"
    );
    let ports = match &run["host"]["ports"]["port"] {
        Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    let open = ports
        .iter()
        .find(|p| p["@portid"].as_str() == Some(port.to_string().as_str()))
        .unwrap_or_else(|| panic!("port {port} not in {ports:?}"));
    assert_eq!(open["state"]["@state"], "open");
    let file = PathBuf::from(e["output_file"].as_str().unwrap());
    assert!(file.starts_with(&dir.0), "{file:?}");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("<!DOCTYPE nmaprun>")
    );
}

/// The values the gate reads come from the typed fields: a target outside the
/// scope is refused through generated code, and nothing ran (no evidence written).
#[tokio::test]
async fn generated_calls_pass_the_gate_with_their_typed_values() {
    let dir = tmp_dir("gate");
    let ev = dir.0.join("ev");
    let runner = Runner::new(
        RunConfig::default()
            .with_scope(scope(&["127.0.0.1"]))
            .with_evidence_dir(&ev),
    );
    let call = json!({"target": "10.9.9.9", "scan_type": "quick", "exclude": "10.9.9.0/28"});
    let err = Tools::run_call(&runner, "nmap_scan", &call, &EnvSecrets)
        .await
        .expect_err("outside the scope");
    let RunError::Refused(r) = &err else {
        panic!("not a refusal: {err:?}")
    };
    // `exclude` is not scope-checked (an exclusion narrows a scan).
    let args: Vec<_> = r.reasons().iter().map(|r| r.arg.clone()).collect();
    assert_eq!(args, [Some("target".to_owned())], "{r:?}");
    assert!(err.for_llm().contains("10.9.9.9"), "{}", err.for_llm());
    assert!(!ev.exists(), "nothing ran, nothing was written");

    // No scope configured: refused, with how to configure one.
    let bare = Runner::new(RunConfig::default().with_evidence_dir(&ev));
    let err = Tools::run_call(&bare, "nmap_scan", &call, &EnvSecrets)
        .await
        .expect_err("no scope");
    assert_eq!(err.to_json()["errors"][0]["rule"], "no-scope");
}

/// A call by name with bad arguments: one `RunError` listing every problem, for the
/// model (`for_llm`) and as JSON; an unknown tool is a `RunError` too.
#[tokio::test]
async fn run_call_with_bad_arguments_returns_every_error() {
    let runner = Runner::new(RunConfig::default().with_scope(scope(&["127.0.0.1"])));
    let call = json!({"target": "127.0.0.1;id", "scan_type": "stealth", "ports": "1-10"});
    let err = Tools::run_call(&runner, "nmap_scan", &call, &EnvSecrets)
        .await
        .expect_err("invalid");
    let RunError::Args { tool, errors } = &err else {
        panic!("not an argument error: {err:?}")
    };
    assert_eq!(tool, "nmap_scan");
    let rules: Vec<(String, Rule)> = errors.iter().map(|e| (e.arg.clone(), e.rule)).collect();
    assert_eq!(
        rules.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["ports", "target", "scan_type"],
        "{rules:?}"
    );
    let text = err.for_llm();
    for arg in ["ports", "target", "scan_type"] {
        assert!(text.contains(arg), "{text}");
    }
    let json = err.to_json();
    assert_eq!(json["errors"].as_array().unwrap().len(), 3, "{json}");
    assert_eq!(json["errors"][2]["rule"], "not-allowed");

    let err = Tools::run_call(&runner, "nmap", &json!({}), &EnvSecrets)
        .await
        .expect_err("unknown");
    assert!(matches!(err, RunError::UnknownTool { .. }), "{err:?}");
    assert!(err.for_llm().contains("nmap_scan"), "{}", err.for_llm());
    assert_eq!(err.to_json()["errors"][0]["rule"], "unknown-tool");
}

/// Session and browser commands do not run yet: a clear error, never an envelope.
#[tokio::test]
async fn session_and_browser_tools_are_not_supported_yet() {
    let dir = tmp_dir("session");
    let runner = Runner::new(
        RunConfig::default()
            .with_scope(scope(&["10.0.0.0/8"]))
            .with_evidence_dir(dir.0.join("ev")),
    );
    for (name, args) in [
        (
            "msf_console__list_sessions",
            json!({"command": "sessions -l"}),
        ),
        (
            "webapp_browser__navigate",
            json!({"url": "https://staging.example.com/"}),
        ),
    ] {
        let call = Tools::from_call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
        let err = call.run(&runner, &EnvSecrets).await.expect_err(name);
        assert!(
            matches!(err, RunError::Unsupported { .. }),
            "{name}: {err:?}"
        );
        assert!(
            err.for_llm().contains("not supported yet"),
            "{}",
            err.for_llm()
        );
        assert!(!dir.0.join("ev").exists(), "{name}: nothing ran");
    }
    let console = tools::msf_console::MsfConsoleCommand::from_call(
        "msf_console__list_sessions",
        &json!({"command": "sessions -l"}),
    )
    .unwrap();
    let err = console
        .run_blocking(&runner, &EnvSecrets)
        .expect_err("session");
    assert!(err.to_string().contains("[session]"), "{err}");
}

/// `Tool::values` (built from the typed fields) is what the dynamic path parses
/// from the same JSON: same slots, same defaults, same values.
#[test]
fn typed_values_match_the_dynamic_path() {
    let calls = [
        (
            "nmap_scan",
            json!({"target": "10.0.1.0/24", "scan_type": "service"}),
        ),
        (
            "nmap_scan",
            json!({"target": "web01.lab.example.com", "scan_type": "quick", "exclude": "10.0.1.0/28"}),
        ),
        ("search_evidence", json!({"text": "OpenSSH_7.4"})),
        (
            "search_evidence",
            json!({"text": "-----BEGIN", "directory": "t/msf", "ignore_case": false, "max_matches": 500}),
        ),
        ("whois_lookup", json!({"target": "example.com"})),
    ];
    for (name, args) in calls {
        let typed = Tools::from_call(name, &args).unwrap();
        let manifest = Registry::manifest(&typed);
        let dynamic = Call::from_json(manifest, &args, &ParseOptions::DEFAULT).unwrap();
        assert_eq!(Registry::values(&typed), dynamic.values(), "{name} {args}");
    }
    assert_eq!(Tools::MANIFESTS.len(), Tools::manifests().len());
    assert_eq!(<Tools as Registry>::NAMES, &Tools::NAMES[..]);
}

/// The blocking form, for a host without a runtime: `search_evidence` runs the real
/// grep over a folder this test writes.
#[test]
fn search_evidence_runs_blocking_by_name() {
    let dir = tmp_dir("grep");
    std::fs::create_dir_all(dir.0.join("scans")).unwrap();
    std::fs::write(
        dir.0.join("scans/web01.txt"),
        "22/tcp open ssh OpenSSH_7.4\n80/tcp open http nginx\n",
    )
    .unwrap();
    let mut config = RunConfig::default().with_evidence_dir(dir.0.join("ev"));
    config.working_dir = Some(dir.0.clone());
    let runner = Runner::new(config);
    let call = Tools::from_call("search_evidence", &json!({"text": "openssh_7.4"})).unwrap();
    let envelope = call.run_blocking(&runner, &EnvSecrets).expect("runs");
    let e = envelope.to_json();
    assert_valid(tools::search_evidence::OUTPUT_SCHEMA, &e);
    assert_eq!(e["status"], "success", "{e:#}");
    let out = e["results"]["raw_output"].as_str().unwrap();
    assert!(
        out.contains("web01.txt:1:22/tcp open ssh OpenSSH_7.4"),
        "{out}"
    );
    assert!(!out.contains("nginx"), "{out}");
}

/// The runner refuses values that are not indexed like the manifest's arguments: a
/// short list would let a scope-checked argument pass unchecked.
#[tokio::test]
async fn values_of_the_wrong_length_are_refused() {
    let runner = Runner::new(RunConfig::default().with_scope(scope(&["127.0.0.1"])));
    let args = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.9.9.9", "scan_type": "quick"}),
    )
    .unwrap();
    let err = runner
        .run(&tools::nmap_scan::MANIFEST, &[], |ctx| {
            args.plan(ctx, &EnvSecrets)
        })
        .await
        .expect_err("no values");
    assert!(matches!(err, RunError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("0 argument values given"), "{err}");
}
