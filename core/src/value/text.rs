//! `string` and `regex_match`: free text.

use super::check::{check_free_text, check_text, json_str};
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};

/// Implements `Display`, `Serialize`, `as_str` and `AsRef<str>` for a type whose argv
/// text is its `text` field.
macro_rules! text_backed {
    ($ty:ty) => {
        impl $ty {
            /// The value exactly as it goes into the argv element.
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.text)
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.text
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.text)
            }
        }
    };
}
pub(crate) use text_backed;

/// A `string` argument: free text without injection characters.
///
/// Surrounding spaces are kept (never trimmed) and allowed; a leading `-` is refused
/// unless `allow_option_values`; when the argument has a `pattern`, the **whole**
/// value must match it. The empty string is accepted when the pattern allows it
/// (whether an empty string counts as absent is the caller's rule).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text {
    text: String,
}

text_backed!(Text);

impl Text {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this.
    #[doc(hidden)]
    pub fn prechecked(text: &str) -> Self {
        Text {
            text: text.to_owned(),
        }
    }

    /// The text, by value.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl ArgValue for Text {
    fn to_value(&self) -> super::Value {
        super::Value::Text(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        check_text(spec, input)?;
        if let Some(p) = &spec.constraints.pattern
            && !p.is_match(input)
        {
            let name = spec.name;
            return Err(ArgError::new(
                name,
                Rule::Pattern,
                format!("argument '{name}' does not match pattern '{}'", p.as_str()),
            )
            .with_value(input)
            .with_expected(format!("text matching the regex {} as a whole", p.as_str())));
        }
        Ok(Text {
            text: input.to_string(),
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "string")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}

/// A `regex_match` argument: free text that matches the argument's required
/// `pattern` as a whole.
///
/// Same rules as `path` and `credential_file` for whitespace, injection characters and
/// a leading `-`. A missing pattern is a manifest error the loader reports; should a
/// spec without one get here, every value is refused (fail closed).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegexMatch {
    text: String,
}

text_backed!(RegexMatch);

impl ArgValue for RegexMatch {
    fn to_value(&self) -> super::Value {
        super::Value::RegexMatch(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        check_free_text(spec, input)?;
        let Some(p) = &spec.constraints.pattern else {
            return Err(ArgError::new(
                name,
                Rule::Pattern,
                format!("argument '{name}' is type 'regex_match' but has no 'pattern' field"),
            )
            .with_value(input));
        };
        if !p.is_match(input) {
            return Err(ArgError::new(
                name,
                Rule::Pattern,
                format!(
                    "argument '{name}' does not match required pattern '{}'",
                    p.as_str()
                ),
            )
            .with_value(input)
            .with_expected(format!("text matching the regex {} as a whole", p.as_str())));
        }
        Ok(RegexMatch {
            text: input.to_string(),
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "regex_match")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}
