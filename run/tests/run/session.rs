//! Sessions end to end: real programs in a real PTY. The fault fixtures are `sh`
//! scripts that log every line they receive, so a refused command provably never
//! reached the program; the bundled `python_calc` manifest drives Debian's
//! `python3`.

use super::{assert_group_gone, config, load, tmp_dir};
use cladgen_core::load::{LoadOptions, load_file};
use cladgen_core::model::Manifest;
use cladgen_core::schema::output_schema;
use cladgen_core::scope::Scope;
use cladgen_run::{
    ApproveAll, RunConfig, Runner, Session, SessionEnvelope, SessionError, SessionState, Status,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The fixture program: a prompt `fx> `, one line per command, each logged.
const FIXTURE: &str = r#"#!/bin/sh
log="$1"
if [ "$2" = "noprompt" ]; then echo "starting, but no prompt ever"; sleep 1000; fi
echo "fixture ready"
printf 'fx> '
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$log"
  case "$line" in
    "say "*) printf '%s\n' "${line#say }" ;;
    color) printf '\033[1;31mred\033[0m and plain\n' ;;
    hang) sleep 1000 ;;
    trickle) while :; do printf .; sleep 0.05; done ;;
    flood) head -c 300000 /dev/zero | tr '\0' x; echo ;;
    crash) echo "dying"; exit 3 ;;
    showenv) env | sort ;;
  esac
  printf 'fx> '
done
"#;

struct Fixture {
    _dir: super::TmpDir,
    log: PathBuf,
    manifest: Manifest,
    evidence: PathBuf,
}

/// A session manifest over the fixture; `session` replaces the limits.
fn fixture(name: &str, mode: &str, limits: &str, timeout: u64) -> Fixture {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp_dir(name);
    let prog = dir.join("fx.sh");
    std::fs::write(&prog, FIXTURE).unwrap();
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = dir.join("received.log");
    std::fs::write(&log, "").unwrap();
    let manifest = load(&format!(
        r#"
[tool]
name = "fx"
version = "1.0.0"
description = "A session fixture."
timeout_seconds = {timeout}
mode = "session"

[session]
startup_command = "{prog} {log} {mode}"
ready_pattern = '^fx> $'
{limits}

[session.interaction]
output_max_bytes = 1000
output_wait_ms = 700

[session.commands.say]
pattern = '^say [a-z ]+$'
description = "Say words."

[session.commands.color]
pattern = '^color$'
description = "Coloured output."

[session.commands.hang]
pattern = '^hang$'
description = "Never answers, silently."

[session.commands.trickle]
pattern = '^trickle$'
description = "Never answers, printing all the time."

[session.commands.flood]
pattern = '^flood$'
description = "A long answer."

[session.commands.crash]
pattern = '^crash$'
description = "The program exits."

[session.commands.showenv]
pattern = '^showenv$'
description = "The environment."

[session.commands.danger]
pattern = '^say danger$'
description = "Needs approval."
risk_tier = "high"
human_approval = true

[session.commands.reach]
pattern = '^say [0-9.]+$'
template = "say {{target}}"
description = "A scope-checked target."
extract_target = true

[session.commands.reach.args.target]
position = 1
required = true
type = "scope_target"
description = "The target."

[output]
format = "text"
envelope = true

[output.schema]
type = "object"

[output.schema.properties.raw_output]
type = "string"
"#,
        prog = prog.display(),
        log = log.display(),
    ));
    let evidence = dir.join("evidence");
    Fixture {
        _dir: dir,
        log,
        manifest,
        evidence,
    }
}

const LIMITS: &str = "startup_timeout_seconds = 3\nidle_timeout_seconds = 60\nsession_timeout_seconds = 120\nmax_interactions = 50";

