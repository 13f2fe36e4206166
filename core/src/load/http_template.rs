//! `[http]` templates: the URL (each placeholder tagged with the URL part it lands
//! in), header values, and `body_template` (each placeholder tagged with its JSON
//! slot, the template checked to be JSON at build time).
//!
//! URL and header values use the same brace layer as commands: `{{`/`}}` are literal
//! braces, `{name}` and `{_secret:NAME}` are placeholders, any other brace is an
//! error. Body templates cannot: `{`/`}` are JSON structure and `}}` ends nested
//! objects. In a body only `{name}` (an identifier right after `{` and right before
//! `}`) and `{_secret:NAME}` are placeholders; every other brace is literal text, and
//! there is no escape.

use std::ops::Range;

use crate::model::{JsonSlot, UrlPart};

pub(crate) use super::template::{RawTextPiece, SyntaxError, SyntaxErrorKind};
use super::template::{is_identifier, is_secret_name, scan_braces};

/// Part of an `[http] url` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawUrlPiece {
    /// Literal URL text (`{{`/`}}` already turned into braces).
    Lit(String),
    /// `{name}`, with the URL part it lands in.
    Placeholder {
        /// The name between the braces.
        name: String,
        /// Bytes of `{name}`.
        span: Range<usize>,
        /// Authority, Path, Query or Fragment.
        part: UrlPart,
    },
    /// `{_secret:NAME}`, with the URL part it lands in.
    Secret {
        /// `NAME`.
        name: String,
        /// Bytes of `{_secret:NAME}`.
        span: Range<usize>,
        /// Authority, Path, Query or Fragment.
        part: UrlPart,
    },
}

/// A parsed `body_template`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawBody {
    /// True when the template is JSON (checked by parsing it with every placeholder
    /// replaced by a sample).
    pub json: bool,
    /// The pieces; literal text is copied verbatim from the template.
    pub pieces: Vec<RawBodyPiece>,
}

/// Part of a [`RawBody`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawBodyPiece {
    /// Literal text, exactly as written.
    Lit(String),
    /// `{name}`.
    Placeholder {
        /// The name between the braces.
        name: String,
        /// Bytes of `{name}`.
        span: Range<usize>,
        /// `InString` / `Value` in a JSON body, `Raw` otherwise.
        slot: JsonSlot,
    },
    /// `{_secret:NAME}`.
    Secret {
        /// `NAME`.
        name: String,
        /// Bytes of `{_secret:NAME}`.
        span: Range<usize>,
        /// `InString` / `Value` in a JSON body, `Raw` otherwise.
        slot: JsonSlot,
    },
}

/// Parses a header value (or any text with placeholders and secrets but no URL
/// structure).
pub(crate) fn parse_text_template(text: &str) -> Result<Vec<RawTextPiece>, SyntaxError> {
    scan_braces(text)
}

/// Parses an `[http] url` template and tags each placeholder with its URL part.
///
/// The part is decided by the literal text before the placeholder: everything up to
/// the path is [`UrlPart::Authority`] (scheme, `://`, userinfo, host, port — or a
/// placeholder standing for the base URL); the first `/` after that (not the two of
/// `://`) starts [`UrlPart::Path`], the first `?` starts [`UrlPart::Query`], the
/// first `#` starts [`UrlPart::Fragment`]. Braces in values cannot move these
/// boundaries, since values are encoded for their part at run time.
pub(crate) fn parse_url_template(text: &str) -> Result<Vec<RawUrlPiece>, SyntaxError> {
    let mut part = UrlPart::Authority;
    let mut scheme_seen = false;
    let mut out = Vec::new();
    for piece in scan_braces(text)? {
        match piece {
            RawTextPiece::Lit(lit) => {
                let mut rest = lit.as_str();
                while let Some(c) = rest.chars().next() {
                    if part == UrlPart::Authority
                        && !scheme_seen
                        && let Some(after) = rest.strip_prefix("://")
                    {
                        scheme_seen = true;
                        rest = after;
                        continue;
                    }
                    part = match (part, c) {
                        (UrlPart::Authority, '/') => UrlPart::Path,
                        (UrlPart::Authority | UrlPart::Path, '?') => UrlPart::Query,
                        (UrlPart::Authority | UrlPart::Path | UrlPart::Query, '#') => {
                            UrlPart::Fragment
                        }
                        (p, _) => p,
                    };
                    rest = rest.get(c.len_utf8()..).unwrap_or("");
                }
                out.push(RawUrlPiece::Lit(lit));
            }
            RawTextPiece::Placeholder { name, span } => {
                out.push(RawUrlPiece::Placeholder { name, span, part });
            }
            RawTextPiece::Secret { name, span } => {
                out.push(RawUrlPiece::Secret { name, span, part });
            }
        }
    }
    Ok(out)
}

