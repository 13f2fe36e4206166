//! The runner end to end with real processes. The fixture programs are `sh` scripts
//! the tests write (the runner itself never uses a shell).

use cladgen_core::invoke::{Call, EnvSecrets};
use cladgen_core::load::{LoadOptions, load_str};
use cladgen_core::model::Manifest;
use cladgen_core::schema::output_schema;
use cladgen_core::scope::Scope;
use cladgen_core::value::ParseOptions;
use cladgen_run::{Envelope, RunConfig, RunError, Runner, Status};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A fresh directory for one test, removed when the test ends.
struct TmpDir(PathBuf);

impl std::ops::Deref for TmpDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp_dir(name: &str) -> TmpDir {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cladgen-run-tests/{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TmpDir(dir)
}

/// Writes an executable `sh` script.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn load(toml: &str) -> Manifest {
    let loaded = load_str(Path::new("test.clad.toml"), toml, &LoadOptions::default());
    loaded
        .manifest
        .clone()
        .unwrap_or_else(|| panic!("test manifest must load:\n{}", loaded.render(false)))
}

/// A manifest running `program` (exec form, no arguments) with this extra TOML.
fn tool(program: &Path, format: &str, extra: &str) -> Manifest {
    load(&format!(
        r#"
[tool]
name = "fixture"
version = "1.0.0"
description = "A test fixture."
timeout_seconds = 1
{extra}

[command]
exec = ["{}"]

[output]
format = "{format}"
"#,
        program.display()
    ))
}

fn config(dir: &Path) -> RunConfig {
    RunConfig::default()
        .with_evidence_dir(dir.join("evidence"))
        .with_grace(Duration::from_millis(200))
}

async fn run_json(runner: &Runner, m: &Manifest, args: Value) -> Result<Envelope, RunError> {
    let call = Call::from_json(m, &args, &ParseOptions::default()).expect("valid arguments");
    runner.run_call(&call, &EnvSecrets).await
}

