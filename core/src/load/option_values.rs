//! Where the option-value rule applies.
//!
//! A value starting with `-` is refused only where it could start an argv element
//! (`cladgen-semantics.md`, "Values"): there a program would read it as an option
//! (`-iL /etc/shadow`, or `-9` for `kill {pid}`). A value is exempt only when text
//! that can never be empty always comes before it in its element (`-p{password}`,
//! `--rate={rate}`); an argument that accepts `""`, a mapping with a `""` flag string
//! or a conditional fragment that may expand to nothing does not count, because the
//! value would then start the element after all. Elsewhere (in an HTTP request, in MCP
//! arguments, in browser and session command arguments) a value cannot become an
//! option. The loader records the effective rule in the checked model by setting
//! `allow_option_values` for exempt arguments; the generated code and the dynamic
//! path both read it from there.
//!
//! Free text fails closed where cladgen cannot see how values are used: `executor`
//! tools (the wrapper receives the values and may put them anywhere in its own argv),
//! callback and `[source]` tools (the host uses them) keep the rule. `integer` and
//! `number` values are refused when negative only where cladgen itself builds an argv
//! element they can start; elsewhere a negative number is ordinary data.

use super::args::ArgInfo;
use super::codes;
use super::diag::Decorate;
use super::walk::Cx;
use crate::model::{
    Arg, Backend, CommandRun, Conditional, Manifest, Mapping, Piece, Scalar, Token, TypeKind,
};

/// Types whose negative values are options when they start an argv element.
pub(crate) fn is_signed_number(kind: &TypeKind) -> bool {
    matches!(kind, TypeKind::Integer | TypeKind::Number)
}

/// For an `integer` or `number` argument that can start an argv element and does not
/// set `allow_option_values`: an error when its `default` is negative (the default
/// is parsed by the same rule at run time and would always be refused), else a
/// warning when its bounds admit negative values.
pub(crate) fn check_negative_number(cx: &mut Cx<'_>, a: &Arg, info: &ArgInfo) {
    let c = &a.ty.constraints;
    #[allow(clippy::cast_precision_loss)] // the same f64 bound the validator uses
    let lo = match a.ty.kind {
        TypeKind::Number => c.min_float.or(c.min.map(|m| m as f64)),
        _ => c.min.map(|m| m as f64),
    };
    let help = "set `allow_option_values = true` on the argument if the program reads a negative number there as a value, or give it a fixed, non-empty prefix (`--offset={value}`)";
    let note =
        "a negative number alone in an argv element looks like an option (`kill -9`, `head -1`)";
    let negative_default = info.default.as_ref().filter(|d| match d.v {
        Scalar::Integer(i) => i < 0,
        Scalar::Float(f) => f < 0.0,
        Scalar::String(_) | Scalar::Boolean(_) => false,
    });
    if let Some(d) = negative_default {
        cx.sink
            .error(
                &codes::BAD_DEFAULT,
                d.span.clone(),
                format!(
                    "the `default` {} of argument `{}` is negative, and the argument can start an argv element: the value would be refused as option-like",
                    d.v.to_text(),
                    a.name
                ),
            )
            .help(help)
            .note(note);
    } else if lo.is_none_or(|l| l < 0.0) {
        cx.sink
            .warn(
                &codes::OPTION_LIKE_VALUE,
                info.name_span.clone(),
                format!(
                    "argument `{}` ({}) can start an argv element: negative values will be refused",
                    a.name,
                    a.ty.kind.as_str()
                ),
            )
            .help(help)
            .note(note);
    }
}

/// For each argument, whether its value can be the first text of an argv element
/// built from `tokens` or from any conditional fragment.
///
/// A value is preceded by non-empty text only when a piece before it in its token is
/// never empty ([`never_empty`]); otherwise it may lead. Every occurrence counts:
/// one leading occurrence is enough.
pub(crate) fn may_lead(
    args: &[Arg],
    tokens: &[Token],
    mappings: &[Mapping],
    conditionals: &[Conditional],
) -> Vec<bool> {
    let mut lead = vec![false; args.len()];
    let fragments = conditionals.iter().flat_map(|c| c.tokens.iter());
    for token in tokens.iter().chain(fragments) {
        let mut prefix = false;
        for piece in token.pieces.iter() {
            if let Piece::Arg(i) = piece
                && !prefix
                && let Some(l) = lead.get_mut(*i)
            {
                *l = true;
            }
            prefix = prefix || never_empty(piece, args, mappings, conditionals);
        }
    }
    lead
}

