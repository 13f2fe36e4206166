//! The dynamic path for commands: argument parsing and argv / executor building, on
//! hand-built manifest models.

use crate::invoke_util;

use cladgen_core::invoke::{Call, ExecContext, InvokeError, MapSecrets, Plan, argv_command};
use cladgen_core::load::codes;
use cladgen_core::model::*;
use cladgen_core::value::{ParseOptions, Rule};
use invoke_util::*;
use serde_json::json;
use std::borrow::Cow;

const OPTS: ParseOptions = ParseOptions::DEFAULT;

fn ctx() -> ExecContext {
    ExecContext::new("scan-1", "/ev")
}

fn argv(m: &Manifest, args: serde_json::Value) -> Vec<String> {
    let call = Call::from_json(m, &args, &OPTS).unwrap_or_else(|e| panic!("{e}"));
    call.argv(&ctx()).unwrap_or_else(|e| panic!("{e}"))
}

/// `echo {msg}` with a free-text `msg`.
fn echo() -> Manifest {
    manifest(
        "echo_tool",
        vec![arg("msg", TypeKind::String).required()],
        template(vec![word("echo"), argtok(0)], vec![], vec![]),
    )
}

#[test]
fn a_value_with_spaces_or_quotes_is_one_argv_element() {
    let m = echo();
    for v in [
        "hello world",
        "x' -o /tmp/pwn '",
        "say \"hi\"   twice",
        " padded ",
    ] {
        assert_eq!(argv(&m, json!({ "msg": v })), ["echo", v], "value {v:?}");
    }
}

#[test]
fn an_option_like_free_text_value_is_refused() {
    let m = echo();
    let e = Call::from_json(&m, &json!({"msg": "-iL /etc/shadow"}), &OPTS).unwrap_err();
    assert_eq!(rules(&e), [("msg".to_owned(), "option-like")]);
    assert!(e.to_string().contains("msg"), "{e}");

    // The manifest can opt in.
    let mut m = echo();
    m.args = Cow::Owned(vec![
        arg("msg", TypeKind::String).required().allow_options(),
    ]);
    assert_eq!(
        argv(&m, json!({"msg": "-iL /etc/shadow"})),
        ["echo", "-iL /etc/shadow"]
    );
}

#[test]
fn call_must_be_an_object() {
    let e = Call::from_json(&echo(), &json!(["x"]), &OPTS).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e.as_slice()[0].rule, Rule::JsonType);
}

#[test]
fn unknown_fields_and_every_error_are_reported_at_once() {
    let m = manifest(
        "multi",
        vec![
            arg("target", TypeKind::ScopeTarget).required(),
            arg("port", TypeKind::Port).required(),
            arg("mode", TypeKind::Enum)
                .required()
                .allowed(&["fast", "slow"]),
            arg("note", TypeKind::String),
        ],
        template(vec![word("t")], vec![], vec![]),
    );
    let e = Call::from_json(
        &m,
        &json!({"port": 70000, "mode": "FAST", "note": "a;b", "tagret": "x"}),
        &OPTS,
    )
    .unwrap_err();
    assert_eq!(
        rules(&e),
        [
            ("tagret".to_owned(), "unknown-argument"),
            ("target".to_owned(), "missing"),
            ("port".to_owned(), "port"),
            ("mode".to_owned(), "not-allowed"),
            ("note".to_owned(), "injection"),
        ]
    );
    let unknown = &e.as_slice()[0];
    assert!(
        unknown.message.contains("target, port, mode, note"),
        "{}",
        unknown.message
    );
}

