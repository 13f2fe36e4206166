//! Behaviour of the code generated from `manifests/` by this crate's build script.

// The generated code compiles without a warning and with docs on every public item.
// It is byte for byte the golden files (`tests/it/golden.rs` checks that), so this holds
// for the goldens.
/// The tools of `manifests/`.
#[deny(warnings, missing_docs)]
pub mod tools {
    cladgen::include_tools!();
}

use cladgen::{ExecContext, MapSecrets, Rule, Tool};
use serde_json::json;
use tools::Tools;

fn ctx() -> ExecContext {
    ExecContext::new("scan-1", "/var/evidence")
}

fn rules(e: &cladgen::ArgErrors) -> Vec<(String, Rule)> {
    e.iter().map(|e| (e.arg.clone(), e.rule)).collect()
}

#[test]
fn nmap_scan_flags_splice_and_absent_optional_token_drops() {
    let a = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.0.1.0/24", "scan_type": "service"}),
    )
    .unwrap();
    assert_eq!(
        a.argv(&ctx()),
        [
            "nmap",
            "-sT",
            "-sV",
            "--version-intensity",
            "5",
            "--top-ports",
            "1000",
            "--max-rate",
            "1000",
            "-oX",
            "-",
            "-oN",
            "/var/evidence/scan-1-output",
            "--no-stylesheet",
            "10.0.1.0/24"
        ]
    );
    let b = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.0.1.0/24", "scan_type": "quick", "exclude": "10.0.1.0/28"}),
    )
    .unwrap();
    let argv = b.argv(&ctx());
    assert!(
        argv.contains(&"--exclude=10.0.1.0/28".to_string()),
        "{argv:?}"
    );
    assert_eq!(&argv[1..5], ["-sT", "-T4", "--top-ports", "100"]);
}

#[test]
fn hostile_call_reports_every_problem_at_once() {
    let e = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.0.1.1; rm -rf /", "scan_type": "stealth", "extra": 1}),
    )
    .unwrap_err();
    assert_eq!(
        rules(&e),
        [
            ("extra".to_string(), Rule::UnknownArgument),
            ("target".to_string(), Rule::Injection),
            ("scan_type".to_string(), Rule::NotAllowed),
        ]
    );
    assert!(
        e.for_llm().contains("discovery"),
        "allowed values are listed: {}",
        e.for_llm()
    );
}

#[test]
fn a_value_with_spaces_or_quotes_is_one_argv_element() {
    let a = tools::hydra_bruteforce::HydraBruteforceArgs::from_json(&json!({
        "target": "10.0.0.5", "service": "ssh", "username": "admin",
        "password": "p4ss 'x' \"y\" -o /tmp/pwn"
    }))
    .unwrap();
    let argv = a.argv(&ctx());
    assert!(
        argv.contains(&"-pp4ss 'x' \"y\" -o /tmp/pwn".to_string()),
        "{argv:?}"
    );
    assert!(!argv.contains(&"/tmp/pwn".to_string()));
}

#[test]
fn option_like_values_are_refused_only_where_they_would_start_an_argv_element() {
    // An executor hands values to a wrapper that may put them anywhere: fail closed.
    let e = tools::msf_exploit::MsfExploitArgs::from_json(&json!({
        "module": "-iL /etc/shadow", "options": "RHOSTS 10.0.0.1"
    }))
    .unwrap_err();
    assert!(
        rules(&e).contains(&("module".to_string(), Rule::OptionLike)),
        "{e}"
    );
    // After a fixed prefix (`-p{password}`) a leading `-` is just part of the value.
    let a = tools::hydra_bruteforce::HydraBruteforceArgs::from_json(&json!({
        "target": "10.0.0.5", "service": "ssh", "username": "admin", "password": "-Summer2024"
    }))
    .unwrap();
    assert!(a.argv(&ctx()).contains(&"-p-Summer2024".to_string()));
    // In a JSON body a value cannot become an option either.
    assert!(
        tools::create_ticket::CreateTicketArgs::from_json(&json!({
            "project": "SEC", "title": "A valid title", "details": "-iL is nmap's list flag",
            "severity": "high", "cvss_score": 5.0
        }))
        .is_ok()
    );
}

