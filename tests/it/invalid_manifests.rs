//! Every file in `tests/invalid/` breaks exactly one loading rule. Its first line says
//! which rule and where: `# expect: <rule> <line>:<column>`. The loader must report
//! exactly one error, with that rule, at that place. `*.clad.toml` files are loaded as
//! manifests, `*.toolclad.toml` files as types files.
//!
//! Next to each fixture, `<name>.stderr` holds its diagnostics rendered as plain text
//! (`Diagnostic::render(source, false)`), independent of the toolchain; rerun with
//! `CLADGEN_BLESS=1` to rewrite them after reviewing a change.
//!
//! Every error code of the registry has a fixture, or an entry in [`EXEMPT`] saying
//! why no single file can show it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cladgen_core::load::codes::{self, Code};
use cladgen_core::load::{Diagnostic, LoadOptions, Severity, load_file, load_str, load_types_file};

/// Error codes without a fixture, and why.
const EXEMPT: &[(&Code, &str)] = &[
    (
        &codes::IO,
        "only reachable through the file system (a missing or unreadable path); \
         core/tests/it/load_checks.rs covers it",
    ),
    (
        &codes::FILE_TOO_LARGE,
        "needs a file over 4 MiB, too large to check in; core/tests/it/load_checks.rs \
         writes one",
    ),
    (
        &codes::EMPTY_DIR,
        "about a directory given as input, not about a file; core/tests/it/load_checks.rs \
         covers it",
    ),
    (
        &codes::DUPLICATE_TOOL_NAME,
        "about a set of manifests (`check_set`), not one file; core/tests/it/load_checks.rs \
         covers it",
    ),
];

struct Expect {
    code: &'static Code,
    line: usize,
    column: usize,
}

fn parse_expect(path: &Path, text: &str) -> Expect {
    let first = text.lines().next().unwrap_or("");
    let rest = first.strip_prefix("# expect: ").unwrap_or_else(|| {
        panic!(
            "{}: first line must be `# expect: <rule> <line>:<col>`",
            path.display()
        )
    });
    let (code, place) = rest
        .split_once(' ')
        .unwrap_or_else(|| panic!("{}: bad expect line {first:?}", path.display()));
    let (line, column) = place
        .trim()
        .split_once(':')
        .unwrap_or_else(|| panic!("{}: bad place in {first:?}", path.display()));
    let code = codes::find(code).unwrap_or_else(|| {
        panic!(
            "{}: `{code}` is not a registered diagnostic code",
            path.display()
        )
    });
    Expect {
        code,
        line: line.parse().expect("line number"),
        column: column.parse().expect("column number"),
    }
}

fn invalid_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid")
}

fn is_fixture(p: &Path) -> bool {
    p.to_string_lossy().ends_with(".toml")
}

