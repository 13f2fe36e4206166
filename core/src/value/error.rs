//! Argument errors: one structured error per bad argument, collected per call.

use std::fmt;

/// The rule an argument value broke. `as_str` is the stable, kebab-case name used in
/// JSON error reports (`{"arg": ..., "rule": ..., "message": ...}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A required argument is absent (missing, `null`, or empty).
    Missing,
    /// The call supplied an argument the tool does not declare.
    UnknownArgument,
    /// The JSON value has a type the argument cannot take (array, object, ...).
    JsonType,
    /// The value is empty where the type needs text.
    Empty,
    /// Leading or trailing whitespace on a type other than `string`.
    Whitespace,
    /// A character of the injection set (shell metacharacters, controls, bidi).
    Injection,
    /// A free-text value starting with `-` without `allow_option_values`.
    OptionLike,
    /// The value does not match the argument's `pattern` as a whole.
    Pattern,
    /// Not a canonical decimal integer in range of i64.
    Integer,
    /// Not a finite number.
    Number,
    /// Below `min` / `min_float`.
    BelowMin,
    /// Above `max` / `max_float`.
    AboveMax,
    /// Not a port number in 1-65535.
    Port,
    /// Not exactly `true` or `false`.
    Boolean,
    /// Not one of the enum's allowed values.
    NotAllowed,
    /// Not a valid scope target (one of the reference's fences; see the message).
    ScopeTarget,
    /// Not a valid URL, or a URL with userinfo or without a host.
    Url,
    /// URL scheme not in `schemes`.
    Scheme,
    /// An absolute path where a relative one is required.
    AbsolutePath,
    /// A `..` component or a leading `~`.
    PathTraversal,
    /// Not a valid IPv4 or IPv6 address.
    IpAddress,
    /// Not a valid CIDR network.
    Cidr,
    /// Not valid Metasploit options.
    MsfOptions,
    /// Credential file missing, not a regular file, or unreadable.
    CredentialFile,
    /// Not a valid duration.
    Duration,
    /// Outside the project scope (`scope_check`).
    OutOfScope,
    /// Session command text does not match its anchored pattern.
    CommandPattern,
    /// A value bound into session command text that is not one token (empty, or
    /// with whitespace, a quote or a backslash).
    CommandToken,
    /// An argument that a named group of the command's pattern binds, also given as
    /// a field of its own (the command text is its only source).
    BoundByText,
    /// The dynamic path cannot validate a user (`extern`) type.
    Unsupported,
    /// The call's JSON text gives a key twice in one object, or is not JSON.
    DuplicateKey,
}

impl Rule {
    /// Stable kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::Missing => "missing",
            Rule::UnknownArgument => "unknown-argument",
            Rule::JsonType => "json-type",
            Rule::Empty => "empty",
            Rule::Whitespace => "whitespace",
            Rule::Injection => "injection",
            Rule::OptionLike => "option-like",
            Rule::Pattern => "pattern",
            Rule::Integer => "integer",
            Rule::Number => "number",
            Rule::BelowMin => "below-min",
            Rule::AboveMax => "above-max",
            Rule::Port => "port",
            Rule::Boolean => "boolean",
            Rule::NotAllowed => "not-allowed",
            Rule::ScopeTarget => "scope-target",
            Rule::Url => "url",
            Rule::Scheme => "scheme",
            Rule::AbsolutePath => "absolute-path",
            Rule::PathTraversal => "path-traversal",
            Rule::IpAddress => "ip-address",
            Rule::Cidr => "cidr",
            Rule::MsfOptions => "msf-options",
            Rule::CredentialFile => "credential-file",
            Rule::Duration => "duration",
            Rule::OutOfScope => "out-of-scope",
            Rule::CommandPattern => "command-pattern",
            Rule::CommandToken => "command-token",
            Rule::BoundByText => "bound-by-text",
            Rule::Unsupported => "unsupported",
            Rule::DuplicateKey => "duplicate-key",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invalid argument.
///
/// `Display` is the sentence a person reads (`argument 'port' value 70000 ...`);
/// [`ArgError::for_llm`] is a compact line meant for a model to correct its call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ArgError {
    /// Argument name.
    pub arg: String,
    /// The rule that failed.
    pub rule: Rule,
    /// The offending value, as received (`None` when absent).
    pub value: Option<String>,
    /// What would have been accepted (allowed values, expected form), if known.
    pub expected: Option<String>,
    /// The full human-readable message (names the argument and the rule).
    pub message: String,
}

