//! Every tool definition of every manifest in `manifests/` and in the shared corpus
//! (`../shared/corpus`, skipped when absent), in every flavour: valid against the
//! JSON Schema meta-schema, OpenAI strict rules, tool-name rules, no `$ref`, and
//! every default valid against its own property schema.

mod schema_support;

use cladgen_core::load::{self, LoadOptions};
use cladgen_core::model::Manifest;
use cladgen_core::schema::{Flavor, exposed_tools, output_schema, tool_definitions};
use schema_support::*;
use std::path::{Path, PathBuf};

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
    let corpus = repo_root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "note: {} is absent; corpus schema test skipped",
            corpus.display()
        );
        return;
    }
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
