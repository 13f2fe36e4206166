//! Warnings, custom types, extern types, option levels and file-level API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cladgen_core::load::codes::{self, Code};
use cladgen_core::load::*;
use cladgen_core::model::*;

fn load_with(text: &str, opts: &LoadOptions) -> Loaded {
    load_str(Path::new("t.clad.toml"), text, opts)
}

fn load(text: &str) -> Loaded {
    load_with(text, &LoadOptions::default())
}

/// (code, severity, text at the span) of every diagnostic.
fn diags(l: &Loaded) -> Vec<(&'static Code, Severity, String)> {
    l.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.severity,
                l.source.get(d.span.clone()).unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(l: &Loaded, code: &Code, sev: Severity, at: &str) -> bool {
    diags(l)
        .iter()
        .any(|(c, s, t)| *c == code && *s == sev && t == at)
}

const TOOL: &str = "[tool]\nname = \"demo\"\nversion = \"1\"\ndescription = \"d\"\n";
const OUT: &str = "\n[output]\nformat = \"text\"\n";

fn manifest(body: &str) -> String {
    format!("{TOOL}{body}{OUT}")
}

#[test]
fn harmless_oddities_are_warnings_and_the_manifest_loads() {
    let l = load(&manifest(
        r#"
[args.target]
type = "string"
required = true
default = "x"

[args.unused]
type = "integer"
allowed = ["1"]

[command]
executor = "wrap.sh"
template = "wrap.sh {} {target}"

[command.defaults]
_scan_id = "auto"
"#,
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    assert!(l.diagnostics.iter().all(|d| !d.is_error()));
    assert!(has(
        &l,
        &codes::REQUIRED_WITH_DEFAULT,
        Severity::Warning,
        "\"x\""
    ));
    assert!(has(
        &l,
        &codes::CONSTRAINT_NOT_APPLICABLE,
        Severity::Warning,
        "[\"1\"]"
    ));
    assert!(has(
        &l,
        &codes::UNUSED_TEMPLATE,
        Severity::Warning,
        "\"wrap.sh {} {target}\""
    ));
    assert!(has(&l, &codes::EMPTY_PLACEHOLDER, Severity::Warning, "{}"));
    assert!(has(
        &l,
        &codes::EXECUTOR_VAR_DEFAULT,
        Severity::Warning,
        "_scan_id"
    ));
    // The executor receives every argument: none is unused.
    assert!(!diags(&l).iter().any(|(c, _, _)| *c == &codes::UNUSED_ARG));
    let m = l.manifest.expect("loads");
    assert_eq!(
        m.args[0].default, None,
        "a required argument's default is dropped"
    );
}

#[test]
fn unused_args_defaults_mappings_and_forms_are_warned() {
    let l = load(&manifest(
        r#"
[args.target]
type = "string"
required = true

[args.mode]
type = "enum"
allowed = ["a", "b"]

[args.unused]
type = "string"

[command]
exec = ["tool", "--target={target}"]
template = "tool {target}"

[command.defaults]
rate = 5
target = "shadowed"

[command.mappings.mode]
a = "-a"
"#,
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    assert!(has(
        &l,
        &codes::UNUSED_TEMPLATE,
        Severity::Warning,
        "\"tool {target}\""
    ));
    assert!(has(&l, &codes::UNUSED_ARG, Severity::Warning, "unused"));
    assert!(has(&l, &codes::UNUSED_DEFAULT, Severity::Warning, "rate"));
    assert!(has(
        &l,
        &codes::SHADOWED_DEFAULT,
        Severity::Warning,
        "target"
    ));
    assert!(has(&l, &codes::UNUSED_MAPPING, Severity::Warning, "mode"));
    assert!(has(
        &l,
        &codes::MAPPING_MISSING_VALUE,
        Severity::Warning,
        "[command.mappings.mode]"
    ));
    // `mode` is mapped but the mapping is never used: it is unused as well.
    assert!(has(&l, &codes::UNUSED_ARG, Severity::Warning, "mode"));
}

#[test]
fn exec_beside_executor_is_unused() {
    let l = load(&manifest(
        "\n[command]\nexecutor = \"w.sh\"\nexec = [\"tool\"]\n",
    ));
    assert!(l.manifest.is_some());
    assert!(has(
        &l,
        &codes::UNUSED_EXEC,
        Severity::Warning,
        "[\"tool\"]"
    ));
}

#[test]
fn free_text_whole_argv_elements_are_warned_unless_allowed_or_prefixed() {
    let l = load(&manifest(
        r#"
[args.a]
type = "string"

[args.b]
type = "path"
allow_option_values = true

[args.c]
type = "string"

[args.d]
type = "integer"

[command]
exec = ["tool", "{a}", "{b}", "--c={c}", "{d}"]
"#,
    ));
    assert!(l.manifest.is_some());
    let warned: Vec<String> = diags(&l)
        .into_iter()
        .filter(|(c, _, _)| *c == &codes::OPTION_LIKE_VALUE)
        .map(|(_, _, t)| t)
        .collect();
    assert_eq!(warned, ["a", "d"]);
}

#[test]
fn quoted_numbers_in_when_are_accepted_with_a_warning() {
    let l = load(&manifest(
        r#"
[args.port]
type = "port"

[args.ratio]
type = "number"

[command]
template = "tool {_p} {_r}"

[command.conditionals.p]
when = "port != '0'"
template = "-p {port}"

[command.conditionals.r]
when = "ratio == '0.5'"
template = "-r {ratio}"
"#,
    ));
    let m = l
        .manifest
        .as_ref()
        .unwrap_or_else(|| panic!("{}", l.render(false)));
    assert!(has(&l, &codes::QUOTED_LITERAL, Severity::Warning, "'0'"));
    assert!(has(&l, &codes::QUOTED_LITERAL, Severity::Warning, "'0.5'"));
    let Backend::Command(c) = &m.backend else {
        panic!()
    };
    assert_eq!(
        c.conditionals[0].when,
        Expr::Compare {
            arg: 0,
            op: CmpOp::Ne,
            value: Literal::Int(0)
        }
    );
    assert_eq!(
        c.conditionals[1].when,
        Expr::Compare {
            arg: 1,
            op: CmpOp::Eq,
            value: Literal::Float(0.5)
        }
    );
}

#[test]
fn when_literals_must_fit_the_argument_type() {
    for (ty, when, ok) in [
        ("boolean", "x == 'yes'", false),
        ("boolean", "x == 1", false),
        ("boolean", "x != false", true),
        ("enum", "x == 'c'", false),
        ("enum", "x == 'a'", true),
        ("string", "x == 5", false),
        ("string", "x == '5'", true),
        ("integer", "x != ''", true),
        ("integer", "x == 5", true),
    ] {
        let allowed = if ty == "enum" {
            "allowed = [\"a\", \"b\"]\n"
        } else {
            ""
        };
        let text = manifest(&format!(
            "\n[args.x]\ntype = \"{ty}\"\n{allowed}\n[command]\ntemplate = \"tool {{_f}} --x={{x}}\"\n\n[command.conditionals.f]\nwhen = \"{when}\"\ntemplate = \"-f\"\n"
        ));
        let l = load(&text);
        assert_eq!(
            l.manifest.is_some(),
            ok,
            "{ty} {when}:\n{}",
            l.render(false)
        );
        if !ok {
            assert!(
                l.diagnostics
                    .iter()
                    .any(|d| d.code == &codes::WHEN_INCOMPARABLE),
                "{ty} {when}: {}",
                l.render(false)
            );
        }
    }
}

#[test]
fn boolean_mappings_are_allowed() {
    let l = load(&manifest(
        "\n[args.v]\ntype = \"boolean\"\n\n[command]\ntemplate = \"tool {_v_flags}\"\n\n[command.mappings.v]\n\"true\" = \"-v\"\n\"false\" = \"\"\n",
    ));
    let m = l.manifest.unwrap_or_else(|| panic!("loads"));
    let Backend::Command(c) = &m.backend else {
        panic!()
    };
    assert_eq!(c.mappings[0].entries[1].tokens.len(), 0);
}

#[test]
fn unknown_keys_can_be_downgraded_to_warnings() {
    let text = manifest("\nfuture_key = 1\n[command]\nexec = [\"true\"]\nnew_thing = \"x\"\n");
    let strict = load(&text);
    assert!(strict.manifest.is_none());
    assert_eq!(
        strict
            .diagnostics
            .iter()
            .filter(|d| d.code == &codes::UNKNOWN_KEY)
            .count(),
        2
    );
    let lax = load_with(
        &text,
        &LoadOptions {
            unknown_keys: UnknownKeys::Warn,
            ..LoadOptions::default()
        },
    );
    assert!(lax.manifest.is_some(), "{}", lax.render(false));
    assert!(has(
        &lax,
        &codes::UNKNOWN_KEY,
        Severity::Warning,
        "new_thing"
    ));
    let d = lax
        .diagnostics
        .iter()
        .find(|d| d.code == &codes::UNKNOWN_KEY && d.message.contains("new_thing"))
        .expect("warned");
    assert!(
        d.note.as_deref().is_some_and(|n| n.contains("`template`")),
        "{:?}",
        d.note
    );
}

#[test]
fn defaults_are_checked_against_their_type() {
    let cases = [
        ("\"enum\"\nallowed = [\"a\"]", "\"b\"", false),
        ("\"enum\"\nallowed = [\"a\"]", "\"\"", true),
        ("\"integer\"", "1.5", false),
        ("\"integer\"", "12", true),
        ("\"scope_target\"", "\"evil; rm -rf /\"", false),
        (
            "\"credential_file\"",
            "\"wordlists/does-not-exist.txt\"",
            true,
        ),
        ("\"credential_file\"", "\"../etc/passwd\"", false),
        ("\"boolean\"", "\"yes\"", false),
        ("\"string\"", "\"a\\nb\"", false),
    ];
    for (ty, default, ok) in cases {
        let text = manifest(&format!(
            "\n[args.x]\ntype = {ty}\ndefault = {default}\n\n[command]\nexec = [\"tool\", \"--x={{x}}\"]\n"
        ));
        let l = load(&text);
        assert_eq!(
            l.manifest.is_some(),
            ok,
            "{ty} = {default}:\n{}",
            l.render(false)
        );
        if !ok {
            let d = l.diagnostics.iter().find(|d| d.is_error()).expect("error");
            assert_eq!(d.code, &codes::BAD_DEFAULT, "{}", l.render(false));
            assert_eq!(l.source.get(d.span.clone()), Some(default));
        }
    }
}

fn types(text: &str) -> Result<CustomTypes, Vec<Diagnostic>> {
    load_types_str(Path::new("toolclad.toml"), text, UnknownKeys::Error)
}

#[test]
fn custom_types_resolve_through_chains_and_arguments_override_them() {
    let t = types(
        r#"
[types.port_range]
base = "string"
pattern = "^[0-9]+(-[0-9]+)?$"
description = "Ports"

[types.web_ports]
base = "port_range"
scope_check = true

[types.rate]
base = "integer"
min = 1
max = 100
clamp = true
"#,
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    let web = t.get("web_ports").expect("declared");
    assert_eq!(web.kind, TypeKind::String);
    assert_eq!(web.base, "port_range");
    assert!(
        web.constraints
            .pattern
            .as_ref()
            .is_some_and(|p| p.is_match("80-90"))
    );
    assert_eq!(web.description.as_deref(), Some("Ports"));
    assert_eq!(web.scope_check, Some(true));

    let opts = LoadOptions {
        custom_types: Some(t),
        ..LoadOptions::default()
    };
    let l = load_with(
        &manifest(
            r#"
[args.ports]
type = "web_ports"

[args.r]
type = "rate"
max = 10

[command]
exec = ["tool", "--p={ports}", "--r={r}"]
"#,
        ),
        &opts,
    );
    let m = l.manifest.unwrap_or_else(|| panic!("{}", l.diagnostics[0]));
    let ports = &m.args[0];
    assert_eq!(ports.ty.name, "web_ports");
    assert_eq!(ports.ty.kind, TypeKind::String);
    assert_eq!(ports.description, "Ports", "inherited description");
    assert!(ports.scope_check, "inherited scope_check");
    let r = &m.args[1];
    assert_eq!(
        (r.ty.constraints.min, r.ty.constraints.max),
        (Some(1), Some(10))
    );
    assert!(r.ty.constraints.clamp);
}

#[test]
fn custom_type_cycles_and_bad_bases_are_reported() {
    let err = types(
        "[types.a]\nbase = \"b\"\n\n[types.b]\nbase = \"c\"\n\n[types.c]\nbase = \"a\"\n\n[types.ok]\nbase = \"string\"\n",
    )
    .expect_err("cycle");
    let cycles: Vec<&Diagnostic> = err
        .iter()
        .filter(|d| d.code == &codes::TYPE_CYCLE)
        .collect();
    assert_eq!(cycles.len(), 1, "reported once: {err:?}");
    assert_eq!(
        cycles[0].message,
        "custom types form a cycle: `a` -> `b` -> `c` -> `a`"
    );
    assert_eq!((cycles[0].line, cycles[0].column), (2, 8));

    let err = types("[types.x]\nbase = \"strng\"\n").expect_err("unknown base");
    assert_eq!(err[0].code, &codes::UNKNOWN_TYPE);
    assert_eq!(err[0].help.as_deref(), Some("did you mean `string`?"));

    let err = types("[types.string]\nbase = \"integer\"\n").expect_err("builtin name");
    assert_eq!(err[0].code, &codes::BUILTIN_REDEFINED);

    let err = types("[types.x]\npattern = \"a\"\n").expect_err("no base");
    assert_eq!(err[0].code, &codes::MISSING_KEY);

    let err = types("[types.x]\nbase = \"string\"\npatern = \"a\"\n").expect_err("typo");
    assert_eq!(err[0].code, &codes::UNKNOWN_KEY);
    assert_eq!(err[0].help.as_deref(), Some("did you mean `pattern`?"));

    let err = types("[types.x]\nbase = \"enum\"\n").expect_err("enum without values");
    assert_eq!(err[0].code, &codes::ENUM_WITHOUT_VALUES);

    let err = types("[types.x\n").expect_err("not toml");
    assert_eq!(err[0].code, &codes::TOML_SYNTAX);
}

#[test]
fn extern_types_map_to_user_rust_types() {
    let opts = LoadOptions {
        extern_types: BTreeMap::from([("csv_path".to_string(), "::app::CsvPath".to_string())]),
        ..LoadOptions::default()
    };
    let l = load_with(
        &manifest(
            "\n[args.p]\ntype = \"csv_path\"\nrequired = true\n\n[command]\nexec = [\"cat\", \"{p}\"]\n",
        ),
        &opts,
    );
    let m = l.manifest.expect("loads");
    assert_eq!(
        m.args[0].ty.kind,
        TypeKind::Extern {
            rust_path: "::app::CsvPath".into()
        }
    );
    // Without the mapping the type is unknown, and the hint shows both remedies.
    let l = load(&manifest(
        "\n[args.p]\ntype = \"csv_path\"\n\n[command]\nexec = [\"cat\", \"{p}\"]\n",
    ));
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == &codes::UNKNOWN_TYPE)
        .expect("unknown");
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains("[types.csv_path]") && help.contains("extern_type(\"csv_path\""),
        "{help}"
    );
}

#[test]
fn toml_syntax_errors_are_all_reported_and_located() {
    let l = load("[tool]\nname = \"a\nversion = 1 2\n[args.x]\ntype = \n");
    assert!(l.manifest.is_none());
    let syntax: Vec<&Diagnostic> = l
        .diagnostics
        .iter()
        .filter(|d| d.code == &codes::TOML_SYNTAX)
        .collect();
    assert!(syntax.len() >= 2, "{}", l.render(false));
    assert!(syntax.iter().all(|d| d.line >= 2));
}

#[test]
fn not_a_manifest_and_empty_files() {
    let l = load("[scope]\ntargets = [\"10.0.0.0/8\"]\n");
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].code, &codes::NOT_A_MANIFEST);
    assert!(
        l.diagnostics[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("[scope]"))
    );
    let l = load("");
    assert_eq!(l.diagnostics[0].code, &codes::NOT_A_MANIFEST);
    assert!(
        l.diagnostics[0]
            .render("", false)
            .contains("not-a-manifest")
    );
}

#[test]
fn styled_rendering_uses_colours_and_plain_does_not() {
    let l = load(&manifest("\n[command]\nexec = [\"true\"]\nbogus = 1\n"));
    let d = &l.diagnostics[0];
    assert!(d.render(&l.source, true).contains('\u{1b}'));
    assert!(!d.render(&l.source, false).contains('\u{1b}'));
    let json = d.to_json();
    assert_eq!(json["code"], codes::UNKNOWN_KEY.name);
    assert_eq!(json["line"], 8);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cladgen-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn files_directories_types_lookup_and_sets() {
    let root = temp_dir("files");
    let tools = root.join("tools/nested");
    std::fs::create_dir_all(&tools).expect("mkdir");
    std::fs::write(root.join("toolclad.toml"), "[types.t]\nbase = \"string\"\n").expect("write");
    let good = manifest("\n[command]\nexec = [\"true\"]\n");
    std::fs::write(root.join("tools/b.clad.toml"), &good).expect("write");
    std::fs::write(tools.join("a.clad.toml"), &good).expect("write");
    std::fs::write(root.join("tools/readme.toml"), "x = 1").expect("write");

    let found = collect_manifests(&[root.join("tools")]).expect("found");
    assert_eq!(
        found,
        [
            root.join("tools/b.clad.toml"),
            root.join("tools/nested/a.clad.toml")
        ]
    );
    assert_eq!(
        find_types_file(&tools, &root).map(|p| p.ends_with("toolclad.toml")),
        Some(true)
    );
    // Never above the root it is given.
    assert_eq!(find_types_file(&tools, &root.join("tools")), None);

    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let e = collect_manifests(std::slice::from_ref(&empty)).expect_err("empty dir");
    assert_eq!(e.code, &codes::EMPTY_DIR);
    assert!(e.message.contains("no `*.clad.toml`"));
    let e = collect_manifests(&[root.join("missing")]).expect_err("missing");
    assert_eq!(e.code, &codes::IO);
    assert!(e.message.contains("does not exist"), "{}", e.message);

    let missing = load_file(&root.join("nope.clad.toml"), &LoadOptions::default());
    assert_eq!(missing.diagnostics[0].code, &codes::IO);
    assert_eq!(
        missing.diagnostics[0]
            .one_line()
            .matches(": error[io]: ")
            .count(),
        1
    );

    let bin = root.join("bin.clad.toml");
    std::fs::write(&bin, b"[tool]\nname = \"\xff\"\n").expect("write");
    let l = load_file(&bin, &LoadOptions::default());
    assert_eq!(l.diagnostics[0].code, &codes::NOT_UTF8);
    assert_eq!(l.diagnostics[0].line, 2);

    let loaded: Vec<Loaded> = found
        .iter()
        .map(|p| load_file(p, &LoadOptions::default()))
        .collect();
    let set: Vec<(PathBuf, &Manifest)> = loaded
        .iter()
        .map(|l| (l.path.clone(), l.manifest.as_ref().expect("loads")))
        .collect();
    let dups = check_set(&set);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].code, &codes::DUPLICATE_TOOL_NAME);
    assert!(dups[0].message.contains("`demo`"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn carets_point_inside_strings_with_escapes_and_multiline_forms() {
    for template in [
        r#""echo \t \u00e9 {bogus}""#,
        r#"'echo \t {bogus}'"#,
        "\"\"\"\necho \\\n    {bogus}\"\"\"",
        "'''\necho\n{bogus}'''",
    ] {
        let l = load(&manifest(&format!("\n[command]\ntemplate = {template}\n")));
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.code == &codes::UNDEFINED_PLACEHOLDER)
            .unwrap_or_else(|| panic!("{template}: {}", l.render(false)));
        assert_eq!(l.source.get(d.span.clone()), Some("{bogus}"), "{template}");
    }
}

/// `Project`: one types file per set, loaded once; the search never leaves the root;
/// a broken types file fails its manifests without follow-on errors; inputs and
/// sources are what was read.
#[test]
fn project_loads_a_set_with_one_types_policy() {
    let root = temp_dir("project");
    let krate = root.join("crate");
    std::fs::create_dir_all(krate.join("tools")).expect("mkdir");
    // A decoy above the root declares `t`; the crate declares nothing.
    std::fs::write(root.join("toolclad.toml"), "[types.t]\nbase = \"string\"\n").expect("write");
    let uses_t = manifest("\n[args.x]\ntype = \"t\"\n\n[command]\nexec = [\"echo\", \"{x}\"]\n");
    std::fs::write(krate.join("tools/a.clad.toml"), &uses_t).expect("write");
    let set = Project::new()
        .confined_to(&krate)
        .load(&[krate.join("tools")]);
    assert!(set.has_errors());
    assert_eq!(set.diagnostics.len(), 1, "{}", set.render(false));
    assert_eq!(set.diagnostics[0].code, &codes::UNKNOWN_TYPE);
    assert_eq!(
        set.manifests[0].types_file, None,
        "the decoy is above the root"
    );
    assert_eq!(
        set.inputs,
        [krate.join("tools"), krate.join("tools/a.clad.toml")],
        "the folder and the file read"
    );
    // Unconfined, outside any package, the root is the folder named: still no decoy.
    let set = Project::new().load(&[krate.join("tools")]);
    assert_eq!(set.error_count(), 1, "{}", set.render(false));

    // The crate's own types file, with a warning-free type and a broken one.
    std::fs::write(
        krate.join("toolclad.toml"),
        "[types.t]\nbase = \"string\"\n\n[types.u]\nbase = \"nope\"\n",
    )
    .expect("write");
    std::fs::write(
        krate.join("tools/b.clad.toml"),
        uses_t.replace("demo", "other"),
    )
    .expect("write");
    let set = Project::new()
        .confined_to(&krate)
        .load(&[krate.join("tools")]);
    let found: Vec<&Code> = set.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        found,
        [&codes::UNKNOWN_TYPE],
        "reported once, for the types file"
    );
    assert_eq!(
        set.diagnostics[0].file.file_name().unwrap(),
        "toolclad.toml"
    );
    assert!(
        set.render(false).contains("base = \"nope\""),
        "rendered with its source"
    );
    assert_eq!(set.manifests.len(), 2);
    assert!(
        set.manifests
            .iter()
            .all(|m| m.types_failed && m.manifest.is_none())
    );
    // Still read, so editing them reruns the load.
    assert!(set.inputs.contains(&krate.join("tools/b.clad.toml")));

    // Fixed: both load, with the one types file, and tool names are checked across.
    std::fs::write(
        krate.join("toolclad.toml"),
        "[types.t]\nbase = \"string\"\n",
    )
    .expect("write");
    let set = Project::new()
        .confined_to(&krate)
        .load(&[krate.join("tools")]);
    assert!(!set.has_errors(), "{}", set.render(false));
    assert_eq!(set.valid().count(), 2);
    let types = krate.join("toolclad.toml").canonicalize().unwrap();
    assert!(
        set.manifests
            .iter()
            .all(|m| m.types_file.as_deref() == Some(&*types))
    );
    assert!(set.inputs.contains(&types));

    // `load_text`: text in hand, placed for the search by its (relative) path.
    let set = Project::new()
        .confined_to(&krate)
        .base_dir(&krate)
        .load_text(Path::new("tools/c.clad.toml"), &uses_t);
    assert!(!set.has_errors(), "{}", set.render(false));
    assert_eq!(
        set.manifests[0].types_file.as_deref(),
        Some(Path::new("toolclad.toml"))
    );
    assert!(!set.inputs.iter().any(|p| p.ends_with("c.clad.toml")));
    assert_eq!(set.sources[Path::new("tools/c.clad.toml")], uses_t);

    // `TypesFile::None` and an explicit file.
    let set = Project::new()
        .types_file(TypesFile::None)
        .load_file(&krate.join("tools/a.clad.toml"));
    assert_eq!(set.diagnostics[0].code, &codes::UNKNOWN_TYPE);
    let set = Project::new()
        .types_file(TypesFile::At(root.join("toolclad.toml")))
        .load_file(&krate.join("tools/a.clad.toml"));
    assert!(!set.has_errors(), "{}", set.render(false));

    // A folder given to `load_file` is not searched; an empty folder given to `load`
    // is an input error.
    let set = Project::new().load_file(&krate.join("tools"));
    assert!(set.has_input_errors());
    std::fs::create_dir_all(krate.join("empty")).expect("mkdir");
    let set = Project::new().load(&[krate.join("empty")]);
    assert!(set.has_input_errors());
    assert_eq!(set.diagnostics[0].code, &codes::EMPTY_DIR);
    let _ = std::fs::remove_dir_all(&root);
}

// ------------------------------------------ issue 11, class 3: names that collide

/// The `name-collision` errors: (text at the span, message).
fn collisions(l: &Loaded) -> Vec<(String, String)> {
    l.diagnostics
        .iter()
        .filter(|d| d.code == &codes::NAME_COLLISION)
        .map(|d| {
            assert_eq!(d.severity, Severity::Error);
            (
                l.source.get(d.span.clone()).unwrap_or("").to_string(),
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn executor_arguments_differing_only_in_case_are_refused_at_the_second() {
    let l = load(&manifest(
        r#"
[args.target]
type = "scope_target"
required = true

[args.TARGET]
type = "string"

[args.Target]
type = "string"

[command]
executor = "wrap.sh"
"#,
    ));
    assert!(l.manifest.is_none());
    let c = collisions(&l);
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].0, "TARGET");
    assert_eq!(
        c[0].1,
        "argument `TARGET` becomes the environment variable `TOOLCLAD_ARG_TARGET`, which argument `target` already has"
    );
    assert_eq!(c[1].0, "Target");
    assert!(
        c[1].1.contains("argument `target` already has"),
        "{}",
        c[1].1
    );
    assert!(l.render(false).contains("upper-cased"));

    // The same names in an exec command share no variable, but one snake_case field.
    let l = load(&manifest(
        "\n[args.a]\ntype = \"integer\"\nmin = 0\n\n[args.A]\ntype = \"integer\"\nmin = 0\n\n[command]\nexec = [\"t\", \"{a}\", \"{A}\"]\n",
    ));
    let c = collisions(&l);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(
        c[0].1,
        "argument `A` becomes the Rust field `a`, which argument `a` already has"
    );
}

#[test]
fn arguments_that_become_one_rust_field_are_refused() {
    for (first, second) in [
        ("self", "self_"),
        ("Self_", "Self"),
        ("crate_", "crate"),
        ("super", "super_"),
    ] {
        let l = load(&manifest(&format!(
            "\n[args.{first}]\ntype = \"string\"\npattern = \"^[a-z]+$\"\n\n[args.{second}]\ntype = \"string\"\npattern = \"^[a-z]+$\"\n\n[command]\nexec = [\"t\", \"{{{first}}}\", \"{{{second}}}\"]\n"
        )));
        let c = collisions(&l);
        // The error sits at whichever is written second.
        assert_eq!(c.len(), 1, "{first}/{second}: {c:?}");
        assert_eq!(c[0].0, second);
        assert!(
            c[0].1.contains(&format!("argument `{first}` already has")),
            "{}",
            c[0].1
        );
        assert!(c[0].1.contains("Rust field"), "{}", c[0].1);
    }
    // A keyword alone becomes a raw identifier: no collision.
    let l = load(&manifest(
        "\n[args.type]\ntype = \"string\"\npattern = \"^[a-z]+$\"\n\n[command]\nexec = [\"t\", \"{type}\"]\n",
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
}

#[test]
fn every_mapping_the_generator_applies_is_checked_for_collisions() {
    // (manifest body, text at the error, message fragment)
    let cases = [
        // snake_case fields: `targetIP` is `target_ip`.
        (
            "\n[args.target_ip]\ntype = \"ip_address\"\n\n[args.targetIP]\ntype = \"ip_address\"\n\n[command]\nexec = [\"t\", \"{target_ip}\", \"{targetIP}\"]\n",
            "targetIP",
            "argument `targetIP` becomes the Rust field `target_ip`, which argument `target_ip` already has",
        ),
        // Inner `__` is one `_` in snake_case.
        (
            "\n[args.a_b]\ntype = \"boolean\"\n\n[args.a__b]\ntype = \"boolean\"\n\n[command]\nexec = [\"t\"]\n",
            "a__b",
            "becomes the Rust field `a_b`",
        ),
        // Enum values that become one variant.
        (
            "\n[args.mode]\ntype = \"enum\"\nallowed = [\"a-b\", \"a_b\"]\n\n[command]\nexec = [\"t\", \"{mode}\"]\n",
            "mode",
            "value `a_b` of enum argument `mode` becomes the Rust enum variant `AB`, which value `a-b` of enum argument `mode` already has",
        ),
        // `Self` and `self` are both `Self_`.
        (
            "\n[args.mode]\ntype = \"enum\"\nallowed = [\"Self\", \"self\"]\n\n[command]\nexec = [\"t\", \"{mode}\"]\n",
            "mode",
            "becomes the Rust enum variant `Self_`",
        ),
        // An optional argument whose setter is the builder's `build()`.
        (
            "\n[args.build]\ntype = \"boolean\"\n\n[command]\nexec = [\"t\"]\n",
            "build",
            "the builder setter of optional argument `build` becomes the builder method `build`, which the builder's own `build()` already has",
        ),
        // Two conditionals with one helper.
        (
            "\n[args.level]\ntype = \"integer\"\nmin = 0\n\n[command]\ntemplate = \"t {_verbose} {_Verbose}\"\n\n[command.conditionals.verbose]\nwhen = \"level == 1\"\ntemplate = \"-v\"\n\n[command.conditionals.Verbose]\nwhen = \"level == 2\"\ntemplate = \"-vv\"\n",
            "Verbose",
            "conditional `Verbose` becomes the Rust helper method `cond_verbose`, which conditional `verbose` already has",
        ),
        // A mapping helper and a conditional helper.
        (
            "\n[args.x_]\ntype = \"boolean\"\n\n[args.x]\ntype = \"boolean\"\n\n[command]\ntemplate = \"t {_x__flags} {_x_flags}\"\n\n[command.mappings.x_]\ntrue = \"-a\"\nfalse = \"-b\"\n\n[command.mappings.x]\ntrue = \"-c\"\nfalse = \"-d\"\n",
            "x",
            "the mapping of argument `x` becomes the Rust helper method `x_flags`, which the mapping of argument `x_` already has",
        ),
    ];
    for (body, at, message) in cases {
        let l = load(&manifest(body));
        let c = collisions(&l);
        assert_eq!(c.len(), 1, "{body}: {c:?}\n{}", l.render(false));
        assert_eq!(c[0].0, at, "{c:?}");
        assert!(c[0].1.contains(message), "{}", c[0].1);
        assert!(l.manifest.is_none());
    }
    // Values without ASCII letters are spelled by code point: `é`, `è`, `-`, `+`
    // are four variants.
    let l = load(&manifest(
        "\n[args.mode]\ntype = \"enum\"\nallowed = [\"\\u00e9\", \"\\u00e8\", \"-\", \"+\"]\n\n[command]\nexec = [\"t\", \"{mode}\"]\n",
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    // A session command's struct starts with the `command` field.
    let text = "[tool]\nname = \"sess\"\nversion = \"1\"\ndescription = \"d\"\n\n[session]\nstartup_command = \"tool\"\nready_pattern = \"^> $\"\n\n[session.commands.go]\npattern = \"^go [a-z]+$\"\ntemplate = \"go {Command}\"\ndescription = \"d\"\n\n[session.commands.go.args.Command]\ntype = \"string\"\nrequired = true\n\n[output]\nformat = \"text\"\n";
    let l = load(text);
    let c = collisions(&l);
    assert!(
        c.iter()
            .any(|(t, m)| t == "Command" && m.contains("the command text field `command`")),
        "{c:?}\n{}",
        l.render(false)
    );
}

#[test]
fn a_plain_tool_and_a_command_exposed_under_one_llm_name_are_refused() {
    let oneshot = "[tool]\nname = \"a__b\"\nversion = \"1\"\ndescription = \"d\"\n\n[command]\nexec = [\"t\"]\n\n[output]\nformat = \"text\"\n";
    let session = "[tool]\nname = \"a\"\nversion = \"1\"\ndescription = \"d\"\n\n[session]\nstartup_command = \"tool\"\nready_pattern = \"^> $\"\n\n[session.commands.b]\npattern = \"^x$\"\ndescription = \"d\"\n\n[output]\nformat = \"text\"\n";
    let loaded: Vec<(PathBuf, Loaded)> = [("a.clad.toml", oneshot), ("b.clad.toml", session)]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), load(t)))
        .collect();
    let set: Vec<(PathBuf, &Manifest)> = loaded
        .iter()
        .map(|(p, l)| (p.clone(), l.manifest.as_ref().expect("each loads")))
        .collect();
    let found: Vec<String> = check_set(&set)
        .into_iter()
        .filter(|d| d.code == &codes::NAME_COLLISION)
        .map(|d| d.message)
        .collect();
    assert_eq!(
        found,
        ["command `b` of tool `a` is exposed to LLMs as `a__b`, as is tool `a__b` in a.clad.toml"]
    );
}

#[test]
fn enum_arguments_whose_rust_types_collide_are_refused() {
    let l = load(&manifest(
        r#"
[args.scan_type]
type = "enum"
allowed = ["a", "b"]

[args.Scan_Type]
type = "enum"
allowed = ["c"]

[command]
exec = ["t", "{scan_type}", "{Scan_Type}"]
"#,
    ));
    let c = collisions(&l);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].0, "Scan_Type");
    // Both the fields (`scan_type`) and the types (`ScanType`) meet; one error per
    // place, the first mapping's.
    assert_eq!(
        c[0].1,
        "argument `Scan_Type` becomes the Rust field `scan_type`, which argument `scan_type` already has"
    );
    // An enum argument named after the generated struct (`demo` -> `DemoArgs`).
    let l = load(&manifest(
        "\n[args.demo_args]\ntype = \"enum\"\nallowed = [\"x\"]\n\n[command]\nexec = [\"t\", \"{demo_args}\"]\n",
    ));
    let c = collisions(&l);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].0, "demo_args");
    assert!(
        c[0].1.contains("the arguments struct of tool `demo`"),
        "{}",
        c[0].1
    );
}

#[test]
fn session_commands_whose_rust_names_collide_are_refused() {
    let text = r#"[tool]
name = "sess"
version = "1"
description = "d"

[session]
startup_command = "tool"
ready_pattern = "^> $"

[session.commands.scan_all]
pattern = "^scan$"
description = "d"

[session.commands.Scan_All]
pattern = "^scan$"
template = "scan {self} {self_}"
description = "d"

[session.commands.Scan_All.args.self]
type = "string"
required = true

[session.commands.Scan_All.args.self_]
type = "string"
required = true

[output]
format = "text"
"#;
    let l = load(text);
    let c = collisions(&l);
    let at: Vec<&str> = c.iter().map(|(t, _)| t.as_str()).collect();
    assert!(at.contains(&"self_"), "{c:?}\n{}", l.render(false));
    assert!(
        c.contains(&(
            "Scan_All".to_owned(),
            "session command `Scan_All` becomes the Rust enum variant `ScanAll`, which session command `scan_all` already has".to_owned()
        )),
        "{c:?}"
    );
    // One error per place: the struct `ScanAllArgs` meets too, and is not repeated.
    assert_eq!(
        c.iter().filter(|(t, _)| t == "Scan_All").count(),
        1,
        "{c:?}"
    );
    // Distinct after PascalCase: `Scanall` -> `Scanall` (`ScanAll` would be
    // `ScanAll`: case humps start words).
    let fine = text
        .replace("Scan_All", "Scanall")
        .replace("self_]", "other]");
    assert!(l.manifest.is_none());
    let l = load(&fine);
    assert!(collisions(&l).is_empty(), "{}", l.render(false));
}

#[test]
fn bundled_manifests_have_no_name_collisions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p.to_string_lossy().ends_with(".clad.toml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let l = load_with(&text, &LoadOptions::default());
        assert!(collisions(&l).is_empty(), "{}", p.display());
        seen += 1;
    }
    assert!(seen > 5);
}