/// Every envelope matches the tool's own output schema, and `output_hash` is the
/// hash of exactly the bytes in `output_file`.
fn checked(m: &Manifest, e: &Envelope) -> Value {
    let json = e.to_json();
    let schema = output_schema(m).unwrap().expect("an output schema");
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{json:#}");
    match (&e.output_file, &e.output_hash) {
        (Some(f), Some(h)) => {
            let bytes = std::fs::read(f).unwrap();
            let hex: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(h, &format!("sha256:{hex}"));
        }
        (None, None) => {}
        other => panic!("output_file and output_hash go together: {other:?}"),
    }
    json
}

fn read_pid(path: &Path) -> i32 {
    for _ in 0..500 {
        if let Ok(s) = std::fs::read_to_string(path)
            && let Ok(pid) = s.trim().parse()
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the fixture never wrote {}", path.display());
}

/// Waits (bounded) until no process of group `pgid` is left: kill(-pgid, 0) → ESRCH.
fn assert_group_gone(pgid: i32) {
    let pid = rustix::process::Pid::from_raw(pgid).expect("a pid");
    for _ in 0..500 {
        match rustix::process::test_kill_process_group(pid) {
            Err(rustix::io::Errno::SRCH) => return,
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    panic!("process group {pgid} still has members");
}

#[cfg(feature = "mcp-proxy")]
#[path = "run/mcp_proxy.rs"]
mod mcp_proxy;
// In a subfolder: a file beside run.rs would be a test binary of its own.
#[cfg(feature = "session")]
#[path = "run/session.rs"]
mod session;

mod process {
    use super::*;

    #[tokio::test]
    async fn exit_codes_and_stderr() {
        let dir = tmp_dir("exit");
        let ok = script(&dir, "ok.sh", "echo out; echo err >&2");
        let m = tool(&ok, "text", "");
        let runner = Runner::new(config(&dir));
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        let j = checked(&m, &e);
        assert_eq!(e.status, Status::Success, "{j:#}");
        assert_eq!(e.exit_code, Some(0));
        assert_eq!(e.stderr, "err\n");
        assert_eq!(e.results, Some(json!({"raw_output": "out\n"})));
        assert_eq!((e.stdout_bytes, e.stderr_bytes), (4, 4));
        assert!(e.command.ends_with("ok.sh"), "{}", e.command);

        let fail = script(&dir, "fail.sh", "echo partial; exit 3");
        let m = tool(&fail, "text", "");
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert_eq!(e.exit_code, Some(3));
        assert_eq!(e.results, None);
        assert!(e.error.as_deref().unwrap().contains("code 3"), "{e:?}");
        // The raw output is still evidence.
        let file = e.output_file.as_deref().unwrap();
        assert_eq!(std::fs::read(file).unwrap(), b"partial\n");
    }

    /// `durable_evidence` changes only when the bytes reach the disk, never what the
    /// file holds or its hash.
    #[tokio::test]
    async fn durable_evidence_holds_the_same_bytes() {
        let dir = tmp_dir("durable");
        let prog = script(&dir, "out.sh", "printf 'a\\377b\\n'");
        let m = tool(&prog, "text", "");
        let mut seen = Vec::new();
        for durable in [false, true] {
            let runner = Runner::new(config(&dir).with_durable_evidence(durable));
            let e = run_json(&runner, &m, json!({})).await.unwrap();
            checked(&m, &e);
            assert_eq!(e.status, Status::Success);
            let bytes = std::fs::read(e.output_file.as_deref().unwrap()).unwrap();
            seen.push((bytes, e.output_hash.clone().unwrap()));
        }
        assert_eq!(seen[0], seen[1]);
        assert_eq!(seen[0].0, b"a\xffb\n");
    }

    #[tokio::test]
    async fn a_program_that_cannot_start_is_an_error_envelope() {
        let dir = tmp_dir("spawn");
        let runner = Runner::new(config(&dir));
        let missing = dir.join("no-such-program");
        let m = tool(&missing, "text", "");
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert_eq!(e.exit_code, None);
        let msg = e.error.unwrap();
        assert!(
            msg.contains("cannot start") && msg.contains("no such file"),
            "{msg}"
        );

        let plain = dir.join("not-executable.sh");
        std::fs::write(&plain, "#!/bin/sh\necho hi\n").unwrap();
        let m = tool(&plain, "text", "");
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert!(e.error.unwrap().contains("permission denied"));

        let m = tool(Path::new("cladgen-surely-not-on-path"), "text", "");
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        assert!(e.error.unwrap().contains("not found on PATH"));
    }

    #[tokio::test]
    async fn stdin_is_dev_null() {
        let dir = tmp_dir("stdin");
        let s = script(
            &dir,
            "stdin.sh",
            "readlink /proc/$$/fd/0; if read line; then echo \"read:$line\"; else echo eof; fi",
        );
        let m = tool(&s, "text", "");
        let e = run_json(&Runner::new(config(&dir)), &m, json!({}))
            .await
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.results, Some(json!({"raw_output": "/dev/null\neof\n"})));
    }

    const SECRET_CHILD: &str = "CLADGEN_RUN_TEST_SECRET_CHILD";

    /// Re-runs itself as a child process with a secret in its environment (setting
    /// variables in a threaded test process would be unsound).
    #[test]
    fn a_parent_secret_never_reaches_the_tool() {
        if std::env::var_os(SECRET_CHILD).is_some() {
            return secret_child();
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "process::a_parent_secret_never_reaches_the_tool",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(SECRET_CHILD, "1")
            .env("OPENAI_API_KEY", "sk-test-not-for-tools")
            .env("LC_CLADGEN_TEST", "allowed-by-prefix")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "{text}");
    }

    fn secret_child() {
        let dir = tmp_dir("env");
        let s = script(&dir, "env.sh", "env");
        let m = load(&format!(
            r#"
[tool]
name = "env_dump"
version = "1.0.0"
description = "Prints its environment."
timeout_seconds = 5

[args.target]
type = "string"
required = true

[command]
executor = "{}"

[output]
format = "text"
"#,
            s.display()
        ));
        let runner = Runner::new(config(&dir));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = rt
            .block_on(run_json(&runner, &m, json!({"target": "abc"})))
            .unwrap();
        checked(&m, &e);
        let out = e.results.unwrap()["raw_output"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!out.contains("sk-test-not-for-tools"), "{out}");
        assert!(!out.contains(SECRET_CHILD), "{out}");
        assert!(out.contains("LC_CLADGEN_TEST=allowed-by-prefix"), "{out}");
        assert!(out.lines().any(|l| l.starts_with("PATH=")), "{out}");
        assert!(out.contains("TOOLCLAD_ARG_TARGET=abc"), "{out}");
        assert!(
            out.contains(&format!("TOOLCLAD_SCAN_ID={}", e.scan_id)),
            "{out}"
        );
        assert!(out.contains("TOOLCLAD_TOOL_NAME=env_dump"), "{out}");
        // Without [tool.evidence] the run writes into the evidence directory itself.
        let ev = dir.join("evidence");
        assert!(
            out.contains(&format!("TOOLCLAD_OUTPUT_DIR={}\n", ev.display())),
            "{out}"
        );
        assert_eq!(
            e.output_file.as_deref(),
            ev.join(format!("{}.txt", e.scan_id)).to_str()
        );
        assert!(
            e.command.contains("TOOLCLAD_ARG_TARGET=abc"),
            "{}",
            e.command
        );
    }

    #[tokio::test]
    async fn a_hanging_tool_with_grandchildren_times_out_and_its_group_dies() {
        let dir = tmp_dir("hang");
        let pidfile = dir.join("pid");
        let s = script(
            &dir,
            "hang.sh",
            &format!(
                "echo $$ > {}; sleep 300 & sleep 300 & echo started; wait",
                pidfile.display()
            ),
        );
        let m = tool(&s, "text", "");
        let e = run_json(&Runner::new(config(&dir)), &m, json!({}))
            .await
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Timeout);
        assert_eq!(e.exit_code, None);
        assert_eq!(e.results, None);
        assert!(e.error.as_deref().unwrap().contains("timed out after 1 s"));
        // What the tool wrote before it was stopped is kept as evidence.
        let file = e.output_file.as_deref().unwrap();
        assert_eq!(std::fs::read(file).unwrap(), b"started\n");
        assert_group_gone(read_pid(&pidfile));
    }

    #[tokio::test]
    async fn a_tool_ignoring_sigterm_is_killed_after_the_grace_period() {
        let dir = tmp_dir("term");
        let pidfile = dir.join("pid");
        // An ignored signal stays ignored across exec, so the sleeps ignore it too.
        let s = script(
            &dir,
            "stubborn.sh",
            &format!(
                "trap '' TERM; echo $$ > {}; while true; do sleep 1; done",
                pidfile.display()
            ),
        );
        let m = tool(&s, "text", "");
        let e = run_json(&Runner::new(config(&dir)), &m, json!({}))
            .await
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Timeout);
        assert_group_gone(read_pid(&pidfile));
    }

    #[tokio::test]
    async fn hundreds_of_megabytes_stay_within_the_caps() {
        let dir = tmp_dir("flood");
        let s = script(
            &dir,
            "flood.sh",
            "head -c 100000000 /dev/zero >&2 & head -c 300000000 /dev/zero; wait",
        );
        let m = load(&format!(
            r#"
[tool]
name = "flood"
version = "1.0.0"
description = "Writes a lot."
timeout_seconds = 120

[command]
exec = ["{}"]

[output]
format = "text"
"#,
            s.display()
        ));
        let mut cfg = config(&dir);
        cfg.output_cap = 1 << 20;
        cfg.stderr_cap = 4096;
        cfg.evidence_cap = 2 << 20;
        let e = run_json(&Runner::new(cfg), &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Success, "{:?}", e.error);
        assert_eq!(e.stdout_bytes, 300_000_000);
        assert_eq!(e.stderr_bytes, 100_000_000);
        assert!(e.stdout_truncated && e.stderr_truncated && e.output_file_truncated);
        // The memory bound: only the caps' worth was kept.
        let raw = e.results.as_ref().unwrap()["raw_output"].as_str().unwrap();
        assert_eq!(raw.len(), 1 << 20);
        assert_eq!(e.stderr.len(), 4096);
        let file = e.output_file.as_deref().unwrap();
        assert_eq!(std::fs::metadata(file).unwrap().len(), 2 << 20);
    }

    #[tokio::test]
    async fn non_utf8_output_is_hashed_exactly_and_shown_lossily() {
        let dir = tmp_dir("bytes");
        let s = script(
            &dir,
            "bytes.sh",
            r"printf '\377\376ok\n'; printf '\377' >&2",
        );
        let m = tool(&s, "text", "");
        let e = run_json(&Runner::new(config(&dir)), &m, json!({}))
            .await
            .unwrap();
        checked(&m, &e);
        let file = e.output_file.as_deref().unwrap();
        assert_eq!(std::fs::read(file).unwrap(), b"\xff\xfeok\n");
        assert_eq!(
            e.results,
            Some(json!({"raw_output": "\u{fffd}\u{fffd}ok\n"}))
        );
        assert_eq!(e.stderr, "\u{fffd}");
        assert_eq!(e.stdout_bytes, 5);
    }

    #[tokio::test]
    async fn a_cancelled_run_stops_its_group_and_reports_it() {
        let dir = tmp_dir("cancel");
        let pidfile = dir.join("pid");
        let s = script(
            &dir,
            "long.sh",
            &format!("echo $$ > {}; sleep 300 & wait", pidfile.display()),
        );
        let m = tool(&s, "text", "").clone();
        let m = Manifest {
            tool: cladgen_core::model::ToolMeta {
                timeout_seconds: 600,
                ..m.tool
            },
            ..m
        };
        let runner = Runner::new(config(&dir));
        let token = cladgen_run::CancellationToken::new();
        let cancel = token.clone();
        let pidfile2 = pidfile.clone();
        let canceller = tokio::task::spawn_blocking(move || {
            let pid = read_pid(&pidfile2);
            cancel.cancel();
            pid
        });
        let call = Call::from_json(&m, &json!({}), &ParseOptions::default()).unwrap();
        let e = runner
            .run_until(&m, call.values(), |ctx| call.plan(ctx, &EnvSecrets), &token)
            .await
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert!(e.error.as_deref().unwrap().contains("cancelled"), "{e:?}");
        assert_group_gone(canceller.await.unwrap());
    }

    #[tokio::test]
    async fn dropping_the_run_kills_its_group() {
        let dir = tmp_dir("drop");
        let pidfile = dir.join("pid");
        let s = script(
            &dir,
            "long.sh",
            &format!(
                "echo $$ > {}; sleep 300 & sleep 300 & wait",
                pidfile.display()
            ),
        );
        let m = tool(&s, "text", "");
        let runner = Runner::new(config(&dir));
        let task = tokio::spawn(async move {
            let _ = run_json(&runner, &m, json!({})).await;
        });
        let pid = tokio::task::spawn_blocking(move || read_pid(&pidfile))
            .await
            .unwrap();
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        tokio::task::spawn_blocking(move || assert_group_gone(pid))
            .await
            .unwrap();
    }

    #[test]
    fn the_blocking_entry_point_runs_without_a_runtime() {
        let dir = tmp_dir("blocking");
        let s = script(&dir, "hi.sh", "echo hi");
        let m = tool(&s, "text", "");
        let runner = Runner::new(config(&dir));
        let call = Call::from_json(&m, &json!({}), &ParseOptions::default()).unwrap();
        let e = runner
            .run_blocking(&m, call.values(), |ctx| call.plan(ctx, &EnvSecrets))
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.results, Some(json!({"raw_output": "hi\n"})));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inside = rt.block_on(async {
            runner.run_blocking(&m, call.values(), |ctx| call.plan(ctx, &EnvSecrets))
        });
        assert!(matches!(inside, Err(RunError::InsideRuntime)));
    }
}