#[test]
fn absence_null_and_empty_string() {
    let m = manifest(
        "absence",
        vec![
            arg("req", TypeKind::String).required(),
            arg("opt", TypeKind::Integer),
        ],
        template(
            vec![word("t"), argtok(0), tok(vec![lit("--n="), Piece::Arg(1)])],
            vec![],
            vec![],
        ),
    );
    // Optional: null and "" are absent, and its token is dropped.
    assert_eq!(argv(&m, json!({"req": "a", "opt": null})), ["t", "a"]);
    assert_eq!(argv(&m, json!({"req": "a", "opt": ""})), ["t", "a"]);
    assert_eq!(argv(&m, json!({"req": "a", "opt": 5})), ["t", "a", "--n=5"]);
    // Required: null is missing; "" goes to the parser (a `string` takes it, as
    // one empty argv element; an `integer` refuses it).
    let e = Call::from_json(&m, &json!({"req": null}), &OPTS).unwrap_err();
    assert_eq!(rules(&e), [("req".to_owned(), "missing")]);
    assert_eq!(argv(&m, json!({"req": ""})), ["t", ""]);
    let m = manifest(
        "absence",
        vec![arg("n", TypeKind::Integer).required()],
        template(vec![word("t"), argtok(0)], vec![], vec![]),
    );
    let e = Call::from_json(&m, &json!({"n": ""}), &OPTS).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_ne!(e.as_slice()[0].rule, Rule::Missing);
}

#[test]
fn defaults_fill_optional_arguments_only() {
    let m = manifest(
        "defaults",
        vec![
            arg("rate", TypeKind::Integer).default_to(Scalar::Integer(1000)),
            arg("mode", TypeKind::Enum)
                .allowed(&["a", "b"])
                .default_to(s("b")),
            arg("target", TypeKind::ScopeTarget)
                .required()
                .default_to(s("10.0.0.1")),
        ],
        exec(
            vec![
                word("tool"),
                word("--max-rate"),
                argtok(0),
                argtok(1),
                argtok(2),
            ],
            vec![],
            vec![],
        ),
    );
    assert_eq!(
        argv(&m, json!({"target": "example.com"})),
        ["tool", "--max-rate", "1000", "b", "example.com"]
    );
    let call = Call::from_json(&m, &json!({"target": "h.example", "rate": "+7"}), &OPTS).unwrap();
    assert_eq!(
        call.value("rate").map(|v| v.to_string()).as_deref(),
        Some("7")
    );
    assert_eq!(
        call.to_json(),
        json!({"rate": 7, "mode": "b", "target": "h.example"})
    );
    // A required argument is never filled from its default.
    let e = Call::from_json(&m, &json!({}), &OPTS).unwrap_err();
    assert_eq!(rules(&e), [("target".to_owned(), "missing")]);
}

/// `nmap {_scan_flags} -oX {_output_file} --mode={_scan_flags} {target}` style.
fn mapped() -> Manifest {
    manifest(
        "mapped",
        vec![
            arg("target", TypeKind::ScopeTarget).required(),
            arg("scan_type", TypeKind::Enum).allowed(&["ping", "service", "bare"]),
        ],
        template(
            vec![
                word("nmap"),
                tok(vec![Piece::Mapping(0)]),
                word("-oX"),
                tok(vec![Piece::Var(ExecVar::OutputFile)]),
                tok(vec![lit("--flags="), Piece::Mapping(0)]),
                tok(vec![lit("--id="), Piece::Var(ExecVar::ScanId)]),
                argtok(0),
            ],
            // `bare` has no entry (a build warning): its tokens are dropped.
            vec![mapping(1, &[("ping", "-sn -PE"), ("service", "-sT  -sV")])],
            vec![],
        ),
    )
}

#[test]
fn mapping_splices_and_inserts_text_inside_a_token() {
    let m = mapped();
    assert_eq!(
        argv(&m, json!({"target": "10.0.0.1", "scan_type": "service"})),
        [
            "nmap",
            "-sT",
            "-sV",
            "-oX",
            "/ev/scan-1-output",
            // Inside a larger token: the flag string as written.
            "--flags=-sT  -sV",
            "--id=scan-1",
            "10.0.0.1"
        ]
    );
    for absent_or_unmapped in [
        json!({"target": "10.0.0.1"}),
        json!({"target": "10.0.0.1", "scan_type": "bare"}),
    ] {
        assert_eq!(
            argv(&m, absent_or_unmapped),
            [
                "nmap",
                "-oX",
                "/ev/scan-1-output",
                "--id=scan-1",
                "10.0.0.1"
            ]
        );
    }
}

