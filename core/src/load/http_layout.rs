//! What may sit in each part of an `[http] url` template, so that no value can change
//! the scheme, host or port the manifest author wrote beyond what its type declares.
//!
//! * A `url` argument may start the URL only as the whole URL: its own path, `?` or
//!   `#` would otherwise swallow the fixed text after it.
//! * Otherwise the URL starts with a literal `http://` or `https://`, and the literal
//!   authority has no userinfo (`@`), `%`, `\`, spaces or controls, and names a host.
//! * Secrets never sit before the path (a secret's text could name another host;
//!   credentials belong in a header).
//! * In the host: a whole host is a `scope_target`, an `ip_address` or an `enum` whose
//!   values are host names or dotted quads; a value joined to literal host text
//!   (`{region}.api.example.com`) is an `enum` of letters, digits, `.` and `-`.
//!   Numbers never stand in the host (WHATWG reads `2130706433` as 127.0.0.1, and
//!   `api.example.com{port}` changes the name); two values are never adjacent.
//! * After a literal `:` in the authority, a `port` (or an `enum` of port numbers) is
//!   the whole port, right before the path.
//!
//! At run time [`crate::value::check_url_authority_value`] refuses the values of these
//! types that still do not read as one host (a CIDR range, an IPv6 address).

use super::args::ArgInfo;
use super::codes;
use super::command::inner_span;
use super::diag::Decorate;
use super::http_template::RawUrlPiece;
use super::walk::{Cx, Sp};
use crate::model::{Arg, TypeKind, UrlPart};
use std::ops::Range;

/// One thing in the authority: a literal character or a placeholder.
enum Tok<'a> {
    Lit(char),
    Arg { name: &'a str, span: Range<usize> },
    Secret { span: Range<usize> },
}

