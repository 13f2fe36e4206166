//! Tool definitions per flavour, tool names, annotations and the output schema.

use super::ecma::portable_pattern;
use super::property::describe;
use super::{Flavor, SchemaError, input_schema, object_schema};
use crate::model::{Backend, BrowserCommand, Manifest, RiskTier, SessionCommand, TextBinding};
use serde_json::{Map, Value, json};

/// The `status` values of the evidence envelope, in the order the schema lists them.
pub const ENVELOPE_STATUSES: [&str; 3] = ["success", "error", "timeout"];

/// The evidence envelope's fields, in schema order. Every one is required; the ones a
/// run may not have (`exit_code` without a process, `output_file` when nothing was
/// written, `output_hash` without capture, `results` after a failure, `error` after a success) are `null`.
/// The last five say how much output there was and what was cut at the runner's caps.
pub const ENVELOPE_FIELDS: [&str; 17] = [
    "status",
    "scan_id",
    "tool",
    "command",
    "exit_code",
    "stderr",
    "duration_ms",
    "timestamp",
    "output_file",
    "output_hash",
    "results",
    "error",
    "stdout_bytes",
    "stdout_truncated",
    "stderr_bytes",
    "stderr_truncated",
    "output_file_truncated",
];

/// The envelope field a session tool adds after [`ENVELOPE_FIELDS`]: which session,
/// which interaction, the prompt seen and the session's state.
pub const SESSION_FIELD: &str = "session";

/// The fields of the envelope's `session` object, in schema order (all required).
pub const SESSION_ENVELOPE_FIELDS: [&str; 9] = [
    "id",
    "command",
    "interaction",
    "max_interactions",
    "prompt",
    "output",
    "output_bytes",
    "state",
    "closed_reason",
];

/// The schema of the envelope's `session` object (see [`SESSION_ENVELOPE_FIELDS`]).
fn session_property() -> Value {
    let field = |ty: Value, description: &str| json!({ "type": ty, "description": description });
    let count =
        |description: &str| json!({ "type": "integer", "minimum": 0, "description": description });
    let mut p = Map::new();
    p.insert(
        "id".into(),
        field(
            json!("string"),
            "The session this command ran in (also the scan_id).",
        ),
    );
    p.insert(
        "command".into(),
        field(json!("string"), "The session command called."),
    );
    p.insert(
        "interaction".into(),
        count("Number of this command in the session (1 for the first); 0 when none was sent."),
    );
    p.insert(
        "max_interactions".into(),
        count("Commands one session accepts (max_interactions); then it is closed."),
    );
    p.insert(
        "prompt".into(),
        field(
            json!(["string", "null"]),
            "The prompt that ended the answer; null when it did not come back.",
        ),
    );
    p.insert(
        "output".into(),
        field(
            json!(["string", "null"]),
            "The program's answer (escape sequences and the echo of the command removed) when results is null; null when results holds it.",
        ),
    );
    p.insert(
        "output_bytes".into(),
        count("Bytes of the answer after cleaning; more than kept when stdout_truncated (output_max_bytes)."),
    );
    p.insert(
        "state".into(),
        json!({
            "type": "string",
            "enum": ["open", "closed"],
            "description": "open: the next command goes to the same program; closed: it ended (see closed_reason) and the next call starts no command in it."
        }),
    );
    p.insert(
        "closed_reason".into(),
        field(
            json!(["string", "null"]),
            "Why the session was closed (a limit, a timeout, the program's exit); null while open.",
        ),
    );
    json!({
        "type": "object",
        "properties": Value::Object(p),
        "required": SESSION_ENVELOPE_FIELDS,
        "description": "The interactive session behind this command."
    })
}

/// The name of the tool exposed for command `command` of a session or browser tool.
const SEPARATOR: &str = "__";

/// One tool as an LLM sees it: the whole manifest, or one session/browser command.
#[derive(Clone, Debug, PartialEq)]
pub struct ExposedTool<'m> {
    /// The name the LLM calls (`<tool>` or `<tool>__<command>`), already checked
    /// against `^[a-zA-Z0-9_-]{1,64}$`.
    pub name: String,
    /// The description shown to the LLM.
    pub description: &'m str,
    /// The higher of the tool's and the command's risk tier.
    pub risk_tier: RiskTier,
    /// Whether the tool or the command asks for human approval.
    pub human_approval: bool,
    /// What the tool runs.
    pub source: ToolSource<'m>,
}