#[test]
fn context_overrides_the_output_file() {
    let m = mapped();
    let call = Call::from_json(&m, &json!({"target": "10.0.0.1"}), &OPTS).unwrap();
    let ctx = ExecContext::new("s9", "/e").with_output_file("/out/x.xml");
    assert_eq!(
        call.argv(&ctx).unwrap(),
        ["nmap", "-oX", "/out/x.xml", "--id=s9", "10.0.0.1"]
    );
}

/// `curl {_header_flags} {_redirects} --x={_redirects} {url}`: conditionals as
/// splices and inside a larger token.
fn conditionals(when_headers: Expr, when_redirects: Expr) -> Manifest {
    manifest(
        "cond",
        vec![
            arg("url", TypeKind::Url).required(),
            arg("headers", TypeKind::String),
            arg("follow", TypeKind::Boolean).default_to(Scalar::Boolean(false)),
            arg("port", TypeKind::Port),
        ],
        exec(
            vec![
                word("curl"),
                tok(vec![Piece::Conditional(0)]),
                tok(vec![Piece::Conditional(1)]),
                tok(vec![lit("--x="), Piece::Conditional(1)]),
                argtok(0),
            ],
            vec![],
            vec![
                conditional("header_flags", when_headers, vec![word("-H"), argtok(1)]),
                conditional(
                    "redirects",
                    when_redirects,
                    vec![word("--location"), word("--max-redirs"), word("5")],
                ),
            ],
        ),
    )
}

#[test]
fn conditional_splices_and_text() {
    let m = conditionals(cmp(1, CmpOp::Ne, str_lit("")), Expr::Present { arg: 2 });
    assert_eq!(
        argv(
            &m,
            json!({"url": "https://a.example/", "headers": "X-A: b c"})
        ),
        ["curl", "-H", "X-A: b c", "https://a.example/"]
    );
    assert_eq!(
        argv(&m, json!({"url": "https://a.example/", "follow": true})),
        [
            "curl",
            "--location",
            "--max-redirs",
            "5",
            "--x=--location --max-redirs 5",
            "https://a.example/"
        ]
    );
}

/// `t {_c}` with `c = { when = <when>, template = "--yes" }` over strings `a`, `b`.
fn two_strings(when: Expr) -> Manifest {
    manifest(
        "or_tool",
        vec![arg("a", TypeKind::String), arg("b", TypeKind::String)],
        template(
            vec![word("t"), tok(vec![Piece::Conditional(0)])],
            vec![],
            vec![conditional("c", when, vec![word("--yes")])],
        ),
    )
}

#[test]
fn or_works() {
    // `a != '' or b != ''` (the reference Rust implementation inverts this one).
    let m = two_strings(Expr::Or(Cow::Owned(vec![
        cmp(0, CmpOp::Ne, str_lit("")),
        cmp(1, CmpOp::Ne, str_lit("")),
    ])));
    assert_eq!(argv(&m, json!({})), ["t"]);
    assert_eq!(argv(&m, json!({"a": "x"})), ["t", "--yes"]);
    assert_eq!(argv(&m, json!({"b": "y"})), ["t", "--yes"]);
    assert_eq!(argv(&m, json!({"a": "", "b": null})), ["t"]);

    // `a == 'x' or b == 'y' and a == 'z'`: `and` binds tighter.
    let m = two_strings(Expr::Or(Cow::Owned(vec![
        cmp(0, CmpOp::Eq, str_lit("x")),
        Expr::And(Cow::Owned(vec![
            cmp(1, CmpOp::Eq, str_lit("y")),
            cmp(0, CmpOp::Eq, str_lit("z")),
        ])),
    ])));
    assert_eq!(argv(&m, json!({"a": "x"})), ["t", "--yes"]);
    assert_eq!(argv(&m, json!({"b": "y"})), ["t"]);
    assert_eq!(argv(&m, json!({"a": "z", "b": "y"})), ["t", "--yes"]);
}

