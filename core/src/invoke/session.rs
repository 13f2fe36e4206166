//! Calls of session and browser commands: one declared command, its typed
//! arguments, and (for a session) the command text checked against its pattern.

use super::call::{args_json, parse_args};
use crate::field;
use crate::model::{
    Arg, Backend, BrowserCommand, BrowserSpec, Manifest, SessionCommand, SessionSpec,
    TemplatePiece, TextBinding,
};
use crate::value::{
    ArgError, ArgErrors, ArgSpec, ParseOptions, Rule, Value, check_injection, shown,
};

/// The JSON field that carries a session command's text.
pub const COMMAND_FIELD: &str = "command";

/// A session or browser command call could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandCallError {
    /// The manifest declares no command of this name.
    #[error("unknown command '{command}'; declared commands are: {}", declared.join(", "))]
    UnknownCommand {
        /// The name asked for.
        command: String,
        /// The declared command names, in manifest order.
        declared: Vec<String>,
    },
    /// The arguments are invalid (every problem at once).
    #[error(transparent)]
    Args(#[from] ArgErrors),
}

/// One call of a `[session.commands.<name>]` command.
///
/// The text written to the session and the typed values a policy looks at are the
/// same thing, bound by the command's [`TextBinding`]:
///
/// * [`TextBinding::Template`]: the call carries only the typed arguments (a
///   `command` field is an unknown argument); the text is rendered from their checked
///   values, each one token ([`Rule::CommandToken`]).
/// * [`TextBinding::Captures`]: the call carries only the text under `"command"`;
///   each named group of the pattern is parsed by the type of the argument it names,
///   and those are the call's values (the argument given as its own field is
///   [`Rule::BoundByText`]).
/// * [`TextBinding::Free`] (a command without arguments): the call carries the text.
///
/// The text must be non-empty, free of the injection set (no line break can smuggle
/// a second command into the session) and of `[session.interaction]
/// input_sanitize`, and must match the command's pattern as a whole
/// ([`Rule::CommandPattern`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionCommandCall<'s> {
    command: &'s SessionCommand,
    text: String,
    values: Vec<Option<Value>>,
}

impl<'s> SessionCommandCall<'s> {
    /// Validates a call of command `command` of `spec`.
    pub fn from_json(
        spec: &'s SessionSpec,
        command: &str,
        args: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, CommandCallError> {
        let Some(cmd) = spec.commands.iter().find(|c| c.name == command) else {
            return Err(CommandCallError::UnknownCommand {
                command: command.to_owned(),
                declared: spec.commands.iter().map(|c| c.name.to_string()).collect(),
            });
        };
        let obj = field::object(args)?;
        let mut errors = ArgErrors::new();
        field::reject_unknown(obj, &call_fields(cmd), &mut errors);
        let (text, values) = match &cmd.binding {
            TextBinding::Template { pieces, .. } => {
                let values = parse_args(&cmd.args, obj, opts, &mut errors);
                if !errors.is_empty() {
                    return Err(errors.into());
                }
                let shown: Vec<Option<String>> = values
                    .iter()
                    .map(|v| v.as_ref().map(ToString::to_string))
                    .collect();
                let text = render(spec, cmd, pieces, &shown).map_err(ArgErrors::from)?;
                (text, values)
            }
            TextBinding::Free | TextBinding::Captures => {
                let given = |i: usize| {
                    cmd.args
                        .get(i)
                        .is_some_and(|a| obj.contains_key(a.name.as_ref()))
                };
                let text = read_text(
                    spec,
                    cmd,
                    field::present(obj, COMMAND_FIELD, true),
                    given,
                    opts,
                    &mut errors,
                );
                match text {
                    Some(t) if errors.is_empty() => (t.text, t.values),
                    _ => return Err(errors.into()),
                }
            }
        };
        Ok(SessionCommandCall {
            command: cmd,
            text,
            values,
        })
    }

    /// The declared command.
    pub fn command(&self) -> &'s SessionCommand {
        self.command
    }

    /// The command text to send to the session (without a line terminator).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value of the command's argument `name`, if present (or defaulted).
    pub fn value(&self, name: &str) -> Option<&Value> {
        value_of(&self.command.args, &self.values, name)
    }

    /// The command's target (`extract_target = true`): its one scope-checked
    /// argument and that argument's value, which is part of [`Self::text`]. `None`
    /// for a command without `extract_target`.
    pub fn target(&self) -> Option<(&'s Arg, &Value)> {
        let (i, arg) = self.command.target_arg()?;
        Some((arg, self.values.get(i)?.as_ref()?))
    }