/// What an [`ExposedTool`] stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToolSource<'m> {
    /// The manifest itself (oneshot backends, `[source]`, callback dispatch).
    Manifest,
    /// One `[session.commands.<name>]`.
    SessionCommand(&'m SessionCommand),
    /// One `[browser.commands.<name>]`.
    BrowserCommand(&'m BrowserCommand),
}

/// Whether `name` is accepted as a tool name by MCP clients, OpenAI and Anthropic:
/// `^[a-zA-Z0-9_-]{1,64}$`.
pub fn is_valid_tool_name(name: &str) -> bool {
    tool_name_problem(name).is_none()
}

fn tool_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 64 {
        Some("it is longer than 64 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Some("it contains a character other than ASCII letters, digits, '_' and '-'")
    } else {
        None
    }
}

fn checked_name(name: String) -> Result<String, SchemaError> {
    match tool_name_problem(&name) {
        None => Ok(name),
        Some(why) => Err(SchemaError::ToolName { name, why }),
    }
}

/// `<tool>__<command>`, the name of the tool exposed for one session or browser
/// command; an error when it would not be a valid tool name (longer than 64
/// characters: tool and command names are each up to 64).
pub fn command_tool_name(tool: &str, command: &str) -> Result<String, SchemaError> {
    checked_name(format!("{tool}{SEPARATOR}{command}"))
}

/// The tools a manifest exposes: one for a oneshot/`[source]`/callback manifest, one per
/// command (in declaration order) for session and browser manifests.
pub fn exposed_tools(m: &Manifest) -> Result<Vec<ExposedTool<'_>>, SchemaError> {
    let tool = &m.tool;
    match &m.backend {
        Backend::Session(spec) => spec
            .commands
            .iter()
            .map(|cmd| {
                if cmd.args.iter().any(|a| a.name == "command") {
                    return Err(SchemaError::ReservedArgument {
                        tool: tool.name.to_string(),
                        command: cmd.name.to_string(),
                    });
                }
                Ok(ExposedTool {
                    name: command_tool_name(&tool.name, &cmd.name)?,
                    description: &cmd.description,
                    risk_tier: tool.risk_tier.max(cmd.risk_tier),
                    human_approval: tool.human_approval || cmd.human_approval,
                    source: ToolSource::SessionCommand(cmd),
                })
            })
            .collect(),
        Backend::Browser(spec) => spec
            .commands
            .iter()
            .map(|cmd| {
                Ok(ExposedTool {
                    name: command_tool_name(&tool.name, &cmd.name)?,
                    description: &cmd.description,
                    risk_tier: tool.risk_tier.max(cmd.risk_tier),
                    human_approval: tool.human_approval || cmd.human_approval,
                    source: ToolSource::BrowserCommand(cmd),
                })
            })
            .collect(),
        Backend::Command(_)
        | Backend::Http(_)
        | Backend::Mcp(_)
        | Backend::Source(_)
        | Backend::Callback => Ok(vec![ExposedTool {
            name: checked_name(tool.name.to_string())?,
            description: &tool.description,
            risk_tier: tool.risk_tier,
            human_approval: tool.human_approval,
            source: ToolSource::Manifest,
        }]),
    }
}

impl ExposedTool<'_> {
    /// The input schema of this tool for `flavor`.
    ///
    /// A session command with a `template` takes its typed arguments (the text is
    /// rendered from them); any other takes only the command text, as the required
    /// string property `command` whose `pattern` is the command's (when it has a
    /// portable spelling; otherwise the regex is quoted in the description), and its
    /// named groups name the arguments they bind.
    pub fn input_schema(&self, m: &Manifest, flavor: Flavor) -> Value {
        match self.source {
            ToolSource::Manifest => input_schema(&m.args, flavor),
            ToolSource::BrowserCommand(cmd) => input_schema(&cmd.args, flavor),
            // The text and the arguments are one thing: a templated command takes
            // the typed arguments (its text is rendered), any other takes the text
            // (named groups of the pattern carry its arguments).
            ToolSource::SessionCommand(cmd) => match &cmd.binding {
                TextBinding::Template { .. } => input_schema(&cmd.args, flavor),
                TextBinding::Free | TextBinding::Captures => {
                    let text = session_text_property(cmd);
                    object_schema(std::iter::once(("command".to_owned(), text, true)), flavor)
                }
            },
        }
    }
}

