//! Manifest regexes (Rust `regex` syntax) rewritten as portable ECMA-262 patterns.
//!
//! JSON Schema `pattern` is an ECMA-262 regex (Unicode mode in 2020-12), searched
//! unanchored. A manifest pattern is a Rust regex matched against the whole value.
//! The two dialects disagree in places that matter for agreement with the validator:
//! `\d`, `\w`, `\s` are Unicode classes in Rust and ASCII in ECMA; `.` excludes only
//! `\n` in Rust but also `\r`, U+2028 and U+2029 in ECMA; `&&`, `--`, `~~` are set
//! operators inside a Rust class; flags are Rust-only. So the pattern is parsed into
//! Rust's own AST and printed again using only constructs that mean the same thing in
//! both dialects. Anything without a faithful spelling makes the translation fail, and
//! the schema then carries no `pattern` for it (weaker than the validator, never
//! stronger); the caller mentions the regex in the description instead.

use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassAsciiKind, ClassPerl, ClassPerlKind, ClassSet, ClassSetItem,
    FlagsItemKind, GroupKind, RepetitionKind, RepetitionRange,
};
use std::fmt::Write as _;

/// ECMA spelling of Rust's Unicode `\w` class items (UTS #18 `\w`, as the regex
/// crate defines it).
const WORD_ITEMS: &str = r"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}";

/// Rewrites a manifest regex (matched against the whole value) as an anchored
/// ECMA-262 pattern that accepts exactly the same strings, or `None` when the
/// pattern uses a construct without a faithful ECMA spelling (flags other than `x`,
/// Unicode classes such as `\pL`, word boundaries, nested classes, class set
/// operations, negated `\W` inside a class).
pub fn portable_pattern(source: &str) -> Option<String> {
    let ast = ast::parse::Parser::new().parse(source).ok()?;
    let mut out = String::from("^");
    match &ast {
        // Alternation binds looser than the anchors: keep it grouped.
        Ast::Alternation(_) => {
            out.push_str("(?:");
            print(&ast, &mut out)?;
            out.push(')');
        }
        Ast::Concat(concat) => {
            // Leading `^` / trailing `$` are redundant under the outer anchors.
            let mut items: &[Ast] = &concat.asts;
            if let Some((first, rest)) = items.split_first()
                && is_start_anchor(first)
            {
                items = rest;
            }
            if let Some((last, rest)) = items.split_last()
                && is_end_anchor(last)
            {
                items = rest;
            }
            for item in items {
                print(item, &mut out)?;
            }
        }
        other if is_start_anchor(other) || is_end_anchor(other) => {}
        other => print(other, &mut out)?,
    }
    out.push('$');
    Some(out)
}

fn is_start_anchor(ast: &Ast) -> bool {
    matches!(ast, Ast::Assertion(a) if matches!(a.kind, AssertionKind::StartLine | AssertionKind::StartText))
}

fn is_end_anchor(ast: &Ast) -> bool {
    matches!(ast, Ast::Assertion(a) if matches!(a.kind, AssertionKind::EndLine | AssertionKind::EndText))
}

/// Flags that do not change what matches once the AST exists: `x` only affects
/// parsing, `u` is the default. Anything else (or any negation) is refused.
fn flags_are_harmless(flags: &ast::Flags) -> bool {
    flags.items.iter().all(|item| match &item.kind {
        FlagsItemKind::Flag(ast::Flag::IgnoreWhitespace | ast::Flag::Unicode) => true,
        FlagsItemKind::Flag(_) | FlagsItemKind::Negation => false,
    })
}

