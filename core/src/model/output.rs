//! `[output]`.

use super::Str;

/// `[output]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Output format.
    pub format: OutputFormat,
    /// Parser (`builtin:<format>` when not given).
    pub parser: Parser,
    /// Whether results are wrapped in the evidence envelope (default true).
    pub envelope: bool,
    /// `[output.schema]` as compact JSON text (`{"type":"object"}` when absent).
    pub schema_json: Str,
}

/// `output.format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// `text`
    Text,
    /// `json`
    Json,
    /// `jsonl`
    Jsonl,
    /// `csv`
    Csv,
    /// `xml`
    Xml,
}

impl OutputFormat {
    /// Every format.
    pub const ALL: [OutputFormat; 5] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Jsonl,
        OutputFormat::Csv,
        OutputFormat::Xml,
    ];

    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Csv => "csv",
            OutputFormat::Xml => "xml",
        }
    }

    /// Parses the manifest spelling.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// `output.parser`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parser {
    /// `builtin:<format>`.
    Builtin(OutputFormat),
    /// `custom:<path>`: run by the host only when it allows that path.
    Custom(Str),
}