impl ArgError {
    /// An error with a message and no value or expectation.
    pub fn new(arg: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        ArgError {
            arg: arg.into(),
            rule,
            value: None,
            expected: None,
            message: message.into(),
        }
    }

    /// Attaches the offending value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Attaches the expected form or the allowed values.
    #[must_use]
    pub fn with_expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// A required argument is absent.
    pub fn missing(arg: &str) -> Self {
        ArgError::new(
            arg,
            Rule::Missing,
            format!("missing required argument '{arg}'"),
        )
    }

    /// The call names an argument the tool does not declare. The key is the
    /// caller's text: it is escaped and cut (as values are, see
    /// [`crate::value::shown`]) in the error's `arg` and message, so it cannot forge
    /// or flood them.
    pub fn unknown(arg: &str, declared: &[&str]) -> Self {
        let arg = super::check::shown(arg);
        ArgError::new(
            &arg,
            Rule::UnknownArgument,
            format!(
                "unknown argument '{arg}'; declared arguments are: {}",
                declared.join(", ")
            ),
        )
        .with_expected(declared.join(", "))
    }

    /// One compact line for an LLM: `arg: rule (value "v"); expected: e. message`.
    pub fn for_llm(&self) -> String {
        let mut out = format!("{}: {}", self.arg, self.rule);
        if let Some(v) = &self.value {
            out.push_str(&format!(" (got {})", serde_json::Value::String(v.clone())));
        }
        if let Some(e) = &self.expected {
            out.push_str(&format!("; expected {e}"));
        }
        out.push_str(&format!(". {}", self.message));
        out
    }

    /// `{"arg": ..., "rule": ..., "message": ..., "value"?: ..., "expected"?: ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("arg".into(), self.arg.clone().into());
        m.insert("rule".into(), self.rule.as_str().into());
        m.insert("message".into(), self.message.clone().into());
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone().into());
        }
        if let Some(e) = &self.expected {
            m.insert("expected".into(), e.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// Every invalid argument of one call, in argument order.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct ArgErrors {
    errors: Vec<ArgError>,
}

impl ArgErrors {
    /// No errors yet.
    pub const fn new() -> Self {
        ArgErrors { errors: Vec::new() }
    }

    /// Adds one error.
    pub fn push(&mut self, e: ArgError) {
        self.errors.push(e);
    }

    /// Records the error of `r`, returning its value if it was `Ok`.
    pub fn collect<T>(&mut self, r: Result<T, ArgError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// The errors, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ArgError> {
        self.errors.iter()
    }

    /// The errors as a slice.
    pub fn as_slice(&self) -> &[ArgError] {
        &self.errors
    }

    /// `Ok(value)` when there are no errors, else `Err(self)`.
    pub fn into_result<T>(self, value: T) -> Result<T, ArgErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// One line per error, for an LLM.
    pub fn for_llm(&self) -> String {
        let mut out =
            String::from("The tool call has invalid arguments; fix all of them and call again:");
        for e in &self.errors {
            out.push_str("\n- ");
            out.push_str(&e.for_llm());
        }
        out
    }

    /// `{"errors": [...]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "errors": self.errors.iter().map(ArgError::to_json).collect::<Vec<_>>() })
    }
}

impl From<ArgError> for ArgErrors {
    fn from(e: ArgError) -> Self {
        ArgErrors { errors: vec![e] }
    }
}

impl IntoIterator for ArgErrors {
    type Item = ArgError;
    type IntoIter = std::vec::IntoIter<ArgError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ArgErrors {
    type Item = &'a ArgError;
    type IntoIter = std::slice::Iter<'a, ArgError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl fmt::Display for ArgErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            0 => f.write_str("no argument errors"),
            1 => write!(f, "{}", self.errors[0]),
            n => {
                write!(f, "{n} invalid arguments:")?;
                for e in &self.errors {
                    write!(f, "\n  - {e}")?;
                }
                Ok(())
            }
        }
    }
}