#[test]
fn comparisons_follow_the_argument_type() {
    let url = "https://a.example/";
    // `port != 0` is numeric: absent differs from 0 (only '' equals absent).
    let m = conditionals(
        cmp(3, CmpOp::Eq, Literal::Int(443)),
        Expr::Present { arg: 2 },
    );
    assert_eq!(
        argv(&m, json!({"url": url, "port": "443", "headers": "h"})),
        ["curl", "-H", "h", url]
    );
    assert_eq!(
        argv(&m, json!({"url": url, "port": 80, "headers": "h"})),
        ["curl", url]
    );
    assert_eq!(argv(&m, json!({"url": url, "headers": "h"})), ["curl", url]);
    // A boolean with `== false`, and a bare boolean that is false.
    let m = conditionals(
        cmp(2, CmpOp::Eq, Literal::Bool(false)),
        Expr::Present { arg: 2 },
    );
    assert_eq!(
        argv(&m, json!({"url": url, "headers": "h"})),
        ["curl", "-H", "h", url]
    );
    assert_eq!(
        argv(&m, json!({"url": url, "headers": "h", "follow": "true"})),
        [
            "curl",
            "--location",
            "--max-redirs",
            "5",
            "--x=--location --max-redirs 5",
            url
        ]
    );
    // An absent argument equals '' and nothing else.
    let m = conditionals(cmp(3, CmpOp::Eq, str_lit("")), Expr::Present { arg: 2 });
    assert_eq!(
        argv(&m, json!({"url": url, "headers": "h"})),
        ["curl", "-H", "h", url]
    );
    // `and`.
    let m = conditionals(
        Expr::And(Cow::Owned(vec![
            cmp(1, CmpOp::Ne, str_lit("")),
            cmp(3, CmpOp::Ne, Literal::Int(0)),
        ])),
        Expr::Present { arg: 2 },
    );
    assert_eq!(
        argv(&m, json!({"url": url, "headers": "h", "port": 1})),
        ["curl", "-H", "h", url]
    );
}

#[test]
fn empty_argv_and_program_are_errors() {
    let m = manifest(
        "empty",
        vec![arg("prog", TypeKind::String)],
        exec(vec![argtok(0)], vec![], vec![]),
    );
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    assert_eq!(call.argv(&ctx()), Err(InvokeError::EmptyArgv));
    let m = manifest(
        "empty",
        vec![],
        exec(vec![word(""), word("x")], vec![], vec![]),
    );
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    assert_eq!(call.argv(&ctx()), Err(InvokeError::EmptyProgram));
}

#[test]
fn a_bad_hand_built_model_is_an_error_not_a_panic() {
    let m = manifest(
        "bad",
        vec![],
        exec(vec![word("x"), argtok(3)], vec![], vec![]),
    );
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    assert!(matches!(call.argv(&ctx()), Err(InvokeError::Model { .. })));
    let m = manifest(
        "bad",
        vec![],
        exec(
            vec![word("x"), tok(vec![Piece::Conditional(0)])],
            vec![],
            vec![conditional(
                "loop",
                Expr::And(Cow::Owned(vec![])),
                vec![tok(vec![Piece::Conditional(0)])],
            )],
        ),
    );
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    let e = call.argv(&ctx()).unwrap_err();
    assert!(e.to_string().contains("inside another conditional"), "{e}");
}

