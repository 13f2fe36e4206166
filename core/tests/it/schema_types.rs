//! Input schemas per argument type and flavour, tool definitions, output schemas and
//! tool names, over hand-built manifests.

use crate::schema_support;

use cladgen_core::model::{Constraints, RiskTier, TypeKind};
use cladgen_core::schema::{
    ENVELOPE_FIELDS, ENVELOPE_STATUSES, Flavor, SchemaError, command_tool_name, exposed_tools,
    input_schema, is_valid_tool_name, output_schema, property_schema, tool_definitions,
};
use schema_support::*;
use serde_json::{Value, json};

fn prop(schema: &Value, name: &str) -> Value {
    schema["properties"][name].clone()
}

#[test]
fn every_type_every_flavour_is_a_valid_schema() {
    let args = every_type_args();
    for flavor in Flavor::ALL {
        let s = input_schema(&args, flavor);
        assert_valid_schema(&s, flavor.as_str());
        assert_root_shape(&s, flavor.as_str());
        assert_eq!(
            s["properties"].as_object().map(|p| p.len()),
            Some(args.len()),
            "one property per argument"
        );
    }
    let m = oneshot(
        "every_type",
        args,
        Some(output(r#"{"type":"object"}"#, true)),
    );
    for flavor in Flavor::ALL {
        let defs = tool_definitions(&m, flavor).expect("definitions");
        assert_eq!(defs.len(), 1);
        assert_definition(&defs[0], flavor, flavor.as_str());
    }
}

#[test]
fn required_lists_required_arguments_in_position_order_except_openai() {
    let args = vec![
        arg("b", TypeKind::String, true, Constraints::NONE),
        arg("a", TypeKind::String, false, Constraints::NONE),
        arg("c", TypeKind::Integer, true, Constraints::NONE),
    ];
    assert_eq!(
        input_schema(&args, Flavor::Mcp)["required"],
        json!(["b", "c"])
    );
    assert_eq!(
        input_schema(&args, Flavor::Anthropic)["required"],
        json!(["b", "c"])
    );
    assert_eq!(
        input_schema(&args, Flavor::OpenAiStrict)["required"],
        json!(["b", "a", "c"])
    );
    assert_eq!(input_schema(&[], Flavor::Mcp)["required"], json!([]));
}

#[test]
fn numeric_types_carry_bounds_unless_they_clamp() {
    let s = input_schema(&every_type_args(), Flavor::Mcp);
    let count = prop(&s, "count");
    assert_eq!(count["type"], "integer");
    assert_eq!(
        (count["minimum"].clone(), count["maximum"].clone()),
        (json!(1), json!(100))
    );
    assert_eq!(count["default"], json!(10));

    let level = prop(&s, "level");
    assert_eq!(level["type"], "integer");
    assert!(level.get("minimum").is_none() && level.get("maximum").is_none());
    assert!(
        level["description"]
            .as_str()
            .is_some_and(|d| d.contains("clamped") && d.contains("0 to 5")),
        "{level}"
    );

    // min_float wins over min; integral float bounds print as integers.
    let ratio = prop(&s, "ratio");
    assert_eq!(ratio["type"], "number");
    assert_eq!(ratio["minimum"], json!(0));
    assert_eq!(ratio["maximum"], json!(1.5));

    let port = prop(&s, "port");
    assert_eq!(port["type"], "integer");
    assert_eq!(
        (port["minimum"].clone(), port["maximum"].clone()),
        (json!(1024), json!(65535))
    );
}

#[test]
fn port_with_clamp_keeps_the_hard_range() {
    let a = arg(
        "p",
        TypeKind::Port,
        true,
        bounds(Some(2000), Some(3000), true),
    );
    let p = property_schema(&a, Flavor::Mcp);
    assert_eq!(
        (p["minimum"].clone(), p["maximum"].clone()),
        (json!(1), json!(65535))
    );
    assert!(
        p["description"]
            .as_str()
            .is_some_and(|d| d.contains("2000 to 3000"))
    );
    let a = arg(
        "p",
        TypeKind::Port,
        true,
        bounds(Some(-5), Some(99999), false),
    );
    let p = property_schema(&a, Flavor::Mcp);
    assert_eq!(
        (p["minimum"].clone(), p["maximum"].clone()),
        (json!(1), json!(65535))
    );
}

#[test]
fn string_types_get_their_patterns_and_no_wrong_formats() {
    let s = input_schema(&every_type_args(), Flavor::Mcp);
    assert_eq!(prop(&s, "name")["pattern"], r"^[a-z][a-z0-9_\-]{0,15}$");
    assert_eq!(prop(&s, "cve")["pattern"], r"^CVE-[0-9]{4}-[0-9]{4,}$");
    let ip = prop(&s, "ip");
    assert_eq!(ip["type"], "string");
    assert!(
        ip.get("format").is_none(),
        "ipv4 format would refuse IPv6: {ip}"
    );
    assert!(ip["pattern"].is_string());
    assert_eq!(prop(&s, "url")["format"], "uri");
    assert!(prop(&s, "target")["pattern"].is_string());
    for plain in ["query", "out", "opts", "creds", "csv"] {
        let p = prop(&s, plain);
        assert_eq!(p["type"], "string", "{plain}");
        assert!(p.get("pattern").is_none(), "{plain}: {p}");
    }
    let mode = prop(&s, "mode");
    assert_eq!(mode["enum"], json!(["fast", "full", "stealth"]));
    assert_eq!(mode["default"], "fast");
    assert_eq!(prop(&s, "verbose")["type"], "boolean");
    assert_eq!(prop(&s, "verbose")["default"], json!(false));
    assert_eq!(prop(&s, "wait")["default"], "30s");
}

#[test]
fn a_pattern_without_portable_spelling_is_described_instead() {
    let a = arg("word", TypeKind::String, true, pattern(r"(?i)hello\b"));
    let p = property_schema(&a, Flavor::Mcp);
    assert!(p.get("pattern").is_none());
    assert!(
        p["description"]
            .as_str()
            .is_some_and(|d| d.contains(r"`(?i)hello\b`")),
        "{p}"
    );
}

#[test]
fn openai_strict_makes_optionals_nullable_and_drops_format_and_default() {
    let s = input_schema(&every_type_args(), Flavor::OpenAiStrict);
    assert_eq!(
        prop(&s, "target")["type"],
        "string",
        "required stays non-null"
    );
    assert_eq!(prop(&s, "count")["type"], json!(["integer", "null"]));
    let mode = prop(&s, "mode");
    assert_eq!(mode["type"], json!(["string", "null"]));
    assert_eq!(mode["enum"], json!(["fast", "full", "stealth", null]));
    assert!(mode.get("default").is_none());
    assert!(
        mode["description"]
            .as_str()
            .is_some_and(|d| d.ends_with(r#"Default: "fast"."#)),
        "{mode}"
    );
    let url = prop(&s, "url");
    assert!(url.get("format").is_none(), "{url}");
    // null validates against every optional property: the strict model's "absent".
    for (name, p) in s["properties"].as_object().expect("object") {
        let v = jsonschema::draft202012::new(p).expect("compiles");
        let required = name == "target";
        assert_eq!(v.is_valid(&Value::Null), !required, "{name}");
    }
}

#[test]
fn session_tools_are_one_per_command_with_command_text() {
    let m = session(
        "msf_console",
        vec![
            session_command(
                "search",
                r"search [a-z0-9_/]+(?: (?P<limit>[0-9]+))?",
                vec![arg("limit", TypeKind::Integer, false, Constraints::NONE)],
            ),
            session_command("sessions", r"sessions(?i: -l)?", vec![]),
        ],
    );
    for flavor in Flavor::ALL {
        let defs = tool_definitions(&m, flavor).expect("definitions");
        let names: Vec<&str> = defs.iter().map(|d| def_name(d, flavor)).collect();
        assert_eq!(names, ["msf_console__search", "msf_console__sessions"]);
        for d in &defs {
            assert_definition(d, flavor, &format!("{flavor} {}", def_name(d, flavor)));
        }
        let search = def_input(&defs[0], flavor);
        assert_eq!(search["properties"]["command"]["type"], "string");
        assert_eq!(
            search["properties"]["command"]["pattern"],
            r"^search [a-z0-9_\/]+(?: (?:[0-9]+))?$"
        );
        assert_eq!(search["required"][0], "command");
        // A named group carries `limit`: the text is its only source.
        assert!(search["properties"].get("limit").is_none());
        assert!(
            search["properties"]["command"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("`limit`"))
        );
        // Non-portable pattern: quoted in the description.
        let sessions = def_input(&defs[1], flavor);
        assert!(sessions["properties"]["command"].get("pattern").is_none());
        assert!(
            sessions["properties"]["command"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("sessions(?i: -l)?"))
        );
        if flavor == Flavor::Mcp {
            assert!(
                defs[0].get("outputSchema").is_none(),
                "no envelope per command"
            );
        }
    }
}

#[test]
fn a_session_argument_named_command_is_refused() {
    let m = session(
        "s",
        vec![session_command(
            "run",
            "run .*",
            vec![arg("command", TypeKind::String, false, Constraints::NONE)],
        )],
    );
    assert_eq!(
        tool_definitions(&m, Flavor::Mcp),
        Err(SchemaError::ReservedArgument {
            tool: "s".into(),
            command: "run".into()
        })
    );
}

#[test]
fn browser_tools_are_one_per_command() {
    let m = browser(
        "webapp",
        vec![
            browser_command(
                "navigate",
                vec![arg("url", TypeKind::Url, true, Constraints::NONE)],
            ),
            browser_command("snapshot", vec![]),
        ],
    );
    let tools = exposed_tools(&m).expect("tools");
    assert_eq!(tools.len(), 2);
    for flavor in Flavor::ALL {
        let defs = tool_definitions(&m, flavor).expect("definitions");
        assert_eq!(def_name(&defs[0], flavor), "webapp__navigate");
        assert_eq!(def_input(&defs[0], flavor)["required"], json!(["url"]));
        assert_eq!(def_input(&defs[1], flavor)["properties"], json!({}));
        for d in &defs {
            assert_definition(d, flavor, "browser");
        }
    }
}

#[test]
fn tool_names_longer_than_64_are_refused() {
    let tool = "t".repeat(40);
    assert_eq!(
        command_tool_name(&tool, &"c".repeat(22)).map(|n| n.len()),
        Ok(64)
    );
    let err = command_tool_name(&tool, &"c".repeat(23)).expect_err("65 characters");
    assert!(
        matches!(&err, SchemaError::ToolName { name, .. } if name.len() == 65),
        "{err}"
    );
    assert!(err.to_string().contains("longer than 64"), "{err}");
    let m = session(&tool, vec![session_command(&"c".repeat(23), "x", vec![])]);
    assert!(matches!(
        tool_definitions(&m, Flavor::Anthropic),
        Err(SchemaError::ToolName { .. })
    ));
    assert!(is_valid_tool_name("a-b_C9"));
    for bad in ["", "a.b", "a b", "é"] {
        assert!(!is_valid_tool_name(bad), "{bad:?}");
    }
}

#[test]
fn output_schema_wraps_results_in_the_envelope() {
    let results = r#"{"type":"object","properties":{"hosts":{"type":"array"}}}"#;
    let m = oneshot("scan", vec![], Some(output(results, true)));
    let out = output_schema(&m).expect("valid").expect("present");
    assert_valid_schema(&out, "envelope");
    let props = out["properties"].as_object().expect("properties");
    let mut keys: Vec<&str> = props.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = ENVELOPE_FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(
        out["required"].as_array().map(Vec::len),
        Some(ENVELOPE_FIELDS.len())
    );
    assert_eq!(
        out["properties"]["status"]["enum"],
        json!(ENVELOPE_STATUSES)
    );
    let inner: Value = serde_json::from_str(results).expect("json");
    assert_eq!(out["properties"]["results"]["anyOf"][0], inner);

    let v = jsonschema::draft202012::new(&out).expect("compiles");
    let good = json!({
        "status": "success", "scan_id": "1700000000-ab12c", "tool": "scan",
        "command": "nmap -sT 10.0.0.1", "exit_code": 0, "stderr": "", "duration_ms": 1200,
        "timestamp": "2026-01-01T00:00:00Z", "output_file": null, "output_hash": null,
        "results": {"hosts": []}, "error": null, "stdout_bytes": 120,
        "stdout_truncated": false, "stderr_bytes": 0, "stderr_truncated": false,
        "output_file_truncated": false
    });
    assert!(v.is_valid(&good));
    let mut no_counts = good.clone();
    no_counts
        .as_object_mut()
        .expect("object")
        .remove("stdout_bytes");
    assert!(!v.is_valid(&no_counts), "the capture fields are required");
    let mut failed = good.clone();
    failed["status"] = json!("timeout");
    failed["results"] = Value::Null;
    failed["exit_code"] = Value::Null;
    assert!(v.is_valid(&failed));
    let mut bad = good.clone();
    bad["status"] = json!("dry_run");
    assert!(!v.is_valid(&bad));
    let mut bad = good;
    bad["results"] = json!({"hosts": 5});
    assert!(!v.is_valid(&bad));
}

#[test]
fn output_schema_without_envelope_or_output() {
    let raw = r#"{"type":"array"}"#;
    let m = oneshot("raw", vec![], Some(output(raw, false)));
    assert_eq!(output_schema(&m), Ok(Some(json!({"type": "array"}))));
    // MCP requires an object root: a non-object raw schema is not advertised.
    let defs = tool_definitions(&m, Flavor::Mcp).expect("definitions");
    assert!(defs[0].get("outputSchema").is_none());
    let m = oneshot("none", vec![], None);
    assert_eq!(output_schema(&m), Ok(None));
    let m = oneshot("broken", vec![], Some(output("{not json", true)));
    assert!(matches!(
        output_schema(&m),
        Err(SchemaError::OutputSchema { .. })
    ));
}

#[test]
fn annotations_mark_risky_tools_destructive_and_nothing_else() {
    let mut m = oneshot("t", vec![], None);
    let mcp = |m: &cladgen_core::model::Manifest| {
        tool_definitions(m, Flavor::Mcp).expect("definitions")[0].clone()
    };
    for tier in [RiskTier::Info, RiskTier::Low, RiskTier::Medium] {
        m.tool.risk_tier = tier;
        assert!(mcp(&m).get("annotations").is_none(), "{tier}");
    }
    for tier in [RiskTier::High, RiskTier::Critical] {
        m.tool.risk_tier = tier;
        assert_eq!(
            mcp(&m)["annotations"],
            json!({"destructiveHint": true}),
            "{tier}"
        );
    }
    m.tool.risk_tier = RiskTier::Low;
    m.tool.human_approval = true;
    assert_eq!(mcp(&m)["annotations"], json!({"destructiveHint": true}));
    // A session command inherits the higher tier.
    let mut s = session("s", vec![session_command("x", "x", vec![])]);
    s.tool.risk_tier = RiskTier::Critical;
    assert_eq!(mcp(&s)["annotations"], json!({"destructiveHint": true}));
}

#[test]
fn flavour_shapes() {
    let m = oneshot(
        "dig",
        vec![arg(
            "target",
            TypeKind::ScopeTarget,
            true,
            Constraints::NONE,
        )],
        None,
    );
    let mcp = &tool_definitions(&m, Flavor::Mcp).expect("ok")[0];
    assert_eq!(mcp["name"], "dig");
    assert_eq!(mcp["description"], "The dig tool");
    assert!(mcp["inputSchema"].is_object());
    let oa = &tool_definitions(&m, Flavor::OpenAiStrict).expect("ok")[0];
    assert_eq!(oa["type"], "function");
    assert_eq!(oa["function"]["name"], "dig");
    assert_eq!(oa["function"]["strict"], json!(true));
    assert!(oa["function"]["parameters"].is_object());
    let an = &tool_definitions(&m, Flavor::Anthropic).expect("ok")[0];
    assert_eq!(an["name"], "dig");
    assert!(an["input_schema"].is_object());
    assert_eq!(Flavor::from_name("openai"), Some(Flavor::OpenAiStrict));
    assert_eq!(Flavor::from_name("OpenAI"), None);
    for f in Flavor::ALL {
        assert_eq!(Flavor::from_name(f.as_str()), Some(f));
    }
}

#[test]
fn generation_is_deterministic() {
    let m = oneshot(
        "every",
        every_type_args(),
        Some(output(r#"{"type":"object"}"#, true)),
    );
    for flavor in Flavor::ALL {
        let a = serde_json::to_string(&tool_definitions(&m, flavor).expect("ok")).expect("json");
        let b = serde_json::to_string(&tool_definitions(&m, flavor).expect("ok")).expect("json");
        assert_eq!(a, b);
    }
}

#[test]
fn the_checks_themselves_catch_bad_schemas() {
    let fails = |f: fn()| std::panic::catch_unwind(f).is_err();
    assert!(fails(|| assert_valid_schema(
        &json!({"type": "string", "pattern": "("}),
        "bad pattern"
    )));
    assert!(fails(|| assert_valid_schema(
        &json!({"type": "strin"}),
        "bad type"
    )));
    assert!(fails(|| assert_openai_strict(
        &json!({"type": "function", "function": {"name": "x", "strict": true, "parameters": {
            "type": "object", "properties": {"a": {"type": "string"}},
            "required": [], "additionalProperties": false}}}),
        "optional not required"
    )));
    assert!(fails(|| assert_openai_strict(
        &json!({"type": "function", "function": {"name": "x", "strict": true, "parameters": {
            "type": "object", "properties": {"a": {"type": "string", "format": "uri"}},
            "required": ["a"], "additionalProperties": false}}}),
        "format"
    )));
    assert!(fails(|| assert_definition(
        &json!({"name": "a.b", "inputSchema": {"type": "object", "properties": {},
            "required": [], "additionalProperties": false}}),
        Flavor::Mcp,
        "dotted name"
    )));
}

/// A strict-mode model sends every key, `null` for the ones it leaves out: the call
/// validates against the strict schema and the validator reads `null` as absent
/// (defaults apply).
#[test]
fn openai_strict_call_with_nulls_is_accepted_as_absent() {
    use cladgen_core::invoke::Call;
    use cladgen_core::value::ParseOptions;
    let args: Vec<_> = every_type_args()
        .into_iter()
        .filter(|a| {
            !matches!(
                a.ty.kind,
                TypeKind::Extern { .. } | TypeKind::CredentialFile
            )
        })
        .collect();
    let m = oneshot("strict", args, None);
    let schema = input_schema(&m.args, Flavor::OpenAiStrict);
    let mut call = serde_json::Map::new();
    for a in m.args.iter() {
        call.insert(a.name.to_string(), Value::Null);
    }
    call.insert("target".into(), json!("scanme.example.com"));
    call.insert("count".into(), json!(42));
    let call = Value::Object(call);
    let v = jsonschema::draft202012::new(&schema).expect("compiles");
    assert!(v.is_valid(&call), "strict call refused by its schema");
    let parsed = Call::from_json(&m, &call, &ParseOptions::DEFAULT).expect("validator accepts");
    assert_eq!(parsed.value("count").map(|x| x.to_json()), Some(json!(42)));
    assert_eq!(
        parsed.value("port").map(|x| x.to_json()),
        Some(json!(8080)),
        "default"
    );
    assert_eq!(
        parsed.value("mode").map(|x| x.to_json()),
        Some(json!("fast")),
        "default"
    );
    assert!(
        parsed.value("query").is_none(),
        "null without default is absent"
    );
    // A required argument cannot be null.
    let mut bad = call;
    bad["target"] = Value::Null;
    assert!(!v.is_valid(&bad));
    assert!(Call::from_json(&m, &bad, &ParseOptions::DEFAULT).is_err());
}
