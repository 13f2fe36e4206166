//! Command templates, exec elements, mapping flag strings and `startup_command`:
//! pure functions from the manifest text to argv tokens, with byte-offset errors.
//!
//! Two layers apply to a command template, both at build time and both on the
//! template text only (never on values):
//!
//! * the **brace layer**, which works the same inside and outside shell quotes:
//!   `{{` and `}}` are literal braces, `{name}` is a placeholder
//!   (`name` = `[A-Za-z_][A-Za-z0-9_]*`), any other `{`/`}` is an error;
//! * **POSIX shell quoting** on the remaining text: single quotes keep everything
//!   literally, double quotes honour `\"`, `\\`, `\$`, `` \` `` and backslash-newline,
//!   a backslash outside quotes escapes the next character, and unquoted space, tab,
//!   CR or LF separates tokens. Nothing else is special: no shell runs, so `$`, `;`,
//!   `|`, `*`, `~`, `#` are ordinary characters.
//!
//! A placeholder is always one piece of the token it sits in, so a value is never
//! split, whatever it contains.

use std::ops::Range;

/// A syntax error in a template-like string, located by byte offsets into it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SyntaxError {
    /// Byte offset of the offending text.
    pub offset: usize,
    /// Byte length of the offending text (0 for "at the end").
    pub len: usize,
    /// What is wrong, for the loader's decisions (warning or error, which hint).
    pub kind: SyntaxErrorKind,
    /// A one-line explanation, without location.
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(
        span: Range<usize>,
        kind: SyntaxErrorKind,
        message: impl Into<String>,
    ) -> Self {
        SyntaxError {
            offset: span.start,
            len: span.end.saturating_sub(span.start),
            kind,
            message: message.into(),
        }
    }

    /// The offending byte range.
    pub(crate) fn span(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }
}

/// The kinds of [`SyntaxError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SyntaxErrorKind {
    /// A `'` or `"` that is never closed (points at the opening quote).
    UnclosedQuote,
    /// A backslash as the last character, with nothing to escape.
    TrailingBackslash,
    /// An unquoted `\{` or `\}`: braces are escaped by doubling them.
    EscapedBrace,
    /// A `{` with no `}` after it.
    UnclosedBrace,
    /// A `}` that closes nothing and is not doubled.
    StrayCloseBrace,
    /// `{}`: a placeholder without a name (the symbi-redteam wrappers have these).
    EmptyPlaceholder,
    /// `{...}` whose content is not an identifier (nor `_secret:NAME`).
    InvalidPlaceholder,
    /// `{_secret:...}` whose name is empty or not `[A-Za-z0-9_]+`.
    InvalidSecretName,
    /// `{_secret:NAME}` where secrets are not expanded (outside `[http]`).
    SecretNotAllowed,
    /// A `{name}` where no placeholders exist (mapping values, `startup_command`).
    PlaceholderNotAllowed,
    /// A body template that looks like JSON but is not JSON.
    InvalidJson,
}

/// One argv token of a command template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawToken {
    /// The pieces, concatenated. Never two `Lit`s in a row and never an empty `Lit`;
    /// an empty list is the empty argv element written as `''` or `""`.
    pub pieces: Vec<RawPiece>,
    /// Bytes of the template the token was written with, quotes included.
    pub span: Range<usize>,
}

/// Part of a [`RawToken`] (or of an exec element).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawPiece {
    /// Literal text, unquoted and with `{{`/`}}` already turned into braces.
    Lit(String),
    /// `{name}`.
    Placeholder {
        /// The name between the braces.
        name: String,
        /// Bytes of `{name}`, braces included.
        span: Range<usize>,
    },
}

/// Part of a text where both placeholders and secrets may appear (HTTP URL and
/// header values; see `http_template`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawTextPiece {
    /// Literal text with `{{`/`}}` already turned into braces.
    Lit(String),
    /// `{name}`.
    Placeholder {
        /// The name between the braces.
        name: String,
        /// Bytes of `{name}`, braces included.
        span: Range<usize>,
    },
    /// `{_secret:NAME}`.
    Secret {
        /// `NAME` (`[A-Za-z0-9_]+`).
        name: String,
        /// Bytes of `{_secret:NAME}`, braces included.
        span: Range<usize>,
    },
}

