//! JSON schemas for LLM tool definitions (MCP, OpenAI strict, Anthropic).
//!
//! Pure functions over a checked [`Manifest`](crate::model::Manifest): they allocate `serde_json` values and
//! never look at anything else, so the code generator can run them at build time and
//! embed the JSON text as constants, and the dynamic path (CLI, `invoke`) gets the same
//! JSON at run time.
//!
//! The rules (per type, per flavour, and what JSON Schema cannot say) are in
//! `docs/schemas.md`. In short:
//! * the root is `{"type": "object", "properties", "required", "additionalProperties":
//!   false}`, properties in argument order, no `$ref`;
//! * each argument gets the JSON type of its canonical form and the constraints that
//!   mean exactly what the validator checks (or less, never more);
//! * OpenAI strict mode lists every property in `required`, makes optional ones
//!   nullable (`null` means absent, which the validator already accepts), and drops
//!   `format` and `default`;
//! * session and browser manifests yield one tool per command, `<tool>__<command>`.
//!
//! Object keys are inserted in a fixed order. Without serde_json's `preserve_order`
//! feature a `Map` sorts its keys, so the text is deterministic either way.

mod ecma;
mod property;
mod tool;

pub use ecma::portable_pattern;
pub use property::property_schema;
pub use tool::{
    ENVELOPE_FIELDS, ENVELOPE_STATUSES, ExposedTool, SESSION_ENVELOPE_FIELDS, SESSION_FIELD,
    ToolSource, command_tool_name, exposed_tools, is_valid_tool_name, output_schema,
    tool_definition, tool_definitions,
};

use crate::model::Arg;
use serde_json::{Map, Value};

/// The provider a tool definition is shaped for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// MCP `tools/list` entries: `{name, description, inputSchema, outputSchema,
    /// annotations}` (the default).
    Mcp,
    /// OpenAI Chat Completions function tools with `strict: true`.
    OpenAiStrict,
    /// Anthropic Messages API tools: `{name, description, input_schema}`.
    Anthropic,
}

impl Flavor {
    /// Every flavour.
    pub const ALL: [Flavor; 3] = [Flavor::Mcp, Flavor::OpenAiStrict, Flavor::Anthropic];

    /// The command-line spelling: `mcp`, `openai`, `anthropic`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Flavor::Mcp => "mcp",
            Flavor::OpenAiStrict => "openai",
            Flavor::Anthropic => "anthropic",
        }
    }

    /// Parses the command-line spelling (exact, lower case).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Flavor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a manifest's tool definitions cannot be generated.
///
/// The loader is expected to report these at build time; the generator still checks,
/// so that it never emits a definition a provider would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The exposed tool name does not match `^[a-zA-Z0-9_-]{1,64}$`.
    #[error(
        "tool name '{name}' is not accepted by LLM providers: {why} (names must match ^[a-zA-Z0-9_-]{{1,64}}$)"
    )]
    ToolName {
        /// The offending name.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A session command declares an argument named `command`, the property that
    /// carries the command text.
    #[error(
        "tool '{tool}': session command '{command}' declares an argument named 'command', which its schema uses for the command text"
    )]
    ReservedArgument {
        /// Tool name.
        tool: String,
        /// Session command name.
        command: String,
    },
    /// `[output.schema]` is not valid JSON (it cannot be, for a loaded manifest).
    #[error("tool '{tool}': [output.schema] is not valid JSON: {message}")]
    OutputSchema {
        /// Tool name.
        tool: String,
        /// The JSON parser's message.
        message: String,
    },
}

/// The input schema for `args` (already in position order): an object with one
/// property per argument, `required` in argument order, `additionalProperties: false`.
///
/// Keys: `type`, `properties`, `required`, `additionalProperties`. In OpenAI strict
/// mode `required` names every property.
pub fn input_schema(args: &[Arg], flavor: Flavor) -> Value {
    object_schema(
        args.iter()
            .map(|a| (a.name.to_string(), property_schema(a, flavor), a.required)),
        flavor,
    )
}

/// The root object schema from `(name, schema, required)` triples in order.
pub(crate) fn object_schema(
    props: impl IntoIterator<Item = (String, Value, bool)>,
    flavor: Flavor,
) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema, is_required) in props {
        if is_required || flavor == Flavor::OpenAiStrict {
            required.push(Value::String(name.clone()));
        }
        properties.insert(name, schema);
    }
    let mut root = Map::new();
    root.insert("type".into(), "object".into());
    root.insert("properties".into(), Value::Object(properties));
    root.insert("required".into(), Value::Array(required));
    root.insert("additionalProperties".into(), Value::Bool(false));
    Value::Object(root)
}
