//! The manifest as a whole: `[tool]`, the choice of backend section, `[output]`,
//! `[source]`, and the checks that tie them together (`[command]`, `[http]`,
//! `[session]` and `[browser]` have files of their own).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::args::{ArgInfo, TypeCtx, check_name, decode_args, scalar};
use super::codes;
use super::constraints::regex_error_line;
use super::diag::{Decorate, list_names};
use super::walk::{Cx, Sp, Tbl, type_name};
use super::{LoadOptions, browser, command, defaults, http, session};
use crate::model::{
    Arg, Backend, Cedar, Dispatch, Evidence, Manifest, Mode, Output, OutputFormat, Parser, Pattern,
    RiskTier, SourceSpec, ToolMeta,
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
pub(crate) fn risk_tier(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Option<RiskTier> {
    closed(cx, t, "risk_tier", &risk_tiers()).map(|r| r.map_or(RiskTier::Low, |r| r.v))
}

/// A timeout or count that must be at least 1.
pub(crate) fn positive(cx: &mut Cx<'_>, t: &Tbl<'_, '_>, key: &str, default: u64) -> Option<u64> {
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
                .and_then(|t| session::decode_session(cx, &t, types, tool.name.as_deref()))
                .map(Backend::Session),
            "browser" => root
                .table(cx, "browser")
                .and_then(|t| browser::decode_browser(cx, &t, types, tool.name.as_deref()))
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
                to_json(cx, v.get_ref(), v.span(), "output.schema", 1).map(|j| j.to_string())
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

/// How deep `[output.schema]` may nest (objects and arrays, the schema itself being
/// level 1): its JSON is read back by parsers with a recursion limit (serde_json:
/// 128) after the envelope and the OpenAI strict flavour have wrapped it further.
pub(crate) const MAX_SCHEMA_DEPTH: usize = 32;

/// A TOML value as JSON (datetimes have no JSON form and are refused), at nesting
/// `depth` (containers deeper than [`MAX_SCHEMA_DEPTH`] are refused).
fn to_json(
    cx: &mut Cx<'_>,
    v: &DeValue<'_>,
    span: Range<usize>,
    path: &str,
    depth: usize,
) -> Option<serde_json::Value> {
    if depth > MAX_SCHEMA_DEPTH && matches!(v, DeValue::Array(_) | DeValue::Table(_)) {
        cx.sink
            .error(
                &codes::SCHEMA_TOO_DEEP,
                span,
                format!("`{path}` is nested {depth} levels deep; an output schema may nest at most {MAX_SCHEMA_DEPTH}"),
            )
            .help("flatten the schema, or describe this part loosely (`{ type = \"object\" }`)");
        return None;
    }
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
                match to_json(
                    cx,
                    e.get_ref(),
                    e.span(),
                    &format!("{path}[{i}]"),
                    depth + 1,
                ) {
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
                match to_json(
                    cx,
                    e.get_ref(),
                    e.span(),
                    &format!("{path}.{key}"),
                    depth + 1,
                ) {
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
pub(crate) fn command_args(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    types: &TypeCtx<'_>,
) -> Option<Vec<Arg>> {
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

/// LLMs see session and browser commands as tools named `<tool>__<command>`, which
/// every provider limits to 64 characters.
pub(crate) fn check_command_tool_name(
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