const SECRET_PREFIX: &str = "_secret:";

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// True for `[A-Za-z0-9_]+` (the secret names every implementation accepts).
pub(crate) fn is_secret_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What a brace at some offset begins.
#[derive(Debug)]
enum Brace<'a> {
    /// `{{` or `}}`: the literal brace.
    Literal(char),
    /// `{name}`.
    Placeholder(&'a str),
    /// `{_secret:NAME}`.
    Secret(&'a str),
}

/// Reads the brace construct at `start` (where `text` has `{` or `}`); returns it and
/// the offset just after it.
fn brace_at(text: &str, start: usize) -> Result<(Brace<'_>, usize), SyntaxError> {
    let rest = text.get(start..).unwrap_or("");
    if rest.starts_with("{{") {
        return Ok((Brace::Literal('{'), start + 2));
    }
    if rest.starts_with("}}") {
        return Ok((Brace::Literal('}'), start + 2));
    }
    if rest.starts_with('}') {
        return Err(SyntaxError::new(
            start..start + 1,
            SyntaxErrorKind::StrayCloseBrace,
            "unmatched `}`: write `}}` for a literal brace",
        ));
    }
    // `rest` starts with `{` (callers guarantee it); the placeholder ends at the next `}`.
    let Some(close) = rest.get(1..).and_then(|r| r.find('}')) else {
        return Err(SyntaxError::new(
            start..start + 1,
            SyntaxErrorKind::UnclosedBrace,
            "`{` is never closed: write `{{` for a literal brace",
        ));
    };
    let content = rest.get(1..1 + close).unwrap_or("");
    let end = start + close + 2;
    let span = start..end;
    if content.is_empty() {
        return Err(SyntaxError::new(
            span,
            SyntaxErrorKind::EmptyPlaceholder,
            "empty placeholder `{}`: name an argument (`{target}`) or write `{{}}` for literal braces",
        ));
    }
    if let Some(name) = content.strip_prefix(SECRET_PREFIX) {
        if !is_secret_name(name) {
            return Err(SyntaxError::new(
                span,
                SyntaxErrorKind::InvalidSecretName,
                format!(
                    "invalid secret name `{name}` in `{{{content}}}`: secret names are letters, digits and `_`"
                ),
            ));
        }
        return Ok((Brace::Secret(name), end));
    }
    if is_identifier(content) {
        return Ok((Brace::Placeholder(content), end));
    }
    Err(SyntaxError::new(
        span,
        SyntaxErrorKind::InvalidPlaceholder,
        format!(
            "`{{{content}}}` is not a placeholder: a name is a letter or `_` followed by letters, digits or `_`; write `{{{{` and `}}}}` for literal braces"
        ),
    ))
}

/// The error for `{_secret:NAME}` outside `[http]`.
fn secret_not_allowed(name: &str, span: Range<usize>) -> SyntaxError {
    SyntaxError::new(
        span,
        SyntaxErrorKind::SecretNotAllowed,
        format!(
            "`{{_secret:{name}}}`: secrets are only expanded in [http] url, headers and body_template"
        ),
    )
}

/// The character at `pos` (a char boundary) and its byte length.
fn char_at(text: &str, pos: usize) -> Option<(char, usize)> {
    text.get(pos..)
        .and_then(|r| r.chars().next())
        .map(|c| (c, c.len_utf8()))
}

/// Splits text with only the brace layer (no shell quoting), secrets included: header
/// values, URLs. Adjacent literal text is merged; no empty `Lit` is produced.
pub(crate) fn scan_braces(text: &str) -> Result<Vec<RawTextPiece>, SyntaxError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut pos = 0;
    while let Some((c, len)) = char_at(text, pos) {
        if c == '{' || c == '}' {
            let (brace, end) = brace_at(text, pos)?;
            let span = pos..end;
            match brace {
                Brace::Literal(b) => lit.push(b),
                Brace::Placeholder(name) => {
                    flush_text(&mut lit, &mut pieces);
                    pieces.push(RawTextPiece::Placeholder {
                        name: name.to_owned(),
                        span,
                    });
                }
                Brace::Secret(name) => {
                    flush_text(&mut lit, &mut pieces);
                    pieces.push(RawTextPiece::Secret {
                        name: name.to_owned(),
                        span,
                    });
                }
            }
            pos = end;
        } else {
            lit.push(c);
            pos += len;
        }
    }
    flush_text(&mut lit, &mut pieces);
    Ok(pieces)
}

