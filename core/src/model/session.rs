//! `[session]`: an interactive PTY tool.

use super::{Arg, List, Pattern, RiskTier, Str};

/// `[session]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSpec {
    /// `startup_command` as written.
    pub startup_command: Str,
    /// `startup_command` split with POSIX quoting at build time (never a shell).
    pub startup_argv: List<Str>,
    /// Prompt regex that marks the session ready (whole-line match).
    pub ready_pattern: Pattern,
    /// Startup timeout (default 30 s).
    pub startup_timeout_seconds: u64,
    /// Idle timeout (default 300 s).
    pub idle_timeout_seconds: u64,
    /// Whole-session timeout (default 1800 s).
    pub session_timeout_seconds: u64,
    /// Maximum number of commands per session (default 100).
    pub max_interactions: u64,
    /// `[session.interaction]`.
    pub interaction: Interaction,
    /// `[session.commands.<name>]`, in declaration order.
    pub commands: List<SessionCommand>,
    /// `[session.child_detection]` (spec extension).
    pub child_detection: Option<ChildDetection>,
    /// `[session.events]` (spec extension).
    pub events: Option<SessionEvents>,
}

/// `[session.interaction]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// Extra characters refused in command text.
    pub input_sanitize: List<Str>,
    /// Output cap per interaction (default 1 MiB).
    pub output_max_bytes: u64,
    /// Wait for output, in ms (default 2000).
    pub output_wait_ms: u64,
}

/// `[session.commands.<name>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionCommand {
    /// Command name (`^[A-Za-z][A-Za-z0-9_]{0,63}$`).
    pub name: Str,
    /// The command text must match this pattern as a whole.
    pub pattern: Pattern,
    /// Description shown to the LLM.
    pub description: Str,
    /// Risk tier of this command (default `low`).
    pub risk_tier: RiskTier,
    /// Whether each use needs human approval.
    pub human_approval: bool,
    /// Whether the command's target must be scope-checked: the loader checks that
    /// exactly one bound argument is scope-checked ([`Arg::is_scope_checked`]).
    pub extract_target: bool,
    /// The command's typed arguments.
    pub args: List<Arg>,
    /// How the command text and the typed arguments are the same thing.
    pub binding: TextBinding,
}

impl SessionCommand {
    /// The argument that is the command's target (`extract_target = true`): the one
    /// scope-checked argument, which the loader proved exists. `None` without
    /// `extract_target`.
    pub fn target_arg(&self) -> Option<(usize, &Arg)> {
        if !self.extract_target {
            return None;
        }
        self.args
            .iter()
            .enumerate()
            .find(|(_, a)| a.is_scope_checked())
    }
}

/// How a session command's text relates to its typed arguments (`docs/semantics.md`,
/// "Session command text and arguments").
#[derive(Clone, Debug, PartialEq)]
pub enum TextBinding {
    /// The command declares no arguments: the caller sends the text, which only the
    /// pattern fences.
    Free,
    /// `template = "set RHOSTS {target}"`: the caller sends only the typed arguments
    /// and the text is rendered from their checked values.
    Template {
        /// The template as written.
        source: Str,
        /// Its pieces, in order.
        pieces: List<TemplatePiece>,
    },
    /// Named groups of the pattern (`(?P<target>...)`) bind the arguments: the caller
    /// sends the text, and each group is parsed by its argument's type.
    Captures,
}

/// One piece of a session command template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePiece {
    /// Literal text.
    Text(Str),
    /// The value of the command's argument at this index (one token).
    Arg(usize),
}

/// `[session.child_detection]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildDetection {
    /// Output pattern that signals a child session.
    pub pattern: Pattern,
    /// Child session type.
    pub kind: Str,
    /// Manifest of the child session.
    pub manifest: Str,
}

/// `[session.events]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionEvents {
    /// Whether events are collected.
    pub enabled: bool,
    /// Queue bound.
    pub max_queue_depth: u64,
    /// Poll interval in ms.
    pub poll_interval_ms: u64,
    /// Event types collected.
    pub event_types: List<Str>,
    /// Event time to live, in seconds.
    pub ttl_seconds: u64,
}
