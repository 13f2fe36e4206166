//! [`Envelope`]: the evidence envelope of one run, as the tool's `OUTPUT_SCHEMA` says.

use serde_json::{Map, Value};

/// `status` of an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The tool exited 0 and its output parsed and matched `[output.schema]`.
    Success,
    /// It could not start, exited non-zero, was cancelled, or its output did not
    /// parse or match the schema (see `error`).
    Error,
    /// It ran longer than `timeout_seconds` and its process group was killed.
    Timeout,
}

impl Status {
    /// The schema spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Error => "error",
            Status::Timeout => "timeout",
        }
    }
}

/// The evidence envelope: every field of the generated output schema
/// (`cladgen_core::schema::ENVELOPE_FIELDS`).
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// Outcome.
    pub status: Status,
    /// The run's id.
    pub scan_id: String,
    /// Tool name.
    pub tool: String,
    /// What ran, shell-quoted for reading (never run through a shell); secrets redacted.
    pub command: String,
    /// Exit code; `None` when no process ran or a signal ended it.
    pub exit_code: Option<i32>,
    /// Captured stderr (lossy UTF-8, at most the stderr cap).
    pub stderr: String,
    /// Wall-clock time from the start of the run, in milliseconds.
    pub duration_ms: u64,
    /// Start time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// The evidence file holding the raw stdout; `None` when none was written.
    pub output_file: Option<String>,
    /// `sha256:<hex>` of exactly the bytes in `output_file`.
    pub output_hash: Option<String>,
    /// Parsed output, matching `[output.schema]`; `None` unless the status is success.
    pub results: Option<Value>,
    /// Why the run failed; `None` on success.
    pub error: Option<String>,
    /// Bytes the tool wrote to stdout.
    pub stdout_bytes: u64,
    /// Whether stdout was longer than the output cap (only that much was parsed).
    pub stdout_truncated: bool,
    /// Bytes the tool wrote to stderr.
    pub stderr_bytes: u64,
    /// Whether stderr was longer than the stderr cap.
    pub stderr_truncated: bool,
    /// Whether `output_file` holds less than all of stdout (the evidence cap).
    pub output_file_truncated: bool,
}

impl Envelope {
    /// The JSON object, keys in schema order.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        m.insert("status".into(), self.status.as_str().into());
        m.insert("scan_id".into(), self.scan_id.clone().into());
        m.insert("tool".into(), self.tool.clone().into());
        m.insert("command".into(), self.command.clone().into());
        m.insert(
            "exit_code".into(),
            self.exit_code.map_or(Value::Null, Value::from),
        );
        m.insert("stderr".into(), self.stderr.clone().into());
        m.insert("duration_ms".into(), self.duration_ms.into());
        m.insert("timestamp".into(), self.timestamp.clone().into());
        m.insert("output_file".into(), opt(&self.output_file));
        m.insert("output_hash".into(), opt(&self.output_hash));
        m.insert(
            "results".into(),
            self.results.clone().unwrap_or(Value::Null),
        );
        m.insert("error".into(), opt(&self.error));
        m.insert("stdout_bytes".into(), self.stdout_bytes.into());
        m.insert("stdout_truncated".into(), self.stdout_truncated.into());
        m.insert("stderr_bytes".into(), self.stderr_bytes.into());
        m.insert("stderr_truncated".into(), self.stderr_truncated.into());
        m.insert(
            "output_file_truncated".into(),
            self.output_file_truncated.into(),
        );
        Value::Object(m)
    }

    /// Whether the status is success.
    pub fn is_success(&self) -> bool {
        self.status == Status::Success
    }
}
