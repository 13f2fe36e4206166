//! The manifest as a whole: `[tool]`, the backend sections, `[output]`, session,
//! browser and `[source]`, and the checks that tie them together.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::args::{ArgInfo, TypeCtx, check_name, decode_args, scalar};
use super::codes;
use super::constraints::regex_error_line;
use super::diag::{Decorate, list_names};
use super::walk::{Cx, Sp, Tbl, type_name};
use super::{LoadOptions, command, defaults, http};
use crate::model::{
    Arg, AuthFlow, Backend, BrowserCommand, BrowserConnect, BrowserEngine, BrowserScope,
    BrowserSpec, BrowserState, Cedar, ChildDetection, Dispatch, Evidence, ExtractMode, Interaction,
    Manifest, Mode, Output, OutputFormat, Parser, Pattern, RiskTier, SessionCommand, SessionEvents,
    SessionSpec, SourceSpec, ToolMeta,
};

const ROOT_KEYS: &[&str] = &[
    "tool", "args", "command", "http", "mcp", "output", "session", "browser", "source",
];
const TOOL_KEYS: &[&str] = &[
    "name",
    "version",
    "binary",
    "description",
    "mode",
    "dispatch",
    "timeout_seconds",
    "risk_tier",
    "human_approval",
    "cedar",
    "evidence",
];
const BACKENDS: &[&str] = &["command", "http", "mcp", "session", "browser", "source"];

/// Decodes and checks a whole manifest. Returns `None` when it cannot be built
/// (errors were reported); `Some` may still come with errors, which the caller
/// turns into `None`.
pub(crate) fn decode(cx: &mut Cx<'_>, text: &str, opts: &LoadOptions) -> Option<Manifest> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        super::report_toml_errors(cx, &errors);
        return None;
    }
    let root = Tbl::new(root.get_ref(), "", 0..0);
    let Some(tool_tbl) = root.table(cx, "tool") else {
        if root.get("tool").is_none() {
            let keys: Vec<String> = root
                .entries()
                .iter()
                .map(|(k, _)| format!("[{}]", k.get_ref()))
                .collect();
            cx.sink
                .error(
                    &codes::NOT_A_MANIFEST,
                    0..0,
                    "this TOML file is not a ToolClad manifest: it has no [tool] table",
                )
                .help("a manifest starts with `[tool]` (name, version, description), then `[args.<name>]`, a backend such as `[command]`, and `[output]`")
                .note(if keys.is_empty() {
                    "the file is empty".to_string()
                } else {
                    format!("top-level tables found: {}", keys.join(", "))
                });
        }
        return None;
    };
    root.check_keys(cx, ROOT_KEYS);

    let types = TypeCtx {
        custom: opts.custom_types.as_ref(),
        externs: &opts.extern_types,
    };
    let (args, infos) = match root.table(cx, "args") {
        Some(t) => decode_args(cx, &t, &types),
        None => (Vec::new(), Vec::new()),
    };
    defaults::check_defaults(cx, &args, &infos);

    let tool = decode_tool(cx, &tool_tbl);

    // Which backend sections exist.
    let present: Vec<(&str, Range<usize>)> = BACKENDS
        .iter()
        .filter_map(|&b| {
            root.get(b)
                .map(|(k, v)| (b, section_span(k.span(), v.span())))
        })
        .collect();
    let dispatch = tool.dispatch.as_ref().map_or(Dispatch::Exec, |d| d.v);
    let output_tbl = root.table(cx, "output");
    let backend = select_backend(cx, &root, &tool, dispatch, &present, &args, &infos, &types);
    let output = output_tbl.as_ref().and_then(|t| decode_output(cx, t));
    if dispatch == Dispatch::Exec
        && root.get("output").is_none()
        && !matches!(backend, Some(Backend::Source(_)))
        && !present.is_empty()
    {
        cx.sink
            .error(
                &codes::MISSING_OUTPUT,
                tool_tbl.span.clone(),
                "this manifest runs a backend but has no [output] table",
            )
            .help("add `[output]` with `format = \"text\"` (or json, jsonl, csv, xml), or set `dispatch = \"callback\"` in [tool] for a validator-only manifest");
    }

    let name = tool.name?;
    let version = tool.version?;
    let description = tool.description?;
    if !tool.mode_ok {
        return None;
    }
    let mode = match &backend {
        Some(Backend::Session(_)) => Mode::Session,
        Some(Backend::Browser(_)) => Mode::Browser,
        _ => Mode::Oneshot,
    };
    Some(Manifest {
        tool: ToolMeta {
            name: name.into(),
            version: version.into(),
            binary: tool.binary.map(Into::into),
            description: description.into(),
            mode,
            dispatch,
            timeout_seconds: tool.timeout_seconds?,
            risk_tier: tool.risk_tier?,
            human_approval: tool.human_approval,
            cedar: tool.cedar?,
            evidence: tool.evidence?,
        },
        args: args.into(),
        backend: backend?,
        output,
    })
}

