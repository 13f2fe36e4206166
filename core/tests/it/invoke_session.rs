//! Session and browser command calls on hand-built models.

use crate::invoke_util;

use cladgen_core::invoke::{
    BrowserCommandCall, Call, CommandCallError, ExecContext, MapSecrets, SessionCommandCall,
};
use cladgen_core::model::*;
use cladgen_core::value::ParseOptions;
use invoke_util::*;
use serde_json::json;
use std::borrow::Cow;

const OPTS: ParseOptions = ParseOptions::DEFAULT;

fn session() -> SessionSpec {
    SessionSpec {
        startup_command: Cow::Borrowed("msfconsole -q -x 'setg A b'"),
        startup_argv: Cow::Owned(vec![
            Cow::Borrowed("msfconsole"),
            Cow::Borrowed("-q"),
            Cow::Borrowed("-x"),
            Cow::Borrowed("setg A b"),
        ]),
        ready_pattern: Pattern::new("msf6? > ").unwrap(),
        startup_timeout_seconds: 30,
        idle_timeout_seconds: 300,
        session_timeout_seconds: 1800,
        max_interactions: 100,
        interaction: Interaction {
            input_sanitize: Cow::Owned(vec![Cow::Borrowed("%")]),
            output_max_bytes: 1 << 20,
            output_wait_ms: 2000,
        },
        commands: Cow::Owned(vec![
            SessionCommand {
                name: Cow::Borrowed("set_target"),
                // Deliberately written with `^` only: the match is whole-value anyway.
                pattern: Pattern::new("^set RHOSTS [0-9A-Za-z.:/ -]+").unwrap(),
                description: Cow::Borrowed("set the target"),
                risk_tier: RiskTier::Medium,
                human_approval: false,
                extract_target: true,
                args: Cow::Owned(vec![arg("target", TypeKind::ScopeTarget).required()]),
                binding: TextBinding::Template {
                    source: Cow::Borrowed("set RHOSTS {target}"),
                    pieces: Cow::Owned(vec![
                        TemplatePiece::Text(Cow::Borrowed("set RHOSTS ")),
                        TemplatePiece::Arg(0),
                    ]),
                },
            },
            SessionCommand {
                name: Cow::Borrowed("use_module"),
                pattern: Pattern::new(r"use (?P<module>[a-z]+(/[a-z0-9_]+)+)( (?P<port>[0-9]+))?")
                    .unwrap(),
                description: Cow::Borrowed("select a module"),
                risk_tier: RiskTier::Low,
                human_approval: false,
                extract_target: false,
                args: Cow::Owned(vec![
                    arg("module", TypeKind::String).required(),
                    arg("port", TypeKind::Port),
                ]),
                binding: TextBinding::Captures,
            },
            SessionCommand {
                name: Cow::Borrowed("sessions"),
                pattern: Pattern::new("sessions -l").unwrap(),
                description: Cow::Borrowed("list"),
                risk_tier: RiskTier::Low,
                human_approval: false,
                extract_target: false,
                args: Cow::Borrowed(&[]),
                binding: TextBinding::Free,
            },
        ]),
        child_detection: None,
        events: None,
    }
}

fn err(spec: &SessionSpec, cmd: &str, args: serde_json::Value) -> Vec<(String, &'static str)> {
    match SessionCommandCall::from_json(spec, cmd, &args, &OPTS) {
        Err(CommandCallError::Args(e)) => rules(&e),
        other => panic!("expected argument errors, got {other:?}"),
    }
}

#[test]
fn session_command_text_must_match_its_pattern_as_a_whole() {
    let spec = session();
    // A second command smuggled after a newline: the injection check refuses it
    // before the pattern is even tried.
    assert_eq!(
        err(
            &spec,
            "sessions",
            json!({"command": "sessions -l\nsessions -K"})
        ),
        [("command".to_owned(), "injection")]
    );
    // Trailing text the pattern does not cover.
    assert_eq!(
        err(&spec, "sessions", json!({"command": "sessions -l -K"})),
        [("command".to_owned(), "command-pattern")]
    );
    assert_eq!(
        err(&spec, "sessions", json!({})),
        [("command".to_owned(), "missing")]
    );
    assert_eq!(
        err(&spec, "sessions", json!({"command": 5})),
        [("command".to_owned(), "json-type")]
    );
    let call =
        SessionCommandCall::from_json(&spec, "sessions", &json!({"command": "sessions -l"}), &OPTS)
            .unwrap();
    assert_eq!(call.text(), "sessions -l");
    assert!(call.target().is_none() && call.scope_values().next().is_none());
}

