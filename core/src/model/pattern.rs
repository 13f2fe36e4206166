//! A regex from a manifest, matched against the whole value.
//!
//! Manifest regexes use the syntax of Rust's `regex` crate with one change: the Perl
//! classes `\d`, `\w`, `\s`, their negations `\D`, `\W`, `\S` and the word boundaries
//! (`\b`, `\B`, `\b{start}`, `\<`, ...) have their **ASCII** meaning, as in JavaScript
//! and Go (the other ToolClad implementations): `\d` is `[0-9]`, `\w` is
//! `[0-9A-Za-z_]`, `\s` is `[\t\n\v\f\r ]`. [`parse_ascii`] is the one place that
//! rule lives; the validator compiles what it returns and the schema generator prints
//! it as ECMA-262 (`crate::schema::portable_pattern`).

use super::Str;
use regex::Regex;
use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassAscii, ClassAsciiKind, ClassBracketed, ClassPerl,
    ClassPerlKind, ClassSet, ClassSetItem, Flag, Flags, FlagsItem, FlagsItemKind, Group, GroupKind,
};
use regex_syntax::hir::translate::Translator;
use std::sync::OnceLock;

/// A manifest regex (`pattern`, `ready_pattern`, session command `pattern`).
///
/// It always matches the **whole** value: the source is compiled as `\A(?:source)\z`,
/// with `\d`, `\w`, `\s`, their negations and the word boundaries meaning their ASCII
/// classes (`[0-9]`, `[0-9A-Za-z_]`, `[\t\n\v\f\r ]`; see the module docs).
/// The regex is compiled once, on first use, and shared afterwards; the loader
/// compiles it eagerly so a bad pattern is a build error, never a run-time one.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: Str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Compiles `source` now; the error is the regex crate's, pointing into `source`
    /// as written.
    pub fn new(source: impl Into<Str>) -> Result<Self, regex::Error> {
        let source = source.into();
        let regex = compile(&source)?;
        let compiled = OnceLock::new();
        let _ = compiled.set(Some(regex));
        Ok(Pattern { source, compiled })
    }

    /// A pattern that was checked when the code was generated; compiled lazily.
    ///
    /// Used by generated code and `include_manifest!`. Should compilation fail anyway
    /// (it cannot for checked input), the pattern matches nothing: fail closed.
    #[doc(hidden)]
    pub const fn prechecked(source: &'static str) -> Self {
        Pattern {
            source: Str::Borrowed(source),
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the manifest.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The groups of the match of `value` as a whole, or `None` when it does not
    /// match (named groups keep the names written in the manifest).
    pub fn captures<'t>(&self, value: &'t str) -> Option<regex::Captures<'t>> {
        self.compiled
            .get_or_init(|| compile(&self.source).ok())
            .as_ref()?
            .captures(value)
    }

    /// Whether `value` matches as a whole.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| compile(&self.source).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(value))
    }
}

/// Parses a manifest regex and gives the Perl classes and word boundaries their ASCII
/// meaning (see the module docs).
///
/// Outside a bracketed class, `\d` becomes `[[:digit:]]` and `\D` becomes
/// `[^[:digit:]]` (every character but an ASCII digit, so the pattern stays valid for
/// UTF-8 text); inside one, `\d` / `\D` become `[:digit:]` / `[:^digit:]` (POSIX
/// classes are ASCII in the regex crate). A word boundary `X` becomes `(?-u:X)`.
/// Under `(?i)` the rewritten classes are case-folded like any class, so `(?i)\w` also
/// matches U+017F and U+212A (which fold to `s` and `k`), as in JavaScript's `/\w/iu`.
pub(crate) fn parse_ascii(source: &str) -> Result<Ast, Box<ast::Error>> {
    let mut ast = ast::parse::Parser::new().parse(source).map_err(Box::new)?;
    rewrite(&mut ast);
    Ok(ast)
}

#[cfg(feature = "load")]
/// The high-level IR of a manifest regex (with the ASCII meaning of the Perl
/// classes), for the loader's structural checks.
pub(crate) fn hir(source: &str) -> Option<regex_syntax::hir::Hir> {
    let ast = parse_ascii(source).ok()?;
    Translator::new().translate(source, &ast).ok()
}