const SECRET_OPEN: &str = "{_secret:";

/// A body placeholder starting at `pos` (where `text` has `{`).
enum BodyBrace<'a> {
    Placeholder(&'a str),
    Secret(&'a str),
}

/// Reads the body placeholder at `pos`, if the `{` there starts one; returns it with
/// the offset after its `}`. `{_secret:` always starts a secret, so a malformed one is
/// an error rather than literal text that would silently reach the server.
fn body_brace_at(text: &str, pos: usize) -> Result<Option<(BodyBrace<'_>, usize)>, SyntaxError> {
    let rest = text.get(pos..).unwrap_or("");
    if let Some(after) = rest.strip_prefix(SECRET_OPEN) {
        let close = after.find('}');
        let name = close.and_then(|c| after.get(..c)).unwrap_or("");
        return match close {
            Some(c) if is_secret_name(name) => Ok(Some((
                BodyBrace::Secret(name),
                pos + SECRET_OPEN.len() + c + 1,
            ))),
            _ => {
                let end =
                    close.map_or(pos + SECRET_OPEN.len(), |c| pos + SECRET_OPEN.len() + c + 1);
                Err(SyntaxError::new(
                    pos..end,
                    SyntaxErrorKind::InvalidSecretName,
                    format!(
                        "invalid secret `{}`: write `{{_secret:NAME}}` with a name of letters, digits and `_`",
                        text.get(pos..end).unwrap_or("")
                    ),
                ))
            }
        };
    }
    let after = rest.get(1..).unwrap_or("");
    let ident_len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name = after.get(..ident_len).unwrap_or("");
    if is_identifier(name) && after.as_bytes().get(ident_len) == Some(&b'}') {
        return Ok(Some((BodyBrace::Placeholder(name), pos + ident_len + 2)));
    }
    Ok(None)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyMode {
    /// Track JSON strings to tell `InString` from `Value`.
    Json,
    /// Not JSON: every placeholder is `Raw`.
    Raw,
}

fn scan_body(text: &str, mode: BodyMode) -> Result<Vec<RawBodyPiece>, SyntaxError> {
    let mut pieces = Vec::new();
    let mut lit_start = 0;
    let mut in_string = false;
    let mut pos = 0;
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'{' => {
                if let Some((brace, end)) = body_brace_at(text, pos)? {
                    if lit_start < pos {
                        pieces.push(RawBodyPiece::Lit(
                            text.get(lit_start..pos).unwrap_or("").to_owned(),
                        ));
                    }
                    let slot = match (mode, in_string) {
                        (BodyMode::Raw, _) => JsonSlot::Raw,
                        (BodyMode::Json, true) => JsonSlot::InString,
                        (BodyMode::Json, false) => JsonSlot::Value,
                    };
                    let span = pos..end;
                    pieces.push(match brace {
                        BodyBrace::Placeholder(name) => RawBodyPiece::Placeholder {
                            name: name.to_owned(),
                            span,
                            slot,
                        },
                        BodyBrace::Secret(name) => RawBodyPiece::Secret {
                            name: name.to_owned(),
                            span,
                            slot,
                        },
                    });
                    pos = end;
                    lit_start = end;
                    continue;
                }
            }
            b'"' if mode == BodyMode::Json => in_string = !in_string,
            // A JSON escape: the next character cannot open a placeholder or close
            // the string. Skipping one byte is enough: the escaped character is
            // ASCII in valid JSON, and anything else fails the JSON check below.
            b'\\' if mode == BodyMode::Json && in_string => pos += 1,
            _ => {}
        }
        pos += 1;
    }
    if lit_start < text.len() {
        pieces.push(RawBodyPiece::Lit(
            text.get(lit_start..).unwrap_or("").to_owned(),
        ));
    }
    Ok(pieces)
}

