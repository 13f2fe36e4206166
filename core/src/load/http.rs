//! `[http]` and `[mcp]`.

use std::ops::Range;

use super::args::ArgInfo;
use super::codes;
use super::command::inner_span;
use super::diag::{Decorate, did_you_mean, list_names};
use super::http_template::{
    RawBodyPiece, RawTextPiece, RawUrlPiece, SyntaxError, SyntaxErrorKind, parse_body_template,
    parse_text_template, parse_url_template,
};
use super::walk::{Cx, Sp, Tbl};
use crate::model::{
    Arg, Body, BodyPiece, Header, HttpMethod, HttpSpec, McpField, McpSpec, TextPiece, TypeKind,
    UrlPart,
};

const HTTP_KEYS: &[&str] = &[
    "method",
    "url",
    "headers",
    "body_template",
    "success_status",
    "error_status",
];

fn syntax(cx: &mut Cx<'_>, what: &str, value: &Sp<String>, e: &SyntaxError) {
    let span = inner_span(cx.source(), &value.span, &value.v, e.span());
    let code = match e.kind {
        SyntaxErrorKind::InvalidJson => &codes::BAD_JSON_BODY,
        SyntaxErrorKind::EmptyPlaceholder => &codes::EMPTY_PLACEHOLDER,
        _ => &codes::TEMPLATE_SYNTAX,
    };
    cx.sink.error(code, span, format!("{what}: {}", e.message));
}

/// Resolves an `[http]` placeholder: only arguments (and secrets) exist there.
fn arg_ref(
    cx: &mut Cx<'_>,
    args: &[Arg],
    what: &str,
    value: &Sp<String>,
    name: &str,
    span: Range<usize>,
) -> Option<usize> {
    if let Some(i) = args.iter().position(|a| a.name == name) {
        return Some(i);
    }
    let file_span = inner_span(cx.source(), &value.span, &value.v, span);
    let d = cx.sink.error(
        &codes::UNDEFINED_PLACEHOLDER,
        file_span,
        format!("`{{{name}}}` in {what} does not name an argument"),
    );
    if let Some(s) = did_you_mean(name, args.iter().map(|a| a.name.as_ref())) {
        d.help(format!("did you mean `{{{s}}}`?"));
    } else {
        d.help("in [http], placeholders name arguments (`{target}`) or secrets (`{_secret:NAME}`)");
    }
    d.note(format!(
        "declared arguments are: {}",
        list_names(args.iter().map(|a| a.name.as_ref()))
    ));
    None
}