mod gate {
    use super::*;
    use cladgen_run::{Approval, ApprovalRequest, Approver, BoxFuture, GateRule};
    use std::sync::Mutex;

    /// A tool with a `scope_target` and a `scope_check` URL; it leaves a marker file
    /// when it runs.
    fn scoped(dir: &Path) -> (Manifest, PathBuf) {
        let marker = dir.join("ran");
        let s = script(dir, "scoped.sh", &format!("touch {}", marker.display()));
        let m = load(&format!(
            r#"
[tool]
name = "scoped"
version = "1.0.0"
description = "Touches a target."
timeout_seconds = 5

[args.target]
type = "scope_target"
required = true

[args.page]
type = "url"
required = false
scope_check = true

[command]
exec = ["{}", "{{target}}"]

[output]
format = "text"
"#,
            s.display()
        ));
        (m, marker)
    }

    fn refusal(r: Result<Envelope, RunError>) -> cladgen_run::Refusal {
        match r {
            Err(RunError::Refused(r)) => r,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn no_scope_configured_refuses_and_says_how_to_configure_one() {
        let dir = tmp_dir("noscope");
        let (m, marker) = scoped(&dir);
        let r = refusal(
            run_json(
                &Runner::new(config(&dir)),
                &m,
                json!({"target": "10.0.0.1"}),
            )
            .await,
        );
        assert_eq!(r.reasons().len(), 1);
        assert_eq!(r.reasons()[0].rule, GateRule::NoScope);
        let llm = r.for_llm();
        assert!(
            llm.contains("scope/scope.toml") && llm.contains("--scope"),
            "{llm}"
        );
        assert!(llm.contains("target, page"), "{llm}");
        assert_eq!(r.to_json()["errors"][0]["rule"], "no-scope");
        assert!(!marker.exists(), "nothing may run");
    }

    #[tokio::test]
    async fn targets_inside_the_scope_run_and_outside_are_refused() {
        let dir = tmp_dir("scope");
        let (m, marker) = scoped(&dir);
        let scope = Scope::new(["10.0.0.0/24", "*.lab.example.com"], ["10.0.0.1"]).unwrap();
        let runner = Runner::new(config(&dir).with_scope(scope));
        for outside in [
            json!({"target": "10.0.1.5"}),
            json!({"target": "10.0.0.1"}),
            json!({"target": "10.0.0.0/23"}),
            json!({"target": "10.0.0.0/24"}),
            json!({"target": "lab.example.com"}),
            json!({"target": "10.0.0.5", "page": "http://evil.example.org/x"}),
            json!({"target": "10.0.0.5", "page": "http://10.0.0.1/"}),
        ] {
            let r = refusal(run_json(&runner, &m, outside.clone()).await);
            assert!(
                r.reasons().iter().all(|x| x.rule == GateRule::OutOfScope),
                "{outside}: {r:?}"
            );
            assert!(!marker.exists(), "{outside} ran");
        }
        // Both arguments out of scope: both reported at once.
        let r = refusal(
            run_json(
                &runner,
                &m,
                json!({"target": "192.0.2.1", "page": "https://example.net/"}),
            )
            .await,
        );
        let args: Vec<_> = r.reasons().iter().map(|x| x.arg.as_deref()).collect();
        assert_eq!(args, [Some("target"), Some("page")]);
        assert!(
            r.for_llm().contains("target: out-of-scope"),
            "{}",
            r.for_llm()
        );

        for inside in [
            json!({"target": "10.0.0.5"}),
            json!({"target": "10.0.0.128/25"}),
            json!({"target": "web.lab.example.com", "page": "https://a.lab.example.com/x"}),
        ] {
            let e = run_json(&runner, &m, inside.clone()).await.unwrap();
            checked(&m, &e);
            assert_eq!(e.status, Status::Success, "{inside}");
            assert!(marker.exists());
            std::fs::remove_file(&marker).unwrap();
        }
    }

    #[tokio::test]
    async fn scope_check_on_other_types_checks_their_text_as_a_host() {
        let dir = tmp_dir("scope-text");
        let s = script(dir.as_path(), "host.sh", "echo ok");
        let m = load(&format!(
            r#"
[tool]
name = "by_name"
version = "1.0.0"
description = "Takes a host name as text."
timeout_seconds = 5

[args.host]
type = "string"
required = true
scope_check = true

[args.net]
type = "cidr"
required = false
scope_check = true

[command]
exec = ["{}", "{{host}}"]

[output]
format = "text"
"#,
            s.display()
        ));
        let scope = Scope::new(["*.lab.example.com", "10.0.0.0/16"], ["10.0.9.0/24"]).unwrap();
        let runner = Runner::new(config(&dir).with_scope(scope));
        let e = run_json(
            &runner,
            &m,
            json!({"host": "db.lab.example.com", "net": "10.0.4.0/22"}),
        )
        .await
        .unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Success);
        for bad in [
            json!({"host": "under_score.lab.example.com"}),
            json!({"host": "lab.example.com"}),
            json!({"host": "db.lab.example.com", "net": "10.0.8.0/21"}),
        ] {
            let r = refusal(run_json(&runner, &m, bad.clone()).await);
            assert_eq!(r.reasons().len(), 1, "{bad}: {r:?}");
            assert_eq!(r.reasons()[0].rule, GateRule::OutOfScope, "{bad}");
        }
    }

    /// Records what it was asked and answers as told.
    struct Recorder {
        answer: Approval,
        seen: Mutex<Vec<Vec<String>>>,
    }

    impl Approver for Recorder {
        fn approve<'a>(&'a self, r: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
            self.seen.lock().unwrap().push(r.argv.to_vec());
            Box::pin(std::future::ready(self.answer.clone()))
        }
    }

