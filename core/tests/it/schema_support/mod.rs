//! Shared helpers of the `schema_*` tests: hand-built model values and the checks
//! every generated schema must pass (meta-schema, compilation, OpenAI strict rules,
//! tool names).

#![allow(dead_code)] // each test crate uses a different subset

use cladgen_core::model::{
    Arg, ArgType, Backend, BrowserCommand, BrowserConnect, BrowserEngine, BrowserSpec, Constraints,
    Dispatch, ExtractMode, Interaction, Manifest, Mode, Output, OutputFormat, Parser, Pattern,
    RiskTier, Scalar, SessionCommand, SessionSpec, SourceSpec, TextBinding, ToolMeta, TypeKind,
};
use cladgen_core::schema::{Flavor, is_valid_tool_name};
use serde_json::Value;
use std::borrow::Cow;

/// An argument of `kind` with `constraints`.
pub fn arg(name: &str, kind: TypeKind, required: bool, constraints: Constraints) -> Arg {
    Arg {
        name: Cow::Owned(name.to_owned()),
        position: None,
        required,
        description: Cow::Owned(format!("The {name} argument")),
        ty: ArgType {
            name: Cow::Borrowed(kind.as_str()),
            kind,
            constraints,
        },
        default: None,
        scope_check: false,
        feeds_decision: false,
        sanitize: Cow::Borrowed(&[]),
    }
}

/// `arg` with a default.
pub fn with_default(mut a: Arg, d: Scalar) -> Arg {
    a.default = Some(d);
    a
}

/// Constraints with a whole-value pattern.
pub fn pattern(p: &str) -> Constraints {
    Constraints {
        pattern: Some(Pattern::new(p.to_owned()).expect("test pattern compiles")),
        ..Constraints::NONE
    }
}

/// Enum constraints.
pub fn allowed(values: &[&str]) -> Constraints {
    Constraints {
        allowed: Some(Cow::Owned(
            values.iter().map(|v| Cow::Owned((*v).to_owned())).collect(),
        )),
        ..Constraints::NONE
    }
}

/// Integer bounds.
pub fn bounds(min: Option<i64>, max: Option<i64>, clamp: bool) -> Constraints {
    Constraints {
        min,
        max,
        clamp,
        ..Constraints::NONE
    }
}

/// One argument of every built-in type (with typical constraints), in position order.
pub fn every_type_args() -> Vec<Arg> {
    vec![
        arg("target", TypeKind::ScopeTarget, true, Constraints::NONE),
        arg("query", TypeKind::String, false, Constraints::NONE),
        arg(
            "name",
            TypeKind::String,
            false,
            pattern(r"^[a-z][a-z0-9_\-]{0,15}$"),
        ),
        with_default(
            arg(
                "count",
                TypeKind::Integer,
                false,
                bounds(Some(1), Some(100), false),
            ),
            Scalar::Integer(10),
        ),
        arg(
            "level",
            TypeKind::Integer,
            false,
            bounds(Some(0), Some(5), true),
        ),
        arg(
            "ratio",
            TypeKind::Number,
            false,
            Constraints {
                min: Some(-10),
                min_float: Some(0.0),
                max_float: Some(1.5),
                ..Constraints::NONE
            },
        ),
        with_default(
            arg(
                "port",
                TypeKind::Port,
                false,
                bounds(Some(1024), None, false),
            ),
            Scalar::Integer(8080),
        ),
        with_default(
            arg("verbose", TypeKind::Boolean, false, Constraints::NONE),
            Scalar::Boolean(false),
        ),
        with_default(
            arg(
                "mode",
                TypeKind::Enum,
                false,
                allowed(&["fast", "full", "stealth"]),
            ),
            Scalar::String(Cow::Borrowed("fast")),
        ),
        arg("url", TypeKind::Url, false, Constraints::NONE),
        arg("out", TypeKind::Path, false, Constraints::NONE),
        arg("ip", TypeKind::IpAddress, false, Constraints::NONE),
        arg("net", TypeKind::Cidr, false, Constraints::NONE),
        arg("opts", TypeKind::MsfOptions, false, Constraints::NONE),
        arg("creds", TypeKind::CredentialFile, false, Constraints::NONE),
        with_default(
            arg("wait", TypeKind::Duration, false, Constraints::NONE),
            Scalar::String(Cow::Borrowed("30s")),
        ),
        arg(
            "cve",
            TypeKind::RegexMatch,
            false,
            pattern(r"CVE-\d{4}-\d{4,}"),
        ),
        arg(
            "csv",
            TypeKind::Extern {
                rust_path: Cow::Borrowed("::my_agent::CsvPath"),
            },
            false,
            Constraints::NONE,
        ),
    ]
}