#[test]
fn conditionals_with_or_and_defaults_and_clamping() {
    let a = tools::hydra_bruteforce::HydraBruteforceArgs::from_json(&json!({
        "target": "10.0.0.5", "service": "ssh", "username_file": "Cargo.toml",
        "password": "hunter2", "port": 2222, "threads": 99
    }))
    .unwrap();
    assert_eq!(
        a.argv(&ctx()),
        [
            "hydra",
            "-t",
            "16",
            "-w",
            "30",
            "-s",
            "2222",
            "-LCargo.toml",
            "-phunter2",
            "-u",
            "-f",
            "-o",
            "/var/evidence/scan-1-output",
            "-b",
            "jsonv1",
            "10.0.0.5",
            "ssh"
        ]
    );
    // Neither side of the `or` holds: no `-u`; `stop_on_success == true` false: no `-f`.
    let b = tools::hydra_bruteforce::HydraBruteforceArgs::from_json(&json!({
        "target": "10.0.0.5", "service": "ftp", "username": "root", "password": "toor",
        "stop_on_success": false
    }))
    .unwrap();
    let argv = b.argv(&ctx());
    assert!(
        !argv.contains(&"-u".to_string()) && !argv.contains(&"-f".to_string()),
        "{argv:?}"
    );
    assert!(
        !argv.contains(&"-s".to_string()),
        "absent port drops its fragment: {argv:?}"
    );
}

#[test]
fn exec_arrays_splice_mappings_and_drop_absent_elements() {
    let a = tools::dig_lookup::DigLookupArgs::from_json(&json!({"target": "example.com"})).unwrap();
    assert_eq!(
        a.argv(&ctx()),
        [
            "dig",
            "+short",
            "+notcp",
            "+time=5",
            "-q",
            "example.com",
            "-t",
            "A"
        ]
    );
    let b = tools::dig_lookup::DigLookupArgs::from_json(&json!({
        "target": "example.com", "answer_style": "answer", "use_tcp": true,
        "nameserver": "2001:db8::53", "record_type": "AAAA"
    }))
    .unwrap();
    assert_eq!(
        b.argv(&ctx()),
        [
            "dig",
            "@2001:db8::53",
            "+noall",
            "+answer",
            "+tcp",
            "+time=5",
            "-q",
            "example.com",
            "-t",
            "AAAA"
        ]
    );
}

#[test]
fn http_request_encodes_escapes_and_redacts() {
    let a = tools::create_ticket::CreateTicketArgs::from_json(&json!({
        "project": "SEC", "title": "Ends with a quote\"", "details": "a # b / c ? d=e %20 \\ f",
        "severity": "high", "cvss_score": 7.5
    }))
    .unwrap();
    let secrets = MapSecrets::new().with("api_token", "tok-123");
    let r = a.http_request(&ctx(), &secrets).unwrap();
    assert_eq!(
        r.url(),
        "https://tracker.example.com/api/v2/projects/SEC/issues?notify=false"
    );
    assert_eq!(r.header("Authorization"), Some("Bearer tok-123"));
    let body: serde_json::Value =
        serde_json::from_str(r.body().unwrap()).expect("body stays valid JSON");
    assert_eq!(body["title"], "Ends with a quote\"");
    assert_eq!(body["description"], "a # b / c ? d=e %20 \\ f");
    assert_eq!(body["cvss"], 7.5);
    assert_eq!(body["confidential"], true);
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("tok-123"),
        "secret leaked into Debug: {shown}"
    );
    let missing = a.http_request(&ctx(), &MapSecrets::new()).unwrap_err();
    assert!(missing.to_string().contains("api_token"));
}

