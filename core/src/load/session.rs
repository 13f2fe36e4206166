//! `[session]`: an interactive program driven through a PTY, and its commands.

use super::args::{TypeCtx, check_name};
use super::codes;
use super::diag::Decorate;
use super::manifest::{check_command_tool_name, command_args, pattern, positive, risk_tier};
use super::walk::{Cx, Tbl};
use crate::model::{ChildDetection, Interaction, SessionCommand, SessionEvents, SessionSpec};

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

/// Decodes and checks `[session]`; `None` after an error.
pub(crate) fn decode_session(
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
    // An error in the commands and what follows means no spec (and no
    // `no-commands` warning on top).
    let mark = cx.sink.mark();
    let mut commands = Vec::new();
    if t.get("commands").is_some()
        && let Some(ct) = t.table(cx, "commands")
    {
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
                    "template",
                ],
            );
            check_name(cx, "session command", &name.v, name.span.clone());
            check_command_tool_name(cx, tool, &name.v, name.span.clone());
            let pat_src = c.req_str(cx, "pattern");
            let pat = pat_src.as_ref().and_then(|p| {
                pattern(cx, p, &format!("`pattern` of session command `{}`", name.v))
            });
            let template = c.str(cx, "template");
            let description = c.req_str(cx, "description");
            let risk = risk_tier(cx, &c);
            let human_approval = c.bool(cx, "human_approval").is_some_and(|b| b.v);
            let extract_target_sp = c.bool(cx, "extract_target");
            let extract_target = extract_target_sp.as_ref().is_some_and(|b| b.v);
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
            }
            // An argument named `command` is refused above; binding it would only
            // repeat that.
            let reserved = args.iter().flatten().any(|a| a.name == "command");
            let binding = match (&pat_src, &pat, &args) {
                (Some(src), Some(p), Some(a)) if !reserved => super::session_text::binding(
                    cx,
                    &c,
                    &name,
                    (src, p),
                    template.as_ref(),
                    a,
                    extract_target_sp.as_ref(),
                ),
                _ => None,
            };
            if let (Some(pattern), Some(description), Some(risk_tier), Some(args), Some(binding)) =
                (pat, description, risk, args, binding)
            {
                commands.push(SessionCommand {
                    name: name.v.into(),
                    pattern,
                    description: description.v.into(),
                    risk_tier,
                    human_approval,
                    extract_target,
                    args: args.into(),
                    binding,
                });
            }
        }
    }
    if commands.is_empty() && !cx.sink.errors_since(mark) {
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
    if cx.sink.errors_since(mark) {
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