fn is_host_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// Checks the layout of a parsed `http.url` (which starts with a scheme or a `url`
/// argument; that is checked before). Reports every problem; `false` if any.
pub(crate) fn check_url_layout(
    cx: &mut Cx<'_>,
    args: &[Arg],
    infos: &[ArgInfo],
    u: &Sp<String>,
    raw: &[RawUrlPiece],
) -> bool {
    let at =
        |cx: &Cx<'_>, span: &Range<usize>| inner_span(cx.source(), &u.span, &u.v, span.clone());
    let arg_of = |name: &str| {
        args.iter()
            .position(|a| a.name == name)
            .filter(|&i| infos.get(i).is_some_and(|i| i.type_ok))
            .and_then(|i| args.get(i))
    };
    if let Some(RawUrlPiece::Placeholder { name, span, .. }) = raw.first() {
        if raw.len() == 1 {
            return true;
        }
        let span = at(cx, span);
        cx.sink
            .error(
                &codes::UNSAFE_URL_PART,
                span,
                format!(
                    "`{{{name}}}` starts `http.url` but is not the whole URL: the path, `?` or `#` of its value would swallow the text written after it"
                ),
            )
            .help(format!(
                "write `url = \"{{{name}}}\"` alone, or write the scheme and host yourself (`https://{{host}}/v1/...` with a `scope_target` or `enum` host argument)"
            ));
        return false;
    }
    let Some(RawUrlPiece::Lit(first)) = raw.first() else {
        return true;
    };
    let mut ok = true;
    let Some((scheme, _)) = first.split_once("://") else {
        return true;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        ok = false;
        cx.sink
            .error(
                &codes::BAD_URL,
                u.span.clone(),
                format!(
                    "`http.url` has scheme `{}`: an [http] URL is `http` or `https`",
                    scheme.escape_debug()
                ),
            )
            .help("write `https://...`");
    }
    // The authority: from after `://` to the first literal `/`, `?` or `#`.
    let mut toks: Vec<Tok<'_>> = Vec::new();
    let mut ended = false;
    for (i, piece) in raw.iter().enumerate() {
        if ended {
            break;
        }
        match piece {
            RawUrlPiece::Lit(l) => {
                let text = if i == 0 {
                    l.split_once("://").map_or("", |(_, rest)| rest)
                } else {
                    l.as_str()
                };
                for c in text.chars() {
                    if matches!(c, '/' | '?' | '#') {
                        ended = true;
                        break;
                    }
                    toks.push(Tok::Lit(c));
                }
            }
            RawUrlPiece::Placeholder { name, span, part } if *part == UrlPart::Authority => toks
                .push(Tok::Arg {
                    name,
                    span: span.clone(),
                }),
            RawUrlPiece::Secret { span, part, .. } if *part == UrlPart::Authority => {
                toks.push(Tok::Secret { span: span.clone() })
            }
            _ => ended = true,
        }
    }
    if toks.is_empty() {
        cx.sink
            .error(&codes::BAD_URL, u.span.clone(), "`http.url` has no host")
            .help("write the host after `://`, e.g. `https://api.example.com/v1`");
        return false;
    }
    let bad_lit = |cx: &mut Cx<'_>, c: char| {
        let (msg, help) = if c == '@' {
            (
                "`http.url` has userinfo (`user:password@`) before the host".to_string(),
                "send credentials in a header, e.g. `Authorization = \"Bearer {_secret:TOKEN}\"`",
            )
        } else {
            (
                format!(
                    "`http.url` has `{}` in its host: it can change which server is called",
                    c.escape_debug()
                ),
                "write the host as letters, digits, `.` and `-`, then `:port` if needed",
            )
        };
        cx.sink
            .error(&codes::BAD_URL, u.span.clone(), msg)
            .help(help);
    };
    let mut colon_seen = false;
    let mut bracket = false;
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Lit(c) => {
                match c {
                    '[' => bracket = true,
                    ']' => bracket = false,
                    ':' if !bracket => colon_seen = true,
                    ':' => {}
                    c if is_host_char(*c) || *c == '_' => {}
                    c => {
                        ok = false;
                        bad_lit(cx, *c);
                    }
                }
                continue;
            }
            Tok::Secret { span } => {
                ok = false;
                let span = at(cx, span);
                cx.sink
                    .error(
                        &codes::UNSAFE_URL_PART,
                        span,
                        "a secret is placed before the URL path, where its text could name another server",
                    )
                    .help("send the secret in a header, e.g. `Authorization = \"Bearer {_secret:TOKEN}\"`, or in the path or query");
                continue;
            }
            Tok::Arg { .. } => {}
        }
        let Tok::Arg { name, span } = tok else {
            continue;
        };
        let Some(arg) = arg_of(name) else {
            // Undefined or badly typed: reported elsewhere.
            continue;
        };
        let prev = i.checked_sub(1).and_then(|j| toks.get(j));
        let next = toks.get(i + 1);
        let lit = |t: Option<&Tok<'_>>| match t {
            Some(Tok::Lit(c)) => Some(Some(*c)),
            None => Some(None),
            _ => None,
        };
        let problem: Option<(String, &str)> = match (lit(prev), lit(next)) {
            (None, _) | (_, None) => Some((
                format!(
                    "`{{{name}}}` is next to another value before the URL path: together they can form any host"
                ),
                "separate the values with literal text, or use one argument",
            )),
            _ if bracket => Some((
                format!("`{{{name}}}` is inside a bracketed IPv6 host"),
                "write IPv6 hosts literally, or pass the whole URL as a `url` argument",
            )),
            (Some(p), Some(n)) if colon_seen => {
                if p != Some(':') || n.is_some() {
                    Some((
                        format!("`{{{name}}}` is in the port but is not the whole port"),
                        "write `:{port}` right before the path, with nothing else in the port",
                    ))
                } else {
                    port_problem(name, arg)
                }
            }
            (Some(None), Some(None | Some(':'))) => whole_host_problem(name, arg),
            (Some(p), Some(n)) => {
                let glued = |c: Option<char>| c.is_none_or(|c| is_host_char(c) || c == ':');
                if glued(p) && glued(n) {
                    host_part_problem(name, arg)
                } else {
                    Some((
                        format!(
                            "`{{{name}}}` is joined to `{}` in the URL's host",
                            p.or(n).unwrap_or(' ').escape_debug()
                        ),
                        "put host values between `://`, `.`, `-` and `:`",
                    ))
                }
            }
        };
        if let Some((msg, help)) = problem {
            ok = false;
            let span = at(cx, span);
            cx.sink
                .error(&codes::UNSAFE_URL_PART, span, msg)
                .help(help.to_string())
                .note("only values whose type fixes them as a host name, address or port can sit before the URL path");
        }
    }
    ok
}

fn allowed(arg: &Arg) -> impl Iterator<Item = &str> {
    arg.ty
        .constraints
        .allowed
        .iter()
        .flat_map(|l| l.iter())
        .map(|s| s.as_ref())
}