fn print(ast: &Ast, out: &mut String) -> Option<()> {
    match ast {
        Ast::Empty(_) => {}
        Ast::Flags(set) => {
            if !flags_are_harmless(&set.flags) {
                return None;
            }
        }
        Ast::Literal(lit) => push_literal(lit.c, out),
        // Rust's `.` (no `s` flag) is any scalar value but `\n`.
        Ast::Dot(_) => out.push_str(r"[^\n]"),
        Ast::Assertion(a) => match a.kind {
            // Without the `m` flag (refused above) both mean start / end of the text.
            AssertionKind::StartLine | AssertionKind::StartText => out.push('^'),
            AssertionKind::EndLine | AssertionKind::EndText => out.push('$'),
            // Unicode word boundaries in Rust, ASCII ones in ECMA.
            _ => return None,
        },
        Ast::ClassUnicode(_) => return None,
        Ast::ClassPerl(perl) => out.push_str(&perl_outside_class(perl)),
        Ast::ClassBracketed(class) => {
            out.push('[');
            if class.negated {
                out.push('^');
            }
            print_class_set(&class.kind, out)?;
            out.push(']');
        }
        Ast::Repetition(rep) => {
            let atom = matches!(
                *rep.ast,
                Ast::Literal(_)
                    | Ast::Dot(_)
                    | Ast::ClassPerl(_)
                    | Ast::ClassBracketed(_)
                    | Ast::ClassUnicode(_)
                    | Ast::Group(_)
            );
            if !atom {
                out.push_str("(?:");
            }
            print(&rep.ast, out)?;
            if !atom {
                out.push(')');
            }
            match &rep.op.kind {
                RepetitionKind::ZeroOrOne => out.push('?'),
                RepetitionKind::ZeroOrMore => out.push('*'),
                RepetitionKind::OneOrMore => out.push('+'),
                RepetitionKind::Range(RepetitionRange::Exactly(n)) => {
                    let _ = write!(out, "{{{n}}}");
                }
                RepetitionKind::Range(RepetitionRange::AtLeast(n)) => {
                    let _ = write!(out, "{{{n},}}");
                }
                RepetitionKind::Range(RepetitionRange::Bounded(n, m)) => {
                    let _ = write!(out, "{{{n},{m}}}");
                }
            }
            if !rep.greedy {
                out.push('?');
            }
        }
        Ast::Group(group) => {
            if let GroupKind::NonCapturing(flags) = &group.kind
                && !flags_are_harmless(flags)
            {
                return None;
            }
            // Captures are irrelevant to matching; a plain group avoids name syntax.
            out.push_str("(?:");
            print(&group.ast, out)?;
            out.push(')');
        }
        Ast::Alternation(alt) => {
            for (i, branch) in alt.asts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                print(branch, out)?;
            }
        }
        Ast::Concat(concat) => {
            for item in &concat.asts {
                print(item, out)?;
            }
        }
    }
    Some(())
}

fn perl_outside_class(perl: &ClassPerl) -> String {
    match (&perl.kind, perl.negated) {
        (ClassPerlKind::Digit, false) => r"\p{Nd}".to_owned(),
        (ClassPerlKind::Digit, true) => r"\P{Nd}".to_owned(),
        (ClassPerlKind::Space, false) => r"\p{White_Space}".to_owned(),
        (ClassPerlKind::Space, true) => r"\P{White_Space}".to_owned(),
        (ClassPerlKind::Word, false) => format!("[{WORD_ITEMS}]"),
        (ClassPerlKind::Word, true) => format!("[^{WORD_ITEMS}]"),
    }
}

fn print_class_set(set: &ClassSet, out: &mut String) -> Option<()> {
    match set {
        ClassSet::Item(item) => print_class_item(item, out),
        // `&&`, `--`, `~~` have no ECMA equivalent outside the `v` flag.
        ClassSet::BinaryOp(_) => None,
    }
}

fn print_class_item(item: &ClassSetItem, out: &mut String) -> Option<()> {
    match item {
        ClassSetItem::Empty(_) => {}
        ClassSetItem::Literal(lit) => push_class_literal(lit.c, out),
        ClassSetItem::Range(range) => {
            push_class_literal(range.start.c, out);
            out.push('-');
            push_class_literal(range.end.c, out);
        }
        ClassSetItem::Ascii(ascii) => {
            if ascii.negated {
                return None;
            }
            out.push_str(ascii_class_items(&ascii.kind));
        }
        ClassSetItem::Perl(perl) => match (&perl.kind, perl.negated) {
            (ClassPerlKind::Word, false) => out.push_str(WORD_ITEMS),
            // A negated union cannot be nested in an ECMA class.
            (ClassPerlKind::Word, true) => return None,
            _ => out.push_str(&perl_outside_class(perl)),
        },
        ClassSetItem::Unicode(_) | ClassSetItem::Bracketed(_) => return None,
        ClassSetItem::Union(union) => {
            for item in &union.items {
                print_class_item(item, out)?;
            }
        }
    }
    Some(())
}