/// Compiles a manifest regex, anchored to the whole value (`\A(?:...)\z`).
///
/// Parse and translation errors are reported against the source as written; the
/// regex crate then compiles the rewritten pattern (size limits).
fn compile(source: &str) -> Result<Regex, regex::Error> {
    let ast = parse_ascii(source).map_err(|e| regex::Error::Syntax(e.to_string()))?;
    Translator::new()
        .translate(source, &ast)
        .map_err(|e| regex::Error::Syntax(e.to_string()))?;
    let mut printed = String::new();
    ast::print::Printer::new()
        .print(&ast, &mut printed)
        .map_err(|_| regex::Error::Syntax(format!("cannot print the regex `{source}`")))?;
    // The parsed pattern is balanced, so the anchors cannot be escaped (`a)|(b`).
    Regex::new(&format!(r"\A(?:{printed})\z"))
}

fn rewrite(node: &mut Ast) {
    let replacement = match node {
        Ast::ClassPerl(perl) => Some(Ast::class_bracketed(ClassBracketed {
            span: perl.span,
            negated: perl.negated,
            kind: ClassSet::Item(ClassSetItem::Ascii(ascii_of(perl, false))),
        })),
        Ast::Assertion(a) if is_word_boundary(&a.kind) => Some(ascii_group(a)),
        Ast::ClassBracketed(class) => {
            rewrite_set(&mut class.kind);
            None
        }
        Ast::Repetition(rep) => {
            rewrite(&mut rep.ast);
            None
        }
        Ast::Group(group) => {
            rewrite(&mut group.ast);
            None
        }
        Ast::Alternation(alt) => {
            alt.asts.iter_mut().for_each(rewrite);
            None
        }
        Ast::Concat(concat) => {
            concat.asts.iter_mut().for_each(rewrite);
            None
        }
        Ast::Empty(_)
        | Ast::Flags(_)
        | Ast::Literal(_)
        | Ast::Dot(_)
        | Ast::Assertion(_)
        | Ast::ClassUnicode(_) => None,
    };
    if let Some(r) = replacement {
        *node = r;
    }
}

fn rewrite_set(set: &mut ClassSet) {
    match set {
        ClassSet::Item(item) => rewrite_item(item),
        ClassSet::BinaryOp(op) => {
            rewrite_set(&mut op.lhs);
            rewrite_set(&mut op.rhs);
        }
    }
}

fn rewrite_item(item: &mut ClassSetItem) {
    match item {
        ClassSetItem::Perl(perl) => {
            let ascii = ascii_of(perl, perl.negated);
            *item = ClassSetItem::Ascii(ascii);
        }
        ClassSetItem::Bracketed(class) => rewrite_set(&mut class.kind),
        ClassSetItem::Union(union) => union.items.iter_mut().for_each(rewrite_item),
        ClassSetItem::Empty(_)
        | ClassSetItem::Literal(_)
        | ClassSetItem::Range(_)
        | ClassSetItem::Ascii(_)
        | ClassSetItem::Unicode(_) => {}
    }
}

fn ascii_of(perl: &ClassPerl, negated: bool) -> ClassAscii {
    ClassAscii {
        span: perl.span,
        kind: match perl.kind {
            ClassPerlKind::Digit => ClassAsciiKind::Digit,
            ClassPerlKind::Space => ClassAsciiKind::Space,
            ClassPerlKind::Word => ClassAsciiKind::Word,
        },
        negated,
    }
}

fn is_word_boundary(kind: &AssertionKind) -> bool {
    !matches!(
        kind,
        AssertionKind::StartLine
            | AssertionKind::EndLine
            | AssertionKind::StartText
            | AssertionKind::EndText
    )
}