    /// Every scope-checked argument ([`Arg::is_scope_checked`]) with its value, in
    /// declaration order: what the runner's scope gate checks. Each is bound into
    /// [`Self::text`].
    pub fn scope_values(&self) -> impl Iterator<Item = (&'s Arg, &Value)> {
        self.command
            .args
            .iter()
            .zip(&self.values)
            .filter(|(a, _)| a.is_scope_checked())
            .filter_map(|(a, v)| Some((a, v.as_ref()?)))
    }

    /// `{"command": name, "text": ..., "args": {...}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "command": self.command.name.as_ref(),
            "text": self.text,
            "args": args_json(&self.command.args, &self.values),
        })
    }
}

/// The fields a call of `cmd` may carry: the typed arguments for a template (the
/// text is rendered), `command` and the arguments otherwise (the arguments only to
/// report them as bound by the text, [`Rule::BoundByText`]).
fn call_fields(cmd: &SessionCommand) -> Vec<&str> {
    let mut fields: Vec<&str> = Vec::new();
    if !matches!(cmd.binding, TextBinding::Template { .. }) {
        fields.push(COMMAND_FIELD);
    }
    fields.extend(
        cmd.args
            .iter()
            .map(|a| a.name.as_ref())
            .filter(|n| *n != COMMAND_FIELD),
    );
    fields
}

/// Reads the text of a call of a [`TextBinding::Free`] or [`TextBinding::Captures`]
/// command (`given(i)`: whether argument `i` was sent as a field of its own),
/// recording every error; `None` after one.
pub(crate) fn read_text(
    spec: &SessionSpec,
    cmd: &SessionCommand,
    value: Option<&serde_json::Value>,
    given: impl Fn(usize) -> bool,
    opts: &ParseOptions,
    errors: &mut ArgErrors,
) -> Option<CommandText> {
    if let TextBinding::Template { .. } = cmd.binding {
        errors.push(ArgError::new(
            COMMAND_FIELD,
            Rule::UnknownArgument,
            format!(
                "session command '{}' renders its text from its template; send only its typed arguments",
                cmd.name
            ),
        ));
        return None;
    }
    let mut ok = true;
    for (i, arg) in cmd.args.iter().enumerate() {
        if given(i) {
            ok = false;
            errors.push(ArgError::new(
                arg.name.as_ref(),
                Rule::BoundByText,
                format!(
                    "argument '{}' of session command '{}' is read from the command text (the named group `{}` of its pattern); send only `{COMMAND_FIELD}`",
                    arg.name, cmd.name, arg.name
                ),
            ));
        }
    }
    let text = errors.collect(free_text(value).and_then(|t| {
        check_text(spec, cmd, t, COMMAND_FIELD, false)?;
        Ok(t.to_owned())
    }))?;
    let mut values = Vec::with_capacity(cmd.args.len());
    if !cmd.args.is_empty() {
        // The loader proved every argument is a named group of the pattern, outside
        // any repetition, so each group matched at most once.
        let captures = cmd.pattern.captures(&text)?;
        for arg in cmd.args.iter() {
            let value = match captures.name(&arg.name) {
                None if arg.required => {
                    ok = false;
                    errors.push(ArgError::missing(&arg.name).with_expected(format!(
                        "the named group `{}` of the pattern in the command text",
                        arg.name
                    )));
                    None
                }
                None => None,
                Some(m) => {
                    let parsed = check_token(&arg.name, m.as_str()).and_then(|()| {
                        let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
                        Value::parse_str(&spec, &arg.ty.kind, m.as_str(), opts)
                    });
                    let v = errors.collect(parsed);
                    ok &= v.is_some();
                    v
                }
            };
            values.push(value);
        }
    }
    ok.then(|| CommandText {
        command: cmd.name.to_string(),
        text,
        values,
    })
}

/// The `command` field as text: present and a JSON string.
fn free_text(value: Option<&serde_json::Value>) -> Result<&str, ArgError> {
    let name = COMMAND_FIELD;
    match value {
        None => Err(ArgError::missing(name)),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(ArgError::new(
            name,
            Rule::JsonType,
            format!(
                "argument '{name}' must be a string (the session command text), got {}",
                field::json_kind(other)
            ),
        )),
    }
}

/// A value bound into command text must be one token of the console's command
/// line: non-empty, without whitespace, quotes or backslashes (which a console's
/// line splitter reads as separators, grouping or escapes), so the console sees
/// exactly the value the argument checks saw.
fn check_token(name: &str, value: &str) -> Result<(), ArgError> {
    let bad = value
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\'));
    if value.is_empty() || bad.is_some() {
        let what = match bad {
            None => "is empty".to_owned(),
            Some(c) => format!("contains '{}'", shown(&c.to_string())),
        };
        return Err(ArgError::new(
            name,
            Rule::CommandToken,
            format!("argument '{name}' {what}: a value in session command text must be one token"),
        )
        .with_value(value)
        .with_expected("one token: no whitespace, quotes or backslashes"));
    }
    Ok(())
}