/// POSIX classes are ASCII-only in the regex crate: spell them as ranges.
fn ascii_class_items(kind: &ClassAsciiKind) -> &'static str {
    match kind {
        ClassAsciiKind::Alnum => "0-9A-Za-z",
        ClassAsciiKind::Alpha => "A-Za-z",
        ClassAsciiKind::Ascii => r"\u0000-\u007F",
        ClassAsciiKind::Blank => r"\t ",
        ClassAsciiKind::Cntrl => r"\u0000-\u001F\u007F",
        ClassAsciiKind::Digit => "0-9",
        ClassAsciiKind::Graph => r"!-\u007E",
        ClassAsciiKind::Lower => "a-z",
        ClassAsciiKind::Print => r" -\u007E",
        ClassAsciiKind::Punct => r"!-/:-@\[-`{-\u007E",
        ClassAsciiKind::Space => r"\t\n\u000B\f\r ",
        ClassAsciiKind::Upper => "A-Z",
        ClassAsciiKind::Word => "0-9A-Za-z_",
        ClassAsciiKind::Xdigit => "0-9A-Fa-f",
    }
}

/// ECMA `SyntaxCharacter`s plus `/`: the only identity escapes Unicode mode allows.
fn is_syntax_char(c: char) -> bool {
    matches!(
        c,
        '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '/'
    )
}

fn push_literal(c: char, out: &mut String) {
    if is_syntax_char(c) {
        out.push('\\');
        out.push(c);
    } else if c == ' ' || c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric()) {
        out.push(c);
    } else {
        push_code_point(c, out);
    }
}

fn push_class_literal(c: char, out: &mut String) {
    if is_syntax_char(c) || c == '-' {
        out.push('\\');
        out.push(c);
    } else if c == '&' || c == '~' {
        // Set-operator characters in a Rust class when doubled; `\&` is not a valid
        // ECMA escape in Unicode mode, so use the code point.
        push_code_point(c, out);
    } else if c == ' ' || c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric()) {
        out.push(c);
    } else {
        push_code_point(c, out);
    }
}

fn push_code_point(c: char, out: &mut String) {
    let n = u32::from(c);
    if n <= 0xFFFF {
        let _ = write!(out, "\\u{n:04X}");
    } else {
        let _ = write!(out, "\\u{{{n:X}}}");
    }
}

#[cfg(test)]
mod tests {
    use super::portable_pattern;

    #[test]
    fn anchors_and_rewrites_perl_classes() {
        assert_eq!(
            portable_pattern(r"^CWE-\d+$").as_deref(),
            Some(r"^CWE-\p{Nd}+$")
        );
        assert_eq!(
            portable_pattern(r"[A-Za-z0-9._-]+").as_deref(),
            Some(r"^[A-Za-z0-9\._\-]+$")
        );
        assert_eq!(
            portable_pattern(r"(exploit|auxiliary|post)/.+").as_deref(),
            Some(r"^(?:exploit|auxiliary|post)\/[^\n]+$")
        );
    }

    #[test]
    fn alternation_stays_inside_the_anchors() {
        assert_eq!(portable_pattern("a|b").as_deref(), Some("^(?:a|b)$"));
        assert_eq!(portable_pattern("^a|b$").as_deref(), Some("^(?:^a|b$)$"));
    }

    #[test]
    fn refuses_constructs_without_a_faithful_spelling() {
        for p in [
            r"(?i)abc", r"\bword", r"\pL+", r"[a&&b]", r"[[a]b]", r"[\W]", r"(?s:.)",
        ] {
            assert_eq!(portable_pattern(p), None, "{p}");
        }
    }

    #[test]
    fn escapes_controls_and_set_operator_characters() {
        assert_eq!(portable_pattern("a\tb").as_deref(), Some(r"^a\u0009b$"));
        assert_eq!(
            portable_pattern(r"[\&~]").as_deref(),
            Some(r"^[\u0026\u007E]$")
        );
        assert_eq!(portable_pattern(r"x{2,3}?").as_deref(), Some(r"^x{2,3}?$"));
    }
}