/// `[tool]` with defaults.
pub fn tool_meta(name: &str, mode: Mode) -> ToolMeta {
    ToolMeta {
        name: Cow::Owned(name.to_owned()),
        version: Cow::Borrowed("1.0.0"),
        binary: None,
        description: Cow::Owned(format!("The {name} tool")),
        mode,
        dispatch: Dispatch::Exec,
        timeout_seconds: 30,
        risk_tier: RiskTier::Low,
        human_approval: false,
        cedar: None,
        evidence: None,
    }
}

/// `[output]` with the given schema text.
pub fn output(schema_json: &str, envelope: bool) -> Output {
    Output {
        format: OutputFormat::Json,
        parser: Parser::Builtin(OutputFormat::Json),
        envelope,
        schema_json: Cow::Owned(schema_json.to_owned()),
    }
}

/// A oneshot manifest (a `[source]` backend: the schema does not look at how it runs).
pub fn oneshot(name: &str, args: Vec<Arg>, output: Option<Output>) -> Manifest {
    Manifest {
        tool: tool_meta(name, Mode::Oneshot),
        args: Cow::Owned(args),
        backend: Backend::Source(SourceSpec {
            operation: Cow::Borrowed("op"),
        }),
        output,
    }
}

/// A session command; its arguments (if any) are bound by named groups of `pat`.
pub fn session_command(name: &str, pat: &str, args: Vec<Arg>) -> SessionCommand {
    let binding = if args.is_empty() {
        TextBinding::Free
    } else {
        TextBinding::Captures
    };
    SessionCommand {
        name: Cow::Owned(name.to_owned()),
        pattern: Pattern::new(pat.to_owned()).expect("test pattern compiles"),
        description: Cow::Owned(format!("Run {name}")),
        risk_tier: RiskTier::Low,
        human_approval: false,
        extract_target: false,
        args: Cow::Owned(args),
        binding,
    }
}