#[test]
fn a_template_renders_the_text_from_the_checked_target() {
    let spec = session();
    let call =
        SessionCommandCall::from_json(&spec, "set_target", &json!({"target": "10.0.0.5"}), &OPTS)
            .unwrap();
    assert_eq!(call.text(), "set RHOSTS 10.0.0.5");
    assert_eq!(call.command().name, "set_target");
    assert_eq!(call.value("target").unwrap().to_string(), "10.0.0.5");
    let (arg, value) = call.target().expect("extract_target exposes the target");
    assert_eq!(
        (arg.name.as_ref(), value.to_string().as_str()),
        ("target", "10.0.0.5")
    );
    let scoped: Vec<(&str, String)> = call
        .scope_values()
        .map(|(a, v)| (a.name.as_ref(), v.to_string()))
        .collect();
    assert_eq!(scoped, [("target", "10.0.0.5".to_owned())]);
    assert_eq!(
        call.to_json(),
        json!({"command": "set_target", "text": "set RHOSTS 10.0.0.5", "args": {"target": "10.0.0.5"}})
    );
    // The caller cannot send text naming another host than the checked target: a
    // templated command takes no `command` field at all.
    assert_eq!(
        err(
            &spec,
            "set_target",
            json!({"command": "set RHOSTS 10.9.9.9", "target": "10.0.0.5"})
        ),
        [("command".to_owned(), "unknown-argument")]
    );
    // Not a scope target (a Metasploit `file:` target list), or not one token.
    assert_eq!(
        err(&spec, "set_target", json!({"target": "file:/etc/hosts"})),
        [("target".to_owned(), "scope-target")]
    );
    // input_sanitize applies to the rendered text; unknown keys first.
    assert_eq!(
        err(
            &spec,
            "set_target",
            json!({"target": "999.1.1.1", "extra": 1})
        ),
        [
            ("extra".to_owned(), "unknown-argument"),
            ("target".to_owned(), "scope-target"),
        ]
    );
}

#[test]
fn named_groups_make_the_text_the_values() {
    let spec = session();
    let call = SessionCommandCall::from_json(
        &spec,
        "use_module",
        &json!({"command": "use exploit/windows/smb 445"}),
        &OPTS,
    )
    .unwrap();
    assert_eq!(
        call.value("module").unwrap().to_string(),
        "exploit/windows/smb"
    );
    assert_eq!(call.value("port").unwrap().to_json(), json!(445));
    let call = SessionCommandCall::from_json(
        &spec,
        "use_module",
        &json!({"command": "use exploit/windows/smb"}),
        &OPTS,
    )
    .unwrap();
    assert!(call.value("port").is_none());
    // The argument given beside the text is refused, whatever its value: the text
    // is its only source.
    assert_eq!(
        err(
            &spec,
            "use_module",
            json!({"command": "use exploit/a", "module": "exploit/a"})
        ),
        [("module".to_owned(), "bound-by-text")]
    );
    // Each group is parsed by its argument's type.
    assert_eq!(
        err(
            &spec,
            "use_module",
            json!({"command": "use exploit/a 99999"})
        ),
        [("port".to_owned(), "port")]
    );
}

#[test]
fn unknown_session_command() {
    let spec = session();
    let e = SessionCommandCall::from_json(&spec, "drop", &json!({}), &OPTS).unwrap_err();
    assert_eq!(
        e,
        CommandCallError::UnknownCommand {
            command: "drop".into(),
            declared: vec!["set_target".into(), "use_module".into(), "sessions".into()]
        }
    );
    assert!(
        e.to_string().contains("set_target, use_module, sessions"),
        "{e}"
    );
}

#[test]
fn session_tool_plan_shows_the_startup_argv() {
    let mut m = manifest("msf", vec![], Backend::Session(session()));
    m.tool.mode = Mode::Session;
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    let plan = call
        .plan(&ExecContext::new("s", "/e"), &MapSecrets::new())
        .unwrap();
    assert_eq!(
        plan.to_json(),
        json!({"session": {"tool": "msf", "startup_argv": ["msfconsole", "-q", "-x", "setg A b"]}})
    );
}

#[test]
fn browser_command_args_are_typed() {
    let spec = BrowserSpec {
        engine: BrowserEngine::Cdp,
        headless: true,
        connect: BrowserConnect::Launch,
        extract_mode: ExtractMode::AccessibilityTree,
        startup_timeout_seconds: 30,
        session_timeout_seconds: 1800,
        idle_timeout_seconds: 300,
        max_interactions: 100,
        scope: None,
        commands: Cow::Owned(vec![BrowserCommand {
            name: Cow::Borrowed("navigate"),
            description: Cow::Borrowed("go"),
            risk_tier: RiskTier::Low,
            human_approval: false,
            args: Cow::Owned(vec![
                arg("url", TypeKind::Url).required(),
                arg("wait_ms", TypeKind::Integer).default_to(Scalar::Integer(500)),
            ]),
        }]),
        state: None,
        defaults: Cow::Borrowed(&[]),
        auth_flows: Cow::Borrowed(&[]),
    };
    let call = BrowserCommandCall::from_json(
        &spec,
        "navigate",
        &json!({"url": "https://app.example/login"}),
        &OPTS,
    )
    .unwrap();
    assert_eq!(
        call.to_json(),
        json!({"command": "navigate", "args": {"url": "https://app.example/login", "wait_ms": 500}})
    );
    let Err(CommandCallError::Args(e)) = BrowserCommandCall::from_json(
        &spec,
        "navigate",
        &json!({"url": "file:///etc/passwd", "wait_ms": "x"}),
        &OPTS,
    ) else {
        panic!("expected errors")
    };
    assert_eq!(
        rules(&e),
        [
            ("url".to_owned(), "scheme"),
            ("wait_ms".to_owned(), "integer")
        ]
    );
    assert!(matches!(
        BrowserCommandCall::from_json(&spec, "click", &json!({}), &OPTS),
        Err(CommandCallError::UnknownCommand { .. })
    ));
}
