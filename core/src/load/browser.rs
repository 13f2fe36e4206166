//! `[browser]`: a browser driven over CDP, its scope, state and commands.

use super::args::{TypeCtx, check_name, scalar};
use super::codes;
use super::diag::Decorate;
use super::manifest::{check_command_tool_name, closed, command_args, positive, risk_tier};
use super::walk::{Cx, Sp, Tbl, type_name};
use crate::model::{
    AuthFlow, BrowserCommand, BrowserConnect, BrowserEngine, BrowserScope, BrowserSpec,
    BrowserState, ExtractMode,
};

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

/// Decodes and checks `[browser]`; `None` after an error.
pub(crate) fn decode_browser(
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
    // An error in the commands and what follows means no spec (and no
    // `no-commands` warning on top).
    let mark = cx.sink.mark();
    let mut commands = Vec::new();
    if t.get("commands").is_some()
        && let Some(ct) = t.table(cx, "commands")
    {
        for (name, c) in ct.subtables(cx) {
            c.check_keys(cx, &["description", "risk_tier", "human_approval", "args"]);
            check_name(cx, "browser command", &name.v, name.span.clone());
            check_command_tool_name(cx, tool, &name.v, name.span.clone());
            let description = c.req_str(cx, "description");
            let risk = risk_tier(cx, &c);
            let human_approval = c.bool(cx, "human_approval").is_some_and(|b| b.v);
            let args = command_args(cx, &c, types);
            if let (Some(description), Some(risk_tier), Some(args)) = (description, risk, args) {
                commands.push(BrowserCommand {
                    name: name.v.into(),
                    description: description.v.into(),
                    risk_tier,
                    human_approval,
                    args: args.into(),
                })
            }
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
    if t.get("defaults").is_some()
        && let Some(d) = t.table(cx, "defaults")
    {
        for (k, v) in d.entries() {
            let key: &str = k.get_ref();
            if key == "extract_mode" {
                if let Some(m) = closed(cx, &d, "extract_mode", &modes) {
                    defaults_mode = m;
                }
                continue;
            }
            match scalar(v.get_ref()) {
                Ok(s) => defaults.push((key.to_string().into(), s)),
                Err(msg) => {
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
    if t.get("auth_flows").is_some()
        && let Some(af) = t.table(cx, "auth_flows")
    {
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
            // A missing key has been reported where it was read.
            if let (Some(l), Some(u), Some(p), Some(s), Some(r)) = (
                login_url,
                username_selector,
                password_selector,
                submit_selector,
                secret_ref,
            ) {
                auth_flows.push(AuthFlow {
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
                });
            }
        }
    }
    if commands.is_empty() && !cx.sink.errors_since(mark) {
        cx.sink
            .warn(
                &codes::NO_COMMANDS,
                t.span.clone(),
                "[browser] declares no [browser.commands.<name>]: the browser exposes nothing to call",
            )
            .help("add `[browser.commands.<name>]` with a `description`");
    }
    if cx.sink.errors_since(mark) {
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
