//! Every tool definition of every manifest in `manifests/` and in the shared corpus
//! (`../shared/corpus`; skipped when absent, a failure in CI), in every flavour: valid
//! against the JSON Schema meta-schema, OpenAI strict rules, tool-name rules, no
//! `$ref`, and every default valid against its own property schema. Every `pattern`
//! they carry compiles in Python's `re` and in Node's `RegExp` with and without the
//! `u` flag, and the portable spelling of tricky manifest regexes matches in both like
//! the validator.

use crate::schema_support;

use cladgen_core::load::{self, LoadOptions};
use cladgen_core::model::{Manifest, Pattern};
use cladgen_core::schema::{
    Flavor, exposed_tools, output_schema, portable_pattern, tool_definitions,
};
use schema_support::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Whether this runs in CI (`CI=true`), where a missing component (the corpus,
/// `python3`, `node`) is a failure instead of a skip.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports that `what` is absent: a skip with a note, or a failure in CI.
fn absent(what: &str) {
    assert!(
        !in_ci(),
        "{what} is absent; in CI (CI=true) that is a failure, not a skip"
    );
    eprintln!("note: {what} is absent; skipped");
}

fn corpus_dir() -> Option<PathBuf> {
    let corpus = repo_root().join("../shared/corpus");
    if corpus.is_dir() {
        Some(corpus)
    } else {
        absent(&format!("the corpus {}", corpus.display()));
        None
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ has a parent")
        .to_path_buf()
}

fn manifests_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            manifests_under(&p, out);
        } else if p.to_string_lossy().ends_with(".clad.toml") {
            out.push(p);
        }
    }
}

/// Loads `path` with the custom types of the nearest `toolclad.toml`.
fn load(path: &Path) -> Result<Manifest, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // Unbounded on purpose: the fixtures sit in folders of their own, not in crates.
    let custom_types = match load::find_types_file(dir, Path::new("/")) {
        Some(t) => Some(
            load::load_types_file(&t, load::UnknownKeys::Error)
                .map_err(|d| format!("{}: {} type diagnostics", t.display(), d.len()))?,
        ),
        None => None,
    };
    let opts = LoadOptions {
        custom_types,
        ..LoadOptions::default()
    };
    let loaded = load::load_file(path, &opts);
    loaded.manifest.clone().ok_or_else(|| loaded.render(false))
}

/// Checks every definition of `m`; returns how many tools it exposes.
fn check_manifest(m: &Manifest, what: &str) -> usize {
    let tools = exposed_tools(m).unwrap_or_else(|e| panic!("{what}: {e}"));
    for flavor in Flavor::ALL {
        let defs = tool_definitions(m, flavor).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(defs.len(), tools.len(), "{what}");
        for d in &defs {
            let name = def_name(d, flavor).to_owned();
            let what = format!("{what} [{flavor}] {name}");
            assert_definition(d, flavor, &what);
            // A default must be a value its own property schema accepts.
            let input = def_input(d, flavor);
            for (prop, schema) in input["properties"].as_object().expect("object") {
                if let Some(default) = schema.get("default") {
                    let v = jsonschema::draft202012::new(schema).expect("compiles");
                    assert!(
                        v.is_valid(default),
                        "{what}: default {default} of '{prop}' violates {schema}"
                    );
                }
            }
        }
    }
    if let Some(out) = output_schema(m).unwrap_or_else(|e| panic!("{what}: {e}")) {
        assert_valid_schema(&out, &format!("{what} output schema"));
        assert_no_ref(&out, what);
    }
    tools.len()
}

#[test]
fn bundled_manifests() {
    let mut paths = Vec::new();
    manifests_under(&repo_root().join("manifests"), &mut paths);
    assert!(!paths.is_empty(), "manifests/ has manifests");
    let mut tools = 0;
    for p in &paths {
        let m = load(p).unwrap_or_else(|e| panic!("{} does not load:\n{e}", p.display()));
        tools += check_manifest(&m, &p.display().to_string());
    }
    assert!(tools >= paths.len());
}

#[test]
fn corpus_manifests() {
    let Some(corpus) = corpus_dir() else { return };
    let mut paths = Vec::new();
    manifests_under(&corpus, &mut paths);
    let mut checked = 0;
    let mut refused = Vec::new();
    for p in &paths {
        match load(p) {
            Ok(m) => {
                check_manifest(&m, &p.display().to_string());
                checked += 1;
            }
            // Whether the corpus loads is the loader's test; here only what loads.
            Err(_) => refused.push(p.display().to_string()),
        }
    }
    if !refused.is_empty() {
        eprintln!(
            "note: {} corpus manifests did not load and were not checked:\n  {}",
            refused.len(),
            refused.join("\n  ")
        );
    }
    assert!(
        checked > 0,
        "no corpus manifest loaded ({} found)",
        paths.len()
    );
}

/// Every string under a `"pattern"` key of `v` (a property named `pattern` is an
/// object, and is searched like any other).
fn collect_patterns(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match x {
                    Value::String(p) if k == "pattern" => {
                        out.insert(p.clone());
                    }
                    _ => collect_patterns(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_patterns(x, out)),
        _ => {}
    }
}

/// Every schema pattern of `m`: all tool definitions in every flavour and the output
/// schema.
fn schema_patterns(m: &Manifest, what: &str, out: &mut BTreeSet<String>) {
    for flavor in Flavor::ALL {
        for d in tool_definitions(m, flavor).unwrap_or_else(|e| panic!("{what}: {e}")) {
            collect_patterns(&d, out);
        }
    }
    if let Some(o) = output_schema(m).unwrap_or_else(|e| panic!("{what}: {e}")) {
        collect_patterns(&o, out);
    }
}

