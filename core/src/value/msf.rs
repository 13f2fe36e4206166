//! `msf_options`: Metasploit `KEY VALUE` pairs.

use super::check::{check_edge_whitespace, describe_char, find_injection, json_str, shown};
use super::text::text_backed;
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};

/// An `msf_options` argument: `;`-separated segments, each `KEY VALUE` or
/// `set KEY VALUE` (both forms seen in the wild), e.g.
/// `set RHOSTS 10.0.0.5; set RPORT 445` or `RHOSTS 10.0.0.5;LPORT 4444`.
///
/// Rules: no surrounding whitespace; not empty; spaces around a `;` are allowed, empty
/// segments are not; `KEY` matches `^[A-Z][A-Z0-9_]*$`; the value is non-empty and has
/// no character of the injection set other than the `;` separator.
/// `Display` is the text as given; [`MsfOptions::iter`] gives the pairs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MsfOptions {
    text: String,
    pairs: Vec<(String, String)>,
}

text_backed!(MsfOptions);

impl MsfOptions {
    /// The `(KEY, VALUE)` pairs in order (a `set ` prefix removed).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Always false: an accepted value has at least one pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

fn is_key(k: &str) -> bool {
    let mut b = k.bytes();
    b.next().is_some_and(|c| c.is_ascii_uppercase())
        && b.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

const FORM: &str = "';'-separated 'KEY VALUE' or 'set KEY VALUE' pairs, KEY in [A-Z][A-Z0-9_]*, e.g. 'set RHOSTS 10.0.0.5; set RPORT 445'";

impl ArgValue for MsfOptions {
    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        let bad = |rule: Rule, what: String| {
            ArgError::new(name, rule, format!("argument '{name}' msf_options: {what}"))
                .with_value(input)
                .with_expected(FORM)
        };
        check_edge_whitespace(name, input)?;
        if input.is_empty() {
            return Err(bad(Rule::Empty, "must not be empty".into()));
        }
        let mut pairs = Vec::new();
        for raw in input.split(';') {
            let seg = raw.trim_matches(' ');
            if seg.is_empty() {
                return Err(bad(
                    Rule::MsfOptions,
                    "empty option between ';' separators".into(),
                ));
            }
            let body = seg.strip_prefix("set ").unwrap_or(seg);
            let Some((key, value)) = body.split_once(' ') else {
                return Err(bad(
                    Rule::MsfOptions,
                    format!("invalid pair '{}' (expected 'KEY VALUE')", shown(seg)),
                ));
            };
            if !is_key(key) {
                return Err(bad(
                    Rule::MsfOptions,
                    format!(
                        "invalid key '{}' (must be uppercase alphanumeric)",
                        shown(key)
                    ),
                ));
            }
            if let Some(c) = find_injection(value, true) {
                return Err(bad(
                    Rule::Injection,
                    format!("value contains disallowed character '{}'", describe_char(c)),
                ));
            }
            pairs.push((key.to_string(), value.to_string()));
        }
        // Every character is covered: spaces around separators, the `set ` prefix,
        // a checked key, one space, a checked value.
        Ok(MsfOptions {
            text: input.to_string(),
            pairs,
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "msf_options")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}