pub(crate) fn decode_http(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    args: &[Arg],
    infos: &[ArgInfo],
) -> Option<HttpSpec> {
    t.check_keys(cx, HTTP_KEYS);
    let mut ok = true;
    let method = t
        .req_str(cx, "method")
        .and_then(|m| match HttpMethod::from_name(&m.v) {
            Some(method) => Some(method),
            None => {
                cx.sink
                    .error(
                        &codes::INVALID_VALUE,
                        m.span.clone(),
                        format!("`http.method` has invalid value `{}`", m.v),
                    )
                    .note(format!(
                        "methods are: {}",
                        list_names(HttpMethod::ALL.iter().map(|m| m.as_str()))
                    ));
                None
            }
        });
    let url_src = t.req_str(cx, "url");
    let url = url_src.as_ref().and_then(|u| {
        let raw = match parse_url_template(&u.v) {
            Ok(r) => r,
            Err(e) => {
                syntax(cx, "`http.url`", u, &e);
                return None;
            }
        };
        if !raw.first().is_some_and(|p| match p {
            RawUrlPiece::Lit(l) => l.contains("://"),
            RawUrlPiece::Placeholder { name, .. } => args
                .iter()
                .find(|a| a.name == *name)
                .is_some_and(|a| a.ty.kind == TypeKind::Url),
            RawUrlPiece::Secret { .. } => false,
        }) {
            cx.sink
                .error(
                    &codes::BAD_URL,
                    u.span.clone(),
                    "`http.url` must start with a scheme (`https://...`) or a `url` argument",
                )
                .help("write the full URL, e.g. `url = \"https://api.example.com/v1/{id}\"`");
            return None;
        }
        let mut url_ok = super::http_layout::check_url_layout(cx, args, infos, u, &raw);
        let mut pieces = Vec::new();
        for p in raw {
            match p {
                RawUrlPiece::Lit(l) => pieces.push(TextPiece::Lit(l.into())),
                RawUrlPiece::Secret { name, part, .. } => pieces.push(TextPiece::Secret {
                    name: name.into(),
                    part,
                }),
                RawUrlPiece::Placeholder { name, span, part } => {
                    let Some(arg) = arg_ref(cx, args, "`http.url`", u, &name, span.clone()) else {
                        url_ok = false;
                        continue;
                    };
                    pieces.push(TextPiece::Arg { arg, part });
                }
            }
        }
        url_ok.then_some(pieces)
    });
    let mut headers = Vec::new();
    if t.get("headers").is_some() {
        match t.table(cx, "headers") {
            Some(h) => {
                for (k, v) in h.entries() {
                    let name: &str = k.get_ref();
                    let Some(value) = h.str(cx, name) else {
                        ok = false;
                        continue;
                    };
                    let _ = v;
                    if name.is_empty() || !name.bytes().all(is_tchar) {
                        ok = false;
                        cx.sink
                            .error(
                                &codes::BAD_HEADER,
                                k.span(),
                                format!("`{name}` is not a valid HTTP header name"),
                            )
                            .help("header names are letters, digits and ``!#$%&'*+-.^_`|~``");
                        continue;
                    }
                    let what = format!("header `{name}`");
                    match parse_text_template(&value.v) {
                        Ok(raw) => {
                            let mut pieces = Vec::new();
                            for p in raw {
                                match p {
                                    RawTextPiece::Lit(l) => {
                                        if l.contains(['\r', '\n']) {
                                            ok = false;
                                            cx.sink.error(
                                                &codes::BAD_HEADER,
                                                value.span.clone(),
                                                format!("{what} contains a line break"),
                                            );
                                        }
                                        pieces.push(TextPiece::Lit(l.into()));
                                    }
                                    RawTextPiece::Secret { name, .. } => {
                                        pieces.push(TextPiece::Secret {
                                            name: name.into(),
                                            part: UrlPart::Header,
                                        })
                                    }
                                    RawTextPiece::Placeholder { name: n, span } => {
                                        match arg_ref(cx, args, &what, &value, &n, span) {
                                            Some(arg) => pieces.push(TextPiece::Arg {
                                                arg,
                                                part: UrlPart::Header,
                                            }),
                                            None => ok = false,
                                        }
                                    }
                                }
                            }
                            headers.push(Header {
                                name: name.to_string().into(),
                                value: pieces.into(),
                            });
                        }
                        Err(e) => {
                            ok = false;
                            syntax(cx, &what, &value, &e);
                        }
                    }
                }
            }
            None => ok = false,
        }
    }
    let body = match t.str(cx, "body_template") {
        None => {
            ok &= t.get("body_template").is_none();
            None
        }
        Some(b) => match parse_body_template(&b.v) {
            Ok(raw) => {
                let mut pieces = Vec::new();
                let mut raw_args = false;
                for p in raw.pieces {
                    match p {
                        RawBodyPiece::Lit(l) => pieces.push(BodyPiece::Lit(l.into())),
                        RawBodyPiece::Secret { name, slot, .. } => pieces.push(BodyPiece::Secret {
                            name: name.into(),
                            slot,
                        }),
                        RawBodyPiece::Placeholder { name, span, slot } => {
                            match arg_ref(cx, args, "`http.body_template`", &b, &name, span) {
                                Some(arg) => {
                                    raw_args |= !raw.json;
                                    pieces.push(BodyPiece::Arg { arg, slot });
                                }
                                None => ok = false,
                            }
                        }
                    }
                }
                if raw_args {
                    cx.sink
                        .warn(
                            &codes::RAW_BODY,
                            b.span.clone(),
                            "`http.body_template` is not JSON: argument values are inserted verbatim",
                        )
                        .note("a JSON body template gets every value correctly escaped; other bodies get the validated text as it is");
                }
                Some(Body {
                    source: b.v.clone().into(),
                    json: raw.json,
                    pieces: pieces.into(),
                })
            }
            Err(e) => {
                ok = false;
                syntax(cx, "`http.body_template`", &b, &e);
                None
            }
        },
    };
    let status = |cx: &mut Cx<'_>, key: &str| -> Option<Vec<u16>> {
        if t.get(key).is_none() {
            return Some(Vec::new());
        }
        let list = t.int_list(cx, key)?;
        let mut out = Vec::new();
        let mut good = true;
        for s in list.v {
            match u16::try_from(s.v) {
                Ok(c) if (100..=599).contains(&c) => out.push(c),
                _ => {
                    good = false;
                    cx.sink.error(
                        &codes::BAD_STATUS,
                        s.span,
                        format!(
                            "`http.{key}` lists {}, which is not an HTTP status (100-599)",
                            s.v
                        ),
                    );
                }
            }
        }
        good.then_some(out)
    };
    let success_status = status(cx, "success_status");
    let error_status = status(cx, "error_status");
    if !ok {
        return None;
    }
    Some(HttpSpec {
        method: method?,
        url_source: url_src?.v.into(),
        url: url?.into(),
        headers: headers.into(),
        body,
        success_status: success_status?.into(),
        error_status: error_status?.into(),
    })
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub(crate) fn decode_mcp(
    cx: &mut Cx<'_>,
    t: &Tbl<'_, '_>,
    args: &[Arg],
    _infos: &[ArgInfo],
) -> Option<McpSpec> {
    t.check_keys(cx, &["server", "tool", "field_map"]);
    let server = t.req_str(cx, "server");
    let tool = t.req_str(cx, "tool");
    let mut ok = true;
    let mut renamed: Vec<(usize, Sp<String>)> = Vec::new();
    if t.get("field_map").is_some() {
        match t.table(cx, "field_map") {
            Some(fm) => {
                for (k, _) in fm.entries() {
                    let key: &str = k.get_ref();
                    let Some(to) = fm.str(cx, key) else {
                        ok = false;
                        continue;
                    };
                    let Some(i) = args.iter().position(|a| a.name == key) else {
                        ok = false;
                        let d = cx.sink.error(
                            &codes::FIELD_MAP_UNKNOWN_ARG,
                            k.span(),
                            format!(
                                "`mcp.field_map.{key}` renames an argument that is not declared"
                            ),
                        );
                        if let Some(s) = did_you_mean(key, args.iter().map(|a| a.name.as_ref())) {
                            d.help(format!("did you mean `{s}`?"));
                        }
                        d.note(format!(
                            "declared arguments are: {}",
                            list_names(args.iter().map(|a| a.name.as_ref()))
                        ));
                        continue;
                    };
                    if to.v.is_empty() {
                        ok = false;
                        cx.sink.error(
                            &codes::MISSING_KEY,
                            to.span.clone(),
                            format!("`mcp.field_map.{key}` is empty: it must name the upstream parameter"),
                        );
                        continue;
                    }
                    renamed.push((i, to));
                }
            }
            None => ok = false,
        }
    }
    let mut fields: Vec<McpField> = Vec::new();
    let mut seen: Vec<(String, Option<Range<usize>>)> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let (name, span) = match renamed.iter().find(|(j, _)| *j == i) {
            Some((_, to)) => (to.v.clone(), Some(to.span.clone())),
            None => (a.name.to_string(), None),
        };
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            ok = false;
            let at = span
                .clone()
                .or_else(|| first.clone())
                .unwrap_or_else(|| t.span.clone());
            cx.sink
                .error(
                    &codes::DUPLICATE_FIELD,
                    at,
                    format!("two arguments are sent to the MCP server as `{name}`"),
                )
                .help("give each argument its own upstream name in [mcp.field_map]");
            continue;
        }
        seen.push((name.clone(), span));
        fields.push(McpField {
            arg: i,
            name: name.into(),
        });
    }
    if !ok {
        return None;
    }
    Some(McpSpec {
        server: server?.v.into(),
        tool: tool?.v.into(),
        fields: fields.into(),
    })
}