#[test]
fn mcp_arguments_are_typed_and_renamed() {
    let a =
        tools::code_search::CodeSearchArgs::from_json(&json!({"query": "AKIA", "per_page": "50"}))
            .unwrap();
    assert_eq!(
        serde_json::Value::Object(a.mcp_arguments()),
        json!({"q": "AKIA", "per_page": 50, "include_forks": false})
    );
}

#[test]
fn tool_trait_constants_come_from_the_manifest() {
    use tools::hydra_bruteforce::HydraBruteforceArgs as H;
    assert!(std::ptr::eq(
        H::MANIFEST,
        &tools::hydra_bruteforce::MANIFEST
    ));
    assert_eq!(H::name(), "hydra_bruteforce");
    assert_eq!(H::TOOL_NAMES, ["hydra_bruteforce"]);
    assert_eq!(H::risk_tier(), cladgen::RiskTier::High);
    assert!(H::human_approval());
    assert_eq!(H::timeout(), std::time::Duration::from_secs(1800));
    assert_eq!(H::cedar().unwrap().resource, "PenTest::CredentialAttack");
    let schema: serde_json::Value =
        serde_json::from_str(tools::hydra_bruteforce::INPUT_SCHEMA).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["target", "service"]));
}

#[test]
fn builder_requires_required_arguments_and_applies_defaults() {
    use tools::dig_lookup::{AnswerStyle, DigLookupArgs, RecordType};
    let target = "example.com".parse_target();
    let a = DigLookupArgs::builder(target)
        .record_type(RecordType::Mx)
        .build();
    assert_eq!(a.answer_style, AnswerStyle::Short, "default applied");
    assert_eq!(a.query_timeout.get(), 5);
    assert_eq!(a.argv(&ctx())[7..], ["MX"]);
}

trait ParseTarget {
    fn parse_target(self) -> cladgen::value::ScopeTarget;
}
impl ParseTarget for &str {
    fn parse_target(self) -> cladgen::value::ScopeTarget {
        use cladgen::ArgValue;
        let c = cladgen::model::Constraints::NONE;
        cladgen::value::ScopeTarget::parse_str(
            &cladgen::ArgSpec::new("target", &c),
            self,
            &cladgen::ParseOptions::DEFAULT,
        )
        .unwrap()
    }
}