/// Renders the template `pieces` of `cmd` from the arguments' argv forms (`values`,
/// one per argument) and checks the text.
fn render(
    spec: &SessionSpec,
    cmd: &SessionCommand,
    pieces: &[TemplatePiece],
    values: &[Option<String>],
) -> Result<String, ArgError> {
    let mut text = String::new();
    let mut first: Option<&str> = None;
    for piece in pieces {
        match piece {
            TemplatePiece::Text(t) => text.push_str(t),
            TemplatePiece::Arg(i) => {
                let name = cmd.args.get(*i).map_or(COMMAND_FIELD, |a| a.name.as_ref());
                first.get_or_insert(name);
                let Some(Some(v)) = values.get(*i) else {
                    return Err(ArgError::missing(name));
                };
                check_token(name, v)?;
                text.push_str(v);
            }
        }
    }
    check_text(spec, cmd, &text, first.unwrap_or(COMMAND_FIELD), true)?;
    Ok(text)
}

/// Checks session command text: non-empty, free of the injection set and of
/// `input_sanitize`, matching the command's pattern as a whole. Errors name `name`
/// (the `command` field, or the first argument of a rendered template).
fn check_text(
    spec: &SessionSpec,
    cmd: &SessionCommand,
    text: &str,
    name: &str,
    rendered: bool,
) -> Result<(), ArgError> {
    let what = if rendered {
        "(rendered from the template)"
    } else {
        "(the session command text)"
    };
    if text.is_empty() {
        return Err(ArgError::new(
            name,
            Rule::Empty,
            format!("argument '{name}' {what} must not be empty"),
        ));
    }
    check_injection(name, text)?;
    for extra in spec.interaction.input_sanitize.iter() {
        if let Some(c) = extra.chars().find(|c| text.contains(*c)) {
            return Err(ArgError::new(
                name,
                Rule::Injection,
                format!(
                    "argument '{name}' {what} contains '{}', which this session refuses (input_sanitize)",
                    shown(&c.to_string())
                ),
            )
            .with_value(text));
        }
    }
    if !cmd.pattern.is_match(text) {
        return Err(ArgError::new(
            name,
            Rule::CommandPattern,
            format!(
                "command '{}' text '{}' {what} does not match the pattern '{}' as a whole",
                cmd.name,
                shown(text),
                cmd.pattern.as_str()
            ),
        )
        .with_value(text)
        .with_expected(format!("text matching ^(?:{})$", cmd.pattern.as_str())));
    }
    Ok(())
}

/// The validated text of a session command call (what is written to the session,
/// without a line terminator), with the values its named groups bind
/// ([`TextBinding::Captures`]). Generated session command types hold one.
///
/// Equality and hashing are by command and text: the values are a function of both.
#[derive(Clone, Debug)]
pub struct CommandText {
    command: String,
    text: String,
    values: Vec<Option<Value>>,
}

impl CommandText {
    /// Checks `text` for command `command` of session tool `manifest`.
    pub fn new(manifest: &Manifest, command: &str, text: &str) -> Result<Self, ArgError> {
        Self::from_json(
            manifest,
            command,
            Some(&serde_json::Value::String(text.to_owned())),
        )
    }

    /// Checks the `command` field of a call (`None` when absent) for command `command`
    /// of session tool `manifest` (a [`TextBinding::Free`] or
    /// [`TextBinding::Captures`] command).
    pub fn from_json(
        manifest: &Manifest,
        command: &str,
        value: Option<&serde_json::Value>,
    ) -> Result<Self, ArgError> {
        Self::read(manifest, command, value, |_| false, &ParseOptions::DEFAULT).map_err(|e| {
            e.as_slice()
                .first()
                .cloned()
                .unwrap_or_else(|| ArgError::missing(COMMAND_FIELD))
        })
    }

    /// Like [`Self::from_json`], reporting every error, with `given(i)` telling
    /// whether argument `i` of the command was sent as a field of its own (an error
    /// for a [`TextBinding::Captures`] command).
    pub fn read(
        manifest: &Manifest,
        command: &str,
        value: Option<&serde_json::Value>,
        given: impl Fn(usize) -> bool,
        opts: &ParseOptions,
    ) -> Result<Self, ArgErrors> {
        let (spec, cmd) = session_command(manifest, command)?;
        let mut errors = ArgErrors::new();
        let text = read_text(spec, cmd, value, given, opts, &mut errors);
        match text {
            Some(t) if errors.is_empty() => Ok(t),
            _ => Err(errors),
        }
    }

