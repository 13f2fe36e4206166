//! `cladgen_build::Builder`: inputs, errors, output files and Cargo directives.

use cladgen_build::{Builder, Error, UnknownKeys};
use cladgen_core::load::codes;
use std::path::{Path, PathBuf};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cladgen-builder-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn manifest(name: &str, extra_arg: &str) -> String {
    format!(
        "[tool]\nname = \"{name}\"\nversion = \"1.0.0\"\ndescription = \"Echo a word\"\n\n[args.word]\nrequired = true\ntype = \"string\"\ndescription = \"A word\"\n{extra_arg}\n[command]\nexec = [\"echo\", \"{{word}}\"]\n\n[output]\nformat = \"text\"\n"
    )
}

fn builder(dir: &TempDir) -> Builder {
    Builder::new().base_dir(&dir.0).manifest_dir("tools")
}

#[test]
fn every_error_of_every_manifest_is_reported_with_its_location() {
    let dir = TempDir::new("errors");
    dir.write("tools/a.clad.toml", &manifest("a", "requird = true\n"));
    dir.write(
        "tools/b.clad.toml",
        &manifest("b", "[args.n]\ntype = \"integr\"\n"),
    );
    let result = builder(&dir).render();
    let Err(Error::Manifests {
        diagnostics,
        rendered,
    }) = &result
    else {
        panic!("expected manifest errors, got {result:?}");
    };
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 2, "{rendered}");
    assert!(
        errors.iter().any(|d| d.code == &codes::UNKNOWN_KEY
            && d.file.ends_with("a.clad.toml")
            && d.line == 10)
    );
    assert!(
        errors
            .iter()
            .any(|d| d.file.ends_with("b.clad.toml") && d.line == 11)
    );
    assert!(rendered.contains("did you mean `required`?"), "{rendered}");
    assert!(rendered.contains("-->"), "rendered like rustc: {rendered}");
    let directives = builder(&dir).cargo_directives(&result);
    assert!(
        directives
            .iter()
            .any(|d| d.starts_with("cargo::rerun-if-changed=") && d.ends_with("tools"))
    );
    let errs: Vec<_> = directives
        .iter()
        .filter(|d| d.starts_with("cargo::error="))
        .collect();
    assert_eq!(errs.len(), 2, "{directives:?}");
    assert!(
        errs.iter().any(|d| d.contains("a.clad.toml:10:")),
        "{errs:?}"
    );
}

