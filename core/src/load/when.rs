//! `when` expressions of `[command.conditionals]`: a tokenizer and a recursive-descent
//! parser, from text to a [`RawExpr`] tree with byte offsets.
//!
//! ```text
//! expr    := and ('or' and)*
//! and     := cmp ('and' cmp)*
//! cmp     := name ('==' | '!=') literal | name
//! literal := '...' | "..." | -?[0-9]+ | true | false
//! name    := [A-Za-z_][A-Za-z0-9_]*        (not a keyword)
//! ```
//!
//! Keywords (`and`, `or`, `true`, `false`) are case-sensitive. Quoted literals have
//! no escape sequences: a backslash is an ordinary character, and a literal cannot
//! contain its own quote character (use the other one). Anything else — parentheses,
//! `>=`, `===`, `AND`, `&&`, floats, trailing text, an empty expression — is a
//! [`ParseError`] naming what was expected. Resolving names to arguments and checking
//! literal types is the loader's job.

use std::ops::Range;

use crate::model::CmpOp;

/// A parsed `when` expression, before names are resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawExpr {
    /// `a or b or ...` (always two operands or more).
    Or(Vec<RawExpr>),
    /// `a and b and ...` (always two operands or more).
    And(Vec<RawExpr>),
    /// `name == literal` / `name != literal`.
    Compare {
        /// The argument name.
        name: String,
        /// Bytes of the name.
        name_span: Range<usize>,
        /// The operator.
        op: CmpOp,
        /// The right-hand side.
        literal: RawLiteral,
        /// Bytes of the literal, quotes included.
        literal_span: Range<usize>,
    },
    /// A bare `name`.
    Present {
        /// The argument name.
        name: String,
        /// Bytes of the name.
        span: Range<usize>,
    },
}

/// A literal of a `when` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawLiteral {
    /// `'text'` or `"text"`, without the quotes.
    Str(String),
    /// An integer (`-?[0-9]+`, in range of `i64`).
    Int(i64),
    /// `true` / `false`.
    Bool(bool),
}

/// A `when` expression that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ParseError {
    /// Byte offset of the offending token (the text length at the end).
    pub offset: usize,
    /// Byte length of the offending token (0 at the end).
    pub len: usize,
    /// One line, e.g. "expected `==`, `!=`, `and`, `or` or end of expression, found `>=`".
    pub message: String,
    /// What would have been accepted here, each already formatted (`` `==` ``,
    /// `a literal`, `end of expression`, ...).
    pub expected: Vec<&'static str>,
}

impl ParseError {
    /// The offending byte range.
    pub(crate) fn span(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }
}

/// Parses a `when` expression.
pub(crate) fn parse_when(text: &str) -> Result<RawExpr, ParseError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        end: text.len(),
    };
    let expr = p.or()?;
    // What could have continued the expression depends on how its last term ended.
    p.expect_end(if p.last_was_literal() {
        AFTER_LITERAL
    } else {
        AFTER_NAME
    })?;
    Ok(expr)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Int(i64),
    Bool(bool),
    And,
    Or,
    Eq,
    Ne,
    /// Text that is no token of the language (kept for the message).
    Other(String),
}

#[derive(Clone, Debug)]
struct Spanned {
    tok: Tok,
    span: Range<usize>,
}

const EXPECT_NAME: &[&str] = &["an argument name"];
const EXPECT_LITERAL: &[&str] = &["a literal ('text', \"text\", an integer, true or false)"];
const AFTER_NAME: &[&str] = &["`==`", "`!=`", "`and`", "`or`", "end of expression"];
const AFTER_LITERAL: &[&str] = &["`and`", "`or`", "end of expression"];