fn session_text_property(cmd: &SessionCommand) -> Value {
    let source = cmd.pattern.as_str();
    let mut s = Map::new();
    s.insert("type".into(), "string".into());
    let mut notes = Vec::new();
    match portable_pattern(source) {
        Some(p) => {
            s.insert("pattern".into(), Value::String(p));
        }
        None => notes.push(format!(
            "It must match the regular expression `{source}` as a whole."
        )),
    }
    if !cmd.args.is_empty() {
        let names: Vec<String> = cmd.args.iter().map(|a| format!("`{}`", a.name)).collect();
        notes.push(format!(
            "Its named groups carry the arguments {}, each checked by its type.",
            names.join(", ")
        ));
        for a in cmd.args.iter().filter(|a| !a.description.is_empty()) {
            notes.push(format!("{}: {}", a.name, a.description));
        }
    }
    let lead = "The command line to send to the session.";
    if let Some(text) = describe(lead, &notes) {
        s.insert("description".into(), Value::String(text));
    }
    Value::Object(s)
}

/// The output schema of a manifest: the evidence envelope around `[output.schema]`
/// when `envelope = true`, `[output.schema]` itself when `envelope = false`, `None`
/// without `[output]`.
///
/// Envelope keys: `type`, `properties` (in [`ENVELOPE_FIELDS`] order), `required` (all
/// of them). Extra keys are not forbidden, so a runtime may add diagnostics.
pub fn output_schema(m: &Manifest) -> Result<Option<Value>, SchemaError> {
    let Some(out) = &m.output else {
        return Ok(None);
    };
    let results: Value =
        serde_json::from_str(&out.schema_json).map_err(|e| SchemaError::OutputSchema {
            tool: m.tool.name.to_string(),
            message: e.to_string(),
        })?;
    if !out.envelope {
        return Ok(Some(results));
    }
    let mut props = Map::new();
    let field = |ty: Value, description: &str| json!({ "type": ty, "description": description });
    props.insert(
        "status".into(),
        json!({
            "type": "string",
            "enum": ENVELOPE_STATUSES,
            "description": "Outcome of the run: success, error (the tool failed or could not start) or timeout (killed after timeout_seconds)."
        }),
    );
    props.insert(
        "scan_id".into(),
        field(json!("string"), "Identifier of this run."),
    );
    props.insert("tool".into(), field(json!("string"), "Tool name."));
    props.insert(
        "command".into(),
        field(
            json!("string"),
            "What ran: the command line, request or upstream call.",
        ),
    );
    props.insert(
        "exit_code".into(),
        field(
            json!(["integer", "null"]),
            "Process exit code; null when no process ran or it was killed by a signal.",
        ),
    );
    props.insert(
        "stderr".into(),
        field(
            json!("string"),
            "Captured standard error (possibly truncated).",
        ),
    );
    props.insert(
        "duration_ms".into(),
        json!({ "type": "integer", "minimum": 0, "description": "Wall-clock duration in milliseconds." }),
    );
    props.insert(
        "timestamp".into(),
        json!({ "type": "string", "format": "date-time", "description": "Start time (RFC 3339)." }),
    );
    props.insert(
        "output_file".into(),
        field(
            json!(["string", "null"]),
            "Evidence file holding the raw output; null when none was written.",
        ),
    );
    props.insert(
        "output_hash".into(),
        field(
            json!(["string", "null"]),
            "sha256:<hex> of the raw output; null when evidence capture is off.",
        ),
    );
    props.insert(
        "results".into(),
        json!({
            "anyOf": [results, { "type": "null" }],
            "description": "Parsed output ([output.schema]); null when the run failed."
        }),
    );
    props.insert(
        "error".into(),
        field(
            json!(["string", "null"]),
            "Why the run failed (cannot start, exit code, timeout, output that does not parse or match the schema); null on success.",
        ),
    );
    let count =
        |description: &str| json!({ "type": "integer", "minimum": 0, "description": description });
    props.insert(
        "stdout_bytes".into(),
        count("Bytes the tool wrote to standard output."),
    );
    props.insert(
        "stdout_truncated".into(),
        field(
            json!("boolean"),
            "Whether standard output was longer than the runner keeps in memory (only that much was parsed).",
        ),
    );
    props.insert(
        "stderr_bytes".into(),
        count("Bytes the tool wrote to standard error."),
    );
    props.insert(
        "stderr_truncated".into(),
        field(json!("boolean"), "Whether stderr above is cut short."),
    );
    props.insert(
        "output_file_truncated".into(),
        field(
            json!("boolean"),
            "Whether output_file holds less than all of standard output (the evidence cap).",
        ),
    );
    let mut required: Vec<Value> = ENVELOPE_FIELDS.iter().map(|f| json!(f)).collect();
    if matches!(m.backend, Backend::Session(_)) {
        props.insert(SESSION_FIELD.into(), session_property());
        required.push(json!(SESSION_FIELD));
    }
    let mut root = Map::new();
    root.insert("type".into(), "object".into());
    root.insert("properties".into(), Value::Object(props));
    root.insert("required".into(), Value::Array(required));
    Ok(Some(Value::Object(root)))
}

