//! How a session command's text is bound to its typed arguments, and the checks of
//! its pattern that make that binding a fence (`docs/semantics.md`, "Session command
//! text and arguments").
//!
//! A command that declares arguments binds each of them into its text, either
//! through `template` (the text is rendered from the checked values) or through a
//! named group of its pattern (the value is parsed out of the text). An argument
//! bound by neither would be a value a policy checks that the session never sees.

use super::codes;
use super::diag::Decorate;
use super::walk::{Cx, Sp, Tbl};
use crate::model::{Arg, Pattern, TemplatePiece, TextBinding};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};
use std::ops::Range;
use toml::de::DeValue;

/// Characters that, repeated freely, let text say anything to a console: ASCII
/// letters and digits, space and `-./:_`. A pattern that accepts every string over
/// them (from some length on) fences nothing (`rm -rf /`, `file:/etc/passwd`).
const BROAD: &[(char, char)] = &[
    ('0', '9'),
    ('A', 'Z'),
    ('a', 'z'),
    (' ', ' '),
    ('-', '/'),
    (':', ':'),
    ('_', '_'),
];

/// Decides and checks the binding of session command `name`; `None` after an error.
pub(crate) fn binding(
    cx: &mut Cx<'_>,
    c: &Tbl<'_, '_>,
    name: &Sp<String>,
    pattern: (&Sp<String>, &Pattern),
    template: Option<&Sp<String>>,
    args: &[Arg],
    extract_target: Option<&Sp<bool>>,
) -> Option<TextBinding> {
    let mark = cx.sink.mark();
    let arg_spans = arg_spans(c);
    let span_of = |arg: &str| {
        arg_spans
            .iter()
            .find(|(n, _)| n == arg)
            .map_or_else(|| name.span.clone(), |(_, s)| s.clone())
    };
    let (pat_src, _) = pattern;
    check_pattern(cx, pat_src, &name.v);
    let groups = named_groups(&pat_src.v);
    let bound_by_groups = !groups.is_empty();
    let result = match template {
        Some(t) => {
            if let Some(g) = groups.first() {
                cx.sink
                    .error(
                        &codes::BAD_SESSION_BINDING,
                        pat_src.span.clone(),
                        format!(
                            "session command `{}` has both a `template` and a named group `{}` in its pattern",
                            name.v, g.name
                        ),
                    )
                    .help("bind the arguments one way: render the text from `template`, or parse it with named groups, not both");
            }
            let pieces = parse_template(cx, t, &name.v, args);
            if let Some(pieces) = &pieces {
                for (i, arg) in args.iter().enumerate() {
                    if !pieces.contains(&TemplatePiece::Arg(i)) {
                        unbound(cx, &name.v, arg, span_of(&arg.name));
                    } else if !arg.required && arg.default.is_none() {
                        cx.sink
                            .error(
                                &codes::BAD_SESSION_BINDING,
                                span_of(&arg.name),
                                format!(
                                    "argument `{}` of session command `{}` is in its template but optional without a default",
                                    arg.name, name.v
                                ),
                            )
                            .note("an absent value would leave a hole in the rendered text")
                            .help("make the argument `required = true` or give it a `default`");
                    }
                }
            }
            pieces.map(|pieces| TextBinding::Template {
                source: t.v.clone().into(),
                pieces: pieces.into(),
            })
        }
        None => {
            for g in &groups {
                let Some(arg) = args.iter().find(|a| a.name == g.name.as_str()) else {
                    cx.sink
                        .error(
                            &codes::BAD_SESSION_BINDING,
                            pat_src.span.clone(),
                            format!(
                                "the named group `{}` in the pattern of session command `{}` names no argument of the command",
                                g.name, name.v
                            ),
                        )
                        .help("name each group after the argument it binds, or make it a plain `(...)` group");
                    continue;
                };
                if g.repeated {
                    cx.sink
                        .error(
                            &codes::BAD_SESSION_BINDING,
                            pat_src.span.clone(),
                            format!(
                                "the named group `{}` in the pattern of session command `{}` is inside a repetition",
                                g.name, name.v
                            ),
                        )
                        .note("a repeated group keeps only its last match: the text could carry values the argument checks never saw")
                        .help("bind one value per group, outside `*`, `+` and `{n,m}`");
                }
                if arg.default.is_some() {
                    cx.sink
                        .error(
                            &codes::BAD_SESSION_BINDING,
                            span_of(&arg.name),
                            format!(
                                "argument `{}` of session command `{}` is bound by a named group and has a `default`",
                                arg.name, name.v
                            ),
                        )
                        .note("the text is the only source of the value; a default would be a value the session never sees")
                        .help("remove `default`");
                }
            }
            for arg in args {
                if !groups.iter().any(|g| g.name == arg.name.as_ref()) {
                    unbound(cx, &name.v, arg, span_of(&arg.name));
                }
            }
            Some(if bound_by_groups || !args.is_empty() {
                TextBinding::Captures
            } else {
                TextBinding::Free
            })
        }
    };
    if let Some(et) = extract_target.filter(|e| e.v) {
        let targets: Vec<&Arg> = args.iter().filter(|a| a.is_scope_checked()).collect();
        match targets.as_slice() {
            [one] if one.required => {}
            [one] => {
                cx.sink
                    .error(
                        &codes::BAD_EXTRACT_TARGET,
                        span_of(&one.name),
                        format!(
                            "the target `{}` of session command `{}` (`extract_target = true`) is optional",
                            one.name, name.v
                        ),
                    )
                    .help("make the target argument `required = true`");
            }
            [] => {
                cx.sink
                    .error(
                        &codes::BAD_EXTRACT_TARGET,
                        et.span.clone(),
                        format!(
                            "session command `{}` sets `extract_target = true` but binds no scope-checked argument",
                            name.v
                        ),
                    )
                    .help("declare the target as an argument of type `scope_target` (or with `scope_check = true`) and bind it with `template` or a named group");
            }
            many => {
                cx.sink
                    .error(
                        &codes::BAD_EXTRACT_TARGET,
                        et.span.clone(),
                        format!(
                            "session command `{}` sets `extract_target = true` but binds {} scope-checked arguments ({})",
                            name.v,
                            many.len(),
                            many.iter().map(|a| format!("`{}`", a.name)).collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .help("the target is one argument; split the command, or drop `extract_target` (every scope-checked argument is still checked)");
            }
        }
    }
    if cx.sink.errors_since(mark) {
        return None;
    }
    result
}

fn unbound(cx: &mut Cx<'_>, command: &str, arg: &Arg, span: Range<usize>) {
    cx.sink
        .error(
            &codes::UNBOUND_SESSION_ARGUMENT,
            span,
            format!(
                "argument `{}` of session command `{command}` is not part of the command text",
                arg.name
            ),
        )
        .note("a policy would check a value that the session never receives, while the text says something else")
        .help(format!(
            "bind it: `template = \"... {{{}}}\"`, or a named group `(?P<{}>...)` in `pattern`",
            arg.name, arg.name
        ));
}

/// The spans of the `[...args.<name>]` keys of command table `c`.
fn arg_spans(c: &Tbl<'_, '_>) -> Vec<(String, Range<usize>)> {
    match c.get("args") {
        Some((_, v)) => match v.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .map(|(k, _)| (k.get_ref().to_string(), k.span()))
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// Parses `template` of a session command: literal text and `{name}` placeholders
/// naming the command's arguments; `{{` and `}}` are literal braces.
fn parse_template(
    cx: &mut Cx<'_>,
    t: &Sp<String>,
    command: &str,
    args: &[Arg],
) -> Option<Vec<TemplatePiece>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut ok = true;
    let s = t.v.as_str();
    let mut i = 0;
    let inner = |cx: &mut Cx<'_>, r: Range<usize>| {
        super::command::inner_span(cx.source(), &t.span, &t.v, r)
    };
    while let Some(c) = s[i..].chars().next() {
        match c {
            '{' if s[i..].starts_with("{{") => {
                text.push('{');
                i += 2;
            }
            '}' if s[i..].starts_with("}}") => {
                text.push('}');
                i += 2;
            }
            '{' => {
                let Some(len) = s[i + 1..].find('}') else {
                    let span = inner(cx, i..s.len());
                    cx.sink
                        .error(
                            &codes::TEMPLATE_SYNTAX,
                            span,
                            format!("`template` of session command `{command}`: unclosed `{{`"),
                        )
                        .help("write `{{` for a literal brace");
                    return None;
                };
                let name = &s[i + 1..i + 1 + len];
                let span = inner(cx, i..i + len + 2);
                match args.iter().position(|a| a.name == name) {
                    Some(index) => {
                        if !text.is_empty() {
                            pieces.push(TemplatePiece::Text(std::mem::take(&mut text).into()));
                        }
                        pieces.push(TemplatePiece::Arg(index));
                    }
                    None => {
                        ok = false;
                        let declared = args.iter().map(|a| a.name.as_ref());
                        cx.sink
                            .error(
                                &codes::BAD_SESSION_BINDING,
                                span,
                                format!(
                                    "`{{{name}}}` in the template of session command `{command}` names no argument of the command"
                                ),
                            )
                            .note(format!(
                                "the command's arguments are: {}",
                                super::diag::list_names(declared)
                            ))
                            .help("declare it under `[session.commands.<name>.args.<arg>]`, or write `{{` and `}}` for literal braces");
                    }
                }
                i += len + 2;
            }
            '}' => {
                let span = inner(cx, i..i + 1);
                cx.sink
                    .error(
                        &codes::TEMPLATE_SYNTAX,
                        span,
                        format!("`template` of session command `{command}`: stray `}}`"),
                    )
                    .help("write `}}` for a literal brace");
                return None;
            }
            c => {
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !text.is_empty() {
        pieces.push(TemplatePiece::Text(text.into()));
    }
    ok.then_some(pieces)
}

/// A named group of a pattern.
struct Group {
    name: String,
    /// Inside a repetition that may match more than once.
    repeated: bool,
}

/// The named groups of a (valid) pattern, in order.
fn named_groups(source: &str) -> Vec<Group> {
    fn walk(h: &Hir, repeated: bool, out: &mut Vec<Group>) {
        match h.kind() {
            HirKind::Capture(c) => {
                if let Some(name) = &c.name {
                    out.push(Group {
                        name: name.to_string(),
                        repeated,
                    });
                }
                walk(&c.sub, repeated, out);
            }
            HirKind::Repetition(r) => walk(&r.sub, repeated || r.max != Some(1), out),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => {
                hs.iter().for_each(|h| walk(h, repeated, out));
            }
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    let mut out = Vec::new();
    if let Some(h) = crate::model::pattern_hir(source) {
        walk(&h, false, &mut out);
    }
    out
}

/// Refuses a session command pattern that fences nothing: one that matches every
/// string over [`BROAD`] from some length on, or only the empty text.
fn check_pattern(cx: &mut Cx<'_>, p: &Sp<String>, command: &str) {
    let Some(h) = crate::model::pattern_hir(&p.v) else {
        return;
    };
    let props = h.properties();
    let what = if props.maximum_len() == Some(0) {
        Some("matches only the empty text, so it fences nothing".to_owned())
    } else {
        universal_from(&h).map(|k| match k {
            0 | 1 => "matches any text".to_owned(),
            k => format!("matches any text of {k} or more characters"),
        })
    };
    if let Some(what) = what {
        cx.sink
            .error(
                &codes::MATCH_ANYTHING_PATTERN,
                p.span.clone(),
                format!("the pattern of session command `{command}` {what}"),
            )
            .note("the pattern is the only fence on the line a session reads: a console or interpreter would run whatever it is sent")
            .help("spell out the command: a fixed verb and one typed value per named group, e.g. `^set RHOSTS (?P<target>[0-9.]+)$`");
    }
}

/// `Some(k)` when `h` matches every string over [`BROAD`] of length `k` or more.
fn universal_from(h: &Hir) -> Option<usize> {
    match h.kind() {
        HirKind::Repetition(r) => {
            if is_broad(&r.sub) {
                // `x*`, `x+`, `x{n,}` over a broad class.
                return r.max.is_none().then_some(r.min as usize);
            }
            // A repeated universal part stays universal.
            let k = universal_from(&r.sub)?;
            (r.max != Some(0)).then(|| (r.min.max(1) as usize).saturating_mul(k))
        }
        HirKind::Capture(c) => universal_from(&c.sub),
        HirKind::Alternation(hs) => hs.iter().filter_map(universal_from).min(),
        HirKind::Concat(hs) => {
            // Universal when one part is and every other part is universal too or
            // can match the empty text.
            let mut total = 0usize;
            let mut any = false;
            for part in hs {
                match universal_from(part) {
                    Some(k) => {
                        any = true;
                        total += k;
                    }
                    None if part.properties().minimum_len() == Some(0) => {}
                    None => return None,
                }
            }
            any.then_some(total)
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

/// Whether `h` is one character of a class holding all of [`BROAD`].
fn is_broad(h: &Hir) -> bool {
    let Some(class) = one_char(h) else {
        return false;
    };
    let mut rest = ClassUnicode::new(BROAD.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)));
    rest.difference(&class);
    rest.ranges().is_empty()
}

/// The characters `h` matches when it matches exactly one character: a class, a
/// one-character literal, or an alternation (or group) of those (`(?:.|\n)`).
fn one_char(h: &Hir) -> Option<ClassUnicode> {
    match h.kind() {
        HirKind::Class(Class::Unicode(c)) => Some(c.clone()),
        HirKind::Literal(l) => {
            let s = std::str::from_utf8(&l.0).ok()?;
            let mut chars = s.chars();
            let c = chars.next()?;
            chars
                .next()
                .is_none()
                .then(|| ClassUnicode::new([ClassUnicodeRange::new(c, c)]))
        }
        HirKind::Capture(c) => one_char(&c.sub),
        HirKind::Alternation(hs) => {
            let mut all = ClassUnicode::empty();
            for h in hs {
                all.union(&one_char(h)?);
            }
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn universal(p: &str) -> Option<usize> {
        universal_from(&crate::model::pattern_hir(p).unwrap())
    }

    #[test]
    fn match_anything_patterns_are_found() {
        for p in [
            ".*",
            "(?s).*",
            ".+",
            "^.*$",
            r"[\s\S]*",
            "(.*)",
            ".*?",
            "(?:.|\n)*",
            "[ -~]*",
            r"\s*.*\s*",
            "x?.*",
            ".*.*",
            "a|.*",
            "(.+)*",
            r"[\w ./:-]+",
            ".{0,}",
        ] {
            assert!(universal(p).is_some(), "{p}");
        }
        assert_eq!(universal(".{3,}"), Some(3));
        for p in [
            "^set RHOSTS .*$",
            r"\S+",
            "[a-z]*",
            ".{0,500}",
            "use .+",
            "(exploit|auxiliary)(/[a-z0-9_]+)+",
            "x.*",
            "",
        ] {
            assert_eq!(universal(p), None, "{p}");
        }
    }

    #[test]
    fn named_groups_know_repetition() {
        let g = named_groups(r"^set (?P<a>\S+)( (?P<b>x))?(?: (?P<c>y))+$");
        let got: Vec<(&str, bool)> = g.iter().map(|g| (g.name.as_str(), g.repeated)).collect();
        assert_eq!(got, [("a", false), ("b", false), ("c", true)]);
    }
}