type Problem = Option<(String, &'static str)>;

fn port_problem(name: &str, arg: &Arg) -> Problem {
    match arg.ty.kind {
        TypeKind::Port => None,
        TypeKind::Enum => {
            let bad = allowed(arg).find(|v| {
                !(v.len() <= 5
                    && !v.starts_with('0')
                    && v.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)))
            });
            bad.map(|v| {
                (
                    format!(
                        "`{{{name}}}` is the URL's port, but its value `{}` is not a port number",
                        v.escape_debug()
                    ),
                    "list port numbers 1-65535 only, or use a `port` argument",
                )
            })
        }
        _ => Some((
            format!(
                "`{{{name}}}` of type `{}` is the URL's port: only a `port` (or an `enum` of port numbers) can be",
                arg.ty.name
            ),
            "declare the argument with `type = \"port\"`",
        )),
    }
}

fn whole_host_problem(name: &str, arg: &Arg) -> Problem {
    match arg.ty.kind {
        TypeKind::ScopeTarget | TypeKind::IpAddress => None,
        TypeKind::Enum => allowed(arg)
            .find(|v| !crate::value::url_plain_host(v))
            .map(|v| {
                (
                    format!("`{{{name}}}` is the URL's host, but its value `{}` is not a host name or dotted-quad address", v.escape_debug()),
                    "list host names such as `api.example.com` (a name ending in a number is read as an address)",
                )
            }),
        TypeKind::Integer | TypeKind::Port | TypeKind::Number => Some((
            format!(
                "`{{{name}}}` of type `{}` is the whole URL host: URL parsers read a number there as an IPv4 address (`2130706433` is 127.0.0.1)",
                arg.ty.name
            ),
            "use a `scope_target` or `ip_address` argument for the host, or put the number after `:` as the port",
        )),
        TypeKind::Url => Some((
            format!("`{{{name}}}` is a `url` argument inside the URL's host"),
            "a `url` argument can only be the whole URL: `url = \"{name}\"`",
        )),
        _ => Some((
            format!(
                "argument `{name}` of type `{}` is placed before the URL path, where values are inserted verbatim",
                arg.ty.name
            ),
            "use a `scope_target`, `ip_address` or `enum` argument for the host, or move the value into the path or query",
        )),
    }
}

fn host_part_problem(name: &str, arg: &Arg) -> Problem {
    match arg.ty.kind {
        TypeKind::Enum => allowed(arg)
            .find(|v| v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .map(|v| {
                (
                    format!("`{{{name}}}` is part of the URL's host, but its value `{}` has characters other than letters, digits, `.` and `-`", v.escape_debug()),
                    "list values of letters, digits, `.` and `-`",
                )
            }),
        TypeKind::Integer | TypeKind::Port | TypeKind::Number => Some((
            format!(
                "`{{{name}}}` of type `{}` is joined to the URL's host text, which changes the host name",
                arg.ty.name
            ),
            "a port goes right after a literal `:` (`https://api.example.com:{port}/`)",
        )),
        TypeKind::ScopeTarget | TypeKind::IpAddress => Some((
            format!(
                "`{{{name}}}` of type `{}` is joined to other host text: the server called is not the host its type and the scope check saw",
                arg.ty.name
            ),
            "make the value the whole host (`https://{target}/...`)",
        )),
        _ => Some((
            format!(
                "argument `{name}` of type `{}` is placed before the URL path, where values are inserted verbatim",
                arg.ty.name
            ),
            "only an `enum` argument can be joined to literal host text; or move the value into the path or query",
        )),
    }
}

/// A URL written whole by the author outside `[http]` (`browser.auth_flows.*.login_url`):
/// `http` or `https`, a host, no userinfo, parsed by the same WHATWG parser the
/// `url` type uses. `false` if reported.
pub(crate) fn check_literal_url(
    cx: &mut Cx<'_>,
    what: &str,
    text: &str,
    span: Range<usize>,
) -> bool {
    let problem = match url::Url::parse(text) {
        Err(e) => Some(format!("{what} is not a valid URL ({e})")),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Some(format!(
            "{what} has scheme `{}`: a literal URL is `http` or `https`",
            u.scheme()
        )),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Some(format!(
            "{what} has userinfo (`user:password@`) before the host"
        )),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some(format!("{what} has no host")),
        Ok(_) => None,
    };
    match problem {
        Some(msg) => {
            cx.sink
                .error(&codes::BAD_URL, span, msg)
                .help("write an `https://host/path` URL; credentials go through `secret_ref`, never in the URL");
            false
        }
        None => true,
    }
}