#[test]
fn serde_round_trip_validates_and_refuses_unknown_fields() {
    use tools::nmap_scan::NmapScanArgs;
    let a: NmapScanArgs =
        serde_json::from_value(json!({"target": "example.com", "scan_type": "quick"})).unwrap();
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        json!({"target": "example.com", "scan_type": "quick"})
    );
    let err = serde_json::from_value::<NmapScanArgs>(
        json!({"target": "example.com", "scan_type": "quick", "x": 1}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown argument 'x'"), "{err}");
}

#[test]
fn strict_mode_nulls_mean_absent() {
    let a = tools::dig_lookup::DigLookupArgs::from_json(&json!({
        "target": "example.com", "record_type": null, "answer_style": null,
        "use_tcp": null, "nameserver": null, "query_timeout": null
    }))
    .unwrap();
    assert_eq!(
        a.argv(&ctx()),
        [
            "dig",
            "+short",
            "+notcp",
            "+time=5",
            "-q",
            "example.com",
            "-t",
            "A"
        ]
    );
}

#[test]
fn registry_dispatches_by_name_including_session_commands() {
    assert!(matches!(
        Tools::from_call("whois_lookup", &json!({"target": "example.com"})),
        Ok(Tools::WhoisLookup(_))
    ));
    let e = Tools::from_call("nmap_scan", &json!({"target": "a b"})).unwrap_err();
    let for_llm = e.for_llm();
    assert!(for_llm.starts_with("tool 'nmap_scan': "), "{for_llm}");
    assert!(
        for_llm.contains("scan_type: missing") && for_llm.contains("target: "),
        "{for_llm}"
    );
    match Tools::from_call("nope", &json!({})) {
        Err(cladgen::CallError::UnknownTool { known, .. }) => assert!(known.contains(&"nmap_scan")),
        other => panic!("{other:?}"),
    }
    for name in Tools::NAMES {
        assert!(
            name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{name}"
        );
    }
    assert!(Tools::NAMES.iter().any(|n| n.starts_with("msf_console__")));
    assert_eq!(Tools::manifests().len(), 15);
    assert_eq!(
        Tools::definitions(cladgen::Flavor::Mcp).len(),
        Tools::NAMES.len(),
        "one MCP definition per callable name"
    );
}

#[test]
fn executor_tools_hand_values_over_in_the_environment() {
    let a = tools::msf_exploit::MsfExploitArgs::from_json(&json!({
        "module": "exploit/unix/ftp/vsftpd_234_backdoor",
        "options": "RHOSTS 10.0.0.5;RPORT 21"
    }))
    .unwrap();
    let call = a.executor(&ctx()).unwrap();
    assert_eq!(
        call.program(),
        "/usr/local/libexec/cladgen/msf-module-runner"
    );
    assert_eq!(
        call.env_var("TOOLCLAD_ARG_MODULE"),
        Some("exploit/unix/ftp/vsftpd_234_backdoor")
    );
    assert_eq!(
        call.env_var("TOOLCLAD_ARG_OPTIONS"),
        Some("RHOSTS 10.0.0.5;RPORT 21")
    );
    assert_eq!(
        call.env_var("TOOLCLAD_ARG_LPORT"),
        Some("4444"),
        "defaults are handed over"
    );
    assert_eq!(
        call.env_var("TOOLCLAD_ARG_PAYLOAD"),
        None,
        "absent arguments are not"
    );
    assert_eq!(call.env_var("TOOLCLAD_SCAN_ID"), Some("scan-1"));
    assert_eq!(call.env_var("TOOLCLAD_TOOL_NAME"), Some("msf_exploit"));
    // The program runs with no arguments: values never reach an argv.
    let cmd = a.command(&ctx());
    assert_eq!(
        cmd.get_program(),
        "/usr/local/libexec/cladgen/msf-module-runner"
    );
    assert_eq!(cmd.get_args().count(), 0);
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?, v?.to_str()?)))
        .collect();
    assert!(
        envs.contains(&(
            "TOOLCLAD_ARG_MODULE",
            "exploit/unix/ftp/vsftpd_234_backdoor"
        )),
        "{envs:?}"
    );
}

#[test]
fn command_runs_the_argv_directly() {
    let a = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.0.1.0/24", "scan_type": "quick"}),
    )
    .unwrap();
    let cmd = a.command(&ctx());
    assert_eq!(cmd.get_program(), "nmap");
    let args: Vec<&str> = cmd.get_args().map(|s| s.to_str().unwrap()).collect();
    assert_eq!(args, a.argv(&ctx())[1..]);
    assert_eq!(
        a.argv_cow(&ctx()),
        a.argv(&ctx()),
        "both forms give the same argv"
    );
}

#[test]
fn argv_cow_borrows_everything_but_compound_tokens() {
    let ctx = ctx();
    let a = tools::nmap_scan::NmapScanArgs::from_json(
        &json!({"target": "10.0.1.0/24", "scan_type": "service", "exclude": "10.0.1.0/28"}),
    )
    .unwrap();
    let argv = a.argv_cow(&ctx);
    let owned: Vec<&str> = argv
        .iter()
        .filter(|c| matches!(c, std::borrow::Cow::Owned(_)))
        .map(|c| c.as_ref())
        .collect();
    // Literals, mapped flags, the value and `{_output_file}` are borrowed.
    assert_eq!(owned, ["--exclude=10.0.1.0/28"], "{argv:?}");
    assert_eq!(argv.len(), 16);
}