/// Runs a regex engine once on the whole job (JSON on stdin, JSON on stdout); `None`
/// when the program is not installed.
fn run_engine(program: &str, args: &[&str], job: &Value) -> Option<Value> {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot start {program}: {e}"),
    };
    let input = job.to_string();
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from a thread so a large job cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("engine runs");
    writer.join().expect("writer thread").expect("job written");
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("engine prints JSON"))
}

/// Compiles `job.compile` with `re.compile` (warnings are errors: a `FutureWarning`
/// about nested sets is a pattern that will change meaning) and runs `re.search` on
/// `job.match`.
const PYTHON: &str = r#"
import json, re, sys, warnings
warnings.simplefilter("error")
job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
errors = []
for p in job["compile"]:
    try:
        re.compile(p)
    except Exception as e:
        errors.append([p, "re", repr(e)])
matches = []
for p, s in job["match"]:
    try:
        matches.append(re.search(p, s) is not None)
    except Exception as e:
        matches.append(None)
sys.stdout.write(json.dumps({"errors": errors, "matches": {"re": matches}}))
"#;

/// The same with `new RegExp(p)` and `new RegExp(p, "u")`.
const NODE: &str = r#"
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c)).on("end", () => {
  const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const errors = [];
  const matches = { "": [], u: [] };
  for (const p of job.compile) {
    for (const f of ["", "u"]) {
      try { new RegExp(p, f); } catch (e) { errors.push([p, f, String(e)]); }
    }
  }
  for (const [p, s] of job.match) {
    for (const f of ["", "u"]) {
      let r = null;
      try { r = new RegExp(p, f).test(s); } catch (e) {}
      matches[f].push(r);
    }
  }
  process.stdout.write(JSON.stringify({ errors, matches }));
});
"#;

/// Manifest regexes exercising the ASCII rewrite and every printing path.
const TRICKY: &[&str] = &[
    r"\d{1,5}",
    r"\w+",
    r"a\sb",
    r"\D+",
    r"\W\S",
    r"[^\W_]+",
    r"[\d\s]+",
    r"[^a-c\d]\S",
    r".{2}",
    r"[[:alpha:]]+[[:^alpha:]]?",
    r"[a-z&&[^aeiou]]+",
    r"a|b\d",
    r"x{2,}?",
    r"😀+\d?",
    r"[\&~|\[\]-]+",
    r"\p{ASCII}+",
];

/// Sample values; none ends with `\n` (Python's `$` also matches before a final
/// newline, see docs/schemas.md).
const SAMPLES: &[&str] = &[
    "",
    "123",
    "12345",
    "123456",
    "١٢٣",
    "abc_1",
    "abc",
    "a b",
    "a\tb",
    "a\u{b}b",
    "a\u{a0}b",
    "a\u{2028}b",
    "é",
    "éa",
    "ab",
    "bcd",
    "xx",
    "x",
    "a",
    "b1",
    "b٣",
    "K",
    "\u{212A}",
    "ſ",
    "😀",
    "😀😀1",
    "a-b",
    "&~|[]-",
    "é!",
    "\u{7f}",
    "a\r",
];

#[test]
fn schema_patterns_compile_in_python_and_node() {
    let mut patterns = BTreeSet::new();
    let mut paths = Vec::new();
    manifests_under(&repo_root().join("manifests"), &mut paths);
    let bundled = paths.len();
    let corpus = corpus_dir();
    if let Some(dir) = &corpus {
        manifests_under(dir, &mut paths);
    }
    let mut corpus_loaded = 0;
    for (i, p) in paths.iter().enumerate() {
        match load(p) {
            Ok(m) => {
                schema_patterns(&m, &p.display().to_string(), &mut patterns);
                corpus_loaded += usize::from(i >= bundled);
            }
            Err(e) if i < bundled => panic!("{} does not load:\n{e}", p.display()),
            // Whether the corpus loads is the loader's test; here only what loads.
            Err(_) => {}
        }
    }
    assert!(
        corpus.is_none() || corpus_loaded > 0,
        "no corpus manifest loaded"
    );
    // The manifests' own regexes (`\d`, classes, alternations) and the generated
    // ones (url, duration, scope_target) are all among them.
    assert!(patterns.len() >= 10, "{patterns:?}");

    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for source in TRICKY {
        let ecma = portable_pattern(source).unwrap_or_else(|| panic!("{source} is portable"));
        assert!(!ecma.contains("\\p"), "{source} -> {ecma}");
        patterns.insert(ecma.clone());
        let rust = Pattern::new(*source).expect("compiles");
        for s in SAMPLES {
            cases.push(json!([ecma, s]));
            expected.push((*source, ecma.clone(), *s, rust.is_match(s)));
        }
    }
    let job = json!({ "compile": patterns, "match": cases });

    for (program, args, modes) in [
        ("python3", vec!["-c", PYTHON], vec!["re"]),
        ("node", vec!["-e", NODE], vec!["", "u"]),
    ] {
        let Some(result) = run_engine(program, &args, &job) else {
            absent(program);
            continue;
        };
        let errors = result["errors"].as_array().expect("errors");
        assert!(
            errors.is_empty(),
            "{program} refuses schema patterns:\n{}",
            errors
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        for mode in modes {
            let got = result["matches"][mode].as_array().expect("matches");
            assert_eq!(got.len(), expected.len());
            for (g, (source, ecma, s, want)) in got.iter().zip(&expected) {
                // Without `u`, ECMA counts a character beyond U+FFFF as two.
                if mode.is_empty() && s.chars().any(|c| u32::from(c) > 0xFFFF) {
                    continue;
                }
                assert_eq!(
                    g.as_bool(),
                    Some(*want),
                    "{program} {mode:?}: {source} as {ecma} on {s:?}: the validator says {want}"
                );
            }
        }
    }
}
