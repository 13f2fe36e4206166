//! Every file in `tests/invalid/` breaks exactly one loading rule. Its first line says
//! which rule and where: `# expect: <rule> <line>:<column>`. The loader must report
//! exactly one error, with that rule, at that place.

use std::path::{Path, PathBuf};

use cladgen_core::load::codes::{self, Code};
use cladgen_core::load::{LoadOptions, load_str};

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

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/invalid exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".clad.toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn each_invalid_manifest_reports_its_one_rule_at_its_place() {
    let files = fixtures();
    assert!(files.len() >= 40, "only {} invalid manifests", files.len());
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable fixture");
        let expect = parse_expect(path, &text);
        assert!(
            seen.insert(expect.code),
            "two fixtures test the rule `{}`",
            expect.code
        );
        let loaded = load_str(path, &text, &LoadOptions::default());
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
        let ok = loaded.manifest.is_none()
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
        // Every error message names what it is about, and rendering shows the place.
        for d in &errors {
            assert!(!d.message.is_empty());
            let rendered = d.render(&loaded.source, false);
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
