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
    assert_eq!(warned, ["a"]);
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
            unknown_keys: Level::Warn,
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
    load_types_str(Path::new("toolclad.toml"), text, Level::Error)
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
    assert_eq!(json["code"], "unknown-key");
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
        find_types_file(&tools).map(|p| p.ends_with("toolclad.toml")),
        Some(true)
    );

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
    let types = load_types_file(&fifo, Level::Error).expect_err("a FIFO is no types file");
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
    // Exactly at the cap is still read (and then checked as a manifest).
    std::fs::write(&big, vec![b'#'; len - 1]).expect("write");
    let l = load_file(&big, &LoadOptions::default());
    assert_eq!(l.diagnostics[0].code, &codes::NOT_A_MANIFEST);
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