/// `(?-u:X)`: the regex crate's ASCII word boundary (valid for UTF-8 text).
fn ascii_group(a: &Assertion) -> Ast {
    Ast::group(Group {
        span: a.span,
        kind: GroupKind::NonCapturing(Flags {
            span: a.span,
            items: vec![
                FlagsItem {
                    span: a.span,
                    kind: FlagsItemKind::Negation,
                },
                FlagsItem {
                    span: a.span,
                    kind: FlagsItemKind::Flag(Flag::Unicode),
                },
            ],
        }),
        ast: Box::new(Ast::assertion(a.clone())),
    })
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_value_only() {
        let p = Pattern::new("^SELECT").unwrap();
        assert!(!p.is_match("SELECT 1"));
        let p = Pattern::new("SELECT .*").unwrap();
        assert!(p.is_match("SELECT 1"));
        assert!(!p.is_match("xSELECT 1"));
        let p = Pattern::new("a|b").unwrap();
        assert!(p.is_match("a"));
        assert!(!p.is_match("ab"), "alternation must not escape the anchors");
    }

    #[test]
    fn prechecked_compiles_lazily_and_fails_closed() {
        static P: Pattern = Pattern::prechecked("[0-9]+");
        assert!(P.is_match("42"));
        assert!(!P.is_match("4a"));
        static BAD: Pattern = Pattern::prechecked("(");
        assert!(!BAD.is_match("("));
    }

    #[test]
    fn perl_classes_are_ascii() {
        let digits = Pattern::new(r"\d+").unwrap();
        assert!(digits.is_match("123"));
        assert!(!digits.is_match("١٢٣"), "Arabic-Indic digits are not \\d");
        assert!(!Pattern::new(r"\d{1,5}").unwrap().is_match("١٢٣"));
        let word = Pattern::new(r"\w+").unwrap();
        assert!(word.is_match("abc_1"));
        assert!(!word.is_match("é"));
        assert!(!word.is_match("a-b"));
        let space = Pattern::new(r"a\sb").unwrap();
        for s in ["a b", "a\tb", "a\nb", "a\u{b}b", "a\u{c}b", "a\rb"] {
            assert!(space.is_match(s), "{s:?}");
        }
        assert!(!space.is_match("a\u{a0}b"), "no-break space is not \\s");
        assert!(!space.is_match("a\u{2028}b"));
    }

    #[test]
    fn negated_classes_are_complements_of_the_ascii_ones() {
        let not_digit = Pattern::new(r"\D").unwrap();
        assert!(not_digit.is_match("٣"));
        assert!(not_digit.is_match("😀"));
        assert!(!not_digit.is_match("3"));
        let not_word = Pattern::new(r"\W\S").unwrap();
        assert!(not_word.is_match("é\u{a0}"));
        assert!(!not_word.is_match("a!"));
        assert!(!not_word.is_match("! "));
        // Inside brackets too, negated or not.
        let mixed = Pattern::new(r"[\d\s]+").unwrap();
        assert!(mixed.is_match("1 2\t3"));
        assert!(!mixed.is_match("١"));
        let not_mixed = Pattern::new(r"[^\w.]+").unwrap();
        assert!(not_mixed.is_match("éü-"));
        assert!(!not_mixed.is_match("a"));
        let inner_negated = Pattern::new(r"[a\W]").unwrap();
        assert!(inner_negated.is_match("a") && inner_negated.is_match("é"));
        assert!(!inner_negated.is_match("b"));
    }

    #[test]
    fn word_boundaries_are_ascii() {
        let p = Pattern::new(r"x\b.*").unwrap();
        assert!(p.is_match("x y"));
        // `é` is not an ASCII word character: there is a boundary between `x` and it.
        assert!(p.is_match("xé"));
        assert!(!p.is_match("xa"));
        let q = Pattern::new(r"x\B.*").unwrap();
        assert!(!q.is_match("xé"));
        assert!(q.is_match("xa"));
        assert!(Pattern::new(r"\<x\>").unwrap().is_match("x"));
    }

    #[test]
    fn errors_point_into_the_pattern_as_written() {
        let e = Pattern::new("a)|(b").unwrap_err().to_string();
        assert!(e.contains("a)|(b") && e.contains("unopened group"), "{e}");
        let e = Pattern::new(r"\p{NoSuchClass}").unwrap_err().to_string();
        assert!(e.contains("Unicode property not found"), "{e}");
        // Unicode-less negated classes could match inside a UTF-8 sequence.
        assert!(Pattern::new(r"(?-u:\W)").is_err());
    }

    #[test]
    fn flags_do_not_bring_unicode_classes_back() {
        assert!(!Pattern::new(r"(?u)\d").unwrap().is_match("٣"));
        assert!(!Pattern::new(r"(?u:\w)").unwrap().is_match("é"));
        // Case folding applies to the class as a whole (documented in docs/types.md).
        let folded = Pattern::new(r"(?i)\w+").unwrap();
        assert!(folded.is_match("aZ_9\u{17F}\u{212A}"));
        assert!(!folded.is_match("é"));
    }

    #[test]
    fn explicit_unicode_classes_stay_unicode() {
        let p = Pattern::new(r"\p{Nd}+").unwrap();
        assert!(p.is_match("١٢٣"));
        static LAZY: Pattern = Pattern::prechecked(r"\d+");
        assert!(LAZY.is_match("42") && !LAZY.is_match("٤٢"));
    }
}
