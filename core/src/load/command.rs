//! `[command]`: template / exec / executor, defaults, mappings and conditionals,
//! with every placeholder resolved.

use std::collections::BTreeSet;
use std::ops::Range;

use super::args::{ArgInfo, check_name, scalar};
use super::codes;
use super::diag::{Decorate, Severity, did_you_mean, list_names};
use super::template::{self, RawPiece, RawToken, SyntaxError, SyntaxErrorKind};
use super::walk::{Cx, Sp, Tbl, type_name};
use super::when::{self, RawExpr, RawLiteral};
use crate::model::{
    Arg, CommandRun, CommandSpec, Conditional, ExecVar, Expr, Literal, Mapping, MappingEntry,
    Piece, Scalar, Token, TypeKind,
};

const COMMAND_KEYS: &[&str] = &[
    "template",
    "exec",
    "executor",
    "defaults",
    "mappings",
    "conditionals",
];

/// Maps a byte range of a decoded TOML string back to the file, so that a caret can
/// point inside the string. Falls back to the whole value when the string's escapes
/// make the mapping unclear.
pub(crate) fn inner_span(
    source: &str,
    value_span: &Range<usize>,
    decoded: &str,
    inner: Range<usize>,
) -> Range<usize> {
    offsets(source, value_span, decoded)
        .and_then(|map| {
            let start = *map.get(inner.start)?;
            let end = *map.get(inner.end.max(inner.start))?;
            Some(start..end.max(start))
        })
        .unwrap_or_else(|| value_span.clone())
}

/// For every byte index of `decoded` (and its end), the file offset it came from.
fn offsets(source: &str, value_span: &Range<usize>, decoded: &str) -> Option<Vec<usize>> {
    let raw = source.get(value_span.clone())?;
    let (delim, basic) = if raw.starts_with("\"\"\"") {
        ("\"\"\"", true)
    } else if raw.starts_with("'''") {
        ("'''", false)
    } else if raw.starts_with('"') {
        ("\"", true)
    } else if raw.starts_with('\'') {
        ("'", false)
    } else {
        return None;
    };
    let multiline = delim.len() == 3;
    let body_start = value_span.start + delim.len();
    let body = raw.get(delim.len()..raw.len().checked_sub(delim.len())?)?;
    let mut pos = 0;
    if multiline {
        if body.starts_with("\r\n") {
            pos = 2;
        } else if body.starts_with('\n') {
            pos = 1;
        }
    }
    let bytes = body.as_bytes();
    let mut map = Vec::with_capacity(decoded.len() + 1);
    while pos < body.len() {
        let c = body.get(pos..)?.chars().next()?;
        if basic && c == '\\' {
            let next = body.get(pos + 1..)?.chars().next()?;
            let (len_raw, out_len) = match next {
                'b' | 't' | 'n' | 'f' | 'r' | '"' | '\\' | 'e' => (2, 1),
                'x' => (4, char_len(body.get(pos + 2..pos + 4)?)?),
                'u' => (6, char_len(body.get(pos + 2..pos + 6)?)?),
                'U' => (10, char_len(body.get(pos + 2..pos + 10)?)?),
                ' ' | '\t' | '\r' | '\n' if multiline => {
                    // Line-ending backslash: whitespace and newlines vanish.
                    let mut p = pos + 1;
                    while matches!(bytes.get(p), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                        p += 1;
                    }
                    pos = p;
                    continue;
                }
                _ => return None,
            };
            for _ in 0..out_len {
                map.push(body_start + pos);
            }
            pos += len_raw;
        } else {
            for i in 0..c.len_utf8() {
                map.push(body_start + pos + i);
            }
            pos += c.len_utf8();
        }
    }
    map.push(body_start + pos);
    (map.len() == decoded.len() + 1).then_some(map)
}

fn char_len(hex: &str) -> Option<usize> {
    let n = u32::from_str_radix(hex, 16).ok()?;
    char::from_u32(n).map(char::len_utf8)
}

/// A placeholder scope: what names resolve to, and what was used.
pub(crate) struct Scope<'a> {
    pub(crate) args: &'a [Arg],
    pub(crate) defaults: &'a [(Sp<String>, Scalar)],
    pub(crate) mappings: &'a [(String, usize)],
    pub(crate) conditionals: &'a [String],
    pub(crate) used_args: BTreeSet<usize>,
    pub(crate) used_mappings: BTreeSet<usize>,
    pub(crate) used_conditionals: BTreeSet<usize>,
    pub(crate) used_defaults: BTreeSet<usize>,
}

/// Where tokens come from, for messages and severity.
pub(crate) struct Origin<'a> {
    /// `command.template`, `conditional `x``, ...
    pub(crate) what: &'a str,
    /// The TOML string value.
    pub(crate) value: &'a Sp<String>,
    /// Errors become warnings in forms that never run.
    pub(crate) severity: Severity,
    /// Conditional fragments cannot refer to conditionals.
    pub(crate) allow_conditionals: bool,
}

