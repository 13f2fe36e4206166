//! Issue 11, class 1: a session command's text and its typed arguments are one thing
//! (template or named groups), `extract_target` exposes the target, patterns that
//! match anything are refused, and interpreter sessions are warned about.

use std::path::Path;

use cladgen_core::invoke::{CommandCallError, SessionCommandCall};
use cladgen_core::load::codes::{self, Code};
use cladgen_core::load::*;
use cladgen_core::model::*;
use cladgen_core::value::ParseOptions;
use serde_json::json;

const OPTS: ParseOptions = ParseOptions::DEFAULT;

fn load(text: &str) -> Loaded {
    load_str(Path::new("t.clad.toml"), text, &LoadOptions::default())
}

fn codes_of(l: &Loaded) -> Vec<(&'static Code, Severity)> {
    l.diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

/// A session tool with `startup` and one command `c` written as `command`.
fn session(startup: &str, command: &str) -> String {
    format!(
        "[tool]\nname = \"demo\"\nversion = \"1\"\ndescription = \"d\"\nmode = \"session\"\n\n\
         [session]\nstartup_command = \"{startup}\"\nready_pattern = \"^> $\"\n\n\
         [session.commands.c]\ndescription = \"d\"\n{command}\n\n[output]\nformat = \"text\"\n"
    )
}

fn spec(m: &Manifest) -> &SessionSpec {
    match &m.backend {
        Backend::Session(s) => s,
        _ => panic!("not a session"),
    }
}

fn rules(spec: &SessionSpec, cmd: &str, args: serde_json::Value) -> Vec<(String, String)> {
    match SessionCommandCall::from_json(spec, cmd, &args, &OPTS) {
        Err(CommandCallError::Args(e)) => e
            .as_slice()
            .iter()
            .map(|e| (e.arg.clone(), e.rule.as_str().to_owned()))
            .collect(),
        other => panic!("expected argument errors, got {other:?}"),
    }
}

fn bundled_msf() -> Manifest {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests");
    let types = find_types_file(&dir, &dir).map(|t| {
        load_types_file(&t, UnknownKeys::Error).unwrap_or_else(|d| panic!("{t:?}: {d:?}"))
    });
    let opts = LoadOptions {
        custom_types: types,
        ..LoadOptions::default()
    };
    let l = load_file(&dir.join("msf_console.clad.toml"), &opts);
    let shown = l.render(false);
    l.manifest
        .unwrap_or_else(|| panic!("bundled msf_console loads:\n{shown}"))
}

#[test]
fn text_naming_another_target_than_the_argument_is_impossible() {
    let m = bundled_msf();
    let s = spec(&m);
    // Before: `{"command": "set RHOSTS 10.9.9.9", "target": "10.0.0.5"}` passed, the
    // gate checked 10.0.0.5 and the console got 10.9.9.9. Now the text is rendered.
    assert_eq!(
        rules(
            s,
            "set_target",
            json!({"command": "set RHOSTS 10.9.9.9", "target": "10.0.0.5"})
        ),
        [("command".to_owned(), "unknown-argument".to_owned())]
    );
    let call =
        SessionCommandCall::from_json(s, "set_target", &json!({"target": "10.0.0.5"}), &OPTS)
            .unwrap();
    assert_eq!(call.text(), "set RHOSTS 10.0.0.5");
    // `use_module`: the module the policy sees is the one in the text.
    assert_eq!(
        rules(
            s,
            "use_module",
            json!({"command": "use exploit/windows/smb/ms17_010_eternalblue", "module": "auxiliary/scanner/smb/smb_version"})
        ),
        [("module".to_owned(), "bound-by-text".to_owned())]
    );
    let call = SessionCommandCall::from_json(
        s,
        "use_module",
        &json!({"command": "use exploit/windows/smb/ms17_010_eternalblue"}),
        &OPTS,
    )
    .unwrap();
    assert_eq!(
        call.value("module").unwrap().to_string(),
        "exploit/windows/smb/ms17_010_eternalblue"
    );
}

#[test]
fn extract_target_is_exposed_for_the_scope_gate() {
    let m = bundled_msf();
    let s = spec(&m);
    let call =
        SessionCommandCall::from_json(s, "set_target", &json!({"target": "10.20.0.0/24"}), &OPTS)
            .unwrap();
    let (arg, value) = call.target().expect("set_target has extract_target");
    assert_eq!(arg.name, "target");
    assert_eq!(value.to_string(), "10.20.0.0/24");
    assert!(call.text().ends_with(&value.to_string()));
    let scoped: Vec<String> = call
        .scope_values()
        .map(|(a, _)| a.name.to_string())
        .collect();
    assert_eq!(scoped, ["target"]);
    let show = SessionCommandCall::from_json(
        s,
        "show_options",
        &json!({"command": "show options"}),
        &OPTS,
    )
    .unwrap();
    assert!(show.target().is_none());

    // Load-time: exactly one required scope-checked bound argument.
    let none = load(&session(
        "msfconsole -q",
        "pattern = '^set RPORT [0-9]+$'\ntemplate = \"set RPORT {port}\"\nextract_target = true\n[session.commands.c.args.port]\ntype = \"port\"\nrequired = true",
    ));
    assert!(none.manifest.is_none());
    assert!(codes_of(&none).contains(&(&codes::BAD_EXTRACT_TARGET, Severity::Error)));
    let two = load(&session(
        "msfconsole -q",
        "pattern = '^x [0-9.]+ [0-9.]+$'\ntemplate = \"x {a} {b}\"\nextract_target = true\n\
         [session.commands.c.args.a]\ntype = \"scope_target\"\nrequired = true\n\
         [session.commands.c.args.b]\ntype = \"ip_address\"\nscope_check = true\nrequired = true",
    ));
    assert!(
        codes_of(&two).contains(&(&codes::BAD_EXTRACT_TARGET, Severity::Error)),
        "{}",
        two.render(false)
    );
}

#[test]
fn file_target_lists_are_refused_for_msf_set_target() {
    let m = bundled_msf();
    let s = spec(&m);
    for bad in [
        "file:/etc/hosts",
        "file:/tmp/targets.txt",
        "10.0.0.1 10.0.0.2",
        "10.0.0.1,file:/x",
    ] {
        let errors = rules(s, "set_target", json!({"target": bad}));
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert_eq!(errors[0].0, "target", "{bad}");
    }
    // The pattern alone refuses the `file:` form too (defence in depth).
    let set = s.commands.iter().find(|c| c.name == "set_target").unwrap();
    assert!(!set.pattern.is_match("set RHOSTS file:/etc/hosts"));
    assert!(set.pattern.is_match("set RHOSTS 10.0.0.5"));
    assert!(set.pattern.is_match("set RHOSTS scanme.example.com"));
}

#[test]
fn unbound_arguments_and_bad_bindings_are_load_errors() {
    let check = |command: &str, code: &Code| {
        let l = load(&session("msfconsole -q", command));
        assert!(l.manifest.is_none(), "{command}");
        assert!(
            codes_of(&l).contains(&(code, Severity::Error)),
            "{command}: {}",
            l.render(false)
        );
    };
    let arg = "\n[session.commands.c.args.target]\ntype = \"scope_target\"\nrequired = true";
    check(
        &format!("pattern = '^set RHOSTS [0-9.]+$'{arg}"),
        &codes::UNBOUND_SESSION_ARGUMENT,
    );
    check(
        &format!("pattern = '^set RHOSTS [0-9.]+$'\ntemplate = \"set RHOSTS {{host}}\"{arg}"),
        &codes::BAD_SESSION_BINDING,
    );
    check(
        &format!("pattern = '^set RHOSTS (?P<host>[0-9.]+)$'{arg}"),
        &codes::BAD_SESSION_BINDING,
    );
    // A repeated group keeps its last match only.
    check(
        &format!("pattern = '^set RHOSTS(?: (?P<target>[0-9.]+))+$'{arg}"),
        &codes::BAD_SESSION_BINDING,
    );
    // Both ways at once.
    check(
        &format!(
            "pattern = '^set RHOSTS (?P<target>[0-9.]+)$'\ntemplate = \"set RHOSTS {{target}}\"{arg}"
        ),
        &codes::BAD_SESSION_BINDING,
    );
    // Optional without default in a template.
    check(
        "pattern = '^x [0-9]+$'\ntemplate = \"x {n}\"\n[session.commands.c.args.n]\ntype = \"integer\"",
        &codes::BAD_SESSION_BINDING,
    );
    // A group-bound argument with a default.
    check(
        "pattern = '^x (?P<n>[0-9]+)$'\n[session.commands.c.args.n]\ntype = \"integer\"\ndefault = 3",
        &codes::BAD_SESSION_BINDING,
    );
}

#[test]
fn match_anything_patterns_are_refused() {
    for p in [
        ".*",
        "(?s).*",
        ".+",
        "^.*$",
        "",
        "^$",
        r"[\\s\\S]*",
        "[ -~]*",
        r"\\s*.*",
        "(?:.|\\n)*",
        "run|.*",
    ] {
        let l = load(&session("msfconsole -q", &format!("pattern = \"{p}\"")));
        assert!(l.manifest.is_none(), "{p:?} loads");
        assert_eq!(
            codes_of(&l),
            [(&codes::MATCH_ANYTHING_PATTERN, Severity::Error)],
            "{p:?}: {}",
            l.render(false)
        );
    }
    for p in ["^sessions -l$", r"^run( -j)?$", r"^search \\S+$"] {
        let l = load(&session("msfconsole -q", &format!("pattern = \"{p}\"")));
        assert!(l.manifest.is_some(), "{p:?}: {}", l.render(false));
    }
}

#[test]
fn a_shell_or_interpreter_session_is_warned_about() {
    for startup in [
        "bash",
        "/bin/sh -i",
        "python3 -i",
        "/usr/bin/env python3",
        "env -i PATH=/usr/bin node",
        "sudo -u pentest zsh",
        "irb",
        "perl -de0",
    ] {
        let l = load(&session(startup, "pattern = '^id$'"));
        assert!(l.manifest.is_some(), "{startup}: a warning, not an error");
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.code == &codes::INTERPRETER_SESSION)
            .unwrap_or_else(|| panic!("{startup}: {}", l.render(false)));
        assert_eq!(d.severity, Severity::Warning);
        assert!(
            d.message.contains("runs any code it is sent"),
            "{}",
            d.message
        );
    }
    for startup in ["msfconsole -q", "psql -h db", "redis-cli"] {
        let l = load(&session(startup, "pattern = '^id$'"));
        assert!(
            !codes_of(&l)
                .iter()
                .any(|(c, _)| *c == &codes::INTERPRETER_SESSION),
            "{startup}: {}",
            l.render(false)
        );
    }
}