#[test]
fn extern_types_are_refused_by_the_dynamic_path() {
    let m = manifest(
        "ext",
        vec![arg(
            "csv",
            TypeKind::Extern {
                rust_path: Cow::Borrowed("::my::CsvPath"),
            },
        )],
        exec(vec![word("x"), argtok(0)], vec![], vec![]),
    );
    // Absent: fine; present: refused with a clear rule.
    assert_eq!(argv(&m, json!({})), ["x"]);
    let e = Call::from_json(&m, &json!({"csv": "a.csv"}), &OPTS).unwrap_err();
    assert_eq!(rules(&e), [("csv".to_owned(), "unsupported")]);
}

#[test]
fn executor_gets_the_environment_and_no_arguments() {
    let mut m = manifest(
        "wrapped",
        vec![
            arg("target", TypeKind::ScopeTarget).required(),
            arg("depth", TypeKind::Integer).default_to(Scalar::Integer(2)),
            arg("note", TypeKind::String),
        ],
        Backend::Command(CommandSpec {
            run: CommandRun::Executor {
                path: Cow::Borrowed("/opt/wrap.sh"),
            },
            mappings: Cow::Borrowed(&[]),
            conditionals: Cow::Borrowed(&[]),
        }),
    );
    let call = Call::from_json(&m, &json!({"target": "10.0.0.1"}), &OPTS).unwrap();
    let exe = call.executor(&ctx()).unwrap();
    assert_eq!(exe.program(), "/opt/wrap.sh");
    let env: Vec<(&str, &str)> = exe
        .env()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        env,
        [
            ("TOOLCLAD_ARG_TARGET", "10.0.0.1"),
            ("TOOLCLAD_ARG_DEPTH", "2"),
            ("TOOLCLAD_SCAN_ID", "scan-1"),
            ("TOOLCLAD_TOOL_NAME", "wrapped"),
            ("TOOLCLAD_EVIDENCE_DIR", "/ev"),
            ("TOOLCLAD_OUTPUT_DIR", "/ev"),
        ]
    );
    let cmd = exe.to_command();
    assert_eq!(cmd.get_program(), "/opt/wrap.sh");
    assert_eq!(cmd.get_args().count(), 0);
    // argv() is refused for an executor; plan() picks the executor.
    assert!(matches!(
        call.argv(&ctx()),
        Err(InvokeError::WrongBackend { .. })
    ));
    let plan = call.plan(&ctx(), &MapSecrets::new()).unwrap();
    assert_eq!(
        plan.to_json(),
        json!({"argv": ["/opt/wrap.sh"], "env": {
            "TOOLCLAD_ARG_TARGET": "10.0.0.1", "TOOLCLAD_ARG_DEPTH": "2",
            "TOOLCLAD_SCAN_ID": "scan-1", "TOOLCLAD_TOOL_NAME": "wrapped",
            "TOOLCLAD_EVIDENCE_DIR": "/ev", "TOOLCLAD_OUTPUT_DIR": "/ev"}})
    );

    // With `[tool.evidence] output_dir`, TOOLCLAD_OUTPUT_DIR is that directory.
    m.tool.evidence = Some(Evidence {
        output_dir: Cow::Borrowed("{evidence_dir}/{scan_id}-wrap"),
        capture: true,
        hash: Cow::Borrowed("sha256"),
        screenshots: false,
    });
    let call = Call::from_json(&m, &json!({"target": "10.0.0.1"}), &OPTS).unwrap();
    let exe = call.executor(&ctx()).unwrap();
    assert_eq!(exe.env_var("TOOLCLAD_OUTPUT_DIR"), Some("/ev/scan-1-wrap"));
}

#[test]
fn plan_argv_json_and_command() {
    let m = echo();
    let call = Call::from_json(&m, &json!({"msg": "a b"}), &OPTS).unwrap();
    let plan = call.plan(&ctx(), &MapSecrets::new()).unwrap();
    assert_eq!(plan, Plan::Argv(vec!["echo".into(), "a b".into()]));
    assert_eq!(plan.to_json(), json!({"argv": ["echo", "a b"]}));
    let Plan::Argv(argv) = plan else {
        unreachable!()
    };
    let cmd = argv_command(&argv).unwrap();
    assert_eq!(cmd.get_program(), "echo");
    assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["a b"]);
}

