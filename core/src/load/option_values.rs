//! Where the option-value rule applies.
//!
//! A free-text value starting with `-` is refused only where it would start an argv
//! element (`cladgen-semantics.md`, "Values"): there a program would read it as an
//! option (`-iL /etc/shadow`). Elsewhere (after a fixed prefix such as `-p{password}`,
//! in an HTTP request, in MCP arguments, in browser and session command arguments)
//! the value cannot become an option, so the loader records the effective rule in the
//! checked model by setting `allow_option_values` for those arguments.
//!
//! Fail closed where cladgen cannot see how values are used: `executor` tools (the
//! wrapper receives the values and may put them anywhere in its own argv), callback
//! and `[source]` tools (the host uses them) keep the rule.

use crate::model::{Arg, Backend, CommandRun, Manifest, Piece, Token};

/// Sets `allow_option_values` on every argument whose value can never start an argv
/// element.
pub(super) fn apply(mut m: Manifest) -> Manifest {
    let starts = |i: usize| -> bool {
        match &m.backend {
            Backend::Command(c) => {
                let leading = |tokens: &[Token]| {
                    tokens
                        .iter()
                        .any(|t| matches!(t.pieces.first(), Some(Piece::Arg(a)) if *a == i))
                };
                match &c.run {
                    CommandRun::Executor { .. } => true,
                    CommandRun::Template { tokens, .. } | CommandRun::Exec { tokens } => {
                        leading(tokens) || c.conditionals.iter().any(|k| leading(&k.tokens))
                    }
                }
            }
            Backend::Callback | Backend::Source(_) => true,
            Backend::Http(_) | Backend::Mcp(_) | Backend::Session(_) | Backend::Browser(_) => false,
        }
    };
    let starts: Vec<bool> = (0..m.args.len()).map(starts).collect();
    let mut args = m.args.into_owned();
    for (a, s) in args.iter_mut().zip(starts) {
        if !s {
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