/// Whether `piece`, whenever its token is emitted at all, contributes at least one
/// character. An absent argument, an unmapped value or a false conditional drops the
/// whole token, so only present values matter.
fn never_empty(
    piece: &Piece,
    args: &[Arg],
    mappings: &[Mapping],
    conditionals: &[Conditional],
) -> bool {
    match piece {
        Piece::Lit(l) => !l.is_empty(),
        Piece::Arg(i) => args.get(*i).is_some_and(value_never_empty),
        Piece::Mapping(m) => mappings
            .get(*m)
            .is_some_and(|m| m.entries.iter().all(|e| !e.text.is_empty())),
        // A true conditional inside a larger token inserts its fragment's elements
        // joined by spaces: non-empty when one of them is always there and non-empty.
        Piece::Conditional(c) => conditionals.get(*c).is_some_and(|c| {
            c.tokens.iter().any(|t| {
                always_emitted(t, args)
                    && t.pieces.iter().any(|p| never_empty(p, args, mappings, &[]))
            })
        }),
        // Execution-context values are the caller's; do not rely on them.
        Piece::Var(_) => false,
    }
}

/// Whether a fragment token is emitted whenever its fragment is: it refers only to
/// literals, context variables and arguments that always have a value.
fn always_emitted(token: &Token, args: &[Arg]) -> bool {
    token.pieces.iter().all(|p| match p {
        Piece::Lit(_) | Piece::Var(_) => true,
        Piece::Arg(i) => args
            .get(*i)
            .is_some_and(|a| a.required || a.default.is_some()),
        Piece::Mapping(_) | Piece::Conditional(_) => false,
    })
}

/// Whether every value the argument's type accepts has a non-empty argv form.
fn value_never_empty(a: &Arg) -> bool {
    let c = &a.ty.constraints;
    match &a.ty.kind {
        // Whatever the pattern accepts, `""` included when it matches.
        TypeKind::String => c.pattern.as_ref().is_some_and(|p| !p.is_match("")),
        // Without a pattern every value is refused.
        TypeKind::RegexMatch => c.pattern.as_ref().is_none_or(|p| !p.is_match("")),
        TypeKind::Enum => c
            .allowed
            .as_ref()
            .is_some_and(|l| l.iter().all(|v| !v.is_empty())),
        // These parsers refuse the empty string and never print one.
        TypeKind::Integer
        | TypeKind::Number
        | TypeKind::Port
        | TypeKind::Boolean
        | TypeKind::ScopeTarget
        | TypeKind::Url
        | TypeKind::Path
        | TypeKind::IpAddress
        | TypeKind::Cidr
        | TypeKind::MsfOptions
        | TypeKind::CredentialFile
        | TypeKind::Duration => true,
        // A user type may print anything.
        TypeKind::Extern { .. } => false,
    }
}

/// Sets `allow_option_values` on every free-text argument whose value can never start
/// an argv element, and `negative_is_option` on every `integer` and `number` argument
/// whose value can (unless the manifest allows option values for it).
pub(super) fn apply(mut m: Manifest) -> Manifest {
    // (may lead, cladgen cannot see how the value is used)
    let usage: Vec<(bool, bool)> = match &m.backend {
        Backend::Command(c) => match &c.run {
            CommandRun::Executor { .. } => vec![(false, true); m.args.len()],
            CommandRun::Template { tokens, .. } | CommandRun::Exec { tokens } => {
                may_lead(&m.args, tokens, &c.mappings, &c.conditionals)
                    .into_iter()
                    .map(|l| (l, false))
                    .collect()
            }
        },
        Backend::Callback | Backend::Source(_) => vec![(false, true); m.args.len()],
        Backend::Http(_) | Backend::Mcp(_) | Backend::Session(_) | Backend::Browser(_) => {
            vec![(false, false); m.args.len()]
        }
    };
    let mut args = m.args.into_owned();
    for (a, (lead, unseen)) in args.iter_mut().zip(usage) {
        if is_signed_number(&a.ty.kind) {
            a.ty.constraints.negative_is_option = lead && !a.ty.constraints.allow_option_values;
        } else if !lead && !unseen {
            allow(a);
        }
    }
    m.args = args.into();
    match &mut m.backend {
        Backend::Session(s) => {
            let mut commands = s.commands.to_vec();
            for c in &mut commands {
                let mut args = c.args.to_vec();
                args.iter_mut().for_each(allow);
                c.args = args.into();
            }
            s.commands = commands.into();
        }
        Backend::Browser(b) => {
            let mut commands = b.commands.to_vec();
            for c in &mut commands {
                let mut args = c.args.to_vec();
                args.iter_mut().for_each(allow);
                c.args = args.into();
            }
            b.commands = commands.into();
        }
        _ => {}
    }
    m
}

fn allow(a: &mut Arg) {
    if a.ty.kind.is_free_text() {
        a.ty.constraints.allow_option_values = true;
    }
}