#[test]
fn callback_and_source_plans() {
    let m = manifest("cb", vec![arg("x", TypeKind::Integer)], Backend::Callback);
    let call = Call::from_json(&m, &json!({"x": 3}), &OPTS).unwrap();
    assert_eq!(
        call.plan(&ctx(), &MapSecrets::new()).unwrap().to_json(),
        json!({"callback": {"tool": "cb"}})
    );
    assert!(matches!(
        call.argv(&ctx()),
        Err(InvokeError::WrongBackend { .. })
    ));
    let m = manifest(
        "src",
        vec![],
        Backend::Source(SourceSpec {
            operation: Cow::Borrowed("store_knowledge"),
        }),
    );
    let call = Call::from_json(&m, &json!({}), &OPTS).unwrap();
    assert_eq!(
        call.plan(&ctx(), &MapSecrets::new()).unwrap().to_json(),
        json!({"source": {"operation": "store_knowledge"}})
    );
}

// ------------------------------------------------- issue 11, class 2: option values

/// Option values through the loader and the dynamic path: the exemption after a
/// prefix holds only when the prefix can never be empty.
mod loaded_option_values {
    use super::*;
    use cladgen_core::load::{LoadOptions, Loaded, Severity, load_str};
    use std::path::Path;

    fn load(body: &str) -> Loaded {
        let text = format!(
            "[tool]\nname = \"t\"\nversion = \"1\"\ndescription = \"d\"\n{body}\n[output]\nformat = \"text\"\n"
        );
        load_str(Path::new("t.clad.toml"), &text, &LoadOptions::default())
    }

    fn model(body: &str) -> Manifest {
        let l = load(body);
        l.manifest
            .clone()
            .unwrap_or_else(|| panic!("does not load:\n{}", l.render(false)))
    }

    /// The argument names the loader warned about as option-like.
    fn warned(body: &str) -> Vec<String> {
        let l = load(body);
        l.diagnostics
            .iter()
            .filter(|d| d.code == &codes::OPTION_LIKE_VALUE && d.severity == Severity::Warning)
            .map(|d| l.source.get(d.span.clone()).unwrap_or("").to_string())
            .collect()
    }

    fn refused(m: &Manifest, args: serde_json::Value) -> Vec<(String, &'static str)> {
        match Call::from_json(m, &args, &OPTS) {
            Ok(call) => panic!("{args} accepted: {:?}", call.argv(&ctx())),
            Err(e) => rules(&e),
        }
    }

    const PRE_V: &str = "[args.v]\ntype = \"string\"\nrequired = true\n";

    #[test]
    fn a_prefix_argument_that_accepts_empty_text_does_not_exempt() {
        // No pattern: "" is a valid `pre`.
        let body = format!(
            "[args.pre]\ntype = \"string\"\nrequired = true\n{PRE_V}\n[command]\nexec = [\"tool\", \"{{pre}}{{v}}\"]\n"
        );
        let m = model(&body);
        assert_eq!(
            refused(&m, json!({"pre": "", "v": "-iL/etc/shadow"})),
            [("v".to_owned(), "option-like")]
        );
        assert_eq!(warned(&body), ["pre", "v"]);
        // A pattern that admits "" is no better.
        let body = format!(
            "[args.pre]\ntype = \"string\"\nrequired = true\npattern = \"^[a-z]*$\"\n{PRE_V}\n[command]\ntemplate = \"tool {{pre}}{{v}}\"\n"
        );
        let m = model(&body);
        assert_eq!(
            refused(&m, json!({"pre": "", "v": "-rf"})),
            [("v".to_owned(), "option-like")]
        );
        // A pattern that refuses "" is a real prefix.
        let body = format!(
            "[args.pre]\ntype = \"string\"\nrequired = true\npattern = \"^[a-z]+$\"\n{PRE_V}\n[command]\ntemplate = \"tool {{pre}}{{v}}\"\n"
        );
        let m = model(&body);
        assert_eq!(argv(&m, json!({"pre": "x", "v": "-rf"})), ["tool", "x-rf"]);
        assert_eq!(warned(&body), ["pre"]);
    }

