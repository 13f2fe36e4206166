//! `cladgen run` of a session tool: several commands, one session, one envelope per
//! command, with Debian's `python3` behind the bundled `python_calc` manifest.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is inside the repository")
        .to_path_buf()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cladgen-cli-session-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cladgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(args)
        .output()
        .expect("run cladgen")
}

fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn have_python() -> bool {
    let found = Command::new("python3").arg("--version").output().is_ok();
    assert!(
        found || std::env::var("CI").as_deref() != Ok("true"),
        "python3 is missing in CI"
    );
    found
}

#[test]
fn command_pairs_run_in_one_session() {
    if !have_python() {
        return;
    }
    let dir = tmp("pairs");
    let m = repo().join("manifests/python_calc.clad.toml");
    let o = cladgen(&[
        "run",
        m.to_str().unwrap(),
        "--json",
        "--evidence-dir",
        dir.to_str().unwrap(),
        "--command",
        "assign",
        "--args-json",
        r#"{"command": "x = 6 * 7"}"#,
        "--command",
        "evaluate",
        "--args-json",
        r#"{"command": "x + 1"}"#,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let e = lines(&o);
    assert_eq!(e.len(), 2);
    assert_eq!(e[1]["results"]["raw_output"], "43\n");
    assert_eq!(e[0]["session"]["id"], e[1]["session"]["id"], "one session");
    assert_eq!(e[1]["session"]["interaction"], 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_commands_file_stops_at_the_first_refused_command() {
    if !have_python() {
        return;
    }
    let dir = tmp("file");
    let file = dir.join("commands.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"command\": \"assign\", \"args\": {\"command\": \"y = 5\"}}\n",
            "\n",
            "{\"command\": \"evaluate\", \"args\": {\"command\": \"y.real\"}}\n",
            "{\"command\": \"evaluate\", \"args\": {\"command\": \"y\"}}\n",
        ),
    )
    .unwrap();
    let m = repo().join("manifests/python_calc.clad.toml");
    let o = cladgen(&[
        "run",
        m.to_str().unwrap(),
        "--json",
        "--evidence-dir",
        dir.to_str().unwrap(),
        "--commands-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = lines(&o);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0]["status"], "success");
    assert!(e[1]["errors"][0]["rule"].as_str().is_some(), "{}", e[1]);
    // The refused command and the one after it never reached python3.
    let transcript = std::fs::read_dir(&dir)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|f| f.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-session.jsonl"))
        .expect("a transcript");
    let t = std::fs::read_to_string(transcript).unwrap();
    assert_eq!(t.matches("\"event\":\"command\"").count(), 1, "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn session_usage_errors_exit_2() {
    let m = repo().join("manifests/python_calc.clad.toml");
    let m = m.to_str().unwrap();
    for args in [
        vec!["run", m],
        vec!["run", m, "--command", "evaluate"],
        vec!["run", m, "--arg", "command=1"],
    ] {
        let o = cladgen(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty());
    }
    let nmap = repo().join("manifests/nmap_scan.clad.toml");
    let o = cladgen(&[
        "run",
        nmap.to_str().unwrap(),
        "--command",
        "x",
        "--args-json",
        "{}",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("session tools"));
}
