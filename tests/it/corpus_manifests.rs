//! The real-world corpus (`../shared/corpus`, outside the repository) must load:
//! every manifest, with its project's `toolclad.toml`, except the three that use
//! types no `toolclad.toml` declares. Skips (passes with a note) when the corpus is
//! absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cladgen_core::load::codes::{self, Code};
use cladgen_core::load::{
    self, CustomTypes, LoadOptions, Loaded, UnknownKeys, collect_manifests, find_types_file,
    load_types_file,
};
use cladgen_core::model::{Backend, CommandRun, Piece, TypeKind};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; corpus tests skipped", dir.display());
        None
    }
}

/// The manifests that use a type declared nowhere, with that type.
const UNDECLARED: &[(&str, &str)] = &[
    ("advocate_finding.clad.toml", "json"),
    ("escape-harness-read_csv.clad.toml", "allowed_csv_path"),
    ("escape-harness-answer.clad.toml", "agent_summary"),
];

fn undeclared_type(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    UNDECLARED.iter().find(|(f, _)| *f == name).map(|(_, t)| *t)
}

/// Loads every manifest of the corpus the way `cladgen validate <project>` does.
fn load_corpus(dir: &Path, externs: &BTreeMap<String, String>) -> Vec<Loaded> {
    let mut types: BTreeMap<PathBuf, CustomTypes> = BTreeMap::new();
    let mut out = Vec::new();
    let mut projects: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    for project in projects {
        let manifests =
            collect_manifests(std::slice::from_ref(&project)).expect("project has manifests");
        let mut loaded_here = Vec::new();
        for m in manifests {
            // Up to the project folder, as `cladgen validate <project>` outside a package.
            let custom_types = m
                .parent()
                .and_then(|d| find_types_file(d, &project))
                .map(|t| {
                    types
                        .entry(t.clone())
                        .or_insert_with(|| {
                            load_types_file(&t, UnknownKeys::Error)
                                .unwrap_or_else(|d| panic!("{} must load: {d:?}", t.display()))
                        })
                        .clone()
                });
            let opts = LoadOptions {
                custom_types,
                unknown_keys: UnknownKeys::Error,
                extern_types: externs.clone(),
            };
            loaded_here.push(load::load_file(&m, &opts));
        }
        // Tool names are unique within each project.
        let set: Vec<_> = loaded_here
            .iter()
            .filter_map(|l| l.manifest.as_ref().map(|m| (l.path.clone(), m)))
            .collect();
        let dups = load::check_set(&set);
        assert!(dups.is_empty(), "{}: {dups:?}", project.display());
        out.extend(loaded_here);
    }
    out
}

#[test]
fn every_corpus_manifest_loads_except_the_three_with_undeclared_types() {
    let Some(dir) = corpus_dir() else { return };
    let all = load_corpus(&dir, &BTreeMap::new());
    assert!(all.len() >= 78, "only {} manifests found", all.len());
    let mut failed = Vec::new();
    for l in &all {
        match undeclared_type(&l.path) {
            None => {
                if l.manifest.is_none() {
                    failed.push(format!("{}\n{}", l.path.display(), l.render(false)));
                }
            }
            Some(ty) => {
                assert!(l.manifest.is_none(), "{} must fail", l.path.display());
                let errors: Vec<_> = l.diagnostics.iter().filter(|d| d.is_error()).collect();
                assert_eq!(errors.len(), 1, "{}", l.render(false));
                let e = errors[0];
                assert_eq!(e.code, &codes::UNKNOWN_TYPE);
                assert!(e.message.contains(&format!("`{ty}`")), "{}", e.message);
                // Located at the type's value.
                let at = l.source.get(e.span.clone()).unwrap_or("");
                assert_eq!(at, format!("\"{ty}\""));
                assert!(e.line > 0 && e.column == 8, "{}", e.one_line());
                let help = e.help.as_deref().unwrap_or("");
                assert!(help.contains(&format!("[types.{ty}]")), "{help}");
                assert!(help.contains("base = "), "{help}");
                assert!(
                    help.contains(&format!("Builder::extern_type(\"{ty}\"")),
                    "{help}"
                );
            }
        }
    }
    assert!(
        failed.is_empty(),
        "these corpus manifests must load:\n{}",
        failed.join("\n")
    );
}

#[test]
fn the_undeclared_types_load_when_mapped_to_rust_types() {
    let Some(dir) = corpus_dir() else { return };
    let externs: BTreeMap<String, String> = UNDECLARED
        .iter()
        .map(|(_, t)| (t.to_string(), format!("::my_agent::{t}")))
        .collect();
    for l in load_corpus(&dir, &externs) {
        let Some(ty) = undeclared_type(&l.path) else {
            continue;
        };
        let m = l
            .manifest
            .as_ref()
            .unwrap_or_else(|| panic!("{}", l.render(false)));
        let arg = m
            .args
            .iter()
            .find(|a| a.ty.name == ty)
            .expect("the argument keeps its type name");
        assert_eq!(
            arg.ty.kind,
            TypeKind::Extern {
                rust_path: format!("::my_agent::{ty}").into()
            }
        );
    }
}

fn find<'a>(all: &'a [Loaded], suffix: &str) -> &'a Loaded {
    all.iter()
        .find(|l| l.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} not in corpus"))
}

