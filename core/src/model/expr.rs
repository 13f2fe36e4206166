//! `when` expressions of `[command.conditionals]`, parsed at build time.
//!
//! Grammar: `expr := and ('or' and)*`, `and := cmp ('and' cmp)*`,
//! `cmp := name ('==' | '!=') literal | name`.

use super::{List, Str};

/// A parsed `when` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// True when any operand is.
    Or(List<Expr>),
    /// True when every operand is.
    And(List<Expr>),
    /// `name == literal` / `name != literal`, compared by the argument's type.
    /// An absent argument equals `''` and differs from every other literal.
    Compare {
        /// Argument index.
        arg: usize,
        /// Operator.
        op: CmpOp,
        /// Right-hand side, already checked to be comparable with the argument.
        value: Literal,
    },
    /// A bare `name`: true when present (and, for a boolean, true).
    Present {
        /// Argument index.
        arg: usize,
    },
}

/// Comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// A literal in a `when` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `'text'` or `"text"` (for numeric arguments the loader converts a quoted number
    /// into [`Literal::Int`]/[`Literal::Float`], with a warning).
    Str(Str),
    /// An integer.
    Int(i64),
    /// A float (only compared with `number` arguments).
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
}