#[test]
fn schema_accessors_parse_once_and_agree_with_the_constants() {
    use tools::create_ticket as t;
    let a = t::input_schema();
    assert!(
        std::ptr::eq(a, t::input_schema()),
        "parsed once, then shared"
    );
    assert_eq!(
        *a,
        serde_json::from_str::<serde_json::Value>(t::INPUT_SCHEMA).unwrap()
    );
    assert_eq!(a["properties"]["cvss_score"]["type"], "number");
    let out = t::output_schema().unwrap();
    assert_eq!(
        out["properties"]["results"]["anyOf"][0]["required"],
        json!(["key", "url"])
    );
    assert!(
        tools::triage_finding::output_schema().is_none(),
        "a callback tool has no [output]"
    );
    let openai = t::tool_definitions(cladgen::Flavor::OpenAiStrict);
    assert_eq!(openai.len(), 1);
    assert_eq!(openai[0]["function"]["strict"], true);
    let names: Vec<&str> = tools::msf_console::tool_definitions(cladgen::Flavor::Anthropic)
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("msf_console__")),
        "{names:?}"
    );
}

/// What a runtime does with the trait alone: validate a call by its LLM name, read the
/// metadata, plan it.
fn describe<T: Tool>(
    name: &str,
    call: &serde_json::Value,
) -> Result<(String, serde_json::Value, cladgen::Plan), cladgen::CallError> {
    let t = T::from_call(name, call)?;
    assert!(T::TOOL_NAMES.contains(&t.tool_name()));
    assert_eq!(
        T::definitions(cladgen::Flavor::Mcp).len(),
        T::TOOL_NAMES.len(),
        "one definition per LLM tool name"
    );
    let plan = t
        .plan(&ctx(), &MapSecrets::new())
        .expect("these tools need no secret");
    Ok((
        format!("{} {} ({})", T::name(), T::version(), T::risk_tier()),
        t.to_json(),
        plan,
    ))
}

