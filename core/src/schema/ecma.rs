//! Manifest regexes rewritten as portable ECMA-262 / Python patterns.
//!
//! JSON Schema `pattern` is an ECMA-262 regex, searched unanchored; clients compile it
//! with or without the `u` flag, or with Python's `re` (the `jsonschema` package). A
//! manifest pattern is a Rust regex, with ASCII Perl classes
//! (`crate::model::parse_ascii`), matched against the whole value. The
//! dialects disagree in places that matter for agreement with the validator: `.`
//! excludes only `\n` in Rust but also `\r`, U+2028 and U+2029 in ECMA; `\s` is not
//! ASCII in ECMA, `\d` and `\w` are not in Python; `\p{..}` and `\u{..}` exist only
//! in ECMA's `u` mode; `&&`, `--`, `~~` are set operators inside a Rust class; flags
//! are Rust-only. So the pattern is parsed into Rust's own AST and printed again using
//! only constructs that mean the same thing in ECMA (with and without `u`) and in
//! Python: explicit ASCII ranges, `\uXXXX` escapes, BMP classes. A class the AST
//! printer cannot spell item by item (negated items, nesting, set operations, Unicode
//! classes) is resolved to its code point ranges by regex-syntax and printed from
//! those. Anything without a faithful spelling (flags other than `x`, word
//! boundaries, classes reaching beyond the BMP on both sides) makes the translation
//! fail; the schema then carries no `pattern` (weaker than the validator, never
//! stronger) and the caller mentions the regex in the description instead.

use crate::model::parse_ascii;
use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassAsciiKind, ClassSet, ClassSetItem, FlagsItemKind, GroupKind,
    RepetitionKind, RepetitionRange,
};
use regex_syntax::hir::translate::Translator;
use regex_syntax::hir::{Class, ClassUnicode, HirKind};
use std::fmt::Write as _;

/// Rewrites a manifest regex (matched against the whole value) as an anchored
/// pattern that accepts exactly the same strings in ECMA-262 (with or without the `u`
/// flag; without it, for text in the Basic Multilingual Plane) and in Python's `re`,
/// or `None` when the pattern uses a construct without such a spelling: flags other
/// than `x`, word boundaries (ASCII in ECMA, Unicode in Python), a class such as `\pL`
/// whose code points and complement both reach beyond U+FFFF.
pub fn portable_pattern(source: &str) -> Option<String> {
    let ast = parse_ascii(source).ok()?;
    let p = Printer { source };
    let mut out = String::from("^");
    match &ast {
        // Alternation binds looser than the anchors: keep it grouped.
        Ast::Alternation(_) => {
            out.push_str("(?:");
            p.print(&ast, &mut out)?;
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
                p.print(item, &mut out)?;
            }
        }
        other if is_start_anchor(other) || is_end_anchor(other) => {}
        other => p.print(other, &mut out)?,
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

/// Prints AST nodes; `source` is the manifest pattern, for resolving classes.
struct Printer<'a> {
    source: &'a str,
}

impl Printer<'_> {
    fn print(&self, ast: &Ast, out: &mut String) -> Option<()> {
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
                // Word boundaries arrive wrapped in `(?-u:...)` (refused as a flag);
                // should one come bare, it has no common spelling either.
                _ => return None,
            },
            // `parse_ascii` turned Perl classes into bracketed ASCII classes.
            Ast::ClassPerl(_) => return None,
            Ast::ClassUnicode(_) => self.print_resolved(ast, out)?,
            Ast::ClassBracketed(class) => {
                let mut items = String::new();
                if print_class_set(&class.kind, &mut items).is_some() {
                    out.push('[');
                    if class.negated {
                        out.push('^');
                    }
                    out.push_str(&items);
                    out.push(']');
                } else {
                    self.print_resolved(ast, out)?;
                }
            }
            Ast::Repetition(rep) => {
                let atom = matches!(
                    *rep.ast,
                    Ast::Literal(_)
                        | Ast::Dot(_)
                        | Ast::ClassBracketed(_)
                        | Ast::ClassUnicode(_)
                        | Ast::Group(_)
                );
                if !atom {
                    out.push_str("(?:");
                }
                self.print(&rep.ast, out)?;
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
                self.print(&group.ast, out)?;
                out.push(')');
            }
            Ast::Alternation(alt) => {
                for (i, branch) in alt.asts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    self.print(branch, out)?;
                }
            }
            Ast::Concat(concat) => {
                for item in &concat.asts {
                    self.print(item, out)?;
                }
            }
        }
        Some(())
    }

    /// Prints a class from the code points regex-syntax resolves it to (always one
    /// atom). Flags never reach here: any flag but `x` was refused before.
    fn print_resolved(&self, class: &Ast, out: &mut String) -> Option<()> {
        let hir = Translator::new().translate(self.source, class).ok()?;
        match hir.kind() {
            // A one-character class is simplified to that character.
            HirKind::Literal(lit) => {
                for c in std::str::from_utf8(&lit.0).ok()?.chars() {
                    push_literal(c, out);
                }
                Some(())
            }
            HirKind::Class(Class::Unicode(set)) => push_ranges(set, out),
            // regex-syntax's "matches nothing" (`[a&&b]`) is an empty byte class.
            HirKind::Class(Class::Bytes(set)) if set.ranges().is_empty() => {
                push_ranges(&ClassUnicode::empty(), out)
            }
            _ => None,
        }
    }
}