fn flush_text(lit: &mut String, pieces: &mut Vec<RawTextPiece>) {
    if !lit.is_empty() {
        pieces.push(RawTextPiece::Lit(std::mem::take(lit)));
    }
}

/// Parses one `exec` array element: the brace layer only, never split, no quoting.
/// An empty element gives an empty list (an empty argv element).
pub(crate) fn parse_pieces(text: &str) -> Result<Vec<RawPiece>, SyntaxError> {
    scan_braces(text)?
        .into_iter()
        .map(|p| match p {
            RawTextPiece::Lit(s) => Ok(RawPiece::Lit(s)),
            RawTextPiece::Placeholder { name, span } => Ok(RawPiece::Placeholder { name, span }),
            RawTextPiece::Secret { name, span } => Err(secret_not_allowed(&name, span)),
        })
        .collect()
}

/// Shell quoting state.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    /// Inside `'...'`, opened at this offset.
    Single(usize),
    /// Inside `"..."`, opened at this offset.
    Double(usize),
}

/// Whether the brace layer is active (templates) or braces are plain characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Braces {
    Template,
    Literal,
}

/// Token under construction.
#[derive(Default)]
struct Builder {
    tokens: Vec<RawToken>,
    /// Start offset of the current token, when one is open.
    start: Option<usize>,
    end: usize,
    pieces: Vec<RawPiece>,
    lit: String,
}

impl Builder {
    /// Marks `span` as part of the current token, opening one if needed.
    fn touch(&mut self, span: Range<usize>) {
        if self.start.is_none() {
            self.start = Some(span.start);
        }
        self.end = span.end;
    }

    fn push_char(&mut self, c: char, span: Range<usize>) {
        self.touch(span);
        self.lit.push(c);
    }

    fn push_placeholder(&mut self, name: &str, span: Range<usize>) {
        self.touch(span.clone());
        if !self.lit.is_empty() {
            self.pieces
                .push(RawPiece::Lit(std::mem::take(&mut self.lit)));
        }
        self.pieces.push(RawPiece::Placeholder {
            name: name.to_owned(),
            span,
        });
    }