/// The span to point at for a section: its header (or inline table).
fn section_span(key: Range<usize>, value: Range<usize>) -> Range<usize> {
    if value.start <= key.start && value.end >= key.end {
        value
    } else {
        key
    }
}

struct RawTool {
    span: Range<usize>,
    name: Option<String>,
    version: Option<String>,
    binary: Option<String>,
    description: Option<String>,
    mode: Option<Sp<Mode>>,
    /// False when `mode` was written but invalid (already reported).
    mode_ok: bool,
    dispatch: Option<Sp<Dispatch>>,
    timeout_seconds: Option<u64>,
    risk_tier: Option<RiskTier>,
    human_approval: bool,
    cedar: Option<Option<Cedar>>,
    evidence: Option<Option<Evidence>>,
}

/// Reads a string naming one of a closed set of values.
pub(crate) fn closed<T: Copy>(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    key: &str,
    values: &[(&'static str, T)],
) -> Option<Option<Sp<T>>> {
    let Some(s) = t.str(cx, key) else {
        return if t.get(key).is_some() {
            None
        } else {
            Some(None)
        };
    };
    if let Some((_, v)) = values.iter().find(|(n, _)| *n == s.v) {
        return Some(Some(Sp::new(*v, s.span)));
    }
    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    let d = cx.sink.error(
        &codes::INVALID_VALUE,
        s.span.clone(),
        format!("`{}` has invalid value `{}`", t.key_path(key), s.v),
    );
    if let Some(sug) = super::diag::did_you_mean(&s.v, names.iter().copied()) {
        d.help(format!("did you mean `{sug}`?"));
    }
    d.note(format!(
        "`{}` must be one of: {}",
        t.key_path(key),
        list_names(names)
    ));
    None
}

const MODES: &[(&str, Mode)] = &[
    ("oneshot", Mode::Oneshot),
    ("session", Mode::Session),
    ("browser", Mode::Browser),
];
const DISPATCHES: &[(&str, Dispatch)] =
    &[("exec", Dispatch::Exec), ("callback", Dispatch::Callback)];

fn risk_tiers() -> Vec<(&'static str, RiskTier)> {
    RiskTier::ALL.iter().map(|t| (t.as_str(), *t)).collect()
}

/// `risk_tier` (default `low`); `None` after an error.
fn risk_tier(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Option<RiskTier> {
    closed(cx, t, "risk_tier", &risk_tiers()).map(|r| r.map_or(RiskTier::Low, |r| r.v))
}

/// A timeout or count that must be at least 1.
fn positive(cx: &mut Cx<'_>, t: &Tbl<'_, '_>, key: &str, default: u64) -> Option<u64> {
    match t.get(key) {
        None => Some(default),
        Some(_) => {
            let v = t.u64(cx, key)?;
            if v.v == 0 {
                cx.sink
                    .error(
                        &codes::BAD_TIMEOUT,
                        v.span,
                        format!("`{}` must be at least 1", t.key_path(key)),
                    )
                    .help(format!("remove it to use the default ({default}), or set a positive value"))
                    .note("implementations disagree on what 0 means (no limit, the default, or an immediate timeout), so cladgen refuses it");
                None
            } else {
                Some(v.v)
            }
        }
    }
}

fn decode_tool(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> RawTool {
    t.check_keys(cx, TOOL_KEYS);
    let name = t.req_str(cx, "name");
    if let Some(n) = &name {
        check_name(cx, "tool", &n.v, n.span.clone());
    }
    let version = t.req_str(cx, "version").map(|s| s.v);
    let binary = t.str(cx, "binary").map(|s| s.v);
    let description = t.req_str(cx, "description").map(|s| s.v);
    let mode = closed(cx, t, "mode", MODES);
    let dispatch = closed(cx, t, "dispatch", DISPATCHES);
    let timeout_seconds = positive(cx, t, "timeout_seconds", 30);
    let risk_tier = risk_tier(cx, t);
    let human_approval = t.bool(cx, "human_approval").is_some_and(|b| b.v);
    let cedar = match t.get("cedar") {
        None => Some(None),
        Some(_) => t.table(cx, "cedar").and_then(|c| {
            c.check_keys(cx, &["resource", "action"]);
            let resource = c.req_str(cx, "resource");
            let action = c.req_str(cx, "action");
            Some(Some(Cedar {
                resource: resource?.v.into(),
                action: action?.v.into(),
            }))
        }),
    };
    let evidence = match t.get("evidence") {
        None => Some(None),
        Some(_) => t.table(cx, "evidence").and_then(|e| {
            e.check_keys(cx, &["output_dir", "capture", "hash", "screenshots"]);
            let output_dir = e.req_str(cx, "output_dir");
            let capture = e.bool(cx, "capture").is_none_or(|b| b.v);
            let hash = closed(cx, &e, "hash", &[("sha256", "sha256")]);
            let screenshots = e.bool(cx, "screenshots").is_some_and(|b| b.v);
            Some(Some(Evidence {
                output_dir: output_dir?.v.into(),
                capture,
                hash: hash?.map_or("sha256", |h| h.v).into(),
                screenshots,
            }))
        }),
    };
    RawTool {
        span: t.span.clone(),
        name: name.map(|n| n.v),
        version,
        binary,
        description,
        mode: mode.clone().flatten(),
        // The mode itself is taken from the backend section (see `decode`).
        mode_ok: mode.is_some(),
        dispatch: dispatch.flatten(),
        timeout_seconds,
        risk_tier,
        human_approval,
        cedar,
        evidence,
    }
}

#[allow(clippy::too_many_arguments)]
fn select_backend(
    cx: &mut Cx<'_>,
    root: &Tbl<'_, '_>,
    tool: &RawTool,
    dispatch: Dispatch,
    present: &[(&str, Range<usize>)],
    args: &[Arg],
    infos: &[ArgInfo],
    types: &TypeCtx<'_>,
) -> Option<Backend> {
    // Decode every present section so that all of their problems are reported.
    let mut decoded: Vec<(&str, Option<Backend>)> = Vec::new();
    for (name, _) in present {
        let b = match *name {
            "command" => root
                .table(cx, "command")
                .and_then(|t| command::decode_command(cx, &t, args, infos))
                .map(Backend::Command),
            "http" => root
                .table(cx, "http")
                .and_then(|t| http::decode_http(cx, &t, args, infos))
                .map(Backend::Http),
            "mcp" => root
                .table(cx, "mcp")
                .and_then(|t| http::decode_mcp(cx, &t, args, infos))
                .map(Backend::Mcp),
            "session" => root
                .table(cx, "session")
                .and_then(|t| decode_session(cx, &t, types, tool.name.as_deref()))
                .map(Backend::Session),
            "browser" => root
                .table(cx, "browser")
                .and_then(|t| decode_browser(cx, &t, types, tool.name.as_deref()))
                .map(Backend::Browser),
            "source" => root.table(cx, "source").and_then(|t| {
                t.check_keys(cx, &["operation"]);
                let op = t.req_str(cx, "operation")?;
                if op.v.trim().is_empty() {
                    cx.sink.error(
                        &codes::MISSING_KEY,
                        op.span,
                        "`source.operation` must name the operation the host implements",
                    );
                    return None;
                }
                Some(Backend::Source(SourceSpec {
                    operation: op.v.into(),
                }))
            }),
            _ => None,
        };
        decoded.push((name, b));
    }

    let inferred = match present.first().map(|(n, _)| *n) {
        Some("session") => Mode::Session,
        Some("browser") => Mode::Browser,
        _ => Mode::Oneshot,
    };
    if let (Some(mode), Some((section, span))) = (&tool.mode, present.first())
        && present.len() == 1
        && mode.v != inferred
    {
        cx.sink
            .error(
                &codes::MODE_MISMATCH,
                mode.span.clone(),
                format!(
                    "`tool.mode = \"{}\"` contradicts the [{section}] section, which runs in mode `{}`",
                    mode.v.as_str(),
                    inferred.as_str()
                ),
            )
            .label(span.clone(), format!("[{section}] is here"))
            .help(format!(
                "remove `mode` (it is inferred from the backend section) or set `mode = \"{}\"`",
                inferred.as_str()
            ));
    }
    if let (Some(mode), Dispatch::Callback) = (&tool.mode, dispatch)
        && mode.v != Mode::Oneshot
    {
        cx.sink
            .error(
                &codes::MODE_MISMATCH,
                mode.span.clone(),
                format!(
                    "`tool.mode = \"{}\"` needs a [{}] section, but `dispatch = \"callback\"` runs nothing",
                    mode.v.as_str(),
                    mode.v.as_str()
                ),
            )
            .help("remove `mode`: callback manifests are oneshot");
    }

    match dispatch {
        Dispatch::Callback => {
            for (section, span) in present {
                cx.sink
                    .error(
                        &codes::CALLBACK_WITH_BACKEND,
                        span.clone(),
                        format!(
                            "`dispatch = \"callback\"` means the host runs the tool, but the manifest also has a [{section}] section"
                        ),
                    )
                    .help(format!(
                        "remove [{section}], or remove `dispatch = \"callback\"` to run it"
                    ));
            }
            if present.is_empty() {
                Some(Backend::Callback)
            } else {
                None
            }
        }
        Dispatch::Exec => {
            if present.is_empty() {
                cx.sink
                    .error(
                        &codes::MISSING_BACKEND,
                        tool.span.clone(),
                        "this manifest has no backend: nothing would run",
                    )
                    .help("add one of [command] (template, exec or executor), [http], [mcp], [session], [browser] or [source], or set `dispatch = \"callback\"` in [tool] for a validator-only manifest");
                return None;
            }
            if present.len() > 1 {
                let names: Vec<String> = present.iter().map(|(n, _)| format!("[{n}]")).collect();
                let mut first = true;
                for (section, span) in present.iter().skip(1) {
                    let d = cx.sink.error(
                        &codes::MULTIPLE_BACKENDS,
                        span.clone(),
                        format!(
                            "a manifest has exactly one backend, but this one has {}",
                            names.join(", ")
                        ),
                    );
                    if first {
                        if let Some((f, fspan)) = present.first() {
                            d.label(fspan.clone(), format!("[{f}] is here"));
                        }
                        first = false;
                    }
                    d.help(format!("move [{section}] into a manifest of its own"));
                }
                return None;
            }
            let (_, backend) = decoded.into_iter().next()?;
            backend
        }
    }
}

fn decode_output(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Option<Output> {
    t.check_keys(cx, &["format", "parser", "envelope", "schema"]);
    let formats: Vec<(&str, OutputFormat)> =
        OutputFormat::ALL.iter().map(|f| (f.as_str(), *f)).collect();
    let format = match t.get("format") {
        None => {
            t.missing(cx, "format", "\"text\"");
            None
        }
        Some(_) => closed(cx, t, "format", &formats).flatten(),
    };
    let parser = match t.str(cx, "parser") {
        None if t.get("parser").is_some() => None,
        None => format.as_ref().map(|f| Parser::Builtin(f.v)),
        Some(p) => {
            if let Some(b) = p.v.strip_prefix("builtin:") {
                match OutputFormat::from_name(b) {
                    Some(f) => Some(Parser::Builtin(f)),
                    None => {
                        cx.sink
                            .error(
                                &codes::INVALID_VALUE,
                                p.span.clone(),
                                format!("`output.parser` names an unknown built-in parser `{b}`"),
                            )
                            .note(format!(
                                "built-in parsers are: {}",
                                list_names(formats.iter().map(|(n, _)| *n))
                            ));
                        None
                    }
                }
            } else if let Some(c) = p.v.strip_prefix("custom:").filter(|c| !c.is_empty()) {
                Some(Parser::Custom(c.to_string().into()))
            } else {
                cx.sink
                    .error(
                        &codes::INVALID_VALUE,
                        p.span.clone(),
                        format!("`output.parser` must be `builtin:<format>` or `custom:<path>`, found `{}`", p.v),
                    )
                    .help("e.g. `parser = \"builtin:json\"`");
                None
            }
        }
    };
    let envelope = t.bool(cx, "envelope").is_none_or(|b| b.v);
    let schema_json = match t.get("schema") {
        None => Some("{\"type\":\"object\"}".to_string()),
        Some((_, v)) => match v.get_ref() {
            DeValue::Table(_) => {
                to_json(cx, v.get_ref(), v.span(), "output.schema").map(|j| j.to_string())
            }
            other => {
                cx.sink.error(
                    &codes::WRONG_TYPE,
                    v.span(),
                    format!(
                        "`output.schema` must be a table (a JSON Schema), found {}",
                        type_name(other)
                    ),
                );
                None
            }
        },
    };
    Some(Output {
        format: format?.v,
        parser: parser?,
        envelope,
        schema_json: schema_json?.into(),
    })
}

/// A TOML value as JSON (datetimes have no JSON form and are refused).
fn to_json(
    cx: &mut Cx<'_>,
    v: &DeValue<'_>,
    span: Range<usize>,
    path: &str,
) -> Option<serde_json::Value> {
    Some(match v {
        DeValue::String(s) => serde_json::Value::String(s.to_string()),
        DeValue::Boolean(b) => serde_json::Value::Bool(*b),
        DeValue::Integer(_) | DeValue::Float(_) => match scalar(v) {
            Ok(s) => s.to_json(),
            Err(msg) => {
                cx.sink
                    .error(&codes::WRONG_TYPE, span, format!("`{path}` must be {msg}"));
                return None;
            }
        },
        DeValue::Datetime(_) => {
            cx.sink.error(
                &codes::WRONG_TYPE,
                span,
                format!("`{path}` is a datetime, which JSON Schema cannot hold"),
            );
            return None;
        }
        DeValue::Array(a) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, e) in a.iter().enumerate() {
                match to_json(cx, e.get_ref(), e.span(), &format!("{path}[{i}]")) {
                    Some(j) => out.push(j),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            serde_json::Value::Array(out)
        }
        DeValue::Table(t) => {
            let mut out = serde_json::Map::new();
            let mut ok = true;
            let mut entries: Vec<_> = t.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            for (k, e) in entries {
                let key: &str = k.get_ref();
                match to_json(cx, e.get_ref(), e.span(), &format!("{path}.{key}")) {
                    Some(j) => {
                        out.insert(key.to_string(), j);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            serde_json::Value::Object(out)
        }
    })
}

/// Compiles a regex written in the manifest, reporting `bad-regex` at its span.
pub(crate) fn pattern(cx: &mut Cx<'_>, s: &Sp<String>, what: &str) -> Option<Pattern> {
    match Pattern::new(s.v.clone()) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.sink
                .error(
                    &codes::BAD_REGEX,
                    s.span.clone(),
                    format!("{what} is not a valid regex: {}", regex_error_line(&e)),
                )
                .note("patterns use the syntax of the Rust `regex` crate (no look-around, no backreferences)");
            None
        }
    }
}

/// Decodes the `args` of a session or browser command (may be absent).
fn command_args(cx: &mut Cx<'_>, t: &Tbl<'_, '_>, types: &TypeCtx<'_>) -> Option<Vec<Arg>> {
    match t.get("args") {
        None => Some(Vec::new()),
        Some(_) => {
            let at = t.table(cx, "args")?;
            let (args, infos) = decode_args(cx, &at, types);
            defaults::check_defaults(cx, &args, &infos);
            Some(args)
        }
    }
}

const SESSION_KEYS: &[&str] = &[
    "startup_command",
    "ready_pattern",
    "startup_timeout_seconds",
    "idle_timeout_seconds",
    "session_timeout_seconds",
    "max_interactions",
    "interaction",
    "commands",
    "child_detection",
    "events",
];

fn decode_session(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    types: &TypeCtx<'_>,
    tool: Option<&str>,
) -> Option<SessionSpec> {
    t.check_keys(cx, SESSION_KEYS);
    let startup = t.req_str(cx, "startup_command");
    let startup_argv = startup.as_ref().and_then(|s| {
        match super::template::split_words(&s.v) {
            Ok(words) if !words.is_empty() && words.first().is_some_and(|w| !w.is_empty()) => Some(words),
            Ok(_) => {
                cx.sink.error(
                    &codes::EMPTY_COMMAND,
                    s.span.clone(),
                    "`session.startup_command` names no program",
                );
                None
            }
            Err(e) => {
                let span = super::command::inner_span(cx.source(), &s.span, &s.v, e.span());
                cx.sink
                    .error(
                        &codes::TEMPLATE_SYNTAX,
                        span,
                        format!("`session.startup_command`: {}", e.message),
                    )
                    .note("the command is split with POSIX shell quoting at build time; no shell ever runs");
                None
            }
        }
    });
    let ready = t.req_str(cx, "ready_pattern");
    let ready_pattern = ready
        .as_ref()
        .and_then(|r| pattern(cx, r, "`session.ready_pattern`"));
    let startup_timeout_seconds = positive(cx, t, "startup_timeout_seconds", 30);
    let idle_timeout_seconds = positive(cx, t, "idle_timeout_seconds", 300);
    let session_timeout_seconds = positive(cx, t, "session_timeout_seconds", 1800);
    let max_interactions = positive(cx, t, "max_interactions", 100);
    let interaction = match t.get("interaction") {
        None => Some(Interaction {
            input_sanitize: Vec::new().into(),
            output_max_bytes: 1_048_576,
            output_wait_ms: 2000,
        }),
        Some(_) => t.table(cx, "interaction").and_then(|it| {
            it.check_keys(
                cx,
                &["input_sanitize", "output_max_bytes", "output_wait_ms"],
            );
            let input_sanitize = match it.get("input_sanitize") {
                None => Some(Vec::new()),
                Some(_) => it.str_list(cx, "input_sanitize").map(|l| l.v),
            };
            let output_max_bytes = positive(cx, &it, "output_max_bytes", 1_048_576);
            let output_wait_ms = positive(cx, &it, "output_wait_ms", 2000);
            Some(Interaction {
                input_sanitize: input_sanitize?
                    .into_iter()
                    .map(|s| s.v.into())
                    .collect::<Vec<_>>()
                    .into(),
                output_max_bytes: output_max_bytes?,
                output_wait_ms: output_wait_ms?,
            })
        }),
    };
    let mut ok = true;
    let mut commands = Vec::new();
    if t.get("commands").is_some() {
        if let Some(ct) = t.table(cx, "commands") {
            for (name, c) in ct.subtables(cx) {
                c.check_keys(
                    cx,
                    &[
                        "pattern",
                        "description",
                        "risk_tier",
                        "human_approval",
                        "extract_target",
                        "args",
                    ],
                );
                ok &= check_name(cx, "session command", &name.v, name.span.clone());
                ok &= check_command_tool_name(cx, tool, &name.v, name.span.clone());
                let pat = c.req_str(cx, "pattern");
                let pat = pat.as_ref().and_then(|p| {
                    pattern(cx, p, &format!("`pattern` of session command `{}`", name.v))
                });
                let description = c.req_str(cx, "description");
                let risk = risk_tier(cx, &c);
                let human_approval = c.bool(cx, "human_approval").is_some_and(|b| b.v);
                let extract_target = c.bool(cx, "extract_target").is_some_and(|b| b.v);
                let args = command_args(cx, &c, types);
                if let Some(a) = args.iter().flatten().find(|a| a.name == "command") {
                    cx.sink
                        .error(
                            &codes::RESERVED_ARGUMENT,
                            name.span.clone(),
                            format!(
                                "session command `{}` declares an argument named `command`, which carries the command text",
                                name.v
                            ),
                        )
                        .help(format!(
                            "rename the argument `{}`; the command text is always the `command` field",
                            a.name
                        ));
                    ok = false;
                }
                match (pat, description, risk, args) {
                    (Some(pattern), Some(description), Some(risk_tier), Some(args)) => {
                        commands.push(SessionCommand {
                            name: name.v.into(),
                            pattern,
                            description: description.v.into(),
                            risk_tier,
                            human_approval,
                            extract_target,
                            args: args.into(),
                        });
                    }
                    _ => ok = false,
                }
            }
        } else {
            ok = false;
        }
    }
    if ok && commands.is_empty() {
        cx.sink
            .warn(
                &codes::NO_COMMANDS,
                t.span.clone(),
                "[session] declares no [session.commands.<name>]: the session exposes nothing to call",
            )
            .help("add `[session.commands.<name>]` with `pattern` and `description`");
    }
    let child_detection = match t.get("child_detection") {
        None => Some(None),
        Some(_) => t.table(cx, "child_detection").and_then(|c| {
            c.check_keys(cx, &["pattern", "type", "manifest"]);
            let p = c.req_str(cx, "pattern");
            let p = p
                .as_ref()
                .and_then(|p| pattern(cx, p, "`session.child_detection.pattern`"));
            let kind = c.req_str(cx, "type");
            let manifest = c.req_str(cx, "manifest");
            Some(Some(ChildDetection {
                pattern: p?,
                kind: kind?.v.into(),
                manifest: manifest?.v.into(),
            }))
        }),
    };
    let events = match t.get("events") {
        None => Some(None),
        Some(_) => t.table(cx, "events").and_then(|e| {
            e.check_keys(
                cx,
                &[
                    "enabled",
                    "max_queue_depth",
                    "poll_interval_ms",
                    "event_types",
                    "ttl_seconds",
                ],
            );
            let enabled = e.bool(cx, "enabled").is_none_or(|b| b.v);
            let max_queue_depth = positive(cx, &e, "max_queue_depth", 1000);
            let poll_interval_ms = positive(cx, &e, "poll_interval_ms", 1000);
            let event_types = match e.get("event_types") {
                None => Some(Vec::new()),
                Some(_) => e.str_list(cx, "event_types").map(|l| l.v),
            };
            let ttl_seconds = positive(cx, &e, "ttl_seconds", 3600);
            Some(Some(SessionEvents {
                enabled,
                max_queue_depth: max_queue_depth?,
                poll_interval_ms: poll_interval_ms?,
                event_types: event_types?
                    .into_iter()
                    .map(|s| s.v.into())
                    .collect::<Vec<_>>()
                    .into(),
                ttl_seconds: ttl_seconds?,
            }))
        }),
    };
    if !ok {
        return None;
    }
    Some(SessionSpec {
        startup_command: startup?.v.into(),
        startup_argv: startup_argv?
            .into_iter()
            .map(Into::into)
            .collect::<Vec<_>>()
            .into(),
        ready_pattern: ready_pattern?,
        startup_timeout_seconds: startup_timeout_seconds?,
        idle_timeout_seconds: idle_timeout_seconds?,
        session_timeout_seconds: session_timeout_seconds?,
        max_interactions: max_interactions?,
        interaction: interaction?,
        commands: commands.into(),
        child_detection: child_detection?,
        events: events?,
    })
}

const BROWSER_KEYS: &[&str] = &[
    "engine",
    "headless",
    "connect",
    "extract_mode",
    "startup_timeout_seconds",
    "session_timeout_seconds",
    "idle_timeout_seconds",
    "max_interactions",
    "scope",
    "commands",
    "state",
    "defaults",
    "auth_flows",
];
const AUTH_FLOW_KEYS: &[&str] = &[
    "login_url",
    "username_selector",
    "password_selector",
    "submit_selector",
    "success_indicator",
    "secret_ref",
    "mfa_handler",
    "mfa_selector",
    "mfa_secret_ref",
];

fn decode_browser(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    types: &TypeCtx<'_>,
    tool: Option<&str>,
) -> Option<BrowserSpec> {
    t.check_keys(cx, BROWSER_KEYS);
    let engines: Vec<(&str, BrowserEngine)> = BrowserEngine::ALL
        .iter()
        .map(|e| (e.as_str(), *e))
        .collect();
    let engine = closed(cx, t, "engine", &engines).map(|e| e.map_or(BrowserEngine::Cdp, |e| e.v));
    let headless = t.bool(cx, "headless").is_none_or(|b| b.v);
    let connects = [
        ("launch", BrowserConnect::Launch),
        ("live", BrowserConnect::Live),
    ];
    let connect =
        closed(cx, t, "connect", &connects).map(|c| c.map_or(BrowserConnect::Launch, |c| c.v));
    let modes: Vec<(&str, ExtractMode)> =
        ExtractMode::ALL.iter().map(|m| (m.as_str(), *m)).collect();
    let top_mode = closed(cx, t, "extract_mode", &modes);
    let startup_timeout_seconds = positive(cx, t, "startup_timeout_seconds", 30);
    let session_timeout_seconds = positive(cx, t, "session_timeout_seconds", 1800);
    let idle_timeout_seconds = positive(cx, t, "idle_timeout_seconds", 300);
    let max_interactions = positive(cx, t, "max_interactions", 100);
    let scope = match t.get("scope") {
        None => Some(None),
        Some(_) => t.table(cx, "scope").and_then(|s| {
            s.check_keys(
                cx,
                &["allowed_domains", "blocked_domains", "allow_external"],
            );
            let list = |cx: &mut Cx<'_>, k: &str| match s.get(k) {
                None => Some(Vec::new()),
                Some(_) => s.str_list(cx, k).map(|l| l.v),
            };
            let allowed = list(cx, "allowed_domains");
            let blocked = list(cx, "blocked_domains");
            let allow_external = s.bool(cx, "allow_external").is_some_and(|b| b.v);
            Some(Some(BrowserScope {
                allowed_domains: allowed?
                    .into_iter()
                    .map(|d| d.v.into())
                    .collect::<Vec<_>>()
                    .into(),
                blocked_domains: blocked?
                    .into_iter()
                    .map(|d| d.v.into())
                    .collect::<Vec<_>>()
                    .into(),
                allow_external,
            }))
        }),
    };
    let mut ok = true;
    let mut commands = Vec::new();
    if t.get("commands").is_some() {
        if let Some(ct) = t.table(cx, "commands") {
            for (name, c) in ct.subtables(cx) {
                c.check_keys(cx, &["description", "risk_tier", "human_approval", "args"]);
                ok &= check_name(cx, "browser command", &name.v, name.span.clone());
                ok &= check_command_tool_name(cx, tool, &name.v, name.span.clone());
                let description = c.req_str(cx, "description");
                let risk = risk_tier(cx, &c);
                let human_approval = c.bool(cx, "human_approval").is_some_and(|b| b.v);
                let args = command_args(cx, &c, types);
                match (description, risk, args) {
                    (Some(description), Some(risk_tier), Some(args)) => {
                        commands.push(BrowserCommand {
                            name: name.v.into(),
                            description: description.v.into(),
                            risk_tier,
                            human_approval,
                            args: args.into(),
                        })
                    }
                    _ => ok = false,
                }
            }
        } else {
            ok = false;
        }
    }
    let state = match t.get("state") {
        None => Some(None),
        Some(_) => t.table(cx, "state").and_then(|s| {
            s.check_keys(cx, &["fields"]);
            let fields = match s.get("fields") {
                None => Some(Vec::new()),
                Some(_) => s.str_list(cx, "fields").map(|l| l.v),
            };
            Some(Some(BrowserState {
                fields: fields?
                    .into_iter()
                    .map(|f| f.v.into())
                    .collect::<Vec<_>>()
                    .into(),
            }))
        }),
    };
    // `[browser.defaults]`: free-form scalars; `extract_mode` is where the spec puts it.
    let mut defaults = Vec::new();
    let mut defaults_mode: Option<Sp<ExtractMode>> = None;
    if t.get("defaults").is_some() {
        if let Some(d) = t.table(cx, "defaults") {
            for (k, v) in d.entries() {
                let key: &str = k.get_ref();
                if key == "extract_mode" {
                    match closed(cx, &d, "extract_mode", &modes) {
                        Some(m) => defaults_mode = m,
                        None => ok = false,
                    }
                    continue;
                }
                match scalar(v.get_ref()) {
                    Ok(s) => defaults.push((key.to_string().into(), s)),
                    Err(msg) => {
                        ok = false;
                        cx.sink.error(
                            &codes::WRONG_TYPE,
                            v.span(),
                            format!(
                                "`browser.defaults.{key}` must be {msg}, found {}",
                                type_name(v.get_ref())
                            ),
                        );
                    }
                }
            }
        } else {
            ok = false;
        }
    }
    let extract_mode = match (top_mode, defaults_mode) {
        (None, _) => None,
        (Some(Some(a)), Some(b)) if a.v != b.v => {
            cx.sink
                .error(
                    &codes::CONFLICTING_VALUE,
                    b.span.clone(),
                    format!(
                        "`browser.defaults.extract_mode = \"{}\"` contradicts `browser.extract_mode = \"{}\"`",
                        b.v.as_str(),
                        a.v.as_str()
                    ),
                )
                .label(a.span.clone(), "also set here")
                .help("set `extract_mode` in one place only");
            None
        }
        (Some(Some(a)), _) => Some(a.v),
        (Some(None), Some(b)) => Some(b.v),
        (Some(None), None) => Some(ExtractMode::AccessibilityTree),
    };
    let mut auth_flows = Vec::new();
    if t.get("auth_flows").is_some() {
        if let Some(af) = t.table(cx, "auth_flows") {
            for (name, f) in af.subtables(cx) {
                f.check_keys(cx, AUTH_FLOW_KEYS);
                let login_url = f.req_str(cx, "login_url");
                let username_selector = f.req_str(cx, "username_selector");
                let password_selector = f.req_str(cx, "password_selector");
                let submit_selector = f.req_str(cx, "submit_selector");
                let secret_ref = f.req_str(cx, "secret_ref");
                let opt = |cx: &mut Cx<'_>, k: &str| f.str(cx, k).map(|s| s.v.into());
                let success_indicator = opt(cx, "success_indicator");
                let mfa_handler = opt(cx, "mfa_handler");
                let mfa_selector = opt(cx, "mfa_selector");
                let mfa_secret_ref = opt(cx, "mfa_secret_ref");
                match (
                    login_url,
                    username_selector,
                    password_selector,
                    submit_selector,
                    secret_ref,
                ) {
                    (Some(l), Some(u), Some(p), Some(s), Some(r)) => auth_flows.push(AuthFlow {
                        name: name.v.into(),
                        login_url: l.v.into(),
                        username_selector: u.v.into(),
                        password_selector: p.v.into(),
                        submit_selector: s.v.into(),
                        success_indicator,
                        secret_ref: r.v.into(),
                        mfa_handler,
                        mfa_selector,
                        mfa_secret_ref,
                    }),
                    _ => ok = false,
                }
            }
        } else {
            ok = false;
        }
    }
    if ok && commands.is_empty() {
        cx.sink
            .warn(
                &codes::NO_COMMANDS,
                t.span.clone(),
                "[browser] declares no [browser.commands.<name>]: the browser exposes nothing to call",
            )
            .help("add `[browser.commands.<name>]` with a `description`");
    }
    if !ok {
        return None;
    }
    Some(BrowserSpec {
        engine: engine?,
        headless,
        connect: connect?,
        extract_mode: extract_mode?,
        startup_timeout_seconds: startup_timeout_seconds?,
        session_timeout_seconds: session_timeout_seconds?,
        idle_timeout_seconds: idle_timeout_seconds?,
        max_interactions: max_interactions?,
        scope: scope?,
        commands: commands.into(),
        state: state?,
        defaults: defaults.into(),
        auth_flows: auth_flows.into(),
    })
}

/// LLMs see session and browser commands as tools named `<tool>__<command>`, which
/// every provider limits to 64 characters.
fn check_command_tool_name(
    cx: &mut Cx<'_>,
    tool: Option<&str>,
    command: &str,
    span: Range<usize>,
) -> bool {
    let Some(tool) = tool else { return true };
    let len = tool.len() + 2 + command.len();
    if len <= 64 {
        return true;
    }
    cx.sink
        .error(
            &codes::TOOL_NAME_TOO_LONG,
            span,
            format!(
                "the command is exposed to LLMs as `{tool}__{command}`, {len} characters; providers accept at most 64"
            ),
        )
        .help("shorten the tool name or the command name");
    false
}