/// A class as ranges. Without the `u` flag ECMA sees UTF-16 code units, so only BMP
/// ranges can be listed: a class reaching beyond U+FFFF is printed as the negation of
/// its complement when that is BMP-only (`.`, `\D`, `[^a-z]`), otherwise refused.
fn push_ranges(set: &ClassUnicode, out: &mut String) -> Option<()> {
    let bmp = |s: &ClassUnicode| s.ranges().iter().all(|r| u32::from(r.end()) <= 0xFFFF);
    if set.ranges().is_empty() {
        // Matches nothing (`[a&&b]`); `[]` is an error in Python.
        out.push_str(r"[^\s\S]");
        return Some(());
    }
    let (negated, listed) = if bmp(set) {
        (false, set.clone())
    } else {
        let mut complement = set.clone();
        complement.negate();
        if !bmp(&complement) {
            return None;
        }
        (true, complement)
    };
    if listed.ranges().is_empty() {
        // Everything; `[^]` is ECMA-only.
        out.push_str(r"[\s\S]");
        return Some(());
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for r in listed.ranges() {
        push_class_literal(r.start(), out)?;
        if r.end() != r.start() {
            if u32::from(r.end()) > u32::from(r.start()) + 1 {
                out.push('-');
            }
            push_class_literal(r.end(), out)?;
        }
    }
    out.push(']');
    Some(())
}

/// Prints the items of a class in the author's order, or `None` when an item has no
/// item-level spelling (the caller then resolves the whole class).
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
        ClassSetItem::Literal(lit) => push_class_literal(lit.c, out)?,
        ClassSetItem::Range(range) => {
            push_class_literal(range.start.c, out)?;
            out.push('-');
            push_class_literal(range.end.c, out)?;
        }
        ClassSetItem::Ascii(ascii) => {
            // A negated set cannot be nested in a class without the `v` flag.
            if ascii.negated {
                return None;
            }
            out.push_str(ascii_class_items(&ascii.kind));
        }
        ClassSetItem::Perl(_) | ClassSetItem::Unicode(_) | ClassSetItem::Bracketed(_) => {
            return None;
        }
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
        ClassAsciiKind::Space => r"\t\n\v\f\r ",
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
    } else if !is_bmp(c) {
        // Two UTF-16 code units without the `u` flag: grouped, a quantifier after it
        // repeats both. (`\u{..}` is `u`-only and `\U` Python-only: write it as is.)
        out.push_str("(?:");
        out.push(c);
        out.push(')');
    } else if c == ' ' || c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric()) {
        out.push(c);
    } else {
        push_code_point(c, out);
    }
}

/// A character inside a class; `None` beyond the BMP (two code units without `u`).
fn push_class_literal(c: char, out: &mut String) -> Option<()> {
    if !is_bmp(c) {
        return None;
    }
    if is_syntax_char(c) || c == '-' {
        out.push('\\');
        out.push(c);
    } else if c == '&' || c == '~' {
        // Set-operator characters in a Rust class when doubled (and in Python's
        // future sets); `\&` is not a valid ECMA escape in Unicode mode.
        push_code_point(c, out);
    } else if c == ' ' || c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric()) {
        out.push(c);
    } else {
        push_code_point(c, out);
    }
    Some(())
}

fn is_bmp(c: char) -> bool {
    u32::from(c) <= 0xFFFF
}

/// `\uXXXX`: the same in ECMA (both modes) and Python. Callers pass BMP characters.
fn push_code_point(c: char, out: &mut String) {
    let _ = write!(out, "\\u{:04X}", u32::from(c));
}

#[cfg(test)]
mod tests {
    use super::portable_pattern;

    #[test]
    fn anchors_and_rewrites_perl_classes_as_ascii() {
        assert_eq!(
            portable_pattern(r"^CWE-\d+$").as_deref(),
            Some(r"^CWE-[0-9]+$")
        );
        assert_eq!(
            portable_pattern(r"\w\s\D\W\S").as_deref(),
            Some(r"^[0-9A-Za-z_][\t\n\v\f\r ][^0-9][^0-9A-Za-z_][^\t\n\v\f\r ]$")
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
    fn resolves_classes_without_an_item_spelling() {
        for (p, want) in [
            // Negated items, nesting, set operations: resolved to ranges.
            (r"[\W]", r"^[^0-9A-Z_a-z]$"),
            (r"[^a\W]", r"^[0-9A-Z_b-z]$"),
            (r"[[a]b]", r"^[ab]$"),
            (r"[a-z&&[^aeiou]]", r"^[b-df-hj-np-tv-z]$"),
            (r"[a&&b]", r"^[^\s\S]$"),
            (r"[a&&a]", r"^a$"),
            (r"\p{ASCII}", r"^[\u0000-\u007F]$"),
            (r"[^\p{Greek}\P{Greek}]", r"^[^\s\S]$"),
        ] {
            assert_eq!(portable_pattern(p).as_deref(), Some(want), "{p}");
        }
    }

    #[test]
    fn refuses_constructs_without_a_faithful_spelling() {
        for p in [
            r"(?i)abc", r"\bword", r"x\B", r"\pL+", r"\p{Nd}", r"[😀a]", r"[^😀]", r"(?s:.)",
            r"(?-u:a)",
        ] {
            assert_eq!(portable_pattern(p), None, "{p}");
        }
    }

    #[test]
    fn astral_literals_are_grouped_and_written_as_is() {
        assert_eq!(portable_pattern("a😀+").as_deref(), Some("^a(?:😀)+$"));
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
