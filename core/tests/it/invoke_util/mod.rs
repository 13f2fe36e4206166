//! Builds checked manifest models by hand for the `invoke_*` tests, so they do not
//! depend on the loader.
#![allow(dead_code)] // each test binary uses a different part

use cladgen_core::model::*;
use std::borrow::Cow;

/// An optional argument without default.
pub fn arg(name: &'static str, kind: TypeKind) -> Arg {
    Arg {
        name: Cow::Borrowed(name),
        position: None,
        required: false,
        description: Cow::Borrowed(""),
        ty: ArgType {
            name: Cow::Borrowed(kind.as_str()),
            kind,
            constraints: Constraints::NONE,
        },
        default: None,
        scope_check: false,
        feeds_decision: false,
        sanitize: Cow::Borrowed(&[]),
    }
}

/// Builder-style tweaks of an [`Arg`].
pub trait ArgExt {
    /// Marks it required.
    fn required(self) -> Self;
    /// Sets a default.
    fn default_to(self, d: Scalar) -> Self;
    /// Sets enum `allowed`.
    fn allowed(self, values: &[&'static str]) -> Self;
    /// Sets `pattern`.
    fn pattern(self, p: &str) -> Self;
    /// Sets `allow_option_values`.
    fn allow_options(self) -> Self;
}

impl ArgExt for Arg {
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn default_to(mut self, d: Scalar) -> Self {
        self.default = Some(d);
        self
    }
    fn allowed(mut self, values: &[&'static str]) -> Self {
        self.ty.constraints.allowed = Some(values.iter().map(|v| Cow::Borrowed(*v)).collect());
        self
    }
    fn pattern(mut self, p: &str) -> Self {
        self.ty.constraints.pattern = Some(Pattern::new(p.to_owned()).expect("test pattern"));
        self
    }
    fn allow_options(mut self) -> Self {
        self.ty.constraints.allow_option_values = true;
        self
    }
}

pub fn s(text: &'static str) -> Scalar {
    Scalar::String(Cow::Borrowed(text))
}

/// `[tool]` with the defaults.
pub fn meta(name: &'static str) -> ToolMeta {
    ToolMeta {
        name: Cow::Borrowed(name),
        version: Cow::Borrowed("1.0.0"),
        binary: None,
        description: Cow::Borrowed("test tool"),
        mode: Mode::Oneshot,
        dispatch: Dispatch::Exec,
        timeout_seconds: 30,
        risk_tier: RiskTier::Low,
        human_approval: false,
        cedar: None,
        evidence: None,
    }
}

pub fn manifest(name: &'static str, args: Vec<Arg>, backend: Backend) -> Manifest {
    Manifest {
        tool: meta(name),
        args: Cow::Owned(args),
        backend,
        output: None,
    }
}

pub fn lit(text: &'static str) -> Piece {
    Piece::Lit(Cow::Borrowed(text))
}

pub fn tok(pieces: Vec<Piece>) -> Token {
    Token {
        pieces: Cow::Owned(pieces),
    }
}

/// A token that is one literal.
pub fn word(text: &'static str) -> Token {
    tok(vec![lit(text)])
}

/// A token that is one argument.
pub fn argtok(index: usize) -> Token {
    tok(vec![Piece::Arg(index)])
}

pub fn template(
    tokens: Vec<Token>,
    mappings: Vec<Mapping>,
    conditionals: Vec<Conditional>,
) -> Backend {
    Backend::Command(CommandSpec {
        run: CommandRun::Template {
            source: Cow::Borrowed("(hand-built)"),
            tokens: Cow::Owned(tokens),
        },
        mappings: Cow::Owned(mappings),
        conditionals: Cow::Owned(conditionals),
    })
}

pub fn exec(tokens: Vec<Token>, mappings: Vec<Mapping>, conditionals: Vec<Conditional>) -> Backend {
    Backend::Command(CommandSpec {
        run: CommandRun::Exec {
            tokens: Cow::Owned(tokens),
        },
        mappings: Cow::Owned(mappings),
        conditionals: Cow::Owned(conditionals),
    })
}

pub fn mapping(arg: usize, entries: &[(&'static str, &'static str)]) -> Mapping {
    Mapping {
        arg,
        entries: entries
            .iter()
            .map(|(value, text)| MappingEntry {
                value: Cow::Borrowed(value),
                text: Cow::Borrowed(text),
                tokens: text
                    .split_whitespace()
                    .map(|t| Cow::Owned(t.to_owned()))
                    .collect(),
            })
            .collect(),
    }
}

pub fn conditional(name: &'static str, when: Expr, tokens: Vec<Token>) -> Conditional {
    Conditional {
        name: Cow::Borrowed(name),
        when,
        when_source: Cow::Borrowed("(hand-built)"),
        tokens: Cow::Owned(tokens),
    }
}

pub fn cmp(arg: usize, op: CmpOp, value: Literal) -> Expr {
    Expr::Compare { arg, op, value }
}

pub fn str_lit(text: &'static str) -> Literal {
    Literal::Str(Cow::Borrowed(text))
}

/// The rules of an error list, in order, as `(arg, rule)` pairs.
pub fn rules(e: &cladgen_core::value::ArgErrors) -> Vec<(String, &'static str)> {
    e.iter().map(|e| (e.arg.clone(), e.rule.as_str())).collect()
}