    fn finish_token(&mut self) {
        if let Some(start) = self.start.take() {
            if !self.lit.is_empty() {
                self.pieces
                    .push(RawPiece::Lit(std::mem::take(&mut self.lit)));
            }
            self.tokens.push(RawToken {
                pieces: std::mem::take(&mut self.pieces),
                span: start..self.end,
            });
        }
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The shared POSIX tokenizer.
fn shell_split(text: &str, braces: Braces) -> Result<Vec<RawToken>, SyntaxError> {
    let mut b = Builder::default();
    let mut quote = Quote::None;
    let mut pos = 0;
    while let Some((c, len)) = char_at(text, pos) {
        let here = pos..pos + len;
        if braces == Braces::Template && (c == '{' || c == '}') {
            let (brace, end) = brace_at(text, pos)?;
            match brace {
                Brace::Literal(ch) => b.push_char(ch, pos..end),
                Brace::Placeholder(name) => b.push_placeholder(name, pos..end),
                Brace::Secret(name) => return Err(secret_not_allowed(name, pos..end)),
            }
            pos = end;
            continue;
        }
        match quote {
            Quote::None => match c {
                _ if is_separator(c) => b.finish_token(),
                '\'' => {
                    b.touch(here);
                    quote = Quote::Single(pos);
                }
                '"' => {
                    b.touch(here);
                    quote = Quote::Double(pos);
                }
                '\\' => match char_at(text, pos + 1) {
                    None => {
                        return Err(SyntaxError::new(
                            here,
                            SyntaxErrorKind::TrailingBackslash,
                            "a backslash at the end escapes nothing: write `\\\\` for a literal backslash",
                        ));
                    }
                    // Line continuation: both characters vanish.
                    Some(('\n', _)) => {
                        pos += 2;
                        continue;
                    }
                    Some(('{' | '}', _)) if braces == Braces::Template => {
                        return Err(SyntaxError::new(
                            pos..pos + 2,
                            SyntaxErrorKind::EscapedBrace,
                            "a backslash does not escape a brace: write `{{` or `}}` for a literal brace",
                        ));
                    }
                    Some((next, next_len)) => {
                        b.push_char(next, pos..pos + 1 + next_len);
                        pos += 1 + next_len;
                        continue;
                    }
                },
                _ => b.push_char(c, here),
            },
            Quote::Single(_) => {
                b.touch(here);
                if c != '\'' {
                    b.lit.push(c);
                } else {
                    quote = Quote::None;
                }
            }
            Quote::Double(_) => match c {
                '"' => {
                    b.touch(here);
                    quote = Quote::None;
                }
                '\\' => match char_at(text, pos + 1) {
                    Some(('\n', _)) => {
                        b.touch(pos..pos + 2);
                        pos += 2;
                        continue;
                    }
                    Some((next @ ('"' | '\\' | '$' | '`'), _)) => {
                        b.push_char(next, pos..pos + 2);
                        pos += 2;
                        continue;
                    }
                    // Any other backslash is literal inside double quotes; the next
                    // character is handled on its own (so `"\{x}"` is `\` + placeholder).
                    _ => b.push_char('\\', here),
                },
                _ => b.push_char(c, here),
            },
        }
        pos += len;
    }
    match quote {
        Quote::None => {}
        Quote::Single(at) => {
            return Err(SyntaxError::new(
                at..at + 1,
                SyntaxErrorKind::UnclosedQuote,
                "this `'` is never closed",
            ));
        }
        Quote::Double(at) => {
            return Err(SyntaxError::new(
                at..at + 1,
                SyntaxErrorKind::UnclosedQuote,
                "this `\"` is never closed",
            ));
        }
    }
    b.finish_token();
    Ok(b.tokens)
}

/// Tokenizes a command template (or a conditional fragment) into argv tokens.
///
/// See the module docs for the rules. Decisions:
/// * an empty quoted string (`''`, `""`) is a token with no pieces: an empty argv
///   element, as in POSIX `sh`;
/// * `{}` is [`SyntaxErrorKind::EmptyPlaceholder`] and `{_secret:NAME}` is
///   [`SyntaxErrorKind::SecretNotAllowed`], so the loader can word its own diagnostic;
/// * an unquoted `\{` or `\}` is [`SyntaxErrorKind::EscapedBrace`] (braces are escaped
///   by doubling); inside double quotes a backslash before a brace is literal (POSIX);
/// * backslash-newline is a line continuation outside single quotes;
/// * an empty or all-blank template gives no tokens (the loader reports that).
pub(crate) fn tokenize(text: &str) -> Result<Vec<RawToken>, SyntaxError> {
    shell_split(text, Braces::Template)
}

/// Finds a placeholder-looking `{name}` or `{_secret:...}` in text where braces are
/// literal, so that it is reported instead of passed through unexpanded.
fn reject_placeholders(text: &str, what: &str) -> Result<(), SyntaxError> {
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|r| r.find('{')) {
        let start = from + rel;
        let after = text.get(start + 1..).unwrap_or("");
        if let Some(close) = after.find('}') {
            let content = after.get(..close).unwrap_or("");
            if is_identifier(content) || content.starts_with(SECRET_PREFIX) {
                return Err(SyntaxError::new(
                    start..start + close + 2,
                    SyntaxErrorKind::PlaceholderNotAllowed,
                    format!("`{{{content}}}`: placeholders are not expanded in {what}"),
                ));
            }
        }
        from = start + 1;
    }
    Ok(())
}

fn plain_words(text: &str, what: &str) -> Result<Vec<String>, SyntaxError> {
    reject_placeholders(text, what)?;
    Ok(shell_split(text, Braces::Literal)?
        .into_iter()
        .map(|t| {
            t.pieces
                .into_iter()
                .map(|p| match p {
                    RawPiece::Lit(s) => s,
                    // `Braces::Literal` never produces placeholders; if it did, keep
                    // the text as written rather than lose it.
                    RawPiece::Placeholder { name, .. } => format!("{{{name}}}"),
                })
                .collect()
        })
        .collect())
}

/// Splits a `[command.mappings.<arg>]` flag string (`-sT -sV --version-intensity 5`)
/// into argv elements with POSIX quoting.
///
/// Braces are ordinary characters here (mapping values are manifest-controlled and
/// never expanded), but a placeholder-looking `{name}` or `{_secret:...}` is
/// [`SyntaxErrorKind::PlaceholderNotAllowed`] rather than silently kept. An empty
/// string gives no flags; `''` gives one empty flag.
pub(crate) fn split_flags(text: &str) -> Result<Vec<String>, SyntaxError> {
    plain_words(text, "mapping values")
}

/// Splits a session `startup_command` into argv elements, with the same rules as
/// [`split_flags`].
pub(crate) fn split_words(text: &str) -> Result<Vec<String>, SyntaxError> {
    plain_words(text, "startup_command")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lit(s: &str) -> RawPiece {
        RawPiece::Lit(s.to_owned())
    }

    fn ph(name: &str, span: Range<usize>) -> RawPiece {
        RawPiece::Placeholder {
            name: name.to_owned(),
            span,
        }
    }

    /// Tokens rendered as `Lit` text with placeholders as `<name>`, for compact asserts.
    fn render(text: &str) -> Vec<String> {
        tokenize(text)
            .unwrap_or_else(|e| panic!("tokenize({text:?}) failed: {e:?}"))
            .into_iter()
            .map(|t| {
                t.pieces
                    .iter()
                    .map(|p| match p {
                        RawPiece::Lit(s) => s.clone(),
                        RawPiece::Placeholder { name, .. } => format!("<{name}>"),
                    })
                    .collect()
            })
            .collect()
    }

    fn err(text: &str) -> SyntaxError {
        match tokenize(text) {
            Ok(t) => panic!("tokenize({text:?}) should fail, got {t:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain_words_and_placeholders() {
        let toks = tokenize("dig +short {target} {record_type}").unwrap();
        assert_eq!(toks.len(), 4);
        assert_eq!(toks[0].pieces, vec![lit("dig")]);
        assert_eq!(toks[0].span, 0..3);
        assert_eq!(toks[2].pieces, vec![ph("target", 11..19)]);
        assert_eq!(toks[2].span, 11..19);
        assert_eq!(toks[3].pieces, vec![ph("record_type", 20..33)]);
    }

    #[test]
    fn placeholder_inside_larger_token_is_one_piece() {
        let toks = tokenize("nikto -h {protocol}://{target}:{port}").unwrap();
        assert_eq!(toks.len(), 3);
        assert_eq!(
            toks[2].pieces,
            vec![
                ph("protocol", 9..19),
                lit("://"),
                ph("target", 22..30),
                lit(":"),
                ph("port", 31..37)
            ]
        );
        assert_eq!(toks[2].span, 9..37);
        assert_eq!(render("wc --{mode} {path}"), ["wc", "--<mode>", "<path>"]);
    }

    #[test]
    fn curl_example_braces_in_single_quotes() {
        // TOML "\\n%{{http_code}}" is the template text `\n%{{http_code}}`.
        let text = r"curl -s -w '\n%{{http_code}}' {_header_flags} {url}";
        assert_eq!(
            render(text),
            [
                "curl",
                "-s",
                "-w",
                r"\n%{http_code}",
                "<_header_flags>",
                "<url>"
            ]
        );
        let toks = tokenize(text).unwrap();
        assert_eq!(&text[toks[3].span.clone()], r"'\n%{{http_code}}'");
    }

    #[test]
    fn placeholder_inside_quotes_is_not_split() {
        let toks = tokenize("-H '{headers}'").unwrap();
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].pieces, vec![ph("headers", 4..13)]);
        assert_eq!(toks[1].span, 3..14);
        assert_eq!(render(r#"echo "a {x} b""#), ["echo", "a <x> b"]);
    }

    #[test]
    fn quoting_rules() {
        assert_eq!(render(r#"a 'b c' "d e" f\ g"#), ["a", "b c", "d e", "f g"]);
        // Single quotes keep backslashes and double quotes.
        assert_eq!(render(r#"'a\"b\\c'"#), [r#"a\"b\\c"#]);
        // Double quotes: only \" \\ \$ \` are escapes.
        assert_eq!(render(r#""a\"b\\c\$d\`e\nf""#), [r#"a"b\c$d`e\nf"#]);
        // Outside quotes a backslash escapes anything.
        assert_eq!(render(r"a\'b \\ \n"), ["a'b", r"\", "n"]);
        // Adjacent quoted and unquoted parts form one token.
        assert_eq!(render(r#"--opt='x y'"z"w"#), ["--opt=x yzw"]);
        // Tabs and newlines separate; other characters are ordinary.
        assert_eq!(
            render("a\tb\nc\r\nd ; e|f $HOME #x"),
            ["a", "b", "c", "d", ";", "e|f", "$HOME", "#x"]
        );
        // Non-ASCII text is kept intact.
        assert_eq!(render("é 'ü ß' \u{a0}x"), ["é", "ü ß", "\u{a0}x"]);
    }

    #[test]
    fn line_continuation() {
        assert_eq!(render("a \\\n b"), ["a", "b"]);
        assert_eq!(render("a\\\nb"), ["ab"]);
        assert_eq!(render("\"a\\\nb\""), ["ab"]);
        assert_eq!(render("'a\\\nb'"), ["a\\\nb"]);
    }

    #[test]
    fn empty_quotes_are_empty_tokens() {
        let toks = tokenize("a '' \"\" b").unwrap();
        assert_eq!(toks.len(), 4);
        assert!(toks[1].pieces.is_empty());
        assert_eq!(toks[1].span, 2..4);
        assert!(toks[2].pieces.is_empty());
        assert_eq!(toks[2].span, 5..7);
        // Empty quotes glued to text add nothing.
        assert_eq!(render("a''b"), ["ab"]);
        assert_eq!(tokenize("").unwrap(), vec![]);
        assert_eq!(tokenize(" \t\n ").unwrap(), vec![]);
    }

    #[test]
    fn doubled_braces() {
        assert_eq!(render("{{x}} {{{x}}} }}{{"), ["{x}", "{<x>}", "}{"]);
        assert_eq!(render("\"{{\" '}}'"), ["{", "}"]);
    }

    #[test]
    fn backslash_and_braces() {
        let e = err(r"a \{x}");
        assert_eq!(e.kind, SyntaxErrorKind::EscapedBrace);
        assert_eq!(e.span(), 2..4);
        // In double quotes the backslash is literal and the placeholder still counts.
        assert_eq!(render(r#""\{x}""#), [r"\<x>"]);
        assert_eq!(render(r"\\{x}"), [r"\<x>"]);
    }

    #[test]
    fn empty_placeholder_is_distinct() {
        let e = err("/app/wrapper.sh {} {target}");
        assert_eq!(e.kind, SyntaxErrorKind::EmptyPlaceholder);
        assert_eq!(e.span(), 16..18);
        assert!(e.message.contains("empty placeholder"), "{}", e.message);
    }

    #[test]
    fn brace_errors() {
        let e = err("a {target");
        assert_eq!(e.kind, SyntaxErrorKind::UnclosedBrace);
        assert_eq!(e.span(), 2..3);

        let e = err("a b}");
        assert_eq!(e.kind, SyntaxErrorKind::StrayCloseBrace);
        assert_eq!(e.span(), 3..4);

        let e = err("x }}}");
        assert_eq!(e.kind, SyntaxErrorKind::StrayCloseBrace);
        assert_eq!(e.span(), 4..5);

        let e = err("awk '{print $1}'");
        assert_eq!(e.kind, SyntaxErrorKind::InvalidPlaceholder);
        assert_eq!(e.span(), 5..15);
        assert!(e.message.contains("`{print $1}`"), "{}", e.message);
        assert!(e.message.contains("`{{`"), "{}", e.message);

        for bad in ["{ x}", "{x-y}", "{1x}", "{x'}'"] {
            assert_eq!(err(bad).kind, SyntaxErrorKind::InvalidPlaceholder, "{bad}");
        }
    }

    #[test]
    fn secrets_rejected_in_commands() {
        let e = err("curl -H {_secret:TOKEN}");
        assert_eq!(e.kind, SyntaxErrorKind::SecretNotAllowed);
        assert_eq!(e.span(), 8..23);
        assert!(e.message.contains("[http]"), "{}", e.message);
        let e = err("x {_secret:a-b}");
        assert_eq!(e.kind, SyntaxErrorKind::InvalidSecretName);
        let e = err("x {_secret:}");
        assert_eq!(e.kind, SyntaxErrorKind::InvalidSecretName);
    }

    #[test]
    fn quote_errors() {
        let e = err("a 'b c");
        assert_eq!(e.kind, SyntaxErrorKind::UnclosedQuote);
        assert_eq!(e.span(), 2..3);
        assert!(e.message.contains('\''));
        let e = err("a \"b 'c'");
        assert_eq!(e.kind, SyntaxErrorKind::UnclosedQuote);
        assert_eq!(e.span(), 2..3);
        let e = err("a \\");
        assert_eq!(e.kind, SyntaxErrorKind::TrailingBackslash);
        assert_eq!(e.span(), 2..3);
    }

    #[test]
    fn exec_elements() {
        assert_eq!(
            parse_pieces("--out={_output_file} x y").unwrap(),
            vec![lit("--out="), ph("_output_file", 6..20), lit(" x y")]
        );
        assert_eq!(parse_pieces("").unwrap(), vec![]);
        assert_eq!(parse_pieces("'{{a}}'").unwrap(), vec![lit("'{a}'")]);
        assert_eq!(
            parse_pieces("{}").unwrap_err().kind,
            SyntaxErrorKind::EmptyPlaceholder
        );
        assert_eq!(
            parse_pieces("{_secret:X}").unwrap_err().kind,
            SyntaxErrorKind::SecretNotAllowed
        );
    }

    #[test]
    fn scan_braces_with_secrets() {
        assert_eq!(
            scan_braces("Bearer {_secret:API_TOKEN} {{x}}").unwrap(),
            vec![
                RawTextPiece::Lit("Bearer ".into()),
                RawTextPiece::Secret {
                    name: "API_TOKEN".into(),
                    span: 7..26
                },
                RawTextPiece::Lit(" {x}".into()),
            ]
        );
    }

    #[test]
    fn mapping_flags() {
        assert_eq!(
            split_flags("-sT -sV --version-intensity 5").unwrap(),
            ["-sT", "-sV", "--version-intensity", "5"]
        );
        assert_eq!(
            split_flags("--script='vuln and safe' -x").unwrap(),
            ["--script=vuln and safe", "-x"]
        );
        assert_eq!(split_flags("").unwrap(), Vec::<String>::new());
        assert_eq!(split_flags("''").unwrap(), [""]);
        // Braces are literal in mappings, doubled or not.
        assert_eq!(split_flags("-w %{{x}} {} { a }").unwrap_err().kind, {
            SyntaxErrorKind::PlaceholderNotAllowed
        });
        assert_eq!(
            split_flags("-f {} { a } %{").unwrap(),
            ["-f", "{}", "{", "a", "}", "%{"]
        );
        let e = split_flags("-p {port}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::PlaceholderNotAllowed);
        assert_eq!(e.span(), 3..9);
        assert!(e.message.contains("mapping"), "{}", e.message);
        let e = split_flags("-H {_secret:bad-}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::PlaceholderNotAllowed);
        assert_eq!(
            split_flags("-a 'b").unwrap_err().kind,
            SyntaxErrorKind::UnclosedQuote
        );
        // Outside templates a backslash escapes braces like any other character.
        assert_eq!(split_flags(r"\{").unwrap(), ["{"]);
    }

    #[test]
    fn startup_words() {
        assert_eq!(
            split_words("msfconsole -q -x 'setg LHOST 10.0.0.1'").unwrap(),
            ["msfconsole", "-q", "-x", "setg LHOST 10.0.0.1"]
        );
        let e = split_words("psql {db}").unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::PlaceholderNotAllowed);
        assert!(e.message.contains("startup_command"), "{}", e.message);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("_scan_id"));
        assert!(is_identifier("a1"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier("é"));
        assert!(is_secret_name("1A_b"));
        assert!(!is_secret_name(""));
        assert!(!is_secret_name("a.b"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn never_panics_and_spans_are_in_bounds(text in "[ -~\\t\\n'\"\\\\{}é]{0,40}") {
            match tokenize(&text) {
                Ok(tokens) => {
                    let mut last = 0;
                    for t in &tokens {
                        prop_assert!(t.span.start >= last && t.span.end <= text.len());
                        prop_assert!(text.get(t.span.clone()).is_some());
                        last = t.span.end;
                        for p in &t.pieces {
                            match p {
                                RawPiece::Lit(s) => prop_assert!(!s.is_empty()),
                                RawPiece::Placeholder { name, span } => {
                                    prop_assert_eq!(&text[span.clone()], format!("{{{name}}}"));
                                }
                            }
                        }
                    }
                }
                Err(e) => prop_assert!(text.get(e.span()).is_some()),
            }
            let _ = split_flags(&text);
            let _ = split_words(&text);
            let _ = parse_pieces(&text);
        }

        /// Without braces, `#` (a comment in `shlex`, plain text for us), CR (a
        /// separator for us) and backslash-newline (`shlex` opens an empty word, POSIX
        /// `sh` removes it), the tokenizer agrees with the `shlex` crate.
        #[test]
        fn agrees_with_shlex(text in "[a-z \\t\\n'\"\\\\$`]{0,24}") {
            prop_assume!(!text.contains("\\\n"));
            let ours = tokenize(&text).ok().map(|tokens| {
                tokens
                    .into_iter()
                    .map(|t| {
                        t.pieces
                            .into_iter()
                            .map(|p| match p {
                                RawPiece::Lit(s) => s,
                                RawPiece::Placeholder { name, .. } => format!("{{{name}}}"),
                            })
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
            });
            prop_assert_eq!(ours, shlex::split(&text));
        }

        /// Words quoted by `shlex` come back unchanged, whatever they contain.
        #[test]
        fn shlex_quoted_words_round_trip(words in proptest::collection::vec("[^{}\\x00]{0,10}", 0..5)) {
            let Ok(text) = shlex::try_join(words.iter().map(String::as_str)) else {
                return Ok(());
            };
            prop_assert_eq!(&split_words(&text).unwrap(), &words);
            let tokens = tokenize(&text).unwrap();
            prop_assert_eq!(tokens.len(), words.len());
        }

        #[test]
        fn plain_words_round_trip(words in proptest::collection::vec("[a-z0-9 '\"\\\\$-]{0,8}", 0..5)) {
            // Single-quote each word (escaping `'` the POSIX way) and split back.
            let text = words
                .iter()
                .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
                .collect::<Vec<_>>()
                .join(" ");
            prop_assert_eq!(split_flags(&text).unwrap(), words);
        }
    }
}