#[test]
fn valid_set_writes_one_file_per_tool_and_an_index_and_lists_its_inputs() {
    let dir = TempDir::new("valid");
    dir.write("tools/one.clad.toml", &manifest("one", ""));
    dir.write("tools/sub/two.clad.toml", &manifest("two", ""));
    let types = dir.write("tools/toolclad.toml", "[types.word]\nbase = \"string\"\n");
    let out = dir.0.join("out");
    let b = builder(&dir).out_dir(&out);
    let g = b.generate().unwrap();
    let names: Vec<String> = g
        .files
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(names, ["one.rs", "two.rs", "mod.rs"]);
    for n in &names {
        assert!(out.join("cladgen").join(n).is_file(), "{n} written");
    }
    let index = std::fs::read_to_string(out.join("cladgen/mod.rs")).unwrap();
    assert!(
        index.contains("pub mod one {") && index.contains("include!(\"two.rs\")"),
        "{index}"
    );
    let directives = b.cargo_directives(&Ok(g.clone()));
    for p in [
        dir.0.join("tools"),
        dir.0.join("tools/one.clad.toml"),
        dir.0.join("tools/sub/two.clad.toml"),
        types,
    ] {
        let line = format!("cargo::rerun-if-changed={}", p.display());
        assert!(
            directives.contains(&line),
            "missing {line} in {directives:?}"
        );
    }

    // Unchanged output is not rewritten (no needless recompiles).
    let before = std::fs::metadata(out.join("cladgen/one.rs"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.generate().unwrap();
    let after = std::fs::metadata(out.join("cladgen/one.rs"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn out_file_puts_every_module_in_one_file() {
    let dir = TempDir::new("single");
    dir.write("tools/one.clad.toml", &manifest("one", ""));
    dir.write("tools/two.clad.toml", &manifest("two", ""));
    let g = builder(&dir).out_file("tools.rs").render().unwrap();
    assert_eq!(g.files.len(), 1);
    let text = &g.files[0].contents;
    assert_eq!(g.files[0].path, Path::new("tools.rs"));
    assert!(
        text.contains("pub mod one {")
            && text.contains("pub mod two {")
            && text.contains("pub enum Tools")
    );
}

#[test]
fn duplicate_tool_names_across_the_set_are_an_error() {
    let dir = TempDir::new("dup");
    dir.write("tools/a.clad.toml", &manifest("same", ""));
    dir.write("tools/b.clad.toml", &manifest("same", ""));
    match builder(&dir).render() {
        Err(Error::Manifests { rendered, .. }) => assert!(rendered.contains("same"), "{rendered}"),
        other => panic!("expected a duplicate-name error, got {other:?}"),
    }
}

#[test]
fn unknown_keys_can_be_downgraded_to_warnings() {
    let dir = TempDir::new("warn");
    dir.write("tools/a.clad.toml", &manifest("a", "future_key = 1\n"));
    assert!(matches!(
        builder(&dir).render(),
        Err(Error::Manifests { .. })
    ));
    let g = builder(&dir)
        .unknown_keys(UnknownKeys::Warn)
        .render()
        .unwrap();
    assert!(
        g.warnings.iter().any(|w| w.code == &codes::UNKNOWN_KEY),
        "{:?}",
        g.warnings
    );
    assert!(g.rendered_warnings.contains("future_key"));
}

#[test]
fn extern_types_map_a_manifest_type_to_a_rust_type() {
    let dir = TempDir::new("extern");
    let text = manifest(
        "reader",
        "[args.file]\nrequired = true\ntype = \"allowed_csv_path\"\n",
    );
    dir.write("tools/reader.clad.toml", &text);
    let Err(Error::Manifests { rendered, .. }) = builder(&dir).render() else {
        panic!("an undeclared type must fail");
    };
    assert!(rendered.contains("allowed_csv_path"), "{rendered}");
    assert!(
        rendered.contains("extern_type"),
        "the hint names the build option: {rendered}"
    );
    let g = builder(&dir)
        .extern_type("allowed_csv_path", "::my_agent::CsvPath")
        .render()
        .unwrap();
    assert!(
        g.files[0]
            .contents
            .contains("pub file: ::my_agent::CsvPath"),
        "{}",
        g.files[0].contents
    );
}

#[test]
fn nothing_configured_and_empty_directories_are_clear_errors() {
    assert!(matches!(Builder::new().render(), Err(Error::NoInputs)));
    let dir = TempDir::new("empty");
    std::fs::create_dir_all(dir.0.join("tools")).unwrap();
    match builder(&dir).render() {
        Err(Error::Manifests { rendered, .. }) => assert!(rendered.contains("tools"), "{rendered}"),
        other => panic!("expected an empty-directory error, got {other:?}"),
    }
}

#[test]
fn generate_outside_cargo_needs_an_output_directory() {
    // cladgen-build has no build script, so Cargo sets no OUT_DIR for its tests.
    assert!(
        std::env::var_os("OUT_DIR").is_none(),
        "this test needs OUT_DIR unset"
    );
    let dir = TempDir::new("noout");
    dir.write("tools/a.clad.toml", &manifest("a", ""));
    assert!(matches!(builder(&dir).generate(), Err(Error::NoOutDir)));
}

#[test]
fn a_tool_named_like_a_session_command_is_a_collision() {
    let dir = TempDir::new("shadow");
    dir.write(
        "tools/console.clad.toml",
        "[tool]\nname = \"console\"\nversion = \"1\"\ndescription = \"A console\"\n\n[session]\nstartup_command = \"sh\"\nready_pattern = \"[$] \"\n\n[session.commands.run]\npattern = \"ls( -l)?\"\ndescription = \"List files\"\n\n[output]\nformat = \"text\"\n",
    );
    dir.write(
        "tools/console__run.clad.toml",
        &manifest("console__run", ""),
    );
    match builder(&dir).render() {
        Err(Error::Manifests { rendered, .. }) => {
            assert!(rendered.contains("console__run"), "{rendered}")
        }
        other => panic!("expected a collision, got {other:?}"),
    }
}

#[test]
fn enum_values_that_map_to_one_rust_name_are_a_clear_error() {
    let dir = TempDir::new("variants");
    let text = manifest(
        "pick",
        "[args.mode]\ntype = \"enum\"\nallowed = [\"fast-scan\", \"fast_scan\"]\n",
    );
    dir.write("tools/pick.clad.toml", &text);
    // A load error, located, before any code is generated.
    match builder(&dir).render() {
        Err(Error::Manifests { rendered, .. }) => {
            assert!(
                rendered.contains("error[name-collision]")
                    && rendered.contains("`fast_scan`")
                    && rendered.contains("`fast-scan`")
                    && rendered.contains("FastScan")
                    && rendered.contains("pick.clad.toml:10:7"),
                "{rendered}"
            );
        }
        other => panic!("expected a name collision, got {other:?}"),
    }
}

#[test]
fn runtime_path_changes_every_path_into_the_runtime() {
    let dir = TempDir::new("rt");
    dir.write("tools/one.clad.toml", &manifest("one", ""));
    let g = builder(&dir).runtime_path("::my_runtime").render().unwrap();
    for f in &g.files {
        assert!(
            f.contents.contains("::my_runtime::"),
            "{}",
            f.path.display()
        );
        assert!(!f.contents.contains("::cladgen::"), "{}", f.path.display());
    }
    assert!(matches!(
        builder(&dir).runtime_path("not a path").render(),
        Err(Error::Codegen(_))
    ));
}

/// Manifest text in the module docs renders as written: an indented line is not a
/// doctest, `<host>` is not an HTML tag, `[x]` is not a link, a URL is a link.
#[test]
fn module_docs_render_manifest_text_as_written() {
    let dir = TempDir::new("docs");
    let text = manifest("docs", "").replace(
        "description = \"Echo a word\"",
        "description = \"\"\"Echo a word\n    not_a_doctest();\nfor <host> and [x], see https://example.com/echo.\"\"\"",
    );
    dir.write("tools/docs.clad.toml", &text);
    let g = builder(&dir).render().unwrap();
    let index = g
        .files
        .iter()
        .find(|f| f.path == Path::new("mod.rs"))
        .expect("an index file");
    let doc: Vec<&str> = index
        .contents
        .lines()
        .filter(|l| l.starts_with("///"))
        .collect();
    assert!(doc.contains(&"/// not_a_doctest();"), "{doc:#?}");
    assert!(
        doc.contains(&"/// for &lt;host> and \\[x], see <https://example.com/echo>."),
        "{doc:#?}"
    );
}

#[test]
fn load_checks_without_writing_and_the_types_search_stops_at_the_base_dir() {
    let dir = TempDir::new("load");
    // A decoy above the package root: never consulted.
    dir.write("toolclad.toml", "[types.word]\nbase = \"string\"\n");
    dir.write(
        "pkg/tools/one.clad.toml",
        &manifest("one", "[args.w]\ntype = \"word\"\n"),
    );
    let out = dir.0.join("out");
    let b = Builder::new()
        .base_dir(dir.0.join("pkg"))
        .manifest_dir("tools")
        .out_dir(&out);
    let Err(Error::Manifests { diagnostics, .. }) = b.load() else {
        panic!("the decoy above the base dir must not be used");
    };
    assert!(
        diagnostics.iter().any(|d| d.code == &codes::UNKNOWN_TYPE),
        "{diagnostics:?}"
    );

    // Inside the package root it is found; `load` returns the checked set and writes
    // nothing.
    let types = dir.write("pkg/toolclad.toml", "[types.word]\nbase = \"string\"\n");
    let set = b.load().expect("loads");
    assert_eq!(set.manifests.len(), 1);
    assert!(set.manifests[0].manifest.is_some());
    assert_eq!(
        set.manifests[0].types_file.as_deref(),
        Some(types.canonicalize().unwrap().as_path())
    );
    assert!(
        set.inputs.contains(&types.canonicalize().unwrap()),
        "{:?}",
        set.inputs
    );
    assert!(!out.exists(), "load writes nothing");
    assert_eq!(b.render_set(&set).unwrap().files, b.render().unwrap().files);
}
