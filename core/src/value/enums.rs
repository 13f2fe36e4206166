//! `enum`: the shared machinery. Generated code defines one Rust enum per argument and
//! maps the index [`parse_enum`] returns to its variant.

use super::check::{check_edge_whitespace, json_str, shown};
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use crate::model::Str;
use std::fmt;

/// The index in `allowed` of `input`: exact, case-sensitive membership.
///
/// The error ([`Rule::NotAllowed`], or [`Rule::Whitespace`] when only surrounding
/// whitespace stands between the value and an allowed one) lists the allowed values in
/// `expected`; its message is the reference's:
/// `argument '<name>' value '<v>' is not in allowed list: [a, b]`.
pub fn parse_enum<S: AsRef<str>>(
    spec: &ArgSpec<'_>,
    input: &str,
    allowed: &[S],
) -> Result<usize, ArgError> {
    if let Some(i) = allowed.iter().position(|a| a.as_ref() == input) {
        return Ok(i);
    }
    let list = allowed
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join(", ");
    if let Err(e) = check_edge_whitespace(spec.name, input) {
        return Err(e.with_expected(list));
    }
    let name = spec.name;
    Err(ArgError::new(
        name,
        Rule::NotAllowed,
        format!(
            "argument '{name}' value '{}' is not in allowed list: [{list}]",
            shown(input)
        ),
    )
    .with_value(input)
    .with_expected(list))
}

/// [`parse_enum`] for a JSON value: only a JSON string can name an allowed value.
pub fn parse_enum_json<S: AsRef<str>>(
    spec: &ArgSpec<'_>,
    input: &serde_json::Value,
    allowed: &[S],
) -> Result<usize, ArgError> {
    parse_enum(spec, json_str(spec.name, input, "enum")?, allowed)
}

/// An `enum` value on the dynamic path: its index in the argument's `allowed` list
/// and its text. Generated code uses a dedicated Rust enum instead.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumValue {
    index: usize,
    text: Str,
}

impl EnumValue {
    /// The position in the `allowed` list (manifest order).
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The allowed value, exactly as in the manifest.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl ArgValue for EnumValue {
    fn to_value(&self) -> super::Value {
        super::Value::Enum(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    /// Looks `input` up in `spec.constraints.allowed`. No list (a manifest error the
    /// loader reports) refuses every value.
    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let Some(allowed) = &spec.constraints.allowed else {
            let name = spec.name;
            return Err(ArgError::new(
                name,
                Rule::NotAllowed,
                format!("argument '{name}' is type 'enum' but has no 'allowed' list"),
            )
            .with_value(input));
        };
        let index = parse_enum(spec, input, allowed)?;
        let text = allowed
            .get(index)
            .cloned()
            .unwrap_or_else(|| Str::Owned(input.to_string()));
        Ok(EnumValue { index, text })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "enum")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.to_string().into()
    }
}

impl fmt::Display for EnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for EnumValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Implemented by the Rust enum generated for each `enum` argument: the allowed values
/// in manifest order and the mapping between a variant and its index. Everything else
/// the enum offers ([`ArgValue`], `as_str`, `FromStr`, serde) is written once, here,
/// over this trait.
#[doc(hidden)]
pub trait ManifestEnum: Copy + PartialEq + fmt::Display + 'static {
    /// The argument the enum belongs to (named in errors).
    const ARG: &'static str;
    /// Every variant, in manifest order.
    const ALL: &'static [Self];
    /// The allowed values, exactly as in the manifest, in manifest order (the same
    /// order as [`Self::ALL`]).
    const VALUES: &'static [&'static str];

    /// The variant at position `i` of [`Self::VALUES`].
    fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }

    /// The position of this variant in [`Self::VALUES`] (`usize::MAX`, which names no
    /// value, only for an impl whose `ALL` misses a variant).
    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|v| *v == self)
            .unwrap_or(usize::MAX)
    }
}

/// The allowed value of an enum variant, exactly as written in the manifest.
#[doc(hidden)]
pub fn enum_str<E: ManifestEnum>(e: E) -> &'static str {
    E::VALUES.get(e.index()).copied().unwrap_or_default()
}

/// Parses `input` as an allowed value of `E`, with the argument's own name in errors.
#[doc(hidden)]
pub fn enum_from_str<E: ManifestEnum>(input: &str) -> Result<E, ArgError> {
    let spec = ArgSpec::new(E::ARG, &crate::model::Constraints::NONE);
    E::parse_str(&spec, input, &ParseOptions::DEFAULT)
}

fn enum_variant<E: ManifestEnum>(spec: &ArgSpec<'_>, i: usize) -> Result<E, ArgError> {
    // `i` comes from `parse_enum` over `E::VALUES`, so it is always in range; an
    // inconsistent impl is an error, not a panic.
    E::from_index(i)
        .ok_or_else(|| ArgError::new(spec.name, Rule::NotAllowed, "enum index out of range"))
}

impl<E: ManifestEnum> ArgValue for E {
    /// The dynamic path's form of the variant: its index and its manifest text.
    fn to_value(&self) -> super::Value {
        super::Value::Enum(EnumValue {
            index: self.index(),
            text: Str::Borrowed(enum_str(*self)),
        })
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        enum_variant(spec, parse_enum(spec, input, E::VALUES)?)
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        _opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        enum_variant(spec, parse_enum_json(spec, input, E::VALUES)?)
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(enum_str(*self).into())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(enum_str(*self))
    }
}