impl Scope<'_> {
    fn all_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.args.iter().map(|a| a.name.to_string()).collect();
        v.extend(ExecVar::ALL.iter().map(|e| e.placeholder().to_string()));
        v.extend(self.defaults.iter().map(|(k, _)| k.v.clone()));
        v.extend(self.mappings.iter().map(|(a, _)| format!("_{a}_flags")));
        if self.mappings.len() == 1 {
            v.push("_scan_flags".into());
        }
        v.extend(self.conditionals.iter().map(|c| format!("_{c}")));
        v
    }

    /// Resolves one placeholder to a piece (reporting what cannot be resolved).
    fn resolve(
        &mut self,
        cx: &mut Cx<'_>,
        origin: &Origin<'_>,
        name: &str,
        span: Range<usize>,
    ) -> Option<Piece> {
        let file_span = inner_span(cx.source(), &origin.value.span, &origin.value.v, span);
        if let Some(i) = self.args.iter().position(|a| a.name == name) {
            self.used_args.insert(i);
            return Some(Piece::Arg(i));
        }
        if let Some(v) = ExecVar::ALL.iter().find(|v| v.placeholder() == name) {
            return Some(Piece::Var(*v));
        }
        if let Some(i) = self.defaults.iter().position(|(k, _)| k.v == name) {
            self.used_defaults.insert(i);
            let text = self
                .defaults
                .get(i)
                .map(|(_, v)| v.to_text())
                .unwrap_or_default();
            return Some(Piece::Lit(text.into()));
        }
        if let Some(arg) = name
            .strip_prefix('_')
            .and_then(|n| n.strip_suffix("_flags"))
            && let Some(m) = self.mappings.iter().position(|(a, _)| a == arg)
        {
            self.used_mappings.insert(m);
            return Some(Piece::Mapping(m));
        }
        if name == "_scan_flags" && !self.mappings.is_empty() {
            if self.mappings.len() == 1 {
                self.used_mappings.insert(0);
                return Some(Piece::Mapping(0));
            }
            let names: Vec<String> = self
                .mappings
                .iter()
                .map(|(a, _)| format!("_{a}_flags"))
                .collect();
            cx.sink
                .push(
                    origin.severity,
                    &codes::AMBIGUOUS_SCAN_FLAGS,
                    file_span,
                    format!(
                        "`{{_scan_flags}}` in {} is ambiguous: there are {} mappings",
                        origin.what,
                        self.mappings.len()
                    ),
                )
                .help(format!(
                    "name the mapping: {}",
                    list_names(names.iter().map(|n| n.as_str()))
                ))
                .note("`{_scan_flags}` stands for the flags of the only mapping when there is exactly one");
            return None;
        }
        if let Some(c) = name
            .strip_prefix('_')
            .and_then(|n| self.conditionals.iter().position(|c| c == n))
        {
            if origin.allow_conditionals {
                self.used_conditionals.insert(c);
                return Some(Piece::Conditional(c));
            }
            cx.sink
                .push(
                    origin.severity,
                    &codes::NESTED_CONDITIONAL,
                    file_span,
                    format!("{} refers to the conditional `{{{name}}}`", origin.what),
                )
                .help("conditional fragments cannot contain other conditionals: reference both from the command template");
            return None;
        }
        let names = self.all_names();
        let d = cx.sink.push(
            origin.severity,
            &codes::UNDEFINED_PLACEHOLDER,
            file_span,
            format!("`{{{name}}}` in {} does not name anything", origin.what),
        );
        if let Some(s) = did_you_mean(name, names.iter().map(String::as_str)) {
            d.help(format!("did you mean `{{{s}}}`?"));
        } else {
            d.help("a placeholder names an argument, a [command.defaults] key, `_<arg>_flags` of a mapping, `_<name>` of a conditional, or `_scan_id`, `_output_file`, `_evidence_dir`");
        }
        d.note(format!(
            "declared arguments are: {}",
            list_names(self.args.iter().map(|a| a.name.as_ref()))
        ));
        None
    }

    /// Resolves raw tokens; `None` when any placeholder failed.
    pub(crate) fn tokens(
        &mut self,
        cx: &mut Cx<'_>,
        origin: &Origin<'_>,
        raw: Vec<RawToken>,
    ) -> Option<Vec<Token>> {
        let mut out = Vec::new();
        let mut ok = true;
        for t in raw {
            match self.pieces(cx, origin, t.pieces) {
                Some(p) => out.push(Token { pieces: p.into() }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn pieces(
        &mut self,
        cx: &mut Cx<'_>,
        origin: &Origin<'_>,
        raw: Vec<RawPiece>,
    ) -> Option<Vec<Piece>> {
        let mut out: Vec<Piece> = Vec::new();
        let mut ok = true;
        for p in raw {
            let piece = match p {
                RawPiece::Lit(s) => Some(Piece::Lit(s.into())),
                RawPiece::Placeholder { name, span } => self.resolve(cx, origin, &name, span),
            };
            match piece {
                // Defaults become literal text: merge with a neighbouring literal.
                Some(Piece::Lit(s)) => match out.last_mut() {
                    Some(Piece::Lit(prev)) => prev.to_mut().push_str(&s),
                    _ => out.push(Piece::Lit(s)),
                },
                Some(p) => out.push(p),
                None => ok = false,
            }
        }
        out.retain(|p| !matches!(p, Piece::Lit(s) if s.is_empty()));
        ok.then_some(out)
    }
}

/// Reports a template syntax error at its place in the file.
pub(crate) fn syntax_error(cx: &mut Cx<'_>, origin: &Origin<'_>, e: &SyntaxError) {
    let span = inner_span(cx.source(), &origin.value.span, &origin.value.v, e.span());
    let code = match e.kind {
        SyntaxErrorKind::EmptyPlaceholder => &codes::EMPTY_PLACEHOLDER,
        SyntaxErrorKind::SecretNotAllowed => &codes::SECRET_OUTSIDE_HTTP,
        SyntaxErrorKind::InvalidJson => &codes::BAD_JSON_BODY,
        _ => &codes::TEMPLATE_SYNTAX,
    };
    let d = cx.sink.push(
        origin.severity,
        code,
        span,
        format!("{}: {}", origin.what, e.message),
    );
    if e.kind == SyntaxErrorKind::EmptyPlaceholder && origin.severity == Severity::Warning {
        d.note(
            "this command form never runs (another form takes precedence), so the empty placeholder is harmless",
        );
    }
}

/// Which command form runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Executor,
    Exec,
    Template,
}

/// The three command forms as written (each may be absent).
struct Forms {
    template: Option<Sp<String>>,
    exec: Option<Sp<Vec<Sp<String>>>>,
    executor: Option<Sp<String>>,
}

impl Forms {
    /// The form that runs: `executor` over `exec` over `template`.
    fn running(&self) -> Option<Form> {
        if self.executor.is_some() {
            Some(Form::Executor)
        } else if self.exec.is_some() {
            Some(Form::Exec)
        } else if self.template.is_some() {
            Some(Form::Template)
        } else {
            None
        }
    }
}

/// `[command.mappings]`: each mapping with the name `{_<arg>_flags}` resolves by and
/// the span of its table header.
#[derive(Default)]
struct Mappings {
    list: Vec<Mapping>,
    names: Vec<(String, usize)>,
    spans: Vec<Range<usize>>,
}

/// A `[command.conditionals.<name>]` before its fragment is resolved.
struct RawCond {
    name: Sp<String>,
    when: Option<(Sp<String>, Expr)>,
    fragment: Option<(Sp<String>, Vec<RawToken>)>,
}

pub(crate) fn decode_command(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    args: &[Arg],
    infos: &[ArgInfo],
) -> Option<CommandSpec> {
    t.check_keys(cx, COMMAND_KEYS);
    let forms = Forms {
        template: t.str(cx, "template"),
        exec: t.str_list(cx, "exec"),
        executor: t.str(cx, "executor"),
    };
    let Some(form) = forms.running() else {
        if t.get("template").is_none() && t.get("exec").is_none() && t.get("executor").is_none() {
            cx.sink
                .error(
                    &codes::MISSING_BACKEND,
                    t.span.clone(),
                    "[command] has no `template`, `exec` or `executor`: nothing would run",
                )
                .help("add `exec = [\"program\", \"{arg}\"]` (or `template = \"program {arg}\"`, or `executor = \"path/to/wrapper\"`)");
        }
        return None;
    };
    // An error from here on means the command is not built, and the checks that
    // would only add follow-on noise (unused arguments) are skipped. Unknown keys and
    // mistyped forms above do not count: the form that runs is still checked whole.
    let mark = cx.sink.mark();
    let defaults = decode_defaults(cx, t, args);
    let mappings = decode_mappings(cx, t, args, infos);
    let conds = decode_conditionals(cx, t, args, infos);
    let cond_names: Vec<String> = conds.iter().map(|c| c.name.v.clone()).collect();
    let mut scope = Scope {
        args,
        defaults: &defaults,
        mappings: &mappings.names,
        conditionals: &cond_names,
        used_args: BTreeSet::new(),
        used_mappings: BTreeSet::new(),
        used_conditionals: BTreeSet::new(),
        used_defaults: BTreeSet::new(),
    };

    // The forms that do not run are checked too, with warnings.
    let executor = forms
        .executor
        .as_ref()
        .map(|path| resolve_executor(cx, path));
    let exec = forms
        .exec
        .as_ref()
        .and_then(|list| resolve_exec(cx, &mut scope, list, form));
    let template = forms
        .template
        .as_ref()
        .and_then(|tpl| resolve_template(cx, &mut scope, tpl, form));
    let run = match form {
        Form::Executor => executor,
        Form::Exec => exec,
        Form::Template => template,
    };
    let conditionals = finish_conditionals(cx, &mut scope, &conds);
    let clean = !cx.sink.errors_since(mark);
    warn_unused(cx, t, form, &scope, &mappings, &defaults, infos, clean);
    if form != Form::Executor && clean {
        warn_option_like(cx, args, infos, run.as_ref(), &mappings.list, &conditionals);
    }
    if cx.sink.errors_since(mark) {
        return None;
    }
    Some(CommandSpec {
        run: run?,
        mappings: mappings.list.into(),
        conditionals: conditionals.into(),
    })
}

/// `[command.defaults]`, without the entries an executor variable or an argument of
/// the same name makes dead (those are warned about).
fn decode_defaults(cx: &mut Cx<'_>, t: &Tbl<'_, '_>, args: &[Arg]) -> Vec<(Sp<String>, Scalar)> {
    let mut defaults: Vec<(Sp<String>, Scalar)> = Vec::new();
    if t.get("defaults").is_some()
        && let Some(d) = t.table(cx, "defaults")
    {
        for (k, v) in d.entries() {
            let key: &str = k.get_ref();
            match scalar(v.get_ref()) {
                Ok(s) => defaults.push((Sp::new(key.to_string(), k.span()), s)),
                Err(msg) => {
                    cx.sink.error(
                        &codes::WRONG_TYPE,
                        v.span(),
                        format!(
                            "`command.defaults.{key}` must be {msg}, found {}",
                            type_name(v.get_ref())
                        ),
                    );
                }
            }
        }
    }
    // Executor variables and arguments win over a default of the same name.
    let mut live: Vec<(Sp<String>, Scalar)> = Vec::new();
    for (k, v) in defaults {
        if ExecVar::ALL.iter().any(|e| e.placeholder() == k.v) {
            cx.sink
                .warn(
                    &codes::EXECUTOR_VAR_DEFAULT,
                    k.span.clone(),
                    format!(
                        "`command.defaults.{}` is ignored: `{{{}}}` is an executor variable, supplied at run time",
                        k.v, k.v
                    ),
                )
                .help(format!("remove `{}` from [command.defaults]", k.v));
        } else if args.iter().any(|a| a.name == k.v) {
            cx.sink
                .warn(
                    &codes::SHADOWED_DEFAULT,
                    k.span.clone(),
                    format!(
                        "`command.defaults.{}` is ignored: `{{{}}}` is an argument",
                        k.v, k.v
                    ),
                )
                .help(format!(
                    "set `default` in [args.{}] instead, and remove this entry",
                    k.v
                ));
        } else {
            live.push((k, v));
        }
    }
    live
}

/// `[command.mappings]`. A mapping with errors keeps its name resolvable, so that
/// `{_<arg>_flags}` adds no follow-on error (the command fails anyway).
fn decode_mappings(cx: &mut Cx<'_>, t: &Tbl<'_, '_>, args: &[Arg], infos: &[ArgInfo]) -> Mappings {
    let mut out = Mappings::default();
    if t.get("mappings").is_none() {
        return out;
    }
    let Some(mt) = t.table(cx, "mappings") else {
        return out;
    };
    for (arg_name, m) in mt.subtables(cx) {
        let mapping = decode_mapping(cx, &arg_name, &m, args, infos).or_else(|| {
            args.iter()
                .position(|a| a.name == arg_name.v)
                .map(|arg| Mapping {
                    arg,
                    entries: Vec::new().into(),
                })
        });
        if let Some(mapping) = mapping {
            out.names.push((arg_name.v.clone(), mapping.arg));
            out.spans.push(arg_name.span.clone());
            out.list.push(mapping);
        }
    }
    out
}

/// `[command.conditionals]`: names, `when` expressions and tokenized fragments. The
/// fragments are resolved later, once the templates have said which are used.
fn decode_conditionals(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    args: &[Arg],
    infos: &[ArgInfo],
) -> Vec<RawCond> {
    let mut conds: Vec<RawCond> = Vec::new();
    if t.get("conditionals").is_none() {
        return conds;
    }
    let Some(ct) = t.table(cx, "conditionals") else {
        return conds;
    };
    for (name, c) in ct.subtables(cx) {
        c.check_keys(cx, &["when", "template"]);
        check_name(cx, "conditional", &name.v, name.span.clone());
        let when_src = c.req_str(cx, "when");
        let when = when_src
            .as_ref()
            .and_then(|w| decode_when(cx, w, args, infos).map(|e| (w.clone(), e)));
        let frag_src = c.req_str(cx, "template");
        let fragment = frag_src.as_ref().and_then(|f| {
            let what = format!("the template of conditional `{}`", name.v);
            match template::tokenize(&f.v) {
                Ok(toks) => Some((f.clone(), toks)),
                Err(e) => {
                    let origin = Origin {
                        what: &what,
                        value: f,
                        severity: Severity::Error,
                        allow_conditionals: false,
                    };
                    syntax_error(cx, &origin, &e);
                    None
                }
            }
        });
        conds.push(RawCond {
            name,
            when,
            fragment,
        });
    }
    conds
}

/// Errors in a form that runs, warnings in one that another form overrides.
fn severity_of(f: Form, running: Form) -> Severity {
    if f == running {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// `command.executor` (it takes precedence over everything else).
fn resolve_executor(cx: &mut Cx<'_>, path: &Sp<String>) -> CommandRun {
    if path.v.trim().is_empty() {
        cx.sink.error(
            &codes::EMPTY_COMMAND,
            path.span.clone(),
            "`command.executor` is empty",
        );
    }
    CommandRun::Executor {
        path: path.v.clone().into(),
    }
}

/// `command.exec`: one argv element per list element. `Some` only when it is the
/// form that runs and it resolved.
fn resolve_exec(
    cx: &mut Cx<'_>,
    scope: &mut Scope<'_>,
    list: &Sp<Vec<Sp<String>>>,
    running: Form,
) -> Option<CommandRun> {
    let severity = severity_of(Form::Exec, running);
    if severity == Severity::Warning {
        cx.sink
            .warn(
                &codes::UNUSED_EXEC,
                list.span.clone(),
                "`command.exec` is unused: `executor` takes precedence",
            )
            .help("remove `exec`, or remove `executor` to run it");
    }
    let mut tokens = Vec::new();
    let mut resolved = true;
    for (i, el) in list.v.iter().enumerate() {
        let what = format!("`command.exec[{i}]`");
        let origin = Origin {
            what: &what,
            value: el,
            severity,
            allow_conditionals: true,
        };
        match template::parse_pieces(&el.v) {
            Ok(pieces) => {
                let raw = vec![RawToken {
                    pieces,
                    span: 0..el.v.len(),
                }];
                match scope.tokens(cx, &origin, raw) {
                    Some(t) => tokens.extend(t),
                    None => resolved = false,
                }
            }
            Err(e) => {
                resolved = false;
                syntax_error(cx, &origin, &e);
            }
        }
    }
    if severity != Severity::Error || !resolved {
        return None;
    }
    let first = list.v.first().map_or(list.span.clone(), |e| e.span.clone());
    check_program(cx, &tokens, first, "`command.exec`");
    Some(CommandRun::Exec {
        tokens: tokens.into(),
    })
}

/// `command.template`: split into argv elements with POSIX shell quoting. `Some`
/// only when it is the form that runs and it resolved.
fn resolve_template(
    cx: &mut Cx<'_>,
    scope: &mut Scope<'_>,
    tpl: &Sp<String>,
    running: Form,
) -> Option<CommandRun> {
    let severity = severity_of(Form::Template, running);
    if severity == Severity::Warning {
        let over = if running == Form::Executor {
            "executor"
        } else {
            "exec"
        };
        cx.sink
            .warn(
                &codes::UNUSED_TEMPLATE,
                tpl.span.clone(),
                format!("`command.template` is unused: `{over}` takes precedence"),
            )
            .help(format!("remove `template`, or remove `{over}` to run it"));
    }
    let origin = Origin {
        what: "`command.template`",
        value: tpl,
        severity,
        allow_conditionals: true,
    };
    let raw = match template::tokenize(&tpl.v) {
        Ok(raw) => raw,
        Err(e) => {
            syntax_error(cx, &origin, &e);
            return None;
        }
    };
    let first_span = raw.first().map_or(tpl.span.clone(), |t| {
        inner_span(cx.source(), &tpl.span, &tpl.v, t.span.clone())
    });
    let tokens = scope.tokens(cx, &origin, raw)?;
    if severity != Severity::Error {
        return None;
    }
    check_program(cx, &tokens, first_span, "`command.template`");
    Some(CommandRun::Template {
        source: tpl.v.clone().into(),
        tokens: tokens.into(),
    })
}

/// Resolves the conditional fragments (the templates have recorded which are used)
/// and reports the unused ones. Arguments tested by `when` count as used.
fn finish_conditionals(
    cx: &mut Cx<'_>,
    scope: &mut Scope<'_>,
    conds: &[RawCond],
) -> Vec<Conditional> {
    let mut conditionals = Vec::new();
    for (i, c) in conds.iter().enumerate() {
        if !scope.used_conditionals.contains(&i) {
            cx.sink
                .error(
                    &codes::UNUSED_CONDITIONAL,
                    c.name.span.clone(),
                    format!(
                        "conditional `{}` is never used: no template refers to `{{_{}}}`",
                        c.name.v, c.name.v
                    ),
                )
                .help(format!(
                    "put `{{_{}}}` where its fragment belongs in `command.template`, or remove the conditional",
                    c.name.v
                ));
        }
        let what = format!("the template of conditional `{}`", c.name.v);
        let tokens = c.fragment.as_ref().and_then(|(src, raw)| {
            let origin = Origin {
                what: &what,
                value: src,
                severity: Severity::Error,
                allow_conditionals: false,
            };
            scope.tokens(cx, &origin, raw.clone())
        });
        // A missing `when` or fragment has been reported where it is read.
        if let (Some((src, expr)), Some(tokens)) = (&c.when, tokens) {
            conditionals.push(Conditional {
                name: c.name.v.clone().into(),
                when: expr.clone(),
                when_source: src.v.clone().into(),
                tokens: tokens.into(),
            });
        }
    }
    for c in conds {
        if let Some((_, e)) = &c.when {
            expr_args(e, &mut scope.used_args);
        }
    }
    conditionals
}

/// Warns about mappings, defaults and (when the command is `clean`, i.e. without
/// errors) arguments that the running command never refers to.
#[allow(clippy::too_many_arguments)] // the parts of one command, passed as decoded
fn warn_unused(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    form: Form,
    scope: &Scope<'_>,
    mappings: &Mappings,
    defaults: &[(Sp<String>, Scalar)],
    infos: &[ArgInfo],
    clean: bool,
) {
    for (i, (arg_name, _)) in mappings.names.iter().enumerate() {
        if !scope.used_mappings.contains(&i) && form != Form::Executor {
            let span = mappings
                .spans
                .get(i)
                .cloned()
                .unwrap_or_else(|| t.span.clone());
            cx.sink
                .warn(
                    &codes::UNUSED_MAPPING,
                    span,
                    format!("the mapping of `{arg_name}` is never used: no template refers to `{{_{arg_name}_flags}}`"),
                )
                .help(format!("put `{{_{arg_name}_flags}}` into the command, or remove the mapping"));
        }
    }
    for (i, (k, _)) in defaults.iter().enumerate() {
        if !scope.used_defaults.contains(&i) {
            cx.sink
                .warn(
                    &codes::UNUSED_DEFAULT,
                    k.span.clone(),
                    format!(
                        "`command.defaults.{}` is never used: no running command refers to `{{{}}}`",
                        k.v, k.v
                    ),
                )
                .help(format!("remove `{}`, or use `{{{}}}` in the command", k.v, k.v));
        }
    }
    if form == Form::Executor || !clean {
        return;
    }
    // Arguments the command never uses (an executor receives all of them).
    for (i, (a, info)) in scope.args.iter().zip(infos).enumerate() {
        let mapped = mappings.list.iter().any(|m| {
            m.arg == i
                && scope
                    .used_mappings
                    .contains(&mapping_index(&mappings.list, i))
        });
        if !scope.used_args.contains(&i) && !mapped {
            cx.sink
                .warn(
                    &codes::UNUSED_ARG,
                    info.name_span.clone(),
                    format!("argument `{}` is never used by the command", a.name),
                )
                .help(format!(
                    "use `{{{}}}` in the command, or remove the argument if the tool does not need it",
                    a.name
                ));
        }
    }
}

fn mapping_index(mappings: &[Mapping], arg: usize) -> usize {
    mappings
        .iter()
        .position(|m| m.arg == arg)
        .unwrap_or(usize::MAX)
}

fn expr_args(e: &Expr, out: &mut BTreeSet<usize>) {
    match e {
        Expr::Or(v) | Expr::And(v) => v.iter().for_each(|e| expr_args(e, out)),
        Expr::Compare { arg, .. } | Expr::Present { arg } => {
            out.insert(*arg);
        }
    }
}

/// argv\[0\] must be fixed text: a program chosen by a value would let the caller run
/// anything.
fn check_program(cx: &mut Cx<'_>, tokens: &[Token], span: Range<usize>, what: &str) {
    let Some(first) = tokens.first() else {
        cx.sink
            .error(
                &codes::EMPTY_COMMAND,
                span,
                format!("{what} is empty: it names no program"),
            )
            .help("start the command with the program to run");
        return;
    };
    if first.pieces.is_empty() {
        cx.sink
            .error(
                &codes::EMPTY_COMMAND,
                span,
                format!("the program of {what} is an empty string"),
            )
            .help("start the command with the program to run");
        return;
    }
    if first
        .pieces
        .iter()
        .any(|p| matches!(p, Piece::Arg(_) | Piece::Mapping(_) | Piece::Conditional(_)))
    {
        cx.sink
            .error(
                &codes::PLACEHOLDER_IN_PROGRAM,
                span,
                format!("the program of {what} comes from an argument"),
            )
            .help("start the command with a fixed program path; pass values as later arguments")
            .note("a program chosen by the caller could run anything");
    }
}

/// Warns about arguments whose value can start an argv element without
/// `allow_option_values` (free-text values starting with `-` and negative numbers
/// will be refused); the analysis is [`super::option_values::may_lead`], the one the
/// checked model is built from.
fn warn_option_like(
    cx: &mut Cx<'_>,
    args: &[Arg],
    infos: &[ArgInfo],
    run: Option<&CommandRun>,
    mappings: &[Mapping],
    conditionals: &[Conditional],
) {
    let Some(CommandRun::Template { tokens, .. } | CommandRun::Exec { tokens }) = run else {
        return;
    };
    let lead = super::option_values::may_lead(args, tokens, mappings, conditionals);
    for ((a, info), lead) in args.iter().zip(infos).zip(lead) {
        if !lead || a.ty.constraints.allow_option_values || !info.type_ok {
            continue;
        }
        if a.ty.kind.is_free_text() {
            cx.sink
                .warn(
                    &codes::OPTION_LIKE_VALUE,
                    info.name_span.clone(),
                    format!(
                        "argument `{}` ({}) can start an argv element: values starting with `-` will be refused",
                        a.name,
                        a.ty.kind.as_str()
                    ),
                )
                .help("set `allow_option_values = true` if the tool should receive option-like values, or give the value a fixed, non-empty prefix (`--flag={value}`)")
                .note("a free-text value that starts with `-` could be read as an option by the program; text before it counts only when it can never be empty");
        } else if super::option_values::is_signed_number(&a.ty.kind) {
            super::option_values::check_negative_number(cx, a, info);
        }
    }
}

fn decode_mapping(
    cx: &mut Cx<'_>,
    arg_name: &Sp<String>,
    m: &Tbl<'_, '_>,
    args: &[Arg],
    infos: &[ArgInfo],
) -> Option<Mapping> {
    let Some(idx) = args.iter().position(|a| a.name == arg_name.v) else {
        let d = cx.sink.error(
            &codes::MAPPING_UNKNOWN_ARG,
            arg_name.span.clone(),
            format!(
                "[command.mappings.{}] maps an argument that is not declared",
                arg_name.v
            ),
        );
        if let Some(s) = did_you_mean(&arg_name.v, args.iter().map(|a| a.name.as_ref())) {
            d.help(format!("did you mean `{s}`?"));
        }
        d.note(format!(
            "declared arguments are: {}",
            list_names(args.iter().map(|a| a.name.as_ref()))
        ));
        return None;
    };
    let arg = args.get(idx)?;
    let type_ok = infos.get(idx).is_some_and(|i| i.type_ok);
    let values: Option<Vec<String>> = match &arg.ty.kind {
        TypeKind::Enum => Some(
            arg.ty
                .constraints
                .allowed
                .as_ref()
                .map(|a| a.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
        ),
        TypeKind::Boolean => Some(vec!["true".into(), "false".into()]),
        _ if !type_ok => None,
        other => {
            cx.sink
                .error(
                    &codes::MAPPING_BAD_TYPE,
                    arg_name.span.clone(),
                    format!(
                        "[command.mappings.{}] maps an argument of type `{}`",
                        arg_name.v,
                        other.as_str()
                    ),
                )
                .help(
                    "mappings translate the values of an `enum` (or `boolean`) argument into flags",
                )
                .label(
                    infos.get(idx).map_or(0..0, |i| i.type_span.clone()),
                    "type declared here",
                );
            return None;
        }
    };
    let mark = cx.sink.mark();
    let mut entries = Vec::new();
    for (k, v) in m.entries() {
        let key: &str = k.get_ref();
        let toml::de::DeValue::String(text) = v.get_ref() else {
            cx.sink.error(
                &codes::WRONG_TYPE,
                v.span(),
                format!(
                    "`command.mappings.{}.{key}` must be a string of flags, found {}",
                    arg_name.v,
                    type_name(v.get_ref())
                ),
            );
            continue;
        };
        if let Some(values) = &values
            && !values.iter().any(|a| a == key)
        {
            let d = cx.sink.error(
                &codes::MAPPING_UNKNOWN_VALUE,
                k.span(),
                format!(
                    "`{key}` in [command.mappings.{}] is not a value of argument `{}`",
                    arg_name.v, arg_name.v
                ),
            );
            if let Some(s) = did_you_mean(key, values.iter().map(String::as_str)) {
                d.help(format!("did you mean `{s}`?"));
            }
            d.note(format!(
                "the values of `{}` are: {}",
                arg_name.v,
                list_names(values.iter().map(String::as_str))
            ));
            continue;
        }
        let text = text.to_string();
        match template::split_flags(&text) {
            Ok(tokens) => entries.push(MappingEntry {
                value: key.to_string().into(),
                text: text.clone().into(),
                tokens: tokens
                    .into_iter()
                    .map(Into::into)
                    .collect::<Vec<_>>()
                    .into(),
            }),
            Err(e) => {
                let span = inner_span(cx.source(), &v.span(), &text, e.span());
                cx.sink.error(
                    if e.kind == SyntaxErrorKind::PlaceholderNotAllowed { &codes::PLACEHOLDER_IN_MAPPING } else { &codes::TEMPLATE_SYNTAX },
                    span,
                    format!("`command.mappings.{}.{key}`: {}", arg_name.v, e.message),
                )
                .note("mapping values are split with POSIX shell quoting at build time; they cannot contain placeholders");
            }
        }
    }
    if let Some(values) = &values {
        let missing: Vec<&str> = values
            .iter()
            .filter(|v| m.get(v).is_none())
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && !cx.sink.errors_since(mark) {
            cx.sink
                .warn(
                    &codes::MAPPING_MISSING_VALUE,
                    m.span.clone(),
                    format!(
                        "[command.mappings.{}] has no entry for {}: `{{_{}_flags}}` expands to nothing for them",
                        arg_name.v,
                        list_names(missing.iter().copied()),
                        arg_name.v
                    ),
                )
                .help("add an entry (an empty string if the value needs no flags)");
        }
    }
    (!cx.sink.errors_since(mark)).then(|| Mapping {
        arg: idx,
        entries: entries.into(),
    })
}

/// Parses a `when` expression and resolves it against the arguments.
fn decode_when(cx: &mut Cx<'_>, src: &Sp<String>, args: &[Arg], infos: &[ArgInfo]) -> Option<Expr> {
    match when::parse_when(&src.v) {
        Ok(raw) => resolve_expr(cx, src, raw, args, infos),
        Err(e) => {
            let span = inner_span(cx.source(), &src.span, &src.v, e.span());
            cx.sink
                .error(&codes::WHEN_SYNTAX, span, format!("`when` expression does not parse: {}", e.message))
                .note(format!(
                    "expected {}; the grammar is `name (== | !=) literal`, a bare `name`, joined with `and` / `or`",
                    e.expected.join(", ")
                ));
            None
        }
    }
}

fn resolve_expr(
    cx: &mut Cx<'_>,
    src: &Sp<String>,
    raw: RawExpr,
    args: &[Arg],
    infos: &[ArgInfo],
) -> Option<Expr> {
    let lookup = |cx: &mut Cx<'_>, name: &str, span: Range<usize>| -> Option<usize> {
        if let Some(i) = args.iter().position(|a| a.name == name) {
            return Some(i);
        }
        let file_span = inner_span(cx.source(), &src.span, &src.v, span);
        let d = cx.sink.error(
            &codes::WHEN_UNKNOWN_ARG,
            file_span,
            format!("`when` refers to `{name}`, which is not a declared argument"),
        );
        if let Some(s) = did_you_mean(name, args.iter().map(|a| a.name.as_ref())) {
            d.help(format!("did you mean `{s}`?"));
        }
        d.note(format!(
            "declared arguments are: {}",
            list_names(args.iter().map(|a| a.name.as_ref()))
        ));
        None
    };
    match raw {
        RawExpr::Or(v) | RawExpr::And(v) if v.is_empty() => None,
        RawExpr::Or(v) => {
            let parts: Vec<Option<Expr>> = v
                .into_iter()
                .map(|e| resolve_expr(cx, src, e, args, infos))
                .collect();
            let parts: Option<Vec<Expr>> = parts.into_iter().collect();
            parts.map(|p| Expr::Or(p.into()))
        }
        RawExpr::And(v) => {
            let parts: Vec<Option<Expr>> = v
                .into_iter()
                .map(|e| resolve_expr(cx, src, e, args, infos))
                .collect();
            let parts: Option<Vec<Expr>> = parts.into_iter().collect();
            parts.map(|p| Expr::And(p.into()))
        }
        RawExpr::Present { name, span } => lookup(cx, &name, span).map(|arg| Expr::Present { arg }),
        RawExpr::Compare {
            name,
            name_span,
            op,
            literal,
            literal_span,
        } => {
            let arg = lookup(cx, &name, name_span)?;
            let a = args.get(arg)?;
            let type_ok = infos.get(arg).is_some_and(|i| i.type_ok);
            let lit_span = inner_span(cx.source(), &src.span, &src.v, literal_span);
            let value = typed_literal(cx, a, type_ok, literal, lit_span)?;
            Some(Expr::Compare { arg, op, value })
        }
    }
}

/// Checks that a literal is comparable with the argument's type and converts it.
fn typed_literal(
    cx: &mut Cx<'_>,
    a: &Arg,
    type_ok: bool,
    lit: RawLiteral,
    span: Range<usize>,
) -> Option<Literal> {
    let kind = &a.ty.kind;
    let ty = a.ty.name.as_ref();
    let incomparable = |cx: &mut Cx<'_>, shown: String, help: String| {
        cx.sink
            .error(
                &codes::WHEN_INCOMPARABLE,
                span.clone(),
                format!("`when` compares argument `{}` of type `{ty}` with {shown}, which it can never equal", a.name),
            )
            .help(help);
    };
    if !type_ok {
        return Some(match lit {
            RawLiteral::Str(s) => Literal::Str(s.into()),
            RawLiteral::Int(i) => Literal::Int(i),
            RawLiteral::Bool(b) => Literal::Bool(b),
        });
    }
    match (kind, lit) {
        // `''` is the absent value for every type.
        (_, RawLiteral::Str(s)) if s.is_empty() => Some(Literal::Str(s.into())),
        (TypeKind::Integer | TypeKind::Port, RawLiteral::Int(i)) => Some(Literal::Int(i)),
        (TypeKind::Number, RawLiteral::Int(i)) => Some(Literal::Float(i as f64)),
        (TypeKind::Integer | TypeKind::Port, RawLiteral::Str(s)) => match s.parse::<i64>() {
            Ok(i) if i.to_string() == s => {
                quoted_warning(cx, a, &s, span.clone());
                Some(Literal::Int(i))
            }
            _ => {
                incomparable(
                    cx,
                    format!("the text '{s}'"),
                    "compare with an integer, e.g. `!= 0`".into(),
                );
                None
            }
        },
        (TypeKind::Number, RawLiteral::Str(s)) => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => {
                quoted_warning(cx, a, &s, span.clone());
                Some(Literal::Float(f))
            }
            _ => {
                incomparable(
                    cx,
                    format!("the text '{s}'"),
                    "compare with a number, e.g. `!= 0`".into(),
                );
                None
            }
        },
        (TypeKind::Boolean, RawLiteral::Bool(b)) => Some(Literal::Bool(b)),
        (TypeKind::Boolean, RawLiteral::Str(s)) if s == "true" || s == "false" => {
            quoted_warning(cx, a, &s, span.clone());
            Some(Literal::Bool(s == "true"))
        }
        (TypeKind::Boolean, other) => {
            incomparable(cx, shown(&other), "compare with `true` or `false`".into());
            None
        }
        (TypeKind::Enum, RawLiteral::Str(s)) => {
            let allowed: Vec<&str> =
                a.ty.constraints
                    .allowed
                    .as_ref()
                    .map(|v| v.iter().map(|s| s.as_ref()).collect())
                    .unwrap_or_default();
            if allowed.contains(&s.as_str()) {
                Some(Literal::Str(s.into()))
            } else {
                let help = match did_you_mean(&s, allowed.iter().copied()) {
                    Some(x) => format!(
                        "did you mean '{x}'? The values are: {}",
                        list_names(allowed.iter().copied())
                    ),
                    None => format!("the values are: {}", list_names(allowed.iter().copied())),
                };
                incomparable(cx, format!("'{s}', which is not one of its values"), help);
                None
            }
        }
        (_, RawLiteral::Str(s)) => Some(Literal::Str(s.into())),
        (_, other) => {
            incomparable(
                cx,
                shown(&other),
                format!(
                    "quote the literal to compare text: '{}'",
                    match &other {
                        RawLiteral::Int(i) => i.to_string(),
                        RawLiteral::Bool(b) => b.to_string(),
                        RawLiteral::Str(s) => s.clone(),
                    }
                ),
            );
            None
        }
    }
}

fn shown(l: &RawLiteral) -> String {
    match l {
        RawLiteral::Str(s) => format!("the text '{s}'"),
        RawLiteral::Int(i) => format!("the integer {i}"),
        RawLiteral::Bool(b) => format!("the boolean {b}"),
    }
}

fn quoted_warning(cx: &mut Cx<'_>, a: &Arg, s: &str, span: Range<usize>) {
    cx.sink
        .warn(
            &codes::QUOTED_LITERAL,
            span,
            format!(
                "`when` compares argument `{}` of type `{}` with the quoted literal '{s}'",
                a.name,
                a.ty.kind.as_str()
            ),
        )
        .help(format!(
            "write it unquoted: `{s}` (it is compared as `{}`)",
            a.ty.kind.as_str()
        ));
}
