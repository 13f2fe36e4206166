//! Calls of session and browser commands: one declared command, its typed
//! arguments, and (for a session) the command text checked against its pattern.

use super::call::{args_json, parse_args};
use crate::field;
use crate::model::{
    Arg, Backend, BrowserCommand, BrowserSpec, Manifest, SessionCommand, SessionSpec,
};
use crate::value::{ArgError, ArgErrors, ParseOptions, Rule, Value, check_injection, shown};

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
/// The call is a JSON object with the command text under `"command"` and the
/// command's declared arguments beside it. The text must be a non-empty string
/// without any character of the injection set (no line break can smuggle a second
/// command into the session) or of `[session.interaction] input_sanitize`, and must
/// match the command's pattern as a whole ([`Rule::CommandPattern`]).
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
        let mut declared: Vec<&str> = vec![COMMAND_FIELD];
        declared.extend(
            cmd.args
                .iter()
                .map(|a| a.name.as_ref())
                .filter(|n| *n != COMMAND_FIELD),
        );
        field::reject_unknown(obj, &declared, &mut errors);
        let text = errors.collect(command_text(spec, cmd, obj));
        let values = parse_args(&cmd.args, obj, opts, &mut errors);
        let call = text.map(|text| SessionCommandCall {
            command: cmd,
            text,
            values,
        });
        match (errors.is_empty(), call) {
            (true, Some(call)) => Ok(call),
            _ => Err(errors.into()),
        }
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

    /// `{"command": name, "text": ..., "args": {...}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "command": self.command.name.as_ref(),
            "text": self.text,
            "args": args_json(&self.command.args, &self.values),
        })
    }
}

fn command_text(
    spec: &SessionSpec,
    cmd: &SessionCommand,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Result<String, ArgError> {
    check_command_text(spec, cmd, field::present(obj, COMMAND_FIELD, true))
        .map(CommandText::into_string)
}

/// Checks the text of a call of session command `cmd`: present, a non-empty JSON
/// string, free of the injection set and of `input_sanitize`, matching the command's
/// pattern as a whole.
fn check_command_text(
    spec: &SessionSpec,
    cmd: &SessionCommand,
    value: Option<&serde_json::Value>,
) -> Result<CommandText, ArgError> {
    let name = COMMAND_FIELD;
    let text = match value {
        None => return Err(ArgError::missing(name)),
        Some(serde_json::Value::String(s)) => s,
        Some(other) => {
            return Err(ArgError::new(
                name,
                Rule::JsonType,
                format!(
                    "argument '{name}' must be a string (the session command text), got {}",
                    field::json_kind(other)
                ),
            ));
        }
    };
    if text.is_empty() {
        return Err(ArgError::new(
            name,
            Rule::Empty,
            format!("argument '{name}' (the session command text) must not be empty"),
        ));
    }
    check_injection(name, text)?;
    for extra in spec.interaction.input_sanitize.iter() {
        if let Some(c) = extra.chars().find(|c| text.contains(*c)) {
            return Err(ArgError::new(
                name,
                Rule::Injection,
                format!(
                    "argument '{name}' contains '{}', which this session refuses (input_sanitize)",
                    shown(&c.to_string())
                ),
            )
            .with_value(text.as_str()));
        }
    }
    if !cmd.pattern.is_match(text) {
        return Err(ArgError::new(
            name,
            Rule::CommandPattern,
            format!(
                "command '{}' text '{}' does not match the pattern '{}' as a whole",
                cmd.name,
                shown(text),
                cmd.pattern.as_str()
            ),
        )
        .with_value(text.as_str())
        .with_expected(format!("text matching ^(?:{})$", cmd.pattern.as_str())));
    }
    Ok(CommandText(text.clone()))
}

/// The validated text of a session command call (what is written to the session,
/// without a line terminator). Generated session command types hold one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommandText(String);

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
    /// of session tool `manifest`.
    pub fn from_json(
        manifest: &Manifest,
        command: &str,
        value: Option<&serde_json::Value>,
    ) -> Result<Self, ArgError> {
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
        check_command_text(spec, cmd, value)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The JSON form (a string).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.clone())
    }
}

impl std::fmt::Display for CommandText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
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