fn received(f: &Fixture) -> Vec<String> {
    std::fs::read_to_string(&f.log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every session envelope matches the tool's generated output schema, and
/// `output_hash` is the hash of exactly the transcript's bytes so far.
fn checked(m: &Manifest, e: &SessionEnvelope) -> Value {
    let json = e.to_json();
    let schema = output_schema(m).unwrap().expect("an output schema");
    // The generated schema itself requires the session object and its fields.
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&json!("session"))
    );
    assert_eq!(
        schema["properties"]["session"]["required"],
        json!(cladgen_core::schema::SESSION_ENVELOPE_FIELDS)
    );
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{json:#}");
    if let (Some(f), Some(h)) = (&e.envelope.output_file, &e.envelope.output_hash) {
        let bytes = std::fs::read(f).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(h, &format!("sha256:{hex}"), "hash of {f}");
    }
    json
}

async fn send(
    s: &mut Session,
    command: &str,
    args: Value,
) -> Result<SessionEnvelope, SessionError> {
    s.send_json(command, &args).await
}

/// Whether `program` is on PATH; outside CI a missing one skips the test, in CI
/// (`CI=true`, where .ci/run installs it) it fails.
fn have(program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
    assert!(
        found || std::env::var("CI").as_deref() != Ok("true"),
        "{program} is missing in CI (.ci/run installs it)"
    );
    if !found {
        eprintln!("skipped: {program} is not installed");
    }
    found
}

fn pid_of(s: &Session) -> i32 {
    i32::try_from(s.pid().expect("the program runs")).unwrap()
}

#[tokio::test]
async fn answers_lose_their_echo_escapes_and_prompt() {
    let f = fixture("sess-echo", "", LIMITS, 5);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    assert_eq!(s.pid(), None, "nothing starts before the first command");
    let e = send(&mut s, "say", json!({"command": "say hello world"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "success", "{j:#}");
    assert_eq!(j["results"]["raw_output"], "hello world\n");
    assert_eq!(j["command"], "say hello world");
    assert_eq!(j["session"]["prompt"], "fx> ");
    assert_eq!(j["session"]["interaction"], 1);
    assert_eq!(j["session"]["state"], "open");
    assert_eq!(j["session"]["output"], Value::Null);
    assert_eq!(j["scan_id"], j["session"]["id"]);
    let e = send(&mut s, "color", json!({"command": "color"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &e);
    assert_eq!(j["results"]["raw_output"], "red and plain\n", "{j:#}");
    assert_eq!(j["session"]["interaction"], 2);
    assert!(j["stdout_bytes"].as_u64().unwrap() > "red and plain\n".len() as u64);
    let pid = pid_of(&s);
    s.close().await;
    assert_eq!(s.state(), SessionState::Closed);
    assert_group_gone(pid);
    assert_eq!(received(&f), ["say hello world", "color"]);
}

#[tokio::test]
async fn the_program_gets_the_runner_environment_policy_and_a_dumb_terminal() {
    let f = fixture("sess-env", "", LIMITS, 5);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let e = send(&mut s, "showenv", json!({"command": "showenv"}))
        .await
        .unwrap();
    let out = e.to_json()["results"]["raw_output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(out.lines().any(|l| l == "TERM=dumb"), "{out}");
    let allowed = RunConfig::default();
    for line in out.lines() {
        let name = line.split('=').next().unwrap();
        // `sh` itself exports PWD (and may set OLDPWD); everything else comes from
        // the allow-list or the runner.
        assert!(
            allowed.env_allowed(name) || ["TERM", "PWD", "OLDPWD"].contains(&name),
            "{name} leaked into the session: {out}"
        );
    }
    s.close().await;
}

#[tokio::test]
async fn a_prompt_that_never_appears_fails_the_start_and_closes_the_session() {
    let f = fixture(
        "sess-noprompt",
        "noprompt",
        "startup_timeout_seconds = 1\nidle_timeout_seconds = 60\nsession_timeout_seconds = 120",
        5,
    );
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let t = Instant::now();
    let e = send(&mut s, "say", json!({"command": "say hi"}))
        .await
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "timeout", "{j:#}");
    let err = j["error"].as_str().unwrap();
    assert!(err.contains("startup_timeout_seconds (1 s)"), "{err}");
    assert!(err.contains("starting, but no prompt ever"), "{err}");
    assert_eq!(j["session"]["state"], "closed");
    assert_eq!(j["session"]["interaction"], 0);
    let again = send(&mut s, "say", json!({"command": "say hi"}))
        .await
        .unwrap_err();
    assert!(matches!(again, SessionError::Closed { .. }), "{again}");
    assert!(
        again.to_string().contains("startup_timeout_seconds"),
        "{again}"
    );
    assert!(received(&f).is_empty());
}

#[tokio::test]
async fn a_silent_hang_is_stopped_after_output_wait_ms() {
    let f = fixture("sess-hang", "", LIMITS, 30);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    let pid = pid_of(&s);
    let t = Instant::now();
    let e = send(&mut s, "hang", json!({"command": "hang"}))
        .await
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "timeout", "{j:#}");
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("output_wait_ms (700 ms)"),
        "{j:#}"
    );
    assert_eq!(j["session"]["state"], "closed");
    assert_eq!(j["session"]["prompt"], Value::Null);
    // The program and the `sleep` it started are gone.
    assert_group_gone(pid);
}

#[tokio::test]
async fn a_command_that_keeps_printing_is_killed_at_the_interaction_deadline() {
    let f = fixture("sess-trickle", "", LIMITS, 2);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    let pid = pid_of(&s);
    let t = Instant::now();
    let e = send(&mut s, "trickle", json!({"command": "trickle"}))
        .await
        .unwrap();
    let took = t.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "{took:?}"
    );
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "timeout", "{j:#}");
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("timeout_seconds (2 s)"),
        "{j:#}"
    );
    assert!(
        j["session"]["output"].as_str().unwrap().starts_with(".."),
        "{j:#}"
    );
    assert_group_gone(pid);
    let next = send(&mut s, "say", json!({"command": "say b"}))
        .await
        .unwrap_err();
    assert!(matches!(next, SessionError::Closed { .. }), "{next}");
    assert_eq!(received(&f), ["say a", "trickle"]);
}