    #[test]
    fn a_mapping_with_an_empty_flag_string_does_not_exempt() {
        let body = |quiet: &str| {
            format!(
                "[args.mode]\ntype = \"enum\"\nallowed = [\"loud\", \"quiet\"]\nrequired = true\n{PRE_V}\n[command]\nexec = [\"tool\", \"{{_mode_flags}}{{v}}\"]\n\n[command.mappings.mode]\nloud = \"-L\"\nquiet = \"{quiet}\"\n"
            )
        };
        let m = model(&body(""));
        assert_eq!(
            refused(&m, json!({"mode": "quiet", "v": "-oProxyCommand=x"})),
            [("v".to_owned(), "option-like")]
        );
        assert_eq!(warned(&body("")), ["v"]);
        let m = model(&body("-q"));
        assert_eq!(
            argv(&m, json!({"mode": "quiet", "v": "-x"})),
            ["tool", "-q-x"]
        );
        assert!(warned(&body("-q")).is_empty());
    }

    #[test]
    fn a_conditional_fragment_that_may_expand_to_nothing_does_not_exempt() {
        // The fragment's only element names an absent optional argument, so a true
        // condition still inserts no text before `v`.
        let body = format!(
            "[args.opt]\ntype = \"string\"\npattern = \"^[a-z]+$\"\n\n[args.on]\ntype = \"boolean\"\n{PRE_V}\n[command]\nexec = [\"tool\", \"{{_f}}{{v}}\"]\n\n[command.conditionals.f]\nwhen = \"on\"\ntemplate = \"{{opt}}\"\n"
        );
        let m = model(&body);
        assert_eq!(
            refused(&m, json!({"on": true, "v": "-rf"})),
            [("v".to_owned(), "option-like")]
        );
        assert!(warned(&body).contains(&"v".to_owned()));
        // A literal in the fragment is always there when the fragment is.
        let body = format!(
            "[args.on]\ntype = \"boolean\"\n{PRE_V}\n[command]\nexec = [\"tool\", \"{{_f}}{{v}}\"]\n\n[command.conditionals.f]\nwhen = \"on\"\ntemplate = \"--x=\"\n"
        );
        let m = model(&body);
        assert_eq!(
            argv(&m, json!({"on": true, "v": "-rf"})),
            ["tool", "--x=-rf"]
        );
        assert!(warned(&body).is_empty());
    }

    #[test]
    fn a_fixed_literal_prefix_still_exempts() {
        let body = format!("{PRE_V}\n[command]\nexec = [\"tool\", \"-p{{v}}\"]\n");
        let m = model(&body);
        assert!(m.args[0].ty.constraints.allow_option_values);
        assert_eq!(argv(&m, json!({"v": "-x"})), ["tool", "-p-x"]);
        // An execution-context variable is not relied on.
        let body = format!("{PRE_V}\n[command]\nexec = [\"tool\", \"{{_scan_id}}{{v}}\"]\n");
        let m = model(&body);
        assert!(!m.args[0].ty.constraints.allow_option_values);
        assert_eq!(
            refused(&m, json!({"v": "-x"})),
            [("v".to_owned(), "option-like")]
        );
    }