/// MCP annotations derived from the manifest: only what the manifest really says.
///
/// `destructiveHint: true` when the risk tier is `high` or `critical` or a human must
/// approve each call. Nothing else is derived: no manifest field states that a tool
/// leaves its environment unchanged (`readOnlyHint`), is idempotent, or stays inside
/// a closed world, and a wrong `true` there would let a client skip a confirmation.
/// The MCP defaults (not read-only, destructive, not idempotent, open world) are the
/// cautious ones. `None` when there is nothing to say.
fn annotations(tool: &ExposedTool<'_>) -> Option<Value> {
    let risky = tool.risk_tier >= RiskTier::High || tool.human_approval;
    risky.then(|| json!({ "destructiveHint": true }))
}

/// The definition of one exposed tool for `flavor`.
///
/// * MCP: `{name, description, inputSchema, outputSchema, annotations}`;
///   `outputSchema` only for the manifest tool (not per command) and only when its
///   root is `"type": "object"`, as MCP requires; `annotations` only when derived.
/// * OpenAI: `{type: "function", function: {name, description, parameters, strict:
///   true}}` (Chat Completions shape).
/// * Anthropic: `{name, description, input_schema}`.
///
/// `description` is left out when empty.
pub fn tool_definition(
    m: &Manifest,
    tool: &ExposedTool<'_>,
    flavor: Flavor,
) -> Result<Value, SchemaError> {
    let input = tool.input_schema(m, flavor);
    let mut def = Map::new();
    match flavor {
        Flavor::Mcp => {
            def.insert("name".into(), Value::String(tool.name.clone()));
            insert_description(&mut def, tool.description);
            def.insert("inputSchema".into(), input);
            if tool.source == ToolSource::Manifest
                && let Some(out) = output_schema(m)?
                && out.get("type").and_then(Value::as_str) == Some("object")
            {
                def.insert("outputSchema".into(), out);
            }
            if let Some(a) = annotations(tool) {
                def.insert("annotations".into(), a);
            }
        }
        Flavor::OpenAiStrict => {
            let mut function = Map::new();
            function.insert("name".into(), Value::String(tool.name.clone()));
            insert_description(&mut function, tool.description);
            function.insert("parameters".into(), input);
            function.insert("strict".into(), Value::Bool(true));
            def.insert("type".into(), "function".into());
            def.insert("function".into(), Value::Object(function));
        }
        Flavor::Anthropic => {
            def.insert("name".into(), Value::String(tool.name.clone()));
            insert_description(&mut def, tool.description);
            def.insert("input_schema".into(), input);
        }
    }
    Ok(Value::Object(def))
}

fn insert_description(def: &mut Map<String, Value>, description: &str) {
    if !description.is_empty() {
        def.insert("description".into(), Value::String(description.to_owned()));
    }
}

/// Every tool definition of a manifest for `flavor`, in [`exposed_tools`] order.
pub fn tool_definitions(m: &Manifest, flavor: Flavor) -> Result<Vec<Value>, SchemaError> {
    exposed_tools(m)?
        .iter()
        .map(|t| tool_definition(m, t, flavor))
        .collect()
}