fn lex(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        let start = pos;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                pos += 1;
                continue;
            }
            b'\'' | b'"' => {
                let body = text.get(pos + 1..).unwrap_or("");
                let Some(close) = body.find(b as char) else {
                    return Err(ParseError {
                        offset: start,
                        len: 1,
                        message: format!("this `{}` is never closed", b as char),
                        expected: vec!["a closing quote"],
                    });
                };
                let content = body.get(..close).unwrap_or("");
                pos = start + close + 2;
                out.push(Spanned {
                    tok: Tok::Str(content.to_owned()),
                    span: start..pos,
                });
                continue;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                while bytes
                    .get(pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    pos += 1;
                }
                let word = text.get(start..pos).unwrap_or("");
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    _ => Tok::Name(word.to_owned()),
                };
                out.push(Spanned {
                    tok,
                    span: start..pos,
                });
                continue;
            }
            _ if b.is_ascii_digit() || b == b'-' => {
                pos += 1;
                // A number-like run: digits plus the characters that would make it a
                // float or a malformed number, so the whole thing is reported.
                while bytes
                    .get(pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_'))
                {
                    pos += 1;
                }
                let word = text.get(start..pos).unwrap_or("");
                let digits = word.strip_prefix('-').unwrap_or(word);
                let tok = if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
                    match word.parse::<i64>() {
                        Ok(n) => Tok::Int(n),
                        Err(_) => {
                            return Err(ParseError {
                                offset: start,
                                len: pos - start,
                                message: format!("integer `{word}` is out of range"),
                                expected: EXPECT_LITERAL.to_vec(),
                            });
                        }
                    }
                } else {
                    Tok::Other(word.to_owned())
                };
                out.push(Spanned {
                    tok,
                    span: start..pos,
                });
                continue;
            }
            b'=' | b'!' | b'<' | b'>' | b'&' | b'|' => {
                // Operator characters are read as one run so `===` and `>=` are
                // reported whole.
                while bytes
                    .get(pos)
                    .is_some_and(|c| matches!(c, b'=' | b'!' | b'<' | b'>' | b'&' | b'|'))
                {
                    pos += 1;
                }
                let op = text.get(start..pos).unwrap_or("");
                let tok = match op {
                    "==" => Tok::Eq,
                    "!=" => Tok::Ne,
                    _ => Tok::Other(op.to_owned()),
                };
                out.push(Spanned {
                    tok,
                    span: start..pos,
                });
                continue;
            }
            _ => {
                // One character (whole, even if not ASCII).
                let c = text
                    .get(pos..)
                    .and_then(|r| r.chars().next())
                    .unwrap_or('?');
                pos += c.len_utf8();
                out.push(Spanned {
                    tok: Tok::Other(c.to_string()),
                    span: start..pos,
                });
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [Spanned],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.pos)
    }

    fn last_was_literal(&self) -> bool {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .is_some_and(|t| matches!(t.tok, Tok::Str(_) | Tok::Int(_) | Tok::Bool(_)))
    }

    fn or(&mut self) -> Result<RawExpr, ParseError> {
        let mut items = vec![self.and()?];
        while self.peek().is_some_and(|t| t.tok == Tok::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(flatten(items, RawExpr::Or))
    }

    fn and(&mut self) -> Result<RawExpr, ParseError> {
        let mut items = vec![self.cmp()?];
        while self.peek().is_some_and(|t| t.tok == Tok::And) {
            self.pos += 1;
            items.push(self.cmp()?);
        }
        Ok(flatten(items, RawExpr::And))
    }

    fn cmp(&mut self) -> Result<RawExpr, ParseError> {
        let (name, span) = match self.peek() {
            Some(Spanned {
                tok: Tok::Name(n),
                span,
            }) => (n.clone(), span.clone()),
            other => {
                let hint = match other.map(|t| &t.tok) {
                    Some(Tok::And | Tok::Or | Tok::Bool(_)) => {
                        "; `and`, `or`, `true` and `false` are keywords"
                    }
                    Some(Tok::Str(_) | Tok::Int(_)) => {
                        "; write the argument first: `name == literal`"
                    }
                    Some(Tok::Other(s)) if s == "(" => "; parentheses are not supported",
                    _ => "",
                };
                return Err(self.unexpected(other, EXPECT_NAME, hint));
            }
        };
        self.pos += 1;
        let op = match self.peek().map(|t| &t.tok) {
            Some(Tok::Eq) => CmpOp::Eq,
            Some(Tok::Ne) => CmpOp::Ne,
            _ => return Ok(RawExpr::Present { name, span }),
        };
        self.pos += 1;
        let (literal, literal_span) = match self.peek() {
            Some(Spanned { tok, span }) => {
                let lit = match tok {
                    Tok::Str(s) => Some(RawLiteral::Str(s.clone())),
                    Tok::Int(n) => Some(RawLiteral::Int(*n)),
                    Tok::Bool(b) => Some(RawLiteral::Bool(*b)),
                    _ => None,
                };
                match lit {
                    Some(l) => (l, span.clone()),
                    None => {
                        let hint = match tok {
                            Tok::Name(_) => {
                                "; a comparison needs a literal on the right (quote text: 'value')"
                            }
                            Tok::Other(s) if s.contains('.') => {
                                "; only integers are supported (quote other numbers: '1.5')"
                            }
                            _ => "",
                        };
                        let found = self.peek();
                        return Err(self.unexpected(found, EXPECT_LITERAL, hint));
                    }
                }
            }
            None => return Err(self.unexpected(None, EXPECT_LITERAL, "")),
        };
        self.pos += 1;
        Ok(RawExpr::Compare {
            name,
            name_span: span,
            op,
            literal,
            literal_span,
        })
    }

    fn expect_end(&self, expected: &'static [&'static str]) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            found => {
                let hint = match found.map(|t| &t.tok) {
                    Some(Tok::Name(n))
                        if n.eq_ignore_ascii_case("and") || n.eq_ignore_ascii_case("or") =>
                    {
                        "; keywords are lower-case"
                    }
                    Some(Tok::Other(s)) if s == "&&" || s == "||" => "; write `and` / `or`",
                    Some(Tok::Other(s)) if s == "=" || s == "===" => "; write `==`",
                    _ => "",
                };
                Err(self.unexpected(found, expected, hint))
            }
        }
    }

    fn unexpected(
        &self,
        found: Option<&Spanned>,
        expected: &[&'static str],
        hint: &str,
    ) -> ParseError {
        let (offset, len, what) = match found {
            Some(t) => {
                let shown = match &t.tok {
                    Tok::Name(s) | Tok::Other(s) => format!("`{s}`"),
                    Tok::Str(_) => "a quoted literal".to_owned(),
                    Tok::Int(n) => format!("`{n}`"),
                    Tok::Bool(b) => format!("`{b}`"),
                    Tok::And => "`and`".to_owned(),
                    Tok::Or => "`or`".to_owned(),
                    Tok::Eq => "`==`".to_owned(),
                    Tok::Ne => "`!=`".to_owned(),
                };
                (t.span.start, t.span.end - t.span.start, shown)
            }
            None if self.tokens.is_empty() => (self.end, 0, "an empty expression".to_owned()),
            None => (self.end, 0, "end of expression".to_owned()),
        };
        ParseError {
            offset,
            len,
            message: format!("expected {}, found {what}{hint}", join_expected(expected)),
            expected: expected.to_vec(),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_expected(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn flatten(mut items: Vec<RawExpr>, wrap: fn(Vec<RawExpr>) -> RawExpr) -> RawExpr {
    if items.len() == 1
        && let Some(only) = items.pop()
    {
        return only;
    }
    wrap(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn present(name: &str, span: Range<usize>) -> RawExpr {
        RawExpr::Present {
            name: name.into(),
            span,
        }
    }

    fn cmp(
        name: &str,
        name_span: Range<usize>,
        op: CmpOp,
        literal: RawLiteral,
        literal_span: Range<usize>,
    ) -> RawExpr {
        RawExpr::Compare {
            name: name.into(),
            name_span,
            op,
            literal,
            literal_span,
        }
    }

    fn s(v: &str) -> RawLiteral {
        RawLiteral::Str(v.into())
    }

    /// A compact rendering for structure checks.
    fn show(e: &RawExpr) -> String {
        match e {
            RawExpr::Or(v) => format!("or({})", v.iter().map(show).collect::<Vec<_>>().join(", ")),
            RawExpr::And(v) => {
                format!("and({})", v.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            RawExpr::Compare {
                name, op, literal, ..
            } => {
                let op = match op {
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                };
                format!("{name}{op}{literal:?}")
            }
            RawExpr::Present { name, .. } => name.clone(),
        }
    }

    fn parse(text: &str) -> RawExpr {
        parse_when(text).unwrap_or_else(|e| panic!("parse_when({text:?}): {e:?}"))
    }

    fn fail(text: &str) -> ParseError {
        match parse_when(text) {
            Ok(e) => panic!("parse_when({text:?}) should fail, got {e:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn corpus_and_simple_comparisons() {
        assert_eq!(
            parse("max_rate != '100'"),
            cmp("max_rate", 0..8, CmpOp::Ne, s("100"), 12..17)
        );
        assert_eq!(
            parse("headers != ''"),
            cmp("headers", 0..7, CmpOp::Ne, s(""), 11..13)
        );
        assert_eq!(
            parse("port != 0"),
            cmp("port", 0..4, CmpOp::Ne, RawLiteral::Int(0), 8..9)
        );
        assert_eq!(
            parse("mode==\"fast scan\""),
            cmp("mode", 0..4, CmpOp::Eq, s("fast scan"), 6..17)
        );
        assert_eq!(
            parse("  n == -42 "),
            cmp("n", 2..3, CmpOp::Eq, RawLiteral::Int(-42), 7..10)
        );
        assert_eq!(
            parse("verbose == true"),
            cmp("verbose", 0..7, CmpOp::Eq, RawLiteral::Bool(true), 11..15)
        );
        assert_eq!(show(&parse("x != false")), "x!=Bool(false)");
        assert_eq!(parse("verbose"), present("verbose", 0..7));
        assert_eq!(parse("\t_x1\n"), present("_x1", 1..4));
    }

    #[test]
    fn or_of_two_comparisons() {
        // The Rust reference parses this as one comparison against `' or b != '`.
        assert_eq!(
            parse("a != '' or b != ''"),
            RawExpr::Or(vec![
                cmp("a", 0..1, CmpOp::Ne, s(""), 5..7),
                cmp("b", 11..12, CmpOp::Ne, s(""), 16..18),
            ])
        );
    }

    #[test]
    fn precedence_and_binds_tighter() {
        assert_eq!(show(&parse("a and b or c")), "or(and(a, b), c)");
        assert_eq!(show(&parse("a or b and c")), "or(a, and(b, c))");
        assert_eq!(
            show(&parse("a == 1 and b != 'x' or c and d == true or e")),
            "or(and(a==Int(1), b!=Str(\"x\")), and(c, d==Bool(true)), e)"
        );
        assert_eq!(show(&parse("a and b and c")), "and(a, b, c)");
        assert_eq!(show(&parse("a or b or c")), "or(a, b, c)");
    }

    #[test]
    fn quoted_literals_keep_everything() {
        assert_eq!(
            show(&parse("q == 'a and b or c'")),
            "q==Str(\"a and b or c\")"
        );
        assert_eq!(show(&parse("q == \"it's\"")), "q==Str(\"it's\")");
        assert_eq!(show(&parse("q == '\"'")), "q==Str(\"\\\"\")");
        assert_eq!(show(&parse(r"q == 'a\'")), r#"q==Str("a\\")"#);
        assert_eq!(show(&parse("q == '== !='")), "q==Str(\"== !=\")");
        assert_eq!(show(&parse("q == 'é'")), "q==Str(\"é\")");
        // Quoted numbers stay strings: the loader converts them for numeric arguments.
        assert_eq!(show(&parse("port != '0'")), "port!=Str(\"0\")");
    }

    #[test]
    fn keywords_are_case_sensitive() {
        let e = fail("a AND b");
        assert_eq!(e.span(), 2..5);
        assert_eq!(e.expected, AFTER_NAME);
        assert_eq!(
            e.message,
            "expected `==`, `!=`, `and`, `or` or end of expression, found `AND`; keywords are lower-case"
        );
        // `TRUE` is a name, so `x == TRUE` has a name where a literal belongs.
        let e = fail("x == TRUE");
        assert_eq!(e.span(), 5..9);
        assert!(e.message.starts_with("expected a literal"), "{}", e.message);
    }

    #[test]
    fn unsupported_operators() {
        let e = fail("port >= 10");
        assert_eq!(e.span(), 5..7);
        assert_eq!(
            e.message,
            "expected `==`, `!=`, `and`, `or` or end of expression, found `>=`"
        );
        let e = fail("a === 'x'");
        assert_eq!(e.span(), 2..5);
        assert!(
            e.message.ends_with("found `===`; write `==`"),
            "{}",
            e.message
        );
        let e = fail("a = 'x'");
        assert_eq!(e.span(), 2..3);
        let e = fail("a && b");
        assert!(e.message.ends_with("write `and` / `or`"), "{}", e.message);
        let e = fail("a == 'x' || b");
        assert_eq!(e.expected, AFTER_LITERAL);
        assert_eq!(e.span(), 9..11);
    }

    #[test]
    fn parentheses_rejected() {
        let e = fail("(a or b) and c");
        assert_eq!(e.span(), 0..1);
        assert_eq!(e.expected, EXPECT_NAME);
        assert!(
            e.message.contains("parentheses are not supported"),
            "{}",
            e.message
        );
        let e = fail("a and (b)");
        assert_eq!(e.span(), 6..7);
    }

    #[test]
    fn trailing_garbage_and_missing_parts() {
        let e = fail("a == 'x' b");
        assert_eq!(e.span(), 9..10);
        assert_eq!(
            e.message,
            "expected `and`, `or` or end of expression, found `b`"
        );
        let e = fail("a b");
        assert_eq!(e.expected, AFTER_NAME);
        let e = fail("a ==");
        assert_eq!((e.offset, e.len), (4, 0));
        assert!(
            e.message.ends_with("found end of expression"),
            "{}",
            e.message
        );
        let e = fail("a and");
        assert_eq!((e.offset, e.len), (5, 0));
        assert_eq!(e.expected, EXPECT_NAME);
        let e = fail("or b");
        assert!(e.message.contains("keywords"), "{}", e.message);
        let e = fail("a == b");
        assert_eq!(e.span(), 5..6);
        assert!(e.message.contains("quote text"), "{}", e.message);
        let e = fail("'x' == a");
        assert!(e.message.contains("argument first"), "{}", e.message);
    }

    #[test]
    fn empty_expression() {
        for text in ["", "   ", "\n"] {
            let e = fail(text);
            assert_eq!((e.offset, e.len), (text.len(), 0));
            assert_eq!(
                e.message,
                "expected an argument name, found an empty expression"
            );
        }
    }

    #[test]
    fn bad_literals() {
        let e = fail("a == 'open");
        assert_eq!(e.span(), 5..6);
        assert!(e.message.contains("never closed"));
        let e = fail("r == 1.5");
        assert_eq!(e.span(), 5..8);
        assert!(e.message.contains("only integers"), "{}", e.message);
        let e = fail("n == 99999999999999999999");
        assert!(e.message.contains("out of range"), "{}", e.message);
        assert_eq!(e.span(), 5..25);
        let e = fail("n == -");
        assert_eq!(e.span(), 5..6);
        let e = fail("n == 12ab");
        assert_eq!(e.span(), 5..9);
        assert_eq!(
            show(&parse(&format!("n == {}", i64::MIN))),
            format!("n==Int({})", i64::MIN)
        );
    }

    #[test]
    fn non_ascii_is_reported_whole() {
        let e = fail("é == 'x'");
        assert_eq!(e.span(), 0..2);
        assert!(e.message.contains("`é`"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn never_panics(text in "[ a-z_0-9'\"=!<>&|()\\-.é]{0,30}") {
            if let Err(e) = parse_when(&text) {
                prop_assert!(text.get(e.span()).is_some());
                prop_assert!(!e.expected.is_empty());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            if let Err(e) = parse_when(&text) {
                prop_assert!(text.get(e.span()).is_some());
            }
        }

        /// Generated well-formed expressions parse to the same structure.
        #[test]
        fn generated_expressions_parse(
            groups in proptest::collection::vec(
                proptest::collection::vec(("[a-z][a-z0-9_]{0,5}", 0..4u8, -50i64..50), 1..4),
                1..4,
            )
        ) {
            let keyword = |n: &str| matches!(n, "and" | "or" | "true" | "false");
            prop_assume!(groups.iter().flatten().all(|(n, _, _)| !keyword(n)));
            let term = |(n, k, v): &(String, u8, i64)| match k {
                0 => (n.clone(), n.clone()),
                1 => (format!("{n} == {v}"), format!("{n}==Int({v})")),
                2 => (format!("{n} != 'v {v}'"), format!("{n}!=Str(\"v {v}\")")),
                _ => (format!("{n} == true"), format!("{n}==Bool(true)")),
            };
            let ands: Vec<(String, String)> = groups
                .iter()
                .map(|g| {
                    let parts: Vec<_> = g.iter().map(term).collect();
                    let text = parts.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(" and ");
                    let shown = if parts.len() == 1 {
                        parts[0].1.clone()
                    } else {
                        format!("and({})", parts.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join(", "))
                    };
                    (text, shown)
                })
                .collect();
            let text = ands.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(" or ");
            let expected = if ands.len() == 1 {
                ands[0].1.clone()
            } else {
                format!("or({})", ands.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join(", "))
            };
            prop_assert_eq!(show(&parse(&text)), expected);
        }
    }
}