#[test]
fn a_manifest_set_refuses_tool_and_command_names_that_collide_after_mapping() {
    let oneshot = |name: &str| {
        format!(
            "[tool]\nname = \"{name}\"\nversion = \"1\"\ndescription = \"d\"\n\n[command]\nexec = [\"t\"]\n{OUT}"
        )
    };
    let session = |name: &str, command: &str| {
        format!(
            "[tool]\nname = \"{name}\"\nversion = \"1\"\ndescription = \"d\"\n\n[session]\nstartup_command = \"tool\"\nready_pattern = \"^> $\"\n\n[session.commands.{command}]\npattern = \"^x$\"\ndescription = \"d\"\n{OUT}"
        )
    };
    let texts = [
        ("a.clad.toml", oneshot("nmap_scan")),
        ("b.clad.toml", oneshot("Nmap_Scan")),
        ("c.clad.toml", oneshot("self")),
        ("d.clad.toml", oneshot("self_")),
        ("e.clad.toml", session("x", "y__z")),
        ("f.clad.toml", session("x__y", "z")),
    ];
    let loaded: Vec<Loaded> = texts
        .iter()
        .map(|(p, t)| load_str(Path::new(p), t, &LoadOptions::default()))
        .collect();
    let set: Vec<(PathBuf, &Manifest)> = loaded
        .iter()
        .map(|l| {
            (
                l.path.clone(),
                l.manifest
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}", l.render(false))),
            )
        })
        .collect();
    let found: Vec<(String, String)> = check_set(&set)
        .into_iter()
        .filter(|d| d.code == &codes::NAME_COLLISION)
        .map(|d| (d.file.display().to_string(), d.message))
        .collect();
    assert_eq!(
        found,
        [
            (
                "b.clad.toml".to_owned(),
                "tool `Nmap_Scan` becomes the Rust registry variant `NmapScan`, which tool `nmap_scan` in a.clad.toml already has".to_owned()
            ),
            (
                "b.clad.toml".to_owned(),
                "tool `Nmap_Scan` becomes the Rust module `nmap_scan`, which tool `nmap_scan` in a.clad.toml already has".to_owned()
            ),
            (
                "d.clad.toml".to_owned(),
                "tool `self_` becomes the Rust registry variant `Self_`, which tool `self` in c.clad.toml already has".to_owned()
            ),
            (
                "d.clad.toml".to_owned(),
                "tool `self_` becomes the Rust module `self_`, which tool `self` in c.clad.toml already has".to_owned()
            ),
            (
                "f.clad.toml".to_owned(),
                "command `z` of tool `x__y` is exposed to LLMs as `x__y__z`, as is command `y__z` of tool `x` in e.clad.toml".to_owned()
            ),
        ]
    );
}