    fn approval_tool(dir: &Path, extra: &str) -> (Manifest, PathBuf, PathBuf) {
        let marker = dir.join("ran");
        let s = script(dir, "approve.sh", &format!("touch {}", marker.display()));
        let m = load(&format!(
            r#"
[tool]
name = "dangerous"
version = "1.0.0"
description = "Needs a human."
timeout_seconds = 5
human_approval = true
{extra}

[args.note]
type = "string"
required = true

[command]
exec = ["{}", "--note", "{{note}}"]

[output]
format = "text"
"#,
            s.display()
        ));
        (m, marker, s)
    }

    #[tokio::test]
    async fn approval_is_refused_by_default_and_asked_with_the_exact_argv() {
        let dir = tmp_dir("approval");
        let (m, marker, program) = approval_tool(&dir, "");
        let r = refusal(run_json(&Runner::new(config(&dir)), &m, json!({"note": "a b"})).await);
        assert_eq!(r.reasons()[0].rule, GateRule::NotApproved);
        assert!(!marker.exists());

        let deny = Recorder {
            answer: Approval::Denied("the operator said no".into()),
            seen: Mutex::default(),
        };
        let runner = Runner::new(config(&dir).with_approver(deny));
        let r = refusal(run_json(&runner, &m, json!({"note": "a b"})).await);
        assert!(r.for_llm().contains("the operator said no"));
        assert!(!marker.exists());

        let yes = std::sync::Arc::new(Recorder {
            answer: Approval::Approved,
            seen: Mutex::default(),
        });
        let mut cfg = config(&dir);
        cfg.approver = yes.clone();
        let e = run_json(&Runner::new(cfg), &m, json!({"note": "a b"}))
            .await
            .unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Success);
        assert!(marker.exists());
        let want = vec![program.display().to_string(), "--note".into(), "a b".into()];
        assert_eq!(*yes.seen.lock().unwrap(), [want]);
    }

    #[tokio::test]
    async fn the_risk_tier_limit_refuses_before_asking_anyone() {
        let dir = tmp_dir("tier");
        let (m, marker, _) = approval_tool(&dir, "risk_tier = \"high\"");
        let asked = std::sync::Arc::new(Recorder {
            answer: Approval::Approved,
            seen: Mutex::default(),
        });
        let mut cfg = config(&dir).with_max_risk(cladgen_core::model::RiskTier::Medium);
        cfg.approver = asked.clone();
        let r = refusal(run_json(&Runner::new(cfg), &m, json!({"note": "x"})).await);
        assert_eq!(r.reasons()[0].rule, GateRule::RiskTier);
        assert!(r.for_llm().contains("risk tier high"), "{}", r.for_llm());
        assert!(asked.seen.lock().unwrap().is_empty());
        assert!(!marker.exists());
    }

    #[tokio::test]
    async fn backends_without_a_runner_are_refused_not_faked() {
        let dir = tmp_dir("backends");
        let head = "[tool]\nname = \"remote\"\nversion = \"1.0.0\"\ndescription = \"Remote.\"\n\n[args.q]\ntype = \"string\"\nrequired = true\n";
        let backends = [(
            "[http]",
            "[http]\nmethod = \"GET\"\nurl = \"https://api.example.com/search?q={q}\"\n\n[output]\nformat = \"json\"\n",
        )];
        for (backend, body) in backends {
            if cfg!(feature = "http") && backend == "[http]" {
                continue; // runs: the `http` module tests it
            }
            let m = load(&format!("{head}\n{body}"));
            let r = run_json(&Runner::new(config(&dir)), &m, json!({"q": "x"})).await;
            match r {
                Err(e @ RunError::NotBuilt { .. }) => {
                    let msg = e.for_llm();
                    assert!(
                        msg.contains("cargo feature `http`") && msg.contains(backend),
                        "{msg}"
                    );
                }
                other => panic!("{backend}: {other:?}"),
            }
        }
        // `[mcp]` runs with feature `mcp-proxy` (mcp_proxy.rs); without upstream servers
        // it is refused, nothing faked.
        let m = load(&format!(
            "{head}\n[mcp]\nserver = \"other\"\ntool = \"search\"\n\n[output]\nformat = \"json\"\n"
        ));
        let r = run_json(&Runner::new(config(&dir)), &m, json!({"q": "x"})).await;
        assert!(
            matches!(&r, Err(e @ RunError::Upstream { .. }) if e.to_string().contains("nothing ran")),
            "{r:?}"
        );
        let callback = load(&head.replace(
            "description = \"Remote.\"",
            "description = \"Remote.\"\ndispatch = \"callback\"",
        ));
        let r = run_json(&Runner::new(config(&dir)), &callback, json!({"q": "x"})).await;
        assert!(
            matches!(&r, Err(e @ RunError::HostRuns { .. }) if e.to_string().contains("nothing ran")),
            "{r:?}"
        );
    }
}