fn is_json_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Parses a `body_template`.
///
/// A template is taken as JSON when its first non-blank character is `[`, `"`, or a
/// `{` that does not start a placeholder. A JSON template must parse once each
/// placeholder is replaced by a sample (`x` inside a string, `null` in value
/// position — `null` cannot merge with neighbouring text into something valid, so a
/// placeholder that parses there holds a whole JSON value); otherwise it is a
/// [`SyntaxErrorKind::InvalidJson`] error at the offending byte. Placeholders inside
/// JSON strings are [`JsonSlot::InString`], the others [`JsonSlot::Value`].
///
/// Any other template (form data, plain text, a lone `{payload}`, empty) is
/// `json: false` with every placeholder [`JsonSlot::Raw`]; the loader decides
/// whether that is acceptable.
pub(crate) fn parse_body_template(text: &str) -> Result<RawBody, SyntaxError> {
    let start = text.len() - text.trim_start_matches(is_json_ws).len();
    let looks_json = match text.as_bytes().get(start) {
        Some(b'[' | b'"') => true,
        Some(b'{') => body_brace_at(text, start)?.is_none(),
        _ => false,
    };
    if !looks_json {
        return Ok(RawBody {
            json: false,
            pieces: scan_body(text, BodyMode::Raw)?,
        });
    }
    let pieces = scan_body(text, BodyMode::Json)?;
    check_json(text, &pieces)?;
    Ok(RawBody { json: true, pieces })
}

/// One run of the sample text and where it came from.
struct Segment {
    sample: Range<usize>,
    source: Range<usize>,
    placeholder: bool,
}

fn check_json(text: &str, pieces: &[RawBodyPiece]) -> Result<(), SyntaxError> {
    let mut sample = String::with_capacity(text.len());
    let mut segments = Vec::with_capacity(pieces.len());
    let mut source_pos = 0;
    for piece in pieces {
        let start = sample.len();
        let (source, placeholder) = match piece {
            RawBodyPiece::Lit(s) => {
                sample.push_str(s);
                (source_pos..source_pos + s.len(), false)
            }
            RawBodyPiece::Placeholder { span, slot, .. }
            | RawBodyPiece::Secret { span, slot, .. } => {
                sample.push_str(match slot {
                    JsonSlot::InString => "x",
                    JsonSlot::Value | JsonSlot::Raw => "null",
                });
                (span.clone(), true)
            }
        };
        source_pos = source.end;
        segments.push(Segment {
            sample: start..sample.len(),
            source,
            placeholder,
        });
    }
    // `Value` rather than `IgnoredAny`: its errors are the precise ones ("trailing comma").
    let Err(err) = serde_json::from_str::<serde_json::Value>(&sample) else {
        return Ok(());
    };
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let span = if err.classify() == serde_json::error::Category::Eof {
        text.len()..text.len()
    } else {
        let at = sample_offset(&sample, err.line(), err.column());
        source_span(text, &segments, at)
    };
    Err(SyntaxError::new(
        span,
        SyntaxErrorKind::InvalidJson,
        format!("body_template is not valid JSON: {message}"),
    ))
}

