//! Every section decodes into the model, with the documented defaults.

use std::path::Path;

use cladgen_core::load::{LoadOptions, Loaded, load_str};
use cladgen_core::model::*;

fn load(text: &str) -> Loaded {
    load_str(Path::new("t.clad.toml"), text, &LoadOptions::default())
}

fn ok(text: &str) -> Manifest {
    let l = load(text);
    match l.manifest {
        Some(m) => m,
        None => panic!("should load:\n{}", l.render(false)),
    }
}

const TOOL: &str = r#"[tool]
name = "demo"
version = "1.2.3"
description = "Demo"
"#;

#[test]
fn tool_defaults_follow_the_symbiont_runtime() {
    let m = ok(&format!(
        "{TOOL}\n[command]\nexec = [\"true\"]\n\n[output]\nformat = \"text\"\n"
    ));
    assert_eq!(m.tool.name, "demo");
    assert_eq!(m.tool.version, "1.2.3");
    assert_eq!(m.tool.binary, None);
    assert_eq!(m.tool.timeout_seconds, 30);
    assert_eq!(m.tool.risk_tier, RiskTier::Low);
    assert_eq!(m.tool.mode, Mode::Oneshot);
    assert_eq!(m.tool.dispatch, Dispatch::Exec);
    assert!(!m.tool.human_approval);
    assert_eq!(m.tool.cedar, None);
    assert_eq!(m.tool.evidence, None);
    let out = m.output.expect("output");
    assert_eq!(out.format, OutputFormat::Text);
    assert_eq!(out.parser, Parser::Builtin(OutputFormat::Text));
    assert!(out.envelope);
    assert_eq!(out.schema_json, r#"{"type":"object"}"#);
}

#[test]
fn tool_fields_cedar_evidence_and_output_schema() {
    let m = ok(r#"[tool]
name = "scan"
version = "1"
binary = "nmap"
description = "Scan"
timeout_seconds = 600
risk_tier = "critical"
human_approval = true
mode = "oneshot"
dispatch = "exec"

[tool.cedar]
resource = "PenTest::ScanTarget"
action = "execute_tool"

[tool.evidence]
output_dir = "{evidence_dir}/{scan_id}"
screenshots = true

[command]
exec = ["nmap"]

[output]
format = "xml"
parser = "custom:parsers/nmap.py"
envelope = false

[output.schema]
type = "object"
required = ["hosts"]

[output.schema.properties.hosts]
type = "array"
minItems = 0
"#);
    assert_eq!(m.tool.binary.as_deref(), Some("nmap"));
    assert_eq!(m.tool.timeout_seconds, 600);
    assert_eq!(m.tool.risk_tier, RiskTier::Critical);
    assert!(m.tool.human_approval);
    let cedar = m.tool.cedar.expect("cedar");
    assert_eq!(cedar.resource, "PenTest::ScanTarget");
    assert_eq!(cedar.action, "execute_tool");
    let ev = m.tool.evidence.expect("evidence");
    assert_eq!(ev.output_dir, "{evidence_dir}/{scan_id}");
    assert!(ev.capture, "capture defaults to true");
    assert_eq!(ev.hash, "sha256");
    assert!(ev.screenshots);
    let out = m.output.expect("output");
    assert_eq!(out.format, OutputFormat::Xml);
    assert_eq!(out.parser, Parser::Custom("parsers/nmap.py".into()));
    assert!(!out.envelope);
    let schema: serde_json::Value = serde_json::from_str(&out.schema_json).expect("json");
    assert_eq!(
        schema,
        serde_json::json!({"type": "object", "required": ["hosts"],
            "properties": {"hosts": {"type": "array", "minItems": 0}}})
    );
    assert!(!out.schema_json.contains(' '), "compact JSON");
}

#[test]
fn every_arg_field_decodes_and_args_sort_by_position_then_declaration() {
    let m = ok(&format!(
        r#"{TOOL}
[args.zeta]
type = "string"
description = "declared first, no position"
sanitize = ["injection"]
allow_option_values = true
pattern = "^[a-z-]+$"

[args.rate]
type = "number"
position = 2
min_float = 0.5
max_float = 2.5
min = 0
max = 3
clamp = true
default = 1.0

[args.url]
type = "url"
position = 1
required = true
schemes = ["https"]
scope_check = true
feeds_decision = true

[args.mode]
type = "enum"
allowed = ["a", "b"]
default = "b"

[command]
exec = ["tool", "--z={{zeta}}", "--rate={{rate}}", "--url={{url}}", "--mode={{mode}}"]

[output]
format = "json"
"#
    ));
    let names: Vec<&str> = m.args.iter().map(|a| a.name.as_ref()).collect();
    assert_eq!(names, ["url", "rate", "zeta", "mode"]);
    let url = &m.args[0];
    assert!(url.required && url.scope_check && url.feeds_decision);
    assert_eq!(url.position, Some(1));
    assert_eq!(url.ty.kind, TypeKind::Url);
    assert_eq!(
        url.ty.constraints.schemes.as_deref(),
        Some(&["https".into()][..])
    );
    let rate = &m.args[1];
    assert_eq!(rate.ty.constraints.min_float, Some(0.5));
    assert_eq!(rate.ty.constraints.max_float, Some(2.5));
    assert_eq!(rate.ty.constraints.min, Some(0));
    assert_eq!(rate.ty.constraints.max, Some(3));
    assert!(rate.ty.constraints.clamp);
    assert_eq!(rate.default, Some(Scalar::Float(1.0)));
    let zeta = &m.args[2];
    assert_eq!(zeta.position, None);
    assert!(zeta.ty.constraints.allow_option_values);
    assert_eq!(
        zeta.sanitize.as_ref(),
        [std::borrow::Cow::from("injection")]
    );
    assert_eq!(zeta.description, "declared first, no position");
    assert!(
        zeta.ty
            .constraints
            .pattern
            .as_ref()
            .is_some_and(|p| p.is_match("a-b"))
    );
    let mode = &m.args[3];
    assert_eq!(mode.default, Some(Scalar::String("b".into())));
    // Exec tokens refer to the sorted argument list.
    let Backend::Command(cmd) = &m.backend else {
        panic!()
    };
    let CommandRun::Exec { tokens } = &cmd.run else {
        panic!()
    };
    assert_eq!(
        tokens[1].pieces.as_ref(),
        [Piece::Lit("--z=".into()), Piece::Arg(2)]
    );
    assert_eq!(
        tokens[3].pieces.as_ref(),
        [Piece::Lit("--url=".into()), Piece::Arg(0)]
    );
}

#[test]
fn template_mappings_and_conditionals_resolve() {
    let m = ok(&format!(
        r#"{TOOL}
[args.target]
type = "scope_target"
required = true

[args.scan_type]
type = "enum"
allowed = ["ping", "syn"]
required = true

[args.port]
type = "port"

[args.verbose]
type = "boolean"

[command]
template = "nmap {{_scan_flags}} {{_port_flag}} {{_v}} -oX {{_output_file}} --max-rate {{rate}} '{{target}}'"

[command.defaults]
rate = 100

[command.mappings.scan_type]
ping = "-sn -PE"
syn = "-sS"

[command.conditionals.port_flag]
when = "port != 0 and scan_type == 'syn' or verbose"
template = "-p {{port}}"

[command.conditionals.v]
when = "verbose == true"
template = "-v"

[output]
format = "xml"
"#
    ));
    let Backend::Command(cmd) = &m.backend else {
        panic!()
    };
    let CommandRun::Template { tokens, source } = &cmd.run else {
        panic!()
    };
    assert!(source.starts_with("nmap {_scan_flags}"));
    let pieces: Vec<&[Piece]> = tokens.iter().map(|t| t.pieces.as_ref()).collect();
    assert_eq!(
        pieces,
        [
            &[Piece::Lit("nmap".into())][..],
            &[Piece::Mapping(0)],
            &[Piece::Conditional(0)],
            &[Piece::Conditional(1)],
            &[Piece::Lit("-oX".into())],
            &[Piece::Var(ExecVar::OutputFile)],
            &[Piece::Lit("--max-rate".into())],
            &[Piece::Lit("100".into())],
            &[Piece::Arg(0)],
        ]
    );
    assert_eq!(cmd.mappings[0].arg, 1);
    assert_eq!(cmd.mappings[0].entries[0].value, "ping");
    assert_eq!(cmd.mappings[0].entries[0].text, "-sn -PE");
    let c = &cmd.conditionals[0];
    assert_eq!(c.name, "port_flag");
    assert_eq!(
        c.when,
        Expr::Or(
            vec![
                Expr::And(
                    vec![
                        Expr::Compare {
                            arg: 2,
                            op: CmpOp::Ne,
                            value: Literal::Int(0)
                        },
                        Expr::Compare {
                            arg: 1,
                            op: CmpOp::Eq,
                            value: Literal::Str("syn".into())
                        },
                    ]
                    .into()
                ),
                Expr::Present { arg: 3 },
            ]
            .into()
        )
    );
    assert_eq!(c.tokens[1].pieces.as_ref(), [Piece::Arg(2)]);
    assert_eq!(
        cmd.conditionals[1].when,
        Expr::Compare {
            arg: 3,
            op: CmpOp::Eq,
            value: Literal::Bool(true)
        }
    );
}

#[test]
fn http_backend_decodes_url_parts_headers_json_body_and_statuses() {
    let m = ok(&format!(
        r#"{TOOL}
[args.id]
type = "integer"
required = true

[args.q]
type = "string"

[args.note]
type = "string"

[http]
method = "post"
url = "https://api.example.com/items/{{id}}?q={{q}}#{{note}}"
body_template = '{{"note": "{{note}}", "id": {{id}}, "token": "{{_secret:API_TOKEN}}"}}'
success_status = [200, 201]
error_status = [500]

[http.headers]
Authorization = "Bearer {{_secret:API_TOKEN}}"
X-Id = "{{id}}"

[output]
format = "json"
"#
    ));
    assert_eq!(m.tool.mode, Mode::Oneshot);
    let Backend::Http(h) = &m.backend else {
        panic!()
    };
    assert_eq!(h.method, HttpMethod::Post);
    assert_eq!(
        h.url.as_ref(),
        [
            TextPiece::Lit("https://api.example.com/items/".into()),
            TextPiece::Arg {
                arg: 0,
                part: UrlPart::Path
            },
            TextPiece::Lit("?q=".into()),
            TextPiece::Arg {
                arg: 1,
                part: UrlPart::Query
            },
            TextPiece::Lit("#".into()),
            TextPiece::Arg {
                arg: 2,
                part: UrlPart::Fragment
            },
        ]
    );
    assert_eq!(h.headers.len(), 2);
    assert_eq!(h.headers[0].name, "Authorization");
    assert_eq!(
        h.headers[0].value.as_ref(),
        [
            TextPiece::Lit("Bearer ".into()),
            TextPiece::Secret {
                name: "API_TOKEN".into(),
                part: UrlPart::Header
            }
        ]
    );
    let body = h.body.as_ref().expect("body");
    assert!(body.json);
    assert!(body.pieces.contains(&BodyPiece::Arg {
        arg: 2,
        slot: JsonSlot::InString
    }));
    assert!(body.pieces.contains(&BodyPiece::Arg {
        arg: 0,
        slot: JsonSlot::Value
    }));
    assert!(body.pieces.contains(&BodyPiece::Secret {
        name: "API_TOKEN".into(),
        slot: JsonSlot::InString
    }));
    assert_eq!(h.success_status.as_ref(), [200, 201]);
    assert_eq!(h.error_status.as_ref(), [500]);
}

#[test]
fn mcp_fields_cover_every_argument_renamed_or_not() {
    let m = ok(&format!(
        r#"{TOOL}
[args.target]
type = "string"
required = true

[args.depth]
type = "integer"

[mcp]
server = "scanner"
tool = "deep_scan"

[mcp.field_map]
target = "host"

[output]
format = "json"
"#
    ));
    let Backend::Mcp(mcp) = &m.backend else {
        panic!()
    };
    assert_eq!(mcp.server, "scanner");
    assert_eq!(mcp.tool, "deep_scan");
    assert_eq!(
        mcp.fields.as_ref(),
        [
            McpField {
                arg: 0,
                name: "host".into()
            },
            McpField {
                arg: 1,
                name: "depth".into()
            }
        ]
    );
}

#[test]
fn session_decodes_with_defaults_commands_and_extensions() {
    let m = ok(&format!(
        r#"{TOOL}
[session]
startup_command = "msfconsole -q -x 'setg LHOST 10.0.0.1'"
ready_pattern = "msf6? > "

[session.interaction]
input_sanitize = ["`"]

[session.commands.use_module]
pattern = "use (?P<module>(exploit|auxiliary)/[a-z_/]+)"
description = "Select a module"
risk_tier = "medium"

[session.commands.use_module.args.module]
type = "string"
required = true

[session.commands.set_target]
template = "set RHOSTS {{target}}"
pattern = "set RHOSTS [0-9.]+"
description = "Set the target"
extract_target = true

[session.commands.set_target.args.target]
type = "scope_target"
required = true

[session.child_detection]
pattern = "Meterpreter session \\d+ opened"
type = "meterpreter"
manifest = "meterpreter.clad.toml"

[session.events]
event_types = ["session_opened"]

[output]
format = "text"
"#
    ));
    assert_eq!(m.tool.mode, Mode::Session);
    let Backend::Session(s) = &m.backend else {
        panic!()
    };
    assert_eq!(
        s.startup_argv.as_ref(),
        [
            std::borrow::Cow::from("msfconsole"),
            "-q".into(),
            "-x".into(),
            "setg LHOST 10.0.0.1".into()
        ]
    );
    assert!(s.ready_pattern.is_match("msf6 > "));
    assert_eq!(
        (
            s.startup_timeout_seconds,
            s.idle_timeout_seconds,
            s.session_timeout_seconds,
            s.max_interactions
        ),
        (30, 300, 1800, 100)
    );
    assert_eq!(s.interaction.output_max_bytes, 1_048_576);
    assert_eq!(s.interaction.output_wait_ms, 2000);
    assert_eq!(
        s.interaction.input_sanitize.as_ref(),
        [std::borrow::Cow::from("`")]
    );
    let c = &s.commands[0];
    assert_eq!(c.name, "use_module");
    assert_eq!(c.risk_tier, RiskTier::Medium);
    assert!(!c.extract_target && !c.human_approval);
    assert_eq!(c.binding, TextBinding::Captures);
    let t = &s.commands[1];
    assert!(t.extract_target);
    assert_eq!(
        t.target_arg().map(|(i, a)| (i, a.name.as_ref())),
        Some((0, "target"))
    );
    assert_eq!(
        t.binding,
        TextBinding::Template {
            source: "set RHOSTS {target}".into(),
            pieces: vec![
                TemplatePiece::Text("set RHOSTS ".into()),
                TemplatePiece::Arg(0)
            ]
            .into()
        }
    );
    assert!(c.pattern.is_match("use exploit/multi/handler"));
    assert!(
        !c.pattern.is_match("use exploit/x; rm -rf"),
        "whole-value match"
    );
    assert_eq!(c.args[0].name, "module");
    let cd = s.child_detection.as_ref().expect("child detection");
    assert_eq!(cd.kind, "meterpreter");
    let ev = s.events.as_ref().expect("events");
    assert!(ev.enabled);
    assert_eq!(
        ev.event_types.as_ref(),
        [std::borrow::Cow::from("session_opened")]
    );
}

#[test]
fn browser_decodes_with_defaults_scope_state_and_auth_flows() {
    let m = ok(&format!(
        r##"{TOOL}
[browser]
engine = "cdp-direct"
connect = "live"
headless = false

[browser.defaults]
extract_mode = "markdown"
viewport_width = 1280

[browser.scope]
allowed_domains = ["*.example.com"]
blocked_domains = ["admin.example.com"]

[browser.commands.navigate]
description = "Open a URL"
risk_tier = "low"

[browser.commands.navigate.args.url]
type = "url"
required = true

[browser.state]
fields = ["url", "title"]

[browser.auth_flows.sso]
login_url = "https://login.example.com"
username_selector = "#user"
password_selector = "#pass"
submit_selector = "button[type=submit]"
secret_ref = "sso_credentials"
mfa_handler = "totp"

[output]
format = "json"
"##
    ));
    assert_eq!(m.tool.mode, Mode::Browser);
    let Backend::Browser(b) = &m.backend else {
        panic!()
    };
    assert_eq!(b.engine, BrowserEngine::CdpDirect);
    assert_eq!(b.connect, BrowserConnect::Live);
    assert!(!b.headless);
    assert_eq!(b.extract_mode, ExtractMode::Markdown);
    assert_eq!(
        (
            b.startup_timeout_seconds,
            b.session_timeout_seconds,
            b.idle_timeout_seconds,
            b.max_interactions
        ),
        (30, 1800, 300, 100)
    );
    assert_eq!(
        b.defaults.as_ref(),
        [("viewport_width".into(), Scalar::Integer(1280))]
    );
    let scope = b.scope.as_ref().expect("scope");
    assert_eq!(
        scope.allowed_domains.as_ref(),
        [std::borrow::Cow::from("*.example.com")]
    );
    assert!(!scope.allow_external);
    assert_eq!(b.commands[0].name, "navigate");
    assert_eq!(b.commands[0].args[0].ty.kind, TypeKind::Url);
    assert_eq!(b.state.as_ref().expect("state").fields.len(), 2);
    let f = &b.auth_flows[0];
    assert_eq!(f.name, "sso");
    assert_eq!(f.mfa_handler.as_deref(), Some("totp"));
    assert_eq!(f.success_indicator, None);
}

#[test]
fn browser_extract_mode_defaults_to_accessibility_tree() {
    let m = ok(&format!(
        "{TOOL}\n[browser]\n[browser.commands.snap]\ndescription = \"d\"\n\n[output]\nformat = \"json\"\n"
    ));
    let Backend::Browser(b) = &m.backend else {
        panic!()
    };
    assert_eq!(b.extract_mode, ExtractMode::AccessibilityTree);
    assert_eq!(b.engine, BrowserEngine::Cdp);
    assert!(b.headless);
}

#[test]
fn executor_runs_and_source_operation_and_callback() {
    let m = ok(&format!(
        "{TOOL}\n[args.x]\ntype = \"string\"\n\n[command]\nexecutor = \"scripts/run.sh\"\n\n[output]\nformat = \"text\"\n"
    ));
    let Backend::Command(c) = &m.backend else {
        panic!()
    };
    assert_eq!(
        c.run,
        CommandRun::Executor {
            path: "scripts/run.sh".into()
        }
    );

    let m = ok(&format!("{TOOL}\n[source]\noperation = \"git_log\"\n"));
    assert!(matches!(&m.backend, Backend::Source(s) if s.operation == "git_log"));
    assert!(m.output.is_none());

    let m = ok(
        "[tool]\nname = \"cb\"\nversion = \"1\"\ndescription = \"d\"\ndispatch = \"callback\"\n\n[args.n]\ntype = \"number\"\n",
    );
    assert_eq!(m.tool.dispatch, Dispatch::Callback);
    assert!(matches!(m.backend, Backend::Callback));
}