    #[test]
    fn a_negative_number_alone_in_an_element_is_refused_and_warned() {
        for ty in ["integer", "number"] {
            let body = format!(
                "[args.pid]\ntype = \"{ty}\"\nrequired = true\n\n[command]\ntemplate = \"kill {{pid}}\"\n"
            );
            let m = model(&body);
            assert!(m.args[0].ty.constraints.negative_is_option);
            assert_eq!(
                refused(&m, json!({"pid": -9})),
                [("pid".to_owned(), "option-like")],
                "{ty}"
            );
            assert_eq!(
                refused(&m, json!({"pid": "-9"})),
                [("pid".to_owned(), "option-like")],
                "{ty}"
            );
            assert_eq!(argv(&m, json!({"pid": 9})), ["kill", "9"]);
            assert_eq!(warned(&body), ["pid"], "{ty}");
            let l = load(&body);
            let d = l
                .diagnostics
                .iter()
                .find(|d| d.code == &codes::OPTION_LIKE_VALUE)
                .unwrap();
            assert!(d.message.contains("`pid`"), "{}", d.message);
            assert!(
                l.render(false).contains("allow_option_values = true"),
                "{}",
                l.render(false)
            );

            // Explicitly allowed: no warning, negative values pass.
            let body = format!(
                "[args.pid]\ntype = \"{ty}\"\nrequired = true\nallow_option_values = true\n\n[command]\ntemplate = \"kill {{pid}}\"\n"
            );
            let m = model(&body);
            assert_eq!(argv(&m, json!({"pid": -9})), ["kill", "-9"]);
            assert!(warned(&body).is_empty());

            // After a fixed prefix a negative number is data.
            let body = format!(
                "[args.n]\ntype = \"{ty}\"\nrequired = true\n\n[command]\nexec = [\"tool\", \"--n={{n}}\"]\n"
            );
            let m = model(&body);
            assert_eq!(argv(&m, json!({"n": -3})), ["tool", "--n=-3"]);
            assert!(warned(&body).is_empty());

            // Bounds that exclude negatives need no warning.
            let body = format!(
                "[args.n]\ntype = \"{ty}\"\nrequired = true\nmin = 0\n\n[command]\ntemplate = \"kill {{n}}\"\n"
            );
            assert!(warned(&body).is_empty(), "{ty}");

            // A negative default there would always be refused: a load error.
            let body = format!(
                "[args.n]\ntype = \"{ty}\"\ndefault = -1\n\n[command]\ntemplate = \"head {{n}}\"\n"
            );
            let l = load(&body);
            assert!(l.manifest.is_none(), "{}", l.render(false));
            assert!(
                l.diagnostics
                    .iter()
                    .any(|d| d.code == &codes::BAD_DEFAULT
                        && l.source[d.span.clone()].trim() == "-1"),
                "{}",
                l.render(false)
            );
        }
    }

    #[test]
    fn a_number_that_follows_an_empty_able_prefix_is_refused_when_negative() {
        let body = "[args.pre]\ntype = \"string\"\nrequired = true\n\n[args.n]\ntype = \"integer\"\nrequired = true\n\n[command]\nexec = [\"tool\", \"{pre}{n}\"]\n";
        let m = model(body);
        assert_eq!(
            refused(&m, json!({"pre": "", "n": -1})),
            [("n".to_owned(), "option-like")]
        );
    }

    #[test]
    fn negative_numbers_pass_where_no_argv_element_starts_with_them() {
        let body =
            "[args.n]\ntype = \"integer\"\nrequired = true\n\n[command]\nexecutor = \"wrap.sh\"\n";
        let m = model(body);
        assert!(!m.args[0].ty.constraints.negative_is_option);
        assert!(Call::from_json(&m, &json!({"n": -5}), &OPTS).is_ok());
        let body = "[args.n]\ntype = \"number\"\nrequired = true\n\n[http]\nmethod = \"GET\"\nurl = \"https://api.example.com/x?n={n}\"\n";
        let m = model(body);
        assert!(!m.args[0].ty.constraints.negative_is_option);
        assert!(Call::from_json(&m, &json!({"n": -5.5}), &OPTS).is_ok());
    }
}