#[cfg(feature = "http")]
mod http;

mod output {
    use super::*;

    fn with_schema(program: &Path, format: &str, schema: &str) -> Manifest {
        load(&format!(
            r#"
[tool]
name = "parsed"
version = "1.0.0"
description = "Prints structured output."
timeout_seconds = 5

[command]
exec = ["{}"]

[output]
format = "{format}"

[output.schema]
{schema}
"#,
            program.display()
        ))
    }

    #[tokio::test]
    async fn each_format_is_parsed_into_results() {
        let dir = tmp_dir("formats");
        let runner = Runner::new(config(&dir));
        let cases = [
            (
                "json",
                r#"printf '{"hosts": ["a"]}'"#,
                json!({"hosts": ["a"]}),
            ),
            (
                "jsonl",
                r#"printf '{"n":1}\n{"n":2}\n'"#,
                json!([{"n": 1}, {"n": 2}]),
            ),
            (
                "csv",
                "printf 'host,port\\nh1,22\\n'",
                json!([{"host": "h1", "port": 22}]),
            ),
            (
                "xml",
                r#"printf '<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun args="x"><host/></nmaprun>\n'"#,
                json!({"nmaprun": {"@args": "x", "host": {}}}),
            ),
            ("text", "printf 'plain'", json!({"raw_output": "plain"})),
        ];
        for (i, (format, body, want)) in cases.into_iter().enumerate() {
            let s = script(&dir, &format!("f{i}.sh"), body);
            // `[output.schema]` absent means an object: arrays must say so.
            let schema = if want.is_array() {
                "type = \"array\""
            } else {
                "type = \"object\""
            };
            let m = with_schema(&s, format, schema);
            let e = run_json(&runner, &m, json!({})).await.unwrap();
            checked(&m, &e);
            assert_eq!(e.status, Status::Success, "{format}: {:?}", e.error);
            assert_eq!(e.results, Some(want), "{format}");
            assert!(
                e.output_file.as_deref().unwrap().ends_with(&format!(
                    ".{}",
                    if format == "text" { "txt" } else { format }
                )),
                "{format}"
            );
        }
    }