#[test]
fn the_tool_trait_works_generically() {
    // A one-shot command tool.
    let (head, json, plan) = describe::<tools::whois_lookup::WhoisLookupArgs>(
        "whois_lookup",
        &json!({"target": "example.com"}),
    )
    .unwrap();
    assert!(head.starts_with("whois_lookup "), "{head}");
    assert_eq!(json, json!({"target": "example.com"}));
    assert!(
        matches!(plan, cladgen::Plan::Argv(ref a) if a[0] == "whois"),
        "{plan:?}"
    );
    let e =
        describe::<tools::whois_lookup::WhoisLookupArgs>("whois_lookup", &json!({"target": "a b"}))
            .unwrap_err();
    assert!(
        matches!(e, cladgen::CallError::Args { tool: "whois_lookup", ref errors } if errors.len() == 1),
        "{e:?}"
    );
    assert!(matches!(
        describe::<tools::whois_lookup::WhoisLookupArgs>("nmap_scan", &json!({})),
        Err(cladgen::CallError::UnknownTool { .. })
    ));
    assert_eq!(
        <tools::nmap_scan::NmapScanArgs as Tool>::timeout(),
        std::time::Duration::from_secs(900)
    );

    // A session tool: the trait is on its command enum, called as `<tool>__<command>`.
    use tools::msf_console::MsfConsoleCommand as M;
    assert!(M::TOOL_NAMES.iter().all(|n| n.starts_with("msf_console__")));
    let (head, json, plan) = describe::<M>(
        "msf_console__show_options",
        &json!({"command": "show options"}),
    )
    .unwrap();
    assert!(head.starts_with("msf_console "), "{head}");
    assert_eq!(json["command"], "show options");
    assert!(matches!(plan, cladgen::Plan::Session { .. }), "{plan:?}");
    let e =
        describe::<M>("msf_console__show_options", &json!({"command": "show all"})).unwrap_err();
    assert!(
        matches!(
            e,
            cladgen::CallError::Args {
                tool: "msf_console",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(matches!(
        describe::<M>("msf_console__no_such_command", &json!({})),
        Err(cladgen::CallError::UnknownTool { .. })
    ));
}

/// The public re-exports of `cladgen` (`src/lib.rs` up to `__private`), as
/// `module::Name`: a small parser over the source text, which is all it needs to read.
fn public_reexports() -> Vec<String> {
    let src = include_str!("../../src/lib.rs");
    let public = src.split("pub mod __private").next().unwrap_or_default();
    let code: String = public
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = Vec::new();
    let mut module = "";
    for stmt in code.split(';') {
        let mut stmt = stmt.trim();
        if stmt.starts_with('}') {
            module = "";
        }
        if let Some(i) = stmt.rfind("pub mod ") {
            let rest = &stmt[i + "pub mod ".len()..];
            if let Some(name) = rest
                .split_whitespace()
                .next()
                .filter(|_| rest.contains('{'))
            {
                module = name;
            }
            stmt = rest;
        }
        let Some(i) = stmt.find("pub use ") else {
            continue;
        };
        let path = &stmt[i + "pub use ".len()..];
        let (prefix, names) = match path.split_once('{') {
            Some((p, n)) => (p, n.trim_end_matches('}').split(',').collect::<Vec<_>>()),
            None => ("", vec![path]),
        };
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let name = match name {
                "self" => prefix
                    .trim_end_matches("::")
                    .rsplit("::")
                    .next()
                    .unwrap_or(name),
                _ => name.rsplit("::").next().unwrap_or(name),
            };
            out.push(match module {
                "" => name.to_owned(),
                m => format!("{m}::{name}"),
            });
        }
    }
    out.sort();
    out
}

#[test]
fn the_public_api_is_an_explicit_list() {
    // Adding to (or removing from) `cladgen`'s public API is a decision: update this
    // list with it. What only generated code needs belongs in `__private`.
    let pinned = [
        "ArgError",
        "ArgErrors",
        "ArgSpec",
        "ArgValue",
        "Call",
        "CallError",
        "EnvSecrets",
        "ExecContext",
        "ExecutorCall",
        "Flavor",
        "HttpRequest",
        "InvokeError",
        "Manifest",
        "MapSecrets",
        "ParseOptions",
        "Plan",
        "Registry",
        "RiskTier",
        "Rule",
        "Secret",
        "SecretError",
        "SecretResolver",
        "Tool",
        // Behind the `run` feature (the list is read from the source).
        "cladgen_run as run",
        "include_manifest",
        "invoke::BrowserCommandCall",
        "invoke::Call",
        "invoke::CommandCallError",
        "invoke::CommandText",
        "invoke::EnvSecrets",
        "invoke::ExecContext",
        "invoke::ExecutorCall",
        "invoke::HttpRequest",
        "invoke::InvokeError",
        "invoke::MapSecrets",
        "invoke::PlaceholderSecrets",
        "invoke::Plan",
        "invoke::RequestText",
        "invoke::Secret",
        "invoke::SecretError",
        "invoke::SecretResolver",
        "invoke::SessionCommandCall",
        "invoke::argv_command",
        "invoke::http_success",
        "model",
        "schema::ENVELOPE_FIELDS",
        "schema::ENVELOPE_STATUSES",
        "schema::ExposedTool",
        "schema::Flavor",
        "schema::SchemaError",
        "schema::ToolSource",
        "schema::command_tool_name",
        "schema::exposed_tools",
        "schema::input_schema",
        "schema::is_valid_tool_name",
        "schema::output_schema",
        "schema::portable_pattern",
        "schema::property_schema",
        "schema::tool_definition",
        "schema::tool_definitions",
        "scope::Scope",
        "scope::ScopeEntry",
        "scope::ScopeError",
        "scope::ScopeViolation",
        "value::ArgError",
        "value::ArgErrors",
        "value::ArgSpec",
        "value::ArgValue",
        "value::Boolean",
        "value::Cidr",
        "value::CredentialFile",
        "value::Duration",
        "value::EnumValue",
        "value::Integer",
        "value::IpAddress",
        "value::MsfOptions",
        "value::Number",
        "value::ParseOptions",
        "value::Port",
        "value::RegexMatch",
        "value::RelPath",
        "value::Rule",
        "value::ScopeTarget",
        "value::TargetKind",
        "value::Text",
        "value::Url",
        "value::Value",
        "value::parse_enum",
        "value::parse_enum_json",
        "value::parse_call_json",
    ];
    let mut pinned: Vec<String> = pinned.iter().map(|s| s.to_string()).collect();
    pinned.sort();
    assert_eq!(public_reexports(), pinned);
    // The generated-code helpers are not part of it.
    let api = public_reexports();
    for helper in [
        "check_free_text",
        "find_injection",
        "shown",
        "encode",
        "field",
        "COMMAND_FIELD",
        "arg_env_name",
    ] {
        assert!(
            !api.iter().any(|n| n.ends_with(helper)),
            "{helper} is public"
        );
    }
}

#[test]
fn a_call_given_as_text_with_a_duplicate_key_is_refused() {
    use cladgen::{CallError, Tool};
    use tools::nmap_scan::NmapScanArgs;
    let errors = |r: Result<NmapScanArgs, CallError>| match r {
        Err(CallError::Args { tool, errors }) => {
            assert_eq!(tool, "nmap_scan");
            rules(&errors)
        }
        other => panic!("expected argument errors, got {other:?}"),
    };
    // serde_json keeps the last copy; a first-wins policy parser would see the first.
    let text = r#"{"target": "10.0.0.5", "scan_type": "discovery", "target": "10.9.9.9"}"#;
    assert_eq!(
        errors(NmapScanArgs::from_call_str("nmap_scan", text)),
        vec![("target".to_string(), Rule::DuplicateKey)]
    );
    let ok = NmapScanArgs::from_call_str(
        "nmap_scan",
        r#"{"target": "10.0.0.5", "scan_type": "discovery"}"#,
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
    assert_eq!(
        errors(NmapScanArgs::from_call_str("nmap_scan", "{\"target\": ")),
        vec![("arguments".to_string(), Rule::JsonType)]
    );
}

#[test]
fn generated_session_commands_bind_their_text_to_their_arguments() {
    use tools::msf_console::{SetTargetArgs, UseModuleArgs};
    // A templated command: typed fields only, the text rendered from them.
    let set = SetTargetArgs::from_json(&json!({"target": "10.0.0.5"})).unwrap();
    assert_eq!(set.text().unwrap().as_str(), "set RHOSTS 10.0.0.5");
    assert_eq!(set.to_json(), json!({"target": "10.0.0.5"}));
    let e =
        SetTargetArgs::from_json(&json!({"target": "10.0.0.5", "command": "set RHOSTS 10.9.9.9"}))
            .unwrap_err();
    assert_eq!(e.as_slice()[0].arg, "command");
    assert!(SetTargetArgs::from_json(&json!({"target": "file:/etc/hosts"})).is_err());
    // A command whose named group binds its argument: the text is its only source.
    let m = UseModuleArgs::from_json(&json!({"command": "use auxiliary/scanner/smb/smb_version"}))
        .unwrap();
    assert_eq!(
        m.command
            .value(&tools::msf_console::MANIFEST, "module")
            .map(|v| v.to_string()),
        Some("auxiliary/scanner/smb/smb_version".to_owned())
    );
    let e =
        UseModuleArgs::from_json(&json!({"command": "use exploit/a/b", "module": "exploit/a/b"}))
            .unwrap_err();
    assert_eq!(e.as_slice()[0].rule.as_str(), "bound-by-text");
}