/// `01-toml-syntax` of `01-toml-syntax.clad.toml` (and of `*.toolclad.toml`).
fn stem(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let name = name.strip_suffix(".toml").unwrap_or(&name);
    let name = name
        .strip_suffix(".toolclad")
        .or_else(|| name.strip_suffix(".clad"))
        .unwrap_or(name);
    name.to_string()
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(invalid_dir())
        .expect("tests/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| is_fixture(p))
        .collect();
    files.sort();
    files
}

/// A fixture's text (lossy, for the expect line), whether it loaded, and its
/// diagnostics. It is loaded by its path relative to the package root (cargo runs
/// tests there), so that snapshots do not depend on where the checkout is.
fn load_fixture(path: &Path) -> (String, bool, Vec<Diagnostic>) {
    let shown = Path::new("tests/invalid").join(path.file_name().unwrap_or_default());
    let bytes = std::fs::read(&shown).expect("readable fixture (tests run in the package root)");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if shown.to_string_lossy().ends_with(".toolclad.toml") {
        match load_types_file(&shown, Default::default()) {
            Ok(t) => (text, true, t.warnings),
            Err(d) => (text, false, d),
        }
    } else {
        let l = load_file(&shown, &LoadOptions::default());
        (text, l.manifest.is_some(), l.diagnostics)
    }
}

fn render_all(source: &str, diags: &[Diagnostic]) -> String {
    let mut out = diags
        .iter()
        .map(|d| d.render(source, false))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

#[test]
fn each_invalid_manifest_reports_its_one_rule_at_its_place() {
    let files = fixtures();
    assert!(files.len() >= 50, "only {} invalid manifests", files.len());
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in &files {
        let (text, loaded_ok, diags) = load_fixture(path);
        let expect = parse_expect(path, &text);
        assert!(
            seen.insert(expect.code),
            "two fixtures test the rule `{}`",
            expect.code
        );
        assert_eq!(
            expect.code.severity,
            Severity::Error,
            "{}: `{}` is a warning code; fixtures are about errors",
            path.display(),
            expect.code
        );
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        let ok = !loaded_ok
            && errors.len() == 1
            && errors[0].code == expect.code
            && errors[0].line == expect.line
            && errors[0].column == expect.column;
        if !ok {
            failures.push(format!(
                "{}: expected exactly `{} {}:{}`, got:\n{}",
                path.display(),
                expect.code,
                expect.line,
                expect.column,
                errors
                    .iter()
                    .map(|d| format!("    {}", d.one_line()))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
        // Every code emitted is one of the registry.
        for d in &diags {
            assert!(
                codes::ALL.contains(&d.code),
                "{}: `{}` is not in codes::ALL",
                path.display(),
                d.code
            );
        }
        // Every error message names what it is about, and rendering shows the place.
        for d in &errors {
            assert!(!d.message.is_empty());
            let rendered = d.render(&text, false);
            assert!(
                rendered.contains(&format!("error[{}]", d.code)),
                "{rendered}"
            );
            if d.line > 0 {
                assert!(
                    rendered.contains(&format!(":{}:{}", d.line, d.column)),
                    "{rendered}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_error_code_has_a_fixture_or_a_reason() {
    let mut fixture_of: BTreeMap<&str, PathBuf> = BTreeMap::new();
    for path in fixtures() {
        let (text, _, _) = load_fixture(&path);
        fixture_of.insert(parse_expect(&path, &text).code.name, path);
    }
    let mut missing = Vec::new();
    for c in codes::ALL.iter().filter(|c| c.severity == Severity::Error) {
        let exempt = EXEMPT.iter().find(|(e, _)| e == c);
        match (fixture_of.get(c.name), exempt) {
            (None, None) => missing.push(c.name),
            (Some(f), Some(_)) => panic!(
                "`{}` is exempt but has the fixture {}: remove the exemption",
                c.name,
                f.display()
            ),
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "error codes without a tests/invalid fixture or an exemption: {missing:?}"
    );
    for (c, why) in EXEMPT {
        assert_eq!(c.severity, Severity::Error, "`{c}` is not an error code");
        assert!(!why.is_empty());
    }
}

#[test]
fn rendered_diagnostics_match_the_snapshots() {
    let bless = std::env::var_os("CLADGEN_BLESS").is_some();
    let mut stale = Vec::new();
    let mut expected_snapshots = Vec::new();
    for path in fixtures() {
        let (text, _, diags) = load_fixture(&path);
        let rendered = render_all(&text, &diags);
        let snapshot = invalid_dir().join(format!("{}.stderr", stem(&path)));
        expected_snapshots.push(snapshot.clone());
        if bless {
            std::fs::write(&snapshot, &rendered).expect("snapshot is writable");
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(s) if s == rendered => {}
            Ok(s) => stale.push(format!(
                "{}:\n--- snapshot\n{s}\n--- now\n{rendered}",
                snapshot.display()
            )),
            Err(_) => stale.push(format!("{} is missing", snapshot.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "rendered diagnostics differ; rerun with CLADGEN_BLESS=1 after reviewing:\n{}",
        stale.join("\n")
    );
    // No snapshot is left behind by a removed fixture.
    for e in std::fs::read_dir(invalid_dir()).expect("tests/invalid exists") {
        let p = e.expect("dir entry").path();
        if p.extension().is_some_and(|x| x == "stderr") {
            assert!(
                expected_snapshots.contains(&p),
                "{} belongs to no fixture",
                p.display()
            );
        }
    }
}

#[test]
fn five_independent_errors_are_all_reported() {
    let text = r#"[tool]
name = "multi"
version = "1.0.0"
description = "five mistakes"
timeout_seconds = 0
risk = "low"

[args.target]
type = "hostnme"
required = true

[args.id]
type = "string"
pattern = "(unclosed"

[command]
template = "tool --target={target} --id={idd}"

[output]
format = "text"
"#;
    let loaded = load_str(Path::new("multi.clad.toml"), text, &LoadOptions::default());
    assert!(loaded.manifest.is_none());
    let got: Vec<(&Code, usize, usize)> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code, d.line, d.column))
        .collect();
    let want: Vec<(&Code, usize, usize)> = vec![
        (&codes::BAD_TIMEOUT, 5, 19),
        (&codes::UNKNOWN_KEY, 6, 1),
        (&codes::UNKNOWN_TYPE, 9, 8),
        (&codes::BAD_REGEX, 14, 11),
        (&codes::UNDEFINED_PLACEHOLDER, 17, 41),
    ];
    assert_eq!(got, want, "{}", loaded.render(false));
    let unknown = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == &codes::UNKNOWN_KEY)
        .expect("unknown key reported");
    assert_eq!(unknown.help.as_deref(), Some("did you mean `risk_tier`?"));
    let undefined = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == &codes::UNDEFINED_PLACEHOLDER)
        .expect("placeholder reported");
    assert_eq!(undefined.help.as_deref(), Some("did you mean `{id}`?"));
    assert!(
        undefined
            .note
            .as_deref()
            .is_some_and(|n| n.contains("`target`, `id`")),
        "{:?}",
        undefined.note
    );
}