/// The byte offset serde_json's 1-based line and (byte) column point at.
fn sample_offset(sample: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        sample
            .match_indices('\n')
            .nth(line - 2)
            .map_or(sample.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(sample.len())
}

/// Maps an offset in the sample text back to a span of the template.
fn source_span(text: &str, segments: &[Segment], at: usize) -> Range<usize> {
    let Some(seg) = segments
        .iter()
        .find(|s| s.sample.start <= at && at < s.sample.end)
    else {
        return text.len()..text.len();
    };
    if seg.placeholder {
        return seg.source.clone();
    }
    let mut offset = (seg.source.start + (at - seg.sample.start)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let len = text
        .get(offset..)
        .and_then(|r| r.chars().next())
        .map_or(0, char::len_utf8);
    offset..offset + len
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn url(text: &str) -> Vec<RawUrlPiece> {
        parse_url_template(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    /// `(name, part)` of every placeholder and secret (secrets as `secret:NAME`).
    fn url_parts(text: &str) -> Vec<(String, UrlPart)> {
        url(text)
            .into_iter()
            .filter_map(|p| match p {
                RawUrlPiece::Lit(_) => None,
                RawUrlPiece::Placeholder { name, part, .. } => Some((name, part)),
                RawUrlPiece::Secret { name, part, .. } => Some((format!("secret:{name}"), part)),
            })
            .collect()
    }

    fn parts(items: &[(&str, UrlPart)]) -> Vec<(String, UrlPart)> {
        items.iter().map(|(n, p)| ((*n).to_owned(), *p)).collect()
    }

    use UrlPart::{Authority, Fragment, Path, Query};

    #[test]
    fn url_parts_by_position() {
        assert_eq!(
            url_parts("https://{host}:{port}/api/{id}/items?q={query}&k={_secret:KEY}#{frag}"),
            parts(&[
                ("host", Authority),
                ("port", Authority),
                ("id", Path),
                ("query", Query),
                ("secret:KEY", Query),
                ("frag", Fragment),
            ])
        );
        assert_eq!(
            url_parts("{base_url}/v1/{id}"),
            parts(&[("base_url", Authority), ("id", Path)])
        );
        assert_eq!(url_parts("{url}"), parts(&[("url", Authority)]));
        assert_eq!(
            url_parts("{scheme}://{host}?{q}"),
            parts(&[("scheme", Authority), ("host", Authority), ("q", Query)])
        );
        assert_eq!(
            url_parts("http://h#{a}?{b}/{c}"),
            parts(&[("a", Fragment), ("b", Fragment), ("c", Fragment)])
        );
        assert_eq!(url_parts("http://h/p?x=http://{y}"), parts(&[("y", Query)]));
        assert_eq!(url_parts("/rel/{x}"), parts(&[("x", Path)]));
        assert_eq!(url_parts("http://[::1]:80/{x}"), parts(&[("x", Path)]));
    }

    #[test]
    fn url_literals_and_spans() {
        assert_eq!(
            url("http://h/{{x}}/{id}"),
            vec![
                RawUrlPiece::Lit("http://h/{x}/".into()),
                RawUrlPiece::Placeholder {
                    name: "id".into(),
                    span: 15..19,
                    part: Path
                },
            ]
        );
        assert_eq!(url(""), vec![]);
    }

    #[test]
    fn url_errors() {
        let e = parse_url_template("http://h/{}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::EmptyPlaceholder);
        assert_eq!(e.span(), 9..11);
        let e = parse_url_template("http://h/{a b}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidPlaceholder);
        let e = parse_url_template("http://h/?q={_secret:a.b}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidSecretName);
        assert_eq!(e.span(), 12..25);
        let e = parse_url_template("http://h/{x").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::UnclosedBrace);
    }

    #[test]
    fn header_values() {
        assert_eq!(
            parse_text_template("Bearer {_secret:TOKEN}").unwrap(),
            vec![
                RawTextPiece::Lit("Bearer ".into()),
                RawTextPiece::Secret {
                    name: "TOKEN".into(),
                    span: 7..22
                },
            ]
        );
        assert_eq!(
            parse_text_template("{a}-{b}").unwrap(),
            vec![
                RawTextPiece::Placeholder {
                    name: "a".into(),
                    span: 0..3
                },
                RawTextPiece::Lit("-".into()),
                RawTextPiece::Placeholder {
                    name: "b".into(),
                    span: 4..7
                },
            ]
        );
        assert_eq!(
            parse_text_template("x}").unwrap_err().kind,
            SyntaxErrorKind::StrayCloseBrace
        );
    }

    fn body(text: &str) -> RawBody {
        parse_body_template(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    /// `(name, slot)` of every placeholder.
    fn slots(b: &RawBody) -> Vec<(String, JsonSlot)> {
        b.pieces
            .iter()
            .filter_map(|p| match p {
                RawBodyPiece::Lit(_) => None,
                RawBodyPiece::Placeholder { name, slot, .. } => Some((name.clone(), *slot)),
                RawBodyPiece::Secret { name, slot, .. } => Some((format!("secret:{name}"), *slot)),
            })
            .collect()
    }

    fn named(items: &[(&str, JsonSlot)]) -> Vec<(String, JsonSlot)> {
        items.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect()
    }

    #[test]
    fn json_body_slots() {
        let text = r#"{"text": "{message}", "n": {count}, "nested": {"on": {flag}, "k": "{_secret:K}"}, "list": [{a}, "pre {b} post"], "empty": {}}"#;
        let b = body(text);
        assert!(b.json);
        assert_eq!(
            slots(&b),
            named(&[
                ("message", JsonSlot::InString),
                ("count", JsonSlot::Value),
                ("flag", JsonSlot::Value),
                ("secret:K", JsonSlot::InString),
                ("a", JsonSlot::Value),
                ("b", JsonSlot::InString),
            ])
        );
        // Literal text is verbatim and pieces reassemble the template.
        let rebuilt: String = b
            .pieces
            .iter()
            .map(|p| match p {
                RawBodyPiece::Lit(s) => s.clone(),
                RawBodyPiece::Placeholder { span, .. } | RawBodyPiece::Secret { span, .. } => {
                    text[span.clone()].to_owned()
                }
            })
            .collect();
        assert_eq!(rebuilt, text);
        assert_eq!(
            b.pieces.first(),
            Some(&RawBodyPiece::Lit(r#"{"text": ""#.into()))
        );
    }

    #[test]
    fn json_body_keys_arrays_and_escapes() {
        let b = body(r#"  [{"{k}": 1}, {v}]"#);
        assert!(b.json);
        assert_eq!(
            slots(&b),
            named(&[("k", JsonSlot::InString), ("v", JsonSlot::Value)])
        );
        // An escaped quote does not end the string; `\\` does not escape the brace.
        let b = body(r#"{"a": "say \"{x}\" \\{y}"}"#);
        assert_eq!(
            slots(&b),
            named(&[("x", JsonSlot::InString), ("y", JsonSlot::InString)])
        );
        // Braces that are not placeholders are literal text, even inside strings.
        let b = body(r#"{"fmt": "{not a placeholder} {{x}}", "o": {"p": {}}}"#);
        assert_eq!(slots(&b), named(&[("x", JsonSlot::InString)]));
        // A top-level JSON string.
        let b = body(r#""{x}""#);
        assert!(b.json);
        assert_eq!(slots(&b), named(&[("x", JsonSlot::InString)]));
    }

    #[test]
    fn invalid_json_body() {
        // The Rust reference's broken output shape is rejected when written by hand.
        let text = r#"{"text": "a", "n": 1,}"#;
        let e = parse_body_template(text).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidJson);
        assert_eq!(e.span(), 21..22);
        assert_eq!(e.message, "body_template is not valid JSON: trailing comma");

        // Offsets after placeholders map back to the template text.
        let text = "{\"a\": \"{long_name}\",\n \"b\": {value} x}";
        let e = parse_body_template(text).unwrap_err();
        assert_eq!(&text[e.span()], "x");

        // A placeholder where a key belongs is reported at the placeholder.
        let text = r#"{{key}: 1}"#;
        let e = parse_body_template(text).unwrap_err();
        assert_eq!(e.span(), 1..6);
        assert!(e.message.contains("key must be a string"), "{}", e.message);

        // Two values in a row do not merge into one.
        let e = parse_body_template(r#"{"a": {x}{y}}"#).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidJson);
        let e = parse_body_template(r#"{"a": -{x}}"#).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidJson);
        // An escape that swallows a placeholder's brace is invalid JSON.
        let e = parse_body_template(r#"{"a": "\{x}"}"#).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidJson);
        let e = parse_body_template(r#"{"a": "\u00{x}"}"#).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::InvalidJson);

        // Unterminated: reported at the end.
        let text = r#"{"a": "{x}""#;
        let e = parse_body_template(text).unwrap_err();
        assert_eq!((e.offset, e.len), (text.len(), 0));
        assert!(e.message.contains("EOF"), "{}", e.message);

        // Non-ASCII before the error keeps the span on a char boundary.
        let text = "[\"é\", é]";
        let e = parse_body_template(text).unwrap_err();
        assert_eq!(&text[e.span()], "é");
    }

    #[test]
    fn non_json_bodies_are_raw() {
        let b = body("user={user}&token={_secret:T}");
        assert!(!b.json);
        assert_eq!(
            slots(&b),
            named(&[("user", JsonSlot::Raw), ("secret:T", JsonSlot::Raw)])
        );
        // A lone placeholder is passed through as written, not JSON-quoted.
        let b = body(" {payload}");
        assert!(!b.json);
        assert_eq!(slots(&b), named(&[("payload", JsonSlot::Raw)]));
        assert_eq!(
            b.pieces,
            vec![
                RawBodyPiece::Lit(" ".into()),
                RawBodyPiece::Placeholder {
                    name: "payload".into(),
                    span: 1..10,
                    slot: JsonSlot::Raw
                },
            ]
        );
        // JSON string tracking is off for raw bodies.
        let b = body(r#"q="\{x}""#);
        assert_eq!(slots(&b), named(&[("x", JsonSlot::Raw)]));
        assert_eq!(
            body(""),
            RawBody {
                json: false,
                pieces: vec![]
            }
        );
        assert!(!body("42").json);
    }

    #[test]
    fn bad_secrets_in_bodies() {
        for (text, span) in [
            (r#"{"a": "{_secret:}"}"#, 7..17),
            (r#"{"a": "{_secret:a-b}"}"#, 7..20),
            ("x={_secret:abc", 2..11),
        ] {
            let e = parse_body_template(text).unwrap_err();
            assert_eq!(e.kind, SyntaxErrorKind::InvalidSecretName, "{text}");
            assert_eq!(e.span(), span, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn never_panics(text in "[ -~\\n\\t{}é\"\\\\]{0,40}") {
            for span in [
                parse_url_template(&text).err().map(|e| e.span()),
                parse_text_template(&text).err().map(|e| e.span()),
                parse_body_template(&text).err().map(|e| e.span()),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(text.get(span).is_some());
            }
        }

        #[test]
        fn arbitrary_bodies_never_panic(text in any::<String>()) {
            if let Err(e) = parse_body_template(&text) {
                prop_assert!(text.get(e.span()).is_some());
            }
        }

        /// Any JSON value with string placeholders inserted stays JSON and gets the
        /// right slots; substituting real escaped values gives valid JSON too.
        #[test]
        fn generated_json_bodies(keys in proptest::collection::vec(("[a-z]{1,6}", any::<bool>()), 1..6), value in any::<String>()) {
            let mut text = String::from("{");
            for (i, (k, quoted)) in keys.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                if *quoted {
                    text.push_str(&format!("\"k{i}\": \"<{{{k}}}>\""));
                } else {
                    text.push_str(&format!("\"k{i}\": {{{k}}}"));
                }
            }
            text.push('}');
            let b = parse_body_template(&text).unwrap();
            prop_assert!(b.json);
            let expected: Vec<JsonSlot> = keys
                .iter()
                .map(|(_, q)| if *q { JsonSlot::InString } else { JsonSlot::Value })
                .collect();
            let got: Vec<JsonSlot> = slots(&b).into_iter().map(|(_, s)| s).collect();
            prop_assert_eq!(got, expected);
            let rendered: String = b
                .pieces
                .iter()
                .map(|p| match p {
                    RawBodyPiece::Lit(s) => s.clone(),
                    RawBodyPiece::Placeholder { slot: JsonSlot::InString, .. } => {
                        crate::invoke::encode::json_string_content(&value)
                    }
                    RawBodyPiece::Placeholder { .. } | RawBodyPiece::Secret { .. } => {
                        format!("\"{}\"", crate::invoke::encode::json_string_content(&value))
                    }
                })
                .collect();
            let parsed: serde_json::Value = serde_json::from_str(&rendered).unwrap();
            let expected = if keys[0].1 { format!("<{value}>") } else { value.clone() };
            prop_assert_eq!(parsed["k0"].as_str(), Some(expected.as_str()));
        }
    }
}
