//! `cladgen validate`: exit codes, stdout summaries and stderr diagnostics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cladgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(args)
        .output()
        .expect("cladgen runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cladgen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const GOOD: &str = "[tool]\nname = \"good\"\nversion = \"1\"\ndescription = \"d\"\n\n[args.x]\ntype = \"string\"\n\n[command]\nexec = [\"echo\", \"--x={x}\"]\n\n[output]\nformat = \"text\"\n";

#[test]
fn bundled_manifests_are_valid() {
    let out = cladgen(&["validate", repo().join("manifests").to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().count() >= 10, "{stdout}");
    assert!(stdout.lines().all(|l| l.starts_with("ok    ")), "{stdout}");
}

#[test]
fn corpus_projects_validate_except_the_undeclared_types() {
    let corpus = repo().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipped", corpus.display());
        return;
    }
    for (project, code) in [
        ("jaschadub-Symbiont", 0),
        ("symbi-redteam", 0),
        ("symbiont-tools", 0),
        ("toolclad-examples", 0),
        ("orga-demo", 1),
        ("ThirdKeyAI-symbi-codered", 1),
    ] {
        let out = cladgen(&["validate", corpus.join(project).to_str().expect("utf8")]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{project}:\n{}",
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("error ")).collect();
        let stderr = text(&out.stderr);
        match project {
            "orga-demo" => {
                assert_eq!(errors.len(), 2, "{stdout}");
                assert!(stderr.contains("error[unknown-type]: unknown type `allowed_csv_path`"));
                assert!(stderr.contains("error[unknown-type]: unknown type `agent_summary`"));
                assert!(
                    stderr.contains("escape-harness-read_csv.clad.toml:20:8"),
                    "{stderr}"
                );
            }
            "ThirdKeyAI-symbi-codered" => {
                assert_eq!(errors.len(), 1, "{stdout}");
                assert!(errors[0].contains("advocate_finding.clad.toml"));
                assert!(stderr.contains("unknown type `json` for argument `witness`"));
                assert!(stderr.contains("[types.json]"), "{stderr}");
                assert!(stderr.contains("Builder::extern_type(\"json\""), "{stderr}");
            }
            "symbi-redteam" => {
                assert!(stderr.contains("warning[unused-template]"), "{stderr}");
                assert!(stdout.contains("warnings)"), "{stdout}");
                assert!(errors.is_empty());
            }
            _ => assert!(errors.is_empty(), "{stdout}"),
        }
    }
}

#[test]
fn an_invalid_manifest_exits_1_with_located_diagnostics() {
    let fixture = repo().join("tests/invalid/04-unknown-key.clad.toml");
    let out = cladgen(&["validate", fixture.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[unknown-key]: unknown key `requird` in [args.target]"),
        "{stderr}"
    );
    assert!(stderr.contains("04-unknown-key.clad.toml:10:1"), "{stderr}");
    assert!(
        stderr.contains("help: did you mean `required`?"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colours when stderr is not a terminal"
    );
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("error "), "{stdout}");
    assert!(stdout.contains("(1 error"), "{stdout}");

    // Downgraded, the same manifest is valid with a warning.
    let out = cladgen(&[
        "validate",
        "--unknown-keys",
        "warn",
        fixture.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning[unknown-key]"));
}

#[test]
fn json_format_prints_diagnostics_and_summaries_as_json_lines() {
    let fixture = repo().join("tests/invalid/08-unknown-type.clad.toml");
    let out = cladgen(&[
        "validate",
        "--format",
        "json",
        fixture.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let diag = lines
        .iter()
        .find(|v| v["code"] == cladgen_core::load::codes::UNKNOWN_TYPE.name)
        .expect("diagnostic");
    assert_eq!(diag["line"], 9);
    assert_eq!(diag["column"], 8);
    assert_eq!(diag["severity"], "error");
    let summary = lines
        .iter()
        .find(|v| v.get("status").is_some())
        .expect("summary");
    assert_eq!(summary["status"], "error");
    assert_eq!(summary["errors"], 1);
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = temp_dir("bad");

    // Unreadable path: exit 2.
    let missing = dir.join("missing.clad.toml");
    let out = cladgen(&["validate", missing.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );

    // Empty directory: exit 2.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let out = cladgen(&["validate", empty.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error[empty-dir]"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("contains no `*.clad.toml` manifest"));

    // Not TOML: exit 1, located.
    let not_toml = dir.join("not_toml.clad.toml");
    std::fs::write(&not_toml, "[tool\nname = \"x\"\n").expect("write");
    let out = cladgen(&["validate", not_toml.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[toml-syntax]: invalid TOML"),
        "{stderr}"
    );
    assert!(stderr.contains("not_toml.clad.toml:1:"), "{stderr}");

    // TOML that is not a manifest: exit 1.
    let scope = dir.join("scope.clad.toml");
    std::fs::write(&scope, "[engagement]\nname = \"x\"\n").expect("write");
    let out = cladgen(&["validate", scope.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[not-a-manifest]"), "{stderr}");
    assert!(
        stderr.contains("top-level tables found: [engagement]"),
        "{stderr}"
    );

    // Not UTF-8: exit 1.
    let binary = dir.join("binary.clad.toml");
    std::fs::write(&binary, b"\xff\xfe[tool]").expect("write");
    let out = cladgen(&["validate", binary.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[not-utf8]"));

    // No path at all is a usage error.
    let out = cladgen(&["validate"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_toolclad_toml_with_a_cycle_fails_its_manifests() {
    let dir = temp_dir("cycle");
    std::fs::create_dir_all(dir.join("tools")).expect("mkdir");
    std::fs::write(
        dir.join("toolclad.toml"),
        "[types.a]\nbase = \"b\"\n\n[types.b]\nbase = \"a\"\n",
    )
    .expect("write");
    std::fs::write(dir.join("tools/good.clad.toml"), GOOD).expect("write");
    // Outside a package the search stops at the folder named on the command line, so
    // the toolclad.toml above `tools/` is not consulted.
    let out = cladgen(&["validate", dir.join("tools").to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // In a package (a Cargo.toml above the manifest) it goes up to the package root.
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"scratch\"\n").expect("write");
    let out = cladgen(&["validate", dir.join("tools").to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[type-cycle]: custom types form a cycle: `a` -> `b` -> `a`"),
        "{stderr}"
    );
    assert!(stderr.contains("toolclad.toml:2:8"), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("custom types in") && stdout.contains("are invalid"),
        "{stdout}"
    );

    // `--types` points at another file, which wins over the nearest one.
    let types = dir.join("other.toml");
    std::fs::write(&types, "[types.t]\nbase = \"string\"\n").expect("write");
    let out = cladgen(&[
        "validate",
        "--types",
        types.to_str().expect("utf8"),
        dir.join("tools").to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A FIFO as the manifest or the types file is refused at once (opening it for
/// reading would wait for a writer forever).
#[cfg(unix)]
#[test]
fn fifo_paths_are_refused_without_blocking() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("pipe.clad.toml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let manifest = dir.join("good.clad.toml");
    std::fs::write(&manifest, GOOD).expect("write");
    for args in [
        vec!["validate", fifo.to_str().expect("utf8")],
        vec![
            "validate",
            "--types",
            fifo.to_str().expect("utf8"),
            manifest.to_str().expect("utf8"),
        ],
        vec![
            "test",
            manifest.to_str().expect("utf8"),
            "--types",
            fifo.to_str().expect("utf8"),
        ],
        vec![
            "schema",
            manifest.to_str().expect("utf8"),
            "--types",
            fifo.to_str().expect("utf8"),
        ],
    ] {
        let out = cladgen(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("not a regular file"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // The build script and `include_manifest!` read through the same reader.
    let built = cladgen_build::Builder::new()
        .base_dir(&dir)
        .manifest("pipe.clad.toml")
        .load();
    let Err(cladgen_build::Error::Manifests { diagnostics, .. }) = built else {
        panic!("a FIFO is no manifest: {built:?}");
    };
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == &cladgen_core::load::codes::IO
                && d.message.contains("not a regular file")),
        "{diagnostics:?}"
    );
    let expanded = cladgen_codegen::include_manifest(
        "\"pipe.clad.toml\"".parse().expect("tokens"),
        Some(&dir),
        &cladgen_codegen::GenOptions::default(),
    )
    .to_string();
    assert!(
        expanded.contains("compile_error")
            && expanded.contains("[io]: pipe.clad.toml is not a regular file"),
        "{expanded}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn duplicate_tool_names_across_the_set_are_an_error() {
    let dir = temp_dir("dups");
    std::fs::write(dir.join("a.clad.toml"), GOOD).expect("write");
    std::fs::write(dir.join("b.clad.toml"), GOOD).expect("write");
    let out = cladgen(&["validate", dir.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[duplicate-tool-name]: tool name `good` is also used by"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("ok    good")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("error ")),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The build script (`Builder::load`), `include_manifest!` (its expansion function)
/// and `cladgen validate` load the same manifests of a scratch crate with the same
/// types file and report the same diagnostics: one types-file policy on every path.
mod one_policy_on_every_path {
    use super::*;
    use cladgen_core::load::codes;

    /// `(severity, code, file name, line, column)`, sorted.
    type Found = Vec<(String, String, String, usize, usize)>;

    /// `scratch/toolclad.toml` is a decoy above the crate root that declares `word`;
    /// `crate/tools/toolclad.toml` declares it for `tools/a.clad.toml`, which also has
    /// one warning and one error; `crate/b.clad.toml` has no types file between it and
    /// the crate root, so its `word` is unknown on every path.
    fn scratch() -> PathBuf {
        let dir = temp_dir("one-policy");
        let krate = dir.join("crate");
        std::fs::create_dir_all(krate.join("tools")).expect("mkdir");
        std::fs::write(krate.join("Cargo.toml"), "[package]\nname = \"scratch\"\n").expect("write");
        std::fs::write(
            dir.join("toolclad.toml"),
            "[types.word]\nbase = \"string\"\n",
        )
        .expect("write");
        std::fs::write(
            krate.join("tools/toolclad.toml"),
            "[types.word]\nbase = \"string\"\npattern = \"^[a-z]+$\"\n",
        )
        .expect("write");
        let uses_word = GOOD.replace("type = \"string\"", "type = \"word\"");
        let a = uses_word.replace(
            "type = \"word\"",
            "type = \"word\"\nrequired = true\ndefault = \"abc\"\nrequird = 1",
        );
        std::fs::write(krate.join("tools/a.clad.toml"), a).expect("write");
        std::fs::write(
            krate.join("b.clad.toml"),
            uses_word.replace("\"good\"", "\"other\""),
        )
        .expect("write");
        dir
    }

    fn file_name(p: &str) -> String {
        Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn build_script(krate: &Path) -> Found {
        let result = cladgen_build::Builder::new()
            .base_dir(krate)
            .manifest("tools/a.clad.toml")
            .manifest("b.clad.toml")
            .load();
        let Err(cladgen_build::Error::Manifests { diagnostics, .. }) = result else {
            panic!("the scratch manifests have errors: {result:?}");
        };
        let mut found: Found = diagnostics
            .iter()
            .map(|d| {
                (
                    d.severity.as_str().to_owned(),
                    d.code.name.to_owned(),
                    file_name(&d.file.to_string_lossy()),
                    d.line,
                    d.column,
                )
            })
            .collect();
        found.sort();
        found
    }

    /// Reads `[code]: ... --> file:line:col` (errors) and `warning[code]: ... -->`
    /// (deprecation notes) back out of the expansion's tokens.
    fn parse_expansion(out: &str, found: &mut Found) {
        let mut rest = out;
        while let Some(end) = rest.find("]: ") {
            let head = &rest[..end];
            let open = head.rfind('[').expect("a code in brackets");
            let code = head[open + 1..].to_owned();
            let severity = if head[..open].ends_with("warning") {
                "warning"
            } else {
                "error"
            };
            let after = &rest[end..];
            let at = after.find("--> ").expect("a location") + 4;
            let loc: String = after[at..]
                .chars()
                .take_while(|c| *c != '\\' && *c != '"')
                .collect();
            let mut parts = loc.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok()).expect("column");
            let line = parts.next().and_then(|l| l.parse().ok()).expect("line");
            let file = file_name(parts.next().expect("file"));
            found.push((severity.to_owned(), code, file, line, column));
            rest = &after[at..];
        }
    }

    fn macro_expansion(krate: &Path) -> Found {
        let mut found = Found::new();
        for lit in ["\"tools/a.clad.toml\"", "\"b.clad.toml\""] {
            let out = cladgen_codegen::include_manifest(
                lit.parse().expect("tokens"),
                Some(krate),
                &cladgen_codegen::GenOptions::default(),
            )
            .to_string();
            assert!(out.contains("compile_error"), "{out}");
            parse_expansion(&out, &mut found);
        }
        found.sort();
        found
    }

    fn cli(krate: &Path) -> Found {
        let a = krate.join("tools/a.clad.toml");
        let b = krate.join("b.clad.toml");
        let out = cladgen(&[
            "validate",
            "--format",
            "json",
            a.to_str().expect("utf8"),
            b.to_str().expect("utf8"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let mut found: Found = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
            .filter(|v| v.get("code").is_some())
            .map(|v| {
                (
                    v["severity"].as_str().expect("severity").to_owned(),
                    v["code"].as_str().expect("code").to_owned(),
                    file_name(v["file"].as_str().expect("file")),
                    v["line"].as_u64().expect("line") as usize,
                    v["column"].as_u64().expect("column") as usize,
                )
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn build_script_macro_and_cli_agree() {
        let dir = scratch();
        let krate = dir.join("crate");
        let build = build_script(&krate);
        let expected: Found = vec![
            (
                "error".into(),
                codes::UNKNOWN_KEY.name.into(),
                "a.clad.toml".into(),
                10,
                1,
            ),
            (
                "error".into(),
                codes::UNKNOWN_TYPE.name.into(),
                "b.clad.toml".into(),
                7,
                8,
            ),
            (
                "warning".into(),
                codes::REQUIRED_WITH_DEFAULT.name.into(),
                "a.clad.toml".into(),
                9,
                11,
            ),
        ];
        let mut expected = expected;
        expected.sort();
        assert_eq!(build, expected, "the build script");
        assert_eq!(macro_expansion(&krate), expected, "include_manifest!");
        assert_eq!(cli(&krate), expected, "cladgen validate");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn every_command_prints_warnings_on_stderr() {
    let dir = temp_dir("warnings");
    let warned = GOOD.replace(
        "type = \"string\"",
        "type = \"string\"\nrequired = true\ndefault = \"a\"",
    );
    let path = dir.join("w.clad.toml");
    std::fs::write(&path, warned).expect("write");
    let p = path.to_str().expect("utf8");
    for args in [
        vec!["validate", p],
        vec!["test", p, "--arg", "x=b"],
        vec!["schema", p],
        vec!["expand", p],
    ] {
        let out = cladgen(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("warning[required-with-default]") && stderr.contains("w.clad.toml:9:"),
            "{args:?}: {stderr}"
        );
        assert!(
            !text(&out.stdout).contains("warning["),
            "{args:?}: warnings stay off stdout"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cladgen explain`: every registered code prints its registry text.
mod explain {
    use super::{cladgen, text};
    use cladgen_core::load::codes;

    #[test]
    fn every_code_is_explained() {
        for c in codes::ALL {
            let out = cladgen(&["explain", c.name]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            assert_eq!(text(&out.stdout), c.explain(), "explain {}", c.name);
        }
    }

    #[test]
    fn the_rendered_form_is_accepted() {
        let out = cladgen(&["explain", "error[bad-regex]"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("error[bad-regex]: "));
    }

    #[test]
    fn an_unknown_code_is_a_usage_error_with_a_suggestion() {
        let out = cladgen(&["explain", "bad-regx"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert!(err.contains("`bad-regx` is not a diagnostic code"), "{err}");
        assert!(err.contains("did you mean `bad-regex`?"), "{err}");
        let out = cladgen(&["explain", "zzzz"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("run `cladgen explain` to list every code"));
    }

    #[test]
    fn without_a_code_every_code_is_listed() {
        let out = cladgen(&["explain"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let listing = text(&out.stdout);
        assert_eq!(listing.lines().count(), codes::ALL.len());
        for c in codes::ALL {
            assert!(
                listing
                    .lines()
                    .any(|l| l.starts_with(c.name) && l.ends_with(c.summary)),
                "{} missing from:\n{listing}",
                c.name
            );
        }
    }
}