    /// Renders the text of [`TextBinding::Template`] command `command` of session
    /// tool `manifest` from the values of its arguments (`values[i]` is argument
    /// `i`'s argv form), and checks it. Generated code calls it with its typed fields.
    pub fn render(
        manifest: &Manifest,
        command: &str,
        values: &[&dyn std::fmt::Display],
    ) -> Result<Self, ArgError> {
        let (spec, cmd) = session_command(manifest, command)?;
        let TextBinding::Template { pieces, .. } = &cmd.binding else {
            return Err(ArgError::new(
                COMMAND_FIELD,
                Rule::Unsupported,
                format!("session command '{command}' has no template"),
            ));
        };
        let shown: Vec<Option<String>> = values.iter().map(|v| Some(v.to_string())).collect();
        let text = render(spec, cmd, pieces, &shown)?;
        Ok(CommandText {
            command: command.to_owned(),
            text,
            values: Vec::new(),
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.text
    }

    /// The value that the named group `name` of the pattern bound (argument `name`
    /// of a [`TextBinding::Captures`] command), if it matched.
    pub fn value<'a>(&'a self, manifest: &Manifest, name: &str) -> Option<&'a Value> {
        let (_, cmd) = session_command(manifest, &self.command).ok()?;
        value_of(&cmd.args, &self.values, name)
    }

    /// The JSON form (a string).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.text.clone())
    }
}

impl PartialEq for CommandText {
    fn eq(&self, other: &Self) -> bool {
        self.command == other.command && self.text == other.text
    }
}

impl Eq for CommandText {}

impl std::hash::Hash for CommandText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.command.hash(state);
        self.text.hash(state);
    }
}

impl std::fmt::Display for CommandText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Session command `command` of session tool `manifest`.
fn session_command<'m>(
    manifest: &'m Manifest,
    command: &str,
) -> Result<(&'m SessionSpec, &'m SessionCommand), ArgError> {
    let spec = match &manifest.backend {
        Backend::Session(s) => s,
        _ => {
            return Err(ArgError::new(
                COMMAND_FIELD,
                Rule::Unsupported,
                format!("tool '{}' is not a session tool", manifest.tool.name),
            ));
        }
    };
    let Some(cmd) = spec.commands.iter().find(|c| c.name == command) else {
        return Err(ArgError::new(
            COMMAND_FIELD,
            Rule::Unsupported,
            format!(
                "session tool '{}' has no command '{command}'",
                manifest.tool.name
            ),
        ));
    };
    Ok((spec, cmd))
}

/// One call of a `[browser.commands.<name>]` command: its typed arguments.
///
/// Scope checks of navigation targets belong to the browser runtime
/// (`crate::scope`), not here.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowserCommandCall<'s> {
    command: &'s BrowserCommand,
    values: Vec<Option<Value>>,
}

impl<'s> BrowserCommandCall<'s> {
    /// Validates a call of command `command` of `spec`.
    pub fn from_json(
        spec: &'s BrowserSpec,
        command: &str,
        args: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, CommandCallError> {
        let Some(cmd) = spec.commands.iter().find(|c| c.name == command) else {
            return Err(CommandCallError::UnknownCommand {
                command: command.to_owned(),
                declared: spec.commands.iter().map(|c| c.name.to_string()).collect(),
            });
        };
        let obj = field::object(args)?;
        let mut errors = ArgErrors::new();
        let declared: Vec<&str> = cmd.args.iter().map(|a| a.name.as_ref()).collect();
        field::reject_unknown(obj, &declared, &mut errors);
        let values = parse_args(&cmd.args, obj, opts, &mut errors);
        Ok(errors.into_result(BrowserCommandCall {
            command: cmd,
            values,
        })?)
    }

    /// The declared command.
    pub fn command(&self) -> &'s BrowserCommand {
        self.command
    }

    /// The value of the command's argument `name`, if present (or defaulted).
    pub fn value(&self, name: &str) -> Option<&Value> {
        value_of(&self.command.args, &self.values, name)
    }

    /// `{"command": name, "args": {...}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "command": self.command.name.as_ref(),
            "args": args_json(&self.command.args, &self.values),
        })
    }
}

fn value_of<'v>(args: &[Arg], values: &'v [Option<Value>], name: &str) -> Option<&'v Value> {
    let index = args.iter().position(|a| a.name == name)?;
    values.get(index)?.as_ref()
}