fn codes_of(l: &Loaded) -> Vec<&'static Code> {
    l.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn odd_but_harmless_corpus_features_are_warnings() {
    let Some(dir) = corpus_dir() else { return };
    let all = load_corpus(&dir, &BTreeMap::new());

    // symbi-redteam: executor beside a template with `{}`, `_scan_id` default.
    let amass = find(&all, "symbi-redteam/tools/amass_enum.clad.toml");
    assert!(amass.manifest.is_some());
    let c = codes_of(amass);
    for code in [
        &codes::UNUSED_TEMPLATE,
        &codes::EMPTY_PLACEHOLDER,
        &codes::EXECUTOR_VAR_DEFAULT,
    ] {
        assert!(c.contains(&code), "{code} missing: {c:?}");
    }
    assert!(amass.diagnostics.iter().all(|d| !d.is_error()));
    let empties = all
        .iter()
        .filter(|l| codes_of(l).contains(&&codes::EMPTY_PLACEHOLDER))
        .count();
    assert_eq!(empties, 17, "the 17 symbi-redteam templates with `{{}}`");
    let m = amass.manifest.as_ref().expect("loads");
    let Backend::Command(cmd) = &m.backend else {
        panic!("command backend")
    };
    assert!(matches!(cmd.run, CommandRun::Executor { .. }));

    // nikto: a quoted number compared with an integer argument.
    let nikto = find(&all, "toolclad-examples/nikto_scan.clad.toml");
    let q = nikto
        .diagnostics
        .iter()
        .find(|d| d.code == &codes::QUOTED_LITERAL)
        .expect("quoted literal warned");
    assert_eq!(nikto.source.get(q.span.clone()), Some("'100'"));
    assert!(nikto.manifest.is_some());

    // Arguments that never reach the command.
    let run = find(&all, "run_reproducer.clad.toml");
    assert!(
        run.diagnostics
            .iter()
            .any(|d| d.code == &codes::UNUSED_ARG && d.message.contains("`script`")),
        "{}",
        run.render(false)
    );
}

#[test]
fn corpus_features_decode_into_the_model() {
    let Some(dir) = corpus_dir() else { return };
    let all = load_corpus(&dir, &BTreeMap::new());

    // `[source] operation` is an in-process backend.
    let read = find(&all, "jaschadub-Symbiont/read_file.clad.toml");
    let m = read.manifest.as_ref().expect("loads");
    assert!(matches!(&m.backend, Backend::Source(s) if s.operation == "read_file"));
    assert_eq!(m.tool.timeout_seconds, 10);
    assert_eq!(
        m.args.iter().map(|a| a.name.as_ref()).collect::<Vec<_>>(),
        ["path", "offset", "limit"]
    );

    // Callback dispatch, `number` with float bounds.
    let store = find(&all, "orga-demo/store_knowledge.clad.toml");
    let m = store.manifest.as_ref().expect("loads");
    assert!(matches!(m.backend, Backend::Callback));
    assert!(m.output.is_none());
    let conf = m.arg("confidence").expect("confidence");
    assert_eq!(conf.ty.kind, TypeKind::Number);
    assert_eq!(conf.ty.constraints.max_float, Some(1.0));

    // `{_scan_flags}` is the only mapping; `max_rate` comes from [command.defaults].
    let nmap = find(&all, "toolclad-examples/nmap_scan.clad.toml");
    let m = nmap.manifest.as_ref().expect("loads");
    let Backend::Command(cmd) = &m.backend else {
        panic!("command")
    };
    let CommandRun::Template { tokens, .. } = &cmd.run else {
        panic!("template")
    };
    assert_eq!(tokens[1].pieces.as_ref(), [Piece::Mapping(0)]);
    assert_eq!(tokens[3].pieces.as_ref(), [Piece::Lit("1000".into())]);
    assert_eq!(cmd.mappings[0].entries.len(), 7);
    assert_eq!(
        cmd.mappings[0].entries[0].tokens.as_ref(),
        [std::borrow::Cow::from("-sn"), "-PE".into()]
    );

    // `%{{http_code}}` is a literal brace; the conditional is resolved.
    let curl = find(&all, "toolclad-examples/curl_fetch.clad.toml");
    let m = curl.manifest.as_ref().expect("loads");
    let Backend::Command(cmd) = &m.backend else {
        panic!("command")
    };
    let CommandRun::Template { tokens, .. } = &cmd.run else {
        panic!("template")
    };
    assert!(
        tokens
            .iter()
            .any(|t| t.pieces.as_ref() == [Piece::Lit("\\n%{http_code}".into())])
    );
    assert_eq!(cmd.conditionals.len(), 1);
    assert_eq!(cmd.conditionals[0].name, "header_flags");

    // Custom types resolve to their base with their constraints.
    let hydra = find(&all, "symbi-redteam/tools/hydra_bruteforce.clad.toml");
    let m = hydra.manifest.as_ref().expect("loads");
    let service = m.arg("service").expect("service");
    assert_eq!(service.ty.name, "hydra_service");
    assert_eq!(service.ty.kind, TypeKind::Enum);
    assert!(
        service
            .ty
            .constraints
            .allowed
            .as_ref()
            .is_some_and(|a| a.len() == 20)
    );
    // `default = ""` on an optional argument means no default.
    assert_eq!(m.arg("username").expect("username").default, None);
}