#[test]
fn msf_allowed_keys_are_checked_and_carried_into_the_model() {
    let l = load(&manifest(
        r#"
[args.opts]
type = "msf_options"
required = true
allowed_keys = ["rhosts", "RPORT", "CMD"]

[command]
template = "msfwrap {opts}"
"#,
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    assert!(has(
        &l,
        &codes::DANGEROUS_MSF_KEY,
        Severity::Warning,
        "\"CMD\""
    ));
    let m = l.manifest.unwrap();
    let keys: Vec<&str> = m.args[0]
        .ty
        .constraints
        .allowed_keys
        .as_ref()
        .unwrap()
        .iter()
        .map(|k| k.as_ref())
        .collect();
    assert_eq!(keys, ["RHOSTS", "RPORT", "CMD"]);

    let l = load(&manifest(
        r#"
[args.opts]
type = "msf_options"
required = true
allowed_keys = ["SET", "EXE::Custom"]

[args.other]
type = "string"
allowed_keys = ["RHOSTS"]

[command]
template = "msfwrap {opts} {other}"
"#,
    ));
    assert!(l.manifest.is_none());
    assert!(has(
        &l,
        &codes::BAD_ALLOWED_KEYS,
        Severity::Error,
        "\"SET\""
    ));
    assert!(has(
        &l,
        &codes::BAD_ALLOWED_KEYS,
        Severity::Error,
        "\"EXE::Custom\""
    ));
    assert!(has(
        &l,
        &codes::CONSTRAINT_NOT_APPLICABLE,
        Severity::Warning,
        "[\"RHOSTS\"]"
    ));
}

/// An `[http]` manifest whose URL is `url`, with one argument of each kind.
fn http_manifest(url: &str) -> String {
    manifest(&format!(
        r#"
[args.base]
type = "url"

[args.target]
type = "scope_target"

[args.ip]
type = "ip_address"

[args.port]
type = "port"

[args.n]
type = "integer"

[args.region]
type = "enum"
allowed = ["eu", "us-east"]

[args.hostname]
type = "enum"
allowed = ["api.example.com", "10.0.0.1"]

[args.badhost]
type = "enum"
allowed = ["api.example.com", "2130706433"]

[args.ports]
type = "enum"
allowed = ["443", "8443"]

[args.id]
type = "string"

[http]
method = "GET"
url = "{url}"
"#
    ))
}

/// The codes of the errors (with the text they point at) for a URL template.
fn url_errors(url: &str) -> Vec<(&'static Code, String)> {
    let l = load(&http_manifest(url));
    diags(&l)
        .into_iter()
        .filter(|(c, s, _)| *s == Severity::Error && *c != &codes::UNUSED_ARG)
        .map(|(c, _, t)| (c, t))
        .collect()
}

#[test]
fn url_templates_fix_scheme_host_and_port() {
    // Accepted layouts: every value has a place its type fixes.
    for url in [
        "{base}",
        "https://{target}/v1/{id}",
        "https://{ip}:{port}/v1",
        "http://{target}:{ports}/",
        "https://{region}.api.example.com/x?q={id}",
        "https://api-{region}.example.com:8443/{id}#{base}",
        "https://{hostname}/",
        "HTTPS://api.example.com/{id}",
        "https://[2001:db8::1]:8443/{id}",
        "https://api.example.com",
    ] {
        let l = load(&http_manifest(url));
        let errors: Vec<_> = diags(&l)
            .into_iter()
            .filter(|(_, s, _)| *s == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{url}: {}", l.render(false));
    }
    let cases: &[(&str, &Code, &str)] = &[
        // A leading url argument swallowing the fixed path.
        ("{base}/v1/{id}", &codes::UNSAFE_URL_PART, "{base}"),
        ("{base}?x=1", &codes::UNSAFE_URL_PART, "{base}"),
        // Numbers as the host or glued to host text.
        ("https://{n}/x", &codes::UNSAFE_URL_PART, "{n}"),
        ("https://{port}/x", &codes::UNSAFE_URL_PART, "{port}"),
        (
            "https://api.example.com{port}/x",
            &codes::UNSAFE_URL_PART,
            "{port}",
        ),
        ("https://10.0.0.{n}/x", &codes::UNSAFE_URL_PART, "{n}"),
        (
            "https://api.example.com:{n}/x",
            &codes::UNSAFE_URL_PART,
            "{n}",
        ),
        (
            "https://api.example.com:{port}0/x",
            &codes::UNSAFE_URL_PART,
            "{port}",
        ),
        (
            "https://api.example.com:8{port}/x",
            &codes::UNSAFE_URL_PART,
            "{port}",
        ),
        // Host-typed values joined to other text, or next to each other.
        (
            "https://{target}.evil.example/x",
            &codes::UNSAFE_URL_PART,
            "{target}",
        ),
        ("https://evil-{ip}/x", &codes::UNSAFE_URL_PART, "{ip}"),
        (
            "https://{region}{target}/x",
            &codes::UNSAFE_URL_PART,
            "{region}",
        ),
        (
            "https://{target}:{region}/",
            &codes::UNSAFE_URL_PART,
            "{region}",
        ),
        ("https://{id}.example.com/", &codes::UNSAFE_URL_PART, "{id}"),
        ("https://{base}/x", &codes::UNSAFE_URL_PART, "{base}"),
        ("https://[{ip}]/x", &codes::UNSAFE_URL_PART, "{ip}"),
        // Enum values that are not hosts.
        ("https://{badhost}/", &codes::UNSAFE_URL_PART, "{badhost}"),
        (
            "https://{region}:{hostname}/",
            &codes::UNSAFE_URL_PART,
            "{hostname}",
        ),
        // A secret before the path.
        (
            "https://{_secret:TOKEN}@api.example.com/",
            &codes::UNSAFE_URL_PART,
            "{_secret:TOKEN}",
        ),
        (
            "https://api.{_secret:TOKEN}.example.com/",
            &codes::UNSAFE_URL_PART,
            "{_secret:TOKEN}",
        ),
    ];
    let fine = url_errors("https://x.example/{id}");
    assert!(fine.is_empty(), "{fine:?}");
    for (url, code, at) in cases {
        let errors = url_errors(url);
        assert!(
            errors.iter().any(|(c, t)| c == code && t == at),
            "{url}: {errors:?}"
        );
    }
    // Literal problems: located at the URL.
    for url in [
        "ftp://files.example.com/{id}",
        "javascript://x.example/{id}",
        "https://user:pw@api.example.com/{id}",
        "https://user@{target}/",
        "https://api%2eexample.com/",
        "https://api example.com/",
        "https:///{id}",
    ] {
        let errors = url_errors(url);
        assert!(
            errors
                .iter()
                .any(|(c, t)| *c == &codes::BAD_URL && *t == format!("\"{url}\"")),
            "{url}: {errors:?}"
        );
    }
    // The message says why a number cannot be the host.
    let l = load(&http_manifest("https://{n}/x"));
    assert!(
        l.render(false).contains("`2130706433` is 127.0.0.1"),
        "{}",
        l.render(false)
    );
}

#[test]
fn forbidden_url_schemes_are_load_errors() {
    for scheme in [
        "javascript",
        "data",
        "file",
        "view-source",
        "about",
        "blob",
        "chrome",
    ] {
        let l = load(&manifest(&format!(
            r#"
[args.page]
type = "url"
schemes = ["https", "{scheme}"]

[command]
template = "fetch {{page}}"
"#
        )));
        assert!(l.manifest.is_none(), "{scheme}");
        assert!(
            has(
                &l,
                &codes::FORBIDDEN_SCHEME,
                Severity::Error,
                &format!("\"{scheme}\"")
            ),
            "{scheme}: {}",
            l.render(false)
        );
    }
}

/// A command manifest with a free-text `x`, an integer `n` and `body` as `[command]`.
fn command_manifest(command: &str) -> String {
    manifest(&format!(
        r#"
[args.x]
type = "string"
required = true

[args.n]
type = "integer"

[command]
{command}
"#
    ))
}

fn codes_of(l: &Loaded) -> Vec<(&'static Code, Severity)> {
    l.diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

#[test]
fn arguments_that_become_programs_or_scripts_are_errors() {
    let cases: &[(&str, &Code, &str)] = &[
        (
            r#"template = "sh -c {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "bash -lc 'nmap {x}'""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "'nmap {x}'",
        ),
        (
            r#"exec = ["/bin/bash", "-c", "echo {x}"]"#,
            &codes::ARGUMENT_AS_SCRIPT,
            "\"echo {x}\"",
        ),
        (
            r#"template = "python3 -c {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "/usr/bin/python3.11 {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "perl -e {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "node --eval {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "awk {x} data.txt""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "env {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "env A=1 {x} --flag""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "timeout 5 {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "timeout -s KILL {n} {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "sudo -u root sh -c {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "nice -n 5 timeout 9 bash -c {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "find . -name '*.log' -exec {x} ;""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "find . -execdir sh -c {x} ;""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "xargs -n 1 {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "busybox {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "bash -c -- {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "bash -ce {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "perl -ne {x} data""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "python3 -m {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "env -S {x}""#,
            &codes::ARGUMENT_AS_PROGRAM,
            "{x}",
        ),
        (
            r#"template = "ssh -p 22 admin@host uptime {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "cmd.exe /C {x}""#,
            &codes::ARGUMENT_AS_SCRIPT,
            "{x}",
        ),
        (
            r#"template = "{_evidence_dir}/tool {x}""#,
            &codes::EXECUTOR_VAR_PROGRAM,
            "{_evidence_dir}/tool",
        ),
    ];
    for (command, code, at) in cases {
        let l = load(&command_manifest(command));
        assert!(l.manifest.is_none(), "{command}");
        assert!(
            has(&l, code, Severity::Error, at),
            "{command}: {:?}\n{}",
            diags(&l),
            l.render(false)
        );
    }
    // Fixed scripts with values as positional parameters, and values after the
    // program of a wrapper, are fine.
    for command in [
        r#"exec = ["sh", "-c", "nmap -- \"$1\"", "sh", "{x}"]"#,
        r#"template = "timeout 30 nmap {x}""#,
        r#"template = "timeout {n} nmap {x}""#,
        r#"template = "env LC_ALL=C nmap {x}""#,
        r#"template = "python3 script.py {x}""#,
        r#"template = "find . -name {x} -exec grep -l TODO {{}} ;""#,
        r#"template = "ssh {x} uptime""#,
        r#"template = "bash -x script.sh {x}""#,
    ] {
        let l = load(&command_manifest(command));
        assert!(
            !codes_of(&l).iter().any(|(c, _)| [
                &codes::ARGUMENT_AS_SCRIPT,
                &codes::ARGUMENT_AS_PROGRAM
            ]
            .contains(c)),
            "{command}: {}",
            l.render(false)
        );
        assert!(l.manifest.is_some(), "{command}: {}", l.render(false));
    }
}

#[test]
fn careless_literal_text_is_reported_with_a_reason() {
    // NUL in an argv element and controls in the executor path: errors.
    let l = load(&command_manifest(r#"exec = ["nmap", "a\u0000b", "{x}"]"#));
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_ARGV,
            Severity::Error,
            "\"a\\u0000b\""
        ),
        "{:?}",
        diags(&l)
    );
    let l = load(&command_manifest(r#"exec = ["nm\nap", "{x}"]"#));
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_PROGRAM,
            Severity::Error,
            "\"nm\\nap\""
        ),
        "{:?}",
        diags(&l)
    );
    let l = load(&command_manifest(r#"executor = "scripts/wrap\n.sh""#));
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_PROGRAM,
            Severity::Error,
            "\"scripts/wrap\\n.sh\""
        ),
        "{:?}",
        diags(&l)
    );
    // A newline elsewhere in argv: a warning.
    let l = load(&command_manifest(
        r#"exec = ["nmap", "--script-args=a\nb", "{x}"]"#,
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    assert!(has(
        &l,
        &codes::CONTROL_IN_ARGV,
        Severity::Warning,
        "\"--script-args=a\\nb\""
    ));
    // Placeholders in the executor path: error; in output_dir: warning.
    let l = load(&command_manifest(r#"executor = "scripts/{x}.sh""#));
    assert!(has(
        &l,
        &codes::LITERAL_PLACEHOLDER,
        Severity::Error,
        "\"scripts/{x}.sh\""
    ));
    let l = load(&format!(
        "{TOOL}binary = \"nmap\"\n\n[tool.evidence]\noutput_dir = \"/ev/{{_scan_id}}\"\n\n[args.x]\ntype = \"string\"\nrequired = true\n\n[command]\ntemplate = \"nmap {{x}}\"\n{OUT}"
    ));
    assert!(l.manifest.is_none(), "{}", l.render(false));
    assert!(
        has(
            &l,
            &codes::LITERAL_PLACEHOLDER,
            Severity::Error,
            "{_scan_id}"
        ),
        "{:?}",
        diags(&l)
    );
    // The two names the runtime expands are fine (and `{{` stays literal).
    let l = load(&format!(
        "{TOOL}binary = \"nmap\"\n\n[tool.evidence]\noutput_dir = \"{{evidence_dir}}/{{scan_id}}-nmap/{{{{x\"\n\n[args.x]\ntype = \"string\"\nrequired = true\n\n[command]\ntemplate = \"nmap {{x}}\"\n{OUT}"
    ));
    assert!(l.manifest.is_some(), "{}", l.render(false));
    assert!(
        !codes_of(&l)
            .iter()
            .any(|(c, _)| *c == &codes::LITERAL_PLACEHOLDER),
        "{:?}",
        diags(&l)
    );
    // binary is compared with the program that runs (through wrappers).
    let l = load(&format!(
        "{TOOL}binary = \"nmap\"\n\n[args.x]\ntype = \"string\"\nrequired = true\n\n[command]\ntemplate = \"timeout 60 masscan {{x}}\"\n{OUT}"
    ));
    assert!(
        has(&l, &codes::BINARY_MISMATCH, Severity::Warning, "timeout"),
        "{:?}",
        diags(&l)
    );
    let l = load(&format!(
        "{TOOL}binary = \"nmap\"\n\n[args.x]\ntype = \"string\"\nrequired = true\n\n[command]\ntemplate = \"/usr/bin/nmap {{x}}\"\n{OUT}"
    ));
    assert!(
        !codes_of(&l)
            .iter()
            .any(|(c, _)| *c == &codes::BINARY_MISMATCH),
        "{:?}",
        diags(&l)
    );
    // Negative positions.
    let l = load(&manifest(
        "\n[args.x]\ntype = \"string\"\nposition = -1\n\n[command]\ntemplate = \"t {x}\"\n",
    ));
    assert!(
        has(&l, &codes::NEGATIVE_POSITION, Severity::Error, "-1"),
        "{:?}",
        diags(&l)
    );
    // Author-written enum values and mapping strings.
    let l = load(&manifest(
        r#"
[args.mode]
type = "enum"
allowed = ["fast", "slow\u202e", "a;b"]

[command]
template = "t {_mode_flags}"

[command.mappings.mode]
fast = "-T4"
slow = "-T1\u0007"
"a;b" = "-x|y"
"#,
    ));
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_VALUE,
            Severity::Error,
            "\"slow\\u202e\""
        ),
        "{:?}",
        diags(&l)
    );
    assert!(
        has(&l, &codes::METACHAR_IN_VALUE, Severity::Warning, "\"a;b\""),
        "{:?}",
        diags(&l)
    );
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_VALUE,
            Severity::Error,
            "\"-T1\\u0007\""
        ),
        "{:?}",
        diags(&l)
    );
    assert!(
        has(&l, &codes::METACHAR_IN_VALUE, Severity::Warning, "\"-x|y\""),
        "{:?}",
        diags(&l)
    );
}

#[test]
fn mcp_names_and_startup_commands_are_checked() {
    let l = load(&manifest(
        "\n[mcp]\nserver = \"files; rm\"\ntool = \"read\\tfile\"\n",
    ));
    assert!(
        has(&l, &codes::BAD_MCP_NAME, Severity::Error, "\"files; rm\""),
        "{:?}",
        diags(&l)
    );
    assert!(
        has(&l, &codes::BAD_MCP_NAME, Severity::Error, "\"read\\tfile\""),
        "{:?}",
        diags(&l)
    );
    let l = load(&manifest(
        "\n[mcp]\nserver = \"files\"\ntool = \"read_file\"\n",
    ));
    assert!(
        !codes_of(&l).iter().any(|(c, _)| *c == &codes::BAD_MCP_NAME),
        "{:?}",
        diags(&l)
    );
    let session = |startup: &str| {
        format!(
            "{TOOL}mode = \"session\"\n\n[session]\nstartup_command = \"{startup}\"\nready_pattern = \"^> $\"\n\n[session.commands.run]\npattern = \"^run$\"\ndescription = \"run\"\n{OUT}"
        )
    };
    let l = load(&session("msfconsole -q; id"));
    assert!(
        has(
            &l,
            &codes::SHELL_SYNTAX_IN_STARTUP,
            Severity::Warning,
            "\"msfconsole -q; id\""
        ),
        "{:?}",
        diags(&l)
    );
    let l = load(&session("msfconsole\\u0000 -q"));
    assert!(
        has(
            &l,
            &codes::CONTROL_IN_PROGRAM,
            Severity::Error,
            "\"msfconsole\\u0000 -q\""
        ),
        "{:?}",
        diags(&l)
    );
}

#[test]
fn browser_login_urls_are_http_without_userinfo() {
    let bundled = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests/webapp_browser.clad.toml"),
    )
    .unwrap();
    let good = "login_url = \"https://sso.staging.example.com/login\"";
    assert!(bundled.contains(good));
    assert!(load(&bundled).manifest.is_some());
    for bad in [
        "javascript:alert(document.cookie)",
        "https://admin:pw@sso.staging.example.com/login",
        "file:///etc/passwd",
        "sso.staging.example.com/login",
    ] {
        let text = bundled.replace(good, &format!("login_url = \"{bad}\""));
        let l = load(&text);
        assert!(l.manifest.is_none(), "{bad}");
        assert!(
            has(&l, &codes::BAD_URL, Severity::Error, &format!("\"{bad}\"")),
            "{bad}: {:?}",
            diags(&l)
        );
    }
}

#[test]
fn a_broken_session_command_is_reported_without_follow_on_warnings() {
    let session = |commands: &str| {
        load(&format!(
            "{TOOL}\n[session]\nstartup_command = \"msfconsole -q\"\nready_pattern = \"msf> \"\n{commands}{OUT}"
        ))
    };
    // The only command lacks its description: one error, and no `no-commands`
    // warning about the command that could not be built.
    let l = session("\n[session.commands.run]\npattern = \"^run$\"\n");
    assert!(l.manifest.is_none());
    let got: Vec<&Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(got, [&codes::MISSING_KEY], "{}", l.render(false));
    // Without any command, the warning is the one diagnostic.
    let l = session("");
    assert!(l.manifest.is_some(), "{}", l.render(false));
    let got: Vec<&Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(got, [&codes::NO_COMMANDS], "{}", l.render(false));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_being_opened() {
    let root = temp_dir("fifo");
    let fifo = root.join("pipe.clad.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    // Opening a FIFO for reading blocks until a writer comes: this would hang.
    let l = load_file(&fifo, &LoadOptions::default());
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].code, &codes::IO);
    assert!(
        l.diagnostics[0].message.contains("not a regular file"),
        "{}",
        l.diagnostics[0].message
    );
    let types = load_types_file(&fifo, UnknownKeys::Error).expect_err("a FIFO is no types file");
    assert_eq!(types[0].code, &codes::IO);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_file_over_the_cap_is_refused_with_its_own_code() {
    let root = temp_dir("large");
    let big = root.join("big.clad.toml");
    let len = usize::try_from(MAX_FILE_BYTES).expect("fits") + 1;
    std::fs::write(&big, vec![b'#'; len]).expect("write");
    let l = load_file(&big, &LoadOptions::default());
    assert!(l.manifest.is_none());
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].code, &codes::FILE_TOO_LARGE);
    assert!(
        l.diagnostics[0].message.contains("4194304 bytes"),
        "{}",
        l.diagnostics[0].message
    );
    // Through a `Project` (the CLI, the build, the macro): the same refusal, and an
    // input that could not be used rather than an invalid manifest.
    let set = Project::new().load_file(&big);
    assert_eq!(set.diagnostics.len(), 1, "{}", set.render(false));
    assert_eq!(set.diagnostics[0].code, &codes::FILE_TOO_LARGE);
    assert!(set.has_input_errors());
    // Exactly at the cap is still read (and then checked as a manifest).
    std::fs::write(&big, vec![b'#'; len - 1]).expect("write");
    let l = load_file(&big, &LoadOptions::default());
    assert_eq!(l.diagnostics[0].code, &codes::NOT_A_MANIFEST);
    let set = Project::new().load_file(&big);
    assert!(set.has_errors() && !set.has_input_errors());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn ten_thousand_problems_are_all_reported_and_located() {
    // 10,000 unknown keys in [tool], then 10,000 duplicate enum values.
    let mut t = String::from(TOOL);
    for i in 0..10_000 {
        t.push_str(&format!("bogus{i} = 1\n"));
    }
    let text = format!("{t}\n[command]\nexec = [\"true\"]\n{OUT}");
    let l = load(&text);
    let unknown: Vec<&Diagnostic> = l
        .diagnostics
        .iter()
        .filter(|d| d.code == &codes::UNKNOWN_KEY)
        .collect();
    assert_eq!(unknown.len(), 10_000);
    let last = unknown.last().expect("reported");
    assert_eq!((last.line, last.column), (5 + 9_999, 1));
    let rendered = l.render(false);
    assert_eq!(rendered.matches("error[unknown-key]").count(), 10_000);
    assert!(rendered.contains(&format!("{} | bogus9999 = 1", 5 + 9_999)));

    let values: Vec<String> = (0..20_000)
        .map(|i| format!("\"v{}\"", i % 10_000))
        .collect();
    let l = load(&manifest(&format!(
        "\n[args.e]\ntype = \"enum\"\nallowed = [{}]\n\n[command]\nexec = [\"true\", \"{{e}}\"]\n",
        values.join(", ")
    )));
    let dups = l
        .diagnostics
        .iter()
        .filter(|d| d.code == &codes::DUPLICATE_ENUM_VALUE)
        .count();
    assert_eq!(dups, 10_000);
}
