//! Validated argument values: the 15 built-in ToolClad types.
//!
//! Parse, don't validate: every type here can only be constructed through its
//! parser, so holding one means the value passed every rule of its type and is safe
//! to put into an argv element as it is (`Display` gives that exact text).
//!
//! | manifest type | Rust type |
//! |---|---|
//! | `string` | [`Text`] |
//! | `integer` | [`Integer`] |
//! | `number` | [`Number`] |
//! | `port` | [`Port`] |
//! | `boolean` | [`Boolean`] |
//! | `enum` | a generated Rust enum via [`parse_enum`]; [`EnumValue`] on the dynamic path |
//! | `scope_target` | [`ScopeTarget`] |
//! | `url` | [`Url`] |
//! | `path` | [`RelPath`] |
//! | `ip_address` | [`IpAddress`] |
//! | `cidr` | [`Cidr`] |
//! | `msf_options` | [`MsfOptions`] |
//! | `credential_file` | [`CredentialFile`] |
//! | `duration` | [`Duration`] |
//! | `regex_match` | [`RegexMatch`] |
//!
//! [`Value`] holds any of them, chosen by the argument's type at run time.
//! Every parser returns a `Result`; none panics on any input.

mod check;
mod duration;
mod dynamic;
mod enums;
mod error;
mod json_text;
mod msf;
mod net;
mod numeric;
mod path;
mod text;
mod url;

pub use check::{
    REFERENCE_METACHARACTERS, check_edge_whitespace, check_free_text, check_injection,
    check_option_value, check_text, find_injection, is_absent_json, is_injection_char, shown,
};
pub use duration::Duration;
pub use dynamic::Value;
pub use enums::{EnumValue, parse_enum, parse_enum_json};
#[doc(hidden)]
pub use enums::{ManifestEnum, enum_from_str, enum_str};
pub use error::{ArgError, ArgErrors, Rule};
pub use json_text::parse_call_json;
pub use msf::{MSF_DANGEROUS_KEYS, MsfOptions, check_msf_key, msf_dangerous_key};
pub use net::{Cidr, IpAddress, ScopeTarget, TargetKind, check_host_name};
pub use numeric::{Boolean, Integer, NUMBER_MAX_CHARS, Number, Port};
pub use path::{CredentialFile, RelPath};
pub use text::{RegexMatch, Text};
#[doc(hidden)]
pub use url::fast_path_agreement as url_fast_path_agreement;
#[cfg(feature = "load")]
pub(crate) use url::plain_host_str as url_plain_host;
pub use url::{FORBIDDEN_SCHEMES, Url, check_url_authority_value, forbidden_scheme};

use crate::model::Constraints;
use std::path::PathBuf;

/// The argument being validated: its name (for messages) and its constraints.
#[derive(Clone, Copy, Debug)]
pub struct ArgSpec<'a> {
    /// Argument name.
    pub name: &'a str,
    /// Constraints from the manifest.
    pub constraints: &'a Constraints,
}

impl<'a> ArgSpec<'a> {
    /// A spec for `name` with `constraints`.
    pub const fn new(name: &'a str, constraints: &'a Constraints) -> Self {
        ArgSpec { name, constraints }
    }
}

/// Run-time settings that some types need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Base directory for `credential_file` values (default: the current directory).
    pub credential_base: Option<PathBuf>,
}

impl ParseOptions {
    /// The defaults (usable in `static` items).
    pub const DEFAULT: ParseOptions = ParseOptions {
        credential_base: None,
    };
}

/// A validated argument value.
///
/// Implemented by every built-in value type, and by user types that a build maps a
/// manifest type name to (`Builder::extern_type`). Absence (missing, `null`, empty
/// string for optional arguments) is handled by the caller, never here.
pub trait ArgValue: Sized + std::fmt::Display {
    /// Parses text (a CLI `--arg k=v` value, or a JSON string).
    fn parse_str(spec: &ArgSpec<'_>, input: &str, opts: &ParseOptions) -> Result<Self, ArgError>;

    /// Parses the JSON value an LLM sent: strings as text; numbers and booleans where
    /// the type takes them; anything else is a [`Rule::JsonType`] error.
    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError>;

    /// The JSON form (numbers and booleans as JSON scalars, everything else a string).
    fn to_json(&self) -> serde_json::Value;

    /// The argv text (the same as `Display`), borrowed when the value keeps it, so
    /// building an argv need not copy it.
    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Owned(self.to_string())
    }

    /// The value as the dynamic path holds it ([`Value`]), for what reads argument
    /// values by manifest index (the runner's scope gate). Every built-in type gives
    /// its own variant; a user type (`Builder::extern_type`) is its argv text as
    /// [`Value::Text`], so a `scope_check = true` argument of that type is checked by
    /// exactly the text the tool receives.
    fn to_value(&self) -> Value {
        Value::Text(Text::prechecked(&self.to_argv()))
    }
}