    #[tokio::test]
    async fn output_that_does_not_parse_or_match_the_schema_is_an_error() {
        let dir = tmp_dir("mismatch");
        let runner = Runner::new(config(&dir));
        let schema = "type = \"object\"\nrequired = [\"hosts\"]\n[output.schema.properties.hosts]\ntype = \"array\"";
        let good = script(&dir, "good.sh", r#"printf '{"hosts": []}'"#);
        let m = with_schema(&good, "json", schema);
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Success);

        let wrong = script(&dir, "wrong.sh", r#"printf '{"hosts": 5}'"#);
        let m = with_schema(&wrong, "json", schema);
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert_eq!(e.results, None);
        let msg = e.error.unwrap();
        assert!(
            msg.contains("does not match [output.schema]") && msg.contains("/hosts"),
            "{msg}"
        );
        assert_eq!(
            std::fs::read(e.output_file.unwrap()).unwrap(),
            br#"{"hosts": 5}"#
        );

        let broken = script(&dir, "broken.sh", "printf '{nope'");
        let m = with_schema(&broken, "json", schema);
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert!(e.error.unwrap().starts_with("json output does not parse"));
    }

    #[tokio::test]
    async fn structured_output_longer_than_the_cap_is_not_parsed() {
        let dir = tmp_dir("cap");
        let s = script(
            &dir,
            "big.sh",
            r#"printf '{"a": "%s"}' "$(head -c 5000 /dev/zero | tr '\0' x)""#,
        );
        let m = tool(&s, "json", "");
        let mut cfg = config(&dir);
        cfg.output_cap = 1000;
        let e = run_json(&Runner::new(cfg), &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error);
        assert!(e.stdout_truncated && !e.output_file_truncated);
        assert!(e.error.unwrap().contains("output cap"));
    }

    #[tokio::test]
    async fn custom_parsers_run_only_when_allowed() {
        let dir = tmp_dir("custom");
        let tool_prog = script(&dir, "t.sh", "echo 3");
        let parser = script(&dir, "p.sh", r#"printf '{"lines": %s}' "$(wc -l < "$1")""#);
        let m = load(&format!(
            r#"
[tool]
name = "custom"
version = "1.0.0"
description = "Custom parser."
timeout_seconds = 5

[command]
exec = ["{}"]

[output]
format = "text"
parser = "custom:{}"
"#,
            tool_prog.display(),
            parser.display()
        ));
        let r = run_json(&Runner::new(config(&dir)), &m, json!({})).await;
        assert!(matches!(r, Err(RunError::ParserNotAllowed { .. })), "{r:?}");
        let runner = Runner::new(config(&dir).allow_parser(&parser));
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.results, Some(json!({"lines": 1})), "{:?}", e.error);
    }

    #[tokio::test]
    async fn evidence_follows_the_manifest() {
        let dir = tmp_dir("evidence");
        let s = script(&dir, "e.sh", "echo data");
        let m = tool(
            &s,
            "text",
            "[tool.evidence]\noutput_dir = \"{evidence_dir}/{scan_id}-custom\"\ncapture = true\nhash = \"sha256\"",
        );
        let runner = Runner::new(config(&dir).with_scan_id("fixed-1"));
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.scan_id, "fixed-1");
        let want = dir.join("evidence/fixed-1-custom/fixed-1.txt");
        assert_eq!(e.output_file.as_deref(), want.to_str());
        // A reused scan id never overwrites evidence.
        let again = run_json(&runner, &m, json!({})).await;
        assert!(matches!(again, Err(RunError::Evidence { .. })), "{again:?}");

        let off = tool(
            &s,
            "text",
            "[tool.evidence]\noutput_dir = \"{evidence_dir}/{scan_id}\"\ncapture = false",
        );
        let e = run_json(&Runner::new(config(&dir)), &off, json!({}))
            .await
            .unwrap();
        checked(&off, &e);
        assert_eq!((e.output_file, e.output_hash), (None, None));
        assert_eq!(e.results, Some(json!({"raw_output": "data\n"})));

        let mut md5 = m.clone();
        if let Some(e) = md5.tool.evidence.as_mut() {
            e.hash = "md5".into();
        }
        let r = run_json(&Runner::new(config(&dir)), &md5, json!({})).await;
        assert!(
            matches!(&r, Err(RunError::Config(msg)) if msg.contains("only sha256")),
            "{r:?}"
        );

        let bad = Runner::new(config(&dir).with_scan_id("../escape"));
        let r = run_json(&bad, &m, json!({})).await;
        assert!(matches!(r, Err(RunError::ScanId { .. })), "{r:?}");
    }

    #[tokio::test]
    async fn scan_ids_are_unique_per_run() {
        let dir = tmp_dir("ids");
        let s = script(&dir, "i.sh", "true");
        let m = tool(&s, "text", "");
        let runner = Runner::new(config(&dir));
        let a = run_json(&runner, &m, json!({})).await.unwrap();
        let b = run_json(&runner, &m, json!({})).await.unwrap();
        assert_ne!(a.scan_id, b.scan_id);
        assert_ne!(a.output_file, b.output_file);
        assert!(
            humantime::parse_rfc3339(&a.timestamp).is_ok(),
            "{}",
            a.timestamp
        );
    }
}