#[tokio::test]
async fn a_flood_is_capped_at_output_max_bytes_and_the_prompt_still_ends_it() {
    let f = fixture("sess-flood", "", LIMITS, 10);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let e = send(&mut s, "flood", json!({"command": "flood"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "success", "{j:#}");
    assert_eq!(j["stdout_truncated"], true);
    let kept = j["results"]["raw_output"].as_str().unwrap();
    assert_eq!(kept, "x".repeat(1000));
    assert!(
        j["session"]["output_bytes"].as_u64().unwrap() >= 300_000,
        "{}",
        j["session"]
    );
    assert!(j["stdout_bytes"].as_u64().unwrap() >= 300_000);
    assert_eq!(j["session"]["prompt"], "fx> ");
    // The session is still usable: the next answer is its own.
    let e = send(&mut s, "say", json!({"command": "say after"}))
        .await
        .unwrap();
    assert_eq!(e.to_json()["results"]["raw_output"], "after\n");
    s.close().await;
}

#[tokio::test]
async fn a_crash_ends_the_session_with_its_status() {
    let f = fixture("sess-crash", "", LIMITS, 5);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    let e = send(&mut s, "crash", json!({"command": "crash"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "error", "{j:#}");
    assert_eq!(j["exit_code"], 3);
    assert_eq!(j["session"]["output"], "dying\n");
    assert_eq!(j["session"]["state"], "closed");
    assert!(
        j["session"]["closed_reason"]
            .as_str()
            .unwrap()
            .contains("exit code 3"),
        "{j:#}"
    );
    let next = send(&mut s, "say", json!({"command": "say b"}))
        .await
        .unwrap_err();
    assert!(next.to_string().contains("exit code 3"), "{next}");
    assert_eq!(received(&f), ["say a", "crash"]);
}

#[tokio::test]
async fn the_idle_timeout_stops_the_program_without_a_call() {
    let f = fixture(
        "sess-idle",
        "",
        "startup_timeout_seconds = 3\nidle_timeout_seconds = 1\nsession_timeout_seconds = 120",
        5,
    );
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    let pid = pid_of(&s);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    // Stopped by the watchdog, before any further call.
    assert_group_gone(pid);
    let next = send(&mut s, "say", json!({"command": "say b"}))
        .await
        .unwrap_err();
    assert!(matches!(next, SessionError::Closed { .. }), "{next}");
    assert!(
        next.to_string().contains("idle_timeout_seconds (1 s)"),
        "{next}"
    );
    assert_eq!(received(&f), ["say a"]);
}

#[tokio::test]
async fn the_session_timeout_holds_even_while_busy() {
    let f = fixture(
        "sess-life",
        "",
        "startup_timeout_seconds = 3\nidle_timeout_seconds = 60\nsession_timeout_seconds = 2",
        30,
    );
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    let pid = pid_of(&s);
    let e = send(&mut s, "trickle", json!({"command": "trickle"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &e);
    assert_eq!(j["status"], "timeout", "{j:#}");
    assert!(
        j["session"]["closed_reason"]
            .as_str()
            .unwrap()
            .contains("session_timeout_seconds (2 s)"),
        "{j:#}"
    );
    assert_group_gone(pid);
}

#[tokio::test]
async fn max_interactions_closes_the_session_after_the_last_command() {
    let f = fixture(
        "sess-max",
        "",
        "startup_timeout_seconds = 3\nmax_interactions = 2",
        5,
    );
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let first = send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    assert_eq!(first.session.state, SessionState::Open);
    let pid = pid_of(&s);
    let second = send(&mut s, "say", json!({"command": "say b"}))
        .await
        .unwrap();
    let j = checked(&f.manifest, &second);
    assert_eq!(j["status"], "success", "{j:#}");
    assert_eq!(j["results"]["raw_output"], "b\n");
    assert_eq!(j["session"]["state"], "closed");
    assert!(
        j["session"]["closed_reason"]
            .as_str()
            .unwrap()
            .contains("max_interactions (2)")
    );
    assert_group_gone(pid);
    let third = send(&mut s, "say", json!({"command": "say c"}))
        .await
        .unwrap_err();
    assert!(
        third.to_string().contains("max_interactions (2)"),
        "{third}"
    );
    assert_eq!(received(&f), ["say a", "say b"]);
}

#[tokio::test]
async fn refused_commands_never_reach_the_program() {
    let f = fixture("sess-refused", "", LIMITS, 5);
    let scope = Scope::new(["10.0.0.0/24"], [] as [&str; 0]).unwrap();
    let runner = Runner::new(config(&f.evidence).with_scope(scope));
    let mut s = runner.open_session(&f.manifest).unwrap();
    // Bad pattern, a line break, an undeclared argument: the typed call refuses.
    for (command, args) in [
        ("say", json!({"command": "say HELLO"})),
        ("say", json!({"command": "say a\nsay b"})),
        ("say", json!({"command": "say a", "extra": 1})),
        ("nosuch", json!({"command": "say a"})),
    ] {
        let e = send(&mut s, command, args.clone()).await.unwrap_err();
        assert!(matches!(e, SessionError::Args { .. }), "{args}: {e}");
    }
    assert_eq!(
        s.pid(),
        None,
        "a refused first command does not start the program"
    );
    send(&mut s, "say", json!({"command": "say a"}))
        .await
        .unwrap();
    // Approval: the default approver denies.
    let e = send(&mut s, "danger", json!({"command": "say danger"}))
        .await
        .unwrap_err();
    let SessionError::Refused(r) = &e else {
        panic!("{e}")
    };
    assert_eq!(r.tool, "fx__danger");
    assert_eq!(r.reasons()[0].rule.as_str(), "not-approved");
    // Out of scope.
    let e = send(&mut s, "reach", json!({"target": "192.168.1.1"}))
        .await
        .unwrap_err();
    let SessionError::Refused(r) = &e else {
        panic!("{e}")
    };
    assert_eq!(
        r.reasons()[0].rule.as_str(),
        "out-of-scope",
        "{}",
        e.for_llm()
    );
    // In scope: sent.
    let ok = send(&mut s, "reach", json!({"target": "10.0.0.7"}))
        .await
        .unwrap();
    assert_eq!(ok.to_json()["results"]["raw_output"], "10.0.0.7\n");
    // A risk tier above the host's maximum.
    let strict = Runner::new(
        config(&f.evidence)
            .with_approver(ApproveAll)
            .with_max_risk(cladgen_core::model::RiskTier::Medium),
    );
    let mut s2 = strict.open_session(&f.manifest).unwrap();
    let e = send(&mut s2, "danger", json!({"command": "say danger"}))
        .await
        .unwrap_err();
    let SessionError::Refused(r) = &e else {
        panic!("{e}")
    };
    assert_eq!(r.reasons()[0].rule.as_str(), "risk-tier");
    s.close().await;
    assert_eq!(received(&f), ["say a", "say 10.0.0.7"]);
    // The transcript records the refusals.
    let t = std::fs::read_to_string(s.transcript_path().unwrap()).unwrap();
    assert_eq!(
        t.lines()
            .filter(|l| l.contains("\"event\":\"refused\""))
            .count(),
        2,
        "{t}"
    );
}

#[tokio::test]
async fn a_scope_target_without_a_scope_is_refused() {
    let f = fixture("sess-noscope", "", LIMITS, 5);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let e = send(&mut s, "reach", json!({"target": "10.0.0.7"}))
        .await
        .unwrap_err();
    let SessionError::Refused(r) = &e else {
        panic!("{e}")
    };
    assert_eq!(r.reasons()[0].rule.as_str(), "no-scope");
    assert!(received(&f).is_empty());
}

#[tokio::test]
async fn the_approver_sees_the_exact_text() {
    use cladgen_run::{Approval, ApprovalRequest, Approver, BoxFuture};
    use std::sync::{Arc, Mutex};
    /// (tool, argv) of every request.
    type Requests = Arc<Mutex<Vec<(String, Vec<String>)>>>;
    #[derive(Clone, Default)]
    struct Seen(Requests);
    impl Approver for Seen {
        fn approve<'a>(&'a self, r: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
            self.0
                .lock()
                .unwrap()
                .push((r.tool.to_owned(), r.argv.to_vec()));
            Box::pin(std::future::ready(Approval::Approved))
        }
    }
    let f = fixture("sess-approve", "", LIMITS, 5);
    let seen = Seen::default();
    let runner = Runner::new(config(&f.evidence).with_approver(seen.clone()));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let e = send(&mut s, "danger", json!({"command": "say danger"}))
        .await
        .unwrap();
    assert_eq!(e.envelope.status, Status::Success);
    assert_eq!(
        *seen.0.lock().unwrap(),
        [("fx__danger".to_owned(), vec!["say danger".to_owned()])]
    );
    s.close().await;
}

#[tokio::test]
async fn the_transcript_records_every_step_and_dropping_kills_the_program() {
    let f = fixture("sess-transcript", "", LIMITS, 5);
    let runner = Runner::new(config(&f.evidence));
    let mut s = runner.open_session(&f.manifest).unwrap();
    let e = send(&mut s, "say", json!({"command": "say one"}))
        .await
        .unwrap();
    checked(&f.manifest, &e);
    let path = PathBuf::from(e.envelope.output_file.clone().unwrap());
    assert_eq!(path, s.transcript_path().unwrap());
    let pid = pid_of(&s);
    drop(s);
    assert_group_gone(pid);
    let text = std::fs::read_to_string(&path).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["start", "spawned", "ready", "command", "answer"],
        "{text}"
    );
    assert_eq!(events[3]["text"], "say one");
    assert_eq!(events[4]["output"], "one\n");
    assert!(
        events
            .iter()
            .all(|e| e["time"].as_str().is_some_and(|t| t.ends_with('Z')))
    );
    assert!(
        events[2]["output"]
            .as_str()
            .unwrap()
            .contains("fixture ready")
    );
}

#[tokio::test]
async fn a_non_session_manifest_is_refused() {
    let m = load(
        "[tool]\nname = \"x\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\n[command]\nexec = [\"/bin/true\"]\n\n[output]\nformat = \"text\"\n",
    );
    let e = Runner::new(RunConfig::default())
        .open_session(&m)
        .unwrap_err();
    assert!(matches!(e, SessionError::NotASession { .. }), "{e}");
}

/// The bundled manifest, with Debian's `python3`: state kept between commands.
#[tokio::test]
async fn python_calc_session_end_to_end() {
    if !have("python3") {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests/python_calc.clad.toml");
    let loaded = load_file(&path, &LoadOptions::default());
    let m = loaded
        .manifest
        .clone()
        .unwrap_or_else(|| panic!("{}", loaded.render(false)));
    let dir = tmp_dir("sess-python");
    let runner = Runner::new(config(&dir));
    let mut s = runner.open_session(&m).unwrap();
    let e = send(&mut s, "assign", json!({"command": "total = 6 * 7"}))
        .await
        .unwrap();
    let j = checked(&m, &e);
    assert_eq!(j["status"], "success", "{j:#}");
    assert_eq!(j["results"]["raw_output"], "");
    assert_eq!(j["session"]["prompt"], ">>> ");
    let e = send(&mut s, "evaluate", json!({"command": "total + 1"}))
        .await
        .unwrap();
    let j = checked(&m, &e);
    assert_eq!(j["results"]["raw_output"], "43\n", "{j:#}");
    assert_eq!(j["session"]["interaction"], 2);
    // The interpreter's own errors are answers: the prompt came back.
    let e = send(&mut s, "evaluate", json!({"command": "total / 0"}))
        .await
        .unwrap();
    let out = e.to_json()["results"]["raw_output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(out.contains("ZeroDivisionError"), "{out}");
    // A call or an attribute never reaches the interpreter.
    for text in ["open(1)", "total.real", "__import__('os')"] {
        let e = send(&mut s, "evaluate", json!({"command": text}))
            .await
            .unwrap_err();
        assert!(matches!(e, SessionError::Args { .. }), "{text}: {e}");
    }
    let e = send(&mut s, "evaluate", json!({"command": "total % 5"}))
        .await
        .unwrap();
    assert_eq!(e.to_json()["results"]["raw_output"], "2\n");
    let pid = pid_of(&s);
    s.close().await;
    assert_group_gone(pid);
    let transcript = std::fs::read_to_string(s.transcript_path().unwrap()).unwrap();
    let texts: Vec<String> = transcript
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == "command")
        .map(|v| v["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        texts,
        ["total = 6 * 7", "total + 1", "total / 0", "total % 5"]
    );
}