/// A session manifest with these commands.
pub fn session(name: &str, commands: Vec<SessionCommand>) -> Manifest {
    Manifest {
        tool: tool_meta(name, Mode::Session),
        args: Cow::Borrowed(&[]),
        backend: Backend::Session(SessionSpec {
            startup_command: Cow::Borrowed("msfconsole -q"),
            startup_argv: Cow::Owned(vec![Cow::Borrowed("msfconsole"), Cow::Borrowed("-q")]),
            ready_pattern: Pattern::new("msf.*> ").expect("compiles"),
            startup_timeout_seconds: 30,
            idle_timeout_seconds: 300,
            session_timeout_seconds: 1800,
            max_interactions: 100,
            interaction: Interaction {
                input_sanitize: Cow::Borrowed(&[]),
                output_max_bytes: 1 << 20,
                output_wait_ms: 2000,
            },
            commands: Cow::Owned(commands),
            child_detection: None,
            events: None,
        }),
        output: Some(output(r#"{"type":"object"}"#, true)),
    }
}

/// A browser command.
pub fn browser_command(name: &str, args: Vec<Arg>) -> BrowserCommand {
    BrowserCommand {
        name: Cow::Owned(name.to_owned()),
        description: Cow::Owned(format!("Browser {name}")),
        risk_tier: RiskTier::Low,
        human_approval: false,
        args: Cow::Owned(args),
    }
}

/// A browser manifest with these commands.
pub fn browser(name: &str, commands: Vec<BrowserCommand>) -> Manifest {
    Manifest {
        tool: tool_meta(name, Mode::Browser),
        args: Cow::Borrowed(&[]),
        backend: Backend::Browser(BrowserSpec {
            engine: BrowserEngine::Cdp,
            headless: true,
            connect: BrowserConnect::Launch,
            extract_mode: ExtractMode::AccessibilityTree,
            startup_timeout_seconds: 30,
            session_timeout_seconds: 1800,
            idle_timeout_seconds: 300,
            max_interactions: 100,
            scope: None,
            commands: Cow::Owned(commands),
            state: None,
            defaults: Cow::Borrowed(&[]),
            auth_flows: Cow::Borrowed(&[]),
        }),
        output: None,
    }
}

/// The schema is valid against the JSON Schema 2020-12 meta-schema and compiles
/// (which also checks every `pattern`).
pub fn assert_valid_schema(schema: &Value, what: &str) {
    if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
        panic!("{what}: not valid against the 2020-12 meta-schema: {e}\n{schema:#}");
    }
    if let Err(e) = jsonschema::draft202012::new(schema) {
        panic!("{what}: does not compile: {e}\n{schema:#}");
    }
}

/// No `$ref` anywhere.
pub fn assert_no_ref(v: &Value, what: &str) {
    match v {
        Value::Object(m) => {
            assert!(!m.contains_key("$ref"), "{what}: contains $ref");
            for (_, x) in m {
                assert_no_ref(x, what);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| assert_no_ref(x, what)),
        _ => {}
    }
}

/// The input schema root: object, properties, required names exist,
/// `additionalProperties: false`.
pub fn assert_root_shape(schema: &Value, what: &str) {
    assert_eq!(schema["type"], "object", "{what}: root type");
    assert_eq!(
        schema["additionalProperties"],
        Value::Bool(false),
        "{what}: additionalProperties"
    );
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: no properties object"));
    let required = schema["required"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no required array"));
    for r in required {
        let r = r
            .as_str()
            .unwrap_or_else(|| panic!("{what}: non-string in required"));
        assert!(
            props.contains_key(r),
            "{what}: required '{r}' is not a property"
        );
    }
    assert_no_ref(schema, what);
}

/// Keywords OpenAI strict mode accepts in a property schema (of the kinds we emit).
const OPENAI_PROPERTY_KEYWORDS: [&str; 6] = [
    "type",
    "description",
    "enum",
    "pattern",
    "minimum",
    "maximum",
];

/// OpenAI strict-mode rules for a function tool definition.
pub fn assert_openai_strict(def: &Value, what: &str) {
    assert_eq!(def["type"], "function", "{what}: type");
    let f = &def["function"];
    assert_eq!(f["strict"], Value::Bool(true), "{what}: strict");
    let params = &f["parameters"];
    assert_root_shape(params, what);
    let props = params["properties"].as_object().expect("checked above");
    let required: Vec<&str> = params["required"]
        .as_array()
        .expect("checked above")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    let mut sorted_required = required.clone();
    sorted_required.sort_unstable();
    let mut sorted_names = names.clone();
    sorted_names.sort_unstable();
    assert_eq!(
        sorted_required, sorted_names,
        "{what}: every property must be required"
    );
    let root_keys: Vec<&str> = params
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for k in root_keys {
        assert!(
            ["type", "properties", "required", "additionalProperties"].contains(&k),
            "{what}: root keyword '{k}' not allowed in strict mode"
        );
    }
    for (name, p) in props {
        let obj = p
            .as_object()
            .unwrap_or_else(|| panic!("{what}.{name}: property is not an object"));
        assert!(obj.contains_key("type"), "{what}.{name}: no type");
        for k in obj.keys() {
            assert!(
                OPENAI_PROPERTY_KEYWORDS.contains(&k.as_str()),
                "{what}.{name}: keyword '{k}' is not allowed in strict mode"
            );
        }
    }
}

/// The name a definition exposes, per flavour.
pub fn def_name(def: &Value, flavor: Flavor) -> &str {
    let v = match flavor {
        Flavor::OpenAiStrict => &def["function"]["name"],
        Flavor::Mcp | Flavor::Anthropic => &def["name"],
    };
    v.as_str().expect("a tool definition has a string name")
}

/// The input schema a definition carries, per flavour.
pub fn def_input(def: &Value, flavor: Flavor) -> &Value {
    match flavor {
        Flavor::Mcp => &def["inputSchema"],
        Flavor::OpenAiStrict => &def["function"]["parameters"],
        Flavor::Anthropic => &def["input_schema"],
    }
}

/// Every check that applies to a definition of `flavor`.
pub fn assert_definition(def: &Value, flavor: Flavor, what: &str) {
    let name = def_name(def, flavor);
    assert!(
        is_valid_tool_name(name)
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "{what}: tool name '{name}' does not match ^[a-zA-Z0-9_-]{{1,64}}$"
    );
    let input = def_input(def, flavor);
    assert_valid_schema(input, what);
    assert_root_shape(input, what);
    match flavor {
        Flavor::OpenAiStrict => assert_openai_strict(def, what),
        Flavor::Mcp => {
            if let Some(out) = def.get("outputSchema") {
                assert_valid_schema(out, &format!("{what} outputSchema"));
                assert_eq!(out["type"], "object", "{what}: MCP outputSchema root type");
                assert_no_ref(out, what);
            }
            let keys: Vec<&str> = def
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            for k in keys {
                assert!(
                    [
                        "name",
                        "description",
                        "inputSchema",
                        "outputSchema",
                        "annotations"
                    ]
                    .contains(&k),
                    "{what}: unexpected MCP key {k}"
                );
            }
        }
        Flavor::Anthropic => {
            let keys: Vec<&str> = def
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            for k in keys {
                assert!(
                    ["name", "description", "input_schema"].contains(&k),
                    "{what}: unexpected Anthropic key {k}"
                );
            }
        }
    }
}
